/*
 * rng.c - counter-based random numbers.
 *
 * Each draw hashes (key, counter) with two rounds of the splitmix64 finaliser. The key is
 * derived from (seed, stage, shard), so a stream depends only on those three numbers and on how
 * many values were drawn from it, never on thread scheduling.
 */
#include "saetm_int.h"

#include <math.h>

uint64_t saetm__mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void saetm__rng_init(saetm__rng *r, uint64_t seed, uint64_t stage, uint64_t shard)
{
    r->key = saetm__mix64(saetm__mix64(saetm__mix64(seed) ^ stage) ^ shard);
    r->counter = 0;
}

uint64_t saetm__rng_u64(saetm__rng *r)
{
    uint64_t c = r->counter++;
    return saetm__mix64(saetm__mix64(c ^ r->key) + r->key);
}

double saetm__rng_uniform(saetm__rng *r)
{
    return (double)(saetm__rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t saetm__rng_below(saetm__rng *r, uint64_t n)
{
    /* Rejection sampling removes the bias of a plain modulo. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = saetm__rng_u64(r); while (x >= limit);
    return x % n;
}

double saetm__rng_normal(saetm__rng *r)
{
    double u1 = saetm__rng_uniform(r), u2 = saetm__rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
