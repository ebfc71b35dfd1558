/*
 * test_npy.c - .npy round trips, numpy-written files of every version and dtype, refusals.
 */
#include "saetm.h"
#include "test.h"

static char path_buf[4096];
static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", test_tmpdir(), name);
    return path_buf;
}

/* Run a numpy snippet with `d` bound to the scratch directory. */
static int numpy(const char *code)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import numpy as np; d='%s'; %s\"", test_tmpdir(), code);
    return system(cmd);
}

static void test_round_trip(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    float data[3 * 5];
    for (int i = 0; i < 15; i++) data[i] = (float)i * 0.25f - 1.0f;
    const char *p = tmp_path("rt.npy");
    CHECK(saetm_npy_save(ctx, p, data, 3, 5) == SAETM_OK);
    saetm_matrix m;
    CHECK(saetm_npy_load(ctx, p, &m) == SAETM_OK);
    CHECK_EQ_INT(m.rows, 3);
    CHECK_EQ_INT(m.cols, 5);
    CHECK(m.data && memcmp(m.data, data, sizeof data) == 0);
    CHECK(((uintptr_t)m.data % 64) == 0 || m.data == NULL); /* header padded to 64 bytes */
    saetm_matrix_free(&m);
    /* numpy reads what we wrote */
    char code[1024];
    snprintf(code, sizeof code,
             "a=np.load(d+'/rt.npy'); assert a.dtype==np.float32 and a.shape==(3,5); "
             "assert (a.ravel()==np.arange(15,dtype=np.float32)*0.25-1).all()");
    CHECK(numpy(code) == 0);
    saetm_ctx_free(ctx);
}

static void test_numpy_versions(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    int rc = numpy("from numpy.lib import format as f; a=(np.arange(12).reshape(4,3)+0.5); "
                   "[f.write_array(open(d+'/v%d_%s.npy'%(v,t),'wb'), a.astype(t), version=(v,0)) "
                   "for v in (1,2,3) for t in ('float32','float64')]; "
                   "np.save(d+'/vec.npy', np.arange(7, dtype=np.float32))");
    CHECK(rc == 0);
    const char *names[] = {"v1_float32.npy", "v2_float32.npy", "v3_float32.npy",
                           "v1_float64.npy", "v2_float64.npy", "v3_float64.npy"};
    for (int k = 0; k < 6; k++) {
        saetm_matrix m;
        saetm_status st = saetm_npy_load(ctx, tmp_path(names[k]), &m);
        CHECK(st == SAETM_OK);
        if (st) {
            fprintf(stderr, "  %s: %s\n", names[k], saetm_ctx_errmsg(ctx));
            continue;
        }
        CHECK_EQ_INT(m.rows, 4);
        CHECK_EQ_INT(m.cols, 3);
        for (int i = 0; i < 12; i++) CHECK_NEAR(m.data[i], i + 0.5, 0);
        saetm_matrix_free(&m);
    }
    saetm_matrix v;
    CHECK(saetm_npy_load(ctx, tmp_path("vec.npy"), &v) == SAETM_OK);
    CHECK_EQ_INT(v.rows, 7);
    CHECK_EQ_INT(v.cols, 1);
    saetm_matrix_free(&v);
    saetm_ctx_free(ctx);
}

static void expect_refused(saetm_ctx *ctx, const char *name, const char *fragment)
{
    saetm_matrix m;
    saetm_status st = saetm_npy_load(ctx, tmp_path(name), &m);
    CHECK(st != SAETM_OK);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), fragment);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), name);
    CHECK(m.data == NULL);
}

static void test_refusals(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    int rc = numpy("a=np.ones((3,4)); np.save(d+'/fortran.npy', np.asfortranarray(a.astype('f4'))); "
                   "np.save(d+'/big.npy', a.astype('>f4')); np.save(d+'/int.npy', a.astype('i4')); "
                   "np.save(d+'/three.npy', np.ones((2,2,2),'f4')); "
                   "b=open(d+'/ok.npy','wb'); np.save(b, a.astype('f4')); b.close(); "
                   "open(d+'/trunc.npy','wb').write(open(d+'/ok.npy','rb').read()[:-5]); "
                   "open(d+'/junk.npy','wb').write(b'hello world, not numpy')");
    CHECK(rc == 0);
    expect_refused(ctx, "fortran.npy", "Fortran");
    expect_refused(ctx, "big.npy", "dtype");
    expect_refused(ctx, "int.npy", "dtype");
    expect_refused(ctx, "three.npy", "dimensions");
    expect_refused(ctx, "trunc.npy", "truncated");
    expect_refused(ctx, "junk.npy", "magic");
    expect_refused(ctx, "missing.npy", "cannot open");
    saetm_ctx_free(ctx);
}

static void test_check_finite(void)
{
    saetm_ctx *ctx = saetm_ctx_create();
    float data[6] = {1, 2, 3, 4, NAN, 6};
    saetm_matrix m = {2, 3, data, NULL};
    CHECK(saetm_matrix_check_finite(ctx, &m, "x.npy") == SAETM_ERR_INPUT);
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "row 1");
    CHECK_CONTAINS(saetm_ctx_errmsg(ctx), "NaN");
    data[4] = 5;
    CHECK(saetm_matrix_check_finite(ctx, &m, "x.npy") == SAETM_OK);
    saetm_ctx_free(ctx);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_numpy_versions);
    RUN(test_refusals);
    RUN(test_check_finite);
    return TEST_REPORT();
}
