/*
 * kp_internal - the engine's private state, shared by kp_engine.c (setup, recovery,
 * trigger loop, run files) and kp_batch.c (the phases of one batch). Not a public API.
 */
#ifndef KP_INTERNAL_H
#define KP_INTERNAL_H

#include "kp_checkpoint.h"
#include "kp_engine.h"
#include "kp_lake.h"
#include "kp_sink.h"
#include "kp_state.h"
#include "lk_source.h"

struct kp_engine {
    const struct kp_options *o;
    struct lk_log *log;         /* log source */
    struct lk_landing *landing; /* files source */
    struct kp_state *state;
    struct kp_sink *sink;
    struct kp_ckpt *ckpt;
    struct kp_lake *lake;
    struct kp_outcome out;
    int version;

    /* watermark and virtual clock (DESIGN 9) */
    int64_t last_evict;    /* E of the last batch run: L of the next one */
    int64_t next_wm;       /* E of the next batch */
    int64_t max_et;        /* max event_time seen (late and duplicates included) */
    int64_t prev_end;      /* visible time of the last batch (cost model: cold/warm) */
    int64_t next_trigger;  /* when the next trigger fires */
    uint64_t next_batch;
    size_t files_next;     /* files source: next landing file */

    /* the batch in flight */
    uint64_t batch;
    int64_t trigger, evict_wm, late_wm;
    int skip;              /* the sink already holds this batch (exactly-once replay) */
    struct kp_progress prog;
    const struct lk_csv_row **rows; /* output rows of the batch (sorted before writing) */
    struct lk_csv_row *row_store;
    size_t nrows, rows_cap;

    uint64_t bytes_total, bytes_done; /* progress reporting */
    struct lk_err *err;
};

/* Effective watermarks for state operations: none without a watermark or in complete mode. */
int kp_uses_watermark(const struct kp_engine *e);

/* Is there input available at time t (log or files)? *next gets the earliest future arrival. */
int kp_available(struct kp_engine *e, int64_t t, int64_t *next, int *exhausted);

/*
 * Run batch e->batch at trigger time t with watermarks E/L; replay (may be NULL) gives the
 * planned offsets of a batch being re-run after a crash. Does all four phases.
 */
int kp_batch_run(struct kp_engine *e, int64_t t, int64_t evict_wm, int64_t late_wm,
                 const struct kp_offsets *replay);

/* Continuous: run one epoch ending at t (records with arrival <= t, event at a time). */
int kp_epoch_run(struct kp_engine *e, int64_t t, const struct kp_offsets *replay);

#endif
