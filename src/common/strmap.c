/*
 * strmap.c - string interning: a hash table mapping byte strings to dense ids 0, 1, 2, ...
 * in insertion order. Keys live NUL-terminated in one growing arena; callers keep per-id values
 * in their own arrays indexed by the id. Open addressing with linear probing, power-of-two size,
 * load factor <= 1/2.
 */
#include "saetm_int.h"

#include <stdlib.h>
#include <string.h>

uint64_t saetm__hash_bytes(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = saetm__mix64(h ^ w);
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)p[i] << (8 * i);
    return saetm__mix64(h ^ w ^ 0xff51afd7ed558ccdULL);
}

static int grow_slots(saetm__strmap *m)
{
    uint32_t cap = m->slot_cap ? m->slot_cap * 2 : 1024;
    if (cap < m->slot_cap) return -1;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (uint32_t id = 0; id < m->count; id++) {
        uint32_t s = (uint32_t)m->hash[id] & (cap - 1);
        while (slots[s]) s = (s + 1) & (cap - 1);
        slots[s] = id + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->slot_cap = cap;
    return 0;
}

void saetm__strmap_init(saetm__strmap *m) { memset(m, 0, sizeof *m); }

void saetm__strmap_free(saetm__strmap *m)
{
    if (!m) return;
    free(m->slots);
    free(m->hash);
    free(m->key_off);
    free(m->arena);
    memset(m, 0, sizeof *m);
}

static uint32_t lookup(const saetm__strmap *m, const char *s, size_t len, uint64_t h, uint32_t *slot)
{
    uint32_t mask = m->slot_cap - 1, i = (uint32_t)h & mask;
    for (;;) {
        uint32_t e = m->slots[i];
        if (!e) break;
        uint32_t id = e - 1;
        if (m->hash[id] == h) {
            uint64_t off = m->key_off[id];
            size_t klen = (size_t)(m->key_off[id + 1] - off - 1);
            if (klen == len && memcmp(m->arena + off, s, len) == 0) {
                *slot = i;
                return id;
            }
        }
        i = (i + 1) & mask;
    }
    *slot = i;
    return UINT32_MAX;
}

uint32_t saetm__strmap_find(const saetm__strmap *m, const char *s, size_t len)
{
    if (m->count == 0) return UINT32_MAX;
    uint32_t slot;
    return lookup(m, s, len, saetm__hash_bytes(s, len), &slot);
}

int saetm__strmap_insert(saetm__strmap *m, const char *s, size_t len, uint32_t *id)
{
    if (m->count >= UINT32_MAX / 4) return -1;
    if ((uint64_t)(m->count + 1) * 2 > m->slot_cap && grow_slots(m)) return -1;
    uint64_t h = saetm__hash_bytes(s, len);
    uint32_t slot;
    uint32_t found = lookup(m, s, len, h, &slot);
    if (found != UINT32_MAX) {
        *id = found;
        return 0;
    }
    if (m->count + 1 >= m->id_cap) {
        uint32_t cap = m->id_cap ? m->id_cap * 2 : 1024;
        uint64_t *hash = realloc(m->hash, cap * sizeof *hash);
        if (!hash) return -1;
        m->hash = hash;
        uint64_t *off = realloc(m->key_off, ((size_t)cap + 1) * sizeof *off);
        if (!off) return -1;
        m->key_off = off;
        m->id_cap = cap;
    }
    if (m->count == 0) m->key_off[0] = 0;
    uint64_t used = m->key_off[m->count];
    if (used + len + 1 > m->arena_cap) {
        size_t cap = m->arena_cap ? m->arena_cap : 4096;
        while (cap < used + len + 1) cap *= 2;
        char *a = realloc(m->arena, cap);
        if (!a) return -1;
        m->arena = a;
        m->arena_cap = cap;
    }
    memcpy(m->arena + used, s, len);
    m->arena[used + len] = 0;
    uint32_t nid = m->count++;
    m->hash[nid] = h;
    m->key_off[nid + 1] = used + len + 1;
    m->slots[slot] = nid + 1;
    *id = nid;
    return 1;
}

const char *saetm__strmap_key(const saetm__strmap *m, uint32_t id, size_t *len)
{
    uint64_t off = m->key_off[id];
    if (len) *len = (size_t)(m->key_off[id + 1] - off - 1);
    return m->arena + off;
}
