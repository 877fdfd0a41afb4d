/*
 * kp_state_io - the checkpoint text format of kp_state (kp_state_write, kp_state_apply):
 * snapshots and deltas, split from kp_state.c; the format is described below.
 */
#include "kp_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_state_int.h"
#include "lk_buf.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

/* ---------------------------------------------------------- checkpoint ---- */
/*
 * Text format, one record per line; a string is written bare when it starts with a letter
 * or '_' and has only printable ASCII without spaces (t01, u00040), else as
 * <length>:<bytes> so any byte is safe (a digit first tells the two apart):
 *   lkstate v1 snapshot|delta batch=<N> evict=<ms>|none
 *   C <group strings> <start> <end> <count> <sum> <min> <max> {<n> <strings>} per distinct
 *   R <group strings> <start>            (a session merged away in this batch)
 *   D <expiry> <n> <event_id>...         (n remembered ids with that expiry, in the order
 *                                         they were added; one id without <n> is read too)
 */

#define OB_FLUSH ((size_t)1 << 20) /* hand the text over in pieces of about this size */
#define IDS_PER_LINE 64

/*
 * An output buffer (faster than stdio for the many small numbers of a snapshot): text
 * collects in an lk_buf (the state's, kept between checkpoints) and goes to fn whenever
 * the next item would not fit. Writers fill ob_room's bytes, then ob_done moves the end.
 */
struct obuf {
    struct lk_buf buf;
    kp_write_fn fn;
    void *arg;
};

static void ob_make_room(struct obuf *b, size_t n)
{
    if (b->buf.len) {
        b->fn(b->arg, b->buf.s, b->buf.len);
        lk_buf_reset(&b->buf);
    }
    lk_buf_grow(&b->buf, n > OB_FLUSH ? n : OB_FLUSH);
}

/* Room for n more bytes at the end of the text; returns where they go. */
static inline char *ob_room(struct obuf *b, size_t n)
{
    if (b->buf.len + n >= b->buf.cap)
        ob_make_room(b, n);
    return b->buf.s + b->buf.len;
}

/* The bytes up to end (inside the last ob_room) are text now. */
static inline void ob_done(struct obuf *b, const char *end)
{
    lk_buf_setlen(&b->buf, (size_t)(end - b->buf.s));
}

/* Decimal digits of u at o; returns the end. */
static char *put_u64(char *o, uint64_t u)
{
    static const char pairs[] = "0001020304050607080910111213141516171819"
                                "2021222324252627282930313233343536373839"
                                "4041424344454647484950515253545556575859"
                                "6061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char tmp[20];
    size_t n = sizeof(tmp);
    for (; u >= 100; u /= 100) {
        n -= 2;
        memcpy(tmp + n, pairs + 2 * (u % 100), 2);
    }
    if (u >= 10) {
        n -= 2;
        memcpy(tmp + n, pairs + 2 * u, 2);
    } else {
        tmp[--n] = (char)('0' + u);
    }
    memcpy(o, tmp + n, sizeof(tmp) - n);
    return o + sizeof(tmp) - n;
}

static void ob_bytes(struct obuf *b, const void *src, size_t n)
{
    char *o = ob_room(b, n);
    memcpy(o, src, n);
    ob_done(b, o + n);
}

static void ob_char(struct obuf *b, char c)
{
    char *o = ob_room(b, 1);
    *o = c;
    ob_done(b, o + 1);
}

/* " <v>" in decimal */
static void ob_i64(struct obuf *b, int64_t v)
{
    char *o = ob_room(b, 22);
    *o++ = ' ';
    if (v < 0)
        *o++ = '-';
    ob_done(b, put_u64(o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v));
}

/* 1 when s can be written bare: a letter or '_' first, then printable ASCII without spaces. */
static int bare_ok(struct lk_str v)
{
    unsigned char c = v.len ? (unsigned char)v.ptr[0] : 0;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
        return 0;
    for (size_t i = 1; i < v.len; i++)
        if ((unsigned char)v.ptr[i] <= ' ' || (unsigned char)v.ptr[i] >= 0x7F)
            return 0;
    return 1;
}

