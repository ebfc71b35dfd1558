#!/bin/bash
# Run the whole test suite: C unit tests (build/test/tests/*/test_*), shell CLI tests
# (tests/*/test_*.sh) and Python cross-checks (tests/*/test_*.py). Every test program prints a
# final line "N passed, N failed"; a program that crashes or prints no such line counts as failed.
# Optional argument: a substring to select tests by path.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export SAETM="$ROOT/build/test/saetm" SAETM_RELEASE="$ROOT/build/saetm" PY=/usr/bin/python3 ROOT
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
filter="${1:-}"
total_pass=0; total_fail=0; broken=()
tmp_root=$(mktemp -d /tmp/saetm-tests.XXXXXX)
trap 'rm -rf "$tmp_root"' EXIT

run_one() {
  local name="$1"; shift
  local t0=$SECONDS
  export TEST_TMPDIR="$tmp_root/$(echo "$name" | tr '/' '_')"
  mkdir -p "$TEST_TMPDIR"
  local out; out=$("$@" 2>"$TEST_TMPDIR/.stderr"); local rc=$?
  local line; line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
  if [ -z "$line" ]; then
    echo "BROKEN $name (exit $rc, no result line)"; sed 's/^/    /' "$TEST_TMPDIR/.stderr" | tail -30
    total_fail=$((total_fail + 1)); broken+=("$name"); return
  fi
  local p f; p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  if [ "$f" -ne 0 ] || [ $rc -ne 0 ]; then
    echo "FAIL   $name: $line (exit $rc)"; sed 's/^/    /' "$TEST_TMPDIR/.stderr" | tail -40
    [ "$f" -eq 0 ] && f=1
    broken+=("$name")
  else
    printf '%-6s %-40s %s (%ss)\n' ok "$name" "$line" $((SECONDS - t0))
  fi
  printf '%s\n' "$out" | grep -E '^SKIP' | sed 's/^/    /'
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}

for bin in $(find build/test/tests -type f -name 'test_*' -perm -u+x 2>/dev/null | sort); do
  name=${bin#build/test/tests/}
  [[ -n $filter && $name != *$filter* ]] && continue
  run_one "$name" "$bin"
done
for sh in $(ls tests/*/test_*.sh 2>/dev/null | sort); do
  name=${sh#tests/}
  [[ -n $filter && $name != *$filter* ]] && continue
  run_one "$name" bash "$sh"
done
for py in $(ls tests/*/test_*.py 2>/dev/null | sort); do
  name=${py#tests/}
  [[ -n $filter && $name != *$filter* ]] && continue
  run_one "$name" $PY "$py"
done

echo "----"
echo "$total_pass passed, $total_fail failed"
if [ ${#broken[@]} -gt 0 ]; then echo "failing: ${broken[*]}"; exit 1; fi
exit 0
