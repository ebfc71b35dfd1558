/*
 * test_interpret.c - EM feature interpretation: planted recovery, monotone NLL, the reported NLL
 * equals the objective, thread-count determinism, .sti round trip, refusals; the SQUAREM-accelerated
 * EM against plain EM (same optimum, fewer iterations, monotone NLL, no worse than plain EM's stop).
 *
 * With `--em-driver DIR` it is instead the driver of tests/interpret/test_em_vs_adam.py: it reads
 * DIR/counts.npy (N x V) and DIR/acts.npy (N x F), DIR/opts.txt ("pi learn_pi background idf smooth
 * tol max_iter"), fits, and writes DIR/phi.npy, DIR/p0.npy and DIR/result.txt ("nll pi iterations").
 */
#include "saetm.h"
#include "saetm_int.h"
#include "test.h"

#include <stdint.h>

/* Dense N x F (non-negative) to CSR activations. */
static saetm_status dense_to_acts(saetm_ctx *ctx, uint64_t n, uint32_t f, const float *x, saetm_acts *out)
{
    saetm_matrix m = {n, f, (float *)x, NULL};
    return saetm_acts_from_dense(ctx, &m, out);
}

/* Dense N x V counts to a bag-of-words (arrays malloc'ed into *b; free with free_bow). */
static void dense_to_bow(uint64_t n, uint32_t v, const float *x, saetm_bow *b)
{
    uint64_t *rp = calloc(n + 1, sizeof *rp), nnz = 0;
    for (uint64_t i = 0; i < n * v; i++) nnz += x[i] > 0;
    uint32_t *w = calloc(nnz + 1, sizeof *w), *c = calloc(nnz + 1, sizeof *c);
    nnz = 0;
    for (uint64_t d = 0; d < n; d++) {
        for (uint32_t j = 0; j < v; j++)
            if (x[d * v + j] > 0) w[nnz] = j, c[nnz++] = (uint32_t)x[d * v + j];
        rp[d + 1] = nnz;
    }
    b->rows = n;
    b->vocab_size = v;
    b->row_ptr = rp;
    b->word_ids = w;
    b->counts = c;
}

static void free_bow(saetm_bow *b)
{
    free((void *)b->row_ptr);
    free((void *)b->word_ids);
    free((void *)b->counts);
}

static double cosine(const float *a, const float *b, uint32_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (uint32_t i = 0; i < n; i++) ab += (double)a[i] * b[i], aa += (double)a[i] * a[i], bb += (double)b[i] * b[i];
    return ab / sqrt(aa * bb + 1e-300);
}

static saetm_synth *small_synth(saetm_ctx *ctx, uint64_t seed)
{
    saetm_synth_opts so;
    saetm_synth_opts_default(&so);
    so.n_docs = 1500;
    so.n_topics = 8;
    so.vocab_size = 400;
    so.dim = 16;
    so.seed = seed;
    saetm_synth *s = NULL;
    CHECK(saetm_synth_generate(ctx, &so, &s) == SAETM_OK);
    return s;
}

/* Planted data with a perfect SAE: activations = the planted strengths (features = topics). */
static saetm_synth *planted(saetm_ctx *ctx, uint64_t seed, saetm_acts *acts, saetm_bow *bow)
{
    saetm_synth *s = small_synth(ctx, seed);
    if (!s) return NULL;
    CHECK(dense_to_acts(ctx, 1500, 8, saetm_synth_strengths(s), acts) == SAETM_OK);
    saetm_synth_bow(s, bow);
    return s;
}

