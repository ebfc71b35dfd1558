/*
 * model_dir.c - the model directory of a fit: the paths of its files, the files loaded for
 * re-merging, transforming and sweeping (saetm_model_open), and params.json, written once here
 * (saetm__fit_params_write) and read back with every field's type checked (saetm_model_params_*).
 */
#include "model_int.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *saetm_model_path(saetm_ctx *ctx, const char *dir, const char *name, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) {
        saetm__fail(ctx, SAETM_ERR_ARG, "path %s/%s is too long", dir, name);
        return NULL;
    }
    return buf;
}

int saetm__is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

saetm_status saetm__write_line(saetm_ctx *ctx, const char *path, const char *text)
{
    size_t len = strlen(text);
    char *t = malloc(len + 1);
    if (!t) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory writing %s", path);
    memcpy(t, text, len);
    t[len] = '\n';
    saetm_status st = saetm__write_file_atomic(ctx, path, t, len + 1);
    free(t);
    return st;
}

double saetm__corpus_holdout(const saetm_corpus *c)
{
    cJSON *info = cJSON_Parse(saetm_corpus_info_json(c));
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(info, "holdout");
    double v = cJSON_IsNumber(f) ? f->valuedouble : 0;
    cJSON_Delete(info);
    return v;
}

/* ---------------------------------------------------------------- the files */

saetm_status saetm_model_open(saetm_ctx *ctx, const char *dir, unsigned what, saetm_model_files *m)
{
    char path[4096];
    memset(m, 0, sizeof *m);
    saetm_status st = SAETM_OK;
#define PATH(name) (saetm_model_path(ctx, dir, name, path, sizeof path) ? SAETM_OK : SAETM_ERR_ARG)
    if ((what & SAETM_MODEL_INTERP) && !(st = PATH("interp.sti"))) st = saetm_interp_load(ctx, path, &m->interp);
    if (!st && (what & SAETM_MODEL_CORPUS) && !(st = PATH("corpus.stc"))) {
        st = saetm_corpus_load(ctx, path, &m->corpus);
        if (!st && m->interp && (saetm_corpus_num_docs(m->corpus) != saetm_interp_num_docs(m->interp) ||
                                 saetm_corpus_vocab_size(m->corpus) != saetm_interp_vocab_size(m->interp)))
            st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s/corpus.stc is not the corpus of %s/interp.sti", dir, dir);
    }
    if (!st && (what & SAETM_MODEL_HELDOUT) && !(st = PATH("heldout.stc")) && saetm__is_file(path)) {
        st = saetm_corpus_load(ctx, path, &m->heldout);
        if (!st) m->holdout = saetm__corpus_holdout(m->heldout);
    }
    if (!st && (what & SAETM_MODEL_SAE) && !(st = PATH("sae.saem"))) st = saetm_sae_load(ctx, path, &m->sae);
#undef PATH
    if (st) saetm_model_files_free(m);
    return st;
}

