/*
 * strmap.c - a string -> dense id map (open addressing, FNV-1a). Keys are not copied: they must
 * outlive the map. Ids are given in insertion order, 0, 1, 2...
 */
#include "saetm_int.h"

#include <stdlib.h>
#include <string.h>

struct saetm__strmap {
    uint64_t cap;          /* power of two */
    uint32_t *slots;       /* id + 1, 0 = empty */
    const char **keys;     /* by id */
    size_t *lens;
    uint32_t n, max;       /* entries, room in keys/lens */
};

uint64_t saetm__hash_bytes(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return saetm__mix64(h);
}

saetm__strmap *saetm__strmap_create(uint32_t expected)
{
    saetm__strmap *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cap = 16;
    while (m->cap < 2 * (uint64_t)expected + 2) m->cap *= 2;
    m->max = expected > 8 ? expected : 8;
    m->slots = calloc((size_t)m->cap, sizeof *m->slots);
    m->keys = malloc((size_t)m->max * sizeof *m->keys);
    m->lens = malloc((size_t)m->max * sizeof *m->lens);
    if (!m->slots || !m->keys || !m->lens) {
        saetm__strmap_free(m);
        return NULL;
    }
    return m;
}

void saetm__strmap_free(saetm__strmap *m)
{
    if (!m) return;
    free(m->slots);
    free(m->keys);
    free(m->lens);
    free(m);
}

uint32_t saetm__strmap_size(const saetm__strmap *m) { return m->n; }

const char *saetm__strmap_key(const saetm__strmap *m, uint32_t id) { return m->keys[id]; }

/* Slot of key, or of the empty slot where it would go. */
static uint64_t find_slot(const saetm__strmap *m, const char *key, size_t len)
{
    uint64_t mask = m->cap - 1, i = saetm__hash_bytes(key, len) & mask;
    for (;;) {
        uint32_t s = m->slots[i];
        if (s == 0) return i;
        if (m->lens[s - 1] == len && memcmp(m->keys[s - 1], key, len) == 0) return i;
        i = (i + 1) & mask;
    }
}

int64_t saetm__strmap_get(const saetm__strmap *m, const char *key, size_t len)
{
    uint32_t s = m->slots[find_slot(m, key, len)];
    return s ? (int64_t)(s - 1) : -1;
}

static int grow(saetm__strmap *m)
{
    uint64_t ncap = m->cap * 2;
    uint32_t *ns = calloc((size_t)ncap, sizeof *ns);
    if (!ns) return -1;
    for (uint32_t id = 0; id < m->n; id++) {
        uint64_t i = saetm__hash_bytes(m->keys[id], m->lens[id]) & (ncap - 1);
        while (ns[i]) i = (i + 1) & (ncap - 1);
        ns[i] = id + 1;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int64_t saetm__strmap_put(saetm__strmap *m, const char *key, size_t len, int *added)
{
    if (added) *added = 0;
    uint64_t i = find_slot(m, key, len);
    if (m->slots[i]) return (int64_t)(m->slots[i] - 1);
    if (m->n == UINT32_MAX - 1) return -1;
    if (2 * ((uint64_t)m->n + 1) > m->cap) {
        if (grow(m) != 0) return -1;
        i = find_slot(m, key, len);
    }
    if (m->n == m->max) {
        uint32_t nmax = m->max > UINT32_MAX / 2 ? UINT32_MAX - 1 : m->max * 2;
        const char **nk = realloc(m->keys, (size_t)nmax * sizeof *nk);
        if (!nk) return -1;
        m->keys = nk;
        size_t *nl = realloc(m->lens, (size_t)nmax * sizeof *nl);
        if (!nl) return -1;
        m->lens = nl;
        m->max = nmax;
    }
    m->keys[m->n] = key;
    m->lens[m->n] = len;
    m->slots[i] = m->n + 1;
    m->n++;
    if (added) *added = 1;
    return (int64_t)(m->n - 1);
}
