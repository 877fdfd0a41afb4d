/* The four phases of one micro-batch (see kp_engine.h), and continuous epochs. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kp_internal.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

/* --crash-after N:PHASE: the caller's crash function ends the process (the CLI's is kill -9). */
static void crash_point(const struct kp_engine *e, enum kp_phase phase)
{
    if (e->o->crash_phase == phase && e->o->crash_batch == (int64_t)e->batch && e->o->crash)
        e->o->crash(e->o->crash_arg);
}

int kp_uses_watermark(const struct kp_engine *e)
{
    return e->o->has_watermark && e->o->mode != KP_COMPLETE;
}

/* ----------------------------------------------------------- input ---- */

int kp_wall_clock(struct kp_engine *e, int64_t *wall0, int64_t *virt0, double *speed)
{
    return e->o->wall_clock && e->log && lk_log_replay_clock(e->log, wall0, virt0, speed)
           && *speed > 0;
}

/*
 * --clock wall: the partitions are read for trigger t until the replay's clock reaches t
 * (Unix ms wall_start + (t - virtual_start) / speed), not until a record past t came.
 * Before the first start record is read the clock is unknown and peeks wait as usual.
 */
static void wall_deadline(struct kp_engine *e, int64_t t)
{
    int64_t wall0, virt0;
    double speed;
    if (!kp_wall_clock(e, &wall0, &virt0, &speed))
        return;
    lk_log_set_deadline(e->log, wall0 + (int64_t)((double)(t - virt0) / speed) + 1);
}

int kp_available(struct kp_engine *e, int64_t t, int64_t *next, int *exhausted)
{
    int avail = 0;
    *next = LK_TIME_POS_INF;
    *exhausted = 1;
    if (e->o->source != KP_SRC_FILES)
        wall_deadline(e, t);
    if (e->o->source == KP_SRC_FILES) {
        if (e->files_next < lk_landing_count(e->landing)) {
            *exhausted = 0;
            *next = lk_landing_time(e->landing, e->files_next);
            avail = *next <= t;
        }
        return avail;
    }
    for (size_t p = 0; p < lk_log_partitions(e->log); p++) {
        const struct lk_record *rec;
        int rc = lk_log_peek(e->log, p, &rec, e->err);
        if (rc < 0)
            return rc;
        if (rc == 0 && lk_log_pending(e->log, p)) { /* nothing yet by the wall clock */
            *exhausted = 0;
            if (t + 1 < *next)
                *next = t + 1;
            continue;
        }
        if (rc == 0)
            continue;
        *exhausted = 0;
        if (!rec->valid || rec->ev.arrival_time <= t)
            avail = 1;
        else if (rec->ev.arrival_time < *next)
            *next = rec->ev.arrival_time;
    }
    return avail;
}

/* ---------------------------------------------------------- output ---- */

static int retract_row(struct kp_engine *e, const struct lk_csv_row *row, int64_t visible)
{
    return e->skip ? 0 : kp_sink_retract(e->sink, row, visible, e->err);
}

/* Write the rows of sets[0..nsets) in canonical order to the sink (and the lake). */
static int write_rows(struct kp_engine *e, const struct kp_rows *const *sets, size_t nsets,
                      int64_t visible)
{
    size_t n = kp_rows_sort(sets, nsets, e->o->spec->ngroup, &e->order, &e->order_cap);
    int rc = 0;
    e->prog.output_rows += n;
    if (e->lake && n)
        rc = lk_lake_write(e->lake, e->batch, e->order, n, &e->prog.files_written,
                           &e->prog.bytes_written, e->err);
    if (rc == 0 && !e->skip)
        rc = kp_sink_rows(e->sink, e->order, n, e->batch, visible, e->err);
    return rc;
}

/* Retractions, then the rows of all workers in canonical order (after kp_workers_emit). */
static int write_output(struct kp_engine *e, int64_t visible)
{
    const struct kp_rows *sets[KP_MAX_WORKERS];
    int rc = 0;
    for (unsigned i = 0; i < e->nworkers; i++) {
        const struct kp_rows *r = &e->workers[i].retr;
        for (size_t k = 0; k < r->n && rc == 0; k++)
            rc = retract_row(e, &r->v[k], visible);
        sets[i] = &e->workers[i].rows;
    }
    return rc < 0 ? rc : write_rows(e, sets, e->nworkers, visible);
}

/* Writing state/N from the workers' texts on its own thread, while the driver writes the sink. */
struct state_job {
    struct kp_engine *e;
    int snapshot, rc;
    struct lk_err err;
};

