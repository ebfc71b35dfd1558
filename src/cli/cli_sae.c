/*
 * cli_sae.c - the --sae FILE|default argument shared by fit, interpret and encode (default: the
 * foundational SAE, docs/foundation.md): the library's saetm_sae_load_arg.
 */
#include "cli.h"

saetm_status cli_sae_load(saetm_ctx *ctx, const char *arg, const char *embedder, char *path, size_t cap,
                          saetm_sae **out)
{
    return saetm_sae_load_arg(ctx, arg, embedder, path, cap, out);
}
