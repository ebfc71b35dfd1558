/*
 * test_sae_grad.c - gradients of every SAE architecture against finite differences, the
 * auxiliary loss and JumpReLU's threshold pseudo-gradient against a dense double-precision
 * restatement, and the linear-time selection against brute force.
 */
#include "sae/sae_int.h"
#include "test.h"

#include <stdint.h>

/* ---- selection ---------------------------------------------------------------------------- */

static int cand_better(const saetm__cand *a, const saetm__cand *b)
{
    if (a->v != b->v) return a->v > b->v;
    if (a->row != b->row) return a->row < b->row;
    return a->col < b->col;
}

static int cmp_best(const void *a, const void *b)
{
    return cand_better(a, b) ? -1 : cand_better(b, a) ? 1 : 0;
}

static void test_topk_row_matches_sort(void)
{
    saetm__rng r;
    saetm__rng_init(&r, 7, 1, 0);
    for (int trial = 0; trial < 60; trial++) {
        uint32_t n = 1 + (uint32_t)saetm__rng_below(&r, 3000), k = 1 + (uint32_t)saetm__rng_below(&r, 70);
        int mode = trial % 4; /* random, many ties, ascending (adversarial), descending */
        float *z = malloc(n * sizeof *z), *bias = malloc(n * sizeof *bias), *val = malloc((k + 1) * sizeof *val);
        uint32_t *idx = malloc((k + 1) * sizeof *idx);
        saetm__cand *scratch = malloc(SAETM__TOPK_SCRATCH(k) * sizeof *scratch), *all = malloc(n * sizeof *all);
        for (uint32_t j = 0; j < n; j++) {
            z[j] = mode == 0 ? (float)saetm__rng_normal(&r)
                 : mode == 1 ? (float)saetm__rng_below(&r, 5)
                 : mode == 2 ? (float)j : -(float)j;
            bias[j] = trial % 3 == 0 ? 0.25f * (float)saetm__rng_below(&r, 3) : 0.0f;
        }
        const float *b = trial % 3 == 0 ? bias : NULL;
        uint32_t m = saetm__topk_row(z, b, n, k, scratch, idx, val);
        for (uint32_t j = 0; j < n; j++) all[j] = (saetm__cand){z[j] + (b ? b[j] : 0.0f), 0, j};
        qsort(all, n, sizeof *all, cmp_best);
        uint32_t want = k < n ? k : n;
        CHECK_EQ_INT(m, want);
        /* Same set (the reference's first `want`, by position), ascending columns. */
        saetm__sort_by_position(all, want);
        for (uint32_t i = 0; i < m && i < want; i++) {
            if (idx[i] != all[i].col || val[i] != all[i].v) {
                CHECK(idx[i] == all[i].col);
                break;
            }
            if (i > 0) CHECK(idx[i] > idx[i - 1]);
        }
        free(z);
        free(bias);
        free(val);
        free(idx);
        free(scratch);
        free(all);
    }
}

static void test_select_best(void)
{
    saetm__rng r;
    saetm__rng_init(&r, 9, 1, 0);
    for (int trial = 0; trial < 40; trial++) {
        size_t n = 1 + saetm__rng_below(&r, 5000), k = saetm__rng_below(&r, n + 1);
        saetm__cand *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        for (size_t i = 0; i < n; i++) {
            float v = trial % 2 ? (float)saetm__rng_below(&r, 10) : (float)saetm__rng_uniform(&r);
            if (trial % 5 == 4) v = (float)i; /* sorted input */
            a[i] = (saetm__cand){v, (uint32_t)(i % 13), (uint32_t)i};
        }
        memcpy(b, a, n * sizeof *a);
        saetm__select_best(a, n, k);
        qsort(b, n, sizeof *b, cmp_best);
        /* a[0..k) must be exactly b[0..k) as a set: sort both and compare. */
        qsort(a, k, sizeof *a, cmp_best);
        int same = 1;
        for (size_t i = 0; i < k; i++) same &= a[i].col == b[i].col;
        CHECK(same);
        free(a);
        free(b);
    }
}

/* ---- a tiny problem ----------------------------------------------------------------------- */

typedef struct problem {
    saetm__sae_dims dm;
    saetm__sae_layout l;
    uint32_t B;
    float *p, *g, *x;
    uint8_t *dead, *fired;
    saetm__sae_work *w;
    saetm_ctx *ctx;
} problem;

