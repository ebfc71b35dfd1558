/*
 * cmd_topics.c - `saetm topics`: merge the features of an interpretation into K topics and write
 * the topic files (top_words.txt, topics.json, doc_topics.npy, topic_word.npy, tree.json).
 * The option table and the run are shared with `saetm fit` (cli_topics_*).
 */
#include "cli.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_mkdir(const char *dir)
{
    struct stat sb;
    if (mkdir(dir, 0777) == 0) return 0;
    return stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

void cli_topics_defaults(cli_topics_args *a)
{
    memset(a, 0, sizeof *a);
    saetm_topics_opts_default(&a->o);
    a->space = "auto";
    a->method = "kmeans";
    a->linkage = "ward";
    a->rank = "prob";
    a->rare = "join";
    a->refit_idf = "on";
    a->sharpen = 1.0;
    a->refit_pi = 0.3;
    a->candidates = 1.0;
    a->words = "em";
    a->crossfit = "off";
    a->words_background = 0.3;
    a->coact_init = "random";
}

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
         "kmeans with --space auto"},
        {"method", CLI_STR, &a->method, "M", "kmeans | agglomerative (every K is a cut of one tree) | coactivation", "kmeans"},
        {"linkage", CLI_STR, &a->linkage, "L", "agglomerative linkage: ward | average", "ward"},
        {"restarts", CLI_U32, &a->o.restarts, "N", "k-means runs; the lowest weighted inertia wins", "4"},
        {"coact-init", CLI_STR, &a->coact_init, "I",
         "coactivation: random (eigenvector iteration and k-means++ started from --seed, best of --restarts) | pivot "
         "(seed-independent: a fixed start and one k-means run from rows chosen by pivoted QR; --seed and --restarts "
         "do not change the topics)",
         "random"},
        {"max-iter", CLI_U32, &a->o.max_iter, "N", "k-means iterations per run", "100"},
        {"min-doc-freq", CLI_U32, &a->o.min_docs, "N",
         "cluster only features active in >= N documents; the others join a topic (the nearest centroid; "
         "coactivation: the topic they co-activate with most) or, with --rare drop, none",
         "1"},
        {"min-docs", CLI_U32, &a->o.min_docs, "N", "the same as --min-doc-freq", "1"},
        {"rare", CLI_STR, &a->rare, "R", "features not clustered: join (a topic, as --min-doc-freq says) | drop (in no topic, their mass left out)", "join"},
        {"neighbors", CLI_U32, &a->o.neighbors, "N", "coactivation: each feature keeps its N most correlated partners in the graph", "64"},
        {"max-leaves", CLI_U32, &a->o.max_leaves, "N", "agglomerative: above N features, k-means groups them into N leaves first", "2048"},
        {"top-n", CLI_U32, &a->o.top_n, "N", "words listed per topic", "20"},
        {"rank", CLI_STR, &a->rank, "R",
         "order topic words by prob | relevance[:LAMBDA] | frex[:W] (FREX, weight W on exclusivity; default W 0.5) | "
         "diverse[:D] (relevance with the largest LAMBDA in 1, 0.95, ..., 0.5 that makes at least the share D of all "
         "topics' first 25 words distinct; default D 0.8)",
         "prob"},
        {"lambda", CLI_DOUBLE, &a->o.lambda, "X", "relevance: weight of log p(w|t) against the lift p(w|t)/p(w) (relevance:X sets it too)", "0.6"},
        {"refit", CLI_FLAG, &a->refit, NULL, "re-estimate the topic word distributions from the documents (--words; needs the corpus)", NULL},
        {"words", CLI_STR, &a->words, "W",
         "how the refit estimates topic words: em (the interpretation's EM with the topics as components; --sharpen, "
         "--refit-pi, --refit-idf) | tfidf (non-negative least squares of the documents' TF-IDF rows on their topic "
         "proportions, with a background column)",
         "em"},
        {"words-background", CLI_DOUBLE, &a->words_background, "X",
         "refit --words tfidf: value of the background column (0 = none; any value > 0 gives the same words up to "
         "rounding)",
         "0.3"},
        {"no-refit", CLI_FLAG, &a->no_refit, NULL, "do not re-fit (when --refit is the default: saetm fit, a model's params.json)", NULL},
        {"sharpen", CLI_DOUBLE, &a->sharpen, "S", "refit: raise document topic proportions to this power (>= 1)", "1"},
        {"refit-pi", CLI_DOUBLE, &a->refit_pi, "X", "refit: background weight", "0.3"},
        {"refit-idf", CLI_STR, &a->refit_idf, "on|off|P",
         "refit: IDF-weight the likelihood (on), or not (off), or with the IDF weights raised to the power P in (0, 4] "
         "(on = 1; 0.5 weighs rare words less than on, more than off)",
         "on"},
        {"candidates", CLI_DOUBLE, &a->candidates, "X",
         "coherence pruning: merge into X times K topics, then dissolve the least coherent (NPMI of their top 10 "
         "words in the corpus) until K remain; their features join the topics they co-activate with most (with "
         "the refit only; 1 = off)",
         "1"},
        {"prune-redundancy", CLI_DOUBLE, &a->o.redundancy, "X",
         "coherence pruning: a candidate's score is its NPMI minus X times its largest cosine similarity of word "
         "distributions with another candidate", "0.5"},
        {"crossfit", CLI_STR, &a->crossfit, "on|off",
         "coherence pruning with --words tfidf: score each candidate's words, estimated on one half of the documents "
         "(by index parity), on the other half, both ways (on), or on the documents that estimated them (off); "
         "ignored with --words em or without pruning (--candidates 1)",
         "off"},
    };
    memcpy(o, t, sizeof t);
    return (int)(sizeof t / sizeof t[0]);
}

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

