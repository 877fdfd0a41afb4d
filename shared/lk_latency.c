/* lk_latency - per-event latency samples and their summary (see lk_latency.h). */
#include "lk_latency.h"

#include <math.h>
#include <stdlib.h>

#include "lk_json.h"
#include "lk_mem.h"
#include "banned.h"

void lk_lat_init(struct lk_lat *l)
{
    *l = (struct lk_lat){ 0 };
}

void lk_lat_free(struct lk_lat *l)
{
    free(l->v);
    *l = (struct lk_lat){ 0 };
}

void lk_lat_add(struct lk_lat *l, int64_t ms)
{
    LK_GROW(l->v, l->cap, l->n + 1);
    l->v[l->n++] = ms < 0 ? 0 : ms;
    l->sorted = 0;
}

void lk_lat_never(struct lk_lat *l)
{
    l->never++;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t lk_lat_percentile(struct lk_lat *l, double q)
{
    if (l->n == 0)
        return 0;
    if (!l->sorted) {
        qsort(l->v, l->n, sizeof(*l->v), cmp_i64);
        l->sorted = 1;
    }
    /* nearest rank: the smallest value with at least q% of the samples at or below it */
    double rank = ceil(q / 100.0 * (double)l->n);
    size_t i = rank < 1 ? 0 : (size_t)rank - 1;
    return l->v[i < l->n ? i : l->n - 1];
}

void lk_lat_summarize(struct lk_lat *l, struct lk_lat_summary *s)
{
    s->events = l->n;
    s->never = l->never;
    s->p50_ms = lk_lat_percentile(l, 50);
    s->p95_ms = lk_lat_percentile(l, 95);
    s->p99_ms = lk_lat_percentile(l, 99);
    s->max_ms = lk_lat_percentile(l, 100);
}

cJSON *lk_lat_summary_json(const struct lk_lat_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    lk_json_add_int(o, "events", (int64_t)s->events);
    lk_json_add_int(o, "never", (int64_t)s->never);
    lk_json_add_int(o, "p50_ms", s->p50_ms);
    lk_json_add_int(o, "p95_ms", s->p95_ms);
    lk_json_add_int(o, "p99_ms", s->p99_ms);
    lk_json_add_int(o, "max_ms", s->max_ms);
    return o;
}

int lk_lat_summary_from_json(const cJSON *obj, struct lk_lat_summary *s)
{
    if (!cJSON_IsObject(obj))
        return -1;
    s->events = (uint64_t)lk_json_int(obj, "events", 0);
    s->never = (uint64_t)lk_json_int(obj, "never", 0);
    s->p50_ms = lk_json_int(obj, "p50_ms", 0);
    s->p95_ms = lk_json_int(obj, "p95_ms", 0);
    s->p99_ms = lk_json_int(obj, "p99_ms", 0);
    s->max_ms = lk_json_int(obj, "max_ms", 0);
    return 0;
}
