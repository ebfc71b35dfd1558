/*
 * cli_topics.c - the topic stage shared by `saetm topics` and `saetm sweep` (its options are the
 * library's table, saetm_topic_stage_options): the check printed as a usage error, a model's
 * params.json as defaults, and the scores' lines.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

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

