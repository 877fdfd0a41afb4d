/* lb_sql: SQL generated from the spec, never from data; names checked; queries prepare. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "lb_db.h"
#include "lb_sql.h"
#include "lk_spec.h"
#include "lk_store.h"
#include "lk_test.h"
#include "banned.h"

static struct lk_spec parse(const char *json)
{
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_spec_parse(&spec, json, strlen(json), "test", &err), 0, "%s", err.msg);
    return spec;
}

/* An in-memory Lambda database with the fixed tables and spec's own (lb_sql_schema). */
static sqlite3 *spec_db(const struct lk_spec *spec)
{
    struct lk_err err = LK_ERR_INIT;
    char *schema = lb_sql_schema(spec);
    sqlite3 *db;
    cr_assert_eq(lb_db_open(&db, ":memory:", 1, &err), 0, "%s", err.msg);
    cr_assert_eq(lb_db_create_fixed(db, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_store_exec(db, schema, &err), 0, "%s\n%s", err.msg, schema);
    free(schema);
    return db;
}

static const char evil_spec[] =
    "{\"name\":\"e\",\"filter\":[{\"field\":\"tenant\",\"in\":[\"x'); DROP TABLE master;--\"]},"
    "{\"field\":\"type\",\"equals\":\"a\\\"b;c\"}],\"group_by\":[\"key\"],"
    "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
    "\"aggregates\":[{\"fn\":\"count\",\"as\":\"order\"},"
    "{\"fn\":\"count_distinct\",\"of\":\"tenant\",\"as\":\"group\"}]}";

Test(lb_sql, filter_values_never_appear_in_the_statements_only_parameters_do)
{
    struct lk_spec spec = parse(evil_spec);
    char *job = lb_sql_batch_job(&spec), *q = lb_sql_query(&spec, LB_Q_SERVING);
    char *schema = lb_sql_schema(&spec), *count = lb_sql_count_accepted(&spec);
    const char *all[] = { job, q, schema, count };
    for (size_t i = 0; i < 4; i++) {
        cr_assert_null(strstr(all[i], "DROP"), "%s", all[i]);
        cr_assert_null(strstr(all[i], "b;c"), "%s", all[i]);
    }
    cr_assert(strstr(job, "\"tenant\" IN (:f0_0)") && strstr(job, "\"type\" IN (:f1_0)"), "%s",
              job);
    cr_assert(strstr(job, ":cutoff") && strstr(job, ":size") && strstr(job, ":view"), "%s", job);
    cr_assert(strstr(job, "\"order\"") && strstr(job, "\"group_hll\""), "%s", job); /* quoted */
    free(job);
    free(q);
    free(schema);
    free(count);
}

Test(lb_sql, names_that_collide_with_the_stacks_columns_are_a_clear_spec_error)
{
    static const char *const bad[] = { "view_id", "bucket_end", "lb_speed", "visible_at" };
    for (size_t i = 0; i < 4; i++) {
        char json[512];
        struct lk_spec spec;
        struct lk_err err = LK_ERR_INIT;
        snprintf(json, sizeof(json),
                 "{\"name\":\"n\",\"window\":{\"kind\":\"tumbling\","
                 "\"size\":\"1m\"},\"aggregates\":[{\"fn\":\"count\",\"as\":\"%s\"}]}",
                 bad[i]);
        spec = parse(json);
        cr_assert_eq(lb_sql_check(&spec, &err), LK_ESPEC, "%s accepted", bad[i]);
        cr_assert(strstr(err.msg, "aggregates[0].as"), "%s", err.msg);
    }
}

Test(lb_sql, a_sketch_column_that_would_shadow_another_name_is_refused)
{
    struct lk_spec spec = parse("{\"name\":\"n\",\"window\":{\"kind\":\"tumbling\","
                                "\"size\":\"1m\"},\"aggregates\":[{\"fn\":\"count_distinct\","
                                "\"of\":\"key\",\"as\":\"k\"},"
                                "{\"fn\":\"count\",\"as\":\"k_hll\"}]}");
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lb_sql_check(&spec, &err), LK_ESPEC);
    cr_assert(strstr(err.msg, "'k_hll'"), "%s", err.msg);
}

