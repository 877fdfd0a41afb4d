/*
 * cmp_reconcile_int - what the files of the cmp_reconcile module share (not a public API):
 *
 *   cmp_reconcile.c         matching rows, classes, the report
 *   cmp_reconcile_run.c     reading a run (run.json, serving.db, its spec) and the key map
 *   cmp_reconcile_kappa.c   evidence from a Kappa run: late table, replayed batches, watermark
 *   cmp_reconcile_lambda.c  evidence from a Lambda run: master dataset, views, speed buckets
 *   cmp_reconcile_answer.c  a run's answer as a table; a whole run's report in one call
 *
 * The run code reads run.json through lk_run and serving.db through the stacks' readers
 * (kp_reader, lb_reader): it never names a table.
 *
 * The run code only ever LOWERS a difference from unexplained to an explained class, and
 * only when its evidence accounts for the whole difference (rc_set_cell / rc_set_row).
 */
#ifndef CMP_RECONCILE_INT_H
#define CMP_RECONCILE_INT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cmp_reconcile.h"
#include "lk_spec.h"
#include "lk_strtab.h"

#define RC_MAX_NOTES 6
#define RC_LABEL_MAX 512

struct cmp_reconcile {
    const struct lk_rtable *a, *b;
    struct cmp_reconcile_opts o;
    struct cmp_rc_diff *d;
    size_t n, cap;
    size_t equal;
    char label_a[RC_LABEL_MAX], label_b[RC_LABEL_MAX];
    char *notes[RC_MAX_NOTES];
    size_t nnotes;
};

/* Add a summary line (dropped beyond RC_MAX_NOTES). */
void rc_note(struct cmp_reconcile *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Explain column col (an aggregate index or CMP_RC_COL_WEND) of a differing row. */
void rc_set_cell(struct cmp_rc_diff *d, size_t col, enum cmp_rc_class c);
/* Explain a row present in one table only (or every differing cell of a row) as c. */
void rc_set_row(struct cmp_rc_diff *d, enum cmp_rc_class c);
/* d->why, printf-style. */
void rc_why(struct cmp_rc_diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Key map: (group strings, window_start) of the rows a run must explain -> index of
 * their diff. Keys are taken from B (the truth) for differing rows and rows only in B.
 */
struct rc_keys {
    struct lk_strtab *tab;
    size_t *diff; /* by key id */
    char *buf;    /* scratch for building a key */
    size_t cap;
};
void rc_keys_init(struct rc_keys *k, const struct cmp_reconcile *r, size_t ngroup);
void rc_keys_release(struct rc_keys *k);
/* Diff index of the event's (groups of spec, window_start ws), or SIZE_MAX. */
size_t rc_keys_find(struct rc_keys *k, const struct lk_spec *spec, const struct lk_event *ev,
                    int64_t ws);

/* An open run: its run.json, database and spec. */
struct rc_run {
    struct cmp_reconcile *r;
    const char *dir;
    cJSON *json;
    sqlite3 *db;
    struct lk_spec spec;
};

/* Aggregate i of row (hundredths) as the spec's unit: counts divided by 100. */
int64_t rc_value(const struct lk_spec *spec, const struct lk_rrow *row, size_t i);
/* A string member of run.json by path ("parameters", "output_mode"), or "" when absent. */
const char *rc_json_str(const cJSON *root, const char *obj, const char *name);

int rc_explain_run(struct cmp_reconcile *r, struct lk_err *err);
int rc_kappa_explain(struct rc_run *run, struct lk_err *err);
int rc_lambda_explain(struct rc_run *run, struct lk_err *err);

/* Sort and count distinct uint64 values (in place). */
size_t rc_count_distinct(uint64_t *v, size_t n);

#endif
