/*
 * fuzz_embed.c - the built-in embedder on arbitrary bytes: tokenisation (WHATWG UTF-8 decoding,
 * NFKC, the reference's Viterbi) and the forward pass. Promise checked: every input gives token
 * ids inside the vocabulary and a finite unit vector. The input is split at the first 0xFE byte
 * into two documents embedded together (batching). Needs the model file: $SAETM_EMBEDDER, else
 * build/models/use-lite-en.stm under the current directory (the repository root).
 */
#include "fuzz.h"

#include <math.h>
#include <string.h>

static saetm_embedder *embedder(void)
{
    static saetm_embedder *e;
    if (!e) {
        const char *p = getenv("SAETM_EMBEDDER");
        if (saetm_embedder_load(fuzz_ctx(), p && p[0] ? p : "build/models/use-lite-en.stm", &e) != SAETM_OK) {
            fprintf(stderr, "fuzz_embed: cannot load the embedder model: %s\n", saetm_ctx_errmsg(fuzz_ctx()));
            abort();
        }
    }
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    saetm_embedder *e = embedder();
    saetm_ctx *ctx = fuzz_ctx();
    size_t n_ids = 0;
    static int32_t ids[1 << 16];
    if (saetm_embed_tokenize(ctx, e, (const char *)data, size, ids, sizeof ids / sizeof ids[0], &n_ids) == SAETM_OK) {
        /* each piece covers at least one code point of the NFKC text, and NFKC turns one code point
         * into at most 18 (Unicode's stability policy; U+FDFA, 3 bytes, becomes 18), plus the
         * leading word mark */
        FUZZ_REQUIRE(n_ids <= 18 * size + 1);
        for (size_t i = 0; i < n_ids && i < sizeof ids / sizeof ids[0]; i++)
            FUZZ_REQUIRE(saetm_embedder_piece(e, ids[i]) != NULL);
    }
    const uint8_t *cut = memchr(data, 0xFE, size);
    const char *texts[2] = {(const char *)data, cut ? (const char *)cut + 1 : ""};
    size_t lens[2] = {cut ? (size_t)(cut - data) : size, cut ? size - (size_t)(cut - data) - 1 : 0};
    float out[2 * 512];
    if (saetm_embed_texts(ctx, e, texts, lens, 2, out) == SAETM_OK) {
        for (int d = 0; d < 2; d++) {
            double ss = 0;
            for (int j = 0; j < 512; j++) {
                FUZZ_REQUIRE(isfinite(out[d * 512 + j]));
                ss += (double)out[d * 512 + j] * out[d * 512 + j];
            }
            FUZZ_REQUIRE(fabs(ss - 1.0) < 1e-3);
        }
    }
    return 0;
}
