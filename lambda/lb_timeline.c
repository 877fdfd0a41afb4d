/* lb_timeline - a finished Lambda run in memory, serving values at any instant (see .h). */
#include "lb_timeline.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "lb_db.h"
#include "lb_rundir.h"
#include "lk_event.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_kafka.h"
#include "lk_mem.h"
#include "lk_run.h"
#include "lk_store.h"
#include "banned.h"

/* ------------------------------------------------------------- row map ---- */

static uint64_t row_hash(const uint32_t *g, size_t ng, int64_t ws)
{
    uint64_t h = (uint64_t)ws * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < ng; i++) {
        h ^= g[i] + 0x632be59bd9b4e019ull + (h << 6) + (h >> 2);
        h *= 0xff51afd7ed558ccdull;
    }
    return h ^ (h >> 31);
}

static int row_is(const struct lb_tl *tl, uint32_t r, const uint32_t *g, int64_t ws)
{
    const struct lb_tl_row *row = &tl->rows[r];
    return row->ws == ws && memcmp(row->group, g, tl->spec.ngroup * sizeof(*g)) == 0;
}

uint32_t lb_tl_find(const struct lb_tl *tl, const uint32_t *group, int64_t ws)
{
    size_t mask = tl->mapcap - 1, i;
    if (tl->mapcap == 0)
        return LB_TL_NONE;
    i = (size_t)row_hash(group, tl->spec.ngroup, ws) & mask;
    for (; tl->map[i] != LB_TL_NONE; i = (i + 1) & mask)
        if (row_is(tl, tl->map[i], group, ws))
            return tl->map[i];
    return LB_TL_NONE;
}

static void map_put(uint32_t *map, size_t cap, uint64_t h, uint32_t r)
{
    size_t i = (size_t)h & (cap - 1);
    while (map[i] != LB_TL_NONE)
        i = (i + 1) & (cap - 1);
    map[i] = r;
}

static void map_grow(struct lb_tl *tl)
{
    size_t cap = tl->mapcap ? tl->mapcap * 2 : 1024;
    uint32_t *map = lk_xreallocarray(NULL, cap, sizeof(*map));
    memset(map, 0xff, cap * sizeof(*map));
    for (uint32_t r = 0; r < tl->nrows; r++)
        map_put(map, cap, row_hash(tl->rows[r].group, tl->spec.ngroup, tl->rows[r].ws), r);
    free(tl->map);
    tl->map = map;
    tl->mapcap = cap;
}

/* The row of (group, ws), added when new. */
static uint32_t row_get(struct lb_tl *tl, const uint32_t *group, int64_t ws)
{
    uint32_t r = lb_tl_find(tl, group, ws);
    struct lb_tl_row *row;
    if (r != LB_TL_NONE)
        return r;
    if ((tl->nrows + 1) * 2 > tl->mapcap)
        map_grow(tl);
    LK_GROW(tl->rows, tl->caprows, tl->nrows + 1);
    r = (uint32_t)tl->nrows++;
    row = &tl->rows[r];
    memset(row, 0, sizeof(*row));
    memcpy(row->group, group, tl->spec.ngroup * sizeof(*group));
    row->ws = ws;
    row->b0 = LB_TL_NONE; /* while loading: its last batch entry */
    map_put(tl->map, tl->mapcap, row_hash(group, tl->spec.ngroup, ws), r);
    return r;
}

/* ------------------------------------------------------------- loading ---- */

