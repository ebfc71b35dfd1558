#!/bin/bash
# fuzz/run.sh - run each AFL++ harness (build/fuzz/bin/fuzz_NAME, built by `make fuzz-build`)
# for FUZZ_SECONDS seconds from its seeds in fuzz/seeds/NAME, then print executions, paths and
# crashes per harness. Crashing inputs are copied to build/fuzz/found/NAME/; turn each into a
# regression input in fuzz/crashes/NAME/ (replayed by `make test`) once the bug is fixed.
# Arguments: harness names (default: all). FUZZ_JOBS=N runs N harnesses at once (default 1).
# Exit status 1 if any harness crashed or failed to start.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do n=${f#fuzz/fuzz_}; names+=("${n%.c}"); done
fi
if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz/run.sh: afl-fuzz not found (Debian package afl++; scripts/install-deps.sh installs it)" >&2
  exit 2
fi
# The sandbox and CI have no CPU governor control, cores shared with others, and may pipe core
# dumps elsewhere: tell AFL++ not to insist.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_QUIET=1 AFL_NO_CRASH_README=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
# Temporary files of the harnesses (corpus builds) on tmpfs when there is one: fsync is free there.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
out_root=${FUZZ_OUT:-build/fuzz/out}
status=0
jobs=${FUZZ_JOBS:-1}
mkdir -p "$out_root"

# Fuzz one harness; writes its table line to $out_root/NAME.line, returns 1 on a crash.
fuzz_one() {
  local n=$1 bin=build/fuzz/bin/fuzz_$1 out=$out_root/$1
  if [ ! -x "$bin" ]; then echo "fuzz/run.sh: $bin missing (make fuzz-build)" >&2; return 1; fi
  if [ ! -d fuzz/seeds/$n ]; then echo "fuzz/run.sh: no seeds in fuzz/seeds/$n" >&2; return 1; fi
  rm -rf "$out"; mkdir -p "$out"
  # -t: per-input time limit (ms); generous because the machine is shared.
  timeout $((secs + 120)) afl-fuzz -V "$secs" -t 2000 -m none -i fuzz/seeds/$n -o "$out" -- "$bin" \
    >"$out/afl.log" 2>&1
  local rc=$? st=$out/default/fuzzer_stats
  if [ ! -f "$st" ]; then
    { echo "fuzz/run.sh: afl-fuzz did not start for $n (exit $rc); log:"; tail -20 "$out/afl.log"; } >&2
    return 1
  fi
  get() { awk -F' *: *' -v k="$1" '$1==k {print $2}' "$st"; }
  local crashes hangs
  crashes=$(get saved_crashes); hangs=$(get saved_hangs)
  printf '%-12s %8s %12s %10s %7s %7s %6s\n' "$n" "$(get run_time)" "$(get execs_done)" \
    "$(get execs_per_sec)" "$(get corpus_count)" "${crashes:-?}" "${hangs:-?}" >"$out_root/$n.line"
  if [ "${crashes:-0}" != 0 ]; then
    mkdir -p build/fuzz/found/$n
    cp "$out"/default/crashes/id:* build/fuzz/found/$n/ 2>/dev/null
    echo "  crashing inputs copied to build/fuzz/found/$n/ (replay: build/test/fuzz/fuzz_$n FILE)" \
      >>"$out_root/$n.line"
    return 1
  fi
  return 0
}

pids=()
for n in "${names[@]}"; do
  rm -f "$out_root/$n.line"
  fuzz_one "$n" & pids+=($!)
  # At most $jobs harnesses at a time.
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
printf '%-12s %8s %12s %10s %7s %7s %6s\n' harness seconds executions execs/s corpus crashes hangs
for n in "${names[@]}"; do cat "$out_root/$n.line" 2>/dev/null || echo "$n: no result"; done
exit $status
