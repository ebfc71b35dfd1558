/*
 * test_model.c - the pipeline module (src/model/): saetm_fit on a planted corpus, the model
 * directory read back (saetm_model_open, params.json round trip into the topic stage and the
 * corpus options), broken params.json files rejected with the file and the field named, the
 * topic stage's defaults and checks.
 */
#include "saetm.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char g_dir[4096], g_in[4400], g_emb[4400];

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

/* A planted data set (docs.jsonl, emb.npy) and one fit of it into g_dir/m. */
static int setup(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/test_model", test_tmpdir());
    mkdir(g_dir, 0777);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_synth_opts so;
    saetm_synth_opts_default(&so);
    so.n_docs = 300;
    so.n_topics = 4;
    so.vocab_size = 120;
    so.dim = 16;
    saetm_synth *s = NULL;
    char sd[4200];
    snprintf(sd, sizeof sd, "%s/s", g_dir);
    int bad = saetm_synth_generate(ctx, &so, &s) || saetm_synth_write(ctx, s, sd);
    saetm_synth_free(s);
    saetm_ctx_free(ctx);
    snprintf(g_in, sizeof g_in, "%s/docs.jsonl", sd);
    snprintf(g_emb, sizeof g_emb, "%s/emb.npy", sd);
    return bad;
}

static void fit_opts(saetm_fit_opts *o, const char *out)
{
    saetm_fit_opts_default(o);
    o->input = g_in;
    o->emb = g_emb;
    o->out = out;
    o->corpus.preprocess = SAETM_PREPROCESS_NONE;
    o->corpus.id_field = "id";
    o->corpus.min_df = 2;
    o->topics.o.k = 4;
    o->sae.steps = 40;
}

/* saetm_fit_opts_default is saetm fit's: the tuned topic defaults and the SAE sized to the corpus. */
static void test_defaults(void)
{
    saetm_fit_opts o;
    saetm_fit_opts_default(&o);
    CHECK(strcmp(o.topics.method, "coactivation") == 0);
    CHECK(strcmp(o.topics.coact_init, "pivot") == 0);
    CHECK(strcmp(o.topics.words, "tfidf") == 0 && strcmp(o.topics.crossfit, "on") == 0);
    CHECK_EQ_INT(o.topics.o.min_docs, 20);
    CHECK_EQ_INT(o.topics.refit, 1);
    CHECK_NEAR(o.topics.candidates, 2.0, 0);
    CHECK_EQ_INT(o.sae.batch, 1024);
    CHECK_EQ_INT(o.sae.checkpoint_every, 250);
    CHECK_EQ_INT(o.size_features, 1);
    saetm_topic_stage plain;
    saetm_topic_stage_default(&plain);
    CHECK(strcmp(plain.method, "kmeans") == 0 && plain.refit == 0 && strcmp(plain.coact_init, "random") == 0);
}

static void test_resolve(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_topic_stage s;
    saetm_topic_stage_default(&s);
    s.merge = "kmeans-words";
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &s), SAETM_OK);
    CHECK(strcmp(saetm_topic_stage_merge_name(&s), "kmeans-words") == 0);
    CHECK_EQ_INT(s.o.space, SAETM_SPACE_WORDS);
    saetm_topic_stage_default(&s);
    s.space = "sideways";
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &s), SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "--space must be");
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "sideways");
    saetm_topic_stage_default(&s);
    s.refit = 1;
    s.candidates = 2;
    s.method = "agglomerative";
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &s), SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "--candidates");
    saetm_fit_opts o;
    fit_opts(&o, "/nonexistent/never");
    o.topics.rank = "sideways";
    CHECK_EQ_INT(saetm_fit(ctx, &o, NULL), SAETM_ERR_ARG); /* checked before any work */
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "--rank");
    saetm_ctx_free(ctx);
}

