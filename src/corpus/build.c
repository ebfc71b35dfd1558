/*
 * build.c - building a corpus file in two passes without holding the text in memory.
 *
 * Pass 1 reads one document at a time (reader.c), turns it into terms (text.c, lemma.c) and
 * spills its distinct (term, count) pairs and its metadata strings to anonymous temporary files;
 * memory holds only the dictionaries of distinct surface forms and terms with their document
 * frequencies. Then the vocabulary is chosen (vocab.c), and pass 2 re-reads the spilled counts,
 * maps terms to vocabulary ids, sorts each document's words and streams every section of the
 * corpus file (corpus_file.c) to disk.
 *
 * Every distinct surface form is analysed once (stopword test, WordNet lemma) and cached, so the
 * per-token cost is one hash lookup.
 */
#include "corpus_int.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MISSING_MARK '\xff' /* a spilled string "\xff" stands for "no value" (never valid UTF-8) */
#define CHUNK (1u << 16)

enum { S_ID, S_DATE, S_GROUP, S_SNIPPET, N_SPILL_STR };
static const char *const str_section[N_SPILL_STR] = {"doc_id", "date", "group", "snippet"};

typedef struct builder {
    saetm_ctx *ctx;
    const saetm_corpus_opts *o;
    saetm__stopwords sw;
    int have_sw;
    saetm__strmap surf;   /* surface forms seen */
    uint32_t *surf_term;  /* their term, or UINT32_MAX if dropped */
    size_t surf_cap;
    saetm__strmap terms;  /* terms (lemmas) */
    uint32_t *df;
    uint64_t *mark;       /* last document (+1) that used the term */
    uint32_t *cnt;        /* its count in that document */
    size_t term_cap;
    uint32_t *uniq;       /* distinct terms of the current document */
    size_t uniq_cap;
    saetm__tokens tok;
    saetm__buf snip;
    FILE *bow;
    FILE *str[N_SPILL_STR];
    uint64_t n_docs, raw_tokens;
} builder;

/* ---- temporary files ----------------------------------------------------------------------- */

/* Create a file from `pattern` (ending in XXXXXX) in dir; its name in *path (malloc'ed). */
static saetm_status temp_file(saetm_ctx *ctx, const char *dir, const char *pattern, char **path, int *fd)
{
    size_t n = strlen(dir) + strlen(pattern) + 2;
    *path = malloc(n);
    if (!*path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    snprintf(*path, n, "%s/%s", dir, pattern);
    *fd = mkstemp(*path);
    if (*fd < 0) {
        saetm_status st = saetm__fail(ctx, SAETM_ERR_IO, "cannot create a temporary file in %s: %s", dir,
                                      strerror(errno));
        free(*path);
        *path = NULL;
        return st;
    }
    return SAETM_OK;
}

static saetm_status spill_open(saetm_ctx *ctx, const char *dir, FILE **out)
{
    *out = NULL;
    char *path;
    int fd = -1;
    saetm_status st = temp_file(ctx, dir, ".saetm-spill-XXXXXX", &path, &fd);
    if (st) return st;
    unlink(path); /* anonymous: gone when closed, even after a crash */
    free(path);
    FILE *fp = fdopen(fd, "w+b");
    if (!fp) {
        close(fd);
        return saetm__fail(ctx, SAETM_ERR_IO, "cannot open a temporary file in %s", dir);
    }
    setvbuf(fp, NULL, _IOFBF, 1u << 20);
    *out = fp;
    return SAETM_OK;
}

static saetm_status spill_write(builder *b, FILE *fp, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, fp) != n)
        return saetm__fail(b->ctx, SAETM_ERR_IO, "writing a temporary file: %s", strerror(errno));
    return SAETM_OK;
}

static saetm_status spill_rewind(saetm_ctx *ctx, FILE *fp)
{
    if (fflush(fp) != 0 || fseek(fp, 0, SEEK_SET) != 0)
        return saetm__fail(ctx, SAETM_ERR_IO, "rewinding a temporary file: %s", strerror(errno));
    return SAETM_OK;
}

static saetm_status spill_read(saetm_ctx *ctx, FILE *fp, void *p, size_t n)
{
    if (n && fread(p, 1, n, fp) != n)
        return saetm__fail(ctx, SAETM_ERR_IO, "reading back a temporary file: %s",
                           ferror(fp) ? strerror(errno) : "unexpected end");
    return SAETM_OK;
}

