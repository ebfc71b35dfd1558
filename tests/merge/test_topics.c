/*
 * test_topics.c - merging features into topics: planted recovery with every method and space,
 * k-means and agglomerative clustering against brute-force references, thread determinism of the
 * written files, transform == fit, assignment round trip, refusals; co-activation merging; FREX
 * ranking against a hand-computed example; coherence pruning, with the EM or the tfidf word estimate,
 * in-sample or cross-fitted; the seed-independent (pivoted) co-activation merge.
 */
#include "saetm.h"
#include "saetm_int.h"
#include "merge/merge_int.h"
#include "test.h"

enum { T = 6, COPIES = 4, NDOC = 1200, V = 300, DIM = 16 };

/* Planted data where every topic is split over COPIES features (each document puts a topic's
 * strength on one or two of its copies), interpreted by EM. */
typedef struct planted {
    saetm_synth *s;
    saetm_acts acts;
    saetm_interp *it;
    float *decoder; /* F x DIM: the topic direction plus a little noise per copy */
} planted;

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

/* junk > 0 adds that many features that fire together at random (in about one document in eight,
 * whatever its topics): their word distributions mix every topic's words, and they co-activate. */
static int make_planted_junk(saetm_ctx *ctx, planted *p, int junk)
{
    memset(p, 0, sizeof *p);
    saetm_synth_opts so;
    saetm_synth_opts_default(&so);
    so.n_docs = NDOC;
    so.n_topics = T;
    so.vocab_size = V;
    so.dim = DIM;
    so.topics_per_doc = 2;
    so.seed = 5;
    if (saetm_synth_generate(ctx, &so, &p->s)) return -1;
    const float *str = saetm_synth_strengths(p->s);
    const int F = T * COPIES + junk;
    float *dense = calloc((size_t)NDOC * F, sizeof *dense);
    uint64_t x = 99;
    for (uint64_t d = 0; d < NDOC; d++) {
        for (int t = 0; t < T; t++) {
            float v = str[d * T + t];
            if (v <= 0) continue;
            int a = (int)(lcg(&x) % COPIES), b = (int)(lcg(&x) % COPIES);
            dense[d * F + t * COPIES + a] += v * 0.6f;
            dense[d * F + t * COPIES + b] += v * 0.4f;
        }
        if (junk && lcg(&x) % 8 == 0)
            for (int j = 0; j < junk; j++) dense[d * F + T * COPIES + j] = 0.3f + 0.1f * (float)(lcg(&x) % 5);
    }
    saetm_matrix m = {NDOC, (uint64_t)F, dense, NULL};
    int rc = saetm_acts_from_dense(ctx, &m, &p->acts) != SAETM_OK;
    free(dense);
    saetm_bow bow;
    saetm_synth_bow(p->s, &bow);
    saetm_interp_opts io;
    saetm_interp_opts_default(&io);
    rc |= saetm_interp_fit(ctx, &p->acts, &bow, saetm_synth_vocab(p->s), &io, &p->it) != SAETM_OK;
    p->decoder = calloc((size_t)F * DIM, sizeof *p->decoder);
    const float *dir = saetm_synth_directions(p->s);
    for (int f = 0; f < T * COPIES; f++)
        for (int j = 0; j < DIM; j++)
            p->decoder[f * DIM + j] = dir[(f / COPIES) * DIM + j] + 0.05f * ((float)(lcg(&x) % 1000) / 1000.0f - 0.5f);
    return rc;
}

static int make_planted(saetm_ctx *ctx, planted *p) { return make_planted_junk(ctx, p, 0); }

static void free_planted(planted *p)
{
    saetm_interp_free(p->it);
    saetm_acts_free(&p->acts);
    saetm_synth_free(p->s);
    free(p->decoder);
}

/* Random word vectors (V x 24): features of one planted topic share their words, so their
 * phi-weighted averages are close. */
static float *random_word_vectors(void)
{
    float *w = malloc((size_t)V * 24 * sizeof *w);
    uint64_t x = 7;
    for (int i = 0; i < V * 24; i++) w[i] = (float)(lcg(&x) % 2001) / 1000.0f - 1.0f;
    return w;
}

/* Mean over planted topics of the best cosine with a found topic, and of the correlation of
 * document proportions with that best match. */
static void recovery(const planted *p, const saetm_topics *tp, double *cos_mean, double *corr_mean)
{
    uint32_t K = saetm_topics_k(tp);
    const float *tw = saetm_topics_topic_word(tp), *dt = saetm_topics_doc_topics(tp);
    const float *truth = saetm_synth_topic_word(p->s), *th = saetm_synth_doc_topics(p->s);
    *cos_mean = *corr_mean = 0;
    for (int t = 0; t < T; t++) {
        double best = -1;
        uint32_t arg = 0;
        for (uint32_t k = 0; k < K; k++) {
            double ab = 0, aa = 0, bb = 0;
            for (int v = 0; v < V; v++) {
                double a = truth[t * V + v], b = tw[k * V + v];
                ab += a * b, aa += a * a, bb += b * b;
            }
            double c = ab / sqrt(aa * bb);
            if (c > best) best = c, arg = k;
        }
        double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
        for (int d = 0; d < NDOC; d++) mx += th[d * T + t] / NDOC, my += dt[(size_t)d * K + arg] / NDOC;
        for (int d = 0; d < NDOC; d++) {
            double a = th[d * T + t] - mx, b = dt[(size_t)d * K + arg] - my;
            sxy += a * b, sxx += a * a, syy += b * b;
        }
        *cos_mean += best / T;
        *corr_mean += sxy / sqrt(sxx * syy) / T;
    }
}

