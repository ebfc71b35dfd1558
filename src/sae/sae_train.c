/*
 * sae_train.c - the SAE training loop: initialisation, Adam with warm-up, decoder-norm
 * constraint, gradient clipping, dead-feature tracking, per-epoch reports, checkpoints.
 *
 * Training works in "training units": every input row is multiplied by one scale s chosen so
 * that the sampled rows have mean squared distance d from their geometric median (so pre-
 * activations are O(1) whatever the embedder's scale, and lr, l1, thresholds mean the same for
 * every embedder). TopK, BatchTopK, ReLU and JumpReLU are positively homogeneous, so the
 * finished model is folded back into input units exactly: b_dec, b_enc and thresholds are divided
 * by s, W_enc and W_dec are unchanged, and activations come out divided by s.
 *
 * One step (docs/method.md 2.2):
 *   gather the batch (a fresh permutation per epoch, counter-based RNG keyed by the epoch)
 *   -> forward/backward (sae_grad.c) -> drop the decoder gradients' radial components
 *   -> clip the global gradient norm -> Adam (linear warm-up of the learning rate)
 *   -> renormalise the decoder rows -> update dead-feature counters and BatchTopK's threshold.
 * Every step is a pure function of the state and the step number, so a run resumed from a
 * checkpoint (the whole state, including Adam's moments and the epoch's running sums) ends with
 * the same bytes as an uninterrupted run.
 */
#include "sae_int.h"
#include "dist/dist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* RNG stages (with the seed, they key every random stream of training). */
enum { STAGE_SAMPLE = 1, STAGE_INIT = 2, STAGE_SHUFFLE = 3 };

#define AUTO_STEPS 1000
#define FINGERPRINT_ROWS 1024

typedef struct trainer {
    saetm_sae_config cfg;
    char *embedder;
    char *ckpt_path;
    uint32_t d, F, B;
    uint64_t N, spe, total, warmup_steps, dead_samples, k_aux;
    saetm__sae_layout l;
    saetm__sae_dims dims;
    float *params, *grads, *m, *v;
    uint64_t *since_fired;
    uint8_t *fired, *dead;
    uint32_t *perm;
    uint64_t perm_epoch;
    float *xb;
    saetm__sae_work *work;
    int threads;
    /* state saved in checkpoints */
    uint64_t step;
    double scale;
    double thr_ema;
    uint64_t have_thr;
    uint32_t fingerprint;
    double ep_recon, ep_var, ep_l0; /* running sums of the current epoch */
    uint64_t ep_rows;
    double last_mse, last_fvu, last_l0; /* the last finished epoch */
    uint64_t have_last;
    double t_batch, t_opt; /* seconds loading batches and in the optimiser */
    /* data parallel (docs/distributed.md): this process reads rows [r0, r1) only; each batch
     * holds bl of them, at global batch positions gpos[0..bl) */
    int D;
    uint64_t r0, r1;
    uint32_t *gpos;
    uint32_t bl;
} trainer;

/* ======================================================================
 * Optimiser
 * ==================================================================== */

void saetm__sae_normalize_decoder(int threads, const saetm__sae_layout *l, uint32_t d, uint32_t F, float *params)
{
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t f = 0; f < F; f++) {
        float *w = params + l->w_dec + (size_t)f * d;
        double s = 0.0;
        for (uint32_t j = 0; j < d; j++) s += (double)w[j] * w[j];
        if (s > 0.0) {
            float inv = (float)(1.0 / sqrt(s));
            for (uint32_t j = 0; j < d; j++) w[j] *= inv;
        }
    }
}

typedef struct adam_consts {
    float b1, b2, step, sqrt_bc2, eps, clip;
} adam_consts;

static inline void adam_span(const adam_consts *a, float *p, const float *g, float *m, float *v, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * a->clip;
        m[i] = a->b1 * m[i] + (1.0f - a->b1) * gi;
        v[i] = a->b2 * v[i] + (1.0f - a->b2) * gi * gi;
        p[i] -= a->step * m[i] / (sqrtf(v[i]) / a->sqrt_bc2 + a->eps);
    }
}

double saetm__sae_optimizer_step(int threads, const saetm__sae_layout *l, uint32_t d, uint32_t F, float *params,
                                 const float *grads, float *m, float *v, double grad_sq_norm, double max_norm,
                                 double lr, double beta1, double beta2, double eps, uint64_t t)
{
    double norm = sqrt(grad_sq_norm);
    adam_consts a;
    a.clip = 1.0f;
    if (max_norm > 0.0) {
        double coef = max_norm / (norm + 1e-6);
        if (coef < 1.0) a.clip = (float)coef;
    }
    const double bc1 = 1.0 - pow(beta1, (double)t), bc2 = 1.0 - pow(beta2, (double)t);
    a.b1 = (float)beta1;
    a.b2 = (float)beta2;
    a.step = (float)(lr / bc1);
    a.sqrt_bc2 = (float)sqrt(bc2);
    a.eps = (float)eps;
    /* Encoder and decoder rows feature by feature (the decoder row renormalised while in cache),
     * then the small blocks (biases, log thresholds) that follow them in the layout. */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t f = 0; f < F; f++) {
        size_t e = l->w_enc + (size_t)f * d, o = l->w_dec + (size_t)f * d;
        adam_span(&a, params + e, grads + e, m + e, v + e, d);
        adam_span(&a, params + o, grads + o, m + o, v + o, d);
        float *w = params + o;
        double s = 0.0;
        for (uint32_t j = 0; j < d; j++) s += (double)w[j] * w[j];
        if (s > 0.0) {
            float inv = (float)(1.0 / sqrt(s));
            for (uint32_t j = 0; j < d; j++) w[j] *= inv;
        }
    }
    size_t tail = l->b_enc;
    adam_span(&a, params + tail, grads + tail, m + tail, v + tail, l->total - tail);
    return norm;
}

