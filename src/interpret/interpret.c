/*
 * interpret.c - feature interpretation (docs/method.md 2.3): a word distribution phi_f per SAE feature,
 * fitted by EM with the per-document feature proportions theta fixed.
 *
 * Model of the words of a taking-part document d (positive activation sum and at least one word):
 *     p(w|d) = (1-pi) sum_f theta_{d,f} phi_{f,w} + pi p0_w
 *     phi_f  = (1-eps) psi_f + eps/V,   p0 = (1-eps) chi + eps/V
 * psi_f, chi (and optionally pi) are fitted by EM on the weighted likelihood sum n_{d,w} c_w log p.
 * psi_f is only ever non-zero on S_f, the words of the documents where f is active, so it is stored
 * sparse (CSR over features). One EM iteration:
 *   E (document ranges in parallel): s_{d,w} = p(w|d), q_{d,w} = n c / s, per-document NLL and
 *     background mass. The mixture sum is accumulated feature by feature: each thread spreads row
 *     psi_f into a dense V-vector (|S_f| writes) and adds theta_{d,f} psi_{f,w} to s_{d,w} for the
 *     documents of its range where f is active, so the pass costs O(nnz(bow) k + T |S|) with no
 *     search and no per-(document, word, feature) index: the work memory is O(nnz(bow) + nnz(acts)
 *     + |S| + T V) (T threads, |S| feature-word pairs <= F V).
 *   M (features in parallel): psi_{f,w} <- psi_{f,w} sum_{d in f} theta_{d,f} q_{d,w}, normalised;
 *     chi_w <- chi_w sum_d q_{d,w} (words in parallel, documents in order); pi <- pi sum q p0 / W.
 * Every sum runs in a fixed order that does not depend on the thread split, so results are
 * bit-identical for any thread count. The EM holds its documents grouped by their largest theta
 * feature (reorder_docs) and both passes prefetch rows ahead: the passes are feature-major over
 * document rows, and their cost was the jump to every row (docs/topics.md, "Where the
 * interpretation spends its time").
 *
 * Data parallel (saetm_ctx_set_distributed under mpirun, docs/distributed.md): each process runs
 * the E-step and the numerators of the M-step over its contiguous range of documents; the
 * document frequencies (once), the supports S_f (once: the union of the processes' supports) and,
 * per iteration, the psi and chi numerators and the NLL are summed over the processes, so every
 * process holds the same psi, chi and pi. Each process reads only its documents' activations and
 * bag-of-words; theta of every document is gathered to rank 0 (the others keep their own rows).
 */
#include "saetm_int.h"
#include "dist/dist.h"

#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STI_MAGIC "SAETMINT"
#define STI_VERSION 1
const saetm__file_kind saetm__interp_kind = {STI_MAGIC, NULL};
#define MAX_OWNED 24

struct saetm_interp {
    uint64_t n_docs;
    uint32_t n_features, vocab;
    saetm_interp_opts opts;
    double pi, nll, weight_total;
    uint32_t iters;
    const float *theta_avg;
    const uint32_t *doc_freq;
    const float *p0, *idf;
    const uint64_t *phi_ptr;
    const uint32_t *phi_word;
    const float *phi_prob;
    const uint64_t *th_ptr;
    const uint32_t *th_idx;
    const float *th_val;
    const char *vocab_blob;
    uint64_t vocab_bytes;
    const uint64_t *vocab_off;
    const double *nll_hist;
    void *owned[MAX_OWNED];
    int n_owned;
    saetm__creader reader;
};

void saetm_interp_opts_default(saetm_interp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->pi = 0.3;
    o->learn_pi = 0;
    o->background = SAETM_BACKGROUND_LEARNED;
    o->idf = 1;
    o->smooth = 1e-4;
    o->tol = 1e-6;
    o->max_iter = 500;
    o->idf_power = 1.0;
    o->accel = SAETM_ACCEL_SQUAREM;
    o->stable_top = 10;
}

const char *saetm_interp_opts_check(const saetm_interp_opts *o)
{
    if (!o) return "no options";
    if (!(o->pi >= 0.0 && o->pi < 1.0)) return "pi must be in [0, 1)";
    if (!(o->smooth >= 0.0 && o->smooth < 1.0)) return "smooth must be in [0, 1)";
    if (!(o->tol >= 0.0) || !isfinite(o->tol)) return "tol must be >= 0";
    if (o->max_iter < 1) return "max_iter must be >= 1";
    if (!(o->idf_power > 0.0 && o->idf_power <= 4.0)) return "idf_power must be in (0, 4]";
    if (o->background != SAETM_BACKGROUND_LEARNED && o->background != SAETM_BACKGROUND_UNIGRAM)
        return "background must be learned or unigram";
    if (o->accel != SAETM_ACCEL_NONE && o->accel != SAETM_ACCEL_SQUAREM) return "accel must be none or squarem";
    if (o->stable_top > 100) return "stable_top must be at most 100";
    return NULL;
}

/* Allocate an owned, aligned, zeroed array and register it with `it`. */
static void *own_alloc(saetm_interp *it, size_t n, size_t size)
{
    if (it->n_owned >= MAX_OWNED) return NULL;
    void *p = saetm__calloc_aligned(n ? n : 1, size);
    if (p) it->owned[it->n_owned++] = p;
    return p;
}

void saetm_interp_free(saetm_interp *it)
{
    if (!it) return;
    for (int i = 0; i < it->n_owned; i++) saetm__free_aligned(it->owned[i]);
    saetm__cr_close(&it->reader);
    free(it);
}

/* ======================================================================
 * EM workspace
 * ==================================================================== */

typedef struct em_work {
    int dist;              /* data parallel: N documents of this process, N_all in all */
    uint64_t N_all;
    saetm__fx *num;        /* dist: psi numerators over S (phi_ptr[F] exact sums) */
    uint64_t N;
    uint32_t F, V;
    int nt;
    const uint64_t *rp;
    const uint32_t *wid;
    float *wt;             /* nnz(bow): weight n * c of each entry */
    uint64_t *th_ptr;      /* theta CSR over taking-part documents (others empty) */
    uint32_t *th_idx;
    float *th_val;
    uint64_t *cs_ptr;      /* theta by feature: documents (ascending) and their theta values */
    uint64_t *cs_doc;
    float *cs_val;
    uint64_t *phi_ptr;     /* S_f rows */
    uint32_t *phi_word;
    float *psi;
    float *q;              /* nnz(bow) */
    double *s;             /* nnz(bow): E-step mixture sums */
    float *rowbuf;         /* T x V: each thread's dense copy of one psi row */
    uint64_t *chunk;       /* T + 1 document boundaries of the E-step's thread ranges */
    double *doc_nll, *doc_bg;
    uint64_t *wm_ptr, *wm_pos; /* word-major list of bow positions of taking-part docs */
    float *chi, *p0;
    double *vscratch;      /* V doubles */
    saetm__fx *vscratch_fx; /* V exact sums */
    double weight_total;
    float *psi0, *psi1;    /* SQUAREM: the cycle's first two points (psi0 then holds the EM point x2) */
    float *chi0, *chi1;
    double *nrm;           /* SQUAREM: 2 F per-feature squared norms */
    uint32_t *top, *top_prev; /* stopping rule: F x stable_top word ids, now and at the point before */
    uint32_t *order;       /* the features, largest M-step work first (build_order) */
    uint64_t *own_rp, *own_thp; /* reorder_docs: the reordered documents' arrays (rp, wid, th_*) */
    uint32_t *own_wid, *own_thi;
    float *own_thv;
} em_work;

static void em_work_free(em_work *w)
{
    void *arrays[] = {w->wt, w->cs_ptr, w->cs_doc, w->cs_val, w->psi, w->s, w->rowbuf, w->chunk, w->q,
                      w->doc_nll, w->doc_bg, w->wm_ptr, w->wm_pos, w->chi, w->vscratch, w->num,
                      w->psi0, w->psi1, w->chi0, w->chi1, w->nrm, w->top, w->top_prev, w->vscratch_fx,
                      w->order, w->own_rp, w->own_thp, w->own_wid, w->own_thi, w->own_thv};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) saetm__free_aligned(arrays[i]);
}

