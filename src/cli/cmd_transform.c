/*
 * cmd_transform.c - `saetm transform`: topic proportions of new documents under a fitted model
 * (DIR/sae.saem encodes their embeddings, DIR/topics.json maps features to topics). For the
 * documents the model was fitted on it reproduces DIR/doc_topics.npy.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_transform(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *emb = NULL, *out = NULL;
    cli_corpus_args ca;
    cli_corpus_defaults(&ca);
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--model") == 0) model = argv[i + 1];
    saetm_model_params *params = NULL; /* the corpus options the model was fitted with are the defaults */
    int prc = model ? cli_corpus_model_defaults("transform", model, &ca, &params) : -1;
    if (prc >= 0) return prc;
    cli_opt opts[5] = {
        {"model", CLI_STR, &model, "DIR", "model directory from saetm fit", NULL},
        {"input", CLI_STR, &input, "PATH", "the new documents (same options as the fit read them with); "
                                           "documents without a model word get all-zero rows", NULL},
        {"emb", CLI_STR, &emb, "FILE", "embeddings of the new documents, N x d .npy (row i = document i of --input)", NULL},
        {"out", CLI_STR, &out, "FILE", "document-topic proportions to write, N x K .npy", NULL},
    };
    cli_table tab = cli_corpus_table(&ca.o);
    cli_common common;
    int rc = cli_parse_table(argc, argv, "transform",
                       "Topic proportions of new documents under a fitted model: their embeddings are encoded\n"
                       "by DIR/sae.saem and the activations summed by topic (DIR/topics.json). With --input,\n"
                       "documents that have no word of the model's vocabulary get all-zero rows, as in fit.\n"
                       "Corpus options default to those the model was fitted with (DIR/params.json).\n"
                       "Example:\n"
                       "  saetm transform --model model/ --input new.jsonl --emb new.npy --out new_topics.npy",
                       opts, &tab, 1, &common);
    if (rc < 0 && !model) rc = cli_usage_error("transform", "--model is required");
    if (rc < 0 && !out) rc = cli_usage_error("transform", "--out is required");
    if (rc < 0 && !emb && !input) rc = cli_usage_error("transform", "give --emb (and optionally --input)");
    if (rc < 0 && !emb) {
        fprintf(stderr, "saetm transform: --emb is required: this build has no built-in embedder yet, so embed "
                        "the new documents yourself with the embedder the model was fitted on\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc < 0 && input) rc = cli_corpus_finish("transform", &ca);
    if (rc >= 0) {
        saetm_model_params_free(params);
        return rc;
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_model_files m;
    saetm_matrix x = {0};
    saetm_acts acts = {0};
    saetm_corpus *model_corpus = NULL, *docs = NULL;
    int32_t *ft = NULL;
    float *dt = NULL;
    uint32_t k = 0;
    char path[4096];
    saetm_status st = saetm_model_open(ctx, model, SAETM_MODEL_SAE, &m);
    const saetm_sae *sae = m.sae;
    if (!st) st = saetm_npy_load(ctx, emb, &x);
    if (!st) st = saetm_sae_check_input(ctx, sae, NULL, x.cols);
    if (!st) st = saetm_matrix_check_finite(ctx, &x, emb);
    if (!st) st = saetm_sae_encode(ctx, sae, &x, &acts);
    if (!st) {
        ft = malloc((size_t)saetm_sae_features(sae) * sizeof *ft);
        st = !saetm_model_path(ctx, model, "topics.json", path, sizeof path) ? SAETM_ERR_ARG : ft ? saetm_topics_read_assignment(ctx, path, saetm_sae_features(sae), ft, &k) : SAETM_ERR_NOMEM;
    }
    if (!st) {
        dt = malloc((size_t)x.rows * k * sizeof *dt);
        st = dt ? saetm_topics_transform(ctx, &acts, ft, k, dt) : SAETM_ERR_NOMEM;
    }
    uint64_t zeroed = 0;
    if (!st && input) {
        /* Documents with no word of the model's vocabulary: all-zero rows, as fit gives them. */
        saetm_corpus_opts o = ca.o;
        o.min_df = 1;
        o.max_df = 1.0;
        o.max_vocab = 0;
        saetm_model_files mc;
        st = saetm_model_open(ctx, model, SAETM_MODEL_CORPUS, &mc);
        model_corpus = mc.corpus;
        if (!st) st = saetm_corpus_build(ctx, input, &o, &docs);
        if (!st && saetm_corpus_num_docs(docs) != x.rows) {
            fprintf(stderr, "saetm transform: %s has %llu documents but %s has %llu rows\n", input,
                    (unsigned long long)saetm_corpus_num_docs(docs), emb, (unsigned long long)x.rows);
            rc = CLI_EXIT_FAIL;
        }
        if (!st && rc < 0) {
            uint32_t V = saetm_corpus_vocab_size(docs);
            unsigned char *known = calloc(V ? V : 1, 1);
            for (uint32_t w = 0; known && w < V; w++)
                known[w] = saetm_corpus_word_id(model_corpus, saetm_corpus_word(docs, w)) != UINT32_MAX;
            const uint64_t *rp = saetm_corpus_row_ptr(docs);
            const uint32_t *wid = saetm_corpus_word_ids(docs);
            for (uint64_t d = 0; known && d < x.rows; d++) {
                int any = 0;
                for (uint64_t p = rp[d]; p < rp[d + 1] && !any; p++) any = known[wid[p]];
                if (!any) {
                    memset(dt + d * k, 0, (size_t)k * sizeof *dt);
                    zeroed++;
                }
            }
            if (!known) st = SAETM_ERR_NOMEM;
            free(known);
        }
    }
    if (!st && rc < 0) st = saetm_npy_save(ctx, out, dt, x.rows, k);
    if (st) rc = cli_fail(ctx, "transform", st);
    else if (rc < 0) {
        rc = CLI_EXIT_OK;
        if (!common.quiet)
            fprintf(stderr, "transform: %llu documents x %u topics written to %s%s\n", (unsigned long long)x.rows, k,
                    out, zeroed ? " (documents without a model word: all-zero rows)" : "");
    }
    free(ft);
    free(dt);
    saetm_corpus_free(docs);
    saetm_corpus_free(model_corpus);
    saetm_acts_free(&acts);
    saetm_matrix_free(&x);
    saetm_model_files_free(&m);
    saetm_ctx_free(ctx);
    saetm_model_params_free(params);
    return rc;
}
