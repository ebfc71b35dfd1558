/*
 * test_fx.c - the exact sums of src/dist/dist.h (saetm__fx): the same limbs for any split and any
 * order of the terms (what makes the interpretation's sums independent of the process count,
 * docs/distributed.md), close to the true sum, and the documented clamping.
 */
#include "dist/dist.h"
#include "test.h"

#include <stdint.h>

#define N 20000

static uint64_t rng_state = 42;
static double uniform(void) /* [0, 1), splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

static double terms[N];

static void make_terms(void)
{
    /* Magnitudes from 1e-12 to 1e6, a fifth of them negative: float sums of these depend on
     * the order in their last bits. */
    for (int i = 0; i < N; i++) {
        double m = pow(10.0, -12.0 + 18.0 * uniform());
        terms[i] = uniform() < 0.2 ? -m : m;
    }
}

static int same(const saetm__fx *a, const saetm__fx *b) { return a->hi == b->hi && a->lo == b->lo; }

static void test_split_and_order(void)
{
    saetm__fx whole = {0, 0};
    for (int i = 0; i < N; i++) saetm__fx_add(&whole, terms[i]);
    /* Split in P contiguous parts summed separately, then the parts' limbs added (MPI_SUM). */
    for (int P = 2; P <= 7; P++) {
        saetm__fx tot = {0, 0};
        for (int r = 0; r < P; r++) {
            saetm__fx part = {0, 0};
            for (int i = r * N / P; i < (r + 1) * N / P; i++) saetm__fx_add(&part, terms[i]);
            tot.hi += part.hi;
            tot.lo += part.lo;
        }
        CHECK(same(&whole, &tot));
        CHECK(saetm__fx_value(&whole) == saetm__fx_value(&tot));
    }
    saetm__fx rev = {0, 0}; /* reversed order */
    for (int i = N - 1; i >= 0; i--) saetm__fx_add(&rev, terms[i]);
    CHECK(same(&whole, &rev));
    /* Plain double sums in the two orders differ (the test is not vacuous). */
    double fwd = 0, back = 0;
    for (int i = 0; i < N; i++) fwd += terms[i];
    for (int i = N - 1; i >= 0; i--) back += terms[i];
    CHECK(fwd != back);
    /* Close to the exactly rounded sum: within N truncations of 2^-56 plus the read-back. */
    long double ref = 0;
    for (int i = 0; i < N; i++) ref += terms[i];
    CHECK(fabsl((long double)saetm__fx_value(&whole) - ref) <= N * 0x1p-56 + 4e-16L * fabsl(ref));
}

static void test_values(void)
{
    saetm__fx a = {0, 0};
    saetm__fx_add(&a, 0.75);
    saetm__fx_add(&a, -0.25);
    saetm__fx_add(&a, 3.0);
    CHECK(saetm__fx_value(&a) == 3.5);
    saetm__fx b = {0, 0};
    saetm__fx_add(&b, 0x1p-60); /* below the resolution: truncated to 0 */
    saetm__fx_add(&b, 0.0);
    CHECK(saetm__fx_value(&b) == 0.0);
    saetm__fx c = {0, 0};
    saetm__fx_add(&c, 1e300); /* clamped to 2^38, NaN too */
    CHECK(saetm__fx_value(&c) == 0x1p38);
    saetm__fx n = {0, 0};
    saetm__fx_add(&n, NAN);
    CHECK(saetm__fx_value(&n) == 0x1p38);
    saetm__fx d = {0, 0};
    saetm__fx_add(&d, -1e300);
    CHECK(saetm__fx_value(&d) == -0x1p38);
    saetm__fx e = {0, 0}; /* a small value keeps ~17 digits: 1/3 to within 2^-56 */
    saetm__fx_add(&e, 1.0 / 3.0);
    CHECK(fabs(saetm__fx_value(&e) - 1.0 / 3.0) <= 0x1p-56);
}

static void test_dist_sum_alone(void)
{
    /* One process: saetm__dist_sum_fx leaves the sums as they are. */
    saetm__fx x[2] = {{5, 7}, {-3, 9}};
    saetm__dist_sum_fx(x, 2);
    CHECK(x[0].hi == 5 && x[0].lo == 7 && x[1].hi == -3 && x[1].lo == 9);
}

int main(void)
{
    make_terms();
    RUN(test_split_and_order);
    RUN(test_values);
    RUN(test_dist_sum_alone);
    return TEST_REPORT();
}
