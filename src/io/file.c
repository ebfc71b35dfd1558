/*
 * file.c - memory mapping, atomic output files (temp + fsync + rename), CRC-32.
 */
#include "saetm_int.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

uint32_t saetm__crc32(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    uLong c = crc;
    /* zlib takes uInt lengths: feed large buffers in chunks. */
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)c;
}

uint32_t saetm__crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2)
{
    return (uint32_t)crc32_combine64(crc1, crc2, (z_off64_t)len2);
}

saetm_status saetm__map_file(saetm_ctx *ctx, const char *path, saetm__mapped *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return saetm__fail(ctx, SAETM_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        out->data = (const uint8_t *)"";
        out->size = 0;
        return SAETM_OK;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot map: %s", path, strerror(e));
    out->data = p;
    out->size = (size_t)st.st_size;
    return SAETM_OK;
}

void saetm__unmap(saetm__mapped *m)
{
    if (m && m->size > 0 && m->data) munmap((void *)(uintptr_t)m->data, m->size);
    if (m) memset(m, 0, sizeof *m);
}

saetm_status saetm__outfile_open(saetm_ctx *ctx, const char *path, saetm__outfile *out)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(path);
    out->path = saetm__strdup(path);
    out->tmp_path = malloc(n + 32);
    if (!out->path || !out->tmp_path) {
        saetm__outfile_abort(out);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(out->tmp_path, n + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(out->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot create output file: %s", path, strerror(e));
        free(out->tmp_path);
        out->tmp_path = NULL;
        saetm__outfile_abort(out);
        return SAETM_ERR_IO;
    }
    out->fp = fdopen(fd, "wb");
    if (!out->fp) {
        close(fd);
        saetm__outfile_abort(out);
        return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot open stream", path);
    }
    return SAETM_OK;
}

saetm_status saetm__outfile_write(saetm_ctx *ctx, saetm__outfile *f, const void *data, size_t n)
{
    if (n == 0) return SAETM_OK;
    if (fwrite(data, 1, n, f->fp) != n)
        return saetm__fail(ctx, SAETM_ERR_IO, "%s: write failed: %s", f->path, strerror(errno));
    f->written += n;
    return SAETM_OK;
}

/* Remove the leftovers "<path>.tmp.<pid>" of writers of the same path that died (SIGKILL, power
 * loss) before renaming: only where no process <pid> exists any more. */
static void remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t blen = strlen(base);
    char *dir = slash ? saetm__strdup(path) : saetm__strdup(".");
    if (!dir) return;
    if (slash) dir[slash == path ? 1 : (size_t)(slash - path)] = 0;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const char *n = e->d_name;
            if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".tmp.", 5) != 0) continue;
            char *end;
            long pid = strtol(n + blen + 5, &end, 10);
            if (*end != 0 || end == n + blen + 5 || pid <= 0 || pid == (long)getpid()) continue;
            if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) unlinkat(dirfd(d), n, 0);
        }
        closedir(d);
    }
    free(dir);
}

saetm_status saetm__outfile_commit(saetm_ctx *ctx, saetm__outfile *f)
{
    saetm_status st = SAETM_OK;
    if (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0)
        st = saetm__fail(ctx, SAETM_ERR_IO, "%s: write failed: %s", f->path, strerror(errno));
    if (fclose(f->fp) != 0 && st == SAETM_OK)
        st = saetm__fail(ctx, SAETM_ERR_IO, "%s: close failed: %s", f->path, strerror(errno));
    f->fp = NULL;
    if (st == SAETM_OK && rename(f->tmp_path, f->path) != 0)
        st = saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot rename into place: %s", f->path, strerror(errno));
    if (st == SAETM_OK) {
        free(f->tmp_path);
        f->tmp_path = NULL;
        remove_stale_temps(f->path);
    }
    saetm__outfile_abort(f);
    return st;
}

void saetm__outfile_abort(saetm__outfile *f)
{
    if (!f) return;
    if (f->fp) fclose(f->fp);
    if (f->tmp_path) unlink(f->tmp_path);
    free(f->tmp_path);
    free(f->path);
    memset(f, 0, sizeof *f);
}

saetm_status saetm__write_file_atomic(saetm_ctx *ctx, const char *path, const void *data, size_t n)
{
    saetm__outfile f;
    saetm_status st = saetm__outfile_open(ctx, path, &f);
    if (st) return st;
    st = saetm__outfile_write(ctx, &f, data, n);
    if (st) {
        saetm__outfile_abort(&f);
        return st;
    }
    return saetm__outfile_commit(ctx, &f);
}

saetm_status saetm_write_file_atomic(saetm_ctx *ctx, const char *path, const void *data, size_t n)
{
    if (!path || (n && !data)) return saetm__fail(ctx, SAETM_ERR_ARG, "write_file_atomic: no path or data");
    return saetm__write_file_atomic(ctx, path, data, n);
}

saetm_status saetm__mkdir(saetm_ctx *ctx, const char *dir)
{
    struct stat sb;
    if (mkdir(dir, 0777) == 0) return SAETM_OK;
    if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) return SAETM_OK;
    return saetm__fail(ctx, SAETM_ERR_IO, "%s: cannot create directory: %s", dir,
                       errno == EEXIST ? "a file of that name exists" : strerror(errno));
}
