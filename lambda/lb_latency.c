/* lb_latency - per-event latency, row histories and the sawtooth of a Lambda run (see .h). */
#include "lb_latency.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "lb_timeline.h"
#include "lk_csv.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "lk_truth.h"
#include "banned.h"

#define NEVER INT64_MAX
#define UNKNOWN INT64_MIN
#define HOUR_MS 3600000
#define WIN_MAX 1024 /* windows per event: lk_spec allows size / slide <= 1000 */

/* The group string ids of line l's row (the spec's group fields). */
static void line_group(const struct lb_tl *tl, const struct lb_tl_line *l, uint32_t *g)
{
    for (size_t i = 0; i < tl->spec.ngroup; i++)
        g[i] = l->str[tl->spec.group[i]];
}

/* ------------------------------------------------------------- latency ---- */

struct lat {
    struct lb_tl *tl;
    struct lk_result *truth;
    int64_t *correct; /* per row: UNKNOWN, NEVER or the instant it is right for good */
    int64_t *buf;
    size_t cap;
};

static int equals_truth(const struct lb_tl *tl, const struct lb_tl_value *v,
                        const struct lk_csv_row *t)
{
    return v->present && memcmp(v->v, t->values, tl->spec.naggs * sizeof(int64_t)) == 0;
}

static const struct lk_csv_row *truth_row(const struct lat *c, uint32_t r)
{
    const struct lb_tl *tl = c->tl;
    struct lk_csv_row key;
    memset(&key, 0, sizeof(key));
    for (size_t g = 0; g < tl->spec.ngroup; g++)
        key.group[g] = lk_strtab_get(tl->strs, tl->rows[r].group[g]);
    key.window_start = tl->rows[r].ws;
    key.window_end = tl->rows[r].ws + tl->spec.window.size;
    return lk_result_find(c->truth, &key);
}

/* Walk the row's change instants backwards from the end while it equals the truth. */
static int64_t row_correct(struct lat *c, uint32_t r)
{
    const struct lk_csv_row *t = truth_row(c, r);
    struct lb_tl_value v;
    size_t n;
    if (!t)
        return NEVER;
    n = lb_tl_changes(c->tl, r, &c->buf, &c->cap);
    for (size_t i = n; i-- > 0;) {
        lb_tl_value_at(c->tl, r, c->buf[i], &v);
        if (!equals_truth(c->tl, &v, t))
            return i + 1 < n ? c->buf[i + 1] : NEVER;
    }
    return n ? c->buf[0] : NEVER;
}

static int64_t first_visible(const struct lb_tl *tl, int64_t arrival)
{
    int64_t s = lb_tl_bucket_visible(tl, arrival);
    long v = lb_tl_view_covering(tl, arrival);
    int64_t b = v >= 0 ? tl->views[v].visible : NEVER;
    return s < b ? s : b;
}

/* Correct instant of an event: the latest over its windows' rows (NEVER if any is). */
static int64_t event_correct(struct lat *c, const struct lb_tl_line *l, int64_t fv)
{
    struct lb_tl *tl = c->tl;
    int64_t starts[WIN_MAX], at = fv;
    uint32_t g[LK_SPEC_MAX_GROUP];
    size_t nw;
    assert(lk_spec_max_windows(&tl->spec) <= WIN_MAX);
    nw = lk_spec_windows(&tl->spec, l->event_time, starts);
    line_group(tl, l, g);
    for (size_t w = 0; w < nw && at != NEVER; w++) {
        uint32_t r = lb_tl_find(tl, g, starts[w]);
        if (r == LB_TL_NONE)
            return NEVER;
        if (c->correct[r] == UNKNOWN)
            c->correct[r] = row_correct(c, r);
        if (c->correct[r] > at)
            at = c->correct[r];
    }
    return at;
}

