/*
 * End-to-end: single hostile lines appended to one log partition of a small generated
 * dataset must never break a whole run. The real bin/lklab (truth, kappa, lambda) runs
 * on the dataset with the line, and its answer is compared with `lklab truth` of the
 * same data: without the line when the line must be quarantined (and the quarantine
 * table names its reason), with it when the line is valid (docs/events.md).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

#define GEN "--scenario clickstream --events 2000 --seed 3"
#define KAPPA "kappa --quiet --watermark none --output-mode update --trigger 15m --pipeline revenue"
#define LAMBDA "lambda --quiet --pipeline revenue --batch-every 1h --speed-trigger 5m"

/* The shared dataset copied to DIR/ds; line (when not NULL) appended to partition 0. */
static char *dataset_with(const char *dir, const char *line)
{
    char *base = lkt_dataset("hostile", GEN), *ds = lkt_fmt("%s/ds", dir);
    char *cmd = lkt_fmt("cp -r '%s' '%s'", base, ds), *part = lkt_fmt("%s/log/p-00000.jsonl", ds);
    FILE *fp;
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    if (line) {
        cr_assert_not_null(fp = fopen(part, "a"));
        fprintf(fp, "%s\n", line);
        cr_assert_eq(fclose(fp), 0);
    }
    free(part);
    free(cmd);
    free(base);
    return ds;
}

/* `lklab truth` of data, written to DIR/<name>.csv (heap CSV). */
static char *truth_of(const char *dir, const char *name, const char *data)
{
    char *out = lkt_fmt("%s/%s.csv", dir, name), *err = NULL, *csv;
    int rc = lkt_run(NULL, &err, "truth --quiet --data %s --pipeline revenue --out %s", data, out);
    cr_assert_eq(rc, 0, "truth exits %d: %s", rc, err ? err : "");
    csv = lkt_slurp(out);
    free(out);
    free(err);
    return csv;
}

/* `lklab results` of a run's table (heap CSV). */
static char *results_of(const char *run, const char *table)
{
    char *out = NULL, *err = NULL;
    int rc = lkt_run(&out, &err, "results --run %s --table %s --out -", run, table);
    cr_assert_eq(rc, 0, "results exits %d: %s", rc, err ? err : "");
    free(err);
    return out;
}

/* Run a stack twice (the second run finds it complete, or resumes it). */
static void run_twice(const char *what, const char *args)
{
    for (int i = 0; i < 2; i++) {
        char *err = NULL;
        int rc = lkt_run(NULL, &err, "%s", args);
        cr_assert_eq(rc, 0, "%s (run %d) exits %d: %s", what, i + 1, rc, err ? err : "");
        free(err);
    }
}

/*
 * Run a stack's command twice; its answer (`table` of run) must be want, and when reason
 * is not NULL its quarantine table must name it.
 */
static void answer_is(const char *stack, const char *cmd, const char *run, const char *table,
                      const char *want, const char *reason)
{
    char *got, *q;
    run_twice(stack, cmd);
    got = results_of(run, table);
    cr_assert_str_eq(got, want, "%s's answer differs from the truth", stack);
    free(got);
    if (!reason)
        return;
    q = results_of(run, "quarantine");
    cr_assert(strstr(q, reason) != NULL, "%s's quarantine lacks '%s':\n%s", stack, reason, q);
    free(q);
}

/* Kappa's and Lambda's answers on ds must be want (and name reason, see answer_is). */
static void both_stacks_answer(const char *dir, const char *ds, const char *want,
                               const char *reason)
{
    char *kp = lkt_fmt("%s/kappa", dir), *lb = lkt_fmt("%s/lambda", dir);
    char *cmd = lkt_fmt(KAPPA " --data %s --out %s", ds, kp);
    answer_is("kappa", cmd, kp, "output", want, reason);
    free(cmd);
    cmd = lkt_fmt(LAMBDA " --data %s --out %s", ds, lb);
    answer_is("lambda", cmd, lb, "serving", want, reason);
    free(cmd);
    free(kp);
    free(lb);
}

/*
 * The line must be quarantined with `reason` by truth, Kappa (also with a lake) and
 * Lambda, and every answer must equal the truth of the data without it.
 */
