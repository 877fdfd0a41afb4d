/*
 * lklab sweep, end to end on a small generated dataset: the rows physics orders (latency
 * grows and files shrink with the trigger; late data shrinks and state grows with the
 * watermark delay), every run accounted for against independent sources (the dataset's
 * manifest, the truth, `lklab cost`), update-mode runs beside append ones, percentiles and
 * correct_pct that follow from each run's never-correct count, and the usage errors.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lk_file.h"
#include "lk_test.h"
#include "banned.h"

#define NCOLS 28

struct srow {
    char f[NCOLS][64];
};

/* docs/sweep.md, typed out again here (the schema agreed with the plots and report) */
static const char header[] =
    "stack,mode,trigger,trigger_ms,watermark,watermark_ms,batch_every,batch_every_ms,events,"
    "first_visible_p50_ms,first_visible_p95_ms,first_visible_p99_ms,correct_p50_ms,"
    "correct_p95_ms,correct_p99_ms,never_correct,correct_pct,late_pct,max_state_rows,"
    "files_written,mean_file_bytes,compute_usd,storage_usd,operations_usd,total_usd,wall_ms,"
    "reconcile_status,run";

enum {
    STACK,
    MODE,
    TRIGGER,
    TRIGGER_MS,
    WATERMARK,
    WATERMARK_MS,
    EVERY,
    EVERY_MS,
    EVENTS,
    FV50,
    FV95,
    FV99,
    CO50,
    CO95,
    CO99,
    NEVER,
    CORRECT_PCT,
    LATE_PCT,
    MAX_STATE,
    FILES,
    MEAN_BYTES,
    COMPUTE,
    STORAGE,
    OPS,
    TOTAL,
    WALL,
    STATUS,
    RUN
};

static char *sweep_dir;
static struct srow rows[16];
static size_t nrows;

/* One sweep for the whole suite: 3 triggers in both modes, 3 watermarks at 1m, 2 Lambda
 * periods. */
static void run_sweep(void)
{
    char *data = lkt_dataset("sweep", "--scenario clickstream --events 20000 --seed 7");
    char *err = NULL, *csv, *line, *save = NULL;
    sweep_dir = lkt_tmpdir("sweep");
    int rc = lkt_run(NULL, &err,
                     "sweep --data %s --pipeline revenue --triggers 1m,1h,24h "
                     "--watermarks 1m,10m,1h --batch-every 1h,6h --out %s/S",
                     data, sweep_dir);
    cr_assert_eq(rc, 0, "sweep failed: %s", err);
    cr_assert(strstr(err, "[10/10]") != NULL, "progress lines on stderr: %s", err);
    /* the start order: Lambda, then Kappa by trigger, shortest first, so the extra
       watermarks' 1m runs start before the 1h and 24h runs (sweep.csv keeps plan order) */
    cr_assert(strstr(err, "run 1/10 lambda-1h ...") && strstr(err, "run 3/10 kappa-1m-wm10m ...")
                  && strstr(err, "run 5/10 kappa-1m-wm1m ...")
                  && strstr(err, "run 7/10 kappa-1h-wm10m ...")
                  && strstr(err, "run 10/10 kappa-update-24h-wm10m ..."),
              "start order: %s", err);
    /* the ETA: runs end in any order (two at a time on two cores), but when the first ends
       most kinds (Lambda, Kappa per trigger) have not been timed, so its ETA is a
       lower bound and says so; the last says done */
    {
        const char *first = strstr(err, "[1/10] "), *last = strstr(err, "[10/10] ");
        const char *over = first ? strstr(first, "ETA over ") : NULL;
        cr_assert(over && over < strchr(first, '\n'), "the first line's ETA: %s", err);
        cr_assert(last && strstr(last, "done)\n"), "%s", err);
    }
    csv = lkt_slurpf("%s/S/sweep.csv", sweep_dir);
    line = strtok_r(csv, "\n", &save);
    cr_assert_str_eq(line, header);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        size_t c = 0;
        cr_assert_lt(nrows, 16);
        for (char *p = line;; c++) {
            size_t len = strcspn(p, ",");
            cr_assert_lt(c, NCOLS, "too many columns: %s", line);
            snprintf(rows[nrows].f[c], 64, "%.*s", (int)len, p);
            if (p[len] == '\0')
                break;
            p += len + 1;
        }
        cr_assert_eq(c + 1, NCOLS, "columns in: %s", line);
        nrows++;
    }
    free(csv);
    free(err);
    free(data);
}

TestSuite(cli_sweep);

static const struct srow *find(const char *run)
{
    for (size_t i = 0; i < nrows; i++)
        if (strcmp(rows[i].f[RUN], run) == 0)
            return &rows[i];
    cr_assert_fail("no row for %s", run);
    return NULL;
}

