/*
 * container.c - the section container behind every saetm binary file (.stc, .saem, .sac, .sti).
 *
 * Layout (little endian, see docs/FORMAT.md):
 *   [64-byte header][section 0][pad to 64][section 1][pad]...[section table]
 * The header holds magic, version, section count, table offset, file size and CRCs of itself and
 * of the table; each table entry holds a section's name, dtype, shape, offset, size and CRC-32.
 * Sections start on 64-byte boundaries so mapped float arrays are usable in place.
 */
#include "saetm_int.h"
#include "dist/dist.h"

#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "saetm files are little endian; big-endian hosts are not supported"
#endif

#define HEADER_SIZE 64
#define MAX_SECTIONS 4096

typedef struct file_header {
    char magic[8];
    uint32_t version;
    uint32_t n_sections;
    uint64_t table_offset;
    uint64_t file_size;
    uint32_t table_crc;
    uint32_t header_crc; /* CRC-32 of the 36 bytes before it */
    uint8_t reserved[24];
} file_header;

_Static_assert(sizeof(file_header) == HEADER_SIZE, "header layout");
_Static_assert(sizeof(saetm__csection) == 64, "section entry layout");

struct saetm__cwriter {
    saetm__outfile out;
    char magic[8];
    uint32_t version;
    saetm__csection *table;
    uint32_t n_sections, cap;
    int open_section; /* a streamed section is in progress */
};

