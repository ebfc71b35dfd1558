/*
 * cmd_train.c - `saetm train`: train a sparse autoencoder on embeddings (.npy) into a .saem file.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_train(int argc, char **argv)
{
    saetm_sae_config cfg;
    saetm_sae_config_default(&cfg);
    const char *emb = NULL, *out = NULL, *arch = "batchtopk", *init = "random", *resume = NULL, *ckpt = NULL, *embedder = NULL;
    uint32_t features = 0;
    int half = 0;
    const cli_opt opts[] = {
        {"emb", CLI_STR, &emb, "FILE", "embeddings, N x d float32 .npy (required)", NULL},
        {"out", CLI_STR, &out, "FILE", "output SAE file, .saem (required)", NULL},
        {"sae-arch", CLI_STR, &arch, "NAME", "batchtopk, topk, relu-l1 or jumprelu", "batchtopk"},
        {"init", CLI_STR, &init, "NAME",
         "decoder start: random (from the seed), data (the training rows) or neighbors (means of 16 nearest "
         "rows); the last two the same for every seed (docs/sae.md)",
         "random"},
        {"k", CLI_U32, &cfg.k, "K", "active features per row (jumprelu: target mean L0)", "32"},
        {"expansion", CLI_U32, &cfg.expansion, "E", "features = E x embedding dimension", "64"},
        {"features", CLI_U32, &features, "F", "number of features (instead of --expansion)", "E x d"},
        {"batch", CLI_U32, &cfg.batch, "B", "rows per step", "4096"},
        {"lr", CLI_DOUBLE, &cfg.lr, "LR", "Adam learning rate", "1e-3"},
        {"warmup", CLI_DOUBLE, &cfg.warmup, "FRAC", "fraction of steps with linear lr warm-up", "0.1"},
        {"epochs", CLI_U32, &cfg.epochs, "E", "passes over the rows", "about 1000 steps"},
        {"steps", CLI_U64, &cfg.steps, "S", "optimiser steps (instead of --epochs)", NULL},
        {"l1", CLI_DOUBLE, &cfg.l1, "BETA", "relu-l1: L1 coefficient (inputs scaled to mean squared norm d)", "1"},
        {"l0", CLI_DOUBLE, &cfg.l0, "LAMBDA", "jumprelu: weight of (L0/k - 1)^2", "1"},
        {"aux-alpha", CLI_DOUBLE, &cfg.auxk_alpha, "A", "weight of the dead-feature auxiliary loss (0 = off)", "0.03125"},
        {"checkpoint-every", CLI_U64, &cfg.checkpoint_every, "N", "write a checkpoint every N steps (0 = never)", "0"},
        {"checkpoint", CLI_STR, &ckpt, "FILE", "checkpoint file", "OUT.ckpt"},
        {"resume", CLI_STR, &resume, "FILE", "continue from a checkpoint (with its settings)", NULL},
        {"embedder", CLI_STR, &embedder, "NAME", "name of the embedder that made --emb, stored in the SAE", "from EMB.json by saetm embed, else none"},
        {"half", CLI_FLAG, &half, NULL, "store the weight matrices in half precision (half the file size)", "float32"},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "train",
                       "Train a sparse autoencoder on the rows of an embedding matrix (docs/method.md 2.2):\n"
                       "  saetm train --emb X.npy --out sae.saem [--arch batchtopk] [--k 32] [--expansion 64]",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!emb) return cli_usage_error("train", "--emb FILE is required");
    if (!out) return cli_usage_error("train", "--out FILE is required");
    if (cli_given(argc, argv, "features") && cli_given(argc, argv, "expansion"))
        return cli_usage_error("train", "give --features or --expansion, not both");
    if (cli_given(argc, argv, "steps") && cli_given(argc, argv, "epochs"))
        return cli_usage_error("train", "give --steps or --epochs, not both");
    if (resume) {
        static const char *const model_opts[] = {"sae-arch", "arch", "k", "expansion", "features", "batch", "lr", "warmup",
                                                 "epochs", "steps", "l1", "l0", "aux-alpha", "seed", "embedder", "init"};
        for (size_t i = 0; i < sizeof model_opts / sizeof model_opts[0]; i++)
            if (cli_given(argc, argv, model_opts[i]))
                return cli_usage_error("train", "--resume continues with the checkpoint's own settings; --%s cannot be changed",
                                       model_opts[i]);
    }
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_status st = saetm_sae_arch_parse(ctx, arch, &cfg.arch);
    if (!st) st = saetm_sae_init_parse(ctx, init, &cfg.init);
    if (st) {
        rc = cli_usage_error("train", "%s", saetm_ctx_errmsg(ctx));
        saetm_ctx_free(ctx);
        return rc;
    }
    cfg.n_features = features;
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
