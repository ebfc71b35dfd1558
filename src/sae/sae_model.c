/*
 * sae_model.c - the SAE model: configuration defaults and checks, the saetm_sae object, its
 * accessors and the .saem file (magic SAETMSAE, version 1; sections in docs/FORMAT.md).
 */
#include "sae_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Architectures and configuration
 * ==================================================================== */

static const char *const arch_names[] = {"batchtopk", "topk", "relu-l1", "jumprelu"};
#define N_ARCH 4

const char *saetm_sae_arch_name(saetm_sae_arch arch)
{
    return (unsigned)arch < N_ARCH ? arch_names[arch] : "?";
}

saetm_status saetm_sae_arch_parse(saetm_ctx *ctx, const char *name, saetm_sae_arch *out)
{
    for (int i = 0; i < N_ARCH; i++)
        if (name && strcmp(name, arch_names[i]) == 0) {
            *out = (saetm_sae_arch)i;
            return SAETM_OK;
        }
    return saetm__fail(ctx, SAETM_ERR_ARG, "unknown SAE architecture '%s' (expected batchtopk, topk, relu-l1 or jumprelu)",
                       name ? name : "(null)");
}

static const char *const init_names[] = {"random", "data", "neighbors"};
#define N_INIT 3

const char *saetm_sae_init_name(saetm_sae_init init)
{
    return (unsigned)init < N_INIT ? init_names[init] : "?";
}

saetm_status saetm_sae_init_parse(saetm_ctx *ctx, const char *name, saetm_sae_init *out)
{
    for (int i = 0; i < N_INIT; i++)
        if (name && strcmp(name, init_names[i]) == 0) {
            *out = (saetm_sae_init)i;
            return SAETM_OK;
        }
    return saetm__fail(ctx, SAETM_ERR_ARG, "unknown SAE initialisation '%s' (expected random, data or neighbors)",
                       name ? name : "(null)");
}

void saetm_sae_config_default(saetm_sae_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->arch = SAETM_SAE_BATCHTOPK;
    cfg->k = 32;
    cfg->n_features = 0;
    cfg->expansion = 64;
    cfg->batch = 4096;
    cfg->lr = 1e-3;
    cfg->warmup = 0.1;
    cfg->epochs = 0;
    cfg->steps = 0;
    cfg->l1 = 1.0;
    cfg->l0 = 1.0;
    cfg->jump_bandwidth = 0.001;
    cfg->auxk_alpha = 1.0 / 32.0;
    cfg->k_aux = 0;
    cfg->dead_samples = 0;
    cfg->grad_clip = 1.0;
    cfg->adam_beta1 = 0.9;
    cfg->adam_beta2 = 0.999;
    cfg->adam_eps = 1e-8;
    cfg->median_sample = 8192;
    cfg->seed = 1;
}

uint32_t saetm__sae_features(const saetm_sae_config *cfg, uint32_t d)
{
    if (cfg->n_features) return cfg->n_features;
    uint64_t F = (uint64_t)cfg->expansion * d;
    return F > UINT32_MAX ? 0 : (uint32_t)F;
}

#define MAX_FEATURES (1u << 26)
#define MAX_NAME 255

