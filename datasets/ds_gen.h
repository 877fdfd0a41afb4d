/*
 * ds_gen - the deterministic dataset generator behind `lklab gen` (docs/formats.md).
 *
 * What it writes, for validated parameters (ds_scenario.h) and a directory DIR:
 *   DIR/log/p-NNNNN.jsonl      one file per partition (always all P of them, maybe empty);
 *                              partition = lk_hash_bytes(tenant) % P; lines in arrival
 *                              order, ties in generation order (originals by id, then
 *                              duplicates, then malformed lines)
 *   DIR/landing/<T>-pNNNNN.jsonl  one file per partition (producer) per drop interval that
 *                              has lines; T = lk_time_format_compact of the interval's end
 *                              (the landing time), so lexical order = time order
 *   DIR/manifest.json          scenario, seed, every effective parameter, counts computed
 *                              from the lines written, time ranges, bytes, file counts.
 *                              No wall-clock time: the whole DIR is a function of the
 *                              parameters.
 * The log and the landing files hold exactly the same lines (the same bytes, split
 * differently). Lines are canonical event lines (lk_event_format's bytes) plus a few
 * malformed lines.
 *
 * The data (see ds_gen.c for the numbers):
 *   - unique events: ids "<id_prefix>-%09d" from 1, event times non-decreasing in id and
 *     shaped by the rate (steady, diurnal by UTC hour, bursts of ~10x minutes); keys
 *     "<key_prefix>%05d" with Zipf popularity, each key owned by one tenant "t%02d"
 *     (tenants Zipf-skewed); types and values from the scenario's type table.
 *   - delays: on-time events get the base delay (< 1m); a late_frac share is late beyond
 *     1m: a truncated-Pareto delay in 1m-10m or 10m-1h, or an OFFLINE burst: a (key,
 *     offline window) pair goes offline and all its events arrive together at a reconnect
 *     time 1h-3h after the window ends.
 *   - duplicates: re-deliveries of an event, identical except a strictly later arrival.
 *   - malformed lines: extra lines, a malformed_frac share of all lines, rotating over
 *     the kinds of enum ds_malformed; each is rejected by lk_event_parse with
 *     ds_malformed_reason(kind).
 *
 * Determinism: same parameters -> same bytes on any machine (own PRNG and math, ds_rand.h;
 * total orders in every sort). Different seeds -> different data.
 *
 * Calling sequence: ds_gen_new -> [ds_gen_set_progress] -> ds_gen_write -> ds_gen_counts
 * -> ds_gen_free. ds_gen_write may be called again (it regenerates from scratch).
 *
 * Atomicity: ds_gen_write writes DIR.partial, then renames it to DIR. An existing DIR is
 * replaced only when it is a dataset (holds manifest.json) or an empty directory;
 * otherwise LK_EINPUT and nothing is touched. On any error DIR.partial is removed and an
 * existing DIR is left as it was.
 *
 * Errors: LK_EINPUT (bad parameters, DIR not replaceable), LK_EIO / LK_ENOENT (files),
 * with err naming the member or path. Memory: the generator owns its tables and records
 * (about 32 bytes per line); ds_gen_free releases all and accepts NULL.
 */
#ifndef DS_GEN_H
#define DS_GEN_H

#include <stdint.h>

#include "ds_scenario.h"
#include "lk_err.h"
#include "lk_event.h"
#include "lk_progress.h"

/* Kinds of malformed line, in rotation order. */
enum ds_malformed {
    DS_BAD_TRUNCATED, /* line cut short: not valid JSON */
    DS_BAD_MISSING,   /* one required member left out */
    DS_BAD_TYPE,      /* value as a string: "value":"12.50" */
    DS_BAD_DECIMALS,  /* value with 3 decimals: 12.345 */
    DS_BAD_EXPONENT,  /* value in exponent form: 1250e-2 */
    DS_BAD_TIMESTAMP, /* no real instant: 2026-02-30T..., hour 24, no 'Z' */
    DS_BAD_UTF8,      /* a raw 0xff byte inside the key string */
    DS_BAD_EMPTY,     /* an empty string in event_id, tenant, key or type */
    DS_BAD_COUNT
};

/* "truncated", "missing-field", ... (stable ids used in the manifest). */
const char *ds_malformed_name(int kind);
/* The reason lk_event_parse gives for a line of this kind. */
enum lk_reason ds_malformed_reason(int kind);

/* What was written; every count is taken from the lines as they were written. */
struct ds_counts {
    uint64_t lines, unique_events, duplicates, malformed;
    uint64_t late_1m, late_10m, late_1h; /* unique events with arrival - event_time > X */
    uint64_t malformed_kind[DS_BAD_COUNT];
    int64_t event_min, event_max;     /* over well-formed lines */
    int64_t arrival_min, arrival_max; /* over well-formed lines */
    uint64_t bytes;                   /* of the log; the landing files hold the same */
    uint64_t log_files, landing_files;
};

struct ds_gen;

/*
 * Check p (ds_params_check) and build the generator's tables. Returns 0 and *out (free
 * with ds_gen_free), or LK_EINPUT naming the bad member.
 */
int ds_gen_new(struct ds_gen **out, const struct ds_params *p, struct lk_err *err);
void ds_gen_free(struct ds_gen *g);

/* Report lines written (done of total) through fn while ds_gen_write runs. */
void ds_gen_set_progress(struct ds_gen *g, lk_progress_fn fn, void *arg);

/* Generate and write the dataset at dir (see Atomicity above). Returns 0 or LK_E*. */
int ds_gen_write(struct ds_gen *g, const char *dir, struct lk_err *err);

/* Counts of the last successful ds_gen_write (zeros before). */
const struct ds_counts *ds_gen_counts(const struct ds_gen *g);

#endif
