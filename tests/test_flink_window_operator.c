/*
 * Scenarios translated from Apache Flink's WindowOperatorTest
 * (flink-streaming-java/src/test/java/org/apache/flink/streaming/runtime/operators/
 * windowing/WindowOperatorTest.java, read at commit
 * 6da38a6aa24b44272e977aba91258693d437875b), run through `lklab kappa --trigger
 * continuous` (tests/flink/README.md: how a Flink test becomes a scenario).
 *
 * Flink's operator: key = Tuple2.f0, sum of Tuple2.f1 per window (SumReducer); a session
 * result is Tuple3("key-sum", start, end). The expected lines are the Flink test's
 * expectedOutput records, each under the processWatermark (or processElement) call that
 * produced it; the side output is its sideExpected / lateExpected records.
 */
#include "flink/flink_test.h"
#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char TUMBLING3[] = "{ \"kind\": \"tumbling\", \"size\": \"3s\" }";
static const char SLIDING3_1[] = "{ \"kind\": \"sliding\", \"size\": \"3s\", \"slide\": \"1s\" }";
static const char SESSION3[] = "{ \"kind\": \"session\", \"gap\": \"3s\" }";

/* the elements of testTumblingEventTimeWindows / testSlidingEventTimeWindows, out of order */
#define OUT_OF_ORDER                                                                               \
    "key2@3999", "key2@3000", "key1@20", "key1@0", "key1@999", "key2@1998", "key2@1999", "key2@1000"

/* testTumblingEventTimeWindowsReduce / ...Apply: snapshot and restore after W1999 */
Test(flink_window_operator, tumbling_event_time_windows)
{
    static const char *const toks[] = { OUT_OF_ORDER, "W999",  "W1999", "W2999", "W3999",
                                        "W4999",      "W5999", "W6999", "W7999" };
    fl_check("fl-tumbling", TUMBLING3, "", toks, N(toks), 10,
             "W2999: key1,3@2999\n"
             "W2999: key2,3@2999\n"
             "W5999: key2,2@5999\n");
}

/* testSlidingEventTimeWindowsReduce / ...Apply: snapshot and restore after W2999 */
Test(flink_window_operator, sliding_event_time_windows)
{
    static const char *const toks[] = { OUT_OF_ORDER, "W999",  "W1999", "W2999", "W3999",
                                        "W4999",      "W5999", "W6999", "W7999" };
    fl_check("fl-sliding", SLIDING3_1, "", toks, N(toks), 11,
             "W999: key1,3@999\n"
             "W1999: key1,3@1999\n"
             "W1999: key2,3@1999\n"
             "W2999: key1,3@2999\n"
             "W2999: key2,3@2999\n"
             "W3999: key2,5@3999\n"
             "W4999: key2,2@4999\n"
             "W5999: key2,2@5999\n");
}

/*
 * testSessionWindows (and ...WithProcessFunction) and testReduceSessionWindows (and
 * ...WithProcessFunction): the same elements and output; they snapshot and restore at
 * different points (restart: the lines read before it).
 */
static void session_windows(const char *name, size_t restart)
{
    static const char *const toks[] = { "key2@0=1",      "key2@1000=2", "key2@2500=3",
                                        "key1@10=1",     "key1@1000=2", "key1@2500=3",
                                        "key2@5501=4",   "key2@6000=5", "key2@6000=5",
                                        "key2@6050=6",   "W12000",      "key2@15000=10",
                                        "key2@15000=20", "W17999" };
    fl_check(name, SESSION3, "", toks, N(toks), restart,
             "W12000: key1-6,10,5500\n"
             "W12000: key2-6,0,5500\n"
             "W12000: key2-20,5501,9050\n"
             "W17999: key2-30,15000,18000\n");
}

/* testSessionWindows: snapshot and restore after key1@1000 */
Test(flink_window_operator, session_windows)
{
    session_windows("fl-session", 5);
}

/* testReduceSessionWindows: snapshot and restore after the three key2 */
Test(flink_window_operator, reduce_session_windows)
{
    session_windows("fl-reduce-session", 3);
}

