#include "lb_bucket.h"

#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "lk_strtab.h"
#include "banned.h"

struct cell {
    uint32_t tuple;
    int64_t start, end;
    int64_t count, sum, min, max;
};

/* An event kept for session windows. */
struct sess_event {
    uint32_t tuple;
    int64_t time, value;
    uint64_t hash[LK_SPEC_MAX_DISTINCT];
};

struct lb_bucket {
    const struct lk_spec *spec;
    size_t nd; /* count_distinct aggregates */
    int dfield[LK_SPEC_MAX_DISTINCT];
    struct lk_strtab *values; /* group strings */
    struct lk_strtab *tuples; /* group tuples as bytes of value ids */
    struct cell *cells;
    size_t ncells, cap;
    struct lk_hll *sketch; /* cap * nd, cell-major */
    uint32_t *slot_cell, *slot_gen;
    size_t nslots;
    uint32_t gen; /* a slot is used when slot_gen == gen */
    struct sess_event *sess;
    size_t nsess, sess_cap;
};

static uint64_t cell_hash(uint32_t tuple, int64_t start)
{
    uint64_t h = (uint64_t)start * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)tuple << 32 | tuple);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static void map_alloc(struct lb_bucket *b, size_t nslots)
{
    free(b->slot_cell);
    free(b->slot_gen);
    b->slot_cell = lk_xcalloc(nslots, sizeof(*b->slot_cell));
    b->slot_gen = lk_xcalloc(nslots, sizeof(*b->slot_gen));
    b->nslots = nslots;
    b->gen = 1;
}

struct lb_bucket *lb_bucket_new(const struct lk_spec *spec)
{
    struct lb_bucket *b = lk_xcalloc(1, sizeof(*b));
    b->spec = spec;
    for (size_t i = 0; i < spec->naggs; i++)
        if (spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT)
            b->dfield[b->nd++] = spec->aggs[i].of;
    b->values = lk_strtab_new();
    b->tuples = lk_strtab_new();
    map_alloc(b, 1024);
    return b;
}

void lb_bucket_free(struct lb_bucket *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->cap * b->nd; i++)
        lk_hll_release(&b->sketch[i]);
    free(b->sketch);
    free(b->cells);
    free(b->slot_cell);
    free(b->slot_gen);
    free(b->sess);
    lk_strtab_free(b->values);
    lk_strtab_free(b->tuples);
    free(b);
}

void lb_bucket_reset(struct lb_bucket *b)
{
    b->ncells = 0;
    b->nsess = 0;
    if (++b->gen == 0) { /* wrapped: clear the stamps once every 2^32 buckets */
        memset(b->slot_gen, 0, b->nslots * sizeof(*b->slot_gen));
        b->gen = 1;
    }
}

/* A new empty cell (sketches cleared, memory kept). */
static size_t cell_new(struct lb_bucket *b, uint32_t tuple, int64_t start, int64_t end)
{
    struct cell *c;
    if (b->ncells == b->cap) {
        size_t old = b->cap;
        LK_GROW(b->cells, b->cap, b->ncells + 1);
        b->sketch = lk_xreallocarray(b->sketch, b->cap * (b->nd ? b->nd : 1), sizeof(*b->sketch));
        memset(b->sketch + old * b->nd, 0, (b->cap - old) * b->nd * sizeof(*b->sketch));
    }
    c = &b->cells[b->ncells];
    c->tuple = tuple;
    c->start = start;
    c->end = end;
    c->count = c->sum = 0;
    c->min = INT64_MAX;
    c->max = INT64_MIN;
    for (size_t d = 0; d < b->nd; d++)
        lk_hll_clear(&b->sketch[b->ncells * b->nd + d]);
    return b->ncells++;
}

static void map_rebuild(struct lb_bucket *b, size_t nslots)
{
    size_t mask = nslots - 1;
    map_alloc(b, nslots);
    for (size_t c = 0; c < b->ncells; c++) {
        size_t i = cell_hash(b->cells[c].tuple, b->cells[c].start) & mask;
        while (b->slot_gen[i] == b->gen)
            i = (i + 1) & mask;
        b->slot_gen[i] = b->gen;
        b->slot_cell[i] = (uint32_t)c;
    }
}

static size_t cell_get(struct lb_bucket *b, uint32_t tuple, int64_t start, int64_t end)
{
    size_t mask = b->nslots - 1, i = cell_hash(tuple, start) & mask, c;
    for (; b->slot_gen[i] == b->gen; i = (i + 1) & mask) {
        const struct cell *x = &b->cells[b->slot_cell[i]];
        if (x->tuple == tuple && x->start == start)
            return b->slot_cell[i];
    }
    c = cell_new(b, tuple, start, end);
    b->slot_gen[i] = b->gen;
    b->slot_cell[i] = (uint32_t)c;
    if (b->ncells * 2 > b->nslots)
        map_rebuild(b, b->nslots * 2);
    return c;
}

