/*
 * modeldir.c - open a model directory for trends and the report (its files through
 * src/model/model_dir.c's readers): corpus.stc and doc_topics.npy
 * (required, rows must agree), topic words from topics.json or top_words.txt, and the optional
 * topic_word.npy and params.json. The topics.json reader accepts the shapes a topic
 * file reasonably takes and names the topic and field when something is missing.
 */
#include "report_int.h"

#include <math.h>
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

static const cJSON *field(const cJSON *obj, const char *const *names)
{
    for (; *names; names++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *names);
        if (v) return v;
    }
    return NULL;
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

static saetm_status read_topics_json(saetm_ctx *ctx, saetm_modeldir *md, const char *path)
{
    static const char *const words_keys[] = {"words", "top_words", "terms", NULL};
    static const char *const word_keys[] = {"word", "w", "term", "token", NULL};
    static const char *const p_keys[] = {"p", "prob", "probability", "weight", "score", NULL};
    static const char *const id_keys[] = {"id", "topic", NULL};
    cJSON *root;
    saetm_status st = saetm__json_read(ctx, path, &root);
    if (st) return st;
    const cJSON *topics = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "topics");
    if (!cJSON_IsArray(topics)) {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: expected an array of topics or an object with a \"topics\" array",
                         path);
        goto done;
    }
    int n = cJSON_GetArraySize(topics);
    if ((uint32_t)n != md->n_topics) {
        st = saetm__fail(ctx, SAETM_ERR_SHAPE, "%s: lists %d topics but doc_topics.npy has %u columns", path, n,
                         (unsigned)md->n_topics);
        goto done;
    }
    uint8_t *seen = calloc(md->n_topics, 1);
    if (!seen) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory reading %s", path);
        goto done;
    }
    int t = 0;
    for (const cJSON *tp = topics->child; tp && !st; tp = tp->next, t++) {
        if (!cJSON_IsObject(tp)) {
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: expected an object", path, t);
            break;
        }
        uint32_t k = (uint32_t)t;
        const cJSON *id = field(tp, id_keys);
        if (id) {
            if (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble >= md->n_topics ||
                id->valuedouble != floor(id->valuedouble)) {
                st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: \"%s\" must be an integer in 0..%u", path, t,
                                 id->string, (unsigned)md->n_topics - 1);
                break;
            }
            k = (uint32_t)id->valuedouble;
        }
        if (seen[k]) {
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: id %u appears twice", path, t, (unsigned)k);
            break;
        }
        seen[k] = 1;
        const cJSON *words = field(tp, words_keys);
        if (!cJSON_IsArray(words)) {
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: missing \"words\" array", path, t);
            break;
        }
        uint32_t i = 0;
        for (const cJSON *w = words->child; w && i < md->max_words && !st; w = w->next, i++) {
            const cJSON *ws = NULL, *wp = NULL;
            if (cJSON_IsString(w)) {
                ws = w;
            } else if (cJSON_IsObject(w)) {
                ws = field(w, word_keys);
                wp = field(w, p_keys);
            } else if (cJSON_IsArray(w) && cJSON_GetArraySize(w) == 2) {
                ws = w->child;
                wp = w->child->next;
            }
            if (!cJSON_IsString(ws) || (wp && !cJSON_IsNumber(wp))) {
                st = saetm__fail(ctx, SAETM_ERR_FORMAT,
                                 "%s: topic %d, word %u: expected a string, {\"word\": ..., \"p\": ...} or "
                                 "[word, probability]",
                                 path, t, (unsigned)i);
                break;
            }
            st = set_word(ctx, md, k, i, ws->valuestring, wp ? wp->valuedouble : NAN);
        }
    }
    free(seen);
done:
    cJSON_Delete(root);
    return st;
}

static saetm_status read_top_words(saetm_ctx *ctx, saetm_modeldir *md, const char *path)
{
    saetm_topic_words *tw;
    saetm_status st = saetm_topic_words_read(ctx, path, &tw);
    if (st) return st;
    if (tw->n_topics != md->n_topics)
        st = saetm__fail(ctx, SAETM_ERR_SHAPE, "%s: has %u topic lines but doc_topics.npy has %u topics", path,
                         (unsigned)tw->n_topics, (unsigned)md->n_topics);
    for (uint32_t k = 0; k < md->n_topics && !st; k++)
        for (uint64_t i = tw->word_start[k]; i < tw->word_start[k + 1] && i - tw->word_start[k] < md->max_words && !st;
             i++)
            st = set_word(ctx, md, k, (uint32_t)(i - tw->word_start[k]), tw->words[i], NAN);
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
        st = read_topics_json(ctx, md, path);
    } else if (exists(alt)) {
        md->words_source = "top_words.txt";
        st = read_top_words(ctx, md, alt);
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
