/*
 * cmd_interpret.c - `saetm interpret`: fit a word distribution per SAE feature on a corpus
 * (method.md 2.3) and write the interpretation file (.sti).
 */
#include "cli.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_load_acts(saetm_ctx *ctx, const char *cmd, const char *path, saetm_acts *out)
{
    size_t n = strlen(path);
    saetm_status st;
    if (n >= 4 && strcmp(path + n - 4, ".npy") == 0) {
        saetm_matrix m;
        st = saetm_npy_load(ctx, path, &m);
        if (!st) st = saetm_acts_from_dense(ctx, &m, out);
        saetm_matrix_free(&m);
    } else {
        st = saetm_acts_load(ctx, path, out);
    }
    if (st) {
        fprintf(stderr, "saetm %s: %s: %s\n", cmd, path, saetm_ctx_errmsg(ctx));
        return st == SAETM_ERR_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

int cmd_interpret(int argc, char **argv)
{
    saetm_interp_opts io;
    saetm_interp_opts_default(&io);
    const char *corpus_path = NULL, *acts_path = NULL, *sae_path = NULL, *emb = NULL, *out = NULL;
    cli_opt opts[6] = {
        {"corpus", CLI_STR, &corpus_path, "FILE", "corpus file (.stc) whose bag-of-words explains the features", NULL},
        {"acts", CLI_STR, &acts_path, "FILE", "activations: .sac from saetm encode, or a dense N x F .npy", NULL},
        {"sae", CLI_STR, &sae_path, "FILE", "SAE model (.saem) or 'default' (the shipped foundational SAE), with --emb: encode the embeddings first", NULL},
        {"emb", CLI_STR, &emb, "FILE", "document embeddings (.npy, N x d), with --sae", NULL},
        {"out", CLI_STR, &out, "FILE", "interpretation file to write (.sti)", NULL},
    };
    cli_table tab = cli_interp_table(&io);
    cli_common common;
    int rc = cli_parse_table(argc, argv, "interpret",
                       "Fit a word distribution for every SAE feature on a corpus by EM (the IDF-weighted\n"
                       "bag-of-words likelihood of docs/topics.md), with the features' weights in the corpus,\n"
                       "a background distribution and its weight, and write them to an .sti file.\n"
                       "Examples:\n"
                       "  saetm interpret --acts acts.sac --corpus corpus.stc --out interp.sti\n"
                       "  saetm interpret --sae sae.saem --emb X.npy --corpus corpus.stc --out interp.sti",
                       opts, &tab, 1, &common);
    if (rc >= 0) return rc;
    if (!corpus_path) return cli_usage_error("interpret", "--corpus is required");
    if (!out) return cli_usage_error("interpret", "--out is required");
    if (!acts_path && !(sae_path && emb)) return cli_usage_error("interpret", "give --acts, or --sae with --emb");
    if (acts_path && (sae_path || emb)) return cli_usage_error("interpret", "give either --acts or --sae/--emb, not both");
    if ((rc = cli_interp_finish("interpret", &io)) >= 0) return rc;
    rc = CLI_EXIT_OK;

    saetm_ctx *ctx = cli_ctx(&common);
    saetm_corpus *corpus = NULL;
    saetm_acts acts = {0};
    saetm_interp *it = NULL;
    saetm_sae *sae = NULL;
    saetm_matrix x = {0};
    const char **vocab = NULL;
    const char *rows_from = acts_path ? acts_path : emb;
    saetm_status st = saetm_corpus_load(ctx, corpus_path, &corpus);
    if (st) {
        rc = cli_fail(ctx, "interpret", st);
        goto done;
    }
    if (acts_path) {
        rc = cli_load_acts(ctx, "interpret", acts_path, &acts);
        if (rc) goto done;
    } else {
        char sidecar[256], sae_file[4096];
        cli_emb_embedder(emb, sidecar, sizeof sidecar);
        st = cli_sae_load(ctx, sae_path, sidecar, sae_file, sizeof sae_file, &sae);
        if (!st) st = saetm_npy_load(ctx, emb, &x);
        if (!st) st = saetm_sae_check_input(ctx, sae, sidecar, x.cols);
        if (!st && saetm_dist_size() == 1) st = saetm_matrix_check_finite(ctx, &x, emb); /* mpirun: encode checks */
        if (!st) st = saetm_sae_encode(ctx, sae, &x, &acts);
        if (st) {
            rc = cli_fail(ctx, "interpret", st);
            goto done;
        }
    }
    if (acts.rows != saetm_corpus_num_docs(corpus)) {
        fprintf(stderr, "saetm interpret: %s has %llu rows but %s has %llu documents; they must be the same documents\n",
                rows_from, (unsigned long long)acts.rows, corpus_path, (unsigned long long)saetm_corpus_num_docs(corpus));
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    vocab = saetm_corpus_words(corpus);
    saetm_bow bow;
    saetm_corpus_bow(corpus, &bow);
    st = vocab ? saetm_interp_fit(ctx, &acts, &bow, vocab, &io, &it) : SAETM_ERR_NOMEM;
    const int writer = saetm_dist_rank() == 0; /* under mpirun every process has the result; rank 0 writes */
    if (!st && writer) st = saetm_interp_save(ctx, it, out);
    if (st) {
        rc = cli_fail(ctx, "interpret", st);
        goto done;
    }
    uint32_t F = saetm_interp_num_features(it), used = 0;
    for (uint32_t f = 0; f < F; f++) used += saetm_interp_theta_avg(it)[f] > 0;
    if (!common.quiet && writer)
        printf("interpret: %u of %u features occur in the corpus; %u EM iterations, NLL %.6f per unit weight, "
               "pi %.4f; wrote %s\n",
               used, F, saetm_interp_iterations(it), saetm_interp_nll(it), saetm_interp_pi(it), out);
    const char *inputs[] = {corpus_path, acts_path ? acts_path : emb};
    cli_mem_report("interpret", inputs, 2);
done:
    free(vocab);
    saetm_interp_free(it);
    saetm_acts_free(&acts);
    saetm_matrix_free(&x);
    saetm_sae_free(sae);
    saetm_corpus_free(corpus);
    saetm_ctx_free(ctx);
    return rc;
}
