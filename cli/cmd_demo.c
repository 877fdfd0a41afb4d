/*
 * lklab demo: the main job on the default dataset (what `make demo` runs). Each step is
 * the same subcommand a student would type, run in-process, and the demo checks what the
 * lab promises: the Kappa answer in update mode equals the oracle's byte for byte.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_time.h"
#include "pl_report.h"
#include "pl_sweep.h"
#include "banned.h"

#define CMD "demo"
static const char usage_line[] = "lklab demo [--out DIR] [--events N] [--quiet]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Generates the default dataset (clickstream, 1,000,000 events over 24h), then runs\n"
           "Kappa in update mode without a watermark (must equal the truth; in a process of its\n"
           "own, beside the rest) and a sweep (the truth, computed once; Kappa append with\n"
           "--lake and Kappa update at triggers 10s, 1m, 1h, 24h, append with watermarks 1m,\n"
           "10m, 1h; Lambda every 6h, which must equal the truth after its final batch; latency\n"
           "over every event, cost and reconciliation of each run, against that truth), the\n"
           "charts and the report, and prints a\n"
           "summary that ends with the report's Verdict (which stack for a 1-minute dashboard,\n"
           "for a daily report, what Lambda's second code path buys and costs, Lambda against\n"
           "Kappa on cost). Every Kappa run uses --durability process (the same answers without\n"
           "the fsyncs, docs/kappa.md). Each step prints its progress and time.\n"
           "Everything goes under DIR (default out/demo); the report is DIR/sweep/report.html.\n"
           "Exit 1 when an answer that must equal the truth does not.\n\n"
           "  --out DIR     output directory\n"
           "  --events N    dataset size (default: the scenario's 1,000,000)\n"
           "  --quiet       only the summary\n",
           usage_line);
}

static int same_file(const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int same = lk_file_read_all(a, (size_t)1 << 30, &x, &nx, NULL) == 0
               && lk_file_read_all(b, (size_t)1 << 30, &y, &ny, NULL) == 0 && nx == ny
               && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

/* The sweep row of run NAME; an all-zero row (status "missing") when the sweep lacks it. */
static const struct pl_run *row(const struct pl_sweep *s, const char *name)
{
    static const struct pl_run none = { .status = "missing", .run = "" };
    for (size_t i = 0; i < s->nruns; i++)
        if (strncmp(s->runs[i].run, "runs/", 5) == 0 && strcmp(s->runs[i].run + 5, name) == 0)
            return &s->runs[i];
    return &none;
}

/* A latency percentile of sweep.csv: INFINITY (among the never-correct events) is "never". */
static const char *dur(double ms, char *buf, size_t size)
{
    if (isinf(ms))
        snprintf(buf, size, "never");
    else
        cmd_human_ms((int64_t)ms, buf, size);
    return buf;
}

