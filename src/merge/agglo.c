/*
 * agglo.c - agglomerative (hierarchical) merging of weighted points by the nearest-neighbour chain
 * algorithm, average or Ward linkage, so that every number of topics is a cut of one tree.
 *
 * Distances live in a condensed upper-triangular matrix and are updated by the Lance-Williams
 * formulas with weights:
 *   average: d(k, i+j) = (w_i d(k,i) + w_j d(k,j)) / (w_i + w_j), leaves at Euclidean distance;
 *   Ward:    d(k, i+j) = ((w_i+w_k) d(k,i) + (w_j+w_k) d(k,j) - w_k d(i,j)) / (w_i+w_j+w_k),
 *            leaves at w_i w_j / (w_i + w_j) |x_i - x_j|^2 (the increase of the weighted
 *            within-cluster sum of squares).
 * Both are reducible, so NN-chain finds the same tree as the greedy algorithm in O(n^2) time;
 * merges are then sorted by height (stable) and relabelled as in SciPy (merge t makes node n+t).
 */
#include "merge_int.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static inline size_t cidx(uint64_t n, uint64_t i, uint64_t j)
{
    if (i > j) {
        uint64_t t = i;
        i = j;
        j = t;
    }
    return (size_t)(i * n - i * (i + 1) / 2 + (j - i - 1));
}

/* Stable merge sort of merges by height (qsort is not stable). */
static void sort_merges(saetm__merge *m, saetm__merge *tmp, uint64_t n)
{
    if (n < 2) return;
    uint64_t h = n / 2;
    sort_merges(m, tmp, h);
    sort_merges(m + h, tmp, n - h);
    uint64_t i = 0, j = h, o = 0;
    while (i < h && j < n) tmp[o++] = m[j].h < m[i].h ? m[j++] : m[i++];
    while (i < h) tmp[o++] = m[i++];
    while (j < n) tmp[o++] = m[j++];
    memcpy(m, tmp, (size_t)n * sizeof *m);
}

static uint64_t uf_find(uint64_t *parent, uint64_t x)
{
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

saetm_status saetm__agglomerate(saetm_ctx *ctx, const saetm__points *p, saetm__linkage link, saetm__merge *merges)
{
    uint64_t n = p->n;
    if (n < 2) return SAETM_OK;
    size_t m = (size_t)(n * (n - 1) / 2);
    saetm_status st = saetm__mem_check(ctx, (uint64_t)m * 8 + n * 64, "agglomerative merging");
    if (st) return st;
    int nt = saetm_ctx_threads(ctx);
    double *D = saetm__calloc_aligned(m, sizeof *D);
    double *nrm = saetm__calloc_aligned((size_t)n, sizeof *nrm), *w = saetm__calloc_aligned((size_t)n, sizeof *w);
    uint64_t *chain = saetm__calloc_aligned((size_t)n, sizeof *chain), *parent = NULL;
    unsigned char *active = saetm__calloc_aligned((size_t)n, 1);
    float *buf = p->dense && !p->sel ? NULL : saetm__calloc_aligned((size_t)nt * p->dim, sizeof *buf);
    saetm__merge *tmp = saetm__calloc_aligned((size_t)n, sizeof *tmp);
    if (!D || !nrm || !w || !chain || !active || (!(p->dense && !p->sel) && !buf) || !tmp) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "agglomerative merging: out of memory for %llu points",
                         (unsigned long long)n);
        goto done;
    }
    for (uint64_t i = 0; i < n; i++) {
        nrm[i] = saetm__point_norm2(p, i);
        w[i] = p->w[i];
        active[i] = 1;
    }
    /* Leaf distances, one row per task. */
