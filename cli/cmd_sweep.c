/*
 * lklab sweep: run both stacks over a grid of triggers (Kappa, in append and/or update
 * mode), watermarks (Kappa, at one reference trigger) and batch periods (Lambda) on one
 * dataset, and leave in S/ what the charts and the report need: the directory contract of
 * docs/sweep.md. Each run is the same subcommand a student would type, run in-process;
 * what is measured on it and every file of S/ is compare/cmp_sweep's: this file parses the
 * options, runs the runs and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "cmp_sweep.h"
#include "lb_rundir.h"
#include "lk_run.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "sweep"

static const char usage_line[] =
    "lklab sweep --data DIR --pipeline NAME --out S [--triggers LIST] [--watermarks LIST]\n"
    "                   [--watermark D] [--batch-every LIST] [--speed-trigger D]\n"
    "                   [--modes append,update] [--pricing FILE] [--tier hot|cool|archive]\n"
    "                   [--jobs N] [--quiet]";

static void help(void)
{
    printf(
        "usage: %s\n\n"
        "Runs the Lambda stack once per batch period, then the Kappa stack once per trigger and\n"
        "output mode (append: --lake, --final-watermark; update: no lake, a file sink is\n"
        "append-only; both with the default watermark), and once more per extra watermark at\n"
        "the reference trigger (1m when it is in the list, else the first; append mode when it\n"
        "is in --modes), all on one dataset with --durability process. For every run:\n"
        "per-event latency over every event (first-visible and correct, a never-correct event\n"
        "counting as +infinity; into its run.json), the monthly bill and the reconciliation\n"
        "against the truth. Writes S/ as docs/sweep.md describes: sweep.csv (one row per\n"
        "run), sweep.json, truth.csv, runs/, reconcile/, cost.csv, scenarios.csv,\n"
        "sawtooth.tsv, freshness_kappa.tsv and freshness_lambda.tsv. The runs run --jobs at a\n"
        "time, each in its own process and directory (results do not depend on it; the\n"
        "Lambda run starts first). Progress: a line as each run ends, with an ETA from the\n"
        "finished runs of each kind (Lambda; Kappa per trigger), printed as a lower bound\n"
        "('ETA over', naming the run) while a run of a kind never timed is still to end or a\n"
        "running run has run longer than its kind took; while no run ends, a line every 15 s\n"
        "names the runs going and how long they have run. Then\n"
        "`lklab plot --sweep S` and `lklab report --sweep S`.\n\n"
        "  --data DIR            dataset (lklab gen)\n"
        "  --pipeline NAME       pipeline spec (datasets/pipelines/NAME.json) or a path\n"
        "  --out S               sweep directory (runs inside it are replaced)\n"
        "  --triggers LIST       Kappa triggers (default 10s,1m,1h,24h)\n"
        "  --watermarks LIST     extra watermark delays at the reference trigger, e.g. 1m,10m,1h\n"
        "  --watermark D         the watermark of the trigger runs (default 10m)\n"
        "  --batch-every LIST    Lambda batch periods (default 6h)\n"
        "  --speed-trigger D     Lambda speed-layer trigger (default 10s)\n"
        "  --modes LIST          Kappa output modes, append and/or update (default both)\n"
        "  --pricing FILE        price list (default datasets/pricing/default.json)\n"
        "  --tier T              storage tier for every run (default: the price list's)\n"
        "  --jobs N              runs at once (default: the number of cores)\n"
        "  --quiet               no progress lines\n",
        usage_line);
}

struct args {
    const char *data, *pipeline, *out, *pricing, *tier;
    struct cmp_sweep_grid grid;
    size_t jobs; /* runs at once */
    int quiet;
};

static int parse_item(const char *opt, const char *text, size_t len, struct cmp_sweep_item *it)
{
    if (len == 0 || len >= sizeof(it->text))
        return cmd_usage_error(CMD, "bad value '%.*s' in %s (a duration like 1m)", (int)len, text,
                               opt);
    memcpy(it->text, text, len);
    it->text[len] = '\0';
    return cmd_parse_duration(CMD, opt, it->text, &it->ms);
}

