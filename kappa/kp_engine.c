/* The Kappa engine: setup, recovery, the trigger loops, and the run files. */
#include "kp_engine.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kp_internal.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_lock.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

#define EPOCH_MS LK_MS_PER_MIN /* continuous: checkpoint epoch */

static const char *const phase_names[] = { "none", "planned", "processed", "sink-committed",
                                           "committed" };

const char *kp_phase_name(enum kp_phase p)
{
    return (unsigned)p <= KP_PHASE_COMMITTED ? phase_names[p] : "?";
}

int kp_phase_lookup(const char *name)
{
    for (int p = KP_PHASE_PLANNED; p <= KP_PHASE_COMMITTED; p++)
        if (strcmp(name, phase_names[p]) == 0)
            return p;
    return -1;
}

static int has_tenant_group(const struct lk_spec *spec)
{
    for (size_t g = 0; g < spec->ngroup; g++)
        if (spec->group[g] == LK_F_TENANT)
            return 1;
    return 0;
}

int kp_options_check(const struct kp_options *o, struct lk_err *err)
{
    if (o->crash_batch >= 0 && !o->crash)
        return lk_err_set(err, LK_EUSAGE, "a crash point (batch %lld) needs a crash function",
                          (long long)o->crash_batch);
    if (o->mode == KP_APPEND && !o->has_watermark)
        return lk_err_set(err, LK_EUSAGE,
                          "append mode needs a watermark: an aggregation in append "
                          "mode writes a window once, when the watermark passes its end "
                          "(add --watermark 10m or use --output-mode update)");
    if (o->lake && o->mode != KP_APPEND)
        return lk_err_set(err, LK_EUSAGE,
                          "--lake writes files, which like Spark's file sink are "
                          "append-only: use --output-mode append");
    if (o->tenant_views && !has_tenant_group(o->spec))
        return lk_err_set(err, LK_EUSAGE,
                          "--tenant-views makes one view per tenant, but pipeline "
                          "'%s' does not group by tenant",
                          o->spec->name);
    if (o->lake && !has_tenant_group(o->spec))
        return lk_err_set(err, LK_EUSAGE,
                          "--lake partitions files by tenant, but pipeline '%s' "
                          "does not group by tenant",
                          o->spec->name);
    if (o->trigger == KP_TRIG_CONTINUOUS && o->source != KP_SRC_LOG)
        return lk_err_set(err, LK_EUSAGE,
                          "--trigger continuous reads events one at a time: it "
                          "needs --source log");
    if (o->max_files && o->source != KP_SRC_FILES)
        return lk_err_set(err, LK_EUSAGE,
                          "--max-files-per-trigger caps landing files: it needs "
                          "--source files (the log's cap is --max-events-per-trigger)");
    if (o->max_events && o->source == KP_SRC_FILES)
        return lk_err_set(err, LK_EUSAGE,
                          "--max-events-per-trigger caps log offsets: with "
                          "--source files use --max-files-per-trigger");
    if ((o->max_events || o->max_files) && o->trigger == KP_TRIG_CONTINUOUS)
        return lk_err_set(err, LK_EUSAGE,
                          "--trigger continuous has no batches to cap: drop "
                          "--max-events-per-trigger");
    if (o->trigger == KP_TRIG_CONTINUOUS && o->mode == KP_COMPLETE)
        return lk_err_set(err, LK_EUSAGE,
                          "--trigger continuous cannot rewrite the whole table per "
                          "event: use --output-mode append or update");
    if (o->workers > 1 && !has_tenant_group(o->spec))
        return lk_err_set(err, LK_EUSAGE,
                          "--workers %u needs a pipeline grouped by tenant "
                          "(partitions are hash(tenant), so only then is group state local to a "
                          "worker)",
                          o->workers);
    if (o->workers > 1 && o->source == KP_SRC_FILES)
        return lk_err_set(err, LK_EUSAGE, "--workers splits log partitions: it needs --source log");
    if (o->workers > KP_MAX_WORKERS)
        return lk_err_set(err, LK_EUSAGE, "--workers %u: at most %d", o->workers, KP_MAX_WORKERS);
    if (o->workers > 1 && o->trigger == KP_TRIG_CONTINUOUS)
        return lk_err_set(err, LK_EUSAGE,
                          "--trigger continuous runs one event at a time on one "
                          "worker (use --workers 1)");
    if (o->allowed_lateness < 0)
        return lk_err_set(err, LK_EUSAGE, "--allowed-lateness must not be negative");
    if (o->allowed_lateness
        && (o->trigger != KP_TRIG_CONTINUOUS || o->mode != KP_UPDATE || !o->has_watermark))
        return lk_err_set(err, LK_EUSAGE,
                          "--allowed-lateness re-emits a window for each late "
                          "event after it fired: it needs --trigger continuous, --output-mode "
                          "update and a watermark");
    return 0;
}

