/*
 * cli.c - option parsing, stderr printers and exit codes shared by all subcommands.
 */
#include "cli.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Older spellings, accepted wherever the option exists, so each option has one name across the
 * commands (docs/cli.md lists them). */
static const struct {
    const char *name, *alias;
} ALIASES[] = {
    {"min-doc-freq", "min-docs"},
    {"sae-arch", "arch"},
};

static const char *alias_of(const char *name)
{
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
        if (strcmp(ALIASES[i].name, name) == 0) return ALIASES[i].alias;
    return NULL;
}

static void print_line(const char *name, int flag, const char *arg, const char *help, const char *def,
                       const char *alias)
{
    char left[64];
    if (flag) snprintf(left, sizeof left, "--%s", name);
    else snprintf(left, sizeof left, "--%s %s", name, arg ? arg : "VALUE");
    printf("  %-26s %s", left, help);
    if (def) printf(" (default: %s)", def);
    if (alias) printf(" (also --%s)", alias);
    printf("\n");
}

/* The default of a table's row r as --help shows it: its default_text, else the value obj holds
 * (nothing for an unset string or a flag off). */
static const char *table_default(saetm_ctx *ctx, const cli_table *tab, const saetm_option *r, char *buf, size_t cap)
{
    for (const char *const *d = tab->defaults; d && d[0] && d[1]; d += 2)
        if (strcmp(d[0], r->name) == 0) return d[1];
    if (r->default_text) return r->default_text[0] ? r->default_text : NULL;
    if (!ctx || tab->get(ctx, tab->obj, r->name, buf, cap)) return NULL;
    if (r->type == SAETM_OPT_FLAG) return strcmp(buf, "1") == 0 ? "on" : NULL;
    return buf[0] ? buf : NULL;
}

/* The row of tab called name[0..nlen) (or by its alias), or NULL. */
static int table_skips(const cli_table *tab, const saetm_option *r)
{
    for (const char *const *k = tab->skip; k && *k; k++)
        if (strcmp(*k, r->name) == 0) return 1;
    return 0;
}

static const saetm_option *table_find(const cli_table *tab, const char *name, size_t nlen)
{
    for (size_t i = 0; i < tab->n; i++) {
        const saetm_option *r = &tab->opts[i];
        if (table_skips(tab, r)) continue;
        if ((strlen(r->name) == nlen && strncmp(r->name, name, nlen) == 0) ||
            (r->alias && strlen(r->alias) == nlen && strncmp(r->alias, name, nlen) == 0))
            return r;
    }
    return NULL;
}

/* The row called name[0..nlen) in one of tabs[0..ntabs), its table in *tab; NULL if none. */
static const saetm_option *tables_find(const cli_table *tabs, int ntabs, const char *name, size_t nlen,
                                       const cli_table **tab)
{
    for (int t = 0; t < ntabs; t++) {
        const saetm_option *r = table_find(&tabs[t], name, nlen);
        if (r) {
            *tab = &tabs[t];
            return r;
        }
    }
    return NULL;
}

static void print_usage(const char *cmd, const char *summary, const cli_opt *opts, const cli_table *tabs, int ntabs)
{
    printf("usage: saetm %s [options]\n\n%s\n\noptions:\n", cmd, summary);
    for (const cli_opt *o = opts; o && o->name; o++) {
        print_line(o->name, o->kind == CLI_FLAG, o->arg, o->help, o->def, alias_of(o->name));
    }
    saetm_ctx *ctx = ntabs ? saetm_ctx_create() : NULL;
    for (int t = 0; t < ntabs; t++)
        for (size_t i = 0; i < tabs[t].n; i++) {
            const saetm_option *r = &tabs[t].opts[i];
            if (table_skips(&tabs[t], r)) continue;
            char buf[256];
            print_line(r->name, r->type == SAETM_OPT_FLAG, r->metavar, r->help,
                       table_default(ctx, &tabs[t], r, buf, sizeof buf), r->alias);
        }
    saetm_ctx_free(ctx);
    const cli_table *tab;
    printf("  %-26s %s\n", "--threads N", "worker threads (default: all cores)");
    if (!tables_find(tabs, ntabs, "seed", 4, &tab)) printf("  %-26s %s\n", "--seed S", "random seed (default: 1)");
    printf("  %-26s %s\n", "-q, --quiet", "no progress or log messages");
    printf("  %-26s %s\n", "-h, --help", "show this help");
}

