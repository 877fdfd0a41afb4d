/*
 * kp_results - read a Kappa run back out of RUN/serving.db for `lklab results`.
 *
 *   output      the serving table (the `output` view: the current version) as the
 *               canonical result CSV (lk_csv), so it can be diffed against `lklab truth`
 *   late        the late side table of the current version, one row per (event, window)
 *   quarantine  malformed lines: source, line, reason, detail, raw
 *   progress    one row per batch, as in metrics.jsonl
 * Times are ISO-8601 with milliseconds and money has two decimals in every table.
 * A finished run (run.json) must hold as many batches as run.json counts: LK_EINPUT when
 * serving.db was replaced after the run ended.
 * Errors: LK_ENOENT when RUN has no database, LK_EUSAGE for an unknown table, LK_EDB.
 */
#ifndef KP_RESULTS_H
#define KP_RESULTS_H

#include <stdio.h>

#include "lk_err.h"

int kp_results_export(const char *run, const char *table, FILE *out, struct lk_err *err);

#endif
