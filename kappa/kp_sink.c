#include "kp_sink.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

/* Output rows per INSERT statement (fewer statement runs; far below SQLite's parameter limit). */
#define ROWS_PER_INSERT 32

struct kp_sink {
    sqlite3 *db;
    const struct lk_spec *spec;
    enum kp_mode mode;
    int version;
    int exactly_once;
    enum lk_durability durability; /* also for metrics.jsonl */
    char table[32];
    sqlite3_stmt *ins, *ins_many, *del, *clear, *late, *quar, *prog, *seen, *mark, *begin, *commit;
    uint64_t batch; /* the batch in flight (kp_sink_begin) */
    int replay;     /* at-least-once: the ledger already holds it (written again) */
    /* metrics.jsonl (kp_sink_metrics_open): one line appended after every commit */
    FILE *metrics;
    sqlite3_stmt *metrics_row, *rewrite;
    int64_t visible; /* its visible time, once known (rows or progress) */
    /* --change-feed (kp_sink_change_feed) */
    int change_feed;
    int cleared; /* complete mode: the table was moved to temp.kp_prev */
    sqlite3_stmt *cf_retract, *cf_save, *cf_diff_up, *cf_diff_del;
    /* --tenant-views (kp_sink_tenant_views) */
    int tenant_views;
    size_t tenant_col;         /* index of tenant among the group columns */
    struct lk_strtab *tenants; /* tenants whose view this process has ensured or queued */
    uint32_t *pending;         /* tenants first seen in the batch in flight */
    size_t npending, pending_cap;
};

/* "tenant","type" (the spec's group columns, already validated names) */
static void group_cols(const struct lk_spec *spec, struct lk_buf *b, const char *sep)
{
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(b, "%s\"%s\"", g ? sep : "", lk_field_name(spec->group[g]));
}

/* A row's column definitions: "tenant" TEXT NOT NULL, ..., window_start, window_end, aggregates */
static void row_defs(const struct lk_spec *spec, struct lk_buf *b)
{
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(b, "\"%s\" TEXT NOT NULL, ", lk_field_name(spec->group[g]));
    lk_buf_adds(b, "window_start INTEGER NOT NULL, window_end INTEGER NOT NULL");
    for (size_t i = 0; i < spec->naggs; i++)
        lk_buf_addf(b, ", \"%s\" INTEGER NOT NULL", spec->aggs[i].as);
}

