/* Reading a batch's input into the workers' state, in parallel over log partitions. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kp_internal.h"
#include "kp_mem.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

/* Longest partition first to the least loaded worker (LPT); ties by index: deterministic. */
static void assign_partitions(struct kp_engine *e)
{
    size_t np = e->log ? lk_log_partitions(e->log) : 0;
    uint64_t load[KP_MAX_WORKERS] = { 0 }, size[KP_MAX_PARTS];
    char done[KP_MAX_PARTS] = { 0 };
    struct stat st;
    for (size_t p = 0; p < np; p++)
        size[p] = stat(lk_log_path(e->log, p), &st) == 0 ? (uint64_t)st.st_size : 0;
    for (size_t k = 0; k < np; k++) {
        size_t big = SIZE_MAX;
        unsigned least = 0;
        for (size_t p = 0; p < np; p++)
            if (!done[p] && (big == SIZE_MAX || size[p] > size[big]))
                big = p;
        for (unsigned w = 1; w < e->nworkers; w++)
            if (load[w] < load[least])
                least = w;
        done[big] = 1;
        e->owner[big] = least;
        load[least] += size[big];
    }
}

void kp_workers_assignment(const struct kp_engine *e, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "[");
    for (size_t p = 0; e->log && p < lk_log_partitions(e->log) && n < size; p++)
        n += (size_t)snprintf(buf + n, size - n, "%s%u", p ? "," : "", e->owner[p]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
}

/* ---------------------------------------------------------- threads ---- */

/* Start fn on every worker, one thread each (join_workers waits for them). */
static void start_workers(struct kp_engine *e, void *(*fn)(void *))
{
    for (unsigned i = 0; i < e->nworkers; i++)
        e->workers[i].running =
            pthread_create(&e->workers[i].thread, NULL, fn, &e->workers[i]) == 0;
}

/* Wait for the workers start_workers started; one that did not start fails (its rc). */
static void join_workers(struct kp_engine *e)
{
    for (unsigned i = 0; i < e->nworkers; i++) {
        struct kp_worker *w = &e->workers[i];
        if (w->running)
            pthread_join(w->thread, NULL);
        else
            w->rc = lk_err_set(&w->err, LK_EINTERNAL, "cannot start worker thread %u", i);
        w->running = 0;
    }
}

/* Run fn on every worker: on one thread each when there are several. */
static void run_workers(struct kp_engine *e, void *(*fn)(void *))
{
    if (e->nworkers == 1) {
        fn(&e->workers[0]);
        return;
    }
    start_workers(e, fn);
    join_workers(e);
}

/* ---------------------------------------------------------- workers ---- */

void kp_workers_init(struct kp_engine *e)
{
    e->nworkers = e->o->workers ? e->o->workers : 1;
    assign_partitions(e);
    for (unsigned i = 0; i < e->nworkers; i++) {
        struct kp_worker *w = &e->workers[i];
        memset(w, 0, sizeof(*w));
        w->e = e;
        w->id = i;
        w->state = e->states[i] = kp_state_new(e->o->spec);
        if (e->o->trigger == KP_TRIG_CONTINUOUS)
            kp_state_flink(w->state, e->o->allowed_lateness);
    }
}

void kp_workers_release(struct kp_engine *e)
{
    for (unsigned i = 0; i < e->nworkers; i++) {
        kp_state_free(e->workers[i].state);
        for (int b = 0; b < 2; b++) {
            free(e->workers[i].sb[b].v);
            free(e->workers[i].sb[b].arena);
        }
        free(e->workers[i].held_buf);
        kp_rows_release(&e->workers[i].rows);
        kp_rows_release(&e->workers[i].retr);
        free(e->workers[i].text_buf);
    }
    lk_log_close(e->ahead);
    e->ahead = NULL;
}

size_t kp_workers_cells(const struct kp_engine *e)
{
    size_t n = 0;
    for (unsigned i = 0; i < e->nworkers; i++)
        n += kp_state_cells(e->workers[i].state);
    return n;
}

size_t kp_workers_ids(const struct kp_engine *e)
{
    size_t n = 0;
    for (unsigned i = 0; i < e->nworkers; i++)
        n += kp_state_ids(e->workers[i].state);
    return n;
}

/* ---------------------------------------------------------- side rows ---- */

static size_t arena_put(struct kp_worker *w, const char *p, size_t len)
{
    struct kp_sidebuf *b = &w->sb[w->batch & 1];
    size_t off = b->len;
    LK_GROW(b->arena, b->arena_cap, b->len + len + 1);
    memcpy(b->arena + off, p, len);
    b->len += len;
    return off;
}