static void problem_init(problem *pb, saetm_sae_arch arch, uint32_t d, uint32_t F, uint32_t k, uint32_t B,
                         uint64_t seed)
{
    memset(pb, 0, sizeof *pb);
    pb->dm = (saetm__sae_dims){arch, d, F, k, d / 2, 1.0f, 0.5f, 0.05f, 1.0f / 32.0f, 0};
    saetm__sae_layout_init(&pb->l, arch, d, F);
    pb->B = B;
    pb->p = calloc(pb->l.total, sizeof(float));
    pb->g = calloc(pb->l.total, sizeof(float));
    pb->x = calloc((size_t)B * d, sizeof(float));
    pb->dead = calloc(F, 1);
    pb->fired = calloc(F, 1);
    pb->ctx = saetm_ctx_create();
    saetm__rng r;
    saetm__rng_init(&r, seed, 5, 0);
    float *p = pb->p;
    for (size_t i = 0; i < (size_t)F * d; i++) p[pb->l.w_dec + i] = (float)saetm__rng_normal(&r);
    saetm__sae_normalize_decoder(1, &pb->l, d, F, p);
    for (size_t i = 0; i < (size_t)F * d; i++) p[pb->l.w_enc + i] = p[pb->l.w_dec + i] + 0.3f * (float)saetm__rng_normal(&r);
    for (uint32_t f = 0; f < F; f++) p[pb->l.b_enc + f] = (arch == SAETM_SAE_RELU_L1 ? -1.0f : 0.0f) + 0.2f * (float)saetm__rng_normal(&r);
    for (uint32_t j = 0; j < d; j++) p[pb->l.b_dec + j] = 0.3f * (float)saetm__rng_normal(&r);
    if (arch == SAETM_SAE_JUMPRELU)
        for (uint32_t f = 0; f < F; f++) p[pb->l.log_theta + f] = logf(0.8f + 0.4f * (float)saetm__rng_uniform(&r));
    for (size_t i = 0; i < (size_t)B * d; i++) pb->x[i] = 1.5f * (float)saetm__rng_normal(&r);
    CHECK(saetm__sae_work_create(pb->ctx, &pb->dm, B, 1, &pb->w) == SAETM_OK);
}

static void problem_free(problem *pb)
{
    saetm__sae_work_free(pb->w);
    free(pb->p);
    free(pb->g);
    free(pb->x);
    free(pb->dead);
    free(pb->fired);
    saetm_ctx_free(pb->ctx);
}

/* Loss at pb->p (gradients into scratch), and a hash of the active set (main and aux entries). */
static double loss_at(problem *pb, float *grads, uint64_t *sig)
{
    saetm__sae_batch_stats st;
    memset(pb->fired, 0, pb->dm.F);
    CHECK(saetm__sae_grad(pb->ctx, pb->w, &pb->l, pb->p, pb->x, pb->B, pb->dead, grads, pb->fired, &st) == SAETM_OK);
    size_t nm, na;
    const saetm__sae_entry *e = saetm__sae_work_entries(pb->w, &nm, &na);
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < na; i++) {
        if (e[i].kind == SAETM__E_BAND) continue;
        h = (h ^ ((uint64_t)e[i].row << 40 ^ (uint64_t)e[i].f << 8 ^ e[i].kind)) * 1099511628211ULL;
    }
    *sig = h;
    return st.loss;
}

/* Central differences on the parameters in [lo, hi) of the flat buffer (every `stride`-th). */
static void fd_check(problem *pb, size_t lo, size_t hi, size_t stride, const char *what, int *checked, int *skipped)
{
    uint64_t sig0, sp, sm;
    float *scratch = calloc(pb->l.total, sizeof(float));
    loss_at(pb, pb->g, &sig0);
    const float h = 1e-2f; /* the loss is quadratic in each parameter while the active set holds */
    for (size_t i = lo; i < hi; i += stride) {
        float keep = pb->p[i];
        pb->p[i] = keep + h;
        double lp = loss_at(pb, scratch, &sp);
        pb->p[i] = keep - h;
        double lm = loss_at(pb, scratch, &sm);
        pb->p[i] = keep;
        if (sp != sig0 || sm != sig0) { /* the active set changed: not differentiable here */
            (*skipped)++;
            continue;
        }
        double fd = (lp - lm) / (2.0 * (double)h), an = pb->g[i];
        double tol = 2e-3 * (fabs(an) > 1.0 ? fabs(an) : 1.0);
        if (!(fabs(fd - an) <= tol)) {
            fprintf(stderr, "%s %s[%zu]: finite difference %.6g, gradient %.6g\n",
                    saetm_sae_arch_name(pb->dm.arch), what, i - lo, fd, an);
            CHECK(fabs(fd - an) <= tol);
        }
        (*checked)++;
    }
    free(scratch);
}

