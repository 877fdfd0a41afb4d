/*
 * lklab sweep: run both stacks over a grid of triggers (Kappa, in append and/or update
 * mode), watermarks (Kappa, at one reference trigger) and batch periods (Lambda) on one
 * dataset, and leave in S/ what the charts and the report need: the directory contract of
 * docs/sweep.md. Each run is the same subcommand a student would type, run in-process;
 * then its latency (kp_latency / lb_latency), its monthly bill (lk_cost) and its
 * reconciliation against the truth.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "kp_latency.h"
#include "lb_latency.h"
#include "lk_cost.h"
#include "lk_csvread.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_latency.h"
#include "lk_source.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "sweep"
#define MAX_LIST 12
#define MAX_RUNS (4 * MAX_LIST)
#define MODE_APPEND 1u
#define MODE_UPDATE 2u

static const char usage_line[] =
    "lklab sweep --data DIR --pipeline NAME --out S [--triggers LIST] [--watermarks LIST]\n"
    "                   [--watermark D] [--batch-every LIST] [--speed-trigger D]\n"
    "                   [--modes append,update] [--pricing FILE] [--tier hot|cool|archive]\n"
    "                   [--quiet]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Runs the Lambda stack once per batch period, then the Kappa stack once per trigger and\n"
           "output mode (append: --lake, --final-watermark; update: no lake, a file sink is\n"
           "append-only; both with the default watermark), and once more per extra watermark at\n"
           "the reference trigger (1m when it is in the list, else the first; append mode when it\n"
           "is in --modes), all on one dataset with --durability process. For every run:\n"
           "per-event latency over every event (first-visible and correct, a never-correct event\n"
           "counting as +infinity; into its run.json), the monthly bill and the reconciliation\n"
           "against the truth. Writes S/ as docs/sweep.md describes: sweep.csv (one row per\n"
           "run), sweep.json, truth.csv, runs/, reconcile/, cost.csv, scenarios.csv,\n"
           "sawtooth.tsv, freshness_kappa.tsv and freshness_lambda.tsv. Progress: one line per\n"
           "run, with an ETA from the finished runs of each kind still to come. Then\n"
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
           "  --quiet               no progress lines\n",
           usage_line);
}

struct item {
    char text[16];
    int64_t ms;
};

struct list {
    struct item v[MAX_LIST];
    size_t n;
};

struct run {
    int lambda, update; /* update: a Kappa run in update mode (no lake) */
    struct item trigger, watermark, every; /* Kappa: every.ms = 0; Lambda: watermark.ms = -1 */
    char name[64];
    int64_t wall_ms;
    double step_s; /* the run, its latency, bill and reconciliation: wall seconds */
    struct lk_lat_summary fv, co;
    uint64_t lines, late, max_state;
    struct lk_cost_usage usage;
    struct lk_cost_bill bill;
    const char *status;
};

struct args {
    const char *data, *pipeline, *out, *pricing, *tier;
    struct list triggers, watermarks, every;
    struct item watermark, speed;
    unsigned modes; /* MODE_* */
    int quiet;
};

static int parse_item(const char *opt, const char *text, size_t len, struct item *it)
{
    if (len == 0 || len >= sizeof(it->text))
        return cmd_usage_error(CMD, "bad value '%.*s' in %s (a duration like 1m)",
                               (int)len, text, opt);
    memcpy(it->text, text, len);
    it->text[len] = '\0';
    return cmd_parse_duration(CMD, opt, it->text, &it->ms);
}

