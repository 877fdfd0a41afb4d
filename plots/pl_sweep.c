#include "pl_sweep.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "banned.h"

#define MAX_FILE ((size_t)64 << 20)

static const char sweep_header[] =
    "stack,trigger,trigger_ms,watermark,watermark_ms,batch_every,batch_every_ms,events,"
    "first_visible_p50_ms,first_visible_p95_ms,first_visible_p99_ms,"
    "correct_p50_ms,correct_p95_ms,correct_p99_ms,never_correct,late_pct,max_state_rows,"
    "files_written,mean_file_bytes,compute_usd,storage_usd,operations_usd,total_usd,wall_ms,"
    "reconcile_status,run";

enum {
    C_STACK, C_TRIGGER, C_TRIGGER_MS, C_WATERMARK, C_WATERMARK_MS, C_BATCH, C_BATCH_MS,
    C_EVENTS, C_FV50, C_FV95, C_FV99, C_CO50, C_CO95, C_CO99, C_NEVER, C_LATE, C_STATE,
    C_FILES, C_FBYTES, C_COMPUTE, C_STORAGE, C_OPS, C_TOTAL, C_WALL, C_STATUS, C_RUN, NCOLS
};

static const char *const col_name[NCOLS] = {
    "stack", "trigger", "trigger_ms", "watermark", "watermark_ms", "batch_every",
    "batch_every_ms", "events", "first_visible_p50_ms", "first_visible_p95_ms",
    "first_visible_p99_ms", "correct_p50_ms", "correct_p95_ms", "correct_p99_ms",
    "never_correct", "late_pct", "max_state_rows", "files_written", "mean_file_bytes",
    "compute_usd", "storage_usd", "operations_usd", "total_usd", "wall_ms", "reconcile_status",
    "run",
};

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

/* ---------------------------------------------------------- CSV fields ---- */

/*
 * Split one line (NUL-terminated, modified in place) into at most max fields; quoted
 * fields are unescaped. Returns the field count, or -1 for a malformed quote.
 */
