/* cmp_sweep: the sweep directory contract (cmp_sweep.h, docs/sweep.md). */
#include "cmp_sweep.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_cost.h"
#include "cmp_latency.h"
#include "cmp_reconcile.h"
#include "kp_latency.h"
#include "lb_latency.h"
#include "lk_csvread.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_run.h"
#include "lk_source.h"
#include "lk_time.h"
#include "banned.h"

/* ------------------------------------------------------------------ grid ---- */

static struct cmp_sweep_run *add_run(struct cmp_sweep_run *runs, size_t *n,
                                     struct cmp_sweep_item trigger, struct cmp_sweep_item wm,
                                     int update)
{
    struct cmp_sweep_run *r = &runs[(*n)++];
    *r = (struct cmp_sweep_run){ 0 };
    r->trigger = trigger;
    r->watermark = wm;
    r->update = update;
    snprintf(r->name, sizeof(r->name), "kappa-%s%s-wm%s", update ? "update-" : "", trigger.text,
             wm.text);
    return r;
}

/* The Kappa run of the freshness timeline: append at 1m, any append, update at 1m, any. */
static int fresh_rank(const struct cmp_sweep_run *r)
{
    return 2 * r->update + (r->trigger.ms != LK_MS_PER_MIN);
}

/* The series runs: the first Lambda run, and the Kappa run of the best fresh_rank. */
static void mark_series(struct cmp_sweep_run *runs, size_t n)
{
    struct cmp_sweep_run *kr = NULL, *lr = NULL;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].lambda && !lr)
            lr = &runs[i];
        if (!runs[i].lambda && (!kr || fresh_rank(&runs[i]) < fresh_rank(kr)))
            kr = &runs[i];
    }
    if (kr)
        kr->series = 1;
    if (lr)
        lr->series = 1;
}

/*
 * Lambda first, then each trigger in append and update mode side by side, then the extra
 * watermarks: every kind of run is timed early, so the ETA has a measured run of each
 * kind to go by.
 */
size_t cmp_sweep_plan(const struct cmp_sweep_grid *g, struct cmp_sweep_run *runs)
{
    size_t n = 0, ref = 0;
    for (size_t i = 0; i < g->every.n; i++) {
        struct cmp_sweep_run *r = &runs[n++];
        *r = (struct cmp_sweep_run){ 0 };
        r->lambda = 1;
        r->trigger = g->speed;
        r->every = g->every.v[i];
        snprintf(r->watermark.text, sizeof(r->watermark.text), "none");
        r->watermark.ms = -1;
        snprintf(r->name, sizeof(r->name), "lambda-%s", r->every.text);
    }
    for (size_t i = 0; i < g->triggers.n; i++) {
        if (g->modes & CMP_SWEEP_APPEND)
            add_run(runs, &n, g->triggers.v[i], g->watermark, 0);
        if (g->modes & CMP_SWEEP_UPDATE)
            add_run(runs, &n, g->triggers.v[i], g->watermark, 1);
        if (g->triggers.v[i].ms == LK_MS_PER_MIN)
            ref = i;
    }
    for (size_t i = 0; i < g->watermarks.n; i++)
        if (g->watermarks.v[i].ms != g->watermark.ms)
            add_run(runs, &n, g->triggers.v[ref], g->watermarks.v[i],
                    !(g->modes & CMP_SWEEP_APPEND));
    mark_series(runs, n);
    return n;
}

const char *cmp_sweep_mode(const struct cmp_sweep_run *r)
{
    return r->lambda ? "serving" : lk_mode_name(r->update ? LK_MODE_UPDATE : LK_MODE_APPEND);
}

/* ------------------------------------------------------------- series ---- */

/* Open S/name for an atomic write; on failure report and return NULL. */
static FILE *out_open(struct lk_atomic *at, const char *s, const char *name, struct lk_err *err)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", s, name);
    return lk_atomic_open(at, path, err) == 0 ? at->fp : NULL;
}

static double hours(int64_t t, int64_t origin)
{
    return (double)(t - origin) / (double)LK_MS_PER_HOUR;
}

static int write_points(const char *s, const char *name, const struct lk_point *pts, size_t n,
                        int64_t origin, struct lk_err *err)
{
    struct lk_atomic at = LK_ATOMIC_INIT;
    FILE *fp = out_open(&at, s, name, err);
    if (!fp)
        return LK_EIO;
    fprintf(fp, "# hours value\n");
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%.6f\t%.2f\n", hours(pts[i].t, origin), pts[i].v);
    return lk_atomic_commit(&at, err);
}