const char *saetm_sae_config_check(const saetm_sae_config *cfg, uint32_t d)
{
    if (!cfg) return "no configuration";
    if ((unsigned)cfg->arch >= N_ARCH) return "arch: unknown architecture";
    if ((unsigned)cfg->init >= N_INIT) return "init: unknown initialisation";
    if (cfg->k == 0) return "k must be at least 1";
    if (cfg->n_features == 0 && cfg->expansion == 0) return "expansion must be at least 1 (or set the number of features)";
    if (cfg->n_features > MAX_FEATURES) return "features: at most 67,108,864";
    if (cfg->batch == 0) return "batch must be at least 1";
    if (!(cfg->lr > 0.0) || !isfinite(cfg->lr)) return "lr must be a positive number";
    if (!(cfg->warmup >= 0.0 && cfg->warmup < 1.0)) return "warmup must be a fraction in [0, 1)";
    if (!(cfg->l1 >= 0.0) || !isfinite(cfg->l1)) return "l1 must be >= 0";
    if (!(cfg->l0 >= 0.0) || !isfinite(cfg->l0)) return "l0 must be >= 0";
    if (!(cfg->jump_bandwidth > 0.0) || !isfinite(cfg->jump_bandwidth)) return "jump_bandwidth must be > 0";
    if (!(cfg->auxk_alpha >= 0.0) || !isfinite(cfg->auxk_alpha)) return "auxk_alpha must be >= 0";
    if (!(cfg->grad_clip >= 0.0) || !isfinite(cfg->grad_clip)) return "grad_clip must be >= 0 (0 = off)";
    if (!(cfg->adam_beta1 >= 0.0 && cfg->adam_beta1 < 1.0)) return "adam_beta1 must be in [0, 1)";
    if (!(cfg->adam_beta2 >= 0.0 && cfg->adam_beta2 < 1.0)) return "adam_beta2 must be in [0, 1)";
    if (!(cfg->adam_eps > 0.0) || !isfinite(cfg->adam_eps)) return "adam_eps must be > 0";
    if (cfg->median_sample == 0) return "median_sample must be at least 1";
    if (cfg->checkpoint_every > 0 && (!cfg->checkpoint_path || !cfg->checkpoint_path[0]))
        return "checkpoint_every needs a checkpoint_path";
    if (cfg->embedder && strlen(cfg->embedder) > MAX_NAME) return "embedder name longer than 255 bytes";
    if (d > 0) {
        if ((uint64_t)cfg->expansion * d > MAX_FEATURES && cfg->n_features == 0)
            return "expansion * dimension exceeds 67,108,864 features";
        uint32_t F = saetm__sae_features(cfg, d);
        if (cfg->k > F) return "k must not exceed the number of features";
        if (cfg->k_aux > F) return "k_aux must not exceed the number of features";
    }
    return NULL;
}

/* ======================================================================
 * The object
 * ==================================================================== */

saetm_status saetm__sae_alloc(saetm_ctx *ctx, const saetm_sae_config *cfg, uint32_t d, uint32_t F, saetm_sae **out)
{
    *out = NULL;
    saetm_sae *s = calloc(1, sizeof *s);
    if (!s) return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE: out of memory");
    s->cfg = *cfg;
    s->cfg.checkpoint_every = 0;
    s->cfg.checkpoint_path = NULL;
    s->cfg.n_features = F;
    s->embedder = saetm__strdup(cfg->embedder ? cfg->embedder : "");
    s->cfg.embedder = s->embedder;
    s->d = d;
    s->F = F;
    s->k = cfg->k;
    s->w_enc = saetm__calloc_aligned((size_t)F * d, sizeof(float));
    s->w_dec = saetm__calloc_aligned((size_t)F * d, sizeof(float));
    s->b_enc = saetm__calloc_aligned(F, sizeof(float));
    s->b_dec = saetm__calloc_aligned(d, sizeof(float));
    s->theta = saetm__calloc_aligned(F, sizeof(float));
    if (!s->embedder || !s->w_enc || !s->w_dec || !s->b_enc || !s->b_dec || !s->theta) {
        saetm_sae_free(s);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "SAE: out of memory for %u x %u weights", F, d);
    }
    *out = s;
    return SAETM_OK;
}

void saetm_sae_free(saetm_sae *s)
{
    if (!s) return;
    free(s->embedder);
    saetm__free_aligned(s->w_enc);
    saetm__free_aligned(s->w_dec);
    saetm__free_aligned(s->b_enc);
    saetm__free_aligned(s->b_dec);
    saetm__free_aligned(s->theta);
    free(s);
}

uint32_t saetm_sae_dim(const saetm_sae *s) { return s->d; }
uint32_t saetm_sae_features(const saetm_sae *s) { return s->F; }
uint32_t saetm_sae_k(const saetm_sae *s) { return s->k; }
saetm_sae_arch saetm_sae_get_arch(const saetm_sae *s) { return s->cfg.arch; }
const char *saetm_sae_embedder(const saetm_sae *s) { return s->embedder; }
void saetm_sae_get_config(const saetm_sae *s, saetm_sae_config *cfg) { *cfg = s->cfg; }
const float *saetm_sae_decoder(const saetm_sae *s) { return s->w_dec; }
const float *saetm_sae_decoder_bias(const saetm_sae *s) { return s->b_dec; }
const float *saetm_sae_encoder(const saetm_sae *s) { return s->w_enc; }
const float *saetm_sae_encoder_bias(const saetm_sae *s) { return s->b_enc; }
const float *saetm_sae_thresholds(const saetm_sae *s) { return s->theta; }
void saetm_sae_get_stats(const saetm_sae *s, saetm_sae_stats *out) { *out = s->stats; }