/* A fit, its files read back, and params.json into the topic stage and corpus options. */
static void test_fit_round_trip(void)
{
    char out[4300];
    snprintf(out, sizeof out, "%s/m", g_dir);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_fit_opts o;
    fit_opts(&o, out);
    o.topics.o.top_n = 12;
    saetm_fit_result r;
    CHECK_EQ_INT(saetm_fit(ctx, &o, &r), SAETM_OK);
    CHECK_EQ_INT(r.docs, 300);
    CHECK_EQ_INT(r.k, 4);
    CHECK_EQ_INT(r.features, 1024); /* sized to the corpus: the smallest power of two, 1024 */
    CHECK_EQ_INT(r.embedding_dim, 16);
    CHECK_EQ_INT(r.has_scores, 0);
    saetm_model_files m;
    CHECK_EQ_INT(saetm_model_open(ctx, out, SAETM_MODEL_INTERP | SAETM_MODEL_CORPUS | SAETM_MODEL_HELDOUT |
                                                SAETM_MODEL_SAE, &m), SAETM_OK);
    CHECK(m.interp && m.corpus && m.sae && !m.heldout);
    if (m.interp && m.corpus && m.sae) {
        CHECK_EQ_INT(saetm_interp_num_docs(m.interp), 300);
        CHECK_EQ_INT(saetm_corpus_vocab_size(m.corpus), r.vocab);
        CHECK_EQ_INT(saetm_sae_features(m.sae), r.features);
    }
    saetm_model_files_free(&m);
    saetm_model_files_free(&m); /* twice: a no-op */
    saetm_model_params *p = NULL;
    CHECK_EQ_INT(saetm_model_params_load(ctx, out, &p), SAETM_OK);
    CHECK(p != NULL);
    saetm_topic_stage s;
    saetm_topic_stage_default(&s);
    saetm_model_params_topics(p, &s);
    CHECK_EQ_INT(s.o.k, 4);
    CHECK_EQ_INT(s.o.top_n, 12);
    CHECK_EQ_INT(s.o.min_docs, 20);
    CHECK(strcmp(s.method, "coactivation") == 0 && strcmp(s.coact_init, "pivot") == 0);
    CHECK(strcmp(s.words, "tfidf") == 0 && s.refit == 1);
    CHECK_NEAR(s.candidates, 2.0, 0);
    /* the stage read back prints as params.json recorded it */
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &s), SAETM_OK);
    saetm_topic_stage w = o.topics;
    w.o.seed = o.seed;
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &w), SAETM_OK);
    s.o.seed = o.seed;
    char *a = saetm_topic_stage_json(&s), *b = saetm_topic_stage_json(&w);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    saetm_model_corpus_args c;
    memset(&c, 0, sizeof c);
    saetm_model_params_corpus(p, &c);
    CHECK(c.preprocess && strcmp(c.preprocess, "none") == 0);
    CHECK(c.id_field && strcmp(c.id_field, "id") == 0);
    CHECK_EQ_INT(c.min_df, 2);
    saetm_model_params_free(p);
    saetm_model_params_free(NULL);
    saetm_ctx_free(ctx);
}

/* The sweep of the fitted model: one row per K, written as CSV and JSON. */
static void test_sweep(void)
{
    char out[4300], csv[4400], js[4400];
    snprintf(out, sizeof out, "%s/m", g_dir);
    snprintf(csv, sizeof csv, "%s/sweep.csv", out);
    snprintf(js, sizeof js, "%s/sweep.json", out);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_model_files m;
    CHECK_EQ_INT(saetm_model_open(ctx, out, SAETM_MODEL_INTERP | SAETM_MODEL_CORPUS, &m), SAETM_OK);
    saetm_fit_opts o;
    fit_opts(&o, out);
    CHECK_EQ_INT(saetm_topic_stage_resolve(ctx, &o.topics), SAETM_OK);
    saetm_eval_opts eo;
    saetm_eval_opts_default(&eo);
    saetm_matrix vec, raw;
    CHECK_EQ_INT(saetm_topic_stage_vectors(ctx, &o.topics, m.interp, NULL, out, &vec, &raw), SAETM_OK);
    saetm_sweep_row rows[2];
    for (uint32_t i = 0; i < 2; i++) {
        CHECK_EQ_INT(saetm_sweep_k(ctx, &o.topics, m.interp, m.corpus, &vec, &eo, 2 + i, &rows[i]), SAETM_OK);
        CHECK_EQ_INT(rows[i].k, 2 + i);
        CHECK(rows[i].n_scored_topics >= 1 && rows[i].npmi >= -1 && rows[i].npmi <= 1);
    }
    CHECK_EQ_INT(saetm_sweep_write(ctx, csv, js, out, &o.topics, &eo, rows, 2), SAETM_OK);
    char *c = test_slurp_n(csv, NULL), *j = test_slurp_n(js, NULL);
    CHECK(c && strncmp(c, "k,npmi,c_v,diversity,n_scored_topics\n2,", 39) == 0 && strstr(c, "\n3,"));
    CHECK_CONTAINS(j, "\"merge\":\"coactivation\"");
    CHECK_CONTAINS(j, "\"rows\":[{\"k\":2,");
    CHECK(j && !strstr(j, "\"topics\":{\"k\"")); /* K varies: only in the rows */
    free(c);
    free(j);
    saetm_topic_stage_vectors_free(&vec, &raw);
    saetm_model_files_free(&m);
    saetm_ctx_free(ctx);
}

