/*
 * embed_docs.c - the pipeline's embedding steps: a reader's documents into an .npy with its
 * sidecar (saetm_embed_file: `saetm embed` and saetm_fit), and the vocabulary's words for the
 * topic stage's word space (saetm_embed_vocab, cached in the model directory).
 */
#include "model_int.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct docs {
    char **text;
    size_t *len;
    size_t n, cap;
} docs;

static void docs_free(docs *d)
{
    for (size_t i = 0; i < d->n; i++) free(d->text[i]);
    free(d->text);
    free(d->len);
}

static int docs_add(docs *d, const char *s, size_t len)
{
    if (d->n == d->cap) {
        size_t c = d->cap ? 2 * d->cap : 1024;
        char **t = realloc(d->text, c * sizeof *t);
        if (!t) return -1;
        d->text = t;
        size_t *l = realloc(d->len, c * sizeof *l);
        if (!l) return -1;
        d->len = l;
        d->cap = c;
    }
    char *copy = malloc(len + 1);
    if (!copy) return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    d->text[d->n] = copy;
    d->len[d->n++] = len;
    return 0;
}

/* Every document of `input` through the corpus reader (same formats, fields and skip rules as a
 * corpus build, so rows line up with a corpus built from the same input), or, with `corpus`, the
 * documents of that corpus file from its recorded source, checked row by row. */
static saetm_status read_docs(saetm_ctx *ctx, const char *input, const char *corpus, const saetm_corpus_opts *o,
                              docs *d)
{
    saetm_corpus *c = NULL;
    saetm_docreader *r = NULL;
    saetm_status st = corpus ? saetm_corpus_load(ctx, corpus, &c) : SAETM_OK;
    if (!st) st = corpus ? saetm_docreader_open_corpus(ctx, c, &r) : saetm_docreader_open(ctx, input, o, &r);
    while (!st) {
        saetm_doc doc;
        int got = 0;
        if ((st = saetm_docreader_next(ctx, r, &doc, &got)) || !got) break;
        if (docs_add(d, doc.text, doc.text_len))
            st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory reading %s", corpus ? corpus : input);
    }
    saetm_docreader_close(r);
    saetm_corpus_free(c);
    return st;
}

/* The sidecar NPY.json naming the embedder, written atomically. */
static saetm_status write_sidecar(saetm_ctx *ctx, const char *npy, const saetm_embedder *e, uint64_t rows,
                                  const char *input)
{
    size_t n = strlen(npy);
    char *path = malloc(n + 6);
    cJSON *o = path ? cJSON_CreateObject() : NULL;
    char *s = NULL;
    if (o) {
        snprintf(path, n + 6, "%s.json", npy);
        cJSON_AddStringToObject(o, "embedder", saetm_embedder_name(e));
        cJSON_AddStringToObject(o, "embedder_version", saetm_embedder_version(e));
        cJSON_AddNumberToObject(o, "rows", (double)rows);
        cJSON_AddNumberToObject(o, "dim", saetm_embedder_dim(e));
        cJSON_AddStringToObject(o, "input", input);
        s = cJSON_Print(o);
        cJSON_Delete(o);
    }
    saetm_status st = s ? saetm__write_line(ctx, path, s)
                        : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory writing %s.json", npy);
    cJSON_free(s);
    free(path);
    return st;
}

saetm_status saetm_embed_file(saetm_ctx *ctx, const char *model, const char *input, const char *corpus,
                              const saetm_corpus_opts *opts, const char *out_npy)
{
    if (!input == !corpus) return saetm__fail(ctx, SAETM_ERR_ARG, "give exactly one of --input and --corpus");
    saetm_embedder *e = NULL;
    saetm_status st = saetm_embedder_load(ctx, model, &e);
    if (st) return st;
    docs d;
    memset(&d, 0, sizeof d);
    float *emb = NULL;
    st = read_docs(ctx, input, corpus, opts, &d);
    uint32_t dim = saetm_embedder_dim(e);
    if (!st && !(emb = malloc((d.n ? d.n : 1) * dim * sizeof *emb)))
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory for %zu x %u floats", d.n, dim);
    /* Under mpirun every process reads the documents and embeds its share; rank 0 gathers the
     * rows (saetm_embed_texts) and writes the files (docs/distributed.md). */
    const int writer = saetm_dist_rank() == 0;
    if (!st) st = saetm_embed_texts(ctx, e, (const char *const *)d.text, d.len, d.n, emb);
    if (!st && writer) st = saetm_npy_save(ctx, out_npy, emb, d.n, dim);
    if (!st && writer) st = write_sidecar(ctx, out_npy, e, d.n, corpus ? corpus : input);
    free(emb);
    docs_free(&d);
    saetm_embedder_free(e);
    return st;
}

