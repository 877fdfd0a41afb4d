/*
 * kp_rows - the output rows of a batch: collected per worker into a kp_rows set (in
 * parallel when there are several workers), then put in canonical order across all sets
 * for the sink and the lake.
 *
 * Canonical order is lk_csv_row_cmp's (group strings bytewise, window_start, window_end);
 * rows that compare equal keep their collection order (set by set), as the stable
 * lk_csv_sort would. kp_rows_sort gets there without comparing strings per row: the rows
 * of one group tuple share its interned strings, so the distinct tuples are found by
 * pointer and ranked once by their strings, and the rows are sorted by (rank, start,
 * end) as integers.
 *
 * Memory: a set owns its array of rows (kp_rows_release, NULL-safe); the rows' group
 * strings are borrowed from the state that made them (stable for the state's life).
 * kp_rows_sort allocates its scratch per call (once per batch) and frees it.
 */
#ifndef KP_ROWS_H
#define KP_ROWS_H

#include <stddef.h>

#include "lk_csv.h"

struct kp_rows {
    struct lk_csv_row *v;
    size_t n, cap;
};
#define KP_ROWS_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* A kp_row_fn: append a copy of row to the set (arg is a struct kp_rows *). Returns 0. */
int kp_rows_add(void *rows, const struct lk_csv_row *row);
void kp_rows_release(struct kp_rows *r);

/*
 * Point (*order)[0..total) at the rows of sets[0..nsets) in canonical order, growing
 * *order (of *cap pointers) as needed. Returns the number of rows.
 */
size_t kp_rows_sort(const struct kp_rows *const *sets, size_t nsets, size_t ngroup,
                    const struct lk_csv_row ***order, size_t *cap);

#endif
