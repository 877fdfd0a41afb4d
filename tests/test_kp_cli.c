/* lklab kappa as a user meets it: bad options, impossible combinations, the lake. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "lk_lake.h"
#include "kp_test.h"
#include "banned.h"

static void expect_usage(const char *args, const char *needle)
{
    char *err = NULL;
    int rc = lkt_run(NULL, &err,
                     "kappa --data %s/datasets/fixtures/tiny.jsonl --pipeline revenue"
                     " --out %s/out/never %s",
                     lkt_root(), lkt_root(), args);
    cr_assert_eq(rc, 2, "'%s' exit %d: %s", args, rc, err);
    cr_assert(strstr(err, needle), "'%s': %s", args, err);
    free(err);
}

Test(kp_cli, rejects_unknown_options_and_bad_values_naming_them)
{
    expect_usage("--bogus", "unknown option '--bogus'");
    expect_usage("--trigger 5x", "bad value '5x' for --trigger");
    expect_usage("--watermark soon", "bad duration 'soon' for --watermark");
    expect_usage("--output-mode upsert", "bad value 'upsert' for --output-mode");
    expect_usage("--crash-after 3:exploded", "bad value '3:exploded' for --crash-after");
    expect_usage("--workers 0", "bad value '0' for --workers");
}

Test(kp_cli, refuses_append_mode_without_a_watermark_in_plain_words)
{
    expect_usage("--watermark none", "append mode needs a watermark");
}

Test(kp_cli, refuses_update_or_complete_mode_with_the_append_only_lake)
{
    expect_usage("--output-mode update --lake /tmp/lake", "append-only");
    expect_usage("--output-mode complete --lake /tmp/lake", "append-only");
}

Test(kp_cli, refuses_a_cap_the_source_or_trigger_would_ignore)
{
    expect_usage("--max-files-per-trigger 3", "needs --source files");
    expect_usage("--source files --max-events-per-trigger 100", "--max-files-per-trigger");
    expect_usage("--trigger continuous --max-events-per-trigger 100", "continuous");
}

Test(kp_cli, a_crash_point_that_is_never_reached_says_so)
{
    char *dir = lkt_tmpdir("kcli-nocrash"), *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --quiet --data %s/datasets/fixtures/tiny.jsonl "
                         "--pipeline revenue --out %s/run --crash-after 999:planned",
                         lkt_root(), dir),
                 0);
    cr_assert(strstr(err, "--crash-after 999:planned never fired"), "%s", err);
    free(err);
    free(dir);
}

Test(kp_cli, a_missing_dataset_exits_3_and_leaves_no_run)
{
    char *dir = lkt_tmpdir("kcli-missing"), *err = NULL, *runjson;
    cr_assert_eq(
        lkt_run(NULL, &err, "kappa --data %s/none --pipeline revenue --out %s/run", dir, dir), 3);
    cr_assert(strstr(err, "cannot open dataset"), "%s", err);
    runjson = lkt_fmt("%s/run/run.json", dir);
    cr_assert_null(lkt_slurp(runjson));
    free(runjson);
    free(err);
    free(dir);
}

Test(lk_lake, escapes_partition_values_like_hive)
{
    char buf[64];
    lk_lake_escape("../x", 4, buf);
    cr_assert_str_eq(buf, "%2E.%2Fx");
    lk_lake_escape("a/b=c%d", 7, buf);
    cr_assert_str_eq(buf, "a%2Fb%3Dc%25d");
    lk_lake_escape("t01", 3, buf);
    cr_assert_str_eq(buf, "t01");
}

/* Every entry of dir is a "tenant=..." directory; returns how many. */
static int count_partitions(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        cr_assert(strncmp(e->d_name, "tenant=", 7) == 0, "unexpected entry '%s'", e->d_name);
        cr_assert(strchr(e->d_name + 7, '/') == NULL);
        n++;
    }
    closedir(d);
    return n;
}

Test(lk_lake, hostile_tenant_values_stay_inside_the_lake_directory)
{
    char *dir = lkt_tmpdir("lake"), *lake = lkt_fmt("%s/lake", dir), *run = lkt_fmt("%s/run", dir);
    char *part = lkt_fmt("%s/tenant=%%2E.%%2Fx", lake), *escaped = NULL, *text;
    DIR *d;
    struct dirent *e;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "kappa --quiet --data %s/datasets/fixtures/tenants.jsonl"
                         " --pipeline revenue --out %s --lake %s --trigger 1m"
                         " --cost-model none --final-watermark",
                         lkt_root(), run, lake),
                 0);
    cr_assert_eq(count_partitions(lake), 6);
    d = opendir(part);
    cr_assert_not_null(d, "'../x' lands in tenant=%%2E.%%2Fx");
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "part-", 5) == 0)
            escaped = lkt_fmt("%s/%s", part, e->d_name);
    closedir(d);
    cr_assert_not_null(escaped);
    text = lkt_slurp(escaped);
    cr_assert_not_null(text, "'../x' lands in tenant=%%2E.%%2Fx");
    cr_assert(strstr(text, "\"tenant\":\"../x\""), "%s", text);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output"), 6, "the output table survived");
    free(text);
    free(escaped);
    free(part);
    free(run);
    free(lake);
    free(dir);
}

Test(lk_lake, a_longer_trigger_writes_fewer_and_larger_files)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("lake-files");
    char *r1 = lkt_fmt("%s/r1", dir), *r2 = lkt_fmt("%s/r2", dir);
    char *a1 = lkt_fmt("--trigger 1m --lake %s/l1", dir),
         *a2 = lkt_fmt("--trigger 1h --lake %s/l2", dir);
    long long f1, f2, b1, b2;
    cr_assert_eq(kpt_kappa(ds, "revenue", r1, a1), 0);
    cr_assert_eq(kpt_kappa(ds, "revenue", r2, a2), 0);
    f1 = lkt_query_int(r1, "SELECT sum(files_written) FROM progress");
    f2 = lkt_query_int(r2, "SELECT sum(files_written) FROM progress");
    b1 = lkt_query_int(r1, "SELECT sum(bytes_written) FROM progress");
    b2 = lkt_query_int(r2, "SELECT sum(bytes_written) FROM progress");
    cr_assert_gt(f1, 3 * f2, "1m: %lld files, 1h: %lld", f1, f2);
    cr_assert_lt(b1 / f1, b2 / f2, "mean file size grows with the trigger");
    free(a1);
    free(a2);
    free(r1);
    free(r2);
    free(dir);
    free(ds);
}
