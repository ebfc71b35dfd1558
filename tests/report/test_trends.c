/* test_trends.c - date parsing, topic prevalence per time bin and per group, rise and fall, and the
 * CSV/SVG files of `saetm trends`. */
#include "report/report_int.h"
#include "test.h"

#include <sys/stat.h>

static int parses(const char *s, int want_year, double want_t)
{
    int y = -1;
    double t = -1;
    if (!saetm_date_parse(s, &y, &t)) {
        fprintf(stderr, "  '%s' did not parse\n", s);
        return 0;
    }
    if (y != want_year || fabs(t - want_t) > 1e-9) {
        fprintf(stderr, "  '%s' -> %d %.9f, want %d %.9f\n", s, y, t, want_year, want_t);
        return 0;
    }
    return 1;
}

static void test_dates_valid(void)
{
    CHECK(parses("1790", 1790, 1790.5));
    CHECK(parses("  2001 ", 2001, 2001.5));
    CHECK(parses("2001-01-01", 2001, 2001 + 0.5 / 365));
    CHECK(parses("2000-12-31", 2000, 2000 + 365.5 / 366)); /* leap year */
    CHECK(parses("2001/03/01", 2001, 2001 + (59 + 0.5) / 365));
    CHECK(parses("2001.03.01", 2001, 2001 + (59 + 0.5) / 365));
    CHECK(parses("2001-3-1", 2001, 2001 + (59 + 0.5) / 365));
    CHECK(parses("20010301", 2001, 2001 + (59 + 0.5) / 365));
    CHECK(parses("2001-03", 2001, 2001 + (59 + 15.5) / 365));
    CHECK(parses("2001-03-01T12:30:00Z", 2001, 2001 + (59 + 0.5) / 365));
    CHECK(parses("2001-03-01 12:30", 2001, 2001 + (59 + 0.5) / 365));
    CHECK(parses("03/01/2001", 2001, 2001 + (59 + 0.5) / 365));  /* US: March 1 */
    CHECK(parses("13/03/2001", 2001, 2001 + (59 + 12.5) / 365)); /* day first when > 12 */
    CHECK(parses("January 8, 1790", 1790, 1790 + 7.5 / 365));
    CHECK(parses("jan 8 1790", 1790, 1790 + 7.5 / 365));
    CHECK(parses("Jan. 8, 1790", 1790, 1790 + 7.5 / 365));
    CHECK(parses("8 January 1790", 1790, 1790 + 7.5 / 365));
    CHECK(parses("8-Jan-1790", 1790, 1790 + 7.5 / 365));
    CHECK(parses("Sept 1 1790", 1790, 1790 + (243 + 0.5) / 365));
    CHECK(parses("December 1790", 1790, 1790 + (334 + 15.5) / 365));
    CHECK(parses("2000-02-29", 2000, 2000 + (59 + 0.5) / 366));
}

static void test_dates_invalid(void)
{
    static const char *const bad[] = {"", "   ", "abc", "179", "17901", "2001-13-01", "2001-02-29", "1900-02-29",
                                      "2001-04-31", "2001-00-10", "2001-01-00", "0000", "2001-01-01x", "2001/01-01",
                                      "2001.5", "13/13/2001", "Janvier 8 1790", "January 32, 1790", "1790s",
                                      "-1790", "2001--01", "20011301", "Ja 8 1790", "2001-00", "January 0, 1790",
                                      "00/10/2001", NULL};
    for (int i = 0; bad[i]; i++) {
        int y = 7;
        double t = 7;
        int ok = saetm_date_parse(bad[i], &y, &t);
        if (ok) fprintf(stderr, "  '%s' parsed as %d\n", bad[i], y);
        CHECK(!ok && y == 7 && t == 7);
    }
    int y;
    double t;
    CHECK(!saetm_date_parse(NULL, &y, &t));
}

/* Six documents, two topics: two in 2000, one in 2002, one with a bad date, one undated, one empty. */
static const float theta6[] = {1.0f, 0.0f, 0.5f, 0.5f, 0.0f, 1.0f, 0.2f, 0.8f, 0.3f, 0.7f, 0.0f, 0.0f};
static const char *const dates6[] = {"2000", "2000-06-01", "2002", "someday", "", "2000"};
static const char *const groups6[] = {"b", "a", "a", "", NULL, "c"};

