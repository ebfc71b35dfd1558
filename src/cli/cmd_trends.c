/*
 * cmd_trends.c - `saetm trends --model DIR`: topic prevalence per time bin and per group, the
 * topics that rise and fall most, written as CSV and SVG files.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_movers(const saetm_trends *t, const char *const *labels, int rising)
{
    uint32_t K = t->n_topics, shown = 0;
    printf("%s most (fitted change in percentage points, %s to %s):\n", rising ? "rising" : "falling", t->bin_label[0],
           t->bin_label[t->n_bins - 1]);
    for (uint32_t i = 0; i < K && shown < 5; i++) {
        uint32_t k = rising ? t->order[i] : t->order[K - 1 - i];
        if (rising ? !(t->change[k] > 0) : !(t->change[k] < 0)) break;
        printf("  %+7.2f  %s\n", 100.0 * t->change[k], labels[k]);
        shown++;
    }
    if (!shown) printf("  (none)\n");
}

int cmd_trends(int argc, char **argv)
{
    const char *model = NULL, *out = NULL, *bin = "year";
    const cli_opt opts[] = {
        {"model", CLI_STR, &model, "DIR", "model directory (corpus.stc, doc_topics.npy, topics.json or top_words.txt)",
         NULL},
        {"bin", CLI_STR, &bin, "B", "time bins: year, decade, or N bins of equal width", "year"},
        {"out", CLI_STR, &out, "DIR", "output directory", "MODEL/trends"},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "trends",
                       "Topic prevalence (mean topic proportion of the documents) per time bin and per group,\n"
                       "from the model's doc_topics and its corpus's dates and groups, as CSV and SVG charts;\n"
                       "and the topics that rise and fall most (slope of a least-squares line over the bins).\n"
                       "Documents without a date in a known form are left out of the time bins and counted.\n"
                       "  saetm trends --model DIR [--bin year|decade|N] [--out DIR/trends]",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!model) return cli_usage_error("trends", "--model is required");
    saetm_trends_opts to;
    saetm_trends_opts_default(&to);
    if (cli_parse_bin("trends", bin, &to)) return CLI_EXIT_USAGE;

    char *outdir = NULL;
    if (!out) {
        size_t n = strlen(model) + 8;
        outdir = malloc(n);
        if (!outdir) {
            fprintf(stderr, "saetm trends: out of memory\n");
            return CLI_EXIT_FAIL;
        }
        snprintf(outdir, n, "%s/trends", model);
        out = outdir;
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_modeldir *md = NULL;
    saetm_trends *t = NULL;
    saetm_status st = saetm_modeldir_open(ctx, model, &md);
    if (st) {
        rc = cli_fail(ctx, "trends", st);
        goto done;
    }
    int has_dates = saetm_modeldir_has_dates(md), has_groups = saetm_modeldir_has_groups(md);
    if (!has_dates && !has_groups) {
        fprintf(stderr,
                "saetm trends: the corpus of %s has neither dates nor groups; build it with "
                "'saetm corpus --date-field FIELD' and/or '--group-field FIELD'\n",
                model);
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    st = saetm_modeldir_trends(ctx, md, &to, &t);
    if (st) {
        rc = cli_fail(ctx, "trends", st);
        goto done;
    }
    if (has_dates && t->n_bins == 0) {
        fprintf(stderr,
                "saetm trends: no document of %s has a date in a known form (first: document %llu); expected YYYY, "
                "YYYY-MM-DD, MM/DD/YYYY or 'January 8, 1790'\n",
                model, (unsigned long long)t->first_bad_doc);
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    if (!has_dates && !common.quiet) fprintf(stderr, "warning: the corpus has no dates: only groups are written\n");
    if (!has_groups && !common.quiet) fprintf(stderr, "warning: the corpus has no groups: only time bins are written\n");
    st = saetm_trends_write(ctx, t, saetm_modeldir_labels(md), out);
    if (st) {
        rc = cli_fail(ctx, "trends", st);
        goto done;
    }
    const char *const *labels = saetm_modeldir_labels(md);
    printf("%llu documents, %u topics", (unsigned long long)t->n_docs, (unsigned)t->n_topics);
    if (t->n_empty) printf(" (%llu empty, left out)", (unsigned long long)t->n_empty);
    printf("\n");
    if (t->n_bins) {
        uint64_t dated = 0;
        for (uint32_t b = 0; b < t->n_bins; b++) dated += t->bin_docs[b];
        printf("time: %llu documents in %u bins; left out: %llu without a date, %llu with a date in an unknown form\n",
               (unsigned long long)dated, (unsigned)t->n_bins, (unsigned long long)t->n_undated,
               (unsigned long long)t->n_bad_date);
        if (t->n_bins >= 2) {
            print_movers(t, labels, 1);
            print_movers(t, labels, 0);
        }
    }
    if (t->n_groups)
        printf("groups: %u; %llu documents without a group left out\n", (unsigned)t->n_groups,
               (unsigned long long)t->n_nogroup);
    printf("wrote %s/:%s%s\n", out, t->n_bins ? " time.csv movers.csv time.svg movers.svg" : "",
           t->n_groups ? " groups.csv groups.svg" : "");
    if (fflush(stdout) != 0) {
        fprintf(stderr, "saetm trends: cannot write the output\n");
        rc = CLI_EXIT_FAIL;
    } else {
        rc = CLI_EXIT_OK;
    }
done:
    saetm_trends_free(t);
    saetm_modeldir_free(md);
    saetm_ctx_free(ctx);
    free(outdir);
    return rc;
}
