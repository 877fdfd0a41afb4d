/*
 * lklab sweep, end to end on a small generated dataset: the rows physics orders (latency
 * grows and files shrink with the trigger; late data shrinks and state grows with the
 * watermark delay), every run accounted for against independent sources (the dataset's
 * manifest, the truth, `lklab cost`), and the usage errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

enum { STACK, MODE, TRIGGER, TRIGGER_MS, WATERMARK, WATERMARK_MS, EVERY, EVERY_MS, EVENTS,
       FV50, FV95, FV99, CO50, CO95, CO99, NEVER, CORRECT_PCT, LATE_PCT, MAX_STATE, FILES,
       MEAN_BYTES, COMPUTE, STORAGE, OPS, TOTAL, WALL, STATUS, RUN };

static char *sweep_dir;
static struct srow rows[16];
static size_t nrows;

/* One sweep for the whole suite: 3 triggers, 3 watermarks at 1m, 2 Lambda periods. */
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
    cr_assert(strstr(err, "[7/7]") != NULL, "progress lines on stderr: %s", err);
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

TestSuite(cli_sweep, .timeout = 240);

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

Test(cli_sweep, grid_physics_and_accounting, .timeout = 240)
{
    run_sweep();
    cr_assert_eq(nrows, 7, "3 trigger runs + 2 extra watermarks + 2 Lambda runs");
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
    /* every Kappa difference from the truth is explained (late data) */
    for (size_t i = 0; i < nrows; i++)
        cr_expect_str_neq(rows[i].f[STATUS], "unexplained", "%s", rows[i].f[RUN]);

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
        cr_assert_eq(lkt_run(&out, NULL, "cost --run %s/S/%s --format csv", sweep_dir,
                             rows[i].f[RUN]),
                     0);
        char *tot = strstr(out, ",total,");
        cr_assert_not_null(tot);
        cr_expect_eq((long long)(strtod(tot + 7, NULL) * 100 + 0.5),
                     (long long)(num(&rows[i], TOTAL) * 100 + 0.5), "%s", rows[i].f[RUN]);
        free(out);
    }

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
    free(sweep_dir);
}

Test(cli_sweep, usage_errors)
{
    char *err = NULL;
    cr_expect_eq(lkt_run(NULL, &err, "sweep --out /tmp/x"), 2);
    cr_expect(strstr(err, "--data") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, &err, "sweep --data /nonexistent --out /tmp/x --triggers 1m,soon"), 2);
    cr_expect(strstr(err, "--triggers") != NULL && strstr(err, "soon") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, &err, "sweep --data /nonexistent/ds --out /tmp/x"), 3);
    cr_expect(strstr(err, "/nonexistent/ds") != NULL, "%s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, NULL, "sweep --help"), 0);
}
