/*
 * cmd_encode.c - `saetm encode`: sparse activations (.sac) of embeddings under a trained SAE.
 */
#include "cli.h"

#include <stdio.h>

int cmd_encode(int argc, char **argv)
{
    const char *sae_path = NULL, *emb = NULL, *out = NULL, *embedder = NULL;
    const cli_opt opts[] = {
        {"sae", CLI_STR, &sae_path, "FILE", "trained SAE, .saem, or 'default' (the shipped foundational SAE) (required)", NULL},
        {"emb", CLI_STR, &emb, "FILE", "embeddings, N x d float32 .npy (required)", NULL},
        {"out", CLI_STR, &out, "FILE", "output activations, .sac (required)", NULL},
        {"embedder", CLI_STR, &embedder, "NAME", "embedder that made --emb; must match the SAE's", "from EMB.json by saetm embed, else not checked"},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "encode",
                       "Encode embeddings with a trained SAE into sparse activations (one row per document):\n"
                       "  saetm encode --sae sae.saem --emb X.npy --out acts.sac",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!sae_path) return cli_usage_error("encode", "--sae FILE is required");
    if (!emb) return cli_usage_error("encode", "--emb FILE is required");
    if (!out) return cli_usage_error("encode", "--out FILE is required");
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_sae *sae = NULL;
    saetm_matrix x = {0};
    saetm_acts acts = {0};
    char sidecar[256], sae_file[4096];
    if (!embedder) embedder = cli_emb_embedder(emb, sidecar, sizeof sidecar);
    saetm_status st = cli_sae_load(ctx, sae_path, embedder, sae_file, sizeof sae_file, &sae);
    int have_x = 0;
    if (!st) {
        st = saetm_npy_load(ctx, emb, &x);
        have_x = st == SAETM_OK;
    }
    if (!st) {
        st = saetm_sae_check_input(ctx, sae, embedder, x.cols);
        if (st) {
            /* name both files in the message */
            fprintf(stderr, "saetm encode: %s vs %s: %s\n", emb, sae_file, saetm_ctx_errmsg(ctx));
            saetm_matrix_free(&x);
            saetm_sae_free(sae);
            saetm_ctx_free(ctx);
            return CLI_EXIT_FAIL;
        }
    }
    /* Under mpirun each process checks (and encodes) its own rows; rank 0 writes. */
    const int alone = saetm_dist_size() == 1, writer = saetm_dist_rank() == 0;
    if (!st && alone) st = saetm_matrix_check_finite(ctx, &x, emb);
    if (!st) st = saetm_sae_encode(ctx, sae, &x, &acts);
    if (!st && writer) st = saetm_acts_save(ctx, &acts, out);
    if (!st && !common.quiet && writer) {
        uint64_t empty = 0;
        for (uint64_t r = 0; r < acts.rows; r++) empty += acts.row_ptr[r + 1] == acts.row_ptr[r];
        fprintf(stderr, "encoded %llu rows: %.1f active features per row on average, %llu rows with none; wrote %s\n",
                (unsigned long long)acts.rows,
                acts.rows ? (double)acts.row_ptr[acts.rows] / (double)acts.rows : 0.0, (unsigned long long)empty, out);
    }
    cli_mem_report("encode", &emb, 1);
    rc = st ? cli_fail(ctx, "encode", st) : CLI_EXIT_OK;
    saetm_acts_free(&acts);
    if (have_x) saetm_matrix_free(&x);
    saetm_sae_free(sae);
    saetm_ctx_free(ctx);
    return rc;
}
