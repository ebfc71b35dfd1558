/*
 * sae_encode.c - SAE inference: embeddings -> sparse activations (saetm_acts, .sac).
 *
 * Rows are processed in blocks: one deterministic sgemm gives the block's pre-activations, then
 * each row selects its active features (TopK: the k largest; BatchTopK, ReLU, JumpReLU: those
 * above the feature's threshold), keeping positive values only. Rows are split into contiguous
 * ranges per thread and concatenated in row order, so the output does not depend on the thread
 * count.
 */
#include "sae_int.h"
#include "dist/dist.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_BYTES (64u << 20) /* pre-activations of one block */

typedef struct pair_vec {
    uint32_t *idx;
    float *val;
    size_t n, cap;
} pair_vec;

static int pv_reserve(pair_vec *v, size_t extra)
{
    if (v->n + extra <= v->cap) return 0;
    size_t cap = v->cap ? v->cap : 1024;
    while (cap < v->n + extra) cap *= 2;
    uint32_t *i = realloc(v->idx, cap * sizeof *i);
    if (!i) return -1;
    v->idx = i;
    float *f = realloc(v->val, cap * sizeof *f);
    if (!f) return -1;
    v->val = f;
    v->cap = cap;
    return 0;
}

typedef struct enc_thread {
    pair_vec out;
    saetm__cand *scratch;
    uint32_t *idx;
    float *val;
    int oom;
} enc_thread;

/* Active features of one row into the thread's output; @return the count. */
static uint32_t encode_row(const saetm_sae *s, const float *pre, const float *cut, enc_thread *et)
{
    const uint32_t F = s->F;
    if (s->cfg.arch == SAETM_SAE_TOPK) {
        uint32_t m = saetm__topk_row(pre, s->b_enc, F, s->k, et->scratch, et->idx, et->val);
        uint32_t kept = 0;
        if (pv_reserve(&et->out, m)) {
            et->oom = 1;
            return 0;
        }
        for (uint32_t i = 0; i < m; i++)
            if (et->val[i] > 0.0f) {
                et->out.idx[et->out.n] = et->idx[i];
                et->out.val[et->out.n++] = et->val[i];
                kept++;
            }
        return kept;
    }
    /* Threshold rule: z = pre + b_enc > cut[f] (cut >= 0). z - cut > 0 exactly when z > cut,
     * so whole blocks are skipped on a vectorised maximum. */
    uint32_t kept = 0;
    for (uint32_t f0 = 0; f0 < F; f0 += 16) {
        uint32_t f1 = f0 + 16 < F ? f0 + 16 : F;
        float mx = -1.0f;
#pragma omp simd reduction(max : mx)
        for (uint32_t f = f0; f < f1; f++) {
            float m = (pre[f] + s->b_enc[f]) - cut[f];
            mx = mx > m ? mx : m;
        }
        if (!(mx > 0.0f)) continue;
        if (pv_reserve(&et->out, 16)) {
            et->oom = 1;
            return kept;
        }
        for (uint32_t f = f0; f < f1; f++) {
            float z = pre[f] + s->b_enc[f];
            if (z > cut[f]) {
                et->out.idx[et->out.n] = f;
                et->out.val[et->out.n++] = z;
                kept++;
            }
        }
    }
    return kept;
}

/* Data parallel: each process encodes its contiguous share of the rows; rank 0 gathers all rows
 * (row lengths, indices and values in rank order), the others keep their own rows (the other
 * rows empty): only rank 0 writes files, and a distributed interpretation reads only each
 * process's rows. */
static saetm_status encode_dist(saetm_ctx *ctx, const saetm_sae *s, const saetm_matrix *x, saetm_acts *out)
{
    saetm_status st = saetm__dist_check_finite(ctx, x, "embeddings");
    if (st) return st;
    uint64_t r0, r1;
    saetm__dist_range(x->rows, saetm__dist_rank(), saetm__dist_size(), &r0, &r1);
    saetm_matrix part = *x;
    part.data = x->rows ? x->data + r0 * x->cols : x->data;
    part.rows = r1 - r0;
    saetm_acts mine = {0};
    ctx->dist = 0; /* this process's rows alone */
    st = saetm_sae_encode(ctx, s, &part, &mine);
    ctx->dist = 1;
    st = saetm__dist_agree(ctx, st);
    uint64_t *row_ptr = NULL;
    uint32_t *idx = NULL;
    float *val = NULL;
    if (!st && saetm__dist_gather_csr(x->rows, part.rows, mine.row_ptr, mine.idx, mine.val, &row_ptr, &idx, &val))
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "encoding: out of memory gathering the activations");
    if (!st) st = saetm_acts_from_csr(ctx, x->rows, s->F, row_ptr, idx, val, out);
    saetm__free_aligned(row_ptr);
    saetm__free_aligned(idx);
    saetm__free_aligned(val);
    saetm_acts_free(&mine);
    return st;
}

