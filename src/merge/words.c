/*
 * words.c - topic word distributions estimated from the documents (docs/topics.md, "Topic
 * words"): given each document's topic proportions theta (N x K) and its bag-of-words, the
 * non-negative least-squares fit H >= 0 of the documents' TF-IDF rows X on their proportions,
 *
 *     min_H || X - [theta~ b] [H; h_bg] ||_F^2      (theta~: rows of theta at unit length)
 *
 * with a constant background column b absorbing the words every document uses. A word gets
 * weight in a topic only as far as the topic's documents use it beyond what the other topics and
 * the background explain, so a word needs support in many of the topic's documents (a handful of
 * documents cannot carry a least-squares fit over thousands), and generic words go to the
 * background rather than to every topic. docs/quality.md chose it on held-out documents.
 *
 * The problem splits by word: with G = [theta~ b]^T [theta~ b] ((K+1) x (K+1)) and R = [theta~ b]^T X,
 * each column h_w solves min h^T G h - 2 h^T R_w over h >= 0, by cyclic coordinate descent, then
 * finished by the active-set method (Lawson-Hanson on the normal equations) started from the
 * descent's support. The finish is needed: G is ill-conditioned along "all topics against the
 * background" (theta~'s columns sum to nearly a constant, the background column's direction), so
 * the descent crawls on exactly the generic words the background is for and stops (by its step
 * test or max_sweeps) with them still in the topics, 10 times their weight in
 * tests/merge/test_words.py; the finish solves the descent's support exactly, usually in one
 * Cholesky factorisation. Words are independent, so any thread count gives the same bytes; G is
 * summed over fixed document blocks in block order.
 */
#include "merge_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void saetm_words_opts_default(saetm_words_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = SAETM_WORDS_TFIDF;
    saetm_interp_opts_default(&o->em);
    o->sharpen = 1;
    o->background = 0.3;
    o->sublinear = 1;
    o->max_sweeps = 200;
    o->tol = 1e-5;
}

const char *saetm_words_opts_check(const saetm_words_opts *o)
{
    if (o->method != SAETM_WORDS_MEAN && o->method != SAETM_WORDS_EM && o->method != SAETM_WORDS_TFIDF)
        return "words method must be mean, em or tfidf";
    if (!(o->sharpen >= 1) || !isfinite(o->sharpen)) return "sharpen must be >= 1";
    if (!(o->background >= 0 && o->background <= 100)) return "background must be in [0, 100]";
    if (o->max_sweeps < 1) return "max_sweeps must be >= 1";
    if (!(o->tol >= 0 && o->tol < 1)) return "tol must be in [0, 1)";
    return NULL;
}

enum { GRAM_BLOCK = 1024 }; /* documents per block of the Gram matrix */

/* Solve G_PP z = r_P for the np indices p of the passive set (G K1 x K1, row-major) by Cholesky,
 * a the np x np scratch: @return 0, or -1 if G_PP is not positive definite. */
static int solve_passive(const double *G, uint32_t K1, const double *r, const uint32_t *p, uint32_t np, double *a,
                         double *z)
{
    for (uint32_t i = 0; i < np; i++)
        for (uint32_t j = 0; j <= i; j++) a[(size_t)i * np + j] = G[(size_t)p[i] * K1 + p[j]];
    for (uint32_t j = 0; j < np; j++) { /* a = L L^T, L in the lower triangle */
        double d = a[(size_t)j * np + j];
        for (uint32_t k = 0; k < j; k++) d -= a[(size_t)j * np + k] * a[(size_t)j * np + k];
        if (!(d > 1e-12 * G[(size_t)p[j] * K1 + p[j]])) return -1;
        d = sqrt(d);
        a[(size_t)j * np + j] = d;
        for (uint32_t i = j + 1; i < np; i++) {
            double v = a[(size_t)i * np + j];
            for (uint32_t k = 0; k < j; k++) v -= a[(size_t)i * np + k] * a[(size_t)j * np + k];
            a[(size_t)i * np + j] = v / d;
        }
    }
    for (uint32_t i = 0; i < np; i++) { /* L y = r_P */
        double v = r[p[i]];
        for (uint32_t k = 0; k < i; k++) v -= a[(size_t)i * np + k] * z[k];
        z[i] = v / a[(size_t)i * np + i];
    }
    for (uint32_t i = np; i-- > 0;) { /* L^T z = y */
        double v = z[i];
        for (uint32_t k = i + 1; k < np; k++) v -= a[(size_t)k * np + i] * z[k];
        z[i] = v / a[(size_t)i * np + i];
    }
    return 0;
}

/* Finish min h^T G h - 2 h^T r over h >= 0 from a feasible h (the coordinate descent's) by the
 * active-set method: solve the passive set {k : h_k > 0} exactly, step back to feasibility
 * where that leaves it (dropping the coordinates that reach 0), then add the coordinate with the
 * largest positive gradient r_k - (G h)_k, until none has one above eps. Every step lowers the
 * objective, so h is never worse than the descent's; a singular G_PP (collinear topics) or
 * 3 (K + 1) rounds stop it where it is. Scratch: p, in K1 entries; a K1 x K1; z K1. */
