/*
 * cmp_reconcile and lk_csvread: reading result CSVs back, and classifying planted
 * differences of every kind against small real runs (datasets/fixtures/tiny.jsonl,
 * lambda-seam.jsonl, and JSONL written here), plus `lklab reconcile`'s exit codes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_csvread.h"
#include "cmp_reconcile.h"
#include "lk_store.h"
#include "lk_test.h"
#include "lk_time.h"
#include "banned.h"

#define HEAD                                                                                       \
    "tenant,type,window_start,window_end,events,value_sum,value_min,value_max,distinct_keys\n"
#define W0 "2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z"
#define W1 "2026-01-01T00:01:00.000Z,2026-01-01T00:02:00.000Z"

/* ------------------------------------------------------------ helpers ---- */

static void parse_ok(struct lk_rtable *t, const char *text, const char *name)
{
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_rtable_parse(t, text, strlen(text), name, &err), 0, "%s", err.msg);
}

/* Parse must fail with LK_EINPUT and a message holding want. */
static void parse_bad(const char *text, const char *want)
{
    struct lk_rtable t = LK_RTABLE_INIT;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_rtable_parse(&t, text, strlen(text), "x.csv", &err), LK_EINPUT, "%s", text);
    cr_assert(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
}

/* stdout of a successful `lklab <args>` (heap). */
static char *lklab(const char *args)
{
    char *out = NULL, *err = NULL;
    int rc = lkt_run(&out, &err, "%s", args);
    cr_assert_eq(rc, 0, "lklab %s: exit %d: %s", args, rc, err ? err : "");
    free(err);
    return out;
}

static void sql(const char *run, const char *stmt)
{
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lkt_exec(run, stmt, &err), 0, "%s", err.msg);
}

/* A comparison of a run's answer (optionally edited) with the truth of its dataset. */
struct fx {
    struct lk_rtable a, b;
    struct cmp_reconcile *r;
};

/* Load A (the run's answer at `at`, or at the end) and B (truth of data). */
static void fx_load(struct fx *f, const char *run, const char *data, const char *at)
{
    char *args = lkt_fmt("results --run %s --out - %s%s", run, at ? "--at " : "", at ? at : "");
    char *truth = lkt_fmt("truth --quiet --data %s --pipeline revenue --out -", data);
    char *a = lklab(args), *b = lklab(truth);
    memset(f, 0, sizeof(*f));
    parse_ok(&f->a, a, "answer");
    parse_ok(&f->b, b, "truth.csv");
    free(args);
    free(a);
    free(truth);
    free(b);
}

/* Reconcile the loaded tables as the run's; data_override as --data. */
static void fx_compare(struct fx *f, const char *run, const char *at, const char *data_override)
{
    struct cmp_reconcile_opts o = CMP_RECONCILE_OPTS_INIT;
    struct lk_err err = LK_ERR_INIT;
    o.run = run;
    o.data = data_override;
    if (at)
        cr_assert_eq(lk_time_parse(at, strlen(at), &o.at), 0);
    cr_assert_eq(cmp_reconcile_new(&f->r, &f->a, &f->b, &o, &err), 0, "%s", err.msg);
}

static void fx_open(struct fx *f, const char *run, const char *data, const char *at)
{
    fx_load(f, run, data, at);
    fx_compare(f, run, at, data);
}

static void fx_close(struct fx *f)
{
    cmp_reconcile_free(f->r);
    lk_rtable_release(&f->a);
    lk_rtable_release(&f->b);
}

/* The difference whose key is (tenant, type, window_start ISO); fails when absent. */
static const struct cmp_rc_diff *diff_of(const struct cmp_reconcile *r, const char *tenant,
                                         const char *type, const char *ws)
{
    int64_t t;
    cr_assert_eq(lk_time_parse(ws, strlen(ws), &t), 0);
    for (size_t i = 0; i < cmp_reconcile_ndiffs(r); i++) {
        const struct cmp_rc_diff *d = cmp_reconcile_diff(r, i);
        const struct lk_rrow *row = d->a ? d->a : d->b;
        if (row->row.group[0].len == strlen(tenant)
            && !memcmp(row->row.group[0].ptr, tenant, strlen(tenant))
            && row->row.group[1].len == strlen(type)
            && !memcmp(row->row.group[1].ptr, type, strlen(type)) && row->row.window_start == t)
            return d;
    }
    cr_assert_fail("no difference for %s,%s,%s", tenant, type, ws);
    return NULL;
}

/* 1 when some summary note holds text. */
static int has_note(const struct cmp_reconcile *r, const char *text)
{
    for (size_t i = 0; cmp_reconcile_note(r, i); i++)
        if (strstr(cmp_reconcile_note(r, i), text))
            return 1;
    return 0;
}

static char *tiny(void)
{
    return lkt_fmt("%s/datasets/fixtures/tiny.jsonl", lkt_root());
}

