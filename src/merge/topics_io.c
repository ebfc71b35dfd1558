/*
 * topics_io.c - the topic files: top_words.txt, topics.json, doc_topics.npy, topic_word.npy and
 * tree.json (saetm_topics_write; formats in docs/FORMAT.md), and reading topics.json back: the topic
 * assignment (saetm_topics_read_assignment) and the topic words (saetm_topics_read_words).
 */
#include "merge_int.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Output files
 * ==================================================================== */

/* One side's scores as topics.json's and params.json's "evaluation" hold them. */
cJSON *saetm__score_json(const saetm_topics_score *s)
{
    cJSON *o = cJSON_CreateObject();
    if (s->scored) {
        cJSON_AddNumberToObject(o, "npmi", s->npmi);
        cJSON_AddNumberToObject(o, "c_v", s->c_v);
    } else {
        cJSON_AddNullToObject(o, "npmi");
        cJSON_AddNullToObject(o, "c_v");
    }
    cJSON_AddNumberToObject(o, "diversity", s->diversity);
    cJSON_AddNumberToObject(o, "n_docs", (double)s->n_docs);
    cJSON_AddNumberToObject(o, "n_scored_topics", s->n_scored_topics);
    return o;
}

static saetm_status write_json(saetm_ctx *ctx, const char *path, cJSON *root)
{
    char *text = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL; written with its length */
    saetm_status st = saetm__write_file_atomic(ctx, path, text, len + 1);
    cJSON_free(text);
    return st;
}

