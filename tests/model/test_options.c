/*
 * test_options.c - the option tables (src/model/options.c): every option of saetm fit and of the
 * topic stage set back from its default text reads back the same, a changed value reads back
 * changed, bad types, bounds, names and unknown options are refused naming the option, aliases
 * set the same field, and saetm_fit_opts_check applies the rules of the options given.
 */
#include "saetm.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value other than cur for row r (numbers in bounds, another choice, the other flag state). */
static const char *other_value(const saetm_option *r, const char *cur)
{
    if (r->type == SAETM_OPT_FLAG) return strcmp(cur, "1") == 0 ? "0" : "1";
    if (r->choices) {
        for (size_t i = 0; r->choices[i]; i++)
            if (strcmp(r->choices[i], cur) != 0) return r->choices[i];
        return NULL;
    }
    if (r->type == SAETM_OPT_STR) return strcmp(cur, "zzz") == 0 ? "yyy" : "zzz";
    if (r->type == SAETM_OPT_DOUBLE) return strcmp(cur, "0.25") == 0 ? "0.5" : "0.25";
    return strcmp(cur, "7") == 0 ? "8" : "7";
}

typedef saetm_status (*set_fn)(saetm_ctx *, void *, const char *, const char *);
typedef saetm_status (*get_fn)(saetm_ctx *, const void *, const char *, char *, size_t);
static saetm_status fit_set(saetm_ctx *c, void *o, const char *n, const char *v) { return saetm_fit_opts_set(c, o, n, v); }
static saetm_status fit_get(saetm_ctx *c, const void *o, const char *n, char *b, size_t cap)
{
    return saetm_fit_opts_get(c, o, n, b, cap);
}
static saetm_status ts_set(saetm_ctx *c, void *o, const char *n, const char *v) { return saetm_topic_stage_set(c, o, n, v); }
static saetm_status ts_get(saetm_ctx *c, const void *o, const char *n, char *b, size_t cap)
{
    return saetm_topic_stage_get(c, o, n, b, cap);
}

/* Over the rows t[0..n) of an object at a (a default one at b, of size sz): default text set back
 * changes no option's text; another value reads back as given and changes only that option. */
static void round_trip(const saetm_option *t, size_t n, void *a, void *b, size_t sz, set_fn set, get_fn get)
{
    saetm_ctx *ctx = saetm_ctx_create();
    static char before[128][256], after[256];
    CHECK(n > 0 && n <= 128);
    for (size_t i = 0; i < n; i++) CHECK_EQ_INT(get(ctx, b, t[i].name, before[i], sizeof before[i]), SAETM_OK);
    for (size_t i = 0; i < n; i++) {
        memcpy(a, b, sz);
        CHECK_EQ_INT(set(ctx, a, t[i].name, before[i]), SAETM_OK);
        for (size_t j = 0; j < n; j++) {
            CHECK_EQ_INT(get(ctx, a, t[j].name, after, sizeof after), SAETM_OK);
            if (strcmp(after, before[j]) != 0) {
                fprintf(stderr, "setting --%s '%s' changed --%s: '%s' -> '%s'\n", t[i].name, before[i], t[j].name,
                        before[j], after);
                CHECK(0);
            }
        }
        const char *v = other_value(&t[i], before[i]);
        CHECK(v != NULL);
        if (!v) continue;
        memcpy(a, b, sz);
        if (set(ctx, a, t[i].name, v) != SAETM_OK) {
            fprintf(stderr, "--%s '%s': %s\n", t[i].name, v, saetm_ctx_errmsg(ctx));
            CHECK(0);
            continue;
        }
        CHECK_EQ_INT(get(ctx, a, t[i].name, after, sizeof after), SAETM_OK);
        CHECK(strcmp(after, v) == 0);
        if (t[i].alias) { /* the alias sets the same field */
            memcpy(a, b, sz);
            CHECK_EQ_INT(set(ctx, a, t[i].alias, v), SAETM_OK);
            CHECK_EQ_INT(get(ctx, a, t[i].name, after, sizeof after), SAETM_OK);
            CHECK(strcmp(after, v) == 0);
        }
        for (size_t j = 0; j < n; j++) {
            if (j == i || strcmp(t[j].name, "refit") == 0 || strcmp(t[j].name, "no-refit") == 0) continue;
            CHECK_EQ_INT(get(ctx, a, t[j].name, after, sizeof after), SAETM_OK);
            if (strcmp(after, before[j]) != 0) {
                fprintf(stderr, "setting --%s changed --%s too\n", t[i].name, t[j].name);
                CHECK(0);
            }
        }
    }
    saetm_ctx_free(ctx);
}

