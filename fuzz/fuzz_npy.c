/*
 * fuzz_npy.c - NumPy .npy loader (saetm_npy_load) and the finite check on what it returns.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    saetm_ctx *ctx = fuzz_ctx();
    saetm_matrix m;
    if (saetm_npy_load(ctx, fuzz_file(0, data, size), &m) == SAETM_OK) {
        fuzz_touch(m.data, (size_t)(m.rows * m.cols) * sizeof(float));
        (void)saetm_matrix_check_finite(ctx, &m, "fuzz");
        saetm_matrix_free(&m);
    }
    return 0;
}
