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
    cli_corpus_args ca;
    cli_corpus_defaults(&ca);
    const char *input = NULL, *out = NULL, *part = "train";
    cli_opt opts[5] = {
        {"input", CLI_STR, &input, "PATH", "documents: a .jsonl, .csv or text file (gzip or not), a directory of .txt files, or - (standard input)", NULL},
        {"out", CLI_STR, &out, "FILE", "corpus file to write (.stc)", NULL},
        {"holdout", CLI_DOUBLE, &ca.o.holdout, "F",
         "hold out the share F in [0, 0.9] of the documents (document i iff (i * round(F * 10^6)) mod 10^6 < "
         "round(F * 10^6); F = 0.2: i % 5 == 0), as saetm fit --holdout does; 0 = none", "0"},
        {"holdout-part", CLI_STR, &part, "P",
         "with --holdout: keep the training documents (train) or only the held-out ones (heldout); the others take "
         "no part in the vocabulary", "train"},
    };
    cli_table tab = cli_corpus_table(&ca.o);
    cli_common common;
    int rc = cli_parse_table(argc, argv, "corpus",
                       "Read documents, preprocess their text and write a corpus file (.stc): vocabulary,\n"
                       "document frequencies, bag-of-words counts, document ids, dates, groups and snippets.\n"
                       "Documents left without any vocabulary word keep their row and are flagged empty.\n"
                       "Example:\n"
                       "  saetm corpus --input docs.jsonl --id-field id --date-field year --out corpus.stc",
                       opts, &tab, 1, &common);
    if (rc >= 0) return rc;
    if (!input) return cli_usage_error("corpus", "--input is required");
    if (strcmp(input, "-") == 0) input = "/dev/stdin"; /* a pipe: give --format unless it is text */
    if (!out) return cli_usage_error("corpus", "--out is required");
    const char *bad = saetm_holdout_check(ca.o.holdout);
    if (bad) return cli_usage_error("corpus", "--holdout %g: %s", ca.o.holdout, bad);
    if (strcmp(part, "train") == 0) ca.o.holdout_part = SAETM_HOLDOUT_TRAIN;
    else if (strcmp(part, "heldout") == 0) ca.o.holdout_part = SAETM_HOLDOUT_HELD;
    else return cli_usage_error("corpus", "--holdout-part must be train or heldout, not '%s'", part);
    if (cli_given(argc, argv, "holdout-part") && !(ca.o.holdout > 0))
        return cli_usage_error("corpus", "--holdout-part needs --holdout F with F > 0");
    if ((rc = cli_corpus_finish("corpus", &ca)) >= 0) return rc;
    const saetm_corpus_opts o = ca.o;

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
        if (o.holdout > 0)
            printf("corpus: holdout %g: kept the %s documents, %llu of %llu\n", o.holdout,
                   o.holdout_part == SAETM_HOLDOUT_HELD ? "held-out" : "training", (unsigned long long)s.docs,
                   (unsigned long long)s.input_docs);
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
