/*
 * model_view.c - a model directory as trends and the report read it (saetm_modeldir_open):
 * doc_topics.npy and corpus.stc (required, rows must agree; the corpus through saetm_model_open),
 * the topic words from topics.json or top_words.txt (through their writers' readers), and the
 * optional topic_word.npy, params.json, sweep.json and heldout.stc; its construction, labels,
 * accessors and freeing (tests fill one in memory with saetm__modeldir_new).
 */
#include "model_int.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WORDS 30 /* words kept per topic */

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Store word i of topic k. */
static saetm_status set_word(saetm_ctx *ctx, saetm_modeldir *md, uint32_t k, uint32_t i, const char *w, double p)
{
    size_t at = (size_t)k * md->max_words + i;
    md->word[at] = saetm__strdup(w);
    if (!md->word[at]) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory reading topic words");
    md->word_p[at] = (float)p;
    md->n_words[k] = i + 1;
    return SAETM_OK;
}

/* The topic words from path: topics.json (with probabilities) or top_words.txt, through the
 * readers of the module that writes them (src/merge/topics_io.c, src/eval/eval.c). */
static saetm_status read_words(saetm_ctx *ctx, saetm_modeldir *md, const char *path, int json)
{
    saetm_topic_words *tw;
    saetm_status st = json ? saetm_topics_read_words(ctx, path, md->max_words, &tw) : saetm_topic_words_read(ctx, path, &tw);
    if (st) return st;
    if (tw->n_topics != md->n_topics)
        st = saetm__fail(ctx, SAETM_ERR_SHAPE, json ? "%s: lists %u topics but doc_topics.npy has %u columns"
                                                    : "%s: has %u topic lines but doc_topics.npy has %u topics",
                         path, (unsigned)tw->n_topics, (unsigned)md->n_topics);
    for (uint32_t k = 0; k < md->n_topics && !st; k++)
        for (uint64_t i = tw->word_start[k]; i < tw->word_start[k + 1] && i - tw->word_start[k] < md->max_words && !st;
             i++)
            st = set_word(ctx, md, k, (uint32_t)(i - tw->word_start[k]), tw->words[i], tw->prob ? tw->prob[i] : NAN);
    saetm_topic_words_free(tw);
    return st;
}

/* Optional JSON file: absent is fine, unreadable becomes a note. */
static void read_optional_json(saetm_ctx *ctx, saetm_modeldir *md, const char *name, cJSON **out)
{
    char *path = join(md->dir, name);
    if (!path) return;
    if (exists(path)) {
        if (saetm__json_read(ctx, path, out)) saetm__modeldir_note(md, "%s ignored: %s", name, saetm_ctx_errmsg(ctx));
        else if (!cJSON_IsObject(*out)) {
            saetm__modeldir_note(md, "%s ignored: expected a JSON object", name);
            cJSON_Delete(*out);
            *out = NULL;
        }
    }
    free(path);
}

/* DIR/heldout.stc (saetm fit --holdout), optional: the held-out documents, a second reference
 * for the scores. Absent is fine, unreadable becomes a note. */
