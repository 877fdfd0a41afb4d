#include "lb_run.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_batch.h"
#include "lb_db.h"
#include "lb_master.h"
#include "lb_mirror.h"
#include "lb_rundir.h"
#include "lb_serving.h"
#include "lb_speed.h"
#include "lb_sql.h"
#include "lk_file.h"
#include "lk_kafka.h"
#include "lk_lock.h"
#include "lk_mem.h"
#include "lk_source.h"
#include "lk_store.h"
#include "lk_time.h"
#include "banned.h"

struct run {
    const struct lb_run_opts *o;
    struct lb_run_opts named; /* o with the source's name (no --follow suffix): RUN's params */
    sqlite3 *db;
    sqlite3 *reader; /* a second connection to serving.db: the serving query, beside a job */
    struct lb_master *master;
    struct lb_speed *speed;
    struct lb_batch *batch;
    struct lb_query serving;
    FILE *metrics;
    /* the batch timeline */
    int64_t next_trigger;     /* next regular trigger (a multiple of batch_every) */
    struct lb_batch_job last; /* last swapped-in job (id 0: none) */
    struct lb_batch_job running;
    int has_running;
    /* the input */
    int64_t first_arrival;
    int64_t last_tick; /* latest bucket end run (LK_TIME_NEG_INF: none) */
    int exhausted;
    struct lk_lock lock;        /* RUN/lock, held for the whole run */
    struct lk_truth_inc *truth; /* the truth at each view's cutoff, read incrementally */
    struct lb_mirror *mirror;   /* a kafka:// source's lines as files, for the truth */
    char *mirror_dir;
};

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* ------------------------------------------------------------------ setup ---- */

static int open_db(struct run *r, int state, struct lk_err *err)
{
    char *path = lb_rundir_path(r->o->run, "serving.db"), *schema = lb_sql_schema(r->o->spec);
    int rc = lb_db_open(&r->db, path, 1, err);
    if (rc == 0)
        rc = lb_db_create_fixed(r->db, err);
    if (rc == 0)
        rc = lb_rundir_params(r->db, &r->named, err);
    if (rc == 0 && state < 2)
        rc = lk_store_exec(r->db, schema, err);
    free(path);
    free(schema);
    return rc;
}

static int open_layers(struct run *r, struct lk_err *err)
{
    char *ckpt = lb_rundir_path(r->o->run, "speed.checkpoint");
    char *metrics = lb_rundir_path(r->o->run, "metrics.jsonl");
    char *views = lb_rundir_path(r->o->run, "views");
    char *db = lb_rundir_path(r->o->run, "serving.db");
    struct lb_speed_opts so = { .spec = r->o->spec,
                                .model = r->o->model,
                                .trigger = r->o->speed_trigger,
                                .checkpoint = ckpt,
                                .checkpoint_every = LB_SPEED_CHECKPOINT_EVERY,
                                .crash = &r->o->crash,
                                .now = r->o->now };
    int rc;
    if ((rc = lb_master_open(&r->master, r->db, r->o->data, err)) < 0
        || (rc = lb_speed_open(&r->speed, r->db, r->o->data, &so, err)) < 0
        || (rc = lb_batch_open(&r->batch, r->db, r->o->spec, views, err)) < 0
        || (rc = lb_db_open(&r->reader, db, 0, err)) < 0
        || (rc = lb_query_open(&r->serving, r->reader, r->o->spec, LB_Q_SERVING, err)) < 0
        || (rc = lb_job_metrics_rewrite(r->db, metrics, err)) < 0)
        goto out;
    if (!(r->metrics = fopen(metrics, "a")))
        rc = lk_err_sys(err, LK_EIO, errno, "cannot open '%s'", metrics);
out:
    free(ckpt);
    free(metrics);
    free(views);
    free(db);
    return rc;
}

/*
 * The batch timeline after the last swapped-in job, or from the first arrival. Jobs never
 * overlap: the next regular trigger is the first multiple of batch_every after the last
 * job's trigger that is not before its end.
 */
static int init_timeline(struct run *r, struct lk_err *err)
{
    int64_t b = r->o->batch_every, mbs;
    int rc = lk_log_first_arrival(r->o->data, &r->first_arrival, err);
    if (rc == LK_EINPUT) { /* no valid event at all: only the final job, at time 0 */
        r->first_arrival = 0;
        rc = 0;
    } else if (rc < 0) {
        return rc;
    }
    if ((rc = lb_batch_last(r->db, &r->last, err)) < 0
        || (rc = lb_db_int(r->db, "SELECT count(*) FROM progress WHERE layer = 'speed'", 0, &mbs,
                           err))
               < 0
        || (rc = lb_db_int(r->db,
                           "SELECT coalesce(max(trigger_time), 0) FROM progress "
                           "WHERE layer = 'speed'",
                           0, &r->last_tick, err))
               < 0)
        return rc;
    if (mbs == 0)
        r->last_tick = LK_TIME_NEG_INF;
    if (r->last.id == 0) {
        r->next_trigger = lk_align_up(lk_align_up(r->first_arrival, r->o->speed_trigger), b);
        return 0;
    }
    r->next_trigger = r->last.trigger + b;
    while (r->next_trigger < r->last.visible)
        r->next_trigger += b;
    return 0;
}

