/*
 * cli_interp.c - the interpretation options of `saetm interpret` (their rows are the library's,
 * saetm_interp_options, parsed through cli_interp_table in cli.c): the check printed as a usage
 * error.
 */
#include "cli.h"

int cli_interp_finish(const char *cmd, const saetm_interp_opts *o)
{
    const char *bad = saetm_interp_opts_check(o);
    if (bad) return cli_usage_error(cmd, "%s", bad);
    return -1;
}
