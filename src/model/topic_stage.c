/*
 * topic_stage.c - the topic stage of the pipeline (saetm_topic_stage): its defaults (the plain
 * method's and saetm fit's, one definition each), the names resolved and checked, the merge
 * space's vectors, the build with candidates, pruning and refit, and the whole stage with
 * scoring and the topic files. `saetm topics`, `saetm sweep` and saetm_fit run it.
 */
#include "model_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- defaults */

void saetm_topic_stage_default(saetm_topic_stage *s)
{
    memset(s, 0, sizeof *s);
    saetm_topics_opts_default(&s->o);
    s->space = "auto";
    s->method = "kmeans";
    s->linkage = "ward";
    s->rank = "prob";
    s->rare = "join";
    s->refit_idf = "on";
    s->sharpen = 1.0;
    s->refit_pi = 0.3;
    s->candidates = 1.0;
    s->words = "em";
    s->crossfit = "off";
    s->words_background = 0.3;
    s->coact_init = "random";
}

/* fit's topic defaults, chosen in docs/quality.md on held-out documents (a validation split of
 * three corpora, K = 10-50, 3 seeds): features merged by co-activation into 2K candidate topics
 * after setting aside those active in fewer than 20 documents (they join the topic they
 * co-activate with most); the topics' words estimated by non-negative least squares on the
 * documents' TF-IDF (words tfidf); the least coherent candidates dissolved until K remain, each
 * scored on the half of the documents that did not estimate its words (crossfit on), with no
 * redundancy term; words listed by probability; the merge started without the seed (coact_init
 * pivot: the same topics for any seed once the SAE is fixed). The EM refit's options (sharpen 4,
 * background 0.7) stay recorded for words em. `saetm topics` keeps the plain method's defaults
 * (k-means, no refit: it may have no corpus). */
void saetm_topic_stage_fit_default(saetm_topic_stage *s)
{
    s->method = "coactivation"; /* not s->merge: a merge or method given still decides */
    s->o.min_docs = 20;
    s->refit = 1;
    s->sharpen = 4.0;
    s->refit_pi = 0.7;
    s->candidates = 2.0;
    s->rank = "prob";
    s->words = "tfidf";
    s->crossfit = "on";
    s->o.redundancy = 0;
    s->coact_init = "pivot";
}

/* ---------------------------------------------------------------- resolve and check */

/* "NAME" or "NAME:X" with X a number: @return 1 if v is one of these (*x set when given), 0 if not NAME,
 * -1 if NAME: is followed by no number. */
static int name_num(const char *v, const char *name, double *x)
{
    size_t l = strlen(name);
    if (strncmp(v, name, l) != 0) return 0;
    if (v[l] == 0) return 1;
    if (v[l] != ':') return 0;
    char *end;
    double d = strtod(v + l + 1, &end);
    if (end == v + l + 1 || *end) return -1;
    *x = d;
    return 1;
}

#define BAD(...) return saetm__fail(ctx, SAETM_ERR_ARG, __VA_ARGS__)

