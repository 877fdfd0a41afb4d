#include "jb_audit.h"

#include <stdlib.h>
#include <string.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "lk_time.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS system_job_runs(run_id INTEGER PRIMARY KEY, parent_run_id "
    "INTEGER, job TEXT NOT NULL, trigger TEXT NOT NULL, trigger_time TEXT, parameters TEXT, "
    "clock TEXT, start_time TEXT, end_time TEXT, duration_ms INTEGER, state TEXT NOT NULL, "
    "result TEXT, alerts TEXT);"
    "CREATE TABLE IF NOT EXISTS system_task_runs(run_id INTEGER NOT NULL, task TEXT NOT NULL, "
    "item TEXT, attempt INTEGER NOT NULL, start_time TEXT, end_time TEXT, duration_ms INTEGER, "
    "state TEXT NOT NULL, result TEXT, outcome TEXT, alerts TEXT);"
    "CREATE TABLE IF NOT EXISTS system_notifications(run_id INTEGER NOT NULL, task TEXT, "
    "event TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL, detail TEXT);";

int jb_audit_open(struct jb_audit *a, const char *path, struct lk_err *err)
{
    long long last = 0;
    int rc;
    memset(a, 0, sizeof(*a));
    if ((rc = lk_store_open(&a->db, path, err)) < 0 || (rc = lk_store_exec(a->db, schema, err)) < 0
        || (rc = lk_store_query_int(a->db, "SELECT coalesce(max(run_id), 0) FROM system_job_runs",
                                    &last, err))
               < 0
        || (rc = lk_store_prepare(a->db,
                                  "INSERT INTO system_job_runs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                                  "?8, ?9, ?10, ?11, ?12, ?13)",
                                  &a->job, err))
               < 0
        || (rc = lk_store_prepare(a->db,
                                  "INSERT INTO system_task_runs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                                  "?8, ?9, ?10, ?11)",
                                  &a->task, err))
               < 0
        || (rc = lk_store_prepare(a->db,
                                  "INSERT INTO system_notifications VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                                  &a->note, err))
               < 0) {
        jb_audit_close(a);
        return rc;
    }
    a->last_run_id = last;
    return 0;
}

