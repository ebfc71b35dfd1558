/*
 * kmeans.c - weighted k-means for topic merging (docs/method.md 2.4): k-means++ seeding with weights,
 * Lloyd iterations, restarts keeping the lowest weighted inertia; or Lloyd from given centroids,
 * e.g. the seed-independent start of pivoted Gram-Schmidt (saetm__pivot_seeds).
 *
 * Points are dense or sparse (CSR) rows; centroids are dense. Squared distances are computed as
 * |x|^2 - 2 x.c + |c|^2. Every sum runs in a fixed order (per point, per cluster over its points in
 * index order), so the result is the same for any thread count.
 */
#include "merge_int.h"

#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

enum { STAGE_KMEANS = 0x4b4d, KM_BLOCK = 8192 };

double saetm__dot(const float *a, const float *b, uint32_t n)
{
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += a[i + j] * b[i + j];
    double s = (((double)acc[0] + acc[1]) + ((double)acc[2] + acc[3])) +
               (((double)acc[4] + acc[5]) + ((double)acc[6] + acc[7]));
    for (; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static inline uint64_t prow(const saetm__points *p, uint64_t i) { return p->sel ? p->sel[i] : i; }

double saetm__point_norm2(const saetm__points *p, uint64_t i)
{
    i = prow(p, i);
    if (p->dense) {
        const float *x = p->dense + i * p->dim;
        return saetm__dot(x, x, p->dim);
    }
    double s = 0;
    for (uint64_t j = p->ptr[i]; j < p->ptr[i + 1]; j++) s += (double)p->val[j] * p->val[j];
    return s;
}

double saetm__point_dot(const saetm__points *p, uint64_t i, const float *c)
{
    i = prow(p, i);
    if (p->dense) return saetm__dot(p->dense + i * p->dim, c, p->dim);
    double s = 0;
    for (uint64_t j = p->ptr[i]; j < p->ptr[i + 1]; j++) s += (double)p->val[j] * c[p->idx[j]];
    return s;
}

void saetm__point_dense(const saetm__points *p, uint64_t i, float *out)
{
    i = prow(p, i);
    if (p->dense) {
        memcpy(out, p->dense + i * p->dim, (size_t)p->dim * sizeof *out);
        return;
    }
    memset(out, 0, (size_t)p->dim * sizeof *out);
    for (uint64_t j = p->ptr[i]; j < p->ptr[i + 1]; j++) out[p->idx[j]] = p->val[j];
}

uint32_t saetm__nearest(const saetm__points *p, uint64_t i, const float *centroids, const double *cnorm2, uint32_t k,
                        double *dist)
{
    double xn = saetm__point_norm2(p, i), best = INFINITY;
    uint32_t arg = 0;
    for (uint32_t c = 0; c < k; c++) {
        double d = xn - 2.0 * saetm__point_dot(p, i, centroids + (size_t)c * p->dim) + cnorm2[c];
        if (d < best) best = d, arg = c;
    }
    if (dist) *dist = best > 0 ? best : 0;
    return arg;
}

saetm_status saetm__centroids(saetm_ctx *ctx, const saetm__points *p, const uint32_t *assign, uint32_t k,
                              float *centroids)
{
    int nt = saetm_ctx_threads(ctx);
    uint64_t *start = saetm__calloc_aligned((size_t)k + 2, sizeof *start);
    uint64_t *order = saetm__calloc_aligned((size_t)p->n, sizeof *order);
    double *acc_all = saetm__calloc_aligned((size_t)nt * p->dim, sizeof *acc_all);
    if (!start || !order || !acc_all) {
        saetm__free_aligned(start);
        saetm__free_aligned(order);
        saetm__free_aligned(acc_all);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "k-means: out of memory");
    }
    for (uint64_t i = 0; i < p->n; i++) start[assign[i] + 2]++;
    for (uint32_t c = 0; c < k; c++) start[c + 2] += start[c + 1];
    for (uint64_t i = 0; i < p->n; i++) order[start[assign[i] + 1]++] = i;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int64_t ci = 0; ci < (int64_t)k; ci++) {
        double *acc = acc_all + (size_t)omp_get_thread_num() * p->dim, wsum = 0;
        float *out = centroids + (size_t)ci * p->dim;
        memset(acc, 0, (size_t)p->dim * sizeof *acc);
        for (uint64_t e = start[ci]; e < start[ci + 1]; e++) {
            uint64_t i = order[e];
            double w = p->w[i];
            wsum += w;
            i = prow(p, i);
            if (p->dense) {
                const float *x = p->dense + i * p->dim;
                for (uint32_t j = 0; j < p->dim; j++) acc[j] += w * x[j];
            } else {
                for (uint64_t j = p->ptr[i]; j < p->ptr[i + 1]; j++) acc[p->idx[j]] += w * p->val[j];
            }
        }
        for (uint32_t j = 0; j < p->dim; j++) out[j] = wsum > 0 ? (float)(acc[j] / wsum) : 0.0f;
    }
    saetm__free_aligned(start);
    saetm__free_aligned(order);
    saetm__free_aligned(acc_all);
    return SAETM_OK;
}

