/*
 * trends.c - topic prevalence over time bins and per group, the topics that rise and fall most,
 * and their CSV and SVG exports (`saetm trends`).
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>

void saetm_trends_opts_default(saetm_trends_opts *opts)
{
    opts->bin = SAETM_BIN_YEAR;
    opts->n_bins = 10;
}

void saetm_trends_free(saetm_trends *t)
{
    if (!t) return;
    for (uint32_t b = 0; b < t->n_bins && t->bin_label; b++) free(t->bin_label[b]);
    for (uint32_t g = 0; g < t->n_groups && t->group_label; g++) free(t->group_label[g]);
    free(t->bin_label);
    free(t->bin_start);
    free(t->bin_end);
    free(t->bin_docs);
    free(t->time);
    free(t->slope);
    free(t->change);
    free(t->order);
    free(t->group_label);
    free(t->group_docs);
    free(t->group);
    free(t);
}

/* ======================================================================
 * Computing
 * ==================================================================== */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Sorting context for topics by change (qsort has no user pointer; keep the key in the item). */
typedef struct topic_key {
    double change;
    uint32_t topic;
} topic_key;

static int cmp_topic_key(const void *a, const void *b)
{
    const topic_key *x = a, *y = b;
    if (x->change != y->change) return x->change < y->change ? 1 : -1;
    return (x->topic > y->topic) - (x->topic < y->topic);
}

typedef struct group_key {
    const char *name;
    uint64_t docs;
    uint32_t index; /* in the name-sorted list */
} group_key;

static int cmp_group_key(const void *a, const void *b)
{
    const group_key *x = a, *y = b;
    if (x->docs != y->docs) return x->docs < y->docs ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Index of key in the sorted array keys[0..n), which must contain it. */
static uint32_t find_i64(const int64_t *keys, uint32_t n, int64_t key)
{
    uint32_t lo = 0, hi = n;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (keys[mid] <= key) lo = mid;
        else hi = mid;
    }
    return lo;
}

static uint32_t find_str(const char *const *keys, uint32_t n, const char *key)
{
    uint32_t lo = 0, hi = n;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(keys[mid], key) <= 0) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Average the rows of theta assigned to each of n_sets sets (assign[d] = set or UINT32_MAX) into
 * out (n_sets x K floats); counts into docs. */
static void set_means(const float *theta, uint64_t n_docs, uint32_t K, const uint32_t *assign, uint32_t n_sets,
                      double *acc, float *out, uint64_t *docs)
{
    memset(acc, 0, sizeof *acc * (size_t)n_sets * K);
    memset(docs, 0, sizeof *docs * n_sets);
    for (uint64_t d = 0; d < n_docs; d++) {
        uint32_t s = assign[d];
        if (s == UINT32_MAX) continue;
        docs[s]++;
        const float *row = theta + d * K;
        double *a = acc + (size_t)s * K;
        for (uint32_t k = 0; k < K; k++) a[k] += row[k];
    }
    for (uint32_t s = 0; s < n_sets; s++)
        for (uint32_t k = 0; k < K; k++)
            out[(size_t)s * K + k] = docs[s] ? (float)(acc[(size_t)s * K + k] / (double)docs[s]) : 0.0f;
}

/* Least-squares slope of y over x for each topic, and the fitted change over the span. */
static void fit_slopes(saetm_trends *t)
{
    uint32_t K = t->n_topics, B = t->n_bins;
    double mx = 0;
    for (uint32_t b = 0; b < B; b++) mx += 0.5 * (t->bin_start[b] + t->bin_end[b]);
    mx /= B;
    double sxx = 0;
    for (uint32_t b = 0; b < B; b++) {
        double dx = 0.5 * (t->bin_start[b] + t->bin_end[b]) - mx;
        sxx += dx * dx;
    }
    double span = 0.5 * (t->bin_start[B - 1] + t->bin_end[B - 1]) - 0.5 * (t->bin_start[0] + t->bin_end[0]);
    for (uint32_t k = 0; k < K; k++) {
        double my = 0, sxy = 0;
        for (uint32_t b = 0; b < B; b++) my += t->time[(size_t)b * K + k];
        my /= B;
        for (uint32_t b = 0; b < B; b++)
            sxy += (0.5 * (t->bin_start[b] + t->bin_end[b]) - mx) * (t->time[(size_t)b * K + k] - my);
        t->slope[k] = B >= 2 && sxx > 0 ? sxy / sxx : 0.0;
        t->change[k] = t->slope[k] * span;
    }
}

