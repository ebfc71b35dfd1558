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
    char preprocess[32] = "full";
    if (rc < 0) st = saetm_corpus_opts_get(ctx, &a->o, "preprocess", preprocess, sizeof preprocess);
    if (rc < 0 && !st) {
        saetm_model_corpus_args mc = {saetm_input_format_name(a->o.format),
                                      preprocess,
                                      a->o.text_field,
                                      a->o.id_field,
                                      a->o.date_field,
                                      a->o.group_field,
                                      a->o.stopwords,
                                      a->o.min_df,
                                      a->o.max_vocab,
                                      a->o.snippet_chars,
                                      a->o.max_df};
        saetm_model_params_corpus(*params, &mc);
        /* the names recorded, through the option table: checked as the command line's */
        st = saetm_corpus_opts_set(ctx, &a->o, "format", mc.format);
        if (!st) st = saetm_corpus_opts_set(ctx, &a->o, "preprocess", mc.preprocess);
        a->o.text_field = mc.text_field, a->o.id_field = mc.id_field, a->o.date_field = mc.date_field;
        a->o.group_field = mc.group_field, a->o.stopwords = mc.stopwords, a->o.min_df = mc.min_df;
        a->o.max_vocab = mc.max_vocab, a->o.snippet_chars = mc.snippet_chars, a->o.max_df = mc.max_df;
    }
    if (rc < 0 && st) rc = cli_usage_error(cmd, "%s/params.json: %s", model, saetm_ctx_errmsg(ctx));
    saetm_ctx_free(ctx);
    return rc;
}
