#!/bin/bash
# make install / make uninstall (install.mk, docs/install.md): into a temporary PREFIX, every file
# is there (binary, shared library with its soname and version links, static library, header,
# pkg-config file, models, man page); a C program outside the tree built with
# `pkg-config --cflags --libs saetm` (shared, and static with --static) fits topics through the
# library (tests/install/fit_prog.c: the stage calls, then saetm_fit) and finds the installed models; the installed binary (and a
# copy of it elsewhere) finds its models from another directory with no SAETM_* variable;
# uninstall removes every file; DESTDIR stages the same tree without writing under PREFIX.
source "$(dirname "$0")/../lib.sh"
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
# A make started by this test must not join the jobserver of a `make test` above it.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" -s "$@"; }
unset SAETM_MODEL_DIR SAETM_EMBEDDER
P="$T/prefix"
VER=$(sed -n 's/^#define SAETM_VERSION_STRING "\(.*\)"/\1/p' "$ROOT/include/saetm.h")
MAJOR=${VER%%.*}

check "make install PREFIX=$P" mk install PREFIX="$P"
for f in bin/saetm lib/libsaetm.so.$VER lib/libsaetm.a include/saetm.h lib/pkgconfig/saetm.pc \
         share/saetm/use-lite-en.stm share/man/man1/saetm.1; do
  assert "installed: $f" [ -f "$P/$f" ]
done
if [ -f "$ROOT/models/foundation-use-lite-en.saem" ]; then
  assert "installed: the foundational SAE" cmp -s "$ROOT/models/foundation-use-lite-en.saem" "$P/share/saetm/foundation-use-lite-en.saem"
fi
assert "libsaetm.so.$MAJOR -> libsaetm.so.$VER" [ "$(readlink "$P/lib/libsaetm.so.$MAJOR")" = "libsaetm.so.$VER" ]
assert "libsaetm.so -> libsaetm.so.$MAJOR" [ "$(readlink "$P/lib/libsaetm.so")" = "libsaetm.so.$MAJOR" ]
assert "soname libsaetm.so.$MAJOR" [ "$(objdump -p "$P/lib/libsaetm.so.$VER" | awk '/SONAME/ {print $2}')" = "libsaetm.so.$MAJOR" ]
nm -D --defined-only "$P/lib/libsaetm.so.$VER" | awk '{print $3}' > "$T/syms"
assert "the shared library exports saetm_ symbols" grep -q '^saetm_ctx_create$' "$T/syms"
assert "and nothing else (no saetm__ internals)" [ -z "$(grep -v '^saetm_' "$T/syms"; grep '^saetm__' "$T/syms")" ]
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
assert "pkg-config --modversion = saetm.h's version" [ "$(pkg-config --modversion saetm)" = "$VER" ]
assert "pkg-config datadir" [ "$(pkg-config --variable=datadir saetm)" = "$P/share/saetm" ]
assert "man page: version filled in" grep -q "\"saetm $VER\"" "$P/share/man/man1/saetm.1"
for c in $("$P/bin/saetm" --help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} /^$/ && on>1 {exit} on {on++}'); do
  assert "man page lists command $c" grep -qx "\.B $c" "$P/share/man/man1/saetm.1"
done

# A program outside the tree, against the installed copy only (shared, then static).
W="$T/outside"; mkdir -p "$W"; cp "$ROOT/tests/install/fit_prog.c" "$W/"
check "build with pkg-config --cflags --libs saetm" \
  bash -c "cd '$W' && cc -std=c11 -Wall -Wextra -Werror -O2 fit_prog.c \$(pkg-config --cflags --libs saetm) -lm -Wl,-rpath,'$P/lib' -o prog"
assert "prog uses the installed libsaetm.so" bash -c "ldd '$W/prog' | grep -q '$P/lib/libsaetm.so.$MAJOR'"
check "build static with pkg-config --static" \
  bash -c "cd '$W' && cc -std=c11 -O2 fit_prog.c \$(pkg-config --cflags saetm) \$(pkg-config --static --libs saetm | sed 's/-lsaetm\b/-l:libsaetm.a/') -lm -o progs"
assert "progs has no libsaetm.so" bash -c "! ldd '$W/progs' | grep -q libsaetm"
for p in prog progs; do
  mkdir -p "$T/work_$p"
  (cd / && "$W/$p" "$P/share/saetm" "$T/work_$p") > "$T/$p.out" 2> "$T/$p.err"
  assert "$p: topics fitted through the library, models found" grep -q '^[1-9][0-9]* passed, 0 failed$' "$T/$p.out"
  grep -q ' 0 failed$' "$T/$p.out" || cat "$T/$p.out" "$T/$p.err" >&2
done

# The installed binary, run from elsewhere, and a copy of it away from PREFIX (compiled-in dir).
check "synth" "$P/bin/saetm" synth --out "$T/syn" --docs 200 --topics 3 --vocab 200 -q
cp "$P/bin/saetm" "$W/saetm"
for b in "$P/bin/saetm" "$W/saetm"; do
  check "$b: embed with the built-in embedder from / with no SAETM_*" bash -c "cd / && '$b' embed -q --input '$T/syn/docs.jsonl' --out '$T/e.npy'"
  check "$b: fit --sae default from / with no SAETM_*" bash -c "cd / && '$b' fit -q --input '$T/syn/docs.jsonl' \
    --preprocess none --min-df 2 --sae default --k 3 --out '$T/m'"
  assert "$b: 3 topics" [ "$(wc -l < "$T/m/top_words.txt")" = 3 ]
  rm -rf "$T/m"
done

check "make uninstall" mk uninstall PREFIX="$P"
assert "uninstall removes every file" [ -z "$(find "$P" -type f -o -type l)" ]

# DESTDIR: staged under DESTDIR, the prefix compiled in and written to saetm.pc is PREFIX.
D="$T/stage"; SP=/opt/saetm-install-test-$$
check "make install DESTDIR" mk install DESTDIR="$D" PREFIX="$SP"
assert "nothing written to PREFIX itself" [ ! -e "$SP" ]
assert "staged: bin/saetm" [ -x "$D$SP/bin/saetm" ]
assert "staged saetm.pc: prefix=$SP" grep -qx "prefix=$SP" "$D$SP/lib/pkgconfig/saetm.pc"
assert "staged library: compiled-in data dir $SP/share/saetm" grep -q "$SP/share/saetm" "$D$SP/lib/libsaetm.so.$VER"
check "make uninstall DESTDIR" mk uninstall DESTDIR="$D" PREFIX="$SP"
assert "uninstall DESTDIR removes every file" [ -z "$(find "$D" -type f -o -type l)" ]
report
