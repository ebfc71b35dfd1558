/*
 * select.c - linear-time selection of the largest values (TopK and BatchTopK), never a full sort.
 *
 * Candidates are totally ordered: larger value first, ties broken by smaller row, then smaller
 * column. The chosen set is therefore a pure function of the data, whatever the thread count or
 * the order in which candidates were gathered.
 *
 * Two pieces:
 *  - saetm__select_best: quickselect (median-of-three pivot, heap-select fallback when the
 *    recursion gets too deep) that moves the k best of n candidates to the front, O(n) expected.
 *  - saetm__topsel: a streaming selector. Values are pushed row by row; while fewer than k are
 *    held everything is kept, afterwards only values above the current k-th best (the running
 *    threshold) enter a buffer of 4k; a full buffer is cut back to its best k by quickselect and
 *    the threshold rises. Each cut costs O(buffer) and removes 3k entries, so the whole stream
 *    costs O(n) even for adversarial (ascending) input; on real data nearly every value fails the
 *    threshold test, which runs 16 values at a time on a vectorised block maximum.
 */
#include "sae_int.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline int better(const saetm__cand *a, const saetm__cand *b)
{
    if (a->v != b->v) return a->v > b->v;
    if (a->row != b->row) return a->row < b->row;
    return a->col < b->col;
}

static inline void swap_cand(saetm__cand *a, saetm__cand *b)
{
    saetm__cand t = *a;
    *a = *b;
    *b = t;
}

/* ---- heap select (fallback) --------------------------------------------------------------- */

/* Min-heap on "better": the root is the worst of the kept. */
static void sift_down(saetm__cand *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && better(&h[w], &h[l])) w = l;
        if (r < n && better(&h[w], &h[r])) w = r;
        if (w == i) return;
        swap_cand(&h[i], &h[w]);
        i = w;
    }
}

static void heap_select(saetm__cand *a, size_t n, size_t k)
{
    for (size_t i = k / 2; i-- > 0;) sift_down(a, k, i);
    for (size_t i = k; i < n; i++)
        if (better(&a[i], &a[0])) {
            swap_cand(&a[i], &a[0]);
            sift_down(a, k, 0);
        }
}

/* ---- quickselect -------------------------------------------------------------------------- */

