/*
 * sae_grad.c - loss and gradients of one training batch, sparse over the active features.
 *
 * Only the encoder's forward product is dense: pre = (x - b_dec) W_enc^T, one sgemm of
 * 2 B d F flops. Everything after it touches the active (row, feature) pairs only:
 *
 *   selection      TopK per row, BatchTopK over the batch, ReLU (z > 0) or JumpReLU (z > theta_f),
 *                  linear time (select.c)
 *   decoder        x_hat_b = b_dec + sum_f a_bf W_dec[f]                        B k d
 *   dL/da          ga_bf = r_b . W_dec[f],  r_b = dL/dx_hat_b = 2 (x_hat_b - x_b) / B
 *   decoder grad   dW_dec[f] = sum_b a_bf r_b                                   B k d
 *   encoder grad   dW_enc[f] = sum_b ga_bf (x_b - b_dec),  db_enc[f] = sum_b ga_bf   B k d
 *   b_dec grad     sum_b r_b - sum_f db_enc[f] W_enc[f]
 *
 * The objective, per batch of B rows (training units):
 *   L = 1/B sum_b ||x_hat_b - x_b||^2
 *     + relu-l1:  beta/B sum_b sum_f a_bf
 *     + jumprelu: lambda (L0/k - 1)^2,  L0 = 1/B sum_b #{f : z_bf > theta_f}
 *     + auxk:     alpha * (1/B sum_b ||e_b - sum_{f in aux(b)} a_bf W_dec[f]||^2) / (1/B sum_b ||e_b - mean(e)||^2)
 * where e = x - x_hat is held constant (no gradient through it) and aux(b) are the k_aux dead
 * features with the largest positive pre-activations of row b.
 * JumpReLU: a = z H(z - theta), theta = exp(log_theta); its pseudo-derivatives (straight-through
 * estimator with a rectangle kernel of width eps, Rajamanoharan et al. 2024) are
 *   da/dtheta = -(theta/eps) K,  dH/dtheta = -(1/eps) K,  K = 1[|z - theta| < eps/2],
 * and H has no gradient with respect to z.
 *
 * Determinism: every sum over the batch's rows is exact (per-feature gradient sums: scaled
 * int64, "exact gradient sums" below; loss, mean and variance sums: saetm__fx of dist/dist.h),
 * so its value does not depend on how the rows are split over threads or processes; what
 * follows the sums (projection, clipping norm, b_dec's features part) runs in a fixed order on
 * the whole batch's sums. Per-row work does not depend on the split either, and BatchTopK's
 * selection is exact (dist_select). So the bytes depend neither on the thread count nor on the
 * process count (docs/distributed.md).
 */
#include "sae_int.h"
#include "dist/dist.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct entry_vec {
    saetm__sae_entry *p;
    size_t n, cap;
} entry_vec;

typedef struct thread_buf {
    entry_vec main, aux, band;
    saetm__cand *scratch; /* row top-k / aux top-k */
    size_t scratch_cap;
    saetm__cand *bsel;    /* batchtopk selector buffer */
    size_t bsel_cap;
    size_t bsel_n;
    float *gather;        /* F */
    uint32_t *idx;        /* max(k, k_aux) */
    float *val;
    uint64_t *acc;        /* one feature's exact gradient sums (slot_size) */
    int oom;
} thread_buf;

struct saetm__sae_work {
    saetm__sae_dims dims;
    uint32_t max_batch;
    int threads;
    float *xc;      /* B x d */
    float *pre;     /* B x F */
    uint32_t zero_rows; /* pre's first zero_rows rows are all +0: the next product adds to them
                         * (beta 1), which spares OpenBLAS its separate zeroing pass */
    int keep_pre;       /* tests: never zero pre after the selection */
    float *r;       /* B x d: dL/dx_hat */
    float *q;       /* B x d: aux gradient */
    double *row_a;  /* B per-row scratch sums */
    double *row_b;  /* B */
    saetm__sae_entry *ent;
    size_t n_main, n_aux, n_band, cap_ent;
    uint64_t *row_ptr;  /* B+1, main entries */
    uint64_t *aux_ptr;  /* B+1, aux entries (relative to n_main) */
    uint64_t *col_ptr;  /* F+1 */
    uint32_t *col_ent;  /* cap_ent */
    size_t cap_col;
    uint32_t *dead_list; /* F */
    float *theta;        /* F: jumprelu thresholds of this pass */
    saetm__cand *merge;  /* batchtopk: (threads + 1) * K, at least SAETM__SAMPLE_N */
    size_t *counts;      /* max(B, F) + 1 */
    double *bdec_part;   /* partial sums of the b_dec gradient: (B + F) / SUM_BLOCK + 2 rows of d */
    double *sq;          /* F: squared norms of each feature's two gradient rows (dims.project) */
    thread_buf *tb;
    double prof[SAETM__PROF_N]; /* seconds per phase, summed over calls */
    /* data-parallel pass (saetm__sae_work_set_dist): global batch size and this process's rows'
     * global batch positions (NULL: one process) */
    uint32_t bg;
    const uint32_t *gpos;
    uint8_t *ex;        /* 4 F + 2: exponent maxima of the pass (gradient_scales) */
    uint32_t *tlist;    /* F: features with an entry on some process */
    uint64_t *bdec_acc; /* d: exact sums of the b_dec gradient's rows part (one process) */
    uint64_t *pack;     /* packed exact gradient sums for the allreduce */
    size_t cap_pack;
    uint8_t *sel_state; /* per candidate: 0 undecided, 1 selected, 2 rejected */
};

/* ---- small vector kernels ----------------------------------------------------------------- */

