/* lk_cost - monthly bill of a run or of a lecture scenario (contract in lk_cost.h). */
#include "lk_cost.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_json.h"
#include "lk_model.h"
#include "lk_time.h"
#include "banned.h"

#define GIB 1073741824.0
#define MONTH_MS (30 * LK_MS_PER_DAY)
#define HOURS_PER_MONTH 720.0

static const char *const tier_names[LK_TIER_COUNT] = { "hot", "cool", "archive" };

int lk_cost_tier_parse(const char *name)
{
    for (int t = 0; t < LK_TIER_COUNT; t++)
        if (strcmp(name, tier_names[t]) == 0)
            return t;
    return LK_EUSAGE;
}

const char *lk_cost_tier_name(int tier)
{
    return tier >= 0 && tier < LK_TIER_COUNT ? tier_names[tier] : "?";
}

/* ------------------------------------------------------------ pricing file ---- */

enum kind { K_USD, K_DURATION, K_COUNT, K_FRACTION, K_TIER };

struct member {
    const char *name;
    enum kind kind;
    size_t offset;
};

static const struct member compute_members[] = {
    { "node_hour", K_USD, offsetof(struct lk_pricing, node_hour) },
    { "nodes", K_COUNT, offsetof(struct lk_pricing, nodes) },
    { "cluster_start", K_DURATION, offsetof(struct lk_pricing, cluster_start_ms) },
    { "idle_shutdown", K_DURATION, offsetof(struct lk_pricing, idle_shutdown_ms) },
};

static const struct member tier_members[] = {
    { "gb_month", K_USD, offsetof(struct lk_cost_tier, gb_month) },
    { "write_10k", K_USD, offsetof(struct lk_cost_tier, write_10k) },
    { "read_10k", K_USD, offsetof(struct lk_cost_tier, read_10k) },
    { "list_10k", K_USD, offsetof(struct lk_cost_tier, list_10k) },
    { "retrieval_gb", K_USD, offsetof(struct lk_cost_tier, retrieval_gb) },
};

