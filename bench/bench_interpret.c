/*
 * bench_interpret.c - feature interpretation: saetm's EM against the reference method (phi =
 * softmax(B) fitted by AdamW, lr 1e-2, batch 1024, in numpy: bench/interpret_adam.py), side by side
 * on the same machine and the same synthetic problem, fixed pi = 0.3 and the IDF-weighted unigram
 * background (the objective both fit).
 *
 *  1. medium problem (N 10k, V 5k, F 2k, k 32): Adam runs all its 50 epochs; the ratio is Adam's
 *     time over the time EM takes to reach Adam's final NLL (measured at each EM iteration).
 *  2. the problem (N 100k, V 20k, F 32k, k 32): a full Adam run would take hours, so its time
 *     is an ESTIMATE: one step's dense work timed on 2048 of the F rows and scaled by F/2048, plus the
 *     step's sparse work timed in full, times the steps of 50 epochs. EM's time is to full convergence
 *     (tol 1e-6), an upper bound on the time to reach Adam's final NLL, which cannot be lower than
 *     the optimum EM converges to (the objective is convex in phi; problem 1 and
 *     tests/interpret/test_em_vs_adam.py check that Adam stays above EM).
 * Usage: bench_interpret [--quick | --large]  (--quick: problem 1 only, 10 epochs; --large: problems 2
 *        and 3 only).
 * Environment: SAETM_BENCH_TMP (scratch directory, default /tmp), PY (default /usr/bin/python3).
 */
#include "saetm.h"
#include "saetm_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

typedef struct problem {
    uint64_t n;
    uint32_t v, f, k;
    uint64_t *bp;
    uint32_t *bw, *bc;
    saetm_acts acts;
} problem;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* First index i with cdf[i] > u (cdf ascending, last entry 1). */
static uint32_t draw_cdf(const double *cdf, uint32_t n, double u)
{
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (cdf[mid] > u) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* Documents mix k features (popularity ~ 1/(f+10)^0.8), each owning 40 words (Zipf inside), plus
 * 30% tokens from a Zipf background over the vocabulary; 50-150 tokens per document. */
static void generate(problem *P, uint64_t n, uint32_t v, uint32_t f, uint32_t k, uint64_t seed)
{
    enum { S = 40 };
    P->n = n, P->v = v, P->f = f, P->k = k;
    double *fc = malloc((size_t)f * sizeof *fc), *bcdf = malloc((size_t)v * sizeof *bcdf), acc = 0;
    for (uint32_t i = 0; i < f; i++) fc[i] = (acc += pow(i + 10.0, -0.8));
    for (uint32_t i = 0; i < f; i++) fc[i] /= acc;
    acc = 0;
    for (uint32_t i = 0; i < v; i++) bcdf[i] = (acc += 1.0 / (i + 1.0));
    for (uint32_t i = 0; i < v; i++) bcdf[i] /= acc;
    double scdf[S];
    acc = 0;
    for (int j = 0; j < S; j++) scdf[j] = (acc += 1.0 / (j + 1.0));
    for (int j = 0; j < S; j++) scdf[j] /= acc;
    uint64_t *ap = calloc(n + 1, sizeof *ap);
    uint32_t *ai = malloc(n * k * sizeof *ai);
    float *av = malloc(n * k * sizeof *av);
    uint32_t **words = malloc(n * sizeof *words);
    uint32_t *len = malloc(n * sizeof *len);
    uint64_t nnz = 0;
#pragma omp parallel for schedule(dynamic, 256) reduction(+ : nnz)
    for (int64_t di = 0; di < (int64_t)n; di++) {
        uint64_t d = (uint64_t)di;
        saetm__rng r;
        saetm__rng_init(&r, seed, 77, d);
        uint32_t *fs = ai + d * k;
        float *a = av + d * k;
        double th[64], ts = 0;
        for (uint32_t j = 0; j < k; j++) {
            uint32_t x;
            int dup;
            do {
                x = draw_cdf(fc, f, saetm__rng_uniform(&r));
                dup = 0;
                for (uint32_t i = 0; i < j; i++) dup |= fs[i] == x;
            } while (dup);
            fs[j] = x;
        }
        qsort(fs, k, sizeof *fs, cmp_u32);
        for (uint32_t j = 0; j < k; j++) ts += th[j] = 0.1 - log(1.0 - saetm__rng_uniform(&r));
        for (uint32_t j = 0; j < k; j++) a[j] = (float)th[j];
        uint32_t L = 50 + (uint32_t)saetm__rng_below(&r, 101);
        uint32_t *w = malloc(L * sizeof *w);
        for (uint32_t t = 0; t < L; t++) {
            double u = saetm__rng_uniform(&r);
            if (u < 0.3) {
                w[t] = draw_cdf(bcdf, v, saetm__rng_uniform(&r));
            } else {
                double u2 = saetm__rng_uniform(&r) * ts, c = 0;
                uint32_t j = 0;
                while (j + 1 < k && (c += th[j]) < u2) j++;
                double u3 = saetm__rng_uniform(&r);
                int s = 0;
                while (s + 1 < S && scdf[s] < u3) s++;
                w[t] = (uint32_t)(saetm__mix64(((uint64_t)fs[j] << 8) ^ (uint64_t)s ^ seed) % v);
            }
        }
        qsort(w, L, sizeof *w, cmp_u32);
        uint32_t u = 0;
        for (uint32_t t = 0; t < L; t++) u += t == 0 || w[t] != w[t - 1];
        words[d] = w;
        len[d] = L;
        nnz += u;
    }
    P->bp = calloc(n + 1, sizeof *P->bp);
    P->bw = malloc(nnz * sizeof *P->bw);
    P->bc = malloc(nnz * sizeof *P->bc);
    uint64_t at = 0;
    for (uint64_t d = 0; d < n; d++) {
        for (uint32_t t = 0; t < len[d]; t++) {
            if (t && words[d][t] == words[d][t - 1]) P->bc[at - 1]++;
            else P->bw[at] = words[d][t], P->bc[at++] = 1;
        }
        P->bp[d + 1] = at;
        free(words[d]);
        ap[d + 1] = (d + 1) * k;
    }
    saetm_ctx *ctx = saetm_ctx_create();
    if (saetm_acts_from_csr(ctx, n, f, ap, ai, av, &P->acts)) fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx)), exit(1);
    saetm_ctx_free(ctx);
    free(words), free(len), free(ap), free(ai), free(av), free(fc), free(bcdf);
}

