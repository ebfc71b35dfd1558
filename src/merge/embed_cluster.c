/*
 * embed_cluster.c - the features of an interpretation in a space (docs/method.md 2.4): each phi_f
 * sparsified to mass tau and embedded as Hellinger (sqrt phi), phi-weighted word vectors or its
 * SAE decoder direction, then grouped with weights theta_avg by k-means or agglomerative merging
 * (k-means leaves first above max_leaves).
 */
#include "merge_int.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Feature embedding
 * ==================================================================== */

typedef struct pair {
    float p;
    uint32_t w;
} pair;

static int cmp_pair_word(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    return (a->w > b->w) - (a->w < b->w);
}

/* Reorder s[0..m) so that its first n entries are the most probable ones (ties: lower word id
 * first) whose mass reaches tau (all if the row has less), and @return n >= 1 (m >= 1). A weighted
 * quickselect: expected O(m), where sorting the row would cost O(m log m). */
static uint64_t top_mass(pair *s, uint64_t m, double tau)
{
    uint64_t lo = 0, hi = m, taken = 0; /* s[0..lo) taken; s[lo..hi) undecided */
    double need = tau;
    while (lo < hi) {
        /* Three-way partition of s[lo..hi) around the middle entry's probability. */
        float pv = s[lo + (hi - lo) / 2].p;
        uint64_t gt = lo, i = lo, lt = hi;
        double mgt = 0, meq = 0;
        while (i < lt) {
            pair x = s[i];
            if (x.p > pv) {
                s[i++] = s[gt];
                s[gt++] = x;
                mgt += x.p;
            } else if (x.p < pv) {
                s[i] = s[--lt];
                s[lt] = x;
            } else {
                i++;
                meq += x.p;
            }
        }
        if (mgt >= need && gt > lo) { /* the answer lies among the larger ones */
            hi = gt;
            continue;
        }
        if (mgt + meq >= need) { /* all larger ones and part of the ties, lowest word ids first */
            qsort(s + gt, (size_t)(lt - gt), sizeof *s, cmp_pair_word);
            double acc = mgt;
            uint64_t j = gt;
            while (j < lt && (acc < need || j == lo)) acc += s[j++].p;
            taken = j;
            return taken;
        }
        need -= mgt + meq; /* take larger and equal ones, continue below */
        lo = lt;
        taken = lt;
    }
    return taken > 0 ? taken : 1;
}

/* The tau-sparsified, renormalised phi of the features in `feat` (n of them), as CSR with words
 * ascending. */
static saetm_status sparsify(saetm_ctx *ctx, const saetm_interp *it, const uint32_t *feat, uint64_t n, double tau,
                             uint64_t **ptr_out, uint32_t **idx_out, float **val_out)
{
    int nt = saetm_ctx_threads(ctx);
    uint64_t *ptr = saetm__calloc_aligned((size_t)n + 1, sizeof *ptr), maxrow = 0;
    for (uint64_t i = 0; ptr && i < n; i++) {
        const uint32_t *w;
        const float *p;
        uint64_t m;
        saetm_interp_phi_sparse(it, feat[i], &w, &p, &m);
        ptr[i + 1] = ptr[i] + m; /* upper bound first; compacted below */
        if (m > maxrow) maxrow = m;
    }
    /* Room for whole rows, not zeroed: only the kept entries are written (and then read); pages
     * never written are never committed, and the arrays shrink to the kept entries at the end. */
    uint32_t *idx = ptr ? malloc((size_t)(ptr[n] ? ptr[n] : 1) * sizeof *idx) : NULL;
    float *val = ptr ? malloc((size_t)(ptr[n] ? ptr[n] : 1) * sizeof *val) : NULL;
    uint64_t *kept = saetm__calloc_aligned((size_t)n, sizeof *kept);
    pair *scratch = saetm__calloc_aligned((size_t)nt * (maxrow + 1), sizeof *scratch);
    if (!ptr || !idx || !val || !kept || !scratch) {
        saetm__free_aligned(ptr);
        free(idx);
        free(val);
        saetm__free_aligned(kept);
        saetm__free_aligned(scratch);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory for sparsified word distributions");
    }
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt)
    for (int64_t ii = 0; ii < (int64_t)n; ii++) {
        uint64_t i = (uint64_t)ii;
        const uint32_t *w;
        const float *p;
        uint64_t m;
        saetm_interp_phi_sparse(it, feat[i], &w, &p, &m);
        pair *s = scratch + (size_t)omp_get_thread_num() * (maxrow + 1);
        for (uint64_t j = 0; j < m; j++) s[j].p = p[j], s[j].w = w[j];
        uint64_t keep = m ? top_mass(s, m, tau) : 0;
        double sum = 0;
        qsort(s, (size_t)keep, sizeof *s, cmp_pair_word);
        for (uint64_t j = 0; j < keep; j++) sum += s[j].p;
        for (uint64_t j = 0; j < keep; j++) {
            idx[ptr[i] + j] = s[j].w;
            val[ptr[i] + j] = (float)(s[j].p / sum);
        }
        kept[i] = keep;
    }
    /* Compact the rows in place (each moves left). */
    uint64_t at = 0;
    for (uint64_t i = 0; i < n; i++) {
        memmove(idx + at, idx + ptr[i], (size_t)kept[i] * sizeof *idx);
        memmove(val + at, val + ptr[i], (size_t)kept[i] * sizeof *val);
        ptr[i] = at;
        at += kept[i];
    }
    ptr[n] = at;
    uint32_t *idx2 = realloc(idx, (size_t)(at ? at : 1) * sizeof *idx); /* shrinking: cannot fail in practice */
    float *val2 = realloc(val, (size_t)(at ? at : 1) * sizeof *val);
    if (idx2) idx = idx2;
    if (val2) val = val2;
    saetm__free_aligned(kept);
    saetm__free_aligned(scratch);
    *ptr_out = ptr;
    *idx_out = idx;
    *val_out = val;
    return SAETM_OK;
}

