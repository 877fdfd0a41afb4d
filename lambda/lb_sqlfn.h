/*
 * lb_sqlfn - the SQL functions the Lambda stack's statements and views use, registered
 * on a SQLite connection (they live in the process, not in serving.db: a plain sqlite3
 * shell can read every table and the views without count_distinct, but needs lklab for
 * the sketch functions):
 *
 *   lb_hll_agg(text)    aggregate: the lk_hll sketch (blob) of the distinct values
 *   lb_hll_merge(blob)  aggregate: the union (register max) of sketches
 *   lb_hll_count(blob)  scalar: the sketch's estimate, rounded (NULL for NULL)
 *   lb_count_distinct(text)  aggregate: the exact number of distinct values (NULLs left
 *                       out), count(DISTINCT x) without SQLite's per-group B-tree: a hash
 *                       set in memory, bytes compared on equal hashes (docs/lambda.md
 *                       "Batch job speed")
 *
 * Values are hashed with lk_hash_bytes over their UTF-8 bytes, exactly as the speed layer
 * does in C, so sketches from SQL and from C merge. A malformed blob is an SQL error.
 */
#ifndef LB_SQLFN_H
#define LB_SQLFN_H

#include <sqlite3.h>

#include "lk_err.h"

/* Register the functions on db. Returns 0 or LK_EDB. */
int lb_sqlfn_register(sqlite3 *db, struct lk_err *err);

#endif
