/*
 * lk_model - how long work takes in VIRTUAL time (docs/model.md).
 *
 * Runs are driven by a virtual clock taken from arrival_time, so the duration of a
 * micro-batch or a batch job must come from a model, never from the wall clock:
 *
 *   micro-batch = [cold ? cluster_start : 0] + trigger_overhead
 *                 + event_ns * input rows + state_row_ns * state rows
 *   continuous  = event_ns_continuous per event (no trigger overhead, always warm)
 *   batch job   = [cold ? cluster_start : 0] + job_overhead
 *                 + master_event_ns * events in the WHOLE master dataset
 *
 * "cold" means no cluster is running: the first run, or the cluster has been idle for at
 * least idle_shutdown since the previous run ended (so long triggers pay start-up on
 * every run, short ones keep a cluster on). All values are integers (ms or ns), so the
 * model is exact and deterministic. `none` is the all-zero model (every run takes no
 * virtual time); `default` is documented in docs/model.md and lk_model.c.
 *
 * A model file is JSON with any subset of the members below (durations as text, "2s";
 * per-row costs in ns as integers); unknown members are errors naming the member:
 *   { "name": "...", "cluster_start": "3m", "idle_shutdown": "10m",
 *     "trigger_overhead": "1s", "event_ns": 2000, "state_row_ns": 500,
 *     "continuous_event_ns": 20000, "job_overhead": "30s", "master_event_ns": 4000 }
 */
#ifndef LK_MODEL_H
#define LK_MODEL_H

#include <stdint.h>

#include "lk_err.h"

struct lk_model {
    char name[64];
    int64_t cluster_start_ms;
    int64_t idle_shutdown_ms;
    int64_t trigger_overhead_ms;
    int64_t event_ns;
    int64_t state_row_ns;
    int64_t continuous_event_ns;
    int64_t job_overhead_ms;
    int64_t master_event_ns;
};

/* arg: "default", "none" or a path to a JSON file (overriding the default's members). */
int lk_model_load(struct lk_model *m, const char *arg, struct lk_err *err);

/* Is a run starting at `start` cold, given the previous run ended at prev_end (LK_TIME_NEG_INF:
 * never ran)? */
int lk_model_cold(const struct lk_model *m, int64_t prev_end, int64_t start);

int64_t lk_model_microbatch_ms(const struct lk_model *m, int cold, uint64_t rows,
                               uint64_t state_rows);
int64_t lk_model_continuous_ms(const struct lk_model *m, uint64_t events);
int64_t lk_model_batch_job_ms(const struct lk_model *m, int cold, uint64_t master_events);

#endif
