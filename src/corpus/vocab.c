/*
 * vocab.c - the vocabulary: terms kept by document frequency (min_df, max_df, max_vocab),
 * ordered by document frequency, most frequent first, ties broken by the terms' bytes so the
 * result never depends on the order the terms were met in.
 */
#include "corpus_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sort_ctx {
    const saetm__strmap *terms;
    const uint32_t *df;
} sort_ctx;

static int cmp_terms(const uint32_t *a, const uint32_t *b, const sort_ctx *c)
{
    if (c->df[*a] != c->df[*b]) return c->df[*a] > c->df[*b] ? -1 : 1;
    size_t la, lb;
    const char *sa = saetm__strmap_key(c->terms, *a, &la);
    const char *sb = saetm__strmap_key(c->terms, *b, &lb);
    int r = memcmp(sa, sb, la < lb ? la : lb);
    if (r) return r;
    return la < lb ? -1 : la > lb ? 1 : 0;
}

/* Merge sort (stable, no global state for the comparison context, unlike qsort). */
static void merge_sort(uint32_t *a, uint32_t *tmp, size_t n, const sort_ctx *c)
{
    if (n < 2) return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = a[i];
            size_t j = i;
            while (j > 0 && cmp_terms(&a[j - 1], &x, c) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(a, tmp, h, c);
    merge_sort(a + h, tmp, n - h, c);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp_terms(&a[j], &a[i], c) < 0 ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

saetm_status saetm__vocab_select(saetm_ctx *ctx, const saetm__strmap *terms, const uint32_t *df,
                                 uint64_t n_docs, uint32_t min_df, double max_df, uint32_t max_vocab,
                                 uint32_t *remap, uint32_t **order, uint32_t *n_vocab)
{
    *order = NULL;
    *n_vocab = 0;
    uint32_t n = terms->count;
    /* max_df: a fraction of the documents when <= 1, else a document count. */
    double max_count = max_df <= 1.0 ? floor(max_df * (double)n_docs + 1e-9) : floor(max_df);
    uint32_t *cand = malloc(((size_t)n + 1) * sizeof *cand);
    uint32_t *tmp = malloc(((size_t)n + 1) * sizeof *tmp);
    if (!cand || !tmp) {
        free(cand);
        free(tmp);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "vocabulary: out of memory (%u terms)", n);
    }
    uint32_t m = 0;
    for (uint32_t t = 0; t < n; t++) {
        remap[t] = UINT32_MAX;
        if (df[t] >= (min_df ? min_df : 1) && (double)df[t] <= max_count) cand[m++] = t;
    }
    sort_ctx c = {terms, df};
    merge_sort(cand, tmp, m, &c);
    free(tmp);
    if (max_vocab && m > max_vocab) m = max_vocab;
    for (uint32_t i = 0; i < m; i++) remap[cand[i]] = i;
    *order = cand;
    *n_vocab = m;
    return SAETM_OK;
}
