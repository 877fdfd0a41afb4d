/*
 * cmp_reconcile: evidence from a Kappa run (docs/kappa.md).
 *
 *   pending              append mode: a truth row missing from the output whose window ends
 *                        after the eviction watermark of the run's last batch (still in state)
 *   missing-late         truth - output = the contribution of the late events of that
 *                        (window, group) whose FIRST copy was late (a late re-delivery of an
 *                        event counted on time contributes nothing; the first copy is found
 *                        by reading the dataset)
 *   duplicate-overcount  at-least-once sink: an extra output row with the same key, the same
 *                        values and the same batch id as another one (a replayed batch)
 *
 * Session windows do not share keys across the two sides (a late event that would have
 * bridged two sessions leaves the run with two where the truth has one), so they are
 * explained by REPLAY instead: the truth's own computation (lk_truth_eval_keep) over the
 * dataset without the events whose first copy is in the late table is what the run must
 * have produced. Group by group, when the run's rows are exactly the replay's emitted rows,
 * every difference of the group is missing-late, or pending (append mode) where the truth
 * row overlaps a replayed session that ends after the last batch's eviction watermark.
 */
#include <stdlib.h>
#include <string.h>

#include "kp_reader.h"
#include "lk_event.h"
#include "lk_mem.h"
#include "cmp_reconcile_int.h"
#include "lk_run.h"
#include "lk_store.h"
#include "lk_time.h"
#include "lk_truth.h"
#include "banned.h"

/* One late (event, window) row of the late table that belongs to a row to explain. */
struct late_copy {
    size_t diff;
    uint32_t id; /* event_id in kctx.ids */
    int64_t arrival, value;
    uint32_t dkey[LK_SPEC_MAX_DISTINCT]; /* distinct-counted fields, in kctx.vals */
};

/* What the late events whose first copy was late add to one window. */
struct contrib {
    int64_t cnt, sum, min, max;
    int64_t distinct[LK_SPEC_MAX_DISTINCT];
};

struct kctx {
    struct rc_run *run;
    struct rc_keys keys;
    struct lk_strtab *ids, *vals;
    int64_t *first; /* by id: earliest arrival in the dataset */
    int have_data;
    char data_note[400]; /* why the dataset could not be read, or "" */
    char sess_note[300]; /* what the session replay found, or "" */
    struct late_copy *c;
    size_t n, cap;
    long long version;
    int append, at_least_once;
    int64_t evict_wm; /* eviction watermark of the last batch */
};

/* ---------------------------------------------------------- run facts ---- */

