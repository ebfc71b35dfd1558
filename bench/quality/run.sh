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
# saetm: `saetm fit` with its defaults, one SAE per seed (re-merged per K), and the published merge
# (k-means in word space, no refit) re-merged from the same fits as saetm-plain (docs/quality.md)
plain=(--saetm-topics-variant "saetm-plain=--merge kmeans-words --no-refit --min-doc-freq 1")
args=(--corpora sotu,debian,kjv --k 20,10,50,100 --seeds 3 "${plain[@]}")
if [ "${1:-}" = "--quick" ]; then shift; args=(--corpora sotu --k 20 --seeds 1 "${plain[@]}"); fi
corpora=$(printf '%s\n' "${args[@]}" "$@" | awk '/^--corpora$/{getline; c=$0} END{print c}' | tr ',' ' ')  # the last --corpora wins
$PY bench/quality/corpora.py "$DATA" $corpora
$PY bench/quality/quality.py --data "$DATA" --work "$WORK" "${args[@]}" "$@" \
  --json "$WORK/results.json" --markdown "$WORK/results.md"
