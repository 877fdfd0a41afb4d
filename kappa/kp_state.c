#include "kp_state.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kp_mem.h"
#include "kp_state_int.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

/* -------------------------------------------------------------- tables ---- */

static uint64_t key_hash(uint32_t tuple, int64_t start)
{
    uint64_t h =
        (uint64_t)start * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)tuple * 0xc2b2ae3d27d4eb4fULL);
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

/* A zeroed table of n slots, reusing old (of oldn slots) when the size is the same. */
static void *table_reset(void *old, size_t oldn, size_t n, size_t size)
{
    if (old && oldn == n) {
        memset(old, 0, n * size);
        return old;
    }
    free(old);
    return kp_big_calloc(n, size);
}

/* Slots for n keys when rebuilding a table of cur slots: shrink once it is mostly empty. */
static size_t table_size(size_t n, size_t cur)
{
    size_t want = 1024;
    while (want < n * 4)
        want *= 2;
    return want < cur / 4 ? want : cur;
}

/* Rebuild the cell map (and session lists) from the live cells. */
void kps_rebuild_cells(struct kp_state *s, size_t map_size)
{
    s->map = table_reset(s->map, s->map_size, map_size, sizeof(*s->map));
    s->map_size = map_size;
    for (size_t t = 0; t < s->nsessions; t++)
        s->sessions[t].n = 0;
    s->min_end = LK_TIME_POS_INF;
    for (size_t c = 0; c < s->ncells; c++) {
        const struct cell *cell = &s->cells[c];
        size_t i = key_hash(cell->tuple, cell->start) & (map_size - 1);
        if (cell->dead) /* merged away: back in a session list it would be merged again */
            continue;
        while (s->map[i])
            i = (i + 1) & (map_size - 1);
        s->map[i] = (uint32_t)c + 1;
        if (s->spec->window.kind == LK_WIN_SESSION)
            idx_push(sessions_of(s, cell->tuple), (uint32_t)c);
        if (cell->end < s->min_end)
            s->min_end = cell->end;
    }
}

size_t kps_map_find(const struct kp_state *s, uint32_t tuple, int64_t start)
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
    KP_BIG_GROW(s->cells, s->cells_cap, s->ncells + 1);
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
        kps_rebuild_cells(s, s->map_size * 2);
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

/* 1 when cell c (maybe out of range: a stale hint) is the live cell (tuple, start). */
static int is_cell(const struct kp_state *s, size_t c, uint32_t tuple, int64_t start)
{
    return c < s->ncells && s->cells[c].tuple == tuple && s->cells[c].start == start
           && !s->cells[c].dead;
}

/*
 * The live cell (tuple, start), created when missing. The tuple's last two cells are
 * tried first: consecutive events of a group mostly fall into the same window, or the
 * one before. A stale hint is harmless because (tuple, start) names at most one live cell.
 */
struct cell *kps_cell_get(struct kp_state *s, uint32_t tuple, int64_t start, int64_t end)
{
    uint32_t *hint;
    size_t c;
    if (2 * (size_t)tuple + 1 >= s->last_cap) {
        size_t old = s->last_cap;
        LK_GROW(s->last_cell, s->last_cap, 2 * ((size_t)tuple + 1));
        memset(s->last_cell + old, 0xff, (s->last_cap - old) * sizeof(*s->last_cell));
    }
    hint = &s->last_cell[2 * (size_t)tuple];
    if (is_cell(s, hint[0], tuple, start))
        return &s->cells[hint[0]];
    if (is_cell(s, hint[1], tuple, start)) {
        c = hint[1];
    } else if ((c = kps_map_find(s, tuple, start)) == SIZE_MAX) {
        cell_new(s, tuple, start, end);
        c = s->ncells - 1;
        hint = &s->last_cell[2 * (size_t)tuple];
    }
    hint[1] = hint[0];
    hint[0] = (uint32_t)c;
    return &s->cells[c];
}

/* ------------------------------------------------------------ id table ---- */
/*
 * id_map slots hold (hash32 << 32) | (entry index + 1), 0 = empty: a probe compares
 * hashes without touching the entries, so looking up an id costs one cache miss on
 * the map (plus one on the entry and its bytes when the hash matches).
 *
 * Eviction is lazy: an id whose expiry <= ids_wm is forgotten (a lookup treats it as
 * absent, a new copy takes over its slot, output skips it) and ids[] is compacted only
 * once it has doubled since the last compaction, so eviction costs O(1) per id instead
 * of a pass over the table every batch. The map holds at most one entry per id. Every id
 * added has expiry > ids_wm (its windows passed the late filter, whose watermark is at
 * least every eviction watermark applied), so lazy and eager eviction agree.
 */

