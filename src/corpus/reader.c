/*
 * reader.c - the document reader: one record at a time from JSONL, CSV, plain text (a document
 * per line) or a directory of .txt files, any of them gzip-compressed. Checks every record
 * (valid UTF-8, fields present and of the right type) and names file, line and field in its
 * messages; with skip_bad, bad records become logged, counted warnings.
 */
#include "corpus_int.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WARNINGS 20 /* warnings logged one by one; the rest are only counted */

struct saetm_docreader {
    saetm_input_format fmt;
    int skip_bad;
    char *path;
    char *fields[4]; /* text, id, date, group (NULL when not asked for) */
    saetm__input in;
    int in_open;
    /* CSV */
    saetm__csv_record rec;
    size_t n_cols;
    long col[4];
    /* directory */
    char **files;
    size_t n_files, next_file;
    char *file_path; /* full path of the current directory file */
    /* scratch for the current document */
    cJSON *json;
    saetm__buf text;
    char id_buf[32], date_buf[40], group_buf[40];
    uint64_t docs, skipped; /* valid documents read (held-out or not), bad records skipped */
    /* Holdout (saetm_corpus_opts.holdout): only documents i with saetm_holdout_is_held(i) ==
     * want_held are yielded; `kept` counts them. */
    double holdout;
    int want_held;
    uint64_t kept;
    uint64_t bytes_done; /* bytes of the directory files already closed */
    /* Reading a corpus's source (saetm_docreader_open_corpus): each document is checked
     * against row `row` of `check` (id and snippet of snippet_chars characters). */
    const saetm_corpus *check;
    uint64_t row;
    uint32_t snippet_chars;
    saetm__buf snip;
};

enum { F_TEXT, F_ID, F_DATE, F_GROUP };
static const char *const field_role[4] = {"text", "id", "date", "group"};

/* ---- formats ------------------------------------------------------------------------------- */

static const char *const format_names[] = {"auto", "jsonl", "csv", "text", "dir"};

const char *saetm_input_format_name(saetm_input_format f)
{
    return (unsigned)f <= SAETM_INPUT_DIR ? format_names[f] : "?";
}

int saetm_input_format_parse(const char *name, saetm_input_format *out)
{
    for (int i = 0; name && i <= SAETM_INPUT_DIR; i++)
        if (strcmp(name, format_names[i]) == 0) {
            *out = (saetm_input_format)i;
            return 0;
        }
    return -1;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

saetm_input_format saetm__detect_format(const char *path, saetm_input_format requested)
{
    if (requested != SAETM_INPUT_AUTO) return requested;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return SAETM_INPUT_DIR;
    size_t n = strlen(path);
    if (ends_with(path, n, ".gz")) n -= 3;
    if (ends_with(path, n, ".jsonl") || ends_with(path, n, ".json") || ends_with(path, n, ".ndjson"))
        return SAETM_INPUT_JSONL;
    if (ends_with(path, n, ".csv")) return SAETM_INPUT_CSV;
    return SAETM_INPUT_TEXT;
}

/* ---- errors -------------------------------------------------------------------------------- */

/* A bad record: with skip_bad, log the message held in ctx as a warning and return OK so the
 * caller moves on; otherwise return the error. */
static saetm_status bad_record(saetm_ctx *ctx, saetm_docreader *r, saetm_status st)
{
    if (!r->skip_bad || st == SAETM_ERR_NOMEM || st == SAETM_ERR_INTERNAL) return st;
    r->skipped++;
    if (r->skipped <= MAX_WARNINGS)
        saetm__log(ctx, SAETM_LOG_WARN, "skipped: %s", saetm_ctx_errmsg(ctx));
    if (r->skipped == MAX_WARNINGS)
        saetm__log(ctx, SAETM_LOG_WARN, "further skipped records are counted but not shown");
    return SAETM_OK;
}

/* Check that a field value is valid UTF-8 (the text of the message names where). */
static saetm_status check_utf8(saetm_ctx *ctx, const char *file, uint64_t line, const char *field, const char *s,
                               size_t n)
{
    int64_t bad = saetm__utf8_check(s, n);
    if (bad < 0) return SAETM_OK;
    const char *what = s[bad] == 0 ? "a NUL byte" : "invalid UTF-8";
    if (field)
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: field '%s': %s at byte %lld of the value (byte 0x%02x)",
                           file, (unsigned long long)line, field, what, (long long)bad + 1,
                           (unsigned)(unsigned char)s[bad]);
    /* Whole-line or whole-file text: give the line of the bad byte and its column. */
    uint64_t l = line, col = 1;
    for (int64_t i = 0; i < bad; i++) {
        if (s[i] == '\n') {
            l++;
            col = 1;
        } else {
            col++;
        }
    }
    return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: %s at column %llu (byte 0x%02x); the text must be UTF-8",
                       file, (unsigned long long)l, what, (unsigned long long)col, (unsigned)(unsigned char)s[bad]);
}

