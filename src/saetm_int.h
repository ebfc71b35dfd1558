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
 * ../share/saetm/ next to the running executable, the first readable one. @return 0 with the
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

/* ---- corpus files (corpus/corpus_file.c) --------------------------------------------------- */

/* Load a corpus file with every check and append a summary (documents, vocabulary, tokens, the
 * most frequent words) to the NUL-terminated text in buf (for saetm_file_inspect). */
saetm_status saetm__corpus_describe(saetm_ctx *ctx, const char *path, char *buf, size_t cap);

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

/* ---- topic words from the documents (merge/words.c) --------------------------------------- */

/* SAETM_WORDS_TFIDF of saetm_topics_fit_words on plain arrays: theta N x K (bow->rows rows), only
 * the documents with use[d] != 0 (use NULL: all); topic_word K x V out. */
saetm_status saetm__words_tfidf(saetm_ctx *ctx, const float *theta, uint32_t K, const saetm_bow *bow,
                                const uint8_t *use, const saetm_words_opts *o, float *topic_word);

/* ---- dense products (common/gemm.c) ------------------------------------------------------- */

/* C = alpha * op(A) * op(B) + beta * C with row-major m x n C, op(A) m x kdim, op(B) kdim x n
 * (trans_* non-zero: the stored matrix is the transpose). Computed in fixed blocks of columns of
 * C, each by a single-threaded OpenBLAS call, spread over `threads` OpenMP threads: the bytes
 * do not depend on the thread count (a plain multi-threaded sgemm's do). */
void saetm__sgemm(int threads, int trans_a, int trans_b, size_t m, size_t n, size_t kdim, float alpha,
                  const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc);

/* ---- clustering for topic merging (merge/kmeans.c, merge/agglo.c) -------------------------- */

/* n weighted points of dimension dim: rows of a dense (row-major, dim columns) or sparse (CSR:
 * ptr, idx, val) matrix; point i is row sel[i] (row i if sel is NULL) with weight w[i] > 0. */
typedef struct saetm__points {
    uint64_t n;
    uint32_t dim;
    const float *dense;
    const uint64_t *ptr;
    const uint32_t *idx;
    const float *val;
    const uint64_t *sel;
    const double *w;
} saetm__points;

/* Dot product of two dense float vectors in a fixed summation order (8 lanes). */
double saetm__dot(const float *a, const float *b, uint32_t n);
/* Squared norm of point i. */
double saetm__point_norm2(const saetm__points *p, uint64_t i);
/* Dot product of point i with a dense vector c (dim floats). */
double saetm__point_dot(const saetm__points *p, uint64_t i, const float *c);
/* Write point i as a dense vector (dim floats). */
void saetm__point_dense(const saetm__points *p, uint64_t i, float *out);

/* Weighted k-means (k-means++ seeding, Lloyd iterations, `restarts` runs with streams (seed,
 * stage, restart); the lowest weighted inertia wins, ties to the first run). Writes the
 * assignment (n) and centroids (k x dim). Deterministic for any thread count. */
saetm_status saetm__kmeans(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t restarts, uint32_t max_iter,
                           uint64_t seed, uint32_t *assign, float *centroids, double *inertia);
/* Lloyd iterations of weighted k-means from the k given centroids (k x dim, replaced by the final
 * ones); writes the assignment (n) and the weighted inertia. Deterministic for any thread count. */
saetm_status saetm__kmeans_from(saetm_ctx *ctx, const saetm__points *p, uint32_t k, uint32_t max_iter,
                                uint32_t *assign, float *centroids, double *inertia);
/* Deterministic k-means start for dense points without a selection (p->dense, !p->sel), e.g. the
 * unit rows of a spectral embedding: k rows chosen by pivoted Gram-Schmidt (column-pivoted QR of the
 * transposed points): the first the row of largest norm, each next the row with the largest residual
 * after projecting out the span of those chosen (ties to the lower index). Their coordinates go into
 * centroids (k x dim); pivots (k, may be NULL) gets their indices. Uses no weights and no seed;
 * the same result for any thread count. */
saetm_status saetm__pivot_seeds(saetm_ctx *ctx, const saetm__points *p, uint32_t k, float *centroids,
                                uint64_t *pivots);
/* Weighted centroids of an assignment (k x dim); an empty cluster gets a zero centroid. */
saetm_status saetm__centroids(saetm_ctx *ctx, const saetm__points *p, const uint32_t *assign, uint32_t k,
                              float *centroids);
/* Index of the nearest of k centroids to point i (ties to the lowest index). */
uint32_t saetm__nearest(const saetm__points *p, uint64_t i, const float *centroids, const double *cnorm2, uint32_t k,
                        double *dist);

/* One merge of an agglomerative clustering: nodes a and b (leaves 0..n-1, merge t makes node
 * n+t), at height h, the merged weight. */
typedef struct saetm__merge {
    uint64_t a, b;
    double h, w;
} saetm__merge;

typedef enum saetm__linkage { SAETM__LINK_AVERAGE = 0, SAETM__LINK_WARD = 1 } saetm__linkage;

/* Agglomerative clustering of weighted points (n >= 1) by NN-chain: n - 1 merges sorted by height.
 * Average: weighted average of Euclidean distances. Ward: the increase of the weighted
 * within-cluster sum of squares. Needs n (n - 1) / 2 doubles. */
saetm_status saetm__agglomerate(saetm_ctx *ctx, const saetm__points *p, saetm__linkage link, saetm__merge *merges);
/* Columns of an activation matrix (merge/coact.c): the documents of feature f, ascending, are
 * doc[ptr[f] .. ptr[f+1]), with their values in val. */
typedef struct saetm__theta_cols {
    uint64_t *ptr; /* F + 1 */
    uint32_t *doc;
    float *val;
} saetm__theta_cols;
saetm_status saetm__theta_cols_build(saetm_ctx *ctx, const saetm_acts *th, saetm__theta_cols *c);
void saetm__theta_cols_free(saetm__theta_cols *c);
/* Every feature f labelled `pending` gets best[f] = the cluster c < K it co-activates with most:
 * the largest sum_d theta_{d,f} theta_{d,g} over the other features g labelled c (lowest c on
 * ties), or UINT32_MAX when it co-activates with none; every other feature best[f] = label[f].
 * Each sum in a fixed order: the result does not depend on the thread count (merge/coact.c). */
saetm_status saetm__coact_join(saetm_ctx *ctx, const saetm_acts *th, const saetm__theta_cols *col, const uint32_t *label,
                               uint32_t K, uint32_t pending, uint32_t *best);
/* Co-activation merging (merge/coact.c): labels (F entries, 0..o->k-1, or UINT32_MAX for a feature
 * in no topic) from the theta view th, theta_avg and doc_freq of an interpretation. */
saetm_status saetm__coact_cluster(saetm_ctx *ctx, const saetm_acts *th, const float *ta, const uint32_t *dfreq,
                                  const saetm_topics_opts *o, uint32_t *label);
/* Top o->top_n words of each of K topics (topic_word K x V, topic weights) by o->rank into top
 * (K x top_n; UINT32_MAX past V), ties to the lower word id (merge/topics.c). */
saetm_status saetm__rank_words(saetm_ctx *ctx, uint32_t K, uint32_t V, const float *topic_word, const double *weight,
                               const saetm_topics_opts *o, uint32_t *top);
/* Cut the tree into k clusters (1 <= k <= n): labels 0..k-1 in the order of each cluster's lowest leaf. */
void saetm__agglo_cut(uint64_t n, const saetm__merge *merges, uint32_t k, uint32_t *labels);

#endif /* SAETM_INT_H */
