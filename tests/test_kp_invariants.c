/*
 * The Kappa stack's invariants, on a generated dataset with duplicates,
 * late data and malformed lines, always against the independent `lklab truth`:
 * update mode without a watermark equals truth for every trigger (batch is just a long
 * trigger), complete mode equals truth with any watermark, sliding and session windows
 * too, and the file source gives the same answer as the log.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_test.h"
#include "banned.h"

static void assert_equals_truth(const char *pipeline, const char *args, const char *name)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir(name), *run = lkt_fmt("%s/run", dir);
    char *truth = kpt_truth(ds, pipeline), *got;
    cr_assert_not_null(truth);
    cr_assert_eq(kpt_kappa(ds, pipeline, run, args), 0, "kappa %s", args);
    got = kpt_results(run, "output");
    cr_assert_not_null(got);
    cr_assert(strlen(truth) > 1000, "truth is not trivially small");
    cr_assert(strcmp(got, truth) == 0, "kappa %s %s differs from truth", pipeline, args);
    free(got);
    free(truth);
    free(run);
    free(dir);
    free(ds);
}

Test(kp_invariants, update_without_watermark_equals_truth_with_a_30s_trigger)
{
    assert_equals_truth("revenue", "--output-mode update --watermark none --trigger 30s",
                        "inv-30s");
}

Test(kp_invariants, update_without_watermark_equals_truth_with_a_24h_trigger)
{
    assert_equals_truth("revenue", "--output-mode update --watermark none --trigger 24h",
                        "inv-24h");
}

Test(kp_invariants, update_without_watermark_equals_truth_with_trigger_once)
{
    assert_equals_truth("revenue", "--output-mode update --watermark none --trigger once",
                        "inv-once");
}

Test(kp_invariants, update_without_watermark_equals_truth_with_available_now_in_capped_batches)
{
    assert_equals_truth("revenue",
                        "--output-mode update --watermark none --trigger available-now"
                        " --max-events-per-trigger 1500",
                        "inv-avnow");
}

Test(kp_invariants, update_without_watermark_equals_truth_event_at_a_time)
{
    assert_equals_truth("revenue", "--output-mode update --watermark none --trigger continuous",
                        "inv-cont");
}

Test(kp_invariants, complete_mode_equals_truth_even_with_a_short_watermark)
{
    assert_equals_truth("revenue", "--output-mode complete --watermark 1m --trigger 1m",
                        "inv-complete");
}

Test(kp_invariants, the_file_source_gives_the_same_answer_as_the_log)
{
    assert_equals_truth("revenue",
                        "--source files --output-mode update --watermark none"
                        " --trigger 5m --max-files-per-trigger 3",
                        "inv-files");
}

Test(kp_invariants, sliding_windows_equal_truth)
{
    assert_equals_truth("sliding", "--output-mode update --watermark none --trigger 1m",
                        "inv-sliding");
}

Test(kp_invariants, session_windows_equal_truth_with_merges_retracted)
{
    assert_equals_truth("sessions", "--output-mode update --watermark none --trigger 1m",
                        "inv-sess");
}

Test(kp_invariants, session_windows_equal_truth_event_at_a_time)
{
    assert_equals_truth("sessions", "--output-mode update --watermark none --trigger continuous",
                        "inv-sess-cont");
}

Test(kp_invariants, update_with_final_watermark_ends_equal_to_append_with_final_watermark)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("inv-upd-app");
    char *r1 = lkt_fmt("%s/append", dir), *r2 = lkt_fmt("%s/update", dir), *a, *u;
    cr_assert_eq(kpt_kappa(ds, "revenue", r1, "--output-mode append --final-watermark"), 0);
    cr_assert_eq(kpt_kappa(ds, "revenue", r2, "--output-mode update --final-watermark"), 0);
    a = kpt_results(r1, "output");
    u = kpt_results(r2, "output");
    cr_assert(a && u && strcmp(a, u) == 0);
    free(a);
    free(u);
    free(r1);
    free(r2);
    free(dir);
    free(ds);
}

/*
 * Event at a time, update mode, a pipeline with a filter: an event the filter rejects
 * changes nothing and emits nothing (it once re-emitted the previous event's rows, after
 * their window was evicted with a distinct count of 0). Hand-worked: only e1 passes the
 * filter, so the one row is (t1, 12:00, n 1, buyers 1), written once.
 */
