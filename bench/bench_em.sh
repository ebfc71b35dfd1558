#!/bin/bash
# bench_em.sh - the interpretation EM side by side, on the same machine and in the same run:
# SQUAREM (saetm's default), plain EM with the same stopping rule, plain EM with the rule of before
# (relative NLL change <= 1e-6 alone) and the numpy EM reference (bench/interpret_em_ref.py, plain
# EM, the rule of before; it reproduces saetm's plain-EM NLL at every iteration to ~1e-9). For each:
# iterations and seconds to reach the NLL at which plain EM used to stop ("target"), and where it
# stops itself. Then `saetm interpret` wall time over `saetm encode` wall time on the same rows.
#
# Problems: (A) `saetm synth` planted corpus, EM_N documents (default 20000), 50 topics, V 10,000,
# an SAE of EM_F = 4096 features (300 steps); (B) bench_scale.sh's problem at EM_SCALE_N documents
# (default 50000; d = 512, F = 2048). Environment: EM_DIR (work dir, default build/bench-em),
# EM_REF=0 skips the numpy reference (memory ~100 bytes per (document, word, feature) triple); a
# finished reference run (DIR/numpy.txt) is reused, and EM_REF=reuse only reuses one. EM_QUICK=1
# skips plain EM with the new rule on problem B (the slowest run).
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
B=${SAETM:-$ROOT/build/saetm}
PY=${PY:-/usr/bin/python3}
N=${EM_N:-20000} F=${EM_F:-4096} SN=${EM_SCALE_N:-50000} W=${EM_DIR:-build/bench-em} REF=${EM_REF:-1}
make -s build/saetm build/release/bench/em_trace >/dev/null || exit 1
T=$ROOT/build/release/bench/em_trace
mkdir -p "$W"
echo "bench_em: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start"

# Problem A
A=$W/planted_$N
if [ ! -f "$A/acts.sac" ]; then
  $B synth -q --docs "$N" --topics 50 --vocab 10000 --dim 64 --out "$A" &&
    $B corpus -q --input "$A/docs.jsonl" --preprocess none --min-df 2 --out "$A/corpus.stc" &&
    $B train -q --emb "$A/emb.npy" --features "$F" --steps 300 --out "$A/sae.saem" &&
    $B encode -q --sae "$A/sae.saem" --emb "$A/emb.npy" --out "$A/acts.sac" || exit 1
fi
# Problem B (bench_scale.sh writes corpus.stc, sae.saem, acts.sac, emb_N.npy into its directory)
S=$W/scale_$SN
if [ ! -f "$S/acts.sac" ]; then
  SCALE_N=$SN SCALE_STAGES="corpus train encode" SCALE_DIR=$S bash bench/bench_scale.sh >/dev/null || exit 1
fi

run_problem() { # NAME DIR EMB
  local name=$1 d=$2 emb=$3
  echo "== $name; load $(cut -d' ' -f1-3 /proc/loadavg)"
  $T --corpus "$d/corpus.stc" --acts "$d/acts.sac" > "$d/squarem.txt" || return 1
  rm -f "$d/plain.txt"
  if [ "$2" = "$A" ] || [ "${EM_QUICK:-0}" = 0 ]; then
    $T --corpus "$d/corpus.stc" --acts "$d/acts.sac" --accel off > "$d/plain.txt" || return 1
  fi
  $T --corpus "$d/corpus.stc" --acts "$d/acts.sac" --accel off --top 0 > "$d/plain_tol.txt" || return 1
  local ref=""
  if [ "$REF" != 0 ] && grep -q '^done' "$d/numpy.txt" 2>/dev/null; then
    ref="$d/numpy.txt" # a finished reference run of this problem (it does not depend on saetm's code)
  elif [ "$REF" = 1 ]; then
    mkdir -p "$d/dump" && $T --corpus "$d/corpus.stc" --acts "$d/acts.sac" --dump "$d/dump" &&
      $PY bench/interpret_em_ref.py "$d/dump" > "$d/numpy.txt" && ref="$d/numpy.txt"
  fi
  $PY - "$d/plain_tol.txt" "$d/squarem.txt" "$d/plain.txt" $ref <<'PY'
import os, sys
def read(p):  # (wall s, iteration, NLL, CPU s or None)
    return [(float(f[1]), int(f[2]), float(f[3]), float(f[4]) if len(f) > 4 else None)
            for f in (line.split() for line in open(p)) if f and f[0] == "trace"]
runs = [("plain EM, tol alone (before)", sys.argv[1]), ("SQUAREM + top words (default)", sys.argv[2]),
        ("plain EM + top words", sys.argv[3])] + ([("numpy EM reference (tol alone)", sys.argv[4])] if len(sys.argv) > 4 else [])
runs = [r for r in runs if os.path.exists(r[1])]
target = read(sys.argv[1])[-1][2]
print(f"target NLL {target:.8f} (where plain EM with tol 1e-6 alone stops). Seconds from the call (saetm: its")
print("set-up included; numpy: after building its triples); CPU-s of all threads")
print(f"{'run':31s} {'its to target':>13s} {'s':>8s} {'CPU-s':>8s} {'its at stop':>11s} {'s':>8s} {'CPU-s':>8s} {'NLL at stop':>11s}")
fmt = lambda x: f"{x:8.2f}" if x is not None else f"{'-':>8s}"
for name, p in runs:
    tr = read(p)
    z = tr[0] if "numpy" in name else (0.0, 0, 0.0, 0.0)  # numpy: the set-up is not counted
    sub = lambda x: (x[0] - z[0], None if x[3] is None or z[3] is None else x[3] - z[3])
    hit = next((x for x in tr if x[2] <= target * (1 + 1e-9)), None)
    h = f"{hit[1]:13d} {fmt(sub(hit)[0])} {fmt(sub(hit)[1])}" if hit else f"{'-':>13s} {'-':>8s} {'-':>8s}"
    e = tr[-1]
    print(f"{name:31s} {h} {e[1]:11d} {fmt(sub(e)[0])} {fmt(sub(e)[1])} {e[2]:11.8f}")
PY
  # the CLI stages side by side: interpret (defaults) and encode over the same rows
  local enc int
  enc=$( { /usr/bin/time -f "%e %U %S" $B encode -q --sae "$d/sae.saem" --emb "$emb" --out "$d/acts_again.sac"; } 2>&1 | tail -1)
  int=$( { /usr/bin/time -f "%e %U %S" $B interpret -q --corpus "$d/corpus.stc" --acts "$d/acts.sac" --out "$d/interp.sti"; } 2>&1 | tail -1)
  $PY - "$enc" "$int" <<'PY'
import sys
e, i = (list(map(float, a.split())) for a in sys.argv[1:3])
print(f"saetm encode {e[0]:.2f} s wall ({e[1] + e[2]:.1f} CPU-s); saetm interpret {i[0]:.2f} s wall "
      f"({i[1] + i[2]:.1f} CPU-s, {(i[1] + i[2]) / i[0]:.2f} cores busy); interpret / encode = {i[0] / e[0]:.1f}x wall, "
      f"{(i[1] + i[2]) / (e[1] + e[2]):.1f}x CPU")
PY
  echo "load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
}
status=0
run_problem "planted (saetm synth), N = $N, F = $F" "$A" "$A/emb.npy" || status=1
run_problem "bench_scale.sh's problem, N = $SN, F = 2048" "$S" "$S/emb_$SN.npy" || status=1
exit $status
