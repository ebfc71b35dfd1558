/*
 * cmd_fit.c - `saetm fit`: the whole pipeline in one command (the library's saetm_fit): flags
 * mapped onto saetm_fit_opts, whose defaults are the library's (saetm_fit_opts_default), and
 * the result printed. See saetm.h for the stages and the model directory it writes.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_fit(int argc, char **argv)
{
    saetm_fit_opts fo;
    saetm_fit_opts_default(&fo);
    const char *arch = saetm_sae_arch_name(fo.sae.arch), *init = saetm_sae_init_name(fo.sae.init);
    cli_corpus_args ca;
    cli_interp_args ia;
    cli_topics_args *ta = &fo.topics;
    cli_corpus_defaults(&ca);
    cli_interp_defaults(&ia);
    saetm_sae_config *cfg = &fo.sae;
    uint32_t features = 0;
    cli_opt opts[80] = {
        {"input", CLI_STR, &fo.input, "PATH", "documents (.jsonl, .csv, text lines or a directory of .txt; gzip or not)", NULL},
        {"emb", CLI_STR, &fo.emb, "FILE", "document embeddings, N x d .npy, row i = document i of --input",
         "the built-in embedder (written to DIR/emb.npy)"},
        {"sae", CLI_STR, &fo.sae_file, "FILE", "use this trained SAE (.saem) instead of training one; 'default' = the "
         "shipped foundational SAE of the embeddings' embedder (docs/foundation.md)", "train one"},
        {"out", CLI_STR, &fo.out, "DIR", "model directory to write (created if missing)", NULL},
        {"sae-arch", CLI_STR, &arch, "NAME", "SAE training: batchtopk, topk, relu-l1 or jumprelu", "batchtopk"},
        {"sae-init", CLI_STR, &init, "NAME",
         "SAE training: decoder start, random (from the seed), data (the documents' own embeddings) or neighbors "
         "(means of 16 nearest documents); the last two the same for every seed (docs/sae.md)", init},
        {"sae-k", CLI_U32, &cfg->k, "K", "SAE training: active features per document", "32"},
        {"expansion", CLI_U32, &cfg->expansion, "E", "SAE training: features = E x embedding dimension (instead of --features)",
         NULL},
        {"features", CLI_U32, &features, "F", "SAE training: number of features",
         "sized to the corpus: the power of two >= N/2 for N documents, within [1024, 64 x d]"},
        {"batch", CLI_U32, &cfg->batch, "B", "SAE training: rows per step", "1024"},
        {"lr", CLI_DOUBLE, &cfg->lr, "LR", "SAE training: Adam learning rate", "1e-3"},
        {"epochs", CLI_U32, &cfg->epochs, "E", "SAE training: passes over the documents", "40, at least 200 steps"},
        {"steps", CLI_U64, &cfg->steps, "S", "SAE training: optimiser steps (instead of --epochs)", NULL},
        {"checkpoint-every", CLI_U64, &cfg->checkpoint_every, "N",
         "SAE training: save the training state to DIR/sae.ckpt every N steps (0 = never)", "250"},
        {"resume", CLI_FLAG, &fo.resume, NULL,
         "continue an interrupted fit into DIR with the same options: reuse DIR/emb.npy (built-in embedder) and a "
         "finished DIR/sae.saem, or resume training from DIR/sae.ckpt; the result equals an uninterrupted run's",
         NULL},
        {"holdout", CLI_DOUBLE, &fo.holdout, "F",
         "keep the share F in [0, 0.9] of the documents out of every stage (document i iff (i * round(F * 10^6)) mod "
         "10^6 < round(F * 10^6); F = 0.2: i % 5 == 0) and score the topics on them: DIR/heldout.stc, scores in "
         "topics.json and params.json; 0 = none", "0"},
    };
    int n = 16;
    n += cli_corpus_table(&ca, opts + n);
    n += cli_interp_table(&ia, opts + n);
    n += cli_topics_table(ta, opts + n); /* their help shows fit's defaults: the values ta holds */
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
    if (!fo.input) return cli_usage_error("fit", "--input is required");
    if (!fo.out) return cli_usage_error("fit", "--out is required");
    const char *bad = saetm_holdout_check(fo.holdout);
    if (bad) return cli_usage_error("fit", "--holdout %g: %s", fo.holdout, bad);
    if ((rc = cli_corpus_finish("fit", &ca)) >= 0) return rc;
    if ((rc = cli_interp_finish("fit", &ia)) >= 0) return rc;
    /* --space alone asks for a feature embedding, which only k-means uses: the plain merge in that space */
    if (cli_given(argc, argv, "space") && !cli_given(argc, argv, "method") && !cli_given(argc, argv, "merge"))
        ta->method = "kmeans";
    if ((rc = cli_topics_finish("fit", ta)) >= 0) return rc;
    if (ta->o.space == SAETM_SPACE_DECODER && ta->decoder)
        return cli_usage_error("fit", "--decoder is not needed: fit uses its SAE's decoder for --space decoder");
    if (features && cli_given(argc, argv, "expansion"))
        return cli_usage_error("fit", "give --features or --expansion, not both");
    if (cfg->steps && cfg->epochs) return cli_usage_error("fit", "give --epochs or --steps, not both");
    fo.seed = common.seed;
    cfg->n_features = features;
    fo.size_features = !features && !cli_given(argc, argv, "expansion");
    ta->min_docs_fixed = cli_given(argc, argv, "min-doc-freq") || cli_given(argc, argv, "min-docs");
    fo.corpus = ca.o;
    fo.interp = ia.o;
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_status st = fo.sae_file ? SAETM_OK : saetm_sae_arch_parse(ctx, arch, &cfg->arch);
    if (!st && !fo.sae_file) st = saetm_sae_init_parse(ctx, init, &cfg->init);
    if (st) {
        rc = cli_usage_error("fit", "%s", saetm_ctx_errmsg(ctx));
        saetm_ctx_free(ctx);
        return rc;
    }
    saetm_fit_result res;
    st = saetm_fit(ctx, &fo, &res);
    if (st == SAETM_ERR_ARG) rc = cli_usage_error("fit", "%s", saetm_ctx_errmsg(ctx));
    else if (st) rc = cli_fail(ctx, "fit", st);
    else rc = CLI_EXIT_OK;
    if (!st && !common.quiet && res.has_scores && saetm_dist_rank() == 0) cli_print_scores("fit", res.scores);
    saetm_ctx_free(ctx);
    return rc;
}
