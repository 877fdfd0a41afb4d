/*
 * Lab 06 exercise: the serving layer's merge for ONE result row (one tenant, type and
 * window of the revenue pipeline), as lklab lambda's serving layer does it in SQL
 * (docs/lambda.md, lambda/lb_serving.h). Money is in hundredths (1250 = 12.50).
 */
#ifndef LAB06_MERGE_H
#define LAB06_MERGE_H

#include <stddef.h>
#include <stdint.h>

/* The aggregates of one row. An empty cell: events 0, sum 0, min INT64_MAX, max INT64_MIN. */
struct cell {
    int64_t events;    /* count */
    int64_t value_sum; /* sum of value */
    int64_t value_min; /* min of value */
    int64_t value_max; /* max of value */
};

/* What one speed micro-batch counted for this row: the arrivals of one bucket. */
struct speed_row {
    int64_t bucket_end; /* the bucket holds the events that arrived in (end - trigger, end] */
    struct cell cell;
};

/*
 * The serving answer for the row:
 *   batch  - the visible batch view's row, NULL when the view has none (or no view is
 *            visible yet)
 *   cutoff - that view's cutoff: it covers exactly the events that ARRIVED at or before
 *            it (INT64_MIN when no view is visible yet)
 *   speed  - every speed row of this key visible now, covered by the view or not
 * Writes the merged cell to *out (events 0 when nothing contributes).
 */
void serving_merge(const struct cell *batch, int64_t cutoff, const struct speed_row *speed,
                   size_t nspeed, struct cell *out);

#endif