static void *state_job_run(void *arg)
{
    struct state_job *j = arg;
    struct lk_str sections[KP_MAX_WORKERS];
    uint32_t crcs[KP_MAX_WORKERS];
    for (unsigned i = 0; i < j->e->nworkers; i++) {
        sections[i].ptr = j->e->workers[i].text_buf;
        sections[i].len = j->e->workers[i].text_len;
        crcs[i] = j->e->workers[i].text_crc;
    }
    j->rc = kp_ckpt_write_state_text(j->e->ckpt, j->e->batch, sections, crcs, j->e->nworkers,
                                     j->snapshot, &j->err);
    return NULL;
}

/*
 * Several workers: they emit and write their state sections in parallel (started by
 * kp_batch_run while the driver wrote offsets/N); then state/N is stored on a helper
 * thread while the driver writes retractions and rows to the sink. With e->pipeline
 * (periodic triggers on a log) the workers meanwhile read the next batch's input. Reading
 * changes nothing durable (offsets/N+1 is still written after commits/N); batch N's rows,
 * side rows and state text are already out of the states; the next trigger time and its L
 * (= E of this batch) are known. A kill at any phase of batch N therefore recovers exactly
 * as without it; what it buys is the driver's serial sink and checkpoint work (fsyncs
 * included) overlapping the workers' reading.
 */
static int process_parallel(struct kp_engine *e, int64_t visible)
{
    struct state_job job = { e, e->workers[0].snapshot, 0, LK_ERR_INIT }; /* as emitted */
    pthread_t th;
    int64_t next;
    int rc = kp_workers_emit_finish(e), threaded;
    if (rc < 0)
        return rc;
    e->prog.state_total = kp_workers_cells(e); /* evicted, and not yet reading ahead */
    if (e->pipeline && kp_next_batch_time(e, &next) == 1)
        kp_workers_prefetch(e, next, e->evict_wm);
    threaded = pthread_create(&th, NULL, state_job_run, &job) == 0;
    if (!threaded)
        state_job_run(&job);
    rc = write_output(e, visible);
    if (threaded)
        pthread_join(th, NULL);
    if (rc == 0 && job.rc < 0) {
        *e->err = job.err;
        rc = job.rc;
    }
    return rc;
}

/*
 * Phase 2: every worker collects its rows per output mode and evicts with E (see
 * kp_workers_emit); the driver writes retractions, then the rows of all workers in
 * canonical order; then state/N. Epochs (do_emit 0) emitted event by event already.
 */
static int process(struct kp_engine *e, int64_t visible, int do_emit)
{
    int rc = 0;
    if (do_emit && e->o->mode == KP_COMPLETE && !e->skip
        && (rc = kp_sink_clear(e->sink, e->err)) < 0)
        return rc;
    if (do_emit && e->nworkers > 1)
        return process_parallel(e, visible);
    if (do_emit && (rc = kp_workers_emit(e)) < 0)
        return rc;
    e->prog.state_total = kp_workers_cells(e);
    if (do_emit && (rc = write_output(e, visible)) < 0)
        return rc;
    return kp_ckpt_write_state(e->ckpt, e->batch, e->states, e->nworkers,
                               kp_uses_watermark(e) ? e->evict_wm : LK_TIME_NEG_INF, e->err);
}

/* ---------------------------------------------------------- phases ---- */

static int count_row(void *arg, const struct lk_csv_row *row)
{
    (void)row;
    (*(size_t *)arg)++;
    return 0;
}

/* After the input is read: the counts of the state (Spark's numRowsUpdated; the peak). */
static void count_state(struct kp_engine *e)
{
    size_t updated = 0;
    for (unsigned i = 0; i < e->nworkers; i++)
        kp_state_rows(e->workers[i].state, e->batch, count_row, &updated);
    e->prog.state_updated = updated;
    e->prog.state_rows = kp_workers_cells(e);
}

/* next = max(next, max event_time seen - delay) (docs/kappa.md "Watermarks"). */
static void advance_watermark(struct kp_engine *e)
{
    if (e->o->has_watermark && e->max_et != LK_TIME_NEG_INF && e->max_et - e->o->delay > e->next_wm)
        e->next_wm = e->max_et - e->o->delay;
}

static void plan_offsets(const struct kp_engine *e, struct kp_offsets *o)
{
    memset(o, 0, sizeof(*o));
    o->batch_id = e->batch;
    o->trigger_time = e->trigger;
    o->evict_wm = e->evict_wm;
    o->late_wm = e->late_wm;
    o->files_end = e->files_next;
    if (e->log) {
        o->kafka_topic = lk_log_topic(e->log);
        o->nparts = lk_log_partitions(e->log);
        for (size_t p = 0; p < o->nparts; p++) {
            o->line[p] = lk_log_offset(e->log, p);
            o->byte[p] = lk_log_byte_offset(e->log, p);
        }
    }
}

