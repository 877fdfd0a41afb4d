/* lklab truth: the oracle (docs/formats.md "The truth") as a command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lk_file.h"
#include "lk_time.h"
#include "lk_spec.h"
#include "lk_truth.h"
#include "banned.h"

#define CMD "truth"
static const char usage_line[] =
    "lklab truth --data DIR|FILE.jsonl --pipeline NAME|PATH.json --out FILE.csv [--as-of T]\n"
    "                   [--quiet]";

static void help(void)
{
    printf(
        "%s\n\n"
        "Evaluates a pipeline spec over a whole dataset, naively and in memory: the oracle\n"
        "every engine and lab is checked against. Malformed lines are dropped and counted,\n"
        "the first copy of each event_id is kept, every event counts however late. Writes\n"
        "the canonical result CSV atomically: FILE.csv appears only when complete. A\n"
        "summary goes to stderr. The rules and the CSV format: docs/formats.md.\n\n"
        "  --data DIR        a dataset from 'lklab gen' (reads DIR/log/*.jsonl) or one JSONL file\n"
        "  --pipeline SPEC   a name in datasets/pipelines/ (e.g. revenue) or a .json path\n"
        "  --out FILE        result CSV ('-' for standard output)\n"
        "  --as-of T         the truth as of instant T (ISO 8601): only the events that had\n"
        "                    arrived by T (arrival_time <= T), as if the data ended there;\n"
        "                    compare it with an answer read at T to see what is in flight\n"
        "  --quiet           no progress or summary on stderr\n"
        "  --help            this text\n\n"
        "exit: 0 ok, 2 usage, 3 missing/bad dataset or spec, or no --out directory, 4 I/O error\n",
        usage_line);
}

static void summary(const struct lk_truth_stats *st, const struct lk_spec *spec, double secs)
{
    fprintf(stderr,
            "lklab truth: %s: %llu lines -> %llu events, %llu duplicates, %llu malformed,"
            " %llu filtered -> %llu rows in %.2fs (%.0f events/s)\n",
            spec->name, (unsigned long long)st->lines, (unsigned long long)st->events,
            (unsigned long long)st->duplicates, (unsigned long long)st->malformed,
            (unsigned long long)st->filtered, (unsigned long long)st->rows, secs,
            secs > 0 ? (double)st->lines / secs : 0.0);
    for (int r = 1; r < LK_Q_COUNT; r++)
        if (st->by_reason[r])
            fprintf(stderr, "lklab truth:   malformed %-16s %llu\n", lk_reason_id(r),
                    (unsigned long long)st->by_reason[r]);
}

static int run(const char *data, const char *pipeline, const char *out, int64_t as_of, int quiet)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_spec spec;
    struct lk_truth_stats st;
    struct cmd_out o = CMD_OUT_INIT;
    struct cmd_progress prog;
    char path[4096];
    double t0;
    int rc;

    if (cmd_spec_load(pipeline, &spec, path, sizeof(path), &err) < 0)
        return cmd_fail(CMD, &err);
    if (cmd_need_dataset(CMD, data) != 0)
        return 3;
    if ((rc = cmd_out_open(&o, CMD, out)) != 0)
        return rc;
    cmd_progress_init(&prog, CMD, "reading", 0, quiet);
    t0 = lk_wall_now();
    rc = lk_truth_run(&spec, data, as_of, o.fp, &st, cmd_progress_cb, &prog, &err);
    if ((rc = cmd_out_close(&o, CMD, rc, &err)) != 0)
        return rc;
    cmd_progress_done(&prog, st.bytes);
    if (!quiet)
        summary(&st, &spec, lk_wall_now() - t0);
    return 0;
}

int cmd_truth(int argc, char **argv)
{
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "pipeline", required_argument, NULL, 'p' },
        { "out", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },
        { "as-of", required_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *data = NULL, *pipeline = NULL, *out = NULL;
    int64_t as_of = LK_TIME_POS_INF;
    struct cmd_getopt go;
    int quiet = 0, c;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'p':
            pipeline = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'a':
            if (lk_time_parse(optarg, strlen(optarg), &as_of) < 0)
                return cmd_usage_error(CMD,
                                       "--as-of '%s' is not an ISO 8601 time like "
                                       "2026-01-01T12:03:30Z",
                                       optarg);
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (cmd_need_options(CMD, "--data", data, "--pipeline", pipeline, "--out", out, NULL))
        return 2;
    return run(data, pipeline, out, as_of, quiet);
}
