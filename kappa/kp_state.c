#include "kp_state.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

#define CLEAN (UINT64_MAX - 1) /* dirty mark of a cell no batch has changed since loading */

struct cell {
    uint32_t tuple;
    int64_t start, end;
    uint64_t dirty; /* last batch that changed it */
    int dead;       /* merged away (sessions); removed at the next compaction */
    struct lk_agg agg;
};

struct id_entry {
    uint64_t off; /* into ids_arena */
    uint32_t len;
    uint32_t hash32;
    int64_t expiry;
    uint64_t batch; /* batch that added it (checkpoint deltas) */
};

struct retraction {
    uint32_t tuple;
    int64_t start;
    uint64_t batch;
};

struct idx_list {
    uint32_t *v;
    size_t n, cap;
};

struct kp_state {
    const struct lk_spec *spec;
    size_t ndistinct;
    struct lk_strtab *values; /* group and distinct strings */
    struct lk_strtab *tuples; /* group tuples as uint32 value ids */
    struct cell *cells;
    size_t ncells, cells_cap, ndead;
    uint32_t *map; /* cell index + 1 by (tuple, start) */
    size_t map_size;
    struct idx_list *sessions; /* by tuple: live session cells (session windows only) */
    size_t nsessions;
    struct id_entry *ids;
    size_t nids, ids_cap;
    uint32_t *id_map;
    size_t id_map_size;
    char *ids_arena;
    size_t ids_arena_len, ids_arena_cap;
    int64_t ids_min_expiry; /* smallest expiry of any id (LK_TIME_POS_INF when none) */
    struct retraction *retr;
    size_t nretr, retr_cap;
    size_t last_retr;               /* retractions of the last add start here */
    uint64_t last_batch;            /* batch of the last add */
    size_t touched[KP_MAX_WINDOWS]; /* cells the last add aggregated into */
    size_t ntouched;
    size_t *dirty;                  /* cells changed in batch dirty_batch, in first-touch order */
    size_t ndirty, dirty_cap;
    uint64_t dirty_batch;
    int64_t min_end;
};

/* -------------------------------------------------------------- tables ---- */

static uint64_t key_hash(uint32_t tuple, int64_t start)
{
    uint64_t h = (uint64_t)start * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)tuple * 0xc2b2ae3d27d4eb4fULL);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static void idx_push(struct idx_list *l, uint32_t v)
{
    LK_GROW(l->v, l->cap, l->n + 1);
    l->v[l->n++] = v;
}

static struct idx_list *sessions_of(struct kp_state *s, uint32_t tuple)
{
    if (tuple >= s->nsessions) {
        size_t n = s->nsessions ? s->nsessions : 16;
        while (n <= tuple)
            n *= 2;
        s->sessions = lk_xreallocarray(s->sessions, n, sizeof(*s->sessions));
        memset(s->sessions + s->nsessions, 0, (n - s->nsessions) * sizeof(*s->sessions));
        s->nsessions = n;
    }
    return &s->sessions[tuple];
}

/* Rebuild the cell map (and session lists) from the live cells. */
static void rebuild_cells(struct kp_state *s, size_t map_size)
{
    free(s->map);
    s->map = lk_xcalloc(map_size, sizeof(*s->map));
    s->map_size = map_size;
    for (size_t t = 0; t < s->nsessions; t++)
        s->sessions[t].n = 0;
    s->min_end = LK_TIME_POS_INF;
    for (size_t c = 0; c < s->ncells; c++) {
        const struct cell *cell = &s->cells[c];
        size_t i = key_hash(cell->tuple, cell->start) & (map_size - 1);
        while (s->map[i])
            i = (i + 1) & (map_size - 1);
        s->map[i] = (uint32_t)c + 1;
        if (s->spec->window.kind == LK_WIN_SESSION)
            idx_push(sessions_of(s, cell->tuple), (uint32_t)c);
        if (cell->end < s->min_end)
            s->min_end = cell->end;
    }
}

static size_t map_find(const struct kp_state *s, uint32_t tuple, int64_t start)
{
    size_t mask = s->map_size - 1, i = key_hash(tuple, start) & mask;
    for (; s->map[i]; i = (i + 1) & mask) {
        const struct cell *c = &s->cells[s->map[i] - 1];
        if (c->tuple == tuple && c->start == start && !c->dead)
            return s->map[i] - 1;
    }
    return SIZE_MAX;
}

