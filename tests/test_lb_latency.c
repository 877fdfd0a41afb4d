/*
 * Lambda latency, row histories and the sawtooth (lambda/lb_latency.h).
 *
 * By hand on datasets/fixtures/lambda-seam.jsonl (see tests/test_lb_fixture.c): batch
 * jobs every hour take 5 virtual minutes, 10 s speed buckets take no time, so a bucket
 * (end - 10 s, end] is visible at its end and view 1 (cutoff 01:00:00) at 01:05:00:
 *
 *   event  arrives        bucket visible  first-visible        correct (its row right from)
 *   s-a    00:50:12       00:50:20         8 000 ms            01:05:00 (the re-delivered
 *   s-b    01:00:00.000   01:00:00             0 ms            copy at 00:55 overcounts the
 *   s-c    01:00:00.001   01:00:10         9 999 ms            row until view 1 lands):
 *                                                              888 000, 300 000, 299 999 ms
 *   s-d    01:30:01       01:30:10         9 000 ms            01:30:10 (speed is exact): 9 000
 *
 * The duplicate s-a and the truncated line are not samples.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lb_latency.h"
#include "lb_test.h"
#include "banned.h"

#define ROW_W "t01,purchase,2026-01-01T00:50:00.000Z"

static char *run_seam(const char *name, const char *pipeline)
{
    char *dir = lkt_tmpdir(name), *run = lkt_fmt("%s/run", dir), *err = NULL;
    int rc = lbt_lambda(&err,
                        "--data %s/datasets/fixtures/lambda-seam.jsonl --pipeline %s "
                        "--out %s --batch-every 1h --speed-trigger 10s --cost-model "
                        "%s/datasets/fixtures/lambda-model.json",
                        lkt_root(), pipeline, run, lkt_root());
    cr_assert_eq(rc, 0, "%s", err ? err : "");
    free(err);
    free(dir);
    return run;
}

static char *run_generated(const char *name, const char *ds, const char *pipeline, const char *opts)
{
    char *dir = lkt_tmpdir(name), *run = lkt_fmt("%s/run", dir), *err = NULL;
    int rc = lbt_lambda(&err, "--data %s --pipeline %s --out %s %s", ds, pipeline, run, opts);
    cr_assert_eq(rc, 0, "%s", err ? err : "");
    free(err);
    free(dir);
    return run;
}

/* The run loaded (lb_tl_load must succeed); the caller lb_tl_free's it. */
static struct lb_tl *load(const char *run)
{
    struct lk_err err = LK_ERR_INIT;
    struct lb_tl *tl;
    cr_assert_eq(lb_tl_load(run, &tl, &err), 0, "%s", err.msg);
    return tl;
}

/* lb_latency of run with the truth read from truth_csv (NULL: computed). */
static void latency(const char *run, const char *truth_csv, struct lk_lat *fv, struct lk_lat *ok)
{
    struct lk_err err = LK_ERR_INIT;
    struct lb_tl *tl = load(run);
    lk_lat_init(fv);
    lk_lat_init(ok);
    cr_assert_eq(lb_latency(tl, truth_csv, fv, ok, &err), 0, "%s", err.msg);
    lb_tl_free(tl);
}

/* The samples, sorted, equal want[0..n). */
static void expect_samples(struct lk_lat *l, const int64_t *want, size_t n, const char *what)
{
    struct lk_lat_summary s;
    lk_lat_summarize(l, &s); /* sorts */
    cr_assert_eq(l->n, n, "%s: %zu samples, want %zu", what, l->n, n);
    cr_assert_eq(l->never, 0, "%s: never", what);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(l->v[i], want[i], "%s[%zu]: %lld, want %lld", what, i, (long long)l->v[i],
                     (long long)want[i]);
}

Test(lb_latency, fixture_latencies_worked_by_hand)
{
    char *run = run_seam("lb-lat-fixture", "revenue");
    struct lk_lat fv, ok;
    const int64_t want_fv[] = { 0, 8000, 9000, 9999 };
    const int64_t want_ok[] = { 9000, 299999, 300000, 888000 };
    latency(run, NULL, &fv, &ok);
    expect_samples(&fv, want_fv, 4, "first-visible");
    expect_samples(&ok, want_ok, 4, "correct");
    lk_lat_free(&fv);
    lk_lat_free(&ok);
    free(run);
}

