/*
 * forward.c - forward pass of the Universal Sentence Encoder Lite network, hand-written from the
 * structure of the TF.js graph (docs/EMBED.md maps every graph op to the code below).
 *
 * A batch of documents is processed as one matrix of all their tokens (no padding): every dense
 * layer is a single BLAS sgemm over the stacked token rows; attention and pooling run per
 * document. In the graph, padded positions are excluded from attention by a -1e9 bias (their
 * softmax weight is exactly 0 in float32) and from the FFN and pooling by gather/scatter on the
 * mask, so computing each document on its own tokens only gives the same values.
 *
 * Per document of n tokens t_0..t_{n-1} (n <= 128):
 *   x   = E[t] + (E[t] + timing)                 (the graph adds the signal to a copy: 2E + timing)
 *   layer 0 (width 256 -> 512), layer 1 (512):
 *     h = LN1(x);  a = MHA(h) W_out + b_out;  y = a + (layer 0: x W_res + b_res, layer 1: x)
 *     x = (relu(LN2(y) W_1 + b_1) W_2 + b_2) + y
 *   p   = mean over the n positions of x         (n = 0 gives p = 0)
 *   out = tanh(p W_f + b_f), scaled to unit L2 norm (sum of squares floored at 1e-12)
 * LN(v) = (g * rsqrt(var(v) + eps)) * (v - mean(v)) + b with eps = 1e-6, population variance.
 */
#include "embed_int.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "saetm_int.h"

/* ------------------------------------------------------------------------------------------- */
/* Small kernels                                                                               */
/* ------------------------------------------------------------------------------------------- */

/* C[m x n] = A[m x k] (row stride lda) @ B[k x n] + beta * C */
static void gemm(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, float beta, float *c)
{
    if (m == 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m, (blasint)n, (blasint)k, 1.0f, a,
                (blasint)lda, b, (blasint)n, beta, c, (blasint)n);
}

/* Every row of c (rows x n) set to bias (init) or increased by it. */
static void bias_rows(float *c, size_t rows, size_t n, const float *bias, int init)
{
    for (size_t r = 0; r < rows; r++) {
        float *row = c + r * n;
        if (init) memcpy(row, bias, n * sizeof *row);
        else
            for (size_t j = 0; j < n; j++) row[j] += bias[j];
    }
}

static void layer_norm(float *dst, const float *src, size_t rows, size_t d, const float *g,
                       const float *b, float eps)
{
    for (size_t r = 0; r < rows; r++) {
        const float *x = src + r * d;
        float *y = dst + r * d;
        float s = 0.0f;
        for (size_t j = 0; j < d; j++) s += x[j];
        float mean = s / (float)d;
        float v = 0.0f;
        for (size_t j = 0; j < d; j++) {
            float c = x[j] - mean;
            v += c * c;
        }
        float rs = 1.0f / sqrtf(v / (float)d + eps);
        for (size_t j = 0; j < d; j++) y[j] = (g[j] * rs) * (x[j] - mean) + b[j];
    }
}

/* Multi-head self-attention of one document: qkv holds n rows of [q | k | v] (width 3 d), the
 * result (heads concatenated, width d) goes to o. q is scaled in place. s: n x n scratch. */
static void attention(const saetm__use_layer *L, float *qkv, size_t n, float *o, float *s)
{
    const size_t d = L->d_in, dh = L->depth, ld = 3 * d;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < d; j++) qkv[r * ld + j] *= L->att_scale;
    for (size_t h = 0; h < L->heads; h++) {
        const float *q = qkv + h * dh, *k = qkv + d + h * dh, *v = qkv + 2 * d + h * dh;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)n, (blasint)n, (blasint)dh, 1.0f, q,
                    (blasint)ld, k, (blasint)ld, 0.0f, s, (blasint)n);
        for (size_t i = 0; i < n; i++) {
            float *row = s + i * n;
            float mx = row[0];
            for (size_t j = 1; j < n; j++) mx = row[j] > mx ? row[j] : mx;
            float sum = 0.0f;
            for (size_t j = 0; j < n; j++) {
                row[j] = expf(row[j] - mx);
                sum += row[j];
            }
            for (size_t j = 0; j < n; j++) row[j] /= sum;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)n, (blasint)dh, (blasint)n, 1.0f, s,
                    (blasint)n, v, (blasint)ld, 0.0f, o + h * dh, (blasint)d);
    }
}

/* ------------------------------------------------------------------------------------------- */
/* Model set-up                                                                                */
/* ------------------------------------------------------------------------------------------- */

int saetm__use_timing(saetm__use *m, const float *inv)
{
    const size_t half = m->d_emb / 2;
    m->timing = saetm__calloc_aligned((size_t)m->max_len * m->d_emb, sizeof(float));
    if (!m->timing) return -1;
    for (size_t p = 0; p < m->max_len; p++) {
        float *row = m->timing + p * m->d_emb;
        for (size_t j = 0; j < half; j++) {
            float a = (float)p * inv[j];
            row[j] = sinf(a);
            row[half + j] = cosf(a);
        }
    }
    return 0;
}

void saetm__use_ws_free(saetm__use_ws *ws)
{
    if (!ws) return;
    saetm__free_aligned(ws->buf);
    ws->buf = NULL;
    ws->cap = 0;
}

static size_t round64(size_t n) { return (n + 15) & ~(size_t)15; } /* floats, to 64 bytes */

