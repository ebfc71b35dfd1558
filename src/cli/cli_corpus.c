/*
 * cli_corpus.c - the corpus options (input format, fields, preprocessing, vocabulary limits), shared
 * by every command that reads documents (`saetm corpus`, `saetm transform`, `saetm eval`): their
 * rows are the library's (saetm_corpus_options, parsed through cli_corpus_table in cli.c); here the
 * check printed as a usage error and a model directory's recorded options as defaults
 * (saetm_model_params_corpus).
 */
#include "cli.h"

#include <string.h>

void cli_corpus_defaults(cli_corpus_args *a)
{
    memset(a, 0, sizeof *a);
    saetm_corpus_opts_default(&a->o);
}

int cli_corpus_finish(const char *cmd, cli_corpus_args *a)
{
    const char *bad = saetm_corpus_opts_check(&a->o);
    if (bad) return cli_usage_error(cmd, "%s", bad);
    return -1;
}

int cli_corpus_model_defaults(const char *cmd, const char *model, cli_corpus_args *a, saetm_model_params **params)
{
    *params = NULL;
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_status st = ctx ? saetm_model_params_load(ctx, model, params) : SAETM_ERR_NOMEM;
    int rc = st ? cli_fail(ctx, cmd, st) : -1;
    /* the library's reading of the recorded options (saetm_model_corpus_opts), as Python's */
    if (rc < 0) st = saetm_model_corpus_opts(ctx, *params, &a->o);
    if (rc < 0 && st) rc = cli_usage_error(cmd, "%s/%s", model, saetm_ctx_errmsg(ctx));
    saetm_ctx_free(ctx);
    return rc;
}
