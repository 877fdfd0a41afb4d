/* lklab report: a sweep's report, report.html and report.md (docs/report.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "pl_report.h"
#include "banned.h"

#define CMD "report"
static const char usage_line[] = "lklab report --sweep S [--out DIR] [--no-plot]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Writes the lab's report on a sweep directory (lklab sweep --out S; docs/sweep.md):\n"
           "DIR/report.html, self-contained (charts embedded, inline CSS, nothing fetched),\n"
           "and DIR/report.md, GitHub-flavoured Markdown referencing S/plots/*.png. Both hold\n"
           "the dataset, generated findings (cheapest and fastest configs, the trigger and\n"
           "watermark trade-offs), the runs table, the six charts each with a paragraph\n"
           "computed from the numbers, every run's reconciliation table and the cost tables.\n"
           "The charts are drawn first with 'lklab plot --sweep S'; a chart that cannot be\n"
           "drawn is marked \"chart not available\" and the report is still written.\n"
           "Same sweep, same bytes. Details: docs/report.md.\n\n"
           "  --sweep S    the sweep directory\n"
           "  --out DIR    where to write the two files (default: S)\n"
           "  --no-plot    use the charts already in S/plots instead of drawing them\n"
           "  --help       this text\n\n"
           "exit: 0 ok, 2 usage, 3 missing or malformed sweep file (sweep.csv, sweep.json, ...),\n"
           "4 I/O error\n",
           usage_line);
}

/* lklab plot --sweep S, in process; its exit code. */
static int draw_charts(const char *sweep)
{
    char a0[] = "plot", a1[] = "--sweep", a3[] = "--quiet", *argv[5];
    char *s = lk_xstrdup(sweep);
    int rc;
    argv[0] = a0;
    argv[1] = a1;
    argv[2] = s;
    argv[3] = a3;
    argv[4] = NULL;
    rc = cmd_plot(4, argv);
    fflush(stdout);
    free(s);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        { "sweep", required_argument, NULL, 's' },
        { "out", required_argument, NULL, 'o' },
        { "no-plot", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *sweep = NULL, *out = NULL;
    struct lk_err err = LK_ERR_INIT;
    struct pl_report *r = NULL;
    size_t charts = 0;
    struct cmd_getopt go;
    int c, plot = 1, rc;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 's':
            sweep = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'n':
            plot = 0;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (!sweep)
        return cmd_usage_error(CMD, "missing --sweep");
    if (!lk_is_dir(sweep)) {
        cmd_error(CMD, "cannot open sweep '%s' (no such directory)", sweep);
        return 3;
    }
    if (pl_report_load(&r, sweep, &err) < 0)
        return cmd_fail(CMD, &err);
    if (plot && (rc = draw_charts(sweep)) != 0)
        cmd_error(CMD,
                  "charts not drawn (lklab plot exited with %d); missing ones are marked"
                  " \"chart not available\"",
                  rc);
    if (pl_report_write(r, out ? out : sweep, &charts, &err) < 0) {
        pl_report_free(r);
        return cmd_fail(CMD, &err);
    }
    printf("wrote %s/report.html and %s/report.md (%zu runs, %zu of %d charts)\n",
           out ? out : sweep, out ? out : sweep, pl_report_nruns(r), charts, PL_REPORT_NCHARTS);
    pl_report_free(r);
    return 0;
}