int cli_given(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, n) == 0 &&
            (argv[i][2 + n] == 0 || argv[i][2 + n] == '='))
            return 1;
    return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "saetm %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "; see 'saetm %s --help'\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static int parse_number(const char *cmd, const char *name, const char *v, cli_kind kind, void *dst)
{
    char *end = NULL;
    errno = 0;
    if (kind == CLI_DOUBLE) {
        double d = strtod(v, &end);
        if (errno || end == v || *end) return cli_usage_error(cmd, "--%s expects a number, got '%s'", name, v);
        *(double *)dst = d;
        return -1;
    }
    if (kind != CLI_INT && v[0] == '-')
        return cli_usage_error(cmd, "--%s expects a non-negative integer, got '%s'", name, v);
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end) return cli_usage_error(cmd, "--%s expects an integer, got '%s'", name, v);
    if (kind == CLI_INT) {
        if (x < -2147483647LL || x > 2147483647LL) return cli_usage_error(cmd, "--%s out of range: '%s'", name, v);
        *(int *)dst = (int)x;
    } else if (kind == CLI_U32) {
        if (x > 4294967295LL) return cli_usage_error(cmd, "--%s out of range: '%s'", name, v);
        *(uint32_t *)dst = (uint32_t)x;
    } else {
        *(uint64_t *)dst = (uint64_t)x;
    }
    return -1;
}

static saetm_status fit_set(saetm_ctx *ctx, void *obj, const char *name, const char *value)
{
    return saetm_fit_opts_set(ctx, obj, name, value);
}
static saetm_status fit_get(saetm_ctx *ctx, const void *obj, const char *name, char *buf, size_t cap)
{
    return saetm_fit_opts_get(ctx, obj, name, buf, cap);
}
static saetm_status topic_set(saetm_ctx *ctx, void *obj, const char *name, const char *value)
{
    return saetm_topic_stage_set(ctx, obj, name, value);
}
static saetm_status topic_get(saetm_ctx *ctx, const void *obj, const char *name, char *buf, size_t cap)
{
    return saetm_topic_stage_get(ctx, obj, name, buf, cap);
}

cli_table cli_fit_table(saetm_fit_opts *o)
{
    cli_table t = {NULL, 0, o, fit_set, fit_get, NULL, NULL};
    t.opts = saetm_fit_options(&t.n);
    return t;
}

cli_table cli_topic_stage_table(saetm_topic_stage *s)
{
    cli_table t = {NULL, 0, s, topic_set, topic_get, NULL, NULL};
    t.opts = saetm_topic_stage_options(&t.n);
    return t;
}

static saetm_status corpus_set(saetm_ctx *ctx, void *obj, const char *name, const char *value)
{
    return saetm_corpus_opts_set(ctx, obj, name, value);
}
static saetm_status corpus_get(saetm_ctx *ctx, const void *obj, const char *name, char *buf, size_t cap)
{
    return saetm_corpus_opts_get(ctx, obj, name, buf, cap);
}
static saetm_status interp_set(saetm_ctx *ctx, void *obj, const char *name, const char *value)
{
    return saetm_interp_opts_set(ctx, obj, name, value);
}
static saetm_status interp_get(saetm_ctx *ctx, const void *obj, const char *name, char *buf, size_t cap)
{
    return saetm_interp_opts_get(ctx, obj, name, buf, cap);
}

cli_table cli_corpus_table(saetm_corpus_opts *o)
{
    cli_table t = {NULL, 0, o, corpus_set, corpus_get, NULL, NULL};
    t.opts = saetm_corpus_options(&t.n);
    return t;
}

