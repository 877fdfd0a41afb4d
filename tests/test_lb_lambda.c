/*
 * End-to-end: the real bin/lklab lambda on generated data (duplicates, late data,
 * malformed lines), compared with lk_truth only: after the final batch for several batch
 * periods and specs; at every bucket end when nothing is duplicated (the seam); and
 * against hand-made seam and injection datasets.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lb_test.h"
#include "banned.h"

/* Run lambda with period `every` on a fresh 20k dataset; serving/batch at end == truth. */
static void final_equals_truth(const char *name, const char *pipeline, const char *every)
{
    char *dir = lkt_tmpdir(name), *ds = lbt_gen(dir, "--events 20000 --seed 7");
    char *run = lkt_fmt("%s/run", dir), *spec = lbt_pipeline(pipeline), *err = NULL;
    char *truth, *serving, *batch, *speed;
    int rc = lbt_lambda(&err, "--data %s --pipeline %s --out %s --batch-every %s", ds, pipeline,
                        run, every);
    cr_assert_eq(rc, 0, "%s", err ? err : "");
    truth = lbt_truth(ds, spec, LK_TIME_POS_INF);
    serving = lbt_export(run, "serving", LK_TIME_POS_INF);
    batch = lbt_export(run, "batch", LK_TIME_POS_INF);
    speed = lbt_export(run, "speed", LK_TIME_POS_INF);
    cr_assert(strcmp(serving, truth) == 0, "%s/%s: serving after the final batch != truth",
              pipeline, every);
    cr_assert(strcmp(batch, truth) == 0);
    cr_assert(strchr(speed, '\n') == speed + strlen(speed) - 1, "speed rows left: %s", speed);
    /* every line accounted for, and the data had what the test is about */
    cr_assert_eq(lbt_runjson_int(run, "totals", "lines"),
                 lbt_runjson_int(run, "totals", "processed")
                     + lbt_runjson_int(run, "totals", "duplicates")
                     + lbt_runjson_int(run, "totals", "quarantined"));
    cr_assert_eq(lbt_runjson_int(run, "totals", "processed"), 20000);
    cr_assert_gt(lbt_runjson_int(run, "totals", "duplicates"), 0);
    cr_assert_gt(lbt_runjson_int(run, "totals", "quarantined"), 0);
    free(speed);
    free(batch);
    free(serving);
    free(truth);
    free(err);
    free(spec);
    free(run);
    free(ds);
    free(dir);
}

Test(lb_lambda, serving_after_the_final_batch_equals_truth_with_1h_batches)
{
    final_equals_truth("lb-final-1h", "revenue", "1h");
}

Test(lb_lambda, serving_after_the_final_batch_equals_truth_with_6h_batches)
{
    final_equals_truth("lb-final-6h", "revenue", "6h");
}

Test(lb_lambda, serving_after_the_final_batch_equals_truth_with_24h_batches)
{
    final_equals_truth("lb-final-24h", "revenue", "24h");
}

Test(lb_lambda, the_sliding_spec_through_lambda_equals_truth)
{
    final_equals_truth("lb-final-sliding", "sliding", "2h");
}

Test(lb_lambda, the_sessions_spec_through_lambda_equals_truth)
{
    final_equals_truth("lb-final-sessions", "sessions", "3h");
}

/*
 * With no duplicates and no virtual job time, the serving answer at every bucket end t
 * is exactly truth over the events arrived by t: the batch view and the speed buckets
 * split the events at the cutoff with nothing counted twice or missed, for tumbling,
 * sliding and (merged) session windows. count_distinct is left out (speed = HLL).
 */
