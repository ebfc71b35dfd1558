/*
 * fuzz_interp.h - checks of every promise the interpretation API makes about a loaded .sti
 * (shared by fuzz_interp.c and tests/reliability/test_hostile_files.c).
 */
#ifndef SAETM_FUZZ_INTERP_H
#define SAETM_FUZZ_INTERP_H

#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static inline void fuzz_check_interp(const saetm_interp *it)
{
    uint32_t F = saetm_interp_num_features(it), V = saetm_interp_vocab_size(it);
    uint64_t N = saetm_interp_num_docs(it);
    fuzz_touch(saetm_interp_theta_avg(it), (size_t)F * sizeof(float));
    fuzz_touch(saetm_interp_doc_freq(it), (size_t)F * sizeof(uint32_t));
    fuzz_touch(saetm_interp_p0(it), (size_t)V * sizeof(float));
    fuzz_touch(saetm_interp_idf(it), (size_t)V * sizeof(float));
    for (uint32_t w = 0; w < V; w++) {
        const char *s = saetm_interp_word(it, w);
        FUZZ_REQUIRE(s != NULL);
        fuzz_touch(s, strlen(s));
    }
    float *row = malloc(((size_t)V + 1) * sizeof *row);
    FUZZ_REQUIRE(row != NULL);
    for (uint32_t f = 0; f < F; f++) {
        const uint32_t *words;
        const float *probs;
        uint64_t n;
        saetm_interp_phi_sparse(it, f, &words, &probs, &n);
        FUZZ_REQUIRE(n <= V);
        for (uint64_t j = 0; j < n; j++) FUZZ_REQUIRE(words[j] < V && (j == 0 || words[j] > words[j - 1]));
        fuzz_touch(probs, (size_t)n * sizeof(float));
        (void)saetm_interp_phi_floor(it, f);
        if (f < 8) saetm_interp_phi_row(it, f, row);
    }
    free(row);
    saetm_acts th;
    saetm_interp_theta(it, &th);
    FUZZ_REQUIRE(th.rows == N && th.row_ptr[0] == 0);
    for (uint64_t d = 0; d < th.rows; d++) {
        FUZZ_REQUIRE(th.row_ptr[d + 1] >= th.row_ptr[d]);
        for (uint64_t j = th.row_ptr[d]; j < th.row_ptr[d + 1]; j++)
            FUZZ_REQUIRE(th.idx[j] < F && (j == th.row_ptr[d] || th.idx[j] > th.idx[j - 1]));
    }
    fuzz_touch(th.val, (size_t)th.row_ptr[th.rows] * sizeof(float));
}

#endif
