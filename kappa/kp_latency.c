/* Per-event latency of a Kappa run and row histories (see kp_latency.h). */
#include "kp_latency.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_checkpoint.h"
#include "lk_agg.h"
#include "lk_csv.h"
#include "lk_file.h"
#include "lk_firsts.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_model.h"
#include "lk_source.h"
#include "lk_store.h"
#include "lk_strtab.h"
#include "lk_run.h"
#include "lk_time.h"
#include "lk_truth.h"
#include "banned.h"

#define NEVER LK_TIME_POS_INF
#define MAX_WINDOWS 1024 /* lk_spec caps size/slide at 1000 windows per event */

/* ------------------------------------------------------------- the run ---- */

/* What run.json and serving.db say about the run. */
struct run_desc {
    const char *run;
    cJSON *json;
    const char *data, *cost_model;
    enum lk_mode mode;
    int continuous, files, change_feed, version;
    struct lk_spec spec;
    char table[32]; /* output_v<K> */
    sqlite3 *db;
};

static char *path_in(const char *run, const char *name)
{
    size_t n = strlen(run) + strlen(name) + 2;
    char *p = lk_xmalloc(n);
    snprintf(p, n, "%s/%s", run, name);
    return p;
}

static const char *param_str(const cJSON *params, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(params, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* The spec the run stored in meta (spec_v<K>). */
static int load_spec(struct run_desc *r, struct lk_err *err)
{
    char key[32];
    sqlite3_stmt *st;
    int rc = lk_store_prepare(r->db, "SELECT value FROM meta WHERE key = ?", &st, err);
    if (rc < 0)
        return rc;
    snprintf(key, sizeof(key), "spec_v%d", r->version);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = lk_spec_parse(&r->spec, (const char *)sqlite3_column_text(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0), "serving.db meta", err);
    else
        rc = lk_err_set(err, LK_EINPUT,
                        "run '%s' has no pipeline spec for version %d in "
                        "serving.db",
                        r->run, r->version);
    sqlite3_finalize(st);
    return rc;
}

static int parse_params(struct run_desc *r, struct lk_err *err)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(r->json, "parameters");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(params, "version");
    const char *mode = param_str(params, "output_mode"), *trigger = param_str(params, "trigger");
    const char *source = param_str(params, "source"), *stack = param_str(r->json, "stack");
    int m = lk_mode_lookup(mode);
    if (lk_run_json_stack(r->json) != LK_STACK_KAPPA)
        return lk_err_set(err, LK_EINPUT, "run '%s' is not a Kappa run (stack '%s')", r->run,
                          stack ? stack : "?");
    r->data = param_str(params, "data");
    r->cost_model = param_str(params, "cost_model");
    if (!r->data || m < 0 || !trigger || !source || !cJSON_IsNumber(version))
        return lk_err_set(err, LK_EINPUT, "run '%s': run.json lacks its parameters", r->run);
    r->mode = (enum lk_mode)m;
    r->continuous = lk_trigger_lookup(trigger) == LK_TRIGGER_CONTINUOUS;
    r->files = strcmp(source, "files") == 0;
    r->change_feed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "change_feed"));
    r->version = version->valueint;
    snprintf(r->table, sizeof(r->table), LK_TABLE_OUTPUT_V "%d", r->version);
    return 0;
}

static void run_close(struct run_desc *r)
{
    lk_store_close(r->db);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof(*r));
}

static int run_open(struct run_desc *r, const char *run, struct lk_err *err)
{
    char *path = path_in(run, "run.json");
    int rc = 0;
    memset(r, 0, sizeof(*r));
    r->run = run;
    if (!lk_is_dir(run))
        rc = lk_err_set(err, LK_ENOENT, "no run '%s'", run);
    else if (!lk_is_file(path))
        rc = lk_err_set(err, LK_ENOENT, "no finished run in '%s' (no run.json)", run);
    else
        rc = lk_json_read_file(path, &r->json, err);
    free(path);
    if (rc == 0)
        rc = parse_params(r, err);
    path = path_in(run, "serving.db");
    if (rc == 0 && !lk_is_file(path))
        rc = lk_err_set(err, LK_ENOENT, "run '%s' has no serving.db", run);
    if (rc == 0 && (rc = lk_store_open(&r->db, path, err)) == 0)
        rc = load_spec(r, err);
    free(path);
    if (rc < 0)
        run_close(r);
    return rc;
}

