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
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

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

void saetm__topsel_init_floor(saetm__topsel *s, saetm__cand *buf, size_t cap, size_t k, float floor)
{
    saetm__topsel_init(s, buf, cap, k);
    if (floor > -INFINITY) {
        s->t = floor; /* only values above the floor enter */
        s->cut = 1;
    }
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
#if defined(__AVX512F__)
    /* 16 values per compare; the mask names the few above the threshold. The sums are the same
     * single-precision additions as the scalar code, so the chosen set is identical. */
    __m512 tv = _mm512_set1_ps(s->t);
    for (; j + 16 <= n; j += 16) {
        __m512 v = _mm512_loadu_ps(z + j);
        if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(bias + j));
        __mmask16 m = _mm512_cmp_ps_mask(v, tv, _CMP_GT_OQ);
        if (!m) continue;
        float tmp[16];
        _mm512_storeu_ps(tmp, v);
        for (unsigned mm = m; mm; mm &= mm - 1) {
            unsigned q = (unsigned)__builtin_ctz(mm);
            if (tmp[q] > s->t) push_one(s, tmp[q], row, j + q);
        }
        tv = _mm512_set1_ps(s->t);
    }
#elif defined(__AVX2__)
    __m256 tv = _mm256_set1_ps(s->t);
    for (; j + 8 <= n; j += 8) {
        __m256 v = _mm256_loadu_ps(z + j);
        if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + j));
        int m = _mm256_movemask_ps(_mm256_cmp_ps(v, tv, _CMP_GT_OQ));
        if (!m) continue;
        float tmp[8];
        _mm256_storeu_ps(tmp, v);
        for (unsigned mm = (unsigned)m; mm; mm &= mm - 1) {
            unsigned q = (unsigned)__builtin_ctz(mm);
            if (tmp[q] > s->t) push_one(s, tmp[q], row, j + q);
        }
        tv = _mm256_set1_ps(s->t);
    }
#else
    for (; j + BLOCK <= n; j += BLOCK) {
        float mx = -INFINITY;
        for (uint32_t q = 0; q < BLOCK; q++) {
            float v = z[j + q] + (bias ? bias[j + q] : 0.0f);
            mx = v > mx ? v : mx;
        }
        if (!(mx > s->t)) continue;
        for (uint32_t q = 0; q < BLOCK; q++) {
            float v = z[j + q] + (bias ? bias[j + q] : 0.0f);
            if (v > s->t) push_one(s, v, row, j + q);
        }
    }
#endif
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

float saetm__sample_floor(const float *z, const float *bias, size_t rows, size_t cols, size_t want,
                          saetm__cand *scratch)
{
    size_t n = rows * cols;
    size_t S = n < SAETM__SAMPLE_N ? n : SAETM__SAMPLE_N;
    if (S == 0) return -INFINITY;
    /* Rank r in the sample ~ want values above in the whole; at least 64 for a steady estimate. */
    double r_exact = (double)want * (double)S / (double)n;
    size_t r = (size_t)ceil(r_exact);
    if (r < 64) r = 64;
    if (r >= S) return -INFINITY;
    for (size_t i = 0; i < S; i++) {
        size_t p = (size_t)((double)i * (double)n / (double)S);
        if (p >= n) p = n - 1;
        size_t col = p % cols;
        scratch[i].v = z[p] + (bias ? bias[col] : 0.0f);
        scratch[i].row = (uint32_t)(p / cols);
        scratch[i].col = (uint32_t)col;
    }
    saetm__select_best(scratch, S, r);
    float t = scratch[0].v;
    for (size_t i = 1; i < r; i++)
        if (scratch[i].v < t) t = scratch[i].v;
    return t;
}

void saetm__sort_by_position_radix(saetm__cand *a, size_t n, uint32_t rows, uint32_t cols, saetm__cand *tmp,
                                   size_t *count)
{
    /* Stable counting sort by column, then by row: (row, col) ascending in O(n + rows + cols). */
    memset(count, 0, ((size_t)cols + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++) count[a[i].col + 1]++;
    for (uint32_t c = 0; c < cols; c++) count[c + 1] += count[c];
    for (size_t i = 0; i < n; i++) tmp[count[a[i].col]++] = a[i];
    memset(count, 0, ((size_t)rows + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++) count[tmp[i].row + 1]++;
    for (uint32_t r = 0; r < rows; r++) count[r + 1] += count[r];
    for (size_t i = 0; i < n; i++) a[count[tmp[i].row]++] = tmp[i];
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