static void test_fit_round_trip(void)
{
    size_t n = 0;
    const saetm_option *t = saetm_fit_options(&n);
    CHECK(n >= 60);
    static saetm_fit_opts a, b;
    saetm_fit_opts_default(&b);
    round_trip(t, n, &a, &b, sizeof a, fit_set, fit_get);
    /* names are unique, aliases too, across the whole table */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            CHECK(strcmp(t[i].name, t[j].name) != 0);
            CHECK(!t[i].alias || strcmp(t[i].alias, t[j].name) != 0);
        }
    /* the table has the stages' options, each row naming its stage */
    int topics = 0, corpus = 0;
    for (size_t i = 0; i < n; i++) topics += strcmp(t[i].stage, "topics") == 0, corpus += strcmp(t[i].stage, "corpus") == 0;
    size_t nt = 0;
    saetm_topic_stage_options(&nt);
    CHECK_EQ_INT(topics, (int)nt);
    CHECK(corpus >= 10);
}

static void test_topic_stage_round_trip(void)
{
    size_t n = 0;
    const saetm_option *t = saetm_topic_stage_options(&n);
    static saetm_topic_stage a, b;
    saetm_topic_stage_default(&b);
    round_trip(t, n, &a, &b, sizeof a, ts_set, ts_get);
    saetm_topic_stage_fit_default(&b);
    round_trip(t, n, &a, &b, sizeof a, ts_set, ts_get);
}

/* params.json's "topics" object comes from the rows: every option but merge (recorded resolved)
 * and no-refit (its effect is refit) has a key, and the stage's JSON holds each of them. */
static void test_topic_stage_json(void)
{
    size_t n = 0;
    const saetm_option *t = saetm_topic_stage_options(&n);
    saetm_ctx *ctx = saetm_ctx_create();
    static saetm_topic_stage s;
    saetm_topic_stage_default(&s);
    saetm_topic_stage_fit_default(&s);
    CHECK(saetm_topic_stage_set(ctx, &s, "word-vectors", "wv.npy") == SAETM_OK);
    CHECK(saetm_topic_stage_set(ctx, &s, "word-list", "wv.txt") == SAETM_OK);
    CHECK(saetm_topic_stage_set(ctx, &s, "decoder", "dec.npy") == SAETM_OK);
    CHECK(saetm_topic_stage_resolve(ctx, &s) == SAETM_OK);
    char *js = saetm_topic_stage_json(&s);
    CHECK(js != NULL);
    for (size_t i = 0; js && i < n; i++) {
        int extra = strcmp(t[i].name, "merge") == 0 || strcmp(t[i].name, "no-refit") == 0;
        CHECK(extra ? t[i].json == NULL : t[i].json != NULL);
        if (!t[i].json) continue;
        char key[96];
        snprintf(key, sizeof key, "\"%s\":", t[i].json);
        CHECK_CONTAINS(js, key);
    }
    if (js) {
        CHECK_CONTAINS(js, "\"merge\":\"coactivation\"");
        CHECK_CONTAINS(js, "\"seed\":");
    }
    free(js);
    saetm_ctx_free(ctx);
}

static saetm_status co_set(saetm_ctx *c, void *o, const char *n, const char *v) { return saetm_corpus_opts_set(c, o, n, v); }
static saetm_status co_get(saetm_ctx *c, const void *o, const char *n, char *b, size_t cap)
{
    return saetm_corpus_opts_get(c, o, n, b, cap);
}
static saetm_status in_set(saetm_ctx *c, void *o, const char *n, const char *v) { return saetm_interp_opts_set(c, o, n, v); }
static saetm_status in_get(saetm_ctx *c, const void *o, const char *n, char *b, size_t cap)
{
    return saetm_interp_opts_get(c, o, n, b, cap);
}
static saetm_status sa_set(saetm_ctx *c, void *o, const char *n, const char *v) { return saetm_sae_config_set(c, o, n, v); }
static saetm_status sa_get(saetm_ctx *c, const void *o, const char *n, char *b, size_t cap)
{
    return saetm_sae_config_get(c, o, n, b, cap);
}

