/*
 * cmp_latency - per-event latency of a finished run of either stack (`lklab latency`, the
 * sweep): the run's stack (lk_run) picks kp_latency or lb_latency, whose definitions are in
 * docs/kappa.md and docs/lambda.md ("Latency"); the two summaries are written into
 * RUN/run.json as "latency" (every other member kept) and returned. truth_csv is the
 * truth of the run's dataset as `lklab truth` wrote it (the sweep passes its truth.csv, so
 * no run reads the dataset twice for it), or NULL to compute it; given may be NULL (all
 * computed here).
 *
 * Errors: those of lk_run_open, kp_latency and lb_latency, or of writing run.json; err
 * names the run.
 */
#ifndef CMP_LATENCY_H
#define CMP_LATENCY_H

#include <cjson/cJSON.h>

#include "lb_timeline.h"
#include "lk_err.h"
#include "lk_firsts.h"
#include "lk_latency.h"
#include "lk_run.h"

/* What the caller already has of the inputs (a sweep: once for all its runs); NULL
   members are read or computed here. */
struct cmp_latency_given {
    const char *truth_csv;
    struct lb_tl *tl;               /* the run, when it is a Lambda run (lb_tl_load) */
    const struct lk_firsts *events; /* its dataset parsed, for a Kappa run (lk_firsts) */
};

int cmp_latency_update(const char *run, const struct cmp_latency_given *given,
                       struct lk_lat_summary *first_visible, struct lk_lat_summary *correct,
                       enum lk_stack *stack, struct lk_err *err);

/* {"first_visible": ..., "correct": ...}: run.json's "latency" (lk_lat_summary_json). */
cJSON *cmp_latency_json(const struct lk_lat_summary *first_visible,
                        const struct lk_lat_summary *correct);

#endif
