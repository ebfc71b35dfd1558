/*
 * test_eval.c - topic evaluation core: hand-computed NPMI / C_V / diversity, absent words under
 * both rules (floor, skip), refusals, reference corpora from documents or corpus files, the topic
 * word file reader, 1-vs-N-thread determinism.
 *
 * Also a harness for tests/eval/test_eval.py (cross-check against an independent Python
 * implementation and gensim): `test_eval --score DOCS TOPICS TOP_N DIV_N EPS THREADS MISSING` reads a
 * reference corpus in a plain text form (line 1: the vocabulary, space-separated; then one line per
 * document: its word ids, ascending) and a topic word file, and prints the scores as JSON (MISSING:
 * floor or skip).
 */
#include "saetm_int.h"
#include "test.h"

#include <stdint.h>

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct toy {
    saetm__eval_ref ref;
    uint64_t row_ptr[16];
    uint32_t ids[64];
} toy;

/* d0: a b | d1: a b c | d2: c | d3: (empty) | d4: a d ; vocab a b c d e (e in no document) */
static const char *const toy_vocab[] = {"a", "b", "c", "d", "e"};

static void toy_init(toy *t)
{
    static const uint64_t rp[] = {0, 2, 5, 6, 6, 8};
    static const uint32_t ids[] = {0, 1, 0, 1, 2, 2, 0, 3};
    memcpy(t->row_ptr, rp, sizeof rp);
    memcpy(t->ids, ids, sizeof ids);
    t->ref.n_docs = 5;
    t->ref.row_ptr = t->row_ptr;
    t->ref.word_ids = t->ids;
    t->ref.vocab_size = 5;
    t->ref.vocab = toy_vocab;
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* C_V of one topic from its NPMI matrix S (n x n, row-major), written out from the definition. */
static double cv_of(const double *S, int n)
{
    double vw[8], nw = 0, cv = 0;
    for (int j = 0; j < n; j++) {
        vw[j] = 0;
        for (int i = 0; i < n; i++) vw[j] += S[i * n + j];
        nw += vw[j] * vw[j];
    }
    for (int i = 0; i < n; i++) {
        double dot = 0, ni = 0;
        for (int j = 0; j < n; j++) {
            dot += S[i * n + j] * vw[j];
            ni += S[i * n + j] * S[i * n + j];
        }
        cv += dot / (sqrt(ni) * sqrt(nw));
    }
    return cv / n;
}

/* NPMI of a pair from p(w1, w2), p(w1), p(w2) and the smoothing eps, written out from the definition
 * (eps = 0 and p12 = 0: the floor, the formula's limit). */
static double npmi_of(double p12, double p1, double p2, double eps)
{
    if (p12 + eps <= 0.0) return -1.0;
    return log((p12 + eps) / (p1 * p2)) / -log(p12 + eps);
}

/* NPMI(w, w) from df(w) / N: exactly 1 at eps = 0, a little below with eps > 0. */
static double self_npmi(double p, double eps)
{
    return npmi_of(p, p, p, eps);
}

#define GENSIM_EPS 1e-12 /* gensim's c_npmi smoothing: saetm eval --npmi-eps 1e-12 */

/* topic 0: a b zzz c (zzz not in the vocabulary); topic 1: a b; topic 2: e d (e is in no
 * document); topic 3: zzz yyy zzz (nothing known); topic 4: zzz zzz (one distinct word) */
static const char *const hand_words[] = {"a", "b", "zzz", "c", "a", "b", "e", "d", "zzz", "yyy", "zzz", "zzz", "zzz"};
static const uint64_t hand_ws[] = {0, 4, 6, 8, 11, 13};

static void test_hand_computed_skip(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    toy t;
    toy_init(&t);
    saetm_eval_opts o;
    saetm_eval_opts_default(&o);
    o.missing = SAETM_EVAL_MISSING_SKIP;
    saetm_eval_result *r = NULL;
    CHECK(saetm__eval_run(ctx, &t.ref, 5, hand_words, hand_ws, &o, &r) == SAETM_OK);
    if (!r) return;
    CHECK_EQ_INT(r->n_docs, 4);
    CHECK_EQ_INT(r->n_topics, 5);
    /* N = 4, df a=3 b=2 c=2 d=1; co(a,b)=2 co(a,c)=1 co(b,c)=1 */
    double ab = log(4.0 / 3.0) / log(2.0), ac = log(2.0 / 3.0) / log(4.0), bc = 0.0;
    CHECK_NEAR(r->topics[0].npmi, (ab + ac + bc) / 3.0, 1e-9);
    CHECK_EQ_INT(r->topics[0].n_words, 4);
    CHECK_EQ_INT(r->topics[0].n_distinct, 4);
    CHECK_EQ_INT(r->topics[0].n_scored, 3);
    CHECK(r->topics[0].scored);
    CHECK_NEAR(r->topics[1].npmi, ab, 1e-9);
    CHECK(!r->topics[2].scored); /* d alone is known */
    CHECK_EQ_INT(r->topics[2].n_scored, 1);
    CHECK(!r->topics[3].scored && !r->topics[4].scored);
    CHECK_EQ_INT(r->topics[3].n_distinct, 2);
    CHECK_EQ_INT(r->topics[3].n_scored, 0);
    CHECK_EQ_INT(r->n_scored_topics, 2);
    CHECK_NEAR(r->npmi_mean, ((ab + ac + bc) / 3.0 + ab) / 2.0, 1e-9);
    CHECK_EQ_INT(r->n_missing, 3);
    if (r->n_missing == 3) {
        CHECK(strcmp(r->missing[0], "zzz") == 0);
        CHECK(strcmp(r->missing[1], "e") == 0);
        CHECK(strcmp(r->missing[2], "yyy") == 0);
    }
    /* C_V of topic 1 by hand: S = [[s_aa, ab], [ab, s_bb]] with s_ww = NPMI(w, w) (~1). */
    double saa = self_npmi(0.75, 0.0), sbb = self_npmi(0.5, 0.0); /* the default eps, 0 */
    double vw0 = saa + ab, vw1 = ab + sbb, nw = sqrt(vw0 * vw0 + vw1 * vw1);
    double c0 = (saa * vw0 + ab * vw1) / (sqrt(saa * saa + ab * ab) * nw);
    double c1 = (ab * vw0 + sbb * vw1) / (sqrt(ab * ab + sbb * sbb) * nw);
    CHECK_NEAR(r->topics[1].cv, (c0 + c1) / 2.0, 1e-9);
    double S0[9] = {saa, ab, ac, ab, sbb, bc, ac, bc, self_npmi(0.5, 0.0)};
    CHECK_NEAR(r->topics[0].cv, cv_of(S0, 3), 1e-9);
    /* diversity: 13 words given, all topics shorter than 25; distinct: a b zzz c e d yyy = 7 */
    CHECK_EQ_INT(r->diversity_words, 13);
    CHECK_EQ_INT(r->diversity_short, 5);
    CHECK_NEAR(r->diversity, 7.0 / 13.0, 1e-15);
    CHECK_EQ_INT(r->diversity_distinct, 7);
    saetm_eval_result_free(r);
    saetm_ctx_free(ctx);
}

/* The default rule: every pair with an absent word scores -1 and an absent word's C_V term is -1,
 * whatever the eps. opts NULL: the defaults (eps 0). */
static void hand_computed_floor(const saetm_eval_opts *opts)
{
    saetm_ctx *ctx = saetm_ctx_create();
    toy t;
    toy_init(&t);
    double eps = opts ? opts->npmi_eps : 0.0;
    saetm_eval_result *r = NULL;
    CHECK(saetm__eval_run(ctx, &t.ref, 5, hand_words, hand_ws, opts, &r) == SAETM_OK);
    if (!r) return;
    /* N = 4, df a=3 b=2 c=2; co(a,b)=2 co(a,c)=1 co(b,c)=1 */
    double ab = npmi_of(0.5, 0.75, 0.5, eps), ac = npmi_of(0.25, 0.75, 0.5, eps), bc = npmi_of(0.25, 0.5, 0.5, eps);
    if (eps == 0.0) { /* the closed forms */
        CHECK_NEAR(ab, log(4.0 / 3.0) / log(2.0), 1e-15);
        CHECK_NEAR(ac, log(2.0 / 3.0) / log(4.0), 1e-15);
        CHECK_NEAR(bc, 0.0, 1e-15);
    }
    double saa = self_npmi(0.75, eps), sbb = self_npmi(0.5, eps);
    /* topic 0: pairs ab, a-zzz, ac, b-zzz, bc, zzz-c: three of them -1 */
    double t0 = (ab + ac + bc - 3.0) / 6.0;
    CHECK_NEAR(r->topics[0].npmi, t0, 1e-9);
    CHECK(r->topics[0].npmi < (ab + ac + bc) / 3.0); /* the absent word counts against the topic */
    double S0[9] = {saa, ab, ac, ab, sbb, bc, ac, bc, self_npmi(0.5, eps)};
    CHECK_NEAR(r->topics[0].cv, (3.0 * cv_of(S0, 3) - 1.0) / 4.0, 1e-9);
    CHECK_EQ_INT(r->topics[0].n_scored, 3);
    CHECK_EQ_INT(r->topics[0].n_distinct, 4);
    /* topic 1 has no absent word: as with skip */
    double S1[4] = {saa, ab, ab, sbb};
    CHECK_NEAR(r->topics[1].npmi, ab, 1e-9);
    CHECK_NEAR(r->topics[1].cv, cv_of(S1, 2), 1e-9);
    /* topic 2: e d, one pair, e absent: NPMI -1; C_V = (cos(v_d, v_d) + (-1)) / 2 = 0 */
    CHECK(r->topics[2].scored);
    CHECK_NEAR(r->topics[2].npmi, -1.0, 0);
    CHECK_NEAR(r->topics[2].cv, 0.0, 1e-12);
    CHECK_EQ_INT(r->topics[2].n_scored, 1);
    CHECK_EQ_INT(r->topics[2].n_distinct, 2);
    /* topic 3: zzz yyy (zzz counted once): the floor of both */
    CHECK(r->topics[3].scored);
    CHECK_NEAR(r->topics[3].npmi, -1.0, 0);
    CHECK_NEAR(r->topics[3].cv, -1.0, 0);
    /* topic 4: one distinct word, not scored */
    CHECK(!r->topics[4].scored);
    CHECK_EQ_INT(r->topics[4].n_distinct, 1);
    CHECK_EQ_INT(r->n_scored_topics, 4);
    CHECK_NEAR(r->npmi_mean, (t0 + ab - 1.0 - 1.0) / 4.0, 1e-9);
    CHECK_EQ_INT(r->n_missing, 3);
    if (r->n_missing == 3) CHECK(strcmp(r->missing[0], "zzz") == 0 && strcmp(r->missing[2], "yyy") == 0);
    CHECK_NEAR(r->diversity, 7.0 / 13.0, 1e-15); /* diversity does not depend on the rule */
    saetm_eval_result_free(r);
    saetm_ctx_free(ctx);
}

static void test_hand_computed_floor(void)
{
    hand_computed_floor(NULL); /* the defaults: eps 0 */
    saetm_eval_opts o;
    saetm_eval_opts_default(&o);
    o.npmi_eps = GENSIM_EPS;
    hand_computed_floor(&o);
}

/* A pair that never co-occurs: at the default eps 0 exactly NPMI's floor -1; at gensim's eps above it,
 * -1 + log(p1 p2) / log(eps). Toy: b in d0 d1, d in d4 (N = 4); a with d in d4. */
static void test_never_cooccurring(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    toy t;
    toy_init(&t);
    const char *words[] = {"b", "d", "a", "b", "d"};
    uint64_t ws[] = {0, 2, 5};
    saetm_eval_opts o;
    saetm_eval_opts_default(&o);
    CHECK(o.npmi_eps == 0.0);
    saetm_eval_result *r = NULL;
    CHECK(saetm__eval_run(ctx, &t.ref, 2, words, ws, NULL, &r) == SAETM_OK);
    double ab = log(4.0 / 3.0) / log(2.0), ad = log(4.0 / 3.0) / log(4.0);
    if (r) {
        CHECK(r->topics[0].npmi == -1.0); /* exactly the floor */
        /* S = [[1, -1], [-1, 1]]: v_W = 0 exactly (NPMI(w, w) is exactly 1 at eps 0), so C_V = 0, as for a
         * two-word topic with an absent word */
        CHECK(r->topics[0].cv == 0.0);
        CHECK_NEAR(r->topics[1].npmi, (ab + ad - 1.0) / 3.0, 1e-12);
        double S1[9] = {1.0, ab, ad, ab, 1.0, -1.0, ad, -1.0, 1.0};
        CHECK_NEAR(r->topics[1].cv, cv_of(S1, 3), 1e-12);
        saetm_eval_result_free(r);
    }
    o.npmi_eps = GENSIM_EPS;
    r = NULL;
    CHECK(saetm__eval_run(ctx, &t.ref, 2, words, ws, &o, &r) == SAETM_OK);
    if (r) {
        double bd = -1.0 + log(0.5 * 0.25) / log(GENSIM_EPS); /* about -0.925 */
        CHECK_NEAR(bd, npmi_of(0.0, 0.5, 0.25, GENSIM_EPS), 1e-15);
        CHECK_NEAR(r->topics[0].npmi, bd, 1e-12);
        CHECK(r->topics[0].npmi > -0.93 && r->topics[0].npmi < -0.92);
        double sbb = self_npmi(0.5, GENSIM_EPS), sdd = self_npmi(0.25, GENSIM_EPS);
        double S0[4] = {sbb, bd, bd, sdd};
        CHECK_NEAR(r->topics[0].cv, cv_of(S0, 2), 1e-9);
        double abe = npmi_of(0.5, 0.75, 0.5, GENSIM_EPS), ade = npmi_of(0.25, 0.75, 0.25, GENSIM_EPS);
        CHECK_NEAR(r->topics[1].npmi, (abe + ade + bd) / 3.0, 1e-12);
        double S1[9] = {self_npmi(0.75, GENSIM_EPS), abe, ade, abe, sbb, bd, ade, bd, sdd};
        CHECK_NEAR(r->topics[1].cv, cv_of(S1, 3), 1e-9);
        saetm_eval_result_free(r);
    }
    saetm_ctx_free(ctx);
}

static void test_missing_names(void)
{
    saetm_eval_missing m = SAETM_EVAL_MISSING_SKIP;
    CHECK(saetm_eval_missing_parse("floor", &m) == 0 && m == SAETM_EVAL_MISSING_FLOOR);
    CHECK(saetm_eval_missing_parse("skip", &m) == 0 && m == SAETM_EVAL_MISSING_SKIP);
    CHECK(saetm_eval_missing_parse("Floor", &m) == -1 && m == SAETM_EVAL_MISSING_SKIP);
    CHECK(saetm_eval_missing_parse(NULL, &m) == -1);
    CHECK(strcmp(saetm_eval_missing_name(SAETM_EVAL_MISSING_FLOOR), "floor") == 0);
    CHECK(strcmp(saetm_eval_missing_name(SAETM_EVAL_MISSING_SKIP), "skip") == 0);
    CHECK(strcmp(saetm_eval_missing_name((saetm_eval_missing)9), "?") == 0);
}

static void test_top_n_and_edges(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    toy t;
    toy_init(&t);
    saetm_eval_opts o;
    saetm_eval_opts_default(&o);
    CHECK_EQ_INT(o.top_n, 10);
    CHECK_EQ_INT(o.diversity_n, 25);
    CHECK(o.npmi_eps == 0.0); /* a pair that never co-occurs at NPMI's floor */
    CHECK(o.missing == SAETM_EVAL_MISSING_FLOOR);
    /* top_n = 2: only "a b" of "a b c" count; diversity_n = 1: first words only */
    const char *words[] = {"a", "b", "c", "c", "a", "a", "a"};
    uint64_t ws[] = {0, 3, 7};
    o.top_n = 2;
    o.diversity_n = 1;
    saetm_eval_result *r = NULL;
    CHECK(saetm__eval_run(ctx, &t.ref, 2, words, ws, &o, &r) == SAETM_OK);
    if (r) {
        CHECK_NEAR(r->topics[0].npmi, log(4.0 / 3.0) / log(2.0), 1e-9);
        CHECK_EQ_INT(r->topics[0].n_words, 2);
        /* topic 1: "c a": NPMI(a, c) */
        CHECK_NEAR(r->topics[1].npmi, log(2.0 / 3.0) / log(4.0), 1e-9);
        CHECK_NEAR(r->diversity, 1.0, 0); /* "a", "c" */
        CHECK_EQ_INT(r->diversity_short, 0);
        saetm_eval_result_free(r);
    }
    /* repeated words count once for coherence, but as given for diversity */
    const char *rep[] = {"a", "a", "b"};
    uint64_t ws2[] = {0, 3};
    r = NULL;
    CHECK(saetm__eval_run(ctx, &t.ref, 1, rep, ws2, NULL, &r) == SAETM_OK);
    if (r) {
        CHECK_EQ_INT(r->topics[0].n_scored, 2);
        CHECK_NEAR(r->topics[0].npmi, log(4.0 / 3.0) / log(2.0), 1e-9);
        CHECK_NEAR(r->diversity, 2.0 / 3.0, 1e-15);
        saetm_eval_result_free(r);
    }
    /* two words in every document: NPMI 1 by definition, C_V 1 */
    uint64_t rp[] = {0, 2, 5, 7};
    uint32_t ids[] = {0, 1, 0, 1, 2, 0, 1};
    saetm__eval_ref all = {3, rp, ids, 5, toy_vocab};
    const char *ab[] = {"a", "b"};
    uint64_t ws3[] = {0, 2};
    r = NULL;
    CHECK(saetm__eval_run(ctx, &all, 1, ab, ws3, NULL, &r) == SAETM_OK);
    if (r) {
        CHECK_NEAR(r->topics[0].npmi, 1.0, 0);
        CHECK_NEAR(r->topics[0].cv, 1.0, 1e-12);
        saetm_eval_result_free(r);
    }
    /* eps = 0 (the default) and words that never meet: -1, not NaN; C_V 0 (v_W = 0) */
    uint64_t rp2[] = {0, 1, 2};
    uint32_t ids2[] = {0, 1};
    saetm__eval_ref apart = {2, rp2, ids2, 5, toy_vocab};
    o.top_n = 10;
    o.npmi_eps = 0.0;
    r = NULL;
    CHECK(saetm__eval_run(ctx, &apart, 1, ab, ws3, &o, &r) == SAETM_OK);
    if (r) {
        CHECK_NEAR(r->topics[0].npmi, -1.0, 0);
        CHECK(r->topics[0].cv == 0.0);
        saetm_eval_result_free(r);
    }
    /* zero topics: fine, nothing scored */
    r = NULL;
    CHECK(saetm__eval_run(ctx, &t.ref, 0, words, ws, NULL, &r) == SAETM_OK);
    if (r) {
        CHECK_EQ_INT(r->n_scored_topics, 0);
        CHECK(r->npmi_mean == 0.0 && r->diversity == 0.0);
        saetm_eval_result_free(r);
    }
    saetm_ctx_free(ctx);
}

static void test_refusals(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    toy t;
    toy_init(&t);
    const char *words[] = {"a", "b"};
    uint64_t ws[] = {0, 2};
    saetm_eval_result *r = (saetm_eval_result *)1;
    saetm_eval_opts o;
    saetm_eval_opts_default(&o);
    o.top_n = 1;
    CHECK(saetm__eval_run(ctx, &t.ref, 1, words, ws, &o, &r) == SAETM_ERR_ARG);
    CHECK(r == NULL);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "top_n");
    saetm_eval_opts_default(&o);
    o.npmi_eps = 1.0;
    CHECK(saetm__eval_run(ctx, &t.ref, 1, words, ws, &o, &r) == SAETM_ERR_ARG);
    saetm_eval_opts_default(&o);
    o.missing = (saetm_eval_missing)2;
    CHECK(saetm__eval_run(ctx, &t.ref, 1, words, ws, &o, &r) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "missing-word rule");
    uint64_t bad_ws[] = {0, 3, 2};
    CHECK(saetm__eval_run(ctx, &t.ref, 2, words, bad_ws, NULL, &r) == SAETM_ERR_ARG);
    t.ids[1] = 0; /* d0: a a -> not ascending */
    CHECK(saetm__eval_run(ctx, &t.ref, 1, words, ws, NULL, &r) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "document 0");
    t.ids[1] = 7; /* >= vocab size */
    CHECK(saetm__eval_run(ctx, &t.ref, 1, words, ws, NULL, &r) == SAETM_ERR_ARG);
    uint64_t rp[] = {0, 0, 0};
    saetm__eval_ref empty = {2, rp, t.ids, 5, toy_vocab};
    CHECK(saetm__eval_run(ctx, &empty, 1, words, ws, NULL, &r) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "no non-empty document");
    saetm_ctx_free(ctx);
}

