/* test_report.c - HTML escaping, CSV quoting, the topic map (JS distances + classical MDS), the
 * SVG charts and the HTML report built from an in-memory model directory with hostile text.
 * `test_report --write-html FILE [--no-extras]` only writes the fixture's report (used by
 * test_report_page.sh to check it with an XML parser and headless Chromium). */
#include "report/report_int.h"
#include "test.h"

static char *esc(const char *s, size_t max)
{
    saetm__sb b = {0};
    saetm__sb_html(&b, s, max);
    saetm__sb_puts(&b, "");
    return b.p;
}

static void test_escape(void)
{
    char *s = esc("<a href='x'>Tom & \"Jerry\"</a>", 0);
    CHECK(s && strcmp(s, "&lt;a href=&#39;x&#39;&gt;Tom &amp; &quot;Jerry&quot;&lt;/a&gt;") == 0);
    free(s);
    s = esc("ok\xff\xfe end", 0); /* invalid bytes become U+FFFD each */
    CHECK(s && strcmp(s, "ok\xEF\xBF\xBD\xEF\xBF\xBD end") == 0);
    free(s);
    s = esc("a\x01\x1b[0mb\tc\nd\xc2\x85", 0); /* controls dropped, tab/newline kept, C1 NEL dropped */
    CHECK(s && strcmp(s, "a[0mb\tc\nd") == 0);
    free(s);
    s = esc("h\xc3\xa9llo w\xc3\xb6rld", 2); /* cut after two code points */
    CHECK(s && strcmp(s, "h\xc3\xa9...") == 0);
    free(s);
    s = esc("\xe2\x82\xac\xf0\x9f\x98\x80", 0); /* multi-byte characters pass through */
    CHECK(s && strcmp(s, "\xe2\x82\xac\xf0\x9f\x98\x80") == 0);
    free(s);
    s = esc("\xe2\x82", 0); /* truncated sequence */
    CHECK(s && strcmp(s, "\xEF\xBF\xBD\xEF\xBF\xBD") == 0);
    free(s);
    s = esc(NULL, 0); /* appends nothing */
    CHECK(s && s[0] == 0);
    free(s);
}

static void test_csv(void)
{
    saetm__sb b = {0};
    saetm__sb_csv(&b, "plain");
    saetm__sb_puts(&b, "|");
    saetm__sb_csv(&b, "a,b");
    saetm__sb_puts(&b, "|");
    saetm__sb_csv(&b, "say \"hi\"");
    saetm__sb_puts(&b, "|");
    saetm__sb_csv(&b, "two\nlines");
    CHECK(b.p && strcmp(b.p, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"") == 0);
    CHECK(!b.oom);
    saetm__sb_free(&b);
    /* Long printf output goes through the slow path intact. */
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    saetm__sb_printf(&b, "<%s>", big);
    CHECK(b.n == 1001 && b.p[0] == '<' && b.p[1000] == '>');
    saetm__sb_free(&b);
}