saetm_status saetm_sae_check_input(saetm_ctx *ctx, const saetm_sae *s, const char *name, uint64_t d)
{
    if (d != s->d)
        return saetm__fail(ctx, SAETM_ERR_SHAPE, "embeddings have %llu columns but the SAE was trained on %u-dimensional embeddings",
                           (unsigned long long)d, s->d);
    if (name && name[0] && s->embedder[0] && strcmp(name, s->embedder) != 0)
        return saetm__fail(ctx, SAETM_ERR_INPUT,
                           "embeddings come from embedder '%s' but the SAE was trained on embeddings from '%s'", name,
                           s->embedder);
    return SAETM_OK;
}

/* ======================================================================
 * Configuration sections (shared with checkpoints)
 * ==================================================================== */

#define CFG_U_N 12
#define CFG_F_N 10

saetm_status saetm__sae_write_config(saetm_ctx *ctx, saetm__cwriter *w, const saetm_sae_config *c, uint32_t d,
                                     uint32_t F)
{
    uint64_t u[CFG_U_N] = {(uint64_t)c->arch, d, F, c->k, c->expansion, c->batch, c->epochs, c->steps,
                           c->k_aux, c->dead_samples, c->median_sample, c->seed};
    double f[CFG_F_N] = {c->lr, c->warmup, c->l1, c->l0, c->jump_bandwidth, c->auxk_alpha, c->grad_clip,
                         c->adam_beta1, c->adam_beta2, c->adam_eps};
    const char *name = c->embedder ? c->embedder : "";
    saetm_status st = saetm__cw_section(ctx, w, "config_u", SAETM__U64, u, CFG_U_N, 1);
    if (!st) st = saetm__cw_section(ctx, w, "config_f", SAETM__F64, f, CFG_F_N, 1);
    if (!st) st = saetm__cw_section(ctx, w, "embedder", SAETM__U8, name, strlen(name) + 1, 1);
    /* Optional, so that files of the random start keep their bytes and older files still load. */
    uint64_t init = (uint64_t)c->init;
    if (!st && c->init != SAETM_SAE_INIT_RANDOM) st = saetm__cw_section(ctx, w, "config_init", SAETM__U64, &init, 1, 1);
    return st;
}

saetm_status saetm__sae_read_config(saetm_ctx *ctx, const saetm__creader *r, saetm_sae_config *c, uint32_t *d,
                                    uint32_t *F, char **embedder)
{
    *embedder = NULL;
    const void *up = NULL, *fp = NULL, *np = NULL;
    uint64_t nu = CFG_U_N, nf = CFG_F_N, nn = 0;
    saetm_status st = saetm__cr_get(ctx, r, "config_u", SAETM__U64, &up, &nu, NULL);
    if (!st) st = saetm__cr_get(ctx, r, "config_f", SAETM__F64, &fp, &nf, NULL);
    if (!st) st = saetm__cr_get(ctx, r, "embedder", SAETM__U8, &np, &nn, NULL);
    if (st) return st;
    uint64_t u[CFG_U_N];
    double f[CFG_F_N];
    memcpy(u, up, sizeof u);
    memcpy(f, fp, sizeof f);
    const char *name = np;
    if (nn == 0 || nn > MAX_NAME + 1 || memchr(name, 0, (size_t)nn) != name + nn - 1)
        return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: embedder name is not a NUL-terminated string", r->path);
    saetm_sae_config_default(c);
    c->arch = (saetm_sae_arch)u[0];
    int too_big = u[0] >= N_ARCH || u[1] == 0 || u[1] > UINT32_MAX || u[2] == 0 || u[2] > MAX_FEATURES ||
                  u[3] > UINT32_MAX || u[4] > UINT32_MAX || u[5] > UINT32_MAX || u[6] > UINT32_MAX ||
                  u[8] > UINT32_MAX || u[10] > UINT32_MAX || u[1] * u[2] > ((uint64_t)1 << 40);
    if (too_big) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: impossible SAE configuration values", r->path);
    *d = (uint32_t)u[1];
    *F = (uint32_t)u[2];
    c->k = (uint32_t)u[3];
    c->expansion = (uint32_t)u[4];
    c->n_features = *F;
    c->batch = (uint32_t)u[5];
    c->epochs = (uint32_t)u[6];
    c->steps = u[7];
    c->k_aux = (uint32_t)u[8];
    c->dead_samples = u[9];
    c->median_sample = (uint32_t)u[10];
    c->seed = u[11];
    c->lr = f[0];
    c->warmup = f[1];
    c->l1 = f[2];
    c->l0 = f[3];
    c->jump_bandwidth = f[4];
    c->auxk_alpha = f[5];
    c->grad_clip = f[6];
    c->adam_beta1 = f[7];
    c->adam_beta2 = f[8];
    c->adam_eps = f[9];
    if (saetm__cr_has(r, "config_init")) {
        const void *ip = NULL;
        uint64_t ni = 1;
        st = saetm__cr_get(ctx, r, "config_init", SAETM__U64, &ip, &ni, NULL);
        if (st) return st;
        uint64_t init;
        memcpy(&init, ip, sizeof init);
        if (init >= N_INIT) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: unknown SAE initialisation %llu", r->path,
                                               (unsigned long long)init);
        c->init = (saetm_sae_init)init;
    }
    const char *why = saetm_sae_config_check(c, *d);
    if (why) return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: stored SAE configuration is invalid: %s", r->path, why);
    *embedder = saetm__strdup(name);
    if (!*embedder) return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", r->path);
    return SAETM_OK;
}