/* A random corpus: scores must be identical at 1 and 3 threads. */
static void test_threads_identical(void)
{
    enum { N = 3000, V = 400, K = 30, TOP = 12 };
    static const char *const absent[] = {"nope", "nada", "w99999"};
    uint64_t *rp = malloc((N + 1) * sizeof *rp);
    uint32_t *ids = malloc((size_t)N * V / 8 * sizeof *ids);
    char **vocab = malloc(V * sizeof *vocab);
    const char **words = malloc(K * TOP * sizeof *words);
    uint64_t ws[K + 1];
    saetm__rng g;
    saetm__rng_init(&g, 7, 0, 0);
    for (int v = 0; v < V; v++) {
        vocab[v] = malloc(16);
        snprintf(vocab[v], 16, "w%d", v);
    }
    rp[0] = 0;
    for (int d = 0; d < N; d++) {
        uint64_t k = rp[d];
        int topic = (int)saetm__rng_below(&g, 10);
        for (int v = 0; v < V; v++) {
            /* words near 40 * topic are likelier: themes, so NPMI is not all noise */
            double pr = (v / 40 == topic) ? 0.15 : 0.01;
            if (k < rp[d] + V / 8 && saetm__rng_uniform(&g) < pr) ids[k++] = (uint32_t)v;
        }
        rp[d + 1] = k;
    }
    for (int t = 0; t < K; t++) {
        ws[t] = (uint64_t)t * TOP;
        for (int i = 0; i < TOP; i++) /* one word in 10 absent from the reference */
            words[t * TOP + i] = saetm__rng_below(&g, 10) == 0 ? absent[saetm__rng_below(&g, 3)]
                                                               : vocab[saetm__rng_below(&g, V)];
    }
    ws[K] = K * TOP;
    saetm__eval_ref ref = {N, rp, ids, V, (const char *const *)vocab};
    saetm_ctx *ctx = saetm_ctx_create();
    for (int mode = 0; mode < 2; mode++) {
        saetm_eval_opts o;
        saetm_eval_opts_default(&o);
        o.missing = mode ? SAETM_EVAL_MISSING_SKIP : SAETM_EVAL_MISSING_FLOOR;
        saetm_eval_result *r1 = NULL, *r3 = NULL;
        saetm_ctx_set_threads(ctx, 1);
        CHECK(saetm__eval_run(ctx, &ref, K, words, ws, &o, &r1) == SAETM_OK);
        saetm_ctx_set_threads(ctx, 3);
        CHECK(saetm__eval_run(ctx, &ref, K, words, ws, &o, &r3) == SAETM_OK);
        if (r1 && r3) {
            CHECK(r1->n_missing >= 1);
            CHECK(memcmp(r1->topics, r3->topics, K * sizeof *r1->topics) == 0);
            CHECK(r1->npmi_mean == r3->npmi_mean && r1->cv_mean == r3->cv_mean);
            CHECK_EQ_INT(r1->n_scored_topics, K);
            for (int t = 0; t < K; t++) {
                CHECK(r1->topics[t].npmi >= -1.0 && r1->topics[t].npmi <= 1.0);
                CHECK(r1->topics[t].cv >= -1.0 && r1->topics[t].cv <= 1.0 + 1e-12);
            }
        }
        saetm_eval_result_free(r1);
        saetm_eval_result_free(r3);
    }
    saetm_ctx_free(ctx);
    for (int v = 0; v < V; v++) free(vocab[v]);
    free(vocab);
    free(words);
    free(rp);
    free(ids);
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(data, 1, n, f);
    fclose(f);
}

