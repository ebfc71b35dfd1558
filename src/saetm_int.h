/*
 * saetm_int.h - private declarations shared by the library's modules.
 *
 * Cross-file internals use the saetm__ prefix. Nothing here is part of the public API.
 */
#ifndef SAETM_INT_H
#define SAETM_INT_H

#include "saetm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#define SAETM__PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SAETM__ALIGN 64

struct saetm_ctx {
    char errmsg[1024];
    saetm_log_fn log;
    void *log_user;
    saetm_log_level log_max;
    saetm_progress_fn progress;
    void *progress_user;
    int threads;
    uint64_t mem_limit; /* bytes, 0 = none beyond the machine (saetm_ctx_set_mem_limit) */
    int dist;           /* data-parallel across the MPI job (saetm_ctx_set_distributed) */
};

/* ---- errors and logging (common/ctx.c) ---------------------------------------------------- */

/* Record a detail message in ctx and return `status` (so callers can `return saetm__fail(...)`).
 * ctx may be NULL. */
saetm_status saetm__fail(saetm_ctx *ctx, saetm_status status, const char *fmt, ...) SAETM__PRINTF(3, 4);
/* Prefix the existing detail message with more context ("reading X: <old message>"). */
saetm_status saetm__fail_prefix(saetm_ctx *ctx, saetm_status status, const char *fmt, ...) SAETM__PRINTF(3, 4);
void saetm__log(saetm_ctx *ctx, saetm_log_level level, const char *fmt, ...) SAETM__PRINTF(3, 4);
/* Report progress; @return non-zero if the user asked to stop. */
int saetm__progress(saetm_ctx *ctx, const char *stage, uint64_t done, uint64_t total);

/* ---- memory (common/alloc.c) -------------------------------------------------------------- */

/* 64-byte aligned, zero-filled allocation of n * size bytes (overflow-checked); NULL on failure.
 * Free with saetm__free_aligned. */
void *saetm__calloc_aligned(size_t n, size_t size);
void saetm__free_aligned(void *p);
/* Overflow-checked n * size; @return 0 and sets *out, or -1 on overflow. */
int saetm__mul_size(size_t n, size_t size, size_t *out);
/* strdup that returns NULL on failure. */
char *saetm__strdup(const char *s);

/* Before allocating in proportion to the input: check that `bytes` (an estimate of the peak the
 * stage adds) fits in saetm_mem_available(). @return SAETM_OK, or SAETM_ERR_NOMEM with a message
 * "<what> needs about X GiB but only Y GiB are available (...)" (common/mem.c). */
saetm_status saetm__mem_check(saetm_ctx *ctx, uint64_t bytes, const char *what);

/* ---- random numbers (common/rng.c) --------------------------------------------------------- */

/* Counter-based generator: the stream is a pure function of (seed, stage, shard), so work split
 * over threads or ranks can draw the same numbers whatever the split. */
typedef struct saetm__rng {
    uint64_t key;
    uint64_t counter;
} saetm__rng;