static void test_planted_all_methods(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    planted p;
    CHECK(make_planted(ctx, &p) == 0);
    float *wv = random_word_vectors();
    saetm_matrix words = {V, 24, wv, NULL}, dec = {T * COPIES, DIM, p.decoder, NULL};
    const saetm_space spaces[3] = {SAETM_SPACE_HELLINGER, SAETM_SPACE_WORDS, SAETM_SPACE_DECODER};
    const saetm_merge_method methods[3] = {SAETM_MERGE_KMEANS, SAETM_MERGE_AVERAGE, SAETM_MERGE_WARD};
    for (int si = 0; si < 3; si++)
        for (int mi = 0; mi < 3; mi++) {
            saetm_topics_opts o;
            saetm_topics_opts_default(&o);
            o.k = T;
            o.space = spaces[si];
            o.method = methods[mi];
            saetm_topics *tp = NULL;
            const saetm_matrix *vec = si == 1 ? &words : si == 2 ? &dec : NULL;
            CHECK(saetm_topics_build(ctx, p.it, vec, &o, &tp) == SAETM_OK);
            if (!tp) continue;
            /* Each topic holds the copies of exactly one planted topic. */
            const int32_t *ft = saetm_topics_feature_topic(tp);
            int pure = 1;
            for (int f = 0; f < T * COPIES; f++) pure &= ft[f] == ft[(f / COPIES) * COPIES];
            double cs, cr, wsum = 0;
            recovery(&p, tp, &cs, &cr);
            fprintf(stderr, "space %d method %d: pure %d, topic-word cosine %.4f, doc correlation %.4f\n", si, mi, pure,
                    cs, cr);
            CHECK(pure);
            CHECK(cs >= 0.9);
            CHECK(cr >= 0.8);
            for (uint32_t k = 0; k < T; k++) {
                wsum += saetm_topics_weight(tp, k);
                if (k) CHECK(saetm_topics_weight(tp, k) <= saetm_topics_weight(tp, k - 1));
                double rs = 0;
                for (int v = 0; v < V; v++) rs += saetm_topics_topic_word(tp)[k * V + v];
                CHECK_NEAR(rs, 1.0, 1e-4);
            }
            CHECK_NEAR(wsum, 1.0, 1e-5);
            saetm_topics_free(tp);
        }
    /* Co-activation: the copies of a planted topic fire in the same documents. */
    saetm_topics_opts o;
    saetm_topics_opts_default(&o);
    o.k = T;
    o.method = SAETM_MERGE_COACT;
    saetm_topics *tp = NULL;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_OK);
    if (tp) {
        const int32_t *ft = saetm_topics_feature_topic(tp);
        int pure = 1;
        for (int f = 0; f < T * COPIES; f++) pure &= ft[f] == ft[(f / COPIES) * COPIES] && ft[f] >= 0;
        double cs, cr;
        recovery(&p, tp, &cs, &cr);
        fprintf(stderr, "coactivation: pure %d, topic-word cosine %.4f, doc correlation %.4f\n", pure, cs, cr);
        CHECK(pure);
        CHECK(cs >= 0.9);
        CHECK(cr >= 0.8);
    }
    saetm_topics_free(tp);
    free(wv);
    free_planted(&p);
    saetm_ctx_free(ctx);
}

/* FREX against a hand-computed example (2 topics, 4 words, weight 0.5):
 * topic 0 p = .5 .3 .15 .05, topic 1 p = .4 .1 .1 .4; exclusivity p / (column sum .9 .4 .25 .45):
 * topic 0 .556 .75 .6 .111 -> ECDF ranks .5 1 .75 .25, frequency ranks 1 .75 .5 .25 -> FREX
 * .667 .857 .6 .25 -> words 1 0 2 3; topic 1 exclusivity .444 .25 .4 .889 -> ranks .75 .25 .5 1,
 * frequency (ties share the upper rank) 1 .5 .5 1 -> FREX .857 .333 .5 1 -> words 3 0 2 1.
 * With weight 1 (exclusivity only) topic 0 gives 1 2 0 3; weight 0 (frequency) 0 1 2 3 as prob. */
static void test_frex_hand(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const float tw[8] = {0.5f, 0.3f, 0.15f, 0.05f, 0.4f, 0.1f, 0.1f, 0.4f};
    const double wt[2] = {0.6, 0.4};
    saetm_topics_opts o;
    saetm_topics_opts_default(&o);
    o.top_n = 4;
    o.rank = SAETM_RANK_FREX;
    uint32_t top[8];
    CHECK(saetm__rank_words(ctx, 2, 4, tw, wt, &o, top) == SAETM_OK);
    const uint32_t want[8] = {1, 0, 2, 3, 3, 0, 2, 1};
    CHECK(memcmp(top, want, sizeof want) == 0);
    o.frex_weight = 1;
    CHECK(saetm__rank_words(ctx, 2, 4, tw, wt, &o, top) == SAETM_OK);
    CHECK(top[0] == 1 && top[1] == 2 && top[2] == 0 && top[3] == 3);
    o.frex_weight = 0;
    CHECK(saetm__rank_words(ctx, 2, 4, tw, wt, &o, top) == SAETM_OK);
    CHECK(top[0] == 0 && top[1] == 1 && top[2] == 2 && top[3] == 3);
    o.rank = SAETM_RANK_PROB; /* ties to the lower word id */
    CHECK(saetm__rank_words(ctx, 2, 4, tw, wt, &o, top) == SAETM_OK);
    CHECK(top[4] == 0 && top[5] == 3 && top[6] == 1 && top[7] == 2);
    o.top_n = 6; /* more than V: the rest is UINT32_MAX */
    uint32_t top6[12];
    CHECK(saetm__rank_words(ctx, 2, 4, tw, wt, &o, top6) == SAETM_OK);
    CHECK(top6[4] == UINT32_MAX && top6[5] == UINT32_MAX && top6[11] == UINT32_MAX);
    o.rank = SAETM_RANK_FREX;
    o.frex_weight = 1.5;
    CHECK(saetm_topics_opts_check(&o) != NULL);
    saetm_ctx_free(ctx);
}