/* ------------------------------------------------------------ csvread ---- */

Test(lk_csvread, reads_quoted_fields_and_orders_rows_canonically)
{
    struct lk_rtable t = LK_RTABLE_INIT;
    parse_ok(&t,
             HEAD "t01,view," W1 ",1,0.00,0.00,0.00,1\n"
                  "\"t,03\",\"a\"\"b\"," W0 ",2,-2.50,-2.50,0.05,1\n"
                  "\"t\n2\",view," W0 ",1,12.34,12.34,12.34,1",
             "t.csv");
    cr_assert_eq(t.nrows, 3);
    cr_assert_eq(t.ngroup, 2);
    cr_assert_eq(t.naggs, 5);
    cr_assert_eq(t.sorted[0]->row.group[0].len, 3, "\"t\\n2\" sorts first ('\\n' < ',' < '0')");
    cr_assert_eq(t.sorted[0]->line, 4);
    cr_assert_str_eq(t.sorted[1]->row.group[1].ptr, "a\"b");
    cr_assert_eq(t.sorted[1]->row.group[0].len, 4);
    cr_assert_eq(t.sorted[1]->row.values[0], 200, "counts are kept in hundredths too");
    cr_assert_eq(t.sorted[1]->row.values[1], -250);
    cr_assert_str_eq(t.sorted[2]->row.group[0].ptr, "t01");
    cr_assert_eq(t.money[0], 0);
    cr_assert_eq(t.money[1], 1);
    lk_rtable_release(&t);
    lk_rtable_release(&t);
}

Test(lk_csvread, names_the_file_and_line_of_a_malformed_row)
{
    parse_bad(HEAD "t01,view," W0 ",1,0.00,0.00,0.00,1\nt01,view," W1 ",1,0.00\n",
              "row has 6 fields, the header has 9 ('x.csv' line 3)");
    parse_bad(HEAD
              "t01,view,2026-13-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,1,0.00,0.00,0.00,1\n",
              "bad timestamp '2026-13-01T00:00:00.000Z' in column 'window_start' ('x.csv' line 2)");
    parse_bad(HEAD "t01,view," W0 ",1,0.001,0.00,0.00,1\n",
              "bad number '0.001' in column 'value_sum'");
    parse_bad(
        HEAD "t01,view," W0 ",1,0.00,0.00,0.00,1\nt01,view," W1 ",1.00,0.00,0.00,0.00,1\n",
        "'1.00' in column 'events' is not a whole count like the rows above ('x.csv' line 3)");
    parse_bad(HEAD "\"t01,view," W0 ",1,0.00,0.00,0.00,1\n",
              "unterminated quoted field ('x.csv' line 2)");
    parse_bad(HEAD "\"t01\"x,view," W0 ",1,0.00,0.00,0.00,1\n",
              "text after a closing quote ('x.csv' line 2)");
    parse_bad(HEAD "t\"01,view," W0 ",1,0.00,0.00,0.00,1\n",
              "double quote inside an unquoted field");
    parse_bad(HEAD "\nt01,view," W0 ",1,0.00,0.00,0.00,1\n", "blank line ('x.csv' line 2)");
    parse_bad(HEAD "t01,view," W1 "x,1,0.00,0.00,0.00,1\n", "bad timestamp");
    parse_bad("", "empty file, no header");
}

Test(lk_csvread, refuses_a_header_without_its_window_columns)
{
    parse_bad("tenant,type,events\n",
              "header has no 'window_start,window_end' columns ('x.csv' line 1)");
    parse_bad("a,b,c,d,e,window_start,window_end,n\n", "header has 5 group columns, at most 4");
    parse_bad("tenant,window_start,window_end\n", "header has 0 aggregate columns");
}

/* -------------------------------------------------------- plain files ---- */

Test(cmp_reconcile, identical_tables_have_no_differences)
{
    struct lk_rtable a = LK_RTABLE_INIT, b = LK_RTABLE_INIT;
    struct cmp_reconcile *r;
    const char *text =
        HEAD "t01,view," W0 ",1,0.00,0.00,0.00,1\nt01,view," W1 ",2,1.00,0.00,1.00,2\n";
    parse_ok(&a, text, "a.csv");
    parse_ok(&b, text, "b.csv");
    cr_assert_eq(cmp_reconcile_new(&r, &a, &b, NULL, NULL), 0);
    cr_assert_eq(cmp_reconcile_ndiffs(r), 0);
    cr_assert_eq(cmp_reconcile_equal(r), 2);
    cmp_reconcile_free(r);
    lk_rtable_release(&a);
    lk_rtable_release(&b);
}