/* Normalise v (n floats) to unit length; @return 0 if it is zero. */
static int unit(float *v, uint32_t n)
{
    double s = saetm__dot(v, v, n);
    if (!(s > 0)) return 0;
    float inv = (float)(1.0 / sqrt(s));
    for (uint32_t j = 0; j < n; j++) v[j] *= inv;
    return 1;
}

/* Dense embeddings (n x D) of the features from word vectors (V x D) or decoder rows (F x D).
 * Features whose embedding is zero (no known word) get ok[i] = 0. */
static saetm_status embed_dense(saetm_ctx *ctx, saetm_space space, const saetm_matrix *vec, const uint32_t *feat,
                                uint64_t n, const uint64_t *ptr, const uint32_t *idx, const float *val, float **out,
                                unsigned char *ok)
{
    uint32_t D = (uint32_t)vec->cols;
    float *e = saetm__calloc_aligned((size_t)n * D, sizeof *e);
    float *uw = NULL;
    if (e && space == SAETM_SPACE_WORDS) { /* unit word vectors */
        uw = saetm__calloc_aligned((size_t)vec->rows * D, sizeof *uw);
        if (uw) {
            memcpy(uw, vec->data, (size_t)vec->rows * D * sizeof *uw);
            for (uint64_t w = 0; w < vec->rows; w++) unit(uw + w * D, D);
        }
    }
    if (!e || (space == SAETM_SPACE_WORDS && !uw)) {
        saetm__free_aligned(e);
        saetm__free_aligned(uw);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory for feature embeddings");
    }
#pragma omp parallel for schedule(dynamic, 16) num_threads(saetm_ctx_threads(ctx))
    for (int64_t ii = 0; ii < (int64_t)n; ii++) {
        uint64_t i = (uint64_t)ii;
        float *x = e + i * D;
        if (space == SAETM_SPACE_DECODER) {
            memcpy(x, vec->data + (size_t)feat[i] * D, (size_t)D * sizeof *x);
        } else {
            for (uint64_t j = ptr[i]; j < ptr[i + 1]; j++) {
                const float *u = uw + (size_t)idx[j] * D;
                for (uint32_t c = 0; c < D; c++) x[c] += val[j] * u[c];
            }
        }
        ok[i] = (unsigned char)unit(x, D);
    }
    saetm__free_aligned(uw);
    *out = e;
    return SAETM_OK;
}

/* ======================================================================
 * Clustering the embedded features
 * ==================================================================== */