/* ---- pass 1: documents to spilled term counts ---------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/* The term of a new surface form, or UINT32_MAX if the form is dropped. */
static saetm_status analyse(builder *b, const char *s, size_t len, uint32_t *tid)
{
    *tid = UINT32_MAX;
    const char *term = s;
    size_t tlen = len;
    char lemma[2 * SAETM__MAX_TOKEN_BYTES + 2];
    saetm_preprocess mode = b->o->preprocess;
    if (mode != SAETM_PREPROCESS_NONE) {
        if (saetm__stopwords_has(&b->sw, s, len)) return SAETM_OK;
        if (mode == SAETM_PREPROCESS_FULL) {
            if (!saetm__lemma(s, len, lemma, sizeof lemma)) return SAETM_OK;
            term = lemma;
            tlen = strlen(lemma);
            if (utf8_chars(term, tlen) < SAETM__MIN_TOKEN_CHARS || saetm__stopwords_has(&b->sw, term, tlen))
                return SAETM_OK;
        }
    }
    uint32_t t;
    int r = saetm__strmap_insert(&b->terms, term, tlen, &t);
    if (r < 0) return saetm__fail(b->ctx, SAETM_ERR_NOMEM, "out of memory (%u terms)", b->terms.count);
    if (r == 1) {
        size_t cap = b->term_cap, cap2 = b->term_cap, cap3 = b->term_cap;
        if (grow((void **)&b->df, &cap, (size_t)t + 1, sizeof *b->df) ||
            grow((void **)&b->mark, &cap2, (size_t)t + 1, sizeof *b->mark) ||
            grow((void **)&b->cnt, &cap3, (size_t)t + 1, sizeof *b->cnt))
            return saetm__fail(b->ctx, SAETM_ERR_NOMEM, "out of memory (%u terms)", b->terms.count);
        b->term_cap = cap;
        b->df[t] = 0;
        b->mark[t] = 0;
        b->cnt[t] = 0;
    }
    *tid = t;
    return SAETM_OK;
}

static saetm_status spill_string(builder *b, int k, const char *s)
{
    if (!s) {
        static const char missing[2] = {MISSING_MARK, 0};
        return spill_write(b, b->str[k], missing, 2);
    }
    return spill_write(b, b->str[k], s, strlen(s) + 1);
}

static saetm_status add_document(builder *b, const saetm_doc *doc)
{
    saetm_status st = saetm__tokenize(b->ctx, b->o->preprocess, doc->text, doc->text_len, &b->tok);
    if (st) return st;
    if (grow((void **)&b->uniq, &b->uniq_cap, b->tok.n + 1, sizeof *b->uniq))
        return saetm__fail(b->ctx, SAETM_ERR_NOMEM, "out of memory");
    uint64_t mark = b->n_docs + 1;
    uint32_t n_uniq = 0;
    for (size_t i = 0; i < b->tok.n; i++) {
        const char *s = b->tok.norm.data + b->tok.off[i];
        size_t len = b->tok.len[i];
        uint32_t sid, tid;
        int r = saetm__strmap_insert(&b->surf, s, len, &sid);
        if (r < 0) return saetm__fail(b->ctx, SAETM_ERR_NOMEM, "out of memory (%u word forms)", b->surf.count);
        if (r == 1) {
            if (grow((void **)&b->surf_term, &b->surf_cap, (size_t)sid + 1, sizeof *b->surf_term))
                return saetm__fail(b->ctx, SAETM_ERR_NOMEM, "out of memory");
            if ((st = analyse(b, s, len, &tid))) return st;
            b->surf_term[sid] = tid;
        } else {
            tid = b->surf_term[sid];
        }
        if (tid == UINT32_MAX) continue;
        b->raw_tokens++;
        if (b->mark[tid] != mark) {
            b->mark[tid] = mark;
            b->cnt[tid] = 0;
            b->uniq[n_uniq++] = tid;
        }
        b->cnt[tid]++;
    }
    /* Spill: n, then n (term, count) pairs. */
    st = spill_write(b, b->bow, &n_uniq, sizeof n_uniq);
    for (uint32_t i = 0; i < n_uniq && !st; i++) {
        uint32_t t = b->uniq[i], pair[2] = {t, b->cnt[t]};
        b->df[t]++;
        st = spill_write(b, b->bow, pair, sizeof pair);
    }
    if (st) return st;
    if (saetm__snippet(doc->text, doc->text_len, b->o->snippet_chars, &b->snip))
        return saetm__fail(b->ctx, SAETM_ERR_NOMEM, "out of memory");
    if ((st = spill_string(b, S_ID, doc->id))) return st;
    if ((st = spill_string(b, S_DATE, doc->date))) return st;
    if ((st = spill_string(b, S_GROUP, doc->group))) return st;
    if ((st = spill_string(b, S_SNIPPET, b->snip.data))) return st;
    b->n_docs++;
    return SAETM_OK;
}

