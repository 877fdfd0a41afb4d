/* lklab job: validate, run and read the history of a job (docs/jobs.md). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "jb_audit.h"
#include "jb_run.h"
#include "jb_spec.h"
#include "lk_buf.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "job"

static void help(void)
{
    printf("usage: lklab job validate JOB.json\n"
           "       lklab job run JOB.json --out DIR [--param NAME=VALUE ...]\n"
           "                     [--clock virtual|wall] [--start T] [--until T] [--quiet]\n"
           "       lklab job history DIR [--tasks]\n\n"
           "A job is a DAG of tasks (lklab commands, shell commands, conditions, other jobs)\n"
           "started by a trigger: manual, schedule (5-field cron + time zone), file_arrival\n"
           "(a landing directory) or continuous. Every job run and task attempt is a row of\n"
           "DIR/system.db (system_job_runs, system_task_runs, system_notifications); each\n"
           "task's work is under DIR/runs/<run_id>/<task>/. The spec: docs/jobs.md.\n\n"
           "  --out DIR        the job directory (system.db, runs/, the notify file)\n"
           "  --param K=V      set a parameter ({{K}} in the tasks); repeatable\n"
           "  --clock C        virtual (default: fire times and modelled durations, a month\n"
           "                   in seconds, identical tables on every run) or wall (sleeps\n"
           "                   until fire times, measured durations)\n"
           "  --start T        the trigger's start instant (its \"start\" member; virtual\n"
           "                   clock)\n"
           "  --until T        stop firing at instant T (2026-01-31T00:00:00Z) or after a\n"
           "                   duration from the trigger's start (30d); required by\n"
           "                   schedule, continuous and file_arrival under the virtual clock\n"
           "  --tasks          history: the task attempts too\n"
           "  --quiet          no summary\n"
           "  --help           this text\n\n"
           "exit: 0 ok (run: every job run succeeded), 1 some job run failed, 2 usage,\n"
           "3 bad job spec, 4 I/O\n\n"
           "examples:\n"
           "  lklab job validate datasets/jobs/lambda-batch-6h.json\n"
           "  lklab job run datasets/jobs/lambda-batch-6h.json --out out/job --until 30d\n"
           "  lklab job history out/job\n");
}

static int validate(const char *path)
{
    struct jb_job job;
    struct lk_err err = LK_ERR_INIT;
    int rc = jb_spec_load(&job, path, &err);
    jb_spec_free(&job);
    if (rc < 0)
        return cmd_fail(CMD, &err);
    printf("%s: ok\n", path);
    return cmd_finish(CMD, 0);
}

static char *self_path(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return strdup("lklab");
    buf[n] = 0;
    return strdup(buf);
}

static int run(const char *path, const char *out, char **params, size_t nparams, int wall,
               const char *start, const char *until, int quiet)
{
    struct jb_job job;
    struct lk_err err = LK_ERR_INIT;
    struct jb_opts o = { out, NULL, wall, -1, quiet };
    struct jb_summary s;
    int rc = jb_spec_load(&job, path, &err);
    for (size_t i = 0; rc == 0 && i < nparams; i++)
        rc = jb_spec_set_param(&job, params[i], &err);
    if (rc < 0) {
        jb_spec_free(&job);
        return cmd_fail(CMD, &err);
    }
    if (start
        && (lk_time_parse(start, strlen(start), &job.trigger.start_ms) < 0
            || job.trigger.start_ms < 0)) {
        jb_spec_free(&job);
        return cmd_usage_error(CMD, "--start '%s': an instant from 1970 on (2026-01-01T00:00:00Z)",
                               start);
    }
    if (until) {
        int64_t d;
        if (lk_time_parse(until, strlen(until), &o.until_ms) < 0) {
            if (lk_duration_parse(until, &d) < 0) {
                jb_spec_free(&job);
                return cmd_usage_error(CMD, "--until '%s': an instant or a duration", until);
            }
            o.until_ms = (wall ? (int64_t)time(NULL) * 1000 : job.trigger.start_ms) + d;
        }
    } else if (!wall && job.trigger.kind != JB_MANUAL) {
        const char *kind = job.trigger.kind == JB_SCHEDULE       ? "schedule"
                           : job.trigger.kind == JB_FILE_ARRIVAL ? "file_arrival"
                                                                 : "continuous";
        jb_spec_free(&job);
        return cmd_usage_error(CMD, "a %s trigger under the virtual clock needs --until", kind);
    }
    char *self = self_path();
    o.self = self;
    rc = jb_run(&job, &o, &s, &err);
    free(self);
    jb_spec_free(&job);
    if (rc < 0)
        return cmd_fail(CMD, &err);
    if (!quiet)
        fprintf(stderr,
                "lklab job: %lld runs (%lld failed, %lld skipped), %lld alerts; "
                "lklab job history %s\n",
                (long long)s.runs, (long long)s.failed, (long long)s.skipped, (long long)s.alerts,
                out);
    return s.failed ? 1 : 0;
}

int cmd_job(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "param", required_argument, NULL, 'p' },
        { "clock", required_argument, NULL, 'c' },
        { "until", required_argument, NULL, 'u' },
        { "tasks", no_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },
        { "start", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL, *until = NULL, *start = NULL, *sub;
    char *params[64];
    size_t nparams = 0;
    struct cmd_getopt go;
    int c, wall = 0, tasks = 0, quiet = 0, rc;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", longopts, help, CMD_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'p':
            if (nparams == 64)
                return cmd_usage_error(CMD, "at most 64 --param");
            params[nparams++] = optarg;
            break;
        case 'c':
            if (cmd_source_clock(CMD, optarg, &wall) != 0)
                return 2;
            break;
        case 'u':
            until = optarg;
            break;
        case 's':
            start = optarg;
            break;
        case 't':
            tasks = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (argc - optind != 2)
        return cmd_usage_error(CMD,
                               "expected 'validate JOB.json', 'run JOB.json' or 'history DIR'");
    sub = argv[optind];
    if (strcmp(sub, "validate") == 0)
        return validate(argv[optind + 1]);
    if (strcmp(sub, "run") == 0) {
        if (!out)
            return cmd_usage_error(CMD, "run needs --out DIR");
        return run(argv[optind + 1], out, params, nparams, wall, start, until, quiet);
    }
    if (strcmp(sub, "history") == 0) {
        struct lk_err err = LK_ERR_INIT;
        struct lk_buf path = LK_BUF_INIT;
        lk_buf_addf(&path, "%s/system.db", argv[optind + 1]);
        rc = jb_audit_history(path.s, tasks, stdout, &err);
        lk_buf_release(&path);
        return rc < 0 ? cmd_fail(CMD, &err) : cmd_finish(CMD, 0);
    }
    return cmd_usage_error(CMD, "unknown subcommand '%s' (validate, run, history)", sub);
}
