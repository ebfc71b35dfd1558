/*
 * npy.c - NumPy .npy arrays: load float32/float64 (versions 1.0, 2.0, 3.0), save float32.
 *
 * float32 little-endian C-order files are memory-mapped and used in place; float64 files are
 * converted to an owned float32 copy.
 */
#include "saetm_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Owner record for a matrix: either a mapping or an aligned buffer. */
typedef struct matrix_owner {
    saetm__mapped map;
    float *buffer;
} matrix_owner;

/* Find the value text of `key` in the header dict; returns pointer after the colon or NULL. */
static const char *dict_value(const char *h, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p) {
        snprintf(pat, sizeof pat, "\"%s\"", key);
        p = strstr(h, pat);
    }
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

/* Parse "(a, b)" / "(a,)" / "()" into up to 2 dims; @return number of dims or -1. */
static int parse_shape(const char *p, uint64_t dims[2])
{
    if (*p != '(') return -1;
    p++;
    int n = 0;
    for (;;) {
        while (*p == ' ') p++;
        if (*p == ')') return n;
        if (!isdigit((unsigned char)*p) || n == 2) return -1;
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        dims[n++] = v;
        p = end;
        while (*p == ' ') p++;
        if (*p == ',') p++;
        else if (*p != ')') return -1;
    }
}

saetm_status saetm_npy_load(saetm_ctx *ctx, const char *path, saetm_matrix *out)
{
    memset(out, 0, sizeof *out);
    matrix_owner *own = calloc(1, sizeof *own);
    if (!own) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    saetm_status st = saetm__map_file(ctx, path, &own->map);
    if (st) {
        free(own);
        return st;
    }
    const uint8_t *d = own->map.data;
    size_t size = own->map.size;
    const char *why = NULL;
    size_t hlen = 0, hstart = 0;
    if (size < 10 || memcmp(d, "\x93NUMPY", 6) != 0) why = "not a NumPy .npy file (bad magic)";
    else if (d[6] == 1) {
        hlen = (size_t)d[8] | (size_t)d[9] << 8;
        hstart = 10;
    } else if (d[6] == 2 || d[6] == 3) {
        if (size < 12) why = "truncated header";
        else {
            hlen = (size_t)d[8] | (size_t)d[9] << 8 | (size_t)d[10] << 16 | (size_t)d[11] << 24;
            hstart = 12;
        }
    } else why = "unsupported .npy format version (expected 1.0, 2.0 or 3.0)";
    if (!why && hstart + hlen > size) why = "truncated header";
    char *h = NULL;
    if (!why) {
        h = malloc(hlen + 1);
        if (!h) why = "out of memory";
        else {
            memcpy(h, d + hstart, hlen);
            h[hlen] = 0;
        }
    }
    int is_f64 = 0;
    uint64_t dims[2] = {0, 1};
    if (!why) {
        const char *descr = dict_value(h, "descr");
        const char *fo = dict_value(h, "fortran_order");
        const char *shape = dict_value(h, "shape");
        if (!descr || !fo || !shape) why = "header lacks descr, fortran_order or shape";
        else if (strncmp(descr, "'<f4'", 5) == 0) is_f64 = 0;
        else if (strncmp(descr, "'<f8'", 5) == 0) is_f64 = 1;
        else why = "unsupported dtype (expected little-endian float32 '<f4' or float64 '<f8')";
        if (!why && strncmp(fo, "False", 5) != 0) why = "Fortran-order array (save it in C order)";
        int nd = why ? 0 : parse_shape(shape, dims);
        if (!why && (nd < 1 || nd > 2)) why = "array must have 1 or 2 dimensions";
        if (!why && nd == 1) dims[1] = 1;
    }
    free(h);
    size_t es = is_f64 ? 8 : 4, data_off = hstart + hlen;
    if (!why) {
        if (dims[1] == 0 || dims[0] > (uint64_t)SIZE_MAX / dims[1] / es) why = "impossible shape";
        else if (size - data_off != dims[0] * dims[1] * es) why = "data size does not match the shape (truncated?)";
    }
    if (why) {
        saetm__unmap(&own->map);
        free(own);
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: %s", path, why);
    }
    out->rows = dims[0];
    out->cols = dims[1];
    size_t n = (size_t)(dims[0] * dims[1]);
    if (!is_f64 && data_off % sizeof(float) == 0) {
        out->data = (float *)(uintptr_t)(d + data_off);
    } else {
        own->buffer = saetm__calloc_aligned(n ? n : 1, sizeof(float));
        if (!own->buffer) {
            saetm__unmap(&own->map);
            free(own);
            return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory converting to float32", path);
        }
        for (size_t i = 0; i < n; i++) {
            if (is_f64) {
                double v;
                memcpy(&v, d + data_off + i * 8, 8);
                own->buffer[i] = (float)v;
            } else {
                memcpy(&own->buffer[i], d + data_off + i * 4, 4);
            }
        }
        saetm__unmap(&own->map);
        out->data = own->buffer;
    }
    out->owner_ = own;
    return SAETM_OK;
}