static int read_facts(struct kctx *k, struct lk_err *err)
{
    const cJSON *j = k->run->json;
    sqlite3_stmt *st = NULL;
    int rc = kp_reader_prepare(k->run->db, KP_READ_VERSION, &st, err);
    if (rc == 0) {
        k->version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        st = NULL;
    }
    k->append = lk_mode_lookup(rc_json_str(j, "parameters", "output_mode")) == LK_MODE_APPEND;
    k->at_least_once = strcmp(rc_json_str(j, "parameters", "sink_guarantee"), "at-least-once") == 0;
    k->evict_wm = LK_TIME_NEG_INF;
    if (rc < 0 || (rc = kp_reader_prepare(k->run->db, KP_READ_WATERMARK, &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, k->version);
    if (sqlite3_step(st) == SQLITE_ROW)
        k->evict_wm = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* "late data: ..." for the summary. */
static int note_late(struct kctx *k, size_t explained, struct lk_err *err)
{
    sqlite3_stmt *st = NULL;
    long long pairs = 0, events = 0;
    int rc = kp_reader_prepare(k->run->db, KP_READ_LATE_COUNT, &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, k->version);
    if (sqlite3_step(st) == SQLITE_ROW) {
        pairs = sqlite3_column_int64(st, 0);
        events = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (pairs == 0)
        rc_note(k->run->r, "late data: none (the run's late table is empty)");
    else
        rc_note(k->run->r,
                "late data: %lld (event, window) row%s of %lld event%s in the run's "
                "late table; %zu differing row%s explained by it",
                pairs, pairs == 1 ? "" : "s", events, events == 1 ? "" : "s", explained,
                explained == 1 ? " is" : "s are");
    return 0;
}

/* ------------------------------------------------------- late copies ---- */

static void add_copy(struct kctx *k, size_t diff, const struct lk_event *ev, int64_t arrival)
{
    const struct lk_spec *spec = &k->run->spec;
    struct late_copy *c;
    size_t j = 0;
    LK_GROW(k->c, k->cap, k->n + 1);
    c = &k->c[k->n++];
    memset(c, 0, sizeof(*c));
    c->diff = diff;
    c->id = lk_strtab_intern(k->ids, ev->str[LK_F_EVENT_ID].ptr, ev->str[LK_F_EVENT_ID].len, NULL);
    c->arrival = arrival;
    c->value = ev->value;
    for (size_t i = 0; i < spec->naggs; i++)
        if (spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT) {
            const struct lk_str *s = &ev->str[spec->aggs[i].of];
            c->dkey[j++] = lk_strtab_intern(k->vals, s->ptr, s->len, NULL);
        }
}

/* The late table's rows whose (groups, window_start) is a row to explain. */
static int read_late(struct kctx *k, struct lk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = kp_reader_prepare(k->run->db, KP_READ_LATE_ROWS, &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, k->version);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lk_event ev;
        size_t d;
        memset(&ev, 0, sizeof(ev));
        for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
            ev.str[f].ptr = (const char *)sqlite3_column_text(st, f);
            ev.str[f].len = (size_t)sqlite3_column_bytes(st, f);
        }
        ev.value = sqlite3_column_int64(st, 4);
        d = rc_keys_find(&k->keys, &k->run->spec, &ev, sqlite3_column_int64(st, 6));
        if (d != SIZE_MAX)
            add_copy(k, d, &ev, sqlite3_column_int64(st, 5));
    }
    rc = rc == SQLITE_DONE ? 0
                           : lk_err_set(err, LK_EDB, "cannot read the late table: %s ('%s')",
                                        sqlite3_errmsg(k->run->db), k->run->dir);
    sqlite3_finalize(st);
    return rc;
}

/* Earliest arrival of every id in k->ids, from the dataset's lines (parsed ahead when
   the caller's parse is current, else parsed here). */
static int scan_dataset(struct kctx *k, const char *data, struct lk_err *err)
{
    const struct lk_firsts *f = k->run->r->o.firsts;
    struct lk_firsts *own = NULL;
    size_t nid = lk_strtab_count(k->ids);
    k->first = lk_xreallocarray(NULL, nid + 1, sizeof(*k->first));
    for (size_t i = 0; i < nid; i++)
        k->first[i] = LK_TIME_POS_INF;
    if (!lk_firsts_current(f, data)) {
        int rc = lk_firsts_load(data, 0, &own, err);
        if (rc < 0)
            return rc;
        f = own;
    }
    for (size_t i = 0; i < nid; i++) {
        struct lk_str id = lk_strtab_get(k->ids, (uint32_t)i);
        uint32_t j = lk_strtab_find(f->ids, id.ptr, id.len);
        if (j != UINT32_MAX)
            k->first[i] = f->v[j].earliest;
    }
    lk_firsts_free(own);
    return 0;
}

/* The run's dataset: --data, or the path run.json gives. */
static const char *run_data(const struct kctx *k)
{
    const char *data = k->run->r->o.data;
    return data && *data ? data : rc_json_str(k->run->json, "parameters", "data");
}

static void find_first_copies(struct kctx *k)
{
    const char *data = run_data(k);
    struct lk_err e = LK_ERR_INIT;
    size_t missing = 0;
    k->have_data = scan_dataset(k, data, &e) == 0;
    for (size_t i = 0; k->have_data && i < lk_strtab_count(k->ids); i++)
        missing += k->first[i] == LK_TIME_POS_INF;
    if (missing)
        snprintf(k->data_note, sizeof(k->data_note),
                 "note: %zu late event%s not in the "
                 "dataset '%.200s': is it the run's dataset? (--data)",
                 missing, missing == 1 ? " is" : "s are", data);
    if (!k->have_data)
        snprintf(k->data_note, sizeof(k->data_note),
                 "note: cannot read the run's dataset "
                 "'%.120s' (%.160s), so each late event is taken as never counted; try --data",
                 data, e.msg[0] ? e.msg : lk_strerror(LK_ENOENT));
}

/* ----------------------------------------------------- contributions ---- */

static int copy_cmp(const void *x, const void *y)
{
    const struct late_copy *a = x, *b = y;
    if (a->diff != b->diff)
        return a->diff < b->diff ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return (a->arrival > b->arrival) - (a->arrival < b->arrival);
}

/* Sum up copies [from, to) of one diff (sorted by id, arrival): events first seen late. */
static void contribute(const struct kctx *k, size_t from, size_t to, struct contrib *c)
{
    const struct lk_spec *spec = &k->run->spec;
    size_t nd = lk_spec_ndistinct(spec);
    uint64_t *keys = lk_xreallocarray(NULL, (to - from) * nd + 1, sizeof(*keys));
    size_t nk = 0;
    memset(c, 0, sizeof(*c));
    c->min = INT64_MAX;
    c->max = INT64_MIN;
    for (size_t i = from; i < to; i++) {
        const struct late_copy *x = &k->c[i];
        if ((i > from && x->id == k->c[i - 1].id)
            || (k->have_data && k->first[x->id] != x->arrival))
            continue; /* a later copy, or the event's first copy was counted on time */
        c->cnt++;
        c->sum += x->value;
        c->min = x->value < c->min ? x->value : c->min;
        c->max = x->value > c->max ? x->value : c->max;
        for (size_t j = 0; j < nd; j++)
            keys[nk++] = (uint64_t)j << 32 | x->dkey[j];
    }
    rc_count_distinct(keys, nk);
    for (size_t i = 0; i < nk; i++) /* sorted by (distinct aggregate, key) */
        c->distinct[keys[i] >> 32] += i == 0 || keys[i] != keys[i - 1];
    free(keys);
}

/* Aggregate i: does truth = output (+) the late contribution? */
static int agg_accounts(const struct lk_spec *spec, const struct cmp_rc_diff *d, size_t i, size_t j,
                        const struct contrib *c)
{
    int64_t t = rc_value(spec, d->b, i), o = d->a ? rc_value(spec, d->a, i) : 0;
    switch (spec->aggs[i].fn) {
    case LK_AGG_COUNT:
        return t == o + c->cnt;
    case LK_AGG_SUM:
        return t == o + c->sum;
    case LK_AGG_MIN:
        return t == (d->a && o < c->min ? o : c->min);
    case LK_AGG_MAX:
        return t == (d->a && o > c->max ? o : c->max);
    case LK_AGG_COUNT_DISTINCT:
        if (!d->a)
            return t == c->distinct[j];
        return t >= (o > c->distinct[j] ? o : c->distinct[j]) && t <= o + c->distinct[j];
    }
    return 0;
}

static void judge_late(const struct kctx *k, struct cmp_rc_diff *d, const struct contrib *c)
{
    const struct lk_spec *spec = &k->run->spec;
    char sum[32];
    int ok = c->cnt > 0 && !(d->cols & (UINT32_C(1) << CMP_RC_COL_WEND));
    for (size_t i = 0, j = 0; ok && i < spec->naggs; i++) {
        ok = agg_accounts(spec, d, i, j, c);
        j += spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT;
    }
    lk_money_format(c->sum, sum, sizeof(sum));
    if (ok) {
        rc_set_row(d, CMP_RC_MISSING_LATE);
        rc_why(d, "late table: %lld event%s first seen after the watermark (values %s in all)",
               (long long)c->cnt, c->cnt == 1 ? "" : "s", sum);
    } else {
        rc_why(d,
               "late table: %lld event%s of this window first seen late; %s not account for "
               "the difference",
               (long long)c->cnt, c->cnt == 1 ? "" : "s", c->cnt == 1 ? "it does" : "they do");
    }
}

static void judge_all_late(struct kctx *k)
{
    struct cmp_reconcile *r = k->run->r;
    if (k->n > 1)
        qsort(k->c, k->n, sizeof(*k->c), copy_cmp);
    for (size_t from = 0, to; from < k->n; from = to) {
        struct cmp_rc_diff *d = &r->d[k->c[from].diff];
        struct contrib c;
        for (to = from + 1; to < k->n && k->c[to].diff == k->c[from].diff; to++)
            ;
        if (d->cls != CMP_RC_UNEXPLAINED || d->side == CMP_RC_ONLY_A)
            continue;
        contribute(k, from, to, &c);
        judge_late(k, d, &c);
    }
}

/* ------------------------------------------------------------ pending ---- */

static void judge_pending(struct kctx *k)
{
    struct cmp_reconcile *r = k->run->r;
    char wm[LK_TIME_ISO_LEN + 1] = "-inf";
    if (!k->append)
        return;
    if (k->evict_wm != LK_TIME_NEG_INF)
        lk_time_format(k->evict_wm, wm);
    for (size_t i = 0; i < r->n; i++) {
        struct cmp_rc_diff *d = &r->d[i];
        if (d->side != CMP_RC_ONLY_B || d->b->row.window_end <= k->evict_wm)
            continue;
        rc_set_row(d, CMP_RC_PENDING);
        rc_why(d, "window ends after the last batch's eviction watermark %s: still in state", wm);
    }
}

/* ---------------------------------------------------------- replayed ---- */

/* 1 when the output holds row's key more than once, all copies equal, from one batch. */
static int replayed(struct kctx *k, sqlite3_stmt *st, const struct lk_rrow *row)
{
    int yes = 0;
    for (size_t g = 0; g < k->run->spec.ngroup; g++)
        sqlite3_bind_text(st, (int)g + 1, row->row.group[g].ptr, (int)row->row.group[g].len,
                          SQLITE_STATIC);
    sqlite3_bind_int64(st, (int)k->run->spec.ngroup + 1, row->row.window_start);
    if (sqlite3_step(st) == SQLITE_ROW)
        yes = sqlite3_column_int64(st, 0) >= 2 && sqlite3_column_int64(st, 1) == 1
              && sqlite3_column_int64(st, 2) == 1;
    sqlite3_reset(st);
    return yes;
}

static int judge_replayed(struct kctx *k, struct lk_err *err)
{
    struct cmp_reconcile *r = k->run->r;
    sqlite3_stmt *st = NULL;
    int rc;
    if (!k->at_least_once)
        return 0;
    rc = kp_reader_prepare_copies(k->run->db, &k->run->spec, &st, err);
    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        struct cmp_rc_diff *d = &r->d[i];
        if (d->side != CMP_RC_ONLY_A || !replayed(k, st, d->a))
            continue;
        rc_set_row(d, CMP_RC_DUPLICATE);
        rc_why(d, "the output holds this row twice from one batch: a replay after a crash, "
                  "written again by the at-least-once sink");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---------------------------------------------------- session replay ---- */

struct sess {
    struct kctx *k;
    struct lk_strtab *late;   /* event_id bytes + 8-byte arrival_time of every late row */
    struct lk_strtab *groups; /* group key bytes of the events the replay left out */
    size_t *nleft;            /* by group id: events left out */
    size_t cap;
    char *buf; /* scratch key */
    size_t bufcap;
    size_t left; /* events left out in all */
    struct lk_result *replay;
};

/* Key bytes of a group tuple: per column a 4-byte length and the bytes. */
static size_t group_key(struct sess *s, const struct lk_str *group, const struct lk_event *ev)
{
    const struct lk_spec *spec = &s->k->run->spec;
    size_t need = 0, at = 0;
    for (size_t g = 0; g < spec->ngroup; g++)
        need += sizeof(uint32_t) + (ev ? ev->str[spec->group[g]].len : group[g].len);
    LK_GROW(s->buf, s->bufcap, need + 1);
    for (size_t g = 0; g < spec->ngroup; g++) {
        const struct lk_str *v = ev ? &ev->str[spec->group[g]] : &group[g];
        uint32_t len = (uint32_t)v->len;
        memcpy(s->buf + at, &len, sizeof(len));
        memcpy(s->buf + at + sizeof(len), v->ptr, len);
        at += sizeof(len) + len;
    }
    return need;
}

/* Key bytes of one delivery: event_id and arrival_time. */
static size_t copy_key(struct sess *s, const char *id, size_t len, int64_t arrival)
{
    LK_GROW(s->buf, s->bufcap, len + sizeof(arrival));
    memcpy(s->buf, id, len);
    memcpy(s->buf + len, &arrival, sizeof(arrival));
    return len + sizeof(arrival);
}

/* Every (event_id, arrival_time) of the late table. */
static int read_late_copies(struct sess *s, struct lk_err *err)
{
    struct kctx *k = s->k;
    sqlite3_stmt *st = NULL;
    int rc = kp_reader_prepare(k->run->db, KP_READ_LATE_COPIES, &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, k->version);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t n = copy_key(s, (const char *)sqlite3_column_text(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0), sqlite3_column_int64(st, 1));
        lk_strtab_intern(s->late, s->buf, n, NULL);
    }
    rc = rc == SQLITE_DONE ? 0
                           : lk_err_set(err, LK_EDB, "cannot read the late table: %s ('%s')",
                                        sqlite3_errmsg(k->run->db), k->run->dir);
    sqlite3_finalize(st);
    return rc;
}

/*
 * The replay's keep predicate. The truth asks about each event's first copy: the event
 * is left out when that very delivery (id and arrival) is in the late table.
 */
static int keep_on_time(void *arg, const struct lk_event *ev)
{
    struct sess *s = arg;
    const struct lk_str *id = &ev->str[LK_F_EVENT_ID];
    size_t n = copy_key(s, id->ptr, id->len, ev->arrival_time);
    uint32_t g;
    if (lk_strtab_find(s->late, s->buf, n) == UINT32_MAX)
        return 1;
    n = group_key(s, NULL, ev); /* may move s->buf */
    g = lk_strtab_intern(s->groups, s->buf, n, NULL);
    if ((size_t)g >= s->cap) {
        size_t old = s->cap;
        LK_GROW(s->nleft, s->cap, (size_t)g + 1);
        memset(s->nleft + old, 0, (s->cap - old) * sizeof(*s->nleft));
    }
    s->nleft[g]++;
    s->left++;
    return 0;
}

static size_t left_in_group(struct sess *s, const struct lk_str *group)
{
    size_t n = group_key(s, group, NULL); /* may move s->buf */
    uint32_t g = lk_strtab_find(s->groups, s->buf, n);
    return g == UINT32_MAX ? 0 : s->nleft[g];
}

/* The row of a diff that names its group (the truth's, else the run's). */
static const struct lk_csv_row *diff_row(const struct cmp_rc_diff *d)
{
    return d->b ? &d->b->row : &d->a->row;
}

/* A replayed session the run has not emitted yet (append mode: still in state). */
static int in_state(const struct kctx *k, const struct lk_csv_row *row)
{
    return k->append && row->window_end > k->evict_wm;
}

static int same_row(const struct lk_spec *spec, const struct lk_rrow *a, const struct lk_csv_row *r)
{
    if (a->row.window_start != r->window_start || a->row.window_end != r->window_end)
        return 0;
    for (size_t i = 0; i < spec->naggs; i++)
        if (rc_value(spec, a, i) != r->values[i])
            return 0;
    return 1;
}

/* Group cursors over the run's rows (A) and the replay, both in canonical order. */
struct cursor {
    size_t a, a_end, r, r_end;
};

static void seek_group(const struct sess *s, const struct lk_csv_row *key, struct cursor *c)
{
    const struct lk_rtable *a = s->k->run->r->a;
    const struct lk_result *rp = s->replay;
    size_t ng = s->k->run->spec.ngroup;
    while (c->a < a->nrows && lk_csv_group_cmp(&a->sorted[c->a]->row, key, ng) < 0)
        c->a++;
    for (c->a_end = c->a;
         c->a_end < a->nrows && lk_csv_group_cmp(&a->sorted[c->a_end]->row, key, ng) == 0;)
        c->a_end++;
    while (c->r < rp->n && lk_csv_group_cmp(rp->rows[c->r], key, ng) < 0)
        c->r++;
    for (c->r_end = c->r; c->r_end < rp->n && lk_csv_group_cmp(rp->rows[c->r_end], key, ng) == 0;)
        c->r_end++;
}

/*
 * 1 when the run's rows of the group (without copies already explained as an
 * at-least-once replay) are exactly the replay's emitted rows; *n counts them.
 */
static int group_matches(const struct sess *s, const struct cursor *c, const unsigned char *dup,
                         size_t *n)
{
    const struct lk_rtable *a = s->k->run->r->a;
    const struct lk_result *rp = s->replay;
    size_t i = c->a, j = c->r;
    *n = 0;
    for (;;) {
        while (i < c->a_end && dup[a->sorted[i] - a->rows])
            i++;
        while (j < c->r_end && in_state(s->k, rp->rows[j]))
            j++;
        if (i == c->a_end || j == c->r_end)
            return i == c->a_end && j == c->r_end;
        if (!same_row(&s->k->run->spec, a->sorted[i], rp->rows[j]))
            return 0;
        (*n)++;
        i++;
        j++;
    }
}

/* 1 when two of the run's sessions of the group overlap or touch (sorted by start). */
static int run_overlaps(const struct sess *s, const struct cursor *c, const unsigned char *dup)
{
    const struct lk_rtable *a = s->k->run->r->a;
    int64_t end = LK_TIME_NEG_INF;
    for (size_t i = c->a; i < c->a_end; i++) {
        const struct lk_rrow *row = a->sorted[i];
        if (dup[row - a->rows])
            continue;
        if (row->row.window_start <= end)
            return 1;
        end = row->row.window_end > end ? row->row.window_end : end;
    }
    return 0;
}

/* The replayed session in state that the truth row overlaps or touches, or NULL. */
static const struct lk_csv_row *pending_overlap(const struct sess *s, const struct cursor *c,
                                                const struct lk_csv_row *t)
{
    for (size_t j = c->r; j < c->r_end; j++) {
        const struct lk_csv_row *r = s->replay->rows[j];
        if (in_state(s->k, r) && r->window_start <= t->window_end
            && t->window_start <= r->window_end)
            return r;
    }
    return NULL;
}

/* Judge the diffs [from, to) of one group; returns how many were explained. */
static size_t judge_group(struct sess *s, struct cursor *c, const unsigned char *dup, size_t from,
                          size_t to)
{
    struct cmp_reconcile *r = s->k->run->r;
    char wm[LK_TIME_ISO_LEN + 1] = "+inf";
    size_t nrows, left, done = 0;
    int any = 0;
    for (size_t i = from; i < to && !any; i++)
        any = r->d[i].cls == CMP_RC_UNEXPLAINED;
    if (!any)
        return 0;
    seek_group(s, diff_row(&r->d[from]), c);
    if (!group_matches(s, c, dup, &nrows)) {
        if (run_overlaps(s, c, dup))
            for (size_t i = from; i < to; i++)
                if (r->d[i].cls == CMP_RC_UNEXPLAINED && !r->d[i].why[0])
                    rc_why(&r->d[i], "the run's sessions of this group overlap or touch: an "
                                     "on-time event reached a session already evicted (not "
                                     "late data)");
        return 0;
    }
    left = left_in_group(s, diff_row(&r->d[from])->group);
    if (s->k->evict_wm != LK_TIME_POS_INF)
        lk_time_format(s->k->evict_wm, wm);
    for (size_t i = from; i < to; i++) {
        struct cmp_rc_diff *d = &r->d[i];
        if (d->cls != CMP_RC_UNEXPLAINED)
            continue;
        if (d->b && pending_overlap(s, c, &d->b->row)) {
            rc_set_row(d, CMP_RC_PENDING);
            rc_why(d,
                   "replay without the group's %zu late event%s: this session is still in "
                   "state (ends after the last eviction watermark %s)",
                   left, left == 1 ? "" : "s", wm);
        } else if (left > 0) {
            rc_set_row(d, CMP_RC_MISSING_LATE);
            rc_why(d,
                   "replay without the %zu late event%s of this group gives exactly the run's "
                   "%zu session%s",
                   left, left == 1 ? "" : "s", nrows, nrows == 1 ? "" : "s");
        } else {
            continue;
        }
        done++;
    }
    return done;
}

/*
 * Explain session differences by replay. Returns 1 when the replay ran, 0 when the
 * dataset could not be read (err says why), <0 on a database error.
 */
static int judge_sessions(struct kctx *k, struct lk_err *err, struct lk_err *data_err)
{
    struct cmp_reconcile *r = k->run->r;
    struct lk_truth_stats stats;
    struct sess s;
    struct cursor cur = { 0, 0, 0, 0 };
    unsigned char *dup = lk_xcalloc(r->a->nrows + 1, 1);
    size_t groups = 0, matched = 0;
    int rc;
    memset(&s, 0, sizeof(s));
    s.k = k;
    s.late = lk_strtab_new();
    s.groups = lk_strtab_new();
    if ((rc = read_late_copies(&s, err)) < 0)
        goto out;
    rc = lk_truth_eval_keep(&k->run->spec, run_data(k), LK_TIME_POS_INF, keep_on_time, &s,
                            &s.replay, &stats, NULL, NULL, data_err);
    if (rc < 0) {
        rc = 0;
        goto out;
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->d[i].side == CMP_RC_ONLY_A && r->d[i].cls == CMP_RC_DUPLICATE)
            dup[r->d[i].a - r->a->rows] = 1;
    for (size_t from = 0, to; from < r->n; from = to) {
        size_t done;
        for (to = from + 1;
             to < r->n
             && lk_csv_group_cmp(diff_row(&r->d[to]), diff_row(&r->d[from]), k->run->spec.ngroup)
                    == 0;)
            to++;
        done = judge_group(&s, &cur, dup, from, to);
        groups += done > 0;
        matched += done;
    }
    snprintf(k->sess_note, sizeof(k->sess_note),
             "sessions: replayed the dataset without the %zu event%s whose first copy is in the "
             "late table; the run equals that replay in %zu group%s with differences (%zu "
             "row%s explained)",
             s.left, s.left == 1 ? "" : "s", groups, groups == 1 ? "" : "s", matched,
             matched == 1 ? "" : "s");
    rc = 1;
out:
    lk_result_free(s.replay);
    lk_strtab_free(s.late);
    lk_strtab_free(s.groups);
    free(s.nleft);
    free(s.buf);
    free(dup);
    return rc;
}

/* ------------------------------------------------------------- driver ---- */

static size_t count_class(const struct cmp_reconcile *r, enum cmp_rc_class c)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->d[i].cls == c;
    return n;
}

int rc_kappa_explain(struct rc_run *run, struct lk_err *err)
{
    struct kctx k;
    int rc;
    memset(&k, 0, sizeof(k));
    k.run = run;
    k.ids = lk_strtab_new();
    k.vals = lk_strtab_new();
    rc_keys_init(&k.keys, run->r, run->spec.ngroup);
    if ((rc = read_facts(&k, err)) < 0 || (rc = read_late(&k, err)) < 0)
        goto out;
    judge_pending(&k);
    if ((rc = judge_replayed(&k, err)) < 0)
        goto out;
    if (run->spec.window.kind == LK_WIN_SESSION && count_class(run->r, CMP_RC_UNEXPLAINED) > 0) {
        struct lk_err data_err = LK_ERR_INIT;
        if ((rc = judge_sessions(&k, err, &data_err)) < 0)
            goto out;
        if (rc == 0)
            snprintf(k.data_note, sizeof(k.data_note),
                     "note: cannot read the run's dataset '%.120s' (%.160s), so session "
                     "differences are not replayed and stay unexplained; try --data",
                     run_data(&k), data_err.msg);
    } else {
        if (k.n > 0)
            find_first_copies(&k);
        judge_all_late(&k);
    }
    rc = note_late(&k, count_class(run->r, CMP_RC_MISSING_LATE), err);
    if (rc == 0 && k.sess_note[0])
        rc_note(run->r, "%s", k.sess_note);
    if (rc == 0 && k.data_note[0])
        rc_note(run->r, "%s", k.data_note);
out:
    rc_keys_release(&k.keys);
    lk_strtab_free(k.ids);
    lk_strtab_free(k.vals);
    free(k.first);
    free(k.c);
    return rc;
}
