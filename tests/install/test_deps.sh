#!/bin/bash
# Runtime and test dependencies apart (scripts/install-deps.sh, Makefile): `make`, `make demo` and
# `make install` ask only for the build-and-run packages; `make test`, `make bench`, `make fuzz` add
# their own groups. Checked on the package lists (--list) and on what `make -n` would run in a
# fresh copy of the tree (no build/, so no stamp is there). Installs nothing.
source "$(dirname "$0")/../lib.sh"
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
DEPS="$ROOT/scripts/install-deps.sh"
has() { printf '%s\n' "$1" | grep -qx -- "$2"; }

run=$(bash "$DEPS" --list)
for p in build-essential libopenblas-openmp-dev libutf8proc-dev wordnet-dev wordnet-base libcjson-dev \
         zlib1g-dev libopenmpi-dev openmpi-bin nodejs npm; do
  assert "run packages: $p" has "$run" "$p"
done
for p in python3-numpy python3-scipy python3-gensim python3-torch python3-sklearn chromium python3-pil afl++; do
  assert "run packages: not $p" bash -c "! printf '%s\n' \"\$1\" | grep -qx -- '$p'" _ "$run"
done
test_pk=$(bash "$DEPS" --list --test)
for p in build-essential python3-numpy python3-scipy python3-gensim python3-torch chromium python3-pil afl++; do
  assert "--test: $p" has "$test_pk" "$p"
done
bench_pk=$(bash "$DEPS" --list --bench)
assert "--bench: PyTorch and gensim peers" bash -c "printf '%s\n' \"\$1\" | grep -qx python3-torch && printf '%s\n' \"\$1\" | grep -qx python3-gensim" _ "$bench_pk"
assert "--bench: no chromium, no afl++" bash -c "! printf '%s\n' \"\$1\" | grep -qxE 'chromium|afl\+\+'" _ "$bench_pk"
assert "--quality: sklearn" has "$(bash "$DEPS" --list --quality)" python3-sklearn
assert "--fuzz: afl++" has "$(bash "$DEPS" --list --fuzz)" afl++
assert "a package in two groups is listed once" [ "$(bash "$DEPS" --list --test --bench | sort | uniq -d)" = "" ]
expect_fail "unknown option" 2 "unknown option '--bogus'" bash "$DEPS" --bogus

# Which install-deps.sh calls each make goal would make, in a copy with no build/.
C="$T/tree"; mkdir -p "$C"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | grep -zv '^models/.*\.saem$' |
  xargs -0 cp --parents -t "$C" 2>/dev/null)
calls() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$C" -n "$@" 2>/dev/null |
  grep -oE 'bash scripts/install-deps\.sh( --[a-z]+)*' | sort -u | tr '\n' ';'; }
for g in all demo install build/saetm; do
  assert "make $g: only the run packages" [ "$(calls $g)" = "bash scripts/install-deps.sh;" ]
done
assert "make test: run + test packages" [ "$(calls test)" = "bash scripts/install-deps.sh;bash scripts/install-deps.sh --test;" ]
assert "make bench: run + bench packages" [ "$(calls bench)" = "bash scripts/install-deps.sh;bash scripts/install-deps.sh --bench;" ]
assert "make fuzz: run + fuzz packages" [ "$(calls fuzz-build)" = "bash scripts/install-deps.sh;bash scripts/install-deps.sh --fuzz;" ]
report