saetm_status saetm_npy_save(saetm_ctx *ctx, const char *path, const float *data, uint64_t rows, uint64_t cols)
{
    char dict[128];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%llu, %llu), }",
                     (unsigned long long)rows, (unsigned long long)cols);
    /* Pad so magic + length + dict + newline is a multiple of 64 (data stays aligned). */
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    uint8_t header[256];
    memcpy(header, "\x93NUMPY\x01\x00", 8);
    size_t hlen = padded - 10;
    header[8] = (uint8_t)(hlen & 0xff);
    header[9] = (uint8_t)(hlen >> 8);
    memcpy(header + 10, dict, (size_t)n);
    memset(header + 10 + n, ' ', padded - total);
    header[padded - 1] = '\n';
    saetm__outfile f;
    saetm_status st = saetm__outfile_open(ctx, path, &f);
    if (st) return st;
    st = saetm__outfile_write(ctx, &f, header, padded);
    if (!st) st = saetm__outfile_write(ctx, &f, data, (size_t)(rows * cols) * sizeof(float));
    if (st) {
        saetm__outfile_abort(&f);
        return st;
    }
    return saetm__outfile_commit(ctx, &f);
}

saetm_status saetm_matrix_check_finite(saetm_ctx *ctx, const saetm_matrix *m, const char *what)
{
    for (uint64_t i = 0; i < m->rows; i++) {
        const float *row = m->data + i * m->cols;
        for (uint64_t j = 0; j < m->cols; j++)
            if (!isfinite(row[j]))
                return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: row %llu, column %llu is %s (expected a finite number)",
                                   what, (unsigned long long)i, (unsigned long long)j,
                                   isnan(row[j]) ? "NaN" : "infinite");
    }
    return SAETM_OK;
}

void saetm_matrix_free(saetm_matrix *m)
{
    if (!m) return;
    matrix_owner *own = m->owner_;
    if (own) {
        saetm__unmap(&own->map);
        saetm__free_aligned(own->buffer);
        free(own);
    }
    memset(m, 0, sizeof *m);
}

saetm_status saetm__matrix_alloc(saetm_ctx *ctx, uint64_t rows, uint64_t cols, saetm_matrix *out)
{
    memset(out, 0, sizeof *out);
    size_t n;
    matrix_owner *own = calloc(1, sizeof *own);
    if (own && !saetm__mul_size((size_t)rows, (size_t)cols, &n)) own->buffer = saetm__calloc_aligned(n ? n : 1, sizeof(float));
    if (!own || !own->buffer) {
        free(own);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory for a %llu x %llu matrix", (unsigned long long)rows,
                           (unsigned long long)cols);
    }
    out->rows = rows;
    out->cols = cols;
    out->data = own->buffer;
    out->owner_ = own;
    return SAETM_OK;
}