static void quarantined_everywhere(const char *name, const char *line, const char *reason)
{
    char *dir = lkt_tmpdir(name), *clean = lkt_dataset("hostile", GEN);
    char *ds = dataset_with(dir, line), *want = truth_of(dir, "clean", clean);
    char *got = truth_of(dir, "hostile", ds), *cmd;
    cr_assert_str_eq(got, want, "truth with the hostile line differs");
    both_stacks_answer(dir, ds, want, reason);
    /* the file sink (append mode: late rows are dropped, so no comparison) */
    cmd = lkt_fmt("kappa --quiet --trigger 15m --pipeline revenue --data %s --out %s/kappa-lake "
                  "--lake %s/lake",
                  ds, dir, dir);
    run_twice("kappa --lake", cmd);
    free(cmd);
    free(got);
    free(want);
    free(clean);
    free(ds);
    free(dir);
}

#define LINE(tenant, event_time, arrival_time)                                                     \
    "{\"event_id\":\"hostile-1\",\"tenant\":\"" tenant "\",\"key\":\"u1\",\"type\":\"purchase\","  \
    "\"value\":5.00,\"event_time\":\"" event_time "\",\"arrival_time\":\"" arrival_time "\"}"

Test(hostile, an_event_time_whose_window_end_cannot_be_written_is_quarantined)
{
    quarantined_everywhere("hostile-event-time",
                           LINE("t01", "9999-12-31T23:59:59.999Z", "2026-01-01T23:59:00.000Z"),
                           "time-range");
}

Test(hostile, an_arrival_in_year_9999_is_quarantined)
{
    quarantined_everywhere("hostile-arrival",
                           LINE("t01", "2026-01-01T23:59:00.000Z", "9999-12-31T23:59:59.999Z"),
                           "time-range");
}

Test(hostile, a_100000_character_tenant_is_quarantined_and_runs_restart)
{
    size_t n = 100000;
    char *tenant = malloc(n + 1), *line;
    memset(tenant, 'T', n);
    tenant[n] = '\0';
    line = lkt_fmt("{\"event_id\":\"hostile-1\",\"tenant\":\"%s\",\"key\":\"u1\",\"type\":"
                   "\"purchase\",\"value\":5.00,\"event_time\":\"2026-01-01T12:00:00.000Z\","
                   "\"arrival_time\":\"2026-01-01T12:00:01.000Z\"}",
                   tenant);
    quarantined_everywhere("hostile-tenant", line, "too-long");
    free(line);
    free(tenant);
}

/* A valid hostile line: every stack's answer equals the truth of the data with it. */
static void counted_everywhere(const char *dir, const char *ds)
{
    char *want = truth_of(dir, "truth", ds);
    both_stacks_answer(dir, ds, want, NULL);
    free(want);
}

Test(hostile, lambda_skips_the_empty_time_before_a_line_arriving_months_later)
{
    char *dir = lkt_tmpdir("hostile-empty-time");
    /* valid: arrives 59 days after the rest (1416 empty hours of 1h batch periods) */
    char *ds =
        dataset_with(dir, LINE("t01", "2026-01-01T23:59:00.000Z", "2026-03-01T00:00:00.000Z"));
    char *lb = lkt_fmt("%s/lambda", dir);
    long long jobs, mbs;
    counted_everywhere(dir, ds);
    /* one job per hour of data (a day), then only the final one */
    jobs = lkt_query_int(lb, "SELECT count(*) FROM progress WHERE layer = 'batch'");
    cr_assert_leq(jobs, 26, "%lld batch jobs: empty periods ran jobs", jobs);
    /* the speed layer too: one micro-batch after the data's day, the late line's */
    mbs = lkt_query_int(lb, "SELECT count(*) FROM progress WHERE layer = 'speed' AND "
                            "trigger_time > 1767312000000"); /* 2026-01-02 */
    cr_assert_eq(mbs, 1, "%lld speed micro-batches after the data's day", mbs);
    free(lb);
    free(ds);
    free(dir);
}

/* A run's jobs: layer, job, trigger and visible times, rows (heap). */
static char *jobs_of(const char *run)
{
    return lkt_query_text(run, "SELECT layer, job, trigger_time, visible_time, input_rows, "
                               "rows_written FROM progress ORDER BY layer, job");
}

