/*
 * Allowed lateness (--allowed-lateness, continuous + update mode) and session lateness
 * judged after merging, against scenarios translated from Apache Flink's
 * WindowOperatorTest (flink-streaming-java/src/test/java/org/apache/flink/streaming/
 * runtime/operators/windowing/WindowOperatorTest.java, read at commit
 * 6da38a6aa24b44272e977aba91258693d437875b); tests/flink/README.md says how.
 *
 * lklab's update mode accumulates, as Flink's EventTimeTrigger does; the tests that use
 * PurgingTrigger are read through fl_fired's purging view (each firing = what arrived
 * since the window's last firing), which is what a purging trigger emits.
 */
#include "flink/flink_test.h"
#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char SESSION3[] = "{ \"kind\": \"session\", \"gap\": \"3s\" }";
static const char TUMBLING2[] = "{ \"kind\": \"tumbling\", \"size\": \"2s\" }";

/*
 * testLateness (tumbling 2 s, lateness 500 ms, PurgingTrigger): key2@1997 arrives after
 * [0, 2000) fired but before W2499 (end - 1 + lateness), so the window fires again at
 * once; key2@1998 comes after W6000, past the lateness: side output.
 */
Test(flink_lateness, lateness)
{
    static const char *const toks[] = { "key2@500",  "W1500", "key2@1300", "W2300",
                                        "key2@1997", "W6000", "key2@1998", "W7000" };
    char *run, *wm;
    fl_check_update("fl-lateness", TUMBLING2, "--allowed-lateness 500ms", toks, N(toks), 2,
                    "W2300: key2,2@1999\n"
                    "key2@1997: key2,1@1999\n",
                    "key2,1@1998\n");
    /* the late row names the watermark that rejected it */
    run = fl_run("fl-lateness-wm", TUMBLING2, "--allowed-lateness 500ms --output-mode update", toks,
                 N(toks));
    wm = fl_side_wm(run);
    cr_expect_str_eq(wm, "key2@1998 rejected at W6000\n");
    free(wm);
    free(run);
}

#define SESSION_LATENESS_PREFIX                                                                    \
    "key2@1000", "W1999", "key2@2000", "W4998", "key2@4500", "key2@8500", "W7400", "key2@7000",    \
        "W11501", "key2@11600", "W14600", "key2@10000"

/* their input: the prefix, then an element that a lateness keeps, and two watermarks */
static const char *const SESSION_LATE[] = { SESSION_LATENESS_PREFIX, "key2@14500", "W20000",
                                            "W100000" };

/*
 * testNotSideOutputDueToLatenessSessionWithLateness (gap 3 s, lateness 10 ms, accumulating):
 * key2@10000's own session [10000, 13000) is past the watermark, but it merges into
 * [11600, 14600), still kept by the lateness, and the merged window is judged: not late,
 * and it fires at once because the watermark has passed its end.
 */
Test(flink_lateness, not_side_output_due_to_lateness_session_with_lateness)
{
    fl_check_update("fl-sess-late10", SESSION3, "--allowed-lateness 10ms", SESSION_LATE,
                    N(SESSION_LATE), 1,
                    "W11501: key2-5,1000,11500\n"
                    "W14600: key2-1,11600,14600\n"
                    "key2@10000: key2-2,10000,14600\n"
                    "W20000: key2-3,10000,17500\n",
                    "");
}

/* testDropDueToLatenessSessionWithLatenessPurgingTrigger (lateness 10 ms, purging) */
Test(flink_lateness, drop_due_to_lateness_session_with_lateness_purging)
{
    fl_check_update("fl-sess-late10-purge", SESSION3, "--allowed-lateness 10ms", SESSION_LATE,
                    N(SESSION_LATE), 2,
                    "W11501: key2-5,1000,11500\n"
                    "W14600: key2-1,11600,14600\n"
                    "key2@10000: key2-1,10000,14600\n"
                    "W20000: key2-1,10000,17500\n",
                    "");
}

/*
 * testNotSideOutputDueToLatenessSessionWithHugeLateness (lateness 10 s, accumulating):
 * every session is still kept, so key2@10000 bridges [1000, 11500) and [11600, 14600).
 */