/* ------------------------------------------------------------ batches ---- */

/* Which batch took which line, and when each batch became visible. */
struct batches {
    size_t n;      /* batches with planned offsets */
    size_t nparts; /* log partitions (1 for the files source: files_end) */
    uint64_t *end; /* n * nparts: end line per partition (or files_end) after batch i */
    int64_t *vis;  /* visible time of batch i (NEVER: not in the sink) */
};

static void batches_release(struct batches *b)
{
    free(b->end);
    free(b->vis);
}

static int load_visible(const struct run_desc *r, struct batches *b, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(r->db,
                              "SELECT batch_id, visible_time FROM progress WHERE "
                              "version = ? ORDER BY batch_id DESC, rowid DESC",
                              &st, err);
    if (rc < 0)
        return rc;
    b->vis = lk_xreallocarray(NULL, b->n ? b->n : 1, sizeof(*b->vis));
    for (size_t i = 0; i < b->n; i++)
        b->vis[i] = NEVER;
    sqlite3_bind_int(st, 1, r->version);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) { /* the first row of a batch wins */
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        if (id >= 0 && (uint64_t)id < b->n)
            b->vis[id] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0
                             : lk_err_set(err, LK_EDB, "cannot read progress of run '%s': %s",
                                          r->run, sqlite3_errmsg(r->db));
}

static int read_offsets(struct kp_ckpt *c, const struct run_desc *r, struct batches *b,
                        struct lk_err *err)
{
    struct kp_offsets *o = lk_xmalloc(sizeof(*o));
    int64_t lo, lc;
    int rc = kp_ckpt_latest(c, &lo, &lc, err);
    b->n = rc == 0 && lo >= 0 ? (size_t)lo + 1 : 0;
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        if ((rc = kp_ckpt_read_offsets(c, i, o, err)) < 0)
            break;
        if (i == 0) {
            b->nparts = r->files ? 1 : o->nparts;
            b->end = lk_xreallocarray(NULL, b->n * (b->nparts ? b->nparts : 1), sizeof(*b->end));
        }
        if (!r->files && o->nparts != b->nparts) {
            rc = lk_err_set(err, LK_ECORRUPT,
                            "checkpoint of run '%s': batch %zu has %zu "
                            "partitions, batch 0 %zu",
                            r->run, i, o->nparts, b->nparts);
            break;
        }
        for (size_t p = 0; p < b->nparts; p++)
            b->end[i * b->nparts + p] = r->files ? o->files_end : o->line[p];
    }
    free(o);
    return rc;
}

static int load_batches(const struct run_desc *r, struct batches *b, struct lk_err *err)
{
    char name[32], *dir, *meta_path, *meta = NULL;
    size_t len;
    struct kp_ckpt *c = NULL;
    int rc;
    memset(b, 0, sizeof(*b));
    if (r->continuous) /* rows show per event: the batch is not needed */
        return load_visible(r, b, err);
    if (r->version == 1)
        snprintf(name, sizeof(name), "checkpoint");
    else
        snprintf(name, sizeof(name), "checkpoint-v%d", r->version);
    dir = path_in(r->run, name);
    meta_path = path_in(dir, "metadata");
    rc = lk_file_read_checked(meta_path, 1 << 20, &meta, &len, err);
    if (rc == 0 && (rc = kp_ckpt_open(&c, dir, meta, LK_DURABLE_PROCESS, err)) == 0)
        rc = read_offsets(c, r, b, err);
    if (rc == 0)
        rc = load_visible(r, b, err);
    kp_ckpt_close(c);
    free(meta);
    free(meta_path);
    free(dir);
    return rc;
}

/* --------------------------------------------------------- result rows ---- */

/* One output row, by (group tuple, window_start). */
struct row {
    uint32_t tuple;
    int64_t start, end;
    int64_t vis;   /* visible_time in the output table (append: its emission) */
    int64_t since; /* from when it holds its final value */
    int ok;        /* final value == truth, key present once */
};

struct rows {
    struct lk_strtab *values, *tuples; /* group strings; tuples as bytes of value ids */
    struct row *v;
    size_t n, cap;
    uint32_t *map; /* row index + 1 by (tuple, start); 0 = empty */
    size_t map_size;
};