/* ---- clustering against brute force ------------------------------------------------------ */

/* Greedy agglomeration recomputing every cluster distance from its definition. */
static void brute_agglo(int n, int dim, const float *x, const double *w, int ward, double *heights)
{
    int *lab = malloc(n * sizeof *lab);
    for (int i = 0; i < n; i++) lab[i] = i;
    for (int step = 0; step < n - 1; step++) {
        double best = INFINITY;
        int ba = -1, bb = -1;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                int sa = 0, sb = 0;
                for (int i = 0; i < n; i++) sa |= lab[i] == a, sb |= lab[i] == b;
                if (!sa || !sb) continue;
                double d = 0, wa = 0, wb = 0;
                double ca[8] = {0}, cb[8] = {0};
                for (int i = 0; i < n; i++) {
                    if (lab[i] == a) wa += w[i];
                    if (lab[i] == b) wb += w[i];
                }
                if (ward) {
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j < dim; j++) {
                            if (lab[i] == a) ca[j] += w[i] * x[i * dim + j] / wa;
                            if (lab[i] == b) cb[j] += w[i] * x[i * dim + j] / wb;
                        }
                    for (int j = 0; j < dim; j++) d += (ca[j] - cb[j]) * (ca[j] - cb[j]);
                    d *= wa * wb / (wa + wb);
                } else {
                    for (int i = 0; i < n; i++)
                        for (int k = 0; k < n; k++) {
                            if (lab[i] != a || lab[k] != b) continue;
                            double e = 0;
                            for (int j = 0; j < dim; j++) e += (x[i * dim + j] - x[k * dim + j]) * (x[i * dim + j] - x[k * dim + j]);
                            d += w[i] * w[k] * sqrt(e);
                        }
                    d /= wa * wb;
                }
                if (d < best) best = d, ba = a, bb = b;
            }
        heights[step] = best;
        for (int i = 0; i < n; i++)
            if (lab[i] == bb) lab[i] = ba;
    }
    free(lab);
}

static void test_agglomerative_matches_brute_force(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    enum { n = 14, dim = 3 };
    float x[n * dim];
    double w[n], h[n];
    uint64_t s = 3;
    for (int i = 0; i < n * dim; i++) x[i] = (float)(lcg(&s) % 1000) / 100.0f;
    for (int i = 0; i < n; i++) w[i] = 0.5 + (double)(lcg(&s) % 100) / 50.0;
    saetm__points p = {n, dim, x, NULL, NULL, NULL, NULL, w};
    for (int ward = 0; ward < 2; ward++) {
        saetm__merge m[n];
        CHECK(saetm__agglomerate(ctx, &p, ward ? SAETM__LINK_WARD : SAETM__LINK_AVERAGE, m) == SAETM_OK);
        brute_agglo(n, dim, x, w, ward, h);
        for (int t = 0; t < n - 1; t++) {
            CHECK_NEAR(m[t].h, h[t], 1e-6 * (1 + h[t]));
            CHECK(m[t].a < m[t].b && m[t].b < (uint64_t)(n + t));
            if (t) CHECK(m[t].h >= m[t - 1].h);
        }
        CHECK_NEAR(m[n - 2].w, 0, 1e9); /* weights are carried */
        double wall = 0;
        for (int i = 0; i < n; i++) wall += w[i];
        CHECK_NEAR(m[n - 2].w, wall, 1e-9);
        uint32_t lab[n];
        saetm__agglo_cut(n, m, 3, lab);
        int seen[3] = {0, 0, 0};
        for (int i = 0; i < n; i++) {
            CHECK(lab[i] < 3);
            seen[lab[i] % 3] = 1;
        }
        CHECK(seen[0] && seen[1] && seen[2]);
        CHECK_EQ_INT(lab[0], 0);
    }
    saetm_ctx_free(ctx);
}

/* Weighted k-means on well separated groups finds them, whatever the restarts and threads. */
static void test_kmeans(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    enum { n = 300, dim = 5, k = 4 };
    float *x = malloc(n * dim * sizeof *x);
    double w[n];
    uint64_t s = 11;
    for (int i = 0; i < n; i++) {
        w[i] = 0.1 + (double)(lcg(&s) % 100) / 100.0;
        for (int j = 0; j < dim; j++) x[i * dim + j] = (float)((i % k) * 10 * (j == (i % k)) + (double)(lcg(&s) % 100) / 100.0);
    }
    saetm__points p = {n, dim, x, NULL, NULL, NULL, NULL, w};
    uint32_t a1[n], a2[n];
    float c1[k * dim], c2[k * dim];
    double in1, in2;
    saetm_ctx_set_threads(ctx, 1);
    CHECK(saetm__kmeans(ctx, &p, k, 3, 100, 42, a1, c1, &in1) == SAETM_OK);
    saetm_ctx_set_threads(ctx, 3);
    CHECK(saetm__kmeans(ctx, &p, k, 3, 100, 42, a2, c2, &in2) == SAETM_OK);
    CHECK(memcmp(a1, a2, sizeof a1) == 0 && memcmp(c1, c2, sizeof c1) == 0 && in1 == in2);
    for (int i = 0; i < n; i++) CHECK(a1[i] == a1[i % k]);
    /* The inertia is the weighted sum of squared distances to the centroids. */
    double in = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < dim; j++) in += w[i] * (x[i * dim + j] - c1[a1[i] * dim + j]) * (x[i * dim + j] - c1[a1[i] * dim + j]);
    CHECK_NEAR(in, in1, 1e-4 * in);
    CHECK(saetm__kmeans(ctx, &p, n + 1, 1, 10, 1, a1, c1, &in1) == SAETM_ERR_ARG);
    free(x);
    saetm_ctx_free(ctx);
}

