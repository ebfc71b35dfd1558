/*
 * cmd_topics.c - `saetm topics`: merge the features of an interpretation into K topics and write
 * the topic files (top_words.txt, topics.json, doc_topics.npy, topic_word.npy, tree.json).
 * The option table and the run are shared with `saetm fit` (cli_topics_*).
 */
#include "cli.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_topics_defaults(cli_topics_args *a)
{
    memset(a, 0, sizeof *a);
    saetm_topics_opts_default(&a->o);
    a->space = "auto";
    a->method = "kmeans";
    a->linkage = "ward";
    a->rank = "prob";
    a->sharpen = 1.0;
    a->refit_pi = 0.3;
}

int cli_topics_table(cli_topics_args *a, cli_opt *o)
{
    const cli_opt t[] = {
        {"k", CLI_U32, &a->o.k, "K", "number of topics", "20"},
        {"tau", CLI_DOUBLE, &a->o.tau, "X", "keep each feature's most probable words up to this mass before embedding", "0.9"},
        {"space", CLI_STR, &a->space, "S",
         "feature embedding: words (phi-weighted word vectors) | hellinger (sqrt phi) | decoder (SAE decoder "
         "directions) | auto (words when word vectors are given, else hellinger)",
         "auto"},
        {"word-vectors", CLI_STR, &a->word_vectors, "FILE", "word vectors (.npy, one row per line of --word-list)", NULL},
        {"word-list", CLI_STR, &a->word_list, "FILE", "the words of --word-vectors, one per line", NULL},
        {"decoder", CLI_STR, &a->decoder, "FILE", "decoder directions (.npy, F x d) for --space decoder", NULL},
        {"method", CLI_STR, &a->method, "M", "kmeans | agglomerative (every K is a cut of one tree)", "kmeans"},
        {"linkage", CLI_STR, &a->linkage, "L", "agglomerative linkage: ward | average", "ward"},
        {"restarts", CLI_U32, &a->o.restarts, "N", "k-means runs; the lowest weighted inertia wins", "4"},
        {"max-iter", CLI_U32, &a->o.max_iter, "N", "k-means iterations per run", "100"},
        {"min-docs", CLI_U32, &a->o.min_docs, "N", "cluster only features active in >= N documents; the others join the nearest topic", "1"},
        {"max-leaves", CLI_U32, &a->o.max_leaves, "N", "agglomerative: above N features, k-means groups them into N leaves first", "2048"},
        {"top-n", CLI_U32, &a->o.top_n, "N", "words listed per topic", "20"},
        {"rank", CLI_STR, &a->rank, "R", "order topic words by prob | relevance", "prob"},
        {"lambda", CLI_DOUBLE, &a->o.lambda, "X", "relevance: weight of log p(w|t) against the lift p(w|t)/p(w)", "0.6"},
        {"refit", CLI_FLAG, &a->refit, NULL, "re-fit the topic word distributions by EM with the topics as components (needs the corpus)", NULL},
        {"sharpen", CLI_DOUBLE, &a->sharpen, "S", "refit: raise document topic proportions to this power (>= 1)", "1"},
        {"refit-pi", CLI_DOUBLE, &a->refit_pi, "X", "refit: background weight", "0.3"},
    };
    memcpy(o, t, sizeof t);
    return (int)(sizeof t / sizeof t[0]);
}

