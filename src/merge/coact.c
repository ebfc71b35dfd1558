/*
 * coact.c - merging features by co-activation (docs/method.md 2.6): features that fire together in
 * the same documents form a topic. The features firing in at least min_docs documents are kept;
 * the Pearson correlation of their columns of theta (activations normalised per document) over the
 * taking-part documents is computed for every pair that co-occurs in some document (a sparse
 * pass, O(N k^2) for k active features per document), each feature keeps its `neighbors` most
 * correlated partners (positive correlation only), and the union of these lists is the affinity
 * graph W. Spectral clustering (Ng, Jordan, Weiss) with degree regularisation (Qin, Rohe):
 * M = (D + t I)^-1/2 W (D + t I)^-1/2, t the mean degree; the top k eigenvectors of M by
 * subspace iteration on (I + M) / 2 with Rayleigh-Ritz; rows normalised to unit length; weighted
 * k-means (weights theta_avg) on them. Features left out (too few documents, or no positive
 * correlation with any kept feature) join the topic they co-activate with most (the largest
 * sum_d theta_{d,f} theta_{d,g} summed over the topic's clustered features g), or are dropped when
 * they co-activate with none (or always, with rare_drop).
 *
 * Determinism: every sum is per row in a fixed order, products of dense blocks go through
 * saetm__sgemm, the start is drawn from the counter-based RNG per feature: the result does not
 * depend on the thread count. With SAETM_COACT_INIT_PIVOT it does not depend on the seed either:
 * the start vectors are those of a fixed seed, and the k-means starts at the rows chosen by
 * pivoted Gram-Schmidt (saetm__pivot_seeds) and runs once (docs/topics.md, "Seed stability").
 */
#include "merge_int.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

enum { STAGE_COACT = 0xc0ac, SPECTRAL_ITER = 30, OVERSAMPLE = 12, CHEB_DEGREE = 8 };
/* SAETM_COACT_INIT_PIVOT: the eigenvector iteration starts from the vectors of this seed, whatever
 * the seed asked for (the default seed, so that seed 1 gives the same embedding either way). */
enum { PIVOT_START_SEED = 1 };
#define SPECTRAL_TOL 1e-4

typedef struct edge {
    float w;
    uint32_t g;
} edge;

static int cmp_edge_desc(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->w != b->w) return a->w > b->w ? -1 : 1;
    return (a->g > b->g) - (a->g < b->g);
}

static int cmp_edge_col(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->g != b->g) return (a->g > b->g) - (a->g < b->g);
    return (a->w < b->w) - (a->w > b->w); /* larger weight first: deduplication keeps the max */
}

/* Reorder e[0..n) so that its first m entries are the m first in cmp_edge_desc order (a total
 * order, so the set is unique), in no particular order: quickselect, expected O(n). */
static void select_top(edge *e, uint64_t n, uint64_t m)
{
    uint64_t lo = 0, hi = n;
    while (hi - lo > 1 && m > lo && m < hi) {
        edge pv = e[lo + (hi - lo) / 2];
        uint64_t i = lo, j = hi; /* [lo, i) before the pivot, [j, hi) after it */
        uint64_t q = lo;
        while (q < j) {
            int c = cmp_edge_desc(&e[q], &pv);
            if (c < 0) {
                edge t = e[q];
                e[q++] = e[i];
                e[i++] = t;
            } else if (c > 0) {
                edge t = e[q];
                e[q] = e[--j];
                e[j] = t;
            } else {
                q++;
            }
        }
        if (m <= i) hi = i;
        else if (m >= j) lo = j;
        else return; /* the pivot (unique) sits at m - 1 .. m: done */
    }
}

void saetm__theta_cols_free(saetm__theta_cols *c)
{
    saetm__free_aligned(c->ptr);
    saetm__free_aligned(c->doc);
    saetm__free_aligned(c->val);
}