/*
 * The freshness window: the truth row with the most events (first aggregate), ties to the
 * canonical first; its key as `lklab results` prints it, and that first aggregate.
 */
static int pick_window(const char *truth, char *key, size_t ksize, char *col, size_t csize,
                       double *final, struct lk_err *err)
{
    struct lk_rtable t = LK_RTABLE_INIT;
    const struct lk_rrow *best = NULL;
    int rc = lk_rtable_load(&t, truth, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < t.nrows; i++)
        if (!best || t.sorted[i]->row.values[0] > best->row.values[0])
            best = t.sorted[i];
    if (!best) {
        lk_rtable_release(&t);
        return lk_err_set(err, LK_EINPUT, "the truth '%s' has no rows", truth);
    }
    {
        size_t off = 0;
        char iso[40];
        for (size_t g = 0; g < t.ngroup && off < ksize; g++)
            off += (size_t)snprintf(key + off, ksize - off, "%.*s,", (int)best->row.group[g].len,
                                    best->row.group[g].ptr);
        lk_time_format(best->row.window_start, iso);
        if (off < ksize)
            snprintf(key + off, ksize - off, "%s", iso);
    }
    snprintf(col, csize, "%s", t.cols[t.ngroup + 2]);
    *final = (double)best->row.values[0] / 100.0;
    lk_rtable_release(&t);
    return 0;
}

/* The dataset parsed in a thread while the caller computes the truth. */
struct cmp_sweep_loader {
    pthread_t thread;
    char *data;
    struct lk_firsts *firsts;
    struct lk_err err;
};

static void *load_firsts(void *arg)
{
    struct cmp_sweep_loader *l = arg;
    lk_firsts_load(l->data, 0, &l->firsts, &l->err);
    return NULL;
}

void cmp_sweep_shared_start(struct cmp_sweep_shared *sh, const char *data)
{
    struct cmp_sweep_loader *l = lk_xcalloc(1, sizeof(*l));
    l->data = lk_xstrdup(data);
    l->err = (struct lk_err)LK_ERR_INIT;
    if (pthread_create(&l->thread, NULL, load_firsts, l) != 0) {
        free(l->data);
        free(l); /* no parse ahead: each analysis reads the dataset */
        return;
    }
    sh->loader = l;
}

/* Wait for the loader: its parse into sh->events, or none when it failed (each analysis
   then reads the dataset itself, and meets the same problem if there is one). */
static void join_loader(struct cmp_sweep_shared *sh)
{
    struct cmp_sweep_loader *l = sh->loader;
    if (!l)
        return;
    pthread_join(l->thread, NULL);
    sh->loader = NULL;
    sh->events = l->firsts;
    free(l->data);
    free(l);
}

int cmp_sweep_shared_finish(struct cmp_sweep_shared *sh, const char *data, struct lk_err *err)
{
    struct cmp_sweep_series *ser = &sh->series;
    int rc = lk_log_first_arrival(data, &ser->origin, err);
    join_loader(sh);
    return rc < 0 ? rc
                  : pick_window(sh->truth, ser->key, sizeof(ser->key), ser->col, sizeof(ser->col),
                                &ser->final, err);
}

void cmp_sweep_shared_release(struct cmp_sweep_shared *sh)
{
    join_loader(sh);
    lk_firsts_free(sh->events);
    sh->events = NULL;
}

/* A series run's part: its freshness timeline; Lambda's also the sawtooth (on tl). */
static int write_run_series(const char *s, const char *dir, struct lb_tl *tl,
                            const struct cmp_sweep_series *ser, struct lk_err *err)
{
    struct lk_point *pts = NULL;
    struct lb_disc_point *d = NULL;
    struct lk_atomic at = LK_ATOMIC_INIT;
    size_t np = 0, nd = 0;
    FILE *fp;
    int rc = tl ? lb_row_history(tl, ser->key, ser->col, &pts, &np, err)
                : kp_row_history(dir, ser->key, ser->col, &pts, &np, err);
    if (rc == 0)
        rc = write_points(s, tl ? "freshness_lambda.tsv" : "freshness_kappa.tsv", pts, np,
                          ser->origin, err);
    free(pts);
    if (rc < 0 || !tl)
        return rc;
    lb_discrepancy_series(tl, &d, &nd);
    if (!(fp = out_open(&at, s, "sawtooth.tsv", err))) {
        free(d);
        return LK_EIO;
    }
    fprintf(fp, "# hours diff_rows diff_pct\n");
    for (size_t i = 0; i < nd; i++)
        fprintf(fp, "%.6f\t%" PRIu64 "\t%.4f\n", hours(d[i].t, ser->origin), d[i].diff_rows,
                d[i].rows ? 100.0 * (double)d[i].diff_rows / (double)d[i].rows : 0.0);
    free(d);
    return lk_atomic_commit(&at, err);
}

