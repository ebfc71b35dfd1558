/*
 * sae_int.h - internals shared by the SAE modules (model, selection, gradient, training,
 * encoding) and by their tests. Not part of the public API.
 */
#ifndef SAETM_SAE_INT_H
#define SAETM_SAE_INT_H

#include "saetm_int.h"

/* ---- selection (select.c) ----------------------------------------------------------------- */

/* A candidate value at (row, col). Order: larger v first, then smaller row, then smaller col. */
typedef struct saetm__cand {
    float v;
    uint32_t row;
    uint32_t col;
} saetm__cand;

/* Move the k best of a[0..n) to a[0..k) (in no particular order). O(n) expected. */
void saetm__select_best(saetm__cand *a, size_t n, size_t k);
/* Sort by (row, col) ascending. */
void saetm__sort_by_position(saetm__cand *a, size_t n);

/* Streaming best-k selector; rows must be pushed in increasing row order. */
typedef struct saetm__topsel {
    saetm__cand *buf;
    size_t n, cap, k;
    float t;  /* running threshold: the k-th best value once the buffer was first cut */
    int cut;
} saetm__topsel;

/* Scratch size for a selector keeping k. */
#define SAETM__TOPK_SCRATCH(k) (4 * (size_t)(k) + 16)
void saetm__topsel_init(saetm__topsel *s, saetm__cand *buf, size_t cap, size_t k);
/* As init, but only values above `floor` can enter (a known lower bound of the result helps
 * the first pass: no buffer cuts while the threshold climbs). */
void saetm__topsel_init_floor(saetm__topsel *s, saetm__cand *buf, size_t cap, size_t k, float floor);
/* Push z[j] + bias[j] (bias may be NULL) for j < n as row `row`. */
void saetm__topsel_push_row(saetm__topsel *s, const float *z, const float *bias, uint32_t n, uint32_t row);
/* Cut to the best k; @return their number (min(k, pushed)), in s->buf[0..). */
size_t saetm__topsel_finish(saetm__topsel *s);

/* A floor with about `want` values of the rows x cols matrix z (+ bias per column) above it,
 * from a fixed strided sample of SAETM__SAMPLE_N values (scratch holds as many candidates);
 * -INFINITY when the sample is too small to tell. A guess only: callers must check that at
 * least as many values as they need lie above it. */
#define SAETM__SAMPLE_N 16384
float saetm__sample_floor(const float *z, const float *bias, size_t rows, size_t cols, size_t want,
                          saetm__cand *scratch);
/* Sort by (row, col) in linear time (two stable counting sorts); tmp holds n candidates,
 * count max(rows, cols) + 1 entries. */
void saetm__sort_by_position_radix(saetm__cand *a, size_t n, uint32_t rows, uint32_t cols, saetm__cand *tmp,
                                   size_t *count);

/* The k best (k clipped to n) of z[j] + bias[j], j < n: columns ascending into idx, values into
 * val; scratch holds SAETM__TOPK_SCRATCH(k) candidates. @return the count. */
uint32_t saetm__topk_row(const float *z, const float *bias, uint32_t n, uint32_t k, saetm__cand *scratch,
                         uint32_t *idx, float *val);

/* ---- the model (sae_model.c) -------------------------------------------------------------- */

#define SAETM__SAE_MAGIC "SAETMSAE"
#define SAETM__SAE_VERSION 1
#define SAETM__CKPT_MAGIC "SAETMCKP"
#define SAETM__CKPT_VERSION 1

struct saetm_sae {
    saetm_sae_config cfg;  /* strings point at embedder below; checkpoint fields cleared */
    char *embedder;        /* never NULL */
    uint32_t d, F, k;
    float *w_enc;          /* F x d */
    float *b_enc;          /* F */
    float *w_dec;          /* F x d, unit-norm rows */
    float *b_dec;          /* d */
    float *theta;          /* F inference thresholds */
    saetm_sae_stats stats;
};

