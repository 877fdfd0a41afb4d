#include "pl_chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_mem.h"
#include "banned.h"

static const char *const chart_name[PL_NCHARTS] = {
    "latency", "cost", "files", "watermark", "sawtooth", "freshness",
};

const char *pl_chart_name(enum pl_chart c)
{
    return c < PL_NCHARTS ? chart_name[c] : "?";
}

static int skip(struct pl_chart_out *out, const char *why)
{
    snprintf(out->why, sizeof(out->why), "%s", why);
    return PL_SKIP;
}

static int io_check(FILE *fp, struct lk_err *err)
{
    return ferror(fp) ? lk_file_write_failed(fp, "the chart data", err) : 0;
}

/* ---------------------------------------------------------- row choice ---- */

/* x of a run on the trigger axis: Kappa's trigger, Lambda's batch period (ms). */
static int64_t axis_ms(const struct pl_run *r)
{
    return r->stack == PL_KAPPA ? r->trigger_ms : r->batch_every_ms;
}

static const char *axis_label(const struct pl_run *r)
{
    return r->stack == PL_KAPPA ? r->trigger : r->batch_every;
}

/* The series of a run on the charts: Kappa append, Kappa update, Lambda (in this order). */
enum series { SERIES_KAPPA, SERIES_KAPPA_UPDATE, SERIES_LAMBDA };

static enum series series_of(const struct pl_run *r)
{
    return r->stack == PL_LAMBDA ? SERIES_LAMBDA
           : pl_run_update(r)    ? SERIES_KAPPA_UPDATE
                                 : SERIES_KAPPA;
}

/* The data files' first column: "kappa", "kappa-update", "lambda". */
static const char *series_name(const struct pl_run *r)
{
    static const char *const name[] = { "kappa", "kappa-update", "lambda" };
    return name[series_of(r)];
}

/* a before b: by series, then by key, then by line. */
static int before(const struct pl_run *a, const struct pl_run *b, int64_t ka, int64_t kb)
{
    if (series_of(a) != series_of(b))
        return series_of(a) < series_of(b);
    if (ka != kb)
        return ka < kb;
    return a->line < b->line;
}

/* Insertion sort of row pointers by (series, key, line); key is axis_ms or watermark_ms. */
static void sort_rows(const struct pl_run **v, size_t n, int by_watermark)
{
    for (size_t i = 1; i < n; i++) {
        const struct pl_run *r = v[i];
        size_t j = i;
        while (j > 0
               && before(r, v[j - 1], by_watermark ? r->watermark_ms : axis_ms(r),
                         by_watermark ? v[j - 1]->watermark_ms : axis_ms(v[j - 1]))) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = r;
    }
}

/*
 * The trigger-axis rows (heap array, sorted): Kappa at the default watermark (update-mode
 * runs too when with_update), all Lambda. Fills note with the watermark used.
 */
static const struct pl_run **axis_rows(const struct pl_sweep *s, int with_update, size_t *n,
                                       struct pl_chart_out *out)
{
    const struct pl_run **v = lk_xcalloc(s->nruns + 1, sizeof(*v));
    const char *wm_label = "";
    int64_t wm = 0;
    int has_kappa = pl_sweep_default_watermark(s, &wm, &wm_label) == 0;
    *n = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        const struct pl_run *r = &s->runs[i];
        if (r->stack == PL_LAMBDA || (r->watermark_ms == wm && (with_update || !pl_run_update(r))))
            v[(*n)++] = r;
    }
    sort_rows(v, *n, 0);
    out->note[0] = '\0';
    if (has_kappa)
        snprintf(out->note, sizeof(out->note), "Kappa watermark %s", wm_label);
    return v;
}

/* ------------------------------------------------------ trigger charts ---- */

/* Seconds, or "inf" for a percentile among the never-correct events (gnuplot reads it). */
static void seconds(FILE *fp, double ms)
{
    if (isinf(ms))
        fputs("\tinf", fp);
    else
        fprintf(fp, "\t%.3f", ms / 1000.0);
}

static void latency_row(FILE *fp, const struct pl_sweep *s, const struct pl_run *r)
{
    (void)s;
    fprintf(fp, "%s\t%.3f\t%s\t%s", series_name(r), (double)axis_ms(r) / 1000.0, axis_label(r),
            r->name);
    for (int i = 0; i < 3; i++)
        seconds(fp, r->first_visible_ms[i]);
    for (int i = 0; i < 3; i++)
        seconds(fp, r->correct_ms[i]);
    fprintf(fp, "\t%.2f\n", r->correct_pct);
}

