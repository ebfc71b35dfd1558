/*
 * report_int.h - internals of the trends and report module (src/report/): a growable text
 * buffer with HTML escaping, SVG chart primitives and classical MDS. The model directory they read
 * (struct saetm_modeldir) is the model module's (src/model/model_int.h). Private to src/report/
 * and its tests.
 */
#ifndef SAETM_REPORT_INT_H
#define SAETM_REPORT_INT_H

#include "model/model_int.h" /* saetm_modeldir, the model directory the report reads */

#include <cjson/cJSON.h>

/* ---- text buffer (strbuf.c) ---------------------------------------------------------------- */

/* A growable NUL-terminated byte buffer. Allocation failures are sticky: after one, further
 * appends do nothing and `oom` stays set, so writers check once at the end. */
typedef struct saetm__sb {
    char *p;
    size_t n, cap;
    int oom;
} saetm__sb;

void saetm__sb_free(saetm__sb *b);
void saetm__sb_putn(saetm__sb *b, const char *s, size_t n);
void saetm__sb_puts(saetm__sb *b, const char *s);
void saetm__sb_printf(saetm__sb *b, const char *fmt, ...) SAETM__PRINTF(2, 3);
/* Append text escaped for HTML/XML content and attribute values: & < > " ' become entities,
 * invalid UTF-8 bytes become U+FFFD, control characters other than tab and newline are dropped.
 * At most max_chars code points are written (0: no limit); "..." follows a cut. */
void saetm__sb_html(saetm__sb *b, const char *s, size_t max_chars);
/* Append a CSV field: quoted (with "" for ") when it holds a comma, quote, CR or LF. */
void saetm__sb_csv(saetm__sb *b, const char *s);
/* Write the buffer to `path` atomically. @return SAETM_ERR_NOMEM if an append had failed. */
saetm_status saetm__sb_write(saetm_ctx *ctx, const saetm__sb *b, const char *path);

/* Switch the calling thread to the "C" locale (so printf writes '.' decimal points whatever the
 * application set with setlocale) and back. Pairs; if "C" cannot be made, nothing changes. */
typedef struct saetm__cloc {
    void *old;
    void *c;
} saetm__cloc;
void saetm__cloc_push(saetm__cloc *s);
void saetm__cloc_pop(saetm__cloc *s);

/* ---- SVG charts (svg.c) -------------------------------------------------------------------- */

/* Heat map: rows x cols values (row-major), rows labelled on the left, columns labelled at the
 * bottom (every label_every-th one when crowded). Colour scale from white to dark blue over
 * [0, max value]; each cell has a <title> tooltip "row / col: value". */
void saetm__svg_heatmap(saetm__sb *b, const char *title, const float *v, uint32_t rows, uint32_t cols,
                        const char *const *row_labels, const char *const *col_labels, const char *value_name);
/* Line chart: n_series lines over n_x points (x[i] values on a linear axis), y[s * n_x + i].
 * Series s is drawn in palette colour colour[s] (NULL: s; the map uses the topic id, so a topic
 * keeps its colour across charts) and gets a legend entry. */
void saetm__svg_lines(saetm__sb *b, const char *title, const double *x, uint32_t n_x, const float *y,
                      uint32_t n_series, const char *const *series_labels, const uint32_t *colour,
                      const char *x_name, const char *y_name);
/* Scatter map of topics: n points at (x[i], y[i]) with circle area proportional to size[i],
 * labelled, and a <title> tooltip per point. */
void saetm__svg_map(saetm__sb *b, const char *title, const double *x, const double *y, const double *size,
                    uint32_t n, const char *const *labels, const char *const *tooltips);

/* ---- trends charts (trends.c), shared with the report ----------------------------------------- */

/* The topics to draw as lines: up to n most rising (change > 0), then up to n most falling
 * (change < 0). out has room for 2n. @return how many. */
uint32_t saetm__trends_movers(const saetm_trends *t, uint32_t n, uint32_t *out);
/* Line chart of the movers (up to 5 each way). labels: n_topics labels. */
void saetm__trends_movers_svg(saetm__sb *b, const saetm_trends *t, const char *const *labels);
/* Heat map of prevalence with topics as rows and time bins (by_group = 0) or groups as columns. */
void saetm__trends_heatmap_svg(saetm__sb *b, const saetm_trends *t, const char *const *labels, int by_group);

/* ---- classical multidimensional scaling (mds.c) -------------------------------------------- */

/* Jensen-Shannon distances (sqrt of the divergence, natural log) between the rows of a n x v
 * matrix of non-negative weights, each row normalised to sum 1 first (an all-zero row is at
 * distance 1 from everything). dist: n x n, caller-allocated. */
saetm_status saetm__js_distances(saetm_ctx *ctx, const float *rows, uint32_t n, uint32_t v, double *dist);
/* Classical (Torgerson) MDS of a n x n distance matrix into 2 dimensions. xy: n x 2. Signs are
 * fixed so that each axis's largest-magnitude coordinate is positive (deterministic output).
 * Axes with a non-positive eigenvalue are 0. @return SAETM_OK or SAETM_ERR_NOMEM/INTERNAL. */
saetm_status saetm__mds2(saetm_ctx *ctx, const double *dist, uint32_t n, double *xy);

#endif