/* Features = the planted topics (a perfect SAE): phi must match the planted word distributions. */
static void test_planted_recovery(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_acts acts;
    saetm_bow bow;
    saetm_synth *s = planted(ctx, 7, &acts, &bow);
    if (!s) return;
    float row[400];
    for (int variant = 0; variant < 2; variant++) {
        saetm_interp_opts o;
        saetm_interp_opts_default(&o);
        if (variant == 0) { /* the exact generating model: no background, no weighting */
            o.pi = 0;
            o.idf = 0;
        }
        saetm_interp *it = NULL;
        CHECK(saetm_interp_fit(ctx, &acts, &bow, saetm_synth_vocab(s), &o, &it) == SAETM_OK);
        if (!it) continue;
        double mean = 0, worst = 1;
        for (uint32_t t = 0; t < 8; t++) {
            saetm_interp_phi_row(it, t, row);
            double sum = 0;
            for (int v = 0; v < 400; v++) sum += row[v];
            CHECK_NEAR(sum, 1.0, 1e-4);
            double c = cosine(row, saetm_synth_topic_word(s) + (size_t)t * 400, 400);
            mean += c / 8;
            if (c < worst) worst = c;
        }
        fprintf(stderr, "planted recovery (variant %d): mean cosine %.4f, worst %.4f, %u iterations\n", variant,
                mean, worst, saetm_interp_iterations(it));
        CHECK(mean >= (variant == 0 ? 0.98 : 0.9));
        double tsum = 0;
        for (uint32_t t = 0; t < 8; t++) tsum += saetm_interp_theta_avg(it)[t];
        CHECK_NEAR(tsum, 1.0, 1e-5);
        CHECK_CONTAINS(saetm_interp_word(it, 3), "x");
        saetm_interp_free(it);
    }
    saetm_acts_free(&acts);
    saetm_synth_free(s);
    saetm_ctx_free(ctx);
}

/* Tiny problem: the NLL history never increases, and the reported NLL is the objective computed
 * independently from the dense phi, p0 and pi. */
static void test_nll_is_objective(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    enum { N = 7, V = 6, F = 3 };
    float counts[N * V] = {
        3, 0, 1, 0, 0, 2, /**/ 0, 4, 0, 1, 0, 0, /**/ 1, 1, 1, 1, 1, 1, /**/ 0, 0, 0, 0, 0, 0,
        0, 0, 5, 0, 2, 0, /**/ 2, 0, 0, 3, 0, 0, /**/ 0, 1, 0, 0, 4, 0,
    };
    float a[N * F] = {1, 0, 0.5f, /**/ 0, 2, 0, /**/ 1, 1, 1, /**/ 1, 0, 0, /**/ 0, 0, 3, /**/ 0, 0, 0, /**/ 0.2f, 2, 0};
    saetm_bow bow;
    dense_to_bow(N, V, counts, &bow);
    saetm_acts acts;
    CHECK(dense_to_acts(ctx, N, F, a, &acts) == SAETM_OK);
    for (int variant = 0; variant < 4; variant++) {
        saetm_interp_opts o;
        saetm_interp_opts_default(&o);
        o.tol = 0;
        o.max_iter = 60;
        o.smooth = 0.01;
        if (variant == 1) o.background = SAETM_BACKGROUND_UNIGRAM;
        if (variant == 2) o.learn_pi = 1, o.idf = 0;
        if (variant == 3) o.idf_power = 0.5; /* the objective's weights are the square roots of IDF's */
        saetm_interp *it = NULL;
        CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_OK);
        if (!it) continue;
        CHECK_EQ_INT(saetm_interp_num_docs(it), N);
        CHECK(strcmp(saetm_interp_word(it, 5), "w5") == 0);
        /* Independent objective: docs 3 (no words) and 5 (no activation) do not take part. */
        double phi[F][V], nll = 0, wsum = 0, pi = saetm_interp_pi(it);
        float row[V];
        for (int f = 0; f < F; f++) {
            saetm_interp_phi_row(it, (uint32_t)f, row);
            for (int v = 0; v < V; v++) phi[f][v] = row[v];
        }
        const float *p0 = saetm_interp_p0(it), *idf = saetm_interp_idf(it);
        for (int d = 0; d < N; d++) {
            double asum = 0;
            for (int f = 0; f < F; f++) asum += a[d * F + f];
            if (asum == 0) continue;
            for (int v = 0; v < V; v++) {
                if (counts[d * V + v] == 0) continue;
                double p = pi * p0[v];
                for (int f = 0; f < F; f++) p += (1 - pi) * a[d * F + f] / asum * phi[f][v];
                nll -= counts[d * V + v] * idf[v] * log(p);
                wsum += counts[d * V + v] * idf[v];
            }
        }
        CHECK_NEAR(saetm_interp_nll(it), nll / wsum, 1e-5 * fabs(nll / wsum));
        /* IDF: word 4 occurs in 3 of 7 docs; the largest idf (word 5, df = 2) normalises to 1. */
        if (variant < 2) CHECK_NEAR(idf[4], log(7.0 / 3) / log(7.0 / 2), 1e-6);
        else if (variant == 3) CHECK_NEAR(idf[4], sqrt(log(7.0 / 3) / log(7.0 / 2)), 1e-6);
        else CHECK_NEAR(idf[4], 1.0, 0);
        if (variant == 2) CHECK(pi != 0.3);
        saetm_interp_free(it);
    }
    saetm_acts_free(&acts);
    free_bow(&bow);
    saetm_ctx_free(ctx);
}

