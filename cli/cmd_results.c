/* lklab results: export a run's tables as CSV (the serving table as the canonical CSV). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "kp_results.h"
#include "lb_results.h"
#include "lk_file.h"
#include "lk_buf.h"
#include "lk_json.h"
#include "lk_lock.h"
#include "lk_run.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "results"
static const char usage_line[] =
    "lklab results --run RUN [--table TABLE] [--at end|ISO-TIME] [--partial] --out FILE.csv";

static void help(void)
{
    printf("usage: %s\n\n"
           "Exports one table of a Kappa or Lambda run as CSV. The serving answer (the default\n"
           "table) is written as the canonical result CSV (docs/formats.md), byte-comparable\n"
           "with 'lklab truth'; other tables as CSV with a header. FILE.csv appears only when\n"
           "complete ('-' writes to standard output).\n\n"
           "  --run RUN      a run directory from 'lklab kappa' or 'lklab lambda'\n"
           "  --table T      Kappa: output (default), late, quarantine, progress\n"
           "                 Lambda: serving (default), batch, speed, quarantine, progress\n"
           "  --at T         Lambda: the serving answer as a query saw it at virtual time T\n"
           "                 (ISO-8601), or 'end' (default)\n"
           "  --partial      read a run that is still running or did not finish (crashed,\n"
           "                 stopped): its tables hold only the batches done so far\n"
           "  --out FILE     where to write\n\n"
           "exit: 0 ok, 1 the run is running or unfinished (without --partial), 2 usage,\n"
           "3 missing run or --out directory, 4 I/O or database error\n",
           usage_line);
}

/*
 * The stack of run, from its run.json (the run contract). A run read with --partial may have
 * none yet (running, crashed, stopped): then Kappa's is the run with a checkpoint directory.
 */
static int stack_of(const char *run, int partial, enum lk_stack *stack, struct lk_err *err)
{
    struct lk_run r = LK_RUN_INIT;
    struct lk_buf path = LK_BUF_INIT;
    int rc = lk_run_open(&r, run, err);
    if (rc == 0) {
        *stack = r.stack;
        lk_run_release(&r);
        return 0;
    }
    if (!partial)
        return rc;
    lk_buf_addf(&path, "%s/checkpoint", run);
    *stack = lk_is_dir(path.s) ? LK_STACK_KAPPA : LK_STACK_LAMBDA;
    lk_buf_release(&path);
    return 0;
}

static int export(const char *run, const char *table, int64_t at, int partial, FILE *fp,
                  struct lk_err *err)
{
    enum lk_stack stack = LK_STACK_KAPPA;
    int rc = stack_of(run, partial, &stack, err);
    if (rc < 0)
        return rc;
    if (stack == LK_STACK_KAPPA) {
        if (at != LK_TIME_POS_INF)
            return lk_err_set(err, LK_EUSAGE,
                              "--at is for Lambda runs: a Kappa run's tables "
                              "already hold every batch's rows with their visible_time");
        return kp_results_export(run, table ? table : "output", fp, err);
    }
    return lb_results_export(run, table ? table : "serving", at, fp, err);
}

static int run_export(const char *run, const char *table, const char *at_text, const char *out,
                      int partial)
{
    struct lk_err err = LK_ERR_INIT;
    struct cmd_out o = CMD_OUT_INIT;
    int64_t at = LK_TIME_POS_INF;
    int rc;
    if (at_text && strcmp(at_text, "end") != 0 && lk_time_parse(at_text, strlen(at_text), &at) < 0)
        return cmd_usage_error(CMD,
                               "bad value '%s' for --at (end, or an instant "
                               "like 2026-01-01T06:00:00Z)",
                               at_text);
    if (!lk_is_dir(run)) {
        cmd_error(CMD, "cannot open run '%s' (no such directory)", run);
        return 3;
    }
    if (!partial && (rc = lk_lock_check_finished(run, &err)) < 0) {
        if (rc != LK_EINPUT)
            return cmd_fail(CMD, &err);
        cmd_error(CMD, "%s; add --partial to read them anyway", err.msg);
        return 1;
    }
    if ((rc = cmd_out_open(&o, CMD, out)) != 0)
        return rc;
    rc = export(run, table, at, partial, o.fp, &err);
    return cmd_out_close(&o, CMD, rc, &err);
}

int cmd_results(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run", required_argument, NULL, 'r' },
        { "table", required_argument, NULL, 't' },
        { "at", required_argument, NULL, 'a' },
        { "out", required_argument, NULL, 'o' },
        { "partial", no_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *run = NULL, *table = NULL, *at = NULL, *out = NULL;
    struct cmd_getopt go;
    int c, partial = 0;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'r':
            run = optarg;
            break;
        case 't':
            table = optarg;
            break;
        case 'a':
            at = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'p':
            partial = 1;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (cmd_need_options(CMD, "--run", run, "--out", out, NULL))
        return 2;
    return run_export(run, table, at, out, partial);
}
