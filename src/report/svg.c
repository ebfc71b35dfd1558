/*
 * svg.c - the three charts of trends and the report, drawn as plain SVG text: a heat map, a line
 * chart and a labelled scatter map. No ids, scripts or external resources, so several charts can
 * sit inline in one HTML page. Callers switch to the C locale around these (decimal points).
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A colour-blind-friendly categorical palette (ten colours, cycled). */
static const char *const palette[10] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f"};

#define CHAR_W 6.2 /* average glyph width of 11px sans-serif, for layout */
#define FONT "font-family=\"sans-serif\" font-size=\"11\""

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static size_t max_label(const char *const *l, uint32_t n, size_t cap)
{
    size_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t k = l && l[i] ? utf8_len(l[i]) : 0;
        if (k > m) m = k;
    }
    return m > cap ? cap + 3 : m;
}

static void svg_open(saetm__sb *b, double w, double h, const char *title)
{
    saetm__sb_printf(b,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                     "viewBox=\"0 0 %.0f %.0f\" role=\"img\" " FONT ">\n<title>",
                     w, h, w, h);
    saetm__sb_html(b, title, 0);
    saetm__sb_puts(b, "</title>\n<text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">");
    saetm__sb_html(b, title, 0);
    saetm__sb_puts(b, "</text>\n");
}

/* White to dark blue. */
static void heat_colour(double t, int rgb[3])
{
    static const int lo[3] = {247, 251, 255}, hi[3] = {8, 48, 107};
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    for (int i = 0; i < 3; i++) rgb[i] = (int)lround(lo[i] + (hi[i] - lo[i]) * t);
}

/* A round step for about `target` ticks over `range`. */
static double nice_step(double range, int target)
{
    double raw = range / target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

void saetm__svg_heatmap(saetm__sb *b, const char *title, const float *v, uint32_t rows, uint32_t cols,
                        const char *const *row_labels, const char *const *col_labels, const char *value_name)
{
    const size_t row_cap = 36, col_cap = 22;
    double left = 8 + CHAR_W * (double)max_label(row_labels, rows, row_cap);
    double cell_h = 14, cell_w = cols ? 720.0 / cols : 28;
    if (cell_w > 28) cell_w = 28;
    if (cell_w < 3) cell_w = 3;
    uint32_t every = (uint32_t)ceil(12.0 / cell_w);
    double top = 28;
    double col_text = CHAR_W * (double)max_label(col_labels, cols, col_cap);
    double bottom = 12 + col_text * 0.72;
    double plot_w = cell_w * cols, plot_h = cell_h * rows;
    double w = left + plot_w + 24;
    if (w < 420) w = 420;
    double h = top + plot_h + bottom + 34;
    float vmax = 0;
    for (size_t i = 0; i < (size_t)rows * cols; i++)
        if (v[i] > vmax) vmax = v[i];

    svg_open(b, w, h, title);
    for (uint32_t r = 0; r < rows; r++) {
        double y = top + r * cell_h;
        saetm__sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 4, y + cell_h - 3);
        saetm__sb_html(b, row_labels ? row_labels[r] : "", row_cap);
        saetm__sb_puts(b, "</text>\n");
        for (uint32_t c = 0; c < cols; c++) {
            float x = v[(size_t)r * cols + c];
            int rgb[3];
            heat_colour(vmax > 0 ? x / vmax : 0, rgb);
            saetm__sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#%02x%02x%02x\"><title>",
                             left + c * cell_w, y, cell_w, cell_h, rgb[0], rgb[1], rgb[2]);
            saetm__sb_html(b, row_labels ? row_labels[r] : "", 0);
            saetm__sb_puts(b, " / ");
            saetm__sb_html(b, col_labels ? col_labels[c] : "", 0);
            saetm__sb_printf(b, ": %.3g</title></rect>\n", (double)x);
        }
    }
    for (uint32_t c = 0; c < cols; c += every) {
        double x = left + (c + 0.5) * cell_w, y = top + plot_h + 8;
        saetm__sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" transform=\"rotate(-45 %.1f %.1f)\">", x,
                         y + 4, x, y);
        saetm__sb_html(b, col_labels ? col_labels[c] : "", col_cap);
        saetm__sb_puts(b, "</text>\n");
    }
    /* Legend: ten steps from 0 to the maximum. */
    double ly = h - 22;
    saetm__sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 4, ly + 10);
    saetm__sb_html(b, value_name, 0);
    saetm__sb_puts(b, " 0</text>\n");
    for (int i = 0; i < 10; i++) {
        int rgb[3];
        heat_colour((i + 0.5) / 10.0, rgb);
        saetm__sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"12\" fill=\"#%02x%02x%02x\"/>\n",
                         left + 16.0 * i, ly, rgb[0], rgb[1], rgb[2]);
    }
    saetm__sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%.3g</text>\n</svg>\n", left + 164, ly + 10, (double)vmax);
}

