/*
 * fuzz_topic_words.c - topic word list reader (saetm_topic_words_read, e.g. top_words.txt);
 * an accepted file is checked: monotone word_start, words non-empty without separators.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    saetm_topic_words *tw = NULL;
    if (saetm_topic_words_read(fuzz_ctx(), fuzz_file(0, data, size), &tw) == SAETM_OK) {
        FUZZ_REQUIRE(tw->n_topics > 0 && tw->word_start[0] == 0);
        for (uint32_t t = 0; t < tw->n_topics; t++) {
            FUZZ_REQUIRE(tw->word_start[t + 1] >= tw->word_start[t]);
            for (uint64_t w = tw->word_start[t]; w < tw->word_start[t + 1]; w++) {
                size_t len = strlen(tw->words[w]);
                FUZZ_REQUIRE(len > 0 && !strpbrk(tw->words[w], " \t\r\n"));
            }
        }
        saetm_topic_words_free(tw);
    }
    return 0;
}
