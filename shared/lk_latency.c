/* lk_latency - per-event latency samples and their summary (see lk_latency.h). */
#include "lk_latency.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Sort the samples (all >= 0, lk_lat_add clamps) by LSD radix, 11 bits a pass, as many
 * passes as the largest value needs (3 up to 99 days in ms): a sweep sorts two million
 * samples per run, and glibc's qsort with a comparison call per step took about 0.15 s of
 * each million, a tenth of the run's analysis.
 */
static void sort_samples(int64_t *v, size_t n)
{
    enum { BITS = 11, RADIX = 1 << BITS };
    uint64_t max = 0;
    int64_t *tmp, *from = v, *to;
    for (size_t i = 0; i < n; i++)
        if ((uint64_t)v[i] > max)
            max = (uint64_t)v[i];
    tmp = lk_xcalloc(n, sizeof(*tmp));
    to = tmp;
    for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += BITS) {
        size_t count[RADIX] = { 0 }, pos = 0;
        int64_t *swap;
        for (size_t i = 0; i < n; i++)
            count[((uint64_t)from[i] >> shift) & (RADIX - 1)]++;
        for (size_t d = 0; d < RADIX; d++) {
            size_t c = count[d];
            count[d] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[((uint64_t)from[i] >> shift) & (RADIX - 1)]++] = from[i];
        swap = from;
        from = to;
        to = swap;
    }
    if (from != v)
        memcpy(v, from, n * sizeof(*v));
    free(tmp);
}

int64_t lk_lat_percentile(struct lk_lat *l, double q)
{
    uint64_t total = (uint64_t)l->n + l->never;
    if (total == 0)
        return 0;
    if (!l->sorted) {
        if (l->n > 1) /* with only never events, v is NULL */
            sort_samples(l->v, l->n);
        l->sorted = 1;
    }
    /* nearest rank: the smallest value with at least q% of the events at or below it */
    double rank = ceil(q / 100.0 * (double)total);
    uint64_t i = rank < 1 ? 0 : (uint64_t)rank - 1;
    if (i >= total)
        i = total - 1;
    return i < l->n ? l->v[i] : LK_LAT_NEVER;
}

void lk_lat_summarize(struct lk_lat *l, struct lk_lat_summary *s)
{
    s->events = (uint64_t)l->n + l->never;
    s->never = l->never;
    s->p50_ms = lk_lat_percentile(l, 50);
    s->p95_ms = lk_lat_percentile(l, 95);
    s->p99_ms = lk_lat_percentile(l, 99);
    s->max_ms = lk_lat_percentile(l, 100);
}

double lk_lat_reached_pct(const struct lk_lat_summary *s)
{
    if (s->events == 0)
        return 0.0;
    /* integer hundredths of a percent, rounded down */
    uint64_t reached = s->events - s->never;
    uint64_t bp = (uint64_t)((double)reached * 10000.0 / (double)s->events);
    if (bp * s->events > reached * 10000) /* floating error above the exact quotient */
        bp--;
    return (double)bp / 100.0;
}

const char *lk_lat_ms_text(int64_t ms, char *buf, size_t size)
{
    if (ms == LK_LAT_NEVER)
        snprintf(buf, size, "inf");
    else
        snprintf(buf, size, "%" PRId64, ms);
    return buf;
}

static void add_ms(cJSON *o, const char *name, int64_t ms)
{
    if (ms == LK_LAT_NEVER)
        cJSON_AddStringToObject(o, name, "inf");
    else
        lk_json_add_int(o, name, ms);
}

cJSON *lk_lat_summary_json(const struct lk_lat_summary *s, const char *pct_name)
{
    cJSON *o = cJSON_CreateObject();
    lk_json_add_int(o, "events", (int64_t)s->events);
    lk_json_add_int(o, "never", (int64_t)s->never);
    cJSON_AddNumberToObject(o, pct_name, lk_lat_reached_pct(s));
    add_ms(o, "p50_ms", s->p50_ms);
    add_ms(o, "p95_ms", s->p95_ms);
    add_ms(o, "p99_ms", s->p99_ms);
    add_ms(o, "max_ms", s->max_ms);
    return o;
}

static int64_t get_ms(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (cJSON_IsString(v) && strcmp(v->valuestring, "inf") == 0)
        return LK_LAT_NEVER;
    return lk_json_int(obj, name, 0);
}

int lk_lat_summary_from_json(const cJSON *obj, struct lk_lat_summary *s)
{
    if (!cJSON_IsObject(obj))
        return -1;
    s->events = (uint64_t)lk_json_int(obj, "events", 0);
    s->never = (uint64_t)lk_json_int(obj, "never", 0);
    s->p50_ms = get_ms(obj, "p50_ms");
    s->p95_ms = get_ms(obj, "p95_ms");
    s->p99_ms = get_ms(obj, "p99_ms");
    s->max_ms = get_ms(obj, "max_ms");
    return 0;
}