Test(flink_lateness, not_side_output_due_to_lateness_session_with_huge_lateness)
{
    fl_check_update("fl-sess-late10s", SESSION3, "--allowed-lateness 10s", SESSION_LATE,
                    N(SESSION_LATE), 1,
                    "W11501: key2-5,1000,11500\n"
                    "W14600: key2-1,11600,14600\n"
                    "key2@10000: key2-7,1000,14600\n"
                    "W20000: key2-8,1000,17500\n",
                    "");
}

/* testNotSideOutputDueToLatenessSessionWithHugeLatenessPurgingTrigger */
Test(flink_lateness, not_side_output_due_to_lateness_session_with_huge_lateness_purging)
{
    fl_check_update("fl-sess-late10s-purge", SESSION3, "--allowed-lateness 10s", SESSION_LATE,
                    N(SESSION_LATE), 2,
                    "W11501: key2-5,1000,11500\n"
                    "W14600: key2-1,11600,14600\n"
                    "key2@10000: key2-1,1000,14600\n"
                    "W20000: key2-1,1000,17500\n",
                    "");
}

/* testCleanupTimerWithEmptyReduceStateForSessionWindows (gap 3 s, lateness 10 ms) */
Test(flink_lateness, cleanup_timer_with_empty_reduce_state_for_session_windows)
{
    static const char *const toks[] = { "key2@1000", "W4998", "W14600" };
    fl_check_update("fl-cleanup-session", SESSION3, "--allowed-lateness 10ms", toks, N(toks), 1,
                    "W4998: key2-1,1000,4000\n", "");
}

/* testCleanupTimerWithEmptyReduceStateForTumblingWindows (2 s, lateness 1 ms) */
Test(flink_lateness, cleanup_timer_with_empty_reduce_state_for_tumbling_windows)
{
    static const char *const toks[] = { "key2@1000", "W1599", "W1999", "W2000", "W5000" };
    fl_check_update("fl-cleanup-tumbling", TUMBLING2, "--allowed-lateness 1ms", toks, N(toks), 1,
                    "W1999: key2,1@1999\n", "");
}

/*
 * Issue 19's example of session lateness (gap 3 s, no allowed lateness): key@4000, W5000,
 * key@1500, W10000. Flink merges [1500, 4500) into [4000, 7000) first and judges the
 * merged window: not late, fires [1500, 7000) with sum 2. (Micro-batch mode keeps Spark's
 * rule: the element's own session [1500, 4500) is late.)
 */
Test(flink_lateness, session_late_judged_after_merging)
{
    static const char *const toks[] = { "key@4000", "W5000", "key@1500", "W10000" };
    char *run;
    fl_check("fl-issue19-session", SESSION3, "", toks, N(toks), 0, "W10000: key-2,1500,7000\n");
    run = fl_run("fl-issue19-session-side", SESSION3, "", toks, N(toks));
    cr_expect_eq(lkt_query_int(run, "SELECT count(*) FROM late"), 0);
    free(run);
}

/* --allowed-lateness is refused outside continuous + update mode, with one line */
Test(flink_lateness, allowed_lateness_refused_elsewhere)
{
    static const char *const toks[] = { "key@4000" };
    char *dir = lkt_tmpdir("fl-refuse"), *err = NULL;
    int rc;
    free(fl_run_in(dir, SESSION3, "", toks, 1));
    rc = lkt_run(NULL, &err,
                 "kappa --quiet --data %s/data.jsonl --pipeline %s/spec.json --out %s/r2 "
                 "--trigger continuous --allowed-lateness 1s",
                 dir, dir, dir);
    cr_expect_eq(rc, 2);
    cr_expect(strstr(err, "--allowed-lateness") && strchr(err, '\n') == err + strlen(err) - 1,
              "one line: %s", err);
    free(err);
    rc = lkt_run(NULL, NULL,
                 "kappa --quiet --data %s/data.jsonl --pipeline %s/spec.json --out %s/r3 "
                 "--trigger 1m --output-mode update --allowed-lateness 1s",
                 dir, dir, dir);
    cr_expect_eq(rc, 2);
    free(dir);
}

/*
 * Recovery: a crash in any phase of a continuous epoch with allowed lateness, and a
 * restart, gives the uninterrupted run's output, late table and firings (the lateness is
 * configuration: the checkpoint's eviction watermark is the true one, and the state
 * applies the lateness on load as it does live).
 */