/* ---- JSON Lines ---------------------------------------------------------------------------- */

static const char *json_type_name(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

/* Format a JSON number as text: integers without a decimal point (1790), others shortest. */
static void format_number(double x, char *buf, size_t cap)
{
    if (x == floor(x) && fabs(x) < 1e15) snprintf(buf, cap, "%.0f", x);
    else snprintf(buf, cap, "%.17g", x);
}

/* Fetch metadata field k of a JSON object as a string. Missing/null: *out = NULL (an error for
 * the id field). Numbers are formatted into buf. */
static saetm_status json_meta(saetm_ctx *ctx, saetm_docreader *r, const cJSON *obj, int k, uint64_t line,
                              char *buf, size_t cap, const char **out)
{
    *out = NULL;
    const char *name = r->fields[k];
    if (!name) return SAETM_OK;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!v || cJSON_IsNull(v)) {
        if (k == F_ID)
            return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: field '%s' (the id field) is missing", r->path,
                               (unsigned long long)line, name);
        return SAETM_OK;
    }
    if (cJSON_IsString(v)) {
        *out = v->valuestring;
        return check_utf8(ctx, r->path, line, name, v->valuestring, strlen(v->valuestring));
    }
    if (cJSON_IsNumber(v)) {
        format_number(v->valuedouble, buf, cap);
        *out = buf;
        return SAETM_OK;
    }
    return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: field '%s' (the %s field) must be a string or a number, got %s",
                       r->path, (unsigned long long)line, name, field_role[k], json_type_name(v));
}

static saetm_status jsonl_record(saetm_ctx *ctx, saetm_docreader *r, const char *line, size_t len, uint64_t lineno,
                                 saetm_doc *doc)
{
    cJSON_Delete(r->json);
    r->json = NULL;
    const char *end = NULL;
    cJSON *obj = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!obj) {
        size_t col = end && end >= line ? (size_t)(end - line) + 1 : 1;
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: invalid JSON near column %zu", r->path,
                           (unsigned long long)lineno, col);
    }
    r->json = obj;
    /* Trailing text after the object ("{...} x") is an error too. */
    while (end && end < line + len && (*end == ' ' || *end == '\t')) end++;
    if (end && end < line + len)
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: unexpected text after the JSON value at column %zu",
                           r->path, (unsigned long long)lineno, (size_t)(end - line) + 1);
    if (!cJSON_IsObject(obj))
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: expected a JSON object ({...}), got %s", r->path,
                           (unsigned long long)lineno, json_type_name(obj));
    const char *tf = r->fields[F_TEXT];
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, tf);
    if (!t)
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: field '%s' (the text field) is missing", r->path,
                           (unsigned long long)lineno, tf);
    if (!cJSON_IsString(t))
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: field '%s' (the text field) must be a string, got %s",
                           r->path, (unsigned long long)lineno, tf, json_type_name(t));
    size_t tlen = strlen(t->valuestring);
    saetm_status st = check_utf8(ctx, r->path, lineno, tf, t->valuestring, tlen);
    if (st) return st;
    doc->text = t->valuestring;
    doc->text_len = tlen;
    if ((st = json_meta(ctx, r, obj, F_ID, lineno, r->id_buf, sizeof r->id_buf, &doc->id))) return st;
    if ((st = json_meta(ctx, r, obj, F_DATE, lineno, r->date_buf, sizeof r->date_buf, &doc->date))) return st;
    if ((st = json_meta(ctx, r, obj, F_GROUP, lineno, r->group_buf, sizeof r->group_buf, &doc->group))) return st;
    return SAETM_OK;
}

