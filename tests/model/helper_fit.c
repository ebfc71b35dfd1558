/*
 * helper_fit.c - fit a model through the library call saetm_fit alone, with the options that
 * test_fit_bytes.sh gives `saetm fit`, so the two model directories can be compared byte for
 * byte. Not a test by itself.
 *
 *   helper_fit VARIANT INPUT EMB OUT THREADS
 *
 * VARIANT: plain   = --preprocess none --id-field id --min-df 2 --k 4 --steps 50
 *          holdout = plain --holdout 0.2
 *          kmeans  = --preprocess none --k 4 --steps 60 --merge kmeans-hellinger --refit --sae-arch topk
 *                    --features 256
 */
#include "saetm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: helper_fit plain|holdout|kmeans INPUT EMB OUT THREADS\n");
        return 2;
    }
    const char *variant = argv[1];
    saetm_fit_opts o;
    saetm_fit_opts_default(&o);
    o.input = argv[2];
    o.emb = argv[3];
    o.out = argv[4];
    o.corpus.preprocess = SAETM_PREPROCESS_NONE;
    o.topics.o.k = 4;
    if (strcmp(variant, "kmeans") == 0) {
        o.sae.steps = 60;
        o.sae.arch = SAETM_SAE_TOPK;
        o.sae.n_features = 256;
        o.size_features = 0;
        o.topics.merge = "kmeans-hellinger";
        o.topics.refit = 1;
    } else {
        o.corpus.id_field = "id";
        o.corpus.min_df = 2;
        o.sae.steps = 50;
        if (strcmp(variant, "holdout") == 0) o.holdout = 0.2;
        else if (strcmp(variant, "plain") != 0) {
            fprintf(stderr, "helper_fit: unknown variant %s\n", variant);
            return 2;
        }
    }
    saetm_ctx *ctx = saetm_ctx_create();
    if (!ctx) return 1;
    saetm_ctx_set_threads(ctx, atoi(argv[5]));
    saetm_fit_result r;
    saetm_status st = saetm_fit(ctx, &o, &r);
    if (st) fprintf(stderr, "helper_fit: %s\n", saetm_ctx_errmsg(ctx));
    else printf("%llu documents, %u words, %u features, %u topics\n", (unsigned long long)r.docs, r.vocab, r.features,
                r.k);
    saetm_ctx_free(ctx);
    return st ? 1 : 0;
}
