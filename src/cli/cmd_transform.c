/*
 * cmd_transform.c - `saetm transform`: topic proportions of new documents under a fitted model
 * (the library's saetm_model_transform: DIR/sae.saem encodes their embeddings, given or made by
 * the built-in embedder, DIR/topics.json maps features to topics). For the documents the model
 * was fitted on it reproduces DIR/doc_topics.npy.
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
        {"emb", CLI_STR, &emb, "FILE", "embeddings of the new documents, N x d .npy (row i = document i of --input)",
         "--input embedded with the built-in embedder"},
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
                       "  saetm transform --model model/ --input new.jsonl --emb new.npy --out new_topics.npy\n"
                       "  saetm transform --model model/ --input new.jsonl --out new_topics.npy   # built-in embedder",
                       opts, &tab, 1, &common);
    if (rc < 0 && !model) rc = cli_usage_error("transform", "--model is required");
    if (rc < 0 && !out) rc = cli_usage_error("transform", "--out is required");
    if (rc < 0 && !emb && !input) rc = cli_usage_error("transform", "give --input (embedded with the built-in embedder) or --emb");
    if (rc < 0 && input) rc = cli_corpus_finish("transform", &ca);
    if (rc >= 0) {
        saetm_model_params_free(params);
        return rc;
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_matrix x = {0}, dt = {0};
    uint64_t zeroed = 0;
    saetm_status st = emb ? saetm_npy_load(ctx, emb, &x) : SAETM_OK;
    if (!st) st = saetm_model_transform(ctx, model, emb ? &x : NULL, input, &ca.o, &dt, &zeroed);
    if (!st) st = saetm_npy_save(ctx, out, dt.data, dt.rows, dt.cols);
    if (st) rc = cli_fail(ctx, "transform", st);
    else {
        rc = CLI_EXIT_OK;
        if (!common.quiet)
            fprintf(stderr, "transform: %llu documents x %llu topics written to %s%s\n", (unsigned long long)dt.rows,
                    (unsigned long long)dt.cols, out, zeroed ? " (documents without a model word: all-zero rows)" : "");
    }
    saetm_matrix_free(&dt);
    saetm_matrix_free(&x);
    saetm_ctx_free(ctx);
    saetm_model_params_free(params);
    return rc;
}
