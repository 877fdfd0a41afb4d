#include "lb_job.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "lk_file.h"
#include "lk_json.h"
#include "lk_store.h"
#include "banned.h"

const char *lb_layer_name(enum lb_layer layer)
{
    return layer == LB_LAYER_BATCH ? "batch" : layer == LB_LAYER_SPEED ? "speed" : "none";
}

static cJSON *progress_json(const struct lb_progress *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "layer", lb_layer_name(p->layer));
    lk_json_add_int(o, "job", p->job);
    lk_json_add_time(o, "trigger_time", p->trigger_time);
    lk_json_add_time(o, "start_time", p->start_time);
    lk_json_add_time(o, "visible_time", p->visible_time);
    if (p->layer == LB_LAYER_BATCH) {
        lk_json_add_time(o, "cutoff", p->cutoff);
        cJSON_AddBoolToObject(o, "final", p->final);
        lk_json_add_int(o, "master_rows", (int64_t)p->master_rows);
        lk_json_add_int(o, "files_written", (int64_t)p->files_written);
        lk_json_add_int(o, "bytes_written", (int64_t)p->bytes_written);
    } else {
        lk_json_add_time(o, "bucket_start", p->bucket_start);
        lk_json_add_time(o, "bucket_end", p->cutoff);
    }
    lk_json_add_int(o, "input_rows", (int64_t)p->input_rows);
    if (p->layer == LB_LAYER_SPEED)
        lk_json_add_int(o, "quarantined", (int64_t)p->quarantined);
    lk_json_add_int(o, "rows_written", (int64_t)p->rows_written);
    cJSON_AddNumberToObject(o, "duration_ms", (double)(int64_t)(p->duration_ms * 1000) / 1000);
    lk_json_add_int(o, "modelled_ms", p->modelled_ms);
    cJSON_AddBoolToObject(o, "cold", p->cold);
    if (p->layer == LB_LAYER_BATCH) {
        lk_json_add_int(o, "discrepancy_rows", p->discrepancy_rows);
        lk_json_add_int(o, "discrepancy_abs_events", p->discrepancy_abs_events);
    }
    return o;
}

static void bind_progress(sqlite3_stmt *st, const struct lb_progress *p, const char *json)
{
    sqlite3_bind_text(st, 1, lb_layer_name(p->layer), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->job);
    sqlite3_bind_int64(st, 3, p->trigger_time);
    sqlite3_bind_int64(st, 4, p->visible_time);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)p->input_rows);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)p->rows_written);
    sqlite3_bind_double(st, 7, p->duration_ms);
    sqlite3_bind_int64(st, 8, p->modelled_ms);
    if (p->layer == LB_LAYER_BATCH) {
        sqlite3_bind_int64(st, 9, p->discrepancy_rows);
        sqlite3_bind_int64(st, 10, p->discrepancy_abs_events);
    }
    sqlite3_bind_text(st, 11, json, -1, SQLITE_STATIC);
}

int lb_job_record(sqlite3 *db, const struct lb_progress *p, char **json, struct lk_err *err)
{
    sqlite3_stmt *st = NULL;
    cJSON *o = progress_json(p);
    int rc;
    *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!*json)
        return lk_err_set(err, LK_EINTERNAL, "cannot format a metrics line");
    rc = lk_store_prepare(db,
                          "INSERT INTO progress(layer, job, trigger_time, visible_time, "
                          "input_rows, rows_written, duration_ms, modelled_ms, "
                          "discrepancy_rows, discrepancy_abs_events, json) "
                          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                          &st, err);
    if (rc == 0) {
        bind_progress(st, p, *json);
        rc = lk_store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        cJSON_free(*json);
        *json = NULL;
    }
    return rc;
}

int lb_job_metrics_append(FILE *fp, const char *json, struct lk_err *err)
{
    return lk_file_append_line(fp, json, err);
}

int lb_job_metrics_rewrite(sqlite3 *db, const char *path, struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    sqlite3_stmt *st = NULL;
    int rc = lk_store_prepare(db, "SELECT json FROM progress ORDER BY rowid", &st, err);
    if (rc == 0)
        rc = lk_atomic_open(&a, path, err);
    while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        fputs((const char *)sqlite3_column_text(st, 0), a.fp);
        fputc('\n', a.fp);
        rc = 0;
    }
    if (rc == SQLITE_DONE)
        rc = lk_atomic_commit(&a, err);
    else if (rc > 0)
        rc = lk_err_set(err, LK_EDB, "cannot read progress: %s", sqlite3_errmsg(db));
    if (rc < 0)
        lk_atomic_abort(&a);
    sqlite3_finalize(st);
    return rc;
}

void lb_crash_point(const struct lb_crash *c, enum lb_layer layer, int64_t job)
{
    if (c && c->fn && c->layer == layer && c->job == job)
        c->fn(c->arg);
}
