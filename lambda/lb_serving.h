/*
 * lb_serving - the SERVING LAYER: what a query answered at a virtual time (docs/lambda.md).
 *
 *   serving(t) = batch view visible at t  (+)  speed rows visible at t whose arrival
 *                bucket is not covered by that view (bucket_end > its cutoff)
 *   (+): counts and sums add, min/max combine; count_distinct is the batch view's exact
 *   count when only the batch view contributes to a row, else the estimate of the union
 *   of the sketches (every batch row stores its HLL sketch for this); session windows
 *   that overlap are merged into one session first.
 *
 * The same generated SQL (lb_sql_query) backs the SQLite views `serving`, `realtime` and
 * `batch_current` in serving.db (state at the end), `lklab results --at` and the
 * discrepancy each batch job measures. Because every view and micro-batch row carries the
 * virtual time it became visible, any past answer can be recomputed exactly: nothing is
 * overwritten, a new batch view is a new set of rows plus a catalog row.
 *
 * Rows come back in canonical order (lk_csv). Errors: LK_EDB with err filled.
 * Memory: struct lb_rows owns its rows and strings (lb_rows_release).
 */
#ifndef LB_SERVING_H
#define LB_SERVING_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "lb_sql.h"
#include "lk_csv.h"
#include "lk_err.h"
#include "lk_spec.h"
#include "lk_truth.h"

struct lb_rows {
    const struct lk_spec *spec;
    struct lk_csv_row *rows;
    size_t n, cap;
    const struct lk_csv_row **sorted; /* canonical order, n entries */
    struct lk_strtab *strs;           /* group strings */
};

void lb_rows_release(struct lb_rows *r);
int lb_rows_write_csv(const struct lb_rows *r, FILE *out);

/* A prepared query over some layers; reuse it for many instants. */
struct lb_query {
    sqlite3 *db;
    sqlite3_stmt *st;
    const struct lk_spec *spec;
};

int lb_query_open(struct lb_query *q, sqlite3 *db, const struct lk_spec *spec,
                  enum lb_layers layers, struct lk_err *err);
/* The answer at virtual time at (LK_TIME_POS_INF: everything). *out is the caller's. */
int lb_query_run(struct lb_query *q, int64_t at, struct lb_rows *out, struct lk_err *err);
void lb_query_close(struct lb_query *q);

/*
 * How far rows are from truth: rows = result rows (by group and window start) present in
 * only one side or differing in any column; abs_events = summed |difference| of the
 * spec's first count aggregate (0 when it has none).
 */
struct lb_diff {
    int64_t rows, abs_events;
};
void lb_rows_diff(const struct lb_rows *r, const struct lk_result *truth, struct lb_diff *d);

#endif