static struct cell *cell_new(struct kp_state *s, uint32_t tuple, int64_t start, int64_t end)
{
    struct cell *c;
    size_t mask, i;
    LK_GROW(s->cells, s->cells_cap, s->ncells + 1);
    c = &s->cells[s->ncells++];
    c->tuple = tuple;
    c->start = start;
    c->end = end;
    c->dirty = CLEAN;
    c->dead = 0;
    lk_agg_init(&c->agg);
    if (end < s->min_end)
        s->min_end = end;
    if (s->ncells * 2 > s->map_size) {
        rebuild_cells(s, s->map_size * 2);
        return &s->cells[s->ncells - 1];
    }
    mask = s->map_size - 1;
    for (i = key_hash(tuple, start) & mask; s->map[i]; i = (i + 1) & mask)
        ;
    s->map[i] = (uint32_t)s->ncells;
    if (s->spec->window.kind == LK_WIN_SESSION)
        idx_push(sessions_of(s, tuple), (uint32_t)(s->ncells - 1));
    return c;
}

static struct cell *cell_get(struct kp_state *s, uint32_t tuple, int64_t start, int64_t end)
{
    size_t c = map_find(s, tuple, start);
    return c == SIZE_MAX ? cell_new(s, tuple, start, end) : &s->cells[c];
}

/* ------------------------------------------------------------ id table ---- */

static void rebuild_ids(struct kp_state *s, size_t size)
{
    free(s->id_map);
    s->id_map = lk_xcalloc(size, sizeof(*s->id_map));
    s->id_map_size = size;
    for (size_t k = 0; k < s->nids; k++) {
        size_t i = s->ids[k].hash32 & (size - 1);
        while (s->id_map[i])
            i = (i + 1) & (size - 1);
        s->id_map[i] = (uint32_t)k + 1;
    }
}

/* Slot for id: its entry's slot, or the empty slot where it would go. */
static size_t id_slot(const struct kp_state *s, const char *p, size_t len, uint32_t h32)
{
    size_t mask = s->id_map_size - 1, i = h32 & mask;
    for (; s->id_map[i]; i = (i + 1) & mask) {
        const struct id_entry *e = &s->ids[s->id_map[i] - 1];
        if (e->hash32 == h32 && e->len == len && memcmp(s->ids_arena + e->off, p, len) == 0)
            break;
    }
    return i;
}

/* Remember id until expiry (keeping the later expiry); 1 when it was new. */
static int id_remember(struct kp_state *s, const char *p, size_t len, int64_t expiry,
                       uint64_t batch)
{
    uint32_t h32 = (uint32_t)lk_hash_bytes(p, len);
    size_t slot = id_slot(s, p, len, h32);
    struct id_entry *e;
    if (s->id_map[slot]) {
        e = &s->ids[s->id_map[slot] - 1];
        if (expiry > e->expiry)
            e->expiry = expiry;
        return 0;
    }
    LK_GROW(s->ids, s->ids_cap, s->nids + 1);
    LK_GROW(s->ids_arena, s->ids_arena_cap, s->ids_arena_len + len);
    memcpy(s->ids_arena + s->ids_arena_len, p, len);
    e = &s->ids[s->nids++];
    e->off = s->ids_arena_len;
    e->len = (uint32_t)len;
    e->hash32 = h32;
    e->expiry = expiry;
    e->batch = batch;
    if (expiry < s->ids_min_expiry)
        s->ids_min_expiry = expiry;
    s->ids_arena_len += len;
    s->id_map[slot] = (uint32_t)s->nids;
    if (s->nids * 2 > s->id_map_size)
        rebuild_ids(s, s->id_map_size * 2);
    return 1;
}

static int id_known(const struct kp_state *s, const char *p, size_t len)
{
    return s->id_map[id_slot(s, p, len, (uint32_t)lk_hash_bytes(p, len))] != 0;
}

/* Forget ids whose expiry <= wm, compacting entries and arena. */
static void evict_ids(struct kp_state *s, int64_t wm)
{
    size_t keep = 0, arena = 0;
    int64_t min_expiry = LK_TIME_POS_INF;
    if (wm < s->ids_min_expiry)
        return; /* nothing expires: no pass over the table */
    for (size_t k = 0; k < s->nids; k++) {
        struct id_entry e = s->ids[k];
        if (e.expiry <= wm)
            continue;
        memmove(s->ids_arena + arena, s->ids_arena + e.off, e.len);
        e.off = arena;
        arena += e.len;
        s->ids[keep++] = e;
        if (e.expiry < min_expiry)
            min_expiry = e.expiry;
    }
    s->ids_min_expiry = min_expiry;
    if (keep == s->nids)
        return;
    s->nids = keep;
    s->ids_arena_len = arena;
    rebuild_ids(s, s->id_map_size);
}

