/*
 * cli_interp.c - the interpretation options shared by `saetm interpret` and `saetm fit`: their
 * table over saetm_interp_opts and the check printed as a usage error.
 */
#include "cli.h"

#include <string.h>

void cli_interp_defaults(cli_interp_args *a)
{
    memset(a, 0, sizeof *a);
    saetm_interp_opts_default(&a->o);
    a->background = "learned";
    a->accel = "squarem";
}

int cli_interp_table(cli_interp_args *a, cli_opt *o)
{
    const cli_opt t[] = {
        {"pi", CLI_DOUBLE, &a->o.pi, "X", "background weight in [0, 1) (start value with --learn-pi)", "0.3"},
        {"learn-pi", CLI_FLAG, &a->o.learn_pi, NULL, "fit the background weight too", NULL},
        {"background", CLI_STR, &a->background, "B",
         "learned (fitted with the features) | unigram (the IDF-weighted unigram, fixed)", "learned"},
        {"no-idf", CLI_FLAG, &a->no_idf, NULL, "do not weight the likelihood by IDF", NULL},
        {"smooth", CLI_DOUBLE, &a->o.smooth, "X", "probability mass spread uniformly over the vocabulary", "1e-4"},
        {"em-tol", CLI_DOUBLE, &a->o.tol, "X", "stop when an EM iteration lowers the NLL by a relative amount <= X", "1e-6"},
        {"em-max-iter", CLI_U32, &a->o.max_iter, "N", "at most N EM iterations", "500"},
        {"em-accel", CLI_STR, &a->accel, "A",
         "squarem (extrapolated EM steps, each kept only if it lowers the NLL) | off (plain EM); same optimum",
         "squarem"},
        {"em-top", CLI_U32, &a->o.stable_top, "N",
         "stop only once the N most probable words of every feature also stayed the same over an iteration "
         "(0: --em-tol alone; at most 100)", "10"},
    };
    memcpy(o, t, sizeof t);
    return (int)(sizeof t / sizeof t[0]);
}

int cli_interp_finish(const char *cmd, cli_interp_args *a)
{
    if (strcmp(a->background, "learned") == 0) a->o.background = SAETM_BACKGROUND_LEARNED;
    else if (strcmp(a->background, "unigram") == 0) a->o.background = SAETM_BACKGROUND_UNIGRAM;
    else return cli_usage_error(cmd, "--background must be learned or unigram, not '%s'", a->background);
    if (strcmp(a->accel, "squarem") == 0) a->o.accel = SAETM_ACCEL_SQUAREM;
    else if (strcmp(a->accel, "off") == 0) a->o.accel = SAETM_ACCEL_NONE;
    else return cli_usage_error(cmd, "--em-accel must be squarem or off, not '%s'", a->accel);
    if (a->o.stable_top > 100) return cli_usage_error(cmd, "--em-top must be at most 100, not %u", a->o.stable_top);
    a->o.idf = !a->no_idf;
    const char *bad = saetm_interp_opts_check(&a->o);
    if (bad) return cli_usage_error(cmd, "%s", bad);
    return -1;
}

