/*
 * cli.h - shared helpers of the saetm command-line tool: option parsing, the context with its
 * stderr printers, exit codes. Uses only the public API.
 */
#ifndef SAETM_CLI_H
#define SAETM_CLI_H

#include "saetm.h"

#include <stdint.h>

/* Exit codes (documented in docs/cli.md). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,      /* the work failed: bad input, I/O error, ... */
    CLI_EXIT_USAGE = 2,     /* bad command line */
    CLI_EXIT_INTERRUPT = 130
};

typedef enum cli_kind { CLI_STR, CLI_INT, CLI_U32, CLI_U64, CLI_DOUBLE, CLI_FLAG } cli_kind;

/* One long option of a command's own (the stages' options are the library's tables: cli_table).
 * `dst` points at a const char*, int, uint32_t, uint64_t, double or int (flag). `def` is the
 * default shown in --help (the caller pre-sets *dst to it). */
typedef struct cli_opt {
    const char *name;   /* without leading dashes: the one name of the option in every command (older
                           spellings: the alias table in cli.c, listed in docs/cli.md) */
    cli_kind kind;
    void *dst;
    const char *arg;    /* argument name in help, e.g. "FILE" */
    const char *help;
    const char *def;    /* NULL: no default / required */
} cli_opt;

/* Options every command accepts; cli_parse fills them. */
typedef struct cli_common {
    int threads;  /* 0 = all cores */
    uint64_t seed;
    int quiet;
} cli_common;

/* Parse argv[1..] (argv[0] is the command name) against opts (terminated by a zeroed entry).
 * Handles --help (prints usage to stdout), --threads, --seed, -q/--quiet.
 * @return -1 to continue, otherwise the exit code to return now. */
int cli_parse(int argc, char **argv, const char *cmd, const char *summary, const cli_opt *opts,
              cli_common *common);

/* A library option table (saetm_fit_options, saetm_topic_stage_options): cli_parse_table parses
 * its options into obj with set, prints them in --help (after the command's own cli_opt) with
 * the defaults get reads from obj, and prints set's message as the usage error. */
typedef struct cli_table {
    const saetm_option *opts;
    size_t n;
    void *obj;
    saetm_status (*set)(saetm_ctx *ctx, void *obj, const char *name, const char *value);
    saetm_status (*get)(saetm_ctx *ctx, const void *obj, const char *name, char *buf, size_t cap);
    const char *const *skip; /* NULL-terminated names of rows this command does not take, or NULL */
    const char *const *defaults; /* pairs NAME, TEXT (NULL-terminated): this command's default as --help
                                    words it where the value held does not say it, or NULL */
} cli_table;
cli_table cli_fit_table(saetm_fit_opts *o);
cli_table cli_topic_stage_table(saetm_topic_stage *s);
cli_table cli_corpus_table(saetm_corpus_opts *o);
cli_table cli_interp_table(saetm_interp_opts *o);
/* cli_parse with the options of the tables tabs[0..ntabs) too, in that order after opts. */
int cli_parse_table(int argc, char **argv, const char *cmd, const char *summary, const cli_opt *opts,
                    const cli_table *tabs, int ntabs, cli_common *common);
/* Was any option of tab given on the command line? @return the first one's name, or NULL. */
const char *cli_table_given(int argc, char **argv, const cli_table *tab);

/* Was option --name given on the command line (as --name V or --name=V)? Aliases are names of
 * their own here: ask for both. */
int cli_given(int argc, char **argv, const char *name);

/* Create a context wired to stderr (log messages, progress bar on a terminal or periodic lines
 * otherwise), honouring --threads and --quiet. Exits with a message if out of memory. */
saetm_ctx *cli_ctx(const cli_common *common);

/* Print "saetm CMD: <strerror>: <detail>" to stderr and map the status to an exit code. */
int cli_fail(saetm_ctx *ctx, const char *cmd, saetm_status st);

/* Print a usage error ("saetm CMD: msg; see saetm CMD --help") and return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a --bin value (year | decade | N equal-width bins) into o; prints a usage error and
 * returns -1 if it is none of these (cli.c; trends and report). */
int cli_parse_bin(const char *cmd, const char *v, saetm_trends_opts *o);

