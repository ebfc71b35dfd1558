/*
 * test_gemm_rows.c - saetm__sgemm (src/common/gemm.c) gives every row of the product the same
 * bytes whatever the number of rows multiplied together and the row's place among them: what
 * lets each process of a distributed run multiply only its own rows (training's encoder product,
 * encoding) and still write the bytes of one process (docs/distributed.md). Shapes small enough
 * for OpenBLAS's small-matrix kernels (which round differently from its blocked ones) and large
 * enough for several column blocks, with both transpositions of A and beta 0 and 1.
 */
#include "saetm_int.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 7;
static float uniform(void) /* [-0.5, 0.5), splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (float)((double)((z ^ (z >> 31)) >> 40) * 0x1p-24 - 0.5);
}

/* Rows [r0, r1) of op(A) B^T computed alone equal those rows of the whole m-row product. */
static int rows_match(int trans_a, size_t m, size_t n, size_t k, float beta, int threads)
{
    float *a = malloc(m * k * sizeof *a), *b = malloc(n * k * sizeof *b), *c = malloc(m * n * sizeof *c),
          *c0 = malloc(m * n * sizeof *c0), *ap = malloc(m * k * sizeof *ap);
    for (size_t i = 0; i < m * k; i++) a[i] = uniform();
    for (size_t i = 0; i < n * k; i++) b[i] = uniform();
    for (size_t i = 0; i < m * n; i++) c0[i] = uniform();
    memcpy(c, c0, m * n * sizeof *c);
    /* trans_a: A is stored k x m (lda m), op(A) = A^T. */
    saetm__sgemm(threads, trans_a, 1, m, n, k, 1.0f, a, trans_a ? m : k, b, k, beta, c, n);
    int ok = 1;
    const size_t cuts[][2] = {{0, 1}, {1, 3}, {0, m / 3}, {m / 3, m / 3 + 7}, {m / 2, m}, {m - 1, m}};
    for (size_t t = 0; t < sizeof cuts / sizeof *cuts && ok; t++) {
        size_t r0 = cuts[t][0], r1 = cuts[t][1], mr = r1 - r0;
        if (r1 <= r0 || r1 > m) continue;
        /* The rows' part of A, stored as the caller of that share would store it. */
        for (size_t i = 0; i < mr; i++)
            for (size_t j = 0; j < k; j++) {
                if (trans_a) ap[j * mr + i] = a[j * m + r0 + i];
                else ap[i * k + j] = a[(r0 + i) * k + j];
            }
        float *cr = malloc(mr * n * sizeof *cr);
        memcpy(cr, c0 + r0 * n, mr * n * sizeof *cr);
        saetm__sgemm(threads, trans_a, 1, mr, n, k, 1.0f, ap, trans_a ? mr : k, b, k, beta, cr, n);
        ok = memcmp(cr, c + r0 * n, mr * n * sizeof *cr) == 0;
        if (!ok)
            fprintf(stderr, "rows %zu..%zu of %zu x %zu x %zu (trans_a %d, beta %g) differ\n", r0, r1, m, n, k, trans_a,
                    (double)beta);
        free(cr);
    }
    free(a);
    free(b);
    free(c);
    free(c0);
    free(ap);
    return ok;
}

static void test_small_products(void)
{
    /* m n k from 1.5e3 to 3e6: OpenBLAS 0.3.21 sends each shares' product to its small-matrix
     * kernels, the whole one (some of them) to the blocked kernels. */
    CHECK(rows_match(0, 120, 24, 512, 0.0f, 1));
    CHECK(rows_match(0, 64, 48, 16, 0.0f, 1));
    CHECK(rows_match(0, 300, 16, 512, 1.0f, 1));
    CHECK(rows_match(1, 200, 40, 64, 0.0f, 1));
    CHECK(rows_match(0, 33, 512, 64, 0.0f, 2));
}

static void test_column_blocks(void)
{
    /* Several column blocks, the last one narrow; two threads take them. */
    CHECK(rows_match(0, 50, 4097, 32, 0.0f, 2));
    CHECK(rows_match(0, 700, 1100, 64, 1.0f, 2));
}

int main(void)
{
    RUN(test_small_products);
    RUN(test_column_blocks);
    return TEST_REPORT();
}