saetm_status saetm_topic_stage_resolve(saetm_ctx *ctx, saetm_topic_stage *a)
{
    if (saetm__topic_stage_given(a, "min-doc-freq")) a->min_docs_fixed = 1; /* given: never lowered */
    if (a->merge) {
        if (strcmp(a->merge, "kmeans-words") == 0) a->method = "kmeans", a->space = "words";
        else if (strcmp(a->merge, "kmeans-hellinger") == 0) a->method = "kmeans", a->space = "hellinger";
        else if (strcmp(a->merge, "kmeans-decoder") == 0) a->method = "kmeans", a->space = "decoder";
        else if (strcmp(a->merge, "agglomerative") == 0) a->method = "agglomerative";
        else if (strcmp(a->merge, "coactivation") == 0) a->method = "coactivation";
        else
            BAD("--merge must be kmeans-words, kmeans-hellinger, kmeans-decoder, agglomerative or coactivation, not "
                "'%s'", a->merge);
    }
    if (strcmp(a->space, "auto") == 0) a->o.space = SAETM_SPACE_WORDS; /* falls back to hellinger in vectors */
    else if (strcmp(a->space, "words") == 0) a->o.space = SAETM_SPACE_WORDS;
    else if (strcmp(a->space, "hellinger") == 0) a->o.space = SAETM_SPACE_HELLINGER;
    else if (strcmp(a->space, "decoder") == 0) a->o.space = SAETM_SPACE_DECODER;
    else BAD("--space must be auto, words, hellinger or decoder, not '%s'", a->space);
    if (strcmp(a->method, "kmeans") == 0) a->o.method = SAETM_MERGE_KMEANS;
    else if (strcmp(a->method, "coactivation") == 0) a->o.method = SAETM_MERGE_COACT;
    else if (strcmp(a->method, "agglomerative") != 0)
        BAD("--method must be kmeans, agglomerative or coactivation, not '%s'", a->method);
    else if (strcmp(a->linkage, "ward") == 0) a->o.method = SAETM_MERGE_WARD;
    else if (strcmp(a->linkage, "average") == 0) a->o.method = SAETM_MERGE_AVERAGE;
    else BAD("--linkage must be ward or average, not '%s'", a->linkage);
    int r;
    if (strcmp(a->rank, "prob") == 0) a->o.rank = SAETM_RANK_PROB;
    else if ((r = name_num(a->rank, "relevance", &a->o.lambda)) == 1) a->o.rank = SAETM_RANK_RELEVANCE;
    else if (r == 0 && (r = name_num(a->rank, "frex", &a->o.frex_weight)) == 1) a->o.rank = SAETM_RANK_FREX;
    else if (r == 0 && (r = name_num(a->rank, "diverse", &a->o.min_diversity)) == 1) a->o.rank = SAETM_RANK_RELEVANCE;
    else
        BAD("--rank must be prob, relevance, relevance:LAMBDA, frex, frex:W, diverse or diverse:D (numbers in [0, 1]), "
            "not '%s'", a->rank);
    if (strncmp(a->rank, "diverse", 7) != 0) a->o.min_diversity = 0;
    else if (strcmp(a->rank, "diverse") == 0) a->o.min_diversity = 0.8;
    else if (!(a->o.min_diversity > 0)) BAD("--rank diverse:D needs D in (0, 1], not '%s'", a->rank);
    if (strcmp(a->coact_init, "random") == 0) a->o.coact_init = SAETM_COACT_INIT_RANDOM;
    else if (strcmp(a->coact_init, "pivot") == 0) a->o.coact_init = SAETM_COACT_INIT_PIVOT;
    else BAD("--coact-init must be random or pivot, not '%s'", a->coact_init);
    if (a->o.method != SAETM_MERGE_COACT) a->o.coact_init = SAETM_COACT_INIT_RANDOM; /* as neighbors: coactivation's */
    if (strcmp(a->rare, "join") == 0) a->o.rare_drop = 0;
    else if (strcmp(a->rare, "drop") == 0) a->o.rare_drop = 1;
    else BAD("--rare must be join or drop, not '%s'", a->rare);
    char *idf_end = NULL;
    if (strcmp(a->refit_idf, "on") == 0) a->refit_idf_power = 1;
    else if (strcmp(a->refit_idf, "off") == 0) a->refit_idf_power = 0;
    else if (!((a->refit_idf_power = strtod(a->refit_idf, &idf_end)) > 0 && a->refit_idf_power <= 4) ||
             idf_end == a->refit_idf || *idf_end)
        BAD("--refit-idf must be on, off or a power in (0, 4], not '%s'", a->refit_idf);
    if ((a->word_vectors != NULL) != (a->word_list != NULL)) BAD("--word-vectors and --word-list go together");
    if (a->no_refit) a->refit = 0;
    if (!(a->sharpen >= 1)) BAD("--sharpen must be >= 1");
    if (!(a->refit_pi >= 0 && a->refit_pi < 1)) BAD("--refit-pi must be in [0, 1)");
    if (!(a->candidates >= 1 && a->candidates <= 16)) BAD("--candidates must be in [1, 16]");
    saetm_words_opts_default(&a->wo);
    if (strcmp(a->words, "em") == 0) a->wo.method = SAETM_WORDS_EM;
    else if (strcmp(a->words, "tfidf") == 0) a->wo.method = SAETM_WORDS_TFIDF;
    else BAD("--words must be em or tfidf, not '%s'", a->words);
    if (!a->refit) a->wo.method = SAETM_WORDS_MEAN;
    a->wo.em.pi = a->refit_pi;
    a->wo.em.idf = a->refit_idf_power > 0;
    if (a->wo.em.idf) a->wo.em.idf_power = a->refit_idf_power;
    a->wo.sharpen = a->sharpen;
    a->wo.background = a->words_background;
    const char *wbad = saetm_words_opts_check(&a->wo);
    if (wbad) BAD("--words-background: %s", wbad);
    if (strcmp(a->crossfit, "on") == 0) a->crossfit_on = 1;
    else if (strcmp(a->crossfit, "off") == 0) a->crossfit_on = 0;
    else BAD("--crossfit must be on or off, not '%s'", a->crossfit);
    if (a->crossfit_on && a->wo.method != SAETM_WORDS_TFIDF) a->crossfit_on = 0; /* only the tfidf words split */
    if (!a->refit) a->candidates = 1; /* nothing to score topics by without the refit */
    if (a->candidates > 1 && (a->o.method == SAETM_MERGE_WARD || a->o.method == SAETM_MERGE_AVERAGE))
        BAD("--candidates prunes k-means or co-activation topics; agglomerative topics are cuts of one tree");
    const char *bad = saetm_topics_opts_check(&a->o);
    if (bad) BAD("%s", bad);
    return SAETM_OK;
}