saetm_status saetm_topics_write(saetm_ctx *ctx, const saetm_topics *t, const saetm_interp *it, const char *dir)
{
    if (saetm_interp_vocab_size(it) != t->V || saetm_interp_num_features(it) != t->F)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "topics: the interpretation does not match the topics");
    saetm_status st = saetm__mkdir(ctx, dir);
    if (st) return st;
    size_t plen = strlen(dir) + 32;
    char *path = malloc(plen);
    if (!path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    uint32_t K = t->k, n = t->o.top_n;
    /* top_words.txt */
    size_t cap = 1 << 16, len = 0;
    char *txt = malloc(cap);
    for (uint32_t k = 0; txt && k < K; k++) {
        const uint32_t *top = saetm_topics_top_words(t, k);
        for (uint32_t j = 0; j < n && top[j] != UINT32_MAX; j++) {
            const char *word = saetm_interp_word(it, top[j]);
            size_t wl = strlen(word);
            if (len + wl + 2 > cap) {
                char *nt = realloc(txt, cap * 2 + wl);
                if (!nt) {
                    free(txt);
                    txt = NULL;
                    break;
                }
                txt = nt;
                cap = cap * 2 + wl;
            }
            if (j) txt[len++] = ' ';
            memcpy(txt + len, word, wl);
            len += wl;
        }
        if (txt) txt[len++] = '\n';
    }
    if (!txt) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    snprintf(path, plen, "%s/top_words.txt", dir);
    if (!st) st = saetm__write_file_atomic(ctx, path, txt, len);
    free(txt);
    /* topics.json */
    if (!st) {
        cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
        cJSON_AddNumberToObject(root, "k", K);
        cJSON_AddNumberToObject(root, "n_features", t->F);
        cJSON_AddNumberToObject(root, "n_docs", (double)t->N);
        cJSON_AddStringToObject(root, "method", saetm__merge_method_name(t->o.method));
        cJSON_AddStringToObject(root, "space", t->o.method == SAETM_MERGE_COACT ? "none" : saetm__space_name(t->o.space));
        if (t->o.coact_init == SAETM_COACT_INIT_PIVOT) cJSON_AddStringToObject(root, "coact_init", "pivot");
        cJSON_AddNumberToObject(root, "tau", t->o.tau);
        cJSON_AddStringToObject(root, "rank", t->o.rank == SAETM_RANK_PROB       ? "prob"
                                              : t->o.rank == SAETM_RANK_RELEVANCE ? "relevance"
                                                                                  : "frex");
        if (t->o.rank == SAETM_RANK_RELEVANCE) cJSON_AddNumberToObject(root, "lambda", t->lambda);
        if (t->o.rank == SAETM_RANK_RELEVANCE && t->o.min_diversity > 0)
            cJSON_AddNumberToObject(root, "min_diversity", t->o.min_diversity);
        if (t->o.rank == SAETM_RANK_FREX) cJSON_AddNumberToObject(root, "frex_weight", t->o.frex_weight);
        if (t->n_eval) {
            cJSON *ev = cJSON_AddObjectToObject(root, "evaluation");
            cJSON_AddItemToObject(ev, "in_sample", saetm__score_json(&t->eval[0]));
            if (t->n_eval > 1) {
                cJSON_AddItemToObject(ev, "held_out", saetm__score_json(&t->eval[1]));
                cJSON_AddNumberToObject(ev, "holdout_fraction", t->holdout);
            }
        }
        cJSON_AddItemToObject(root, "topics", arr);
        for (uint32_t k = 0; k < K; k++) {
            cJSON *tp = cJSON_CreateObject(), *words = cJSON_CreateArray(), *feats = cJSON_CreateArray();
            cJSON_AddNumberToObject(tp, "id", k);
            cJSON_AddNumberToObject(tp, "weight", t->weight[k]);
            cJSON_AddNumberToObject(tp, "doc_count", (double)t->doc_count[k]);
            const uint32_t *top = saetm_topics_top_words(t, k);
            for (uint32_t j = 0; j < n && top[j] != UINT32_MAX; j++) {
                cJSON *wo = cJSON_CreateObject();
                cJSON_AddStringToObject(wo, "word", saetm_interp_word(it, top[j]));
                cJSON_AddNumberToObject(wo, "prob", t->topic_word[(size_t)k * t->V + top[j]]);
                cJSON_AddItemToArray(words, wo);
            }
            for (uint32_t f = 0; f < t->F; f++)
                if (t->feature_topic[f] == (int32_t)k) cJSON_AddItemToArray(feats, cJSON_CreateNumber(f));
            cJSON_AddItemToObject(tp, "words", words);
            cJSON_AddItemToObject(tp, "features", feats);
            cJSON_AddItemToArray(arr, tp);
        }
        snprintf(path, plen, "%s/topics.json", dir);
        st = write_json(ctx, path, root);
    }
    snprintf(path, plen, "%s/doc_topics.npy", dir);
    if (!st) st = saetm_npy_save(ctx, path, t->doc_topics, t->N, K);
    snprintf(path, plen, "%s/topic_word.npy", dir);
    if (!st) st = saetm_npy_save(ctx, path, t->topic_word, K, t->V);
    /* tree.json for agglomerative merging */
    if (!st && t->merges) {
        cJSON *root = cJSON_CreateObject(), *leaves = cJSON_CreateArray(), *merges = cJSON_CreateArray();
        cJSON_AddStringToObject(root, "linkage", saetm__merge_method_name(t->o.method));
        cJSON_AddStringToObject(root, "space", saetm__space_name(t->o.space));
        cJSON_AddNumberToObject(root, "n_leaves", (double)t->n_leaves);
        for (uint64_t l = 0; l < t->n_leaves; l++) {
            cJSON *fs = cJSON_CreateArray();
            for (uint32_t f = 0; f < t->F; f++)
                if (t->leaf_of[f] == l) cJSON_AddItemToArray(fs, cJSON_CreateNumber(f));
            cJSON_AddItemToArray(leaves, fs);
        }
        for (uint64_t m = 0; m + 1 < t->n_leaves; m++) {
            double v[4] = {(double)t->merges[m].a, (double)t->merges[m].b, t->merges[m].h, t->merges[m].w};
            cJSON_AddItemToArray(merges, cJSON_CreateDoubleArray(v, 4));
        }
        cJSON_AddItemToObject(root, "leaf_features", leaves);
        cJSON_AddItemToObject(root, "merges", merges);
        snprintf(path, plen, "%s/tree.json", dir);
        st = write_json(ctx, path, root);
    }
    free(path);
    return st;
}

