/*
 * lb_run - `lklab lambda`: the Lambda stack over one dataset, driven by ONE virtual
 * clock taken from arrival_time (docs/model.md, docs/lambda.md).
 *
 * The loop, in virtual time (events at the same instant are handled in this order):
 *   1. TICK at each bucket end t (a multiple of --speed-trigger with arrivals in
 *      (t - trigger, t]): the speed layer runs that bucket's micro-batch (lb_speed).
 *   2. VISIBLE at the end V of a running batch job: measure the discrepancy of the
 *      serving layer just before it (serving at V - 1 ms vs lk_truth_eval over the events
 *      that arrived by V - 1 ms), then run the job and swap its view in (lb_batch).
 *   3. TRIGGER at each multiple T of --batch-every: the master dataset takes every line
 *      that arrived by T (lb_master), and a job with cutoff T starts; it will be visible at
 *      T + lk_model_batch_job_ms(cold, master rows). Jobs never overlap: a trigger that
 *      finds a job running is skipped (the next is the first multiple of --batch-every
 *      at or after that job's end), so cutoffs stay multiples of --batch-every, which
 *      must be a multiple of --speed-trigger (cutoffs fall on bucket ends). A trigger
 *      whose period holds no arrival runs no job: the schedule jumps to the first
 *      multiple with data (lb_batch_skip_empty, "empty time" in docs/lambda.md).
 *   4. END: when the input is exhausted, one last (final) job covers everything, with
 *      cutoff = max(last bucket end, end of the previous job). After it the serving
 *      answer is the final batch view, which equals lk_truth exactly.
 *
 * Files: RUN/serving.db (all tables, lb_db.h), RUN/speed.checkpoint (lb_speed.h),
 * RUN/metrics.jsonl (lb_job.h), RUN/run.json written LAST, atomically, with the
 * parameters and totals: lines = processed (unique events) + duplicates + quarantined.
 *
 * Restart: running again with the same RUN and parameters resumes (master from
 * master_pos, speed from its checkpoint, batch from the last swapped-in view: the job
 * in flight reruns from scratch) and ends with the same tables as an uninterrupted run.
 * A RUN with run.json is complete: nothing is done. Different parameters, or a
 * directory that is not a Lambda run, are LK_EUSAGE.
 *
 * Errors: LK_EUSAGE, LK_ESPEC (lb_sql_check), LK_ENOENT / LK_EINPUT (dataset),
 * LK_EDB / LK_EIO / LK_ECORRUPT; err says what and where.
 */
#ifndef LB_RUN_H
#define LB_RUN_H

#include <stdint.h>

#include "lb_job.h"
#include "lk_err.h"
#include "lk_model.h"
#include "lk_spec.h"
#include "lk_truth.h"

#define LB_SPEED_CHECKPOINT_EVERY 64 /* micro-batches */

struct lb_run_opts {
    const char *data; /* dataset directory or JSONL file */
    const char *run;  /* RUN directory */
    const struct lk_spec *spec;
    const char *spec_json; /* the spec's text, kept in the run */
    const char *spec_path;
    int64_t batch_every, speed_trigger; /* ms */
    const struct lk_model *model;
    struct lb_crash crash;
    double (*now)(void);     /* wall clock, for measured durations only */
    lk_progress_fn progress; /* may be NULL; (arg, bytes read, total bytes) */
    void *progress_arg;
};

struct lb_run_summary {
    int already_complete; /* RUN held a finished run: nothing was done */
    int resumed;          /* RUN held an interrupted run that was resumed */
    uint64_t lines, processed, duplicates, quarantined, filtered;
    int64_t batch_jobs, micro_batches;
    uint64_t serving_rows;
    int64_t first_arrival, end_time; /* virtual */
    double wall_seconds;
};

int lb_run(const struct lb_run_opts *o, struct lb_run_summary *sum, struct lk_err *err);

#endif