/* Every generated statement prepares against the schema, for every window kind. */
Test(lb_sql, generated_statements_prepare_for_every_window_kind_and_no_groups)
{
    static const char *const windows[] = {
        "{\"kind\":\"tumbling\",\"size\":\"1m\"}",
        "{\"kind\":\"sliding\",\"size\":\"10m\",\"slide\":\"3m\"}",
        "{\"kind\":\"session\",\"gap\":\"5m\"}"
    };
    static const char *const lead[] = {
        "", "\"group_by\":[\"tenant\",\"type\"],",
        "\"group_by\":[\"event_id\"],\"filter\":{\"field\":\"key\",\"equals\":\"k\"},"
    };
    for (size_t w = 0; w < 3; w++) {
        for (int groups = 0; groups < 3; groups++) {
            char json[512], *sql[3];
            struct lk_spec spec;
            struct lk_err err = LK_ERR_INIT;
            sqlite3 *db;
            snprintf(json, sizeof(json),
                     "{\"name\":\"n\",%s\"window\":%s,\"aggregates\":["
                     "{\"fn\":\"count\",\"as\":\"n\"},"
                     "{\"fn\":\"min\",\"of\":\"value\",\"as\":\"lo\"},"
                     "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"d\"}]}",
                     lead[groups], windows[w]);
            spec = parse(json);
            cr_assert_eq(lb_sql_check(&spec, &err), 0, "%s", err.msg);
            db = spec_db(&spec);
            sql[0] = lb_sql_batch_job(&spec);
            sql[1] = lb_sql_query(&spec, LB_Q_SERVING);
            sql[2] = lb_sql_speed_insert(&spec);
            for (int i = 0; i < 3; i++) {
                sqlite3_stmt *st;
                cr_assert_eq(lk_store_prepare(db, sql[i], &st, &err), 0, "%s\n%s", err.msg, sql[i]);
                sqlite3_finalize(st);
                free(sql[i]);
            }
            lk_store_close(db);
        }
    }
}