saetm_status saetm_topics_read_assignment(saetm_ctx *ctx, const char *path, uint32_t n_features, int32_t *ft,
                                          uint32_t *k)
{
    saetm__mapped m;
    saetm_status st = saetm__map_file(ctx, path, &m);
    if (st) return st;
    cJSON *root = cJSON_ParseWithLength((const char *)m.data, m.size);
    saetm__unmap(&m);
    if (!root) return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: not valid JSON", path);
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive(root, "topics");
    const cJSON *nf = cJSON_GetObjectItemCaseSensitive(root, "n_features");
    if (!cJSON_IsArray(topics) || !cJSON_IsNumber(nf)) {
        cJSON_Delete(root);
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: expected fields \"topics\" (array) and \"n_features\"", path);
    }
    if (nf->valuedouble != (double)n_features) {
        double got = nf->valuedouble;
        cJSON_Delete(root);
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "%s: topics of a model with %g features, not %u", path, got,
                           n_features);
    }
    for (uint32_t f = 0; f < n_features; f++) ft[f] = -1;
    int nt = cJSON_GetArraySize(topics), ti = 0;
    const cJSON *tp;
    cJSON_ArrayForEach(tp, topics)
    {
        const cJSON *feats = cJSON_GetObjectItemCaseSensitive(tp, "features"), *f;
        if (!cJSON_IsArray(feats)) {
            st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: topic %d has no \"features\" array", path, ti);
            break;
        }
        cJSON_ArrayForEach(f, feats)
        {
            double v = cJSON_IsNumber(f) ? f->valuedouble : -1;
            if (!(v >= 0 && v < n_features && v == floor(v)) || ft[(uint32_t)v] >= 0) {
                st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: topic %d: bad or repeated feature index", path, ti);
                break;
            }
            ft[(uint32_t)v] = ti;
        }
        if (st) break;
        ti++;
    }
    cJSON_Delete(root);
    if (!st && nt < 1) st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: no topics", path);
    *k = (uint32_t)nt;
    return st;
}

/* ======================================================================
 * Topic words from topics.json
 * ==================================================================== */

/* The first of the keys that obj has, or NULL. */
static const cJSON *first_item(const cJSON *obj, const char *const *keys)
{
    for (; *keys; keys++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *keys);
        if (v) return v;
    }
    return NULL;
}

/* A topic's words array: "words" as saetm writes it, or the names other tools use. */
static const cJSON *json_words(const cJSON *tp)
{
    static const char *const keys[] = {"words", "top_words", "terms", NULL};
    return first_item(tp, keys);
}

/* Word j of topic t: a string, {"word": ..., "prob": ...} (as saetm writes it; also "w"/"term" and
 * "p"/"probability"/"weight") or a [word, probability] pair. @return SAETM_OK. */
static saetm_status json_word(saetm_ctx *ctx, const char *path, int t, uint32_t j, const cJSON *w, const char **word,
                              double *prob)
{
    static const char *const word_keys[] = {"word", "w", "term", NULL};
    static const char *const prob_keys[] = {"prob", "p", "probability", "weight", NULL};
    const cJSON *ws = w, *wp = NULL;
    if (cJSON_IsObject(w)) {
        ws = first_item(w, word_keys);
        wp = first_item(w, prob_keys);
    } else if (cJSON_IsArray(w) && cJSON_GetArraySize(w) == 2) {
        ws = w->child;
        wp = w->child->next;
    }
    if (!cJSON_IsString(ws) || (wp && !cJSON_IsNumber(wp)))
        return saetm__fail(ctx, SAETM_ERR_FORMAT,
                           "%s: topic %d, word %u: expected a string, {\"word\": ..., \"prob\": ...} or [word, "
                           "probability]",
                           path, t, (unsigned)j);
    *word = ws->valuestring;
    *prob = wp ? wp->valuedouble : NAN;
    return SAETM_OK;
}

