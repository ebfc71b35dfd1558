/*
 * dates.c - document dates: the forms people put in corpora (years, ISO dates, US dates,
 * "January 8, 1790") parsed into a calendar year and a fractional year, without the C
 * library's locale-dependent parsers.
 */
#include "report_int.h"

#include <string.h>

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Fractional year of a (year, month, day); month or day 0 = unknown (middle of the period). */
static double frac_year(int y, int m, int d)
{
    double days = is_leap(y) ? 366.0 : 365.0;
    if (m == 0) return y + 0.5;
    int before = 0;
    for (int i = 1; i < m; i++) before += days_in_month(y, i);
    double in_month = d == 0 ? days_in_month(y, m) / 2.0 : d - 0.5;
    return y + (before + in_month) / days;
}

static int valid(int y, int m, int d)
{
    if (y < 1 || y > 9999) return 0;
    if (m == 0) return d == 0;
    if (m < 1 || m > 12) return 0;
    return d == 0 || (d >= 1 && d <= days_in_month(y, m));
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* Read exactly n digits at *p (n = 0: one or more, up to 4). @return digits read, value in *v. */
static int digits(const char **p, int n, int *v)
{
    int k = 0, x = 0;
    int max = n ? n : 4;
    while (k < max && is_digit((*p)[k])) x = x * 10 + ((*p)[k++] - '0');
    if (k == 0 || (n && k != n) || (!n && is_digit((*p)[k]))) return 0;
    *p += k;
    *v = x;
    return k;
}

/* English month name (full, or its first three letters optionally followed by '.') at *p. */
static int month_name(const char **p)
{
    static const char *const names[12] = {"january", "february", "march",     "april",   "may",      "june",
                                          "july",    "august",   "september", "october", "november", "december"};
    size_t len = 0;
    while (is_alpha((*p)[len])) len++;
    if (len < 3) return 0;
    for (int m = 0; m < 12; m++) {
        size_t full = strlen(names[m]);
        if (len != full && len != 3 && !(m == 8 && len == 4)) continue; /* "Sept" */
        if (len > full) continue;
        size_t i = 0;
        while (i < len && lower((*p)[i]) == names[m][i]) i++;
        if (i != len) continue;
        *p += len;
        if (len < full && **p == '.') (*p)++;
        return m + 1;
    }
    return 0;
}

static void skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t') (*p)++;
}

/* The rest of the string is only spaces. */
static int at_end(const char *p)
{
    skip_spaces(&p);
    return *p == 0;
}

/* m or d < 0: not given. A given month or day of 0 is invalid. */
static int finish(int y, int m, int d, int *year, double *t)
{
    if (m == 0 || d == 0) return 0;
    if (m < 0) m = 0;
    if (d < 0) d = 0;
    if (!valid(y, m, d)) return 0;
    *year = y;
    *t = frac_year(y, m, d);
    return 1;
}

/* Numeric forms starting with a digit. */
static int parse_numeric(const char *p, int *year, double *t)
{
    const char *q = p;
    int a, b, c;
    int na = digits(&q, 0, &a);
    if (!na) {
        /* 8 digits: YYYYMMDD */
        q = p;
        if (digits(&q, 8, &a) && at_end(q)) return finish(a / 10000, a / 100 % 100, a % 100, year, t);
        return 0;
    }
    if (at_end(q)) return na == 4 ? finish(a, -1, -1, year, t) : 0;
    char sep = *q;
    if (na == 4 && (sep == '-' || sep == '/' || sep == '.')) {
        q++;
        if (!digits(&q, 2, &b) && (sep == '.' || !digits(&q, 1, &b))) return 0; /* "1790.5" is no date */
        if (at_end(q)) return finish(a, b, -1, year, t);
        if (*q != sep) return 0;
        q++;
        if (!digits(&q, 2, &c) && !digits(&q, 1, &c)) return 0;
        if (!at_end(q) && *q != 'T' && *q != ' ') return 0;
        return finish(a, b, c, year, t);
    }
    if (na <= 2 && sep == '/') { /* MM/DD/YYYY, or DD/MM/YYYY when the first number exceeds 12 */
        q++;
        if (!digits(&q, 2, &b) && !digits(&q, 1, &b)) return 0;
        if (*q++ != '/') return 0;
        if (!digits(&q, 4, &c) || (!at_end(q) && *q != ' ')) return 0;
        return a > 12 ? finish(c, b, a, year, t) : finish(c, a, b, year, t);
    }
    if (na <= 2 && (sep == ' ' || sep == '-')) { /* "8 January 1790", "8-Jan-1790" */
        q++;
        skip_spaces(&q);
        int m = month_name(&q);
        if (!m) return 0;
        if (*q == sep || *q == ',') q++;
        skip_spaces(&q);
        if (!digits(&q, 4, &c) || !at_end(q)) return 0;
        return finish(c, m, a, year, t);
    }
    return 0;
}

int saetm_date_parse(const char *s, int *year, double *t)
{
    if (!s) return 0;
    const char *p = s;
    skip_spaces(&p);
    if (is_digit(*p)) return parse_numeric(p, year, t);
    /* "January 8, 1790", "Jan 8 1790", "January 1790" */
    int m = month_name(&p);
    if (!m) return 0;
    skip_spaces(&p);
    int a, c;
    const char *q = p;
    int na = digits(&q, 0, &a);
    if (na == 4 && at_end(q)) return finish(a, m, -1, year, t);
    if (na < 1 || na > 2) return 0;
    if (*q == ',') q++;
    skip_spaces(&q);
    if (!digits(&q, 4, &c) || !at_end(q)) return 0;
    return finish(c, m, a, year, t);
}