static int parse_list(const char *opt, const char *text, struct cmp_sweep_list *l)
{
    l->n = 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        if (l->n == CMP_SWEEP_MAX_LIST)
            return cmd_usage_error(CMD, "%s: at most %d values", opt, CMP_SWEEP_MAX_LIST);
        if (parse_item(opt, p, len, &l->v[l->n++]) != 0)
            return 2;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* "append", "update" or both, comma-separated, into a CMP_SWEEP_* mask. */
static int parse_modes(const char *text, unsigned *modes)
{
    *modes = 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        if (len == 6 && strncmp(p, lk_mode_name(LK_MODE_APPEND), 6) == 0)
            *modes |= CMP_SWEEP_APPEND;
        else if (len == 6 && strncmp(p, lk_mode_name(LK_MODE_UPDATE), 6) == 0)
            *modes |= CMP_SWEEP_UPDATE;
        else
            return cmd_usage_error(CMD, "bad value '%.*s' in --modes (append or update)", (int)len,
                                   p);
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* ------------------------------------------------------------ one run ---- */

/* Run r as its subcommand in-process (S/runs/NAME), then cmp_sweep_analyse it. */
static int execute(const struct args *a, struct cmp_sweep_run *r, const struct cmp_sweep_shared *sh)
{
    char dir[4200], lake[4200];
    const char *q = "--quiet";
    struct lk_err err = LK_ERR_INIT;
    double t0;
    int rc;
    if (cmp_sweep_run_dirs(a->out, r, dir, sizeof(dir), lake, sizeof(lake), &err) < 0)
        return cmd_fail(CMD, &err);
    t0 = lk_wall_now();
    if (r->lambda) {
        const char *args[] = {
            "--data",        a->data,       "--pipeline",      a->pipeline,     "--out", dir,
            "--batch-every", r->every.text, "--speed-trigger", r->trigger.text, q,       NULL
        };
        rc = cmd_step(CMD, cmd_lambda, "lambda", r->name, args, 1);
    } else if (r->update) {
        /* no lake (a file sink is append-only) and no end-of-input flush: update mode
           upserts every row at each batch, so the answer is complete without one */
        const char *args[] = {
            "--data",      a->data,           "--pipeline",   a->pipeline, "--out",
            dir,           "--output-mode",   "update",       "--trigger", r->trigger.text,
            "--watermark", r->watermark.text, "--durability", "process",   q,
            NULL
        };
        rc = cmd_step(CMD, cmd_kappa, "kappa", r->name, args, 1);
    } else {
        const char *args[] = {
            "--data", a->data,     "--pipeline",        a->pipeline,    "--out",
            dir,      "--trigger", r->trigger.text,     "--watermark",  r->watermark.text,
            "--lake", lake,        "--final-watermark", "--durability", "process",
            q,        NULL
        };
        rc = cmd_step(CMD, cmd_kappa, "kappa", r->name, args, 1);
    }
    if (rc != 0)
        return rc;
    r->wall_ms = (int64_t)((lk_wall_now() - t0) * 1000.0);
    if (cmp_sweep_analyse(a->out, r, sh, &err) < 0)
        return cmd_fail(CMD, &err);
    return 0;
}

/* ----------------------------------------------------------- progress ---- */

/*
 * Runs of one kind take alike: Lambda runs, and Kappa runs of one trigger (the number of
 * micro-batches sets a Kappa run's cost far more than its output mode or watermark: on the
 * demo a 10s run takes about ten times a 24h run).
 */
static int same_kind(const struct cmp_sweep_run *a, const struct cmp_sweep_run *b)
{
    return a->lambda == b->lambda && (a->lambda || a->trigger.ms == b->trigger.ms);
}

/* Where the runs are: state 0 waiting, 1 running since start[i], 2 done in step_s[i] s. */
struct sched {
    const struct cmp_sweep_run *runs;
    size_t n, jobs, done;
    size_t order[CMP_SWEEP_MAX_RUNS]; /* start order (start_order), plan indexes */
    int state[CMP_SWEEP_MAX_RUNS];
    double start[CMP_SWEEP_MAX_RUNS], step_s[CMP_SWEEP_MAX_RUNS];
    double t0;
};

/* The mean time of the finished runs of run i's kind; 0 and *timed = 0 when none is. */
static double kind_mean(const struct sched *sc, size_t i, int *timed)
{
    double sum = 0.0;
    size_t cnt = 0;
    for (size_t j = 0; j < sc->n; j++)
        if (sc->state[j] == 2 && same_kind(&sc->runs[i], &sc->runs[j])) {
            sum += sc->step_s[j];
            cnt++;
        }
    *timed = cnt > 0;
    return cnt ? sum / (double)cnt : 0.0;
}

/*
 * Seconds until the last run ends, list-scheduling what is left on sc->jobs slots: a
 * running run needs the mean of the finished runs of its kind minus what it has run, a
 * waiting one the whole mean, taken in start order by the first free slot. Two cases leave
 * only a lower bound, returned in *unknown (the first such run, a running one first): a
 * run whose kind has no finished run yet (counted as 0), and a running run that has
 * already run longer than its kind's mean (counted as ending now); *overdue says which.
 */
static double eta(const struct sched *sc, double now, const struct cmp_sweep_run **unknown,
                  int *overdue)
{
    double free_at[CMP_SWEEP_MAX_RUNS] = { 0 }, end = 0.0;
    size_t nrun = 0;
    *unknown = NULL;
    *overdue = 0;
    for (int pass = 1; pass >= 0; pass--) /* the running runs hold slots; then the waiting */
        for (size_t k = 0; k < sc->n; k++) {
            size_t i = sc->order[k], slot = 0;
            int timed;
            double need = kind_mean(sc, i, &timed);
            if (sc->state[i] != pass)
                continue;
            if (pass) {
                double ran = now - sc->start[i];
                if (!*unknown && (!timed || ran >= need)) {
                    *unknown = &sc->runs[i];
                    *overdue = timed;
                }
                free_at[nrun++] = need > ran ? need - ran : 0.0;
                continue;
            }
            if (!timed && !*unknown)
                *unknown = &sc->runs[i];
            for (size_t j = 1; j < sc->jobs; j++)
                if (free_at[j] < free_at[slot])
                    slot = j;
            free_at[slot] += need;
        }
    for (size_t j = 0; j < sc->jobs; j++)
        end = free_at[j] > end ? free_at[j] : end;
    return end;
}

/*
 * One progress line when run i ends: what it took (the run, then latency, cost and
 * reconciliation) and an ETA for the rest (eta()). While a run still to end is of a kind
 * never timed (a Lambda run can take ten Kappa runs' time), or is running past its kind's
 * mean, the ETA is printed as the lower bound it is, naming that run.
 */
static void progress(const struct sched *sc, size_t i)
{
    const struct cmp_sweep_run *u;
    int overdue;
    double now = lk_wall_now(), left = eta(sc, now, &u, &overdue);
    char text[200];
    if (sc->done == sc->n)
        snprintf(text, sizeof(text), "done");
    else if (u && overdue)
        snprintf(text, sizeof(text), "ETA over %.0fs: %s has run %.0fs, longer than its kind took",
                 left, u->name, now - sc->start[u - sc->runs]);
    else if (u && sc->state[u - sc->runs] == 1)
        snprintf(text, sizeof(text), "ETA over %.0fs: %s has run %.0fs, none of its kind has ended",
                 left, u->name, now - sc->start[u - sc->runs]);
    else if (u)
        snprintf(text, sizeof(text), "ETA over %.0fs: none of %s's kind has ended", left, u->name);
    else
        snprintf(text, sizeof(text), "ETA ~%.0fs for %zu more", left, sc->n - sc->done);
    fprintf(stderr,
            "lklab sweep: [%zu/%zu] %-24s run %5.1fs, with analysis %5.1fs  (elapsed %.0fs, %s)\n",
            sc->done, sc->n, sc->runs[i].name, (double)sc->runs[i].wall_ms / 1000.0, sc->step_s[i],
            now - sc->t0, text);
}

/* ------------------------------------------------------------- runner ---- */

/* The measured run comes back whole through a pipe: one atomic write, never a partial one. */
_Static_assert(sizeof(struct cmp_sweep_run) <= PIPE_BUF, "a run's results fit one pipe write");

/* In the child: run i, send its results, exit with its exit code. */
static void child(const struct args *a, struct cmp_sweep_run *r, const struct cmp_sweep_shared *sh,
                  int fd)
{
    int rc = execute(a, r, sh);
    if (rc == 0 && write(fd, r, sizeof(*r)) != (ssize_t)sizeof(*r)) {
        cmd_error(CMD, "cannot pass the results of run '%s' back", r->name);
        rc = 4;
    }
    fflush(NULL);
    _exit(rc);
}

struct slot {
    pid_t pid;
    int fd;
    size_t run;
};

static int start(struct sched *sc, const struct args *a, struct cmp_sweep_run *runs, size_t k,
                 const struct cmp_sweep_shared *sh, struct slot *sl)
{
    size_t i = sc->order[k];
    int fds[2];
    if (!a->quiet)
        fprintf(stderr, "lklab sweep: run %zu/%zu %s ...\n", k + 1, sc->n, runs[i].name);
    fflush(NULL);
    if (pipe(fds) < 0) {
        cmd_error(CMD, "cannot start run '%s' (%s)", runs[i].name, strerror(errno));
        return 4;
    }
    if ((sl->pid = fork()) < 0) {
        cmd_error(CMD, "cannot start run '%s' (%s)", runs[i].name, strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return 4;
    }
    if (sl->pid == 0) {
        close(fds[0]);
        child(a, &runs[i], sh, fds[1]);
    }
    close(fds[1]);
    sl->fd = fds[0];
    sl->run = i;
    sc->state[i] = 1;
    sc->start[i] = lk_wall_now();
    return 0;
}

/* Wait for any run; its results into runs[*which]. Returns its exit code, -1 when none is left. */
/* While no run ends, a line this often says which runs are going and for how long. */
#define HEARTBEAT_S 15.0

static void heartbeat(const struct sched *sc, double now)
{
    fprintf(stderr, "lklab sweep: [%zu/%zu] running", sc->done, sc->n);
    for (size_t i = 0; i < sc->n; i++)
        if (sc->state[i] == 1)
            fprintf(stderr, " %s %.0fs", sc->runs[i].name, now - sc->start[i]);
    fprintf(stderr, "  (elapsed %.0fs)\n", now - sc->t0);
}

/*
 * Wait for one of the runs' processes to end (waitpid's result); only those: the caller
 * may have children of its own (the demo's Kappa check runs beside the sweep). The pipes
 * tell when a run has sent its results or ended; a check every second also catches a
 * child whose pipe a process it started still holds open. Unless quiet, heartbeat() every
 * HEARTBEAT_S seconds.
 */
static pid_t wait_any(const struct sched *sc, const struct slot *sl, size_t nsl, int quiet,
                      int *status)
{
    struct pollfd pfd[CMP_SWEEP_MAX_RUNS];
    double last = lk_wall_now();
    for (;;) {
        for (size_t k = 0; k < nsl; k++) {
            pid_t pid = waitpid(sl[k].pid, status, WNOHANG);
            if (pid != 0 && (pid > 0 || errno != EINTR))
                return pid;
        }
        for (size_t k = 0; k < nsl; k++)
            pfd[k] = (struct pollfd){ .fd = sl[k].fd, .events = POLLIN };
        if (poll(pfd, (nfds_t)nsl, 1000) > 0) {
            for (size_t k = 0; k < nsl; k++) {
                pid_t pid;
                if (!pfd[k].revents)
                    continue;
                while ((pid = waitpid(sl[k].pid, status, 0)) < 0 && errno == EINTR)
                    ;
                return pid;
            }
        }
        if (!quiet && lk_wall_now() - last >= HEARTBEAT_S) {
            last = lk_wall_now();
            heartbeat(sc, last);
        }
    }
}

static int reap(struct sched *sc, struct cmp_sweep_run *runs, struct slot *sl, size_t *nsl,
                size_t *which, int quiet)
{
    int status = 0;
    size_t k = 0;
    pid_t pid = wait_any(sc, sl, *nsl, quiet, &status);
    while (k < *nsl && sl[k].pid != pid)
        k++;
    if (pid < 0 || k == *nsl) {
        cmd_error(CMD, "lost track of a run (%s)", pid < 0 ? strerror(errno) : "an unknown child");
        return -1;
    }
    size_t i = *which = sl[k].run;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 4;
    if (rc == 0 && read(sl[k].fd, &runs[i], sizeof(runs[i])) != (ssize_t)sizeof(runs[i]))
        rc = 4;
    if (rc != 0 && !WIFEXITED(status))
        cmd_error(CMD, "run '%s' died (signal %d)", runs[i].name, WTERMSIG(status));
    close(sl[k].fd);
    sl[k] = sl[--*nsl];
    sc->state[i] = 2;
    sc->step_s[i] = lk_wall_now() - sc->start[i];
    sc->done++;
    return rc;
}

/*
 * The order runs start in: Lambda first (the longest), then Kappa by trigger, shortest
 * first (a Kappa run's cost grows with its number of micro-batches), in plan order within
 * a trigger. The long runs then start early and the short ones fill the end, so the two
 * slots finish close together (in the demo, the extra-watermark runs at 1m no longer
 * start last, after the 1h and 24h runs). Results are written in plan order regardless.
 */
static int starts_before(const struct cmp_sweep_run *a, const struct cmp_sweep_run *b)
{
    if (a->lambda != b->lambda)
        return a->lambda;
    return !a->lambda && a->trigger.ms < b->trigger.ms;
}

static void start_order(struct sched *sc)
{
    for (size_t k = 0; k < sc->n; k++) { /* a stable insertion sort: n is a few dozen */
        size_t j = k;
        for (; j > 0 && starts_before(&sc->runs[k], &sc->runs[sc->order[j - 1]]); j--)
            sc->order[j] = sc->order[j - 1];
        sc->order[j] = k;
    }
}

/*
 * Every run in its own process, up to sc->jobs at once, started in start_order. Each run
 * has its own directories, so the results do not depend on the
 * order in which runs end; runs[] keeps plan order. The first failure stops new starts;
 * the runs still going are waited for, and its exit code is returned.
 */
static int run_all(struct sched *sc, const struct args *a, struct cmp_sweep_run *runs,
                   const struct cmp_sweep_shared *sh)
{
    struct slot sl[CMP_SWEEP_MAX_RUNS];
    size_t next = 0, nsl = 0;
    int rc = 0;
    while (sc->done < next || (rc == 0 && next < sc->n)) {
        while (rc == 0 && next < sc->n && nsl < sc->jobs)
            if ((rc = start(sc, a, runs, next, sh, &sl[nsl])) == 0) {
                nsl++;
                next++;
            }
        if (nsl == 0)
            break;
        size_t i;
        int one = reap(sc, runs, sl, &nsl, &i, a->quiet);
        if (one < 0)
            return 4;
        if (one != 0 && rc == 0)
            rc = one;
        if (one == 0 && !a->quiet)
            progress(sc, i);
    }
    return rc;
}

/* A latency percentile for people: "never" when it falls among the never events. */
static void human(int64_t ms, char *buf, size_t size)
{
    if (ms == LK_LAT_NEVER)
        snprintf(buf, size, "never");
    else
        cmd_human_ms(ms, buf, size);
}

static void summary(const char *s, const struct cmp_sweep_run *runs, size_t n)
{
    printf("%-24s %-7s %13s %11s %11s %8s %9s %11s  %s\n", "run", "mode", "first-vis p50",
           "correct p50", "correct %", "late %", "files", "usd/month", "reconcile");
    for (size_t i = 0; i < n; i++) {
        char fv[32], co[32];
        const struct cmp_sweep_run *r = &runs[i];
        human(r->fv.p50_ms, fv, sizeof(fv));
        human(r->co.p50_ms, co, sizeof(co));
        printf("%-24s %-7s %13s %11s %11.2f %8.2f %9" PRIu64 " %8" PRId64 ".%02d  %s\n", r->name,
               cmp_sweep_mode(r), fv, co, lk_lat_reached_pct(&r->co),
               r->lines ? 100.0 * (double)r->late / (double)r->lines : 0.0, r->usage.files,
               r->bill.total / 100, (int)(r->bill.total % 100), r->status);
    }
    printf("\nsweep written to %s (sweep.csv, sweep.json); next: lklab plot --sweep %s\n", s, s);
}

static int sweep(const struct args *a)
{
    struct cmp_sweep_run runs[CMP_SWEEP_MAX_RUNS];
    struct sched sc = { 0 };
    struct lk_err err = LK_ERR_INIT;
    struct lk_pricing p;
    struct cmp_sweep_meta meta;
    char truth[4200], *path;
    struct cmp_sweep_shared sh = { .truth = truth, .pricing = &p };
    size_t n = cmp_sweep_plan(&a->grid, runs);
    double t0 = lk_wall_now();
    int rc;
    path = cmd_datasets_file(a->pricing, "pricing", NULL);
    rc = lk_pricing_load(&p, path, &err);
    free(path);
    if (rc < 0)
        return cmd_fail(CMD, &err);
    if (a->tier && lk_cost_tier_parse(a->tier) < 0)
        return cmd_usage_error(CMD, "unknown tier '%s', use hot, cool or archive", a->tier);
    for (size_t i = 0; i < n; i++) /* before any run starts: Lambda's rule on its periods */
        if (runs[i].lambda
            && lb_rundir_check_periods(runs[i].every.ms, runs[i].trigger.ms, &err) < 0)
            return cmd_fail(CMD, &err);
    if (cmp_sweep_init(a->out, truth, sizeof(truth), &err) < 0)
        return cmd_fail(CMD, &err);
    sh.tier = a->tier ? lk_cost_tier_parse(a->tier) : -1;
    cmp_sweep_shared_start(&sh, a->data);
    {
        const char *tr[] = { "--data", a->data, "--pipeline", a->pipeline,
                             "--out",  truth,   "--quiet",    NULL };
        rc = cmd_step(CMD, cmd_truth, "truth", "compute the truth", tr, 1);
    }
    if (rc == 0 && cmp_sweep_shared_finish(&sh, a->data, &err) < 0)
        rc = cmd_fail(CMD, &err);
    if (rc != 0) {
        cmp_sweep_shared_release(&sh);
        return rc;
    }
    sc.runs = runs;
    sc.n = n;
    sc.jobs = a->jobs < n ? a->jobs : n;
    start_order(&sc);
    sc.t0 = t0;
    rc = run_all(&sc, a, runs, &sh);
    cmp_sweep_shared_release(&sh);
    if (rc != 0)
        return rc;
    meta = (struct cmp_sweep_meta){
        .data = a->data, .pipeline = a->pipeline, .series = &sh.series, .wall_s = lk_wall_now() - t0
    };
    if (cmp_sweep_write(a->out, runs, n, &p, &meta, &err) < 0)
        return cmd_fail(CMD, &err);
    summary(a->out, runs, n);
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "pipeline", required_argument, NULL, 'p' },
        { "out", required_argument, NULL, 'o' },
        { "triggers", required_argument, NULL, 't' },
        { "watermarks", required_argument, NULL, 'w' },
        { "watermark", required_argument, NULL, 'W' },
        { "batch-every", required_argument, NULL, 'b' },
        { "speed-trigger", required_argument, NULL, 's' },
        { "pricing", required_argument, NULL, 'P' },
        { "tier", required_argument, NULL, 'T' },
        { "modes", required_argument, NULL, 'm' },
        { "jobs", required_argument, NULL, 'j' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct args a = { 0 };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t jobs = cores > 0 ? (uint64_t)cores : 1;
    struct cmd_getopt go;
    int c, rc = 0;
    a.pipeline = "revenue";
    a.grid.modes = CMP_SWEEP_APPEND | CMP_SWEEP_UPDATE;
    a.pricing = "default";
    if (parse_list("--triggers", "10s,1m,1h,24h", &a.grid.triggers)
        || parse_list("--batch-every", "6h", &a.grid.every)
        || parse_item("--watermark", "10m", 3, &a.grid.watermark)
        || parse_item("--speed-trigger", "10s", 3, &a.grid.speed))
        return 2;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while (rc == 0 && (c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'd':
            a.data = optarg;
            break;
        case 'p':
            a.pipeline = optarg;
            break;
        case 'o':
            a.out = optarg;
            break;
        case 't':
            rc = parse_list("--triggers", optarg, &a.grid.triggers);
            break;
        case 'w':
            rc = parse_list("--watermarks", optarg, &a.grid.watermarks);
            break;
        case 'W':
            rc = parse_item("--watermark", optarg, strlen(optarg), &a.grid.watermark);
            break;
        case 'b':
            rc = parse_list("--batch-every", optarg, &a.grid.every);
            break;
        case 's':
            rc = parse_item("--speed-trigger", optarg, strlen(optarg), &a.grid.speed);
            break;
        case 'P':
            a.pricing = optarg;
            break;
        case 'T':
            a.tier = optarg;
            break;
        case 'm':
            rc = parse_modes(optarg, &a.grid.modes);
            break;
        case 'j':
            rc = cmd_parse_u64(CMD, "--jobs", optarg, 1, CMP_SWEEP_MAX_RUNS, &jobs);
            break;
        case 'q':
            a.quiet = 1;
            break;
        }
    }
    if (rc != 0)
        return rc;
    if (c < 0)
        return go.rc;
    a.jobs = (size_t)jobs;
    if (cmd_need_options(CMD, "--data", a.data, "--out", a.out, NULL))
        return 2;
    if (cmd_need_dataset(CMD, a.data) != 0)
        return 3;
    return sweep(&a);
}