int cli_topics_finish(const char *cmd, cli_topics_args *a)
{
    if (a->merge) {
        if (strcmp(a->merge, "kmeans-words") == 0) a->method = "kmeans", a->space = "words";
        else if (strcmp(a->merge, "kmeans-hellinger") == 0) a->method = "kmeans", a->space = "hellinger";
        else if (strcmp(a->merge, "kmeans-decoder") == 0) a->method = "kmeans", a->space = "decoder";
        else if (strcmp(a->merge, "agglomerative") == 0) a->method = "agglomerative";
        else if (strcmp(a->merge, "coactivation") == 0) a->method = "coactivation";
        else
            return cli_usage_error(cmd, "--merge must be kmeans-words, kmeans-hellinger, kmeans-decoder, agglomerative "
                                        "or coactivation, not '%s'", a->merge);
    }
    if (strcmp(a->space, "auto") == 0) a->o.space = SAETM_SPACE_WORDS; /* falls back to hellinger in run */
    else if (strcmp(a->space, "words") == 0) a->o.space = SAETM_SPACE_WORDS;
    else if (strcmp(a->space, "hellinger") == 0) a->o.space = SAETM_SPACE_HELLINGER;
    else if (strcmp(a->space, "decoder") == 0) a->o.space = SAETM_SPACE_DECODER;
    else return cli_usage_error(cmd, "--space must be auto, words, hellinger or decoder, not '%s'", a->space);
    if (strcmp(a->method, "kmeans") == 0) a->o.method = SAETM_MERGE_KMEANS;
    else if (strcmp(a->method, "coactivation") == 0) a->o.method = SAETM_MERGE_COACT;
    else if (strcmp(a->method, "agglomerative") != 0)
        return cli_usage_error(cmd, "--method must be kmeans, agglomerative or coactivation, not '%s'", a->method);
    else if (strcmp(a->linkage, "ward") == 0) a->o.method = SAETM_MERGE_WARD;
    else if (strcmp(a->linkage, "average") == 0) a->o.method = SAETM_MERGE_AVERAGE;
    else return cli_usage_error(cmd, "--linkage must be ward or average, not '%s'", a->linkage);
    int r;
    if (strcmp(a->rank, "prob") == 0) a->o.rank = SAETM_RANK_PROB;
    else if ((r = name_num(a->rank, "relevance", &a->o.lambda)) == 1) a->o.rank = SAETM_RANK_RELEVANCE;
    else if (r == 0 && (r = name_num(a->rank, "frex", &a->o.frex_weight)) == 1) a->o.rank = SAETM_RANK_FREX;
    else if (r == 0 && (r = name_num(a->rank, "diverse", &a->o.min_diversity)) == 1) a->o.rank = SAETM_RANK_RELEVANCE;
    else
        return cli_usage_error(cmd, "--rank must be prob, relevance, relevance:LAMBDA, frex, frex:W, diverse or diverse:D "
                                    "(numbers in [0, 1]), not '%s'", a->rank);
    if (strncmp(a->rank, "diverse", 7) != 0) a->o.min_diversity = 0;
    else if (strcmp(a->rank, "diverse") == 0) a->o.min_diversity = 0.8;
    else if (!(a->o.min_diversity > 0)) return cli_usage_error(cmd, "--rank diverse:D needs D in (0, 1], not '%s'", a->rank);
    if (strcmp(a->coact_init, "random") == 0) a->o.coact_init = SAETM_COACT_INIT_RANDOM;
    else if (strcmp(a->coact_init, "pivot") == 0) a->o.coact_init = SAETM_COACT_INIT_PIVOT;
    else return cli_usage_error(cmd, "--coact-init must be random or pivot, not '%s'", a->coact_init);
    if (a->o.method != SAETM_MERGE_COACT) a->o.coact_init = SAETM_COACT_INIT_RANDOM; /* as --neighbors: coactivation's */
    if (strcmp(a->rare, "join") == 0) a->o.rare_drop = 0;
    else if (strcmp(a->rare, "drop") == 0) a->o.rare_drop = 1;
    else return cli_usage_error(cmd, "--rare must be join or drop, not '%s'", a->rare);
    char *idf_end = NULL;
    if (strcmp(a->refit_idf, "on") == 0) a->refit_idf_power = 1;
    else if (strcmp(a->refit_idf, "off") == 0) a->refit_idf_power = 0;
    else if (!((a->refit_idf_power = strtod(a->refit_idf, &idf_end)) > 0 && a->refit_idf_power <= 4) ||
             idf_end == a->refit_idf || *idf_end)
        return cli_usage_error(cmd, "--refit-idf must be on, off or a power in (0, 4], not '%s'", a->refit_idf);
    if ((a->word_vectors != NULL) != (a->word_list != NULL))
        return cli_usage_error(cmd, "--word-vectors and --word-list go together");
    if (a->no_refit) a->refit = 0;
    if (!(a->sharpen >= 1)) return cli_usage_error(cmd, "--sharpen must be >= 1");
    if (!(a->refit_pi >= 0 && a->refit_pi < 1)) return cli_usage_error(cmd, "--refit-pi must be in [0, 1)");
    if (!(a->candidates >= 1 && a->candidates <= 16)) return cli_usage_error(cmd, "--candidates must be in [1, 16]");
    saetm_words_opts_default(&a->wo);
    if (strcmp(a->words, "em") == 0) a->wo.method = SAETM_WORDS_EM;
    else if (strcmp(a->words, "tfidf") == 0) a->wo.method = SAETM_WORDS_TFIDF;
    else return cli_usage_error(cmd, "--words must be em or tfidf, not '%s'", a->words);
    if (!a->refit) a->wo.method = SAETM_WORDS_MEAN;
    a->wo.em.pi = a->refit_pi;
    a->wo.em.idf = a->refit_idf_power > 0;
    if (a->wo.em.idf) a->wo.em.idf_power = a->refit_idf_power;
    a->wo.sharpen = a->sharpen;
    a->wo.background = a->words_background;
    const char *wbad = saetm_words_opts_check(&a->wo);
    if (wbad) return cli_usage_error(cmd, "--words-background: %s", wbad);
    if (strcmp(a->crossfit, "on") == 0) a->crossfit_on = 1;
    else if (strcmp(a->crossfit, "off") == 0) a->crossfit_on = 0;
    else return cli_usage_error(cmd, "--crossfit must be on or off, not '%s'", a->crossfit);
    if (a->crossfit_on && a->wo.method != SAETM_WORDS_TFIDF) a->crossfit_on = 0; /* only the tfidf words split */
    if (!a->refit) a->candidates = 1; /* nothing to score topics by without the refit */
    if (a->candidates > 1 && (a->o.method == SAETM_MERGE_WARD || a->o.method == SAETM_MERGE_AVERAGE))
        return cli_usage_error(cmd, "--candidates prunes k-means or co-activation topics; agglomerative topics are cuts "
                                    "of one tree");
    const char *bad = saetm_topics_opts_check(&a->o);
    if (bad) return cli_usage_error(cmd, "%s", bad);
    return -1;
}