int cli_topics_finish(const char *cmd, cli_topics_args *a)
{
    if (strcmp(a->space, "auto") == 0) a->o.space = a->word_vectors ? SAETM_SPACE_WORDS : SAETM_SPACE_HELLINGER;
    else if (strcmp(a->space, "words") == 0) a->o.space = SAETM_SPACE_WORDS;
    else if (strcmp(a->space, "hellinger") == 0) a->o.space = SAETM_SPACE_HELLINGER;
    else if (strcmp(a->space, "decoder") == 0) a->o.space = SAETM_SPACE_DECODER;
    else return cli_usage_error(cmd, "--space must be auto, words, hellinger or decoder, not '%s'", a->space);
    if (strcmp(a->method, "kmeans") == 0) a->o.method = SAETM_MERGE_KMEANS;
    else if (strcmp(a->method, "agglomerative") != 0)
        return cli_usage_error(cmd, "--method must be kmeans or agglomerative, not '%s'", a->method);
    else if (strcmp(a->linkage, "ward") == 0) a->o.method = SAETM_MERGE_WARD;
    else if (strcmp(a->linkage, "average") == 0) a->o.method = SAETM_MERGE_AVERAGE;
    else return cli_usage_error(cmd, "--linkage must be ward or average, not '%s'", a->linkage);
    if (strcmp(a->rank, "prob") == 0) a->o.rank = SAETM_RANK_PROB;
    else if (strcmp(a->rank, "relevance") == 0) a->o.rank = SAETM_RANK_RELEVANCE;
    else return cli_usage_error(cmd, "--rank must be prob or relevance, not '%s'", a->rank);
    if (a->o.space == SAETM_SPACE_WORDS && (!a->word_vectors || !a->word_list))
        return cli_usage_error(cmd, "--space words needs --word-vectors and --word-list (the built-in embedder's word "
                                    "vectors are not available in this build)");
    if ((a->word_vectors != NULL) != (a->word_list != NULL))
        return cli_usage_error(cmd, "--word-vectors and --word-list go together");
    if (a->o.space == SAETM_SPACE_DECODER && !a->decoder)
        return cli_usage_error(cmd, "--space decoder needs --decoder (an F x d .npy of the SAE's decoder directions)");
    if (!(a->sharpen >= 1)) return cli_usage_error(cmd, "--sharpen must be >= 1");
    if (!(a->refit_pi >= 0 && a->refit_pi < 1)) return cli_usage_error(cmd, "--refit-pi must be in [0, 1)");
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
    cJSON_AddStringToObject(obj, "method", a->method);
    cJSON_AddStringToObject(obj, "linkage", a->linkage);
    cJSON_AddNumberToObject(obj, "restarts", a->o.restarts);
    cJSON_AddNumberToObject(obj, "max_iter", a->o.max_iter);
    cJSON_AddNumberToObject(obj, "min_docs", a->o.min_docs);
    cJSON_AddNumberToObject(obj, "max_leaves", a->o.max_leaves);
    cJSON_AddNumberToObject(obj, "top_n", a->o.top_n);
    cJSON_AddStringToObject(obj, "rank", a->rank);
    cJSON_AddNumberToObject(obj, "lambda", a->o.lambda);
    cJSON_AddBoolToObject(obj, "refit", a->refit);
    cJSON_AddNumberToObject(obj, "sharpen", a->sharpen);
    cJSON_AddNumberToObject(obj, "refit_pi", a->refit_pi);
    cJSON_AddNumberToObject(obj, "seed", (double)a->o.seed);
}

/* Strings read from params.json live as long as the process (they become option defaults). */
static const char *keep_string(const cJSON *o, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v)) return def;
    char *s = malloc(strlen(v->valuestring) + 1);
    if (!s) return def;
    strcpy(s, v->valuestring);
    return s;
}

