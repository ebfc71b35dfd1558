/*
 * modelpath.c - where saetm looks for its model files (the built-in embedder, the foundational
 * SAE): $SAETM_MODEL_DIR, then models/, ../models/ and ../share/saetm/ next to the running
 * executable.
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

int saetm__find_model(const char *file, char *buf, size_t cap, char *tried, size_t tcap)
{
    size_t tl = 0;
    tried[0] = '\0';
    const char *dir = getenv("SAETM_MODEL_DIR");
    if (dir && dir[0]) {
        int k = snprintf(buf, cap, "%s/%s", dir, file);
        if (k > 0 && (size_t)k < cap && readable(buf)) return 0;
        note(tried, tcap, &tl, buf);
    }
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        note(tried, tcap, &tl, "(cannot find the running executable)");
        return -1;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    static const char *const rel[] = {"models/", "../models/", "../share/saetm/"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        int k = snprintf(buf, cap, "%s/%s%s", exe, rel[i], file);
        if (k > 0 && (size_t)k < cap && readable(buf)) return 0;
        note(tried, tcap, &tl, buf);
    }
    return -1;
}
