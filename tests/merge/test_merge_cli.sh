#!/bin/bash
# saetm topics --merge on planted co-firing groups: co-activation puts each group together,
# --min-doc-freq sends rare features to their group's topic (or nowhere with --rare drop), every
# merge method gives the same bytes at 1 and 2 threads, --rank and --refit-idf are parsed.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/mg"
check "synth" $S synth --out "$D" --docs 1200 --topics 8 --vocab 400 --dim 16 -q
check "corpus" $S corpus --input "$D/docs.jsonl" --out "$D/c.stc" --preprocess none --min-df 2 --max-df 0.9 -q
# 8 planted topics x 5 features; a feature fires (with prob. 0.7) when its topic is in the document;
# the last feature of each group fires rarely (prob. 0.03). Columns shuffled.
check "planted co-firing activations" $PY - "$D" <<'PY'
import sys, numpy as np
D = sys.argv[1]
s = np.load(f"{D}/true_strengths.npy"); N, T = s.shape; G = 5
rng = np.random.default_rng(1)
A = np.zeros((N, T * G), np.float32)
for t in range(T):
    for g in range(G):
        on = (s[:, t] > 0) & (rng.random(N) < (0.03 if g == G - 1 else 0.7))
        A[on, t * G + g] = s[on, t] * rng.uniform(0.5, 1.5, on.sum())
