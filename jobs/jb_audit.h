/*
 * jb_audit - the system tables of a job directory, DIR/system.db (docs/jobs.md):
 *
 *   system_job_runs(run_id, parent_run_id, job, trigger, trigger_time, parameters, clock,
 *                   start_time, end_time, duration_ms, state, result, alerts)
 *   system_task_runs(run_id, task, item, attempt, start_time, end_time, duration_ms, state,
 *                    result, outcome, alerts)
 *   system_notifications(run_id, task, event, target, state, detail)
 *
 * One row per job run, per task attempt (a for_each item is its own row) and per
 * notification sent (a failed webhook is a row with state 'failed', never dropped). Times
 * are the job clock's ISO instants: virtual under --clock virtual, so two runs of the same
 * job give byte-identical tables. Run ids go on from the largest in the database.
 */
#ifndef JB_AUDIT_H
#define JB_AUDIT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_err.h"

struct jb_audit {
    sqlite3 *db;
    sqlite3_stmt *job, *task, *note;
    int64_t last_run_id;
};

struct jb_run_row {
    int64_t run_id, parent_run_id; /* parent 0: none */
    const char *job, *trigger, *parameters, *clock, *state, *result, *alerts;
    int64_t trigger_ms, start_ms, end_ms;
};

struct jb_task_row {
    int64_t run_id;
    const char *task, *item, *state, *result, *outcome, *alerts; /* item, outcome may be NULL */
    int attempt;
    int64_t start_ms, end_ms;
};

int jb_audit_open(struct jb_audit *a, const char *path, struct lk_err *err);
void jb_audit_close(struct jb_audit *a);
int jb_audit_job(struct jb_audit *a, const struct jb_run_row *r, struct lk_err *err);
int jb_audit_task(struct jb_audit *a, const struct jb_task_row *r, struct lk_err *err);
int jb_audit_note(struct jb_audit *a, int64_t run_id, const char *task, const char *event,
                  const char *target, const char *state, const char *detail, struct lk_err *err);
/* `lklab job history`: the job runs as an aligned table (with tasks, their rows too). */
int jb_audit_history(const char *path, int tasks, FILE *out, struct lk_err *err);

#endif
