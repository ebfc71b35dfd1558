#!/bin/bash
# saetm topics --refit --words em|tfidf, --words-background, --crossfit on|off on the command line:
# the same bytes at 1 and 3 threads (with and without the cross-fitted pruning), the cross-fitted
# pruning runs and leaves K topics, --crossfit is ignored with the EM words or without pruning,
# refusals, and the options' round trip through a model's params.json (an old params.json without
# them means em). The estimate itself: test_words.py; the pruning on planted data: test_topics.c.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
D="$T/wcli"
check "synth" $S synth --out "$D" --docs 900 --topics 5 --vocab 250 --dim 16 --seed 7 -q
check "corpus" $S corpus --input "$D/docs.jsonl" --out "$D/c.stc" --preprocess none --min-df 2 --max-df 1.0 -q
# activations: every planted topic on two features (split 0.6 / 0.4 at random) plus three junk
# features that fire together in about one document in eight
check "activations with junk features" $PY - "$D" <<'PY'
import sys, numpy as np
d = sys.argv[1]
st = np.load(d + "/true_strengths.npy")
rng = np.random.default_rng(3)
N, T = st.shape
a = np.zeros((N, 2 * T + 3), np.float32)
for t in range(T):
    side = rng.integers(0, 2, N)
    a[np.arange(N), 2 * t + side] += 0.6 * st[:, t]
    a[np.arange(N), 2 * t + 1 - side] += 0.4 * st[:, t]
fire = rng.uniform(size=N) < 0.125
a[fire, 2 * T:] = rng.uniform(0.3, 0.7, size=(fire.sum(), 3))
np.save(d + "/acts.npy", a)
PY
check "interpret" $S interpret --corpus "$D/c.stc" --acts "$D/acts.npy" --out "$D/i.sti" -q
tp() { $S topics --interp "$D/i.sti" --corpus "$D/c.stc" --merge kmeans-hellinger --refit "$@"; }
same() { # same DESCRIPTION DIR1 DIR2: the topic files are the same bytes
  for f in topic_word.npy top_words.txt doc_topics.npy topics.json; do assert "$1: $f" cmp -s "$2/$f" "$3/$f"; done
}

# determinism: --threads 1 vs 3
for th in 1 3; do
  check "tfidf words, $th threads" tp --k 5 --words tfidf --threads $th --out "$D/w$th" -q
  check "tfidf words, cross-fitted pruning, $th threads" tp --k 5 --words tfidf --candidates 2 --crossfit on \
    --threads $th --out "$D/cf$th"
  cp "$T/.err" "$D/cf$th.log"
done
same "tfidf words: 1 and 3 threads" "$D/w1" "$D/w3"
same "cross-fitted pruning: 1 and 3 threads" "$D/cf1" "$D/cf3"

# the cross-fitted pruning ran (its log says so) and left K topics, every planted topic in its own
assert "the pruning dissolved candidates, cross-fitted" grep -q "least coherent of .*cross-fitted" "$D/cf1.log"
check "5 topics; each planted topic's two features in one topic of its own" $PY - "$D/cf1" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
t = json.load(open(d + "/topics.json"))
assert t["k"] == 5 and len(t["topics"]) == 5, t["k"]
assert np.load(d + "/topic_word.npy").shape[0] == 5 and np.load(d + "/doc_topics.npy").shape[1] == 5
assert len(open(d + "/top_words.txt").read().splitlines()) == 5
of = {f: i for i, tp in enumerate(t["topics"]) for f in tp["features"]}
homes = [of.get(2 * k) for k in range(5)]
assert all(h is not None and h == of.get(2 * k + 1) for k, h in enumerate(homes)), of
assert len(set(homes)) == 5, homes
PY
check "in-sample pruning" tp --k 5 --words tfidf --candidates 2 --crossfit off --out "$D/cf0"
assert "... its log does not say cross-fitted" bash -c "grep -q 'least coherent' '$T/.err' && ! grep -q cross-fitted '$T/.err'"

