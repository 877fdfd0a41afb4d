/* cmp_cost: what a finished run used (cmp_cost.h); pricing it is lk_cost's. */
#include "cmp_cost.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "lk_buf.h"
#include "lk_csv.h"
#include "lk_file.h"
#include "lk_fmt.h"
#include "lk_model.h"
#include "lk_run.h"
#include "lk_time.h"
#include "banned.h"

/* ----------------------------------------------------------------- runs ---- */

/* Where the run's metrics start and end, over all layers. */
struct span {
    int64_t start, end;
};

static int get_time(const cJSON *obj, const char *name, int64_t *ms)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(v))
        return LK_ENOENT;
    return lk_time_parse(v->valuestring, strlen(v->valuestring), ms);
}

static uint64_t get_count(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(v) && v->valuedouble > 0 ? (uint64_t)v->valuedouble : 0;
}

/* A duration parameter of the run ("1m"), 0 when absent or not a duration ("once"). */
static int64_t get_duration(const cJSON *params, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, name);
    int64_t ms = 0;
    if (!cJSON_IsString(v) || lk_duration_parse(v->valuestring, &ms) < 0)
        return 0;
    return ms;
}

/* The trigger interval behind a layer's jobs: Lambda's batch_every/speed_trigger, else trigger. */
static int64_t layer_interval(const cJSON *params, const char *layer)
{
    if (strcmp(layer, "batch") == 0)
        return get_duration(params, "batch_every");
    if (strcmp(layer, "speed") == 0)
        return get_duration(params, "speed_trigger");
    return get_duration(params, "trigger");
}

/* The run's idle_shutdown: Lambda embeds its cost model, Kappa names it ("default", a path). */
static int run_idle_shutdown(const cJSON *params, int64_t *ms, struct lk_err *err)
{
    const cJSON *cm = cJSON_GetObjectItemCaseSensitive(params, "cost_model");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cm, "idle_shutdown_ms");
    struct lk_err why = LK_ERR_INIT;
    struct lk_model m;
    if (cJSON_IsNumber(v) && v->valuedouble >= 0) {
        *ms = (int64_t)v->valuedouble;
        return 0;
    }
    /* only a named file can fail; "default" and an absent model cannot */
    if (lk_model_load(&m, cJSON_IsString(cm) ? cm->valuestring : "default", &why) < 0)
        return lk_err_set(err, LK_EINPUT, "cannot load the run's cost model '%s' (%s)",
                          cm->valuestring, why.msg[0] ? why.msg : lk_strerror(why.code));
    *ms = m.idle_shutdown_ms;
    return 0;
}

static struct lk_cost_cluster *find_cluster(struct lk_cost_usage *u, const char *layer)
{
    for (size_t i = 0; i < u->nclusters; i++)
        if (strcmp(u->cluster[i].name, layer) == 0)
            return &u->cluster[i];
    if (u->nclusters == LK_COST_MAX_CLUSTERS)
        return NULL;
    lk_cost_cluster_init(&u->cluster[u->nclusters], layer, 0, u->idle_shutdown_ms);
    return &u->cluster[u->nclusters++];
}

/* One metrics line: a job on its layer's cluster, its files and bytes, the span. */
static int add_line(struct lk_cost_usage *u, const cJSON *line, const cJSON *params,
                    struct span *sp, const char *where, struct lk_err *err)
{
    const cJSON *layer = cJSON_GetObjectItemCaseSensitive(line, "layer");
    const char *name = cJSON_IsString(layer) ? layer->valuestring : "stream";
    struct lk_cost_cluster *c = find_cluster(u, name);
    int64_t trigger, start, end;
    if (!c)
        return lk_err_set(err, LK_EINPUT, "too many layers, '%s' is one more (%s)", name, where);
    if (get_time(line, "trigger_time", &trigger) < 0 || get_time(line, "visible_time", &end) < 0)
        return lk_err_set(err, LK_EINPUT, "missing or bad trigger_time/visible_time (%s)", where);
    if (get_time(line, "start_time", &start) < 0)
        start = trigger;
    if (end < start)
        return lk_err_set(err, LK_EINPUT, "visible_time before the job started (%s)", where);
    lk_cost_cluster_job(c, start, end);
    u->files += get_count(line, "files_written");
    u->bytes += get_count(line, "bytes_written");
    if (trigger - layer_interval(params, name) < sp->start)
        sp->start = trigger - layer_interval(params, name);
    if (end > sp->end)
        sp->end = end;
    return 0;
}

static int read_metrics(struct lk_cost_usage *u, const char *run, const cJSON *params,
                        struct span *sp, struct lk_err *err)
{
    struct lk_buf path = LK_BUF_INIT, where = LK_BUF_INIT;
    struct lk_lines *lines = NULL;
    const char *text;
    size_t len;
    int rc;
    lk_buf_addf(&path, "%s/metrics.jsonl", run);
    if ((rc = lk_lines_open(&lines, path.s, err)) < 0)
        goto out;
    while ((rc = lk_lines_next(lines, &text, &len, err)) > 0) {
        cJSON *obj;
        if (len == 0)
            continue;
        lk_buf_reset(&where);
        lk_buf_addf(&where, "'%s' line %zu", path.s, lk_lines_lineno(lines));
        obj = cJSON_ParseWithLength(text, len);
        rc = cJSON_IsObject(obj) ? add_line(u, obj, params, sp, where.s, err)
                                 : lk_err_set(err, LK_EINPUT, "not a json object (%s)", where.s);
        cJSON_Delete(obj);
        if (rc < 0)
            break;
        u->lines++;
    }
    lk_lines_close(lines);
out:
    lk_buf_release(&path);
    lk_buf_release(&where);
    return rc < 0 ? rc : 0;
}