/* ---- pass 2: spilled counts to CSR sections ------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Re-read the spilled pairs, map them to vocabulary ids and write each document's entries,
 * sorted, as (id << 32 | count) to `out`, preceded by their number. */
static saetm_status remap_bow(builder *b, const uint32_t *remap, FILE *out, saetm_corpus_stats *s)
{
    saetm_status st = spill_rewind(b->ctx, b->bow);
    uint64_t *row = NULL;
    size_t row_cap = 0;
    for (uint64_t d = 0; d < b->n_docs && !st; d++) {
        uint32_t n;
        if ((st = spill_read(b->ctx, b->bow, &n, sizeof n))) break;
        if (grow((void **)&row, &row_cap, (size_t)n + 1, sizeof *row)) {
            st = saetm__fail(b->ctx, SAETM_ERR_NOMEM, "out of memory");
            break;
        }
        uint32_t m = 0;
        for (uint32_t i = 0; i < n && !st; i++) {
            uint32_t pair[2];
            if ((st = spill_read(b->ctx, b->bow, pair, sizeof pair))) break;
            uint32_t w = remap[pair[0]];
            if (w != UINT32_MAX) {
                row[m++] = (uint64_t)w << 32 | pair[1];
                s->tokens += pair[1];
            }
        }
        if (st) break;
        qsort(row, m, sizeof *row, cmp_u64);
        s->nnz += m;
        s->empty_docs += m == 0;
        st = spill_write(b, out, &m, sizeof m);
        if (!st) st = spill_write(b, out, row, (size_t)m * sizeof *row);
    }
    free(row);
    return st;
}

/* What to write from the remapped counts. */
enum { W_ROW_PTR, W_WORD_IDS, W_COUNTS, W_EMPTY };

static saetm_status write_csr_section(builder *b, saetm__cwriter *w, FILE *in, int what)
{
    static const char *const names[] = {"row_ptr", "word_ids", "counts", "empty"};
    static const saetm__dtype types[] = {SAETM__U64, SAETM__U32, SAETM__U32, SAETM__U8};
    saetm_ctx *ctx = b->ctx;
    saetm_status st = spill_rewind(ctx, in);
    if (!st) st = saetm__cw_begin(ctx, w, names[what], types[what], 1);
    uint8_t *chunk = malloc(CHUNK);
    uint64_t *row = NULL;
    size_t row_cap = 0, used = 0, esize = saetm__dtype_size(types[what]);
    if (!chunk) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    uint64_t pos = 0;
    if (!st && what == W_ROW_PTR) {
        memcpy(chunk, &pos, 8);
        used = 8;
    }
    for (uint64_t d = 0; d < b->n_docs && !st; d++) {
        uint32_t m;
        if ((st = spill_read(ctx, in, &m, sizeof m))) break;
        if (grow((void **)&row, &row_cap, (size_t)m + 1, sizeof *row)) {
            st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
            break;
        }
        if ((st = spill_read(ctx, in, row, (size_t)m * sizeof *row))) break;
        uint32_t k_items = what == W_ROW_PTR || what == W_EMPTY ? 1 : m;
        for (uint32_t i = 0; i < k_items && !st; i++) {
            if (used + esize > CHUNK) {
                st = saetm__cw_append(ctx, w, chunk, used);
                used = 0;
                if (st) break;
            }
            if (what == W_ROW_PTR) {
                pos += m;
                memcpy(chunk + used, &pos, 8);
            } else if (what == W_EMPTY) {
                chunk[used] = m == 0;
            } else {
                uint32_t v = what == W_WORD_IDS ? (uint32_t)(row[i] >> 32) : (uint32_t)row[i];
                memcpy(chunk + used, &v, 4);
            }
            used += esize;
        }
    }
    if (!st && used) st = saetm__cw_append(ctx, w, chunk, used);
    if (!st) st = saetm__cw_end(ctx, w);
    free(chunk);
    free(row);
    return st;
}

