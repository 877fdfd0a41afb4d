#include "pl_sweep.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_mem.h"
#include "banned.h"

#define MAX_FILE ((size_t)64 << 20)
#define MAX_FIELDS 32

static const char sweep_header[] =
    "stack,mode,trigger,trigger_ms,watermark,watermark_ms,batch_every,batch_every_ms,events,"
    "first_visible_p50_ms,first_visible_p95_ms,first_visible_p99_ms,"
    "correct_p50_ms,correct_p95_ms,correct_p99_ms,never_correct,correct_pct,late_pct,"
    "max_state_rows,files_written,mean_file_bytes,compute_usd,storage_usd,operations_usd,"
    "total_usd,wall_ms,reconcile_status,run";

enum {
    C_STACK,
    C_MODE,
    C_TRIGGER,
    C_TRIGGER_MS,
    C_WATERMARK,
    C_WATERMARK_MS,
    C_BATCH,
    C_BATCH_MS,
    C_EVENTS,
    C_FV50,
    C_FV95,
    C_FV99,
    C_CO50,
    C_CO95,
    C_CO99,
    C_NEVER,
    C_CORRECT,
    C_LATE,
    C_STATE,
    C_FILES,
    C_FBYTES,
    C_COMPUTE,
    C_STORAGE,
    C_OPS,
    C_TOTAL,
    C_WALL,
    C_STATUS,
    C_RUN,
    NCOLS
};

static const char *const col_name[NCOLS] = {
    "stack",
    "mode",
    "trigger",
    "trigger_ms",
    "watermark",
    "watermark_ms",
    "batch_every",
    "batch_every_ms",
    "events",
    "first_visible_p50_ms",
    "first_visible_p95_ms",
    "first_visible_p99_ms",
    "correct_p50_ms",
    "correct_p95_ms",
    "correct_p99_ms",
    "never_correct",
    "correct_pct",
    "late_pct",
    "max_state_rows",
    "files_written",
    "mean_file_bytes",
    "compute_usd",
    "storage_usd",
    "operations_usd",
    "total_usd",
    "wall_ms",
    "reconcile_status",
    "run",
};

const char *pl_stack_name(enum pl_stack stack)
{
    return lk_stack_name((enum lk_stack)stack);
}

int pl_run_update(const struct pl_run *r)
{
    return r->stack == PL_KAPPA && lk_mode_lookup(r->mode) == LK_MODE_UPDATE;
}

/* ------------------------------------------------------------- numbers ---- */

/* -?digits[.digits]: what the sweep writes; no exponents, no inf/nan, no spaces. */
static int is_decimal(const char *s, int allow_fraction)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.' && allow_fraction) {
        p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

static int parse_double(const char *s, double *out)
{
    if (!is_decimal(s, 1))
        return -1;
    errno = 0;
    *out = strtod(s, NULL);
    return errno == ERANGE ? -1 : 0;
}

static int parse_int(const char *s, int64_t *out)
{
    long long v;
    if (!is_decimal(s, 0))
        return -1;
    errno = 0;
    v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* ---------------------------------------------------------------- CSV ---- */

/*
 * Split one line (NUL-terminated, modified in place) into fields, storing at most max;
 * quoted fields are unescaped. Returns the field count, or -1 for a malformed quote.
 */
static int split_fields(char *line, char **field, int max)
{
    int n = 0;
    char *p = line, *w;
    for (;;) {
        w = p;
        if (n < max)
            field[n] = p;
        n++;
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    return -1;
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                *w++ = *p;
            }
            p++; /* past the closing quote */
            if (*p != ',' && *p != '\0')
                return -1;
        } else {
            for (; *p && *p != ','; p++)
                if (*p == '"')
                    return -1;
            w = p;
        }
        if (*p == '\0') {
            *w = '\0';
            return n;
        }
        *w = '\0';
        p++;
    }
}

