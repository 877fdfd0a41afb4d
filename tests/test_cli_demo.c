/* lklab demo end to end on a small dataset: both stacks must reproduce the truth. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

Test(cli_demo, runs_every_step_and_both_stacks_equal_the_truth)
{
    char *dir = lkt_tmpdir("demo"), *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "demo --quiet --events 20000 --out %s", dir), 0);
    cr_assert(strstr(out, "kappa update (trigger 1m, no watermark) == truth: YES"), "%s", out);
    cr_assert(strstr(out, "lambda (batch every 6h) after its final batch == truth: YES"), "%s", out);
    cr_assert(strstr(out, "20200 lines") || strstr(out, "lines: 20000 events"), "%s", out);
    /* the sweep, the charts and the report ran, and the summary points at the report */
    cr_assert(strstr(out, "/sweep/report.html"), "%s", out);
    char *html = lkt_slurpf("%s/sweep/report.html", dir);
    cr_assert(strstr(html, "<img") != NULL, "the report embeds the charts");
    free(html);
    char *png = lkt_slurpf("%s/sweep/plots/latency.png", dir);
    cr_assert(png[0] != '\0', "latency chart drawn");
    free(png);
    free(out);
    free(dir);
}
