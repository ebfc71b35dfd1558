/*
 * embed_speed.c - speed of the built-in embedder against the bound set by its matrix products,
 * and against the JavaScript reference (numbers passed in by bench/bench_embed.sh, which runs the
 * reference in the same script run).
 *
 *   embed_speed MODEL SENTENCES.jsonl REF.npy REF_DOCS_PER_S REF_PEAK_MB [REF_STRIDE]
 * (row i of REF.npy is sentence i * REF_STRIDE; default 1)
 *
 * Prints sentences/s of saetm and of the reference, their ratio, the bound (all the model's
 * matrix-product flops for these sentences at the sgemm rate measured here, with the same
 * threads, on the model's own shapes), saetm's distance to that bound, agreement with the
 * reference's embeddings, and peak memory.
 */
#include "saetm.h"

#include <cJSON.h>
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The network's dense layers as (K, N) pairs applied to every token (docs/EMBED.md). */
static const int DENSE[][2] = {{256, 768}, {256, 512}, {256, 512}, {512, 1536}, {1536, 512},
                               {512, 1536}, {512, 512}, {512, 1536}, {1536, 512}};
#define N_DENSE (sizeof DENSE / sizeof DENSE[0])

/* sgemm rate (flop/s) with `threads` threads, each running single-threaded sgemm on its own
 * 1024-token batch through the network's dense shapes: the way the embedder calls it. */