/* The stages' own tables (corpus, interp, sae: the commands corpus, interpret, train) round trip
 * too, and their rows are fit's (same name, type, field, help), train's --k alias aside. */
static void test_stage_tables(void)
{
    static saetm_corpus_opts ca, cb;
    static saetm_interp_opts ia, ib;
    static saetm_sae_config sa, sb;
    size_t n, nf;
    saetm_corpus_opts_default(&cb);
    saetm_interp_opts_default(&ib);
    saetm_sae_config_default(&sb);
    const saetm_option *t = saetm_corpus_options(&n), *f = saetm_fit_options(&nf);
    round_trip(t, n, &ca, &cb, sizeof ca, co_set, co_get);
    t = saetm_interp_options(&n);
    round_trip(t, n, &ia, &ib, sizeof ia, in_set, in_get);
    t = saetm_sae_options(&n);
    round_trip(t, n, &sa, &sb, sizeof sa, sa_set, sa_get);
    int shared = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nf; j++)
            if (strcmp(t[i].name, f[j].name) == 0) {
                shared++;
                CHECK(t[i].offset == f[j].offset && t[i].type == f[j].type && strcmp(t[i].help, f[j].help) == 0);
                CHECK(strcmp(t[i].stage, "sae") == 0 && strcmp(f[j].stage, "sae") == 0);
            }
    CHECK(shared >= 9);
    saetm_ctx *ctx = saetm_ctx_create();
    CHECK_EQ_INT(saetm_sae_config_set(ctx, &sa, "k", "7"), SAETM_OK); /* train's older --k */
    CHECK_EQ_INT(sa.k, 7);
    saetm_fit_opts o;
    saetm_fit_opts_default(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "k", "7"), SAETM_OK); /* fit's --k: the topics */
    CHECK_EQ_INT(o.topics.o.k, 7);
    CHECK_EQ_INT(o.sae.k, 32);
    saetm_ctx_free(ctx);
}

/* Set name to value; it must fail with SAETM_ERR_ARG and a message containing want. */
static void refused(saetm_ctx *ctx, const char *name, const char *value, const char *want)
{
    saetm_fit_opts o;
    saetm_fit_opts_default(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, name, value), SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), want);
    CHECK_EQ_INT(o.given, 0);
}

static void test_refused(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    refused(ctx, "sae-k", "x", "--sae-k: expected an integer in [1, 4294967295], got 'x'");
    refused(ctx, "sae-k", "0", "--sae-k: expected an integer in [1,");
    refused(ctx, "sae-k", "-3", "--sae-k");
    refused(ctx, "sae-k", "3.5", "--sae-k");
    refused(ctx, "batch", "4294967296", "--batch: expected an integer in [0, 4294967295]");
    refused(ctx, "em-top", "101", "--em-top: expected an integer in [0, 100], got '101'");
    refused(ctx, "lr", "fast", "--lr: expected a number, got 'fast'");
    refused(ctx, "steps", "-1", "--steps");
    refused(ctx, "format", "xml", "--format must be auto, jsonl, csv, text or dir, not 'xml'");
    refused(ctx, "arch", "relu", "--sae-arch must be batchtopk, topk, relu-l1 or jumprelu, not 'relu'");
    refused(ctx, "em-accel", "anderson", "--em-accel must be squarem or off");
    refused(ctx, "resume", "maybe", "--resume: expected 1, true, 0 or false, got 'maybe'");
    refused(ctx, "k", "many", "--k: expected an integer");
    refused(ctx, "bogus", "1", "unknown option '--bogus'");
    refused(ctx, "sae-k", NULL, "--sae-k needs a value");
    saetm_topic_stage s;
    saetm_topic_stage_default(&s);
    CHECK_EQ_INT(saetm_topic_stage_set(ctx, &s, "sae-k", "3"), SAETM_ERR_ARG); /* not a topic option */
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "unknown option '--sae-k'");
    char buf[4];
    CHECK_EQ_INT(saetm_topic_stage_get(ctx, &s, "space", buf, sizeof buf), SAETM_ERR_ARG); /* "auto" + NUL > 4 */
    saetm_ctx_free(ctx);
}