void cli_topics_to_json(const cli_topics_args *a, cJSON *obj)
{
    cJSON_AddNumberToObject(obj, "k", a->o.k);
    cJSON_AddNumberToObject(obj, "tau", a->o.tau);
    cJSON_AddStringToObject(obj, "space", a->space);
    if (a->word_vectors) cJSON_AddStringToObject(obj, "word_vectors", a->word_vectors);
    if (a->word_list) cJSON_AddStringToObject(obj, "word_list", a->word_list);
    if (a->decoder) cJSON_AddStringToObject(obj, "decoder", a->decoder);
    cJSON_AddStringToObject(obj, "merge", cli_topics_merge_name(a));
    cJSON_AddStringToObject(obj, "method", a->method);
    cJSON_AddStringToObject(obj, "linkage", a->linkage);
    cJSON_AddNumberToObject(obj, "restarts", a->o.restarts);
    cJSON_AddStringToObject(obj, "coact_init", a->coact_init);
    cJSON_AddNumberToObject(obj, "max_iter", a->o.max_iter);
    cJSON_AddNumberToObject(obj, "min_docs", a->o.min_docs);
    cJSON_AddStringToObject(obj, "rare", a->rare);
    cJSON_AddNumberToObject(obj, "neighbors", a->o.neighbors);
    cJSON_AddNumberToObject(obj, "max_leaves", a->o.max_leaves);
    cJSON_AddNumberToObject(obj, "top_n", a->o.top_n);
    cJSON_AddStringToObject(obj, "rank", a->rank);
    cJSON_AddNumberToObject(obj, "lambda", a->o.lambda);
    cJSON_AddNumberToObject(obj, "frex_weight", a->o.frex_weight);
    cJSON_AddBoolToObject(obj, "refit", a->refit);
    cJSON_AddNumberToObject(obj, "sharpen", a->sharpen);
    cJSON_AddNumberToObject(obj, "refit_pi", a->refit_pi);
    cJSON_AddStringToObject(obj, "refit_idf", a->refit_idf);
    cJSON_AddNumberToObject(obj, "candidates", a->candidates);
    cJSON_AddStringToObject(obj, "words", a->words);
    cJSON_AddNumberToObject(obj, "words_background", a->words_background);
    cJSON_AddStringToObject(obj, "crossfit", a->crossfit);
    cJSON_AddNumberToObject(obj, "prune_redundancy", a->o.redundancy);
    cJSON_AddNumberToObject(obj, "seed", (double)a->o.seed);
}