/* Allocate a zeroed model of the given shape, copying cfg (and its embedder name). */
saetm_status saetm__sae_alloc(saetm_ctx *ctx, const saetm_sae_config *cfg, uint32_t d, uint32_t F, saetm_sae **out);

/* The configuration is stored as two sections: "config_u" (u64: arch, d, F, k, expansion, batch,
 * epochs, steps, k_aux, dead_samples, median_sample, seed) and "config_f" (f64: lr, warmup, l1,
 * l0, jump_bandwidth, auxk_alpha, grad_clip, adam_beta1, adam_beta2, adam_eps), plus the embedder
 * name as "embedder" (u8, NUL-terminated). Shared by .saem files and checkpoints. */
saetm_status saetm__sae_write_config(saetm_ctx *ctx, saetm__cwriter *w, const saetm_sae_config *cfg, uint32_t d,
                                     uint32_t F);
/* Read and validate them; *embedder is malloc'ed (never NULL on success), cfg->embedder and
 * cfg->checkpoint_path are left NULL. */
saetm_status saetm__sae_read_config(saetm_ctx *ctx, const saetm__creader *r, saetm_sae_config *cfg, uint32_t *d,
                                    uint32_t *F, char **embedder);
/* Copy section `name` (dtype, rows x cols, checked) into dst. */
saetm_status saetm__sae_copy_section(saetm_ctx *ctx, const saetm__creader *r, const char *name, saetm__dtype dt,
                                     uint64_t rows, uint64_t cols, void *dst);
/* Number of features for a config and input dimension. */
uint32_t saetm__sae_features(const saetm_sae_config *cfg, uint32_t d);

/* ---- gradients of one batch (sae_grad.c) -------------------------------------------------- */

/* Where each parameter block lives inside one flat float buffer (offsets in floats, each a
 * multiple of 16 so every block is 64-byte aligned). log_theta exists for jumprelu only. */
typedef struct saetm__sae_layout {
    size_t w_enc, w_dec, b_enc, b_dec, log_theta;
    size_t total;
} saetm__sae_layout;

void saetm__sae_layout_init(saetm__sae_layout *l, saetm_sae_arch arch, uint32_t d, uint32_t F);

/* The fixed part of the problem. */
typedef struct saetm__sae_dims {
    saetm_sae_arch arch;
    uint32_t d, F, k, k_aux;
    float l1, l0, bandwidth, aux_alpha;
    int project; /* project decoder gradients (see saetm__sae_grad) */
} saetm__sae_dims;

/* One active (or auxiliary, or threshold-band) entry of the batch. */
typedef struct saetm__sae_entry {
    uint32_t row, f;
    float z;       /* pre-activation (with b_enc) */
    float ga;      /* dL/da (for band entries: recon part only) */
    uint8_t kind;  /* SAETM__E_MAIN, SAETM__E_AUX, SAETM__E_BAND */
} saetm__sae_entry;

enum { SAETM__E_MAIN = 0, SAETM__E_AUX = 1, SAETM__E_BAND = 2 };

/* What one batch gave (sums over its rows, training units). */
typedef struct saetm__sae_batch_stats {
    double loss;        /* total objective */
    double recon;       /* sum_b ||x_hat_b - x_b||^2 */
    double var;         /* sum_b ||x_b - mean||^2 */
    double aux;         /* auxiliary loss (already weighted), 0 when no dead feature */
    double l0;          /* number of active (row, feature) pairs */
    float batch_threshold; /* batchtopk: the k*B-th largest pre-activation (>= 0) */
    uint32_t rows;
} saetm__sae_batch_stats;

/* Work buffers for batches of up to max_batch rows (sized once) on `threads` threads. */
typedef struct saetm__sae_work saetm__sae_work;

saetm_status saetm__sae_work_create(saetm_ctx *ctx, const saetm__sae_dims *dims, uint32_t max_batch, int threads,
                                    saetm__sae_work **out);
void saetm__sae_work_free(saetm__sae_work *w);