/* ---- files, determinism, transform ------------------------------------------------------- */

static void test_files_threads_transform(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    planted p;
    CHECK(make_planted(ctx, &p) == 0);
    static const char *files[] = {"top_words.txt", "topics.json", "doc_topics.npy", "topic_word.npy", "tree.json"};
    for (int mi = 0; mi < 3; mi++) {
        char dir[2][4096];
        for (int run = 0; run < 2; run++) {
            saetm_ctx_set_threads(ctx, run ? 3 : 1);
            saetm_topics_opts o;
            saetm_topics_opts_default(&o);
            o.k = 5; /* not T: the merge must decide something */
            o.method = mi == 2 ? SAETM_MERGE_COACT : mi ? SAETM_MERGE_WARD : SAETM_MERGE_KMEANS;
            o.max_leaves = 10; /* agglomerative over k-means leaves */
            saetm_topics *tp = NULL;
            CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_OK);
            snprintf(dir[run], sizeof dir[run], "%s/m%d_r%d", test_tmpdir(), mi, run);
            CHECK(tp && saetm_topics_write(ctx, tp, p.it, dir[run]) == SAETM_OK);
            if (tp && run == 0) {
                /* transform of the same activations gives exactly the fitted proportions */
                float *dt = malloc((size_t)NDOC * 5 * sizeof *dt);
                CHECK(saetm_topics_transform(ctx, &p.acts, saetm_topics_feature_topic(tp), 5, dt) == SAETM_OK);
                double maxdiff = 0;
                for (int i = 0; i < NDOC * 5; i++) {
                    double dd = fabs(dt[i] - saetm_topics_doc_topics(tp)[i]);
                    if (dd > maxdiff) maxdiff = dd;
                }
                CHECK(maxdiff == 0); /* bit for bit: transform on the fit's activations is the fit */
                free(dt);
                /* the assignment read back from topics.json is the one built */
                char path[8400];
                snprintf(path, sizeof path, "%s/topics.json", dir[run]);
                int32_t ft[T * COPIES];
                uint32_t k = 0;
                CHECK(saetm_topics_read_assignment(ctx, path, T * COPIES, ft, &k) == SAETM_OK);
                CHECK_EQ_INT(k, 5);
                CHECK(memcmp(ft, saetm_topics_feature_topic(tp), sizeof ft) == 0);
                CHECK(saetm_topics_read_assignment(ctx, path, 7, ft, &k) == SAETM_ERR_SHAPE);
                /* the words read back from topics.json are the built ones, with their probabilities */
                saetm_topic_words *tw = NULL;
                CHECK(saetm_topics_read_words(ctx, path, 3, &tw) == SAETM_OK);
                CHECK(tw && tw->n_topics == 5 && tw->prob);
                for (uint32_t t = 0; tw && t < 5; t++) {
                    CHECK(tw->word_start[t + 1] - tw->word_start[t] == 3);
                    for (uint32_t j = 0; j < 3; j++) {
                        uint32_t w = saetm_topics_top_words(tp, t)[j];
                        uint64_t at = tw->word_start[t] + j;
                        CHECK(strcmp(tw->words[at], saetm_interp_word(p.it, w)) == 0);
                        CHECK(fabs(tw->prob[at] - saetm_topics_topic_word(tp)[(size_t)t * V + w]) < 1e-6);
                    }
                }
                saetm_topic_words_free(tw);
                /* hostile shapes: each named */
                static const char *const bad_json[][2] = {
                    {"{\"topics\": []}", "non-empty \"topics\""},
                    {"{\"topics\": [{\"id\": 1, \"words\": []}, {\"id\": 1, \"words\": []}]}", "id 1 appears twice"},
                    {"{\"topics\": [{\"id\": 5, \"words\": []}]}", "\"id\" must be an integer in 0..0"},
                    {"{\"topics\": [{\"words\": [3]}]}", "topic 0, word 0: expected a string"},
                    {"{\"topics\": [{\"words\": [{\"word\": \"a\", \"prob\": \"x\"}]}]}", "topic 0, word 0"},
                    {"{\"topics\": [7]}", "topic 0: expected an object"},
                };
                char bad_path[8400];
                snprintf(bad_path, sizeof bad_path, "%s/bad_topics.json", test_tmpdir());
                for (size_t b = 0; b < sizeof bad_json / sizeof bad_json[0]; b++) {
                    FILE *f = fopen(bad_path, "w");
                    CHECK(f != NULL);
                    if (!f) break;
                    fputs(bad_json[b][0], f);
                    fclose(f);
                    tw = NULL;
                    CHECK(saetm_topics_read_words(ctx, bad_path, 0, &tw) == SAETM_ERR_FORMAT);
                    CHECK(tw == NULL);
                    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), bad_json[b][1]);
                }
                /* other tools' shapes: an array of topics, "terms", [word, p] pairs, "w"/"p" objects */
                FILE *f = fopen(bad_path, "w");
                CHECK(f != NULL);
                if (f) {
                    fputs("[{\"id\": 1, \"terms\": [\"x\"]}, {\"id\": 0, \"terms\": [[\"a\", 0.5], {\"w\": \"b\", \"p\": 0.25}]}]", f);
                    fclose(f);
                    tw = NULL;
                    CHECK(saetm_topics_read_words(ctx, bad_path, 0, &tw) == SAETM_OK);
                    CHECK(tw && tw->n_topics == 2 && tw->word_start[1] == 2 && tw->word_start[2] == 3);
                    CHECK(tw && strcmp(tw->words[0], "a") == 0 && tw->prob[0] == 0.5f);
                    CHECK(tw && strcmp(tw->words[1], "b") == 0 && tw->prob[1] == 0.25f);
                    CHECK(tw && strcmp(tw->words[2], "x") == 0 && isnan(tw->prob[2]));
                    saetm_topic_words_free(tw);
                }
                snprintf(path, sizeof path, "%s/top_words.txt", dir[run]);
                size_t n = 0;
                char *txt = test_slurp_n(path, &n);
                int lines = 0;
                for (size_t i = 0; txt && i < n; i++) lines += txt[i] == '\n';
                CHECK_EQ_INT(lines, 5);
                CHECK(txt && strstr(txt, saetm_interp_word(p.it, saetm_topics_top_words(tp, 0)[0])) == txt);
                free(txt);
            }
            saetm_topics_free(tp);
        }
        for (int fi = 0; fi < (mi == 1 ? 5 : 4); fi++) {
            char a[8400], b[8400];
            snprintf(a, sizeof a, "%s/%s", dir[0], files[fi]);
            snprintf(b, sizeof b, "%s/%s", dir[1], files[fi]);
            CHECK(test_same_file(a, b));
        }
    }
    saetm_ctx_set_threads(ctx, 2);
    saetm_topics_opts o;
    saetm_topics_opts_default(&o);
    o.k = T * COPIES + 1;
    saetm_topics *tp = NULL;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "lower --k");
    o.k = 3;
    o.space = SAETM_SPACE_WORDS;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_ERR_ARG);
    saetm_matrix bad = {V - 1, 4, p.decoder, NULL};
    CHECK(saetm_topics_build(ctx, p.it, &bad, &o, &tp) == SAETM_ERR_SHAPE);
    o.space = SAETM_SPACE_HELLINGER;
    o.tau = 0;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_ERR_ARG);
    CHECK(tp == NULL);
    free_planted(&p);
    saetm_ctx_free(ctx);
}

