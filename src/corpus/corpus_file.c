/*
 * corpus_file.c - corpus files (.stc, magic SAETMCRP, version 1; see docs/FORMAT.md): loading
 * by memory map with every index verified, saving, and the accessors of saetm_corpus. A corpus
 * in memory is always a mapped file (saetm_corpus_build writes a temporary one), so a corpus
 * never needs more memory than the pages in use.
 */
#include "corpus_int.h"
#include "dist/dist.h"

#include <stdlib.h>
#include <string.h>

/* A string column: NUL-terminated strings in `blob`, string i at blob + off[i], or none if
 * off[i] == UINT64_MAX. */
typedef struct strcol {
    const char *blob;
    uint64_t blob_len;
    const uint64_t *off;
} strcol;

enum { COL_ID, COL_DATE, COL_GROUP, COL_SNIPPET, N_COLS };
static const char *const col_name[N_COLS] = {"doc_id", "date", "group", "snippet"};

struct saetm_corpus {
    saetm__creader reader;
    uint64_t n_docs, nnz, n_tokens, n_empty;
    uint32_t n_vocab;
    strcol vocab;
    const uint32_t *df;
    const uint64_t *row_ptr;
    const uint32_t *word_ids, *counts;
    const uint8_t *empty;
    strcol cols[N_COLS];
    const char *info;
};

/* ---- options ------------------------------------------------------------------------------- */

void saetm_corpus_opts_default(saetm_corpus_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->format = SAETM_INPUT_AUTO;
    opts->text_field = "text";
    opts->preprocess = SAETM_PREPROCESS_FULL;
    opts->min_df = 5;
    opts->max_df = 0.5;
    opts->max_vocab = 20000;
    opts->snippet_chars = 300;
}

int saetm_preprocess_parse(const char *name, saetm_preprocess *out)
{
    static const char *const names[] = {"full", "basic", "none"}; /* in enum order */
    for (int i = 0; name && i <= SAETM_PREPROCESS_NONE; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (saetm_preprocess)i;
            return 0;
        }
    return -1;
}

const char *saetm_corpus_opts_check(const saetm_corpus_opts *o)
{
    if (!o) return "no options given";
    if ((unsigned)o->format > SAETM_INPUT_DIR) return "unknown input format";
    if ((unsigned)o->preprocess > SAETM_PREPROCESS_NONE) return "unknown preprocessing mode";
    if (o->text_field && !o->text_field[0]) return "the text field name is empty";
    if ((o->id_field && !o->id_field[0]) || (o->date_field && !o->date_field[0]) ||
        (o->group_field && !o->group_field[0]))
        return "a field name is empty";
    if (!(o->max_df > 0.0) || o->max_df != o->max_df) return "max_df must be > 0 (a fraction <= 1 or a count > 1)";
    if (o->snippet_chars > 100000) return "snippet_chars must be <= 100000";
    const char *bad = saetm_holdout_check(o->holdout);
    if (bad) return bad;
    if ((unsigned)o->holdout_part > SAETM_HOLDOUT_HELD) return "unknown holdout part";
    if (o->holdout_part == SAETM_HOLDOUT_HELD && !(o->holdout > 0))
        return "the held-out part needs a holdout fraction > 0";
    return NULL;
}

/* ---- writing ------------------------------------------------------------------------------- */

saetm_status saetm__write_strings(saetm_ctx *ctx, saetm__cwriter *w, const char *name, uint64_t n,
                                  const char *(*get)(const void *obj, uint64_t i), const void *obj)
{
    char off_name[SAETM__SECTION_NAME_MAX];
    snprintf(off_name, sizeof off_name, "%s_off", name);
    /* Offsets first (computed from the lengths), then the blob. */
    saetm_status st = saetm__cw_begin(ctx, w, off_name, SAETM__U64, 1);
    uint64_t pos = 0;
    for (uint64_t i = 0; i < n && !st; i++) {
        const char *s = get(obj, i);
        uint64_t o = s ? pos : UINT64_MAX;
        if (s) pos += strlen(s) + 1;
        st = saetm__cw_append(ctx, w, &o, sizeof o);
    }
    if (!st) st = saetm__cw_end(ctx, w);
    if (!st) st = saetm__cw_begin(ctx, w, name, SAETM__U8, 1);
    for (uint64_t i = 0; i < n && !st; i++) {
        const char *s = get(obj, i);
        if (s) st = saetm__cw_append(ctx, w, s, strlen(s) + 1);
    }
    if (!st) st = saetm__cw_end(ctx, w);
    return st;
}