#define IDS_COMPACT_MIN ((size_t)4096)

int kps_id_live(const struct kp_state *s, const struct id_entry *e)
{
    return e->expiry > s->ids_wm;
}

static uint64_t id_slot_value(uint32_t h32, size_t k)
{
    return (uint64_t)h32 << 32 | (uint64_t)(k + 1);
}

void kps_rebuild_ids(struct kp_state *s, size_t size)
{
    s->id_map = table_reset(s->id_map, s->id_map_size, size, sizeof(*s->id_map));
    s->id_map_size = size;
    for (size_t k = 0; k < s->nids; k++) {
        size_t i = s->ids[k].hash32 & (size - 1);
        if (!kps_id_live(s, &s->ids[k]))
            continue;
        while (s->id_map[i])
            i = (i + 1) & (size - 1);
        s->id_map[i] = id_slot_value(s->ids[k].hash32, k);
    }
}

/* Slot for id: its entry's (maybe a forgotten one), or the empty slot where it would go. */
static size_t id_slot(const struct kp_state *s, const char *p, size_t len, uint32_t h32)
{
    size_t mask = s->id_map_size - 1, i = h32 & mask;
    for (uint64_t v; (v = s->id_map[i]) != 0; i = (i + 1) & mask) {
        const struct id_entry *e;
        if ((uint32_t)(v >> 32) != h32)
            continue;
        e = &s->ids[(uint32_t)v - 1];
        if (e->len == len && memcmp(s->ids_arena + e->off, p, len) == 0)
            break;
    }
    return i;
}

/* Add a new id at its slot from id_slot (empty, or holding its forgotten entry). */
static void id_put(struct kp_state *s, size_t slot, uint32_t h32, const char *p, size_t len,
                   int64_t expiry, uint64_t batch)
{
    struct id_entry *e;
    KP_BIG_GROW(s->ids, s->ids_cap, s->nids + 1);
    /* + 1: the arena exists even when every id so far is empty (no arithmetic on NULL) */
    KP_BIG_GROW(s->ids_arena, s->ids_arena_cap, s->ids_arena_len + len + 1);
    memcpy(s->ids_arena + s->ids_arena_len, p, len);
    e = &s->ids[s->nids];
    e->off = s->ids_arena_len;
    e->len = (uint32_t)len;
    e->hash32 = h32;
    e->expiry = expiry;
    if (batch != s->ids_batch) { /* ids are added in batch order: each batch's are a suffix */
        s->ids_batch = batch;
        s->ids_batch_first = s->nids;
    }
    if (expiry < s->ids_min_expiry)
        s->ids_min_expiry = expiry;
    s->ids_arena_len += len;
    s->id_map[slot] = id_slot_value(h32, s->nids);
    s->nids++;
    if (s->nids * 2 > s->id_map_size)
        kps_rebuild_ids(s, s->id_map_size * 2);
}

/* Remember id until expiry (keeping the later expiry); 1 when it was new. */
int kps_id_remember(struct kp_state *s, const char *p, size_t len, int64_t expiry, uint64_t batch)
{
    uint32_t h32 = (uint32_t)lk_strtab_hash(p, len);
    size_t slot = id_slot(s, p, len, h32);
    struct id_entry *e = s->id_map[slot] ? &s->ids[(uint32_t)s->id_map[slot] - 1] : NULL;
    if (e && kps_id_live(s, e)) {
        if (expiry > e->expiry)
            e->expiry = expiry;
        return 0;
    }
    id_put(s, slot, h32, p, len, expiry, batch);
    return 1;
}

/* 1 when the id in slot (from id_slot) is remembered. */
static int id_known_at(const struct kp_state *s, size_t slot)
{
    return s->id_map[slot] && kps_id_live(s, &s->ids[(uint32_t)s->id_map[slot] - 1]);
}

