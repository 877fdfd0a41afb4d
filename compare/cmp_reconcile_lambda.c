/*
 * cmp_reconcile: evidence from a Lambda run (docs/lambda.md).
 *
 * At the instant `at` of A's answer the serving layer saw: the batch view visible at `at`
 * (cutoff C: the first copy of every event that arrived at or before C, deduplicated) plus
 * every copy that arrived in a speed bucket after C that was visible at `at` (arrival <= H,
 * the end of the last visible bucket; at-least-once: re-deliveries count again). From the
 * master dataset (every arrived line, duplicates included) this file recomputes, for each
 * row to explain, both what the serving answer must have been and what the truth is; the
 * difference is explained only when A and B equal those exactly (distinct counts answered
 * by a sketch: within cmp_reconcile_hll_bound). With truth_as_of, B is the truth as of `at`
 * and lines that arrived after `at` count on neither side, so pending is data in flight
 * (arrived, not yet in a visible bucket). Then each differing cell is
 *   pending              some of the window's events were not visible yet (arrival > H)
 *   duplicate-overcount  the speed layer counted re-deliveries (count, sum)
 *   approximate          the distinct count came from HyperLogLog and the exact distinct
 *                        count of what was seen equals the truth's
 */
#include <stdlib.h>
#include <string.h>

#include "lb_reader.h"
#include "lk_event.h"
#include "lk_mem.h"
#include "cmp_reconcile_int.h"
#include "lk_store.h"
#include "lk_time.h"
#include "banned.h"

/* Per row to explain: the truth (first copies) and the serving side (counted copies). */
struct lacc {
    int64_t t_cnt, t_sum, t_min, t_max;
    int64_t s_cnt, s_sum, s_min, s_max;
    int64_t dup; /* copies counted again */
    int64_t vis; /* events counted at least once */
    int speed;   /* a speed bucket contributed: the distinct count is a sketch's */
    int64_t t_distinct[LK_SPEC_MAX_DISTINCT], s_distinct[LK_SPEC_MAX_DISTINCT];
};

#define ST_SEEN 1u
#define ST_COUNTED 2u

struct lctx {
    struct rc_run *run;
    struct rc_keys keys;
    int64_t cutoff, horizon;
    struct lacc *acc; /* by diff */
    struct lk_strtab *ids, *vals;
    unsigned char *state; /* by event id: ST_* */
    size_t state_cap;
    uint64_t *tk, *sk; /* (diff << 34 | distinct aggregate << 32 | key) */
    size_t ntk, nsk, tk_cap, sk_cap;
};

/* ---------------------------------------------------------- run facts ---- */

static int query_time(sqlite3 *db, enum lb_read q, int64_t at, int64_t *out, struct lk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = lb_reader_prepare(db, q, &st, err);
    *out = LK_TIME_NEG_INF;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, at);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int read_facts(struct lctx *l, struct lk_err *err)
{
    sqlite3 *db = l->run->db;
    int64_t at = l->run->r->o.at;
    int rc = query_time(db, LB_READ_CUTOFF, at, &l->cutoff, err);
    if (rc == 0)
        rc = query_time(db, LB_READ_HORIZON, at, &l->horizon, err);
    if (l->horizon < l->cutoff)
        l->horizon = l->cutoff;
    return rc;
}

/* Lambda has no watermark: say how many lines came after their window had closed. */
static int note_late(struct lctx *l, struct lk_err *err)
{
    const struct lk_window_spec *w = &l->run->spec.window;
    sqlite3_stmt *st = NULL;
    long long n = 0;
    int64_t step = w->kind == LK_WIN_SESSION ? 1 : w->slide;
    int64_t len = w->kind == LK_WIN_SESSION ? w->gap : w->size;
    int rc = lb_reader_prepare(l->run->db, LB_READ_LATE, &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, step);
    sqlite3_bind_int64(st, 2, len);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (n == 0)
        rc_note(l->run->r, "late data: none (no line arrived after its window had closed)");
    else
        rc_note(l->run->r,
                "late data: %lld line%s arrived after %s window had closed; Lambda "
                "has no watermark, so both layers count them (nothing is dropped)",
                n, n == 1 ? "" : "s", n == 1 ? "its" : "their");
    return 0;
}

