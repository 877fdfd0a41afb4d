/*
 * kp_internal - the engine's private state, shared by kp_engine.c (setup, recovery,
 * trigger loop, run files) and kp_batch.c (the phases of one batch). Not a public API.
 */
#ifndef KP_INTERNAL_H
#define KP_INTERNAL_H

#include <pthread.h>

#include "kp_checkpoint.h"
#include "kp_engine.h"
#include "lk_buf.h"
#include "lk_lake.h"
#include "lk_lock.h"
#include "kp_rows.h"
#include "kp_sink.h"
#include "kp_state.h"
#include "lk_source.h"

#define KP_MAX_WORKERS 64

/* A late (event, window) pair or a quarantined line, buffered until the sink writes it. */
struct kp_side {
    int late;        /* 1: late pair, 0: quarantined line */
    size_t part;     /* partition (log) or file index (files) */
    uint64_t offset; /* line within it */
    int64_t wstart, wend;
    int64_t wm;         /* late: the watermark that rejected it */
    struct lk_event ev; /* late: strings at str_off in the worker's arena */
    size_t str_off[LK_F_TYPE + 1];
    struct lk_reject rej; /* quarantine: why, and the raw line in the arena */
    size_t raw_off, raw_len;
};

/* A worker's side rows of one batch, and the arena holding their strings. */
struct kp_sidebuf {
    struct kp_side *v;
    size_t n, cap;
    char *arena;
    size_t len, arena_cap;
};

/*
 * One worker: the log partitions assigned to it (largest first to the least loaded worker,
 * so skewed partitions still balance), its own state (group state is
 * partition-local because partition = hash(tenant)), and this batch's counts and side rows.
 * Workers run in threads between the batch's barriers; only the driver touches the sink.
 */
struct kp_worker {
    struct kp_engine *e;
    unsigned id;
    struct kp_state *state;
    struct kp_outcome out;
    struct kp_progress prog; /* this batch's counts */
    int64_t max_et;
    uint64_t batch;           /* the batch being read, and its late-filter watermark L: the */
    int64_t late_wm;          /*   driver may still be writing the previous batch */
    struct kp_sidebuf sb[2];  /* side rows of batch b in sb[b & 1], so that batch N+1 can be
                                 read while the driver writes batch N's */
    struct lk_record held;    /* scan: the record read but not yet applied */
    struct kp_hint held_hint; /*   its lookup hashes */
    struct kp_hint next_hint; /*   those of the record being read */
    int has_held;
    char *held_buf; /*   its strings */
    size_t held_cap;
    char ok_tenant[32]; /* check_partition: the last tenant found in place */
    size_t ok_tenant_len, ok_part;
    int64_t t;                       /* scan: trigger time */
    const struct kp_offsets *replay; /* scan: planned offsets of a re-run batch */
    struct kp_rows rows, retr;       /* emit: output rows and retracted keys of the batch */
    int text;                        /* emit: also write the state as text below: */
    int snapshot;                    /*   a snapshot (1) or the batch's delta (0) */
    char *text_buf;                  /*   its section of state/N */
    size_t text_len, text_cap;
    uint32_t text_crc; /*   its lk_crc32 */
    pthread_t thread;  /* its thread while it runs a phase, */
    int running;       /*   if that thread could be started */
    int rc;
    struct lk_err err;
};

struct kp_engine {
    const struct kp_options *o;
    struct lk_log *log;         /* log source */
    struct lk_landing *landing; /* files source */
    struct kp_worker workers[KP_MAX_WORKERS];
    struct kp_state *states[KP_MAX_WORKERS]; /* workers[i].state, for the checkpoint */
    unsigned nworkers;
    unsigned owner[KP_MAX_PARTS]; /* worker of each log partition (balanced by size) */
    uint64_t cap[KP_MAX_PARTS];   /* offsets each partition may give the batch being read */
    struct lk_log *ahead;         /* a second reader that counts backlogs for cap[] */
    struct kp_sink *sink;
    struct kp_ckpt *ckpt;
    struct lk_lake *lake;
    struct lk_lock lock; /* RUN/lock, held from before anything in RUN is touched */
    int version;

    /* watermark and virtual clock (docs/kappa.md) */
    int64_t last_evict;   /* E of the last batch run: L of the next one */
    int64_t next_wm;      /* E of the next batch */
    int64_t max_et;       /* max event_time seen (late and duplicates included) */
    int64_t prev_end;     /* visible time of the last batch (cost model: cold/warm) */
    int64_t next_trigger; /* when the next trigger fires */
    uint64_t next_batch;
    size_t files_next; /* files source: next landing file */

