/*
 * eval.c - topic coherence (NPMI, C_V) over document co-occurrence, topic diversity, and the
 * reader of topic word files. Definitions: include/saetm.h ("Evaluation") and docs/eval.md.
 *
 * Only the topics' words are counted: an inverted index (sorted document lists) is built for the
 * union of all topics' words in one pass over the corpus, then every needed word pair's
 * co-occurrence is the size of the intersection of two lists. A word the reference does not know
 * (absent) takes part in no count: its pairs are -1 (the floor) or it is left out (skip). Pairs
 * are independent, so they are counted in parallel; counts are integers and everything after them
 * runs in a fixed order, so the result is the same for any thread count.
 */
#include "saetm_int.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

void saetm_eval_opts_default(saetm_eval_opts *opts)
{
    opts->top_n = 10;
    opts->diversity_n = 25;
    opts->npmi_eps = 0.0; /* a pair that never co-occurs at NPMI's floor -1; gensim's is 1e-12 */
    opts->missing = SAETM_EVAL_MISSING_FLOOR;
}

const char *saetm_eval_missing_name(saetm_eval_missing m)
{
    switch (m) {
    case SAETM_EVAL_MISSING_FLOOR: return "floor";
    case SAETM_EVAL_MISSING_SKIP: return "skip";
    }
    return "?";
}

int saetm_eval_missing_parse(const char *name, saetm_eval_missing *out)
{
    if (!name) return -1;
    if (strcmp(name, "floor") == 0) *out = SAETM_EVAL_MISSING_FLOOR;
    else if (strcmp(name, "skip") == 0) *out = SAETM_EVAL_MISSING_SKIP;
    else return -1;
    return 0;
}

void saetm_eval_result_free(saetm_eval_result *r)
{
    if (!r) return;
    for (uint32_t i = 0; i < r->n_missing; i++) free(r->missing[i]);
    free(r->missing);
    free(r->topics);
    free(r);
}

/* ======================================================================
 * Checks
 * ==================================================================== */

static saetm_status check_opts(saetm_ctx *ctx, const saetm_eval_opts *o)
{
    if (o->top_n < 2) return saetm__fail(ctx, SAETM_ERR_ARG, "eval: top_n must be >= 2 (got %u)", o->top_n);
    if (o->diversity_n < 1) return saetm__fail(ctx, SAETM_ERR_ARG, "eval: diversity_n must be >= 1");
    if (!(o->npmi_eps >= 0.0 && o->npmi_eps < 1.0))
        return saetm__fail(ctx, SAETM_ERR_ARG, "eval: npmi_eps must be in [0, 1) (got %g)", o->npmi_eps);
    if (o->missing != SAETM_EVAL_MISSING_FLOOR && o->missing != SAETM_EVAL_MISSING_SKIP)
        return saetm__fail(ctx, SAETM_ERR_ARG, "eval: unknown missing-word rule %d", (int)o->missing);
    return SAETM_OK;
}

static saetm_status check_ref(saetm_ctx *ctx, const saetm__eval_ref *ref)
{
    if (ref->n_docs > UINT32_MAX)
        return saetm__fail(ctx, SAETM_ERR_UNSUPPORTED, "eval: reference corpus has more than 2^32-1 documents");
    if (ref->row_ptr[0] != 0) return saetm__fail(ctx, SAETM_ERR_ARG, "eval: reference corpus: row_ptr[0] must be 0");
    for (uint64_t d = 0; d < ref->n_docs; d++) {
        uint64_t a = ref->row_ptr[d], b = ref->row_ptr[d + 1];
        if (b < a) return saetm__fail(ctx, SAETM_ERR_ARG, "eval: reference corpus: document %llu has a bad extent",
                                      (unsigned long long)d);
        for (uint64_t j = a; j < b; j++)
            if (ref->word_ids[j] >= ref->vocab_size || (j > a && ref->word_ids[j] <= ref->word_ids[j - 1]))
                return saetm__fail(ctx, SAETM_ERR_ARG,
                                   "eval: reference corpus: document %llu: word ids must be ascending and < %u",
                                   (unsigned long long)d, ref->vocab_size);
    }
    return SAETM_OK;
}