const char *saetm_topic_stage_merge_name(const saetm_topic_stage *a)
{
    if (a->o.method == SAETM_MERGE_COACT) return "coactivation";
    if (a->o.method != SAETM_MERGE_KMEANS) return "agglomerative";
    return strcmp(a->space, "words") == 0       ? "kmeans-words"
           : strcmp(a->space, "hellinger") == 0 ? "kmeans-hellinger"
           : strcmp(a->space, "decoder") == 0   ? "kmeans-decoder"
                                                : "kmeans-auto";
}

/* ---------------------------------------------------------------- the merge space's vectors */

saetm_status saetm_topic_stage_vectors(saetm_ctx *ctx, saetm_topic_stage *a, const saetm_interp *it,
                                       const saetm_sae *sae, const char *dir, saetm_matrix *vec, saetm_matrix *raw)
{
    saetm_status st = SAETM_OK;
    memset(vec, 0, sizeof *vec);
    memset(raw, 0, sizeof *raw);
    if (a->o.method == SAETM_MERGE_COACT) {
        /* no feature embedding: merged by co-activation */
    } else if (a->o.space == SAETM_SPACE_WORDS && a->word_vectors) {
        uint32_t found = 0;
        st = saetm_npy_load(ctx, a->word_vectors, raw);
        if (!st) st = saetm_word_vectors_align(ctx, raw, a->word_list, it, vec, &found);
        if (!st && found == 0)
            return saetm__fail(ctx, SAETM_ERR_INPUT, "none of the %u vocabulary words is in %s",
                               saetm_interp_vocab_size(it), a->word_list);
        if (!st) saetm__log(ctx, SAETM_LOG_INFO, "topics: word vectors for %u of %u vocabulary words", found,
                            saetm_interp_vocab_size(it));
    } else if (a->o.space == SAETM_SPACE_WORDS) {
        int none = 0;
        if ((st = saetm__mkdir(ctx, dir))) return st;
        st = saetm_embed_vocab(ctx, it, dir, vec, &none);
        if (!st && none) {
            if (strcmp(a->space, "auto") != 0)
                return saetm__fail(ctx, SAETM_ERR_ARG,
                                   "--space words needs word vectors: give --word-vectors and --word-list, or install "
                                   "the built-in embedder's model (see docs/EMBED.md)");
            saetm__log(ctx, SAETM_LOG_INFO, "topics: no built-in embedder model found: merging in hellinger space");
            a->o.space = SAETM_SPACE_HELLINGER;
        }
    } else if (a->o.space == SAETM_SPACE_DECODER && a->decoder) {
        st = saetm_npy_load(ctx, a->decoder, vec);
    } else if (a->o.space == SAETM_SPACE_DECODER) {
        if (!sae)
            return saetm__fail(ctx, SAETM_ERR_ARG,
                               "--space decoder needs the SAE (--model DIR with DIR/sae.saem) or --decoder");
        vec->rows = saetm_sae_features(sae); /* a view of the SAE's decoder (freeing it is a no-op) */
        vec->cols = saetm_sae_dim(sae);
        vec->data = (float *)saetm_sae_decoder(sae);
    }
    return st;
}

void saetm_topic_stage_vectors_free(saetm_matrix *vec, saetm_matrix *raw)
{
    if (vec->owner_) saetm_matrix_free(vec);
    saetm_matrix_free(raw);
}

/* ---------------------------------------------------------------- build */

static int cmp_u32_desc(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a < b) - (a > b);
}

/* A min_docs not given by the user (saetm fit's default 20, or a model's params.json) must leave
 * at least K features to cluster: where it leaves fewer, lower o->min_docs to the K-th largest
 * document frequency, and say so. One given explicitly is kept (the merge says what is wrong). */
