/*
 * dist.h - data parallelism across processes (Open MPI), behind a small internal API.
 *
 * Only src/dist/dist.c includes mpi.h. Built without Open MPI (SAETM_HAVE_MPI undefined), or run
 * without mpirun, the job has one process and every call below is a no-op (reductions leave
 * their buffers as they are). Collectives use MPI_COMM_WORLD with the default error handler
 * (MPI_ERRORS_ARE_FATAL): a failed or dead peer makes Open MPI abort the whole job instead of
 * leaving the others waiting. docs/distributed.md describes the data layout and the cost model.
 */
#ifndef SAETM_DIST_H
#define SAETM_DIST_H

#include "saetm_int.h"

/* Number of processes of the job and this one's rank (1 and 0 when alone). */
int saetm__dist_size(void);
int saetm__dist_rank(void);
/* Does ctx run data-parallel (saetm_ctx_set_distributed and more than one process)? */
int saetm__dist_on(const saetm_ctx *ctx);

/* This rank's contiguous share [*r0, *r1) of n rows (the first n % size ranks get one more). */
void saetm__dist_range(uint64_t n, int rank, int size, uint64_t *r0, uint64_t *r1);

/* In-place element-wise sums over all ranks (the same result on every rank). */
void saetm__dist_sum_f64(double *x, size_t n);
void saetm__dist_sum_f32(float *x, size_t n);
void saetm__dist_sum_u64(uint64_t *x, size_t n);
/* In-place element-wise maximum. */
void saetm__dist_max_f64(double *x, size_t n);
/* In-place element-wise maximum (u8: used as logical or of flags). */
void saetm__dist_max_u8(uint8_t *x, size_t n);
/* Rank root's n bytes to every rank. */
void saetm__dist_bcast(void *buf, size_t n, int root);
/* Every rank contributes n bytes; recv (size * n bytes) gets them in rank order. */
void saetm__dist_allgather(const void *send, size_t n, void *recv);
/* Rank root gathers each rank's counts[r] bytes (counts known everywhere) into recv in rank
 * order (recv is used on root only). */
void saetm__dist_gatherv(const void *send, const uint64_t *counts, void *recv, int root);
/* Collective: rows [first, first + rows) of an n_all-row array at base (row_bytes each, the same
 * base layout on every rank) are this process's; the parts must tile [0, n_all) in rank order.
 * Rank 0 receives every part at its place in base; the others' base is left as it is.
 * @return SAETM_OK, or an error on every process (out of memory, parts that do not tile). */
saetm_status saetm__dist_gather_rows(saetm_ctx *ctx, void *base, uint64_t first, uint64_t rows, size_t row_bytes,
                                     uint64_t n_all);
/* Every rank contributes n bytes (any n); *recv (malloc'ed, owned by the caller; NULL when the
 * total is 0) gets all contributions in rank order on every rank, counts[r] (size entries) their
 * sizes. @return 0, or -1 if out of memory (on every rank alike only if all fail: callers agree). */
int saetm__dist_allgatherv(const void *send, uint64_t n, void **recv, uint64_t *counts);
/* Collective: gather to rank 0 a sparse matrix (CSR, float values) of n_all rows split as by
 * saetm__dist_range: this process holds its n rows as ptr (n + 1 entries from 0), idx, val. On
 * rank 0 *out_ptr (n_all + 1), *out_idx and *out_val hold all rows in order; on the others their
 * own rows at their place, the other rows empty. The arrays come from saetm__calloc_aligned
 * (free with saetm__free_aligned). @return 0, or -1 on every process (nothing allocated) if
 * memory ran out on any. */
int saetm__dist_gather_csr(uint64_t n_all, uint64_t n, const uint64_t *ptr, const uint32_t *idx, const float *val,
                           uint64_t **out_ptr, uint32_t **out_idx, float **out_val);
/* ------------------------------------------------------------------------------------------- */
/* Exact sums (docs/distributed.md, "Same bytes at any process count")                          */
/* ------------------------------------------------------------------------------------------- */

/* A sum of doubles that does not depend on how its terms are split over threads or processes,
 * nor on their order: each term is truncated (toward zero) to a multiple of 2^-56 and added as
 * integers to two int64 limbs of weights 2^-24 and 2^-56 (each term adds less than 2^32 to the
 * low one: no carries are needed for up to 2^31 terms, and MPI_SUM adds limbs exactly). Integer
 * addition is associative, so any split gives the same limbs and saetm__fx_value the same
 * double. Terms are clamped to +-2^38 and sums must stay below 2^39 (5.5e11) in magnitude; the
 * sums it is used for (probabilities, weights, weighted NLL) stay far below. Resolution 1.4e-17
 * per term, far below the float outputs' rounding. */
typedef struct saetm__fx {
    int64_t hi, lo;
} saetm__fx;

static inline void saetm__fx_add(saetm__fx *a, double x)
{
    /* No branches (minsd/maxsd; NaN maps to the upper bound). (double)h is exact below 2^53, and
     * above it y is an integer: y - h is exact. */
    x = x < 0x1p38 ? x : 0x1p38;
    x = x > -0x1p38 ? x : -0x1p38;
    const double y = x * 0x1p24;
    const int64_t h = (int64_t)y;
    a->hi += h;
    a->lo += (int64_t)((y - (double)h) * 0x1p32);
}
/* The sum as a double (a fixed function of the limbs). */
static inline double saetm__fx_value(const saetm__fx *a) { return (double)a->hi * 0x1p-24 + (double)a->lo * 0x1p-56; }
/* In-place element-wise sums over all ranks of n exact sums (exact: the same on every rank and
 * for any number of ranks; 16 bytes per sum). */
void saetm__dist_sum_fx(saetm__fx *x, size_t n);

void saetm__dist_barrier(void);
/* Collective: every process passes its status; @return st where it failed, elsewhere the
 * first failing process's status with a message pointing at that process's own message. */
saetm_status saetm__dist_agree(saetm_ctx *ctx, saetm_status st);

/* Collective: this process checks its share of x's rows for NaN/Inf (saetm_matrix_check_finite's
 * message, with the global row number), then saetm__dist_agree. */
saetm_status saetm__dist_check_finite(saetm_ctx *ctx, const saetm_matrix *x, const char *what);

/* Test hook (docs/distributed.md): with SAETM_TEST_FAIL="RANK:STAGE:N", the process of rank RANK
 * dies (SIGKILL) when it reaches step N of STAGE ("train", "interpret", "embed": its Nth chunk of 8192 documents); with "RANK:STAGE:N:hang"
 * it stops there forever (for the SAETM_DIST_TIMEOUT watchdog). */
void saetm__dist_fault_point(const char *stage, uint64_t n);

/* Bytes moved by this process's collectives so far (sent contributions), for the benchmark. */
uint64_t saetm__dist_bytes(void);

#endif
