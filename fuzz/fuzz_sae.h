/*
 * fuzz_sae.h - checks of what the SAE API promises about a loaded .saem: shapes readable, and
 * encoding a few rows gives valid activations (shared by fuzz_sae.c and the hostile-file test).
 */
#ifndef SAETM_FUZZ_SAE_H
#define SAETM_FUZZ_SAE_H

#include "fuzz.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline void fuzz_check_sae(const saetm_sae *sae)
{
    uint32_t d = saetm_sae_dim(sae), F = saetm_sae_features(sae);
    FUZZ_REQUIRE(d > 0 && F > 0);
    const char *emb = saetm_sae_embedder(sae);
    if (emb) fuzz_touch(emb, strlen(emb));
    fuzz_touch(saetm_sae_decoder(sae), (size_t)F * d * sizeof(float));
    fuzz_touch(saetm_sae_encoder(sae), (size_t)F * d * sizeof(float));
    fuzz_touch(saetm_sae_decoder_bias(sae), (size_t)d * sizeof(float));
    fuzz_touch(saetm_sae_encoder_bias(sae), (size_t)F * sizeof(float));
    if (saetm_sae_thresholds(sae)) fuzz_touch(saetm_sae_thresholds(sae), (size_t)F * sizeof(float));
    saetm_sae_stats stats;
    saetm_sae_get_stats(sae, &stats);
    if ((uint64_t)d * F > (1u << 22)) return; /* large models: skip the encode (time) */
    /* Encode three rows; the result must be valid activations. */
    float *x = calloc((size_t)3 * d, sizeof *x);
    FUZZ_REQUIRE(x != NULL);
    for (size_t i = 0; i < (size_t)3 * d; i++) x[i] = (float)((i * 7919) % 13) * 0.1f - 0.6f;
    saetm_matrix m = {3, d, x, NULL};
    saetm_acts a;
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_ctx_set_threads(ctx, 1);
    if (saetm_sae_encode(ctx, sae, &m, &a) == SAETM_OK) {
        FUZZ_REQUIRE(a.rows == 3 && a.n_features == F && a.row_ptr[0] == 0);
        for (uint64_t r = 0; r < 3; r++)
            for (uint64_t j = a.row_ptr[r]; j < a.row_ptr[r + 1]; j++)
                FUZZ_REQUIRE(a.idx[j] < F && (j == a.row_ptr[r] || a.idx[j] > a.idx[j - 1]) && a.val[j] >= 0.0f &&
                             isfinite(a.val[j]));
        saetm_acts_free(&a);
    }
    saetm_ctx_free(ctx);
    free(x);
}

#endif
