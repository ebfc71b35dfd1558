/*
 * text.c - from raw UTF-8 text to tokens: validity check, Unicode normalisation (NFKC) and case
 * folding with utf8proc, splitting into letter runs, stopword sets, report snippets.
 *
 * Pure ASCII text (the common case) takes a fast path that gives the same result as the full
 * normalisation: NFKC leaves ASCII unchanged and case folding of ASCII is tolower().
 */
#include "corpus_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- UTF-8 --------------------------------------------------------------------------------- */

int64_t saetm__utf8_check(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        /* Skip ASCII 8 bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL) break;
            /* A zero byte anywhere in w? */
            if ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        uint8_t c = p[i];
        if (c == 0) return (int64_t)i;
        if (c < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) return (int64_t)i;
        i += (size_t)k;
    }
    return -1;
}

static int is_space_cp(utf8proc_int32_t cp)
{
    if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0d);
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP ||
           cp == 0x85;
}

static int is_letter_cat(utf8proc_category_t cat)
{
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

static int is_mark_cat(utf8proc_category_t cat)
{
    return cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME;
}

/* ---- tokens -------------------------------------------------------------------------------- */

void saetm__tokens_free(saetm__tokens *tok)
{
    saetm__buf_free(&tok->norm);
    free(tok->off);
    free(tok->len);
    memset(tok, 0, sizeof *tok);
}

static int push_token(saetm__tokens *tok, size_t off, size_t len)
{
    if (tok->n == tok->cap) {
        size_t cap = tok->cap ? tok->cap * 2 : 1024;
        size_t *o = realloc(tok->off, cap * sizeof *o);
        if (!o) return -1;
        tok->off = o;
        uint32_t *l = realloc(tok->len, cap * sizeof *l);
        if (!l) return -1;
        tok->len = l;
        tok->cap = cap;
    }
    tok->off[tok->n] = off;
    tok->len[tok->n] = (uint32_t)len;
    tok->n++;
    return 0;
}

/* Normalise into tok->norm: NFKC + case folding + removal of default-ignorable characters. */
static saetm_status normalise(saetm_ctx *ctx, const char *text, size_t len, saetm__tokens *tok)
{
    tok->norm.len = 0;
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] >= 0x80) {
            ascii = 0;
            break;
        }
    if (ascii) {
        if (saetm__buf_add(&tok->norm, text, len)) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        char *d = tok->norm.data;
        for (size_t i = 0; i < len; i++)
            if (d[i] >= 'A' && d[i] <= 'Z') d[i] = (char)(d[i] + 32);
        return SAETM_OK;
    }
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                          UTF8PROC_IGNORE);
    if (n < 0) {
        /* The caller checked the encoding; only memory can run out here. */
        return saetm__fail(ctx, n == UTF8PROC_ERROR_NOMEM ? SAETM_ERR_NOMEM : SAETM_ERR_INPUT,
                           "text normalisation failed: %s", utf8proc_errmsg(n));
    }
    int bad = saetm__buf_add(&tok->norm, out, (size_t)n);
    free(out);
    return bad ? saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory") : SAETM_OK;
}

/* Letter runs of the normalised text. */
static saetm_status letter_tokens(saetm_ctx *ctx, saetm__tokens *tok)
{
    const uint8_t *p = (const uint8_t *)tok->norm.data;
    size_t n = tok->norm.len, i = 0;
    size_t start = 0, chars = 0;
    int in_tok = 0;
    while (i <= n) {
        int letter = 0, mark = 0;
        size_t k = 1;
        if (i < n) {
            uint8_t c = p[i];
            if (c < 0x80) {
                letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            } else {
                utf8proc_int32_t cp;
                utf8proc_ssize_t r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
                if (r <= 0) r = 1; /* cannot happen on checked text */
                k = (size_t)r;
                utf8proc_category_t cat = utf8proc_category(cp);
                letter = is_letter_cat(cat);
                mark = is_mark_cat(cat);
            }
        }
        if (letter || (mark && in_tok)) {
            if (!in_tok) {
                in_tok = 1;
                start = i;
                chars = 0;
            }
            if (letter) chars++;
        } else if (in_tok) {
            in_tok = 0;
            size_t len = i - start;
            if (chars >= SAETM__MIN_TOKEN_CHARS && len <= SAETM__MAX_TOKEN_BYTES && push_token(tok, start, len))
                return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        }
        i += k;
    }
    return SAETM_OK;
}