static inline float dot(const float *a, const float *b, uint32_t n)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (uint32_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static inline void axpy(float alpha, const float *x, float *y, uint32_t n)
{
#pragma omp simd
    for (uint32_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

/* CPU time of the process (all threads): phase costs that do not count time lost to other
 * processes on a shared machine. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline void prefetch_row(const float *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i += 16) __builtin_prefetch(p + i, 0, 3);
}

/* Rows (or features) per partial sum of the b_dec gradient. */
#define SUM_BLOCK 256

/* Entries ahead in a feature's column whose rows are prefetched. */
#define PREFETCH_AHEAD 3

static inline void prefetch_entry(const saetm__sae_work *w, const saetm__sae_entry *e)
{
    if (e->kind == SAETM__E_BAND) return;
    const uint32_t d = w->dims.d;
    prefetch_row((e->kind == SAETM__E_MAIN ? w->r : w->q) + (size_t)e->row * d, d);
    prefetch_row(w->xc + (size_t)e->row * d, d);
}

static void row_range(uint32_t B, int T, int t, uint32_t *r0, uint32_t *r1)
{
    *r0 = (uint32_t)((uint64_t)B * (uint64_t)t / (uint64_t)T);
    *r1 = (uint32_t)((uint64_t)B * (uint64_t)(t + 1) / (uint64_t)T);
}

static int vec_push(entry_vec *v, uint32_t row, uint32_t f, float z, uint8_t kind)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 1024;
        saetm__sae_entry *p = realloc(v->p, cap * sizeof *p);
        if (!p) return -1;
        v->p = p;
        v->cap = cap;
    }
    saetm__sae_entry *e = &v->p[v->n++];
    e->row = row;
    e->f = f;
    e->z = z;
    e->ga = 0.0f;
    e->kind = kind;
    return 0;
}

/* ---- work buffers ------------------------------------------------------------------------- */

void saetm__sae_layout_init(saetm__sae_layout *l, saetm_sae_arch arch, uint32_t d, uint32_t F)
{
    size_t at = 0;
#define ALLOT(field, n)                      \
    do {                                     \
        l->field = at;                       \
        at += ((size_t)(n) + 15) / 16 * 16; \
    } while (0)
    ALLOT(w_enc, (size_t)F * d);
    ALLOT(w_dec, (size_t)F * d);
    ALLOT(b_enc, F);
    ALLOT(b_dec, d);
    if (arch == SAETM_SAE_JUMPRELU) ALLOT(log_theta, F);
    else l->log_theta = at;
#undef ALLOT
    l->total = at;
}

static uint64_t batch_k(const saetm__sae_dims *dm, uint32_t B)
{
    uint64_t K = (uint64_t)dm->k * B, all = (uint64_t)dm->F * B;
    return K < all ? K : all;
}

void saetm__sae_work_free(saetm__sae_work *w)
{
    if (!w) return;
    saetm__free_aligned(w->xc);
    saetm__free_aligned(w->pre);
    saetm__free_aligned(w->r);
    saetm__free_aligned(w->q);
    free(w->row_a);
    free(w->row_b);
    free(w->ent);
    free(w->row_ptr);
    free(w->aux_ptr);
    free(w->col_ptr);
    free(w->col_ent);
    free(w->dead_list);
    free(w->theta);
    free(w->merge);
    free(w->counts);
    free(w->sq);
    free(w->bdec_part);
    free(w->ex);
    free(w->tlist);
    free(w->bdec_acc);
    free(w->pack);
    free(w->sel_state);
    if (w->tb) {
        for (int t = 0; t < w->threads; t++) {
            thread_buf *b = &w->tb[t];
            free(b->main.p);
            free(b->aux.p);
            free(b->band.p);
            free(b->scratch);
            free(b->bsel);
            free(b->gather);
            free(b->idx);
            free(b->val);
            free(b->acc);
        }
        free(w->tb);
    }
    free(w);
}

saetm_status saetm__sae_work_create(saetm_ctx *ctx, const saetm__sae_dims *dims, uint32_t max_batch, int threads,
                                    saetm__sae_work **out)
{
    *out = NULL;
    if (threads < 1) threads = 1;
    saetm__sae_work *w = calloc(1, sizeof *w);
    if (!w) return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    w->dims = *dims;
    w->max_batch = max_batch;
    w->threads = threads;
    size_t B = max_batch, d = dims->d, F = dims->F;
    w->xc = saetm__calloc_aligned(B * d, sizeof(float));
    w->pre = saetm__calloc_aligned(B * F, sizeof(float));
    w->zero_rows = max_batch;
    w->r = saetm__calloc_aligned(B * d, sizeof(float));
    w->q = saetm__calloc_aligned(B * d, sizeof(float));
    w->row_a = calloc(B, sizeof(double));
    w->row_b = calloc(B, sizeof(double));
    w->row_ptr = calloc(B + 1, sizeof(uint64_t));
    w->aux_ptr = calloc(B + 1, sizeof(uint64_t));
    w->col_ptr = calloc(F + 1, sizeof(uint64_t));
    w->dead_list = calloc(F, sizeof(uint32_t));
    w->theta = calloc(F, sizeof(float));
    w->sq = calloc(F, sizeof(double));
    w->bdec_part = calloc(((B + F) / SUM_BLOCK + 2) * d, sizeof(double));
    w->tb = calloc((size_t)threads, sizeof *w->tb);
    w->ex = calloc(4 * F + 2, 1);
    w->tlist = calloc(F, sizeof *w->tlist);
    w->bdec_acc = calloc(d, sizeof *w->bdec_acc);
    int ok = w->ex && w->tlist && w->bdec_acc && w->xc && w->pre && w->r && w->q && w->row_a && w->row_b && w->row_ptr && w->aux_ptr && w->col_ptr &&
             w->dead_list && w->theta && w->sq && w->bdec_part && w->tb;
    uint32_t kmax = dims->k > dims->k_aux ? dims->k : dims->k_aux;
    uint64_t K = batch_k(dims, max_batch);
    if (ok && dims->arch == SAETM_SAE_BATCHTOPK) {
        size_t m = ((size_t)threads + 1) * K;
        w->merge = malloc((m > SAETM__SAMPLE_N ? m : SAETM__SAMPLE_N) * sizeof *w->merge);
        w->counts = malloc(((B > F ? B : F) + 1) * sizeof *w->counts);
        w->sel_state = malloc(K + 1);
        ok = w->merge && w->counts && w->sel_state;
    }
    for (int t = 0; ok && t < threads; t++) {
        thread_buf *b = &w->tb[t];
        b->scratch_cap = SAETM__TOPK_SCRATCH(kmax);
        b->scratch = malloc(b->scratch_cap * sizeof *b->scratch);
        b->gather = malloc(F * sizeof(float));
        b->idx = malloc((kmax + 1) * sizeof(uint32_t));
        b->val = malloc((kmax + 1) * sizeof(float));
        b->acc = malloc((2 * d + 3) * sizeof *b->acc); /* slot_size, and d for bdec_rows */
        ok = b->scratch && b->gather && b->idx && b->val && b->acc;
        if (ok && dims->arch == SAETM_SAE_BATCHTOPK) {
            b->bsel_cap = SAETM__TOPK_SCRATCH(K);
            b->bsel = malloc(b->bsel_cap * sizeof *b->bsel);
            ok = b->bsel != NULL;
        }
    }
    if (!ok) {
        saetm__sae_work_free(w);
        return saetm__fail(ctx, SAETM_ERR_NOMEM,
                           "SAE training: out of memory for batch buffers (batch %zu x %zu features)", B, F);
    }
    *out = w;
    return SAETM_OK;
}

void saetm__sae_work_keep_pre(saetm__sae_work *w)
{
    w->keep_pre = 1;
}

const float *saetm__sae_work_pre(const saetm__sae_work *w)
{
    return w->pre;
}

const saetm__sae_entry *saetm__sae_work_entries(const saetm__sae_work *w, size_t *n_main, size_t *n_all)
{
    *n_main = w->n_main;
    *n_all = w->n_main + w->n_aux + w->n_band;
    return w->ent;
}

static int ensure_ent(saetm__sae_work *w, size_t n)
{
    if (n <= w->cap_ent) return 0;
    size_t cap = w->cap_ent ? w->cap_ent : 4096;
    while (cap < n) cap *= 2;
    saetm__sae_entry *p = realloc(w->ent, cap * sizeof *p);
    if (!p) return -1;
    w->ent = p;
    w->cap_ent = cap;
    return 0;
}

/* Append the threads' vectors `which` (0 main, 1 aux, 2 band) to w->ent in thread order. */
static int gather_entries(saetm__sae_work *w, int T, int which, size_t *count)
{
    size_t total = 0, base = w->n_main + w->n_aux + w->n_band;
    for (int t = 0; t < T; t++) {
        entry_vec *v = which == 0 ? &w->tb[t].main : which == 1 ? &w->tb[t].aux : &w->tb[t].band;
        total += v->n;
    }
    if (ensure_ent(w, base + total)) return -1;
    size_t at = base;
    for (int t = 0; t < T; t++) {
        entry_vec *v = which == 0 ? &w->tb[t].main : which == 1 ? &w->tb[t].aux : &w->tb[t].band;
        if (v->n) memcpy(w->ent + at, v->p, v->n * sizeof *v->p);
        at += v->n;
        v->n = 0;
    }
    *count = total;
    return 0;
}

/* Row pointers of a run of entries sorted by row. */
static void build_row_ptr(const saetm__sae_entry *e, size_t n, uint32_t B, uint64_t *ptr)
{
    memset(ptr, 0, ((size_t)B + 1) * sizeof *ptr);
    for (size_t i = 0; i < n; i++) ptr[e[i].row + 1]++;
    for (uint32_t b = 0; b < B; b++) ptr[b + 1] += ptr[b];
}

/* ---- selection ---------------------------------------------------------------------------- */

/* Per-row selection (topk, relu-l1, jumprelu): entries of each thread's row range. */
static void select_rows(saetm__sae_work *w, int T, const float *b_enc, uint32_t B)
{
    const saetm__sae_dims *dm = &w->dims;
    const uint32_t F = dm->F;
    const float half_band = 0.5f * dm->bandwidth;
#pragma omp parallel num_threads(T)
    {
        int t = omp_get_thread_num();
        thread_buf *tb = &w->tb[t];
        uint32_t r0, r1;
        row_range(B, T, t, &r0, &r1);
        for (uint32_t b = r0; b < r1 && !tb->oom; b++) {
            const float *p = w->pre + (size_t)b * F;
            if (dm->arch == SAETM_SAE_TOPK) {
                uint32_t m = saetm__topk_row(p, b_enc, F, dm->k, tb->scratch, tb->idx, tb->val);
                for (uint32_t i = 0; i < m; i++)
                    if (tb->val[i] > 0.0f && vec_push(&tb->main, b, tb->idx[i], tb->val[i], SAETM__E_MAIN)) tb->oom = 1;
            } else if (dm->arch == SAETM_SAE_RELU_L1) {
                for (uint32_t f = 0; f < F; f++) {
                    float z = p[f] + b_enc[f];
                    if (z > 0.0f && vec_push(&tb->main, b, f, z, SAETM__E_MAIN)) tb->oom = 1;
                }
            } else { /* jumprelu */
                for (uint32_t f = 0; f < F; f++) {
                    float z = p[f] + b_enc[f], th = w->theta[f];
                    if (z > th && vec_push(&tb->main, b, f, z, SAETM__E_MAIN)) tb->oom = 1;
                    if (fabsf(z - th) < half_band && vec_push(&tb->band, b, f, z, SAETM__E_BAND)) tb->oom = 1;
                }
            }
        }
    }
}

/* BatchTopK: the k*B best (row, feature) pairs of the batch. Each thread keeps the best K of
 * its rows; the union of those holds the global best K, selected exactly from it. A floor
 * estimated from a sample (about 1.5 K values above it) lets the threads skip nearly everything;
 * if fewer than K values turn out to lie above it, the pass is redone without it. */
/* The best K candidates of the batch's B rows into w->merge[0..return) (at most K). */
/* w_enc non-NULL: pre is not needed after this pass, so each row is zeroed right after it was
 * read (it is in cache then) and w->zero_rows = B; should the pass have to be redone, the
 * product is computed again (pre = xc W_enc^T). */
static size_t best_of_rows(saetm__sae_work *w, int T, const float *b_enc, uint32_t B, size_t K, const float *w_enc)
{
    const saetm__sae_dims *dm = &w->dims;
    const uint32_t F = dm->F;
    float floor = saetm__sample_floor(w->pre, b_enc, B, F, K + K / 2, w->merge);
    size_t n;
    for (;;) {
#pragma omp parallel num_threads(T)
        {
            int t = omp_get_thread_num();
            thread_buf *tb = &w->tb[t];
            uint32_t r0, r1;
            row_range(B, T, t, &r0, &r1);
            saetm__topsel s;
            saetm__topsel_init_floor(&s, tb->bsel, tb->bsel_cap, K, floor);
            for (uint32_t b = r0; b < r1; b++) {
                float *row = w->pre + (size_t)b * F;
                saetm__topsel_push_row(&s, row, b_enc, F, b);
                if (w_enc) memset(row, 0, F * sizeof *row);
            }
            tb->bsel_n = saetm__topsel_finish(&s);
        }
        if (w_enc) w->zero_rows = B;
        n = 0;
        for (int t = 0; t < T; t++) {
            memcpy(w->merge + n, w->tb[t].bsel, w->tb[t].bsel_n * sizeof *w->merge);
            n += w->tb[t].bsel_n;
        }
        if (n >= K || floor == -INFINITY) break;
        floor = -INFINITY; /* the sample misjudged: exact pass without a floor */
        if (w_enc) { /* on the product computed again */
            saetm__sgemm(T, 0, 1, B, F, dm->d, 1.0f, w->xc, dm->d, w_enc, dm->d, 1.0f, w->pre, F);
            w->zero_rows = 0;
        }
    }
    saetm__select_best(w->merge, n, K);
    return n > K ? K : n;
}

static float select_batch(saetm__sae_work *w, int T, const float *b_enc, uint32_t B, const float *w_enc)
{
    const saetm__sae_dims *dm = &w->dims;
    const size_t K = (size_t)batch_k(dm, B);
    size_t n = best_of_rows(w, T, b_enc, B, K, w_enc);
    float kth = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (w->merge[i].v < kth) kth = w->merge[i].v;
    saetm__sort_by_position_radix(w->merge, n, B, dm->F, w->merge + K, w->counts);
    /* Keep the positive ones (ReLU), as main entries of thread 0's vector. */
    entry_vec *v = &w->tb[0].main;
    for (size_t i = 0; i < n; i++)
        if (w->merge[i].v > 0.0f && vec_push(v, w->merge[i].row, w->merge[i].col, w->merge[i].v, SAETM__E_MAIN))
            w->tb[0].oom = 1;
    return n ? (kth > 0.0f ? kth : 0.0f) : 0.0f;
}

/* ---- data-parallel selection -------------------------------------------------------------- */

void saetm__sae_work_set_dist(saetm__sae_work *w, uint32_t bg, const uint32_t *gpos)
{
    w->bg = bg;
    w->gpos = gpos;
}

static inline uint32_t float_key(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u; /* larger float -> larger key */
}

/* Key of candidate c at level 0 (value), 1 (global row, smaller first), 2 (column, smaller first):
 * the candidates' total order as one lexicographic key, larger = better. */
static inline uint32_t cand_key(const saetm__cand *c, const uint32_t *gpos, int level)
{
    return level == 0 ? float_key(c->v) : level == 1 ? ~gpos[c->row] : ~c->col;
}

/* Choose the `want` globally best of the candidates held by all processes (each process its
 * cand[0..n)), state[i] = 1 for the chosen ones here: a most-significant-byte-first radix select
 * on the lexicographic key (value, -row, -column), one allreduce of a 256-bin histogram per byte,
 * stopping as soon as the candidates still undecided are exactly the ones still wanted (usually
 * after the value's bytes; row and column bytes only break ties of equal values). The result is
 * the set a single process would choose from the union. Returns the value of the worst chosen
 * candidate (INFINITY if none). */
static float dist_select(const saetm__cand *cand, size_t n, uint64_t want, const uint32_t *gpos, uint8_t *state)
{
    uint64_t total = n;
    saetm__dist_sum_u64(&total, 1);
    if (want > total) want = total;
    memset(state, want == total ? 1 : 0, n);
    double worst = INFINITY;
    if (want > 0 && want < total) {
        uint64_t need = want;
        int done = 0;
        for (int level = 0; level < 3 && !done; level++)
            for (int shift = 24; shift >= 0 && !done; shift -= 8) {
                uint64_t h[256];
                memset(h, 0, sizeof h);
                for (size_t i = 0; i < n; i++)
                    if (state[i] == 0) h[(cand_key(&cand[i], gpos, level) >> shift) & 255]++;
                saetm__dist_sum_u64(h, 256);
                uint64_t above = 0;
                int bin = 255;
                for (; bin > 0 && above + h[bin] < need; bin--) above += h[bin];
                need -= above;
                done = h[bin] == need;
                for (size_t i = 0; i < n; i++)
                    if (state[i] == 0) {
                        int b = (int)((cand_key(&cand[i], gpos, level) >> shift) & 255);
                        state[i] = b > bin ? 1 : b < bin ? 2 : done ? 1 : 0;
                    }
            }
    }
    for (size_t i = 0; i < n; i++)
        if (state[i] == 1 && cand[i].v < worst) worst = cand[i].v;
    double neg = -worst;
    saetm__dist_max_f64(&neg, 1);
    return (float)-neg;
}

/* BatchTopK over the global batch: this process's best K candidates (select_batch's local pass),
 * then the global choice by dist_select. */
static float select_batch_dist(saetm__sae_work *w, int T, const float *b_enc, uint32_t B)
{
    const saetm__sae_dims *dm = &w->dims;
    const size_t K = (size_t)batch_k(dm, w->bg);
    size_t n = B > 0 ? best_of_rows(w, T, b_enc, B, K, NULL) : 0;
    float kth = dist_select(w->merge, n, K, w->gpos, w->sel_state);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (w->sel_state[i] == 1) w->merge[m++] = w->merge[i];
    if (m) saetm__sort_by_position_radix(w->merge, m, B, dm->F, w->merge + K, w->counts);
    entry_vec *v = &w->tb[0].main;
    for (size_t i = 0; i < m; i++)
        if (w->merge[i].v > 0.0f && vec_push(v, w->merge[i].row, w->merge[i].col, w->merge[i].v, SAETM__E_MAIN))
            w->tb[0].oom = 1;
    return kth < INFINITY ? (kth > 0.0f ? kth : 0.0f) : 0.0f;
}

/* ---- the pass ----------------------------------------------------------------------------- */

/* What every phase of one saetm__sae_grad call reads: the batch, the parameters and gradient
 * blocks, and whether this process holds only part of the batch (D: B of its Bg rows). */
typedef struct pass {
    saetm_ctx *ctx;
    saetm__sae_work *w;
    const saetm__sae_dims *dm;
    const float *x, *w_enc, *w_dec, *b_enc, *b_dec, *log_theta;
    float *g_enc, *g_dec, *gb_enc, *gb_dec, *g_lt;
    uint32_t B, Bg, d, F;
    int T, D;
} pass;

/* 1. Centre and encode: pre = (x - b_dec) W_enc^T (b_enc is added during selection).
 * @return whether the selection may zero pre behind itself: BatchTopK on one process reads pre
 * once, unless the auxiliary loss may need it (some feature is dead). */
static int encode_batch(const pass *p, const uint8_t *dead)
{
    saetm__sae_work *w = p->w;
    const uint32_t B = p->B, d = p->d, F = p->F;
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t j = 0; j < d; j++) w->xc[(size_t)b * d + j] = p->x[(size_t)b * d + j] - p->b_dec[j];
    saetm__sgemm(p->T, 0, 1, B, F, d, 1.0f, w->xc, d, p->w_enc, d, B <= w->zero_rows ? 1.0f : 0.0f, w->pre, F);
    w->zero_rows = 0;
    int zero_pre = p->dm->arch == SAETM_SAE_BATCHTOPK && !p->D && !w->keep_pre;
    if (zero_pre && dead && p->dm->aux_alpha > 0.0f)
        for (uint32_t f = 0; f < F && zero_pre; f++) zero_pre = !dead[f];
    return zero_pre;
}