saetm_status saetm__theta_cols_build(saetm_ctx *ctx, const saetm_acts *th, saetm__theta_cols *c)
{
    uint32_t F = th->n_features;
    uint64_t nnz = th->row_ptr[th->rows];
    c->ptr = saetm__calloc_aligned((size_t)F + 1, sizeof *c->ptr);
    c->doc = saetm__calloc_aligned(nnz ? nnz : 1, sizeof *c->doc);
    c->val = saetm__calloc_aligned(nnz ? nnz : 1, sizeof *c->val);
    uint64_t *fill = saetm__calloc_aligned((size_t)F + 1, sizeof *fill);
    if (!c->ptr || !c->doc || !c->val || !fill) {
        saetm__free_aligned(fill);
        saetm__theta_cols_free(c);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory for the activation columns");
    }
    for (uint64_t j = 0; j < nnz; j++) c->ptr[th->idx[j] + 1]++;
    for (uint32_t f = 0; f < F; f++) c->ptr[f + 1] += c->ptr[f];
    memcpy(fill, c->ptr, ((size_t)F + 1) * sizeof *fill);
    for (uint64_t d = 0; d < th->rows; d++)
        for (uint64_t j = th->row_ptr[d]; j < th->row_ptr[d + 1]; j++) {
            uint64_t at = fill[th->idx[j]]++;
            c->doc[at] = (uint32_t)d;
            c->val[at] = th->val[j];
        }
    saetm__free_aligned(fill);
    return SAETM_OK;
}

saetm_status saetm__coact_join(saetm_ctx *ctx, const saetm_acts *th, const saetm__theta_cols *col, const uint32_t *label,
                               uint32_t K, uint32_t pending, uint32_t *best)
{
    int nt = saetm_ctx_threads(ctx), fail = 0;
    uint32_t F = th->n_features;
#pragma omp parallel num_threads(nt) reduction(| : fail)
    {
        double *acc = calloc(K ? K : 1, sizeof *acc);
        if (!acc) fail = 1;
#pragma omp for schedule(dynamic, 16)
        for (int64_t fi = 0; fi < (int64_t)F; fi++) {
            uint32_t f = (uint32_t)fi;
            best[f] = label[f];
            if (fail || label[f] != pending) continue;
            best[f] = UINT32_MAX;
            memset(acc, 0, (size_t)K * sizeof *acc);
            for (uint64_t j = col->ptr[f]; j < col->ptr[f + 1]; j++) {
                uint64_t d = col->doc[j];
                for (uint64_t q = th->row_ptr[d]; q < th->row_ptr[d + 1]; q++) {
                    uint32_t h = th->idx[q];
                    if (h != f && label[h] < K) acc[label[h]] += (double)col->val[j] * th->val[q];
                }
            }
            double bv = 0;
            for (uint32_t c = 0; c < K; c++)
                if (acc[c] > bv) bv = acc[c], best[f] = c;
        }
        free(acc);
    }
    return fail ? saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory") : SAETM_OK;
}

/* Cholesky-QR of the n x p row-major X in place (X = Q R, X := Q), with a small shift so that a
 * rank-deficient block still factors. y: n x p, g: p x p floats, r: p x p doubles (scratch). */
static void cholqr(int nt, float *x, float *y, uint64_t n, uint32_t p, float *g, double *r)
{
    saetm__sgemm(nt, 1, 0, p, p, n, 1.0f, x, p, x, p, 0.0f, g, p);
    double tr = 0;
    for (uint32_t i = 0; i < p; i++) tr += g[(size_t)i * p + i];
    double shift = 1e-6 * tr / p + 1e-30;
    /* Cholesky G + shift I = L L^T (lower, in r). */
    for (uint32_t i = 0; i < p; i++)
        for (uint32_t j = 0; j <= i; j++) {
            double s = 0.5 * ((double)g[(size_t)i * p + j] + g[(size_t)j * p + i]) + (i == j ? shift : 0);
            for (uint32_t q = 0; q < j; q++) s -= r[(size_t)i * p + q] * r[(size_t)j * p + q];
            if (i == j) r[(size_t)i * p + i] = sqrt(s > shift ? s : shift);
            else r[(size_t)i * p + j] = s / r[(size_t)j * p + j];
        }
    /* Inverse of L (lower) in place, then X := X L^-T. */
    for (uint32_t i = 0; i < p; i++) {
        r[(size_t)i * p + i] = 1.0 / r[(size_t)i * p + i];
        for (uint32_t j = 0; j < i; j++) {
            double s = 0;
            for (uint32_t q = j; q < i; q++) s -= r[(size_t)i * p + q] * r[(size_t)q * p + j];
            r[(size_t)i * p + j] = s * r[(size_t)i * p + i];
        }
    }
    for (uint32_t i = 0; i < p; i++) /* g := L^-T (upper) */
        for (uint32_t j = 0; j < p; j++) g[(size_t)i * p + j] = j >= i ? (float)r[(size_t)j * p + i] : 0.0f;
    memcpy(y, x, (size_t)n * p * sizeof *y);
    saetm__sgemm(nt, 0, 0, n, p, p, 1.0f, y, p, g, p, 0.0f, x, p);
}