static struct kp_side *side_new(struct kp_worker *w, const struct lk_record *rec)
{
    struct kp_sidebuf *b = &w->sb[w->batch & 1];
    struct kp_side *s;
    LK_GROW(b->v, b->cap, b->n + 1);
    s = &b->v[b->n++];
    memset(s, 0, sizeof(*s));
    s->part = rec->part;
    s->offset = rec->offset;
    return s;
}

static void add_late(struct kp_worker *w, const struct lk_record *rec, int64_t ws, int64_t we)
{
    struct kp_side *s = side_new(w, rec);
    s->late = 1;
    s->wstart = ws;
    s->wend = we;
    s->wm = w->late_wm; /* continuous mode moves it after every event: keep this one */
    s->ev = rec->ev;
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++)
        s->str_off[f] = arena_put(w, rec->ev.str[f].ptr, rec->ev.str[f].len);
}

static void add_quarantine(struct kp_worker *w, const struct lk_record *rec)
{
    struct kp_side *s = side_new(w, rec);
    s->rej = rec->rej;
    s->raw_off = arena_put(w, rec->line, rec->len);
    s->raw_len = rec->len;
}

/* ---------------------------------------------------------------- take ---- */

/* --workers needs every tenant in one partition: the generator's hash(tenant) % P. */
static int check_partition(struct kp_worker *w, const struct lk_record *rec)
{
    const struct lk_str *t = &rec->ev.str[LK_F_TENANT];
    if (w->e->nworkers == 1
        || (rec->part == w->ok_part && t->len == w->ok_tenant_len
            && memcmp(t->ptr, w->ok_tenant, t->len) == 0))
        return 0; /* the tenant of the last record checked, in the same partition */
    if (lk_hash_bytes(t->ptr, t->len) % lk_log_partitions(w->e->log) == rec->part) {
        if (t->len <= sizeof(w->ok_tenant)) {
            memcpy(w->ok_tenant, t->ptr, t->len);
            w->ok_tenant_len = t->len;
            w->ok_part = rec->part;
        }
        return 0;
    }
    return lk_err_set(&w->err, LK_EINPUT,
                      "dataset '%s' is not partitioned by hash(tenant) "
                      "(line %llu of '%s'): --workers needs that, use --workers 1",
                      w->e->o->data, (unsigned long long)rec->offset + 1,
                      lk_log_path(w->e->log, rec->part));
}

/* Apply one record; hint: its hashes from kp_state_prefetch, or NULL. */
static int take(struct kp_worker *w, const struct lk_record *rec, const struct kp_hint *hint)
{
    struct kp_progress *p = &w->prog;
    struct kp_outcome *out = &w->out;
    const struct kp_engine *e = w->e;
    /* no outcome until kp_state_add gives one: a filtered or malformed line changed nothing
       (event-at-a-time update mode reads out after every record) */
    out->duplicate = 0;
    out->live = out->late = 0;
    p->input_rows++;
    if (!rec->valid) {
        p->quarantined++;
        add_quarantine(w, rec);
        return 0;
    }
    if (check_partition(w, rec) < 0)
        return LK_EINPUT;
    /* Micro-batches: the watermark and the batch's eventTime stats see the events the
       filter keeps, as Spark's optimizer pushes a filter that does not read the event time
       below withWatermark (docs/spark.md). Continuous (Flink): the watermark assigner sits
       at the source, before any filter, so every valid event moves it. */
    int flink = e->o->trigger == KP_TRIG_CONTINUOUS, kept = lk_spec_accepts(e->o->spec, &rec->ev);
    if (kept || flink) {
        if (rec->ev.event_time > w->max_et)
            w->max_et = rec->ev.event_time;
        kp_et_add(&p->et, rec->ev.event_time);
    }
    if (!kept) {
        p->processed++;
        p->filtered++;
        return 0;
    }
    kp_state_add(w->state, &rec->ev, hint, w->late_wm, w->batch, out);
    for (size_t k = 0; k < out->late; k++)
        add_late(w, rec, out->late_start[k], out->late_end[k]);
    p->late_rows += out->late;
    if (out->duplicate)
        p->duplicates++;
    else if (out->live == 0)
        p->late_events++;
    else
        p->processed++;
    return 0;
}

int kp_worker_take(struct kp_worker *w, const struct lk_record *rec)
{
    return take(w, rec, NULL);
}

/* ---------------------------------------------------------------- scan ---- */