/* Forward and backward pass over batch x (B x d, training units, B <= max_batch): writes every
 * gradient into grads (layout l, all of it), sets fired[f] = 1 for the features active in this
 * batch (the caller clears it), uses dead[F] (non-zero = dead, may be NULL) for the auxiliary loss:
 * features dead and not active in this batch. With dims.project the decoder rows' gradients are
 * already projected (radial component removed) and their squared norms kept for
 * saetm__sae_grad_sq_norm; without, the raw gradient (finite-difference tests).
 * The same bytes for any thread count and any split of the batch over processes (exact sums).
 * @return SAETM_ERR_NOMEM or SAETM_OK. */
saetm_status saetm__sae_grad(saetm_ctx *ctx, saetm__sae_work *w, const saetm__sae_layout *l,
                             const float *params, const float *x, uint32_t B, const uint8_t *dead,
                             float *grads, uint8_t *fired, saetm__sae_batch_stats *st);

/* Data-parallel passes (src/dist): this process holds the rows at global batch positions
 * gpos[0..B) (increasing) of a batch of bg rows; saetm__sae_grad and saetm__sae_init_threshold
 * then compute the whole batch's selection, losses and gradients (summed over the processes;
 * every process gets the same), B may be 0. gpos = NULL: one process (the default). gpos must
 * stay valid while passes run. */
void saetm__sae_work_set_dist(saetm__sae_work *w, uint32_t bg, const uint32_t *gpos);

/* Squared L2 norm of all gradients of the last saetm__sae_grad call (dims.project set). */
double saetm__sae_grad_sq_norm(const saetm__sae_work *w, const saetm__sae_layout *l, const float *grads);

/* The k*B-th largest pre-activation of batch x (B x d) with the current parameters: used to
 * start relu-l1 (b_enc = -t) and jumprelu (theta = t) near mean L0 = k. */
saetm_status saetm__sae_init_threshold(saetm_ctx *ctx, saetm__sae_work *w, const saetm__sae_layout *l,
                                       const float *params, const float *x, uint32_t B, float *out);

/* Seconds spent per phase over all calls: encoder sgemm, selection, decoder and dL/da,
 * auxiliary loss, column index, gradients (exact sums, their allreduce, b_dec). */
#define SAETM__PROF_N 6
void saetm__sae_work_profile(const saetm__sae_work *w, double out[SAETM__PROF_N]);

/* The pre-activations of the last batch without b_enc (B x F, row-major). For tests, after
 * saetm__sae_work_keep_pre (otherwise BatchTopK zeroes them once selected). */
const float *saetm__sae_work_pre(const saetm__sae_work *w);
void saetm__sae_work_keep_pre(saetm__sae_work *w);

/* The entries of the last batch (main entries first, rows ascending, features ascending within
 * a row; aux and band entries after). For tests. */
const saetm__sae_entry *saetm__sae_work_entries(const saetm__sae_work *w, size_t *n_main, size_t *n_all);

/* ---- optimiser (sae_train.c) -------------------------------------------------------------- */

/* Renormalise decoder rows to unit norm. */
void saetm__sae_normalize_decoder(int threads, const saetm__sae_layout *l, uint32_t d, uint32_t F, float *params);
/* The optimiser step after saetm__sae_grad (with dims.project): clip the gradients to global norm
 * max_norm (torch.nn.utils.clip_grad_norm_'s rule: factor max_norm / (norm + 1e-6) when below 1;
 * 0 = off), one Adam step (torch.optim.Adam's formula) at 1-based step t with learning rate lr,
 * and renormalise each decoder row right after its update: one pass over the parameters.
 * @return the gradient norm before clipping. */
double saetm__sae_optimizer_step(int threads, const saetm__sae_layout *l, uint32_t d, uint32_t F, float *params,
                                 const float *grads, float *m, float *v, double grad_sq_norm, double max_norm,
                                 double lr, double beta1, double beta2, double eps, uint64_t t);

/* Threads worth using for work of about `flops` multiply-adds per parallel stage: small problems
 * run on fewer threads (barriers cost more than they save; results are the same either way). */
int saetm__sae_threads(int threads, double flops);

#endif
