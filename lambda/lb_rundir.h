/*
 * lb_rundir - the RUN directory of a Lambda run: deciding whether RUN is new, an
 * interrupted run to resume or a finished one; its parameters (kept in lb_meta so a
 * restart with different ones is refused); totals; and run.json, written last.
 *
 * Errors: LK_EUSAGE when RUN is not a Lambda run or was started with other parameters
 * (err names the parameter), LK_EDB / LK_EIO otherwise.
 */
#ifndef LB_RUNDIR_H
#define LB_RUNDIR_H

#include <sqlite3.h>
#include <stdint.h>

#include "lb_run.h"

/*
 * The periods' rule: both > 0 and batch_every a multiple of speed_trigger (batch cutoffs
 * fall on speed bucket ends); LK_EUSAGE naming the option otherwise. lb_run checks it.
 */
int lb_rundir_check_periods(int64_t batch_every, int64_t speed_trigger, struct lk_err *err);

/* Paths inside RUN (heap strings). */
char *lb_rundir_path(const char *run, const char *name);

/*
 * Make RUN usable: create it when missing, refuse a non-empty directory that holds no
 * Lambda run. *state = 0 new, 1 interrupted (resume), 2 finished (run.json present).
 */
int lb_rundir_prepare(const struct lb_run_opts *o, int *state, struct lk_err *err);

/* Store the parameters on a new run, or check them against an existing one. */
int lb_rundir_params(sqlite3 *db, const struct lb_run_opts *o, struct lk_err *err);

/* Totals from the database (lines, processed, duplicates, quarantined, filtered, rows). */
int lb_rundir_totals(sqlite3 *db, const struct lk_spec *spec, struct lb_run_summary *sum,
                     struct lk_err *err);

/* Write RUN/run.json (atomically): parameters, totals, final view. */
int lb_rundir_write_runjson(sqlite3 *db, const struct lb_run_opts *o,
                            const struct lb_run_summary *sum, struct lk_err *err);

#endif