static int create_tables(struct kp_sink *s, struct lk_err *err)
{
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    lk_buf_addf(&sql, "CREATE TABLE IF NOT EXISTS \"%s\"(", s->table);
    row_defs(s->spec, &sql);
    lk_buf_adds(&sql, ", batch_id INTEGER NOT NULL, visible_time INTEGER NOT NULL");
    /* Window first: a batch updates the rows of its few latest windows, which then sit
       side by side in the index, so a commit writes a few pages instead of one per group
       (a 10 s trigger: 445k -> 205k page writes; the same rows, ON CONFLICT matches the
       columns in any order). A reader of one tenant (--tenant-views) now scans the table
       instead of a range of the index: 87k rows for the default day, milliseconds. */
    if (s->mode != KP_APPEND) {
        lk_buf_addf(&sql, ", UNIQUE(window_start%s", s->spec->ngroup ? ", " : "");
        group_cols(s->spec, &sql, ", ");
        lk_buf_adds(&sql, ")");
    }
    lk_buf_adds(&sql, ");");
    rc = lk_store_exec(s->db, sql.s, err);
    lk_buf_release(&sql);
    if (rc < 0)
        return rc;
    if ((rc = lk_store_quarantine_create(s->db, err)) < 0)
        return rc;
    return lk_store_exec(
        s->db,
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS sink_batches(version INTEGER NOT NULL, batch_id INTEGER NOT "
        "NULL,"
        " PRIMARY KEY(version, batch_id));"
        "CREATE TABLE IF NOT EXISTS late(version INTEGER NOT NULL, batch_id INTEGER NOT NULL,"
        " event_id TEXT NOT NULL, tenant TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL,"
        " value INTEGER NOT NULL, event_time INTEGER NOT NULL, arrival_time INTEGER NOT NULL,"
        " window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, watermark INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS progress(version INTEGER NOT NULL, batch_id INTEGER NOT NULL,"
        " trigger_time INTEGER NOT NULL, visible_time INTEGER NOT NULL, input_rows INTEGER NOT "
        "NULL,"
        " processed INTEGER NOT NULL, filtered INTEGER NOT NULL, late_events INTEGER NOT NULL,"
        " late_rows INTEGER NOT NULL, duplicates_dropped INTEGER NOT NULL,"
        " quarantined INTEGER NOT NULL, state_rows INTEGER NOT NULL, watermark INTEGER NOT NULL,"
        " output_rows INTEGER NOT NULL, files_written INTEGER NOT NULL,"
        " bytes_written INTEGER NOT NULL, duration_ms INTEGER NOT NULL,"
        " modelled_ms INTEGER NOT NULL, state_rows_end INTEGER NOT NULL,"
        " state_rows_updated INTEGER NOT NULL, event_time_min INTEGER, event_time_max INTEGER,"
        " event_time_avg INTEGER, sink_writes INTEGER NOT NULL, input_lines TEXT);"
        "CREATE INDEX IF NOT EXISTS progress_batch ON progress(version, batch_id);",
        err);
}

/* The output INSERT (an upsert in update mode) for nrows rows. */
static int prepare_insert(struct kp_sink *s, size_t nrows, sqlite3_stmt **st, struct lk_err *err)
{
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    size_t ncols = s->spec->ngroup + 2 + s->spec->naggs + 2;
    lk_buf_addf(&sql, "INSERT INTO \"%s\" VALUES", s->table);
    for (size_t r = 0; r < nrows; r++) {
        lk_buf_addf(&sql, "%s(", r ? "," : "");
        for (size_t c = 0; c < ncols; c++)
            lk_buf_addf(&sql, "%s?", c ? "," : "");
        lk_buf_adds(&sql, ")");
    }
    if (s->mode == KP_UPDATE) {
        lk_buf_adds(&sql, " ON CONFLICT(");
        group_cols(s->spec, &sql, ", ");
        lk_buf_addf(&sql, "%swindow_start) DO UPDATE SET window_end=excluded.window_end",
                    s->spec->ngroup ? ", " : "");
        for (size_t i = 0; i < s->spec->naggs; i++)
            lk_buf_addf(&sql, ", \"%s\"=excluded.\"%s\"", s->spec->aggs[i].as, s->spec->aggs[i].as);
        lk_buf_adds(&sql, ", batch_id=excluded.batch_id, visible_time=excluded.visible_time");
        /* an unchanged row keeps its batch_id and visible_time: the time of its last CHANGE */
        lk_buf_addf(&sql, " WHERE \"%s\".window_end IS NOT excluded.window_end", s->table);
        for (size_t i = 0; i < s->spec->naggs; i++)
            lk_buf_addf(&sql, " OR \"%s\".\"%s\" IS NOT excluded.\"%s\"", s->table,
                        s->spec->aggs[i].as, s->spec->aggs[i].as);
    }
    rc = lk_store_prepare(s->db, sql.s, st, err);
    lk_buf_release(&sql);
    return rc;
}

static int prepare_output(struct kp_sink *s, struct lk_err *err)
{
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    if ((rc = prepare_insert(s, 1, &s->ins, err)) < 0
        || (rc = prepare_insert(s, ROWS_PER_INSERT, &s->ins_many, err)) < 0)
        return rc;
    lk_buf_addf(&sql, "DELETE FROM \"%s\" WHERE ", s->table);
    for (size_t g = 0; g < s->spec->ngroup; g++)
        lk_buf_addf(&sql, "\"%s\"=? AND ", lk_field_name(s->spec->group[g]));
    lk_buf_adds(&sql, "window_start=?");
    if ((rc = lk_store_prepare(s->db, sql.s, &s->del, err)) == 0) {
        lk_buf_reset(&sql);
        lk_buf_addf(&sql, "DELETE FROM \"%s\"", s->table);
        rc = lk_store_prepare(s->db, sql.s, &s->clear, err);
    }
    lk_buf_release(&sql);
    return rc;
}

/* Keep the spec in the database so `lklab results` can read the run without the spec file. */
static int store_spec(struct kp_sink *s, struct lk_err *err)
{
    char key[32], *json = lk_spec_to_json(s->spec);
    sqlite3_stmt *st;
    int rc = lk_store_prepare(s->db, "INSERT OR REPLACE INTO meta VALUES(?, ?)", &st, err);
    if (rc == 0) {
        snprintf(key, sizeof(key), "spec_v%d", s->version);
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
        rc = lk_store_step_done(s->db, st, err);
        sqlite3_finalize(st);
    }
    free(json);
    return rc;
}

static int prepare_side(struct kp_sink *s, struct lk_err *err)
{
    int rc;
    if ((rc = lk_store_prepare(s->db, "INSERT INTO late VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", &s->late,
                               err))
            < 0
        || (rc = lk_store_quarantine_prepare(s->db, &s->quar, err)) < 0
        || (rc = lk_store_prepare(
                s->db,
                "INSERT INTO progress VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?)",
                &s->prog, err))
               < 0
        || (rc = lk_store_prepare(
                s->db, "SELECT 1 FROM sink_batches WHERE version=? AND batch_id=?", &s->seen, err))
               < 0)
        return rc;
    if ((rc = lk_store_prepare(s->db, "BEGIN IMMEDIATE", &s->begin, err)) < 0
        || (rc = lk_store_prepare(s->db, "COMMIT", &s->commit, err)) < 0)
        return rc;
    return lk_store_prepare(s->db, "INSERT OR IGNORE INTO sink_batches VALUES(?,?)", &s->mark, err);
}

int kp_sink_open(struct kp_sink **out, const char *db_path, const struct lk_spec *spec,
                 enum kp_mode mode, int version, int exactly_once, enum lk_durability durability,
                 struct lk_err *err)
{
    struct kp_sink *s = lk_xcalloc(1, sizeof(*s));
    int rc;
    s->spec = spec;
    s->mode = mode;
    s->version = version;
    s->exactly_once = exactly_once;
    snprintf(s->table, sizeof(s->table), "output_v%d", version);
    s->durability = durability;
    /* FSYNC: FULL syncs the WAL at every commit, so a batch's rows are on disk before
       commits/N is written; NORMAL would sync only at WAL checkpoints and a power cut
       could lose committed batches that the checkpoint says are done. */
    if ((rc = lk_store_open(&s->db, db_path, err)) < 0
        || (rc = lk_store_exec(s->db,
                               durability == LK_DURABLE_PROCESS ? "PRAGMA synchronous=OFF;"
                                                                : "PRAGMA synchronous=FULL;",
                               err))
               < 0
        || (rc = create_tables(s, err)) < 0 || (rc = store_spec(s, err)) < 0
        || (rc = prepare_output(s, err)) < 0 || (rc = prepare_side(s, err)) < 0) {
        kp_sink_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void kp_sink_close(struct kp_sink *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->ins);
    sqlite3_finalize(s->ins_many);
    sqlite3_finalize(s->del);
    sqlite3_finalize(s->clear);
    sqlite3_finalize(s->late);
    sqlite3_finalize(s->quar);
    sqlite3_finalize(s->prog);
    sqlite3_finalize(s->seen);
    sqlite3_finalize(s->mark);
    sqlite3_finalize(s->begin);
    sqlite3_finalize(s->commit);
    sqlite3_finalize(s->metrics_row);
    sqlite3_finalize(s->rewrite);
    if (s->metrics)
        fclose(s->metrics);
    sqlite3_finalize(s->cf_retract);
    sqlite3_finalize(s->cf_save);
    sqlite3_finalize(s->cf_diff_up);
    sqlite3_finalize(s->cf_diff_del);
    lk_store_close(s->db);
    lk_strtab_free(s->tenants);
    free(s->pending);
    free(s);
}

int kp_sink_begin(struct kp_sink *s, uint64_t batch, int *skip, struct lk_err *err)
{
    int rc = lk_store_step_done(s->db, s->begin, err);
    *skip = 0;
    s->batch = batch;
    s->visible = 0;
    s->cleared = 0;
    s->npending = 0;
    if (rc < 0)
        return rc;
    sqlite3_bind_int(s->seen, 1, s->version);
    sqlite3_bind_int64(s->seen, 2, (sqlite3_int64)batch);
    rc = sqlite3_step(s->seen);
    s->replay = rc == SQLITE_ROW; /* at-least-once writes it again; exactly-once skips it */
    *skip = s->replay && s->exactly_once;
    sqlite3_reset(s->seen);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        kp_sink_rollback(s);
        return lk_err_set(err, LK_EDB, "cannot read sink ledger: %s", sqlite3_errmsg(s->db));
    }
    return 0;
}

/* Bind row's key from parameter col on; returns the next parameter. */
static int bind_key_at(struct kp_sink *s, sqlite3_stmt *st, int col, const struct lk_csv_row *row)
{
    for (size_t g = 0; g < s->spec->ngroup; g++)
        sqlite3_bind_text(st, col++, row->group[g].ptr, (int)row->group[g].len, SQLITE_STATIC);
    sqlite3_bind_int64(st, col++, row->window_start);
    return col;
}

static int bind_key(struct kp_sink *s, sqlite3_stmt *st, const struct lk_csv_row *row)
{
    return bind_key_at(s, st, 1, row);
}

/* Bind a whole output row from parameter col on; returns the next parameter. */
static int bind_row(struct kp_sink *s, sqlite3_stmt *st, int col, const struct lk_csv_row *row,
                    uint64_t batch, int64_t visible)
{
    col = bind_key_at(s, st, col, row);
    sqlite3_bind_int64(st, col++, row->window_end);
    for (size_t i = 0; i < s->spec->naggs; i++)
        sqlite3_bind_int64(st, col++, row->values[i]);
    sqlite3_bind_int64(st, col++, (sqlite3_int64)batch);
    sqlite3_bind_int64(st, col++, visible);
    return col;
}

/* --tenant-views: remember a tenant not seen before (its view is made at commit). */
static void note_tenant(struct kp_sink *s, const struct lk_csv_row *row)
{
    const struct lk_str *t = &row->group[s->tenant_col];
    int added;
    uint32_t id = lk_strtab_intern(s->tenants, t->ptr, t->len, &added);
    if (added) {
        LK_GROW(s->pending, s->pending_cap, s->npending + 1);
        s->pending[s->npending++] = id;
    }
}

int kp_sink_row(struct kp_sink *s, const struct lk_csv_row *row, uint64_t batch, int64_t visible,
                struct lk_err *err)
{
    s->visible = visible;
    if (s->tenant_views)
        note_tenant(s, row);
    bind_row(s, s->ins, 1, row, batch, visible);
    return lk_store_step_done(s->db, s->ins, err);
}

int kp_sink_rows(struct kp_sink *s, const struct lk_csv_row *const *rows, size_t n, uint64_t batch,
                 int64_t visible, struct lk_err *err)
{
    size_t i = 0;
    int rc = 0;
    s->visible = visible;
    for (size_t k = 0; s->tenant_views && k < n; k++)
        note_tenant(s, rows[k]);
    for (; i + ROWS_PER_INSERT <= n && rc == 0; i += ROWS_PER_INSERT) {
        int col = 1;
        for (size_t k = 0; k < ROWS_PER_INSERT; k++) {
            if (i + k + ROWS_PER_INSERT < n)
                __builtin_prefetch(
                    rows[i + k + ROWS_PER_INSERT]); /* rows are out of memory order */
            col = bind_row(s, s->ins_many, col, rows[i + k], batch, visible);
        }
        rc = lk_store_step_done(s->db, s->ins_many, err);
    }
    for (; i < n && rc == 0; i++)
        rc = kp_sink_row(s, rows[i], batch, visible, err);
    return rc;
}

int kp_sink_retract(struct kp_sink *s, const struct lk_csv_row *row, int64_t visible,
                    struct lk_err *err)
{
    int rc;
    if (s->change_feed) { /* the row's last values, before they go */
        sqlite3_bind_int(s->cf_retract, 1, s->version);
        sqlite3_bind_int64(s->cf_retract, 2, (sqlite3_int64)s->batch);
        sqlite3_bind_int64(s->cf_retract, 3, visible);
        bind_key_at(s, s->cf_retract, 4, row);
        if ((rc = lk_store_step_done(s->db, s->cf_retract, err)) < 0)
            return rc;
    }
    bind_key(s, s->del, row);
    return lk_store_step_done(s->db, s->del, err);
}

int kp_sink_clear(struct kp_sink *s, struct lk_err *err)
{
    int rc;
    if (s->change_feed && !s->cleared) { /* keep the old table to diff against at commit */
        if ((rc = lk_store_exec(s->db, "DELETE FROM temp.kp_prev", err)) < 0
            || (rc = lk_store_step_done(s->db, s->cf_save, err)) < 0)
            return rc;
        s->cleared = 1;
    }
    return lk_store_step_done(s->db, s->clear, err);
}

int kp_sink_late(struct kp_sink *s, uint64_t batch, const struct lk_event *ev, int64_t wstart,
                 int64_t wend, int64_t watermark, struct lk_err *err)
{
    sqlite3_stmt *st = s->late;
    sqlite3_bind_int(st, 1, s->version);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)batch);
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++)
        sqlite3_bind_text(st, 3 + f, ev->str[f].ptr, (int)ev->str[f].len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, ev->value);
    sqlite3_bind_int64(st, 8, ev->event_time);
    sqlite3_bind_int64(st, 9, ev->arrival_time);
    sqlite3_bind_int64(st, 10, wstart);
    sqlite3_bind_int64(st, 11, wend);
    sqlite3_bind_int64(st, 12, watermark);
    return lk_store_step_done(s->db, st, err);
}

