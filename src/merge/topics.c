/*
 * topics.c - merging SAE features into K topics (docs/method.md 2.4): the options, the topics
 * object and saetm_topics_build: the features that occur are grouped (embedded and clustered,
 * embed_cluster.c, or by co-activation, coact.c), and every topic gets the weighted mean word
 * distribution of its features and every document theta . M; then the top words (rank.c).
 * The other jobs on topics: refit.c, prune.c, transform.c, evaluate.c, topics_io.c, wordvec.c.
 */
#include "merge_int.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define PRUNE_REDUNDANCY 0.5 /* default weight of a topic's largest cosine with another in its pruning score */

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

const char *saetm__merge_method_name(saetm_merge_method m)
{
    return m == SAETM_MERGE_KMEANS ? "kmeans" : m == SAETM_MERGE_WARD ? "ward" : m == SAETM_MERGE_COACT ? "coactivation" : "average";
}

const char *saetm__space_name(saetm_space s)
{
    return s == SAETM_SPACE_HELLINGER ? "hellinger" : s == SAETM_SPACE_WORDS ? "words" : "decoder";
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
saetm_status saetm__topics_from_labels(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const uint32_t *label)
{
    uint32_t K = t->k;
    order_topics(t, label, saetm_interp_theta_avg(it));
    saetm_acts theta;
    saetm_interp_theta(it, &theta);
    saetm_status st = saetm__topics_project(ctx, &theta, t->feature_topic, K, 0, t->doc_topics);
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
        st = saetm__embed_cluster(ctx, t, it, vectors, label);
    }
    if (!st) {
        saetm__log(ctx, SAETM_LOG_DEBUG, "topics: features grouped");
        st = saetm__topics_from_labels(ctx, t, it, label);
    }
    if (!st) st = topic_words(ctx, t, it, ta);
    if (!st) {
        saetm__log(ctx, SAETM_LOG_DEBUG, "topics: topic word distributions");
        st = saetm__topics_rank(ctx, t);
    }
    saetm__free_aligned(label);
    if (st) {
        saetm_topics_free(t);
        return st;
    }
    *out = t;
    return SAETM_OK;
}
