/* pl_report_load - reading a sweep directory for the report (pl_report_int.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_mem.h"
#include "pl_report_int.h"
#include "banned.h"

#define MAX_INPUT ((size_t)64 << 20)

/* ------------------------------------------------------------------ buffer ---- */

void pl_buf_add(struct pl_buf *b, const char *s, size_t len)
{
    LK_GROW(b->p, b->cap, b->len + len + 1);
    memcpy(b->p + b->len, s, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void pl_buf_addf(struct pl_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    int n;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n > 0) {
        LK_GROW(b->p, b->cap, b->len + (size_t)n + 1);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

const char *pl_buf_str(const struct pl_buf *b)
{
    return b->p ? b->p : "";
}

void pl_buf_release(struct pl_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* --------------------------------------------------------------------- CSV ---- */

/*
 * Split the line s (NUL-terminated, no line end) into fields in place: bare fields, or
 * double-quoted ones with inner quotes doubled. Returns the field count, -1 when malformed.
 */
static long split_csv(char *s, char ***fields, size_t *cap)
{
    size_t n = 0;
    char *r = s;
    for (;;) {
        char *start = r, *w = r;
        LK_GROW(*fields, *cap, n + 1);
        if (*r == '"') {
            for (r++;; r++) {
                if (*r == '\0')
                    return -1;
                if (*r == '"' && r[1] != '"')
                    break;
                if (*r == '"')
                    r++;
                *w++ = *r;
            }
            r++;
            if (*r != ',' && *r != '\0')
                return -1;
        } else {
            while (*r && *r != ',') {
                if (*r == '"')
                    return -1;
                r++;
            }
            w = r;
        }
        (*fields)[n++] = start;
        if (*r == '\0') {
            *w = '\0';
            return (long)n;
        }
        *w = '\0';
        r++;
    }
}

static void csv_release(struct pl_csv *t)
{
    free(t->path);
    free(t->head);
    free(t->cell);
    free(t->line);
    free(t->text);
    memset(t, 0, sizeof(*t));
}

/* Next line of *p (up to '\n', a '\r' before it dropped), NUL-terminated in place; NULL at end. */
static char *next_line(char **p, char *end)
{
    char *s = *p, *nl;
    size_t len;
    if (s >= end)
        return NULL;
    nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl)
        nl = end;
    *nl = '\0';
    *p = nl + 1;
    len = (size_t)(nl - s);
    if (len && s[len - 1] == '\r')
        s[len - 1] = '\0';
    return s;
}

static int csv_row(struct pl_csv *t, char *s, size_t lineno, char ***f, size_t *fcap,
                   size_t *ccap, size_t *lcap, struct lk_err *err)
{
    long n = split_csv(s, f, fcap);
    if (n < 0)
        return lk_err_set(err, LK_EINPUT, "malformed quoting ('%s' line %zu)", t->path, lineno);
    if (t->head == NULL) {
        t->ncols = (size_t)n;
        t->head = lk_xreallocarray(NULL, t->ncols, sizeof(char *));
        memcpy(t->head, *f, t->ncols * sizeof(char *));
        return 0;
    }
    if ((size_t)n != t->ncols)
        return lk_err_set(err, LK_EINPUT, "%ld fields where the header has %zu ('%s' line %zu)",
                          n, t->ncols, t->path, lineno);
    LK_GROW(t->cell, *ccap, (t->nrows + 1) * t->ncols);
    LK_GROW(t->line, *lcap, t->nrows + 1);
    memcpy(t->cell + t->nrows * t->ncols, *f, t->ncols * sizeof(char *));
    t->line[t->nrows++] = lineno;
    return 0;
}

/* Read path as a CSV table; blank lines are skipped. */
static int csv_load(struct pl_csv *t, const char *path, struct lk_err *err)
{
    char *p, *end, *s, **f = NULL;
    size_t len, fcap = 0, ccap = 0, lcap = 0, lineno = 0;
    int rc;
    memset(t, 0, sizeof(*t));
    t->path = lk_xstrdup(path);
    if ((rc = lk_file_read_all(path, MAX_INPUT, &t->text, &len, err)) < 0)
        goto out;
    p = t->text;
    end = t->text + len;
    while ((s = next_line(&p, end)) != NULL) {
        lineno++;
        if (*s == '\0')
            continue;
        if ((rc = csv_row(t, s, lineno, &f, &fcap, &ccap, &lcap, err)) < 0)
            goto out;
    }
    if (t->head == NULL)
        rc = lk_err_set(err, LK_EINPUT, "no header line ('%s' line 1)", path);
out:
    free(f);
    if (rc < 0)
        csv_release(t);
    return rc;
}

int pl_csv_col(const struct pl_csv *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->head[i], name) == 0)
            return (int)i;
    return -1;
}

const char *pl_csv_get(const struct pl_csv *t, size_t row, size_t col)
{
    return t->cell[row * t->ncols + col];
}

/* A finite decimal number, the whole text. */
static int parse_num(const char *s, double *v)
{
    char *e;
    errno = 0;
    if (*s == '\0' || *s == ' ')
        return -1;
    *v = strtod(s, &e);
    return errno || *e || !isfinite(*v) ? -1 : 0;
}

static int parse_int(const char *s, int64_t *v)
{
    char *e;
    long long x;
    errno = 0;
    if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
        return -1;
    x = strtoll(s, &e, 10);
    if (errno || *e)
        return -1;
    *v = x;
    return 0;
}

/* Columns of the table cols (NULL-terminated) must all be present; their indexes go to idx. */
static int need_cols(const struct pl_csv *t, const char *const *cols, int *idx, struct lk_err *err)
{
    for (size_t i = 0; cols[i]; i++)
        if ((idx[i] = pl_csv_col(t, cols[i])) < 0)
            return lk_err_set(err, LK_EINPUT, "missing column '%s' ('%s' line 1)", cols[i],
                              t->path);
    return 0;
}

static int num_cell(const struct pl_csv *t, size_t row, int col, double *v, struct lk_err *err)
{
    const char *s = pl_csv_get(t, row, (size_t)col);
    if (parse_num(s, v) < 0)
        return lk_err_set(err, LK_EINPUT, "bad number '%s' in column '%s' ('%s' line %zu)", s,
                          t->head[col], t->path, t->line[row]);
    return 0;
}

static int int_cell(const struct pl_csv *t, size_t row, int col, int64_t *v, struct lk_err *err)
{
    const char *s = pl_csv_get(t, row, (size_t)col);
    if (parse_int(s, v) < 0)
        return lk_err_set(err, LK_EINPUT, "bad integer '%s' in column '%s' ('%s' line %zu)", s,
                          t->head[col], t->path, t->line[row]);
    return 0;
}

/* ---------------------------------------------------------------- sweep.csv ---- */

enum {
    C_STACK, C_TRIGGER, C_TRIGGER_MS, C_WM, C_WM_MS, C_BATCH, C_BATCH_MS, C_EVENTS, C_FV50,
    C_FV95, C_FV99, C_C50, C_C95, C_C99, C_NEVER, C_LATE, C_STATE, C_FILES, C_MFB, C_COMPUTE,
    C_STORAGE, C_OPS, C_TOTAL, C_WALL, C_STATUS, C_RUN, C_N
};
static const char *const run_cols[C_N + 1] = {
    "stack", "trigger", "trigger_ms", "watermark", "watermark_ms", "batch_every",
    "batch_every_ms", "events", "first_visible_p50_ms", "first_visible_p95_ms",
    "first_visible_p99_ms", "correct_p50_ms", "correct_p95_ms", "correct_p99_ms",
    "never_correct", "late_pct", "max_state_rows", "files_written", "mean_file_bytes",
    "compute_usd", "storage_usd", "operations_usd", "total_usd", "wall_ms", "reconcile_status",
    "run", NULL,
};

static int run_numbers(const struct pl_csv *t, size_t i, const int *c, struct pl_run *u,
                       struct lk_err *err)
{
    double *const dst[] = { &u->events, &u->fv50, &u->fv95, &u->fv99, &u->c50, &u->c95,
                            &u->c99, &u->never_correct, &u->late_pct, &u->max_state_rows,
                            &u->files, &u->mean_file_bytes, &u->compute, &u->storage,
                            &u->operations, &u->total, &u->wall_ms };
    const int col[] = { C_EVENTS, C_FV50, C_FV95, C_FV99, C_C50, C_C95, C_C99, C_NEVER, C_LATE,
                        C_STATE, C_FILES, C_MFB, C_COMPUTE, C_STORAGE, C_OPS, C_TOTAL, C_WALL };
    for (size_t k = 0; k < sizeof(col) / sizeof(col[0]); k++)
        if (num_cell(t, i, c[col[k]], dst[k], err) < 0)
            return LK_EINPUT;
    if (int_cell(t, i, c[C_TRIGGER_MS], &u->trigger_ms, err) < 0
        || int_cell(t, i, c[C_WM_MS], &u->watermark_ms, err) < 0
        || int_cell(t, i, c[C_BATCH_MS], &u->batch_every_ms, err) < 0)
        return LK_EINPUT;
    return 0;
}

static int run_row(const struct pl_csv *t, size_t i, const int *c, struct pl_run *u,
                   struct lk_err *err)
{
    const char *run;
    u->stack = pl_csv_get(t, i, (size_t)c[C_STACK]);
    u->trigger = pl_csv_get(t, i, (size_t)c[C_TRIGGER]);
    u->watermark = pl_csv_get(t, i, (size_t)c[C_WM]);
    u->batch_every = pl_csv_get(t, i, (size_t)c[C_BATCH]);
    u->status = pl_csv_get(t, i, (size_t)c[C_STATUS]);
    run = pl_csv_get(t, i, (size_t)c[C_RUN]);
    if (strcmp(u->stack, "kappa") != 0 && strcmp(u->stack, "lambda") != 0)
        return lk_err_set(err, LK_EINPUT, "unknown stack '%s', kappa or lambda ('%s' line %zu)",
                          u->stack, t->path, t->line[i]);
    u->kappa = u->stack[0] == 'k';
    u->name = strncmp(run, "runs/", 5) == 0 ? run + 5 : "";
    if (!u->name[0] || strchr(u->name, '/') || strcmp(u->name, ".") == 0
        || strcmp(u->name, "..") == 0)
        return lk_err_set(err, LK_EINPUT, "bad run '%s', runs/NAME ('%s' line %zu)", run,
                          t->path, t->line[i]);
    return run_numbers(t, i, c, u, err);
}

/* S/reconcile/<name>.txt when present. */
static int load_reconcile(struct pl_report *r, struct pl_run *u, struct lk_err *err)
{
    char path[4096];
    size_t len;
    int rc;
    snprintf(path, sizeof(path), "%s/reconcile/%s.txt", r->sweep, u->name);
    rc = lk_file_read_all(path, MAX_INPUT, &u->reconcile, &len, err);
    if (rc == LK_ENOENT) {
        u->reconcile = NULL;
        return 0;
    }
    return rc < 0 ? rc : 0;
}

static int load_runs(struct pl_report *r, struct lk_err *err)
{
    int c[C_N], rc;
    char path[4096];
    snprintf(path, sizeof(path), "%s/sweep.csv", r->sweep);
    if ((rc = csv_load(&r->runs_csv, path, err)) < 0)
        return rc;
    if ((rc = need_cols(&r->runs_csv, run_cols, c, err)) < 0)
        return rc;
    if (r->runs_csv.nrows == 0)
        return lk_err_set(err, LK_EINPUT, "no runs ('%s')", path);
    r->runs = lk_xcalloc(r->runs_csv.nrows, sizeof(*r->runs));
    for (size_t i = 0; i < r->runs_csv.nrows; i++) {
        if ((rc = run_row(&r->runs_csv, i, c, &r->runs[i], err)) < 0)
            return rc;
        r->nruns++;
        if ((rc = load_reconcile(r, &r->runs[i], err)) < 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ optional CSVs ---- */

/* A cost table (cost.csv, scenarios.csv): columns cols, usd_month a number in every row. */
static int load_cost(struct pl_csv *t, int *has, const char *sweep, const char *file,
                     const char *const *cols, struct lk_err *err)
{
    int idx[8], rc;
    double v;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", sweep, file);
    rc = csv_load(t, path, err);
    if (rc == LK_ENOENT)
        return 0;
    if (rc < 0 || (rc = need_cols(t, cols, idx, err)) < 0)
        return rc;
    for (size_t i = 0; i < t->nrows; i++)
        if ((rc = num_cell(t, i, pl_csv_col(t, "usd_month"), &v, err)) < 0)
            return rc;
    *has = 1;
    return 0;
}

/* ---------------------------------------------------------------------- TSV ---- */

/* A series file: '#' lines are comments; rows of ncols numbers separated by tabs or spaces. */
static int load_series(struct pl_series *s, const char *sweep, const char *file, size_t ncols,
                       struct lk_err *err)
{
    char path[4096], *text, *p, *end, *line;
    size_t len, lineno = 0;
    int rc;
    snprintf(path, sizeof(path), "%s/%s", sweep, file);
    s->ncols = ncols;
    rc = lk_file_read_all(path, MAX_INPUT, &text, &len, err);
    if (rc == LK_ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    p = text;
    end = text + len;
    while ((line = next_line(&p, end)) != NULL) {
        char *q = line, *e;
        lineno++;
        if (*line == '#' || *line == '\0')
            continue;
        LK_GROW(s->v, s->cap, (s->n + 1) * ncols);
        for (size_t k = 0; k < ncols; k++) {
            while (*q == '\t' || *q == ' ')
                q++;
            errno = 0;
            s->v[s->n * ncols + k] = strtod(q, &e);
            if (e == q || errno || !isfinite(s->v[s->n * ncols + k])
                || (*e && *e != '\t' && *e != ' ')) {
                rc = lk_err_set(err, LK_EINPUT, "%zu numbers expected ('%s' line %zu)", ncols,
                                path, lineno);
                goto out;
            }
            q = e;
        }
        s->n++;
    }
    s->present = 1;
out:
    free(text);
    return rc < 0 ? rc : 0;
}

/* --------------------------------------------------------------- sweep.json ---- */

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int json_num(const cJSON *o, const char *name, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return -1;
    *out = v->valuedouble;
    return 0;
}

static int json_parse(struct pl_report *r, const char *path, struct lk_err *err)
{
    char *text;
    const char *end = NULL;
    size_t len, line = 1;
    int rc = lk_file_read_all(path, MAX_INPUT, &text, &len, err);
    if (rc < 0)
        return rc;
    r->json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!r->json || !cJSON_IsObject(r->json)) {
        for (const char *q = text; end && q < end && q < text + len; q++)
            line += *q == '\n';
        rc = lk_err_set(err, LK_EINPUT, "%s ('%s' line %zu)",
                        r->json ? "not a JSON object" : "not valid JSON", path, line);
    }
    free(text);
    return rc;
}

static int json_dataset(struct pl_report *r, const char *path, struct lk_err *err)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(r->json, "dataset");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(d, "seed");
    r->pipeline = json_str(r->json, "pipeline");
    r->data = json_str(r->json, "data");
    r->scenario = json_str(d, "scenario");
    r->first_arrival = json_str(d, "first_arrival");
    r->last_arrival = json_str(d, "last_arrival");
    if (!r->pipeline)
        return lk_err_set(err, LK_EINPUT, "missing string 'pipeline' ('%s')", path);
    if (!cJSON_IsObject(d))
        return lk_err_set(err, LK_EINPUT, "missing object 'dataset' ('%s')", path);
    if (!r->scenario || !r->first_arrival || !r->last_arrival)
        return lk_err_set(err, LK_EINPUT,
                          "missing string 'dataset.%s' ('%s')",
                          !r->scenario ? "scenario" : !r->first_arrival ? "first_arrival"
                                                                        : "last_arrival",
                          path);
    if (json_num(d, "events", &r->events) < 0)
        return lk_err_set(err, LK_EINPUT, "missing number 'dataset.events' ('%s')", path);
    if (cJSON_IsNumber(seed))
        snprintf(r->seed, sizeof(r->seed), "%.0f", seed->valuedouble);
    else if (cJSON_IsString(seed))
        snprintf(r->seed, sizeof(r->seed), "%s", seed->valuestring);
    else
        return lk_err_set(err, LK_EINPUT, "missing number 'dataset.seed' ('%s')", path);
    r->has_wall = json_num(r->json, "wall_ms", &r->wall_ms) == 0;
    return 0;
}

/* freshness and sawtooth: optional, but well-formed when present. */
static int json_charts(struct pl_report *r, const char *path, struct lk_err *err)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(r->json, "freshness");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r->json, "sawtooth");
    const cJSON *h, *x;
    if (f) {
        r->fresh_key = json_str(f, "key");
        r->fresh_column = json_str(f, "column");
        if (!r->fresh_key || !r->fresh_column || json_num(f, "final", &r->fresh_final) < 0)
            return lk_err_set(err, LK_EINPUT,
                              "'freshness' needs strings key, column and a number final ('%s')",
                              path);
        r->has_fresh = 1;
    }
    if (!s)
        return 0;
    r->saw_run = json_str(s, "run");
    h = cJSON_GetObjectItemCaseSensitive(s, "batch_visible_hours");
    if (!r->saw_run || !cJSON_IsArray(h))
        return lk_err_set(err, LK_EINPUT,
                          "'sawtooth' needs a string run and an array batch_visible_hours ('%s')",
                          path);
    cJSON_ArrayForEach(x, h) {
        if (!cJSON_IsNumber(x))
            return lk_err_set(err, LK_EINPUT, "'sawtooth.batch_visible_hours' holds a non-number"
                              " ('%s')", path);
        if (r->nbatch < sizeof(r->batch_hours) / sizeof(r->batch_hours[0]))
            r->batch_hours[r->nbatch++] = x->valuedouble;
    }
    return 0;
}

static int load_json(struct pl_report *r, struct lk_err *err)
{
    char path[4096];
    int rc;
    snprintf(path, sizeof(path), "%s/sweep.json", r->sweep);
    if ((rc = json_parse(r, path, err)) < 0 || (rc = json_dataset(r, path, err)) < 0)
        return rc;
    return json_charts(r, path, err);
}

/* ------------------------------------------------------------------- public ---- */

int pl_report_load(struct pl_report **out, const char *sweep, struct lk_err *err)
{
    static const char *const cost_cols[] = { "config", "component", "usd_month", NULL };
    static const char *const scen_cols[] = { "scenario", "config", "component", "usd_month",
                                             NULL };
    struct pl_report *r = lk_xcalloc(1, sizeof(*r));
    int rc;
    r->sweep = lk_xstrdup(sweep);
    *out = NULL;
    if ((rc = load_json(r, err)) < 0 || (rc = load_runs(r, err)) < 0
        || (rc = load_cost(&r->cost, &r->has_cost, sweep, "cost.csv", cost_cols, err)) < 0
        || (rc = load_cost(&r->scen, &r->has_scen, sweep, "scenarios.csv", scen_cols, err)) < 0
        || (rc = load_series(&r->saw, sweep, "sawtooth.tsv", 3, err)) < 0
        || (rc = load_series(&r->fresh_k, sweep, "freshness_kappa.tsv", 2, err)) < 0
        || (rc = load_series(&r->fresh_l, sweep, "freshness_lambda.tsv", 2, err)) < 0) {
        pl_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

size_t pl_report_nruns(const struct pl_report *r)
{
    return r->nruns;
}

void pl_report_free(struct pl_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nruns; i++)
        free(r->runs[i].reconcile);
    free(r->runs);
    csv_release(&r->runs_csv);
    csv_release(&r->cost);
    csv_release(&r->scen);
    free(r->saw.v);
    free(r->fresh_k.v);
    free(r->fresh_l.v);
    cJSON_Delete(r->json);
    free(r->sweep);
    free(r);
}
