/*
 * em_trace.c - the interpretation EM's NLL against wall time, for bench/bench_em.sh: fits
 * saetm_interp_fit on a corpus (.stc) and activations (.sac) with the given EM options and prints one
 * line "trace SECONDS ITERATION NLL CPU_SECONDS" per accepted point (from the library's debug log),
 * then "done SECONDS ITERATIONS NLL CPU_SECONDS" (seconds from the call; CPU of all threads);
 * lines starting "#" relay the library's top-word checks and its wall seconds per EM phase. With --dump DIR it instead writes the problem as raw little-endian
 * arrays for the numpy reference (bench/interpret_em_ref.py): shape.txt ("N V F"), bow_ptr.u64,
 * bow_word.u32, bow_count.u32, act_ptr.u64, act_idx.u32, act_val.f32.
 * Usage: em_trace --corpus C.stc --acts A.sac [--accel squarem|off] [--tol X] [--top N]
 *        [--max-iter N] [--threads N] [--dump DIR]
 */
#include "saetm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double t0;

static double t0_cpu;

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0_cpu; }

static void on_log(void *user, saetm_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    unsigned it;
    double nll;
    if (sscanf(msg, "interpret: iteration %u NLL %lg", &it, &nll) == 2) printf("trace %.4f %u %.10f %.4f\n", now() - t0, it, nll, cpu());
    else if (strstr(msg, "words of") || strstr(msg, "per phase")) printf("# %s\n", msg);
}

static int dump(const char *dir, const char *name, const void *p, size_t size, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, size, n, f) == n;
    if (f && fclose(f)) ok = 0;
    if (!ok) fprintf(stderr, "em_trace: cannot write %s\n", path);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *corpus_path = NULL, *acts_path = NULL, *dir = NULL;
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    int threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--corpus")) corpus_path = v;
        else if (!strcmp(k, "--acts")) acts_path = v;
        else if (!strcmp(k, "--dump")) dir = v;
        else if (!strcmp(k, "--accel")) o.accel = strcmp(v, "off") ? SAETM_ACCEL_SQUAREM : SAETM_ACCEL_NONE;
        else if (!strcmp(k, "--tol")) o.tol = atof(v);
        else if (!strcmp(k, "--top")) o.stable_top = (uint32_t)atoi(v);
        else if (!strcmp(k, "--max-iter")) o.max_iter = (uint32_t)atoi(v);
        else if (!strcmp(k, "--threads")) threads = atoi(v);
        else {
            fprintf(stderr, "em_trace: unknown option %s\n", k);
            return 2;
        }
    }
    if (!corpus_path || !acts_path) {
        fprintf(stderr, "usage: em_trace --corpus C.stc --acts A.sac [--accel squarem|off] [--tol X] [--top N] "
                        "[--max-iter N] [--threads N] [--dump DIR]\n");
        return 2;
    }
    saetm_ctx *ctx = saetm_ctx_create();
    if (threads > 0) saetm_ctx_set_threads(ctx, threads);
    saetm_corpus *c = NULL;
    saetm_acts a;
    memset(&a, 0, sizeof a);
    if (saetm_corpus_load(ctx, corpus_path, &c) || saetm_acts_load(ctx, acts_path, &a)) {
        fprintf(stderr, "em_trace: %s\n", saetm_ctx_errmsg(ctx));
        return 1;
    }
    saetm_bow bow = {saetm_corpus_num_docs(c), saetm_corpus_vocab_size(c), saetm_corpus_row_ptr(c),
                     saetm_corpus_word_ids(c), saetm_corpus_counts(c)};
    int rc = 0;
    if (dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/shape.txt", dir);
        FILE *f = fopen(path, "w");
        if (!f) return 1;
        fprintf(f, "%llu %u %u\n", (unsigned long long)bow.rows, bow.vocab_size, a.n_features);
        fclose(f);
        uint64_t nnz = bow.row_ptr[bow.rows], anz = a.row_ptr[a.rows];
        rc |= dump(dir, "bow_ptr.u64", bow.row_ptr, 8, (size_t)bow.rows + 1);
        rc |= dump(dir, "bow_word.u32", bow.word_ids, 4, (size_t)nnz);
        rc |= dump(dir, "bow_count.u32", bow.counts, 4, (size_t)nnz);
        rc |= dump(dir, "act_ptr.u64", a.row_ptr, 8, (size_t)a.rows + 1);
        rc |= dump(dir, "act_idx.u32", a.idx, 4, (size_t)anz);
        rc |= dump(dir, "act_val.f32", a.val, 4, (size_t)anz);
    } else {
        saetm_ctx_set_log(ctx, on_log, NULL, SAETM_LOG_DEBUG);
        saetm_interp *it = NULL;
        t0 = now();
        t0_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (saetm_interp_fit(ctx, &a, &bow, NULL, &o, &it)) {
            fprintf(stderr, "em_trace: %s\n", saetm_ctx_errmsg(ctx));
            rc = 1;
        } else {
            printf("done %.4f %u %.10f %.4f\n", now() - t0, saetm_interp_iterations(it), saetm_interp_nll(it), cpu());
        }
        saetm_interp_free(it);
    }
    saetm_acts_free(&a);
    saetm_corpus_free(c);
    saetm_ctx_free(ctx);
    return rc;
}