static void close_all(struct run *r)
{
    if (r->metrics)
        fclose(r->metrics);
    lb_query_close(&r->serving);
    lk_store_close(r->reader);
    lb_batch_free(r->batch);
    lb_speed_free(r->speed);
    lb_master_free(r->master);
    lk_truth_inc_free(r->truth);
    lb_mirror_free(r->mirror);
    free(r->mirror_dir);
    lk_store_close(r->db);
    lk_lock_release(&r->lock); /* last: nothing of the run is open any more */
}

/* ---------------------------------------------------------------- events ---- */

static int append_metrics(struct run *r, char *json, struct lk_err *err)
{
    int rc = json ? lb_job_metrics_append(r->metrics, json, err) : 0;
    cJSON_free(json);
    return rc;
}

static int on_tick(struct run *r, int64_t t, struct lk_err *err)
{
    struct lb_progress p;
    char *json;
    int rc = lb_speed_microbatch(r->speed, t, &p, &json, err);
    if (rc == 0)
        rc = append_metrics(r, json, err);
    r->last_tick = t;
    if (r->o->progress)
        r->o->progress(r->o->progress_arg, lb_speed_done_bytes(r->speed),
                       lb_speed_total_bytes(r->speed));
    return rc;
}

/* On the main thread, before a discrepancy at `at`: the truth's reader, and for a kafka://
   source the mirror of its lines up to `at` that the truth reads. */
static int truth_ready(struct run *r, int64_t at, struct lk_err *err)
{
    int rc;
    if (!r->truth && lk_kafka_is_url(r->o->data)) { /* the truth reads files: a mirror */
        r->mirror_dir = lb_rundir_path(r->o->run, "source");
        if ((rc = lb_mirror_open(&r->mirror, r->o->data, r->mirror_dir, err)) < 0)
            return rc;
    }
    if (!r->truth)
        r->truth = lk_truth_inc_new(r->o->spec, r->mirror ? r->mirror_dir : r->o->data);
    return r->mirror ? lb_mirror_upto(r->mirror, at, err) : 0;
}

/*
 * How far the serving answer at `at` (just before a view lands) is from the truth over
 * the events arrived by then. It runs on its own thread while the job computes its view:
 * it reads through r->reader and r->truth only, and the view's rows stay invisible to the
 * serving query until lb_batch_swap (after the join).
 */
struct discrepancy {
    struct run *r;
    int64_t at;
    struct lb_diff d;
    struct lk_err err;
    int rc;
};

static void *discrepancy(void *arg)
{
    struct discrepancy *c = arg;
    struct lb_rows rows;
    struct lk_result *truth = NULL;
    c->rc = lb_query_run(&c->r->serving, c->at, &rows, &c->err);
    if (c->rc < 0)
        return NULL;
    c->rc = lk_truth_inc_eval(c->r->truth, c->at, &truth, &c->err);
    if (c->rc == 0)
        lb_rows_diff(&rows, truth, &c->d);
    lk_result_free(truth);
    lb_rows_release(&rows);
    return NULL;
}

static int on_visible(struct run *r, struct lk_err *err)
{
    struct lb_batch_job *j = &r->running;
    struct discrepancy c = { .r = r, .at = j->visible - 1, .err = LK_ERR_INIT };
    struct lb_progress p;
    pthread_t thread;
    int threaded, rc;
    char *json;
    memset(&p, 0, sizeof(p));
    if ((rc = truth_ready(r, c.at, err)) < 0)
        return rc;
    threaded = pthread_create(&thread, NULL, discrepancy, &c) == 0;
    rc = lb_batch_compute(r->batch, j, &r->o->crash, r->o->now, &p, err);
    if (threaded)
        pthread_join(thread, NULL);
    else
        discrepancy(&c);
    if (rc == 0 && c.rc < 0) {
        *err = c.err;
        rc = c.rc;
    }
    if (rc < 0)
        return rc;
    p.discrepancy_rows = c.d.rows;
    p.discrepancy_abs_events = c.d.abs_events;
    if ((rc = lb_batch_swap(r->batch, j, &p, &json, err)) < 0
        || (rc = append_metrics(r, json, err)) < 0)
        return rc;
    r->last = *j;
    r->has_running = 0;
    while (r->next_trigger < j->visible)
        r->next_trigger += r->o->batch_every;
    return 0;
}

static int on_trigger(struct run *r, int64_t t, int final, struct lk_err *err)
{
    struct lb_batch_job *j = &r->running;
    int rc = lb_master_ingest(r->master, final ? LK_TIME_POS_INF : t, err);
    if (rc < 0)
        return rc;
    memset(j, 0, sizeof(*j));
    j->id = r->last.id + 1;
    j->trigger = j->cutoff = t;
    j->final = final;
    j->cold = lk_model_cold(r->o->model, r->last.id ? r->last.visible : LK_TIME_NEG_INF, t);
    j->master_rows = lb_master_rows(r->master);
    j->modelled_ms = lk_model_batch_job_ms(r->o->model, j->cold, j->master_rows);
    j->visible = t + j->modelled_ms;
    r->has_running = 1;
    if (!final)
        r->next_trigger = t + r->o->batch_every;
    return 0;
}