/* Assign every point to its nearest centroid (ties to the lowest index), writing squared
 * distances; @return how many assignments changed (all on `first`). Contiguous dense points use
 * one deterministic GEMM (centroids x points) in blocks of points; others go point by point. */
static uint64_t assign_all(saetm_ctx *ctx, const saetm__points *p, const float *cent, const double *cn2, uint32_t k,
                           const double *xn, float *g, uint32_t *assign, double *dist, int first)
{
    int nt = saetm_ctx_threads(ctx);
    uint64_t changed = 0;
    if (p->dense && !p->sel && g) {
        for (uint64_t b0 = 0; b0 < p->n; b0 += KM_BLOCK) {
            uint64_t nb = p->n - b0 < KM_BLOCK ? p->n - b0 : KM_BLOCK;
            saetm__sgemm(nt, 0, 1, k, (size_t)nb, p->dim, 1.0f, cent, p->dim, p->dense + b0 * p->dim, p->dim, 0.0f, g,
                         (size_t)nb);
#pragma omp parallel for schedule(static, 256) num_threads(nt) reduction(+ : changed)
            for (int64_t ii = 0; ii < (int64_t)nb; ii++) {
                uint64_t i = b0 + (uint64_t)ii;
                double best = INFINITY;
                uint32_t arg = 0;
                for (uint32_t c = 0; c < k; c++) {
                    double d = xn[i] - 2.0 * g[(size_t)c * nb + (size_t)ii] + cn2[c];
                    if (d < best) best = d, arg = c;
                }
                dist[i] = best > 0 ? best : 0;
                changed += first || arg != assign[i];
                assign[i] = arg;
            }
        }
        return changed;
    }
#pragma omp parallel for schedule(static, 256) num_threads(nt) reduction(+ : changed)
    for (int64_t ii = 0; ii < (int64_t)p->n; ii++) {
        uint64_t i = (uint64_t)ii;
        uint32_t a = saetm__nearest(p, i, cent, cn2, k, &dist[i]);
        changed += first || a != assign[i];
        assign[i] = a;
    }
    return changed;
}

/* Draw an index with probability proportional to v[i] (sum `total` > 0), in index order. */
static uint64_t draw(saetm__rng *r, const double *v, uint64_t n, double total)
{
    double u = saetm__rng_uniform(r) * total, acc = 0;
    uint64_t last = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (v[i] <= 0) continue;
        last = i;
        acc += v[i];
        if (u < acc) return i;
    }
    return last;
}

/* Lloyd iterations from the k centroids in cent (k x dim, overwritten with the final ones):
 * assign, stop when nothing moves (or at max_iter), else recompute the centroids. An emptied
 * cluster restarts at the worst-served point. dist: n scratch (the final squared distances);
 * cn2: k scratch. */
