/*
 * Kappa's metrics.jsonl and the progress table's event-time statistics (Spark's
 * StreamingQueryProgress members, docs/kappa.md "Progress and metrics.jsonl"): a tiny
 * fixture worked by hand, every line written exactly once across a crash at any phase,
 * byte-identical files from two runs, and an at-least-once replay that counts its lines once.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_test.h"
#include "banned.h"

/* One event line: id, event time (seconds after 2026-01-01T00:00:00Z, with ms), arrival. */
#define EV(id, et, at)                                                                             \
    "{\"event_id\":\"" id "\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"view\",\"value\":1,"      \
    "\"event_time\":\"2026-01-01T00:00:" et "Z\",\"arrival_time\":\"2026-01-01T12:" at "Z\"}\n"

/*
 * --trigger 1m --watermark 10s, 10 s windows, dedup on event_id. Batch 0 (12:01): 20.000,
 * 21.001, 25.001 and a malformed line; batch 2 (12:03): a copy of a (20.000), a late 05.000
 * and 38.000; batch 4 (12:05): 45.000. Batches 1, 3 and 5 are no-data batches.
 */
static const char FIXTURE[] = EV("a", "20.000", "00:01.000") EV("b", "21.001", "00:01.001")
    EV("c", "25.001", "00:01.002") "{\"event_id\": broken\n" EV("a", "20.000", "02:01.000")
        EV("d", "05.000", "02:01.001") EV("e", "38.000", "02:01.002")
            EV("f", "45.000", "04:01.000");
static const char SPEC[] = "{ \"name\": \"m\", \"dedup\": \"event_id\", \"group_by\": [], "
                           "\"window\": { \"kind\": \"tumbling\", \"size\": \"10s\" }, "
                           "\"aggregates\": [ {\"fn\":\"count\", \"as\":\"n\"} ] }";

#define T(s) "\"2026-01-01T00:00:" s "Z\""
#define SPARK(b, ts, rows, rates, et, total, upd, drop, out)                                       \
    "{\"batchId\":" #b ",\"timestamp\":\"2026-01-01T12:" ts                                        \
    ".000Z\",\"numInputRows\":" #rows rates                                                        \
    ",\"durationMs\":{\"triggerExecution\":0},\"eventTime\":{" et "},"                             \
    "\"stateOperators\":[{\"operatorName\":\"stateStoreSave\",\"numRowsTotal\":" #total            \
    ",\"numRowsUpdated\":" #upd ",\"numRowsDroppedByWatermark\":" #drop "}],"                      \
    "\"sink\":{\"description\":\"serving.db\",\"numOutputRows\":" #out "},\"batch_id\":"

/*
 * Worked by hand. avg is the mean truncated like Spark's avg.toLong: (20000 + 21001 +
 * 25001) / 3 = 22000.67 ms -> 22.000. The watermark of a batch is its E: 0, then 25.001 -
 * 10 s, then 38 - 10, then 45 - 10. Rates: inputRowsPerSecond = rows / seconds since the
 * previous batch's trigger, half up to one decimal (3 / 60 = 0.05 -> 0.1, 1 / 60 -> 0),
 * none for batch 0; processedRowsPerSecond = rows / max(1 ms, modelled) = rows * 1000
 * with --cost-model none. numRowsTotal is after eviction: batch 5 evicts [20, 30).
 */
static const char *const WANT[] = {
    SPARK(0, "01:00", 4, ",\"processedRowsPerSecond\":4000",
          "\"avg\":" T("22.000") ",\"max\":" T("25.001") ",\"min\":" T(
              "20.000") ",\"watermark\":\"1970-01-01T00:00:00.000Z\"",
          1, 1, 0, 0),
    SPARK(1, "02:00", 0, ",\"inputRowsPerSecond\":0,\"processedRowsPerSecond\":0",
          "\"watermark\":" T("15.001"), 1, 0, 0, 0),
    SPARK(2, "03:00", 3, ",\"inputRowsPerSecond\":0.1,\"processedRowsPerSecond\":3000",
          "\"avg\":" T("21.000") ",\"max\":" T("38.000") ",\"min\":" T(
              "05.000") ",\"watermark\":" T("15.001"),
          2, 1, 1, 0),
    SPARK(3, "04:00", 0, ",\"inputRowsPerSecond\":0,\"processedRowsPerSecond\":0",
          "\"watermark\":" T("28.000"), 2, 0, 0, 0),
    SPARK(4, "05:00", 1, ",\"inputRowsPerSecond\":0,\"processedRowsPerSecond\":1000",
          "\"avg\":" T("45.000") ",\"max\":" T("45.000") ",\"min\":" T(
              "45.000") ",\"watermark\":" T("28.000"),
          3, 1, 0, 0),
    SPARK(5, "06:00", 0, ",\"inputRowsPerSecond\":0,\"processedRowsPerSecond\":0",
          "\"watermark\":" T("35.000"), 2, 0, 0, 1),
};