static void test_js_mds(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    /* Rows: identical pair, a disjoint one, and an all-zero row. */
    const float rows[4 * 4] = {1, 1, 0, 0, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0};
    double d[16];
    CHECK_EQ_INT(saetm__js_distances(ctx, rows, 4, 4, d), SAETM_OK);
    CHECK_NEAR(d[0 * 4 + 1], 0, 1e-12);
    CHECK_NEAR(d[0 * 4 + 2], sqrt(log(2.0)), 1e-12);
    CHECK_NEAR(d[2 * 4 + 0], d[0 * 4 + 2], 0);
    CHECK_NEAR(d[3 * 4 + 1], 1, 0);
    CHECK_NEAR(d[3 * 4 + 3], 0, 0);

    /* MDS of points on a plane recovers their pairwise distances. */
    const double px[5] = {0, 3, 0, 3, 1.5}, py[5] = {0, 0, 2, 2, 5};
    double dist[25], xy[10], xy2[10];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) dist[i * 5 + j] = hypot(px[i] - px[j], py[i] - py[j]);
    CHECK_EQ_INT(saetm__mds2(ctx, dist, 5, xy), SAETM_OK);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            CHECK_NEAR(hypot(xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]), dist[i * 5 + j], 1e-9);
    CHECK_EQ_INT(saetm__mds2(ctx, dist, 5, xy2), SAETM_OK);
    CHECK(memcmp(xy, xy2, sizeof xy) == 0);
    /* One point, or points all at the same place: zeros. */
    CHECK_EQ_INT(saetm__mds2(ctx, dist, 1, xy), SAETM_OK);
    CHECK(xy[0] == 0 && xy[1] == 0);
    double zero[9] = {0};
    CHECK_EQ_INT(saetm__mds2(ctx, zero, 3, xy), SAETM_OK);
    for (int i = 0; i < 6; i++) CHECK(xy[i] == 0);
    saetm_ctx_free(ctx);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static void test_svg(void)
{
    saetm__sb b = {0};
    const float v[6] = {0, 0.5f, 1, 0.25f, 0.75f, 0};
    const char *rows[2] = {"r<1>", "r&2"}, *cols[3] = {"c\"1", "c2", "c3"};
    saetm__svg_heatmap(&b, "T & <t>", v, 2, 3, rows, cols, "share");
    CHECK(b.p && count(b.p, "<rect ") == 6 + 10);
    CHECK(count(b.p, "<title>") == 7);
    CHECK(b.p && strstr(b.p, "r&lt;1&gt; / c&quot;1: 0</title>"));
    CHECK(b.p && strstr(b.p, "fill=\"#08306b\"")); /* the maximum is the darkest */
    CHECK(b.p && !strstr(b.p, "r<1>") && !strstr(b.p, "T & <t>"));
    saetm__sb_free(&b);
    const double x[3] = {2000, 2001, 2003};
    const float y[6] = {0.1f, 0.2f, 0.4f, 0.3f, 0.2f, 0.1f};
    const char *sl[2] = {"up", "down"};
    const uint32_t colour[2] = {3, 12};
    saetm__svg_lines(&b, "lines", x, 3, y, 2, sl, colour, "year", "prevalence");
    CHECK(b.p && count(b.p, "<polyline") == 2 && strstr(b.p, "2002"));
    CHECK(b.p && strstr(b.p, "stroke=\"#76b7b2\"") && strstr(b.p, "stroke=\"#e15759\"")); /* palette[3], [12 % 10] */
    saetm__sb_free(&b);
    saetm__svg_lines(&b, "lines", x, 1, y, 0, sl, NULL, "year", "prevalence");
    CHECK(b.p && strstr(b.p, "nothing to draw"));
    saetm__sb_free(&b);
}

/* ---- an in-memory model directory with hostile strings ------------------------------------- */

enum { FN = 60, FK = 6, FV = 30 };
static float f_theta[FN * FK], f_tw[FK * FV];
static char f_dates[FN][32], f_ids[FN][32];
static const char *const f_groups[3] = {"Democratic", "Republican", "<Ind & \"Co\">"};
static const char *const f_snip =
    "<script>alert('x')</script> Tom & \"Jerry\" said: 1 < 2 > 0; bad\xff byte, control\x01 char, "
    "\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x80\x94 and a long tail that goes on and on";

/* The fixture's bag of words (for coherence): 6 vocabulary words, "it's" is not among them. */
static const char *const f_vocab[6] = {"\"quoted\"", "<b>tax</b>", "peace&love", "war", "zebra", "zoo"};
static uint64_t f_row_ptr[FN + 1];
static uint32_t f_word_ids[FN * 6];

static void fixture_bow(void)
{
    f_row_ptr[0] = 0;
    for (int d = 0; d < FN; d++) {
        uint64_t n = f_row_ptr[d];
        for (uint32_t w = 0; w < 6; w++)
            if ((d * 5 + (int)w * 3) % 7 < 3 + (int)(w % 2)) f_word_ids[n++] = w;
        f_row_ptr[d + 1] = n;
    }
}

