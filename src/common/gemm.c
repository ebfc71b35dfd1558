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
 *
 * Rows: a row's result must not depend on how many rows the product has either, because the
 * processes of a distributed run each multiply their own share of the rows (docs/distributed.md,
 * "Same bytes at any process count"). OpenBLAS's blocked kernels compute every row the same way
 * whatever m, but small products (m n k <= 10^6 on x86-64 in OpenBLAS 0.3.21) go to its "small
 * matrix" kernels, which round differently. So a block that would be small is computed on a copy
 * of op(A) padded with zero rows up to PAD_MNK / (width k) rows, well above any such threshold:
 * small products pay at most a few MFlop more, large ones nothing.
 */
#include "saetm_int.h"

#include <assert.h>
#include <cblas.h>
#include <limits.h>
#include <omp.h>
#include <string.h>

#define GEMM_COL_BLOCK 512
#define GEMM_COL_BLOCK_MAX 4096
/* Smallest m n k of a call into OpenBLAS (rows padded up to it), and at least PAD_ROWS rows. */
#define PAD_MNK 4000000.0
#define PAD_ROWS 16

/* Rows a call of `width` columns needs (the padding's size): a function of the shape only. */
static size_t pad_rows(size_t width, size_t kdim)
{
    double want = PAD_MNK / ((double)width * (double)(kdim ? kdim : 1));
    return want < (double)PAD_ROWS ? PAD_ROWS : (size_t)want + 1;
}

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
    /* The narrowest block (the last) needs the most rows; a padded op(A), row-major, serves all. */
    const size_t mp = pad_rows(n - (nblocks - 1) * bw, kdim);
    float *ap = NULL;
    if (m < mp && kdim > 0) {
        ap = saetm__calloc_aligned(mp * kdim, sizeof(float));
        if (ap)
            for (size_t i = 0; i < m; i++)
                for (size_t k = 0; k < kdim; k++) ap[i * kdim + k] = trans_a ? a[k * lda + i] : a[i * lda + k];
        /* Out of memory (at most PAD_MNK floats): the unpadded product, right but maybe in
         * other bits than the same rows of a larger product. */
    }
    int outer = omp_get_max_threads();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t blk = 0; blk < nblocks; blk++) {
        omp_set_num_threads(1); /* this task's ICV only: OpenBLAS below stays single-threaded */
        size_t c0 = blk * bw, c1 = c0 + bw < n ? c0 + bw : n, wb = c1 - c0, mb = pad_rows(wb, kdim);
        /* Columns c0..c1 of op(B): rows c0.. of B when transposed, else columns c0.. of B. */
        const float *bb = trans_b ? b + c0 * ldb : b + c0;
        const CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
        float *cp = ap && m < mb ? saetm__calloc_aligned(mb * wb, sizeof(float)) : NULL;
        if (!cp) {
            cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, tb, (int)m, (int)wb, (int)kdim, alpha, a,
                        (int)lda, bb, (int)ldb, beta, c + c0, (int)ldc);
            continue;
        }
        if (beta != 0.0f)
            for (size_t i = 0; i < m; i++) memcpy(cp + i * wb, c + i * ldc + c0, wb * sizeof(float));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, tb, (int)mb, (int)wb, (int)kdim, alpha, ap, (int)kdim, bb, (int)ldb,
                    beta, cp, (int)wb);
        for (size_t i = 0; i < m; i++) memcpy(c + i * ldc + c0, cp + i * wb, wb * sizeof(float));
        saetm__free_aligned(cp);
    }
    omp_set_num_threads(outer); /* a team of one may share the caller's ICV: put it back */
    saetm__free_aligned(ap);
}
