/*
 * test_sae_half.c - half-precision weights: float <-> binary16 conversion against the compiler's
 * _Float16 (round to nearest even, subnormals, overflow, NaN), and an SAE saved with
 * saetm_sae_save_half loads with every weight equal to its rounded float32 value and half the size.
 */
#include "saetm_int.h"
#include "test.h"

#include <math.h>
#include <sys/stat.h>

static void test_conversion(void)
{
    /* every binary16 value: half -> float -> half is the identity (NaN stays NaN) */
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = saetm__f16_to_f32((uint16_t)h);
        _Float16 ref;
        uint16_t hh = (uint16_t)h;
        memcpy(&ref, &hh, 2);
        if (isnan(f)) {
            bad += !isnan((float)ref);
            continue;
        }
        bad += f != (float)ref;
        bad += saetm__f32_to_f16(f) != h;
    }
    CHECK_EQ_INT(bad, 0);
    /* random floats over the whole range and near the subnormal / overflow edges */
    saetm__rng r;
    saetm__rng_init(&r, 7, 0, 0);
    bad = 0;
    for (int i = 0; i < 2000000; i++) {
        uint32_t bits = (uint32_t)saetm__rng_u64(&r);
        if (i % 3 == 1) bits = (bits & 0x807fffffu) | ((uint32_t)(100 + (bits >> 23) % 45) << 23); /* 2^-27..2^17 */
        float f;
        memcpy(&f, &bits, 4);
        if (isnan(f)) continue;
        _Float16 ref = (_Float16)f;
        uint16_t rb;
        memcpy(&rb, &ref, 2);
        bad += saetm__f32_to_f16(f) != rb;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(saetm__f32_to_f16(1.0f) == 0x3c00);
    CHECK(saetm__f32_to_f16(65520.0f) == 0x7c00);          /* rounds up to Inf */
    CHECK(saetm__f32_to_f16(1.0f + 1.0f / 2048) == 0x3c00); /* tie -> even */
    CHECK(isnan(saetm__f16_to_f32(saetm__f32_to_f16(NAN))));
}

static long file_size(const char *p)
{
    struct stat s;
    return stat(p, &s) ? -1 : (long)s.st_size;
}

static void test_save_half(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    enum { N = 600, D = 64 };
    saetm_matrix x;
    CHECK(saetm__matrix_alloc(ctx, N, D, &x) == SAETM_OK);
    saetm__rng r;
    saetm__rng_init(&r, 3, 0, 0);
    for (size_t i = 0; i < (size_t)N * D; i++) x.data[i] = (float)saetm__rng_normal(&r);
    saetm_sae_config c;
    saetm_sae_config_default(&c);
    c.n_features = 256;
    c.k = 8;
    c.batch = 128;
    c.steps = 20;
    c.embedder = "test-emb";
    saetm_sae *s = NULL, *a = NULL, *b = NULL;
    char full[4096], half[4096];
    snprintf(full, sizeof full, "%s/half_full.saem", test_tmpdir());
    snprintf(half, sizeof half, "%s/half_half.saem", test_tmpdir());
    CHECK(saetm_sae_train(ctx, &c, &x, &s) == SAETM_OK);
    if (s) {
        CHECK(saetm_sae_save(ctx, s, full) == SAETM_OK);
        CHECK(saetm_sae_save_half(ctx, s, half) == SAETM_OK);
    }
    CHECK(saetm_sae_load(ctx, full, &a) == SAETM_OK);
    CHECK(saetm_sae_load(ctx, half, &b) == SAETM_OK);
    if (a && b) {
        long fs = file_size(full), hs = file_size(half), w = 2L * 256 * D * 2;
        CHECK(fs - hs >= w - 256 && fs - hs <= w + 256); /* the two matrices shrank by half */
        int bad = 0;
        for (size_t i = 0; i < (size_t)256 * D; i++) {
            bad += saetm_sae_encoder(b)[i] != saetm__f16_to_f32(saetm__f32_to_f16(saetm_sae_encoder(a)[i]));
            bad += saetm_sae_decoder(b)[i] != saetm__f16_to_f32(saetm__f32_to_f16(saetm_sae_decoder(a)[i]));
        }
        CHECK_EQ_INT(bad, 0);
        CHECK(memcmp(saetm_sae_thresholds(a), saetm_sae_thresholds(b), 256 * sizeof(float)) == 0);
        CHECK(memcmp(saetm_sae_decoder_bias(a), saetm_sae_decoder_bias(b), D * sizeof(float)) == 0);
        CHECK(strcmp(saetm_sae_embedder(b), "test-emb") == 0);
        /* the half model encodes almost like the full one */
        saetm_acts ea = {0}, eb = {0};
        CHECK(saetm_sae_encode(ctx, a, &x, &ea) == SAETM_OK);
        CHECK(saetm_sae_encode(ctx, b, &x, &eb) == SAETM_OK);
        double na = (double)ea.row_ptr[N], nb = (double)eb.row_ptr[N];
        CHECK(fabs(na - nb) <= 0.01 * na);
        saetm_acts_free(&ea);
        saetm_acts_free(&eb);
    }
    saetm_sae_free(s);
    saetm_sae_free(a);
    saetm_sae_free(b);
    saetm_matrix_free(&x);
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_conversion);
    RUN(test_save_half);
    return TEST_REPORT();
}
