#!/bin/bash
# bench_scale.sh - memory at scale: N synthetic documents (default 1,000,000) with d = 512
# embeddings; peak resident memory of each stage (saetm corpus, train, encode, and interpret /
# topics where the build has them), and the memory refusal: a request that cannot fit is stopped
# up front with a clear message, not by a crash or the OOM killer.
#
# Inputs are generated in chunks (numpy memmap): the generator never holds the whole matrix.
# saetm memory-maps the .npy, so "peak RSS" includes the pages of the embeddings it touched
# (file-backed, reclaimable); RssAnon (sampled every 0.2 s) is the memory it allocated itself.
#
# Environment: SCALE_N (documents), SCALE_D (dimension), SCALE_F (SAE features), SCALE_STEPS
# (training steps: a fraction of an epoch at N = 10^6 on a small machine), SCALE_DIR (work dir).
set -u
cd "$(dirname "$0")/.."
B=${SAETM:-$(pwd)/build/saetm}
PY=${PY:-/usr/bin/python3}
N=${SCALE_N:-1000000} D=${SCALE_D:-512} F=${SCALE_F:-2048} STEPS=${SCALE_STEPS:-60}
W=${SCALE_DIR:-build/bench-scale}
mkdir -p "$W"
has() { $B --help 2>&1 | grep -qE "^  $1 "; }

if [ ! -f "$W/emb_$N.npy" ] || [ ! -f "$W/docs_$N.jsonl" ]; then
  echo "generating $N documents, d = $D ..." >&2
  $PY - "$W" "$N" "$D" <<'PY' || exit 1
import sys, numpy as np
w, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
T, V, L, chunk = 50, 20000, 30, 50000
r = np.random.default_rng(1)
mu = r.standard_normal((T, d)).astype("f4"); mu /= np.linalg.norm(mu, axis=1, keepdims=True)
beta = r.dirichlet(np.full(V, 0.05), size=T)
cum = np.cumsum(beta, axis=1)
letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
vocab = ["".join(letters[r.integers(0, 26, 7)]) for _ in range(V)]
emb = np.lib.format.open_memmap(f"{w}/emb_{n}.npy.part", mode="w+", dtype="<f4", shape=(n, d))
with open(f"{w}/docs_{n}.jsonl.part", "w") as out:
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        z = r.integers(0, T, m)
        emb[s:s + m] = mu[z] + 0.05 * r.standard_normal((m, d)).astype("f4")
        u = r.random((m, L))
        lines = []
        for i in range(m):
            ids = np.searchsorted(cum[z[i]], u[i])
            lines.append('{"id": "%d", "text": "%s"}\n' % (s + i, " ".join(vocab[min(j, V - 1)] for j in ids)))
        out.writelines(lines)
emb.flush(); del emb
import os
os.rename(f"{w}/emb_{n}.npy.part", f"{w}/emb_{n}.npy")
os.rename(f"{w}/docs_{n}.jsonl.part", f"{w}/docs_{n}.jsonl")
PY
fi

# measure NAME CMD...: run CMD, record wall time, peak RSS (kernel's VmHWM via GNU time) and
# the peak of RssAnon sampled from /proc.
printf '%-10s %10s %14s %14s  %s\n' stage seconds "peak RSS MiB" "peak anon MiB" status > "$W/table.txt"
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/$name.time" "$@" >"$W/$name.log" 2>&1 &
  local tpid=$! anon=0
  while kill -0 $tpid 2>/dev/null; do
    local c; c=$(pgrep -P $tpid | head -1)
    if [ -n "$c" ]; then
      local a; a=$(awk '/^RssAnon/ {print $2}' /proc/$c/status 2>/dev/null)
      [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
    fi
    sleep 0.2
  done
  wait $tpid; local rc=$?
  read -r secs kb < <(tail -1 "$W/$name.time")
  printf '%-10s %10s %14d %14d  %s\n' "$name" "$secs" $((kb / 1024)) $((anon / 1024)) \
    "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc, see $W/$name.log)")" | tee -a "$W/table.txt"
  return $rc
}

echo "N = $N documents, d = $D, F = $F features, $STEPS training steps (batch 4096), $(nproc) cores"
status=0
measure corpus $B corpus -q --input "$W/docs_$N.jsonl" --preprocess none --min-df 5 --max-df 0.5 \
  --out "$W/corpus.stc" || status=1
measure train $B train -q --emb "$W/emb_$N.npy" --features "$F" --k 32 --batch 4096 --steps "$STEPS" \
  --out "$W/sae.saem" || status=1
measure encode $B encode -q --sae "$W/sae.saem" --emb "$W/emb_$N.npy" --out "$W/acts.sac" || status=1
if has interpret; then
  measure interpret $B interpret -q --corpus "$W/corpus.stc" --acts "$W/acts.sac" --em-max-iter 5 \
    --out "$W/interp.sti" || status=1
else echo "interpret: not in this build"; fi
if has topics; then
  measure topics $B topics -q --interp "$W/interp.sti" --k 50 --out "$W/topics" || status=1
else echo "topics: not in this build"; fi

# Asking for more than fits: refused before allocating, with the numbers.
SAETM_MEM_LIMIT=4G $B train -q --emb "$W/emb_$N.npy" --features 1000000 --k 32 --steps 1 \
  --out "$W/too-big.saem" >"$W/refuse.log" 2>&1; rc=$?
echo "refusal (SAETM_MEM_LIMIT=4G, 10^6 features): exit $rc: $(head -c 300 "$W/refuse.log")"
[ $rc -eq 1 ] && grep -q "needs about" "$W/refuse.log" && [ ! -e "$W/too-big.saem" ] || status=1
$B train -q --emb "$W/emb_$N.npy" --features 4000000 --k 32 --steps 1 --out "$W/too-big.saem" \
  >"$W/refuse2.log" 2>&1; rc=$?
echo "refusal (machine, 4*10^6 features): exit $rc: $(head -c 300 "$W/refuse2.log")"
[ $rc -eq 1 ] && grep -q "needs about" "$W/refuse2.log" || status=1
exit $status