static int parse_list(const char *opt, const char *text, struct list *l)
{
    l->n = 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        if (l->n == MAX_LIST)
            return cmd_usage_error(CMD, "%s: at most %d values", opt, MAX_LIST);
        if (parse_item(opt, p, len, &l->v[l->n++]) != 0)
            return 2;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* "append", "update" or both, comma-separated, into a MODE_* mask. */
static int parse_modes(const char *text, unsigned *modes)
{
    *modes = 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        if (len == 6 && strncmp(p, "append", 6) == 0)
            *modes |= MODE_APPEND;
        else if (len == 6 && strncmp(p, "update", 6) == 0)
            *modes |= MODE_UPDATE;
        else
            return cmd_usage_error(CMD, "bad value '%.*s' in --modes (append or update)",
                                   (int)len, p);
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* ------------------------------------------------------------------ grid ---- */

static struct run *add_run(struct run *runs, size_t *n, struct item trigger, struct item wm,
                           int update)
{
    struct run *r = &runs[(*n)++];
    *r = (struct run){ 0 };
    r->trigger = trigger;
    r->watermark = wm;
    r->update = update;
    snprintf(r->name, sizeof(r->name), "kappa-%s%s-wm%s", update ? "update-" : "", trigger.text,
             wm.text);
    return r;
}

/*
 * Lambda first, then each trigger in append and update mode side by side, then the extra
 * watermarks: every kind of run is timed early, so the ETA has a measured run of each
 * kind to go by.
 */
static size_t plan(const struct args *a, struct run *runs)
{
    size_t n = 0, ref = 0;
    for (size_t i = 0; i < a->every.n; i++) {
        struct run *r = &runs[n++];
        *r = (struct run){ 0 };
        r->lambda = 1;
        r->trigger = a->speed;
        r->every = a->every.v[i];
        snprintf(r->watermark.text, sizeof(r->watermark.text), "none");
        r->watermark.ms = -1;
        snprintf(r->name, sizeof(r->name), "lambda-%s", r->every.text);
    }
    for (size_t i = 0; i < a->triggers.n; i++) {
        if (a->modes & MODE_APPEND)
            add_run(runs, &n, a->triggers.v[i], a->watermark, 0);
        if (a->modes & MODE_UPDATE)
            add_run(runs, &n, a->triggers.v[i], a->watermark, 1);
        if (a->triggers.v[i].ms == LK_MS_PER_MIN)
            ref = i;
    }
    for (size_t i = 0; i < a->watermarks.n; i++)
        if (a->watermarks.v[i].ms != a->watermark.ms)
            add_run(runs, &n, a->triggers.v[ref], a->watermarks.v[i],
                    !(a->modes & MODE_APPEND));
    return n;
}

/* ------------------------------------------------------------ one run ---- */

/* Latencies into RUN/run.json ("latency") and r; the totals sweep.csv needs. */
static int latency(const char *dir, struct run *r, struct lk_err *err)
{
    char path[4400], stack[16];
    cJSON *root = NULL;
    int rc = cmd_latency_update(dir, &r->fv, &r->co, stack, sizeof(stack), err);
    snprintf(path, sizeof(path), "%s/run.json", dir);
    if (rc == 0 && (rc = lk_json_read_file(path, &root, err)) == 0) {
        const cJSON *totals = cJSON_GetObjectItemCaseSensitive(root, "totals");
        r->lines = (uint64_t)lk_json_int(totals, "lines", 0);
        r->late = (uint64_t)lk_json_int(totals, "late", 0);
        r->max_state = (uint64_t)lk_json_int(totals, "max_state_rows", 0);
    }
    cJSON_Delete(root);
    return rc;
}

static int execute(const struct args *a, const char *s, struct run *r, const char *truth)
{
    char dir[4200], lake[4200], rec[4300];
    const char *q = "--quiet";
    struct lk_err err = LK_ERR_INIT;
    double t0;
    int rc;
    snprintf(dir, sizeof(dir), "%s/runs/%s", s, r->name);
    snprintf(lake, sizeof(lake), "%s/lake/%s", s, r->name);
    if (lk_rm_rf(dir, &err) < 0 || lk_rm_rf(lake, &err) < 0)
        return cmd_fail(CMD, &err);
    t0 = lk_wall_now();
    if (r->lambda) {
        const char *args[] = { "--data", a->data, "--pipeline", a->pipeline, "--out", dir,
                               "--batch-every", r->every.text, "--speed-trigger", r->trigger.text,
                               q, NULL };
        rc = cmd_step(CMD, cmd_lambda, "lambda", r->name, args, 1);
    } else if (r->update) {
        /* no lake (a file sink is append-only) and no end-of-input flush: update mode
           upserts every row at each batch, so the answer is complete without one */
        const char *args[] = { "--data", a->data, "--pipeline", a->pipeline, "--out", dir,
                               "--output-mode", "update", "--trigger", r->trigger.text,
                               "--watermark", r->watermark.text, "--durability", "process",
                               q, NULL };
        rc = cmd_step(CMD, cmd_kappa, "kappa", r->name, args, 1);
    } else {
        const char *args[] = { "--data", a->data, "--pipeline", a->pipeline, "--out", dir,
                               "--trigger", r->trigger.text, "--watermark", r->watermark.text,
                               "--lake", lake, "--final-watermark", "--durability", "process",
                               q, NULL };
        rc = cmd_step(CMD, cmd_kappa, "kappa", r->name, args, 1);
    }
    if (rc != 0)
        return rc;
    r->wall_ms = (int64_t)((lk_wall_now() - t0) * 1000.0);
    if (latency(dir, r, &err) < 0 || lk_cost_usage_from_run(&r->usage, dir, &err) < 0)
        return cmd_fail(CMD, &err);
    snprintf(r->usage.config, sizeof(r->usage.config), "%s", r->name);
    snprintf(rec, sizeof(rec), "%s/reconcile/%s.txt", s, r->name);
    {
        struct lk_atomic at = LK_ATOMIC_INIT;
        size_t ndiffs = 0, unexplained = 0;
        if (lk_atomic_open(&at, rec, &err) < 0
            || cmd_reconcile_report(dir, truth, at.fp, &ndiffs, &unexplained, &err) < 0
            || lk_atomic_commit(&at, &err) < 0) {
            lk_atomic_abort(&at);
            return cmd_fail(CMD, &err);
        }
        r->status = unexplained ? "unexplained" : ndiffs ? "explained" : "equal";
    }
    return 0;
}

/* ----------------------------------------------------------- progress ---- */

/* lambda, Kappa append, Kappa update: runs of one kind take alike. */
static int run_kind(const struct run *r)
{
    return r->lambda ? 0 : r->update ? 2 : 1;
}

/*
 * One progress line after run i of n: what it took (the run, then latency, cost and
 * reconciliation) and an ETA for the runs still to come, each estimated as the mean of the
 * finished runs of its kind. No ETA while a kind still to come has no finished run (a
 * Lambda run can take ten Kappa runs' time): "ETA unknown" says so instead of a guess.
 */
static void progress(const struct run *runs, size_t i, size_t n, double elapsed)
{
    double sum[3] = { 0 }, eta = 0.0;
    size_t cnt[3] = { 0 };
    const char *untimed = NULL;
    char eta_text[96];
    for (size_t k = 0; k <= i; k++) {
        sum[run_kind(&runs[k])] += runs[k].step_s;
        cnt[run_kind(&runs[k])]++;
    }
    for (size_t k = i + 1; k < n; k++) {
        int kind = run_kind(&runs[k]);
        if (cnt[kind])
            eta += sum[kind] / (double)cnt[kind];
        else if (!untimed)
            untimed = runs[k].name;
    }
    if (i + 1 == n)
        snprintf(eta_text, sizeof(eta_text), "done");
    else if (untimed)
        snprintf(eta_text, sizeof(eta_text), "ETA unknown until %s's kind is timed", untimed);
    else
        snprintf(eta_text, sizeof(eta_text), "ETA ~%.0fs for %zu more", eta, n - i - 1);
    fprintf(stderr, "lklab sweep: [%zu/%zu] %-24s run %5.1fs, with analysis %5.1fs  (elapsed %.0fs, %s)\n",
            i + 1, n, runs[i].name, (double)runs[i].wall_ms / 1000.0, runs[i].step_s, elapsed,
            eta_text);
}

/* ------------------------------------------------------------ outputs ---- */

static void usd(FILE *fp, int64_t cents)
{
    fprintf(fp, "%" PRId64 ".%02d00", cents / 100, (int)(cents % 100));
}

static const char *run_mode(const struct run *r)
{
    return r->lambda ? "serving" : r->update ? "update" : "append";
}

static void sweep_row(FILE *fp, const struct run *r)
{
    const struct lk_cost_bill *b = &r->bill;
    double late_pct = r->lines ? 100.0 * (double)r->late / (double)r->lines : 0.0;
    const int64_t ms[6] = { r->fv.p50_ms, r->fv.p95_ms, r->fv.p99_ms,
                            r->co.p50_ms, r->co.p95_ms, r->co.p99_ms };
    char t[24];
    fprintf(fp, "%s,%s,%s,%" PRId64 ",%s,%" PRId64 ",%s,%" PRId64 ",%" PRIu64,
            r->lambda ? "lambda" : "kappa", run_mode(r), r->trigger.text, r->trigger.ms,
            r->watermark.text, r->watermark.ms, r->lambda ? r->every.text : "", r->every.ms,
            r->lines);
    for (int i = 0; i < 6; i++)
        fprintf(fp, ",%s", lk_lat_ms_text(ms[i], t, sizeof(t)));
    fprintf(fp, ",%" PRIu64 ",%.2f", r->co.never, lk_lat_reached_pct(&r->co));
    fprintf(fp, ",%.4f,%" PRIu64 ",%" PRIu64 ",%.0f,", late_pct, r->max_state, r->usage.files,
            r->usage.files ? (double)r->usage.bytes / (double)r->usage.files : 0.0);
    usd(fp, b->compute);
    fputc(',', fp);
    usd(fp, b->storage);
    fputc(',', fp);
    usd(fp, b->operations);
    fputc(',', fp);
    usd(fp, b->total);
    fprintf(fp, ",%" PRId64 ",%s,runs/%s\n", r->wall_ms, r->status, r->name);
}

/* Open S/name for an atomic write; on failure report and return NULL. */
static FILE *out_open(struct lk_atomic *at, const char *s, const char *name, struct lk_err *err)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", s, name);
    return lk_atomic_open(at, path, err) == 0 ? at->fp : NULL;
}

static int write_tables(const char *s, const struct run *runs, size_t n,
                        const struct lk_pricing *p, struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT, c = LK_ATOMIC_INIT, sc = LK_ATOMIC_INIT;
    FILE *fa, *fc, *fs;
    int rc = 0;
    if (!(fa = out_open(&a, s, "sweep.csv", err)) || !(fc = out_open(&c, s, "cost.csv", err))
        || !(fs = out_open(&sc, s, "scenarios.csv", err))) {
        lk_atomic_abort(&a);
        lk_atomic_abort(&c);
        return LK_EIO;
    }
    fprintf(fa, "stack,mode,trigger,trigger_ms,watermark,watermark_ms,batch_every,"
                "batch_every_ms,events,first_visible_p50_ms,first_visible_p95_ms,"
                "first_visible_p99_ms,correct_p50_ms,correct_p95_ms,correct_p99_ms,"
                "never_correct,correct_pct,late_pct,max_state_rows,files_written,"
                "mean_file_bytes,compute_usd,storage_usd,operations_usd,total_usd,wall_ms,"
                "reconcile_status,run\n");
    fprintf(fc, "config,component,usd_month\n");
    for (size_t i = 0; i < n; i++) {
        sweep_row(fa, &runs[i]);
        cmd_cost_csv_rows(fc, NULL, &runs[i].usage, &runs[i].bill);
    }
    fprintf(fs, "scenario,config,component,usd_month\n");
    for (int k = 0; k < 2 && rc == 0; k++) {
        const char *name = k ? "multi-tenant" : "small-files";
        struct lk_cost_usage u[2];
        struct lk_cost_bill b[2];
        if ((rc = lk_cost_scenario(name, p, u, err)) < 0)
            break;
        rc = 0;
        for (int i = 0; i < 2; i++) {
            lk_cost_price(p, &u[i], &b[i]);
            cmd_cost_csv_rows(fs, name, &u[i], &b[i]);
        }
    }
    if (rc == 0 && (rc = lk_atomic_commit(&a, err)) == 0 && (rc = lk_atomic_commit(&c, err)) == 0)
        rc = lk_atomic_commit(&sc, err);
    lk_atomic_abort(&a);
    lk_atomic_abort(&c);
    lk_atomic_abort(&sc);
    return rc;
}

static double hours(int64_t t, int64_t origin)
{
    return (double)(t - origin) / (double)LK_MS_PER_HOUR;
}

static int write_points(const char *s, const char *name, const struct lk_point *pts, size_t n,
                        int64_t origin, struct lk_err *err)
{
    struct lk_atomic at = LK_ATOMIC_INIT;
    FILE *fp = out_open(&at, s, name, err);
    if (!fp)
        return LK_EIO;
    fprintf(fp, "# hours value\n");
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%.6f\t%.2f\n", hours(pts[i].t, origin), pts[i].v);
    return lk_atomic_commit(&at, err);
}

/*
 * The freshness window: the truth row with the most events (first aggregate), ties to the
 * canonical first; its key as `lklab results` prints it, and that first aggregate.
 */
static int pick_window(const char *truth, char *key, size_t ksize, char *col, size_t csize,
                       double *final, struct lk_err *err)
{
    struct lk_rtable t = LK_RTABLE_INIT;
    const struct lk_rrow *best = NULL;
    int rc = lk_rtable_load(&t, truth, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < t.nrows; i++)
        if (!best || t.sorted[i]->row.values[0] > best->row.values[0])
            best = t.sorted[i];
    if (!best) {
        lk_rtable_release(&t);
        return lk_err_set(err, LK_EINPUT, "the truth '%s' has no rows", truth);
    }
    {
        size_t off = 0;
        char iso[40];
        for (size_t g = 0; g < t.ngroup && off < ksize; g++)
            off += (size_t)snprintf(key + off, ksize - off, "%.*s,", (int)best->row.group[g].len,
                                    best->row.group[g].ptr);
        lk_time_format(best->row.window_start, iso);
        if (off < ksize)
            snprintf(key + off, ksize - off, "%s", iso);
    }
    snprintf(col, csize, "%s", t.cols[t.ngroup + 2]);
    *final = (double)best->row.values[0] / 100.0;
    lk_rtable_release(&t);
    return 0;
}

/* The instants Lambda's batch views landed (metrics.jsonl "layer":"batch"), in hours. */
static int add_landings(const char *metrics, int64_t origin, cJSON *marks, struct lk_err *err)
{
    struct lk_lines *in = NULL;
    const char *line;
    size_t len;
    int rc = lk_lines_open(&in, metrics, err);
    while (rc == 0 && (rc = lk_lines_next(in, &line, &len, err)) > 0) {
        cJSON *m = cJSON_ParseWithLength(line, len);
        const char *layer = cJSON_GetStringValue(cJSON_GetObjectItem(m, "layer"));
        const char *vis = cJSON_GetStringValue(cJSON_GetObjectItem(m, "visible_time"));
        int64_t t;
        if (layer && strcmp(layer, "batch") == 0 && vis
            && lk_time_parse(vis, strlen(vis), &t) == 0)
            cJSON_AddItemToArray(marks, cJSON_CreateNumber(hours(t, origin)));
        cJSON_Delete(m);
        rc = 0;
    }
    lk_lines_close(in);
    return rc < 0 ? rc : 0;
}

/* The Kappa run of the freshness timeline: append at 1m, any append, update at 1m, any. */
static int fresh_rank(const struct run *r)
{
    return 2 * r->update + (r->trigger.ms != LK_MS_PER_MIN);
}

static int write_series(const char *s, const struct run *runs, size_t n, const char *truth,
                        cJSON *meta, struct lk_err *err)
{
    const struct run *kr = NULL, *lr = NULL;
    char dir[4200], key[512], col[64];
    double final = 0.0;
    int64_t origin = 0;
    int rc;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].lambda && !lr)
            lr = &runs[i];
        if (!runs[i].lambda && (!kr || fresh_rank(&runs[i]) < fresh_rank(kr)))
            kr = &runs[i];
    }
    if ((rc = lk_log_first_arrival(cJSON_GetStringValue(cJSON_GetObjectItem(meta, "data")),
                                   &origin, err)) < 0
        || (rc = pick_window(truth, key, sizeof(key), col, sizeof(col), &final, err)) < 0)
        return rc;
    {
        cJSON *f = cJSON_AddObjectToObject(meta, "freshness");
        cJSON_AddStringToObject(f, "key", key);
        cJSON_AddStringToObject(f, "column", col);
        cJSON_AddNumberToObject(f, "final", final);
        cJSON_AddStringToObject(f, "kappa_run", kr ? kr->name : "");
        cJSON_AddStringToObject(f, "lambda_run", lr ? lr->name : "");
    }
    for (int k = 0; k < 2; k++) {
        const struct run *r = k ? lr : kr;
        struct lk_point *pts = NULL;
        size_t np = 0;
        if (!r)
            continue;
        snprintf(dir, sizeof(dir), "%s/runs/%s", s, r->name);
        rc = k ? lb_row_history(dir, key, col, &pts, &np, err)
               : kp_row_history(dir, key, col, &pts, &np, err);
        if (rc == 0)
            rc = write_points(s, k ? "freshness_lambda.tsv" : "freshness_kappa.tsv", pts, np,
                              origin, err);
        free(pts);
        if (rc < 0)
            return rc;
    }
    if (lr) {
        struct lb_disc_point *d = NULL;
        struct lk_atomic at = LK_ATOMIC_INIT;
        size_t nd = 0;
        cJSON *saw = cJSON_AddObjectToObject(meta, "sawtooth"), *marks;
        FILE *fp;
        snprintf(dir, sizeof(dir), "%s/runs/%s", s, lr->name);
        if ((rc = lb_discrepancy_series(dir, &d, &nd, err)) < 0)
            return rc;
        if (!(fp = out_open(&at, s, "sawtooth.tsv", err))) {
            free(d);
            return LK_EIO;
        }
        fprintf(fp, "# hours diff_rows diff_pct\n");
        for (size_t i = 0; i < nd; i++)
            fprintf(fp, "%.6f\t%" PRIu64 "\t%.4f\n", hours(d[i].t, origin), d[i].diff_rows,
                    d[i].rows ? 100.0 * (double)d[i].diff_rows / (double)d[i].rows : 0.0);
        free(d);
        if ((rc = lk_atomic_commit(&at, err)) < 0)
            return rc;
        cJSON_AddStringToObject(saw, "run", lr->name);
        marks = cJSON_AddArrayToObject(saw, "batch_visible_hours");
        snprintf(dir, sizeof(dir), "%s/runs/%s/metrics.jsonl", s, lr->name);
        rc = add_landings(dir, origin, marks, err);
    }
    return rc;
}