static uint64_t key_hash(uint64_t a, int64_t b, int64_t c)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (uint64_t)b * 0xc2b2ae3d27d4eb4fULL ^ (uint64_t)c;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static void rows_release(struct rows *t)
{
    lk_strtab_free(t->values);
    lk_strtab_free(t->tuples);
    free(t->v);
    free(t->map);
}

static void rows_rehash(struct rows *t, size_t size)
{
    free(t->map);
    t->map = lk_xcalloc(size, sizeof(*t->map));
    t->map_size = size;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = key_hash(t->v[i].tuple, t->v[i].start, 0) & (size - 1);
        while (t->map[h])
            h = (h + 1) & (size - 1);
        t->map[h] = (uint32_t)i + 1;
    }
}

/* The slot of (tuple, start) in the map: holding it, or the empty slot where it would go. */
static size_t rows_slot(const struct rows *t, uint32_t tuple, int64_t start)
{
    size_t mask = t->map_size - 1, h = key_hash(tuple, start, 0) & mask;
    for (; t->map[h]; h = (h + 1) & mask) {
        const struct row *r = &t->v[t->map[h] - 1];
        if (r->tuple == tuple && r->start == start)
            break;
    }
    return h;
}

static struct row *rows_find(const struct rows *t, uint32_t tuple, int64_t start)
{
    size_t h = rows_slot(t, tuple, start);
    return t->map[h] ? &t->v[t->map[h] - 1] : NULL;
}

/* The tuple id of group strings g[0..ngroup); intern or only find (UINT32_MAX: absent). */
static uint32_t tuple_of(struct rows *t, const struct lk_spec *spec, const struct lk_str *g,
                         int intern)
{
    uint32_t ids[LK_SPEC_MAX_GROUP];
    for (size_t i = 0; i < spec->ngroup; i++) {
        ids[i] = intern ? lk_strtab_intern(t->values, g[i].ptr, g[i].len, NULL)
                        : lk_strtab_find(t->values, g[i].ptr, g[i].len);
        if (ids[i] == UINT32_MAX)
            return UINT32_MAX;
    }
    if (intern)
        return lk_strtab_intern(t->tuples, (const char *)ids, spec->ngroup * sizeof(ids[0]), NULL);
    return lk_strtab_find(t->tuples, (const char *)ids, spec->ngroup * sizeof(ids[0]));
}

static int same_values(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t naggs)
{
    if (a->window_end != b->window_end)
        return 0;
    for (size_t i = 0; i < naggs; i++)
        if (a->values[i] != b->values[i])
            return 0;
    return 1;
}

/* Add one output row (k: its key and values, strings valid for this call). */
static void rows_add(struct rows *t, const struct lk_spec *spec, const struct lk_result *truth,
                     const struct lk_csv_row *k, int64_t vis)
{
    const struct lk_csv_row *tr = lk_result_find(truth, k);
    uint32_t tuple = tuple_of(t, spec, k->group, 1);
    size_t h = rows_slot(t, tuple, k->window_start);
    struct row *r;
    if (t->map[h]) { /* a key written twice (at-least-once replay): never correct */
        r = &t->v[t->map[h] - 1];
        r->ok = 0;
        if (vis < r->vis)
            r->vis = r->since = vis;
        return;
    }
    LK_GROW(t->v, t->cap, t->n + 1);
    r = &t->v[t->n++];
    r->tuple = tuple;
    r->start = k->window_start;
    r->end = k->window_end;
    r->vis = r->since = vis;
    r->ok = tr && same_values(tr, k, spec->naggs);
    t->map[h] = (uint32_t)t->n;
    if (t->n * 2 > t->map_size)
        rows_rehash(t, t->map_size * 2);
}

/* "SELECT <groups>, window_start, window_end, <aggs>" (the row's columns in order). */
static void select_row(const struct lk_spec *spec, char *sql, size_t size)
{
    size_t n = (size_t)snprintf(sql, size, "SELECT ");
    for (size_t g = 0; g < spec->ngroup && n < size; g++)
        n += (size_t)snprintf(sql + n, size - n, "\"%s\", ", lk_field_name(spec->group[g]));
    if (n < size)
        n += (size_t)snprintf(sql + n, size - n, "window_start, window_end");
    for (size_t i = 0; i < spec->naggs && n < size; i++)
        n += (size_t)snprintf(sql + n, size - n, ", \"%s\"", spec->aggs[i].as);
}

