/*
 * lb_timeline - a finished Lambda run loaded into memory so that the serving value of any
 * result row at any virtual instant can be computed in C, without re-running the serving
 * SQL over the whole answer (read-only; the analyses of lb_latency use it).
 *
 * What is loaded (serving.db, lb_db.h / lb_sql.h):
 *   views   batch_views in view order: cutoff, visible_at (visible_at ascending);
 *   jobs    the speed micro-batches (progress): bucket_end, visible_time;
 *   batch   batch_rows, run-length encoded per result row: one entry per row and run of
 *           consecutive views in which the row has the same values and sketches (a view
 *           recomputes everything, so old windows repeat from view to view);
 *   speed   speed_delta rows in micro-batch order (bucket_end and visible ascending);
 *   lines   the master table (every valid line): string ids, value, times, whether it
 *           is the first copy of its event_id (smallest (part, line), the oracle's rule)
 *           and whether the spec's filter accepts it.
 * Result rows are keyed by (group string ids, window_start) in one hash map; group
 * strings are interned in tl->strs (the same ids as the lines' strings).
 *
 * The serving value (lb_tl_value_at) follows lb_serving.h exactly: the latest view
 * visible at t, plus the row's speed rows visible at t whose bucket_end > that view's
 * cutoff; counts and sums add, min/max combine, a distinct count is the batch value when
 * only the batch view contributes, else the estimate of the union of the sketches.
 *
 * Only tumbling and sliding windows (session rows merge across layers and change keys):
 * a session spec is LK_EUSAGE. Errors: LK_ENOENT (no finished lambda run: serving.db or
 * run.json missing), LK_EDB, LK_ECORRUPT (tables inconsistent), LK_EIO.
 * Memory: lb_tl_free releases everything (NULL-safe).
 */
#ifndef LB_TIMELINE_H
#define LB_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"
#include "lk_hll.h"
#include "lk_spec.h"
#include "lk_strtab.h"

#define LB_TL_NONE UINT32_MAX

struct lb_tl_view {
    int64_t id, cutoff, visible;
};

/* One row's value in views [vfrom, vto] (indices into tl->views). */
struct lb_tl_batch {
    uint32_t row, vfrom, vto;
    size_t vals; /* index of its naggs values in tl->vals */
    size_t hll;  /* offset of its sketches in tl->blobs (SIZE_MAX: spec has none) */
};

/* One speed_delta row. */
struct lb_tl_speed {
    uint32_t row;
    int64_t bucket_end, visible;
    size_t vals, hll;
};

struct lb_tl_row {
    uint32_t group[LK_SPEC_MAX_GROUP]; /* ids in tl->strs */
    int64_t ws;
    uint32_t b0, bn; /* its batch entries: tl->row_b[b0 .. b0 + bn), view order */
    uint32_t s0, sn; /* its speed entries: tl->row_s[s0 .. s0 + sn), micro-batch order */
};

struct lb_tl_line {
    uint32_t str[4]; /* event_id, tenant, key, type (lk_field order) */
    int64_t value, event_time, arrival;
    uint8_t first;    /* first copy of its event_id */
    uint8_t accepted; /* the spec's filter accepts it */
};

struct lb_tl {
    struct lk_spec spec;
    char *run;  /* the run's directory, as given to lb_tl_load (for messages) */
    char *data; /* the dataset (run.json "data"; a kafka:// run's mirror, RUN/source) */
    size_t nd;  /* count_distinct aggregates */
    struct lb_tl_view *views;
    size_t nv;
    int64_t *job_bucket, *job_visible; /* speed micro-batches */
    size_t njobs;
    struct lb_tl_row *rows;
    size_t nrows, caprows;
    struct lb_tl_batch *batch;
    size_t nb, capb;
    struct lb_tl_speed *speed;
    size_t ns, caps;
    uint32_t *row_b, *row_s; /* entry indices grouped by row */
    int64_t *vals;
    size_t nvals, capvals;
    unsigned char *blobs;
    size_t nblobs, capblobs;
    struct lb_tl_line *lines;
    size_t nlines, caplines;
    struct lk_strtab *strs;
    uint32_t *map; /* row hash map (open addressing) */
    size_t mapcap;
    int64_t first_arrival, end; /* first arrival; visible time of the last view */
    struct lk_hll scratch;
};

/* The serving value of a row at an instant. */
struct lb_tl_value {
    int present;
    int64_t v[LK_SPEC_MAX_AGGS];
};

/* Load the finished run at directory run. *out is the caller's (lb_tl_free). */
int lb_tl_load(const char *run, struct lb_tl **out, struct lk_err *err);
void lb_tl_free(struct lb_tl *tl);

/* Row index of (group ids, window_start), or LB_TL_NONE. */
uint32_t lb_tl_find(const struct lb_tl *tl, const uint32_t *group, int64_t ws);

/* Index of the view current at t (latest visible_at <= t), or -1 before the first. */
long lb_tl_view_at(const struct lb_tl *tl, int64_t t);
/* Index of the first view whose cutoff >= t (covers an arrival at t), or -1. */
long lb_tl_view_covering(const struct lb_tl *tl, int64_t t);
/* Visible time of the speed micro-batch whose bucket holds an arrival at t (INT64_MAX: none). */
int64_t lb_tl_bucket_visible(const struct lb_tl *tl, int64_t t);

/* The serving value of row r at virtual time t (lb_serving's rules). */
void lb_tl_value_at(struct lb_tl *tl, uint32_t r, int64_t t, struct lb_tl_value *out);

/*
 * The instants at which row r's serving value may change, ascending and distinct:
 * its speed rows' visible times, and the visible times of the views where its batch
 * entry starts or ends or that cover one of its speed rows. Between two of them (and
 * after the last) the value is constant; before the first the row is absent.
 * *out is grown as needed (caller frees); returns the count.
 */
size_t lb_tl_changes(const struct lb_tl *tl, uint32_t r, int64_t **out, size_t *cap);

#endif