int kp_sink_quarantine(struct kp_sink *s, const char *source, const struct lk_record *rec,
                       struct lk_err *err)
{
    return lk_store_quarantine_add(s->db, s->quar, source, rec, err);
}

/*
 * A batch written again (at-least-once, after a crash between its sink commit and
 * commits/N): its progress row stays the one of its first write (a replay reads the same
 * lines), and counts the writes, so totals count every line once.
 */
static int progress_again(struct kp_sink *s, uint64_t batch, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(s->db,
                              "UPDATE progress SET sink_writes = sink_writes + 1 WHERE "
                              "version = ? AND batch_id = ?",
                              &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int(st, 1, s->version);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)batch);
    rc = lk_store_step_done(s->db, st, err);
    sqlite3_finalize(st);
    return rc;
}

int kp_sink_progress(struct kp_sink *s, const struct kp_progress *p, struct lk_err *err)
{
    sqlite3_int64 v[20] = {
        s->version,
        (sqlite3_int64)p->batch_id,
        p->trigger_time,
        p->visible_time,
        (sqlite3_int64)p->input_rows,
        (sqlite3_int64)p->processed,
        (sqlite3_int64)p->filtered,
        (sqlite3_int64)p->late_events,
        (sqlite3_int64)p->late_rows,
        (sqlite3_int64)p->duplicates,
        (sqlite3_int64)p->quarantined,
        (sqlite3_int64)p->state_rows,
        p->watermark,
        (sqlite3_int64)p->output_rows,
        (sqlite3_int64)p->files_written,
        (sqlite3_int64)p->bytes_written,
        p->duration_ms,
        p->modelled_ms,
        (sqlite3_int64)p->state_total,
        (sqlite3_int64)p->state_updated,
    };
    s->visible = p->visible_time;
    if (s->replay)
        return progress_again(s, p->batch_id, err);
    for (int i = 0; i < 20; i++)
        sqlite3_bind_int64(s->prog, i + 1, v[i]);
    for (int i = 21; i <= 23; i++) /* event_time_min, _max, _avg: NULL without events */
        sqlite3_bind_null(s->prog, i);
    if (p->input_lines)
        sqlite3_bind_text(s->prog, 24, p->input_lines, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->prog, 24);
    if (p->et.count) {
        sqlite3_bind_int64(s->prog, 21, p->et.min);
        sqlite3_bind_int64(s->prog, 22, p->et.max);
        sqlite3_bind_int64(s->prog, 23, kp_et_avg(&p->et));
    }
    return lk_store_step_done(s->db, s->prog, err);
}

