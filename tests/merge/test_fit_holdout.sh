#!/bin/bash
# saetm fit --holdout F (docs/topics.md): document i is held out iff (i * P) mod 10^6 < P with
# P = round(F * 10^6) (F = 0.2: i % 5 == 0); held-out documents take part in no stage (vocabulary,
# document frequencies, SAE, encoding, interpretation, merge, pruning); DIR/heldout.stc holds them
# with every word, and the topics are scored in-sample and on them. Also `saetm corpus --holdout`,
# `topics --model` re-merges, transform, report, embed --corpus and --resume with a holdout.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/holdout"
mkdir -p "$D"
check "synth" $S synth --out "$D/s" --docs 600 --topics 4 --vocab 200 --dim 16 -q
# Planted words: zzplanted in every held-out document (i % 5 == 0) and nowhere else; zzrare in one
# training document (1) and three held-out ones (0, 5, 10): df 4 without a holdout, 1 with it.
$PY - "$D" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
docs = [json.loads(l) for l in open(d + "/s/docs.jsonl")]
for i, x in enumerate(docs):
    if i % 5 == 0: x["text"] += " zzplanted"
    if i in (0, 1, 5, 10): x["text"] += " zzrare"
open(d + "/docs.jsonl", "w").write("".join(json.dumps(x) + "\n" for x in docs))
open(d + "/train.jsonl", "w").write("".join(json.dumps(x) + "\n" for i, x in enumerate(docs) if i % 5))
e = np.load(d + "/s/emb.npy")
np.save(d + "/emb.npy", e)
np.save(d + "/train.npy", e[[i for i in range(len(e)) if i % 5]])
nan = e.copy(); nan[::5] = np.nan          # the held-out rows: never read by the fit
np.save(d + "/emb_nan.npy", nan)
bad = nan.copy(); bad[1, 3] = np.nan       # a training row
np.save(d + "/emb_bad.npy", bad)
PY
fit() { $S fit --preprocess none --id-field id --min-df 2 --k 4 --steps 50 -q "$@"; }
check "fit --holdout 0.2" fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --holdout 0.2 --out "$D/m"
check "fit without holdout (control)" fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --out "$D/m0"
for f in corpus.stc heldout.stc top_words.txt topics.json doc_topics.npy topic_word.npy heldout_doc_topics.npy; do
  assert "fit --holdout wrote $f" test -s "$D/m/$f"
done
assert "no heldout.stc without --holdout" test ! -e "$D/m0/heldout.stc"

# (1) the planted words and the split, read with the Python reader of the corpus format
check "corpus.stc: training documents only, their document frequencies; heldout.stc: the others, every word" \
  $PY - "$D" "$ROOT" <<'PY'
import json, sys, collections, numpy as np
d, root = sys.argv[1:3]
sys.path.insert(0, root + "/tests/corpus")
from stc import Corpus
docs = [json.loads(l) for l in open(d + "/docs.jsonl")]
tr, ho, c0 = Corpus(d + "/m/corpus.stc"), Corpus(d + "/m/heldout.stc"), Corpus(d + "/m0/corpus.stc")
assert "zzplanted" in c0.vocab and "zzrare" in c0.vocab, "control: both words are in a corpus without holdout"
assert "zzplanted" not in tr.vocab and "zzrare" not in tr.vocab, "a held-out document's word reached the vocabulary"
# (3) the rule at 0.2: exactly the documents i % 5 == 0 are held out, in order
assert tr.ids == ["d%d" % i for i in range(600) if i % 5], tr.ids[:8]
assert ho.ids == ["d%d" % i for i in range(600) if i % 5 == 0], ho.ids[:8]
def df(rows):
    c = collections.Counter()
    for i in rows: c.update(set(docs[i]["text"].split()))
    return c