/* Agglomerative merging of the clustered points cp into t->k clusters (assign, centroids). */
static saetm_status agglomerative(saetm_ctx *ctx, saetm_topics *t, const saetm__points *cp, const uint32_t *feat_of,
                                  uint32_t *assign, float *cent)
{
    const saetm_topics_opts *o = &t->o;
    saetm__points lp = *cp;
    uint64_t nc = cp->n, nl = nc;
    uint32_t *leaf = saetm__calloc_aligned((size_t)nc, sizeof *leaf), *ll = NULL;
    float *leaf_pts = NULL;
    double *leaf_w = NULL;
    saetm_status st = leaf ? SAETM_OK : saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    if (!st && nc > o->max_leaves) { /* leaves: k-means groups of the features */
        nl = o->max_leaves;
        double inertia;
        leaf_pts = saetm__calloc_aligned((size_t)nl * cp->dim, sizeof *leaf_pts);
        leaf_w = saetm__calloc_aligned((size_t)nl, sizeof *leaf_w);
        if (!leaf_pts || !leaf_w) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory for leaves");
        if (!st) st = saetm__kmeans(ctx, cp, (uint32_t)nl, 1, 20, o->seed ^ 0x1eafULL, leaf, leaf_pts, &inertia);
        if (!st) {
            for (uint64_t i = 0; i < nc; i++) leaf_w[leaf[i]] += cp->w[i];
            memset(&lp, 0, sizeof lp);
            lp.n = nl;
            lp.dim = cp->dim;
            lp.dense = leaf_pts;
            lp.w = leaf_w;
            saetm__log(ctx, SAETM_LOG_INFO, "topics: %llu features grouped into %llu leaves by k-means first",
                       (unsigned long long)nc, (unsigned long long)nl);
        }
    } else {
        for (uint64_t i = 0; leaf && i < nc; i++) leaf[i] = (uint32_t)i;
    }
    if (!st) {
        t->n_leaves = nl;
        t->merges = saetm__calloc_aligned((size_t)nl, sizeof *t->merges);
        ll = saetm__calloc_aligned((size_t)nl, sizeof *ll);
        if (!t->merges || !ll) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    }
    if (!st)
        st = saetm__agglomerate(ctx, &lp, o->method == SAETM_MERGE_WARD ? SAETM__LINK_WARD : SAETM__LINK_AVERAGE,
                                t->merges);
    if (!st) {
        saetm__agglo_cut(nl, t->merges, t->k, ll);
        for (uint64_t i = 0; i < nc; i++) assign[i] = ll[leaf[i]];
        for (uint64_t i = 0; i < nc; i++) t->leaf_of[feat_of[i]] = leaf[i];
        st = saetm__centroids(ctx, cp, assign, t->k, cent);
    }
    saetm__free_aligned(leaf);
    saetm__free_aligned(ll);
    saetm__free_aligned(leaf_pts);
    saetm__free_aligned(leaf_w);
    return st;
}

