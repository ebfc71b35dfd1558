/*
 * cmd_topics.c - `saetm topics`: merge the features of an interpretation into K topics and write
 * the topic files (top_words.txt, topics.json, doc_topics.npy, topic_word.npy, tree.json) with
 * the library's topic stage (saetm_topic_stage_run; with --model saetm_model_topics). Its options:
 * cli_topics.c.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_topics(int argc, char **argv)
{
    cli_topics_args ta;
    saetm_topic_stage_default(&ta);
    const char *interp_path = NULL, *model = NULL, *out = NULL, *corpus_path = NULL;
    int fit_defaults = 0; /* applied by cli_topics_model_defaults */
    /* With --model DIR, the options of the run that made DIR are the defaults (--fit-defaults: fit's). */
    saetm_model_params *params = NULL;
    int rc = cli_topics_model_defaults("topics", argc, argv, &ta, &model, &params);
    if (rc >= 0) return rc;
    cli_opt opts[6] = {
        {"interp", CLI_STR, &interp_path, "FILE", "interpretation file (.sti) from saetm interpret", NULL},
        {"model", CLI_STR, &model, "DIR", "model directory from saetm fit: re-merge its features (its options are the defaults)", NULL},
        {"out", CLI_STR, &out, "DIR", "directory for the topic files", "the --model directory"},
        {"corpus", CLI_STR, &corpus_path, "FILE", "the interpretation's corpus (.stc), for --refit", "DIR/corpus.stc with --model"},
        {"fit-defaults", CLI_FLAG, &fit_defaults, NULL,
         "take saetm fit's topic defaults (docs/quality.md) instead of the model's params.json or the plain method's", NULL},
    };
    cli_table tab = cli_topic_stage_table(&ta);
    cli_common common;
    rc = cli_parse_table(argc, argv, "topics",
                   "Merge the features of an interpretation into K topics (docs/topics.md) and write\n"
                   "top_words.txt, topics.json, doc_topics.npy, topic_word.npy (and tree.json for\n"
                   "agglomerative merging) into a directory. Takes seconds: re-run with another --k freely.\n"
                   "Examples:\n"
                   "  saetm topics --interp interp.sti --k 20 --out topics20/\n"
                   "  saetm topics --model model/ --k 50",
                   opts, &tab, 1, &common);
    if (rc < 0 && !interp_path == !model) rc = cli_usage_error("topics", "give --interp or --model (one of them)");
    if (rc < 0 && interp_path && !out) rc = cli_usage_error("topics", "--out is required with --interp");
    if (rc < 0 && fit_defaults) saetm_topic_stage_space_rule(&ta); /* as in fit */
    if (rc < 0) rc = cli_topics_finish("topics", &ta);
    if (rc >= 0) {
        saetm_model_params_free(params);
        return rc;
    }
    ta.o.seed = common.seed;
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_topics_score sc[2];
    memset(sc, 0, sizeof sc);
    int scored = 0;
    saetm_status st;
    if (model) {
        st = saetm_model_topics(ctx, model, &ta, corpus_path, out, sc, &scored);
    } else {
        saetm_interp *it = NULL;
        saetm_corpus *corpus = NULL;
        st = saetm_interp_load(ctx, interp_path, &it);
        if (!st && corpus_path) st = saetm_corpus_load(ctx, corpus_path, &corpus);
        if (!st) st = saetm_topic_stage_run(ctx, &ta, it, corpus, NULL, 0, NULL, out, sc);
        saetm_interp_free(it);
        saetm_corpus_free(corpus);
    }
    if (st) rc = cli_fail(ctx, "topics", st);
    else rc = CLI_EXIT_OK;
    if (!st && scored && !common.quiet) cli_print_scores("topics", sc);
    saetm_ctx_free(ctx);
    saetm_model_params_free(params);
    return rc;
}