static void every_instant_equals_truth(const char *name, const char *spec_json)
{
    char *dir = lkt_tmpdir(name), *ds = lbt_gen(dir, "--events 4000 --dup-frac 0 --seed 3");
    char *run = lkt_fmt("%s/run", dir), *spec = lkt_fmt("%s/spec.json", dir), *err = NULL;
    int64_t first = lbt_time("2026-01-01T00:00:00Z");
    lbt_write(spec, spec_json);
    cr_assert_eq(lbt_lambda(&err,
                            "--data %s --pipeline %s --out %s --batch-every 1h "
                            "--cost-model none",
                            ds, spec, run),
                 0, "%s", err);
    for (int k = 1; k <= 25; k += 3) {
        int64_t cutoff = first + k * LK_MS_PER_HOUR;
        int64_t at[] = { cutoff - 10000, cutoff, cutoff + 10000, cutoff + 1234 * 10000 };
        for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
            char *s = lbt_export(run, "serving", at[i]), *t = lbt_truth(ds, spec, at[i]);
            cr_assert(strcmp(s, t) == 0, "serving != truth at %" PRId64 " (cutoff +%" PRId64 "ms)",
                      at[i], at[i] - cutoff);
            free(s);
            free(t);
        }
    }
    free(err);
    free(spec);
    free(run);
    free(ds);
    free(dir);
}

Test(lb_lambda, serving_equals_truth_at_every_bucket_end_without_duplicates_tumbling)
{
    every_instant_equals_truth(
        "lb-instants-tumbling",
        "{\"name\":\"t\",\"dedup\":\"event_id\",\"group_by\":[\"tenant\",\"type\"],"
        "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},\"aggregates\":["
        "{\"fn\":\"count\",\"as\":\"events\"},{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"s\"},"
        "{\"fn\":\"min\",\"of\":\"value\",\"as\":\"lo\"},"
        "{\"fn\":\"max\",\"of\":\"value\",\"as\":\"hi\"}]}");
}

Test(lb_lambda, serving_equals_truth_at_every_bucket_end_without_duplicates_sessions)
{
    every_instant_equals_truth(
        "lb-instants-sessions",
        "{\"name\":\"s\",\"group_by\":[\"tenant\",\"key\"],\"window\":{\"kind\":\"session\","
        "\"gap\":\"5m\"},\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"},"
        "{\"fn\":\"max\",\"of\":\"value\",\"as\":\"hi\"}]}");
}

Test(lb_lambda, serving_equals_truth_at_every_bucket_end_without_duplicates_sliding)
{
    every_instant_equals_truth(
        "lb-instants-sliding",
        "{\"name\":\"w\",\"filter\":{\"field\":\"type\",\"in\":[\"purchase\",\"view\"]},"
        "\"group_by\":[\"type\"],\"window\":{\"kind\":\"sliding\",\"size\":\"10m\","
        "\"slide\":\"5m\"},\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},"
        "{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"s\"}]}");
}

/* ------------------------------------------------------------------ seam ---- */

/* One event line of tenant t01, type seam, in the window starting at `window`. */
static void seam_line(FILE *fp, int k, int n, int64_t window, int64_t arrival)
{
    char et[LK_TIME_ISO_LEN + 1], at[LK_TIME_ISO_LEN + 1];
    lk_time_format(window + n * 1000, et);
    lk_time_format(arrival, at);
    fprintf(fp,
            "{\"event_id\":\"seam-%d-%d\",\"tenant\":\"t01\",\"key\":\"k%d\",\"type\":\"seam\","
            "\"value\":1.00,\"event_time\":\"%s\",\"arrival_time\":\"%s\"}\n",
            k, n, n, et, at);
}

/*
 * For each hourly cutoff C: four events of one window arrive at C - 1 ms, C, C + 1 ms and
 * C + 10 s. Each must be counted exactly once, by the batch view (arrival <= C) or by the
 * speed layer (later), whether or not the view has landed.
 */