/* Write a spilled string column as "name_off" (offsets) and "name" (blob): two passes over the
 * spill file; missing values ("\xff\0", the only place a 0xff byte can occur) become offset
 * UINT64_MAX and take no blob bytes. */
static saetm_status write_str_section(builder *b, saetm__cwriter *w, int k)
{
    saetm_ctx *ctx = b->ctx;
    FILE *in = b->str[k];
    char name[SAETM__SECTION_NAME_MAX];
    uint8_t *chunk = malloc(CHUNK), *outb = malloc(CHUNK);
    saetm_status st = chunk && outb ? SAETM_OK : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    for (int pass = 0; pass < 2 && !st; pass++) {
        snprintf(name, sizeof name, pass == 0 ? "%s_off" : "%s", str_section[k]);
        st = spill_rewind(ctx, in);
        if (!st) st = saetm__cw_begin(ctx, w, name, pass == 0 ? SAETM__U64 : SAETM__U8, 1);
        uint64_t out_pos = 0, start = 0;
        int prev_mark = 0;
        size_t used = 0;
        while (!st) {
            size_t got = fread(chunk, 1, CHUNK, in);
            if (got == 0) {
                if (ferror(in)) st = saetm__fail(ctx, SAETM_ERR_IO, "reading back a temporary file: %s", strerror(errno));
                break;
            }
            for (size_t i = 0; i < got && !st; i++) {
                uint8_t c = chunk[i];
                int mark = c == (uint8_t)MISSING_MARK, end_missing = c == 0 && prev_mark;
                prev_mark = mark;
                if (pass == 1) {
                    if (mark || end_missing) continue;
                    if (used == CHUNK) {
                        st = saetm__cw_append(ctx, w, outb, used);
                        used = 0;
                    }
                    outb[used++] = c;
                    continue;
                }
                if (mark) continue;
                if (c != 0) {
                    out_pos++;
                    continue;
                }
                uint64_t o = end_missing ? UINT64_MAX : start;
                if (!end_missing) start = ++out_pos;
                if (used + 8 > CHUNK) {
                    st = saetm__cw_append(ctx, w, outb, used);
                    used = 0;
                }
                memcpy(outb + used, &o, 8);
                used += 8;
            }
        }
        if (!st && used) st = saetm__cw_append(ctx, w, outb, used);
        if (!st) st = saetm__cw_end(ctx, w);
    }
    free(chunk);
    free(outb);
    return st;
}

/* ---- the whole build ----------------------------------------------------------------------- */

static const char *preprocess_name(saetm_preprocess p)
{
    static const char *const names[] = {"full", "basic", "none"};
    return (unsigned)p <= SAETM_PREPROCESS_NONE ? names[p] : "?";
}

