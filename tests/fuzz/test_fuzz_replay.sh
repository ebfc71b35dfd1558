#!/bin/bash
# Replay every seed (fuzz/seeds/NAME) and every past crash (fuzz/crashes/NAME) through each
# harness built with gcc ASan+UBSan and LeakSanitizer: none may crash, trip a sanitizer or leak.
source "$ROOT/tests/lib.sh"
cd "$ROOT"
for src in fuzz/fuzz_*.c; do
  n=${src#fuzz/fuzz_}; n=${n%.c}
  bin=build/test/fuzz/fuzz_$n
  assert "harness $n built" test -x "$bin"
  assert "harness $n has seeds" test -n "$(ls fuzz/seeds/$n 2>/dev/null)"
  dirs=(fuzz/seeds/$n); [ -d fuzz/crashes/$n ] && dirs+=(fuzz/crashes/$n)
  check "replay $n: ${dirs[*]}" "$bin" "${dirs[@]}"
done
report