/* 2. Select the active pairs into the main entries (row order) and mark them in fired. */
static saetm_status select_active(const pass *p, int zero_pre, uint8_t *fired, saetm__sae_batch_stats *st)
{
    saetm__sae_work *w = p->w;
    const int T = p->T;
    if (p->dm->arch == SAETM_SAE_BATCHTOPK)
        st->batch_threshold = p->D ? select_batch_dist(w, T, p->b_enc, p->B)
                                   : select_batch(w, T, p->b_enc, p->B, zero_pre ? p->w_enc : NULL);
    else {
        if (p->dm->arch == SAETM_SAE_JUMPRELU)
            for (uint32_t f = 0; f < p->F; f++) w->theta[f] = expf(p->log_theta[f]);
        select_rows(w, T, p->b_enc, p->B);
    }
    for (int t = 0; t < T; t++)
        if (w->tb[t].oom) return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory for active features");
    size_t n;
    if (gather_entries(w, T, 0, &n)) return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    w->n_main = n;
    build_row_ptr(w->ent, w->n_main, p->B, w->row_ptr);
    for (size_t i = 0; i < w->n_main; i++) fired[w->ent[i].f] = 1;
    if (p->D) saetm__dist_max_u8(fired, p->F);
    return SAETM_OK;
}

