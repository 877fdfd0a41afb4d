/*
 * lb_batch - the BATCH LAYER: a job recomputes the batch view FROM SCRATCH over every
 * master-dataset event that arrived by its cutoff, with SQL generated from the spec
 * (lb_sql_batch_job): exact (dedup by event_id, every late event included, distinct
 * counts exact, plus an HLL sketch per row for the serving layer's unions).
 *
 * A job runs in two steps, the way a warehouse writes data files before it commits them
 * to its catalog:
 *   1. compute: in one transaction, drop any rows an interrupted attempt left under this
 *      view id, then INSERT the new view's rows into batch_rows. The rows are on disk but
 *      INVISIBLE: nothing reads a view id that has no catalog row. Then the view is also
 *      written as data files, RUN/views/v<id>/tenant=<t>/part-00000.jsonl (lk_lake), one
 *      per tenant: what a batch layer writes for its serving store, and what the cost
 *      model prices (each job rewrites the WHOLE view; a rerun rewrites the same bytes).
 *      CRASH POINT batch:K is here, after the rows are committed (partial output).
 *   2. swap: in ONE transaction, insert the view's catalog row (batch_views, with the
 *      virtual time it becomes visible) and the job's progress row. Readers see the old
 *      view or the new one, never a mixture.
 * After a crash the job reruns from step 1 (from scratch), which is what a batch layer
 * does. Errors: LK_EDB with err filled (the open transaction is rolled back).
 */
#ifndef LB_BATCH_H
#define LB_BATCH_H

#include <sqlite3.h>
#include <stdint.h>

#include "lb_job.h"
#include "lk_err.h"
#include "lk_spec.h"

/* One batch job in virtual time. */
struct lb_batch_job {
    int64_t id;
    int64_t trigger, cutoff, visible; /* cutoff: arrival_time <= cutoff is covered */
    int64_t modelled_ms;
    int cold, final;
    uint64_t master_rows; /* size of the master dataset the job scans */
};

struct lb_batch;

/* views_dir: where the views' data files go (RUN/views); NULL writes none. */
int lb_batch_open(struct lb_batch **out, sqlite3 *db, const struct lk_spec *spec,
                  const char *views_dir, struct lk_err *err);
void lb_batch_free(struct lb_batch *b);

/*
 * Job j, step 1 (compute, data files, crash point): fills p but for the discrepancy. The
 * rows it commits are invisible until lb_batch_swap, so readers on other connections may
 * query the serving layer meanwhile (lb_run measures the discrepancy so).
 */
int lb_batch_compute(struct lb_batch *b, const struct lb_batch_job *j, const struct lb_crash *crash,
                     double (*now)(void), struct lb_progress *p, struct lk_err *err);
/* Step 2: swap j in, p (with the discrepancy measured before the swap) its progress row.
 *json is the job's metrics line (cJSON_free). */
int lb_batch_swap(struct lb_batch *b, const struct lb_batch_job *j, struct lb_progress *p,
                  char **json, struct lk_err *err);

/*
 * EMPTY TIME. A regular job whose period (previous cutoff, trigger] holds no arrival would
 * recompute the view that is already current from the same master rows: the same rows,
 * and the same serving answer (no speed row lies after the old cutoff either). So no
 * job runs for it: *trigger (a regular trigger, previous job's cutoff `cutoff`,
 * LK_TIME_NEG_INF before the first job) moves on its grid of `every` to the first
 * trigger at or after the first non-empty arrival bucket after cutoff: the speed layer's
 * committed micro-batches (progress) or else next_bucket, the end of the bucket of the
 * next unconsumed event. The caller has run every micro-batch up to *trigger, so the
 * answer depends on the data only, never on where a restart happened.
 * Returns 1 when *trigger moved, 0 when its period has data, < 0 (LK_EDB) on error.
 */
int lb_batch_skip_empty(sqlite3 *db, int64_t cutoff, int64_t every, int64_t next_bucket,
                        int64_t *trigger, struct lk_err *err);

/* The last swapped-in job (j->id = 0 when none). */
int lb_batch_last(sqlite3 *db, struct lb_batch_job *j, struct lk_err *err);

#endif
