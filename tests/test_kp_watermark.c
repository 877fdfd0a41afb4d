/*
 * The Kappa engine on datasets/fixtures/watermark.jsonl, every batch worked out by hand
 * (10-minute windows W00 = [12:00,12:10), W10, ...; watermark delay 10m; trigger 5m;
 * no cost model, so each batch is visible at its trigger time):
 *
 *   batch trigger  E_N    L_N    reads                          emits / notes
 *   0     12:05    epoch  epoch  w-01 (12:02)                   -
 *   1     12:10    11:52  epoch  w-02 (12:06)                   -
 *   2     12:15    11:56  11:52  w-03 (12:13)                   -
 *   3     12:20    12:03  11:56  w-04 (12:08), w-03 again       duplicate dropped
 *   4     12:25    12:03  12:03  w-05 (12:24)                   -
 *   5     12:30    12:14  12:03  w-06 (12:04): W00 ends 12:10 > L_5, NOT late
 *                                                               W00 = 4 (w-01,02,04,06)
 *   6     12:35    12:14  12:14  w-07 (12:31)                   -
 *   7     12:40    12:21  12:14  w-08 (12:15): W10 ends 12:20 > L_7, not late
 *                                                               W10 = 2 (w-03,08)
 *   8     12:45    12:21  12:21  w-01 again: W00 12:10 <= L_8   LATE (before duplicate)
 *   9     12:50    12:21  12:21  w-09 (12:45)                   -
 *   10    12:55    12:35  12:21  w-10 (12:05): LATE             W20 = 1 (w-05)
 *   (12:45 has data; at 13:00 the next watermark 12:35 is not above E_10: no no-data batch)
 *   11    13:00    +inf   12:35  --final-watermark only         W30 = 1, W40 = 1
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

static char *run_fixture(const char *name, const char *extra)
{
    char *dir = lkt_tmpdir(name), *run = lkt_fmt("%s/run", dir);
    int rc = lkt_run(NULL, NULL,
                     "kappa --quiet --data %s/datasets/fixtures/watermark.jsonl"
                     " --pipeline %s/datasets/fixtures/watermark-spec.json --out %s"
                     " --trigger 5m --watermark 10m --cost-model none %s",
                     lkt_root(), lkt_root(), run, extra);
    cr_assert_eq(rc, 0, "kappa exit %d", rc);
    free(dir);
    return run;
}

static char *table(const char *run, const char *name)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "results --run %s --table %s --out -", run, name), 0);
    return out;
}

/* The columns of the progress table that the walkthrough above fixes. */
static char *progress_summary(const char *run)
{
    return lkt_query_text(
        run,
        "SELECT batch_id, substr(iso(trigger_time), 12, 5), CASE WHEN watermark = 0 THEN 'epoch'"
        " WHEN watermark > 9000000000000000 THEN '+inf' ELSE substr(iso(watermark), 12, 5) END,"
        " input_rows, late_rows, duplicates_dropped, output_rows FROM progress ORDER BY batch_id");
}

static char *run_json(const char *run)
{
    char *path = lkt_fmt("%s/run.json", run), *json = lkt_slurp(path);
    free(path);
    cr_assert_not_null(json);
    return json;
}

Test(kp_watermark, every_batch_has_the_hand_computed_watermarks_and_outputs)
{
    char *run = run_fixture("wm-final", "--final-watermark");
    char *got = progress_summary(run);
    cr_assert_str_eq(got,
                     /* batch, trigger, E_N, input, late rows, duplicates, output rows */
                     "0,12:05,epoch,1,0,0,0\n"
                     "1,12:10,11:52,1,0,0,0\n"
                     "2,12:15,11:56,1,0,0,0\n"
                     "3,12:20,12:03,2,0,1,0\n"
                     "4,12:25,12:03,1,0,0,0\n"
                     "5,12:30,12:14,1,0,0,1\n"
                     "6,12:35,12:14,1,0,0,0\n"
                     "7,12:40,12:21,1,0,0,1\n"
                     "8,12:45,12:21,1,1,0,0\n"
                     "9,12:50,12:21,1,0,0,0\n"
                     "10,12:55,12:35,1,1,0,1\n"
                     "11,13:00,+inf,0,0,0,2\n");
    free(got);
    free(run);
}

Test(kp_watermark, append_output_and_late_table_match_the_walkthrough)
{
    char *run = run_fixture("wm-out", "--final-watermark");
    char *out = table(run, "output"), *late = table(run, "late");
    cr_assert_str_eq(out, "tenant,window_start,window_end,clicks\n"
                          "t1,2026-01-01T12:00:00.000Z,2026-01-01T12:10:00.000Z,4\n"
                          "t1,2026-01-01T12:10:00.000Z,2026-01-01T12:20:00.000Z,2\n"
                          "t1,2026-01-01T12:20:00.000Z,2026-01-01T12:30:00.000Z,1\n"
                          "t1,2026-01-01T12:30:00.000Z,2026-01-01T12:40:00.000Z,1\n"
                          "t1,2026-01-01T12:40:00.000Z,2026-01-01T12:50:00.000Z,1\n");
    cr_assert_str_eq(
        late,
        "batch_id,event_id,tenant,key,type,value,event_time,arrival_time,window_start,window_end,watermark\n"
        "8,w-01,t1,k1,click,1.00,2026-01-01T12:02:00.000Z,2026-01-01T12:41:00.000Z,"
        "2026-01-01T12:00:00.000Z,2026-01-01T12:10:00.000Z,2026-01-01T12:21:00.000Z\n"
        "10,w-10,t1,k10,click,1.00,2026-01-01T12:05:00.000Z,2026-01-01T12:52:00.000Z,"
        "2026-01-01T12:00:00.000Z,2026-01-01T12:10:00.000Z,2026-01-01T12:21:00.000Z\n");
    free(out);
    free(late);
    free(run);
}

Test(kp_watermark, without_the_final_watermark_two_windows_stay_in_state)
{
    char *run = run_fixture("wm-nofinal", ""), *json = run_json(run);
    cr_assert(strstr(json, "\"windows_in_state_at_end\":\t2"), "%s", json);
    cr_assert(strstr(json, "\"lines\":\t12"), "%s", json);
    cr_assert(strstr(json, "\"processed\":\t9"), "%s", json);
    cr_assert(strstr(json, "\"duplicates\":\t1"), "%s", json);
    cr_assert(strstr(json, "\"late\":\t2"), "%s", json);
    cr_assert(strstr(json, "\"every_line_accounted\":\ttrue"), "%s", json);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output"), 3);
    free(json);
    free(run);
}

Test(kp_watermark, once_in_append_mode_emits_nothing_and_reports_the_windows_left)
{
    char *dir = lkt_tmpdir("wm-once"), *run = lkt_fmt("%s/run", dir), *json;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "kappa --quiet --data %s/datasets/fixtures/watermark.jsonl"
                         " --pipeline %s/datasets/fixtures/watermark-spec.json --out %s"
                         " --trigger once --cost-model none",
                         lkt_root(), lkt_root(), run),
                 0);
    /* one batch, E_0 = epoch: nothing is final, all 5 windows stay in state */
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output"), 0);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM progress"), 1);
    json = run_json(run);
    cr_assert(strstr(json, "\"windows_in_state_at_end\":\t5"), "%s", json);
    free(json);
    free(run);
    free(dir);
}
