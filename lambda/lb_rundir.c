#include "lb_rundir.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_batch.h"
#include "lb_db.h"
#include "lb_sql.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_lock.h"
#include "lk_mem.h"
#include "lk_source.h"
#include "lk_run.h"
#include "lk_store.h"
#include "lk_time.h"
#include "banned.h"

char *lb_rundir_path(const char *run, const char *name)
{
    size_t n = strlen(run) + strlen(name) + 2;
    char *p = lk_xmalloc(n);
    snprintf(p, n, "%s/%s", run, name);
    return p;
}

int lb_rundir_check_periods(int64_t batch_every, int64_t speed_trigger, struct lk_err *err)
{
    if (batch_every <= 0 || speed_trigger <= 0)
        return lk_err_set(err, LK_EUSAGE, "bad value for --%s: must be > 0",
                          batch_every <= 0 ? "batch-every" : "speed-trigger");
    if (batch_every % speed_trigger != 0)
        return lk_err_set(err, LK_EUSAGE,
                          "bad value for --batch-every: must be a multiple of --speed-trigger "
                          "(batch cutoffs fall on speed bucket ends)");
    return 0;
}

/* 1 when run.json at path says "stack": "lambda". */
static int is_lambda_runjson(const char *path)
{
    cJSON *root;
    int ok;
    if (lk_json_read_file(path, &root, NULL) < 0)
        return 0;
    ok = lk_run_json_stack(root) == LK_STACK_LAMBDA;
    cJSON_Delete(root);
    return ok;
}

int lb_rundir_prepare(const struct lb_run_opts *o, int *state, struct lk_err *err)
{
    char *db = lb_rundir_path(o->run, "serving.db"), *rj = lb_rundir_path(o->run, "run.json");
    char *lock = lb_rundir_path(o->run, LK_LOCK_NAME), **names = NULL;
    size_t n = 0;
    int rc = 0;
    *state = 0;
    if (!lk_is_dir(o->run)) {
        if (lk_is_file(o->run))
            rc = lk_err_set(err, LK_EUSAGE, "--out '%s' is a file, not a run directory", o->run);
        else
            rc = lk_mkdir_p(o->run, err);
    } else if (lk_is_file(db) && lk_is_file(rj)) {
        *state = 2;
        if (!is_lambda_runjson(rj))
            rc = lk_err_set(err, LK_EUSAGE, "'%s' holds a run of another stack; use a new --out",
                            o->run);
    } else if (lk_is_file(db)) {
        *state = 1;
    } else if ((rc = lk_list_dir(o->run, NULL, &names, &n, err)) == 0
               && n > (lk_is_file(lock) ? 1u : 0u)) { /* RUN/lock: this run's, made first */
        rc = lk_err_set(err, LK_EUSAGE,
                        "'%s' is not empty and holds no lambda run "
                        "(no serving.db); use a new --out",
                        o->run);
    }
    lk_list_free(names, n);
    free(lock);
    free(db);
    free(rj);
    return rc;
}

/* ------------------------------------------------------------ parameters ---- */

static void model_text(const struct lk_model *m, char *buf, size_t n)
{
    snprintf(buf, n,
             "cluster_start=%" PRId64 "ms idle_shutdown=%" PRId64 "ms trigger_overhead="
             "%" PRId64 "ms event_ns=%" PRId64 " state_row_ns=%" PRId64
             " continuous_event_ns=%" PRId64 " job_overhead=%" PRId64 "ms master_event_ns=%" PRId64,
             m->cluster_start_ms, m->idle_shutdown_ms, m->trigger_overhead_ms, m->event_ns,
             m->state_row_ns, m->continuous_event_ns, m->job_overhead_ms, m->master_event_ns);
}

struct param {
    const char *name, *option;
    char value[512];
    const char *text; /* value or a long text */
};

#define NPARAMS 7

