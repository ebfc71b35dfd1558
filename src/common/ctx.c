/*
 * ctx.c - the context: error detail, log and progress callbacks, thread count.
 */
#include "saetm_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *saetm_version(void) { return SAETM_VERSION_STRING; }

const char *saetm_strerror(saetm_status status)
{
    switch (status) {
    case SAETM_OK: return "success";
    case SAETM_ERR_ARG: return "invalid argument";
    case SAETM_ERR_NOMEM: return "out of memory";
    case SAETM_ERR_IO: return "input/output error";
    case SAETM_ERR_FORMAT: return "bad file format";
    case SAETM_ERR_CHECKSUM: return "checksum mismatch";
    case SAETM_ERR_VERSION: return "unsupported format version";
    case SAETM_ERR_SHAPE: return "dimension mismatch";
    case SAETM_ERR_INPUT: return "bad input data";
    case SAETM_ERR_UNSUPPORTED: return "not supported";
    case SAETM_ERR_INTERNAL: return "internal error";
    case SAETM_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown status";
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

saetm_ctx *saetm_ctx_create(void)
{
    saetm_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->log_max = SAETM_LOG_INFO;
    ctx->threads = online_cpus();
    return ctx;
}

void saetm_ctx_free(saetm_ctx *ctx) { free(ctx); }

void saetm_ctx_set_log(saetm_ctx *ctx, saetm_log_fn fn, void *user, saetm_log_level max_level)
{
    ctx->log = fn;
    ctx->log_user = user;
    ctx->log_max = max_level;
}

void saetm_ctx_set_progress(saetm_ctx *ctx, saetm_progress_fn fn, void *user)
{
    ctx->progress = fn;
    ctx->progress_user = user;
}

void saetm_ctx_set_threads(saetm_ctx *ctx, int n) { ctx->threads = n > 0 ? n : online_cpus(); }

int saetm_ctx_threads(const saetm_ctx *ctx) { return ctx ? ctx->threads : 1; }

const char *saetm_ctx_errmsg(const saetm_ctx *ctx) { return ctx ? ctx->errmsg : ""; }

saetm_status saetm__fail(saetm_ctx *ctx, saetm_status status, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
        va_end(ap);
    }
    return status;
}

saetm_status saetm__fail_prefix(saetm_ctx *ctx, saetm_status status, const char *fmt, ...)
{
    if (ctx) {
        char old[sizeof ctx->errmsg];
        memcpy(old, ctx->errmsg, sizeof old);
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n + 2 < sizeof ctx->errmsg && old[0]) {
            size_t at = (size_t)n, room = sizeof ctx->errmsg - at - 3, len = strlen(old);
            if (len > room) len = room;
            memcpy(ctx->errmsg + at, ": ", 2);
            memcpy(ctx->errmsg + at + 2, old, len);
            ctx->errmsg[at + 2 + len] = 0;
        }
    }
    return status;
}

void saetm__log(saetm_ctx *ctx, saetm_log_level level, const char *fmt, ...)
{
    if (!ctx || !ctx->log || level > ctx->log_max) return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->log(ctx->log_user, level, buf);
}

int saetm__progress(saetm_ctx *ctx, const char *stage, uint64_t done, uint64_t total)
{
    if (!ctx || !ctx->progress) return 0;
    return ctx->progress(ctx->progress_user, stage, done, total);
}
