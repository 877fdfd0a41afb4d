#include "lb_batch.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "lb_db.h"
#include "lb_sql.h"
#include "lk_buf.h"
#include "lk_lake.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "lk_strtab.h"
#include "banned.h"

struct lb_batch {
    sqlite3 *db;
    const struct lk_spec *spec;
    sqlite3_stmt *job, *drop, *catalog, *rows;
    char *views_dir; /* NULL: no data files */
};

/* SELECT the view's columns in canonical order: groups, window_start, window_end, aggs. */
static char *rows_sql(const struct lk_spec *spec)
{
    struct lk_buf q = LK_BUF_INIT;
    lk_buf_adds(&q, "SELECT ");
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(&q, "\"%s\", ", lk_field_name(spec->group[g]));
    lk_buf_adds(&q, "window_start, window_end");
    for (size_t i = 0; i < spec->naggs; i++)
        lk_buf_addf(&q, ", \"%s\"", spec->aggs[i].as);
    lk_buf_adds(&q, " FROM batch_rows WHERE view_id = ?1 ORDER BY ");
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(&q, "\"%s\", ", lk_field_name(spec->group[g]));
    lk_buf_adds(&q, "window_start");
    return lk_buf_detach(&q, NULL);
}

int lb_batch_open(struct lb_batch **out, sqlite3 *db, const struct lk_spec *spec,
                  const char *views_dir, struct lk_err *err)
{
    struct lb_batch *b = lk_xcalloc(1, sizeof(*b));
    char *sql = lb_sql_batch_job(spec), *rsql = rows_sql(spec);
    int rc;
    b->db = db;
    b->spec = spec;
    b->views_dir = views_dir ? lk_xstrdup(views_dir) : NULL;
    if ((rc = lk_store_prepare(db, sql, &b->job, err)) < 0
        || (rc = lk_store_prepare(db, "DELETE FROM batch_rows WHERE view_id = ?1", &b->drop, err))
               < 0
        || (rc = lk_store_prepare(db,
                                  "INSERT INTO batch_views(view_id, trigger_time, cutoff, "
                                  "visible_at, final, cold, master_rows, rows) "
                                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                  &b->catalog, err))
               < 0
        || (rc = lk_store_prepare(db, rsql, &b->rows, err)) < 0) {
        lb_batch_free(b);
        b = NULL;
    }
    free(sql);
    free(rsql);
    *out = b;
    return rc;
}

void lb_batch_free(struct lb_batch *b)
{
    if (!b)
        return;
    sqlite3_finalize(b->job);
    sqlite3_finalize(b->drop);
    sqlite3_finalize(b->catalog);
    sqlite3_finalize(b->rows);
    free(b->views_dir);
    free(b);
}

/*
 * The view's data files: RUN/views/v<id>/tenant=<t>/part-00000.jsonl, read back from the
 * rows step 1 committed. A pipeline that does not group by tenant gets no files.
 */
static int write_files(struct lb_batch *b, int64_t view, struct lb_progress *p, struct lk_err *err)
{
    const struct lk_spec *spec = b->spec;
    struct lk_lake *lake = NULL;
    struct lk_strtab *strs;
    struct lk_csv_row *rows = NULL;
    const struct lk_csv_row **ptrs;
    size_t n = 0, cap = 0, plen;
    char *dir;
    int rc;
    if (!b->views_dir)
        return 0;
    plen = strlen(b->views_dir) + 32;
    dir = lk_xmalloc(plen);
    snprintf(dir, plen, "%s/v%05lld", b->views_dir, (long long)view);
    rc = lk_lake_open(&lake, dir, spec, LK_DURABLE_FSYNC, err);
    free(dir);
    if (rc == LK_EUSAGE) { /* no tenant column: nothing to partition by */
        *err = (struct lk_err)LK_ERR_INIT;
        return 0;
    }
    if (rc < 0)
        return rc;
    strs = lk_strtab_new();
    sqlite3_reset(b->rows);
    sqlite3_bind_int64(b->rows, 1, view);
    while ((rc = sqlite3_step(b->rows)) == SQLITE_ROW) {
        int c = 0;
        LK_GROW(rows, cap, n + 1);
        memset(&rows[n], 0, sizeof(rows[n]));
        for (size_t g = 0; g < spec->ngroup; g++, c++) /* strtab strings do not move */
            rows[n].group[g] = lk_strtab_get(
                strs, lk_strtab_intern(strs, (const char *)sqlite3_column_text(b->rows, c),
                                       (size_t)sqlite3_column_bytes(b->rows, c), NULL));
        rows[n].window_start = sqlite3_column_int64(b->rows, c++);
        rows[n].window_end = sqlite3_column_int64(b->rows, c++);
        for (size_t i = 0; i < spec->naggs; i++, c++)
            rows[n].values[i] = sqlite3_column_int64(b->rows, c);
        n++;
    }
    rc = rc == SQLITE_DONE ? 0
                           : lk_err_set(err, LK_EDB, "cannot read batch view %lld: %s",
                                        (long long)view, sqlite3_errmsg(b->db));
    sqlite3_reset(b->rows);
    ptrs = lk_xcalloc(n ? n : 1, sizeof(*ptrs));
    for (size_t r = 0; r < n; r++)
        ptrs[r] = &rows[r];
    if (rc == 0)
        rc = lk_lake_write(lake, 0, ptrs, n, &p->files_written, &p->bytes_written, err);
    free(ptrs);
    free(rows);
    lk_strtab_free(strs);
    lk_lake_close(lake);
    return rc;
}