/* ------------------------------------------------------ change feed ---- */

/* `<p>."tenant", <p>."type", <p>.window_start, <p>.window_end, <p>."events", ...` */
static void row_cols(const struct kp_sink *s, struct lk_buf *b, const char *p)
{
    for (size_t g = 0; g < s->spec->ngroup; g++)
        lk_buf_addf(b, "%s.\"%s\", ", p, lk_field_name(s->spec->group[g]));
    lk_buf_addf(b, "%s.window_start, %s.window_end", p, p);
    for (size_t i = 0; i < s->spec->naggs; i++)
        lk_buf_addf(b, ", %s.\"%s\"", p, s->spec->aggs[i].as);
}

/* `a."tenant" = b."tenant" AND ... AND a.window_start = b.window_start` [+ values] */
static void key_match(const struct kp_sink *s, struct lk_buf *b, int values)
{
    for (size_t g = 0; g < s->spec->ngroup; g++)
        lk_buf_addf(b, "a.\"%s\" = b.\"%s\" AND ", lk_field_name(s->spec->group[g]),
                    lk_field_name(s->spec->group[g]));
    lk_buf_adds(b, "a.window_start = b.window_start");
    if (!values)
        return;
    lk_buf_adds(b, " AND a.window_end = b.window_end");
    for (size_t i = 0; i < s->spec->naggs; i++)
        lk_buf_addf(b, " AND a.\"%s\" = b.\"%s\"", s->spec->aggs[i].as, s->spec->aggs[i].as);
}

static int create_changes(struct kp_sink *s, struct lk_err *err)
{
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    lk_buf_adds(&sql,
                "CREATE TABLE IF NOT EXISTS changes(version INTEGER NOT NULL, "
                "batch_id INTEGER NOT NULL, visible_time INTEGER NOT NULL, op TEXT NOT NULL, ");
    row_defs(s->spec, &sql);
    lk_buf_adds(&sql, ");");
    rc = lk_store_exec(s->db, sql.s, err);
    lk_buf_release(&sql);
    return rc;
}

/*
 * Update and append modes: TEMP triggers (this connection only, so a later run without
 * the option records nothing) copy every inserted row and every upsert that CHANGED a
 * row (unchanged upserts are no-ops, see prepare_insert) into changes.
 */