static int bad(struct lk_err *err, const char *path, size_t line, const char *what,
               const char *value, const char *col)
{
    if (col)
        return lk_err_set(err, LK_EINPUT, "%s '%s' in column '%s' ('%s' line %zu)", what, value,
                          col, path, line);
    return lk_err_set(err, LK_EINPUT, "%s ('%s' line %zu)", what, path, line);
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            return 1;
    return 0;
}

/* Cut the next line off *p (NUL-terminating it, dropping a '\r'); NULL at the end. */
static char *next_line(char **p, char *end)
{
    char *line = *p, *nl;
    if (line >= end)
        return NULL;
    nl = memchr(line, '\n', (size_t)(end - line));
    if (!nl)
        nl = end;
    *nl = '\0';
    if (nl > line && nl[-1] == '\r')
        nl[-1] = '\0';
    *p = nl + 1;
    return line;
}

/* The rows of a CSV file: nrows * ncols fields (into the file's text) and their lines. */
struct csv {
    char **cell;
    size_t *line;
    size_t nrows, cap, lcap;
};

static void csv_release(struct csv *t)
{
    free(t->cell);
    free(t->line);
}

/*
 * Read path, whose first line must be header, into *text (the caller's) and t: every
 * other line split into ncols fields.
 */
static int csv_read(const char *path, const char *header, int ncols, char **text, struct csv *t,
                    struct lk_err *err)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len, lineno = 1;
    char *p, *end, *line, *f[MAX_FIELDS];
    int n, rc = lk_file_read_all(path, MAX_FILE, text, &len, err);
    if (rc < 0)
        return rc;
    p = *text;
    end = *text + len;
    line = next_line(&p, end);
    if (!line || strcmp(line, header) != 0)
        return lk_err_set(err, LK_EINPUT,
                          "header is not the %s header of docs/sweep.md "
                          "('%s' line 1)",
                          base, path);
    while ((line = next_line(&p, end)) != NULL) {
        lineno++;
        if (*line == '\0')
            return bad(err, path, lineno, "blank line", NULL, NULL);
        if ((n = split_fields(line, f, MAX_FIELDS)) < 0)
            return bad(err, path, lineno, "malformed quoted field", NULL, NULL);
        if (n != ncols)
            return lk_err_set(err, LK_EINPUT, "%d fields where the header has %d ('%s' line %zu)",
                              n, ncols, path, lineno);
        LK_GROW(t->cell, t->cap, (t->nrows + 1) * (size_t)ncols);
        LK_GROW(t->line, t->lcap, t->nrows + 1);
        memcpy(t->cell + t->nrows * (size_t)ncols, f, (size_t)ncols * sizeof(*f));
        t->line[t->nrows++] = lineno;
    }
    return 0;
}

/* ----------------------------------------------------------- sweep.csv ---- */

/* "runs/NAME", NAME one path component: the report opens reconcile/NAME.txt. */
static const char *run_name(const char *run)
{
    const char *name = strncmp(run, "runs/", 5) == 0 ? run + 5 : "";
    if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return NULL;
    return name;
}