void saetm__svg_lines(saetm__sb *b, const char *title, const double *x, uint32_t n_x, const float *y,
                      uint32_t n_series, const char *const *series_labels, const uint32_t *colour,
                      const char *x_name, const char *y_name)
{
    const double W = 760, left = 56, right = 16, top = 30, plot_h = 260;
    double plot_w = W - left - right;
    double h = top + plot_h + 40 + 16.0 * n_series + 8;
    svg_open(b, W, h, title);
    if (n_x == 0 || n_series == 0) {
        saetm__sb_printf(b, "<text x=\"%.0f\" y=\"%.0f\">nothing to draw: %s</text>\n</svg>\n", left, top + 40,
                         n_x < 2 ? "fewer than two time bins" : "no topic rises or falls");
        return;
    }
    double x0 = x[0], x1 = x[0], ymax = 0;
    for (uint32_t i = 0; i < n_x; i++) {
        x0 = fmin(x0, x[i]);
        x1 = fmax(x1, x[i]);
    }
    for (size_t i = 0; i < (size_t)n_x * n_series; i++) ymax = fmax(ymax, y[i]);
    if (x1 <= x0) {
        x0 -= 0.5;
        x1 += 0.5;
    }
    if (!(ymax > 0)) ymax = 1;
    double ystep = nice_step(ymax, 5), ytop = ceil(ymax / ystep - 1e-9) * ystep;
#define PX(v) (left + ((v) - x0) / (x1 - x0) * plot_w)
#define PY(v) (top + plot_h - (v) / ytop * plot_h)
    /* Axes, grid and ticks. */
    for (double t = 0; t <= ytop * (1 + 1e-9); t += ystep) {
        saetm__sb_printf(b,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
                         left, PY(t), left + plot_w, PY(t), left - 4, PY(t) + 4, t);
    }
    double xstep = nice_step(x1 - x0, 8);
    for (double t = ceil(x0 / xstep) * xstep; t <= x1 + 1e-9; t += xstep) {
        saetm__sb_printf(b,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>"
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.6g</text>\n",
                         PX(t), top + plot_h, PX(t), top + plot_h + 4, PX(t), top + plot_h + 16, t);
    }
    saetm__sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", left,
                     top + plot_h, left + plot_w, top + plot_h);
    saetm__sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", left + plot_w / 2, top + plot_h + 32);
    saetm__sb_html(b, x_name, 0);
    saetm__sb_printf(b, "</text>\n<text x=\"12\" y=\"%.1f\" transform=\"rotate(-90 12 %.1f)\" text-anchor=\"middle\">",
                     top + plot_h / 2, top + plot_h / 2);
    saetm__sb_html(b, y_name, 0);
    saetm__sb_puts(b, "</text>\n");
    for (uint32_t s = 0; s < n_series; s++) {
        const char *col = palette[(colour ? colour[s] : s) % 10];
        saetm__sb_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", col);
        for (uint32_t i = 0; i < n_x; i++)
            saetm__sb_printf(b, "%s%.1f,%.1f", i ? " " : "", PX(x[i]), PY((double)y[(size_t)s * n_x + i]));
        saetm__sb_puts(b, "\"><title>");
        saetm__sb_html(b, series_labels ? series_labels[s] : "", 0);
        saetm__sb_puts(b, "</title></polyline>\n");
        double ly = top + plot_h + 46 + 16.0 * s;
        saetm__sb_printf(b,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>"
                         "<text x=\"%.1f\" y=\"%.1f\">",
                         left, ly - 4, left + 22, ly - 4, col, left + 28, ly);
        saetm__sb_html(b, series_labels ? series_labels[s] : "", 90);
        saetm__sb_puts(b, "</text>\n");
    }
#undef PX
#undef PY
    saetm__sb_puts(b, "</svg>\n");
}

/* Label boxes for the map: [x0, x1] x [y0, y1]. */
typedef struct box {
    double x0, x1, y0, y1;
} box;

static int overlaps(const box *a, const box *placed, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (a->x0 < placed[i].x1 && placed[i].x0 < a->x1 && a->y0 < placed[i].y1 && placed[i].y0 < a->y1) return 1;
    return 0;
}

