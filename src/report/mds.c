/*
 * mds.c - a 2-D map of topics: Jensen-Shannon distances between topic-word distributions and
 * classical (Torgerson) multidimensional scaling of them, with LAPACK's dsyev (from OpenBLAS).
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK symmetric eigensolver (Fortran interface, shipped in libopenblas). */
extern void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                   double *work, const int *lwork, int *info);

saetm_status saetm__js_distances(saetm_ctx *ctx, const float *rows, uint32_t n, uint32_t v, double *dist)
{
    double *sum = malloc(sizeof *sum * (n ? n : 1));
    if (!sum) return saetm__fail(ctx, SAETM_ERR_NOMEM, "topic map: out of memory");
    for (uint32_t i = 0; i < n; i++) {
        double s = 0;
        for (uint32_t w = 0; w < v; w++) s += rows[(size_t)i * v + w];
        sum[i] = s;
    }
    for (uint32_t i = 0; i < n; i++) {
        dist[(size_t)i * n + i] = 0;
        for (uint32_t j = i + 1; j < n; j++) {
            double d;
            if (!(sum[i] > 0) || !(sum[j] > 0)) {
                d = 1;
            } else {
                /* JS = 1/2 sum p log(2p/(p+q)) + q log(2q/(p+q)), in nats; at most log 2. */
                const float *p = rows + (size_t)i * v, *q = rows + (size_t)j * v;
                double js = 0;
                for (uint32_t w = 0; w < v; w++) {
                    double a = p[w] / sum[i], c = q[w] / sum[j], m = a + c;
                    if (a > 0) js += a * log(2 * a / m);
                    if (c > 0) js += c * log(2 * c / m);
                }
                js *= 0.5;
                d = sqrt(js > 0 ? js : 0);
            }
            dist[(size_t)i * n + j] = dist[(size_t)j * n + i] = d;
        }
    }
    free(sum);
    return SAETM_OK;
}

saetm_status saetm__mds2(saetm_ctx *ctx, const double *dist, uint32_t n, double *xy)
{
    memset(xy, 0, sizeof *xy * 2 * n);
    if (n < 2) return SAETM_OK;
    if (n > 46340) return saetm__fail(ctx, SAETM_ERR_ARG, "topic map: too many topics (%u)", (unsigned)n);
    double *B = malloc(sizeof *B * (size_t)n * n);
    double *rmean = malloc(sizeof *rmean * n);
    double *w = malloc(sizeof *w * n);
    if (!B || !rmean || !w) {
        free(B);
        free(rmean);
        free(w);
        return saetm__fail(ctx, SAETM_ERR_NOMEM, "topic map: out of memory");
    }
    /* B = -1/2 J D^2 J with J the centring matrix. */
    double all = 0;
    for (uint32_t i = 0; i < n; i++) {
        double s = 0;
        for (uint32_t j = 0; j < n; j++) s += dist[(size_t)i * n + j] * dist[(size_t)i * n + j];
        rmean[i] = s / n;
        all += s;
    }
    all /= (double)n * n;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            double d2 = dist[(size_t)i * n + j] * dist[(size_t)i * n + j];
            B[(size_t)i * n + j] = -0.5 * (d2 - rmean[i] - rmean[j] + all);
        }
    int N = (int)n, info = 0, lwork = -1;
    double wq;
    dsyev_("V", "U", &N, B, &N, w, &wq, &lwork, &info);
    lwork = info == 0 && wq >= 1 ? (int)wq : 3 * N;
    double *work = malloc(sizeof *work * (size_t)lwork);
    if (!work) info = -100;
    else dsyev_("V", "U", &N, B, &N, w, work, &lwork, &info);
    free(work);
    saetm_status st = SAETM_OK;
    if (info != 0) {
        st = info == -100 ? saetm__fail(ctx, SAETM_ERR_NOMEM, "topic map: out of memory")
                          : saetm__fail(ctx, SAETM_ERR_INTERNAL, "topic map: eigensolver failed (info %d)", info);
    } else {
        /* Eigenvalues ascend; eigenvector e is column e of the column-major result, i.e. B[e*n ..]. */
        for (int axis = 0; axis < 2; axis++) {
            uint32_t e = n - 1 - (uint32_t)axis;
            if (!(w[e] > 1e-12)) continue;
            const double *vec = B + (size_t)e * n;
            uint32_t big = 0;
            for (uint32_t i = 1; i < n; i++)
                if (fabs(vec[i]) > fabs(vec[big]) + 1e-12) big = i;
            double sign = vec[big] < 0 ? -1 : 1, scale = sqrt(w[e]);
            for (uint32_t i = 0; i < n; i++) xy[2 * i + axis] = sign * scale * vec[i];
        }
    }
    free(B);
    free(rmean);
    free(w);
    return st;
}