/* ======================================================================
 * Co-occurrence counting
 * ==================================================================== */

/* Number of common elements of two strictly ascending lists. */
static uint64_t intersect_count(const uint32_t *a, uint64_t na, const uint32_t *b, uint64_t nb)
{
    if (na > nb) {
        const uint32_t *t = a;
        a = b;
        b = t;
        uint64_t tn = na;
        na = nb;
        nb = tn;
    }
    uint64_t c = 0;
    if (na * 32 < nb) {
        /* Very unequal lengths: binary search each element of the short list, moving forward. */
        uint64_t lo = 0;
        for (uint64_t i = 0; i < na && lo < nb; i++) {
            uint64_t hi = nb;
            while (lo < hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (b[mid] < a[i]) lo = mid + 1;
                else hi = mid;
            }
            if (lo < nb && b[lo] == a[i]) {
                c++;
                lo++;
            }
        }
        return c;
    }
    uint64_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) i++;
        else if (a[i] > b[j]) j++;
        else {
            c++;
            i++;
            j++;
        }
    }
    return c;
}

/* NPMI from counts (n = number of documents); see the header for the definition. */
static double npmi_from_counts(uint64_t c12, uint64_t c1, uint64_t c2, uint64_t n, double eps)
{
    if (c12 == n) return 1.0; /* both words in every document: perfect association */
    double dn = (double)n;
    double p12 = (double)c12 / dn + eps;
    if (p12 <= 0.0) return -1.0; /* eps = 0 and never together: the floor, the limit value */
    /* eps = 0 and the two always together (NPMI(w, w) above all): log(1 / p) / -log(p) = 1 exactly,
     * not 1 give or take a rounding; a two-word topic that never co-occurs then has v_W = 0 exactly
     * and C_V 0, as a two-word topic with an absent word has */
    if (eps == 0.0 && c12 == c1 && c12 == c2) return 1.0;
    double p1 = (double)c1 / dn, p2 = (double)c2 / dn;
    return log(p12 / (p1 * p2)) / -log(p12);
}

/* ======================================================================
 * Scoring
 * ==================================================================== */

typedef struct eval_work {
    saetm__strmap vocab;      /* vocabulary words (interned) */
    uint32_t *vocab_id;       /* interned id -> vocabulary id (first of repeated words) */
    int32_t *uidx;            /* vocab id -> union index, or -1 */
    uint32_t *uvocab;         /* union index -> vocab id */
    uint32_t n_union;
    uint64_t *post_start;     /* n_union + 1 */
    uint32_t *post;           /* document lists */
    uint32_t *topic_u;        /* per topic, up to top_n union indices (ABSENT: an absent word) */
    uint32_t *topic_n;        /* number of them */
    uint32_t *pairs;          /* 2 per pair: union indices */
    uint64_t *pair_count;
    saetm__strmap missing;    /* unscorable words */
    saetm__strmap distinct;   /* diversity */
} eval_work;

static void work_free(eval_work *w)
{
    saetm__strmap_free(&w->vocab);
    saetm__strmap_free(&w->missing);
    saetm__strmap_free(&w->distinct);
    free(w->vocab_id);
    free(w->uidx);
    free(w->uvocab);
    free(w->post_start);
    free(w->post);
    free(w->topic_u);
    free(w->topic_n);
    free(w->pairs);
    free(w->pair_count);
}

static saetm_status oom(saetm_ctx *ctx, eval_work *w, saetm_eval_result *r)
{
    work_free(w);
    saetm_eval_result_free(r);
    return saetm__fail(ctx, SAETM_ERR_NOMEM, "eval: out of memory");
}

#define ABSENT UINT32_MAX /* a topic word the reference does not know (docs/eval.md) */

/* Note an absent word (once). @return 0, or -1 if out of memory. */
static int add_missing(eval_work *w, const char *word)
{
    uint32_t id;
    return saetm__strmap_insert(&w->missing, word, strlen(word), &id) < 0 ? -1 : 0;
}