/* Any thread count gives the same bytes; save -> load -> save gives the same bytes too. */
static void test_threads_and_round_trip(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_acts acts;
    saetm_bow bow;
    saetm_synth *s = planted(ctx, 3, &acts, &bow);
    if (!s) return;
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    o.learn_pi = 1;
    o.max_iter = 40;
    char p[3][4096];
    int threads[3] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        saetm_ctx_set_threads(ctx, threads[i]);
        saetm_interp *it = NULL;
        CHECK(saetm_interp_fit(ctx, &acts, &bow, saetm_synth_vocab(s), &o, &it) == SAETM_OK);
        snprintf(p[i], sizeof p[i], "%s/t%d.sti", test_tmpdir(), threads[i]);
        CHECK(it && saetm_interp_save(ctx, it, p[i]) == SAETM_OK);
        saetm_interp_free(it);
    }
    CHECK(test_same_file(p[0], p[1]));
    CHECK(test_same_file(p[0], p[2]));
    saetm_interp *a = NULL;
    CHECK(saetm_interp_load(ctx, p[0], &a) == SAETM_OK);
    if (a) {
        char again[4096];
        snprintf(again, sizeof again, "%s/again.sti", test_tmpdir());
        CHECK(saetm_interp_save(ctx, a, again) == SAETM_OK);
        CHECK(test_same_file(p[0], again));
        saetm_interp_opts got;
        saetm_interp_get_opts(a, &got);
        CHECK(got.learn_pi == 1 && got.max_iter == 40 && got.background == SAETM_BACKGROUND_LEARNED);
        CHECK(strcmp(saetm_interp_word(a, 0), saetm_synth_vocab(s)[0]) == 0);
        saetm_acts th;
        saetm_interp_theta(a, &th);
        CHECK_EQ_INT(th.rows, 1500);
        CHECK(th.row_ptr[1500] > 1500);
        char buf[4096];
        CHECK(saetm_file_inspect(ctx, p[0], buf, sizeof buf) == SAETM_OK);
        CHECK_CONTAINS(buf, "SAETMINT");
        CHECK_CONTAINS(buf, "phi_prob");
    }
    saetm_interp_free(a);
    /* A flipped byte in the middle is caught by the checksums. */
    size_t n = 0;
    unsigned char *b = (unsigned char *)test_slurp_n(p[0], &n);
    if (b) {
        b[n / 2] ^= 0x40;
        char bad[4096];
        snprintf(bad, sizeof bad, "%s/bad.sti", test_tmpdir());
        FILE *f = fopen(bad, "wb");
        fwrite(b, 1, n, f);
        fclose(f);
        saetm_interp *x = NULL;
        saetm_status st = saetm_interp_load(ctx, bad, &x);
        CHECK(st == SAETM_ERR_CHECKSUM || st == SAETM_ERR_FORMAT);
        CHECK(x == NULL);
        free(b);
    }
    saetm_acts_free(&acts);
    saetm_synth_free(s);
    saetm_ctx_free(ctx);
}

