/*
 * lb_reader - a Lambda run's RUN/serving.db for readers outside the stack (compare/): the
 * queries they need, named, so that the SQL and the table names (lk_run.h LK_TABLE_*) stay
 * in lambda/ and a reader never spells a Lambda table.
 *
 * lb_reader_prepare prepares query q on db; the caller binds the parameters listed, steps
 * the rows (columns as listed) and finalizes. Everything is read only.
 *
 *   LB_READ_SPEC     ()                     the spec JSON the run was started with
 *   LB_READ_CUTOFF   (?1 instant)           cutoff of the latest batch view visible at it
 *                                           (no row before the first view)
 *   LB_READ_HORIZON  (?1 instant)           max bucket_end of the speed rows visible at it
 *                                           (NULL when none)
 *   LB_READ_LATE     (?1 slide, ?2 size)    master lines that arrived at or after the end of
 *                                           the last window (that slide and size) holding
 *                                           their event_time (session windows: 1, gap)
 *   LB_READ_MASTER   ()                     event_id, tenant, key, type, value,
 *                                           event_time, arrival_time of every master line,
 *                                           in arrival order (ties: the order loaded)
 *   LB_READ_JOBS     ()                     layer ('speed'/'batch'), visible_time,
 *                                           discrepancy_abs_events (NULL for speed jobs)
 *                                           of every job, by visible_time
 *   LB_READ_VIEWS    ()                     visible_at, cutoff of every batch view
 *   LB_READ_DATA     ()                     the dataset directory the run reads
 *   LB_READ_LATEST   ()                     the latest visible_time of a job (NULL: none)
 *
 * lb_reader_prepare_first_visible: for one group, bound as ?1..?ngroup, window_start and
 * the first virtual instant a speed row or a batch view held it.
 *
 * Errors: LK_EDB with err holding SQLite's message (a database that is not a Lambda run's).
 */
#ifndef LB_READER_H
#define LB_READER_H

#include <sqlite3.h>

#include "lk_err.h"
#include "lk_spec.h"

enum lb_read {
    LB_READ_SPEC,
    LB_READ_CUTOFF,
    LB_READ_HORIZON,
    LB_READ_LATE,
    LB_READ_MASTER,
    LB_READ_JOBS,
    LB_READ_VIEWS,
    LB_READ_DATA,
    LB_READ_LATEST
};

int lb_reader_prepare(sqlite3 *db, enum lb_read q, sqlite3_stmt **st, struct lk_err *err);
int lb_reader_prepare_first_visible(sqlite3 *db, const struct lk_spec *spec, sqlite3_stmt **st,
                                    struct lk_err *err);

#endif