static void write_raw(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) fprintf(stderr, "cannot write %s\n", path), exit(1);
    fclose(f);
}

static void write_problem(const problem *P, const char *dir)
{
    mkdir(dir, 0777);
    char meta[256];
    snprintf(meta, sizeof meta, "%llu %u %u 0.3\n", (unsigned long long)P->n, P->v, P->f);
    write_raw(dir, "meta.txt", meta, strlen(meta));
    uint64_t nnz = P->bp[P->n], na = P->acts.row_ptr[P->n];
    write_raw(dir, "bow_ptr.u64", P->bp, (P->n + 1) * 8);
    write_raw(dir, "bow_word.u32", P->bw, nnz * 4);
    write_raw(dir, "bow_count.u32", P->bc, nnz * 4);
    write_raw(dir, "act_ptr.u64", P->acts.row_ptr, (P->n + 1) * 8);
    write_raw(dir, "act_idx.u32", P->acts.idx, na * 4);
    write_raw(dir, "act_val.f32", P->acts.val, na * 4);
}

/* Run the Python side; @return the value of `key` in its output (NAN if missing). */
static double run_python(const char *args, const char *key, char *out, size_t cap)
{
    const char *py = getenv("PY") ? getenv("PY") : "/usr/bin/python3";
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s bench/interpret_adam.py %s", py, args);
    FILE *p = popen(cmd, "r");
    if (!p) return NAN;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    pclose(p);
    const char *at = strstr(out, key);
    return at ? atof(at + strlen(key)) : NAN;
}

/* Iteration timestamps from the progress callback (called before each M-step). */
typedef struct clock_rec {
    double t0, *t;
    uint32_t cap;
} clock_rec;

static int on_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    clock_rec *c = user;
    (void)total;
    if (strcmp(stage, "interpret") == 0 && done >= 1 && done <= c->cap) c->t[done - 1] = now() - c->t0;
    return 0;
}