/* ======================================================================
 * Set-up
 * ==================================================================== */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Data parallel: rank 0 reads the rows and sends the result. */
static uint32_t data_fingerprint_rows(const saetm_matrix *x);
static uint32_t data_fingerprint(saetm_ctx *ctx, const saetm_matrix *x)
{
    if (!saetm__dist_on(ctx)) return data_fingerprint_rows(x);
    uint32_t crc = saetm__dist_rank() == 0 ? data_fingerprint_rows(x) : 0;
    saetm__dist_bcast(&crc, sizeof crc, 0);
    return crc;
}

static uint32_t data_fingerprint_rows(const saetm_matrix *x)
{
    uint64_t shape[2] = {x->rows, x->cols};
    uint32_t crc = saetm__crc32(0, shape, sizeof shape);
    uint64_t n = x->rows < FINGERPRINT_ROWS ? x->rows : FINGERPRINT_ROWS;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t r = x->rows <= FINGERPRINT_ROWS ? i : i * x->rows / FINGERPRINT_ROWS;
        crc = saetm__crc32(crc, x->data + r * x->cols, (size_t)x->cols * sizeof(float));
    }
    return crc;
}

int saetm__sae_threads(int threads, double flops)
{
    double useful = flops / (double)(1u << 26);
    if (useful < 1.0) useful = 1.0;
    return useful < (double)threads ? (int)useful : threads;
}

static void trainer_free(trainer *t)
{
    free(t->embedder);
    free(t->ckpt_path);
    saetm__free_aligned(t->params);
    saetm__free_aligned(t->grads);
    saetm__free_aligned(t->m);
    saetm__free_aligned(t->v);
    free(t->since_fired);
    free(t->fired);
    free(t->dead);
    free(t->perm);
    free(t->gpos);
    saetm__free_aligned(t->xb);
    saetm__sae_work_free(t->work);
    memset(t, 0, sizeof *t);
}

/* Derived sizes and buffers from t->cfg, t->d and the data. */
static saetm_status trainer_setup(saetm_ctx *ctx, trainer *t, const saetm_matrix *x)
{
    const saetm_sae_config *c = &t->cfg;
    t->N = x->rows;
    t->d = (uint32_t)x->cols;
    t->F = saetm__sae_features(c, t->d);
    t->B = c->batch < t->N ? c->batch : (uint32_t)t->N;
    t->threads = saetm__sae_threads(saetm_ctx_threads(ctx), (double)t->B * t->F * t->d);
    t->spe = t->N / t->B;
    if (c->steps) t->total = c->steps;
    else if (c->epochs) t->total = (uint64_t)c->epochs * t->spe;
    else t->total = t->spe >= AUTO_STEPS ? t->spe : (AUTO_STEPS + t->spe - 1) / t->spe * t->spe;
    t->warmup_steps = (uint64_t)(c->warmup * (double)t->total);
    t->k_aux = c->k_aux ? c->k_aux : (t->d / 2 ? t->d / 2 : 1);
    if (t->k_aux > t->F) t->k_aux = t->F;
    if (c->dead_samples) t->dead_samples = c->dead_samples;
    else {
        uint64_t ds = 2 * t->N, lo = 4 * (uint64_t)t->B;
        t->dead_samples = ds < lo ? lo : ds > 10000000 ? 10000000 : ds;
    }
    t->dims.arch = c->arch;
    t->dims.d = t->d;
    t->dims.F = t->F;
    t->dims.k = c->k;
    t->dims.k_aux = (uint32_t)t->k_aux;
    t->dims.l1 = (float)c->l1;
    t->dims.l0 = (float)c->l0;
    t->dims.bandwidth = (float)c->jump_bandwidth;
    t->dims.aux_alpha = (float)c->auxk_alpha;
    t->dims.project = 1;
    saetm__sae_layout_init(&t->l, c->arch, t->d, t->F);
    size_t P = t->l.total;
    /* Estimated peak before allocating: weights, gradients and Adam moments, per-feature state,
     * the row order, and a batch's pre-activations and reconstructions. */
    char what[128];
    snprintf(what, sizeof what, "SAE training (%u features x %u dimensions, batch %u)", t->F, t->d, t->B);
    uint64_t est = 4ull * P * sizeof(float) + (uint64_t)t->F * 10 + (uint64_t)t->N * sizeof(uint32_t) +
                   (uint64_t)t->B * ((uint64_t)t->F * 2 * sizeof(float) + (uint64_t)t->d * 4 * sizeof(float));
    saetm_status mst = saetm__mem_check(ctx, est, what);
    if (mst) return mst;
    t->params = saetm__calloc_aligned(P, sizeof(float));
    t->grads = saetm__calloc_aligned(P, sizeof(float));
    t->m = saetm__calloc_aligned(P, sizeof(float));
    t->v = saetm__calloc_aligned(P, sizeof(float));
    t->since_fired = calloc(t->F, sizeof(uint64_t));
    t->fired = calloc(t->F, 1);
    t->dead = calloc(t->F, 1);
    t->perm = malloc((size_t)t->N * sizeof(uint32_t));
    t->xb = saetm__calloc_aligned((size_t)t->B * t->d, sizeof(float));
    t->perm_epoch = UINT64_MAX;
    t->D = saetm__dist_on(ctx);
    t->r0 = 0;
    t->r1 = t->N;
    if (t->D) {
        saetm__dist_range(t->N, saetm__dist_rank(), saetm__dist_size(), &t->r0, &t->r1);
        t->gpos = malloc((size_t)t->B * sizeof *t->gpos);
    }
    if (!t->params || !t->grads || !t->m || !t->v || !t->since_fired || !t->fired || !t->dead || !t->perm || !t->xb ||
        (t->D && !t->gpos))
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE training: out of memory for %u x %u weights", t->F, t->d);
    return saetm__sae_work_create(ctx, &t->dims, t->B, t->threads, &t->work);
}

