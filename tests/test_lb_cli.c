/* lklab lambda: bad options and inputs -> one clear line and exit 2/3; run.json last. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lb_test.h"
#include "banned.h"

#define FIXTURE "%s/datasets/fixtures/lambda-seam.jsonl"

/* Exit code of `lklab lambda <args>`; its stderr must be one line mentioning `want`. */
static void expect_fail(int code, const char *want, const char *args)
{
    char *err = NULL;
    int rc = lkt_run(NULL, &err, "lambda %s", args);
    cr_assert_eq(rc, code, "'%s' exited %d: %s", args, rc, err ? err : "");
    cr_assert(err && strstr(err, want), "'%s': want '%s' in: %s", args, want, err ? err : "");
    cr_assert(strncmp(err, "lklab lambda: ", 14) == 0, "%s", err);
    free(err);
}

Test(lb_cli, bad_options_and_values_are_usage_errors_naming_the_option)
{
    char *dir = lkt_tmpdir("lb-cli-opts"), *ok = lkt_fmt("--data " FIXTURE " --pipeline revenue "
                                                         "--out %s/run",
                                                         lkt_root(), dir);
    char *a;
    expect_fail(2, "unknown option '--bogus'", "--bogus");
    expect_fail(2, "missing --out", "--data x --pipeline revenue");
    a = lkt_fmt("%s --batch-every 6x", ok);
    expect_fail(2, "--batch-every", a);
    free(a);
    a = lkt_fmt("%s --speed-trigger 0s", ok);
    expect_fail(2, "--speed-trigger", a);
    free(a);
    a = lkt_fmt("%s --batch-every 1h --speed-trigger 7m", ok);
    expect_fail(2, "multiple of --speed-trigger", a);
    free(a);
    a = lkt_fmt("%s --crash-after reduce:3", ok);
    expect_fail(2, "--crash-after", a);
    free(a);
    a = lkt_fmt("%s --crash-after batch:0", ok);
    expect_fail(2, "--crash-after", a);
    free(a);
    a = lkt_fmt("%s/run", dir);
    cr_assert_neq(access(a, F_OK), 0, "nothing created on usage errors");
    free(a);
    free(ok);
    free(dir);
}

Test(lb_cli, a_missing_dataset_or_a_bad_spec_exits_3_and_leaves_no_run)
{
    char *dir = lkt_tmpdir("lb-cli-input"), *spec = lkt_fmt("%s/bad.json", dir), *a;
    lbt_write(spec, "{\"name\":\"x\",\"window\":{\"kind\":\"tumbling\",\"size\":\"1x\"},"
                    "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}");
    a = lkt_fmt("--data %s/nope --pipeline revenue --out %s/run", dir, dir);
    expect_fail(3, "/nope'", a);
    free(a);
    a = lkt_fmt("--data " FIXTURE " --pipeline %s --out %s/run", lkt_root(), spec, dir);
    expect_fail(3, "window.size: bad duration '1x'", a);
    free(a);
    a = lkt_fmt("--data " FIXTURE " --pipeline revenue --out %s/run --cost-model %s/none.json",
                lkt_root(), dir, dir);
    expect_fail(3, "--cost-model", a);
    free(a);
    lbt_write(spec, "{\"name\":\"x\",\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
                    "\"aggregates\":[{\"fn\":\"count\",\"as\":\"view_id\"}]}");
    a = lkt_fmt("--data " FIXTURE " --pipeline %s --out %s/run", lkt_root(), spec, dir);
    expect_fail(3, "aggregates[0].as", a);
    free(a);
    a = lkt_fmt("%s/run/run.json", dir);
    cr_assert_neq(access(a, F_OK), 0);
    free(a);
    free(spec);
    free(dir);
}

Test(lb_cli, a_run_directory_is_resumed_only_with_the_same_parameters)
{
    char *dir = lkt_tmpdir("lb-cli-params"), *a, *err = NULL, *other = lkt_fmt("%s/other", dir);
    a = lkt_fmt("--data " FIXTURE " --pipeline revenue --out %s/run --batch-every 1h", lkt_root(),
                dir);
    cr_assert_eq(lkt_run(NULL, &err, "lambda %s", a), 0, "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "lambda %s", a), 0, "a finished run is left alone");
    cr_assert(strstr(err, "already complete"), "%s", err);
    free(err);
    free(a);
    a = lkt_fmt("--data " FIXTURE " --pipeline revenue --out %s/run --batch-every 2h", lkt_root(),
                dir);
    expect_fail(2, "different --batch-every", a);
    free(a);
    lbt_write(other, "not a run");
    a = lkt_fmt("--data " FIXTURE " --pipeline revenue --out %s", lkt_root(), dir);
    expect_fail(2, "holds no lambda run", a);
    free(a);
    free(other);
    free(dir);
}

Test(lb_cli, help_goes_to_stdout_and_exits_0)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "lambda --help"), 0);
    cr_assert(strstr(out, "--batch-every") && strstr(out, "--crash-after"), "%s", out);
    free(out);
}

/* Lines of the .jsonl files under dir, and how many files there are. */
static long long lines_under(const char *dir, long long *files)
{
    long long n = 0;
    char *cmd = lkt_fmt("find '%s' -type f -name '*.jsonl' -exec cat {} + | wc -l; "
                        "find '%s' -type f | wc -l",
                        dir, dir);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_eq(fscanf(p, "%lld %lld", &n, files), 2);
    pclose(p);
    free(cmd);
    return n;
}

/* An integer query whose SQL is prefix followed by the view id. */
static long long view_int(const char *run, const char *prefix, long long v)
{
    char *sql = lkt_fmt("%s%lld", prefix, v);
    long long n = lkt_query_int(run, sql);
    free(sql);
    return n;
}

Test(lb_cli, each_batch_job_writes_its_whole_view_as_files_by_tenant)
{
    char *data = lkt_dataset("lb-views", "--scenario clickstream --events 5000 --seed 3");
    char *dir = lkt_tmpdir("lb-views"), *run = lkt_fmt("%s/run", dir), *out = NULL;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "lambda --data %s --pipeline revenue --out %s "
                         "--batch-every 6h --quiet",
                         data, run),
                 0);
    long long jobs = lkt_query_int(run, "SELECT count(*) FROM batch_views");
    cr_assert_gt(jobs, 1);
    for (long long v = 1; v <= jobs; v++) {
        long long files = 0;
        char *vdir = lkt_fmt("%s/views/v%05lld", run, v);
        long long lines = lines_under(vdir, &files);
        free(vdir);
        /* every row of the view, once, in one file per tenant (from the database) */
        cr_expect_eq(lines, view_int(run, "SELECT count(*) FROM batch_rows WHERE view_id = ", v));
        cr_expect_eq(files, view_int(run,
                                     "SELECT count(DISTINCT tenant) FROM batch_rows "
                                     "WHERE view_id = ",
                                     v));
        cr_expect_eq(files, view_int(run,
                                     "SELECT json_extract(json, '$.files_written') FROM "
                                     "progress WHERE layer = 'batch' AND job = ",
                                     v));
    }
    /* so the bill has operations for the Lambda stack too */
    cr_assert_eq(lkt_run(&out, NULL, "cost --run %s --format csv", run), 0);
    char *ops = strstr(out, ",operations,");
    cr_assert_not_null(ops);
    cr_expect_gt(strtod(ops + 12, NULL), 0.0, "%s", out);
    free(out);
    free(run);
    free(dir);
    free(data);
}