void cli_topics_from_json(cli_topics_args *a, const cJSON *obj)
{
    if (!cJSON_IsObject(obj)) return;
    a->o.k = (uint32_t)cli_json_number(obj, "k", a->o.k);
    a->o.tau = cli_json_number(obj, "tau", a->o.tau);
    a->space = cli_json_string(obj, "space", a->space);
    a->word_vectors = cli_json_string(obj, "word_vectors", a->word_vectors);
    a->word_list = cli_json_string(obj, "word_list", a->word_list);
    a->decoder = cli_json_string(obj, "decoder", a->decoder);
    a->method = cli_json_string(obj, "method", a->method);
    a->linkage = cli_json_string(obj, "linkage", a->linkage);
    a->o.restarts = (uint32_t)cli_json_number(obj, "restarts", a->o.restarts);
    a->coact_init = cli_json_string(obj, "coact_init", a->coact_init);
    a->o.max_iter = (uint32_t)cli_json_number(obj, "max_iter", a->o.max_iter);
    a->o.min_docs = (uint32_t)cli_json_number(obj, "min_docs", a->o.min_docs);
    a->rare = cli_json_string(obj, "rare", a->rare);
    a->o.neighbors = (uint32_t)cli_json_number(obj, "neighbors", a->o.neighbors);
    a->o.max_leaves = (uint32_t)cli_json_number(obj, "max_leaves", a->o.max_leaves);
    a->o.top_n = (uint32_t)cli_json_number(obj, "top_n", a->o.top_n);
    a->rank = cli_json_string(obj, "rank", a->rank);
    a->o.lambda = cli_json_number(obj, "lambda", a->o.lambda);
    a->o.frex_weight = cli_json_number(obj, "frex_weight", a->o.frex_weight);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(obj, "refit");
    if (cJSON_IsBool(r)) a->refit = cJSON_IsTrue(r);
    a->sharpen = cli_json_number(obj, "sharpen", a->sharpen);
    a->refit_pi = cli_json_number(obj, "refit_pi", a->refit_pi);
    a->refit_idf = cli_json_string(obj, "refit_idf", a->refit_idf);
    a->candidates = cli_json_number(obj, "candidates", a->candidates);
    a->words = cli_json_string(obj, "words", a->words);
    a->words_background = cli_json_number(obj, "words_background", a->words_background);
    a->crossfit = cli_json_string(obj, "crossfit", a->crossfit);
    a->o.redundancy = cli_json_number(obj, "prune_redundancy", a->o.redundancy);
}

const char *cli_topics_merge_name(const cli_topics_args *a)
{
    if (a->o.method == SAETM_MERGE_COACT) return "coactivation";
    if (a->o.method != SAETM_MERGE_KMEANS) return "agglomerative";
    return strcmp(a->space, "words") == 0       ? "kmeans-words"
           : strcmp(a->space, "hellinger") == 0 ? "kmeans-hellinger"
           : strcmp(a->space, "decoder") == 0   ? "kmeans-decoder"
                                                : "kmeans-auto";
}

