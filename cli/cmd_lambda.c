/* lklab lambda: the Lambda stack (docs/lambda.md) as a command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lb_rundir.h"
#include "lk_file.h"
#include "lk_kafka.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "lambda"
static const char usage_line[] =
    "lklab lambda --data DIR --pipeline NAME|PATH --out RUN [--batch-every 6h]\n"
    "                    [--source kafka://HOST:PORT/TOPIC [--follow]] (instead of --data)\n"
    "                    [--speed-trigger 10s] [--cost-model default|none|FILE.json]\n"
    "                    [--crash-after batch:K|speed:K] [--quiet]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Runs the pipeline spec over the dataset on a Lambda stack (docs/lambda.md), in\n"
           "virtual time taken from arrival_time:\n"
           "  master dataset  every line appended to RUN/serving.db as it arrives (duplicates\n"
           "                  included; malformed lines quarantined)\n"
           "  batch layer     at every multiple of --batch-every, SQL generated from the spec\n"
           "                  recomputes the view FROM SCRATCH over the master dataset (exact:\n"
           "                  dedup, late data); it becomes visible after the modelled job time\n"
           "  speed layer     C code over each --speed-trigger bucket of arrivals: fast but\n"
           "                  at-least-once (duplicates counted) and HyperLogLog distinct counts\n"
           "  serving layer   batch view (+) speed buckets the view does not cover yet\n"
           "After the input ends a final batch job covers everything: the serving answer then\n"
           "equals 'lklab truth'. Read answers with 'lklab results --run RUN [--at TIME]'.\n"
           "Running again with the same RUN resumes an interrupted run.\n\n"
           "  --data DIR            dataset from 'lklab gen' (or one JSONL file)\n"
           "  --source kafka://HOST:PORT/TOPIC\n"
           "                        a live log instead of --data: the topic 'lklab replay'\n"
           "                        writes; the arrival times still drive the clock, and the\n"
           "                        run stops at its end-of-replay records (docs/live.md)\n"
           "  --follow              (kafka://) keep waiting past the end of the replay\n"
           "  --clock virtual       the only clock of the Lambda stack (kappa has 'wall')\n"
           "  --pipeline SPEC       name in datasets/pipelines/ or a .json path\n"
           "  --out RUN             run directory: serving.db, speed.checkpoint, metrics.jsonl,\n"
           "                        run.json (written last); with kafka:// also source/log/,\n"
           "                        the topic's lines as files for the discrepancy's truth\n"
           "  --batch-every D       batch job period (default 6h); a multiple of --speed-trigger\n"
           "  --speed-trigger D     speed micro-batch period = arrival bucket (default 10s)\n"
           "  --cost-model M        default, none (zero virtual time) or a JSON file\n"
           "  --crash-after L:K     die abruptly inside batch job K (after its rows are written,\n"
           "                        before the swap) or speed micro-batch K (after its commit,\n"
           "                        before its checkpoint); run again to recover\n"
           "  --quiet               no progress or summary\n"
           "  --help                this text\n\n"
           "exit: 0 ok, 2 usage, 3 bad dataset/spec/checkpoint, 4 I/O; a --crash-after death is\n"
           "signal 9 (137 in a shell)\n",
           usage_line);
}

static int parse_crash(const char *v, struct lb_crash *c)
{
    const char *colon = strchr(v, ':');
    uint64_t n;
    if (colon && colon - v == 5 && strncmp(v, "batch", 5) == 0)
        c->layer = LB_LAYER_BATCH;
    else if (colon && colon - v == 5 && strncmp(v, "speed", 5) == 0)
        c->layer = LB_LAYER_SPEED;
    else {
        cmd_error(CMD, "bad value '%s' for --crash-after (batch:K or speed:K, K >= 1)", v);
        return 2;
    }
    if (cmd_parse_u64(CMD, "--crash-after", colon + 1, 1, 1000000000, &n))
        return 2;
    c->job = (int64_t)n;
    c->fn = cmd_crash;
    return 0;
}

enum {
    O_DATA = 256,
    O_PIPE,
    O_OUT,
    O_BATCH,
    O_SPEED,
    O_COST,
    O_CRASH,
    O_QUIET,
    O_HELP,
    O_SOURCE,
    O_FOLLOW,
    O_CLOCK
};

struct args {
    const char *data, *pipeline, *out, *cost;
    int64_t batch_every, speed_trigger;
    struct lb_crash crash;
    int quiet;
    struct cmd_source src;
};

static int parse_period(const char *opt, const char *v, int64_t *out)
{
    if (cmd_parse_duration(CMD, opt, v, out))
        return 2;
    if (*out <= 0) {
        cmd_error(CMD, "bad duration '%s' for %s (must be > 0)", v, opt);
        return 2;
    }
    return 0;
}

/* One option (a val of opts other than O_HELP): 0, or exit code 2 after one line. */
static int parse_one(int c, const char *v, struct args *a)
{
    switch (c) {
    case O_DATA:
        a->data = v;
        return 0;
    case O_PIPE:
        a->pipeline = v;
        return 0;
    case O_OUT:
        a->out = v;
        return 0;
    case O_BATCH:
        return parse_period("--batch-every", v, &a->batch_every);
    case O_SPEED:
        return parse_period("--speed-trigger", v, &a->speed_trigger);
    case O_COST:
        a->cost = v;
        return 0;
    case O_CRASH:
        return parse_crash(v, &a->crash);
    case O_QUIET:
        a->quiet = 1;
        return 0;
    case O_SOURCE:
        if (!cmd_source_is_live(v))
            return cmd_usage_error(CMD, "bad value '%s' for --source (kafka://HOST:PORT/TOPIC)", v);
        a->src.live = v;
        return 0;
    case O_FOLLOW:
        a->src.follow = 1;
        return 0;
    case O_CLOCK:
        return cmd_source_clock(CMD, v, &a->src.wall);
    }
    return 0;
}

