/*
 * test_sae.c - SAE training and encoding through the public API: recovery of planted directions,
 * checkpoint/resume equality, identical bytes on 1 and 2 threads, save/load round trip,
 * the data start (--init data), configuration checks, encoding rules and refusals of bad input.
 */
#include "saetm.h"
#include "test.h"

#include <stdint.h>

/* ---- helpers ------------------------------------------------------------------------------ */

static uint64_t rng_state;
static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) * 0x1.0p-53;
}
static double nrand(void)
{
    double u = urand(), v = urand();
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* N rows = sparse non-negative combinations (k of F0 planted unit directions) + noise. */
static float *planted(uint64_t seed, uint32_t N, uint32_t d, uint32_t F0, uint32_t k, float noise, float **dirs)
{
    rng_state = seed;
    float *D = malloc((size_t)F0 * d * sizeof *D), *X = calloc((size_t)N * d, sizeof *X);
    for (uint32_t f = 0; f < F0; f++) {
        double s = 0.0;
        for (uint32_t j = 0; j < d; j++) {
            D[(size_t)f * d + j] = (float)nrand();
            s += (double)D[(size_t)f * d + j] * D[(size_t)f * d + j];
        }
        for (uint32_t j = 0; j < d; j++) D[(size_t)f * d + j] /= (float)sqrt(s);
    }
    for (uint32_t i = 0; i < N; i++) {
        for (uint32_t t = 0; t < k; t++) {
            uint32_t f = (uint32_t)(urand() * F0);
            float a = (float)(0.5 + urand());
            for (uint32_t j = 0; j < d; j++) X[(size_t)i * d + j] += a * D[(size_t)f * d + j];
        }
        for (uint32_t j = 0; j < d; j++) X[(size_t)i * d + j] += noise * (float)nrand() + 0.3f;
    }
    if (dirs) *dirs = D;
    else free(D);
    return X;
}

static saetm_matrix view(float *data, uint64_t rows, uint64_t cols)
{
    saetm_matrix m = {rows, cols, data, NULL};
    return m;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

static int same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = read_file(a, &na), *y = read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static void tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", test_tmpdir(), name);
}

static double mean_best_cosine(const saetm_sae *s, const float *D, uint32_t F0)
{
    uint32_t d = saetm_sae_dim(s), F = saetm_sae_features(s);
    const float *W = saetm_sae_decoder(s);
    double total = 0.0;
    for (uint32_t g = 0; g < F0; g++) {
        double best = -1.0;
        for (uint32_t f = 0; f < F; f++) {
            double c = 0.0;
            for (uint32_t j = 0; j < d; j++) c += (double)D[(size_t)g * d + j] * W[(size_t)f * d + j];
            if (c > best) best = c;
        }
        total += best;
    }
    return total / F0;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_config_check(void)
{
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    CHECK(saetm_sae_config_check(&c, 0) == NULL);
    CHECK(saetm_sae_config_check(&c, 512) == NULL);
    CHECK_EQ_INT(c.k, 32);
    CHECK_EQ_INT(c.expansion, 64);
    CHECK_EQ_INT(c.batch, 4096);
    c.k = 0;
    CHECK_CONTAINS(saetm_sae_config_check(&c, 0), "k must");
    saetm_sae_config_default(&c);
    c.lr = -1;
    CHECK_CONTAINS(saetm_sae_config_check(&c, 0), "lr");
    saetm_sae_config_default(&c);
    c.warmup = 1.0;
    CHECK_CONTAINS(saetm_sae_config_check(&c, 0), "warmup");
    saetm_sae_config_default(&c);
    c.checkpoint_every = 10;
    CHECK_CONTAINS(saetm_sae_config_check(&c, 0), "checkpoint_path");
    saetm_sae_config_default(&c);
    c.n_features = 16;
    c.k = 17;
    CHECK_CONTAINS(saetm_sae_config_check(&c, 8), "k must not exceed");
    saetm_sae_config_default(&c);
    c.arch = (saetm_sae_arch)9;
    CHECK(saetm_sae_config_check(&c, 0) != NULL);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_sae_arch a;
    CHECK(saetm_sae_arch_parse(ctx, "jumprelu", &a) == SAETM_OK && a == SAETM_SAE_JUMPRELU);
    CHECK(saetm_sae_arch_parse(ctx, "relu", &a) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "relu-l1");
    CHECK(strcmp(saetm_sae_arch_name(SAETM_SAE_RELU_L1), "relu-l1") == 0);
    saetm_ctx_free(ctx);
}

/* The default architecture recovers the directions the data was made of. */
static void recovery(saetm_sae_arch arch, double min_cos)
{
    const uint32_t N = 3000, d = 24, F0 = 32;
    float *D;
    float *X = planted(42, N, d, F0, 3, 0.01f, &D);
    saetm_matrix x = view(X, N, d);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_ctx_set_threads(ctx, 2);
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.arch = arch;
    c.n_features = 64;
    c.k = 3;
    c.batch = 256;
    c.steps = 500;
    c.lr = 3e-3;
    saetm_sae *s = NULL;
    saetm_status st = saetm_sae_train(ctx, &c, &x, &s);
    CHECK(st == SAETM_OK);
    if (st) fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx));
    if (s) {
        double cos = mean_best_cosine(s, D, F0);
        saetm_sae_stats stats;
        saetm_sae_get_stats(s, &stats);
        fprintf(stderr, "%s: mean best cosine %.4f, fvu %.4f, L0 %.2f\n", saetm_sae_arch_name(arch), cos, stats.fvu,
                stats.mean_l0);
        CHECK(cos >= min_cos);
        CHECK(stats.fvu < 0.2);
        CHECK_EQ_INT(stats.steps, 500);
        /* Decoder rows stay unit norm. */
        const float *W = saetm_sae_decoder(s);
        for (uint32_t f = 0; f < 64; f += 7) {
            double n = 0.0;
            for (uint32_t j = 0; j < d; j++) n += (double)W[(size_t)f * d + j] * W[(size_t)f * d + j];
            CHECK_NEAR(n, 1.0, 1e-5);
        }
        /* Encoding the training rows: the expected sparsity. */
        saetm_acts a;
        CHECK(saetm_sae_encode(ctx, s, &x, &a) == SAETM_OK);
        double l0 = (double)a.row_ptr[a.rows] / (double)a.rows;
        if (arch == SAETM_SAE_TOPK)
            for (uint64_t r = 0; r < a.rows; r++) CHECK(a.row_ptr[r + 1] - a.row_ptr[r] <= 3);
        CHECK(l0 > 1.5 && l0 < 6.0);
        saetm_acts_free(&a);
    }
    saetm_sae_free(s);
    saetm_ctx_free(ctx);
    free(X);
    free(D);
}

