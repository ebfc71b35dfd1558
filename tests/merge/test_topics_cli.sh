#!/bin/bash
# saetm synth -> corpus -> interpret -> topics on the command line: outputs, options, refusals.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/syn"
check "synth" $S synth --out "$D" --docs 800 --topics 6 --vocab 300 --dim 16 -q
check "corpus" $S corpus --input "$D/docs.jsonl" --out "$D/c.stc" --preprocess none --min-df 2 --max-df 0.9 -q
check "interpret" $S interpret --corpus "$D/c.stc" --acts "$D/true_strengths.npy" --out "$D/i.sti" -q
check "interpret: learned pi, unigram background, no idf" $S interpret --corpus "$D/c.stc" --acts "$D/true_strengths.npy" \
  --out "$D/i2.sti" --learn-pi --background unigram --no-idf --em-max-iter 20 -q
check "train a small SAE" $S train --emb "$D/emb.npy" --features 24 --k 3 --steps 60 --out "$D/sae.saem" -q
check "interpret from --sae and --emb" $S interpret --corpus "$D/c.stc" --sae "$D/sae.saem" --emb "$D/emb.npy" --out "$D/is.sti" -q
check "encode, then interpret the .sac" $S encode --sae "$D/sae.saem" --emb "$D/emb.npy" --out "$D/a.sac" -q
check "interpret --acts a.sac" $S interpret --corpus "$D/c.stc" --acts "$D/a.sac" --out "$D/ia.sti" -q
assert "the two routes give the same file" cmp -s "$D/is.sti" "$D/ia.sti"
check "an SAE that names its embedder" $S train --emb "$D/emb.npy" --features 24 --k 3 --steps 5 --embedder emb-a --out "$D/sae_a.saem" -q
cp "$D/emb.npy" "$D/emb_b.npy"; printf '{"embedder": "emb-b"}\n' > "$D/emb_b.npy.json"
expect_fail "interpret: embeddings from another embedder (sidecar)" 1 "embedder 'emb-b'.*'emb-a'" $S interpret --corpus "$D/c.stc" --sae "$D/sae_a.saem" --emb "$D/emb_b.npy" --out "$D/x.sti"
check "topics kmeans" $S topics --interp "$D/i.sti" --k 6 --out "$D/km" -q
check "topics agglomerative average" $S topics --interp "$D/i.sti" --k 4 --method agglomerative --linkage average --out "$D/ag" -q
# word vectors: random vectors for the words of vocab.txt, in reverse order (alignment by word)
$PY -c "import numpy as np; w=open('$D/vocab.txt').read().split(); np.save('$D/wv.npy', np.random.default_rng(0).normal(size=(len(w),8)).astype('f4')); open('$D/words.txt','w').write('\n'.join(w)+'\n')"
check "topics words space, refit, relevance" $S topics --interp "$D/i.sti" --k 6 --word-vectors "$D/wv.npy" --word-list "$D/words.txt" \
  --refit --corpus "$D/c.stc" --sharpen 2 --rank relevance --out "$D/wd" -q
check "outputs are consistent" $PY - "$D" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
for sub, k in (("km", 6), ("ag", 4), ("wd", 6)):
    dt = np.load(f"{d}/{sub}/doc_topics.npy"); tw = np.load(f"{d}/{sub}/topic_word.npy")
    assert dt.shape == (800, k) and tw.shape[0] == k, (dt.shape, tw.shape)
    s = dt.sum(1)
    assert np.all((np.abs(s - 1) < 1e-4) | (s == 0)), s
    assert np.allclose(tw.sum(1), 1, atol=1e-4)
    tj = json.load(open(f"{d}/{sub}/topics.json"))
    assert tj["k"] == k and len(tj["topics"]) == k
    feats = sorted(f for t in tj["topics"] for f in t["features"])
    assert feats == list(range(6)), feats
    lines = open(f"{d}/{sub}/top_words.txt").read().splitlines()
    assert len(lines) == k and all(len(l.split()) == 20 for l in lines)
    assert lines[0].split()[0] == tj["topics"][0]["words"][0]["word"]
    w = [t["weight"] for t in tj["topics"]]
    assert w == sorted(w, reverse=True) and abs(sum(w) - 1) < 1e-5