int lb_latency(struct lb_tl *tl, const char *truth_csv, struct lk_lat *fv_lat,
               struct lk_lat *correct_lat, struct lk_err *err)
{
    struct lat c = { .tl = tl };
    int rc;
    if ((rc = lk_truth_final(&tl->spec, tl->data, truth_csv, &c.truth, err)) < 0)
        return rc;
    c.correct = lk_xreallocarray(NULL, tl->nrows + 1, sizeof(*c.correct));
    for (size_t r = 0; r < tl->nrows; r++)
        c.correct[r] = UNKNOWN;
    for (size_t i = 0; i < tl->nlines; i++) {
        const struct lb_tl_line *l = &tl->lines[i];
        int64_t fv, ok;
        if (!l->first || !l->accepted)
            continue;
        fv = first_visible(tl, l->arrival);
        ok = fv == NEVER ? NEVER : event_correct(&c, l, fv);
        if (fv == NEVER)
            lk_lat_never(fv_lat);
        else
            lk_lat_add(fv_lat, fv - l->arrival);
        if (ok == NEVER)
            lk_lat_never(correct_lat);
        else
            lk_lat_add(correct_lat, ok - l->arrival);
    }
    free(c.buf);
    free(c.correct);
    lk_result_free(c.truth);
    return 0;
}

/* --------------------------------------------------------- row history ---- */

/* Split a canonical CSV key into at most max fields (unquoting in place in buf). */
static size_t split_key(char *buf, struct lk_str *f, size_t max)
{
    char *p = buf;
    size_t n = 0;
    for (;;) {
        char *start = p, *w = p;
        if (n == max)
            return max + 1;
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    return 0;
                if (*p == '"' && p[1] != '"')
                    break;
                *w++ = *p;
                p += *p == '"';
            }
            p++;
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        f[n].ptr = start;
        f[n++].len = (size_t)(w - start);
        if (*p == '\0')
            return n;
        if (*p++ != ',')
            return 0;
    }
}

/* The row of a canonical key, or LB_TL_NONE (*bad when the key is malformed). */
static uint32_t key_row(const struct lb_tl *tl, const char *key, int *bad)
{
    struct lk_str f[LK_SPEC_MAX_GROUP + 1];
    uint32_t g[LK_SPEC_MAX_GROUP];
    char *buf = lk_xstrdup(key);
    size_t ng = tl->spec.ngroup, n = split_key(buf, f, ng + 1);
    int64_t ws;
    uint32_t r = LB_TL_NONE;
    *bad = n != ng + 1 || lk_time_parse(f[ng].ptr, f[ng].len, &ws) < 0;
    for (size_t i = 0; !*bad && i < ng; i++)
        if ((g[i] = lk_strtab_find(tl->strs, f[i].ptr, f[i].len)) == LB_TL_NONE)
            goto out;
    if (!*bad)
        r = lb_tl_find(tl, g, ws);
out:
    free(buf);
    return r;
}

static int agg_index(const struct lk_spec *spec, const char *col)
{
    for (size_t a = 0; a < spec->naggs; a++)
        if (strcmp(spec->aggs[a].as, col) == 0)
            return (int)a;
    return -1;
}

static void history(struct lb_tl *tl, uint32_t r, int a, struct lk_point **pts, size_t *n)
{
    int money = tl->spec.aggs[a].fn != LK_AGG_COUNT && tl->spec.aggs[a].fn != LK_AGG_COUNT_DISTINCT;
    int64_t *ts = NULL, last = 0;
    size_t cap = 0, k = lb_tl_changes(tl, r, &ts, &cap), pcap = 0;
    for (size_t i = 0; i < k; i++) {
        struct lb_tl_value v;
        lb_tl_value_at(tl, r, ts[i], &v);
        if (!v.present || (*n > 0 && v.v[a] == last))
            continue;
        LK_GROW(*pts, pcap, *n + 1);
        (*pts)[(*n)++] =
            (struct lk_point){ ts[i], money ? (double)v.v[a] / 100.0 : (double)v.v[a] };
        last = v.v[a];
    }
    free(ts);
}