Test(flink_lateness, crash_and_restart_equal_an_uninterrupted_run)
{
    static const char *const phases[] = { "planned", "processed", "sink-committed", "committed" };
    static const char args[] = "--allowed-lateness 10s --output-mode update --change-feed";
    static const char rows[] = "SELECT key, window_start, window_end, s FROM output ORDER BY 1, 2";
    static const char late[] = "SELECT event_id, window_start, watermark FROM late ORDER BY 1, 2";
    char *ref = fl_run("fl-crash-ref", SESSION3, args, SESSION_LATE, N(SESSION_LATE));
    char *want_rows = lkt_query_text(ref, rows), *want_late = lkt_query_text(ref, late);
    char *want_fired = fl_fired(ref, SESSION_LATE, N(SESSION_LATE), 1, 1);
    for (size_t b = 1; b <= 3; b++) {
        for (size_t p = 0; p < N(phases); p++) {
            char *nm = lkt_fmt("fl-crash-%zu-%zu", b, p), *dir = lkt_tmpdir(nm);
            char *crash = lkt_fmt("%s --crash-after %zu:%s", args, b, phases[p]), *run, *got;
            free(fl_run_in(dir, SESSION3, crash, SESSION_LATE, N(SESSION_LATE)));
            run = fl_run_in(dir, SESSION3, args, SESSION_LATE, N(SESSION_LATE));
            got = lkt_query_text(run, rows);
            cr_expect_str_eq(got, want_rows, "crash after %zu:%s: output", b, phases[p]);
            free(got);
            got = lkt_query_text(run, late);
            cr_expect_str_eq(got, want_late, "crash after %zu:%s: late", b, phases[p]);
            free(got);
            got = fl_fired(run, SESSION_LATE, N(SESSION_LATE), 1, 1);
            cr_expect_str_eq(got, want_fired, "crash after %zu:%s: firings", b, phases[p]);
            free(got);
            free(run);
            free(crash);
            free(dir);
            free(nm);
        }
    }
    cr_expect_str_eq(want_fired, "W11501: key2-5,1000,11500\n"
                                 "W14600: key2-1,11600,14600\n"
                                 "key2@10000: key2-7,1000,14600\n"
                                 "W20000: key2-8,1000,17500\n");
    free(want_fired);
    free(want_late);
    free(want_rows);
    free(ref);
}

/* `lklab latency --format json` of a run: "<fv never> <correct never> <correct max_ms>" */
static char *latency_of(const char *run)
{
    char *out = NULL, *res, *c, *max;
    long long fv_never, cor_never;
    cr_assert_eq(lkt_run(&out, NULL, "latency --run %s --format json", run), 0);
    c = strstr(out, "\"correct\"");
    cr_assert(c && sscanf(strstr(out, "\"never\"") + 8, "%lld", &fv_never) == 1
                  && sscanf(strstr(c, "\"never\"") + 8, "%lld", &cor_never) == 1,
              "%s", out);
    max = strstr(c, "\"max_ms\":");
    cr_assert_not_null(max, "%s", out);
    max += strspn(max + 9, "\t ") + 9;
    res = lkt_fmt("%lld %lld %.*s", fv_never, cor_never, (int)strcspn(max, "\n,}"), max);
    free(out);
    return res;
}

/*
 * The latency analysis and reconcile on re-emissions (by hand): k@500 (line 0) makes
 * [0, 2000) = 1; W2300 passes it; k@1997 (line 2, 40 s later) is within 500 ms of
 * lateness and re-emits [0, 2000) = 2, the truth. So k@500 is correct from line 2 (40 s)
 * and k@1997 at once: nobody is never. Without allowed lateness k@1997 is late, the row
 * stays 1: both events are never correct, and reconcile explains the row as missing-late.
 */
