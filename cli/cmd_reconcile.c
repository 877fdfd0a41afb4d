/* lklab reconcile: compare two result CSVs, or a run with the truth, and explain each difference.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmp_reconcile.h"
#include "lk_csvread.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "reconcile"
static const char usage_line[] =
    "lklab reconcile A.csv B.csv | --run RUN --truth T.csv [--at ISO-TIME [--as-of]]\n"
    "                [--data DIR] [--examples N] [--format table|csv]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Compares two canonical result CSVs row by row and column by column, or a\n"
           "Kappa or Lambda run's answer (A) with the truth of its dataset (B), and classifies\n"
           "every difference: missing-late (the run's late side table accounts for it),\n"
           "duplicate-overcount (re-deliveries the run counted), approximate (a HyperLogLog\n"
           "distinct count within its error bound), pending (a window not finalized, or not\n"
           "yet visible at --at) or unexplained. Two plain CSVs carry no evidence: every\n"
           "difference between them is unexplained. Rules: docs/reconcile.md; the CSV format:\n"
           "docs/formats.md.\n\n"
           "  A.csv B.csv      two result CSVs (e.g. 'lklab results' and 'lklab truth' output)\n"
           "  --run RUN        a finished run of 'lklab kappa' or 'lklab lambda'\n"
           "  --truth T.csv    'lklab truth' of the run's dataset and pipeline\n"
           "  --at T           Lambda: reconcile the serving answer at virtual time T (ISO-8601)\n"
           "                   instead of the final one\n"
           "  --as-of          with --at: T.csv is the truth as of the same instant ('lklab\n"
           "                   truth --as-of T'): lines that arrived after T count on\n"
           "                   neither side, so pending means data in flight, not the future\n"
           "  --data DIR       Kappa: the run's dataset, when its path in run.json does not\n"
           "                   resolve from here (needed to tell late first copies from late\n"
           "                   re-deliveries)\n"
           "  --examples N     example rows printed per class (default 3)\n"
           "  --format F       table (default) or csv (the class counts only)\n\n"
           "exit: 0 every difference explained, 1 some unexplained, 2 usage, 3 bad input\n"
           "(a CSV that is malformed or whose header does not match, an unfinished run),\n"
           "4 I/O or database error\n",
           usage_line);
}

struct args {
    const char *a, *b, *run, *truth, *at, *data;
    uint64_t examples;
    enum cmp_rc_format format;
    int as_of;
};

static int load_tables(const struct args *g, int64_t at, struct lk_rtable *a, struct lk_rtable *b,
                       struct lk_err *err)
{
    int rc;
    if (g->run)
        rc = cmp_reconcile_load_answer(g->run, at, a, err);
    else
        rc = lk_rtable_load(a, g->a, err);
    if (rc == 0)
        rc = lk_rtable_load(b, g->run ? g->truth : g->b, err);
    return rc;
}

static int reconcile(const struct args *g)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_rtable a = LK_RTABLE_INIT, b = LK_RTABLE_INIT;
    struct cmp_reconcile_opts o = CMP_RECONCILE_OPTS_INIT;
    struct cmp_reconcile *r = NULL;
    int rc;
    o.run = g->run;
    o.data = g->data;
    o.truth_as_of = g->as_of;
    if (g->at && lk_time_parse(g->at, strlen(g->at), &o.at) < 0)
        return cmd_usage_error(CMD,
                               "bad value '%s' for --at (an instant like "
                               "2026-01-01T06:00:00Z)",
                               g->at);
    if ((rc = load_tables(g, o.at, &a, &b, &err)) == 0
        && (rc = cmp_reconcile_new(&r, &a, &b, &o, &err)) == 0
        && (rc = cmp_reconcile_write(r, stdout, g->format, (size_t)g->examples)) < 0)
        lk_err_set(&err, rc, "cannot write the report to standard output");
    if (rc == 0)
        rc = cmp_reconcile_count(r, CMP_RC_UNEXPLAINED) > 0 ? 1 : 0;
    else
        rc = cmd_fail(CMD, &err);
    cmp_reconcile_free(r);
    lk_rtable_release(&a);
    lk_rtable_release(&b);
    return rc;
}

/* Positional files and option combinations; returns 0 or the usage exit code. */
static int check_args(struct args *g, int argc, char **argv)
{
    int npos = argc - optind;
    if (npos > 2)
        return cmd_usage_error(CMD, "unexpected argument '%s'", argv[optind + 2]);
    if (g->run && npos > 0)
        return cmd_usage_error(CMD, "give two CSV files or --run, not both");
    if (g->run && !g->truth)
        return cmd_usage_error(CMD, "--run needs --truth T.csv");
    if (!g->run && (g->truth || g->at || g->data))
        return cmd_usage_error(CMD, "%s is only for --run",
                               g->truth ? "--truth"
                               : g->at  ? "--at"
                                        : "--data");
    if (g->as_of && !g->at)
        return cmd_usage_error(CMD, "--as-of says the truth is as of --at: give --at T too");
    if (!g->run && npos != 2)
        return cmd_usage_error(CMD, "need two CSV files (or --run RUN --truth T.csv)");
    if (!g->run) {
        g->a = argv[optind];
        g->b = argv[optind + 1];
    }
    return 0;
}

static int parse_format(const char *text, enum cmp_rc_format *f)
{
    if (strcmp(text, "table") == 0)
        *f = CMP_RC_TABLE;
    else if (strcmp(text, "csv") == 0)
        *f = CMP_RC_CSV;
    else
        return cmd_usage_error(CMD, "bad value '%s' for --format (table or csv)", text);
    return 0;
}

int cmd_reconcile(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run", required_argument, NULL, 'r' },
        { "truth", required_argument, NULL, 't' },
        { "at", required_argument, NULL, 'a' },
        { "data", required_argument, NULL, 'd' },
        { "examples", required_argument, NULL, 'e' },
        { "format", required_argument, NULL, 'f' },
        { "as-of", no_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct args g = { NULL, NULL, NULL, NULL, NULL, NULL, 3, CMP_RC_TABLE, 0 };
    struct cmd_getopt go;
    int c, rc;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'r':
            g.run = optarg;
            break;
        case 't':
            g.truth = optarg;
            break;
        case 'a':
            g.at = optarg;
            break;
        case 'o':
            g.as_of = 1;
            break;
        case 'd':
            g.data = optarg;
            break;
        case 'e':
            if (cmd_parse_u64(CMD, "--examples", optarg, 0, 1000000, &g.examples) != 0)
                return 2;
            break;
        case 'f':
            if (parse_format(optarg, &g.format) != 0)
                return 2;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if ((rc = check_args(&g, argc, argv)) != 0)
        return rc;
    return reconcile(&g);
}