static void test_topic_words_read(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    char path[4096];
    snprintf(path, sizeof path, "%s/tw.txt", test_tmpdir());
    const char good[] = "alpha beta\tgamma\r\n\n  delta  \nepsilon"; /* CRLF, empty topic, no final newline */
    write_file(path, good, sizeof good - 1);
    saetm_topic_words *tw = NULL;
    CHECK(saetm_topic_words_read(ctx, path, &tw) == SAETM_OK);
    if (tw) {
        CHECK_EQ_INT(tw->n_topics, 4);
        CHECK_EQ_INT(tw->word_start[0], 0);
        CHECK_EQ_INT(tw->word_start[1], 3);
        CHECK_EQ_INT(tw->word_start[2], 3);
        CHECK_EQ_INT(tw->word_start[3], 4);
        CHECK_EQ_INT(tw->word_start[4], 5);
        CHECK(strcmp(tw->words[2], "gamma") == 0);
        CHECK(strcmp(tw->words[3], "delta") == 0);
        CHECK(strcmp(tw->words[4], "epsilon") == 0);
        saetm_topic_words_free(tw);
    }
    const char two[] = "a b\nc d\n";
    write_file(path, two, sizeof two - 1);
    tw = NULL;
    CHECK(saetm_topic_words_read(ctx, path, &tw) == SAETM_OK);
    if (tw) {
        CHECK_EQ_INT(tw->n_topics, 2);
        saetm_topic_words_free(tw);
    }
    const char utf[] = "caf\xc3\xa9 na\xc3\xafve\n";
    write_file(path, utf, sizeof utf - 1);
    tw = NULL;
    CHECK(saetm_topic_words_read(ctx, path, &tw) == SAETM_OK);
    if (tw) {
        CHECK(strcmp(tw->words[0], "caf\xc3\xa9") == 0);
        saetm_topic_words_free(tw);
    }
    const char bad[] = "ok words\nbad \xff word\n";
    write_file(path, bad, sizeof bad - 1);
    CHECK(saetm_topic_words_read(ctx, path, &tw) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "tw.txt:2: invalid UTF-8");
    const char nul[] = "a\0b\n";
    write_file(path, nul, sizeof nul - 1);
    CHECK(saetm_topic_words_read(ctx, path, &tw) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "NUL");
    write_file(path, "", 0);
    CHECK(saetm_topic_words_read(ctx, path, &tw) == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "no topics");
    snprintf(path, sizeof path, "%s/missing.txt", test_tmpdir());
    CHECK(saetm_topic_words_read(ctx, path, &tw) == SAETM_ERR_IO);
    saetm_ctx_free(ctx);
}

