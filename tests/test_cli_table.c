/*
 * lklab table: the catalog of lab 01, on the watermark walkthrough of
 * tests/test_kp_watermark.c (trigger 5m, watermark 10m, no cost model, so a batch is
 * visible at its trigger time). Hand-known: with --final-watermark the output holds 5
 * windows with 4+2+1+1+1 = 9 clicks; after batch 5 (12:30) only W00 has been emitted.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

#define KAPPA                                                                                      \
    "kappa --quiet --data %s/datasets/fixtures/watermark.jsonl --pipeline "                        \
    "%s/datasets/fixtures/watermark-spec.json --out %s --trigger 5m --watermark 10m "              \
    "--cost-model none --final-watermark %s"

static char *run_kappa(const char *dir, const char *extra)
{
    char *run = lkt_fmt("%s/run", dir);
    int rc = lkt_run(NULL, NULL, KAPPA, lkt_root(), lkt_root(), run, extra);
    cr_assert_eq(rc, 0, "kappa exit %d", rc);
    return run;
}

/* lklab table SUB --db RUN/serving.db ARGS; returns the exit code, stdout in *out. */
static int table(char **out, const char *run, const char *sub, const char *args)
{
    return lkt_run(out, NULL, "table %s --db %s/serving.db %s", sub, run, args);
}

static long long query_int(const char *run, const char *sql)
{
    char *out = NULL;
    long long v;
    int rc = lkt_run(&out, NULL, "table query --no-header --db %s/serving.db \"%s\"", run, sql);
    cr_assert_eq(rc, 0, "query '%s' exit %d", sql, rc);
    v = atoll(out);
    free(out);
    return v;
}

Test(cli_table, managed_table_owns_its_data_and_drop_deletes_it)
{
    char *dir = lkt_tmpdir("table-managed"), *run = run_kappa(dir, ""), *out = NULL;
    cr_assert_eq(table(&out, run, "create", "clicks --managed --as 'SELECT * FROM output'"), 0);
    cr_assert_str_eq(out, "created managed table clicks: 5 rows\n");
    free(out);
    cr_assert_eq(query_int(run, "SELECT sum(clicks) FROM clicks"), 9);
    cr_assert_eq(table(&out, run, "list", ""), 0);
    cr_assert(strstr(out, "clicks,managed,,5,2026-01-01T13:00:00.000Z\n"), "%s", out);
    free(out);
    cr_assert_eq(table(NULL, run, "drop", "clicks"), 0);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM sqlite_master WHERE name = 'clicks'"), 0,
                 "the data must be gone");
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM catalog"), 0);
    cr_assert_eq(lkt_run(NULL, NULL, "table query --db %s/serving.db 'SELECT * FROM clicks'", run),
                 3);
    free(run);
    free(dir);
}

Test(cli_table, external_table_reads_the_lake_and_drop_leaves_the_files)
{
    char *dir = lkt_tmpdir("table-external"), *lake = lkt_fmt("%s/lake", dir);
    char *extra = lkt_fmt("--lake %s", lake), *run = run_kappa(dir, extra), *out = NULL;
    /* the W00 window is emitted by batch 5: its file must survive the DROP */
    char *part = lkt_fmt("%s/tenant=t1/part-00005.jsonl", lake), *before = lkt_slurp(part);
    char *args = lkt_fmt("lake_clicks --external --location %s", lake), *after;
    cr_assert_not_null(before);
    cr_assert_eq(table(&out, run, "create", args), 0);
    cr_assert_str_eq(out, "created external table lake_clicks: 5 rows\n");
    free(out);
    cr_assert_eq(query_int(run, "SELECT sum(clicks) FROM lake_clicks"), 9);
    cr_assert_eq(query_int(run, "SELECT clicks FROM lake_clicks WHERE window_start LIKE "
                                "'%T12:00:00%'"),
                 4);
    cr_assert_eq(table(&out, run, "drop", "lake_clicks"), 0);
    cr_assert(strstr(out, "catalog entry only"), "%s", out);
    free(out);
    after = lkt_slurp(part);
    cr_assert_not_null(after, "the lake file must survive the DROP");
    cr_assert_str_eq(after, before);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM catalog"), 0);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "table query --db %s/serving.db "
                         "'SELECT * FROM lake_clicks'",
                         run),
                 3);
    free(after);
    free(before);
    free(part);
    free(args);
    free(run);
    free(extra);
    free(lake);
    free(dir);
}

