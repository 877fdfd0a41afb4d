/* lklab latency: per-event first-visible and correct latency of a run (issue 5 "Latency"). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmp_latency.h"
#include "banned.h"

#define CMD "latency"
static const char usage_line[] = "lklab latency --run RUN [--format table|json]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Measures, for every distinct event of a finished Kappa or Lambda run's dataset (the\n"
           "first copy of each event_id; malformed lines, re-deliveries and events the filter\n"
           "drops are not samples), two latencies in virtual time from its arrival_time:\n"
           "  first-visible  when its contribution first shows in the serving answer\n"
           "  correct        from when the row it belongs to equals the truth and stays so\n"
           "Events that never get there (late-dropped, a window never emitted, a row that\n"
           "ends wrong) are 'never' events and count as +infinity: percentiles are exact\n"
           "nearest-rank over EVERY event, so one that falls among the never events reads\n"
           "'never' in the table and \"inf\" in JSON. 'reached' is the share of events that got\n"
           "there (JSON: visible_pct, correct_pct), rounded down to 2 decimals. The summary is\n"
           "written into RUN/run.json as \"latency\" (the other fields are kept).\n"
           "Definitions: docs/kappa.md (Latency), docs/lambda.md.\n"
           "A Kappa run in complete mode needs 'lklab kappa --change-feed'.\n\n"
           "  --run RUN      a run directory of 'lklab kappa' or 'lklab lambda'\n"
           "  --format F     table (default: events, never, reached, p50/p95/p99/max) or json\n"
           "  --help         this text\n\n"
           "exit: 0 ok, 2 usage, 3 missing or unusable run, 4 I/O or database error\n",
           usage_line);
}

static void table_line(const char *name, const struct lk_lat_summary *s)
{
    char p[4][32];
    const int64_t v[4] = { s->p50_ms, s->p95_ms, s->p99_ms, s->max_ms };
    for (int i = 0; i < 4; i++) {
        if (!s->events)
            snprintf(p[i], sizeof(p[i]), "-");
        else if (v[i] == LK_LAT_NEVER)
            snprintf(p[i], sizeof(p[i]), "never");
        else
            cmd_human_ms(v[i], p[i], sizeof(p[i]));
    }
    printf("%-14s %10" PRIu64 " %9" PRIu64 " %8.2f%% %8s %8s %8s %8s\n", name, s->events, s->never,
           lk_lat_reached_pct(s), p[0], p[1], p[2], p[3]);
}

static void print_json(const cJSON *o)
{
    char *text = cJSON_Print(o);
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
}

/* Compute, write into run.json (every other field kept), print. */
static int run(const char *run_dir, int json)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_lat_summary sfv, scor;
    enum lk_stack stack;
    if (cmp_latency_update(run_dir, NULL, &sfv, &scor, &stack, &err) < 0)
        return cmd_fail(CMD, &err);
    if (json) {
        cJSON *o = cmp_latency_json(&sfv, &scor);
        print_json(o);
        cJSON_Delete(o);
    } else {
        printf("latency of run %s (%s), virtual time from arrival:\n", run_dir,
               lk_stack_name(stack));
        printf("%-14s %10s %9s %9s %8s %8s %8s %8s\n", "", "events", "never", "reached", "p50",
               "p95", "p99", "max");
        table_line("first-visible", &sfv);
        table_line("correct", &scor);
    }
    return cmd_finish(CMD, 0);
}

int cmd_latency(int argc, char **argv)
{
    enum { O_RUN = 256, O_FORMAT, O_HELP };
    static const struct option opts[] = {
        { "run", required_argument, NULL, O_RUN },
        { "format", required_argument, NULL, O_FORMAT },
        { "help", no_argument, NULL, O_HELP },
        { NULL, 0, NULL, 0 },
    };
    const char *run_dir = NULL;
    struct cmd_getopt go;
    int c, json = 0;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case O_RUN:
            run_dir = optarg;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0)
                return cmd_usage_error(CMD,
                                       "bad value '%s' for --format (table or "
                                       "json)",
                                       optarg);
            json = strcmp(optarg, "json") == 0;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (!run_dir)
        return cmd_usage_error(CMD, "missing --run");
    return run(run_dir, json);
}
