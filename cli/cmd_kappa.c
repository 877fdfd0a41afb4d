/* lklab kappa: the Kappa stack (docs/kappa.md) as a command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "kp_engine.h"
#include "lk_file.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "kappa"
static const char usage_line[] =
    "lklab kappa --data DIR --pipeline NAME|PATH --out RUN [--source log|files]\n"
    "                   [--source kafka://HOST:PORT/TOPIC|landing:DIR [--follow] [--clock wall]]\n"
    "                   [--trigger 1m|once|available-now|continuous] [--watermark 10m|none]\n"
    "                   [--output-mode append|update|complete] [--max-events-per-trigger N]\n"
    "                   [--max-files-per-trigger N] [--cost-model default|none|FILE.json]\n"
    "                   [--lake DIR] [--sink-guarantee exactly-once|at-least-once]\n"
    "                   [--crash-after N:PHASE] [--reprocess] [--final-watermark] [--workers N]\n"
    "                   [--durability fsync|process] [--change-feed] [--tenant-views]\n"
    "                   [--allowed-lateness D] [--quiet]";

static void help(void)
{
    printf(
        "usage: %s\n\n"
        "Runs the pipeline spec over the dataset with ONE streaming engine (Spark Structured\n"
        "Streaming rules): batch is just a long trigger. Virtual time comes from arrival_time;\n"
        "each micro-batch's duration comes from the cost model. Running again with the same\n"
        "RUN continues from RUN/checkpoint (that is how a restart looks).\n\n"
        "  --data DIR                 dataset from 'lklab gen' (or one JSONL file, log source)\n"
        "  --pipeline SPEC            name in datasets/pipelines/ or a .json path\n"
        "  --out RUN                  run directory: serving.db, checkpoint/, metrics.jsonl, run.json\n"
        "  --source log|files         partitioned log (offsets) or landing files (default log)\n"
        "  --source kafka://HOST:PORT/TOPIC\n"
        "                             a live log: the topic 'lklab replay' writes (no --data);\n"
        "                             stops at its end-of-replay record (docs/live.md)\n"
        "  --source landing:DIR       live landing files: the directory 'lklab replay' fills\n"
        "  --follow                   (live) keep waiting past the end of the replay\n"
        "  --clock virtual|wall       (kafka://) triggers on the arrival times (default), or\n"
        "                             on the replay's clock: wall time x its speed; a batch\n"
        "                             takes what the topic holds then (interval trigger)\n"
        "  --trigger T                a duration (30s, 1m, 24h: processing-time trigger, default 1m),\n"
        "                             once, available-now, or continuous (event at a time)\n"
        "  --watermark D|none         event-time watermark delay (default 10m)\n"
        "  --output-mode M            append (default), update or complete\n"
        "  --max-events-per-trigger N cap per micro-batch (log source), shared over the\n"
        "                             partitions in proportion to their backlogs (Spark's\n"
        "                             maxOffsetsPerTrigger); --trigger once ignores it\n"
        "  --max-files-per-trigger N  cap per micro-batch (files source)\n"
        "  --cost-model M             default, none (zero virtual time) or a JSON file\n"
        "  --lake DIR                 also write each batch's rows as files by tenant (append only)\n"
        "  --sink-guarantee G         exactly-once (default) or at-least-once\n"
        "  --crash-after N:PHASE      die abruptly in batch N after planned, processed,\n"
        "                             sink-committed or committed (then run again to recover)\n"
        "  --reprocess                replay from offset 0 into a new table version, then swap\n"
        "  --final-watermark          at the end of input, emit every open window (Flink-style)\n"
        "  --workers N                threads over the log partitions (default 1)\n"
        "  --durability D             fsync (default): checkpoints survive a power cut;\n"
        "                             process: no fsync, they survive a crash of the\n"
        "                             process (kill -9, --crash-after), not of the machine\n"
        "  --change-feed              also log every change of the output to the table\n"
        "                             `changes` (value histories; 'lklab latency' needs it\n"
        "                             for complete mode)\n"
        "  --tenant-views             one view output_tenant_<tenant> per tenant in\n"
        "                             serving.db (pipeline grouped by tenant)\n"
        "  --allowed-lateness D       continuous + update mode: keep a fired window until the\n"
        "                             watermark passes its end + D, re-emitting it for each\n"
        "                             late event in that span (Flink's allowedLateness)\n"
        "  --quiet                    no progress or summary\n\n"
        "exit: 0 ok, 2 usage, 3 bad dataset/spec/checkpoint, 4 I/O; a --crash-after death is\n"
        "signal 9 (137 in a shell)\n",
        usage_line);
}

static int parse_trigger(const char *v, struct kp_options *o)
{
    int kind = lk_trigger_lookup(v);
    if (kind == LK_TRIGGER_INTERVAL)
        lk_duration_parse(v, &o->interval);
    if (kind >= 0)
        o->trigger = (enum kp_trigger)kind;
    else {
        cmd_error(CMD,
                  "bad value '%s' for --trigger (a duration > 0 like 30s, or once, "
                  "available-now, continuous)",
                  v);
        return 2;
    }
    return 0;
}

static int parse_crash(const char *v, struct kp_options *o)
{
    const char *colon = strchr(v, ':');
    uint64_t n;
    int phase = colon ? kp_phase_lookup(colon + 1) : -1;
    char num[32];
    if (!colon || phase < 0 || (size_t)(colon - v) >= sizeof(num)) {
        cmd_error(CMD,
                  "bad value '%s' for --crash-after (N:PHASE, PHASE one of planned, "
                  "processed, sink-committed, committed)",
                  v);
        return 2;
    }
    snprintf(num, sizeof(num), "%.*s", (int)(colon - v), v);
    if (cmd_parse_u64(CMD, "--crash-after", num, 0, 1000000000, &n))
        return 2;
    o->crash_batch = (int64_t)n;
    o->crash_phase = (enum kp_phase)phase;
    o->crash = cmd_crash;
    return 0;
}

static int parse_choice(const char *opt, const char *v, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    cmd_error(CMD, "bad value '%s' for %s (one of %s%s%s%s%s)", v, opt, names[0], n > 1 ? ", " : "",
              n > 1 ? names[1] : "", n > 2 ? ", " : "", n > 2 ? names[2] : "");
    return 2;
}

enum {
    O_DATA = 256,
    O_PIPE,
    O_OUT,
    O_SOURCE,
    O_TRIGGER,
    O_WM,
    O_MODE,
    O_MAXEV,
    O_MAXF,
    O_COST,
    O_LAKE,
    O_SINK,
    O_CRASH,
    O_REPROC,
    O_FINAL,
    O_WORKERS,
    O_DURABLE,
    O_CFEED,
    O_TVIEWS,
    O_LATENESS,
    O_QUIET,
    O_FOLLOW,
    O_CLOCK,
    O_HELP
};

struct args {
    const char *pipeline, *cost;
    int quiet;
    struct cmd_source src;
};

/* One option (a val of opts other than O_HELP): 0, or exit code 2 after one line. */
static int parse_one(int c, const char *v, struct kp_options *o, struct args *a)
{
    static const char *const sources[] = { "log", "files" };
    const char *const modes[] = { lk_mode_name(LK_MODE_APPEND), lk_mode_name(LK_MODE_UPDATE),
                                  lk_mode_name(LK_MODE_COMPLETE) };
    static const char *const sinks[] = { "exactly-once", "at-least-once" };
    static const char *const durability[] = { "fsync", "process" };
    uint64_t n;
    int i, rc = 0;
    switch (c) {
    case O_DATA:
        o->data = v;
        break;
    case O_PIPE:
        a->pipeline = v;
        break;
    case O_OUT:
        o->run = v;
        break;
    case O_SOURCE:
        if (cmd_source_is_live(v))
            a->src.live = v;
        else
            rc = parse_choice("--source", v, sources, 2, &i), o->source = (enum kp_source)i;
        break;
    case O_FOLLOW:
        a->src.follow = 1;
        break;
    case O_CLOCK:
        rc = cmd_source_clock(CMD, v, &a->src.wall);
        break;
    case O_TRIGGER:
        rc = parse_trigger(v, o);
        break;
    case O_WM:
        o->has_watermark = strcmp(v, "none") != 0;
        if (o->has_watermark)
            rc = cmd_parse_duration(CMD, "--watermark", v, &o->delay);
        break;
    case O_MODE:
        rc = parse_choice("--output-mode", v, modes, 3, &i);
        o->mode = (enum kp_mode)i;
        break;
    case O_MAXEV:
        rc = cmd_parse_u64(CMD, "--max-events-per-trigger", v, 1, UINT64_MAX / 2, &o->max_events);
        break;
    case O_MAXF:
        rc = cmd_parse_u64(CMD, "--max-files-per-trigger", v, 1, UINT64_MAX / 2, &o->max_files);
        break;
    case O_COST:
        a->cost = v;
        break;
    case O_LAKE:
        o->lake = v;
        break;
    case O_SINK:
        rc = parse_choice("--sink-guarantee", v, sinks, 2, &i);
        o->exactly_once = i == 0;
        break;
    case O_CRASH:
        rc = parse_crash(v, o);
        break;
    case O_REPROC:
        o->reprocess = 1;
        break;
    case O_FINAL:
        o->final_watermark = 1;
        break;
    case O_WORKERS:
        rc = cmd_parse_u64(CMD, "--workers", v, 1, 64, &n);
        o->workers = (unsigned)n;
        break;
    case O_DURABLE:
        rc = parse_choice("--durability", v, durability, 2, &i);
        o->durability = i ? LK_DURABLE_PROCESS : LK_DURABLE_FSYNC;
        break;
    case O_CFEED:
        o->change_feed = 1;
        break;
    case O_TVIEWS:
        o->tenant_views = 1;
        break;
    case O_LATENESS:
        rc = cmd_parse_duration(CMD, "--allowed-lateness", v, &o->allowed_lateness);
        break;
    case O_QUIET:
        a->quiet = 1;
        break;
    }
    return rc;
}