/* ----------------------------------------------------------- lifecycle ---- */

struct kp_state *kp_state_new(const struct lk_spec *spec)
{
    struct kp_state *s = lk_xcalloc(1, sizeof(*s));
    s->spec = spec;
    s->ndistinct = lk_spec_ndistinct(spec);
    s->values = lk_strtab_new();
    s->tuples = lk_strtab_new();
    s->min_end = LK_TIME_POS_INF;
    s->ids_min_expiry = LK_TIME_POS_INF;
    s->dirty_batch = CLEAN;
    rebuild_cells(s, 1024);
    rebuild_ids(s, 1024);
    return s;
}

static void clear_cells(struct kp_state *s)
{
    for (size_t c = 0; c < s->ncells; c++)
        lk_agg_release(&s->cells[c].agg);
    s->ncells = s->ndead = 0;
}

void kp_state_free(struct kp_state *s)
{
    if (!s)
        return;
    clear_cells(s);
    for (size_t t = 0; t < s->nsessions; t++)
        free(s->sessions[t].v);
    free(s->sessions);
    free(s->cells);
    free(s->map);
    free(s->ids);
    free(s->id_map);
    free(s->ids_arena);
    free(s->retr);
    free(s->dirty);
    lk_strtab_free(s->values);
    lk_strtab_free(s->tuples);
    free(s);
}

size_t kp_state_cells(const struct kp_state *s)
{
    return s->ncells - s->ndead;
}

size_t kp_state_ids(const struct kp_state *s)
{
    return s->nids;
}

int64_t kp_state_min_end(const struct kp_state *s)
{
    return s->min_end;
}

/* ---------------------------------------------------------------- add ---- */

static uint32_t tuple_of(struct kp_state *s, const struct lk_event *ev)
{
    uint32_t ids[LK_SPEC_MAX_GROUP];
    for (size_t g = 0; g < s->spec->ngroup; g++) {
        const struct lk_str *v = &ev->str[s->spec->group[g]];
        ids[g] = lk_strtab_intern(s->values, v->ptr, v->len, NULL);
    }
    return lk_strtab_intern(s->tuples, (const char *)ids, s->spec->ngroup * sizeof(ids[0]), NULL);
}

static void distinct_ids(struct kp_state *s, const struct lk_event *ev, uint32_t *ids)
{
    size_t d = 0;
    for (size_t i = 0; i < s->spec->naggs; i++) {
        if (s->spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT) {
            const struct lk_str *v = &ev->str[s->spec->aggs[i].of];
            ids[d++] = lk_strtab_intern(s->values, v->ptr, v->len, NULL);
        }
    }
}

static void retract(struct kp_state *s, uint32_t tuple, int64_t start, uint64_t batch)
{
    if (s->nretr && s->retr[0].batch != batch)
        s->nretr = 0; /* only the current batch's retractions are kept */
    LK_GROW(s->retr, s->retr_cap, s->nretr + 1);
    s->retr[s->nretr].tuple = tuple;
    s->retr[s->nretr].start = start;
    s->retr[s->nretr].batch = batch;
    s->nretr++;
}

/* Mark cell c merged away and drop it from its session list. */
static void kill_cell(struct kp_state *s, size_t c, uint64_t batch)
{
    struct idx_list *l = sessions_of(s, s->cells[c].tuple);
    for (size_t k = 0; k < l->n; k++) {
        if (l->v[k] == c) {
            l->v[k] = l->v[--l->n];
            break;
        }
    }
    s->cells[c].dead = 1;
    s->ndead++;
    if (batch != CLEAN)
        retract(s, s->cells[c].tuple, s->cells[c].start, batch);
}