static void test_recovery_batchtopk(void) { recovery(SAETM_SAE_BATCHTOPK, 0.9); }
static void test_recovery_topk(void) { recovery(SAETM_SAE_TOPK, 0.9); }
static void test_recovery_relu_l1(void) { recovery(SAETM_SAE_RELU_L1, 0.85); }
static void test_recovery_jumprelu(void) { recovery(SAETM_SAE_JUMPRELU, 0.85); }

typedef struct stop_at {
    uint64_t step;
    int stopped;
} stop_at;

static int stop_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    stop_at *s = user;
    (void)total;
    if (strcmp(stage, "train") == 0 && done >= s->step) {
        s->stopped = 1;
        return 1;
    }
    return 0;
}

static void resume_case(saetm_sae_arch arch)
{
    const uint32_t N = 700, d = 16;
    float *X = planted(7, N, d, 20, 3, 0.02f, NULL);
    saetm_matrix x = view(X, N, d);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.arch = arch;
    c.n_features = 48;
    c.k = 4;
    c.batch = 128;
    c.steps = 17; /* 5 steps per epoch: the checkpoint falls mid-epoch */
    c.dead_samples = 256;
    c.embedder = "test-embedder";
    char full[4096], resumed[4096], ckpt[4096];
    tmp_path(full, sizeof full, "full.saem");
    tmp_path(resumed, sizeof resumed, "resumed.saem");
    tmp_path(ckpt, sizeof ckpt, "run.ckpt");
    saetm_sae *s = NULL;
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_OK);
    if (s) CHECK(saetm_sae_save(ctx, s, full) == SAETM_OK);
    saetm_sae_free(s);
    s = NULL;
    /* Interrupted at step 9 with checkpoints every 4 steps: the checkpoint holds step 8. */
    c.checkpoint_every = 4;
    c.checkpoint_path = ckpt;
    stop_at stop = {9, 0};
    saetm_ctx_set_progress(ctx, stop_progress, &stop);
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_ERR_INTERRUPTED);
    CHECK(stop.stopped && s == NULL);
    saetm_ctx_set_progress(ctx, NULL, NULL);
    /* A checkpoint is not a model. */
    saetm_sae *bad = NULL;
    CHECK(saetm_sae_load(ctx, ckpt, &bad) == SAETM_ERR_FORMAT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "checkpoint");
    /* Resume on other data is refused. */
    X[5] += 1.0f;
    CHECK(saetm_sae_resume(ctx, ckpt, NULL, &x, &s) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "other embeddings");
    X[5] -= 1.0f;
    CHECK(saetm_sae_resume(ctx, ckpt, NULL, &x, &s) == SAETM_OK);
    if (s) {
        CHECK(saetm_sae_save(ctx, s, resumed) == SAETM_OK);
        CHECK(strcmp(saetm_sae_embedder(s), "test-embedder") == 0);
    }
    CHECK(same_file(full, resumed));
    saetm_sae_free(s);
    saetm_ctx_free(ctx);
    free(X);
}

