/*
 * modelpath.c - where saetm looks for its model files (the built-in embedder, the foundational
 * SAE): $SAETM_MODEL_DIR, then models/, ../models/ and ../share/saetm/ next to the running
 * executable, then the data directory compiled in by `make install` (SAETM_DATADIR, i.e.
 * PREFIX/share/saetm), which is what a program linked with an installed libsaetm finds.
 */
#include "saetm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int readable(const char *p) { return access(p, R_OK) == 0; }

/* Append ", s" (or "s") to the list in tried[tcap] at *tl. */
static void note(char *tried, size_t tcap, size_t *tl, const char *s)
{
    int w = snprintf(tried + *tl, tcap - *tl, "%s%s", *tl ? ", " : "", s);
    if (w > 0 && (size_t)w < tcap - *tl) *tl += (size_t)w;
}

/* buf = dir/sub file; @return 1 if that is a readable file (else it is noted in tried). */
static int try_dir(const char *dir, const char *sub, const char *file, char *buf, size_t cap, char *tried,
                   size_t tcap, size_t *tl)
{
    int k = snprintf(buf, cap, "%s/%s%s", dir, sub, file);
    if (k > 0 && (size_t)k < cap && readable(buf)) return 1;
    note(tried, tcap, tl, buf);
    return 0;
}

int saetm__find_model(const char *file, char *buf, size_t cap, char *tried, size_t tcap)
{
    size_t tl = 0;
    tried[0] = '\0';
    const char *dir = getenv("SAETM_MODEL_DIR");
    if (dir && dir[0] && try_dir(dir, "", file, buf, cap, tried, tcap, &tl)) return 0;
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        static const char *const rel[] = {"models/", "../models/", "../share/saetm/"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
            if (try_dir(exe, rel[i], file, buf, cap, tried, tcap, &tl)) return 0;
    } else {
        note(tried, tcap, &tl, "(cannot find the running executable)");
    }
#ifdef SAETM_DATADIR
    if (try_dir(SAETM_DATADIR, "", file, buf, cap, tried, tcap, &tl)) return 0;
#endif
    return -1;
}