/* The session cell [start, end) of tuple after merging every session overlapping it. */
static size_t session_merge(struct kp_state *s, uint32_t tuple, int64_t start, int64_t end,
                            uint64_t batch)
{
    struct idx_list *l = sessions_of(s, tuple);
    size_t keeper = SIZE_MAX;
    for (size_t k = 0; k < l->n; k++) {
        const struct cell *c = &s->cells[l->v[k]];
        if (c->start < end && start < c->end) {
            if (c->start < start)
                start = c->start;
            if (c->end > end)
                end = c->end;
        }
    }
    for (size_t k = 0; k < l->n; k++)
        if (s->cells[l->v[k]].start == start)
            keeper = l->v[k];
    if (keeper == SIZE_MAX) {
        cell_new(s, tuple, start, end);
        keeper = s->ncells - 1;
        l = sessions_of(s, tuple);
    }
    for (size_t k = 0; k < l->n;) {
        size_t c = l->v[k];
        if (c != keeper && s->cells[c].start < end && start < s->cells[c].end) {
            lk_agg_merge(&s->cells[keeper].agg, &s->cells[c].agg, s->ndistinct);
            lk_agg_release(&s->cells[c].agg);
            kill_cell(s, c, batch); /* swaps another index into slot k */
            continue;
        }
        k++;
    }
    s->cells[keeper].end = end;
    return keeper;
}

/* Record that cell c changed in batch (the dirty list is what update mode and deltas read). */
static void mark_dirty(struct kp_state *s, size_t c, uint64_t batch)
{
    if (s->dirty_batch != batch) {
        s->ndirty = 0;
        s->dirty_batch = batch;
    }
    if (s->cells[c].dirty == batch)
        return;
    s->cells[c].dirty = batch;
    LK_GROW(s->dirty, s->dirty_cap, s->ndirty + 1);
    s->dirty[s->ndirty++] = c;
}

/* After cells moved (compaction), list the dirty ones again. */
static void rebuild_dirty(struct kp_state *s)
{
    s->ndirty = 0;
    for (size_t c = 0; c < s->ncells; c++) {
        if (s->cells[c].dirty == s->dirty_batch) {
            LK_GROW(s->dirty, s->dirty_cap, s->ndirty + 1);
            s->dirty[s->ndirty++] = c;
        }
    }
}

void kp_state_add(struct kp_state *s, const struct lk_event *ev, int64_t late_wm, uint64_t batch,
                  struct kp_outcome *out)
{
    int64_t starts[KP_MAX_WINDOWS], live[KP_MAX_WINDOWS], expiry = LK_TIME_NEG_INF;
    int64_t len = s->spec->window.kind == LK_WIN_SESSION ? s->spec->window.gap : s->spec->window.size;
    uint32_t ids[LK_SPEC_MAX_DISTINCT], tuple;
    size_t n;
    out->duplicate = 0;
    out->live = out->late = 0;
    if (s->spec->window.kind == LK_WIN_SESSION) {
        starts[0] = ev->event_time;
        n = 1;
    } else {
        n = lk_spec_windows(s->spec, ev->event_time, starts);
    }
    for (size_t k = 0; k < n; k++) {
        if (starts[k] + len <= late_wm) {
            out->late_start[out->late] = starts[k];
            out->late_end[out->late++] = starts[k] + len;
        } else {
            live[out->live++] = starts[k];
            expiry = starts[k] + len;
        }
    }
    s->ntouched = 0;
    s->last_retr = s->nretr && s->retr[0].batch == batch ? s->nretr : 0;
    s->last_batch = batch;
    if (out->live == 0)
        return;
    if (s->spec->dedup) {
        const struct lk_str *id = &ev->str[LK_F_EVENT_ID];
        if (id_known(s, id->ptr, id->len)) {
            out->duplicate = 1;
            out->live = 0;
            return;
        }
        id_remember(s, id->ptr, id->len, expiry, batch);
    }
    tuple = tuple_of(s, ev);
    distinct_ids(s, ev, ids);
    for (size_t k = 0; k < out->live; k++) {
        struct cell *c;
        if (s->spec->window.kind == LK_WIN_SESSION) {
            size_t idx = session_merge(s, tuple, live[k], live[k] + len, batch); /* may move cells */
            c = &s->cells[idx];
        } else {
            c = cell_get(s, tuple, live[k], live[k] + len);
        }
        lk_agg_add(&c->agg, ev->value, ids, s->ndistinct);
        mark_dirty(s, (size_t)(c - s->cells), batch);
        s->touched[s->ntouched++] = (size_t)(c - s->cells);
    }
}

/* ------------------------------------------------------------ output ---- */