static void test_resume_batchtopk(void) { resume_case(SAETM_SAE_BATCHTOPK); }
static void test_resume_jumprelu(void) { resume_case(SAETM_SAE_JUMPRELU); }

/* Shapes large enough that two threads are really used (see saetm__sae_threads). */
static void threads_case(saetm_sae_arch arch)
{
    const uint32_t N = 1100, d = 128;
    float *X = planted(3, N, d, 64, 4, 0.05f, NULL);
    saetm_matrix x = view(X, N, d);
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.arch = arch;
    c.n_features = 2048;
    c.k = 8;
    c.batch = 512;
    c.steps = 3;
    c.dead_samples = 512; /* the auxiliary loss runs from the first step */
    char p1[4096], p2[4096], a1[4096], a2[4096];
    snprintf(p1, sizeof p1, "%s/t1_%d.saem", test_tmpdir(), (int)arch);
    snprintf(p2, sizeof p2, "%s/t2_%d.saem", test_tmpdir(), (int)arch);
    snprintf(a1, sizeof a1, "%s/t1_%d.sac", test_tmpdir(), (int)arch);
    snprintf(a2, sizeof a2, "%s/t2_%d.sac", test_tmpdir(), (int)arch);
    for (int t = 1; t <= 2; t++) {
        saetm_ctx *ctx = saetm_ctx_create();
        saetm_ctx_set_threads(ctx, t);
        saetm_sae *s = NULL;
        saetm_acts a;
        CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_OK);
        if (s) {
            CHECK(saetm_sae_save(ctx, s, t == 1 ? p1 : p2) == SAETM_OK);
            CHECK(saetm_sae_encode(ctx, s, &x, &a) == SAETM_OK);
            CHECK(saetm_acts_save(ctx, &a, t == 1 ? a1 : a2) == SAETM_OK);
            saetm_acts_free(&a);
        }
        saetm_sae_free(s);
        saetm_ctx_free(ctx);
    }
    CHECK(same_file(p1, p2));
    CHECK(same_file(a1, a2));
    free(X);
}

static void test_threads_batchtopk(void) { threads_case(SAETM_SAE_BATCHTOPK); }
static void test_threads_topk(void) { threads_case(SAETM_SAE_TOPK); }
static void test_threads_jumprelu(void) { threads_case(SAETM_SAE_JUMPRELU); }
static void test_threads_relu_l1(void) { threads_case(SAETM_SAE_RELU_L1); }