/* Re-fitting the merged topics by EM keeps them on the planted topics. */
static void test_refit(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    planted p;
    CHECK(make_planted(ctx, &p) == 0);
    saetm_topics_opts o;
    saetm_topics_opts_default(&o);
    o.k = T;
    saetm_topics *tp = NULL;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_OK);
    saetm_bow bow;
    saetm_synth_bow(p.s, &bow);
    saetm_interp_opts io;
    saetm_interp_opts_default(&io);
    CHECK(tp && saetm_topics_refit(ctx, tp, &bow, &io, 2.0) == SAETM_OK);
    if (tp) {
        double cs, cr;
        recovery(&p, tp, &cs, &cr);
        fprintf(stderr, "refit: topic-word cosine %.4f, doc correlation %.4f\n", cs, cr);
        CHECK(cs >= 0.9);
        CHECK(saetm_topics_refit(ctx, tp, &bow, &io, 0.5) == SAETM_ERR_ARG);
    }
    saetm_topics_free(tp);
    free_planted(&p);
    saetm_ctx_free(ctx);
}

/* Mean NPMI of the topics' first 10 top words over the planted corpus (saetm_eval_topics). */
static double mean_npmi(saetm_ctx *ctx, const planted *p, const saetm_topics *tp)
{
    saetm_bow bow;
    saetm_synth_bow(p->s, &bow);
    uint32_t K = saetm_topics_k(tp);
    const char **words = malloc((size_t)K * 10 * sizeof *words);
    uint64_t start[64];
    for (uint32_t k = 0; k < K; k++) {
        start[k] = (uint64_t)k * 10;
        for (int j = 0; j < 10; j++) words[k * 10 + j] = saetm_interp_word(p->it, saetm_topics_top_words(tp, k)[j]);
    }
    start[K] = (uint64_t)K * 10;
    saetm__eval_ref ref = {bow.rows, bow.row_ptr, bow.word_ids, V, saetm_synth_vocab(p->s)};
    saetm_eval_result *r = NULL;
    double m = -2;
    if (saetm__eval_run(ctx, &ref, K, words, start, NULL, &r) == SAETM_OK) m = r->npmi_mean;
    saetm_eval_result_free(r);
    free(words);
    return m;
}

/* The planted topics map one to one onto the topics of t: every copy of a planted topic in the
 * same topic, no two planted topics together. */
static int planted_one_to_one(const saetm_topics *t)
{
    const int32_t *ft = saetm_topics_feature_topic(t);
    int pure = 1, used[T] = {0};
    for (int f = 0; f < T * COPIES; f++) pure &= ft[f] == ft[(f / COPIES) * COPIES] && ft[f] >= 0;
    for (int k = 0; pure && k < T; k++) pure &= !used[ft[k * COPIES]]++;
    return pure;
}

/* Two runs of the same T-topic merge (at different thread counts) gave the same bytes. */
static int same_topics(const saetm_topics *a, const saetm_topics *b, int junk)
{
    return memcmp(saetm_topics_topic_word(a), saetm_topics_topic_word(b), (size_t)T * V * sizeof(float)) == 0 &&
           memcmp(saetm_topics_feature_topic(a), saetm_topics_feature_topic(b),
                  (size_t)(T * COPIES + junk) * sizeof(int32_t)) == 0 &&
           memcmp(saetm_topics_doc_topics(a), saetm_topics_doc_topics(b), (size_t)NDOC * T * sizeof(float)) == 0;
}

