/*
 * alloc.c - aligned, overflow-checked allocation.
 */
#include "saetm_int.h"

#include <stdlib.h>
#include <string.h>

int saetm__mul_size(size_t n, size_t size, size_t *out)
{
    if (size && n > SIZE_MAX / size) return -1;
    *out = n * size;
    return 0;
}

void *saetm__calloc_aligned(size_t n, size_t size)
{
    size_t bytes;
    if (saetm__mul_size(n, size, &bytes)) return NULL;
    /* aligned_alloc wants a multiple of the alignment; never ask for 0 bytes. */
    size_t rounded = (bytes + SAETM__ALIGN - 1) / SAETM__ALIGN * SAETM__ALIGN;
    if (rounded < bytes) return NULL;
    if (rounded == 0) rounded = SAETM__ALIGN;
    void *p = aligned_alloc(SAETM__ALIGN, rounded);
    if (p) memset(p, 0, rounded);
    return p;
}

void saetm__free_aligned(void *p) { free(p); }

char *saetm__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