/* ------------------------------------------------------------ one run ---- */

int cmp_sweep_init(const char *s, char *truth, size_t size, struct lk_err *err)
{
    char path[4200];
    int w = snprintf(truth, size, "%s/truth.csv", s);
    if (w < 0 || (size_t)w >= size || strlen(s) + sizeof("/reconcile") > sizeof(path))
        return lk_err_set(err, LK_EUSAGE, "sweep directory name too long (%zu bytes)", strlen(s));
    snprintf(path, sizeof(path), "%s/reconcile", s);
    return lk_mkdir_p(path, err);
}

int cmp_sweep_run_dirs(const char *s, const struct cmp_sweep_run *r, char *dir, size_t dsize,
                       char *lake, size_t lsize, struct lk_err *err)
{
    int rc;
    snprintf(dir, dsize, "%s/runs/%s", s, r->name);
    snprintf(lake, lsize, "%s/lake/%s", s, r->name);
    if ((rc = lk_rm_rf(dir, err)) < 0)
        return rc;
    return lk_rm_rf(lake, err);
}

/* Latencies into RUN/run.json ("latency") and r; the totals sweep.csv needs. */
static int latency(const char *dir, const struct cmp_latency_given *given, struct cmp_sweep_run *r,
                   struct lk_err *err)
{
    char path[4400];
    enum lk_stack stack;
    cJSON *root = NULL;
    int rc = cmp_latency_update(dir, given, &r->fv, &r->co, &stack, err);
    snprintf(path, sizeof(path), "%s/run.json", dir);
    if (rc == 0 && (rc = lk_json_read_file(path, &root, err)) == 0) {
        const cJSON *totals = cJSON_GetObjectItemCaseSensitive(root, "totals");
        r->lines = (uint64_t)lk_json_int(totals, "lines", 0);
        r->late = (uint64_t)lk_json_int(totals, "late", 0);
        r->max_state = (uint64_t)lk_json_int(totals, "max_state_rows", 0);
    }
    cJSON_Delete(root);
    return rc;
}

/* r's bill and its reconciliation with the truth (S/reconcile/NAME.txt, r->status). */
static int cost_and_reconcile(const char *s, const char *dir, struct cmp_sweep_run *r,
                              const struct cmp_sweep_shared *sh, struct lk_err *err)
{
    char rec[4300];
    struct lk_atomic at = LK_ATOMIC_INIT;
    size_t ndiffs = 0, unexplained = 0;
    int rc;
    if ((rc = cmp_cost_usage_from_run(&r->usage, dir, err)) < 0)
        return rc;
    snprintf(r->usage.config, sizeof(r->usage.config), "%s", r->name);
    r->usage.tier = sh->tier;
    lk_cost_price(sh->pricing, &r->usage, &r->bill);
    snprintf(rec, sizeof(rec), "%s/reconcile/%s.txt", s, r->name);
    if ((rc = lk_atomic_open(&at, rec, err)) < 0
        || (rc = cmp_reconcile_run_report(dir, sh->truth, sh->events, at.fp, &ndiffs, &unexplained,
                                          err))
               < 0
        || (rc = lk_atomic_commit(&at, err)) < 0) {
        lk_atomic_abort(&at);
        return rc;
    }
    r->status = unexplained ? "unexplained" : ndiffs ? "explained" : "equal";
    return 0;
}

int cmp_sweep_analyse(const char *s, struct cmp_sweep_run *r, const struct cmp_sweep_shared *sh,
                      struct lk_err *err)
{
    char dir[4200];
    struct lb_tl *tl = NULL; /* a Lambda run, loaded once for its latency and series */
    int rc;
    snprintf(dir, sizeof(dir), "%s/runs/%s", s, r->name);
    if (r->lambda && (rc = lb_tl_load(dir, &tl, err)) < 0)
        return rc;
    {
        const struct cmp_latency_given given = { sh->truth, tl, sh->events };
        rc = latency(dir, &given, r, err);
    }
    if (rc == 0 && r->series)
        rc = write_run_series(s, dir, tl, &sh->series, err);
    lb_tl_free(tl); /* before the reconciliation, which loads the answer again */
    return rc < 0 ? rc : cost_and_reconcile(s, dir, r, sh, err);
}