static void summary(const struct kp_summary *s, const char *run)
{
    fprintf(stderr,
            "lklab kappa: %llu lines = %llu processed + %llu duplicates + %llu late + %llu "
            "quarantined; %llu batches (%llu no-data), %llu output rows, max state %llu rows, "
            "%llu windows left in state; %.2fs wall\n"
            "lklab kappa: results in %s (serving.db, metrics.jsonl, run.json)\n",
            (unsigned long long)s->lines, (unsigned long long)s->processed,
            (unsigned long long)s->duplicates, (unsigned long long)s->late,
            (unsigned long long)s->quarantined, (unsigned long long)s->batches,
            (unsigned long long)s->nodata_batches, (unsigned long long)s->output_rows,
            (unsigned long long)s->max_state_rows, (unsigned long long)s->state_rows_at_end,
            s->wall_seconds, run);
}

/* The engine's notes (where a restart resumes): one stderr line each, even with --quiet. */
static void note(void *arg, const char *msg)
{
    (void)arg;
    cmd_error(CMD, "%s", msg);
}

static int run(struct kp_options *o, struct args *a)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_spec spec;
    struct kp_summary sum;
    struct cmd_progress prog;
    struct cmd_source_progress sp = { { 0 }, NULL, NULL, { 0, { 0, 0, 0 } } };
    int wait;
    char path[4096];
    if (cmd_spec_load(a->pipeline, &spec, path, sizeof(path), &err) < 0
        || lk_model_load(&o->model, a->cost ? a->cost : "default", &err) < 0)
        return cmd_fail(CMD, &err);
    o->spec = &spec;
    o->spec_path = path;
    if (kp_options_check(o, &err) < 0)
        return cmd_usage_error(CMD, "%s", err.msg);
    if (!a->src.live && cmd_need_dataset(CMD, o->data) != 0)
        return 3;
    if (o->max_events && o->trigger == KP_TRIG_ONCE) /* Spark's Trigger.Once does the same */
        cmd_error(CMD, "note: --trigger once ignores --max-events-per-trigger: it reads the whole "
                       "backlog in one batch (use --trigger available-now to keep the cap)");
    cmd_progress_init(&prog, CMD, "streaming", 0, a->quiet);
    o->progress = cmd_progress_cb;
    o->progress_arg = &prog;
    if (a->src.live && lk_kafka_is_url(a->src.live)) { /* no total: the lag behind the replay */
        sp.p = prog;
        sp.url = a->src.live;
        sp.run = o->run;
        o->progress = cmd_source_progress;
        o->progress_arg = &sp;
    }
    o->note = note;
    if ((wait = cmd_source_wait(CMD, &a->src)) != 0) {
        cmd_source_release(&a->src);
        return wait;
    }
    if (kp_run(o, &sum, &err) < 0) {
        cmd_source_release(&a->src);
        return cmd_fail(CMD, &err);
    }
    cmd_source_release(&a->src);
    if (o->progress == cmd_source_progress) {
        if (sp.p.tty && !sp.p.quiet)
            fputc('\n', stderr);
    } else {
        cmd_progress_done(&prog, prog.total);
    }
    if (o->crash_batch >= 0) /* still alive: the batch never ran (or ran before a restart) */
        cmd_error(CMD, "note: --crash-after %lld:%s never fired: no batch %lld ran in this run",
                  (long long)o->crash_batch, kp_phase_name(o->crash_phase),
                  (long long)o->crash_batch);
    if (!a->quiet)
        summary(&sum, o->run);
    return 0;
}

