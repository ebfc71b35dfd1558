/*
 * embed.c - the public embedder calls: model file loading, and embedding many texts with
 * OpenMP over documents.
 *
 * Work is cut into chunks of CHUNK_DOCS documents (bounding the memory for token ids); within a
 * chunk, documents are tokenised in parallel, then consecutive documents are grouped into batches
 * of about BATCH_TOKENS tokens, and each batch runs the whole network on one thread (BLAS runs
 * single-threaded inside the parallel region). Batches depend only on the input, never on the
 * thread count, so the output bytes do not either.
 */
#include "embed_int.h"

#include "dist/dist.h"

#include <assert.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODEL_FILE "use-lite-en.stm"
#define CHUNK_DOCS 8192u
#define BATCH_TOKENS 1024u

struct saetm_embedder {
    saetm__creader cr;
    saetm__use net;
    saetm__tok tok;
    const char *vstr;        /* vocabulary pieces (NUL-terminated, in the mapped file) */
    const uint64_t *voff;
    uint32_t n_pieces;
    char name[64], version[64];
};

/* ------------------------------------------------------------------------------------------- */
/* Loading                                                                                     */
/* ------------------------------------------------------------------------------------------- */

static void meta_value(const char *meta, size_t len, const char *key, char *dst, size_t cap)
{
    size_t kl = strlen(key);
    dst[0] = '\0';
    for (size_t i = 0; i < len;) {
        const char *line = meta + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - line) : len - i;
        if (ll > kl && memcmp(line, key, kl) == 0 && line[kl] == '=') {
            size_t vl = ll - kl - 1;
            if (vl >= cap) vl = cap - 1;
            memcpy(dst, line + kl + 1, vl);
            dst[vl] = '\0';
            return;
        }
        i += ll + 1;
    }
}

static saetm_status get_f32(saetm_ctx *ctx, const saetm__creader *r, const char *name, uint64_t rows,
                            uint64_t cols, const float **out)
{
    const void *p;
    saetm_status st = saetm__cr_get(ctx, r, name, SAETM__F32, &p, &rows, &cols);
    *out = p;
    return st;
}

static saetm_status load_layer(saetm_ctx *ctx, const saetm__creader *r, int l, saetm__use_layer *L,
                               uint32_t dm, uint32_t dff)
{
    char n[SAETM__SECTION_NAME_MAX];
    saetm_status st = SAETM_OK;
    const uint64_t di = L->d_in;
#define G(field, suffix, rows, cols)                                          \
    do {                                                                     \
        snprintf(n, sizeof n, "l%d.%s", l, suffix);                          \
        if (!st) st = get_f32(ctx, r, n, rows, cols, &L->field);             \
    } while (0)
    G(ln1_g, "ln1.g", di, 1);
    G(ln1_b, "ln1.b", di, 1);
    G(qkv_w, "qkv.w", di, 3 * di);
    G(qkv_b, "qkv.b", 3 * di, 1);
    G(out_w, "out.w", di, dm);
    G(out_b, "out.b", dm, 1);
    G(ln2_g, "ln2.g", dm, 1);
    G(ln2_b, "ln2.b", dm, 1);
    G(ff1_w, "ff1.w", dm, dff);
    G(ff1_b, "ff1.b", dff, 1);
    G(ff2_w, "ff2.w", dff, dm);
    G(ff2_b, "ff2.b", dm, 1);
    if (di != dm) {
        G(res_w, "res.w", di, dm);
        G(res_b, "res.b", dm, 1);
    }
#undef G
    return st;
}

/* Default model location: $SAETM_EMBEDDER, else the model directories (saetm__find_model); fills
 * buf with the file, or lists the places looked at in `tried`. */
static int default_path(char *buf, size_t cap, char *tried, size_t tcap)
{
    const char *env = getenv("SAETM_EMBEDDER");
    if (env && env[0]) {
        snprintf(buf, cap, "%s", env);
        return 0;
    }
    return saetm__find_model(MODEL_FILE, buf, cap, tried, tcap);
}

