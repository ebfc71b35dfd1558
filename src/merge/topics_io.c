/*
 * topics_io.c - the topic files: top_words.txt, topics.json, doc_topics.npy, topic_word.npy and
 * tree.json (saetm_topics_write; formats in docs/FORMAT.md), and reading a topic assignment back
 * from topics.json (saetm_topics_read_assignment).
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