/* ------------------------------------------------------------- setup ---- */

static char *run_path(const struct kp_options *o, const char *name)
{
    size_t n = strlen(o->run) + strlen(name) + 2;
    char *p = lk_xmalloc(n);
    snprintf(p, n, "%s/%s", o->run, name);
    return p;
}

/* Current query version: the highest RUN/checkpoint[-vK] present (1 when none). */
static int current_version(const struct kp_options *o)
{
    int v = 1;
    for (int k = 2; k < 1000; k++) {
        char name[32], *p;
        int exists;
        snprintf(name, sizeof(name), "checkpoint-v%d", k);
        p = run_path(o, name);
        exists = lk_is_dir(p);
        free(p);
        if (!exists)
            break;
        v = k;
    }
    return v;
}

/* ------------------------------------------------------- fingerprints ---- */

static void add_hex(cJSON *o, const char *name, uint64_t v)
{
    char hex[20];
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)v);
    cJSON_AddStringToObject(o, name, hex);
}

/*
 * What the checkpoint is bound to (kp_ckpt_open refuses a restart that changes any of
 * it): the pipeline and its canonical content, the dataset, and the options whose change
 * would mix two answers in one table. The trigger, the caps per trigger, the cost model
 * and the durability may change on a restart, as Spark allows.
 */
static char *metadata_of(const struct kp_engine *e)
{
    const struct kp_options *o = e->o;
    cJSON *m = cJSON_CreateObject();
    char wm[32], *spec = lk_spec_to_json(o->spec), *text, *assign;
    if (o->has_watermark)
        lk_duration_format(o->delay, wm, sizeof(wm));
    cJSON_AddStringToObject(m, "pipeline", o->spec->name);
    add_hex(m, "pipeline_content", lk_fnv1a(LK_FNV1A_BASIS, spec, strlen(spec)));
    add_hex(m, "dataset", lk_source_identity(o->data, o->source == KP_SRC_LOG));
    cJSON_AddStringToObject(m, "source", o->source == KP_SRC_LOG ? "log" : "files");
    cJSON_AddStringToObject(m, "output_mode", lk_mode_name((enum lk_mode)o->mode));
    cJSON_AddStringToObject(m, "watermark", o->has_watermark ? wm : "none");
    lk_json_add_int(m, "workers", o->workers ? o->workers : 1);
    if (e->nworkers > 1) { /* worker states hold their partitions: the assignment is fixed */
        assign = lk_xmalloc(8 * KP_MAX_PARTS);
        kp_workers_assignment(e, assign, 8 * KP_MAX_PARTS);
        cJSON_AddStringToObject(m, "partitions", assign);
        free(assign);
    }
    cJSON_AddStringToObject(m, "sink_guarantee",
                            o->exactly_once ? "exactly-once" : "at-least-once");
    cJSON_AddStringToObject(m, "lake", o->lake ? o->lake : "none");
    cJSON_AddBoolToObject(m, "change_feed", o->change_feed);
    cJSON_AddBoolToObject(m, "tenant_views", o->tenant_views);
    if (o->allowed_lateness) /* only when set: older checkpoints stay valid */
        lk_json_add_int(m, "allowed_lateness_ms", o->allowed_lateness);
    text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    free(spec);
    return text;
}

static uint64_t input_bytes(struct kp_engine *e)
{
    uint64_t total = 0;
    struct stat st;
    for (size_t p = 0; e->log && p < lk_log_partitions(e->log); p++)
        if (stat(lk_log_path(e->log, p), &st) == 0)
            total += (uint64_t)st.st_size;
    return total;
}

static int open_source(struct kp_engine *e, struct lk_err *err)
{
    const struct kp_options *o = e->o;
    int rc = o->source == KP_SRC_LOG ? lk_log_open(&e->log, o->data, err)
                                     : lk_landing_open(&e->landing, o->data, err);
    if (rc == 0 && e->log && lk_log_partitions(e->log) > KP_MAX_PARTS)
        rc = lk_err_set(err, LK_EINPUT, "dataset '%s' has more than %d partitions", o->data,
                        KP_MAX_PARTS);
    return rc;
}

