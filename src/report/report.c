/*
 * report.c - `saetm report`: one self-contained HTML page about a fitted model (inline CSS and
 * SVG; no scripts, fonts or other external resources), written atomically. Everything shown comes
 * from the model directory; sections whose inputs are missing say what is missing. The page is
 * also well-formed XML (every element closed, only the five XML entities), which the tests check.
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void saetm_report_opts_default(saetm_report_opts *opts)
{
    saetm_trends_opts_default(&opts->trends);
    saetm_eval_opts_default(&opts->eval);
    opts->top_words = 10;
    opts->top_docs = 3;
    opts->title = NULL;
}

typedef struct rep {
    saetm_ctx *ctx;
    const saetm_modeldir *md;
    const saetm_report_opts *o;
    saetm__sb b;
    double *prev;          /* n_topics: mean proportion over non-empty documents */
    uint64_t *dominant;    /* n_topics: documents whose largest proportion is this topic */
    uint64_t n_nonempty;
    saetm_trends *tr;      /* NULL if trends failed (reason noted in the page) */
    char trends_error[512];
    saetm_eval_result *ev; /* NULL if not computed (reason in eval_error, or no reference corpus) */
    char eval_error[512];
    saetm_eval_result *ev_held; /* the same against DIR/heldout.stc (NULL: none, or reason in held_error) */
    char held_error[512];
} rep;

static void h(rep *r, const char *s) { saetm__sb_html(&r->b, s, 0); }
static void put(rep *r, const char *s) { saetm__sb_puts(&r->b, s); }