/* Check the bag-of-words CSR; @return SAETM_ERR_INPUT naming the document otherwise. */
static saetm_status check_bow(saetm_ctx *ctx, const saetm_bow *b, uint64_t d0)
{
    if (!b->row_ptr || (b->row_ptr[b->rows] > 0 && (!b->word_ids || !b->counts)))
        return saetm__fail(ctx, SAETM_ERR_ARG, "bag-of-words: missing arrays");
    if (b->row_ptr[0] != 0) return saetm__fail(ctx, SAETM_ERR_INPUT, "bag-of-words: row_ptr[0] must be 0");
    for (uint64_t d = 0; d < b->rows; d++) {
        if (b->row_ptr[d + 1] < b->row_ptr[d])
            return saetm__fail(ctx, SAETM_ERR_INPUT, "bag-of-words: document %llu has a negative extent",
                               (unsigned long long)(d0 + d));
        for (uint64_t p = b->row_ptr[d]; p < b->row_ptr[d + 1]; p++) {
            if (b->word_ids[p] >= b->vocab_size || (p > b->row_ptr[d] && b->word_ids[p] <= b->word_ids[p - 1]))
                return saetm__fail(ctx, SAETM_ERR_INPUT,
                                   "bag-of-words: document %llu: word ids must be ascending and < %u",
                                   (unsigned long long)(d0 + d), b->vocab_size);
            if (b->counts[p] == 0)
                return saetm__fail(ctx, SAETM_ERR_INPUT, "bag-of-words: document %llu: zero count stored",
                                   (unsigned long long)(d0 + d));
        }
    }
    return SAETM_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* IDF weights c_w (stored in it) and the per-entry weights w->wt. */
static saetm_status build_weights(saetm_ctx *ctx, em_work *w, const saetm_bow *b, int use_idf, double power,
                                   float *idf)
{
    uint64_t nnz = b->row_ptr[b->rows];
    uint32_t *df = saetm__calloc_aligned(w->V, sizeof *df);
    w->wt = saetm__calloc_aligned((size_t)nnz, sizeof *w->wt);
    if (!df || !w->wt) {
        saetm__free_aligned(df);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for weights");
    }
    for (uint64_t p = 0; p < nnz; p++) df[b->word_ids[p]]++;
    if (w->dist) { /* document frequencies over all processes' documents */
        uint64_t *all = calloc(w->V, sizeof *all);
        if (!all) {
            saetm__free_aligned(df);
            return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for weights");
        }
        for (uint32_t v = 0; v < w->V; v++) all[v] = df[v];
        saetm__dist_sum_u64(all, w->V);
        for (uint32_t v = 0; v < w->V; v++) df[v] = (uint32_t)all[v];
        free(all);
    }
    const double Nd = (double)w->N_all;
    double maxv = 0.0;
    for (uint32_t v = 0; v < w->V; v++) {
        double x = df[v] ? log(Nd / (double)df[v]) : 0.0;
        if (x > maxv) maxv = x;
    }
    for (uint32_t v = 0; v < w->V; v++) {
        if (!use_idf) idf[v] = 1.0f;
        else if (!(df[v] && maxv > 0)) idf[v] = 0.0f;
        else if (power == 1.0) idf[v] = (float)(log(Nd / (double)df[v]) / maxv);
        else idf[v] = (float)pow(log(Nd / (double)df[v]) / maxv, power);
    }
    saetm__free_aligned(df);
    if (use_idf && !(maxv > 0))
        return saetm__fail(ctx, SAETM_ERR_INPUT,
                           "interpret: every IDF weight is zero (each word occurs in every document); "
                           "switch IDF weighting off");
    for (uint64_t p = 0; p < nnz; p++) w->wt[p] = (float)b->counts[p] * idf[b->word_ids[p]];
    return SAETM_OK;
}

/* theta by feature (w->cs_*) from theta by document (w->th_*): every feature's documents in
 * ascending order, with their theta values. */
static saetm_status build_by_feature(saetm_ctx *ctx, em_work *w)
{
    const uint64_t N = w->N, cnt = w->th_ptr[N];
    saetm__free_aligned(w->cs_ptr);
    saetm__free_aligned(w->cs_doc);
    saetm__free_aligned(w->cs_val);
    w->cs_ptr = saetm__calloc_aligned((size_t)w->F + 2, sizeof *w->cs_ptr);
    w->cs_doc = saetm__calloc_aligned((size_t)cnt, sizeof *w->cs_doc);
    w->cs_val = saetm__calloc_aligned((size_t)cnt, sizeof *w->cs_val);
    if (!w->cs_ptr || !w->cs_doc || !w->cs_val) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for theta");
    /* Counting sort by feature: cs_ptr[f+2] counts, then cs_ptr[f+1] is the fill point of f. */
    for (uint64_t j = 0; j < cnt; j++) w->cs_ptr[w->th_idx[j] + 2]++;
    for (uint32_t f = 0; f < w->F; f++) w->cs_ptr[f + 2] += w->cs_ptr[f + 1];
    for (uint64_t d = 0; d < N; d++)
        for (uint64_t j = w->th_ptr[d]; j < w->th_ptr[d + 1]; j++) {
            uint64_t e = w->cs_ptr[w->th_idx[j] + 1]++;
            w->cs_doc[e] = d;
            w->cs_val[e] = w->th_val[j];
        }
    /* cs_ptr[f] is now the start of f, cs_ptr[F] the end. */
    return SAETM_OK;
}

/* theta (CSR over taking-part docs), theta by feature, theta_avg and doc_freq. */
static saetm_status build_theta(saetm_ctx *ctx, saetm_interp *it, em_work *w, const saetm_acts *a,
                                float *theta_avg, uint32_t *doc_freq, uint64_t *n_part, saetm__fx *theta_sum)
{
    uint64_t N = w->N, nnz_a = a->row_ptr[N], cnt = 0;
    w->th_ptr = own_alloc(it, (size_t)N + 1, sizeof *w->th_ptr);
    w->th_idx = own_alloc(it, (size_t)nnz_a, sizeof *w->th_idx);
    w->th_val = own_alloc(it, (size_t)nnz_a, sizeof *w->th_val);
    if (!w->th_ptr || !w->th_idx || !w->th_val) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for theta");
    *n_part = 0;
    for (uint64_t d = 0; d < N; d++) {
        double sum = 0.0;
        for (uint64_t j = a->row_ptr[d]; j < a->row_ptr[d + 1]; j++) sum += a->val[j];
        if (sum > 0 && w->rp[d + 1] > w->rp[d]) {
            for (uint64_t j = a->row_ptr[d]; j < a->row_ptr[d + 1]; j++) {
                if (!(a->val[j] > 0)) continue;
                w->th_idx[cnt] = a->idx[j];
                w->th_val[cnt] = (float)(a->val[j] / sum);
                cnt++;
            }
            (*n_part)++;
        }
        w->th_ptr[d + 1] = cnt;
    }
    saetm_status st = build_by_feature(ctx, w);
    if (st) return st;
    for (uint32_t f = 0; f < w->F; f++) {
        saetm__fx s = {0};
        for (uint64_t e = w->cs_ptr[f]; e < w->cs_ptr[f + 1]; e++) saetm__fx_add(&s, w->cs_val[e]);
        if (theta_sum) theta_sum[f] = s;
        theta_avg[f] = *n_part ? (float)(saetm__fx_value(&s) / (double)*n_part) : 0.0f;
        doc_freq[f] = (uint32_t)(w->cs_ptr[f + 1] - w->cs_ptr[f]);
    }
    return SAETM_OK;
}

/* The EM's documents in a locality order: grouped by their largest theta entry (its feature; ties:
 * the lower feature; input order within a group; documents that do not take part last). A
 * feature's documents then lie in runs of adjacent rows, which the E- and M-steps read as streams
 * instead of one jump per document. Every EM sum is exact (saetm__fx) or per bag-of-words entry
 * over its features in ascending order (e_step), so the order changes no result, only the memory
 * access. w's document arrays (rp, wid, wt, th_*, cs_*, then per position in the new order) are
 * replaced by reordered copies owned by w; the theta the result keeps (fo) stays in input order. */
static saetm_status reorder_docs(saetm_ctx *ctx, em_work *w)
{
    const uint64_t N = w->N, nnz = w->rp[N], nnz_a = w->th_ptr[N];
    const uint32_t F = w->F;
    uint64_t *bucket = calloc((size_t)F + 2, sizeof *bucket);
    uint32_t *key = malloc((size_t)(N ? N : 1) * sizeof *key);
    uint64_t *perm = malloc((size_t)(N ? N : 1) * sizeof *perm);
    w->own_rp = saetm__calloc_aligned((size_t)N + 1, sizeof *w->own_rp);
    w->own_thp = saetm__calloc_aligned((size_t)N + 1, sizeof *w->own_thp);
    w->own_wid = saetm__calloc_aligned((size_t)nnz, sizeof *w->own_wid);
    w->own_thi = saetm__calloc_aligned((size_t)nnz_a, sizeof *w->own_thi);
    w->own_thv = saetm__calloc_aligned((size_t)nnz_a, sizeof *w->own_thv);
    float *wt = saetm__calloc_aligned((size_t)nnz, sizeof *wt);
    if (!bucket || !key || !perm || !w->own_rp || !w->own_thp || !w->own_wid || !w->own_thi || !w->own_thv || !wt) {
        free(bucket);
        free(key);
        free(perm);
        saetm__free_aligned(wt);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for the document order");
    }
    for (uint64_t d = 0; d < N; d++) { /* key F: no theta */
        uint32_t best = F;
        float bv = 0.0f;
        for (uint64_t j = w->th_ptr[d]; j < w->th_ptr[d + 1]; j++)
            if (w->th_val[j] > bv) bv = w->th_val[j], best = w->th_idx[j];
        key[d] = best;
        bucket[best + 1]++;
    }
    for (uint32_t f = 0; f <= F; f++) bucket[f + 1] += bucket[f];
    for (uint64_t d = 0; d < N; d++) perm[bucket[key[d]]++] = d; /* stable: input order within a key */
    uint64_t *rp = w->own_rp, *thp = w->own_thp;
    for (uint64_t i = 0; i < N; i++) {
        uint64_t d = perm[i];
        rp[i + 1] = rp[i] + (w->rp[d + 1] - w->rp[d]);
        thp[i + 1] = thp[i] + (w->th_ptr[d + 1] - w->th_ptr[d]);
    }
#pragma omp parallel for schedule(static, 256) num_threads(w->nt)
    for (int64_t ii = 0; ii < (int64_t)N; ii++) {
        uint64_t i = (uint64_t)ii, d = perm[i], m = w->rp[d + 1] - w->rp[d], k = w->th_ptr[d + 1] - w->th_ptr[d];
        memcpy(w->own_wid + rp[i], w->wid + w->rp[d], (size_t)m * sizeof *w->wid);
        memcpy(wt + rp[i], w->wt + w->rp[d], (size_t)m * sizeof *wt);
        memcpy(w->own_thi + thp[i], w->th_idx + w->th_ptr[d], (size_t)k * sizeof *w->th_idx);
        memcpy(w->own_thv + thp[i], w->th_val + w->th_ptr[d], (size_t)k * sizeof *w->th_val);
    }
    free(bucket);
    free(key);
    free(perm);
    saetm__free_aligned(w->wt);
    w->wt = wt;
    w->rp = rp;
    w->wid = w->own_wid;
    w->th_ptr = thp;
    w->th_idx = w->own_thi;
    w->th_val = w->own_thv;
    return build_by_feature(ctx, w);
}

/* S_f: the sorted words of the documents where f is active. */
static saetm_status build_support(saetm_ctx *ctx, saetm_interp *it, em_work *w)
{
    uint32_t F = w->F, V = w->V;
    int nt = w->nt;
    w->phi_ptr = own_alloc(it, (size_t)F + 1, sizeof *w->phi_ptr);
    uint32_t *mark = saetm__calloc_aligned((size_t)nt * V, sizeof *mark);
    if (!w->phi_ptr || !mark) {
        saetm__free_aligned(mark);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for word supports");
    }
    /* Pass 1: sizes. The marker value f+1 is unique per feature, so markers need no reset. */
#pragma omp parallel for schedule(dynamic, 64) num_threads(nt)
    for (int64_t fi = 0; fi < (int64_t)F; fi++) {
        uint32_t f = (uint32_t)fi, *mk = mark + (size_t)omp_get_thread_num() * V;
        uint64_t n = 0;
        for (uint64_t e = w->cs_ptr[f]; e < w->cs_ptr[f + 1]; e++) {
            uint64_t d = w->cs_doc[e];
            for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++)
                if (mk[w->wid[p]] != f + 1) mk[w->wid[p]] = f + 1, n++;
        }
        w->phi_ptr[f + 1] = n;
    }
    for (uint32_t f = 0; f < F; f++) w->phi_ptr[f + 1] += w->phi_ptr[f];
    uint64_t total = w->phi_ptr[F];
    w->phi_word = own_alloc(it, (size_t)total, sizeof *w->phi_word);
    w->psi = saetm__calloc_aligned((size_t)total, sizeof *w->psi);
    if (!w->phi_word || !w->psi) {
        saetm__free_aligned(mark);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for %llu feature-word pairs",
                           (unsigned long long)total);
    }
    memset(mark, 0, (size_t)nt * V * sizeof *mark);