/* A regular trigger over empty time moves on to the first period with data instead. */
static int skip_or_trigger(struct run *r, int64_t t, int64_t next_bucket, struct lk_err *err)
{
    int rc = lb_batch_skip_empty(r->db, r->last.id ? r->last.cutoff : LK_TIME_NEG_INF,
                                 r->o->batch_every, next_bucket, &r->next_trigger, err);
    return rc != 0 ? (rc < 0 ? rc : 0) : on_trigger(r, t, 0, err);
}

/* ------------------------------------------------------------------ loop ---- */

/* Next trigger time (LK_TIME_POS_INF: none); *final when it is the last job. */
static int64_t trigger_time(const struct run *r, int *final)
{
    *final = r->exhausted;
    if (r->has_running || r->last.final)
        return LK_TIME_POS_INF;
    if (!r->exhausted)
        return r->next_trigger;
    return max64(r->last_tick == LK_TIME_NEG_INF ? r->first_arrival : r->last_tick,
                 r->last.id ? r->last.visible : LK_TIME_NEG_INF);
}

static int run_loop(struct run *r, struct lk_err *err)
{
    for (;;) {
        int64_t tick = LK_TIME_POS_INF, vis, trig;
        int final, rc = lb_speed_next(r->speed, &tick, err);
        if (rc < 0)
            return rc;
        r->exhausted = rc == 0;
        vis = r->has_running ? r->running.visible : LK_TIME_POS_INF;
        trig = trigger_time(r, &final);
        if (!r->exhausted && tick <= vis && tick <= trig)
            rc = on_tick(r, tick, err);
        else if (r->has_running && vis <= trig)
            rc = on_visible(r, err);
        else if (trig != LK_TIME_POS_INF)
            rc = final ? on_trigger(r, trig, 1, err) : skip_or_trigger(r, trig, tick, err);
        else
            return 0;
        if (rc < 0)
            return rc;
    }
}

static int finish(struct run *r, struct lb_run_summary *sum, double t0, struct lk_err *err)
{
    struct lb_rows rows;
    int rc = lb_master_complete(r->master, err);
    if (rc == 0) /* the final job ingests everything: anything left is a bug */
        return lk_err_set(err, LK_EINTERNAL, "the master dataset missed lines of '%s'", r->o->data);
    if (rc < 0 || (rc = lb_speed_checkpoint(r->speed, err)) < 0
        || (rc = lb_rundir_totals(r->db, r->o->spec, sum, err)) < 0
        || (rc = lb_query_run(&r->serving, LK_TIME_POS_INF, &rows, err)) < 0)
        return rc;
    sum->serving_rows = rows.n;
    lb_rows_release(&rows);
    sum->first_arrival = r->first_arrival;
    sum->end_time = r->last.visible;
    sum->wall_seconds = r->o->now() - t0;
    return lb_rundir_write_runjson(r->db, &r->named, sum, err); /* LAST */
}

/* Make RUN (unless it is a file: lb_rundir_prepare refuses that) and take its lock. */
static int lock_run(struct run *r, struct lk_err *err)
{
    int rc;
    if (lk_is_file(r->o->run))
        return 0;
    if ((rc = lk_mkdir_p(r->o->run, err)) < 0)
        return rc;
    return lk_lock_take(&r->lock, r->o->run, err);
}

int lb_run(const struct lb_run_opts *o, struct lb_run_summary *sum, struct lk_err *err)
{
    struct run r;
    char *name;
    double t0 = o->now();
    int state, rc;
    memset(&r, 0, sizeof(r));
    memset(sum, 0, sizeof(*sum));
    r.o = o;
    r.named = *o;
    r.named.data = name = lk_xstrndup(o->data, lk_source_name_len(o->data));
    r.lock = (struct lk_lock)LK_LOCK_INIT;
    if ((rc = lb_rundir_check_periods(o->batch_every, o->speed_trigger, err)) < 0
        || (rc = lb_sql_check(o->spec, err)) < 0 || (rc = lock_run(&r, err)) < 0
        || (rc = lb_rundir_prepare(&r.named, &state, err)) < 0)
        goto out;
    sum->already_complete = state == 2;
    sum->resumed = state == 1;
    if ((rc = open_db(&r, state, err)) < 0)
        goto out;
    if (state == 2) {
        if ((rc = lb_rundir_totals(r.db, o->spec, sum, err)) == 0)
            rc = init_timeline(&r, err);
        sum->first_arrival = r.first_arrival;
        sum->end_time = r.last.visible;
        goto out;
    }
    if ((rc = open_layers(&r, err)) < 0 || (rc = init_timeline(&r, err)) < 0
        || (rc = run_loop(&r, err)) < 0)
        goto out;
    rc = finish(&r, sum, t0, err);
out:
    close_all(&r);
    free(name);
    return rc;
}
