/*
 * test.h - the tiny test framework: CHECK records a failure and goes on, RUN runs one test
 * function, TEST_REPORT prints "N passed, N failed" and gives the exit code.
 */
#ifndef SAETM_TEST_H
#define SAETM_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_checks_failed_;
static int test_passed_, test_failed_;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            test_checks_failed_++;                                                    \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                  \
    do {                                                                                    \
        long long va_ = (long long)(a), vb_ = (long long)(b);                               \
        if (va_ != vb_) {                                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, \
                    #a, #b, va_, vb_);                                                      \
            test_checks_failed_++;                                                          \
        }                                                                                   \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                              \
    do {                                                                                   \
        double va_ = (double)(a), vb_ = (double)(b);                                       \
        if (!(fabs(va_ - vb_) <= (tol))) {                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s ~ %s (%g vs %g, tol %g)\n", __FILE__, \
                    __LINE__, #a, #b, va_, vb_, (double)(tol));                            \
            test_checks_failed_++;                                                         \
        }                                                                                  \
    } while (0)

/* The string `hay` contains `needle`. */
#define CHECK_CONTAINS(hay, needle)                                                              \
    do {                                                                                         \
        const char *h_ = (hay), *n_ = (needle);                                                  \
        if (!h_ || !strstr(h_, n_)) {                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: \"%s\" contains \"%s\"\n", __FILE__, __LINE__, \
                    h_ ? h_ : "(null)", n_);                                                     \
            test_checks_failed_++;                                                               \
        }                                                                                        \
    } while (0)

#define RUN(fn)                                                   \
    do {                                                          \
        int before_ = test_checks_failed_;                        \
        fn();                                                     \
        if (test_checks_failed_ == before_) test_passed_++;       \
        else {                                                    \
            test_failed_++;                                       \
            fprintf(stderr, "FAIL %s\n", #fn);                    \
        }                                                         \
    } while (0)

#define TEST_REPORT()                                                    \
    (printf("%d passed, %d failed\n", test_passed_, test_failed_),       \
     test_failed_ ? 1 : 0)

/* A scratch directory for the test's files: $TEST_TMPDIR or /tmp. */
static inline const char *test_tmpdir(void)
{
    const char *d = getenv("TEST_TMPDIR");
    return d && d[0] ? d : "/tmp";
}

/* Read a whole file into a NUL-terminated malloc'ed buffer (NULL if unreadable); its length in
 * *len when len is not NULL. */
static inline char *test_slurp_n(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *p = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) &&
        fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p) p[n] = 0;
    if (p && len) *len = (size_t)n;
    fclose(f);
    return p;
}

static inline char *test_slurp(const char *path) { return test_slurp_n(path, NULL); }

/* Two files exist and hold the same bytes. */
static inline int test_same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = test_slurp_n(a, &na), *y = test_slurp_n(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

#endif
