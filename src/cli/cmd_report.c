/*
 * cmd_report.c - `saetm report --model DIR --out report.html`: one self-contained HTML page about
 * a fitted model (topics, map, trends, representative documents, scores, parameters).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_report(int argc, char **argv)
{
    const char *model = NULL, *out = NULL, *bin = "year";
    saetm_report_opts ro;
    saetm_report_opts_default(&ro);
    const cli_opt opts[] = {
        {"model", CLI_STR, &model, "DIR", "model directory (corpus.stc, doc_topics.npy, topics.json or top_words.txt)",
         NULL},
        {"out", CLI_STR, &out, "FILE", "HTML file to write", "MODEL/report.html"},
        {"bin", CLI_STR, &bin, "B", "time bins: year, decade, or N bins of equal width", "year"},
        {"top-words", CLI_U32, &ro.top_words, "N", "words shown per topic", "10"},
        {"top-docs", CLI_U32, &ro.top_docs, "N", "most representative documents shown per topic", "3"},
        {"top", CLI_U32, &ro.eval.top_n, "N", "words per topic for NPMI and C_V (as saetm eval)", "10"},
        {"diversity-top", CLI_U32, &ro.eval.diversity_n, "N", "words per topic for topic diversity", "25"},
        {"title", CLI_STR, &ro.title, "TEXT", "page title", "saetm report: MODEL"},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "report",
                       "Write one self-contained HTML page (inline CSS and SVG, no scripts, works offline):\n"
                       "topics with top words and sizes, a 2-D map of the topics, trends over time and per\n"
                       "group, the most representative documents per topic, coherence and diversity, and the\n"
                       "run's parameters.\n"
                       "  saetm report --model DIR [--out report.html]",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!model) return cli_usage_error("report", "--model is required");
    if (cli_parse_bin("report", bin, &ro.trends)) return CLI_EXIT_USAGE;
    if (ro.eval.top_n < 2) return cli_usage_error("report", "--top must be at least 2");
    if (ro.eval.diversity_n < 1) return cli_usage_error("report", "--diversity-top must be at least 1");
    if (ro.top_docs > 100) return cli_usage_error("report", "--top-docs must be at most 100");

    char *path = NULL;
    if (!out) {
        size_t n = strlen(model) + 16;
        path = malloc(n);
        if (!path) {
            fprintf(stderr, "saetm report: out of memory\n");
            return CLI_EXIT_FAIL;
        }
        snprintf(path, n, "%s/report.html", model);
        out = path;
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_modeldir *md = NULL;
    saetm_status st = saetm_modeldir_open(ctx, model, &md);
    if (!st) st = saetm_report_write(ctx, md, &ro, out);
    if (st) {
        rc = cli_fail(ctx, "report", st);
    } else {
        printf("wrote %s\n", out);
        rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    saetm_modeldir_free(md);
    saetm_ctx_free(ctx);
    free(path);
    return rc;
}