/* ------------------------------------------------------------------------------------------- */
/* Forward pass                                                                                */
/* ------------------------------------------------------------------------------------------- */

int saetm__use_forward(const saetm__use *m, const int32_t *ids, const uint32_t *off, uint32_t n_docs,
                       saetm__use_ws *ws, float *out)
{
    const uint32_t base = off[0]; /* rows of this batch: off[0] .. off[n_docs] of ids */
    const size_t T = off[n_docs] - base, de = m->d_emb, dm = m->d_model, dff = m->d_ff;
    const size_t L = m->max_len;
    /* scratch: x0, h, y, qkv, o, f, s, pooled, z */
    size_t sz_x0 = round64(T * de), sz_h = round64(T * dm), sz_y = round64(T * dm);
    size_t sz_qkv = round64(T * 3 * dm), sz_o = round64(T * dm), sz_f = round64(T * dff);
    size_t sz_s = round64(L * L), sz_p = round64((size_t)n_docs * dm);
    size_t need = sz_x0 + sz_h + sz_y + sz_qkv + sz_o + sz_f + sz_s + 2 * sz_p;
    if (ws->cap < need) {
        saetm__free_aligned(ws->buf);
        ws->buf = saetm__calloc_aligned(need, sizeof(float));
        ws->cap = ws->buf ? need : 0;
        if (!ws->buf) return -1;
    }
    float *x0 = ws->buf, *h = x0 + sz_x0, *y = h + sz_h, *qkv = y + sz_y, *o = qkv + sz_qkv;
    float *f = o + sz_o, *s = f + sz_f, *pool = s + sz_s, *z = pool + sz_p;

    /* token embeddings plus the timing signal, added the way the graph does */
    for (uint32_t d = 0; d < n_docs; d++) {
        for (uint32_t r = off[d]; r < off[d + 1]; r++) {
            const float *e = m->tok_emb + (size_t)ids[r] * de;
            const float *t = m->timing + (size_t)(r - off[d]) * de;
            float *x = x0 + (size_t)(r - base) * de;
            for (size_t j = 0; j < de; j++) x[j] = e[j] + (e[j] + t[j]);
        }
    }

    /* Biases enter as the initial value of the output (beta = 1); residual sums accumulate in
     * place: y = (y + b) + o W instead of the graph's (o W + b) + y, a rounding-level change. */
    const float *x = x0;
    for (int l = 0; l < SAETM__USE_LAYERS; l++) {
        const saetm__use_layer *Ly = &m->layer[l];
        const size_t di = Ly->d_in;
        /* attention block */
        layer_norm(h, x, T, di, Ly->ln1_g, Ly->ln1_b, m->ln_eps);
        bias_rows(qkv, T, 3 * di, Ly->qkv_b, 1);
        gemm(T, 3 * di, di, h, di, Ly->qkv_w, 1.0f, qkv);
        for (uint32_t d = 0; d < n_docs; d++) {
            size_t n = off[d + 1] - off[d];
            size_t r0 = off[d] - base;
            if (n) attention(Ly, qkv + r0 * 3 * di, n, o + r0 * di, s);
        }
        if (Ly->res_w) { /* residual projected to the model width */
            bias_rows(y, T, dm, Ly->res_b, 1);
            gemm(T, dm, di, x, di, Ly->res_w, 1.0f, y);
        } else if (x != y) {
            memcpy(y, x, T * dm * sizeof(float));
        }
        bias_rows(y, T, dm, Ly->out_b, 0);
        gemm(T, dm, di, o, di, Ly->out_w, 1.0f, y);
        /* feed-forward block */
        layer_norm(h, y, T, dm, Ly->ln2_g, Ly->ln2_b, m->ln_eps);
        bias_rows(f, T, dff, Ly->ff1_b, 1);
        gemm(T, dff, dm, h, dm, Ly->ff1_w, 1.0f, f);
        for (size_t i = 0; i < T * dff; i++) f[i] = f[i] > 0.0f ? f[i] : 0.0f;
        bias_rows(y, T, dm, Ly->ff2_b, 0);
        gemm(T, dm, dff, f, dff, Ly->ff2_w, 1.0f, y);
        x = y;
    }

    /* mean pooling over each document's positions */
    for (uint32_t d = 0; d < n_docs; d++) {
        float *p = pool + (size_t)d * dm;
        for (size_t j = 0; j < dm; j++) p[j] = 0.0f;
        for (uint32_t r = off[d]; r < off[d + 1]; r++)
            for (size_t j = 0; j < dm; j++) p[j] += y[(size_t)(r - base) * dm + j];
        uint32_t n = off[d + 1] - off[d];
        float denom = (float)(n > 0 ? n : 1);
        for (size_t j = 0; j < dm; j++) p[j] /= denom;
    }
    /* tanh layer and L2 normalisation */
    bias_rows(z, n_docs, dm, m->fin_b, 1);
    gemm(n_docs, dm, dm, pool, dm, m->fin_w, 1.0f, z);
    for (uint32_t d = 0; d < n_docs; d++) {
        float *zr = z + (size_t)d * dm, *orow = out + (size_t)d * dm;
        float ss = 0.0f;
        for (size_t j = 0; j < dm; j++) {
            zr[j] = tanhf(zr[j]);
            ss += zr[j] * zr[j];
        }
        float rs = 1.0f / sqrtf(ss > m->l2_eps ? ss : m->l2_eps);
        for (size_t j = 0; j < dm; j++) orow[j] = zr[j] * rs;
    }
    return 0;
}
