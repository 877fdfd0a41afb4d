/*
 * cmp_dash - what the dashboard (`lklab serve`, docs/live.md) shows, as JSON, read from
 * the run directories it serves: Kappa and Lambda runs, finished or still running.
 *
 *   cmp_dash_meta   {"runs":[{"name","dir","stack"}...], "groups":["t01/click",...],
 *                    "metrics":[{"name","money"}...], "pipeline", "data": DIR,
 *                    "window_ms": the distance between window starts (0: sessions)}
 *   cmp_dash_state  the answers at virtual instant `at` for one group (index into
 *                    "groups") and metric (index into "metrics"). LK_TIME_POS_INF follows
 *                    the runs: every run as it was at the instant the slowest run still
 *                    going has reached (all finished: their end), so that runs of unequal
 *                    pace are compared at one virtual instant:
 *     {"at" (null when following), "now" (the latest instant shown), "t_min", "t_max" (the slider's
 *      range), "truth":[[window_start, value]...] (lk_truth over the events arrived by
 *      the instant), "runs":[{"name","stack","ready","finished", "history" ("exact" or "latest":
 *      a Kappa update run without --change-feed knows only each row's latest value),
 *      "rows":[[window_start, value]...], "first":[[window_start, ms from window end to
 *      first visible]...], Kappa: "watermark","state_rows","late","batches",
 *      "series":[[visible, watermark, state_rows, late so far]...]; Lambda: "views",
 *      "jobs", "discrepancy":[[visible, |events| speed vs batch]...]}]}
 * Instants are epoch milliseconds of virtual time.
 *
 * A run whose serving.db does not exist yet is "ready": false (and picked up on a later
 * call); the first ready run gives the spec, and a run with another spec is LK_EUSAGE.
 * The truth needs the dataset: `data` given, else the first run that names one (run.json
 * or a Lambda run's meta). Databases are opened read-only for each call (the engines keep
 * writing); nothing outside the run directories and the dataset is read.
 *
 * Errors: LK_ENOENT (no such run directory), LK_EUSAGE (different specs), LK_EDB, LK_EIO; err names
 * the run. Not thread-safe: one caller at a time. Memory: the returned strings are the
 * caller's (free); cmp_dash_free releases the rest (NULL-safe).
 */
#ifndef CMP_DASH_H
#define CMP_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"

struct cmp_dash;

int cmp_dash_open(struct cmp_dash **out, char *const *runs, size_t n, const char *data,
                  struct lk_err *err);
int cmp_dash_meta(struct cmp_dash *d, char **json, struct lk_err *err);
int cmp_dash_state(struct cmp_dash *d, int64_t at, size_t group, size_t metric, char **json,
                   struct lk_err *err);
void cmp_dash_free(struct cmp_dash *d);

#endif
