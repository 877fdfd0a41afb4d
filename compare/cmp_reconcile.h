/*
 * cmp_reconcile - compare two canonical result CSVs row by row and column by column, and
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
 *                        cmp_reconcile_hll_bound of the exact count of what it had seen
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
 * Calling sequence: lk_rtable_load both tables -> cmp_reconcile_new -> read the diffs or
 * cmp_reconcile_write -> cmp_reconcile_free -> release the tables (r borrows them).
 * Errors: LK_EINPUT (headers that do not match, a run that is not finished or not
 * readable as a run, the truth's header not the run's pipeline), LK_ENOENT, LK_EDB, LK_EIO;
 * err says what and where. Memory: r owns its diffs and notes; rows are borrowed.
 */
#ifndef CMP_RECONCILE_H
#define CMP_RECONCILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_csvread.h"
#include "lk_err.h"
#include "lk_firsts.h"

/* In table order (as printed). */
enum cmp_rc_class {
    CMP_RC_MISSING_LATE,
    CMP_RC_DUPLICATE,
    CMP_RC_APPROXIMATE,
    CMP_RC_PENDING,
    CMP_RC_UNEXPLAINED,
    CMP_RC_NCLASS
};

enum cmp_rc_side { CMP_RC_BOTH, CMP_RC_ONLY_A, CMP_RC_ONLY_B };

/* Bit of cmp_rc_diff.cols for window_end; aggregate i is bit i. */
#define CMP_RC_COL_WEND LK_SPEC_MAX_AGGS
#define CMP_RC_WHY_MAX 160

struct cmp_rc_diff {
    enum cmp_rc_side side;
    const struct lk_rrow *a, *b;                 /* borrowed; NULL when absent */
    uint32_t cols;                               /* CMP_RC_BOTH: the columns that differ */
    enum cmp_rc_class cls;                       /* the row's class */
    unsigned char col_cls[LK_SPEC_MAX_AGGS + 1]; /* each differing column's class */
    char why[CMP_RC_WHY_MAX];                    /* the evidence in a few words, or "" */
};

struct cmp_reconcile_opts {
    const char *run;  /* NULL: two plain CSVs */
    int64_t at;       /* Lambda: the instant of A's answer; LK_TIME_POS_INF = the end */
    const char *data; /* Kappa: the dataset (NULL: run.json's "data", as given to the run) */
    int truth_as_of;  /* Lambda: B is the truth as of `at` ('lklab truth --as-of'): the replay
                         leaves out every line that arrived after `at` */
    const struct lk_firsts *firsts; /* Kappa: the dataset parsed ahead (a sweep's), used when
                                       lk_firsts_current; NULL: the dataset is scanned */
};
#define CMP_RECONCILE_OPTS_INIT                                                                    \
    {                                                                                              \
        NULL, INT64_MAX, NULL, 0, NULL                                                             \
    }

enum cmp_rc_format { CMP_RC_TABLE, CMP_RC_CSV };

struct cmp_reconcile;

/* Compare a and b (borrowed until cmp_reconcile_free); *out is the caller's. */
int cmp_reconcile_new(struct cmp_reconcile **out, const struct lk_rtable *a,
                      const struct lk_rtable *b, const struct cmp_reconcile_opts *opts,
                      struct lk_err *err);
void cmp_reconcile_free(struct cmp_reconcile *r);

/* Differences in canonical key order. */
size_t cmp_reconcile_ndiffs(const struct cmp_reconcile *r);
const struct cmp_rc_diff *cmp_reconcile_diff(const struct cmp_reconcile *r, size_t i);
/* Rows (differences) of class c; rows equal in both tables. */
size_t cmp_reconcile_count(const struct cmp_reconcile *r, enum cmp_rc_class c);
size_t cmp_reconcile_equal(const struct cmp_reconcile *r);
/* Summary lines beyond the tables (late data, assumptions made), NULL past the last. */
const char *cmp_reconcile_note(const struct cmp_reconcile *r, size_t i);

/*
 * The report: TABLE = header lines, the class table, the per-column table and up to
 * examples example rows per class; CSV = one row per class plus `total`, columns class,
 * only_in_a, only_in_b, differing, total, then one per compared column (differing cells).
 * Returns 0 or LK_EIO.
 */
int cmp_reconcile_write(const struct cmp_reconcile *r, FILE *fp, enum cmp_rc_format format,
                        size_t examples);

/* "missing-late", "duplicate-overcount", "approximate", "pending", "unexplained". */
const char *cmp_rc_class_name(enum cmp_rc_class c);

/*
 * How far a HyperLogLog estimate of n distinct items may be from n and still count as
 * `approximate`: 3 standard errors, 3 * LK_HLL_STDERR * n (lk_hll.h: 99.7 % of estimates;
 * for small n linear counting does better than that), rounded up, and at least 1 (the
 * estimate is rounded to a whole number: two items in one register cost 1 at any n).
 */
int64_t cmp_reconcile_hll_bound(int64_t n);

/*
 * A run's answer as a result table: a Kappa run's output view, a Lambda run's serving
 * answer at virtual time at (LK_TIME_POS_INF: the end; another instant is LK_EUSAGE for a
 * Kappa run). t is the caller's (lk_rtable_release).
 */
int cmp_reconcile_load_answer(const char *run, int64_t at, struct lk_rtable *t, struct lk_err *err);

/*
 * `lklab reconcile --run RUN --truth TRUTH` in one call: writes the report (table format,
 * up to 5 examples per class) to out and sets *ndiffs and *unexplained. firsts: as in
 * cmp_reconcile_opts (may be NULL). Returns 0 or an lk_err code (err set).
 */
int cmp_reconcile_run_report(const char *run, const char *truth, const struct lk_firsts *firsts,
                             FILE *out, size_t *ndiffs, size_t *unexplained, struct lk_err *err);

#endif