static saetm_status check_data(saetm_ctx *ctx, const saetm_matrix *x)
{
    if (saetm__dist_on(ctx) && x && x->data && x->rows && x->cols && x->rows <= UINT32_MAX && x->cols <= 65536)
        return saetm__dist_check_finite(ctx, x, "embeddings"); /* each process its own rows */
    if (!x || !x->data || x->rows == 0 || x->cols == 0)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "SAE training needs at least one row of embeddings");
    if (x->rows > UINT32_MAX) return saetm__fail(ctx, SAETM_ERR_SHAPE, "SAE training: more than 4,294,967,295 rows");
    if (x->cols > 65536) return saetm__fail(ctx, SAETM_ERR_SHAPE, "SAE training: %llu columns (at most 65536)",
                                            (unsigned long long)x->cols);
    return saetm_matrix_check_finite(ctx, x, "embeddings");
}

/* Geometric median of the rows idx[0..n) (Weiszfeld's iteration from the mean), in double;
 * num and dist are scratch of d and n doubles. */
static void geometric_median(int threads, const saetm_matrix *x, const uint32_t *idx, uint32_t n, double *y,
                             double *num, double *dist)
{
    const uint32_t d = (uint32_t)x->cols;
    for (uint32_t j = 0; j < d; j++) y[j] = 0.0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < d; j++) y[j] += x->data[(size_t)idx[i] * d + j];
    for (uint32_t j = 0; j < d; j++) y[j] /= n;
    for (int it = 0; it < 200; it++) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (uint32_t i = 0; i < n; i++) {
            const float *r = x->data + (size_t)idx[i] * d;
            double s = 0.0;
            for (uint32_t j = 0; j < d; j++) s += (r[j] - y[j]) * (r[j] - y[j]);
            dist[i] = sqrt(s);
        }
        double spread = 0.0, den = 0.0;
        for (uint32_t i = 0; i < n; i++) spread += dist[i];
        spread /= n;
        if (spread == 0.0) break;
        for (uint32_t j = 0; j < d; j++) num[j] = 0.0;
        for (uint32_t i = 0; i < n; i++) {
            double w = 1.0 / (dist[i] > 1e-12 * spread ? dist[i] : 1e-12 * spread);
            den += w;
            const float *r = x->data + (size_t)idx[i] * d;
            for (uint32_t j = 0; j < d; j++) num[j] += w * r[j];
        }
        double move = 0.0;
        for (uint32_t j = 0; j < d; j++) {
            double ny = num[j] / den;
            move += (ny - y[j]) * (ny - y[j]);
            y[j] = ny;
        }
        if (sqrt(move) <= 1e-7 * spread) break;
    }
}

/* Fisher-Yates permutation of 0..N-1 for `epoch`. */
static void make_perm(trainer *t, uint64_t epoch)
{
    saetm__rng r;
    saetm__rng_init(&r, t->cfg.seed, STAGE_SHUFFLE, epoch);
    for (uint64_t i = 0; i < t->N; i++) t->perm[i] = (uint32_t)i;
    for (uint64_t i = t->N; i > 1; i--) {
        uint64_t j = saetm__rng_below(&r, i);
        uint32_t tmp = t->perm[i - 1];
        t->perm[i - 1] = t->perm[j];
        t->perm[j] = tmp;
    }
    t->perm_epoch = epoch;
}

/* Rows of batch `step` into t->xb, in training units. */
static void load_batch(trainer *t, const saetm_matrix *x, uint64_t step)
{
    uint64_t epoch = step / t->spe, pos = step % t->spe;
    if (t->perm_epoch != epoch) make_perm(t, epoch);
    const uint32_t d = t->d;
    const float s = (float)t->scale;
    const uint32_t *rows = t->perm + pos * t->B;
    if (t->D) {
        /* This process's rows of the batch, in batch order. */
        uint32_t n = 0;
        for (uint32_t b = 0; b < t->B; b++)
            if (rows[b] >= t->r0 && rows[b] < t->r1) {
                const float *src = x->data + (size_t)rows[b] * d;
                float *dst = t->xb + (size_t)n * d;
                for (uint32_t j = 0; j < d; j++) dst[j] = s * src[j];
                t->gpos[n++] = b;
            }
        t->bl = n;
        saetm__sae_work_set_dist(t->work, t->B, t->gpos);
        return;
    }
#pragma omp parallel for num_threads(t->threads) schedule(static)
    for (uint32_t b = 0; b < t->B; b++) {
        const float *src = x->data + (size_t)rows[b] * d;
        float *dst = t->xb + (size_t)b * d;
        for (uint32_t j = 0; j < d; j++) dst[j] = s * src[j];
    }
}