Test(kp_metrics, the_eventtime_map_and_state_counts_match_a_fixture_worked_by_hand)
{
    char *dir = lkt_tmpdir("metrics-fixture"), *data = lkt_fmt("%s/data.jsonl", dir);
    char *spec = lkt_fmt("%s/spec.json", dir), *run = lkt_fmt("%s/run", dir), *metrics, *line;
    char *progress;
    size_t n = 0;
    lkt_write(data, FIXTURE);
    lkt_write(spec, SPEC);
    cr_assert_eq(kpt_kappa(data, spec, run, "--trigger 1m --watermark 10s --cost-model none"), 0);
    metrics = lkt_slurpf("%s/metrics.jsonl", run);
    cr_assert_not_null(metrics);
    for (line = metrics; *line; line = strchr(line, '\n') + 1, n++) {
        cr_assert_lt(n, 6, "6 batches, not more:\n%s", metrics);
        cr_expect(strncmp(line, WANT[n], strlen(WANT[n])) == 0, "line %zu is\n%.*s\nnot\n%s", n,
                  (int)(strchr(line, '\n') - line), line, WANT[n]);
    }
    cr_expect_eq(n, 6);
    /* the same statistics in the progress table (ms; NULL for the no-data batches) */
    progress = lkt_query_text(run, "SELECT batch_id, coalesce(event_time_min - 1767225600000, "
                                   "'-'), coalesce(event_time_max - 1767225600000, '-'), "
                                   "coalesce(event_time_avg - 1767225600000, '-'), "
                                   "state_rows, state_rows_end, state_rows_updated "
                                   "FROM progress ORDER BY batch_id");
    cr_expect_str_eq(progress, "0,20000,25001,22000,1,1,1\n1,-,-,-,1,1,0\n"
                               "2,5000,38000,21000,2,2,1\n3,-,-,-,2,2,0\n"
                               "4,45000,45000,45000,3,3,1\n5,-,-,-,3,2,0\n");
    free(progress);
    free(metrics);
    free(run);
    free(spec);
    free(data);
    free(dir);
}

#define ARGS "--trigger 10m --watermark 10m --output-mode append"

/* batchId of every line of a metrics.jsonl, in order, as "0,1,2,...". */
static char *batch_ids(const char *metrics)
{
    char *ids = lkt_fmt("%s", ""), *next;
    for (const char *p = strstr(metrics, "{\"batchId\":"); p; p = strstr(p + 1, "{\"batchId\":")) {
        next = lkt_fmt("%s%s%lld", ids, *ids ? "," : "", atoll(p + 11));
        free(ids);
        ids = next;
    }
    return ids;
}

static char *count_to(long long n)
{
    char *ids = lkt_fmt("%s", ""), *next;
    for (long long i = 0; i < n; i++) {
        next = lkt_fmt("%s%s%lld", ids, i ? "," : "", i);
        free(ids);
        ids = next;
    }
    return ids;
}

Test(kp_metrics, a_crash_at_any_phase_neither_loses_nor_doubles_a_line)
{
    static const char *const phases[] = { "planned", "processed", "sink-committed", "committed" };
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("metrics-crash"), *clean = lkt_fmt("%s/a", dir);
    char *again = lkt_fmt("%s/b", dir), *want, *other, *ids, *all;
    cr_assert_eq(kpt_kappa(ds, "revenue", clean, ARGS), 0);
    cr_assert_eq(kpt_kappa(ds, "revenue", again, ARGS), 0);
    want = lkt_slurpf("%s/metrics.jsonl", clean);
    other = lkt_slurpf("%s/metrics.jsonl", again);
    cr_assert(want && other && strcmp(want, other) == 0, "two runs give the same metrics.jsonl");
    ids = batch_ids(want);
    all = count_to(lkt_query_int(clean, "SELECT count(*) FROM progress"));
    cr_assert_str_eq(ids, all, "one line per batch, in order");
    for (size_t i = 0; i < 4; i++) {
        char *run = lkt_fmt("%s/crash-%zu", dir, i), *got;
        char *crash = lkt_fmt(ARGS " --crash-after 7:%s", phases[i]);
        cr_assert_neq(kpt_kappa(ds, "revenue", run, crash), 0, "the process must die");
        cr_assert_eq(kpt_kappa(ds, "revenue", run, ARGS), 0, "restart recovers");
        got = lkt_slurpf("%s/metrics.jsonl", run);
        cr_expect(got && strcmp(got, want) == 0, "crash at %s: metrics.jsonl differs", phases[i]);
        free(got);
        free(crash);
        free(run);
    }
    free(all);
    free(ids);
    free(other);
    free(want);
    free(again);
    free(clean);
    free(dir);
    free(ds);
}

/* Every line of the dataset's log (what run.json's `lines` must count), by wc. */
static long long dataset_lines(const char *ds)
{
    char *cmd = lkt_fmt("cat %s/log/*.jsonl | wc -l", ds);
    FILE *fp = popen(cmd, "r");
    long long n = -1;
    cr_assert_not_null(fp);
    cr_assert_eq(fscanf(fp, "%lld", &n), 1);
    pclose(fp);
    free(cmd);
    return n;
}

Test(kp_metrics, an_at_least_once_replay_counts_its_lines_once)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("metrics-alo"), *run = lkt_fmt("%s/run", dir);
    char *json, *want;
    long long lines = dataset_lines(ds);
    cr_assert_neq(kpt_kappa(ds, "revenue", run,
                            ARGS " --sink-guarantee at-least-once"
                                 " --crash-after 40:sink-committed"),
                  0);
    cr_assert_eq(kpt_kappa(ds, "revenue", run, ARGS " --sink-guarantee at-least-once"), 0);
    json = lkt_slurpf("%s/run.json", run);
    cr_assert_not_null(json);
    want = lkt_fmt("\"lines\":\t%lld,", lines);
    cr_expect(strstr(json, want), "run.json counts every line once (%s):\n%s", want, json);
    cr_expect(strstr(json, "\"every_line_accounted\":\ttrue"), "%s", json);
    cr_expect(strstr(json, "\"replayed_batches\":\t1,"), "%s", json);
    cr_expect_eq(lkt_query_int(run, "SELECT count(*) FROM progress WHERE batch_id = 40"), 1);
    cr_expect_eq(lkt_query_int(run, "SELECT sink_writes FROM progress WHERE batch_id = 40"), 2);
    free(want);
    free(json);
    free(run);
    free(dir);
    free(ds);
}
