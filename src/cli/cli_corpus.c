/*
 * cli_corpus.c - the corpus options (input format, fields, preprocessing, vocabulary limits), shared
 * by every command that reads documents (`saetm corpus`, `saetm fit`, `saetm transform`), and their
 * round trip through a model directory's params.json.
 */
#include "cli.h"

#include <cJSON.h>
#include <stdio.h>
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
    if (strcmp(a->preprocess, "full") == 0) a->o.preprocess = SAETM_PREPROCESS_FULL;
    else if (strcmp(a->preprocess, "basic") == 0) a->o.preprocess = SAETM_PREPROCESS_BASIC;
    else if (strcmp(a->preprocess, "none") == 0) a->o.preprocess = SAETM_PREPROCESS_NONE;
    else return cli_usage_error(cmd, "--preprocess must be full, basic or none, not '%s'", a->preprocess);
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

void cli_corpus_to_json(const cli_corpus_args *a, cJSON *obj)
{
    cJSON_AddStringToObject(obj, "format", a->format);
    cJSON_AddStringToObject(obj, "text_field", a->text_field);
    if (a->id_field) cJSON_AddStringToObject(obj, "id_field", a->id_field);
    if (a->date_field) cJSON_AddStringToObject(obj, "date_field", a->date_field);
    if (a->group_field) cJSON_AddStringToObject(obj, "group_field", a->group_field);
    cJSON_AddStringToObject(obj, "preprocess", a->preprocess);
    cJSON_AddNumberToObject(obj, "min_df", a->o.min_df);
    cJSON_AddNumberToObject(obj, "max_df", a->o.max_df);
    cJSON_AddNumberToObject(obj, "max_vocab", a->o.max_vocab);
    if (a->stopwords) cJSON_AddStringToObject(obj, "stopwords", a->stopwords);
    cJSON_AddNumberToObject(obj, "snippet_chars", a->o.snippet_chars);
}

void cli_corpus_from_json(cli_corpus_args *a, const cJSON *obj)
{
    if (!cJSON_IsObject(obj)) return;
    a->format = cli_json_string(obj, "format", a->format);
    a->text_field = cli_json_string(obj, "text_field", a->text_field);
    a->id_field = cli_json_string(obj, "id_field", a->id_field);
    a->date_field = cli_json_string(obj, "date_field", a->date_field);
    a->group_field = cli_json_string(obj, "group_field", a->group_field);
    a->preprocess = cli_json_string(obj, "preprocess", a->preprocess);
    a->stopwords = cli_json_string(obj, "stopwords", a->stopwords);
    a->o.min_df = (uint32_t)cli_json_number(obj, "min_df", a->o.min_df);
    a->o.max_df = cli_json_number(obj, "max_df", a->o.max_df);
    a->o.max_vocab = (uint32_t)cli_json_number(obj, "max_vocab", a->o.max_vocab);
    a->o.snippet_chars = (uint32_t)cli_json_number(obj, "snippet_chars", a->o.snippet_chars);
}

double cli_corpus_holdout(const saetm_corpus *c)
{
    cJSON *info = cJSON_Parse(saetm_corpus_info_json(c));
    double f = cli_json_number(info, "holdout", 0);
    cJSON_Delete(info);
    return f;
}

const char *cli_json_string(const cJSON *o, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : def;
}

double cli_json_number(const cJSON *o, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

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