static void active_set_finish(const double *G, uint32_t K1, const double *r, double *h, uint32_t *p, uint8_t *in,
                              double *a, double *z)
{
    double eps = 0;
    for (uint32_t k = 0; k < K1; k++)
        if (fabs(r[k]) > eps) eps = fabs(r[k]);
    eps *= 1e-10;
    uint32_t np = 0;
    for (uint32_t k = 0; k < K1; k++) {
        in[k] = h[k] > 0 && G[(size_t)k * K1 + k] > 0;
        if (in[k]) p[np++] = k;
        else h[k] = 0;
    }
    for (uint32_t round = 0; round < 3 * K1; round++) {
        for (;;) { /* the passive set's exact solution, stepping back while it is infeasible */
            if (np && solve_passive(G, K1, r, p, np, a, z)) return;
            double alpha = 1;
            uint32_t out = UINT32_MAX;
            for (uint32_t i = 0; i < np; i++)
                if (z[i] <= 0) {
                    double t = h[p[i]] / (h[p[i]] - z[i]);
                    if (t < alpha || out == UINT32_MAX) alpha = t, out = i;
                }
            if (out == UINT32_MAX) break;
            uint32_t m = 0;
            for (uint32_t i = 0; i < np; i++) {
                double v = h[p[i]] + alpha * (z[i] - h[p[i]]);
                if (i == out || v <= 0) h[p[i]] = 0, in[p[i]] = 0;
                else h[p[i]] = v, p[m] = p[i], z[m] = z[i], m++;
            }
            np = m;
        }
        for (uint32_t i = 0; i < np; i++) h[p[i]] = z[i];
        uint32_t best = UINT32_MAX;
        double top = eps;
        for (uint32_t k = 0; k < K1; k++) {
            if (in[k] || !(G[(size_t)k * K1 + k] > 0)) continue;
            double g = r[k];
            for (uint32_t i = 0; i < np; i++) g -= G[(size_t)k * K1 + p[i]] * h[p[i]];
            if (g > top) top = g, best = k;
        }
        if (best == UINT32_MAX) return; /* optimal */
        in[best] = 1;
        p[np++] = best;
    }
}

/* Documents that take part: selected by `use` (NULL: all), with a word and a topic proportion. */
static int takes_part(const saetm_bow *bow, const float *theta, uint32_t K, const uint8_t *use, uint64_t d)
{
    if (use && !use[d]) return 0;
    if (bow->row_ptr[d + 1] == bow->row_ptr[d]) return 0;
    const float *r = theta + d * K;
    for (uint32_t k = 0; k < K; k++)
        if (r[k] > 0) return 1;
    return 0;
}

saetm_status saetm__words_tfidf(saetm_ctx *ctx, const float *theta, uint32_t K, const saetm_bow *bow,
                                const uint8_t *use, const saetm_words_opts *o, float *topic_word)
{
    const uint64_t N = bow->rows;
    const uint32_t V = bow->vocab_size, K1 = K + 1;
    const int nt = saetm_ctx_threads(ctx);
    double *idf = calloc(V ? V : 1, sizeof *idf), *scale = calloc(N ? N : 1, sizeof *scale);
    double *tinv = calloc(N ? N : 1, sizeof *tinv);
    double *G = calloc((size_t)K1 * K1, sizeof *G), *R = saetm__calloc_aligned((size_t)K1 * V, sizeof *R);
    float *blk = saetm__calloc_aligned((size_t)GRAM_BLOCK * K1, sizeof *blk);
    float *gb = saetm__calloc_aligned((size_t)K1 * K1, sizeof *gb);
    uint8_t *part = malloc(N ? N : 1);
    saetm_status st = SAETM_OK;
    if (!idf || !scale || !tinv || !G || !R || !blk || !gb || !part) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory for the word estimates (%u x %u)", K1, V);
        goto done;
    }
    /* 1. IDF over the documents that take part (smoothed: ln((1 + n) / (1 + df)) + 1), and each
     *    document's TF-IDF and theta row norms (rows are used at unit length) */
    uint64_t n = 0;
    for (uint64_t d = 0; d < N; d++) {
        part[d] = (uint8_t)takes_part(bow, theta, K, use, d);
        if (!part[d]) continue;
        n++;
        for (uint64_t j = bow->row_ptr[d]; j < bow->row_ptr[d + 1]; j++) idf[bow->word_ids[j]] += 1;
    }
    if (!n) {
        st = saetm__fail(ctx, SAETM_ERR_ARG, "topics: no document has both words and topic proportions");
        goto done;
    }
    for (uint32_t w = 0; w < V; w++) idf[w] = log((1.0 + (double)n) / (1.0 + idf[w])) + 1.0;
