/*
 * fuzz_sae.c - SAE model loader (.saem, saetm_sae_load), checksums repaired; a loaded model is
 * read through the API and encodes three rows (fuzz_sae.h).
 */
#include "fuzz_sae.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *fixed = fuzz_fix_container(data, size);
    saetm_sae *sae = NULL;
    if (saetm_sae_load(fuzz_ctx(), fuzz_file(0, fixed, size), &sae) == SAETM_OK) {
        fuzz_check_sae(sae);
        saetm_sae_free(sae);
    }
    free(fixed);
    return 0;
}
