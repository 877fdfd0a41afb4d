/* lklab - the Lambda-Kappa Lab front end. main only dispatches (STYLE "Modules"). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lk_suggest.h"
#include "banned.h"

/*
 * examples: working command lines printed after the command's own --help (they run as
 * written after the README's "A first session", whose dataset is out/ds).
 */
struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *examples;
};

static const struct command commands[] = {
    { "gen", cmd_gen, "generate a deterministic dataset (log partitions + landing files)",
      "lklab gen --scenario clickstream --events 100000 --out out/ds\n"
      "lklab gen --scenario iot --events 20000 --seed 7 --late-frac 0.2 --out out/iot" },
    { "truth", cmd_truth, "evaluate a pipeline spec naively over a dataset: the oracle",
      "lklab truth --data out/ds --pipeline revenue --out out/truth.csv" },
    { "kappa", cmd_kappa, "run the Kappa stack: one streaming engine, batch = a long trigger",
      "lklab kappa --data out/ds --pipeline revenue --out out/k-1m --trigger 1m\n"
      "lklab kappa --data out/ds --pipeline revenue --out out/k1 --trigger 1m --watermark none \\\n"
      "    --output-mode update" },
    { "lambda", cmd_lambda, "run the Lambda stack: master dataset, batch, speed and serving layers",
      "lklab lambda --data out/ds --pipeline revenue --out out/lambda --batch-every 6h" },
    { "results", cmd_results, "export a run's serving table (canonical CSV) or side tables",
      "lklab results --run out/k-1m --out out/k-1m.csv\n"
      "lklab results --run out/k-1m --table late --out -\n"
      "lklab results --run out/lambda --at 2026-01-01T06:00:00Z --out out/at-6h.csv" },
    { "reconcile", cmd_reconcile,
      "compare two result CSVs, or a run with the truth, and classify each difference",
      "lklab reconcile --run out/k-1m --truth out/truth.csv\n"
      "lklab reconcile out/k-1m.csv out/truth.csv" },
    { "cost", cmd_cost, "price a run or a lecture scenario per month: compute, storage, operations",
      "lklab cost --scenario small-files\n"
      "lklab cost --run out/lambda --tier cool" },
    { "latency", cmd_latency,
      "compute a run's per-event latencies (first-visible, correct) into run.json",
      "lklab latency --run out/k-1m" },
    { "sweep", cmd_sweep, "run both stacks over a grid of triggers/watermarks: S/sweep.csv",
      "lklab sweep --data out/ds --pipeline revenue --triggers 1m,1h --out out/sweep" },
    { "plot", cmd_plot, "draw a sweep's charts with gnuplot (PNG and SVG)",
      "lklab plot --sweep out/sweep" },
    { "report", cmd_report, "write a sweep's report (report.html and report.md)",
      "lklab report --sweep out/sweep" },
    { "lab", cmd_lab, "course labs: list, data, check (autograder), handout",
      "lklab lab list\n"
      "lklab lab check 03 --student alice --use-solution" },
    { "table", cmd_table, "the serving catalog: managed/external tables and views",
      "lklab table create --db out/k-1m/serving.db big_rows --view \\\n"
      "    --as 'SELECT * FROM output WHERE events > 5'\n"
      "lklab table query --db out/k-1m/serving.db 'SELECT count(*) FROM big_rows'" },
    { "export", cmd_export,
      "write a pipeline as a PySpark Structured Streaming job (docs/spark.md)",
      "lklab export spark --pipeline revenue --out out/revenue_spark.py --output-mode update \\\n"
      "    --watermark none --max-files-per-trigger 10" },
    { "job", cmd_job,
      "run a job: triggers, task DAG, alerts, webhooks, audit tables (docs/jobs.md)",
      "lklab job run datasets/jobs/lambda-batch-6h.json --out out/job --param data=out/ds30 \\\n"
      "    --until 2026-01-31T00:00:00Z\n"
      "lklab job history out/job" },
    { "broker", cmd_broker, "start or stop a single-node Apache Kafka broker on a loopback port",
      "lklab broker start --dir out/broker\n"
      "lklab broker stop --dir out/broker" },
    { "replay", cmd_replay,
      "publish a dataset as it arrived into a Kafka topic or landing directory",
      "lklab replay --data out/ds --to kafka://127.0.0.1:9092/clicks --speed 60x\n"
      "lklab replay --data out/ds --to landing:out/drops --speed max" },
    { "live", cmd_live,
      "the class demo on real parts: broker, replay at 144x, two Kappa queries, Lambda",
      "lklab live\n"
      "lklab live --events 20000 --speed 1440x --out out/live-quick" },
    { "cron", cmd_cron, "a cron schedule's next fire times in a time zone (docs/jobs.md)",
      "lklab cron next '0 2 * * *' --tz Europe/Berlin --after 2026-03-27T00:00:00Z --count 3\n"
      "lklab cron next '*/15 * * * 1-5' --count 4" },
    { "serve", cmd_serve, "a dashboard of running or finished runs in the browser (read-only)",
      "lklab serve --runs out/k-1m out/lambda\n"
      "lklab serve --runs out/live/kappa-update --runs out/live/lambda --port 0" },
    { "demo", cmd_demo, "the main job on the default dataset (what `make demo` runs)",
      "lklab demo\n"
      "lklab demo --events 100000 --out out/demo-small" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *fp)
{
    fprintf(fp, "usage: lklab <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n'lklab <command> --help' describes a command, with examples. A first session:\n"
                "  lklab gen --scenario clickstream --events 100000 --out out/ds\n"
                "  lklab truth --data out/ds --pipeline revenue --out out/truth.csv\n"
                "  lklab kappa --data out/ds --pipeline revenue --out out/k-1m --trigger 1m\n"
                "  lklab reconcile --run out/k-1m --truth out/truth.csv\n"
                "Formats and conventions: docs/formats.md; the rest: README.md.\n"
                "exit codes: 0 ok, 1 check failed, 2 usage, 3 bad input data, 4 I/O error\n");
}

/* Run a command; after its --help, print its examples. */
static int run(const struct command *c, int argc, char **argv)
{
    int rc = c->fn(argc, argv), help = 0;
    for (int i = 1; i < argc; i++)
        help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    if (rc == 0 && help) {
        const char *p = c->examples;
        printf("\nexamples:\n");
        while (*p) {
            size_t n = strcspn(p, "\n");
            printf("  %.*s\n", (int)n, p);
            p += n + (p[n] == '\n');
        }
    }
    return cmd_finish(c->name, rc);
}

/* One line, with the nearest command when the name looks like a typo of one. */
static int unknown_command(const char *name)
{
    const char *names[NCOMMANDS], *near;
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    near = lk_suggest(name, names, NCOMMANDS);
    fprintf(stderr, "lklab: unknown %s '%s' (%s%s%ssee 'lklab --help')\n",
            name[0] == '-' ? "option" : "command", name, near ? "did you mean '" : "",
            near ? near : "", near ? "'? " : "");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return cmd_finish("help", 0);
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return run(&commands[i], argc - 1, argv + 1);
    return unknown_command(argv[1]);
}
