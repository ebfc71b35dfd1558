/*
 * inspect.c - describe and verify any saetm file (saetm inspect / verify): the container's
 * sections, then whatever the file's kind adds (saetm__file_kind_find; io knows no stage's format).
 */
#include "saetm_int.h"

#include <string.h>

static const char *dtype_name(uint32_t t)
{
    switch (t) {
    case SAETM__U8: return "u8";
    case SAETM__U32: return "u32";
    case SAETM__U64: return "u64";
    case SAETM__F32: return "f32";
    case SAETM__I32: return "i32";
    case SAETM__F64: return "f64";
    case SAETM__I64: return "i64";
    case SAETM__F16: return "f16";
    }
    return "?";
}

saetm_status saetm_file_inspect(saetm_ctx *ctx, const char *path, char *buf, size_t cap)
{
    if (!buf || cap == 0) return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_file_inspect: no output buffer");
    buf[0] = 0;
    size_t len = strlen(path);
    if (len >= 4 && strcmp(path + len - 4, ".npy") == 0) {
        saetm_matrix m;
        saetm_status st = saetm_npy_load(ctx, path, &m);
        if (st) return st;
        snprintf(buf, cap, "%s: NumPy array, %llu x %llu, read as float32\n", path, (unsigned long long)m.rows,
                 (unsigned long long)m.cols);
        saetm_matrix_free(&m);
        return SAETM_OK;
    }
    saetm__creader r;
    saetm_status st = saetm__cr_open(ctx, path, NULL, UINT32_MAX, &r);
    if (st) return st;
    char magic[9] = {0};
    memcpy(magic, r.map.data, 8);
    size_t used = 0;
    int n = snprintf(buf, cap, "%s: %s file, format version %u, %zu bytes, %u sections, all checksums OK\n", path,
                     magic, r.version, r.map.size, r.n_sections);
    used = n > 0 ? (size_t)n : 0;
    for (uint32_t i = 0; i < r.n_sections && used < cap; i++) {
        const saetm__csection *s = &r.table[i];
        n = snprintf(buf + used, cap - used, "  %-16s %-4s %llu x %llu\n", s->name, dtype_name(s->dtype),
                     (unsigned long long)s->rows, (unsigned long long)s->cols);
        if (n < 0) break;
        used += (size_t)n;
    }
    saetm__cr_close(&r);
    const saetm__file_kind *k = saetm__file_kind_find((const uint8_t *)magic);
    if (k && k->describe) return k->describe(ctx, path, buf, cap);
    return SAETM_OK;
}
