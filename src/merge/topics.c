/*
 * topics.c - merging SAE features into K topics (method.md 2.4): keep the features that occur in
 * the corpus, sparsify their word distributions to mass tau, embed them (Hellinger, word vectors
 * or decoder directions), group them with weights theta_avg (k-means or agglomerative), and give
 * every topic the weighted mean word distribution of its features and every document theta . M.
 * Also: re-fitting the topic word distributions by EM (2.6), transform, output files.
 */
#include "saetm_int.h"

#include <cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define PRUNE_REDUNDANCY 0.5 /* default weight of a topic's largest cosine with another in its pruning score */

struct saetm_topics {
    saetm_topics_opts o;
    uint32_t k, F, V;
    uint64_t N;
    float *topic_word;      /* K x V */
    float *doc_topics;      /* N x K */
    int32_t *feature_topic; /* F */
    uint32_t *top;          /* K x top_n */
    double *weight;         /* K */
    uint64_t *doc_count;    /* K */
    /* agglomerative tree: leaves, merges, and the leaf of each clustered feature */
    uint64_t n_leaves;
    saetm__merge *merges;
    uint32_t *leaf_of;      /* F: leaf of a clustered feature, UINT32_MAX otherwise */
    double lambda;          /* the relevance lambda of the top words (saetm_topics_lambda) */
    /* saetm_topics_evaluate: n_eval scores (0 none, 1 in-sample, 2 with held-out), cleared
     * whenever the top words change */
    int n_eval;
    saetm_topics_score eval[2];
    double holdout;
};

void saetm_topics_opts_default(saetm_topics_opts *o)
{
    memset(o, 0, sizeof *o);
    o->k = 20;
    o->tau = 0.9;
    o->space = SAETM_SPACE_HELLINGER;
    o->method = SAETM_MERGE_KMEANS;
    o->restarts = 4;
    o->max_iter = 100;
    o->min_docs = 1;
    o->max_leaves = 2048;
    o->top_n = 20;
    o->rank = SAETM_RANK_PROB;
    o->lambda = 0.6;
    o->seed = 1;
    o->frex_weight = 0.5;
    o->neighbors = 64;
    o->redundancy = PRUNE_REDUNDANCY;
}

const char *saetm_topics_opts_check(const saetm_topics_opts *o)
{
    if (o->k < 1) return "k must be >= 1";
    if (!(o->tau > 0 && o->tau <= 1)) return "tau must be in (0, 1]";
    if (o->space != SAETM_SPACE_HELLINGER && o->space != SAETM_SPACE_WORDS && o->space != SAETM_SPACE_DECODER)
        return "space must be hellinger, words or decoder";
    if (o->method != SAETM_MERGE_KMEANS && o->method != SAETM_MERGE_AVERAGE && o->method != SAETM_MERGE_WARD &&
        o->method != SAETM_MERGE_COACT)
        return "method must be kmeans, average, ward or coactivation";
    if (o->restarts < 1) return "restarts must be >= 1";
    if (o->max_leaves < 2) return "max_leaves must be >= 2";
    if (o->top_n < 1) return "top_n must be >= 1";
    if (o->rank != SAETM_RANK_PROB && o->rank != SAETM_RANK_RELEVANCE && o->rank != SAETM_RANK_FREX)
        return "rank must be prob, relevance or frex";
    if (!(o->lambda >= 0 && o->lambda <= 1)) return "lambda must be in [0, 1]";
    if (!(o->frex_weight >= 0 && o->frex_weight <= 1)) return "frex weight must be in [0, 1]";
    if (o->neighbors < 1) return "neighbors must be >= 1";
    if (!(o->min_diversity >= 0 && o->min_diversity <= 1)) return "min_diversity must be in [0, 1]";
    if (!(o->redundancy >= 0 && o->redundancy <= 10)) return "redundancy must be in [0, 10]";
    if (o->coact_init != SAETM_COACT_INIT_RANDOM && o->coact_init != SAETM_COACT_INIT_PIVOT)
        return "coact_init must be random or pivot";
    if (o->coact_init == SAETM_COACT_INIT_PIVOT && o->method != SAETM_MERGE_COACT)
        return "coact_init pivot is for the co-activation merge (method coactivation)";
    return NULL;
}

void saetm_topics_free(saetm_topics *t)
{
    if (!t) return;
    void *a[] = {t->topic_word, t->doc_topics, t->feature_topic, t->top, t->weight, t->doc_count, t->merges,
                 t->leaf_of};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) saetm__free_aligned(a[i]);
    free(t);
}

uint32_t saetm_topics_k(const saetm_topics *t) { return t->k; }
const float *saetm_topics_topic_word(const saetm_topics *t) { return t->topic_word; }
const float *saetm_topics_doc_topics(const saetm_topics *t) { return t->doc_topics; }
const int32_t *saetm_topics_feature_topic(const saetm_topics *t) { return t->feature_topic; }
const uint32_t *saetm_topics_top_words(const saetm_topics *t, uint32_t k) { return t->top + (size_t)k * t->o.top_n; }
double saetm_topics_weight(const saetm_topics *t, uint32_t k) { return t->weight[k]; }
uint64_t saetm_topics_doc_count(const saetm_topics *t, uint32_t k) { return t->doc_count[k]; }
double saetm_topics_lambda(const saetm_topics *t) { return t->lambda; }

static const char *method_name(saetm_merge_method m)
{
    return m == SAETM_MERGE_KMEANS ? "kmeans" : m == SAETM_MERGE_WARD ? "ward" : m == SAETM_MERGE_COACT ? "coactivation" : "average";
}

static const char *space_name(saetm_space s)
{
    return s == SAETM_SPACE_HELLINGER ? "hellinger" : s == SAETM_SPACE_WORDS ? "words" : "decoder";
}

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
 * Building topics
 * ==================================================================== */

