/* End-to-end: the real bin/lklab truth, its errors and exit codes (docs/formats.md). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lk_test.h"
#include "banned.h"

Test(cli_truth, writes_the_hand_checked_fixture_result_to_a_file)
{
    char *dir = lkt_tmpdir("truth-ok"), *out = lkt_fmt("%s/r.csv", dir), *csv;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "truth --quiet --data %s/datasets/fixtures/tiny.jsonl"
                         " --pipeline revenue --out %s",
                         lkt_root(), out),
                 0);
    csv = lkt_slurp(out);
    cr_assert_not_null(csv);
    cr_assert(strncmp(csv, "tenant,type,window_start,window_end,events,", 43) == 0, "%s", csv);
    cr_assert(strstr(csv, "t01,purchase,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,"
                          "3,119.75,7.25,100.00,3\n"));
    free(csv);
    free(out);
    free(dir);
}

Test(cli_truth, unknown_option_is_a_usage_error)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "truth --bogus"), 2);
    cr_assert_str_eq(err, "lklab truth: unknown option '--bogus' (see 'lklab truth --help')\n",
                     "one line naming the problem");
    free(err);
}

Test(cli_truth, a_missing_required_option_is_a_usage_error)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "truth --data x --out y"), 2);
    cr_assert(strstr(err, "lklab truth: missing --pipeline"), "%s", err);
    free(err);
}

Test(cli_truth, missing_dataset_exits_3_naming_it_and_leaves_no_output)
{
    char *dir = lkt_tmpdir("truth-missing"), *out = lkt_fmt("%s/r.csv", dir), *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "truth --data %s/nope --pipeline revenue --out %s", dir, out),
                 3);
    cr_assert(strstr(err, "/nope'"), "%s", err);
    cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "one line: %s", err);
    cr_assert_neq(access(out, F_OK), 0, "no output file");
    free(err);
    free(out);
    free(dir);
}

Test(cli_truth, bad_spec_exits_3_naming_the_field_and_leaves_no_output)
{
    char *dir = lkt_tmpdir("truth-badspec"), *out = lkt_fmt("%s/r.csv", dir);
    char *spec = lkt_fmt("%s/bad.json", dir), *err = NULL;
    FILE *fp = fopen(spec, "w");
    fputs("{\"name\":\"x\",\"window\":{\"kind\":\"tumbling\",\"size\":\"1x\"},"
          "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}",
          fp);
    fclose(fp);
    cr_assert_eq(lkt_run(NULL, &err,
                         "truth --data %s/datasets/fixtures/tiny.jsonl --pipeline %s --out %s",
                         lkt_root(), spec, out),
                 3);
    cr_assert(strstr(err, "window.size: bad duration '1x'"), "%s", err);
    cr_assert_neq(access(out, F_OK), 0);
    free(err);
    free(spec);
    free(out);
    free(dir);
}

Test(cli_truth, output_into_a_missing_directory_exits_3_and_help_exits_0)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "truth --data %s/datasets/fixtures/tiny.jsonl --pipeline revenue"
                         " --out /nonexistent-dir/r.csv",
                         lkt_root()),
                 3);
    cr_assert_eq(lkt_run(&out, NULL, "truth --help"), 0);
    cr_assert(strstr(out, "--pipeline"), "%s", out);
    free(out);
}

/*
 * --as-of T: only the events arrived by T count. By hand: t01/view at 00:00 has three
 * events arriving at 00:00:06, 00:00:20 and 00:02:00 (late); as of 00:01:00 the window
 * holds the first two (events 2, value 3.00), as of the end all three; the t02 window's only
 * event arrives at 00:05:00, so as of 00:01:00 it has no row at all.
 */
Test(cli_truth, as_of_counts_only_the_events_arrived_by_then)
{
    char *dir = lkt_tmpdir("truth-asof"), *data = lkt_fmt("%s/d.jsonl", dir), *out = NULL;
    char *err = NULL;
    lkt_write(
        data,
        "{\"event_id\":\"a1\",\"tenant\":\"t01\",\"key\":\"u1\",\"type\":\"view\",\"value\":1,"
        "\"event_time\":\"2026-01-01T00:00:05Z\",\"arrival_time\":\"2026-01-01T00:00:06Z\"}\n"
        "{\"event_id\":\"a2\",\"tenant\":\"t01\",\"key\":\"u2\",\"type\":\"view\",\"value\":2,"
        "\"event_time\":\"2026-01-01T00:00:15Z\",\"arrival_time\":\"2026-01-01T00:00:20Z\"}\n"
        "{\"event_id\":\"a3\",\"tenant\":\"t01\",\"key\":\"u3\",\"type\":\"view\",\"value\":4,"
        "\"event_time\":\"2026-01-01T00:00:30Z\",\"arrival_time\":\"2026-01-01T00:02:00Z\"}\n"
        "{\"event_id\":\"b1\",\"tenant\":\"t02\",\"key\":\"u1\",\"type\":\"view\",\"value\":8,"
        "\"event_time\":\"2026-01-01T00:00:40Z\",\"arrival_time\":\"2026-01-01T00:05:00Z\"}\n");
    cr_assert_eq(lkt_run(&out, NULL,
                         "truth --quiet --data %s --pipeline revenue --out - --as-of "
                         "2026-01-01T00:01:00Z",
                         data),
                 0);
    cr_assert_str_eq(out, "tenant,type,window_start,window_end,events,value_sum,value_min,"
                          "value_max,distinct_keys\n"
                          "t01,view,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,"
                          "2,3.00,1.00,2.00,2\n");
    free(out);
    cr_assert_eq(lkt_run(&out, NULL, "truth --quiet --data %s --pipeline revenue --out -", data),
                 0);
    cr_assert(strstr(out, "t01,view,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,"
                          "3,7.00,1.00,4.00,3\n"),
              "%s", out);
    cr_assert(strstr(out, "t02,view,"), "%s", out);
    free(out);
    cr_assert_eq(
        lkt_run(NULL, &err, "truth --data %s --pipeline revenue --out - --as-of noon", data), 2);
    cr_assert(strstr(err, "--as-of 'noon' is not an ISO 8601 time"), "%s", err);
    free(err);
    free(data);
    free(dir);
}