Test(hostile, lambda_takes_the_same_schedule_over_empty_time_after_a_crash)
{
    char *dir = lkt_tmpdir("hostile-empty-crash");
    char *ds =
        dataset_with(dir, LINE("t01", "2026-01-01T23:59:00.000Z", "2026-03-01T00:00:00.000Z"));
    char *ref = lkt_fmt("%s/ref", dir), *want,
         *cmd = lkt_fmt(LAMBDA " --data %s --out %s", ds, ref);
    long long last_speed, last_batch;
    run_twice("lambda", cmd);
    want = jobs_of(ref);
    last_speed = lkt_query_int(ref, "SELECT max(job) FROM progress WHERE layer = 'speed'");
    last_batch = lkt_query_int(ref, "SELECT max(job) FROM progress WHERE layer = 'batch'");
    /* the micro-batch of the late line (after the skip), the last regular job, the final */
    for (int i = 0; i < 3; i++) {
        char *run = lkt_fmt("%s/run%d", dir, i), *got, *crash;
        crash = i == 0   ? lkt_fmt("speed:%lld", last_speed)
                : i == 1 ? lkt_fmt("batch:%lld", last_batch - 1)
                         : lkt_fmt("batch:%lld", last_batch);
        cr_assert_neq(
            lkt_run(NULL, NULL, LAMBDA " --data %s --out %s --crash-after %s", ds, run, crash), 0,
            "--crash-after %s did not crash", crash);
        free(cmd);
        cmd = lkt_fmt(LAMBDA " --data %s --out %s", ds, run);
        run_twice("lambda after a crash", cmd);
        got = jobs_of(run);
        cr_assert_str_eq(got, want, "jobs after --crash-after %s differ", crash);
        free(got);
        free(crash);
        free(run);
    }
    free(want);
    free(cmd);
    free(ref);
    free(ds);
    free(dir);
}

Test(hostile, a_line_arriving_before_the_line_above_it_counts_in_both_stacks)
{
    char *dir = lkt_tmpdir("hostile-order"), *ds = dataset_with(dir, NULL);
    char *part = lkt_fmt("%s/log/p-00000.jsonl", ds), *text = lkt_slurp(part), *mid;
    FILE *fp;
    /* Kafka's rule: offsets are the order; the line is available with the line above it */
    cr_assert_not_null(text);
    mid = strchr(text + strlen(text) / 2, '\n') + 1;
    cr_assert_not_null(fp = fopen(part, "w"));
    fwrite(text, 1, (size_t)(mid - text), fp);
    fprintf(fp, "%s\n", LINE("t01", "2026-01-01T00:30:00.000Z", "2026-01-01T00:31:00.000Z"));
    fputs(mid, fp);
    cr_assert_eq(fclose(fp), 0);
    counted_everywhere(dir, ds);
    free(text);
    free(part);
    free(ds);
    free(dir);
}

Test(hostile, a_window_that_cannot_be_written_is_named_by_kappa_results)
{
    char *dir = lkt_tmpdir("hostile-results"), *ds = dataset_with(dir, NULL);
    char *kp = lkt_fmt("%s/kappa", dir), *cmd = lkt_fmt(KAPPA " --data %s --out %s", ds, kp);
    char *err = NULL;
    struct lk_err e = LK_ERR_INIT;
    int rc;
    run_twice("kappa", cmd);
    /* a row edited to end after 9999-12-31T23:59:59.999Z */
    cr_assert_eq(lkt_exec(kp,
                          "UPDATE output_v1 SET window_end = 253402300800000 "
                          "WHERE rowid = (SELECT min(rowid) FROM output_v1)",
                          &e),
                 0, "%s", e.msg);
    rc = lkt_run(NULL, &err, "results --run %s --out -", kp);
    cr_assert_eq(rc, 3, "results exits %d: %s", rc, err ? err : "");
    cr_assert(strstr(err, "success") == NULL, "%s", err);
    cr_assert(strstr(err, "cannot write the output table") != NULL, "%s", err);
    free(err);
    free(cmd);
    free(kp);
    free(ds);
    free(dir);
}

Test(hostile, a_spec_whose_windows_cannot_be_written_is_refused_in_one_line)
{
    char *dir = lkt_tmpdir("hostile-spec"), *ds = lkt_dataset("hostile", GEN);
    char *spec = lkt_fmt("%s/long.json", dir), *err = NULL;
    int rc;
    /* the longest window the parser took before: its end is after year 9999 */
    lkt_write(spec, "{\"name\":\"long\",\"group_by\":[\"tenant\"],\"window\":{\"kind\":"
                    "\"tumbling\",\"size\":\"3652424d\"},\"aggregates\":[{\"fn\":\"count\","
                    "\"as\":\"n\"}]}");
    rc = lkt_run(NULL, &err, "truth --quiet --data %s --pipeline %s --out -", ds, spec);
    cr_assert_eq(rc, 3, "truth exits %d: %s", rc, err ? err : "");
    cr_assert(strncmp(err, "lklab truth: window.size: duration '3652424d' is too long", 57) == 0,
              "%s", err);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "not one line: %s", err);
    free(err);
    free(spec);
    free(ds);
    free(dir);
}