/* ------------------------------------------------------------ outputs ---- */

static void usd(FILE *fp, int64_t cents)
{
    fprintf(fp, "%" PRId64 ".%02d00", cents / 100, (int)(cents % 100));
}

static void sweep_row(FILE *fp, const struct cmp_sweep_run *r)
{
    const struct lk_cost_bill *b = &r->bill;
    double late_pct = r->lines ? 100.0 * (double)r->late / (double)r->lines : 0.0;
    const int64_t ms[6] = { r->fv.p50_ms, r->fv.p95_ms, r->fv.p99_ms,
                            r->co.p50_ms, r->co.p95_ms, r->co.p99_ms };
    char t[24];
    fprintf(fp, "%s,%s,%s,%" PRId64 ",%s,%" PRId64 ",%s,%" PRId64 ",%" PRIu64,
            r->lambda ? "lambda" : "kappa", cmp_sweep_mode(r), r->trigger.text, r->trigger.ms,
            r->watermark.text, r->watermark.ms, r->lambda ? r->every.text : "", r->every.ms,
            r->lines);
    for (int i = 0; i < 6; i++)
        fprintf(fp, ",%s", lk_lat_ms_text(ms[i], t, sizeof(t)));
    fprintf(fp, ",%" PRIu64 ",%.2f", r->co.never, lk_lat_reached_pct(&r->co));
    fprintf(fp, ",%.4f,%" PRIu64 ",%" PRIu64 ",%.0f,", late_pct, r->max_state, r->usage.files,
            r->usage.files ? (double)r->usage.bytes / (double)r->usage.files : 0.0);
    usd(fp, b->compute);
    fputc(',', fp);
    usd(fp, b->storage);
    fputc(',', fp);
    usd(fp, b->operations);
    fputc(',', fp);
    usd(fp, b->total);
    fprintf(fp, ",%" PRId64 ",%s,runs/%s\n", r->wall_ms, r->status, r->name);
}

static int write_tables(const char *s, const struct cmp_sweep_run *runs, size_t n,
                        const struct lk_pricing *p, struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT, c = LK_ATOMIC_INIT, sc = LK_ATOMIC_INIT;
    FILE *fa, *fc, *fs;
    int rc = 0;
    if (!(fa = out_open(&a, s, "sweep.csv", err)) || !(fc = out_open(&c, s, "cost.csv", err))
        || !(fs = out_open(&sc, s, "scenarios.csv", err))) {
        lk_atomic_abort(&a);
        lk_atomic_abort(&c);
        return LK_EIO;
    }
    fprintf(fa, "stack,mode,trigger,trigger_ms,watermark,watermark_ms,batch_every,"
                "batch_every_ms,events,first_visible_p50_ms,first_visible_p95_ms,"
                "first_visible_p99_ms,correct_p50_ms,correct_p95_ms,correct_p99_ms,"
                "never_correct,correct_pct,late_pct,max_state_rows,files_written,"
                "mean_file_bytes,compute_usd,storage_usd,operations_usd,total_usd,wall_ms,"
                "reconcile_status,run\n");
    fprintf(fc, "config,component,usd_month\n");
    for (size_t i = 0; i < n; i++) {
        sweep_row(fa, &runs[i]);
        cmp_cost_csv_rows(fc, NULL, &runs[i].usage, &runs[i].bill);
    }
    fprintf(fs, "scenario,config,component,usd_month\n");
    for (int k = 0; k < 2 && rc == 0; k++) {
        const char *name = k ? "multi-tenant" : "small-files";
        struct lk_cost_usage u[2];
        struct lk_cost_bill b[2];
        if ((rc = lk_cost_scenario(name, p, u, err)) < 0)
            break;
        rc = 0;
        for (int i = 0; i < 2; i++) {
            lk_cost_price(p, &u[i], &b[i]);
            cmp_cost_csv_rows(fs, name, &u[i], &b[i]);
        }
    }
    if (rc == 0 && (rc = lk_atomic_commit(&a, err)) == 0 && (rc = lk_atomic_commit(&c, err)) == 0)
        rc = lk_atomic_commit(&sc, err);
    lk_atomic_abort(&a);
    lk_atomic_abort(&c);
    lk_atomic_abort(&sc);
    return rc;
}

