/*
 * merge_int.h - internals of the merge stage (src/merge/), which turns an interpretation's
 * features into topics: the topics object its files share (topics.c builds it), feature
 * embedding and clustering (embed_cluster.c, kmeans.c, agglo.c, coact.c), word ranking and
 * estimation (rank.c, words.c, refit.c), pruning (prune.c), transform, evaluation and files.
 */
#ifndef SAETM_MERGE_INT_H
#define SAETM_MERGE_INT_H

#include "saetm_int.h"

/* ---- topic words from the documents (merge/words.c) --------------------------------------- */

/* SAETM_WORDS_TFIDF of saetm_topics_fit_words on plain arrays: theta N x K (bow->rows rows), only
 * the documents with use[d] != 0 (use NULL: all); topic_word K x V out. */
saetm_status saetm__words_tfidf(saetm_ctx *ctx, const float *theta, uint32_t K, const saetm_bow *bow,
                                const uint8_t *use, const saetm_words_opts *o, float *topic_word);

/* ---- clustering for topic merging (merge/kmeans.c, merge/agglo.c) -------------------------- */

/* n weighted points of dimension dim: rows of a dense (row-major, dim columns) or sparse (CSR:
 * ptr, idx, val) matrix; point i is row sel[i] (row i if sel is NULL) with weight w[i] > 0. */
typedef struct saetm__points {
    uint64_t n;
    uint32_t dim;
    const float *dense;
    const uint64_t *ptr;
    const uint32_t *idx;
    const float *val;
    const uint64_t *sel;
    const double *w;
} saetm__points;

/* Dot product of two dense float vectors in a fixed summation order (8 lanes). */
double saetm__dot(const float *a, const float *b, uint32_t n);
/* Squared norm of point i. */
double saetm__point_norm2(const saetm__points *p, uint64_t i);
/* Dot product of point i with a dense vector c (dim floats). */
double saetm__point_dot(const saetm__points *p, uint64_t i, const float *c);
/* Write point i as a dense vector (dim floats). */
void saetm__point_dense(const saetm__points *p, uint64_t i, float *out);

/* Weighted k-means (k-means++ seeding, Lloyd iterations, `restarts` runs with streams (seed,
 * stage, restart); the lowest weighted inertia wins, ties to the first run). Writes the
 * assignment (n) and centroids (k x dim). Deterministic for any thread count. */
saetm_status saetm__kmeans(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t restarts, uint32_t max_iter,
                           uint64_t seed, uint32_t *assign, float *centroids, double *inertia);
/* Lloyd iterations of weighted k-means from the k given centroids (k x dim, replaced by the final
 * ones); writes the assignment (n) and the weighted inertia. Deterministic for any thread count. */
saetm_status saetm__kmeans_from(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t max_iter,
                                uint32_t *assign, float *centroids, double *inertia);
/* Deterministic k-means start for dense points without a selection (p->dense, !p->sel), e.g. the
 * unit rows of a spectral embedding: k rows chosen by pivoted Gram-Schmidt (column-pivoted QR of the
 * transposed points): the first the row of largest norm, each next the row with the largest residual
 * after projecting out the span of those chosen (ties to the lower index). Their coordinates go into
 * centroids (k x dim); pivots (k, may be NULL) gets their indices. Uses no weights and no seed;
 * the same result for any thread count. */
saetm_status saetm__pivot_seeds(saetm_ctx *ctx, const saetm__points *p, uint32_t k, float *centroids,
                                uint64_t *pivots);
/* Weighted centroids of an assignment (k x dim); an empty cluster gets a zero centroid. */
saetm_status saetm__centroids(saetm_ctx *ctx, const saetm__points *p, const uint32_t *assign, uint32_t k,
                              float *centroids);
/* Index of the nearest of k centroids to point i (ties to the lowest index). */
uint32_t saetm__nearest(const saetm__points *p, uint64_t i, const float *centroids, const double *cnorm2, uint32_t k,
                        double *dist);

/* One merge of an agglomerative clustering: nodes a and b (leaves 0..n-1, merge t makes node
 * n+t), at height h, the merged weight. */
typedef struct saetm__merge {
    uint64_t a, b;
    double h, w;
} saetm__merge;

typedef enum saetm__linkage { SAETM__LINK_AVERAGE = 0, SAETM__LINK_WARD = 1 } saetm__linkage;