static const char *const css =
    "body{font-family:sans-serif;margin:0 auto;max-width:1100px;padding:0 18px 40px;color:#222;"
    "line-height:1.4}\n"
    "h1{font-size:1.6em;margin:18px 0 4px}h2{border-bottom:2px solid #4e79a7;padding-bottom:3px;margin-top:32px}\n"
    ".sub{color:#555;margin:0 0 8px}nav a{margin-right:12px;color:#4e79a7}\n"
    "table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #e3e3e3;padding:3px 8px;"
    "text-align:left;vertical-align:top}th{background:#f3f5f8}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".bar{display:inline-block;height:10px;background:#4e79a7;margin-right:6px;vertical-align:middle}\n"
    ".w{display:inline-block;margin:0 6px 2px 0}.w1{font-weight:bold}\n"
    ".note{background:#fff8e1;border-left:4px solid #edc948;padding:6px 10px;margin:8px 0}\n"
    ".muted{color:#666}svg{max-width:100%;height:auto;display:block;margin:8px 0}\n"
    "details{margin:4px 0}summary{cursor:pointer;font-weight:bold}\n"
    "ol.docs li{margin:6px 0}.meta{color:#555;font-size:.9em}.snip{display:block;margin-top:2px}\n"
    ".up{color:#2e7d32}.down{color:#c62828}footer{margin-top:40px;color:#888;font-size:.85em}\n"
    "code{background:#f3f3f3;padding:0 3px}\n";

/* ======================================================================
 * Topic sizes
 * ==================================================================== */

static saetm_status topic_sizes(rep *r)
{
    const saetm_modeldir *md = r->md;
    uint32_t K = md->n_topics;
    r->prev = calloc(K, sizeof *r->prev);
    r->dominant = calloc(K, sizeof *r->dominant);
    if (!r->prev || !r->dominant) return saetm__fail(r->ctx, SAETM_ERR_NOMEM, "report: out of memory");
    for (uint64_t d = 0; d < md->n_docs; d++) {
        const float *row = md->theta + d * K;
        uint32_t best = 0;
        double s = 0;
        for (uint32_t k = 0; k < K; k++) {
            s += row[k];
            if (row[k] > row[best]) best = k;
        }
        if (!(s > 0)) continue;
        r->n_nonempty++;
        r->dominant[best]++;
        for (uint32_t k = 0; k < K; k++) r->prev[k] += row[k];
    }
    for (uint32_t k = 0; k < K; k++) r->prev[k] = r->n_nonempty ? r->prev[k] / (double)r->n_nonempty : 0;
    return SAETM_OK;
}

/* ======================================================================
 * Scores: coherence and diversity against the model's own corpus
 * ==================================================================== */

static saetm_status scores(rep *r)
{
    const saetm_modeldir *md = r->md;
    if (!md->ref.n_docs) return SAETM_OK;
    uint32_t K = md->n_topics;
    uint64_t *start = malloc(sizeof *start * ((size_t)K + 1));
    const char **words = malloc(sizeof *words * ((size_t)K * md->max_words + 1));
    if (!start || !words) {
        free(start);
        free(words);
        return saetm__fail(r->ctx, SAETM_ERR_NOMEM, "report: out of memory");
    }
    start[0] = 0;
    for (uint32_t k = 0; k < K; k++) {
        for (uint32_t i = 0; i < md->n_words[k]; i++) words[start[k] + i] = md->word[(size_t)k * md->max_words + i];
        start[k + 1] = start[k] + md->n_words[k];
    }
    saetm_status st = saetm__eval_run(r->ctx, &md->ref, K, words, start, &r->o->eval, &r->ev);
    if (st && st != SAETM_ERR_NOMEM) { /* e.g. a corpus without any non-empty document: say so in the page */
        snprintf(r->eval_error, sizeof r->eval_error, "%s", saetm_ctx_errmsg(r->ctx));
        r->ev = NULL;
        st = SAETM_OK;
    }
    if (!st && md->held.n_docs) { /* a fit with --holdout: the same words on its held-out documents */
        st = saetm__eval_run(r->ctx, &md->held, K, words, start, &r->o->eval, &r->ev_held);
        if (st && st != SAETM_ERR_NOMEM) {
            snprintf(r->held_error, sizeof r->held_error, "%s", saetm_ctx_errmsg(r->ctx));
            r->ev_held = NULL;
            st = SAETM_OK;
        }
    }
    free(start);
    free(words);
    return st;
}

/* ======================================================================
 * Sections
 * ==================================================================== */

static void section_header(rep *r)
{
    const saetm_modeldir *md = r->md;
    char title[600];
    if (r->o->title) snprintf(title, sizeof title, "%s", r->o->title);
    else snprintf(title, sizeof title, "saetm report: %s", md->dir);
    put(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>");
    h(r, title);
    put(r, "</title>\n<style>\n");
    put(r, css);
    put(r, "</style>\n</head>\n<body>\n<header>\n<h1>");
    h(r, title);
    saetm__sb_printf(&r->b, "</h1>\n<p class=\"sub\">%u topics &#183; %llu documents (%llu with words)",
                     (unsigned)md->n_topics, (unsigned long long)md->n_docs, (unsigned long long)r->n_nonempty);
    if (md->vocab) saetm__sb_printf(&r->b, " &#183; %u vocabulary words", (unsigned)md->vocab);
    put(r, " &#183; topic words from <code>");
    h(r, md->words_source ? md->words_source : "?");
    put(r, "</code></p>\n<nav><a href=\"#topics\">Topics</a><a href=\"#map\">Map</a><a href=\"#time\">Over time</a>"
           "<a href=\"#groups\">Per group</a><a href=\"#docs\">Documents</a><a href=\"#scores\">Scores</a>"
           "<a href=\"#params\">Parameters</a></nav>\n</header>\n");
    if (md->note) {
        put(r, "<div class=\"note\">Notes on the model directory:<br/>");
        for (const char *p = md->note; *p;) {
            const char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            char *line = malloc(n + 1);
            if (!line) {
                r->b.oom = 1;
                break;
            }
            memcpy(line, p, n);
            line[n] = 0;
            h(r, line);
            put(r, "<br/>");
            free(line);
            p += n + (e ? 1 : 0);
        }
        put(r, "</div>\n");
    }
}

static void section_topics(rep *r)
{
    const saetm_modeldir *md = r->md;
    uint32_t K = md->n_topics;
    const saetm_eval_result *ev = r->ev;
    double pmax = 0;
    for (uint32_t k = 0; k < K; k++) pmax = fmax(pmax, r->prev[k]);
    put(r, "<section id=\"topics\">\n<h2>Topics</h2>\n<p>Prevalence is the mean topic proportion over the documents "
           "that have words; <em>docs</em> counts the documents whose largest proportion is the topic. Hover a word "
           "for its probability in the topic.</p>\n<table>\n<tr><th>topic</th><th>prevalence</th><th>docs</th>");
    if (ev) saetm__sb_printf(&r->b, "<th>NPMI</th><th>C_V</th>");
    put(r, "<th>top words</th></tr>\n");
    for (uint32_t k = 0; k < K; k++) {
        saetm__sb_printf(&r->b,
                         "<tr id=\"topic-%u\"><td class=\"n\">%u</td><td class=\"n\"><span class=\"bar\" "
                         "style=\"width:%.0fpx\"></span>%.2f%%</td><td class=\"n\">%llu</td>",
                         (unsigned)k, (unsigned)k, pmax > 0 ? 80.0 * r->prev[k] / pmax : 0.0, 100.0 * r->prev[k],
                         (unsigned long long)r->dominant[k]);
        if (ev && ev->topics[k].scored)
            saetm__sb_printf(&r->b, "<td class=\"n\">%.3f</td><td class=\"n\">%.3f</td>", ev->topics[k].npmi,
                             ev->topics[k].cv);
        else if (ev)
            put(r, "<td class=\"n muted\" title=\"fewer than two of its words occur in the corpus\">-</td>"
                   "<td class=\"n muted\">-</td>");
        put(r, "<td>");
        uint32_t nw = md->n_words[k] < r->o->top_words ? md->n_words[k] : r->o->top_words;
        for (uint32_t i = 0; i < nw; i++) {
            float p = md->word_p[(size_t)k * md->max_words + i];
            saetm__sb_printf(&r->b, "<span class=\"w%s\"", i < 3 ? " w1" : "");
            if (isfinite(p)) saetm__sb_printf(&r->b, " title=\"p = %.4f\"", (double)p);
            put(r, ">");
            h(r, md->word[(size_t)k * md->max_words + i]);
            put(r, "</span>");
        }
        if (nw == 0) put(r, "<span class=\"muted\">(no words)</span>");
        put(r, "</td></tr>\n");
    }
    put(r, "</table>\n</section>\n");
}

static saetm_status section_map(rep *r)
{
    const saetm_modeldir *md = r->md;
    uint32_t K = md->n_topics;
    put(r, "<section id=\"map\">\n<h2>Topic map</h2>\n");
    if (!md->topic_word) {
        put(r, "<p class=\"note\">No map: the model directory has no <code>topic_word.npy</code>.</p>\n</section>\n");
        return SAETM_OK;
    }
    if (K < 2) {
        put(r, "<p class=\"note\">No map: the model has a single topic.</p>\n</section>\n");
        return SAETM_OK;
    }
    put(r, "<p>Classical multidimensional scaling of the Jensen-Shannon distances between the topics' word "
           "distributions: topics close together use similar words. Circle area is proportional to prevalence.</p>\n");
    double *dist = malloc(sizeof *dist * (size_t)K * K);
    double *xy = malloc(sizeof *xy * 2 * K);
    double *x = malloc(sizeof *x * K), *y = malloc(sizeof *y * K);
    char **tips = calloc(K, sizeof *tips);
    saetm_status st = SAETM_OK;
    if (!dist || !xy || !x || !y || !tips) st = saetm__fail(r->ctx, SAETM_ERR_NOMEM, "report: out of memory");
    if (!st) st = saetm__js_distances(r->ctx, md->topic_word, K, md->tw_cols, dist);
    if (!st) st = saetm__mds2(r->ctx, dist, K, xy);
    if (!st) {
        for (uint32_t k = 0; k < K; k++) {
            x[k] = xy[2 * k];
            y[k] = xy[2 * k + 1];
            char tip[256];
            snprintf(tip, sizeof tip, "%s (prevalence %.2f%%)", md->label[k], 100.0 * r->prev[k]);
            tips[k] = saetm__strdup(tip);
            if (!tips[k]) r->b.oom = 1;
        }
        saetm__svg_map(&r->b, "Topic map", x, y, r->prev, K, (const char *const *)md->label,
                       (const char *const *)tips);
    }
    put(r, "</section>\n");
    for (uint32_t k = 0; tips && k < K; k++) free(tips[k]);
    free(tips);
    free(dist);
    free(xy);
    free(x);
    free(y);
    return st;
}

static void movers_table(rep *r, int rising)
{
    const saetm_trends *t = r->tr;
    uint32_t K = t->n_topics, shown = 0;
    put(r, rising ? "<h3>Rising most</h3>\n" : "<h3>Falling most</h3>\n");
    put(r, "<table>\n<tr><th>topic</th><th>fitted change</th><th>first bin</th><th>last bin</th></tr>\n");
    for (uint32_t i = 0; i < K && shown < 5; i++) {
        uint32_t k = rising ? t->order[i] : t->order[K - 1 - i];
        if (rising ? !(t->change[k] > 0) : !(t->change[k] < 0)) break;
        shown++;
        saetm__sb_printf(&r->b, "<tr><td><a href=\"#topic-%u\">", (unsigned)k);
        h(r, r->md->label[k]);
        saetm__sb_printf(&r->b,
                         "</a></td><td class=\"n %s\">%+.2f pp</td><td class=\"n\">%.2f%%</td>"
                         "<td class=\"n\">%.2f%%</td></tr>\n",
                         rising ? "up" : "down", 100.0 * t->change[k], 100.0 * t->time[k],
                         100.0 * t->time[(size_t)(t->n_bins - 1) * K + k]);
    }
    if (!shown) put(r, "<tr><td colspan=\"4\" class=\"muted\">none</td></tr>\n");
    put(r, "</table>\n");
}

static void section_time(rep *r)
{
    const saetm_modeldir *md = r->md;
    const saetm_trends *t = r->tr;
    put(r, "<section id=\"time\">\n<h2>Trends over time</h2>\n");
    if (!t) {
        put(r, "<p class=\"note\">Trends could not be computed: ");
        h(r, r->trends_error);
        put(r, "</p>\n</section>\n");
        return;
    }
    if (!saetm_modeldir_has_dates(md)) {
        put(r, "<p class=\"note\">The corpus has no dates. Build it with <code>saetm corpus --date-field FIELD</code> "
               "to see topics over time.</p>\n</section>\n");
        return;
    }
    if (t->n_bins == 0) {
        put(r, "<p class=\"note\">No document has a date in a known form (first: ");
        h(r, md->doc_date[t->first_bad_doc]);
        put(r, "); expected YYYY, YYYY-MM-DD, MM/DD/YYYY or &quot;January 8, 1790&quot;.</p>\n</section>\n");
        return;
    }
    uint64_t dated = 0;
    for (uint32_t b = 0; b < t->n_bins; b++) dated += t->bin_docs[b];
    static const char *const mode[3] = {"one per year", "one per decade", "of equal width"};
    saetm__sb_printf(&r->b, "<p>%llu documents in %u time bins (%s, from %s to %s).",
                     (unsigned long long)dated, (unsigned)t->n_bins, mode[r->o->trends.bin], t->bin_label[0],
                     t->bin_label[t->n_bins - 1]);
    if (t->n_undated || t->n_bad_date)
        saetm__sb_printf(&r->b, " Left out: %llu without a date, %llu with a date in an unknown form.",
                         (unsigned long long)t->n_undated, (unsigned long long)t->n_bad_date);
    put(r, " Rise and fall: the change in prevalence over the whole span given by a least-squares line through "
           "the bins' prevalences (one point per bin, at its midpoint), in percentage points (pp).</p>\n");
    if (t->n_bins >= 2) {
        movers_table(r, 1);
        movers_table(r, 0);
        saetm__trends_movers_svg(&r->b, t, (const char *const *)md->label);
    } else {
        put(r, "<p class=\"muted\">Only one time bin: no rise or fall to measure.</p>\n");
    }
    saetm__trends_heatmap_svg(&r->b, t, (const char *const *)md->label, 0);
    put(r, "</section>\n");
}

static void section_groups(rep *r)
{
    const saetm_trends *t = r->tr;
    put(r, "<section id=\"groups\">\n<h2>Topics per group</h2>\n");
    if (!t) {
        put(r, "<p class=\"note\">Not available (see the trends section).</p>\n</section>\n");
        return;
    }
    if (t->n_groups == 0) {
        put(r, "<p class=\"note\">The corpus has no groups. Build it with <code>saetm corpus --group-field FIELD</code> "
               "to compare groups.</p>\n</section>\n");
        return;
    }
    uint32_t K = t->n_topics;
    saetm__sb_printf(&r->b, "<p>%u groups", (unsigned)t->n_groups);
    if (t->n_nogroup) saetm__sb_printf(&r->b, "; %llu documents without a group left out", (unsigned long long)t->n_nogroup);
    put(r, ". The table gives each group's most prevalent topic.</p>\n<table>\n<tr><th>group</th><th>docs</th>"
           "<th>top topic</th><th>its prevalence</th></tr>\n");
    uint32_t shown = t->n_groups < 30 ? t->n_groups : 30;
    for (uint32_t g = 0; g < shown; g++) {
        const float *row = t->group + (size_t)g * K;
        uint32_t best = 0;
        for (uint32_t k = 1; k < K; k++)
            if (row[k] > row[best]) best = k;
        put(r, "<tr><td>");
        h(r, t->group_label[g]);
        saetm__sb_printf(&r->b, "</td><td class=\"n\">%llu</td><td><a href=\"#topic-%u\">",
                         (unsigned long long)t->group_docs[g], (unsigned)best);
        h(r, r->md->label[best]);
        saetm__sb_printf(&r->b, "</a></td><td class=\"n\">%.2f%%</td></tr>\n", 100.0 * row[best]);
    }
    put(r, "</table>\n");
    if (shown < t->n_groups)
        saetm__sb_printf(&r->b, "<p class=\"muted\">(%u more groups in the heat map)</p>\n",
                         (unsigned)(t->n_groups - shown));
    saetm__trends_heatmap_svg(&r->b, t, (const char *const *)r->md->label, 1);
    put(r, "</section>\n");
}

static saetm_status section_docs(rep *r)
{
    const saetm_modeldir *md = r->md;
    uint32_t K = md->n_topics, top = r->o->top_docs;
    put(r, "<section id=\"docs\">\n<h2>Most representative documents</h2>\n<p>Per topic, the documents with the "
           "highest proportion of it.</p>\n");
    uint64_t *best = malloc(sizeof *best * (top ? top : 1));
    if (!best) return saetm__fail(r->ctx, SAETM_ERR_NOMEM, "report: out of memory");
    for (uint32_t k = 0; k < K; k++) {
        /* Insertion into a short sorted list: highest proportion first, ties by document order. */
        uint32_t n = 0;
        for (uint64_t d = 0; d < md->n_docs; d++) {
            float v = md->theta[d * K + k];
            if (!(v > 0)) continue;
            if (n == top && !(v > md->theta[best[n - 1] * K + k])) continue;
            uint32_t i = n < top ? n++ : n - 1;
            while (i > 0 && v > md->theta[best[i - 1] * K + k]) {
                best[i] = best[i - 1];
                i--;
            }
            best[i] = d;
        }
        saetm__sb_printf(&r->b, "<details%s><summary>", k == 0 ? " open=\"open\"" : "");
        h(r, md->label[k]);
        put(r, "</summary>\n");
        if (n == 0) put(r, "<p class=\"muted\">No document has this topic.</p>\n");
        else put(r, "<ol class=\"docs\">\n");
        for (uint32_t i = 0; i < n; i++) {
            uint64_t d = best[i];
            put(r, "<li><span class=\"meta\"><b>");
            if (md->doc_id && md->doc_id[d] && md->doc_id[d][0]) h(r, md->doc_id[d]);
            else saetm__sb_printf(&r->b, "document %llu", (unsigned long long)d);
            put(r, "</b>");
            if (md->doc_date && md->doc_date[d] && md->doc_date[d][0]) {
                put(r, " &#183; ");
                h(r, md->doc_date[d]);
            }
            if (md->doc_group && md->doc_group[d] && md->doc_group[d][0]) {
                put(r, " &#183; ");
                h(r, md->doc_group[d]);
            }
            saetm__sb_printf(&r->b, " &#183; %.0f%% of the document</span>", 100.0 * md->theta[d * K + k]);
            if (md->doc_snippet && md->doc_snippet[d] && md->doc_snippet[d][0]) {
                put(r, "<span class=\"snip\">");
                saetm__sb_html(&r->b, md->doc_snippet[d], 400);
                put(r, "</span>");
            }
            put(r, "</li>\n");
        }
        if (n) put(r, "</ol>\n");
        put(r, "</details>\n");
    }
    free(best);
    put(r, "</section>\n");
    return SAETM_OK;
}

static void json_scalar(rep *r, const cJSON *v)
{
    if (cJSON_IsString(v)) h(r, v->valuestring);
    else if (cJSON_IsNumber(v)) saetm__sb_printf(&r->b, "%.10g", v->valuedouble);
    else if (cJSON_IsBool(v)) put(r, cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v)) put(r, "null");
}

/* One table row per leaf of a JSON value, keys joined with '.'; arrays of scalars on one row. */
static void json_rows(rep *r, const cJSON *v, char *key, size_t cap, int depth)
{
    size_t klen = strlen(key);
    int all_scalar = 1;
    if (cJSON_IsArray(v))
        for (const cJSON *it = v->child; it; it = it->next) all_scalar &= !cJSON_IsArray(it) && !cJSON_IsObject(it);
    if (cJSON_IsObject(v) && depth < 8) {
        for (const cJSON *it = v->child; it; it = it->next) {
            snprintf(key + klen, cap - klen, "%s%s", klen ? "." : "", it->string ? it->string : "");
            json_rows(r, it, key, cap, depth + 1);
            key[klen] = 0;
        }
        return;
    }
    if (cJSON_IsArray(v) && !all_scalar && depth < 8) {
        int i = 0;
        for (const cJSON *it = v->child; it; it = it->next, i++) {
            snprintf(key + klen, cap - klen, "[%d]", i);
            json_rows(r, it, key, cap, depth + 1);
            key[klen] = 0;
        }
        return;
    }
    put(r, "<tr><td><code>");
    h(r, key);
    put(r, "</code></td><td>");
    if (cJSON_IsArray(v)) {
        put(r, "[");
        for (const cJSON *it = v->child; it; it = it->next) {
            json_scalar(r, it);
            if (it->next) put(r, ", ");
        }
        put(r, "]");
    } else if (cJSON_IsObject(v)) {
        put(r, "(nested too deep)");
    } else {
        json_scalar(r, v);
    }
    put(r, "</td></tr>\n");
}

/* The scores per K of DIR/sweep.json (saetm sweep), as a chart and a table. */
static void sweep_chart(rep *r)
{
    const cJSON *rows = r->md->sweep ? cJSON_GetObjectItemCaseSensitive(r->md->sweep, "rows") : NULL;
    if (!cJSON_IsArray(rows)) return;
    uint32_t n = (uint32_t)cJSON_GetArraySize(rows), i = 0;
    static const char *const keys[3] = {"npmi", "c_v", "diversity"};
    double *x = n ? malloc(n * sizeof *x) : NULL;
    float *y = n ? malloc(3 * (size_t)n * sizeof *y) : NULL;
    int ok = n > 0 && x && y;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        if (!ok) break;
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(row, "k");
        ok = cJSON_IsNumber(k) && k->valuedouble >= 1 && (i == 0 || k->valuedouble > x[i - 1]);
        if (ok) x[i] = k->valuedouble;
        for (int s = 0; ok && s < 3; s++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, keys[s]);
            ok = cJSON_IsNumber(v) && isfinite(v->valuedouble);
            if (ok) y[(size_t)s * n + i] = (float)v->valuedouble;
        }
        i++;
    }
    put(r, "<h3>Choosing K (saetm sweep)</h3>\n");
    if (!ok) {
        put(r, "<p class=\"note\">sweep.json ignored: expected \"rows\" with increasing \"k\" and numbers "
               "\"npmi\", \"c_v\", \"diversity\".</p>\n");
    } else {
        const cJSON *merge = cJSON_GetObjectItemCaseSensitive(r->md->sweep, "merge");
        put(r, "<p>The same model's features merged into each number of topics K (");
        h(r, cJSON_IsString(merge) ? merge->valuestring : "merge as recorded");
        saetm__sb_printf(&r->b, "), scored as above. This model has K = %u. Higher NPMI and C_V mean more coherent "
                                "topics; higher diversity means topics that share fewer top words.</p>\n",
                         (unsigned)r->md->n_topics);
        static const char *const names[3] = {"NPMI", "C_V", "diversity"};
        saetm__svg_lines(&r->b, "Coherence and diversity by number of topics", x, n, y, 3, names, NULL, "K (topics)",
                         "score");
        put(r, "<table>\n<tr><th>K</th><th>NPMI</th><th>C_V</th><th>diversity</th></tr>\n");
        for (i = 0; i < n; i++)
            saetm__sb_printf(&r->b, "<tr><td class=\"n\">%s%.0f%s</td><td class=\"n\">%.4f</td><td class=\"n\">%.4f</td>"
                                    "<td class=\"n\">%.4f</td></tr>\n",
                             x[i] == r->md->n_topics ? "<b>" : "", x[i], x[i] == r->md->n_topics ? "</b>" : "", y[i],
                             y[n + i], y[2 * (size_t)n + i]);
        put(r, "</table>\n");
    }
    free(x);
    free(y);
}

