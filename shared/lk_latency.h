/*
 * lk_latency - per-event latency samples and their summary (docs/kappa.md, Latency).
 *
 * Two latencies per event, both in virtual milliseconds from the event's arrival_time:
 *   first-visible  the first instant its contribution shows in the serving answer;
 *   correct        the instant from which the row it belongs to equals its final true
 *                  value and stays so.
 * An event that never reaches that state (late-dropped, or its row ends different from
 * the truth) is a `never` event: it counts as +infinity. Percentiles are taken over EVERY
 * event (samples and never events alike), so a percentile whose rank falls among the
 * never events is LK_LAT_NEVER ("inf" in JSON and CSV, "never" for people). Hiding those
 * events would make a run that leaves half its rows wrong look fast and correct.
 *
 * Percentiles are exact nearest-rank (the samples are kept; one int64 per event, so this
 * is an analysis step after a run, not the engine's hot path).
 *
 * Usage: lk_lat_init -> (lk_lat_add | lk_lat_never)* -> lk_lat_summarize -> lk_lat_free.
 */
#ifndef LK_LATENCY_H
#define LK_LATENCY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* A percentile that falls among the never events (+infinity). */
#define LK_LAT_NEVER INT64_MAX

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
    uint64_t events; /* every event: those that reached the state and the never ones */
    uint64_t never;  /* events that never did */
    /* over all events; LK_LAT_NEVER when the rank falls among the never events; 0 when
     * events == 0 */
    int64_t p50_ms, p95_ms, p99_ms, max_ms;
};

void lk_lat_init(struct lk_lat *l);
void lk_lat_free(struct lk_lat *l);
/* One sample; negative values are clamped to 0 (a sample cannot precede arrival). */
void lk_lat_add(struct lk_lat *l, int64_t ms);
void lk_lat_never(struct lk_lat *l);
/* Sorts the samples (once) and fills s. */
void lk_lat_summarize(struct lk_lat *l, struct lk_lat_summary *s);
/*
 * Nearest-rank percentile q in (0, 100] over every event, the never events ranked last:
 * the sample at rank ceil(q/100 * (n + never)), LK_LAT_NEVER past the samples; 0 when
 * there are no events.
 */
int64_t lk_lat_percentile(struct lk_lat *l, double q);
/*
 * The share of events that reached the state, (events - never) / events * 100, rounded
 * DOWN to 2 decimals (100.00 only when every event did: a share is never overstated);
 * 0 when there are no events.
 */
double lk_lat_reached_pct(const struct lk_lat_summary *s);
/*
 * Percentile ms as CSV and JSON text write it: the decimal number, or "inf" for
 * LK_LAT_NEVER. buf needs 24 bytes; returns buf.
 */
const char *lk_lat_ms_text(int64_t ms, char *buf, size_t size);
/*
 * {"events":N,"never":M,"<pct_name>":P,"p50_ms":..,"p95_ms":..,"p99_ms":..,"max_ms":..}:
 * the shape of run.json's latency.first_visible (pct_name "visible_pct") and
 * latency.correct ("correct_pct"); P is lk_lat_reached_pct, a percentile that is
 * LK_LAT_NEVER is the string "inf" where the number would be.
 */
cJSON *lk_lat_summary_json(const struct lk_lat_summary *s, const char *pct_name);
/*
 * Read that shape back (missing fields read as 0, "inf" as LK_LAT_NEVER); 0, or -1 when
 * obj is not an object.
 */
int lk_lat_summary_from_json(const cJSON *obj, struct lk_lat_summary *s);

#endif