/* " <bytes>" when bare, else " <length>:<bytes>" */
static void put_str_as(struct obuf *b, struct lk_str v, int bare)
{
    char *o = ob_room(b, 23 + v.len);
    *o++ = ' ';
    if (!bare) {
        o = put_u64(o, v.len);
        *o++ = ':';
    }
    memcpy(o, v.ptr, v.len);
    ob_done(b, o + v.len);
}

static void put_str(struct obuf *b, struct lk_str v)
{
    put_str_as(b, v, bare_ok(v));
}

/* Value id of s->values, its bare_ok remembered (values repeat in every snapshot). */
static void put_value(struct kp_state *s, struct obuf *b, uint32_t id)
{
    struct lk_str v = lk_strtab_get(s->values, id);
    if (id >= s->bare_cap) {
        size_t old = s->bare_cap;
        LK_GROW(s->bare, s->bare_cap, (size_t)id + 1);
        memset(s->bare + old, 0, s->bare_cap - old);
    }
    if (!s->bare[id])
        s->bare[id] = bare_ok(v) ? 1 : 2;
    put_str_as(b, v, s->bare[id] == 1);
}

static void put_group(struct kp_state *s, struct obuf *b, uint32_t tuple)
{
    struct lk_str tb = lk_strtab_get(s->tuples, tuple);
    for (size_t g = 0; g < s->spec->ngroup; g++) {
        uint32_t id;
        memcpy(&id, tb.ptr + g * sizeof(id), sizeof(id));
        put_value(s, b, id);
    }
}

static void put_cell(struct kp_state *s, struct obuf *b, const struct cell *c)
{
    int64_t v[6] = { c->start, c->end, c->agg.count, c->agg.sum, c->agg.min, c->agg.max };
    ob_char(b, 'C');
    put_group(s, b, c->tuple);
    for (int i = 0; i < 6; i++)
        ob_i64(b, v[i]);
    for (size_t d = 0; d < s->ndistinct; d++) {
        const struct lk_idset *set = &c->agg.distinct[d];
        ob_i64(b, set->n);
        for (uint32_t k = 0; k < set->cap; k++)
            if (set->slots[k])
                put_value(s, b, set->slots[k] - 1);
    }
    ob_char(b, '\n');
}

static size_t first_id_of(const struct kp_state *s, uint64_t batch)
{
    return batch == s->ids_batch ? s->ids_batch_first : s->nids;
}

/* The remembered ids of ids[k..] as D lines: runs of equal expiry, at most IDS_PER_LINE a line. */
static void put_ids(const struct kp_state *s, struct obuf *b, size_t k)
{
    for (;;) {
        size_t end, n = 0;
        while (k < s->nids && !kps_id_live(s, &s->ids[k]))
            k++;
        if (k == s->nids)
            return;
        for (end = k; end < s->nids && n < IDS_PER_LINE; end++) {
            if (kps_id_live(s, &s->ids[end]) && s->ids[end].expiry != s->ids[k].expiry)
                break;
            n += (size_t)kps_id_live(s, &s->ids[end]);
        }
        ob_char(b, 'D');
        ob_i64(b, s->ids[k].expiry);
        ob_i64(b, (int64_t)n);
        for (; k < end; k++) {
            struct lk_str v = { s->ids_arena + s->ids[k].off, s->ids[k].len };
            if (kps_id_live(s, &s->ids[k]))
                put_str(b, v);
        }
        ob_char(b, '\n');
    }
}