int lb_row_history(struct lb_tl *tl, const char *key, const char *col, struct lk_point **pts,
                   size_t *n, struct lk_err *err)
{
    uint32_t r;
    int a, bad;
    *pts = NULL;
    *n = 0;
    if ((a = agg_index(&tl->spec, col)) < 0)
        return lk_err_set(err, LK_EUSAGE,
                          "no aggregate column '%s' in the results of '%s' "
                          "(spec '%s')",
                          col, tl->run, tl->spec.name);
    r = key_row(tl, key, &bad);
    if (bad)
        return lk_err_set(err, LK_EINPUT,
                          "bad row key '%s': want %zu group values and a window "
                          "start, joined by ','",
                          key, tl->spec.ngroup);
    if (r == LB_TL_NONE)
        return lk_err_set(err, LK_EINPUT, "no row '%s' in the results of '%s'", key, tl->run);
    history(tl, r, a, pts, n);
    return 0;
}

/* -------------------------------------------------- discrepancy series ---- */

struct disc {
    struct lb_tl *tl;
    size_t na;
    int64_t *tv, *sv; /* truth as of now / serving at the last sample, per row */
    uint8_t *tpres, *spres, *diff;
    uint64_t ndiff, nrows;
    uint64_t *set; /* (row, distinct agg, string id) + 1 seen by the truth */
    size_t setn, setcap;
    uint32_t *stamp, epoch; /* dirty rows of the current sample */
    uint32_t *dirty;
    size_t ndirty, capdirty;
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static void set_grow(struct disc *d)
{
    size_t cap = d->setcap ? d->setcap * 2 : 1u << 16;
    uint64_t *set = lk_xcalloc(cap, sizeof(*set));
    for (size_t i = 0; i < d->setcap; i++) {
        size_t j;
        if (!d->set[i])
            continue;
        for (j = (size_t)mix64(d->set[i]) & (cap - 1); set[j]; j = (j + 1) & (cap - 1))
            ;
        set[j] = d->set[i];
    }
    free(d->set);
    d->set = set;
    d->setcap = cap;
}

/* 1 when key was not in the set yet (and adds it). */
static int set_add(struct disc *d, uint64_t key)
{
    size_t j;
    key++;
    if ((d->setn + 1) * 2 > d->setcap)
        set_grow(d);
    for (j = (size_t)mix64(key) & (d->setcap - 1); d->set[j]; j = (j + 1) & (d->setcap - 1))
        if (d->set[j] == key)
            return 0;
    d->set[j] = key;
    d->setn++;
    return 1;
}

static void mark(struct disc *d, uint32_t r)
{
    if (d->stamp[r] == d->epoch)
        return;
    d->stamp[r] = d->epoch;
    LK_GROW(d->dirty, d->capdirty, d->ndirty + 1);
    d->dirty[d->ndirty++] = r;
}

/* The truth takes one more line into row r. */
static void truth_add(struct disc *d, uint32_t r, const struct lb_tl_line *l)
{
    const struct lk_spec *spec = &d->tl->spec;
    int64_t *v = d->tv + (size_t)r * d->na;
    int first = !d->tpres[r];
    uint64_t dn = 0;
    for (size_t a = 0; a < d->na; a++) {
        switch (spec->aggs[a].fn) {
        case LK_AGG_COUNT:
            v[a]++;
            break;
        case LK_AGG_SUM:
            v[a] += l->value;
            break;
        case LK_AGG_MIN:
            v[a] = first || l->value < v[a] ? l->value : v[a];
            break;
        case LK_AGG_MAX:
            v[a] = first || l->value > v[a] ? l->value : v[a];
            break;
        case LK_AGG_COUNT_DISTINCT:
            v[a] += set_add(d, (uint64_t)r << 34 | dn++ << 32 | l->str[spec->aggs[a].of]);
            break;
        }
    }
    d->tpres[r] = 1;
    mark(d, r);
}

static void truth_line(struct disc *d, const struct lb_tl_line *l)
{
    struct lb_tl *tl = d->tl;
    int64_t starts[WIN_MAX];
    uint32_t g[LK_SPEC_MAX_GROUP];
    size_t nw;
    assert(lk_spec_max_windows(&tl->spec) <= WIN_MAX);
    nw = lk_spec_windows(&tl->spec, l->event_time, starts);
    line_group(tl, l, g);
    for (size_t w = 0; w < nw; w++) {
        uint32_t r = lb_tl_find(tl, g, starts[w]);
        if (r != LB_TL_NONE) /* the final view holds every row of the truth */
            truth_add(d, r, l);
    }
}

/* Recompute the serving value of the dirty rows at t and their difference. */
static void refresh(struct disc *d, int64_t t)
{
    for (size_t i = 0; i < d->ndirty; i++) {
        uint32_t r = d->dirty[i];
        int64_t *sv = d->sv + (size_t)r * d->na, *tv = d->tv + (size_t)r * d->na;
        struct lb_tl_value v;
        int differs;
        lb_tl_value_at(d->tl, r, t, &v);
        d->nrows += (uint64_t)v.present - d->spres[r];
        d->spres[r] = (uint8_t)v.present;
        if (v.present)
            memcpy(sv, v.v, d->na * sizeof(*sv));
        differs =
            d->spres[r] != d->tpres[r] || (d->spres[r] && memcmp(sv, tv, d->na * sizeof(*sv)) != 0);
        d->ndiff += (uint64_t)differs - d->diff[r];
        d->diff[r] = (uint8_t)differs;
    }
    d->ndirty = 0;
    d->epoch++;
}

struct arrival {
    int64_t t;
    uint32_t line;
};

static int cmp_arrival(const void *a, const void *b)
{
    const struct arrival *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* The lines the truth counts (first copies when the spec dedups), in arrival order. */
static struct arrival *arrivals(const struct lb_tl *tl, size_t *n)
{
    struct arrival *a = lk_xreallocarray(NULL, tl->nlines + 1, sizeof(*a));
    *n = 0;
    for (size_t i = 0; i < tl->nlines; i++)
        if (tl->lines[i].accepted && (tl->lines[i].first || !tl->spec.dedup))
            a[(*n)++] = (struct arrival){ tl->lines[i].arrival, (uint32_t)i };
    qsort(a, *n, sizeof(*a), cmp_arrival);
    return a;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* First arrival, every hour, V - 1 and V of each view, the end: sorted, distinct. */
static int64_t *sample_times(const struct lb_tl *tl, size_t *n)
{
    int64_t start = tl->first_arrival, end = tl->end;
    int64_t h = lk_align_up(start, HOUR_MS);
    size_t cap = 2 * tl->nv + 2 + (size_t)((end > h ? end - h : 0) / HOUR_MS + 1), m = 0;
    int64_t *s = lk_xreallocarray(NULL, cap, sizeof(*s));
    *n = 0;
    s[(*n)++] = start;
    s[(*n)++] = end;
    for (; h < end; h += HOUR_MS)
        s[(*n)++] = h;
    for (size_t v = 0; v < tl->nv; v++) {
        s[(*n)++] = tl->views[v].visible - 1;
        s[(*n)++] = tl->views[v].visible;
    }
    qsort(s, *n, sizeof(*s), cmp_i64);
    for (size_t i = 0; i < *n; i++)
        if (s[i] >= start && (m == 0 || s[i] != s[m - 1]))
            s[m++] = s[i];
    *n = m;
    return s;
}

/* Rows whose batch entry starts or ends at each view: off[v] .. off[v + 1] in *rows. */
static size_t *view_rows(const struct lb_tl *tl, uint32_t **rows)
{
    size_t *off = lk_xcalloc(tl->nv + 2, sizeof(*off));
    for (size_t i = 0; i < tl->nb; i++) {
        off[tl->batch[i].vfrom + 1]++;
        if (tl->batch[i].vto + 1 < tl->nv)
            off[tl->batch[i].vto + 2]++;
    }
    for (size_t v = 0; v < tl->nv; v++)
        off[v + 1] += off[v];
    *rows = lk_xreallocarray(NULL, off[tl->nv] + 1, sizeof(**rows));
    for (size_t i = 0; i < tl->nb; i++) {
        (*rows)[off[tl->batch[i].vfrom]++] = tl->batch[i].row;
        if (tl->batch[i].vto + 1 < tl->nv)
            (*rows)[off[tl->batch[i].vto + 1]++] = tl->batch[i].row;
    }
    for (size_t v = tl->nv; v > 0; v--) /* shift the ends back to starts */
        off[v] = off[v - 1];
    off[0] = 0;
    return off;
}

/* First global speed entry with bucket_end > c. */
static size_t speed_after(const struct lb_tl *tl, int64_t c)
{
    size_t lo = 0, hi = tl->ns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->speed[mid].bucket_end <= c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* View v lands: its changed rows, and the rows of the speed buckets it covers. */
static void view_lands(struct disc *d, size_t v, const size_t *off, const uint32_t *vrows)
{
    const struct lb_tl *tl = d->tl;
    size_t from = speed_after(tl, v ? tl->views[v - 1].cutoff : INT64_MIN);
    for (size_t i = off[v]; i < off[v + 1]; i++)
        mark(d, vrows[i]);
    for (size_t i = from; i < tl->ns && tl->speed[i].bucket_end <= tl->views[v].cutoff; i++)
        mark(d, tl->speed[i].row);
}

static void disc_init(struct disc *d, struct lb_tl *tl)
{
    size_t nr = tl->nrows + 1;
    d->tl = tl;
    d->na = tl->spec.naggs;
    d->tv = lk_xcalloc(nr * d->na, sizeof(*d->tv));
    d->sv = lk_xcalloc(nr * d->na, sizeof(*d->sv));
    d->tpres = lk_xcalloc(nr, 1);
    d->spres = lk_xcalloc(nr, 1);
    d->diff = lk_xcalloc(nr, 1);
    d->stamp = lk_xcalloc(nr, sizeof(*d->stamp));
    d->epoch = 1;
}

static void disc_release(struct disc *d)
{
    free(d->tv);
    free(d->sv);
    free(d->tpres);
    free(d->spres);
    free(d->diff);
    free(d->set);
    free(d->stamp);
    free(d->dirty);
}

static void sweep(struct disc *d, const int64_t *s, size_t ns, struct lb_disc_point *out)
{
    const struct lb_tl *tl = d->tl;
    size_t na, ia = 0, is = 0, iv = 0;
    struct arrival *arr = arrivals(tl, &na);
    uint32_t *vrows;
    size_t *off = view_rows(tl, &vrows);
    for (size_t k = 0; k < ns; k++) {
        for (; ia < na && arr[ia].t <= s[k]; ia++)
            truth_line(d, &tl->lines[arr[ia].line]);
        for (; is < tl->ns && tl->speed[is].visible <= s[k]; is++)
            mark(d, tl->speed[is].row);
        for (; iv < tl->nv && tl->views[iv].visible <= s[k]; iv++)
            view_lands(d, iv, off, vrows);
        refresh(d, s[k]);
        out[k] = (struct lb_disc_point){ s[k], d->ndiff, d->nrows };
    }
    free(arr);
    free(vrows);
    free(off);
}

void lb_discrepancy_series(struct lb_tl *tl, struct lb_disc_point **pts, size_t *n)
{
    struct disc d;
    int64_t *s;
    memset(&d, 0, sizeof(d));
    disc_init(&d, tl);
    s = sample_times(tl, n);
    *pts = lk_xreallocarray(NULL, *n + 1, sizeof(**pts));
    sweep(&d, s, *n, *pts);
    free(s);
    disc_release(&d);
}