#pragma omp parallel for schedule(dynamic, 64) num_threads(nt)
    for (int64_t fi = 0; fi < (int64_t)F; fi++) {
        uint32_t f = (uint32_t)fi, *mk = mark + (size_t)omp_get_thread_num() * V;
        uint32_t *row = w->phi_word + w->phi_ptr[f];
        uint64_t n = w->phi_ptr[f + 1] - w->phi_ptr[f], at = 0;
        if ((double)n * 8.0 < (double)V) { /* few words: collect and sort */
            for (uint64_t e = w->cs_ptr[f]; e < w->cs_ptr[f + 1]; e++) {
                uint64_t d = w->cs_doc[e];
                for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++)
                    if (mk[w->wid[p]] != f + 1) mk[w->wid[p]] = f + 1, row[at++] = w->wid[p];
            }
            qsort(row, (size_t)at, sizeof *row, cmp_u32);
        } else { /* many: mark, then read the marks in word order */
            for (uint64_t e = w->cs_ptr[f]; e < w->cs_ptr[f + 1]; e++) {
                uint64_t d = w->cs_doc[e];
                for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++) mk[w->wid[p]] = f + 1;
            }
            for (uint32_t v = 0; v < V; v++)
                if (mk[v] == f + 1) row[at++] = v;
        }
        assert(at == n);
    }
    saetm__free_aligned(mark);
    return SAETM_OK;
}

/* dist: replace this process's supports (w->phi_*) by the union over all processes (owned by it),
 * rows sorted; psi is reallocated for it. Every process gets the same. */
static saetm_status union_support(saetm_ctx *ctx, saetm_interp *it, em_work *w)
{
    const uint32_t F = w->F, V = w->V;
    const int P = saetm__dist_size(), nt = w->nt;
    uint64_t *cnt = calloc((size_t)P, sizeof *cnt);
    uint32_t *len = malloc((size_t)F * sizeof *len);
    uint8_t bad = !cnt || !len;
    for (uint32_t f = 0; !bad && f < F; f++) len[f] = (uint32_t)(w->phi_ptr[f + 1] - w->phi_ptr[f]);
    void *lens = NULL, *words = NULL;
    saetm__dist_max_u8(&bad, 1);
    if (!bad && saetm__dist_allgatherv(len, (uint64_t)F * sizeof *len, &lens, cnt)) bad = 1;
    if (!bad && saetm__dist_allgatherv(w->phi_word, w->phi_ptr[F] * sizeof *w->phi_word, &words, cnt)) bad = 1;
    uint64_t *start = bad ? NULL : calloc((size_t)P * (F + 1), sizeof *start); /* rank r, row f */
    uint64_t *ptr = bad ? NULL : own_alloc(it, (size_t)F + 1, sizeof *ptr);
    uint32_t *mark = bad ? NULL : saetm__calloc_aligned((size_t)nt * V, sizeof *mark);
    saetm_status st = SAETM_OK;
    if (bad || !start || !ptr || !mark) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for word supports");
    const uint32_t *L = lens, *Wd = words;
    if (!st) {
        uint64_t at = 0;
        for (int r = 0; r < P; r++)
            for (uint32_t f = 0; f <= F; f++) {
                start[(size_t)r * (F + 1) + f] = at;
                if (f < F) at += L[(size_t)r * F + f];
            }
        /* Pass 1: union sizes (marker f+1, unique per feature). */
#pragma omp parallel for schedule(dynamic, 64) num_threads(nt)
        for (int64_t fi = 0; fi < (int64_t)F; fi++) {
            uint32_t f = (uint32_t)fi, *mk = mark + (size_t)omp_get_thread_num() * V;
            uint64_t n = 0;
            for (int r = 0; r < P; r++)
                for (uint64_t i = start[(size_t)r * (F + 1) + f]; i < start[(size_t)r * (F + 1) + f + 1]; i++)
                    if (mk[Wd[i]] != f + 1) mk[Wd[i]] = f + 1, n++;
            ptr[f + 1] = n;
        }
        for (uint32_t f = 0; f < F; f++) ptr[f + 1] += ptr[f];
        uint32_t *row_words = own_alloc(it, (size_t)ptr[F], sizeof *row_words);
        saetm__free_aligned(w->psi);
        w->psi = saetm__calloc_aligned((size_t)ptr[F], sizeof *w->psi);
        if (!row_words || !w->psi) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for word supports");
        else {
            memset(mark, 0, (size_t)nt * V * sizeof *mark);
#pragma omp parallel for schedule(dynamic, 64) num_threads(nt)
            for (int64_t fi = 0; fi < (int64_t)F; fi++) {
                uint32_t f = (uint32_t)fi, *mk = mark + (size_t)omp_get_thread_num() * V, *row = row_words + ptr[f];
                uint64_t at2 = 0;
                for (int r = 0; r < P; r++)
                    for (uint64_t i = start[(size_t)r * (F + 1) + f]; i < start[(size_t)r * (F + 1) + f + 1]; i++)
                        if (mk[Wd[i]] != f + 1) mk[Wd[i]] = f + 1, row[at2++] = Wd[i];
                qsort(row, (size_t)at2, sizeof *row, cmp_u32);
            }
            w->phi_ptr = ptr;
            w->phi_word = row_words;
        }
    }
    saetm__free_aligned(mark);
    free(start);
    free(lens);
    free(words);
    free(len);
    free(cnt);
    return st;
}

/* E-step work: the per-entry sums, each thread's dense row buffer, and the thread ranges of
 * documents (contiguous, balanced by their (word, feature) pairs). */
static saetm_status build_estep(saetm_ctx *ctx, em_work *w)
{
    uint64_t N = w->N, nnz = w->rp[N];
    int nt = w->nt;
    w->s = saetm__calloc_aligned((size_t)nnz, sizeof *w->s);
    w->rowbuf = saetm__calloc_aligned((size_t)nt * w->V, sizeof *w->rowbuf);
    w->chunk = saetm__calloc_aligned((size_t)nt + 1, sizeof *w->chunk);
    if (!w->s || !w->rowbuf || !w->chunk) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for the E-step");
    uint64_t total = 0;
    for (uint64_t d = 0; d < N; d++) total += (w->rp[d + 1] - w->rp[d]) * (w->th_ptr[d + 1] - w->th_ptr[d]);
    uint64_t acc = 0, d = 0;
    for (int c = 1; c < nt; c++) {
        /* smallest d with the work of [0, d) >= c/nt of the total */
        while (d < N && (double)acc < (double)total * c / nt) {
            acc += (w->rp[d + 1] - w->rp[d]) * (w->th_ptr[d + 1] - w->th_ptr[d]);
            d++;
        }
        w->chunk[c] = d;
    }
    w->chunk[nt] = N;
    saetm__log(ctx, SAETM_LOG_DEBUG, "interpret: %llu (document, word, feature) triples per E-step",
               (unsigned long long)total);
    return SAETM_OK;
}

typedef struct feature_work {
    uint64_t work;
    uint32_t f;
} feature_work;

static int cmp_work_desc(const void *a, const void *b)
{
    const feature_work *x = a, *y = b;
    if (x->work != y->work) return x->work < y->work ? 1 : -1;
    return (x->f > y->f) - (x->f < y->f);
}

/* w->order: the features by decreasing M-step work (the bag-of-words entries of their documents),
 * ties by index. The M-step hands them out one at a time, largest first, so that a big feature
 * taken last does not leave one thread working alone; each feature's sums are its own, so the
 * result does not depend on the order. */
static saetm_status build_order(saetm_ctx *ctx, em_work *w)
{
    feature_work *fw = malloc((size_t)w->F * sizeof *fw);
    w->order = saetm__calloc_aligned(w->F, sizeof *w->order);
    if (!fw || !w->order) {
        free(fw);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
    }
    for (uint32_t f = 0; f < w->F; f++) {
        fw[f].f = f;
        fw[f].work = 0;
        for (uint64_t e = w->cs_ptr[f]; e < w->cs_ptr[f + 1]; e++)
            fw[f].work += w->rp[w->cs_doc[e] + 1] - w->rp[w->cs_doc[e]];
    }
    qsort(fw, w->F, sizeof *fw, cmp_work_desc);
    for (uint32_t i = 0; i < w->F; i++) w->order[i] = fw[i].f;
    free(fw);
    return SAETM_OK;
}

/* Word-major list of the bow positions of taking-part documents (for the background update). */
static saetm_status build_word_major(saetm_ctx *ctx, em_work *w)
{
    w->wm_ptr = saetm__calloc_aligned((size_t)w->V + 2, sizeof *w->wm_ptr);
    uint64_t n = 0;
    for (uint64_t d = 0; d < w->N; d++)
        if (w->th_ptr[d + 1] > w->th_ptr[d]) n += w->rp[d + 1] - w->rp[d];
    w->wm_pos = saetm__calloc_aligned((size_t)n, sizeof *w->wm_pos);
    if (!w->wm_ptr || !w->wm_pos) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
    for (uint64_t d = 0; d < w->N; d++)
        if (w->th_ptr[d + 1] > w->th_ptr[d])
            for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++) w->wm_ptr[w->wid[p] + 2]++;
    for (uint32_t v = 0; v < w->V; v++) w->wm_ptr[v + 2] += w->wm_ptr[v + 1];
    for (uint64_t d = 0; d < w->N; d++)
        if (w->th_ptr[d + 1] > w->th_ptr[d])
            for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++) w->wm_pos[w->wm_ptr[w->wid[p] + 1]++] = p;
    return SAETM_OK;
}

/* ======================================================================
 * EM steps
 * ==================================================================== */

/* How many documents ahead the feature-major passes (e_step, feature_numerators) prefetch a whole
 * row: a feature's documents are not adjacent, so every row start is a cache miss that the hardware
 * prefetcher cannot foresee. Measured on bench/bench_em.sh's planted problem: the psi M-step about
 * 1.5x faster, the E-step 1.3x (2 and 8 ahead within noise of 4). */
#define PREFETCH_AHEAD 4