/* Word vectors of the vocabulary from the built-in embedder (each word embedded as a text),
 * cached in dir/word_vectors.npy with its word list dir/word_vectors.txt. *none is set when the
 * embedder model is not installed. */
static saetm_status embedder_word_vectors(saetm_ctx *ctx, const saetm_interp *it, const char *dir, saetm_matrix *out,
                                          int quiet, int *none)
{
    uint32_t V = saetm_interp_vocab_size(it);
    char npy[4096], txt[4096];
    snprintf(npy, sizeof npy, "%s/word_vectors.npy", dir);
    snprintf(txt, sizeof txt, "%s/word_vectors.txt", dir);
    *none = 0;
    /* The cache is valid when its word list is exactly this vocabulary. */
    size_t len = 0;
    for (uint32_t w = 0; w < V; w++) len += strlen(saetm_interp_word(it, w)) + 1;
    char *list = malloc(len + 1), *at = list;
    if (!list) return SAETM_ERR_NOMEM;
    for (uint32_t w = 0; w < V; w++) at += sprintf(at, "%s\n", saetm_interp_word(it, w));
    FILE *f = fopen(txt, "rb");
    if (f) {
        char *old = malloc(len + 2);
        size_t got = old ? fread(old, 1, len + 1, f) : 0;
        fclose(f);
        int same = old && got == len && memcmp(old, list, len) == 0;
        free(old);
        saetm_ctx *c2 = saetm_ctx_create();
        if (same && c2 && saetm_npy_load(c2, npy, out) == SAETM_OK) {
            saetm_ctx_free(c2);
            if (out->rows == V) {
                free(list);
                return SAETM_OK;
            }
            saetm_matrix_free(out);
        } else {
            saetm_ctx_free(c2);
        }
    }
    saetm_embedder *e = NULL;
    saetm_ctx *probe = saetm_ctx_create();
    saetm_status st = probe ? saetm_embedder_load(probe, NULL, &e) : SAETM_ERR_NOMEM;
    saetm_ctx_free(probe);
    if (st == SAETM_ERR_IO) {
        *none = 1;
        free(list);
        return SAETM_OK;
    }
    if (st) st = saetm_embedder_load(ctx, NULL, &e); /* again, for the message */
    const char **words = st ? NULL : malloc((size_t)V * sizeof *words);
    float *vec = words ? malloc((size_t)V * saetm_embedder_dim(e) * sizeof *vec) : NULL;
    if (!st && !vec) st = SAETM_ERR_NOMEM;
    if (!st) {
        for (uint32_t w = 0; w < V; w++) words[w] = saetm_interp_word(it, w);
        if (!quiet) fprintf(stderr, "topics: embedding the %u vocabulary words with the built-in embedder\n", V);
        st = saetm_embed_texts(ctx, e, words, NULL, V, vec);
    }
    if (!st) st = saetm_npy_save(ctx, npy, vec, V, saetm_embedder_dim(e));
    if (!st && cli_write_text("topics", txt, list)) st = SAETM_ERR_IO;
    if (!st) st = saetm_npy_load(ctx, npy, out);
    free(vec);
    free(words);
    free(list);
    saetm_embedder_free(e);
    return st;
}

int cli_topics_vectors(saetm_ctx *ctx, const char *cmd, cli_topics_args *a, const saetm_interp *it,
                       const saetm_sae *sae, const char *out_dir, saetm_matrix *vec, saetm_matrix *raw)
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
        if (!st && found == 0) {
            fprintf(stderr, "saetm %s: none of the %u vocabulary words is in %s\n", cmd, saetm_interp_vocab_size(it),
                    a->word_list);
            return CLI_EXIT_FAIL;
        }
        if (!st && !a->quiet)
            fprintf(stderr, "%s: word vectors for %u of %u vocabulary words\n", cmd, found, saetm_interp_vocab_size(it));
    } else if (a->o.space == SAETM_SPACE_WORDS) {
        int none = 0;
        if (cli_mkdir(out_dir)) {
            fprintf(stderr, "saetm %s: cannot create directory %s\n", cmd, out_dir);
            return CLI_EXIT_FAIL;
        }
        st = embedder_word_vectors(ctx, it, out_dir, vec, a->quiet, &none);
        if (!st && none) {
            if (strcmp(a->space, "auto") != 0) {
                fprintf(stderr, "saetm %s: --space words needs word vectors: give --word-vectors and --word-list, or "
                                "install the built-in embedder's model (see docs/EMBED.md)\n", cmd);
                return CLI_EXIT_USAGE;
            }
            if (!a->quiet) fprintf(stderr, "%s: no built-in embedder model found: merging in hellinger space\n", cmd);
            a->o.space = SAETM_SPACE_HELLINGER;
        }
    } else if (a->o.space == SAETM_SPACE_DECODER && a->decoder) {
        st = saetm_npy_load(ctx, a->decoder, vec);
    } else if (a->o.space == SAETM_SPACE_DECODER) {
        if (!sae) {
            fprintf(stderr, "saetm %s: --space decoder needs the SAE (--model DIR with DIR/sae.saem) or --decoder\n", cmd);
            return CLI_EXIT_USAGE;
        }
        vec->rows = saetm_sae_features(sae); /* a view of the SAE's decoder (freeing it is a no-op) */
        vec->cols = saetm_sae_dim(sae);
        vec->data = (float *)saetm_sae_decoder(sae);
    }
    return st ? cli_fail(ctx, cmd, st) : CLI_EXIT_OK;
}