static const char *get_word(const void *c, uint64_t i) { return saetm_corpus_word(c, (uint32_t)i); }
static const char *get_id(const void *c, uint64_t i) { return saetm_corpus_doc_id(c, i); }
static const char *get_date(const void *c, uint64_t i) { return saetm_corpus_doc_date(c, i); }
static const char *get_group(const void *c, uint64_t i) { return saetm_corpus_doc_group(c, i); }
static const char *get_snippet(const void *c, uint64_t i) { return saetm_corpus_doc_snippet(c, i); }

saetm_status saetm_corpus_save(saetm_ctx *ctx, const saetm_corpus *c, const char *path)
{
    if (!c || !path) return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_corpus_save: no corpus or path");
    saetm__cwriter *w;
    saetm_status st = saetm__cw_open(ctx, path, SAETM__CORPUS_MAGIC, SAETM__CORPUS_VERSION, &w);
    if (st) return st;
    uint64_t shape[8] = {c->n_docs, c->n_vocab, c->nnz, c->n_tokens, c->n_empty, 0, 0, 0};
    st = saetm__cw_section(ctx, w, "shape", SAETM__U64, shape, 8, 1);
    if (!st) st = saetm__cw_section(ctx, w, "info", SAETM__U8, c->info, strlen(c->info) + 1, 1);
    if (!st) st = saetm__write_strings(ctx, w, "vocab", c->n_vocab, get_word, c);
    if (!st) st = saetm__cw_section(ctx, w, "df", SAETM__U32, c->df, c->n_vocab, 1);
    if (!st) st = saetm__cw_section(ctx, w, "row_ptr", SAETM__U64, c->row_ptr, c->n_docs + 1, 1);
    if (!st) st = saetm__cw_section(ctx, w, "word_ids", SAETM__U32, c->word_ids, c->nnz, 1);
    if (!st) st = saetm__cw_section(ctx, w, "counts", SAETM__U32, c->counts, c->nnz, 1);
    if (!st) st = saetm__cw_section(ctx, w, "empty", SAETM__U8, c->empty, c->n_docs, 1);
    const char *(*getters[N_COLS])(const void *, uint64_t) = {get_id, get_date, get_group, get_snippet};
    for (int k = 0; k < N_COLS && !st; k++) st = saetm__write_strings(ctx, w, col_name[k], c->n_docs, getters[k], c);
    if (st) {
        saetm__cw_abort(w);
        return st;
    }
    return saetm__cw_commit(ctx, w);
}

/* ---- loading ------------------------------------------------------------------------------- */

/* Map the sections of a string column (sizes checked, no data read). */
static saetm_status get_strings(saetm_ctx *ctx, saetm_corpus *c, const char *name, uint64_t n, strcol *col)
{
    char off_name[SAETM__SECTION_NAME_MAX];
    snprintf(off_name, sizeof off_name, "%s_off", name);
    const void *blob, *off;
    uint64_t blob_len = 0, rows = n;
    saetm_status st = saetm__cr_get(ctx, &c->reader, off_name, SAETM__U64, &off, &rows, NULL);
    if (!st && n == 0 && rows != 0) st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section '%s' should be empty", c->reader.path, off_name);
    if (!st) st = saetm__cr_get(ctx, &c->reader, name, SAETM__U8, &blob, &blob_len, NULL);
    if (st) return st;
    col->blob = blob;
    col->blob_len = blob_len;
    col->off = off;
    return SAETM_OK;
}

/* Check the entries [i0, i1) of a string column (and its terminating NUL). */
static saetm_status check_strings(saetm_ctx *ctx, const saetm_corpus *c, const char *name, uint64_t i0, uint64_t i1,
                                  int required, const strcol *col)
{
    if (col->blob_len > 0 && col->blob[col->blob_len - 1] != 0)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section '%s' does not end with a NUL byte", c->reader.path, name);
    for (uint64_t i = i0; i < i1; i++) {
        uint64_t o = col->off[i];
        if (o == UINT64_MAX ? required : o >= col->blob_len)
            return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section '%s_off': entry %llu has a bad offset", c->reader.path,
                               name, (unsigned long long)i);
    }
    return SAETM_OK;
}

