/*
 * Scenarios translated from Apache Spark's StreamingDeduplicationSuite
 * (sql/core/src/test/scala/org/apache/spark/sql/streaming/StreamingDeduplicationSuite.scala,
 * read at commit c122c08b3adce0f8dd5ffa104dce1284213c62eb). lklab deduplicates on
 * event_id, so the columns Spark's dropDuplicates compares become the event_id
 * ("#v10": the value 10). Expected values are the Spark test's own.
 */
#include "spark/spark_test.h"
#include "banned.h"

/* withWatermark("eventTime", "10 seconds").dropDuplicates().groupBy(window(5 s)).count() */
static const char DW5[] = "{ \"name\": \"dw5\", \"dedup\": \"event_id\", \"group_by\": [], "
                          "\"window\": { \"kind\": \"tumbling\", \"size\": \"5s\" }, "
                          "\"aggregates\": [ {\"fn\":\"count\", \"as\":\"n\"} ] }";
static const char COLS[] = SP_SEC("window_start") ", n";

/* (1 to 5).flatMap(_ => (10 to 15)): 10..15 five times, each value its own event id */
#define TEN_TO_15_FIVE_TIMES                                                                       \
    "k@10#v10 k@11#v11 k@12#v12 k@13#v13 k@14#v14 k@15#v15 k@10#v10 k@11#v11 k@12#v12 "            \
    "k@13#v13 k@14#v14 k@15#v15 k@10#v10 k@11#v11 k@12#v12 k@13#v13 k@14#v14 k@15#v15 "            \
    "k@10#v10 k@11#v11 k@12#v12 k@13#v13 k@14#v14 k@15#v15 k@10#v10 k@11#v11 k@12#v12 "            \
    "k@13#v13 k@14#v14 k@15#v15"

/* "deduplicate with aggregate - append mode" */
Test(spark_dedup, deduplicate_with_aggregate_append_mode)
{
    static const char *const steps[] = { TEN_TO_15_FIVE_TIMES, "k@25#v25", "k@10#v10", "k@40#v40" };
    static const char *const want[] = { "", "10,5\n", "", "15,1\n25,1\n" };
    char *run;
    sp_check_steps("sp-dd-agg-append", DW5, "--watermark 10s", steps, want, 4, COLS);
    run = sp_run("sp-dd-agg-append-all", DW5, "--watermark 10s", steps, 3);
    /* droppedByWatermark = Seq(0, 1) in step 2: the 10 is behind the watermark 15 */
    cr_expect_eq(sp_data_progress(run, "late_rows", 2), 1);
    cr_expect_eq(sp_data_progress(run, "duplicates_dropped", 2), 0);
    free(run);
}

/*
 * "SPARK-35880: custom metric numDroppedDuplicateRows in state operator progress", the
 * query with a watermark: numDroppedDuplicateRows of each step's batch is 24, 1, 0, 0, 1
 * (the 10 of step 3 is behind the watermark: dropped as late, not as a duplicate). The
 * Spark query outputs the deduplicated rows themselves; lklab always aggregates, so the
 * answers are checked through the 5 s counts they feed (README).
 */
Test(spark_dedup, num_dropped_duplicate_rows_with_watermark)
{
    static const char *const steps[] = { TEN_TO_15_FIVE_TIMES, "k@14#v14", "k@25#v25", "k@10#v10",
                                         "k@26#v26 k@26#v26" };
    static const long long dropped[] = { 24, 1, 0, 0, 1 };
    char *run = sp_run("sp-dd-35880", DW5, "--watermark 10s", steps, 4);
    for (size_t k = 0; k < 5; k++)
        cr_expect_eq(sp_data_progress(run, "duplicates_dropped", k), dropped[k], "step %zu", k);
    free(run);
}

/*
 * "deduplicate with aggregate - update mode" / "- complete mode": dropDuplicates() over
 * (str, num), then groupBy(str).agg(sum(num)) without a watermark. lklab always windows,
 * so one 1-day window holds every event (README); the event id is "str-num".
 */
static const char SUMS[] = "{ \"name\": \"sums\", \"dedup\": \"event_id\", \"group_by\": "
                           "[\"key\"], \"window\": { \"kind\": \"tumbling\", \"size\": "
                           "\"24h\" }, \"aggregates\": [ {\"fn\":\"sum\", \"of\":\"value\", "
                           "\"as\":\"total\"} ] }";
static const char *const STR_NUM[] = { "a@1=1#a-1", "a@1=1#a-1", "a@1=2#a-2", "b@1=1#b-1" };
static const char SUM_COLS[] = "key, total / 100";

Test(spark_dedup, deduplicate_with_aggregate_update_mode)
{
    static const char *const want[] = { "a,1\n", "", "a,3\n", "b,1\n" };
    sp_check_steps("sp-dd-upd", SUMS, "--watermark none --output-mode update", STR_NUM, want, 4,
                   SUM_COLS);
}

Test(spark_dedup, deduplicate_with_aggregate_complete_mode)
{
    static const char *const want[] = { "a,1\n", "a,1\n", "a,3\n", "a,3\nb,1\n" };
    sp_check_steps("sp-dd-compl", SUMS, "--watermark none --output-mode complete", STR_NUM, want, 4,
                   SUM_COLS);
}

/*
 * MultiStatefulOperatorsSuite "stream deduplication -> aggregation, append mode" (read at
 * commit 3c39c48239d905a46dc34024e508498ccbfc4105): dropDuplicates("value", "eventTime")
 * then a 5 s window count with a 10 s watermark; the no-data batch at watermark 5 closes
 * [0, 5) with 1..4.
 */
Test(spark_dedup, multi_stateful_deduplication_then_aggregation)
{
    static const char *const steps[] = {
        "k@1#v1 k@2#v2 k@3#v3 k@4#v4 k@5#v5 k@6#v6 k@7#v7 k@8#v8 k@9#v9 k@10#v10 k@11#v11 "
        "k@12#v12 k@13#v13 k@14#v14 k@15#v15"
    };
    static const char *const want[] = { "0,4\n" };
    char *run;
    sp_check_steps("sp-multi-dd-agg", DW5, "--watermark 10s", steps, want, 1, COLS);
    run = sp_run("sp-multi-dd-agg-all", DW5, "--watermark 10s", steps, 0);
    cr_expect_eq(sp_step_sum(run, "late_rows", 0), 0, "assertNumRowsDroppedByWatermark(0, 0)");
    free(run);
}