/* The bin key of a date: its year, its decade, or its equal-width bin over [lo, hi]. */
static int64_t bin_key(const saetm_trends_opts *opts, int year, double t, double lo, double hi, double width)
{
    if (opts->bin == SAETM_BIN_YEAR) return year;
    if (opts->bin == SAETM_BIN_DECADE) return year / 10 * 10;
    int64_t key = hi > lo ? (int64_t)floor((t - lo) / width) : 0;
    return key >= (int64_t)opts->n_bins ? (int64_t)opts->n_bins - 1 : key;
}

/* Fill the time bins. dated[d]: 1 if t_of[d]/year_of[d] are valid and the row is non-empty. */
static saetm_status make_bins(saetm_ctx *ctx, saetm_trends *t, const float *theta, const uint8_t *dated,
                              const int *year_of, const double *t_of, const saetm_trends_opts *opts)
{
    uint64_t N = t->n_docs;
    uint32_t K = t->n_topics;
    uint64_t n_dated = 0;
    for (uint64_t d = 0; d < N; d++) n_dated += dated[d];
    if (n_dated == 0) return SAETM_OK;

    saetm_status st = SAETM_ERR_NOMEM;
    int64_t *keys = malloc(sizeof *keys * n_dated);
    uint32_t *assign = malloc(sizeof *assign * N);
    double *acc = NULL;
    int *ymin = NULL, *ymax = NULL;
    if (!keys || !assign) goto done;

    /* Bin key per dated document. */
    double lo = INFINITY, hi = -INFINITY;
    for (uint64_t d = 0; d < N; d++)
        if (dated[d]) {
            lo = fmin(lo, t_of[d]);
            hi = fmax(hi, t_of[d]);
        }
    uint32_t n_equal = opts->bin == SAETM_BIN_EQUAL ? opts->n_bins : 1;
    double width = hi > lo ? (hi - lo) / n_equal : 1.0;
    uint64_t j = 0;
    for (uint64_t d = 0; d < N; d++) {
        if (!dated[d]) continue;
        keys[j++] = bin_key(opts, year_of[d], t_of[d], lo, hi, width);
    }
    qsort(keys, n_dated, sizeof *keys, cmp_i64);
    uint32_t B = 0;
    for (uint64_t i = 0; i < n_dated; i++)
        if (i == 0 || keys[i] != keys[i - 1]) keys[B++] = keys[i];

    t->n_bins = B;
    t->bin_label = calloc(B, sizeof *t->bin_label);
    t->bin_start = malloc(sizeof *t->bin_start * B);
    t->bin_end = malloc(sizeof *t->bin_end * B);
    t->bin_docs = malloc(sizeof *t->bin_docs * B);
    t->time = malloc(sizeof *t->time * (size_t)B * K);
    t->slope = malloc(sizeof *t->slope * K);
    t->change = malloc(sizeof *t->change * K);
    t->order = malloc(sizeof *t->order * K);
    acc = malloc(sizeof *acc * (size_t)B * K);
    ymin = malloc(sizeof *ymin * B);
    ymax = malloc(sizeof *ymax * B);
    if (!t->bin_label || !t->bin_start || !t->bin_end || !t->bin_docs || !t->time || !t->slope || !t->change ||
        !t->order || !acc || !ymin || !ymax) {
        t->n_bins = t->bin_label ? B : 0;
        goto done;
    }
    for (uint32_t b = 0; b < B; b++) {
        ymin[b] = 10000;
        ymax[b] = 0;
    }
    for (uint64_t d = 0; d < N; d++) {
        if (!dated[d]) {
            assign[d] = UINT32_MAX;
            continue;
        }
        uint32_t b = find_i64(keys, B, bin_key(opts, year_of[d], t_of[d], lo, hi, width));
        assign[d] = b;
        if (year_of[d] < ymin[b]) ymin[b] = year_of[d];
        if (year_of[d] > ymax[b]) ymax[b] = year_of[d];
    }
    for (uint32_t b = 0; b < B; b++) {
        char label[64];
        if (opts->bin == SAETM_BIN_YEAR) {
            t->bin_start[b] = (double)keys[b];
            t->bin_end[b] = (double)keys[b] + 1;
            snprintf(label, sizeof label, "%d", (int)keys[b]);
        } else if (opts->bin == SAETM_BIN_DECADE) {
            t->bin_start[b] = (double)keys[b];
            t->bin_end[b] = (double)keys[b] + 10;
            snprintf(label, sizeof label, "%ds", (int)keys[b]);
        } else {
            t->bin_start[b] = lo + width * (double)keys[b];
            t->bin_end[b] = keys[b] == (int64_t)n_equal - 1 ? fmax(hi, lo + width * (double)n_equal)
                                                             : lo + width * (double)(keys[b] + 1);
            /* Label with the calendar years of the documents actually in the bin. */
            if (ymin[b] == ymax[b]) snprintf(label, sizeof label, "%d", ymin[b]);
            else snprintf(label, sizeof label, "%d-%d", ymin[b], ymax[b]);
        }
        t->bin_label[b] = saetm__strdup(label);
        if (!t->bin_label[b]) goto done;
    }
    set_means(theta, N, K, assign, B, acc, t->time, t->bin_docs);
    fit_slopes(t);
    topic_key *tk = malloc(sizeof *tk * K);
    if (!tk) goto done;
    for (uint32_t k = 0; k < K; k++) tk[k] = (topic_key){t->change[k], k};
    qsort(tk, K, sizeof *tk, cmp_topic_key);
    for (uint32_t k = 0; k < K; k++) t->order[k] = tk[k].topic;
    free(tk);
    st = SAETM_OK;
done:
    if (st) st = saetm__fail(ctx, st, "trends: out of memory for %u time bins", (unsigned)t->n_bins);
    free(keys);
    free(assign);
    free(acc);
    free(ymin);
    free(ymax);
    return st;
}

