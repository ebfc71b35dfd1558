/*
 * fuzz_embed_model.c - the embedder model file loader (.stm, saetm_embedder_load), checksums
 * repaired (fuzz_fix_container). A loaded model must keep the API's promises on a fixed text:
 * tokenising gives ids of pieces it has, and embedding returns (any status) without reading or
 * writing out of bounds. The weights themselves are not checked: a file may carry any values.
 * The seed (fuzz/seeds/embed_model/tiny.stm, written by fuzz/make_seeds.py) is a 4-dimensional
 * two-layer network with a 40-piece vocabulary.
 */
#include "fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *fixed = fuzz_fix_container(data, size);
    saetm_embedder *e = NULL;
    saetm_ctx *ctx = fuzz_ctx();
    if (saetm_embedder_load(ctx, fuzz_file(0, fixed, size), &e) == SAETM_OK) {
        static const char *texts[2] = {"the cat sat on a mat, naïve café", ""};
        size_t n_ids = 0;
        int32_t ids[256];
        if (saetm_embed_tokenize(ctx, e, texts[0], strlen(texts[0]), ids, 256, &n_ids) == SAETM_OK)
            for (size_t i = 0; i < n_ids && i < 256; i++) FUZZ_REQUIRE(saetm_embedder_piece(e, ids[i]) != NULL);
        uint32_t dim = saetm_embedder_dim(e);
        FUZZ_REQUIRE(dim > 0 && dim <= 4096);
        FUZZ_REQUIRE(saetm_embedder_name(e)[0] && saetm_embedder_version(e)[0]);
        float *out = malloc((size_t)2 * dim * sizeof *out);
        if (out && saetm_embed_texts(ctx, e, texts, NULL, 2, out) == SAETM_OK) fuzz_touch(out, (size_t)2 * dim * sizeof *out);
        free(out);
        saetm_embedder_free(e);
    }
    free(fixed);
    return 0;
}
