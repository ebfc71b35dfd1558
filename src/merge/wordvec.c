/*
 * wordvec.c - word vectors from a file aligned to an interpretation's vocabulary
 * (saetm_word_vectors_align), for the words space of embed_cluster.c.
 */
#include "merge_int.h"

#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Word vectors
 * ==================================================================== */

saetm_status saetm_word_vectors_align(saetm_ctx *ctx, const saetm_matrix *W, const char *word_list,
                                      const saetm_interp *it, saetm_matrix *out, uint32_t *found)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    saetm__mapped m;
    saetm_status st = saetm__map_file(ctx, word_list, &m);
    if (st) return st;
    saetm__strmap map;
    saetm__strmap_init(&map);
    uint64_t line = 0;
    uint32_t *row_of = NULL;
    size_t cap = 0;
    for (size_t i = 0; !st && i < m.size;) {
        size_t e = i;
        while (e < m.size && m.data[e] != '\n') e++;
        size_t l = e - i;
        if (l && m.data[i + l - 1] == '\r') l--;
        uint32_t id;
        int r = saetm__strmap_insert(&map, (const char *)m.data + i, l, &id);
        if (r < 0) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", word_list);
        if (r > 0) { /* first occurrence of the word wins */
            if (id >= cap) {
                size_t nc = cap ? cap * 2 : 1024;
                uint32_t *nr = realloc(row_of, nc * sizeof *nr);
                if (!nr) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", word_list);
                else row_of = nr, cap = nc;
            }
            if (!st) row_of[id] = (uint32_t)line;
        }
        line++;
        i = e + 1;
    }
    saetm__unmap(&m);
    if (!st && line != W->rows)
        st = saetm__fail(ctx, SAETM_ERR_SHAPE, "%s has %llu words but the word vectors have %llu rows", word_list,
                         (unsigned long long)line, (unsigned long long)W->rows);
    uint32_t V = saetm_interp_vocab_size(it);
    if (!st) st = saetm__matrix_alloc(ctx, V, W->cols, out);
    for (uint32_t v = 0; !st && v < V; v++) {
        const char *w = saetm_interp_word(it, v);
        uint32_t id = saetm__strmap_find(&map, w, strlen(w));
        if (id == UINT32_MAX) continue;
        memcpy(out->data + (size_t)v * W->cols, W->data + (size_t)row_of[id] * W->cols, (size_t)W->cols * sizeof(float));
        (*found)++;
    }
    free(row_of);
    saetm__strmap_free(&map);
    if (st) saetm_matrix_free(out);
    return st;
}
