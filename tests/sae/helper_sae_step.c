/*
 * helper_sae_step.c - run one saetm training step on a random problem and dump everything as
 * .npy files, for the PyTorch cross-check (test_sae_torch.py). Not a test by itself.
 *
 *   helper_sae_step ARCH D F K B N_DEAD SEED OUTDIR
 *
 * Writes OUTDIR/{x,W_enc,b_enc,W_dec,b_dec,dead}.npy (the state before the step, training
 * units), OUTDIR/g_{W_enc,b_enc,W_dec,b_dec}.npy (raw gradients), OUTDIR/new_*.npy (parameters
 * after projection, clipping, Adam at step 1 with lr 1e-3 and renormalisation) and
 * OUTDIR/scalars.npy = [loss, recon/B, aux, batch_threshold, grad_norm].
 */
#include "sae/sae_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int save(saetm_ctx *ctx, const char *dir, const char *name, const float *p, uint64_t r, uint64_t c)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    if (saetm_npy_save(ctx, path, p, r, c)) {
        fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: helper_sae_step ARCH D F K B N_DEAD SEED OUTDIR\n");
        return 2;
    }
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_sae_arch arch;
    if (saetm_sae_arch_parse(ctx, argv[1], &arch)) return 2;
    uint32_t d = (uint32_t)atoi(argv[2]), F = (uint32_t)atoi(argv[3]), k = (uint32_t)atoi(argv[4]),
             B = (uint32_t)atoi(argv[5]), n_dead = (uint32_t)atoi(argv[6]);
    uint64_t seed = (uint64_t)atoll(argv[7]);
    const char *dir = argv[8];

    saetm__sae_dims dm = {arch, d, F, k, d / 2, 0.05f, 1.0f, 0.001f, 1.0f / 32.0f, 0};
    saetm__sae_layout l;
    saetm__sae_layout_init(&l, arch, d, F);
    float *p = calloc(l.total, sizeof(float)), *g = calloc(l.total, sizeof(float));
    float *m = calloc(l.total, sizeof(float)), *v = calloc(l.total, sizeof(float));
    float *x = calloc((size_t)B * d, sizeof(float)), *deadf = calloc(F, sizeof(float));
    uint8_t *dead = calloc(F, 1), *fired = calloc(F, 1);
    saetm__rng r;
    saetm__rng_init(&r, seed, 99, 0);
    for (size_t i = 0; i < (size_t)F * d; i++) p[l.w_dec + i] = (float)saetm__rng_normal(&r);
    saetm__sae_normalize_decoder(1, &l, d, F, p);
    for (size_t i = 0; i < (size_t)F * d; i++) p[l.w_enc + i] = p[l.w_dec + i] + 0.02f * (float)saetm__rng_normal(&r);
    for (uint32_t f = 0; f < F; f++) p[l.b_enc + f] = 0.1f * (float)saetm__rng_normal(&r);
    for (uint32_t j = 0; j < d; j++) p[l.b_dec + j] = 0.2f * (float)saetm__rng_normal(&r);
    for (size_t i = 0; i < (size_t)B * d; i++) x[i] = (float)saetm__rng_normal(&r);
    for (uint32_t f = 0; f < n_dead && f < F; f++) {
        dead[F - 1 - f] = 1;
        deadf[F - 1 - f] = 1.0f;
    }

    saetm__sae_work *w;
    if (saetm__sae_work_create(ctx, &dm, B, 2, &w)) return 1;
    saetm__sae_batch_stats st;
    if (saetm__sae_grad(ctx, w, &l, p, x, B, dead, g, fired, &st)) {
        fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx));
        return 1;
    }
    int bad = 0;
    bad |= save(ctx, dir, "x", x, B, d);
    bad |= save(ctx, dir, "W_enc", p + l.w_enc, F, d);
    bad |= save(ctx, dir, "b_enc", p + l.b_enc, F, 1);
    bad |= save(ctx, dir, "W_dec", p + l.w_dec, F, d);
    bad |= save(ctx, dir, "b_dec", p + l.b_dec, d, 1);
    bad |= save(ctx, dir, "dead", deadf, F, 1);
    bad |= save(ctx, dir, "g_W_enc", g + l.w_enc, F, d);
    bad |= save(ctx, dir, "g_b_enc", g + l.b_enc, F, 1);
    bad |= save(ctx, dir, "g_W_dec", g + l.w_dec, F, d);
    bad |= save(ctx, dir, "g_b_dec", g + l.b_dec, d, 1);
    /* The training path: projected gradients, then the fused clip + Adam + renormalisation. */
    saetm__sae_work *w2;
    dm.project = 1;
    if (saetm__sae_work_create(ctx, &dm, B, 2, &w2)) return 1;
    memset(fired, 0, F);
    if (saetm__sae_grad(ctx, w2, &l, p, x, B, dead, g, fired, &st)) return 1;
    double norm = saetm__sae_optimizer_step(2, &l, d, F, p, g, m, v, saetm__sae_grad_sq_norm(w2, &l, g), 1.0, 1e-3,
                                            0.9, 0.999, 1e-8, 1);
    saetm__sae_work_free(w2);
    bad |= save(ctx, dir, "new_W_enc", p + l.w_enc, F, d);
    bad |= save(ctx, dir, "new_b_enc", p + l.b_enc, F, 1);
    bad |= save(ctx, dir, "new_W_dec", p + l.w_dec, F, d);
    bad |= save(ctx, dir, "new_b_dec", p + l.b_dec, d, 1);
    float sc[5] = {(float)st.loss, (float)(st.recon / B), (float)st.aux, st.batch_threshold, (float)norm};
    bad |= save(ctx, dir, "scalars", sc, 5, 1);
    saetm__sae_work_free(w);
    free(p);
    free(g);
    free(m);
    free(v);
    free(x);
    free(deadf);
    free(dead);
    free(fired);
    saetm_ctx_free(ctx);
    return bad;
}