static int read_runjson(struct lb_tl *tl, const char *run, struct lk_err *err)
{
    size_t n = strlen(run) + 16;
    char *path = lk_xmalloc(n);
    cJSON *root = NULL;
    const cJSON *data;
    int rc;
    snprintf(path, n, "%s/run.json", run);
    if (!lk_is_file(path)) {
        rc = lk_err_set(err, LK_ENOENT, "'%s' is not a finished lambda run (no run.json)", run);
        goto out;
    }
    if ((rc = lk_json_read_file(path, &root, err)) < 0)
        goto out;
    data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (lk_run_json_stack(root) != LK_STACK_LAMBDA || !cJSON_IsString(data))
        rc = lk_err_set(err, LK_EUSAGE, "'%s' is not a lambda run (run.json)", run);
    else if (lk_kafka_is_url(data->valuestring)) /* the topic's lines, as the run read them */
        tl->data = lb_rundir_path(run, "source");
    else
        tl->data = lk_xstrdup(data->valuestring);
out:
    cJSON_Delete(root);
    free(path);
    return rc;
}

static int step_error(sqlite3 *db, int rc, const char *what, struct lk_err *err)
{
    if (rc == SQLITE_DONE)
        return 0;
    return lk_err_set(err, LK_EDB, "cannot read %s: %s", what, sqlite3_errmsg(db));
}

static int load_views(struct lb_tl *tl, sqlite3 *db, struct lk_err *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc = lk_store_prepare(db,
                              "SELECT view_id, cutoff, visible_at FROM batch_views "
                              "ORDER BY view_id",
                              &st, err);
    if (rc < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lb_tl_view *v;
        LK_GROW(tl->views, cap, tl->nv + 1);
        v = &tl->views[tl->nv++];
        v->id = sqlite3_column_int64(st, 0);
        v->cutoff = sqlite3_column_int64(st, 1);
        v->visible = sqlite3_column_int64(st, 2);
    }
    rc = step_error(db, rc, LK_TABLE_BATCH_VIEWS, err);
    sqlite3_finalize(st);
    for (size_t i = 1; rc == 0 && i < tl->nv; i++)
        if (tl->views[i].visible < tl->views[i - 1].visible
            || tl->views[i].cutoff < tl->views[i - 1].cutoff)
            rc = lk_err_set(err, LK_ECORRUPT,
                            "batch view %lld lands or cuts off before the "
                            "previous one",
                            (long long)tl->views[i].id);
    if (rc == 0 && tl->nv == 0)
        rc = lk_err_set(err, LK_ECORRUPT, "the run has no batch view");
    if (rc == 0)
        tl->end = tl->views[tl->nv - 1].visible;
    return rc;
}

static int load_jobs(struct lb_tl *tl, sqlite3 *db, struct lk_err *err)
{
    sqlite3_stmt *st;
    size_t cap1 = 0, cap2 = 0;
    int rc = lk_store_prepare(db,
                              "SELECT trigger_time, visible_time FROM progress WHERE "
                              "layer = 'speed' ORDER BY job",
                              &st, err);
    if (rc < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        LK_GROW(tl->job_bucket, cap1, tl->njobs + 1);
        LK_GROW(tl->job_visible, cap2, tl->njobs + 1);
        tl->job_bucket[tl->njobs] = sqlite3_column_int64(st, 0);
        tl->job_visible[tl->njobs++] = sqlite3_column_int64(st, 1);
    }
    rc = step_error(db, rc, "the speed progress", err);
    sqlite3_finalize(st);
    return rc;
}

/* Intern the group columns starting at col into g. */
static void read_group(struct lb_tl *tl, sqlite3_stmt *st, int col, uint32_t *g)
{
    for (size_t i = 0; i < tl->spec.ngroup; i++, col++) {
        const char *s = (const char *)sqlite3_column_text(st, col);
        size_t len = (size_t)sqlite3_column_bytes(st, col);
        g[i] = lk_strtab_intern(tl->strs, s ? s : "", s ? len : 0, NULL);
    }
}

/*
 * Append the values at col and the sketches after them; returns (vals, hll). A sketch is
 * checked here (merged into the scratch sketch), so reading it later cannot fail:
 * LK_ECORRUPT naming the table when the database holds something else.
 */
