/*
 * model_ops.c - what is done with a fitted model directory after the fit: topic proportions of
 * new documents (saetm_model_transform: `saetm transform`), re-merging its features into another
 * K (saetm_model_topics: `saetm topics --model`) and the corpus options of its params.json
 * (saetm_model_corpus_opts). One implementation for the command line and the Python package.
 */
#include "model_int.h"

#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Corpus options recorded in params.json
 * ==================================================================== */

saetm_status saetm_model_corpus_opts(saetm_ctx *ctx, const saetm_model_params *p, saetm_corpus_opts *o)
{
    saetm_corpus_opts_default(o);
    saetm_model_corpus_args a = {"auto", "full", o->text_field, o->id_field, o->date_field, o->group_field,
                                 o->stopwords, o->min_df, o->max_vocab, o->snippet_chars, o->max_df};
    saetm_model_params_corpus(p, &a);
    if (saetm_input_format_parse(a.format, &o->format))
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "params.json: corpus.format '%s' is not a known format", a.format);
    if (saetm_preprocess_parse(a.preprocess, &o->preprocess))
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "params.json: corpus.preprocess '%s' is not full, basic or none",
                           a.preprocess);
    o->text_field = a.text_field;
    o->id_field = a.id_field;
    o->date_field = a.date_field;
    o->group_field = a.group_field;
    o->stopwords = a.stopwords;
    o->min_df = a.min_df;
    o->max_vocab = a.max_vocab;
    o->snippet_chars = a.snippet_chars;
    o->max_df = a.max_df;
    return SAETM_OK;
}

/* ======================================================================
 * Transform
 * ==================================================================== */

/* Rows of dt (n x k) of the documents of input that have no word of the model's vocabulary set to
 * zero, as fit gives them; *zeroed counts them. */
static saetm_status zero_unknown(saetm_ctx *ctx, const char *dir, const char *input, const saetm_corpus_opts *co,
                                 float *dt, uint64_t n, uint32_t k, uint64_t *zeroed)
{
    saetm_corpus_opts o = *co;
    o.min_df = 1; /* every word of the new documents: the model's vocabulary decides */
    o.max_df = 1.0;
    o.max_vocab = 0;
    saetm_model_files mc;
    saetm_corpus *docs = NULL;
    saetm_status st = saetm_model_open(ctx, dir, SAETM_MODEL_CORPUS, &mc);
    if (!st) st = saetm_corpus_build(ctx, input, &o, &docs);
    if (!st && saetm_corpus_num_docs(docs) != n)
        st = saetm__fail(ctx, SAETM_ERR_SHAPE, "%s has %llu documents but the embeddings have %llu rows", input,
                         (unsigned long long)saetm_corpus_num_docs(docs), (unsigned long long)n);
    unsigned char *known = NULL;
    if (!st) {
        uint32_t V = saetm_corpus_vocab_size(docs);
        known = calloc(V ? V : 1, 1);
        if (!known) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        for (uint32_t w = 0; known && w < V; w++)
            known[w] = saetm_corpus_word_id(mc.corpus, saetm_corpus_word(docs, w)) != UINT32_MAX;
    }
    if (!st) {
        const uint64_t *rp = saetm_corpus_row_ptr(docs);
        const uint32_t *wid = saetm_corpus_word_ids(docs);
        for (uint64_t d = 0; d < n; d++) {
            int any = 0;
            for (uint64_t p = rp[d]; p < rp[d + 1] && !any; p++) any = known[wid[p]];
            if (!any) {
                memset(dt + d * k, 0, (size_t)k * sizeof *dt);
                (*zeroed)++;
            }
        }
    }
    free(known);
    saetm_corpus_free(docs);
    saetm_model_files_free(&mc);
    return st;
}

