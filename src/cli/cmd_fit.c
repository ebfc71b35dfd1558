/*
 * cmd_fit.c - `saetm fit`: the whole pipeline in one command, documents -> corpus -> SAE (trained
 * unless --sae is given) -> activations -> interpretation -> K topics, everything written into one
 * model directory with the run's parameters (params.json), ready for `saetm topics --model`,
 * `saetm transform`, `saetm eval`, `saetm report`. With --holdout F a deterministic share of the
 * documents (saetm_holdout_is_held) is kept out of every stage, written to heldout.stc and used to
 * score the topics.
 */
#include "cli.h"

int cmd_embed(int argc, char **argv);

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_write_text(const char *cmd, const char *path, const char *text)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_status st = ctx ? saetm_write_file_atomic(ctx, path, text, strlen(text)) : SAETM_ERR_NOMEM;
    if (st) fprintf(stderr, "saetm %s: cannot write %s: %s\n", cmd, path, ctx ? saetm_ctx_errmsg(ctx) : "out of memory");
    saetm_ctx_free(ctx);
    return st ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int cli_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* "DIR/name" in buf. */
static const char *in_dir(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

/* The SAE of `saetm fit` is sized to the corpus (docs/quality.md measured these on three corpora
 * of 6,000-8,000 documents: 4,096 features beat 1,024 and 2,048 at K = 50, and 40 epochs of
 * batch 1024 matched 200 steps of batch 4096 at a quarter of the rows): about two documents per
 * feature, a power of two between 1024 and 64 x d (the reference's expansion, reached at about
 * 64k documents of 512 dimensions), and 40 epochs, at least 200 steps, unless the options say. */
#define FIT_BATCH 1024
#define FIT_EPOCHS 40
#define FIT_MIN_STEPS 200
static void fit_sae_size(saetm_sae_config *cfg, uint64_t n, uint64_t d, int auto_features)
{
    if (auto_features) {
        uint64_t cap = 64 * d, f = 1024;
        while (f < n / 2 && f < cap) f *= 2;
        if (f > cap) f = cap;
        cfg->n_features = (uint32_t)(f > (1u << 26) ? 1u << 26 : f);
    }
    if (!cfg->steps && !cfg->epochs && n) {
        uint64_t b = cfg->batch && cfg->batch < n ? cfg->batch : n, spe = n / b ? n / b : 1;
        cfg->steps = FIT_EPOCHS * spe > FIT_MIN_STEPS ? FIT_EPOCHS * spe : FIT_MIN_STEPS;
    }
}

/* --resume, SAE stage: a finished DIR/sae.saem trained with the same settings is reused; else
 * DIR/sae.ckpt made with the same settings is continued (*have = 1 either way, and *sae set);
 * with neither, training starts afresh (*have = 0). Other settings: refused, exit 2. */
static int resume_sae(saetm_ctx *ctx, const char *dir, const saetm_sae_config *cfg, const saetm_matrix *x,
                      saetm_sae **sae, int *have, int quiet)
{
    char path[4096];
    const uint32_t d = (uint32_t)x->cols;
    saetm_status st;
    *have = 0;
    if (cli_file_exists(in_dir(path, sizeof path, dir, "sae.saem"))) {
        if ((st = saetm_sae_load(ctx, path, sae))) return cli_fail(ctx, "fit", st);
        saetm_sae_config have_cfg;
        saetm_sae_get_config(*sae, &have_cfg);
        const char *diff = saetm_sae_dim(*sae) != d ? "embedding dimension" : saetm_sae_config_diff(&have_cfg, cfg, d);
        if (diff)
            return cli_usage_error("fit", "--resume: %s was trained with another %s; give the same options, or drop "
                                          "--resume to start over", path, diff);
        if (!quiet) fprintf(stderr, "fit: --resume: %s is finished, reusing it\n", path);
        *have = 1;
        return CLI_EXIT_OK;
    }
    if (!cli_file_exists(in_dir(path, sizeof path, dir, "sae.ckpt"))) {
        if (!quiet) fprintf(stderr, "fit: --resume: no SAE checkpoint in %s, training from the start\n", dir);
        return CLI_EXIT_OK;
    }
    saetm_sae_config ck;
    uint32_t ck_d = 0;
    char name[256];
    if ((st = saetm_sae_checkpoint_config(ctx, path, &ck, &ck_d, name, sizeof name))) return cli_fail(ctx, "fit", st);
    ck.embedder = name;
    const char *diff = ck_d != d ? "embedding dimension" : saetm_sae_config_diff(&ck, cfg, d);
    if (diff)
        return cli_usage_error("fit", "--resume: %s was made with another %s; give the same options, or drop "
                                      "--resume to start over", path, diff);
    if (!quiet) fprintf(stderr, "fit: --resume: continuing the SAE training saved in %s\n", path);
    if ((st = saetm_sae_resume(ctx, path, cfg, x, sae))) return cli_fail(ctx, "fit", st);
    *have = 1;
    return CLI_EXIT_OK;
}

/* --resume with --holdout: DIR/corpus.stc of the earlier try must have been built with the same
 * holdout (else its SAE saw other documents); one without a readable corpus starts over. */
static int resume_holdout(saetm_ctx *ctx, const char *dir, double holdout)
{
    char path[4096];
    saetm_corpus *c = NULL;
    if (!cli_file_exists(in_dir(path, sizeof path, dir, "corpus.stc")) || saetm_corpus_load(ctx, path, &c))
        return CLI_EXIT_OK;
    double had = cli_corpus_holdout(c);
    saetm_corpus_free(c);
    if (llround(had * 1e6) != llround(holdout * 1e6))
        return cli_usage_error("fit", "--resume: %s was built with --holdout %g, not %g; give the same options, or "
                                      "drop --resume to start over", path, had, holdout);
    return CLI_EXIT_OK;
}

/* DIR/heldout_doc_topics.npy: the topic proportions of the held-out documents, as `saetm transform
 * --model DIR --emb ROWS --input DOCS` gives them for their rows and texts: their embeddings
 * encoded by the SAE and summed by topic, all-zero rows for documents without a word of
 * corpus.stc's vocabulary. Skipped, with a note, when a held-out row is not finite (the fit reads
 * no held-out row otherwise). @return an exit code. */
static int heldout_doc_topics(saetm_ctx *ctx, const saetm_sae *sae, const saetm_matrix *x_all, double holdout,
                              const char *emb, const saetm_corpus *corpus, const saetm_corpus *heldout,
                              const char *dir, int quiet)
{
    char path[4096];
    saetm_matrix xh = {0};
    saetm_acts a = {0};
    uint32_t F = saetm_sae_features(sae), k = 0;
    int32_t *ft = NULL;
    float *dt = NULL;
    unsigned char *known = NULL;
    saetm_status st = saetm_holdout_rows(ctx, x_all, holdout, SAETM_HOLDOUT_HELD, emb, &xh);
    if (st == SAETM_ERR_INPUT) {
        if (!quiet) fprintf(stderr, "fit: note: %s, so heldout_doc_topics.npy is not written\n", saetm_ctx_errmsg(ctx));
        remove(in_dir(path, sizeof path, dir, "heldout_doc_topics.npy"));
        return CLI_EXIT_OK;
    }
    if (!st && xh.rows != saetm_corpus_num_docs(heldout))
        st = SAETM_ERR_INTERNAL; /* the reader and the rule disagree: cannot happen */
    if (!st) st = saetm_sae_encode(ctx, sae, &xh, &a);
    if (!st) {
        ft = malloc((size_t)F * sizeof *ft);
        st = ft ? saetm_topics_read_assignment(ctx, in_dir(path, sizeof path, dir, "topics.json"), F, ft, &k)
                : SAETM_ERR_NOMEM;
    }
    if (!st) {
        dt = malloc(((size_t)xh.rows * k + 1) * sizeof *dt);
        st = dt ? saetm_topics_transform(ctx, &a, ft, k, dt) : SAETM_ERR_NOMEM;
    }
    uint32_t V = saetm_corpus_vocab_size(heldout);
    if (!st && !(known = calloc(V ? V : 1, 1))) st = SAETM_ERR_NOMEM;
    for (uint32_t w = 0; !st && w < V; w++)
        known[w] = saetm_corpus_word_id(corpus, saetm_corpus_word(heldout, w)) != UINT32_MAX;
    const uint64_t *rp = saetm_corpus_row_ptr(heldout);
    const uint32_t *wid = saetm_corpus_word_ids(heldout);
    for (uint64_t d = 0; !st && d < xh.rows; d++) {
        int any = 0;
        for (uint64_t p = rp[d]; p < rp[d + 1] && !any; p++) any = known[wid[p]];
        if (!any) memset(dt + d * k, 0, (size_t)k * sizeof *dt);
    }
    if (!st) st = saetm_npy_save(ctx, in_dir(path, sizeof path, dir, "heldout_doc_topics.npy"), dt, xh.rows, k);
    free(known);
    free(dt);
    free(ft);
    saetm_acts_free(&a);
    saetm_matrix_free(&xh);
    return st ? cli_fail(ctx, "fit", st) : CLI_EXIT_OK;
}

/* One side's scores in params.json, as topics.json has them. */
static cJSON *score_json(const saetm_topics_score *s)
{
    cJSON *o = cJSON_CreateObject();
    if (s->scored) {
        cJSON_AddNumberToObject(o, "npmi", s->npmi);
        cJSON_AddNumberToObject(o, "c_v", s->c_v);
    } else {
        cJSON_AddNullToObject(o, "npmi");
        cJSON_AddNullToObject(o, "c_v");
    }
    cJSON_AddNumberToObject(o, "diversity", s->diversity);
    cJSON_AddNumberToObject(o, "n_docs", (double)s->n_docs);
    cJSON_AddNumberToObject(o, "n_scored_topics", s->n_scored_topics);
    return o;
}

int cmd_fit(int argc, char **argv)
{
    const char *input = NULL, *emb = NULL, *sae_path = NULL, *out = NULL, *arch = "batchtopk";
    cli_corpus_args ca;
    cli_interp_args ia;
    cli_topics_args ta;
    cli_corpus_defaults(&ca);
    cli_interp_defaults(&ia);
    cli_topics_defaults(&ta);
    saetm_sae_config cfg;
    saetm_sae_config_default(&cfg);
    cfg.batch = FIT_BATCH;
    uint32_t features = 0;
    int resume = 0;
    double holdout = 0;
    cfg.checkpoint_every = 250;
    cli_opt opts[80] = {
        {"input", CLI_STR, &input, "PATH", "documents (.jsonl, .csv, text lines or a directory of .txt; gzip or not)", NULL},
        {"emb", CLI_STR, &emb, "FILE", "document embeddings, N x d .npy, row i = document i of --input",
         "the built-in embedder (written to DIR/emb.npy)"},
        {"sae", CLI_STR, &sae_path, "FILE", "use this trained SAE (.saem) instead of training one; 'default' = the "
         "shipped foundational SAE of the embeddings' embedder (docs/foundation.md)", "train one"},
        {"out", CLI_STR, &out, "DIR", "model directory to write (created if missing)", NULL},
        {"sae-arch", CLI_STR, &arch, "NAME", "SAE training: batchtopk, topk, relu-l1 or jumprelu", "batchtopk"},
        {"sae-k", CLI_U32, &cfg.k, "K", "SAE training: active features per document", "32"},
        {"expansion", CLI_U32, &cfg.expansion, "E", "SAE training: features = E x embedding dimension (instead of --features)",
         NULL},
        {"features", CLI_U32, &features, "F", "SAE training: number of features",
         "sized to the corpus: the power of two >= N/2 for N documents, within [1024, 64 x d]"},
        {"batch", CLI_U32, &cfg.batch, "B", "SAE training: rows per step", "1024"},
        {"lr", CLI_DOUBLE, &cfg.lr, "LR", "SAE training: Adam learning rate", "1e-3"},
        {"epochs", CLI_U32, &cfg.epochs, "E", "SAE training: passes over the documents", "40, at least 200 steps"},
        {"steps", CLI_U64, &cfg.steps, "S", "SAE training: optimiser steps (instead of --epochs)", NULL},
        {"checkpoint-every", CLI_U64, &cfg.checkpoint_every, "N",
         "SAE training: save the training state to DIR/sae.ckpt every N steps (0 = never)", "250"},
        {"resume", CLI_FLAG, &resume, NULL,
         "continue an interrupted fit into DIR with the same options: reuse DIR/emb.npy (built-in embedder) and a "
         "finished DIR/sae.saem, or resume training from DIR/sae.ckpt; the result equals an uninterrupted run's",
         NULL},
        {"holdout", CLI_DOUBLE, &holdout, "F",
         "keep the share F in [0, 0.9] of the documents out of every stage (document i iff (i * round(F * 10^6)) mod "
         "10^6 < round(F * 10^6); F = 0.2: i % 5 == 0) and score the topics on them: DIR/heldout.stc, scores in "
         "topics.json and params.json; 0 = none", "0"},
    };
    int n = 15;
    n += cli_corpus_table(&ca, opts + n);
    n += cli_interp_table(&ia, opts + n);
    int nt = cli_topics_table(&ta, opts + n);
    cli_topics_fit_defaults(&ta, opts + n, nt);
    n += nt;
    cli_common common;
    int rc = cli_parse(argc, argv, "fit",
                       "Run the whole pipeline: read the documents into a corpus, train a sparse autoencoder on\n"
                       "their embeddings (or use --sae), encode, interpret the features (a word distribution\n"
                       "each) and merge them into K topics. Writes into DIR: corpus.stc, sae.saem, acts.sac,\n"
                       "interp.sti, top_words.txt, topics.json, doc_topics.npy, topic_word.npy, params.json.\n"
                       "With --holdout F the held-out documents take no part and score the topics (heldout.stc).\n"
                       "Re-merge later in seconds with `saetm topics --model DIR --k K2`. Example:\n"
                       "  saetm fit --input docs.jsonl --emb emb.npy --k 20 --out model/",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!input) return cli_usage_error("fit", "--input is required");
    if (!out) return cli_usage_error("fit", "--out is required");
    const char *bad = saetm_holdout_check(holdout);
    if (bad) return cli_usage_error("fit", "--holdout %g: %s", holdout, bad);
    ca.o.holdout = holdout; /* corpus.stc: the training documents */
    ca.o.holdout_part = SAETM_HOLDOUT_TRAIN;
    if ((rc = cli_corpus_finish("fit", &ca)) >= 0) return rc;
    if ((rc = cli_interp_finish("fit", &ia)) >= 0) return rc;
    /* --space alone asks for a feature embedding, which only k-means uses: the plain merge in that space */
    if (cli_given(argc, argv, "space") && !cli_given(argc, argv, "method") && !cli_given(argc, argv, "merge"))
        ta.method = "kmeans";
    if ((rc = cli_topics_finish("fit", &ta)) >= 0) return rc;
    if (ta.o.space == SAETM_SPACE_DECODER && ta.decoder)
        return cli_usage_error("fit", "--decoder is not needed: fit uses its SAE's decoder for --space decoder");
    if (features && cli_given(argc, argv, "expansion"))
        return cli_usage_error("fit", "give --features or --expansion, not both");
    if (cfg.steps && cfg.epochs) return cli_usage_error("fit", "give --epochs or --steps, not both");
    ta.o.seed = common.seed;
    ta.quiet = common.quiet;
    cfg.seed = common.seed;
    cfg.n_features = features;
    int auto_features = !features && !cli_given(argc, argv, "expansion");
    ta.min_docs_given = cli_given(argc, argv, "min-doc-freq") || cli_given(argc, argv, "min-docs");

    saetm_ctx *ctx = cli_ctx(&common);
    saetm_status st = SAETM_OK;
    saetm_corpus *corpus = NULL, *heldout = NULL;
    saetm_sae *sae = NULL;
    saetm_acts acts = {0};
    saetm_interp *it = NULL;
    saetm_matrix x = {0}, x_all = {0}; /* x: the training rows; x_all: every row, with --holdout */
    saetm_topics_score scores[2];
    memset(scores, 0, sizeof scores);
    const char **vocab = NULL;
    cJSON *params = NULL;
    char path[4096];
    double t0 = seconds_now(), t_corpus = 0, t_sae = 0, t_interp = 0, t_topics = 0;
    if (!sae_path && (st = saetm_sae_arch_parse(ctx, arch, &cfg.arch))) {
        rc = cli_usage_error("fit", "%s", saetm_ctx_errmsg(ctx));
        goto done;
    }
    /* Under mpirun (docs/distributed.md) rank 0 writes every file and builds the corpus; the
     * embedding, SAE training, encoding and interpretation run across the processes; rank 0
     * merges the topics alone. The others read what rank 0 wrote (a shared file system). */
    const int writer = saetm_dist_rank() == 0;
    if (writer && cli_mkdir(out)) {
        fprintf(stderr, "saetm fit: cannot create directory %s\n", out);
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    if (sae_path && strcmp(sae_path, "default") == 0 && !emb) { /* fail before embedding, not after */
        char probe[4096];
        if ((st = saetm_sae_default_path(ctx, NULL, probe, sizeof probe))) goto fail;
    }
    /* 1. corpus (with --holdout: the training documents, and the held-out ones in heldout.stc) */
    if (resume) {
        rc = writer ? resume_holdout(ctx, out, holdout) : CLI_EXIT_OK;
        if (saetm_dist_agree(ctx, rc ? SAETM_ERR_ARG : SAETM_OK) && !rc) rc = CLI_EXIT_USAGE;
        if (rc) goto done;
    }
    saetm_corpus_stats cs, hs;
    memset(&cs, 0, sizeof cs);
    memset(&hs, 0, sizeof hs);
    in_dir(path, sizeof path, out, "corpus.stc");
    if (writer) st = saetm_corpus_build_file(ctx, input, &ca.o, path, &cs);
    st = saetm_dist_agree(ctx, st);
    if (!st) st = saetm_corpus_load(ctx, path, &corpus);
    if (!st && holdout > 0) {
        /* The reference for held-out scores: the same preprocessing, every word kept. */
        saetm_corpus_opts ho = ca.o;
        ho.holdout_part = SAETM_HOLDOUT_HELD;
        ho.min_df = 1;
        ho.max_df = 1.0;
        ho.max_vocab = 0;
        in_dir(path, sizeof path, out, "heldout.stc");
        if (writer) st = saetm_corpus_build_file(ctx, input, &ho, path, &hs);
        st = saetm_dist_agree(ctx, st);
        if (!st) st = saetm_corpus_load(ctx, path, &heldout);
    } else if (!st && writer) { /* not this fit's: `topics --model` would score against them */
        remove(in_dir(path, sizeof path, out, "heldout.stc"));
        remove(in_dir(path, sizeof path, out, "heldout_doc_topics.npy"));
    }
    if (st) goto fail;
    const uint64_t n_held = heldout ? saetm_corpus_num_docs(heldout) : 0;
    if (saetm_corpus_num_docs(corpus) < 2) {
        /* One document has nothing to contrast it with: the SAE's scale and the IDF weights of
         * the interpretation are undefined. `saetm transform` handles single documents. */
        if (heldout)
            fprintf(stderr,
                    "saetm fit: %s has %llu training document (%llu held out by --holdout %g); fitting topics needs at "
                    "least 2\n",
                    input, (unsigned long long)saetm_corpus_num_docs(corpus), (unsigned long long)n_held, holdout);
        else
            fprintf(stderr,
                    "saetm fit: %s has %llu document; fitting topics needs at least 2 (use `saetm transform --model "
                    "DIR` to give one document the topics of a fitted model)\n",
                    input, (unsigned long long)saetm_corpus_num_docs(corpus));
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    t_corpus = seconds_now() - t0;
    if (!common.quiet && writer)
        fprintf(stderr, "fit: corpus of %llu documents (%llu empty), %u words\n", (unsigned long long)cs.docs,
                (unsigned long long)cs.empty_docs, cs.vocab_size);
    if (!common.quiet && writer && heldout)
        fprintf(stderr, "fit: --holdout %g: %llu documents held out (heldout.stc, %u words), none of them used to fit\n",
                holdout, (unsigned long long)hs.docs, hs.vocab_size);
    /* 2. embeddings (the built-in embedder unless --emb) and the SAE */
    char emb_path[4096];
    if (!emb && resume) {
        /* A finished embedding of an earlier try: the .npy and then its sidecar are each written
         * atomically, so both present means complete (the row count is checked below). */
        char side[4096 + 8];
        snprintf(emb_path, sizeof emb_path, "%s/emb.npy", out);
        snprintf(side, sizeof side, "%s.json", emb_path);
        if (cli_file_exists(emb_path) && cli_file_exists(side)) {
            if (!common.quiet) fprintf(stderr, "fit: --resume: reusing the embeddings in %s\n", emb_path);
            emb = emb_path;
        }
    }
    if (!emb) {
        char threads[32];
        snprintf(threads, sizeof threads, "%d", common.threads);
        snprintf(emb_path, sizeof emb_path, "%s/emb.npy", out);
        char *eargv[16];
        int ea = 0;
        const char *fixed[] = {"embed", "--input", input, "--out", emb_path, "--format", ca.format,
                               "--text-field", ca.text_field, "--threads", threads};
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) eargv[ea++] = (char *)fixed[i];
        if (ca.skip_bad) eargv[ea++] = (char *)"--skip-bad";
        if (common.quiet) eargv[ea++] = (char *)"-q";
        eargv[ea] = NULL;
        if (!common.quiet && writer) fprintf(stderr, "fit: embedding the documents with the built-in embedder\n");
        rc = cmd_embed(ea, eargv); /* collective under mpirun: every process embeds its share */
        if (saetm_dist_agree(ctx, rc ? SAETM_ERR_IO : SAETM_OK) && !rc) rc = CLI_EXIT_FAIL;
        if (rc) goto done;
        emb = emb_path;
    }
    st = saetm_npy_load(ctx, emb, &x);
    if (!st && heldout) {
        /* Row i embeds document i of all the documents; the SAE sees only the training rows. */
        const uint64_t n_all = saetm_corpus_num_docs(corpus) + n_held;
        if (x.rows != n_all) {
            fprintf(stderr,
                    "saetm fit: %s has %llu rows but %s has %llu documents (%llu for training, %llu held out by "
                    "--holdout %g); row i must embed document i of all of them\n",
                    emb, (unsigned long long)x.rows, input, (unsigned long long)n_all,
                    (unsigned long long)saetm_corpus_num_docs(corpus), (unsigned long long)n_held, holdout);
            rc = CLI_EXIT_FAIL;
            goto done;
        }
        x_all = x;
        st = saetm_holdout_rows(ctx, &x_all, holdout, SAETM_HOLDOUT_TRAIN, emb, &x);
    } else if (!st && saetm_dist_size() == 1) {
        st = saetm_matrix_check_finite(ctx, &x, emb); /* mpirun: per process, in train/encode */
    }
    if (st) goto fail;
    if (x.rows != saetm_corpus_num_docs(corpus)) {
        fprintf(stderr, "saetm fit: %s has %llu rows but %s has %llu documents; row i must embed document i\n", emb,
                (unsigned long long)x.rows, input, (unsigned long long)saetm_corpus_num_docs(corpus));
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    double t1 = seconds_now();
    char embedder[256];
    cli_emb_embedder(emb, embedder, sizeof embedder);
    if (embedder[0]) cfg.embedder = embedder;
    char sae_file[4096];
    if (sae_path) {
        st = cli_sae_load(ctx, sae_path, embedder, sae_file, sizeof sae_file, &sae);
        if (!st) sae_path = sae_file;
        if (!st) st = saetm_sae_check_input(ctx, sae, embedder[0] ? embedder : NULL, x.cols);
    } else {
        fit_sae_size(&cfg, x.rows, x.cols, auto_features);
        char ckpt[4096];
        in_dir(ckpt, sizeof ckpt, out, "sae.ckpt");
        cfg.checkpoint_path = ckpt;
        const char *why = saetm_sae_config_check(&cfg, (uint32_t)(x.cols > UINT32_MAX ? 0 : x.cols));
        if (why) {
            rc = cli_usage_error("fit", "%s (embeddings %s have %llu columns)", why, emb, (unsigned long long)x.cols);
            goto done;
        }
        int have_sae = 0;
        if (resume) {
            rc = resume_sae(ctx, out, &cfg, &x, &sae, &have_sae, common.quiet);
            if (rc) goto done;
        } else if (cli_file_exists(ckpt) && !common.quiet && writer) {
            fprintf(stderr, "fit: starting over (%s from an interrupted run is replaced; --resume continues it)\n",
                    ckpt);
        }
        if (!have_sae) st = saetm_sae_train(ctx, &cfg, &x, &sae);
        if (!st && writer) st = saetm_sae_save(ctx, sae, in_dir(path, sizeof path, out, "sae.saem"));
        if (!st && writer) remove(ckpt); /* the finished model supersedes it */
    }
    if (!st && sae_path && writer) st = saetm_sae_save(ctx, sae, in_dir(path, sizeof path, out, "sae.saem"));
    /* 3. activations */
    if (!st) st = saetm_sae_encode(ctx, sae, &x, &acts);
    if (!st && writer) st = saetm_acts_save(ctx, &acts, in_dir(path, sizeof path, out, "acts.sac"));
    if (st) goto fail;
    t_sae = seconds_now() - t1;
    /* 4. interpretation */
    t1 = seconds_now();
    vocab = cli_corpus_vocab(corpus);
    saetm_bow bow = {saetm_corpus_num_docs(corpus), saetm_corpus_vocab_size(corpus), saetm_corpus_row_ptr(corpus),
                     saetm_corpus_word_ids(corpus), saetm_corpus_counts(corpus)};
    st = vocab ? saetm_interp_fit(ctx, &acts, &bow, vocab, &ia.o, &it) : SAETM_ERR_NOMEM;
    if (!st && writer) st = saetm_interp_save(ctx, it, in_dir(path, sizeof path, out, "interp.sti"));
    if (st) goto fail;
    t_interp = seconds_now() - t1;
    if (!writer) { /* the rest is rank 0's */
        rc = CLI_EXIT_OK;
        goto done;
    }
    /* 5. topics (one process: k-means over the features is small) */
    saetm_ctx_set_distributed(ctx, 0);
    t1 = seconds_now();
    ta.heldout = heldout;
    ta.holdout = holdout;
    ta.scores = scores;
    rc = cli_topics_run(ctx, "fit", &ta, it, corpus, sae, out);
    if (!rc && heldout) rc = heldout_doc_topics(ctx, sae, &x_all, holdout, emb, corpus, heldout, out, common.quiet);
    if (rc) goto done;
    t_topics = seconds_now() - t1;
    /* 6. parameters of the run */
    params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "saetm_version", saetm_version());
    cJSON_AddStringToObject(params, "command", "fit");
    cJSON_AddStringToObject(params, "input", input);
    cJSON_AddStringToObject(params, "emb", emb);
    cJSON_AddNumberToObject(params, "seed", (double)common.seed);
    cJSON *jc = cJSON_AddObjectToObject(params, "corpus"), *js = cJSON_AddObjectToObject(params, "sae");
    cli_corpus_to_json(&ca, jc);
    cJSON_AddNumberToObject(jc, "holdout", holdout); /* not read back by cli_corpus_from_json: transform reads all */
    if (sae_path) {
        cJSON_AddStringToObject(js, "file", sae_path);
    } else {
        cJSON_AddStringToObject(js, "arch", arch);
        cJSON_AddNumberToObject(js, "k", cfg.k);
        cJSON_AddNumberToObject(js, "features", saetm_sae_features(sae));
        cJSON_AddNumberToObject(js, "batch", cfg.batch);
        cJSON_AddNumberToObject(js, "lr", cfg.lr);
        cJSON_AddNumberToObject(js, "epochs", cfg.epochs);
        cJSON_AddNumberToObject(js, "steps", (double)cfg.steps);
    }
    cli_interp_to_json(&ia, cJSON_AddObjectToObject(params, "interpret"));
    cli_topics_to_json(&ta, cJSON_AddObjectToObject(params, "topics"));
    cJSON *jr = cJSON_AddObjectToObject(params, "results");
    cJSON_AddNumberToObject(jr, "documents", (double)saetm_corpus_num_docs(corpus));
    if (heldout) {
        cJSON_AddNumberToObject(jr, "heldout_documents", (double)n_held);
        cJSON *je = cJSON_AddObjectToObject(jr, "evaluation");
        cJSON_AddItemToObject(je, "in_sample", score_json(&scores[0]));
        cJSON_AddItemToObject(je, "held_out", score_json(&scores[1]));
        cJSON_AddNumberToObject(je, "holdout_fraction", holdout);
    }
    cJSON_AddNumberToObject(jr, "vocabulary", saetm_corpus_vocab_size(corpus));
    cJSON_AddNumberToObject(jr, "embedding_dim", (double)x.cols);
    cJSON_AddNumberToObject(jr, "features", saetm_sae_features(sae));
    cJSON_AddNumberToObject(jr, "interpret_nll", saetm_interp_nll(it));
    cJSON_AddNumberToObject(jr, "interpret_iterations", saetm_interp_iterations(it));
    cJSON_AddNumberToObject(jr, "pi", saetm_interp_pi(it));
    cJSON_AddNumberToObject(jr, "seconds_corpus", t_corpus);
    cJSON_AddNumberToObject(jr, "seconds_sae", t_sae);
    cJSON_AddNumberToObject(jr, "seconds_interpret", t_interp);
    cJSON_AddNumberToObject(jr, "seconds_topics", t_topics);
    char *text = cJSON_Print(params);
    if (!text) {
        st = SAETM_ERR_NOMEM;
        goto fail;
    }
    rc = cli_write_text("fit", in_dir(path, sizeof path, out, "params.json"), text);
    cJSON_free(text);
    if (!rc && !common.quiet)
        fprintf(stderr, "fit: done in %.1f s (corpus %.1f, SAE %.1f, interpretation %.1f, topics %.1f); model in %s/\n",
                seconds_now() - t0, t_corpus, t_sae, t_interp, t_topics, out);
    if (!rc && !common.quiet && heldout) cli_print_scores("fit", scores);
    goto done;
fail:
    rc = cli_fail(ctx, "fit", st);
done:
    cJSON_Delete(params);
    free(vocab);
    saetm_interp_free(it);
    saetm_acts_free(&acts);
    saetm_sae_free(sae);
    saetm_matrix_free(&x);
    saetm_matrix_free(&x_all);
    saetm_corpus_free(corpus);
    saetm_corpus_free(heldout);
    saetm_ctx_free(ctx);
    return rc;
}