static int open_checkpoint(struct kp_engine *e, struct lk_err *err)
{
    char name[32], *p, *meta;
    int rc;
    e->version = current_version(e->o) + (e->o->reprocess ? 1 : 0);
    if (e->version == 1)
        snprintf(name, sizeof(name), "checkpoint");
    else
        snprintf(name, sizeof(name), "checkpoint-v%d", e->version);
    meta = metadata_of(e);
    p = run_path(e->o, name);
    rc = kp_ckpt_open(&e->ckpt, p, meta, e->o->durability, err);
    free(p);
    free(meta);
    return rc;
}

/*
 * Check the input before anything is created: a file or directory that holds no event
 * (a CSV file, an empty dataset) is refused without leaving a half-made RUN behind.
 */
static int check_input(struct kp_engine *e, struct lk_err *err)
{
    int64_t t;
    if (e->landing)
        return lk_landing_count(e->landing) ? 0
                                            : lk_err_set(err, LK_EINPUT,
                                                         "dataset '%s' has no "
                                                         "landing files",
                                                         e->o->data);
    return lk_log_first_arrival(e->o->data, &t, err);
}

/* ------------------------------------------------------ input lines ---- */

int kp_input_lines(struct kp_engine *e, const struct kp_offsets *plan)
{
    lk_buf_reset(&e->input_lines);
    e->prog.input_lines = NULL;
    if (!e->log || lk_log_topic(e->log)) /* a Kafka topic's records cannot be rewritten */
        return 0;
    for (size_t p = 0; p < plan->nparts; p++) {
        uint32_t crc;
        int rc = lk_source_line_crc(lk_log_path(e->log, p), plan->byte[p], &crc, e->err);
        if (rc == LK_EINPUT) /* the reader just read it: the file shrank meanwhile */
            rc = lk_err_set(e->err, LK_EINPUT, "'%s' shrank while it was read",
                            lk_log_path(e->log, p));
        if (rc < 0)
            return rc;
        lk_buf_addf(&e->input_lines, "%s%llu:%08x", p ? "," : "", (unsigned long long)plan->byte[p],
                    (unsigned)crc);
    }
    e->prog.input_lines = e->input_lines.s;
    return 0;
}

/* One committed batch's lines against the dataset now (kp_sink_each_input). */
static int check_batch_lines(void *arg, uint64_t batch, const char *text)
{
    struct kp_engine *e = arg;
    const char *t = text;
    for (size_t p = 0; *t; p++) {
        unsigned long long end;
        unsigned want;
        uint32_t crc;
        int n = 0, rc;
        if (sscanf(t, "%llu:%8x%n", &end, &want, &n) != 2 || p >= lk_log_partitions(e->log))
            return lk_err_set(e->err, LK_EINPUT,
                              "serving database of run '%s' has a bad "
                              "input_lines in batch %llu",
                              e->o->run, (unsigned long long)batch);
        rc = lk_source_line_crc(lk_log_path(e->log, p), end, &crc, e->err);
        if (rc == LK_EINPUT || (rc == 0 && crc != want))
            return lk_err_set(e->err, LK_EINPUT,
                              "dataset '%s' changed under run '%s': '%s' no "
                              "longer holds the line batch %llu read up to byte %llu (rewritten "
                              "or truncated in place); use a new --out",
                              e->o->data, e->o->run, lk_log_path(e->log, p),
                              (unsigned long long)batch, end);
        if (rc < 0)
            return rc;
        t += n;
        t += *t == ',';
    }
    return 0;
}

/* Files of the lake written by batches <= max (DIR/tenant=T/part-N.jsonl, any tenant T). */
static int lake_files(const char *lake, int64_t max, int64_t *n, struct lk_err *err)
{
    DIR *d = opendir(lake);
    struct dirent *de;
    int rc = 0;
    *n = 0;
    if (!d)
        return errno == ENOENT ? 0 : lk_err_sys(err, LK_EIO, errno, "cannot read '%s'", lake);
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t len = strlen(lake) + strlen(de->d_name) + 2, nf;
        char *p, **files;
        if (strncmp(de->d_name, "tenant=", 7) != 0)
            continue;
        p = lk_xmalloc(len);
        snprintf(p, len, "%s/%s", lake, de->d_name);
        if (lk_is_dir(p) && (rc = lk_list_dir(p, ".jsonl", &files, &nf, err)) == 0) {
            for (size_t f = 0; f < nf; f++) {
                long long b;
                if (sscanf(files[f], "part-%lld.jsonl", &b) == 1 && b <= max)
                    (*n)++;
            }
            lk_list_free(files, nf);
        }
        free(p);
    }
    closedir(d);
    return rc;
}