/* Topic word distributions: theta_avg-weighted mean of the members' phi (floor included). */
static saetm_status topic_words(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const float *ta)
{
    uint32_t K = t->k, V = t->V, F = t->F;
    int nt = saetm_ctx_threads(ctx);
    double *acc_all = saetm__calloc_aligned((size_t)nt * V, sizeof *acc_all);
    if (!acc_all) return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int64_t ki = 0; ki < (int64_t)K; ki++) {
        float *row = t->topic_word + (size_t)ki * V;
        double base = 0, *acc = acc_all + (size_t)omp_get_thread_num() * V;
        memset(acc, 0, (size_t)V * sizeof *acc);
        for (uint32_t f = 0; f < F; f++) {
            if (t->feature_topic[f] != (int32_t)ki) continue;
            double fl = saetm_interp_phi_floor(it, f);
            const uint32_t *w;
            const float *p;
            uint64_t m;
            saetm_interp_phi_sparse(it, f, &w, &p, &m);
            base += ta[f] * fl;
            for (uint64_t j = 0; j < m; j++) acc[w[j]] += ta[f] * ((double)p[j] - fl);
        }
        double wk = t->weight[ki];
        for (uint32_t v = 0; v < V; v++) row[v] = (float)((base + acc[v]) / wk);
    }
    saetm__free_aligned(acc_all);
    return SAETM_OK;
}

typedef struct dpair {
    double s;
    uint32_t w;
} dpair;

static int cmp_dpair_desc(const void *x, const void *y)
{
    const dpair *a = x, *b = y;
    if (a->s != b->s) return a->s > b->s ? -1 : 1;
    return (a->w > b->w) - (a->w < b->w);
}

static int cmp_dpair_asc(const void *x, const void *y) { return -cmp_dpair_desc(x, y); }

/* ecdf[v] = (number of values <= x[v]) / V: the empirical CDF of x over the vocabulary. s: V scratch. */
static void ecdf(const double *x, uint32_t V, dpair *s, double *out)
{
    for (uint32_t v = 0; v < V; v++) s[v].s = x[v], s[v].w = v;
    qsort(s, V, sizeof *s, cmp_dpair_asc);
    for (uint32_t i = 0; i < V;) {
        uint32_t j = i;
        while (j + 1 < V && s[j + 1].s == s[i].s) j++;
        for (uint32_t q = i; q <= j; q++) out[s[q].w] = (double)(j + 1) / V;
        i = j + 1;
    }
}

/* Top words of every topic by the chosen ranking: probability, relevance (lambda log p(w|t) +
 * (1 - lambda) log(p(w|t) / p(w)), p(w) the topic-weighted marginal) or FREX (Roberts et al.: the
 * weighted harmonic mean of the within-topic ECDF ranks of exclusivity p(w|t) / sum_t' p(w|t')
 * and of frequency p(w|t)); ties to the lower word id. */
saetm_status saetm__rank_words(saetm_ctx *ctx, uint32_t K, uint32_t V, const float *topic_word, const double *weight,
                               const saetm_topics_opts *o, uint32_t *top_out)
{
    uint32_t n = o->top_n < V ? o->top_n : V;
    double *pw = saetm__calloc_aligned(V, sizeof *pw), *colsum = saetm__calloc_aligned(V, sizeof *colsum);
    if (!pw || !colsum) {
        saetm__free_aligned(pw);
        saetm__free_aligned(colsum);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    }
    double wsum = 0, fw = o->frex_weight;
    for (uint32_t k = 0; k < K; k++) wsum += weight[k];
    for (uint32_t k = 0; k < K; k++)
        for (uint32_t v = 0; v < V; v++) {
            pw[v] += weight[k] / wsum * topic_word[(size_t)k * V + v];
            colsum[v] += topic_word[(size_t)k * V + v];
        }
    int fail = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(saetm_ctx_threads(ctx)) reduction(| : fail)
    for (int64_t ki = 0; ki < (int64_t)K; ki++) {
        int frex = o->rank == SAETM_RANK_FREX;
        dpair *s = malloc((size_t)V * sizeof *s);
        double *ex = frex ? malloc((size_t)V * 4 * sizeof *ex) : NULL;
        if (!s || (frex && !ex)) {
            free(s);
            free(ex);
            fail = 1;
            continue;
        }
        const float *row = topic_word + (size_t)ki * V;
        if (frex) { /* ex: exclusivity, frequency, and their ECDFs */
            double *fq = ex + V, *ce = ex + 2 * (size_t)V, *cf = ex + 3 * (size_t)V;
            for (uint32_t v = 0; v < V; v++) {
                fq[v] = row[v];
                ex[v] = colsum[v] > 0 ? row[v] / colsum[v] : 0;
            }
            ecdf(ex, V, s, ce);
            ecdf(fq, V, s, cf);
            for (uint32_t v = 0; v < V; v++) s[v].s = 1 / (fw / ce[v] + (1 - fw) / cf[v]), s[v].w = v;
        } else {
            for (uint32_t v = 0; v < V; v++) {
                double p = row[v] > 0 ? row[v] : 1e-30;
                s[v].s = o->rank == SAETM_RANK_PROB
                             ? p
                             : o->lambda * log(p) + (1 - o->lambda) * log(p / (pw[v] > 0 ? pw[v] : 1e-30));
                s[v].w = v;
            }
        }
        qsort(s, V, sizeof *s, cmp_dpair_desc);
        uint32_t *top = top_out + (size_t)ki * o->top_n;
        for (uint32_t j = 0; j < o->top_n; j++) top[j] = j < n ? s[j].w : UINT32_MAX;
        free(s);
        free(ex);
    }
    saetm__free_aligned(pw);
    saetm__free_aligned(colsum);
    return fail ? saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory") : SAETM_OK;
}

/* The relevance lambda of --rank diverse goes down from 1 in steps of 1/20 to 0.5 at the lowest:
 * below that, the words with a high lift but a small p(w|t) that take over a topic's list do not
 * co-occur (the Bible at K = 100: NPMI -0.12 at lambda 0, docs/quality.md). */
enum { DIVERSITY_N = 25, LAMBDA_STEPS = 20, LAMBDA_MIN_STEP = 10 };

/* Share of distinct words among all topics' first n top words (saetm_eval_topics' diversity). */
static double diversity(const saetm_topics *t, uint32_t n, uint8_t *seen)
{
    uint64_t all = 0, distinct = 0;
    memset(seen, 0, t->V);
    for (uint32_t k = 0; k < t->k; k++)
        for (uint32_t j = 0; j < n; j++) {
            uint32_t w = t->top[(size_t)k * t->o.top_n + j];
            if (w == UINT32_MAX) continue;
            all++;
            distinct += !seen[w];
            seen[w] = 1;
        }
    return all ? (double)distinct / (double)all : 0;
}

/* Top words by t->o; with min_diversity, relevance with the largest lambda on a grid of 1/20 steps
 * down to 0.5 that makes the topics that diverse (0.5 if none does). */