    /* the batch in flight */
    uint64_t batch;
    int64_t trigger, evict_wm, late_wm;
    int skip;           /* the sink already holds this batch (exactly-once replay) */
    int pipeline;       /* read batch N+1 while the driver writes batch N (see kp_batch.c) */
    int emitting;       /* the workers run phase 2 of this batch now (emit_start) */
    int prefetched;     /* the workers are reading the next batch now, */
    int64_t prefetch_t; /*   whose trigger time is this */
    struct kp_progress prog;
    struct kp_rows crows;            /* continuous: the rows one event fired */
    const struct lk_csv_row **order; /* output rows in canonical order, for writing */
    size_t order_cap;

    struct lk_buf input_lines;        /* the batch's kp_input_lines text */
    uint64_t bytes_total, bytes_done; /* progress reporting */
    struct lk_err *err;
};

/* ---- kp_worker.c: reading input into the workers' state ---- */
/* Create the worker states and assign partitions to workers (needs the source open). */
void kp_workers_init(struct kp_engine *e);
/* The assignment as text for the checkpoint metadata, e.g. "[0,1,0,1]". */
void kp_workers_assignment(const struct kp_engine *e, char *buf, size_t size);
void kp_workers_release(struct kp_engine *e);
/*
 * Get every worker ready to read batch `batch`: trigger time t, late-filter watermark L,
 * replay (may be NULL); counts, side rows of the batch and max_et start afresh.
 */
void kp_workers_scan_setup(struct kp_engine *e, uint64_t batch, int64_t t, int64_t late_wm,
                           const struct kp_offsets *replay);
/*
 * Read the batch's input (all workers in parallel), merge counts into e->prog, max_et.
 * After kp_workers_prefetch for this batch (same t, no replay) it only waits for the
 * workers and merges.
 */
int kp_workers_scan(struct kp_engine *e, int64_t t, const struct kp_offsets *replay);
/*
 * Start the workers reading batch e->batch + 1 (trigger time t, late-filter watermark
 * late_wm) on their threads and return; the driver goes on writing batch e->batch. Only
 * with several workers on a log source. 0, or LK_EINTERNAL when no thread could start.
 */
int kp_workers_prefetch(struct kp_engine *e, int64_t t, int64_t late_wm);
/* Wait for any phase running on the workers' threads, dropping its results (error paths). */
void kp_workers_wait(struct kp_engine *e);
/* Apply one record on worker w (continuous mode uses it directly). */
int kp_worker_take(struct kp_worker *w, const struct lk_record *rec);
/*
 * Phase 2 on every worker (on threads when there are several): collect the batch's rows
 * (w->rows) and retracted keys (w->retr) per output mode and evict with e->evict_wm.
 * Returns the first worker's error.
 */
int kp_workers_emit(struct kp_engine *e);
/*
 * The same in two halves (several workers), each worker also writing its section of
 * state/N (snapshot or delta, kept in w->snapshot) into its buffer: start it on the
 * workers' threads and return, so that the driver can write offsets/N meanwhile; then
 * wait for it.
 */
void kp_workers_emit_start(struct kp_engine *e, int snapshot);
int kp_workers_emit_finish(struct kp_engine *e);
/* Write the buffered late and quarantine rows, in (partition, line, window) order, to the sink. */
int kp_workers_flush_side(struct kp_engine *e);
/* Total cells / ids over the workers' states. */
size_t kp_workers_cells(const struct kp_engine *e);
size_t kp_workers_ids(const struct kp_engine *e);

/* Effective watermarks for state operations: none without a watermark or in complete mode. */
int kp_uses_watermark(const struct kp_engine *e);

/*
 * The trigger time of the batch after the one in flight (e->batch, trigger e->trigger,
 * visible at e->prog.visible_time, eviction watermark e->evict_wm), once e->next_wm is
 * advanced: 1 and *t, or 0 when the periodic trigger would stop there (or on an error,
 * which the trigger loop meets again).
 */
int kp_next_batch_time(struct kp_engine *e, int64_t *t);

/*
 * The last line of each log partition that batch `plan` reads up to: "byte:crc32," per
 * partition (the CRC-32 of the line that ends at the planned byte offset, at most its last
 * 4 KB; "0:0" before any line) into e->input_lines, pointed at by e->prog.input_lines.
 * A restart checks every committed batch's lines (docs/kappa.md). LK_EIO.
 */
int kp_input_lines(struct kp_engine *e, const struct kp_offsets *plan);

/*
 * --clock wall in effect: asked for, and the replay's clock known and paced (a --speed max
 * replay has none). Its start (Unix and virtual ms) and speed into the arguments. 1 or 0.
 */
int kp_wall_clock(struct kp_engine *e, int64_t *wall0, int64_t *virt0, double *speed);

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