cli_table cli_interp_table(saetm_interp_opts *o)
{
    cli_table t = {NULL, 0, o, interp_set, interp_get, NULL, NULL};
    t.opts = saetm_interp_options(&t.n);
    return t;
}

const char *cli_table_given(int argc, char **argv, const cli_table *tab)
{
    for (size_t i = 0; i < tab->n; i++) {
        const saetm_option *r = &tab->opts[i];
        if (cli_given(argc, argv, r->name) || (r->alias && cli_given(argc, argv, r->alias))) return r->name;
    }
    return NULL;
}

/* Set row r of tab from value (NULL for a flag); @return -1 to go on, else the exit code. */
static int table_set(const char *cmd, const cli_table *tab, const saetm_option *r, const char *value)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_status st = ctx ? tab->set(ctx, tab->obj, r->name, value) : SAETM_ERR_NOMEM;
    int rc = st ? cli_usage_error(cmd, "%s", ctx ? saetm_ctx_errmsg(ctx) : "out of memory") : -1;
    saetm_ctx_free(ctx);
    return rc;
}

int cli_parse(int argc, char **argv, const char *cmd, const char *summary, const cli_opt *opts,
              cli_common *common)
{
    return cli_parse_table(argc, argv, cmd, summary, opts, NULL, 0, common);
}

int cli_parse_table(int argc, char **argv, const char *cmd, const char *summary, const cli_opt *opts,
                    const cli_table *tabs, int ntabs, cli_common *common)
{
    common->threads = 0;
    common->seed = 1;
    common->quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_usage(cmd, summary, opts, tabs, ntabs);
            return CLI_EXIT_OK;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            common->quiet = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) return cli_usage_error(cmd, "unexpected argument '%s'", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : NULL;
        cli_kind kind;
        void *dst;
        const cli_opt *found = NULL;
        for (const cli_opt *o = opts; o && o->name; o++) {
            const char *alias = alias_of(o->name);
            if ((strlen(o->name) == nlen && strncmp(o->name, name, nlen) == 0) ||
                (alias && strlen(alias) == nlen && strncmp(alias, name, nlen) == 0))
                found = o;
        }
        const cli_table *tab = NULL;
        const saetm_option *row = found ? NULL : tables_find(tabs, ntabs, name, nlen, &tab);
        if (row) {
            if (row->type == SAETM_OPT_FLAG && value)
                return cli_usage_error(cmd, "option '--%.*s' takes no value", (int)nlen, name);
            if (row->type != SAETM_OPT_FLAG && !value) {
                if (i + 1 >= argc) return cli_usage_error(cmd, "option '--%.*s' needs a value", (int)nlen, name);
                value = argv[++i];
            }
            int rc = table_set(cmd, tab, row, value);
            if (rc >= 0) return rc;
            continue;
        }
        if (found) {
            kind = found->kind;
            dst = found->dst;
        } else if (nlen == 7 && strncmp(name, "threads", 7) == 0) {
            kind = CLI_INT;
            dst = &common->threads;
        } else if (nlen == 4 && strncmp(name, "seed", 4) == 0) {
            kind = CLI_U64;
            dst = &common->seed;
        } else {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        }
        if (kind == CLI_FLAG) {
            if (value) return cli_usage_error(cmd, "option '--%.*s' takes no value", (int)nlen, name);
            *(int *)dst = 1;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc) return cli_usage_error(cmd, "option '--%.*s' needs a value", (int)nlen, name);
            value = argv[++i];
        }
        if (kind == CLI_STR) {
            *(const char **)dst = value;
            continue;
        }
        int rc = parse_number(cmd, found ? found->name : (kind == CLI_INT ? "threads" : "seed"), value, kind, dst);
        if (rc >= 0) return rc;
    }
    if (common->threads < 0) return cli_usage_error(cmd, "--threads must be >= 0");
    return -1;
}

/* ---- printers ---------------------------------------------------------------------------- */

typedef struct progress_state {
    int tty;
    double last;
    char stage[32];
} progress_state;

