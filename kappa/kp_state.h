/*
 * kp_state - the Kappa engine's aggregation state: one cell per (group, window), the
 * event_id dedup table, session merging, eviction by watermark, and checkpoint
 * serialization as snapshots and deltas (the way Spark's HDFS state store does it).
 *
 * Per event (kp_state_add), in this order (docs/kappa.md):
 *   1. windows: the event's windows (tumbling/sliding: lk_spec_windows; session: its
 *      own [t, t + gap)).
 *   2. late: an (event, window) pair with window_end <= late_wm is LATE; it is reported
 *      to the caller (late side table) and not aggregated. A late copy is judged late
 *      before it is judged a duplicate. After kp_state_flink (continuous mode), Flink's
 *      rules instead: a session is judged after merging (an event whose own session is
 *      late but touches a live session joins it), and every watermark the state is given
 *      (late_wm, eviction, kp_state_min_end) counts allowed lateness D: a window is late,
 *      and evicted, only once the watermark reaches window_end + D.
 *   3. dedup (when the spec dedups): if the event_id is remembered, the event is a
 *      DUPLICATE and dropped. Otherwise the id is remembered until every live window it
 *      joined has been evicted (expiry = largest such window_end; with Flink's session
 *      rule also while an open session could still hold its event).
 *   4. aggregate into the live windows' cells (sessions: merge every overlapping session
 *      of the group into one; the keys that disappear are recorded as retractions).
 * Eviction (kp_state_evict): cells with window_end <= wm are handed to a callback (append
 * mode emits them) and removed; dedup ids whose expiry <= wm are forgotten. So with a
 * watermark the state stays bounded; without one (or in complete mode) it only grows.
 *
 * Dirty tracking: each cell remembers the last batch that changed it; update mode emits
 * those, and a checkpoint DELTA holds those cells plus the ids added in the batch.
 * Eviction is a rule (window_end <= wm), so deltas record the eviction watermark instead
 * of the evicted keys; session merges are recorded as explicit retractions.
 *
 * Memory: all state is owned here; strings are interned per state (group values,
 * distinct values) and kept for the state's life (bounded by the key space). No
 * allocation per event except when a table grows (amortized) or a new cell/id appears.
 * Errors: only checkpoint loading fails (LK_ECORRUPT naming the file's origin).
 */
#ifndef KP_STATE_H
#define KP_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_agg.h"
#include "lk_csv.h"
#include "lk_event.h"
#include "lk_spec.h"

struct kp_state;

/* Most windows one event can fall into (lk_spec caps size/slide at 1000). */
#define KP_MAX_WINDOWS 1000

/* What happened to one event (reused by the caller; no allocation). */
struct kp_outcome {
    int duplicate; /* dropped as a duplicate */
    size_t live;   /* windows it was aggregated into */
    size_t late;   /* late (event, window) pairs, listed below */
    int64_t late_start[KP_MAX_WINDOWS];
    int64_t late_end[KP_MAX_WINDOWS];
};

struct kp_state *kp_state_new(const struct lk_spec *spec);
void kp_state_free(struct kp_state *s);

/* The hashes of an event's lookups, computed ahead (kp_state_prefetch). */
struct kp_hint {
    uint64_t id;                             /* event_id, when the spec dedups */
    uint64_t distinct[LK_SPEC_MAX_DISTINCT]; /* each count_distinct value, in spec order */
};

/*
 * Apply one (valid, accepted) event; see the steps above. batch marks dirty cells. hint
 * is ev's from kp_state_prefetch, or NULL (then computed here).
 */
void kp_state_add(struct kp_state *s, const struct lk_event *ev, const struct kp_hint *hint,
                  int64_t late_wm, uint64_t batch, struct kp_outcome *out);

/*
 * A hint that ev will be added soon: computes its lookup hashes into *hint (for
 * kp_state_add) and starts loading the memory those lookups need (the dedup table is big
 * and cold). Changes nothing in s; the worker calls it one event ahead.
 */
void kp_state_prefetch(const struct kp_state *s, const struct lk_event *ev, struct kp_hint *hint);

/*
 * Continuous mode: follow Flink's WindowOperator (docs/kappa.md "lklab vs Flink"): judge a
 * session late on the merged session, and keep windows allowed_lateness ms past their end
 * (0: none). Configuration, not state: snapshots and deltas do not hold it (the engine
 * binds a checkpoint to it in its metadata).
 */
void kp_state_flink(struct kp_state *s, int64_t allowed_lateness);

/* Number of cells and of remembered event_ids. */
size_t kp_state_cells(const struct kp_state *s);
size_t kp_state_ids(const struct kp_state *s);
/* Smallest window_end of any cell (LK_TIME_POS_INF when empty): eviction is due once the watermark
 * reaches it. */
int64_t kp_state_min_end(const struct kp_state *s);

/* A cell as a result row (group strings borrowed from the state; valid until it changes). */
typedef int (*kp_row_fn)(void *arg, const struct lk_csv_row *row);

/* Evict every cell with window_end <= wm (calling fn for each first, if fn) and expired ids. */
int kp_state_evict(struct kp_state *s, int64_t wm, kp_row_fn fn, void *arg);
/* Call fn for every cell changed in batch (update mode), or for all cells (batch = UINT64_MAX). */
int kp_state_rows(struct kp_state *s, uint64_t batch, kp_row_fn fn, void *arg);
/* Call fn for each key retracted (merged away) in batch: row holds group + window_start only. */
int kp_state_retractions(struct kp_state *s, uint64_t batch, kp_row_fn fn, void *arg);
/*
 * The changes made by the last kp_state_add only: retracted keys (to retract) and the
 * cells it aggregated into (to row). Continuous update mode writes these per event.
 */
int kp_state_last_changes(struct kp_state *s, kp_row_fn retract, kp_row_fn row, void *arg);

/*
 * Checkpoint: write the state as a snapshot (all cells and ids) or as the delta of one
 * batch, as text (inspectable) handed to fn in consecutive pieces of about 1 MB (the
 * pieces are borrowed for the call only). kp_state_apply reads the whole text of one
 * state onto it (snapshot: replacing it; delta: upserting, retracting, then evicting
 * with the recorded watermark); it returns LK_ECORRUPT on a malformed buffer.
 */
typedef void (*kp_write_fn)(void *arg, const char *data, size_t len);
void kp_state_write(struct kp_state *s, uint64_t batch, int snapshot, int64_t evict_wm,
                    kp_write_fn fn, void *arg);
int kp_state_apply(struct kp_state *s, const char *buf, size_t len, struct lk_err *err);

#endif