/* ======================================================================
 * .saem files
 * ==================================================================== */

#define STATS_N 7

/* A float32 matrix as an f16 section. */
static saetm_status write_half(saetm_ctx *ctx, saetm__cwriter *w, const char *name, const float *x, uint64_t rows,
                               uint64_t cols)
{
    uint16_t buf[4096];
    saetm_status st = saetm__cw_begin(ctx, w, name, SAETM__F16, cols);
    for (uint64_t r = 0; r < rows && !st; r++)
        for (uint64_t c0 = 0; c0 < cols && !st; c0 += 4096) {
            uint64_t n = cols - c0 < 4096 ? cols - c0 : 4096;
            for (uint64_t c = 0; c < n; c++) buf[c] = saetm__f32_to_f16(x[r * cols + c0 + c]);
            st = saetm__cw_append(ctx, w, buf, n * sizeof buf[0]);
        }
    return st ? st : saetm__cw_end(ctx, w);
}

static saetm_status save(saetm_ctx *ctx, const saetm_sae *s, const char *path, int half)
{
    saetm__cwriter *w;
    saetm_status st = saetm__cw_open(ctx, path, SAETM__SAE_MAGIC, SAETM__SAE_VERSION, &w);
    if (st) return st;
    const saetm_sae_stats *t = &s->stats;
    double stats[STATS_N] = {(double)t->rows, (double)t->steps, t->epochs, t->mse, t->fvu, t->mean_l0,
                             t->dead_fraction};
    st = saetm__sae_write_config(ctx, w, &s->cfg, s->d, s->F);
    if (!st) st = half ? write_half(ctx, w, "W_enc", s->w_enc, s->F, s->d)
                       : saetm__cw_section(ctx, w, "W_enc", SAETM__F32, s->w_enc, s->F, s->d);
    if (!st) st = saetm__cw_section(ctx, w, "b_enc", SAETM__F32, s->b_enc, s->F, 1);
    if (!st) st = half ? write_half(ctx, w, "W_dec", s->w_dec, s->F, s->d)
                       : saetm__cw_section(ctx, w, "W_dec", SAETM__F32, s->w_dec, s->F, s->d);
    if (!st) st = saetm__cw_section(ctx, w, "b_dec", SAETM__F32, s->b_dec, s->d, 1);
    if (!st) st = saetm__cw_section(ctx, w, "threshold", SAETM__F32, s->theta, s->F, 1);
    if (!st) st = saetm__cw_section(ctx, w, "stats", SAETM__F64, stats, STATS_N, 1);
    if (st) {
        saetm__cw_abort(w);
        return st;
    }
    return saetm__cw_commit(ctx, w);
}

saetm_status saetm_sae_save(saetm_ctx *ctx, const saetm_sae *s, const char *path) { return save(ctx, s, path, 0); }
saetm_status saetm_sae_save_half(saetm_ctx *ctx, const saetm_sae *s, const char *path) { return save(ctx, s, path, 1); }