/* First position in cs_doc[lo, hi) whose document is >= d. */
static uint64_t cs_lower(const uint64_t *cs_doc, uint64_t lo, uint64_t hi, uint64_t d)
{
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (cs_doc[mid] < d) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* E-step: q, per-document NLL and background mass; @return the total weighted NLL.
 * Thread c owns the documents [chunk[c], chunk[c+1]). For each feature f in ascending order it
 * spreads psi_f into its dense row buffer and adds a theta_{d,f} psi_{f,w} to s_{d,w} for its
 * documents where f is active; so every s_{d,w} is summed over the document's features in
 * ascending order, whatever the number of threads. */
static double e_step(em_work *w, double pi, double eps, double *bg_total)
{
    const double a = (1.0 - pi) * (1.0 - eps), floor_term = (1.0 - pi) * eps / (double)w->V;
    const int nt = w->nt;
#pragma omp parallel for schedule(static, 1) num_threads(nt)
    for (int c = 0; c < nt; c++) {
        const uint64_t da = w->chunk[c], db = w->chunk[c + 1];
        if (da == db) continue;
        float *row = w->rowbuf + (size_t)c * w->V;
        double *s = w->s;
        memset(s + w->rp[da], 0, (size_t)(w->rp[db] - w->rp[da]) * sizeof *s);
        for (uint32_t f = 0; f < w->F; f++) {
            uint64_t e = cs_lower(w->cs_doc, w->cs_ptr[f], w->cs_ptr[f + 1], da), e1 = w->cs_ptr[f + 1];
            if (e == e1 || w->cs_doc[e] >= db) continue;
            for (uint64_t i = w->phi_ptr[f]; i < w->phi_ptr[f + 1]; i++) row[w->phi_word[i]] = w->psi[i];
            for (; e < e1 && w->cs_doc[e] < db; e++) {
                uint64_t d = w->cs_doc[e];
                double t = a * w->cs_val[e];
                if (e + PREFETCH_AHEAD < e1) { /* as in feature_numerators */
                    const uint64_t dn = w->cs_doc[e + PREFETCH_AHEAD];
                    for (uint64_t pn = w->rp[dn]; pn < w->rp[dn + 1]; pn += 8) {
                        __builtin_prefetch(w->wid + pn);
                        __builtin_prefetch(s + pn, 1);
                    }
                }
                for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++) s[p] += t * row[w->wid[p]];
            }
        }
        for (uint64_t d = da; d < db; d++) {
            double nll = 0.0, bg = 0.0;
            if (w->th_ptr[d + 1] > w->th_ptr[d]) {
                for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++) {
                    uint32_t v = w->wid[p];
                    double sv = s[p] + (floor_term + pi * w->p0[v]);
                    double wt = w->wt[p];
                    if (wt > 0 && sv > 0) {
                        double qv = wt / sv;
                        w->q[p] = (float)qv;
                        nll -= wt * log(sv);
                        bg += qv * w->p0[v];
                    } else {
                        w->q[p] = 0.0f;
                    }
                }
            }
            w->doc_nll[d] = nll;
            w->doc_bg[d] = bg;
        }
    }
    /* The totals over all documents of all processes, exact (the same for any split). */
    saetm__fx tot[2] = {{0}, {0}};
    for (uint64_t d = 0; d < w->N; d++) {
        saetm__fx_add(&tot[0], w->doc_nll[d]);
        saetm__fx_add(&tot[1], w->doc_bg[d]);
    }
    if (w->dist) saetm__dist_sum_fx(tot, 2);
    *bg_total = saetm__fx_value(&tot[1]);
    return saetm__fx_value(&tot[0]);
}

/* Row [r0, r1) of x (a psi buffer) holds the new unnormalised values summing to sum: normalise (a
 * row without mass becomes uniform). */
static void normalize_psi_row(float *x, uint64_t r0, uint64_t r1, double sum)
{
    if (sum > 0 && isfinite(sum)) {
        double inv = 1.0 / sum;
        for (uint64_t i = r0; i < r1; i++) x[i] = (float)(x[i] * inv);
    } else {
        for (uint64_t i = r0; i < r1; i++) x[i] = (float)(1.0 / (double)(r1 - r0));
    }
}

/* g[w] += sum over f's documents of theta_{d,f} q_{d,w} (g: V exact sums, so that the result
 * does not depend on how the documents are split over processes). */
static inline void feature_numerators(const em_work *w, const float *restrict q, uint32_t f, saetm__fx *restrict g)
{
    /* local restrict copies: the stores to g would otherwise make the compiler reload every bound */
    const uint64_t *restrict rp = w->rp, *restrict cs_doc = w->cs_doc;
    const uint32_t *restrict wid = w->wid;
    const float *restrict cs_val = w->cs_val;
    const uint64_t e0 = w->cs_ptr[f], e1 = w->cs_ptr[f + 1];
    for (uint64_t e = e0; e < e1; e++) {
        const uint64_t d = cs_doc[e], p0 = rp[d], p1 = rp[d + 1];
        const double t = cs_val[e];
        if (e + PREFETCH_AHEAD < e1) { /* the rows of a document a few ahead: their start is a cache miss */
            const uint64_t dn = cs_doc[e + PREFETCH_AHEAD];
            for (uint64_t pn = rp[dn]; pn < rp[dn + 1]; pn += 16) {
                __builtin_prefetch(wid + pn);
                __builtin_prefetch(q + pn);
            }
        }
        /* A document's word ids are distinct (check_bow), so the updates of one row never collide. */
#pragma GCC ivdep
        for (uint64_t p = p0; p < p1; p++) saetm__fx_add(&g[wid[p]], t * q[p]);
    }
}

/* dist: this process's numerators over S, summed over the processes, then the update. */
static saetm_status m_step_psi_dist(em_work *w, const float *q, int init, float *dst)
{
    const float *src = w->psi;
    int nt = w->nt;
    uint64_t S = w->phi_ptr[w->F];
    if (!w->num && !(w->num = saetm__calloc_aligned((size_t)S, sizeof *w->num))) return SAETM_ERR_NOMEM;
    saetm__fx *g_all = saetm__calloc_aligned((size_t)nt * w->V, sizeof *g_all);
    if (!g_all) return SAETM_ERR_NOMEM;
#pragma omp parallel for schedule(dynamic, 32) num_threads(nt)
    for (int64_t fi = 0; fi < (int64_t)w->F; fi++) {
        uint32_t f = (uint32_t)fi;
        saetm__fx *g = g_all + (size_t)omp_get_thread_num() * w->V;
        feature_numerators(w, q, f, g);
        for (uint64_t i = w->phi_ptr[f]; i < w->phi_ptr[f + 1]; i++) {
            w->num[i] = g[w->phi_word[i]];
            memset(&g[w->phi_word[i]], 0, sizeof *g);
        }
    }
    saetm__free_aligned(g_all);
    saetm__dist_sum_fx(w->num, S);
#pragma omp parallel for schedule(dynamic, 32) num_threads(nt)
    for (int64_t fi = 0; fi < (int64_t)w->F; fi++) {
        uint64_t r0 = w->phi_ptr[fi], r1 = w->phi_ptr[fi + 1];
        double sum = 0.0;
        for (uint64_t i = r0; i < r1; i++) {
            double c = (init ? 1.0 : (double)src[i]) * saetm__fx_value(&w->num[i]);
            dst[i] = (float)c;
            sum += c;
        }
        normalize_psi_row(dst, r0, r1, sum);
    }
    return SAETM_OK;
}

/* M-step for psi: psi_{f,w} <- psi_{f,w} * sum_{d in f} theta_{d,f} q_{d,w}, normalised per row,
 * from w->psi into dst (w->psi itself, or a spare buffer: SQUAREM keeps the points it needs in
 * place of copying them). With init, psi is taken as 1 (the first step from a flat start). */
static saetm_status m_step_psi(em_work *w, const float *q, int init, float *dst)
{
    if (w->dist) return m_step_psi_dist(w, q, init, dst);
    const float *src = w->psi;
    int nt = w->nt;
    saetm__fx *g_all = saetm__calloc_aligned((size_t)nt * w->V, sizeof *g_all);
    if (!g_all) return SAETM_ERR_NOMEM;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int64_t fi = 0; fi < (int64_t)w->F; fi++) {
        uint32_t f = w->order[fi];
        saetm__fx *g = g_all + (size_t)omp_get_thread_num() * w->V;
        feature_numerators(w, q, f, g);
        uint64_t r0 = w->phi_ptr[f], r1 = w->phi_ptr[f + 1];
        double sum = 0.0;
        for (uint64_t i = r0; i < r1; i++) {
            double c = (init ? 1.0 : (double)src[i]) * saetm__fx_value(&g[w->phi_word[i]]);
            memset(&g[w->phi_word[i]], 0, sizeof *g);
            dst[i] = (float)c;
            sum += c;
        }
        normalize_psi_row(dst, r0, r1, sum);
    }
    saetm__free_aligned(g_all);
    return SAETM_OK;
}

/* p0 = (1-eps) chi + eps/V. */
static void set_p0(em_work *w, double eps)
{
    for (uint32_t v = 0; v < w->V; v++) w->p0[v] = (float)((1.0 - eps) * w->chi[v] + eps / (double)w->V);
}

/* chi_w <- chi_w * sum_d q_{d,w}, normalised (the first pass uses chi = 1 and q = the weights, which
 * gives the weighted unigram of the taking-part documents); then p0 = (1-eps) chi + eps/V. */
static void m_step_chi(em_work *w, const float *q, int init, double eps)
{
    double *c = w->vscratch;
    saetm__fx *cx = w->vscratch_fx;
#pragma omp parallel for schedule(static, 1024) num_threads(w->nt)
    for (int64_t vi = 0; vi < (int64_t)w->V; vi++) {
        uint32_t v = (uint32_t)vi;
        saetm__fx s = {0};
        for (uint64_t i = w->wm_ptr[v]; i < w->wm_ptr[v + 1]; i++) saetm__fx_add(&s, q[w->wm_pos[i]]);
        cx[v] = s;
    }
    if (w->dist) saetm__dist_sum_fx(cx, w->V);
    for (uint32_t v = 0; v < w->V; v++) c[v] = saetm__fx_value(&cx[v]);
    for (uint32_t v = 0; v < w->V; v++) c[v] = (init ? 1.0 : (double)w->chi[v]) * c[v];
    double sum = 0.0;
    for (uint32_t v = 0; v < w->V; v++) sum += c[v];
    for (uint32_t v = 0; v < w->V; v++) {
        if (sum > 0) w->chi[v] = (float)(c[v] / sum);
        else if (init) w->chi[v] = (float)(1.0 / w->V);
    }
    set_p0(w, eps);
}

/* ======================================================================
 * EM loop: plain or SQUAREM-accelerated, and the stopping rule
 * ==================================================================== */

/* An extrapolated entry is kept at >= KEEP times its EM value: EM's update is multiplicative, so
 * an entry set to zero could never come back. */
#define SQUAREM_KEEP 1e-3
#define PI_MAX (1.0 - 1e-6)
/* The step length |a| is capped: x' carries a^2 times the float32 rounding of the EM points, which
 * differs with the summation order of another process count; at 10 the 1- and 2-process fits of
 * tests/dist/test_mpi.sh stay within 2.5e-6 (2.3e-5 uncapped), and the planted problem of
 * bench/bench_em.sh needs 34 iterations to plain EM's stopping NLL instead of 31 uncapped. */
#define SQUAREM_MAX_STEP 10.0

