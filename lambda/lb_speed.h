/*
 * lb_speed - the SPEED LAYER: incremental C code over the events as they arrive
 * (docs/lambda.md). It is the second implementation of the spec's logic on purpose (the
 * batch layer's is SQL, lb_sql): students compare the two.
 *
 * Semantics, unlike the batch layer's:
 *   - at-least-once: NO dedup, a re-delivered event is counted again;
 *   - no watermark: an event counts in its window however late it arrives;
 *   - count_distinct by HyperLogLog (lk_hll; 1.6 % standard error), never exact.
 *
 * ARRIVAL BUCKETS. Micro-batch k covers the events that ARRIVED in the bucket
 * (bucket_end - trigger, bucket_end], bucket_end a multiple of --speed-trigger (empty
 * buckets run no micro-batch). Its state is built in memory (hash map keyed by group
 * tuple + window, one HLL per cell and distinct aggregate; sessions: the bucket's
 * session fragments) and written as that bucket's rows of speed_delta, once, never
 * changed. Because every speed row belongs to exactly one arrival bucket, a batch view
 * with cutoff C (a multiple of the trigger) replaces EXACTLY the buckets with
 * bucket_end <= C: the serving layer reads only speed rows with bucket_end > C (lb_sql)
 * -- the "expiry" -- so an event is never counted by both layers nor by neither.
 *
 * Virtual time: micro-batch k is triggered at its bucket_end, starts when the previous
 * one has finished (start = max(bucket_end, previous visible)), and its rows become
 * visible at start + lk_model_microbatch_ms(cold, input rows, rows written).
 *
 * Durability: the rows, and the progress row, of micro-batch k are committed in one
 * transaction that is skipped when k is already in the progress table (idempotent
 * sink). The layer's OWN checkpoint (lk_file_write_checked; RUN/speed.checkpoint) holds
 * the log positions after micro-batch k, k, and the virtual clock; it is written every
 * checkpoint_every micro-batches and at the end. After a crash the layer resumes from
 * it and re-runs the micro-batches after it: those already committed are recomputed
 * (same input, same result) but not written again.
 * CRASH POINT speed:K: after micro-batch K's transaction commits, before the checkpoint.
 *
 * Errors: LK_EDB / LK_EIO / LK_ECORRUPT (checkpoint) with err filled.
 */
#ifndef LB_SPEED_H
#define LB_SPEED_H

#include <sqlite3.h>
#include <stdint.h>

#include "lb_job.h"
#include "lk_err.h"
#include "lk_model.h"
#include "lk_spec.h"

struct lb_speed_opts {
    const struct lk_spec *spec; /* borrowed, must outlive the layer */
    const struct lk_model *model;
    int64_t trigger;              /* bucket width, ms > 0 */
    const char *checkpoint;       /* checkpoint file path (copied) */
    int64_t checkpoint_every;     /* micro-batches between checkpoints, >= 1 */
    const struct lb_crash *crash; /* may be NULL */
    double (*now)(void);          /* wall clock for measured durations */
};

struct lb_speed;

/* Open the layer over dataset data; resumes from the checkpoint when there is one. */
int lb_speed_open(struct lb_speed **out, sqlite3 *db, const char *data,
                  const struct lb_speed_opts *o, struct lk_err *err);
void lb_speed_free(struct lb_speed *s);

/*
 * End of the arrival bucket of the next unconsumed event: returns 1 and sets *bucket_end,
 * 0 when the input is exhausted, < 0 on error.
 */
int lb_speed_next(struct lb_speed *s, int64_t *bucket_end, struct lk_err *err);

/*
 * Run the micro-batch of the bucket ending at bucket_end (from lb_speed_next). Fills *p;
 * *json is its metrics line (heap, cJSON_free) or NULL when the micro-batch had already
 * been committed before a restart (then nothing was written).
 */
int lb_speed_microbatch(struct lb_speed *s, int64_t bucket_end, struct lb_progress *p, char **json,
                        struct lk_err *err);

/* Write the checkpoint now (the driver calls it at the end of the input). */
int lb_speed_checkpoint(struct lb_speed *s, struct lk_err *err);

/* Counters since the run started: micro-batches, valid events read, malformed skipped. */
int64_t lb_speed_microbatches(const struct lb_speed *s);
uint64_t lb_speed_events(const struct lb_speed *s);
uint64_t lb_speed_malformed(const struct lb_speed *s);
/* Input bytes consumed / total (progress). */
uint64_t lb_speed_done_bytes(const struct lb_speed *s);
uint64_t lb_speed_total_bytes(const struct lb_speed *s);

#endif
