/*
 * gemm.c - dense matrix products whose bytes do not depend on the thread count.
 *
 * OpenBLAS's threaded sgemm splits the work differently for different thread counts, and the
 * results then differ in the last bits. saetm promises identical bytes for any thread count, so
 * the product is cut into fixed blocks of output columns, each computed by a single-threaded
 * OpenBLAS call (OpenBLAS's OpenMP build runs single-threaded when omp_get_max_threads() is 1),
 * and the blocks are spread over our own OpenMP threads. Each block is computed the same way
 * whichever thread takes it. The cost is one extra packing of A per block: so blocks are as wide
 * as still gives at least 4 of them (512 to 4096 columns, from the shape alone; OpenBLAS's bytes
 * depend on the width). At 4096 x 512 x 8192, 2048-column blocks cost about 4% less CPU than
 * 512-column ones (docs/sae.md).
 */
#include "saetm_int.h"

#include <assert.h>
#include <cblas.h>
#include <limits.h>
#include <omp.h>

#define GEMM_COL_BLOCK 512
#define GEMM_COL_BLOCK_MAX 4096

/* Column block width for an n-column product: a function of n only (never of the threads). */
static size_t col_block(size_t n)
{
    size_t w = GEMM_COL_BLOCK;
    while (w < GEMM_COL_BLOCK_MAX && n >= 8 * w) w *= 2;
    return w;
}

void saetm__sgemm(int threads, int trans_a, int trans_b, size_t m, size_t n, size_t kdim, float alpha,
                  const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc)
{
    if (m == 0 || n == 0) return;
    assert(m <= INT_MAX && n <= INT_MAX && kdim <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX && ldc <= INT_MAX);
    if (threads < 1) threads = 1;
    const size_t bw = col_block(n), nblocks = (n + bw - 1) / bw;
    if ((size_t)threads > nblocks) threads = (int)nblocks;
    int outer = omp_get_max_threads();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t blk = 0; blk < nblocks; blk++) {
        omp_set_num_threads(1); /* this task's ICV only: OpenBLAS below stays single-threaded */
        size_t c0 = blk * bw, c1 = c0 + bw < n ? c0 + bw : n;
        /* Columns c0..c1 of op(B): rows c0.. of B when transposed, else columns c0.. of B. */
        const float *bb = trans_b ? b + c0 * ldb : b + c0;
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                    (int)(c1 - c0), (int)kdim, alpha, a, (int)lda, bb, (int)ldb, beta, c + c0, (int)ldc);
    }
    omp_set_num_threads(outer); /* a team of one may share the caller's ICV: put it back */
}