tree = json.load(open(f"{d}/ag/tree.json"))
assert tree["n_leaves"] == 6 and len(tree["merges"]) == 5
PY
# coherence pruning (--candidates) and diversity-targeted ranking (--rank diverse)
check "pruning: 2 x 3 candidates pruned to 3" $S topics --interp "$D/i.sti" --k 3 --candidates 2 --refit \
  --corpus "$D/c.stc" --rank diverse --out "$D/pr" -q
check "pruned: 3 topics, the relevance lambda recorded" $PY - "$D/pr" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
tj = json.load(open(d + "/topics.json"))
assert tj["k"] == 3 and len(tj["topics"]) == 3 and np.load(d + "/doc_topics.npy").shape == (800, 3), tj["k"]
assert np.load(d + "/topic_word.npy").shape[0] == 3
assert tj["rank"] == "relevance" and 0.5 <= tj["lambda"] <= 1 and tj["min_diversity"] == 0.8, tj
assert len(open(d + "/top_words.txt").read().splitlines()) == 3
PY
check "more candidates than features: as many as there are" $S topics --interp "$D/i.sti" --k 4 --candidates 4 --refit \
  --corpus "$D/c.stc" --out "$D/pr2" -q
check "--candidates without the refit does nothing" $S topics --interp "$D/i.sti" --k 3 --candidates 2 --out "$D/pr3" -q
check "plain k-means into 3" $S topics --interp "$D/i.sti" --k 3 --out "$D/km3" -q
assert "... the same topics as without --candidates" cmp -s "$D/pr3/topic_word.npy" "$D/km3/topic_word.npy"
expect_fail "--candidates below 1" 2 "--candidates must be in" $S topics --interp "$D/i.sti" --k 3 --candidates 0.5 --out "$D/x"
expect_fail "--rank diverse:0" 2 "diverse:D needs D" $S topics --interp "$D/i.sti" --k 3 --rank diverse:0 --out "$D/x"
expect_fail "--rank diverse:x" 2 "--rank must be" $S topics --interp "$D/i.sti" --k 3 --rank diverse:x --out "$D/x"
expect_fail "pruning an agglomerative tree" 2 "agglomerative topics are cuts" $S topics --interp "$D/i.sti" --k 3 --candidates 2 --refit \
  --corpus "$D/c.stc" --method agglomerative --out "$D/x"