saetm_status saetm__sae_copy_section(saetm_ctx *ctx, const saetm__creader *r, const char *name, saetm__dtype dt,
                                     uint64_t rows, uint64_t cols, void *dst)
{
    const void *p = NULL;
    uint64_t nr = rows, nc = cols;
    saetm_status st = saetm__cr_get(ctx, r, name, dt, &p, &nr, &nc);
    if (st) return st;
    memcpy(dst, p, (size_t)(rows * cols) * saetm__dtype_size(dt));
    return SAETM_OK;
}

/* Copy a float section (f32, or f16 widened to f32) of the expected shape, refusing non-finite
 * values. */
static saetm_status read_floats(saetm_ctx *ctx, const saetm__creader *r, const char *name, uint64_t rows,
                                uint64_t cols, float *dst)
{
    saetm_status st;
    if (saetm__cr_dtype(r, name) == SAETM__F16) {
        const void *p = NULL;
        uint64_t nr = rows, nc = cols;
        st = saetm__cr_get(ctx, r, name, SAETM__F16, &p, &nr, &nc);
        if (st) return st;
        const unsigned char *b = p;
        for (uint64_t i = 0; i < rows * cols; i++) {
            uint16_t h;
            memcpy(&h, b + 2 * i, 2);
            dst[i] = saetm__f16_to_f32(h);
        }
    } else {
        st = saetm__sae_copy_section(ctx, r, name, SAETM__F32, rows, cols, dst);
    }
    if (st) return st;
    for (uint64_t i = 0; i < rows * cols; i++)
        if (!isfinite(dst[i]))
            return saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: section '%s' holds a non-finite value at row %llu", r->path,
                               name, (unsigned long long)(i / cols));
    return SAETM_OK;
}

saetm_status saetm_sae_load(saetm_ctx *ctx, const char *path, saetm_sae **out)
{
    *out = NULL;
    saetm__creader r;
    saetm_status st = saetm__cr_open(ctx, path, NULL, UINT32_MAX, &r);
    if (st) return st;
    if (memcmp(r.map.data, SAETM__CKPT_MAGIC, 8) == 0) {
        saetm__cr_close(&r);
        return saetm__fail(ctx, SAETM_ERR_FORMAT,
                           "%s: this is a training checkpoint, not a trained SAE (continue it with saetm train --resume)",
                           path);
    }
    saetm__cr_close(&r);
    st = saetm__cr_open(ctx, path, SAETM__SAE_MAGIC, SAETM__SAE_VERSION, &r);
    if (st) return st;
    saetm_sae_config cfg;
    uint32_t d = 0, F = 0;
    char *name = NULL;
    saetm_sae *s = NULL;
    st = saetm__sae_read_config(ctx, &r, &cfg, &d, &F, &name);
    if (!st) {
        /* The weights must be in the file before memory is set aside for them: a configuration
         * that lies about d or F is refused here, not after an allocation of its size. */
        const void *p = NULL;
        uint64_t nr = F, nc = d;
        st = saetm__cr_get(ctx, &r, "W_enc", saetm__cr_dtype(&r, "W_enc") == SAETM__F16 ? SAETM__F16 : SAETM__F32, &p,
                           &nr, &nc);
    }
    if (!st) {
        cfg.embedder = name;
        st = saetm__sae_alloc(ctx, &cfg, d, F, &s);
    }
    free(name);
    if (!st) st = read_floats(ctx, &r, "W_enc", F, d, s->w_enc);
    if (!st) st = read_floats(ctx, &r, "b_enc", F, 1, s->b_enc);
    if (!st) st = read_floats(ctx, &r, "W_dec", F, d, s->w_dec);
    if (!st) st = read_floats(ctx, &r, "b_dec", d, 1, s->b_dec);
    if (!st) st = read_floats(ctx, &r, "threshold", F, 1, s->theta);
    if (!st) {
        const void *p = NULL;
        uint64_t n = STATS_N;
        st = saetm__cr_get(ctx, &r, "stats", SAETM__F64, &p, &n, NULL);
        if (!st) {
            double v[STATS_N];
            memcpy(v, p, sizeof v);
            s->stats.rows = v[0] >= 0.0 && v[0] < 1e18 ? (uint64_t)v[0] : 0;
            s->stats.steps = v[1] >= 0.0 && v[1] < 1e18 ? (uint64_t)v[1] : 0;
            s->stats.epochs = v[2];
            s->stats.mse = v[3];
            s->stats.fvu = v[4];
            s->stats.mean_l0 = v[5];
            s->stats.dead_fraction = v[6];
        }
    }
    saetm__cr_close(&r);
    if (st) {
        saetm_sae_free(s);
        return st;
    }
    *out = s;
    return SAETM_OK;
}