#define TF(c) (o->sublinear ? 1.0 + log((double)(c)) : (double)(c))
    for (uint64_t d = 0; d < N; d++) {
        if (!part[d]) continue;
        double xx = 0, tt = 0;
        for (uint64_t j = bow->row_ptr[d]; j < bow->row_ptr[d + 1]; j++) {
            double x = TF(bow->counts[j]) * idf[bow->word_ids[j]];
            xx += x * x;
        }
        for (uint32_t k = 0; k < K; k++) tt += (double)theta[d * K + k] * theta[d * K + k];
        scale[d] = 1.0 / sqrt(xx);
        tinv[d] = 1.0 / sqrt(tt);
    }
    /* 2. G = [theta~ b]^T [theta~ b], over blocks of documents in order */
    uint64_t filled = 0;
    for (uint64_t d = 0; d <= N; d++) {
        if (d < N && part[d]) {
            const float *r = theta + d * K;
            float inv = (float)tinv[d], *row = blk + filled * K1;
            for (uint32_t k = 0; k < K; k++) row[k] = r[k] * inv;
            row[K] = (float)o->background;
            filled++;
        }
        if (filled == GRAM_BLOCK || (d == N && filled)) {
            saetm__sgemm(nt, 1, 0, K1, K1, filled, 1.0f, blk, K1, blk, K1, 0.0f, gb, K1);
            for (size_t i = 0; i < (size_t)K1 * K1; i++) G[i] += gb[i];
            filled = 0;
        }
    }
    /* 3. R = [theta~ b]^T X: each thread owns topic rows, documents in order */
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t ki = 0; ki <= (int64_t)K; ki++) {
        double *rk = R + (size_t)ki * V;
        for (uint64_t d = 0; d < N; d++) {
            if (!part[d]) continue;
            double tk = ki == (int64_t)K ? o->background : (double)theta[d * K + ki] * tinv[d];
            if (tk == 0) continue;
            tk *= scale[d];
            for (uint64_t j = bow->row_ptr[d]; j < bow->row_ptr[d + 1]; j++)
                rk[bow->word_ids[j]] += tk * TF(bow->counts[j]) * idf[bow->word_ids[j]];
        }
    }
#undef TF
    /* 4. per word: coordinate descent on h >= 0, from h = 0 (gradient R_w), finished exactly */
    int fail = 0;
#pragma omp parallel num_threads(nt) reduction(| : fail)
    {
        double *h = malloc((size_t)K1 * sizeof *h), *g = malloc((size_t)K1 * sizeof *g);
        double *r = malloc((size_t)K1 * sizeof *r), *z = malloc((size_t)K1 * sizeof *z);
        double *a = malloc((size_t)K1 * K1 * sizeof *a);
        uint32_t *p = malloc((size_t)K1 * sizeof *p);
        uint8_t *in = malloc(K1);
        if (!h || !g || !r || !z || !a || !p || !in) fail = 1;
#pragma omp for schedule(dynamic, 64)
        for (int64_t wi = 0; wi < (int64_t)V; wi++) {
            if (fail) continue;
            for (uint32_t k = 0; k < K1; k++) h[k] = 0, g[k] = r[k] = R[(size_t)k * V + wi];
            for (uint32_t sweep = 0; sweep < o->max_sweeps; sweep++) {
                double moved = 0, top = 0;
                for (uint32_t k = 0; k < K1; k++) {
                    double gkk = G[(size_t)k * K1 + k];
                    if (!(gkk > 0)) continue;
                    double hk = h[k] + g[k] / gkk;
                    if (hk < 0) hk = 0;
                    double delta = hk - h[k];
                    if (delta == 0) continue;
                    h[k] = hk;
                    const double *gk = G + (size_t)k * K1;
                    for (uint32_t j = 0; j < K1; j++) g[j] -= delta * gk[j];
                    if (fabs(delta) > moved) moved = fabs(delta);
                }
                for (uint32_t k = 0; k < K1; k++)
                    if (h[k] > top) top = h[k];
                if (moved <= o->tol * top) break;
            }
            active_set_finish(G, K1, r, h, p, in, a, z);
            for (uint32_t k = 0; k < K; k++) topic_word[(size_t)k * V + wi] = (float)h[k];
        }
        free(h);
        free(g);
        free(r);
        free(z);
        free(a);
        free(p);
        free(in);
    }
    if (fail) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
        goto done;
    }
    /* 5. rows to distributions (a topic with no weight on any word: uniform) */
    for (uint32_t k = 0; k < K; k++) {
        float *row = topic_word + (size_t)k * V;
        double s = 0;
        for (uint32_t w = 0; w < V; w++) s += row[w];
        for (uint32_t w = 0; w < V; w++) row[w] = s > 0 ? (float)(row[w] / s) : 1.0f / (float)V;
    }
done:
    free(idf);
    free(scale);
    free(tinv);
    free(G);
    free(part);
    saetm__free_aligned(R);
    saetm__free_aligned(blk);
    saetm__free_aligned(gb);
    return st;
}