static void test_save_load(void)
{
    const uint32_t N = 300, d = 12;
    float *X = planted(5, N, d, 10, 2, 0.02f, NULL);
    saetm_matrix x = view(X, N, d);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.arch = SAETM_SAE_TOPK;
    c.expansion = 3;
    c.k = 2;
    c.batch = 64;
    c.epochs = 2;
    c.embedder = "use-lite-en";
    saetm_sae *s = NULL, *t = NULL;
    char p1[4096], p2[4096];
    tmp_path(p1, sizeof p1, "a.saem");
    tmp_path(p2, sizeof p2, "b.saem");
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_OK);
    if (!s) goto done;
    CHECK_EQ_INT(saetm_sae_features(s), 36);
    CHECK_EQ_INT(saetm_sae_dim(s), 12);
    CHECK_EQ_INT(saetm_sae_k(s), 2);
    CHECK(saetm_sae_get_arch(s) == SAETM_SAE_TOPK);
    saetm_sae_stats st;
    saetm_sae_get_stats(s, &st);
    CHECK_EQ_INT(st.steps, 8); /* 2 epochs of floor(300 / 64) = 4 steps */
    CHECK_EQ_INT(st.rows, 300);
    CHECK(saetm_sae_save(ctx, s, p1) == SAETM_OK);
    CHECK(saetm_sae_load(ctx, p1, &t) == SAETM_OK);
    if (!t) goto done;
    CHECK(saetm_sae_save(ctx, t, p2) == SAETM_OK);
    CHECK(same_file(p1, p2));
    CHECK(strcmp(saetm_sae_embedder(t), "use-lite-en") == 0);
    CHECK(memcmp(saetm_sae_decoder(s), saetm_sae_decoder(t), 36 * 12 * sizeof(float)) == 0);
    CHECK(memcmp(saetm_sae_encoder_bias(s), saetm_sae_encoder_bias(t), 36 * sizeof(float)) == 0);
    saetm_sae_config c2;
    saetm_sae_get_config(t, &c2);
    CHECK(c2.arch == SAETM_SAE_TOPK && c2.k == 2 && c2.batch == 64 && c2.seed == 1 && c2.n_features == 36);
    CHECK(strcmp(c2.embedder, "use-lite-en") == 0);
    /* Identity checks for reuse on another corpus. */
    CHECK(saetm_sae_check_input(ctx, t, "use-lite-en", 12) == SAETM_OK);
    CHECK(saetm_sae_check_input(ctx, t, NULL, 12) == SAETM_OK);
    CHECK(saetm_sae_check_input(ctx, t, "other-model", 12) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "other-model");
    CHECK(saetm_sae_check_input(ctx, t, "use-lite-en", 13) == SAETM_ERR_SHAPE);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "13 columns");
    /* A damaged file is refused. */
    {
        size_t n = 0;
        char *buf = read_file(p1, &n);
        if (buf) {
            buf[n / 2] ^= 0x40;
            FILE *f = fopen(p2, "wb");
            fwrite(buf, 1, n, f);
            fclose(f);
            saetm_sae *u = NULL;
            CHECK(saetm_sae_load(ctx, p2, &u) == SAETM_ERR_CHECKSUM);
            CHECK(u == NULL);
            free(buf);
        }
    }
done:
    saetm_sae_free(s);
    saetm_sae_free(t);
    saetm_sae_free(NULL);
    saetm_ctx_free(ctx);
    free(X);
}

/* Largest |a - b| over n floats. */
static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs((double)a[i] - b[i]) > m) m = fabs((double)a[i] - b[i]);
    return m;
}

/* One step at a negligible learning rate: the decoder is (to 1e-6) where training started. */
static saetm_sae *train_start(saetm_ctx *ctx, const saetm_matrix *x, saetm_sae_init init, uint32_t F, uint64_t seed)
{
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.arch = SAETM_SAE_TOPK;
    c.n_features = F;
    c.k = 2;
    c.batch = 64;
    c.steps = 1;
    c.lr = 1e-12;
    c.init = init;
    c.seed = seed;
    saetm_sae *s = NULL;
    CHECK(saetm_sae_train(ctx, &c, x, &s) == SAETM_OK);
    return s;
}