/* Drop forgotten ids from ids[] and the arena, keeping the order of the rest. */
static void compact_ids(struct kp_state *s)
{
    size_t keep = 0, arena = 0;
    int64_t min_expiry = LK_TIME_POS_INF;
    size_t first = s->nids;
    for (size_t k = 0; k < s->nids; k++) {
        struct id_entry e = s->ids[k];
        if (k == s->ids_batch_first)
            first = keep;
        if (!kps_id_live(s, &e))
            continue;
        memmove(s->ids_arena + arena, s->ids_arena + e.off, e.len);
        e.off = arena;
        arena += e.len;
        s->ids[keep++] = e;
        if (e.expiry < min_expiry)
            min_expiry = e.expiry;
    }
    s->ids_min_expiry = min_expiry;
    s->ids_batch_first = first < keep ? first : keep;
    s->nids = keep;
    s->ids_arena_len = arena;
    s->ids_compact_at = keep * 2 > IDS_COMPACT_MIN ? keep * 2 : IDS_COMPACT_MIN;
    kps_rebuild_ids(s, table_size(s->nids, s->id_map_size));
}

/* Forget ids whose expiry <= wm (lazily, see above). */
static void evict_ids(struct kp_state *s, int64_t wm)
{
    if (wm > s->ids_wm)
        s->ids_wm = wm;
    if (s->nids >= s->ids_compact_at && s->ids_wm >= s->ids_min_expiry)
        compact_ids(s); /* ids[] has doubled and some of it is forgotten */
}

/* ----------------------------------------------------------- lifecycle ---- */

struct kp_state *kp_state_new(const struct lk_spec *spec)
{
    struct kp_state *s = lk_xcalloc(1, sizeof(*s));
    s->spec = spec;
    s->ndistinct = lk_spec_ndistinct(spec);
    s->values = lk_strtab_new();
    s->tuples = lk_strtab_new();
    s->raw = lk_strtab_new();
    s->min_end = LK_TIME_POS_INF;
    s->ids_wm = LK_TIME_NEG_INF;
    s->ids_compact_at = IDS_COMPACT_MIN;
    s->ids_min_expiry = LK_TIME_POS_INF;
    s->ids_batch = CLEAN;
    s->dirty_batch = CLEAN;
    kps_rebuild_cells(s, 1024);
    kps_rebuild_ids(s, 1024);
    return s;
}

void kps_clear_cells(struct kp_state *s)
{
    for (size_t c = 0; c < s->ncells; c++)
        lk_agg_release(&s->cells[c].agg);
    s->ncells = s->ndead = 0;
}

void kp_state_free(struct kp_state *s)
{
    if (!s)
        return;
    kps_clear_cells(s);
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
    lk_strtab_free(s->raw);
    free(s->raw_tuple);
    free(s->raw_key);
    free(s->last_cell);
    free(s->wbuf);
    free(s->bare);
    free(s);
}

size_t kp_state_cells(const struct kp_state *s)
{
    return s->ncells - s->ndead;
}

size_t kp_state_ids(const struct kp_state *s)
{
    size_t n = 0;
    for (size_t k = 0; k < s->nids; k++)
        n += (size_t)kps_id_live(s, &s->ids[k]);
    return n;
}

void kp_state_flink(struct kp_state *s, int64_t allowed_lateness)
{
    s->flink = 1;
    s->lateness = allowed_lateness;
}

/* The watermark wm as the state applies it: allowed lateness later (see kp_state_flink). */
static int64_t state_wm(const struct kp_state *s, int64_t wm)
{
    if (wm == LK_TIME_POS_INF || wm < LK_TIME_NEG_INF + s->lateness)
        return wm == LK_TIME_POS_INF ? wm : LK_TIME_NEG_INF;
    return wm - s->lateness;
}

int64_t kp_state_min_end(const struct kp_state *s)
{
    return s->min_end >= LK_TIME_POS_INF - s->lateness ? LK_TIME_POS_INF : s->min_end + s->lateness;
}

/* ---------------------------------------------------------------- add ---- */

static void hint_of(const struct kp_state *s, const struct lk_event *ev, struct kp_hint *h)
{
    const struct lk_str *id = &ev->str[LK_F_EVENT_ID];
    size_t d = 0;
    h->id = s->spec->dedup ? lk_strtab_hash(id->ptr, id->len) : 0;
    for (size_t i = 0; i < s->spec->naggs; i++) {
        if (s->spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT) {
            const struct lk_str *v = &ev->str[s->spec->aggs[i].of];
            h->distinct[d++] = lk_strtab_hash(v->ptr, v->len);
        }
    }
}

