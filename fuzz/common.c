/*
 * common.c - helpers for the fuzz harnesses (see fuzz.h).
 */
#include "fuzz.h"
#include "saetm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_SLOTS 4

static int fds[FUZZ_SLOTS] = {-1, -1, -1, -1};
static char paths[FUZZ_SLOTS][64];
static saetm_ctx *shared_ctx;

const char *fuzz_file(int slot, const void *data, size_t size)
{
    if (slot < 0 || slot >= FUZZ_SLOTS) abort();
    if (fds[slot] < 0) {
        fds[slot] = memfd_create("saetm-fuzz", 0);
        if (fds[slot] < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fds[slot]);
    }
    if (ftruncate(fds[slot], 0) != 0) abort();
    const uint8_t *p = data;
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(fds[slot], p + done, size - done, (off_t)done);
        if (w <= 0) abort();
        done += (size_t)w;
    }
    return paths[slot];
}

saetm_ctx *fuzz_ctx(void)
{
    if (!shared_ctx) {
        shared_ctx = saetm_ctx_create();
        if (!shared_ctx) abort();
        saetm_ctx_set_threads(shared_ctx, 1);
    }
    return shared_ctx;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

uint8_t *fuzz_fix_container(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    if (!b) abort();
    if (size) memcpy(b, data, size);
    if (size < 64 || memcmp(b, "SAETM", 5) != 0 || b[40] != 0) return b;
    uint64_t fsize = size;
    memcpy(b + 24, &fsize, 8);
    uint32_t n = get32(b + 12);
    uint64_t toff = get64(b + 16);
    if (n <= 4096 && toff >= 64 && toff <= size && (size - toff) / 64 >= n) {
        for (uint32_t i = 0; i < n; i++) {
            uint8_t *e = b + toff + (size_t)i * 64;
            uint64_t off = get64(e + 24), nb = get64(e + 32);
            if (off <= size && nb <= size - off) {
                uint32_t crc = saetm__crc32(0, b + off, (size_t)nb);
                memcpy(e + 20, &crc, 4);
            }
        }
        uint32_t tcrc = saetm__crc32(0, b + toff, (size_t)n * 64);
        memcpy(b + 32, &tcrc, 4);
    }
    uint32_t hcrc = saetm__crc32(0, b, 36);
    memcpy(b + 36, &hcrc, 4);
    return b;
}

uint64_t fuzz_touch(const void *p, size_t n)
{
    const volatile uint8_t *b = p;
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++) h = h * 31 + b[i];
    return h;
}