static int begin_batch(struct kp_engine *e, int64_t t, int64_t evict_wm, int64_t late_wm)
{
    int wm = kp_uses_watermark(e);
    memset(&e->prog, 0, sizeof(e->prog));
    e->trigger = t;
    e->evict_wm = wm ? evict_wm : LK_TIME_NEG_INF; /* complete mode: no late filter, no eviction */
    e->late_wm = wm ? late_wm : LK_TIME_NEG_INF;
    e->prog.batch_id = e->batch;
    e->prog.trigger_time = t;
    e->prog.watermark = evict_wm;
    return kp_sink_begin(e->sink, e->batch, &e->skip, e->err);
}

/*
 * Phases 2-4 once the input is read (e->prog.state_rows counted) and offsets/N is durable
 * (emit: 0 for epochs).
 */
static int finish_batch(struct kp_engine *e, int64_t modelled, double wall0, int do_emit)
{
    struct kp_commit c;
    int rc;
    advance_watermark(e); /* E of the next batch: known once the input is read (read-ahead) */
    e->prog.modelled_ms = modelled;
    e->prog.visible_time = e->trigger + modelled;
    if ((rc = process(e, e->prog.visible_time, do_emit)) < 0)
        return rc;
    crash_point(e, KP_PHASE_PROCESSED);
    e->prog.duration_ms = (int64_t)((lk_wall_now() - wall0) * 1000.0);
    if (e->skip) {
        kp_sink_rollback(e->sink);
    } else if ((rc = kp_workers_flush_side(e)) < 0
               || (rc = kp_sink_progress(e->sink, &e->prog, e->err)) < 0
               || (rc = kp_sink_commit(e->sink, e->batch, e->err)) < 0) {
        return rc;
    }
    crash_point(e, KP_PHASE_SINK_COMMITTED);
    c.batch_id = e->batch;
    c.next_wm = e->next_wm;
    c.max_event_time = e->max_et;
    c.visible_time = e->prog.visible_time;
    c.prev_end = e->prog.visible_time;
    if ((rc = kp_ckpt_write_commit(e->ckpt, &c, e->err)) < 0)
        return rc;
    crash_point(e, KP_PHASE_COMMITTED);
    e->last_evict = e->evict_wm;
    e->prev_end = e->prog.visible_time;
    e->next_batch = e->batch + 1;
    return 0;
}

int kp_batch_run(struct kp_engine *e, int64_t t, int64_t evict_wm, int64_t late_wm,
                 const struct kp_offsets *replay)
{
    struct kp_offsets plan;
    double wall0 = lk_wall_now();
    int64_t modelled;
    int rc;
    e->batch = e->next_batch;
    if ((rc = begin_batch(e, t, evict_wm, late_wm)) < 0)
        return rc;
    if ((rc = kp_workers_scan(e, t, replay)) < 0)
        goto fail;
    count_state(e);
    plan_offsets(e, &plan);
    if ((rc = kp_input_lines(e, &plan)) < 0)
        goto fail;
    if (e->nworkers > 1) /* phase 2 changes only memory: it may run before offsets/N is durable */
        kp_workers_emit_start(e, kp_ckpt_snapshot_due(e->ckpt));
    if (!replay && (rc = kp_ckpt_write_offsets(e->ckpt, &plan, e->err)) < 0)
        goto fail;
    crash_point(e, KP_PHASE_PLANNED);
    modelled = lk_model_microbatch_ms(&e->o->model, lk_model_cold(&e->o->model, e->prev_end, t),
                                      e->prog.input_rows, e->prog.state_rows);
    if ((rc = finish_batch(e, modelled, wall0, 1)) < 0)
        goto fail;
    return 0;
fail:
    kp_workers_wait(e);
    kp_sink_rollback(e->sink);
    return rc;
}

/* ------------------------------------------------------ continuous ---- */

/* The partition whose head comes first in arrival order (a malformed head at once). */
static int first_partition(struct kp_engine *e, int64_t t, const struct kp_offsets *replay,
                           size_t *best)
{
    int64_t best_at = LK_TIME_POS_INF;
    int found = 0;
    for (size_t p = 0; p < lk_log_partitions(e->log); p++) {
        const struct lk_record *rec;
        int rc = lk_log_peek(e->log, p, &rec, e->err);
        int64_t at;
        if (rc < 0)
            return rc;
        if (rc == 0 || (replay && lk_log_offset(e->log, p) >= replay->line[p]))
            continue;
        at = rec->valid ? rec->ev.arrival_time : LK_TIME_NEG_INF;
        if ((replay || at <= t) && (!found || at < best_at)) {
            best_at = at;
            *best = p;
            found = 1;
        }
    }
    return found;
}

