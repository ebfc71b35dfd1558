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
# Embeddings that cannot be trained on: NaN / Inf (named by row), zero rows.
$PY -c "
import numpy as np
x = np.ones((6, 4), 'f4'); x[3, 2] = np.nan; np.save('$T/nan.npy', x)
y = np.ones((6, 4), 'f4'); y[5, 0] = np.inf; np.save('$T/inf.npy', y)
np.save('$T/empty.npy', np.zeros((0, 4), 'f4')); np.save('$T/ok.npy', np.ones((6, 4), 'f4'))
np.save('$T/vary.npy', np.random.default_rng(0).standard_normal((40, 4)).astype('f4'))"
expect_fail "train: NaN embedding named by row" 1 "row 3, column 2 is NaN" $SAETM train -q --emb "$T/nan.npy" --features 8 --k 2 --steps 2 --out "$T/m.saem"
expect_fail "train: Inf embedding named by row" 1 "row 5, column 0 is infinite" $SAETM train -q --emb "$T/inf.npy" --features 8 --k 2 --steps 2 --out "$T/m.saem"
expect_fail "train: zero rows" 1 "at least one row" $SAETM train -q --emb "$T/empty.npy" --features 8 --k 2 --steps 2 --out "$T/m.saem"
assert "no model written by the refused runs" test ! -e "$T/m.saem"
# The same rows given to a trained SAE: encode and interpret --sae --emb refuse them too.
check "train on finite rows" $SAETM train -q --emb "$T/vary.npy" --features 8 --k 2 --steps 2 --out "$T/ok.saem"
expect_fail "encode: NaN embedding named by row" 1 "nan.npy: row 3, column 2 is NaN" $SAETM encode -q --sae "$T/ok.saem" --emb "$T/nan.npy" --out "$T/a.sac"
expect_fail "encode: Inf embedding named by row" 1 "inf.npy: row 5, column 0 is infinite" $SAETM encode -q --sae "$T/ok.saem" --emb "$T/inf.npy" --out "$T/a.sac"
assert "no activations written by the refused runs" test ! -e "$T/a.sac"
# Asking for more memory than allowed: refused before allocating, with the numbers.
expect_fail "train: over SAETM_MEM_LIMIT" 1 "SAE training \\(4000000 features x 4 dimensions.*needs about .* GiB but only .* GiB are available" \
  env SAETM_MEM_LIMIT=64M $SAETM train -q --emb "$T/ok.npy" --features 4000000 --k 2 --steps 2 --out "$T/m.saem"
report