/* Phases of the fit timed for the debug log (fit_finish). */
enum { PH_SETUP, PH_E, PH_PSI, PH_CHI, PH_SQUAREM, PH_TOP, EM_PHASES };
static const char *const phase_name[EM_PHASES] = {"set-up", "E-steps", "psi M-steps", "background M-steps",
                                                  "SQUAREM", "top words"};

typedef struct em_loop {
    const saetm_interp_opts *o;
    double eps, pi;
    double *hist;      /* NLL per unit weight of every accepted point (max_iter + 1) */
    uint32_t iter;     /* index of the last accepted point in hist */
    uint32_t evals;    /* E-steps run (every accepted point, and each rejected SQUAREM point) */
    uint32_t rejected; /* SQUAREM points replaced by their EM point */
    int64_t top_at;    /* the point whose top words are in w->top_prev (-1: none) */
    double sec[EM_PHASES]; /* wall seconds per phase (the debug log's profile) */
} em_loop;

/* Monotonic wall clock in seconds (for the phase profile only; never in a result). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* E-step at the current point (psi, chi, L->pi); under mpirun summed over the processes (exactly:
 * the same on every process, so every process takes the same decisions). @return the NLL per
 * unit weight; the background mass to *bg. */
static double em_eval(em_work *w, em_loop *L, double *bg)
{
    L->evals++;
    if (w->dist) saetm__dist_fault_point("interpret", L->evals);
    double t = now_s(), nll = e_step(w, L->pi, L->eps, bg);
    L->sec[PH_E] += now_s() - t;
    return nll / w->weight_total;
}

/* One EM step from the E-step just run (q, bg): psi, chi and pi move to EM's next point, psi into
 * dst (w->psi itself, or a spare buffer that then is w->psi; the caller keeps the old pointer). */
static saetm_status em_update(em_work *w, em_loop *L, double bg, float *dst)
{
    double t = now_s();
    saetm_status st = m_step_psi(w, w->q, 0, dst);
    w->psi = dst; /* also on failure: the caller's buffer bookkeeping stays a permutation */
    if (st) return st;
    double t1 = now_s();
    L->sec[PH_PSI] += t1 - t;
    if (L->o->background == SAETM_BACKGROUND_LEARNED) m_step_chi(w, w->q, 0, L->eps);
    L->sec[PH_CHI] += now_s() - t1;
    if (L->o->learn_pi) {
        L->pi = L->pi * bg / w->weight_total;
        if (L->pi > PI_MAX) L->pi = PI_MAX;
    }
    return SAETM_OK;
}

/* The T most probable words of every feature, in order (ties: the lower word id first; rows
 * shorter than T padded with UINT32_MAX), into top (F x T). */
static void top_words(const em_work *w, uint32_t T, uint32_t *top)
{
#pragma omp parallel for schedule(dynamic, 64) num_threads(w->nt)
    for (int64_t fi = 0; fi < (int64_t)w->F; fi++) {
        uint32_t *t = top + (size_t)fi * T, n = 0;
        float val[100];
        for (uint64_t i = w->phi_ptr[fi]; i < w->phi_ptr[fi + 1]; i++) {
            float x = w->psi[i];
            if (n == T && !(x > val[T - 1])) continue;
            uint32_t j = n < T ? n++ : T - 1;
            for (; j > 0 && val[j - 1] < x; j--) val[j] = val[j - 1], t[j] = t[j - 1];
            val[j] = x;
            t[j] = w->phi_word[i];
        }
        for (; n < T; n++) t[n] = UINT32_MAX;
    }
}

/* The share of the features (rounded down) whose top words may still change at the stop: one
 * per cent, so that 4,096 features stop once at most 40 lists move, while up to 99 topics (a refit)
 * must all have settled. On planted data (docs/topics.md, Solver) most such late moves are swaps
 * of near-equal words of features with a handful of documents. */
#define SETTLED_SHARE 0.01

/* Record the NLL of a new accepted point. @return 1 when the fit stops there: the relative NLL
 * change since the point before is <= tol and (stable_top > 0) the top words of all but
 * SETTLED_SHARE of the features are those of the point before; or max_iter points are reached. */
static int em_record(em_work *w, em_loop *L, saetm_ctx *ctx, double nll, int first)
{
    if (!first) L->iter++;
    uint32_t i = L->iter, T = L->o->stable_top;
    L->hist[i] = nll;
    saetm__log(ctx, SAETM_LOG_DEBUG, "interpret: iteration %u NLL %.9g pi %.6f (%u E-steps)", i, nll, L->pi, L->evals);
    if (i == 0) return 0;
    int done = L->hist[i - 1] - nll <= L->o->tol * fabs(nll);
    if (done && T) { /* tops are computed only once the NLL has settled: they cost O(|S| T) */
        double t = now_s();
        top_words(w, T, w->top);
        uint32_t changed = 0, rows = 0;
        for (uint32_t f = 0; f < w->F; f++) {
            rows += w->phi_ptr[f + 1] > w->phi_ptr[f];
            changed += memcmp(w->top + (size_t)f * T, w->top_prev + (size_t)f * T, T * sizeof *w->top) != 0;
        }
        saetm__log(ctx, SAETM_LOG_DEBUG, "interpret: the top %u words of %u of %u features changed", T, changed, rows);
        done = L->top_at == (int64_t)i - 1 && changed <= (uint32_t)(SETTLED_SHARE * rows);
        uint32_t *x = w->top;
        w->top = w->top_prev;
        w->top_prev = x;
        L->top_at = i;
        L->sec[PH_TOP] += now_s() - t;
    }
    return done || i == L->o->max_iter;
}

/* dst[i] = src[i] for the n floats. */
static void copy_f32(int nt, float *dst, const float *src, uint64_t n)
{
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t i = 0; i < (int64_t)n; i++) dst[i] = src[i];
}

/* SQUAREM's squared norms |x1 - x0|^2 and |x2 - 2 x1 + x0|^2 over entries [i0, i1), into out[0..1]. */
static void sq_norms(const float *x0, const float *x1, const float *x2, uint64_t i0, uint64_t i1, double *out)
{
    double rr = 0.0, vv = 0.0;
    for (uint64_t i = i0; i < i1; i++) {
        double r = (double)x1[i] - x0[i], v = (double)x2[i] - 2.0 * x1[i] + x0[i];
        rr += r * r;
        vv += v * v;
    }
    out[0] = rr;
    out[1] = vv;
}

/* SQUAREM's point over entries [i0, i1): x = x0 + c1 (x1 - x0) + c2 (x2 - 2 x1 + x0), kept >=
 * SQUAREM_KEEP x2, into x2's place; x2 moves to x0's place. @return the sum of the new entries. */
static double sq_point(float *x0, const float *x1, float *x2, uint64_t i0, uint64_t i1, double c1, double c2)
{
    double sum = 0.0;
    for (uint64_t i = i0; i < i1; i++) {
        double a = x0[i], b = x1[i], c = x2[i];
        double x = a + c1 * (b - a) + c2 * (c - 2.0 * b + a), lo = SQUAREM_KEEP * c;
        if (!(x >= lo)) x = lo;
        x0[i] = (float)c;
        x2[i] = (float)x;
        sum += (float)x;
    }
    return sum;
}

/* SQUAREM extrapolation (Varadhan & Roland 2008, step length SqS3). From x0 (psi0, chi0, pi0),
 * x1 = EM(x0) (psi1, chi1, pi1) and x2 = EM(x1) (in w, *pi): with r = x1 - x0, v = x2 - 2 x1 + x0
 * and a = -|r| / |v| (within [-SQUAREM_MAX_STEP, -1]), w gets x' = x0 - 2 a r + a^2 v, every entry kept >= SQUAREM_KEEP
 * times its x2 value and each row renormalised (psi rows and chi stay on their simplices; pi in
 * (0, PI_MAX]), and x2 moves to psi0 / chi0 / *pi2 for the fallback. The norms are sums per feature combined in feature
 * order, so a does not depend on the thread count. @return a; -1 means x' = x2 and nothing moved. */
static double squarem_extrapolate(em_work *w, em_loop *L, double pi0, double pi1, double *pi2)
{
    const uint32_t F = w->F, V = w->V;
    const int chi_on = L->o->background == SAETM_BACKGROUND_LEARNED, pi_on = L->o->learn_pi;
    *pi2 = L->pi;
#pragma omp parallel for schedule(dynamic, 32) num_threads(w->nt)
    for (int64_t fi = 0; fi < (int64_t)F; fi++)
        sq_norms(w->psi0, w->psi1, w->psi, w->phi_ptr[fi], w->phi_ptr[fi + 1], w->nrm + 2 * fi);
    double rr = 0.0, vv = 0.0, cn[2] = {0.0, 0.0};
    for (uint32_t f = 0; f < F; f++) rr += w->nrm[2 * f], vv += w->nrm[2 * f + 1];
    if (chi_on) sq_norms(w->chi0, w->chi1, w->chi, 0, V, cn);
    rr += cn[0], vv += cn[1];
    if (pi_on) rr += (pi1 - pi0) * (pi1 - pi0), vv += (*pi2 - 2.0 * pi1 + pi0) * (*pi2 - 2.0 * pi1 + pi0);
    if (!(rr > 0) || !(vv > 0) || !isfinite(rr) || !isfinite(vv)) return -1.0;
    double a = -sqrt(rr / vv);
    if (a < -SQUAREM_MAX_STEP) a = -SQUAREM_MAX_STEP;
    if (!(a < -1.0)) return -1.0;
    const double c1 = -2.0 * a, c2 = a * a;
#pragma omp parallel for schedule(dynamic, 32) num_threads(w->nt)
    for (int64_t fi = 0; fi < (int64_t)F; fi++) {
        uint64_t r0 = w->phi_ptr[fi], r1 = w->phi_ptr[fi + 1];
        normalize_psi_row(w->psi, r0, r1, sq_point(w->psi0, w->psi1, w->psi, r0, r1, c1, c2));
    }
    if (chi_on) {
        double sum = sq_point(w->chi0, w->chi1, w->chi, 0, V, c1, c2);
        for (uint32_t v = 0; v < V; v++) w->chi[v] = (float)(w->chi[v] / sum);
        set_p0(w, L->eps);
    }
    if (pi_on) {
        double x = pi0 + c1 * (pi1 - pi0) + c2 * (*pi2 - 2.0 * pi1 + pi0);
        if (!(x >= SQUAREM_KEEP * *pi2)) x = SQUAREM_KEEP * *pi2;
        L->pi = x > PI_MAX ? PI_MAX : x;
    }
    return a;
}

/* The EM iterations from the start point in w (psi, chi; L->pi): plain, or SQUAREM cycles of two EM
 * steps and an extrapolated point that is kept only if its NLL is not above the second point's
 * (else EM's next point), so the NLL of the accepted points never rises. */
