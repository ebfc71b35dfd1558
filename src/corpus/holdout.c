/*
 * holdout.c - the held-out documents of a fit: which documents a holdout fraction keeps out
 * (saetm_holdout_is_held, the rule documented in include/saetm.h and docs/CORPUS.md), and the
 * rows of a matrix of per-document embeddings that belong to either side.
 *
 * The rule works in parts per million so that it is exact integer arithmetic: the same documents
 * in C, in Python (bench/quality) and at any thread count.
 */
#include "corpus_int.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#define HOLDOUT_PPM 1000000u
#define HOLDOUT_MAX 0.9

/* P = round(fraction * 10^6); 0 for no holdout (and for anything saetm_holdout_check refuses
 * below 0 or NaN). */
static uint64_t holdout_ppm(double fraction)
{
    if (!(fraction > 0)) return 0;
    if (fraction >= 1) return HOLDOUT_PPM;
    return (uint64_t)llround(fraction * HOLDOUT_PPM);
}

int saetm_holdout_is_held(uint64_t i, double fraction)
{
    uint64_t p = holdout_ppm(fraction);
    /* (i * P) mod 10^6 == ((i mod 10^6) * P) mod 10^6, and (10^6 - 1) * 10^6 fits in 64 bits */
    return p && (i % HOLDOUT_PPM) * p % HOLDOUT_PPM < p;
}

const char *saetm_holdout_check(double fraction)
{
    if (!(fraction >= 0 && fraction <= HOLDOUT_MAX))
        return "the holdout fraction must be a number in [0, 0.9] (0 = no holdout)";
    return NULL;
}

saetm_status saetm_holdout_rows(saetm_ctx *ctx, const saetm_matrix *x, double fraction, saetm_holdout_part part,
                                const char *what, saetm_matrix *out)
{
    memset(out, 0, sizeof *out);
    const char *bad = saetm_holdout_check(fraction);
    if (bad) return saetm__fail(ctx, SAETM_ERR_ARG, "%s, not %g", bad, fraction);
    if ((unsigned)part > SAETM_HOLDOUT_HELD) return saetm__fail(ctx, SAETM_ERR_ARG, "unknown holdout part %d", (int)part);
    const int want = part == SAETM_HOLDOUT_HELD;
    uint64_t n = 0;
    for (uint64_t i = 0; i < x->rows; i++) n += saetm_holdout_is_held(i, fraction) == want;
    saetm_status st = saetm__matrix_alloc(ctx, n, x->cols, out);
    if (st) return st;
    uint64_t r = 0;
    for (uint64_t i = 0; i < x->rows; i++) {
        if (saetm_holdout_is_held(i, fraction) != want) continue;
        const float *src = x->data + i * x->cols;
        for (uint64_t j = 0; j < x->cols; j++)
            if (!isfinite(src[j])) {
                saetm_matrix_free(out);
                return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: row %llu, column %llu is %s (expected a finite number)",
                                   what ? what : "the matrix", (unsigned long long)i, (unsigned long long)j,
                                   isnan(src[j]) ? "NaN" : "infinite");
            }
        memcpy(out->data + r * x->cols, src, (size_t)x->cols * sizeof *src);
        r++;
    }
    assert(r == n);
    return SAETM_OK;
}