/* The "info" section: how the corpus was made (no time stamps: same input, same bytes). */
static char *info_json(const char *path, const saetm_corpus_opts *o, saetm_input_format fmt,
                       const saetm_corpus_stats *s)
{
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    cJSON_AddStringToObject(j, "saetm_version", saetm_version());
    cJSON_AddStringToObject(j, "source", path);
    cJSON_AddStringToObject(j, "format", saetm_input_format_name(fmt));
    cJSON_AddStringToObject(j, "text_field", o->text_field ? o->text_field : "text");
    if (o->id_field) cJSON_AddStringToObject(j, "id_field", o->id_field);
    if (o->date_field) cJSON_AddStringToObject(j, "date_field", o->date_field);
    if (o->group_field) cJSON_AddStringToObject(j, "group_field", o->group_field);
    cJSON_AddStringToObject(j, "preprocess", preprocess_name(o->preprocess));
    cJSON_AddStringToObject(j, "stopwords", o->stopwords ? o->stopwords : "built-in (english)");
    cJSON_AddNumberToObject(j, "min_df", o->min_df);
    cJSON_AddNumberToObject(j, "max_df", o->max_df);
    cJSON_AddNumberToObject(j, "max_vocab", o->max_vocab);
    cJSON_AddNumberToObject(j, "snippet_chars", o->snippet_chars);
    if (o->holdout > 0) { /* only then: corpora without a holdout keep their bytes */
        cJSON_AddNumberToObject(j, "holdout", o->holdout);
        cJSON_AddStringToObject(j, "holdout_part", o->holdout_part == SAETM_HOLDOUT_HELD ? "heldout" : "train");
        cJSON_AddNumberToObject(j, "input_docs", (double)s->input_docs);
    }
    cJSON_AddNumberToObject(j, "docs", (double)s->docs);
    cJSON_AddNumberToObject(j, "empty_docs", (double)s->empty_docs);
    cJSON_AddNumberToObject(j, "skipped", (double)s->skipped);
    cJSON_AddNumberToObject(j, "distinct_terms", (double)s->distinct_terms);
    cJSON_AddNumberToObject(j, "vocab_size", (double)s->vocab_size);
    cJSON_AddNumberToObject(j, "raw_tokens", (double)s->raw_tokens);
    cJSON_AddNumberToObject(j, "tokens", (double)s->tokens);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

static saetm_status write_corpus(builder *b, const char *path, const char *out_path, saetm_input_format fmt,
                                 const uint32_t *order, FILE *bow2, saetm_corpus_stats *s)
{
    saetm_ctx *ctx = b->ctx;
    char *info = info_json(path, b->o, fmt, s);
    if (!info) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    saetm__cwriter *w;
    saetm_status st = saetm__cw_open(ctx, out_path, SAETM__CORPUS_MAGIC, SAETM__CORPUS_VERSION, &w);
    if (st) {
        cJSON_free(info);
        return st;
    }
    uint64_t shape[8] = {s->docs, s->vocab_size, s->nnz, s->tokens, s->empty_docs, 0, 0, 0};
    st = saetm__cw_section(ctx, w, "shape", SAETM__U64, shape, 8, 1);
    if (!st) st = saetm__cw_section(ctx, w, "info", SAETM__U8, info, strlen(info) + 1, 1);
    cJSON_free(info);
    /* Vocabulary strings and document frequencies, in vocabulary order. */
    uint32_t *df = malloc(((size_t)s->vocab_size + 1) * sizeof *df);
    if (!df && !st) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    if (!st) st = saetm__cw_begin(ctx, w, "vocab_off", SAETM__U64, 1);
    uint64_t pos = 0;
    for (uint32_t v = 0; v < s->vocab_size && !st; v++) {
        size_t len;
        saetm__strmap_key(&b->terms, order[v], &len);
        st = saetm__cw_append(ctx, w, &pos, sizeof pos);
        pos += len + 1;
        df[v] = b->df[order[v]];
    }
    if (!st) st = saetm__cw_end(ctx, w);
    if (!st) st = saetm__cw_begin(ctx, w, "vocab", SAETM__U8, 1);
    for (uint32_t v = 0; v < s->vocab_size && !st; v++) {
        size_t len;
        const char *word = saetm__strmap_key(&b->terms, order[v], &len);
        st = saetm__cw_append(ctx, w, word, len + 1);
    }
    if (!st) st = saetm__cw_end(ctx, w);
    if (!st) st = saetm__cw_section(ctx, w, "df", SAETM__U32, df, s->vocab_size, 1);
    free(df);
    for (int what = W_ROW_PTR; what <= W_EMPTY && !st; what++) st = write_csr_section(b, w, bow2, what);
    for (int k = 0; k < N_SPILL_STR && !st; k++) st = write_str_section(b, w, k);
    if (st) {
        saetm__cw_abort(w);
        return st;
    }
    return saetm__cw_commit(ctx, w);
}

static void builder_free(builder *b)
{
    if (b->have_sw) saetm__stopwords_free(&b->sw);
    saetm__strmap_free(&b->surf);
    saetm__strmap_free(&b->terms);
    free(b->surf_term);
    free(b->df);
    free(b->mark);
    free(b->cnt);
    free(b->uniq);
    saetm__tokens_free(&b->tok);
    saetm__buf_free(&b->snip);
    if (b->bow) fclose(b->bow);
    for (int k = 0; k < N_SPILL_STR; k++)
        if (b->str[k]) fclose(b->str[k]);
}

/* The directory part of a path ("." if none), in buf. */
static const char *dir_of(const char *path, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return ".";
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= cap) n = cap - 1;
    memcpy(buf, path, n);
    buf[n] = 0;
    return buf;
}

static const char *default_tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && t[0] ? t : "/tmp";
}