static saetm_status lloyd(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t max_iter, uint32_t *assign,
                          float *cent, double *inertia, double *dist, double *cn2)
{
    uint64_t n = p->n;
    uint32_t dim = p->dim;
    for (uint32_t c = 0; c < k; c++) cn2[c] = saetm__dot(cent + (size_t)c * dim, cent + (size_t)c * dim, dim);
    uint64_t *counts = saetm__calloc_aligned((size_t)k, sizeof *counts);
    double *xn = saetm__calloc_aligned((size_t)n, sizeof *xn);
    float *g = p->dense && !p->sel ? saetm__calloc_aligned((size_t)k * (n < KM_BLOCK ? n : KM_BLOCK), sizeof *g) : NULL;
    if (!counts || !xn || (p->dense && !p->sel && !g)) {
        saetm__free_aligned(counts);
        saetm__free_aligned(xn);
        saetm__free_aligned(g);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "k-means: out of memory");
    }
    for (uint64_t i = 0; i < n; i++) xn[i] = saetm__point_norm2(p, i);
    saetm_status st = SAETM_OK;
    for (uint32_t it = 0;; it++) {
        uint64_t changed = assign_all(ctx, p, cent, cn2, k, xn, g, assign, dist, it == 0);
        double in = 0;
        for (uint64_t i = 0; i < n; i++) in += p->w[i] * dist[i];
        *inertia = in;
        if (changed == 0 || it >= max_iter) break;
        st = saetm__centroids(ctx, p, assign, k, cent);
        if (st) break;
        /* An emptied cluster restarts at the point that is worst served (largest weighted distance). */
        memset(counts, 0, (size_t)k * sizeof *counts);
        for (uint64_t i = 0; i < n; i++) counts[assign[i]]++;
        for (uint32_t c = 0; c < k; c++) {
            if (counts[c]) continue;
            uint64_t worst = 0;
            double wd = -1;
            for (uint64_t i = 0; i < n; i++)
                if (counts[assign[i]] > 1 && p->w[i] * dist[i] > wd) wd = p->w[i] * dist[i], worst = i;
            if (wd < 0) continue;
            counts[assign[worst]]--;
            counts[c] = 1;
            assign[worst] = c;
            dist[worst] = 0;
            saetm__point_dense(p, worst, cent + (size_t)c * dim);
        }
        for (uint32_t c = 0; c < k; c++) cn2[c] = saetm__dot(cent + (size_t)c * dim, cent + (size_t)c * dim, dim);
    }
    saetm__free_aligned(counts);
    saetm__free_aligned(xn);
    saetm__free_aligned(g);
    return st;
}

/* One k-means run from k-means++ seeds drawn from stream `run`. */
static saetm_status kmeans_run(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t max_iter, uint64_t seed,
                               uint32_t run, uint32_t *assign, float *cent, double *inertia, double *dist,
                               double *score, double *cn2)
{
    int nt = saetm_ctx_threads(ctx);
    uint64_t n = p->n;
    uint32_t dim = p->dim;
    saetm__rng r;
    saetm__rng_init(&r, seed, STAGE_KMEANS, run);
    /* k-means++: the first seed by weight, each next one by weight x squared distance. */
    double total = 0;
    for (uint64_t i = 0; i < n; i++) total += p->w[i];
    saetm__point_dense(p, draw(&r, p->w, n, total), cent);
    cn2[0] = saetm__dot(cent, cent, dim);
    for (uint64_t i = 0; i < n; i++) dist[i] = INFINITY;
    for (uint32_t c = 0;; c++) {
        const float *cc = cent + (size_t)c * dim;
#pragma omp parallel for schedule(static, 256) num_threads(nt)
        for (int64_t ii = 0; ii < (int64_t)n; ii++) {
            uint64_t i = (uint64_t)ii;
            double d = saetm__point_norm2(p, i) - 2.0 * saetm__point_dot(p, i, cc) + cn2[c];
            if (d < 0) d = 0;
            if (d < dist[i]) dist[i] = d;
            score[i] = p->w[i] * dist[i];
        }
        if (c + 1 == k) break;
        double s = 0;
        for (uint64_t i = 0; i < n; i++) s += score[i];
        uint64_t pick = s > 0 ? draw(&r, score, n, s) : saetm__rng_below(&r, n);
        saetm__point_dense(p, pick, cent + (size_t)(c + 1) * dim);
        cn2[c + 1] = saetm__dot(cent + (size_t)(c + 1) * dim, cent + (size_t)(c + 1) * dim, dim);
    }
    return lloyd(ctx, p, k, max_iter, assign, cent, inertia, dist, cn2);
}

saetm_status saetm__kmeans_from(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t max_iter,
                                uint32_t *assign, float *centroids, double *inertia)
{
    double *dist = saetm__calloc_aligned((size_t)p->n, sizeof *dist);
    double *cn2 = saetm__calloc_aligned((size_t)k, sizeof *cn2);
    saetm_status st = !dist || !cn2 ? saetm__fail(ctx, SAETM_ERR_NOMEM, "k-means: out of memory")
                                    : lloyd(ctx, p, k, max_iter, assign, centroids, inertia, dist, cn2);
    saetm__free_aligned(dist);
    saetm__free_aligned(cn2);
    return st;
}