static int split_fields(char *line, char **field, int max)
{
    int n = 0, last;
    char *p = line, *w;
    for (;;) {
        if (n == max)
            return max + 1;
        field[n++] = w = p;
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
        last = *p == '\0';
        *w = '\0';
        if (last)
            return n;
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

/* One data row's fields into r. */
static int fill_run(struct pl_run *r, char **f, const char *path, size_t line, struct lk_err *err)
{
    static const int dcol[] = { C_EVENTS, C_FV50, C_FV95, C_FV99, C_CO50, C_CO95, C_CO99,
                                C_NEVER, C_LATE, C_STATE, C_FILES, C_FBYTES, C_COMPUTE,
                                C_STORAGE, C_OPS, C_TOTAL, C_WALL };
    double *const dst[] = { &r->events, &r->first_visible_ms[0], &r->first_visible_ms[1],
                            &r->first_visible_ms[2], &r->correct_ms[0], &r->correct_ms[1],
                            &r->correct_ms[2], &r->never_correct, &r->late_pct,
                            &r->max_state_rows, &r->files_written, &r->mean_file_bytes,
                            &r->compute_usd, &r->storage_usd, &r->operations_usd,
                            &r->total_usd, &r->wall_ms };
    static const int icol[] = { C_TRIGGER_MS, C_WATERMARK_MS, C_BATCH_MS };
    int64_t *const idst[] = { &r->trigger_ms, &r->watermark_ms, &r->batch_every_ms };
    r->line = line;
    if (strcmp(f[C_STACK], "kappa") == 0)
        r->stack = PL_KAPPA;
    else if (strcmp(f[C_STACK], "lambda") == 0)
        r->stack = PL_LAMBDA;
    else
        return bad(err, path, line, "unknown stack", f[C_STACK], "stack");
    for (int c = 0; c < NCOLS; c++)
        if (has_control(f[c]))
            return bad(err, path, line, "control character in field", "", col_name[c]);
    for (size_t i = 0; i < sizeof(icol) / sizeof(icol[0]); i++)
        if (parse_int(f[icol[i]], idst[i]) < 0)
            return bad(err, path, line, "bad integer", f[icol[i]], col_name[icol[i]]);
    for (size_t i = 0; i < sizeof(dcol) / sizeof(dcol[0]); i++)
        if (parse_double(f[dcol[i]], dst[i]) < 0)
            return bad(err, path, line, "bad number", f[dcol[i]], col_name[dcol[i]]);
    r->trigger = f[C_TRIGGER];
    r->watermark = f[C_WATERMARK];
    r->batch_every = f[C_BATCH];
    r->status = f[C_STATUS];
    r->run = f[C_RUN];
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

static int load_csv(struct pl_sweep *s, const char *path, struct lk_err *err)
{
    size_t len, cap = 0, lineno = 1;
    char *p, *end, *line, *f[NCOLS + 1];
    int rc = lk_file_read_all(path, MAX_FILE, &s->text, &len, err);
    if (rc < 0)
        return rc;
    p = s->text;
    end = s->text + len;
    line = next_line(&p, end);
    if (!line || strcmp(line, sweep_header) != 0)
        return bad(err, path, 1, "header is not the sweep.csv header of docs/sweep.md", NULL,
                   NULL);
    while ((line = next_line(&p, end)) != NULL) {
        int n;
        lineno++;
        if (*line == '\0')
            return bad(err, path, lineno, "blank line", NULL, NULL);
        n = split_fields(line, f, NCOLS);
        if (n < 0)
            return bad(err, path, lineno, "malformed quoted field", NULL, NULL);
        if (n != NCOLS)
            return lk_err_set(err, LK_EINPUT, "%s fields than the %d of the header ('%s' line %zu)",
                              n > NCOLS ? "more" : "fewer", NCOLS, path, lineno);
        if (s->nruns == cap) {
            cap = cap ? 2 * cap : 16;
            s->runs = lk_xreallocarray(s->runs, cap, sizeof(*s->runs));
        }
        if ((rc = fill_run(&s->runs[s->nruns], f, path, lineno, err)) < 0)
            return rc;
        s->nruns++;
    }
    return 0;
}

/* ---------------------------------------------------------- sweep.json ---- */

static int json_bad(struct lk_err *err, const char *path, const char *field)
{
    return lk_err_set(err, LK_EINPUT, "field '%s' has the wrong type ('%s')", field, path);
}

static int load_json(struct pl_sweep *s, const char *path, struct lk_err *err)
{
    cJSON *root = NULL, *o, *v;
    int rc;
    if (!lk_is_file(path))
        return 0;
    if ((rc = lk_json_read_file(path, &root, err)) < 0)
        return rc == LK_ENOENT ? LK_EINPUT : rc;
    s->has_json = 1;
    rc = 0;
    o = cJSON_GetObjectItemCaseSensitive(root, "freshness");
    if (o && (v = cJSON_GetObjectItemCaseSensitive(o, "key")) != NULL) {
        if (!cJSON_IsString(v) || has_control(v->valuestring))
            rc = json_bad(err, path, "freshness.key");
        else
            s->fresh_key = lk_xstrdup(v->valuestring);
    }
    if (o && rc == 0 && (v = cJSON_GetObjectItemCaseSensitive(o, "column")) != NULL) {
        if (!cJSON_IsString(v) || has_control(v->valuestring))
            rc = json_bad(err, path, "freshness.column");
        else
            s->fresh_column = lk_xstrdup(v->valuestring);
    }
    if (o && rc == 0 && (v = cJSON_GetObjectItemCaseSensitive(o, "final")) != NULL) {
        if (!cJSON_IsNumber(v))
            rc = json_bad(err, path, "freshness.final");
        s->has_final = 1;
        s->fresh_final = v->valuedouble;
    }
    o = cJSON_GetObjectItemCaseSensitive(root, "sawtooth");
    v = o ? cJSON_GetObjectItemCaseSensitive(o, "batch_visible_hours") : NULL;
    if (v && rc == 0) {
        const cJSON *h;
        if (!cJSON_IsArray(v))
            rc = json_bad(err, path, "sawtooth.batch_visible_hours");
        s->batch_hours = lk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(double));
        cJSON_ArrayForEach(h, v)
        {
            if (!cJSON_IsNumber(h)) {
                rc = json_bad(err, path, "sawtooth.batch_visible_hours");
                break;
            }
            s->batch_hours[s->nbatch++] = h->valuedouble;
        }
    }
    cJSON_Delete(root);
    return rc;
}

int pl_sweep_load(struct pl_sweep *s, const char *dir, struct lk_err *err)
{
    char path[4200];
    int rc;
    memset(s, 0, sizeof(*s));
    s->dir = lk_xstrdup(dir);
    if (!lk_is_dir(dir))
        return lk_err_set(err, LK_ENOENT, "no sweep directory '%s'", dir);
    snprintf(path, sizeof(path), "%s/sweep.csv", dir);
    if (!lk_is_file(path))
        return lk_err_set(err, LK_ENOENT, "no sweep.csv in '%s' (not a sweep directory)", dir);
    if ((rc = load_csv(s, path, err)) < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/sweep.json", dir);
    return load_json(s, path, err);
}

void pl_sweep_release(struct pl_sweep *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->runs);
    free(s->text);
    free(s->fresh_key);
    free(s->fresh_column);
    free(s->batch_hours);
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
            seen = q->stack == PL_KAPPA &&
                   (by_trigger ? q->trigger_ms : q->watermark_ms) == key &&
                   (by_trigger ? q->watermark_ms : q->trigger_ms) == v;
        }
        n += !seen;
    }
    return n;
}

int pl_sweep_default_watermark(const struct pl_sweep *s, int64_t *wm, const char **label)
{
    size_t best = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        const struct pl_run *r = &s->runs[i];
        size_t n;
        if (r->stack != PL_KAPPA)
            continue;
        n = kappa_distinct(s, 0, r->watermark_ms);
        if (n > best) {
            best = n;
            *wm = r->watermark_ms;
            *label = r->watermark;
        }
    }
    return best ? 0 : -1;
}

size_t pl_sweep_watermark_trigger(const struct pl_sweep *s, int64_t *trigger_ms,
                                  const char **label)
{
    size_t best = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        const struct pl_run *r = &s->runs[i];
        size_t n;
        if (r->stack != PL_KAPPA)
            continue;
        n = kappa_distinct(s, 1, r->trigger_ms);
        if (n > best) {
            best = n;
            *trigger_ms = r->trigger_ms;
            *label = r->trigger;
        }
    }
    return best;
}

/* -------------------------------------------------------------- series ---- */

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
            return lk_err_set(err, LK_EINPUT, "bad number '%s' ('%s' line %zu)", p, path,
                              lineno);
        p = tab ? tab + 1 : p;
    }
    t->nrows++;
    return 0;
}

int pl_series_load(struct pl_series *t, const char *path, const char *header, size_t ncols,
                   struct lk_err *err)
{
    char *text = NULL, *p, *end, *line;
    size_t len, lineno = 1, cap = 0;
    int rc;
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
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
        if (t->nrows == cap) {
            cap = cap ? 2 * cap : 64;
            t->v = lk_xreallocarray(t->v, cap * ncols, sizeof(double));
        }
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
