/*
 * pl_chart - the tidy data behind each of the lab's charts (issue 5), written from a
 * sweep directory (pl_sweep) for the gnuplot scripts plots/<name>.gp.
 *
 * Every data file is tab-separated text: a first line "# col1 col2 ..." naming the
 * columns, then one row per observation, grouped by series (all Kappa rows, then all
 * Lambda rows) and sorted by x inside a series. Numbers have fixed formats, so the same
 * sweep gives byte-identical files. The columns of each chart are listed in
 * plots/README.md. Times on the charts' log axes are seconds (x_s), money USD per month.
 *
 * Which rows: the trigger-axis charts (latency, cost, files) take the Kappa rows with the
 * default watermark (pl_sweep_default_watermark) so a watermark sweep does not zig-zag,
 * with x = trigger, and every Lambda row with x = batch period. The watermark chart takes
 * the Kappa rows of the trigger with the most watermark delays (at least 2).
 *
 * pl_chart_data returns 0 (data written), PL_SKIP (the sweep lacks what the chart needs;
 * nothing written, out->why says what), or a negative LK_E code (a malformed sawtooth or
 * freshness file: LK_EINPUT with err naming the file and line; LK_EIO).
 */
#ifndef PL_CHART_H
#define PL_CHART_H

#include <stdio.h>

#include "lk_err.h"
#include "pl_sweep.h"

enum pl_chart {
    PL_LATENCY,
    PL_COST,
    PL_FILES,
    PL_WATERMARK,
    PL_SAWTOOTH,
    PL_FRESHNESS,
    PL_NCHARTS
};

#define PL_SKIP 1

struct pl_chart_out {
    char note[600]; /* words for the chart's title ("Kappa watermark 10m"), or "" */
    char why[300];  /* with PL_SKIP: what is missing, one line */
};

/* "latency", "cost", "files", "watermark", "sawtooth", "freshness". */
const char *pl_chart_name(enum pl_chart c);

/* Write chart c's data for sweep s to fp (which the caller owns); see the top comment. */
int pl_chart_data(enum pl_chart c, const struct pl_sweep *s, FILE *fp, struct pl_chart_out *out,
                  struct lk_err *err);

#endif