void saetm__select_best(saetm__cand *a, size_t n, size_t k)
{
    if (k == 0 || k >= n) return;
    size_t lo = 0, hi = n; /* the k-th best lies in [lo, hi) */
    int budget = 2 * (int)(log2((double)n) + 1);
    while (hi - lo > 16) {
        if (budget-- == 0) {
            /* Too many bad pivots: finish with the O(n log k) heap. */
            heap_select(a + lo, hi - lo, k - lo);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        /* Median of three into a[lo]. */
        if (better(&a[mid], &a[lo])) swap_cand(&a[mid], &a[lo]);
        if (better(&a[hi - 1], &a[lo])) swap_cand(&a[hi - 1], &a[lo]);
        if (better(&a[hi - 1], &a[mid])) swap_cand(&a[hi - 1], &a[mid]);
        /* now a[lo] >= a[mid] >= a[hi-1] in "better" order: pivot = a[mid] */
        swap_cand(&a[mid], &a[lo]);
        saetm__cand p = a[lo];
        size_t i = lo + 1, j = hi - 1;
        /* Hoare partition: [lo+1, i) better than p, (j, hi) worse than p. Elements are distinct. */
        for (;;) {
            while (i <= j && better(&a[i], &p)) i++;
            while (j >= i && better(&p, &a[j])) j--;
            if (i >= j) break;
            swap_cand(&a[i], &a[j]);
            i++;
            j--;
        }
        /* place pivot at i-1 */
        swap_cand(&a[lo], &a[i - 1]);
        size_t pos = i - 1;
        if (pos == k || pos + 1 == k) return; /* [0, k) holds exactly the k best */
        if (pos > k) hi = pos;
        else lo = pos + 1;
    }
    /* Small range: insertion sort it. */
    for (size_t i = lo + 1; i < hi; i++) {
        saetm__cand x = a[i];
        size_t j = i;
        while (j > lo && better(&x, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* ---- streaming selector ------------------------------------------------------------------- */

void saetm__topsel_init(saetm__topsel *s, saetm__cand *buf, size_t cap, size_t k)
{
    assert(cap >= 2 * k + 1 || k == 0);
    s->buf = buf;
    s->cap = cap;
    s->k = k;
    s->n = 0;
    s->t = -INFINITY;
    s->cut = 0;
}

/* Keep the best k of the buffer and raise the threshold to the k-th best value. */
static void cut_back(saetm__topsel *s)
{
    saetm__select_best(s->buf, s->n, s->k);
    s->n = s->k;
    float t = s->buf[0].v;
    for (size_t i = 1; i < s->n; i++)
        if (s->buf[i].v < t) t = s->buf[i].v;
    s->t = t;
    s->cut = 1;
}

static inline void push_one(saetm__topsel *s, float v, uint32_t row, uint32_t col)
{
    saetm__cand *c = &s->buf[s->n++];
    c->v = v;
    c->row = row;
    c->col = col;
    if (s->n == s->cap) cut_back(s);
}

#define BLOCK 16

void saetm__topsel_push_row(saetm__topsel *s, const float *z, const float *bias, uint32_t n, uint32_t row)
{
    if (s->k == 0) return;
    uint32_t j = 0;
    /* Until the first cut every value is kept (rows are pushed in order, so a later value equal
     * to the threshold always loses its tie: the strict test below is exact). */
    for (; j < n && !s->cut; j++) push_one(s, z[j] + (bias ? bias[j] : 0.0f), row, j);
    for (; j + BLOCK <= n; j += BLOCK) {
        float mx = -INFINITY;
        if (bias) {
#pragma omp simd reduction(max : mx)
            for (uint32_t q = 0; q < BLOCK; q++) mx = fmaxf(mx, z[j + q] + bias[j + q]);
        } else {
#pragma omp simd reduction(max : mx)
            for (uint32_t q = 0; q < BLOCK; q++) mx = fmaxf(mx, z[j + q]);
        }
        if (!(mx > s->t)) continue;
        for (uint32_t q = 0; q < BLOCK; q++) {
            float v = z[j + q] + (bias ? bias[j + q] : 0.0f);
            if (v > s->t) push_one(s, v, row, j + q);
        }
    }
    for (; j < n; j++) {
        float v = z[j] + (bias ? bias[j] : 0.0f);
        if (v > s->t) push_one(s, v, row, j);
    }
}

size_t saetm__topsel_finish(saetm__topsel *s)
{
    if (s->n > s->k) cut_back(s);
    return s->n;
}

static int by_col(const void *a, const void *b)
{
    const saetm__cand *x = a, *y = b;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

void saetm__sort_by_position(saetm__cand *a, size_t n)
{
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            saetm__cand x = a[i];
            size_t j = i;
            while (j > 0 && by_col(&x, &a[j - 1]) < 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    qsort(a, n, sizeof *a, by_col);
}

uint32_t saetm__topk_row(const float *z, const float *bias, uint32_t n, uint32_t k, saetm__cand *scratch,
                         uint32_t *idx, float *val)
{
    saetm__topsel s;
    if (k > n) k = n;
    saetm__topsel_init(&s, scratch, SAETM__TOPK_SCRATCH(k), k);
    saetm__topsel_push_row(&s, z, bias, n, 0);
    size_t m = saetm__topsel_finish(&s);
    saetm__sort_by_position(scratch, m);
    for (size_t i = 0; i < m; i++) {
        idx[i] = scratch[i].col;
        val[i] = scratch[i].v;
    }
    return (uint32_t)m;
}