/*
 * Before anything else on a restart: the sink's ledger must hold exactly batches 0..m
 * with m = the latest commits/N, or m = the latest offsets/N when that batch crashed
 * after its sink commit; the lake must hold every file the committed batches wrote.
 * Anything else (serving.db deleted, emptied, an older copy, its -wal lost; the lake
 * deleted) means the checkpoint and the sink cannot both be right: LK_EINPUT.
 */
static int reconcile_sink(struct kp_engine *e, struct lk_err *err)
{
    int64_t lo, lc, count, max, files, found = 0;
    char *db = run_path(e->o, "serving.db");
    int rc;
    if ((rc = kp_ckpt_latest(e->ckpt, &lo, &lc, err)) < 0
        || (rc = kp_sink_ledger(e->sink, &count, &max, &files, err)) < 0)
        goto out;
    if (count != max + 1 || max < lc || max > lo) {
        char held[64] = "no committed batch";
        if (count > 0)
            snprintf(held, sizeof(held), "%lld committed batches, the last %lld", (long long)count,
                     (long long)max);
        rc = lk_err_set(err, LK_EINPUT,
                        "checkpoint '%s' has batches up to %lld committed but "
                        "the serving database '%s' holds %s: it was deleted, emptied, replaced "
                        "by another copy or lost its -wal; use a new --out",
                        kp_ckpt_dir(e->ckpt), (long long)lc, db, held);
        goto out;
    }
    if (e->o->lake && files > 0 && (rc = lake_files(e->o->lake, max, &found, err)) == 0
        && found < files)
        rc = lk_err_set(err, LK_EINPUT,
                        "serving database '%s' records %lld lake files up to "
                        "batch %lld but the lake '%s' holds %lld of them: the lake lost files; "
                        "use a new --out and --lake",
                        db, (long long)files, (long long)max, e->o->lake, (long long)found);
    if (rc == 0)
        rc = kp_sink_bind_run(e->sink, db, kp_ckpt_run_id(e->ckpt), err);
out:
    free(db);
    return rc;
}

static int open_all(struct kp_engine *e, struct lk_err *err)
{
    const struct kp_options *o = e->o;
    char *p;
    int rc;
    if ((rc = open_source(e, err)) < 0 || (rc = check_input(e, err)) < 0
        || (rc = lk_mkdir_p(o->run, err)) < 0 || (rc = lk_lock_take(&e->lock, o->run, err)) < 0)
        return rc;
    p = run_path(o, "run.json");
    unlink(p); /* a run.json present means a finished run: not until this one ends */
    free(p);
    kp_workers_init(e);
    if ((rc = open_checkpoint(e, err)) < 0)
        return rc;
    if (o->lake && (rc = lk_lake_open(&e->lake, o->lake, o->spec, o->durability, err)) < 0)
        return rc;
    p = run_path(o, "serving.db");
    rc = kp_sink_open(&e->sink, p, o->spec, o->mode, e->version, o->exactly_once, o->durability,
                      err);
    free(p);
    if (rc == 0)
        rc = reconcile_sink(e, err);
    if (rc == 0 && e->log) /* the committed batches' input is still what they read */
        rc = kp_sink_each_input(e->sink, check_batch_lines, e, err);
    if (rc == 0) { /* from the committed progress rows: a crash lost or doubled no line */
        p = run_path(o, "metrics.jsonl");
        rc = kp_sink_metrics_open(e->sink, p, err);
        free(p);
    }
    if (rc == 0 && o->change_feed)
        rc = kp_sink_change_feed(e->sink, err);
    if (rc == 0 && o->tenant_views)
        rc = kp_sink_tenant_views(e->sink, err);
    e->bytes_total = input_bytes(e);
    return rc;
}

static void close_all(struct kp_engine *e)
{
    kp_workers_release(e);
    kp_sink_close(e->sink);
    kp_ckpt_close(e->ckpt);
    lk_lake_close(e->lake);
    lk_log_close(e->log);
    lk_landing_close(e->landing);
    kp_rows_release(&e->crows);
    free(e->order);
    lk_lock_release(&e->lock); /* last: nothing of the run is open any more */
}

