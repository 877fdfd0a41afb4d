/*
 * lb_job - what every Lambda job reports, and where a job may be made to crash.
 *
 * A job is a batch job (layer "batch", ids 1, 2, ... in trigger order) or a speed
 * micro-batch (layer "speed", ids 1, 2, ... over the non-empty arrival buckets). Each
 * completed job leaves ONE row in the progress table, written in the same transaction
 * as the job's output, and one line in RUN/metrics.jsonl appended after that commit.
 * After a crash, metrics.jsonl is rebuilt from the progress table (lb_job_metrics_rewrite),
 * so the file never lists a job twice or a job whose output was lost.
 *
 * metrics.jsonl members: layer, job, trigger_time, start_time, visible_time (ISO),
 * input_rows, rows_written, duration_ms (measured wall clock, ms), modelled_ms (virtual,
 * lk_model), cold; batch lines add cutoff, final, master_rows, discrepancy_rows and
 * discrepancy_abs_events; speed lines add bucket_start, bucket_end, quarantined.
 *
 * Crash injection (--crash-after batch:K|speed:K): lb_crash_point is called at the one
 * place inside job K where a crash is most instructive (see lb_batch.h, lb_speed.h); when
 * it matches, it calls the caller's function, which ends the process abruptly (the CLI
 * raises SIGKILL). Library code itself never exits.
 */
#ifndef LB_JOB_H
#define LB_JOB_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_err.h"

enum lb_layer { LB_LAYER_NONE, LB_LAYER_BATCH, LB_LAYER_SPEED };

struct lb_progress {
    enum lb_layer layer;
    int64_t job;
    int64_t trigger_time, start_time, visible_time;
    int64_t cutoff;       /* batch: arrival cutoff; speed: bucket end */
    int64_t bucket_start; /* speed only */
    uint64_t input_rows, rows_written, quarantined, master_rows;
    double duration_ms;  /* measured */
    int64_t modelled_ms; /* virtual */
    int cold, final;
    int64_t discrepancy_rows, discrepancy_abs_events; /* batch only */
    uint64_t files_written, bytes_written;            /* batch only: the view's data files */
};

const char *lb_layer_name(enum lb_layer layer);

/* Insert the progress row (inside the caller's transaction); *json is its metrics line. */
int lb_job_record(sqlite3 *db, const struct lb_progress *p, char **json, struct lk_err *err);
/* Append one metrics line (and flush). */
int lb_job_metrics_append(FILE *fp, const char *json, struct lk_err *err);
/* Rewrite path (atomically) from the progress table, in commit order. */
int lb_job_metrics_rewrite(sqlite3 *db, const char *path, struct lk_err *err);

struct lb_crash {
    enum lb_layer layer; /* LB_LAYER_NONE: never crash */
    int64_t job;
    void (*fn)(void *arg); /* ends the process; must not return */
    void *arg;
};
#define LB_CRASH_INIT                                                                              \
    {                                                                                              \
        LB_LAYER_NONE, 0, NULL, NULL                                                               \
    }

/* Crash here when c asks for this layer and job. */
void lb_crash_point(const struct lb_crash *c, enum lb_layer layer, int64_t job);

#endif