static int append_values(struct lb_tl *tl, sqlite3_stmt *st, int col, size_t *vals, size_t *hll,
                         const char *table, struct lk_err *err)
{
    size_t na = tl->spec.naggs;
    LK_GROW(tl->vals, tl->capvals, tl->nvals + na);
    *vals = tl->nvals;
    for (size_t a = 0; a < na; a++)
        tl->vals[tl->nvals++] = sqlite3_column_int64(st, col++);
    *hll = tl->nd ? tl->nblobs : SIZE_MAX;
    for (size_t d = 0; d < tl->nd; d++, col++) {
        const void *b = sqlite3_column_blob(st, col);
        uint32_t len = (uint32_t)sqlite3_column_bytes(st, col);
        lk_hll_clear(&tl->scratch);
        if (lk_hll_merge_blob(&tl->scratch, b, len) < 0)
            return lk_err_set(err, LK_ECORRUPT,
                              "%s holds a distinct-count sketch that is not "
                              "one (column %d)",
                              table, col + 1);
        LK_GROW(tl->blobs, tl->capblobs, tl->nblobs + 4 + len);
        memcpy(tl->blobs + tl->nblobs, &len, 4);
        if (len)
            memcpy(tl->blobs + tl->nblobs + 4, b, len);
        tl->nblobs += 4 + len;
    }
    return 0;
}

/* Bytes of the sketches stored at off. */
static size_t sketches_len(const struct lb_tl *tl, size_t off)
{
    size_t n = 0;
    for (size_t d = 0; d < tl->nd; d++) {
        uint32_t len;
        memcpy(&len, tl->blobs + off + n, 4);
        n += 4 + len;
    }
    return n;
}

/* 1 when entry e and the values/sketches just appended at (vals, hll) are the same. */
static int same_entry(const struct lb_tl *tl, const struct lb_tl_batch *e, size_t vals, size_t hll)
{
    size_t n;
    if (memcmp(tl->vals + e->vals, tl->vals + vals, tl->spec.naggs * sizeof(int64_t)) != 0)
        return 0;
    if (!tl->nd)
        return 1;
    n = sketches_len(tl, e->hll);
    return n == sketches_len(tl, hll) && memcmp(tl->blobs + e->hll, tl->blobs + hll, n) == 0;
}

