#!/bin/bash
# Run every benchmark: C benchmarks (build/release/bench/bench_*) and scripts bench/bench_*.sh.
# Each prints its own table, with ratios against a peer run in the same process or script.
set -u
cd "$(dirname "$0")/.."
export SAETM="$(pwd)/build/saetm" PY=/usr/bin/python3
status=0
for b in $(ls build/release/bench/bench_* 2>/dev/null); do echo "== $b"; "$b" || status=1; done
for s in $(ls bench/bench_*.sh 2>/dev/null); do echo "== $s"; bash "$s" || status=1; done
exit $status