/* Eigen-decomposition of the symmetric p x p matrix a (destroyed) by cyclic Jacobi: eigenvalues
 * in ev, eigenvectors in the columns of v (p x p, row-major). */
static void jacobi(double *a, uint32_t p, double *ev, double *v)
{
    for (uint32_t i = 0; i < p; i++)
        for (uint32_t j = 0; j < p; j++) v[(size_t)i * p + j] = i == j;
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0, tot = 0;
        for (uint32_t i = 0; i < p; i++)
            for (uint32_t j = 0; j < p; j++) {
                double x = a[(size_t)i * p + j] * a[(size_t)i * p + j];
                tot += x;
                if (i != j) off += x;
            }
        if (off <= 1e-24 * tot || off == 0) break;
        for (uint32_t i = 0; i + 1 < p; i++)
            for (uint32_t j = i + 1; j < p; j++) {
                double aij = a[(size_t)i * p + j];
                if (fabs(aij) < 1e-300) continue;
                double th = (a[(size_t)j * p + j] - a[(size_t)i * p + i]) / (2 * aij);
                double t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (uint32_t q = 0; q < p; q++) { /* columns i, j */
                    double x = a[(size_t)q * p + i], y = a[(size_t)q * p + j];
                    a[(size_t)q * p + i] = c * x - s * y;
                    a[(size_t)q * p + j] = s * x + c * y;
                }
                for (uint32_t q = 0; q < p; q++) { /* rows i, j */
                    double x = a[(size_t)i * p + q], y = a[(size_t)j * p + q];
                    a[(size_t)i * p + q] = c * x - s * y;
                    a[(size_t)j * p + q] = s * x + c * y;
                }
                for (uint32_t q = 0; q < p; q++) {
                    double x = v[(size_t)q * p + i], y = v[(size_t)q * p + j];
                    v[(size_t)q * p + i] = c * x - s * y;
                    v[(size_t)q * p + j] = s * x + c * y;
                }
            }
    }
    for (uint32_t i = 0; i < p; i++) ev[i] = a[(size_t)i * p + i];
}

/* One Chebyshev step on the n x p block x, M in CSR (ptr, col, w): y = a (M - c I) x - z, with
 * z = 0 when NULL. */
static void cheb_step(int nt, const uint64_t *ptr, const uint32_t *col, const float *w, uint64_t n, uint32_t p,
                      const float *x, const float *z, float *y, float a, float c)
{
#pragma omp parallel for schedule(dynamic, 64) num_threads(nt)
    for (int64_t ii = 0; ii < (int64_t)n; ii++) {
        uint64_t i = (uint64_t)ii;
        float *yi = y + i * p;
        const float *xi = x + i * p;
        for (uint32_t q = 0; q < p; q++) yi[q] = -c * xi[q];
        for (uint64_t j = ptr[i]; j < ptr[i + 1]; j++) {
            float wj = w[j];
            const float *xj = x + (size_t)col[j] * p;
            for (uint32_t q = 0; q < p; q++) yi[q] += wj * xj[q];
        }
        if (z) {
            const float *zi = z + i * p;
            for (uint32_t q = 0; q < p; q++) yi[q] = a * yi[q] - zi[q];
        } else {
            for (uint32_t q = 0; q < p; q++) yi[q] *= a;
        }
    }
}

/* Rayleigh-Ritz on the orthonormal n x p block x: x := x V with V the eigenvectors of x^T M x,
 * Ritz values descending (ties: lower index) into theta. y: n x p scratch; g, r, vv, ev: p x p / p. */
static void rayleigh_ritz(int nt, const uint64_t *ptr, const uint32_t *col, const float *w, uint64_t n, uint32_t p,
                          float *x, float *y, float *g, double *r, double *vv, double *ev, double *theta)
{
    cheb_step(nt, ptr, col, w, n, p, x, NULL, y, 1.0f, 0.0f);
    saetm__sgemm(nt, 1, 0, p, p, n, 1.0f, x, p, y, p, 0.0f, g, p); /* H = X^T M X */
    for (uint32_t i = 0; i < p; i++)
        for (uint32_t j = 0; j < p; j++) r[(size_t)i * p + j] = 0.5 * ((double)g[(size_t)i * p + j] + g[(size_t)j * p + i]);
    jacobi(r, p, ev, vv);
    uint32_t *ord = malloc(p * sizeof *ord);
    if (!ord) return;
    for (uint32_t i = 0; i < p; i++) ord[i] = i;
    for (uint32_t i = 1; i < p; i++) {
        uint32_t v = ord[i], j = i;
        while (j > 0 && ev[ord[j - 1]] < ev[v]) ord[j] = ord[j - 1], j--;
        ord[j] = v;
    }
    for (uint32_t i = 0; i < p; i++) {
        theta[i] = ev[ord[i]];
        for (uint32_t j = 0; j < p; j++) g[(size_t)i * p + j] = (float)vv[(size_t)i * p + ord[j]];
    }
    free(ord);
    memcpy(y, x, (size_t)n * p * sizeof *y);
    saetm__sgemm(nt, 0, 0, n, p, p, 1.0f, y, p, g, p, 0.0f, x, p);
}