perm = rng.permutation(T * G)
np.save(f"{D}/acts.npy", np.ascontiguousarray(A[:, perm]))
np.save(f"{D}/group.npy", perm // G)
np.save(f"{D}/rare.npy", perm % G == G - 1)
df = (A[:, perm] > 0).sum(0)
assert df[perm % G == G - 1].max() < 40 and df[perm % G != G - 1].min() > 100, df
PY
check "interpret" $S interpret --corpus "$D/c.stc" --acts "$D/acts.npy" --out "$D/i.sti" -q
check "coactivation" $S topics --interp "$D/i.sti" --k 8 --merge coactivation --out "$D/co" -q
check "coactivation, --min-doc-freq 60" $S topics --interp "$D/i.sti" --k 8 --merge coactivation --min-doc-freq 60 --out "$D/cm"
assert "the log says where the rare features went" grep -q "8 (mass .*) joined the topic they co-activate with most" "$T/.err"
check "coactivation, --min-doc-freq 60 --rare drop" $S topics --interp "$D/i.sti" --k 8 --merge coactivation --min-doc-freq 60 --rare drop --out "$D/cd"
assert "the log says they are dropped" grep -q "8 (mass .*) dropped (--rare drop)" "$T/.err"
check "kmeans-hellinger, --min-doc-freq 60 --rare drop" $S topics --interp "$D/i.sti" --k 8 --merge kmeans-hellinger --min-doc-freq 60 --rare drop --out "$D/hd"
check "groups and rare features" $PY - "$D" <<'PY'
import json, sys, numpy as np
D = sys.argv[1]
g = np.load(f"{D}/group.npy"); rare = np.load(f"{D}/rare.npy")
def topic_of(sub):
    tj = json.load(open(f"{D}/{sub}/topics.json"))
    ft = -np.ones(len(g), int)
    for t in tj["topics"]:
        ft[t["features"]] = t["id"]
    return tj, ft
for sub in ("co", "cm"):
    tj, ft = topic_of(sub)
    assert tj["method"] == "coactivation" and tj["space"] == "none", tj["method"]
    assert (ft >= 0).all(), ft
    for t in range(8):  # every group in one topic, one group per topic
        assert len(set(ft[g == t])) == 1, (sub, t, ft[g == t])
    assert len(set(ft)) == 8
    w = sum(t["weight"] for t in tj["topics"])
    assert abs(w - 1) < 1e-5, w
for sub in ("cd", "hd"):
    tj, ft = topic_of(sub)
    assert (ft[rare] == -1).all() and (ft[~rare] >= 0).all(), (sub, ft)
    w = sum(t["weight"] for t in tj["topics"])
    assert w < 0.999, w  # the rare features' mass is left out
    dt = np.load(f"{D}/{sub}/doc_topics.npy"); s = dt.sum(1)
    assert np.all((np.abs(s - 1) < 1e-4) | (s == 0)), s
for t in range(8):  # kmeans-hellinger groups the frequent features of a group together as well
    tj, ft = topic_of("hd")
    assert len(set(ft[(g == t) & ~rare])) == 1
PY
# every merge method: identical bytes at 1 and 2 threads (with --refit and a non-default --rank too)
$PY -c "import numpy as np; w=open('$D/vocab.txt').read().split(); np.save('$D/wv.npy', np.random.default_rng(0).normal(size=(len(w),8)).astype('f4')); open('$D/words.txt','w').write('\n'.join(w)+'\n'); np.save('$D/dec.npy', np.random.default_rng(1).normal(size=(40,6)).astype('f4'))"
for m in kmeans-words kmeans-hellinger kmeans-decoder agglomerative coactivation; do
  extra=""
  [ $m = kmeans-words ] && extra="--word-vectors $D/wv.npy --word-list $D/words.txt --rank frex:0.7"
  [ $m = kmeans-decoder ] && extra="--decoder $D/dec.npy --rank relevance:0.4"
  [ $m = coactivation ] && extra="--refit --corpus $D/c.stc --sharpen 2 --refit-idf off --rank frex"
  [ $m = agglomerative ] && extra="--space hellinger --min-doc-freq 60"
  for th in 1 2; do
    check "$m at $th threads" $S topics --interp "$D/i.sti" --k 7 --merge $m $extra --threads $th --out "$D/th_${m}_$th" -q
  done
  for f in top_words.txt topics.json doc_topics.npy topic_word.npy; do
    assert "$m: $f is the same at 1 and 2 threads" cmp -s "$D/th_${m}_1/$f" "$D/th_${m}_2/$f"
  done
done
check "rank and refit options are recorded" $PY - "$D" <<'PY'
import json, sys
D = sys.argv[1]
tj = json.load(open(f"{D}/th_kmeans-words_1/topics.json")); assert tj["rank"] == "frex" and tj["frex_weight"] == 0.7, tj["rank"]
tj = json.load(open(f"{D}/th_kmeans-decoder_1/topics.json")); assert tj["rank"] == "relevance" and tj["lambda"] == 0.4
tj = json.load(open(f"{D}/th_coactivation_1/topics.json")); assert tj["rank"] == "frex" and tj["frex_weight"] == 0.5
PY
assert "refit-idf off changes the re-fitted words" bash -c "$S topics --interp $D/i.sti --k 7 --merge coactivation --refit --corpus $D/c.stc --sharpen 2 --rank frex --out $D/idfon -q && ! cmp -s $D/idfon/topic_word.npy $D/th_coactivation_1/topic_word.npy"
expect_fail "bad --merge" 2 "--merge must be" $S topics --interp "$D/i.sti" --merge spectral --out "$D/x"
expect_fail "bad --rank" 2 "--rank must be" $S topics --interp "$D/i.sti" --rank frex:abc --out "$D/x"
expect_fail "frex weight out of range" 2 "frex weight must be in" $S topics --interp "$D/i.sti" --rank frex:2 --out "$D/x"
expect_fail "bad --rare" 2 "--rare must be" $S topics --interp "$D/i.sti" --rare keep --out "$D/x"
expect_fail "bad --refit-idf" 2 "--refit-idf must be" $S topics --interp "$D/i.sti" --refit-idf maybe --out "$D/x"
# --refit-idf P: IDF weights to the power P (1 = on); identical bytes at 1 and 2 threads
rf=(--interp "$D/i.sti" --k 7 --merge coactivation --refit --corpus "$D/c.stc" --sharpen 2 -q)
check "refit-idf 1" $S topics "${rf[@]}" --refit-idf 1 --out "$D/idf1"
check "refit-idf on" $S topics "${rf[@]}" --refit-idf on --out "$D/idfon2"
check "refit-idf off" $S topics "${rf[@]}" --refit-idf off --out "$D/idfoff2"
for th in 1 2; do check "refit-idf 0.5 at $th threads" $S topics "${rf[@]}" --refit-idf 0.5 --threads $th --out "$D/idfh$th"; done
assert "refit-idf 1 = on" cmp -s "$D/idf1/topic_word.npy" "$D/idfon2/topic_word.npy"
assert "refit-idf 0.5 is neither on nor off" bash -c "! cmp -s $D/idfh1/topic_word.npy $D/idfon2/topic_word.npy && ! cmp -s $D/idfh1/topic_word.npy $D/idfoff2/topic_word.npy"
for f in top_words.txt topics.json doc_topics.npy topic_word.npy; do
  assert "refit-idf 0.5: $f is the same at 1 and 2 threads" cmp -s "$D/idfh1/$f" "$D/idfh2/$f"
done
expect_fail "--refit-idf 0 (use off)" 2 "--refit-idf must be on, off or a power" $S topics --interp "$D/i.sti" --refit-idf 0 --out "$D/x"
expect_fail "--refit-idf above 4" 2 "--refit-idf must be on, off or a power" $S topics --interp "$D/i.sti" --refit-idf 4.5 --out "$D/x"
expect_fail "too few frequent features" 2 "fire in at least 1000 documents" $S topics --interp "$D/i.sti" --merge coactivation --min-doc-freq 1000 --k 3 --out "$D/x"
report