void cli_topics_vectors_free(saetm_matrix *vec, saetm_matrix *raw)
{
    if (vec->owner_) saetm_matrix_free(vec);
    saetm_matrix_free(raw);
}

static int cmp_u32_desc(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a < b) - (a > b);
}

/* A --min-doc-freq not given on the command line (saetm fit's default 20, or a model's params.json)
 * must leave at least K features to cluster: where it leaves fewer, lower o->min_docs to the K-th
 * largest document frequency, and say so. One given explicitly is kept (the merge says what is wrong). */
static void lower_min_docs(const char *cmd, const cli_topics_args *a, const saetm_interp *it, saetm_topics_opts *o)
{
    uint32_t F = saetm_interp_num_features(it), n = 0, K = o->k;
    if (a->min_docs_given || o->min_docs <= 1 || K == 0) return;
    const float *ta = saetm_interp_theta_avg(it);
    const uint32_t *df = saetm_interp_doc_freq(it);
    uint32_t *v = malloc((size_t)(F ? F : 1) * sizeof *v);
    if (!v) return; /* the merge reports what it cannot do */
    for (uint32_t f = 0; f < F; f++)
        if (ta[f] > 0) v[n++] = df[f];
    qsort(v, n, sizeof *v, cmp_u32_desc);
    if (n < K || v[K - 1] < o->min_docs) { /* n < K: not enough live features at all; the merge says so */
        uint32_t m = n >= K && v[K - 1] ? v[K - 1] : 1;
        if (!a->quiet)
            fprintf(stderr, "%s: --min-doc-freq %u leaves fewer than %u features to cluster; using %u\n", cmd,
                    o->min_docs, K, m);
        o->min_docs = m;
    }
    free(v);
}

