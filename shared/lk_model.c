#include "lk_model.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_time.h"
#include "banned.h"

/*
 * The default model: illustrative numbers in the range of a small managed Spark cluster.
 * A job cluster takes ~3 minutes to start and is shut down after 10 idle minutes; a
 * micro-batch has ~1 s of fixed planning/commit overhead; a core processes ~500k simple
 * events/s (2 us each) and touches state rows at 0.5 us each; a batch job rescans the
 * master dataset at 4 us per event plus 30 s of job overhead.
 */
static const struct lk_model default_model = {
    "default", 3 * LK_MS_PER_MIN, 10 * LK_MS_PER_MIN, 1000, 2000, 500, 20000, 30000, 4000,
};

static const struct {
    const char *name;
    size_t offset;
    int is_duration; /* text duration in ms, else integer ns */
} members[] = {
    { "cluster_start", offsetof(struct lk_model, cluster_start_ms), 1 },
    { "idle_shutdown", offsetof(struct lk_model, idle_shutdown_ms), 1 },
    { "trigger_overhead", offsetof(struct lk_model, trigger_overhead_ms), 1 },
    { "event_ns", offsetof(struct lk_model, event_ns), 0 },
    { "state_row_ns", offsetof(struct lk_model, state_row_ns), 0 },
    { "continuous_event_ns", offsetof(struct lk_model, continuous_event_ns), 0 },
    { "job_overhead", offsetof(struct lk_model, job_overhead_ms), 1 },
    { "master_event_ns", offsetof(struct lk_model, master_event_ns), 0 },
};

static int set_member(struct lk_model *m, const cJSON *item, const char *path, struct lk_err *err)
{
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        int64_t *field;
        if (strcmp(item->string, members[i].name) != 0)
            continue;
        field = (int64_t *)(void *)((char *)m + members[i].offset);
        if (members[i].is_duration) {
            if (!cJSON_IsString(item) || lk_duration_parse(item->valuestring, field) < 0)
                return lk_err_set(err, LK_EINPUT, "%s: bad duration (cost model '%s')",
                                  item->string, path);
        } else {
            if (!cJSON_IsNumber(item) || item->valuedouble < 0 || item->valuedouble > 1e12
                || item->valuedouble != (double)(int64_t)item->valuedouble)
                return lk_err_set(err, LK_EINPUT,
                                  "%s: must be a whole number of nanoseconds (cost model '%s')",
                                  item->string, path);
            *field = (int64_t)item->valuedouble;
        }
        return 0;
    }
    if (strcmp(item->string, "name") == 0 && cJSON_IsString(item)) {
        snprintf(m->name, sizeof(m->name), "%s", item->valuestring);
        return 0;
    }
    return lk_err_set(err, LK_EINPUT, "%s: unknown field (cost model '%s')", item->string, path);
}

int lk_model_load(struct lk_model *m, const char *arg, struct lk_err *err)
{
    char *text;
    size_t len;
    cJSON *root, *item;
    int rc;
    *m = default_model;
    if (strcmp(arg, "default") == 0)
        return 0;
    if (strcmp(arg, "none") == 0) {
        memset(m, 0, sizeof(*m));
        snprintf(m->name, sizeof(m->name), "none");
        return 0;
    }
    if ((rc = lk_file_read_all(arg, 1 << 20, &text, &len, err)) < 0)
        return rc;
    root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return lk_err_set(err, LK_EINPUT, "cannot read cost model '%s' (not a json object)", arg);
    }
    snprintf(m->name, sizeof(m->name), "%s", arg);
    cJSON_ArrayForEach(item, root)
    {
        if ((rc = set_member(m, item, arg, err)) < 0)
            break;
    }
    cJSON_Delete(root);
    return rc;
}

int lk_model_cold(const struct lk_model *m, int64_t prev_end, int64_t start)
{
    return prev_end == LK_TIME_NEG_INF || start - prev_end >= m->idle_shutdown_ms;
}

static int64_t ns_to_ms(int64_t per, uint64_t n)
{
    return (int64_t)(((uint64_t)per * n + 999999) / 1000000); /* round up: work takes time */
}

int64_t lk_model_microbatch_ms(const struct lk_model *m, int cold, uint64_t rows,
                               uint64_t state_rows)
{
    return (cold ? m->cluster_start_ms : 0) + m->trigger_overhead_ms + ns_to_ms(m->event_ns, rows)
           + ns_to_ms(m->state_row_ns, state_rows);
}

int64_t lk_model_continuous_ms(const struct lk_model *m, uint64_t events)
{
    return ns_to_ms(m->continuous_event_ns, events);
}

int64_t lk_model_batch_job_ms(const struct lk_model *m, int cold, uint64_t master_events)
{
    return (cold ? m->cluster_start_ms : 0) + m->job_overhead_ms
           + ns_to_ms(m->master_event_ns, master_events);
}
