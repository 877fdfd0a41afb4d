/*
 * kp_sink - the Kappa engine's SQLite sink in RUN/serving.db: the result table, the late
 * side table, the quarantine table and the progress table, written in ONE transaction
 * per batch together with the batch id (docs/kappa.md), so a re-run batch writes nothing:
 * exactly-once. With at-least-once the batch-id check is off, so a batch replayed after
 * a crash between the sink commit and the checkpoint commit writes its rows twice.
 *
 * Tables (times in ms UTC, money in hundredths; `lklab results` formats them):
 *   output_v<K>(<group cols>, window_start, window_end, <aggregates>, batch_id,
 *               visible_time)          K = the query version (--reprocess makes K+1)
 *   output                             a VIEW on the current output_v<K>
 *   late(version, batch_id, event_id, tenant, key, type, value, event_time,
 *        arrival_time, window_start, window_end, watermark)
 *   quarantine(...)                    see lk_store.h
 *   progress(version, batch_id, ...)   one row per batch, as in metrics.jsonl (a batch
 *                                      at-least-once writes again keeps its row: sink_writes)
 *   sink_batches(version, batch_id)    the idempotence ledger: every batch committed
 *   meta(key, value)                   spec_v<K>, current_version, and run_id_v<K>: the
 *                                      checkpoint run this version's rows belong to
 * Output modes: append inserts finalized rows (no key: a replay shows as duplicates);
 * update upserts by (groups, window_start) and deletes retracted session keys (an upsert
 * that changes nothing is a no-op, so batch_id and visible_time are those of the row's
 * last CHANGE); complete deletes everything and inserts the whole result.
 *
 * Options (call after kp_sink_open, before the first batch):
 *   change feed   kp_sink_change_feed: every change of the output table is also appended,
 *                 in the same transaction, to
 *                   changes(version, batch_id, visible_time, op, <group cols>,
 *                           window_start, window_end, <aggregates>)
 *                 op 'upsert' (a row inserted or changed; its new values) or 'retract' (a
 *                 row deleted; its last values). Complete mode records only rows that differ
 *                 from the previous batch's table (a diff at commit), not the rewrite.
 *   tenant views  kp_sink_tenant_views: before each commit, a view
 *                   output_tenant_<escaped tenant> AS SELECT * FROM output WHERE tenant = '..'
 *                 is created for every tenant first written in the batch (the pipeline
 *                 must group by tenant). The name escapes every byte outside [a-z0-9_] as
 *                 %XX (upper case too: SQLite names ignore case), the literal doubles quotes.
 *
 * Calling sequence per batch: kp_sink_begin -> (row | retract | clear | late |
 * quarantine)* -> kp_sink_progress -> kp_sink_commit. Errors: LK_EDB with err.
 */
#ifndef KP_SINK_H
#define KP_SINK_H

#include <stdint.h>

#include "lk_csv.h"
#include "lk_err.h"
#include "lk_file.h"
#include "lk_run.h"
#include "lk_source.h"
#include "lk_spec.h"

/* The output modes are the run contract's (lk_run.h: enum lk_mode and its names). */
enum kp_mode {
    KP_APPEND = LK_MODE_APPEND,
    KP_UPDATE = LK_MODE_UPDATE,
    KP_COMPLETE = LK_MODE_COMPLETE
};

struct kp_sink;

/*
 * A batch's event-time statistics, Spark's EventTimeStats: min, max and the mean of the
 * event times of every valid event the batch read (filtered, late and duplicate ones
 * included: the rows the watermark is computed from, as Spark's EventTimeWatermarkExec
 * sees every row before the stateful operators). count 0: none (then min/max mean nothing).
 */
struct kp_et_stats {
    int64_t min, max;
    __int128 sum; /* exact: no overflow for any count of times in the event range */
    uint64_t count;
};

static inline void kp_et_add(struct kp_et_stats *s, int64_t t)
{
    if (s->count == 0 || t < s->min)
        s->min = t;
    if (s->count == 0 || t > s->max)
        s->max = t;
    s->sum += t;
    s->count++;
}

static inline void kp_et_merge(struct kp_et_stats *to, const struct kp_et_stats *from)
{
    if (from->count == 0)
        return;
    if (to->count == 0 || from->min < to->min)
        to->min = from->min;
    if (to->count == 0 || from->max > to->max)
        to->max = from->max;
    to->sum += from->sum;
    to->count += from->count;
}

/* The mean truncated toward zero (Spark prints its double mean with .toLong). count > 0. */
static inline int64_t kp_et_avg(const struct kp_et_stats *s)
{
    return (int64_t)(s->sum / (__int128)s->count);
}

/* One batch's progress (a metrics.jsonl line and a progress row). */
struct kp_progress {
    uint64_t batch_id;
    int64_t trigger_time, visible_time;
    uint64_t input_rows;  /* lines read = processed + duplicates + late_events + quarantined */
    uint64_t processed;   /* events aggregated into at least one window (or filtered out) */
    uint64_t filtered;    /* of processed: rejected by the spec's filter */
    uint64_t late_events; /* events whose every window was late */
    uint64_t late_rows;   /* (event, window) pairs written to the late table */
    uint64_t duplicates, quarantined, output_rows;
    uint64_t state_rows;     /* cells held after reading the input, before eviction: the peak */
    uint64_t state_total;    /* cells held at the end of the batch (Spark's numRowsTotal) */
    uint64_t state_updated;  /* cells the batch's events changed (Spark's numRowsUpdated) */
    struct kp_et_stats et;   /* event times read (Spark's eventTime min/max/avg) */
    const char *input_lines; /* log source: "byte:crc," per partition (kp_input_lines) */
    int64_t watermark;       /* eviction watermark used by the batch */
    uint64_t files_written, bytes_written;
    int64_t duration_ms; /* measured wall time */
    int64_t modelled_ms; /* virtual duration from the cost model */
};