/* Component comp of run r in cost.csv, or -1 when the sweep has no such row. */
static double cost_part(const struct pl_sweep *s, const struct pl_run *r, const char *comp)
{
    double v = -1;
    for (size_t i = 0; i < s->cost.nrows; i++) {
        const struct pl_cost *c = &s->cost.rows[i];
        if (strcmp(c->config, r->name) == 0 && strcmp(c->component, comp) == 0)
            v = (v < 0 ? 0 : v) + c->usd_month;
    }
    return v;
}

/*
 * Compute split by cluster: Kappa's one cluster in compute; a Lambda run's speed and batch
 * clusters from cost.csv's compute.speed / compute.batch rows (all of it in compute when
 * cost.csv lacks them). Retrieval is what the total holds beyond the three sweep.csv parts.
 */
static void cost_row(FILE *fp, const struct pl_sweep *s, const struct pl_run *r)
{
    double speed = r->stack == PL_LAMBDA ? cost_part(s, r, "compute.speed") : -1;
    double batch = r->stack == PL_LAMBDA ? cost_part(s, r, "compute.batch") : -1;
    double compute = r->compute_usd, rest;
    if (speed >= 0 && batch >= 0)
        compute = 0;
    else
        speed = batch = 0;
    rest = r->total_usd - r->compute_usd - r->storage_usd - r->operations_usd;
    fprintf(fp, "%s\t%.3f\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", series_name(r),
            (double)axis_ms(r) / 1000.0, axis_label(r), r->name, compute, speed, batch,
            r->storage_usd, r->operations_usd, rest > 0.00005 ? rest : 0.0, r->total_usd);
}

static void files_row(FILE *fp, const struct pl_sweep *s, const struct pl_run *r)
{
    (void)s;
    fprintf(fp, "%s\t%.3f\t%s\t%s\t%.0f\t%.0f\n", series_name(r), (double)axis_ms(r) / 1000.0,
            axis_label(r), r->name, r->files_written, r->mean_file_bytes);
}

/* A chart on the trigger axis: the header line, then row() of each axis row. */
static int axis_chart(const struct pl_sweep *s, FILE *fp, int with_update, const char *header,
                      void (*row)(FILE *, const struct pl_sweep *, const struct pl_run *),
                      struct pl_chart_out *out, struct lk_err *err)
{
    size_t n;
    const struct pl_run **v = axis_rows(s, with_update, &n, out);
    int rc = n ? 0 : skip(out, "sweep.csv has no runs");
    if (n) {
        fputs(header, fp);
        for (size_t i = 0; i < n; i++)
            row(fp, s, v[i]);
        rc = io_check(fp, err);
    }
    free(v);
    return rc;
}

static int watermark(const struct pl_sweep *s, FILE *fp, struct pl_chart_out *out,
                     struct lk_err *err)
{
    const struct pl_run **v;
    const char *label = "";
    int64_t trig = 0;
    size_t n = 0;
    int rc;
    if (pl_sweep_watermark_trigger(s, &trig, &label) < 2)
        return skip(out, "no Kappa trigger was run with 2 or more watermark delays");
    v = lk_xcalloc(s->nruns, sizeof(*v));
    for (size_t i = 0; i < s->nruns; i++) {
        const struct pl_run *r = &s->runs[i];
        if (r->stack == PL_KAPPA && r->trigger_ms == trig && r->watermark_ms >= 0
            && !pl_run_update(r))
            v[n++] = r;
    }
    sort_rows(v, n, 1);
    snprintf(out->note, sizeof(out->note), "Kappa trigger %s", label);
    fprintf(fp, "# watermark_s watermark run late_pct max_state_rows never_correct"
                " never_correct_pct\n");
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%.3f\t%s\t%s\t%.4f\t%.0f\t%.0f\t%.2f\n", (double)v[i]->watermark_ms / 1000.0,
                v[i]->watermark, v[i]->name, v[i]->late_pct, v[i]->max_state_rows,
                v[i]->never_correct, 100.0 - v[i]->correct_pct);
    rc = io_check(fp, err);
    free(v);
    return rc;
}

/* ------------------------------------------------------- time series ---- */

/* Series file f into t; 1 when it is missing or empty (why filled), else 0 or an error. */
static int load_series(const struct pl_sweep *s, enum pl_series_file f, struct pl_series *t,
                       struct pl_chart_out *out, struct lk_err *err)
{
    int rc = pl_sweep_series(s, f, t, err);
    if (rc == LK_ENOENT || (rc == 0 && t->nrows == 0)) {
        snprintf(out->why, sizeof(out->why), "%s %s", rc ? "no file" : "no rows in",
                 pl_series_file_name(f));
        pl_series_release(t);
        return 1;
    }
    return rc;
}

