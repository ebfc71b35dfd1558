/*
 * synth.c - synthetic data from the continuous topic model (docs/method.md 1), for validating the
 * pipeline against planted topics.
 *
 * Random streams: stage SYNTH_TOPICS shard t for topic t (direction, word distribution), stage
 * SYNTH_DOCS shard d for document d, so every document is a pure function of (seed, d) and
 * documents are generated in parallel with identical results for any thread count.
 */
#include "saetm_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { SYNTH_TOPICS = 0x5359, SYNTH_DOCS = 0x5360 };

struct saetm_synth {
    saetm_synth_opts o;
    uint64_t *row_ptr;
    uint32_t *word_ids, *counts;
    char **words;
    float *doc_topics, *strengths, *topic_word, *directions, *emb;
    uint32_t *tokens;     /* the drawn token sequence of every document (for the text) */
    uint64_t *tok_ptr;
};

void saetm_synth_opts_default(saetm_synth_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_docs = 2000;
    o->n_topics = 10;
    o->vocab_size = 1000;
    o->dim = 64;
    o->doc_len = 60;
    o->doc_alpha = 0.5;
    o->topics_per_doc = 3;
    o->word_beta = 0.05;
    o->strength = 1.0;
    o->noise = 0.02;
    o->seed = 1;
}

const char *saetm_synth_opts_check(const saetm_synth_opts *o)
{
    if (o->n_docs < 1) return "n_docs must be >= 1";
    if (o->n_topics < 1) return "n_topics must be >= 1";
    if (o->vocab_size < 2) return "vocab_size must be >= 2";
    if (o->dim < 1) return "dim must be >= 1";
    if (!(o->doc_len >= 1 && o->doc_len <= 1e5)) return "doc_len must be in [1, 100000]";
    if (!(o->doc_alpha > 0) || !isfinite(o->doc_alpha)) return "doc_alpha must be > 0";
    if (o->topics_per_doc < 1 || o->topics_per_doc > o->n_topics || o->topics_per_doc > 64)
        return "topics_per_doc must be in [1, min(n_topics, 64)]";
    if (!(o->word_beta > 0) || !isfinite(o->word_beta)) return "word_beta must be > 0";
    if (!(o->strength > 0) || !isfinite(o->strength)) return "strength must be > 0";
    if (!(o->noise >= 0) || !isfinite(o->noise)) return "noise must be >= 0";
    return NULL;
}

void saetm_synth_free(saetm_synth *s)
{
    if (!s) return;
    if (s->words)
        for (uint32_t v = 0; v < s->o.vocab_size; v++) free(s->words[v]);
    free(s->words);
    void *arrays[] = {s->row_ptr, s->word_ids, s->counts, s->doc_topics, s->strengths, s->topic_word,
                      s->directions, s->emb, s->tokens, s->tok_ptr};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) saetm__free_aligned(arrays[i]);
    free(s);
}