void saetm__rng_init(saetm__rng *r, uint64_t seed, uint64_t stage, uint64_t shard);
uint64_t saetm__rng_u64(saetm__rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double saetm__rng_uniform(saetm__rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t saetm__rng_below(saetm__rng *r, uint64_t n);
/* Standard normal (Box-Muller, one value per call). */
double saetm__rng_normal(saetm__rng *r);
/* Stateless mix of one 64-bit value (splitmix64 finaliser). */
uint64_t saetm__mix64(uint64_t x);

/* ---- half precision (common/half.c) -------------------------------------------------------- */

/* IEEE binary16 <-> float32; float -> half rounds to nearest even, overflow gives +-Inf. */
uint16_t saetm__f32_to_f16(float f);
float saetm__f16_to_f32(uint16_t h);

/* ---- model files (common/modelpath.c) ------------------------------------------------------- */

/* Find the model file `file` (a bare name): $SAETM_MODEL_DIR/file, else models/, ../models/,
 * ../share/saetm/ next to the running executable, else the installed data directory (SAETM_DATADIR,
 * compiled in by `make install`), the first readable one. @return 0 with the
 * path in buf, or -1 with the places looked at listed in tried (", "-separated). */
int saetm__find_model(const char *file, char *buf, size_t cap, char *tried, size_t tcap);

/* ---- files (io/file.c) -------------------------------------------------------------------- */

/* A read-only memory mapping of a whole file. */
typedef struct saetm__mapped {
    const uint8_t *data;
    size_t size;
} saetm__mapped;

saetm_status saetm__map_file(saetm_ctx *ctx, const char *path, saetm__mapped *out);
void saetm__unmap(saetm__mapped *m);

/* An output file written under a temporary name and renamed into place on commit. */
typedef struct saetm__outfile {
    FILE *fp;
    char *path;
    char *tmp_path;
    uint64_t written;
} saetm__outfile;

saetm_status saetm__outfile_open(saetm_ctx *ctx, const char *path, saetm__outfile *out);
saetm_status saetm__outfile_write(saetm_ctx *ctx, saetm__outfile *f, const void *data, size_t n);
/* Flush, fsync, close and rename to the final path. On failure the temporary file is removed. */
saetm_status saetm__outfile_commit(saetm_ctx *ctx, saetm__outfile *f);
/* Close and remove the temporary file (safe to call on a zeroed or committed outfile). */
void saetm__outfile_abort(saetm__outfile *f);

/* Create directory dir unless it exists already (not its parents). */
saetm_status saetm__mkdir(saetm_ctx *ctx, const char *dir);

/* One side's scores as a JSON object, as topics.json and params.json hold them (merge/topics.c). */
struct cJSON;
/* Score the first n listed words of each topic of t (words of it's vocabulary, as top_words.txt
 * lists them) against ref with eo (NULL: saetm_eval_topics' defaults); *out freed by the caller
 * with saetm_eval_result_free (src/merge/evaluate.c). */
saetm_status saetm__topics_eval_listed(saetm_ctx *ctx, const saetm_topics *t, const saetm_interp *it, uint32_t n,
                                       const saetm_corpus *ref, const saetm_eval_opts *eo, saetm_eval_result **out);
struct cJSON *saetm__score_json(const saetm_topics_score *s);
/* The holdout fraction a corpus was built with (its info "holdout"), 0 if none (model/model_dir.c). */
double saetm__corpus_holdout(const saetm_corpus *c);
/* Parse the JSON file path. @return SAETM_OK and *out (cJSON_Delete), or SAETM_ERR_FORMAT naming
 * the file and line, or the I/O error (model/model_dir.c). */
saetm_status saetm__json_read(saetm_ctx *ctx, const char *path, struct cJSON **out);

/* Write a whole buffer atomically (temp + rename). */
saetm_status saetm__write_file_atomic(saetm_ctx *ctx, const char *path, const void *data, size_t n);

/* ---- section container for binary model files (io/container.c, see docs/FORMAT.md) -------- */

typedef enum saetm__dtype {
    SAETM__U8 = 1,
    SAETM__U32 = 2,
    SAETM__U64 = 3,
    SAETM__F32 = 4,
    SAETM__I32 = 5,
    SAETM__F64 = 6,
    SAETM__I64 = 7,
    SAETM__F16 = 8 /* IEEE binary16, read through saetm__f16_to_f32 */
} saetm__dtype;

size_t saetm__dtype_size(saetm__dtype t);

#define SAETM__SECTION_NAME_MAX 16

typedef struct saetm__cwriter saetm__cwriter;

/* Start a container file of kind `magic` (exactly 8 bytes, e.g. "SAETMCRP") and format version. */
saetm_status saetm__cw_open(saetm_ctx *ctx, const char *path, const char magic[8], uint32_t version,
                            saetm__cwriter **out);
/* Add a whole section: rows x cols elements of dtype (cols = 1 for vectors). */
saetm_status saetm__cw_section(saetm_ctx *ctx, saetm__cwriter *w, const char *name, saetm__dtype dtype,
                               const void *data, uint64_t rows, uint64_t cols);
/* Streamed section: begin, append any number of chunks (whole rows), end. */
saetm_status saetm__cw_begin(saetm_ctx *ctx, saetm__cwriter *w, const char *name, saetm__dtype dtype,
                             uint64_t cols);
saetm_status saetm__cw_append(saetm_ctx *ctx, saetm__cwriter *w, const void *data, uint64_t nbytes);
saetm_status saetm__cw_end(saetm_ctx *ctx, saetm__cwriter *w);
/* Write the section table and header, fsync and rename into place; frees w in all cases. */
saetm_status saetm__cw_commit(saetm_ctx *ctx, saetm__cwriter *w);
/* Drop the file being written; frees w. NULL is a no-op. */
void saetm__cw_abort(saetm__cwriter *w);

typedef struct saetm__csection {
    char name[SAETM__SECTION_NAME_MAX];
    uint32_t dtype;
    uint32_t crc32;
    uint64_t offset;
    uint64_t nbytes;
    uint64_t rows;
    uint64_t cols;
    uint64_t reserved;
} saetm__csection;

typedef struct saetm__creader {
    saetm__mapped map;
    char *path;
    uint32_t version;
    uint32_t n_sections;
    const saetm__csection *table;
} saetm__creader;

/* Map and verify a container: magic (NULL: any saetm magic), version <= max_version, sizes,
 * every checksum. */
saetm_status saetm__cr_open(saetm_ctx *ctx, const char *path, const char magic[8], uint32_t max_version,
                            saetm__creader *r);
/* Look up a section by name, checking its dtype and, where non-zero, expected rows/cols.
 * @return SAETM_ERR_FORMAT naming the file and section if missing or mismatched. */
saetm_status saetm__cr_get(saetm_ctx *ctx, const saetm__creader *r, const char *name, saetm__dtype dtype,
                           const void **data, uint64_t *rows, uint64_t *cols);
int saetm__cr_has(const saetm__creader *r, const char *name);
/* @return the position of section `name` in the table (0 .. n_sections-1), -1 if there is none. */
int saetm__cr_index(const saetm__creader *r, const char *name);
/* Data-parallel loading (docs/FORMAT.md "Loading across processes"): open like saetm__cr_open
 * but leave the sections' checksums unchecked (header, table, sizes and bounds are checked). The
 * caller then verifies what it needs first with saetm__cr_verify (one section, this process) and
 * every section with the collective saetm__cr_verify_dist before using the data. */
saetm_status saetm__cr_open_unverified(saetm_ctx *ctx, const char *path, const char magic[8], uint32_t max_version,
                                       saetm__creader *r);
/* Check the CRC-32 of section `name` (whole, in this process). */
saetm_status saetm__cr_verify(saetm_ctx *ctx, const saetm__creader *r, const char *name);
/* Collective (every process of the job, the same file): every section's CRC-32 is checked once
 * by the job as a whole. Each process hashes one contiguous part of each section: up to row
 * end_rows[i] of section i (its own rows; the last process: to the end), or, where end_rows is
 * NULL or end_rows[i] is UINT64_MAX, an equal share of the bytes. The partial CRCs are
 * all-gathered and combined in rank order (zlib's crc32_combine), so every process reaches the
 * same verdict while reading only its parts. Alone: every section checked here. @return
 * SAETM_ERR_CHECKSUM naming the section, on every process. */
saetm_status saetm__cr_verify_dist(saetm_ctx *ctx, const saetm__creader *r, const uint64_t *end_rows);
/* @return the dtype of section `name`, 0 if there is none. */
uint32_t saetm__cr_dtype(const saetm__creader *r, const char *name);
void saetm__cr_close(saetm__creader *r);

/* ---- dense matrices (io/npy.c) ------------------------------------------------------------- */

/* An owned, zero-filled rows x cols matrix (free with saetm_matrix_free). */
saetm_status saetm__matrix_alloc(saetm_ctx *ctx, uint64_t rows, uint64_t cols, saetm_matrix *out);

/* ---- sparse matrices (io/acts.c) ---------------------------------------------------------- */

/* Check a CSR matrix with non-negative finite values: row_ptr starts at 0, is non-decreasing and
 * ends at nnz_limit; column indices ascending within a row and < ncols. @return SAETM_ERR_FORMAT
 * naming `what` and the row otherwise. */
saetm_status saetm__csr_validate(saetm_ctx *ctx, const char *what, uint64_t rows, uint32_t ncols,
                                 const uint64_t *row_ptr, const uint32_t *idx, const float *val, uint64_t nnz_limit);
/* The same for rows [r0, r1) only (row_ptr[0] checked when r0 == 0, row_ptr[rows] always). */
saetm_status saetm__csr_validate_rows(saetm_ctx *ctx, const char *what, uint64_t rows, uint64_t r0, uint64_t r1,
                                     uint32_t nf, const uint64_t *row_ptr, const uint32_t *idx, const float *val,
                                     uint64_t nnz_limit);

/* ---- checksums (io/file.c) ---------------------------------------------------------------- */

/* CRC-32 (zlib) of a buffer of any size, continuing from crc (start with 0). */
uint32_t saetm__crc32(uint32_t crc, const void *data, size_t n);
/* The CRC-32 of A followed by B from crc1 = CRC(A), crc2 = CRC(B) and len2 = |B| (zlib). */
uint32_t saetm__crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2);

/* ---- file kinds (common/kinds.c) ----------------------------------------------------------- */

/* Every container file starts with this prefix; the 8-byte magic names its kind. */
#define SAETM__MAGIC_PREFIX "SAETM"

/* A kind of container file, defined by the stage that owns the format (the magic's one
 * definition is that stage's macro): describe, if not NULL, loads a file of this kind with every
 * check and appends a summary to the NUL-terminated text in buf (saetm_file_inspect). */
typedef struct saetm__file_kind {
    const char *magic; /* 8 bytes */
    saetm_status (*describe)(saetm_ctx *ctx, const char *path, char *buf, size_t cap);
} saetm__file_kind;

/* The kinds, one per stage's file format: corpus/corpus_file.c, sae/sae_model.c (model and
 * checkpoint), io/acts.c, interpret/interpret.c, embed/embed.c. */
extern const saetm__file_kind saetm__corpus_kind, saetm__sae_kind, saetm__ckpt_kind, saetm__acts_kind,
    saetm__interp_kind, saetm__embed_kind;
/* @return the kind with this magic (8 bytes), or NULL for none. */
const saetm__file_kind *saetm__file_kind_find(const uint8_t *magic);

/* ---- string interning (common/strmap.c) ----------------------------------------------------- */

/* Maps byte strings to dense ids 0..count-1 in insertion order; keys are copied (NUL-terminated)
 * into an arena. Zero-initialise with saetm__strmap_init; not thread-safe. */
typedef struct saetm__strmap {
    uint32_t *slots;    /* id + 1, 0 = empty */
    uint32_t slot_cap;  /* power of two */
    uint32_t count;
    uint32_t id_cap;
    uint64_t *hash;     /* per id */
    uint64_t *key_off;  /* per id, plus one end entry: key i is arena[key_off[i] .. key_off[i+1]-1) */
    char *arena;
    size_t arena_cap;
} saetm__strmap;

uint64_t saetm__hash_bytes(const void *data, size_t n);
void saetm__strmap_init(saetm__strmap *m);
void saetm__strmap_free(saetm__strmap *m);
/* @return the id of the key, or UINT32_MAX if absent. */
uint32_t saetm__strmap_find(const saetm__strmap *m, const char *s, size_t len);
/* Insert if absent. @return 1 if inserted, 0 if it was there (either way *id is set), -1 if out
 * of memory. */
int saetm__strmap_insert(saetm__strmap *m, const char *s, size_t len, uint32_t *id);
/* @return key `id` (NUL-terminated, valid until the next insert); its length in *len if non-NULL. */
const char *saetm__strmap_key(const saetm__strmap *m, uint32_t id, size_t *len);

/* ---- topic evaluation core (eval/eval.c) ---------------------------------------------------- */

/* A reference corpus as plain arrays: the words of document d are word_ids[row_ptr[d] ..
 * row_ptr[d+1]), strictly ascending, each < vocab_size; vocab[w] is word w. */
typedef struct saetm__eval_ref {
    uint64_t n_docs;
    const uint64_t *row_ptr;
    const uint32_t *word_ids;
    uint32_t vocab_size;
    const char *const *vocab;
} saetm__eval_ref;

/* saetm_eval_topics on plain arrays (validated: SAETM_ERR_ARG naming the first bad row). */
saetm_status saetm__eval_run(saetm_ctx *ctx, const saetm__eval_ref *ref, uint32_t n_topics,
                             const char *const *words, const uint64_t *word_start,
                             const saetm_eval_opts *opts, saetm_eval_result **out);

/* ---- dense products (common/gemm.c) ------------------------------------------------------- */

/* C = alpha * op(A) * op(B) + beta * C with row-major m x n C, op(A) m x kdim, op(B) kdim x n
 * (trans_* non-zero: the stored matrix is the transpose). Computed in fixed blocks of columns of
 * C, each by a single-threaded OpenBLAS call, spread over `threads` OpenMP threads: the bytes
 * do not depend on the thread count (a plain multi-threaded sgemm's do). */
void saetm__sgemm(int threads, int trans_a, int trans_b, size_t m, size_t n, size_t kdim, float alpha,
                  const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc);

/* The merge stage's internals (clustering, word ranking, the topics object): src/merge/merge_int.h. */

#endif /* SAETM_INT_H */