static saetm_status rank_words(saetm_ctx *ctx, saetm_topics *t)
{
    t->n_eval = 0; /* scores of other words */
    t->lambda = t->o.rank == SAETM_RANK_PROB ? 1 : t->o.rank == SAETM_RANK_FREX ? -1 : t->o.lambda;
    if (t->o.rank != SAETM_RANK_RELEVANCE || !(t->o.min_diversity > 0))
        return saetm__rank_words(ctx, t->k, t->V, t->topic_word, t->weight, &t->o, t->top);
    uint8_t *seen = malloc(t->V ? t->V : 1);
    if (!seen) return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    saetm_topics_opts o = t->o;
    uint32_t n = o.top_n < DIVERSITY_N ? o.top_n : DIVERSITY_N;
    saetm_status st = SAETM_OK;
    for (int step = 0; step <= LAMBDA_MIN_STEP && !st; step++) {
        o.lambda = (double)(LAMBDA_STEPS - step) / LAMBDA_STEPS;
        st = saetm__rank_words(ctx, t->k, t->V, t->topic_word, t->weight, &o, t->top);
        if (!st && diversity(t, n, seen) >= o.min_diversity) break;
    }
    t->lambda = o.lambda;
    free(seen);
    return st;
}

/* Document-topic proportions from activations (raw: theta = A / sum A first, exactly as the
 * interpretation computes it) or from the interpretation's theta (already normalised), so that
 * transform on a model's own activations reproduces its doc_topics bit for bit. */
static saetm_status project(saetm_ctx *ctx, const saetm_acts *acts, const int32_t *feature_topic, uint32_t k, int raw,
                            float *out)
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
    return project(ctx, acts, feature_topic, k, 1, out);
}

/* Order topics by weight (heaviest first, ties by lowest feature) and fill weights. */
static void order_topics(saetm_topics *t, const uint32_t *label_raw, const float *ta)
{
    uint32_t K = t->k;
    double *w = calloc(K, sizeof *w);
    uint32_t *first = malloc(K * sizeof *first), *perm = malloc(K * sizeof *perm), *rank = malloc(K * sizeof *rank);
    for (uint32_t k = 0; k < K; k++) first[k] = UINT32_MAX, perm[k] = k;
    for (uint32_t f = 0; f < t->F; f++) {
        if (label_raw[f] == UINT32_MAX) continue;
        w[label_raw[f]] += ta[f];
        if (first[label_raw[f]] == UINT32_MAX) first[label_raw[f]] = f;
    }
    for (uint32_t i = 1; i < K; i++) { /* insertion sort: K is small */
        uint32_t x = perm[i], j = i;
        while (j > 0 && (w[perm[j - 1]] < w[x] || (w[perm[j - 1]] == w[x] && first[perm[j - 1]] > first[x]))) {
            perm[j] = perm[j - 1];
            j--;
        }
        perm[j] = x;
    }
    for (uint32_t i = 0; i < K; i++) rank[perm[i]] = i, t->weight[i] = w[perm[i]];
    for (uint32_t f = 0; f < t->F; f++) t->feature_topic[f] = label_raw[f] == UINT32_MAX ? -1 : (int32_t)rank[label_raw[f]];
    free(w);
    free(first);
    free(perm);
    free(rank);
}

/* The topics of the features' cluster labels (UINT32_MAX: in no topic) for t->k clusters: topic
 * order and weights, feature_topic, the document proportions theta . M and the document counts.
 * Not the word distributions (topic_words, or a refit) nor the top words (rank_words). */
static saetm_status from_labels(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const uint32_t *label)
{
    uint32_t K = t->k;
    order_topics(t, label, saetm_interp_theta_avg(it));
    saetm_acts theta;
    saetm_interp_theta(it, &theta);
    saetm_status st = project(ctx, &theta, t->feature_topic, K, 0, t->doc_topics);
    if (st) return st;
    memset(t->doc_count, 0, (size_t)K * sizeof *t->doc_count);
    for (uint64_t d = 0; d < t->N; d++) {
        const float *row = t->doc_topics + d * K;
        uint32_t best = 0;
        for (uint32_t c = 1; c < K; c++)
            if (row[c] > row[best]) best = c;
        if (row[best] > 0) t->doc_count[best]++;
    }
    return SAETM_OK;
}

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

/* Group the features that occur by their embeddings (k-means or agglomerative): label[f] = raw
 * topic 0..K-1, UINT32_MAX for features in no topic. */
static saetm_status embed_cluster(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const saetm_matrix *vectors,
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
                       (unsigned long long)nc, space_name(opts->space), inertia);
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

