/*
 * cmd_eval.c - `saetm eval`: coherence (NPMI, C_V) and diversity of topic word lists against a
 * reference corpus (a .stc corpus, or raw documents preprocessed as `saetm corpus` does); a table
 * or --json. What is scored and how is the library's (saetm_eval_topics,
 * saetm_eval_reference_open): this file maps flags to options.
 */
#include "cli.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* What was scored against what: for the table's header and the JSON. */
typedef struct eval_ref_info {
    const char *path;
    int built;        /* built from raw documents (else a corpus file) */
    uint64_t docs;    /* documents of the reference, empty ones included */
    uint32_t vocab;   /* its vocabulary size */
    const char *info; /* saetm_corpus_info_json */
} eval_ref_info;

static int print_json(const char *topics_path, const eval_ref_info *ri, const saetm_eval_opts *o,
                      const saetm_topic_words *tw, const saetm_eval_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "topics_file", topics_path);
    cJSON_AddStringToObject(root, "reference_file", ri->path);
    cJSON_AddStringToObject(root, "corpus_file", ri->path); /* the name before --reference existed */
    cJSON_AddStringToObject(root, "reference_kind", ri->built ? "documents" : "corpus");
    cJSON_AddNumberToObject(root, "reference_docs", (double)ri->docs);
    cJSON_AddNumberToObject(root, "reference_vocab_size", ri->vocab);
    cJSON *info = cJSON_Parse(ri->info);
    if (info) cJSON_AddItemToObject(root, "reference_corpus", info);
    cJSON_AddNumberToObject(root, "n_docs", (double)r->n_docs);
    cJSON_AddNumberToObject(root, "top_n", o->top_n);
    cJSON_AddNumberToObject(root, "diversity_top_n", o->diversity_n);
    cJSON_AddNumberToObject(root, "npmi_eps", o->npmi_eps);
    cJSON_AddStringToObject(root, "missing", saetm_eval_missing_name(o->missing));
    cJSON_AddNumberToObject(root, "n_topics", r->n_topics);
    cJSON_AddNumberToObject(root, "n_scored_topics", r->n_scored_topics);
    if (r->n_scored_topics) {
        cJSON_AddNumberToObject(root, "npmi", r->npmi_mean);
        cJSON_AddNumberToObject(root, "c_v", r->cv_mean);
    } else {
        cJSON_AddNullToObject(root, "npmi");
        cJSON_AddNullToObject(root, "c_v");
    }
    cJSON_AddNumberToObject(root, "diversity", r->diversity);
    cJSON_AddNumberToObject(root, "diversity_words", (double)r->diversity_words);
    cJSON_AddNumberToObject(root, "diversity_distinct", (double)r->diversity_distinct);
    cJSON_AddNumberToObject(root, "diversity_short_topics", r->diversity_short);
    cJSON *miss = cJSON_AddArrayToObject(root, "missing_words");
    for (uint32_t i = 0; i < r->n_missing; i++) cJSON_AddItemToArray(miss, cJSON_CreateString(r->missing[i]));
    cJSON *arr = cJSON_AddArrayToObject(root, "topics");
    for (uint32_t t = 0; t < r->n_topics; t++) {
        const saetm_eval_topic *s = &r->topics[t];
        cJSON *o_t = cJSON_CreateObject();
        cJSON_AddNumberToObject(o_t, "id", t);
        if (s->scored) {
            cJSON_AddNumberToObject(o_t, "npmi", s->npmi);
            cJSON_AddNumberToObject(o_t, "c_v", s->cv);
        } else {
            cJSON_AddNullToObject(o_t, "npmi");
            cJSON_AddNullToObject(o_t, "c_v");
        }
        cJSON_AddNumberToObject(o_t, "n_words", s->n_words);
        cJSON_AddNumberToObject(o_t, "n_distinct", s->n_distinct);
        cJSON_AddNumberToObject(o_t, "n_scored", s->n_scored);
        cJSON *ws = cJSON_AddArrayToObject(o_t, "words");
        for (uint64_t i = tw->word_start[t]; i < tw->word_start[t] + s->n_words; i++)
            cJSON_AddItemToArray(ws, cJSON_CreateString(tw->words[i]));
        cJSON_AddItemToArray(arr, o_t);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text) {
        fprintf(stderr, "saetm eval: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    puts(text);
    free(text);
    return CLI_EXIT_OK;
}

static void print_table(const eval_ref_info *ri, const saetm_eval_opts *o, const saetm_topic_words *tw,
                        const saetm_eval_result *r)
{
    printf("# %u topics; reference %s (%s: %llu documents, %llu non-empty, %u words)\n", r->n_topics, ri->path,
           ri->built ? "built from documents" : "corpus file", (unsigned long long)ri->docs,
           (unsigned long long)r->n_docs, ri->vocab);
    printf("# NPMI and C_V of the top %u words (document co-occurrence), diversity of the top %u; absent words: %s\n",
           o->top_n, o->diversity_n,
           o->missing == SAETM_EVAL_MISSING_SKIP ? "skipped" : "floor (their pairs score -1)");
    printf("%5s %8s %8s %6s  %s\n", "topic", "npmi", "c_v", "found", "top words");
    for (uint32_t t = 0; t < r->n_topics; t++) {
        const saetm_eval_topic *s = &r->topics[t];
        if (s->scored) printf("%5u %8.4f %8.4f %3u/%-2u ", t, s->npmi, s->cv, s->n_scored, s->n_words);
        else printf("%5u %8s %8s %3u/%-2u ", t, "n/a", "n/a", s->n_scored, s->n_words);
        for (uint64_t i = tw->word_start[t]; i < tw->word_start[t] + s->n_words; i++) printf(" %s", tw->words[i]);
        printf("\n");
    }
    if (r->n_scored_topics)
        printf("%5s %8.4f %8.4f  (%u of %u topics scored)\n", "mean", r->npmi_mean, r->cv_mean, r->n_scored_topics,
               r->n_topics);
    else printf("%5s %8s %8s  (no topic could be scored)\n", "mean", "n/a", "n/a");
    printf("diversity %.4f  (%llu distinct of %llu words)\n", r->diversity,
           (unsigned long long)r->diversity_distinct,
           (unsigned long long)r->diversity_words);
}

static void print_warnings(const saetm_eval_opts *o, const saetm_eval_result *r)
{
    int skip = o->missing == SAETM_EVAL_MISSING_SKIP;
    if (r->n_missing) {
        fprintf(stderr, "warning: %u top word%s not found in the reference corpus, %s:", r->n_missing,
                r->n_missing == 1 ? "" : "s", skip ? "left out of coherence" : "scored at NPMI's floor (-1)");
        for (uint32_t i = 0; i < r->n_missing && i < 20; i++) fprintf(stderr, " %s", r->missing[i]);
        fprintf(stderr, "%s\n", r->n_missing > 20 ? " ..." : "");
    }
    if (r->n_scored_topics < r->n_topics)
        fprintf(stderr, "warning: %u of %u topics have fewer than 2 %s: not scored\n", r->n_topics - r->n_scored_topics,
                r->n_topics, skip ? "words found in the reference corpus" : "distinct words");
    if (r->diversity_short)
        fprintf(stderr, "warning: %u topics have fewer than %u words: diversity uses the words there are\n",
                r->diversity_short, o->diversity_n);
}

int cmd_eval(int argc, char **argv)
{
    const char *topics_path = NULL, *corpus_path = NULL, *ref_path = NULL, *model = NULL, *missing = "floor";
    saetm_eval_opts o;
    saetm_eval_opts_default(&o);
    int json = 0;
    /* Corpus options for a reference of raw documents: every word kept (min_df 1, max_df 1.0, no
     * vocabulary limit); with --model DIR, tokenised as DIR's corpus was (DIR/params.json). */
    cli_corpus_args ca;
    cli_corpus_defaults(&ca);
    saetm_eval_reference_opts_default(&ca.o);
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--model") == 0) model = argv[i + 1];
        else if (strncmp(argv[i], "--model=", 8) == 0) model = argv[i] + 8;
    }
    saetm_model_params *params = NULL;
    if (model) {
        /* the model's tokenisation, as Python's evaluate takes it */
        saetm_ctx *pctx = saetm_ctx_create();
        saetm_status pst = pctx ? saetm_model_params_load(pctx, model, &params) : SAETM_ERR_NOMEM;
        int prc = pst ? cli_fail(pctx, "eval", pst) : -1;
        if (prc < 0 && (pst = saetm_model_reference_opts(pctx, params, &ca.o)))
            prc = cli_usage_error("eval", "%s/%s", model, saetm_ctx_errmsg(pctx));
        saetm_ctx_free(pctx);
        if (prc >= 0) {
            saetm_model_params_free(params);
            return prc;
        }
    }
    cli_opt opts[10] = {
        {"topics", CLI_STR, &topics_path, "FILE", "topic word file: one topic per line, best words first",
         "DIR/top_words.txt with --model"},
        {"reference", CLI_STR, &ref_path, "PATH",
         "reference documents: a corpus file (.stc, recognised by its magic), or a JSONL/CSV/text file or "
         "directory (gzip too) read and preprocessed with the corpus options below, as saetm corpus does",
         "DIR/corpus.stc with --model"},
        {"corpus", CLI_STR, &corpus_path, "FILE", "reference corpus file (.stc only; --reference also takes documents)",
         NULL},
        {"model", CLI_STR, &model, "DIR",
         "model directory: --topics DIR/top_words.txt, --reference DIR/corpus.stc, and DIR/params.json's "
         "preprocessing (text field, preprocess, stopwords) for a reference of documents",
         NULL},
        {"top", CLI_U32, &o.top_n, "N", "words per topic for NPMI and C_V", "10"},
        {"diversity-top", CLI_U32, &o.diversity_n, "N", "words per topic for topic diversity", "25"},
        {"missing", CLI_STR, &missing, "RULE",
         "topic words absent from the reference (not in its vocabulary, or in no document): floor (every pair "
         "with one scores -1, NPMI's floor) | skip (left out of their topic's pairs)",
         "floor"},
        {"npmi-eps", CLI_DOUBLE, &o.npmi_eps, "X",
         "smoothing added to p(w1, w2); a pair that never co-occurs scores -1 (NPMI's floor) with 0, "
         "-1 + log(p1 p2) / log(X) above it otherwise; 1e-12 gives gensim's c_npmi numbers",
         "0"},
        {"json", CLI_FLAG, &json, NULL, "print one JSON object instead of a table", NULL},
    };
    /* the reference's defaults (the values in ca.o), in words where the value does not say it */
    static const char *const ref_defaults[] = {"min-df", "1: every word of the reference", "tmp-dir", "$TMPDIR or /tmp",
                                               NULL};
    static const char *const model_defaults[] = {"min-df", "1: every word of the reference", "tmp-dir",
                                                 "$TMPDIR or /tmp", "preprocess", "DIR/params.json's", "text-field",
                                                 "DIR/params.json's", "stopwords", "DIR/params.json's", NULL};
    cli_table tab = cli_corpus_table(&ca.o);
    tab.defaults = params ? model_defaults : ref_defaults;
    cli_common common;
    int rc = cli_parse_table(argc, argv, "eval",
                       "Score topics: NPMI and C_V coherence over document co-occurrence in a reference corpus,\n"
                       "and topic diversity (share of distinct words among all topics' top words).\n"
                       "Held-out evaluation: score against documents no stage of the fit saw (--reference\n"
                       "held_out.jsonl); in-sample NPMI rewards words whose co-occurrence belongs to the fitted\n"
                       "documents. A reference of raw documents keeps every word (min_df 1, max_df 1.0) so a rare\n"
                       "topic word is judged by its own co-occurrences; a topic word absent from the reference\n"
                       "scores -1 (NPMI's floor) with every other word (--missing floor), and so does a pair\n"
                       "that never co-occurs (--npmi-eps 0; gensim's numbers: --npmi-eps 1e-12).\n"
                       "Definitions: docs/eval.md.\n"
                       "  saetm eval --topics DIR/top_words.txt --reference held_out.jsonl [--top 10] [--json]\n"
                       "  saetm eval --model DIR --reference held_out.jsonl   # tokenised as DIR's corpus was\n"
                       "  saetm eval --model DIR                              # in-sample: DIR/corpus.stc",
                       opts, &tab, 1, &common);
    if (rc < 0) rc = cli_corpus_finish("eval", &ca);
    if (rc < 0 && saetm_eval_missing_parse(missing, &o.missing))
        rc = cli_usage_error("eval", "--missing must be floor or skip, not '%s'", missing);
    if (rc < 0 && ref_path && corpus_path) rc = cli_usage_error("eval", "give --reference or --corpus, not both");
    if (rc < 0 && o.top_n < 2) rc = cli_usage_error("eval", "--top must be at least 2");
    if (rc < 0 && o.diversity_n < 1) rc = cli_usage_error("eval", "--diversity-top must be at least 1");
    if (rc < 0 && !(o.npmi_eps >= 0.0 && o.npmi_eps < 1.0))
        rc = cli_usage_error("eval", "--npmi-eps must be in [0, 1)");
    char *tp = NULL, *cp = NULL;
    if (rc < 0 && model) {
        if (!topics_path) topics_path = tp = join_path(model, "top_words.txt");
        if (!ref_path && !corpus_path) ref_path = cp = join_path(model, "corpus.stc");
    }
    if (rc < 0 && (!topics_path || (!ref_path && !corpus_path)))
        rc = cli_usage_error("eval", "--topics and --reference (or --corpus, or --model) are required");
    if (rc >= 0) {
        free(tp);
        free(cp);
        saetm_model_params_free(params);
        return rc;
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_topic_words *tw = NULL;
    saetm_corpus *corpus = NULL;
    saetm_eval_result *r = NULL;
    eval_ref_info ri = {corpus_path ? corpus_path : ref_path, 0, 0, 0, NULL};
    saetm_status st = saetm_topic_words_read(ctx, topics_path, &tw);
    if (!st && corpus_path) st = saetm_corpus_load(ctx, corpus_path, &corpus);
    else if (!st) st = saetm_eval_reference_open(ctx, ref_path, &ca.o, &corpus, &ri.built);
    if (!st) {
        ri.docs = saetm_corpus_num_docs(corpus);
        ri.vocab = saetm_corpus_vocab_size(corpus);
        ri.info = saetm_corpus_info_json(corpus);
        const char *given = !ri.built && !common.quiet ? cli_table_given(argc, argv, &tab) : NULL;
        if (given)
            fprintf(stderr, "warning: the reference %s is a corpus file: corpus options such as --%s are not used\n",
                    ri.path, given);
        st = saetm_eval_topics(ctx, corpus, tw->n_topics, (const char *const *)tw->words, tw->word_start, &o, &r);
    }
    if (st) {
        rc = cli_fail(ctx, "eval", st);
    } else {
        if (!common.quiet) print_warnings(&o, r);
        if (json) rc = print_json(topics_path, &ri, &o, tw, r);
        else {
            print_table(&ri, &o, tw, r);
            rc = CLI_EXIT_OK;
        }
        if (fflush(stdout) != 0) {
            fprintf(stderr, "saetm eval: cannot write the output\n");
            rc = CLI_EXIT_FAIL;
        }
    }
    saetm_eval_result_free(r);
    saetm_corpus_free(corpus);
    saetm_topic_words_free(tw);
    saetm_ctx_free(ctx);
    free(tp);
    free(cp);
    saetm_model_params_free(params);
    return rc;
}
