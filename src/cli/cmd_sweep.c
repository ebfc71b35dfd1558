/*
 * cmd_sweep.c - `saetm sweep`: merge one model's features into topics for a range of K (no
 * retraining) and score each K's topics (NPMI, C_V, diversity) against the model's corpus, so a
 * user picks K from evidence (saetm_sweep_k), and prints the table. Writes a CSV and a JSON table
 * (saetm_sweep_write; the report draws the JSON).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "A:B[:S]" (A, A+S, ... up to B) or "K1,K2,...": the list of K (ascending as given) in *ks.
 * @return the count, or 0 if malformed. */
static uint32_t parse_ks(const char *v, uint32_t **ks)
{
    *ks = NULL;
    unsigned long a, b, s = 1;
    int used = 0;
    if (strchr(v, ':')) {
        int n = sscanf(v, "%lu:%lu%n", &a, &b, &used);
        if (n != 2) return 0;
        if (v[used] == ':') {
            int u2 = 0;
            if (sscanf(v + used + 1, "%lu%n", &s, &u2) != 1) return 0;
            used += 1 + u2;
        }
        if (v[used] || a < 1 || b < a || s < 1 || (b - a) / s + 1 > 100000) return 0;
        uint32_t cnt = (uint32_t)((b - a) / s + 1);
        *ks = malloc(cnt * sizeof **ks);
        if (!*ks) return 0;
        for (uint32_t i = 0; i < cnt; i++) (*ks)[i] = (uint32_t)(a + i * s);
        return cnt;
    }
    uint32_t cnt = 1;
    for (const char *p = v; *p; p++) cnt += *p == ',';
    *ks = malloc(cnt * sizeof **ks);
    if (!*ks) return 0;
    const char *p = v;
    for (uint32_t i = 0; i < cnt; i++) {
        char *end;
        unsigned long k = strtoul(p, &end, 10);
        if (end == p || k < 1 || k > UINT32_MAX || (*end != ',' && *end != 0) || (i > 0 && k <= (*ks)[i - 1])) {
            free(*ks);
            *ks = NULL;
            return 0;
        }
        (*ks)[i] = (uint32_t)k;
        p = end + 1;
    }
    return cnt;
}