expect_fail "topics needs an input" 2 "give --interp or --model" $S topics --k 3
check "words space from the built-in embedder" $S topics --interp "$D/i.sti" --space words --k 3 --out "$D/we" -q
assert "word vectors cached with their word list" test -s "$D/we/word_vectors.npy" -a -s "$D/we/word_vectors.txt"
expect_fail "decoder space needs an SAE" 2 "needs the SAE" $S topics --interp "$D/i.sti" --space decoder --k 3 --out "$D/x"
expect_fail "more topics than features" 2 "lower --k" $S topics --interp "$D/i.sti" --k 7 --out "$D/x"
expect_fail "refit needs the corpus" 2 "needs the corpus" $S topics --interp "$D/i.sti" --k 3 --refit --out "$D/x"
expect_fail "bad method" 2 "--method must be kmeans, agglomerative or coactivation" $S topics --interp "$D/i.sti" --method spectral --out "$D/x"
head -c 100 "$D/true_strengths.npy" > "$D/short.npy"
expect_fail "truncated activations" 1 "short.npy" $S interpret --corpus "$D/c.stc" --acts "$D/short.npy" --out "$D/x.sti"
$PY -c "import numpy as np; a=np.load('$D/true_strengths.npy'); np.save('$D/rows.npy', a[:10]); a[3,2]=-1; np.save('$D/neg.npy', a)"
expect_fail "negative activation" 1 "row 3, column 2" $S interpret --corpus "$D/c.stc" --acts "$D/neg.npy" --out "$D/x.sti"
expect_fail "row count mismatch" 1 "same documents" $S interpret --corpus "$D/c.stc" --acts "$D/rows.npy" --out "$D/x.sti"
expect_fail "pi out of range" 2 "pi must be" $S interpret --corpus "$D/c.stc" --acts "$D/true_strengths.npy" --pi 1.5 --out "$D/x.sti"
expect_fail "bad --em-accel" 2 "em-accel must be squarem or off, not 'anderson'" $S interpret --corpus "$D/c.stc" --acts "$D/true_strengths.npy" --em-accel anderson --out "$D/x.sti"
expect_fail "--em-top too large" 2 "em-top: expected an integer in \[0, 100\]" $S interpret --corpus "$D/c.stc" --acts "$D/true_strengths.npy" --em-top 101 --out "$D/x.sti"
check "plain EM with the NLL rule alone on request" $S interpret --corpus "$D/c.stc" --acts "$D/true_strengths.npy" --em-accel off --em-top 0 --out "$D/plain.sti" -q
assert "plain EM wrote its file" test -s "$D/plain.sti"
expect_fail "missing SAE file" 1 "x.saem" $S interpret --corpus "$D/c.stc" --sae "$D/x.saem" --emb "$D/emb.npy" --out "$D/x.sti"
expect_fail "acts and sae together" 2 "either --acts or --sae" $S interpret --corpus "$D/c.stc" --acts "$D/rows.npy" --sae "$D/x.saem" --emb "$D/emb.npy" --out "$D/x.sti"
# fit and transform: the refusals (the pipeline itself: test_fit_planted.py)
expect_fail "fit needs --input" 2 "--input is required" $S fit --emb "$D/emb.npy" --out "$D/m"
$PY -c "import numpy as np; np.save('$D/emb10.npy', np.load('$D/emb.npy')[:10])"
expect_fail "fit: embeddings of other documents" 1 "row i must embed document i" $S fit --input "$D/docs.jsonl" --emb "$D/emb10.npy" --preprocess none --out "$D/m"
# the embedder named in the .npy sidecar is stored in the SAE and checked when the SAE is reused
echo '{"embedder":"synth-a"}' > "$D/emb.npy.json"
check "fit records the embedder" $S fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --preprocess none --min-df 2 \
  --features 64 --batch 128 --steps 20 --k 3 --out "$D/fa" -q
cp "$D/emb.npy" "$D/embb.npy"; echo '{"embedder":"synth-b"}' > "$D/embb.npy.json"
expect_fail "fit: SAE of another embedder" 1 "synth-a" $S fit --input "$D/docs.jsonl" --emb "$D/embb.npy" \
  --sae "$D/fa/sae.saem" --preprocess none --min-df 2 --k 3 --out "$D/fb" -q
expect_fail "fit: bad --space" 2 "--space must be" $S fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --space cosine --out "$D/m"
expect_fail "transform needs --model" 2 "--model is required" $S transform --emb "$D/emb.npy" --out "$D/t.npy"
expect_fail "transform: no model there" 1 "nomodel/sae.saem" $S transform --model "$D/nomodel" --emb "$D/emb.npy" --out "$D/t.npy"
expect_fail "topics: no model there" 1 "nomodel/interp.sti" $S topics --model "$D/nomodel" --k 3
$PY -c "b=bytearray(open('$D/i.sti','rb').read()); b[len(b)//2]^=0xff; open('$D/bad.sti','wb').write(b)"
expect_fail "corrupt interpretation" 1 "checksum|CRC|bad.sti" $S topics --interp "$D/bad.sti" --k 3 --out "$D/x"
report