saetm_status saetm__pivot_seeds(saetm_ctx *ctx, const saetm__points *p, uint32_t k, float *centroids,
                                uint64_t *pivots)
{
    assert(p->dense && !p->sel);
    uint64_t n = p->n;
    uint32_t dim = p->dim;
    if (k == 0 || n < k)
        return saetm__fail(ctx, SAETM_ERR_ARG, "k-means: %u clusters asked from %llu points", k, (unsigned long long)n);
    int nt = saetm_ctx_threads(ctx);
    double *r = saetm__calloc_aligned((size_t)n * dim, sizeof *r), *nrm = saetm__calloc_aligned((size_t)n, sizeof *nrm);
    double *q = saetm__calloc_aligned(dim, sizeof *q);
    uint8_t *taken = saetm__calloc_aligned((size_t)n, 1);
    if (!r || !nrm || !q || !taken) {
        saetm__free_aligned(r);
        saetm__free_aligned(nrm);
        saetm__free_aligned(q);
        saetm__free_aligned(taken);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "k-means: out of memory for the pivoted start");
    }
    /* r: the residuals of the rows (double), nrm their squared norms, each summed in index order. */
    for (uint64_t i = 0; i < n; i++) {
        double s = 0;
        for (uint32_t j = 0; j < dim; j++) {
            double x = p->dense[i * dim + j];
            r[i * dim + j] = x;
            s += x * x;
        }
        nrm[i] = s;
    }
    for (uint32_t c = 0; c < k; c++) {
        /* The pivot: the largest residual among the rows not chosen (a serial scan: ties to the lower index). */
        uint64_t best = UINT64_MAX;
        for (uint64_t i = 0; i < n; i++)
            if (!taken[i] && (best == UINT64_MAX || nrm[i] > nrm[best])) best = i;
        taken[best] = 1;
        if (pivots) pivots[c] = best;
        memcpy(centroids + (size_t)c * dim, p->dense + best * dim, (size_t)dim * sizeof *centroids);
        double len = sqrt(nrm[best]);
        if (!(len > 1e-12) || c + 1 == k) continue; /* nothing left to project out (rank < k), or done */
        for (uint32_t j = 0; j < dim; j++) q[j] = r[best * dim + j] / len;
        /* Project q out of every residual; each row on its own, so any thread count gives the same bytes. */
#pragma omp parallel for schedule(static, 256) num_threads(nt)
        for (int64_t ii = 0; ii < (int64_t)n; ii++) {
            double *ri = r + (size_t)ii * dim, d = 0, s = 0;
            for (uint32_t j = 0; j < dim; j++) d += ri[j] * q[j];
            for (uint32_t j = 0; j < dim; j++) {
                ri[j] -= d * q[j];
                s += ri[j] * ri[j];
            }
            nrm[ii] = s;
        }
    }
    saetm__free_aligned(r);
    saetm__free_aligned(nrm);
    saetm__free_aligned(q);
    saetm__free_aligned(taken);
    return SAETM_OK;
}

saetm_status saetm__kmeans(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t restarts, uint32_t max_iter,
                           uint64_t seed, uint32_t *assign, float *centroids, double *inertia)
{
    if (k == 0 || p->n < k)
        return saetm__fail(ctx, SAETM_ERR_ARG, "k-means: %u clusters asked from %llu points", k,
                           (unsigned long long)p->n);
    if (restarts == 0) restarts = 1;
    size_t cbytes = (size_t)k * p->dim;
    uint32_t *a = saetm__calloc_aligned((size_t)p->n, sizeof *a);
    float *c = saetm__calloc_aligned(cbytes, sizeof *c);
    double *dist = saetm__calloc_aligned((size_t)p->n, sizeof *dist);
    double *score = saetm__calloc_aligned((size_t)p->n, sizeof *score);
    double *cn2 = saetm__calloc_aligned((size_t)k, sizeof *cn2);
    saetm_status st = SAETM_OK;
    if (!a || !c || !dist || !score || !cn2) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "k-means: out of memory");
    *inertia = INFINITY;
    for (uint32_t run = 0; !st && run < restarts; run++) {
        double in = 0;
        st = kmeans_run(ctx, p, k, max_iter, seed, run, a, c, &in, dist, score, cn2);
        saetm__log(ctx, SAETM_LOG_DEBUG, "k-means run %u: weighted inertia %.9g", run, in);
        if (!st && in < *inertia) {
            *inertia = in;
            memcpy(assign, a, (size_t)p->n * sizeof *a);
            memcpy(centroids, c, cbytes * sizeof *c);
        }
    }
    saetm__free_aligned(a);
    saetm__free_aligned(c);
    saetm__free_aligned(dist);
    saetm__free_aligned(score);
    saetm__free_aligned(cn2);
    return st;
}