/* SAETM_SAE_INIT_DATA: decoder row f (not yet normalised) from the centred rows z_i = s x_i - b_dec,
 * none of it from the seed, so that SAEs of different seeds start alike (docs/sae.md). F <= N: row
 * floor(f N / F), spread over the whole file. F > N: rows 0..N-1 first, then z_a / |z_a| + z_b / |z_b|
 * with a = f mod N, b = (a + f / N) mod N, plus a small fixed-key Gaussian (the key is a constant,
 * not the seed) so that no two start equal when N is tiny. A row equal to the median falls back
 * to that Gaussian alone. N >= 1 here (training refuses fewer rows). */
/* 1 / |s x_i - b_dec| (0 for a row equal to the median). */
static double centred_inv_norm(const trainer *t, const saetm_matrix *x, const float *b_dec, uint64_t i)
{
    const float *row = x->data + (size_t)i * t->d;
    double ss = 0.0;
    for (uint32_t j = 0; j < t->d; j++) {
        double z = t->scale * row[j] - b_dec[j];
        ss += z * z;
    }
    return ss > 0.0 ? 1.0 / sqrt(ss) : 0.0;
}

static void init_decoder_data(const trainer *t, const saetm_matrix *x, const float *b_dec, float *w_dec)
{
    const uint32_t d = t->d, F = t->F;
    const uint64_t N = t->N;
#pragma omp parallel for num_threads(t->threads) schedule(static)
    for (uint32_t f = 0; f < F; f++) {
        float *w = w_dec + (size_t)f * d;
        int pair = f >= N;
        uint64_t a = pair ? f % N : (F <= N ? (uint64_t)f * N / F : f), b = pair ? (a + f / N) % N : a;
        double ia = centred_inv_norm(t, x, b_dec, a), ib = pair ? centred_inv_norm(t, x, b_dec, b) : 0.0;
        double amp = pair ? 0.05 : 0.0;
        if (ia == 0.0 && ib == 0.0) amp = 1.0;
        const float *ra = x->data + (size_t)a * d, *rb = x->data + (size_t)b * d;
        saetm__rng fr;
        saetm__rng_init(&fr, 0, STAGE_INIT, f); /* key 0 whatever the seed */
        for (uint32_t j = 0; j < d; j++) {
            double v = (t->scale * ra[j] - b_dec[j]) * ia;
            if (pair) v += (t->scale * rb[j] - b_dec[j]) * ib;
            if (amp > 0.0) v += amp * saetm__rng_normal(&fr) / sqrt((double)d);
            w[j] = (float)v;
        }
    }
}

/* SAETM_SAE_INIT_NEIGHBORS: each (normalised) data start row becomes the mean of the unit centred
 * rows of its NEIGHBOR_ROWS nearest training rows by cosine (itself among them; ties to the lower
 * row), so that a feature starts at a small region of the data rather than one document. Anchors
 * in fixed blocks (the product's bytes do not depend on the thread count). */
#define NEIGHBOR_ROWS 16
#define NEIGHBOR_BLOCK 256

static saetm_status smooth_decoder_neighbors(saetm_ctx *ctx, const trainer *t, const saetm_matrix *x,
                                             const float *b_dec, float *w_dec)
{
    const uint32_t d = t->d, F = t->F;
    const uint64_t N = t->N;
    const uint32_t m = N < NEIGHBOR_ROWS ? (uint32_t)N : NEIGHBOR_ROWS;
    float *U = malloc((size_t)N * d * sizeof(float)), *S = malloc((size_t)NEIGHBOR_BLOCK * N * sizeof(float));
    float *out = malloc((size_t)NEIGHBOR_BLOCK * d * sizeof(float));
    if (!U || !S || !out) {
        free(U);
        free(S);
        free(out);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE training (--init neighbors): out of memory");
    }
#pragma omp parallel for num_threads(t->threads) schedule(static)
    for (uint64_t i = 0; i < N; i++) {
        double inv = centred_inv_norm(t, x, b_dec, i);
        const float *row = x->data + (size_t)i * d;
        for (uint32_t j = 0; j < d; j++) U[(size_t)i * d + j] = (float)((t->scale * row[j] - b_dec[j]) * inv);
    }
    for (uint32_t f0 = 0; f0 < F; f0 += NEIGHBOR_BLOCK) {
        uint32_t nb = F - f0 < NEIGHBOR_BLOCK ? F - f0 : NEIGHBOR_BLOCK;
        saetm__sgemm(t->threads, 0, 1, nb, N, d, 1.0f, w_dec + (size_t)f0 * d, d, U, d, 0.0f, S, N);
#pragma omp parallel for num_threads(t->threads) schedule(static)
        for (uint32_t b = 0; b < nb; b++) {
            uint64_t best[NEIGHBOR_ROWS];
            float bv[NEIGHBOR_ROWS];
            uint32_t nbest = 0;
            const float *srow = S + (size_t)b * N;
            for (uint64_t i = 0; i < N; i++) {
                float v = srow[i];
                if (nbest == m && !(v > bv[m - 1])) continue; /* strict: ties keep the lower row */
                uint32_t p = nbest < m ? nbest++ : m - 1;
                while (p > 0 && v > bv[p - 1]) {
                    bv[p] = bv[p - 1];
                    best[p] = best[p - 1];
                    p--;
                }
                bv[p] = v;
                best[p] = i;
            }
            float *o = out + (size_t)b * d;
            for (uint32_t j = 0; j < d; j++) {
                double acc = 0.0;
                for (uint32_t q = 0; q < nbest; q++) acc += U[(size_t)best[q] * d + j];
                o[j] = (float)acc;
            }
        }
        memcpy(w_dec + (size_t)f0 * d, out, (size_t)nb * d * sizeof(float));
    }
    free(U);
    free(S);
    free(out);
    return SAETM_OK;
}