void jb_audit_close(struct jb_audit *a)
{
    sqlite3_finalize(a->job);
    sqlite3_finalize(a->task);
    sqlite3_finalize(a->note);
    lk_store_close(a->db);
    memset(a, 0, sizeof(*a));
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, int64_t ms)
{
    char iso[LK_TIME_ISO_LEN + 8];
    if (ms >= 0 && lk_time_format(ms, iso) > 0)
        sqlite3_bind_text(st, i, iso, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/*
 * start_time, end_time and duration_ms, the columns both run tables have, at i, i + 1 and
 * i + 2; the duration is NULL unless has_duration. A time below 0 is "not yet" (NULL):
 * instants before 1970 never reach here (jb_spec and lklab job refuse such a start).
 */
static void bind_span(sqlite3_stmt *st, int i, int64_t start_ms, int64_t end_ms, int has_duration)
{
    bind_time(st, i, start_ms);
    bind_time(st, i + 1, end_ms);
    if (has_duration)
        sqlite3_bind_int64(st, i + 2, end_ms - start_ms);
    else
        sqlite3_bind_null(st, i + 2);
}

int jb_audit_job(struct jb_audit *a, const struct jb_run_row *r, struct lk_err *err)
{
    sqlite3_stmt *st = a->job;
    sqlite3_bind_int64(st, 1, r->run_id);
    if (r->parent_run_id)
        sqlite3_bind_int64(st, 2, r->parent_run_id);
    else
        sqlite3_bind_null(st, 2);
    bind_text(st, 3, r->job);
    bind_text(st, 4, r->trigger);
    bind_time(st, 5, r->trigger_ms);
    bind_text(st, 6, r->parameters);
    bind_text(st, 7, r->clock);
    bind_span(st, 8, r->start_ms, r->end_ms, r->end_ms >= 0);
    bind_text(st, 11, r->state);
    bind_text(st, 12, r->result);
    bind_text(st, 13, r->alerts);
    return lk_store_step_done(a->db, st, err);
}

int jb_audit_task(struct jb_audit *a, const struct jb_task_row *r, struct lk_err *err)
{
    sqlite3_stmt *st = a->task;
    sqlite3_bind_int64(st, 1, r->run_id);
    bind_text(st, 2, r->task);
    bind_text(st, 3, r->item);
    sqlite3_bind_int(st, 4, r->attempt);
    bind_span(st, 5, r->start_ms, r->end_ms, r->start_ms >= 0);
    bind_text(st, 8, r->state);
    bind_text(st, 9, r->result);
    bind_text(st, 10, r->outcome);
    bind_text(st, 11, r->alerts);
    return lk_store_step_done(a->db, st, err);
}

int jb_audit_note(struct jb_audit *a, int64_t run_id, const char *task, const char *event,
                  const char *target, const char *state, const char *detail, struct lk_err *err)
{
    sqlite3_stmt *st = a->note;
    sqlite3_bind_int64(st, 1, run_id);
    bind_text(st, 2, task);
    bind_text(st, 3, event);
    bind_text(st, 4, target);
    bind_text(st, 5, state);
    bind_text(st, 6, detail);
    return lk_store_step_done(a->db, st, err);
}

static void print_row(FILE *out, const int *w, int n, const char *const *cells)
{
    for (int i = 0; i < n; i++)
        if (i + 1 < n)
            fprintf(out, "%-*s  ", w[i], cells[i]);
        else
            fprintf(out, "%s\n", cells[i]);
}

/* An aligned table of a query's rows (NULL prints as '-'). */
static int table(sqlite3 *db, const char *sql, FILE *out, const char *path, struct lk_err *err)
{
    sqlite3_stmt *st;
    int n, w[16] = { 0 }, rc;
    size_t rows = 0, cap = 0;
    char **cells = NULL;
    if ((rc = lk_store_prepare(db, sql, &st, err)) < 0)
        return rc;
    n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *h = sqlite3_column_name(st, i);
        w[i] = (int)strlen(h);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rows + 1) * (size_t)n > cap) {
            cap = (rows + 1) * (size_t)n * 2;
            cells = lk_xreallocarray(cells, cap, sizeof(char *));
        }
        for (int i = 0; i < n; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            cells[rows * (size_t)n + (size_t)i] = lk_xstrdup(v ? v : "-");
            if ((int)strlen(v ? v : "-") > w[i])
                w[i] = (int)strlen(v ? v : "-");
        }
        rows++;
    }
    if (rc != SQLITE_DONE)
        rc =
            lk_err_set(err, LK_EDB, "reading the audit table: %s ('%s')", sqlite3_errmsg(db), path);
    else {
        const char *head[16];
        for (int i = 0; i < n; i++)
            head[i] = sqlite3_column_name(st, i);
        print_row(out, w, n, head);
        for (size_t r = 0; r < rows; r++)
            print_row(out, w, n, (const char *const *)cells + r * (size_t)n);
        rc = 0;
    }
    for (size_t i = 0; i < rows * (size_t)n; i++)
        free(cells[i]);
    free(cells);
    sqlite3_finalize(st);
    return rc;
}

int jb_audit_history(const char *path, int tasks, FILE *out, struct lk_err *err)
{
    sqlite3 *db = NULL;
    int rc;
    if (!lk_is_file(path))
        return lk_err_set(err, LK_ENOENT, "no audit table '%s' (run 'lklab job run' first)", path);
    if ((rc = lk_store_open(&db, path, err)) < 0)
        return rc;
    rc = table(db,
               "SELECT run_id, job, trigger, trigger_time, start_time, duration_ms, state, "
               "coalesce(alerts, '') AS alerts, result FROM system_job_runs ORDER BY run_id",
               out, path, err);
    if (rc == 0 && tasks) {
        fputc('\n', out);
        rc = table(db,
                   "SELECT run_id, task, coalesce(item, '') AS item, attempt, start_time, "
                   "duration_ms, state, coalesce(outcome, '') AS outcome, coalesce(alerts, '') "
                   "AS alerts, result FROM system_task_runs ORDER BY rowid",
                   out, path, err);
    }
    lk_store_close(db);
    return rc;
}