/* 3. Decode, residuals, dL/da of the main entries (r holds x_hat, then dL/dx_hat); the
 * reconstruction error and, for relu-l1, the activations' sum of this process's rows as exact
 * sums (dist.h) into *recon and *l1sum, and its rows whose error is not finite into *bad. */
static void decode_batch(const pass *p, saetm__fx *recon, saetm__fx *l1sum, saetm__fx *bad)
{
    saetm__sae_work *w = p->w;
    const uint32_t B = p->B, d = p->d;
    const float *w_dec = p->w_dec;
    const float rscale = 2.0f / (float)p->Bg;
    const float l1_ga = p->dm->arch == SAETM_SAE_RELU_L1 ? p->dm->l1 / (float)p->Bg : 0.0f;
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (uint32_t b = 0; b < B; b++) {
        float *r = w->r + (size_t)b * d;
        const float *xb = p->x + (size_t)b * d;
        memcpy(r, p->b_dec, d * sizeof(float));
        const uint64_t i0 = w->row_ptr[b], i1 = w->row_ptr[b + 1];
        for (uint64_t i = i0; i < i1 && i < i0 + 2; i++) prefetch_row(w_dec + (size_t)w->ent[i].f * d, d);
        for (uint64_t i = i0; i < i1; i++) {
            if (i + 2 < i1) prefetch_row(w_dec + (size_t)w->ent[i + 2].f * d, d);
            axpy(w->ent[i].z, w_dec + (size_t)w->ent[i].f * d, r, d);
        }
        double s = 0.0;
        for (uint32_t j = 0; j < d; j++) {
            float e = r[j] - xb[j];
            s += (double)e * (double)e;
            r[j] = rscale * e;
        }
        w->row_a[b] = s;
        for (uint64_t i = w->row_ptr[b]; i < w->row_ptr[b + 1]; i++)
            w->ent[i].ga = dot(r, w_dec + (size_t)w->ent[i].f * d, d) + l1_ga;
    }
    for (uint32_t b = 0; b < B; b++) {
        saetm__fx_add(recon, w->row_a[b]);
        saetm__fx_add(bad, isfinite(w->row_a[b]) ? 0.0 : 1.0);
    }
    if (p->dm->arch == SAETM_SAE_RELU_L1)
        for (size_t i = 0; i < w->n_main; i++) saetm__fx_add(l1sum, w->ent[i].z);
}

/* The batch's loss sums and variance (for FVU), as exact sums (dist.h) of the rows, so the
 * same for any split of the rows: decode_batch's sums and the batch mean travel in one message,
 * then the variance around the mean. *recon and *l1sum come back summed over the processes (a
 * non-finite row error makes *recon NaN: the caller reports divergence), *n_main too. */
