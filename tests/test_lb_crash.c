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

/* Crash at each point in turn (restarting between them), then finish; compare. */
static void crash_and_recover(const char *name, const char *const *crashes, size_t n)
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
    cr_assert_eq(lbt_lambda(&err, "--data %s " ARGS " --out %s", ds, run), 0, "%s", err);
    a = fingerprint(ref);
    b = fingerprint(run);
    cr_assert(strcmp(a, b) == 0, "restarted run differs from the uninterrupted one");
    cr_assert_eq(lbt_runjson_int(run, "totals", "lines"), lbt_runjson_int(ref, "totals", "lines"));
    free(a);
    free(b);
    free(err);
    free(rj);
    free(run);
    free(ref);
    free(ds);
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
