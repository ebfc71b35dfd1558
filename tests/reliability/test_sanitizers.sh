#!/bin/bash
# The suite's sanitizers are real: a deliberate leak, heap overflow and signed overflow in scratch
# programs built like the test build are reported and fail the program, under the ASAN_OPTIONS /
# UBSAN_OPTIONS that tests/run.sh gives every test; and the saetm binary under test is the
# sanitized one. (A leak anywhere in a test program or in `saetm` makes that test fail.)
source "$ROOT/tests/lib.sh"
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cat >"$T/leak.c" <<'C'
#include <stdlib.h>
#include <string.h>
void *keep;
static char *leaky_function(void) { char *p = malloc(4242); memset(p, 1, 4242); return p; }
int main(void) { char *p = leaky_function(); keep = p + 1; keep = 0; return p[1] == 7; }
C
cat >"$T/oob.c" <<'C'
#include <stdlib.h>
int main(int argc, char **argv) { (void)argv; char *a = malloc((size_t)(15 + argc)); char v = a[argc + 15]; free(a); return v; }
C
cat >"$T/ovf.c" <<'C'
#include <limits.h>
int main(int argc, char **argv) { (void)argv; volatile int x = INT_MAX - 1 + argc; int y = x; y += 1; return y == 7; }
C
for p in leak oob ovf; do check "compile $p.c with the test sanitizers" gcc $flags -o "$T/$p" "$T/$p.c"; done
assert "tests/run.sh enables LeakSanitizer (ASAN_OPTIONS=$ASAN_OPTIONS)" grep -q "detect_leaks=1" <<<"$ASAN_OPTIONS"
"$T/leak" >"$T/leak.out" 2>&1; rc=$?
assert "a leak fails the program (exit $rc)" test $rc -ne 0
assert "LeakSanitizer names the leak" grep -q "detected memory leaks" "$T/leak.out"
assert "the report shows the allocating function and size" grep -qE "4242 byte.*|leaky_function" "$T/leak.out"
"$T/oob" >"$T/oob.out" 2>&1; rc=$?
assert "a heap overflow fails the program (exit $rc)" test $rc -ne 0
assert "AddressSanitizer reports heap-buffer-overflow" grep -q "heap-buffer-overflow" "$T/oob.out"
"$T/ovf" >"$T/ovf.out" 2>&1; rc=$?
assert "signed overflow fails the program (exit $rc)" test $rc -ne 0
assert "UBSan reports the overflow" grep -q "signed integer overflow" "$T/ovf.out"
# The binaries under test carry the sanitizers.
assert "\$SAETM is built with ASan" grep -q "__asan_init" < <(nm "$SAETM" 2>/dev/null; nm -D "$SAETM" 2>/dev/null)
assert "\$SAETM is built with UBSan" grep -q "__ubsan_handle" < <(nm "$SAETM" 2>/dev/null; nm -D "$SAETM" 2>/dev/null)
report