/* Gamma(shape, 1) by Marsaglia and Tsang; shape < 1 via Gamma(shape + 1) * U^(1/shape). */
static double rng_gamma(saetm__rng *r, double shape)
{
    if (shape < 1.0) {
        double u = saetm__rng_uniform(r);
        return rng_gamma(r, shape + 1.0) * pow(u > 0 ? u : 1e-300, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = saetm__rng_normal(r), v = 1.0 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = saetm__rng_uniform(r);
        if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
        if (u > 0 && log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return d * v;
    }
}

/* Poisson(mean) by summing exponential gaps (mean is at most 1e5). */
static uint64_t rng_poisson(saetm__rng *r, double mean)
{
    uint64_t k = 0;
    double t = 0;
    for (;;) {
        double u = saetm__rng_uniform(r);
        t += -log(1.0 - u);
        if (t > mean) return k;
        k++;
    }
}

/* Pseudo-word for index v: two or more consonant-vowel syllables and a final 'x'. */
static char *pseudo_word(uint32_t v)
{
    static const char cons[] = "bdfgklmnprstvz", vow[] = "aeiou";
    char buf[32];
    size_t n = 0;
    uint32_t x = v;
    for (int syl = 0; syl < 2 || x > 0; syl++) {
        uint32_t s = x % 70;
        x /= 70;
        buf[n++] = cons[s / 5];
        buf[n++] = vow[s % 5];
    }
    buf[n++] = 'x';
    buf[n] = 0;
    return saetm__strdup(buf);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

saetm_status saetm_synth_generate(saetm_ctx *ctx, const saetm_synth_opts *o, saetm_synth **out)
{
    *out = NULL;
    const char *msg = saetm_synth_opts_check(o);
    if (msg) return saetm__fail(ctx, SAETM_ERR_ARG, "synth: %s", msg);
    saetm_synth *s = calloc(1, sizeof *s);
    if (!s) return saetm__fail(ctx, SAETM_ERR_NOMEM, "synth: out of memory");
    s->o = *o;
    uint64_t N = o->n_docs;
    uint32_t T = o->n_topics, V = o->vocab_size, D = o->dim, K = o->topics_per_doc;
    s->words = calloc(V, sizeof *s->words);
    s->doc_topics = saetm__calloc_aligned((size_t)N * T, sizeof(float));
    s->strengths = saetm__calloc_aligned((size_t)N * T, sizeof(float));
    s->topic_word = saetm__calloc_aligned((size_t)T * V, sizeof(float));
    s->directions = saetm__calloc_aligned((size_t)T * D, sizeof(float));
    s->emb = saetm__calloc_aligned((size_t)N * D, sizeof(float));
    s->tok_ptr = saetm__calloc_aligned((size_t)N + 1, sizeof(uint64_t));
    s->row_ptr = saetm__calloc_aligned((size_t)N + 1, sizeof(uint64_t));
    double *cdf = saetm__calloc_aligned((size_t)T * V, sizeof(double));
    int fail = !s->words || !s->doc_topics || !s->strengths || !s->topic_word || !s->directions || !s->emb ||
               !s->tok_ptr || !s->row_ptr || !cdf;
    for (uint32_t v = 0; !fail && v < V; v++) fail = !(s->words[v] = pseudo_word(v));
    if (fail) {
        saetm__free_aligned(cdf);
        saetm_synth_free(s);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "synth: out of memory");
    }
    /* Topics: a unit direction and a Dirichlet(word_beta) word distribution each. */
    for (uint32_t t = 0; t < T; t++) {
        saetm__rng r;
        saetm__rng_init(&r, o->seed, SYNTH_TOPICS, t);
        double nrm = 0, sum = 0;
        for (uint32_t j = 0; j < D; j++) {
            double x = saetm__rng_normal(&r);
            s->directions[(size_t)t * D + j] = (float)x;
            nrm += x * x;
        }
        nrm = sqrt(nrm);
        for (uint32_t j = 0; j < D; j++) s->directions[(size_t)t * D + j] = (float)(s->directions[(size_t)t * D + j] / nrm);
        double *c = cdf + (size_t)t * V;
        for (uint32_t v = 0; v < V; v++) sum += (c[v] = rng_gamma(&r, o->word_beta) + 1e-300);
        double acc = 0;
        for (uint32_t v = 0; v < V; v++) {
            s->topic_word[(size_t)t * V + v] = (float)(c[v] / sum);
            acc += c[v] / sum;
            c[v] = acc;
        }
        c[V - 1] = 1.0;
    }
    /* Document lengths first (one stream per document), then everything else in parallel. */
    for (uint64_t d = 0; d < N; d++) {
        saetm__rng r;
        saetm__rng_init(&r, o->seed, SYNTH_DOCS, d);
        uint64_t L = rng_poisson(&r, o->doc_len);
        s->tok_ptr[d + 1] = s->tok_ptr[d] + (L ? L : 1);
    }
    s->tokens = saetm__calloc_aligned((size_t)s->tok_ptr[N], sizeof(uint32_t));
    uint32_t *sorted = saetm__calloc_aligned((size_t)s->tok_ptr[N], sizeof(uint32_t));
    uint64_t *nuniq = saetm__calloc_aligned((size_t)N, sizeof(uint64_t));
    if (!s->tokens || !sorted || !nuniq) {
        saetm__free_aligned(cdf);
        saetm__free_aligned(sorted);
        saetm__free_aligned(nuniq);
        saetm_synth_free(s);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "synth: out of memory for %llu tokens",
                           (unsigned long long)s->tok_ptr[N]);
    }
#pragma omp parallel for schedule(dynamic, 64) num_threads(saetm_ctx_threads(ctx))
    for (int64_t di = 0; di < (int64_t)N; di++) {
        uint64_t d = (uint64_t)di;
        saetm__rng r;
        saetm__rng_init(&r, o->seed, SYNTH_DOCS, d);
        (void)rng_poisson(&r, o->doc_len); /* replay the length draw */
        uint32_t chosen[64];
        double w[64], sum = 0;
        uint32_t k = K;
        for (uint32_t i = 0; i < k; i++) { /* k distinct topics: rejection, k <= T */
            uint32_t t;
            int dup;
            do {
                t = (uint32_t)saetm__rng_below(&r, T);
                dup = 0;
                for (uint32_t j = 0; j < i; j++) dup |= chosen[j] == t;
            } while (dup);
            chosen[i] = t;
            sum += (w[i] = rng_gamma(&r, o->doc_alpha) + 1e-12);
        }
        double lambda = rng_gamma(&r, 4.0) * o->strength / 4.0;
        float *th = s->doc_topics + (size_t)d * T, *st = s->strengths + (size_t)d * T, *x = s->emb + (size_t)d * D;
        for (uint32_t i = 0; i < k; i++) {
            w[i] /= sum;
            th[chosen[i]] = (float)w[i];
            st[chosen[i]] = (float)(lambda * w[i]);
        }
        for (uint32_t j = 0; j < D; j++) {
            double v = o->noise * saetm__rng_normal(&r);
            for (uint32_t i = 0; i < k; i++) v += lambda * w[i] * s->directions[(size_t)chosen[i] * D + j];
            x[j] = (float)v;
        }
        uint32_t *tok = s->tokens + s->tok_ptr[d], *so = sorted + s->tok_ptr[d];
        uint64_t L = s->tok_ptr[d + 1] - s->tok_ptr[d];
        for (uint64_t i = 0; i < L; i++) {
            double u = saetm__rng_uniform(&r), acc = 0;
            uint32_t z = chosen[k - 1];
            for (uint32_t j = 0; j < k; j++)
                if (u < (acc += w[j])) {
                    z = chosen[j];
                    break;
                }
            const double *c = cdf + (size_t)z * V;
            double u2 = saetm__rng_uniform(&r);
            uint32_t lo = 0, hi = V - 1; /* first v with c[v] > u2 */
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (c[mid] > u2) hi = mid;
                else lo = mid + 1;
            }
            tok[i] = so[i] = lo;
        }
        qsort(so, (size_t)L, sizeof *so, cmp_u32);
        uint64_t u = 0;
        for (uint64_t i = 0; i < L; i++) u += i == 0 || so[i] != so[i - 1];
        nuniq[d] = u;
    }
    for (uint64_t d = 0; d < N; d++) s->row_ptr[d + 1] = s->row_ptr[d] + nuniq[d];
    s->word_ids = saetm__calloc_aligned((size_t)s->row_ptr[N], sizeof(uint32_t));
    s->counts = saetm__calloc_aligned((size_t)s->row_ptr[N], sizeof(uint32_t));
    if (s->word_ids && s->counts) {
        for (uint64_t d = 0; d < N; d++) {
            uint64_t at = s->row_ptr[d];
            for (uint64_t i = s->tok_ptr[d]; i < s->tok_ptr[d + 1]; i++) {
                if (i > s->tok_ptr[d] && sorted[i] == sorted[i - 1]) {
                    s->counts[at - 1]++;
                } else {
                    s->word_ids[at] = sorted[i];
                    s->counts[at++] = 1;
                }
            }
        }
    }
    int ok = s->word_ids && s->counts;
    saetm__free_aligned(cdf);
    saetm__free_aligned(sorted);
    saetm__free_aligned(nuniq);
    if (!ok) {
        saetm_synth_free(s);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "synth: out of memory");
    }
    *out = s;
    return SAETM_OK;
}