/* ---- co-activation clustering, by phase --------------------------------------------------- */

/* State of one saetm__coact_cluster call, filled phase by phase (each phase runs only when the
 * ones before it succeeded; coact_free releases whatever was made). */
typedef struct coact {
    saetm_ctx *ctx;
    const saetm_acts *th;
    const float *ta;
    const saetm_topics_opts *o;
    uint32_t F, K;
    int nt, pivot;
    uint32_t *cid, *feat; /* kept feature f has index cid[f] = c, feat[c] = f */
    uint64_t n, np, nb;   /* kept features, taking-part documents, partners kept per feature */
    saetm__theta_cols col;
    edge *lists;          /* n x nb: each kept feature's most correlated partners */
    uint32_t *llen;
    uint64_t *gptr;       /* the affinity graph (CSR over kept features) */
    uint32_t *gcol;
    float *gw;
    float *u;             /* n x K spectral embedding */
} coact;

static void coact_free(coact *cs)
{
    void *tmp[] = {cs->cid, cs->feat, cs->lists, cs->llen, cs->gptr, cs->gcol, cs->gw, cs->u};
    for (size_t i = 0; i < sizeof tmp / sizeof tmp[0]; i++) saetm__free_aligned(tmp[i]);
    saetm__theta_cols_free(&cs->col);
}

/* Keep the features firing in at least min_docs documents; check memory and that K fit. */
static saetm_status keep_features(coact *cs, const uint32_t *dfreq)
{
    const saetm_acts *th = cs->th;
    const uint32_t F = cs->F, K = cs->K;
    cs->cid = saetm__calloc_aligned(F, sizeof *cs->cid);
    cs->feat = saetm__calloc_aligned(F, sizeof *cs->feat);
    if (!cs->cid || !cs->feat) return saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    uint64_t n = 0, np = 0;
    for (uint32_t f = 0; f < F; f++) {
        cs->cid[f] = UINT32_MAX;
        if (cs->ta[f] > 0 && dfreq[f] >= cs->o->min_docs) cs->cid[f] = (uint32_t)n, cs->feat[n++] = f;
    }
    for (uint64_t d = 0; d < th->rows; d++) np += th->row_ptr[d + 1] > th->row_ptr[d];
    cs->n = n;
    cs->np = np;
    cs->nb = cs->o->neighbors < n ? cs->o->neighbors : (n ? n - 1 : 0);
    saetm_status st = saetm__mem_check(cs->ctx, (uint64_t)n * cs->nb * 24 + (uint64_t)n * (K + OVERSAMPLE) * 16 +
                                                    (cs->pivot ? (uint64_t)n * K * 8 : 0) +
                                                    (uint64_t)th->row_ptr[th->rows] * 8, "co-activation merging");
    if (!st && n < K)
        st = saetm__fail(cs->ctx, SAETM_ERR_ARG, "topics: %u topics asked but only %llu features fire in at least %u "
                         "documents; lower --k or --min-doc-freq", K, (unsigned long long)n, cs->o->min_docs);
    if (!st) st = saetm__theta_cols_build(cs->ctx, th, &cs->col);
    saetm__log(cs->ctx, SAETM_LOG_DEBUG, "topics: co-activation: %llu features kept", (unsigned long long)n);
    return st;
}

/* Each kept feature's nb most (positively) correlated partners, from the Pearson correlation of
 * the theta columns over the taking-part documents, into lists / llen. */