/* @return the vocabulary id of word, or -1 if it is not in the vocabulary. */
static int64_t vocab_lookup(const eval_work *w, const char *word)
{
    uint32_t id = saetm__strmap_find(&w->vocab, word, strlen(word));
    return id == UINT32_MAX ? -1 : (int64_t)w->vocab_id[id];
}

saetm_status saetm__eval_run(saetm_ctx *ctx, const saetm__eval_ref *ref, uint32_t n_topics,
                             const char *const *words, const uint64_t *word_start,
                             const saetm_eval_opts *opts_in, saetm_eval_result **out)
{
    *out = NULL;
    saetm_eval_opts opts;
    if (opts_in) opts = *opts_in;
    else saetm_eval_opts_default(&opts);
    saetm_status st = check_opts(ctx, &opts);
    if (st) return st;
    if (word_start[0] != 0) return saetm__fail(ctx, SAETM_ERR_ARG, "eval: word_start[0] must be 0");
    for (uint32_t t = 0; t < n_topics; t++)
        if (word_start[t + 1] < word_start[t])
            return saetm__fail(ctx, SAETM_ERR_ARG, "eval: word_start must be non-decreasing (topic %u)", t);
    if ((st = check_ref(ctx, ref))) return st;

    uint64_t n_docs = 0;
    for (uint64_t d = 0; d < ref->n_docs; d++) n_docs += ref->row_ptr[d + 1] > ref->row_ptr[d];
    if (n_docs == 0) return saetm__fail(ctx, SAETM_ERR_INPUT, "eval: the reference corpus has no non-empty document");

    const uint32_t top = opts.top_n;
    eval_work w;
    memset(&w, 0, sizeof w);
    saetm_eval_result *r = calloc(1, sizeof *r);
    if (!r) return oom(ctx, &w, r);
    r->n_topics = n_topics;
    r->n_docs = n_docs;
    r->topics = calloc(n_topics ? n_topics : 1, sizeof *r->topics);
    w.vocab_id = malloc(((size_t)ref->vocab_size + 1) * sizeof *w.vocab_id);
    w.uidx = malloc(((size_t)ref->vocab_size + 1) * sizeof *w.uidx);
    w.topic_u = malloc(((size_t)n_topics * top + 1) * sizeof *w.topic_u);
    w.topic_n = calloc((size_t)n_topics + 1, sizeof *w.topic_n);
    if (!r->topics || !w.vocab_id || !w.uidx || !w.topic_u || !w.topic_n)
        return oom(ctx, &w, r);

    for (uint32_t v = 0; v < ref->vocab_size; v++) {
        w.uidx[v] = -1;
        uint32_t id;
        int added = saetm__strmap_insert(&w.vocab, ref->vocab[v], strlen(ref->vocab[v]), &id);
        if (added < 0) return oom(ctx, &w, r);
        if (added) w.vocab_id[id] = v;
    }

    /* ---- topic words -> vocabulary ids (ABSENT if not in the vocabulary), distinct, in order of
     * first appearance; the union of the vocabulary ids ---- */
    uint32_t *tv = w.topic_u; /* vocab ids for now, union indices later */
    uint64_t n_union_max = 0;
    for (uint32_t t = 0; t < n_topics; t++) {
        uint64_t nw = word_start[t + 1] - word_start[t];
        uint32_t consider = nw < top ? (uint32_t)nw : top;
        r->topics[t].n_words = consider;
        const char *const *tw = words + word_start[t];
        uint32_t *ids = tv + (size_t)t * top, n = 0;
        for (uint32_t i = 0; i < consider; i++) {
            int64_t id = vocab_lookup(&w, tw[i]);
            int dup = 0;
            if (id >= 0) { /* the same vocabulary id <=> the same string */
                for (uint32_t k = 0; k < n; k++) dup |= ids[k] == (uint32_t)id;
                n_union_max += !dup;
            } else {
                for (uint32_t k = 0; k < i && !dup; k++) dup = strcmp(tw[k], tw[i]) == 0;
            }
            if (!dup) ids[n++] = id >= 0 ? (uint32_t)id : ABSENT;
        }
        w.topic_n[t] = n;
        r->topics[t].n_distinct = n;
    }
    w.uvocab = malloc((size_t)(n_union_max + 1) * sizeof *w.uvocab);
    if (!w.uvocab) return oom(ctx, &w, r);
    for (uint32_t t = 0; t < n_topics; t++)
        for (uint32_t i = 0; i < w.topic_n[t]; i++) {
            uint32_t v = tv[(size_t)t * top + i];
            if (v != ABSENT && w.uidx[v] < 0) {
                w.uidx[v] = (int32_t)w.n_union;
                w.uvocab[w.n_union++] = v;
            }
        }

    /* ---- document lists of the union words (one pass, two sweeps) ---- */
    w.post_start = calloc((size_t)w.n_union + 1, sizeof *w.post_start);
    if (!w.post_start) return oom(ctx, &w, r);
    for (uint64_t j = 0; j < ref->row_ptr[ref->n_docs]; j++) {
        int32_t u = w.uidx[ref->word_ids[j]];
        if (u >= 0) w.post_start[u + 1]++;
    }
    for (uint32_t u = 0; u < w.n_union; u++) w.post_start[u + 1] += w.post_start[u];
    w.post = malloc((size_t)(w.post_start[w.n_union] + 1) * sizeof *w.post);
    uint64_t *fill = malloc(((size_t)w.n_union + 1) * sizeof *fill);
    if (!w.post || !fill) {
        free(fill);
        return oom(ctx, &w, r);
    }
    memcpy(fill, w.post_start, (size_t)w.n_union * sizeof *fill);
    for (uint64_t d = 0; d < ref->n_docs; d++)
        for (uint64_t j = ref->row_ptr[d]; j < ref->row_ptr[d + 1]; j++) {
            int32_t u = w.uidx[ref->word_ids[j]];
            if (u >= 0) w.post[fill[u]++] = (uint32_t)d;
        }
    free(fill);

    /* ---- each topic's words as union indices, ABSENT for a word in no document (floor) or left
     * out (skip); the pairs to count: those of two present words ---- */
    const int skip = opts.missing == SAETM_EVAL_MISSING_SKIP;
    uint64_t n_pairs = 0;
    for (uint32_t t = 0; t < n_topics; t++) {
        uint32_t *ids = tv + (size_t)t * top, n = 0, present = 0;
        for (uint32_t i = 0; i < w.topic_n[t]; i++) {
            uint32_t u = ids[i] == ABSENT ? ABSENT : (uint32_t)w.uidx[ids[i]];
            if (u != ABSENT && w.post_start[u + 1] == w.post_start[u]) u = ABSENT; /* in no document */
            if (u == ABSENT && skip) continue;
            ids[n++] = u;
            present += u != ABSENT;
        }
        /* absent words (not in the vocabulary, or in no document), in order of appearance */
        for (uint32_t i = 0; i < r->topics[t].n_words; i++) {
            const char *word = words[word_start[t] + i];
            int64_t id = vocab_lookup(&w, word);
            if ((id < 0 || w.post_start[w.uidx[id] + 1] == w.post_start[w.uidx[id]]) && add_missing(&w, word))
                return oom(ctx, &w, r);
        }
        w.topic_n[t] = n;
        r->topics[t].n_scored = present;
        r->topics[t].scored = n >= 2;
        if (n >= 2 && present >= 2) n_pairs += (uint64_t)present * (present - 1) / 2;
    }
    w.pairs = malloc((size_t)(2 * n_pairs + 2) * sizeof *w.pairs);
    w.pair_count = malloc((size_t)(n_pairs + 1) * sizeof *w.pair_count);
    if (!w.pairs || !w.pair_count) return oom(ctx, &w, r);
    uint64_t p = 0;
    for (uint32_t t = 0; t < n_topics; t++) {
        const uint32_t *ids = tv + (size_t)t * top;
        if (w.topic_n[t] < 2) continue;
        for (uint32_t i = 0; i < w.topic_n[t]; i++)
            for (uint32_t j = i + 1; j < w.topic_n[t]; j++) {
                if (ids[i] == ABSENT || ids[j] == ABSENT) continue;
                w.pairs[2 * p] = ids[i];
                w.pairs[2 * p + 1] = ids[j];
                p++;
            }
    }
    assert(p == n_pairs);
    saetm__log(ctx, SAETM_LOG_DEBUG, "eval: %u topics, %u distinct words, %llu pairs over %llu documents", n_topics,
               w.n_union, (unsigned long long)n_pairs, (unsigned long long)n_docs);

    /* ---- count co-occurrences: independent pairs, integer results ---- */
    const uint64_t *ps = w.post_start;
    const uint32_t *post = w.post, *pairs = w.pairs;
    uint64_t *pc = w.pair_count;
    int64_t np = (int64_t)n_pairs;
#pragma omp parallel for schedule(dynamic, 64) num_threads(saetm_ctx_threads(ctx)) if (np > 256)
    for (int64_t q = 0; q < np; q++) {
        uint32_t a = pairs[2 * q], b = pairs[2 * q + 1];
        pc[q] = intersect_count(post + ps[a], ps[a + 1] - ps[a], post + ps[b], ps[b + 1] - ps[b]);
    }

    /* ---- per-topic NPMI and C_V, in topic order; every NPMI pair with an absent word is -1 ---- */
    double *sim = malloc((size_t)top * top * sizeof *sim);
    double *vw = malloc((size_t)top * sizeof *vw);
    if (!sim || !vw) {
        free(sim);
        free(vw);
        return oom(ctx, &w, r);
    }
    p = 0;
    double sum_npmi = 0.0, sum_cv = 0.0;
    for (uint32_t t = 0; t < n_topics; t++) {
        const uint32_t *ids = tv + (size_t)t * top;
        uint32_t n = w.topic_n[t];
        if (n < 2) continue;
        double pair_sum = 0.0;
        for (uint32_t i = 0; i < n; i++) {
            int absent_i = ids[i] == ABSENT;
            uint64_t ci = absent_i ? 0 : ps[ids[i] + 1] - ps[ids[i]];
            sim[(size_t)i * n + i] = absent_i ? -1.0 : npmi_from_counts(ci, ci, ci, n_docs, opts.npmi_eps);
            for (uint32_t j = i + 1; j < n; j++) {
                double s = -1.0;
                if (!absent_i && ids[j] != ABSENT) {
                    uint64_t cj = ps[ids[j] + 1] - ps[ids[j]];
                    s = npmi_from_counts(pc[p++], ci, cj, n_docs, opts.npmi_eps);
                }
                sim[(size_t)i * n + j] = sim[(size_t)j * n + i] = s;
                pair_sum += s;
            }
        }
        double npmi = pair_sum / ((double)n * (n - 1) / 2.0);
        /* C_V: cosine of each word's NPMI context vector with the topic's summed vector, over the
         * present words; an absent word has no context vector (it is in none of them) and its
         * term of the mean is -1, a cosine's floor. */
        double norm_w = 0.0;
        for (uint32_t j = 0; j < n; j++) {
            vw[j] = 0.0;
            if (ids[j] == ABSENT) continue;
            for (uint32_t i = 0; i < n; i++)
                if (ids[i] != ABSENT) vw[j] += sim[(size_t)i * n + j];
            norm_w += vw[j] * vw[j];
        }
        norm_w = sqrt(norm_w);
        double cv = 0.0;
        for (uint32_t i = 0; i < n; i++) {
            if (ids[i] == ABSENT) {
                cv -= 1.0;
                continue;
            }
            double dot = 0.0, norm_i = 0.0;
            for (uint32_t j = 0; j < n; j++) {
                if (ids[j] == ABSENT) continue;
                dot += sim[(size_t)i * n + j] * vw[j];
                norm_i += sim[(size_t)i * n + j] * sim[(size_t)i * n + j];
            }
            norm_i = sqrt(norm_i);
            cv += norm_i > 0.0 && norm_w > 0.0 ? dot / (norm_i * norm_w) : 0.0;
        }
        cv /= (double)n;
        r->topics[t].npmi = npmi;
        r->topics[t].cv = cv;
        r->n_scored_topics++;
        sum_npmi += npmi;
        sum_cv += cv;
    }
    free(sim);
    free(vw);
    if (r->n_scored_topics) {
        r->npmi_mean = sum_npmi / r->n_scored_topics;
        r->cv_mean = sum_cv / r->n_scored_topics;
    }

    /* ---- diversity over the first diversity_n words (as given, scorable or not) ---- */
    for (uint32_t t = 0; t < n_topics; t++) {
        uint64_t nw = word_start[t + 1] - word_start[t];
        if (nw < opts.diversity_n) r->diversity_short++;
        uint64_t take = nw < opts.diversity_n ? nw : opts.diversity_n;
        for (uint64_t i = 0; i < take; i++) {
            const char *word = words[word_start[t] + i];
            uint32_t id;
            if (saetm__strmap_insert(&w.distinct, word, strlen(word), &id) < 0) return oom(ctx, &w, r);
        }
        r->diversity_words += take;
    }
    r->diversity_distinct = w.distinct.count;
    if (r->diversity_words) r->diversity = (double)r->diversity_distinct / (double)r->diversity_words;

    /* ---- unscorable words, in order of first appearance ---- */
    uint32_t nm = w.missing.count;
    r->missing = calloc(nm ? nm : 1, sizeof *r->missing);
    if (!r->missing) return oom(ctx, &w, r);
    for (uint32_t i = 0; i < nm; i++) {
        r->missing[i] = saetm__strdup(saetm__strmap_key(&w.missing, i, NULL));
        if (!r->missing[i]) return oom(ctx, &w, r);
        r->n_missing = i + 1;
    }
    work_free(&w);
    *out = r;
    return SAETM_OK;
}