int cli_topics_make(saetm_ctx *ctx, const char *cmd, const cli_topics_args *a, const saetm_interp *it,
                    const saetm_corpus *corpus, const saetm_matrix *vec, saetm_topics **out)
{
    *out = NULL;
    if (a->refit && !corpus) {
        fprintf(stderr, "saetm %s: --refit needs the corpus (--corpus, or --model DIR with DIR/corpus.stc)\n", cmd);
        return CLI_EXIT_USAGE;
    }
    saetm_topics *tp = NULL;
    saetm_topics_opts o = a->o;
    if (a->candidates > 1) { /* more candidates than live features: as many as there are */
        uint32_t F = saetm_interp_num_features(it), live = 0;
        const float *ta = saetm_interp_theta_avg(it);
        for (uint32_t f = 0; f < F; f++) live += ta[f] > 0;
        double kc = ceil(a->candidates * o.k);
        o.k = kc < live ? (uint32_t)kc : live > o.k ? live : o.k;
    }
    lower_min_docs(cmd, a, it, &o);
    saetm_status st = saetm_topics_build(
        ctx, it, a->o.space == SAETM_SPACE_HELLINGER || a->o.method == SAETM_MERGE_COACT ? NULL : vec, &o, &tp);
    if (!st && a->refit) {
        saetm_bow bow = {saetm_corpus_num_docs(corpus), saetm_corpus_vocab_size(corpus), saetm_corpus_row_ptr(corpus),
                         saetm_corpus_word_ids(corpus), saetm_corpus_counts(corpus)};
        st = o.k > a->o.k ? saetm_topics_prune_words(ctx, tp, it, &bow, a->o.k, &a->wo, a->crossfit_on)
                          : saetm_topics_fit_words(ctx, tp, &bow, &a->wo);
    }
    if (st) {
        saetm_topics_free(tp);
        return cli_fail(ctx, cmd, st);
    }
    *out = tp;
    return CLI_EXIT_OK;
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

int cli_topics_run(saetm_ctx *ctx, const char *cmd, const cli_topics_args *a0, const saetm_interp *it,
                   const saetm_corpus *corpus, const saetm_sae *sae, const char *out_dir)
{
    cli_topics_args args = *a0, *a = &args;
    saetm_matrix vec, raw;
    saetm_topics *tp = NULL;
    int rc = cli_topics_vectors(ctx, cmd, a, it, sae, out_dir, &vec, &raw);
    if (rc == CLI_EXIT_OK) rc = cli_topics_make(ctx, cmd, a, it, corpus, &vec, &tp);
    saetm_topics_score sc[2];
    memset(sc, 0, sizeof sc);
    if (rc == CLI_EXIT_OK && a->heldout) {
        saetm_status st;
        if (!corpus) {
            fprintf(stderr, "saetm %s: scoring the topics needs their corpus (DIR/corpus.stc)\n", cmd);
            rc = CLI_EXIT_FAIL;
        } else if ((st = saetm_topics_evaluate(ctx, tp, it, corpus, a->heldout, a->holdout))) {
            rc = cli_fail(ctx, cmd, st);
        } else {
            saetm_topics_evaluation(tp, &sc[0], &sc[1]);
            if (a->scores) memcpy(a->scores, sc, sizeof sc);
        }
    }
    if (rc == CLI_EXIT_OK) {
        saetm_status st = saetm_topics_write(ctx, tp, it, out_dir);
        if (st) rc = cli_fail(ctx, cmd, st);
        else if (!a->quiet) fprintf(stderr, "%s: %u topics written to %s/\n", cmd, saetm_topics_k(tp), out_dir);
        if (!st && a->heldout && !a->scores && !a->quiet) cli_print_scores(cmd, sc);
    }
    saetm_topics_free(tp);
    cli_topics_vectors_free(&vec, &raw);
    return rc;
}

/* fit's topic defaults, chosen in docs/quality.md on held-out documents (a validation split of
 * three corpora, K = 10-50, 3 seeds): features merged by co-activation into 2K candidate topics
 * after setting aside those active in fewer than 20 documents (they join the topic they
 * co-activate with most); the topics' words estimated by non-negative least squares on the
 * documents' TF-IDF (--words tfidf); the least coherent candidates dissolved until K remain, each
 * scored on the half of the documents that did not estimate its words (--crossfit on), with no
 * redundancy term; words listed by probability; the merge started without the seed (--coact-init
 * pivot: the same topics for any seed once the SAE is fixed). The EM refit's options (sharpen 4, background
 * 0.7) stay recorded for --words em. `saetm topics` keeps the plain method's defaults (k-means,
 * no refit: it may have no corpus). */
static const struct {
    const char *name, *def;
} FIT_TOPICS[] = {
    {"merge", "coactivation"}, {"method", "coactivation"}, {"min-doc-freq", "20"}, {"min-docs", "20"},
    {"refit", "on"}, {"sharpen", "4"}, {"refit-pi", "0.7"}, {"candidates", "2"}, {"rank", "prob"},
    {"words", "tfidf"}, {"crossfit", "on"}, {"prune-redundancy", "0"},
    {"coact-init", "pivot"},
};
void cli_topics_fit_defaults(cli_topics_args *ta, cli_opt *opts, int n)
{
    ta->method = "coactivation"; /* not ta->merge: --method or --merge given still decide */
    ta->o.min_docs = 20;
    ta->refit = 1;
    ta->sharpen = 4.0;
    ta->refit_pi = 0.7;
    ta->candidates = 2.0;
    ta->rank = "prob";
    ta->words = "tfidf";
    ta->crossfit = "on";
    ta->o.redundancy = 0;
    ta->coact_init = "pivot";
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < sizeof FIT_TOPICS / sizeof FIT_TOPICS[0]; j++)
            if (strcmp(opts[i].name, FIT_TOPICS[j].name) == 0) opts[i].def = FIT_TOPICS[j].def;
}

cJSON *cli_topics_model_defaults(int argc, char **argv, cli_topics_args *a, const char **model)
{
    int fit_defaults = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--model") == 0) *model = argv[i + 1];
        if (strcmp(argv[i], "--fit-defaults") == 0) fit_defaults = 1;
    }
    cJSON *params = *model ? cli_read_params(*model) : NULL;
    if (fit_defaults) cli_topics_fit_defaults(a, NULL, 0);
    else if (params) cli_topics_from_json(a, cJSON_GetObjectItemCaseSensitive(params, "topics"));
    return params;
}

/* Read DIR/params.json (NULL if missing or invalid). */
cJSON *cli_read_params(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/params.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) break;
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    cJSON *j = buf ? cJSON_ParseWithLength(buf, len) : NULL;
    free(buf);
    return j;
}