/* Column c of st as a string slice (valid until the next step). */
static struct lk_str col_str(sqlite3_stmt *st, int c)
{
    struct lk_str s;
    s.ptr = (const char *)sqlite3_column_text(st, c);
    s.len = (size_t)sqlite3_column_bytes(st, c);
    if (!s.ptr)
        s.ptr = "";
    return s;
}

/* A row read by a select_row statement (strings valid until the next step). */
static void row_from(sqlite3_stmt *st, const struct lk_spec *spec, struct lk_csv_row *k)
{
    int c = 0;
    memset(k, 0, sizeof(*k));
    for (size_t g = 0; g < spec->ngroup; g++)
        k->group[g] = col_str(st, c++);
    k->window_start = sqlite3_column_int64(st, c++);
    k->window_end = sqlite3_column_int64(st, c++);
    for (size_t i = 0; i < spec->naggs; i++)
        k->values[i] = sqlite3_column_int64(st, c++);
}

static int step_error(const struct run_desc *r, const char *what, struct lk_err *err)
{
    return lk_err_set(err, LK_EDB, "cannot read %s of run '%s': %s", what, r->run,
                      sqlite3_errmsg(r->db));
}

static int load_rows(const struct run_desc *r, const struct lk_result *truth, struct rows *t,
                     struct lk_err *err)
{
    char sql[4096];
    size_t n;
    sqlite3_stmt *st;
    int rc;
    select_row(&r->spec, sql, sizeof(sql));
    n = strlen(sql);
    snprintf(sql + n, sizeof(sql) - n, ", visible_time FROM \"%s\"", r->table);
    if ((rc = lk_store_prepare(r->db, sql, &st, err)) < 0)
        return rc;
    t->values = lk_strtab_new();
    t->tuples = lk_strtab_new();
    rows_rehash(t, 1024);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lk_csv_row k;
        row_from(st, &r->spec, &k);
        rows_add(t, &r->spec, truth, &k,
                 sqlite3_column_int64(st, (int)(r->spec.ngroup + 2 + r->spec.naggs)));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : step_error(r, "the output", err);
}

/* Complete mode: since = the last change of the row in the change feed. */
static int load_changes(const struct run_desc *r, struct rows *t, struct lk_err *err)
{
    char sql[4096];
    size_t n;
    sqlite3_stmt *st;
    int rc;
    if (!r->change_feed)
        return lk_err_set(err, LK_EINPUT,
                          "run '%s' is in complete mode, which rewrites every row "
                          "each batch: its correct latency needs each row's last change (run "
                          "'lklab kappa' with --change-feed)",
                          r->run);
    select_row(&r->spec, sql, sizeof(sql));
    n = strlen(sql);
    snprintf(sql + n, sizeof(sql) - n,
             ", visible_time FROM changes WHERE version = ? AND "
             "op = 'upsert' ORDER BY rowid");
    if ((rc = lk_store_prepare(r->db, sql, &st, err)) < 0)
        return rc;
    sqlite3_bind_int(st, 1, r->version);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lk_csv_row k;
        uint32_t tuple;
        struct row *row;
        row_from(st, &r->spec, &k);
        tuple = tuple_of(t, &r->spec, k.group, 0);
        row = tuple == UINT32_MAX ? NULL : rows_find(t, tuple, k.window_start);
        if (row)
            row->since = sqlite3_column_int64(st, (int)(r->spec.ngroup + 2 + r->spec.naggs));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : step_error(r, "the change feed", err);
}

static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->tuple != y->tuple)
        return x->tuple < y->tuple ? -1 : 1;
    return (x->start > y->start) - (x->start < y->start);
}

/* Sessions: rows sorted by (tuple, start) for session_find (the map is rebuilt). */
static void rows_sort(struct rows *t)
{
    qsort(t->v, t->n, sizeof(*t->v), cmp_row);
    rows_rehash(t, t->map_size);
}

/* Sessions: the row of tuple with the latest start <= time, if it contains time. */
static const struct row *session_find(const struct rows *t, uint32_t tuple, int64_t time)
{
    size_t lo = 0, hi = t->n; /* first index with (tuple, start) > (tuple, time) */
    const struct row *r;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        r = &t->v[mid];
        if (r->tuple < tuple || (r->tuple == tuple && r->start <= time))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    r = &t->v[lo - 1];
    return r->tuple == tuple && time < r->end ? r : NULL;
}