static void fd_all(saetm_sae_arch arch)
{
    problem pb;
    problem_init(&pb, arch, 8, 24, 3, 6, 11 + (uint64_t)arch);
    int checked = 0, skipped = 0;
    size_t Fd = (size_t)pb.dm.F * pb.dm.d;
    fd_check(&pb, pb.l.w_enc, pb.l.w_enc + Fd, 1, "W_enc", &checked, &skipped);
    fd_check(&pb, pb.l.w_dec, pb.l.w_dec + Fd, 1, "W_dec", &checked, &skipped);
    fd_check(&pb, pb.l.b_enc, pb.l.b_enc + pb.dm.F, 1, "b_enc", &checked, &skipped);
    fd_check(&pb, pb.l.b_dec, pb.l.b_dec + pb.dm.d, 1, "b_dec", &checked, &skipped);
    /* A meaningful share of coordinates must have been checked. */
    CHECK(checked > 300);
    CHECK(skipped * 10 < checked);
    /* The active set is not trivial. */
    size_t nm, na;
    uint64_t sig;
    loss_at(&pb, pb.g, &sig);
    saetm__sae_work_entries(pb.w, &nm, &na);
    CHECK(nm >= pb.B && nm < (size_t)pb.B * pb.dm.F / 2);
    problem_free(&pb);
}

static void test_fd_topk(void) { fd_all(SAETM_SAE_TOPK); }
static void test_fd_batchtopk(void) { fd_all(SAETM_SAE_BATCHTOPK); }
static void test_fd_relu_l1(void) { fd_all(SAETM_SAE_RELU_L1); }
static void test_fd_jumprelu(void) { fd_all(SAETM_SAE_JUMPRELU); }

/* With dead features the auxiliary loss holds e = x - x_hat constant; the dead features' own
 * parameters do not move x_hat, so finite differences on them are exact. */
static void fd_aux(saetm_sae_arch arch)
{
    problem pb;
    problem_init(&pb, arch, 8, 24, 3, 6, 21 + (uint64_t)arch);
    const uint32_t F = pb.dm.F, d = pb.dm.d;
    for (uint32_t f = F / 2; f < F; f++) pb.dead[f] = 1;
    uint64_t sig;
    saetm__sae_batch_stats st;
    memset(pb.fired, 0, F);
    CHECK(saetm__sae_grad(pb.ctx, pb.w, &pb.l, pb.p, pb.x, pb.B, pb.dead, pb.g, pb.fired, &st) == SAETM_OK);
    CHECK(st.aux > 0.0);
    int checked = 0, skipped = 0;
    for (uint32_t f = F / 2; f < F; f++) {
        if (pb.fired[f]) continue;
        fd_check(&pb, pb.l.w_enc + (size_t)f * d, pb.l.w_enc + (size_t)(f + 1) * d, 1, "W_enc(dead)", &checked, &skipped);
        fd_check(&pb, pb.l.w_dec + (size_t)f * d, pb.l.w_dec + (size_t)(f + 1) * d, 1, "W_dec(dead)", &checked, &skipped);
        fd_check(&pb, pb.l.b_enc + f, pb.l.b_enc + f + 1, 1, "b_enc(dead)", &checked, &skipped);
    }
    (void)sig;
    CHECK(checked > 50);
    problem_free(&pb);
}

static void test_fd_aux_topk(void) { fd_aux(SAETM_SAE_TOPK); }
static void test_fd_aux_batchtopk(void) { fd_aux(SAETM_SAE_BATCHTOPK); }

