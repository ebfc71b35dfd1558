/*
 * input.c - buffered input for corpus files: plain or gzip (zlib's gzread passes plain files
 * through unchanged), read by lines or by bytes, counting lines for error messages. Only one
 * buffer's worth of the file is in memory at a time, plus the longest line seen.
 */
#include "corpus_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INPUT_BUF (1u << 18)

int saetm__buf_add(saetm__buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) {
            if (cap > SIZE_MAX / 2) return -1;
            cap *= 2;
        }
        char *d = realloc(b->data, cap);
        if (!d) return -1;
        b->data = d;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

void saetm__buf_free(saetm__buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

saetm_status saetm__input_open(saetm_ctx *ctx, const char *path, saetm__input *in)
{
    memset(in, 0, sizeof *in);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        close(fd);
        return saetm__fail(ctx, SAETM_ERR_IO, "%s: is a directory", path);
    }
    in->gz = gzdopen(fd, "rb");
    in->path = saetm__strdup(path);
    in->buf = malloc(INPUT_BUF + 1);
    if (!in->gz || !in->path || !in->buf) {
        if (!in->gz) close(fd);
        saetm__input_close(in);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    }
    gzbuffer(in->gz, 1u << 17);
    in->cap = INPUT_BUF;
    in->line = 1;
    in->file_size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0; /* pipes: size unknown */
    /* Read the first block now: unreadable or corrupt files fail here, and a UTF-8 byte order
     * mark (common in files saved by spreadsheet programs) is skipped. */
    if (saetm__input_fill(ctx, in) < 0) {
        saetm__input_close(in);
        return SAETM_ERR_IO;
    }
    if (in->len >= 3 && memcmp(in->buf, "\xEF\xBB\xBF", 3) == 0) in->pos = 3;
    return SAETM_OK;
}

void saetm__input_close(saetm__input *in)
{
    if (!in) return;
    if (in->gz) gzclose(in->gz);
    free(in->path);
    free(in->buf);
    free(in->lbuf);
    memset(in, 0, sizeof *in);
}

int saetm__input_fill(saetm_ctx *ctx, saetm__input *in)
{
    if (in->pos < in->len) return 1;
    if (in->eof) return 0;
    in->pos = in->len = 0;
    int n = gzread(in->gz, in->buf, (unsigned)in->cap);
    if (n < 0) {
        int err;
        const char *msg = gzerror(in->gz, &err);
        saetm__fail(ctx, SAETM_ERR_IO, "%s: read error: %s", in->path,
                    err == Z_ERRNO ? strerror(errno) : msg);
        return -1;
    }
    if (n == 0) {
        /* A gzip stream cut short reads as a clean end: zlib reports it only through gzerror. */
        int err = Z_OK;
        const char *msg = gzerror(in->gz, &err);
        if (err != Z_OK && err != Z_STREAM_END) {
            saetm__fail(ctx, SAETM_ERR_IO, "%s: read error: %s (truncated or corrupt gzip file?)", in->path, msg);
            return -1;
        }
        in->eof = 1;
        return 0;
    }
    in->len = (size_t)n;
    in->bytes += (uint64_t)n;
    return 1;
}

uint64_t saetm__input_offset(saetm__input *in)
{
    z_off_t off = gzoffset(in->gz);
    return off < 0 ? 0 : (uint64_t)off;
}

int saetm__input_line(saetm_ctx *ctx, saetm__input *in, char **line, size_t *len, uint64_t *lineno)
{
    int r = saetm__input_fill(ctx, in);
    if (r <= 0) return r;
    *lineno = in->line;
    char *start = in->buf + in->pos;
    char *nl = memchr(start, '\n', in->len - in->pos);
    size_t n;
    char *text;
    if (nl) {
        /* Fast path: the whole line is in the buffer; terminate it in place. */
        n = (size_t)(nl - start);
        in->pos += n + 1;
        text = start;
    } else {
        /* The line straddles refills: gather it in lbuf. */
        size_t used = 0;
        for (;;) {
            size_t avail = in->len - in->pos;
            char *p = in->buf + in->pos;
            char *q = memchr(p, '\n', avail);
            size_t take = q ? (size_t)(q - p) : avail;
            if (used + take + 1 > in->lcap) {
                size_t cap = in->lcap ? in->lcap : INPUT_BUF;
                while (cap < used + take + 1) cap *= 2;
                char *b = realloc(in->lbuf, cap);
                if (!b) {
                    saetm__fail(ctx, SAETM_ERR_NOMEM, "%s:%llu: out of memory for a line of %zu bytes", in->path,
                                (unsigned long long)*lineno, used + take);
                    return -1;
                }
                in->lbuf = b;
                in->lcap = cap;
            }
            memcpy(in->lbuf + used, p, take);
            used += take;
            in->pos += take + (q ? 1 : 0);
            if (q) break;
            r = saetm__input_fill(ctx, in);
            if (r < 0) return -1;
            if (r == 0) break;
        }
        n = used;
        text = in->lbuf;
    }
    in->line++;
    if (n > 0 && text[n - 1] == '\r') n--;
    text[n] = 0;
    *line = text;
    *len = n;
    return 1;
}