static saetm_status batch_variance(const pass *p, double *recon, double *l1sum, double *n_main,
                                   saetm__sae_batch_stats *st)
{
    saetm__sae_work *w = p->w;
    const uint32_t B = p->B, d = p->d;
    saetm__fx *sum = calloc(d + 4, sizeof *sum);
    double *mean = malloc(d * sizeof *mean);
    if (!sum || !mean) {
        free(sum);
        free(mean);
        return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    }
    decode_batch(p, &sum[d], &sum[d + 1], &sum[d + 3]);
    saetm__fx_add(&sum[d + 2], (double)w->n_main);
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t j = 0; j < d; j++) saetm__fx_add(&sum[j], p->x[(size_t)b * d + j]);
    if (p->D) saetm__dist_sum_fx(sum, d + 4);
    *recon = saetm__fx_value(&sum[d]);
    *l1sum = saetm__fx_value(&sum[d + 1]);
    *n_main = saetm__fx_value(&sum[d + 2]);
    if (saetm__fx_value(&sum[d + 3]) != 0.0) *recon = NAN;
    for (uint32_t j = 0; j < d; j++) mean[j] = saetm__fx_value(&sum[j]) / p->Bg;
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (uint32_t b = 0; b < B; b++) {
        double s = 0.0;
        for (uint32_t j = 0; j < d; j++) {
            double e = p->x[(size_t)b * d + j] - mean[j];
            s += e * e;
        }
        w->row_b[b] = s;
    }
    free(mean);
    saetm__fx var = {0, 0};
    for (uint32_t b = 0; b < B; b++) saetm__fx_add(&var, w->row_b[b]);
    if (p->D) saetm__dist_sum_fx(&var, 1);
    st->var = saetm__fx_value(&var);
    free(sum);
    return SAETM_OK;
}

/* The auxiliary loss's denominator 1/B sum_b ||e_b - mean(e)||^2, e = escale r the residual. */
static saetm_status aux_denominator(const pass *p, float escale, double *denom)
{
    saetm__sae_work *w = p->w;
    const uint32_t B = p->B, d = p->d;
    saetm__fx *esum = calloc(d + 1, sizeof *esum);
    double *emean = malloc(d * sizeof *emean);
    if (!esum || !emean) {
        free(esum);
        free(emean);
        return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    }
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t j = 0; j < d; j++) saetm__fx_add(&esum[j], escale * w->r[(size_t)b * d + j]);
    if (p->D) saetm__dist_sum_fx(esum, d);
    for (uint32_t j = 0; j < d; j++) emean[j] = saetm__fx_value(&esum[j]) / p->Bg;
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (uint32_t b = 0; b < B; b++) {
        double s = 0.0;
        for (uint32_t j = 0; j < d; j++) {
            double e = escale * w->r[(size_t)b * d + j] - emean[j];
            s += e * e;
        }
        w->row_b[b] = s;
    }
    free(emean);
    saetm__fx *ds = &esum[d];
    for (uint32_t b = 0; b < B; b++) saetm__fx_add(ds, w->row_b[b]);
    if (p->D) saetm__dist_sum_fx(ds, 1);
    *denom = saetm__fx_value(ds) / p->Bg;
    free(esum);
    return SAETM_OK;
}

/* Each row's kaux auxiliary features: the n_dead dead ones with the largest positive
 * pre-activations (thread row ranges, entries in row order) into the aux entries. */
static saetm_status select_aux(const pass *p, uint32_t n_dead, uint32_t kaux)
{
    saetm__sae_work *w = p->w;
    const int T = p->T;
#pragma omp parallel num_threads(T)
    {
        int t = omp_get_thread_num();
        thread_buf *tb = &w->tb[t];
        uint32_t r0, r1;
        row_range(p->B, T, t, &r0, &r1);
        for (uint32_t b = r0; b < r1 && !tb->oom; b++) {
            const float *pr = w->pre + (size_t)b * p->F;
            for (uint32_t i = 0; i < n_dead; i++) {
                uint32_t f = w->dead_list[i];
                tb->gather[i] = pr[f] + p->b_enc[f];
            }
            uint32_t m = saetm__topk_row(tb->gather, NULL, n_dead, kaux, tb->scratch, tb->idx, tb->val);
            for (uint32_t i = 0; i < m; i++)
                if (tb->val[i] > 0.0f && vec_push(&tb->aux, b, w->dead_list[tb->idx[i]], tb->val[i], SAETM__E_AUX))
                    tb->oom = 1;
        }
    }
    for (int t = 0; t < T; t++)
        if (w->tb[t].oom) return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    size_t n;
    if (gather_entries(w, T, 1, &n)) return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    w->n_aux = n;
    build_row_ptr(w->ent + w->n_main, w->n_aux, p->B, w->aux_ptr);
    return SAETM_OK;
}

/* 4. Auxiliary loss: dead features (not fired in this batch) reconstruct the residual
 * e = x - x_hat = -(B/2) r; q gets its gradient, the aux entries their dL/da. *aux_loss = 0
 * when no feature is dead; *ran = whether q was computed (the same on every process). */
static saetm_status aux_pass(const pass *p, const uint8_t *dead, const uint8_t *fired, double *aux_loss, int *ran)
{
    *ran = 0;
    saetm__sae_work *w = p->w;
    const saetm__sae_dims *dm = p->dm;
    const uint32_t B = p->B, d = p->d;
    *aux_loss = 0.0;
    uint32_t n_dead = 0;
    if (dead && dm->aux_alpha > 0.0f)
        for (uint32_t f = 0; f < p->F; f++)
            if (dead[f] && !fired[f]) w->dead_list[n_dead++] = f;
    if (n_dead == 0) return SAETM_OK;
    uint32_t kaux = dm->k_aux < n_dead ? dm->k_aux : n_dead;
    const float escale = -0.5f * (float)p->Bg;
    double denom = 0.0;
    saetm_status st = aux_denominator(p, escale, &denom);
    if (st) return st;
    if (!(denom > 0.0)) return SAETM_OK; /* no residual variance to explain */
    if ((st = select_aux(p, n_dead, kaux))) return st;
    *ran = 1;
    saetm__sae_entry *aux = w->ent + w->n_main;
    const float qscale = (float)(dm->aux_alpha * 2.0 / ((double)p->Bg * denom));
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (uint32_t b = 0; b < B; b++) {
        float *q = w->q + (size_t)b * d;
        const float *r = w->r + (size_t)b * d;
        memset(q, 0, d * sizeof(float));
        for (uint64_t i = w->aux_ptr[b]; i < w->aux_ptr[b + 1]; i++) axpy(aux[i].z, p->w_dec + (size_t)aux[i].f * d, q, d);
        double s = 0.0;
        for (uint32_t j = 0; j < d; j++) {
            float diff = q[j] - escale * r[j]; /* aux_hat - e */
            s += (double)diff * (double)diff;
            q[j] = qscale * diff;
        }
        w->row_a[b] = s;
        for (uint64_t i = w->aux_ptr[b]; i < w->aux_ptr[b + 1]; i++) aux[i].ga = dot(q, p->w_dec + (size_t)aux[i].f * d, d);
    }
    saetm__fx s[2] = {{0, 0}, {0, 0}};
    for (uint32_t b = 0; b < B; b++) {
        saetm__fx_add(&s[0], w->row_a[b]);
        saetm__fx_add(&s[1], isfinite(w->row_a[b]) ? 0.0 : 1.0);
    }
    if (p->D) saetm__dist_sum_fx(s, 2);
    *aux_loss = saetm__fx_value(&s[1]) != 0.0 ? NAN : dm->aux_alpha * (saetm__fx_value(&s[0]) / p->Bg) / denom;
    return SAETM_OK;
}