static void test_values(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_fit_opts o;
    saetm_fit_opts_default(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "arch", "topk"), SAETM_OK);
    CHECK_EQ_INT(o.sae.arch, SAETM_SAE_TOPK);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "preprocess", "none"), SAETM_OK);
    CHECK_EQ_INT(o.corpus.preprocess, SAETM_PREPROCESS_NONE);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "em-accel", "off"), SAETM_OK);
    CHECK_EQ_INT(o.interp.accel, SAETM_ACCEL_NONE);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "no-idf", NULL), SAETM_OK);
    CHECK_EQ_INT(o.interp.idf, 0);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "no-idf", "false"), SAETM_OK);
    CHECK_EQ_INT(o.interp.idf, 1);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "lr", "3e-4"), SAETM_OK);
    CHECK(o.sae.lr == 3e-4);
    char buf[64];
    CHECK_EQ_INT(saetm_fit_opts_get(ctx, &o, "lr", buf, sizeof buf), SAETM_OK);
    CHECK(strcmp(buf, "0.0003") == 0);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "tau", "0.1"), SAETM_OK); /* a topic option through fit */
    CHECK(o.topics.o.tau == 0.1);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "seed", "18446744073709551615"), SAETM_OK);
    CHECK(o.seed == 18446744073709551615ULL);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "id-field", "id"), SAETM_OK);
    CHECK(o.corpus.id_field && strcmp(o.corpus.id_field, "id") == 0);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "id-field", ""), SAETM_OK);
    CHECK(o.corpus.id_field == NULL);
    saetm_ctx_free(ctx);
}

static void fit_named(saetm_fit_opts *o)
{
    saetm_fit_opts_default(o);
    o->input = "docs.jsonl";
    o->out = "m";
}

static void test_check_rules(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_fit_opts o;
    /* --space alone: the k-means merge in that space; with --method: the method given */
    fit_named(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "space", "hellinger"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK);
    CHECK(strcmp(o.topics.method, "kmeans") == 0);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK); /* idempotent */
    fit_named(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "space", "hellinger"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "method", "coactivation"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK);
    CHECK(strcmp(o.topics.method, "coactivation") == 0);
    fit_named(&o); /* a field set directly is not "given": the struct decides */
    o.topics.space = "hellinger";
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK);
    CHECK(strcmp(o.topics.method, "coactivation") == 0);
    /* --features / --expansion */
    fit_named(&o);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK);
    CHECK_EQ_INT(o.size_features, 1);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "features", "256"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK);
    CHECK_EQ_INT(o.size_features, 0);
    CHECK_EQ_INT(o.sae.n_features, 256);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "expansion", "8"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "give --features or --expansion, not both");
    fit_named(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "expansion", "8"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK);
    CHECK_EQ_INT(o.size_features, 0);
    fit_named(&o); /* --features 0: still sized to the corpus */
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "features", "0"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_OK);
    CHECK_EQ_INT(o.size_features, 1);
    /* --min-docs (alias) given: fixed, in the topic stage's resolve */
    saetm_topic_stage s;
    saetm_topic_stage_default(&s);
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &s), SAETM_OK);
    CHECK_EQ_INT(s.min_docs_fixed, 0);
    CHECK_EQ_INT(saetm_topic_stage_set(ctx, &s, "min-docs", "3"), SAETM_OK);
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &s), SAETM_OK);
    CHECK_EQ_INT(s.min_docs_fixed, 1);
    CHECK_EQ_INT(s.o.min_docs, 3);
    /* the checks of several options and the required ones */
    saetm_fit_opts_default(&o);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "--input is required");
    fit_named(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "steps", "10"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "epochs", "2"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "--epochs or --steps");
    fit_named(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "holdout", "0.95"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit_opts_check(ctx, &o), SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "--holdout");
    fit_named(&o);
    CHECK_EQ_INT(saetm_fit_opts_set(ctx, &o, "rank", "sideways"), SAETM_OK);
    CHECK_EQ_INT(saetm_fit(ctx, &o, NULL), SAETM_ERR_ARG); /* saetm_fit checks too, before any work */
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "--rank");
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_topic_stage_json);
    RUN(test_fit_round_trip);
    RUN(test_topic_stage_round_trip);
    RUN(test_stage_tables);
    RUN(test_refused);
    RUN(test_values);
    RUN(test_check_rules);
    return TEST_REPORT();
}
