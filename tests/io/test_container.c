/*
 * test_container.c - section container: round trip, streamed sections, corruption detection,
 * truncation, wrong magic and version, atomic writes.
 */
#include "saetm_int.h"
#include "test.h"

#include <unistd.h>

static char path_buf[4096];
static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", test_tmpdir(), name);
    return path_buf;
}

static void write_sample(saetm_ctx *ctx, const char *path)
{
    saetm__cwriter *w;
    CHECK(saetm__cw_open(ctx, path, "SAETMTST", 2, &w) == SAETM_OK);
    float m[6] = {1, 2, 3, 4, 5, 6};
    CHECK(saetm__cw_section(ctx, w, "matrix", SAETM__F32, m, 2, 3) == SAETM_OK);
    CHECK(saetm__cw_begin(ctx, w, "stream", SAETM__U32, 1) == SAETM_OK);
    for (uint32_t i = 0; i < 1000; i++) CHECK(saetm__cw_append(ctx, w, &i, sizeof i) == SAETM_OK);
    CHECK(saetm__cw_end(ctx, w) == SAETM_OK);
    CHECK(saetm__cw_section(ctx, w, "text", SAETM__U8, "abc", 3, 1) == SAETM_OK);
    CHECK(saetm__cw_commit(ctx, w) == SAETM_OK);
}

static void test_round_trip(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *p = tmp_path("c.bin");
    write_sample(ctx, p);
    CHECK(access(tmp_path("c.bin.tmp"), F_OK) != 0);
    saetm__creader r;
    CHECK(saetm__cr_open(ctx, tmp_path("c.bin"), "SAETMTST", 2, &r) == SAETM_OK);
    CHECK_EQ_INT(r.version, 2);
    const void *data;
    uint64_t rows = 0, cols = 0;
    CHECK(saetm__cr_get(ctx, &r, "matrix", SAETM__F32, &data, &rows, &cols) == SAETM_OK);
    CHECK_EQ_INT(rows, 2);
    CHECK_EQ_INT(cols, 3);
    CHECK(((const float *)data)[5] == 6.0f);
    CHECK(((uintptr_t)data % 64) == 0);
    rows = 0;
    CHECK(saetm__cr_get(ctx, &r, "stream", SAETM__U32, &data, &rows, NULL) == SAETM_OK);
    CHECK_EQ_INT(rows, 1000);
    CHECK_EQ_INT(((const uint32_t *)data)[999], 999);
    rows = 5;
    CHECK(saetm__cr_get(ctx, &r, "matrix", SAETM__F32, &data, &rows, NULL) == SAETM_ERR_FORMAT);
    CHECK(saetm__cr_get(ctx, &r, "matrix", SAETM__U32, &data, NULL, NULL) == SAETM_ERR_FORMAT);
    CHECK(saetm__cr_get(ctx, &r, "nothere", SAETM__U8, &data, NULL, NULL) == SAETM_ERR_FORMAT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "nothere");
    CHECK(saetm__cr_has(&r, "text"));
    saetm__cr_close(&r);
    saetm_ctx_free(ctx);
}

/* Flip one byte at `offset` of a copy of the sample file and expect `want`. */
static void corrupt_and_expect(long offset, saetm_status want, const char *fragment)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *p = tmp_path("bad.bin");
    write_sample(ctx, p);
    FILE *f = fopen(p, "r+b");
    CHECK(f != NULL);
    if (!f) return;
    fseek(f, offset < 0 ? 0 : offset, offset < 0 ? SEEK_END : SEEK_SET);
    if (offset < 0) fseek(f, offset, SEEK_END);
    int c = fgetc(f);
    fseek(f, -1, SEEK_CUR);
    fputc(c ^ 0x5a, f);
    fclose(f);
    saetm__creader r;
    saetm_status st = saetm__cr_open(ctx, p, "SAETMTST", 2, &r);
    CHECK_EQ_INT(st, want);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), fragment);
    saetm_ctx_free(ctx);
}

static void test_corruption(void)
{
    corrupt_and_expect(0, SAETM_ERR_FORMAT, "magic");
    corrupt_and_expect(9, SAETM_ERR_CHECKSUM, "header checksum");
    corrupt_and_expect(64, SAETM_ERR_CHECKSUM, "section 'matrix'");
    corrupt_and_expect(-3, SAETM_ERR_CHECKSUM, "table checksum");
}

static void test_truncated_and_versions(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *p = tmp_path("t.bin");
    write_sample(ctx, p);
    saetm__creader r;
    CHECK(saetm__cr_open(ctx, p, "SAETMTST", 1, &r) == SAETM_ERR_VERSION);
    CHECK(saetm__cr_open(ctx, p, "SAETMXXX", 2, &r) == SAETM_ERR_FORMAT);
    CHECK(truncate(p, 100) == 0);
    CHECK(saetm__cr_open(ctx, p, "SAETMTST", 2, &r) == SAETM_ERR_FORMAT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "truncated");
    CHECK(truncate(p, 10) == 0);
    CHECK(saetm__cr_open(ctx, p, "SAETMTST", 2, &r) == SAETM_ERR_FORMAT);
    CHECK(saetm__cr_open(ctx, tmp_path("none.bin"), "SAETMTST", 2, &r) == SAETM_ERR_IO);
    saetm_ctx_free(ctx);
}

static void test_abort_leaves_nothing(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    const char *p = tmp_path("aborted.bin");
    saetm__cwriter *w;
    CHECK(saetm__cw_open(ctx, p, "SAETMTST", 1, &w) == SAETM_OK);
    CHECK(saetm__cw_section(ctx, w, "x", SAETM__U8, "x", 1, 1) == SAETM_OK);
    saetm__cw_abort(w);
    CHECK(access(p, F_OK) != 0);
    CHECK(saetm__cw_open(ctx, "/nonexistent-dir/x.bin", "SAETMTST", 1, &w) == SAETM_ERR_IO);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "/nonexistent-dir/x.bin");
    saetm_ctx_free(ctx);
}

static void test_rng_determinism(void)
{
    saetm__rng a, b, c;
    saetm__rng_init(&a, 42, 1, 0);
    saetm__rng_init(&b, 42, 1, 0);
    saetm__rng_init(&c, 42, 1, 1);
    int same = 1, differ = 0;
    double sum = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t x = saetm__rng_u64(&a), y = saetm__rng_u64(&b), z = saetm__rng_u64(&c);
        same &= x == y;
        differ += x != z;
        sum += saetm__rng_uniform(&a);
        (void)saetm__rng_uniform(&b);
    }
    CHECK(same);
    CHECK(differ > 9990);
    CHECK_NEAR(sum / 10000, 0.5, 0.02);
    for (int i = 0; i < 1000; i++) CHECK(saetm__rng_below(&a, 7) < 7);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_corruption);
    RUN(test_truncated_and_versions);
    RUN(test_abort_leaves_nothing);
    RUN(test_rng_determinism);
    return TEST_REPORT();
}