/* Fresh parameters: b_dec at the geometric median, decoder rows random unit vectors (or the data's:
 * init_decoder_data), encoder = decoder transpose, b_enc 0 (relu-l1: -t) and jumprelu thresholds t, where t is the k*B-th
 * largest pre-activation of the first batch. */
static saetm_status init_params(saetm_ctx *ctx, trainer *t, const saetm_matrix *x)
{
    const uint32_t d = t->d, F = t->F;
    uint32_t n = t->N < t->cfg.median_sample ? (uint32_t)t->N : t->cfg.median_sample;
    /* Sample: the first n of a seeded partial Fisher-Yates shuffle (all rows when N <= n). */
    saetm__rng r;
    saetm__rng_init(&r, t->cfg.seed, STAGE_SAMPLE, 0);
    for (uint64_t i = 0; i < t->N; i++) t->perm[i] = (uint32_t)i;
    if (n < t->N)
        for (uint32_t i = 0; i < n; i++) {
            uint64_t j = i + saetm__rng_below(&r, t->N - i);
            uint32_t tmp = t->perm[i];
            t->perm[i] = t->perm[j];
            t->perm[j] = tmp;
        }
    /* med[0..d) and, at med[d], the mean squared distance from it. Data parallel: rank 0 reads
     * the sample and sends both to the others. */
    double *med = calloc(d + 1, sizeof(double)), *num = calloc(d, sizeof(double)), *dist = calloc(n, sizeof(double));
    if (!med || !num || !dist) {
        free(med);
        free(num);
        free(dist);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    }
    if (!t->D || saetm__dist_rank() == 0) {
        geometric_median(t->threads, x, t->perm, n, med, num, dist);
        double ss = 0.0;
        for (uint32_t i = 0; i < n; i++) {
            const float *row = x->data + (size_t)t->perm[i] * d;
            for (uint32_t j = 0; j < d; j++) ss += (row[j] - med[j]) * (row[j] - med[j]);
        }
        med[d] = ss / n;
    }
    if (t->D) saetm__dist_bcast(med, (d + 1) * sizeof(double), 0);
    free(num);
    double ss = med[d];
    if (!(ss > 0.0)) {
        free(med);
        free(dist);
        return saetm__fail(ctx, SAETM_ERR_INPUT,
                           "embeddings: all %u sampled rows are identical; an SAE needs rows that differ", n);
    }
    t->scale = sqrt((double)d / ss);
    float *b_dec = t->params + t->l.b_dec;
    for (uint32_t j = 0; j < d; j++) b_dec[j] = (float)(t->scale * med[j]);
    free(med);
    free(dist);
    t->perm_epoch = UINT64_MAX;

    float *w_dec = t->params + t->l.w_dec, *w_enc = t->params + t->l.w_enc;
    if (t->cfg.init != SAETM_SAE_INIT_RANDOM) {
        /* Rank 0 holds every row (it read the median's sample); the others get its decoder. */
        saetm_status st = SAETM_OK;
        if (!t->D || saetm__dist_rank() == 0) {
            init_decoder_data(t, x, b_dec, w_dec);
            if (t->cfg.init == SAETM_SAE_INIT_NEIGHBORS) {
                saetm__sae_normalize_decoder(t->threads, &t->l, d, F, t->params);
                st = smooth_decoder_neighbors(ctx, t, x, b_dec, w_dec);
            }
        }
        if (t->D) saetm__dist_bcast(&st, sizeof st, 0); /* rank 0 out of memory: every process stops */
        if (st) return st;
        if (t->D) saetm__dist_bcast(w_dec, (size_t)F * d * sizeof(float), 0);
    } else {
#pragma omp parallel for num_threads(t->threads) schedule(static)
        for (uint32_t f = 0; f < F; f++) {
            saetm__rng fr;
            saetm__rng_init(&fr, t->cfg.seed, STAGE_INIT, f);
            float *w = w_dec + (size_t)f * d;
            for (uint32_t j = 0; j < d; j++) w[j] = (float)saetm__rng_normal(&fr);
        }
    }
    saetm__sae_normalize_decoder(t->threads, &t->l, d, F, t->params);
    memcpy(w_enc, w_dec, (size_t)F * d * sizeof(float));

    if (t->cfg.arch == SAETM_SAE_RELU_L1 || t->cfg.arch == SAETM_SAE_JUMPRELU) {
        load_batch(t, x, 0);
        float thr = 0.0f;
        saetm_status st =
            saetm__sae_init_threshold(ctx, t->work, &t->l, t->params, t->xb, t->D ? t->bl : t->B, &thr);
        if (st) return st;
        if (t->cfg.arch == SAETM_SAE_RELU_L1) {
            float *b_enc = t->params + t->l.b_enc;
            for (uint32_t f = 0; f < F; f++) b_enc[f] = thr > 0.0f ? -thr : 0.0f;
        } else {
            float *lt = t->params + t->l.log_theta;
            for (uint32_t f = 0; f < F; f++) lt[f] = logf(thr > 1e-3f ? thr : 1e-3f);
        }
    }
    return SAETM_OK;
}

