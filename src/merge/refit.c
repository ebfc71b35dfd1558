/*
 * refit.c - the topic word distributions estimated again from the documents (docs/method.md
 * 2.6, docs/topics.md "Topic words"): by the interpretation's EM with the topics as components
 * (saetm_topics_refit) or from the documents' TF-IDF (words.c), then the top words again.
 */
#include "merge_int.h"

#include <math.h>

/* ======================================================================
 * Re-fit (docs/method.md 2.6)
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
    return saetm__topics_rank(ctx, t);
}

saetm_status saetm_topics_fit_words(saetm_ctx *ctx, saetm_topics *t, const saetm_bow *bow, const saetm_words_opts *o)
{
    const char *why = saetm_words_opts_check(o);
    if (why) return saetm__fail(ctx, SAETM_ERR_ARG, "topics: %s", why);
    if (o->method == SAETM_WORDS_EM) return saetm_topics_refit(ctx, t, bow, &o->em, o->sharpen);
    if (o->method == SAETM_WORDS_MEAN) return saetm__topics_rank(ctx, t);
    if (bow->rows != t->N || bow->vocab_size != t->V)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "topics: the bag-of-words (%llu x %u) is not the topics' corpus (%llu x %u)",
                           (unsigned long long)bow->rows, bow->vocab_size, (unsigned long long)t->N, t->V);
    saetm_status st = saetm__words_tfidf(ctx, t->doc_topics, t->k, bow, NULL, o, t->topic_word);
    if (st) return st;
    saetm__log(ctx, SAETM_LOG_INFO, "topics: estimated %u topic word distributions from the documents' TF-IDF", t->k);
    return saetm__topics_rank(ctx, t);
}