/* ---- plain text: one document per line ----------------------------------------------------- */

static saetm_status text_record(saetm_ctx *ctx, saetm_docreader *r, const char *line, size_t len, uint64_t lineno,
                                saetm_doc *doc)
{
    saetm_status st = check_utf8(ctx, r->path, lineno, NULL, line, len);
    if (st) return st;
    doc->text = line;
    doc->text_len = len;
    return SAETM_OK;
}

/* ---- line-based formats -------------------------------------------------------------------- */

typedef saetm_status (*record_fn)(saetm_ctx *ctx, saetm_docreader *r, const char *line, size_t len, uint64_t lineno,
                                  saetm_doc *doc);

/* The next good record of a one-record-per-line format. JSONL skips blank lines; in text, an
 * empty line is an (empty) document. */
static saetm_status lines_next(saetm_ctx *ctx, saetm_docreader *r, saetm_doc *doc, int *got)
{
    int jsonl = r->fmt == SAETM_INPUT_JSONL;
    record_fn parse = jsonl ? jsonl_record : text_record;
    for (;;) {
        char *line;
        size_t len;
        uint64_t lineno;
        int k = saetm__input_line(ctx, &r->in, &line, &len, &lineno);
        if (k < 0) return SAETM_ERR_IO;
        if (k == 0) return SAETM_OK;
        if (jsonl) {
            size_t i = 0;
            while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
            if (i == len) continue;
        }
        doc->line = lineno;
        saetm_status st = parse(ctx, r, line, len, lineno, doc);
        if (st == SAETM_OK) {
            *got = 1;
            return SAETM_OK;
        }
        if ((st = bad_record(ctx, r, st))) return st;
    }
}

/* ---- CSV ----------------------------------------------------------------------------------- */

static saetm_status csv_header(saetm_ctx *ctx, saetm_docreader *r)
{
    saetm_status st;
    int fatal;
    int k = saetm__csv_next(ctx, &r->in, &r->rec, &st, &fatal);
    if (k == 0) return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: empty file (no header row)", r->path);
    if (k < 0) return saetm__fail_prefix(ctx, st, "reading the header row");
    r->n_cols = r->rec.n;
    for (int f = 0; f < 4; f++) {
        r->col[f] = -1;
        if (!r->fields[f]) continue;
        for (size_t c = 0; c < r->rec.n && r->col[f] < 0; c++)
            if (strcmp(r->rec.text.data + r->rec.off[c], r->fields[f]) == 0) r->col[f] = (long)c;
        if (r->col[f] < 0) {
            /* List the columns there are, to help with typos. */
            char cols[512];
            size_t used = 0;
            cols[0] = 0;
            for (size_t c = 0; c < r->rec.n && used + 4 < sizeof cols; c++) {
                int n = snprintf(cols + used, sizeof cols - used, "%s'%s'", c ? ", " : "",
                                 r->rec.text.data + r->rec.off[c]);
                if (n < 0) break;
                used += (size_t)n;
            }
            if (used >= sizeof cols) memcpy(cols + sizeof cols - 4, "...", 4);
            return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: field '%s' (the %s field) is missing: the header row has %s",
                               r->path, (unsigned long long)r->rec.line, r->fields[f], field_role[f], cols);
        }
    }
    return SAETM_OK;
}