static double sgemm_rate(int threads, double *per_cpu_s)
{
    const int M = 1024;
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        double flops = 0, t0 = now(), c0 = cpu_now();
#pragma omp parallel num_threads(threads < 2 ? 2 : threads) reduction(+ : flops)
        {
            if (omp_get_thread_num() < threads) {
                float *a = calloc((size_t)M * 1536, sizeof(float)), *b = calloc((size_t)1536 * 1536, sizeof(float));
                float *c = calloc((size_t)M * 1536, sizeof(float));
                for (size_t i = 0; i < (size_t)M * 1536; i++) a[i] = (float)(i % 13) * 0.01f;
                for (size_t i = 0; i < (size_t)1536 * 1536; i++) b[i] = (float)(i % 7) * 0.01f;
                for (int k = 0; k < 4; k++)
                    for (size_t l = 0; l < N_DENSE; l++) {
                        int K = DENSE[l][0], N = DENSE[l][1];
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N);
                        flops += 2.0 * M * K * N;
                    }
                free(a);
                free(b);
                free(c);
            }
        }
        double r = flops / (now() - t0), rc = flops / (cpu_now() - c0);
        if (r > best) best = r;
        if (rc > *per_cpu_s) *per_cpu_s = rc;
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: embed_speed MODEL SENTENCES.jsonl REF.npy REF_DOCS_PER_S REF_PEAK_MB [REF_STRIDE]\n");
        return 2;
    }
    const uint64_t stride = argc == 7 && atoi(argv[6]) > 0 ? (uint64_t)atoi(argv[6]) : 1;
    const double ref_rate = atof(argv[4]), ref_peak = atof(argv[5]);
    saetm_ctx *ctx = saetm_ctx_create();
    const int threads = saetm_ctx_threads(ctx);
    saetm_embedder *e;
    if (saetm_embedder_load(ctx, argv[1], &e)) {
        fprintf(stderr, "embed_speed: %s\n", saetm_ctx_errmsg(ctx));
        return 1;
    }
    /* sentences */
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 1; }
    size_t cap = 0, n = 0;
    char **texts = NULL, *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *t = cJSON_GetObjectItem(o, "text");
        if (cJSON_IsString(t)) {
            if (n == cap) texts = realloc(texts, (cap = cap ? 2 * cap : 1024) * sizeof *texts);
            texts[n++] = strdup(t->valuestring);
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);

    /* flops of the matrix products, from the token counts */
    double flops = 0, tokens = 0;
    double per_token = 0;
    for (size_t l = 0; l < N_DENSE; l++) per_token += 2.0 * DENSE[l][0] * DENSE[l][1];
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        saetm_embed_tokenize(ctx, e, texts[i], strlen(texts[i]), NULL, 0, &k);
        double t = (double)(k < 128 ? k : 128);
        tokens += t;
        flops += t * per_token + 4.0 * t * t * (256 + 512) + 2.0 * 512 * 512;
    }

    float *out = malloc(n * 512 * sizeof *out);
    saetm_embed_texts(ctx, e, (const char *const *)texts, NULL, n < 64 ? n : 64, out); /* warm-up */
    double rate_cpu = 0;
    double rate = sgemm_rate(threads, &rate_cpu);
    double t0 = now(), c0 = cpu_now();
    saetm_status st = saetm_embed_texts(ctx, e, (const char *const *)texts, NULL, n, out);
    double secs = now() - t0, cpu_secs = cpu_now() - c0;
    double rate_after = sgemm_rate(threads, &rate_cpu);
    if (st) {
        fprintf(stderr, "embed_speed: %s\n", saetm_ctx_errmsg(ctx));
        return 1;
    }
    if (rate_after > rate) rate = rate_after;
    double ours = (double)n / secs, bound = (double)n / (flops / rate);

    /* agreement with the reference rows that exist */
    saetm_matrix ref;
    double maxabs = 0, mincos = 1;
    uint64_t nref = 0;
    if (saetm_npy_load(ctx, argv[3], &ref) == SAETM_OK && ref.cols == 512) {
        nref = ref.rows;
        while (nref > 0 && (nref - 1) * stride >= n) nref--;
        for (uint64_t i = 0; i < nref; i++) {
            double dot = 0;
            const float *o = out + i * stride * 512, *r = ref.data + i * 512;
            for (int j = 0; j < 512; j++) {
                double d = fabs((double)o[j] - r[j]);
                if (d > maxabs) maxabs = d;
                dot += (double)o[j] * r[j];
            }
            if (dot < mincos) mincos = dot;
        }
        saetm_matrix_free(&ref);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("embed benchmark: %zu real sentences (State of the Union), %.1f tokens each on average, %d threads\n",
           n, tokens / (double)n, threads);
    printf("  reference (TF.js wasm)   %10.1f sentences/s   peak RSS %6.0f MB\n", ref_rate, ref_peak);
    printf("  saetm                    %10.1f sentences/s   peak RSS %6.0f MB   (%.2f s)\n", ours,
           (double)ru.ru_maxrss / 1024.0, secs);
    printf("  speed-up vs reference    %10.2fx   (target >= 5x)\n", ref_rate > 0 ? ours / ref_rate : 0.0);
    printf("  sgemm rate (measured)    %10.1f GFLOP/s on the model's shapes, %.2f GFLOP of matrix products\n",
           rate / 1e9, flops / 1e9);
    printf("  bound (matrix products)  %10.1f sentences/s;  saetm is %.2fx from it (target <= 1.6x)\n", bound,
           bound / ours);
    /* The machine is shared: the same comparison per CPU-second is less sensitive to other load. */
    printf("  per CPU-second           saetm %.1f sentences, bound %.1f: %.2fx from it\n", (double)n / cpu_secs,
           (double)n / (flops / rate_cpu), ((double)n / (flops / rate_cpu)) / ((double)n / cpu_secs));
    double la[3] = {0, 0, 0};
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (fscanf(lf, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3) la[0] = -1;
        fclose(lf);
    }
    printf("  machine load average     %.2f (other processes slow both sides)\n", la[0]);
    printf("  vs reference embeddings  max abs diff %.3g, min cosine %.7f over %llu rows\n", maxabs, mincos,
           (unsigned long long)nref);
    for (size_t i = 0; i < n; i++) free(texts[i]);
    free(texts);
    free(out);
    saetm_embedder_free(e);
    saetm_ctx_free(ctx);
    return 0;
}