static saetm_status neighbour_lists(coact *cs)
{
    const saetm_acts *th = cs->th;
    const saetm__theta_cols *col = &cs->col;
    const uint64_t n = cs->n, np = cs->np, nb = cs->nb;
    const uint32_t *cid = cs->cid, *feat = cs->feat;
    double *mu = saetm__calloc_aligned((size_t)n, sizeof *mu);
    double *sd = saetm__calloc_aligned((size_t)n, sizeof *sd);
    edge *lists = cs->lists = saetm__calloc_aligned((size_t)n * (nb ? nb : 1), sizeof *lists);
    uint32_t *llen = cs->llen = saetm__calloc_aligned((size_t)n, sizeof *llen);
    int fail = !mu || !sd || !lists || !llen;
    for (uint64_t c = 0; !fail && c < n; c++) {
        double s = 0, s2 = 0;
        for (uint64_t j = col->ptr[feat[c]]; j < col->ptr[feat[c] + 1]; j++)
            s += col->val[j], s2 += (double)col->val[j] * col->val[j];
        mu[c] = s / (double)np;
        double v = s2 / (double)np - mu[c] * mu[c];
        sd[c] = v > 0 ? sqrt(v) : 0;
    }
    if (!fail) {
#pragma omp parallel num_threads(cs->nt) reduction(| : fail)
        {
            double *acc = calloc(n, sizeof *acc);
            uint32_t *touched = malloc(n * sizeof *touched);
            edge *cand = malloc(n * sizeof *cand);
            if (!acc || !touched || !cand) fail = 1;
#pragma omp for schedule(dynamic, 16)
            for (int64_t ci = 0; ci < (int64_t)n; ci++) {
                if (fail) continue;
                uint64_t c = (uint64_t)ci, nt_ = 0, nc = 0;
                uint32_t f = feat[c];
                for (uint64_t j = col->ptr[f]; j < col->ptr[f + 1]; j++) {
                    uint64_t d = col->doc[j];
                    double x = col->val[j];
                    for (uint64_t q = th->row_ptr[d]; q < th->row_ptr[d + 1]; q++) {
                        uint32_t g = cid[th->idx[q]];
                        if (g == UINT32_MAX || g == c) continue;
                        if (acc[g] == 0) touched[nt_++] = g;
                        acc[g] += x * th->val[q];
                        if (acc[g] == 0) acc[g] = 1e-300; /* stays marked */
                    }
                }
                for (uint64_t q = 0; q < nt_; q++) {
                    uint32_t g = touched[q];
                    double cov = acc[g] / (double)np - mu[c] * mu[g];
                    acc[g] = 0;
                    if (!(sd[c] > 0 && sd[g] > 0)) continue;
                    double r = cov / (sd[c] * sd[g]);
                    if (r > 0) cand[nc].w = (float)(r < 1 ? r : 1), cand[nc++].g = g;
                }
                if (nc > nb) select_top(cand, nc, nb);
                uint64_t keep = nc < nb ? nc : nb;
                memcpy(lists + c * nb, cand, keep * sizeof *cand);
                llen[c] = (uint32_t)keep;
            }
            free(acc);
            free(touched);
            free(cand);
        }
    }
    saetm__free_aligned(mu);
    saetm__free_aligned(sd);
    if (fail) return saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory for the co-activation graph");
    saetm__log(cs->ctx, SAETM_LOG_DEBUG, "topics: co-activation: neighbour lists");
    return SAETM_OK;
}

/* The symmetric graph gptr / gcol / gw: the union of the lists (the larger weight where both list
 * a pair, i.e. the first after sorting by partner); the lists are freed. */
static saetm_status symmetric_graph(coact *cs)
{
    const uint64_t n = cs->n, nb = cs->nb;
    const edge *lists = cs->lists;
    const uint32_t *llen = cs->llen;
    saetm_status st = SAETM_OK;
    uint64_t *gptr = cs->gptr = saetm__calloc_aligned((size_t)n + 1, sizeof *gptr);
    uint64_t tot = 0;
    for (uint64_t c = 0; c < n; c++) tot += llen[c];
    edge *ge = saetm__calloc_aligned((size_t)(2 * tot + 1), sizeof *ge);
    if (!gptr || !ge) st = saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory for the co-activation graph");
    if (!st) {
        for (uint64_t c = 0; c < n; c++) {
            gptr[c + 1] += llen[c];
            for (uint32_t q = 0; q < llen[c]; q++) gptr[lists[c * nb + q].g + 1]++;
        }
        for (uint64_t c = 0; c < n; c++) gptr[c + 1] += gptr[c];
        uint64_t *fill = saetm__calloc_aligned((size_t)n + 1, sizeof *fill);
        if (!fill) st = saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory for the co-activation graph");
        for (uint64_t c = 0; fill && c < n; c++) fill[c] = gptr[c];
        for (uint64_t c = 0; fill && c < n; c++)
            for (uint32_t q = 0; q < llen[c]; q++) {
                edge e = lists[c * nb + q];
                ge[fill[c]++] = e;
                ge[fill[e.g]++] = (edge){e.w, (uint32_t)c};
            }
        saetm__free_aligned(fill);
    }
    saetm__free_aligned(cs->lists);
    cs->lists = NULL;
    if (!st) {
#pragma omp parallel for schedule(dynamic, 64) num_threads(cs->nt)
        for (int64_t ci = 0; ci < (int64_t)n; ci++)
            qsort(ge + gptr[ci], (size_t)(gptr[ci + 1] - gptr[ci]), sizeof *ge, cmp_edge_col);
        /* Deduplicate in place, compacting the rows. */
        uint64_t at = 0;
        for (uint64_t c = 0; c < n; c++) {
            uint64_t b = gptr[c], e = gptr[c + 1];
            gptr[c] = at;
            for (uint64_t j = b; j < e; j++)
                if (j == b || ge[j].g != ge[j - 1].g) ge[at++] = ge[j];
        }
        gptr[n] = at;
        cs->gcol = saetm__calloc_aligned((size_t)(at + 1), sizeof *cs->gcol);
        cs->gw = saetm__calloc_aligned((size_t)(at + 1), sizeof *cs->gw);
        if (!cs->gcol || !cs->gw) st = saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory for the co-activation graph");
        for (uint64_t j = 0; !st && j < at; j++) cs->gcol[j] = ge[j].g, cs->gw[j] = ge[j].w;
    }
    saetm__free_aligned(ge);
    return st;
}

