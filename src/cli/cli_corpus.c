/*
 * cli_corpus.c - the corpus options (input format, fields, preprocessing, vocabulary limits), shared
 * by every command that reads documents (`saetm corpus`, `saetm fit`, `saetm transform`), with a
 * model directory's recorded ones as defaults (saetm_model_params_corpus).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void cli_corpus_defaults(cli_corpus_args *a)
{
    memset(a, 0, sizeof *a);
    saetm_corpus_opts_default(&a->o);
    a->format = "auto";
    a->preprocess = "full";
    a->text_field = "text";
}

int cli_corpus_table(cli_corpus_args *a, cli_opt *o)
{
    const cli_opt t[] = {
        {"format", CLI_STR, &a->format, "F", "input format: auto|jsonl|csv|text|dir (auto: by extension)", "auto"},
        {"text-field", CLI_STR, &a->text_field, "NAME", "JSONL/CSV field holding the text", "text"},
        {"id-field", CLI_STR, &a->id_field, "NAME", "field holding document ids", "the line number"},
        {"date-field", CLI_STR, &a->date_field, "NAME", "field holding dates (strings or numbers such as 1790)", "none"},
        {"group-field", CLI_STR, &a->group_field, "NAME", "field holding a group label", "none"},
        {"preprocess", CLI_STR, &a->preprocess, "MODE",
         "full (Unicode NFKC + case folding, letters only, >= 3 letters, stopwords, WordNet lemmas and only "
         "words WordNet knows) | basic (full without WordNet) | none (whitespace-separated tokens as given)",
         "full"},
        {"min-df", CLI_U32, &a->o.min_df, "N", "keep words found in at least N documents", "5"},
        {"max-df", CLI_DOUBLE, &a->o.max_df, "X", "and in at most X documents (a fraction if <= 1, else a count)", "0.5"},
        {"max-vocab", CLI_U32, &a->o.max_vocab, "N", "keep at most N words, the most frequent by documents (0: no limit)", "20000"},
        {"stopwords", CLI_STR, &a->stopwords, "FILE", "stopword list, one word per line", "the built-in English list"},
        {"snippet-chars", CLI_U32, &a->o.snippet_chars, "N", "characters of each document's text kept for reports", "300"},
        {"tmp-dir", CLI_STR, &a->tmp_dir, "DIR", "directory for temporary files", "the output's directory"},
        {"skip-bad", CLI_FLAG, &a->skip_bad, NULL, "leave out bad records with a warning instead of failing", NULL},
    };
    memcpy(o, t, sizeof t);
    return (int)(sizeof t / sizeof t[0]);
}

int cli_corpus_finish(const char *cmd, cli_corpus_args *a)
{
    if (saetm_input_format_parse(a->format, &a->o.format))
        return cli_usage_error(cmd, "--format must be auto, jsonl, csv, text or dir, not '%s'", a->format);
    if (saetm_preprocess_parse(a->preprocess, &a->o.preprocess))
        return cli_usage_error(cmd, "--preprocess must be full, basic or none, not '%s'", a->preprocess);
    a->o.text_field = a->text_field;
    a->o.id_field = a->id_field;
    a->o.date_field = a->date_field;
    a->o.group_field = a->group_field;
    a->o.stopwords = a->stopwords;
    a->o.tmp_dir = a->tmp_dir;
    a->o.skip_bad = a->skip_bad;
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
    saetm_ctx_free(ctx);
    if (rc >= 0) return rc;
    saetm_model_corpus_args mc = {a->format,   a->preprocess,   a->text_field,       a->id_field,
                                  a->date_field, a->group_field, a->stopwords,       a->o.min_df,
                                  a->o.max_vocab, a->o.snippet_chars, a->o.max_df};
    saetm_model_params_corpus(*params, &mc);
    a->format = mc.format, a->preprocess = mc.preprocess, a->text_field = mc.text_field;
    a->id_field = mc.id_field, a->date_field = mc.date_field, a->group_field = mc.group_field;
    a->stopwords = mc.stopwords, a->o.min_df = mc.min_df, a->o.max_vocab = mc.max_vocab;
    a->o.snippet_chars = mc.snippet_chars, a->o.max_df = mc.max_df;
    return -1;
}