Test(flink_lateness, latency_and_reconcile_understand_re_emissions)
{
    static const char *const toks[] = { "k@500", "W2300", "k@1997" };
    char *dir = lkt_tmpdir("fl-latency"), *truth = lkt_fmt("%s/truth.csv", dir), *out = NULL;
    char *with = fl_run("fl-latency-with", TUMBLING2,
                        "--output-mode update --allowed-lateness 500ms", toks, N(toks));
    char *without = fl_run_in(dir, TUMBLING2, "--output-mode update", toks, N(toks));
    char *got = latency_of(with);
    cr_expect_str_eq(got, "0 0 40000", "with lateness: fv never, correct never, correct max");
    free(got);
    got = latency_of(without);
    cr_expect_str_eq(got, "1 2 \"inf\"", "without: k@1997 never visible, both never correct");
    free(got);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "truth --quiet --data %s/data.jsonl --pipeline %s/spec.json "
                         "--out %s",
                         dir, dir, truth),
                 0);
    cr_expect_eq(lkt_run(&out, NULL, "reconcile --run %s --truth %s", with, truth), 0);
    cr_expect(strstr(out, "result: A and B agree, row for row") != NULL,
              "with lateness the output is the truth: %s", out);
    free(out);
    cr_expect_eq(lkt_run(&out, NULL, "reconcile --run %s --truth %s", without, truth), 0);
    cr_expect(strstr(out, "missing-late: 1 row"), "%s", out);
    free(out);
    free(without);
    free(with);
    free(truth);
    free(dir);
}

/* The checkpoint is bound to the allowed lateness: a restart with another one is refused. */
Test(flink_lateness, restart_with_another_allowed_lateness_is_refused)
{
    static const char *const toks[] = { "k@500", "W2300", "k@1997" };
    char *dir = lkt_tmpdir("fl-relate"), *err = NULL;
    free(fl_run_in(dir, TUMBLING2, "--output-mode update --allowed-lateness 500ms", toks, 2));
    cr_expect_eq(lkt_run(NULL, &err,
                         "kappa --quiet --data %s/data.jsonl --pipeline %s/spec.json --out %s/run "
                         "--trigger continuous --watermark 1h --cost-model none --output-mode "
                         "update --allowed-lateness 1s",
                         dir, dir, dir),
                 2);
    cr_expect(strstr(err, "allowed_lateness_ms 500, this run has 1000"), "%s", err);
    free(err);
    free(dir);
}

/*
 * Dedup with sessions judged after merging (by hand): k@1500 (#b) is past the watermark on
 * its own but joins [4000, 7000), so its id is kept as long as that session, not only until
 * 4500: its re-delivery after W6000 is a duplicate, not a second count. o@0 is evicted at
 * W5000, which moves the id table's watermark past 4500. The truth: [1500, 7000) = 2.
 * No id is forgotten while an open session could hold its event.
 */
Test(flink_lateness, a_joined_event_is_remembered_as_long_as_its_session)
{
    static const char spec[] =
        "{ \"name\": \"flink\", \"dedup\": \"event_id\", \"filter\": { \"field\": \"type\", "
        "\"in\": [\"view\"] }, \"group_by\": [\"key\"], \"window\": { \"kind\": \"session\", "
        "\"gap\": \"3s\" }, \"aggregates\": [ {\"fn\":\"sum\", \"of\":\"value\", \"as\":\"s\"} ] }";
    static const char *const toks[] = { "o@0",   "k@4000#a", "W5000", "k@1500#b",
                                        "W6000", "k@1500#b", "W9000" };
    /* the same when the session only grew past it: k@1000's own session [1000, 4000) is
       behind W5000, but [1000, 6500) is open */
    static const char *const grown[] = {
        "o@0", "k@1000#a", "k@3500", "W5000", "k@1000#a", "W10000"
    };
    char *run = fl_run("fl-dedup-join", spec, "", toks, N(toks));
    char *got = fl_fired(run, toks, N(toks), 1, 0);
    cr_expect_str_eq(got, "W5000: o-1,0,3000\n"
                          "W9000: k-2,1500,7000\n");
    cr_expect_eq(lkt_query_int(run, "SELECT sum(duplicates_dropped) FROM progress"), 1);
    free(got);
    free(run);
    run = fl_run("fl-dedup-grown", spec, "", grown, N(grown));
    got = fl_fired(run, grown, N(grown), 1, 0);
    cr_expect_str_eq(got, "W5000: o-1,0,3000\n"
                          "W10000: k-2,1000,6500\n");
    cr_expect_eq(lkt_query_int(run, "SELECT sum(duplicates_dropped) FROM progress"), 1);
    free(got);
    free(run);
}
