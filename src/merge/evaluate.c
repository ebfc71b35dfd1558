/*
 * evaluate.c - the in-sample and held-out scores of the listed topic words (saetm_topics_evaluate),
 * kept with the topics and written into topics.json.
 */
#include "merge_int.h"

#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Evaluation: in-sample and held-out scores of the listed words
 * ==================================================================== */

saetm_status saetm__topics_eval_listed(saetm_ctx *ctx, const saetm_topics *t, const saetm_interp *it, uint32_t n,
                                       const saetm_corpus *ref, const saetm_eval_opts *eo, saetm_eval_result **out)
{
    *out = NULL;
    uint32_t K = saetm_topics_k(t);
    uint64_t *start = malloc(((size_t)K + 1) * sizeof *start), m = 0;
    const char **words = malloc(((size_t)K * n + 1) * sizeof *words);
    if (!start || !words) {
        free(start);
        free(words);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory scoring %u topics", K);
    }
    for (uint32_t k = 0; k < K; k++) { /* exactly the words of top_words.txt */
        start[k] = m;
        const uint32_t *top = saetm_topics_top_words(t, k);
        for (uint32_t j = 0; j < n && top[j] != UINT32_MAX; j++) words[m++] = saetm_interp_word(it, top[j]);
    }
    start[K] = m;
    saetm_status st = saetm_eval_topics(ctx, ref, K, words, start, eo, out);
    free(start);
    free(words);
    return st;
}

/* Score the listed words of t against corpus ref with saetm_eval_topics' defaults. */
static saetm_status score_against(saetm_ctx *ctx, const saetm_topics *t, const saetm_interp *it,
                                  const saetm_corpus *ref, saetm_topics_score *out)
{
    memset(out, 0, sizeof *out);
    saetm_eval_result *r = NULL;
    saetm_status st = saetm__topics_eval_listed(ctx, t, it, t->o.top_n, ref, NULL, &r);
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
