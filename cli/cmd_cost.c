/* lklab cost: a run's (or a lecture scenario's) monthly bill (docs/cost.md). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmp_cost.h"
#include "lk_cost.h"
#include "lk_fmt.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "cost"
static const char usage_line[] =
    "lklab cost --run RUN | --scenario small-files|multi-tenant\n"
    "                  [--pricing NAME|FILE.json] [--tier hot|cool|archive] [--format table|csv]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Prices a finished Kappa or Lambda run from its run.json and metrics.jsonl,\n"
           "extrapolated from its virtual span to a 30-day month, or reproduces one of the\n"
           "lecture's two cost scenarios from documented parameters (no run needed).\n"
           "Components:\n"
           "  compute     cluster-on hours x nodes x $/node-hour; a cluster stays on while jobs\n"
           "              come closer than idle_shutdown, else it is shut down and the next job\n"
           "              starts a new one (Lambda: a batch and a speed cluster)\n"
           "  storage     bytes written, kept for the retention period, x $/GiB-month\n"
           "  operations  one write per file written, plus the downstream queries' LISTs\n"
           "              and reads of those files\n"
           "  retrieval   bytes those queries read x $/GiB (cool and archive tiers)\n"
           "Rules and a worked example: docs/cost.md; prices: datasets/pricing/README.md.\n\n"
           "  --run RUN          a run directory ('lklab kappa --lake ...' or 'lklab lambda')\n"
           "  --scenario NAME    small-files (10s trigger + cool tier vs 10m + hot) or\n"
           "                     multi-tenant (100 clusters vs one shared, partitioned by tenant)\n"
           "  --pricing P        a name in datasets/pricing/ or a .json path (default: default)\n"
           "  --tier T           storage tier of the run's output (default: the pricing file's);\n"
           "                     scenarios fix their own tiers\n"
           "  --format F         table (default, aligned, with units) or csv\n"
           "                     (config,component,usd_month; components compute, storage,\n"
           "                     operations, retrieval, total)\n"
           "  --help             this text\n\n"
           "exit: 0 ok, 2 usage, 3 missing run or bad run/pricing file, 4 I/O error\n",
           usage_line);
}

struct args {
    const char *run, *scenario, *pricing, *tier, *format;
    int csv;
};

/* ---------------------------------------------------------------- output ---- */

static void row(const char *what, int64_t cents, const char *basis)
{
    char m[32];
    lk_fmt_cents(m, sizeof(m), cents);
    if (basis[0])
        printf("%-12s %12s  %s\n", what, m, basis);
    else
        printf("%-12s %12s\n", what, m);
}

static void compute_rows(const struct lk_pricing *p, const struct lk_cost_usage *u,
                         const struct lk_cost_bill *b)
{
    char basis[160], what[24];
    row("compute", b->compute, u->nclusters > 1 ? "sum of the clusters below" : "");
    for (size_t i = 0; i < u->nclusters; i++) {
        const struct lk_cost_cluster *c = &u->cluster[i];
        snprintf(basis, sizeof(basis), "%zu nodes x %.1f h on x $%.2f/node-hour; %.1f starts",
                 c->nodes ? c->nodes : p->nodes, b->on_hours[i], p->node_hour, b->starts[i]);
        snprintf(what, sizeof(what), "  %s", c->name);
        row(what, b->compute_cents[i], basis);
    }
}

static void storage_rows(const struct lk_pricing *p, const struct lk_cost_bill *b)
{
    const struct lk_cost_tier *t = &p->tier[b->tier];
    char basis[200], a[32], r[32], l[32], w[32], ret[16];
    lk_fmt_bytes(a, sizeof(a), b->gib_stored * 1073741824.0);
    lk_duration_format(p->retention_ms, ret, sizeof(ret));
    snprintf(basis, sizeof(basis), "%s kept %s x $%.4f/GiB-month", a, ret, t->gb_month);
    row("storage", b->storage, basis);
    lk_fmt_count_si(w, sizeof(w), b->files_month);
    lk_fmt_count_si(r, sizeof(r), b->reads_month);
    lk_fmt_count_si(l, sizeof(l), b->lists_month);
    snprintf(basis, sizeof(basis),
             "%s writes x $%.3f + %s reads x $%.3f + %s lists x $%.3f per 10k", w, t->write_10k, r,
             t->read_10k, l, t->list_10k);
    row("operations", b->operations, basis);
    lk_fmt_bytes(a, sizeof(a), b->gib_read_month * 1073741824.0);
    snprintf(basis, sizeof(basis), "%s read x $%.4f/GiB", a, t->retrieval_gb);
    row("retrieval", b->retrieval, basis);
}