void saetm_synth_bow(const saetm_synth *s, saetm_bow *b)
{
    b->rows = s->o.n_docs;
    b->vocab_size = s->o.vocab_size;
    b->row_ptr = s->row_ptr;
    b->word_ids = s->word_ids;
    b->counts = s->counts;
}
const char *const *saetm_synth_vocab(const saetm_synth *s) { return (const char *const *)s->words; }
const float *saetm_synth_doc_topics(const saetm_synth *s) { return s->doc_topics; }
const float *saetm_synth_strengths(const saetm_synth *s) { return s->strengths; }
const float *saetm_synth_topic_word(const saetm_synth *s) { return s->topic_word; }
const float *saetm_synth_directions(const saetm_synth *s) { return s->directions; }
const float *saetm_synth_embeddings(const saetm_synth *s) { return s->emb; }

/* Append to a growable buffer; @return -1 when out of memory. */
static int buf_put(char **buf, size_t *len, size_t *cap, const char *src, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*cap ? *cap * 2 : 1 << 16);
        while (c < *len + n + 1) c *= 2;
        char *nb = realloc(*buf, c);
        if (!nb) return -1;
        *buf = nb;
        *cap = c;
    }
    memcpy(*buf + *len, src, n);
    *len += n;
    (*buf)[*len] = 0;
    return 0;
}