saetm_status saetm_topics_build(saetm_ctx *ctx, const saetm_interp *it, const saetm_matrix *vectors,
                                const saetm_topics_opts *opts, saetm_topics **out)
{
    *out = NULL;
    const char *msg = saetm_topics_opts_check(opts);
    if (msg) return saetm__fail(ctx, SAETM_ERR_ARG, "topics: %s", msg);
    uint32_t F = saetm_interp_num_features(it), V = saetm_interp_vocab_size(it), K = opts->k;
    uint64_t N = saetm_interp_num_docs(it);
    const float *ta = saetm_interp_theta_avg(it);
    const uint32_t *dfreq = saetm_interp_doc_freq(it);
    if (opts->method != SAETM_MERGE_COACT && opts->space != SAETM_SPACE_HELLINGER) {
        uint64_t want = opts->space == SAETM_SPACE_WORDS ? V : F;
        const char *what = opts->space == SAETM_SPACE_WORDS ? "word" : "decoder";
        if (!vectors || !vectors->data) return saetm__fail(ctx, SAETM_ERR_ARG, "topics: the %s space needs vectors", what);
        if (vectors->rows != want || vectors->cols == 0 || vectors->cols > UINT32_MAX)
            return saetm__fail(ctx, SAETM_ERR_SHAPE, "topics: %s vectors are %llu x %llu, expected %llu rows", what,
                               (unsigned long long)vectors->rows, (unsigned long long)vectors->cols,
                               (unsigned long long)want);
    }
    saetm_status st = saetm__mem_check(ctx, (uint64_t)N * K * 4 + (uint64_t)K * V * 12 + (uint64_t)F * 64, "topics");
    if (st) return st;
    saetm_topics *t = calloc(1, sizeof *t);
    if (!t) return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    t->o = *opts;
    t->k = K;
    t->F = F;
    t->V = V;
    t->N = N;
    t->topic_word = saetm__calloc_aligned((size_t)K * V, sizeof *t->topic_word);
    t->doc_topics = saetm__calloc_aligned((size_t)N * K, sizeof *t->doc_topics);
    t->feature_topic = saetm__calloc_aligned(F, sizeof *t->feature_topic);
    t->top = saetm__calloc_aligned((size_t)K * opts->top_n, sizeof *t->top);
    t->weight = saetm__calloc_aligned(K, sizeof *t->weight);
    t->doc_count = saetm__calloc_aligned(K, sizeof *t->doc_count);
    t->leaf_of = saetm__calloc_aligned(F, sizeof *t->leaf_of);
    uint32_t *label = saetm__calloc_aligned(F, sizeof *label);
    if (!t->topic_word || !t->doc_topics || !t->feature_topic || !t->top || !t->weight || !t->doc_count ||
        !t->leaf_of || !label)
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    for (uint32_t f = 0; !st && f < F; f++) t->leaf_of[f] = label[f] = UINT32_MAX;
    if (!st && opts->method == SAETM_MERGE_COACT) {
        saetm_acts theta;
        saetm_interp_theta(it, &theta);
        st = saetm__coact_cluster(ctx, &theta, ta, dfreq, opts, label);
    } else if (!st) {
        st = embed_cluster(ctx, t, it, vectors, label);
    }
    if (!st) {
        saetm__log(ctx, SAETM_LOG_DEBUG, "topics: features grouped");
        st = from_labels(ctx, t, it, label);
    }
    if (!st) st = topic_words(ctx, t, it, ta);
    if (!st) {
        saetm__log(ctx, SAETM_LOG_DEBUG, "topics: topic word distributions");
        st = rank_words(ctx, t);
    }
    saetm__free_aligned(label);
    if (st) {
        saetm_topics_free(t);
        return st;
    }
    *out = t;
    return SAETM_OK;
}

/* ======================================================================
 * Re-fit (method.md 2.6)
 * ==================================================================== */

saetm_status saetm_topics_refit(saetm_ctx *ctx, saetm_topics *t, const saetm_bow *bow, const saetm_interp_opts *opts,
                                double sharpen)
{
    if (!(sharpen >= 1) || !isfinite(sharpen)) return saetm__fail(ctx, SAETM_ERR_ARG, "refit: sharpen must be >= 1");
    if (bow->rows != t->N || bow->vocab_size != t->V)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "refit: the bag-of-words (%llu x %u) is not the topics' corpus (%llu x %u)",
                           (unsigned long long)bow->rows, bow->vocab_size, (unsigned long long)t->N, t->V);
    saetm_matrix m;
    saetm_status st = saetm__matrix_alloc(ctx, t->N, t->k, &m);
    if (st) return st;
    for (uint64_t i = 0; i < t->N * t->k; i++) {
        double x = t->doc_topics[i];
        m.data[i] = x > 0 ? (float)pow(x, sharpen) : 0.0f;
    }
    saetm_acts a;
    saetm_interp *fit = NULL;
    st = saetm_acts_from_dense(ctx, &m, &a);
    saetm_matrix_free(&m);
    if (st) return st;
    st = saetm_interp_fit(ctx, &a, bow, NULL, opts, &fit);
    saetm_acts_free(&a);
    if (st) return saetm__fail_prefix(ctx, st, "refit");
    for (uint32_t k = 0; k < t->k; k++) saetm_interp_phi_row(fit, k, t->topic_word + (size_t)k * t->V);
    saetm__log(ctx, SAETM_LOG_INFO, "topics: re-fitted %u topic word distributions (sharpen %.2f), NLL %.6f", t->k,
               sharpen, saetm_interp_nll(fit));
    saetm_interp_free(fit);
    return rank_words(ctx, t);
}

saetm_status saetm_topics_fit_words(saetm_ctx *ctx, saetm_topics *t, const saetm_bow *bow, const saetm_words_opts *o)
{
    const char *why = saetm_words_opts_check(o);
    if (why) return saetm__fail(ctx, SAETM_ERR_ARG, "topics: %s", why);
    if (o->method == SAETM_WORDS_EM) return saetm_topics_refit(ctx, t, bow, &o->em, o->sharpen);
    if (o->method == SAETM_WORDS_MEAN) return rank_words(ctx, t);
    if (bow->rows != t->N || bow->vocab_size != t->V)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "topics: the bag-of-words (%llu x %u) is not the topics' corpus (%llu x %u)",
                           (unsigned long long)bow->rows, bow->vocab_size, (unsigned long long)t->N, t->V);
    saetm_status st = saetm__words_tfidf(ctx, t->doc_topics, t->k, bow, NULL, o, t->topic_word);
    if (st) return st;
    saetm__log(ctx, SAETM_LOG_INFO, "topics: estimated %u topic word distributions from the documents' TF-IDF", t->k);
    return rank_words(ctx, t);
}

/* ======================================================================
 * Coherence pruning (docs/topics.md)
 * ==================================================================== */

enum { PRUNE_TOP = 10 };

/* Each topic's largest cosine similarity of word distributions with another topic, into out (K);
 * gram: K x K scratch. */
static void max_cosine(int threads, const saetm_topics *t, float *gram, double *out)
{
    uint32_t K = t->k;
    saetm__sgemm(threads, 0, 1, K, K, t->V, 1.0f, t->topic_word, t->V, t->topic_word, t->V, 0.0f, gram, K);
    for (uint32_t a = 0; a < K; a++) {
        double best = 0;
        for (uint32_t b = 0; b < K; b++) {
            double nn = (double)gram[(size_t)a * K + a] * gram[(size_t)b * K + b];
            double c = nn > 0 ? gram[(size_t)a * K + b] / sqrt(nn) : 0;
            if (b != a && c > best) best = c;
        }
        out[a] = best;
    }
}

/* NPMI of each topic's first PRUNE_TOP top words over the documents of ref (saetm_eval_topics'
 * definition); a topic that cannot be scored gets -1, the lowest possible. */
