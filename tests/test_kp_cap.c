/*
 * --max-events-per-trigger: Spark's rateLimit of the Kafka source (KafkaMicroBatchStream,
 * read at Spark 3.5). Each partition with a backlog gets cap * (backlog / total backlog)
 * offsets, rounded down (up below 1), at most its backlog. Expected offsets are worked by
 * hand from the partition sizes (the example of the Spark-conformance issue), not read from
 * lklab; --trigger once ignores the cap and says so.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_test.h"
#include "banned.h"

/* 4,000 events, seed 42: partitions of 1642, 473, 1647 and 284 lines (all read below). */
static char *cap_dataset(void)
{
    return lkt_dataset("cap4k", "--scenario clickstream --events 4000 --seed 42");
}

/* Lines of partition p of the dataset (an independent count of the file). */
static int partition_lines(const char *ds, int p)
{
    char *text = lkt_slurpf("%s/log/p-%05d.jsonl", ds, p);
    int n = 0;
    cr_assert(text, "partition %d of %s", p, ds);
    for (const char *c = text; *c; c++)
        n += *c == '\n';
    free(text);
    return n;
}

/* The line offset of partition p in RUN's checkpoint offsets/N. */
static long offset_line(const char *run, int batch, int p)
{
    char *text = lkt_slurpf("%s/checkpoint/offsets/%d", run, batch);
    const char *c = text;
    long line = -1;
    cr_assert(text, "offsets/%d of %s", batch, run);
    for (int k = 0; k <= p && c; k++)
        c = strstr(c + 1, "{\"line\":\"");
    if (c)
        line = strtol(c + 9, NULL, 10);
    free(text);
    return line;
}

Test(kp_cap, the_cap_is_shared_in_proportion_to_each_partition_backlog)
{
    /*
     * By hand, batch 0: total backlog 4046; 400 * 1642/4046 = 162.3 -> 162, 400 * 473/4046
     * = 46.8 -> 46, 1647 -> 162.8 -> 162, 284 -> 28.1 -> 28 (398 of 400: Spark floors).
     * Each next batch shares 400 over what is left; batch 10 takes the last 65 lines.
     */
    static const long want[11][4] = {
        { 162, 46, 162, 28 },     { 324, 92, 324, 56 },     { 486, 138, 486, 84 },
        { 648, 184, 648, 112 },   { 810, 231, 810, 140 },   { 971, 278, 972, 168 },
        { 1132, 325, 1134, 196 }, { 1294, 372, 1296, 223 }, { 1455, 418, 1459, 251 },
        { 1616, 465, 1621, 279 }, { 1642, 473, 1647, 284 },
    };
    static const int sizes[4] = { 1642, 473, 1647, 284 };
    char *ds = cap_dataset(), *dir = lkt_tmpdir("cap-split"), *run = lkt_fmt("%s/run", dir);
    for (int p = 0; p < 4; p++)
        cr_assert_eq(partition_lines(ds, p), sizes[p], "partition %d", p);
    cr_assert_eq(kpt_kappa(ds, "revenue", run,
                           "--trigger available-now --max-events-per-trigger "
                           "400 --durability process"),
                 0);
    for (int b = 0; b < 11; b++)
        for (int p = 0; p < 4; p++)
            cr_assert_eq(offset_line(run, b, p), want[b][p], "batch %d partition %d", b, p);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM progress WHERE input_rows > 0"), 11,
                 "11 batches with input (an even split of 100 per partition needs 17)");
    free(run);
    free(dir);
    free(ds);
}

Test(kp_cap, a_capped_backlog_recovers_and_splits_the_same_for_any_worker_count)
{
    char *ds = cap_dataset(), *dir = lkt_tmpdir("cap-workers"), *r1 = lkt_fmt("%s/w1", dir);
    char *r2 = lkt_fmt("%s/w2", dir), *x, *y;
    const char *args = "--trigger 10m --watermark 10m --max-events-per-trigger 50";
    char *a2 = lkt_fmt("%s --workers 2", args);
    cr_assert_eq(kpt_kappa(ds, "revenue", r1, args), 0);
    cr_assert_eq(kpt_kappa(ds, "revenue", r2, a2), 0);
    cr_assert_gt(lkt_query_int(r1, "SELECT count(*) FROM progress WHERE input_rows >= 47"), 0,
                 "some batches are capped");
    x = kpt_results(r1, "output");
    y = kpt_results(r2, "output");
    cr_assert(x && y && strcmp(x, y) == 0, "2 workers give another output");
    for (int b = 0; b < 40; b++)
        for (int p = 0; p < 4; p++)
            cr_assert_eq(offset_line(r1, b, p), offset_line(r2, b, p), "batch %d partition %d", b,
                         p);
    free(x);
    free(y);
    free(a2);
    free(r2);
    free(r1);
    free(dir);
    free(ds);
}

/* A kill after batch 7's offsets are planned: the restart replays them, then splits on. */
Test(kp_cap, a_kill_in_a_capped_batch_recovers_exactly)
{
    kpt_crash_and_recover("--trigger 10m --watermark 10m --max-events-per-trigger 60", "",
                          "planned");
    kpt_crash_and_recover("--trigger 10m --watermark 10m --max-events-per-trigger 60",
                          "--workers 2", "sink-committed");
}

Test(kp_cap, trigger_once_says_that_it_ignores_the_cap)
{
    char *ds = cap_dataset(), *dir = lkt_tmpdir("cap-once"), *err = NULL, *run;
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --quiet --data %s --pipeline revenue --out %s/run "
                         "--trigger once --max-events-per-trigger 400 --durability "
                         "process",
                         ds, dir),
                 0);
    cr_assert(strstr(err, "--trigger once ignores --max-events-per-trigger"), "%s", err);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line: %s", err);
    run = lkt_fmt("%s/run", dir);
    cr_assert_eq(lkt_query_int(run, "SELECT max(input_rows) FROM progress"), 4046,
                 "one batch of every line");
    free(run);
    free(err);
    free(dir);
    free(ds);
}

/*
 * Trigger.Once's weak contract (one of the three reasons of SPARK-39805): restarted after a
 * crash, once re-runs only the uncommitted batch and stops. Killed after planning batch 2
 * of the capped backlog above, batches 0-2 hold 1194 lines (offsets 486/138/486/84, by
 * hand); once stops there with 2852 of 4046 unread; available-now then reads them all.
 */
Test(kp_cap, once_after_a_crash_reruns_only_the_uncommitted_batch)
{
    char *ds = cap_dataset(), *dir = lkt_tmpdir("cap-weak"), *run = lkt_fmt("%s/run", dir);
    cr_assert_neq(kpt_kappa(ds, "revenue", run,
                            "--trigger available-now --max-events-per-trigger"
                            " 400 --durability process --crash-after 2:planned"),
                  0, "the process must die");
    cr_assert_eq(kpt_kappa(ds, "revenue", run, "--trigger once --durability process"), 0);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM progress"), 3);
    cr_assert_eq(lkt_query_int(run, "SELECT sum(input_rows) FROM progress"), 1194);
    cr_assert_eq(kpt_kappa(ds, "revenue", run, "--trigger available-now --durability process"), 0);
    cr_assert_eq(lkt_query_int(run, "SELECT sum(input_rows) FROM progress"), 4046);
    free(run);
    free(dir);
    free(ds);
}
