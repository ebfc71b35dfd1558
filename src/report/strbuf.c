/*
 * strbuf.c - growable text buffer for the CSV, SVG and HTML writers: appends, HTML and CSV
 * escaping, C-locale switching, atomic write-out.
 */
#include "report/report_int.h"

#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

void saetm__sb_free(saetm__sb *b)
{
    if (!b) return;
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Make room for n more bytes plus the terminator. @return 0 on success. */
static int sb_reserve(saetm__sb *b, size_t n)
{
    if (b->oom) return -1;
    if (n > SIZE_MAX / 2 - b->n - 1) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->n + n + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void saetm__sb_putn(saetm__sb *b, const char *s, size_t n)
{
    if (sb_reserve(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void saetm__sb_puts(saetm__sb *b, const char *s) { saetm__sb_putn(b, s, strlen(s)); }

void saetm__sb_printf(saetm__sb *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        saetm__sb_putn(b, small, (size_t)n);
        return;
    }
    if (sb_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void saetm__sb_html(saetm__sb *b, const char *s, size_t max_chars)
{
    if (!s) return;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t chars = 0;
    while (*p) {
        if (max_chars && chars == max_chars) {
            saetm__sb_puts(b, "...");
            return;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &cp);
        if (len <= 0) { /* invalid byte: replace it and resynchronise on the next byte */
            saetm__sb_puts(b, "\xEF\xBF\xBD");
            p++;
            chars++;
            continue;
        }
        switch (cp) {
        case '&': saetm__sb_puts(b, "&amp;"); break;
        case '<': saetm__sb_puts(b, "&lt;"); break;
        case '>': saetm__sb_puts(b, "&gt;"); break;
        case '"': saetm__sb_puts(b, "&quot;"); break;
        case '\'': saetm__sb_puts(b, "&#39;"); break;
        default:
            /* Drop C0/C1 controls (not allowed in XML) and non-characters U+FFFE/U+FFFF. */
            if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp < 0xA0) || cp == 0xFFFE ||
                cp == 0xFFFF)
                break;
            saetm__sb_putn(b, (const char *)p, (size_t)len);
        }
        p += len;
        chars++;
    }
}

void saetm__sb_csv(saetm__sb *b, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        saetm__sb_puts(b, s);
        return;
    }
    saetm__sb_putn(b, "\"", 1);
    for (const char *q = s; *q; q++) {
        if (*q == '"') saetm__sb_putn(b, "\"\"", 2);
        else saetm__sb_putn(b, q, 1);
    }
    saetm__sb_putn(b, "\"", 1);
}

saetm_status saetm__sb_write(saetm_ctx *ctx, const saetm__sb *b, const char *path)
{
    if (b->oom) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory while building the file", path);
    return saetm__write_file_atomic(ctx, path, b->p ? b->p : "", b->n);
}

void saetm__cloc_push(saetm__cloc *s)
{
    s->old = NULL;
    s->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (s->c) s->old = uselocale((locale_t)s->c);
}

void saetm__cloc_pop(saetm__cloc *s)
{
    if (!s->c) return;
    uselocale((locale_t)s->old);
    freelocale((locale_t)s->c);
    s->c = NULL;
}