static saetm_status bad_file(saetm_ctx *ctx, const saetm_corpus *c, const char *what, uint64_t at)
{
    return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: %s (at %llu)", c->reader.path, what, (unsigned long long)at);
}

/* Check the documents [d0, d1) (bag-of-words, empty flags, string offsets) and add their tokens
 * and empty documents to *tokens, *empty. */
static saetm_status validate_docs(saetm_ctx *ctx, saetm_corpus *c, uint64_t d0, uint64_t d1, uint64_t *tokens,
                                  uint64_t *empty)
{
    const uint64_t *rp = c->row_ptr;
    if (d0 == 0 && rp[0] != 0) return bad_file(ctx, c, "row_ptr does not start at 0", 0);
    for (uint64_t d = d0; d < d1; d++) {
        if (rp[d + 1] < rp[d] || rp[d + 1] > c->nnz) return bad_file(ctx, c, "row_ptr out of order or range", d);
        for (uint64_t j = rp[d]; j < rp[d + 1]; j++) {
            if (c->word_ids[j] >= c->n_vocab || (j > rp[d] && c->word_ids[j] <= c->word_ids[j - 1]))
                return bad_file(ctx, c, "word ids must be ascending in each document and below the vocabulary size", d);
            if (c->counts[j] == 0) return bad_file(ctx, c, "zero count in the bag-of-words", d);
            *tokens += c->counts[j];
        }
        int is_empty = rp[d + 1] == rp[d];
        if (c->empty[d] != is_empty) return bad_file(ctx, c, "empty-document flag disagrees with the bag-of-words", d);
        *empty += (uint64_t)is_empty;
    }
    if (rp[c->n_docs] != c->nnz) return bad_file(ctx, c, "row_ptr does not cover the bag-of-words", c->n_docs);
    saetm_status st = SAETM_OK;
    for (int k = 0; k < N_COLS && !st; k++) st = check_strings(ctx, c, col_name[k], d0, d1, k == COL_ID, &c->cols[k]);
    return st;
}

/* The corpus-wide parts: info, vocabulary, document frequencies. */
static saetm_status validate_global(saetm_ctx *ctx, saetm_corpus *c, uint64_t info_len)
{
    if (info_len == 0 || c->info[info_len - 1] != 0)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: bad info section", c->reader.path);
    saetm_status st = check_strings(ctx, c, "vocab", 0, c->n_vocab, 1, &c->vocab);
    if (st) return st;
    for (uint32_t w = 0; w < c->n_vocab; w++)
        if (c->df[w] == 0 || c->df[w] > c->n_docs) return bad_file(ctx, c, "document frequency out of range", w);
    return SAETM_OK;
}

/* The section table's rows where this process's part of each section ends (the sections over
 * documents: its documents [d0, d1); the others: UINT64_MAX, an equal share). The row pointers
 * read here are not verified yet: they only decide which process hashes which bytes. */
static saetm_status shard_ends(saetm_ctx *ctx, const saetm_corpus *c, uint64_t d1, uint64_t **out)
{
    uint64_t *ends = malloc(((size_t)c->reader.n_sections + 1) * sizeof *ends);
    if (!ends) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", c->reader.path);
    for (uint32_t i = 0; i < c->reader.n_sections; i++) ends[i] = UINT64_MAX;
    uint64_t e = c->row_ptr[d1] < c->nnz ? c->row_ptr[d1] : c->nnz;
    const char *doc_rows[] = {"row_ptr", "empty", "doc_id_off", "date_off", "group_off", "snippet_off"};
    for (size_t k = 0; k < sizeof doc_rows / sizeof doc_rows[0]; k++) {
        int i = saetm__cr_index(&c->reader, doc_rows[k]);
        if (i >= 0) ends[i] = d1;
    }
    int iw = saetm__cr_index(&c->reader, "word_ids"), ic = saetm__cr_index(&c->reader, "counts");
    if (iw >= 0) ends[iw] = e;
    if (ic >= 0) ends[ic] = e;
    *out = ends;
    return SAETM_OK;
}