static progress_state g_progress; /* CLI-only state; the library has no globals */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void log_to_stderr(void *user, saetm_log_level level, const char *msg)
{
    (void)user;
    if (g_progress.tty && g_progress.stage[0]) fputs("\r\033[K", stderr);
    const char *tag = level == SAETM_LOG_ERROR ? "error: " : level == SAETM_LOG_WARN ? "warning: " : "";
    fprintf(stderr, "%s%s\n", tag, msg);
}

static int progress_to_stderr(void *user, const char *stage, uint64_t done, uint64_t total)
{
    progress_state *p = user;
    double t = now_seconds();
    int finished = total && done >= total;
    int new_stage = strncmp(p->stage, stage, sizeof p->stage - 1) != 0;
    if (!finished && !new_stage && t - p->last < (p->tty ? 0.1 : 10.0)) return 0;
    p->last = t;
    snprintf(p->stage, sizeof p->stage, "%s", stage);
    if (p->tty) {
        if (total) {
            int width = 30, fill = (int)((double)width * (double)done / (double)total);
            fprintf(stderr, "\r\033[K%-10s [%.*s%*s] %llu/%llu", stage, fill, "##############################",
                    width - fill, "", (unsigned long long)done, (unsigned long long)total);
        } else {
            fprintf(stderr, "\r\033[K%-10s %llu", stage, (unsigned long long)done);
        }
        if (finished) {
            fputc('\n', stderr);
            p->stage[0] = 0;
        }
    } else if (total) {
        fprintf(stderr, "%s: %llu/%llu (%.0f%%)\n", stage, (unsigned long long)done, (unsigned long long)total,
                100.0 * (double)done / (double)total);
    } else {
        fprintf(stderr, "%s: %llu\n", stage, (unsigned long long)done);
    }
    fflush(stderr);
    return 0;
}

/* A byte count "123", "512K", "8M", "24G", "1.5T" (binary units); @return 0 or -1. */
static int parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0)) return -1;
    const char *units = "KMGT";
    const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (u) {
        for (const char *k = units; k <= u; k++) v *= 1024.0;
        end++;
        if (*end == 'i') end++;
        if (*end == 'B') end++;
    }
    if (*end != 0 || v >= 18446744073709551615.0) return -1;
    *out = (uint64_t)v;
    return 0;
}

saetm_ctx *cli_ctx(const cli_common *common)
{
    saetm_ctx *ctx = saetm_ctx_create();
    if (!ctx) {
        fprintf(stderr, "saetm: out of memory\n");
        exit(CLI_EXIT_FAIL);
    }
    const char *lim = getenv("SAETM_MEM_LIMIT");
    if (lim && *lim) {
        uint64_t bytes;
        if (parse_bytes(lim, &bytes) != 0) {
            fprintf(stderr, "saetm: SAETM_MEM_LIMIT='%s' is not a byte count (examples: 8G, 512M, 1000000)\n", lim);
            exit(CLI_EXIT_USAGE);
        }
        saetm_ctx_set_mem_limit(ctx, bytes);
    }
    int threads = common->threads;
    int quiet = common->quiet;
    if (saetm_dist_size() > 1) {
        /* Under mpirun: data-parallel calls, the cores of a host shared by its processes, and
         * only rank 0 reports (errors are printed by every rank). */
        saetm_ctx_set_distributed(ctx, 1);
        const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
        long per_host = local ? atol(local) : 1, cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (threads == 0 && per_host > 1 && cpus > 0) threads = cpus / per_host > 0 ? (int)(cpus / per_host) : 1;
        if (saetm_dist_rank() > 0) quiet = 1;
    }
    saetm_ctx_set_threads(ctx, threads);
    if (!quiet) {
        g_progress.tty = isatty(2);
        saetm_ctx_set_log(ctx, log_to_stderr, NULL, SAETM_LOG_INFO);
        saetm_ctx_set_progress(ctx, progress_to_stderr, &g_progress);
    } else {
        saetm_ctx_set_log(ctx, log_to_stderr, NULL, SAETM_LOG_ERROR);
    }
    return ctx;
}