/* -------------------------------------------------------------- late ---- */

/* The late (event, window) pairs: (event_id, arrival_time, window_start). */
struct late_key {
    uint32_t id;
    int64_t arrival, start;
};

struct lateset {
    struct lk_strtab *ids;
    struct late_key *v;
    size_t n, cap;
    uint32_t *map;
    size_t map_size;
};

static void late_release(struct lateset *l)
{
    lk_strtab_free(l->ids);
    free(l->v);
    free(l->map);
}

static size_t late_slot(const struct lateset *l, const struct late_key *k)
{
    size_t mask = l->map_size - 1, h = key_hash(k->id, k->arrival, k->start) & mask;
    for (; l->map[h]; h = (h + 1) & mask) {
        const struct late_key *x = &l->v[l->map[h] - 1];
        if (x->id == k->id && x->arrival == k->arrival && x->start == k->start)
            break;
    }
    return h;
}

static void late_rehash(struct lateset *l, size_t size)
{
    free(l->map);
    l->map = lk_xcalloc(size, sizeof(*l->map));
    l->map_size = size;
    for (size_t i = 0; i < l->n; i++)
        l->map[late_slot(l, &l->v[i])] = (uint32_t)i + 1;
}

static int late_has(const struct lateset *l, uint32_t id, int64_t arrival, int64_t start)
{
    struct late_key k = { id, arrival, start };
    return l->map[late_slot(l, &k)] != 0;
}

static int load_late(const struct run_desc *r, struct lateset *l, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(r->db,
                              "SELECT event_id, arrival_time, window_start FROM late "
                              "WHERE version = ?",
                              &st, err);
    if (rc < 0)
        return rc;
    l->ids = lk_strtab_new();
    late_rehash(l, 64);
    sqlite3_bind_int(st, 1, r->version);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lk_str id = col_str(st, 0);
        struct late_key k;
        size_t h;
        k.id = lk_strtab_intern(l->ids, id.ptr, id.len, NULL);
        k.arrival = sqlite3_column_int64(st, 1);
        k.start = sqlite3_column_int64(st, 2);
        h = late_slot(l, &k);
        if (l->map[h])
            continue;
        LK_GROW(l->v, l->cap, l->n + 1);
        l->v[l->n++] = k;
        l->map[h] = (uint32_t)l->n;
        if (l->n * 2 > l->map_size)
            late_rehash(l, l->map_size * 2);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : step_error(r, "the late table", err);
}

/* ------------------------------------------------------------ events ---- */

struct latency {
    struct run_desc r;
    struct batches b;
    struct rows rows;
    struct lateset late;
    int64_t cost1;            /* continuous: virtual cost of one event */
    size_t cur[KP_MAX_PARTS]; /* per partition: the batch that takes the next line */
    struct lk_lat *fv, *cor;
};

/* The row of window start (session: containing the event time) of tuple, or NULL. */
static const struct row *row_of(const struct latency *c, uint32_t tuple, int64_t start,
                                int64_t time)
{
    if (tuple == UINT32_MAX)
        return NULL;
    if (c->r.spec.window.kind == LK_WIN_SESSION)
        return session_find(&c->rows, tuple, time);
    return rows_find(&c->rows, tuple, start);
}

