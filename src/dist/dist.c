/*
 * dist.c - the few MPI calls saetm makes (dist.h), with a one-process fallback.
 *
 * MPI is initialised only when the environment says this process was started by a process
 * manager (mpirun, srun): a plain `saetm ...` never touches MPI. Large buffers go in chunks of
 * at most 2^28 elements (MPI counts are int).
 */
#include "dist/dist.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef SAETM_HAVE_MPI
#include <mpi.h>
#endif

static int g_size = 1, g_rank = 0, g_init = 0;
static uint64_t g_bytes = 0;

/* Watchdog (SAETM_DIST_TIMEOUT seconds, off by default): a process that waits longer than that
 * inside one collective assumes a peer hangs and exits; mpirun then stops the whole job. A dead
 * peer needs no watchdog (Open MPI notices it); a hung one (stuck, stopped) does. */
#ifdef SAETM_HAVE_MPI
static double g_timeout = 0.0;
static atomic_llong g_wait_since; /* ns (CLOCK_MONOTONIC) when the current collective began, 0 when none */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {0, 200000000L};
        nanosleep(&ts, NULL);
        long long since = atomic_load(&g_wait_since);
        if (since && (double)(now_ns() - since) > g_timeout * 1e9) {
            fprintf(stderr,
                    "saetm: process %d of %d waited more than %g s for the others in one exchange "
                    "(SAETM_DIST_TIMEOUT): a process hangs; stopping the job\n",
                    g_rank, g_size, g_timeout);
            _exit(1);
        }
    }
    return NULL;
}
#endif

#define WAIT_BEGIN() atomic_store(&g_wait_since, now_ns())
#define WAIT_END() atomic_store(&g_wait_since, 0)

/* The world size announced by a process manager, or 0. */
static int launcher_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", "SLURM_NTASKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return atoi(v);
    }
    return 0;
}