static void run_table(const char *run, const char *shown, const struct lk_pricing *p,
                      const struct lk_cost_usage *u, const struct lk_cost_bill *b)
{
    char idle[32], win[32], f[32], m[32];
    lk_duration_format(u->idle_shutdown_ms, idle, sizeof(idle));
    lk_duration_format(p->query_window_ms, win, sizeof(win));
    lk_fmt_count_si(f, sizeof(f), (double)u->files);
    lk_fmt_bytes(m, sizeof(m), b->mean_file_bytes);
    printf("monthly cost of run '%s' (%s)\n", run, u->detail);
    printf("pricing '%s' (%s), tier %s, USD per 30-day month\n", p->name, shown,
           lk_cost_tier_name(b->tier));
    printf("virtual span %.2f h (x %.2f to a month), %" PRIu64 " job%s, idle shutdown %s"
           " (the run's cost model)\n",
           (double)u->span_ms / (double)LK_MS_PER_HOUR, b->factor, u->lines,
           u->lines == 1 ? "" : "s", idle);
    printf("output %s files, mean %s; downstream %.0f queries/h, each reading %.0f%% of the"
           " last %s of files\n\n",
           f, m, p->queries_per_hour, p->query_fraction * 100.0, win);
    printf("%-12s %12s  %s\n", "component", "usd_month", "basis");
    compute_rows(p, u, b);
    storage_rows(p, b);
    row("total", b->total, "");
    if (u->files == 0)
        printf("\nnote: the run wrote no output files (Kappa: run it with --lake DIR), so "
               "storage, operations and retrieval are 0\n");
}

/* -------------------------------------------------------------- scenarios ---- */

static const char *scenario_title(const char *name)
{
    if (strcmp(name, "small-files") == 0)
        return "the lecture's scenario 1, \"storage costs higher than compute\":\n"
               "  small files kept in the cool tier, fixed by a longer trigger and the hot tier";
    return "the lecture's scenario 2, \"100 tenants\":\n"
           "  a cluster per tenant, or one cluster whose output is partitioned by tenant";
}

static double share(int64_t part, int64_t total)
{
    return total ? 100.0 * (double)part / (double)total : 0.0;
}

static void scenario_row(const struct lk_cost_usage *u, const struct lk_cost_bill *b)
{
    const int64_t v[5] = { b->compute, b->storage, b->operations, b->retrieval, b->total };
    char fsize[32], m[5][32];
    lk_fmt_bytes(fsize, sizeof(fsize), b->mean_file_bytes);
    for (size_t i = 0; i < 5; i++)
        lk_fmt_cents(m[i], sizeof(m[i]), v[i]);
    printf("%-19s %9.0f %10s %9s %8s %11s %10s %9s\n", u->config, b->files_day, fsize, m[0], m[1],
           m[2], m[3], m[4]);
}

/* What the lecture measures: the storage account's share, or shared vs per-tenant. */
static void scenario_summary(const char *name, const struct lk_cost_usage u[2],
                             const struct lk_cost_bill b[2])
{
    char t0[32], t1[32];
    printf("\nshare of storage + operations in the total: %s %.1f%%, %s %.1f%%\n", u[0].config,
           share(b[0].storage + b[0].operations, b[0].total), u[1].config,
           share(b[1].storage + b[1].operations, b[1].total));
    printf("share with retrieval (the whole storage bill): %s %.1f%%, %s %.1f%%\n", u[0].config,
           share(b[0].storage + b[0].operations + b[0].retrieval, b[0].total), u[1].config,
           share(b[1].storage + b[1].operations + b[1].retrieval, b[1].total));
    if (strcmp(name, "multi-tenant") != 0)
        return;
    lk_fmt_cents(t0, sizeof(t0), b[0].total);
    lk_fmt_cents(t1, sizeof(t1), b[1].total);
    printf("%s costs %.3f of %s (%s vs %s USD/month)\n", u[1].config,
           b[0].total ? (double)b[1].total / (double)b[0].total : 0.0, u[0].config, t1, t0);
}