/* 5. JumpReLU threshold band: the recon part of dL/da for the pairs near their threshold, the
 * L0 penalty *l0_term and its derivative per band pair *l0_coef (n_main: active pairs of the
 * whole batch). */
static saetm_status band_pass(const pass *p, double n_main, double *l0_term, double *l0_coef)
{
    saetm__sae_work *w = p->w;
    const saetm__sae_dims *dm = p->dm;
    const uint32_t d = p->d;
    size_t n;
    if (gather_entries(w, p->T, 2, &n)) return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    w->n_band = n;
    saetm__sae_entry *band = w->ent + w->n_main + w->n_aux;
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (size_t i = 0; i < w->n_band; i++)
        band[i].ga = dot(w->r + (size_t)band[i].row * d, p->w_dec + (size_t)band[i].f * d, d);
    double l0 = n_main / p->Bg, rel = l0 / dm->k - 1.0;
    *l0_term = dm->l0 * rel * rel;
    /* d/dtheta of lambda (L0/k - 1)^2 per band pair: 2 lambda rel / k * (1/B) * (-1/eps). */
    *l0_coef = -2.0 * dm->l0 * rel / dm->k / p->Bg / dm->bandwidth;
    return SAETM_OK;
}

/* 6. Column index over all entries (main, aux, band) in entry order. */
static saetm_status column_index(const pass *p)
{
    saetm__sae_work *w = p->w;
    const uint32_t F = p->F;
    size_t n_all = w->n_main + w->n_aux + w->n_band;
    if (n_all > w->cap_col) {
        uint32_t *c = realloc(w->col_ent, n_all * sizeof *c);
        if (!c) return saetm__fail(p->ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
        w->col_ent = c;
        w->cap_col = n_all;
    }
    memset(w->col_ptr, 0, ((size_t)F + 1) * sizeof *w->col_ptr);
    for (size_t i = 0; i < n_all; i++) w->col_ptr[w->ent[i].f + 1]++;
    for (uint32_t f = 0; f < F; f++) w->col_ptr[f + 1] += w->col_ptr[f];
    for (size_t i = 0; i < n_all; i++) w->col_ent[w->col_ptr[w->ent[i].f]++] = (uint32_t)i;
    for (uint32_t f = F; f > 0; f--) w->col_ptr[f] = w->col_ptr[f - 1];
    w->col_ptr[0] = 0;
    return SAETM_OK;
}

/* ---- exact gradient sums ------------------------------------------------------------------ */

/* Every sum over the batch's rows in the gradient is exact, so its value does not depend on how
 * the rows are split over threads or processes (docs/distributed.md, "Same bytes at any process
 * count"). A term is a float or a product of two floats (exact in double); it is scaled by a
 * power of two 2^S and rounded to an integer by adding 1.5 * 2^52 (the double's low bits then
 * hold the integer: exact, and vectorised, for |term 2^S| <= 2^51), and added as an int64. S is
 * chosen per feature and step from the largest float exponents of the term's factors over the
 * whole batch (a maximum, the same on every process), so that every term is below 2^L and any
 * sum of up to 2 Bg of them below 2^62: the resolution is 2^-L of the feature's largest possible
 * term (L = 49 for batches of 4096), far finer than the float gradient it becomes. Unlike
 * saetm__fx (dist.h: a fixed scale, two limbs, a clamp), this needs one int64 per sum and one
 * multiply-add per term, which keeps the B k d loops of the gradient cheap. */

#define FXG_MAGIC 0x1.8p52

/* The biased exponent of |v|: |v| < 2^(fexp(v) - 126) for every finite v. */
static inline uint32_t fexp(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 23) & 255u;
}

/* Largest fexp over x[0..n). */
static uint32_t max_fexp(const float *x, size_t n)
{
    uint32_t m = 0;
#pragma omp simd reduction(max : m)
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        u &= 0x7f800000u;
        m = u > m ? u : m;
    }
    return m >> 23;
}

/* round(v) for |v| <= 2^51 as an integer (two's complement in a uint64: sums wrap exactly). */
static inline uint64_t fxg_round(double v)
{
    const double m = FXG_MAGIC;
    double y = v + m;
    uint64_t u, mu;
    memcpy(&u, &y, sizeof u);
    memcpy(&mu, &m, sizeof mu);
    return u - mu;
}

/* acc[i] += round(s x[i]) (s: a float times 2^S, so s x[i] is exact). */
static inline void fxg_axpy(double s, const float *x, uint64_t *acc, uint32_t n)
{
#pragma omp simd
    for (uint32_t i = 0; i < n; i++) acc[i] += fxg_round(s * (double)x[i]);
}

/* The largest term bound 2^L for sums of up to 2 Bg terms (main and auxiliary entries of one
 * feature; the b_dec sums have Bg), at most 2^51 for the rounding above. */
static int fxg_bits(uint32_t Bg)
{
    int c = 0;
    while (c < 40 && (2ull * Bg) > (1ull << c)) c++;
    return 62 - c < 51 ? 62 - c : 51;
}

/* Exponent maxima of a pass (saetm__sae_work.ex): per feature whether it has an entry, the
 * largest fexp of z and of dL/da over its main and auxiliary entries and of dL/da over its band
 * entries; then of r and q (dL/dx_hat and the auxiliary gradient) and of x - b_dec. */
enum { EX_TOUCHED = 0, EX_Z = 1, EX_GA = 2, EX_BAND = 3 };
#define EX_AT(w, which, f) ((w)->ex[(size_t)(which) * (w)->dims.F + (f)])
#define EX_R(w) ((w)->ex[4 * (size_t)(w)->dims.F])
#define EX_X(w) ((w)->ex[4 * (size_t)(w)->dims.F + 1])

/* 7a. The exponent maxima over this process's entries and rows, then over the processes (one
 * allreduce of 4 F + 2 bytes): they fix every scale 2^S of the step, the same everywhere. */
static void gradient_scales(const pass *p, int aux_ran)
{
    saetm__sae_work *w = p->w;
    const uint32_t F = p->F;
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (uint32_t f = 0; f < F; f++) {
        uint32_t ez = 0, eg = 0, eb = 0;
        for (uint64_t c = w->col_ptr[f]; c < w->col_ptr[f + 1]; c++) {
            const saetm__sae_entry *e = &w->ent[w->col_ent[c]];
            uint32_t g = fexp(e->ga);
            if (e->kind == SAETM__E_BAND) eb = g > eb ? g : eb;
            else {
                uint32_t z = fexp(e->z);
                ez = z > ez ? z : ez;
                eg = g > eg ? g : eg;
            }
        }
        EX_AT(w, EX_TOUCHED, f) = w->col_ptr[f + 1] > w->col_ptr[f];
        EX_AT(w, EX_Z, f) = (uint8_t)ez;
        EX_AT(w, EX_GA, f) = (uint8_t)eg;
        EX_AT(w, EX_BAND, f) = (uint8_t)eb;
    }
    size_t n = (size_t)p->B * p->d;
    uint32_t er = max_fexp(w->r, n), eq = aux_ran ? max_fexp(w->q, n) : 0;
    EX_R(w) = (uint8_t)(er > eq ? er : eq);
    EX_X(w) = (uint8_t)max_fexp(w->xc, n);
    if (p->D) saetm__dist_max_u8(w->ex, 4 * (size_t)F + 2);
}

/* A feature's scales: terms z r, ga xc, ga (b_enc) and band ga times 2^S. */
typedef struct fscale {
    int dec, enc, b, band;
} fscale;