/* saetm_eval_reference_open: raw documents are built with every word kept (min_df 1); a corpus file
 * is recognised by its magic whatever its name; other saetm files and bad records are refused. */
static void test_reference_open(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_corpus_opts ro;
    saetm_eval_reference_opts_default(&ro);
    CHECK_EQ_INT(ro.min_df, 1);
    CHECK(ro.max_df == 1.0);
    CHECK_EQ_INT(ro.max_vocab, 0);
    CHECK(ro.preprocess == SAETM_PREPROCESS_FULL); /* the rest as saetm_corpus_opts_default */
    char docs[4096], copy[4096], bad[4096];
    snprintf(docs, sizeof docs, "%s/ref.jsonl", test_tmpdir());
    snprintf(copy, sizeof copy, "%s/ref_corpus.txt", test_tmpdir());
    snprintf(bad, sizeof bad, "%s/bad.jsonl", test_tmpdir());
    /* "rare" is in one document of three, "every" in all of them */
    const char jl[] = "{\"text\": \"every rare one\"}\n{\"text\": \"every two\"}\n{\"text\": \"every one two\"}\n";
    write_file(docs, jl, sizeof jl - 1);
    ro.preprocess = SAETM_PREPROCESS_NONE;
    ro.tmp_dir = test_tmpdir();
    saetm_corpus *c = NULL;
    int built = -1;
    CHECK(saetm_eval_reference_open(ctx, docs, &ro, &c, &built) == SAETM_OK);
    CHECK_EQ_INT(built, 1);
    if (c) {
        CHECK_EQ_INT(saetm_corpus_num_docs(c), 3);
        CHECK_EQ_INT(saetm_corpus_vocab_size(c), 4); /* every, rare, one, two: all kept */
        CHECK(saetm_corpus_word_id(c, "rare") != UINT32_MAX);
        CHECK(saetm_corpus_word_id(c, "every") != UINT32_MAX);
        /* "rare one": together in 1 of 3 documents, rare in 1, one in 2: NPMI = log(3/2) / log(3) */
        const char *w[] = {"rare", "one"};
        uint64_t ws[] = {0, 2};
        saetm_eval_result *r = NULL;
        CHECK(saetm_eval_topics(ctx, c, 1, w, ws, NULL, &r) == SAETM_OK);
        if (r) CHECK_NEAR(r->topics[0].npmi, log(1.5) / log(3.0), 1e-9);
        saetm_eval_result_free(r);
        CHECK(saetm_corpus_save(ctx, c, copy) == SAETM_OK);
        saetm_corpus_free(c);
    }
    /* the same corpus saved under a .txt name: loaded, not read as text */
    c = NULL;
    CHECK(saetm_eval_reference_open(ctx, copy, NULL, &c, &built) == SAETM_OK);
    CHECK_EQ_INT(built, 0);
    if (c) CHECK_EQ_INT(saetm_corpus_vocab_size(c), 4);
    saetm_corpus_free(c);
    /* the default options (min_df 1) on raw text, FULL preprocessing */
    c = NULL;
    CHECK(saetm_eval_reference_open(ctx, docs, NULL, &c, NULL) == SAETM_OK);
    if (c) CHECK(saetm_corpus_word_id(c, "rare") != UINT32_MAX);
    saetm_corpus_free(c);
    /* a JSONL line without the text field: file and line named */
    const char bl[] = "{\"text\": \"fine\"}\n{\"body\": \"no text here\"}\n";
    write_file(bad, bl, sizeof bl - 1);
    c = NULL;
    CHECK(saetm_eval_reference_open(ctx, bad, &ro, &c, &built) == SAETM_ERR_INPUT);
    CHECK(c == NULL);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "bad.jsonl:2");
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "text");
    /* another saetm file: refused, naming its kind, not read as text */
    char fake[128] = "SAETMSAE"; /* a header's length, zeros after the magic */
    write_file(bad, fake, sizeof fake);
    CHECK(saetm_eval_reference_open(ctx, bad, &ro, &c, &built) != SAETM_OK);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "SAETMSAE");
    snprintf(bad, sizeof bad, "%s/none.jsonl", test_tmpdir());
    CHECK(saetm_eval_reference_open(ctx, bad, &ro, &c, &built) == SAETM_ERR_IO);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "none.jsonl");
    saetm_ctx_free(ctx);
}

