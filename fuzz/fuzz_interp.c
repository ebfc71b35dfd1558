/*
 * fuzz_interp.c - interpretation file loader (.sti, saetm_interp_load), checksums repaired; a
 * loaded file is walked through the whole read API (fuzz_interp.h).
 */
#include "fuzz_interp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *fixed = fuzz_fix_container(data, size);
    saetm_interp *it = NULL;
    if (saetm_interp_load(fuzz_ctx(), fuzz_file(0, fixed, size), &it) == SAETM_OK) {
        fuzz_check_interp(it);
        saetm_interp_free(it);
    }
    free(fixed);
    return 0;
}