/* ------------------------------------------------------------- master ---- */

static void add_keys(struct lctx *l, int truth, size_t diff, const uint32_t *dkey, size_t nd)
{
    uint64_t **v = truth ? &l->tk : &l->sk;
    size_t *n = truth ? &l->ntk : &l->nsk, *cap = truth ? &l->tk_cap : &l->sk_cap;
    lk_grow((void **)v, cap, *n + nd, sizeof(**v));
    for (size_t j = 0; j < nd; j++)
        (*v)[(*n)++] = (uint64_t)diff << 34 | (uint64_t)j << 32 | dkey[j];
}

static void add_value(int64_t *cnt, int64_t *sum, int64_t *min, int64_t *max, int64_t v)
{
    if (*cnt == 0 || v < *min)
        *min = v;
    if (*cnt == 0 || v > *max)
        *max = v;
    (*cnt)++;
    *sum += v;
}

/* One copy of an event, for one row to explain; st = the id's state before this copy. */
static void account(struct lctx *l, size_t diff, unsigned st, int counted, int speed,
                    const struct lk_event *ev, const uint32_t *dkey, size_t nd)
{
    struct lacc *a = &l->acc[diff];
    if (!(st & ST_SEEN)) {
        add_value(&a->t_cnt, &a->t_sum, &a->t_min, &a->t_max, ev->value);
        add_keys(l, 1, diff, dkey, nd);
    }
    if (!counted)
        return;
    add_value(&a->s_cnt, &a->s_sum, &a->s_min, &a->s_max, ev->value);
    add_keys(l, 0, diff, dkey, nd);
    a->speed |= speed;
    if (st & ST_COUNTED)
        a->dup++;
    else
        a->vis++;
}

/* The rows to explain that ev falls in (at most lk_spec_max_windows). */
static size_t find_rows(struct lctx *l, const struct lk_event *ev, size_t *rows)
{
    const struct lk_spec *spec = &l->run->spec;
    int64_t starts[64];
    size_t n = 0, nw;
    if (spec->window.kind == LK_WIN_SESSION || lk_spec_max_windows(spec) > 64)
        return 0;
    nw = lk_spec_windows(spec, ev->event_time, starts);
    for (size_t w = 0; w < nw; w++) {
        size_t d = rc_keys_find(&l->keys, spec, ev, starts[w]);
        if (d != SIZE_MAX)
            rows[n++] = d;
    }
    return n;
}

static void take_line(struct lctx *l, const struct lk_event *ev)
{
    const struct lk_spec *spec = &l->run->spec;
    const struct lk_str *id = &ev->str[LK_F_EVENT_ID];
    uint32_t dkey[LK_SPEC_MAX_DISTINCT], i;
    size_t rows[64], n = find_rows(l, ev, rows), nd = 0;
    unsigned st;
    int counted, added, speed = ev->arrival_time > l->cutoff;
    if (n == 0 || (l->run->r->o.truth_as_of && ev->arrival_time > l->run->r->o.at))
        return;
    i = lk_strtab_intern(l->ids, id->ptr, id->len, &added);
    LK_GROW(l->state, l->state_cap, (size_t)i + 1);
    if (added)
        l->state[i] = 0;
    st = l->state[i];
    counted = speed ? ev->arrival_time <= l->horizon : !(st & ST_SEEN);
    for (size_t k = 0; k < spec->naggs; k++)
        if (spec->aggs[k].fn == LK_AGG_COUNT_DISTINCT)
            dkey[nd++] = lk_strtab_intern(l->vals, ev->str[spec->aggs[k].of].ptr,
                                          ev->str[spec->aggs[k].of].len, NULL);
    for (size_t k = 0; k < n; k++)
        account(l, rows[k], st, counted, speed, ev, dkey, nd);
    l->state[i] = (unsigned char)(st | ST_SEEN | (counted ? ST_COUNTED : 0));
}