/*
 * Open (creating) the sink. LK_DURABLE_PROCESS sets synchronous=OFF: commits survive a
 * crash of the process, not a power cut or OS crash. LK_DURABLE_FSYNC sets
 * synchronous=FULL: every commit is on disk before the checkpoint's commits/N says so.
 */
int kp_sink_open(struct kp_sink **out, const char *db_path, const struct lk_spec *spec,
                 enum kp_mode mode, int version, int exactly_once, enum lk_durability durability,
                 struct lk_err *err);
void kp_sink_close(struct kp_sink *s);
/* Turn on the change feed / the tenant views (see above); LK_EUSAGE, LK_EDB. */
int kp_sink_change_feed(struct kp_sink *s, struct lk_err *err);
int kp_sink_tenant_views(struct kp_sink *s, struct lk_err *err);
/* Number of output_tenant_* views in the database. */
int kp_sink_count_views(struct kp_sink *s, long long *n, struct lk_err *err);
#define KP_TENANT_VIEW_PREFIX "output_tenant_"
/* The view name of a tenant (heap, caller frees): prefix + escaped bytes. Cannot fail. */
char *kp_sink_view_name(const char *tenant, size_t len);

/* The database connection's PRAGMA synchronous ("OFF", "FULL", ...), for run.json. */
const char *kp_sink_synchronous(struct kp_sink *s);

/* Start batch: *skip = 1 when exactly-once and the batch is already in the ledger. */
int kp_sink_begin(struct kp_sink *s, uint64_t batch, int *skip, struct lk_err *err);
int kp_sink_row(struct kp_sink *s, const struct lk_csv_row *row, uint64_t batch, int64_t visible,
                struct lk_err *err);
/* The same for rows[0..n), in that order (several rows per statement). */
int kp_sink_rows(struct kp_sink *s, const struct lk_csv_row *const *rows, size_t n, uint64_t batch,
                 int64_t visible, struct lk_err *err);
/* Delete a retracted key; visible is when the deletion shows (for the change feed). */
int kp_sink_retract(struct kp_sink *s, const struct lk_csv_row *row, int64_t visible,
                    struct lk_err *err);
int kp_sink_clear(struct kp_sink *s, struct lk_err *err);
int kp_sink_late(struct kp_sink *s, uint64_t batch, const struct lk_event *ev, int64_t wstart,
                 int64_t wend, int64_t watermark, struct lk_err *err);
int kp_sink_quarantine(struct kp_sink *s, const char *source, const struct lk_record *rec,
                       struct lk_err *err);
int kp_sink_progress(struct kp_sink *s, const struct kp_progress *p, struct lk_err *err);
/* Record the batch id and commit; until this returns nothing of the batch is visible. */
int kp_sink_commit(struct kp_sink *s, uint64_t batch, struct lk_err *err);
/* Roll back an open batch (after an error). */
void kp_sink_rollback(struct kp_sink *s);
/* Point the `output` view at this sink's version, in one transaction. */
int kp_sink_publish(struct kp_sink *s, struct lk_err *err);
/*
 * Sums of this version's progress rows (batch_id = number of batches; one row per batch
 * even when at-least-once wrote a batch again: *replays counts those extra writes).
 */
int kp_sink_totals(struct kp_sink *s, struct kp_progress *sum, uint64_t *nodata_batches,
                   uint64_t *replays, struct lk_err *err);
/*
 * metrics.jsonl: one JSON line per progress row (docs/formats.md), Spark's
 * StreamingQueryProgress members first, then lklab's. kp_sink_metrics rewrites path from
 * the progress table (atomically); kp_sink_metrics_open does that and then appends the
 * line of every batch kp_sink_commit commits. The table is the truth: a crash between a
 * commit and its line is repaired by the rewrite of the next start, so after any crash
 * and restart the file holds each committed batch exactly once. LK_EIO, LK_EDB.
 */
int kp_sink_metrics(struct kp_sink *s, const char *path, struct lk_err *err);
int kp_sink_metrics_open(struct kp_sink *s, const char *path, struct lk_err *err);
/*
 * The ledger of this version: *count batch ids committed, *max the highest (-1: none),
 * *files the files the committed batches wrote to the lake (their progress rows).
 */
int kp_sink_ledger(struct kp_sink *s, int64_t *count, int64_t *max, int64_t *files,
                   struct lk_err *err);
/*
 * Bind this version's rows to the checkpoint's run id: record it in a database without
 * one, else LK_EINPUT (naming db_path and both runs) when it differs.
 */
int kp_sink_bind_run(struct kp_sink *s, const char *db_path, const char *run_id,
                     struct lk_err *err);
/*
 * Call fn(arg, batch, text) with the input_lines of every progress row of this version
 * that has them, in batch order; stops at fn's first error.
 */
int kp_sink_each_input(struct kp_sink *s, int (*fn)(void *arg, uint64_t batch, const char *text),
                       void *arg, struct lk_err *err);
/* Rows in the output table (for the summary). */
int kp_sink_count(struct kp_sink *s, long long *rows, struct lk_err *err);

#endif