/* sweep.json: what the plots and the report need beyond sweep.csv. */
static int write_meta(const struct args *a, const char *s, const struct run *runs, size_t n,
                      const char *truth, double wall_s, struct lk_err *err)
{
    char path[4200];
    cJSON *meta = cJSON_CreateObject(), *man = NULL, *ds;
    int rc;
    int64_t first = 0, last = 0;
    cJSON_AddStringToObject(meta, "data", a->data);
    cJSON_AddStringToObject(meta, "pipeline", a->pipeline);
    snprintf(path, sizeof(path), "%s/manifest.json", a->data);
    ds = cJSON_AddObjectToObject(meta, "dataset");
    if (lk_json_read_file(path, &man, NULL) == 0) {
        const cJSON *sc = cJSON_GetObjectItem(man, "scenario");
        cJSON_AddStringToObject(ds, "scenario", cJSON_IsString(sc) ? sc->valuestring : "");
        const cJSON *counts = cJSON_GetObjectItemCaseSensitive(man, "counts");
        lk_json_add_int(ds, "events", lk_json_int(counts, "unique_events", 0));
        lk_json_add_int(ds, "lines", lk_json_int(counts, "lines", 0));
        lk_json_add_int(ds, "seed", lk_json_int(man, "seed", 0));
    }
    cJSON_Delete(man);
    if ((rc = lk_log_first_arrival(a->data, &first, err)) == 0
        && (rc = lk_log_last_arrival(a->data, &last, err)) == 0) {
        lk_json_add_time(ds, "first_arrival", first);
        lk_json_add_time(ds, "last_arrival", last);
        rc = write_series(s, runs, n, truth, meta, err);
    }
    lk_json_add_int(meta, "wall_ms", (int64_t)(wall_s * 1000.0));
    snprintf(path, sizeof(path), "%s/sweep.json", s);
    if (rc == 0)
        rc = lk_json_write_file(path, meta, err);
    cJSON_Delete(meta);
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

static void summary(const char *s, const struct run *runs, size_t n)
{
    printf("%-24s %-7s %13s %11s %11s %8s %9s %11s  %s\n", "run", "mode", "first-vis p50",
           "correct p50", "correct %", "late %", "files", "usd/month", "reconcile");
    for (size_t i = 0; i < n; i++) {
        char fv[32], co[32];
        const struct run *r = &runs[i];
        human(r->fv.p50_ms, fv, sizeof(fv));
        human(r->co.p50_ms, co, sizeof(co));
        printf("%-24s %-7s %13s %11s %11.2f %8.2f %9" PRIu64 " %8" PRId64 ".%02d  %s\n", r->name,
               run_mode(r), fv, co, lk_lat_reached_pct(&r->co),
               r->lines ? 100.0 * (double)r->late / (double)r->lines : 0.0, r->usage.files,
               r->bill.total / 100, (int)(r->bill.total % 100), r->status);
    }
    printf("\nsweep written to %s (sweep.csv, sweep.json); next: lklab plot --sweep %s\n", s, s);
}

static int sweep(const struct args *a)
{
    struct run runs[MAX_RUNS];
    struct lk_err err = LK_ERR_INIT;
    struct lk_pricing p;
    char path[4200], shown[4200], truth[4200];
    size_t n = plan(a, runs);
    double t0 = lk_wall_now();
    int rc;
    cmd_pricing_path(a->pricing, path, sizeof(path), shown, sizeof(shown));
    if (lk_pricing_load(&p, path, &err) < 0)
        return cmd_fail(CMD, &err);
    if (a->tier && lk_cost_tier_parse(a->tier) < 0)
        return cmd_usage_error(CMD, "unknown tier '%s', use hot, cool or archive",
                               a->tier);
    snprintf(truth, sizeof(truth), "%s/truth.csv", a->out);
    snprintf(path, sizeof(path), "%s/reconcile", a->out);
    if (lk_mkdir_p(path, &err) < 0)
        return cmd_fail(CMD, &err);
    {
        const char *tr[] = { "--data", a->data, "--pipeline", a->pipeline, "--out", truth,
                             "--quiet", NULL };
        if ((rc = cmd_step(CMD, cmd_truth, "truth", "compute the truth", tr, 1)) != 0)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        double start = lk_wall_now();
        if (!a->quiet)
            fprintf(stderr, "lklab sweep: run %zu/%zu %s ...\n", i + 1, n, runs[i].name);
        if ((rc = execute(a, a->out, &runs[i], truth)) != 0)
            return rc;
        runs[i].usage.tier = a->tier ? lk_cost_tier_parse(a->tier) : -1;
        lk_cost_price(&p, &runs[i].usage, &runs[i].bill);
        runs[i].step_s = lk_wall_now() - start;
        if (!a->quiet)
            progress(runs, i, n, lk_wall_now() - t0);
    }
    if (write_tables(a->out, runs, n, &p, &err) < 0
        || write_meta(a, a->out, runs, n, truth, lk_wall_now() - t0, &err) < 0)
        return cmd_fail(CMD, &err);
    summary(a->out, runs, n);
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },        { "pipeline", required_argument, NULL, 'p' },
        { "out", required_argument, NULL, 'o' },         { "triggers", required_argument, NULL, 't' },
        { "watermarks", required_argument, NULL, 'w' },  { "watermark", required_argument, NULL, 'W' },
        { "batch-every", required_argument, NULL, 'b' }, { "speed-trigger", required_argument, NULL, 's' },
        { "pricing", required_argument, NULL, 'P' },     { "tier", required_argument, NULL, 'T' },
        { "modes", required_argument, NULL, 'm' },
        { "quiet", no_argument, NULL, 'q' },             { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct args a = { 0 };
    int c, rc = 0;
    a.pipeline = "revenue";
    a.modes = MODE_APPEND | MODE_UPDATE;
    a.pricing = "default";
    if (parse_list("--triggers", "10s,1m,1h,24h", &a.triggers) || parse_list("--batch-every", "6h", &a.every)
        || parse_item("--watermark", "10m", 3, &a.watermark) || parse_item("--speed-trigger", "10s", 3, &a.speed))
        return 2;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a.data = optarg; break;
        case 'p': a.pipeline = optarg; break;
        case 'o': a.out = optarg; break;
        case 't': rc = parse_list("--triggers", optarg, &a.triggers); break;
        case 'w': rc = parse_list("--watermarks", optarg, &a.watermarks); break;
        case 'W': rc = parse_item("--watermark", optarg, strlen(optarg), &a.watermark); break;
        case 'b': rc = parse_list("--batch-every", optarg, &a.every); break;
        case 's': rc = parse_item("--speed-trigger", optarg, strlen(optarg), &a.speed); break;
        case 'P': a.pricing = optarg; break;
        case 'T': a.tier = optarg; break;
        case 'm': rc = parse_modes(optarg, &a.modes); break;
        case 'q': a.quiet = 1; break;
        case 'h': help(); return 0;
        default: return cmd_bad_option(CMD, argc, argv);
        }
    }
    if (rc != 0)
        return rc;
    if (optind < argc)
        return cmd_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (!a.data || !a.out)
        return cmd_usage_error(CMD, "missing %s", !a.data ? "--data" : "--out");
    if (cmd_need_dataset(CMD, a.data) != 0)
        return 3;
    return sweep(&a);
}