/* ---------------------------------------------------------- recovery ---- */

static int64_t next_trigger_after(const struct kp_engine *e, int64_t t, int64_t visible)
{
    int64_t step = e->o->trigger == KP_TRIG_CONTINUOUS ? EPOCH_MS : e->o->interval;
    int64_t next;
    if (e->o->trigger == KP_TRIG_ONCE || e->o->trigger == KP_TRIG_AVAILABLE_NOW)
        return visible > t ? visible : t;
    next = lk_align_down(t, step) + step;
    return visible > next ? visible : next;
}

/* Put the sources back where batch `batch` ended. */
static int seek_to(struct kp_engine *e, const struct kp_offsets *o)
{
    int rc = 0;
    e->files_next = o->files_end;
    for (size_t p = 0; e->log && p < o->nparts && rc == 0; p++)
        rc = lk_log_seek(e->log, p, o->line[p], o->byte[p], e->err);
    if (e->log && o->nparts != lk_log_partitions(e->log))
        rc = lk_err_set(e->err, LK_EINPUT, "checkpoint has %zu partitions, dataset '%s' has %zu",
                        o->nparts, e->o->data, lk_log_partitions(e->log));
    return rc;
}

static int restore_committed(struct kp_engine *e, int64_t batch)
{
    struct kp_offsets off;
    struct kp_commit c;
    int rc;
    if ((rc = kp_ckpt_restore_state(e->ckpt, (uint64_t)batch, e->states, e->nworkers, e->err)) < 0
        || (rc = kp_ckpt_read_commit(e->ckpt, (uint64_t)batch, &c, e->err)) < 0
        || (rc = kp_ckpt_read_offsets(e->ckpt, (uint64_t)batch, &off, e->err)) < 0
        || (rc = seek_to(e, &off)) < 0)
        return rc;
    e->next_wm = c.next_wm;
    e->max_et = c.max_event_time;
    e->prev_end = c.prev_end;
    e->last_evict = off.evict_wm;
    e->next_batch = (uint64_t)batch + 1;
    e->next_trigger = next_trigger_after(e, off.trigger_time, c.visible_time);
    return 0;
}

/* Recover from the checkpoint; a batch planned but not committed is re-run exactly. */
static int recover(struct kp_engine *e, int *resumed)
{
    int64_t lo, lc;
    struct kp_offsets replay;
    int rc = kp_ckpt_latest(e->ckpt, &lo, &lc, e->err);
    *resumed = 0;
    if (rc < 0 || lo < 0)
        return rc;
    if (lc > lo || lo > lc + 1)
        return lk_err_set(e->err, LK_ECORRUPT,
                          "checkpoint '%s' is inconsistent (offsets up to "
                          "%lld, commits up to %lld)",
                          kp_ckpt_dir(e->ckpt), (long long)lo, (long long)lc);
    *resumed = 1;
    if ((lc >= 0 && (rc = restore_committed(e, lc)) < 0)
        || (lo > lc && (rc = kp_ckpt_read_offsets(e->ckpt, (uint64_t)lo, &replay, e->err)) < 0))
        return rc;
    if (e->o->note) {
        char msg[4300], clock[80] = "";
        int64_t wall0, virt0;
        double speed;
        if (kp_wall_clock(e, &wall0, &virt0, &speed))
            snprintf(clock, sizeof(clock), ", on the replay's wall clock (%gx)", speed);
        snprintf(msg, sizeof(msg), "resuming from batch %lld (checkpoint in %s)%s",
                 (long long)(lo == lc ? lc + 1 : lo), kp_ckpt_dir(e->ckpt), clock);
        e->o->note(e->o->note_arg, msg);
    }
    if (lo == lc)
        return 0;
    e->next_batch = (uint64_t)lo;
    if (e->o->trigger == KP_TRIG_CONTINUOUS)
        rc = kp_epoch_run(e, replay.trigger_time, &replay);
    else
        rc = kp_batch_run(e, replay.trigger_time, replay.evict_wm, replay.late_wm, &replay);
    if (rc == 0)
        e->next_trigger = next_trigger_after(e, replay.trigger_time, e->prev_end);
    return rc;
}

static void init_fresh(struct kp_engine *e)
{
    e->last_evict = e->next_wm = e->o->has_watermark ? 0 : LK_TIME_NEG_INF;
    e->max_et = LK_TIME_NEG_INF;
    e->prev_end = LK_TIME_NEG_INF;
    e->next_batch = 0;
    e->next_trigger = LK_TIME_NEG_INF;
}