static fscale feature_scale(const saetm__sae_work *w, uint32_t f, int L)
{
    const int ez = EX_AT(w, EX_Z, f), eg = EX_AT(w, EX_GA, f), eb = EX_AT(w, EX_BAND, f);
    fscale s = {.dec = L + 252 - ez - EX_R(w), .enc = L + 252 - eg - EX_X(w), .b = L + 126 - eg, .band = L + 126 - eb};
    return s;
}

/* Integers per feature in an exact-sum slot: decoder row, encoder row, b_enc, and for jumprelu
 * the band's dL/da and its number of entries. */
static size_t slot_size(const saetm__sae_dims *dm)
{
    return 2 * (size_t)dm->d + 1 + (dm->arch == SAETM_SAE_JUMPRELU ? 2 : 0);
}

/* 7b. This process's exact sums of feature f's entries into acc (slot_size). The rows of r, q
 * and x - b_dec that the next entry needs are prefetched: these gathers, not the arithmetic,
 * bound this loop. */
static void feature_sums(const pass *p, uint32_t f, int L, uint64_t *acc)
{
    saetm__sae_work *w = p->w;
    const uint32_t d = p->d;
    memset(acc, 0, slot_size(p->dm) * sizeof *acc);
    const fscale sc = feature_scale(w, f, L);
    const double pdec = ldexp(1.0, sc.dec), penc = ldexp(1.0, sc.enc), pb = ldexp(1.0, sc.b),
                 pband = ldexp(1.0, sc.band);
    const uint64_t c0 = w->col_ptr[f], c1 = w->col_ptr[f + 1];
    for (uint64_t c = c0; c < c1 && c < c0 + PREFETCH_AHEAD; c++) prefetch_entry(w, &w->ent[w->col_ent[c]]);
    for (uint64_t c = c0; c < c1; c++) {
        const saetm__sae_entry *e = &w->ent[w->col_ent[c]];
        if (c + PREFETCH_AHEAD < c1) prefetch_entry(w, &w->ent[w->col_ent[c + PREFETCH_AHEAD]]);
        if (e->kind == SAETM__E_BAND) {
            acc[2 * d + 1] += fxg_round(pband * (double)e->ga);
            acc[2 * d + 2] += 1;
            continue;
        }
        const float *rv = (e->kind == SAETM__E_MAIN ? w->r : w->q) + (size_t)e->row * d;
        fxg_axpy(pdec * (double)e->z, rv, acc, d);
        fxg_axpy(penc * (double)e->ga, w->xc + (size_t)e->row * d, acc + d, d);
        acc[2 * d] += fxg_round(pb * (double)e->ga);
    }
}

/* 7c. Feature f's gradients from its sums over the whole batch (acc; NULL: no entry anywhere).
 * With dims.project, the decoder row's gradient loses its component along the (unit) row, and
 * the squared norms of the two rows are kept for gradient clipping. JumpReLU's threshold:
 * sum over the band of dL/da (-theta/eps) + l0_coef, times theta (d/dlog_theta). */
static void feature_finish(const pass *p, uint32_t f, int L, const uint64_t *acc, double l0_coef)
{
    saetm__sae_work *w = p->w;
    const saetm__sae_dims *dm = p->dm;
    const uint32_t d = p->d;
    float *gd = p->g_dec + (size_t)f * d, *ge = p->g_enc + (size_t)f * d;
    if (!acc) {
        memset(gd, 0, d * sizeof(float));
        memset(ge, 0, d * sizeof(float));
        p->gb_enc[f] = 0.0f;
        if (dm->arch == SAETM_SAE_JUMPRELU) p->g_lt[f] = 0.0f;
        w->sq[f] = 0.0;
        return;
    }
    const fscale sc = feature_scale(w, f, L);
    const double idec = ldexp(1.0, -sc.dec), ienc = ldexp(1.0, -sc.enc);
    for (uint32_t j = 0; j < d; j++) gd[j] = (float)((double)(int64_t)acc[j] * idec);
    for (uint32_t j = 0; j < d; j++) ge[j] = (float)((double)(int64_t)acc[d + j] * ienc);
    p->gb_enc[f] = (float)ldexp((double)(int64_t)acc[2 * d], -sc.b);
    if (dm->arch == SAETM_SAE_JUMPRELU) {
        double theta = w->theta[f], band = ldexp((double)(int64_t)acc[2 * d + 1], -sc.band);
        double gth = band * (-theta / dm->bandwidth) + (double)(int64_t)acc[2 * d + 2] * l0_coef;
        p->g_lt[f] = (float)(gth * theta);
    }
    if (dm->project) {
        const float *wd = p->w_dec + (size_t)f * d;
        float pr = dot(wd, gd, d);
        if (pr != 0.0f) axpy(-pr, wd, gd, d);
        w->sq[f] = (double)dot(gd, gd, d) + (double)dot(ge, ge, d);
    }
}

/* 8a. The rows' part of the b_dec gradient, sum_b r_b, exactly into acc (d integers; term r times
 * 2^S, S from the exponent of r's largest element). Each thread sums a range of rows into its
 * own integers, then the integers are added. */
static int bdec_scale(const saetm__sae_work *w, int L) { return L + 126 - EX_R(w); }

static void bdec_rows(const pass *p, int L, uint64_t *acc)
{
    saetm__sae_work *w = p->w;
    const uint32_t d = p->d;
    const double s = ldexp(1.0, bdec_scale(w, L));
#pragma omp parallel num_threads(p->T)
    {
        int t = omp_get_thread_num();
        uint64_t *a = w->tb[t].acc;
        memset(a, 0, d * sizeof *a);
        uint32_t r0, r1;
        row_range(p->B, p->T, t, &r0, &r1);
        for (uint32_t b = r0; b < r1; b++) fxg_axpy(s, w->r + (size_t)b * d, a, d);
    }
    memset(acc, 0, d * sizeof *acc);
    for (int t = 0; t < p->T; t++)
        for (uint32_t j = 0; j < d; j++) acc[j] += w->tb[t].acc[j];
}

/* 8b. b_dec: sum_b r_b (exact, acc) - sum_f db_enc[f] W_enc[f]. The features' part is computed
 * from the whole batch's db_enc (the same on every process) in fixed blocks of features, added
 * in block order: the same bytes for any thread count. */
static void bdec_finish(const pass *p, int L, const uint64_t *acc)
{
    saetm__sae_work *w = p->w;
    const uint32_t d = p->d, F = p->F;
    const uint32_t nbf = (F + SUM_BLOCK - 1) / SUM_BLOCK;
    double *part = w->bdec_part; /* nbf x d */
#pragma omp parallel for num_threads(p->T) schedule(dynamic, 1)
    for (uint32_t k = 0; k < nbf; k++) {
        double *a = part + (size_t)k * d;
        memset(a, 0, d * sizeof(double));
        uint32_t f0 = k * SUM_BLOCK, f1 = f0 + SUM_BLOCK < F ? f0 + SUM_BLOCK : F;
        for (uint32_t f = f0; f < f1; f++) {
            double g = p->gb_enc[f];
            if (g == 0.0) continue;
            const float *we = p->w_enc + (size_t)f * d;
            for (uint32_t j = 0; j < d; j++) a[j] -= g * we[j];
        }
    }
    const double inv = ldexp(1.0, -bdec_scale(w, L));
    for (uint32_t j = 0; j < d; j++) {
        double s = (double)(int64_t)acc[j] * inv;
        for (uint32_t k = 0; k < nbf; k++) s += part[(size_t)k * d + j];
        p->gb_dec[j] = (float)s;
    }
}

