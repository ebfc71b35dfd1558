/*
 * fuzz_corpus_file.c - corpus file loader (.stc, saetm_corpus_load), checksums repaired
 * (fuzz_fix_container); a loaded corpus is checked against the API's promises.
 */
#include "fuzz_corpus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *fixed = fuzz_fix_container(data, size);
    saetm_corpus *c = NULL;
    if (saetm_corpus_load(fuzz_ctx(), fuzz_file(0, fixed, size), &c) == SAETM_OK) {
        fuzz_check_corpus(c);
        saetm_corpus_free(c);
    }
    free(fixed);
    return 0;
}