/* Normalised affinity M = (D + t I)^-1/2 W (D + t I)^-1/2 in place of gw, t the mean degree;
 * isolated features are not clustered, and at least K must not be. */
static saetm_status normalise_graph(coact *cs)
{
    const uint64_t n = cs->n, *gptr = cs->gptr;
    double *deg = saetm__calloc_aligned((size_t)n, sizeof *deg);
    if (!deg) return saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    uint64_t ncl = 0, isolated = 0;
    double dsum = 0;
    for (uint64_t c = 0; c < n; c++) {
        for (uint64_t j = gptr[c]; j < gptr[c + 1]; j++) deg[c] += cs->gw[j];
        dsum += deg[c];
        if (deg[c] > 0) ncl++;
        else isolated++;
    }
    double tau = dsum / (double)n;
    for (uint64_t c = 0; c < n; c++) deg[c] = 1 / sqrt(deg[c] + tau);
    for (uint64_t c = 0; c < n; c++)
        for (uint64_t j = gptr[c]; j < gptr[c + 1]; j++) cs->gw[j] = (float)(deg[c] * cs->gw[j] * deg[cs->gcol[j]]);
    saetm__free_aligned(deg);
    saetm__log(cs->ctx, SAETM_LOG_INFO,
               "topics: co-activation graph of %llu features (in >= %u documents) with %llu edges (%llu neighbours "
               "each at most), %llu features without a positively correlated partner",
               (unsigned long long)n, cs->o->min_docs, (unsigned long long)gptr[n] / 2, (unsigned long long)cs->nb,
               (unsigned long long)isolated);
    if (ncl < cs->K)
        return saetm__fail(cs->ctx, SAETM_ERR_ARG, "topics: %u topics asked but only %llu features co-activate with "
                           "another kept feature; lower --k or --min-doc-freq", cs->K, (unsigned long long)ncl);
    return SAETM_OK;
}

/* Top K eigenvectors of M into u (n x K) by Chebyshev-filtered subspace iteration with
 * Rayleigh-Ritz: the filter T_m((M - c) / e) damps the interval [-1, cut] (cut: the smallest Ritz
 * value of the block) and amplifies the eigenvalues above it. Stops when the K leading Ritz values
 * move less than SPECTRAL_TOL. */