/* One sample: e's windows -> first-visible and correct (see kp_latency.h). */
static void sample(struct latency *c, const struct lk_event *ev, int64_t batch_vis)
{
    int64_t starts[MAX_WINDOWS], fv = NEVER, cor = LK_TIME_NEG_INF;
    const struct lk_str *id = &ev->str[LK_F_EVENT_ID];
    uint32_t tuple, lid = UINT32_MAX;
    size_t nw;
    int never = 0;
    if (c->r.spec.window.kind == LK_WIN_SESSION) { /* late is judged on its own session */
        starts[0] = ev->event_time;
        nw = 1;
    } else {
        nw = lk_spec_windows(&c->r.spec, ev->event_time, starts);
    }
    {
        struct lk_str g[LK_SPEC_MAX_GROUP];
        for (size_t i = 0; i < c->r.spec.ngroup; i++)
            g[i] = ev->str[c->r.spec.group[i]];
        tuple = tuple_of(&c->rows, &c->r.spec, g, 0);
    }
    if (c->late.n)
        lid = lk_strtab_find(c->late.ids, id->ptr, id->len);
    for (size_t k = 0; k < nw; k++) {
        const struct row *row;
        int64_t f;
        if (lid != UINT32_MAX && late_has(&c->late, lid, ev->arrival_time, starts[k])) {
            never = 1;
            continue;
        }
        row = row_of(c, tuple, starts[k], ev->event_time);
        f = c->r.mode == LK_MODE_APPEND ? (row ? row->vis : NEVER)
            : c->r.continuous           ? ev->arrival_time + c->cost1
                                        : batch_vis;
        if (f < fv)
            fv = f;
        if (f == NEVER || !row || !row->ok) {
            never = 1;
            continue;
        }
        if ((row->since > f ? row->since : f) > cor)
            cor = row->since > f ? row->since : f;
    }
    if (fv == NEVER)
        lk_lat_never(c->fv);
    else
        lk_lat_add(c->fv, fv - ev->arrival_time);
    if (never || cor == LK_TIME_NEG_INF)
        lk_lat_never(c->cor);
    else
        lk_lat_add(c->cor, cor - ev->arrival_time);
}

/* The first valid copy of an event, at line `line` of partition (or landing file) part. */
static void take_first(struct latency *c, const struct lk_event *ev, size_t part, uint64_t line)
{
    int64_t vis = NEVER;
    if (!lk_spec_accepts(&c->r.spec, ev))
        return;
    if (!c->r.continuous) {
        size_t np = c->b.nparts, p = c->r.files ? 0 : part, *cur = &c->cur[p];
        uint64_t pos = c->r.files ? part : line;
        while (*cur < c->b.n && c->b.end[*cur * np + p] <= pos)
            (*cur)++;
        if (*cur < c->b.n)
            vis = c->b.vis[*cur];
    }
    sample(c, ev, vis);
}

/* Every first copy of the run's dataset: given when it is current, else read here. */
static int read_events(struct latency *c, const struct lk_firsts *given, struct lk_err *err)
{
    const struct lk_firsts *f = given;
    struct lk_firsts *own = NULL;
    size_t want = c->r.continuous || c->r.files || !c->b.n ? 0 : c->b.nparts;
    int rc = 0;
    if (c->r.files || !lk_firsts_current(given, c->r.data)) {
        if ((rc = lk_firsts_load(c->r.data, c->r.files, &own, err)) < 0)
            return rc;
        f = own;
    }
    if (want && f->nparts != want)
        rc = lk_err_set(err, LK_EINPUT, "dataset '%s' has %zu partitions, the run's checkpoint %zu",
                        c->r.data, f->nparts, want);
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        struct lk_event ev;
        lk_firsts_event(f, i, &ev);
        take_first(c, &ev, f->v[i].part, f->v[i].line);
    }
    lk_firsts_free(own);
    return rc;
}

int kp_latency(const char *run, const char *truth_csv, const struct lk_firsts *events,
               struct lk_lat *first_visible, struct lk_lat *correct, struct lk_err *err)
{
    struct latency *c = lk_xcalloc(1, sizeof(*c));
    struct lk_result *truth = NULL;
    int rc;
    c->fv = first_visible;
    c->cor = correct;
    if ((rc = run_open(&c->r, run, err)) < 0)
        goto out;
    if (c->r.continuous && c->r.mode != LK_MODE_APPEND) {
        struct lk_model m;
        if ((rc = lk_model_load(&m, c->r.cost_model ? c->r.cost_model : "default", err)) < 0)
            goto out;
        c->cost1 = lk_model_continuous_ms(&m, 1);
    }
    if ((rc = load_batches(&c->r, &c->b, err)) < 0
        || (rc = lk_truth_final(&c->r.spec, c->r.data, truth_csv, &truth, err)) < 0
        || (rc = load_rows(&c->r, truth, &c->rows, err)) < 0
        || (c->r.mode == LK_MODE_COMPLETE && (rc = load_changes(&c->r, &c->rows, err)) < 0)
        || (rc = load_late(&c->r, &c->late, err)) < 0)
        goto out;
    if (c->r.spec.window.kind == LK_WIN_SESSION)
        rows_sort(&c->rows);
    rc = read_events(c, events, err);
out:
    lk_result_free(truth);
    late_release(&c->late);
    rows_release(&c->rows);
    batches_release(&c->b);
    run_close(&c->r);
    free(c);
    return rc;
}