/* ======================================================================
 * Checkpoints (magic SAETMCKP, docs/FORMAT.md)
 * ==================================================================== */

#define STATE_U_N 8
#define STATE_F_N 9

static saetm_status write_checkpoint(saetm_ctx *ctx, const trainer *t)
{
    if (t->D && saetm__dist_rank() != 0) return SAETM_OK; /* every process holds the same state */
    saetm__cwriter *w;
    saetm_status st = saetm__cw_open(ctx, t->ckpt_path, SAETM__CKPT_MAGIC, SAETM__CKPT_VERSION, &w);
    if (st) return st;
    uint64_t su[STATE_U_N] = {t->step, t->N, t->d, t->fingerprint, t->have_thr, t->ep_rows, t->have_last, t->l.total};
    double sf[STATE_F_N] = {t->scale, t->thr_ema, t->ep_recon, t->ep_var, t->ep_l0,
                            t->last_mse, t->last_fvu, t->last_l0, 0.0};
    saetm_sae_config c = t->cfg;
    c.embedder = t->embedder;
    st = saetm__sae_write_config(ctx, w, &c, t->d, t->F);
    if (!st) st = saetm__cw_section(ctx, w, "state_u", SAETM__U64, su, STATE_U_N, 1);
    if (!st) st = saetm__cw_section(ctx, w, "state_f", SAETM__F64, sf, STATE_F_N, 1);
    if (!st) st = saetm__cw_section(ctx, w, "params", SAETM__F32, t->params, t->l.total, 1);
    if (!st) st = saetm__cw_section(ctx, w, "adam_m", SAETM__F32, t->m, t->l.total, 1);
    if (!st) st = saetm__cw_section(ctx, w, "adam_v", SAETM__F32, t->v, t->l.total, 1);
    if (!st) st = saetm__cw_section(ctx, w, "since_fired", SAETM__U64, t->since_fired, t->F, 1);
    if (st) {
        saetm__cw_abort(w);
        return st;
    }
    return saetm__cw_commit(ctx, w);
}

/* ======================================================================
 * The loop
 * ==================================================================== */

static void epoch_report(saetm_ctx *ctx, trainer *t, double t0)
{
    if (t->ep_rows == 0) return;
    t->last_mse = t->ep_recon / ((double)t->ep_rows * t->d) / (t->scale * t->scale);
    t->last_fvu = t->ep_var > 0.0 ? t->ep_recon / t->ep_var : 0.0;
    t->last_l0 = t->ep_l0 / (double)t->ep_rows;
    t->have_last = 1;
    uint64_t dead = 0;
    for (uint32_t f = 0; f < t->F; f++) dead += t->since_fired[f] >= t->dead_samples;
    double epoch = (double)t->step / (double)t->spe;
    saetm__log(ctx, SAETM_LOG_INFO,
               "epoch %.4g/%.4g  step %llu/%llu  mse %.4g  fvu %.4f  L0 %.1f  dead %.2f%%  (%.1f s)", epoch,
               (double)t->total / (double)t->spe, (unsigned long long)t->step, (unsigned long long)t->total,
               t->last_mse, t->last_fvu, t->last_l0, 100.0 * (double)dead / t->F, now_seconds() - t0);
    t->ep_recon = t->ep_var = t->ep_l0 = 0.0;
    t->ep_rows = 0;
}

