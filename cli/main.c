/* lklab - the Lambda-Kappa Lab front end. main only dispatches (STYLE "Modules"). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lk_suggest.h"
#include "banned.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "gen", cmd_gen, "generate a deterministic dataset (log partitions + landing files)" },
    { "truth", cmd_truth, "evaluate a pipeline spec naively over a dataset: the oracle" },
    { "kappa", cmd_kappa, "run the Kappa stack: one streaming engine, batch = a long trigger" },
    { "lambda", cmd_lambda, "run the Lambda stack: master dataset, batch, speed and serving layers" },
    { "results", cmd_results, "export a run's serving table (canonical CSV) or side tables" },
    { "reconcile", cmd_reconcile, "compare two result CSVs, or a run with the truth, and classify each difference" },
    { "cost", cmd_cost, "price a run or a lecture scenario per month: compute, storage, operations" },
    { "latency", cmd_latency, "compute a run's per-event latencies (first-visible, correct) into run.json" },
    { "sweep", cmd_sweep, "run both stacks over a grid of triggers/watermarks: S/sweep.csv" },
    { "plot", cmd_plot, "draw a sweep's charts with gnuplot (PNG and SVG)" },
    { "report", cmd_report, "write a sweep's report (report.html and report.md)" },
    { "lab", cmd_lab, "course labs: list, data, check (autograder), handout" },
    { "table", cmd_table, "the serving catalog: managed/external tables and views" },
    { "demo", cmd_demo, "the main job on the default dataset (what `make demo` runs)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *fp)
{
    fprintf(fp, "usage: lklab <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n'lklab <command> --help' describes a command.\n"
                "exit codes: 0 ok, 1 check failed, 2 usage, 3 bad input data, 4 I/O error\n");
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
            return cmd_finish(commands[i].name, commands[i].fn(argc - 1, argv + 1));
    return unknown_command(argv[1]);
}