/*
 * The caps of a batch reading up to trigger time t: Spark's rateLimit of the Kafka source
 * (KafkaMicroBatchStream, read at Spark 3.5): each partition with a backlog gets
 * max_events * (backlog / total backlog) offsets, rounded down, or up when that is below 1
 * (a small partition is never starved), at most its backlog. A partition's backlog is its
 * records from the current offset up to the first valid one that arrives after t
 * (malformed lines count: they are offsets too). e->ahead counts them; it only moves
 * forward, so every line is read twice at most. No cap: a replayed batch (its offsets are
 * planned), no --max-events-per-trigger, or --trigger once (which ignores it, as Spark's
 * Trigger.Once does).
 */
static int plan_caps(struct kp_engine *e, int64_t t, const struct kp_offsets *replay)
{
    size_t np = lk_log_partitions(e->log);
    uint64_t backlog[KP_MAX_PARTS], total = 0;
    const struct lk_record *rec;
    int rc;
    for (size_t p = 0; p < np; p++)
        e->cap[p] = UINT64_MAX;
    if (replay || !e->o->max_events || e->o->trigger == KP_TRIG_ONCE)
        return 0;
    if (!e->ahead && (rc = lk_log_open(&e->ahead, e->o->data, e->err)) < 0)
        return rc;
    for (size_t p = 0; p < np; p++) {
        uint64_t at = lk_log_offset(e->log, p);
        if (lk_log_offset(e->ahead, p) < at
            && (rc = lk_log_seek(e->ahead, p, at, lk_log_byte_offset(e->log, p), e->err)) < 0)
            return rc;
        while ((rc = lk_log_peek(e->ahead, p, &rec, e->err)) > 0
               && !(rec->valid && rec->ev.arrival_time > t))
            lk_log_advance(e->ahead, p);
        if (rc < 0)
            return rc;
        backlog[p] = lk_log_offset(e->ahead, p) - at;
        total += backlog[p];
    }
    for (size_t p = 0; p < np; p++) {
        double share = (double)e->o->max_events * ((double)backlog[p] / (double)total);
        uint64_t n = share < 1 ? 1 : (uint64_t)share;
        if (backlog[p] > 0)
            e->cap[p] = n < backlog[p] ? n : backlog[p];
    }
    return 0;
}

/*
 * Keep a copy of rec (its strings, or the raw line of a malformed one) in w->held, so the
 * log can move on and parse the next line before this one is applied.
 */
static void hold(struct kp_worker *w, const struct lk_record *rec)
{
    size_t need = rec->valid ? 0 : rec->len;
    char *o;
    for (int f = LK_F_EVENT_ID; rec->valid && f <= LK_F_TYPE; f++)
        need += rec->ev.str[f].len;
    LK_GROW(w->held_buf, w->held_cap, need + 1);
    o = w->held_buf;
    w->held = *rec;
    w->held_hint = w->next_hint;
    w->has_held = 1;
    if (!rec->valid) {
        memcpy(o, rec->line, rec->len);
        w->held.line = o;
        return;
    }
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
        memcpy(o, rec->ev.str[f].ptr, rec->ev.str[f].len);
        w->held.ev.str[f].ptr = o;
        o += rec->ev.str[f].len;
    }
}

static int take_held(struct kp_worker *w)
{
    if (!w->has_held)
        return 0;
    w->has_held = 0;
    return take(w, &w->held, w->held.valid ? &w->held_hint : NULL);
}

/*
 * Take the partition's records up to the trigger time (or the replayed offsets), one
 * behind the log: record N is applied after record N+1 is parsed and its dedup slot
 * prefetched, so the cache miss on a big dedup table overlaps useful work.
 */
static int scan_partition(struct kp_worker *w, size_t p)
{
    struct kp_engine *e = w->e;
    uint64_t cap = e->cap[p], taken = 0;
    const struct lk_record *rec;
    int rc = 0;
    while (taken < cap && (rc = lk_log_peek(e->log, p, &rec, &w->err)) > 0) {
        if (w->replay ? lk_log_offset(e->log, p) >= w->replay->line[p]
                      : rec->valid && rec->ev.arrival_time > w->t)
            break;
        if (rec->valid)
            kp_state_prefetch(w->state, &rec->ev, &w->next_hint);
        if ((rc = take_held(w)) < 0)
            return rc;
        hold(w, rec);
        lk_log_advance(e->log, p);
        taken++;
    }
    if (rc >= 0)
        rc = take_held(w);
    return rc < 0 ? rc : 0;
}

static void *scan_worker(void *arg)
{
    struct kp_worker *w = arg;
    w->rc = 0;
    for (size_t p = 0; p < lk_log_partitions(w->e->log) && w->rc == 0; p++)
        if (w->e->owner[p] == w->id)
            w->rc = scan_partition(w, p);
    return NULL;
}