/* ======================================================================
 * Topic word files
 * ==================================================================== */

void saetm_topic_words_free(saetm_topic_words *tw)
{
    if (!tw) return;
    free(tw->word_start);
    free(tw->words);
    free(tw->prob);
    free(tw->owner_);
    free(tw);
}

saetm_status saetm_topic_words_read(saetm_ctx *ctx, const char *path, saetm_topic_words **out)
{
    *out = NULL;
    saetm__mapped m;
    saetm_status st = saetm__map_file(ctx, path, &m);
    if (st) return st;
    const char *s = (const char *)m.data;
    size_t n = m.size;
    /* Validate and count: lines (topics) and words. */
    uint64_t lines = 0, nwords = 0, line = 1;
    int in_word = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            lines++;
            line++;
            in_word = 0;
            i++;
            continue;
        }
        if (c == 0) {
            saetm__unmap(&m);
            return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: NUL byte in a topic word file", path,
                               (unsigned long long)line);
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            in_word = 0;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            saetm__unmap(&m);
            return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: invalid UTF-8 (byte 0x%02x)", path,
                               (unsigned long long)line, c);
        }
        if (!in_word) nwords++;
        in_word = 1;
        i += (size_t)k;
    }
    if (n > 0 && s[n - 1] != '\n') lines++; /* last line without newline */
    if (lines == 0) {
        saetm__unmap(&m);
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: no topics (the file is empty)", path);
    }
    if (lines > UINT32_MAX - 1) {
        saetm__unmap(&m);
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: too many lines", path);
    }
    saetm_topic_words *tw = calloc(1, sizeof *tw);
    char *buf = malloc(n + 1);
    if (tw) {
        tw->word_start = calloc((size_t)lines + 1, sizeof *tw->word_start);
        tw->words = malloc((size_t)(nwords + 1) * sizeof *tw->words);
        tw->owner_ = buf;
    }
    if (!tw || !buf || !tw->word_start || !tw->words) {
        if (tw) saetm_topic_words_free(tw);
        else free(buf);
        saetm__unmap(&m);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(buf, s, n);
    buf[n] = 0;
    saetm__unmap(&m);
    /* Split in place: separators become NULs. */
    uint64_t t = 0, k = 0;
    for (size_t i = 0; i < n;) {
        char c = buf[i];
        if (c == '\n') {
            buf[i++] = 0;
            tw->word_start[++t] = k;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            buf[i++] = 0;
            continue;
        }
        tw->words[k++] = buf + i;
        while (i < n && buf[i] != '\n' && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r') i++;
    }
    if (t < lines) tw->word_start[++t] = k;
    tw->n_topics = (uint32_t)lines;
    *out = tw;
    return SAETM_OK;
}
