/*
 * lk_store - the SQLite side of a run (RUN/serving.db): open, exec, prepare, one
 * transaction per batch, the shared quarantine table, and CSV export of any query.
 *
 * Conventions (STYLE "SQLite"): WAL mode; prepare once, bind/step/reset in loops,
 * finalize always; check every rc and report sqlite3_errmsg in err. synchronous=NORMAL
 * in WAL mode keeps every committed transaction across a process crash (kill -9), which
 * is the failure the lab injects; power loss may lose the last commits (documented).
 * Values always go in as bound parameters, never pasted into SQL text.
 *
 * Errors: LK_EDB with err holding "<what>: <sqlite3_errmsg> ('<db path>')".
 */
#ifndef LK_STORE_H
#define LK_STORE_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_err.h"
#include "lk_source.h"

/* Open (creating) a database with the lab's pragmas. */
int lk_store_open(sqlite3 **db, const char *path, struct lk_err *err);
/* Close; NULL-safe. Statements must be finalized first. */
void lk_store_close(sqlite3 *db);

/* Run one or more statements without results. */
int lk_store_exec(sqlite3 *db, const char *sql, struct lk_err *err);
int lk_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct lk_err *err);
/* Step a statement that returns no rows, then reset it (keeping it for reuse). */
int lk_store_step_done(sqlite3 *db, sqlite3_stmt *st, struct lk_err *err);
/* Run a query returning one integer (0 when no row). */
int lk_store_query_int(sqlite3 *db, const char *sql, long long *out, struct lk_err *err);
/* The same with param bound to ?1 when the statement has a parameter. */
int lk_store_query_int_param(sqlite3 *db, const char *sql, int64_t param, long long *out,
                             struct lk_err *err);

/*
 * The quarantine table shared by both stacks:
 *   quarantine(source TEXT, line INTEGER, reason TEXT, detail TEXT, raw BLOB)
 * source = partition or file path, line = 1-based line number.
 */
int lk_store_quarantine_create(sqlite3 *db, struct lk_err *err);
int lk_store_quarantine_prepare(sqlite3 *db, sqlite3_stmt **st, struct lk_err *err);
int lk_store_quarantine_add(sqlite3 *db, sqlite3_stmt *st, const char *source,
                            const struct lk_record *rec, struct lk_err *err);

/*
 * SQL functions every lab database has: iso(ms) -> "YYYY-MM-DDTHH:MM:SS.mmmZ" and
 * money(hundredths) -> "12.50" (lk_time/lk_event formats, so exports match lk_csv).
 * lk_store_open registers them.
 */
int lk_store_register_functions(sqlite3 *db, struct lk_err *err);

/*
 * Write the rows of a query as CSV with a header of its column names (fields quoted only
 * when needed, as in lk_csv); NULL prints as an empty field.
 */
int lk_store_export_csv(sqlite3 *db, const char *sql, FILE *out, struct lk_err *err);

#endif
