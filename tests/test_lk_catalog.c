/*
 * lk_catalog on its own (lk_catalog.h), on a hand-made database: each kind's lifetime,
 * the staleness of a materialized view, external tables over JSONL files, name safety.
 * Expected rows are written here by hand.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_catalog.h"
#include "lk_file.h"
#include "lk_store.h"
#include "lk_test.h"
#include "banned.h"

/* A catalog over a database with sales(tenant, amount) and a progress table at 5000. */
static sqlite3 *fixture(const char *name, char **dir)
{
    sqlite3 *db;
    struct lk_err err = LK_ERR_INIT;
    char *path;
    *dir = lkt_tmpdir(name);
    path = lkt_fmt("%s/serving.db", *dir);
    cr_assert_eq(lk_catalog_open(&db, path, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_store_exec(db,
                               "CREATE TABLE sales(tenant TEXT, amount INTEGER);"
                               "INSERT INTO sales VALUES('a', 1), ('a', 2), ('b', 5);"
                               "CREATE TABLE progress(visible_time INTEGER);"
                               "INSERT INTO progress VALUES(1000), (5000);",
                               &err),
                 0, "%s", err.msg);
    free(path);
    return db;
}

static char *query(sqlite3 *db, const char *sql)
{
    struct lk_err err = LK_ERR_INIT;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    int rc = lk_catalog_query(db, sql, 0, fp, &err);
    fclose(fp);
    cr_assert_eq(rc, 0, "%s: %s", sql, err.msg);
    return buf;
}

Test(lk_catalog, a_materialized_view_is_stale_until_refreshed_and_a_view_is_fresh)
{
    char *dir, *got;
    sqlite3 *db = fixture("cat-mv", &dir);
    struct lk_err err = LK_ERR_INIT;
    int64_t rows = -1;
    const char *sql = "SELECT tenant, sum(amount) AS total FROM sales GROUP BY tenant";
    cr_assert_eq(lk_catalog_create(db, "mv", LK_CAT_MATERIALIZED, sql, NULL, &rows, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(rows, 2);
    cr_assert_eq(lk_catalog_create(db, "v", LK_CAT_VIEW, sql, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_store_exec(db, "INSERT INTO sales VALUES('c', 7)", &err), 0, "%s", err.msg);
    got = query(db, "SELECT * FROM mv ORDER BY tenant");
    cr_assert_str_eq(got, "a,3\nb,5\n");
    free(got);
    got = query(db, "SELECT * FROM v ORDER BY tenant");
    cr_assert_str_eq(got, "a,3\nb,5\nc,7\n");
    free(got);
    cr_assert_eq(lk_catalog_refresh(db, "mv", &rows, &err), 0, "%s", err.msg);
    cr_assert_eq(rows, 3);
    got = query(db, "SELECT * FROM mv ORDER BY tenant");
    cr_assert_str_eq(got, "a,3\nb,5\nc,7\n");
    free(got);
    got = query(db, "SELECT name, kind, refreshed_at FROM catalog ORDER BY name");
    cr_assert_str_eq(got, "mv,materialized,5000\nv,view,\n", "refreshed_at is virtual time");
    free(got);
    sqlite3_close(db);
    free(dir);
}

Test(lk_catalog, dropping_an_external_table_keeps_its_files_and_managed_loses_its_data)
{
    char *dir, *lake, *file, *got;
    sqlite3 *db = fixture("cat-ext", &dir);
    struct lk_err err = LK_ERR_INIT;
    enum lk_catalog_kind kind;
    int64_t rows = -1;
    lake = lkt_fmt("%s/lake/tenant=a", dir);
    cr_assert_eq(lk_mkdir_p(lake, NULL), 0);
    file = lkt_fmt("%s/part-00000.jsonl", lake);
    lkt_write(file, "{\"tenant\":\"a\",\"n\":1}\n{\"tenant\":\"a\",\"n\":2}\n");
    cr_assert_eq(lk_catalog_create(db, "ext", LK_CAT_EXTERNAL, NULL, lake, &rows, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(rows, 2);
    cr_assert_eq(lk_catalog_load_external(db, &err), 0, "%s", err.msg);
    got = query(db, "SELECT sum(n) FROM ext");
    cr_assert_str_eq(got, "3\n");
    free(got);
    cr_assert_eq(
        lk_catalog_create(db, "m", LK_CAT_MANAGED, "SELECT * FROM sales", NULL, NULL, &err), 0,
        "%s", err.msg);
    cr_assert_eq(lk_catalog_drop(db, "ext", &kind, &err), 0, "%s", err.msg);
    cr_assert_eq(kind, LK_CAT_EXTERNAL);
    got = lkt_slurp(file);
    cr_assert_not_null(got, "an external table's files survive its drop");
    free(got);
    cr_assert_eq(lk_catalog_drop(db, "m", &kind, &err), 0, "%s", err.msg);
    cr_assert_eq(kind, LK_CAT_MANAGED);
    got = query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'm'");
    cr_assert_str_eq(got, "0\n", "a managed table's data goes with it");
    free(got);
    cr_assert_eq(lk_catalog_drop(db, "m", NULL, &err), LK_EINPUT, "dropped twice");
    sqlite3_close(db);
    free(file);
    free(lake);
    free(dir);
}

Test(lk_catalog, names_must_be_new_identifiers)
{
    static const char *const bad[] = { "Sales", "1x", "a-b", "catalog", "sqlite_x", "x\"y", "" };
    char *dir;
    sqlite3 *db = fixture("cat-names", &dir);
    struct lk_err err = LK_ERR_INIT;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(lk_catalog_create(db, bad[i], LK_CAT_VIEW, "SELECT 1", NULL, NULL, &err),
                     LK_EUSAGE, "name '%s'", bad[i]);
    cr_assert_eq(lk_catalog_create(db, "sales", LK_CAT_VIEW, "SELECT 1", NULL, NULL, &err),
                 LK_EINPUT, "an existing table");
    cr_assert(strstr(err.msg, "'sales'"), "%s", err.msg);
    sqlite3_close(db);
    free(dir);
}