dtr, dho = df([i for i in range(600) if i % 5]), df([i for i in range(600) if i % 5 == 0])
assert all(int(tr.df[w]) == dtr[v] for w, v in enumerate(tr.vocab)), "df counts held-out documents"
assert set(tr.vocab) == {v for v, n in dtr.items() if 2 <= n <= 0.5 * 480}, "min_df/max_df over training documents"
assert set(ho.vocab) == set(dho), "heldout.stc keeps every word (min_df 1, max_df 1.0)"
assert int(ho.df[ho.vocab.index("zzplanted")]) == 120 and int(ho.df[ho.vocab.index("zzrare")]) == 3
info = json.loads(tr.info)
assert info["holdout"] == 0.2 and info["holdout_part"] == "train" and info["input_docs"] == 600, info
assert json.loads(ho.info)["holdout_part"] == "heldout"
t = json.load(open(d + "/m/topics.json"))
words = [w["word"] for tp in t["topics"] for w in tp["words"]] + open(d + "/m/top_words.txt").read().split()
assert "zzplanted" not in words and "zzrare" not in words
tw, dt = np.load(d + "/m/topic_word.npy"), np.load(d + "/m/doc_topics.npy")
assert tw.shape == (4, tr.n_vocab) and dt.shape == (480, 4), (tw.shape, dt.shape)
assert np.load(d + "/m/heldout_doc_topics.npy").shape == (120, 4)
p = json.load(open(d + "/m/params.json"))
assert p["corpus"]["holdout"] == 0.2 and p["results"]["documents"] == 480 and p["results"]["heldout_documents"] == 120
PY

# (2) the SAE never saw a held-out row: NaN there changes nothing, and a fit on the training
# documents alone (a separate input, no holdout) gives the same bytes (which also proves the split)
check "fit --holdout 0.2, held-out rows NaN" fit --input "$D/docs.jsonl" --emb "$D/emb_nan.npy" --holdout 0.2 --out "$D/mn"
check "fit on the training documents alone" fit --input "$D/train.jsonl" --emb "$D/train.npy" --out "$D/mt"
for f in doc_topics.npy topic_word.npy top_words.txt acts.sac sae.saem; do
  assert "NaN held-out rows: same $f" cmp -s "$D/m/$f" "$D/mn/$f"
  assert "training documents alone: same $f" cmp -s "$D/m/$f" "$D/mt/$f"
done
assert "no heldout_doc_topics.npy from NaN rows" test ! -e "$D/mn/heldout_doc_topics.npy"
expect_fail "a NaN training row is refused, by its row in --emb" 1 "emb_bad.npy: row 1, column 3 is NaN" \
  fit --input "$D/docs.jsonl" --emb "$D/emb_bad.npy" --holdout 0.2 --out "$D/x"
expect_fail "--emb rows are counted against all documents" 1 \
  "480 rows but .* has 600 documents \(480 for training, 120 held out by --holdout 0.2\)" \
  fit --input "$D/docs.jsonl" --emb "$D/train.npy" --holdout 0.2 --out "$D/x"

# (4) the scores in topics.json and params.json are `saetm eval`'s on the same files
$S eval --model "$D/m" --json >"$D/ev_in.json" 2>/dev/null
$S eval --topics "$D/m/top_words.txt" --corpus "$D/m/heldout.stc" --json >"$D/ev_ho.json" 2>/dev/null
check "topics.json evaluation = saetm eval (in-sample: corpus.stc, held-out: heldout.stc)" $PY - "$D" <<'PY'
import json, sys
d = sys.argv[1]
ev = json.load(open(d + "/m/topics.json"))["evaluation"]
for side, f in (("in_sample", "ev_in"), ("held_out", "ev_ho")):
    e = json.load(open(d + "/" + f + ".json"))
    for k in ("npmi", "c_v", "diversity", "n_docs", "n_scored_topics"):
        assert ev[side][k] == e[k], (side, k, ev[side][k], e[k])
assert ev["holdout_fraction"] == 0.2 and ev["held_out"]["n_docs"] == 120
assert json.load(open(d + "/m/params.json"))["results"]["evaluation"] == ev
assert "evaluation" not in json.load(open(d + "/m0/topics.json"))
PY
check "fit prints both scores at the end" $S fit --preprocess none --id-field id --min-df 2 --k 4 --steps 50 \
  --input "$D/docs.jsonl" --emb "$D/emb.npy" --holdout 0.2 --out "$D/mp"