static double num(const struct srow *r, int col)
{
    return strtod(r->f[col], NULL);
}

/* latency, files, late data and state move with trigger and watermark as the physics says */
static void expect_grid_physics(void)
{
    const struct srow *k1m = find("runs/kappa-1m-wm10m"), *k1h = find("runs/kappa-1h-wm10m"),
                      *k24 = find("runs/kappa-24h-wm10m"), *w1m = find("runs/kappa-1m-wm1m"),
                      *w1h = find("runs/kappa-1m-wm1h"), *l1 = find("runs/lambda-1h"),
                      *l6 = find("runs/lambda-6h");

    /* latency grows with the trigger (Kappa) and with the batch period (Lambda's correct) */
    cr_expect_lt(num(k1m, FV50), num(k1h, FV50));
    cr_expect_lt(num(k1h, FV50), num(k24, FV50));
    cr_expect_lt(num(k1m, CO50), num(k1h, CO50));
    cr_expect_lt(num(l1, CO99), num(l6, CO99));
    /* Lambda's speed layer shows events within its trigger (10s plus the modelled batch
       duration), long before its batch layer makes the last rows right */
    cr_expect_leq(num(l6, FV99), 20000);
    cr_expect_lt(num(l6, FV99), num(l6, CO99));
    cr_expect_lt(num(l6, FV50), num(l6, CO50));
    /* Kappa append: a row shows once, when the watermark passes; so first-visible is
       at least the watermark delay (10m) and a 10m watermark run waits longer than 1m */
    cr_expect_geq(num(k1m, FV50), 600000);
    cr_expect_lt(num(w1m, FV50), num(k1m, FV50));
    cr_expect_lt(num(k1m, FV50), num(w1h, FV50));
    /* files written shrink, and grow in size, with the trigger */
    cr_expect_gt(num(k1m, FILES), num(k1h, FILES));
    cr_expect_gt(num(k1h, FILES), num(k24, FILES));
    cr_expect_lt(num(k1m, MEAN_BYTES), num(k24, MEAN_BYTES));
    /* a longer watermark: less late data, more state */
    cr_expect_gt(num(w1m, LATE_PCT), num(k1m, LATE_PCT));
    cr_expect_gt(num(k1m, LATE_PCT), num(w1h, LATE_PCT));
    cr_expect_lt(num(w1m, MAX_STATE), num(k1m, MAX_STATE));
    cr_expect_lt(num(k1m, MAX_STATE), num(w1h, MAX_STATE));
    /* Lambda has no watermark: nothing late; its final batch equals the truth */
    cr_expect_eq(num(l6, LATE_PCT), 0.0);
    cr_expect_str_eq(l6->f[STATUS], "equal");
    cr_expect_str_eq(l1->f[STATUS], "equal");
    /* modes: append and update per trigger, watermark runs in append, Lambda serving */
    cr_expect_str_eq(k1m->f[MODE], "append");
    cr_expect_str_eq(w1m->f[MODE], "append");
    cr_expect_str_eq(l6->f[MODE], "serving");
    /* every Kappa difference from the truth is explained (late data) */
    for (size_t i = 0; i < nrows; i++)
        cr_expect_str_neq(rows[i].f[STATUS], "unexplained", "%s", rows[i].f[RUN]);
}

/* update-mode rows: no lake, visible within about a trigger, the same late data as append */
static void expect_update_rows(void)
{
    /* update mode: no lake (no files), its rows upserted each batch, so an event shows
       within about a trigger where append waits for the watermark; same late data and
       correct share as append (the same watermark drops the same events); it reconciles */
    static const char *const trig[] = { "1m", "1h", "24h" };
    for (int t = 0; t < 3; t++) {
        char *an = lkt_fmt("runs/kappa-%s-wm10m", trig[t]);
        char *un = lkt_fmt("runs/kappa-update-%s-wm10m", trig[t]);
        char *lake = lkt_fmt("%s/S/lake/kappa-update-%s-wm10m", sweep_dir, trig[t]);
        const struct srow *ap = find(an), *up = find(un);
        cr_expect_str_eq(up->f[MODE], "update");
        cr_expect_eq(num(up, FILES), 0.0, "%s", un);
        cr_expect_lt(num(up, STORAGE) + num(up, OPS), num(ap, STORAGE) + num(ap, OPS),
                     "%s: no lake files to store or write", un);
        cr_expect(access(lake, F_OK) != 0, "%s has no lake", un);
        cr_expect_lt(num(up, FV50), num(ap, FV50), "%s", un);
        cr_expect_str_eq(up->f[LATE_PCT], ap->f[LATE_PCT]);
        cr_expect_str_eq(up->f[NEVER], ap->f[NEVER]);
        cr_expect(strcmp(up->f[STATUS], "equal") == 0 || strcmp(up->f[STATUS], "explained") == 0,
                  "%s: %s", un, up->f[STATUS]);
        free(an);
        free(un);
        free(lake);
    }
    cr_expect_lt(num(find("runs/kappa-update-1m-wm10m"), FV99), 2 * 60000,
                 "update at 1m: visible within a trigger (plus the batch's cost)");
}

