/*
 * tokenizer.c - SentencePiece unigram tokenizer of the built-in embedder (USE-lite).
 *
 * Reproduces the segmentation of the JavaScript reference (@energetic-ai/embeddings 0.2.0) exactly:
 *   1. bytes -> code points (WHATWG UTF-8 decoding: each maximal invalid subpart becomes U+FFFD);
 *   2. NFKC normalisation (utf8proc);
 *   3. if non-empty: prefix U+2581 and replace every U+0020 by U+2581;
 *   4. lattice over code points: from each position, every vocabulary piece (ids >= 6) that matches
 *      there; a position where none matches gets a one-character unknown candidate (id 0, score 0);
 *   5. Viterbi, scores summed in double precision, in the reference's visiting order: for each end
 *      position, candidates by ascending start; a candidate replaces the best one when the current
 *      best is exactly 0 (the reference's "unset") or when its score is >= the best (ties: later
 *      start wins);
 *   6. backtrack from the end, stepping back by the chosen piece's UTF-16 length;
 *   7. runs of consecutive unknown ids collapse to one.
 * Steps 5-6 include behaviours a textbook Viterbi would not have (a path of total score 0 counts as
 * unset), kept on purpose: the golden test demands identical ids.
 */
#include "embed_int.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define SEP 0x2581u /* U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's word boundary mark */
#define MAX_CODEPOINTS ((size_t)1 << 31)

/* ------------------------------------------------------------------------------------------- */
/* UTF-8                                                                                       */
/* ------------------------------------------------------------------------------------------- */

size_t saetm__utf8_decode_whatwg(const unsigned char *s, size_t len, uint32_t *out)
{
    size_t n = 0, i = 0;
    uint32_t cp = 0;
    unsigned need = 0, seen = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    while (i < len) {
        unsigned char b = s[i];
        if (need == 0) {
            i++;
            if (b <= 0x7F) {
                out[n++] = b;
            } else if (b >= 0xC2 && b <= 0xDF) {
                need = 1; cp = b & 0x1Fu;
            } else if (b >= 0xE0 && b <= 0xEF) {
                if (b == 0xE0) lo = 0xA0;
                if (b == 0xED) hi = 0x9F;
                need = 2; cp = b & 0x0Fu;
            } else if (b >= 0xF0 && b <= 0xF4) {
                if (b == 0xF0) lo = 0x90;
                if (b == 0xF4) hi = 0x8F;
                need = 3; cp = b & 0x07u;
            } else {
                out[n++] = 0xFFFD;
            }
            continue;
        }
        if (b < lo || b > hi) {
            /* invalid continuation: emit U+FFFD and reprocess this byte as a lead byte */
            need = seen = 0; cp = 0; lo = 0x80; hi = 0xBF;
            out[n++] = 0xFFFD;
            continue;
        }
        i++;
        lo = 0x80; hi = 0xBF;
        cp = (cp << 6) | (b & 0x3Fu);
        if (++seen == need) {
            out[n++] = cp;
            need = seen = 0; cp = 0;
        }
    }
    if (need != 0) out[n++] = 0xFFFD;
    return n;
}

static size_t utf8_encode(uint32_t cp, char *o)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Strict decode of a vocabulary piece. @return code point count, or -1 if not valid UTF-8. */
static long decode_strict(const char *s, size_t len, uint32_t *out)
{
    long n = 0;
    utf8proc_ssize_t i = 0;
    while ((size_t)i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)len - i, &c);
        if (k <= 0 || c < 0) return -1;
        out[n++] = (uint32_t)c;
        i += k;
    }
    return n;
}

/* ------------------------------------------------------------------------------------------- */
/* Trie                                                                                        */
/* ------------------------------------------------------------------------------------------- */

static uint64_t hkey(uint32_t parent, uint32_t cp) { return (((uint64_t)parent << 21) | cp) + 1u; }

static uint64_t hslot(uint64_t key, uint64_t mask)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return (h ^ (h >> 29)) & mask;
}