static saetm_status open_heldout(saetm_ctx *ctx, saetm_modeldir *md)
{
    char *path = join(md->dir, "heldout.stc");
    if (!path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    if (!exists(path)) {
        free(path);
        return SAETM_OK;
    }
    saetm_status st = saetm_corpus_load(ctx, path, &md->heldout);
    free(path);
    if (st == SAETM_ERR_NOMEM) return st;
    if (st) {
        saetm__modeldir_note(md, "heldout.stc ignored: %s", saetm_ctx_errmsg(ctx));
        return SAETM_OK;
    }
    uint32_t V = saetm_corpus_vocab_size(md->heldout);
    md->held_words = malloc(sizeof *md->held_words * (V ? V : 1));
    if (!md->held_words) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    for (uint32_t w = 0; w < V; w++) md->held_words[w] = saetm_corpus_word(md->heldout, w);
    md->held = (saetm__eval_ref){saetm_corpus_num_docs(md->heldout), saetm_corpus_row_ptr(md->heldout),
                                 saetm_corpus_word_ids(md->heldout), V, md->held_words};
    md->holdout = saetm__corpus_holdout(md->heldout);
    return SAETM_OK;
}

static saetm_status open_dir(saetm_ctx *ctx, const char *dir, saetm_modeldir **out)
{
    saetm_status st;
    saetm_matrix theta = {0};
    char *path = join(dir, "doc_topics.npy");
    if (!path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    st = saetm_npy_load(ctx, path, &theta);
    if (!st) st = saetm_matrix_check_finite(ctx, &theta, path);
    if (!st && (theta.cols == 0 || theta.cols > UINT32_MAX))
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: expected a documents x topics matrix, got %llu columns", path,
                         (unsigned long long)theta.cols);
    free(path);
    if (st) {
        saetm_matrix_free(&theta);
        return st;
    }
    saetm_modeldir *md = saetm__modeldir_new(dir, theta.rows, (uint32_t)theta.cols, MAX_WORDS);
    if (!md) {
        saetm_matrix_free(&theta);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    *out = md;
    md->theta_m = theta;
    md->theta = theta.data;

    path = join(dir, "corpus.stc");
    if (!path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    saetm_model_files mf; /* the model directory's reader (src/model/model_dir.c) */
    st = saetm_model_open(ctx, dir, SAETM_MODEL_CORPUS, &mf);
    md->corpus = mf.corpus;
    if (!st && saetm_corpus_num_docs(md->corpus) != md->n_docs)
        st = saetm__fail(ctx, SAETM_ERR_SHAPE, "%s/doc_topics.npy has %llu rows but %s has %llu documents", dir,
                         (unsigned long long)md->n_docs, path, (unsigned long long)saetm_corpus_num_docs(md->corpus));
    free(path);
    if (st) return st;
    md->vocab = saetm_corpus_vocab_size(md->corpus);
    size_t n = md->n_docs ? (size_t)md->n_docs : 1;
    md->doc_id = malloc(sizeof *md->doc_id * n);
    md->doc_date = malloc(sizeof *md->doc_date * n);
    md->doc_group = malloc(sizeof *md->doc_group * n);
    md->doc_snippet = malloc(sizeof *md->doc_snippet * n);
    if (!md->doc_id || !md->doc_date || !md->doc_group || !md->doc_snippet)
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory for %llu documents", (unsigned long long)md->n_docs);
    for (uint64_t d = 0; d < md->n_docs; d++) {
        md->doc_id[d] = saetm_corpus_doc_id(md->corpus, d);
        md->doc_date[d] = saetm_corpus_doc_date(md->corpus, d);
        md->doc_group[d] = saetm_corpus_doc_group(md->corpus, d);
        md->doc_snippet[d] = saetm_corpus_doc_snippet(md->corpus, d);
    }

    path = join(dir, "topics.json");
    char *alt = join(dir, "top_words.txt");
    if (!path || !alt) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    else if (exists(path)) {
        md->words_source = "topics.json";
        st = read_words(ctx, md, path, 1);
    } else if (exists(alt)) {
        md->words_source = "top_words.txt";
        st = read_words(ctx, md, alt, 0);
    } else {
        st = saetm__fail(ctx, SAETM_ERR_IO, "%s: neither topics.json nor top_words.txt found (is this a directory "
                                            "written by saetm fit or saetm topics?)",
                         dir);
    }
    free(path);
    free(alt);
    if (!st && saetm__modeldir_make_labels(md)) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    if (st) return st;

    path = join(dir, "topic_word.npy");
    if (!path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    if (exists(path)) {
        st = saetm_npy_load(ctx, path, &md->topic_word_m);
        if (!st) st = saetm_matrix_check_finite(ctx, &md->topic_word_m, path);
        if (!st && (md->topic_word_m.rows != md->n_topics || md->topic_word_m.cols == 0 ||
                    md->topic_word_m.cols > UINT32_MAX))
            st = saetm__fail(ctx, SAETM_ERR_SHAPE, "%s: is %llu x %llu, expected %u topics x vocabulary words", path,
                             (unsigned long long)md->topic_word_m.rows, (unsigned long long)md->topic_word_m.cols,
                             (unsigned)md->n_topics);
        if (!st) {
            md->topic_word = md->topic_word_m.data;
            md->tw_cols = (uint32_t)md->topic_word_m.cols;
        }
    }
    free(path);
    if (st) return st;
    read_optional_json(ctx, md, "params.json", &md->params);
    read_optional_json(ctx, md, "sweep.json", &md->sweep);

    /* The corpus as the reference for coherence scores. */
    md->vocab_words = malloc(sizeof *md->vocab_words * (md->vocab ? md->vocab : 1));
    if (!md->vocab_words) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    for (uint32_t w = 0; w < md->vocab; w++) md->vocab_words[w] = saetm_corpus_word(md->corpus, w);
    md->ref = (saetm__eval_ref){md->n_docs, saetm_corpus_row_ptr(md->corpus), saetm_corpus_word_ids(md->corpus),
                                md->vocab, md->vocab_words};
    return open_heldout(ctx, md);
}

saetm_status saetm_modeldir_open(saetm_ctx *ctx, const char *dir, saetm_modeldir **out)
{
    *out = NULL;
    saetm_modeldir *md = NULL;
    saetm_status st = open_dir(ctx, dir, &md);
    if (st) {
        saetm_modeldir_free(md);
        return st;
    }
    *out = md;
    return SAETM_OK;
}

void saetm_modeldir_free(saetm_modeldir *md)
{
    if (!md) return;
    saetm_corpus_free(md->corpus);
    saetm_corpus_free(md->heldout);
    saetm__modeldir_free_mem(md);
}

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
