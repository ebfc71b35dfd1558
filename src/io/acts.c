/*
 * acts.c - sparse activations (CSR) in memory and in .sac files (magic SAETMACT, version 1).
 *
 * Sections: "row_ptr" u64 (rows+1), "idx" u32 (nnz), "val" f32 (nnz), "shape" u64 [rows, F].
 */
#include "saetm_int.h"
#include "dist/dist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ACTS_MAGIC "SAETMACT"
#define ACTS_VERSION 1

typedef struct acts_owner {
    saetm__creader reader; /* when loaded from a file */
    uint64_t *row_ptr;     /* when built in memory */
    uint32_t *idx;
    float *val;
} acts_owner;

saetm_status saetm__csr_validate_rows(saetm_ctx *ctx, const char *what, uint64_t rows, uint64_t r0, uint64_t r1,
                                     uint32_t nf, const uint64_t *row_ptr, const uint32_t *idx, const float *val,
                                     uint64_t nnz_limit)
{
    if (r0 == 0 && row_ptr[0] != 0) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: row_ptr[0] must be 0", what);
    for (uint64_t r = r0; r < r1; r++) {
        if (row_ptr[r + 1] < row_ptr[r] || row_ptr[r + 1] > nnz_limit)
            return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: row %llu has a bad extent", what, (unsigned long long)r);
        for (uint64_t j = row_ptr[r]; j < row_ptr[r + 1]; j++) {
            if (idx[j] >= nf || (j > row_ptr[r] && idx[j] <= idx[j - 1]))
                return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: row %llu: feature indices must be ascending and < %u",
                                   what, (unsigned long long)r, nf);
            if (!(val[j] >= 0.0f) || !isfinite(val[j]))
                return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: row %llu: activation must be finite and >= 0", what,
                                   (unsigned long long)r);
        }
    }
    if (row_ptr[rows] != nnz_limit)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: row_ptr does not cover the values", what);
    return SAETM_OK;
}

saetm_status saetm__csr_validate(saetm_ctx *ctx, const char *what, uint64_t rows, uint32_t nf,
                                const uint64_t *row_ptr, const uint32_t *idx, const float *val, uint64_t nnz_limit)
{
    return saetm__csr_validate_rows(ctx, what, rows, 0, rows, nf, row_ptr, idx, val, nnz_limit);
}

saetm_status saetm_acts_from_csr(saetm_ctx *ctx, uint64_t rows, uint32_t n_features, const uint64_t *row_ptr,
                                 const uint32_t *idx, const float *val, saetm_acts *out)
{
    memset(out, 0, sizeof *out);
    uint64_t nnz = row_ptr[rows];
    saetm_status st = saetm__csr_validate(ctx, "activations", rows, n_features, row_ptr, idx, val, nnz);
    if (st) return saetm__fail_prefix(ctx, SAETM_ERR_ARG, "saetm_acts_from_csr");
    acts_owner *own = calloc(1, sizeof *own);
    if (own) {
        own->row_ptr = saetm__calloc_aligned((size_t)rows + 1, sizeof(uint64_t));
        own->idx = saetm__calloc_aligned((size_t)nnz, sizeof(uint32_t));
        own->val = saetm__calloc_aligned((size_t)nnz, sizeof(float));
    }
    if (!own || !own->row_ptr || !own->idx || !own->val) {
        out->owner_ = own;
        saetm_acts_free(out);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "activations: out of memory (%llu non-zeros)", (unsigned long long)nnz);
    }
    memcpy(own->row_ptr, row_ptr, ((size_t)rows + 1) * sizeof(uint64_t));
    memcpy(own->idx, idx, (size_t)nnz * sizeof(uint32_t));
    memcpy(own->val, val, (size_t)nnz * sizeof(float));
    out->rows = rows;
    out->n_features = n_features;
    out->row_ptr = own->row_ptr;
    out->idx = own->idx;
    out->val = own->val;
    out->owner_ = own;
    return SAETM_OK;
}

saetm_status saetm_acts_save(saetm_ctx *ctx, const saetm_acts *a, const char *path)
{
    saetm__cwriter *w;
    saetm_status st = saetm__cw_open(ctx, path, ACTS_MAGIC, ACTS_VERSION, &w);
    if (st) return st;
    uint64_t nnz = a->row_ptr[a->rows];
    uint64_t shape[2] = {a->rows, a->n_features};
    if (!st) st = saetm__cw_section(ctx, w, "shape", SAETM__U64, shape, 2, 1);
    if (!st) st = saetm__cw_section(ctx, w, "row_ptr", SAETM__U64, a->row_ptr, a->rows + 1, 1);
    if (!st) st = saetm__cw_section(ctx, w, "idx", SAETM__U32, a->idx, nnz, 1);
    if (!st) st = saetm__cw_section(ctx, w, "val", SAETM__F32, a->val, nnz, 1);
    if (st) {
        saetm__cw_abort(w);
        return st;
    }
    return saetm__cw_commit(ctx, w);
}