static saetm_status make_groups(saetm_ctx *ctx, saetm_trends *t, const float *theta, const uint8_t *nonempty,
                                const char *const *groups)
{
    uint64_t N = t->n_docs;
    uint32_t K = t->n_topics;
    uint64_t n_grouped = 0;
    for (uint64_t d = 0; d < N; d++) n_grouped += nonempty[d] && groups[d] && groups[d][0];
    if (n_grouped == 0) return SAETM_OK;

    saetm_status st = SAETM_ERR_NOMEM;
    const char **names = malloc(sizeof *names * n_grouped);
    uint32_t *assign = malloc(sizeof *assign * N);
    group_key *gk = NULL;
    double *acc = NULL;
    float *mean = NULL;
    uint64_t *docs = NULL;
    if (!names || !assign) goto done;
    uint64_t j = 0;
    for (uint64_t d = 0; d < N; d++)
        if (nonempty[d] && groups[d] && groups[d][0]) names[j++] = groups[d];
    qsort(names, n_grouped, sizeof *names, cmp_str);
    uint32_t G = 0;
    for (uint64_t i = 0; i < n_grouped; i++)
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0) names[G++] = names[i];
    for (uint64_t d = 0; d < N; d++)
        assign[d] = nonempty[d] && groups[d] && groups[d][0] ? find_str(names, G, groups[d]) : UINT32_MAX;

    acc = malloc(sizeof *acc * (size_t)G * K);
    mean = malloc(sizeof *mean * (size_t)G * K);
    docs = malloc(sizeof *docs * G);
    gk = malloc(sizeof *gk * G);
    t->group_label = calloc(G, sizeof *t->group_label);
    t->group_docs = malloc(sizeof *t->group_docs * G);
    t->group = malloc(sizeof *t->group * (size_t)G * K);
    if (!acc || !mean || !docs || !gk || !t->group_label || !t->group_docs || !t->group) goto done;
    t->n_groups = G;
    set_means(theta, N, K, assign, G, acc, mean, docs);
    for (uint32_t g = 0; g < G; g++) gk[g] = (group_key){names[g], docs[g], g};
    qsort(gk, G, sizeof *gk, cmp_group_key);
    for (uint32_t g = 0; g < G; g++) {
        t->group_label[g] = saetm__strdup(gk[g].name);
        if (!t->group_label[g]) goto done;
        t->group_docs[g] = gk[g].docs;
        memcpy(t->group + (size_t)g * K, mean + (size_t)gk[g].index * K, sizeof *mean * K);
    }
    st = SAETM_OK;
done:
    if (st) st = saetm__fail(ctx, st, "trends: out of memory for the groups");
    free(names);
    free(assign);
    free(gk);
    free(acc);
    free(mean);
    free(docs);
    return st;
}

