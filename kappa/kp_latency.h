/*
 * kp_latency - per-event latency of a finished Kappa run (docs/kappa.md "Latency"),
 * and the history of one result row's value. An analysis step AFTER a run: it reads
 * RUN/run.json (dataset, output mode, trigger, source, version), the checkpoint's
 * offsets/N (which batch took which line), RUN/serving.db (progress, output_v<K>, late,
 * changes) and evaluates the truth in memory (lk_truth_eval). Never on the engine's path.
 *
 * Samples: the distinct events of the dataset = the first valid copy of each event_id in
 * reading order (partition by partition, as lk_truth reads); later copies, malformed
 * lines and events the spec's filter rejects are not samples. For one event e and each
 * window w of e (tumbling/sliding: lk_spec_windows; session: the output row containing
 * its event_time), with b = the batch that took e (offsets/N per partition or landing file):
 *   late(e, w)   the pair is in the `late` table (same event_id, arrival_time, window_start)
 *   fv(e, w)     append: visible_time of w's output row (absent: window still open, never);
 *                update/complete: visible_time of batch b (continuous trigger: arrival +
 *                the model's cost of one event, when the engine upserts the row)
 *   since(w)     the instant from which w's row holds its final value: append its
 *                visible_time; update its visible_time (an unchanged upsert is a no-op, so
 *                it is the last change); complete the last 'upsert' of the key in
 *                `changes` (the run needs --change-feed; LK_EINPUT otherwise)
 *   ok(w)        the row's final value (window_end and every aggregate) equals the truth's
 *                row with the same key, and the key appears once
 *   cor(e, w)    max(since(w), fv(e, w)) when ok(w) and not late, else never
 * Allowed lateness (continuous update mode) needs nothing more: an event within it is
 * not in `late`, it upserts its window's row again (a re-emission), so fv(e, w) is its own
 * upsert and since(w) the row's last change, the re-emissions included.
 * first-visible(e) = min over the non-late windows of fv(e, w) (never when none);
 * correct(e) = max over all windows of cor(e, w) (never if any is never). Both minus
 * arrival_time. Correct is never earlier than first-visible: an answer that does not yet
 * include e is not counted as correct for e even if its value happens to be final.
 *
 * kp_latency: the caller lk_lat_init's both; samples are added to them. truth_csv: the
 * truth of the run's dataset as `lklab truth` wrote it (a sweep's truth.csv), or NULL to
 * compute it (lk_truth_final). events: the dataset's first copies parsed ahead (lk_firsts;
 * a sweep parses them once, before its runs fork), used when lk_firsts_current for the
 * run's dataset, else the dataset is read again; may be NULL. O(events) with
 * hash lookups (sessions: a binary search per event). Errors: LK_ENOENT (no run or no
 * Kappa run), LK_EINPUT (run.json/spec unusable, complete mode without a change feed),
 * LK_ECORRUPT (checkpoint), LK_EDB, LK_EIO.
 *
 * kp_row_history: the value of aggregate `col` of the row whose canonical CSV key is
 * `key` (the group values then window_start in ISO form, joined by ',' and quoted as
 * `lklab results` prints them, e.g. "t01,view,2026-01-01T00:00:00.000Z") at every instant
 * it changed, ascending: from `changes` when the run has a change feed (a retraction is a
 * point with v = NAN), else from the output table (append: the one emission; update
 * without a change feed: only the final point). Values are in the units `lklab results`
 * prints (money in currency units, not hundredths). (*pts)[0..*n) is the caller's (free);
 * LK_EINPUT for a bad key or column, LK_ENOENT when the row does not exist.
 */
#ifndef KP_LATENCY_H
#define KP_LATENCY_H

#include <stddef.h>

#include "lk_err.h"
#include "lk_firsts.h"
#include "lk_latency.h"

int kp_latency(const char *run, const char *truth_csv, const struct lk_firsts *events,
               struct lk_lat *first_visible, struct lk_lat *correct, struct lk_err *err);
int kp_row_history(const char *run, const char *key, const char *col, struct lk_point **pts,
                   size_t *n, struct lk_err *err);

#endif
