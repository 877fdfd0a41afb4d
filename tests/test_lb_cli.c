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
                                                         "--out %s/run", lkt_root(), dir);
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
