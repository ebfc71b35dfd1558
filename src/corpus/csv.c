/*
 * csv.c - RFC 4180 records from a byte stream: fields separated by commas, records by CRLF or LF;
 * a field in double quotes may hold commas, line breaks and doubled quotes (""). Lenient where
 * it costs nothing: a quote inside an unquoted field is kept as a character; blank lines between
 * records are skipped. Strict where data would be lost: a quoted field that never ends, or text
 * after a closing quote, is an error naming the line.
 */
#include "corpus_int.h"

#include <stdlib.h>
#include <string.h>

void saetm__csv_record_free(saetm__csv_record *rec)
{
    saetm__buf_free(&rec->text);
    free(rec->off);
    free(rec->len);
    memset(rec, 0, sizeof *rec);
}

static int push_field(saetm__csv_record *rec, size_t start)
{
    if (rec->n == rec->cap) {
        size_t cap = rec->cap ? rec->cap * 2 : 16;
        size_t *o = realloc(rec->off, cap * sizeof *o);
        if (!o) return -1;
        rec->off = o;
        size_t *l = realloc(rec->len, cap * sizeof *l);
        if (!l) return -1;
        rec->len = l;
        rec->cap = cap;
    }
    rec->off[rec->n] = start;
    rec->len[rec->n] = rec->text.len - start;
    rec->n++;
    return saetm__buf_addc(&rec->text, 0);
}

/* Consume the rest of a bad record up to the next line break outside quotes, so reading can go
 * on with the next record. */
static int skip_rest(saetm_ctx *ctx, saetm__input *in)
{
    int c;
    while ((c = saetm__input_getc(ctx, in)) >= 0 && c != '\n') {
    }
    return c == -2 ? -1 : 0;
}

int saetm__csv_next(saetm_ctx *ctx, saetm__input *in, saetm__csv_record *rec, saetm_status *st, int *fatal)
{
    rec->n = 0;
    rec->text.len = 0;
    *st = SAETM_OK;
    *fatal = 0;
    int c;
    /* Skip blank lines. */
    for (;;) {
        c = saetm__input_peek(ctx, in);
        if (c == '\n' || c == '\r') {
            saetm__input_getc(ctx, in);
            continue;
        }
        break;
    }
    if (c == -1) return 0;
    if (c == -2) goto io_error;
    rec->line = in->line;
    for (;;) {
        /* One field. */
        size_t start = rec->text.len;
        c = saetm__input_getc(ctx, in);
        if (c == '"') {
            uint64_t qline = in->line;
            for (;;) {
                c = saetm__input_getc(ctx, in);
                if (c == -2) goto io_error;
                if (c == -1) {
                    *st = saetm__fail(ctx, SAETM_ERR_INPUT,
                                      "%s:%llu: field %zu: unterminated quoted field (opened on line %llu, no "
                                      "closing '\"' before the end of the file)",
                                      in->path, (unsigned long long)rec->line, rec->n + 1,
                                      (unsigned long long)qline);
                    *fatal = 1;
                    return -1;
                }
                if (c == '"') {
                    int d = saetm__input_peek(ctx, in);
                    if (d == '"') {
                        saetm__input_getc(ctx, in);
                    } else {
                        break;
                    }
                }
                if (saetm__buf_addc(&rec->text, (char)c)) goto nomem;
            }
            c = saetm__input_getc(ctx, in);
            if (c == '\r' && saetm__input_peek(ctx, in) == '\n') c = saetm__input_getc(ctx, in);
            if (c != ',' && c != '\n' && c != -1) {
                if (c == -2) goto io_error;
                *st = saetm__fail(ctx, SAETM_ERR_INPUT,
                                  "%s:%llu: field %zu: unexpected character '%c' after a closing quote (expected ',' "
                                  "or the end of the line; quotes inside a quoted field are written \"\")",
                                  in->path, (unsigned long long)in->line, rec->n + 1,
                                  c >= 32 && c < 127 ? c : '?');
                if (c != '\n' && skip_rest(ctx, in)) goto io_error;
                return -1;
            }
        } else {
            while (c >= 0 && c != ',' && c != '\n') {
                if (c == '\r' && saetm__input_peek(ctx, in) == '\n') {
                    c = saetm__input_getc(ctx, in);
                    break;
                }
                if (saetm__buf_addc(&rec->text, (char)c)) goto nomem;
                c = saetm__input_getc(ctx, in);
            }
            if (c == -2) goto io_error;
        }
        if (push_field(rec, start)) goto nomem;
        if (c != ',') return 1; /* end of line or of file */
    }
nomem:
    *st = saetm__fail(ctx, SAETM_ERR_NOMEM, "%s:%llu: out of memory", in->path, (unsigned long long)rec->line);
    *fatal = 1;
    return -1;
io_error:
    *st = SAETM_ERR_IO;
    *fatal = 1;
    return -1;
}
