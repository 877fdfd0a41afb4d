/*
 * lk_truth - the oracle: a deliberately naive, in-memory evaluator of a pipeline spec
 * over a whole dataset (docs/formats.md "The truth").
 *
 * Rules: malformed lines are dropped (and counted by reason); the first copy of each
 * event_id in reading order is kept (the log is read partition by partition, each in
 * arrival order, and duplicates share the tenant and so the partition, so the first copy
 * is the earliest delivery); filters apply; every event counts however late. Tumbling and
 * sliding windows are computed per event; session windows by sorting each group's events
 * by event time and merging (see lk_spec.h). Output is the canonical CSV (lk_csv).
 *
 * It shares the parser, spec, aggregate and CSV code with the engines, but none of their
 * state handling, triggers or watermarks, so that it can catch their mistakes.
 *
 * Errors: LK_ENOENT/LK_EIO for unreadable input (err names the path), LK_EIO when the
 * output fails. Progress, when given, is called now and then with bytes read so far and
 * the total input size.
 */
#ifndef LK_TRUTH_H
#define LK_TRUTH_H

#include <stdint.h>
#include <stdio.h>

#include "lk_event.h"
#include "lk_progress.h"
#include "lk_spec.h"

struct lk_truth_stats {
    uint64_t lines;      /* every input line */
    uint64_t malformed;  /* quarantined: lines = events + duplicates + malformed */
    uint64_t duplicates; /* later copies of an event_id already seen */
    uint64_t events;     /* unique valid events */
    uint64_t filtered;   /* unique events the spec's filter rejected */
    uint64_t skipped;    /* unique events a keep predicate rejected (lk_truth_eval_keep) */
    uint64_t rows;       /* result rows written */
    uint64_t bytes;      /* input bytes */
    uint64_t by_reason[LK_Q_COUNT];
};

/* A result table in memory: rows in canonical order (lk_csv), owning their strings. */
struct lk_result {
    const struct lk_spec *spec;     /* borrowed: must outlive the result */
    const struct lk_csv_row **rows; /* sorted */
    size_t n;
    void *priv;
};

/*
 * Evaluate spec over the dataset `data` (see lk_dataset_log_files), counting only the
 * events available by arrival_until (LK_TIME_POS_INF: all of them; an event is available
 * at the largest arrival_time of the valid lines up to it in its partition, the rule of
 * docs/events.md, which is its own arrival_time when the partition is in order; later events
 * are skipped without being counted anywhere; malformed lines are always counted).
 * *out is the caller's (lk_result_free).
 */
int lk_truth_eval(const struct lk_spec *spec, const char *data, int64_t arrival_until,
                  struct lk_result **out, struct lk_truth_stats *stats, lk_progress_fn progress,
                  void *progress_arg, struct lk_err *err);

/*
 * A keep predicate: 1 to count the event, 0 to leave it out. With dedup it is asked about
 * the first copy of each event_id only (before the spec's filter), and a rejected event's
 * later copies stay duplicates: the event is left out entirely. Without dedup it is asked
 * about every copy. `lklab reconcile` uses it to replay a Kappa run's session windows
 * without the events its late table holds.
 */
typedef int (*lk_truth_keep_fn)(void *arg, const struct lk_event *ev);

/* lk_truth_eval counting only the events keep accepts (keep NULL: all of them). */
int lk_truth_eval_keep(const struct lk_spec *spec, const char *data, int64_t arrival_until,
                       lk_truth_keep_fn keep, void *keep_arg, struct lk_result **out,
                       struct lk_truth_stats *stats, lk_progress_fn progress, void *progress_arg,
                       struct lk_err *err);

/*
 * Evaluate over the events arrived by arrival_until (LK_TIME_POS_INF: everything; the
 * answer "as of" that instant) and write the canonical CSV to out.
 */
int lk_truth_run(const struct lk_spec *spec, const char *data, int64_t arrival_until, FILE *out,
                 struct lk_truth_stats *stats, lk_progress_fn progress, void *progress_arg,
                 struct lk_err *err);

/*
 * An incremental evaluator for a rising series of cutoffs (Lambda's discrepancy at each
 * batch view): each lk_truth_inc_eval reads only the lines that became available since the
 * previous one and gives the same result as lk_truth_eval(spec, data, arrival_until).
 * A cutoff below the previous one, or copies of one event_id spread over several
 * partitions in an order a one-shot read would keep differently, fall back to
 * lk_truth_eval. A result is valid until lk_truth_inc_free (it borrows the strings) and is
 * freed with lk_result_free. spec must outlive the evaluator.
 */
struct lk_truth_inc;
struct lk_truth_inc *lk_truth_inc_new(const struct lk_spec *spec, const char *data);
int lk_truth_inc_eval(struct lk_truth_inc *inc, int64_t arrival_until, struct lk_result **out,
                      struct lk_err *err);
void lk_truth_inc_free(struct lk_truth_inc *inc);

/*
 * The canonical CSV at path (what lk_truth_run wrote for spec) as a result: the rows and
 * values lk_truth_eval gives, without reading the dataset again. Errors: those of
 * lk_rtable_load, LK_EINPUT when the file's columns are not spec's (err names the file).
 */
int lk_result_load_csv(const struct lk_spec *spec, const char *path, struct lk_result **out,
                       struct lk_err *err);

/*
 * The truth over every event of data: lk_result_load_csv of truth_csv when it is given (the
 * caller vouches that it is this spec's truth of this dataset, as a sweep's truth.csv is),
 * else lk_truth_eval(spec, data, LK_TIME_POS_INF).
 */
int lk_truth_final(const struct lk_spec *spec, const char *data, const char *truth_csv,
                   struct lk_result **out, struct lk_err *err);

/* Write a result as the canonical CSV. */
int lk_result_write_csv(const struct lk_result *r, FILE *out);
/* The row with the same group values and window_start as key, or NULL (binary search). */
const struct lk_csv_row *lk_result_find(const struct lk_result *r, const struct lk_csv_row *key);
void lk_result_free(struct lk_result *r);

#endif
