/*
 * lklab results on both stacks: --at on a Lambda run replays what the serving layer
 * answered at a virtual time (datasets/fixtures/lambda-seam.jsonl, worked by hand in
 * datasets/fixtures/README.md), and Kappa runs refuse --at.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

static char *seam_run(void)
{
    char *dir = lkt_tmpdir("results-seam"), *run = lkt_fmt("%s/run", dir);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "lambda --quiet --data %s/datasets/fixtures/lambda-seam.jsonl"
                         " --pipeline revenue --out %s --batch-every 1h --cost-model"
                         " %s/datasets/fixtures/lambda-model.json",
                         lkt_root(), run, lkt_root()),
                 0);
    free(dir);
    return run;
}

static void expect_at(const char *run, const char *at, const char *row)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "results --run %s --at %s --out -", run, at), 0);
    cr_assert(strstr(out, row), "at %s: %s", at, out);
    free(out);
}

Test(cli_results, the_serving_answer_changes_when_the_batch_view_lands)
{
    char *run = seam_run();
    /* speed layer alone: the re-delivered 10.00 purchase is counted twice */
    expect_at(run, "2026-01-01T00:56:00Z", ",2,20.00,10.00,10.00,1\n");
    expect_at(run, "2026-01-01T01:04:59.999Z", ",4,27.50,2.50,10.00,3\n");
    /* the first batch view is visible at 01:05:00: exact from then on */
    expect_at(run, "2026-01-01T01:05:00Z", ",3,17.50,2.50,10.00,3\n");
    expect_at(run, "end", ",3,17.50,2.50,10.00,3\n");
    free(run);
}

Test(cli_results, rejects_a_bad_instant_and_at_on_a_kappa_run)
{
    char *dir = lkt_tmpdir("results-bad"), *run = lkt_fmt("%s/k", dir), *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --at yesterday --out -", dir), 2);
    cr_assert(strstr(err, "bad value 'yesterday' for --at"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "kappa --quiet --data %s/datasets/fixtures/tiny.jsonl"
                         " --pipeline revenue --out %s",
                         lkt_root(), run),
                 0);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --at 2026-01-01T00:00:00Z --out -", run), 2);
    cr_assert(strstr(err, "--at is for Lambda runs"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s/none --out -", dir), 3);
    free(err);
    free(run);
    free(dir);
}
