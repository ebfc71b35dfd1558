/*
 * corpus_int.h - declarations shared by the corpus modules (src/corpus/). Not public.
 *
 *   input.c        buffered reading of plain or gzip files, line by line or byte by byte
 *   csv.c          RFC 4180 records
 *   reader.c       the document reader: JSONL, CSV, text lines, directories of .txt files
 *   text.c         UTF-8 checks, normalisation, tokenisation, stopwords
 *   lemma.c        WordNet morphy lemmatisation
 *   stopwords.c    the built-in English stopword list (stopwords_en.txt)
 *   vocab.c        vocabulary selection by document frequency
 *   build.c        the two-pass streaming build of a corpus file
 *   holdout.c      the held-out documents of a fit (which documents, which embedding rows)
 *   corpus_file.c  .stc files: writing, loading (mmap), accessors
 */
#ifndef SAETM_CORPUS_INT_H
#define SAETM_CORPUS_INT_H

#include "saetm_int.h"

#include <zlib.h>

/* ---- input.c: buffered input over zlib (plain files pass through unchanged) --------------- */

typedef struct saetm__input {
    gzFile gz;
    char *path;
    char *buf;          /* cap + 1 bytes: one spare byte to NUL-terminate a line in place */
    size_t cap, pos, len;
    int eof;
    uint64_t line;      /* 1-based line number of the next byte */
    uint64_t file_size; /* on-disk size (compressed size for gzip files) */
    uint64_t bytes;     /* uncompressed bytes consumed so far */
    char *lbuf;         /* for lines that straddle buffer refills */
    size_t lcap;
} saetm__input;

/* Open `path` (gzip detected from its content). Fails with SAETM_ERR_IO naming the file. */
saetm_status saetm__input_open(saetm_ctx *ctx, const char *path, saetm__input *in);
void saetm__input_close(saetm__input *in);
/* Refill the buffer when it is used up. @return 1 if bytes are available, 0 at end of file, or
 * -1 on a read error (message in ctx). */
int saetm__input_fill(saetm_ctx *ctx, saetm__input *in);
/* Next line without its "\n" or "\r\n", NUL-terminated in place (valid until the next call).
 * *lineno gets the line's number. @return 1, 0 at end of file, -1 on a read error. */
int saetm__input_line(saetm_ctx *ctx, saetm__input *in, char **line, size_t *len, uint64_t *lineno);
/* Compressed bytes consumed (for progress against file_size). */
uint64_t saetm__input_offset(saetm__input *in);

/* Next byte, or -1 at end of file, -2 on a read error. Counts lines. */
static inline int saetm__input_getc(saetm_ctx *ctx, saetm__input *in)
{
    if (in->pos == in->len) {
        int r = saetm__input_fill(ctx, in);
        if (r <= 0) return r == 0 ? -1 : -2;
    }
    int c = (unsigned char)in->buf[in->pos++];
    if (c == '\n') in->line++;
    return c;
}

/* Peek at the next byte without consuming it (-1 at end, -2 on error). */
static inline int saetm__input_peek(saetm_ctx *ctx, saetm__input *in)
{
    if (in->pos == in->len) {
        int r = saetm__input_fill(ctx, in);
        if (r <= 0) return r == 0 ? -1 : -2;
    }
    return (unsigned char)in->buf[in->pos];
}

/* ---- growable byte buffer ------------------------------------------------------------------ */

typedef struct saetm__buf {
    char *data;
    size_t len, cap;
} saetm__buf;

/* Append n bytes; the data stays NUL-terminated. @return 0 or -1 when out of memory. */
int saetm__buf_add(saetm__buf *b, const void *p, size_t n);
static inline int saetm__buf_addc(saetm__buf *b, char c)
{
    if (b->len + 2 <= b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = 0;
        return 0;
    }
    return saetm__buf_add(b, &c, 1);
}
void saetm__buf_free(saetm__buf *b);

/* ---- csv.c: RFC 4180 ----------------------------------------------------------------------- */

/* One record: fields are NUL-terminated inside `text`, field i at text.data + off[i] (length
 * len[i], which may contain NUL bytes only if the input did). */
typedef struct saetm__csv_record {
    saetm__buf text;
    size_t *off, *len;
    size_t n, cap;
    uint64_t line; /* line where the record starts */
} saetm__csv_record;

/* Read the next record. Blank lines are skipped. @return 1, 0 at end of file, or -1 with
 * SAETM_ERR_INPUT (malformed; *fatal = 0 if reading can go on after it, 1 if not) or
 * SAETM_ERR_IO / SAETM_ERR_NOMEM (*fatal = 1) in *st and a message in ctx. */
int saetm__csv_next(saetm_ctx *ctx, saetm__input *in, saetm__csv_record *rec, saetm_status *st, int *fatal);
void saetm__csv_record_free(saetm__csv_record *rec);