saetm_status saetm_model_transform(saetm_ctx *ctx, const char *dir, const saetm_matrix *emb, const char *input,
                                   const saetm_corpus_opts *co, saetm_matrix *out, uint64_t *zeroed)
{
    memset(out, 0, sizeof *out);
    uint64_t zero_count = 0;
    if (zeroed) *zeroed = 0;
    if (!emb && !input) return saetm__fail(ctx, SAETM_ERR_ARG, "transform: give the embeddings or the documents");
    saetm_model_params *params = NULL;
    saetm_corpus_opts opts;
    saetm_status st = SAETM_OK;
    if (co) {
        opts = *co;
    } else if (input) {
        st = saetm_model_params_load(ctx, dir, &params);
        if (!st) st = saetm_model_corpus_opts(ctx, params, &opts);
    }
    saetm_model_files m;
    memset(&m, 0, sizeof m);
    if (!st) st = saetm_model_open(ctx, dir, SAETM_MODEL_SAE, &m);
    saetm_matrix own = {0};
    saetm_acts acts = {0};
    int32_t *ft = NULL;
    uint32_t k = 0;
    char path[4096], embedder[256] = "";
    if (!st && !emb) {
        /* the built-in embedder; the SAE's recorded embedder must be it (checked below) */
        st = saetm__embed_docs(ctx, input, &opts, &own, embedder, sizeof embedder);
        emb = &own;
    }
    const char *what = own.data ? input : "the embeddings";
    if (!st) st = saetm_sae_check_input(ctx, m.sae, embedder[0] ? embedder : NULL, emb->cols);
    if (!st) st = saetm_matrix_check_finite(ctx, emb, what);
    if (!st) st = saetm_sae_encode(ctx, m.sae, emb, &acts);
    if (!st) {
        uint32_t F = saetm_sae_features(m.sae);
        ft = malloc((size_t)F * sizeof *ft);
        if (!ft) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        else if (!saetm_model_path(ctx, dir, "topics.json", path, sizeof path)) st = SAETM_ERR_ARG;
        else st = saetm_topics_read_assignment(ctx, path, F, ft, &k);
    }
    if (!st) st = saetm__matrix_alloc(ctx, emb->rows, k, out);
    if (!st) st = saetm_topics_transform(ctx, &acts, ft, k, out->data);
    if (!st && input) st = zero_unknown(ctx, dir, input, &opts, out->data, emb->rows, k, &zero_count);
    if (st) saetm_matrix_free(out);
    else if (zeroed) *zeroed = zero_count;
    free(ft);
    saetm_acts_free(&acts);
    saetm_matrix_free(&own);
    saetm_model_files_free(&m);
    saetm_model_params_free(params);
    return st;
}

/* ======================================================================
 * Re-merge
 * ==================================================================== */

saetm_status saetm_model_topics(saetm_ctx *ctx, const char *dir, const saetm_topic_stage *s, const char *corpus_path,
                                const char *out, saetm_topics_score scores[2], int *has_scores)
{
    if (has_scores) *has_scores = 0;
    saetm_topic_stage ts = *s;
    saetm_status st = saetm_topic_stage_resolve(ctx, &ts);
    if (st) return st;
    saetm_model_files m;
    memset(&m, 0, sizeof m);
    saetm_corpus *corpus = NULL;
    /* a fit with --holdout: the re-merged topics are scored in-sample and on its held-out documents */
    unsigned what = SAETM_MODEL_INTERP | SAETM_MODEL_HELDOUT;
    if (ts.o.space == SAETM_SPACE_DECODER && ts.o.method != SAETM_MERGE_COACT && !ts.decoder) what |= SAETM_MODEL_SAE;
    st = saetm_model_open(ctx, dir, what, &m);
    if (!st && !corpus_path && (ts.refit || m.heldout)) {
        saetm_model_files c;
        st = saetm_model_open(ctx, dir, SAETM_MODEL_CORPUS, &c);
        if (!st) m.corpus = c.corpus;
    }
    if (!st && corpus_path) st = saetm_corpus_load(ctx, corpus_path, &corpus);
    saetm_topics_score sc[2];
    memset(sc, 0, sizeof sc);
    if (!st)
        st = saetm_topic_stage_run(ctx, &ts, m.interp, corpus ? corpus : m.corpus, m.heldout, m.holdout, m.sae,
                                   out ? out : dir, sc);
    if (!st && scores) memcpy(scores, sc, sizeof sc);
    if (!st && has_scores) *has_scores = m.heldout != NULL;
    saetm_corpus_free(corpus);
    saetm_model_files_free(&m);
    return st;
}
