/* lklab export: a pipeline spec as a job for another engine (docs/spark.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lk_buf.h"
#include "lk_export_spark.h"
#include "lk_file.h"
#include "lk_spec.h"
#include "banned.h"

#define CMD "export"
static const char usage_line[] =
    "lklab export spark --pipeline NAME|PATH.json --out JOB.py [--source landing|kafka]\n"
    "                   [--trigger D|available-now] [--watermark D|none]\n"
    "                   [--output-mode append|update|complete] [--max-files-per-trigger N]\n"
    "                   [--max-events-per-trigger N]";

static void help(void)
{
    printf(
        "%s\n\n"
        "Writes the pipeline spec as a readable PySpark Structured Streaming job: readStream\n"
        "with an explicit schema, lklab's event rules, the spec's dedup, filter, window and\n"
        "aggregates, withWatermark, outputMode, trigger and checkpointLocation, each step\n"
        "commented with its lecture concept and the lklab flag that does the same. The job\n"
        "takes --input, --checkpoint and --output and writes lklab's canonical result CSV,\n"
        "so 'lklab reconcile' compares it with lklab's answer. Options mean what they mean\n"
        "for 'lklab kappa'. Combinations Spark refuses are refused here (exit 2). Running it,\n"
        "and where Spark and lklab differ: docs/spark.md.\n\n"
        "  --pipeline SPEC            a name in datasets/pipelines/ or a .json path\n"
        "  --out FILE                 the job (.py; '-' for standard output)\n"
        "  --source S                 landing (JSON-lines files, default) or kafka (a topic)\n"
        "  --trigger T                available-now (default) or a duration (1m: processing time)\n"
        "  --watermark D|none         event-time watermark delay (default 10m)\n"
        "  --output-mode M            append (default), update or complete\n"
        "  --max-files-per-trigger N  landing: maxFilesPerTrigger\n"
        "  --max-events-per-trigger N kafka: maxOffsetsPerTrigger\n"
        "  --help                     this text\n\n"
        "exit: 0 ok, 2 usage (or a query Spark refuses), 3 bad spec, 4 I/O error\n",
        usage_line);
}

static int write_job(const struct lk_buf *job, const char *out)
{
    struct lk_err err = LK_ERR_INIT;
    struct cmd_out o = CMD_OUT_INIT;
    int rc = cmd_out_open(&o, CMD, out);
    if (rc != 0)
        return rc;
    if (fwrite(job->s, 1, job->len, o.fp) != job->len && o.fp != stdout) /* stdout: cmd_finish */
        rc = lk_err_set(&err, LK_EIO, "cannot write '%s'", out);
    return cmd_out_close(&o, CMD, rc, &err);
}

static int run(const char *pipeline, const char *out, struct lk_export_opts *o)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_buf job = LK_BUF_INIT;
    struct lk_spec spec;
    char path[4096];
    int rc;

    if (cmd_spec_load(pipeline, &spec, path, sizeof(path), &err) < 0)
        return cmd_fail(CMD, &err);
    o->pipeline = pipeline;
    if (lk_export_spark(&spec, o, &job, &err) < 0)
        return cmd_usage_error(CMD, "%s", err.msg);
    rc = write_job(&job, out);
    lk_buf_release(&job);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        { "pipeline", required_argument, NULL, 'p' },
        { "out", required_argument, NULL, 'o' },
        { "source", required_argument, NULL, 's' },
        { "trigger", required_argument, NULL, 't' },
        { "watermark", required_argument, NULL, 'w' },
        { "output-mode", required_argument, NULL, 'm' },
        { "max-files-per-trigger", required_argument, NULL, 'f' },
        { "max-events-per-trigger", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct lk_export_opts o = { NULL, LK_EXPORT_LANDING, 0, 600000, LK_MODE_APPEND, 0, 0 };
    const char *pipeline = NULL, *out = NULL;
    struct cmd_getopt go;
    int c, m;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2)
            return cmd_usage_error(CMD, "missing the target engine: spark");
        help();
        return 0;
    }
    if (strcmp(argv[1], "spark") != 0)
        return cmd_usage_error(CMD, "unknown target '%s' (targets: spark)", argv[1]);
    argc--, argv++;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'p':
            pipeline = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 's':
            if (strcmp(optarg, "landing") && strcmp(optarg, "kafka"))
                return cmd_usage_error(CMD, "--source '%s': landing or kafka", optarg);
            o.source = strcmp(optarg, "kafka") == 0 ? LK_EXPORT_KAFKA : LK_EXPORT_LANDING;
            break;
        case 't':
            if (strcmp(optarg, "available-now") == 0)
                o.trigger_ms = 0;
            else if (cmd_parse_duration(CMD, "--trigger", optarg, &o.trigger_ms) != 0)
                return 2;
            break;
        case 'w':
            if (strcmp(optarg, "none") == 0)
                o.watermark_ms = -1;
            else if (cmd_parse_duration(CMD, "--watermark", optarg, &o.watermark_ms) != 0)
                return 2;
            break;
        case 'm':
            if ((m = lk_mode_lookup(optarg)) < 0)
                return cmd_usage_error(CMD, "--output-mode '%s': append, update or complete",
                                       optarg);
            o.mode = (enum lk_mode)m;
            break;
        case 'f':
            if (cmd_parse_u64(CMD, "--max-files-per-trigger", optarg, 1, UINT32_MAX, &o.max_files))
                return 2;
            break;
        case 'e':
            if (cmd_parse_u64(CMD, "--max-events-per-trigger", optarg, 1, UINT32_MAX,
                              &o.max_events))
                return 2;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (cmd_need_options(CMD, "--pipeline", pipeline, "--out", out, NULL))
        return 2;
    return run(pipeline, out, &o);
}
