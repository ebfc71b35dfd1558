#!/bin/bash
# The Python package installs offline with pip (Debian's pip and setuptools, no build isolation,
# no index) and works from the installed copy, away from the tree (docs/python.md).
source "$(dirname "$0")/../lib.sh"
D="$T/pip"
check "pip install --no-build-isolation --no-index ./python" \
  $PY -m pip install -q --no-build-isolation --no-index --target "$D/site" "$ROOT/python"
assert "the extension is installed" bash -c "ls '$D/site/saetm/'_core*.so >/dev/null"
mkdir -p "$D/elsewhere"
check "import the installed copy from another directory" bash -c \
  "cd '$D/elsewhere' && PYTHONPATH='$D/site' $PY -c 'import saetm, sys; sys.exit(0 if saetm.__file__.startswith(\"$D/site\") else 1)'"
check "its library is libsaetm $($SAETM_RELEASE --version | cut -d' ' -f2)" bash -c \
  "cd '$D/elsewhere' && PYTHONPATH='$D/site' $PY -c 'import saetm, sys; sys.exit(0 if saetm.__version__ == \"$($SAETM_RELEASE --version | cut -d' ' -f2)\" else 1)'"
expect_fail "a library error comes back as SaetmError with the library's message" 1 "SaetmError.*nomodel" \
  bash -c "cd '$D/elsewhere' && PYTHONPATH='$D/site' $PY -c 'import saetm; saetm.load(\"nomodel\")'"
report