static int sawtooth(const struct pl_sweep *s, FILE *fp, struct pl_chart_out *out,
                    struct lk_err *err)
{
    struct pl_series t = PL_SERIES_INIT;
    int has_lambda = 0, rc;
    for (size_t i = 0; i < s->nruns; i++)
        has_lambda |= s->runs[i].stack == PL_LAMBDA;
    if (!has_lambda)
        return skip(out, "sweep.csv has no Lambda runs");
    rc = load_series(s, PL_SERIES_SAWTOOTH, &t, out, err);
    if (rc != 0)
        return rc > 0 ? PL_SKIP : rc;
    fprintf(fp, "# hours diff_rows diff_pct\n");
    for (size_t i = 0; i < t.nrows; i++)
        fprintf(fp, "%.4f\t%.0f\t%.4f\n", t.v[3 * i], t.v[3 * i + 1], t.v[3 * i + 2]);
    /* gnuplot's "index 1": the batch view landings (sweep.json) */
    fprintf(fp, "\n\n# batch_visible_hours\n");
    for (size_t i = 0; i < s->nbatch; i++)
        fprintf(fp, "%.4f\n", s->batch_hours[i]);
    pl_series_release(&t);
    return io_check(fp, err);
}

/* One stack's step rows, the last value carried on to end. */
static void steps(FILE *fp, const char *stack, const struct pl_series *t, double end)
{
    for (size_t i = 0; i < t->nrows; i++)
        fprintf(fp, "%s\t%.4f\t%.2f\n", stack, t->v[2 * i], t->v[2 * i + 1]);
    if (t->nrows && t->v[2 * (t->nrows - 1)] < end)
        fprintf(fp, "%s\t%.4f\t%.2f\n", stack, end, t->v[2 * t->nrows - 1]);
}

static void hour_span(const struct pl_series *t, double *lo, double *hi)
{
    for (size_t i = 0; i < t->nrows; i++) {
        *lo = t->v[2 * i] < *lo ? t->v[2 * i] : *lo;
        *hi = t->v[2 * i] > *hi ? t->v[2 * i] : *hi;
    }
}

static int freshness(const struct pl_sweep *s, FILE *fp, struct pl_chart_out *out,
                     struct lk_err *err)
{
    struct pl_series k = PL_SERIES_INIT, l = PL_SERIES_INIT;
    double lo = 1e300, hi = -1e300;
    int rk, rl;
    if (!s->fresh_key)
        return skip(out, s->has_json ? "sweep.json has no freshness.key" : "no sweep.json");
    rk = load_series(s, PL_SERIES_FRESH_KAPPA, &k, out, err);
    if (rk < 0)
        return rk;
    rl = load_series(s, PL_SERIES_FRESH_LAMBDA, &l, out, err);
    if (rl < 0) {
        pl_series_release(&k);
        return rl;
    }
    if (rk && rl)
        return skip(out, "no rows in freshness_kappa.tsv nor freshness_lambda.tsv");
    snprintf(out->note, sizeof(out->note), "%s of window %s", s->fresh_column, s->fresh_key);
    hour_span(&k, &lo, &hi);
    hour_span(&l, &lo, &hi);
    fprintf(fp, "# stack hours value\n"
                "# step data: each value holds until the next row; the last one is carried to"
                " the common end\n");
    steps(fp, "kappa", &k, hi);
    steps(fp, "lambda", &l, hi);
    fprintf(fp, "truth\t%.4f\t%.2f\ntruth\t%.4f\t%.2f\n", lo, s->fresh_final, hi, s->fresh_final);
    pl_series_release(&k);
    pl_series_release(&l);
    return io_check(fp, err);
}

int pl_chart_data(enum pl_chart c, const struct pl_sweep *s, FILE *fp, struct pl_chart_out *out,
                  struct lk_err *err)
{
    out->note[0] = '\0';
    out->why[0] = '\0';
    switch (c) {
    case PL_LATENCY:
        return axis_chart(s, fp, 1,
                          "# series x_s x_label run first_visible_p50_s"
                          " first_visible_p95_s first_visible_p99_s correct_p50_s correct_p95_s"
                          " correct_p99_s correct_pct\n",
                          latency_row, out, err);
    case PL_COST:
        return axis_chart(s, fp, 1,
                          "# series x_s x_label run compute_usd compute_speed_usd"
                          " compute_batch_usd storage_usd operations_usd retrieval_usd"
                          " total_usd\n",
                          cost_row, out, err);
    case PL_FILES:
        return axis_chart(s, fp, 0, "# series x_s x_label run files_written mean_file_bytes\n",
                          files_row, out, err);
    case PL_WATERMARK:
        return watermark(s, fp, out, err);
    case PL_SAWTOOTH:
        return sawtooth(s, fp, out, err);
    case PL_FRESHNESS:
        return freshness(s, fp, out, err);
    default:
        return lk_err_set(err, LK_EINTERNAL, "unknown chart %d", (int)c);
    }
}
