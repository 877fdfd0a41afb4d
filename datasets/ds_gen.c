/*
 * ds_gen - generation: tables, records, delays, duplicates, malformed lines, sorting.
 * The writing half (line formatting, files, manifest, the DIR.partial swap) is in
 * ds_write.c; both share struct ds_gen through ds_gen_int.h.
 *
 * The numbers (docs/formats.md "Datasets"; the scenario can change the first group):
 *   late classes       late_mix weights (default 0.80 / 0.15 / 0.05) of
 *                        minutes          truncated Pareto(alpha 1) on (1m, 10m]
 *                        tens of minutes  truncated Pareto(alpha 1) on (10m, 1h]
 *                        offline hours    (key, offline window) pairs go offline with
 *                                         probability q = late_frac * share; all their
 *                                         events arrive at window end + 1h..3h
 *   base delay         exponential / lognormal / none, redrawn until below 1m
 *   duplicates         dup_frac / 1.125 of events are re-delivered once, 1/8 of those
 *                      twice; each copy arrives exponential(30s) (at least 1 ms) after
 *                      the previous one, so the expected share is dup_frac
 *   malformed          round(f * good / (1 - f)) extra lines so they are a share f of
 *                      all lines; kind = sequence % DS_BAD_COUNT
 *   rate               per-minute weights: steady 1; diurnal = a 24-point UTC-hour curve
 *                      (night 0.2, evening peak 1.3), linear within the hour; bursts =
 *                      steady with runs of 1-5 minutes at 10x starting in ~1% of minutes
 */
#include "ds_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_gen_int.h"
#include "ds_rand.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

/* PRNG streams and hash purposes (ds_rand.h "Streams"). */
enum { S_RATE = 1, S_TIME, S_KEYS, S_ATTR, S_DELAY, S_DUP, S_BAD };
#define H_PHASE UINT64_C(0x7068617365)
#define H_OFFLINE UINT64_C(0x6f66666c696e65)
#define H_GAP UINT64_C(0x676170)

static const char *const malformed_names[DS_BAD_COUNT] = {
    "truncated", "missing-field", "wrong-type", "decimals",
    "exponent",  "timestamp",     "utf8",       "empty-string",
};

const char *ds_malformed_name(int kind)
{
    return kind >= 0 && kind < DS_BAD_COUNT ? malformed_names[kind] : "unknown";
}

enum lk_reason ds_malformed_reason(int kind)
{
    static const enum lk_reason reasons[DS_BAD_COUNT] = {
        LK_Q_JSON,   LK_Q_MISSING,   LK_Q_TYPE, LK_Q_DECIMALS,
        LK_Q_NUMBER, LK_Q_TIMESTAMP, LK_Q_UTF8, LK_Q_EMPTY,
    };
    return kind >= 0 && kind < DS_BAD_COUNT ? reasons[kind] : LK_Q_OK;
}

/* ---------------------------------------------------------------- tables ---- */