/* Run the batch job of spec as view `view` with `cutoff`; returns "tenant:events:sum;..." */
static char *job_rows(sqlite3 *db, const struct lk_spec *spec, int64_t view, int64_t cutoff)
{
    struct lk_err err = LK_ERR_INIT;
    char *sql = lb_sql_batch_job(spec), *out = calloc(1, 256);
    sqlite3_stmt *st;
    cr_assert_eq(lk_store_prepare(db, sql, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(lb_sql_bind_batch(st, spec, view, cutoff), 0);
    cr_assert_eq(lk_store_step_done(db, st, &err), 0, "%s", err.msg);
    sqlite3_finalize(st);
    free(sql);
    cr_assert_eq(lk_store_prepare(db,
                                  "SELECT tenant, events, value_sum FROM batch_rows WHERE "
                                  "view_id = ?1 ORDER BY tenant",
                                  &st, &err),
                 0);
    sqlite3_bind_int64(st, 1, view);
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = strlen(out);
        snprintf(out + n, 256 - n, "%s:%lld:%lld;", sqlite3_column_text(st, 0),
                 (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
    return out;
}

/*
 * Dedup keeps, among the copies arrived by the cutoff, the first by source position (part,
 * line), whatever its content and whatever order the copies arrived in: id "a" has a copy
 * at (1, 5) arriving at 100 and one at (0, 9) with other content arriving at 300.
 */
Test(lb_sql, the_batch_job_counts_the_first_arrived_copy_by_source_position)
{
    struct lk_spec spec = parse("{\"name\":\"n\",\"dedup\":\"event_id\",\"group_by\":[\"tenant\"],"
                                "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
                                "\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"},"
                                "{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"value_sum\"}]}");
    static const char rows[] =
        "INSERT INTO master(part, line, event_id, tenant, key, type, value, event_time, "
        "arrival_time) VALUES (1, 5, 'a', 't1', 'k', 'x', 1000, 0, 100),"
        "(0, 9, 'a', 't2', 'k', 'x', 2000, 0, 300), (0, 1, 'b', 't1', 'k', 'x', 5, 0, 50),"
        "(0, 2, 'b', 't1', 'k', 'x', 7, 0, 60), (0, 3, 'c', 't1', 'k', 'x', 11, 0, 70);"
        /* every copy of the ids with several, as lb_master keeps them, and c, which has one
           copy, as lb_master puts an id whose hash another id has */
        "INSERT INTO master_dups SELECT seq, event_id, part, line, arrival_time FROM master";
    struct lk_err err = LK_ERR_INIT;
    sqlite3 *db = spec_db(&spec);
    char *got;
    cr_assert_eq(lk_store_exec(db, rows, &err), 0, "%s", err.msg);
    got = job_rows(db, &spec, 1, 200); /* a's (0, 9) copy has not arrived yet */
    cr_assert_str_eq(got, "t1:3:1016;");
    free(got);
    got = job_rows(db, &spec, 2, 400); /* now it has, and it comes first */
    cr_assert_str_eq(got, "t1:2:16;t2:1:2000;");
    free(got);
    lk_store_close(db);
}

/*
 * The run's "filtered" total counts the event_ids with a copy that passes the filter:
 * lb_sql_count_accepted counts rows and takes off the extra copies from master_dups; a
 * copy that fails the filter beside one that passes, and an id in master_dups alone (a
 * hash shared with another id), still count once.
 */
Test(lb_sql, the_accepted_count_is_the_distinct_ids_with_a_copy_that_passes_the_filter)
{
    struct lk_spec spec = parse("{\"name\":\"n\",\"dedup\":\"event_id\","
                                "\"filter\":{\"field\":\"type\",\"in\":[\"buy\"]},"
                                "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
                                "\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"}]}");
    static const char rows[] =
        "INSERT INTO master(part, line, event_id, tenant, key, type, value, event_time, "
        "arrival_time) VALUES (0, 1, 'a', 't', 'k', 'buy', 1, 0, 1), (1, 1, 'a', 't', 'k', "
        "'buy', 1, 0, 2), (0, 2, 'a', 't', 'k', 'buy', 1, 0, 3), (0, 3, 'b', 't', 'k', 'view', "
        "1, 0, 4), (1, 2, 'b', 't', 'k', 'buy', 1, 0, 5), (0, 4, 'c', 't', 'k', 'view', 1, 0, 6), "
        "(1, 3, 'c', 't', 'k', 'view', 1, 0, 7), (0, 5, 'd', 't', 'k', 'buy', 1, 0, 8), "
        "(0, 6, 'e', 't', 'k', 'view', 1, 0, 9), (0, 7, 'f', 't', 'k', 'buy', 1, 0, 10);"
        "INSERT INTO master_dups SELECT seq, event_id, part, line, arrival_time FROM master "
        "WHERE event_id IN ('a', 'b', 'c', 'f')";
    struct lk_err err = LK_ERR_INIT;
    sqlite3 *db = spec_db(&spec);
    char *sql = lb_sql_count_accepted(&spec);
    sqlite3_stmt *st;
    cr_assert_eq(lk_store_exec(db, rows, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_store_prepare(db, sql, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(lb_sql_bind_filters(st, &spec), 0);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int64(st, 0), 4); /* a, b, d, f; not c and e */
    sqlite3_finalize(st);
    free(sql);
    lk_store_close(db);
}

/* lb_count_distinct (the batch job's exact distinct count) against count(DISTINCT). */
static char *one_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    char *out;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    out = lkt_fmt("%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

Test(lb_sql, lb_count_distinct_equals_sqlites_count_distinct)
{
    /* pairs: count(DISTINCT column1), then the same with lb_count_distinct(column1) */
    static const char *const queries[][2] = {
        { "SELECT count(DISTINCT column1) FROM (VALUES ('a'), ('b'), ('a'), (NULL), (''), (''), ('b '))",
          "SELECT lb_count_distinct(column1) FROM (VALUES ('a'), ('b'), ('a'), (NULL), (''), (''), "
          "('b '))" },
        { "SELECT count(DISTINCT column1) FROM (VALUES (NULL))",
          "SELECT lb_count_distinct(column1) FROM (VALUES (NULL))" },
        /* 5000 rows, 3001 distinct values, 3 groups: each set grows several times */
        { "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999) "
          "SELECT group_concat(c, ',') FROM (SELECT count(DISTINCT 'k' || (i * 7 % 3001)) AS c "
          "FROM n GROUP BY i % 3)",
          "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999) "
          "SELECT group_concat(c, ',') FROM (SELECT lb_count_distinct('k' || (i * 7 % 3001)) AS c "
          "FROM n GROUP BY i % 3)" },
    };
    sqlite3 *db;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lb_db_open(&db, ":memory:", 1, &err), 0, "%s", err.msg);
    for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
        char *want = one_text(db, queries[q][0]), *got = one_text(db, queries[q][1]);
        cr_assert_str_eq(got, want, "%s", queries[q][1]);
        free(want);
        free(got);
    }
    lk_store_close(db);
}

/*
 * The batch job of a tumbling window aggregates as it scans master_win, in the job's GROUP
 * BY order, instead of sorting every event (docs/lambda.md "Batch job speed"): its plan has
 * no temporary B-tree, and dedup reads the copies of the ids with several (master_dups) in
 * event_id order.
 */
Test(lb_sql, the_tumbling_batch_job_reads_master_in_group_order_without_a_sort)
{
    struct lk_spec spec = parse("{\"name\":\"n\",\"dedup\":\"event_id\","
                                "\"group_by\":[\"tenant\",\"type\"],"
                                "\"filter\":{\"field\":\"key\",\"equals\":\"k\"},"
                                "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
                                "\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"},"
                                "{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"value_sum\"},"
                                "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"d\"}]}");
    struct lk_err err = LK_ERR_INIT;
    char *job = lb_sql_batch_job(&spec);
    char *sql = lkt_fmt("EXPLAIN QUERY PLAN %s", job), plan[4096] = "";
    sqlite3_stmt *st;
    sqlite3 *db = spec_db(&spec);
    cr_assert_eq(lk_store_prepare(db, sql, &st, &err), 0, "%s", err.msg);
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = strlen(plan);
        snprintf(plan + n, sizeof(plan) - n, "%s\n", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    cr_assert(strstr(plan, "COVERING INDEX master_win"), "%s", plan);
    cr_assert(strstr(plan, "SCAN master_dups USING COVERING INDEX master_dups_ids"), "%s", plan);
    cr_assert(strstr(plan, "SEARCH d USING COVERING INDEX master_dups_ids"), "%s", plan);
    cr_assert_null(strstr(plan, "TEMP B-TREE"), "%s", plan);
    free(sql);
    free(job);
    lk_store_close(db);
}
