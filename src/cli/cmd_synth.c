/*
 * cmd_synth.c - `saetm synth`: write a planted data set from the continuous topic model
 * (documents, embeddings and the true topics), for validating the pipeline.
 */
#include "cli.h"

#include <stdio.h>

int cmd_synth(int argc, char **argv)
{
    saetm_synth_opts o;
    saetm_synth_opts_default(&o);
    const char *out = NULL;
    const cli_opt opts[] = {
        {"out", CLI_STR, &out, "DIR", "directory to write (created if missing)", NULL},
        {"docs", CLI_U64, &o.n_docs, "N", "documents", "2000"},
        {"topics", CLI_U32, &o.n_topics, "T", "planted topics", "10"},
        {"vocab", CLI_U32, &o.vocab_size, "V", "vocabulary size", "1000"},
        {"dim", CLI_U32, &o.dim, "D", "embedding dimension", "64"},
        {"doc-len", CLI_DOUBLE, &o.doc_len, "X", "mean words per document (Poisson)", "60"},
        {"doc-alpha", CLI_DOUBLE, &o.doc_alpha, "X", "Dirichlet concentration of a document's topic mixture", "0.5"},
        {"topics-per-doc", CLI_U32, &o.topics_per_doc, "K", "topics mixed in each document", "3"},
        {"word-beta", CLI_DOUBLE, &o.word_beta, "X", "Dirichlet concentration of the topics' word distributions", "0.05"},
        {"strength", CLI_DOUBLE, &o.strength, "X", "mean total topic strength of a document embedding", "1"},
        {"noise", CLI_DOUBLE, &o.noise, "X", "standard deviation of the embedding noise", "0.02"},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "synth",
                       "Generate documents from planted topics (the continuous topic model of docs/method.md):\n"
                       "DIR/docs.jsonl (id, text), DIR/emb.npy, and the truth: true_doc_topics.npy,\n"
                       "true_strengths.npy, true_topic_word.npy, true_directions.npy, vocab.txt.\n"
                       "The --seed option picks the data set. Example:\n"
                       "  saetm synth --docs 5000 --topics 20 --out planted/",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!out) return cli_usage_error("synth", "--out is required");
    o.seed = common.seed;
    const char *bad = saetm_synth_opts_check(&o);
    if (bad) return cli_usage_error("synth", "%s", bad);
    saetm_ctx *ctx = cli_ctx(&common);
    saetm_synth *s = NULL;
    saetm_status st = saetm_synth_generate(ctx, &o, &s);
    if (!st) st = saetm_synth_write(ctx, s, out);
    rc = st ? cli_fail(ctx, "synth", st) : CLI_EXIT_OK;
    if (!st && !common.quiet)
        printf("synth: %llu documents, %u topics, %u words, embeddings of dimension %u; wrote %s/\n",
               (unsigned long long)o.n_docs, o.n_topics, o.vocab_size, o.dim, out);
    saetm_synth_free(s);
    saetm_ctx_free(ctx);
    return rc;
}
