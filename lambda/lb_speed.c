#include "lb_speed.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_bucket.h"
#include "lb_db.h"
#include "lb_sql.h"
#include "lb_stream.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "lk_time.h"
#include "banned.h"

#define CKPT_MAGIC "lklab lambda speed checkpoint v1"

struct lb_speed {
    struct lb_speed_opts o;
    char *ckpt; /* checkpoint path (o.checkpoint is borrowed only during open) */
    sqlite3 *db;
    sqlite3_stmt *insert;
    struct lb_stream *in;
    struct lb_bucket *bucket;
    unsigned char *blob;
    /* what the checkpoint holds */
    int64_t mb;           /* last micro-batch run */
    int64_t prev_visible; /* when it became visible (LK_TIME_NEG_INF: none yet) */
    uint64_t events, malformed;
    /* derived at open */
    int64_t committed; /* last micro-batch committed in the database */
    uint64_t pending_malformed;
};

/* ------------------------------------------------------------ checkpoint ---- */

int lb_speed_checkpoint(struct lb_speed *s, struct lk_err *err)
{
    size_t n = lb_stream_parts(s->in), cap = 256 + n * 64, len;
    char *buf = lk_xmalloc(cap);
    int rc;
    len = (size_t)snprintf(buf, cap,
                           "%s\nmb %" PRId64 "\nprev_visible %" PRId64 "\nevents %" PRIu64
                           "\nmalformed %" PRIu64 "\nparts %zu\n",
                           CKPT_MAGIC, s->mb, s->prev_visible, s->events, s->malformed, n);
    for (size_t p = 0; p < n; p++) {
        uint64_t line, byte;
        lb_stream_pos(s->in, p, &line, &byte);
        len += (size_t)snprintf(buf + len, cap - len, "%" PRIu64 " %" PRIu64 "\n", line, byte);
    }
    rc = lk_file_write_checked(s->ckpt, buf, len, err);
    free(buf);
    return rc;
}

/* Parse "name <int64>\n" at *p. */
static int read_field(const char **p, const char *name, int64_t *v)
{
    size_t n = strlen(name);
    char *end;
    long long x;
    if (strncmp(*p, name, n) != 0 || (*p)[n] != ' ')
        return -1;
    errno = 0;
    x = strtoll(*p + n + 1, &end, 10);
    if (errno || end == *p + n + 1 || *end != '\n')
        return -1;
    *v = x;
    *p = end + 1;
    return 0;
}

static int parse_positions(const char *p, size_t n, uint64_t *lines, uint64_t *bytes)
{
    for (size_t i = 0; i < n; i++) {
        unsigned long long l, b;
        int used = 0;
        if (sscanf(p, "%llu %llu\n%n", &l, &b, &used) != 2 || used == 0)
            return -1;
        lines[i] = l;
        bytes[i] = b;
        p += used;
    }
    return *p == '\0' ? 0 : -1;
}

static int parse_checkpoint(struct lb_speed *s, const char *text, struct lk_err *err)
{
    size_t n = lb_stream_parts(s->in);
    uint64_t *lines = lk_xcalloc(n, sizeof(*lines)), *bytes = lk_xcalloc(n, sizeof(*bytes));
    const char *p = text;
    int64_t ev, mal, parts;
    int rc = LK_ECORRUPT;
    if (strncmp(p, CKPT_MAGIC "\n", sizeof(CKPT_MAGIC)) == 0) {
        p += sizeof(CKPT_MAGIC);
        if (read_field(&p, "mb", &s->mb) == 0
            && read_field(&p, "prev_visible", &s->prev_visible) == 0
            && read_field(&p, "events", &ev) == 0 && read_field(&p, "malformed", &mal) == 0
            && read_field(&p, "parts", &parts) == 0 && parts == (int64_t)n
            && parse_positions(p, n, lines, bytes) == 0) {
            s->events = (uint64_t)ev;
            s->malformed = (uint64_t)mal;
            rc = lb_stream_seek(s->in, lines, bytes, err);
        }
    }
    if (rc == LK_ECORRUPT)
        lk_err_set(err, rc,
                   "cannot resume from speed checkpoint '%s' (not a checkpoint of "
                   "this dataset)",
                   s->ckpt);
    free(lines);
    free(bytes);
    return rc;
}