static saetm_status run(saetm_ctx *ctx, trainer *t, const saetm_matrix *x, saetm_sae **out)
{
    const double t0 = now_seconds();
    const saetm_sae_config *c = &t->cfg;
    const double w = (double)t->total / 10.0;
    const double ema_beta = 1.0 - 1.0 / (w < 1.0 ? 1.0 : w > 1000.0 ? 1000.0 : w);
    saetm__log(ctx, SAETM_LOG_INFO,
               "training %s SAE: %llu rows x %u dims -> %u features, k %u, batch %u, %llu steps (%llu per epoch)%s",
               saetm_sae_arch_name(c->arch), (unsigned long long)t->N, t->d, t->F, c->k, t->B,
               (unsigned long long)t->total, (unsigned long long)t->spe, t->step ? ", resumed" : "");
    const uint64_t bytes0 = saetm__dist_bytes(), step0 = t->step;
    while (t->step < t->total) {
        double ta = cpu_seconds();
        load_batch(t, x, t->step);
        t->t_batch += cpu_seconds() - ta;
        memset(t->fired, 0, t->F);
        for (uint32_t f = 0; f < t->F; f++) t->dead[f] = t->since_fired[f] + t->B >= t->dead_samples;
        saetm__sae_batch_stats bs;
        if (t->D) saetm__dist_fault_point("train", t->step + 1);
        saetm_status st = saetm__sae_grad(ctx, t->work, &t->l, t->params, t->xb, t->D ? t->bl : t->B, t->dead,
                                          t->grads, t->fired, &bs);
        if (st) return st;
        if (!isfinite(bs.loss))
            return saetm__fail(ctx, SAETM_ERR_INPUT,
                               "SAE training diverged at step %llu (the loss is not finite); try a lower learning rate",
                               (unsigned long long)t->step + 1);
        for (uint32_t f = 0; f < t->F; f++) t->since_fired[f] = t->fired[f] ? 0 : t->since_fired[f] + t->B;
        if (c->arch == SAETM_SAE_BATCHTOPK) {
            t->thr_ema = t->have_thr ? ema_beta * t->thr_ema + (1.0 - ema_beta) * bs.batch_threshold : bs.batch_threshold;
            t->have_thr = 1;
        }
        ta = cpu_seconds();
        double lr = c->lr;
        if (t->warmup_steps > 0 && t->step < t->warmup_steps)
            lr = c->lr * (double)(t->step + 1) / (double)t->warmup_steps;
        saetm__sae_optimizer_step(t->threads, &t->l, t->d, t->F, t->params, t->grads, t->m, t->v,
                                  saetm__sae_grad_sq_norm(t->work, &t->l, t->grads), c->grad_clip, lr, c->adam_beta1,
                                  c->adam_beta2, c->adam_eps, t->step + 1);
        t->t_opt += cpu_seconds() - ta;
        t->ep_recon += bs.recon;
        t->ep_var += bs.var;
        t->ep_l0 += bs.l0;
        t->ep_rows += bs.rows;
        t->step++;
        if (t->step % t->spe == 0 || t->step == t->total) epoch_report(ctx, t, t0);
        if (c->checkpoint_every && t->step % c->checkpoint_every == 0 && t->step < t->total) {
            st = write_checkpoint(ctx, t);
            if (st) return saetm__fail_prefix(ctx, st, "writing checkpoint at step %llu", (unsigned long long)t->step);
        }
        if (saetm__progress(ctx, "train", t->step, t->total))
            return saetm__fail(ctx, SAETM_ERR_INTERRUPTED, "SAE training interrupted at step %llu of %llu",
                               (unsigned long long)t->step, (unsigned long long)t->total);
    }

    if (t->D && t->step > step0)
        saetm__log(ctx, SAETM_LOG_INFO, "data parallel over %d processes: communication: %.1f KB per step per process",
                   saetm__dist_size(), (double)(saetm__dist_bytes() - bytes0) / 1024.0 / (double)(t->step - step0));
    /* Fold the training scale back into input units. */
    saetm_sae_config mc = *c;
    mc.embedder = t->embedder;
    mc.n_features = t->F;
    saetm_sae *s;
    saetm_status st = saetm__sae_alloc(ctx, &mc, t->d, t->F, &s);
    if (st) return st;
    const float inv = (float)(1.0 / t->scale);
    memcpy(s->w_enc, t->params + t->l.w_enc, (size_t)t->F * t->d * sizeof(float));
    memcpy(s->w_dec, t->params + t->l.w_dec, (size_t)t->F * t->d * sizeof(float));
    for (uint32_t f = 0; f < t->F; f++) s->b_enc[f] = t->params[t->l.b_enc + f] * inv;
    for (uint32_t j = 0; j < t->d; j++) s->b_dec[j] = t->params[t->l.b_dec + j] * inv;
    for (uint32_t f = 0; f < t->F; f++) {
        if (c->arch == SAETM_SAE_BATCHTOPK) s->theta[f] = (float)t->thr_ema * inv;
        else if (c->arch == SAETM_SAE_JUMPRELU) s->theta[f] = expf(t->params[t->l.log_theta + f]) * inv;
        else s->theta[f] = 0.0f;
    }
    uint64_t dead = 0;
    for (uint32_t f = 0; f < t->F; f++) dead += t->since_fired[f] >= t->dead_samples;
    s->stats.rows = t->N;
    s->stats.steps = t->step;
    s->stats.epochs = (double)t->step * t->B / (double)t->N;
    s->stats.mse = t->last_mse;
    s->stats.fvu = t->last_fvu;
    s->stats.mean_l0 = t->last_l0;
    s->stats.dead_fraction = (double)dead / t->F;
    saetm__log(ctx, SAETM_LOG_INFO, "trained in %.1f s: fvu %.4f, mean L0 %.1f, %.2f%% dead features",
               now_seconds() - t0, s->stats.fvu, s->stats.mean_l0, 100.0 * s->stats.dead_fraction);
    double pr[SAETM__PROF_N];
    saetm__sae_work_profile(t->work, pr);
    saetm__log(ctx, SAETM_LOG_DEBUG,
               "CPU seconds per phase: batches %.3f, encoder sgemm %.3f, selection %.3f, decoder %.3f, auxk %.3f, "
               "column index %.3f, gradients %.3f, optimiser %.3f",
               t->t_batch, pr[0], pr[1], pr[2], pr[3], pr[4], pr[5], t->t_opt);
    *out = s;
    return SAETM_OK;
}

