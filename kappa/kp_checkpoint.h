/*
 * kp_checkpoint - the Kappa query's checkpoint directory, laid out like Spark's:
 *
 *   RUN/checkpoint[-vK]/metadata     run id, pipeline content, dataset, fixed options
 *                      offsets/N     planned input of batch N + its two watermarks
 *                      state/N       the state after batch N (snapshot or delta)
 *                      commits/N     batch N done: next watermark, max event time
 *
 * Every file names its run id and batch (offsets and commits: "run_id" and "batch_id";
 * state/N: a first line "lkckpt run=<id> batch=<N>", and each worker section's header
 * repeats batch=<N>); a file whose run or batch differs from its checkpoint and name (a
 * file copied from another run, or state/699 renamed state/700) is LK_ECORRUPT.
 * Every file is written atomically (temp, fsync, rename, dir fsync; the fsyncs are
 * skipped with LK_DURABLE_PROCESS) with a CRC-32 trailer (lk_checked); a file that fails
 * its check is LK_ECORRUPT with the path in the message and the engine refuses to
 * continue. offsets/N is durable before any effect of batch N (state/N, the sink);
 * commits/N after the sink commit. Recovery:
 * latest commit == latest offsets -> continue with N+1; commit == offsets - 1 -> re-run
 * batch N with exactly its planned offsets and watermarks.
 *
 * State: a delta per batch (changed cells, new ids, retractions, eviction watermark), and a
 * full snapshot whenever the deltas written since the last snapshot add up to four times
 * its size (and at a process's first batch), so that writing stays proportional to the
 * changes and recovery reads at most about five times the state. Restoring batch N reads
 * the latest snapshot <= N and applies the deltas after it.
 */
#ifndef KP_CHECKPOINT_H
#define KP_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "kp_state.h"
#include "lk_err.h"
#include "lk_file.h"

#define KP_MAX_PARTS 1024
#define KP_RUN_ID_LEN 16 /* hex digits */

struct kp_offsets {
    uint64_t batch_id;
    int64_t trigger_time;
    int64_t evict_wm; /* E_N */
    int64_t late_wm;  /* L_N = E_(N-1) */
    size_t nparts;    /* log source: end position per partition (exclusive) */
    uint64_t line[KP_MAX_PARTS];
    uint64_t byte[KP_MAX_PARTS];
    size_t files_end;        /* files source: landing files [0, files_end) taken so far */
    const char *kafka_topic; /* kafka source: line[] again as Spark's source offsets,
                                "source":{"TOPIC":{"0":N,...}} (docs/live.md); else NULL */
};

struct kp_commit {
    uint64_t batch_id;
    int64_t next_wm;        /* the watermark for the next batch */
    int64_t max_event_time; /* seen so far (LK_TIME_NEG_INF: none) */
    int64_t visible_time;   /* when the batch's output became visible (virtual) */
    int64_t prev_end;       /* for the cost model's cold/warm decision */
};

struct kp_ckpt;

/*
 * Open (creating) the directory. metadata is a JSON object of what the query is bound to
 * (pipeline content, dataset, options that may not change): a new checkpoint stores it
 * with a fresh random run id; an existing one must hold every field with the same value
 * (LK_EUSAGE naming the first that differs) and gives its run id. durability applies to
 * every file written through this handle (see lk_file.h).
 */
int kp_ckpt_open(struct kp_ckpt **out, const char *dir, const char *metadata,
                 enum lk_durability durability, struct lk_err *err);
void kp_ckpt_close(struct kp_ckpt *c);
const char *kp_ckpt_dir(const struct kp_ckpt *c);
/* The run id (KP_RUN_ID_LEN hex digits) every file of this checkpoint carries. */
const char *kp_ckpt_run_id(const struct kp_ckpt *c);

/* Highest batch id with offsets / with a commit; -1 when there is none. */
int kp_ckpt_latest(struct kp_ckpt *c, int64_t *offsets, int64_t *commit, struct lk_err *err);

int kp_ckpt_write_offsets(struct kp_ckpt *c, const struct kp_offsets *o, struct lk_err *err);
int kp_ckpt_read_offsets(struct kp_ckpt *c, uint64_t batch, struct kp_offsets *o,
                         struct lk_err *err);
int kp_ckpt_write_commit(struct kp_ckpt *c, const struct kp_commit *m, struct lk_err *err);
int kp_ckpt_read_commit(struct kp_ckpt *c, uint64_t batch, struct kp_commit *m, struct lk_err *err);

/*
 * Write state/N (a snapshot or a delta, see above): one section per worker state,
 * in worker order (the worker count is part of the checkpoint metadata, as Spark fixes
 * its shuffle partitions in the checkpoint).
 */
int kp_ckpt_write_state(struct kp_ckpt *c, uint64_t batch, struct kp_state *const *states,
                        unsigned n, int64_t evict_wm, struct lk_err *err);
/*
 * The same file from text the caller made (so several workers can make their sections
 * in parallel): sections[i] = kp_state_write of worker i's state with snapshot =
 * kp_ckpt_snapshot_due(c), asked just before, and crcs[i] its lk_crc32. The sections are
 * written on parallel threads, at most KP_CKPT_MAX_SECTIONS of them.
 */
#define KP_CKPT_MAX_SECTIONS 64
int kp_ckpt_snapshot_due(const struct kp_ckpt *c);
int kp_ckpt_write_state_text(struct kp_ckpt *c, uint64_t batch, const struct lk_str *sections,
                             const uint32_t *crcs, unsigned n, int snapshot, struct lk_err *err);
/* Rebuild the n worker states as of batch N (fresh states). */
int kp_ckpt_restore_state(struct kp_ckpt *c, uint64_t batch, struct kp_state *const *states,
                          unsigned n, struct lk_err *err);

#endif