Test(cmp_reconcile, two_plain_csvs_leave_every_difference_unexplained)
{
    struct lk_rtable a = LK_RTABLE_INIT, b = LK_RTABLE_INIT;
    struct cmp_reconcile *r;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    parse_ok(&a,
             HEAD "t01,view," W0 ",1,0.00,0.00,0.00,1\nt01,view," W1 ",3,1.00,0.00,1.00,2\n"
                  "t02,view," W0 ",1,0.00,0.00,0.00,1\nt02,view," W0 ",1,0.00,0.00,0.00,1\n",
             "a.csv");
    parse_ok(&b,
             HEAD "t01,view," W1 ",2,1.00,0.00,1.00,2\nt02,view," W0 ",1,0.00,0.00,0.00,1\n"
                  "t03,view," W0 ",1,0.00,0.00,0.00,1\n",
             "b.csv");
    cr_assert_eq(cmp_reconcile_new(&r, &a, &b, NULL, NULL), 0);
    cr_assert_eq(cmp_reconcile_ndiffs(r), 4);
    cr_assert_eq(cmp_reconcile_count(r, CMP_RC_UNEXPLAINED), 4);
    cr_assert_eq(cmp_reconcile_diff(r, 0)->side, CMP_RC_ONLY_A);
    cr_assert_eq(cmp_reconcile_diff(r, 1)->side, CMP_RC_BOTH);
    cr_assert_eq(cmp_reconcile_diff(r, 1)->cols, 1u, "only 'events' differs");
    cr_assert_eq(cmp_reconcile_diff(r, 2)->side, CMP_RC_ONLY_A, "a key twice: the copy is extra");
    cr_assert_eq(cmp_reconcile_diff(r, 3)->side, CMP_RC_ONLY_B);
    cr_assert_eq(cmp_reconcile_write(r, fp, CMP_RC_TABLE, 1), 0);
    fclose(fp);
    cr_assert(strstr(buf, "rows: 4 in A, 3 in B; 1 equal, 2 only in A, 1 only in B, 1 differing"),
              "%s", buf);
    cr_assert(
        strstr(buf,
               "unexplained: 4 rows, for example\n  t01,view,2026-01-01T00:00:00.000Z  only in A"),
        "%s", buf);
    cr_assert(strstr(buf, "result: 4 of 4 differing rows are unexplained"), "%s", buf);
    free(buf);
    cmp_reconcile_free(r);
    lk_rtable_release(&a);
    lk_rtable_release(&b);
}

Test(cmp_reconcile, the_csv_report_counts_rows_per_class_and_cells_per_column)
{
    struct lk_rtable a = LK_RTABLE_INIT, b = LK_RTABLE_INIT;
    struct cmp_reconcile *r;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    parse_ok(&a, HEAD "t01,view," W0 ",1,0.00,0.00,0.00,1\n", "a.csv");
    parse_ok(&b, HEAD "t01,view," W0 ",2,0.00,0.00,0.00,2\n", "b.csv");
    cr_assert_eq(cmp_reconcile_new(&r, &a, &b, NULL, NULL), 0);
    cr_assert_eq(cmp_reconcile_write(r, fp, CMP_RC_CSV, 3), 0);
    fclose(fp);
    cr_assert_str_eq(buf, "class,only_in_a,only_in_b,differing,total,window_end,events,value_sum,"
                          "value_min,value_max,distinct_keys\n"
                          "missing-late,0,0,0,0,0,0,0,0,0,0\n"
                          "duplicate-overcount,0,0,0,0,0,0,0,0,0,0\n"
                          "approximate,0,0,0,0,0,0,0,0,0,0\n"
                          "pending,0,0,0,0,0,0,0,0,0,0\n"
                          "unexplained,0,0,1,1,0,1,0,0,0,1\n"
                          "total,0,0,1,1,0,1,0,0,0,1\n");
    free(buf);
    cmp_reconcile_free(r);
    lk_rtable_release(&a);
    lk_rtable_release(&b);
}

Test(cmp_reconcile, a_header_that_does_not_match_is_bad_input_naming_the_file)
{
    struct lk_rtable a = LK_RTABLE_INIT, b = LK_RTABLE_INIT;
    struct cmp_reconcile *r;
    struct lk_err err = LK_ERR_INIT;
    parse_ok(&a, HEAD, "a.csv");
    parse_ok(
        &b,
        "tenant,kind,window_start,window_end,events,value_sum,value_min,value_max,distinct_keys\n",
        "b.csv");
    cr_assert_eq(cmp_reconcile_new(&r, &a, &b, NULL, &err), LK_EINPUT);
    cr_assert_null(r);
    cr_assert(strstr(err.msg, "column 2 is 'kind', expected 'type' ('b.csv' line 1)"), "%s",
              err.msg);
    lk_rtable_release(&a);
    lk_rtable_release(&b);
}