static double num(const cJSON *o, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

void cli_topics_from_json(cli_topics_args *a, const cJSON *obj)
{
    if (!cJSON_IsObject(obj)) return;
    a->o.k = (uint32_t)num(obj, "k", a->o.k);
    a->o.tau = num(obj, "tau", a->o.tau);
    a->space = keep_string(obj, "space", a->space);
    a->word_vectors = keep_string(obj, "word_vectors", a->word_vectors);
    a->word_list = keep_string(obj, "word_list", a->word_list);
    a->decoder = keep_string(obj, "decoder", a->decoder);
    a->method = keep_string(obj, "method", a->method);
    a->linkage = keep_string(obj, "linkage", a->linkage);
    a->o.restarts = (uint32_t)num(obj, "restarts", a->o.restarts);
    a->o.max_iter = (uint32_t)num(obj, "max_iter", a->o.max_iter);
    a->o.min_docs = (uint32_t)num(obj, "min_docs", a->o.min_docs);
    a->o.max_leaves = (uint32_t)num(obj, "max_leaves", a->o.max_leaves);
    a->o.top_n = (uint32_t)num(obj, "top_n", a->o.top_n);
    a->rank = keep_string(obj, "rank", a->rank);
    a->o.lambda = num(obj, "lambda", a->o.lambda);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(obj, "refit");
    if (cJSON_IsBool(r)) a->refit = cJSON_IsTrue(r);
    a->sharpen = num(obj, "sharpen", a->sharpen);
    a->refit_pi = num(obj, "refit_pi", a->refit_pi);
}

int cli_topics_run(saetm_ctx *ctx, const char *cmd, const cli_topics_args *a, const saetm_interp *it,
                   const saetm_corpus *corpus, const char *out_dir)
{
    saetm_matrix vec = {0}, raw = {0};
    saetm_topics *tp = NULL;
    saetm_status st = SAETM_OK;
    int rc = CLI_EXIT_OK;
    if (a->o.space == SAETM_SPACE_WORDS) {
        uint32_t found = 0;
        st = saetm_npy_load(ctx, a->word_vectors, &raw);
        if (!st) st = saetm_word_vectors_align(ctx, &raw, a->word_list, it, &vec, &found);
        if (!st && found == 0) {
            fprintf(stderr, "saetm %s: none of the %u vocabulary words is in %s\n", cmd, saetm_interp_vocab_size(it),
                    a->word_list);
            rc = CLI_EXIT_FAIL;
            goto done;
        }
        if (!st)
            fprintf(stderr, "%s: word vectors for %u of %u vocabulary words\n", cmd, found, saetm_interp_vocab_size(it));
    } else if (a->o.space == SAETM_SPACE_DECODER) {
        st = saetm_npy_load(ctx, a->decoder, &vec);
    }
    if (!st) st = saetm_topics_build(ctx, it, a->o.space == SAETM_SPACE_HELLINGER ? NULL : &vec, &a->o, &tp);
    if (!st && a->refit) {
        if (!corpus) {
            fprintf(stderr, "saetm %s: --refit needs the corpus (--corpus, or --model DIR with DIR/corpus.stc)\n", cmd);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        saetm_bow bow = {saetm_corpus_num_docs(corpus), saetm_corpus_vocab_size(corpus), saetm_corpus_row_ptr(corpus),
                         saetm_corpus_word_ids(corpus), saetm_corpus_counts(corpus)};
        saetm_interp_opts io;
        saetm_interp_opts_default(&io);
        io.pi = a->refit_pi;
        st = saetm_topics_refit(ctx, tp, &bow, &io, a->sharpen);
    }
    if (!st) st = saetm_topics_write(ctx, tp, it, out_dir);
    if (st) {
        rc = cli_fail(ctx, cmd, st);
        goto done;
    }
    fprintf(stderr, "%s: %u topics written to %s/\n", cmd, saetm_topics_k(tp), out_dir);
done:
    saetm_topics_free(tp);
    saetm_matrix_free(&vec);
    saetm_matrix_free(&raw);
    return rc;
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
    /* With --model DIR, the options of the run that made DIR are the defaults. */
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--model") == 0) model = argv[i + 1];
    cJSON *params = model ? cli_read_params(model) : NULL;
    if (params) cli_topics_from_json(&ta, cJSON_GetObjectItemCaseSensitive(params, "topics"));
    cli_opt opts[40] = {
        {"interp", CLI_STR, &interp_path, "FILE", "interpretation file (.sti) from saetm interpret", NULL},
        {"model", CLI_STR, &model, "DIR", "model directory from saetm fit: re-merge its features (its options are the defaults)", NULL},
        {"out", CLI_STR, &out, "DIR", "directory for the topic files", "the --model directory"},
        {"corpus", CLI_STR, &corpus_path, "FILE", "the interpretation's corpus (.stc), for --refit", "DIR/corpus.stc with --model"},
    };
    cli_topics_table(&ta, opts + 4);
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
    if (rc < 0) rc = cli_topics_finish("topics", &ta);
    if (rc >= 0) {
        cJSON_Delete(params);
        return rc;
    }
    ta.o.seed = common.seed;
    char ipath[4096], cpath[4096];
    if (model) {
        snprintf(ipath, sizeof ipath, "%s/interp.sti", model);
        interp_path = ipath;
        if (!out) out = model;
        if (!corpus_path && ta.refit) {
            snprintf(cpath, sizeof cpath, "%s/corpus.stc", model);
            corpus_path = cpath;
        }
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_interp *it = NULL;
    saetm_corpus *corpus = NULL;
    saetm_status st = saetm_interp_load(ctx, interp_path, &it);
    if (!st && corpus_path) st = saetm_corpus_load(ctx, corpus_path, &corpus);
    if (st) rc = cli_fail(ctx, "topics", st);
    else rc = cli_topics_run(ctx, "topics", &ta, it, corpus, out);
    saetm_corpus_free(corpus);
    saetm_interp_free(it);
    saetm_ctx_free(ctx);
    cJSON_Delete(params);
    return rc;
}
