/*
 * test_mem.c - memory limits: saetm_mem_available, the cap set on a context, and the
 * estimated-peak check that stages run before allocating.
 */
#include "saetm_int.h"
#include "test.h"

static void test_available(void)
{
    uint64_t a = saetm_mem_available(NULL);
    CHECK(a > (64u << 20)); /* the machine has more than 64 MiB free */
    saetm_ctx *ctx = saetm_ctx_create();
    CHECK(saetm_mem_available(ctx) == a || saetm_mem_available(ctx) > a / 2);
    saetm_ctx_set_mem_limit(ctx, 1ull << 40); /* 1 TiB cap: the machine is the bound */
    CHECK(saetm_mem_available(ctx) <= a + (a >> 3));
    saetm_ctx_set_mem_limit(ctx, 1); /* below what the process already holds */
    CHECK_EQ_INT(saetm_mem_available(ctx), 0);
    saetm_ctx_free(ctx);
}

static void test_check(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    CHECK(saetm__mem_check(ctx, 1024, "a small thing") == SAETM_OK);
    CHECK(saetm__mem_check(ctx, 1ull << 62, "training 10^12 features") == SAETM_ERR_NOMEM);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "training 10^12 features needs about 4294967296.00 GiB");
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "GiB are available (free memory");
    /* With a cap: refused below the machine's memory, and the message says where the cap came from. */
    uint64_t rss_room = 256ull << 20;
    saetm_ctx_set_mem_limit(ctx, rss_room + (512ull << 20));
    CHECK(saetm__mem_check(ctx, 1ull << 30, "encoding") == SAETM_ERR_NOMEM);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "encoding needs about 1.00 GiB");
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "SAETM_MEM_LIMIT");
    CHECK(saetm__mem_check(ctx, 1 << 20, "a little") == SAETM_OK);
    saetm_ctx_set_mem_limit(ctx, 0);
    CHECK(saetm__mem_check(ctx, 1ull << 30, "encoding") == SAETM_OK);
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_available);
    RUN(test_check);
    return TEST_REPORT();
}