static long view_index(const struct lb_tl *tl, int64_t id)
{
    size_t lo = 0, hi = tl->nv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->views[mid].id == id)
            return (long)mid;
        if (tl->views[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int add_batch_row(struct lb_tl *tl, sqlite3_stmt *st, uint32_t vi, struct lk_err *err)
{
    int ng = (int)tl->spec.ngroup, rc;
    uint32_t g[LK_SPEC_MAX_GROUP], r, last;
    size_t vals, hll;
    read_group(tl, st, 1, g);
    r = row_get(tl, g, sqlite3_column_int64(st, 1 + ng));
    if ((rc = append_values(tl, st, 3 + ng, &vals, &hll, "batch_rows", err)) < 0)
        return rc;
    last = tl->rows[r].b0;
    if (last != LB_TL_NONE && tl->batch[last].vto + 1 == vi
        && same_entry(tl, &tl->batch[last], vals, hll)) {
        tl->batch[last].vto = vi; /* same as in the previous view: extend the run */
        tl->nvals = vals;         /* and drop the copy just appended */
        if (tl->nd)
            tl->nblobs = hll;
        return 0;
    }
    LK_GROW(tl->batch, tl->capb, tl->nb + 1);
    tl->batch[tl->nb] = (struct lb_tl_batch){ r, vi, vi, vals, hll };
    tl->rows[r].b0 = (uint32_t)tl->nb++;
    return 0;
}

static int load_batch(struct lb_tl *tl, sqlite3 *db, struct lk_err *err)
{
    sqlite3_stmt *st;
    int want = 3 + (int)(tl->spec.ngroup + tl->spec.naggs + tl->nd);
    int rc = lk_store_prepare(db, "SELECT * FROM batch_rows ORDER BY view_id", &st, err);
    if (rc < 0)
        return rc;
    if (sqlite3_column_count(st) != want)
        rc = lk_err_set(err, LK_ECORRUPT, "batch_rows has %d columns, the spec needs %d",
                        sqlite3_column_count(st), want);
    while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        long vi = view_index(tl, sqlite3_column_int64(st, 0));
        rc = vi >= 0 ? add_batch_row(tl, st, (uint32_t)vi, err) : 0; /* rows of a view
                                                    never swapped in are invisible */
    }
    if (rc > 0)
        rc = step_error(db, rc, "batch_rows", err);
    sqlite3_finalize(st);
    return rc;
}

static int load_speed(struct lb_tl *tl, sqlite3 *db, struct lk_err *err)
{
    sqlite3_stmt *st;
    int ng = (int)tl->spec.ngroup;
    int want = 5 + (int)(tl->spec.ngroup + tl->spec.naggs + tl->nd);
    int rc = lk_store_prepare(db, "SELECT * FROM speed_delta ORDER BY rowid", &st, err);
    if (rc < 0)
        return rc;
    if (sqlite3_column_count(st) != want)
        rc = lk_err_set(err, LK_ECORRUPT, "speed_delta has %d columns, the spec needs %d",
                        sqlite3_column_count(st), want);
    while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t g[LK_SPEC_MAX_GROUP];
        struct lb_tl_speed *s;
        read_group(tl, st, 3, g);
        LK_GROW(tl->speed, tl->caps, tl->ns + 1);
        s = &tl->speed[tl->ns++];
        s->row = row_get(tl, g, sqlite3_column_int64(st, 3 + ng));
        s->bucket_end = sqlite3_column_int64(st, 1);
        s->visible = sqlite3_column_int64(st, 2);
        rc = append_values(tl, st, 5 + ng, &s->vals, &s->hll, "speed_delta", err);
        if (rc == 0 && tl->ns > 1
            && (s->bucket_end < s[-1].bucket_end || s->visible < s[-1].visible))
            rc = lk_err_set(err, LK_ECORRUPT, "speed_delta: micro-batches out of time order");
    }
    if (rc > 0)
        rc = step_error(db, rc, LK_TABLE_SPEED_DELTA, err);
    sqlite3_finalize(st);
    return rc;
}

/* Group entry indices by row (stable: view order / micro-batch order kept). */
static uint32_t *group_by_row(struct lb_tl *tl, size_t n, const void *entries, size_t size,
                              int batch)
{
    uint32_t *out = lk_xreallocarray(NULL, n ? n : 1, sizeof(*out));
    size_t *next = lk_xcalloc(tl->nrows + 1, sizeof(*next));
    const unsigned char *p = entries;
    for (size_t i = 0; i < n; i++)
        next[*(const uint32_t *)(p + i * size) + 1]++; /* row is the first member */
    for (size_t r = 0; r < tl->nrows; r++) {
        next[r + 1] += next[r];
        if (batch) {
            tl->rows[r].b0 = (uint32_t)next[r];
            tl->rows[r].bn = (uint32_t)(next[r + 1] - next[r]);
        } else {
            tl->rows[r].s0 = (uint32_t)next[r];
            tl->rows[r].sn = (uint32_t)(next[r + 1] - next[r]);
        }
    }
    for (size_t i = 0; i < n; i++)
        out[next[*(const uint32_t *)(p + i * size)]++] = (uint32_t)i;
    free(next);
    return out;
}

/* Part and line of each master line, to pick the first copy of every event_id. */
struct copy_pos {
    int64_t part, line;
};