static int take_file_record(void *arg, const struct lk_record *rec)
{
    return kp_worker_take(arg, rec);
}

static int scan_files(struct kp_worker *w)
{
    struct kp_engine *e = w->e;
    uint64_t taken = 0;
    while (e->files_next < lk_landing_count(e->landing)) {
        int rc;
        if (w->replay ? e->files_next >= w->replay->files_end
                      : lk_landing_time(e->landing, e->files_next) > w->t
                            || (e->o->max_files && e->o->trigger != KP_TRIG_ONCE
                                && taken >= e->o->max_files))
            break;
        if ((rc = lk_landing_read(e->landing, e->files_next, take_file_record, w, &w->err)) < 0)
            return rc;
        e->files_next++;
        taken++;
    }
    return 0;
}

static void merge_counts(struct kp_progress *to, const struct kp_progress *from)
{
    to->input_rows += from->input_rows;
    to->processed += from->processed;
    to->filtered += from->filtered;
    to->late_events += from->late_events;
    to->late_rows += from->late_rows;
    to->duplicates += from->duplicates;
    to->quarantined += from->quarantined;
    kp_et_merge(&to->et, &from->et);
}

static uint64_t log_position(const struct kp_engine *e)
{
    uint64_t b = 0;
    for (size_t p = 0; e->log && p < lk_log_partitions(e->log); p++)
        b += lk_log_byte_offset(e->log, p);
    return b;
}

/* The first worker error (copied to e->err), else 0. */
static int worker_error(struct kp_engine *e)
{
    for (unsigned i = 0; i < e->nworkers; i++) {
        if (e->workers[i].rc < 0) {
            *e->err = e->workers[i].err;
            return e->workers[i].rc;
        }
    }
    return 0;
}

void kp_workers_scan_setup(struct kp_engine *e, uint64_t batch, int64_t t, int64_t late_wm,
                           const struct kp_offsets *replay)
{
    for (unsigned i = 0; i < e->nworkers; i++) {
        struct kp_worker *w = &e->workers[i];
        memset(&w->prog, 0, sizeof(w->prog));
        w->sb[batch & 1].n = w->sb[batch & 1].len = 0;
        w->batch = batch;
        w->late_wm = late_wm;
        w->t = t;
        w->replay = replay;
        w->max_et = e->max_et;
        w->rc = 0;
    }
}

int kp_workers_prefetch(struct kp_engine *e, int64_t t, int64_t late_wm)
{
    int rc = plan_caps(e, t, NULL);
    if (rc < 0)
        return rc;
    kp_workers_scan_setup(e, e->batch + 1, t, late_wm, NULL);
    start_workers(e, scan_worker);
    e->prefetched = 1;
    e->prefetch_t = t;
    return 0;
}

void kp_workers_wait(struct kp_engine *e)
{
    if (e->prefetched || e->emitting)
        join_workers(e);
    e->prefetched = e->emitting = 0;
}

int kp_workers_scan(struct kp_engine *e, int64_t t, const struct kp_offsets *replay)
{
    int rc;
    if (e->prefetched) {
        if (replay || t != e->prefetch_t || e->workers[0].batch != e->batch) {
            kp_workers_wait(e);
            return lk_err_set(e->err, LK_EINTERNAL,
                              "batch %llu was read ahead for another "
                              "trigger time",
                              (unsigned long long)e->batch);
        }
        e->prefetched = 0;
        join_workers(e);
    } else {
        kp_workers_scan_setup(e, e->batch, t, e->late_wm, replay);
        if (e->landing)
            e->workers[0].rc = scan_files(&e->workers[0]);
        else if ((rc = plan_caps(e, t, replay)) < 0)
            return rc;
        else
            run_workers(e, scan_worker);
    }
    rc = worker_error(e);
    for (unsigned i = 0; i < e->nworkers; i++) {
        struct kp_worker *w = &e->workers[i];
        merge_counts(&e->prog, &w->prog);
        if (w->max_et > e->max_et)
            e->max_et = w->max_et;
    }
    e->bytes_done = log_position(e);
    if (e->o->progress && e->log)
        e->o->progress(e->o->progress_arg, e->bytes_done, e->bytes_total);
    return rc;
}

/* -------------------------------------------------------------- emit ---- */

static void text_piece(void *arg, const char *data, size_t len)
{
    struct kp_worker *w = arg;
    KP_BIG_GROW(w->text_buf, w->text_cap, w->text_len + len);
    memcpy(w->text_buf + w->text_len, data, len);
    w->text_len += len;
    w->text_crc = lk_crc32(w->text_crc, data, len); /* here, in parallel, not in the writer */
}

