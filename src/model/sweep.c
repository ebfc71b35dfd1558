/*
 * sweep.c - one model re-merged for several K and each K's topics scored against the model's
 * corpus (saetm_sweep_k), and the table written into the model directory's sweep.csv and
 * sweep.json, which the report draws (saetm_sweep_write). `saetm sweep` runs them.
 */
#include "model_int.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Score the topics' top words against the corpus. */
static saetm_status score(saetm_ctx *ctx, const saetm_topics *tp, const saetm_interp *it, const saetm_corpus *corpus,
                          const saetm_eval_opts *eo, uint32_t top_n, saetm_sweep_row *r)
{
    saetm_eval_result *ev = NULL;
    saetm_status st = saetm__topics_eval_listed(ctx, tp, it, top_n, corpus, eo, &ev);
    if (!st) {
        r->npmi = ev->npmi_mean;
        r->c_v = ev->cv_mean;
        r->diversity = ev->diversity;
        r->n_scored_topics = ev->n_scored_topics;
    }
    saetm_eval_result_free(ev);
    return st;
}

saetm_status saetm_sweep_k(saetm_ctx *ctx, const saetm_topic_stage *s, const saetm_interp *it,
                           const saetm_corpus *corpus, const saetm_matrix *vec, const saetm_eval_opts *eo, uint32_t k,
                           saetm_sweep_row *row)
{
    memset(row, 0, sizeof *row);
    saetm_topic_stage a = *s;
    a.o.k = k;
    double t0 = seconds_now();
    saetm_topics *tp = NULL;
    saetm_status st = saetm_topic_stage_build(ctx, &a, it, corpus, vec, &tp);
    row->k = k;
    if (!st) st = score(ctx, tp, it, corpus, eo, s->o.top_n, row);
    saetm_topics_free(tp);
    row->seconds = seconds_now() - t0;
    return st;
}

saetm_status saetm_sweep_write(saetm_ctx *ctx, const char *csv_path, const char *json_path, const char *model,
                               const saetm_topic_stage *s, const saetm_eval_opts *eo, const saetm_sweep_row *rows,
                               uint32_t n)
{
    size_t cap = 128 + (size_t)n * 128;
    char *csv = malloc(cap);
    if (!csv) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory writing %s", csv_path);
    size_t len = (size_t)snprintf(csv, cap, "k,npmi,c_v,diversity,n_scored_topics\n");
    for (uint32_t i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, cap - len, "%u,%.6f,%.6f,%.6f,%u\n", rows[i].k, rows[i].npmi, rows[i].c_v,
                                rows[i].diversity, rows[i].n_scored_topics);
    saetm_status st = saetm__write_file_atomic(ctx, csv_path, csv, len);
    free(csv);
    if (st) return st;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", model);
    cJSON_AddStringToObject(root, "merge", saetm_topic_stage_merge_name(s));
    cJSON_AddNumberToObject(root, "npmi_top", eo->top_n);
    cJSON_AddNumberToObject(root, "diversity_top", eo->diversity_n);
    cJSON *jt = cJSON_AddObjectToObject(root, "topics");
    saetm__topic_stage_to_json(s, jt);
    cJSON_DeleteItemFromObject(jt, "k"); /* varies: see rows */
    cJSON *arr = cJSON_AddArrayToObject(root, "rows");
    for (uint32_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "k", rows[i].k);
        cJSON_AddNumberToObject(o, "npmi", rows[i].npmi);
        cJSON_AddNumberToObject(o, "c_v", rows[i].c_v);
        cJSON_AddNumberToObject(o, "diversity", rows[i].diversity);
        cJSON_AddNumberToObject(o, "n_scored_topics", rows[i].n_scored_topics);
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    st = text ? saetm__write_line(ctx, json_path, text)
              : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory writing %s", json_path);
    cJSON_free(text);
    return st;
}
