/*
 * fit.c - saetm_fit, the whole pipeline: documents -> corpus -> embeddings (the built-in
 * embedder unless given) -> SAE (trained, sized to the corpus, unless given) -> activations ->
 * interpretation -> K topics, written into one model directory with params.json. With a holdout
 * a deterministic share of the documents (saetm_holdout_is_held) is kept out of every stage,
 * written to heldout.stc and used to score the topics. `saetm fit` is a thin layer over it.
 */
#include "model_int.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---------------------------------------------------------------- defaults */

/* The SAE of a fit is sized to the corpus (docs/quality.md measured these on three corpora of
 * 6,000-8,000 documents: 4,096 features beat 1,024 and 2,048 at K = 50, and 40 epochs of batch
 * 1024 matched 200 steps of batch 4096 at a quarter of the rows): about two documents per
 * feature, a power of two between 1024 and 64 x d (the reference's expansion, reached at about
 * 64k documents of 512 dimensions), and 40 epochs, at least 200 steps, unless the options say. */
#define FIT_BATCH 1024
#define FIT_EPOCHS 40
#define FIT_MIN_STEPS 200
#define FIT_CHECKPOINT_EVERY 250

void saetm_fit_opts_default(saetm_fit_opts *o)
{
    memset(o, 0, sizeof *o);
    saetm_corpus_opts_default(&o->corpus);
    saetm_sae_config_default(&o->sae);
    o->sae.batch = FIT_BATCH;
    o->sae.checkpoint_every = FIT_CHECKPOINT_EVERY;
    o->size_features = 1;
    saetm_interp_opts_default(&o->interp);
    saetm_topic_stage_default(&o->topics);
    saetm_topic_stage_fit_default(&o->topics);
    o->seed = 1;
}

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

/* ---------------------------------------------------------------- resume */

/* SAE stage: a finished DIR/sae.saem trained with the same settings is reused; else DIR/sae.ckpt
 * made with the same settings is continued (*have = 1 either way, and *sae set); with neither,
 * training starts afresh (*have = 0). Other settings: SAETM_ERR_ARG. */
static saetm_status resume_sae(saetm_ctx *ctx, const char *dir, const saetm_sae_config *cfg, const saetm_matrix *x,
                               saetm_sae **sae, int *have)
{
    char path[4096];
    const uint32_t d = (uint32_t)x->cols;
    saetm_status st;
    *have = 0;
    if (!saetm_model_path(ctx, dir, "sae.saem", path, sizeof path)) return SAETM_ERR_ARG;
    if (saetm__is_file(path)) {
        if ((st = saetm_sae_load(ctx, path, sae))) return st;
        saetm_sae_config have_cfg;
        saetm_sae_get_config(*sae, &have_cfg);
        const char *diff = saetm_sae_dim(*sae) != d ? "embedding dimension" : saetm_sae_config_diff(&have_cfg, cfg, d);
        if (diff)
            return saetm__fail(ctx, SAETM_ERR_ARG, "--resume: %s was trained with another %s; give the same options, "
                                                   "or drop --resume to start over", path, diff);
        saetm__log(ctx, SAETM_LOG_INFO, "fit: --resume: %s is finished, reusing it", path);
        *have = 1;
        return SAETM_OK;
    }
    if (!saetm_model_path(ctx, dir, "sae.ckpt", path, sizeof path)) return SAETM_ERR_ARG;
    if (!saetm__is_file(path)) {
        saetm__log(ctx, SAETM_LOG_INFO, "fit: --resume: no SAE checkpoint in %s, training from the start", dir);
        return SAETM_OK;
    }
    saetm_sae_config ck;
    uint32_t ck_d = 0;
    char name[256];
    if ((st = saetm_sae_checkpoint_config(ctx, path, &ck, &ck_d, name, sizeof name))) return st;
    ck.embedder = name;
    const char *diff = ck_d != d ? "embedding dimension" : saetm_sae_config_diff(&ck, cfg, d);
    if (diff)
        return saetm__fail(ctx, SAETM_ERR_ARG, "--resume: %s was made with another %s; give the same options, or drop "
                                               "--resume to start over", path, diff);
    saetm__log(ctx, SAETM_LOG_INFO, "fit: --resume: continuing the SAE training saved in %s", path);
    if ((st = saetm_sae_resume(ctx, path, cfg, x, sae))) return st;
    *have = 1;
    return SAETM_OK;
}