int cmd_sweep(int argc, char **argv)
{
    cli_topics_args ta;
    saetm_topic_stage_default(&ta);
    const char *model = NULL, *krange = "5:100:5", *out = NULL;
    int fit_defaults = 0; /* applied by cli_topics_model_defaults */
    saetm_eval_opts eo;
    saetm_eval_opts_default(&eo);
    saetm_model_params *params = NULL;
    int rc = cli_topics_model_defaults("sweep", argc, argv, &ta, &model, &params);
    if (rc >= 0) return rc;
    cli_opt opts[7] = {
        {"model", CLI_STR, &model, "DIR", "model directory from saetm fit (its topic options are the defaults)", NULL},
        {"k", CLI_STR, &krange, "A:B[:S]", "the numbers of topics: A, A+S, ... up to B, or a list K1,K2,...", "5:100:5"},
        {"out", CLI_STR, &out, "FILE", "CSV table to write (a JSON table is written beside it, .json)", "DIR/sweep.csv"},
        {"top", CLI_U32, &eo.top_n, "N", "words per topic for NPMI and C_V", "10"},
        {"diversity-top", CLI_U32, &eo.diversity_n, "N", "words per topic for topic diversity", "25"},
        {"fit-defaults", CLI_FLAG, &fit_defaults, NULL,
         "take saetm fit's topic defaults (docs/quality.md) instead of the model's params.json", NULL},
    };
    /* the topic stage's options but its K (this --k is a range) and its top-n (--top, --diversity-top) */
    static const char *const not_taken[] = {"k", "top-n", NULL};
    cli_table tab = cli_topic_stage_table(&ta);
    tab.skip = not_taken;
    cli_common common;
    rc = cli_parse_table(argc, argv, "sweep",
                       "Merge a model's features into topics for each K of a range (no retraining; the model's\n"
                       "merge options from DIR/params.json, or those given) and score each K's topics against the\n"
                       "model's corpus: NPMI and C_V of the top words (document co-occurrence, as saetm eval) and\n"
                       "topic diversity. Prints a table; writes it as CSV and JSON (DIR/sweep.json is drawn by\n"
                       "saetm report). Example:\n"
                       "  saetm sweep --model model/ --k 5:100:5",
                       opts, &tab, 1, &common);
    uint32_t *ks = NULL, nk = 0;
    if (rc < 0 && !model) rc = cli_usage_error("sweep", "--model is required");
    if (rc < 0 && !(nk = parse_ks(krange, &ks)))
        rc = cli_usage_error("sweep", "--k must be A:B[:STEP] with 1 <= A <= B, or an ascending list K1,K2,..., not '%s'",
                             krange);
    if (rc < 0 && (eo.top_n < 2 || eo.diversity_n < 1)) rc = cli_usage_error("sweep", "--top must be >= 2 and --diversity-top >= 1");
    if (rc < 0) rc = cli_topics_finish("sweep", &ta);
    if (rc >= 0) {
        free(ks);
        saetm_model_params_free(params);
        return rc;
    }
    ta.o.seed = common.seed;
    uint32_t keep_top = ta.o.top_n;
    if (ta.o.top_n < eo.top_n) ta.o.top_n = eo.top_n;
    if (ta.o.top_n < eo.diversity_n) ta.o.top_n = eo.diversity_n;
    char csv_path[4096], json_path[4200];
    if (out) snprintf(csv_path, sizeof csv_path, "%s", out);
    else snprintf(csv_path, sizeof csv_path, "%s/sweep.csv", model);
    size_t cl = strlen(csv_path);
    if (cl > 4 && strcmp(csv_path + cl - 4, ".csv") == 0) snprintf(json_path, sizeof json_path, "%.*s.json", (int)(cl - 4), csv_path);
    else snprintf(json_path, sizeof json_path, "%s.json", csv_path);
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_model_files m;
    unsigned what = SAETM_MODEL_INTERP | SAETM_MODEL_CORPUS;
    if (ta.o.space == SAETM_SPACE_DECODER && ta.o.method != SAETM_MERGE_COACT && !ta.decoder) what |= SAETM_MODEL_SAE;
    saetm_status st = saetm_model_open(ctx, model, what, &m);
    const saetm_interp *it = m.interp;
    const saetm_corpus *corpus = m.corpus;
    if (st) rc = cli_fail(ctx, "sweep", st);
    saetm_matrix vec = {0}, raw = {0};
    saetm_sweep_row *rows = rc < 0 ? calloc(nk, sizeof *rows) : NULL;
    uint32_t done = 0;
    if (rc < 0 && !rows) rc = cli_fail(ctx, "sweep", SAETM_ERR_NOMEM);
    if (rc < 0) {
        if ((st = saetm_topic_stage_vectors(ctx, &ta, it, m.sae, model, &vec, &raw))) rc = cli_fail(ctx, "sweep", st);
    }
    if (rc < 0) {
        /* Each K logs its merge: keep the log to warnings unless asked (-q already silences). */
        printf("# %s: merge %s%s; NPMI and C_V of the top %u words, diversity of the top %u\n", model,
               saetm_topic_stage_merge_name(&ta), ta.refit ? " with --refit" : "", eo.top_n, eo.diversity_n);
        printf("%6s %9s %9s %10s %8s %8s\n", "K", "NPMI", "C_V", "diversity", "scored", "seconds");
        fflush(stdout);
        for (uint32_t i = 0; i < nk; i++) {
            saetm_sweep_row *r = &rows[done];
            if ((st = saetm_sweep_k(ctx, &ta, it, corpus, &vec, &eo, ks[i], r))) {
                int r2 = cli_fail(ctx, "sweep", st);
                fprintf(stderr, "saetm sweep: stopped at K = %u\n", ks[i]);
                if (done == 0) rc = r2;
                break;
            }
            printf("%6u %9.4f %9.4f %10.4f %8u %8.2f\n", r->k, r->npmi, r->c_v, r->diversity, r->n_scored_topics,
                   r->seconds);
            fflush(stdout);
            done++;
        }
    }
    if (rc < 0 && done) {
        ta.o.top_n = keep_top;
        st = saetm_sweep_write(ctx, csv_path, json_path, model, &ta, &eo, rows, done);
        rc = st ? cli_fail(ctx, "sweep", st) : CLI_EXIT_OK;
        if (rc == CLI_EXIT_OK && !common.quiet) fprintf(stderr, "sweep: %u values of K written to %s and %s\n", done, csv_path, json_path);
    }
    if (rc < 0) rc = CLI_EXIT_OK;
    saetm_topic_stage_vectors_free(&vec, &raw);
    free(rows);
    free(ks);
    saetm_model_files_free(&m);
    saetm_ctx_free(ctx);
    saetm_model_params_free(params);
    return rc;
}