saetm_status saetm_trends_compute(saetm_ctx *ctx, const float *doc_topics, uint64_t n_docs, uint32_t n_topics,
                                  const char *const *dates, const char *const *groups, const saetm_trends_opts *opts,
                                  saetm_trends **out)
{
    *out = NULL;
    saetm_trends_opts def;
    if (!opts) {
        saetm_trends_opts_default(&def);
        opts = &def;
    }
    if (n_topics == 0) return saetm__fail(ctx, SAETM_ERR_ARG, "trends: no topics");
    if (opts->bin != SAETM_BIN_YEAR && opts->bin != SAETM_BIN_DECADE && opts->bin != SAETM_BIN_EQUAL)
        return saetm__fail(ctx, SAETM_ERR_ARG, "trends: unknown bin mode %d", (int)opts->bin);
    if (opts->bin == SAETM_BIN_EQUAL && opts->n_bins == 0)
        return saetm__fail(ctx, SAETM_ERR_ARG, "trends: the number of bins must be at least 1");
    if (n_docs && !doc_topics) return saetm__fail(ctx, SAETM_ERR_ARG, "trends: no document-topic matrix");

    saetm_trends *t = calloc(1, sizeof *t);
    uint8_t *nonempty = malloc(n_docs ? n_docs : 1);
    uint8_t *dated = calloc(n_docs ? n_docs : 1, 1);
    int *year_of = malloc(sizeof *year_of * (n_docs ? n_docs : 1));
    double *t_of = malloc(sizeof *t_of * (n_docs ? n_docs : 1));
    saetm_status st = SAETM_OK;
    if (!t || !nonempty || !dated || !year_of || !t_of) {
        st = saetm__fail(ctx, SAETM_ERR_NOMEM, "trends: out of memory for %llu documents",
                         (unsigned long long)n_docs);
        goto done;
    }
    t->n_topics = n_topics;
    t->n_docs = n_docs;
    for (uint64_t d = 0; d < n_docs; d++) {
        const float *row = doc_topics + d * n_topics;
        double s = 0;
        for (uint32_t k = 0; k < n_topics; k++) {
            if (!isfinite(row[k]) || row[k] < 0) {
                st = saetm__fail(ctx, SAETM_ERR_INPUT,
                                 "document-topic proportions: row %llu, topic %u is %g (expected a finite value >= 0)",
                                 (unsigned long long)d, (unsigned)k, (double)row[k]);
                goto done;
            }
            s += row[k];
        }
        nonempty[d] = s > 0;
        if (!nonempty[d]) {
            t->n_empty++;
            continue;
        }
        if (groups && !(groups[d] && groups[d][0])) t->n_nogroup++;
        if (!dates) continue;
        if (!dates[d] || !dates[d][0]) {
            t->n_undated++;
        } else if (saetm_date_parse(dates[d], &year_of[d], &t_of[d])) {
            dated[d] = 1;
        } else {
            if (t->n_bad_date == 0) t->first_bad_doc = d;
            t->n_bad_date++;
        }
    }
    if (!dates) t->n_undated = n_docs - t->n_empty;
    if (!groups) t->n_nogroup = n_docs - t->n_empty;
    if (dates && t->n_bad_date)
        saetm__log(ctx, SAETM_LOG_WARN,
                   "trends: %llu documents have a date that is not a date (first: row %llu, '%.40s'); "
                   "expected YYYY, YYYY-MM-DD, MM/DD/YYYY or 'January 8, 1790'; left out of the time bins",
                   (unsigned long long)t->n_bad_date, (unsigned long long)t->first_bad_doc, dates[t->first_bad_doc]);
    if (dates && t->n_undated)
        saetm__log(ctx, SAETM_LOG_WARN, "trends: %llu documents have no date; left out of the time bins",
                   (unsigned long long)t->n_undated);
    st = make_bins(ctx, t, doc_topics, dated, year_of, t_of, opts);
    if (!st && groups) st = make_groups(ctx, t, doc_topics, nonempty, groups);
done:
    free(nonempty);
    free(dated);
    free(year_of);
    free(t_of);
    if (st) {
        saetm_trends_free(t);
        return st;
    }
    *out = t;
    return SAETM_OK;
}

/* ======================================================================
 * Writing CSV and SVG
 * ==================================================================== */