static saetm_status em_run(saetm_ctx *ctx, em_work *w, em_loop *L)
{
    const int sq = L->o->accel == SAETM_ACCEL_SQUAREM;
    double bg = 0.0;
    int done = em_record(w, L, ctx, em_eval(w, L, &bg), 1);
    while (!done) {
        if (saetm__progress(ctx, "interpret", L->iter + 1, L->o->max_iter))
            return saetm__fail(ctx, SAETM_ERR_INTERRUPTED, "interpret: interrupted");
        double pi0 = L->pi, pi1 = 0.0, pi2 = 0.0, nll1;
        /* SQUAREM's three psi buffers (psi, psi0, psi1: always distinct) rotate instead of being
         * copied: x0 stays where it is and becomes psi0, x1 goes into psi1's buffer, x2 into the
         * third (psi0's before). */
        float *x0 = w->psi, *spare = w->psi0;
        if (sq) {
            double t = now_s();
            copy_f32(w->nt, w->chi0, w->chi, w->V);
            L->sec[PH_SQUAREM] += now_s() - t;
        }
        saetm_status st = em_update(w, L, bg, sq ? w->psi1 : w->psi);
        if (sq) w->psi0 = x0, w->psi1 = spare;
        if (st) return saetm__fail(ctx, st, "interpret: out of memory");
        done = em_record(w, L, ctx, nll1 = em_eval(w, L, &bg), 0);
        if (done || !sq) continue;
        if (saetm__progress(ctx, "interpret", L->iter + 1, L->o->max_iter))
            return saetm__fail(ctx, SAETM_ERR_INTERRUPTED, "interpret: interrupted");
        double t = now_s();
        copy_f32(w->nt, w->chi1, w->chi, w->V);
        L->sec[PH_SQUAREM] += now_s() - t;
        pi1 = L->pi;
        float *x1 = w->psi;
        st = em_update(w, L, bg, w->psi1);
        w->psi1 = x1;
        if (st) return saetm__fail(ctx, st, "interpret: out of memory");
        t = now_s();
        double a = squarem_extrapolate(w, L, pi0, pi1, &pi2);
        L->sec[PH_SQUAREM] += now_s() - t;
        double nll = em_eval(w, L, &bg);
        if (a < -1.0 && !(nll <= nll1)) { /* the safeguard: back to x2 = EM(x1) */
            t = now_s();
            float *x2 = w->psi0; /* the extrapolated point's buffer becomes the spare */
            w->psi0 = w->psi;
            w->psi = x2;
            copy_f32(w->nt, w->chi, w->chi0, w->V);
            set_p0(w, L->eps);
            L->sec[PH_SQUAREM] += now_s() - t;
            L->pi = pi2;
            L->rejected++;
            nll = em_eval(w, L, &bg);
        }
        done = em_record(w, L, ctx, nll, 0);
    }
    return SAETM_OK;
}

/* ======================================================================
 * Fit
 * ==================================================================== */

static saetm_status copy_vocab(saetm_ctx *ctx, saetm_interp *it, const char *const *vocab, uint32_t V)
{
    uint64_t bytes = 0;
    char name[32];
    for (uint32_t v = 0; v < V; v++) {
        if (vocab && !vocab[v]) return saetm__fail(ctx, SAETM_ERR_ARG, "interpret: vocabulary word %u is NULL", v);
        bytes += (vocab ? strlen(vocab[v]) : (size_t)snprintf(name, sizeof name, "w%u", v)) + 1;
    }
    char *blob = own_alloc(it, (size_t)bytes, 1);
    uint64_t *off = own_alloc(it, (size_t)V, sizeof *off);
    if (!blob || !off) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for the vocabulary");
    uint64_t at = 0;
    for (uint32_t v = 0; v < V; v++) {
        off[v] = at;
        if (vocab) {
            size_t n = strlen(vocab[v]) + 1;
            memcpy(blob + at, vocab[v], n);
            at += n;
        } else {
            at += (uint64_t)snprintf(blob + at, (size_t)(bytes - at), "w%u", v) + 1;
        }
    }
    it->vocab_blob = blob;
    it->vocab_off = off;
    it->vocab_bytes = bytes;
    return SAETM_OK;
}

/* dist: theta of every document on rank 0 (gathered in rank order from each process's w->th_*);
 * on the other processes their own rows, the other rows empty. Owned by it. Collective; every
 * process returns the same status. */
static saetm_status gather_theta(saetm_ctx *ctx, saetm_interp *it, const em_work *w, const uint64_t **ptr_out,
                                 const uint32_t **idx_out, const float **val_out)
{
    uint64_t *ptr;
    uint32_t *idx;
    float *val;
    /* n_owned is the same on every process (the same calls came before) */
    if (it->n_owned + 3 > MAX_OWNED || saetm__dist_gather_csr(w->N_all, w->N, w->th_ptr, w->th_idx, w->th_val, &ptr, &idx, &val))
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for theta");
    it->owned[it->n_owned++] = ptr;
    it->owned[it->n_owned++] = idx;
    it->owned[it->n_owned++] = val;
    *ptr_out = ptr;
    *idx_out = idx;
    *val_out = val;
    return SAETM_OK;
}

/* Phase 1. Under mpirun, this process's documents [d0, d1) seen through rebased views lb
 * (bag-of-words) and la (activations); row-pointer arrays to free in *lrp, *lap. Otherwise the
 * inputs themselves. */
static saetm_status fit_local_views(saetm_ctx *ctx, const saetm_acts *acts, const saetm_bow *bow, int D,
                                    saetm_bow *lb, saetm_acts *la, uint64_t **lrp, uint64_t **lap, uint64_t *d0_out)
{
    uint64_t d0 = 0, d1 = bow->rows;
    if (D) saetm__dist_range(bow->rows, saetm__dist_rank(), saetm__dist_size(), &d0, &d1);
    *lb = *bow;
    *la = *acts;
    *lrp = *lap = NULL;
    *d0_out = d0;
    if (!D) return SAETM_OK;
    uint64_t *rp = *lrp = malloc((size_t)(d1 - d0 + 1) * sizeof *rp);
    uint64_t *ap = *lap = malloc((size_t)(d1 - d0 + 1) * sizeof *ap);
    if (!rp || !ap) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
    for (uint64_t i = 0; i <= d1 - d0; i++) {
        rp[i] = bow->row_ptr[d0 + i] - bow->row_ptr[d0];
        ap[i] = acts->row_ptr[d0 + i] - acts->row_ptr[d0];
    }
    lb->rows = la->rows = d1 - d0;
    lb->row_ptr = rp;
    la->row_ptr = ap;
    if (rp[d1 - d0]) {
        lb->word_ids = bow->word_ids + bow->row_ptr[d0];
        lb->counts = bow->counts + bow->row_ptr[d0];
    }
    if (ap[d1 - d0]) {
        la->idx = acts->idx + acts->row_ptr[d0];
        la->val = acts->val + acts->row_ptr[d0];
    }
    return SAETM_OK;
}

/* What the fit phases hand on to the result. */
typedef struct fit_out {
    float *idf, *theta_avg;
    uint32_t *doc_freq;
    double *hist;
    uint64_t n_part;
    const uint64_t *th_ptr; /* the theta the result keeps (every document's on rank 0 under mpirun) */
    const uint32_t *th_idx;
    const float *th_val;
} fit_out;

/* Phase 2. The result's per-feature and per-word arrays, the EM's per-entry arrays, the
 * vocabulary, the IDF weights and theta (w's for the EM, fo's for the result). */
static saetm_status fit_theta(saetm_ctx *ctx, saetm_interp *it, saetm_interp *scratch, em_work *w, const saetm_bow *lb,
                              const saetm_acts *la, const char *const *vocab, const saetm_interp_opts *opts, fit_out *fo)
{
    fo->idf = own_alloc(it, w->V, sizeof *fo->idf);
    fo->theta_avg = own_alloc(it, w->F, sizeof *fo->theta_avg);
    fo->doc_freq = own_alloc(it, w->F, sizeof *fo->doc_freq);
    w->p0 = own_alloc(it, w->V, sizeof *w->p0);
    fo->hist = own_alloc(it, (size_t)opts->max_iter + 1, sizeof *fo->hist);
    w->chi = saetm__calloc_aligned(w->V, sizeof *w->chi);
    w->vscratch = saetm__calloc_aligned(w->V, sizeof *w->vscratch);
    w->vscratch_fx = saetm__calloc_aligned(w->V, sizeof *w->vscratch_fx);
    uint64_t nnz = lb->row_ptr[w->N];
    w->q = saetm__calloc_aligned((size_t)nnz, sizeof *w->q);
    w->doc_nll = saetm__calloc_aligned((size_t)w->N, sizeof *w->doc_nll);
    w->doc_bg = saetm__calloc_aligned((size_t)w->N, sizeof *w->doc_bg);
    if (!fo->idf || !fo->theta_avg || !fo->doc_freq || !w->p0 || !fo->hist || !w->chi || !w->vscratch || !w->vscratch_fx || !w->q ||
        !w->doc_nll || !w->doc_bg)
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
    saetm_status st = copy_vocab(ctx, it, vocab, w->V);
    if (!st) st = build_weights(ctx, w, lb, opts->idf, opts->idf_power, fo->idf);
    if (!st && w->dist) {
        /* This process's theta for the EM; theta_avg and doc_freq from the sums over all
         * processes; the theta of every document gathered to rank 0 (which writes the file). */
        float *ta = own_alloc(scratch, w->F, sizeof *ta);
        uint32_t *dfq = own_alloc(scratch, w->F, sizeof *dfq);
        saetm__fx *sums = calloc((size_t)w->F, sizeof *sums);
        uint64_t *counts = calloc((size_t)w->F + 1, sizeof *counts), np_local = 0;
        if (!ta || !dfq || !sums || !counts) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
        if (!st) st = build_theta(ctx, scratch, w, la, ta, dfq, &np_local, sums);
        st = saetm__dist_agree(ctx, st);
        if (!st) {
            for (uint32_t f = 0; f < w->F; f++) counts[f] = dfq[f];
            counts[w->F] = np_local;
            saetm__dist_sum_fx(sums, w->F);
            saetm__dist_sum_u64(counts, (size_t)w->F + 1);
            fo->n_part = counts[w->F];
            for (uint32_t f = 0; f < w->F; f++) {
                fo->theta_avg[f] = fo->n_part ? (float)(saetm__fx_value(&sums[f]) / (double)fo->n_part) : 0.0f;
                fo->doc_freq[f] = (uint32_t)counts[f];
            }
            st = gather_theta(ctx, it, w, &fo->th_ptr, &fo->th_idx, &fo->th_val);
        }
        free(sums);
        free(counts);
    } else if (!st) {
        st = build_theta(ctx, it, w, la, fo->theta_avg, fo->doc_freq, &fo->n_part, NULL);
        fo->th_ptr = w->th_ptr;
        fo->th_idx = w->th_idx;
        fo->th_val = w->th_val;
    }
    if (!st && fo->n_part == 0)
        st = saetm__fail(ctx, SAETM_ERR_INPUT,
                         "interpret: no document has both a positive activation and a vocabulary word");
    return st;
}