static saetm_status topic_npmi(saetm_ctx *ctx, const saetm_topics *t, const saetm__eval_ref *ref, double *out)
{
    uint32_t K = t->k, n = t->o.top_n < PRUNE_TOP ? t->o.top_n : PRUNE_TOP;
    uint64_t *start = malloc(((size_t)K + 1) * sizeof *start), m = 0;
    const char **words = malloc((size_t)K * n * sizeof *words);
    if (!start || !words) {
        free(start);
        free(words);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    }
    for (uint32_t k = 0; k < K; k++) {
        start[k] = m;
        for (uint32_t j = 0; j < n; j++) {
            uint32_t w = t->top[(size_t)k * t->o.top_n + j];
            if (w != UINT32_MAX) words[m++] = ref->vocab[w];
        }
    }
    start[K] = m;
    saetm_eval_opts eo;
    saetm_eval_opts_default(&eo);
    eo.top_n = n;
    saetm_eval_result *r = NULL;
    saetm_status st = saetm__eval_run(ctx, ref, K, words, start, &eo, &r);
    for (uint32_t k = 0; !st && k < K; k++) out[k] = r->topics[k].scored ? r->topics[k].npmi : -1;
    saetm_eval_result_free(r);
    free(start);
    free(words);
    return st;
}

enum { PENDING = UINT32_MAX - 1 }; /* a dissolved topic's feature, to join another topic */

/* The documents of bow with index parity `half`, as an evaluation reference (arrays owned by the
 * caller: rp n/2 + 2 entries, ids nnz). */
static void half_ref(const saetm_bow *bow, int half, const char *const *vocab, uint64_t *rp, uint32_t *ids,
                     saetm__eval_ref *ref)
{
    uint64_t n = 0, m = 0;
    rp[0] = 0;
    for (uint64_t d = (uint64_t)half; d < bow->rows; d += 2) {
        for (uint64_t j = bow->row_ptr[d]; j < bow->row_ptr[d + 1]; j++) ids[m++] = bow->word_ids[j];
        rp[++n] = m;
    }
    *ref = (saetm__eval_ref){n, rp, ids, bow->vocab_size, vocab};
}

/* Score every topic of t for the pruning into npmi (coherence) and redund (largest cosine with
 * another topic). In-sample: the words estimated on all documents, NPMI over all of them.
 * Cross-fitted: the words estimated on each half, NPMI over the other half, averaged; t's word
 * distributions become the mean of the two halves' (replaced by the final fit). */
typedef struct prune_refs {
    saetm__eval_ref all, half[2];
    uint8_t *use[2];   /* N: documents of half 0 / half 1 */
    float *tw_half;    /* K0 x V scratch */
    float *gram;       /* K0 x K0 scratch */
} prune_refs;

static saetm_status prune_scores(saetm_ctx *ctx, saetm_topics *t, const saetm_bow *bow, const saetm_words_opts *o,
                                 int crossfit, prune_refs *pr, double *npmi, double *redund)
{
    saetm_status st;
    uint32_t K = t->k;
    if (!crossfit) {
        st = saetm_topics_fit_words(ctx, t, bow, o);
        if (!st) st = topic_npmi(ctx, t, &pr->all, npmi);
        if (!st) max_cosine(saetm_ctx_threads(ctx), t, pr->gram, redund);
        return st;
    }
    double *part = redund; /* scratch: one half's NPMI, before redund is computed */
    float *own = t->topic_word;
    for (uint32_t c = 0; c < K; c++) npmi[c] = 0;
    memset(own, 0, (size_t)K * t->V * sizeof *own);
    for (int h = 0; h < 2; h++) {
        st = saetm__words_tfidf(ctx, t->doc_topics, K, bow, pr->use[h], o, pr->tw_half);
        if (st) return st;
        t->topic_word = pr->tw_half; /* rank the half's words by t's ranking */
        st = rank_words(ctx, t);
        if (!st) st = topic_npmi(ctx, t, &pr->half[1 - h], part);
        t->topic_word = own;
        if (st) return st;
        for (uint32_t c = 0; c < K; c++) npmi[c] += 0.5 * part[c];
        for (size_t i = 0; i < (size_t)K * t->V; i++) own[i] += 0.5f * pr->tw_half[i];
    }
    max_cosine(saetm_ctx_threads(ctx), t, pr->gram, redund);
    return SAETM_OK;
}