saetm_status saetm_synth_write(saetm_ctx *ctx, const saetm_synth *s, const char *dir)
{
    saetm_status st = saetm__mkdir(ctx, dir);
    if (st) return st;
    const saetm_synth_opts *o = &s->o;
    char path[4096];
    char *buf = NULL, line[64];
    size_t len = 0, cap = 0;
    int bad = 0;
    for (uint64_t d = 0; d < o->n_docs && !bad; d++) {
        int n = snprintf(line, sizeof line, "{\"id\": \"d%llu\", \"text\": \"", (unsigned long long)d);
        bad |= buf_put(&buf, &len, &cap, line, (size_t)n);
        for (uint64_t i = s->tok_ptr[d]; i < s->tok_ptr[d + 1] && !bad; i++) {
            const char *w = s->words[s->tokens[i]];
            if (i > s->tok_ptr[d]) bad |= buf_put(&buf, &len, &cap, " ", 1);
            bad |= buf_put(&buf, &len, &cap, w, strlen(w));
        }
        bad |= buf_put(&buf, &len, &cap, "\"}\n", 3);
    }
    if (bad) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "synth: out of memory for the text");
    snprintf(path, sizeof path, "%s/docs.jsonl", dir);
    if (!st) st = saetm__write_file_atomic(ctx, path, buf, len);
    len = 0;
    for (uint32_t v = 0; v < o->vocab_size && !st; v++)
        if (buf_put(&buf, &len, &cap, s->words[v], strlen(s->words[v])) || buf_put(&buf, &len, &cap, "\n", 1))
            st = saetm__fail(ctx, SAETM_ERR_NOMEM, "synth: out of memory");
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    if (!st) st = saetm__write_file_atomic(ctx, path, buf, len);
    free(buf);
    struct {
        const char *name;
        const float *data;
        uint64_t rows, cols;
    } arrays[] = {
        {"emb.npy", s->emb, o->n_docs, o->dim},
        {"true_doc_topics.npy", s->doc_topics, o->n_docs, o->n_topics},
        {"true_strengths.npy", s->strengths, o->n_docs, o->n_topics},
        {"true_topic_word.npy", s->topic_word, o->n_topics, o->vocab_size},
        {"true_directions.npy", s->directions, o->n_topics, o->dim},
    };
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0] && !st; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, arrays[i].name);
        st = saetm_npy_save(ctx, path, arrays[i].data, arrays[i].rows, arrays[i].cols);
    }
    return st;
}
