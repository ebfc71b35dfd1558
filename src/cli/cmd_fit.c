/*
 * cmd_fit.c - `saetm fit`: the whole pipeline in one command (the library's saetm_fit). Its
 * flags are the rows of the library's table (saetm_fit_options: parsing, --help, defaults and
 * usage errors), set by name with saetm_fit_opts_set and checked with saetm_fit_opts_check, so a
 * program setting the same options by name gets the same run; this file only prints.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_fit(int argc, char **argv)
{
    saetm_fit_opts fo;
    saetm_fit_opts_default(&fo);
    cli_table tab = cli_fit_table(&fo);
    cli_common common;
    int rc = cli_parse_table(argc, argv, "fit",
                             "Run the whole pipeline: read the documents into a corpus, train a sparse autoencoder on\n"
                             "their embeddings (or use --sae), encode, interpret the features (a word distribution\n"
                             "each) and merge them into K topics. Writes into DIR: corpus.stc, sae.saem, acts.sac,\n"
                             "interp.sti, top_words.txt, topics.json, doc_topics.npy, topic_word.npy, params.json.\n"
                             "With --holdout F the held-out documents take no part and score the topics (heldout.stc).\n"
                             "Re-merge later in seconds with `saetm topics --model DIR --k K2`. Example:\n"
                             "  saetm fit --input docs.jsonl --emb emb.npy --k 20 --out model/",
                             NULL, &tab, 1, &common);
    if (rc >= 0) return rc;
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_status st = saetm_fit_opts_check(ctx, &fo);
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
