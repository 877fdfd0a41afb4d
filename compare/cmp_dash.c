/* cmp_dash: the dashboard's JSON from the runs it serves (cmp_dash.h). */
#include "cmp_dash.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_reader.h"
#include "lb_db.h"
#include "lb_reader.h"
#include "lb_serving.h"
#include "lk_agg.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_run.h"
#include "lk_store.h"
#include "lk_time.h"
#include "lk_truth.h"
#include "banned.h"

struct dash_run {
    char *dir, *name;
    int ready; /* serving.db seen and the stack known */
    enum lk_stack stack;
    int feed, append; /* Kappa: change feed, append mode */
};

struct dash_group {
    char *vals[LK_SPEC_MAX_GROUP];
    char *label;
};

struct cmp_dash {
    struct dash_run *runs;
    size_t n;
    char *data;
    int have_spec;
    struct lk_spec spec;
    struct dash_group *groups;
    size_t ngroups;
    struct lk_result *truth; /* cached: the answer over the events arrived by truth_at */
    int64_t truth_at;
};

static char *path2(const char *dir, const char *name)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_addf(&b, "%s/%s", dir, name);
    return lk_buf_detach(&b, NULL);
}

int cmp_dash_open(struct cmp_dash **out, char *const *runs, size_t n, const char *data,
                  struct lk_err *err)
{
    struct cmp_dash *d = lk_xcalloc(1, sizeof(*d));
    d->runs = lk_xcalloc(n ? n : 1, sizeof(*d->runs));
    d->n = n;
    d->data = data ? lk_xstrdup(data) : NULL;
    for (size_t i = 0; i < n; i++) {
        const char *slash;
        size_t len = strlen(runs[i]);
        while (len > 1 && runs[i][len - 1] == '/')
            len--;
        d->runs[i].dir = lk_xstrndup(runs[i], len);
        slash = strrchr(d->runs[i].dir, '/');
        d->runs[i].name = lk_xstrdup(slash ? slash + 1 : d->runs[i].dir);
        if (!lk_is_dir(d->runs[i].dir)) {
            lk_err_set(err, LK_ENOENT, "no run directory '%s'", runs[i]);
            cmp_dash_free(d);
            return LK_ENOENT;
        }
    }
    *out = d;
    return 0;
}

void cmp_dash_free(struct cmp_dash *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->runs[i].dir);
        free(d->runs[i].name);
    }
    for (size_t g = 0; g < d->ngroups; g++) {
        for (size_t k = 0; k < d->spec.ngroup; k++)
            free(d->groups[g].vals[k]);
        free(d->groups[g].label);
    }
    free(d->groups);
    free(d->runs);
    free(d->data);
    lk_result_free(d->truth);
    free(d);
}

/* A run's database, read-only (Lambda's with its SQL functions). */
static int open_db(const struct dash_run *r, int lambda, sqlite3 **db, struct lk_err *err)
{
    char *path = path2(r->dir, "serving.db");
    int rc;
    if (lambda) {
        rc = lb_db_open(db, path, 0, err);
    } else if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = lk_err_set(err, LK_EDB, "cannot open '%s': %s", path, sqlite3_errmsg(*db));
        sqlite3_close(*db);
        *db = NULL;
    } else {
        sqlite3_busy_timeout(*db, 5000);
        rc = 0;
    }
    free(path);
    return rc;
}