/* Phase 3. The memory check, the supports S_f, the E-step's and the background's index arrays, the
 * SQUAREM and stopping-rule buffers, the total weight, and the EM's start point. */
static saetm_status fit_structures(saetm_ctx *ctx, saetm_interp *it, saetm_interp *scratch, em_work *w,
                                   const saetm_interp_opts *opts, uint64_t n_part)
{
    const int D = w->dist, sq = opts->accel == SAETM_ACCEL_SQUAREM;
    uint64_t nnz = w->rp[w->N];
    /* Peak estimate of what is still to allocate: the feature-word pairs (at most one per
     * document-word-feature triple and F V in all; word, psi, final phi, the summed numerators under
     * mpirun and SQUAREM's two copies of psi), the E-step sums and the word-major list (8 B per
     * bag-of-words entry each), reorder_docs' copies (8 B per entry and per theta entry, 16 B per
     * document), per-thread and per-feature arrays. */
    uint64_t triples = 0;
    for (uint64_t d = 0; d < w->N; d++) triples += (w->rp[d + 1] - w->rp[d]) * (w->th_ptr[d + 1] - w->th_ptr[d]);
    uint64_t pairs = triples < (uint64_t)w->F * w->V ? triples : (uint64_t)w->F * w->V;
    uint64_t bytes = pairs * ((D ? 20 : 12) + (sq ? 8 : 0)) + nnz * 24 + w->th_ptr[w->N] * 8 + w->N * 16 +
                     (uint64_t)w->nt * w->V * 16 +
                     (uint64_t)w->V * 16 + (uint64_t)w->F * (40 + 8ull * opts->stable_top);
    saetm_status st = saetm__mem_check(ctx, bytes, "interpret");
    if (!st) st = reorder_docs(ctx, w);
    if (!st) st = build_support(ctx, D ? scratch : it, w);
    if (!st && D) st = union_support(ctx, it, w);
    if (!st) st = build_estep(ctx, w);
    if (!st) st = build_word_major(ctx, w);
    if (!st) st = build_order(ctx, w);
    if (st) return st;
    uint64_t S = w->phi_ptr[w->F];
    if (sq) {
        w->psi0 = saetm__calloc_aligned((size_t)S, sizeof *w->psi0);
        w->psi1 = saetm__calloc_aligned((size_t)S, sizeof *w->psi1);
        w->chi0 = saetm__calloc_aligned(w->V, sizeof *w->chi0);
        w->chi1 = saetm__calloc_aligned(w->V, sizeof *w->chi1);
        w->nrm = saetm__calloc_aligned((size_t)w->F * 2, sizeof *w->nrm);
        if (!w->psi0 || !w->psi1 || !w->chi0 || !w->chi1 || !w->nrm)
            return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory for the SQUAREM copies");
    }
    if (opts->stable_top) {
        w->top = saetm__calloc_aligned((size_t)w->F * opts->stable_top, sizeof *w->top);
        w->top_prev = saetm__calloc_aligned((size_t)w->F * opts->stable_top, sizeof *w->top_prev);
        if (!w->top || !w->top_prev) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
    }
    saetm__fx wsum = {0};
    for (uint64_t d = 0; d < w->N; d++)
        if (w->th_ptr[d + 1] > w->th_ptr[d])
            for (uint64_t p = w->rp[d]; p < w->rp[d + 1]; p++) saetm__fx_add(&wsum, w->wt[p]);
    if (D) saetm__dist_sum_fx(&wsum, 1);
    w->weight_total = saetm__fx_value(&wsum);
    if (!(w->weight_total > 0))
        return saetm__fail(ctx, SAETM_ERR_INPUT, "interpret: the documents that take part have zero total weight");
    saetm__log(ctx, SAETM_LOG_INFO,
               "interpret: %llu of %llu documents take part, %u features, %u words, %llu feature-word pairs",
               (unsigned long long)n_part, (unsigned long long)w->N_all, w->F, w->V, (unsigned long long)S);
    /* Start: psi from theta-weighted counts, chi the weighted unigram of the taking-part docs. */
    st = m_step_psi(w, w->wt, 1, w->psi);
    if (st) return saetm__fail(ctx, st, "interpret: out of memory");
    m_step_chi(w, w->wt, 1, opts->smooth);
    return SAETM_OK;
}

/* Phase 5. The final phi = (1-eps) psi + eps/V over S_f, and what the result keeps. */
static saetm_status fit_finish(saetm_ctx *ctx, saetm_interp *it, const em_work *w, const em_loop *L, const fit_out *fo)
{
    saetm__progress(ctx, "interpret", L->o->max_iter, L->o->max_iter);
    float *prob = own_alloc(it, (size_t)w->phi_ptr[w->F], sizeof *prob);
    if (!prob) return saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
    for (uint64_t i = 0; i < w->phi_ptr[w->F]; i++) prob[i] = (float)((1.0 - L->eps) * w->psi[i] + L->eps / (double)w->V);
    it->phi_prob = prob;
    it->pi = L->pi;
    it->nll = L->hist[L->iter];
    it->weight_total = w->weight_total;
    it->iters = L->iter;
    it->theta_avg = fo->theta_avg;
    it->doc_freq = fo->doc_freq;
    it->p0 = w->p0;
    it->idf = fo->idf;
    it->phi_ptr = w->phi_ptr;
    it->phi_word = w->phi_word;
    it->th_ptr = fo->th_ptr;
    it->th_idx = fo->th_idx;
    it->th_val = fo->th_val;
    it->nll_hist = L->hist;
    saetm__log(ctx, SAETM_LOG_INFO,
               "interpret: %u EM iterations (%u E-steps, %u SQUAREM points rejected), NLL %.6f per unit weight, pi %.4f",
               L->iter, L->evals, L->rejected, it->nll, L->pi);
    char prof[512];
    int at = 0;
    for (int i = 0; i < EM_PHASES && at < (int)sizeof prof; i++)
        at += snprintf(prof + at, sizeof prof - (size_t)at, "%s%s %.3f", i ? ", " : "", phase_name[i], L->sec[i]);
    saetm__log(ctx, SAETM_LOG_DEBUG, "interpret: wall seconds per phase: %s", prof);
    return SAETM_OK;
}

saetm_status saetm_interp_fit(saetm_ctx *ctx, const saetm_acts *acts, const saetm_bow *bow, const char *const *vocab,
                              const saetm_interp_opts *opts, saetm_interp **out)
{
    *out = NULL;
    const char *msg = saetm_interp_opts_check(opts);
    if (msg) return saetm__fail(ctx, SAETM_ERR_ARG, "interpret: %s", msg);
    if (!acts || !bow || !acts->row_ptr) return saetm__fail(ctx, SAETM_ERR_ARG, "interpret: missing input");
    if (acts->rows != bow->rows)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "interpret: %llu activation rows but %llu documents",
                           (unsigned long long)acts->rows, (unsigned long long)bow->rows);
    if (bow->vocab_size == 0 || acts->n_features == 0)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "interpret: empty vocabulary or no features");
    const int D = saetm__dist_on(ctx);
    saetm_bow lb;
    saetm_acts la;
    uint64_t *lrp = NULL, *lap = NULL, d0 = 0;
    saetm_status st = fit_local_views(ctx, acts, bow, D, &lb, &la, &lrp, &lap, &d0);
    if (!st) st = check_bow(ctx, &lb, d0);
    if (D) st = saetm__dist_agree(ctx, st);
    saetm_interp *it = st ? NULL : calloc(1, sizeof *it);
    saetm_interp *scratch = st || !D ? NULL : calloc(1, sizeof *scratch); /* owns this process's theta, S_f */
    if (!st && (!it || (D && !scratch))) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "interpret: out of memory");
    if (st) {
        free(lrp);
        free(lap);
        free(it);
        free(scratch);
        return st;
    }
    em_work w;
    memset(&w, 0, sizeof w);
    w.dist = D;
    w.N = lb.rows;
    w.N_all = bow->rows;
    w.F = acts->n_features;
    w.V = bow->vocab_size;
    w.nt = saetm_ctx_threads(ctx);
    if (w.nt < 1) w.nt = 1;
    w.rp = lb.row_ptr;
    w.wid = lb.word_ids;
    it->n_docs = w.N_all;
    it->n_features = w.F;
    it->vocab = w.V;
    it->opts = *opts;

    fit_out fo;
    memset(&fo, 0, sizeof fo);
    double t0 = now_s();
    st = fit_theta(ctx, it, scratch, &w, &lb, &la, vocab, opts, &fo);
    if (!st) st = fit_structures(ctx, it, scratch, &w, opts, fo.n_part);
    em_loop L = {.o = opts, .eps = opts->smooth, .pi = opts->pi, .hist = fo.hist, .top_at = -1};
    L.sec[PH_SETUP] = now_s() - t0;
    if (!st) st = em_run(ctx, &w, &L);
    if (!st) st = fit_finish(ctx, it, &w, &L, &fo);
    em_work_free(&w);
    saetm_interp_free(scratch);
    free(lrp);
    free(lap);
    if (st) {
        saetm_interp_free(it);
        return st;
    }
    *out = it;
    return SAETM_OK;
}

/* ======================================================================
 * Accessors
 * ==================================================================== */

uint64_t saetm_interp_num_docs(const saetm_interp *it) { return it->n_docs; }
uint32_t saetm_interp_num_features(const saetm_interp *it) { return it->n_features; }
uint32_t saetm_interp_vocab_size(const saetm_interp *it) { return it->vocab; }
const char *saetm_interp_word(const saetm_interp *it, uint32_t w)
{
    return w < it->vocab ? it->vocab_blob + it->vocab_off[w] : "";
}
double saetm_interp_nll(const saetm_interp *it) { return it->nll; }
uint32_t saetm_interp_iterations(const saetm_interp *it) { return it->iters; }
double saetm_interp_pi(const saetm_interp *it) { return it->pi; }
void saetm_interp_get_opts(const saetm_interp *it, saetm_interp_opts *opts) { *opts = it->opts; }
const float *saetm_interp_theta_avg(const saetm_interp *it) { return it->theta_avg; }
const uint32_t *saetm_interp_doc_freq(const saetm_interp *it) { return it->doc_freq; }
const float *saetm_interp_p0(const saetm_interp *it) { return it->p0; }
const float *saetm_interp_idf(const saetm_interp *it) { return it->idf; }