saetm_status saetm__embed_cluster(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const saetm_matrix *vectors,
                                  uint32_t *label)
{
    const saetm_topics_opts *opts = &t->o;
    uint32_t F = t->F, V = t->V, K = t->k;
    const float *ta = saetm_interp_theta_avg(it);
    const uint32_t *dfreq = saetm_interp_doc_freq(it);
    saetm_status st = SAETM_OK;
    uint32_t *all = saetm__calloc_aligned(F, sizeof *all);
    uint32_t *feat_of = saetm__calloc_aligned(F, sizeof *feat_of), *assign = saetm__calloc_aligned(F, sizeof *assign);
    uint64_t *sel = saetm__calloc_aligned(F, sizeof *sel), *sp = NULL;
    double *w = saetm__calloc_aligned(F, sizeof *w), *cn2 = saetm__calloc_aligned(K, sizeof *cn2);
    unsigned char *ok = saetm__calloc_aligned(F, 1);
    uint32_t *si = NULL;
    float *sv = NULL, *emb = NULL, *cent = NULL;
    if (!all || !feat_of || !assign || !sel || !w || !cn2 || !ok)
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    /* The features that occur, their sparsified word distributions and their embeddings. */
    uint64_t na = 0, nc = 0;
    for (uint32_t f = 0; !st && f < F; f++)
        if (ta[f] > 0) all[na++] = f;
    if (!st) st = sparsify(ctx, it, all, na, opts->tau, &sp, &si, &sv);
    if (!st)
        saetm__log(ctx, SAETM_LOG_DEBUG, "topics: %llu features, %llu words kept at tau %.2f", (unsigned long long)na,
                   (unsigned long long)sp[na], opts->tau);
    saetm__points pts;
    memset(&pts, 0, sizeof pts);
    if (!st) {
        if (opts->space == SAETM_SPACE_HELLINGER) {
            for (uint64_t j = 0; j < sp[na]; j++) sv[j] = sqrtf(sv[j]);
            for (uint64_t i = 0; i < na; i++) ok[i] = 1;
            pts.dim = V;
            pts.ptr = sp;
            pts.idx = si;
            pts.val = sv;
        } else {
            st = embed_dense(ctx, opts->space, vectors, all, na, sp, si, sv, &emb, ok);
            pts.dim = (uint32_t)vectors->cols;
            pts.dense = emb;
        }
    }
    /* Points in order: clustered features (embedded, in enough documents) first, then the rest. */
    if (!st) {
        uint64_t noemb = 0;
        for (int pass = 0; pass < 2; pass++)
            for (uint64_t i = 0; i < na; i++) {
                int clustered = ok[i] && dfreq[all[i]] >= opts->min_docs;
                if (clustered != (pass == 0)) continue;
                sel[nc + (pass ? noemb : 0)] = i;
                if (pass == 0) nc++;
                else noemb++;
            }
        for (uint64_t j = 0; j < na; j++) {
            w[j] = ta[all[sel[j]]];
            feat_of[j] = all[sel[j]];
        }
        noemb = 0;
        for (uint64_t i = 0; i < na; i++) noemb += !ok[i];
        if (noemb)
            saetm__log(ctx, SAETM_LOG_WARN, "topics: %llu features have no known word vector; they join the nearest topic",
                       (unsigned long long)noemb);
        if (nc < K)
            st = saetm__fail(ctx, SAETM_ERR_ARG, "topics: %u topics asked but only %llu features can be clustered "
                             "(%llu occur in the corpus); lower --k", K, (unsigned long long)nc, (unsigned long long)na);
        pts.n = na;
        pts.sel = sel;
        pts.w = w;
        if (pts.dense) { /* dense points in point order, so k-means can use one GEMM per block */
            float *e2 = saetm__calloc_aligned((size_t)na * pts.dim, sizeof *e2);
            if (!e2) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory for feature embeddings");
            for (uint64_t j = 0; e2 && j < na; j++)
                memcpy(e2 + j * pts.dim, emb + sel[j] * pts.dim, (size_t)pts.dim * sizeof *e2);
            saetm__free_aligned(emb);
            emb = e2;
            pts.dense = emb;
            pts.sel = NULL;
        }
    }
    saetm__log(ctx, SAETM_LOG_DEBUG, "topics: features embedded (%u dimensions)", pts.dim);
    saetm__points cp = pts; /* the clustered subset: the first nc points */
    cp.n = nc;
    if (!st) {
        cent = saetm__calloc_aligned((size_t)K * pts.dim, sizeof *cent);
        if (!cent) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory for centroids");
    }
    if (!st && opts->method == SAETM_MERGE_KMEANS) {
        double inertia = 0;
        st = saetm__kmeans(ctx, &cp, K, opts->restarts, opts->max_iter, opts->seed, assign, cent, &inertia);
        if (!st)
            saetm__log(ctx, SAETM_LOG_INFO, "topics: k-means on %llu features in %s space, weighted inertia %.6g",
                       (unsigned long long)nc, saetm__space_name(opts->space), inertia);
    } else if (!st) {
        st = agglomerative(ctx, t, &cp, feat_of, assign, cent);
    }
    /* The other features join the topic with the nearest centroid. */
    if (!st) {
        for (uint32_t c = 0; c < K; c++) cn2[c] = saetm__dot(cent + (size_t)c * pts.dim, cent + (size_t)c * pts.dim, pts.dim);
#pragma omp parallel for schedule(static, 64) num_threads(saetm_ctx_threads(ctx))
        for (int64_t j = (int64_t)nc; j < (int64_t)na; j++) assign[j] = saetm__nearest(&pts, (uint64_t)j, cent, cn2, K, NULL);
        uint64_t dropped = 0;
        double mass = 0;
        for (uint64_t j = 0; j < na; j++) {
            int drop = opts->rare_drop && j >= nc && ok[sel[j]];
            label[feat_of[j]] = drop ? UINT32_MAX : assign[j];
            if (drop) dropped++, mass += w[j];
        }
        if (na - nc > dropped)
            saetm__log(ctx, SAETM_LOG_INFO, "topics: %llu features not clustered joined their nearest topic",
                       (unsigned long long)(na - nc - dropped));
        if (dropped)
            saetm__log(ctx, SAETM_LOG_INFO, "topics: %llu features in fewer than %u documents (mass %.4f) are in no "
                       "topic (--rare drop)", (unsigned long long)dropped, opts->min_docs, mass);
    }
    void *tmp[] = {all, feat_of, assign, sel, sp, w, cn2, ok, emb, cent};
    for (size_t i = 0; i < sizeof tmp / sizeof tmp[0]; i++) saetm__free_aligned(tmp[i]);
    free(si); /* from sparsify: malloc'ed */
    free(sv);
    return st;
}
