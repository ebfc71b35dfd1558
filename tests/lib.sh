# tests/lib.sh - helpers for shell CLI tests: `source tests/lib.sh`, call check/expect_fail,
# finish with `report`. $SAETM is the binary under test, $TEST_TMPDIR a scratch directory.
PASS=0; FAIL=0
T="${TEST_TMPDIR:-$(mktemp -d)}"
check() { # check DESCRIPTION COMMAND...: the command must succeed
  local d="$1"; shift
  if "$@" >"$T/.out" 2>"$T/.err"; then PASS=$((PASS+1)); else FAIL=$((FAIL+1)); echo "FAIL: $d" >&2; cat "$T/.err" >&2; fi
}
expect_fail() { # expect_fail DESCRIPTION CODE PATTERN COMMAND...: exit code CODE, stderr matching PATTERN
  local d="$1" code="$2" pat="$3"; shift 3
  "$@" >"$T/.out" 2>"$T/.err"; local rc=$?
  if [ $rc -eq "$code" ] && grep -qE -- "$pat" "$T/.err"; then PASS=$((PASS+1)); else
    FAIL=$((FAIL+1)); echo "FAIL: $d (exit $rc, want $code; stderr: $(head -c 400 "$T/.err"))" >&2; fi
}
assert() { # assert DESCRIPTION TEST-EXPRESSION...
  local d="$1"; shift
  if "$@"; then PASS=$((PASS+1)); else FAIL=$((FAIL+1)); echo "FAIL: $d" >&2; fi
}
report() { echo "$PASS passed, $FAIL failed"; [ $FAIL -eq 0 ]; }