/* Labels for the topics: the caller's, or "topic K". */
static char **default_labels(uint32_t K, const char *const *labels)
{
    char **l = calloc(K, sizeof *l);
    if (!l) return NULL;
    for (uint32_t k = 0; k < K; k++) {
        char buf[32];
        snprintf(buf, sizeof buf, "topic %u", (unsigned)k);
        l[k] = saetm__strdup(labels && labels[k] ? labels[k] : buf);
        if (!l[k]) {
            for (uint32_t i = 0; i < k; i++) free(l[i]);
            free(l);
            return NULL;
        }
    }
    return l;
}

static void csv_topic_header(saetm__sb *b, uint32_t K)
{
    for (uint32_t k = 0; k < K; k++) saetm__sb_printf(b, ",topic_%u", (unsigned)k);
    saetm__sb_puts(b, "\n");
}

static void csv_row(saetm__sb *b, const float *v, uint32_t K)
{
    for (uint32_t k = 0; k < K; k++) saetm__sb_printf(b, ",%.6g", (double)v[k]);
    saetm__sb_puts(b, "\n");
}

/* The topics drawn as lines: up to n most rising (change > 0) then up to n most falling (< 0). */
uint32_t saetm__trends_movers(const saetm_trends *t, uint32_t n, uint32_t *out)
{
    uint32_t m = 0, K = t->n_topics;
    if (!t->n_bins) return 0;
    for (uint32_t i = 0; i < K && i < n; i++)
        if (t->change[t->order[i]] > 0) out[m++] = t->order[i];
    uint32_t rising = m;
    for (uint32_t i = 0; i < K && i < n; i++) {
        uint32_t k = t->order[K - 1 - i];
        if (t->change[k] >= 0) break;
        int dup = 0;
        for (uint32_t j = 0; j < rising; j++) dup |= out[j] == k;
        if (!dup) out[m++] = k;
    }
    return m;
}

/* Line chart of the movers' prevalence per bin. */
void saetm__trends_movers_svg(saetm__sb *b, const saetm_trends *t, const char *const *labels)
{
    uint32_t K = t->n_topics, B = t->n_bins;
    uint32_t sel[10];
    uint32_t m = saetm__trends_movers(t, 5, sel);
    double *x = malloc(sizeof *x * (B ? B : 1));
    float *y = malloc(sizeof *y * (size_t)(m ? m : 1) * (B ? B : 1));
    const char *sl[10];
    if (!x || !y) {
        b->oom = 1;
        free(x);
        free(y);
        return;
    }
    for (uint32_t i = 0; i < B; i++) x[i] = 0.5 * (t->bin_start[i] + t->bin_end[i]);
    for (uint32_t s = 0; s < m; s++) {
        sl[s] = labels[sel[s]];
        for (uint32_t i = 0; i < B; i++) y[(size_t)s * B + i] = t->time[(size_t)i * K + sel[s]];
    }
    saetm__svg_lines(b, "Topics that rise and fall most (least-squares change over the span)", x, B, y, m, sl, sel,
                     "year", "prevalence");
    free(x);
    free(y);
}

/* Transpose rows x cols into cols x rows. */
static float *transpose(const float *v, uint32_t rows, uint32_t cols)
{
    size_t n = (size_t)rows * cols;
    float *o = malloc(sizeof *o * (n > 0 ? n : 1));
    if (!o) return NULL;
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t c = 0; c < cols; c++) o[(size_t)c * rows + r] = v[(size_t)r * cols + c];
    return o;
}

/* Heat maps with topics as rows: over the time bins, or over the groups. */
void saetm__trends_heatmap_svg(saetm__sb *b, const saetm_trends *t, const char *const *labels, int by_group)
{
    uint32_t K = t->n_topics, C = by_group ? t->n_groups : t->n_bins;
    float *tv = transpose(by_group ? t->group : t->time, C, K);
    if (!tv) {
        b->oom = 1;
        return;
    }
    saetm__svg_heatmap(b, by_group ? "Topic prevalence per group" : "Topic prevalence over time", tv, K, C, labels,
                       (const char *const *)(by_group ? t->group_label : t->bin_label), "prevalence");
    free(tv);
}

typedef struct write_job {
    saetm_ctx *ctx;
    const saetm_trends *t;
    const char *const *labels;
    const char *dir;
} write_job;