static void test_trends_year(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_trends_opts o;
    saetm_trends_opts_default(&o);
    saetm_trends *t = NULL;
    CHECK_EQ_INT(saetm_trends_compute(ctx, theta6, 6, 2, dates6, groups6, &o, &t), SAETM_OK);
    if (!t) return;
    CHECK_EQ_INT(t->n_docs, 6);
    CHECK_EQ_INT(t->n_empty, 1);
    CHECK_EQ_INT(t->n_undated, 1);
    CHECK_EQ_INT(t->n_bad_date, 1);
    CHECK_EQ_INT(t->first_bad_doc, 3);
    CHECK_EQ_INT(t->n_bins, 2);
    CHECK(strcmp(t->bin_label[0], "2000") == 0 && strcmp(t->bin_label[1], "2002") == 0);
    CHECK_NEAR(t->bin_start[1], 2002, 0);
    CHECK_NEAR(t->bin_end[1], 2003, 0);
    CHECK_EQ_INT(t->bin_docs[0], 2);
    CHECK_EQ_INT(t->bin_docs[1], 1);
    CHECK_NEAR(t->time[0], 0.75, 1e-7);
    CHECK_NEAR(t->time[1], 0.25, 1e-7);
    CHECK_NEAR(t->time[2], 0.0, 1e-7);
    CHECK_NEAR(t->time[3], 1.0, 1e-7);
    /* Two points, 2 years apart: topic 1 goes 0.25 -> 1.0, slope 0.375/year, change 0.75. */
    CHECK_NEAR(t->slope[1], 0.375, 1e-7);
    CHECK_NEAR(t->change[1], 0.75, 1e-7);
    CHECK_NEAR(t->change[0], -0.75, 1e-7);
    CHECK_EQ_INT(t->order[0], 1);
    CHECK_EQ_INT(t->order[1], 0);
    /* Groups by size, then name: a (2 docs), b (1), c (0: its only document is empty -> absent). */
    CHECK_EQ_INT(t->n_groups, 2);
    CHECK(strcmp(t->group_label[0], "a") == 0 && strcmp(t->group_label[1], "b") == 0);
    CHECK_EQ_INT(t->group_docs[0], 2);
    CHECK_NEAR(t->group[0], 0.25, 1e-7);
    CHECK_NEAR(t->group[1], 0.75, 1e-7);
    CHECK_NEAR(t->group[2], 1.0, 1e-7);
    CHECK_EQ_INT(t->n_nogroup, 2);
    saetm_trends_free(t);
    saetm_ctx_free(ctx);
}

/* A least-squares fit over several bins, against the closed form. */
static void test_trends_slope(void)
{
    enum { N = 40 };
    float th[N * 3];
    char buf[N][16];
    const char *dates[N];
    for (int d = 0; d < N; d++) {
        int year = 1900 + d / 4; /* ten years, four documents each */
        snprintf(buf[d], sizeof buf[d], "%d", year);
        dates[d] = buf[d];
        double a = 0.1 + 0.05 * (d / 4) + 0.01 * (d % 4); /* rises linearly by 0.05 per year */
        th[d * 3 + 0] = (float)a;
        th[d * 3 + 1] = (float)(0.9 - a);
        th[d * 3 + 2] = 0.1f;
    }
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_trends *t = NULL;
    CHECK_EQ_INT(saetm_trends_compute(ctx, th, N, 3, dates, NULL, NULL, &t), SAETM_OK);
    if (!t) return;
    CHECK_EQ_INT(t->n_bins, 10);
    CHECK_NEAR(t->slope[0], 0.05, 1e-6);
    CHECK_NEAR(t->change[0], 0.45, 1e-5);
    CHECK_NEAR(t->slope[1], -0.05, 1e-6);
    CHECK_NEAR(t->slope[2], 0.0, 1e-6);
    CHECK_EQ_INT(t->order[0], 0);
    CHECK_EQ_INT(t->order[2], 1);
    CHECK_EQ_INT(t->n_groups, 0);
    CHECK_EQ_INT(t->n_nogroup, N);
    uint32_t mv[6];
    CHECK_EQ_INT(saetm__trends_movers(t, 3, mv), 2); /* topic 2 is flat: neither rises nor falls */
    CHECK(mv[0] == 0 && mv[1] == 1);
    saetm_trends_free(t);

    /* Decades: one bin; equal-width: 3 bins over 1900.5..1909.5 with labels from the years. */
    saetm_trends_opts o = {SAETM_BIN_DECADE, 0};
    CHECK_EQ_INT(saetm_trends_compute(ctx, th, N, 3, dates, NULL, &o, &t), SAETM_OK);
    if (t) {
        CHECK_EQ_INT(t->n_bins, 1);
        CHECK(strcmp(t->bin_label[0], "1900s") == 0);
        CHECK_NEAR(t->change[0], 0.0, 0);
        saetm_trends_free(t);
    }
    o = (saetm_trends_opts){SAETM_BIN_EQUAL, 3};
    CHECK_EQ_INT(saetm_trends_compute(ctx, th, N, 3, dates, NULL, &o, &t), SAETM_OK);
    if (t) {
        CHECK_EQ_INT(t->n_bins, 3);
        CHECK(strcmp(t->bin_label[0], "1900-1902") == 0);
        CHECK(strcmp(t->bin_label[1], "1903-1905") == 0);
        CHECK(strcmp(t->bin_label[2], "1906-1909") == 0);
        CHECK_EQ_INT(t->bin_docs[0] + t->bin_docs[1] + t->bin_docs[2], N);
        CHECK_NEAR(t->bin_start[0], 1900.5, 1e-9);
        CHECK_NEAR(t->bin_end[2], 1909.5, 1e-9);
        saetm_trends_free(t);
    }
    saetm_ctx_free(ctx);
}