assert "stderr: in-sample and held-out lines last" \
  bash -c "tail -2 '$T/.err' | head -1 | grep -q 'in-sample.*NPMI.*C_V.*TD' && tail -1 '$T/.err' | grep -q 'held-out.*NPMI.*C_V.*TD'"
check "re-merge: topics --model scores against DIR/heldout.stc" $S topics --model "$D/m" --k 3 --out "$D/m3" -q
$S eval --topics "$D/m3/top_words.txt" --corpus "$D/m/heldout.stc" --json >"$D/ev3.json" 2>/dev/null
check "re-merged held-out scores = saetm eval" $PY - "$D" <<'PY'
import json, sys
d = sys.argv[1]
ev, e = json.load(open(d + "/m3/topics.json"))["evaluation"]["held_out"], json.load(open(d + "/ev3.json"))
assert ev["npmi"] == e["npmi"] and ev["c_v"] == e["c_v"] and ev["diversity"] == e["diversity"], (ev, e)
PY
check "report --model" $S report --model "$D/m" --out "$D/r.html" -q
check "report labels in-sample and held-out scores" $PY - "$D" <<'PY'
import json, re, sys
d = sys.argv[1]
h = open(d + "/r.html").read()
ev = json.load(open(d + "/m/topics.json"))["evaluation"]
s = h[h.index('id="scores"'):]
assert "<th>in-sample</th><th>held-out</th>" in s
row = re.search(r"NPMI \(mean over topics\)</td><td class=\"n\">([-0-9.]+)</td><td class=\"n\">([-0-9.]+)</td>", s)
assert row and row.groups() == ("%.4f" % ev["in_sample"]["npmi"], "%.4f" % ev["held_out"]["npmi"]), row
PY

# transform reproduces the fit: doc_topics for the training rows, heldout_doc_topics for the others
check "transform all documents" $S transform --model "$D/m" --emb "$D/emb.npy" --input "$D/docs.jsonl" --out "$D/all.npy" -q
check "transform = doc_topics / heldout_doc_topics row by row" $PY - "$D" <<'PY'
import sys, numpy as np
d = sys.argv[1]
a = np.load(d + "/all.npy")
assert a.shape == (600, 4)
assert np.array_equal(a[[i for i in range(600) if i % 5]], np.load(d + "/m/doc_topics.npy"))
assert np.array_equal(a[::5], np.load(d + "/m/heldout_doc_topics.npy"))
PY

# saetm corpus --holdout builds either side, the same bytes as fit's
check "corpus --holdout 0.2 (train)" $S corpus --input "$D/docs.jsonl" --preprocess none --id-field id --min-df 2 \
  --holdout 0.2 --out "$D/c_tr.stc"
assert "= fit's corpus.stc" cmp -s "$D/c_tr.stc" "$D/m/corpus.stc"
check "corpus --holdout 0.2 --holdout-part heldout" $S corpus --input "$D/docs.jsonl" --preprocess none --id-field id \
  --min-df 1 --max-df 1 --max-vocab 0 --holdout 0.2 --holdout-part heldout --out "$D/c_ho.stc"
assert "= fit's heldout.stc" cmp -s "$D/c_ho.stc" "$D/m/heldout.stc"
for F in 0.3 0.25 0.07; do
  check "corpus --holdout $F heldout" $S corpus --input "$D/docs.jsonl" --preprocess none --id-field id --min-df 1 \
    --holdout $F --holdout-part heldout --out "$D/h$F.stc"
  check "corpus --holdout $F train" $S corpus --input "$D/docs.jsonl" --preprocess none --id-field id --min-df 1 \
    --holdout $F --out "$D/t$F.stc"
  check "--holdout $F: held out iff (i * P) % 10^6 < P" $PY - "$D" "$ROOT" "$F" <<'PY'
import sys
d, root, F = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, root + "/tests/corpus")
from stc import Corpus
P = round(float(F) * 1000000)
held = [i for i in range(600) if (i * P) % 1000000 < P]
assert Corpus(d + "/h%s.stc" % F).ids == ["d%d" % i for i in held]
assert Corpus(d + "/t%s.stc" % F).ids == ["d%d" % i for i in range(600) if i not in set(held)]
if F == "0.25": assert held == list(range(0, 600, 4))
PY
done