/* One data row's fields into r. */
static int fill_run(struct pl_run *r, char **f, const char *path, size_t line, struct lk_err *err)
{
    static const int dcol[] = { C_EVENTS, C_NEVER,   C_CORRECT, C_LATE, C_STATE, C_FILES,
                                C_FBYTES, C_COMPUTE, C_STORAGE, C_OPS,  C_TOTAL, C_WALL };
    double *const dst[] = { &r->events,          &r->never_correct,  &r->correct_pct,
                            &r->late_pct,        &r->max_state_rows, &r->files_written,
                            &r->mean_file_bytes, &r->compute_usd,    &r->storage_usd,
                            &r->operations_usd,  &r->total_usd,      &r->wall_ms };
    /* the percentiles: a decimal, or inf (it falls among the never events) */
    static const int pcol[] = { C_FV50, C_FV95, C_FV99, C_CO50, C_CO95, C_CO99 };
    double *const pdst[] = { &r->first_visible_ms[0], &r->first_visible_ms[1],
                             &r->first_visible_ms[2], &r->correct_ms[0],
                             &r->correct_ms[1],       &r->correct_ms[2] };
    static const int icol[] = { C_TRIGGER_MS, C_WATERMARK_MS, C_BATCH_MS };
    int64_t *const idst[] = { &r->trigger_ms, &r->watermark_ms, &r->batch_every_ms };
    int stack, mode;
    r->line = line;
    mode = lk_mode_lookup(f[C_MODE]);
    if ((stack = lk_stack_lookup(f[C_STACK])) < 0)
        return bad(err, path, line, "unknown stack", f[C_STACK], "stack");
    r->stack = (enum pl_stack)stack;
    if (r->stack == PL_LAMBDA ? strcmp(f[C_MODE], "serving") != 0
                              : mode != LK_MODE_APPEND && mode != LK_MODE_UPDATE)
        return bad(err, path, line,
                   r->stack == PL_LAMBDA ? "mode is not serving for lambda"
                                         : "mode is not append or update for kappa",
                   f[C_MODE], "mode");
    for (int c = 0; c < NCOLS; c++)
        if (has_control(f[c]))
            return bad(err, path, line, "control character in field", "", col_name[c]);
    for (size_t i = 0; i < sizeof(icol) / sizeof(icol[0]); i++)
        if (parse_int(f[icol[i]], idst[i]) < 0)
            return bad(err, path, line, "bad integer", f[icol[i]], col_name[icol[i]]);
    for (size_t i = 0; i < sizeof(dcol) / sizeof(dcol[0]); i++)
        if (parse_double(f[dcol[i]], dst[i]) < 0)
            return bad(err, path, line, "bad number", f[dcol[i]], col_name[dcol[i]]);
    for (size_t i = 0; i < sizeof(pcol) / sizeof(pcol[0]); i++) {
        if (strcmp(f[pcol[i]], "inf") == 0)
            *pdst[i] = INFINITY;
        else if (parse_double(f[pcol[i]], pdst[i]) < 0)
            return bad(err, path, line, "bad number", f[pcol[i]], col_name[pcol[i]]);
    }
    if (r->correct_pct > 100.0)
        return bad(err, path, line, "share above 100", f[C_CORRECT], "correct_pct");
    if ((r->name = run_name(f[C_RUN])) == NULL)
        return bad(err, path, line, "bad run name", f[C_RUN], "run");
    r->mode = f[C_MODE];
    r->trigger = f[C_TRIGGER];
    r->watermark = f[C_WATERMARK];
    r->batch_every = f[C_BATCH];
    r->status = f[C_STATUS];
    r->run = f[C_RUN];
    return 0;
}

static int load_runs(struct pl_sweep *s, const char *path, struct lk_err *err)
{
    struct csv t = { 0 };
    int rc = csv_read(path, sweep_header, NCOLS, &s->text, &t, err);
    if (rc == 0)
        s->runs = lk_xcalloc(t.nrows + 1, sizeof(*s->runs));
    for (size_t i = 0; rc == 0 && i < t.nrows; i++) {
        rc = fill_run(&s->runs[i], t.cell + i * NCOLS, path, t.line[i], err);
        s->nruns += rc == 0;
    }
    csv_release(&t);
    return rc;
}