Test(kp_invariants, a_filtered_event_emits_nothing_event_at_a_time)
{
    char *dir = lkt_tmpdir("inv-cont-filter"), *spec = lkt_fmt("%s/f.json", dir);
    char *ds = lkt_fmt("%s/f.jsonl", dir), *run = lkt_fmt("%s/run", dir), *truth, *got;
    lkt_write(spec, "{\"name\":\"f1\",\"filter\":{\"field\":\"type\",\"in\":[\"purchase\"]},"
                    "\"group_by\":[\"tenant\"],\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
                    "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},"
                    "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"buyers\"}]}\n");
    lkt_write(
        ds,
        "{\"event_id\":\"e1\",\"tenant\":\"t1\",\"key\":\"k1\",\"type\":\"purchase\","
        "\"value\":1,\"event_time\":\"2026-01-01T12:00:10Z\",\"arrival_time\":\"2026-01-01T12:00:10Z\"}\n"
        "{\"event_id\":\"e2\",\"tenant\":\"t1\",\"key\":\"k2\",\"type\":\"click\","
        "\"value\":1,\"event_time\":\"2026-01-01T12:02:30Z\",\"arrival_time\":\"2026-01-01T12:02:30Z\"}\n"
        "{\"event_id\":\"e3\",\"tenant\":\"t1\",\"key\":\"k3\",\"type\":\"click\","
        "\"value\":1,\"event_time\":\"2026-01-01T12:02:40Z\",\"arrival_time\":\"2026-01-01T12:02:40Z\"}\n");
    cr_assert_eq(kpt_kappa(ds, spec, run,
                           "--trigger continuous --watermark 1m --output-mode update "
                           "--final-watermark --cost-model none"),
                 0);
    truth = kpt_truth(ds, spec);
    got = kpt_results(run, "output");
    cr_assert(truth && strstr(truth, "t1,2026-01-01T12:00:00.000Z,2026-01-01T12:01:00.000Z,1,1\n"),
              "the hand-worked row: %s", truth ? truth : "(no truth)");
    cr_assert(got && strcmp(got, truth) == 0, "kappa %s vs truth %s", got ? got : "", truth);
    cr_assert_eq(lkt_query_int(run, "SELECT sum(output_rows) FROM progress"), 1,
                 "one row written, once");
    free(got);
    free(truth);
    free(run);
    free(ds);
    free(spec);
    free(dir);
}

/* The same rule on the generated dataset: sliding windows (a filtered pipeline). */
Test(kp_invariants, update_ends_equal_to_append_event_at_a_time_with_a_filter)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("inv-cont-sliding");
    char *r1 = lkt_fmt("%s/append", dir), *r2 = lkt_fmt("%s/update", dir), *a, *u;
    const char *args = "--trigger continuous --watermark 2m --final-watermark";
    char *aa = lkt_fmt("%s --output-mode append", args),
         *ua = lkt_fmt("%s --output-mode update", args);
    cr_assert_eq(kpt_kappa(ds, "sliding", r1, aa), 0);
    cr_assert_eq(kpt_kappa(ds, "sliding", r2, ua), 0);
    a = kpt_results(r1, "output");
    u = kpt_results(r2, "output");
    cr_assert(a && u && strlen(a) > 1000 && strcmp(a, u) == 0, "update differs from append");
    free(a);
    free(u);
    free(aa);
    free(ua);
    free(r1);
    free(r2);
    free(dir);
    free(ds);
}