static int resume(struct lb_speed *s, struct lk_err *err)
{
    char *text;
    size_t len;
    int rc = lb_db_int(s->db, "SELECT coalesce(max(job), 0) FROM progress WHERE layer = 'speed'", 0,
                       &s->committed, err);
    s->mb = 0;
    s->prev_visible = LK_TIME_NEG_INF;
    if (rc < 0 || !lk_is_file(s->ckpt))
        return rc;
    if ((rc = lk_file_read_checked(s->ckpt, (size_t)64 << 20, &text, &len, err)) < 0)
        return rc;
    rc = parse_checkpoint(s, text, err);
    free(text);
    if (rc == 0 && s->mb > s->committed)
        rc = lk_err_set(err, LK_ECORRUPT,
                        "speed checkpoint '%s' is ahead of the serving "
                        "database (micro-batch %" PRId64 " > %" PRId64 ")",
                        s->ckpt, s->mb, s->committed);
    return rc;
}

/* ------------------------------------------------------------- lifecycle ---- */

int lb_speed_open(struct lb_speed **out, sqlite3 *db, const char *data,
                  const struct lb_speed_opts *o, struct lk_err *err)
{
    struct lb_speed *s = lk_xcalloc(1, sizeof(*s));
    char *sql = lb_sql_speed_insert(o->spec);
    int rc;
    s->o = *o;
    s->ckpt = lk_xstrdup(o->checkpoint);
    s->db = db;
    s->bucket = lb_bucket_new(o->spec);
    s->blob = lk_xmalloc(8 + LK_HLL_M * 4);
    if ((rc = lb_stream_open(&s->in, data, err)) < 0
        || (rc = lk_store_prepare(db, sql, &s->insert, err)) < 0 || (rc = resume(s, err)) < 0) {
        lb_speed_free(s);
        s = NULL;
    }
    free(sql);
    *out = s;
    return rc;
}

void lb_speed_free(struct lb_speed *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->insert);
    lb_stream_close(s->in);
    lb_bucket_free(s->bucket);
    free(s->ckpt);
    free(s->blob);
    free(s);
}

/* --------------------------------------------------------- micro-batches ---- */

static int64_t bucket_end_of(const struct lb_speed *s, int64_t arrival)
{
    return lk_align_up(arrival, s->o.trigger);
}

int lb_speed_next(struct lb_speed *s, int64_t *bucket_end, struct lk_err *err)
{
    const struct lk_record *rec;
    int rc;
    while ((rc = lb_stream_peek(s->in, &rec, err)) > 0 && !rec->valid) {
        s->pending_malformed++; /* reached before any event: goes with the next micro-batch */
        s->malformed++;
        lb_stream_advance(s->in);
    }
    if (rc > 0)
        *bucket_end = bucket_end_of(s, lb_stream_arrival(s->in));
    return rc;
}

/* Consume the bucket's records (and malformed lines reached meanwhile) into the bucket. */
static int consume(struct lb_speed *s, int64_t bucket_end, struct lb_progress *p,
                   struct lk_err *err)
{
    const struct lk_record *rec;
    int rc;
    lb_bucket_reset(s->bucket);
    p->quarantined = s->pending_malformed;
    s->pending_malformed = 0;
    while ((rc = lb_stream_peek(s->in, &rec, err)) > 0) {
        if (!rec->valid) {
            p->quarantined++;
            s->malformed++;
        } else if (bucket_end_of(s, lb_stream_arrival(s->in)) == bucket_end) {
            lb_bucket_add(s->bucket, &rec->ev);
            p->input_rows++;
            s->events++;
        } else {
            break;
        }
        lb_stream_advance(s->in);
    }
    lb_bucket_finish(s->bucket);
    p->rows_written = lb_bucket_cells(s->bucket);
    return rc < 0 ? rc : 0;
}