saetm_status saetm_corpus_build_file(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *opts,
                                     const char *out_path, saetm_corpus_stats *stats)
{
    saetm_corpus_stats s;
    memset(&s, 0, sizeof s);
    if (stats) memset(stats, 0, sizeof *stats);
    if (!path || !out_path) return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_corpus_build_file: no input or output path");
    const char *msg = saetm_corpus_opts_check(opts);
    if (msg) return saetm__fail(ctx, SAETM_ERR_ARG, "%s", msg);
    builder b;
    memset(&b, 0, sizeof b);
    b.ctx = ctx;
    b.o = opts;
    saetm__strmap_init(&b.surf);
    saetm__strmap_init(&b.terms);
    /* The input first: a missing file or a bad header is reported before anything else. */
    saetm_docreader *r = NULL;
    saetm_status st = saetm_docreader_open(ctx, path, opts, &r);
    if (!st && opts->preprocess != SAETM_PREPROCESS_NONE) {
        st = saetm__stopwords_load(ctx, opts->stopwords, &b.sw);
        b.have_sw = st == SAETM_OK;
    }
    if (!st && opts->preprocess == SAETM_PREPROCESS_FULL) st = saetm__wordnet_open(ctx);
    char dbuf[4096];
    const char *tmp_dir = opts->tmp_dir ? opts->tmp_dir : dir_of(out_path, dbuf, sizeof dbuf);
    if (!st) st = spill_open(ctx, tmp_dir, &b.bow);
    for (int k = 0; k < N_SPILL_STR && !st; k++) st = spill_open(ctx, tmp_dir, &b.str[k]);

    /* Pass 1. */
    while (!st) {
        saetm_doc doc;
        int got;
        st = saetm_docreader_next(ctx, r, &doc, &got);
        if (st || !got) break;
        if ((st = add_document(&b, &doc))) {
            saetm__fail_prefix(ctx, st, "%s:%llu", doc.source, (unsigned long long)doc.line);
            break;
        }
        if ((b.n_docs & 1023) == 0) {
            uint64_t done, total;
            saetm_docreader_progress(r, &done, &total);
            if (saetm__progress(ctx, "corpus", done, total))
                st = saetm__fail(ctx, SAETM_ERR_INTERRUPTED, "interrupted after %llu documents",
                                 (unsigned long long)b.n_docs);
        }
    }
    if (!st) {
        uint64_t done, total;
        saetm_docreader_progress(r, &done, &total);
        saetm__progress(ctx, "corpus", total ? total : done, total);
        s.docs = b.n_docs;
        s.skipped = saetm_docreader_skipped(r);
        s.raw_tokens = b.raw_tokens;
        s.distinct_terms = b.terms.count;
        s.bytes_read = saetm__docreader_bytes(r);
        s.input_docs = saetm__docreader_docs(r);
    }
    saetm_docreader_close(r);

    /* Vocabulary, then pass 2. */
    uint32_t *remap = NULL, *order = NULL;
    FILE *bow2 = NULL;
    if (!st) {
        remap = malloc(((size_t)b.terms.count + 1) * sizeof *remap);
        if (!remap) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    if (!st)
        st = saetm__vocab_select(ctx, &b.terms, b.df, b.n_docs, opts->min_df, opts->max_df, opts->max_vocab, remap,
                                 &order, &s.vocab_size);
    if (!st) st = spill_open(ctx, tmp_dir, &bow2);
    if (!st) st = remap_bow(&b, remap, bow2, &s);
    free(remap);
    if (!st) st = write_corpus(&b, path, out_path, saetm__detect_format(path, opts->format), order, bow2, &s);
    free(order);
    if (bow2) fclose(bow2);
    builder_free(&b);
    if (!st && stats) *stats = s;
    return st;
}

saetm_status saetm_corpus_build(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *opts, saetm_corpus **out)
{
    *out = NULL;
    if (!opts) return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_corpus_build: no options");
    const char *dir = opts->tmp_dir ? opts->tmp_dir : default_tmp_dir();
    char *tmp;
    int fd = -1;
    saetm_status st = temp_file(ctx, dir, "saetm-corpus-XXXXXX", &tmp, &fd);
    if (st) return st;
    close(fd);
    saetm_corpus_opts o = *opts;
    o.tmp_dir = dir;
    st = saetm_corpus_build_file(ctx, path, &o, tmp, NULL);
    if (!st) st = saetm_corpus_load(ctx, tmp, out);
    unlink(tmp); /* the mapping stays valid */
    free(tmp);
    return st;
}
