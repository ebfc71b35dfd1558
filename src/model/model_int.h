/*
 * model_int.h - internals shared by the pipeline module (src/model/): the topic stage's and the
 * other stages' options in params.json, read and written in one place (model_dir.c), and the
 * model directory as trends and the report read it (model_view.c).
 */
#ifndef SAETM_MODEL_INT_H
#define SAETM_MODEL_INT_H

#include "saetm_int.h"

struct cJSON;

/* params.json's "topics" object from a resolved stage (model_dir.c). */
void saetm__topic_stage_to_json(const saetm_topic_stage *s, struct cJSON *obj);
/* Write DIR/params.json of a finished fit (model_dir.c). sae_used: the --sae file, or NULL when
 * trained (then cfg is the training configuration used). */
saetm_status saetm__fit_params_write(saetm_ctx *ctx, const saetm_fit_opts *o, const saetm_topic_stage *topics,
                                     const saetm_sae_config *cfg, const char *emb, const char *sae_used,
                                     const saetm_sae *sae, const saetm_interp *it, const saetm_fit_result *r);
/* Was the topic stage's option name set by saetm_topic_stage_set (its bit in s->given)? (options.c) */
int saetm__topic_stage_given(const saetm_topic_stage *s, const char *name);
/* Write text and a newline to path atomically (model_dir.c). */
saetm_status saetm__write_line(saetm_ctx *ctx, const char *path, const char *text);
/* Non-zero if path is a regular file (model_dir.c). */
int saetm__is_file(const char *path);

/* Embed the documents of input (read with o, as saetm_embed_file reads them) with the built-in
 * embedder into *out (owned, documents x dim); its "NAME@VERSION" into name[cap] (embed_docs.c). */
saetm_status saetm__embed_docs(saetm_ctx *ctx, const char *input, const saetm_corpus_opts *o, saetm_matrix *out,
                               char *name, size_t cap);

/* ---- a model directory as trends and the report read it (model_view.c) ---------------------- */

struct saetm_modeldir {
    char *dir;
    uint64_t n_docs;
    uint32_t n_topics;
    const float *theta;        /* n_docs x n_topics */
    const float *topic_word;   /* n_topics x tw_cols, or NULL */
    uint32_t tw_cols;
    uint32_t vocab;            /* corpus vocabulary size */

    /* per document (arrays of n_docs pointers, owned; the strings belong to the corpus or to the
     * caller that filled them); any array may be NULL */
    const char **doc_id;
    const char **doc_date;
    const char **doc_group;
    const char **doc_snippet;

    /* topics: n_words[k] words of topic k at word[k * max_words + i] (owned), with probabilities
     * word_p (NaN when unknown) */
    uint32_t max_words;
    uint32_t *n_words;
    char **word;
    float *word_p;
    char **label;              /* "K: w1 w2 w3" (owned) */
    const char *words_source;  /* "topics.json" or "top_words.txt" (static) */

    struct cJSON *params;             /* params.json or NULL */
    struct cJSON *sweep;              /* sweep.json (saetm sweep: scores per K) or NULL */
    saetm__eval_ref ref;       /* the corpus as an evaluation reference (n_docs 0: none) */
    const char **vocab_words;  /* ref.vocab (owned array of pointers) */
    char *note;                /* problems met while reading optional files (owned) or NULL */
    /* DIR/heldout.stc of a fit with --holdout, as a second reference (held.n_docs 0: none) */
    saetm__eval_ref held;
    const char **held_words;   /* held.vocab (owned array of pointers) */
    double holdout;            /* its holdout fraction */
    saetm_corpus *heldout;

    /* owners */
    saetm_corpus *corpus;
    saetm_matrix theta_m;
    saetm_matrix topic_word_m;
};

/* An empty model directory for n_docs x n_topics with max_words words per topic (arrays zeroed).
 * Used by saetm_modeldir_open and by tests that fill a model in memory. */
saetm_modeldir *saetm__modeldir_new(const char *dir, uint64_t n_docs, uint32_t n_topics, uint32_t max_words);
/* Build the "K: w1 w2 w3" labels from the words. @return SAETM_ERR_NOMEM on failure. */
saetm_status saetm__modeldir_make_labels(saetm_modeldir *md);
/* Free everything md owns except the corpora (saetm_modeldir_free also frees them). */
void saetm__modeldir_free_mem(saetm_modeldir *md);
/* Append a line to md->note. */
void saetm__modeldir_note(saetm_modeldir *md, const char *fmt, ...) SAETM__PRINTF(2, 3);

#endif