static saetm_interp *run_em(const problem *P, clock_rec *clk, double *secs)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_ctx_set_progress(ctx, on_progress, clk);
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    o.background = SAETM_BACKGROUND_UNIGRAM;
    o.max_iter = clk->cap - 1;
    saetm_bow bow = {P->n, P->v, P->bp, P->bw, P->bc};
    saetm_interp *it = NULL;
    clk->t0 = now();
    if (saetm_interp_fit(ctx, &P->acts, &bow, NULL, &o, &it)) fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx)), exit(1);
    *secs = now() - clk->t0;
    saetm_ctx_free(ctx);
    return it;
}

/* NLL after each EM update, from the .sti history (entry i: after i updates). */
static const double *history(saetm_interp *it, const char *dir, saetm__creader *r)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/em.sti", dir);
    saetm_ctx *ctx = saetm_ctx_create();
    const void *h = NULL;
    if (saetm_interp_save(ctx, it, path) || saetm__cr_open(ctx, path, "SAETMINT", 1, r) ||
        saetm__cr_get(ctx, r, "nll_hist", SAETM__F64, &h, NULL, NULL))
        fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx)), exit(1);
    saetm_ctx_free(ctx);
    return h;
}

static void free_problem(problem *P)
{
    free(P->bp), free(P->bw), free(P->bc);
    saetm_acts_free(&P->acts);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0, large = argc > 1 && strcmp(argv[1], "--large") == 0;
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines appear as they are measured, even into a file */
    const char *tmp = getenv("SAETM_BENCH_TMP") ? getenv("SAETM_BENCH_TMP") : "/tmp";
    char dir[4096], args[8192], out[8192];
    saetm_ctx *c0 = saetm_ctx_create();
    int threads = saetm_ctx_threads(c0);
    saetm_ctx_free(c0);
    printf("interpretation: saetm EM (%d threads) vs the reference AdamW fit (numpy, batch 1024, lr 1e-2)\n", threads);

    problem P;
    clock_rec clk = {0, calloc(2001, sizeof(double)), 2001};
    double em_secs;
    saetm_interp *it;
    if (large) goto problem2;

    /* 1. Medium problem, both run in full. */
    int epochs = quick ? 10 : 50;
    generate(&P, 10000, 5000, 2048, 32, 1);
    snprintf(dir, sizeof dir, "%s/saetm-bench-interp-m", tmp);
    write_problem(&P, dir);
    snprintf(args, sizeof args, "full %s %d", dir, epochs);
    double adam_nll = run_python(args, "final_nll ", out, sizeof out);
    const char *s = strstr(out, "\nseconds ");
    double adam_secs = s ? atof(s + 9) : NAN;
    it = run_em(&P, &clk, &em_secs);
    saetm__creader r;
    const double *h = history(it, dir, &r);
    uint32_t iters = saetm_interp_iterations(it), hit = UINT32_MAX;
    for (uint32_t i = 0; i <= iters && hit == UINT32_MAX; i++)
        if (h[i] <= adam_nll) hit = i;
    double t_hit = hit == UINT32_MAX ? NAN : hit < iters ? clk.t[hit] : em_secs;
    printf("\n1. N=%llu V=%u F=%u k=%u (%llu bag-of-words entries), Adam run in full:\n", (unsigned long long)P.n, P.v,
           P.f, P.k, (unsigned long long)P.bp[P.n]);
    printf("   %-34s %10s %12s\n", "", "NLL", "seconds");
    printf("   %-34s %10.6f %12.2f   (%d epochs, batch assembly not timed)\n", "AdamW (reference recipe)", adam_nll,
           adam_secs, epochs);
    printf("   %-34s %10.6f %12.2f   (%u iterations, tol 1e-6)\n", "saetm EM, converged", saetm_interp_nll(it),
           em_secs, iters);
    printf("   %-34s %10.6f %12.2f   (iteration %u)\n", "saetm EM, first at Adam's NLL", hit == UINT32_MAX ? NAN : h[hit],
           t_hit, hit);
    printf("   speed-up (time to Adam's final NLL): %.0fx\n", adam_secs / t_hit);
    saetm__cr_close(&r);
    saetm_interp_free(it);
    free_problem(&P);
    if (quick) {
        free(clk.t);
        return 0;
    }

problem2:
    /* 2. The problem: Adam's time estimated, EM run to convergence. */
    generate(&P, 100000, 20000, 32768, 32, 2);
    snprintf(dir, sizeof dir, "%s/saetm-bench-interp-l", tmp);
    write_problem(&P, dir);
    snprintf(args, sizeof args, "estimate %s 2048", dir);
    double epoch = run_python(args, "epoch_seconds ", out, sizeof out);
    const char *sub = strstr(out, "step_seconds_rows "), *sp = strstr(out, "sparse_seconds ");
    double t_rows = sub ? atof(sub + 18) : NAN, t_sparse = sp ? atof(sp + 15) : NAN;
    it = run_em(&P, &clk, &em_secs);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\n2. N=%llu V=%u F=%u k=%u (%llu bag-of-words entries):\n", (unsigned long long)P.n, P.v, P.f, P.k,
           (unsigned long long)P.bp[P.n]);
    printf("   saetm EM: converged in %.1f s (%u iterations, NLL %.6f), peak RSS %.2f GB\n", em_secs,
           saetm_interp_iterations(it), saetm_interp_nll(it), (double)ru.ru_maxrss / 1e6);
    printf("   AdamW: ESTIMATED %.0f s per epoch (a step on 2048 of %u rows took %.3f s, its sparse part %.3f s;\n"
           "          dense part scaled by %u/2048), %.0f s = %.1f h for 50 epochs\n",
           epoch, P.f, t_rows, t_sparse, P.f, 50 * epoch, 50 * epoch / 3600);
    printf("   speed-up (Adam's 50 epochs, estimated, vs EM to convergence): %.0fx\n", 50 * epoch / em_secs);

    /* 3. Merging these F features into topics: seconds, the point of re-merging at will. */
    printf("\n3. merging the %u features of problem 2 into K topics (saetm topics), seconds:\n", P.f);
    printf("   %-36s %8s %8s %8s\n", "", "K=20", "K=50", "K=100");
    uint32_t D = 512, ks[3] = {20, 50, 100};
    float *wv = malloc((size_t)P.v * D * sizeof *wv); /* random word vectors stand in for the embedder's */
    saetm__rng r2;
    saetm__rng_init(&r2, 9, 1, 0);
    for (size_t i = 0; i < (size_t)P.v * D; i++) wv[i] = (float)saetm__rng_normal(&r2);
    saetm_matrix words = {P.v, D, wv, NULL};
    const struct {
        const char *name;
        saetm_space space;
        saetm_merge_method method;
    } runs[] = {{"k-means, hellinger", SAETM_SPACE_HELLINGER, SAETM_MERGE_KMEANS},
                {"k-means, words (512-d)", SAETM_SPACE_WORDS, SAETM_MERGE_KMEANS},
                {"agglomerative ward, words (512-d)", SAETM_SPACE_WORDS, SAETM_MERGE_WARD},
                {"co-activation (spectral)", SAETM_SPACE_HELLINGER, SAETM_MERGE_COACT}};
    saetm_ctx *tc = saetm_ctx_create();
    for (size_t ri = 0; ri < sizeof runs / sizeof runs[0]; ri++) {
        printf("   %-36s", runs[ri].name);
        for (int ki = 0; ki < 3; ki++) {
            saetm_topics_opts to;
            saetm_topics_opts_default(&to);
            to.k = ks[ki];
            to.space = runs[ri].space;
            to.method = runs[ri].method;
            saetm_topics *tp = NULL;
            double t0 = now();
            saetm_status tst = saetm_topics_build(tc, it, to.space == SAETM_SPACE_WORDS ? &words : NULL, &to, &tp);
            printf(" %8.2f", tst ? NAN : now() - t0);
            fflush(stdout);
            saetm_topics_free(tp);
        }
        printf("\n");
    }
    saetm_ctx_free(tc);
    free(wv);
    saetm_interp_free(it);
    free_problem(&P);
    free(clk.t);
    return 0;
}
