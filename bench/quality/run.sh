#!/bin/bash
# run.sh - the topic quality benchmark (docs/quality.md): assemble the corpora, split each by line
# (held-out protocol: every method fitted on the training part only), run every method at every K,
# score all with `saetm eval` on the held-out part (and in-sample on the training part), print one
# table per corpus.
#   bash bench/quality/run.sh [--quick] [--split test|validation|none] [extra quality.py options]
# --quick: SOTU only, K=20, one seed. --split: test (default: train on lines i % 5 != 0, score on
# i % 5 == 0), validation (for tuning: train on i % 5 in {2,3,4}, score on i % 5 == 1), none (the
# in-sample bench of before: fit and score on every document, in build/bench-quality/).
# Outputs in build/bench-quality-heldout/ (results-SPLIT.json, results-SPLIT.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
export SAETM="${SAETM:-$(pwd)/build/saetm}"
PY=/usr/bin/python3
DATA=build/bench-data
# saetm: `saetm fit` with its defaults, one SAE per seed, every K merged from it with fit's topic
# defaults (`saetm topics --model DIR --fit-defaults`), and the published merge (k-means in word
# space, no refit) merged from the same fits as saetm-plain (docs/quality.md). The SAE options are
# fit's corpus-sized defaults for corpora of 6,000-8,000 documents (4,096 features, batch 1024,
# 40 epochs = the same number of steps), given explicitly so that fits made before are reused
# (--reuse-fits compares the fit commands); change them here when fit's SAE defaults change.
fitargs=(--saetm-fit-args "--features 4096 --batch 1024 --epochs 40")
# Rows beside the default, merged from the same fits: saetm-diverse (the default's topics, words
# ranked for diversity >= 0.8 instead of by probability), saetm-s4 (session 4's default: EM refit,
# pruning scored in-sample with the redundancy term, diversity ranking) and saetm-plain (the
# published method).
plain=(--saetm-topics-variant "saetm-plain=--merge kmeans-words --no-refit --min-doc-freq 1 --rank prob"
       --saetm-topics-variant "saetm-diverse=--rank diverse"
       --saetm-topics-variant "saetm-s4=--words em --crossfit off --prune-redundancy 0.5 --rank diverse")
args=(--corpora sotu,debian,kjv,email --k 20,10,50,100 --seeds 3 "${fitargs[@]}" "${plain[@]}")
if [ "${1:-}" = "--quick" ]; then shift; args=(--corpora sotu --k 20 --seeds 1 "${fitargs[@]}" "${plain[@]}"); fi
last() {  # the value of the last option $1 among the arguments that follow (the last one wins)
  local opt=$1; shift; printf '%s\n' "$@" | awk -v o="$opt" '$0 == o {getline; c=$0} END{print c}'
}
corpora=$(last --corpora "${args[@]}" "$@" | tr ',' ' ')
split=$(last --split "${args[@]}" "$@"); split=${split:-test}
if [ "$split" = none ]; then WORK=build/bench-quality; out=results; else WORK=build/bench-quality-heldout; out=results-$split; fi
WORK=${BENCH_QUALITY_WORK:-$WORK}
mkdir -p "$DATA" "$WORK"
$PY bench/quality/corpora.py "$DATA" $corpora
$PY bench/quality/quality.py --data "$DATA" --work "$WORK" "${args[@]}" "$@" \
  --json "$WORK/$out.json" --markdown "$WORK/$out.md"
