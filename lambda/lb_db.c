#include "lb_db.h"

#include <stdlib.h>
#include <string.h>

#include "lb_sqlfn.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "banned.h"

/* The batch job's layouts before master_dups: a run resumed from then would otherwise keep
   maintaining them (dropped after master_dups is filled from master, which master_ids
   serves in event_id order). */
static const char old_indexes[] = "DROP INDEX IF EXISTS master_dedup;\n"
                                  "DROP INDEX IF EXISTS master_ids;\n";

static const char fixed_schema[] =
    "CREATE TABLE IF NOT EXISTS lb_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS master(seq INTEGER PRIMARY KEY, part INTEGER NOT NULL, "
    "line INTEGER NOT NULL, \"event_id\" TEXT NOT NULL, \"tenant\" TEXT NOT NULL, "
    "\"key\" TEXT NOT NULL, \"type\" TEXT NOT NULL, \"value\" INTEGER NOT NULL, "
    "event_time INTEGER NOT NULL, arrival_time INTEGER NOT NULL);\n"
    /* Every copy of each event_id with more than one in master (the first copy joins when
       the second arrives), written by lb_master in the same transaction as the rows: the
       batch job's dedup groups these ~2 % of the rows by event_id (master_dups_ids) rather
       than all of master (lb_sql; docs/lambda.md "Batch job speed"). master itself stays in
       ingest order (seq) for the readers that replay it (lb_timeline, lk_reconcile); the
       job reads the events through master_win (lb_sql_schema). */
    "CREATE TABLE IF NOT EXISTS master_dups(seq INTEGER PRIMARY KEY, \"event_id\" TEXT NOT NULL, "
    "part INTEGER NOT NULL, line INTEGER NOT NULL, arrival_time INTEGER NOT NULL);\n"
    "CREATE INDEX IF NOT EXISTS master_dups_ids ON master_dups(\"event_id\", part, line, "
    "arrival_time);\n"
    "CREATE TABLE IF NOT EXISTS master_pos(part INTEGER PRIMARY KEY, line INTEGER NOT NULL, "
    "byte INTEGER NOT NULL, crc INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS batch_views(view_id INTEGER PRIMARY KEY, "
    "trigger_time INTEGER NOT NULL, cutoff INTEGER NOT NULL, visible_at INTEGER NOT NULL, "
    "final INTEGER NOT NULL, cold INTEGER NOT NULL, master_rows INTEGER NOT NULL, "
    "rows INTEGER NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS progress(layer TEXT NOT NULL, job INTEGER NOT NULL, "
    "trigger_time INTEGER NOT NULL, visible_time INTEGER NOT NULL, "
    "input_rows INTEGER NOT NULL, rows_written INTEGER NOT NULL, duration_ms REAL NOT NULL, "
    "modelled_ms INTEGER NOT NULL, discrepancy_rows INTEGER, discrepancy_abs_events INTEGER, "
    "json TEXT NOT NULL, PRIMARY KEY(layer, job));\n";

int lb_db_open(sqlite3 **db, const char *path, int create, struct lk_err *err)
{
    int rc;
    *db = NULL;
    if (!create && !lk_is_file(path))
        return lk_err_set(err, LK_ENOENT, "cannot open lambda database '%s' (no such file)", path);
    if ((rc = lk_store_open(db, path, err)) < 0)
        return rc;
    if ((rc = lb_sqlfn_register(*db, err)) < 0) {
        lk_store_close(*db);
        *db = NULL;
    }
    return rc;
}

int lb_db_create_fixed(sqlite3 *db, struct lk_err *err)
{
    int64_t before_dups = 0; /* a database from before master_dups: master without it */
    int rc = lb_db_begin(db, err);
    if (rc == 0)
        rc = lb_db_int(db,
                       "SELECT count(*) FROM sqlite_master WHERE name = 'master' AND NOT EXISTS "
                       "(SELECT 1 FROM sqlite_master WHERE name = 'master_dups')",
                       0, &before_dups, err);
    if (rc == 0)
        rc = lk_store_exec(db, fixed_schema, err);
    if (rc == 0 && before_dups)
        rc = lk_store_exec(db,
                           "INSERT INTO master_dups SELECT seq, \"event_id\", part, line, "
                           "arrival_time FROM master WHERE \"event_id\" IN (SELECT \"event_id\" "
                           "FROM master GROUP BY \"event_id\" HAVING count(*) > 1)",
                           err);
    if (rc == 0)
        rc = lk_store_exec(db, old_indexes, err);
    if (rc == 0)
        rc = lk_store_quarantine_create(db, err);
    if (rc == 0)
        rc = lb_db_commit(db, err);
    if (rc < 0)
        lb_db_rollback(db);
    return rc;
}

int lb_db_meta_get(sqlite3 *db, const char *name, char **value, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, "SELECT value FROM lb_meta WHERE name = ?1", &st, err);
    *value = NULL;
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *value = lk_xstrdup((const char *)sqlite3_column_text(st, 0));
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = lk_err_set(err, LK_EDB, "cannot read run metadata: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

int lb_db_meta_set(sqlite3 *db, const char *name, const char *value, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, "INSERT OR REPLACE INTO lb_meta(name, value) VALUES(?1, ?2)", &st,
                              err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = lk_store_step_done(db, st, err);
    sqlite3_finalize(st);
    return rc;
}

int lb_db_load_spec(sqlite3 *db, const char *origin, struct lk_spec *spec, struct lk_err *err)
{
    char *text;
    int rc = lb_db_meta_get(db, "spec_json", &text, err);
    if (rc < 0)
        return rc;
    if (!text)
        return lk_err_set(err, LK_EINPUT, "'%s' is not a lambda run (no spec in its database)",
                          origin);
    rc = lk_spec_parse(spec, text, strlen(text), origin, err);
    free(text);
    return rc;
}

int lb_db_begin(sqlite3 *db, struct lk_err *err)
{
    return lk_store_exec(db, "BEGIN IMMEDIATE", err);
}

int lb_db_commit(sqlite3 *db, struct lk_err *err)
{
    return lk_store_exec(db, "COMMIT", err);
}

void lb_db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int lb_db_int(sqlite3 *db, const char *sql, int64_t param, int64_t *out, struct lk_err *err)
{
    long long v = 0;
    int rc = lk_store_query_int_param(db, sql, param, &v, err);
    *out = (int64_t)v;
    return rc;
}