static void make_row(const struct kp_state *s, const struct cell *c, struct lk_csv_row *row)
{
    struct lk_str tb = lk_strtab_get(s->tuples, c->tuple);
    for (size_t g = 0; g < s->spec->ngroup; g++) {
        uint32_t id;
        memcpy(&id, tb.ptr + g * sizeof(id), sizeof(id));
        row->group[g] = lk_strtab_get(s->values, id);
    }
    row->window_start = c->start;
    row->window_end = c->end;
    for (size_t i = 0; i < s->spec->naggs; i++)
        row->values[i] = lk_agg_result(&c->agg, s->spec, i);
}

int kp_state_evict(struct kp_state *s, int64_t wm, kp_row_fn fn, void *arg)
{
    struct lk_csv_row row;
    size_t keep = 0;
    int rc = 0;
    if (wm < s->min_end && s->ndead == 0) {
        evict_ids(s, wm);
        return 0;
    }
    for (size_t c = 0; c < s->ncells; c++) {
        struct cell *cell = &s->cells[c];
        if (!cell->dead && cell->end > wm) {
            s->cells[keep++] = *cell;
            continue;
        }
        if (!cell->dead && fn && rc == 0) {
            make_row(s, cell, &row);
            rc = fn(arg, &row);
        }
        if (!cell->dead)
            lk_agg_release(&cell->agg);
    }
    s->ncells = keep;
    s->ndead = 0;
    rebuild_cells(s, s->map_size);
    rebuild_dirty(s);
    evict_ids(s, wm);
    return rc;
}

int kp_state_rows(struct kp_state *s, uint64_t batch, kp_row_fn fn, void *arg)
{
    struct lk_csv_row row;
    int rc = 0;
    if (batch == UINT64_MAX) {
        for (size_t c = 0; c < s->ncells && rc == 0; c++) {
            if (!s->cells[c].dead) {
                make_row(s, &s->cells[c], &row);
                rc = fn(arg, &row);
            }
        }
        return rc;
    }
    for (size_t k = 0; batch == s->dirty_batch && k < s->ndirty && rc == 0; k++) {
        const struct cell *cell = &s->cells[s->dirty[k]];
        if (cell->dead || cell->dirty != batch)
            continue;
        make_row(s, cell, &row);
        rc = fn(arg, &row);
    }
    return rc;
}

int kp_state_retractions(struct kp_state *s, uint64_t batch, kp_row_fn fn, void *arg)
{
    struct lk_csv_row row;
    int rc = 0;
    memset(&row, 0, sizeof(row));
    for (size_t r = 0; r < s->nretr && rc == 0; r++) {
        struct cell tmp;
        if (s->retr[r].batch != batch)
            continue;
        memset(&tmp, 0, sizeof(tmp));
        tmp.tuple = s->retr[r].tuple;
        tmp.start = s->retr[r].start;
        lk_agg_init(&tmp.agg);
        make_row(s, &tmp, &row);
        rc = fn(arg, &row);
    }
    return rc;
}

int kp_state_last_changes(struct kp_state *s, kp_row_fn retract_fn, kp_row_fn row_fn, void *arg)
{
    struct lk_csv_row row;
    int rc = 0;
    memset(&row, 0, sizeof(row));
    for (size_t r = s->last_retr; r < s->nretr && rc == 0; r++) {
        struct cell tmp;
        if (s->retr[r].batch != s->last_batch)
            continue;
        memset(&tmp, 0, sizeof(tmp));
        tmp.tuple = s->retr[r].tuple;
        tmp.start = s->retr[r].start;
        lk_agg_init(&tmp.agg);
        make_row(s, &tmp, &row);
        rc = retract_fn(arg, &row);
    }
    for (size_t k = 0; k < s->ntouched && rc == 0; k++) {
        if (s->cells[s->touched[k]].dead)
            continue;
        make_row(s, &s->cells[s->touched[k]], &row);
        rc = row_fn(arg, &row);
    }
    return rc;
}

/* ---------------------------------------------------------- checkpoint ---- */
/*
 * Text format, one record per line; strings as <length>:<bytes> so any byte is safe:
 *   lkstate v1 snapshot|delta batch=<N> evict=<ms>|none
 *   C <group strings> <start> <end> <count> <sum> <min> <max> {<n> <strings>} per distinct
 *   R <group strings> <start>            (a session merged away in this batch)
 *   D <expiry> <event_id>                (a remembered id)
 */

/* A growable output buffer (faster than stdio for the many small numbers of a snapshot). */
struct obuf {
    char *p;
    size_t len, cap;
};

static char *ob_room(struct obuf *b, size_t n)
{
    LK_GROW(b->p, b->cap, b->len + n);
    return b->p + b->len;
}

