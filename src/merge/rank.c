/*
 * rank.c - the top words of topics: by probability, relevance or FREX (saetm__rank_words), and
 * the search for the relevance lambda that reaches a topic diversity (saetm__topics_rank).
 */
#include "merge_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int saetm__cmp_dpair_desc(const void *x, const void *y)
{
    const saetm__dpair *a = x, *b = y;
    if (a->s != b->s) return a->s > b->s ? -1 : 1;
    return (a->w > b->w) - (a->w < b->w);
}

int saetm__cmp_dpair_asc(const void *x, const void *y) { return -saetm__cmp_dpair_desc(x, y); }

/* ecdf[v] = (number of values <= x[v]) / V: the empirical CDF of x over the vocabulary. s: V scratch. */
static void ecdf(const double *x, uint32_t V, saetm__dpair *s, double *out)
{
    for (uint32_t v = 0; v < V; v++) s[v].s = x[v], s[v].w = v;
    qsort(s, V, sizeof *s, saetm__cmp_dpair_asc);
    for (uint32_t i = 0; i < V;) {
        uint32_t j = i;
        while (j + 1 < V && s[j + 1].s == s[i].s) j++;
        for (uint32_t q = i; q <= j; q++) out[s[q].w] = (double)(j + 1) / V;
        i = j + 1;
    }
}

/* Top words of every topic by the chosen ranking: probability, relevance (lambda log p(w|t) +
 * (1 - lambda) log(p(w|t) / p(w)), p(w) the topic-weighted marginal) or FREX (Roberts et al.: the
 * weighted harmonic mean of the within-topic ECDF ranks of exclusivity p(w|t) / sum_t' p(w|t')
 * and of frequency p(w|t)); ties to the lower word id. */
saetm_status saetm__rank_words(saetm_ctx *ctx, uint32_t K, uint32_t V, const float *topic_word, const double *weight,
                               const saetm_topics_opts *o, uint32_t *top_out)
{
    uint32_t n = o->top_n < V ? o->top_n : V;
    double *pw = saetm__calloc_aligned(V, sizeof *pw), *colsum = saetm__calloc_aligned(V, sizeof *colsum);
    if (!pw || !colsum) {
        saetm__free_aligned(pw);
        saetm__free_aligned(colsum);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    }
    double wsum = 0, fw = o->frex_weight;
    for (uint32_t k = 0; k < K; k++) wsum += weight[k];
    for (uint32_t k = 0; k < K; k++)
        for (uint32_t v = 0; v < V; v++) {
            pw[v] += weight[k] / wsum * topic_word[(size_t)k * V + v];
            colsum[v] += topic_word[(size_t)k * V + v];
        }
    int fail = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(saetm_ctx_threads(ctx)) reduction(| : fail)
    for (int64_t ki = 0; ki < (int64_t)K; ki++) {
        int frex = o->rank == SAETM_RANK_FREX;
        saetm__dpair *s = malloc((size_t)V * sizeof *s);
        double *ex = frex ? malloc((size_t)V * 4 * sizeof *ex) : NULL;
        if (!s || (frex && !ex)) {
            free(s);
            free(ex);
            fail = 1;
            continue;
        }
        const float *row = topic_word + (size_t)ki * V;
        if (frex) { /* ex: exclusivity, frequency, and their ECDFs */
            double *fq = ex + V, *ce = ex + 2 * (size_t)V, *cf = ex + 3 * (size_t)V;
            for (uint32_t v = 0; v < V; v++) {
                fq[v] = row[v];
                ex[v] = colsum[v] > 0 ? row[v] / colsum[v] : 0;
            }
            ecdf(ex, V, s, ce);
            ecdf(fq, V, s, cf);
            for (uint32_t v = 0; v < V; v++) s[v].s = 1 / (fw / ce[v] + (1 - fw) / cf[v]), s[v].w = v;
        } else {
            for (uint32_t v = 0; v < V; v++) {
                double p = row[v] > 0 ? row[v] : 1e-30;
                s[v].s = o->rank == SAETM_RANK_PROB
                             ? p
                             : o->lambda * log(p) + (1 - o->lambda) * log(p / (pw[v] > 0 ? pw[v] : 1e-30));
                s[v].w = v;
            }
        }
        qsort(s, V, sizeof *s, saetm__cmp_dpair_desc);
        uint32_t *top = top_out + (size_t)ki * o->top_n;
        for (uint32_t j = 0; j < o->top_n; j++) top[j] = j < n ? s[j].w : UINT32_MAX;
        free(s);
        free(ex);
    }
    saetm__free_aligned(pw);
    saetm__free_aligned(colsum);
    return fail ? saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory") : SAETM_OK;
}

/* The relevance lambda of --rank diverse goes down from 1 in steps of 1/20 to 0.5 at the lowest:
 * below that, the words with a high lift but a small p(w|t) that take over a topic's list do not
 * co-occur (the Bible at K = 100: NPMI -0.12 at lambda 0, docs/quality.md). */
enum { DIVERSITY_N = 25, LAMBDA_STEPS = 20, LAMBDA_MIN_STEP = 10 };

/* Share of distinct words among all topics' first n top words (saetm_eval_topics' diversity). */
static double diversity(const saetm_topics *t, uint32_t n, uint8_t *seen)
{
    uint64_t all = 0, distinct = 0;
    memset(seen, 0, t->V);
    for (uint32_t k = 0; k < t->k; k++)
        for (uint32_t j = 0; j < n; j++) {
            uint32_t w = t->top[(size_t)k * t->o.top_n + j];
            if (w == UINT32_MAX) continue;
            all++;
            distinct += !seen[w];
            seen[w] = 1;
        }
    return all ? (double)distinct / (double)all : 0;
}

/* Top words by t->o; with min_diversity, relevance with the largest lambda on a grid of 1/20 steps
 * down to 0.5 that makes the topics that diverse (0.5 if none does). */
saetm_status saetm__topics_rank(saetm_ctx *ctx, saetm_topics *t)
{
    t->n_eval = 0; /* scores of other words */
    t->lambda = t->o.rank == SAETM_RANK_PROB ? 1 : t->o.rank == SAETM_RANK_FREX ? -1 : t->o.lambda;
    if (t->o.rank != SAETM_RANK_RELEVANCE || !(t->o.min_diversity > 0))
        return saetm__rank_words(ctx, t->k, t->V, t->topic_word, t->weight, &t->o, t->top);
    uint8_t *seen = malloc(t->V ? t->V : 1);
    if (!seen) return saetm__fail(ctx, SAETM_ERR_NOMEM, "topics: out of memory");
    saetm_topics_opts o = t->o;
    uint32_t n = o.top_n < DIVERSITY_N ? o.top_n : DIVERSITY_N;
    saetm_status st = SAETM_OK;
    for (int step = 0; step <= LAMBDA_MIN_STEP && !st; step++) {
        o.lambda = (double)(LAMBDA_STEPS - step) / LAMBDA_STEPS;
        st = saetm__rank_words(ctx, t->k, t->V, t->topic_word, t->weight, &o, t->top);
        if (!st && diversity(t, n, seen) >= o.min_diversity) break;
    }
    t->lambda = o.lambda;
    free(seen);
    return st;
}