/* Peak resident memory of this process in bytes (VmHWM of /proc/self/status: since exec, so
 * not inflated by the parent it was forked from), or 0 if unknown. */
uint64_t cli_peak_memory(void);
/* With SAETM_MEM_REPORT=1 in the environment, print to stderr, for this process (its rank under
 * mpirun): the resident bytes of its mappings of each of the n files (the pages it touched) and
 * the file's size, its anonymous memory now and its peak resident memory (docs/distributed.md).
 * Call before the inputs are freed. Nothing otherwise. */
void cli_mem_report(const char *cmd, const char *const *files, int n);

/* The embedder that made the embeddings EMB: "NAME@VERSION" (or "NAME" without a version) from
 * the sidecar EMB.json written by `saetm embed` (and `saetm fit`), copied into name; "" when there
 * is no readable sidecar.
 * @return name. */
const char *cli_emb_embedder(const char *emb, char *name, size_t cap);

/* ---- corpus options shared by the commands that read documents (cli_corpus.c) ---- */
/* Their rows are the library's (saetm_corpus_options, cli_corpus_table); set into a's fields. */
typedef struct cli_corpus_args {
    saetm_corpus_opts o;
} cli_corpus_args;
void cli_corpus_defaults(cli_corpus_args *a);
/* Check a->o (saetm_corpus_opts_check); @return -1 to continue, else the exit code. */
int cli_corpus_finish(const char *cmd, cli_corpus_args *a);
/* The corpus options recorded in DIR/params.json become a's defaults; *params holds their strings
 * (saetm_model_params_free; NULL without a params.json). @return -1 to continue, else the exit
 * code (a broken params.json, printed). */
int cli_corpus_model_defaults(const char *cmd, const char *model, cli_corpus_args *a, saetm_model_params **params);
/* Write text to path through a temporary file and a rename; @return an exit code. (cli.c) */
int cli_write_text(const char *cmd, const char *path, const char *text);

/* ---- interpretation options of `saetm interpret` (cli_interp.c; the library's rows,
 * saetm_interp_options, cli_interp_table) ---- */
/* Check o (saetm_interp_opts_check); @return -1 to continue, else the exit code. */
int cli_interp_finish(const char *cmd, const saetm_interp_opts *o);

/* Load activations from a .sac file or a dense .npy (N x F); prints the error.
 * @return CLI_EXIT_OK or an exit code. (cmd_interpret.c) */
int cli_load_acts(saetm_ctx *ctx, const char *cmd, const char *path, saetm_acts *out);

/* ---- topic options shared by `saetm topics` and `saetm sweep` (cli_topics.c) ---- */
/* The library's topic stage: its defaults (saetm_topic_stage_default, _fit_default) and its options
 * (saetm_topic_stage_options, parsed with cli_topic_stage_table) are the CLI's. */
typedef saetm_topic_stage cli_topics_args;
/* saetm_topic_stage_resolve, its message printed as a usage error; @return -1 to continue, else the exit code. */
int cli_topics_finish(const char *cmd, cli_topics_args *a);
/* With --model DIR among the arguments (looked up before parsing): *model = DIR, *params its
 * params.json (saetm_model_params_free; NULL without one) and the topic options recorded there
 * become a's defaults (with --fit-defaults among the arguments: saetm fit's instead).
 * @return -1 to continue, else the exit code (a broken params.json, printed). */
int cli_topics_model_defaults(const char *cmd, int argc, char **argv, cli_topics_args *a, const char **model,
                              saetm_model_params **params);
/* Print in-sample (sc[0]) and held-out (sc[1]) scores on stderr, one line each. */
void cli_print_scores(const char *cmd, const saetm_topics_score sc[2]);

/* Load the SAE of a --sae argument: a .saem file, or "default", the foundational SAE of embedder
 * `embedder` (NULL/"" = the built-in one; saetm_sae_default_path). The file used goes to
 * path[cap]. On failure the message is in ctx. */
saetm_status cli_sae_load(saetm_ctx *ctx, const char *arg, const char *embedder, char *path, size_t cap,
                          saetm_sae **out);

/* A subcommand: returns an exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

#endif