static int digits_of(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static void build_tenants(struct ds_gen *g)
{
    const struct ds_params *p = &g->p;
    int width = digits_of(p->tenants);
    g->tenant_name = lk_xreallocarray(NULL, p->tenants, sizeof(*g->tenant_name));
    g->tenant_len = lk_xreallocarray(NULL, p->tenants, sizeof(*g->tenant_len));
    g->tenant_part = lk_xreallocarray(NULL, p->tenants, sizeof(*g->tenant_part));
    if (width < 2)
        width = 2;
    for (uint32_t t = 0; t < p->tenants; t++) {
        int n = snprintf(g->tenant_name[t], sizeof(g->tenant_name[t]), "t%0*u", width, t + 1);
        g->tenant_len[t] = (uint8_t)n;
        g->tenant_part[t] = (uint32_t)(lk_hash_bytes(g->tenant_name[t], (size_t)n) % p->partitions);
    }
}

/* Each key belongs to one tenant, drawn from the tenants' Zipf law. */
static void build_keys(struct ds_gen *g)
{
    const struct ds_params *p = &g->p;
    struct ds_alias tenants;
    struct ds_rand r;
    ds_rand_init(&r, p->seed, S_KEYS);
    ds_alias_zipf(&tenants, p->tenants, p->zipf);
    g->key_tenant = lk_xreallocarray(NULL, p->keys, sizeof(*g->key_tenant));
    for (uint32_t k = 0; k < p->keys; k++)
        g->key_tenant[k] = (uint16_t)ds_alias_sample(&tenants, &r);
    ds_alias_release(&tenants);
    ds_alias_zipf(&g->key_dist, p->keys, p->key_zipf);
}

static void build_types(struct ds_gen *g)
{
    double w[DS_TYPES_MAX];
    for (size_t i = 0; i < g->p.ntypes; i++)
        w[i] = g->p.types[i].weight;
    ds_alias_init(&g->type_dist, w, g->p.ntypes);
}

/* Relative traffic by UTC hour of day: quiet nights, a working-day plateau, evening peak. */
static const double diurnal_curve[24] = {
    0.40, 0.28, 0.22, 0.20, 0.22, 0.30, 0.45, 0.65, 0.85, 1.00, 1.08, 1.12,
    1.15, 1.12, 1.08, 1.05, 1.05, 1.10, 1.20, 1.30, 1.28, 1.10, 0.85, 0.60,
};

static double diurnal_weight(int64_t t)
{
    int64_t tod = t - lk_align_down(t, LK_MS_PER_DAY);
    int h = (int)(tod / LK_MS_PER_HOUR), mi = (int)(tod / LK_MS_PER_MIN % 60);
    double a = diurnal_curve[h], b = diurnal_curve[(h + 1) % 24];
    return (a * (double)(60 - mi) + b * (double)mi) / 60.0;
}

/* Per-minute weights of the rate shape, and their running sum (cum[0] = 0). */
static void build_rate(struct ds_gen *g)
{
    const struct ds_params *p = &g->p;
    size_t m, n = (size_t)((p->span_ms + LK_MS_PER_MIN - 1) / LK_MS_PER_MIN);
    int burst_left = 0;
    struct ds_rand r;
    ds_rand_init(&r, p->seed, S_RATE);
    g->minutes = n;
    g->minute_w = lk_xreallocarray(NULL, n, sizeof(double));
    g->minute_cum = lk_xreallocarray(NULL, n + 1, sizeof(double));
    g->minute_cum[0] = 0.0;
    for (m = 0; m < n; m++) {
        int64_t t0 = p->start_ms + (int64_t)m * LK_MS_PER_MIN;
        int64_t len = m + 1 < n ? LK_MS_PER_MIN : p->span_ms - (int64_t)m * LK_MS_PER_MIN;
        double w = 1.0;
        if (p->rate == DS_RATE_DIURNAL)
            w = diurnal_weight(t0);
        else if (p->rate == DS_RATE_BURSTS) {
            if (burst_left == 0 && ds_rand_bernoulli(&r, 0.01))
                burst_left = 1 + (int)ds_rand_below(&r, 5);
            w = burst_left > 0 ? 10.0 : 1.0;
            burst_left -= burst_left > 0;
        }
        g->minute_w[m] = w;
        g->minute_cum[m + 1] = g->minute_cum[m] + w * (double)len / (double)LK_MS_PER_MIN;
    }
}

int ds_gen_new(struct ds_gen **out, const struct ds_params *p, struct lk_err *err)
{
    struct ds_gen *g;
    int rc = ds_params_check(p, err);
    if (rc < 0)
        return rc;
    g = lk_xcalloc(1, sizeof(*g));
    g->p = *p;
    g->id_width = digits_of(p->events) < 9 ? 9 : digits_of(p->events);
    g->key_width = digits_of(p->keys) < 5 ? 5 : digits_of(p->keys);
    build_tenants(g);
    build_keys(g);
    build_types(g);
    build_rate(g);
    *out = g;
    return 0;
}

void ds_gen_free(struct ds_gen *g)
{
    if (!g)
        return;
    free(g->tenant_name);
    free(g->tenant_len);
    free(g->tenant_part);
    free(g->key_tenant);
    ds_alias_release(&g->key_dist);
    ds_alias_release(&g->type_dist);
    free(g->minute_w);
    free(g->minute_cum);
    free(g->recs);
    free(g->sorted);
    free(g->part_start);
    free(g);
}

void ds_gen_set_progress(struct ds_gen *g, lk_progress_fn fn, void *arg)
{
    g->progress = fn;
    g->progress_arg = arg;
}

const struct ds_counts *ds_gen_counts(const struct ds_gen *g)
{
    return &g->counts;
}

/* ---------------------------------------------------------------- delays ---- */

/* The base delay of on-time events, always below one minute. */
static int64_t base_delay(const struct ds_params *p, struct ds_rand *r)
{
    for (int tries = 0; tries < 16; tries++) {
        double d;
        if (p->delay.kind == DS_DELAY_NONE)
            return 0;
        if (p->delay.kind == DS_DELAY_EXPONENTIAL)
            d = ds_rand_exponential(r, (double)p->delay.scale_ms);
        else
            d = (double)p->delay.scale_ms * ds_exp(p->delay.sigma * ds_rand_normal(r));
        if (d < (double)(LK_MS_PER_MIN - 1))
            return (int64_t)(d + 0.5);
    }
    return LK_MS_PER_MIN - 1;
}

/* Truncated Pareto with alpha 1 on [lo, hi]: density ~ 1/x^2, inverse CDF without logs. */
static int64_t pareto_delay(struct ds_rand *r, int64_t lo, int64_t hi)
{
    double a = 1.0 / (double)lo, b = 1.0 / (double)hi;
    double d = 1.0 / (a - ds_rand_double(r) * (a - b));
    int64_t ms = (int64_t)(d + 0.5);
    return ms < lo ? lo : ms > hi ? hi : ms;
}

/*
 * When key's offline window holding t is offline, the arrival time of its buffered
 * events (window end + 1h..3h); else -1. Addressed by hashes, not by a stream, so
 * every event of that key and window gets the same answer.
 */
static int64_t offline_arrival(const struct ds_gen *g, uint32_t key, int64_t t)
{
    uint64_t seed = g->p.seed;
    int64_t w = g->p.offline_window_ms;
    int64_t phase = (int64_t)(ds_mix3(seed, H_PHASE, key) % (uint64_t)w);
    int64_t slot = lk_floor_div(t - phase, w);
    double u =
        (double)(ds_mix3(seed ^ H_OFFLINE, key, (uint64_t)slot) >> 11) * (1.0 / 9007199254740992.0);
    int64_t gap;
    if (!(u < g->q_offline))
        return -1;
    gap = LK_MS_PER_HOUR + 1
          + (int64_t)(ds_mix3(seed ^ H_GAP, key, (uint64_t)slot) % (uint64_t)(2 * LK_MS_PER_HOUR));
    return phase + (slot + 1) * w + gap;
}

static void plan_delays(struct ds_gen *g)
{
    const double *mix = g->p.late_mix;
    double total = mix[0] + mix[1] + mix[2];
    g->q_offline = g->p.late_frac * mix[2] / total;
    g->p_late = g->q_offline < 1.0
                    ? g->p.late_frac * (mix[0] + mix[1]) / total / (1.0 - g->q_offline)
                    : 0.0;
    g->share_minutes = mix[0] + mix[1] > 0.0 ? mix[0] / (mix[0] + mix[1]) : 1.0;
}

static int64_t arrival_of(const struct ds_gen *g, struct ds_rand *r, uint32_t key, int64_t t)
{
    int64_t off = g->q_offline > 0.0 ? offline_arrival(g, key, t) : -1;
    if (off >= 0)
        return off;
    if (ds_rand_double(r) < g->p_late) {
        if (ds_rand_double(r) < g->share_minutes)
            return t + pareto_delay(r, LK_MS_PER_MIN + 1, 10 * LK_MS_PER_MIN);
        return t + pareto_delay(r, 10 * LK_MS_PER_MIN + 1, LK_MS_PER_HOUR);
    }
    return t + base_delay(&g->p, r);
}

/* --------------------------------------------------------------- records ---- */

static struct ds_rec *push_rec(struct ds_gen *g)
{
    LK_GROW(g->recs, g->cap, g->nrecs + 1);
    return &g->recs[g->nrecs++];
}

/* Key, tenant, type and value of one event. */
static void draw_attrs(const struct ds_gen *g, struct ds_rand *r, struct ds_rec *rec)
{
    const struct ds_type *t;
    rec->key = (uint32_t)ds_alias_sample(&g->key_dist, r);
    rec->tenant = g->key_tenant[rec->key];
    rec->type = (uint8_t)ds_alias_sample(&g->type_dist, r);
    t = &g->p.types[rec->type];
    rec->value = (int32_t)(t->min + (int64_t)ds_rand_below(r, (uint64_t)(t->max - t->min + 1)));
}

/*
 * Event i's time: stratified inverse-CDF sampling of the rate shape at (i + u) / N, so
 * times are non-decreasing in i and follow the per-minute weights.
 */
static int64_t event_time_of(const struct ds_gen *g, size_t *m, uint64_t i, double u)
{
    double target = ((double)i + u) / (double)g->p.events * g->minute_cum[g->minutes];
    int64_t len, off;
    while (*m + 1 < g->minutes && g->minute_cum[*m + 1] <= target)
        (*m)++;
    len = *m + 1 < g->minutes ? LK_MS_PER_MIN : g->p.span_ms - (int64_t)*m * LK_MS_PER_MIN;
    off = (int64_t)((target - g->minute_cum[*m]) / g->minute_w[*m] * (double)LK_MS_PER_MIN);
    off = off < 0 ? 0 : off >= len ? len - 1 : off;
    return g->p.start_ms + (int64_t)*m * LK_MS_PER_MIN + off;
}

static void gen_originals(struct ds_gen *g)
{
    struct ds_rand rt, ra, rd;
    size_t m = 0;
    ds_rand_init(&rt, g->p.seed, S_TIME);
    ds_rand_init(&ra, g->p.seed, S_ATTR);
    ds_rand_init(&rd, g->p.seed, S_DELAY);
    for (uint64_t i = 0; i < g->p.events; i++) {
        struct ds_rec *rec = push_rec(g);
        rec->id = (uint32_t)(i + 1);
        rec->kind = DS_REC_ORIGINAL;
        rec->event_time = event_time_of(g, &m, i, ds_rand_double(&rt));
        draw_attrs(g, &ra, rec);
        rec->arrival = arrival_of(g, &rd, rec->key, rec->event_time);
    }
}

static void gen_duplicates(struct ds_gen *g)
{
    size_t n = g->nrecs;
    double p = g->p.dup_frac / 1.125;
    struct ds_rand r;
    ds_rand_init(&r, g->p.seed, S_DUP);
    for (size_t i = 0; i < n; i++) {
        int copies;
        int64_t prev;
        if (!ds_rand_bernoulli(&r, p))
            continue;
        copies = 1 + ds_rand_bernoulli(&r, 0.125);
        prev = g->recs[i].arrival;
        for (int c = 0; c < copies; c++) {
            struct ds_rec *d = push_rec(g);
            int64_t gap = (int64_t)(ds_rand_exponential(&r, 30000.0) + 0.5);
            *d = g->recs[i];
            d->kind = DS_REC_DUP;
            d->arrival = prev + (gap < 1 ? 1 : gap);
            prev = d->arrival;
        }
    }
}

/* Templates of malformed lines: a random event at a random time; the text is made later. */
static void gen_malformed(struct ds_gen *g)
{
    double f = g->p.malformed_frac;
    uint64_t n = (uint64_t)(f * (double)g->nrecs / (1.0 - f) + 0.5);
    struct ds_rand r;
    ds_rand_init(&r, g->p.seed, S_BAD);
    for (uint64_t j = 0; j < n; j++) {
        struct ds_rec *rec = push_rec(g);
        draw_attrs(g, &r, rec);
        rec->id = (uint32_t)(j + 1);
        rec->kind = (uint8_t)(DS_REC_BAD + j % DS_BAD_COUNT);
        rec->event_time = g->p.start_ms + (int64_t)ds_rand_below(&r, (uint64_t)g->p.span_ms);
        rec->arrival = rec->event_time + base_delay(&g->p, &r);
    }
}

/* ---------------------------------------------------------------- sorting --- */

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)