/* Step 1: the view's rows, committed but invisible. */
static int compute(struct lb_batch *b, const struct lb_batch_job *j, uint64_t *rows,
                   struct lk_err *err)
{
    int rc = lb_db_begin(b->db, err);
    if (rc == 0) {
        sqlite3_bind_int64(b->drop, 1, j->id);
        rc = lk_store_step_done(b->db, b->drop, err);
    }
    if (rc == 0 && lb_sql_bind_batch(b->job, b->spec, j->id, j->cutoff) < 0)
        rc = lk_err_set(err, LK_EDB, "cannot bind the batch job: %s", sqlite3_errmsg(b->db));
    if (rc == 0 && (rc = lk_store_step_done(b->db, b->job, err)) == 0)
        *rows = (uint64_t)sqlite3_changes(b->db);
    if (rc == 0)
        rc = lb_db_commit(b->db, err);
    if (rc < 0)
        lb_db_rollback(b->db);
    return rc;
}

static void bind_catalog(sqlite3_stmt *st, const struct lb_batch_job *j, uint64_t rows)
{
    sqlite3_bind_int64(st, 1, j->id);
    sqlite3_bind_int64(st, 2, j->trigger);
    sqlite3_bind_int64(st, 3, j->cutoff);
    sqlite3_bind_int64(st, 4, j->visible);
    sqlite3_bind_int(st, 5, j->final);
    sqlite3_bind_int(st, 6, j->cold);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)j->master_rows);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)rows);
}

/* Step 2: catalog row + progress row in one transaction. */
int lb_batch_swap(struct lb_batch *b, const struct lb_batch_job *j, struct lb_progress *p,
                  char **json, struct lk_err *err)
{
    int rc;
    *json = NULL;
    rc = lb_db_begin(b->db, err);
    if (rc == 0) {
        bind_catalog(b->catalog, j, p->rows_written);
        rc = lk_store_step_done(b->db, b->catalog, err);
    }
    if (rc == 0)
        rc = lb_job_record(b->db, p, json, err);
    if (rc == 0)
        rc = lb_db_commit(b->db, err);
    if (rc < 0) {
        lb_db_rollback(b->db);
        cJSON_free(*json);
        *json = NULL;
    }
    return rc;
}

int lb_batch_compute(struct lb_batch *b, const struct lb_batch_job *j, const struct lb_crash *crash,
                     double (*now)(void), struct lb_progress *p, struct lk_err *err)
{
    double t0 = now();
    int rc;
    p->layer = LB_LAYER_BATCH;
    p->job = j->id;
    p->trigger_time = p->start_time = j->trigger;
    p->visible_time = j->visible;
    p->cutoff = j->cutoff;
    p->input_rows = p->master_rows = j->master_rows;
    p->modelled_ms = j->modelled_ms;
    p->cold = j->cold;
    p->final = j->final;
    if ((rc = compute(b, j, &p->rows_written, err)) < 0 || (rc = write_files(b, j->id, p, err)) < 0)
        return rc;
    lb_crash_point(crash, LB_LAYER_BATCH, j->id);
    p->duration_ms = (now() - t0) * 1000.0;
    return 0;
}

int lb_batch_last(sqlite3 *db, struct lb_batch_job *j, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db,
                              "SELECT view_id, trigger_time, cutoff, visible_at, final, "
                              "cold, master_rows FROM batch_views ORDER BY view_id DESC "
                              "LIMIT 1",
                              &st, err);
    memset(j, 0, sizeof(*j));
    if (rc < 0)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        j->id = sqlite3_column_int64(st, 0);
        j->trigger = sqlite3_column_int64(st, 1);
        j->cutoff = sqlite3_column_int64(st, 2);
        j->visible = sqlite3_column_int64(st, 3);
        j->final = sqlite3_column_int(st, 4);
        j->cold = sqlite3_column_int(st, 5);
        j->master_rows = (uint64_t)sqlite3_column_int64(st, 6);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE
                 ? 0
                 : lk_err_set(err, LK_EDB, "cannot read batch_views: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

int lb_batch_skip_empty(sqlite3 *db, int64_t cutoff, int64_t every, int64_t next_bucket,
                        int64_t *trigger, struct lk_err *err)
{
    int64_t first = next_bucket;
    int rc = lb_db_int(db,
                       "SELECT coalesce(min(trigger_time), 9223372036854775807) FROM "
                       "progress WHERE layer = 'speed' AND trigger_time > ?",
                       cutoff, &first, err);
    if (rc < 0)
        return rc;
    if (first > next_bucket)
        first = next_bucket;
    if (first <= *trigger)
        return 0;
    *trigger += (first - *trigger + every - 1) / every * every;
    return 1;
}