saetm_status saetm_acts_load(saetm_ctx *ctx, const char *path, saetm_acts *out)
{
    memset(out, 0, sizeof *out);
    /* Across processes (docs/distributed.md): each process checksums and validates its own rows
     * (and an equal share of the small sections); the job as a whole checks every byte once. */
    const int D = saetm__dist_on(ctx);
    acts_owner *own = calloc(1, sizeof *own);
    saetm_status st = own ? SAETM_OK : saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    if (!st)
        st = D ? saetm__cr_open_unverified(ctx, path, ACTS_MAGIC, ACTS_VERSION, &own->reader)
               : saetm__cr_open(ctx, path, ACTS_MAGIC, ACTS_VERSION, &own->reader);
    int opened = !st;
    const void *shape_p = NULL, *rp = NULL, *ip = NULL, *vp = NULL;
    uint64_t n_shape = 2, n_rp = 0, n_idx = 0, n_val = 0;
    if (!st && D) st = saetm__cr_verify(ctx, &own->reader, "shape");
    if (!st) st = saetm__cr_get(ctx, &own->reader, "shape", SAETM__U64, &shape_p, &n_shape, NULL);
    uint64_t rows = 0, nf = 0;
    if (!st) {
        memcpy(&rows, shape_p, 8);
        memcpy(&nf, (const uint8_t *)shape_p + 8, 8);
        if (nf == 0 || nf > UINT32_MAX || rows == UINT64_MAX)
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: impossible shape", path);
        n_rp = rows + 1;
    }
    if (!st) st = saetm__cr_get(ctx, &own->reader, "row_ptr", SAETM__U64, &rp, &n_rp, NULL);
    if (!st) st = saetm__cr_get(ctx, &own->reader, "idx", SAETM__U32, &ip, &n_idx, NULL);
    if (!st) {
        n_val = n_idx;
        st = saetm__cr_get(ctx, &own->reader, "val", SAETM__F32, &vp, &n_val, NULL);
    }
    uint64_t r0 = 0, r1 = rows;
    if (D) {
        uint64_t *ends = NULL;
        if (!st) {
            saetm__dist_range(rows, saetm__dist_rank(), saetm__dist_size(), &r0, &r1);
            ends = malloc(((size_t)own->reader.n_sections + 1) * sizeof *ends);
            if (!ends) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
        }
        if (!st) {
            /* The row pointer read here is unverified: it only decides who hashes which bytes. */
            uint64_t e = ((const uint64_t *)rp)[r1] < n_idx ? ((const uint64_t *)rp)[r1] : n_idx;
            for (uint32_t i = 0; i < own->reader.n_sections; i++) ends[i] = UINT64_MAX;
            ends[saetm__cr_index(&own->reader, "row_ptr")] = r1;
            ends[saetm__cr_index(&own->reader, "idx")] = e;
            ends[saetm__cr_index(&own->reader, "val")] = e;
        }
        st = saetm__dist_agree(ctx, st);
        if (!st) st = saetm__cr_verify_dist(ctx, &own->reader, ends);
        free(ends);
    }
    if (!st) st = saetm__csr_validate_rows(ctx, path, rows, r0, r1, (uint32_t)nf, rp, ip, vp, n_idx);
    if (D) st = saetm__dist_agree(ctx, st);
    if (st) {
        if (opened) saetm__cr_close(&own->reader);
        free(own);
        return st;
    }
    out->rows = rows;
    out->n_features = (uint32_t)nf;
    out->row_ptr = rp;
    out->idx = ip;
    out->val = vp;
    out->owner_ = own;
    return SAETM_OK;
}

void saetm_acts_free(saetm_acts *a)
{
    if (!a) return;
    acts_owner *own = a->owner_;
    if (own) {
        saetm__cr_close(&own->reader);
        saetm__free_aligned(own->row_ptr);
        saetm__free_aligned(own->idx);
        saetm__free_aligned(own->val);
        free(own);
    }
    memset(a, 0, sizeof *a);
}

saetm_status saetm_acts_from_dense(saetm_ctx *ctx, const saetm_matrix *m, saetm_acts *out)
{
    memset(out, 0, sizeof *out);
    if (m->cols == 0 || m->cols > UINT32_MAX)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "activations: %llu columns (features) is not usable",
                           (unsigned long long)m->cols);
    uint64_t nnz = 0;
    for (uint64_t r = 0; r < m->rows; r++)
        for (uint64_t j = 0; j < m->cols; j++) {
            float x = m->data[r * m->cols + j];
            if (!(x >= 0.0f) || !isfinite(x))
                return saetm__fail(ctx, SAETM_ERR_INPUT, "activations: row %llu, column %llu: %g is not a finite value >= 0",
                                   (unsigned long long)r, (unsigned long long)j, (double)x);
            nnz += x > 0;
        }
    uint64_t *rp = saetm__calloc_aligned((size_t)m->rows + 1, sizeof *rp);
    uint32_t *idx = saetm__calloc_aligned((size_t)nnz, sizeof *idx);
    float *val = saetm__calloc_aligned((size_t)nnz, sizeof *val);
    saetm_status st = SAETM_OK;
    if (!rp || !idx || !val) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "activations: out of memory (%llu non-zeros)", (unsigned long long)nnz);
    } else {
        uint64_t n = 0;
        for (uint64_t r = 0; r < m->rows; r++) {
            for (uint64_t j = 0; j < m->cols; j++)
                if (m->data[r * m->cols + j] > 0) idx[n] = (uint32_t)j, val[n++] = m->data[r * m->cols + j];
            rp[r + 1] = n;
        }
        st = saetm_acts_from_csr(ctx, m->rows, (uint32_t)m->cols, rp, idx, val, out);
    }
    saetm__free_aligned(rp);
    saetm__free_aligned(idx);
    saetm__free_aligned(val);
    return st;
}

const saetm__file_kind saetm__acts_kind = {ACTS_MAGIC, NULL};
