#!/bin/bash
# run.sh - the topic quality benchmark (docs/quality.md): assemble the corpora, run every method
# at every K, score all with `saetm eval`, print one table per corpus.
#   bash bench/quality/run.sh [--quick] [extra quality.py options]
# --quick: SOTU only, K=20, one seed. Outputs in build/bench-quality/ (results.json, results.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
export SAETM="${SAETM:-$(pwd)/build/saetm}"
PY=/usr/bin/python3
DATA=build/bench-data
WORK=build/bench-quality
mkdir -p "$DATA" "$WORK"
# saetm: `saetm fit` with its defaults, one SAE per seed, every K merged from it with fit's topic
# defaults (`saetm topics --model DIR --fit-defaults`), and the published merge (k-means in word
# space, no refit) merged from the same fits as saetm-plain (docs/quality.md). The SAE options are
# fit's corpus-sized defaults for these corpora (6,000-8,000 documents: 4,096 features, batch 1024,
# 40 epochs = the same number of steps), given explicitly so that fits made before are reused
# (--reuse-fits compares the fit commands); change them here when fit's SAE defaults change.
fitargs=(--saetm-fit-args "--features 4096 --batch 1024 --epochs 40")
# Rows beside the default, merged from the same fits: saetm-prob (the default's topics, words
# ranked by probability instead of for diversity), saetm-s3 (session 3's default: no coherence
# pruning, probability ranking) and saetm-plain (the published method).
plain=(--saetm-topics-variant "saetm-plain=--merge kmeans-words --no-refit --min-doc-freq 1 --rank prob"
       --saetm-topics-variant "saetm-prob=--rank prob"
       --saetm-topics-variant "saetm-s3=--candidates 1 --rank prob")
args=(--corpora sotu,debian,kjv --k 20,10,50,100 --seeds 3 "${fitargs[@]}" "${plain[@]}")
if [ "${1:-}" = "--quick" ]; then shift; args=(--corpora sotu --k 20 --seeds 1 "${fitargs[@]}" "${plain[@]}"); fi
corpora=$(printf '%s\n' "${args[@]}" "$@" | awk '/^--corpora$/{getline; c=$0} END{print c}' | tr ',' ' ')  # the last --corpora wins
$PY bench/quality/corpora.py "$DATA" $corpora
$PY bench/quality/quality.py --data "$DATA" --work "$WORK" "${args[@]}" "$@" \
  --json "$WORK/results.json" --markdown "$WORK/results.md"
