/*
 * Crash injection: --crash-after batch:K / speed:K kills the process inside that job;
 * running again with the same RUN must end with the same answers, at every instant, and
 * the same progress (metrics) as an uninterrupted run.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lb_test.h"
#include "banned.h"

#define ARGS "--pipeline revenue --batch-every 3h --speed-trigger 10s"

/* What a run answered: serving/batch/speed at several instants, and its progress rows. */
static char *fingerprint(const char *run)
{
    static const char *const at[] = { "2026-01-01T03:03:30Z", "2026-01-01T09:00:00Z",
                                      "2026-01-01T12:05:00Z", "2026-01-01T21:59:50Z", "end" };
    static const char *const tables[] = { "serving", "batch", "speed" };
    char *all = NULL, *db = lkt_fmt("%s/serving.db", run);
    size_t len = 0;
    FILE *fp = open_memstream(&all, &len);
    sqlite3 *h;
    sqlite3_stmt *st;
    for (size_t i = 0; i < 5; i++) {
        for (size_t t = 0; t < 3; t++) {
            char *csv = lbt_export(run, tables[t], lbt_time(at[i]));
            fprintf(fp, "== %s %s\n%s", tables[t], at[i], csv);
            free(csv);
        }
    }
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h,
                                    "SELECT layer || job || ':' || trigger_time || ':' || "
                                    "visible_time || ':' || input_rows || ':' || rows_written "
                                    "|| ':' || modelled_ms || ':' || coalesce(discrepancy_rows, "
                                    "'') FROM progress ORDER BY rowid",
                                    -1, &st, NULL),
                 SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(fp, "%s\n", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    fclose(fp);
    free(db);
    return all;
}

/* master_dups holds every copy of the ids with several copies in master, and only those. */
static void expect_dups_are_every_copy(const char *run)
{
    long long copies = lkt_query_int(run, "SELECT count(*) FROM master WHERE event_id IN (SELECT "
                                          "event_id FROM master GROUP BY event_id HAVING "
                                          "count(*) > 1)");
    cr_assert_gt(copies, 0, "the dataset has no duplicates to test with");
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM master_dups"), copies);
    cr_assert_eq(lkt_query_int(run,
                               "SELECT count(*) FROM master_dups d JOIN master m USING (seq) "
                               "WHERE m.event_id = d.event_id AND m.part = d.part AND m.line = "
                               "d.line AND m.arrival_time = d.arrival_time AND m.event_id IN "
                               "(SELECT event_id FROM master GROUP BY event_id HAVING "
                               "count(*) > 1)"),
                 copies);
}

/*
 * Crash at each point in turn (restarting between them), run `between` on the crashed run
 * (may be NULL), then finish; compare.
 */
static void crash_and_recover_with(const char *name, const char *const *crashes, size_t n,
                                   void (*between)(const char *run))
{
    char *dir = lkt_tmpdir(name), *ds = lbt_gen(dir, "--events 8000 --seed 11");
    char *ref = lkt_fmt("%s/ref", dir), *run = lkt_fmt("%s/run", dir);
    char *rj = lkt_fmt("%s/run.json", run);
    char *err = NULL, *a, *b;
    cr_assert_eq(lbt_lambda(&err, "--data %s " ARGS " --out %s", ds, ref), 0, "%s", err);
    free(err);
    for (size_t i = 0; i < n; i++) {
        int rc =
            lbt_lambda(NULL, "--data %s " ARGS " --out %s --crash-after %s", ds, run, crashes[i]);
        cr_assert(rc != 0, "--crash-after %s did not crash", crashes[i]);
        cr_assert_neq(access(rj, F_OK), 0, "run.json written by a crashed run");
    }
    if (between)
        between(run);
    cr_assert_eq(lbt_lambda(&err, "--data %s " ARGS " --out %s", ds, run), 0, "%s", err);
    a = fingerprint(ref);
    b = fingerprint(run);
    cr_assert(strcmp(a, b) == 0, "restarted run differs from the uninterrupted one");
    cr_assert_eq(lbt_runjson_int(run, "totals", "lines"), lbt_runjson_int(ref, "totals", "lines"));
    for (size_t i = 0; i < 3; i++) {
        static const char *const totals[] = { "processed", "duplicates", "filtered" };
        cr_assert_eq(lbt_runjson_int(run, "totals", totals[i]),
                     lbt_runjson_int(ref, "totals", totals[i]), "%s", totals[i]);
    }
    expect_dups_are_every_copy(ref);
    expect_dups_are_every_copy(run);
    free(a);
    free(b);
    free(err);
    free(rj);
    free(run);
    free(ref);
    free(ds);
    free(dir);
}