static size_t params_of(const struct lb_run_opts *o, struct param *p)
{
    static const char *const names[][2] = { { "stack", "stack" },
                                            { "data", "--data" },
                                            { "spec_json", "--pipeline" },
                                            { "batch_every", "--batch-every" },
                                            { "speed_trigger", "--speed-trigger" },
                                            { "cost_model", "--cost-model" },
                                            { "dataset", "dataset" } };
    for (size_t i = 0; i < NPARAMS; i++) {
        p[i].name = names[i][0];
        p[i].option = names[i][1];
        p[i].text = p[i].value;
    }
    snprintf(p[0].value, sizeof(p[0].value), "%s", lk_stack_name(LK_STACK_LAMBDA));
    p[1].text = o->data;
    p[2].text = o->spec_json;
    lk_duration_format(o->batch_every, p[3].value, sizeof(p[3].value));
    lk_duration_format(o->speed_trigger, p[4].value, sizeof(p[4].value));
    model_text(o->model, p[5].value, sizeof(p[5].value));
    /* the dataset's identity, as Kappa's checkpoint binds it: another dataset at the same
       path (generated again, another directory moved there) is refused */
    snprintf(p[6].value, sizeof(p[6].value), "%016llx",
             (unsigned long long)lk_source_identity(o->data, 1));
    return NPARAMS;
}

static int store_params(sqlite3 *db, const struct param *p, size_t n, struct lk_err *err)
{
    int rc = lb_db_begin(db, err);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = lb_db_meta_set(db, p[i].name, p[i].text, err);
    if (rc == 0)
        rc = lb_db_commit(db, err);
    if (rc < 0)
        lb_db_rollback(db);
    return rc;
}

int lb_rundir_params(sqlite3 *db, const struct lb_run_opts *o, struct lk_err *err)
{
    struct param p[NPARAMS];
    size_t n = params_of(o, p);
    char *have;
    int rc = lb_db_meta_get(db, "stack", &have, err);
    if (rc < 0)
        return rc;
    if (!have)
        return store_params(db, p, n, err);
    free(have);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if ((rc = lb_db_meta_get(db, p[i].name, &have, err)) < 0)
            break;
        if (!have && strcmp(p[i].name, "dataset") == 0) /* a run from before it was kept */
            rc = lb_db_meta_set(db, p[i].name, p[i].text, err);
        else if (have && strcmp(p[i].name, "dataset") == 0 && strcmp(have, p[i].text) != 0)
            rc = lk_err_set(err, LK_EUSAGE,
                            "run '%s' was started on another dataset than the "
                            "one now at --data '%s' (generated again or replaced); use a new "
                            "--out",
                            o->run, o->data);
        else if (!have || strcmp(have, p[i].text) != 0)
            rc = lk_err_set(err, LK_EUSAGE,
                            "run '%s' was started with a different %s; rerun it "
                            "with the same options or use a new --out",
                            o->run, p[i].option);
        free(have);
    }
    return rc;
}

/* ---------------------------------------------------------------- totals ---- */

static int count_accepted(sqlite3 *db, const struct lk_spec *spec, int64_t *out, struct lk_err *err)
{
    char *sql = lb_sql_count_accepted(spec);
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, sql, &st, err);
    free(sql);
    if (rc < 0)
        return rc;
    if (lb_sql_bind_filters(st, spec) < 0 || sqlite3_step(st) != SQLITE_ROW)
        rc = lk_err_set(err, LK_EDB, "cannot count events: %s", sqlite3_errmsg(db));
    else
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

int lb_rundir_totals(sqlite3 *db, const struct lk_spec *spec, struct lb_run_summary *sum,
                     struct lk_err *err)
{
    int64_t rows = 0, q = 0, extra = 0, accepted = 0, jobs = 0, mbs = 0, unique;
    /* extra: the copies after the first of each id with several (master_dups) */
    int rc;
    if ((rc = lb_db_int(db, "SELECT count(*) FROM master", 0, &rows, err)) < 0
        || (rc = lb_db_int(db, "SELECT count(*) FROM quarantine", 0, &q, err)) < 0
        || (rc = lb_db_int(db, "SELECT count(*) - count(DISTINCT \"event_id\") FROM master_dups", 0,
                           &extra, err))
               < 0
        || (rc = count_accepted(db, spec, &accepted, err)) < 0
        || (rc = lb_db_int(db, "SELECT count(*) FROM batch_views", 0, &jobs, err)) < 0
        || (rc = lb_db_int(db, "SELECT count(*) FROM progress WHERE layer = 'speed'", 0, &mbs, err))
               < 0)
        return rc;
    unique = rows - extra;
    sum->lines = (uint64_t)(rows + q);
    sum->processed = (uint64_t)unique;
    sum->duplicates = (uint64_t)extra;
    sum->quarantined = (uint64_t)q;
    sum->filtered = (uint64_t)(unique - accepted);
    sum->batch_jobs = jobs;
    sum->micro_batches = mbs;
    return 0;
}