saetm_status saetm_sae_encode(saetm_ctx *ctx, const saetm_sae *s, const saetm_matrix *x, saetm_acts *out)
{
    memset(out, 0, sizeof *out);
    if (!x || (!x->data && x->rows)) return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_sae_encode: no input matrix");
    saetm_status st = saetm_sae_check_input(ctx, s, NULL, x->cols);
    if (st) return st;
    if (saetm__dist_on(ctx)) return encode_dist(ctx, s, x, out);
    st = saetm_matrix_check_finite(ctx, x, "embeddings");
    if (st) return st;
    const uint32_t d = s->d, F = s->F;
    const uint64_t N = x->rows;
    uint64_t R = BLOCK_BYTES / ((uint64_t)F * sizeof(float));
    if (R < 64) R = 64;
    if (R > N) R = N ? N : 1;
    int T = saetm__sae_threads(saetm_ctx_threads(ctx), (double)R * F * d);
    /* Estimated peak before allocating: a block of inputs and pre-activations, and the output
     * (row pointers, about k indices and values per row). */
    uint64_t est = R * ((uint64_t)d + F) * sizeof(float) + (N + 1) * sizeof(uint64_t) +
                   N * (uint64_t)(s->k ? s->k : 1) * (sizeof(uint32_t) + sizeof(float));
    st = saetm__mem_check(ctx, est, "encoding");
    if (st) return st;
    float *xc = saetm__calloc_aligned((size_t)R * d, sizeof(float));
    float *pre = saetm__calloc_aligned((size_t)R * F, sizeof(float));
    float *cut = saetm__calloc_aligned(F, sizeof(float));
    uint64_t *row_ptr = calloc((size_t)N + 1, sizeof(uint64_t));
    uint32_t *counts = calloc((size_t)R, sizeof(uint32_t));
    enc_thread *et = calloc((size_t)T, sizeof *et);
    pair_vec all = {0};
    int ok = xc && pre && cut && row_ptr && counts && et;
    for (int t = 0; ok && t < T; t++) {
        et[t].scratch = malloc(SAETM__TOPK_SCRATCH(s->k) * sizeof(saetm__cand));
        et[t].idx = malloc(((size_t)s->k + 1) * sizeof(uint32_t));
        et[t].val = malloc(((size_t)s->k + 1) * sizeof(float));
        ok = et[t].scratch && et[t].idx && et[t].val;
    }
    if (ok)
        for (uint32_t f = 0; f < F; f++) cut[f] = s->theta[f] > 0.0f ? s->theta[f] : 0.0f;
    for (uint64_t r0 = 0; ok && r0 < N; r0 += R) {
        uint32_t nb = (uint32_t)(N - r0 < R ? N - r0 : R);
#pragma omp parallel for num_threads(T) schedule(static)
        for (uint32_t b = 0; b < nb; b++)
            for (uint32_t j = 0; j < d; j++) xc[(size_t)b * d + j] = x->data[(r0 + b) * d + j] - s->b_dec[j];
        saetm__sgemm(T, 0, 1, nb, F, d, 1.0f, xc, d, s->w_enc, d, 0.0f, pre, F);
#pragma omp parallel num_threads(T)
        {
            int t = omp_get_thread_num();
            uint32_t b0 = (uint32_t)((uint64_t)nb * (uint64_t)t / (uint64_t)T);
            uint32_t b1 = (uint32_t)((uint64_t)nb * (uint64_t)(t + 1) / (uint64_t)T);
            et[t].out.n = 0;
            for (uint32_t b = b0; b < b1 && !et[t].oom; b++)
                counts[b] = encode_row(s, pre + (size_t)b * F, cut, &et[t]);
        }
        for (int t = 0; t < T; t++) {
            if (et[t].oom || pv_reserve(&all, et[t].out.n)) {
                ok = 0;
                break;
            }
            memcpy(all.idx + all.n, et[t].out.idx, et[t].out.n * sizeof(uint32_t));
            memcpy(all.val + all.n, et[t].out.val, et[t].out.n * sizeof(float));
            all.n += et[t].out.n;
        }
        for (uint32_t b = 0; b < nb; b++) row_ptr[r0 + b + 1] = row_ptr[r0 + b] + counts[b];
        if (saetm__progress(ctx, "encode", r0 + nb, N)) {
            st = saetm__fail(ctx, SAETM_ERR_INTERRUPTED, "encoding interrupted");
            break;
        }
    }
    if (!ok) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "encoding: out of memory (%llu rows x %u features)",
                              (unsigned long long)N, F);
    if (!st) st = saetm_acts_from_csr(ctx, N, F, row_ptr, all.idx ? all.idx : (uint32_t *)counts,
                                      all.val ? all.val : (float *)cut, out);
    for (int t = 0; et && t < T; t++) {
        free(et[t].out.idx);
        free(et[t].out.val);
        free(et[t].scratch);
        free(et[t].idx);
        free(et[t].val);
    }
    free(et);
    free(all.idx);
    free(all.val);
    free(counts);
    free(row_ptr);
    saetm__free_aligned(cut);
    saetm__free_aligned(xc);
    saetm__free_aligned(pre);
    return st;
}
