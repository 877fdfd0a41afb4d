/*
 * lb_sql - every spec-dependent SQL statement of the Lambda stack, GENERATED from the
 * pipeline spec (docs/formats.md, docs/lambda.md): the batch job, the speed layer's
 * insert, the serving queries and the SQLite views. Nothing is hand-written per pipeline.
 *
 * Safety rules (tested in tests/test_lb_sql.c):
 *   - identifiers come only from a whitelist: event schema field names (lk_field_name of
 *     a field the spec parser checked), the aggregate "as" names, re-checked here against
 *     [a-z_][a-z0-9_]* and always double-quoted, and this module's own fixed names;
 *   - every value (cutoff, view id, window sizes, filter values, the --at time) is a
 *     bound parameter; no data is ever pasted into a statement.
 * lb_sql_check rejects specs whose names would collide with the stack's own columns
 * (LK_ESPEC naming the aggregate), so generated statements always prepare.
 *
 * Tables (created by lb_sql_schema):
 *   batch_rows(view_id, <group fields>, window_start, window_end, <aggregates>,
 *              <as>_hll per count_distinct)           one full view per batch job
 *   speed_delta(mb_id, bucket_end, visible_at, <group fields>, window_start, window_end,
 *               <aggregates>, <as>_hll ...)            one arrival bucket per micro-batch
 * Times are int64 ms; money int64 hundredths; sketches lk_hll blobs.
 *
 * Parameters of the generated statements:
 *   batch job    :view :cutoff [:size :slide :nwin | :gap] [:f<i>_<k> filter values]
 *   queries      :at (instant; rows visible at that virtual time), :neg_inf
 * The lb_hll_* SQL functions (lb_sqlfn.h) must be registered on the connection.
 *
 * Memory: returned statements are heap strings owned by the caller (free).
 */
#ifndef LB_SQL_H
#define LB_SQL_H

#include <sqlite3.h>
#include <stdint.h>

#include "lk_err.h"
#include "lk_spec.h"

/* Which layers a query reads: the batch view, the live speed buckets, or both. */
enum lb_layers { LB_Q_BATCH = 1, LB_Q_SPEED = 2, LB_Q_SERVING = 3 };

/* 0 when every identifier the spec contributes is usable; LK_ESPEC naming it otherwise. */
int lb_sql_check(const struct lk_spec *spec, struct lk_err *err);

/* CREATE TABLE / INDEX / VIEW IF NOT EXISTS for batch_rows, speed_delta and the views. */
char *lb_sql_schema(const struct lk_spec *spec);

/* INSERT INTO batch_rows ... SELECT over master (dedup, filter, windows, aggregates). */
char *lb_sql_batch_job(const struct lk_spec *spec);
/* Bind every parameter of the batch job statement. Returns 0 or LK_EDB. */
int lb_sql_bind_batch(sqlite3_stmt *st, const struct lk_spec *spec, int64_t view, int64_t cutoff);

/* Bind the filter values (:f<i>_<k>) of any statement made with lb_sql_filter_expr. */
int lb_sql_bind_filters(sqlite3_stmt *st, const struct lk_spec *spec);
/* SELECT count(*) of the unique event ids in the master dataset that pass the filter. */
char *lb_sql_count_accepted(const struct lk_spec *spec);

/* INSERT INTO speed_delta VALUES(?1 ...): mb_id, bucket_end, visible_at, groups,
 * window_start, window_end, aggregates, sketches (in that order). */
char *lb_sql_speed_insert(const struct lk_spec *spec);
/* Number of columns of speed_delta (= parameters of lb_sql_speed_insert). */
int lb_sql_speed_ncols(const struct lk_spec *spec);

/*
 * The answer of some layers at a virtual time, one row per (group, window): columns
 * groups, window_start, window_end, then the aggregates in spec order. Parameters :at
 * and :neg_inf (bind with lb_sql_bind_at).
 */
char *lb_sql_query(const struct lk_spec *spec, enum lb_layers layers);
int lb_sql_bind_at(sqlite3_stmt *st, int64_t at);

#endif