/* params.json: missing is fine; not JSON, or a field of the wrong type, is refused by name. */
static void test_params_bad(void)
{
    char dir[4300], path[4400];
    snprintf(dir, sizeof dir, "%s/p", g_dir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/params.json", dir);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_model_params *p = (saetm_model_params *)1;
    remove(path);
    CHECK_EQ_INT(saetm_model_params_load(ctx, dir, &p), SAETM_OK);
    CHECK(p == NULL);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\n \"topics\": {\n  \"k\": 4,\n", "line 3: not valid JSON"},
        {"[1, 2]", "expected a JSON object"},
        {"{\"topics\": {\"k\": \"four\"}}", "\"topics.k\": expected a number"},
        {"{\"topics\": {\"refit\": 1}}", "\"topics.refit\": expected true or false"},
        {"{\"corpus\": {\"format\": 3}}", "\"corpus.format\": expected a string"},
        {"{\"corpus\": [1]}", "\"corpus\": expected an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(write_text(path, bad[i].text) == 0);
        p = NULL;
        CHECK_EQ_INT(saetm_model_params_load(ctx, dir, &p), SAETM_ERR_FORMAT);
        CHECK(p == NULL);
        CHECK_CONTAINS(saetm_ctx_errmsg(ctx), path);
        CHECK_CONTAINS(saetm_ctx_errmsg(ctx), bad[i].want);
    }
    CHECK(write_text(path, "{\"topics\": {\"k\": 7, \"method\": \"agglomerative\"}, \"extra\": [1]}") == 0);
    CHECK_EQ_INT(saetm_model_params_load(ctx, dir, &p), SAETM_OK);
    saetm_topic_stage s;
    saetm_topic_stage_default(&s);
    saetm_model_params_topics(p, &s);
    CHECK_EQ_INT(s.o.k, 7);
    CHECK(strcmp(s.method, "agglomerative") == 0 && strcmp(s.linkage, "ward") == 0); /* absent: kept */
    saetm_model_params_free(p);
    /* a model directory without its files: the first missing file is named */
    saetm_model_files m;
    CHECK(saetm_model_open(ctx, dir, SAETM_MODEL_INTERP, &m) != SAETM_OK);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "interp.sti");
    CHECK(m.interp == NULL);
    saetm_ctx_free(ctx);
}

/* One training document is refused before the SAE, naming the input. */
static void test_fit_too_few(void)
{
    char in[4300], out[4300];
    snprintf(in, sizeof in, "%s/one.jsonl", g_dir);
    snprintf(out, sizeof out, "%s/one", g_dir);
    CHECK(write_text(in, "{\"id\": \"a\", \"text\": \"alpha beta gamma\"}\n") == 0);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_fit_opts o;
    fit_opts(&o, out);
    o.input = in;
    o.corpus.min_df = 1;
    CHECK_EQ_INT(saetm_fit(ctx, &o, NULL), SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "one.jsonl");
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "at least 2");
    saetm_ctx_free(ctx);
}

int main(void)
{
    if (setup()) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    RUN(test_defaults);
    RUN(test_resolve);
    RUN(test_fit_round_trip);
    RUN(test_sweep);
    RUN(test_params_bad);
    RUN(test_fit_too_few);
    return TEST_REPORT();
}