/* ---------------------------------------------------------- triggers ---- */

/* A no-data batch is due after one that evicted with last_evict (Spark's rule). */
static int nodata_due(const struct kp_engine *e, int64_t last_evict)
{
    return kp_uses_watermark(e) && e->next_wm > last_evict;
}

/* First arrival (log) or landing time (files) of the input. */
static int first_time(struct kp_engine *e, int64_t *t)
{
    if (e->landing) {
        if (lk_landing_count(e->landing) == 0)
            return lk_err_set(e->err, LK_EINPUT, "dataset '%s' has no landing files", e->o->data);
        *t = lk_landing_time(e->landing, 0);
        return 0;
    }
    return lk_log_first_arrival(e->o->data, t, e->err);
}

static int last_time(struct kp_engine *e, int64_t *t)
{
    if (e->landing) {
        size_t n = lk_landing_count(e->landing);
        *t = n ? lk_landing_time(e->landing, n - 1) : 0;
        return 0;
    }
    return lk_log_last_arrival(e->o->data, t, e->err);
}

/*
 * The first trigger at or after *t that runs a batch (input available, or a no-data batch
 * due given last_evict, the E of the batch before): 1, or 0 when the input is exhausted.
 */
static int periodic_due(struct kp_engine *e, int64_t *t, int64_t last_evict)
{
    int cont = e->o->trigger == KP_TRIG_CONTINUOUS;
    int64_t step = cont ? EPOCH_MS : e->o->interval;
    for (;;) {
        int64_t next_arrival;
        int exhausted, avail = kp_available(e, *t, &next_arrival, &exhausted);
        if (avail < 0)
            return avail;
        if (avail || (!cont && nodata_due(e, last_evict)))
            return 1;
        if (exhausted)
            return 0;
        *t = lk_align_down(*t, step) + step;
        if (lk_align_up(next_arrival, step) > *t)
            *t = lk_align_up(next_arrival, step);
    }
}

int kp_next_batch_time(struct kp_engine *e, int64_t *t)
{
    struct lk_err ignored = LK_ERR_INIT, *err = e->err;
    int rc;
    e->err = &ignored; /* an error here is met again by the trigger loop, and reported there */
    *t = next_trigger_after(e, e->trigger, e->prog.visible_time);
    rc = periodic_due(e, t, e->evict_wm);
    e->err = err;
    return rc;
}

/*
 * processingTime (interval) and continuous: fire at multiples of the step. With several
 * workers on a log, each batch reads the next one's input ahead (kp_batch.c); the time it
 * was read for is the one this loop would find, by the same periodic_due.
 */
static int run_periodic(struct kp_engine *e)
{
    int cont = e->o->trigger == KP_TRIG_CONTINUOUS;
    int64_t step = cont ? EPOCH_MS : e->o->interval, first;
    int rc;
    if (e->next_trigger == LK_TIME_NEG_INF) {
        if ((rc = first_time(e, &first)) < 0)
            return rc;
        e->next_trigger = lk_align_down(first, step) + (cont ? step : 0);
    }
    e->pipeline = !cont && e->log && e->nworkers > 1;
    for (;;) {
        int64_t t = e->prefetched ? e->prefetch_t : e->next_trigger;
        if ((rc = e->prefetched ? 1 : periodic_due(e, &t, e->last_evict)) <= 0) {
            e->next_trigger = t;
            break;
        }
        rc = cont ? kp_epoch_run(e, t, NULL) : kp_batch_run(e, t, e->next_wm, e->last_evict, NULL);
        if (rc < 0)
            break;
        e->next_trigger = next_trigger_after(e, t, e->prev_end);
    }
    e->pipeline = 0;
    return rc;
}

/* once and available-now: start when everything has arrived. */
static int run_now(struct kp_engine *e, int resumed_pending)
{
    int64_t t, next_arrival;
    int exhausted, avail, rc;
    if (e->o->trigger == KP_TRIG_ONCE && resumed_pending)
        return 0; /* Spark: Once re-runs only the uncommitted batch */
    if ((rc = last_time(e, &t)) < 0)
        return rc;
    if (e->prev_end > t)
        t = e->prev_end;
    while ((avail = kp_available(e, t, &next_arrival, &exhausted)) > 0) {
        if ((rc = kp_batch_run(e, t, e->next_wm, e->last_evict, NULL)) < 0)
            return rc;
        t = e->prev_end > t ? e->prev_end : t;
        if (e->o->trigger == KP_TRIG_ONCE)
            return 0;
    }
    if (avail < 0)
        return avail;
    e->next_trigger = t;
    if (e->o->trigger == KP_TRIG_AVAILABLE_NOW && nodata_due(e, e->last_evict))
        return kp_batch_run(e, t, e->next_wm, e->last_evict, NULL);
    return 0;
}

