/*
 * test_mem.c - memory limits: saetm_mem_available, the cap set on a context, and the
 * estimated-peak check that stages run before allocating.
 */
#include "saetm_int.h"
#include "test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* The cap counts allocated (anonymous) memory: reading a memory-mapped 64 MiB file, whose pages
 * the kernel can drop, leaves the room under the cap as it was. */
static void test_cap_ignores_mapped_files(void)
{
    const size_t n = 64u << 20;
    char path[512];
    snprintf(path, sizeof path, "%s/mapped.bin", getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    char *buf = calloc(1, 1 << 20);
    for (size_t i = 0; i < n >> 20; i++) {
        buf[i] = 1;
        CHECK(fwrite(buf, 1, 1 << 20, f) == 1 << 20);
    }
    free(buf);
    fclose(f);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    const volatile unsigned char *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(m != MAP_FAILED);
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_ctx_set_mem_limit(ctx, 8ull << 30);
    uint64_t before = saetm_mem_available(ctx);
    unsigned sum = 0;
    for (size_t i = 0; i < n; i += 4096) sum += m[i];
    uint64_t after = saetm_mem_available(ctx);
    CHECK(sum < n); /* the pages were read */
    /* With VmRSS the room would shrink by the 64 MiB just mapped in. */
    CHECK(after + (16u << 20) >= before);
    if (after + (16u << 20) < before)
        fprintf(stderr, "  room under the cap: %llu MiB before, %llu MiB after\n", (unsigned long long)(before >> 20),
                (unsigned long long)(after >> 20));
    munmap((void *)m, n);
    close(fd);
    remove(path);
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_available);
    RUN(test_cap_ignores_mapped_files);
    RUN(test_check);
    return TEST_REPORT();
}