static void cell_add(struct lb_bucket *b, size_t c, int64_t value, const uint64_t *hash)
{
    struct cell *x = &b->cells[c];
    x->count++;
    x->sum += value;
    if (value < x->min)
        x->min = value;
    if (value > x->max)
        x->max = value;
    for (size_t d = 0; d < b->nd; d++)
        lk_hll_add_hash(&b->sketch[c * b->nd + d], hash[d]);
}

static uint32_t tuple_of(struct lb_bucket *b, const struct lk_event *ev)
{
    uint32_t ids[LK_SPEC_MAX_GROUP];
    for (size_t g = 0; g < b->spec->ngroup; g++) {
        const struct lk_str *s = &ev->str[b->spec->group[g]];
        ids[g] = lk_strtab_intern(b->values, s->ptr, s->len, NULL);
    }
    return lk_strtab_intern(b->tuples, (const char *)ids, b->spec->ngroup * sizeof(ids[0]), NULL);
}

int lb_bucket_add(struct lb_bucket *b, const struct lk_event *ev)
{
    uint64_t hash[LK_SPEC_MAX_DISTINCT];
    int64_t starts[1024];
    uint32_t tuple;
    size_t n;
    if (!lk_spec_accepts(b->spec, ev))
        return 0;
    tuple = tuple_of(b, ev);
    for (size_t d = 0; d < b->nd; d++)
        hash[d] = lk_hash_bytes(ev->str[b->dfield[d]].ptr, ev->str[b->dfield[d]].len);
    if (b->spec->window.kind == LK_WIN_SESSION) {
        struct sess_event *se;
        LK_GROW(b->sess, b->sess_cap, b->nsess + 1);
        se = &b->sess[b->nsess++];
        se->tuple = tuple;
        se->time = ev->event_time;
        se->value = ev->value;
        memcpy(se->hash, hash, sizeof(hash));
        return 1;
    }
    n = lk_spec_windows(b->spec, ev->event_time, starts);
    for (size_t k = 0; k < n; k++)
        cell_add(b, cell_get(b, tuple, starts[k], starts[k] + b->spec->window.size), ev->value,
                 hash);
    return 1;
}

static int cmp_sess(const void *x, const void *y)
{
    const struct sess_event *a = x, *b = y;
    if (a->tuple != b->tuple)
        return a->tuple < b->tuple ? -1 : 1;
    return (a->time > b->time) - (a->time < b->time);
}

void lb_bucket_finish(struct lb_bucket *b)
{
    int64_t gap = b->spec->window.gap;
    size_t i = 0;
    if (b->spec->window.kind != LK_WIN_SESSION)
        return;
    qsort(b->sess, b->nsess, sizeof(*b->sess), cmp_sess);
    while (i < b->nsess) {
        size_t j = i + 1, c;
        int64_t end = b->sess[i].time + gap;
        while (j < b->nsess && b->sess[j].tuple == b->sess[i].tuple && b->sess[j].time <= end)
            end = b->sess[j++].time + gap;
        c = cell_new(b, b->sess[i].tuple, b->sess[i].time, end);
        for (size_t k = i; k < j; k++)
            cell_add(b, c, b->sess[k].value, b->sess[k].hash);
        i = j;
    }
}

size_t lb_bucket_cells(const struct lb_bucket *b)
{
    return b->ncells;
}

void lb_bucket_cell(const struct lb_bucket *b, size_t i, struct lb_cell_view *out)
{
    const struct cell *c = &b->cells[i];
    struct lk_str tb = lk_strtab_get(b->tuples, c->tuple);
    size_t d = 0;
    for (size_t g = 0; g < b->spec->ngroup; g++) {
        uint32_t id;
        memcpy(&id, tb.ptr + g * sizeof(id), sizeof(id));
        out->group[g] = lk_strtab_get(b->values, id);
    }
    out->window_start = c->start;
    out->window_end = c->end;
    for (size_t a = 0; a < b->spec->naggs; a++) {
        switch (b->spec->aggs[a].fn) {
        case LK_AGG_COUNT:
            out->values[a] = c->count;
            break;
        case LK_AGG_SUM:
            out->values[a] = c->sum;
            break;
        case LK_AGG_MIN:
            out->values[a] = c->min;
            break;
        case LK_AGG_MAX:
            out->values[a] = c->max;
            break;
        case LK_AGG_COUNT_DISTINCT:
            out->sketch[d] = &b->sketch[i * b->nd + d];
            out->values[a] = lk_hll_count(out->sketch[d]);
            d++;
            break;
        }
    }
}