/* --final-watermark: one last batch with E = +infinity (Flink's end of input). */
static int run_final(struct kp_engine *e)
{
    int64_t t = e->next_trigger;
    if (!e->o->final_watermark || e->last_evict == LK_TIME_POS_INF)
        return 0;
    if (t == LK_TIME_NEG_INF || e->prev_end > t)
        t = e->prev_end == LK_TIME_NEG_INF ? 0 : e->prev_end;
    return kp_batch_run(e, t, LK_TIME_POS_INF, e->last_evict, NULL);
}

/* --------------------------------------------------------- run files ---- */

static const char *trigger_text(const struct kp_options *o, char *buf, size_t size)
{
    if (o->trigger != KP_TRIG_INTERVAL)
        return lk_trigger_name((enum lk_trigger_kind)o->trigger);
    lk_duration_format(o->interval, buf, size);
    return buf;
}

static cJSON *params_json(const struct kp_options *o, int version)
{
    cJSON *p = cJSON_CreateObject();
    char buf[32], wm[32];
    cJSON_AddStringToObject(p, "data", o->data);
    cJSON_AddStringToObject(p, "pipeline", o->spec->name);
    cJSON_AddStringToObject(p, "pipeline_path", o->spec_path ? o->spec_path : "");
    cJSON_AddStringToObject(p, "source", o->source == KP_SRC_LOG ? "log" : "files");
    cJSON_AddStringToObject(p, "trigger", trigger_text(o, buf, sizeof(buf)));
    if (o->has_watermark)
        lk_duration_format(o->delay, wm, sizeof(wm));
    cJSON_AddStringToObject(p, "watermark", o->has_watermark ? wm : "none");
    cJSON_AddStringToObject(p, "output_mode", lk_mode_name((enum lk_mode)o->mode));
    lk_json_add_int(p, "max_events_per_trigger", (int64_t)o->max_events);
    lk_json_add_int(p, "max_files_per_trigger", (int64_t)o->max_files);
    cJSON_AddStringToObject(p, "cost_model", o->model.name);
    cJSON_AddStringToObject(p, "sink_guarantee",
                            o->exactly_once ? "exactly-once" : "at-least-once");
    cJSON_AddBoolToObject(p, "final_watermark", o->final_watermark);
    cJSON_AddStringToObject(p, "lake", o->lake ? o->lake : "");
    lk_json_add_int(p, "workers", o->workers);
    cJSON_AddStringToObject(p, "durability",
                            o->durability == LK_DURABLE_PROCESS ? "process" : "fsync");
    cJSON_AddBoolToObject(p, "change_feed", o->change_feed);
    cJSON_AddBoolToObject(p, "tenant_views", o->tenant_views);
    cJSON_AddStringToObject(p, "clock", o->wall_clock ? "wall" : "virtual");
    if (o->allowed_lateness)
        lk_json_add_int(p, "allowed_lateness_ms", o->allowed_lateness);
    lk_json_add_int(p, "version", version);
    return p;
}

static cJSON *totals_json(const struct kp_summary *s)
{
    cJSON *t = cJSON_CreateObject();
    lk_json_add_int(t, "lines", (int64_t)s->lines);
    lk_json_add_int(t, "processed", (int64_t)s->processed);
    lk_json_add_int(t, "duplicates", (int64_t)s->duplicates);
    lk_json_add_int(t, "late", (int64_t)s->late);
    lk_json_add_int(t, "quarantined", (int64_t)s->quarantined);
    cJSON_AddBoolToObject(t, "every_line_accounted",
                          s->lines == s->processed + s->duplicates + s->late + s->quarantined);
    lk_json_add_int(t, "filtered", (int64_t)s->filtered);
    lk_json_add_int(t, "late_rows", (int64_t)s->late_pairs);
    lk_json_add_int(t, "batches", (int64_t)s->batches);
    lk_json_add_int(t, "no_data_batches", (int64_t)s->nodata_batches);
    lk_json_add_int(t, "replayed_batches", (int64_t)s->replayed_batches);
    lk_json_add_int(t, "output_rows", (int64_t)s->output_rows);
    lk_json_add_int(t, "max_state_rows", (int64_t)s->max_state_rows);
    lk_json_add_int(t, "windows_in_state_at_end", (int64_t)s->state_rows_at_end);
    lk_json_add_int(t, "dedup_ids_at_end", (int64_t)s->ids_at_end);
    lk_json_add_int(t, "files_written", (int64_t)s->files_written);
    lk_json_add_int(t, "bytes_written", (int64_t)s->bytes_written);
    return t;
}