/* Every master line in arrival order (so a state's first copy is the earliest). */
static int scan_master(struct lctx *l, struct lk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = lb_reader_prepare(l->run->db, LB_READ_MASTER, &st, err);
    if (rc < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lk_event ev;
        for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
            ev.str[f].ptr = (const char *)sqlite3_column_text(st, f);
            ev.str[f].len = (size_t)sqlite3_column_bytes(st, f);
        }
        ev.value = sqlite3_column_int64(st, 4);
        ev.event_time = sqlite3_column_int64(st, 5);
        ev.arrival_time = sqlite3_column_int64(st, 6);
        if (lk_spec_accepts(&l->run->spec, &ev))
            take_line(l, &ev);
    }
    rc = rc == SQLITE_DONE ? 0
                           : lk_err_set(err, LK_EDB,
                                        "cannot read the master dataset: %s "
                                        "('%s')",
                                        sqlite3_errmsg(l->run->db), l->run->dir);
    sqlite3_finalize(st);
    return rc;
}

/* Distinct keys per (row, distinct aggregate) from the packed (diff, j, key) values. */
static void count_keys(struct lctx *l, int truth)
{
    uint64_t *v = truth ? l->tk : l->sk;
    size_t n = truth ? l->ntk : l->nsk;
    rc_count_distinct(v, n);
    for (size_t i = 0; i < n; i++) {
        struct lacc *a = &l->acc[v[i] >> 34];
        int64_t *d = truth ? a->t_distinct : a->s_distinct;
        d[(v[i] >> 32) & 3] += i == 0 || v[i] != v[i - 1];
    }
}

/* ------------------------------------------------------------- judging ---- */

/* Expected value of aggregate i (j-th distinct) on the truth side or the serving side. */
static int64_t expected(const struct lk_spec *spec, const struct lacc *a, size_t i, size_t j,
                        int truth)
{
    switch (spec->aggs[i].fn) {
    case LK_AGG_COUNT:
        return truth ? a->t_cnt : a->s_cnt;
    case LK_AGG_SUM:
        return truth ? a->t_sum : a->s_sum;
    case LK_AGG_MIN:
        return truth ? a->t_min : a->s_min;
    case LK_AGG_MAX:
        return truth ? a->t_max : a->s_max;
    case LK_AGG_COUNT_DISTINCT:
        return truth ? a->t_distinct[j] : a->s_distinct[j];
    }
    return 0;
}

/* 1 when B is the truth the master implies and A the answer the layers must have given. */
static int reproduced(const struct lk_spec *spec, const struct cmp_rc_diff *d, const struct lacc *a)
{
    if (!d->b || a->t_cnt == 0 || (d->a == NULL) != (a->s_cnt == 0))
        return 0;
    for (size_t i = 0, j = 0; i < spec->naggs; i++) {
        int distinct = spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT;
        int64_t t = expected(spec, a, i, j, 1), s = expected(spec, a, i, j, 0);
        if (rc_value(spec, d->b, i) != t)
            return 0;
        if (d->a) {
            int64_t got = rc_value(spec, d->a, i), diff = got > s ? got - s : s - got;
            if (distinct && a->speed ? diff > cmp_reconcile_hll_bound(s) : diff != 0)
                return 0;
        }
        j += distinct;
    }
    return 1;
}