/* correct_pct and inf follow from each run.json's counts (docs/sweep.md) */
static void expect_latency_counts(void)
{
    /* latency over every event: correct_pct and inf follow from run.json's counts
       (events, never), the definition of docs/sweep.md */
    for (size_t i = 0; i < nrows; i++) {
        char *rj = lkt_slurpf("%s/S/%s/run.json", sweep_dir, rows[i].f[RUN]);
        cJSON *root = cJSON_Parse(rj), *co;
        double events, never, reached;
        static const double q[3] = { 50, 95, 99 };
        cr_assert(root);
        co = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "latency"),
                                              "correct");
        events = cJSON_GetObjectItemCaseSensitive(co, "events")->valuedouble;
        never = cJSON_GetObjectItemCaseSensitive(co, "never")->valuedouble;
        reached = events - never;
        cr_expect_eq(num(&rows[i], NEVER), never, "%s", rows[i].f[RUN]);
        cr_expect_float_eq(num(&rows[i], CORRECT_PCT), floor(reached * 10000 / events) / 100, 1e-9,
                           "%s", rows[i].f[RUN]);
        for (int k = 0; k < 3; k++) {
            int is_inf = strcmp(rows[i].f[CO50 + k], "inf") == 0;
            cr_expect_eq(is_inf, ceil(q[k] / 100 * events) > reached, "%s p%.0f %s", rows[i].f[RUN],
                         q[k], rows[i].f[CO50 + k]);
        }
        cJSON_Delete(root);
        free(rj);
    }
}

/* events from the manifest; each bill equals lklab cost --run */
static void expect_events_and_bills(void)
{
    /* events = the dataset's line count, from its manifest (an independent source) */
    char *data = lkt_dataset("sweep", "--scenario clickstream --events 20000 --seed 7");
    char *m = lkt_slurpf("%s/manifest.json", data);
    char *lines = strstr(m, "\"lines\":");
    cr_assert_not_null(lines);
    long long n = strtoll(lines + 8, NULL, 10);
    for (size_t i = 0; i < nrows; i++)
        cr_expect_eq(strtoll(rows[i].f[EVENTS], NULL, 10), n, "%s", rows[i].f[RUN]);
    free(m);
    free(data);

    /* the bill: components add up to the total, and match `lklab cost --run` */
    for (size_t i = 0; i < nrows; i++) {
        char *out = NULL;
        cr_assert_eq(
            lkt_run(&out, NULL, "cost --run %s/S/%s --format csv", sweep_dir, rows[i].f[RUN]), 0);
        char *tot = strstr(out, ",total,");
        cr_assert_not_null(tot);
        cr_expect_eq((long long)(strtod(tot + 7, NULL) * 100 + 0.5),
                     (long long)(num(&rows[i], TOTAL) * 100 + 0.5), "%s", rows[i].f[RUN]);
        free(out);
    }
}

/* every run's latency and reconcile report; the freshness window is a truth row */
static void expect_run_files(void)
{
    /* every run has its latency in run.json, and its reconciliation report */
    for (size_t i = 0; i < nrows; i++) {
        char *rj = lkt_slurpf("%s/S/%s/run.json", sweep_dir, rows[i].f[RUN]);
        cr_expect(strstr(rj, "\"first_visible\"") && strstr(rj, "\"correct\""), "%s",
                  rows[i].f[RUN]);
        free(rj);
        char *rec = lkt_slurpf("%s/S/reconcile/%s.txt", sweep_dir, rows[i].f[RUN] + 5);
        cr_expect(strstr(rec, "truth") != NULL);
        free(rec);
    }

    /* the freshness window is a row of the truth, with its final value */
    char *meta = lkt_slurpf("%s/S/sweep.json", sweep_dir);
    char *key = strstr(meta, "\"key\":");
    cr_assert_not_null(key);
    key = strchr(key + 6, '"') + 1;
    *strchr(key, '"') = '\0';
    char *truth = lkt_slurpf("%s/S/truth.csv", sweep_dir);
    cr_expect(strstr(truth, key) != NULL, "freshness key %s not in the truth", key);
    free(truth);
    free(meta);
    for (size_t k = 0; k < 3; k++) {
        static const char *const f[] = { "sawtooth.tsv", "freshness_kappa.tsv",
                                         "freshness_lambda.tsv" };
        char *t = lkt_slurpf("%s/S/%s", sweep_dir, f[k]);
        cr_expect(strchr(t, '\t') != NULL, "%s has data rows", f[k]);
        free(t);
    }
}