/* --init data: decoder rows start at the centred training rows (F <= N: rows floor(f N / F)),
 * the same for every seed, distinct when F > N; the seed still moves the trained model; the
 * choice is stored (random files keep their old sections) and compared by config_diff. */
static void test_init_data(void)
{
    const uint32_t N = 300, d = 12;
    float *X = planted(9, N, d, 10, 2, 0.02f, NULL);
    saetm_matrix x = view(X, N, d);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_sae *a = train_start(ctx, &x, SAETM_SAE_INIT_DATA, 24, 1), *b = train_start(ctx, &x, SAETM_SAE_INIT_DATA, 24, 2);
    saetm_sae *r1 = train_start(ctx, &x, SAETM_SAE_INIT_RANDOM, 24, 1), *r2 = train_start(ctx, &x, SAETM_SAE_INIT_RANDOM, 24, 2);
    saetm_sae *wide = train_start(ctx, &x, SAETM_SAE_INIT_DATA, 700, 3);
    if (!a || !b || !r1 || !r2 || !wide) goto done;
    const float *W = saetm_sae_decoder(a), *bd = saetm_sae_decoder_bias(a);
    double worst = 1.0;
    for (uint32_t f = 0; f < 24; f++) {
        const float *row = X + (size_t)f * N / 24 * d;
        double dot = 0.0, nz = 0.0;
        for (uint32_t j = 0; j < d; j++) {
            double z = (double)row[j] - bd[j];
            dot += z * W[(size_t)f * d + j];
            nz += z * z;
        }
        double cosv = dot / sqrt(nz);
        if (cosv < worst) worst = cosv;
    }
    CHECK(worst > 0.9999);
    CHECK(max_abs_diff(saetm_sae_decoder(a), saetm_sae_decoder(b), (size_t)24 * d) < 1e-5);
    CHECK(max_abs_diff(saetm_sae_decoder(r1), saetm_sae_decoder(r2), (size_t)24 * d) > 0.1);
    /* F > N: no two rows start (nearly) equal, though rows N.. reuse the data. */
    const float *Ww = saetm_sae_decoder(wide);
    double most = -1.0;
    for (uint32_t f = 0; f < 700; f++)
        for (uint32_t g = f + 1; g < 700; g++) {
            double c = 0.0;
            for (uint32_t j = 0; j < d; j++) c += (double)Ww[(size_t)f * d + j] * Ww[(size_t)g * d + j];
            if (c > most) most = c;
        }
    CHECK(most < 0.99999);
    /* --init neighbors: row f starts at the normalised mean of the 16 unit centred rows nearest
     * (cosine) to its data start, here recomputed by brute force; the same for every seed. */
    {
        saetm_sae *n1 = train_start(ctx, &x, SAETM_SAE_INIT_NEIGHBORS, 24, 1);
        saetm_sae *n2 = train_start(ctx, &x, SAETM_SAE_INIT_NEIGHBORS, 24, 5);
        if (n1 && n2) {
            CHECK(max_abs_diff(saetm_sae_decoder(n1), saetm_sae_decoder(n2), (size_t)24 * d) < 1e-5);
            const float *Wn = saetm_sae_decoder(n1), *bn = saetm_sae_decoder_bias(n1);
            double *U = malloc((size_t)N * d * sizeof *U);
            for (uint32_t i = 0; i < N; i++) {
                double ss = 0.0;
                for (uint32_t j = 0; j < d; j++) {
                    U[(size_t)i * d + j] = (double)X[(size_t)i * d + j] - bn[j];
                    ss += U[(size_t)i * d + j] * U[(size_t)i * d + j];
                }
                for (uint32_t j = 0; j < d; j++) U[(size_t)i * d + j] /= sqrt(ss);
            }
            double worst_n = 1.0;
            for (uint32_t f = 0; f < 24; f++) {
                const double *anchor = U + (size_t)f * N / 24 * d;
                double sim[300];
                int used[300] = {0};
                for (uint32_t i = 0; i < N; i++) {
                    sim[i] = 0.0;
                    for (uint32_t j = 0; j < d; j++) sim[i] += anchor[j] * U[(size_t)i * d + j];
                }
                double mean[12] = {0}, nn = 0.0, dot = 0.0;
                for (int q = 0; q < 16; q++) {
                    int bi = -1;
                    for (uint32_t i = 0; i < N; i++)
                        if (!used[i] && (bi < 0 || sim[i] > sim[bi])) bi = (int)i;
                    used[bi] = 1;
                    for (uint32_t j = 0; j < d; j++) mean[j] += U[(size_t)bi * d + j];
                }
                for (uint32_t j = 0; j < d; j++) {
                    nn += mean[j] * mean[j];
                    dot += mean[j] * Wn[(size_t)f * d + j];
                }
                if (dot / sqrt(nn) < worst_n) worst_n = dot / sqrt(nn);
            }
            CHECK(worst_n > 0.9999);
            /* and it is not the single-row start */
            CHECK(max_abs_diff(saetm_sae_decoder(n1), saetm_sae_decoder(a), (size_t)24 * d) > 0.01);
            free(U);
        }
        saetm_sae_free(n1);
        saetm_sae_free(n2);
    }
    /* The seed still matters: the batch order differs. */
    {
        saetm_sae_config c;
        saetm_sae_config_default(&c);
        c.arch = SAETM_SAE_TOPK;
        c.n_features = 24;
        c.k = 2;
        c.batch = 64;
        c.steps = 40;
        c.init = SAETM_SAE_INIT_DATA;
        saetm_sae *s1 = NULL, *s2 = NULL;
        CHECK(saetm_sae_train(ctx, &c, &x, &s1) == SAETM_OK);
        c.seed = 2;
        CHECK(saetm_sae_train(ctx, &c, &x, &s2) == SAETM_OK);
        if (s1 && s2) CHECK(max_abs_diff(saetm_sae_decoder(s1), saetm_sae_decoder(s2), (size_t)24 * d) > 1e-4);
        saetm_sae_free(s1);
        saetm_sae_free(s2);
    }
    /* Stored: round trip, and the section exists only for the data start. */
    {
        char p1[4096], p2[4096];
        tmp_path(p1, sizeof p1, "init_data.saem");
        tmp_path(p2, sizeof p2, "init_random.saem");
        CHECK(saetm_sae_save(ctx, a, p1) == SAETM_OK);
        CHECK(saetm_sae_save(ctx, r1, p2) == SAETM_OK);
        saetm_sae *t = NULL;
        CHECK(saetm_sae_load(ctx, p1, &t) == SAETM_OK);
        saetm_sae_config ca, cr;
        if (t) {
            saetm_sae_get_config(t, &ca);
            CHECK(ca.init == SAETM_SAE_INIT_DATA);
        }
        saetm_sae_get_config(r1, &cr);
        CHECK(cr.init == SAETM_SAE_INIT_RANDOM);
        cr.seed = ca.seed;
        CHECK(t && strcmp(saetm_sae_config_diff(&ca, &cr, d), "init") == 0);
        size_t n1 = 0, n2 = 0;
        char *f1 = read_file(p1, &n1), *f2 = read_file(p2, &n2);
        CHECK(f1 && memmem(f1, n1, "config_init", 11) != NULL);
        CHECK(f2 && memmem(f2, n2, "config_init", 11) == NULL);
        free(f1);
        free(f2);
        saetm_sae_free(t);
    }
    saetm_sae_init in;
    CHECK(saetm_sae_init_parse(ctx, "data", &in) == SAETM_OK && in == SAETM_SAE_INIT_DATA);
    CHECK(saetm_sae_init_parse(ctx, "pca", &in) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "random, data or neighbors");
    CHECK(strcmp(saetm_sae_init_name(SAETM_SAE_INIT_RANDOM), "random") == 0);
    {
        saetm_sae_config c;
        saetm_sae_config_default(&c);
        CHECK(c.init == SAETM_SAE_INIT_RANDOM);
        c.init = (saetm_sae_init)7;
        CHECK_CONTAINS(saetm_sae_config_check(&c, 0), "init");
    }
done:
    saetm_sae_free(a);
    saetm_sae_free(b);
    saetm_sae_free(r1);
    saetm_sae_free(r2);
    saetm_sae_free(wide);
    saetm_ctx_free(ctx);
    free(X);
}