/* cost.csv (with_scenario 0) or scenarios.csv, when present. */
static int load_costs(struct pl_costs *c, const char *dir, int with_scenario, struct lk_err *err)
{
    const char *file = with_scenario ? "scenarios.csv" : "cost.csv";
    const char *header =
        with_scenario ? "scenario,config,component,usd_month" : "config,component,usd_month";
    int ncols = 3 + with_scenario, rc;
    struct csv t = { 0 };
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (!lk_is_file(path))
        return 0;
    rc = csv_read(path, header, ncols, &c->text, &t, err);
    if (rc == 0)
        c->rows = lk_xcalloc(t.nrows + 1, sizeof(*c->rows));
    for (size_t i = 0; rc == 0 && i < t.nrows; i++) {
        char **f = t.cell + i * (size_t)ncols;
        struct pl_cost *r = &c->rows[c->nrows++];
        r->scenario = with_scenario ? f[0] : NULL;
        r->config = f[with_scenario];
        r->component = f[with_scenario + 1];
        r->line = t.line[i];
        if (parse_double(f[ncols - 1], &r->usd_month) < 0)
            rc = bad(err, path, t.line[i], "bad number", f[ncols - 1], "usd_month");
    }
    c->present = rc == 0;
    csv_release(&t);
    return rc;
}

/* ---------------------------------------------------------- sweep.json ---- */

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

/* Parse path into s->json: a JSON object, else LK_EINPUT naming the line. */
static int json_parse(struct pl_sweep *s, const char *path, struct lk_err *err)
{
    char *text;
    const char *end = NULL;
    size_t len, line = 1;
    int rc = lk_file_read_all(path, MAX_FILE, &text, &len, err);
    if (rc < 0)
        return rc;
    s->json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!s->json || !cJSON_IsObject(s->json)) {
        for (const char *q = text; end && q < end && q < text + len; q++)
            line += *q == '\n';
        rc = lk_err_set(err, LK_EINPUT, "%s ('%s' line %zu)",
                        s->json ? "not a JSON object" : "not valid JSON", path, line);
    }
    free(text);
    return rc;
}

/* "pipeline" and "dataset": what the report's dataset table shows. */
static int json_dataset(struct pl_sweep *s, const char *path, struct lk_err *err)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(s->json, "dataset");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(d, "seed");
    s->pipeline = json_str(s->json, "pipeline");
    s->scenario = json_str(d, "scenario");
    s->first_arrival = json_str(d, "first_arrival");
    s->last_arrival = json_str(d, "last_arrival");
    if (!s->pipeline)
        return lk_err_set(err, LK_EINPUT, "missing string 'pipeline' ('%s')", path);
    if (!cJSON_IsObject(d))
        return lk_err_set(err, LK_EINPUT, "missing object 'dataset' ('%s')", path);
    if (!s->scenario || !s->first_arrival || !s->last_arrival)
        return lk_err_set(err, LK_EINPUT, "missing string 'dataset.%s' ('%s')",
                          !s->scenario        ? "scenario"
                          : !s->first_arrival ? "first_arrival"
                                              : "last_arrival",
                          path);
    if (json_num(d, "events", &s->events) < 0)
        return lk_err_set(err, LK_EINPUT, "missing number 'dataset.events' ('%s')", path);
    if (cJSON_IsNumber(seed))
        snprintf(s->seed, sizeof(s->seed), "%.0f", seed->valuedouble);
    else if (cJSON_IsString(seed))
        snprintf(s->seed, sizeof(s->seed), "%s", seed->valuestring);
    else
        return lk_err_set(err, LK_EINPUT, "missing number 'dataset.seed' ('%s')", path);
    return 0;
}