static void test_trends_errors(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    saetm_trends *t = (saetm_trends *)1;
    float bad[4] = {0.5f, 0.5f, -0.1f, 1.1f};
    CHECK_EQ_INT(saetm_trends_compute(ctx, bad, 2, 2, NULL, NULL, NULL, &t), SAETM_ERR_INPUT);
    CHECK(t == NULL);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "row 1, topic 0");
    bad[2] = NAN;
    CHECK_EQ_INT(saetm_trends_compute(ctx, bad, 2, 2, NULL, NULL, NULL, &t), SAETM_ERR_INPUT);
    saetm_trends_opts o = {SAETM_BIN_EQUAL, 0};
    CHECK_EQ_INT(saetm_trends_compute(ctx, theta6, 6, 2, dates6, NULL, &o, &t), SAETM_ERR_ARG);
    CHECK_EQ_INT(saetm_trends_compute(ctx, theta6, 6, 0, dates6, NULL, NULL, &t), SAETM_ERR_ARG);
    /* No usable dates at all: no bins, no error (the caller decides). */
    static const char *const none[6] = {"x", "y", "", NULL, "z", "w"};
    CHECK_EQ_INT(saetm_trends_compute(ctx, theta6, 6, 2, none, NULL, NULL, &t), SAETM_OK);
    if (t) {
        CHECK_EQ_INT(t->n_bins, 0);
        CHECK(t->slope == NULL && t->order == NULL);
        CHECK_EQ_INT(t->n_bad_date, 3);
        saetm_trends_free(t);
    }
    saetm_ctx_free(ctx);
}

static void test_trends_write(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    static const char *const groups[6] = {"Smith, \"Jr\"", "a", "a", "", NULL, "c"};
    static const char *const labels[2] = {"0: war <army> & navy", "1: tax, budget"};
    saetm_trends *t = NULL;
    CHECK_EQ_INT(saetm_trends_compute(ctx, theta6, 6, 2, dates6, groups, NULL, &t), SAETM_OK);
    if (!t) return;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/trends_out", test_tmpdir());
    CHECK_EQ_INT(saetm_trends_write(ctx, t, labels, dir), SAETM_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/time.csv", dir);
    char *s = test_slurp(path);
    CHECK(s && strcmp(s, "bin,start,end,docs,topic_0,topic_1\n2000,2000,2001,2,0.75,0.25\n"
                         "2002,2002,2003,1,0,1\n") == 0);
    free(s);
    snprintf(path, sizeof path, "%s/movers.csv", dir);
    s = test_slurp(path);
    CHECK(s && strcmp(s, "rank,topic,change,slope_per_year,first,last,label\n1,1,0.75,0.375,0.25,1,\"1: tax, budget\"\n"
                         "2,0,-0.75,-0.375,0.75,0,0: war <army> & navy\n") == 0);
    free(s);
    snprintf(path, sizeof path, "%s/groups.csv", dir);
    s = test_slurp(path);
    CHECK(s && strcmp(s, "group,docs,topic_0,topic_1\na,2,0.25,0.75\n\"Smith, \"\"Jr\"\"\",1,1,0\n") == 0);
    free(s);
    static const char *const svgs[3] = {"time.svg", "movers.svg", "groups.svg"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, svgs[i]);
        s = test_slurp(path);
        CHECK(s && strncmp(s, "<?xml", 5) == 0 && strstr(s, "</svg>\n"));
        CHECK(s && !strstr(s, "<army>") && (i == 1 || strstr(s, "&lt;army&gt; &amp; navy")));
        free(s);
    }
    /* Groups only: no time files. */
    saetm_trends_free(t);
    snprintf(dir, sizeof dir, "%s/trends_groups", test_tmpdir());
    CHECK_EQ_INT(saetm_trends_compute(ctx, theta6, 6, 2, NULL, groups, NULL, &t), SAETM_OK);
    if (t) {
        CHECK_EQ_INT(saetm_trends_write(ctx, t, NULL, dir), SAETM_OK);
        struct stat st;
        snprintf(path, sizeof path, "%s/time.csv", dir);
        CHECK(stat(path, &st) != 0);
        snprintf(path, sizeof path, "%s/groups.csv", dir);
        CHECK(stat(path, &st) == 0);
        CHECK_EQ_INT(saetm_trends_write(ctx, t, NULL, "/nonexistent/dir/x"), SAETM_ERR_IO);
        CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "/nonexistent/dir/x");
        saetm_trends_free(t);
    }
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_dates_valid);
    RUN(test_dates_invalid);
    RUN(test_trends_year);
    RUN(test_trends_slope);
    RUN(test_trends_errors);
    RUN(test_trends_write);
    return TEST_REPORT();
}