/* Coherence pruning: planted topics plus features that fire at random. Merged into 2T candidates
 * and pruned to T, the planted topics come back, at least as coherent as merging straight into T;
 * the same at 1 and 3 threads; refusals. */
static void test_prune(void)
{
    enum { JUNK = 8, TOP = 10 };
    saetm_ctx *ctx = saetm_ctx_create();
    planted p;
    CHECK(make_planted_junk(ctx, &p, JUNK) == 0);
    saetm_bow bow;
    saetm_synth_bow(p.s, &bow);
    saetm_interp_opts io;
    saetm_interp_opts_default(&io);
    io.pi = 0.7;
    saetm_topics_opts o;
    saetm_topics_opts_default(&o);
    o.top_n = TOP;
    o.k = T;
    saetm_topics *straight = NULL, *pr[2] = {NULL, NULL};
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &straight) == SAETM_OK);
    CHECK(straight && saetm_topics_refit(ctx, straight, &bow, &io, 4.0) == SAETM_OK);
    o.k = 2 * T;
    for (int run = 0; run < 2; run++) {
        saetm_ctx_set_threads(ctx, run ? 3 : 1);
        CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &pr[run]) == SAETM_OK);
        CHECK(pr[run] && saetm_topics_prune(ctx, pr[run], p.it, &bow, T, &io, 4.0) == SAETM_OK);
    }
    if (straight && pr[0] && pr[1]) {
        CHECK_EQ_INT(saetm_topics_k(pr[0]), T);
        double cs, cr, cs0, cr0, n0 = mean_npmi(ctx, &p, straight), n1 = mean_npmi(ctx, &p, pr[0]);
        recovery(&p, pr[0], &cs, &cr);
        recovery(&p, straight, &cs0, &cr0);
        fprintf(stderr, "prune: topic-word cosine %.4f, doc correlation %.4f, NPMI %.4f; straight into %d: %.4f, %.4f, %.4f\n",
                cs, cr, n1, T, cs0, cr0, n0);
        CHECK(planted_one_to_one(pr[0]));
        CHECK(cs >= cs0 - 0.01);
        CHECK(n1 >= n0 - 0.01);
        CHECK(same_topics(pr[0], pr[1], JUNK));
        /* refusals */
        CHECK(saetm_topics_prune(ctx, pr[0], p.it, &bow, T + 1, &io, 4.0) == SAETM_ERR_ARG);
        CHECK(saetm_topics_prune(ctx, pr[0], p.it, &bow, 0, &io, 4.0) == SAETM_ERR_ARG);
        saetm_bow short_bow = bow;
        short_bow.rows--;
        CHECK(saetm_topics_prune(ctx, pr[0], p.it, &short_bow, 2, &io, 4.0) == SAETM_ERR_SHAPE);
        CHECK(saetm_topics_prune(ctx, pr[0], p.it, &bow, T, &io, 4.0) == SAETM_OK); /* k == current: refit only */
        CHECK_EQ_INT(saetm_topics_k(pr[0]), T);
    }
    saetm_topics *tree = NULL;
    o.method = SAETM_MERGE_WARD;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tree) == SAETM_OK);
    CHECK(tree && saetm_topics_prune(ctx, tree, p.it, &bow, T, &io, 4.0) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "agglomerative");
    saetm_topics_free(tree);
    saetm_topics_free(straight);
    saetm_topics_free(pr[0]);
    saetm_topics_free(pr[1]);
    free_planted(&p);
    saetm_ctx_free(ctx);
}

/* Word estimates from the documents (saetm_topics_fit_words) and the cross-fitted pruning
 * (saetm_topics_prune_words with crossfit): the planted data with junk features of test_prune,
 * merged into 2T candidates and pruned to T with the tfidf words, cross-fitted or in-sample. The
 * planted topics survive one to one either way, the tfidf words of T planted topics recover the
 * planted word distributions, any thread count gives the same bytes; refusals. (The estimate
 * itself is checked against an exact NNLS in tests/merge/test_words.py.) */