int cmd_topics(int argc, char **argv)
{
    cli_topics_args ta;
    cli_topics_defaults(&ta);
    const char *interp_path = NULL, *model = NULL, *out = NULL, *corpus_path = NULL;
    int fit_defaults = 0; /* applied by cli_topics_model_defaults */
    /* With --model DIR, the options of the run that made DIR are the defaults (--fit-defaults: fit's). */
    cJSON *params = cli_topics_model_defaults(argc, argv, &ta, &model);
    cli_opt opts[48] = {
        {"interp", CLI_STR, &interp_path, "FILE", "interpretation file (.sti) from saetm interpret", NULL},
        {"model", CLI_STR, &model, "DIR", "model directory from saetm fit: re-merge its features (its options are the defaults)", NULL},
        {"out", CLI_STR, &out, "DIR", "directory for the topic files", "the --model directory"},
        {"corpus", CLI_STR, &corpus_path, "FILE", "the interpretation's corpus (.stc), for --refit", "DIR/corpus.stc with --model"},
        {"fit-defaults", CLI_FLAG, &fit_defaults, NULL,
         "take saetm fit's topic defaults (docs/quality.md) instead of the model's params.json or the plain method's", NULL},
    };
    cli_topics_table(&ta, opts + 5);
    cli_common common;
    int rc = cli_parse(argc, argv, "topics",
                       "Merge the features of an interpretation into K topics (docs/method.md 2.4) and write\n"
                       "top_words.txt, topics.json, doc_topics.npy, topic_word.npy (and tree.json for\n"
                       "agglomerative merging) into a directory. Takes seconds: re-run with another --k freely.\n"
                       "Examples:\n"
                       "  saetm topics --interp interp.sti --k 20 --out topics20/\n"
                       "  saetm topics --model model/ --k 50",
                       opts, &common);
    if (rc < 0 && !interp_path == !model) rc = cli_usage_error("topics", "give --interp or --model (one of them)");
    if (rc < 0 && interp_path && !out) rc = cli_usage_error("topics", "--out is required with --interp");
    /* as in fit: --space alone asks for the k-means merge in that space */
    if (rc < 0 && fit_defaults && cli_given(argc, argv, "space") && !cli_given(argc, argv, "method") &&
        !cli_given(argc, argv, "merge"))
        ta.method = "kmeans";
    if (rc < 0) rc = cli_topics_finish("topics", &ta);
    ta.min_docs_given = cli_given(argc, argv, "min-doc-freq") || cli_given(argc, argv, "min-docs");
    if (rc >= 0) {
        cJSON_Delete(params);
        return rc;
    }
    ta.o.seed = common.seed;
    ta.quiet = common.quiet;
    char ipath[4096], cpath[4096], hpath[4096];
    const char *heldout_path = NULL;
    if (model) {
        snprintf(ipath, sizeof ipath, "%s/interp.sti", model);
        interp_path = ipath;
        if (!out) out = model;
        /* a fit with --holdout: the re-merged topics are scored in-sample and on its held-out documents */
        snprintf(hpath, sizeof hpath, "%s/heldout.stc", model);
        if (cli_file_exists(hpath)) heldout_path = hpath;
        if (!corpus_path && (ta.refit || heldout_path)) {
            snprintf(cpath, sizeof cpath, "%s/corpus.stc", model);
            corpus_path = cpath;
        }
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_interp *it = NULL;
    saetm_corpus *corpus = NULL, *heldout = NULL;
    saetm_sae *sae = NULL;
    saetm_status st = saetm_interp_load(ctx, interp_path, &it);
    if (!st && corpus_path) st = saetm_corpus_load(ctx, corpus_path, &corpus);
    if (!st && heldout_path) {
        st = saetm_corpus_load(ctx, heldout_path, &heldout);
        ta.heldout = heldout;
        ta.holdout = cli_corpus_holdout(heldout);
    }
    if (!st && model && ta.o.space == SAETM_SPACE_DECODER && ta.o.method != SAETM_MERGE_COACT && !ta.decoder) {
        char spath[4096];
        snprintf(spath, sizeof spath, "%s/sae.saem", model);
        st = saetm_sae_load(ctx, spath, &sae);
    }
    if (st) rc = cli_fail(ctx, "topics", st);
    else rc = cli_topics_run(ctx, "topics", &ta, it, corpus, sae, out);
    saetm_sae_free(sae);
    saetm_corpus_free(corpus);
    saetm_corpus_free(heldout);
    saetm_interp_free(it);
    saetm_ctx_free(ctx);
    cJSON_Delete(params);
    return rc;
}