static saetm_status csv_record(saetm_ctx *ctx, saetm_docreader *r, saetm_doc *doc)
{
    saetm__csv_record *rec = &r->rec;
    if (rec->n != r->n_cols)
        return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: record has %zu field%s, the header row has %zu", r->path,
                           (unsigned long long)rec->line, rec->n, rec->n == 1 ? "" : "s", r->n_cols);
    const char *val[4] = {NULL, NULL, NULL, NULL};
    for (int f = 0; f < 4; f++) {
        if (r->col[f] < 0) continue;
        size_t c = (size_t)r->col[f];
        const char *s = rec->text.data + rec->off[c];
        saetm_status st = check_utf8(ctx, r->path, rec->line, r->fields[f], s, rec->len[c]);
        if (st) return st;
        /* An empty cell means "no value" for dates and groups; an empty id is an error. */
        if (rec->len[c] == 0 && f == F_ID)
            return saetm__fail(ctx, SAETM_ERR_INPUT, "%s:%llu: field '%s' (the id field) is empty", r->path,
                               (unsigned long long)rec->line, r->fields[f]);
        if (rec->len[c] > 0 || f == F_TEXT) val[f] = s;
    }
    doc->text = val[F_TEXT];
    doc->text_len = rec->len[r->col[F_TEXT]];
    doc->id = val[F_ID];
    doc->date = val[F_DATE];
    doc->group = val[F_GROUP];
    doc->line = rec->line;
    return SAETM_OK;
}

static saetm_status csv_next(saetm_ctx *ctx, saetm_docreader *r, saetm_doc *doc, int *got)
{
    for (;;) {
        saetm_status st;
        int fatal;
        int k = saetm__csv_next(ctx, &r->in, &r->rec, &st, &fatal);
        if (k == 0) return SAETM_OK;
        if (k > 0) st = csv_record(ctx, r, doc);
        if (st == SAETM_OK) {
            *got = 1;
            return SAETM_OK;
        }
        if (k < 0 && st != SAETM_ERR_INPUT) return st;
        if ((st = bad_record(ctx, r, st))) return st;
        if (k < 0 && fatal) return SAETM_OK; /* nothing more can be read */
    }
}

/* ---- directories --------------------------------------------------------------------------- */

typedef struct file_list {
    char **names;
    size_t n, cap;
} file_list;

static int list_add(file_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->names, cap * sizeof *p);
        if (!p) return -1;
        l->names = p;
        l->cap = cap;
    }
    l->names[l->n] = saetm__strdup(name);
    if (!l->names[l->n]) return -1;
    l->n++;
    return 0;
}

