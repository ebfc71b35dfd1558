/*
 * fuzz_container.c - the section container reader behind every saetm binary file, through
 * saetm_file_inspect (accepts any saetm magic and lists the sections). Checksums are repaired
 * (fuzz_fix_container) unless header byte 40 is set, so both the checksum checks and the
 * offset/size/shape validation behind them are exercised.
 */
#include "fuzz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *fixed = fuzz_fix_container(data, size);
    char buf[4096];
    (void)saetm_file_inspect(fuzz_ctx(), fuzz_file(0, fixed, size), buf, sizeof buf);
    free(fixed);
    return 0;
}