int cli_fail(saetm_ctx *ctx, const char *cmd, saetm_status st)
{
    const char *detail = saetm_ctx_errmsg(ctx);
    if (detail && detail[0]) fprintf(stderr, "saetm %s: %s\n", cmd, detail);
    else fprintf(stderr, "saetm %s: %s\n", cmd, saetm_strerror(st));
    if (st == SAETM_ERR_ARG) return CLI_EXIT_USAGE;
    if (st == SAETM_ERR_INTERRUPTED) return CLI_EXIT_INTERRUPT;
    return CLI_EXIT_FAIL;
}

/* A "Key:   123 kB" field of /proc/self/status, in kB; 0 if absent. */
static unsigned long long self_status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    size_t klen = strlen(key);
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            kb = strtoull(line + klen + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

uint64_t cli_peak_memory(void)
{
    return (uint64_t)self_status_kb("VmHWM") * 1024;
}

/* Resident bytes of this process's mappings of the file at `real` (a resolved path), from
 * /proc/self/smaps: the pages of the file this process has touched (plus read-around). */
static uint64_t mapped_resident(const char *real)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return 0;
    char line[4352];
    uint64_t total = 0;
    int in = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long a, b;
        int n = 0;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &a, &b, &n) == 2 && n > 0) {
            char *path = line + n;
            path[strcspn(path, "\n")] = 0;
            in = strcmp(path, real) == 0;
            continue;
        }
        unsigned long long kb;
        if (in && sscanf(line, "Rss: %llu kB", &kb) == 1) total += (uint64_t)kb * 1024;
    }
    fclose(f);
    return total;
}

void cli_mem_report(const char *cmd, const char *const *files, int n)
{
    const char *want = getenv("SAETM_MEM_REPORT");
    if (!want || !*want || strcmp(want, "0") == 0) return;
    char text[2048];
    int at = snprintf(text, sizeof text, "saetm %s: memory of process %d of %d:", cmd, saetm_dist_rank(), saetm_dist_size());
    for (int i = 0; i < n && at > 0 && (size_t)at < sizeof text; i++) {
        char real[4096];
        struct stat sb;
        if (!files[i] || !realpath(files[i], real) || stat(real, &sb) != 0) continue;
        at += snprintf(text + at, sizeof text - (size_t)at, " %s %.2f of %.2f MB resident;", files[i],
                       (double)mapped_resident(real) / 1e6, (double)sb.st_size / 1e6);
    }
    unsigned long long anon = self_status_kb("RssAnon");
    if (at > 0 && (size_t)at < sizeof text)
        snprintf(text + at, sizeof text - (size_t)at, " anonymous %.2f MB now, peak resident %.2f MB", (double)anon / 1e3 * 1.024,
                 (double)cli_peak_memory() / 1e6);
    fprintf(stderr, "%s\n", text);
}

const char *cli_emb_embedder(const char *emb, char *name, size_t cap)
{
    return saetm_emb_embedder(emb, name, cap);
}

int cli_write_text(const char *cmd, const char *path, const char *text)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_status st = ctx ? saetm_write_file_atomic(ctx, path, text, strlen(text)) : SAETM_ERR_NOMEM;
    if (st) fprintf(stderr, "saetm %s: cannot write %s: %s\n", cmd, path, ctx ? saetm_ctx_errmsg(ctx) : "out of memory");
    saetm_ctx_free(ctx);
    return st ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* Parse --bin: year | decade | N (a positive number of equal-width bins). @return 0 on success. */
int cli_parse_bin(const char *cmd, const char *v, saetm_trends_opts *o)
{
    if (strcmp(v, "year") == 0) {
        o->bin = SAETM_BIN_YEAR;
        return 0;
    }
    if (strcmp(v, "decade") == 0) {
        o->bin = SAETM_BIN_DECADE;
        return 0;
    }
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 1 || n > 100000) {
        cli_usage_error(cmd, "--bin expects year, decade or a number of bins (1..100000), got '%s'", v);
        return -1;
    }
    o->bin = SAETM_BIN_EQUAL;
    o->n_bins = (uint32_t)n;
    return 0;
}
