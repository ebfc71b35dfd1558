#!/bin/bash
# bench_mpi_embed.sh - embedding throughput across processes (docs/distributed.md, "Embedding"):
# `mpirun -np 1` vs `mpirun -np 2 saetm embed`, one thread per process, side by side (alternated,
# best of BENCH_REPS runs each, so both see the same load), on paragraphs of about 120 words. Both
# runs go through mpirun, so both pay its start-up; the plain one-process run is shown too. Checks
# that the two outputs have the same bytes.
#
# Environment: BENCH_DOCS (documents, 1200), BENCH_REPS (2), SAETM (binary, build/saetm).
set -u
cd "$(dirname "$0")/.."
S=${SAETM:-$(pwd)/build/saetm}
PY=${PY:-/usr/bin/python3}
N=${BENCH_DOCS:-1200} REPS=${BENCH_REPS:-2}
if ! command -v mpirun >/dev/null; then echo "bench_mpi_embed: mpirun not found (scripts/install-deps.sh)" >&2; exit 1; fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
W=$(mktemp -d /tmp/saetm-bench-mpi-embed.XXXXXX)
trap 'rm -rf "$W"' EXIT
$PY - "$W/docs.jsonl" "$N" <<'PY'
import json, random, sys
random.seed(0)
# Zipf-like draws from a few hundred English words: the length profile of a real paragraph.
base = ('the of and to in a is that for it as was with be by on not he this are or his from at which but have '
        'an they you were her she there been one all we their has would when if so no will more can its who '
        'government market river school energy vote study policy health water system city court price war '
        'family program report people economy history music church science company trade nation growth law').split()
words = base + [w + s for w in base[40:] for s in ('s', 'ing', 'ed')]
weights = [1.0 / (i + 1) for i in range(len(words))]
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        n = random.randint(100, 140)
        f.write(json.dumps({'text': ' '.join(random.choices(words, weights, k=n)) + '.'}) + '\n')
PY
now() { date +%s.%N; }
# secs CMD...: wall seconds; the CPU seconds of the command and its processes go to $W/.cpu
secs() { local t0; t0=$(now); /usr/bin/time -f "%U %S" -o "$W/.time" "$@" >"$W/.out" 2>"$W/.err" ||
  { echo "bench_mpi_embed: failed: $*" >&2; tail -5 "$W/.err" >&2; exit 1; }
  awk '{ printf "%.2f", $1 + $2 }' "$W/.time" > "$W/.cpu"
  awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores), $N documents of 100-140 words"
b0="" b1="" b2="" c0="" c1="" c2=""
for r in $(seq "$REPS"); do
  b0=$(min "$(secs "$S" embed --input "$W/docs.jsonl" --out "$W/e0.npy" --threads 1 -q)" "$b0"); c0=$(min "$(cat "$W/.cpu")" "$c0")
  b1=$(min "$(secs mpirun -np 1 --bind-to none "$S" embed --input "$W/docs.jsonl" --out "$W/e1.npy" --threads 1 -q)" "$b1"); c1=$(min "$(cat "$W/.cpu")" "$c1")
  b2=$(min "$(secs mpirun -np 2 --oversubscribe --bind-to none "$S" embed --input "$W/docs.jsonl" --out "$W/e2.npy" --threads 1 -q)" "$b2"); c2=$(min "$(cat "$W/.cpu")" "$c2")
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
same=no; cmp -s "$W/e1.npy" "$W/e2.npy" && cmp -s "$W/e0.npy" "$W/e1.npy" && same=yes
awk -v n="$N" -v a="$b0" -v b="$b1" -v c="$b2" -v ca="$c0" -v cb="$c1" -v cc="$c2" -v same="$same" 'BEGIN {
  printf "| embed, 1 thread per process | wall (best of runs) | docs/s | CPU s, all processes (least) |\n|---|---|---|---|\n"
  printf "| 1 process (no mpirun)  | %.2f s | %.1f | %.2f |\n", a, n / a, ca
  printf "| mpirun -np 1           | %.2f s | %.1f | %.2f |\n", b, n / b, cb
  printf "| mpirun -np 2           | %.2f s | %.1f | %.2f |\n", c, n / c, cc
  printf "speed-up np 2 vs np 1: %.2fx wall (goal >= 1.8); CPU np 2 / np 1: %.2f (1 = the work is divided without overhead); same bytes: %s\n", b / c, cc / cb, same }'
[ "$same" = yes ]