/* Collect the .txt and .txt.gz files under root/rel (hidden entries skipped). */
static saetm_status walk(saetm_ctx *ctx, const char *root, const char *rel, file_list *out, int depth)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    if (depth > 64) return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: directories nested too deeply", path);
    DIR *d = opendir(path);
    if (!d) return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot open directory: %s", path, strerror(errno));
    saetm_status st = SAETM_OK;
    struct dirent *e;
    while (!st && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char child[4096];
        int n = snprintf(child, sizeof child, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        if (n < 0 || (size_t)n >= sizeof child) {
            st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s/%s: path too long", path, e->d_name);
            break;
        }
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", root, child);
        struct stat sb;
        if (stat(full, &sb) != 0) continue; /* dangling link */
        if (S_ISDIR(sb.st_mode)) {
            st = walk(ctx, root, child, out, depth + 1);
        } else if (S_ISREG(sb.st_mode)) {
            size_t len = strlen(e->d_name);
            if (ends_with(e->d_name, len, ".txt") || ends_with(e->d_name, len, ".txt.gz"))
                if (list_add(out, child)) st = saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        }
    }
    closedir(d);
    return st;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static saetm_status dir_open(saetm_ctx *ctx, saetm_docreader *r)
{
    file_list l = {0};
    saetm_status st = walk(ctx, r->path, "", &l, 0);
    r->files = l.names;
    r->n_files = l.n;
    if (st) return st;
    if (l.n == 0) return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: no .txt files in this directory", r->path);
    qsort(r->files, r->n_files, sizeof *r->files, cmp_names);
    return SAETM_OK;
}

/* Read a whole file of the directory into r->text. */
static saetm_status dir_read_file(saetm_ctx *ctx, saetm_docreader *r, const char *full)
{
    saetm_status st = saetm__input_open(ctx, full, &r->in);
    if (st) return st;
    r->in_open = 1;
    r->text.len = 0;
    if (saetm__buf_add(&r->text, "", 0)) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    for (;;) {
        int k = saetm__input_fill(ctx, &r->in);
        if (k < 0) return SAETM_ERR_IO;
        if (k == 0) break;
        if (saetm__buf_add(&r->text, r->in.buf + r->in.pos, r->in.len - r->in.pos))
            return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", full);
        r->in.pos = r->in.len;
    }
    return check_utf8(ctx, full, 1, NULL, r->text.data, r->text.len);
}

static saetm_status dir_next(saetm_ctx *ctx, saetm_docreader *r, saetm_doc *doc, int *got)
{
    while (r->next_file < r->n_files) {
        const char *rel = r->files[r->next_file++];
        size_t n = strlen(r->path) + strlen(rel) + 2;
        free(r->file_path);
        r->file_path = malloc(n);
        if (!r->file_path) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        snprintf(r->file_path, n, "%s/%s", r->path, rel);
        saetm_status st = dir_read_file(ctx, r, r->file_path);
        if (r->in_open) {
            r->bytes_done += r->in.bytes;
            saetm__input_close(&r->in);
            r->in_open = 0;
        }
        if (st) {
            if ((st = bad_record(ctx, r, st))) return st;
            continue;
        }
        doc->text = r->text.data;
        doc->text_len = r->text.len;
        doc->id = rel;
        doc->source = r->file_path;
        doc->line = 0;
        *got = 1;
        return SAETM_OK;
    }
    return SAETM_OK;
}

/* ---- the reader ---------------------------------------------------------------------------- */

saetm_status saetm_docreader_open(saetm_ctx *ctx, const char *path, const saetm_corpus_opts *opts,
                                  saetm_docreader **out)
{
    *out = NULL;
    const char *msg = saetm_corpus_opts_check(opts);
    if (msg) return saetm__fail(ctx, SAETM_ERR_ARG, "%s", msg);
    saetm_docreader *r = calloc(1, sizeof *r);
    if (!r) return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    r->fmt = saetm__detect_format(path, opts->format);
    r->skip_bad = opts->skip_bad;
    r->holdout = opts->holdout;
    r->want_held = opts->holdout_part == SAETM_HOLDOUT_HELD;
    r->path = saetm__strdup(path);
    const char *names[4] = {opts->text_field ? opts->text_field : "text", opts->id_field, opts->date_field,
                            opts->group_field};
    int oom = !r->path;
    for (int f = 0; f < 4; f++)
        if (names[f] && !(r->fields[f] = saetm__strdup(names[f]))) oom = 1;
    if (oom) {
        saetm_docreader_close(r);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
    }
    saetm_status st = SAETM_OK;
    if (r->fmt == SAETM_INPUT_DIR) {
        struct stat sb;
        if (stat(path, &sb) != 0) st = saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        else if (!S_ISDIR(sb.st_mode)) st = saetm__fail(ctx, SAETM_ERR_ARG, "%s: not a directory (format dir)", path);
        else st = dir_open(ctx, r);
    } else {
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            st = saetm__fail(ctx, SAETM_ERR_ARG, "%s: is a directory (use format dir or auto)", path);
        else st = saetm__input_open(ctx, path, &r->in);
        if (!st) {
            r->in_open = 1;
            if (r->in.len == 0) st = saetm__fail(ctx, SAETM_ERR_INPUT, "%s: empty file (no documents)", path);
        }
        if (!st && r->fmt == SAETM_INPUT_CSV) st = csv_header(ctx, r);
    }
    if (st) {
        saetm_docreader_close(r);
        return st;
    }
    *out = r;
    return SAETM_OK;
}

/* ---- the source of a corpus ------------------------------------------------------------------ */

/* Check that document `doc` (NULL: the end of the input) is row r->row of the corpus the reader
 * was opened for, so rows of what is computed from the texts line up with the corpus. */
static saetm_status check_row(saetm_ctx *ctx, saetm_docreader *r, const saetm_doc *doc)
{
    uint64_t n = saetm_corpus_num_docs(r->check);
    if (!doc) {
        if (r->row == n) return SAETM_OK;
        return saetm__fail(ctx, SAETM_ERR_INPUT,
                           "%s: has %llu documents now, the corpus built from it has %llu: the source changed since "
                           "the corpus was built (rebuild the corpus, or give the documents with --input)",
                           r->path, (unsigned long long)r->row, (unsigned long long)n);
    }
    const char *why = NULL;
    if (r->row >= n) why = "it has more documents";
    else if (strcmp(doc->id, saetm_corpus_doc_id(r->check, r->row)) != 0) why = "the document ids differ";
    else {
        if (saetm__snippet(doc->text, doc->text_len, r->snippet_chars, &r->snip))
            return saetm__fail(ctx, SAETM_ERR_NOMEM, "out of memory");
        if (strcmp(r->snip.data, saetm_corpus_doc_snippet(r->check, r->row)) != 0) why = "the texts differ";
    }
    if (why)
        return saetm__fail(ctx, SAETM_ERR_INPUT,
                           "%s:%llu: document %llu (id '%s') does not match the corpus: %s, so the source changed "
                           "since the corpus was built (rebuild the corpus, or give the documents with --input)",
                           doc->source, (unsigned long long)doc->line, (unsigned long long)r->row, doc->id, why);
    r->row++;
    return SAETM_OK;
}

saetm_status saetm_docreader_open_corpus(saetm_ctx *ctx, const saetm_corpus *c, saetm_docreader **out)
{
    *out = NULL;
    cJSON *info = cJSON_Parse(saetm_corpus_info_json(c));
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(info, "source");
    if (!cJSON_IsString(src)) {
        cJSON_Delete(info);
        return saetm__fail(ctx, SAETM_ERR_INPUT, "the corpus does not record its source file");
    }
    saetm_corpus_opts o;
    saetm_corpus_opts_default(&o);
    /* an unknown name leaves the default, auto */
    saetm_input_format_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "format")), &o.format);
    o.text_field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "text_field"));
    o.id_field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "id_field"));
    o.date_field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "date_field"));
    o.group_field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "group_field"));
    /* Records skipped when the corpus was built are skipped again. */
    o.skip_bad = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(info, "skipped")) > 0;
    /* A corpus of one side of a holdout: that side again. */
    const cJSON *ho = cJSON_GetObjectItemCaseSensitive(info, "holdout");
    if (cJSON_IsNumber(ho) && !saetm_holdout_check(ho->valuedouble)) {
        o.holdout = ho->valuedouble;
        const char *part = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "holdout_part"));
        o.holdout_part = part && strcmp(part, "heldout") == 0 ? SAETM_HOLDOUT_HELD : SAETM_HOLDOUT_TRAIN;
    }
    double chars = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(info, "snippet_chars"));
    saetm_docreader *r = NULL;
    saetm_status st = saetm_docreader_open(ctx, src->valuestring, &o, &r);
    if (st == SAETM_ERR_IO) {
        char why[256];
        snprintf(why, sizeof why, "%s", saetm_ctx_errmsg(ctx));
        st = saetm__fail(ctx, SAETM_ERR_IO, "the corpus was built from '%s', which cannot be read now (%s); give the "
                         "documents with --input", src->valuestring, why);
    }
    cJSON_Delete(info);
    if (st) return st;
    r->check = c;
    r->snippet_chars = chars >= 0 && chars <= 100000 ? (uint32_t)chars : 300;
    *out = r;
    return SAETM_OK;
}