/* Phase 2 on one worker (see kp_workers_emit). */
static void *emit_worker(void *arg)
{
    struct kp_worker *w = arg;
    const struct kp_engine *e = w->e;
    struct kp_state *st = w->state;
    int rc = 0;
    w->rows.n = w->retr.n = w->text_len = 0;
    w->text_crc = 0;
    KP_BIG_GROW(w->rows.v, w->rows.cap, kp_state_cells(st)); /* at most one row per cell */
    switch (e->o->mode) {
    case KP_APPEND:
        rc = kp_state_evict(st, e->evict_wm, kp_rows_add, &w->rows);
        break;
    case KP_UPDATE: /* the rows are copies: evicting after collecting them is safe */
        if ((rc = kp_state_retractions(st, e->batch, kp_rows_add, &w->retr)) == 0
            && (rc = kp_state_rows(st, e->batch, kp_rows_add, &w->rows)) == 0)
            rc = kp_state_evict(st, e->evict_wm, NULL, NULL);
        break;
    case KP_COMPLETE:
        rc = kp_state_rows(st, UINT64_MAX, kp_rows_add, &w->rows);
        break;
    }
    if (rc == 0 && w->text)
        kp_state_write(st, e->batch, w->snapshot,
                       kp_uses_watermark(e) ? e->evict_wm : LK_TIME_NEG_INF, text_piece, w);
    w->rc = rc;
    return NULL;
}

static void emit_setup(struct kp_engine *e, int text, int snapshot)
{
    for (unsigned i = 0; i < e->nworkers; i++) {
        e->workers[i].text = text;
        e->workers[i].snapshot = snapshot;
        e->workers[i].rc = 0;
    }
}

int kp_workers_emit(struct kp_engine *e)
{
    emit_setup(e, 0, 0);
    run_workers(e, emit_worker);
    return worker_error(e);
}

void kp_workers_emit_start(struct kp_engine *e, int snapshot)
{
    emit_setup(e, 1, snapshot);
    start_workers(e, emit_worker);
    e->emitting = 1;
}

int kp_workers_emit_finish(struct kp_engine *e)
{
    e->emitting = 0;
    join_workers(e);
    return worker_error(e);
}

/* ------------------------------------------------------------- flush ---- */

static int side_cmp(const void *a, const void *b)
{
    const struct kp_side *x = *(const struct kp_side *const *)a,
                         *y = *(const struct kp_side *const *)b;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return (x->wstart > y->wstart) - (x->wstart < y->wstart);
}

static const char *source_name(const struct kp_engine *e, size_t part)
{
    return e->log ? lk_log_path(e->log, part) : lk_landing_name(e->landing, part);
}

static int write_side(struct kp_engine *e, const struct kp_sidebuf *b, struct kp_side *s)
{
    if (s->late) {
        for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++)
            s->ev.str[f].ptr = b->arena + s->str_off[f];
        return kp_sink_late(e->sink, e->batch, &s->ev, s->wstart, s->wend, s->wm, e->err);
    } else {
        struct lk_record rec;
        memset(&rec, 0, sizeof(rec));
        rec.rej = s->rej;
        rec.line = b->arena + s->raw_off;
        rec.len = s->raw_len;
        rec.offset = s->offset;
        return kp_sink_quarantine(e->sink, source_name(e, s->part), &rec, e->err);
    }
}

int kp_workers_flush_side(struct kp_engine *e)
{
    struct kp_side **all;
    const struct kp_sidebuf **owner;
    unsigned b = e->batch & 1;
    size_t n = 0, k = 0;
    int rc = 0;
    for (unsigned i = 0; i < e->nworkers; i++)
        n += e->workers[i].sb[b].n;
    if (n == 0 || e->skip)
        return 0;
    all = lk_xreallocarray(NULL, n, sizeof(*all));
    owner = lk_xreallocarray(NULL, n, sizeof(*owner));
    for (unsigned i = 0; i < e->nworkers; i++)
        for (size_t j = 0; j < e->workers[i].sb[b].n; j++)
            all[k++] = &e->workers[i].sb[b].v[j];
    qsort(all, n, sizeof(*all), side_cmp);
    for (size_t j = 0; j < n; j++) {
        for (unsigned i = 0; i < e->nworkers; i++) {
            const struct kp_sidebuf *sb = &e->workers[i].sb[b];
            if (all[j] >= sb->v && all[j] < sb->v + sb->n)
                owner[j] = sb;
        }
    }
    for (size_t j = 0; j < n && rc == 0; j++)
        rc = write_side(e, owner[j], all[j]);
    free(owner);
    free(all);
    return rc;
}