static void scenario_table(const char *name, const char *shown, const struct lk_pricing *p,
                           const struct lk_cost_usage u[2], const struct lk_cost_bill b[2])
{
    char win[32], ret[32];
    lk_duration_format(p->query_window_ms, win, sizeof(win));
    lk_duration_format(p->retention_ms, ret, sizeof(ret));
    printf("scenario %s: %s\n", name, scenario_title(name));
    printf("pricing '%s' (%s); USD per 30-day month = one virtual day x 30\n", p->name, shown);
    printf("downstream: %.0f queries/h, each reading %.0f%% of the files of the last %s;"
           " output kept %s\n\n",
           p->queries_per_hour, p->query_fraction * 100.0, win, ret);
    for (int i = 0; i < 2; i++)
        printf("  %-19s %s\n", u[i].config, u[i].detail);
    printf("\n%-19s %9s %10s %9s %8s %11s %10s %9s\n", "config", "files/day", "mean file",
           "compute", "storage", "operations", "retrieval", "total");
    for (int i = 0; i < 2; i++)
        scenario_row(&u[i], &b[i]);
    scenario_summary(name, u, b);
}

/* ------------------------------------------------------------------- main ---- */

/*
 * A bare name means datasets/pricing/NAME.json under the project root. shown is what the
 * tables print: the root is left out so the output does not depend on where lklab lives.
 */
static int run_cost(const struct args *a, const struct lk_pricing *p, const char *path)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u;
    struct lk_cost_bill b;
    if (cmp_cost_usage_from_run(&u, a->run, &err) < 0)
        return cmd_fail(CMD, &err);
    u.tier = a->tier ? lk_cost_tier_parse(a->tier) : -1;
    lk_cost_price(p, &u, &b);
    if (a->csv) {
        printf("config,component,usd_month\n");
        cmp_cost_csv_rows(stdout, NULL, &u, &b);
    } else {
        run_table(a->run, path, p, &u, &b);
    }
    return 0;
}

static int scenario_cost(const struct args *a, const struct lk_pricing *p, const char *path)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u[2];
    struct lk_cost_bill b[2];
    if (lk_cost_scenario(a->scenario, p, u, &err) < 0)
        return cmd_usage_error(CMD, "%s", err.msg);
    for (int i = 0; i < 2; i++)
        lk_cost_price(p, &u[i], &b[i]);
    if (a->csv) {
        printf("config,component,usd_month\n");
        for (int i = 0; i < 2; i++)
            cmp_cost_csv_rows(stdout, NULL, &u[i], &b[i]);
    } else {
        scenario_table(a->scenario, path, p, u, b);
    }
    return 0;
}

/* Option values and combinations; 0 or the usage exit code (2). */
static int check_args(struct args *a)
{
    if (a->run && a->scenario)
        return cmd_usage_error(CMD, "--run and --scenario exclude each other");
    if (!a->run && !a->scenario)
        return cmd_usage_error(CMD, "missing --run or --scenario");
    if (a->tier && lk_cost_tier_parse(a->tier) < 0)
        return cmd_usage_error(CMD, "unknown tier '%s', use hot, cool or archive", a->tier);
    if (a->tier && a->scenario)
        return cmd_usage_error(CMD, "--tier applies to --run only, scenarios fix their own tiers");
    if (strcmp(a->format, "csv") != 0 && strcmp(a->format, "table") != 0)
        return cmd_usage_error(CMD, "unknown format '%s', use table or csv", a->format);
    a->csv = strcmp(a->format, "csv") == 0;
    return 0;
}

int cmd_cost(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run", required_argument, NULL, 'r' },
        { "scenario", required_argument, NULL, 's' },
        { "pricing", required_argument, NULL, 'p' },
        { "tier", required_argument, NULL, 't' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct args a = { NULL, NULL, "default", NULL, "table", 0 };
    struct lk_err err = LK_ERR_INIT;
    struct lk_pricing p;
    const char *shown;
    char *path;
    struct cmd_getopt go;
    int c, rc;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'r':
            a.run = optarg;
            break;
        case 's':
            a.scenario = optarg;
            break;
        case 'p':
            a.pricing = optarg;
            break;
        case 't':
            a.tier = optarg;
            break;
        case 'f':
            a.format = optarg;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if ((rc = check_args(&a)) != 0)
        return rc;
    path = cmd_datasets_file(a.pricing, "pricing", &shown);
    if (lk_pricing_load(&p, path, &err) < 0)
        rc = cmd_fail(CMD, &err);
    else
        rc = a.run ? run_cost(&a, &p, shown) : scenario_cost(&a, &p, shown);
    free(path);
    return rc;
}