static void test_prune_crossfit(void)
{
    enum { JUNK = 8, TOP = 10 };
    saetm_ctx *ctx = saetm_ctx_create();
    planted p;
    CHECK(make_planted_junk(ctx, &p, JUNK) == 0);
    saetm_bow bow;
    saetm_synth_bow(p.s, &bow);
    saetm_words_opts wo;
    saetm_words_opts_default(&wo);
    CHECK(wo.method == SAETM_WORDS_TFIDF && wo.background == 0.3 && wo.sublinear == 1);
    CHECK(saetm_words_opts_check(&wo) == NULL);
    saetm_topics_opts o;
    saetm_topics_opts_default(&o);
    o.top_n = TOP;
    o.k = T;
    saetm_topics *straight = NULL;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &straight) == SAETM_OK);
    CHECK(straight && saetm_topics_fit_words(ctx, straight, &bow, &wo) == SAETM_OK);
    if (straight) {
        double cs, cr;
        recovery(&p, straight, &cs, &cr);
        fprintf(stderr, "tfidf words, straight into %d: topic-word cosine %.4f, doc correlation %.4f\n", T, cs, cr);
        CHECK(cs >= 0.9);
        const float *tw = saetm_topics_topic_word(straight);
        int ok = 1;
        for (int k = 0; k < T; k++) {
            double s = 0;
            for (int w = 0; w < V; w++) ok &= tw[k * V + w] >= 0, s += tw[k * V + w];
            ok &= fabs(s - 1) < 1e-4;
        }
        CHECK(ok);
    }
    o.k = 2 * T;
    for (int cf = 0; cf < 2; cf++) {
        saetm_topics *pr[2] = {NULL, NULL};
        for (int run = 0; run < 2; run++) {
            saetm_ctx_set_threads(ctx, run ? 3 : 1);
            CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &pr[run]) == SAETM_OK);
            CHECK(pr[run] && saetm_topics_prune_words(ctx, pr[run], p.it, &bow, T, &wo, cf) == SAETM_OK);
        }
        if (pr[0] && pr[1]) {
            CHECK_EQ_INT(saetm_topics_k(pr[0]), T);
            double cs, cr;
            recovery(&p, pr[0], &cs, &cr);
            fprintf(stderr, "prune, tfidf words, %s: topic-word cosine %.4f, doc correlation %.4f, NPMI %.4f\n",
                    cf ? "cross-fitted" : "in-sample", cs, cr, mean_npmi(ctx, &p, pr[0]));
            CHECK(planted_one_to_one(pr[0]));
            CHECK(cs >= 0.9);
            CHECK(same_topics(pr[0], pr[1], JUNK));
            for (int j = 0; j < TOP; j++) CHECK(saetm_topics_top_words(pr[0], 0)[j] == saetm_topics_top_words(pr[1], 0)[j]);
        }
        saetm_topics_free(pr[0]);
        saetm_topics_free(pr[1]);
    }
    /* refusals */
    if (straight) {
        saetm_words_opts bad = wo;
        bad.background = -1;
        CHECK(saetm_words_opts_check(&bad) != NULL);
        CHECK(saetm_topics_fit_words(ctx, straight, &bow, &bad) == SAETM_ERR_ARG);
        bad = wo;
        bad.method = (saetm_words_method)7;
        CHECK(saetm_words_opts_check(&bad) != NULL);
        bad = wo;
        bad.max_sweeps = 0;
        CHECK(saetm_words_opts_check(&bad) != NULL);
        bad = wo;
        bad.tol = 1;
        CHECK(saetm_words_opts_check(&bad) != NULL);
        saetm_bow short_bow = bow;
        short_bow.rows--;
        CHECK(saetm_topics_fit_words(ctx, straight, &short_bow, &wo) == SAETM_ERR_SHAPE);
        bad = wo;
        bad.method = SAETM_WORDS_EM;
        CHECK(saetm_topics_prune_words(ctx, straight, p.it, &bow, T, &bad, 1) == SAETM_ERR_ARG);
        CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "tfidf");
        bad.method = SAETM_WORDS_MEAN;
        CHECK(saetm_topics_prune_words(ctx, straight, p.it, &bow, T, &bad, 0) == SAETM_ERR_ARG);
        CHECK(saetm_topics_prune_words(ctx, straight, p.it, &bow, T + 1, &wo, 1) == SAETM_ERR_ARG);
        CHECK(saetm_topics_prune_words(ctx, straight, p.it, &short_bow, T, &wo, 1) == SAETM_ERR_SHAPE);
        /* k == current: no round, the words estimated on all documents (= saetm_topics_fit_words) */
        float *before = malloc((size_t)T * V * sizeof *before);
        if (before) memcpy(before, saetm_topics_topic_word(straight), (size_t)T * V * sizeof *before);
        CHECK(saetm_topics_prune_words(ctx, straight, p.it, &bow, T, &wo, 1) == SAETM_OK);
        CHECK(before && memcmp(before, saetm_topics_topic_word(straight), (size_t)T * V * sizeof *before) == 0);
        free(before);
    }
    saetm_topics_free(straight);
    free_planted(&p);
    saetm_ctx_free(ctx);
}

/* ---- seed-independent co-activation merge (SAETM_COACT_INIT_PIVOT) ------------------------ */

/* The pivoted start picks one row per direction: rows along 4 orthogonal axes (with a little
 * noise), the first pivot the longest row, each next the farthest from the span of those chosen;
 * the same pivots for any thread count; with more pivots than the rank, still distinct rows. */
static void test_pivot_seeds(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    enum { n = 200, dim = 4 };
    float *x = malloc(n * dim * sizeof *x);
    double w[n];
    uint64_t s = 3;
    for (int i = 0; i < n; i++) {
        w[i] = 1;
        for (int j = 0; j < dim; j++) x[i * dim + j] = (j == i % dim ? 1.0f : 0.0f) + 0.01f * (float)(lcg(&s) % 100) / 100.0f;
    }
    x[5 * dim + 1] = 2.0f; /* the longest row: the first pivot */
    saetm__points p = {n, dim, x, NULL, NULL, NULL, NULL, w};
    uint64_t piv[2][dim];
    float c[dim * dim];
    for (int run = 0; run < 2; run++) {
        saetm_ctx_set_threads(ctx, run ? 3 : 1);
        CHECK(saetm__pivot_seeds(ctx, &p, dim, c, piv[run]) == SAETM_OK);
    }
    CHECK(memcmp(piv[0], piv[1], sizeof piv[0]) == 0);
    CHECK_EQ_INT(piv[0][0], 5);
    int seen[dim] = {0};
    for (int q = 0; q < dim; q++) seen[piv[0][q] % dim]++;
    for (int q = 0; q < dim; q++) CHECK_EQ_INT(seen[q], 1);
    CHECK(memcmp(c + dim, x + piv[0][1] * dim, dim * sizeof *c) == 0); /* the centroids are the pivot rows */
    /* rank 4, 6 pivots: the last two are rows of zero residual, distinct from the others */
    uint64_t p6[6];
    float c6[6 * dim];
    CHECK(saetm__pivot_seeds(ctx, &p, 6, c6, p6) == SAETM_OK);
    for (int a = 0; a < 6; a++)
        for (int b = a + 1; b < 6; b++) CHECK(p6[a] != p6[b]);
    CHECK(saetm__pivot_seeds(ctx, &p, n + 1, c6, NULL) == SAETM_ERR_ARG);
    free(x);
    saetm_ctx_free(ctx);
}