/* ---- harness for the Python cross-check ---------------------------------------------------- */

static int score_main(char **argv)
{
    FILE *f = fopen(argv[0], "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", argv[0]);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    char **vocab = NULL;
    uint32_t nv = 0;
    uint64_t *rp = malloc(sizeof *rp), nd = 0, nnz = 0, cap_ids = 1024, cap_rp = 1;
    uint32_t *ids = malloc(cap_ids * sizeof *ids);
    rp[0] = 0;
    int first = 1;
    while ((len = getline(&line, &cap, f)) >= 0) {
        if (first) {
            for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
                vocab = realloc(vocab, (nv + 1) * sizeof *vocab);
                vocab[nv++] = strdup(tok);
            }
            first = 0;
            continue;
        }
        for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
            if (nnz == cap_ids) ids = realloc(ids, (cap_ids *= 2) * sizeof *ids);
            ids[nnz++] = (uint32_t)strtoul(tok, NULL, 10);
        }
        if (nd + 2 > cap_rp) rp = realloc(rp, (cap_rp = 2 * (nd + 2)) * sizeof *rp);
        rp[++nd] = nnz;
    }
    free(line);
    fclose(f);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_topic_words *tw = NULL;
    saetm_status st = saetm_topic_words_read(ctx, argv[1], &tw);
    saetm_eval_result *r = NULL;
    if (!st) {
        saetm_eval_opts o;
        saetm_eval_opts_default(&o);
        if (saetm_eval_missing_parse(argv[6], &o.missing)) {
            fprintf(stderr, "bad missing rule %s\n", argv[6]);
            return 2;
        }
        o.top_n = (uint32_t)atoi(argv[2]);
        o.diversity_n = (uint32_t)atoi(argv[3]);
        o.npmi_eps = atof(argv[4]);
        saetm_ctx_set_threads(ctx, atoi(argv[5]));
        saetm__eval_ref ref = {nd, rp, ids, nv, (const char *const *)vocab};
        st = saetm__eval_run(ctx, &ref, tw->n_topics, (const char *const *)tw->words, tw->word_start, &o, &r);
    }
    int rc = 0;
    if (st) {
        fprintf(stderr, "error: %s\n", saetm_ctx_errmsg(ctx));
        rc = 1;
    } else {
        printf("{\"n_docs\": %llu, \"npmi_mean\": %.17g, \"cv_mean\": %.17g, \"diversity\": %.17g,\n",
               (unsigned long long)r->n_docs, r->npmi_mean, r->cv_mean, r->diversity);
        printf(" \"missing\": [");
        for (uint32_t i = 0; i < r->n_missing; i++) printf("%s\"%s\"", i ? ", " : "", r->missing[i]);
        printf("],\n \"topics\": [");
        for (uint32_t t = 0; t < r->n_topics; t++)
            printf("%s\n  {\"npmi\": %.17g, \"cv\": %.17g, \"n_scored\": %u, \"n_distinct\": %u, \"scored\": %s}",
                   t ? "," : "", r->topics[t].npmi, r->topics[t].cv, r->topics[t].n_scored, r->topics[t].n_distinct,
                   r->topics[t].scored ? "true" : "false");
        printf("]}\n");
    }
    saetm_eval_result_free(r);
    saetm_topic_words_free(tw);
    saetm_ctx_free(ctx);
    for (uint32_t v = 0; v < nv; v++) free(vocab[v]);
    free(vocab);
    free(rp);
    free(ids);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 9 && strcmp(argv[1], "--score") == 0) return score_main(argv + 2);
    RUN(test_hand_computed_skip);
    RUN(test_hand_computed_floor);
    RUN(test_never_cooccurring);
    RUN(test_missing_names);
    RUN(test_top_n_and_edges);
    RUN(test_refusals);
    RUN(test_threads_identical);
    RUN(test_topic_words_read);
    RUN(test_reference_open);
    return TEST_REPORT();
}
