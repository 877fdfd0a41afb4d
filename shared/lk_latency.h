/*
 * lk_latency - per-event latency samples and their summary (docs/kappa.md "Latency").
 *
 * Two latencies per event, both in virtual milliseconds from the event's arrival_time:
 *   first-visible  the first instant its contribution shows in the serving answer;
 *   correct        the instant from which the row it belongs to equals its final true
 *                  value and stays so.
 * An event that never reaches that state (late-dropped, or its row never equals the
 * truth) is counted in `never`, not averaged in.
 *
 * Percentiles are exact nearest-rank over all samples (the samples are kept; one
 * int64 per event, so this is an analysis step after a run, not the engine's hot path).
 *
 * Usage: lk_lat_init -> (lk_lat_add | lk_lat_never)* -> lk_lat_summarize -> lk_lat_free.
 */
#ifndef LK_LATENCY_H
#define LK_LATENCY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct lk_lat {
    int64_t *v;
    size_t n, cap;
    uint64_t never;
    int sorted;
};

/* One point of a value's history: value v from instant t (ms) on. */
struct lk_point {
    int64_t t;
    double v;
};

struct lk_lat_summary {
    uint64_t events; /* samples (events that reached the state) */
    uint64_t never;  /* events that never did */
    int64_t p50_ms, p95_ms, p99_ms, max_ms; /* 0 when events == 0 */
};

void lk_lat_init(struct lk_lat *l);
void lk_lat_free(struct lk_lat *l);
/* One sample; negative values are clamped to 0 (a sample cannot precede arrival). */
void lk_lat_add(struct lk_lat *l, int64_t ms);
void lk_lat_never(struct lk_lat *l);
/* Sorts the samples (once) and fills s. */
void lk_lat_summarize(struct lk_lat *l, struct lk_lat_summary *s);
/* Nearest-rank percentile q in (0, 100] of the sorted samples; 0 when empty. */
int64_t lk_lat_percentile(struct lk_lat *l, double q);
/*
 * {"events":N,"never":M,"p50_ms":..,"p95_ms":..,"p99_ms":..,"max_ms":..}: the shape of
 * run.json's latency.first_visible and latency.correct.
 */
cJSON *lk_lat_summary_json(const struct lk_lat_summary *s);
/* Read that shape back (missing fields read as 0); 0, or -1 when obj is not an object. */
int lk_lat_summary_from_json(const cJSON *obj, struct lk_lat_summary *s);

#endif