static saetm_modeldir *fixture(int extras)
{
    fixture_bow();
    saetm_modeldir *md = saetm__modeldir_new("fixture<dir>", FN, FK, 12);
    if (!md) return NULL;
    for (int d = 0; d < FN; d++) {
        double s = 0;
        for (int k = 0; k < FK; k++) {
            /* topic 0 fades, topic 1 grows over the years; others vary with the document. */
            double v = k == 0 ? 1.0 + (FN - d) / 10.0 : k == 1 ? 1.0 + d / 10.0 : 0.2 + ((d * 7 + k * 3) % 11) / 5.0;
            f_theta[d * FK + k] = (float)v;
            s += v;
        }
        for (int k = 0; k < FK; k++) f_theta[d * FK + k] = (float)(f_theta[d * FK + k] / s);
        snprintf(f_dates[d], sizeof f_dates[d], "%d-%02d-15", 1990 + d / 3, 1 + d % 12);
        snprintf(f_ids[d], sizeof f_ids[d], "doc<%d>&", d);
    }
    for (int k = 0; k < FK; k++) f_theta[7 * FK + k] = 0; /* an empty document */
    for (int k = 0; k < FK; k++)
        for (int w = 0; w < FV; w++) f_tw[k * FV + w] = (w / 5 == k) ? 0.18f : 0.1f / (FV - 5);
    md->theta = f_theta;
    md->vocab = FV;
    md->topic_word = extras ? f_tw : NULL;
    md->tw_cols = FV;
    md->doc_id = malloc(sizeof *md->doc_id * FN);
    md->doc_date = malloc(sizeof *md->doc_date * FN);
    md->doc_group = malloc(sizeof *md->doc_group * FN);
    md->doc_snippet = malloc(sizeof *md->doc_snippet * FN);
    for (int d = 0; d < FN; d++) {
        md->doc_id[d] = f_ids[d];
        md->doc_date[d] = extras ? f_dates[d] : NULL;
        md->doc_group[d] = extras ? f_groups[d % 3] : NULL;
        md->doc_snippet[d] = f_snip;
    }
    static const char *const words[5] = {"war", "<b>tax</b>", "peace&love", "\"quoted\"", "it's"};
    for (int k = 0; k < FK; k++) {
        md->n_words[k] = 5;
        for (int i = 0; i < 5; i++) {
            md->word[k * md->max_words + i] = saetm__strdup(words[(i + k) % 5]);
            md->word_p[k * md->max_words + i] = i == 4 ? NAN : 0.1f * (float)(5 - i);
        }
    }
    md->words_source = "topics.json";
    saetm__modeldir_make_labels(md);
    if (extras) {
        md->params = cJSON_Parse("{\"k\": 6, \"tau\": 0.9, \"input\": \"a<b>&c.jsonl\", \"sae\": {\"k\": 32, "
                                 "\"width\": 4096, \"list\": [1, 2.5, \"x\"]}, \"flag\": true, \"none\": null}");
        md->ref = (saetm__eval_ref){FN, f_row_ptr, f_word_ids, 6, f_vocab};
        saetm__modeldir_note(md, "params.json: a <note> & more");
    }
    return md;
}