Test(cmp_reconcile, the_hll_bound_is_three_standard_errors_and_at_least_one)
{
    cr_assert_eq(cmp_reconcile_hll_bound(0), 1);
    cr_assert_eq(cmp_reconcile_hll_bound(10), 1);
    cr_assert_eq(cmp_reconcile_hll_bound(100), 5);
    cr_assert_eq(cmp_reconcile_hll_bound(100000), 4875);
}

/* ---------------------------------------------------------------- kappa ---- */

/* Run `lklab kappa` on data into DIR/name; returns the run path (heap). */
static char *kappa(const char *dir, const char *name, const char *data, const char *args)
{
    char *run = lkt_fmt("%s/%s", dir, name);
    char *cmd = lkt_fmt("kappa --quiet --data %s --pipeline revenue --out %s %s", data, run, args);
    free(lklab(cmd));
    free(cmd);
    return run;
}

Test(cmp_reconcile_kappa, windows_still_in_state_are_pending_without_a_final_watermark)
{
    char *dir = lkt_tmpdir("rc-pending"), *data = tiny(), *run = kappa(dir, "k", data, "");
    struct fx f;
    fx_open(&f, run, data, NULL);
    cr_assert_eq(cmp_reconcile_ndiffs(f.r), 8, "append mode, 10m watermark: nothing emitted");
    cr_assert_eq(cmp_reconcile_count(f.r, CMP_RC_PENDING), 8);
    cr_assert(strstr(diff_of(f.r, "t01", "view", "2026-01-01T00:01:00Z")->why, "still in state"));
    cr_assert(has_note(f.r, "late data: none"));
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

Test(cmp_reconcile_kappa, the_late_table_accounts_for_truth_minus_output)
{
    char *dir = lkt_tmpdir("rc-late"), *data = tiny();
    char *run = kappa(dir, "k", data, "--watermark 1m --final-watermark");
    const struct cmp_rc_diff *d;
    struct fx f;
    fx_open(&f, run, data, NULL);
    cr_assert_eq(cmp_reconcile_ndiffs(f.r), 1);
    d = diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z");
    cr_assert_eq(d->cls, CMP_RC_MISSING_LATE, "f-08 (100.00, 19 min late) is in the late table");
    cr_assert_eq(d->cols, 0x1bu, "events, value_sum, value_max, distinct_keys differ");
    cr_assert(has_note(f.r, "late data: 1 (event, window) row of 1 event"));
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

/* r-1 counted on time and re-delivered late; r-4 late at its first (only) copy. */
static const char redelivery[] =
    "{\"event_id\":\"r-1\",\"tenant\":\"t01\",\"key\":\"u1\",\"type\":\"purchase\",\"value\":5.00,"
    "\"event_time\":\"2026-01-01T00:00:10Z\",\"arrival_time\":\"2026-01-01T00:00:11Z\"}\n"
    "{\"event_id\":\"r-2\",\"tenant\":\"t01\",\"key\":\"u2\",\"type\":\"purchase\",\"value\":7.00,"
    "\"event_time\":\"2026-01-01T00:00:20Z\",\"arrival_time\":\"2026-01-01T00:00:21Z\"}\n"
    "{\"event_id\":\"r-3\",\"tenant\":\"t02\",\"key\":\"u9\",\"type\":\"view\",\"value\":0,"
    "\"event_time\":\"2026-01-01T00:05:00Z\",\"arrival_time\":\"2026-01-01T00:05:01Z\"}\n"
    "{\"event_id\":\"r-1\",\"tenant\":\"t01\",\"key\":\"u1\",\"type\":\"purchase\",\"value\":5.00,"
    "\"event_time\":\"2026-01-01T00:00:10Z\",\"arrival_time\":\"2026-01-01T00:10:00Z\"}\n"
    "{\"event_id\":\"r-4\",\"tenant\":\"t01\",\"key\":\"u3\",\"type\":\"purchase\",\"value\":3.00,"
    "\"event_time\":\"2026-01-01T00:00:30Z\",\"arrival_time\":\"2026-01-01T00:10:00.500Z\"}\n"
    "{\"event_id\":\"r-5\",\"tenant\":\"t02\",\"key\":\"u9\",\"type\":\"view\",\"value\":0,"
    "\"event_time\":\"2026-01-01T00:12:00Z\",\"arrival_time\":\"2026-01-01T00:12:01Z\"}\n";

Test(cmp_reconcile_kappa, a_late_redelivery_of_a_counted_event_adds_nothing)
{
    char *dir = lkt_tmpdir("rc-redelivery"), *data = lkt_fmt("%s/r.jsonl", dir), *run;
    const struct cmp_rc_diff *d;
    struct fx f;
    lkt_write(data, redelivery);
    run = kappa(dir, "k", data, "--watermark 1m --final-watermark");
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM late"), 2, "r-1's copy and r-4");
    fx_open(&f, run, data, NULL);
    d = diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z");
    cr_assert_eq(d->cls, CMP_RC_MISSING_LATE, "%s", d->why);
    cr_assert(strstr(d->why, "1 event first seen after the watermark (values 3.00 in all)"), "%s",
              d->why);
    cmp_reconcile_free(f.r);
    /* without the dataset both late rows are taken as uncounted: 2 events, but truth - output = 1
     */
    fx_compare(&f, run, NULL, "/nonexistent/data");
    d = diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z");
    cr_assert_eq(d->cls, CMP_RC_UNEXPLAINED);
    cr_assert(strstr(d->why, "they do not account for the difference"), "%s", d->why);
    cr_assert(has_note(f.r, "cannot read the run's dataset '/nonexistent/data'"));
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

/* A sweep's way: the dataset parsed once ahead (lk_firsts) gives the scan's explanation. */
Test(cmp_reconcile_kappa, the_dataset_parsed_ahead_explains_late_data_as_scanning_it_does)
{
    char *dir = lkt_tmpdir("rc-firsts"), *data = lkt_fmt("%s/r.jsonl", dir), *run;
    struct cmp_reconcile_opts o = CMP_RECONCILE_OPTS_INIT;
    struct lk_err err = LK_ERR_INIT;
    struct lk_firsts *firsts;
    const struct cmp_rc_diff *d;
    struct fx f;
    lkt_write(data, redelivery);
    run = kappa(dir, "k", data, "--watermark 1m --final-watermark");
    cr_assert_eq(lk_firsts_load(data, 0, &firsts, &err), 0, "%s", err.msg);
    cr_assert(lk_firsts_current(firsts, data));
    fx_load(&f, run, data, NULL);
    o.run = run;
    o.firsts = firsts;
    cr_assert_eq(cmp_reconcile_new(&f.r, &f.a, &f.b, &o, &err), 0, "%s", err.msg);
    d = diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z");
    cr_assert_eq(d->cls, CMP_RC_MISSING_LATE, "%s", d->why);
    cr_assert(strstr(d->why, "1 event first seen after the watermark (values 3.00 in all)"), "%s",
              d->why);
    fx_close(&f);
    lk_firsts_free(firsts);
    free(run);
    free(data);
    free(dir);
}

Test(cmp_reconcile_kappa, rows_of_a_replayed_batch_are_duplicate_overcount)
{
    char *dir = lkt_tmpdir("rc-replay"), *data = tiny(), *run = lkt_fmt("%s/k", dir);
    const char *args = "--watermark 1m --final-watermark --sink-guarantee at-least-once";
    struct fx f;
    cr_assert_neq(lkt_run(NULL, NULL,
                          "kappa --quiet --data %s --pipeline revenue --out %s %s"
                          " --crash-after 2:sink-committed",
                          data, run, args),
                  0);
    free(run);
    run = kappa(dir, "k", data, args);
    fx_open(&f, run, data, NULL);
    cr_assert_eq(cmp_reconcile_count(f.r, CMP_RC_DUPLICATE), 4, "batch 2 emitted 4 rows, twice");
    cr_assert_eq(cmp_reconcile_count(f.r, CMP_RC_MISSING_LATE), 1);
    cr_assert_eq(cmp_reconcile_count(f.r, CMP_RC_UNEXPLAINED), 0);
    for (size_t i = 0; i < cmp_reconcile_ndiffs(f.r); i++)
        if (cmp_reconcile_diff(f.r, i)->cls == CMP_RC_DUPLICATE)
            cr_assert_eq(cmp_reconcile_diff(f.r, i)->side, CMP_RC_ONLY_A);
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

Test(cmp_reconcile_kappa, a_tampered_output_or_late_table_leaves_rows_unexplained)
{
    char *dir = lkt_tmpdir("rc-tamper"), *data = tiny();
    char *run = kappa(dir, "k", data, "--watermark 1m --final-watermark");
    struct fx f;
    sql(run,
        "UPDATE output_v1 SET value_sum = value_sum + 1 WHERE tenant = 't02' AND type = 'view';"
        "DELETE FROM late");
    fx_open(&f, run, data, NULL);
    cr_assert_eq(cmp_reconcile_ndiffs(f.r), 2);
    cr_assert_eq(cmp_reconcile_count(f.r, CMP_RC_UNEXPLAINED), 2);
    cr_assert_eq(diff_of(f.r, "t02", "view", "2026-01-01T00:00:00Z")->cols, 2u);
    cr_assert_eq(diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z")->cls, CMP_RC_UNEXPLAINED,
                 "no late row left to explain f-08");
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

Test(cmp_reconcile_kappa, refuses_truth_of_another_pipeline_a_run_without_run_json_and_at)
{
    char *dir = lkt_tmpdir("rc-badrun"), *data = tiny(), *run = kappa(dir, "k", data, "");
    struct cmp_reconcile_opts o = CMP_RECONCILE_OPTS_INIT;
    struct lk_rtable a = LK_RTABLE_INIT, b = LK_RTABLE_INIT;
    struct cmp_reconcile *r = NULL;
    struct lk_err err = LK_ERR_INIT;
    parse_ok(&a, "tenant,type,window_start,window_end,n\n", "a.csv");
    parse_ok(&b, "tenant,type,window_start,window_end,n\n", "other.csv");
    o.run = run;
    cr_assert_eq(cmp_reconcile_new(&r, &a, &b, &o, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "does not match the run's pipeline 'revenue' ('a.csv' line 1)"), "%s",
              err.msg);
    o.run = dir;
    cr_assert_eq(cmp_reconcile_new(&r, &a, &b, &o, &err), LK_ENOENT);
    cr_assert(strstr(err.msg, "has no run.json"), "%s", err.msg);
    o.run = run;
    o.at = 0;
    cr_assert_eq(cmp_reconcile_new(&r, &a, &b, &o, &err), LK_EUSAGE);
    cr_assert_null(r);
    lk_rtable_release(&a);
    lk_rtable_release(&b);
    free(run);
    free(data);
    free(dir);
}

/* --------------------------------------------------------------- lambda ---- */

static char *seam_run(const char *dir, const char *data)
{
    char *run = lkt_fmt("%s/l", dir);
    char *cmd = lkt_fmt("lambda --quiet --data %s --pipeline revenue --out %s --batch-every 1h"
                        " --cost-model %s/datasets/fixtures/lambda-model.json",
                        data, run, lkt_root());
    free(lklab(cmd));
    free(cmd);
    return run;
}

Test(cmp_reconcile_lambda, speed_answers_are_pending_or_overcounted_until_the_view_lands)
{
    char *dir = lkt_tmpdir("rc-seam"),
         *data = lkt_fmt("%s/datasets/fixtures/lambda-seam.jsonl", lkt_root());
    char *run = seam_run(dir, data);
    const struct cmp_rc_diff *d;
    struct fx f;
    /* 00:56: s-a counted twice, s-b and s-c not arrived; t02's view not arrived */
    fx_open(&f, run, data, "2026-01-01T00:56:00Z");
    d = diff_of(f.r, "t01", "purchase", "2026-01-01T00:50:00Z");
    cr_assert_eq(d->cls, CMP_RC_PENDING, "%s", d->why);
    cr_assert(strstr(d->why, "2 events not visible yet; 1 re-delivery counted again"), "%s",
              d->why);
    cr_assert_eq(diff_of(f.r, "t02", "view", "2026-01-01T01:30:00Z")->cls, CMP_RC_PENDING);
    fx_close(&f);
    /* 01:04:59.999: everything arrived, the first view has not landed: only the overcount */
    fx_open(&f, run, data, "2026-01-01T01:04:59.999Z");
    d = diff_of(f.r, "t01", "purchase", "2026-01-01T00:50:00Z");
    cr_assert_eq(d->cls, CMP_RC_DUPLICATE, "%s", d->why);
    cr_assert_eq(d->cols, 3u, "events 4 vs 3, value_sum 27.50 vs 17.50");
    fx_close(&f);
    /* the end: the final view equals the truth */
    fx_open(&f, run, data, NULL);
    cr_assert_eq(cmp_reconcile_ndiffs(f.r), 0);
    cr_assert(has_note(f.r, "late data: 3 lines arrived after their window had closed"));
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

/* 3000 distinct keys in one window, all in the speed layer until 01:05. */
static char *distinct_data(const char *dir)
{
    char *path = lkt_fmt("%s/hll.jsonl", dir);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    for (int i = 0; i < 3000; i++) {
        int ms = i * 19;
        fprintf(fp,
                "{\"event_id\":\"h-%05d\",\"tenant\":\"t01\",\"key\":\"u%05d\",\"type\":"
                "\"purchase\",\"value\":1.00,\"event_time\":\"2026-01-01T00:00:%02d.%03dZ\","
                "\"arrival_time\":\"2026-01-01T00:00:%02d.%03dZ\"}\n",
                i, i, ms / 1000, ms % 1000, ms / 1000, ms % 1000);
    }
    cr_assert_eq(fclose(fp), 0);
    return path;
}

Test(cmp_reconcile_lambda, a_sketched_distinct_count_within_its_bound_is_approximate)
{
    char *dir = lkt_tmpdir("rc-hll"), *data = distinct_data(dir), *run = seam_run(dir, data);
    const char *at = "2026-01-01T00:01:00Z";
    const struct cmp_rc_diff *d;
    struct lk_rrow *row;
    struct fx f;
    fx_open(&f, run, data, at);
    cr_assert_eq(cmp_reconcile_ndiffs(f.r), 1);
    d = diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z");
    cr_assert_eq(d->cols, 1u << 4, "only distinct_keys differs");
    cr_assert_eq(d->cls, CMP_RC_APPROXIMATE, "%s", d->why);
    cmp_reconcile_free(f.r);
    /* the same estimate moved beyond 3 standard errors (3 * 1.625 % of 3000 = 147) */
    row = &f.a.rows[0];
    row->row.values[4] = (3000 - 148) * 100;
    fx_compare(&f, run, at, NULL);
    cr_assert_eq(diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z")->cls, CMP_RC_UNEXPLAINED);
    cmp_reconcile_free(f.r);
    row->row.values[4] = (3000 - 147) * 100;
    fx_compare(&f, run, at, NULL);
    cr_assert_eq(diff_of(f.r, "t01", "purchase", "2026-01-01T00:00:00Z")->cls, CMP_RC_APPROXIMATE);
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

Test(cmp_reconcile_lambda, a_count_the_master_dataset_does_not_imply_is_unexplained)
{
    char *dir = lkt_tmpdir("rc-lb-bad"),
         *data = lkt_fmt("%s/datasets/fixtures/lambda-seam.jsonl", lkt_root());
    char *run = seam_run(dir, data);
    struct fx f;
    fx_load(&f, run, data, "2026-01-01T01:04:59.999Z");
    f.a.rows[0].row.values[0] = 500; /* 5 events where the layers held 4 copies */
    fx_compare(&f, run, "2026-01-01T01:04:59.999Z", NULL);
    cr_assert_eq(diff_of(f.r, "t01", "purchase", "2026-01-01T00:50:00Z")->cls, CMP_RC_UNEXPLAINED);
    fx_close(&f);
    free(run);
    free(data);
    free(dir);
}

/* ------------------------------------------------------------------ cli ---- */

Test(cli_reconcile, exit_codes_explained_unexplained_usage_and_bad_input)
{
    char *dir, *data = tiny(), *run, *truth, *bad, *out = NULL, *err = NULL;
    dir = lkt_tmpdir("rc-cli");
    run = kappa(dir, "k", data, "--watermark 1m --final-watermark");
    truth = lkt_fmt("%s/truth.csv", dir);
    bad = lkt_fmt("%s/bad.csv", dir);
    cr_assert_eq(
        lkt_run(NULL, NULL, "truth --quiet --data %s --pipeline revenue --out %s", data, truth), 0);
    cr_assert_eq(lkt_run(&out, NULL, "reconcile --run %s --truth %s", run, truth), 0);
    cr_assert(strstr(out, "late data: 1 (event, window) row of 1 event"), "%s", out);
    cr_assert(strstr(out, "missing-late: 1 row"), "%s", out);
    free(out);
    cr_assert_eq(lkt_run(&out, NULL, "reconcile --run %s --truth %s --format csv", run, truth), 0);
    cr_assert(strstr(out, "\nmissing-late,0,0,1,1,0,1,1,0,1,1\n"), "%s", out);
    free(out);
    lkt_write(bad, HEAD "t01,view," W0 ",1,0.00,0.00,0.00,1\nt01,view," W1 ",2,0.00\n");
    cr_assert_eq(lkt_run(NULL, &err, "reconcile %s %s", truth, bad), 3);
    cr_assert(strstr(err, "lklab reconcile: row has 6 fields, the header has 9 ('"), "%s", err);
    cr_assert(strstr(err, "bad.csv' line 3)"), "%s", err);
    free(err);
    lkt_write(bad, HEAD "t01,view," W0 ",1,0.00,0.00,0.00,1\n");
    cr_assert_eq(lkt_run(&out, NULL, "reconcile %s %s", truth, bad), 1);
    cr_assert(strstr(out, "unexplained"), "%s", out);
    free(out);
    cr_assert_eq(lkt_run(NULL, &err, "reconcile %s", truth), 2);
    free(err);
    cr_assert_eq(
        lkt_run(NULL, &err, "reconcile --run %s --truth %s --at 2026-01-01T00:00:00Z", run, truth),
        2);
    cr_assert(strstr(err, "--at is for Lambda runs"), "%s", err);
    free(err);
    sql(run, "DELETE FROM late");
    cr_assert_eq(lkt_run(NULL, NULL, "reconcile --run %s --truth %s", run, truth), 1);
    free(bad);
    free(truth);
    free(run);
    free(data);
    free(dir);
}

/*
 * --as-of: the truth as of the answer's instant T. Worked by hand (Lambda, batch every
 * 1h, 10 s speed buckets, no modelled time; T = 00:29:59.999):
 *   e1 t01/view 00:10 arrives 00:10:01  visible at T
 *   e4 t02/view 00:29 arrives 00:29:59.5 arrived by T, its bucket not visible yet: in flight
 *   e5 t02/view 00:29 arrives 00:31:00  after T
 *   e2 t01/view 00:10 arrives 00:40:00  after T
 *   e3 t01/view 01:20 arrives 01:20:01  after T (the future)
 * Against the end-of-data truth three rows are pending (t01 00:10: 1 vs 2 events; t02
 * 00:29 and t01 01:20 only in the truth). Against the truth as of T (t01 00:10 with e1,
 * t02 00:29 with e4) only t02 00:29 differs: pending, data in flight. Without --as-of the
 * replay would expect e5 in that row too: unexplained.
 */
Test(cmp_reconcile, as_of_compares_with_the_truth_of_the_same_instant)
{
    static const char *const lines[] = {
        "e1\",\"tenant\":\"t01\",\"key\":\"u1\",\"type\":\"view\",\"value\":1,\"event_time\":"
        "\"2026-01-01T00:10:00Z\",\"arrival_time\":\"2026-01-01T00:10:01Z",
        "e4\",\"tenant\":\"t02\",\"key\":\"u4\",\"type\":\"view\",\"value\":4,\"event_time\":"
        "\"2026-01-01T00:29:55Z\",\"arrival_time\":\"2026-01-01T00:29:59.500Z",
        "e5\",\"tenant\":\"t02\",\"key\":\"u5\",\"type\":\"view\",\"value\":5,\"event_time\":"
        "\"2026-01-01T00:29:58Z\",\"arrival_time\":\"2026-01-01T00:31:00Z",
        "e2\",\"tenant\":\"t01\",\"key\":\"u2\",\"type\":\"view\",\"value\":2,\"event_time\":"
        "\"2026-01-01T00:10:30Z\",\"arrival_time\":\"2026-01-01T00:40:00Z",
        "e3\",\"tenant\":\"t01\",\"key\":\"u3\",\"type\":\"view\",\"value\":3,\"event_time\":"
        "\"2026-01-01T01:20:00Z\",\"arrival_time\":\"2026-01-01T01:20:01Z",
    };
    const char *at = "2026-01-01T00:29:59.999Z";
    char *dir = lkt_tmpdir("rc-asof"), *data = lkt_fmt("%s/d.jsonl", dir), *text = NULL, *out;
    FILE *fp = fopen(data, "w");
    cr_assert(fp);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        fprintf(fp, "{\"event_id\":\"%s\"}\n", lines[i]);
    fclose(fp);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "lambda --quiet --data %s --pipeline revenue --out %s/run "
                         "--batch-every 1h --speed-trigger 10s --cost-model "
                         "%s/datasets/fixtures/lambda-model.json",
                         data, dir, lkt_root()),
                 0);
    cr_assert_eq(
        lkt_run(NULL, NULL, "truth --quiet --data %s --pipeline revenue --out %s/t.csv", data, dir),
        0);
    cr_assert_eq(lkt_run(&text, NULL,
                         "truth --quiet --data %s --pipeline revenue --out - "
                         "--as-of %s",
                         data, at),
                 0);
    cr_assert_str_eq(text, "tenant,type,window_start,window_end,events,value_sum,value_min,"
                           "value_max,distinct_keys\n"
                           "t01,view,2026-01-01T00:10:00.000Z,2026-01-01T00:11:00.000Z,"
                           "1,1.00,1.00,1.00,1\n"
                           "t02,view,2026-01-01T00:29:00.000Z,2026-01-01T00:30:00.000Z,"
                           "1,4.00,4.00,4.00,1\n");
    lkt_write(out = lkt_fmt("%s/a.csv", dir), text);
    free(text);
    cr_assert_eq(lkt_run(&text, NULL,
                         "reconcile --run %s/run --truth %s/t.csv --at %s --format "
                         "csv",
                         dir, dir, at),
                 0);
    cr_assert(strstr(text, "\npending,0,2,1,3,") && strstr(text, "\ntotal,0,2,1,3,"), "%s", text);
    free(text);
    cr_assert_eq(lkt_run(&text, NULL,
                         "reconcile --run %s/run --truth %s --at %s --as-of "
                         "--format csv",
                         dir, out, at),
                 0);
    cr_assert(strstr(text, "\npending,0,1,0,1,") && strstr(text, "\ntotal,0,1,0,1,"), "%s", text);
    free(text);
    cr_assert_eq(lkt_run(&text, NULL, "reconcile --run %s/run --truth %s --at %s --format csv", dir,
                         out, at),
                 1);
    cr_assert(strstr(text, "\nunexplained,0,1,0,1,"), "%s", text);
    free(text);
    cr_assert_eq(lkt_run(NULL, &text, "reconcile --run %s/run --truth %s --as-of", dir, out), 2);
    cr_assert(strstr(text, "--as-of says the truth is as of --at"), "%s", text);
    free(text);
    free(out);
    free(data);
    free(dir);
}