static saetm_status spectral_embedding(coact *cs)
{
    const uint64_t n = cs->n, *gptr = cs->gptr;
    const uint32_t K = cs->K, *gcol = cs->gcol;
    const float *gw = cs->gw;
    const int nt = cs->nt;
    uint32_t p = (uint32_t)(K + OVERSAMPLE < n ? K + OVERSAMPLE : n);
    float *x = saetm__calloc_aligned((size_t)n * p, sizeof *x);
    float *y = saetm__calloc_aligned((size_t)n * p, sizeof *y);
    float *z = saetm__calloc_aligned((size_t)n * p, sizeof *z);
    float *g = saetm__calloc_aligned((size_t)p * p, sizeof *g);
    double *r = saetm__calloc_aligned((size_t)p * p, sizeof *r);
    double *ev = saetm__calloc_aligned(p, sizeof *ev);
    double *theta = saetm__calloc_aligned(2 * (size_t)p, sizeof *theta);
    double *vv = saetm__calloc_aligned((size_t)p * p, sizeof *vv);
    saetm_status st = SAETM_OK;
    if (!x || !y || !z || !g || !r || !ev || !theta || !vv)
        st = saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory for the spectral embedding");
    if (!st) {
        for (uint64_t c = 0; c < n; c++) {
            saetm__rng rng;
            saetm__rng_init(&rng, cs->pivot ? PIVOT_START_SEED : cs->o->seed, STAGE_COACT, c);
            for (uint32_t q = 0; q < p; q++) x[c * p + q] = gptr[c + 1] > gptr[c] ? (float)saetm__rng_normal(&rng) : 0.0f;
        }
        cholqr(nt, x, y, n, p, g, r);
        rayleigh_ritz(nt, gptr, gcol, gw, n, p, x, y, g, r, vv, ev, theta);
        int it = 0;
        double moved = 1;
        for (; it < SPECTRAL_ITER && moved > SPECTRAL_TOL; it++) {
            double cut = theta[p - 1]; /* damp [-1, cut]: the eigenvalues of M lie in [-1, 1] */
            double c0 = (cut - 1.0) / 2, e = (cut + 1.0) / 2;
            if (!(e > 1e-6)) break;
            /* y1 = (M - c) x / e; y_{j+1} = 2 (M - c) y_j / e - y_{j-1} */
            float *y0 = x, *y1 = y, *y2 = z;
            cheb_step(nt, gptr, gcol, gw, n, p, y0, NULL, y1, (float)(1 / e), (float)c0);
            for (int j = 2; j <= CHEB_DEGREE; j++) {
                cheb_step(nt, gptr, gcol, gw, n, p, y1, y0, y2, (float)(2 / e), (float)c0);
                float *t0 = y0;
                y0 = y1;
                y1 = y2;
                y2 = t0;
            }
            if (y1 != x) memcpy(x, y1, (size_t)n * p * sizeof *x);
            cholqr(nt, x, y, n, p, g, r);
            double *prev = theta + p;
            for (uint32_t i = 0; i < K; i++) prev[i] = theta[i];
            rayleigh_ritz(nt, gptr, gcol, gw, n, p, x, y, g, r, vv, ev, theta);
            moved = 0;
            for (uint32_t i = 0; i < K; i++) moved = fmax(moved, fabs(theta[i] - prev[i]));
        }
        saetm__log(cs->ctx, SAETM_LOG_DEBUG, "topics: spectral embedding after %d filter rounds, eigenvalues of M %.4f .. %.4f "
                   "(block of %u down to %.4f)", it, theta[0], theta[K - 1], p, theta[p - 1]);
        cs->u = saetm__calloc_aligned((size_t)n * K, sizeof *cs->u);
        if (!cs->u) st = saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory for the spectral embedding");
    }
    for (uint64_t c = 0; !st && c < n; c++) /* the K leading Ritz vectors: the first K columns of x */
        memcpy(cs->u + c * K, x + c * p, (size_t)K * sizeof *cs->u);
    void *tmp[] = {x, y, z, g, r, ev, theta, vv};
    for (size_t i = 0; i < sizeof tmp / sizeof tmp[0]; i++) saetm__free_aligned(tmp[i]);
    return st;
}

/* Weighted k-means (weights theta_avg) on the rows of u of the clustered features, normalised to
 * unit length: their labels. */