/* The sweep's way: the truth read from `lklab truth`'s CSV, not computed again. */
Test(lb_latency, fixture_latencies_worked_by_hand_with_the_truth_from_its_csv)
{
    char *run = run_seam("lb-lat-truth-csv", "revenue"), *csv = lkt_fmt("%s.truth.csv", run);
    struct lk_lat fv, ok;
    const int64_t want_fv[] = { 0, 8000, 9000, 9999 };
    const int64_t want_ok[] = { 9000, 299999, 300000, 888000 };
    cr_assert_eq(lkt_run(NULL, NULL,
                         "truth --quiet --data %s/datasets/fixtures/lambda-seam.jsonl "
                         "--pipeline revenue --out %s",
                         lkt_root(), csv),
                 0);
    latency(run, csv, &fv, &ok);
    expect_samples(&fv, want_fv, 4, "first-visible");
    expect_samples(&ok, want_ok, 4, "correct");
    lk_lat_free(&fv);
    lk_lat_free(&ok);
    free(csv);
    free(run);
}

/* sliding: type in [purchase], 10 min windows every 5 min; s-d (a view) is filtered out,
 * s-a..s-c fall in two windows each, both right only when view 1 lands */
Test(lb_latency, filtered_events_are_not_samples_and_sliding_takes_the_latest_window)
{
    char *run = run_seam("lb-lat-sliding", "sliding");
    struct lk_lat fv, ok;
    const int64_t want_fv[] = { 0, 8000, 9999 };
    const int64_t want_ok[] = { 299999, 300000, 888000 };
    latency(run, NULL, &fv, &ok);
    expect_samples(&fv, want_fv, 3, "first-visible");
    expect_samples(&ok, want_ok, 3, "correct");
    lk_lat_free(&fv);
    lk_lat_free(&ok);
    free(run);
}

static void expect_history(const char *run, const char *key, const char *col,
                           const char *const *times, const double *values, size_t n)
{
    struct lk_err err = LK_ERR_INIT;
    struct lb_tl *tl = load(run);
    struct lk_point *p;
    size_t np;
    cr_assert_eq(lb_row_history(tl, key, col, &p, &np, &err), 0, "%s", err.msg);
    lb_tl_free(tl);
    cr_assert_eq(np, n, "%s: %zu points, want %zu", col, np, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(p[i].t, lbt_time(times[i]), "%s point %zu at %s", col, i, times[i]);
        cr_assert_eq(p[i].v, values[i], "%s point %zu: %g, want %g", col, i, p[i].v, values[i]);
    }
    free(p);
}

Test(lb_latency, row_history_shows_the_speed_steps_and_the_batch_correction)
{
    char *run = run_seam("lb-lat-history", "revenue");
    const char *const t[] = { "2026-01-01T00:50:20Z", "2026-01-01T00:55:00Z",
                              "2026-01-01T01:00:00Z", "2026-01-01T01:00:10Z",
                              "2026-01-01T01:05:00Z" };
    const double events[] = { 1, 2, 3, 4, 3 }; /* the dup counted, then dropped */
    const double sums[] = { 10.0, 20.0, 25.0, 27.5, 17.5 };
    const char *const tk[] = { t[0], t[2], t[3] }; /* u1, u1 again, u2, u3 */
    const double keys[] = { 1, 2, 3 };             /* unchanged at 00:55 and 01:05 */
    expect_history(run, ROW_W, "events", t, events, 5);
    expect_history(run, ROW_W, "value_sum", t, sums, 5);
    expect_history(run, ROW_W, "distinct_keys", tk, keys, 3);
    free(run);
}

