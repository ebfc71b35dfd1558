/*
 * test_acts.c - sparse activations: build, validate, save/load round trip, refusal of bad CSR.
 */
#include "saetm.h"
#include "test.h"

static void test_round_trip(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    uint64_t rp[4] = {0, 2, 2, 5};
    uint32_t idx[5] = {1, 7, 0, 3, 9};
    float val[5] = {0.5f, 1.5f, 2.0f, 0.25f, 3.0f};
    saetm_acts a, b;
    CHECK(saetm_acts_from_csr(ctx, 3, 10, rp, idx, val, &a) == SAETM_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/a.sac", test_tmpdir());
    CHECK(saetm_acts_save(ctx, &a, path) == SAETM_OK);
    CHECK(saetm_acts_load(ctx, path, &b) == SAETM_OK);
    CHECK_EQ_INT(b.rows, 3);
    CHECK_EQ_INT(b.n_features, 10);
    CHECK(b.row_ptr && memcmp(b.row_ptr, rp, sizeof rp) == 0);
    CHECK(b.idx && memcmp(b.idx, idx, sizeof idx) == 0);
    CHECK(b.val && memcmp(b.val, val, sizeof val) == 0);
    saetm_acts_free(&a);
    saetm_acts_free(&b);
    saetm_acts_free(&b); /* freeing twice is harmless: the struct was zeroed */
    saetm_ctx_free(ctx);
}

static void test_refusals(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_acts a;
    uint64_t rp[3] = {0, 2, 3};
    uint32_t unordered[3] = {4, 2, 1};
    float val[3] = {1, 1, 1};
    CHECK(saetm_acts_from_csr(ctx, 2, 10, rp, unordered, val, &a) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "ascending");
    uint32_t big[3] = {1, 2, 10};
    CHECK(saetm_acts_from_csr(ctx, 2, 10, rp, big, val, &a) == SAETM_ERR_ARG);
    uint32_t ok[3] = {1, 2, 3};
    float neg[3] = {1, -1, 1};
    CHECK(saetm_acts_from_csr(ctx, 2, 10, rp, ok, neg, &a) == SAETM_ERR_ARG);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "row 0");
    CHECK(a.owner_ == NULL);
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_refusals);
    return TEST_REPORT();
}