/* ======================================================================
 * The foundational SAE
 * ==================================================================== */

saetm_status saetm_sae_default_path(saetm_ctx *ctx, const char *embedder, char *buf, size_t cap)
{
    const char *name = embedder && embedder[0] ? embedder : "use-lite-en";
    size_t len = strcspn(name, "@"); /* "NAME@VERSION": the file is named by NAME only */
    char file[MAX_NAME + 32], tried[8192];
    if (len > MAX_NAME || len == 0 || memchr(name, '/', len))
        return saetm__fail(ctx, SAETM_ERR_ARG, "no foundational SAE for embedder '%s' (bad name)", name);
    snprintf(file, sizeof file, SAETM_FOUNDATION_PREFIX "%.*s.saem", (int)len, name);
    char path[4096];
    if (saetm__find_model(file, path, sizeof path, tried, sizeof tried))
        return saetm__fail(ctx, SAETM_ERR_IO,
                           "no default SAE (%s) found: looked for %s. `make` installs the shipped one into "
                           "build/models/, `make foundation-sae` rebuilds it; or set SAETM_MODEL_DIR to the "
                           "directory that holds it",
                           file, tried);
    if (strlen(path) >= cap) return saetm__fail(ctx, SAETM_ERR_ARG, "default SAE path longer than %zu bytes", cap);
    memcpy(buf, path, strlen(path) + 1);
    return SAETM_OK;
}

/* ======================================================================
 * Comparing configurations (resuming work with the same settings)
 * ==================================================================== */

const char *saetm_sae_config_diff(const saetm_sae_config *a, const saetm_sae_config *b, uint32_t d)
{
    if (a->arch != b->arch) return "arch";
    if (a->k != b->k) return "k";
    if (saetm__sae_features(a, d) != saetm__sae_features(b, d)) return "features";
    if (a->batch != b->batch) return "batch";
    if (a->lr != b->lr) return "lr";
    if (a->warmup != b->warmup) return "warmup";
    if (a->epochs != b->epochs) return "epochs";
    if (a->steps != b->steps) return "steps";
    if (a->l1 != b->l1) return "l1";
    if (a->l0 != b->l0) return "l0";
    if (a->jump_bandwidth != b->jump_bandwidth) return "jump_bandwidth";
    if (a->auxk_alpha != b->auxk_alpha) return "auxk_alpha";
    if (a->k_aux != b->k_aux) return "k_aux";
    if (a->dead_samples != b->dead_samples) return "dead_samples";
    if (a->grad_clip != b->grad_clip) return "grad_clip";
    if (a->adam_beta1 != b->adam_beta1) return "adam_beta1";
    if (a->adam_beta2 != b->adam_beta2) return "adam_beta2";
    if (a->adam_eps != b->adam_eps) return "adam_eps";
    if (a->median_sample != b->median_sample) return "median_sample";
    if (a->init != b->init) return "init";
    if (a->seed != b->seed) return "seed";
    if (a->embedder && b->embedder && a->embedder[0] && b->embedder[0] && strcmp(a->embedder, b->embedder) != 0)
        return "embedder";
    return NULL;
}

saetm_status saetm_sae_checkpoint_config(saetm_ctx *ctx, const char *checkpoint, saetm_sae_config *cfg, uint32_t *d,
                                         char *embedder, size_t cap)
{
    saetm__creader r;
    saetm_status st = saetm__cr_open(ctx, checkpoint, SAETM__CKPT_MAGIC, SAETM__CKPT_VERSION, &r);
    if (st) return st;
    uint32_t F = 0;
    char *name = NULL;
    st = saetm__sae_read_config(ctx, &r, cfg, d, &F, &name);
    saetm__cr_close(&r);
    if (st) return st;
    cfg->embedder = NULL;
    cfg->checkpoint_every = 0;
    cfg->checkpoint_path = NULL;
    if (embedder && cap) snprintf(embedder, cap, "%s", name);
    free(name);
    return SAETM_OK;
}

const saetm__file_kind saetm__sae_kind = {SAETM__SAE_MAGIC, NULL};
const saetm__file_kind saetm__ckpt_kind = {SAETM__CKPT_MAGIC, NULL};