Test(lb_latency, row_history_rejects_unknown_columns_rows_and_bad_keys)
{
    char *run = run_seam("lb-lat-history-bad", "revenue");
    struct lb_tl *tl = load(run);
    struct lk_err err = LK_ERR_INIT;
    struct lk_point *p;
    size_t n;
    cr_assert_eq(lb_row_history(tl, ROW_W, "nope", &p, &n, &err), LK_EUSAGE);
    cr_assert(strstr(err.msg, "'nope'"), "%s", err.msg);
    cr_assert_eq(
        lb_row_history(tl, "t01,purchase,2026-01-01T00:51:00.000Z", "events", &p, &n, &err),
        LK_EINPUT);
    cr_assert(strstr(err.msg, "no row"), "%s", err.msg);
    cr_assert_eq(lb_row_history(tl, "t01,2026-01-01T00:50:00Z", "events", &p, &n, &err), LK_EINPUT);
    cr_assert_eq(lb_row_history(tl, "t01,purchase,noon", "events", &p, &n, &err), LK_EINPUT);
    cr_assert_null(p);
    cr_assert_eq(n, 0);
    lb_tl_free(tl);
    free(run);
}

Test(lb_latency, analyses_refuse_unfinished_runs_and_session_windows)
{
    char *dir = lkt_tmpdir("lb-lat-refuse"), *run = run_seam("lb-lat-sessions", "sessions");
    struct lk_err err = LK_ERR_INIT;
    struct lb_tl *tl = NULL;
    cr_assert_eq(lb_tl_load(dir, &tl, &err), LK_ENOENT);
    cr_assert(strstr(err.msg, "run.json"), "%s", err.msg);
    cr_assert_eq(lb_tl_load(run, &tl, &err), LK_EUSAGE);
    cr_assert(strstr(err.msg, "session"), "%s", err.msg);
    free(dir);
    free(run);
}

/* lklab results --at (not inlined: gcc then mistakes the open_memstream buffer for a local) */
__attribute__((noinline)) static char *serving_at(const char *run, int64_t at)
{
    return lbt_export(run, "serving", at);
}

/* The value of field col (0-based) of the row with key (first 3 fields) in a CSV, or -1. */
static double csv_field(const char *csv, const char *key, int col)
{
    size_t klen = strlen(key);
    const char *p = csv;
    while ((p = strstr(p, key)) != NULL) {
        if ((p == csv || p[-1] == '\n') && p[klen] == ',') {
            for (int k = 0; k < col; k++)
                p = strchr(p, ',') + 1;
            return strtod(p, NULL);
        }
        p += klen;
    }
    return -1;
}

/* The busiest purchase row of a serving CSV: its key (first 3 fields, heap). */
static char *busiest_key(const char *csv)
{
    const char *p = strchr(csv, '\n') + 1, *best = NULL;
    double most = -1;
    for (; *p; p = strchr(p, '\n') + 1) {
        const char *q = p;
        double v;
        for (int k = 0; k < 4; k++)
            q = strchr(q, ',') + 1;
        v = strtod(q, NULL);
        if (v > most && strncmp(strchr(p, ',') + 1, "purchase,", 9) == 0) {
            most = v;
            best = p;
        }
    }
    cr_assert_not_null(best);
    return lkt_fmt("%.*s", (int)(strchr(strchr(strchr(best, ',') + 1, ',') + 1, ',') - best), best);
}

Test(lb_latency, row_history_agrees_with_results_at_each_step_and_just_before)
{
    char *ds = lkt_dataset("lb-latency", "--scenario clickstream --events 20000 --seed 11");
    char *run = run_generated("lb-lat-hist-gen", ds, "revenue", "--batch-every 1h");
    char *end = serving_at(run, LK_TIME_POS_INF), *key = busiest_key(end);
    const char *cols[] = { "events", "value_sum", "distinct_keys" };
    const int idx[] = { 4, 5, 8 };
    struct lb_tl *tl = load(run);
    for (int c = 0; c < 3; c++) {
        struct lk_err err = LK_ERR_INIT;
        struct lk_point *p;
        size_t n;
        cr_assert_eq(lb_row_history(tl, key, cols[c], &p, &n, &err), 0, "%s", err.msg);
        cr_assert_geq(n, 2, "%s of %s: %zu steps", cols[c], key, n);
        for (size_t i = 0; i < n; i++) {
            char *at = serving_at(run, p[i].t), *before = serving_at(run, p[i].t - 1);
            cr_assert_eq(csv_field(at, key, idx[c]), p[i].v, "%s of %s at step %zu", cols[c], key,
                         i);
            cr_assert_neq(csv_field(before, key, idx[c]), p[i].v, "%s: no change at step %zu",
                          cols[c], i);
            free(at);
            free(before);
        }
        cr_assert_eq(csv_field(end, key, idx[c]), p[n - 1].v);
        free(p);
    }
    lb_tl_free(tl);
    free(key);
    free(end);
    free(run);
    free(ds);
}