saetm_status saetm_corpus_load(saetm_ctx *ctx, const char *path, saetm_corpus **out)
{
    *out = NULL;
    /* Across processes (docs/distributed.md): each process checksums and validates its own
     * documents (and an equal share of the other sections), so that the job as a whole checks
     * every byte once and each process reads only its part of the bag-of-words. */
    const int D = saetm__dist_on(ctx);
    saetm_corpus *c = calloc(1, sizeof *c);
    saetm_status st = c ? SAETM_OK : saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    if (!st)
        st = D ? saetm__cr_open_unverified(ctx, path, SAETM__CORPUS_MAGIC, SAETM__CORPUS_VERSION, &c->reader)
               : saetm__cr_open(ctx, path, SAETM__CORPUS_MAGIC, SAETM__CORPUS_VERSION, &c->reader);
    if (st) free(c), c = NULL;
    const void *p;
    uint64_t rows = 8, n, info_len = 0;
    if (!st && D) st = saetm__cr_verify(ctx, &c->reader, "shape");
    if (!st) st = saetm__cr_get(ctx, &c->reader, "shape", SAETM__U64, &p, &rows, NULL);
    if (!st) {
        const uint64_t *shape = p;
        c->n_docs = shape[0];
        c->nnz = shape[2];
        c->n_tokens = shape[3];
        c->n_empty = shape[4];
        if (shape[1] > UINT32_MAX || c->n_docs == 0 || c->n_docs == UINT64_MAX)
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: impossible corpus shape", path);
        c->n_vocab = (uint32_t)shape[1];
    }
    if (!st) st = saetm__cr_get(ctx, &c->reader, "info", SAETM__U8, &p, &info_len, NULL);
    if (!st) c->info = p;
    if (!st) st = get_strings(ctx, c, "vocab", c->n_vocab, &c->vocab);
    if (!st) {
        n = c->n_vocab;
        st = saetm__cr_get(ctx, &c->reader, "df", SAETM__U32, &p, &n, NULL);
        if (!st && n != c->n_vocab) st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: df section size", path);
        c->df = p;
    }
    if (!st) {
        n = c->n_docs + 1;
        st = saetm__cr_get(ctx, &c->reader, "row_ptr", SAETM__U64, &p, &n, NULL);
        c->row_ptr = p;
    }
    if (!st) {
        n = c->nnz;
        st = saetm__cr_get(ctx, &c->reader, "word_ids", SAETM__U32, &p, &n, NULL);
        if (!st && n != c->nnz) st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: word_ids section size", path);
        c->word_ids = p;
    }
    if (!st) {
        n = c->nnz;
        st = saetm__cr_get(ctx, &c->reader, "counts", SAETM__U32, &p, &n, NULL);
        if (!st && n != c->nnz) st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: counts section size", path);
        c->counts = p;
    }
    if (!st) {
        n = c->n_docs;
        st = saetm__cr_get(ctx, &c->reader, "empty", SAETM__U8, &p, &n, NULL);
        c->empty = p;
    }
    for (int k = 0; k < N_COLS && !st; k++) st = get_strings(ctx, c, col_name[k], c->n_docs, &c->cols[k]);
    uint64_t d0 = 0, d1 = c ? c->n_docs : 0, tokens = 0, empty = 0;
    if (D) {
        uint64_t *ends = NULL;
        if (!st) saetm__dist_range(c->n_docs, saetm__dist_rank(), saetm__dist_size(), &d0, &d1);
        if (!st) st = shard_ends(ctx, c, d1, &ends);
        st = saetm__dist_agree(ctx, st);
        if (!st) st = saetm__cr_verify_dist(ctx, &c->reader, ends);
        free(ends);
    }
    if (!st) st = validate_global(ctx, c, info_len);
    if (!st) st = validate_docs(ctx, c, d0, d1, &tokens, &empty);
    if (D) {
        st = saetm__dist_agree(ctx, st);
        uint64_t sums[2] = {tokens, empty};
        if (!st) saetm__dist_sum_u64(sums, 2);
        tokens = sums[0];
        empty = sums[1];
    }
    if (!st && tokens != c->n_tokens) st = bad_file(ctx, c, "token count differs from the header", tokens);
    if (!st && empty != c->n_empty) st = bad_file(ctx, c, "empty-document count differs from the header", empty);
    if (st) {
        saetm_corpus_free(c);
        return st;
    }
    *out = c;
    return SAETM_OK;
}

void saetm_corpus_free(saetm_corpus *c)
{
    if (!c) return;
    saetm__cr_close(&c->reader);
    free(c);
}