static void read_line(struct lb_tl *tl, sqlite3_stmt *st, struct lb_tl_line *l)
{
    struct lk_event ev;
    memset(&ev, 0, sizeof(ev));
    for (int f = 0; f < 4; f++) {
        const char *s = (const char *)sqlite3_column_text(st, 2 + f);
        size_t len = (size_t)sqlite3_column_bytes(st, 2 + f);
        l->str[f] = lk_strtab_intern(tl->strs, s ? s : "", s ? len : 0, NULL);
        ev.str[f] = lk_strtab_get(tl->strs, l->str[f]);
    }
    l->value = sqlite3_column_int64(st, 6);
    l->event_time = sqlite3_column_int64(st, 7);
    l->arrival = sqlite3_column_int64(st, 8);
    l->first = 0;
    l->accepted = (uint8_t)lk_spec_accepts(&tl->spec, &ev);
}

/* Mark the first copy (smallest part, line) of each event_id. */
static void mark_first(struct lb_tl *tl, const struct copy_pos *pos)
{
    size_t nids = lk_strtab_count(tl->strs);
    uint32_t *best = lk_xreallocarray(NULL, nids ? nids : 1, sizeof(*best));
    memset(best, 0xff, nids * sizeof(*best));
    for (size_t i = 0; i < tl->nlines; i++) {
        uint32_t id = tl->lines[i].str[LK_F_EVENT_ID], b = best[id];
        if (b == LB_TL_NONE || pos[i].part < pos[b].part
            || (pos[i].part == pos[b].part && pos[i].line < pos[b].line))
            best[id] = (uint32_t)i;
    }
    for (size_t i = 0; i < tl->nlines; i++)
        tl->lines[i].first = best[tl->lines[i].str[LK_F_EVENT_ID]] == i;
    free(best);
}

static int load_master(struct lb_tl *tl, sqlite3 *db, struct lk_err *err)
{
    sqlite3_stmt *st;
    struct copy_pos *pos = NULL;
    size_t cap = 0;
    int rc = lk_store_prepare(db,
                              "SELECT part, line, event_id, tenant, key, type, value, "
                              "event_time, arrival_time FROM master ORDER BY seq",
                              &st, err);
    if (rc < 0)
        return rc;
    tl->first_arrival = INT64_MAX;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lb_tl_line *l;
        LK_GROW(tl->lines, tl->caplines, tl->nlines + 1);
        LK_GROW(pos, cap, tl->nlines + 1);
        pos[tl->nlines] =
            (struct copy_pos){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1) };
        l = &tl->lines[tl->nlines++];
        read_line(tl, st, l);
        if (l->arrival < tl->first_arrival)
            tl->first_arrival = l->arrival;
    }
    rc = step_error(db, rc, "the master dataset", err);
    sqlite3_finalize(st);
    if (rc == 0)
        mark_first(tl, pos);
    if (tl->nlines == 0)
        tl->first_arrival = tl->end;
    free(pos);
    return rc;
}

static int load_db(struct lb_tl *tl, const char *run, struct lk_err *err)
{
    size_t n = strlen(run) + 16;
    char *path = lk_xmalloc(n);
    sqlite3 *db = NULL;
    int rc;
    snprintf(path, n, "%s/serving.db", run);
    if ((rc = lb_db_open(&db, path, 0, err)) < 0
        || (rc = lb_db_load_spec(db, run, &tl->spec, err)) < 0)
        goto out;
    if (tl->spec.window.kind == LK_WIN_SESSION) {
        rc = lk_err_set(err, LK_EUSAGE,
                        "'%s': latency analysis of session windows is not "
                        "supported (spec '%s')",
                        run, tl->spec.name);
        goto out;
    }
    tl->nd = lk_spec_ndistinct(&tl->spec);
    if ((rc = load_views(tl, db, err)) < 0 || (rc = load_jobs(tl, db, err)) < 0
        || (rc = load_batch(tl, db, err)) < 0 || (rc = load_speed(tl, db, err)) < 0
        || (rc = load_master(tl, db, err)) < 0)
        goto out;
    tl->row_b = group_by_row(tl, tl->nb, tl->batch, sizeof(*tl->batch), 1);
    tl->row_s = group_by_row(tl, tl->ns, tl->speed, sizeof(*tl->speed), 0);
out:
    lk_store_close(db);
    free(path);
    return rc;
}

