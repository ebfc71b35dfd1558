/*
 * model.c - the in-memory model directory used by trends and the report: construction, labels,
 * accessors and freeing (reading it from disk is in modeldir.c).
 */
#include "report_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

saetm_modeldir *saetm__modeldir_new(const char *dir, uint64_t n_docs, uint32_t n_topics, uint32_t max_words)
{
    saetm_modeldir *md = calloc(1, sizeof *md);
    if (!md) return NULL;
    md->dir = saetm__strdup(dir ? dir : "");
    md->n_docs = n_docs;
    md->n_topics = n_topics;
    md->max_words = max_words;
    size_t nw = (size_t)n_topics * max_words;
    md->n_words = calloc(n_topics ? n_topics : 1, sizeof *md->n_words);
    md->word = calloc(nw ? nw : 1, sizeof *md->word);
    md->word_p = malloc(sizeof *md->word_p * (nw ? nw : 1));
    md->label = calloc(n_topics ? n_topics : 1, sizeof *md->label);
    if (!md->dir || !md->n_words || !md->word || !md->word_p || !md->label) {
        saetm__modeldir_free_mem(md);
        return NULL;
    }
    for (size_t i = 0; i < nw; i++) md->word_p[i] = NAN;
    return md;
}

void saetm__modeldir_free_mem(saetm_modeldir *md)
{
    if (!md) return;
    if (md->word)
        for (size_t i = 0; i < (size_t)md->n_topics * md->max_words; i++) free(md->word[i]);
    if (md->label)
        for (uint32_t k = 0; k < md->n_topics; k++) free(md->label[k]);
    free(md->word);
    free(md->word_p);
    free(md->n_words);
    free(md->label);
    free(md->doc_id);
    free(md->doc_date);
    free(md->doc_group);
    free(md->doc_snippet);
    free(md->dir);
    free(md->note);
    cJSON_Delete(md->params);
    cJSON_Delete(md->sweep);
    free(md->vocab_words);
    free(md->held_words);
    saetm_matrix_free(&md->theta_m);
    saetm_matrix_free(&md->topic_word_m);
    free(md);
}

void saetm__modeldir_note(saetm_modeldir *md, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t old = md->note ? strlen(md->note) : 0, add = strlen(line);
    char *p = realloc(md->note, old + add + 2);
    if (!p) return; /* notes are informative; losing one under memory pressure is acceptable */
    memcpy(p + old, line, add);
    p[old + add] = '\n';
    p[old + add + 1] = 0;
    md->note = p;
}

saetm_status saetm__modeldir_make_labels(saetm_modeldir *md)
{
    for (uint32_t k = 0; k < md->n_topics; k++) {
        char buf[160];
        int n = snprintf(buf, sizeof buf, "%u:", (unsigned)k);
        for (uint32_t i = 0; i < md->n_words[k] && i < 3; i++) {
            const char *w = md->word[(size_t)k * md->max_words + i];
            if ((size_t)n + strlen(w) + 2 >= sizeof buf) break;
            n += snprintf(buf + n, sizeof buf - (size_t)n, " %s", w);
        }
        free(md->label[k]);
        md->label[k] = saetm__strdup(buf);
        if (!md->label[k]) return SAETM_ERR_NOMEM;
    }
    return SAETM_OK;
}

uint32_t saetm_modeldir_num_topics(const saetm_modeldir *md) { return md->n_topics; }
uint64_t saetm_modeldir_num_docs(const saetm_modeldir *md) { return md->n_docs; }
const char *const *saetm_modeldir_labels(const saetm_modeldir *md) { return (const char *const *)md->label; }

static int any_set(const char **a, uint64_t n)
{
    for (uint64_t d = 0; a && d < n; d++)
        if (a[d] && a[d][0]) return 1;
    return 0;
}

int saetm_modeldir_has_dates(const saetm_modeldir *md) { return any_set(md->doc_date, md->n_docs); }
int saetm_modeldir_has_groups(const saetm_modeldir *md) { return any_set(md->doc_group, md->n_docs); }

saetm_status saetm_modeldir_trends(saetm_ctx *ctx, const saetm_modeldir *md, const saetm_trends_opts *opts,
                                   saetm_trends **out)
{
    return saetm_trends_compute(ctx, md->theta, md->n_docs, md->n_topics,
                                saetm_modeldir_has_dates(md) ? md->doc_date : NULL,
                                saetm_modeldir_has_groups(md) ? md->doc_group : NULL, opts, out);
}
