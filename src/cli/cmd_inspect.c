/*
 * cmd_inspect.c - `saetm inspect FILE...`: verify saetm files and list their sections.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_inspect(int argc, char **argv)
{
    static const cli_opt opts[] = {{0}};
    cli_common common;
    /* Positional file names are not options: split them out before parsing. */
    char **files = calloc((size_t)argc, sizeof *files);
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!files || !rest) {
        free(files);
        free(rest);
        fprintf(stderr, "saetm inspect: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int nfiles = 0, nrest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') rest[nrest++] = argv[i];
        else files[nfiles++] = argv[i];
    }
    int rc = cli_parse(nrest, rest, "inspect",
                       "Verify saetm files (magic, version, sizes, checksums) and list their sections:\n"
                       "  saetm inspect FILE...",
                       opts, &common);
    if (rc < 0 && nfiles == 0) rc = cli_usage_error("inspect", "no file given");
    if (rc >= 0) {
        free(files);
        free(rest);
        return rc;
    }
    saetm_ctx *ctx = cli_ctx(&common);
    rc = CLI_EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        char buf[8192];
        saetm_status st = saetm_file_inspect(ctx, files[i], buf, sizeof buf);
        if (st) rc = cli_fail(ctx, "inspect", st);
        else fputs(buf, stdout);
    }
    saetm_ctx_free(ctx);
    free(files);
    free(rest);
    return rc;
}
