/*
 * main.c - the saetm command-line tool: dispatch to one subcommand per file (cmd_*.c).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_inspect(int argc, char **argv);
int cmd_corpus(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_trends(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_interpret(int argc, char **argv);
int cmd_topics(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_transform(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* The command table: add one line per subcommand, in pipeline order. */
static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"corpus", cmd_corpus, "read documents into a corpus file (.stc): vocabulary and bag-of-words"},
    {"embed", cmd_embed, "embed documents with the built-in sentence embedder (USE-lite, 512-d)"},
    {"train", cmd_train, "train a sparse autoencoder on embeddings (.npy -> .saem)"},
    {"encode", cmd_encode, "sparse activations of embeddings under a trained SAE (.saem + .npy -> .sac)"},
    {"interpret", cmd_interpret, "fit a word distribution per SAE feature on a corpus (.sti)"},
    {"topics", cmd_topics, "merge the features into K topics and write the topic files"},
    {"fit", cmd_fit, "the whole pipeline: documents -> corpus, SAE, interpretation, K topics in one directory"},
    {"sweep", cmd_sweep, "coherence and diversity of a model's topics for a range of K (re-merged, not retrained)"},
    {"transform", cmd_transform, "topic proportions of new documents under a fitted model"},
    {"eval", cmd_eval, "score topics: NPMI and C_V coherence over a reference corpus, topic diversity"},
    {"trends", cmd_trends, "topic prevalence over time and per group; topics that rise and fall (CSV, SVG)"},
    {"report", cmd_report, "one self-contained HTML page about a fitted model"},
    {"synth", cmd_synth, "generate planted data from the continuous topic model (for validation)"},
    {"inspect", cmd_inspect, "show the header and sections of a saetm file or a .npy array"},
};

/* Commands that run data-parallel under mpirun (docs/distributed.md). */
static const char *const dist_commands[] = {"embed", "train", "encode", "interpret", "fit"};

/* Run a command, inside the MPI job when started by mpirun: a failing process stops the whole
 * job (MPI_Abort) instead of leaving the others waiting for it. */
static int cli_dist_run(cli_cmd_fn fn, const char *name, int argc, char **argv)
{
    saetm_ctx *ctx = saetm_ctx_create();
    if (!ctx) return CLI_EXIT_FAIL;
    saetm_status st = saetm_dist_init(ctx, &argc, &argv);
    if (st) {
        int rc = cli_fail(ctx, name, st);
        saetm_ctx_free(ctx);
        return rc;
    }
    saetm_ctx_free(ctx);
    int ok = saetm_dist_size() == 1;
    for (size_t i = 0; !ok && i < sizeof dist_commands / sizeof dist_commands[0]; i++)
        ok = strcmp(name, dist_commands[i]) == 0;
    int rc;
    if (!ok) rc = cli_usage_error(name, "does not run across processes (mpirun -np %d); run it as one process",
                                  saetm_dist_size());
    else rc = fn(argc - 1, argv + 1);
    /* Finalize whenever MPI was initialised, one process included: under mpirun -np 1 a
     * process that exits without MPI_Finalize is reported as "exiting improperly" (exit 1). */
    fflush(stdout);
    fflush(stderr);
    if (rc != CLI_EXIT_OK && saetm_dist_size() > 1) saetm_dist_abort(rc);
    saetm_dist_finalize();
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: saetm COMMAND [options]   (saetm COMMAND --help for its options)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n  --version  print the version\n  --help     print this help\n"
                 "\nexit codes: 0 success, 1 failure (bad input, I/O), 2 bad command line, 130 interrupted\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("saetm %s\n", saetm_version());
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return cli_dist_run(commands[i].fn, commands[i].name, argc, argv);
    fprintf(stderr, "saetm: unknown command '%s'; see 'saetm --help'\n", argv[1]);
    return CLI_EXIT_USAGE;
}