struct event_ctx {
    struct kp_engine *e;
    int64_t visible;
};

static int event_row(void *arg, const struct lk_csv_row *row)
{
    struct event_ctx *c = arg;
    c->e->prog.output_rows++;
    return c->e->skip ? 0 : kp_sink_row(c->e->sink, row, c->e->batch, c->visible, c->e->err);
}

static int event_retract(void *arg, const struct lk_csv_row *row)
{
    struct event_ctx *c = arg;
    return retract_row(c->e, row, c->visible);
}

/* After one event: its update rows, then the watermark advance and any window firing. */
static int after_event(struct kp_engine *e, const struct lk_record *rec)
{
    struct event_ctx c = { e, rec->ev.arrival_time + lk_model_continuous_ms(&e->o->model, 1) };
    struct kp_worker *w = &e->workers[0];
    const struct kp_rows *sets[1];
    int rc = 0;
    if (w->max_et > e->max_et)
        e->max_et = w->max_et;
    if (e->o->mode == KP_UPDATE && w->out.live)
        rc = kp_state_last_changes(w->state, event_retract, event_row, &c);
    if (rc < 0 || !e->o->has_watermark || e->max_et == LK_TIME_NEG_INF)
        return rc;
    advance_watermark(e);
    e->late_wm = w->late_wm = e->next_wm;
    if (!kp_uses_watermark(e) || e->next_wm < kp_state_min_end(w->state))
        return 0;
    e->evict_wm = e->next_wm;
    if (e->o->mode != KP_APPEND)
        return kp_state_evict(w->state, e->evict_wm, NULL, NULL);
    e->crows.n = 0;
    if ((rc = kp_state_evict(w->state, e->evict_wm, kp_rows_add, &e->crows)) < 0)
        return rc;
    sets[0] = &e->crows;
    return write_rows(e, sets, 1, c.visible);
}

static int scan_events(struct kp_engine *e, int64_t t, const struct kp_offsets *replay)
{
    struct kp_worker *w = &e->workers[0];
    size_t p;
    int rc;
    kp_workers_scan_setup(e, e->batch, t, e->late_wm, replay);
    while ((rc = first_partition(e, t, replay, &p)) > 0) {
        const struct lk_record *rec;
        if ((rc = lk_log_peek(e->log, p, &rec, e->err)) < 0)
            return rc;
        if ((rc = kp_worker_take(w, rec)) < 0) {
            *e->err = w->err;
            return rc;
        }
        if (rec->valid && (rc = after_event(e, rec)) < 0)
            return rc;
        lk_log_advance(e->log, p);
    }
    e->prog.input_rows = w->prog.input_rows;
    e->prog.processed = w->prog.processed;
    e->prog.filtered = w->prog.filtered;
    e->prog.late_events = w->prog.late_events;
    e->prog.late_rows = w->prog.late_rows;
    e->prog.duplicates = w->prog.duplicates;
    e->prog.quarantined = w->prog.quarantined;
    e->prog.et = w->prog.et;
    return rc;
}

int kp_epoch_run(struct kp_engine *e, int64_t t, const struct kp_offsets *replay)
{
    struct kp_offsets plan;
    double wall0 = lk_wall_now();
    int64_t wm0 = e->next_wm; /* the watermark when the epoch starts (restored on replay) */
    int rc;
    e->batch = e->next_batch;
    if ((rc = begin_batch(e, t, wm0, wm0)) < 0)
        return rc;
    if ((rc = scan_events(e, t, replay)) < 0)
        goto fail;
    count_state(e);
    plan_offsets(e, &plan);
    if ((rc = kp_input_lines(e, &plan)) < 0)
        goto fail;
    plan.evict_wm = plan.late_wm = wm0;
    e->evict_wm = e->next_wm;
    e->prog.watermark = e->next_wm;
    if (!replay && (rc = kp_ckpt_write_offsets(e->ckpt, &plan, e->err)) < 0)
        goto fail;
    crash_point(e, KP_PHASE_PLANNED);
    if ((rc = finish_batch(e, lk_model_continuous_ms(&e->o->model, e->prog.input_rows), wall0, 0))
        < 0)
        goto fail;
    return 0;
fail:
    kp_sink_rollback(e->sink);
    return rc;
}
