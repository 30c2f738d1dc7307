/* draw_bench.c -- frame times of the full app, offscreen (make bench).
 *
 *   draw_bench FILE.json STEP WxH FRAMES
 *
 * Prints "median_ms p99_ms max_ms ui_median_ms ui_p99_ms" of FRAMES frames
 * drawn by the software renderer at WxH with the cursor at STEP
 * (ui_bench_draw in src/ui/app.c); ui_* is the UI's own work per frame
 * (ui_frame: panels, level of detail, the draw list), without rasterizing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ui.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int w = 1600, h = 1000;
    if (argc != 5 || sscanf(argv[3], "%dx%d", &w, &h) != 2) {
        fprintf(stderr, "usage: draw_bench FILE.json STEP WxH FRAMES\n");
        return 2;
    }
    int frames = atoi(argv[4]);
    if (frames < 1 || frames > 100000)
        return 2;
    double *ms = calloc((size_t)frames, sizeof *ms), *ui = calloc((size_t)frames, sizeof *ui);
    char err[512];
    if (!ms || !ui ||
        ui_bench_draw(argv[1], (uint32_t)strtoul(argv[2], NULL, 10), w, h, frames, ms, ui, err, sizeof err)) {
        fprintf(stderr, "draw_bench: %s\n", ms ? err : "out of memory");
        return 2;
    }
    qsort(ms, (size_t)frames, sizeof *ms, cmp);
    qsort(ui, (size_t)frames, sizeof *ui, cmp);
    int p99 = (frames * 99) / 100 < frames ? (frames * 99) / 100 : frames - 1;
    printf("%.3f %.3f %.3f %.3f %.3f\n", ms[frames / 2], ms[p99], ms[frames - 1], ui[frames / 2], ui[p99]);
    free(ms);
    free(ui);
    return 0;
}