/* Peak resident memory of this process (measured, like wall time: not part of the results). */
static int64_t peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (int64_t)ru.ru_maxrss : -1;
}

static int write_run_files(struct kp_engine *e, struct kp_summary *s)
{
    struct kp_progress tot;
    cJSON *root;
    char *path;
    int rc;
    if ((rc = kp_sink_totals(e->sink, &tot, &s->nodata_batches, &s->replayed_batches, e->err)) < 0)
        return rc;
    s->lines = tot.input_rows;
    s->processed = tot.processed;
    s->duplicates = tot.duplicates;
    s->late = tot.late_events;
    s->quarantined = tot.quarantined;
    s->filtered = tot.filtered;
    s->late_pairs = tot.late_rows;
    s->batches = tot.batch_id;
    s->output_rows = tot.output_rows;
    s->max_state_rows = tot.state_rows;
    s->files_written = tot.files_written;
    s->bytes_written = tot.bytes_written;
    s->first_trigger = tot.trigger_time;
    s->last_visible = tot.visible_time;
    s->state_rows_at_end = kp_workers_cells(e);
    s->ids_at_end = kp_workers_ids(e);
    s->final_watermark = e->next_wm;
    s->version = e->version;
    if (e->o->tenant_views) {
        long long views;
        if ((rc = kp_sink_count_views(e->sink, &views, e->err)) < 0)
            return rc;
        s->tenant_views = (uint64_t)views;
    }
    path = run_path(e->o, "metrics.jsonl");
    rc = kp_sink_metrics(e->sink, path, e->err);
    free(path);
    if (rc < 0)
        return rc;
    root = lk_run_json_new(LK_STACK_KAPPA);
    cJSON_AddItemToObject(root, "parameters", params_json(e->o, e->version));
    cJSON_AddItemToObject(root, "totals", totals_json(s));
    lk_json_add_time(root, "first_trigger", s->first_trigger);
    lk_json_add_time(root, "last_visible", s->last_visible);
    lk_json_add_time(root, "watermark_at_end", e->next_wm);
    if (e->o->tenant_views)
        lk_json_add_int(root, "tenant_views", (int64_t)s->tenant_views);
    cJSON_AddStringToObject(root, "sink_synchronous", kp_sink_synchronous(e->sink));
    cJSON_AddNumberToObject(root, "wall_seconds", s->wall_seconds);
    lk_json_add_int(root, "peak_rss_kb", peak_rss_kb());
    rc = lk_run_json_write(e->o->run, root, e->err);
    cJSON_Delete(root);
    return rc;
}

int kp_run(const struct kp_options *o, struct kp_summary *sum, struct lk_err *err)
{
    struct kp_engine *e = lk_xcalloc(1, sizeof(*e));
    e->lock = (struct lk_lock)LK_LOCK_INIT;
    lk_buf_init(&e->input_lines);
    double wall0 = lk_wall_now();
    int rc, resumed = 0, pending;
    int64_t lo, lc;
    memset(sum, 0, sizeof(*sum));
    e->o = o;
    e->err = err;
    init_fresh(e);
    if ((rc = kp_options_check(o, err)) < 0 || (rc = open_all(e, err)) < 0
        || (rc = kp_ckpt_latest(e->ckpt, &lo, &lc, err)) < 0)
        goto out;
    pending = lo > lc;
    if ((rc = recover(e, &resumed)) < 0)
        goto out;
    if (o->trigger == KP_TRIG_INTERVAL || o->trigger == KP_TRIG_CONTINUOUS)
        rc = run_periodic(e);
    else
        rc = run_now(e, pending);
    if (rc == 0)
        rc = run_final(e);
    if (rc == 0)
        rc = kp_sink_publish(e->sink, err);
    sum->wall_seconds = lk_wall_now() - wall0;
    if (rc == 0)
        rc = write_run_files(e, sum);
out:
    close_all(e);
    lk_buf_release(&e->input_lines);
    free(e);
    return rc;
}
