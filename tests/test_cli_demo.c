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
    cr_assert(strstr(out, "lambda (batch every 6h) after its final batch == truth: YES"), "%s",
              out);
    cr_assert(strstr(out, "20200 lines") || strstr(out, "lines: 20000 events"), "%s", out);
    /* the sweep, the charts and the report ran, and the summary points at the report */
    cr_assert(strstr(out, "/sweep/report.html"), "%s", out);
    /* the summary ends with the report's Verdict, each question answered */
    const char *v = strstr(out, "verdict (as in the report's Verdict section):");
    cr_assert(v, "%s", out);
    cr_expect(strstr(v, "- A dashboard refreshed every minute: Kappa in update mode"), "%s", v);
    cr_expect(strstr(v, "- A daily report"), "%s", v);
    cr_expect(strstr(v, "- What Lambda's second code path buys and costs: it buys"), "%s", v);
    cr_expect(strstr(v, "- Why lambda-6h"), "%s", v);
    char *html = lkt_slurpf("%s/sweep/report.html", dir);
    /* all six charts are embedded as PNG data (no chart missing, nothing fetched) */
    int imgs = 0;
    for (const char *p = html; (p = strstr(p, "<img")) != NULL; p++, imgs++)
        cr_assert(strncmp(strstr(p, "src=\"") + 5, "data:image/png;base64,iVBOR", 27) == 0,
                  "image %d is not an embedded PNG", imgs + 1);
    cr_expect_eq(imgs, 6);
    cr_expect(strstr(html, "http://") == NULL && strstr(html, "https://") == NULL,
              "a self-contained report links nothing outside");
    free(html);
    /* an HTML validator (tidy, installed by make deps) finds no error and no warning */
    char *cmd = lkt_fmt("tidy -q -e '%s/sweep/report.html' > '%s/tidy.txt' 2>&1", dir, dir);
    int st = system(cmd);
    char *tidy = lkt_slurpf("%s/tidy.txt", dir);
    cr_expect_eq(st, 0, "tidy: %s", tidy ? tidy : "(no output)");
    free(tidy);
    free(cmd);
    char *png = lkt_slurpf("%s/sweep/plots/latency.png", dir);
    cr_assert(png[0] != '\0', "latency chart drawn");
    free(png);
    free(out);
    free(dir);
}