saetm_status saetm_topics_prune_words(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const saetm_bow *bow,
                                      uint32_t k, const saetm_words_opts *wo, int crossfit)
{
    if (k < 1 || k > t->k) return saetm__fail(ctx, SAETM_ERR_ARG, "prune: k must be in [1, %u], not %u", t->k, k);
    if (t->merges) return saetm__fail(ctx, SAETM_ERR_ARG, "prune: agglomerative topics are cuts of one tree; prune k-means or co-activation topics");
    if (t->o.top_n < 2) return saetm__fail(ctx, SAETM_ERR_ARG, "prune: top_n must be >= 2 to score a topic's words");
    const char *why = saetm_words_opts_check(wo);
    if (why) return saetm__fail(ctx, SAETM_ERR_ARG, "prune: %s", why);
    if (wo->method == SAETM_WORDS_MEAN) return saetm__fail(ctx, SAETM_ERR_ARG, "prune: needs words estimated from the documents (em or tfidf)");
    if (crossfit && wo->method != SAETM_WORDS_TFIDF) return saetm__fail(ctx, SAETM_ERR_ARG, "prune: cross-fitting needs the tfidf word estimate");
    if (saetm_interp_num_docs(it) != t->N || saetm_interp_num_features(it) != t->F || saetm_interp_vocab_size(it) != t->V)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "prune: the interpretation is not the one the topics were built from");
    if (bow->rows != t->N || bow->vocab_size != t->V)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "prune: the bag-of-words (%llu x %u) is not the topics' corpus (%llu x %u)",
                           (unsigned long long)bow->rows, bow->vocab_size, (unsigned long long)t->N, t->V);
    uint32_t K0 = t->k, F = t->F;
    const uint64_t nnz = bow->row_ptr[bow->rows];
    const char **vocab = malloc((size_t)t->V * sizeof *vocab);
    uint32_t *label = malloc((size_t)(F ? F : 1) * sizeof *label), *joined = malloc((size_t)(F ? F : 1) * sizeof *joined);
    uint32_t *newid = malloc((size_t)K0 * sizeof *newid);
    double *npmi = malloc((size_t)K0 * sizeof *npmi), *redund = malloc((size_t)K0 * sizeof *redund);
    dpair *order = malloc((size_t)K0 * sizeof *order); /* (score, topic) */
    prune_refs pr = {0};
    uint64_t *rp[2] = {NULL, NULL};
    uint32_t *ids[2] = {NULL, NULL};
    pr.gram = malloc((size_t)K0 * K0 * sizeof *pr.gram);
    int bad = !vocab || !label || !joined || !newid || !npmi || !redund || !order || !pr.gram;
    if (crossfit) {
        pr.tw_half = saetm__calloc_aligned((size_t)K0 * t->V, sizeof *pr.tw_half);
        for (int h = 0; h < 2; h++) {
            pr.use[h] = calloc(t->N ? t->N : 1, 1);
            rp[h] = malloc((t->N / 2 + 2) * sizeof *rp[h]);
            ids[h] = malloc((nnz ? nnz : 1) * sizeof *ids[h]);
            bad |= !pr.use[h] || !rp[h] || !ids[h];
        }
        bad |= !pr.tw_half;
    }
    saetm__theta_cols cols = {0};
    saetm_acts th;
    saetm_interp_theta(it, &th);
    saetm_status st = SAETM_OK;
    if (bad) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "prune: out of memory");
    if (!st) st = saetm__theta_cols_build(ctx, &th, &cols);
    for (uint32_t w = 0; !st && w < t->V; w++) vocab[w] = saetm_interp_word(it, w);
    pr.all = (saetm__eval_ref){bow->rows, bow->row_ptr, bow->word_ids, t->V, vocab};
    if (!st && crossfit) {
        for (uint64_t d = 0; d < t->N; d++) pr.use[d & 1][d] = 1;
        for (int h = 0; h < 2; h++) half_ref(bow, h, vocab, rp[h], ids[h], &pr.half[h]);
    }
    while (!st && t->k > k) {
        uint32_t K = t->k, drop = (K - k + 1) / 2; /* half the excess per round: a few refits for any K */
        st = prune_scores(ctx, t, bow, wo, crossfit, &pr, npmi, redund);
        if (st) break;
        for (uint32_t c = 0; c < K; c++) order[c] = (dpair){npmi[c] - t->o.redundancy * redund[c], c};
        qsort(order, K, sizeof *order, cmp_dpair_asc); /* lowest first; ties: the lighter topic first */
        for (uint32_t c = 0; c < K; c++) newid[c] = 0;
        for (uint32_t i = 0; i < drop; i++) newid[order[i].w] = PENDING;
        for (uint32_t c = 0, n = 0; c < K; c++)
            if (newid[c] != PENDING) newid[c] = n++;
        for (uint32_t f = 0; f < F; f++) label[f] = t->feature_topic[f] < 0 ? UINT32_MAX : newid[t->feature_topic[f]];
        st = saetm__coact_join(ctx, &th, &cols, label, K - drop, PENDING, joined);
        if (st) break;
        saetm__log(ctx, SAETM_LOG_INFO, "topics: dissolved the %u least coherent of %u topics (scores %.3f to %.3f%s)", drop,
                   K, order[0].s, order[drop - 1].s, crossfit ? ", cross-fitted" : "");
        t->k = K - drop;
        st = from_labels(ctx, t, it, joined); /* the fit next gives the word distributions and top words */
    }
    if (!st) st = saetm_topics_fit_words(ctx, t, bow, wo);
    if (!st) t->o.k = t->k;
    free(vocab);
    free(label);
    free(joined);
    free(newid);
    free(npmi);
    free(redund);
    free(order);
    free(pr.gram);
    saetm__free_aligned(pr.tw_half);
    for (int h = 0; h < 2; h++) {
        free(pr.use[h]);
        free(rp[h]);
        free(ids[h]);
    }
    saetm__theta_cols_free(&cols);
    return st;
}

saetm_status saetm_topics_prune(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const saetm_bow *bow,
                                uint32_t k, const saetm_interp_opts *opts, double sharpen)
{
    saetm_words_opts wo;
    saetm_words_opts_default(&wo);
    wo.method = SAETM_WORDS_EM;
    wo.em = *opts;
    wo.sharpen = sharpen;
    return saetm_topics_prune_words(ctx, t, it, bow, k, &wo, 0);
}

/* ======================================================================
 * Evaluation: in-sample and held-out scores of the listed words
 * ==================================================================== */

/* Score the listed words of t against corpus ref with saetm_eval_topics' defaults. */
static saetm_status score_against(saetm_ctx *ctx, const saetm_topics *t, const saetm_interp *it,
                                  const saetm_corpus *ref, saetm_topics_score *out)
{
    memset(out, 0, sizeof *out);
    uint32_t K = t->k, n = t->o.top_n;
    uint64_t *start = malloc(((size_t)K + 1) * sizeof *start), m = 0;
    const char **words = malloc(((size_t)K * n + 1) * sizeof *words);
    if (!start || !words) {
        free(start);
        free(words);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    }
    for (uint32_t k = 0; k < K; k++) { /* exactly the words of top_words.txt */
        start[k] = m;
        const uint32_t *top = saetm_topics_top_words(t, k);
        for (uint32_t j = 0; j < n && top[j] != UINT32_MAX; j++) words[m++] = saetm_interp_word(it, top[j]);
    }
    start[K] = m;
    saetm_eval_result *r = NULL;
    saetm_status st = saetm_eval_topics(ctx, ref, K, words, start, NULL, &r);
    if (!st) {
        out->scored = r->n_scored_topics > 0;
        out->npmi = r->npmi_mean;
        out->c_v = r->cv_mean;
        out->diversity = r->diversity;
        out->n_scored_topics = r->n_scored_topics;
        out->n_docs = r->n_docs;
    } else if (st == SAETM_ERR_INPUT && saetm_corpus_num_docs(ref) == saetm_corpus_num_empty(ref)) {
        /* no document with words: nothing to score, and no reason to fail the fit */
        saetm__log(ctx, SAETM_LOG_WARN, "topics: the reference corpus has no document with words; not scored");
        st = SAETM_OK;
    }
    saetm_eval_result_free(r);
    free(start);
    free(words);
    return st;
}

saetm_status saetm_topics_evaluate(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it,
                                   const saetm_corpus *in_sample, const saetm_corpus *held_out, double holdout_fraction)
{
    t->n_eval = 0;
    if (!in_sample) return saetm__fail(ctx, SAETM_ERR_ARG, "topics: evaluate: no in-sample corpus");
    if (saetm_interp_vocab_size(it) != t->V || saetm_interp_num_features(it) != t->F)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "topics: evaluate: the interpretation does not match the topics");
    saetm_topics_score sc[2];
    saetm_status st = score_against(ctx, t, it, in_sample, &sc[0]);
    if (!st && held_out) st = score_against(ctx, t, it, held_out, &sc[1]);
    if (st) return st;
    t->eval[0] = sc[0];
    if (held_out) t->eval[1] = sc[1];
    t->holdout = held_out ? holdout_fraction : 0;
    t->n_eval = held_out ? 2 : 1;
    return SAETM_OK;
}