void kp_state_write(struct kp_state *s, uint64_t batch, int snapshot, int64_t evict_wm,
                    kp_write_fn fn, void *arg)
{
    /* the state keeps the buffer's bytes between checkpoints (cap 0: none yet) */
    struct obuf b = { { s->wbuf_cap ? s->wbuf : lk_buf_empty, 0, s->wbuf_cap }, fn, arg };
    char head[96];
    int n =
        snprintf(head, sizeof(head),
                 "lkstate v1 %s batch=%" PRIu64 " evict=", snapshot ? "snapshot" : "delta", batch);
    ob_bytes(&b, head, (size_t)n);
    if (evict_wm == LK_TIME_NEG_INF) {
        ob_bytes(&b, "none\n", 5);
    } else {
        n = snprintf(head, sizeof(head), "%" PRId64 "\n", evict_wm);
        ob_bytes(&b, head, (size_t)n);
    }
    if (snapshot) {
        for (size_t c = 0; c < s->ncells; c++)
            if (!s->cells[c].dead)
                put_cell(s, &b, &s->cells[c]);
    } else {
        for (size_t k = 0; batch == s->dirty_batch && k < s->ndirty; k++)
            if (!s->cells[s->dirty[k]].dead && s->cells[s->dirty[k]].dirty == batch)
                put_cell(s, &b, &s->cells[s->dirty[k]]);
    }
    for (size_t r = 0; r < s->nretr && !snapshot; r++) {
        if (s->retr[r].batch != batch)
            continue;
        ob_char(&b, 'R');
        put_group(s, &b, s->retr[r].tuple);
        ob_i64(&b, s->retr[r].start);
        ob_char(&b, '\n');
    }
    /* ids are appended in batch order, so this batch's new ids are a suffix */
    put_ids(s, &b, snapshot ? 0 : first_id_of(s, batch));
    if (b.buf.len)
        fn(arg, b.buf.s, b.buf.len);
    s->wbuf = b.buf.cap ? b.buf.s : NULL;
    s->wbuf_cap = b.buf.cap;
}

/* A cursor over a checkpoint buffer; any syntax error sets bad. */
struct rd {
    const char *p, *end;
    int bad;
};

static int64_t rd_i64(struct rd *r)
{
    int64_t v = 0;
    int neg = 0, any = 0;
    if (r->p < r->end && *r->p == ' ')
        r->p++;
    if (r->p < r->end && *r->p == '-') {
        neg = 1;
        r->p++;
    }
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        int digit = *r->p++ - '0';
        if (v > (INT64_MAX - digit) / 10)
            r->bad = 1;
        else
            v = v * 10 + digit;
        any = 1;
    }
    if (!any)
        r->bad = 1;
    return neg ? -v : v;
}

static struct lk_str rd_str(struct rd *r)
{
    struct lk_str v = { NULL, 0 };
    int64_t n;
    if (r->p < r->end && *r->p == ' ')
        r->p++;
    if (r->p < r->end && !(*r->p >= '0' && *r->p <= '9')) { /* bare: up to a space or newline */
        v.ptr = r->p;
        while (r->p < r->end && *r->p != ' ' && *r->p != '\n')
            r->p++;
        v.len = (size_t)(r->p - v.ptr);
        if (!bare_ok(v))
            r->bad = 1;
        return v;
    }
    n = rd_i64(r);
    if (r->bad || n < 0 || r->p >= r->end || *r->p != ':' || n > r->end - r->p - 1) {
        r->bad = 1;
        return v;
    }
    v.ptr = r->p + 1;
    v.len = (size_t)n;
    r->p += 1 + n;
    return v;
}

static uint32_t rd_group(struct kp_state *s, struct rd *r)
{
    uint32_t ids[LK_SPEC_MAX_GROUP];
    for (size_t g = 0; g < s->spec->ngroup && !r->bad; g++) {
        struct lk_str v = rd_str(r);
        ids[g] = r->bad ? 0 : lk_strtab_intern(s->values, v.ptr, v.len, NULL);
    }
    return r->bad ? 0
                  : lk_strtab_intern(s->tuples, (const char *)ids, s->spec->ngroup * sizeof(ids[0]),
                                     NULL);
}