static const struct member workload_members[] = {
    { "tier", K_TIER, offsetof(struct lk_pricing, default_tier) },
    { "retention", K_DURATION, offsetof(struct lk_pricing, retention_ms) },
    { "queries_per_hour", K_USD, offsetof(struct lk_pricing, queries_per_hour) },
    { "query_window", K_DURATION, offsetof(struct lk_pricing, query_window_ms) },
    { "query_fraction", K_FRACTION, offsetof(struct lk_pricing, query_fraction) },
    { "list_page", K_COUNT, offsetof(struct lk_pricing, list_page) },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Store one JSON value into base + m->offset according to its kind; 0 or -1 (bad value). */
static int set_value(char *base, const struct member *m, const cJSON *v)
{
    void *field = base + m->offset;
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1.0;
    int tier;
    switch (m->kind) {
    case K_USD:
    case K_FRACTION:
        if (!(d >= 0.0 && d <= (m->kind == K_FRACTION ? 1.0 : 1e9)))
            return -1;
        *(double *)field = d;
        return 0;
    case K_COUNT:
        if (!(d >= 1.0 && d <= 1e6) || d != floor(d))
            return -1;
        *(size_t *)field = (size_t)d;
        return 0;
    case K_DURATION:
        if (!cJSON_IsString(v))
            return -1;
        return lk_duration_parse(v->valuestring, (int64_t *)field) == 0 ? 0 : -1;
    case K_TIER:
        if (!cJSON_IsString(v) || (tier = lk_cost_tier_parse(v->valuestring)) < 0)
            return -1;
        *(int *)field = tier;
        return 0;
    }
    return -1;
}

static const char *kind_text(enum kind k)
{
    static const char *const text[] = { "a number >= 0", "a duration such as 10m",
                                        "a whole number >= 1", "a number from 0 to 1",
                                        "hot, cool or archive" };
    return text[k];
}

/* Load one object section ("compute", "storage.cool", ...): all members, nothing else. */
static int load_section(char *base, const struct member *ms, size_t n, const cJSON *obj,
                        const char *section, const char *path, struct lk_err *err)
{
    unsigned seen = 0;
    const cJSON *item;
    if (!cJSON_IsObject(obj))
        return lk_err_set(err, LK_EINPUT, "'%s' must be an object (pricing '%s')", section, path);
    cJSON_ArrayForEach(item, obj)
    {
        size_t i = 0;
        while (i < n && strcmp(item->string, ms[i].name) != 0)
            i++;
        if (i == n)
            return lk_err_set(err, LK_EINPUT, "unknown member '%s.%s' (pricing '%s')", section,
                              item->string, path);
        if (set_value(base, &ms[i], item) < 0)
            return lk_err_set(err, LK_EINPUT, "bad value for '%s.%s': want %s (pricing '%s')",
                              section, item->string, kind_text(ms[i].kind), path);
        seen |= 1u << i;
    }
    for (size_t i = 0; i < n; i++)
        if (!(seen & (1u << i)))
            return lk_err_set(err, LK_EINPUT, "missing member '%s.%s' (pricing '%s')", section,
                              ms[i].name, path);
    return 0;
}

static int load_storage(struct lk_pricing *p, const cJSON *obj, const char *path,
                        struct lk_err *err)
{
    const cJSON *item;
    char section[32];
    int rc;
    if (!cJSON_IsObject(obj))
        return lk_err_set(err, LK_EINPUT, "'storage' must be an object (pricing '%s')", path);
    cJSON_ArrayForEach(item, obj)
    {
        if (lk_cost_tier_parse(item->string) < 0)
            return lk_err_set(err, LK_EINPUT, "unknown member 'storage.%s' (pricing '%s')",
                              item->string, path);
    }
    for (int t = 0; t < LK_TIER_COUNT; t++) {
        snprintf(section, sizeof(section), "storage.%s", tier_names[t]);
        rc = load_section((char *)&p->tier[t], tier_members, NELEM(tier_members),
                          cJSON_GetObjectItemCaseSensitive(obj, tier_names[t]), section, path, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The top level: name, description, compute, storage, workload; all but description required. */
static int load_root(struct lk_pricing *p, const cJSON *root, const char *path, struct lk_err *err)
{
    static const char *const known[] = { "name", "description", "compute", "storage", "workload" };
    const cJSON *item, *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    int rc;
    cJSON_ArrayForEach(item, root)
    {
        size_t i = 0;
        while (i < NELEM(known) && strcmp(item->string, known[i]) != 0)
            i++;
        if (i == NELEM(known))
            return lk_err_set(err, LK_EINPUT, "unknown member '%s' (pricing '%s')", item->string,
                              path);
    }
    if (!cJSON_IsString(name))
        return lk_err_set(err, LK_EINPUT, "missing member 'name' (pricing '%s')", path);
    snprintf(p->name, sizeof(p->name), "%s", name->valuestring);
    if ((rc = load_section((char *)p, compute_members, NELEM(compute_members),
                           cJSON_GetObjectItemCaseSensitive(root, "compute"), "compute", path, err))
            < 0
        || (rc = load_storage(p, cJSON_GetObjectItemCaseSensitive(root, "storage"), path, err)) < 0)
        return rc;
    return load_section((char *)p, workload_members, NELEM(workload_members),
                        cJSON_GetObjectItemCaseSensitive(root, "workload"), "workload", path, err);
}

int lk_pricing_load(struct lk_pricing *p, const char *path, struct lk_err *err)
{
    cJSON *root = NULL;
    int rc;
    memset(p, 0, sizeof(*p));
    if (!lk_is_file(path))
        return lk_err_set(err, LK_ENOENT, "cannot open pricing '%s' (no such file)", path);
    if ((rc = lk_json_read_file(path, &root, err)) < 0)
        return rc;
    if (!cJSON_IsObject(root))
        rc = lk_err_set(err, LK_EINPUT, "cannot read pricing '%s' (not a json object)", path);
    else
        rc = load_root(p, root, path, err);
    cJSON_Delete(root);
    return rc;
}

/* -------------------------------------------------------- cluster timeline ---- */

void lk_cost_cluster_init(struct lk_cost_cluster *c, const char *name, size_t nodes,
                          int64_t idle_shutdown_ms)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->count = 1;
    c->nodes = nodes;
    c->idle_shutdown_ms = idle_shutdown_ms;
    c->last_end = LK_TIME_NEG_INF;
}

void lk_cost_cluster_close(struct lk_cost_cluster *c)
{
    if (c->last_end == LK_TIME_NEG_INF)
        return;
    c->on_ms += c->last_end + c->idle_shutdown_ms - c->session_start;
    c->last_end = LK_TIME_NEG_INF;
}

void lk_cost_cluster_job(struct lk_cost_cluster *c, int64_t start, int64_t end)
{
    if (c->last_end != LK_TIME_NEG_INF && start - c->last_end >= c->idle_shutdown_ms)
        lk_cost_cluster_close(c); /* idle long enough: it was shut down (lk_model_cold) */
    if (c->last_end == LK_TIME_NEG_INF) {
        c->session_start = start;
        c->last_end = end;
        c->starts++;
    }
    if (end > c->last_end)
        c->last_end = end;
    c->jobs++;
}

/* -------------------------------------------------------------- pricing ---- */

static int64_t cents(double usd)
{
    return (int64_t)llround(usd * 100.0);
}

static void price_compute(const struct lk_pricing *p, const struct lk_cost_usage *u,
                          struct lk_cost_bill *b)
{
    b->compute = 0;
    for (size_t i = 0; i < u->nclusters; i++) {
        const struct lk_cost_cluster *c = &u->cluster[i];
        int64_t on = c->on_ms < u->span_ms ? c->on_ms : u->span_ms; /* idle tail past the end */
        size_t nodes = c->nodes ? c->nodes : p->nodes;
        b->on_hours[i] = (double)on * b->factor / (double)LK_MS_PER_HOUR * (double)c->count;
        b->starts[i] = (double)c->starts * b->factor * (double)c->count;
        b->compute_cents[i] = cents(b->on_hours[i] * (double)nodes * p->node_hour);
        b->compute += b->compute_cents[i];
    }
}

/* Files in the retained output that one downstream query reads. */
static double files_per_query(const struct lk_pricing *p, const struct lk_cost_usage *u)
{
    int64_t window = p->query_window_ms < p->retention_ms ? p->query_window_ms : p->retention_ms;
    return (double)u->files / (double)u->span_ms * (double)window * p->query_fraction;
}

static void price_storage(const struct lk_pricing *p, const struct lk_cost_usage *u,
                          struct lk_cost_bill *b)
{
    const struct lk_cost_tier *t = &p->tier[b->tier];
    double queries = p->queries_per_hour * HOURS_PER_MONTH;
    double fq = files_per_query(p, u);
    b->files_month = (double)u->files * b->factor;
    b->files_day = (double)u->files * (double)LK_MS_PER_DAY / (double)u->span_ms;
    b->mean_file_bytes = u->files ? (double)u->bytes / (double)u->files : 0.0;
    b->gib_stored = (double)u->bytes / (double)u->span_ms * (double)p->retention_ms / GIB;
    b->reads_month = queries * fq;
    b->lists_month = u->files ? queries * fmax(1.0, ceil(fq / (double)p->list_page)) : 0.0;
    b->gib_read_month = b->reads_month * b->mean_file_bytes / GIB;
    b->storage = cents(b->gib_stored * t->gb_month);
    b->operations = cents((b->files_month * t->write_10k + b->reads_month * t->read_10k
                           + b->lists_month * t->list_10k)
                          / 10000.0);
    b->retrieval = cents(b->gib_read_month * t->retrieval_gb);
}

void lk_cost_price(const struct lk_pricing *p, const struct lk_cost_usage *u,
                   struct lk_cost_bill *b)
{
    memset(b, 0, sizeof(*b));
    b->tier = u->tier >= 0 ? u->tier : p->default_tier;
    b->factor = (double)MONTH_MS / (double)u->span_ms;
    price_compute(p, u, b);
    price_storage(p, u, b);
    b->total = b->compute + b->storage + b->operations + b->retrieval;
}

/* ------------------------------------------------------------- scenarios ---- */

/*
 * One configuration of a scenario over one virtual day. Every trigger writes one file per
 * output partition (each partition gets data every trigger at these rates). The numbers
 * are explained in docs/cost.md; change them there too.
 */
struct scen_config {
    const char *config;
    int64_t trigger_ms;
    int tier;
    size_t clusters;         /* identical clusters, each with the events below */
    size_t nodes;            /* nodes per cluster */
    size_t partitions;       /* output partitions (files per trigger) per cluster */
    uint64_t events_per_day; /* per cluster */
};

struct scenario {
    const char *name;
    uint64_t bytes_per_event; /* output bytes per event */
    struct scen_config cfg[2];
};

const char lk_cost_scenario_names[] = "small-files|multi-tenant";

static const struct scenario scenarios[] = {
    /* 10M events/day (~116/s) of 200 B into 20 tenant partitions, a 2-node cluster */
    { "small-files",
      200,
      { { "before", 10 * LK_MS_PER_SEC, LK_TIER_COOL, 1, 2, 20, 10000000 },
        { "after", 10 * LK_MS_PER_MIN, LK_TIER_HOT, 1, 2, 20, 10000000 } } },
    /* 100 tenants x 1M events/day; a tenant keeps a fifth of a worker busy, so one shared
     * cluster needs 1 driver + 100 x 0.2 = 20 workers, while a cluster per tenant needs at
     * least a driver and a worker */
    { "multi-tenant",
      200,
      { { "per-tenant-clusters", LK_MS_PER_MIN, LK_TIER_HOT, 100, 2, 1, 1000000 },
        { "shared-cluster", LK_MS_PER_MIN, LK_TIER_HOT, 1, 21, 100, 100000000 } } },
};

/* Jobs of one cluster over a day: a micro-batch per trigger, timed by lk_model. */
static void synth_day(struct lk_cost_cluster *c, const struct lk_model *m, int64_t trigger_ms,
                      uint64_t events_per_trigger)
{
    int64_t prev_end = LK_TIME_NEG_INF;
    for (int64_t t = 0; t < LK_MS_PER_DAY; t += trigger_ms) {
        int64_t start = prev_end > t ? prev_end : t;
        int cold = lk_model_cold(m, prev_end, start);
        int64_t end = start + lk_model_microbatch_ms(m, cold, events_per_trigger, 0);
        lk_cost_cluster_job(c, start, end);
        prev_end = end;
    }
    lk_cost_cluster_close(c);
}

static void scenario_usage(struct lk_cost_usage *u, const struct scenario *s,
                           const struct scen_config *k, const struct lk_model *m)
{
    uint64_t triggers = (uint64_t)((LK_MS_PER_DAY + k->trigger_ms - 1) / k->trigger_ms);
    char trig[32];
    memset(u, 0, sizeof(*u));
    snprintf(u->config, sizeof(u->config), "%s", k->config);
    snprintf(u->stack, sizeof(u->stack), "scenario");
    lk_duration_format(k->trigger_ms, trig, sizeof(trig));
    snprintf(u->detail, sizeof(u->detail),
             "trigger %s, %s tier, %zu cluster%s x %zu nodes, %zu output partition%s each", trig,
             lk_cost_tier_name(k->tier), k->clusters, k->clusters == 1 ? "" : "s", k->nodes,
             k->partitions, k->partitions == 1 ? "" : "s");
    u->tier = k->tier;
    u->span_ms = LK_MS_PER_DAY;
    u->idle_shutdown_ms = m->idle_shutdown_ms;
    u->nclusters = 1;
    lk_cost_cluster_init(&u->cluster[0], "stream", k->nodes, m->idle_shutdown_ms);
    u->cluster[0].count = k->clusters;
    synth_day(&u->cluster[0], m, k->trigger_ms, k->events_per_day / triggers);
    u->files = triggers * k->partitions * k->clusters;
    u->bytes = k->events_per_day * s->bytes_per_event * k->clusters;
}

int lk_cost_scenario(const char *name, const struct lk_pricing *p, struct lk_cost_usage u[2],
                     struct lk_err *err)
{
    struct lk_model m;
    lk_model_load(&m, "default", NULL); /* cannot fail: the built-in model */
    m.cluster_start_ms = p->cluster_start_ms;
    m.idle_shutdown_ms = p->idle_shutdown_ms;
    for (size_t i = 0; i < NELEM(scenarios); i++) {
        if (strcmp(name, scenarios[i].name) != 0)
            continue;
        for (int c = 0; c < 2; c++)
            scenario_usage(&u[c], &scenarios[i], &scenarios[i].cfg[c], &m);
        return 2;
    }
    return lk_err_set(err, LK_EUSAGE, "unknown scenario '%s', use small-files or multi-tenant",
                      name);
}