Test(cli_sweep, grid_physics_and_accounting)
{
    run_sweep();
    cr_assert_eq(nrows, 10, "3 triggers x 2 modes + 2 extra watermarks + 2 Lambda runs");
    expect_grid_physics();
    expect_update_rows();
    expect_latency_counts();
    expect_events_and_bills();
    expect_run_files();
    free(sweep_dir);
}

/* Sweep S with --jobs J, quietly: its sweep.csv without the wall_ms column, then cost.csv. */
static char *tables(const char *data, const char *dir, int jobs)
{
    char *err = NULL, *csv, *cost, *line, *save = NULL, *out;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    cr_assert_eq(lkt_run(NULL, &err,
                         "sweep --data %s --pipeline revenue --triggers 1h,24h --modes update "
                         "--watermarks 1m --batch-every 6h --jobs %d --quiet --out %s/S%d",
                         data, jobs, dir, jobs),
                 0, "%s", err);
    csv = lkt_slurpf("%s/S%d/sweep.csv", dir, jobs);
    cost = lkt_slurpf("%s/S%d/cost.csv", dir, jobs);
    for (line = strtok_r(csv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c = line;
        for (int i = 0; i < 25; i++) /* wall_ms is column 26 */
            c += strcspn(c, ",") + 1;
        fprintf(fp, "%.*s%s\n", (int)(c - line), line, c + strcspn(c, ","));
    }
    fprintf(fp, "%s", cost);
    fclose(fp);
    free(csv);
    free(cost);
    free(err);
    return out;
}

Test(cli_sweep, concurrent_runs_write_what_one_at_a_time_writes)
{
    char *data = lkt_dataset("sweep", "--scenario clickstream --events 20000 --seed 7");
    char *dir = lkt_tmpdir("sweep-jobs"), *one = tables(data, dir, 1),
         *three = tables(data, dir, 3);
    cr_assert(strstr(one, "kappa-update-1h-wm1m"), "%s", one);
    cr_assert_str_eq(three, one);
    for (int k = 0; k < 3; k++) {
        static const char *const f[] = { "sawtooth.tsv", "freshness_lambda.tsv",
                                         "reconcile/kappa-update-24h-wm10m.txt" };
        char *a = lkt_slurpf("%s/S1/%s", dir, f[k]), *b = lkt_slurpf("%s/S3/%s", dir, f[k]);
        cr_assert(a && b, "%s", f[k]);
        for (char *p = b; (p = strstr(p, "/S3/")) != NULL; p += 4)
            p[2] = '1'; /* the reports name their run's directory */
        cr_assert_str_eq(a, b, "%s", f[k]);
        free(a);
        free(b);
    }
    free(one);
    free(three);
    free(dir);
    free(data);
}

Test(cli_sweep, usage_errors)
{
    char *err = NULL;
    cr_expect_eq(
        lkt_run(NULL, &err, "sweep --data /nonexistent --out /tmp/x --modes append,complete"), 2);
    cr_expect(strstr(err, "bad value 'complete' in --modes") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, &err, "sweep --out /tmp/x"), 2);
    cr_expect(strstr(err, "--data") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, &err, "sweep --data /nonexistent --out /tmp/x --triggers 1m,soon"),
                 2);
    cr_expect(strstr(err, "--triggers") != NULL && strstr(err, "soon") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, &err, "sweep --data /nonexistent/ds --out /tmp/x"), 3);
    cr_expect(strstr(err, "/nonexistent/ds") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, &err, "sweep --data /nonexistent --out /tmp/x --jobs 0"), 2);
    cr_expect(strstr(err, "--jobs") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, NULL, "sweep --help"), 0);
}

Test(cli_sweep, a_lambda_period_that_is_no_multiple_of_the_speed_trigger_stops_before_any_run)
{
    char *data = lkt_dataset("sweep", "--scenario clickstream --events 20000 --seed 7");
    char *dir = lkt_tmpdir("sweep-periods"), *err = NULL, *s = lkt_fmt("%s/S", dir);
    cr_assert_eq(lkt_run(NULL, &err,
                         "sweep --data %s --triggers 1m --batch-every 6h,25s --speed-trigger 10s "
                         "--out %s",
                         data, s),
                 2, "%s", err);
    cr_assert(strstr(err, "must be a multiple of --speed-trigger"), "%s", err);
    cr_assert(!lk_is_dir(s), "nothing is written or run: %s exists", s);
    free(err);
    free(s);
    free(dir);
    free(data);
}
