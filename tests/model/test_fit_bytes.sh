#!/bin/bash
# The CLI is a thin layer over the library (docs/pipeline.md): `saetm fit` and a C program that
# calls saetm_fit with the same options (helper_fit.c) write the same bytes into every file of
# the model directory (params.json up to its timings, "input"/"emb" paths and "seed" being the
# same), on a planted corpus with fit's defaults, with --holdout, and with a k-means merge and a
# top-k SAE; and the library call gives the same bytes at 1 and 3 threads.
source "$(dirname "$0")/../lib.sh"
S="$SAETM"
H="$ROOT/build/test/tests/model/helper_fit"
D="$T/bytes"
mkdir -p "$D"
check "synth" $S synth --out "$D/s" --docs 400 --topics 4 --vocab 150 --dim 16 -q
# same bytes up to params.json's seconds_* lines
same_dir() {
  local a="$1" b="$2" f n=0
  for f in $(cd "$a" && ls); do
    n=$((n+1))
    if [ "$f" = params.json ]; then
      cmp -s <(grep -v '"seconds_' "$a/$f") <(grep -v '"seconds_' "$b/$f") || { echo "differs: $f" >&2; return 1; }
    else
      cmp -s "$a/$f" "$b/$f" || { echo "differs: $f" >&2; return 1; }
    fi
  done
  [ "$(cd "$a" && ls)" = "$(cd "$b" && ls)" ] || { echo "file lists differ" >&2; return 1; }
  [ $n -ge 9 ] || { echo "only $n files" >&2; return 1; }
}
cli_plain() { $S fit --input "$D/s/docs.jsonl" --emb "$D/s/emb.npy" --preprocess none --id-field id --min-df 2 --k 4 --steps 50 -q "$@"; }
check "cli fit" cli_plain --out "$D/cli_plain"
check "library fit" "$H" plain "$D/s/docs.jsonl" "$D/s/emb.npy" "$D/lib_plain" 1
assert "fit's defaults: CLI = saetm_fit, every file" same_dir "$D/cli_plain" "$D/lib_plain"
check "library fit, 3 threads" "$H" plain "$D/s/docs.jsonl" "$D/s/emb.npy" "$D/lib_plain3" 3
assert "saetm_fit: same bytes at 1 and 3 threads" same_dir "$D/lib_plain" "$D/lib_plain3"
check "cli fit --holdout 0.2" cli_plain --holdout 0.2 --out "$D/cli_ho"
check "library fit, holdout 0.2" "$H" holdout "$D/s/docs.jsonl" "$D/s/emb.npy" "$D/lib_ho" 1
assert "--holdout: CLI = saetm_fit (heldout.stc, heldout_doc_topics.npy, the evaluation)" same_dir "$D/cli_ho" "$D/lib_ho"
assert "--holdout wrote heldout_doc_topics.npy" test -s "$D/lib_ho/heldout_doc_topics.npy"
assert "params.json's evaluation is topics.json's" $PY -c "
import json,sys
p=json.load(open('$D/lib_ho/params.json'))['results']['evaluation']; t=json.load(open('$D/lib_ho/topics.json'))['evaluation']
sys.exit(0 if p['in_sample']==t['in_sample'] and p['held_out']==t['held_out'] else 1)"
check "cli fit, k-means merge, top-k SAE" $S fit --input "$D/s/docs.jsonl" --emb "$D/s/emb.npy" --preprocess none --k 4 \
  --steps 60 --merge kmeans-hellinger --refit --sae-arch topk --features 256 --out "$D/cli_km" -q
check "library fit, k-means merge" "$H" kmeans "$D/s/docs.jsonl" "$D/s/emb.npy" "$D/lib_km" 1
assert "k-means merge: CLI = saetm_fit" same_dir "$D/cli_km" "$D/lib_km"
# options set by name (saetm_fit_opts_set, as the Python package sets them) = the same CLI flags,
# the rules of the options given included (--space alone: k-means; --expansion: no sizing;
# --min-docs given: never lowered)
BYNAME=(--preprocess none --id-field id --min-df 2 --k 4 --steps 40 --space hellinger --expansion 4 --min-docs 3
        --arch topk --no-idf --em-accel off --rank frex:0.4 --seed 7)
check "cli fit, options by name" $S fit --input "$D/s/docs.jsonl" --emb "$D/s/emb.npy" "${BYNAME[@]}" --out "$D/cli_bn" -q
check "library fit, options by name" "$H" byname "$D/s/docs.jsonl" "$D/s/emb.npy" "$D/lib_bn" 1 "${BYNAME[@]}"
assert "options by name: CLI = saetm_fit_opts_set + saetm_fit" same_dir "$D/cli_bn" "$D/lib_bn"
assert "options by name: the k-means merge of --space alone" grep -qE '"method":[[:space:]]*"kmeans"' "$D/lib_bn/params.json"
assert "options by name differ from fit's defaults" bash -c "! cmp -s '$D/lib_plain/topics.json' '$D/lib_bn/topics.json'"
expect_fail "library fit: a bad option by name is refused, named" 2 "\-\-sae-k: expected an integer" \
  "$H" byname "$D/s/docs.jsonl" "$D/s/emb.npy" "$D/lib_bad" 1 --sae-k many
assert "the variants differ (the comparison can fail)" bash -c "! cmp -s '$D/lib_plain/topics.json' '$D/lib_km/topics.json'"
expect_fail "library fit: missing embeddings refused, naming the file" 1 "nope.npy" \
  "$H" plain "$D/s/docs.jsonl" "$D/nope.npy" "$D/lib_bad" 1
# the CLI reads a model's params.json through the library: a broken one is refused by file and field
cp -r "$D/cli_plain" "$D/broken"
$PY -c "
import json; p=json.load(open('$D/broken/params.json')); p['topics']['k']='four'
open('$D/broken/params.json','w').write(json.dumps(p))"
expect_fail "topics --model: params.json's topics.k not a number" 1 "params.json: field \"topics.k\": expected a number" \
  $S topics --model "$D/broken" --k 3 -q
expect_fail "sweep --model: the same" 1 "topics.k" $S sweep --model "$D/broken" --k 2:3 -q
expect_fail "transform --model: the same" 1 "topics.k" $S transform --model "$D/broken" --emb "$D/s/emb.npy" --out "$D/t.npy" -q
report