/* ---- text.c: UTF-8, normalisation, tokens ------------------------------------------------ */

/* @return the byte offset of the first invalid UTF-8 sequence (or NUL byte), or -1 if valid. */
int64_t saetm__utf8_check(const char *s, size_t n);

/* A set of stopwords (case-folded). */
typedef struct saetm__stopwords {
    saetm__strmap set;
} saetm__stopwords;

/* Load the built-in English list (path NULL) or a file with one word per line ('#' comments).
 * Words are NFKC-normalised and case-folded like the text. */
saetm_status saetm__stopwords_load(saetm_ctx *ctx, const char *path, saetm__stopwords *sw);
void saetm__stopwords_free(saetm__stopwords *sw);
int saetm__stopwords_has(const saetm__stopwords *sw, const char *w, size_t len);
/* The built-in list: NUL-terminated text, one word per line (stopwords.c). */
extern const char saetm__stopwords_en[];

/* Tokeniser scratch space, reused across documents. */
typedef struct saetm__tokens {
    saetm__buf norm;   /* normalised text */
    size_t *off;       /* token i is norm.data[off[i] .. off[i] + len[i]) */
    uint32_t *len;
    size_t n, cap;
} saetm__tokens;

/* Split `text` into tokens according to `mode`:
 *   FULL/BASIC: NFKC + case folding, maximal runs of letters (with combining marks), tokens of
 *               at least 3 and at most SAETM__MAX_TOKEN_BYTES bytes;
 *   NONE:       runs of non-whitespace bytes as given.
 * `text` must be valid UTF-8. @return SAETM_OK or SAETM_ERR_NOMEM. */
saetm_status saetm__tokenize(saetm_ctx *ctx, saetm_preprocess mode, const char *text, size_t len,
                             saetm__tokens *tok);
void saetm__tokens_free(saetm__tokens *tok);
#define SAETM__MAX_TOKEN_BYTES 64
#define SAETM__MIN_TOKEN_CHARS 3

/* Copy at most max_chars code points of text into out, runs of whitespace collapsed into one
 * space, leading/trailing whitespace removed, cut on a character boundary. */
int saetm__snippet(const char *text, size_t len, size_t max_chars, saetm__buf *out);

/* ---- lemma.c: WordNet ---------------------------------------------------------------------- */

/* Open the WordNet database (once per process; $WNSEARCHDIR overrides its location).
 * @return SAETM_ERR_IO with a message if it cannot be found. */
saetm_status saetm__wordnet_open(saetm_ctx *ctx);
/* Lemma of a lower-case word (see docs/CORPUS.md for the rule) written to out (cap >= 2 *
 * SAETM__MAX_TOKEN_BYTES). @return 1 if WordNet knows the word, 0 if not (out untouched).
 * Serialised on a process-wide lock (the WordNet library is not reentrant). */
int saetm__lemma(const char *word, size_t len, char *out, size_t cap);

/* ---- vocab.c ------------------------------------------------------------------------------- */

/* Choose the vocabulary among n_terms terms with document frequencies df over n_docs documents:
 * df >= min_df, df <= max_df (a fraction of n_docs if <= 1, else a count), at most max_vocab (0:
 * no limit), ordered by df descending then by bytes ascending. Fills remap[t] with the new id
 * or UINT32_MAX and *order (allocated, *n_vocab entries) with the term of each new id. */
saetm_status saetm__vocab_select(saetm_ctx *ctx, const saetm__strmap *terms, const uint32_t *df,
                                 uint64_t n_docs, uint32_t min_df, double max_df, uint32_t max_vocab,
                                 uint32_t *remap, uint32_t **order, uint32_t *n_vocab);

/* ---- reader.c ------------------------------------------------------------------------------ */

/* The input format `path` will be read as (resolves SAETM_INPUT_AUTO). */
saetm_input_format saetm__detect_format(const char *path, saetm_input_format requested);
/* Uncompressed bytes read so far (all files of a directory). */
uint64_t saetm__docreader_bytes(const saetm_docreader *r);
/* Valid documents read so far, those of the other side of a holdout included. */
uint64_t saetm__docreader_docs(const saetm_docreader *r);

/* ---- corpus_file.c ------------------------------------------------------------------------- */

#define SAETM__CORPUS_MAGIC "SAETMCRP"
#define SAETM__CORPUS_VERSION 1

/* Write one string column ("name" blob + "name_off" offsets) from an array of strings
 * (NULL entries = no value). */
saetm_status saetm__write_strings(saetm_ctx *ctx, saetm__cwriter *w, const char *name, uint64_t n,
                                  const char *(*get)(const void *obj, uint64_t i), const void *obj);

#endif
