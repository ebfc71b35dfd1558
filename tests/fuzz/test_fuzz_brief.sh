#!/bin/bash
# Brief AFL++ run of every harness (FUZZ_BRIEF_SECONDS each, default 3; two at a time): catches regressions that
# the checked-in inputs do not. afl++ is a test dependency (scripts/install-deps.sh): its absence
# is a failure, not a skip. Cost: the instrumented build from scratch (two compile jobs, only the
# modules the harnesses reach, the shared driver objects compiled once) about 49 CPU seconds, so
# about 25 s on 2 quiet cores; the runs 11 x 3 s two at a time, about 20-25 s (docs/fuzzing.md).
source "$ROOT/tests/lib.sh"
cd "$ROOT"
if ! command -v afl-fuzz >/dev/null || ! command -v afl-clang-fast >/dev/null; then
  echo "FAIL: afl++ is not installed (run scripts/install-deps.sh)" >&2
  FAIL=$((FAIL + 1)); report; exit 1
fi
check "build the AFL++ harnesses (make fuzz-build)" make -s -j2 fuzz-build
secs=${FUZZ_BRIEF_SECONDS:-3}
FUZZ_OUT="$T/out" FUZZ_SECONDS=$secs FUZZ_JOBS=${FUZZ_BRIEF_JOBS:-2} bash fuzz/run.sh >"$T/run.out" 2>&1; rc=$?
cat "$T/run.out"
assert "no harness crashed or failed to start in ${secs}s runs (fuzz/run.sh exit $rc)" test $rc -eq 0
if [ $rc -ne 0 ]; then
  # CI keeps only this test's stderr: show the table and every crashing input (base64, first 2 KiB),
  # so that a crash found on another machine can be replayed here (fuzz/crashes/NAME/).
  cat "$T/run.out" >&2
  for f in "$T"/out/*/default/crashes/id:*; do
    [ -f "$f" ] || continue
    echo "crashing input $f ($(stat -c %s "$f") bytes), base64:" >&2
    head -c 2048 "$f" | base64 -w 0 >&2; echo >&2
  done
fi
# Every harness actually ran: its stats line shows a non-zero execution count.
for src in fuzz/fuzz_*.c; do
  n=${src#fuzz/fuzz_}; n=${n%.c}
  ex=$(awk -v n="$n" '$1==n {print $3}' "$T/run.out")
  assert "harness $n executed inputs (got '${ex}')" test "${ex:-0}" -gt 0
done
report
