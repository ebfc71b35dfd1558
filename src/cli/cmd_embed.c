/*
 * cmd_embed.c - `saetm embed --input DOCS --out X.npy`: sentence embeddings of documents with the
 * built-in embedder (Universal Sentence Encoder Lite, 512-d). Writes X.npy (float32, one row per
 * document, in input order) and the sidecar X.npy.json naming the embedder and its version
 * (the library's saetm_embed_file).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_embed(int argc, char **argv)
{
    const char *input = NULL, *out = NULL, *format = "auto", *field = "text", *model = NULL, *corpus = NULL;
    int skip_bad = 0;
    const cli_opt opts[] = {
        {"input", CLI_STR, &input, "FILE", "documents, read as by 'saetm corpus' (JSONL, CSV, text lines, directory)", NULL},
        {"corpus", CLI_STR, &corpus, "FILE",
         "instead of --input: the documents of a corpus file (.stc), re-read from the source it was built from and "
         "checked against it", NULL},
        {"out", CLI_STR, &out, "FILE", "output .npy (float32, documents x 512); FILE.json names the embedder", NULL},
        {"format", CLI_STR, &format, "F", "input format: auto|jsonl|csv|text|dir (auto: by extension)", "auto"},
        {"text-field", CLI_STR, &field, "NAME", "JSONL/CSV field holding the text", "text"},
        {"skip-bad", CLI_FLAG, &skip_bad, NULL, "leave out bad records with a warning instead of failing", NULL},
        {"model", CLI_STR, &model, "FILE",
         "embedder model file (default: $SAETM_EMBEDDER, else models/use-lite-en.stm by the executable)", NULL},
        {0},
    };
    cli_common common;
    int rc = cli_parse(argc, argv, "embed",
                       "Embed documents with the built-in sentence embedder (Universal Sentence Encoder Lite):\n"
                       "  saetm embed --input docs.jsonl --out emb.npy\n"
                       "  saetm embed --corpus corpus.stc --out emb.npy",
                       opts, &common);
    if (rc >= 0) return rc;
    if (!input == !corpus) return cli_usage_error("embed", "give exactly one of --input and --corpus");
    if (!out) return cli_usage_error("embed", "--out is required");
    saetm_corpus_opts o;
    saetm_corpus_opts_default(&o);
    if (saetm_input_format_parse(format, &o.format))
        return cli_usage_error("embed", "--format must be auto, jsonl, csv, text or dir, not '%s'", format);
    o.text_field = field;
    o.skip_bad = skip_bad;
    const char *bad = saetm_corpus_opts_check(&o);
    if (bad) return cli_usage_error("embed", "%s", bad);

    saetm_ctx *ctx = cli_ctx(&common);
    saetm_status st = saetm_embed_file(ctx, model, input, corpus, &o, out);
    rc = st ? cli_fail(ctx, "embed", st) : CLI_EXIT_OK;
    saetm_ctx_free(ctx);
    return rc;
}