/* JumpReLU thresholds: the straight-through pseudo-gradient restated densely in double. */
static void test_jumprelu_theta(void)
{
    problem pb;
    problem_init(&pb, SAETM_SAE_JUMPRELU, 8, 24, 3, 40, 31);
    pb.dm.bandwidth = 0.4f; /* wide band: many pairs contribute */
    saetm__sae_work_free(pb.w);
    CHECK(saetm__sae_work_create(pb.ctx, &pb.dm, pb.B, 1, &pb.w) == SAETM_OK);
    const uint32_t F = pb.dm.F, d = pb.dm.d, B = pb.B;
    uint64_t sig;
    loss_at(&pb, pb.g, &sig);
    const float *p = pb.p;
    const saetm__sae_layout *l = &pb.l;
    double *z = calloc((size_t)B * F, sizeof(double)), *r = calloc((size_t)B * d, sizeof(double));
    double n_active = 0;
    for (uint32_t b = 0; b < B; b++) {
        for (uint32_t f = 0; f < F; f++) {
            double s = p[l->b_enc + f];
            for (uint32_t j = 0; j < d; j++)
                s += (double)p[l->w_enc + (size_t)f * d + j] * (pb.x[(size_t)b * d + j] - p[l->b_dec + j]);
            z[(size_t)b * F + f] = s;
            n_active += s > exp(p[l->log_theta + f]);
        }
        for (uint32_t j = 0; j < d; j++) {
            double xh = p[l->b_dec + j];
            for (uint32_t f = 0; f < F; f++) {
                double zz = z[(size_t)b * F + f];
                if (zz > exp(p[l->log_theta + f])) xh += zz * p[l->w_dec + (size_t)f * d + j];
            }
            r[(size_t)b * d + j] = 2.0 * (xh - pb.x[(size_t)b * d + j]) / B;
        }
    }
    double eps = pb.dm.bandwidth, rel = n_active / B / pb.dm.k - 1.0;
    int band_pairs = 0;
    for (uint32_t f = 0; f < F; f++) {
        double th = exp(p[l->log_theta + f]), g = 0.0;
        for (uint32_t b = 0; b < B; b++) {
            double zz = z[(size_t)b * F + f];
            if (fabs(zz - th) >= eps / 2) continue;
            band_pairs++;
            double ga = 0.0;
            for (uint32_t j = 0; j < d; j++) ga += r[(size_t)b * d + j] * p[l->w_dec + (size_t)f * d + j];
            g += ga * (-th / eps) + 2.0 * pb.dm.l0 * rel / pb.dm.k / B * (-1.0 / eps);
        }
        g *= th; /* d/dlog_theta */
        CHECK_NEAR(pb.g[l->log_theta + f], g, 1e-4 * (fabs(g) > 1 ? fabs(g) : 1.0));
    }
    CHECK(band_pairs > 20);
    free(z);
    free(r);
    problem_free(&pb);
}

/* The same batch on 1 and 3 threads gives identical gradients. */
static void test_grad_threads(void)
{
    for (int a = 0; a < 4; a++) {
        problem pb;
        problem_init(&pb, (saetm_sae_arch)a, 16, 200, 5, 37, 41);
        for (uint32_t f = 150; f < 200; f++) pb.dead[f] = 1;
        uint64_t sig;
        loss_at(&pb, pb.g, &sig);
        float *g1 = malloc(pb.l.total * sizeof(float));
        memcpy(g1, pb.g, pb.l.total * sizeof(float));
        saetm__sae_work_free(pb.w);
        CHECK(saetm__sae_work_create(pb.ctx, &pb.dm, pb.B, 3, &pb.w) == SAETM_OK);
        loss_at(&pb, pb.g, &sig);
        CHECK(memcmp(g1, pb.g, pb.l.total * sizeof(float)) == 0);
        free(g1);
        problem_free(&pb);
    }
}

/* BatchTopK picks exactly the k*B best pre-activations (ties: earlier row, then lower feature),
 * whatever the thread count and whatever floor the last batch left behind: batches in a row on
 * one work, scaled so that the floor is too high (exact pass again), about right, and far too
 * low (selector buffers cut and sorted back), with duplicated rows and features for ties. The
 * work pb->w keeps its pre-activations for the brute force; w2, which zeroes them behind the
 * selection and adds the next product to those zeros (computing it again when the floor was too
 * high), must give the same entries and gradients. */
