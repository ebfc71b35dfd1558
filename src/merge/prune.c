/*
 * prune.c - coherence pruning (docs/topics.md): from 2K candidate topics, dissolve the least
 * coherent (NPMI of their words, in-sample or cross-fitted on halves of the documents, minus a
 * redundancy term) until K are left; their features join the topics they co-activate with most.
 */
#include "merge_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
        st = saetm__topics_rank(ctx, t);
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
    saetm__dpair *order = malloc((size_t)K0 * sizeof *order); /* (score, topic) */
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
        for (uint32_t c = 0; c < K; c++) order[c] = (saetm__dpair){npmi[c] - t->o.redundancy * redund[c], c};
        qsort(order, K, sizeof *order, saetm__cmp_dpair_asc); /* lowest first; ties: the lighter topic first */
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
        st = saetm__topics_from_labels(ctx, t, it, joined); /* the fit next gives the word distributions and top words */
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