static void print_summary(const char *out, const char *data, const struct pl_sweep *s, int equal)
{
    char path[8500], a[32], b[32], c[32], d[32], e[32];
    cJSON *m = NULL;
    const cJSON *n;
    const struct pl_run *k1 = row(s, "kappa-1m-wm10m"), *k24 = row(s, "kappa-24h-wm10m"),
                        *l6 = row(s, "lambda-6h"), *w1 = row(s, "kappa-1m-wm1m"),
                        *w60 = row(s, "kappa-1m-wm1h");
    snprintf(path, sizeof(path), "%s/manifest.json", data);
    lk_json_read_file(path, &m, NULL);
    n = cJSON_GetObjectItemCaseSensitive(m, "counts");
    printf("\nlklab demo summary (%s)\n", out);
    printf("  report       %s/report.html (and report.md)\n", s->dir);
    printf("  dataset      %lld lines: %lld events, %lld duplicates, %lld malformed\n",
           (long long)lk_json_int(n, "lines", -1), (long long)lk_json_int(n, "unique_events", -1),
           (long long)lk_json_int(n, "duplicates", -1), (long long)lk_json_int(n, "malformed", -1));
    printf("  kappa update (trigger 1m, no watermark) == truth: %s\n", equal ? "YES" : "NO");
    printf("  lambda (batch every 6h) after its final batch == truth: %s\n",
           strcmp(l6->status, "equal") == 0 ? "YES" : "NO");
    printf("  latency p50  Kappa 1m: %s visible, %s correct; Kappa 24h: %s; Lambda 6h: %s visible, "
           "%s correct\n",
           dur(k1->first_visible_ms[0], a, sizeof(a)), dur(k1->correct_ms[0], e, sizeof(e)),
           dur(k24->first_visible_ms[0], b, sizeof(b)), dur(l6->first_visible_ms[0], c, sizeof(c)),
           dur(l6->correct_ms[0], d, sizeof(d)));
    printf(
        "  late data    Kappa 1m with watermark 1m / 10m / 1h: %.2f%% / %.2f%% / %.2f%% of lines\n",
        w1->late_pct, k1->late_pct, w60->late_pct);
    printf(
        "  cost/month   Kappa 1m $%.2f, Kappa 24h $%.2f, Lambda 6h $%.2f (Kappa files: %.0f vs %.0f)\n",
        k1->total_usd, k24->total_usd, l6->total_usd, k1->files_written, k24->files_written);
    printf("  reconcile    Kappa 1m: %s (late data), Lambda 6h: %s; see %s/reconcile/\n",
           k1->status, l6->status, s->dir);
    printf(
        "  next         lklab results --run %s/runs/kappa-1m-wm10m --table late --out late.csv\n",
        s->dir);
    cJSON_Delete(m);
}

/* text with its lines (one per verdict question) word-wrapped at 100 columns. */
static void print_wrapped(const char *text)
{
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p), col = 0, first = 1;
        while (n > 0) {
            size_t w = 0, take;
            while (w < n && p[w] == ' ')
                w++;
            p += w, n -= w;
            take = 0;
            while (take < n && p[take] != ' ')
                take++;
            if (take == 0)
                break;
            if (col && col + 1 + take > 100) {
                printf("\n");
                col = 0;
            }
            if (col == 0)
                col = (size_t)printf(first ? "  - " : "    ");
            else
                col += (size_t)printf(" ");
            col += (size_t)printf("%.*s", (int)take, p);
            first = 0;
            p += take, n -= take;
        }
        printf("\n");
        if (!eol)
            break;
        p = eol + 1;
    }
}

/* The report's Verdict on the sweep (pl_report_verdict), or one line saying why not. */
static void print_verdict(const char *sweep)
{
    struct pl_report *r = NULL;
    struct lk_err err = LK_ERR_INIT;
    char *v;
    printf("  verdict (as in the report's Verdict section):\n");
    if (pl_report_load(&r, sweep, &err) < 0) {
        printf("  - not available: %s\n", err.msg);
        pl_report_free(r);
        return;
    }
    v = pl_report_verdict(r);
    print_wrapped(v);
    free(v);
    pl_report_free(r);
}

/*
 * The Kappa check (the run, then its answer exported) in a child process beside the sweep:
 * the sweep's runs keep both cores busy most of the time, but its start (the truth) and
 * its end do not. Returns the child's pid (the check runs here when fork fails: 0).
 */
static pid_t start_check(const char *const *kappa, const char *const *export, int quiet, int *rc)
{
    pid_t pid;
    fflush(NULL);
    if ((pid = fork()) > 0)
        return pid;
    *rc = cmd_step(CMD, cmd_kappa, "kappa", "Kappa, update mode, no watermark", kappa, quiet);
    if (*rc == 0)
        *rc = cmd_step(CMD, cmd_results, "results", "export the Kappa answer", export, quiet);
    if (pid < 0)
        return 0;
    fflush(NULL);
    _exit(*rc);
}

/* The check's exit code (its own steps name a failure). */
static int finish_check(pid_t pid, int rc)
{
    int st;
    if (pid == 0)
        return rc;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            cmd_error(CMD, "lost the Kappa check's process (%s)", strerror(errno));
            return 4;
        }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    cmd_error(CMD, "the Kappa check died (signal %d)", WTERMSIG(st));
    return 4;
}

