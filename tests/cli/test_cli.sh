# test_cli.sh - command-line conventions: help, version, usage errors, exit codes, inspect.
source "$ROOT/tests/lib.sh"
check "--version" $SAETM --version
assert "version printed" grep -q "^saetm [0-9]" "$T/.out"
check "--help" $SAETM --help
assert "help lists commands" grep -q "inspect" "$T/.out"
expect_fail "no command" 2 "usage" $SAETM
expect_fail "unknown command" 2 "unknown command" $SAETM frobnicate
check "inspect --help" $SAETM inspect --help
expect_fail "unknown option" 2 "unknown option '--bogus'" $SAETM inspect --bogus x
expect_fail "missing file" 1 "cannot open" $SAETM inspect "$T/missing.stc"
$PY -c "import numpy as np; np.save('$T/a.npy', np.zeros((4,2),'f4'))"
check "inspect npy" $SAETM inspect "$T/a.npy"
assert "npy shape shown" grep -q "4 x 2" "$T/.out"
printf 'SAETMXXXgarbage' > "$T/bad.stc"
expect_fail "garbage file" 1 "too short|truncated" $SAETM inspect "$T/bad.stc"
report