void saetm__svg_map(saetm__sb *b, const char *title, const double *x, const double *y, const double *size,
                    uint32_t n, const char *const *labels, const char *const *tooltips)
{
    const double W = 760, H = 560, pad = 60, rmin = 4;
    const size_t label_cap = 24;
    /* Smaller circles when there are many topics. */
    double rmax = n > 10 ? fmax(10, 28 * sqrt(10.0 / n)) : 28;
    svg_open(b, W, H, title);
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0, smax = 0;
    for (uint32_t i = 0; i < n; i++) {
        x0 = i ? fmin(x0, x[i]) : x[i];
        x1 = i ? fmax(x1, x[i]) : x[i];
        y0 = i ? fmin(y0, y[i]) : y[i];
        y1 = i ? fmax(y1, y[i]) : y[i];
        smax = fmax(smax, size[i]);
    }
    double sx = x1 > x0 ? (W - 2 * pad) / (x1 - x0) : 0, sy = y1 > y0 ? (H - 24 - 2 * pad) / (y1 - y0) : 0;
    double s = sx > 0 && sy > 0 ? fmin(sx, sy) : fmax(sx, sy); /* one scale for both axes */
    double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
    double *px = malloc(sizeof *px * (n ? n : 1)), *py = malloc(sizeof *py * (n ? n : 1));
    double *pr = malloc(sizeof *pr * (n ? n : 1));
    uint32_t *order = malloc(sizeof *order * (n ? n : 1));
    box *placed = malloc(sizeof *placed * (n ? n : 1));
    if (!px || !py || !pr || !order || !placed) {
        b->oom = 1;
        goto done;
    }
    saetm__sb_printf(b, "<rect x=\"1\" y=\"24\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#ccc\"/>\n",
                     W - 2, H - 26);
    for (uint32_t i = 0; i < n; i++) {
        px[i] = W / 2 + (x[i] - cx) * s;
        py[i] = (H + 24) / 2 - (y[i] - cy) * s;
        pr[i] = rmin + (rmax - rmin) * (smax > 0 ? sqrt(size[i] / smax) : 0);
        order[i] = i;
    }
    /* Largest topics first: drawn first (so small circles stay on top) and labelled first. */
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && size[order[j]] > size[order[j - 1]]; j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = order[j];
        saetm__sb_printf(b,
                         "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.55\" stroke=\"%s\">"
                         "<title>",
                         px[i], py[i], pr[i], palette[i % 10], palette[i % 10]);
        saetm__sb_html(b, tooltips ? tooltips[i] : labels[i], 0);
        saetm__sb_puts(b, "</title></circle>\n");
    }
    /* Labels: the first of above / below / right / left of the circle that overlaps no label placed
     * so far; a topic whose label fits nowhere shows only its number (the tooltip has the rest). */
    uint32_t n_placed = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = order[j];
        const char *l = labels[i];
        size_t len = utf8_len(l);
        double w = CHAR_W * (double)(len > label_cap ? label_cap + 3 : len), h = 11;
        const double cand[4][2] = {{px[i] - w / 2, py[i] - pr[i] - 3 - h},
                                   {px[i] - w / 2, py[i] + pr[i] + 2},
                                   {px[i] + pr[i] + 3, py[i] - h / 2},
                                   {px[i] - pr[i] - 3 - w, py[i] - h / 2}};
        int found = -1;
        box bx = {0, 0, 0, 0};
        for (int c = 0; c < 4 && found < 0; c++) {
            bx = (box){cand[c][0], cand[c][0] + w, cand[c][1], cand[c][1] + h};
            if (bx.x0 >= 2 && bx.x1 <= W - 2 && bx.y0 >= 26 && bx.y1 <= H - 2 && !overlaps(&bx, placed, n_placed))
                found = c;
        }
        if (found >= 0) {
            placed[n_placed++] = bx;
            saetm__sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", bx.x0, bx.y1 - 2);
            saetm__sb_html(b, l, label_cap);
        } else {
            /* Just the number ("12" of "12: war army"), centred on the circle. */
            size_t k = strcspn(l, ":");
            char num[16];
            snprintf(num, sizeof num, "%.*s", (int)(k < sizeof num - 1 ? k : sizeof num - 1), l);
            saetm__sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">", px[i],
                             py[i] + 3);
            saetm__sb_html(b, num, 0);
        }
        saetm__sb_puts(b, "</text>\n");
    }
done:
    saetm__sb_puts(b, "</svg>\n");
    free(px);
    free(py);
    free(pr);
    free(order);
    free(placed);
}