static int create_triggers(struct kp_sink *s, struct lk_err *err)
{
    static const char *const events[] = { "INSERT", "UPDATE" };
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        struct lk_buf sql = LK_BUF_INIT;
        lk_buf_addf(&sql,
                    "DROP TRIGGER IF EXISTS temp.kp_cf_%s; CREATE TEMP TRIGGER "
                    "kp_cf_%s AFTER %s ON main.\"%s\" BEGIN INSERT INTO changes SELECT %d, "
                    "NEW.batch_id, NEW.visible_time, 'upsert', ",
                    events[k], events[k], events[k], s->table, s->version);
        row_cols(s, &sql, "NEW");
        lk_buf_adds(&sql, "; END;");
        rc = lk_store_exec(s->db, sql.s, err);
        lk_buf_release(&sql);
    }
    return rc;
}

/*
 * Prepare into *st: `INSERT INTO changes SELECT HEAD, <a's row> FROM A a WHERE NOT EXISTS
 * (SELECT 1 FROM B b WHERE <same key>)`, the rows of A that B has no row for (with values:
 * no row with the same key and the same values).
 */
static int prepare_missing(struct kp_sink *s, const char *head, const char *a, const char *b,
                           int values, sqlite3_stmt **st, struct lk_err *err)
{
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    lk_buf_addf(&sql, "INSERT INTO changes SELECT %s, ", head);
    row_cols(s, &sql, "a");
    lk_buf_addf(&sql, " FROM %s a WHERE NOT EXISTS (SELECT 1 FROM %s b WHERE ", a, b);
    key_match(s, &sql, values);
    lk_buf_adds(&sql, ")");
    rc = lk_store_prepare(s->db, sql.s, st, err);
    lk_buf_release(&sql);
    return rc;
}

/* Complete mode: the table of the last batch is kept in temp.kp_prev and diffed at commit. */
static int prepare_diff(struct kp_sink *s, struct lk_err *err)
{
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    lk_buf_addf(&sql,
                "CREATE TEMP TABLE IF NOT EXISTS kp_prev AS SELECT * FROM "
                "main.\"%s\" WHERE 0; CREATE INDEX IF NOT EXISTS temp.kp_prev_key ON kp_prev(",
                s->table);
    group_cols(s->spec, &sql, ", ");
    lk_buf_addf(&sql, "%swindow_start);", s->spec->ngroup ? ", " : "");
    if ((rc = lk_store_exec(s->db, sql.s, err)) < 0)
        goto out;
    lk_buf_reset(&sql);
    lk_buf_addf(&sql, "INSERT INTO temp.kp_prev SELECT * FROM main.\"%s\"", s->table);
    if ((rc = lk_store_prepare(s->db, sql.s, &s->cf_save, err)) < 0)
        goto out;
    lk_buf_reset(&sql);
    lk_buf_addf(&sql, "main.\"%s\"", s->table);
    /* rows that are new or changed */
    if ((rc = prepare_missing(s, "?1, a.batch_id, a.visible_time, 'upsert'", sql.s, "temp.kp_prev",
                              1, &s->cf_diff_up, err))
        < 0)
        goto out;
    /* rows that are gone (a session merge moved their start) */
    rc =
        prepare_missing(s, "?1, ?2, ?3, 'retract'", "temp.kp_prev", sql.s, 0, &s->cf_diff_del, err);
out:
    lk_buf_release(&sql);
    return rc;
}

int kp_sink_change_feed(struct kp_sink *s, struct lk_err *err)
{
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    if ((rc = create_changes(s, err)) < 0
        || (rc = s->mode == KP_COMPLETE ? prepare_diff(s, err) : create_triggers(s, err)) < 0)
        return rc;
    lk_buf_adds(&sql, "INSERT INTO changes SELECT ?1, ?2, ?3, 'retract', ");
    row_cols(s, &sql, "a");
    lk_buf_addf(&sql, " FROM main.\"%s\" a WHERE ", s->table);
    for (size_t g = 0; g < s->spec->ngroup; g++)
        lk_buf_addf(&sql, "a.\"%s\"=? AND ", lk_field_name(s->spec->group[g]));
    lk_buf_adds(&sql, "a.window_start=?");
    rc = lk_store_prepare(s->db, sql.s, &s->cf_retract, err);
    lk_buf_release(&sql);
    if (rc < 0)
        return rc;
    s->change_feed = 1;
    return 0;
}

/* Complete mode at commit: what differs from the last batch's table goes to changes. */
static int change_feed_diff(struct kp_sink *s, struct lk_err *err)
{
    int rc;
    sqlite3_bind_int(s->cf_diff_del, 1, s->version);
    sqlite3_bind_int64(s->cf_diff_del, 2, (sqlite3_int64)s->batch);
    sqlite3_bind_int64(s->cf_diff_del, 3, s->visible);
    if ((rc = lk_store_step_done(s->db, s->cf_diff_del, err)) < 0)
        return rc;
    sqlite3_bind_int(s->cf_diff_up, 1, s->version);
    return lk_store_step_done(s->db, s->cf_diff_up, err);
}

/* ----------------------------------------------------- tenant views ---- */

int kp_sink_tenant_views(struct kp_sink *s, struct lk_err *err)
{
    for (size_t g = 0; g < s->spec->ngroup; g++) {
        if (s->spec->group[g] == LK_F_TENANT) {
            s->tenant_col = g;
            s->tenant_views = 1;
            s->tenants = lk_strtab_new();
            return 0;
        }
    }
    return lk_err_set(err, LK_EUSAGE,
                      "tenant views need a pipeline grouped by tenant ('%s' is "
                      "not)",
                      s->spec->name);
}

char *kp_sink_view_name(const char *tenant, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char *name = lk_xmalloc(sizeof(KP_TENANT_VIEW_PREFIX) + 3 * len), *p;
    memcpy(name, KP_TENANT_VIEW_PREFIX, sizeof(KP_TENANT_VIEW_PREFIX) - 1);
    p = name + sizeof(KP_TENANT_VIEW_PREFIX) - 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)tenant[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
            *p++ = (char)c;
        } else { /* SQLite names ignore case: upper case is escaped too, so A and a differ */
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    return name;
}