/* 7-8. Every gradient. One process: each feature's sums and gradients in one go. Data-parallel:
 * the sums of the features with an entry on some process (packed, with the b_dec sums) are
 * added over the processes by one allreduce of integers, then every process derives the same
 * gradients from them. @return 0, or -1 if out of memory. */
static int gradients(const pass *p, int aux_ran, double l0_coef)
{
    saetm__sae_work *w = p->w;
    const uint32_t F = p->F, d = p->d;
    const int L = fxg_bits(p->Bg);
    const size_t per = slot_size(p->dm);
    gradient_scales(p, aux_ran);
    if (!p->D) {
#pragma omp parallel for num_threads(p->T) schedule(dynamic, 64)
        for (uint32_t f = 0; f < F; f++) {
            uint64_t *acc = w->tb[omp_get_thread_num()].acc;
            if (w->col_ptr[f + 1] == w->col_ptr[f]) {
                feature_finish(p, f, L, NULL, l0_coef);
                continue;
            }
            feature_sums(p, f, L, acc);
            feature_finish(p, f, L, acc, l0_coef);
        }
        bdec_rows(p, L, w->bdec_acc);
        bdec_finish(p, L, w->bdec_acc);
        return 0;
    }
    size_t nt = 0;
    for (uint32_t f = 0; f < F; f++)
        if (EX_AT(w, EX_TOUCHED, f)) w->tlist[nt++] = f;
    size_t need = nt * per + d;
    if (need > w->cap_pack) {
        uint64_t *q = realloc(w->pack, need * sizeof *q);
        if (!q) return -1;
        w->pack = q;
        w->cap_pack = need;
    }
#pragma omp parallel for num_threads(p->T) schedule(dynamic, 64)
    for (size_t i = 0; i < nt; i++) feature_sums(p, w->tlist[i], L, w->pack + i * per);
    bdec_rows(p, L, w->pack + nt * per);
    saetm__dist_sum_u64(w->pack, need);
#pragma omp parallel for num_threads(p->T) schedule(static)
    for (size_t i = 0; i < nt; i++) feature_finish(p, w->tlist[i], L, w->pack + i * per, l0_coef);
    for (uint32_t f = 0; f < F; f++)
        if (!EX_AT(w, EX_TOUCHED, f)) feature_finish(p, f, L, NULL, l0_coef);
    bdec_finish(p, L, w->pack + nt * per);
    return 0;
}

saetm_status saetm__sae_grad(saetm_ctx *ctx, saetm__sae_work *w, const saetm__sae_layout *l, const float *params,
                             const float *x, uint32_t B, const uint8_t *dead, float *grads, uint8_t *fired,
                             saetm__sae_batch_stats *st)
{
    const saetm__sae_dims *dm = &w->dims;
    /* D: data-parallel, this process holds B of the batch's Bg rows (possibly none). */
    const int D = w->gpos != NULL;
    const pass p = {.ctx = ctx, .w = w, .dm = dm, .x = x,
                    .w_enc = params + l->w_enc, .w_dec = params + l->w_dec, .b_enc = params + l->b_enc,
                    .b_dec = params + l->b_dec, .log_theta = params + l->log_theta,
                    .g_enc = grads + l->w_enc, .g_dec = grads + l->w_dec, .gb_enc = grads + l->b_enc,
                    .gb_dec = grads + l->b_dec, .g_lt = grads + l->log_theta,
                    .B = B, .Bg = D ? w->bg : B, .d = dm->d, .F = dm->F, .T = w->threads, .D = D};
    memset(st, 0, sizeof *st);
    st->rows = p.Bg;
    if ((B == 0 && !D) || B > w->max_batch || p.Bg == 0)
        return saetm__fail(ctx, SAETM_ERR_INTERNAL, "SAE batch of %u rows", B);
    w->n_main = w->n_aux = w->n_band = 0;
    for (int t = 0; t < p.T; t++) w->tb[t].oom = 0;

    double tp = cpu_seconds(), tq;
#define PHASE(i) (tq = cpu_seconds(), w->prof[i] += tq - tp, tp = tq)
    int zero_pre = encode_batch(&p, dead);
    PHASE(0);
    saetm_status s = select_active(&p, zero_pre, fired, st);
    if (s) return s;
    PHASE(1);
    double recon = 0.0, l1sum = 0.0, n_main = 0.0;
    if ((s = batch_variance(&p, &recon, &l1sum, &n_main, st))) return s;
    st->recon = recon;
    st->l0 = n_main;
    PHASE(2);
    double aux_loss, l0_term = 0.0, l0_coef = 0.0;
    int aux_ran;
    if ((s = aux_pass(&p, dead, fired, &aux_loss, &aux_ran))) return s;
    st->aux = aux_loss;
    if (dm->arch == SAETM_SAE_JUMPRELU && (s = band_pass(&p, n_main, &l0_term, &l0_coef))) return s;
    st->loss = recon / p.Bg + (double)dm->l1 * l1sum / p.Bg * (dm->arch == SAETM_SAE_RELU_L1) + l0_term + aux_loss;
    PHASE(3);
    if ((s = column_index(&p))) return s;
    PHASE(4);
    if (gradients(&p, aux_ran, l0_coef)) return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    PHASE(5);
#undef PHASE
    return SAETM_OK;
}

saetm_status saetm__sae_init_threshold(saetm_ctx *ctx, saetm__sae_work *w, const saetm__sae_layout *l,
                                       const float *params, const float *x, uint32_t B, float *out)
{
    const saetm__sae_dims *dm = &w->dims;
    const uint32_t d = dm->d, F = dm->F;
    const float *b_dec = params + l->b_dec, *b_enc = params + l->b_enc;
    const int D = w->gpos != NULL;
    size_t K = (size_t)batch_k(dm, D ? w->bg : B);
    size_t cap = SAETM__TOPK_SCRATCH(K);
    saetm__cand *buf = malloc(cap * sizeof *buf);
    uint8_t *state = D ? malloc(K + 1) : NULL;
    if (!buf || (D && !state)) {
        free(buf);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE training: out of memory");
    }
    for (size_t i = 0; i < (size_t)B * d; i++) w->xc[i] = x[i] - b_dec[i % d];
    saetm__sgemm(w->threads, 0, 1, B, F, d, 1.0f, w->xc, d, params + l->w_enc, d, 0.0f, w->pre, F);
    w->zero_rows = 0;
    saetm__topsel s;
    saetm__topsel_init(&s, buf, cap, K);
    for (uint32_t b = 0; b < B; b++) saetm__topsel_push_row(&s, w->pre + (size_t)b * F, b_enc, F, b);
    size_t n = saetm__topsel_finish(&s);
    float t = INFINITY;
    if (D) t = dist_select(buf, n, K, w->gpos, state); /* the worst of the global batch's best K */
    else
        for (size_t i = 0; i < n; i++)
            if (buf[i].v < t) t = buf[i].v;
    free(buf);
    free(state);
    *out = t < INFINITY ? t : 0.0f;
    return SAETM_OK;
}

void saetm__sae_work_profile(const saetm__sae_work *w, double out[SAETM__PROF_N])
{
    memcpy(out, w->prof, sizeof w->prof);
}

double saetm__sae_grad_sq_norm(const saetm__sae_work *w, const saetm__sae_layout *l, const float *grads)
{
    double s = 0.0;
    for (uint32_t f = 0; f < w->dims.F; f++) s += w->sq[f];
    size_t small_end = w->dims.arch == SAETM_SAE_JUMPRELU ? l->log_theta + w->dims.F : l->b_dec + w->dims.d;
    for (size_t i = l->b_enc; i < small_end; i++) s += (double)grads[i] * grads[i];
    return s;
}