static void test_bad_input(void)
{
    const uint32_t N = 200, d = 8;
    float *X = planted(9, N, d, 6, 2, 0.02f, NULL);
    saetm_matrix x = view(X, N, d);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.n_features = 16;
    c.k = 2;
    c.steps = 2;
    saetm_sae *s = NULL;
    X[3 * d + 2] = NAN;
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "row 3");
    X[3 * d + 2] = 0.5f;
    c.k = 0;
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_ERR_ARG);
    c.k = 2;
    c.n_features = 0;
    c.expansion = 1; /* F = 8 */
    c.k = 9;
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "k must not exceed");
    c.k = 2;
    /* Identical rows cannot be trained on. */
    float *same = calloc((size_t)N * d, sizeof(float));
    saetm_matrix xs = view(same, N, d);
    CHECK(saetm_sae_train(ctx, &c, &xs, &s) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "identical");
    free(same);
    /* batch larger than the data is clamped. */
    c.batch = 100000;
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_OK);
    if (s) {
        saetm_acts a;
        saetm_matrix wrong = view(X, N / 2, d * 2);
        CHECK(saetm_sae_encode(ctx, s, &wrong, &a) == SAETM_ERR_SHAPE);
        X[7 * d] = INFINITY;
        CHECK(saetm_sae_encode(ctx, s, &x, &a) == SAETM_ERR_INPUT);
        CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "row 7");
        X[7 * d] = 0.0f;
        saetm_matrix empty = view(X, 0, d);
        CHECK(saetm_sae_encode(ctx, s, &empty, &a) == SAETM_OK);
        CHECK_EQ_INT(a.rows, 0);
        saetm_acts_free(&a);
    }
    saetm_sae_free(s);
    saetm_ctx_free(ctx);
    free(X);
}

