/*
 * cli_topics.c - the topic options shared by `saetm topics`, `saetm fit` and `saetm sweep`: their
 * table (over the library's saetm_topic_stage, whose defaults are the CLI's), the check printed as
 * a usage error, a model's params.json as defaults, and the scores' lines.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_topics_table(cli_topics_args *a, cli_opt *o)
{
    const cli_opt t[] = {
        {"k", CLI_U32, &a->o.k, "K", "number of topics", "20"},
        {"tau", CLI_DOUBLE, &a->o.tau, "X", "keep each feature's most probable words up to this mass before embedding", "0.9"},
        {"space", CLI_STR, &a->space, "S",
         "feature embedding: words (phi-weighted word vectors: --word-vectors, else the built-in embedder's "
         "embedding of each word) | hellinger (sqrt phi) | decoder (SAE decoder directions) | auto (words when "
         "word vectors or the built-in embedder are available, else hellinger)",
         "auto"},
        {"word-vectors", CLI_STR, &a->word_vectors, "FILE", "word vectors (.npy, one row per line of --word-list)", NULL},
        {"word-list", CLI_STR, &a->word_list, "FILE", "the words of --word-vectors, one per line", NULL},
        {"decoder", CLI_STR, &a->decoder, "FILE", "decoder directions (.npy, F x d) for --space decoder", NULL},
        {"merge", CLI_STR, &a->merge, "M",
         "how features are merged: kmeans-words | kmeans-hellinger | kmeans-decoder (k-means on that feature "
         "embedding) | agglomerative (tree in --space, --linkage) | coactivation (spectral clustering of the graph of "
         "features that fire in the same documents); sets --method and --space",
         "--method in --space"},
        {"method", CLI_STR, &a->method, "M", "kmeans | agglomerative (every K is a cut of one tree) | coactivation", CLI_DEF_VALUE},
        {"linkage", CLI_STR, &a->linkage, "L", "agglomerative linkage: ward | average", "ward"},
        {"restarts", CLI_U32, &a->o.restarts, "N", "k-means runs; the lowest weighted inertia wins", "4"},
        {"coact-init", CLI_STR, &a->coact_init, "I",
         "coactivation: random (eigenvector iteration and k-means++ started from --seed, best of --restarts) | pivot "
         "(seed-independent: a fixed start and one k-means run from rows chosen by pivoted QR; --seed and --restarts "
         "do not change the topics)",
         CLI_DEF_VALUE},
        {"max-iter", CLI_U32, &a->o.max_iter, "N", "k-means iterations per run", "100"},
        {"min-doc-freq", CLI_U32, &a->o.min_docs, "N",
         "cluster only features active in >= N documents; the others join a topic (the nearest centroid; "
         "coactivation: the topic they co-activate with most) or, with --rare drop, none",
         CLI_DEF_VALUE},
        {"rare", CLI_STR, &a->rare, "R", "features not clustered: join (a topic, as --min-doc-freq says) | drop (in no topic, their mass left out)", "join"},
        {"neighbors", CLI_U32, &a->o.neighbors, "N", "coactivation: each feature keeps its N most correlated partners in the graph", "64"},
        {"max-leaves", CLI_U32, &a->o.max_leaves, "N", "agglomerative: above N features, k-means groups them into N leaves first", "2048"},
        {"top-n", CLI_U32, &a->o.top_n, "N", "words listed per topic", "20"},
        {"rank", CLI_STR, &a->rank, "R",
         "order topic words by prob | relevance[:LAMBDA] | frex[:W] (FREX, weight W on exclusivity; default W 0.5) | "
         "diverse[:D] (relevance with the largest LAMBDA in 1, 0.95, ..., 0.5 that makes at least the share D of all "
         "topics' first 25 words distinct; default D 0.8)",
         CLI_DEF_VALUE},
        {"lambda", CLI_DOUBLE, &a->o.lambda, "X", "relevance: weight of log p(w|t) against the lift p(w|t)/p(w) (relevance:X sets it too)", "0.6"},
        {"refit", CLI_FLAG, &a->refit, NULL, "re-estimate the topic word distributions from the documents (--words; needs the corpus)", CLI_DEF_VALUE},
        {"words", CLI_STR, &a->words, "W",
         "how the refit estimates topic words: em (the interpretation's EM with the topics as components; --sharpen, "
         "--refit-pi, --refit-idf) | tfidf (non-negative least squares of the documents' TF-IDF rows on their topic "
         "proportions, with a background column)",
         CLI_DEF_VALUE},
        {"words-background", CLI_DOUBLE, &a->words_background, "X",
         "refit --words tfidf: value of the background column (0 = none; any value > 0 gives the same words up to "
         "rounding)",
         "0.3"},
        {"no-refit", CLI_FLAG, &a->no_refit, NULL, "do not re-fit (when --refit is the default: saetm fit, a model's params.json)", NULL},
        {"sharpen", CLI_DOUBLE, &a->sharpen, "S", "refit: raise document topic proportions to this power (>= 1)", CLI_DEF_VALUE},
        {"refit-pi", CLI_DOUBLE, &a->refit_pi, "X", "refit: background weight", CLI_DEF_VALUE},
        {"refit-idf", CLI_STR, &a->refit_idf, "on|off|P",
         "refit: IDF-weight the likelihood (on), or not (off), or with the IDF weights raised to the power P in (0, 4] "
         "(on = 1; 0.5 weighs rare words less than on, more than off)",
         "on"},
        {"candidates", CLI_DOUBLE, &a->candidates, "X",
         "coherence pruning: merge into X times K topics, then dissolve the least coherent (NPMI of their top 10 "
         "words in the corpus) until K remain; their features join the topics they co-activate with most (with "
         "the refit only; 1 = off)",
         CLI_DEF_VALUE},
        {"prune-redundancy", CLI_DOUBLE, &a->o.redundancy, "X",
         "coherence pruning: a candidate's score is its NPMI minus X times its largest cosine similarity of word "
         "distributions with another candidate", CLI_DEF_VALUE},
        {"crossfit", CLI_STR, &a->crossfit, "on|off",
         "coherence pruning with --words tfidf: score each candidate's words, estimated on one half of the documents "
         "(by index parity), on the other half, both ways (on), or on the documents that estimated them (off); "
         "ignored with --words em or without pruning (--candidates 1)",
         CLI_DEF_VALUE},
    };
    memcpy(o, t, sizeof t);
    return (int)(sizeof t / sizeof t[0]);
}

int cli_topics_finish(const char *cmd, cli_topics_args *a)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_status st = ctx ? saetm_topic_stage_resolve(ctx, a) : SAETM_ERR_NOMEM;
    int rc = st ? cli_usage_error(cmd, "%s", ctx ? saetm_ctx_errmsg(ctx) : "out of memory") : -1;
    saetm_ctx_free(ctx);
    return rc;
}

int cli_topics_model_defaults(const char *cmd, int argc, char **argv, cli_topics_args *a, const char **model,
                              saetm_model_params **params)
{
    int fit_defaults = 0;
    *params = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--model") == 0) *model = argv[i + 1];
        if (strcmp(argv[i], "--fit-defaults") == 0) fit_defaults = 1;
    }
    if (*model) {
        saetm_ctx *ctx = saetm_ctx_create();
        saetm_status st = ctx ? saetm_model_params_load(ctx, *model, params) : SAETM_ERR_NOMEM;
        int rc = st ? cli_fail(ctx, cmd, st) : -1;
        saetm_ctx_free(ctx);
        if (rc >= 0) return rc;
    }
    if (fit_defaults) saetm_topic_stage_fit_default(a);
    else saetm_model_params_topics(*params, a);
    return -1;
}

void cli_print_scores(const char *cmd, const saetm_topics_score sc[2])
{
    for (int i = 0; i < 2; i++) {
        fprintf(stderr, "%s: %-9s scores (%s, %llu documents): ", cmd, i ? "held-out" : "in-sample",
                i ? "heldout.stc" : "corpus.stc", (unsigned long long)sc[i].n_docs);
        if (sc[i].scored) fprintf(stderr, "NPMI %.4f, C_V %.4f, ", sc[i].npmi, sc[i].c_v);
        else fprintf(stderr, "NPMI n/a, C_V n/a (no topic could be scored), ");
        fprintf(stderr, "TD %.4f\n", sc[i].diversity);
    }
}