# the built-in embedder embeds all documents (DIR/emb.npy), the SAE gets the training rows;
# `saetm embed --corpus` on a training corpus embeds exactly its documents
head -40 "$D/docs.jsonl" >"$D/small.jsonl"
check "fit --holdout with the built-in embedder" $S fit --input "$D/small.jsonl" --preprocess none --min-df 1 --k 2 \
  --steps 20 --sae-k 4 --features 64 --min-doc-freq 1 --holdout 0.2 --out "$D/mb" -q
check "embed --corpus of the training corpus" $S embed --corpus "$D/mb/corpus.stc" --out "$D/mb_tr.npy" -q
check "emb.npy: every document; doc_topics: the training ones" $PY - "$D" <<'PY'
import sys, numpy as np
d = sys.argv[1]
e, t = np.load(d + "/mb/emb.npy"), np.load(d + "/mb_tr.npy")
assert e.shape[0] == 40 and np.load(d + "/mb/doc_topics.npy").shape[0] == 32
assert np.load(d + "/mb/heldout_doc_topics.npy").shape[0] == 8
assert np.array_equal(t, e[[i for i in range(40) if i % 5]])
PY

# --resume with the same options gives the same bytes; another holdout is refused; the same
# bytes at 1 thread as at 2
cp -r "$D/m" "$D/mr"
rm -f "$D/mr/topics.json" "$D/mr/doc_topics.npy" "$D/mr/heldout.stc" "$D/mr/heldout_doc_topics.npy"
check "fit --resume --holdout 0.2" fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --holdout 0.2 --out "$D/mr" --resume
check "fit --holdout 0.2 --threads 1" fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --holdout 0.2 --out "$D/m1" --threads 1
for f in corpus.stc heldout.stc topics.json doc_topics.npy topic_word.npy heldout_doc_topics.npy sae.saem; do
  assert "--resume: same $f" cmp -s "$D/m/$f" "$D/mr/$f"
  assert "--threads 1: same $f" cmp -s "$D/m/$f" "$D/m1/$f"
done
expect_fail "--resume with another holdout" 2 "corpus.stc was built with --holdout 0.2, not 0.25" \
  fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --holdout 0.25 --out "$D/mr" --resume
expect_fail "--resume without the holdout" 2 "built with --holdout 0.2, not 0" \
  fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --out "$D/mr" --resume
check "a fit without holdout into a holdout model's directory" fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --out "$D/mr"
assert "removes the stale heldout.stc" test ! -e "$D/mr/heldout.stc" -a ! -e "$D/mr/heldout_doc_topics.npy"

# (5) bad values
for v in -1 1 0.95 nan inf; do
  expect_fail "fit --holdout $v refused" 2 "--holdout .*must be a number in \[0, 0.9\]" \
    fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --holdout $v --out "$D/x"
done
expect_fail "fit --holdout abc refused" 2 "--holdout: expected a number, got .abc." \
  fit --input "$D/docs.jsonl" --emb "$D/emb.npy" --holdout abc --out "$D/x"
expect_fail "corpus --holdout 0.95 refused" 2 "--holdout 0.95: .*\[0, 0.9\]" \
  $S corpus --input "$D/docs.jsonl" --holdout 0.95 --out "$D/x.stc"
expect_fail "corpus --holdout-part without --holdout" 2 "--holdout-part needs --holdout" \
  $S corpus --input "$D/docs.jsonl" --holdout-part heldout --out "$D/x.stc"
expect_fail "corpus --holdout-part other" 2 "--holdout-part must be train or heldout" \
  $S corpus --input "$D/docs.jsonl" --holdout 0.2 --holdout-part test --out "$D/x.stc"
head -1 "$D/docs.jsonl" >"$D/one.jsonl"
expect_fail "one document, held out: no training document" 1 "no training document: holdout 0.2 holds out all of its 1" \
  $S corpus --input "$D/one.jsonl" --holdout 0.2 --preprocess none --min-df 1 --out "$D/x.stc"
report
