/*
 * Window assignment and session merging, translated from Apache Flink's assigner tests in
 * flink-streaming-java/src/test/java/org/apache/flink/streaming/runtime/operators/windowing/:
 * EventTimeSessionWindowsTest.java (read at commit fca52d8a7c7cb68384fa6b6ecf0082d16c8a3a4f),
 * TumblingEventTimeWindowsTest.java (at 067bc18341a987c27906cda3492164142d828ea7) and
 * SlidingEventTimeWindowsTest.java (at 162894c661bde30e162d35bd3278c876700d3408). Flink's
 * tests call the assigner directly; here each asserted timestamp is one element of its own
 * key, and a final watermark fires every window it was assigned to.
 */
#include "flink/flink_test.h"
#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * testMergeConsecutiveWindows: [0,1) [1,2) [2,3) [4,5) [5,6) merge into [0,3) and [4,6):
 * windows that only touch merge (TimeWindow.intersects is inclusive). Gap 1 ms, so the
 * element at t is the window [t, t + 1).
 */
Test(flink_assigners, merge_consecutive_windows)
{
    static const char *const toks[] = { "k@0", "k@1", "k@2", "k@4", "k@5", "W100" };
    fl_check("fl-merge-consecutive", "{ \"kind\": \"session\", \"gap\": \"1ms\" }", "", toks,
             N(toks), 0,
             "W100: k-3,0,3\n"
             "W100: k-2,4,6\n");
}

/*
 * testWindowAssignment (gap 5000 ms): 0 -> [0, 5000), 4999 -> [4999, 9999), 5000 ->
 * [5000, 10000); one key each, so that they do not merge.
 */
Test(flink_assigners, session_window_assignment)
{
    static const char *const toks[] = { "a@0", "b@4999", "c@5000", "W20000" };
    fl_check("fl-session-assign", "{ \"kind\": \"session\", \"gap\": \"5s\" }", "", toks, N(toks),
             0,
             "W20000: a-1,0,5000\n"
             "W20000: b-1,4999,9999\n"
             "W20000: c-1,5000,10000\n");
}

/* TumblingEventTimeWindowsTest testWindowAssignment (5000 ms): 0, 4999 -> [0, 5000); 5000 -> [5000,
 * 10000) */
Test(flink_assigners, tumbling_window_assignment)
{
    static const char *const toks[] = { "a@0", "b@4999", "c@5000", "W20000" };
    fl_check("fl-tumbling-assign", "{ \"kind\": \"tumbling\", \"size\": \"5s\" }", "", toks,
             N(toks), 0,
             "W20000: a,1@4999\n"
             "W20000: b,1@4999\n"
             "W20000: c,1@9999\n");
}

/*
 * SlidingEventTimeWindowsTest testWindowAssignment (size 5000, slide 1000): 0 -> [-4000,
 * 1000) .. [0, 5000); 4999 -> [0, 5000) .. [4000, 9000); 5000 -> [1000, 6000) .. [5000,
 * 10000). Each row is printed with its maxTimestamp (end - 1).
 */
Test(flink_assigners, sliding_window_assignment)
{
    static const char *const toks[] = { "a@0", "b@4999", "c@5000", "W20000" };
    fl_check("fl-sliding-assign", "{ \"kind\": \"sliding\", \"size\": \"5s\", \"slide\": \"1s\" }",
             "", toks, N(toks), 0,
             "W20000: a,1@999\n"
             "W20000: a,1@1999\n"
             "W20000: a,1@2999\n"
             "W20000: a,1@3999\n"
             "W20000: a,1@4999\n"
             "W20000: b,1@4999\n"
             "W20000: b,1@5999\n"
             "W20000: c,1@5999\n"
             "W20000: b,1@6999\n"
             "W20000: c,1@6999\n"
             "W20000: b,1@7999\n"
             "W20000: c,1@7999\n"
             "W20000: b,1@8999\n"
             "W20000: c,1@8999\n"
             "W20000: c,1@9999\n");
}
