/*
 * cli_sae.c - the --sae FILE|default argument shared by fit, interpret and encode (default: the
 * foundational SAE, docs/foundation.md).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

saetm_status cli_sae_load(saetm_ctx *ctx, const char *arg, const char *embedder, char *path, size_t cap,
                          saetm_sae **out)
{
    *out = NULL;
    if (strcmp(arg, "default") == 0) {
        saetm_status st = saetm_sae_default_path(ctx, embedder, path, cap);
        if (st) return st;
    } else {
        snprintf(path, cap, "%s", arg);
    }
    return saetm_sae_load(ctx, path, out);
}
