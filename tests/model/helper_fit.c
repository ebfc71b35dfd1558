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
 *          byname  = the options after THREADS, "--NAME VALUE" or "--FLAG", each set with
 *                    saetm_fit_opts_set as `saetm fit` takes them (no other call: saetm_fit applies
 *                    saetm_fit_opts_check itself)
 */
#include "saetm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options of variant plain, holdout or kmeans, set as fields. @return 0, or -1 for another variant. */
static int set_variant(saetm_fit_opts *o, const char *variant, char **argv)
{
    o->input = argv[2];
    o->emb = argv[3];
    o->out = argv[4];
    o->corpus.preprocess = SAETM_PREPROCESS_NONE;
    o->topics.o.k = 4;
    if (strcmp(variant, "kmeans") == 0) {
        o->sae.steps = 60;
        o->sae.arch = SAETM_SAE_TOPK;
        o->sae.n_features = 256;
        o->size_features = 0;
        o->topics.merge = "kmeans-hellinger";
        o->topics.refit = 1;
    } else {
        o->corpus.id_field = "id";
        o->corpus.min_df = 2;
        o->sae.steps = 50;
        if (strcmp(variant, "holdout") == 0) o->holdout = 0.2;
        else if (strcmp(variant, "plain") != 0) return -1;
    }
    return 0;
}

/* The options after THREADS ("--NAME VALUE" or "--FLAG") set by name; @return 0, or 2 (printed). */
static int set_by_name(saetm_ctx *ctx, saetm_fit_opts *o, int argc, char **argv)
{
    int bad = saetm_fit_opts_set(ctx, o, "input", argv[2]) || saetm_fit_opts_set(ctx, o, "emb", argv[3]) ||
              saetm_fit_opts_set(ctx, o, "out", argv[4]);
    for (int i = 6; i < argc && !bad; i++) {
        if (strncmp(argv[i], "--", 2) != 0) {
            fprintf(stderr, "helper_fit: expected --NAME, got %s\n", argv[i]);
            return 2;
        }
        const char *name = argv[i] + 2;
        const char *value = i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0 ? argv[++i] : NULL;
        bad = saetm_fit_opts_set(ctx, o, name, value);
    }
    if (bad) fprintf(stderr, "helper_fit: %s\n", saetm_ctx_errmsg(ctx));
    return bad ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 6 || (argc > 6 && strcmp(argv[1], "byname") != 0)) {
        fprintf(stderr, "usage: helper_fit plain|holdout|kmeans|byname INPUT EMB OUT THREADS [--NAME [VALUE]]...\n");
        return 2;
    }
    const char *variant = argv[1];
    saetm_fit_opts o;
    saetm_fit_opts_default(&o);
    saetm_ctx *ctx = saetm_ctx_create();
    if (!ctx) return 1;
    if (strcmp(variant, "byname") == 0) {
        int rc = set_by_name(ctx, &o, argc, argv);
        if (rc) {
            saetm_ctx_free(ctx);
            return rc;
        }
    } else if (set_variant(&o, variant, argv)) {
        fprintf(stderr, "helper_fit: unknown variant %s\n", variant);
        saetm_ctx_free(ctx);
        return 2;
    }
    saetm_ctx_set_threads(ctx, atoi(argv[5]));
    saetm_fit_result r;
    saetm_status st = saetm_fit(ctx, &o, &r);
    if (st) fprintf(stderr, "helper_fit: %s\n", saetm_ctx_errmsg(ctx));
    else printf("%llu documents, %u words, %u features, %u topics\n", (unsigned long long)r.docs, r.vocab, r.features,
                r.k);
    saetm_ctx_free(ctx);
    return st ? 1 : 0;
}