/* Per-epoch report lines go through the log callback. */
typedef struct log_capture {
    int epochs;
    char last[512];
} log_capture;

static void capture(void *user, saetm_log_level level, const char *msg)
{
    log_capture *c = user;
    (void)level;
    if (strncmp(msg, "epoch ", 6) == 0) {
        c->epochs++;
        snprintf(c->last, sizeof c->last, "%s", msg);
    }
}

static void test_epoch_report(void)
{
    const uint32_t N = 256, d = 8;
    float *X = planted(11, N, d, 8, 2, 0.02f, NULL);
    saetm_matrix x = view(X, N, d);
    saetm_ctx *ctx = saetm_ctx_create();
    log_capture cap = {0, ""};
    saetm_ctx_set_log(ctx, capture, &cap, SAETM_LOG_INFO);
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.n_features = 16;
    c.k = 2;
    c.batch = 64;
    c.epochs = 3;
    saetm_sae *s = NULL;
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_OK);
    CHECK_EQ_INT(cap.epochs, 3);
    CHECK_CONTAINS(cap.last, "mse");
    CHECK_CONTAINS(cap.last, "fvu");
    CHECK_CONTAINS(cap.last, "L0");
    CHECK_CONTAINS(cap.last, "dead");
    saetm_sae_free(s);
    saetm_ctx_free(ctx);
    free(X);
}

int main(void)
{
    RUN(test_config_check);
    RUN(test_recovery_batchtopk);
    RUN(test_recovery_topk);
    RUN(test_recovery_relu_l1);
    RUN(test_recovery_jumprelu);
    RUN(test_resume_batchtopk);
    RUN(test_resume_jumprelu);
    RUN(test_threads_batchtopk);
    RUN(test_threads_topk);
    RUN(test_threads_jumprelu);
    RUN(test_threads_relu_l1);
    RUN(test_save_load);
    RUN(test_init_data);
    RUN(test_bad_input);
    RUN(test_epoch_report);
    return TEST_REPORT();
}
