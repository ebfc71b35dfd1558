/*
 * cmd_interpret.c - `saetm interpret`: fit a word distribution per SAE feature on a corpus
 * (method.md 2.3) and write the interpretation file (.sti).
 */
#include "cli.h"

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

int cli_interp_opts(const char *cmd, const char *background, int no_idf, saetm_interp_opts *o)
{
    if (strcmp(background, "learned") == 0) o->background = SAETM_BACKGROUND_LEARNED;
    else if (strcmp(background, "unigram") == 0) o->background = SAETM_BACKGROUND_UNIGRAM;
    else return cli_usage_error(cmd, "--background must be learned or unigram, not '%s'", background);
    o->idf = !no_idf;
    const char *bad = saetm_interp_opts_check(o);
    if (bad) return cli_usage_error(cmd, "%s", bad);
    return -1;
}

/* The corpus's vocabulary as an array of strings (owned by the corpus; free the array). */
const char **cli_corpus_vocab(const saetm_corpus *c)
{
    uint32_t V = saetm_corpus_vocab_size(c);
    const char **words = calloc(V ? V : 1, sizeof *words);
    if (!words) return NULL;
    for (uint32_t w = 0; w < V; w++) words[w] = saetm_corpus_word(c, w);
    return words;
}

int cmd_interpret(int argc, char **argv)
{
    saetm_interp_opts o;
    saetm_interp_opts_default(&o);
    const char *corpus_path = NULL, *acts_path = NULL, *sae = NULL, *emb = NULL, *out = NULL;
    const char *background = "learned";
    int no_idf = 0;
    const cli_opt opts[] = {
        {"corpus", CLI_STR, &corpus_path, "FILE", "corpus file (.stc) whose bag-of-words explains the features", NULL},
        {"acts", CLI_STR, &acts_path, "FILE", "activations: .sac from saetm encode, or a dense N x F .npy", NULL},
        {"sae", CLI_STR, &sae, "FILE", "SAE model (.saem), with --emb: encode the embeddings first", NULL},
        {"emb", CLI_STR, &emb, "FILE", "document embeddings (.npy, N x d), with --sae", NULL},
        {"out", CLI_STR, &out, "FILE", "interpretation file to write (.sti)", NULL},
        {"pi", CLI_DOUBLE, &o.pi, "X", "background weight in [0, 1) (start value with --learn-pi)", "0.3"},
        {"learn-pi", CLI_FLAG, &o.learn_pi, NULL, "fit the background weight too", NULL},
        {"background", CLI_STR, &background, "B", "learned (fitted with the features) | unigram (the IDF-weighted unigram, fixed)",
         "learned"},
        {"no-idf", CLI_FLAG, &no_idf, NULL, "do not weight the likelihood by IDF", NULL},
        {"smooth", CLI_DOUBLE, &o.smooth, "X", "probability mass spread uniformly over the vocabulary", "1e-4"},
        {"tol", CLI_DOUBLE, &o.tol, "X", "stop when an EM iteration lowers the NLL by a relative amount <= X", "1e-6"},
        {"max-iter", CLI_U32, &o.max_iter, "N", "at most N EM iterations", "500"},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "interpret",
                       "Fit a word distribution for every SAE feature on a corpus by EM (the IDF-weighted\n"
                       "bag-of-words likelihood of docs/method.md), with the features' weights in the corpus,\n"
                       "a background distribution and its weight, and write them to an .sti file.\n"
                       "Example:\n"
                       "  saetm interpret --acts acts.sac --corpus corpus.stc --out interp.sti",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!corpus_path) return cli_usage_error("interpret", "--corpus is required");
    if (!out) return cli_usage_error("interpret", "--out is required");
    if (!acts_path && !(sae && emb)) return cli_usage_error("interpret", "give --acts, or --sae with --emb");
    if (acts_path && (sae || emb)) return cli_usage_error("interpret", "give either --acts or --sae/--emb, not both");
    if (!acts_path && sae) {
        fprintf(stderr, "saetm interpret: --sae/--emb needs the SAE encoder, which this build does not have yet; "
                        "pass the activations with --acts (a .sac file or a dense .npy)\n");
        return CLI_EXIT_FAIL;
    }
    rc = cli_interp_opts("interpret", background, no_idf, &o);
    if (rc >= 0) return rc;

    saetm_ctx *ctx = cli_ctx(&common);
    saetm_corpus *corpus = NULL;
    saetm_acts acts = {0};
    saetm_interp *it = NULL;
    const char **vocab = NULL;
    saetm_status st = saetm_corpus_load(ctx, corpus_path, &corpus);
    if (st) {
        rc = cli_fail(ctx, "interpret", st);
        goto done;
    }
    rc = cli_load_acts(ctx, "interpret", acts_path, &acts);
    if (rc) goto done;
    if (acts.rows != saetm_corpus_num_docs(corpus)) {
        fprintf(stderr, "saetm interpret: %s has %llu rows but %s has %llu documents; they must be the same documents\n",
                acts_path, (unsigned long long)acts.rows, corpus_path,
                (unsigned long long)saetm_corpus_num_docs(corpus));
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    vocab = cli_corpus_vocab(corpus);
    saetm_bow bow = {saetm_corpus_num_docs(corpus), saetm_corpus_vocab_size(corpus), saetm_corpus_row_ptr(corpus),
                     saetm_corpus_word_ids(corpus), saetm_corpus_counts(corpus)};
    st = vocab ? saetm_interp_fit(ctx, &acts, &bow, vocab, &o, &it) : SAETM_ERR_NOMEM;
    if (!st) st = saetm_interp_save(ctx, it, out);
    if (st) {
        rc = cli_fail(ctx, "interpret", st);
        goto done;
    }
    uint32_t F = saetm_interp_num_features(it), used = 0;
    for (uint32_t f = 0; f < F; f++) used += saetm_interp_theta_avg(it)[f] > 0;
    if (!common.quiet)
        printf("interpret: %u of %u features occur in the corpus; %u EM iterations, NLL %.6f per unit weight, "
               "pi %.4f; wrote %s\n",
               used, F, saetm_interp_iterations(it), saetm_interp_nll(it), saetm_interp_pi(it), out);
done:
    free(vocab);
    saetm_interp_free(it);
    saetm_acts_free(&acts);
    saetm_corpus_free(corpus);
    saetm_ctx_free(ctx);
    return rc;
}