static int bits_for(uint64_t v)
{
    int b = 0;
    while (v) {
        b++;
        v >>= 1;
    }
    return b;
}

struct sort_key {
    const uint32_t *part; /* tenant -> partition */
    int64_t amin;         /* smallest arrival */
    int abits;            /* bits of the arrival offset */
};

/* Partition in the high bits, arrival offset below: one integer orders both. */
static inline uint64_t sort_key(const struct sort_key *k, const struct ds_rec *r)
{
    return ((uint64_t)k->part[r->tenant] << k->abits) | (uint64_t)(r->arrival - k->amin);
}

/* One stable counting pass on digit d of the key, src -> dst. */
static void radix_pass(const struct sort_key *k, const struct ds_rec *src, struct ds_rec *dst,
                       size_t n, int d, size_t *count)
{
    size_t sum = 0;
    memset(count, 0, RADIX * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        count[(sort_key(k, &src[i]) >> (d * RADIX_BITS)) & (RADIX - 1)]++;
    for (size_t b = 0; b < RADIX; b++) {
        size_t c = count[b];
        count[b] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        dst[count[(sort_key(k, &src[i]) >> (d * RADIX_BITS)) & (RADIX - 1)]++] = src[i];
}

/*
 * Group by partition and order by arrival with an LSD radix sort. It is stable, so
 * equal arrivals keep generation order (originals by id, then duplicates, then
 * malformed lines): a total order, the same on every machine.
 */
static void sort_records(struct ds_gen *g)
{
    struct sort_key k = { g->tenant_part, LK_TIME_POS_INF, 0 };
    int64_t amax = LK_TIME_NEG_INF;
    size_t n = g->nrecs, *count = lk_xmalloc(RADIX * sizeof(size_t));
    struct ds_rec *a = g->recs, *b = lk_xreallocarray(NULL, n ? n : 1, sizeof(*b)), *t;
    int passes;
    for (size_t i = 0; i < n; i++) {
        k.amin = a[i].arrival < k.amin ? a[i].arrival : k.amin;
        amax = a[i].arrival > amax ? a[i].arrival : amax;
    }
    k.abits = n ? bits_for((uint64_t)(amax - k.amin)) : 0;
    passes = (k.abits + bits_for(g->p.partitions - 1) + RADIX_BITS - 1) / RADIX_BITS;
    for (int d = 0; d < passes; d++) {
        radix_pass(&k, a, b, n, d, count);
        t = a, a = b, b = t;
    }
    free(b);
    free(count);
    free(g->sorted);
    g->sorted = a;
    g->recs = NULL;
    g->cap = 0;
    free(g->part_start);
    g->part_start = lk_xcalloc(g->p.partitions + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        g->part_start[g->tenant_part[a[i].tenant] + 1]++;
    for (uint32_t p = 0; p < g->p.partitions; p++)
        g->part_start[p + 1] += g->part_start[p];
}

void ds_gen_generate(struct ds_gen *g)
{
    g->nrecs = 0;
    plan_delays(g);
    gen_originals(g);
    gen_duplicates(g);
    gen_malformed(g);
    sort_records(g);
}