static saetm_status cluster_embedding(coact *cs, uint32_t *label)
{
    const uint64_t n = cs->n;
    const uint32_t K = cs->K;
    float *x = saetm__calloc_aligned((size_t)n * K, sizeof *x);
    uint64_t *sel = saetm__calloc_aligned((size_t)n, sizeof *sel);
    double *w = saetm__calloc_aligned((size_t)n, sizeof *w);
    uint32_t *assign = saetm__calloc_aligned((size_t)n, sizeof *assign);
    float *cent = saetm__calloc_aligned((size_t)K * K, sizeof *cent);
    saetm_status st = SAETM_OK;
    if (!x || !sel || !w || !assign || !cent) st = saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    uint64_t m = 0;
    for (uint64_t c = 0; !st && c < n; c++) {
        if (cs->gptr[c + 1] == cs->gptr[c]) continue;
        float *row = cs->u + c * K;
        double s = saetm__dot(row, row, K);
        if (!(s > 0)) continue;
        float inv = (float)(1 / sqrt(s));
        for (uint32_t q = 0; q < K; q++) x[m * K + q] = row[q] * inv; /* compact, in point order */
        sel[m] = c;
        w[m++] = cs->ta[cs->feat[c]];
    }
    if (!st && m < K)
        st = saetm__fail(cs->ctx, SAETM_ERR_ARG, "topics: only %llu features could be embedded for %u topics; lower --k",
                         (unsigned long long)m, K);
    saetm__points pts = {m, K, x, NULL, NULL, NULL, NULL, w};
    double inertia = 0;
    if (!st && cs->pivot) { /* seed-independent: Lloyd from the pivoted Gram-Schmidt rows */
        st = saetm__pivot_seeds(cs->ctx, &pts, K, cent, NULL);
        if (!st) st = saetm__kmeans_from(cs->ctx, &pts, K, cs->o->max_iter, assign, cent, &inertia);
    } else if (!st) {
        st = saetm__kmeans(cs->ctx, &pts, K, cs->o->restarts, cs->o->max_iter, cs->o->seed, assign, cent, &inertia);
    }
    for (uint64_t i = 0; !st && i < m; i++) label[cs->feat[sel[i]]] = assign[i];
    if (!st)
        saetm__log(cs->ctx, SAETM_LOG_INFO, "topics: spectral clustering of %llu co-activating features, weighted inertia %.6g%s",
                   (unsigned long long)m, inertia, cs->pivot ? " (pivoted start: independent of the seed)" : "");
    void *tmp[] = {x, sel, w, assign, cent};
    for (size_t i = 0; i < sizeof tmp / sizeof tmp[0]; i++) saetm__free_aligned(tmp[i]);
    return st;
}

/* The features not clustered join the topic they co-activate with most (the largest
 * sum_d theta_{d,f} theta_{d,g} over the topic's clustered features g), or are dropped. */
static saetm_status join_rest(coact *cs, uint32_t *label)
{
    const uint32_t F = cs->F;
    const float *ta = cs->ta;
    uint64_t joined = 0, dropped = 0;
    double mass_joined = 0, mass_dropped = 0;
    uint32_t *best = saetm__calloc_aligned(F, sizeof *best);
    if (!best) return saetm__fail(cs->ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    saetm_status st = SAETM_OK;
    if (cs->o->rare_drop)
        for (uint32_t f = 0; f < F; f++) best[f] = label[f];
    else
        st = saetm__coact_join(cs->ctx, cs->th, &cs->col, label, cs->K, UINT32_MAX, best);
    for (uint32_t f = 0; !st && f < F; f++) {
        if (!(ta[f] > 0) || label[f] != UINT32_MAX) continue;
        if (best[f] != UINT32_MAX) joined++, mass_joined += ta[f];
        else dropped++, mass_dropped += ta[f];
    }
    for (uint32_t f = 0; !st && f < F; f++)
        if (best[f] != UINT32_MAX && ta[f] > 0 && label[f] == UINT32_MAX) label[f] = best[f];
    saetm__free_aligned(best);
    if (!st && joined + dropped)
        saetm__log(cs->ctx, SAETM_LOG_INFO,
                   "topics: %llu features not clustered (in < %u documents, or no correlated partner): %llu (mass "
                   "%.4f) joined the topic they co-activate with most, %llu (mass %.4f) dropped%s",
                   (unsigned long long)(joined + dropped), cs->o->min_docs, (unsigned long long)joined, mass_joined,
                   (unsigned long long)dropped, mass_dropped,
                   cs->o->rare_drop ? " (--rare drop)" : " (they co-activate with no clustered feature)");
    return st;
}

saetm_status saetm__coact_cluster(saetm_ctx *ctx, const saetm_acts *th, const float *ta, const uint32_t *dfreq,
                                  const saetm_topics_opts *o, uint32_t *label)
{
    coact cs = {.ctx = ctx, .th = th, .ta = ta, .o = o, .F = th->n_features, .K = o->k,
                .nt = saetm_ctx_threads(ctx), .pivot = o->coact_init == SAETM_COACT_INIT_PIVOT};
    for (uint32_t f = 0; f < cs.F; f++) label[f] = UINT32_MAX;
    saetm_status st = keep_features(&cs, dfreq);
    if (!st) st = neighbour_lists(&cs);
    if (!st) st = symmetric_graph(&cs);
    if (!st) st = normalise_graph(&cs);
    if (!st) st = spectral_embedding(&cs);
    if (!st) st = cluster_embedding(&cs, label);
    if (!st) st = join_rest(&cs, label);
    coact_free(&cs);
    return st;
}