static int query_text(sqlite3 *db, sqlite3_stmt *st, char **text, struct lk_err *err)
{
    int rc = sqlite3_step(st);
    *text = NULL;
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
        *text = lk_xstrdup((const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return lk_err_set(err, LK_EDB, "%s", sqlite3_errmsg(db));
    return 0;
}

/* Kappa's output mode and change feed, from checkpoint/metadata (its first line). */
static void kappa_metadata(struct dash_run *r)
{
    char *path = path2(r->dir, "checkpoint/metadata"), *text = NULL;
    size_t len;
    struct lk_err e = LK_ERR_INIT;
    if (lk_file_read_all(path, 1 << 20, &text, &len, &e) == 0) {
        cJSON *m = cJSON_ParseWithOpts(text, NULL, 0);
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive(m, "output_mode");
        r->append = cJSON_IsString(mode) && strcmp(mode->valuestring, "append") == 0;
        cJSON_Delete(m);
    }
    free(text);
    free(path);
}

/* Attach a run once its serving.db exists: its stack, spec, dataset. */
static int attach(struct cmp_dash *d, struct dash_run *r, struct lk_err *err)
{
    char *path = path2(r->dir, "serving.db"), *spec_text = NULL, *data = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    struct lk_spec spec;
    long long lambda = 0;
    int rc = 0, exists = lk_is_file(path);
    free(path);
    if (r->ready || !exists)
        return 0;
    if ((rc = open_db(r, 0, &db, err)) < 0
        || (rc = lk_store_query_int(
                db, "SELECT count(*) FROM sqlite_master WHERE name = '" LK_TABLE_LB_META "'",
                &lambda, err))
               < 0)
        goto out;
    if (lambda) {
        lk_store_close(db);
        db = NULL;
        if ((rc = open_db(r, 1, &db, err)) < 0 || (rc = lb_db_load_spec(db, r->dir, &spec, err)) < 0
            || (rc = lb_reader_prepare(db, LB_READ_DATA, &st, err)) < 0
            || (rc = query_text(db, st, &data, err)) < 0)
            goto out;
    } else {
        long long feed = 0;
        if ((rc = kp_reader_prepare(db, KP_READ_SPEC, &st, err)) < 0
            || (rc = query_text(db, st, &spec_text, err)) < 0)
            goto out;
        if (!spec_text) /* the engine has not written its spec yet */
            goto out;
        if ((rc = lk_spec_parse(&spec, spec_text, strlen(spec_text), r->dir, err)) < 0
            || (rc = lk_store_query_int(db,
                                        "SELECT count(*) FROM sqlite_master WHERE name = "
                                        "'" LK_TABLE_CHANGES "'",
                                        &feed, err))
                   < 0)
            goto out;
        r->feed = feed > 0;
        kappa_metadata(r);
    }
    if (d->have_spec) {
        char *a = lk_spec_to_json(&d->spec), *b = lk_spec_to_json(&spec);
        int same = strcmp(a, b) == 0;
        free(a);
        free(b);
        if (!same) {
            rc = lk_err_set(err, LK_EUSAGE,
                            "run '%s' answers pipeline '%s', not '%s' like the others", r->dir,
                            spec.name, d->spec.name);
            goto out;
        }
    } else {
        d->spec = spec;
        d->have_spec = 1;
    }
    if (!d->data) {
        struct lk_run run = LK_RUN_INIT;
        if (!data && lk_run_open(&run, r->dir, err) == 0 && lk_run_param(&run, "data")
            && *lk_run_param(&run, "data"))
            data = lk_xstrdup(lk_run_param(&run, "data"));
        lk_run_release(&run);
        d->data = data;
        data = NULL;
    }
    r->stack = lambda ? LK_STACK_LAMBDA : LK_STACK_KAPPA;
    r->ready = 1;
out:
    sqlite3_finalize(st);
    lk_store_close(db);
    free(spec_text);
    free(data);
    return rc;
}

static int attach_all(struct cmp_dash *d, struct lk_err *err)
{
    for (size_t i = 0; i < d->n; i++) {
        int rc = attach(d, &d->runs[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int same_group(const struct lk_csv_row *row, const struct lk_str *g, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (row->group[k].len != g[k].len || memcmp(row->group[k].ptr, g[k].ptr, g[k].len) != 0)
            return 0;
    return 1;
}

/* The groups of the whole dataset's truth, once. */
static int load_groups(struct cmp_dash *d, struct lk_err *err)
{
    struct lk_result *all = NULL;
    struct lk_truth_stats stats;
    int rc;
    if (d->groups || !d->have_spec)
        return 0;
    if (!d->data)
        return lk_err_set(err, LK_EUSAGE,
                          "no dataset for the truth: none of the runs names one (give --data)");
    if ((rc = lk_truth_eval(&d->spec, d->data, LK_TIME_POS_INF, &all, &stats, NULL, NULL, err)) < 0)
        return rc;
    d->groups = lk_xcalloc(all->n ? all->n : 1, sizeof(*d->groups));
    for (size_t i = 0; i < all->n; i++) {
        const struct lk_csv_row *row = all->rows[i];
        struct dash_group *g;
        struct lk_buf label = LK_BUF_INIT;
        if (i > 0 && lk_csv_group_cmp(row, all->rows[i - 1], d->spec.ngroup) == 0)
            continue;
        g = &d->groups[d->ngroups++];
        for (size_t k = 0; k < d->spec.ngroup; k++) {
            g->vals[k] = lk_xstrndup(row->group[k].ptr, row->group[k].len);
            lk_buf_addf(&label, "%s%s", k ? "/" : "", g->vals[k]);
        }
        g->label = lk_buf_detach(&label, NULL);
    }
    lk_result_free(all);
    return 0;
}

int cmp_dash_meta(struct cmp_dash *d, char **json, struct lk_err *err)
{
    cJSON *root = cJSON_CreateObject(), *runs = cJSON_AddArrayToObject(root, "runs"), *a;
    int rc = attach_all(d, err);
    if (rc == 0)
        rc = load_groups(d, err);
    for (size_t i = 0; i < d->n; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "name", d->runs[i].name);
        cJSON_AddStringToObject(r, "stack",
                                d->runs[i].ready ? lk_stack_name(d->runs[i].stack) : "");
        cJSON_AddItemToArray(runs, r);
    }
    a = cJSON_AddArrayToObject(root, "groups");
    for (size_t g = 0; g < d->ngroups; g++)
        cJSON_AddItemToArray(a, cJSON_CreateString(d->groups[g].label));
    a = cJSON_AddArrayToObject(root, "metrics");
    for (size_t m = 0; d->have_spec && m < d->spec.naggs; m++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", d->spec.aggs[m].as);
        cJSON_AddBoolToObject(o, "money", lk_agg_is_money(d->spec.aggs[m].fn));
        cJSON_AddItemToArray(a, o);
    }
    cJSON_AddStringToObject(root, "pipeline", d->have_spec ? d->spec.name : "");
    /* the distance between window starts (tumbling, sliding): a larger one is a gap */
    cJSON_AddNumberToObject(
        root, "window_ms",
        d->have_spec && d->spec.window.kind != LK_WIN_SESSION ? (double)d->spec.window.slide : 0);
    cJSON_AddStringToObject(root, "data", d->data ? d->data : "");
    *json = rc < 0 ? NULL : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return rc;
}

static void add_pair(cJSON *arr, double a, double b)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateNumber(a));
    cJSON_AddItemToArray(p, cJSON_CreateNumber(b));
    cJSON_AddItemToArray(arr, p);
}

static void bind_group(sqlite3_stmt *st, const struct dash_group *g, size_t n)
{
    for (size_t k = 0; k < n; k++)
        sqlite3_bind_text(st, (int)k + 1, g->vals[k], -1, SQLITE_STATIC);
}

/* Instants the runs have reached (their latest visible time) and started at. */
struct span {
    int64_t lo, hi;
};
static void span_add(struct span *s, int64_t t)
{
    if (t < s->lo)
        s->lo = t;
    if (t > s->hi)
        s->hi = t;
}

struct kp_cell {
    int64_t ws, we, value, visible;
    size_t seq;
    int retract;
};
static int cell_cmp(const void *a, const void *b)
{
    const struct kp_cell *x = a, *y = b;
    if (x->ws != y->ws)
        return x->ws < y->ws ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A Kappa run's rows for the group at `at`, its first-visible latencies and its series. */
static int kappa_state(struct cmp_dash *d, struct dash_run *r, sqlite3 *db, int64_t at,
                       const struct dash_group *g, size_t metric, cJSON *o, struct span *sp,
                       struct lk_err *err)
{
    sqlite3_stmt *st = NULL;
    struct kp_cell *cells = NULL;
    size_t n = 0, cap = 0, na = d->spec.naggs;
    cJSON *rows = cJSON_AddArrayToObject(o, "rows"), *first = cJSON_AddArrayToObject(o, "first"),
          *series = cJSON_AddArrayToObject(o, "series");
    int64_t late = 0, wm = 0, state = 0, batches = 0;
    int rc, step;
    if ((rc = kp_reader_prepare_group_rows(db, &d->spec, r->feed, &st, err)) < 0)
        goto out;
    bind_group(st, g, d->spec.ngroup);
    sqlite3_bind_int64(st, (int)d->spec.ngroup + 1, at);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap)
            cells = lk_xreallocarray(cells, cap = cap ? 2 * cap : 256, sizeof(*cells));
        cells[n] =
            (struct kp_cell){ sqlite3_column_int64(st, 0),
                              sqlite3_column_int64(st, 1),
                              sqlite3_column_int64(st, 2 + (int)metric),
                              sqlite3_column_int64(st, 2 + (int)na),
                              n,
                              strcmp((const char *)sqlite3_column_text(st, 3 + (int)na), "retract")
                                  == 0 };
        n++;
    }
    if (step != SQLITE_DONE) {
        rc = lk_err_set(err, LK_EDB, "reading '%s': %s", r->dir, sqlite3_errmsg(db));
        goto out;
    }
    if (n)
        qsort(cells, n, sizeof(*cells), cell_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && cells[j].ws == cells[i].ws; j++)
            ;
        if (!cells[j - 1].retract)
            add_pair(rows, (double)cells[i].ws, (double)cells[j - 1].value);
        add_pair(first, (double)cells[i].ws, (double)(cells[i].visible - cells[i].we));
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = kp_reader_prepare(db, KP_READ_PROGRESS, &st, err)) < 0)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t vis = sqlite3_column_int64(st, 0);
        cJSON *p;
        span_add(&sp[0], vis);
        if (vis > at)
            continue;
        wm = sqlite3_column_int64(st, 1);
        state = sqlite3_column_int64(st, 2);
        late += sqlite3_column_int64(st, 3);
        batches++;
        p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)vis));
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)wm));
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)state));
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)late));
        cJSON_AddItemToArray(series, p);
        span_add(&sp[1], vis);
    }
    if (step != SQLITE_DONE)
        rc = lk_err_set(err, LK_EDB, "reading '%s': %s", r->dir, sqlite3_errmsg(db));
    cJSON_AddNumberToObject(o, "watermark", (double)wm);
    cJSON_AddNumberToObject(o, "state_rows", (double)state);
    cJSON_AddNumberToObject(o, "late", (double)late);
    cJSON_AddNumberToObject(o, "batches", (double)batches);
    cJSON_AddStringToObject(o, "history", r->feed || r->append ? "exact" : "latest");
