/*
 * lb_db - RUN/serving.db, the Lambda stack's single SQLite database: its fixed tables,
 * its metadata, and transactions.
 *
 * Fixed tables (spec-dependent ones come from lb_sql_schema):
 *   lb_meta(name, value)        run parameters: stack, spec_json, data, batch_every, ...
 *   master(seq, part, line, event_id, tenant, key, type, value, event_time, arrival_time)
 *                               the MASTER DATASET: every valid line as it arrived,
 *                               duplicates included, append-only (lb_master; the
 *                               master_win index orders it for the batch job's grouping)
 *   master_dups(seq, event_id, part, line, arrival_time)
 *                               every copy of each event_id with more than one copy in
 *                               master, seq being master's: the batch job's dedup (lb_sql)
 *   master_pos(part, line, byte) where the master loader stopped in each log partition
 *   quarantine(...)             malformed lines with reasons (lk_store's shared table)
 *   batch_views(view_id, trigger_time, cutoff, visible_at, final, cold, master_rows, rows)
 *                               the catalog: a batch view exists (is swapped in) exactly
 *                               when its row here is committed (lb_batch)
 *   progress(layer, job, ...)   one row per batch job / speed micro-batch (lb_job)
 * Times are int64 ms since the epoch (virtual time), money int64 hundredths.
 *
 * Every connection opened here has the lb_hll_* SQL functions registered (lb_sqlfn).
 * Errors: LK_EDB with err naming the database; LK_ENOENT when a run has no database.
 */
#ifndef LB_DB_H
#define LB_DB_H

#include <sqlite3.h>

#include "lk_err.h"
#include "lk_spec.h"

/* Open (creating when create, else LK_ENOENT if absent) RUN/serving.db at path. */
int lb_db_open(sqlite3 **db, const char *path, int create, struct lk_err *err);
/* Create the fixed tables (idempotent, one transaction); a database from before master_dups
   gets it filled from master. */
int lb_db_create_fixed(sqlite3 *db, struct lk_err *err);

/* Metadata: *value is a heap string (free) or NULL when the name is absent. */
int lb_db_meta_get(sqlite3 *db, const char *name, char **value, struct lk_err *err);
int lb_db_meta_set(sqlite3 *db, const char *name, const char *value, struct lk_err *err);

/* The spec the run was started with (lb_meta spec_json); origin names it in messages. */
int lb_db_load_spec(sqlite3 *db, const char *origin, struct lk_spec *spec, struct lk_err *err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback never fails loudly). */
int lb_db_begin(sqlite3 *db, struct lk_err *err);
int lb_db_commit(sqlite3 *db, struct lk_err *err);
void lb_db_rollback(sqlite3 *db);

/* A query returning one int64 with one optional int64 parameter ?1. */
int lb_db_int(sqlite3 *db, const char *sql, int64_t param, int64_t *out, struct lk_err *err);

#endif