Test(lb_lambda, events_arriving_just_before_and_after_a_cutoff_are_counted_once)
{
    char *dir = lkt_tmpdir("lb-seam"), *data = lkt_fmt("%s/seam.jsonl", dir);
    char *run = lkt_fmt("%s/run", dir), *model = lkt_fmt("%s/model.json", dir), *err = NULL;
    int64_t t0 = lbt_time("2026-01-01T00:00:00Z");
    FILE *fp = fopen(data, "w");
    for (int k = 1; k <= 4; k++) {
        int64_t c = t0 + k * LK_MS_PER_HOUR, w = c - 30 * LK_MS_PER_MIN;
        seam_line(fp, k, 1, w, c - 1);
        seam_line(fp, k, 2, w, c);
        seam_line(fp, k, 3, w, c + 1);
        seam_line(fp, k, 4, w, c + 10000);
    }
    fclose(fp);
    lbt_write(model, "{\"cluster_start\":\"0s\",\"trigger_overhead\":\"0s\",\"event_ns\":0,"
                     "\"state_row_ns\":0,\"job_overhead\":\"2m\",\"master_event_ns\":0}");
    cr_assert_eq(lbt_lambda(&err,
                            "--data %s --pipeline revenue --out %s --batch-every 1h "
                            "--cost-model %s",
                            data, run, model),
                 0, "%s", err);
    for (int k = 1; k <= 3; k++) {
        int64_t c = t0 + k * LK_MS_PER_HOUR, w = c - 30 * LK_MS_PER_MIN;
        int64_t at[] = { c + 10000, c + 2 * LK_MS_PER_MIN - 1, c + 2 * LK_MS_PER_MIN,
                         c + 30 * LK_MS_PER_MIN };
        char ws[LK_TIME_ISO_LEN + 1], we[LK_TIME_ISO_LEN + 1], *row;
        lk_time_format(w, ws);
        lk_time_format(w + LK_MS_PER_MIN, we);
        row = lkt_fmt("t01,seam,%s,%s,4,4.00,1.00,1.00,4\n", ws, we);
        for (size_t i = 0; i < 4; i++) {
            char *csv = lbt_export(run, "serving", at[i]);
            cr_assert(strstr(csv, row) != NULL, "cutoff %d at +%" PRId64 "ms: want %s in\n%s", k,
                      at[i] - c, row, csv);
            free(csv);
        }
        free(row);
    }
    free(err);
    free(model);
    free(run);
    free(data);
    free(dir);
}

/* ----------------------------------------------------------- injection ---- */

Test(lb_lambda, names_and_values_full_of_quotes_and_semicolons_stay_data)
{
    char *dir = lkt_tmpdir("lb-inject"), *data = lkt_fmt("%s/evil.jsonl", dir);
    char *run = lkt_fmt("%s/run", dir), *spec = lkt_fmt("%s/spec.json", dir), *err = NULL;
    char *truth, *serving, *db = lkt_fmt("%s/serving.db", run);
    sqlite3 *h;
    sqlite3_stmt *st;
    static const char *const tenants[] = { "t'); DROP TABLE master; --", "t\\\"x\\\";--", "plain",
                                           "a;b" };
    FILE *fp = fopen(data, "w");
    for (int i = 0; i < 40; i++)
        fprintf(fp,
                "{\"event_id\":\"e';DELETE FROM master;--%d\\\"\",\"tenant\":\"%s\","
                "\"key\":\"k%d'\",\"type\":\"t;%d\",\"value\":%d.25,\"event_time\":"
                "\"2026-01-01T00:%02d:00Z\",\"arrival_time\":\"2026-01-01T00:%02d:30Z\"}\n",
                i % 30, tenants[i % 4], i % 7, i % 2, i, i, i);
    fclose(fp);
    lbt_write(spec, "{\"name\":\"evil\",\"dedup\":\"event_id\",\"filter\":{\"field\":\"tenant\","
                    "\"in\":[\"t'); DROP TABLE master; --\",\"a;b\",\"t\\\"x\\\";--\"]},"
                    "\"group_by\":[\"tenant\",\"type\"],\"window\":{\"kind\":\"tumbling\","
                    "\"size\":\"10m\"},\"aggregates\":[{\"fn\":\"count\",\"as\":\"select\"},"
                    "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"from\"}]}");
    cr_assert_eq(
        lbt_lambda(&err, "--data %s --pipeline %s --out %s --batch-every 10m", data, spec, run), 0,
        "%s", err);
    truth = lbt_truth(data, spec, LK_TIME_POS_INF);
    serving = lbt_export(run, "serving", LK_TIME_POS_INF);
    cr_assert_str_eq(serving, truth);
    cr_assert(strstr(truth, "\nt'); DROP TABLE master; --,t;0,"), "%s", truth);
    cr_assert(strstr(truth, "\n\"t\"\"x\"\";--\",t;1,"), "%s", truth);
    cr_assert(!strstr(truth, "plain"), "%s", truth);
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM master", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 40, "the master dataset lost rows");
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(serving);
    free(truth);
    free(db);
    free(err);
    free(spec);
    free(run);
    free(data);
    free(dir);
}