/* freshness and sawtooth: optional, but well-formed when present. */
static int json_charts(struct pl_sweep *s, const char *path, struct lk_err *err)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(s->json, "freshness");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(s->json, "sawtooth");
    const cJSON *h, *x;
    if (f) {
        s->fresh_key = json_str(f, "key");
        s->fresh_column = json_str(f, "column");
        if (!s->fresh_key || !s->fresh_column || has_control(s->fresh_key)
            || has_control(s->fresh_column) || json_num(f, "final", &s->fresh_final) < 0)
            return lk_err_set(err, LK_EINPUT,
                              "'freshness' needs strings key and column (no "
                              "control characters) and a number final ('%s')",
                              path);
    }
    if (!w)
        return 0;
    s->saw_run = json_str(w, "run");
    h = cJSON_GetObjectItemCaseSensitive(w, "batch_visible_hours");
    if (!s->saw_run || !cJSON_IsArray(h))
        return lk_err_set(err, LK_EINPUT,
                          "'sawtooth' needs a string run and an array "
                          "batch_visible_hours ('%s')",
                          path);
    s->batch_hours = lk_xcalloc((size_t)cJSON_GetArraySize(h) + 1, sizeof(double));
    cJSON_ArrayForEach(x, h)
    {
        if (!cJSON_IsNumber(x))
            return lk_err_set(err, LK_EINPUT,
                              "'sawtooth.batch_visible_hours' holds a "
                              "non-number ('%s')",
                              path);
        s->batch_hours[s->nbatch++] = x->valuedouble;
    }
    return 0;
}

static int load_json(struct pl_sweep *s, const char *path, unsigned flags, struct lk_err *err)
{
    int rc;
    if (!lk_is_file(path))
        return flags & PL_SWEEP_DATASET
                   ? lk_err_set(err, LK_ENOENT, "no sweep.json in '%s'", s->dir)
                   : 0;
    if ((rc = json_parse(s, path, err)) < 0)
        return rc == LK_ENOENT ? LK_EINPUT : rc;
    s->has_json = 1;
    s->data = json_str(s->json, "data");
    s->has_wall = json_num(s->json, "wall_ms", &s->wall_ms) == 0;
    if (flags & PL_SWEEP_DATASET && (rc = json_dataset(s, path, err)) < 0)
        return rc;
    return json_charts(s, path, err);
}

/* ------------------------------------------------------------- loading ---- */

int pl_sweep_load(struct pl_sweep *s, const char *dir, unsigned flags, struct lk_err *err)
{
    char path[4200];
    int rc;
    memset(s, 0, sizeof(*s));
    s->dir = lk_xstrdup(dir);
    if (!lk_is_dir(dir))
        return lk_err_set(err, LK_ENOENT, "no sweep directory '%s'", dir);
    snprintf(path, sizeof(path), "%s/sweep.json", dir);
    if ((rc = load_json(s, path, flags, err)) < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/sweep.csv", dir);
    if (!lk_is_file(path))
        return lk_err_set(err, LK_ENOENT, "no sweep.csv in '%s' (not a sweep directory)", dir);
    if ((rc = load_runs(s, path, err)) < 0 || !(flags & PL_SWEEP_COSTS))
        return rc;
    if ((rc = load_costs(&s->cost, dir, 0, err)) < 0)
        return rc;
    return load_costs(&s->scenarios, dir, 1, err);
}

void pl_sweep_release(struct pl_sweep *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->runs);
    free(s->text);
    cJSON_Delete(s->json);
    free(s->batch_hours);
    free(s->cost.rows);
    free(s->cost.text);
    free(s->scenarios.rows);
    free(s->scenarios.text);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------- choices ---- */

/* Distinct values of one field among the Kappa rows where another field equals key. */
static size_t kappa_distinct(const struct pl_sweep *s, int by_trigger, int64_t key)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        const struct pl_run *r = &s->runs[i];
        int64_t k = by_trigger ? r->trigger_ms : r->watermark_ms;
        int64_t v = by_trigger ? r->watermark_ms : r->trigger_ms;
        int seen = 0;
        if (r->stack != PL_KAPPA || k != key || (by_trigger && v < 0))
            continue;
        for (size_t j = 0; j < i && !seen; j++) {
            const struct pl_run *q = &s->runs[j];
            seen = q->stack == PL_KAPPA && (by_trigger ? q->trigger_ms : q->watermark_ms) == key
                   && (by_trigger ? q->watermark_ms : q->trigger_ms) == v;
        }
        n += !seen;
    }
    return n;
}