int saetm_dist_available(void)
{
#ifdef SAETM_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

saetm_status saetm_dist_init(saetm_ctx *ctx, int *argc, char ***argv)
{
    if (g_init) return SAETM_OK;
    int want = launcher_size();
    /* SLURM_NTASKS alone (an allocation, not a launch) does not start MPI. */
    if (want > 0 && !getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK")) want = 0;
    if (want <= 0) return SAETM_OK;
#ifdef SAETM_HAVE_MPI
    /* A process waiting in a collective yields its core instead of spinning (unless the user
     * chose otherwise with --mca mpi_yield_when_idle): Open MPI only does so by itself when it
     * knows the host is oversubscribed, and on a host shared with other work a spinning process
     * takes the core its peer needs (docs/distributed.md, measured: 1.65x slower without). */
    setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return saetm__fail(ctx, SAETM_ERR_INTERNAL, "MPI_Init failed");
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    g_init = 1;
    const char *to = getenv("SAETM_DIST_TIMEOUT");
    if (to && *to && g_size > 1) {
        char *end;
        double v = strtod(to, &end);
        if (*end || !(v > 0) || !isfinite(v))
            return saetm__fail(ctx, SAETM_ERR_ARG, "SAETM_DIST_TIMEOUT='%s' is not a positive number of seconds", to);
        g_timeout = v;
        pthread_t th;
        if (pthread_create(&th, NULL, watchdog, NULL) == 0) pthread_detach(th);
        else return saetm__fail(ctx, SAETM_ERR_INTERNAL, "cannot start the SAETM_DIST_TIMEOUT watchdog thread");
    }
    return SAETM_OK;
#else
    (void)argc;
    (void)argv;
    if (want > 1)
        return saetm__fail(ctx, SAETM_ERR_UNSUPPORTED,
                           "started by a process manager with %d processes, but this saetm was built without Open MPI "
                           "(install libopenmpi-dev and rebuild, see docs/distributed.md)",
                           want);
    return SAETM_OK;
#endif
}

void saetm_dist_finalize(void)
{
#ifdef SAETM_HAVE_MPI
    if (g_init) MPI_Finalize();
#endif
    g_init = 0;
    g_size = 1;
    g_rank = 0;
}

void saetm_dist_abort(int code)
{
#ifdef SAETM_HAVE_MPI
    if (g_init && g_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
    (void)code;
}

int saetm_dist_size(void) { return g_size; }
int saetm_dist_rank(void) { return g_rank; }
int saetm__dist_size(void) { return g_size; }
int saetm__dist_rank(void) { return g_rank; }

void saetm_ctx_set_distributed(saetm_ctx *ctx, int on) { ctx->dist = on != 0; }

int saetm__dist_on(const saetm_ctx *ctx) { return ctx && ctx->dist && g_size > 1; }

void saetm__dist_range(uint64_t n, int rank, int size, uint64_t *r0, uint64_t *r1)
{
    uint64_t q = n / (uint64_t)size, rem = n % (uint64_t)size, r = (uint64_t)rank;
    *r0 = r * q + (r < rem ? r : rem);
    *r1 = *r0 + q + (r < rem);
}

uint64_t saetm__dist_bytes(void) { return g_bytes; }

#ifdef SAETM_HAVE_MPI
#define CHUNK ((size_t)1 << 28)
/* Reductions go in pieces of at most 2^18 elements (2 MB of doubles): larger ones make Open MPI
 * allocate (and the kernel zero) a fresh temporary buffer of the message size on every call. */
#define RCHUNK ((size_t)1 << 18)
typedef MPI_Datatype dtype;
typedef MPI_Op op_t;
#define T_F64 MPI_DOUBLE
#define T_F32 MPI_FLOAT
#define T_U64 MPI_UINT64_T
#define T_I64 MPI_INT64_T
#define T_U8 MPI_UINT8_T
#define OP_SUM MPI_SUM
#define OP_MAX MPI_MAX
#else
typedef int dtype;
typedef int op_t;
#define T_F64 0
#define T_F32 0
#define T_U64 0
#define T_I64 0
#define T_U8 0
#define OP_SUM 0
#define OP_MAX 0
#endif

/* In-place allreduce of n elements of es bytes, in chunks; nothing when alone. */
static void allreduce(void *x, size_t n, size_t es, dtype t, op_t op)
{
#ifdef SAETM_HAVE_MPI
    if (g_size <= 1) return;
    g_bytes += n * es;
    for (size_t i = 0; i < n; i += RCHUNK) {
        size_t m = n - i < RCHUNK ? n - i : RCHUNK;
        WAIT_BEGIN();
        MPI_Allreduce(MPI_IN_PLACE, (char *)x + i * es, (int)m, t, op, MPI_COMM_WORLD);
        WAIT_END();
    }
#else
    (void)x;
    (void)n;
    (void)es;
    (void)t;
    (void)op;
#endif
}

void saetm__dist_sum_f64(double *x, size_t n) { allreduce(x, n, sizeof *x, T_F64, OP_SUM); }
void saetm__dist_sum_f32(float *x, size_t n) { allreduce(x, n, sizeof *x, T_F32, OP_SUM); }
void saetm__dist_sum_u64(uint64_t *x, size_t n) { allreduce(x, n, sizeof *x, T_U64, OP_SUM); }
void saetm__dist_sum_fx(saetm__fx *x, size_t n)
{
    static_assert(sizeof *x == 2 * sizeof(int64_t), "saetm__fx is two packed int64");
    allreduce(x, 2 * n, sizeof(int64_t), T_I64, OP_SUM);
}
void saetm__dist_max_f64(double *x, size_t n) { allreduce(x, n, sizeof *x, T_F64, OP_MAX); }
void saetm__dist_max_u8(uint8_t *x, size_t n) { allreduce(x, n, 1, T_U8, OP_MAX); }

void saetm__dist_bcast(void *buf, size_t n, int root)
{
#ifdef SAETM_HAVE_MPI
    if (g_size <= 1) return;
    if (g_rank == root) g_bytes += n;
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t m = n - i < CHUNK ? n - i : CHUNK;
        WAIT_BEGIN();
        MPI_Bcast((char *)buf + i, (int)m, MPI_BYTE, root, MPI_COMM_WORLD);
        WAIT_END();
    }
#else
    (void)buf;
    (void)n;
    (void)root;
#endif
}

void saetm__dist_allgather(const void *send, size_t n, void *recv)
{
#ifdef SAETM_HAVE_MPI
    if (g_size > 1) {
        g_bytes += n;
        WAIT_BEGIN();
        MPI_Allgather(send, (int)n, MPI_BYTE, recv, (int)n, MPI_BYTE, MPI_COMM_WORLD);
        WAIT_END();
        return;
    }
#endif
    if (n) memmove(recv, send, n);
}

void saetm__dist_gatherv(const void *send, const uint64_t *counts, void *recv, int root)
{
#ifdef SAETM_HAVE_MPI
    if (g_size > 1) {
        /* Point to point in chunks: each rank's part may exceed an int count. */
        g_bytes += counts[g_rank];
        if (g_rank == root) {
            size_t at = 0;
            for (int r = 0; r < g_size; r++) {
                if (r == root) {
                    if ((char *)recv + at != (const char *)send) memcpy((char *)recv + at, send, counts[r]);
                }
                else
                    for (size_t i = 0; i < counts[r]; i += CHUNK) {
                        size_t m = counts[r] - i < CHUNK ? counts[r] - i : CHUNK;
                        WAIT_BEGIN();
                        MPI_Recv((char *)recv + at + i, (int)m, MPI_BYTE, r, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                        WAIT_END();
                    }
                at += counts[r];
            }
        } else {
            for (size_t i = 0; i < counts[g_rank]; i += CHUNK) {
                size_t m = counts[g_rank] - i < CHUNK ? counts[g_rank] - i : CHUNK;
                WAIT_BEGIN();
                MPI_Send((const char *)send + i, (int)m, MPI_BYTE, root, 7, MPI_COMM_WORLD);
                WAIT_END();
            }
        }
        return;
    }
#endif
    (void)root;
    if (counts[0]) memmove(recv, send, counts[0]);
}

saetm_status saetm__dist_gather_rows(saetm_ctx *ctx, void *base, uint64_t first, uint64_t rows, size_t row_bytes,
                                     uint64_t n_all)
{
    if (g_size <= 1) return SAETM_OK;
    uint64_t mine[2] = {first, rows}, *all = calloc(2 * (size_t)g_size, sizeof *all);
    uint64_t *counts = calloc((size_t)g_size, sizeof *counts);
    uint8_t bad = !all || !counts;
    saetm__dist_max_u8(&bad, 1);
    if (bad) {
        free(all);
        free(counts);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    saetm__dist_allgather(mine, sizeof mine, all);
    /* The parts must tile [0, n_all) in rank order (an empty part may sit anywhere). */
    uint64_t at = 0;
    for (int r = 0; r < g_size; r++) {
        if (all[2 * r + 1] && all[2 * r] != at) bad = 1;
        at += all[2 * r + 1];
        counts[r] = all[2 * r + 1] * row_bytes;
    }
    saetm_status st = SAETM_OK;
    if (bad || at != n_all)
        st = saetm__fail(ctx, SAETM_ERR_INTERNAL, "gather_rows: the processes' rows do not tile 0..%llu",
                         (unsigned long long)n_all);
    else
        saetm__dist_gatherv((const char *)base + first * row_bytes, counts, base, 0);
    free(all);
    free(counts);
    return st;
}

int saetm__dist_allgatherv(const void *send, uint64_t n, void **recv, uint64_t *counts)
{
    saetm__dist_allgather(&n, sizeof n, counts);
    uint64_t total = 0;
    for (int r = 0; r < g_size; r++) total += counts[r];
    *recv = NULL;
    if (total == 0) return 0;
    char *buf = malloc((size_t)total);
    uint8_t ok = buf != NULL, all_ok = ok;
    /* All ranks must take part in the transfers below, so agree on the allocation first. */
    if (g_size > 1) {
        all_ok = (uint8_t)!ok;
        saetm__dist_max_u8(&all_ok, 1);
        all_ok = !all_ok;
    }
    if (!all_ok) {
        free(buf);
        return -1;
    }
    saetm__dist_gatherv(send, counts, buf, 0);
    saetm__dist_bcast(buf, (size_t)total, 0);
    *recv = buf;
    return 0;
}

int saetm__dist_gather_csr(uint64_t n_all, uint64_t n, const uint64_t *ptr, const uint32_t *idx, const float *val,
                           uint64_t **out_ptr, uint32_t **out_idx, float **out_val)
{
    const int P = g_size, R = g_rank;
    uint64_t r0, r1, nnz = ptr[n], total = 0;
    saetm__dist_range(n_all, R, P, &r0, &r1);
    assert(r1 - r0 == n);
    uint64_t *nnz_all = calloc((size_t)P, sizeof *nnz_all), *rows_all = calloc((size_t)P, sizeof *rows_all);
    uint8_t bad = !nnz_all || !rows_all;
    saetm__dist_max_u8(&bad, 1);
    if (!bad) saetm__dist_allgather(&nnz, sizeof nnz, nnz_all);
    for (int r = 0; !bad && r < P; r++) total += nnz_all[r];
    const uint64_t keep = R == 0 ? total : nnz;
    uint64_t *optr = bad ? NULL : saetm__calloc_aligned((size_t)n_all + 1, sizeof *optr);
    uint64_t *len = bad ? NULL : calloc((size_t)n + 1, sizeof *len);
    uint32_t *oidx = bad ? NULL : saetm__calloc_aligned((size_t)(keep ? keep : 1), sizeof *oidx);
    float *oval = bad ? NULL : saetm__calloc_aligned((size_t)(keep ? keep : 1), sizeof *oval);
    if (!bad) bad = !optr || !len || !oidx || !oval;
    saetm__dist_max_u8(&bad, 1); /* all take part in the gathers, or none */
    if (!bad) {
        for (int r = 0; r < P; r++) {
            uint64_t a, b;
            saetm__dist_range(n_all, r, P, &a, &b);
            rows_all[r] = (b - a) * sizeof *len;
            nnz_all[r] *= sizeof *oidx; /* bytes (indices and values have the same size) */
        }
        for (uint64_t i = 0; i < n; i++) len[i] = ptr[i + 1] - ptr[i];
        saetm__dist_gatherv(len, rows_all, optr + 1, 0);
        saetm__dist_gatherv(idx, nnz_all, oidx, 0);
        saetm__dist_gatherv(val, nnz_all, oval, 0);
        if (R == 0) {
            for (uint64_t i = 0; i < n_all; i++) optr[i + 1] += optr[i];
        } else {
            for (uint64_t i = 0; i <= n_all; i++) optr[i] = i <= r0 ? 0 : i - r0 <= n ? ptr[i - r0] : nnz;
            if (nnz) memcpy(oidx, idx, (size_t)nnz * sizeof *oidx);
            if (nnz) memcpy(oval, val, (size_t)nnz * sizeof *oval);
        }
    } else {
        saetm__free_aligned(optr);
        saetm__free_aligned(oidx);
        saetm__free_aligned(oval);
        optr = NULL, oidx = NULL, oval = NULL;
    }
    free(nnz_all);
    free(rows_all);
    free(len);
    *out_ptr = optr;
    *out_idx = oidx;
    *out_val = oval;
    return bad ? -1 : 0;
}

void saetm__dist_barrier(void)
{
#ifdef SAETM_HAVE_MPI
    if (g_size > 1) {
        WAIT_BEGIN();
        MPI_Barrier(MPI_COMM_WORLD);
        WAIT_END();
    }
#endif
}

saetm_status saetm__dist_agree(saetm_ctx *ctx, saetm_status st)
{
    if (g_size <= 1) return st;
    uint64_t *all = calloc((size_t)g_size, sizeof *all);
    if (!all) return st ? st : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    uint64_t mine = (uint64_t)st;
    saetm__dist_allgather(&mine, sizeof mine, all);
    int first = -1;
    for (int r = 0; r < g_size && first < 0; r++)
        if (all[r]) first = r;
    saetm_status other = first >= 0 ? (saetm_status)all[first] : SAETM_OK;
    free(all);
    if (st || !other) return st;
    return saetm__fail(ctx, other, "process %d of %d failed (its message is above)", first, g_size);
}

saetm_status saetm__dist_check_finite(saetm_ctx *ctx, const saetm_matrix *x, const char *what)
{
    uint64_t r0, r1;
    saetm__dist_range(x->rows, g_rank, g_size, &r0, &r1);
    saetm_status st = SAETM_OK;
    for (uint64_t i = r0; i < r1 && !st; i++) {
        const float *row = x->data + i * x->cols;
        for (uint64_t j = 0; j < x->cols; j++)
            if (!isfinite(row[j])) {
                st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: row %llu, column %llu is %s (expected a finite number)",
                                 what, (unsigned long long)i, (unsigned long long)j, isnan(row[j]) ? "NaN" : "infinite");
                break;
            }
    }
    return saetm__dist_agree(ctx, st);
}

saetm_status saetm_dist_agree(saetm_ctx *ctx, saetm_status st) { return saetm__dist_agree(ctx, st); }

void saetm__dist_fault_point(const char *stage, uint64_t n)
{
    static int parsed = 0, rank = -1;
    static char st[32], how[8];
    static unsigned long long at = 0;
    if (!parsed) {
        parsed = 1;
        const char *v = getenv("SAETM_TEST_FAIL");
        int got = v ? sscanf(v, "%d:%31[a-z]:%llu:%7[a-z]", &rank, st, &at, how) : 0;
        if (got < 3) rank = -1;
    }
    if (rank == g_rank && strcmp(stage, st) == 0 && n == at && strcmp(how, "hang") == 0) {
        fprintf(stderr, "saetm: SAETM_TEST_FAIL: rank %d hangs at %s step %llu\n", g_rank, stage, at);
        for (;;) pause();
    }
    if (rank == g_rank && strcmp(stage, st) == 0 && n == at) {
        fprintf(stderr, "saetm: SAETM_TEST_FAIL: rank %d dies at %s step %llu\n", g_rank, stage, at);
        raise(SIGKILL);
    }
}