/* Agglomerative clustering of weighted points (n >= 1) by NN-chain: n - 1 merges sorted by height.
 * Average: weighted average of Euclidean distances. Ward: the increase of the weighted
 * within-cluster sum of squares. Needs n (n - 1) / 2 doubles. */
saetm_status saetm__agglomerate(saetm_ctx *ctx, const saetm__points *p, saetm__linkage link, saetm__merge *merges);
/* Columns of an activation matrix (merge/coact.c): the documents of feature f, ascending, are
 * doc[ptr[f] .. ptr[f+1]), with their values in val. */
typedef struct saetm__theta_cols {
    uint64_t *ptr; /* F + 1 */
    uint32_t *doc;
    float *val;
} saetm__theta_cols;
saetm_status saetm__theta_cols_build(saetm_ctx *ctx, const saetm_acts *th, saetm__theta_cols *c);
void saetm__theta_cols_free(saetm__theta_cols *c);
/* Every feature f labelled `pending` gets best[f] = the cluster c < K it co-activates with most:
 * the largest sum_d theta_{d,f} theta_{d,g} over the other features g labelled c (lowest c on
 * ties), or UINT32_MAX when it co-activates with none; every other feature best[f] = label[f].
 * Each sum in a fixed order: the result does not depend on the thread count (merge/coact.c). */
saetm_status saetm__coact_join(saetm_ctx *ctx, const saetm_acts *th, const saetm__theta_cols *col, const uint32_t *label,
                               uint32_t K, uint32_t pending, uint32_t *best);
/* Co-activation merging (merge/coact.c): labels (F entries, 0..o->k-1, or UINT32_MAX for a feature
 * in no topic) from the theta view th, theta_avg and doc_freq of an interpretation. */
saetm_status saetm__coact_cluster(saetm_ctx *ctx, const saetm_acts *th, const float *ta, const uint32_t *dfreq,
                                  const saetm_topics_opts *o, uint32_t *label);
/* Top o->top_n words of each of K topics (topic_word K x V, topic weights) by o->rank into top
 * (K x top_n; UINT32_MAX past V), ties to the lower word id (merge/rank.c). */
saetm_status saetm__rank_words(saetm_ctx *ctx, uint32_t K, uint32_t V, const float *topic_word, const double *weight,
                               const saetm_topics_opts *o, uint32_t *top);
/* Cut the tree into k clusters (1 <= k <= n): labels 0..k-1 in the order of each cluster's lowest leaf. */
void saetm__agglo_cut(uint64_t n, const saetm__merge *merges, uint32_t k, uint32_t *labels);

/* ---- the topics object (merge/topics.c) ----------------------------------------------------- */

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

/* The topics of the features' cluster labels (UINT32_MAX: in no topic) for t->k clusters: topic
 * order and weights, feature_topic, the document proportions theta . M and the document counts;
 * not the word distributions nor the top words (merge/topics.c). */
saetm_status saetm__topics_from_labels(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const uint32_t *label);

/* Names of a merge method and a feature space as topics.json writes them. */
const char *saetm__merge_method_name(saetm_merge_method m);
const char *saetm__space_name(saetm_space s);

/* Group the features that occur by their embeddings in t->o.space (k-means or agglomerative; the
 * tree goes into t): label[f] = raw topic 0..K-1, UINT32_MAX for features in no topic
 * (merge/embed_cluster.c). */
saetm_status saetm__embed_cluster(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it, const saetm_matrix *vectors,
                                  uint32_t *label);

/* A (score, word or topic) pair and its orders: by score descending / ascending, ties to the lower
 * index first / last (merge/rank.c). */
typedef struct saetm__dpair {
    double s;
    uint32_t w;
} saetm__dpair;
int saetm__cmp_dpair_desc(const void *x, const void *y);
int saetm__cmp_dpair_asc(const void *x, const void *y);

/* t's top words by t->o (merge/rank.c); with min_diversity the relevance lambda that makes the
 * topics that diverse. Clears t's evaluation. */
saetm_status saetm__topics_rank(saetm_ctx *ctx, saetm_topics *t);

/* Document-topic proportions of activations acts under feature_topic into out (rows x k): raw
 * activations are normalised per document first, as the interpretation does; raw = 0 takes them
 * as the interpretation's theta (merge/transform.c). */
saetm_status saetm__topics_project(saetm_ctx *ctx, const saetm_acts *acts, const int32_t *feature_topic, uint32_t k,
                                   int raw, float *out);

#endif /* SAETM_MERGE_INT_H */
