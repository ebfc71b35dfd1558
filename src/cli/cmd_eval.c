/*
 * cmd_eval.c - `saetm eval`: coherence (NPMI, C_V) and diversity of topic word lists against a
 * reference corpus; a table or --json.
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

static int print_json(const char *topics_path, const char *corpus_path, const saetm_eval_opts *o,
                      const saetm_topic_words *tw, const saetm_eval_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "topics_file", topics_path);
    cJSON_AddStringToObject(root, "corpus_file", corpus_path);
    cJSON_AddNumberToObject(root, "n_docs", (double)r->n_docs);
    cJSON_AddNumberToObject(root, "top_n", o->top_n);
    cJSON_AddNumberToObject(root, "diversity_top_n", o->diversity_n);
    cJSON_AddNumberToObject(root, "npmi_eps", o->npmi_eps);
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

static void print_table(const char *corpus_path, const saetm_eval_opts *o, const saetm_topic_words *tw,
                        const saetm_eval_result *r)
{
    printf("# %u topics; reference corpus %s (%llu non-empty documents)\n", r->n_topics, corpus_path,
           (unsigned long long)r->n_docs);
    printf("# NPMI and C_V of the top %u words (document co-occurrence), diversity of the top %u\n", o->top_n,
           o->diversity_n);
    printf("%5s %8s %8s %6s  %s\n", "topic", "npmi", "c_v", "words", "top words");
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

int cmd_eval(int argc, char **argv)
{
    const char *topics_path = NULL, *corpus_path = NULL, *model = NULL;
    saetm_eval_opts o;
    saetm_eval_opts_default(&o);
    int json = 0;
    const cli_opt opts[] = {
        {"topics", CLI_STR, &topics_path, "FILE", "topic word file: one topic per line, best words first", NULL},
        {"corpus", CLI_STR, &corpus_path, "FILE", "reference corpus (.stc) for co-occurrence counts", NULL},
        {"model", CLI_STR, &model, "DIR", "model directory: --topics DIR/top_words.txt --corpus DIR/corpus.stc",
         NULL},
        {"top", CLI_U32, &o.top_n, "N", "words per topic for NPMI and C_V", "10"},
        {"diversity-top", CLI_U32, &o.diversity_n, "N", "words per topic for topic diversity", "25"},
        {"json", CLI_FLAG, &json, NULL, "print one JSON object instead of a table", NULL},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "eval",
                       "Score topics: NPMI and C_V coherence over document co-occurrence in a reference corpus,\n"
                       "and topic diversity (share of distinct words among all topics' top words).\n"
                       "Definitions: docs/eval.md.\n"
                       "  saetm eval --topics DIR/top_words.txt --corpus corpus.stc [--top 10] [--json]\n"
                       "  saetm eval --model DIR",
                       opts, &common);
    if (rc >= 0) return rc;
    char *tp = NULL, *cp = NULL;
    if (model) {
        if (!topics_path) topics_path = tp = join_path(model, "top_words.txt");
        if (!corpus_path) corpus_path = cp = join_path(model, "corpus.stc");
    }
    if (!topics_path || !corpus_path) {
        free(tp);
        free(cp);
        return cli_usage_error("eval", "--topics and --corpus (or --model) are required");
    }
    if (o.top_n < 2) {
        free(tp);
        free(cp);
        return cli_usage_error("eval", "--top must be at least 2");
    }
    if (o.diversity_n < 1) {
        free(tp);
        free(cp);
        return cli_usage_error("eval", "--diversity-top must be at least 1");
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_topic_words *tw = NULL;
    saetm_corpus *corpus = NULL;
    saetm_eval_result *r = NULL;
    saetm_status st = saetm_topic_words_read(ctx, topics_path, &tw);
    if (!st) st = saetm_corpus_load(ctx, corpus_path, &corpus);
    if (!st)
        st = saetm_eval_topics(ctx, corpus, tw->n_topics, (const char *const *)tw->words, tw->word_start, &o, &r);
    if (st) {
        rc = cli_fail(ctx, "eval", st);
    } else {
        if (!common.quiet) {
            if (r->n_missing) {
                fprintf(stderr, "warning: %u top word%s not found in the reference corpus, left out of coherence:",
                        r->n_missing, r->n_missing == 1 ? "" : "s");
                for (uint32_t i = 0; i < r->n_missing && i < 20; i++) fprintf(stderr, " %s", r->missing[i]);
                fprintf(stderr, "%s\n", r->n_missing > 20 ? " ..." : "");
            }
            if (r->n_scored_topics < r->n_topics)
                fprintf(stderr, "warning: %u of %u topics have fewer than 2 words found in the corpus: not scored\n",
                        r->n_topics - r->n_scored_topics, r->n_topics);
            if (r->diversity_short)
                fprintf(stderr, "warning: %u topics have fewer than %u words: diversity uses the words there are\n",
                        r->diversity_short, o.diversity_n);
        }
        if (json) rc = print_json(topics_path, corpus_path, &o, tw, r);
        else {
            print_table(corpus_path, &o, tw, r);
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
    return rc;
}
