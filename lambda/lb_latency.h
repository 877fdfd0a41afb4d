/*
 * lb_latency - per-event latency of a Lambda run (issue 5 "Latency"), and the history of
 * one result row's value (the freshness timeline).
 *
 * All three are analysis steps AFTER a finished run, on the run loaded into memory once by
 * lb_tl_load (RUN/run.json gives the dataset, the run's database the spec and every table;
 * the sweep makes all three from one load); nothing is written. They compute serving
 * values row by row at the instants they change (a speed micro-batch becomes visible, a
 * batch view lands) instead of exporting the whole answer per instant. docs/lambda.md
 * ("Latency") has the definitions and examples.
 *
 * lb_latency: for every distinct event of the run's dataset (the first copy of each
 * event_id, accepted by the spec's filter), adds one sample to first_visible and one to
 * correct (both initialised by the caller, lk_lat_init):
 *   first-visible = min(visible time of the speed micro-batch whose arrival bucket holds
 *                   it, visible time of the first batch view whose cutoff covers it)
 *                   - arrival_time;
 *   correct       = the instant from which the serving row of each of its windows equals
 *                   its final true value (lk_truth_eval over the whole dataset) and stays
 *                   so (the latest over its windows, never before first-visible)
 *                   - arrival_time; lk_lat_never when a row differs from truth at the end.
 *   truth_csv: that truth as `lklab truth` wrote it (a sweep's truth.csv), or NULL to
 *   compute it (lk_truth_final).
 *
 * lb_row_history: the serving value of column `col` of the row whose canonical CSV key
 * (group columns and window_start in ISO, joined by ',', as `lklab results` prints) is
 * `key`, at every instant it changed: (*pts)[0..*n), ascending by t, the first point where
 * the row first appears; money columns in currency units (12.5 = 12.50), counts as
 * counts. Caller frees *pts. LK_EUSAGE for an unknown column, LK_EINPUT for a malformed
 * key or a row the run never served.
 *
 * lb_discrepancy_series: the sawtooth. At the first arrival, every hour of virtual time
 * (multiples of 1h), 1 ms before and at each batch view's visible time, and the end (the
 * final view's visible time): rows = serving rows at t, diff_rows = rows (by group and
 * window start) present on one side only or differing in any column between the serving
 * answer at t and the truth over the events arrived by t -- the measure metrics.jsonl
 * reports as discrepancy_rows just before each view lands. The truth as of t is kept
 * incrementally (events in arrival order), not re-evaluated per sample.
 * (*pts)[0..*n) ascending by t; caller frees *pts.
 *
 * Errors (lb_latency: those of lk_truth_final; lb_row_history as above): err names the
 * run. A run that cannot be loaded (none, unfinished, session windows) is lb_tl_load's.
 */
#ifndef LB_LATENCY_H
#define LB_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#include "lb_timeline.h"
#include "lk_err.h"
#include "lk_latency.h"

int lb_latency(struct lb_tl *tl, const char *truth_csv, struct lk_lat *first_visible,
               struct lk_lat *correct, struct lk_err *err);
int lb_row_history(struct lb_tl *tl, const char *key, const char *col, struct lk_point **pts,
                   size_t *n, struct lk_err *err);

struct lb_disc_point {
    int64_t t;          /* virtual ms */
    uint64_t diff_rows; /* rows differing from the truth as of t */
    uint64_t rows;      /* serving rows at t */
};

void lb_discrepancy_series(struct lb_tl *tl, struct lb_disc_point **pts, size_t *n);

#endif
