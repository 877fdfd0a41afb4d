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
 *
 * Errors: LK_EDB with err holding SQLite's message (a database that is not a Lambda run's).
 */
#ifndef LB_READER_H
#define LB_READER_H

#include <sqlite3.h>

#include "lk_err.h"

enum lb_read { LB_READ_SPEC, LB_READ_CUTOFF, LB_READ_HORIZON, LB_READ_LATE, LB_READ_MASTER };

int lb_reader_prepare(sqlite3 *db, enum lb_read q, sqlite3_stmt **st, struct lk_err *err);

#endif
