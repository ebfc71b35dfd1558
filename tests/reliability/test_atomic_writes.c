/*
 * test_atomic_writes.c - output files under failure: a write that hits the file size limit (the
 * disk-full path: EFBIG/ENOSPC both surface as a failed write) or an unwritable directory gives
 * SAETM_ERR_IO naming the file and leaves neither the final file nor a temporary one; the
 * leftovers of a writer killed before its rename are removed by the next successful write;
 * processes writing the same file at once (saetm_write_file_atomic, used by the CLI's text
 * outputs) never collide: each write succeeds and the file is always one writer's whole text.
 */
#include "saetm_int.h"
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[4096];

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int count_tmp(const char *name)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^%s\\.tmp\\.'", dir, name);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1) n = -1;
        pclose(p);
    }
    return n;
}

static void test_file_size_limit(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    char path[4200];
    snprintf(path, sizeof path, "%s/big.npy", dir);
    size_t n = 1 << 18;
    float *m = calloc(n, sizeof *m);
    struct rlimit old, small = {16384, 0};
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN); /* writes past the limit then fail with EFBIG instead of killing us */
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    saetm_status st = saetm_npy_save(ctx, path, m, n / 64, 64);
    CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
    CHECK_EQ_INT(st, SAETM_ERR_IO);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), path);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "File too large");
    CHECK(!exists(path));
    CHECK_EQ_INT(count_tmp("big.npy"), 0);
    /* The same through the section container. */
    snprintf(path, sizeof path, "%s/big.sac", dir);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    saetm__cwriter *w = NULL;
    st = saetm__cw_open(ctx, path, "SAETMTST", 1, &w);
    if (!st) st = saetm__cw_section(ctx, w, "m", SAETM__F32, m, n / 64, 64);
    if (!st) st = saetm__cw_commit(ctx, w);
    else saetm__cw_abort(w);
    CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
    CHECK_EQ_INT(st, SAETM_ERR_IO);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), path);
    CHECK(!exists(path));
    CHECK_EQ_INT(count_tmp("big.sac"), 0);
    signal(SIGXFSZ, SIG_DFL);
    free(m);
    saetm_ctx_free(ctx);
}

static void test_unwritable(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    float m[4] = {1, 2, 3, 4};
    char path[4200];
    snprintf(path, sizeof path, "%s/no-such-dir/x.npy", dir);
    CHECK_EQ_INT(saetm_npy_save(ctx, path, m, 2, 2), SAETM_ERR_IO);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), path);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "cannot create");
    /* A directory component that is a file. */
    snprintf(path, sizeof path, "%s/plain", dir);
    FILE *f = fopen(path, "w");
    if (f) fclose(f);
    snprintf(path, sizeof path, "%s/plain/x.npy", dir);
    CHECK_EQ_INT(saetm_npy_save(ctx, path, m, 2, 2), SAETM_ERR_IO);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "Not a directory");
    /* A read-only directory (permissions bind only non-root users). */
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/ro", dir);
        CHECK(mkdir(path, 0555) == 0);
        snprintf(path, sizeof path, "%s/ro/x.npy", dir);
        CHECK_EQ_INT(saetm_npy_save(ctx, path, m, 2, 2), SAETM_ERR_IO);
        CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "Permission denied");
    }
    saetm_ctx_free(ctx);
}

static void test_stale_temps_removed(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    char path[4200], stale[4300], live[4300], other[4300];
    snprintf(path, sizeof path, "%s/m.npy", dir);
    /* A dead writer (no such pid), a live one (our parent), and a file that only looks similar. */
    snprintf(stale, sizeof stale, "%s.tmp.%d", path, 2147483646);
    snprintf(live, sizeof live, "%s.tmp.%ld", path, (long)getppid());
    snprintf(other, sizeof other, "%s.tmp.12x", path);
    const char *files[3] = {stale, live, other};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(files[i], "w");
        CHECK(f != NULL);
        if (f) fclose(f);
    }
    float m[4] = {1, 2, 3, 4};
    CHECK(saetm_npy_save(ctx, path, m, 2, 2) == SAETM_OK);
    CHECK(!exists(stale));
    CHECK(exists(live));
    CHECK(exists(other));
    unlink(live);
    unlink(other);
    saetm_ctx_free(ctx);
}

/* Four processes each write the same path 100 times (text of their own, 8 KiB) while the parent
 * reads it: every write must succeed, every read must see one writer's complete text, and no
 * temporary file may remain. With a fixed temporary name (the old "PATH.tmp") the writers
 * truncated each other's file and a rename found it gone. */
static void test_concurrent_writers(void)
{
    char path[4200], a_blocker[4300];
    snprintf(path, sizeof path, "%s/params.json", dir);
    /* The old fixed name, taken by a directory: a writer using it could not work at all. */
    snprintf(a_blocker, sizeof a_blocker, "%s.tmp", path);
    CHECK(mkdir(a_blocker, 0755) == 0);
    enum { WRITERS = 4, ROUNDS = 100, LEN = 8192 };
    pid_t kids[WRITERS];
    for (int k = 0; k < WRITERS; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            saetm_ctx *ctx = saetm_ctx_create();
            static char text[LEN];
            memset(text, 'a' + k, LEN - 1);
            text[LEN - 1] = '\n';
            int bad = !ctx;
            for (int r = 0; r < ROUNDS && !bad; r++) bad = saetm_write_file_atomic(ctx, path, text, LEN) != SAETM_OK;
            saetm_ctx_free(ctx);
            _exit(bad);
        }
    }
    int torn = 0, reads = 0;
    for (int i = 0; i < 200; i++) {
        static char buf[LEN + 16];
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        reads++;
        int whole = n == LEN && buf[LEN - 1] == '\n' && buf[0] >= 'a' && buf[0] < 'a' + WRITERS;
        for (size_t j = 1; whole && j + 1 < n; j++) whole = buf[j] == buf[0];
        torn += !whole;
    }
    for (int k = 0; k < WRITERS; k++) {
        int ws = -1;
        CHECK(kids[k] > 0 && waitpid(kids[k], &ws, 0) == kids[k]);
        CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    }
    CHECK(torn == 0);
    CHECK(exists(path));
    CHECK(count_tmp("params.json") == 0);
    printf("  concurrent writers: %d reads, %d torn\n", reads, torn);
    rmdir(a_blocker);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    RUN(test_file_size_limit);
    RUN(test_unwritable);
    RUN(test_stale_temps_removed);
    RUN(test_concurrent_writers);
    return TEST_REPORT();
}
