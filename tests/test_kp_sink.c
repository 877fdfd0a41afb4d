/*
 * kp_sink on its own (kp_sink.h): the output table, the upsert of update mode, the change
 * feed and the exactly-once ledger, driven directly with hand-made rows and read back with
 * SQL; expected values are worked out here, not taken from the code under test.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_sink.h"
#include "lk_buf.h"
#include "lk_store.h"
#include "lk_test.h"
#include "banned.h"

#define NROWS 40 /* more than one multi-row INSERT (32 rows) */

/* A spec at every limit: 4 group columns, 16 aggregates named with 63 characters. */
static void big_spec(struct lk_spec *spec)
{
    struct lk_buf json = LK_BUF_INIT;
    struct lk_err err = LK_ERR_INIT;
    lk_buf_adds(&json, "{\"name\":\"big\",\"group_by\":[\"tenant\",\"type\",\"key\",\"event_id\"],"
                       "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},\"aggregates\":[");
    for (int a = 0; a < LK_SPEC_MAX_AGGS; a++)
        lk_buf_addf(&json, "%s{\"fn\":\"%s\",%s\"as\":\"a%02d_%.59s\"}", a ? "," : "",
                    a % 2 ? "sum" : "count", a % 2 ? "\"of\":\"value\"," : "", a,
                    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnop");
    lk_buf_adds(&json, "]}");
    cr_assert_eq(lk_spec_parse(spec, json.s, json.len, "big", &err), 0, "%s", err.msg);
    cr_assert_eq(strlen(spec->aggs[15].as), LK_SPEC_NAME_MAX - 1);
    lk_buf_release(&json);
}

/* Row i of batch b: key "k<i>", every aggregate = i * 10 + b. */
static void make_row(struct lk_csv_row *r, const struct lk_spec *spec, char (*names)[16], int i,
                     int b)
{
    memset(r, 0, sizeof(*r));
    snprintf(names[i], sizeof(names[i]), "k%d", i);
    for (size_t g = 0; g < spec->ngroup; g++)
        r->group[g] = (struct lk_str){ names[i], strlen(names[i]) };
    r->window_start = 60000;
    r->window_end = 120000;
    for (size_t a = 0; a < spec->naggs; a++)
        r->values[a] = i * 10 + b;
}

/* Batch b: rows [0, n) with make_row's values (after emptying the table, as complete mode
 * does, when clear). */
static void write_batch(struct kp_sink *s, const struct lk_spec *spec, int b, int n, int clear)
{
    static char names[NROWS][16];
    struct lk_csv_row rows[NROWS];
    const struct lk_csv_row *p[NROWS];
    struct lk_err err = LK_ERR_INIT;
    int skip;
    for (int i = 0; i < n; i++) {
        make_row(&rows[i], spec, names, i, b);
        p[i] = &rows[i];
    }
    cr_assert_eq(kp_sink_begin(s, (uint64_t)b, &skip, &err), 0, "%s", err.msg);
    cr_assert_eq(skip, 0);
    cr_assert(!clear || kp_sink_clear(s, &err) == 0, "%s", err.msg);
    cr_assert_eq(kp_sink_rows(s, p, (size_t)n, (uint64_t)b, 1000 * b, &err), 0, "%s", err.msg);
    cr_assert_eq(kp_sink_commit(s, (uint64_t)b, &err), 0, "%s", err.msg);
}

/* A sink on db in mode (exactly-once, no fsync), with the change feed when feed. */
static struct kp_sink *open_sink(const char *db, const struct lk_spec *spec, enum kp_mode mode,
                                 int feed)
{
    struct kp_sink *s;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(kp_sink_open(&s, db, spec, mode, 1, 1, LK_DURABLE_PROCESS, &err), 0, "%s",
                 err.msg);
    cr_assert(!feed || kp_sink_change_feed(s, &err) == 0, "%s", err.msg);
    return s;
}

static long long query(const char *db, const char *sql)
{
    sqlite3 *h;
    long long v = -1;
    cr_assert_eq(lk_store_open(&h, db, NULL), 0);
    cr_assert_eq(lk_store_query_int(h, sql, &v, NULL), 0, "%s", sql);
    lk_store_close(h);
    return v;
}

Test(kp_sink, a_spec_at_every_limit_upserts_its_rows_and_logs_the_changes)
{
    struct lk_spec spec;
    struct kp_sink *s;
    struct lk_err err = LK_ERR_INIT;
    char *dir = lkt_tmpdir("kp-sink-big"), *db = lkt_fmt("%s/serving.db", dir);
    big_spec(&spec);
    s = open_sink(db, &spec, KP_UPDATE, 1);
    write_batch(s, &spec, 0, NROWS, 0);
    write_batch(s, &spec, 1, NROWS / 2, 0); /* the first 20 rows change */
    cr_assert_eq(kp_sink_publish(s, &err), 0, "%s", err.msg);
    kp_sink_close(s);
    cr_assert_eq(query(db, "SELECT count(*) FROM output"), NROWS);
    /* rows 0..19 hold batch 1's values (i*10 + 1), rows 20..39 batch 0's (i*10) */
    cr_assert_eq(query(db,
                       "SELECT sum(a15_abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefg)"
                       " FROM output"),
                 10 * (NROWS - 1) * NROWS / 2 + NROWS / 2);
    cr_assert_eq(query(db, "SELECT count(*) FROM output WHERE batch_id = 1"), NROWS / 2);
    cr_assert_eq(query(db, "SELECT count(*) FROM changes"), NROWS + NROWS / 2);
    free(db);
    free(dir);
}

Test(kp_sink, an_unchanged_upsert_keeps_the_rows_batch_and_logs_nothing)
{
    struct lk_spec spec;
    struct kp_sink *s;
    struct lk_err err = LK_ERR_INIT;
    char *dir = lkt_tmpdir("kp-sink-same"), *db = lkt_fmt("%s/serving.db", dir);
    static char names[1][16];
    struct lk_csv_row row;
    int skip;
    big_spec(&spec);
    s = open_sink(db, &spec, KP_UPDATE, 1);
    write_batch(s, &spec, 0, 1, 0);
    make_row(&row, &spec, names, 0, 0); /* the same values again in batch 5 */
    cr_assert_eq(kp_sink_begin(s, 5, &skip, &err), 0, "%s", err.msg);
    cr_assert_eq(kp_sink_row(s, &row, 5, 5000, &err), 0, "%s", err.msg);
    cr_assert_eq(kp_sink_commit(s, 5, &err), 0, "%s", err.msg);
    cr_assert_eq(kp_sink_publish(s, &err), 0, "%s", err.msg);
    kp_sink_close(s);
    cr_assert_eq(query(db, "SELECT batch_id FROM output"), 0);
    cr_assert_eq(query(db, "SELECT count(*) FROM changes"), 1);
    free(db);
    free(dir);
}

Test(kp_sink, exactly_once_skips_a_batch_already_in_the_ledger_after_a_reopen)
{
    struct lk_spec spec;
    struct kp_sink *s;
    struct lk_err err = LK_ERR_INIT;
    char *dir = lkt_tmpdir("kp-sink-ledger"), *db = lkt_fmt("%s/serving.db", dir);
    int skip = -1;
    int64_t count, max, files;
    big_spec(&spec);
    s = open_sink(db, &spec, KP_APPEND, 0);
    write_batch(s, &spec, 0, 3, 0);
    write_batch(s, &spec, 1, 3, 0);
    kp_sink_close(s);
    s = open_sink(db, &spec, KP_APPEND, 0);
    cr_assert_eq(kp_sink_begin(s, 1, &skip, &err), 0, "%s", err.msg);
    cr_assert_eq(skip, 1, "batch 1 is in the ledger");
    kp_sink_rollback(s);
    cr_assert_eq(kp_sink_ledger(s, &count, &max, &files, &err), 0, "%s", err.msg);
    cr_assert_eq(count, 2);
    cr_assert_eq(max, 1);
    kp_sink_close(s);
    cr_assert_eq(query(db, "SELECT count(*) FROM output_v1"), 6);
    free(db);
    free(dir);
}

/*
 * Complete mode diffs the new table against the last batch's: batch 1 keeps k0 and k1 with
 * new values and drops k2 and k3, so its changes are 2 upserts and 2 retracts (after batch
 * 0's 4 upserts into an empty table).
 */
Test(kp_sink, complete_mode_logs_changed_rows_as_upserts_and_dropped_rows_as_retracts)
{
    struct lk_spec spec;
    struct kp_sink *s;
    struct lk_err err = LK_ERR_INIT;
    char *dir = lkt_tmpdir("kp-sink-complete"), *db = lkt_fmt("%s/serving.db", dir), *got;
    big_spec(&spec);
    s = open_sink(db, &spec, KP_COMPLETE, 1);
    write_batch(s, &spec, 0, 4, 1);
    write_batch(s, &spec, 1, 2, 1);
    cr_assert_eq(kp_sink_publish(s, &err), 0, "%s", err.msg);
    kp_sink_close(s);
    got = lkt_query_text(dir, "SELECT batch_id, visible_time, op, tenant, "
                              "a15_abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefg "
                              "FROM changes ORDER BY batch_id, op, tenant");
    cr_expect_str_eq(got, "0,0,upsert,k0,0\n0,0,upsert,k1,10\n0,0,upsert,k2,20\n"
                          "0,0,upsert,k3,30\n1,1000,retract,k2,20\n1,1000,retract,k3,30\n"
                          "1,1000,upsert,k0,1\n1,1000,upsert,k1,11\n");
    free(got);
    free(db);
    free(dir);
}
