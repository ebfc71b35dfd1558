/*
 * transform.c - document-topic proportions from activations under a topic assignment
 * (saetm_topics_transform, and the documents of saetm_topics_build).
 */
#include "merge_int.h"

#include <omp.h>
#include <string.h>

/* Document-topic proportions from activations (raw: theta = A / sum A first, exactly as the
 * interpretation computes it) or from the interpretation's theta (already normalised), so that
 * transform on a model's own activations reproduces its doc_topics bit for bit. */
saetm_status saetm__topics_project(saetm_ctx *ctx, const saetm_acts *acts, const int32_t *feature_topic, uint32_t k,
                                   int raw, float *out)
{
    if (k == 0) return saetm__fail(ctx, SAETM_ERR_ARG, "transform: no topics");
    for (uint32_t f = 0; f < acts->n_features; f++)
        if (feature_topic[f] >= (int32_t)k)
            return saetm__fail(ctx, SAETM_ERR_ARG, "transform: feature %u assigned to topic %d of %u", f,
                               feature_topic[f], k);
    int nt = saetm_ctx_threads(ctx);
    double *acc_all = saetm__calloc_aligned((size_t)nt * k, sizeof *acc_all);
    if (!acc_all) return saetm__fail(ctx, SAETM_ERR_NOMEM, "transform: out of memory");
#pragma omp parallel for schedule(static, 256) num_threads(nt)
    for (int64_t di = 0; di < (int64_t)acts->rows; di++) {
        uint64_t d = (uint64_t)di, j0 = acts->row_ptr[d], j1 = acts->row_ptr[d + 1];
        double *a = acc_all + (size_t)omp_get_thread_num() * k, asum = 0, tot = 0;
        float *row = out + d * k;
        memset(a, 0, (size_t)k * sizeof *a);
        if (raw)
            for (uint64_t j = j0; j < j1; j++) asum += acts->val[j];
        for (uint64_t j = j0; j < j1; j++) {
            int32_t tp = feature_topic[acts->idx[j]];
            if (tp < 0 || !(acts->val[j] > 0)) continue;
            float th = raw ? (float)(acts->val[j] / asum) : acts->val[j];
            a[tp] += th;
            tot += th;
        }
        for (uint32_t c = 0; c < k; c++) row[c] = tot > 0 ? (float)(a[c] / tot) : 0.0f;
    }
    saetm__free_aligned(acc_all);
    return SAETM_OK;
}

saetm_status saetm_topics_transform(saetm_ctx *ctx, const saetm_acts *acts, const int32_t *feature_topic, uint32_t k,
                                    float *out)
{
    return saetm__topics_project(ctx, acts, feature_topic, k, 1, out);
}