saetm_status saetm__embed_docs(saetm_ctx *ctx, const char *input, const saetm_corpus_opts *o, saetm_matrix *out,
                               char *name, size_t cap)
{
    memset(out, 0, sizeof *out);
    saetm_embedder *e = NULL;
    saetm_status st = saetm_embedder_load(ctx, NULL, &e);
    if (st) return st;
    snprintf(name, cap, "%s@%s", saetm_embedder_name(e), saetm_embedder_version(e));
    docs d;
    memset(&d, 0, sizeof d);
    st = read_docs(ctx, input, NULL, o, &d);
    if (!st) st = saetm__matrix_alloc(ctx, d.n, saetm_embedder_dim(e), out);
    if (!st) st = saetm_embed_texts(ctx, e, (const char *const *)d.text, d.len, d.n, out->data);
    if (st) saetm_matrix_free(out);
    docs_free(&d);
    saetm_embedder_free(e);
    return st;
}

saetm_status saetm_embed_vocab(saetm_ctx *ctx, const saetm_interp *it, const char *dir, saetm_matrix *out, int *none)
{
    uint32_t V = saetm_interp_vocab_size(it);
    char npy[4096], txt[4096];
    if (!saetm_model_path(ctx, dir, "word_vectors.npy", npy, sizeof npy) ||
        !saetm_model_path(ctx, dir, "word_vectors.txt", txt, sizeof txt))
        return SAETM_ERR_ARG;
    *none = 0;
    /* The cache is valid when its word list is exactly this vocabulary. */
    size_t len = 0;
    for (uint32_t w = 0; w < V; w++) len += strlen(saetm_interp_word(it, w)) + 1;
    char *list = malloc(len + 1), *at = list;
    if (!list) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    for (uint32_t w = 0; w < V; w++) at += sprintf(at, "%s\n", saetm_interp_word(it, w));
    FILE *f = fopen(txt, "rb");
    if (f) {
        char *old = malloc(len + 2);
        size_t got = old ? fread(old, 1, len + 1, f) : 0;
        fclose(f);
        int same = old && got == len && memcmp(old, list, len) == 0;
        free(old);
        saetm_ctx *c2 = saetm_ctx_create(); /* a stale or broken cache is rebuilt, not an error */
        if (same && c2 && saetm_npy_load(c2, npy, out) == SAETM_OK) {
            saetm_ctx_free(c2);
            if (out->rows == V) {
                free(list);
                return SAETM_OK;
            }
            saetm_matrix_free(out);
        } else {
            saetm_ctx_free(c2);
        }
    }
    saetm_embedder *e = NULL;
    saetm_ctx *probe = saetm_ctx_create(); /* "not installed" is an answer, not an error */
    saetm_status st = probe ? saetm_embedder_load(probe, NULL, &e) : SAETM_ERR_NOMEM;
    saetm_ctx_free(probe);
    if (st == SAETM_ERR_IO) {
        *none = 1;
        free(list);
        return SAETM_OK;
    }
    if (st) st = saetm_embedder_load(ctx, NULL, &e); /* again, for the message */
    const char **words = st ? NULL : malloc((size_t)V * sizeof *words);
    float *vec = words ? malloc((size_t)V * saetm_embedder_dim(e) * sizeof *vec) : NULL;
    if (!st && !vec) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory for the word vectors");
    if (!st) {
        for (uint32_t w = 0; w < V; w++) words[w] = saetm_interp_word(it, w);
        saetm__log(ctx, SAETM_LOG_INFO, "topics: embedding the %u vocabulary words with the built-in embedder", V);
        st = saetm_embed_texts(ctx, e, words, NULL, V, vec);
    }
    if (!st) st = saetm_npy_save(ctx, npy, vec, V, saetm_embedder_dim(e));
    if (!st) st = saetm__write_file_atomic(ctx, txt, list, len);
    if (!st) st = saetm_npy_load(ctx, npy, out);
    free(vec);
    free(words);
    free(list);
    saetm_embedder_free(e);
    return st;
}
