/*
 * mem.c - memory limits: how much this process may still allocate, and the check that stages
 * run on their estimated peak before allocating (a clear SAETM_ERR_NOMEM instead of a crash or
 * the OOM killer half-way through).
 */
#include "saetm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void saetm_ctx_set_mem_limit(saetm_ctx *ctx, uint64_t bytes)
{
    if (ctx) ctx->mem_limit = bytes;
}

/* A "Key:   123 kB" field of a /proc file, in bytes; 0 if absent. */
static uint64_t proc_field(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[256];
    size_t klen = strlen(key);
    uint64_t v = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            v = strtoull(line + klen + 1, NULL, 10) * 1024;
            break;
        }
    }
    fclose(f);
    return v;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint64_t saetm_mem_available(const saetm_ctx *ctx)
{
    uint64_t avail = proc_field("/proc/meminfo", "MemAvailable");
    if (avail == 0) {
        long pages = sysconf(_SC_AVPHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        avail = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : UINT64_MAX;
    }
    /* Address-space and data limits (ulimit -v / -d) count what is already in use. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t used = proc_field("/proc/self/status", "VmSize");
        avail = min_u64(avail, rl.rlim_cur > used ? rl.rlim_cur - used : 0);
    }
    if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t used = proc_field("/proc/self/status", "VmData");
        avail = min_u64(avail, rl.rlim_cur > used ? rl.rlim_cur - used : 0);
    }
    if (ctx && ctx->mem_limit) {
        /* The cap bounds the whole process: subtract what it already allocated (anonymous
         * memory; pages of memory-mapped inputs are file-backed and reclaimable, so they do
         * not count; VmRSS where the kernel does not report RssAnon). */
        uint64_t rss = proc_field("/proc/self/status", "RssAnon");
        if (rss == 0) rss = proc_field("/proc/self/status", "VmRSS");
        avail = min_u64(avail, ctx->mem_limit > rss ? ctx->mem_limit - rss : 0);
    }
    return avail;
}

saetm_status saetm__mem_check(saetm_ctx *ctx, uint64_t bytes, const char *what)
{
    uint64_t avail = saetm_mem_available(ctx);
    if (bytes <= avail) return SAETM_OK;
    const double gib = 1024.0 * 1024.0 * 1024.0;
    return saetm__fail(ctx, SAETM_ERR_NOMEM,
                       "%s needs about %.2f GiB but only %.2f GiB are available (%s); use smaller inputs or "
                       "fewer features%s",
                       what, (double)bytes / gib, (double)avail / gib,
                       ctx && ctx->mem_limit ? "limit set by SAETM_MEM_LIMIT / saetm_ctx_set_mem_limit"
                                             : "free memory and process limits",
                       ctx && ctx->mem_limit ? ", or raise the limit" : "");
}