size_t saetm__dtype_size(saetm__dtype t)
{
    switch (t) {
    case SAETM__U8: return 1;
    case SAETM__F16: return 2;
    case SAETM__U32: case SAETM__F32: case SAETM__I32: return 4;
    case SAETM__U64: case SAETM__F64: case SAETM__I64: return 8;
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------------------------ */

static saetm_status pad_to_alignment(saetm_ctx *ctx, saetm__cwriter *w)
{
    static const uint8_t zeros[SAETM__ALIGN];
    size_t pad = (size_t)((SAETM__ALIGN - w->out.written % SAETM__ALIGN) % SAETM__ALIGN);
    return saetm__outfile_write(ctx, &w->out, zeros, pad);
}

saetm_status saetm__cw_open(saetm_ctx *ctx, const char *path, const char magic[8], uint32_t version,
                            saetm__cwriter **out)
{
    *out = NULL;
    saetm__cwriter *w = calloc(1, sizeof *w);
    if (!w) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    memcpy(w->magic, magic, 8);
    w->version = version;
    saetm_status st = saetm__outfile_open(ctx, path, &w->out);
    if (st) {
        free(w);
        return st;
    }
    uint8_t zeros[HEADER_SIZE] = {0};
    st = saetm__outfile_write(ctx, &w->out, zeros, sizeof zeros);
    if (st) {
        saetm__cw_abort(w);
        return st;
    }
    *out = w;
    return SAETM_OK;
}

saetm_status saetm__cw_begin(saetm_ctx *ctx, saetm__cwriter *w, const char *name, saetm__dtype dtype,
                             uint64_t cols)
{
    if (w->open_section || strlen(name) >= SAETM__SECTION_NAME_MAX || saetm__dtype_size(dtype) == 0 ||
        cols == 0)
        return saetm__fail(ctx, SAETM_ERR_INTERNAL, "%s: bad section '%s'", w->out.path, name);
    if (w->n_sections == MAX_SECTIONS)
        return saetm__fail(ctx, SAETM_ERR_INTERNAL, "%s: too many sections", w->out.path);
    if (w->n_sections == w->cap) {
        uint32_t cap = w->cap ? 2 * w->cap : 16;
        saetm__csection *t = realloc(w->table, cap * sizeof *t);
        if (!t) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", w->out.path);
        w->table = t;
        w->cap = cap;
    }
    saetm_status st = pad_to_alignment(ctx, w);
    if (st) return st;
    saetm__csection *s = &w->table[w->n_sections];
    memset(s, 0, sizeof *s);
    memcpy(s->name, name, strlen(name));
    s->dtype = (uint32_t)dtype;
    s->offset = w->out.written;
    s->cols = cols;
    w->open_section = 1;
    return SAETM_OK;
}

saetm_status saetm__cw_append(saetm_ctx *ctx, saetm__cwriter *w, const void *data, uint64_t nbytes)
{
    saetm__csection *s = &w->table[w->n_sections];
    if (!w->open_section) return saetm__fail(ctx, SAETM_ERR_INTERNAL, "%s: no open section", w->out.path);
    saetm_status st = saetm__outfile_write(ctx, &w->out, data, (size_t)nbytes);
    if (st) return st;
    s->crc32 = saetm__crc32(s->crc32, data, (size_t)nbytes);
    s->nbytes += nbytes;
    return SAETM_OK;
}

saetm_status saetm__cw_end(saetm_ctx *ctx, saetm__cwriter *w)
{
    saetm__csection *s = &w->table[w->n_sections];
    uint64_t row_bytes = s->cols * saetm__dtype_size((saetm__dtype)s->dtype);
    if (!w->open_section || s->nbytes % row_bytes != 0)
        return saetm__fail(ctx, SAETM_ERR_INTERNAL, "%s: section '%s' is not whole rows", w->out.path, s->name);
    s->rows = s->nbytes / row_bytes;
    w->open_section = 0;
    w->n_sections++;
    return SAETM_OK;
}

saetm_status saetm__cw_section(saetm_ctx *ctx, saetm__cwriter *w, const char *name, saetm__dtype dtype,
                               const void *data, uint64_t rows, uint64_t cols)
{
    saetm_status st = saetm__cw_begin(ctx, w, name, dtype, cols ? cols : 1);
    if (st) return st;
    st = saetm__cw_append(ctx, w, data, rows * (cols ? cols : 1) * saetm__dtype_size(dtype));
    if (st) return st;
    return saetm__cw_end(ctx, w);
}

saetm_status saetm__cw_commit(saetm_ctx *ctx, saetm__cwriter *w)
{
    saetm_status st = SAETM_OK;
    if (w->open_section) st = saetm__fail(ctx, SAETM_ERR_INTERNAL, "%s: section left open", w->out.path);
    if (!st) st = pad_to_alignment(ctx, w);
    file_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, w->magic, 8);
    h.version = w->version;
    h.n_sections = w->n_sections;
    h.table_offset = w->out.written;
    size_t table_bytes = (size_t)w->n_sections * sizeof(saetm__csection);
    if (!st && table_bytes) st = saetm__outfile_write(ctx, &w->out, w->table, table_bytes);
    h.file_size = w->out.written;
    h.table_crc = saetm__crc32(0, w->table, table_bytes);
    h.header_crc = saetm__crc32(0, &h, offsetof(file_header, header_crc));
    if (!st && (fseek(w->out.fp, 0, SEEK_SET) != 0 || fwrite(&h, sizeof h, 1, w->out.fp) != 1))
        st = saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot write header", w->out.path);
    if (!st) st = saetm__outfile_commit(ctx, &w->out);
    else saetm__outfile_abort(&w->out);
    free(w->table);
    free(w);
    return st;
}

void saetm__cw_abort(saetm__cwriter *w)
{
    if (!w) return;
    saetm__outfile_abort(&w->out);
    free(w->table);
    free(w);
}

/* ---- reading ------------------------------------------------------------------------------ */

static saetm_status bad(saetm_ctx *ctx, saetm__creader *r, const char *path, saetm_status st, const char *what)
{
    saetm__fail(ctx, st, "%s: %s", path, what);
    saetm__cr_close(r);
    return st;
}

/* Open and check header, table and bounds; with verify, every section's checksum too. */
static saetm_status cr_open(saetm_ctx *ctx, const char *path, const char magic[8], uint32_t max_version,
                            saetm__creader *r, int verify)
{
    memset(r, 0, sizeof *r);
    saetm_status st = saetm__map_file(ctx, path, &r->map);
    if (st) return st;
    r->path = saetm__strdup(path);
    if (!r->path) return bad(ctx, r, path, SAETM_ERR_NOMEM, "out of memory");
    if (r->map.size < HEADER_SIZE) return bad(ctx, r, path, SAETM_ERR_FORMAT, "file too short for a saetm header (truncated?)");
    file_header h;
    memcpy(&h, r->map.data, sizeof h);
    if (magic ? memcmp(h.magic, magic, 8) != 0 : memcmp(h.magic, SAETM__MAGIC_PREFIX, 5) != 0) {
        char want[9] = {0}, got[9] = {0};
        memcpy(want, magic ? magic : SAETM__MAGIC_PREFIX "...", 8);
        for (int i = 0; i < 8; i++) got[i] = (h.magic[i] >= 32 && h.magic[i] < 127) ? h.magic[i] : '?';
        saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: not a %s file (magic '%s')", path, want, got);
        saetm__cr_close(r);
        return SAETM_ERR_FORMAT;
    }
    if (saetm__crc32(0, &h, offsetof(file_header, header_crc)) != h.header_crc)
        return bad(ctx, r, path, SAETM_ERR_CHECKSUM, "header checksum mismatch (file corrupted)");
    if (h.version == 0 || h.version > max_version) {
        saetm__fail(ctx, SAETM_ERR_VERSION, "%s: format version %u, this build reads up to %u", path, h.version,
                    max_version);
        saetm__cr_close(r);
        return SAETM_ERR_VERSION;
    }
    if (h.file_size != r->map.size)
        return bad(ctx, r, path, SAETM_ERR_FORMAT, "file size differs from the size in its header (truncated?)");
    if (h.n_sections > MAX_SECTIONS || h.table_offset < HEADER_SIZE || h.table_offset > r->map.size ||
        (r->map.size - h.table_offset) / sizeof(saetm__csection) < h.n_sections ||
        h.table_offset % SAETM__ALIGN != 0)
        return bad(ctx, r, path, SAETM_ERR_FORMAT, "section table out of bounds");
    const saetm__csection *t = (const saetm__csection *)(r->map.data + h.table_offset);
    if (saetm__crc32(0, t, h.n_sections * sizeof *t) != h.table_crc)
        return bad(ctx, r, path, SAETM_ERR_CHECKSUM, "section table checksum mismatch (file corrupted)");
    for (uint32_t i = 0; i < h.n_sections; i++) {
        const saetm__csection *s = &t[i];
        size_t es = saetm__dtype_size((saetm__dtype)s->dtype);
        if (memchr(s->name, 0, SAETM__SECTION_NAME_MAX) == NULL || es == 0 || s->offset < HEADER_SIZE ||
            s->offset > h.table_offset || s->nbytes > h.table_offset - s->offset || s->cols == 0 ||
            s->offset % SAETM__ALIGN != 0 || s->rows > UINT64_MAX / s->cols ||
            s->rows * s->cols > UINT64_MAX / es || s->rows * s->cols * es != s->nbytes)
            return bad(ctx, r, path, SAETM_ERR_FORMAT, "section entry with impossible offset, size or shape");
        if (verify && saetm__crc32(0, r->map.data + s->offset, (size_t)s->nbytes) != s->crc32) {
            saetm__fail(ctx, SAETM_ERR_CHECKSUM, "%s: checksum mismatch in section '%s' (file corrupted)", path,
                        s->name);
            saetm__cr_close(r);
            return SAETM_ERR_CHECKSUM;
        }
    }
    r->version = h.version;
    r->n_sections = h.n_sections;
    r->table = t;
    return SAETM_OK;
}

saetm_status saetm__cr_open(saetm_ctx *ctx, const char *path, const char magic[8], uint32_t max_version,
                            saetm__creader *r)
{
    return cr_open(ctx, path, magic, max_version, r, 1);
}

saetm_status saetm__cr_open_unverified(saetm_ctx *ctx, const char *path, const char magic[8], uint32_t max_version,
                                       saetm__creader *r)
{
    return cr_open(ctx, path, magic, max_version, r, 0);
}

static saetm_status crc_mismatch(saetm_ctx *ctx, const saetm__creader *r, const saetm__csection *s)
{
    return saetm__fail(ctx, SAETM_ERR_CHECKSUM, "%s: checksum mismatch in section '%s' (file corrupted)", r->path,
                       s->name);
}

static const saetm__csection *find(const saetm__creader *r, const char *name)
{
    for (uint32_t i = 0; i < r->n_sections; i++)
        if (strncmp(r->table[i].name, name, SAETM__SECTION_NAME_MAX) == 0) return &r->table[i];
    return NULL;
}

int saetm__cr_has(const saetm__creader *r, const char *name) { return find(r, name) != NULL; }

int saetm__cr_index(const saetm__creader *r, const char *name)
{
    const saetm__csection *s = find(r, name);
    return s ? (int)(s - r->table) : -1;
}

saetm_status saetm__cr_verify(saetm_ctx *ctx, const saetm__creader *r, const char *name)
{
    const saetm__csection *s = find(r, name);
    if (!s) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: missing section '%s'", r->path, name);
    if (saetm__crc32(0, r->map.data + s->offset, (size_t)s->nbytes) != s->crc32) return crc_mismatch(ctx, r, s);
    return SAETM_OK;
}

/* Partial CRC of one process's part of a section (gathered by saetm__cr_verify_dist). */
typedef struct crc_part {
    uint64_t len;
    uint32_t crc, pad;
} crc_part;

saetm_status saetm__cr_verify_dist(saetm_ctx *ctx, const saetm__creader *r, const uint64_t *end_rows)
{
    const int P = saetm__dist_size(), R = saetm__dist_rank();
    const uint32_t n = r->n_sections;
    uint64_t *ends = calloc((size_t)n + 1, sizeof *ends), *all_ends = calloc((size_t)P * n + 1, sizeof *all_ends);
    crc_part *mine = calloc((size_t)n + 1, sizeof *mine), *all = calloc((size_t)P * n + 1, sizeof *all);
    uint8_t bad = !ends || !all_ends || !mine || !all;
    saetm__dist_max_u8(&bad, 1); /* every process must take part in the gathers below */
    saetm_status st = SAETM_OK;
    if (bad) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", r->path);
    /* 1. Where this process's part of each section ends (bytes); the parts of the processes, in
     * rank order, are [max of the earlier ends, max including this one): a partition of the
     * section whatever the ends say (they come from unverified data and only decide who reads
     * which bytes). */
    for (uint32_t i = 0; !st && i < n; i++) {
        const saetm__csection *s = &r->table[i];
        uint64_t row_bytes = s->cols * saetm__dtype_size((saetm__dtype)s->dtype), e0, e1;
        saetm__dist_range(s->nbytes, R, P, &e0, &e1);
        if (end_rows && end_rows[i] != UINT64_MAX)
            e1 = row_bytes && end_rows[i] <= s->nbytes / row_bytes ? end_rows[i] * row_bytes : s->nbytes;
        ends[i] = R == P - 1 ? s->nbytes : e1;
    }
    if (!st) saetm__dist_allgather(ends, (size_t)n * sizeof *ends, all_ends);
    /* 2. The CRC of this process's parts, gathered and combined in rank order. */
    for (uint32_t i = 0; !st && i < n; i++) {
        const saetm__csection *s = &r->table[i];
        uint64_t lo = 0, hi = 0;
        for (int q = 0; q <= R; q++) {
            uint64_t e = all_ends[(size_t)q * n + i];
            if (q < R && e > lo) lo = e;
            if (e > hi) hi = e;
        }
        if (hi < lo) hi = lo;
        mine[i].len = hi - lo;
        mine[i].crc = saetm__crc32(0, r->map.data + s->offset + lo, (size_t)(hi - lo));
    }
    if (!st) saetm__dist_allgather(mine, (size_t)n * sizeof *mine, all);
    for (uint32_t i = 0; !st && i < n; i++) {
        uint32_t crc = 0;
        uint64_t len = 0;
        for (int q = 0; q < P; q++) {
            const crc_part *c = &all[(size_t)q * n + i];
            crc = saetm__crc32_combine(crc, c->crc, c->len);
            len += c->len;
        }
        if (len != r->table[i].nbytes)
            st = saetm__fail(ctx, SAETM_ERR_INTERNAL, "%s: section '%s': the processes' parts do not cover it", r->path,
                             r->table[i].name);
        else if (crc != r->table[i].crc32)
            st = crc_mismatch(ctx, r, &r->table[i]);
    }
    free(ends);
    free(all_ends);
    free(mine);
    free(all);
    return st;
}

uint32_t saetm__cr_dtype(const saetm__creader *r, const char *name)
{
    const saetm__csection *s = find(r, name);
    return s ? s->dtype : 0;
}

saetm_status saetm__cr_get(saetm_ctx *ctx, const saetm__creader *r, const char *name, saetm__dtype dtype,
                           const void **data, uint64_t *rows, uint64_t *cols)
{
    const saetm__csection *s = find(r, name);
    if (!s) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: missing section '%s'", r->path, name);
    if (s->dtype != (uint32_t)dtype)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section '%s' has the wrong element type", r->path, name);
    if (rows && *rows && *rows != s->rows)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section '%s' has %llu rows, expected %llu", r->path, name,
                           (unsigned long long)s->rows, (unsigned long long)*rows);
    if (cols && *cols && *cols != s->cols)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section '%s' has %llu columns, expected %llu", r->path,
                           name, (unsigned long long)s->cols, (unsigned long long)*cols);
    *data = r->map.data + s->offset;
    if (rows) *rows = s->rows;
    if (cols) *cols = s->cols;
    return SAETM_OK;
}

void saetm__cr_close(saetm__creader *r)
{
    if (!r) return;
    saetm__unmap(&r->map);
    free(r->path);
    memset(r, 0, sizeof *r);
}