int saetm_topics_evaluation(const saetm_topics *t, saetm_topics_score *in_sample, saetm_topics_score *held_out)
{
    if (in_sample) memset(in_sample, 0, sizeof *in_sample);
    if (held_out) memset(held_out, 0, sizeof *held_out);
    if (t->n_eval >= 1 && in_sample) *in_sample = t->eval[0];
    if (t->n_eval >= 2 && held_out) *held_out = t->eval[1];
    return t->n_eval;
}

/* One side's scores as topics.json's and params.json's "evaluation" hold them. */
cJSON *saetm__score_json(const saetm_topics_score *s)
{
    cJSON *o = cJSON_CreateObject();
    if (s->scored) {
        cJSON_AddNumberToObject(o, "npmi", s->npmi);
        cJSON_AddNumberToObject(o, "c_v", s->c_v);
    } else {
        cJSON_AddNullToObject(o, "npmi");
        cJSON_AddNullToObject(o, "c_v");
    }
    cJSON_AddNumberToObject(o, "diversity", s->diversity);
    cJSON_AddNumberToObject(o, "n_docs", (double)s->n_docs);
    cJSON_AddNumberToObject(o, "n_scored_topics", s->n_scored_topics);
    return o;
}

/* ======================================================================
 * Output files
 * ==================================================================== */

static saetm_status write_json(saetm_ctx *ctx, const char *path, cJSON *root)
{
    char *text = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL; written with its length */
    saetm_status st = saetm__write_file_atomic(ctx, path, text, len + 1);
    cJSON_free(text);
    return st;
}

saetm_status saetm_topics_write(saetm_ctx *ctx, const saetm_topics *t, const saetm_interp *it, const char *dir)
{
    if (saetm_interp_vocab_size(it) != t->V || saetm_interp_num_features(it) != t->F)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "topics: the interpretation does not match the topics");
    saetm_status st = saetm__mkdir(ctx, dir);
    if (st) return st;
    size_t plen = strlen(dir) + 32;
    char *path = malloc(plen);
    if (!path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    uint32_t K = t->k, n = t->o.top_n;
    /* top_words.txt */
    size_t cap = 1 << 16, len = 0;
    char *txt = malloc(cap);
    for (uint32_t k = 0; txt && k < K; k++) {
        const uint32_t *top = saetm_topics_top_words(t, k);
        for (uint32_t j = 0; j < n && top[j] != UINT32_MAX; j++) {
            const char *word = saetm_interp_word(it, top[j]);
            size_t wl = strlen(word);
            if (len + wl + 2 > cap) {
                char *nt = realloc(txt, cap * 2 + wl);
                if (!nt) {
                    free(txt);
                    txt = NULL;
                    break;
                }
                txt = nt;
                cap = cap * 2 + wl;
            }
            if (j) txt[len++] = ' ';
            memcpy(txt + len, word, wl);
            len += wl;
        }
        if (txt) txt[len++] = '\n';
    }
    if (!txt) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    snprintf(path, plen, "%s/top_words.txt", dir);
    if (!st) st = saetm__write_file_atomic(ctx, path, txt, len);
    free(txt);
    /* topics.json */
    if (!st) {
        cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
        cJSON_AddNumberToObject(root, "k", K);
        cJSON_AddNumberToObject(root, "n_features", t->F);
        cJSON_AddNumberToObject(root, "n_docs", (double)t->N);
        cJSON_AddStringToObject(root, "method", method_name(t->o.method));
        cJSON_AddStringToObject(root, "space", t->o.method == SAETM_MERGE_COACT ? "none" : space_name(t->o.space));
        if (t->o.coact_init == SAETM_COACT_INIT_PIVOT) cJSON_AddStringToObject(root, "coact_init", "pivot");
        cJSON_AddNumberToObject(root, "tau", t->o.tau);
        cJSON_AddStringToObject(root, "rank", t->o.rank == SAETM_RANK_PROB       ? "prob"
                                              : t->o.rank == SAETM_RANK_RELEVANCE ? "relevance"
                                                                                  : "frex");
        if (t->o.rank == SAETM_RANK_RELEVANCE) cJSON_AddNumberToObject(root, "lambda", t->lambda);
        if (t->o.rank == SAETM_RANK_RELEVANCE && t->o.min_diversity > 0)
            cJSON_AddNumberToObject(root, "min_diversity", t->o.min_diversity);
        if (t->o.rank == SAETM_RANK_FREX) cJSON_AddNumberToObject(root, "frex_weight", t->o.frex_weight);
        if (t->n_eval) {
            cJSON *ev = cJSON_AddObjectToObject(root, "evaluation");
            cJSON_AddItemToObject(ev, "in_sample", saetm__score_json(&t->eval[0]));
            if (t->n_eval > 1) {
                cJSON_AddItemToObject(ev, "held_out", saetm__score_json(&t->eval[1]));
                cJSON_AddNumberToObject(ev, "holdout_fraction", t->holdout);
            }
        }
        cJSON_AddItemToObject(root, "topics", arr);
        for (uint32_t k = 0; k < K; k++) {
            cJSON *tp = cJSON_CreateObject(), *words = cJSON_CreateArray(), *feats = cJSON_CreateArray();
            cJSON_AddNumberToObject(tp, "id", k);
            cJSON_AddNumberToObject(tp, "weight", t->weight[k]);
            cJSON_AddNumberToObject(tp, "doc_count", (double)t->doc_count[k]);
            const uint32_t *top = saetm_topics_top_words(t, k);
            for (uint32_t j = 0; j < n && top[j] != UINT32_MAX; j++) {
                cJSON *wo = cJSON_CreateObject();
                cJSON_AddStringToObject(wo, "word", saetm_interp_word(it, top[j]));
                cJSON_AddNumberToObject(wo, "prob", t->topic_word[(size_t)k * t->V + top[j]]);
                cJSON_AddItemToArray(words, wo);
            }
            for (uint32_t f = 0; f < t->F; f++)
                if (t->feature_topic[f] == (int32_t)k) cJSON_AddItemToArray(feats, cJSON_CreateNumber(f));
            cJSON_AddItemToObject(tp, "words", words);
            cJSON_AddItemToObject(tp, "features", feats);
            cJSON_AddItemToArray(arr, tp);
        }
        snprintf(path, plen, "%s/topics.json", dir);
        st = write_json(ctx, path, root);
    }
    snprintf(path, plen, "%s/doc_topics.npy", dir);
    if (!st) st = saetm_npy_save(ctx, path, t->doc_topics, t->N, K);
    snprintf(path, plen, "%s/topic_word.npy", dir);
    if (!st) st = saetm_npy_save(ctx, path, t->topic_word, K, t->V);
    /* tree.json for agglomerative merging */
    if (!st && t->merges) {
        cJSON *root = cJSON_CreateObject(), *leaves = cJSON_CreateArray(), *merges = cJSON_CreateArray();
        cJSON_AddStringToObject(root, "linkage", method_name(t->o.method));
        cJSON_AddStringToObject(root, "space", space_name(t->o.space));
        cJSON_AddNumberToObject(root, "n_leaves", (double)t->n_leaves);
        for (uint64_t l = 0; l < t->n_leaves; l++) {
            cJSON *fs = cJSON_CreateArray();
            for (uint32_t f = 0; f < t->F; f++)
                if (t->leaf_of[f] == l) cJSON_AddItemToArray(fs, cJSON_CreateNumber(f));
            cJSON_AddItemToArray(leaves, fs);
        }
        for (uint64_t m = 0; m + 1 < t->n_leaves; m++) {
            double v[4] = {(double)t->merges[m].a, (double)t->merges[m].b, t->merges[m].h, t->merges[m].w};
            cJSON_AddItemToArray(merges, cJSON_CreateDoubleArray(v, 4));
        }
        cJSON_AddItemToObject(root, "leaf_features", leaves);
        cJSON_AddItemToObject(root, "merges", merges);
        snprintf(path, plen, "%s/tree.json", dir);
        st = write_json(ctx, path, root);
    }
    free(path);
    return st;
}