static int write_cell(struct lb_speed *s, const struct lb_progress *p, size_t i, struct lk_err *err)
{
    const struct lk_spec *spec = s->o.spec;
    struct lb_cell_view c;
    sqlite3_stmt *st = s->insert;
    int col = 1, bad = 0; /* any bind that is not SQLITE_OK (0) */
    size_t nd = 0;
    lb_bucket_cell(s->bucket, i, &c);
    bad |= sqlite3_bind_int64(st, col++, p->job);
    bad |= sqlite3_bind_int64(st, col++, p->cutoff);
    bad |= sqlite3_bind_int64(st, col++, p->visible_time);
    for (size_t g = 0; g < spec->ngroup; g++)
        bad |= sqlite3_bind_text(st, col++, c.group[g].ptr, (int)c.group[g].len, SQLITE_STATIC);
    bad |= sqlite3_bind_int64(st, col++, c.window_start);
    bad |= sqlite3_bind_int64(st, col++, c.window_end);
    for (size_t a = 0; a < spec->naggs; a++) {
        bad |= sqlite3_bind_int64(st, col++, c.values[a]);
        nd += spec->aggs[a].fn == LK_AGG_COUNT_DISTINCT;
    }
    for (size_t d = 0; d < nd; d++) {
        size_t n = lk_hll_serialize(c.sketch[d], s->blob);
        bad |= sqlite3_bind_blob(st, col++, s->blob, (int)n, SQLITE_TRANSIENT);
    }
    if (bad) {
        sqlite3_reset(st);
        return lk_err_set(err, LK_EDB, "cannot bind a speed row of micro-batch %" PRId64 ": %s",
                          p->job, sqlite3_errmsg(s->db));
    }
    return lk_store_step_done(s->db, st, err);
}

/* The idempotent sink: the bucket's rows and the progress row, in one transaction. */
static int sink(struct lb_speed *s, struct lb_progress *p, double t0, char **json,
                struct lk_err *err)
{
    int rc = lb_db_begin(s->db, err);
    for (size_t i = 0; rc == 0 && i < lb_bucket_cells(s->bucket); i++)
        rc = write_cell(s, p, i, err);
    p->duration_ms = (s->o.now() - t0) * 1000.0;
    if (rc == 0)
        rc = lb_job_record(s->db, p, json, err);
    if (rc == 0)
        rc = lb_db_commit(s->db, err);
    if (rc < 0) {
        lb_db_rollback(s->db);
        cJSON_free(*json);
        *json = NULL;
    }
    return rc;
}

/* Virtual time of micro-batch p: queued behind the previous one, modelled duration. */
static void schedule(struct lb_speed *s, int64_t bucket_end, struct lb_progress *p)
{
    p->layer = LB_LAYER_SPEED;
    p->job = ++s->mb;
    p->trigger_time = bucket_end;
    p->cutoff = bucket_end;
    p->bucket_start = bucket_end - s->o.trigger;
    p->start_time = s->prev_visible > bucket_end ? s->prev_visible : bucket_end;
    p->cold = lk_model_cold(s->o.model, s->prev_visible, p->start_time);
    p->modelled_ms = lk_model_microbatch_ms(s->o.model, p->cold, p->input_rows, p->rows_written);
    p->visible_time = p->start_time + p->modelled_ms;
    s->prev_visible = p->visible_time;
}

int lb_speed_microbatch(struct lb_speed *s, int64_t bucket_end, struct lb_progress *p, char **json,
                        struct lk_err *err)
{
    double t0 = s->o.now();
    int rc;
    memset(p, 0, sizeof(*p));
    *json = NULL;
    if ((rc = consume(s, bucket_end, p, err)) < 0)
        return rc;
    schedule(s, bucket_end, p);
    if (p->job > s->committed) {
        if ((rc = sink(s, p, t0, json, err)) < 0)
            return rc;
        s->committed = p->job;
        lb_crash_point(s->o.crash, LB_LAYER_SPEED, p->job);
    }
    if (p->job % s->o.checkpoint_every == 0 && (rc = lb_speed_checkpoint(s, err)) < 0) {
        cJSON_free(*json); /* on failure the caller has nothing to free */
        *json = NULL;
    }
    return rc;
}

int64_t lb_speed_microbatches(const struct lb_speed *s)
{
    return s->mb;
}

uint64_t lb_speed_events(const struct lb_speed *s)
{
    return s->events;
}

uint64_t lb_speed_malformed(const struct lb_speed *s)
{
    return s->malformed;
}

uint64_t lb_speed_done_bytes(const struct lb_speed *s)
{
    return lb_stream_done_bytes(s->in);
}

uint64_t lb_speed_total_bytes(const struct lb_speed *s)
{
    return lb_stream_total_bytes(s->in);
}
