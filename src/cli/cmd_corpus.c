/*
 * cmd_corpus.c - `saetm corpus`: read documents (JSONL, CSV, text lines, a directory of .txt
 * files; gzip or not), preprocess them and write the corpus file (.stc) with the vocabulary and
 * the bag-of-words.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cmd_corpus(int argc, char **argv)
{
    saetm_corpus_opts o;
    saetm_corpus_opts_default(&o);
    const char *input = NULL, *out = NULL, *format = "auto", *preprocess = "full";
    const char *text_field = "text", *id_field = NULL, *date_field = NULL, *group_field = NULL;
    const char *stopwords = NULL, *tmp_dir = NULL;
    int skip_bad = 0;
    const cli_opt opts[] = {
        {"input", CLI_STR, &input, "PATH", "documents: a .jsonl, .csv or text file (gzip or not), a directory of .txt files, or - (standard input)", NULL},
        {"out", CLI_STR, &out, "FILE", "corpus file to write (.stc)", NULL},
        {"format", CLI_STR, &format, "F", "input format: auto|jsonl|csv|text|dir (auto: by extension)", "auto"},
        {"text-field", CLI_STR, &text_field, "NAME", "JSONL/CSV field holding the text", "text"},
        {"id-field", CLI_STR, &id_field, "NAME", "field holding document ids", "the line number"},
        {"date-field", CLI_STR, &date_field, "NAME", "field holding dates (strings or numbers such as 1790)", "none"},
        {"group-field", CLI_STR, &group_field, "NAME", "field holding a group label", "none"},
        {"preprocess", CLI_STR, &preprocess, "MODE",
         "full (Unicode NFKC + case folding, letters only, >= 3 letters, stopwords, WordNet lemmas and only "
         "words WordNet knows) | basic (full without WordNet) | none (whitespace-separated tokens as given)",
         "full"},
        {"min-df", CLI_U32, &o.min_df, "N", "keep words found in at least N documents", "5"},
        {"max-df", CLI_DOUBLE, &o.max_df, "X", "and in at most X documents (a fraction if <= 1, else a count)", "0.5"},
        {"max-vocab", CLI_U32, &o.max_vocab, "N", "keep at most N words, the most frequent by documents (0: no limit)", "20000"},
        {"stopwords", CLI_STR, &stopwords, "FILE", "stopword list, one word per line", "the built-in English list"},
        {"snippet-chars", CLI_U32, &o.snippet_chars, "N", "characters of each document's text kept for reports", "300"},
        {"tmp-dir", CLI_STR, &tmp_dir, "DIR", "directory for temporary files", "the output's directory"},
        {"skip-bad", CLI_FLAG, &skip_bad, NULL, "leave out bad records with a warning instead of failing", NULL},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "corpus",
                       "Read documents, preprocess their text and write a corpus file (.stc): vocabulary,\n"
                       "document frequencies, bag-of-words counts, document ids, dates, groups and snippets.\n"
                       "Documents left without any vocabulary word keep their row and are flagged empty.\n"
                       "Example:\n"
                       "  saetm corpus --input docs.jsonl --id-field id --date-field year --out corpus.stc",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!input) return cli_usage_error("corpus", "--input is required");
    if (strcmp(input, "-") == 0) input = "/dev/stdin"; /* a pipe: give --format unless it is text */
    if (!out) return cli_usage_error("corpus", "--out is required");
    static const char *const formats[] = {"auto", "jsonl", "csv", "text", "dir"};
    int fi = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(format, formats[i]) == 0) fi = i;
    if (fi < 0) return cli_usage_error("corpus", "--format must be auto, jsonl, csv, text or dir, not '%s'", format);
    o.format = (saetm_input_format)fi;
    if (strcmp(preprocess, "full") == 0) o.preprocess = SAETM_PREPROCESS_FULL;
    else if (strcmp(preprocess, "basic") == 0) o.preprocess = SAETM_PREPROCESS_BASIC;
    else if (strcmp(preprocess, "none") == 0) o.preprocess = SAETM_PREPROCESS_NONE;
    else return cli_usage_error("corpus", "--preprocess must be full, basic or none, not '%s'", preprocess);
    o.text_field = text_field;
    o.id_field = id_field;
    o.date_field = date_field;
    o.group_field = group_field;
    o.stopwords = stopwords;
    o.tmp_dir = tmp_dir;
    o.skip_bad = skip_bad;
    const char *bad = saetm_corpus_opts_check(&o);
    if (bad) return cli_usage_error("corpus", "%s", bad);

    saetm_ctx *ctx = cli_ctx(&common);
    saetm_corpus_stats s;
    double t0 = seconds_now();
    saetm_status st = saetm_corpus_build_file(ctx, input, &o, out, &s);
    double dt = seconds_now() - t0;
    if (st) {
        rc = cli_fail(ctx, "corpus", st);
        saetm_ctx_free(ctx);
        return rc;
    }
    if (s.skipped)
        fprintf(stderr, "warning: %llu bad record%s left out (see the warnings above)\n", (unsigned long long)s.skipped,
                s.skipped == 1 ? "" : "s");
    {
        printf("corpus: %llu documents (%llu empty), vocabulary %u words (of %llu distinct terms), %llu tokens\n",
                (unsigned long long)s.docs, (unsigned long long)s.empty_docs, s.vocab_size,
                (unsigned long long)s.distinct_terms, (unsigned long long)s.tokens);
        printf("corpus: read %.1f MB in %.2f s (%.0f documents/s, %.1f MB/s), peak memory %.1f MB; wrote %s\n",
               (double)s.bytes_read / 1e6, dt, dt > 0 ? (double)s.docs / dt : 0.0,
               dt > 0 ? (double)s.bytes_read / 1e6 / dt : 0.0, (double)cli_peak_memory() / 1e6, out);
    }
    saetm_ctx_free(ctx);
    return CLI_EXIT_OK;
}