saetm_status saetm_embedder_load(saetm_ctx *ctx, const char *path, saetm_embedder **out)
{
    *out = NULL;
    char def[4096], tried[8192];
    if (!path) {
        if (default_path(def, sizeof def, tried, sizeof tried))
            return saetm__fail(ctx, SAETM_ERR_IO,
                               "no embedder model file found (looked for %s); build it with 'make', or point "
                               "SAETM_EMBEDDER at a " MODEL_FILE " file or SAETM_MODEL_DIR at its directory",
                               tried);
        path = def;
    }
    saetm_embedder *e = calloc(1, sizeof *e);
    if (!e) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    saetm__creader *r = &e->cr;
    saetm_status st = saetm__cr_open(ctx, path, SAETM__EMBED_MAGIC, SAETM__EMBED_VERSION, r);
    if (st) {
        free(e);
        return st;
    }
    const void *p;
    uint64_t rows = 0, cols = 1;
    /* metadata */
    if ((st = saetm__cr_get(ctx, r, "meta", SAETM__U8, &p, &rows, &cols))) goto fail;
    meta_value(p, rows, "name", e->name, sizeof e->name);
    meta_value(p, rows, "version", e->version, sizeof e->version);
    if (!e->name[0] || !e->version[0]) {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section 'meta' lacks name or version", path);
        goto fail;
    }
    rows = 8;
    if ((st = saetm__cr_get(ctx, r, "dims", SAETM__U32, &p, &rows, &cols))) goto fail;
    const uint32_t *dims = p;
    saetm__use *m = &e->net;
    m->vocab_rows = dims[0];
    m->d_emb = dims[1];
    m->d_model = dims[2];
    m->d_ff = dims[3];
    m->max_len = dims[4];
    uint32_t heads = dims[5], depth0 = dims[6], depth1 = dims[7];
    if (m->vocab_rows == 0 || m->d_emb == 0 || m->d_emb % 2 || m->d_model == 0 || m->d_ff == 0 ||
        m->d_emb > 4096 || m->d_model > 4096 || m->d_ff > 16384 || m->max_len == 0 || m->max_len > 4096 ||
        heads == 0 || (uint64_t)heads * depth0 != m->d_emb || (uint64_t)heads * depth1 != m->d_model) {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section 'dims' describes an unsupported network", path);
        goto fail;
    }
    rows = 4;
    if ((st = saetm__cr_get(ctx, r, "consts", SAETM__F32, &p, &rows, &cols))) goto fail;
    const float *consts = p;
    m->ln_eps = consts[0];
    m->l2_eps = consts[1];
    m->layer[0].att_scale = consts[2];
    m->layer[1].att_scale = consts[3];
    if (!(m->ln_eps > 0.0f) || !(m->l2_eps > 0.0f)) {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section 'consts' has non-positive epsilons", path);
        goto fail;
    }
    m->layer[0].d_in = m->d_emb;
    m->layer[0].heads = heads;
    m->layer[0].depth = depth0;
    m->layer[1].d_in = m->d_model;
    m->layer[1].heads = heads;
    m->layer[1].depth = depth1;
    const float *inv;
    if ((st = get_f32(ctx, r, "tok_emb", m->vocab_rows, m->d_emb, &m->tok_emb)) ||
        (st = get_f32(ctx, r, "timing_inv", 1, m->d_emb / 2, &inv)) ||
        (st = load_layer(ctx, r, 0, &m->layer[0], m->d_model, m->d_ff)) ||
        (st = load_layer(ctx, r, 1, &m->layer[1], m->d_model, m->d_ff)) ||
        (st = get_f32(ctx, r, "final.w", m->d_model, m->d_model, &m->fin_w)) ||
        (st = get_f32(ctx, r, "final.b", m->d_model, 1, &m->fin_b)))
        goto fail;
    if (saetm__use_timing(m, inv)) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    /* vocabulary */
    uint64_t nstr = 0, npc = 0, nsc = 0;
    const void *vs, *vo, *vsc;
    cols = 1;
    if ((st = saetm__cr_get(ctx, r, "vocab.str", SAETM__U8, &vs, &nstr, &cols)) ||
        (st = saetm__cr_get(ctx, r, "vocab.off", SAETM__U64, &vo, &npc, &cols)) ||
        (st = saetm__cr_get(ctx, r, "vocab.score", SAETM__F64, &vsc, &nsc, &cols)))
        goto fail;
    e->vstr = vs;
    e->voff = vo;
    if (npc != nsc || npc <= SAETM__TOK_RESERVED || npc > m->vocab_rows || nstr == 0 || e->vstr[nstr - 1] != '\0') {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: vocabulary sections disagree", path);
        goto fail;
    }
    e->n_pieces = (uint32_t)npc;
    const char **pieces = malloc(npc * sizeof *pieces);
    uint32_t *lens = malloc(npc * sizeof *lens);
    if (!pieces || !lens) {
        free(pieces);
        free(lens);
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    int bad = 0;
    for (uint64_t i = 0; i < npc; i++) {
        if (e->voff[i] >= nstr) { bad = 1; break; }
        pieces[i] = e->vstr + e->voff[i];
        size_t l = strlen(pieces[i]);
        if (l == 0 || l > 1024) { bad = 1; break; }
        lens[i] = (uint32_t)l;
    }
    int rc = bad ? -2 : saetm__tok_init(&e->tok, e->n_pieces, pieces, lens, vsc);
    free(pieces);
    free(lens);
    if (rc) {
        st = rc == -1 ? saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory")
                      : saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: a vocabulary piece is empty or not valid UTF-8", path);
        goto fail;
    }
    saetm__log(ctx, SAETM_LOG_DEBUG, "embedder %s %s loaded from %s", e->name, e->version, path);
    *out = e;
    return SAETM_OK;
fail:
    saetm_embedder_free(e);
    return st;
}

void saetm_embedder_free(saetm_embedder *e)
{
    if (!e) return;
    saetm__tok_free(&e->tok);
    saetm__free_aligned(e->net.timing);
    saetm__cr_close(&e->cr);
    free(e);
}

uint32_t saetm_embedder_dim(const saetm_embedder *e) { return e->net.d_model; }
const char *saetm_embedder_name(const saetm_embedder *e) { return e->name; }
const char *saetm_embedder_version(const saetm_embedder *e) { return e->version; }

const char *saetm_embedder_piece(const saetm_embedder *e, int32_t id)
{
    if (id < 0 || (uint32_t)id >= e->n_pieces) return NULL;
    return e->vstr + e->voff[id];
}

/* ------------------------------------------------------------------------------------------- */
/* Embedding                                                                                   */
/* ------------------------------------------------------------------------------------------- */

saetm_status saetm_embed_tokenize(saetm_ctx *ctx, const saetm_embedder *e, const char *text, size_t len,
                                  int32_t *ids, size_t cap, size_t *n_ids)
{
    saetm__tok_ws ws;
    memset(&ws, 0, sizeof ws);
    const int32_t *res;
    int64_t n = saetm__tok_encode(&e->tok, text, len, &ws, &res);
    if (n < 0) {
        saetm__tok_ws_free(&ws);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory tokenising a text of %zu bytes", len);
    }
    *n_ids = (size_t)n;
    if (ids) memcpy(ids, res, ((size_t)n < cap ? (size_t)n : cap) * sizeof *ids);
    saetm__tok_ws_free(&ws);
    return SAETM_OK;
}

/* Under mpirun (docs/distributed.md) process r embeds the batches that start in its share
 * [r0, r1) of the documents: the batches are cut from each chunk's start exactly as one process
 * cuts them, so every row comes out of the same batch, hence the same bytes, at any process
 * count. Rank 0 then gathers the rows in rank order (they are contiguous). */
saetm_status saetm_embed_texts(saetm_ctx *ctx, const saetm_embedder *e, const char *const *texts,
                               const size_t *lens, uint64_t n, float *out)
{
    if (n == 0) return SAETM_OK;
    if (!texts || !out) return saetm__fail(ctx, SAETM_ERR_ARG, "saetm_embed_texts: texts and out must not be NULL");
    const saetm__use *m = &e->net;
    const uint32_t L = m->max_len, dm = m->d_model;
    const int nt = ctx && ctx->threads > 0 ? ctx->threads : 1;
    const uint32_t chunk = n < CHUNK_DOCS ? (uint32_t)n : CHUNK_DOCS;
    const int dist = saetm__dist_on(ctx);
    uint64_t r0 = 0, r1 = n;
    if (dist) saetm__dist_range(n, saetm__dist_rank(), saetm__dist_size(), &r0, &r1);
    uint64_t first_row = 0, rows = 0; /* the rows this process embeds: [first_row, first_row + rows) */

    int32_t *ids = malloc((size_t)chunk * L * sizeof *ids);
    uint32_t *off = malloc(((size_t)chunk + 1) * sizeof *off);
    uint32_t *ntok = malloc((size_t)chunk * sizeof *ntok);
    uint32_t *batch = malloc(((size_t)chunk + 1) * sizeof *batch);
    saetm__tok_ws *tws = calloc((size_t)nt, sizeof *tws);
    saetm__use_ws *uws = calloc((size_t)nt, sizeof *uws);
    saetm_status st = SAETM_OK;
    if (!ids || !off || !ntok || !batch || !tws || !uws) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        goto gather;
    }

    for (uint64_t c0 = r0 / chunk * chunk; c0 < r1 && st == SAETM_OK; c0 += chunk) {
        saetm__dist_fault_point("embed", c0 / chunk);
        const uint32_t cn = (uint32_t)(n - c0 < chunk ? n - c0 : chunk);
        /* Tokenise up to the end of the last batch starting before r1: a batch holds at most
         * BATCH_TOKENS documents (each counts at least 1 token). */
        const uint32_t tn = r1 + BATCH_TOKENS - c0 < cn ? (uint32_t)(r1 + BATCH_TOKENS - c0) : cn;
        int failed = 0;
        /* 1. tokenise (ids of document i go to ids[i * L], at most L of them) */
#pragma omp parallel for num_threads(nt) schedule(dynamic, 16) reduction(| : failed)
        for (uint32_t i = 0; i < tn; i++) {
            const char *t = texts[c0 + i];
            size_t len = t ? (lens ? lens[c0 + i] : strlen(t)) : 0;
            const int32_t *res;
            int64_t k = saetm__tok_encode(&e->tok, t ? t : "", len, &tws[omp_get_thread_num()], &res);
            if (k < 0) {
                failed = 1;
                ntok[i] = 0;
                continue;
            }
            ntok[i] = (uint32_t)(k < (int64_t)L ? k : (int64_t)L);
            memcpy(ids + (size_t)i * L, res, ntok[i] * sizeof *ids);
        }
        if (failed) {
            st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory while tokenising documents %llu..%llu",
                             (unsigned long long)c0, (unsigned long long)(c0 + tn - 1));
            break;
        }
        /* 2. pack ids, cut into batches of about BATCH_TOKENS tokens (from the chunk's start, as
         * for one process); this process runs batches [b_lo, b_hi), those starting in [r0, r1) */
        uint32_t nb = 0, acc = 0, b_lo = UINT32_MAX, b_hi = 0;
        off[0] = 0;
        batch[0] = 0;
        for (uint32_t i = 0; i < tn; i++) {
            memmove(ids + off[i], ids + (size_t)i * L, ntok[i] * sizeof *ids);
            off[i + 1] = off[i] + ntok[i];
            acc += ntok[i] ? ntok[i] : 1;
            if (acc >= BATCH_TOKENS || i + 1 == cn) {
                if (c0 + batch[nb] >= r0 && c0 + batch[nb] < r1) {
                    if (b_lo == UINT32_MAX) b_lo = nb;
                    b_hi = nb + 1;
                }
                batch[++nb] = i + 1;
                acc = 0;
            }
        }
        assert(c0 + batch[nb] >= r1 || batch[nb] == cn); /* no unfinished batch starts before r1 */
        if (b_lo == UINT32_MAX) continue;
        if (rows == 0) first_row = c0 + batch[b_lo];
        rows += batch[b_hi] - batch[b_lo];
        /* 3. run the network, one batch per thread at a time. The region always has at least two
         * threads (extra ones idle) so that it is active and OpenBLAS takes its single-threaded
         * path inside it: its threaded path sums in another order, and the bytes must not depend
         * on the thread count. */
        uint32_t next = b_lo;
#pragma omp parallel num_threads(nt < 2 ? 2 : nt) reduction(| : failed)
        {
            const int tid = omp_get_thread_num();
            while (tid < nt) {
                uint32_t b;
#pragma omp atomic capture
                b = next++;
                if (b >= b_hi) break;
                uint32_t d0 = batch[b], d1 = batch[b + 1];
                if (saetm__use_forward(m, ids, off + d0, d1 - d0, &uws[tid], out + (c0 + d0) * (uint64_t)dm))
                    failed = 1;
            }
        }
        if (failed) {
            st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory for the embedder's work space");
            break;
        }
        const uint64_t done = (c0 + cn < r1 ? c0 + cn : r1) - r0;
        if (saetm__progress(ctx, "embed", done, r1 - r0)) st = saetm__fail(ctx, SAETM_ERR_INTERRUPTED, "interrupted");
    }
gather:
    if (dist) {
        st = saetm__dist_agree(ctx, st);
        if (!st) st = saetm__dist_gather_rows(ctx, out, first_row, rows, (size_t)dm * sizeof *out, n);
    }
    if (tws)
        for (int t = 0; t < nt; t++) saetm__tok_ws_free(&tws[t]);
    if (uws)
        for (int t = 0; t < nt; t++) saetm__use_ws_free(&uws[t]);
    free(tws);
    free(uws);
    free(ids);
    free(off);
    free(ntok);
    free(batch);
    return st;
}

const saetm__file_kind saetm__embed_kind = {SAETM__EMBED_MAGIC, NULL};