void kp_state_prefetch(const struct kp_state *s, const struct lk_event *ev, struct kp_hint *h)
{
    hint_of(s, ev, h);
    if (s->spec->dedup)
        __builtin_prefetch(&s->id_map[(uint32_t)h->id & (s->id_map_size - 1)]);
    for (size_t d = 0; d < s->ndistinct; d++)
        lk_strtab_prefetch(s->values, h->distinct[d]);
}

static uint32_t intern_tuple(struct kp_state *s, const struct lk_event *ev)
{
    uint32_t ids[LK_SPEC_MAX_GROUP];
    for (size_t g = 0; g < s->spec->ngroup; g++) {
        const struct lk_str *v = &ev->str[s->spec->group[g]];
        ids[g] = lk_strtab_intern(s->values, v->ptr, v->len, NULL);
    }
    return lk_strtab_intern(s->tuples, (const char *)ids, s->spec->ngroup * sizeof(ids[0]), NULL);
}

/* The event's group tuple id: one lookup of its raw bytes, interning only new tuples. */
static uint32_t tuple_of(struct kp_state *s, const struct lk_event *ev)
{
    size_t len = 0;
    uint32_t raw;
    int added;
    LK_GROW(s->raw_key, s->raw_key_cap, 1); /* never NULL, even without groups (memcpy) */
    for (size_t g = 0; g < s->spec->ngroup; g++) {
        const struct lk_str *v = &ev->str[s->spec->group[g]];
        uint32_t n = (uint32_t)v->len;
        LK_GROW(s->raw_key, s->raw_key_cap, len + sizeof(n) + v->len + 1);
        memcpy(s->raw_key + len, &n, sizeof(n));
        memcpy(s->raw_key + len + sizeof(n), v->ptr, v->len);
        len += sizeof(n) + v->len;
    }
    raw = lk_strtab_intern(s->raw, s->raw_key, len, &added);
    if (added) {
        LK_GROW(s->raw_tuple, s->raw_cap, (size_t)raw + 1);
        s->raw_tuple[raw] = intern_tuple(s, ev);
    }
    return s->raw_tuple[raw];
}

