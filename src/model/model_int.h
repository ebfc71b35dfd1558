/*
 * model_int.h - internals shared by the pipeline module (src/model/): the topic stage's and the
 * other stages' options in params.json, read and written in one place (model_dir.c).
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
/* Write text and a newline to path atomically (model_dir.c). */
saetm_status saetm__write_line(saetm_ctx *ctx, const char *path, const char *text);
/* Non-zero if path is a regular file (model_dir.c). */
int saetm__is_file(const char *path);

#endif
