/*
 * lb_results - read a Lambda run's answers back as the canonical CSV (docs/formats.md), for
 * `lklab results` (run.json has "stack": "lambda").
 *
 *   table "serving"  batch view (+) live speed rows: what a query returned
 *         "batch"    the batch view alone (exact; empty before the first view lands)
 *         "speed"    the realtime view alone (speed rows not yet covered by a batch view)
 *         "quarantine", "progress"  side tables as plain CSV with a header (at ignored)
 *   at    a virtual instant: the answer as it was at that time (views and micro-batches
 *         visible at <= at); LK_TIME_POS_INF = the end of the run.
 *
 * The run's database is only read. Works on a run that is still going or that crashed
 * (it then shows what had been committed). Errors: LK_ENOENT (no lambda run at RUN),
 * LK_EUSAGE (unknown table), LK_EDB, LK_EIO (writing out); err names the run.
 */
#ifndef LB_RESULTS_H
#define LB_RESULTS_H

#include <stdint.h>
#include <stdio.h>

#include "lk_err.h"

int lb_results_export(const char *run, const char *table, int64_t at, FILE *out,
                      struct lk_err *err);

#endif