/* CREATE VIEW IF NOT EXISTS "output_tenant_<escaped>" AS ... WHERE tenant = '<literal>' */
static int make_tenant_view(struct kp_sink *s, struct lk_str t, struct lk_err *err)
{
    char *name = kp_sink_view_name(t.ptr, t.len);
    struct lk_buf sql = LK_BUF_INIT;
    int rc;
    lk_buf_addf(&sql,
                "CREATE VIEW IF NOT EXISTS \"%s\" AS SELECT * FROM output WHERE "
                "tenant = '",
                name); /* the name holds [a-z0-9_%] only: no quote to double */
    for (size_t i = 0; i < t.len; i++) {
        if (t.ptr[i] == '\'')
            lk_buf_addch(&sql, '\'');
        lk_buf_addch(&sql, t.ptr[i]);
    }
    lk_buf_addch(&sql, '\'');
    rc = lk_store_exec(s->db, sql.s, err);
    lk_buf_release(&sql);
    free(name);
    return rc;
}

static int make_tenant_views(struct kp_sink *s, struct lk_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < s->npending && rc == 0; i++)
        rc = make_tenant_view(s, lk_strtab_get(s->tenants, s->pending[i]), err);
    s->npending = 0;
    return rc;
}

int kp_sink_count_views(struct kp_sink *s, long long *n, struct lk_err *err)
{
    return lk_store_query_int(s->db,
                              "SELECT count(*) FROM sqlite_master WHERE type = 'view' AND "
                              "name LIKE 'output\\_tenant\\_%' ESCAPE '\\'",
                              n, err);
}

/* ------------------------------------------------------------ ledger ---- */

int kp_sink_ledger(struct kp_sink *s, int64_t *count, int64_t *max, int64_t *files,
                   struct lk_err *err)
{
    long long n, m, f;
    int rc;
    if ((rc = lk_store_query_int_param(s->db, "SELECT count(*) FROM sink_batches WHERE version=?",
                                       s->version, &n, err))
            < 0
        || (rc = lk_store_query_int_param(s->db,
                                          "SELECT coalesce(max(batch_id), -1) FROM "
                                          "sink_batches WHERE version=?",
                                          s->version, &m, err))
               < 0
        || (rc = lk_store_query_int_param(s->db,
                                          "SELECT coalesce(sum(files_written), 0) FROM "
                                          "progress WHERE version=?",
                                          s->version, &f, err))
               < 0)
        return rc;
    *count = n;
    *max = m;
    *files = f;
    return 0;
}