saetm_status saetm_topics_read_assignment(saetm_ctx *ctx, const char *path, uint32_t n_features, int32_t *ft,
                                          uint32_t *k)
{
    saetm__mapped m;
    saetm_status st = saetm__map_file(ctx, path, &m);
    if (st) return st;
    cJSON *root = cJSON_ParseWithLength((const char *)m.data, m.size);
    saetm__unmap(&m);
    if (!root) return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: not valid JSON", path);
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive(root, "topics");
    const cJSON *nf = cJSON_GetObjectItemCaseSensitive(root, "n_features");
    if (!cJSON_IsArray(topics) || !cJSON_IsNumber(nf)) {
        cJSON_Delete(root);
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: expected fields \"topics\" (array) and \"n_features\"", path);
    }
    if (nf->valuedouble != (double)n_features) {
        double got = nf->valuedouble;
        cJSON_Delete(root);
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "%s: topics of a model with %g features, not %u", path, got,
                           n_features);
    }
    for (uint32_t f = 0; f < n_features; f++) ft[f] = -1;
    int nt = cJSON_GetArraySize(topics), ti = 0;
    const cJSON *tp;
    cJSON_ArrayForEach(tp, topics)
    {
        const cJSON *feats = cJSON_GetObjectItemCaseSensitive(tp, "features"), *f;
        if (!cJSON_IsArray(feats)) {
            st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: topic %d has no \"features\" array", path, ti);
            break;
        }
        cJSON_ArrayForEach(f, feats)
        {
            double v = cJSON_IsNumber(f) ? f->valuedouble : -1;
            if (!(v >= 0 && v < n_features && v == floor(v)) || ft[(uint32_t)v] >= 0) {
                st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: topic %d: bad or repeated feature index", path, ti);
                break;
            }
            ft[(uint32_t)v] = ti;
        }
        if (st) break;
        ti++;
    }
    cJSON_Delete(root);
    if (!st && nt < 1) st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: no topics", path);
    *k = (uint32_t)nt;
    return st;
}

/* ======================================================================
 * Word vectors
 * ==================================================================== */

saetm_status saetm_word_vectors_align(saetm_ctx *ctx, const saetm_matrix *W, const char *word_list,
                                      const saetm_interp *it, saetm_matrix *out, uint32_t *found)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    saetm__mapped m;
    saetm_status st = saetm__map_file(ctx, word_list, &m);
    if (st) return st;
    saetm__strmap map;
    saetm__strmap_init(&map);
    uint64_t line = 0;
    uint32_t *row_of = NULL;
    size_t cap = 0;
    for (size_t i = 0; !st && i < m.size;) {
        size_t e = i;
        while (e < m.size && m.data[e] != '\n') e++;
        size_t l = e - i;
        if (l && m.data[i + l - 1] == '\r') l--;
        uint32_t id;
        int r = saetm__strmap_insert(&map, (const char *)m.data + i, l, &id);
        if (r < 0) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", word_list);
        if (r > 0) { /* first occurrence of the word wins */
            if (id >= cap) {
                size_t nc = cap ? cap * 2 : 1024;
                uint32_t *nr = realloc(row_of, nc * sizeof *nr);
                if (!nr) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", word_list);
                else row_of = nr, cap = nc;
            }
            if (!st) row_of[id] = (uint32_t)line;
        }
        line++;
        i = e + 1;
    }
    saetm__unmap(&m);
    if (!st && line != W->rows)
        st = saetm__fail(ctx, SAETM_ERR_SHAPE, "%s has %llu words but the word vectors have %llu rows", word_list,
                         (unsigned long long)line, (unsigned long long)W->rows);
    uint32_t V = saetm_interp_vocab_size(it);
    if (!st) st = saetm__matrix_alloc(ctx, V, W->cols, out);
    for (uint32_t v = 0; !st && v < V; v++) {
        const char *w = saetm_interp_word(it, v);
        uint32_t id = saetm__strmap_find(&map, w, strlen(w));
        if (id == UINT32_MAX) continue;
        memcpy(out->data + (size_t)v * W->cols, W->data + (size_t)row_of[id] * W->cols, (size_t)W->cols * sizeof(float));
        (*found)++;
    }
    free(row_of);
    saetm__strmap_free(&map);
    if (st) saetm_matrix_free(out);
    return st;
}
