#!/bin/bash
# Hostile input through the command line: each case gets a clear error (exit 1 naming the file,
# or exit 2 for the command line), never a crash or a sanitizer report.
source "$ROOT/tests/lib.sh"
$PY -c "import numpy as np; np.save('$T/a.npy', np.zeros((4,2),'f4'))"
expect_fail "SAETM_MEM_LIMIT not a size" 2 "SAETM_MEM_LIMIT='lots' is not a byte count" env SAETM_MEM_LIMIT=lots $SAETM inspect "$T/a.npy"
check "SAETM_MEM_LIMIT with units accepted" env SAETM_MEM_LIMIT=1.5G $SAETM inspect "$T/a.npy"
# Binary files that lie, through `saetm inspect`.
printf '\x93NUMPY\x01\x00\x76\x00{"descr": "<f4", "fortran_order": False, "shape": (1000, 512), }' > "$T/short.npy"
expect_fail "npy shorter than its shape" 1 "short.npy.*(truncated|size)" $SAETM inspect "$T/short.npy"
: > "$T/empty.sac"
expect_fail "empty file" 1 "empty.sac.*too short" $SAETM inspect "$T/empty.sac"
head -c 100000 /dev/urandom > "$T/random.stc"
expect_fail "random bytes" 1 "random.stc: not a" $SAETM inspect "$T/random.stc"
report