/* With a holdout: DIR/corpus.stc of the earlier try must have been built with the same holdout
 * (else its SAE saw other documents); one without a readable corpus starts over. */
static saetm_status resume_holdout(saetm_ctx *ctx, const char *dir, double holdout)
{
    char path[4096];
    saetm_corpus *c = NULL;
    if (!saetm_model_path(ctx, dir, "corpus.stc", path, sizeof path)) return SAETM_ERR_ARG;
    saetm_ctx *quiet = saetm_ctx_create(); /* an unreadable corpus is no error here: it is rebuilt */
    int readable = quiet && saetm__is_file(path) && saetm_corpus_load(quiet, path, &c) == SAETM_OK;
    saetm_ctx_free(quiet);
    if (!readable) return SAETM_OK;
    double had = saetm__corpus_holdout(c);
    saetm_corpus_free(c);
    if (llround(had * 1e6) != llround(holdout * 1e6))
        return saetm__fail(ctx, SAETM_ERR_ARG, "--resume: %s was built with --holdout %g, not %g; give the same "
                                               "options, or drop --resume to start over", path, had, holdout);
    return SAETM_OK;
}

/* ---------------------------------------------------------------- held-out topic proportions */

/* DIR/heldout_doc_topics.npy: the topic proportions of the held-out documents, as `saetm transform
 * --model DIR --emb ROWS --input DOCS` gives them for their rows and texts: their embeddings
 * encoded by the SAE and summed by topic, all-zero rows for documents without a word of
 * corpus.stc's vocabulary. Skipped, with a note, when a held-out row is not finite (the fit reads
 * no held-out row otherwise). */
static saetm_status heldout_doc_topics(saetm_ctx *ctx, const saetm_sae *sae, const saetm_matrix *x_all, double holdout,
                                       const char *emb, const saetm_corpus *corpus, const saetm_corpus *heldout,
                                       const char *dir)
{
    char path[4096];
    saetm_matrix xh = {0};
    saetm_acts a = {0};
    uint32_t F = saetm_sae_features(sae), k = 0;
    int32_t *ft = NULL;
    float *dt = NULL;
    unsigned char *known = NULL;
    if (!saetm_model_path(ctx, dir, "heldout_doc_topics.npy", path, sizeof path)) return SAETM_ERR_ARG;
    saetm_status st = saetm_holdout_rows(ctx, x_all, holdout, SAETM_HOLDOUT_HELD, emb, &xh);
    if (st == SAETM_ERR_INPUT) {
        saetm__log(ctx, SAETM_LOG_INFO, "fit: note: %s, so heldout_doc_topics.npy is not written",
                   saetm_ctx_errmsg(ctx));
        remove(path);
        return SAETM_OK;
    }
    if (!st && xh.rows != saetm_corpus_num_docs(heldout))
        st = saetm__fail(ctx, SAETM_ERR_INTERNAL, "the held-out rows and documents disagree"); /* cannot happen */
    if (!st) st = saetm_sae_encode(ctx, sae, &xh, &a);
    char tj[4096];
    if (!st && !saetm_model_path(ctx, dir, "topics.json", tj, sizeof tj)) st = SAETM_ERR_ARG;
    if (!st) {
        ft = malloc((size_t)F * sizeof *ft);
        st = ft ? saetm_topics_read_assignment(ctx, tj, F, ft, &k) : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    if (!st) {
        dt = malloc(((size_t)xh.rows * k + 1) * sizeof *dt);
        st = dt ? saetm_topics_transform(ctx, &a, ft, k, dt) : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    uint32_t V = saetm_corpus_vocab_size(heldout);
    if (!st && !(known = calloc(V ? V : 1, 1))) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    for (uint32_t w = 0; !st && w < V; w++)
        known[w] = saetm_corpus_word_id(corpus, saetm_corpus_word(heldout, w)) != UINT32_MAX;
    const uint64_t *rp = saetm_corpus_row_ptr(heldout);
    const uint32_t *wid = saetm_corpus_word_ids(heldout);
    for (uint64_t d = 0; !st && d < xh.rows; d++) {
        int any = 0;
        for (uint64_t p = rp[d]; p < rp[d + 1] && !any; p++) any = known[wid[p]];
        if (!any) memset(dt + d * k, 0, (size_t)k * sizeof *dt);
    }
    if (!st) st = saetm_npy_save(ctx, path, dt, xh.rows, k);
    free(known);
    free(dt);
    free(ft);
    saetm_acts_free(&a);
    saetm_matrix_free(&xh);
    return st;
}

/* ---------------------------------------------------------------- the pipeline */

const char *saetm_emb_embedder(const char *emb, char *name, size_t cap)
{
    char path[4096], text[4096];
    name[0] = 0;
    if ((size_t)snprintf(path, sizeof path, "%s.json", emb) >= sizeof path) return name;
    FILE *f = fopen(path, "rb");
    if (!f) return name;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    cJSON *j = cJSON_Parse(text);
    const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "embedder"));
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "embedder_version"));
    /* With the version: another release of a model embeds into another space. */
    if (e && v && v[0]) snprintf(name, cap, "%s@%s", e, v);
    else if (e) snprintf(name, cap, "%s", e);
    cJSON_Delete(j);
    return name;
}

