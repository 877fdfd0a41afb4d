#include "lb_stream.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

enum head_state { H_UNKNOWN, H_VALID, H_MALFORMED, H_EOF };

struct head {
    int64_t at;
    size_t p;
};

struct lb_stream {
    struct lk_log *log;
    size_t n;
    unsigned char *state; /* enum head_state per partition */
    struct head *heap;    /* valid heads, min (at, p) on top */
    size_t nheap;
    size_t nmalformed; /* partitions whose head is malformed */
    size_t *refill;    /* partitions to peek again */
    size_t nrefill;
    size_t chosen;    /* partition of the last peek, or n */
    int64_t *last_at; /* largest arrival of the valid lines peeked per partition */
    uint64_t total;
};

static int head_less(const struct head *a, const struct head *b)
{
    return a->at < b->at || (a->at == b->at && a->p < b->p);
}

static void heap_push(struct lb_stream *s, int64_t at, size_t p)
{
    size_t i = s->nheap++;
    struct head h = { at, p };
    while (i > 0 && head_less(&h, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = h;
}

static void heap_pop(struct lb_stream *s)
{
    struct head last = s->heap[--s->nheap];
    size_t i = 0, n = s->nheap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && head_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!head_less(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n > 0)
        s->heap[i] = last;
}

static void reset_heads(struct lb_stream *s)
{
    s->nheap = s->nmalformed = 0;
    s->nrefill = s->n;
    for (size_t p = 0; p < s->n; p++) {
        s->state[p] = H_UNKNOWN;
        s->refill[p] = p;
        s->last_at[p] = LK_TIME_NEG_INF;
    }
    s->chosen = s->n;
}

int lb_stream_open(struct lb_stream **out, const char *data, struct lk_err *err)
{
    struct lb_stream *s = lk_xcalloc(1, sizeof(*s));
    int rc = lk_log_open(&s->log, data, err);
    if (rc < 0) {
        free(s);
        return rc;
    }
    s->n = lk_log_partitions(s->log);
    s->state = lk_xcalloc(s->n, 1);
    s->heap = lk_xcalloc(s->n, sizeof(*s->heap));
    s->refill = lk_xcalloc(s->n, sizeof(*s->refill));
    s->last_at = lk_xcalloc(s->n, sizeof(*s->last_at));
    for (size_t p = 0; p < s->n; p++) {
        struct stat sb;
        if (stat(lk_log_path(s->log, p), &sb) == 0)
            s->total += (uint64_t)sb.st_size;
    }
    reset_heads(s);
    *out = s;
    return 0;
}

void lb_stream_close(struct lb_stream *s)
{
    if (!s)
        return;
    lk_log_close(s->log);
    free(s->state);
    free(s->heap);
    free(s->refill);
    free(s->last_at);
    free(s);
}

/* Peek the partitions whose head is unknown and file them as valid / malformed / eof. */
static int refill_heads(struct lb_stream *s, struct lk_err *err)
{
    while (s->nrefill > 0) {
        size_t p = s->refill[s->nrefill - 1];
        const struct lk_record *rec;
        int rc = lk_log_peek(s->log, p, &rec, err);
        if (rc < 0)
            return rc;
        s->nrefill--;
        if (rc == 0) {
            s->state[p] = H_EOF;
        } else if (rec->valid) {
            if (rec->ev.arrival_time > s->last_at[p]) /* else: available with the line above */
                s->last_at[p] = rec->ev.arrival_time;
            s->state[p] = H_VALID;
            heap_push(s, s->last_at[p], p);
        } else {
            s->state[p] = H_MALFORMED;
            s->nmalformed++;
        }
    }
    return 0;
}

int lb_stream_peek(struct lb_stream *s, const struct lk_record **rec, struct lk_err *err)
{
    int rc = refill_heads(s, err);
    if (rc < 0)
        return rc;
    s->chosen = s->n;
    if (s->nmalformed > 0) {
        for (size_t p = 0; p < s->n && s->chosen == s->n; p++)
            if (s->state[p] == H_MALFORMED)
                s->chosen = p;
    } else if (s->nheap > 0) {
        s->chosen = s->heap[0].p;
    } else {
        return 0;
    }
    return lk_log_peek(s->log, s->chosen, rec, err);
}

int64_t lb_stream_arrival(const struct lb_stream *s)
{
    return s->chosen < s->n && s->state[s->chosen] == H_VALID ? s->last_at[s->chosen]
                                                              : LK_TIME_NEG_INF;
}

void lb_stream_advance(struct lb_stream *s)
{
    size_t p = s->chosen;
    if (p >= s->n)
        return;
    if (s->state[p] == H_MALFORMED)
        s->nmalformed--;
    else
        heap_pop(s);
    lk_log_advance(s->log, p);
    s->state[p] = H_UNKNOWN;
    s->refill[s->nrefill++] = p;
    s->chosen = s->n;
}

size_t lb_stream_parts(const struct lb_stream *s)
{
    return s->n;
}

const char *lb_stream_path(const struct lb_stream *s, size_t p)
{
    return lk_log_path(s->log, p);
}

int lb_stream_live(const struct lb_stream *s)
{
    return lk_log_topic(s->log) != NULL;
}

uint64_t lb_stream_line(const struct lb_stream *s, const struct lk_record *rec)
{
    return rec->offset - lk_log_first_offset(s->log);
}

void lb_stream_pos(const struct lb_stream *s, size_t p, uint64_t *line, uint64_t *byte)
{
    *line = lk_log_offset(s->log, p);
    *byte = lk_log_byte_offset(s->log, p);
}

int lb_stream_seek(struct lb_stream *s, const uint64_t *lines, const uint64_t *bytes,
                   struct lk_err *err)
{
    for (size_t p = 0; p < s->n; p++) {
        int rc = lk_log_seek(s->log, p, lines[p], bytes[p], err);
        if (rc < 0)
            return rc;
    }
    reset_heads(s);
    return 0;
}

uint64_t lb_stream_done_bytes(const struct lb_stream *s)
{
    uint64_t done = 0;
    for (size_t p = 0; p < s->n; p++)
        done += lk_log_byte_offset(s->log, p);
    return done;
}

uint64_t lb_stream_total_bytes(const struct lb_stream *s)
{
    return s->total;
}