#pragma omp parallel for schedule(dynamic, 8) num_threads(nt)
    for (int64_t ii = 0; ii < (int64_t)n - 1; ii++) {
        uint64_t i = (uint64_t)ii;
        const float *xi;
        if (p->dense && !p->sel) {
            xi = p->dense + i * p->dim;
        } else {
            float *b = buf + (size_t)omp_get_thread_num() * p->dim;
            saetm__point_dense(p, i, b);
            xi = b;
        }
        for (uint64_t j = i + 1; j < n; j++) {
            double d2 = nrm[i] + nrm[j] - 2.0 * saetm__point_dot(p, j, xi);
            if (d2 < 0) d2 = 0;
            D[cidx(n, i, j)] = link == SAETM__LINK_WARD ? w[i] * w[j] / (w[i] + w[j]) * d2 : sqrt(d2);
        }
    }
    /* NN-chain. */
    uint64_t len = 0, first = 0;
    for (uint64_t step = 0; step + 1 < n; step++) {
        if (len == 0) {
            while (!active[first]) first++;
            chain[len++] = first;
        }
        uint64_t a, b;
        for (;;) {
            a = chain[len - 1];
            uint64_t prev = len >= 2 ? chain[len - 2] : UINT64_MAX;
            double best = INFINITY;
            b = UINT64_MAX;
            if (prev != UINT64_MAX) best = D[cidx(n, a, prev)], b = prev;
            for (uint64_t x = 0; x < n; x++) {
                if (!active[x] || x == a) continue;
                double d = D[cidx(n, a, x)];
                if (d < best) best = d, b = x;
            }
            if (b == prev) break;
            chain[len++] = b;
        }
        len -= 2;
        double dab = D[cidx(n, a, b)];
        uint64_t s = a < b ? a : b, t = a < b ? b : a;
        merges[step].a = s;
        merges[step].b = t;
        merges[step].h = dab;
        merges[step].w = w[a] + w[b];
        for (uint64_t x = 0; x < n; x++) {
            if (!active[x] || x == a || x == b) continue;
            double dax = D[cidx(n, a, x)], dbx = D[cidx(n, b, x)], nd;
            if (link == SAETM__LINK_WARD)
                nd = ((w[a] + w[x]) * dax + (w[b] + w[x]) * dbx - w[x] * dab) / (w[a] + w[b] + w[x]);
            else
                nd = (w[a] * dax + w[b] * dbx) / (w[a] + w[b]);
            D[cidx(n, s, x)] = nd;
        }
        w[s] = w[a] + w[b];
        active[t] = 0;
    }
    /* Sort by height, then name nodes: leaves 0..n-1, merge t makes node n+t. Merges above hold
     * the lowest leaf slot of each side; map slots to current node ids with union-find. */
    sort_merges(merges, tmp, n - 1);
    parent = saetm__calloc_aligned((size_t)n, sizeof *parent);
    uint64_t *node = saetm__calloc_aligned((size_t)n, sizeof *node);
    if (!parent || !node) {
        saetm__free_aligned(node);
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "agglomerative merging: out of memory");
        goto done;
    }
    for (uint64_t i = 0; i < n; i++) parent[i] = node[i] = i;
    for (uint64_t t = 0; t + 1 < n; t++) {
        uint64_t ra = uf_find(parent, merges[t].a), rb = uf_find(parent, merges[t].b);
        uint64_t na = node[ra], nb = node[rb];
        merges[t].a = na < nb ? na : nb;
        merges[t].b = na < nb ? nb : na;
        uint64_t r = ra < rb ? ra : rb;
        parent[ra] = parent[rb] = r;
        node[r] = n + t;
    }
    saetm__free_aligned(node);
done:
    saetm__free_aligned(D);
    saetm__free_aligned(nrm);
    saetm__free_aligned(w);
    saetm__free_aligned(chain);
    saetm__free_aligned(parent);
    saetm__free_aligned(active);
    saetm__free_aligned(buf);
    saetm__free_aligned(tmp);
    return st;
}

void saetm__agglo_cut(uint64_t n, const saetm__merge *merges, uint32_t k, uint32_t *labels)
{
    /* Apply the first n - k merges with union-find over nodes 0 .. 2n-2. */
    uint64_t nodes = 2 * n - 1;
    uint64_t *parent = malloc((size_t)nodes * sizeof *parent);
    if (!parent) { /* cannot happen for trees that were built; be safe anyway */
        for (uint64_t i = 0; i < n; i++) labels[i] = (uint32_t)(i < k ? i : k - 1);
        return;
    }
    for (uint64_t i = 0; i < nodes; i++) parent[i] = i;
    for (uint64_t t = 0; t + k < n; t++) parent[merges[t].a] = parent[merges[t].b] = n + t;
    uint64_t *label_of = malloc((size_t)nodes * sizeof *label_of);
    for (uint64_t i = 0; i < nodes && label_of; i++) label_of[i] = UINT64_MAX;
    uint32_t next = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t r = uf_find(parent, i);
        if (label_of && label_of[r] == UINT64_MAX) label_of[r] = next++;
        labels[i] = label_of ? (uint32_t)label_of[r] : 0;
    }
    free(label_of);
    free(parent);
}