/* Check the topics of root: objects, ids (optional) a permutation of 0..n-1, a "words" array
 * each; order[id] = the entry's position. Counts the words (at most max_words per topic). */
static saetm_status json_topics_check(saetm_ctx *ctx, const char *path, const cJSON *topics, uint32_t max_words,
                                      const cJSON **order, uint64_t *n_words, size_t *n_bytes)
{
    uint32_t n = (uint32_t)cJSON_GetArraySize(topics);
    int t = 0;
    for (const cJSON *tp = topics->child; tp; tp = tp->next, t++) {
        if (!cJSON_IsObject(tp)) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: expected an object", path, t);
        uint32_t id = (uint32_t)t;
        const cJSON *idv = cJSON_GetObjectItemCaseSensitive(tp, "id");
        if (idv) {
            if (!cJSON_IsNumber(idv) || !(idv->valuedouble >= 0 && idv->valuedouble < n) ||
                idv->valuedouble != floor(idv->valuedouble))
                return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: \"id\" must be an integer in 0..%u", path, t,
                                   (unsigned)n - 1);
            id = (uint32_t)idv->valuedouble;
        }
        if (order[id]) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: id %u appears twice", path, t, (unsigned)id);
        order[id] = tp;
        const cJSON *words = json_words(tp);
        if (!cJSON_IsArray(words))
            return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: topic %d: missing \"words\" array", path, t);
        uint32_t j = 0;
        for (const cJSON *w = words->child; w && j < max_words; w = w->next, j++) {
            const char *word = "";
            double p = NAN;
            saetm_status st = json_word(ctx, path, t, j, w, &word, &p);
            if (st) return st;
            *n_bytes += strlen(word) + 1;
        }
        *n_words += j;
    }
    return SAETM_OK;
}

saetm_status saetm_topics_read_words(saetm_ctx *ctx, const char *path, uint32_t max_words, saetm_topic_words **out)
{
    *out = NULL;
    cJSON *root;
    saetm_status st = saetm__json_read(ctx, path, &root);
    if (st) return st;
    const cJSON *topics = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "topics");
    uint32_t n = cJSON_IsArray(topics) ? (uint32_t)cJSON_GetArraySize(topics) : 0;
    if (!n) {
        cJSON_Delete(root);
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: expected an object with a non-empty \"topics\" array", path);
    }
    if (!max_words) max_words = UINT32_MAX;
    const cJSON **order = calloc(n, sizeof *order);
    uint64_t n_words = 0;
    size_t n_bytes = 0;
    st = order ? json_topics_check(ctx, path, topics, max_words, order, &n_words, &n_bytes)
               : saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    saetm_topic_words *tw = st ? NULL : calloc(1, sizeof *tw);
    if (tw) {
        tw->word_start = calloc((size_t)n + 1, sizeof *tw->word_start);
        tw->words = malloc((size_t)(n_words + 1) * sizeof *tw->words);
        tw->prob = malloc((size_t)(n_words + 1) * sizeof *tw->prob);
        tw->owner_ = malloc(n_bytes + 1);
    }
    if (!st && (!tw || !tw->word_start || !tw->words || !tw->prob || !tw->owner_))
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    char *buf = st ? NULL : tw->owner_;
    uint64_t k = 0;
    for (uint32_t t = 0; !st && t < n; t++) {
        const cJSON *words = json_words(order[t]);
        uint32_t j = 0;
        for (const cJSON *w = words->child; w && j < max_words; w = w->next, j++, k++) {
            const char *word = "";
            double p = NAN;
            json_word(ctx, path, (int)t, j, w, &word, &p); /* checked above */
            size_t len = strlen(word) + 1;
            memcpy(buf, word, len);
            tw->words[k] = buf;
            tw->prob[k] = (float)p;
            buf += len;
        }
        tw->word_start[t + 1] = k;
    }
    free(order);
    cJSON_Delete(root);
    if (st) {
        saetm_topic_words_free(tw);
        return st;
    }
    tw->n_topics = n;
    *out = tw;
    return SAETM_OK;
}
