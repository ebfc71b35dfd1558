#!/bin/bash
# bench_eval.sh - `saetm eval` against gensim's CoherenceModel (c_npmi and c_v, windows as long as
# the longest document, i.e. the same document co-occurrence), on one corpus and one set of topics.
# Corpus: SOTU paragraphs from shared/data if present, else the addresses fetched by
# scripts/fetch-sotu.sh into build/data. Prints both times and the ratio, and checks the scores agree.
set -euo pipefail
cd "$(dirname "$0")/.."
SAETM="${SAETM:-$(pwd)/build/saetm}"
W=build/bench-eval
mkdir -p "$W"
src=""
for f in ../shared/data/sotu_paragraphs.jsonl /work/shared/data/sotu_paragraphs.jsonl build/data/sotu_paragraphs.jsonl; do
  [ -f "$f" ] && { src="$f"; break; }
done
if [ -z "$src" ]; then echo "bench_eval: no SOTU paragraphs (run scripts/fetch-sotu.sh build/data)"; exit 1; fi
[ -f "$W/corpus.stc" ] || "$SAETM" corpus --input "$src" --out "$W/corpus.stc" -q
/usr/bin/python3 bench/eval/eval_vs_gensim.py "$SAETM" "$W/corpus.stc" "$W"