static void distinct_ids(struct kp_state *s, const struct lk_event *ev, const struct kp_hint *h,
                         uint32_t *ids)
{
    size_t d = 0;
    for (size_t i = 0; i < s->spec->naggs; i++) {
        if (s->spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT) {
            const struct lk_str *v = &ev->str[s->spec->aggs[i].of];
            ids[d] = lk_strtab_intern_hashed(s->values, v->ptr, v->len, h->distinct[d], NULL);
            d++;
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
void kps_kill_cell(struct kp_state *s, size_t c, uint64_t batch)
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

/*
 * 1 when session [s1, e1) and [s2, e2) merge: they overlap or touch (e1 == s2), as in
 * Spark (a session merges when sessionStart <= currentSessionEnd) and Flink
 * (TimeWindow.intersects is inclusive).
 */
static int sessions_touch(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
    return s1 <= e2 && s2 <= e1;
}

/* The session cell [start, end) of tuple after merging every session it overlaps or touches. */
static size_t session_merge(struct kp_state *s, uint32_t tuple, int64_t start, int64_t end,
                            uint64_t batch)
{
    struct idx_list *l = sessions_of(s, tuple);
    size_t keeper = SIZE_MAX;
    for (size_t k = 0; k < l->n; k++) {
        const struct cell *c = &s->cells[l->v[k]];
        if (sessions_touch(c->start, c->end, start, end)) {
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
        if (c != keeper && sessions_touch(s->cells[c].start, s->cells[c].end, start, end)) {
            lk_agg_merge(&s->cells[keeper].agg, &s->cells[c].agg, s->ndistinct);
            lk_agg_release(&s->cells[c].agg);
            kps_kill_cell(s, c, batch); /* swaps another index into slot k */
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

/*
 * Flink's rule (kp_state_flink): a session [start, start + len) whose own end is late is
 * still live when it touches a live session of its group, because the merged session
 * ends after that one, which the watermark has not passed (WindowOperator.processElement
 * merges first, then asks isWindowLate of the merged window). Live cells all end after
 * the eviction watermark, which in continuous mode is the late watermark. Returns the
 * latest end of the live sessions it touches (the event's id is kept that long), or
 * LK_TIME_NEG_INF when it touches none (or the rule is off).
 */
static int64_t joined_session_end(struct kp_state *s, const struct lk_event *ev, int64_t start,
                                  int64_t len)
{
    const struct idx_list *l;
    int64_t end = LK_TIME_NEG_INF;
    if (!s->flink || s->spec->window.kind != LK_WIN_SESSION)
        return end;
    l = sessions_of(s, tuple_of(s, ev));
    for (size_t k = 0; k < l->n; k++) {
        const struct cell *c = &s->cells[l->v[k]];
        if (sessions_touch(c->start, c->end, start, start + len) && c->end > end)
            end = c->end;
    }
    return end;
}

void kp_state_add(struct kp_state *s, const struct lk_event *ev, const struct kp_hint *hint,
                  int64_t late_wm, uint64_t batch, struct kp_outcome *out)
{
    struct kp_hint own;
    int64_t starts[KP_MAX_WINDOWS], live[KP_MAX_WINDOWS], expiry = LK_TIME_NEG_INF;
    int64_t len =
        s->spec->window.kind == LK_WIN_SESSION ? s->spec->window.gap : s->spec->window.size;
    uint32_t ids[LK_SPEC_MAX_DISTINCT], tuple;
    size_t n;
    out->duplicate = 0;
    out->live = out->late = 0;
    late_wm = state_wm(s, late_wm);
    if (s->spec->window.kind == LK_WIN_SESSION) {
        starts[0] = ev->event_time;
        n = 1;
    } else {
        n = lk_spec_windows(s->spec, ev->event_time, starts);
    }
    for (size_t k = 0; k < n; k++) {
        int64_t end = starts[k] + len, joined = LK_TIME_NEG_INF;
        if (end <= late_wm && (joined = joined_session_end(s, ev, starts[k], len)) <= end) {
            out->late_start[out->late] = starts[k];
            out->late_end[out->late++] = end;
        } else {
            live[out->live++] = starts[k];
            expiry = end > joined ? end : joined; /* an id outlives its late-filter watermark */
        }
    }
    s->ntouched = 0;
    s->last_retr = s->nretr && s->retr[0].batch == batch ? s->nretr : 0;
    s->last_batch = batch;
    if (out->live == 0)
        return;
    if (!hint) {
        hint_of(s, ev, &own);
        hint = &own;
    }
    if (s->spec->dedup) {
        const struct lk_str *id = &ev->str[LK_F_EVENT_ID];
        uint32_t h32 = (uint32_t)hint->id;
        size_t slot = id_slot(s, id->ptr, id->len, h32);
        if (id_known_at(s, slot)) {
            out->duplicate = 1;
            out->live = 0;
            return;
        }
        id_put(s, slot, h32, id->ptr, id->len, expiry, batch);
    }
    tuple = tuple_of(s, ev);
    distinct_ids(s, ev, hint, ids);
    for (size_t k = 0; k < out->live; k++) {
        struct cell *c;
        if (s->spec->window.kind == LK_WIN_SESSION) {
            size_t idx =
                session_merge(s, tuple, live[k], live[k] + len, batch); /* may move cells */
            c = &s->cells[idx];
        } else {
            c = kps_cell_get(s, tuple, live[k], live[k] + len);
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

/*
 * The watermark the id table may forget by: wm, except that with Flink's session rule
 * (kp_state_flink) a re-delivered copy can still join an open session after its own
 * session's end passed, so no id is forgotten while an open session could hold its event
 * (one starting at or before it): ids expire at event time + gap, forgotten only up to
 * the earliest open session's start.
 */
static int64_t ids_horizon(const struct kp_state *s, int64_t wm)
{
    if (!s->flink || s->spec->window.kind != LK_WIN_SESSION)
        return wm;
    for (size_t c = 0; c < s->ncells; c++)
        if (!s->cells[c].dead && s->cells[c].start < wm)
            wm = s->cells[c].start;
    return wm;
}

int kp_state_evict(struct kp_state *s, int64_t wm, kp_row_fn fn, void *arg)
{
    struct lk_csv_row row;
    size_t keep = 0;
    int rc = 0;
    wm = state_wm(s, wm);
    if (wm < s->min_end && s->ndead == 0) {
        evict_ids(s, ids_horizon(s, wm));
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
    kps_rebuild_cells(s, table_size(s->ncells, s->map_size));
    rebuild_dirty(s);
    evict_ids(s, ids_horizon(s, wm));
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