static void test_report_full(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_modeldir *md = fixture(1);
    CHECK(md != NULL);
    if (!md) return;
    char path[512], path2[512];
    snprintf(path, sizeof path, "%s/report.html", test_tmpdir());
    snprintf(path2, sizeof path2, "%s/report2.html", test_tmpdir());
    saetm_report_opts o;
    saetm_report_opts_default(&o);
    o.trends.bin = SAETM_BIN_DECADE;
    CHECK_EQ_INT(saetm_report_write(ctx, md, &o, path), SAETM_OK);
    CHECK_EQ_INT(saetm_report_write(ctx, md, &o, path2), SAETM_OK);
    char *s = test_slurp(path), *s2 = test_slurp(path2);
    CHECK(s && s2 && strcmp(s, s2) == 0); /* same inputs, same bytes */
    if (s) {
        CHECK(strncmp(s, "<!DOCTYPE html>\n<html", 21) == 0);
        CHECK(count(s, "<script") == 0);
        CHECK(count(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Tom &amp; &quot;Jerry&quot;") == FK * 3);
        CHECK(count(s, "<details") == FK);
        static const char *const ids[] = {"topics", "map", "time", "groups", "docs", "scores", "params"};
        for (int i = 0; i < 7; i++) {
            char id[32];
            snprintf(id, sizeof id, "<section id=\"%s\">", ids[i]);
            CHECK_CONTAINS(s, id);
        }
        CHECK_CONTAINS(s, "<circle ");                      /* the map */
        CHECK_CONTAINS(s, "Rising most");                   /* movers */
        CHECK_CONTAINS(s, "&lt;Ind &amp; &quot;Co&quot;&gt;"); /* group names escaped */
        CHECK_CONTAINS(s, "a&lt;b&gt;&amp;c.jsonl");          /* params escaped */
        CHECK_CONTAINS(s, "<code>sae.list</code></td><td>[1, 2.5, x]</td>");
        CHECK_CONTAINS(s, "<th>NPMI</th><th>C_V</th>"); /* per-topic scores as columns */
        CHECK_CONTAINS(s, "not scored: it&#39;s</p>");
        /* The numbers shown are the evaluation library's on the same words. */
        saetm_eval_result *ev = NULL;
        uint64_t start[FK + 1];
        const char *words[FK * 5];
        for (int k = 0; k <= FK; k++) start[k] = (uint64_t)k * 5;
        for (int i = 0; i < FK * 5; i++) words[i] = md->word[(i / 5) * md->max_words + i % 5];
        CHECK_EQ_INT(saetm__eval_run(ctx, &md->ref, FK, words, start, NULL, &ev), SAETM_OK);
        if (ev) {
            char want[128];
            snprintf(want, sizeof want, "NPMI (mean over topics)</td><td class=\"n\">%.4f</td>", ev->npmi_mean);
            CHECK_CONTAINS(s, want);
            snprintf(want, sizeof want, "topic diversity</td><td class=\"n\">%.4f</td>", ev->diversity);
            CHECK_CONTAINS(s, want);
            snprintf(want, sizeof want, "<td class=\"n\">%.3f</td><td class=\"n\">%.3f</td>", ev->topics[2].npmi,
                     ev->topics[2].cv);
            CHECK_CONTAINS(s, want);
            CHECK(ev->topics[2].npmi != 0);
        }
        saetm_eval_result_free(ev);
        CHECK_CONTAINS(s, "doc&lt;0&gt;&amp;");
        CHECK_CONTAINS(s, "a &lt;note&gt; &amp; more");
        CHECK_CONTAINS(s, "title=\"p = 0.5000\"");
        CHECK(!strstr(s, "http://") || count(s, "http://") == count(s, "xmlns=\"http://www.w3.org/2000/svg\""));
        /* Topic 1 grows and topic 0 fades in the fixture: the rising table lists topic 1 first. */
        char *rise = strstr(s, "Rising most");
        CHECK(rise && strstr(rise, "href=\"#topic-1\"") < strstr(rise, "Falling most"));
        char *fall = strstr(s, "Falling most");
        CHECK(fall && strstr(fall, "href=\"#topic-0\""));
    }
    free(s);
    free(s2);
    saetm__modeldir_free_mem(md);
    saetm_ctx_free(ctx);
}

static void test_report_minimal(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_modeldir *md = fixture(0);
    if (!md) return;
    char path[512];
    snprintf(path, sizeof path, "%s/minimal.html", test_tmpdir());
    CHECK_EQ_INT(saetm_report_write(ctx, md, NULL, path), SAETM_OK);
    char *s = test_slurp(path);
    CHECK_CONTAINS(s, "no <code>topic_word.npy</code>");
    CHECK_CONTAINS(s, "The corpus has no dates");
    CHECK_CONTAINS(s, "The corpus has no groups");
    CHECK_CONTAINS(s, "Scores unavailable: the model directory has no corpus");
    CHECK_CONTAINS(s, "no readable <code>params.json</code>");
    free(s);
    CHECK_EQ_INT(saetm_report_write(ctx, md, NULL, "/nonexistent/dir/r.html"), SAETM_ERR_IO);
    saetm__modeldir_free_mem(md);
    saetm_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--write-html") == 0) {
        saetm_ctx *ctx = saetm_ctx_create();
        saetm_modeldir *md = fixture(argc < 4);
        saetm_status st = md ? saetm_report_write(ctx, md, NULL, argv[2]) : SAETM_ERR_NOMEM;
        if (st) fprintf(stderr, "%s\n", saetm_ctx_errmsg(ctx));
        saetm__modeldir_free_mem(md);
        saetm_ctx_free(ctx);
        return st ? 1 : 0;
    }
    RUN(test_escape);
    RUN(test_csv);
    RUN(test_js_mds);
    RUN(test_svg);
    RUN(test_report_full);
    RUN(test_report_minimal);
    return TEST_REPORT();
}