static saetm_status write_svg(saetm_ctx *ctx, const char *path, saetm__sb *body)
{
    saetm__sb f = {0};
    saetm__sb_puts(&f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (body->oom) f.oom = 1;
    else saetm__sb_putn(&f, body->p, body->n);
    saetm_status st = saetm__sb_write(ctx, &f, path);
    saetm__sb_free(&f);
    return st;
}

static saetm_status write_all(const write_job *j)
{
    const saetm_trends *t = j->t;
    uint32_t K = t->n_topics;
    size_t dl = strlen(j->dir);
    char *path = malloc(dl + 32);
    if (!path) return saetm__fail(j->ctx, SAETM_ERR_NOMEM, "trends: out of memory");
    saetm_status st = SAETM_OK;
    saetm__sb b = {0};
    if (t->n_bins) {
        for (uint32_t i = 0; i < 3 && !st; i++) {
            saetm__sb_free(&b);
            if (i == 0) {
                snprintf(path, dl + 32, "%s/time.csv", j->dir);
                saetm__sb_puts(&b, "bin,start,end,docs");
                csv_topic_header(&b, K);
                for (uint32_t r = 0; r < t->n_bins; r++) {
                    saetm__sb_csv(&b, t->bin_label[r]);
                    saetm__sb_printf(&b, ",%.10g,%.10g,%llu", t->bin_start[r], t->bin_end[r],
                                     (unsigned long long)t->bin_docs[r]);
                    csv_row(&b, t->time + (size_t)r * K, K);
                }
                st = saetm__sb_write(j->ctx, &b, path);
            } else if (i == 1) {
                snprintf(path, dl + 32, "%s/movers.csv", j->dir);
                saetm__sb_puts(&b, "rank,topic,change,slope_per_year,first,last,label\n");
                for (uint32_t r = 0; r < K; r++) {
                    uint32_t k = t->order[r];
                    saetm__sb_printf(&b, "%u,%u,%.6g,%.6g,%.6g,%.6g,", (unsigned)r + 1, (unsigned)k, t->change[k],
                                     t->slope[k], (double)t->time[k],
                                     (double)t->time[(size_t)(t->n_bins - 1) * K + k]);
                    saetm__sb_csv(&b, j->labels[k]);
                    saetm__sb_puts(&b, "\n");
                }
                st = saetm__sb_write(j->ctx, &b, path);
            } else {
                snprintf(path, dl + 32, "%s/time.svg", j->dir);
                saetm__trends_heatmap_svg(&b, t, j->labels, 0);
                st = write_svg(j->ctx, path, &b);
                if (!st) {
                    saetm__sb_free(&b);
                    snprintf(path, dl + 32, "%s/movers.svg", j->dir);
                    saetm__trends_movers_svg(&b, t, j->labels);
                    st = write_svg(j->ctx, path, &b);
                }
            }
        }
    }
    if (t->n_groups && !st) {
        saetm__sb_free(&b);
        snprintf(path, dl + 32, "%s/groups.csv", j->dir);
        saetm__sb_puts(&b, "group,docs");
        csv_topic_header(&b, K);
        for (uint32_t g = 0; g < t->n_groups; g++) {
            saetm__sb_csv(&b, t->group_label[g]);
            saetm__sb_printf(&b, ",%llu", (unsigned long long)t->group_docs[g]);
            csv_row(&b, t->group + (size_t)g * K, K);
        }
        st = saetm__sb_write(j->ctx, &b, path);
        if (!st) {
            saetm__sb_free(&b);
            snprintf(path, dl + 32, "%s/groups.svg", j->dir);
            saetm__trends_heatmap_svg(&b, t, j->labels, 1);
            st = write_svg(j->ctx, path, &b);
        }
    }
    saetm__sb_free(&b);
    free(path);
    return st;
}

saetm_status saetm_trends_write(saetm_ctx *ctx, const saetm_trends *t, const char *const *labels, const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
    char **l = default_labels(t->n_topics, labels);
    if (!l) return saetm__fail(ctx, SAETM_ERR_NOMEM, "trends: out of memory");
    write_job j = {ctx, t, (const char *const *)l, dir};
    saetm__cloc loc;
    saetm__cloc_push(&loc);
    saetm_status st = write_all(&j);
    saetm__cloc_pop(&loc);
    for (uint32_t k = 0; k < t->n_topics; k++) free(l[k]);
    free(l);
    return st;
}