/* ---- accessors ----------------------------------------------------------------------------- */

uint64_t saetm_corpus_num_docs(const saetm_corpus *c) { return c->n_docs; }
uint32_t saetm_corpus_vocab_size(const saetm_corpus *c) { return c->n_vocab; }
uint64_t saetm_corpus_num_empty(const saetm_corpus *c) { return c->n_empty; }
uint64_t saetm_corpus_num_tokens(const saetm_corpus *c) { return c->n_tokens; }
const char *saetm_corpus_word(const saetm_corpus *c, uint32_t w) { return c->vocab.blob + c->vocab.off[w]; }
uint32_t saetm_corpus_df(const saetm_corpus *c, uint32_t w) { return c->df[w]; }
const uint64_t *saetm_corpus_row_ptr(const saetm_corpus *c) { return c->row_ptr; }
const uint32_t *saetm_corpus_word_ids(const saetm_corpus *c) { return c->word_ids; }
const uint32_t *saetm_corpus_counts(const saetm_corpus *c) { return c->counts; }
void saetm_corpus_bow(const saetm_corpus *c, saetm_bow *out)
{
    *out = (saetm_bow){c->n_docs, c->n_vocab, c->row_ptr, c->word_ids, c->counts};
}
const char **saetm_corpus_words(const saetm_corpus *c)
{
    const char **words = calloc(c->n_vocab ? c->n_vocab : 1, sizeof *words);
    for (uint32_t w = 0; words && w < c->n_vocab; w++) words[w] = saetm_corpus_word(c, w);
    return words;
}
int saetm_corpus_doc_empty(const saetm_corpus *c, uint64_t d) { return c->empty[d] != 0; }
const char *saetm_corpus_info_json(const saetm_corpus *c) { return c->info; }

uint32_t saetm_corpus_word_id(const saetm_corpus *c, const char *word)
{
    for (uint32_t w = 0; w < c->n_vocab; w++)
        if (strcmp(saetm_corpus_word(c, w), word) == 0) return w;
    return UINT32_MAX;
}

static const char *col_get(const saetm_corpus *c, int k, uint64_t d)
{
    uint64_t o = c->cols[k].off[d];
    return o == UINT64_MAX ? NULL : c->cols[k].blob + o;
}

const char *saetm_corpus_doc_id(const saetm_corpus *c, uint64_t d) { return col_get(c, COL_ID, d); }
const char *saetm_corpus_doc_date(const saetm_corpus *c, uint64_t d) { return col_get(c, COL_DATE, d); }
const char *saetm_corpus_doc_group(const saetm_corpus *c, uint64_t d) { return col_get(c, COL_GROUP, d); }

const char *saetm_corpus_doc_snippet(const saetm_corpus *c, uint64_t d)
{
    const char *s = col_get(c, COL_SNIPPET, d);
    return s ? s : "";
}

/* ---- description (saetm inspect) ------------------------------------------------------------ */

/* Load a corpus file with every check and append a summary (documents, vocabulary, tokens, the
 * most frequent words) to the NUL-terminated text in buf. */
static saetm_status corpus_describe(saetm_ctx *ctx, const char *path, char *buf, size_t cap)
{
    saetm_corpus *c;
    saetm_status st = saetm_corpus_load(ctx, path, &c);
    if (st) return st;
    size_t used = strlen(buf);
    int n = snprintf(buf + used, cap - used,
                     "corpus: %llu documents (%llu empty), vocabulary %u words, %llu tokens, all indices OK\n"
                     "most frequent words (by documents):",
                     (unsigned long long)c->n_docs, (unsigned long long)c->n_empty, c->n_vocab,
                     (unsigned long long)c->n_tokens);
    used += n > 0 ? (size_t)n : 0;
    for (uint32_t w = 0; w < c->n_vocab && w < 20 && used < cap; w++) {
        n = snprintf(buf + used, cap - used, " %s (%u)", saetm_corpus_word(c, w), c->df[w]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < cap) {
        n = snprintf(buf + used, cap - used, "\nmade with: %s\n", c->info);
        used += n > 0 ? (size_t)n : 0;
    }
    saetm_corpus_free(c);
    return SAETM_OK;
}

const saetm__file_kind saetm__corpus_kind = {SAETM__CORPUS_MAGIC, corpus_describe};