# --crossfit is ignored where there is nothing to cross-fit: the EM words, or no pruning
check "em words, --crossfit on" tp --k 5 --words em --candidates 2 --crossfit on --out "$D/em_on"
assert "... not cross-fitted" bash -c "! grep -q cross-fitted '$T/.err'"
check "em words, --crossfit off" tp --k 5 --words em --candidates 2 --crossfit off --out "$D/em_off" -q
same "--crossfit on with --words em = off" "$D/em_on" "$D/em_off"
check "tfidf words, --crossfit on, no candidates" tp --k 5 --words tfidf --crossfit on --out "$D/w_on" -q
same "--crossfit on without pruning = the plain tfidf fit" "$D/w_on" "$D/w1"
check "em is the default" tp --k 5 --out "$D/def" -q
check "--words em" tp --k 5 --words em --out "$D/em" -q
same "--words defaults to em" "$D/def" "$D/em"
assert "tfidf and em words differ" bash -c "! cmp -s '$D/em/topic_word.npy' '$D/w1/topic_word.npy'"
grep -q -- "--crossfit on|off.*ignored with --words em" <($S topics --help 2>&1)
assert "--help says --crossfit is ignored with --words em" [ $? -eq 0 ]

# refusals
expect_fail "--words bogus" 2 "--words must be em or tfidf, not 'bogus'" tp --k 5 --words bogus --out "$D/x"
expect_fail "--words-background -1" 2 "--words-background: background must be in \[0, 100\]" \
  tp --k 5 --words tfidf --words-background -1 --out "$D/x"
expect_fail "--words-background nan" 2 "--words-background" tp --k 5 --words tfidf --words-background nan --out "$D/x"
expect_fail "--crossfit maybe" 2 "--crossfit must be on or off, not 'maybe'" tp --k 5 --crossfit maybe --out "$D/x"
expect_fail "saetm fit --words bogus" 2 "--words must be em or tfidf" $S fit --input "$D/docs.jsonl" --emb "$D/emb.npy" \
  --words bogus --out "$D/x"

# params.json round trip: a fit with tfidf words keeps them when its topics are re-merged
check "fit with --words tfidf --words-background 0.5 --crossfit on" $S fit --input "$D/docs.jsonl" --emb "$D/emb.npy" \
  --preprocess none --min-df 2 --features 32 --batch 128 --steps 30 --k 4 --words tfidf --words-background 0.5 \
  --crossfit on --out "$D/m" -q
check "params.json records words, words_background, crossfit" $PY -c "
import json, sys
t = json.load(open(sys.argv[1] + '/params.json'))['topics']
assert (t['words'], t['words_background'], t['crossfit'], t['refit'], t['candidates']) == ('tfidf', 0.5, 'on', True, 2), t
" "$D/m"
check "topics --model --k 3" $S topics --model "$D/m" --k 3 --out "$D/r"
assert "... cross-fits its pruning (the recorded --crossfit on)" grep -q "least coherent of .*cross-fitted" "$T/.err"
check "... the same with the options given" $S topics --model "$D/m" --k 3 --words tfidf --words-background 0.5 \
  --crossfit on --out "$D/r_given" -q
same "topics --model keeps tfidf, 0.5, crossfit on" "$D/r" "$D/r_given"
check "... and --words em instead" $S topics --model "$D/m" --k 3 --words em --out "$D/r_em" -q
assert "... which differs" bash -c "! cmp -s '$D/r/topic_word.npy' '$D/r_em/topic_word.npy'"
check "... and --crossfit off instead" $S topics --model "$D/m" --k 3 --crossfit off --out "$D/r_in"
assert "... which prunes in-sample" bash -c "grep -q 'least coherent' '$T/.err' && ! grep -q cross-fitted '$T/.err'"
# an older params.json (before --words): em, background 0.3, no cross-fitting
mkdir -p "$D/old"
cp "$D/m/interp.sti" "$D/m/corpus.stc" "$D/old/"
check "params.json without words, words_background, crossfit" $PY -c "
import json, sys
p = json.load(open(sys.argv[1] + '/params.json'))
for k in ('words', 'words_background', 'crossfit'): del p['topics'][k]
json.dump(p, open(sys.argv[2] + '/params.json', 'w'), indent=2)
" "$D/m" "$D/old"
check "topics --model old --k 3" $S topics --model "$D/old" --k 3 --out "$D/o" -q
check "... the same as --words em" $S topics --model "$D/old" --k 3 --words em --crossfit off --out "$D/o_em" -q
same "an old params.json means em" "$D/o" "$D/o_em"
same "... the em re-merge of the tfidf model" "$D/o" "$D/r_em"
report