/* Learning pi: EM never ends worse than with pi fixed at its start value. (pi is only weakly
 * identifiable: the feature distributions can absorb background mass, so no target value.) */
static void test_learn_pi(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_acts acts;
    saetm_bow bow;
    saetm_synth *s = planted(ctx, 11, &acts, &bow);
    if (!s) return;
    double nll[2] = {0, 0}, pi = 0;
    for (int learn = 0; learn < 2; learn++) {
        saetm_interp_opts o;
        saetm_interp_opts_default(&o);
        o.learn_pi = learn;
        o.tol = 1e-8;
        saetm_interp *it = NULL;
        CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_OK);
        if (!it) continue;
        nll[learn] = saetm_interp_nll(it);
        if (learn) pi = saetm_interp_pi(it);
        saetm_interp_free(it);
    }
    fprintf(stderr, "learn pi: NLL %.6f (pi %.4f) vs fixed pi 0.3: %.6f\n", nll[1], pi, nll[0]);
    CHECK(nll[1] <= nll[0] + 1e-6);
    CHECK(pi != 0.3 && pi > 0 && pi < 1);
    saetm_acts_free(&acts);
    saetm_synth_free(s);
    saetm_ctx_free(ctx);
}

/* A slow problem for EM: the 8 planted topics plus 16 features that are each a document-dependent
 * share of one topic's strength (so features overlap and EM's rate is poor). */
static saetm_synth *overlapping(saetm_ctx *ctx, uint64_t seed, saetm_acts *acts, saetm_bow *bow)
{
    saetm_synth *s = small_synth(ctx, seed);
    if (!s) return NULL;
    enum { N = 1500, T = 8, F = 24 };
    float *a = calloc((size_t)N * F, sizeof *a);
    const float *str = saetm_synth_strengths(s);
    uint64_t h = seed;
    for (uint64_t d = 0; d < N; d++)
        for (uint32_t f = 0; f < F; f++) {
            h = h * 6364136223846793005ull + 1442695040888963407ull;
            double u = (double)(h >> 11) / 9007199254740992.0;
            a[d * F + f] = f < T ? str[d * T + f] : (float)(u * str[d * T + f % T]);
        }
    CHECK(dense_to_acts(ctx, N, F, a, acts) == SAETM_OK);
    free(a);
    saetm_synth_bow(s, bow);
    return s;
}

/* The NLL history of a fit (the nll_hist section of its saved .sti), malloc'ed; n entries. */
static double *nll_history(saetm_ctx *ctx, const saetm_interp *it, const char *name, uint64_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.sti", test_tmpdir(), name);
    *n = 0;
    if (saetm_interp_save(ctx, it, path)) return NULL;
    saetm__creader r;
    const void *p = NULL;
    uint64_t rows = 0, cols = 0;
    double *h = NULL;
    if (saetm__cr_open(ctx, path, "SAETMINT", 1, &r)) return NULL;
    if (!saetm__cr_get(ctx, &r, "nll_hist", SAETM__F64, &p, &rows, &cols) && (h = malloc(rows * sizeof *h))) {
        memcpy(h, p, rows * sizeof *h);
        *n = rows;
    }
    saetm__cr_close(&r);
    return h;
}

/* SQUAREM: reaches plain EM's optimum (both run to a tight tolerance) in fewer iterations, its NLL
 * history never rises (the safeguard), and with the defaults it ends no worse than plain EM with
 * the stopping rule of before (tol alone); the same bytes at 1 and 3 threads, background fixed or
 * learned, pi fixed or learned. */
