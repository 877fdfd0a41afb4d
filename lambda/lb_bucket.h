/*
 * lb_bucket - the in-memory aggregate state of ONE arrival bucket of the speed layer:
 * a hash map keyed by (group tuple, window start) whose cells hold count, sum, min, max
 * of `value` and one HyperLogLog (lk_hll) per count_distinct aggregate.
 *
 * Windows: tumbling and sliding windows are assigned per event (lk_spec_windows);
 * session windows are built by lb_bucket_finish from the bucket's events, sorted per
 * group by event time, exactly as lk_spec.h defines them ([first, last + gap), an event
 * joins while its time is < the current end). A bucket only sees its own events, so its
 * sessions are FRAGMENTS; the serving layer merges overlapping fragments (lb_sql).
 *
 * No dedup (at-least-once) and no watermark: every valid event that passes the spec's
 * filter counts. Calling sequence per bucket: lb_bucket_reset -> lb_bucket_add ... ->
 * lb_bucket_finish -> lb_bucket_cell(i) for i < lb_bucket_cells.
 *
 * Memory: the bucket owns everything; cells, sketches and buffers are reused from one
 * bucket to the next, so a warm bucket allocates nothing per event. Group strings are
 * interned for the life of the bucket object (they stay valid across resets).
 */
#ifndef LB_BUCKET_H
#define LB_BUCKET_H

#include <stddef.h>
#include <stdint.h>

#include "lk_event.h"
#include "lk_hll.h"
#include "lk_spec.h"

struct lb_bucket;

/* One result cell of a finished bucket; pointers valid until the next reset. */
struct lb_cell_view {
    struct lk_str group[LK_SPEC_MAX_GROUP];
    int64_t window_start, window_end;
    int64_t values[LK_SPEC_MAX_AGGS];                  /* spec order; distinct = estimate */
    const struct lk_hll *sketch[LK_SPEC_MAX_DISTINCT]; /* count_distinct aggregates, in order */
};

struct lb_bucket *lb_bucket_new(const struct lk_spec *spec);
void lb_bucket_free(struct lb_bucket *b);

void lb_bucket_reset(struct lb_bucket *b);
/* Count one event; returns 1, or 0 when the spec's filter rejects it. */
int lb_bucket_add(struct lb_bucket *b, const struct lk_event *ev);
void lb_bucket_finish(struct lb_bucket *b);

size_t lb_bucket_cells(const struct lb_bucket *b);
void lb_bucket_cell(const struct lb_bucket *b, size_t i, struct lb_cell_view *out);

#endif