/* ---------------------------------------------------------------- sawtooth ---- */

static void expect_point(const struct lb_disc_point *p, const char *t, uint64_t diff, uint64_t rows)
{
    cr_assert_eq(p->t, lbt_time(t), "point at %s: t", t);
    cr_assert_eq(p->diff_rows, diff, "at %s: diff_rows %llu, want %llu", t,
                 (unsigned long long)p->diff_rows, (unsigned long long)diff);
    cr_assert_eq(p->rows, rows, "at %s: rows %llu, want %llu", t, (unsigned long long)p->rows,
                 (unsigned long long)rows);
}

Test(lb_latency, fixture_sawtooth_drops_to_zero_when_each_view_lands)
{
    char *run = run_seam("lb-lat-saw", "revenue");
    struct lb_tl *tl = load(run);
    struct lb_disc_point *p;
    size_t n;
    lb_discrepancy_series(tl, &p, &n);
    lb_tl_free(tl);
    cr_assert_eq(n, 6, "%zu points", n);
    expect_point(&p[0], "2026-01-01T00:50:12Z", 1, 0);     /* first arrival, nothing served */
    expect_point(&p[1], "2026-01-01T01:00:00Z", 1, 1);     /* 3 events, 25.00 vs 2, 15.00 */
    expect_point(&p[2], "2026-01-01T01:04:59.999Z", 1, 1); /* metrics.jsonl job 1: 1 */
    expect_point(&p[3], "2026-01-01T01:05:00Z", 0, 1);     /* view 1 landed */
    expect_point(&p[4], "2026-01-01T01:35:09.999Z", 0, 2); /* s-d served by the speed layer */
    expect_point(&p[5], "2026-01-01T01:35:10Z", 0, 2);     /* final view */
    free(p);
    free(run);
}

/* Length of the first nkey fields of a CSV line, with their commas. */
static size_t key_len(const char *line, int nkey)
{
    size_t n = 0;
    for (int k = 0; k < nkey && line[n] && line[n] != '\n'; k++) {
        n += strcspn(line + n, ",\n");
        n += line[n] == ',';
    }
    return n;
}

/* Rows (first nkey fields) present on one side only or differing, between two CSVs. */
static uint64_t csv_diff_rows(const char *csv_a, const char *csv_b, int nkey)
{
    size_t i = strcspn(csv_a, "\n") + 1, j = strcspn(csv_b, "\n") + 1; /* past the headers */
    uint64_t d = 0;
    while (csv_a[i] || csv_b[j]) {
        const char *a = csv_a + i, *b = csv_b + j;
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        size_t ka = key_len(a, nkey), kb = key_len(b, nkey);
        int c = !*a ? 1 : !*b ? -1 : strncmp(a, b, ka > kb ? ka : kb);
        if (c != 0 || la != lb || memcmp(a, b, la) != 0)
            d++;
        if (c <= 0)
            i += la + (a[la] == '\n');
        if (c >= 0)
            j += lb + (b[lb] == '\n');
    }
    return d;
}

