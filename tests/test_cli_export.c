/*
 * End-to-end: `lklab export spark` writes, for every pipeline in datasets/pipelines/, a
 * PySpark job with the spec's steps and the options' Spark calls (checked against the
 * spec by hand, not against another export), that Python compiles; and it refuses what
 * Spark refuses with one line. Running the jobs on real Spark is `make spark-check`.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

static char *export_job(const char *args)
{
    char *dir = lkt_tmpdir("export"), *path = lkt_fmt("%s/job.py", dir), *job;
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "export spark %s --out %s", args, path), 0, "%s: %s", args,
                 err);
    job = lkt_slurp(path);
    cr_assert(job, "no job at %s", path);
    free(err);
    free(path);
    free(dir);
    return job;
}

static void has(const char *job, const char *want)
{
    cr_assert(strstr(job, want), "the job lacks: %s", want);
}

Test(cli_export, revenue_in_append_mode_has_every_step_of_the_spec)
{
    char *job = export_job("--pipeline revenue --max-files-per-trigger 10");
    has(job, "readStream.format(\"text\")");
    has(job, "reader.option(\"maxFilesPerTrigger\", 10)");
    has(job, "SCHEMA = StructType(");
    has(job, "events = events.dropDuplicates([\"event_id\"])");
    has(job, "events = events.withWatermark(\"event_time\", \"10 minutes\")");
    has(job, "window = F.window(\"event_time\", \"1 minute\")");
    has(job, "GROUP_BY = [\"tenant\", \"type\"]");
    has(job, "F.count(F.lit(1)).alias(\"events\")");
    has(job, "F.sum(\"value\").alias(\"value_sum\")");
    has(job, "F.min(\"value\").alias(\"value_min\")");
    has(job, "F.max(\"value\").alias(\"value_max\")");
    has(job, "F.size(F.collect_set(\"key\")).alias(\"distinct_keys\")");
    has(job, "MONEY = {\"value_sum\", \"value_min\", \"value_max\"}");
    has(job, ".outputMode(\"append\")");
    has(job, ".trigger(availableNow=True)");
    has(job, ".option(\"checkpointLocation\", args.checkpoint)");
    has(job, "lklab kappa --data DATA --pipeline revenue --source files --trigger available-now "
             "--watermark 10m --output-mode append --max-files-per-trigger 10 --out RUN");
    free(job);
}

Test(cli_export, sliding_sessions_filters_and_triggers_map_to_their_spark_calls)
{
    char *job =
        export_job("--pipeline sliding --output-mode update --watermark none --trigger 30s");
    has(job, "window = F.window(\"event_time\", \"10 minutes\", \"5 minutes\")");
    has(job, "events = events.where(F.col(\"type\") == \"purchase\")");
    has(job, "# No watermark (lklab: --watermark none)");
    has(job, ".trigger(processingTime=\"30 seconds\")");
    has(job, ".outputMode(\"update\")");
    cr_assert_null(strstr(job, ".withWatermark("));
    free(job);
    job = export_job("--pipeline sessions --output-mode complete --source kafka "
                     "--max-events-per-trigger 500");
    has(job, "window = F.session_window(\"event_time\", \"5 minutes\")");
    has(job, "format(\"kafka\")");
    has(job, "reader.option(\"maxOffsetsPerTrigger\", 500)");
    has(job, "--kafka-bootstrap");
    free(job);
}

Test(cli_export, every_pipeline_and_mode_compiles_as_python)
{
    static const char *const cases[] = {
        "revenue --output-mode append",
        "revenue --output-mode update --watermark none",
        "revenue --output-mode complete",
        "sliding --output-mode append",
        "sliding --output-mode update",
        "sessions --output-mode append",
        "sessions --output-mode complete --watermark none --source kafka",
    };
    char *dir = lkt_tmpdir("export-py");
    if (system("python3 -c 'pass' 2>/dev/null") != 0)
        cr_skip_test("no python3");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err = NULL, *cmd;
        cr_assert_eq(
            lkt_run(NULL, &err, "export spark --pipeline %s --out %s/job%zu.py", cases[i], dir, i),
            0, "%s: %s", cases[i], err);
        cmd = lkt_fmt("python3 -m py_compile %s/job%zu.py", dir, i);
        cr_assert_eq(system(cmd), 0, "%s does not compile", cases[i]);
        free(cmd);
        free(err);
    }
    free(dir);
}

Test(cli_export, what_spark_refuses_is_refused_in_one_line)
{
    static const struct {
        const char *args, *msg;
    } cases[] = {
        { "--pipeline revenue --watermark none", "append mode needs a watermark" },
        { "--pipeline sessions --output-mode update", "session windows in update mode" },
        { "--pipeline revenue --source kafka --max-files-per-trigger 3", "needs --source landing" },
        { "--pipeline revenue --output-mode upsert", "--output-mode 'upsert'" },
        { "--pipeline revnue", "did you mean 'revenue'?" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err = NULL;
        cr_assert_eq(lkt_run(NULL, &err, "export spark %s --out -", cases[i].args), 2, "%s",
                     cases[i].args);
        cr_assert(strstr(err, cases[i].msg) && strchr(err, '\n') == err + strlen(err) - 1, "%s: %s",
                  cases[i].args, err);
        free(err);
    }
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "export flink --pipeline revenue --out -"), 2);
    cr_assert_str_eq(err, "lklab export: unknown target 'flink' (targets: spark) "
                          "(see 'lklab export --help')\n");
    free(err);
}
