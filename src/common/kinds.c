/*
 * kinds.c - the list of container file kinds (saetm__file_kind): each stage defines its own kind
 * next to its format, and this list is the one place that names them all, so that io/ (inspect.c)
 * can describe any file without knowing any stage's format.
 */
#include "saetm_int.h"

#include <string.h>

static const saetm__file_kind *const kinds[] = {
    &saetm__corpus_kind, &saetm__sae_kind, &saetm__ckpt_kind, &saetm__acts_kind, &saetm__interp_kind, &saetm__embed_kind,
};

const saetm__file_kind *saetm__file_kind_find(const uint8_t *magic)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (memcmp(kinds[i]->magic, magic, 8) == 0) return kinds[i];
    return NULL;
}