int cmd_kappa(int argc, char **argv)
{
    static const struct option opts[] = {
        { "data", required_argument, NULL, O_DATA },
        { "pipeline", required_argument, NULL, O_PIPE },
        { "out", required_argument, NULL, O_OUT },
        { "source", required_argument, NULL, O_SOURCE },
        { "trigger", required_argument, NULL, O_TRIGGER },
        { "watermark", required_argument, NULL, O_WM },
        { "output-mode", required_argument, NULL, O_MODE },
        { "max-events-per-trigger", required_argument, NULL, O_MAXEV },
        { "max-files-per-trigger", required_argument, NULL, O_MAXF },
        { "cost-model", required_argument, NULL, O_COST },
        { "lake", required_argument, NULL, O_LAKE },
        { "sink-guarantee", required_argument, NULL, O_SINK },
        { "crash-after", required_argument, NULL, O_CRASH },
        { "reprocess", no_argument, NULL, O_REPROC },
        { "final-watermark", no_argument, NULL, O_FINAL },
        { "workers", required_argument, NULL, O_WORKERS },
        { "durability", required_argument, NULL, O_DURABLE },
        { "change-feed", no_argument, NULL, O_CFEED },
        { "tenant-views", no_argument, NULL, O_TVIEWS },
        { "allowed-lateness", required_argument, NULL, O_LATENESS },
        { "quiet", no_argument, NULL, O_QUIET },
        { "help", no_argument, NULL, O_HELP },
        { "follow", no_argument, NULL, O_FOLLOW },
        { "clock", required_argument, NULL, O_CLOCK },
        { NULL, 0, NULL, 0 },
    };
    struct kp_options o = KP_OPTIONS_INIT;
    struct args a = { NULL, NULL, 0, CMD_SOURCE_INIT };
    struct cmd_getopt go;
    int c, rc, files;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0)
        if ((rc = parse_one(c, optarg, &o, &a)) != 0)
            return rc;
    if (c < 0)
        return go.rc;
    files = o.source == KP_SRC_FILES;
    if ((c = cmd_source_apply(CMD, &a.src, &o.data, &files)) != 0)
        return c;
    o.source = files ? KP_SRC_FILES : KP_SRC_LOG;
    o.wall_clock = a.src.wall;
    if (o.wall_clock && (o.trigger != KP_TRIG_INTERVAL || o.workers > 1))
        c = cmd_usage_error(CMD, "--clock wall needs an interval --trigger and one worker");
    else
        c = cmd_need_options(CMD, "--data", o.data, "--pipeline", a.pipeline, "--out", o.run, NULL);
    if (c != 0) {
        cmd_source_release(&a.src); /* the live source's name cmd_source_apply made */
        return c;
    }
    return run(&o, &a);
}
