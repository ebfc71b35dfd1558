#!/bin/bash
# Degenerate inputs through the command line (issue 8): a one-document corpus through fit, more
# topics than live features, and zero-row embeddings / activations for every command that takes
# them. Each gets a clear error (exit 1 for the data, 2 for the command line) or the documented
# result (docs/reliability.md), never a crash or a sanitizer report.
source "$ROOT/tests/lib.sh"
S=$SAETM
check "synthetic corpus" $S synth -q --docs 300 --topics 5 --vocab 200 --dim 16 --seed 2 --out "$T/syn"
C=(--preprocess none --min-df 1 --max-df 1.0)
fitopts=("${C[@]}" --features 64 --sae-k 4 --batch 64 --steps 60 --em-max-iter 20 --space hellinger --threads 2)
$PY -c "
import numpy as np, json
e = np.load('$T/syn/emb.npy')
np.save('$T/one.npy', e[:1]); np.save('$T/zero.npy', e[:0]); np.save('$T/zero_dense.npy', np.zeros((0, 64), 'f4'))
open('$T/one.jsonl', 'w').write(open('$T/syn/docs.jsonl').readline())
open('$T/empty.jsonl', 'w').close()"

# One document: fit refuses, saying why and what to use instead.
expect_fail "fit: one document" 1 "one.jsonl has 1 document; fitting topics needs at least 2" \
  $S fit -q --input "$T/one.jsonl" --emb "$T/one.npy" "${fitopts[@]}" --k 2 --out "$T/one"
assert "fit: no topic files for one document" test ! -e "$T/one/topics.json"
expect_fail "fit: no documents" 1 "empty.jsonl: empty file \\(no documents\\)" \
  $S fit -q --input "$T/empty.jsonl" --emb "$T/zero.npy" "${fitopts[@]}" --k 2 --out "$T/empty"

# A model to work with; its live features (those active in some document) number fewer than F.
# Its text outputs (params.json, the word-vector cache's word list) are written under a
# per-process temporary name like every file: the old fixed "NAME.tmp", taken here by a
# directory (as by a concurrent run), is not used (test_atomic_writes.c runs writers at once).
mkdir -p "$T/m/params.json.tmp" "$T/m/word_vectors.txt.tmp"
check "fit a small model" $S fit -q --input "$T/syn/docs.jsonl" --emb "$T/syn/emb.npy" "${fitopts[@]}" --k 4 \
  --out "$T/m"
assert "fit: params.json written beside a directory named params.json.tmp" test -s "$T/m/params.json"
live=$($PY -c "
import json; print(sum(1 for t in json.load(open('$T/m/topics.json'))['topics'] for f in t['features']))" 2>/dev/null)
[ -n "$live" ] || live=$($S topics -q --model "$T/m" --k 100000 --out "$T/x" 2>&1 | grep -oE 'only [0-9]+' | tr -dc 0-9)
assert "live features counted ($live)" test -n "$live"
# One more topic than live features (but fewer than the SAE's 64 features): a clear error naming
# the number that can be clustered; the model stays usable with a smaller K.
expect_fail "topics: K above the live features" 2 "$((live + 1)) topics asked but only $live features can be clustered.*lower --k" \
  $S topics -q --model "$T/m" --k $((live + 1)) --out "$T/x"
check "topics: K = live features works" $S topics -q --model "$T/m" --k "$live" --out "$T/kl"
# More memory asked than allowed (SAETM_MEM_LIMIT): interpret and topics refuse before the big
# allocations, with the numbers, and write nothing (bench/bench_scale.sh does this at N = 10^6).
expect_fail "interpret: over SAETM_MEM_LIMIT" 1 "interpret needs about .* GiB but only .* GiB are available" \
  env SAETM_MEM_LIMIT=1M $S interpret -q --corpus "$T/m/corpus.stc" --acts "$T/m/acts.sac" --out "$T/lim.sti"
expect_fail "topics: over SAETM_MEM_LIMIT" 1 "needs about .* GiB but only .* GiB are available" \
  env SAETM_MEM_LIMIT=1M $S topics -q --model "$T/m" --k "$live" --out "$T/lim"
assert "no output from the refused runs" test ! -e "$T/lim.sti" -a ! -e "$T/lim/topics.json"
expect_fail "fit: K above the live features" 2 "lower --k" \
  $S fit -q --input "$T/syn/docs.jsonl" --emb "$T/syn/emb.npy" "${fitopts[@]}" --k 70 --out "$T/m70"
check "fit: after that error, --resume with a smaller K reuses the SAE" \
  $S fit --input "$T/syn/docs.jsonl" --emb "$T/syn/emb.npy" "${fitopts[@]}" --k 4 --resume --out "$T/m70"
assert "fit: the SAE was reused" grep -q "sae.saem is finished, reusing it" "$T/.err"

# Zero rows. Commands that map rows to rows give zero rows back; those that learn from the rows
# or must match a corpus refuse.
expect_fail "train: zero rows" 1 "at least one row" $S train -q --emb "$T/zero.npy" --features 8 --k 2 --out "$T/z.saem"
check "encode: zero rows give an empty .sac" $S encode -q --sae "$T/m/sae.saem" --emb "$T/zero.npy" --out "$T/z.sac"
check "encode: the empty .sac verifies" $S inspect "$T/z.sac"
assert "encode: it has 0 rows" grep -qE "\b0 (rows|x)" "$T/.out"
check "transform: zero rows give 0 x K doc-topics" $S transform -q --model "$T/m" --emb "$T/zero.npy" --out "$T/zt.npy"
check "transform: doc_topics is 0 x 4" $PY -c "
import numpy as np, sys; a = np.load('$T/zt.npy'); sys.exit(a.shape != (0, 4))"
expect_fail "interpret: zero-row activations against a corpus" 1 "z.sac has 0 rows but .*corpus.stc has 300 documents" \
  $S interpret -q --corpus "$T/m/corpus.stc" --acts "$T/z.sac" --out "$T/z.sti"
expect_fail "interpret: zero-row dense activations" 1 "zero_dense.npy has 0 rows but .*300 documents" \
  $S interpret -q --corpus "$T/m/corpus.stc" --acts "$T/zero_dense.npy" --out "$T/z.sti"
expect_fail "interpret: zero-row embeddings with --sae" 1 "0 rows" \
  $S interpret -q --corpus "$T/m/corpus.stc" --sae "$T/m/sae.saem" --emb "$T/zero.npy" --out "$T/z.sti"
expect_fail "fit: zero-row embeddings for 300 documents" 1 "zero.npy has 0 rows but .* has 300 documents" \
  $S fit -q --input "$T/syn/docs.jsonl" --emb "$T/zero.npy" "${fitopts[@]}" --k 4 --out "$T/z"
expect_fail "embed: no documents" 1 "empty file \\(no documents\\)" $S embed -q --input "$T/empty.jsonl" --out "$T/ze.npy"
assert "no output from the refused runs" test ! -e "$T/z.saem" -a ! -e "$T/z.sti" -a ! -e "$T/ze.npy"
report