static int64_t child(const saetm__tok *t, uint32_t parent, uint32_t cp)
{
    uint64_t k = hkey(parent, cp);
    for (uint64_t s = hslot(k, t->hmask);; s = (s + 1) & t->hmask) {
        if (t->hkey[s] == k) return t->hval[s];
        if (t->hkey[s] == 0) return -1;
    }
}

void saetm__tok_free(saetm__tok *t)
{
    if (!t) return;
    free(t->len16); free(t->node_piece); free(t->node_score); free(t->hkey); free(t->hval);
    memset(t, 0, sizeof *t);
}

int saetm__tok_init(saetm__tok *t, uint32_t n, const char *const *pieces, const uint32_t *lens,
                    const double *scores)
{
    memset(t, 0, sizeof *t);
    size_t total = 1, maxlen = 0;
    for (uint32_t i = 0; i < n; i++) {
        total += lens[i];
        if (lens[i] > maxlen) maxlen = lens[i];
    }
    uint64_t cap = 1;
    while (cap < 2 * (uint64_t)total) cap <<= 1;
    t->n_pieces = n;
    t->len16 = calloc(n ? n : 1, 1);
    t->node_piece = malloc(total * sizeof *t->node_piece);
    t->node_score = calloc(total, sizeof *t->node_score);
    t->hkey = calloc(cap, sizeof *t->hkey);
    t->hval = calloc(cap, sizeof *t->hval);
    uint32_t *cps = malloc((maxlen + 1) * sizeof *cps);
    if (!t->len16 || !t->node_piece || !t->node_score || !t->hkey || !t->hval || !cps) {
        free(cps);
        saetm__tok_free(t);
        return -1;
    }
    t->hmask = cap - 1;
    t->n_nodes = 1;
    t->node_piece[0] = -1;
    for (uint32_t i = 0; i < n; i++) {
        long m = decode_strict(pieces[i], lens[i], cps);
        if (m <= 0) { free(cps); saetm__tok_free(t); return -2; }
        unsigned l16 = 0;
        for (long j = 0; j < m; j++) l16 += cps[j] >= 0x10000 ? 2u : 1u;
        t->len16[i] = (uint8_t)(l16 > 255 ? 255 : l16);
        if (i < SAETM__TOK_RESERVED) continue;
        uint32_t node = 0;
        for (long j = 0; j < m; j++) {
            int64_t c = child(t, node, cps[j]);
            if (c < 0) {
                uint64_t k = hkey(node, cps[j]), s = hslot(k, t->hmask);
                while (t->hkey[s] != 0) s = (s + 1) & t->hmask;
                t->hkey[s] = k;
                t->hval[s] = t->n_nodes;
                t->node_piece[t->n_nodes] = -1;
                t->node_score[t->n_nodes] = 0.0;
                c = t->n_nodes++;
            }
            node = (uint32_t)c;
        }
        /* a repeated piece overwrites the earlier one, as the reference's trie does */
        t->node_piece[node] = (int32_t)i;
        t->node_score[node] = scores[i];
    }
    free(cps);
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Encoding                                                                                    */
/* ------------------------------------------------------------------------------------------- */

void saetm__tok_ws_free(saetm__tok_ws *ws)
{
    if (!ws) return;
    free(ws->cp); free(ws->u8); free(ws->best); free(ws->words); free(ws->ids);
    memset(ws, 0, sizeof *ws);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (*cap >= need) return 0;
    size_t c = need < 64 ? 64 : need + need / 2;
    void *q = realloc(*p, c * elem);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* bytes -> NFKC code points with the separator rules applied, into ws->cp. @return count or -1. */
static int64_t normalise(const char *bytes, size_t len, saetm__tok_ws *ws)
{
    if (len >= MAX_CODEPOINTS) return -1;
    if (grow((void **)&ws->cp, &ws->cp_cap, len + 1, sizeof *ws->cp)) return -1;
    size_t n = saetm__utf8_decode_whatwg((const unsigned char *)bytes, len, ws->cp);
    if (n == 0) return 0;
    if (grow((void **)&ws->u8, &ws->u8_cap, 4 * n + 1, 1)) return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += utf8_encode(ws->cp[i], ws->u8 + m);
    utf8proc_uint8_t *nf = NULL;
    utf8proc_ssize_t nl = utf8proc_map((const utf8proc_uint8_t *)ws->u8, (utf8proc_ssize_t)m, &nf,
                                       UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    if (nl < 0) { free(nf); return -1; } /* cannot happen on valid UTF-8 except out of memory */
    if ((size_t)nl + 1 >= MAX_CODEPOINTS ||
        grow((void **)&ws->cp, &ws->cp_cap, (size_t)nl + 2, sizeof *ws->cp)) {
        free(nf);
        return -1;
    }
    long k = decode_strict((const char *)nf, (size_t)nl, ws->cp + 1);
    free(nf);
    if (k < 0) return -1;
    if (k == 0) return 0;
    ws->cp[0] = SEP;
    for (long i = 1; i <= k; i++)
        if (ws->cp[i] == 0x20) ws->cp[i] = SEP;
    return k + 1;
}

int64_t saetm__tok_encode(const saetm__tok *t, const char *bytes, size_t len, saetm__tok_ws *ws,
                          const int32_t **ids)
{
    int64_t n64 = normalise(bytes, len, ws);
    if (n64 < 0) return -1;
    size_t n = (size_t)n64;
    if (grow((void **)&ws->best, &ws->best_cap, n + 1, sizeof *ws->best) ||
        grow((void **)&ws->words, &ws->words_cap, n + 1, sizeof *ws->words) ||
        grow((void **)&ws->ids, &ws->ids_cap, n + 1, sizeof *ws->ids))
        return -1;
    double *best = ws->best;
    int32_t *words = ws->words;
    const uint32_t *s = ws->cp;
    for (size_t i = 0; i <= n; i++) { best[i] = 0.0; words[i] = 0; }

    /* Forward pass by ascending start. For a fixed end position, candidates arrive in ascending
     * start order, and best[start] is final when start is visited: the same updates in the same
     * order as the reference's end-major loop. */
    for (size_t i = 0; i < n; i++) {
        uint32_t node = 0;
        int matched = 0;
        for (size_t j = i; j < n; j++) {
            int64_t c = child(t, node, s[j]);
            if (c < 0) break;
            node = (uint32_t)c;
            if (t->node_piece[node] >= 0) {
                size_t end = j + 1;
                double sc = t->node_score[node] + best[i];
                if (best[end] == 0.0 || sc >= best[end]) {
                    best[end] = sc;
                    words[end] = t->node_piece[node];
                }
                matched = 1;
            }
        }
        if (!matched) { /* unknown single character: id 0, score 0 */
            double sc = 0.0 + best[i];
            if (best[i + 1] == 0.0 || sc >= best[i + 1]) {
                best[i + 1] = sc;
                words[i + 1] = 0;
            }
        }
    }

    /* backtrack (reversed ids), stepping by the piece's UTF-16 length like the reference */
    size_t cnt = 0;
    int64_t it = (int64_t)n;
    while (it > 0) {
        int32_t w = words[it];
        ws->ids[cnt++] = w;
        it -= (w >= 0 && (uint32_t)w < t->n_pieces) ? t->len16[w] : 1;
    }
    /* collapse runs of unknowns, then reverse into place */
    size_t m = 0;
    int prev_unk = 0;
    for (size_t i = 0; i < cnt; i++) {
        int32_t id = ws->ids[i];
        if (!(prev_unk && id == 0)) ws->ids[m++] = id;
        prev_unk = id == 0;
    }
    for (size_t i = 0; i < m / 2; i++) {
        int32_t tmp = ws->ids[i];
        ws->ids[i] = ws->ids[m - 1 - i];
        ws->ids[m - 1 - i] = tmp;
    }
    *ids = ws->ids;
    return (int64_t)m;
}