static int run(const char *out, const char *events, int quiet)
{
    char data[4200], truth[4300], upd[4200], updcsv[4200], sweep[4200], plots[4300];
    const char *q = quiet ? "--quiet" : NULL;
    int rc;
    snprintf(data, sizeof(data), "%s/data", out);
    snprintf(upd, sizeof(upd), "%s/kappa-update", out);
    snprintf(updcsv, sizeof(updcsv), "%s/kappa-update.csv", out);
    snprintf(sweep, sizeof(sweep), "%s/sweep", out);
    snprintf(truth, sizeof(truth), "%s/truth.csv", sweep); /* the sweep computes it */
    snprintf(plots, sizeof(plots), "%s/plots", sweep);
    if (lk_mkdir_p(out, NULL) < 0 || lk_rm_rf(upd, NULL) < 0) {
        cmd_error(CMD, "cannot prepare '%s'", out);
        return 4;
    }
    {
        const char *gen[] = {
            "--scenario", "clickstream", "--out", data, events ? "--events" : q, events, q, NULL
        };
        /* --durability process, as in the sweep: the same answer without ~9,000 fsyncs
           (docs/kappa.md "Durability"), most of this step's wall time with fsync */
        const char *k1[] = { "--data",
                             data,
                             "--pipeline",
                             "revenue",
                             "--out",
                             upd,
                             "--output-mode",
                             "update",
                             "--watermark",
                             "none",
                             "--trigger",
                             "1m",
                             "--durability",
                             "process",
                             "--quiet", /* beside the sweep: no progress bar over its lines */
                             NULL };
        const char *r1[] = { "--run", upd, "--out", updcsv, NULL };
        const char *sw[] = { "--data",
                             data,
                             "--pipeline",
                             "revenue",
                             "--out",
                             sweep,
                             "--triggers",
                             "10s,1m,1h,24h",
                             "--watermarks",
                             "1m,10m,1h",
                             "--batch-every",
                             "6h",
                             q,
                             NULL };
        const char *pl[] = { "--sweep", sweep, "--out", plots, "--quiet", NULL };
        const char *rp[] = { "--sweep", sweep, NULL };
        pid_t check;
        int check_rc = 0;
        if (!events)
            gen[4] = q, gen[5] = NULL;
        if ((rc = cmd_step(CMD, cmd_gen, "gen", "generate the default dataset", gen, quiet)) != 0)
            return rc;
        check = start_check(k1, r1, quiet, &check_rc);
        if ((rc = cmd_step(
                 CMD, cmd_sweep, "sweep",
                 "sweep: Kappa per trigger (append, update) and watermark, Lambda every 6h", sw,
                 quiet))
                == 0
            && (rc = cmd_step(CMD, cmd_plot, "plot", "charts", pl, quiet)) == 0)
            rc = cmd_step(CMD, cmd_report, "report", "report", rp, quiet);
        check_rc = finish_check(check, check_rc);
        if (rc != 0 || (rc = check_rc) != 0)
            return rc;
    }
    {
        struct pl_sweep s = PL_SWEEP_INIT;
        struct lk_err err = LK_ERR_INIT;
        int equal = same_file(truth, updcsv);
        if (pl_sweep_load(&s, sweep, 0, &err) < 0)
            return cmd_fail(CMD, &err);
        print_summary(out, data, &s, equal);
        print_verdict(sweep);
        equal = equal && strcmp(row(&s, "lambda-6h")->status, "equal") == 0;
        pl_sweep_release(&s);
        return equal ? 0 : 1;
    }
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        { "out", required_argument, NULL, 'o' },
        { "events", required_argument, NULL, 'e' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = "out/demo", *events = NULL;
    uint64_t n;
    struct cmd_getopt go;
    int quiet = 0, c;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'e':
            if (cmd_parse_u64(CMD, "--events", optarg, 1, 100000000, &n))
                return 2;
            events = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    return run(out, events, quiet);
}