/* The instants Lambda's batch views landed (metrics.jsonl "layer":"batch"), in hours. */
static int add_landings(const char *metrics, int64_t origin, cJSON *marks, struct lk_err *err)
{
    struct lk_lines *in = NULL;
    const char *line;
    size_t len;
    int rc = lk_lines_open(&in, metrics, err);
    while (rc == 0 && (rc = lk_lines_next(in, &line, &len, err)) > 0) {
        cJSON *m = cJSON_ParseWithLength(line, len);
        const char *layer = cJSON_GetStringValue(cJSON_GetObjectItem(m, "layer"));
        const char *vis = cJSON_GetStringValue(cJSON_GetObjectItem(m, "visible_time"));
        int64_t t;
        if (layer && strcmp(layer, "batch") == 0 && vis && lk_time_parse(vis, strlen(vis), &t) == 0)
            cJSON_AddItemToArray(marks, cJSON_CreateNumber(hours(t, origin)));
        cJSON_Delete(m);
        rc = 0;
    }
    lk_lines_close(in);
    return rc < 0 ? rc : 0;
}

/* sweep.json's "freshness" and "sawtooth": the series runs wrote their files. */
static int series_meta(const char *s, const struct cmp_sweep_run *runs, size_t n,
                       const struct cmp_sweep_series *ser, cJSON *meta, struct lk_err *err)
{
    const struct cmp_sweep_run *kr = NULL, *lr = NULL;
    cJSON *f = cJSON_AddObjectToObject(meta, "freshness"), *saw, *marks;
    char path[4200];
    for (size_t i = 0; i < n; i++)
        if (runs[i].series && runs[i].lambda)
            lr = &runs[i];
        else if (runs[i].series)
            kr = &runs[i];
    cJSON_AddStringToObject(f, "key", ser->key);
    cJSON_AddStringToObject(f, "column", ser->col);
    cJSON_AddNumberToObject(f, "final", ser->final);
    cJSON_AddStringToObject(f, "kappa_run", kr ? kr->name : "");
    cJSON_AddStringToObject(f, "lambda_run", lr ? lr->name : "");
    if (!lr)
        return 0;
    saw = cJSON_AddObjectToObject(meta, "sawtooth");
    cJSON_AddStringToObject(saw, "run", lr->name);
    marks = cJSON_AddArrayToObject(saw, "batch_visible_hours");
    snprintf(path, sizeof(path), "%s/runs/%s/metrics.jsonl", s, lr->name);
    return add_landings(path, ser->origin, marks, err);
}

/* sweep.json: what the plots and the report need beyond sweep.csv. */
static int write_meta(const char *s, const struct cmp_sweep_run *runs, size_t n,
                      const struct cmp_sweep_meta *m, struct lk_err *err)
{
    char path[4200];
    cJSON *meta = cJSON_CreateObject(), *man = NULL, *ds;
    int rc;
    int64_t last = 0;
    cJSON_AddStringToObject(meta, "data", m->data);
    cJSON_AddStringToObject(meta, "pipeline", m->pipeline);
    snprintf(path, sizeof(path), "%s/manifest.json", m->data);
    ds = cJSON_AddObjectToObject(meta, "dataset");
    if (lk_json_read_file(path, &man, NULL) == 0) {
        const cJSON *sc = cJSON_GetObjectItem(man, "scenario");
        cJSON_AddStringToObject(ds, "scenario", cJSON_IsString(sc) ? sc->valuestring : "");
        const cJSON *counts = cJSON_GetObjectItemCaseSensitive(man, "counts");
        lk_json_add_int(ds, "events", lk_json_int(counts, "unique_events", 0));
        lk_json_add_int(ds, "lines", lk_json_int(counts, "lines", 0));
        lk_json_add_int(ds, "seed", lk_json_int(man, "seed", 0));
    }
    cJSON_Delete(man);
    if ((rc = lk_log_last_arrival(m->data, &last, err)) == 0) {
        lk_json_add_time(ds, "first_arrival", m->series->origin);
        lk_json_add_time(ds, "last_arrival", last);
        rc = series_meta(s, runs, n, m->series, meta, err);
    }
    lk_json_add_int(meta, "wall_ms", (int64_t)(m->wall_s * 1000.0));
    snprintf(path, sizeof(path), "%s/sweep.json", s);
    if (rc == 0)
        rc = lk_json_write_file(path, meta, err);
    cJSON_Delete(meta);
    return rc;
}

int cmp_sweep_write(const char *s, const struct cmp_sweep_run *runs, size_t n,
                    const struct lk_pricing *p, const struct cmp_sweep_meta *m, struct lk_err *err)
{
    int rc = write_tables(s, runs, n, p, err);
    return rc < 0 ? rc : write_meta(s, runs, n, m, err);
}