static void crash_and_recover(const char *name, const char *const *crashes, size_t n)
{
    crash_and_recover_with(name, crashes, n, NULL);
}

/* The database of a run interrupted by an lklab from before master_dups (2026-12-08). */
static void to_layout_before_master_dups(const char *run)
{
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lkt_exec(run,
                          "DROP TABLE master_dups; CREATE INDEX master_ids ON "
                          "master(event_id, part, line, arrival_time)",
                          &err),
                 0, "%s", err.msg);
}

Test(lb_crash, a_run_interrupted_before_master_dups_existed_resumes_with_the_same_answers)
{
    static const char *const c[] = { "batch:3" };
    crash_and_recover_with("lb-crash-old-layout", c, 1, to_layout_before_master_dups);
}

/*
 * A copy that arrives after a restart of an event the master dataset took before it: the
 * restarted loader must still know the first copy (master_dups gets both), or the batch
 * views after it count the event twice.
 */
Test(lb_crash, a_copy_arriving_after_a_restart_of_an_event_ingested_before_is_counted_once)
{
    char *dir = lkt_tmpdir("lb-crash-late-copy"), *data = lkt_fmt("%s/events.jsonl", dir);
    char *run = lkt_fmt("%s/run", dir), *spec = lbt_pipeline("revenue"), *err = NULL;
    char *truth, *serving;
    static const char *const arrivals[] = { "00:10", "01:00", "05:00", "07:00" };
    FILE *fp = fopen(data, "w");
    for (int i = 0; i < 4; i++) /* the third line is a copy of the first */
        fprintf(fp,
                "{\"event_id\":\"e%d\",\"tenant\":\"t01\",\"key\":\"k\",\"type\":\"buy\","
                "\"value\":2.50,\"event_time\":\"2026-01-01T00:09:00Z\","
                "\"arrival_time\":\"2026-01-01T%s:00Z\"}\n",
                i == 2 ? 0 : i, arrivals[i]);
    fclose(fp);
    cr_assert_neq(lbt_lambda(NULL, "--data %s " ARGS " --out %s --crash-after batch:1", data, run),
                  0);
    cr_assert_eq(lbt_lambda(&err, "--data %s " ARGS " --out %s", data, run), 0, "%s", err);
    truth = lbt_truth(data, spec, LK_TIME_POS_INF);
    serving = lbt_export(run, "serving", LK_TIME_POS_INF);
    cr_assert_str_eq(serving, truth);
    cr_assert(strstr(truth, ",3,7.50,"), "%s", truth); /* e0, e1, e3 */
    free(truth);
    free(serving);
    free(err);
    free(spec);
    free(run);
    free(data);
    free(dir);
}

Test(lb_crash, a_crash_inside_a_batch_job_reruns_it_from_scratch)
{
    static const char *const c[] = { "batch:2" };
    crash_and_recover("lb-crash-batch", c, 1);
}

Test(lb_crash, a_crash_inside_the_final_batch_job_recovers)
{
    static const char *const c[] = { "batch:9" };
    crash_and_recover("lb-crash-final", c, 1);
}

Test(lb_crash, a_crash_after_a_speed_commit_replays_from_the_checkpoint_without_double_counting)
{
    static const char *const c[] = { "speed:1000" };
    crash_and_recover("lb-crash-speed", c, 1);
}

Test(lb_crash, a_crash_right_at_a_speed_checkpoint_and_crashes_in_a_row_recover)
{
    static const char *const c[] = { "speed:64", "batch:3", "speed:2500" };
    crash_and_recover("lb-crash-many", c, 3);
}

Test(lb_crash, a_corrupt_speed_checkpoint_is_reported_with_exit_3)
{
    char *dir = lkt_tmpdir("lb-crash-corrupt"), *ds = lbt_gen(dir, "--events 3000 --seed 5");
    char *run = lkt_fmt("%s/run", dir), *ck = lkt_fmt("%s/speed.checkpoint", run), *err = NULL;
    FILE *fp;
    cr_assert_neq(lbt_lambda(NULL, "--data %s " ARGS " --out %s --crash-after speed:200", ds, run),
                  0);
    cr_assert_eq(access(ck, F_OK), 0, "no checkpoint after 200 micro-batches");
    fp = fopen(ck, "r+");
    fputs("garbage", fp);
    fclose(fp);
    cr_assert_eq(lbt_lambda(&err, "--data %s " ARGS " --out %s", ds, run), 3, "%s", err);
    cr_assert(strstr(err, "speed.checkpoint"), "%s", err);
    free(err);
    free(ck);
    free(run);
    free(ds);
    free(dir);
}