/* The pivoted co-activation merge recovers the planted topics, gives the same topics for any
 * seed, restarts and thread count, straight into K and through the pruning from 2K candidates;
 * only the co-activation merge takes it. */
static void test_coact_pivot(void)
{
    enum { JUNK = 8, F = T * COPIES + JUNK };
    saetm_ctx *ctx = saetm_ctx_create();
    planted p;
    CHECK(make_planted_junk(ctx, &p, JUNK) == 0);
    saetm_bow bow;
    saetm_synth_bow(p.s, &bow);
    saetm_topics_opts o;
    saetm_topics_opts_default(&o);
    o.method = SAETM_MERGE_COACT;
    /* The junk features join topics and dilute them either way: the pivoted start must recover
     * the planted topics as well as the seeded one (within 0.01) and purely. */
    double cs[2], cr[2];
    for (int pivot = 0; pivot < 2; pivot++) {
        o.coact_init = pivot ? SAETM_COACT_INIT_PIVOT : SAETM_COACT_INIT_RANDOM;
        o.k = T;
        saetm_topics *tp = NULL;
        CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_OK);
        cs[pivot] = cr[pivot] = 0;
        if (tp) {
            const int32_t *ft = saetm_topics_feature_topic(tp);
            int pure = 1;
            for (int f = 0; f < T * COPIES; f++) pure &= ft[f] == ft[(f / COPIES) * COPIES] && ft[f] >= 0;
            recovery(&p, tp, &cs[pivot], &cr[pivot]);
            fprintf(stderr, "coactivation, %s start: pure %d, topic-word cosine %.4f, doc correlation %.4f\n",
                    pivot ? "pivoted" : "seeded", pure, cs[pivot], cr[pivot]);
            CHECK(pure);
        }
        saetm_topics_free(tp);
    }
    CHECK(cs[1] >= 0.8 && cr[1] >= 0.8);
    CHECK(cs[1] >= cs[0] - 0.01 && cr[1] >= cr[0] - 0.01);
    /* Two seeds (with other restarts, on 1 and 3 threads): the same merge into 5 (not T: the merge
     * must decide something) and the same pruned topics from 2T candidates. */
    saetm_words_opts wo;
    saetm_words_opts_default(&wo);
    saetm_topics *m[2] = {NULL, NULL}, *pr[2] = {NULL, NULL};
    for (int run = 0; run < 2; run++) {
        saetm_ctx_set_threads(ctx, run ? 3 : 1);
        o.seed = run ? 987654321 : 1;
        o.restarts = run ? 1 : 4;
        o.k = 5;
        CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &m[run]) == SAETM_OK);
        o.k = 2 * T;
        CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &pr[run]) == SAETM_OK);
        CHECK(pr[run] && saetm_topics_prune_words(ctx, pr[run], p.it, &bow, T, &wo, 1) == SAETM_OK);
    }
    for (int i = 0; i < 2; i++) {
        saetm_topics **t = i ? pr : m;
        if (!t[0] || !t[1]) continue;
        uint32_t K = saetm_topics_k(t[0]);
        CHECK_EQ_INT(saetm_topics_k(t[1]), K);
        CHECK(memcmp(saetm_topics_feature_topic(t[0]), saetm_topics_feature_topic(t[1]), F * sizeof(int32_t)) == 0);
        CHECK(memcmp(saetm_topics_topic_word(t[0]), saetm_topics_topic_word(t[1]), (size_t)K * V * sizeof(float)) == 0);
        CHECK(memcmp(saetm_topics_doc_topics(t[0]), saetm_topics_doc_topics(t[1]), (size_t)NDOC * K * sizeof(float)) == 0);
        for (uint32_t k = 0; k < K; k++)
            CHECK(memcmp(saetm_topics_top_words(t[0], k), saetm_topics_top_words(t[1], k), o.top_n * sizeof(uint32_t)) == 0);
    }
    /* topics.json says how the merge started */
    char dir[4096], path[8400];
    snprintf(dir, sizeof dir, "%s/pivot", test_tmpdir());
    CHECK(m[0] && saetm_topics_write(ctx, m[0], p.it, dir) == SAETM_OK);
    snprintf(path, sizeof path, "%s/topics.json", dir);
    char *js = test_slurp_n(path, NULL);
    CHECK(js && strstr(js, "\"coact_init\":\"pivot\""));
    free(js);
    for (int run = 0; run < 2; run++) saetm_topics_free(m[run]), saetm_topics_free(pr[run]);
    /* only for the co-activation merge */
    o.k = T;
    o.method = SAETM_MERGE_KMEANS;
    CHECK(saetm_topics_opts_check(&o) != NULL);
    saetm_topics *tp = NULL;
    CHECK(saetm_topics_build(ctx, p.it, NULL, &o, &tp) == SAETM_ERR_ARG);
    CHECK(tp == NULL);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "co-activation");
    o.method = SAETM_MERGE_COACT;
    o.coact_init = (saetm_coact_init)2;
    CHECK(saetm_topics_opts_check(&o) != NULL);
    free_planted(&p);
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_kmeans);
    RUN(test_agglomerative_matches_brute_force);
    RUN(test_planted_all_methods);
    RUN(test_files_threads_transform);
    RUN(test_refit);
    RUN(test_prune);
    RUN(test_prune_crossfit);
    RUN(test_frex_hand);
    RUN(test_pivot_seeds);
    RUN(test_coact_pivot);
    return TEST_REPORT();
}