/*
 * The first Kappa row whose trigger (by_trigger) or watermark has the most distinct
 * values of the other field; NULL when that count, put in *count, is 0.
 */
static const struct pl_run *most_distinct(const struct pl_sweep *s, int by_trigger, size_t *count)
{
    const struct pl_run *best = NULL;
    *count = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        const struct pl_run *r = &s->runs[i];
        size_t n;
        if (r->stack != PL_KAPPA)
            continue;
        n = kappa_distinct(s, by_trigger, by_trigger ? r->trigger_ms : r->watermark_ms);
        if (n > *count) {
            *count = n;
            best = r;
        }
    }
    return best;
}

int pl_sweep_default_watermark(const struct pl_sweep *s, int64_t *wm, const char **label)
{
    size_t n;
    const struct pl_run *r = most_distinct(s, 0, &n);
    if (!r)
        return -1;
    *wm = r->watermark_ms;
    *label = r->watermark;
    return 0;
}

size_t pl_sweep_watermark_trigger(const struct pl_sweep *s, int64_t *trigger_ms, const char **label)
{
    size_t n;
    const struct pl_run *r = most_distinct(s, 1, &n);
    if (r) {
        *trigger_ms = r->trigger_ms;
        *label = r->trigger;
    }
    return n;
}

/* -------------------------------------------------------------- series ---- */

static const struct {
    const char *file, *header;
    size_t ncols;
} series_file[] = {
    { "sawtooth.tsv", "# hours diff_rows diff_pct", 3 },
    { "freshness_kappa.tsv", "# hours value", 2 },
    { "freshness_lambda.tsv", "# hours value", 2 },
};

const char *pl_series_file_name(enum pl_series_file f)
{
    return series_file[f].file;
}

static int series_row(struct pl_series *t, char *line, const char *path, size_t lineno,
                      struct lk_err *err)
{
    char *p = line;
    for (size_t c = 0; c < t->ncols; c++) {
        char *tab = strchr(p, '\t');
        if ((tab == NULL) != (c + 1 == t->ncols))
            return lk_err_set(err, LK_EINPUT, "expected %zu tab-separated numbers ('%s' line %zu)",
                              t->ncols, path, lineno);
        if (tab)
            *tab = '\0';
        if (parse_double(p, &t->v[t->nrows * t->ncols + c]) < 0)
            return lk_err_set(err, LK_EINPUT, "bad number '%s' ('%s' line %zu)", p, path, lineno);
        p = tab ? tab + 1 : p;
    }
    t->nrows++;
    return 0;
}

int pl_sweep_series(const struct pl_sweep *s, enum pl_series_file f, struct pl_series *t,
                    struct lk_err *err)
{
    char path[4200], *text = NULL, *p, *end, *line;
    const char *header = series_file[f].header;
    size_t len, lineno = 1, cap = 0;
    int rc;
    memset(t, 0, sizeof(*t));
    t->ncols = series_file[f].ncols;
    snprintf(path, sizeof(path), "%s/%s", s->dir, series_file[f].file);
    if (!lk_is_file(path))
        return lk_err_set(err, LK_ENOENT, "no file '%s'", path);
    if ((rc = lk_file_read_all(path, MAX_FILE, &text, &len, err)) < 0)
        return rc;
    p = text;
    end = text + len;
    line = next_line(&p, end);
    if (!line || strcmp(line, header) != 0) {
        rc = lk_err_set(err, LK_EINPUT, "first line is not '%s' ('%s' line 1)", header, path);
        goto out;
    }
    while ((line = next_line(&p, end)) != NULL) {
        lineno++;
        LK_GROW(t->v, cap, (t->nrows + 1) * t->ncols);
        if ((rc = series_row(t, line, path, lineno, err)) < 0)
            goto out;
    }
out:
    free(text);
    return rc;
}

void pl_series_release(struct pl_series *t)
{
    if (!t)
        return;
    free(t->v);
    memset(t, 0, sizeof(*t));
}