static void check_batchtopk_exact(problem *pb, saetm__sae_work *w2, const char *what)
{
    const uint32_t B = pb->B, F = pb->dm.F;
    const size_t K = (size_t)pb->dm.k * B;
    uint64_t sig;
    loss_at(pb, pb->g, &sig);
    const float *pre = saetm__sae_work_pre(pb->w);
    const float *b_enc = pb->p + pb->l.b_enc;
    saetm__cand *all = malloc((size_t)B * F * sizeof *all);
    for (uint32_t b = 0; b < B; b++)
        for (uint32_t f = 0; f < F; f++) all[(size_t)b * F + f] = (saetm__cand){pre[(size_t)b * F + f] + b_enc[f], b, f};
    qsort(all, (size_t)B * F, sizeof *all, cmp_best);
    size_t m = 0;
    for (size_t i = 0; i < K; i++)
        if (all[i].v > 0.0f) all[m++] = all[i];
    saetm__sort_by_position(all, m);
    size_t nm, na;
    const saetm__sae_entry *e = saetm__sae_work_entries(pb->w, &nm, &na);
    int same = nm == m;
    for (size_t i = 0; same && i < m; i++) same = e[i].row == all[i].row && e[i].f == all[i].col && e[i].z == all[i].v;
    if (!same) fprintf(stderr, "  %s: %zu entries, brute force %zu\n", what, nm, m);
    CHECK(same);
    free(all);
    float *g2 = calloc(pb->l.total, sizeof(float));
    saetm__sae_batch_stats st;
    memset(pb->fired, 0, pb->dm.F);
    CHECK(saetm__sae_grad(pb->ctx, w2, &pb->l, pb->p, pb->x, pb->B, pb->dead, g2, pb->fired, &st) == SAETM_OK);
    size_t nm2, na2;
    const saetm__sae_entry *e2 = saetm__sae_work_entries(w2, &nm2, &na2);
    int same2 = nm2 == nm && na2 == na;
    for (size_t i = 0; same2 && i < na; i++)
        same2 = e[i].row == e2[i].row && e[i].f == e2[i].f && e[i].z == e2[i].z && e[i].ga == e2[i].ga && e[i].kind == e2[i].kind;
    CHECK(same2);
    CHECK(memcmp(g2, pb->g, pb->l.total * sizeof(float)) == 0);
    free(g2);
}

static void test_batchtopk_exact(void)
{
    const float scales[] = {1.0f, 0.05f, 1.0f, 1.0f, 20.0f, 1.0f};
    for (int threads = 1; threads <= 3; threads += 2) {
        problem pb;
        problem_init(&pb, SAETM_SAE_BATCHTOPK, 16, 200, 5, 37, 43);
        saetm__sae_work_free(pb.w);
        CHECK(saetm__sae_work_create(pb.ctx, &pb.dm, pb.B, threads, &pb.w) == SAETM_OK);
        saetm__sae_work_keep_pre(pb.w);
        saetm__sae_work *w2 = NULL;
        CHECK(saetm__sae_work_create(pb.ctx, &pb.dm, pb.B, threads, &w2) == SAETM_OK);
        const uint32_t d = pb.dm.d;
        float *x0 = malloc((size_t)pb.B * d * sizeof(float));
        memcpy(x0 + 0, pb.x, (size_t)pb.B * d * sizeof(float));
        memcpy(x0 + 3 * d, x0, d * sizeof(float)); /* rows 0, 3 and 20 equal */
        memcpy(x0 + 20 * d, x0, d * sizeof(float));
        memcpy(pb.p + pb.l.w_enc + 11 * d, pb.p + pb.l.w_enc + 10 * d, d * sizeof(float)); /* features 10, 11 equal */
        pb.p[pb.l.b_enc + 11] = pb.p[pb.l.b_enc + 10];
        for (int s = 0; s < (int)(sizeof scales / sizeof *scales); s++) {
            const float *b_dec = pb.p + pb.l.b_dec;
            for (size_t i = 0; i < (size_t)pb.B * d; i++) pb.x[i] = b_dec[i % d] + scales[s] * (x0[i] - b_dec[i % d]);
            char what[64];
            snprintf(what, sizeof what, "%d threads, batch %d", threads, s);
            check_batchtopk_exact(&pb, w2, what);
        }
        saetm__sae_work_free(w2);
        free(x0);
        problem_free(&pb);
    }
}

int main(void)
{
    RUN(test_topk_row_matches_sort);
    RUN(test_select_best);
    RUN(test_fd_topk);
    RUN(test_fd_batchtopk);
    RUN(test_fd_relu_l1);
    RUN(test_fd_jumprelu);
    RUN(test_fd_aux_topk);
    RUN(test_fd_aux_batchtopk);
    RUN(test_jumprelu_theta);
    RUN(test_grad_threads);
    RUN(test_batchtopk_exact);
    return TEST_REPORT();
}
