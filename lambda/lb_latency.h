/*
 * lb_latency - per-event latency of a Lambda run (issue 5 "Latency"), and the history of
 * one result row's value (the freshness timeline).
 *
 * lb_latency: for every distinct event of the run's dataset (the first copy of each
 * event_id), first-visible = the first instant the serving answer includes it minus its
 * arrival_time, correct = the instant from which its row's serving value equals the final
 * truth and stays so, minus arrival_time (lk_latency.h). Errors: LK_ENOENT (no lambda run),
 * LK_EDB, LK_EIO.
 *
 * lb_row_history: the serving value of column `col` of the row whose canonical CSV key
 * (group columns and window_start, joined by ',') is `key`, at every instant it changed:
 * (*pts)[0..*n), ascending by t; caller frees *pts.
 */
#ifndef LB_LATENCY_H
#define LB_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"
#include "lk_latency.h"

int lb_latency(const char *run, struct lk_lat *first_visible, struct lk_lat *correct,
               struct lk_err *err);
int lb_row_history(const char *run, const char *key, const char *col, struct lk_point **pts,
                   size_t *n, struct lk_err *err);

#endif
