#include "lk_agg.h"

#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "banned.h"

static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    return x ^ (x >> 16);
}

static void idset_insert_slot(uint32_t *slots, uint32_t cap, uint32_t id)
{
    uint32_t mask = cap - 1, i = mix32(id) & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = id + 1;
}

static void idset_grow(struct lk_idset *s)
{
    uint32_t ncap = s->cap ? s->cap * 2 : 8;
    uint32_t *slots = lk_xcalloc(ncap, sizeof(*slots));
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            idset_insert_slot(slots, ncap, s->slots[i] - 1);
    free(s->slots);
    s->slots = slots;
    s->cap = ncap;
}

int lk_idset_has(const struct lk_idset *s, uint32_t id)
{
    uint32_t mask, i;
    if (!s->cap)
        return 0;
    mask = s->cap - 1;
    for (i = mix32(id) & mask; s->slots[i]; i = (i + 1) & mask)
        if (s->slots[i] == id + 1)
            return 1;
    return 0;
}

int lk_idset_add(struct lk_idset *s, uint32_t id)
{
    uint32_t mask, i;
    if ((s->n + 1) * 4 > s->cap * 3)
        idset_grow(s);
    mask = s->cap - 1;
    for (i = mix32(id) & mask; s->slots[i]; i = (i + 1) & mask)
        if (s->slots[i] == id + 1)
            return 0;
    s->slots[i] = id + 1;
    s->n++;
    return 1;
}

void lk_idset_release(struct lk_idset *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->n = 0;
}

void lk_agg_init(struct lk_agg *a)
{
    memset(a, 0, sizeof(*a));
    a->min = INT64_MAX;
    a->max = INT64_MIN;
}

void lk_agg_release(struct lk_agg *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < LK_SPEC_MAX_DISTINCT; i++)
        lk_idset_release(&a->distinct[i]);
}

void lk_agg_add(struct lk_agg *a, int64_t value, const uint32_t *ids, size_t ndistinct)
{
    a->count++;
    a->sum += value;
    if (value < a->min)
        a->min = value;
    if (value > a->max)
        a->max = value;
    for (size_t i = 0; i < ndistinct; i++)
        lk_idset_add(&a->distinct[i], ids[i]);
}

void lk_agg_merge(struct lk_agg *dst, const struct lk_agg *src, size_t ndistinct)
{
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    for (size_t i = 0; i < ndistinct; i++) {
        const struct lk_idset *s = &src->distinct[i];
        for (uint32_t k = 0; k < s->cap; k++)
            if (s->slots[k])
                lk_idset_add(&dst->distinct[i], s->slots[k] - 1);
    }
}

int64_t lk_agg_result(const struct lk_agg *a, const struct lk_spec *spec, size_t i)
{
    size_t d = 0;
    switch (spec->aggs[i].fn) {
    case LK_AGG_COUNT:
        return a->count;
    case LK_AGG_SUM:
        return a->sum;
    case LK_AGG_MIN:
        return a->min;
    case LK_AGG_MAX:
        return a->max;
    case LK_AGG_COUNT_DISTINCT:
        for (size_t k = 0; k < i; k++)
            d += spec->aggs[k].fn == LK_AGG_COUNT_DISTINCT;
        return a->distinct[d].n;
    }
    return 0;
}

int lk_agg_is_money(enum lk_aggfn fn)
{
    return fn == LK_AGG_SUM || fn == LK_AGG_MIN || fn == LK_AGG_MAX;
}

int lk_agg_equal(const struct lk_agg *a, const struct lk_agg *b, const struct lk_spec *spec)
{
    for (size_t i = 0; i < spec->naggs; i++)
        if (lk_agg_result(a, spec, i) != lk_agg_result(b, spec, i))
            return 0;
    return 1;
}
