/*
 * Scenarios translated from Apache Spark's StreamingAggregationSuite
 * (sql/core/src/test/scala/org/apache/spark/sql/streaming/StreamingAggregationSuite.scala,
 * read at commit a6db40b39323e817b02596b999aef48860ca8763). Expected values are the Spark
 * test's own.
 *
 * These tests group by a value without any window or watermark; lklab always windows, so
 * one 1-day window holds every event and the Spark value is the event key (README).
 * StopStream / StartStream is a new `lklab kappa` process on the same run: here every
 * step is one (a restart before each step, the Spark test's one included).
 */
#include "spark/spark_test.h"
#include "banned.h"

static const char COUNTS[] = "{ \"name\": \"counts\", \"group_by\": [\"key\"], \"window\": "
                             "{ \"kind\": \"tumbling\", \"size\": \"24h\" }, \"aggregates\": "
                             "[ {\"fn\":\"count\", \"as\":\"n\"} ] }";

/* "simple count, update mode" */
Test(spark_aggregation, simple_count_update_mode)
{
    static const char *const steps[] = { "3@1", "3@1 2@1", "3@1 2@1 1@1", "4@1 4@1 4@1 4@1" };
    static const char *const want[] = { "3,1\n", "2,1\n3,2\n", "1,1\n2,2\n3,3\n", "4,4\n" };
    sp_check("sp-agg-upd", COUNTS, "--watermark none --output-mode update", steps, want, 4,
             "key, n", 1);
}

/* "simple count, complete mode" */
Test(spark_aggregation, simple_count_complete_mode)
{
    static const char *const steps[] = { "3@1", "2@1", "3@1 2@1 1@1", "4@1 4@1 4@1 4@1" };
    static const char *const want[] = { "3,1\n", "2,1\n3,1\n", "1,1\n2,2\n3,2\n",
                                        "1,1\n2,2\n3,2\n4,4\n" };
    sp_check("sp-agg-compl", COUNTS, "--watermark none --output-mode complete", steps, want, 4,
             "key, n", 1);
}

/* "typed aggregators": groupByKey(_._1).agg(typed.sumLong(_._2)) */
Test(spark_aggregation, typed_aggregators)
{
    static const char spec[] = "{ \"name\": \"sums\", \"group_by\": [\"key\"], \"window\": "
                               "{ \"kind\": \"tumbling\", \"size\": \"24h\" }, \"aggregates\": "
                               "[ {\"fn\":\"sum\", \"of\":\"value\", \"as\":\"total\"} ] }";
    static const char *const steps[] = { "a@1=10 a@1=20 b@1=1 b@1=2 c@1=1" };
    static const char *const want[] = { "a,30\nb,3\nc,1\n" };
    sp_check_steps("sp-agg-typed", spec, "--watermark none --output-mode update", steps, want, 1,
                   "key, total / 100");
}