Test(lb_latency, sawtooth_matches_the_discrepancy_each_batch_job_measured_and_the_oracle)
{
    char *ds = lkt_dataset("lb-latency", "--scenario clickstream --events 20000 --seed 11");
    char *run = run_generated("lb-lat-saw-gen", ds, "revenue", "--batch-every 6h");
    char *spec = lbt_pipeline("revenue");
    struct lb_tl *tl = load(run);
    struct lb_disc_point *p;
    size_t n, checked = 0, hours = 0, oracle = 0;
    long long jobs = lkt_query_int(run, "SELECT count(*) FROM progress WHERE layer = 'batch'");
    lb_discrepancy_series(tl, &p, &n);
    lb_tl_free(tl);
    cr_assert_geq(jobs, 4);
    for (size_t i = 0; i < n; i++) {
        char *sql = lkt_fmt("SELECT coalesce((SELECT discrepancy_rows FROM progress WHERE "
                            "layer = 'batch' AND visible_time = %lld), -1)",
                            (long long)p[i].t + 1);
        long long want = lkt_query_int(run, sql);
        free(sql);
        if (want >= 0) { /* the instant just before a view lands: as metrics.jsonl says */
            cr_assert_eq((long long)p[i].diff_rows, want, "before the view at %lld",
                         (long long)p[i].t + 1);
            cr_assert_lt(i + 1, n);
            cr_assert_eq(p[i + 1].t, p[i].t + 1);
            cr_assert_leq(p[i + 1].diff_rows, p[i].diff_rows, "the view made it worse");
            checked++;
        } else if (p[i].t % 3600000 == 0 && hours++ % 7 == 3) {
            /* a few hourly samples against lklab results --at and lklab truth --at */
            char *serving = lbt_export(run, "serving", p[i].t);
            char *truth = lbt_truth(ds, spec, p[i].t);
            cr_assert_eq(p[i].diff_rows, csv_diff_rows(serving, truth, 3), "at %lld",
                         (long long)p[i].t);
            free(serving);
            free(truth);
            oracle++;
        }
    }
    cr_assert_eq(checked, (size_t)jobs);
    cr_assert_geq(oracle, 2);
    cr_assert_eq(p[n - 1].diff_rows, 0);
    cr_assert_eq((long long)p[n - 1].rows, lbt_runjson_int(run, "totals", "serving_rows"));
    free(p);
    free(spec);
    free(run);
    free(ds);
}

/* ----------------------------------------------------------------- properties ---- */

static int64_t correct_p50(const char *run, int64_t *fv_p50)
{
    struct lk_lat fv, ok;
    struct lk_lat_summary s;
    int64_t p50;
    latency(run, NULL, &fv, &ok);
    lk_lat_summarize(&fv, &s);
    *fv_p50 = s.p50_ms;
    cr_assert_eq(s.never, 0);
    cr_assert_eq(s.events, 20000); /* every unique event, no duplicate */
    lk_lat_summarize(&ok, &s);
    cr_assert_eq(s.never, 0);
    p50 = s.p50_ms;
    lk_lat_free(&fv);
    lk_lat_free(&ok);
    return p50;
}

/* Many re-deliveries: most rows are wrong until the batch view covering them lands. */
Test(lb_latency, first_visible_follows_the_speed_trigger_and_correct_the_batch_period)
{
    char *ds = lkt_dataset("lb-latency-dup", "--scenario clickstream --events 20000 --seed 5 "
                                             "--dup-frac 1");
    char *r1 = run_generated("lb-lat-1h", ds, "revenue", "--batch-every 1h");
    char *r6 = run_generated("lb-lat-6h", ds, "revenue", "--batch-every 6h");
    long long delay = lkt_query_int(r1, "SELECT modelled_ms FROM progress WHERE layer = "
                                        "'speed' ORDER BY modelled_ms LIMIT 1 OFFSET (SELECT "
                                        "count(*) / 2 FROM progress WHERE layer = 'speed')");
    int64_t fv1, fv6, ok1 = correct_p50(r1, &fv1), ok6 = correct_p50(r6, &fv6);
    cr_assert_gt(delay, 0);
    cr_assert_leq(fv1, 10000 + delay, "first-visible p50 %lld > trigger + %lld", (long long)fv1,
                  delay);
    cr_assert_geq(fv1, delay, "first-visible p50 %lld under the micro-batch time", (long long)fv1);
    cr_assert_eq(fv1, fv6); /* the speed layer does not depend on the batch period */
    cr_assert_gt(ok1, 10 * fv1, "correct p50 %lld should wait for views", (long long)ok1);
    cr_assert_lt(ok1, 3600000 + 600000, "1h: %lld", (long long)ok1);
    cr_assert_gt(ok6, 2 * ok1, "6h correct p50 %lld vs 1h %lld", (long long)ok6, (long long)ok1);
    free(r1);
    free(r6);
    free(ds);
}