/* Whitespace-separated tokens of the raw text (copied into norm unchanged). */
static saetm_status space_tokens(saetm_ctx *ctx, const char *text, size_t len, saetm__tokens *tok)
{
    tok->norm.len = 0;
    if (saetm__buf_add(&tok->norm, text, len)) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    const uint8_t *p = (const uint8_t *)tok->norm.data;
    size_t i = 0, start = 0;
    int in_tok = 0;
    while (i <= len) {
        int space = 1;
        size_t k = 1;
        if (i < len) {
            utf8proc_int32_t cp = p[i];
            if (p[i] >= 0x80) {
                utf8proc_ssize_t r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
                if (r <= 0) r = 1;
                k = (size_t)r;
            }
            space = is_space_cp(cp);
        }
        if (!space && !in_tok) {
            in_tok = 1;
            start = i;
        } else if (space && in_tok) {
            in_tok = 0;
            if (i - start <= 4 * SAETM__MAX_TOKEN_BYTES && push_token(tok, start, i - start))
                return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        }
        i += k;
    }
    return SAETM_OK;
}

saetm_status saetm__tokenize(saetm_ctx *ctx, saetm_preprocess mode, const char *text, size_t len,
                             saetm__tokens *tok)
{
    tok->n = 0;
    if (mode == SAETM_PREPROCESS_NONE) return space_tokens(ctx, text, len, tok);
    saetm_status st = normalise(ctx, text, len, tok);
    if (st) return st;
    return letter_tokens(ctx, tok);
}

/* ---- snippets ------------------------------------------------------------------------------ */

int saetm__snippet(const char *text, size_t len, size_t max_chars, saetm__buf *out)
{
    const uint8_t *p = (const uint8_t *)text;
    size_t i = 0, chars = 0;
    int pending_space = 0;
    out->len = 0;
    if (saetm__buf_add(out, "", 0)) return -1;
    while (i < len && chars < max_chars) {
        utf8proc_int32_t cp = p[i];
        size_t k = 1;
        if (p[i] >= 0x80) {
            utf8proc_ssize_t r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
            if (r <= 0) break;
            k = (size_t)r;
        }
        if (is_space_cp(cp) || cp < 0x20 || cp == 0x7f) {
            pending_space = out->len > 0;
        } else {
            if (pending_space) {
                if (saetm__buf_addc(out, ' ')) return -1;
                chars++;
                pending_space = 0;
                if (chars >= max_chars) break;
            }
            if (saetm__buf_add(out, p + i, k)) return -1;
            chars++;
        }
        i += k;
    }
    return 0;
}

/* ---- stopwords ----------------------------------------------------------------------------- */

static saetm_status add_words(saetm_ctx *ctx, const char *what, const char *text, size_t len, saetm__stopwords *sw)
{
    saetm__tokens tok;
    memset(&tok, 0, sizeof tok);
    size_t lineno = 0;
    const char *p = text, *end = text + len;
    saetm_status st = SAETM_OK;
    while (p < end && !st) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        lineno++;
        size_t n = (size_t)(e - p);
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        if (n > 0 && *p != '#') {
            if (saetm__utf8_check(p, n) >= 0) {
                st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%zu: invalid UTF-8", what, lineno);
                break;
            }
            st = normalise(ctx, p, n, &tok);
            uint32_t id;
            if (!st && saetm__strmap_insert(&sw->set, tok.norm.data, tok.norm.len, &id) < 0)
                st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        }
        p = e + 1;
    }
    saetm__tokens_free(&tok);
    return st;
}

saetm_status saetm__stopwords_load(saetm_ctx *ctx, const char *path, saetm__stopwords *sw)
{
    saetm__strmap_init(&sw->set);
    if (!path) return add_words(ctx, "built-in stopword list", saetm__stopwords_en, strlen(saetm__stopwords_en), sw);
    saetm__mapped m;
    saetm_status st = saetm__map_file(ctx, path, &m);
    if (st) return saetm__fail_prefix(ctx, st, "stopword list");
    st = add_words(ctx, path, (const char *)m.data, m.size, sw);
    saetm__unmap(&m);
    if (st) saetm__stopwords_free(sw);
    return st;
}

void saetm__stopwords_free(saetm__stopwords *sw) { saetm__strmap_free(&sw->set); }

int saetm__stopwords_has(const saetm__stopwords *sw, const char *w, size_t len)
{
    return saetm__strmap_find(&sw->set, w, len) != UINT32_MAX;
}