/* --------------------------------------------------------------- run.json ---- */

static cJSON *params_json(const struct lb_run_opts *o)
{
    cJSON *p = cJSON_CreateObject(), *m = cJSON_CreateObject();
    char buf[64];
    lk_duration_format(o->batch_every, buf, sizeof(buf));
    cJSON_AddStringToObject(p, "batch_every", buf);
    lk_duration_format(o->speed_trigger, buf, sizeof(buf));
    cJSON_AddStringToObject(p, "speed_trigger", buf);
    lk_json_add_int(p, "speed_checkpoint_every", LB_SPEED_CHECKPOINT_EVERY);
    cJSON_AddStringToObject(m, "name", o->model->name);
    lk_json_add_int(m, "cluster_start_ms", o->model->cluster_start_ms);
    lk_json_add_int(m, "idle_shutdown_ms", o->model->idle_shutdown_ms);
    lk_json_add_int(m, "trigger_overhead_ms", o->model->trigger_overhead_ms);
    lk_json_add_int(m, "event_ns", o->model->event_ns);
    lk_json_add_int(m, "state_row_ns", o->model->state_row_ns);
    lk_json_add_int(m, "job_overhead_ms", o->model->job_overhead_ms);
    lk_json_add_int(m, "master_event_ns", o->model->master_event_ns);
    cJSON_AddItemToObject(p, "cost_model", m);
    return p;
}

static cJSON *totals_json(const struct lb_run_summary *s)
{
    cJSON *t = cJSON_CreateObject();
    lk_json_add_int(t, "lines", (int64_t)s->lines);
    lk_json_add_int(t, "processed", (int64_t)s->processed);
    lk_json_add_int(t, "duplicates", (int64_t)s->duplicates);
    lk_json_add_int(t, "quarantined", (int64_t)s->quarantined);
    lk_json_add_int(t, "filtered", (int64_t)s->filtered);
    lk_json_add_int(t, "batch_jobs", s->batch_jobs);
    lk_json_add_int(t, "micro_batches", s->micro_batches);
    lk_json_add_int(t, "serving_rows", (int64_t)s->serving_rows);
    return t;
}

static cJSON *final_view_json(sqlite3 *db, struct lk_err *err)
{
    struct lb_batch_job j;
    cJSON *f;
    if (lb_batch_last(db, &j, err) < 0)
        return NULL;
    f = cJSON_CreateObject();
    lk_json_add_int(f, "view_id", j.id);
    lk_json_add_time(f, "trigger_time", j.trigger);
    lk_json_add_time(f, "cutoff", j.cutoff);
    lk_json_add_time(f, "visible_time", j.visible);
    lk_json_add_int(f, "master_rows", (int64_t)j.master_rows);
    return f;
}

int lb_rundir_write_runjson(sqlite3 *db, const struct lb_run_opts *o,
                            const struct lb_run_summary *sum, struct lk_err *err)
{
    cJSON *root = lk_run_json_new(LK_STACK_LAMBDA), *fv = final_view_json(db, err), *vt;
    int rc;
    if (!fv) {
        cJSON_Delete(root);
        return err && err->code ? err->code : LK_EDB;
    }
    cJSON_AddStringToObject(root, "command", "lambda");
    cJSON_AddStringToObject(root, "data", o->data);
    cJSON_AddStringToObject(root, "pipeline", o->spec->name);
    cJSON_AddStringToObject(root, "pipeline_path", o->spec_path);
    cJSON_AddItemToObject(root, "parameters", params_json(o));
    vt = cJSON_AddObjectToObject(root, "virtual_time");
    lk_json_add_time(vt, "first_arrival", sum->first_arrival);
    lk_json_add_time(vt, "end", sum->end_time);
    cJSON_AddItemToObject(root, "totals", totals_json(sum));
    cJSON_AddItemToObject(root, "final_view", fv);
    cJSON_AddBoolToObject(root, "resumed", sum->resumed);
    cJSON_AddNumberToObject(root, "wall_seconds",
                            (double)(int64_t)(sum->wall_seconds * 1000) / 1000);
    rc = lk_run_json_write(o->run, root, err);
    cJSON_Delete(root);
    return rc;
}