static void summary(const struct lb_run_summary *s, const char *run)
{
    if (s->already_complete) {
        fprintf(stderr, "lklab lambda: run '%s' is already complete; nothing to do\n", run);
        return;
    }
    fprintf(stderr,
            "lklab lambda: %llu lines = %llu processed + %llu duplicates + %llu quarantined"
            " (%llu filtered); %lld batch jobs, %lld speed micro-batches, %llu serving rows;"
            " %.2fs wall%s\n"
            "lklab lambda: results in %s (serving.db, metrics.jsonl, run.json)\n",
            (unsigned long long)s->lines, (unsigned long long)s->processed,
            (unsigned long long)s->duplicates, (unsigned long long)s->quarantined,
            (unsigned long long)s->filtered, (long long)s->batch_jobs, (long long)s->micro_batches,
            (unsigned long long)s->serving_rows, s->wall_seconds,
            s->resumed ? " (resumed an interrupted run)" : "", run);
}

/* Load the spec (and its text, kept in the run) and the cost model. */
static int load_inputs(const struct args *a, struct lk_spec *spec, char *path, size_t size,
                       char **text, struct lk_model *model, struct lk_err *err)
{
    size_t len;
    int rc;
    *text = NULL;
    if ((rc = cmd_spec_load(a->pipeline, spec, path, size, err)) < 0
        || (rc = lk_file_read_all(path, (size_t)1 << 20, text, &len, err)) < 0)
        return rc;
    if ((rc = lk_model_load(model, a->cost ? a->cost : "default", err)) < 0) {
        char msg[LK_ERR_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        return lk_err_set(err, rc, "--cost-model: %s", msg);
    }
    return 0;
}

static int run(struct args *a)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_spec spec;
    struct lk_model model;
    struct lb_run_summary sum;
    struct cmd_progress prog;
    struct cmd_source_progress sp = { { 0 }, NULL, NULL, { 0, { 0, 0, 0 } } };
    struct lb_run_opts o;
    char path[4096], *text = NULL;
    int rc;
    if (lb_rundir_check_periods(a->batch_every, a->speed_trigger, &err) < 0)
        return cmd_fail(CMD, &err);
    if (load_inputs(a, &spec, path, sizeof(path), &text, &model, &err) < 0) {
        free(text);
        return cmd_fail(CMD, &err);
    }
    if (!a->src.live && cmd_need_dataset(CMD, a->data) != 0) {
        free(text);
        return 3;
    }
    o = (struct lb_run_opts){ a->data,
                              a->out,
                              &spec,
                              text,
                              path,
                              a->batch_every,
                              a->speed_trigger,
                              &model,
                              a->crash,
                              lk_wall_now,
                              cmd_progress_cb,
                              &prog };
    cmd_progress_init(&prog, CMD, "streaming", 0, a->quiet);
    if (a->src.live) { /* no total: the Kafka offsets consumed */
        sp.p = prog;
        sp.url = a->src.live;
        sp.run = a->out;
        o.progress = cmd_source_progress;
        o.progress_arg = &sp;
    }
    rc = lb_run(&o, &sum, &err);
    free(text);
    if (rc < 0)
        return cmd_fail(CMD, &err);
    if (!a->src.live)
        cmd_progress_done(&prog, prog.total);
    else if (sp.p.tty && !sp.p.quiet)
        fputc('\n', stderr);
    if (!a->quiet)
        summary(&sum, a->out);
    return 0;
}

int cmd_lambda(int argc, char **argv)
{
    static const struct option opts[] = {
        { "data", required_argument, NULL, O_DATA },
        { "pipeline", required_argument, NULL, O_PIPE },
        { "out", required_argument, NULL, O_OUT },
        { "batch-every", required_argument, NULL, O_BATCH },
        { "speed-trigger", required_argument, NULL, O_SPEED },
        { "cost-model", required_argument, NULL, O_COST },
        { "crash-after", required_argument, NULL, O_CRASH },
        { "quiet", no_argument, NULL, O_QUIET },
        { "help", no_argument, NULL, O_HELP },
        { "source", required_argument, NULL, O_SOURCE },
        { "follow", no_argument, NULL, O_FOLLOW },
        { "clock", required_argument, NULL, O_CLOCK },
        { NULL, 0, NULL, 0 },
    };
    struct args a = {
        NULL,          NULL, NULL,           NULL, 6 * LK_MS_PER_HOUR, 10 * LK_MS_PER_SEC,
        LB_CRASH_INIT, 0,    CMD_SOURCE_INIT
    };
    struct cmd_getopt go;
    int c, rc, files = 0;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0)
        if ((rc = parse_one(c, optarg, &a)) != 0)
            return rc;
    if (c < 0)
        return go.rc;
    if (a.src.live && !lk_kafka_is_url(a.src.live))
        return cmd_usage_error(CMD,
                               "--source %s: the Lambda stack reads a log (kafka://); "
                               "landing files are Kappa's files source (docs/live.md)",
                               a.src.live);
    if (a.src.wall)
        return cmd_usage_error(CMD, "--clock wall is for lklab kappa: the Lambda stack runs "
                                    "on the virtual clock (docs/live.md)");
    if ((c = cmd_source_apply(CMD, &a.src, &a.data, &files)) != 0)
        return c;
    c = cmd_need_options(CMD, "--data", a.data, "--pipeline", a.pipeline, "--out", a.out, NULL);
    if (c == 0)
        c = run(&a);
    cmd_source_release(&a.src);
    return c;
}