out:
    sqlite3_finalize(st);
    free(cells);
    return rc;
}

/* A Lambda run's serving answer for the group at `at`, first-visible latencies, jobs. */
static int lambda_state(struct cmp_dash *d, struct dash_run *r, sqlite3 *db, int64_t at,
                        const struct dash_group *g, size_t metric, cJSON *o, struct span *sp,
                        struct lk_err *err)
{
    struct lb_query q = { 0 };
    struct lb_rows rows = { 0 };
    struct lk_str key[LK_SPEC_MAX_GROUP];
    sqlite3_stmt *st = NULL;
    cJSON *arr = cJSON_AddArrayToObject(o, "rows"), *first = cJSON_AddArrayToObject(o, "first"),
          *disc = cJSON_AddArrayToObject(o, "discrepancy");
    int64_t views = 0, jobs = 0;
    int rc, step;
    for (size_t k = 0; k < d->spec.ngroup; k++)
        key[k] = (struct lk_str){ g->vals[k], strlen(g->vals[k]) };
    if ((rc = lb_query_open(&q, db, &d->spec, LB_Q_SERVING, err)) < 0
        || (rc = lb_query_run(&q, at, &rows, err)) < 0)
        goto out;
    for (size_t i = 0; i < rows.n; i++)
        if (same_group(rows.sorted[i], key, d->spec.ngroup))
            add_pair(arr, (double)rows.sorted[i]->window_start,
                     (double)rows.sorted[i]->values[metric]);
    if ((rc = lb_reader_prepare_first_visible(db, &d->spec, &st, err)) < 0)
        goto out;
    bind_group(st, g, d->spec.ngroup);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t ws = sqlite3_column_int64(st, 0), v = sqlite3_column_int64(st, 1);
        if (v <= at)
            add_pair(first, (double)ws, (double)(v - ws - d->spec.window.size));
    }
    sqlite3_finalize(st);
    if ((rc = lb_reader_prepare(db, LB_READ_JOBS, &st, err)) < 0)
        goto out;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t vis = sqlite3_column_int64(st, 1);
        int batch = strcmp((const char *)sqlite3_column_text(st, 0), "batch") == 0;
        span_add(&sp[0], vis);
        if (vis > at)
            continue;
        span_add(&sp[1], vis);
        jobs++;
        views += batch;
        if (batch && sqlite3_column_type(st, 2) != SQLITE_NULL)
            add_pair(disc, (double)vis, (double)sqlite3_column_int64(st, 2));
    }
    if (step != SQLITE_DONE)
        rc = lk_err_set(err, LK_EDB, "reading '%s': %s", r->dir, sqlite3_errmsg(db));
    cJSON_AddNumberToObject(o, "views", (double)views);
    cJSON_AddNumberToObject(o, "jobs", (double)jobs);
    cJSON_AddStringToObject(o, "history", "exact");