/* The next valid document, held-out or not. */
static saetm_status next_any(saetm_ctx *ctx, saetm_docreader *r, saetm_doc *doc, int *got)
{
    memset(doc, 0, sizeof *doc);
    *got = 0;
    switch (r->fmt) {
    case SAETM_INPUT_CSV: return csv_next(ctx, r, doc, got);
    case SAETM_INPUT_DIR: return dir_next(ctx, r, doc, got);
    default: return lines_next(ctx, r, doc, got);
    }
}

saetm_status saetm_docreader_next(saetm_ctx *ctx, saetm_docreader *r, saetm_doc *doc, int *got)
{
    saetm_status st;
    for (;;) { /* documents of the other side of a holdout are read (and checked) and passed over */
        st = next_any(ctx, r, doc, got);
        if (st || !*got) break;
        uint64_t i = r->docs++;
        if (!(r->holdout > 0) || saetm_holdout_is_held(i, r->holdout) == r->want_held) break;
    }
    if (st) return st;
    if (!*got) {
        if (r->check) return check_row(ctx, r, NULL);
        if (r->docs == 0) {
            if (r->skipped)
                return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: no valid document (%llu bad records skipped)", r->path,
                                   (unsigned long long)r->skipped);
            return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: no documents in the input", r->path);
        }
        if (r->kept == 0)
            return saetm__fail(ctx, SAETM_ERR_INPUT, "%s: no %s document: holdout %g holds out %s of its %llu documents",
                               r->path, r->want_held ? "held-out" : "training", r->holdout,
                               r->want_held ? "none" : "all", (unsigned long long)r->docs);
        return SAETM_OK;
    }
    r->kept++;
    if (!doc->source) doc->source = r->path;
    if (!doc->id) {
        snprintf(r->id_buf, sizeof r->id_buf, "%llu", (unsigned long long)doc->line);
        doc->id = r->id_buf;
    }
    return r->check ? check_row(ctx, r, doc) : SAETM_OK;
}

