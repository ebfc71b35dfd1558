/*
 * fuzz_text.c - corpus ingestion from TEXT input (saetm_corpus_build); the first input byte picks
 * options (fuzz_corpus.h), the built corpus is checked against the API's promises.
 */
#include "fuzz_corpus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_corpus_build(data, size, SAETM_INPUT_TEXT);
}
