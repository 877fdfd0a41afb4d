/*
 * kp_reader - a Kappa run's RUN/serving.db for readers outside the stack (compare/): the
 * queries they need, named, so that the SQL and the table names (lk_run.h LK_TABLE_*) stay
 * in kappa/ and a reader never spells a Kappa table.
 *
 * kp_reader_prepare prepares query q on db; the caller binds the parameters listed, steps
 * the rows (columns as listed) and finalizes. Everything is read only.
 *
 *   KP_READ_SPEC       ()            the spec JSON of the current version (one row; of a
 *                                    run still going: of the version it runs)
 *   KP_READ_VERSION    ()            current_version (one row)
 *   KP_READ_WATERMARK  (?1 version)  the eviction watermark of the version's last batch
 *   KP_READ_LATE_COUNT (?1 version)  rows of the late table, distinct event ids in it
 *   KP_READ_LATE_ROWS  (?1 version)  event_id, tenant, key, type, value, arrival_time,
 *                                    window_start: one row per (late event, window)
 *   KP_READ_LATE_COPIES (?1 version) distinct (event_id, arrival_time) of the late table
 *   KP_READ_PROGRESS   ()            visible_time, watermark, state_rows, late_events of
 *                                    every batch, in batch order (the dashboard's history)
 *   KP_READ_FEED       ()            1 when the run has a change feed (--change-feed)
 *   KP_READ_LATEST     ()            the latest visible_time of a batch (NULL: none yet)
 *
 * kp_reader_prepare_copies: for one output key, bound as ?1..?ngroup (the spec's group
 * columns) and ?ngroup+1 (window_start): how many rows of the output hold it, from how
 * many batches, and how many distinct value tuples (window_end and aggregates) they have.

kp_reader_prepare_group_rows: one group's rows as they were at a virtual instant, bound as
?1..?ngroup (the group values) and ?ngroup+1 (the instant): window_start, window_end, the
aggregates, visible_time, op ('upsert' or 'retract'). With feed (the run has a change feed)
they are the `changes` of the current version visible by then in commit order: the last
per window_start is its value, the first its first-visible time. Without one they are the
output rows visible by then (exact in append mode, where a row never changes; in update
and complete mode only the latest value of a row is known, at its last visible time).
 *
 * Errors: LK_EDB with err holding SQLite's message (a database that is not a Kappa run's).
 */
#ifndef KP_READER_H
#define KP_READER_H

#include <sqlite3.h>

#include "lk_err.h"
#include "lk_spec.h"

enum kp_read {
    KP_READ_SPEC,
    KP_READ_VERSION,
    KP_READ_WATERMARK,
    KP_READ_LATE_COUNT,
    KP_READ_LATE_ROWS,
    KP_READ_LATE_COPIES,
    KP_READ_PROGRESS,
    KP_READ_FEED,
    KP_READ_LATEST
};

int kp_reader_prepare(sqlite3 *db, enum kp_read q, sqlite3_stmt **st, struct lk_err *err);
int kp_reader_prepare_copies(sqlite3 *db, const struct lk_spec *spec, sqlite3_stmt **st,
                             struct lk_err *err);
int kp_reader_prepare_group_rows(sqlite3 *db, const struct lk_spec *spec, int feed,
                                 sqlite3_stmt **st, struct lk_err *err);

#endif