uint64_t saetm__docreader_bytes(const saetm_docreader *r) { return r->bytes_done + r->in.bytes; }

uint64_t saetm__docreader_docs(const saetm_docreader *r) { return r->docs; }

uint64_t saetm_docreader_skipped(const saetm_docreader *r) { return r ? r->skipped : 0; }

void saetm_docreader_progress(const saetm_docreader *r, uint64_t *done, uint64_t *total)
{
    if (r->fmt == SAETM_INPUT_DIR) {
        *done = r->next_file;
        *total = r->n_files;
    } else {
        *total = r->in.file_size;
        /* Compressed position against the file size; for a pipe, bytes read so far. */
        *done = *total ? saetm__input_offset((saetm__input *)&r->in) : r->in.bytes;
        if (*total && *done > *total) *done = *total;
    }
}

void saetm_docreader_close(saetm_docreader *r)
{
    if (!r) return;
    if (r->in_open) saetm__input_close(&r->in);
    saetm__csv_record_free(&r->rec);
    for (size_t i = 0; i < r->n_files; i++) free(r->files[i]);
    free(r->files);
    free(r->file_path);
    cJSON_Delete(r->json);
    saetm__buf_free(&r->text);
    saetm__buf_free(&r->snip);
    for (int f = 0; f < 4; f++) free(r->fields[f]);
    free(r->path);
    free(r);
}