static void rd_cell(struct kp_state *s, struct rd *r)
{
    uint32_t tuple = rd_group(s, r);
    int64_t start = rd_i64(r), end = rd_i64(r);
    struct cell *c;
    if (r->bad)
        return;
    c = kps_cell_get(s, tuple, start, end);
    lk_agg_release(&c->agg);
    lk_agg_init(&c->agg);
    c->end = end;
    c->agg.count = rd_i64(r);
    c->agg.sum = rd_i64(r);
    c->agg.min = rd_i64(r);
    c->agg.max = rd_i64(r);
    for (size_t d = 0; d < s->ndistinct && !r->bad; d++) {
        int64_t n = rd_i64(r);
        for (int64_t k = 0; k < n && !r->bad; k++) {
            struct lk_str v = rd_str(r);
            if (!r->bad)
                lk_idset_add(&c->agg.distinct[d], lk_strtab_intern(s->values, v.ptr, v.len, NULL));
        }
    }
}

/* "D <expiry> <n> <id>..." (or "D <expiry> <id>", one id per line) */
static void rd_ids(struct kp_state *s, struct rd *r)
{
    int64_t expiry = rd_i64(r), n = 1;
    const char *mark = r->p;
    int64_t count = rd_i64(r);
    if (r->p < r->end && *r->p == ':')
        r->p = mark; /* that number was the length of a lone id */
    else
        n = count;
    if (n < 1)
        r->bad = 1;
    for (int64_t k = 0; k < n && !r->bad; k++) {
        struct lk_str v = rd_str(r);
        if (!r->bad)
            kps_id_remember(s, v.ptr, v.len, expiry, CLEAN);
    }
}

static void rd_line(struct kp_state *s, struct rd *r)
{
    char kind = *r->p++;
    if (kind == 'C') {
        rd_cell(s, r);
    } else if (kind == 'R') {
        uint32_t tuple = rd_group(s, r);
        int64_t start = rd_i64(r);
        size_t c = r->bad ? SIZE_MAX : kps_map_find(s, tuple, start);
        if (c != SIZE_MAX) {
            lk_agg_release(&s->cells[c].agg);
            kps_kill_cell(s, c, CLEAN);
        }
    } else if (kind == 'D') {
        rd_ids(s, r);
    } else {
        r->bad = 1;
    }
    if (r->p >= r->end || *r->p != '\n')
        r->bad = 1;
    else
        r->p++;
}

int kp_state_apply(struct kp_state *s, const char *buf, size_t len, struct lk_err *err)
{
    struct rd r = { buf, buf + len, 0 };
    const char *nl = memchr(buf, '\n', len);
    char kind[16] = "";
    unsigned long long batch;
    char wm[32] = "";
    int64_t evict = LK_TIME_NEG_INF;
    if (!nl || sscanf(buf, "lkstate v1 %15s batch=%llu evict=%31s", kind, &batch, wm) != 3
        || (strcmp(kind, "snapshot") && strcmp(kind, "delta")))
        return lk_err_set(err, LK_ECORRUPT, "not a state file (bad header)");
    if (strcmp(wm, "none") != 0) {
        struct rd w = { wm, wm + strlen(wm), 0 };
        evict = rd_i64(&w);
        if (w.bad)
            return lk_err_set(err, LK_ECORRUPT, "bad eviction watermark '%s'", wm);
    }
    if (strcmp(kind, "snapshot") == 0) {
        kps_clear_cells(s);
        s->nids = s->ids_arena_len = s->ids_batch_first = 0;
        s->ids_wm = LK_TIME_NEG_INF;
        s->ids_min_expiry = LK_TIME_POS_INF;
        s->ids_batch = CLEAN;
        kps_rebuild_cells(s, s->map_size);
        kps_rebuild_ids(s, s->id_map_size);
    }
    r.p = nl + 1;
    while (r.p < r.end && !r.bad)
        rd_line(s, &r);
    if (r.bad)
        return lk_err_set(err, LK_ECORRUPT, "malformed state record at byte %zu",
                          (size_t)(r.p - buf));
    for (size_t c = 0; c < s->ncells; c++)
        s->cells[c].dirty = CLEAN;
    s->ndirty = 0;
    if (evict != LK_TIME_NEG_INF)
        kp_state_evict(s, evict, NULL, NULL);
    return 0;
}
