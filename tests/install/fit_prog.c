/*
 * fit_prog.c - a program outside the source tree that uses an installed libsaetm (built by
 * tests/install/test_install.sh with `pkg-config --cflags --libs saetm`): planted data, an SAE
 * trained on its embeddings, the interpretation and K topics, all through include/saetm.h.
 * Checks the topics recover the planted ones and that the library finds the installed models;
 * then the whole pipeline in one call (saetm_fit) into a model directory, read back with
 * saetm_model_params_load.
 * Usage: fit_prog DATADIR WORKDIR (the installed PREFIX/share/saetm; a writable directory).
 * Prints "N passed, N failed".
 */
#include <saetm.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;
static void check(int ok, const char *what)
{
    if (ok) passed++;
    else {
        failed++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

/* Stop at the first failed call: nothing after it can be checked. */
#define CALL(x)                                                                                      \
    do {                                                                                             \
        saetm_status st_ = (x);                                                                      \
        if (st_ != SAETM_OK) {                                                                       \
            fprintf(stderr, "FAIL: %s: %s\n", #x, saetm_ctx_errmsg(ctx));                            \
            printf("%d passed, %d failed\n", passed, failed + 1);                                    \
            return 1;                                                                                \
        }                                                                                            \
    } while (0)

/* Cosine similarity of two n-vectors. */
static double cosine(const float *a, const float *b, uint32_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (uint32_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fit_prog DATADIR WORKDIR\n");
        return 2;
    }
    saetm_ctx *ctx = saetm_ctx_create();
    if (!ctx) return 1;
    check(strcmp(saetm_version(), SAETM_VERSION_STRING) == 0, "library version = header version");

    /* The shipped foundational SAE is found in the installed data directory, with no
     * SAETM_* variable set and this program far from it. */
    char path[4096];
    char want[4096];
    snprintf(want, sizeof want, "%s/foundation-use-lite-en.saem", argv[1]);
    check(saetm_sae_default_path(ctx, NULL, path, sizeof path) == SAETM_OK && strcmp(path, want) == 0,
          "saetm_sae_default_path finds PREFIX/share/saetm/foundation-use-lite-en.saem");
    saetm_embedder *emb = NULL;
    check(saetm_embedder_load(ctx, NULL, &emb) == SAETM_OK, "the default embedder loads from PREFIX/share/saetm");
    saetm_embedder_free(emb);

    saetm_synth_opts so;
    saetm_synth_opts_default(&so);
    so.n_docs = 2000;
    so.n_topics = 5;
    so.vocab_size = 300;
    so.dim = 16;
    saetm_synth *syn = NULL;
    CALL(saetm_synth_generate(ctx, &so, &syn));
    saetm_matrix x = {so.n_docs, so.dim, (float *)saetm_synth_embeddings(syn), NULL};
    saetm_bow bow;
    saetm_synth_bow(syn, &bow);

    saetm_sae_config cfg;
    saetm_sae_config_default(&cfg);
    cfg.n_features = 128;
    cfg.k = 4;
    cfg.batch = 256;
    cfg.steps = 300;
    check(saetm_sae_config_check(&cfg, so.dim) == NULL, "SAE config valid");
    saetm_sae *sae = NULL;
    CALL(saetm_sae_train(ctx, &cfg, &x, &sae));
    saetm_acts acts;
    CALL(saetm_sae_encode(ctx, sae, &x, &acts));

    saetm_interp_opts io;
    saetm_interp_opts_default(&io);
    saetm_interp *it = NULL;
    CALL(saetm_interp_fit(ctx, &acts, &bow, saetm_synth_vocab(syn), &io, &it));

    saetm_topics_opts to;
    saetm_topics_opts_default(&to);
    to.k = so.n_topics;
    saetm_topics *t = NULL;
    CALL(saetm_topics_build(ctx, it, NULL, &to, &t));
    check(saetm_topics_k(t) == so.n_topics, "K topics");

    /* Every planted topic has a fitted topic with a similar word distribution. */
    const float *fit_tw = saetm_topics_topic_word(t), *true_tw = saetm_synth_topic_word(syn);
    double worst = 1;
    for (uint32_t a = 0; a < so.n_topics; a++) {
        double best = 0;
        for (uint32_t b = 0; b < so.n_topics; b++) {
            double c = cosine(true_tw + (size_t)a * so.vocab_size, fit_tw + (size_t)b * so.vocab_size,
                              so.vocab_size);
            if (c > best) best = c;
        }
        if (best < worst) worst = best;
    }
    printf("worst best-match cosine of a planted topic: %.3f\n", worst);
    check(worst > 0.8, "every planted topic recovered (cosine > 0.8)");
    const uint32_t *top = saetm_topics_top_words(t, 0);
    printf("topic 0:");
    for (int i = 0; i < 8; i++) printf(" %s", saetm_interp_word(it, top[i]));
    printf("\n");

    /* The pipeline call: the planted documents and embeddings written out, fitted in one call
     * with fit's defaults (a short SAE training), the model directory read back. */
    char docs[4096], embf[4096], model[4096];
    snprintf(docs, sizeof docs, "%s/syn/docs.jsonl", argv[2]);
    snprintf(embf, sizeof embf, "%s/syn/emb.npy", argv[2]);
    snprintf(model, sizeof model, "%s/model", argv[2]);
    snprintf(path, sizeof path, "%s/syn", argv[2]);
    CALL(saetm_synth_write(ctx, syn, path));
    saetm_fit_opts fo;
    saetm_fit_opts_default(&fo);
    fo.input = docs;
    fo.emb = embf;
    fo.out = model;
    fo.corpus.preprocess = SAETM_PREPROCESS_NONE;
    fo.sae.steps = 50;
    fo.topics.o.k = so.n_topics;
    saetm_fit_result fr;
    CALL(saetm_fit(ctx, &fo, &fr));
    check(fr.docs == so.n_docs && fr.k == so.n_topics, "saetm_fit: every document, K topics");
    saetm_model_params *mp = NULL;
    CALL(saetm_model_params_load(ctx, model, &mp));
    check(mp != NULL, "saetm_fit wrote params.json, read back");
    saetm_model_params_free(mp);

    saetm_topics_free(t);
    saetm_interp_free(it);
    saetm_acts_free(&acts);
    saetm_sae_free(sae);
    saetm_synth_free(syn);
    saetm_ctx_free(ctx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