void saetm_interp_phi_sparse(const saetm_interp *it, uint32_t f, const uint32_t **words, const float **probs,
                             uint64_t *n)
{
    uint64_t r0 = it->phi_ptr[f];
    *words = it->phi_word + r0;
    *probs = it->phi_prob + r0;
    *n = it->phi_ptr[f + 1] - r0;
}

float saetm_interp_phi_floor(const saetm_interp *it, uint32_t f)
{
    if (it->phi_ptr[f + 1] == it->phi_ptr[f]) return (float)(1.0 / it->vocab);
    return (float)(it->opts.smooth / it->vocab);
}

void saetm_interp_phi_row(const saetm_interp *it, uint32_t f, float *out)
{
    float fl = saetm_interp_phi_floor(it, f);
    for (uint32_t v = 0; v < it->vocab; v++) out[v] = fl;
    for (uint64_t i = it->phi_ptr[f]; i < it->phi_ptr[f + 1]; i++) out[it->phi_word[i]] = it->phi_prob[i];
}

void saetm_interp_theta(const saetm_interp *it, saetm_acts *view)
{
    memset(view, 0, sizeof *view);
    view->rows = it->n_docs;
    view->n_features = it->n_features;
    view->row_ptr = it->th_ptr;
    view->idx = it->th_idx;
    view->val = it->th_val;
}

/* ======================================================================
 * .sti files
 * ==================================================================== */

/* Scalars of the "fit" section, in this order (f64). */
enum { FIT_PI, FIT_PI_START, FIT_LEARN_PI, FIT_BACKGROUND, FIT_IDF, FIT_SMOOTH, FIT_TOL, FIT_MAX_ITER, FIT_NLL,
       FIT_WEIGHT, FIT_COUNT };

saetm_status saetm_interp_save(saetm_ctx *ctx, const saetm_interp *it, const char *path)
{
    saetm__cwriter *cw;
    saetm_status st = saetm__cw_open(ctx, path, STI_MAGIC, STI_VERSION, &cw);
    if (st) return st;
    uint64_t shape[4] = {it->n_docs, it->n_features, it->vocab, it->iters};
    double fit[FIT_COUNT] = {0};
    fit[FIT_PI] = it->pi;
    fit[FIT_PI_START] = it->opts.pi;
    fit[FIT_LEARN_PI] = it->opts.learn_pi;
    fit[FIT_BACKGROUND] = it->opts.background;
    fit[FIT_IDF] = it->opts.idf ? it->opts.idf_power : 0; /* 1 for plain IDF, as files before idf_power */
    fit[FIT_SMOOTH] = it->opts.smooth;
    fit[FIT_TOL] = it->opts.tol;
    fit[FIT_MAX_ITER] = it->opts.max_iter;
    fit[FIT_NLL] = it->nll;
    fit[FIT_WEIGHT] = it->weight_total;
    uint64_t F = it->n_features, V = it->vocab, N = it->n_docs;
    st = saetm__cw_section(ctx, cw, "shape", SAETM__U64, shape, 4, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "fit", SAETM__F64, fit, FIT_COUNT, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "theta_avg", SAETM__F32, it->theta_avg, F, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "doc_freq", SAETM__U32, it->doc_freq, F, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "p0", SAETM__F32, it->p0, V, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "idf", SAETM__F32, it->idf, V, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "phi_ptr", SAETM__U64, it->phi_ptr, F + 1, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "phi_word", SAETM__U32, it->phi_word, it->phi_ptr[F], 1);
    if (!st) st = saetm__cw_section(ctx, cw, "phi_prob", SAETM__F32, it->phi_prob, it->phi_ptr[F], 1);
    if (!st) st = saetm__cw_section(ctx, cw, "theta_ptr", SAETM__U64, it->th_ptr, N + 1, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "theta_idx", SAETM__U32, it->th_idx, it->th_ptr[N], 1);
    if (!st) st = saetm__cw_section(ctx, cw, "theta_val", SAETM__F32, it->th_val, it->th_ptr[N], 1);
    if (!st) st = saetm__cw_section(ctx, cw, "vocab", SAETM__U8, it->vocab_blob, it->vocab_bytes, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "vocab_off", SAETM__U64, it->vocab_off, V, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "nll_hist", SAETM__F64, it->nll_hist, (uint64_t)it->iters + 1, 1);
    if (st) {
        saetm__cw_abort(cw);
        return st;
    }
    return saetm__cw_commit(ctx, cw);
}

/* Fetch a vector section; with want, it must have exactly *want entries; its length goes to *got. */
static saetm_status get_vec(saetm_ctx *ctx, const saetm__creader *r, const char *name, saetm__dtype t,
                            const void **p, const uint64_t *want, uint64_t *got)
{
    uint64_t rows = 0, cols = 0;
    saetm_status st = saetm__cr_get(ctx, r, name, t, p, &rows, &cols);
    if (st) return st;
    if (cols != 1 || (want && rows != *want))
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section %s has %llu x %llu entries, expected %llu", r->path,
                           name, (unsigned long long)rows, (unsigned long long)cols,
                           (unsigned long long)(want ? *want : rows));
    if (got) *got = rows;
    return SAETM_OK;
}

saetm_status saetm_interp_load(saetm_ctx *ctx, const char *path, saetm_interp **out)
{
    *out = NULL;
    saetm_interp *it = calloc(1, sizeof *it);
    if (!it) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    saetm__creader *r = &it->reader;
    saetm_status st = saetm__cr_open(ctx, path, STI_MAGIC, STI_VERSION, r);
    if (st) {
        free(it);
        return st;
    }
    const void *p;
    const uint64_t four = 4, nfit = FIT_COUNT;
    st = get_vec(ctx, r, "shape", SAETM__U64, &p, &four, NULL);
    uint64_t shape[4] = {0};
    if (!st) {
        memcpy(shape, p, sizeof shape);
        if (shape[1] == 0 || shape[1] > UINT32_MAX || shape[2] == 0 || shape[2] > UINT32_MAX || shape[0] == UINT64_MAX ||
            shape[3] > UINT32_MAX - 1)
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: impossible shape", path);
    }
    uint64_t N = shape[0], F = shape[1], V = shape[2], N1 = N + 1, F1 = F + 1, H = shape[3] + 1;
    it->n_docs = N;
    it->n_features = (uint32_t)F;
    it->vocab = (uint32_t)V;
    it->iters = (uint32_t)shape[3];
    double fit[FIT_COUNT] = {0};
    if (!st) st = get_vec(ctx, r, "fit", SAETM__F64, &p, &nfit, NULL);
    if (!st) memcpy(fit, p, sizeof fit);
    const void *ta = NULL, *df = NULL, *p0 = NULL, *idf = NULL, *pp = NULL, *pw = NULL, *pr = NULL, *tp = NULL,
               *ti = NULL, *tv = NULL, *vb = NULL, *vo = NULL, *nh = NULL;
    uint64_t nphi = 0, nth = 0, nvb = 0;
    /* Sections in an order where every length is known before it is needed (0: any length). */
    struct {
        const char *name;
        saetm__dtype type;
        const void **dst;
        const uint64_t *want;
        uint64_t *got;
    } secs[] = {
        {"theta_avg", SAETM__F32, &ta, &F, NULL},   {"doc_freq", SAETM__U32, &df, &F, NULL},
        {"p0", SAETM__F32, &p0, &V, NULL},          {"idf", SAETM__F32, &idf, &V, NULL},
        {"phi_ptr", SAETM__U64, &pp, &F1, NULL},    {"phi_word", SAETM__U32, &pw, NULL, &nphi},
        {"phi_prob", SAETM__F32, &pr, &nphi, NULL}, {"theta_ptr", SAETM__U64, &tp, &N1, NULL},
        {"theta_idx", SAETM__U32, &ti, NULL, &nth}, {"theta_val", SAETM__F32, &tv, &nth, NULL},
        {"vocab", SAETM__U8, &vb, NULL, &nvb},      {"vocab_off", SAETM__U64, &vo, &V, NULL},
        {"nll_hist", SAETM__F64, &nh, &H, NULL},
    };
    for (size_t i = 0; !st && i < sizeof secs / sizeof secs[0]; i++)
        st = get_vec(ctx, r, secs[i].name, secs[i].type, secs[i].dst, secs[i].want, secs[i].got);
    char what[300];
    snprintf(what, sizeof what, "%s: phi", path);
    if (!st) st = saetm__csr_validate(ctx, what, F, (uint32_t)V, pp, pw, pr, nphi);
    snprintf(what, sizeof what, "%s: theta", path);
    if (!st) st = saetm__csr_validate(ctx, what, N, (uint32_t)F, tp, ti, tv, nth);
    if (!st && (nvb == 0 || ((const char *)vb)[nvb - 1] != 0))
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: vocabulary blob is not NUL-terminated", path);
    for (uint64_t v = 0; !st && v < V; v++)
        if (((const uint64_t *)vo)[v] >= nvb)
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: vocabulary offset %llu out of range", path,
                             (unsigned long long)v);
    if (!st && (!(fit[FIT_SMOOTH] >= 0 && fit[FIT_SMOOTH] < 1) || !(fit[FIT_PI] >= 0 && fit[FIT_PI] < 1) ||
                !(fit[FIT_IDF] >= 0 && fit[FIT_IDF] <= 4) ||
                !(fit[FIT_MAX_ITER] >= 0 && fit[FIT_MAX_ITER] <= UINT32_MAX)))
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: fit parameters out of range", path);
    if (st) {
        saetm_interp_free(it);
        return st;
    }
    saetm_interp_opts_default(&it->opts);
    it->opts.pi = fit[FIT_PI_START];
    it->opts.learn_pi = fit[FIT_LEARN_PI] != 0;
    it->opts.background = fit[FIT_BACKGROUND] != 0 ? SAETM_BACKGROUND_UNIGRAM : SAETM_BACKGROUND_LEARNED;
    it->opts.idf = fit[FIT_IDF] != 0;
    if (it->opts.idf) it->opts.idf_power = fit[FIT_IDF];
    it->opts.smooth = fit[FIT_SMOOTH];
    it->opts.tol = fit[FIT_TOL];
    it->opts.max_iter = (uint32_t)fit[FIT_MAX_ITER];
    it->pi = fit[FIT_PI];
    it->nll = fit[FIT_NLL];
    it->weight_total = fit[FIT_WEIGHT];
    it->theta_avg = ta;
    it->doc_freq = df;
    it->p0 = p0;
    it->idf = idf;
    it->phi_ptr = pp;
    it->phi_word = pw;
    it->phi_prob = pr;
    it->th_ptr = tp;
    it->th_idx = ti;
    it->th_val = tv;
    it->vocab_blob = vb;
    it->vocab_bytes = nvb;
    it->vocab_off = vo;
    it->nll_hist = nh;
    *out = it;
    return SAETM_OK;
}
