/*
 * embed_int.h - internals of saetm's built-in sentence embedder (Universal Sentence Encoder Lite).
 *
 * Three parts, one file each:
 *   tokenizer.c  SentencePiece unigram tokenizer, bit-for-bit the segmentation of the JavaScript
 *                reference (@energetic-ai/embeddings 0.2.0), quirks included (see docs/EMBED.md).
 *   forward.c    the transformer forward pass (2 layers, 4 heads, 512-d output) in float32 with
 *                BLAS for the matrix products.
 *   embed.c      model file loading, batching and threading behind the public saetm_embed* calls.
 *   convert.c    build-time conversion of the npm package (TF.js graph model) to a saetm model file.
 */
#ifndef SAETM_EMBED_INT_H
#define SAETM_EMBED_INT_H

#include <stddef.h>
#include <stdint.h>

#include "saetm_int.h"

/* The model file (docs/FORMAT.md, docs/EMBED.md): written by convert.c, read by embed.c. */
#define SAETM__EMBED_MAGIC "SAETMEMB"
#define SAETM__EMBED_VERSION 1

/* ------------------------------------------------------------------------------------------- */
/* Tokenizer                                                                                   */
/* ------------------------------------------------------------------------------------------- */

/* Number of leading reserved pieces that never take part in segmentation ("<unk>"-like entries). */
#define SAETM__TOK_RESERVED 6u

typedef struct saetm__tok {
    uint32_t n_pieces;
    uint8_t *len16;      /* per piece: length in UTF-16 code units (what the reference backtracks by) */
    /* trie over code points: node 0 is the root */
    uint32_t n_nodes;
    int32_t *node_piece; /* piece id ending at this node, -1 if none */
    double *node_score;  /* that piece's score */
    /* open-addressing hash (parent node, code point) -> child node */
    uint64_t *hkey;      /* (parent << 21 | cp) + 1, 0 = empty slot */
    uint32_t *hval;
    uint64_t hmask;
} saetm__tok;

/* Reusable scratch memory for saetm__tok_encode (one per thread). Zero-initialise before first use. */
typedef struct saetm__tok_ws {
    uint32_t *cp;   size_t cp_cap;     /* decoded / normalised code points */
    char *u8;       size_t u8_cap;     /* UTF-8 re-encoding */
    double *best;   size_t best_cap;
    int32_t *words; size_t words_cap;
    int32_t *ids;   size_t ids_cap;    /* result */
} saetm__tok_ws;

/* Builds the tokenizer from n pieces (UTF-8 strings with byte lengths) and their scores.
 * Pieces [0, SAETM__TOK_RESERVED) are kept for ids only. @return 0, or -1 on allocation failure,
 * -2 when a piece is not valid UTF-8 or empty. */
int saetm__tok_init(saetm__tok *t, uint32_t n, const char *const *pieces, const uint32_t *lens,
                    const double *scores);
void saetm__tok_free(saetm__tok *t);

/* Tokenizes len bytes (any bytes: invalid UTF-8 is decoded with U+FFFD replacement, WHATWG rules).
 * On success *ids points into ws (valid until the next call with ws) and the count is returned;
 * -1 on allocation failure or input too large (> 2^31 code points). Thread-safe for distinct ws. */
int64_t saetm__tok_encode(const saetm__tok *t, const char *bytes, size_t len, saetm__tok_ws *ws,
                          const int32_t **ids);
void saetm__tok_ws_free(saetm__tok_ws *ws);

/* WHATWG UTF-8 decode of len bytes into out (capacity >= len code points). @return count. */
size_t saetm__utf8_decode_whatwg(const unsigned char *s, size_t len, uint32_t *out);

/* ------------------------------------------------------------------------------------------- */
/* Network weights (all row-major float32; matrices are [in x out], applied as x @ W + b)      */
/* ------------------------------------------------------------------------------------------- */

#define SAETM__USE_LAYERS 2

typedef struct saetm__use_layer {
    uint32_t d_in;            /* width of the layer input (256 for layer 0, 512 for layer 1) */
    uint32_t heads, depth;    /* attention heads and per-head width: heads * depth == d_in */
    float att_scale;          /* query scale, 1/sqrt(depth) as stored in the graph */
    const float *ln1_g, *ln1_b;   /* [d_in]  layer norm before attention */
    const float *res_w, *res_b;   /* [d_in x d_model], [d_model]: residual projection, NULL if d_in == d_model */
    const float *qkv_w, *qkv_b;   /* [d_in x 3 d_in], [3 d_in] */
    const float *out_w, *out_b;   /* [d_in x d_model], [d_model] */
    const float *ln2_g, *ln2_b;   /* [d_model] layer norm before the feed-forward block */
    const float *ff1_w, *ff1_b;   /* [d_model x d_ff], [d_ff] */
    const float *ff2_w, *ff2_b;   /* [d_ff x d_model], [d_model] */
} saetm__use_layer;

typedef struct saetm__use {
    uint32_t vocab_rows;      /* rows of tok_emb (8002) */
    uint32_t d_emb;           /* token embedding width (256) */
    uint32_t d_model;         /* output width (512) */
    uint32_t d_ff;            /* feed-forward width (1536) */
    uint32_t max_len;         /* tokens kept per document (128); later ones are dropped */
    float ln_eps, l2_eps;
    const float *tok_emb;     /* [vocab_rows x d_emb] */
    float *timing;            /* [max_len x d_emb] sin/cos position signal, computed at load */
    saetm__use_layer layer[SAETM__USE_LAYERS];
    const float *fin_w, *fin_b;   /* [d_model x d_model], [d_model]: tanh output layer */
} saetm__use;

/* Per-thread scratch for saetm__use_forward. Zero-initialise; grows on demand. */
typedef struct saetm__use_ws {
    float *buf;
    size_t cap;               /* floats */
} saetm__use_ws;

/* Builds m->timing from the inverse timescales inv[d_emb / 2]. @return 0 or -1 (no memory). */
int saetm__use_timing(saetm__use *m, const float *inv);

/* Embeds n_docs documents whose token ids (already clipped to max_len) are
 * ids[off[i] .. off[i+1]) (off[0] need not be 0); writes n_docs x d_model unit vectors to out (row stride d_model).
 * Single-threaded apart from BLAS. @return 0, or -1 when scratch memory cannot be had. */
int saetm__use_forward(const saetm__use *m, const int32_t *ids, const uint32_t *off, uint32_t n_docs,
                       saetm__use_ws *ws, float *out);
void saetm__use_ws_free(saetm__use_ws *ws);

/* ------------------------------------------------------------------------------------------- */
/* Conversion (convert.c)                                                                      */
/* ------------------------------------------------------------------------------------------- */

/* Converts the npm package's dist/ directory (model.json, weight shards, vocab.json; the
 * package.json one level up) into a saetm embedder file at out_path (written atomically). */
saetm_status saetm__embed_convert(saetm_ctx *ctx, const char *dist_dir, const char *out_path);

#endif /* SAETM_EMBED_INT_H */