/* ------------------------------------------------------- row history ---- */

/* Split a canonical CSV key into n fields (quoted fields unquoted) in buf; 0 or -1. */
static int split_key(const char *key, char *buf, struct lk_str *f, size_t n)
{
    const char *p = key;
    char *o = buf;
    for (size_t i = 0; i < n; i++) {
        f[i].ptr = o;
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    return -1;
                if (*p == '"' && p[1] != '"')
                    break;
                if (*p == '"')
                    p++;
                *o++ = *p;
            }
            p++;
        } else {
            while (*p && *p != ',')
                *o++ = *p++;
        }
        f[i].len = (size_t)(o - f[i].ptr);
        if (i + 1 < n && *p++ != ',')
            return -1;
    }
    return *p == '\0' ? 0 : -1;
}

static int history_query(const struct run_desc *r, const struct lk_str *f, int64_t start,
                         size_t col, struct lk_point **pts, size_t *n, struct lk_err *err)
{
    char sql[4096];
    size_t len, cap = 0;
    sqlite3_stmt *st;
    int feed = r->change_feed && r->mode != LK_MODE_APPEND, rc, p = 1;
    int money = lk_agg_is_money(r->spec.aggs[col].fn);
    if (feed)
        len = (size_t)snprintf(sql, sizeof(sql),
                               "SELECT visible_time, op = 'retract', \"%s\" "
                               "FROM changes WHERE version = %d",
                               r->spec.aggs[col].as, r->version);
    else
        len = (size_t)snprintf(sql, sizeof(sql),
                               "SELECT visible_time, 0, \"%s\" FROM \"%s\" "
                               "WHERE 1",
                               r->spec.aggs[col].as, r->table);
    for (size_t g = 0; g < r->spec.ngroup; g++)
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND \"%s\" = ?",
                                lk_field_name(r->spec.group[g]));
    snprintf(sql + len, sizeof(sql) - len, " AND window_start = ? ORDER BY %s",
             feed ? "rowid" : "visible_time, rowid");
    if ((rc = lk_store_prepare(r->db, sql, &st, err)) < 0)
        return rc;
    for (size_t g = 0; g < r->spec.ngroup; g++)
        sqlite3_bind_text(st, p++, f[g].ptr, (int)f[g].len, SQLITE_STATIC);
    sqlite3_bind_int64(st, p, start);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(st, 2);
        LK_GROW(*pts, cap, *n + 1);
        (*pts)[*n].t = sqlite3_column_int64(st, 0);
        (*pts)[*n].v = sqlite3_column_int(st, 1) ? NAN : money ? (double)v / 100.0 : (double)v;
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : step_error(r, "a row history", err);
}

int kp_row_history(const char *run, const char *key, const char *col, struct lk_point **pts,
                   size_t *n, struct lk_err *err)
{
    struct run_desc r;
    struct lk_str f[LK_SPEC_MAX_GROUP + 1];
    char *buf = lk_xmalloc(strlen(key) + 1);
    int64_t start;
    size_t c;
    int rc;
    *pts = NULL;
    *n = 0;
    if ((rc = run_open(&r, run, err)) < 0) {
        free(buf);
        return rc;
    }
    for (c = 0; c < r.spec.naggs && strcmp(r.spec.aggs[c].as, col) != 0; c++)
        ;
    if (c == r.spec.naggs)
        rc = lk_err_set(err, LK_EINPUT, "pipeline '%s' has no aggregate '%s'", r.spec.name, col);
    else if (split_key(key, buf, f, r.spec.ngroup + 1) < 0
             || lk_time_parse(f[r.spec.ngroup].ptr, f[r.spec.ngroup].len, &start) < 0)
        rc = lk_err_set(err, LK_EINPUT,
                        "bad row key '%s' (want %zu group value%s and the "
                        "window start, e.g. t01,view,2026-01-01T00:00:00.000Z)",
                        key, r.spec.ngroup, r.spec.ngroup == 1 ? "" : "s");
    else if ((rc = history_query(&r, f, start, c, pts, n, err)) == 0 && *n == 0)
        rc = lk_err_set(err, LK_ENOENT, "run '%s' has no row '%s'", run, key);
    if (rc < 0) {
        free(*pts);
        *pts = NULL;
        *n = 0;
    }
    run_close(&r);
    free(buf);
    return rc;
}