/* testSideOutputDueToLatenessTumbling (window 2 s, lateness 0) */
Test(flink_window_operator, side_output_due_to_lateness_tumbling)
{
    static const char *const toks[] = { "key2@1000", "W1985",     "key2@1980", "W1999",
                                        "key2@1998", "key2@2001", "W2999",     "W3999" };
    const char *w = "{ \"kind\": \"tumbling\", \"size\": \"2s\" }";
    char *run, *side;
    fl_check("fl-side-tumbling", w, "", toks, N(toks), 0,
             "W1999: key2,2@1999\n"
             "W3999: key2,1@3999\n");
    run = fl_run("fl-side-tumbling-late", w, "", toks, N(toks));
    side = fl_side(run, 1);
    cr_expect_str_eq(side, "key2,1@1998\n");
    free(side);
    /* issue 19: the late row keeps the watermark that rejected it (W1999, lklab's 2000),
       not the watermark at the end of its checkpoint epoch (W3999) */
    side = fl_side_wm(run);
    cr_expect_str_eq(side, "key2@1998 rejected at W1999\n");
    free(side);
    free(run);
}

/*
 * testSideOutputDueToLatenessSliding (3 s / 1 s, lateness 0): the elements at 2400 lose
 * their window ending at 2999 but keep the two others, so they are no side output; the
 * last key1@3001 is late for all three windows.
 */
Test(flink_window_operator, side_output_due_to_lateness_sliding)
{
    static const char *const toks[] = { "key2@1000", "W1999",     "key2@2000", "W3000",
                                        "key1@3001", "key2@2400", "key2@2400", "key1@3001",
                                        "key2@3900", "W6000",     "key1@3001", "W25000" };
    char *run, *side;
    fl_check("fl-side-sliding", SLIDING3_1, "", toks, N(toks), 0,
             "W1999: key2,1@1999\n"
             "W3000: key2,2@2999\n"
             "W6000: key1,2@3999\n"
             "W6000: key2,5@3999\n"
             "W6000: key1,2@4999\n"
             "W6000: key2,4@4999\n"
             "W6000: key1,2@5999\n"
             "W6000: key2,1@5999\n");
    run = fl_run("fl-side-sliding-late", SLIDING3_1, "", toks, N(toks));
    side = fl_side(run, 3);
    cr_expect_str_eq(side, "key1,1@3001\n");
    free(side);
    free(run);
}

/* the elements and watermarks shared by the session lateness tests (gap 3 s) */
#define SESSION_LATENESS_PREFIX                                                                    \
    "key2@1000", "W1999", "key2@2000", "W4998", "key2@4500", "key2@8500", "W7400", "key2@7000",    \
        "W11501", "key2@11600", "W14600"

/* testSideOutputDueToLatenessSessionZeroLateness */
Test(flink_window_operator, side_output_due_to_lateness_session_zero_lateness)
{
    static const char *const toks[] = { SESSION_LATENESS_PREFIX, "key2@10000", "key2@14500",
                                        "W20000", "W100000" };
    char *run, *side;
    fl_check("fl-side-session", SESSION3, "", toks, N(toks), 0,
             "W11501: key2-5,1000,11500\n"
             "W14600: key2-1,11600,14600\n"
             "W20000: key2-1,14500,17500\n");
    run = fl_run("fl-side-session-late", SESSION3, "", toks, N(toks));
    side = fl_side(run, 1);
    cr_expect_str_eq(side, "key2,1@10000\n");
    free(side);
    free(run);
}

/*
 * testSideOutputDueToLatenessSessionZeroLatenessPurgingTrigger: the same output (every
 * session fires once, so purging changes nothing) and two late elements that must not be
 * merged with each other.
 */
Test(flink_window_operator, side_output_due_to_lateness_session_zero_lateness_purging)
{
    static const char *const toks[] = {
        SESSION_LATENESS_PREFIX, "key2@10000", "key2@10100", "key2@14500", "W20000", "W100000"
    };
    char *run = fl_run("fl-side-session-purge", SESSION3, "--output-mode update --change-feed",
                       toks, N(toks));
    char *got = fl_fired(run, toks, N(toks), 1, 2), *side = fl_side(run, 1);
    cr_expect_str_eq(got, "W11501: key2-5,1000,11500\n"
                          "W14600: key2-1,11600,14600\n"
                          "W20000: key2-1,14500,17500\n");
    cr_expect_str_eq(side, "key2,1@10000\nkey2,1@10100\n");
    free(side);
    free(got);
    free(run);
}
