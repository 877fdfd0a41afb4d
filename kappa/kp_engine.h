/*
 * kp_engine - the Kappa stack: ONE streaming engine with Spark Structured Streaming
 * semantics (the rules lklab follows, and where it departs from Spark, are in
 * docs/kappa.md) in which batch is just a long trigger: --trigger 30s and --trigger 24h
 * run the same code.
 *
 * The virtual clock comes from arrival_time; a batch's duration comes from the cost
 * model (lk_model), never from the wall clock. Triggers:
 *   interval   the query starts at the first arrival_time rounded down to the
 *              interval; triggers fire at multiples of it; a batch takes every record
 *              with arrival_time <= its trigger time not taken before (capped by
 *              max_events per trigger); an overrunning batch delays the next trigger to
 *              its end (missed boundaries are skipped). No new data -> no batch, except
 *              a NO-DATA batch when there is a watermark, the mode is append or update
 *              and the next watermark exceeds the last batch's eviction watermark.
 *   once       one batch with everything available, no trailing no-data batch.
 *   available-now  everything available in capped batches, the no-data batch Spark would
 *                  run (only if the watermark moved), stop.
 *   continuous event-at-a-time (Flink-style): the watermark advances after every event
 *              and windows fire as soon as it passes their end; checkpoints every
 *              epoch (1 minute of virtual time); no per-trigger overhead in the model.
 *
 * The phases of micro-batch N (also the --crash-after points and the names in the
 * labs; this engine reads its input and plans it in one pass, so "planned" marks the
 * moment the plan is durable, before any effect of the batch is):
 *   1. planned         input read up to the trigger time, state updated in memory,
 *                      offsets/N written (end offsets + watermarks E_N and L_N)
 *   2. processed       windows with end <= E_N emitted (append) and evicted, state/N written
 *   3. sink-committed  output, late, quarantine and progress rows and the batch id
 *                      committed in one SQLite transaction (skipped if already there)
 *   4. committed       commits/N written with the next watermark
 * Watermark: starts at 0; after batch N, next = max(next, max event_time seen - delay).
 * Batch N evicts with E_N (from after N-1) and treats a pair as late when window_end <=
 * L_N = E_(N-1). --final-watermark adds a last batch with E = +infinity (Flink's end of
 * input). Without a watermark nothing is late and nothing is evicted.
 *
 * Sink options: change_feed logs every change of the output table to `changes` (what
 * `lklab latency` needs for complete mode); tenant_views keeps one SQLite view per tenant
 * over the output (run.json records their number as tenant_views).
 *
 * Restarting with the same RUN continues from the checkpoint. Errors: LK_EUSAGE for a
 * combination the engine refuses (append without watermark, --lake with update), data
 * and checkpoint problems as LK_EINPUT/LK_ECORRUPT, LK_EDB/LK_EIO otherwise.
 */
#ifndef KP_ENGINE_H
#define KP_ENGINE_H

#include <stdint.h>

#include "kp_sink.h"
#include "lk_err.h"
#include "lk_file.h"
#include "lk_model.h"
#include "lk_progress.h"
#include "lk_spec.h"

/* The trigger kinds are the run contract's (lk_run.h: enum lk_trigger_kind and its names). */
enum kp_trigger {
    KP_TRIG_INTERVAL = LK_TRIGGER_INTERVAL,
    KP_TRIG_ONCE = LK_TRIGGER_ONCE,
    KP_TRIG_AVAILABLE_NOW = LK_TRIGGER_AVAILABLE_NOW,
    KP_TRIG_CONTINUOUS = LK_TRIGGER_CONTINUOUS
};
enum kp_source { KP_SRC_LOG, KP_SRC_FILES };
enum kp_phase {
    KP_PHASE_NONE,
    KP_PHASE_PLANNED,
    KP_PHASE_PROCESSED,
    KP_PHASE_SINK_COMMITTED,
    KP_PHASE_COMMITTED
};

/* A one-line note for the user (the CLI prints it on stderr), e.g. where a restart resumes. */
typedef void (*kp_note_fn)(void *arg, const char *msg);

struct kp_options {
    const char *data; /* dataset directory (or one JSONL file, log source) */
    const char *run;  /* RUN directory */
    const struct lk_spec *spec;
    const char *spec_path;
    enum kp_source source;
    enum kp_trigger trigger;
    int64_t interval; /* ms, KP_TRIG_INTERVAL */
    int has_watermark;
    int64_t delay; /* watermark delay, ms */
    enum kp_mode mode;
    uint64_t max_events; /* per trigger, 0 = no cap (log source) */
    uint64_t max_files;  /* per trigger, 0 = no cap (files source) */
    struct lk_model model;
    const char *lake; /* NULL or lake directory */
    int exactly_once;
    int64_t crash_batch; /* -1: none */
    enum kp_phase crash_phase;
    void (*crash)(void *arg); /* called at the crash point; ends the process, never returns */
    void *crash_arg;
    int reprocess;
    int final_watermark;
    unsigned workers; /* >= 1 */
    int tenant_views; /* one SQLite view per tenant over the output */
    lk_progress_fn progress;
    void *progress_arg;
    enum lk_durability durability; /* checkpoint, sink and lake files (see lk_file.h) */
    int change_feed;               /* also log every output change to `changes` (kp_sink.h) */
    kp_note_fn note;               /* may be NULL */
    void *note_arg;
    int64_t allowed_lateness; /* ms; continuous + update only: Flink's allowedLateness */
    int wall_clock; /* --clock wall (kafka:// log, interval trigger, one worker): the batch at
                       trigger t takes what the topic holds when the replay's clock reaches t
                       (docs/live.md); 0: the virtual clock of the arrival times */
};
/* Defaults; a member not named here is zero (NULL, off). */
#define KP_OPTIONS_INIT                                                                            \
    {                                                                                              \
        .source = KP_SRC_LOG, .trigger = KP_TRIG_INTERVAL, .interval = 60000, .has_watermark = 1,  \
        .delay = 600000, .mode = KP_APPEND, .exactly_once = 1, .crash_batch = -1,                  \
        .crash_phase = KP_PHASE_NONE, .workers = 1, .durability = LK_DURABLE_FSYNC,                \
    }

/* Totals of a run (also written to RUN/run.json, last). */
struct kp_summary {
    uint64_t lines, processed, duplicates, late, quarantined, filtered;
    uint64_t late_pairs;
    uint64_t batches, nodata_batches, skipped_batches;
    uint64_t replayed_batches; /* at-least-once: extra sink writes of a batch after a crash */
    uint64_t output_rows, max_state_rows, state_rows_at_end, ids_at_end;
    uint64_t files_written, bytes_written;
    uint64_t tenant_views; /* output_tenant_* views at the end (with tenant_views) */
    int64_t first_trigger, last_visible, final_watermark;
    double wall_seconds;
    int version;
};

/* Check options that do not depend on the data (the CLI maps LK_EUSAGE to exit 2). */
int kp_options_check(const struct kp_options *o, struct lk_err *err);

/* Run (or continue) the query; on success RUN/run.json exists and describes it. */
int kp_run(const struct kp_options *o, struct kp_summary *sum, struct lk_err *err);

/* Name of a phase ("planned", ...) and back; -1 when unknown. */
const char *kp_phase_name(enum kp_phase p);
int kp_phase_lookup(const char *name);

#endif