void saetm_model_files_free(saetm_model_files *m)
{
    if (!m) return;
    saetm_interp_free(m->interp);
    saetm_corpus_free(m->corpus);
    saetm_corpus_free(m->heldout);
    saetm_sae_free(m->sae);
    memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- params.json: writing */

/* The corpus and interpretation objects: their option rows (options.c), in the rows' order. */
static void corpus_to_json(const saetm_corpus_opts *o, cJSON *obj)
{
    size_t n;
    const saetm_option *t = saetm_corpus_options(&n);
    saetm__options_json(t, n, o, obj);
}

static void interp_to_json(const saetm_interp_opts *o, cJSON *obj)
{
    size_t n;
    const saetm_option *t = saetm_interp_options(&n);
    saetm__options_json(t, n, o, obj);
}

void saetm__topic_stage_to_json(const saetm_topic_stage *a, cJSON *obj)
{
    size_t n;
    const saetm_option *t = saetm_topic_stage_options(&n);
    saetm__options_json(t, n, a, obj); /* every option but merge (recorded resolved) and no-refit (in refit) */
    cJSON_AddStringToObject(obj, "merge", saetm_topic_stage_merge_name(a));
    cJSON_AddNumberToObject(obj, "frex_weight", a->o.frex_weight); /* from rank frex:W */
    cJSON_AddNumberToObject(obj, "seed", (double)a->o.seed);
}

char *saetm_topic_stage_json(const saetm_topic_stage *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    saetm__topic_stage_to_json(s, o);
    char *t = cJSON_PrintUnformatted(o), *r = t ? saetm__strdup(t) : NULL; /* plain free() for the caller */
    cJSON_free(t);
    cJSON_Delete(o);
    return r;
}

saetm_status saetm__fit_params_write(saetm_ctx *ctx, const saetm_fit_opts *o, const saetm_topic_stage *topics,
                                     const saetm_sae_config *cfg, const char *emb, const char *sae_used,
                                     const saetm_sae *sae, const saetm_interp *it, const saetm_fit_result *r)
{
    char path[4096];
    if (!saetm_model_path(ctx, o->out, "params.json", path, sizeof path)) return SAETM_ERR_ARG;
    cJSON *p = cJSON_CreateObject();
    if (!p) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory writing %s", path);
    cJSON_AddStringToObject(p, "saetm_version", saetm_version());
    cJSON_AddStringToObject(p, "command", "fit");
    cJSON_AddStringToObject(p, "input", o->input);
    cJSON_AddStringToObject(p, "emb", emb);
    cJSON_AddNumberToObject(p, "seed", (double)o->seed);
    cJSON *jc = cJSON_AddObjectToObject(p, "corpus"), *js = cJSON_AddObjectToObject(p, "sae");
    corpus_to_json(&o->corpus, jc);
    cJSON_AddNumberToObject(jc, "holdout", o->holdout); /* not read back: transform reads every document */
    if (sae_used) {
        cJSON_AddStringToObject(js, "file", sae_used);
    } else {
        size_t n;
        const saetm_option *t = saetm_sae_options(&n);
        saetm__options_json(t, n, cfg, js);
        /* the number trained (sized to the corpus when the option was left at 0) */
        cJSON_ReplaceItemInObjectCaseSensitive(js, "features", cJSON_CreateNumber(saetm_sae_features(sae)));
    }
    interp_to_json(&o->interp, cJSON_AddObjectToObject(p, "interpret"));
    saetm__topic_stage_to_json(topics, cJSON_AddObjectToObject(p, "topics"));
    cJSON *jr = cJSON_AddObjectToObject(p, "results");
    cJSON_AddNumberToObject(jr, "documents", (double)r->docs);
    if (r->has_scores) {
        cJSON_AddNumberToObject(jr, "heldout_documents", (double)r->heldout_docs);
        cJSON *je = cJSON_AddObjectToObject(jr, "evaluation");
        cJSON_AddItemToObject(je, "in_sample", saetm__score_json(&r->scores[0]));
        cJSON_AddItemToObject(je, "held_out", saetm__score_json(&r->scores[1]));
        cJSON_AddNumberToObject(je, "holdout_fraction", o->holdout);
    }
    cJSON_AddNumberToObject(jr, "vocabulary", r->vocab);
    cJSON_AddNumberToObject(jr, "embedding_dim", (double)r->embedding_dim);
    cJSON_AddNumberToObject(jr, "features", r->features);
    cJSON_AddNumberToObject(jr, "interpret_nll", saetm_interp_nll(it));
    cJSON_AddNumberToObject(jr, "interpret_iterations", saetm_interp_iterations(it));
    cJSON_AddNumberToObject(jr, "pi", saetm_interp_pi(it));
    cJSON_AddNumberToObject(jr, "seconds_corpus", r->seconds_corpus);
    cJSON_AddNumberToObject(jr, "seconds_sae", r->seconds_sae);
    cJSON_AddNumberToObject(jr, "seconds_interpret", r->seconds_interpret);
    cJSON_AddNumberToObject(jr, "seconds_topics", r->seconds_topics);
    char *text = cJSON_Print(p);
    cJSON_Delete(p);
    saetm_status st = text ? saetm__write_file_atomic(ctx, path, text, strlen(text))
                           : saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory writing %s", path);
    cJSON_free(text);
    return st;
}

/* ---------------------------------------------------------------- params.json: reading */

saetm_status saetm__json_read(saetm_ctx *ctx, const char *path, cJSON **out)
{
    *out = NULL;
    saetm__mapped m;
    saetm_status st = saetm__map_file(ctx, path, &m);
    if (st) return st;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts((const char *)m.data, m.size, &end, 0);
    if (!j) {
        size_t pos = end && end >= (const char *)m.data ? (size_t)(end - (const char *)m.data) : 0, line = 1;
        for (size_t i = 0; i < pos && i < m.size; i++) line += m.data[i] == '\n';
        st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: line %zu: not valid JSON", path, line);
    }
    saetm__unmap(&m);
    *out = j;
    return st;
}

struct saetm_model_params {
    cJSON *root;
};

/* The fields read back and their JSON types: a field of another type is a broken file. */
typedef enum { J_NUM, J_STR, J_BOOL } jkind;
static const struct {
    const char *section, *key;
    jkind kind;
} FIELDS[] = {
    {"corpus", "format", J_STR}, {"corpus", "text_field", J_STR}, {"corpus", "id_field", J_STR},
    {"corpus", "date_field", J_STR}, {"corpus", "group_field", J_STR}, {"corpus", "preprocess", J_STR},
    {"corpus", "stopwords", J_STR}, {"corpus", "min_df", J_NUM}, {"corpus", "max_df", J_NUM},
    {"corpus", "max_vocab", J_NUM}, {"corpus", "snippet_chars", J_NUM},
    {"topics", "k", J_NUM}, {"topics", "tau", J_NUM}, {"topics", "space", J_STR}, {"topics", "word_vectors", J_STR},
    {"topics", "word_list", J_STR}, {"topics", "decoder", J_STR}, {"topics", "method", J_STR},
    {"topics", "linkage", J_STR}, {"topics", "restarts", J_NUM}, {"topics", "coact_init", J_STR},
    {"topics", "max_iter", J_NUM}, {"topics", "min_docs", J_NUM}, {"topics", "rare", J_STR},
    {"topics", "neighbors", J_NUM}, {"topics", "max_leaves", J_NUM}, {"topics", "top_n", J_NUM},
    {"topics", "rank", J_STR}, {"topics", "lambda", J_NUM}, {"topics", "frex_weight", J_NUM},
    {"topics", "refit", J_BOOL}, {"topics", "sharpen", J_NUM}, {"topics", "refit_pi", J_NUM},
    {"topics", "refit_idf", J_STR}, {"topics", "candidates", J_NUM}, {"topics", "words", J_STR},
    {"topics", "words_background", J_NUM}, {"topics", "crossfit", J_STR}, {"topics", "prune_redundancy", J_NUM},
};

saetm_status saetm_model_params_load(saetm_ctx *ctx, const char *dir, saetm_model_params **out)
{
    char path[4096];
    *out = NULL;
    if (!saetm_model_path(ctx, dir, "params.json", path, sizeof path)) return SAETM_ERR_ARG;
    if (!saetm__is_file(path)) return SAETM_OK;
    cJSON *j = NULL;
    saetm_status st = saetm__json_read(ctx, path, &j);
    if (!st && !cJSON_IsObject(j)) st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: expected a JSON object", path);
    for (size_t i = 0; !st && i < sizeof FIELDS / sizeof FIELDS[0]; i++) {
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive(j, FIELDS[i].section);
        if (sec && !cJSON_IsObject(sec)) {
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: field \"%s\": expected an object", path, FIELDS[i].section);
            break;
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(sec, FIELDS[i].key);
        int ok = !v || (FIELDS[i].kind == J_NUM ? cJSON_IsNumber(v) : FIELDS[i].kind == J_STR ? cJSON_IsString(v)
                                                                                                : cJSON_IsBool(v));
        if (ok && v && FIELDS[i].kind == J_NUM && !(v->valuedouble >= -1e300 && v->valuedouble <= 1e300)) ok = 0;
        if (!ok)
            st = saetm__fail(ctx, SAETM_ERR_FORMAT, "%s: field \"%s.%s\": expected %s", path, FIELDS[i].section,
                             FIELDS[i].key,
                             FIELDS[i].kind == J_NUM ? "a number" : FIELDS[i].kind == J_STR ? "a string" : "true or false");
    }
    if (!st && !(*out = calloc(1, sizeof **out))) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    if (st) {
        cJSON_Delete(j);
        return st;
    }
    (*out)->root = j;
    return SAETM_OK;
}

void saetm_model_params_free(saetm_model_params *p)
{
    if (!p) return;
    cJSON_Delete(p->root);
    free(p);
}

static const char *jstr(const cJSON *o, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : def;
}

static double jnum(const cJSON *o, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* A count field: within uint32_t (the loader checked it is a finite number). */
static uint32_t ju32(const cJSON *o, const char *key, uint32_t def)
{
    double v = jnum(o, key, def);
    return v <= 0 ? 0 : v >= 4294967295.0 ? UINT32_MAX : (uint32_t)v;
}

void saetm_model_params_topics(const saetm_model_params *p, saetm_topic_stage *a)
{
    const cJSON *obj = p ? cJSON_GetObjectItemCaseSensitive(p->root, "topics") : NULL;
    if (!cJSON_IsObject(obj)) return;
    a->o.k = ju32(obj, "k", a->o.k);
    a->o.tau = jnum(obj, "tau", a->o.tau);
    a->space = jstr(obj, "space", a->space);
    a->word_vectors = jstr(obj, "word_vectors", a->word_vectors);
    a->word_list = jstr(obj, "word_list", a->word_list);
    a->decoder = jstr(obj, "decoder", a->decoder);
    a->method = jstr(obj, "method", a->method);
    a->linkage = jstr(obj, "linkage", a->linkage);
    a->o.restarts = ju32(obj, "restarts", a->o.restarts);
    a->coact_init = jstr(obj, "coact_init", a->coact_init);
    a->o.max_iter = ju32(obj, "max_iter", a->o.max_iter);
    a->o.min_docs = ju32(obj, "min_docs", a->o.min_docs);
    a->rare = jstr(obj, "rare", a->rare);
    a->o.neighbors = ju32(obj, "neighbors", a->o.neighbors);
    a->o.max_leaves = ju32(obj, "max_leaves", a->o.max_leaves);
    a->o.top_n = ju32(obj, "top_n", a->o.top_n);
    a->rank = jstr(obj, "rank", a->rank);
    a->o.lambda = jnum(obj, "lambda", a->o.lambda);
    a->o.frex_weight = jnum(obj, "frex_weight", a->o.frex_weight);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(obj, "refit");
    if (cJSON_IsBool(r)) a->refit = cJSON_IsTrue(r);
    a->sharpen = jnum(obj, "sharpen", a->sharpen);
    a->refit_pi = jnum(obj, "refit_pi", a->refit_pi);
    a->refit_idf = jstr(obj, "refit_idf", a->refit_idf);
    a->candidates = jnum(obj, "candidates", a->candidates);
    a->words = jstr(obj, "words", a->words);
    a->words_background = jnum(obj, "words_background", a->words_background);
    a->crossfit = jstr(obj, "crossfit", a->crossfit);
    a->o.redundancy = jnum(obj, "prune_redundancy", a->o.redundancy);
}

void saetm_model_params_corpus(const saetm_model_params *p, saetm_model_corpus_args *c)
{
    const cJSON *obj = p ? cJSON_GetObjectItemCaseSensitive(p->root, "corpus") : NULL;
    if (!cJSON_IsObject(obj)) return;
    c->format = jstr(obj, "format", c->format);
    c->text_field = jstr(obj, "text_field", c->text_field);
    c->id_field = jstr(obj, "id_field", c->id_field);
    c->date_field = jstr(obj, "date_field", c->date_field);
    c->group_field = jstr(obj, "group_field", c->group_field);
    c->preprocess = jstr(obj, "preprocess", c->preprocess);
    c->stopwords = jstr(obj, "stopwords", c->stopwords);
    c->min_df = ju32(obj, "min_df", c->min_df);
    c->max_df = jnum(obj, "max_df", c->max_df);
    c->max_vocab = ju32(obj, "max_vocab", c->max_vocab);
    c->snippet_chars = ju32(obj, "snippet_chars", c->snippet_chars);
}