static void section_scores(rep *r)
{
    const saetm_eval_result *ev = r->ev;
    const saetm_eval_opts *eo = &r->o->eval;
    put(r, "<section id=\"scores\">\n<h2>Coherence and diversity</h2>\n");
    if (!ev) {
        put(r, "<p class=\"note\">Scores unavailable: ");
        h(r, r->eval_error[0] ? r->eval_error : "the model directory has no corpus to score the topics against.");
        put(r, "</p>\n</section>\n");
        return;
    }
    const saetm_eval_result *hv = r->ev_held;
    const int held = r->md->held.n_docs > 0;
    if (!held) {
        saetm__sb_printf(&r->b,
                         "<p>Scored against the model's own corpus (%llu documents with words), counting document "
                         "co-occurrence as <code>saetm eval</code> does (docs/eval.md). NPMI and C_V use each topic's "
                         "first %u words; diversity is the share of distinct words among all topics' first %u.</p>\n"
                         "<table>\n<tr><th>score</th><th>value</th></tr>\n",
                         (unsigned long long)ev->n_docs, (unsigned)eo->top_n, (unsigned)eo->diversity_n);
    } else {
        saetm__sb_printf(&r->b,
                         "<p>The model was fitted with <code>--holdout %g</code>: no stage saw the held-out "
                         "documents. <b>In-sample</b> scores count document co-occurrence in the documents the "
                         "topics were fitted to (corpus.stc, %llu documents with words), <b>held-out</b> scores in "
                         "the held-out documents (heldout.stc, %llu with words), as <code>saetm eval</code> does "
                         "(docs/eval.md): held-out scores tell whether the topics' words also go together in "
                         "documents the model never saw. NPMI "
                         "and C_V use each topic's first %u words; diversity is the share of distinct words among "
                         "all topics' first %u.</p>\n"
                         "<table>\n<tr><th>score</th><th>in-sample</th><th>held-out</th></tr>\n",
                         r->md->holdout, (unsigned long long)ev->n_docs, hv ? (unsigned long long)hv->n_docs : 0ULL,
                         (unsigned)eo->top_n, (unsigned)eo->diversity_n);
    }
    const char *names[3] = {"NPMI (mean over topics)", "C_V (mean over topics)", "topic diversity"};
    for (int i = 0; i < 3; i++) {
        double a = i == 0 ? ev->npmi_mean : i == 1 ? ev->cv_mean : ev->diversity;
        saetm__sb_printf(&r->b, "<tr><td>%s</td><td class=\"n\">%.4f</td>", names[i], a);
        if (held && hv) {
            double b = i == 0 ? hv->npmi_mean : i == 1 ? hv->cv_mean : hv->diversity;
            saetm__sb_printf(&r->b, "<td class=\"n\">%.4f</td>", b);
        } else if (held) {
            put(r, "<td class=\"n\">n/a</td>");
        }
        put(r, "</tr>\n");
    }
    saetm__sb_printf(&r->b, "<tr><td>topics scored</td><td class=\"n\">%u of %u</td>", (unsigned)ev->n_scored_topics,
                     (unsigned)ev->n_topics);
    if (held && hv)
        saetm__sb_printf(&r->b, "<td class=\"n\">%u of %u</td>", (unsigned)hv->n_scored_topics, (unsigned)hv->n_topics);
    else if (held) put(r, "<td class=\"n\">n/a</td>");
    put(r, "</tr>\n</table>\n");
    if (held && !hv) {
        put(r, "<p class=\"note\">Held-out scores unavailable: ");
        h(r, r->held_error);
        put(r, "</p>\n");
    }
    if (ev->diversity_short)
        saetm__sb_printf(&r->b, "<p class=\"muted\">%u topics have fewer than %u words; diversity uses the words "
                                "they have.</p>\n",
                         (unsigned)ev->diversity_short, (unsigned)eo->diversity_n);
    if (ev->n_missing) {
        saetm__sb_printf(&r->b, "<p class=\"muted\">%u top words do not occur in the corpus and were not scored: ",
                         (unsigned)ev->n_missing);
        for (uint32_t i = 0; i < ev->n_missing && i < 20; i++) {
            if (i) put(r, ", ");
            h(r, ev->missing[i]);
        }
        put(r, ev->n_missing > 20 ? ", ...</p>\n" : "</p>\n");
    }
    sweep_chart(r);
    put(r, "</section>\n");
}

