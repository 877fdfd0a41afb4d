#include "lk_store.h"

#include <string.h>

#include "lk_csv.h"
#include "lk_file.h"
#include "lk_time.h"
#include "banned.h"

static int db_err(sqlite3 *db, const char *what, struct lk_err *err)
{
    const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
    return lk_err_set(err, LK_EDB, "%s: %s ('%s')", what, db ? sqlite3_errmsg(db) : "no database",
                      file && *file ? file : ":memory:");
}

/*
 * Every connection is used by one thread at a time (the Kappa driver, never its workers), so
 * SQLite's per-connection mutexes (NOMUTEX) and its allocation statistics (MEMSTATUS, one
 * global mutex per malloc) are pure cost: ~15% of the Kappa driver's time in the sink.
 * sqlite3_config only works before SQLite initializes; later calls fail harmlessly.
 */
int lk_store_open(sqlite3 **db, const char *path, struct lk_err *err)
{
    int rc;
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        rc = lk_err_set(err, LK_EDB, "cannot open database '%s' (%s)", path,
                        *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(*db, 5000);
    rc = lk_store_register_functions(*db, err);
    if (rc == 0)
        rc = lk_store_exec(*db,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                           "PRAGMA foreign_keys=ON;",
                           err);
    if (rc < 0) {
        sqlite3_close(*db);
        *db = NULL;
    }
    return rc;
}

void lk_store_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}

static void sql_iso(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char buf[LK_TIME_ISO_LEN + 1];
    int64_t ms;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    ms = sqlite3_value_int64(argv[0]);
    if (ms == LK_TIME_POS_INF || ms == LK_TIME_NEG_INF)
        sqlite3_result_text(ctx, ms > 0 ? "+inf" : "-inf", -1, SQLITE_STATIC);
    else if (lk_time_format(ms, buf) < 0)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void sql_money(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char buf[32];
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    lk_money_format(sqlite3_value_int64(argv[0]), buf, sizeof(buf));
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

int lk_store_register_functions(sqlite3 *db, struct lk_err *err)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "iso", 1, flags, NULL, sql_iso, NULL, NULL) != SQLITE_OK
        || sqlite3_create_function(db, "money", 1, flags, NULL, sql_money, NULL, NULL) != SQLITE_OK)
        return db_err(db, "cannot register sql functions", err);
    return 0;
}

int lk_store_exec(sqlite3 *db, const char *sql, struct lk_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        const char *file = sqlite3_db_filename(db, "main");
        int rc = lk_err_set(err, LK_EDB, "sql failed: %s ('%s')", msg ? msg : "?",
                            file && *file ? file : ":memory:");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

int lk_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct lk_err *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return db_err(db, "cannot prepare statement", err);
    }
    return 0;
}

int lk_store_step_done(sqlite3 *db, sqlite3_stmt *st, struct lk_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return db_err(db, "cannot write", err);
    return 0;
}

int lk_store_query_int(sqlite3 *db, const char *sql, long long *out, struct lk_err *err)
{
    return lk_store_query_int_param(db, sql, 0, out, err);
}

int lk_store_query_int_param(sqlite3 *db, const char *sql, int64_t param, long long *out,
                             struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, sql, &st, err);
    if (rc < 0)
        return rc;
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, param);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        *out = 0;
        rc = 0;
    } else {
        rc = db_err(db, "query failed", err);
    }
    sqlite3_finalize(st);
    return rc;
}

int lk_store_quarantine_create(sqlite3 *db, struct lk_err *err)
{
    return lk_store_exec(db,
                         "CREATE TABLE IF NOT EXISTS quarantine(source TEXT NOT NULL, "
                         "line INTEGER NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL, "
                         "raw BLOB NOT NULL, PRIMARY KEY(source, line))",
                         err);
}

int lk_store_quarantine_prepare(sqlite3 *db, sqlite3_stmt **st, struct lk_err *err)
{
    return lk_store_prepare(db,
                            "INSERT OR IGNORE INTO quarantine(source, line, reason, detail, raw)"
                            " VALUES(?, ?, ?, ?, ?)",
                            st, err);
}

int lk_store_quarantine_add(sqlite3 *db, sqlite3_stmt *st, const char *source,
                            const struct lk_record *rec, struct lk_err *err)
{
    char detail[256];
    lk_reject_format(&rec->rej, detail, sizeof(detail));
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)rec->offset + 1);
    sqlite3_bind_text(st, 3, lk_reason_id(rec->rej.reason), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 5, rec->line, (int)rec->len, SQLITE_STATIC);
    return lk_store_step_done(db, st, err);
}

int lk_store_export_csv(sqlite3 *db, const char *sql, FILE *out, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, sql, &st, err), ncol;
    if (rc < 0)
        return rc;
    ncol = sqlite3_column_count(st);
    for (int c = 0; c < ncol; c++) {
        const char *name = sqlite3_column_name(st, c);
        if (c)
            putc(',', out);
        lk_csv_write_field(out, name, strlen(name));
    }
    putc('\n', out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < ncol; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (c)
                putc(',', out);
            if (v)
                lk_csv_write_field(out, v, (size_t)sqlite3_column_bytes(st, c));
        }
        putc('\n', out);
    }
    rc = rc == SQLITE_DONE ? 0 : db_err(db, "query failed", err);
    sqlite3_finalize(st);
    if (rc == 0 && ferror(out))
        rc = lk_file_write_failed(out, "csv rows", err);
    return rc;
}
