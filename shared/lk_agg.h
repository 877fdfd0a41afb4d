/*
 * lk_agg - the aggregate state of one (group, window) cell, with merge.
 *
 * A cell holds what every aggregate of a spec needs at once: count, sum, min and max of
 * `value` (hundredths, exact int64 arithmetic) and one exact set of ids per
 * count_distinct aggregate (ids are interned strings, see lk_strtab). The spec decides
 * which of these are reported (lk_agg_result).
 *
 * Laws (tested): merge is associative and commutative, an empty cell (lk_agg_init) is
 * its identity, and merging the cells of two halves of a stream equals the cell of the
 * whole stream. Sums are exact as long as they stay within int64 (values are < 1e14
 * hundredths, so ~90,000 maximal values per cell; far beyond the lab's datasets).
 *
 * Memory: a cell owns its id sets; lk_agg_release frees them (NULL-safe). Adding an id
 * allocates only when a set grows (amortized, geometric), never per event otherwise.
 */
#ifndef LK_AGG_H
#define LK_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "lk_spec.h"

/* An exact set of uint32 ids (open addressing; slot value id + 1, 0 = empty). */
struct lk_idset {
    uint32_t *slots;
    uint32_t cap; /* power of two, or 0 */
    uint32_t n;
};

struct lk_agg {
    int64_t count;
    int64_t sum;
    int64_t min; /* INT64_MAX while empty */
    int64_t max; /* INT64_MIN while empty */
    struct lk_idset distinct[LK_SPEC_MAX_DISTINCT];
};

/* An empty cell (the identity of merge). */
void lk_agg_init(struct lk_agg *a);
void lk_agg_release(struct lk_agg *a);

/*
 * Add one event: its value and, for each count_distinct aggregate in spec order, the id
 * of the counted field's string (ids[0..ndistinct)).
 */
void lk_agg_add(struct lk_agg *a, int64_t value, const uint32_t *ids, size_t ndistinct);

/* dst := dst (+) src. src is unchanged. */
void lk_agg_merge(struct lk_agg *dst, const struct lk_agg *src, size_t ndistinct);

/* Value of aggregate i of spec for this cell (count, hundredths, or distinct count). */
int64_t lk_agg_result(const struct lk_agg *a, const struct lk_spec *spec, size_t i);

/* 1 when aggregate fn reports money (sum/min/max: written with 2 decimals). */
int lk_agg_is_money(enum lk_aggfn fn);

/* 1 when the two cells report the same values for every aggregate of spec. */
int lk_agg_equal(const struct lk_agg *a, const struct lk_agg *b, const struct lk_spec *spec);

/* Set operations (exposed for tests and sketches). */
int lk_idset_add(struct lk_idset *s, uint32_t id); /* 1 when new */
int lk_idset_has(const struct lk_idset *s, uint32_t id);
void lk_idset_release(struct lk_idset *s);

#endif