static void test_squarem(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_acts acts;
    saetm_bow bow;
    saetm_synth *s = overlapping(ctx, 5, &acts, &bow);
    if (!s) return;
    double nll[2] = {0, 0};
    uint32_t iters[2] = {0, 0};
    for (int sq = 0; sq < 2; sq++) { /* to the optimum */
        saetm_interp_opts o;
        saetm_interp_opts_default(&o);
        o.accel = sq ? SAETM_ACCEL_SQUAREM : SAETM_ACCEL_NONE;
        o.tol = 1e-11;
        o.stable_top = 0;
        o.max_iter = 5000;
        saetm_interp *it = NULL;
        CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_OK);
        if (!it) continue;
        nll[sq] = saetm_interp_nll(it);
        iters[sq] = saetm_interp_iterations(it);
        uint64_t n = 0;
        double *h = nll_history(ctx, it, sq ? "sq" : "plain", &n);
        CHECK(h && n == iters[sq] + 1);
        double rise = 0; /* the largest relative rise of the NLL from one point to the next */
        for (uint64_t i = 1; h && i < n; i++)
            if ((h[i] - h[i - 1]) / h[i - 1] > rise) rise = (h[i] - h[i - 1]) / h[i - 1];
        fprintf(stderr, "%s: largest relative NLL rise %.3g\n", sq ? "SQUAREM" : "plain EM", rise);
        CHECK(rise <= 1e-9); /* psi is stored in float32: near the optimum EM's own steps jitter by ~1e-10 */
        free(h);
        saetm_interp_free(it);
    }
    fprintf(stderr, "to the optimum: plain EM %u iterations, NLL %.10f; SQUAREM %u iterations, NLL %.10f\n",
            iters[0], nll[0], iters[1], nll[1]);
    CHECK(fabs(nll[0] - nll[1]) <= 2e-7 * fabs(nll[0]));
    CHECK(iters[1] > 0 && iters[1] * 3 <= iters[0]);
    /* The defaults against plain EM's stop of before (tol 1e-6 alone). */
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    CHECK(o.accel == SAETM_ACCEL_SQUAREM && o.stable_top == 10);
    saetm_interp *it = NULL;
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_OK);
    double nll_def = it ? saetm_interp_nll(it) : 1e300;
    uint32_t it_def = it ? saetm_interp_iterations(it) : 0;
    saetm_interp_free(it);
    o.accel = SAETM_ACCEL_NONE;
    o.stable_top = 0;
    it = NULL;
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_OK);
    double nll_old = it ? saetm_interp_nll(it) : -1e300;
    fprintf(stderr, "defaults: SQUAREM + top words %u iterations, NLL %.10f; plain EM, tol alone: %u iterations, "
                    "NLL %.10f\n", it_def, nll_def, it ? saetm_interp_iterations(it) : 0, nll_old);
    saetm_interp_free(it);
    CHECK(nll_def <= nll_old);
    /* Thread determinism of the accelerated fit in each variant. */
    for (int variant = 0; variant < 3; variant++) {
        saetm_interp_opts_default(&o);
        o.max_iter = 60;
        if (variant == 1) o.background = SAETM_BACKGROUND_UNIGRAM;
        if (variant == 2) o.learn_pi = 1;
        char p[2][4096];
        for (int i = 0; i < 2; i++) {
            saetm_ctx_set_threads(ctx, i ? 3 : 1);
            it = NULL;
            CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_OK);
            snprintf(p[i], sizeof p[i], "%s/sq%d_%d.sti", test_tmpdir(), variant, i);
            CHECK(it && saetm_interp_save(ctx, it, p[i]) == SAETM_OK);
            saetm_interp_free(it);
        }
        CHECK(test_same_file(p[0], p[1]));
    }
    saetm_acts_free(&acts);
    saetm_synth_free(s);
    saetm_ctx_free(ctx);
}

