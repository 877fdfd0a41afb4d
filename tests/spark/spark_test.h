/*
 * spark_test - run a scenario translated from one of Apache Spark's streaming test suites
 * through the real `lklab kappa` (tests/spark/README.md says how a Spark test becomes a
 * scenario and which tests cannot be expressed).
 *
 * A scenario is a list of steps; each step is one Spark AddData and becomes ONE micro-batch
 * of lklab input. Spark's processAllAvailable() also runs the no-data batch that a moved
 * watermark asks for, so each step owns two trigger slots (--trigger 1m):
 *
 *   step k: every event arrives at 12:00 + 2k min + 1 s (+ 1 ms per event, in order), so
 *           the data batch is the trigger at 12:(2k+1) and a no-data batch, when lklab
 *           runs one, the trigger at 12:(2k+2).
 *
 * An event is written "key@sec[=value][#id]": Spark's timestamp_seconds(sec) becomes
 * event time 2026-01-01T00:00:00Z + sec (the times below print sec again), the value
 * defaults to 1 and the event_id to a fresh one (a Spark dropDuplicates column becomes
 * the event_id, as lklab deduplicates on event_id).
 */
#ifndef SPARK_TEST_H
#define SPARK_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_test.h"

#define SP_E0 1767225600000LL /* 2026-01-01T00:00:00Z: Spark's timestamp 0 */
#define SP_A0 1767268800000LL /* 2026-01-01T12:00:00Z: arrival of step 0 */

/* The step of a progress row with trigger_time (SQL text over column trigger_time). */
#define SP_STEP_OF "((trigger_time - 1767268800000 - 60000) / 120000)"
/* Seconds since Spark's timestamp 0 of a time column (SQL). */
#define SP_SEC(col) "((" col " - 1767225600000) / 1000)"
/* The watermark as Spark prints it in seconds (0 before any event). */
#define SP_WM "(CASE WHEN watermark = 0 THEN 0 ELSE " SP_SEC("watermark") " END)"

/* Append one event token "key@sec[=value][#id]" of step k, event i, as a JSONL line. */
static inline void sp_event(FILE *fp, const char *tok, size_t k, size_t i)
{
    char key[64] = "", id[64] = "";
    double sec = 0, value = 1;
    const char *at = strchr(tok, '@'), *eq = strchr(tok, '='), *hash = strchr(tok, '#');
    long long ms;
    cr_assert(at && (size_t)(at - tok) < sizeof(key), "bad event token '%s'", tok);
    memcpy(key, tok, (size_t)(at - tok));
    sec = strtod(at + 1, NULL);
    if (eq)
        value = strtod(eq + 1, NULL);
    if (hash)
        snprintf(id, sizeof(id), "%s", hash + 1);
    else
        snprintf(id, sizeof(id), "e%zu-%zu", k, i);
    ms = (long long)(sec * 1000);
    fprintf(fp,
            "{\"event_id\":\"%s\",\"tenant\":\"t1\",\"key\":\"%s\",\"type\":\"view\","
            "\"value\":%.2f,\"event_time\":\"2026-01-01T%02lld:%02lld:%02lld.%03lldZ\","
            "\"arrival_time\":\"2026-01-01T12:%02zu:01.%03zuZ\"}\n",
            id, key, value, ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000, 2 * k, i);
}

/*
 * Run `lklab kappa <args> --trigger 1m --cost-model none` with the spec (JSON text) over
 * steps[0..upto] (each a space-separated list of event tokens, "" for none) into a fresh
 * run directory; returns its path (heap). A second call with the same dir and more steps
 * continues the run (a restart); with --crash-after in args the run may die (not checked).
 */
static inline char *sp_run_in(const char *dir, const char *spec, const char *args,
                              const char *const *steps, size_t upto)
{
    char *data = lkt_fmt("%s/data.jsonl", dir), *specf = lkt_fmt("%s/spec.json", dir);
    char *run = lkt_fmt("%s/run", dir);
    FILE *fp = fopen(data, "w");
    int rc;
    cr_assert_not_null(fp);
    for (size_t k = 0; k <= upto; k++) {
        char *copy = strdup(steps[k]), *save = NULL;
        size_t i = 0;
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
            sp_event(fp, t, k, i++);
        free(copy);
    }
    fclose(fp);
    lkt_write(specf, spec);
    rc = lkt_run(NULL, NULL,
                 "kappa --quiet --data %s --pipeline %s --out %s --trigger 1m "
                 "--cost-model none %s",
                 data, specf, run, args);
    cr_assert(rc == 0 || strstr(args, "--crash-after"), "kappa %s exited %d", args, rc);
    free(specf);
    free(data);
    return run;
}