static void lower_min_docs(saetm_ctx *ctx, const saetm_topic_stage *a, const saetm_interp *it, saetm_topics_opts *o)
{
    uint32_t F = saetm_interp_num_features(it), n = 0, K = o->k;
    if (a->min_docs_fixed || o->min_docs <= 1 || K == 0) return;
    const float *ta = saetm_interp_theta_avg(it);
    const uint32_t *df = saetm_interp_doc_freq(it);
    uint32_t *v = malloc((size_t)(F ? F : 1) * sizeof *v);
    if (!v) return; /* the merge reports what it cannot do */
    for (uint32_t f = 0; f < F; f++)
        if (ta[f] > 0) v[n++] = df[f];
    qsort(v, n, sizeof *v, cmp_u32_desc);
    if (n < K || v[K - 1] < o->min_docs) { /* n < K: not enough live features at all; the merge says so */
        uint32_t m = n >= K && v[K - 1] ? v[K - 1] : 1;
        saetm__log(ctx, SAETM_LOG_INFO, "topics: --min-doc-freq %u leaves fewer than %u features to cluster; using %u",
                   o->min_docs, K, m);
        o->min_docs = m;
    }
    free(v);
}

saetm_status saetm_topic_stage_build(saetm_ctx *ctx, const saetm_topic_stage *a, const saetm_interp *it,
                                     const saetm_corpus *corpus, const saetm_matrix *vec, saetm_topics **out)
{
    *out = NULL;
    if (a->refit && !corpus)
        return saetm__fail(ctx, SAETM_ERR_ARG, "--refit needs the corpus (--corpus, or --model DIR with DIR/corpus.stc)");
    saetm_topics *tp = NULL;
    saetm_topics_opts o = a->o;
    if (a->candidates > 1) { /* more candidates than live features: as many as there are */
        uint32_t F = saetm_interp_num_features(it), live = 0;
        const float *ta = saetm_interp_theta_avg(it);
        for (uint32_t f = 0; f < F; f++) live += ta[f] > 0;
        double kc = ceil(a->candidates * o.k);
        o.k = kc < live ? (uint32_t)kc : live > o.k ? live : o.k;
    }
    lower_min_docs(ctx, a, it, &o);
    saetm_status st = saetm_topics_build(
        ctx, it, a->o.space == SAETM_SPACE_HELLINGER || a->o.method == SAETM_MERGE_COACT ? NULL : vec, &o, &tp);
    if (!st && a->refit) {
        saetm_bow bow;
        saetm_corpus_bow(corpus, &bow);
        st = o.k > a->o.k ? saetm_topics_prune_words(ctx, tp, it, &bow, a->o.k, &a->wo, a->crossfit_on)
                          : saetm_topics_fit_words(ctx, tp, &bow, &a->wo);
    }
    if (st) {
        saetm_topics_free(tp);
        return st;
    }
    *out = tp;
    return SAETM_OK;
}

/* ---------------------------------------------------------------- the whole stage */

saetm_status saetm_topic_stage_run(saetm_ctx *ctx, const saetm_topic_stage *s0, const saetm_interp *it,
                                   const saetm_corpus *corpus, const saetm_corpus *heldout, double holdout,
                                   const saetm_sae *sae, const char *dir, saetm_topics_score scores[2])
{
    saetm_topic_stage s = *s0; /* the vectors may switch an auto space to hellinger */
    saetm_matrix vec, raw;
    saetm_topics *tp = NULL;
    saetm_status st = saetm_topic_stage_vectors(ctx, &s, it, sae, dir, &vec, &raw);
    if (!st) st = saetm_topic_stage_build(ctx, &s, it, corpus, &vec, &tp);
    if (!st && heldout) {
        if (!corpus) st = saetm__fail(ctx, SAETM_ERR_INPUT, "scoring the topics needs their corpus (DIR/corpus.stc)");
        else st = saetm_topics_evaluate(ctx, tp, it, corpus, heldout, holdout);
        if (!st && scores) saetm_topics_evaluation(tp, &scores[0], &scores[1]);
    }
    if (!st) st = saetm_topics_write(ctx, tp, it, dir);
    if (!st) saetm__log(ctx, SAETM_LOG_INFO, "topics: %u topics written to %s/", saetm_topics_k(tp), dir);
    saetm_topics_free(tp);
    saetm_topic_stage_vectors_free(&vec, &raw);
    return st;
}
