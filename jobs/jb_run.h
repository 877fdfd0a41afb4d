/*
 * jb_run - the job runner (docs/jobs.md): fires a job by its trigger (manual, schedule,
 * file_arrival, continuous) on a virtual or a wall clock, runs each run's tasks in
 * dependency order (run_if, condition outcomes, for_each, run_job, retries, timeouts),
 * checks duration alerts, sends notifications (jb_notify) and writes every job run and
 * task attempt into OUT/system.db (jb_audit). Each task's work is under
 * OUT/runs/<run_id>/<task>[/<item>] (its stdout.log and stderr.log, {{task_dir}}).
 *
 * Virtual clock (the default): a run starts at its trigger's instant, a task at the end of
 * its dependencies; a task's duration is the modelled one of the lklab Lambda run it made
 * (the sum of its batch jobs' modelled_ms in OUT/metrics.jsonl), else its
 * "virtual_duration", else 1m; a condition task takes no time. Nothing of the wall clock
 * reaches the tables, so the same job gives byte-identical tables.
 * Wall clock: sleeps until each fire time, durations are measured, timeouts kill.
 */
#ifndef JB_RUN_H
#define JB_RUN_H

#include <stdint.h>

#include "jb_spec.h"
#include "lk_err.h"

#define JB_DEFAULT_VDURATION_MS 60000

struct jb_opts {
    const char *out;  /* the job directory */
    const char *self; /* the lklab executable that runs "lklab" tasks */
    int wall;
    int64_t until_ms; /* -1: none (a manual job) */
    int quiet;
};

struct jb_summary {
    int64_t runs, failed, skipped, alerts;
};

int jb_run(struct jb_job *job, const struct jb_opts *o, struct jb_summary *s, struct lk_err *err);

#endif
