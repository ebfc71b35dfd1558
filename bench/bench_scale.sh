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
# Environment: SCALE_N (documents; SCALE_N=100000 for a run of a few minutes), SCALE_D (dimension),
# SCALE_F (SAE features), SCALE_STEPS (training steps: a fraction of an epoch at N = 10^6 on a small
# machine), SCALE_EM_ITER (EM iterations of interpret, bounded so that the bench measures memory
# in reasonable time; 0 = run to convergence), SCALE_STAGES (which of corpus train encode interpret
# topics refuse to run; a stage reuses the files of the stages before it), SCALE_DIR (work dir).
#
# topics runs with saetm fit's topic defaults (co-activation merging of the features in >= 20
# documents, then the EM refit over the corpus, run to convergence), K = 50.
set -u
cd "$(dirname "$0")/.."
B=${SAETM:-$(pwd)/build/saetm}
PY=${PY:-/usr/bin/python3}
N=${SCALE_N:-1000000} D=${SCALE_D:-512} F=${SCALE_F:-2048} STEPS=${SCALE_STEPS:-60}
EM=${SCALE_EM_ITER:-5} STAGES=${SCALE_STAGES:-corpus train encode interpret topics refuse}
W=${SCALE_DIR:-build/bench-scale}
want() { [[ " $STAGES " == *" $1 "* ]]; }
EMOPT=(--em-max-iter "$EM")
[ "$EM" = 0 ] && EMOPT=()
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

# measure NAME CMD...: run CMD, record wall time, CPU time (user + system, all threads: the figure
# that does not depend on how loaded the machine is), peak RSS (kernel's VmHWM via GNU time) and
# the peak of RssAnon sampled from /proc.
# table.txt keeps one row per stage (a rerun of some stages replaces their rows)
[ -f "$W/table.txt" ] && ! want corpus ||
  printf '%-10s %10s %8s %14s %14s %6s  %s\n' stage seconds "CPU s" "peak RSS MiB" "peak anon MiB" load status > "$W/table.txt"
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$W/$name.time" "$@" >"$W/$name.log" 2>&1 &
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
  local secs kb usr sys
  read -r secs kb usr sys < <(tail -1 "$W/$name.time")
  sed -i "/^$name /d" "$W/table.txt"
  printf '%-10s %10s %8s %14d %14d %6s  %s\n' "$name" "$secs" "$(awk -v u="$usr" -v s="$sys" 'BEGIN {printf "%.1f", u + s}')" \
    $((kb / 1024)) $((anon / 1024)) \
    "$(cut -d' ' -f2 /proc/loadavg)" \
    "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc, see $W/$name.log)")" | tee -a "$W/table.txt"
  return $rc
}

echo "N = $N documents, d = $D, F = $F features, $STEPS training steps (batch 4096)," \
  "interpret: $([ "$EM" = 0 ] && echo "EM to convergence" || echo "at most $EM EM iterations (bounded)")," \
  "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
want corpus && { measure corpus $B corpus -q --input "$W/docs_$N.jsonl" --preprocess none --min-df 5 --max-df 0.5 \
  --out "$W/corpus.stc" || status=1; }
want train && { measure train $B train -q --emb "$W/emb_$N.npy" --features "$F" --k 32 --batch 4096 --steps "$STEPS" \
  --out "$W/sae.saem" || status=1; }
want encode && { measure encode $B encode -q --sae "$W/sae.saem" --emb "$W/emb_$N.npy" --out "$W/acts.sac" || status=1; }
want interpret && { measure interpret $B interpret -q --corpus "$W/corpus.stc" --acts "$W/acts.sac" "${EMOPT[@]}" \
  --out "$W/interp.sti" || status=1; }
TOPT=(--interp "$W/interp.sti" --corpus "$W/corpus.stc" --merge coactivation --min-doc-freq 20 --refit --sharpen 4
  --refit-pi 0.7 --k 50)
want topics && { measure topics $B topics -q "${TOPT[@]}" --out "$W/topics" || status=1; }
cat "$W/table.txt"
want refuse || exit $status

# Asking for more than fits: refused before allocating, with the numbers, and no output written.
refuse() { # NAME LIMIT OUTPUT CMD...: run CMD under SAETM_MEM_LIMIT=LIMIT ('' = the machine's)
  local name=$1 limit=$2 outf=$3; shift 3
  rm -rf "$outf"
  if [ -n "$limit" ]; then SAETM_MEM_LIMIT=$limit "$@" >"$W/$name.log" 2>&1; else "$@" >"$W/$name.log" 2>&1; fi
  local rc=$?
  echo "refusal ($name, ${limit:-machine}): exit $rc: $(head -c 400 "$W/$name.log")"
  [ $rc -eq 1 ] && grep -q "needs about" "$W/$name.log" && [ ! -e "$outf" ] || { echo "  FAILED: expected exit 1, 'needs about', no $outf"; status=1; }
}
refuse refuse-train 4G "$W/too-big.saem" $B train -q --emb "$W/emb_$N.npy" --features 1000000 --k 32 --steps 1 \
  --out "$W/too-big.saem"
refuse refuse-train-machine "" "$W/too-big.saem" $B train -q --emb "$W/emb_$N.npy" --features 4000000 --k 32 \
  --steps 1 --out "$W/too-big.saem"
# interpret and topics with a cap of half the anonymous memory they used above
half() { awk -v s="$1" '$1 == s {printf "%dM", $5 / 2 + 1}' "$W/table.txt" | tail -1; }
lim=$(half interpret)
[ -n "$lim" ] && refuse refuse-interpret "$lim" "$W/too-big.sti" $B interpret -q --corpus "$W/corpus.stc" \
  --acts "$W/acts.sac" "${EMOPT[@]}" --out "$W/too-big.sti"
lim=$(half topics)
[ -n "$lim" ] && refuse refuse-topics "$lim" "$W/too-big-topics" $B topics -q "${TOPT[@]}" --out "$W/too-big-topics"
exit $status