static void test_refusals(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    uint64_t rp[3] = {0, 2, 3};
    uint32_t w[3] = {1, 0, 2}, c[3] = {1, 1, 1};
    saetm_bow bow = {2, 4, rp, w, c};
    float a[4] = {1, 0, 0, 1};
    saetm_acts acts;
    CHECK(dense_to_acts(ctx, 2, 2, a, &acts) == SAETM_OK);
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    saetm_interp *it = NULL;
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "document 0");
    w[0] = 0, w[1] = 1;
    bow.rows = 1;
    bow.row_ptr = rp;
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_ERR_SHAPE);
    bow.rows = 2;
    o.pi = 1.0;
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "pi");
    saetm_interp_opts_default(&o);
    o.accel = (saetm_em_accel)7;
    CHECK(saetm_interp_opts_check(&o) && strstr(saetm_interp_opts_check(&o), "accel"));
    saetm_interp_opts_default(&o);
    o.stable_top = 101;
    CHECK(saetm_interp_opts_check(&o) && strstr(saetm_interp_opts_check(&o), "stable_top"));
    o.stable_top = 100;
    CHECK(saetm_interp_opts_check(&o) == NULL);
    saetm_interp_opts_default(&o);
    o.pi = 1.0;
    o.pi = 0.3;
    o.idf_power = 0;
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "idf_power");
    o.idf_power = 1;
    c[2] = 0;
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "zero count");
    CHECK(it == NULL);
    CHECK(saetm_interp_load(ctx, "/nonexistent/x.sti", &it) == SAETM_ERR_IO);
    c[2] = 1;
    saetm_ctx_set_mem_limit(ctx, 1000); /* far too little: refused up front, naming the stage */
    CHECK(saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it) == SAETM_ERR_NOMEM);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "interpret needs about");
    saetm_interp_free(NULL);
    saetm_acts_free(&acts);
    saetm_ctx_free(ctx);
}

/* ---- driver for the Python cross-check ---------------------------------------------------- */

static int em_driver(const char *dir)
{
    char path[4096];
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_matrix counts, a;
    snprintf(path, sizeof path, "%s/counts.npy", dir);
    if (saetm_npy_load(ctx, path, &counts)) return fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx)), 1;
    snprintf(path, sizeof path, "%s/acts.npy", dir);
    if (saetm_npy_load(ctx, path, &a)) return fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx)), 1;
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    snprintf(path, sizeof path, "%s/opts.txt", dir);
    FILE *f = fopen(path, "r");
    int bg = 0;
    if (!f || fscanf(f, "%lf %d %d %d %lf %lf %u", &o.pi, &o.learn_pi, &bg, &o.idf, &o.smooth, &o.tol, &o.max_iter) != 7)
        return fprintf(stderr, "bad %s\n", path), 1;
    fclose(f);
    o.background = bg ? SAETM_BACKGROUND_UNIGRAM : SAETM_BACKGROUND_LEARNED;
    saetm_bow bow;
    dense_to_bow(counts.rows, (uint32_t)counts.cols, counts.data, &bow);
    saetm_acts acts;
    saetm_interp *it = NULL;
    if (dense_to_acts(ctx, a.rows, (uint32_t)a.cols, a.data, &acts) ||
        saetm_interp_fit(ctx, &acts, &bow, NULL, &o, &it))
        return fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx)), 1;
    uint32_t F = saetm_interp_num_features(it), V = saetm_interp_vocab_size(it);
    float *phi = malloc((size_t)F * V * sizeof *phi);
    for (uint32_t j = 0; j < F; j++) saetm_interp_phi_row(it, j, phi + (size_t)j * V);
    snprintf(path, sizeof path, "%s/phi.npy", dir);
    int rc = saetm_npy_save(ctx, path, phi, F, V) != SAETM_OK;
    snprintf(path, sizeof path, "%s/p0.npy", dir);
    rc |= saetm_npy_save(ctx, path, saetm_interp_p0(it), V, 1) != SAETM_OK;
    snprintf(path, sizeof path, "%s/result.txt", dir);
    f = fopen(path, "w");
    fprintf(f, "%.17g %.17g %u\n", saetm_interp_nll(it), saetm_interp_pi(it), saetm_interp_iterations(it));
    fclose(f);
    free(phi);
    saetm_interp_free(it);
    saetm_acts_free(&acts);
    free_bow(&bow);
    saetm_matrix_free(&counts);
    saetm_matrix_free(&a);
    saetm_ctx_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--em-driver") == 0) return em_driver(argv[2]);
    RUN(test_planted_recovery);
    RUN(test_nll_is_objective);
    RUN(test_threads_and_round_trip);
    RUN(test_learn_pi);
    RUN(test_refusals);
    RUN(test_squarem);
    return TEST_REPORT();
}
