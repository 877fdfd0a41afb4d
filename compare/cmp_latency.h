/*
 * cmp_latency - per-event latency of a finished run of either stack (`lklab latency`, the
 * sweep): the run's stack (lk_run) picks kp_latency or lb_latency, whose definitions are in
 * docs/kappa.md and docs/lambda.md ("Latency"); the two summaries are written into
 * RUN/run.json as "latency" (every other member kept) and returned. truth_csv is the
 * truth of the run's dataset as `lklab truth` wrote it (the sweep passes its truth.csv, so
 * no run reads the dataset twice for it), or NULL to compute it. tl: a Lambda run already
 * loaded (lb_tl_load; the sweep loads it once for all its analyses), or NULL.
 *
 * Errors: those of lk_run_open, kp_latency and lb_latency, or of writing run.json; err
 * names the run.
 */
#ifndef CMP_LATENCY_H
#define CMP_LATENCY_H

#include <cjson/cJSON.h>

#include "lb_timeline.h"
#include "lk_err.h"
#include "lk_latency.h"
#include "lk_run.h"

int cmp_latency_update(const char *run, const char *truth_csv, struct lb_tl *tl,
                       struct lk_lat_summary *first_visible, struct lk_lat_summary *correct,
                       enum lk_stack *stack, struct lk_err *err);

/* {"first_visible": ..., "correct": ...}: run.json's "latency" (lk_lat_summary_json). */
cJSON *cmp_latency_json(const struct lk_lat_summary *first_visible,
                        const struct lk_lat_summary *correct);

#endif