/* "RUN/" -> "RUN": the last path component names the config in CSV output. */
static void set_config(struct lk_cost_usage *u, const char *run)
{
    size_t len = strlen(run);
    const char *base;
    while (len > 1 && run[len - 1] == '/')
        len--;
    base = run + len;
    while (base > run && base[-1] != '/')
        base--;
    snprintf(u->config, sizeof(u->config), "%.*s", (int)(run + len - base), base);
}

static void set_detail(struct lk_cost_usage *u, const cJSON *params)
{
    const cJSON *trig = cJSON_GetObjectItemCaseSensitive(params, "trigger");
    const cJSON *be = cJSON_GetObjectItemCaseSensitive(params, "batch_every");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(params, "speed_trigger");
    if (cJSON_IsString(be) && cJSON_IsString(st))
        snprintf(u->detail, sizeof(u->detail), "%s, batch every %s, speed trigger %s", u->stack,
                 be->valuestring, st->valuestring);
    else
        snprintf(u->detail, sizeof(u->detail), "%s, trigger %s", u->stack,
                 cJSON_IsString(trig) ? trig->valuestring : "?");
}

/*
 * once / available-now process what has arrived and stop: a scheduler starts them again.
 * Their span would be the job alone (a month of back-to-back runs), so they are priced as
 * run once a day: the span is at least a day.
 */
static int scheduled_daily(const struct lk_run *run)
{
    int kind = lk_trigger_lookup(lk_run_param(run, "trigger"));
    return kind == LK_TRIGGER_ONCE || kind == LK_TRIGGER_AVAILABLE_NOW;
}

static int from_run(struct lk_cost_usage *u, const struct lk_run *run, struct lk_err *err)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(run->json, "parameters");
    struct span sp = { LK_TIME_POS_INF, LK_TIME_NEG_INF };
    int rc;
    snprintf(u->stack, sizeof(u->stack), "%s", lk_stack_name(run->stack));
    set_detail(u, params);
    if ((rc = run_idle_shutdown(params, &u->idle_shutdown_ms, err)) < 0
        || (rc = read_metrics(u, run->dir, params, &sp, err)) < 0)
        return rc;
    for (size_t i = 0; i < u->nclusters; i++)
        lk_cost_cluster_close(&u->cluster[i]);
    if (u->lines == 0 || sp.end <= sp.start)
        return lk_err_set(err, LK_EINPUT, "run '%s' has no batches in metrics.jsonl", run->dir);
    u->span_ms = sp.end - sp.start;
    if (scheduled_daily(run) && u->span_ms < LK_MS_PER_DAY)
        u->span_ms = LK_MS_PER_DAY;
    return 0;
}

int cmp_cost_usage_from_run(struct lk_cost_usage *u, const char *dir, struct lk_err *err)
{
    struct lk_run run = LK_RUN_INIT;
    int rc;
    memset(u, 0, sizeof(*u));
    u->tier = -1;
    set_config(u, dir);
    if ((rc = lk_run_open(&run, dir, err)) < 0)
        return rc;
    rc = from_run(u, &run, err);
    lk_run_release(&run);
    return rc;
}

/* ------------------------------------------------------------- cost.csv ---- */

/* One row: [scenario,]config,component,usd; component is comp, or "comp.part" with part. */
static void csv_row(FILE *fp, const char *scenario, const char *config, const char *comp,
                    const char *part, int64_t cents)
{
    char m[32], name[64];
    snprintf(name, sizeof(name), part ? "%s.%s" : "%s", comp, part ? part : "");
    lk_fmt_cents(m, sizeof(m), cents);
    if (scenario)
        fprintf(fp, "%s,", scenario);
    lk_csv_write_field(fp, config, strlen(config)); /* quoted when it must be */
    fputc(',', fp);
    lk_csv_write_field(fp, name, strlen(name));
    fprintf(fp, ",%s\n", m);
}

void cmp_cost_csv_rows(FILE *fp, const char *scenario, const struct lk_cost_usage *u,
                       const struct lk_cost_bill *b)
{
    const int64_t v[] = { b->storage, b->operations, b->retrieval, b->total };
    static const char *const name[] = { "storage", "operations", "retrieval", "total" };
    csv_row(fp, scenario, u->config, "compute", NULL, b->compute);
    /* a config with several clusters (Lambda: batch, speed): each one's part of compute */
    for (size_t i = 0; u->nclusters > 1 && i < u->nclusters; i++)
        csv_row(fp, scenario, u->config, "compute", u->cluster[i].name, b->compute_cents[i]);
    for (size_t i = 0; i < 4; i++)
        csv_row(fp, scenario, u->config, name[i], NULL, v[i]);
}