static void ob_bytes(struct obuf *b, const void *src, size_t n)
{
    memcpy(ob_room(b, n), src, n);
    b->len += n;
}

static void ob_char(struct obuf *b, char c)
{
    *ob_room(b, 1) = c;
    b->len++;
}

/* " <v>" in decimal */
static void ob_i64(struct obuf *b, int64_t v)
{
    char tmp[24], *o;
    size_t n = 0, total;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        tmp[n++] = '-';
    tmp[n++] = ' ';
    total = n;
    o = ob_room(b, total);
    while (n)
        *o++ = tmp[--n];
    b->len += total;
}

static void put_str(struct obuf *b, struct lk_str v)
{
    ob_i64(b, (int64_t)v.len);
    ob_char(b, ':');
    ob_bytes(b, v.ptr, v.len);
}

static void put_group(const struct kp_state *s, struct obuf *b, uint32_t tuple)
{
    struct lk_str tb = lk_strtab_get(s->tuples, tuple);
    for (size_t g = 0; g < s->spec->ngroup; g++) {
        uint32_t id;
        memcpy(&id, tb.ptr + g * sizeof(id), sizeof(id));
        put_str(b, lk_strtab_get(s->values, id));
    }
}

static void put_cell(const struct kp_state *s, struct obuf *b, const struct cell *c)
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
                put_str(b, lk_strtab_get(s->values, set->slots[k] - 1));
    }
    ob_char(b, '\n');
}

static size_t first_id_of(const struct kp_state *s, uint64_t batch)
{
    size_t k = s->nids;
    while (k > 0 && s->ids[k - 1].batch == batch)
        k--;
    return k;
}

void kp_state_write(struct kp_state *s, uint64_t batch, int snapshot, int64_t evict_wm, char **out,
                    size_t *len)
{
    struct obuf b = { NULL, 0, 0 };
    char head[96];
    int n = snprintf(head, sizeof(head), "lkstate v1 %s batch=%" PRIu64 " evict=",
                     snapshot ? "snapshot" : "delta", batch);
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
    for (size_t k = snapshot ? 0 : first_id_of(s, batch); k < s->nids; k++) {
        const struct id_entry *e = &s->ids[k];
        struct lk_str v = { s->ids_arena + e->off, e->len };
        ob_char(&b, 'D');
        ob_i64(&b, e->expiry);
        put_str(&b, v);
        ob_char(&b, '\n');
    }
    *out = b.p;
    *len = b.len;
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
    int64_t n = rd_i64(r);
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
    return r->bad ? 0 : lk_strtab_intern(s->tuples, (const char *)ids, s->spec->ngroup * sizeof(ids[0]), NULL);
}

static void rd_cell(struct kp_state *s, struct rd *r)
{
    uint32_t tuple = rd_group(s, r);
    int64_t start = rd_i64(r), end = rd_i64(r);
    struct cell *c;
    if (r->bad)
        return;
    c = cell_get(s, tuple, start, end);
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

static void rd_line(struct kp_state *s, struct rd *r)
{
    char kind = *r->p++;
    if (kind == 'C') {
        rd_cell(s, r);
    } else if (kind == 'R') {
        uint32_t tuple = rd_group(s, r);
        int64_t start = rd_i64(r);
        size_t c = r->bad ? SIZE_MAX : map_find(s, tuple, start);
        if (c != SIZE_MAX) {
            lk_agg_release(&s->cells[c].agg);
            kill_cell(s, c, CLEAN);
        }
    } else if (kind == 'D') {
        int64_t expiry = rd_i64(r);
        struct lk_str v = rd_str(r);
        if (!r->bad)
            id_remember(s, v.ptr, v.len, expiry, CLEAN);
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
        clear_cells(s);
        s->nids = s->ids_arena_len = 0;
        s->ids_min_expiry = LK_TIME_POS_INF;
        rebuild_cells(s, s->map_size);
        rebuild_ids(s, s->id_map_size);
    }
    r.p = nl + 1;
    while (r.p < r.end && !r.bad)
        rd_line(s, &r);
    if (r.bad)
        return lk_err_set(err, LK_ECORRUPT, "malformed state record at byte %zu", (size_t)(r.p - buf));
    for (size_t c = 0; c < s->ncells; c++)
        s->cells[c].dirty = CLEAN;
    s->ndirty = 0;
    if (evict != LK_TIME_NEG_INF)
        kp_state_evict(s, evict, NULL, NULL);
    return 0;
}
