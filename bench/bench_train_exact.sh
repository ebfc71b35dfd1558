#!/bin/bash
# bench_train_exact.sh - the cost of byte-exact training across process counts
# (docs/distributed.md, "Same bytes at any process count"): `saetm train` of this tree (exact
# gradient and loss sums) against a build with the float sums and float allreduce (BASE, e.g.
# main before the change), side by side at 1 process and under mpirun -np 2, one thread per
# process. Runs alternate (base, new) REPS times; the table shows the least CPU seconds of all
# processes and the least wall seconds of each, and the ratios new / base. Also checks that the
# new build gives the same bytes at np 1 and np 2 (and reports whether the base does).
#
# Usage: BASE=/path/to/old/saetm bash bench/bench_train_exact.sh
# Environment: TX_N (rows, 16384), TX_D (dimension, 256), TX_F (features, 8192), TX_K (32),
# TX_B (batch, 4096), TX_STEPS (20), TX_ARCH (batchtopk), REPS (3), TX_DIR (work directory).
set -u
cd "$(dirname "$0")/.."
S=${SAETM:-$(pwd)/build/saetm}
BASE=${BASE:?set BASE to a saetm binary with the float gradient sums}
N=${TX_N:-16384} D=${TX_D:-256} F=${TX_F:-8192} K=${TX_K:-32} B=${TX_B:-4096} STEPS=${TX_STEPS:-20}
ARCH=${TX_ARCH:-batchtopk} REPS=${REPS:-3}
W=${TX_DIR:-build/bench-train-exact}
if ! command -v mpirun >/dev/null; then echo "bench_train_exact: mpirun not found" >&2; exit 1; fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
mkdir -p "$W"
X="$W/emb-$N-$D.npy"
if [ ! -f "$X" ]; then
  $S synth --out "$W/syn-$N-$D" --docs "$N" --topics 30 --vocab 3000 --dim "$D" --doc-len 40 -q || exit 1
  mv "$W/syn-$N-$D/emb.npy" "$X"
fi
now() { date +%s.%N; }
# secs CMD...: wall seconds on stdout; user + system seconds of the command and its processes
# into $W/.cpu
secs() {
  local t0; t0=$(now)
  /usr/bin/time -f "%U %S" -o "$W/.time" "$@" >"$W/.out" 2>"$W/.err" ||
    { echo "bench_train_exact: failed: $*" >&2; tail -5 "$W/.err" >&2; return 1; }
  awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }'
  awk '{ printf "%.3f", $1 + $2 }' "$W/.time" > "$W/.cpu"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
TA="--emb $X --features $F --k $K --batch $B --steps $STEPS --arch $ARCH --threads 1 -q"
MPI2="mpirun -np 2 --oversubscribe --bind-to none"
echo "train: N $N, d $D, F $F, k $K, B $B, $STEPS steps, $ARCH, 1 thread per process, best of $REPS"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
declare -A wall cpu
for i in $(seq "$REPS"); do
  for v in base new; do
    bin=$S; [ $v = base ] && bin=$BASE
    t=$(secs "$bin" train $TA --out "$W/$v-1.saem") || exit 1; wall[$v,1]=$(min "$t" "${wall[$v,1]:-}")
    cpu[$v,1]=$(min "$(cat "$W/.cpu")" "${cpu[$v,1]:-}")
    t=$(secs $MPI2 "$bin" train $TA --out "$W/$v-2.saem") || exit 1; wall[$v,2]=$(min "$t" "${wall[$v,2]:-}")
    cpu[$v,2]=$(min "$(cat "$W/.cpu")" "${cpu[$v,2]:-}")
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-12s | %14s | %14s | %9s | %14s | %14s | %9s |\n' run "base CPU s" "exact CPU s" "CPU ratio" "base wall s" "exact wall s" "wall ratio"
printf '|---|---|---|---|---|---|---|\n'
for np in 1 2; do
  awk -v n="np $np" -v a="${cpu[base,$np]}" -v b="${cpu[new,$np]}" -v c="${wall[base,$np]}" -v d="${wall[new,$np]}" \
    'BEGIN { printf "| %-12s | %14.2f | %14.2f | %9.3f | %14.2f | %14.2f | %9.3f |\n", n, a, b, b / a, c, d, d / c }'
done
same() { cmp -s "$1" "$2" && echo "same bytes" || echo "differ"; }
echo "exact build, np 1 vs np 2: $(same "$W/new-1.saem" "$W/new-2.saem"); base build: $(same "$W/base-1.saem" "$W/base-2.saem")"
# Communication per step (rank 0's log line; without -q).
for v in base new; do
  bin=$S; [ $v = base ] && bin=$BASE
  $MPI2 "$bin" train ${TA% -q} --out "$W/$v-2c.saem" 2>&1 | grep -o "communication: .*" | sed "s/^/$v: /"
done
