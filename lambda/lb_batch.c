#include "lb_batch.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "lb_db.h"
#include "lb_sql.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "banned.h"

struct lb_batch {
    sqlite3 *db;
    const struct lk_spec *spec;
    sqlite3_stmt *job, *drop, *catalog;
};

int lb_batch_open(struct lb_batch **out, sqlite3 *db, const struct lk_spec *spec,
                  struct lk_err *err)
{
    struct lb_batch *b = lk_xcalloc(1, sizeof(*b));
    char *sql = lb_sql_batch_job(spec);
    int rc;
    b->db = db;
    b->spec = spec;
    if ((rc = lk_store_prepare(db, sql, &b->job, err)) < 0
        || (rc = lk_store_prepare(db, "DELETE FROM batch_rows WHERE view_id = ?1", &b->drop,
                                  err)) < 0
        || (rc = lk_store_prepare(db, "INSERT INTO batch_views(view_id, trigger_time, cutoff, "
                                      "visible_at, final, cold, master_rows, rows) "
                                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                  &b->catalog, err)) < 0) {
        lb_batch_free(b);
        b = NULL;
    }
    free(sql);
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
    free(b);
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
static int swap(struct lb_batch *b, const struct lb_batch_job *j, struct lb_progress *p,
                char **json, struct lk_err *err)
{
    int rc = lb_db_begin(b->db, err);
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

int lb_batch_run(struct lb_batch *b, const struct lb_batch_job *j, const struct lb_crash *crash,
                 double (*now)(void), struct lb_progress *p, char **json, struct lk_err *err)
{
    double t0 = now();
    int rc;
    *json = NULL;
    p->layer = LB_LAYER_BATCH;
    p->job = j->id;
    p->trigger_time = p->start_time = j->trigger;
    p->visible_time = j->visible;
    p->cutoff = j->cutoff;
    p->input_rows = p->master_rows = j->master_rows;
    p->modelled_ms = j->modelled_ms;
    p->cold = j->cold;
    p->final = j->final;
    if ((rc = compute(b, j, &p->rows_written, err)) < 0)
        return rc;
    lb_crash_point(crash, LB_LAYER_BATCH, j->id);
    p->duration_ms = (now() - t0) * 1000.0;
    return swap(b, j, p, json, err);
}

int lb_batch_last(sqlite3 *db, struct lb_batch_job *j, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, "SELECT view_id, trigger_time, cutoff, visible_at, final, "
                                  "cold, master_rows FROM batch_views ORDER BY view_id DESC "
                                  "LIMIT 1", &st, err);
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
        rc = rc == SQLITE_DONE ? 0 : lk_err_set(err, LK_EDB, "cannot read batch_views: %s",
                                                sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}