saetm_status saetm_sae_load_arg(saetm_ctx *ctx, const char *arg, const char *embedder, char *path, size_t cap,
                                saetm_sae **out)
{
    *out = NULL;
    if (strcmp(arg, "default") == 0) {
        saetm_status st = saetm_sae_default_path(ctx, embedder, path, cap);
        if (st) return st;
    } else if ((size_t)snprintf(path, cap, "%s", arg) >= cap) {
        return saetm__fail(ctx, SAETM_ERR_ARG, "path %s is too long", arg);
    }
    return saetm_sae_load(ctx, path, out);
}

saetm_status saetm_fit(saetm_ctx *ctx, const saetm_fit_opts *o, saetm_fit_result *result)
{
    saetm_fit_result res;
    memset(&res, 0, sizeof res);
    /* the rules of the options given by name and every check, on a copy (options.c) */
    saetm_fit_opts checked = *o;
    saetm_status st = saetm_fit_opts_check(ctx, &checked);
    if (st) return st;
    o = &checked;
    saetm_topic_stage ts = o->topics;
    if ((st = saetm_topic_stage_resolve(ctx, &ts))) return st;
    saetm_corpus_opts co = o->corpus;
    co.holdout = o->holdout; /* corpus.stc: the training documents */
    co.holdout_part = SAETM_HOLDOUT_TRAIN;
    ts.o.seed = o->seed;
    saetm_sae_config cfg = o->sae;
    cfg.seed = o->seed;

    if (o->emb && o->emb_matrix) return saetm__fail(ctx, SAETM_ERR_ARG, "give emb or emb_matrix, not both");
    if (o->emb_matrix && (!o->emb_matrix->data || !o->emb_matrix->rows || !o->emb_matrix->cols))
        return saetm__fail(ctx, SAETM_ERR_ARG, "emb_matrix: an empty matrix (%llu x %llu)",
                           (unsigned long long)o->emb_matrix->rows, (unsigned long long)o->emb_matrix->cols);
    /* emb names the embeddings in messages and params.json; an in-memory matrix has no file */
    const char *out = o->out, *emb = o->emb_matrix ? "the embeddings given (emb_matrix)" : o->emb, *sae_used = NULL;
    saetm_corpus *corpus = NULL, *heldout = NULL;
    saetm_sae *sae = NULL;
    saetm_acts acts = {0};
    saetm_interp *it = NULL;
    saetm_matrix x = {0}, x_all = {0}; /* x: the training rows; x_all: every row, with a holdout */
    const char **vocab = NULL;
    char path[4096], emb_path[4096], ckpt[4096], sae_file[4096], embedder[256];
    double t0 = seconds_now(), t1;
    /* Under mpirun (docs/distributed.md) rank 0 writes every file and builds the corpus; the
     * embedding, SAE training, encoding and interpretation run across the processes; rank 0
     * merges the topics alone. The others read what rank 0 wrote (a shared file system). */
    const int writer = saetm_dist_rank() == 0;
    if (writer && saetm__mkdir(ctx, out)) return saetm__fail(ctx, SAETM_ERR_IO, "cannot create directory %s", out);
    if (!saetm_model_path(ctx, out, "sae.saem", path, sizeof path)) return SAETM_ERR_ARG; /* every name fits */
    if (o->sae_file && strcmp(o->sae_file, "default") == 0 && !emb) { /* fail before embedding, not after */
        char probe[4096];
        if ((st = saetm_sae_default_path(ctx, NULL, probe, sizeof probe))) return st;
    }
    /* 1. corpus (with a holdout: the training documents, and the held-out ones in heldout.stc) */
    if (o->resume) {
        st = writer ? resume_holdout(ctx, out, o->holdout) : SAETM_OK;
        if ((st = saetm_dist_agree(ctx, st))) return st;
    }
    saetm_corpus_stats cs, hs;
    memset(&cs, 0, sizeof cs);
    memset(&hs, 0, sizeof hs);
    saetm_model_path(ctx, out, "corpus.stc", path, sizeof path);
    if (writer) st = saetm_corpus_build_file(ctx, o->input, &co, path, &cs);
    st = saetm_dist_agree(ctx, st);
    if (!st) st = saetm_corpus_load(ctx, path, &corpus);
    if (!st && o->holdout > 0) {
        /* The reference for held-out scores: the same preprocessing, every word kept. */
        saetm_corpus_opts ho = co;
        ho.holdout_part = SAETM_HOLDOUT_HELD;
        ho.min_df = 1;
        ho.max_df = 1.0;
        ho.max_vocab = 0;
        saetm_model_path(ctx, out, "heldout.stc", path, sizeof path);
        if (writer) st = saetm_corpus_build_file(ctx, o->input, &ho, path, &hs);
        st = saetm_dist_agree(ctx, st);
        if (!st) st = saetm_corpus_load(ctx, path, &heldout);
    } else if (!st && writer) { /* not this fit's: `topics --model` would score against them */
        remove(saetm_model_path(ctx, out, "heldout.stc", path, sizeof path));
        remove(saetm_model_path(ctx, out, "heldout_doc_topics.npy", path, sizeof path));
    }
    if (st) goto done;
    const uint64_t n_held = heldout ? saetm_corpus_num_docs(heldout) : 0;
    if (saetm_corpus_num_docs(corpus) < 2) {
        /* One document has nothing to contrast it with: the SAE's scale and the IDF weights of
         * the interpretation are undefined. `saetm transform` handles single documents. */
        if (heldout)
            st = saetm__fail(ctx, SAETM_ERR_INPUT,
                             "%s has %llu training document (%llu held out by --holdout %g); fitting topics needs at "
                             "least 2",
                             o->input, (unsigned long long)saetm_corpus_num_docs(corpus), (unsigned long long)n_held,
                             o->holdout);
        else
            st = saetm__fail(ctx, SAETM_ERR_INPUT,
                             "%s has %llu document; fitting topics needs at least 2 (use `saetm transform --model DIR` "
                             "to give one document the topics of a fitted model)",
                             o->input, (unsigned long long)saetm_corpus_num_docs(corpus));
        goto done;
    }
    res.seconds_corpus = seconds_now() - t0;
    if (writer)
        saetm__log(ctx, SAETM_LOG_INFO, "fit: corpus of %llu documents (%llu empty), %u words",
                   (unsigned long long)cs.docs, (unsigned long long)cs.empty_docs, cs.vocab_size);
    if (writer && heldout)
        saetm__log(ctx, SAETM_LOG_INFO,
                   "fit: --holdout %g: %llu documents held out (heldout.stc, %u words), none of them used to fit",
                   o->holdout, (unsigned long long)hs.docs, hs.vocab_size);
    /* 2. embeddings (the built-in embedder unless given) and the SAE */
    saetm_model_path(ctx, out, "emb.npy", emb_path, sizeof emb_path);
    if (!emb && o->resume) {
        /* A finished embedding of an earlier try: the .npy and then its sidecar are each written
         * atomically, so both present means complete (the row count is checked below). */
        char side[4096 + 8];
        snprintf(side, sizeof side, "%s.json", emb_path);
        if (saetm__is_file(emb_path) && saetm__is_file(side)) {
            saetm__log(ctx, SAETM_LOG_INFO, "fit: --resume: reusing the embeddings in %s", emb_path);
            emb = emb_path;
        }
    }
    if (!emb) {
        /* every document, as the reader yields them: the holdout is applied to the rows below */
        saetm_corpus_opts eo;
        saetm_corpus_opts_default(&eo);
        eo.format = co.format;
        eo.text_field = co.text_field;
        eo.skip_bad = co.skip_bad;
        if (writer) saetm__log(ctx, SAETM_LOG_INFO, "fit: embedding the documents with the built-in embedder");
        /* collective under mpirun: every process embeds its share, rank 0 writes */
        st = saetm_embed_file(ctx, NULL, o->input, NULL, &eo, emb_path);
        if ((st = saetm_dist_agree(ctx, st))) goto done;
        emb = emb_path;
    }
    if (o->emb_matrix) {
        x = *o->emb_matrix;
        x.owner_ = NULL; /* a view: saetm_matrix_free leaves the caller's rows alone */
    } else {
        st = saetm_npy_load(ctx, emb, &x);
    }
    if (!st && heldout) {
        /* Row i embeds document i of all the documents; the SAE sees only the training rows. */
        const uint64_t n_all = saetm_corpus_num_docs(corpus) + n_held;
        if (x.rows != n_all) {
            st = saetm__fail(ctx, SAETM_ERR_INPUT,
                             "%s has %llu rows but %s has %llu documents (%llu for training, %llu held out by "
                             "--holdout %g); row i must embed document i of all of them",
                             emb, (unsigned long long)x.rows, o->input, (unsigned long long)n_all,
                             (unsigned long long)saetm_corpus_num_docs(corpus), (unsigned long long)n_held, o->holdout);
            goto done;
        }
        x_all = x;
        memset(&x, 0, sizeof x);
        st = saetm_holdout_rows(ctx, &x_all, o->holdout, SAETM_HOLDOUT_TRAIN, emb, &x);
    } else if (!st && saetm_dist_size() == 1) {
        st = saetm_matrix_check_finite(ctx, &x, emb); /* mpirun: per process, in train/encode */
    }
    if (st) goto done;
    if (x.rows != saetm_corpus_num_docs(corpus)) {
        st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s has %llu rows but %s has %llu documents; row i must embed document i",
                         emb, (unsigned long long)x.rows, o->input, (unsigned long long)saetm_corpus_num_docs(corpus));
        goto done;
    }
    t1 = seconds_now();
    saetm_emb_embedder(emb, embedder, sizeof embedder);
    if (embedder[0]) cfg.embedder = embedder;
    saetm_model_path(ctx, out, "sae.saem", path, sizeof path);
    if (o->sae_file) {
        st = saetm_sae_load_arg(ctx, o->sae_file, embedder, sae_file, sizeof sae_file, &sae);
        if (!st) sae_used = sae_file;
        if (!st) st = saetm_sae_check_input(ctx, sae, embedder[0] ? embedder : NULL, x.cols);
        if (!st && writer) st = saetm_sae_save(ctx, sae, path);
    } else {
        fit_sae_size(&cfg, x.rows, x.cols, o->size_features);
        saetm_model_path(ctx, out, "sae.ckpt", ckpt, sizeof ckpt);
        cfg.checkpoint_path = ckpt;
        const char *why = saetm_sae_config_check(&cfg, (uint32_t)(x.cols > UINT32_MAX ? 0 : x.cols));
        if (why) {
            st = saetm__fail(ctx, SAETM_ERR_ARG, "%s (embeddings %s have %llu columns)", why, emb,
                             (unsigned long long)x.cols);
            goto done;
        }
        int have_sae = 0;
        if (o->resume) {
            if ((st = resume_sae(ctx, out, &cfg, &x, &sae, &have_sae))) goto done;
        } else if (saetm__is_file(ckpt) && writer) {
            saetm__log(ctx, SAETM_LOG_INFO,
                       "fit: starting over (%s from an interrupted run is replaced; --resume continues it)", ckpt);
        }
        if (!have_sae) st = saetm_sae_train(ctx, &cfg, &x, &sae);
        if (!st && writer) st = saetm_sae_save(ctx, sae, path);
        if (!st && writer) remove(ckpt); /* the finished model supersedes it */
    }
    /* 3. activations */
    if (!st) st = saetm_sae_encode(ctx, sae, &x, &acts);
    if (!st && writer) st = saetm_acts_save(ctx, &acts, saetm_model_path(ctx, out, "acts.sac", path, sizeof path));
    if (st) goto done;
    res.seconds_sae = seconds_now() - t1;
    /* 4. interpretation */
    t1 = seconds_now();
    uint32_t V = saetm_corpus_vocab_size(corpus);
    vocab = saetm_corpus_words(corpus);
    saetm_bow bow;
    saetm_corpus_bow(corpus, &bow);
    st = vocab ? saetm_interp_fit(ctx, &acts, &bow, vocab, &o->interp, &it)
               : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    if (!st && writer) st = saetm_interp_save(ctx, it, saetm_model_path(ctx, out, "interp.sti", path, sizeof path));
    if (st) goto done;
    res.seconds_interpret = seconds_now() - t1;
    if (!writer) goto done; /* the rest is rank 0's */
    /* 5. topics (one process: k-means over the features is small) */
    saetm_ctx_set_distributed(ctx, 0);
    t1 = seconds_now();
    st = saetm_topic_stage_run(ctx, &ts, it, corpus, heldout, o->holdout, sae, out, res.scores);
    if (!st && heldout) st = heldout_doc_topics(ctx, sae, &x_all, o->holdout, emb, corpus, heldout, out);
    if (st) goto done;
    res.seconds_topics = seconds_now() - t1;
    /* 6. parameters of the run */
    res.docs = saetm_corpus_num_docs(corpus);
    res.empty_docs = cs.empty_docs;
    res.heldout_docs = n_held;
    res.vocab = V;
    res.heldout_vocab = hs.vocab_size;
    res.features = saetm_sae_features(sae);
    res.k = ts.o.k;
    res.embedding_dim = x.cols;
    res.has_scores = heldout != NULL;
    st = saetm__fit_params_write(ctx, o, &ts, &cfg, emb, sae_used, sae, it, &res);
    if (!st)
        saetm__log(ctx, SAETM_LOG_INFO,
                   "fit: done in %.1f s (corpus %.1f, SAE %.1f, interpretation %.1f, topics %.1f); model in %s/",
                   seconds_now() - t0, res.seconds_corpus, res.seconds_sae, res.seconds_interpret, res.seconds_topics,
                   out);
done:
    if (!st && result) *result = res;
    free(vocab);
    saetm_interp_free(it);
    saetm_acts_free(&acts);
    saetm_sae_free(sae);
    saetm_matrix_free(&x);
    saetm_matrix_free(&x_all);
    saetm_corpus_free(corpus);
    saetm_corpus_free(heldout);
    return st;
}