/* Class of differing aggregate i once the row is reproduced. */
static enum cmp_rc_class cell_class(const struct lk_spec *spec, const struct lacc *a, size_t i,
                                    size_t j)
{
    int64_t pending = a->t_cnt - a->vis;
    switch (spec->aggs[i].fn) {
    case LK_AGG_COUNT:
    case LK_AGG_SUM:
        return pending ? CMP_RC_PENDING : a->dup ? CMP_RC_DUPLICATE : CMP_RC_UNEXPLAINED;
    case LK_AGG_MIN:
    case LK_AGG_MAX:
        return pending ? CMP_RC_PENDING : CMP_RC_UNEXPLAINED;
    case LK_AGG_COUNT_DISTINCT:
        if (a->speed && a->s_distinct[j] == a->t_distinct[j])
            return CMP_RC_APPROXIMATE;
        return pending ? CMP_RC_PENDING : CMP_RC_UNEXPLAINED;
    }
    return CMP_RC_UNEXPLAINED;
}

static void why(struct cmp_rc_diff *d, const struct lacc *a)
{
    int64_t pending = a->t_cnt - a->vis;
    char buf[CMP_RC_WHY_MAX] = "";
    size_t n = 0;
    if (pending)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%lld event%s not visible yet; ",
                              (long long)pending, pending == 1 ? "" : "s");
    if (a->dup)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                              "%lld re-deliver%s counted again by the "
                              "speed layer; ",
                              (long long)a->dup, a->dup == 1 ? "y" : "ies");
    if (a->speed && n < sizeof(buf))
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "distinct counts from HyperLogLog; ");
    if (n >= 2 && n < sizeof(buf))
        buf[n - 2] = '\0';
    rc_why(d, "master dataset: %s", buf[0] ? buf : "the view answers exactly");
}

static void judge(struct lctx *l, struct cmp_rc_diff *d, const struct lacc *a)
{
    const struct lk_spec *spec = &l->run->spec;
    if (d->side == CMP_RC_ONLY_A)
        return;
    if (!reproduced(spec, d, a)) {
        rc_why(d,
               "the master dataset does not account for it (it implies %lld event%s in the "
               "answer, %lld in the truth)",
               (long long)a->s_cnt, a->s_cnt == 1 ? "" : "s", (long long)a->t_cnt);
        return;
    }
    why(d, a);
    if (d->side == CMP_RC_ONLY_B) {
        rc_set_row(d, CMP_RC_PENDING);
        return;
    }
    for (size_t i = 0, j = 0; i < spec->naggs; i++) {
        rc_set_cell(d, i, cell_class(spec, a, i, j));
        j += spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT;
    }
}

/* ------------------------------------------------------------- driver ---- */

int rc_lambda_explain(struct rc_run *run, struct lk_err *err)
{
    struct cmp_reconcile *r = run->r;
    struct lctx l;
    int rc;
    memset(&l, 0, sizeof(l));
    l.run = run;
    l.ids = lk_strtab_new();
    l.vals = lk_strtab_new();
    l.acc = lk_xcalloc(r->n + 1, sizeof(*l.acc));
    rc_keys_init(&l.keys, r, run->spec.ngroup);
    if ((rc = read_facts(&l, err)) < 0 || (rc = note_late(&l, err)) < 0)
        goto out;
    if (r->o.truth_as_of)
        rc_note(r, "the truth is as of the answer's instant: lines that arrived later count on "
                   "neither side, so pending rows are data in flight");
    if (run->spec.window.kind == LK_WIN_SESSION && r->n > 0)
        rc_note(r, "note: session windows are not matched against the master dataset: their "
                   "differences stay unexplained");
    if (r->n > 0 && (rc = scan_master(&l, err)) < 0)
        goto out;
    count_keys(&l, 1);
    count_keys(&l, 0);
    for (size_t i = 0; i < r->n; i++)
        judge(&l, &r->d[i], &l.acc[i]);
out:
    rc_keys_release(&l.keys);
    lk_strtab_free(l.ids);
    lk_strtab_free(l.vals);
    free(l.acc);
    free(l.state);
    free(l.tk);
    free(l.sk);
    return rc;
}
