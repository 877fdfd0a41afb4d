#include "lb_serving.h"

#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "lk_store.h"
#include "lk_strtab.h"
#include "banned.h"

void lb_rows_release(struct lb_rows *r)
{
    if (!r)
        return;
    free(r->rows);
    free(r->sorted);
    lk_strtab_free(r->strs);
    memset(r, 0, sizeof(*r));
}

int lb_rows_write_csv(const struct lb_rows *r, FILE *out)
{
    int rc = lk_csv_write_header(out, r->spec);
    for (size_t i = 0; i < r->n && rc == 0; i++)
        rc = lk_csv_write_row(out, r->spec, r->sorted[i]);
    return rc;
}

int lb_query_open(struct lb_query *q, sqlite3 *db, const struct lk_spec *spec,
                  enum lb_layers layers, struct lk_err *err)
{
    char *sql = lb_sql_query(spec, layers);
    int rc = lk_store_prepare(db, sql, &q->st, err);
    free(sql);
    q->db = db;
    q->spec = spec;
    return rc;
}

void lb_query_close(struct lb_query *q)
{
    if (q && q->st) {
        sqlite3_finalize(q->st);
        q->st = NULL;
    }
}

static void read_row(struct lb_rows *r, sqlite3_stmt *st)
{
    const struct lk_spec *spec = r->spec;
    struct lk_csv_row *row;
    int col = 0;
    LK_GROW(r->rows, r->cap, r->n + 1);
    row = &r->rows[r->n++];
    memset(row, 0, sizeof(*row));
    for (size_t g = 0; g < spec->ngroup; g++, col++) {
        const char *s = (const char *)sqlite3_column_text(st, col);
        size_t len = (size_t)sqlite3_column_bytes(st, col);
        uint32_t id = lk_strtab_intern(r->strs, s ? s : "", s ? len : 0, NULL);
        row->group[g] = lk_strtab_get(r->strs, id);
    }
    row->window_start = sqlite3_column_int64(st, col++);
    row->window_end = sqlite3_column_int64(st, col++);
    for (size_t a = 0; a < spec->naggs; a++)
        row->values[a] = sqlite3_column_int64(st, col++);
}

int lb_query_run(struct lb_query *q, int64_t at, struct lb_rows *out, struct lk_err *err)
{
    int rc;
    memset(out, 0, sizeof(*out));
    out->spec = q->spec;
    out->strs = lk_strtab_new();
    if (lb_sql_bind_at(q->st, at) < 0)
        return lk_err_set(err, LK_EDB, "cannot bind query: %s", sqlite3_errmsg(q->db));
    while ((rc = sqlite3_step(q->st)) == SQLITE_ROW)
        read_row(out, q->st);
    if (rc != SQLITE_DONE)
        rc = lk_err_set(err, LK_EDB, "serving query failed: %s", sqlite3_errmsg(q->db));
    else
        rc = 0;
    sqlite3_reset(q->st);
    out->sorted = lk_xreallocarray(NULL, out->n ? out->n : 1, sizeof(*out->sorted));
    for (size_t i = 0; i < out->n; i++)
        out->sorted[i] = &out->rows[i];
    lk_csv_sort(out->sorted, out->n, q->spec->ngroup);
    if (rc < 0)
        lb_rows_release(out);
    return rc;
}

/* Order on (groups, window_start) only: sessions may differ in window_end. */
static int key_cmp(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t ngroup)
{
    struct lk_csv_row k = *b;
    k.window_end = a->window_end;
    return lk_csv_row_cmp(a, &k, ngroup);
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

static int rows_differ(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t naggs)
{
    if (a->window_end != b->window_end)
        return 1;
    for (size_t i = 0; i < naggs; i++)
        if (a->values[i] != b->values[i])
            return 1;
    return 0;
}

void lb_rows_diff(const struct lb_rows *r, const struct lk_result *truth, struct lb_diff *d)
{
    const struct lk_spec *spec = r->spec;
    size_t i = 0, j = 0;
    int ev = -1;
    for (size_t a = 0; a < spec->naggs && ev < 0; a++)
        if (spec->aggs[a].fn == LK_AGG_COUNT)
            ev = (int)a;
    d->rows = d->abs_events = 0;
    while (i < r->n || j < truth->n) {
        const struct lk_csv_row *x = i < r->n ? r->sorted[i] : NULL;
        const struct lk_csv_row *y = j < truth->n ? truth->rows[j] : NULL;
        int c = !x ? 1 : !y ? -1 : key_cmp(x, y, spec->ngroup);
        int64_t vx = c <= 0 && ev >= 0 ? x->values[ev] : 0;
        int64_t vy = c >= 0 && ev >= 0 ? y->values[ev] : 0;
        if (c != 0 || rows_differ(x, y, spec->naggs)) {
            d->rows++;
            d->abs_events += abs64(vx - vy);
        }
        i += c <= 0;
        j += c >= 0;
    }
}
