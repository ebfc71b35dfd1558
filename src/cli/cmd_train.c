/*
 * cmd_train.c - `saetm train`: train a sparse autoencoder on embeddings (.npy) into a .saem file.
 * The SAE's options are the library's rows (saetm_sae_options, the same as saetm fit's).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_train(int argc, char **argv)
{
    saetm_sae_config cfg;
    saetm_sae_config_default(&cfg);
    const char *emb = NULL, *out = NULL, *resume = NULL, *ckpt = NULL, *embedder = NULL;
    int half = 0;
    const cli_opt opts[] = {
        {"emb", CLI_STR, &emb, "FILE", "embeddings, N x d float32 .npy (required)", NULL},
        {"out", CLI_STR, &out, "FILE", "output SAE file, .saem (required)", NULL},
        {"checkpoint", CLI_STR, &ckpt, "FILE", "checkpoint file", "OUT.ckpt"},
        {"resume", CLI_STR, &resume, "FILE", "continue from a checkpoint (with its settings)", NULL},
        {"embedder", CLI_STR, &embedder, "NAME", "name of the embedder that made --emb, stored in the SAE", "from EMB.json by saetm embed, else none"},
        {"half", CLI_FLAG, &half, NULL, "store the weight matrices in half precision (half the file size)", "float32"},
        {0},
    };
    /* the SAE's rows (the library's, as saetm fit's), with train's own defaults where the row words fit's */
    static const char *const train_defaults[] = {"expansion", NULL, "features", "E x d", "epochs", "about 1000 steps",
                                                 NULL};
    cli_table tab = cli_sae_table(&cfg);
    tab.defaults = train_defaults;
    cli_common common;
    int rc = cli_parse_table(argc, argv, "train",
                             "Train a sparse autoencoder on the rows of an embedding matrix (docs/sae.md):\n"
                             "  saetm train --emb X.npy --out sae.saem [--sae-arch batchtopk] [--sae-k 32] [--expansion 64]",
                             opts, &tab, 1, &common);
    if (rc >= 0) return rc;
    if (!emb) return cli_usage_error("train", "--emb FILE is required");
    if (!out) return cli_usage_error("train", "--out FILE is required");
    if (cli_given(argc, argv, "features") && cli_given(argc, argv, "expansion"))
        return cli_usage_error("train", "give --features or --expansion, not both");
    if (cli_given(argc, argv, "steps") && cli_given(argc, argv, "epochs"))
        return cli_usage_error("train", "give --steps or --epochs, not both");
    if (resume) {
        static const char *const model_opts[] = {"sae-arch", "arch",  "sae-k", "k",  "expansion", "features",
                                                 "batch",    "lr",    "warmup", "epochs", "steps",  "l1",
                                                 "l0",       "aux-alpha", "seed", "embedder", "sae-init", "init"};
        for (size_t i = 0; i < sizeof model_opts / sizeof model_opts[0]; i++)
            if (cli_given(argc, argv, model_opts[i]))
                return cli_usage_error("train", "--resume continues with the checkpoint's own settings; --%s cannot be changed",
                                       model_opts[i]);
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_status st;
    cfg.seed = common.seed;
    char sidecar[256];
    cfg.embedder = embedder ? embedder : cli_emb_embedder(emb, sidecar, sizeof sidecar);
    char *ckpt_default = NULL;
    if (!ckpt) {
        size_t n = strlen(out) + 6;
        ckpt_default = malloc(n);
        if (!ckpt_default) {
            saetm_ctx_free(ctx);
            fprintf(stderr, "saetm train: out of memory\n");
            return CLI_EXIT_FAIL;
        }
        snprintf(ckpt_default, n, "%s.ckpt", out);
        ckpt = ckpt_default;
    }
    cfg.checkpoint_path = ckpt;
    const char *why = saetm_sae_config_check(&cfg, 0);
    if (why) {
        free(ckpt_default);
        saetm_ctx_free(ctx);
        return cli_usage_error("train", "%s", why);
    }
    saetm_matrix x;
    saetm_sae *sae = NULL;
    st = saetm_npy_load(ctx, emb, &x);
    if (!st) {
        why = resume ? NULL : saetm_sae_config_check(&cfg, (uint32_t)(x.cols > UINT32_MAX ? 0 : x.cols));
        if (why) {
            rc = cli_usage_error("train", "%s (embeddings %s have %llu columns)", why, emb, (unsigned long long)x.cols);
            saetm_matrix_free(&x);
            free(ckpt_default);
            saetm_ctx_free(ctx);
            return rc;
        }
        st = resume ? saetm_sae_resume(ctx, resume, &cfg, &x, &sae) : saetm_sae_train(ctx, &cfg, &x, &sae);
        cli_mem_report("train", &emb, 1);
        saetm_matrix_free(&x);
    }
    const int writer = saetm_dist_rank() == 0; /* under mpirun every process has the model; rank 0 writes it */
    if (!st && writer) st = half ? saetm_sae_save_half(ctx, sae, out) : saetm_sae_save(ctx, sae, out);
    rc = st ? cli_fail(ctx, "train", st) : CLI_EXIT_OK;
    if (!st && !common.quiet && writer) fprintf(stderr, "wrote %s\n", out);
    saetm_sae_free(sae);
    free(ckpt_default);
    saetm_ctx_free(ctx);
    return rc;
}