/* ======================================================================
 * Public entry points
 * ==================================================================== */

static saetm_status copy_ckpt_path(saetm_ctx *ctx, trainer *t, const saetm_sae_config *cfg)
{
    t->cfg.checkpoint_every = cfg ? cfg->checkpoint_every : 0;
    t->cfg.checkpoint_path = NULL;
    if (t->cfg.checkpoint_every) {
        if (!cfg->checkpoint_path || !cfg->checkpoint_path[0])
            return saetm__fail(ctx, SAETM_ERR_ARG, "checkpoint_every needs a checkpoint_path");
        t->ckpt_path = saetm__strdup(cfg->checkpoint_path);
        if (!t->ckpt_path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    return SAETM_OK;
}

saetm_status saetm_sae_train(saetm_ctx *ctx, const saetm_sae_config *cfg, const saetm_matrix *x, saetm_sae **out)
{
    *out = NULL;
    saetm_status st = check_data(ctx, x);
    if (st) return st;
    const char *why = saetm_sae_config_check(cfg, (uint32_t)x->cols);
    if (why) return saetm__fail(ctx, SAETM_ERR_ARG, "SAE configuration: %s", why);
    trainer t;
    memset(&t, 0, sizeof t);
    t.cfg = *cfg;
    t.embedder = saetm__strdup(cfg->embedder ? cfg->embedder : "");
    if (!t.embedder) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    t.cfg.embedder = NULL;
    st = copy_ckpt_path(ctx, &t, cfg);
    if (!st) st = trainer_setup(ctx, &t, x);
    if (!st) {
        t.fingerprint = data_fingerprint(ctx, x);
        st = init_params(ctx, &t, x);
    }
    if (!st) st = run(ctx, &t, x, out);
    trainer_free(&t);
    return st;
}

saetm_status saetm_sae_resume(saetm_ctx *ctx, const char *checkpoint, const saetm_sae_config *cfg,
                              const saetm_matrix *x, saetm_sae **out)
{
    *out = NULL;
    saetm_status st = check_data(ctx, x);
    if (st) return st;
    saetm__creader r;
    st = saetm__cr_open(ctx, checkpoint, SAETM__CKPT_MAGIC, SAETM__CKPT_VERSION, &r);
    if (st) return st;
    trainer t;
    memset(&t, 0, sizeof t);
    uint32_t d = 0, F = 0;
    st = saetm__sae_read_config(ctx, &r, &t.cfg, &d, &F, &t.embedder);
    if (!st && d != x->cols)
        st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: checkpoint was trained on %u-dimensional rows, the embeddings have %llu columns",
                         checkpoint, d, (unsigned long long)x->cols);
    if (!st) {
        /* F as stored must match the state actually in the file before the trainer allocates
         * for it (a configuration that lies about F is refused here). */
        const void *p = NULL;
        uint64_t nr = F;
        st = saetm__cr_get(ctx, &r, "since_fired", SAETM__U64, &p, &nr, NULL);
    }
    if (!st) st = copy_ckpt_path(ctx, &t, cfg);
    if (!st) st = trainer_setup(ctx, &t, x);
    uint64_t su[STATE_U_N];
    double sf[STATE_F_N];
    if (!st) st = saetm__sae_copy_section(ctx, &r, "state_u", SAETM__U64, STATE_U_N, 1, su);
    if (!st) st = saetm__sae_copy_section(ctx, &r, "state_f", SAETM__F64, STATE_F_N, 1, sf);
    if (!st && (su[1] != t.N || su[2] != t.d || su[3] != data_fingerprint(ctx, x)))
        st = saetm__fail(ctx, SAETM_ERR_INPUT,
                         "%s: the checkpoint was made on other embeddings (%llu x %llu rows; these are %llu x %u or differ in content)",
                         checkpoint, (unsigned long long)su[1], (unsigned long long)su[2], (unsigned long long)t.N, t.d);
    if (!st && (su[7] != t.l.total || su[0] > t.total))
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: inconsistent training state", checkpoint);
    if (!st) st = saetm__sae_copy_section(ctx, &r, "params", SAETM__F32, t.l.total, 1, t.params);
    if (!st) st = saetm__sae_copy_section(ctx, &r, "adam_m", SAETM__F32, t.l.total, 1, t.m);
    if (!st) st = saetm__sae_copy_section(ctx, &r, "adam_v", SAETM__F32, t.l.total, 1, t.v);
    if (!st) st = saetm__sae_copy_section(ctx, &r, "since_fired", SAETM__U64, t.F, 1, t.since_fired);
    saetm__cr_close(&r);
    if (!st) {
        t.step = su[0];
        t.fingerprint = (uint32_t)su[3];
        t.have_thr = su[4];
        t.ep_rows = su[5];
        t.have_last = su[6];
        t.scale = sf[0];
        t.thr_ema = sf[1];
        t.ep_recon = sf[2];
        t.ep_var = sf[3];
        t.ep_l0 = sf[4];
        t.last_mse = sf[5];
        t.last_fvu = sf[6];
        t.last_l0 = sf[7];
        if (!(t.scale > 0.0) || !isfinite(t.scale))
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: inconsistent training state", checkpoint);
    }
    if (!st) st = run(ctx, &t, x, out);
    trainer_free(&t);
    return st;
}
