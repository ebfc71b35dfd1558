/*
 * fuzz_acts.c - sparse activations loader (.sac, saetm_acts_load), checksums repaired so the CSR
 * validation is reached; a loaded file is walked entry by entry.
 */
#include "fuzz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *fixed = fuzz_fix_container(data, size);
    saetm_acts a;
    if (saetm_acts_load(fuzz_ctx(), fuzz_file(0, fixed, size), &a) == SAETM_OK) {
        uint64_t nnz = a.row_ptr[a.rows];
        fuzz_touch(a.row_ptr, (size_t)(a.rows + 1) * sizeof(uint64_t));
        fuzz_touch(a.idx, (size_t)nnz * sizeof(uint32_t));
        fuzz_touch(a.val, (size_t)nnz * sizeof(float));
        for (uint64_t r = 0; r < a.rows; r++)
            for (uint64_t j = a.row_ptr[r]; j < a.row_ptr[r + 1]; j++)
                FUZZ_REQUIRE(a.idx[j] < a.n_features && a.val[j] >= 0.0f);
        saetm_acts_free(&a);
    }
    free(fixed);
    return 0;
}