Test(cli_table, materialized_view_is_stale_until_refresh_while_the_view_is_fresh)
{
    char *dir = lkt_tmpdir("table-mv"), *run = lkt_fmt("%s/run", dir), *out = NULL;
    /* stop the stream after batch 5 (12:30): one window (W00) has been written */
    int rc =
        lkt_run(NULL, NULL, KAPPA " --crash-after 5:committed", lkt_root(), lkt_root(), run, "");
    cr_assert_eq(rc, 137, "crash exit %d", rc);
    cr_assert_eq(table(NULL, run, "create", "fresh --view --as 'SELECT * FROM output_v1'"), 0);
    cr_assert_eq(table(NULL, run, "create",
                       "cached --materialized --as "
                       "'SELECT * FROM output_v1'"),
                 0);
    cr_assert_eq(query_int(run, "SELECT count(*) FROM cached"), 1);
    /* the stream goes on to the end */
    free(run);
    run = run_kappa(dir, "");
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output"), 5);
    cr_assert_eq(query_int(run, "SELECT count(*) FROM fresh"), 5);
    cr_assert_eq(query_int(run, "SELECT count(*) FROM cached"), 1, "stale until refresh");
    cr_assert_eq(table(&out, run, "list", ""), 0);
    cr_assert_str_eq(out, "name,kind,location,rows,refreshed_at\n"
                          "cached,materialized,,1,2026-01-01T12:30:00.000Z\n"
                          "fresh,view,,5,\n");
    free(out);
    cr_assert_eq(table(&out, run, "refresh", "cached"), 0);
    cr_assert_str_eq(out, "refreshed cached: 5 rows\n");
    free(out);
    cr_assert_eq(query_int(run, "SELECT count(*) FROM (SELECT * FROM cached EXCEPT "
                                "SELECT * FROM output)"),
                 0);
    cr_assert_eq(lkt_query_int(run, "SELECT refreshed_at = 1767272400000 FROM catalog "
                                    "WHERE name = 'cached'"),
                 1, "13:00, the last batch");
    cr_assert_eq(table(NULL, run, "refresh", "fresh"), 3, "a view has nothing to refresh");
    free(run);
    free(dir);
}

Test(cli_table, temporary_table_dies_with_its_connection)
{
    char *dir = lkt_tmpdir("table-temp"), *run = run_kappa(dir, ""), *out = NULL;
    cr_assert_eq(table(&out, run, "create", "scratch --temporary --as 'SELECT * FROM output'"), 0);
    cr_assert(strstr(out, "temporary table scratch: 5 rows"), "%s", out);
    free(out);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "table query --db %s/serving.db "
                         "'SELECT count(*) FROM scratch'",
                         run),
                 3);
    cr_assert_eq(query_int(run, "CREATE TEMP TABLE s AS SELECT * FROM output WHERE clicks > 1;"
                                " SELECT count(*) FROM s"),
                 2);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM sqlite_master WHERE name = 's'"), 0);
    free(run);
    free(dir);
}

Test(cli_table, names_are_identifiers_and_engine_tables_are_not_the_catalogs)
{
    char *dir = lkt_tmpdir("table-names"), *run = run_kappa(dir, ""), *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err,
                         "table create --db %s/serving.db 'x\"; DROP TABLE late; --'"
                         " --view --as 'SELECT 1'",
                         run),
                 2);
    cr_assert(strstr(err, "bad table name"), "%s", err);
    free(err);
    cr_assert_eq(table(NULL, run, "create", "catalog --view --as 'SELECT 1'"), 2);
    cr_assert_eq(table(NULL, run, "create", "Output --view --as 'SELECT 1'"), 2);
    cr_assert_eq(table(NULL, run, "create", "late --managed --as 'SELECT 1'"), 3, "exists");
    cr_assert_eq(table(NULL, run, "drop", "output"), 3, "not in the catalog");
    cr_assert_eq(table(NULL, run, "create", "t --managed"), 2, "needs --as");
    cr_assert_eq(table(NULL, run, "create", "t --external --location /nonexistent/x"), 3);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output"), 5);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM late"), 2);
    free(run);
    free(dir);
}

Test(cli_table, a_location_with_quotes_is_stored_as_given)
{
    char *dir = lkt_tmpdir("table-loc"), *run = run_kappa(dir, ""), *out = NULL;
    char *lake = lkt_fmt("%s/it's \"a\" lake", dir), *file = lkt_fmt("%s/x.jsonl", lake);
    char *cmd = lkt_fmt("mkdir -p '%s/it'\\''s \"a\" lake' && printf '{\"n\":7}\\n' > "
                        "'%s/it'\\''s \"a\" lake/x.jsonl'",
                        dir, dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lkt_run(&out, NULL,
                         "table create --db %s/serving.db odd --external "
                         "--location '%s/it'\\''s \"a\" lake'",
                         run, dir),
                 0, "%s", out);
    free(out);
    cr_assert_eq(query_int(run, "SELECT n FROM odd"), 7);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM catalog WHERE location LIKE "
                                    "'%it''s \"a\" lake'"),
                 1);
    free(cmd);
    free(file);
    free(lake);
    free(run);
    free(dir);
}

Test(cli_table, query_reads_a_lambda_runs_serving_view)
{
    /* datasets/fixtures/README.md: the window ends at 3 events, 17.50 */
    char *dir = lkt_tmpdir("table-lambda"), *run = lkt_fmt("%s/run", dir), *out = NULL;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "lambda --quiet --data %s/datasets/fixtures/lambda-seam.jsonl"
                         " --pipeline revenue --out %s --batch-every 1h --cost-model "
                         "%s/datasets/fixtures/lambda-model.json",
                         lkt_root(), run, lkt_root()),
                 0);
    cr_assert_eq(lkt_run(&out, NULL,
                         "table query --no-header --db %s/serving.db "
                         "\"SELECT * FROM serving WHERE tenant = 't01'\"",
                         run),
                 0);
    /* 00:50-00:51, 3 events, 17.50, min 2.50, max 10.00, 3 keys (the view's own columns) */
    cr_assert_str_eq(out, "t01,purchase,1767228600000,1767228660000,3,1750,250,1000,3\n");
    free(out);
    free(run);
    free(dir);
}