int kp_sink_bind_run(struct kp_sink *s, const char *db_path, const char *run_id, struct lk_err *err)
{
    char key[32];
    sqlite3_stmt *st;
    int rc;
    snprintf(key, sizeof(key), "run_id_v%d", s->version);
    if ((rc = lk_store_prepare(s->db, "SELECT value FROM meta WHERE key=?", &st, err)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *have = (const char *)sqlite3_column_text(st, 0);
        rc = have && strcmp(have, run_id) == 0
                 ? 0
                 : lk_err_set(err, LK_EINPUT,
                              "serving database '%s' belongs to run %.20s but "
                              "the checkpoint to run %s: it is another run's database",
                              db_path, have ? have : "?", run_id);
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return lk_err_set(err, LK_EDB, "cannot read '%s': %s", db_path, sqlite3_errmsg(s->db));
    if ((rc = lk_store_prepare(s->db, "INSERT INTO meta VALUES(?, ?)", &st, err)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, run_id, -1, SQLITE_STATIC);
    rc = lk_store_step_done(s->db, st, err);
    sqlite3_finalize(st);
    return rc;
}

/* ----------------------------------------------------------- commit ---- */

static int metrics_append(struct kp_sink *s, uint64_t batch, struct lk_err *err);

int kp_sink_commit(struct kp_sink *s, uint64_t batch, struct lk_err *err)
{
    int rc;
    if ((s->cleared && (rc = change_feed_diff(s, err)) < 0)
        || (s->npending && (rc = make_tenant_views(s, err)) < 0)) {
        kp_sink_rollback(s);
        return rc;
    }
    sqlite3_bind_int(s->mark, 1, s->version);
    sqlite3_bind_int64(s->mark, 2, (sqlite3_int64)batch);
    if ((rc = lk_store_step_done(s->db, s->mark, err)) < 0) {
        kp_sink_rollback(s);
        return rc;
    }
    if ((rc = lk_store_step_done(s->db, s->commit, err)) < 0)
        return rc;
    return s->metrics ? metrics_append(s, batch, err) : 0;
}

void kp_sink_rollback(struct kp_sink *s)
{
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int kp_sink_publish(struct kp_sink *s, struct lk_err *err)
{
    char sql[256];
    int rc;
    snprintf(sql, sizeof(sql),
             "BEGIN IMMEDIATE; DROP VIEW IF EXISTS output; "
             "CREATE VIEW output AS SELECT * FROM \"%s\"; INSERT OR REPLACE INTO meta "
             "VALUES('current_version', '%d'); COMMIT;",
             s->table, s->version);
    rc = lk_store_exec(s->db, sql, err);
    if (rc < 0)
        kp_sink_rollback(s);
    return rc;
}

int kp_sink_each_input(struct kp_sink *s, int (*fn)(void *arg, uint64_t batch, const char *text),
                       void *arg, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(s->db,
                              "SELECT batch_id, input_lines FROM progress WHERE version = ? "
                              "AND input_lines IS NOT NULL ORDER BY batch_id",
                              &st, err),
        step;
    if (rc < 0)
        return rc;
    sqlite3_bind_int(st, 1, s->version);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(arg, (uint64_t)sqlite3_column_int64(st, 0),
                (const char *)sqlite3_column_text(st, 1));
    if (rc == 0 && step != SQLITE_DONE)
        rc = lk_err_set(err, LK_EDB, "cannot read progress: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

int kp_sink_count(struct kp_sink *s, long long *rows, struct lk_err *err)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", s->table);
    return lk_store_query_int(s->db, sql, rows, err);
}

int kp_sink_totals(struct kp_sink *s, struct kp_progress *sum, uint64_t *nodata_batches,
                   uint64_t *replays, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(
        s->db,
        "SELECT count(*), coalesce(sum(input_rows),0), coalesce(sum(processed),0),"
        " coalesce(sum(filtered),0), coalesce(sum(late_events),0), coalesce(sum(late_rows),0),"
        " coalesce(sum(duplicates_dropped),0), coalesce(sum(quarantined),0),"
        " coalesce(max(state_rows),0), coalesce(sum(output_rows),0),"
        " coalesce(sum(files_written),0), coalesce(sum(bytes_written),0),"
        " coalesce(sum(input_rows = 0),0), coalesce(min(trigger_time),0),"
        " coalesce(max(visible_time),0), coalesce(sum(sink_writes - 1),0) FROM progress"
        " WHERE version=?",
        &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int(st, 1, s->version);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return lk_err_set(err, LK_EDB, "cannot sum progress: %s", sqlite3_errmsg(s->db));
    }
    memset(sum, 0, sizeof(*sum));
    sum->batch_id = (uint64_t)sqlite3_column_int64(st, 0);
    sum->input_rows = (uint64_t)sqlite3_column_int64(st, 1);
    sum->processed = (uint64_t)sqlite3_column_int64(st, 2);
    sum->filtered = (uint64_t)sqlite3_column_int64(st, 3);
    sum->late_events = (uint64_t)sqlite3_column_int64(st, 4);
    sum->late_rows = (uint64_t)sqlite3_column_int64(st, 5);
    sum->duplicates = (uint64_t)sqlite3_column_int64(st, 6);
    sum->quarantined = (uint64_t)sqlite3_column_int64(st, 7);
    sum->state_rows = (uint64_t)sqlite3_column_int64(st, 8);
    sum->output_rows = (uint64_t)sqlite3_column_int64(st, 9);
    sum->files_written = (uint64_t)sqlite3_column_int64(st, 10);
    sum->bytes_written = (uint64_t)sqlite3_column_int64(st, 11);
    *nodata_batches = (uint64_t)sqlite3_column_int64(st, 12);
    sum->trigger_time = sqlite3_column_int64(st, 13);
    sum->visible_time = sqlite3_column_int64(st, 14);
    *replays = (uint64_t)sqlite3_column_int64(st, 15);
    sqlite3_finalize(st);
    return 0;
}

/* ------------------------------------------------------ metrics.jsonl ---- */

/* A progress row as a metrics line (columns of METRICS_SQL), previous trigger included. */
#define METRICS_SQL                                                                                \
    "SELECT batch_id, trigger_time, visible_time, input_rows, processed, filtered,"                \
    " late_events, late_rows, duplicates_dropped, quarantined, state_rows, watermark,"             \
    " output_rows, files_written, bytes_written, modelled_ms, state_rows_end,"                     \
    " state_rows_updated, event_time_min, event_time_max, event_time_avg, sink_writes,"            \
    " (SELECT q.trigger_time FROM progress q WHERE q.version = p.version AND"                      \
    " q.batch_id = p.batch_id - 1) FROM progress p WHERE version = ?1 AND batch_id BETWEEN ?2"     \
    " AND ?3 ORDER BY batch_id, rowid"
enum {
    M_BATCH,
    M_TRIGGER,
    M_VISIBLE,
    M_INPUT,
    M_PROCESSED,
    M_FILTERED,
    M_LATE_EVENTS,
    M_LATE_ROWS,
    M_DUPLICATES,
    M_QUARANTINED,
    M_STATE,
    M_WATERMARK,
    M_OUTPUT,
    M_FILES,
    M_BYTES,
    M_MODELLED,
    M_STATE_END,
    M_UPDATED,
    M_ET_MIN,
    M_ET_MAX,
    M_ET_AVG,
    M_WRITES,
    M_PREV_TRIGGER,
    M_NCOLS
};

/* lklab's own members, under the names of the progress table. */
static const struct {
    int col;
    const char *name;
    int time;
} lklab_members[] = {
    { M_BATCH, "batch_id", 0 },
    { M_TRIGGER, "trigger_time", 1 },
    { M_VISIBLE, "visible_time", 1 },
    { M_INPUT, "input_rows", 0 },
    { M_PROCESSED, "processed", 0 },
    { M_FILTERED, "filtered", 0 },
    { M_LATE_EVENTS, "late_events", 0 },
    { M_LATE_ROWS, "late_rows", 0 },
    { M_DUPLICATES, "duplicates_dropped", 0 },
    { M_QUARANTINED, "quarantined", 0 },
    { M_STATE, "state_rows", 0 },
    { M_WATERMARK, "watermark", 1 },
    { M_OUTPUT, "output_rows", 0 },
    { M_FILES, "files_written", 0 },
    { M_BYTES, "bytes_written", 0 },
    { M_MODELLED, "modelled_ms", 0 },
    { M_WRITES, "sink_writes", 0 },
};

/*
 * rows per second as Spark's JSON prints it: rounded half up to one decimal; NaN or
 * infinity (a span <= 0: no previous trigger) is left out.
 */
static void add_rate(cJSON *o, const char *name, int64_t rows, int64_t span_ms)
{
    int64_t tenths;
    if (span_ms <= 0)
        return;
    tenths = (rows * 20000 + span_ms) / (2 * span_ms);
    cJSON_AddNumberToObject(o, name, (double)tenths / 10.0);
}

/* Spark's StreamingQueryProgress members (docs/kappa.md "Progress and metrics.jsonl"). */
static void add_spark_members(cJSON *o, sqlite3_stmt *st)
{
    int64_t rows = sqlite3_column_int64(st, M_INPUT), wm = sqlite3_column_int64(st, M_WATERMARK);
    int has_wm = wm != LK_TIME_NEG_INF; /* --watermark none: no eventTime map at all */
    cJSON *d = cJSON_CreateObject(), *et = cJSON_CreateObject(), *ops = cJSON_CreateArray();
    cJSON *op = cJSON_CreateObject(), *sink = cJSON_CreateObject();
    lk_json_add_int(o, "batchId", sqlite3_column_int64(st, M_BATCH));
    lk_json_add_time(o, "timestamp", sqlite3_column_int64(st, M_TRIGGER));
    lk_json_add_int(o, "numInputRows", rows);
    if (sqlite3_column_type(st, M_PREV_TRIGGER) != SQLITE_NULL)
        add_rate(o, "inputRowsPerSecond", rows,
                 sqlite3_column_int64(st, M_TRIGGER) - sqlite3_column_int64(st, M_PREV_TRIGGER));
    add_rate(o, "processedRowsPerSecond", rows,
             sqlite3_column_int64(st, M_MODELLED) > 1 ? sqlite3_column_int64(st, M_MODELLED) : 1);
    lk_json_add_int(d, "triggerExecution", sqlite3_column_int64(st, M_MODELLED));
    cJSON_AddItemToObject(o, "durationMs", d);
    if (has_wm && sqlite3_column_type(st, M_ET_MIN) != SQLITE_NULL) {
        lk_json_add_time(et, "avg", sqlite3_column_int64(st, M_ET_AVG));
        lk_json_add_time(et, "max", sqlite3_column_int64(st, M_ET_MAX));
        lk_json_add_time(et, "min", sqlite3_column_int64(st, M_ET_MIN));
    }
    if (has_wm)
        lk_json_add_time(et, "watermark", wm);
    cJSON_AddItemToObject(o, "eventTime", et);
    cJSON_AddStringToObject(op, "operatorName", "stateStoreSave");
    lk_json_add_int(op, "numRowsTotal", sqlite3_column_int64(st, M_STATE_END));
    lk_json_add_int(op, "numRowsUpdated", sqlite3_column_int64(st, M_UPDATED));
    lk_json_add_int(op, "numRowsDroppedByWatermark", sqlite3_column_int64(st, M_LATE_ROWS));
    cJSON_AddItemToArray(ops, op);
    cJSON_AddItemToObject(o, "stateOperators", ops);
    cJSON_AddStringToObject(sink, "description", "serving.db");
    lk_json_add_int(sink, "numOutputRows", sqlite3_column_int64(st, M_OUTPUT));
    cJSON_AddItemToObject(o, "sink", sink);
}

static cJSON *metrics_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    add_spark_members(o, st);
    for (size_t i = 0; i < sizeof(lklab_members) / sizeof(lklab_members[0]); i++) {
        int64_t v = sqlite3_column_int64(st, lklab_members[i].col);
        if (lklab_members[i].time)
            lk_json_add_time(o, lklab_members[i].name, v);
        else
            lk_json_add_int(o, lklab_members[i].name, v);
    }
    return o;
}

/*
 * Write the metrics lines of batch (-1: every batch) to fp. A range, not "?2 < 0 OR
 * batch_id = ?2": with that OR the index served only the version, so writing each batch's
 * line scanned every earlier batch's row (quadratic in the batches: 8,788 at a 10 s trigger).
 */
static int metrics_write(struct kp_sink *s, sqlite3_stmt *st, int64_t batch, FILE *fp,
                         struct lk_err *err)
{
    int rc = 0, step;
    sqlite3_bind_int(st, 1, s->version);
    sqlite3_bind_int64(st, 2, batch < 0 ? 0 : batch);
    sqlite3_bind_int64(st, 3, batch < 0 ? INT64_MAX : batch);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = metrics_json(st);
        rc = lk_json_append_line(fp, o, err);
        cJSON_Delete(o);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = lk_err_set(err, LK_EDB, "cannot read progress: %s", sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    return rc;
}

int kp_sink_metrics(struct kp_sink *s, const char *path, struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    int rc;
    if (!s->rewrite && (rc = lk_store_prepare(s->db, METRICS_SQL, &s->rewrite, err)) < 0)
        return rc;
    if ((rc = lk_atomic_open(&a, path, err)) < 0)
        return rc;
    a.durability = s->durability;
    rc = metrics_write(s, s->rewrite, -1, a.fp, err);
    return rc == 0 ? lk_atomic_commit(&a, err) : (lk_atomic_abort(&a), rc);
}

int kp_sink_metrics_open(struct kp_sink *s, const char *path, struct lk_err *err)
{
    int rc;
    if ((rc = kp_sink_metrics(s, path, err)) < 0
        || (rc = lk_store_prepare(s->db, METRICS_SQL, &s->metrics_row, err)) < 0)
        return rc;
    if (!(s->metrics = fopen(path, "a")))
        return lk_err_sys(err, LK_EIO, errno, "cannot open '%s'", path);
    return 0;
}

/* After batch's commit: its line (a batch written again has its line already). */
static int metrics_append(struct kp_sink *s, uint64_t batch, struct lk_err *err)
{
    return s->replay ? 0 : metrics_write(s, s->metrics_row, (int64_t)batch, s->metrics, err);
}

const char *kp_sink_synchronous(struct kp_sink *s)
{
    static const char *const names[] = { "OFF", "NORMAL", "FULL", "EXTRA" };
    sqlite3_stmt *st = NULL;
    const char *name = "unknown";
    if (sqlite3_prepare_v2(s->db, "PRAGMA synchronous", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW) {
        int v = sqlite3_column_int(st, 0);
        if (v >= 0 && v <= 3)
            name = names[v];
    }
    sqlite3_finalize(st);
    return name;
}