out:
    sqlite3_finalize(st);
    lb_rows_release(&rows);
    lb_query_close(&q);
    return rc;
}

/* The truth over the events arrived by t, cached for the last t. */
static int truth_at(struct cmp_dash *d, int64_t t, struct lk_err *err)
{
    struct lk_truth_stats stats;
    if (d->truth && d->truth_at == t)
        return 0;
    lk_result_free(d->truth);
    d->truth = NULL;
    d->truth_at = t;
    return lk_truth_eval(&d->spec, d->data, t, &d->truth, &stats, NULL, NULL, err);
}

static int finished(const struct dash_run *r)
{
    char *path = path2(r->dir, "run.json");
    int yes = lk_is_file(path);
    free(path);
    return yes;
}

/*
 * Following the runs: the instant the slowest run still going has reached, so that every
 * run is shown at the same virtual instant (a run ahead, e.g. Lambda's batch layer over
 * the dataset's files beside Kappa on a paced topic, is shown as it was then; its history
 * is exact). LK_TIME_POS_INF when every run has finished (or none has a batch yet).
 */
static int follow_at(struct cmp_dash *d, int64_t *at, struct lk_err *err)
{
    *at = LK_TIME_POS_INF;
    for (size_t i = 0; i < d->n; i++) {
        struct dash_run *r = &d->runs[i];
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        int rc, lambda = r->stack == LK_STACK_LAMBDA;
        if (!r->ready || finished(r))
            continue;
        if ((rc = open_db(r, lambda, &db, err)) == 0
            && (rc = lambda ? lb_reader_prepare(db, LB_READ_LATEST, &st, err)
                            : kp_reader_prepare(db, KP_READ_LATEST, &st, err))
                   == 0
            && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
            && sqlite3_column_int64(st, 0) < *at)
            *at = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        lk_store_close(db);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int cmp_dash_state(struct cmp_dash *d, int64_t at, size_t group, size_t metric, char **json,
                   struct lk_err *err)
{
    cJSON *root = cJSON_CreateObject(), *runs = cJSON_AddArrayToObject(root, "runs"), *truth;
    struct span sp[2] = { { LK_TIME_POS_INF, LK_TIME_NEG_INF },
                          { LK_TIME_POS_INF, LK_TIME_NEG_INF } };
    int rc;
    *json = NULL;
    if ((rc = attach_all(d, err)) < 0 || (rc = load_groups(d, err)) < 0)
        goto out;
    if (group >= d->ngroups || metric >= d->spec.naggs) {
        rc = lk_err_set(err, LK_EUSAGE, "no group %zu or metric %zu", group, metric);
        goto out;
    }
    if (at == LK_TIME_POS_INF) {
        cJSON_AddNullToObject(root, "at");
        if ((rc = follow_at(d, &at, err)) < 0)
            goto out;
    } else {
        cJSON_AddNumberToObject(root, "at", (double)at);
    }
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        struct dash_run *r = &d->runs[i];
        cJSON *o = cJSON_CreateObject();
        sqlite3 *db = NULL;
        cJSON_AddItemToArray(runs, o);
        cJSON_AddStringToObject(o, "name", r->name);
        cJSON_AddBoolToObject(o, "ready", r->ready);
        if (!r->ready)
            continue;
        cJSON_AddStringToObject(o, "stack", lk_stack_name(r->stack));
        cJSON_AddBoolToObject(o, "finished", finished(r));
        if ((rc = open_db(r, r->stack == LK_STACK_LAMBDA, &db, err)) == 0)
            rc = r->stack == LK_STACK_KAPPA
                     ? kappa_state(d, r, db, at, &d->groups[group], metric, o, sp, err)
                     : lambda_state(d, r, db, at, &d->groups[group], metric, o, sp, err);
        lk_store_close(db);
    }
    if (rc < 0)
        goto out;
    /* the truth so far: over the events arrived by the instant shown (when every run has
     * finished: the latest instant any run reached) */
    if ((rc = truth_at(d, at != LK_TIME_POS_INF ? at : sp[1].hi, err)) < 0)
        goto out;
    truth = cJSON_AddArrayToObject(root, "truth");
    for (size_t i = 0; i < d->truth->n; i++) {
        const struct lk_csv_row *row = d->truth->rows[i];
        struct lk_str key[LK_SPEC_MAX_GROUP];
        for (size_t k = 0; k < d->spec.ngroup; k++)
            key[k] = (struct lk_str){ d->groups[group].vals[k], strlen(d->groups[group].vals[k]) };
        if (same_group(row, key, d->spec.ngroup))
            add_pair(truth, (double)row->window_start, (double)row->values[metric]);
    }
    cJSON_AddNumberToObject(root, "now", (double)sp[1].hi);
    cJSON_AddNumberToObject(root, "t_min", (double)sp[0].lo);
    cJSON_AddNumberToObject(root, "t_max", (double)sp[0].hi);
    *json = cJSON_PrintUnformatted(root);
out:
    cJSON_Delete(root);
    return rc;
}