static inline char *sp_run(const char *name, const char *spec, const char *args,
                           const char *const *steps, size_t upto)
{
    char *dir = lkt_tmpdir(name), *run = sp_run_in(dir, spec, args, steps, upto);
    free(dir);
    return run;
}

/* Rows of a query on the run, checked to be a valid query (an error is not "no rows"). */
static inline char *sp_query(const char *run, const char *sql)
{
    char *count = lkt_fmt("SELECT count(*) FROM (%s)", sql);
    cr_assert_geq(lkt_query_int(run, count), 0, "bad query: %s", sql);
    free(count);
    return lkt_query_text(run, sql);
}

/* The output rows (cols, ordered by cols) that batches of step k wrote (append, update). */
static inline char *sp_new_rows(const char *run, const char *cols, size_t k)
{
    char *sql = lkt_fmt("SELECT %s FROM output WHERE (SELECT " SP_STEP_OF " FROM progress p "
                        "WHERE p.batch_id = output.batch_id) = %zu ORDER BY %s",
                        cols, k, cols);
    char *rows = sp_query(run, sql);
    free(sql);
    return rows;
}

/* The whole result table (complete mode, or the rows still there). */
static inline char *sp_all_rows(const char *run, const char *cols)
{
    char *sql = lkt_fmt("SELECT %s FROM output ORDER BY %s", cols, cols);
    char *rows = sp_query(run, sql);
    free(sql);
    return rows;
}

/*
 * expr over the progress row of the last batch of step k that passes filter (SQL ending
 * in AND, or ""): sp_last_progress is Spark's lastProgress (assertNumStateRows),
 * sp_data_progress the last batch that read input (Spark's
 * recentProgress.filter(_.numInputRows > 0).last: assertEventStats,
 * assertNumRowsDroppedByWatermark).
 */
static inline long long sp_batch_progress(const char *run, const char *expr, size_t k,
                                          const char *filter)
{
    char *sql = lkt_fmt("SELECT %s FROM progress WHERE batch_id = (SELECT max(batch_id) FROM "
                        "progress WHERE %s " SP_STEP_OF " = %zu)",
                        expr, filter, k);
    long long v = lkt_query_int(run, sql);
    free(sql);
    return v;
}
#define sp_last_progress(run, expr, k) sp_batch_progress(run, expr, k, "")
#define sp_data_progress(run, expr, k) sp_batch_progress(run, expr, k, "input_rows > 0 AND")

/* sum(expr) over the batches of step k (e.g. late_rows: Spark's numRowsDroppedByWatermark). */
static inline long long sp_step_sum(const char *run, const char *expr, size_t k)
{
    char *sql =
        lkt_fmt("SELECT coalesce(sum(%s), 0) FROM progress WHERE " SP_STEP_OF " = %zu", expr, k);
    long long v = lkt_query_int(run, sql);
    free(sql);
    return v;
}

/* The answer of step k: in complete mode the whole result table, otherwise the rows the
   batches of step k wrote (Spark's CheckNewAnswer / CheckLastBatch). */
static inline char *sp_answer(const char *run, const char *args, const char *cols, size_t k)
{
    if (strstr(args, "--output-mode complete"))
        return sp_all_rows(run, cols);
    return sp_new_rows(run, cols, k);
}

/*
 * Check the answer of every step k against want[k]. restart 0: a fresh run over steps
 * 0..k for each k (in update mode a later step overwrites a row); restart 1: one run that
 * a new process continues before each step (Spark's StopStream / StartStream).
 */
static inline void sp_check(const char *name, const char *spec, const char *args,
                            const char *const *steps, const char *const *want, size_t n,
                            const char *cols, int restart)
{
    char *dir = lkt_tmpdir(name);
    for (size_t k = 0; k < n; k++) {
        char *sub = lkt_fmt("%s/%zu", dir, restart ? (size_t)0 : k), *run, *got;
        mkdir(sub, 0755);
        run = sp_run_in(sub, spec, args, steps, k);
        got = sp_answer(run, args, cols, k);
        cr_expect_str_eq(got, want[k], "%s: step %zu (AddData %s)", name, k, steps[k]);
        free(got);
        free(run);
        free(sub);
    }
    free(dir);
}

static inline void sp_check_steps(const char *name, const char *spec, const char *args,
                                  const char *const *steps, const char *const *want, size_t n,
                                  const char *cols)
{
    sp_check(name, spec, args, steps, want, n, cols, 0);
}

#endif