int lb_tl_load(const char *run, struct lb_tl **out, struct lk_err *err)
{
    struct lb_tl *tl = lk_xcalloc(1, sizeof(*tl));
    int rc;
    tl->run = lk_xstrdup(run);
    tl->strs = lk_strtab_new();
    lk_hll_init(&tl->scratch);
    if ((rc = read_runjson(tl, run, err)) < 0 || (rc = load_db(tl, run, err)) < 0) {
        lb_tl_free(tl);
        tl = NULL;
    }
    *out = tl;
    return rc;
}

void lb_tl_free(struct lb_tl *tl)
{
    if (!tl)
        return;
    free(tl->run);
    free(tl->data);
    free(tl->views);
    free(tl->job_bucket);
    free(tl->job_visible);
    free(tl->rows);
    free(tl->batch);
    free(tl->speed);
    free(tl->row_b);
    free(tl->row_s);
    free(tl->vals);
    free(tl->blobs);
    free(tl->lines);
    free(tl->map);
    lk_strtab_free(tl->strs);
    lk_hll_release(&tl->scratch);
    free(tl);
}

/* ------------------------------------------------------------- lookups ---- */

long lb_tl_view_at(const struct lb_tl *tl, int64_t t)
{
    size_t lo = 0, hi = tl->nv; /* first view with visible > t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->views[mid].visible <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

long lb_tl_view_covering(const struct lb_tl *tl, int64_t t)
{
    size_t lo = 0, hi = tl->nv; /* first view with cutoff >= t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->views[mid].cutoff < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < tl->nv ? (long)lo : -1;
}

int64_t lb_tl_bucket_visible(const struct lb_tl *tl, int64_t t)
{
    size_t lo = 0, hi = tl->njobs; /* first micro-batch with bucket_end >= t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->job_bucket[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < tl->njobs ? tl->job_visible[lo] : INT64_MAX;
}

/* ------------------------------------------------------- serving value ---- */

static const struct lb_tl_batch *batch_entry(const struct lb_tl *tl, uint32_t r, long vi)
{
    const struct lb_tl_row *row = &tl->rows[r];
    for (uint32_t k = 0; vi >= 0 && k < row->bn; k++) {
        const struct lb_tl_batch *e = &tl->batch[tl->row_b[row->b0 + k]];
        if (e->vfrom <= (uint32_t)vi && (uint32_t)vi <= e->vto)
            return e;
    }
    return NULL;
}

/* The row's speed entries [*lo, *hi) live at t under a view with cutoff c. */
static void speed_range(const struct lb_tl *tl, uint32_t r, int64_t c, int64_t t, uint32_t *lo,
                        uint32_t *hi)
{
    const struct lb_tl_row *row = &tl->rows[r];
    const uint32_t *ix = tl->row_s + row->s0;
    uint32_t a = 0, b = row->sn;
    while (a < b) { /* first with bucket_end > c */
        uint32_t mid = a + (b - a) / 2;
        if (tl->speed[ix[mid]].bucket_end <= c)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    b = row->sn;
    while (a < b) { /* first with visible > t */
        uint32_t mid = a + (b - a) / 2;
        if (tl->speed[ix[mid]].visible <= t)
            a = mid + 1;
        else
            b = mid;
    }
    *hi = a;
}

static void merge_values(const struct lk_spec *spec, int64_t *v, const int64_t *w)
{
    for (size_t a = 0; a < spec->naggs; a++) {
        switch (spec->aggs[a].fn) {
        case LK_AGG_COUNT:
        case LK_AGG_SUM:
            v[a] += w[a];
            break;
        case LK_AGG_MIN:
            v[a] = w[a] < v[a] ? w[a] : v[a];
            break;
        case LK_AGG_MAX:
            v[a] = w[a] > v[a] ? w[a] : v[a];
            break;
        case LK_AGG_COUNT_DISTINCT:
            break; /* from the sketches */
        }
    }
}

/* Merge sketch d stored at off into tl->scratch. */
static void merge_sketch(struct lb_tl *tl, size_t off, size_t d)
{
    uint32_t len;
    for (size_t i = 0;; i++) {
        memcpy(&len, tl->blobs + off, 4);
        if (i == d)
            break;
        off += 4 + len;
    }
    int rc = lk_hll_merge_blob(&tl->scratch, tl->blobs + off + 4, len);
    assert(rc == 0); /* append_values checked every sketch */
    (void)rc;
}

/* Distinct counts of a row with speed contributions: union of the sketches. */
static void union_counts(struct lb_tl *tl, const struct lb_tl_batch *b, const uint32_t *ix,
                         uint32_t lo, uint32_t hi, int64_t *v)
{
    size_t d = 0;
    for (size_t a = 0; a < tl->spec.naggs; a++) {
        if (tl->spec.aggs[a].fn != LK_AGG_COUNT_DISTINCT)
            continue;
        lk_hll_clear(&tl->scratch);
        if (b)
            merge_sketch(tl, b->hll, d);
        for (uint32_t k = lo; k < hi; k++)
            merge_sketch(tl, tl->speed[ix[k]].hll, d);
        v[a] = lk_hll_count(&tl->scratch);
        d++;
    }
}

void lb_tl_value_at(struct lb_tl *tl, uint32_t r, int64_t t, struct lb_tl_value *out)
{
    long vi = lb_tl_view_at(tl, t);
    int64_t c = vi >= 0 ? tl->views[vi].cutoff : INT64_MIN;
    const struct lb_tl_batch *b = batch_entry(tl, r, vi);
    const uint32_t *ix = tl->row_s + tl->rows[r].s0;
    uint32_t lo, hi;
    speed_range(tl, r, c, t, &lo, &hi);
    out->present = b || lo < hi;
    if (!out->present)
        return;
    memcpy(out->v, tl->vals + (b ? b->vals : tl->speed[ix[lo]].vals),
           tl->spec.naggs * sizeof(int64_t));
    for (uint32_t k = b ? lo : lo + 1; k < hi; k++)
        merge_values(&tl->spec, out->v, tl->vals + tl->speed[ix[k]].vals);
    if (lo < hi && tl->nd)
        union_counts(tl, b, ix, lo, hi, out->v);
}

/* ------------------------------------------------------------- changes ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t lb_tl_changes(const struct lb_tl *tl, uint32_t r, int64_t **out, size_t *cap)
{
    const struct lb_tl_row *row = &tl->rows[r];
    size_t n = 0, m = 0;
    LK_GROW(*out, *cap, 2 * ((size_t)row->sn + row->bn) + 1);
    for (uint32_t k = 0; k < row->sn; k++) {
        const struct lb_tl_speed *s = &tl->speed[tl->row_s[row->s0 + k]];
        long v = lb_tl_view_covering(tl, s->bucket_end);
        (*out)[n++] = s->visible;
        if (v >= 0)
            (*out)[n++] = tl->views[v].visible;
    }
    for (uint32_t k = 0; k < row->bn; k++) {
        const struct lb_tl_batch *b = &tl->batch[tl->row_b[row->b0 + k]];
        (*out)[n++] = tl->views[b->vfrom].visible;
        if (b->vto + 1 < tl->nv)
            (*out)[n++] = tl->views[b->vto + 1].visible;
    }
    qsort(*out, n, sizeof(**out), cmp_i64);
    for (size_t i = 0; i < n; i++)
        if (m == 0 || (*out)[i] != (*out)[m - 1])
            (*out)[m++] = (*out)[i];
    return m;
}
