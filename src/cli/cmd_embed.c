/*
 * cmd_embed.c - `saetm embed --input DOCS --out X.npy`: sentence embeddings of documents with the
 * built-in embedder (Universal Sentence Encoder Lite, 512-d). Writes X.npy (float32, one row per
 * document, in input order) and the sidecar X.npy.json naming the embedder and its version.
 */
#include "cli.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Read every document of `input` with the corpus reader (same formats, fields and skip rules as
 * `saetm corpus`, so rows line up with a corpus built from the same input), or, with `corpus`,
 * the documents of that corpus file from its recorded source, checked row by row. */
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
        if (docs_add(d, doc.text, doc.text_len)) {
            fprintf(stderr, "saetm embed: out of memory reading %s\n", corpus ? corpus : input);
            st = SAETM_ERR_NOMEM;
        }
    }
    saetm_docreader_close(r);
    saetm_corpus_free(c);
    return st;
}

/* The sidecar X.npy.json, written atomically. */
static int write_sidecar(const char *npy, const saetm_embedder *e, uint64_t rows, const char *input)
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
    char *text = s ? malloc(strlen(s) + 2) : NULL;
    int rc = -1;
    if (text) {
        snprintf(text, strlen(s) + 2, "%s\n", s);
        rc = cli_write_text("embed", path, text) == CLI_EXIT_OK ? 0 : -1;
    } else {
        fprintf(stderr, "saetm embed: out of memory writing %s.json\n", npy);
    }
    free(text);
    cJSON_free(s);
    free(path);
    return rc;
}

int cmd_embed(int argc, char **argv)
{
    const char *input = NULL, *out = NULL, *format = "auto", *field = "text", *model = NULL, *corpus = NULL;
    int skip_bad = 0;
    const cli_opt opts[] = {
        {"input", CLI_STR, &input, "FILE", "documents, read as by 'saetm corpus' (JSONL, CSV, text lines, directory)", NULL},
        {"corpus", CLI_STR, &corpus, "FILE",
         "instead of --input: the documents of a corpus file (.stc), re-read from the source it was built from and "
         "checked against it", NULL},
        {"out", CLI_STR, &out, "FILE", "output .npy (float32, documents x 512); FILE.json names the embedder", NULL},
        {"format", CLI_STR, &format, "F", "input format: auto|jsonl|csv|text|dir (auto: by extension)", "auto"},
        {"text-field", CLI_STR, &field, "NAME", "JSONL/CSV field holding the text", "text"},
        {"skip-bad", CLI_FLAG, &skip_bad, NULL, "leave out bad records with a warning instead of failing", NULL},
        {"model", CLI_STR, &model, "FILE",
         "embedder model file (default: $SAETM_EMBEDDER, else models/use-lite-en.stm by the executable)", NULL},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "embed",
                       "Embed documents with the built-in sentence embedder (Universal Sentence Encoder Lite):\n"
                       "  saetm embed --input docs.jsonl --out emb.npy\n"
                       "  saetm embed --corpus corpus.stc --out emb.npy",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!input == !corpus) return cli_usage_error("embed", "give exactly one of --input and --corpus");
    if (!out) return cli_usage_error("embed", "--out is required");
    saetm_corpus_opts o;
    saetm_corpus_opts_default(&o);
    if (saetm_input_format_parse(format, &o.format))
        return cli_usage_error("embed", "--format must be auto, jsonl, csv, text or dir, not '%s'", format);
    o.text_field = field;
    o.skip_bad = skip_bad;
    const char *bad = saetm_corpus_opts_check(&o);
    if (bad) return cli_usage_error("embed", "%s", bad);

    saetm_ctx *ctx = cli_ctx(&common);
    saetm_embedder *e = NULL;
    saetm_status st = saetm_embedder_load(ctx, model, &e);
    if (st) {
        rc = cli_fail(ctx, "embed", st);
        saetm_ctx_free(ctx);
        return rc;
    }
    /* Under mpirun every process reads the documents and embeds its share; rank 0 gathers the
     * rows (saetm_embed_texts) and writes the files (docs/distributed.md). */
    const int writer = saetm_dist_rank() == 0;
    docs d;
    memset(&d, 0, sizeof d);
    float *emb = NULL;
    rc = CLI_EXIT_FAIL;
    if ((st = read_docs(ctx, input, corpus, &o, &d))) {
        rc = cli_fail(ctx, "embed", st);
    } else {
        uint32_t dim = saetm_embedder_dim(e);
        emb = malloc((d.n ? d.n : 1) * dim * sizeof *emb);
        if (!emb) {
            fprintf(stderr, "saetm embed: out of memory for %zu x %u floats\n", d.n, dim);
        } else if ((st = saetm_embed_texts(ctx, e, (const char *const *)d.text, d.len, d.n, emb)) ||
                   (writer && (st = saetm_npy_save(ctx, out, emb, d.n, dim)))) {
            rc = cli_fail(ctx, "embed", st);
        } else if (!writer || write_sidecar(out, e, d.n, corpus ? corpus : input) == 0) {
            rc = CLI_EXIT_OK;
        }
    }
    free(emb);
    docs_free(&d);
    saetm_embedder_free(e);
    saetm_ctx_free(ctx);
    return rc;
}
