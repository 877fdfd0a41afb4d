/*
 * lk_reconcile - compare two canonical result CSVs row by row and column by column, and
 * classify every difference (docs/reconcile.md; `lklab reconcile`).
 *
 * Rows are matched by key = (group columns, window_start). A key in both tables whose
 * window_end or an aggregate differs is a DIFFERING row; a key in one table only is a row
 * ONLY IN A or ONLY IN B (when a table holds the same key k times, its first copy is
 * matched and the others are rows only in that table). Each difference gets one class:
 *
 *   missing-late         A Kappa run: truth - output is exactly the contribution of the
 *                        run's late side table (count and sum exactly, min and max exactly,
 *                        distinct counts between the bounds the late keys allow)
 *   duplicate-overcount  the run counted re-deliveries: Lambda's at-least-once speed layer
 *                        (checked copy by copy against the master dataset), or a Kappa
 *                        at-least-once sink that wrote a replayed batch's row twice
 *   approximate          a Lambda count_distinct answered by a HyperLogLog sketch, within
 *                        lk_reconcile_hll_bound of the exact count of what it had seen
 *   pending              Kappa append without --final-watermark: the window ends after the
 *                        last batch's eviction watermark (still in state); Lambda: the
 *                        answer at `at` had not seen some of the window's events yet
 *   unexplained          anything else
 *
 * The evidence must account for the WHOLE difference, or the row is unexplained. With two
 * plain CSVs (no run) there is no evidence: every difference is unexplained. A row whose
 * cells have several explained causes takes the most serious one (pending > missing-late
 * > duplicate-overcount > approximate); the per-column counts keep each cell's own class.
 * The rules, worked examples and what is not covered are in docs/reconcile.md.
 *
 * With a run (opts.run), A must be the run's answer (`lklab results --run RUN [--at T]`,
 * the Kappa `output` view or the Lambda `serving` answer at opts.at) and B the truth of
 * the same dataset; the run is read from RUN/run.json and RUN/serving.db (read only;
 * Kappa late events' first copies from the dataset, see opts.data).
 *
 * Calling sequence: lk_rtable_load both tables -> lk_reconcile_new -> read the diffs or
 * lk_reconcile_write -> lk_reconcile_free -> release the tables (r borrows them).
 * Errors: LK_EINPUT (headers that do not match, a run that is not finished or not
 * readable as a run, the truth's header not the run's pipeline), LK_ENOENT, LK_EDB, LK_EIO;
 * err says what and where. Memory: r owns its diffs and notes; rows are borrowed.
 */
#ifndef LK_RECONCILE_H
#define LK_RECONCILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_csvread.h"
#include "lk_err.h"

/* In table order (as printed). */
enum lk_rc_class {
    LK_RC_MISSING_LATE,
    LK_RC_DUPLICATE,
    LK_RC_APPROXIMATE,
    LK_RC_PENDING,
    LK_RC_UNEXPLAINED,
    LK_RC_NCLASS
};

enum lk_rc_side { LK_RC_BOTH, LK_RC_ONLY_A, LK_RC_ONLY_B };

/* Bit of lk_rc_diff.cols for window_end; aggregate i is bit i. */
#define LK_RC_COL_WEND LK_SPEC_MAX_AGGS
#define LK_RC_WHY_MAX 160

struct lk_rc_diff {
    enum lk_rc_side side;
    const struct lk_rrow *a, *b;                 /* borrowed; NULL when absent */
    uint32_t cols;                               /* LK_RC_BOTH: the columns that differ */
    enum lk_rc_class cls;                        /* the row's class */
    unsigned char col_cls[LK_SPEC_MAX_AGGS + 1]; /* each differing column's class */
    char why[LK_RC_WHY_MAX];                     /* the evidence in a few words, or "" */
};

struct lk_reconcile_opts {
    const char *run;  /* NULL: two plain CSVs */
    int64_t at;       /* Lambda: the instant of A's answer; LK_TIME_POS_INF = the end */
    const char *data; /* Kappa: the dataset (NULL: run.json's "data", as given to the run) */
    int truth_as_of;  /* Lambda: B is the truth as of `at` ('lklab truth --as-of'): the replay
                         leaves out every line that arrived after `at` */
};
#define LK_RECONCILE_OPTS_INIT                                                                     \
    {                                                                                              \
        NULL, INT64_MAX, NULL, 0                                                                   \
    }

enum lk_rc_format { LK_RC_TABLE, LK_RC_CSV };

struct lk_reconcile;

/* Compare a and b (borrowed until lk_reconcile_free); *out is the caller's. */
int lk_reconcile_new(struct lk_reconcile **out, const struct lk_rtable *a,
                     const struct lk_rtable *b, const struct lk_reconcile_opts *opts,
                     struct lk_err *err);
void lk_reconcile_free(struct lk_reconcile *r);

/* Differences in canonical key order. */
size_t lk_reconcile_ndiffs(const struct lk_reconcile *r);
const struct lk_rc_diff *lk_reconcile_diff(const struct lk_reconcile *r, size_t i);
/* Rows (differences) of class c; rows equal in both tables. */
size_t lk_reconcile_count(const struct lk_reconcile *r, enum lk_rc_class c);
size_t lk_reconcile_equal(const struct lk_reconcile *r);
/* Summary lines beyond the tables (late data, assumptions made), NULL past the last. */
const char *lk_reconcile_note(const struct lk_reconcile *r, size_t i);

/*
 * The report: TABLE = header lines, the class table, the per-column table and up to
 * examples example rows per class; CSV = one row per class plus `total`, columns class,
 * only_in_a, only_in_b, differing, total, then one per compared column (differing cells).
 * Returns 0 or LK_EIO.
 */
int lk_reconcile_write(const struct lk_reconcile *r, FILE *fp, enum lk_rc_format format,
                       size_t examples);

/* "missing-late", "duplicate-overcount", "approximate", "pending", "unexplained". */
const char *lk_rc_class_name(enum lk_rc_class c);

/*
 * How far a HyperLogLog estimate of n distinct items may be from n and still count as
 * `approximate`: 3 standard errors, 3 * LK_HLL_STDERR * n (lk_hll.h: 99.7 % of estimates;
 * for small n linear counting does better than that), rounded up, and at least 1 (the
 * estimate is rounded to a whole number: two items in one register cost 1 at any n).
 */
int64_t lk_reconcile_hll_bound(int64_t n);

/* The stack of a run from RUN/run.json: writes "kappa" or "lambda" into buf. */
int lk_reconcile_run_stack(const char *run, char *buf, size_t size, struct lk_err *err);

#endif