static void section_params(rep *r)
{
    const saetm_modeldir *md = r->md;
    put(r, "<section id=\"params\">\n<h2>Run parameters</h2>\n");
    if (!md->params) {
        put(r, "<p class=\"note\">Not available: the model directory has no readable <code>params.json</code>.</p>\n"
               "</section>\n");
        return;
    }
    put(r, "<p>From <code>params.json</code>.</p>\n<table>\n<tr><th>parameter</th><th>value</th></tr>\n");
    char key[256] = "";
    json_rows(r, md->params, key, sizeof key, 0);
    put(r, "</table>\n</section>\n");
}

/* ======================================================================
 * Entry point
 * ==================================================================== */

static saetm_status build(rep *r)
{
    saetm_status st = topic_sizes(r);
    if (st) return st;
    st = scores(r);
    if (st) return st;
    st = saetm_modeldir_trends(r->ctx, r->md, &r->o->trends, &r->tr);
    if (st == SAETM_ERR_NOMEM) return st;
    if (st) snprintf(r->trends_error, sizeof r->trends_error, "%s", saetm_ctx_errmsg(r->ctx));
    section_header(r);
    section_topics(r);
    st = section_map(r);
    if (st) return st;
    section_time(r);
    section_groups(r);
    st = section_docs(r);
    if (st) return st;
    section_scores(r);
    section_params(r);
    saetm__sb_printf(&r->b, "<footer>Written by saetm %s. This page is self-contained: no scripts, no external "
                            "resources.</footer>\n</body>\n</html>\n",
                     saetm_version());
    return SAETM_OK;
}

saetm_status saetm_report_write(saetm_ctx *ctx, const saetm_modeldir *md, const saetm_report_opts *opts,
                                const char *path)
{
    saetm_report_opts def;
    if (!opts) {
        saetm_report_opts_default(&def);
        opts = &def;
    }
    if (md->n_topics == 0) return saetm__fail(ctx, SAETM_ERR_ARG, "report: the model has no topics");
    rep r = {.ctx = ctx, .md = md, .o = opts};
    saetm__cloc loc;
    saetm__cloc_push(&loc);
    saetm_status st = build(&r);
    saetm__cloc_pop(&loc);
    if (!st) st = saetm__sb_write(ctx, &r.b, path);
    saetm__sb_free(&r.b);
    saetm_trends_free(r.tr);
    saetm_eval_result_free(r.ev);
    saetm_eval_result_free(r.ev_held);
    free(r.prev);
    free(r.dominant);
    return st;
}
