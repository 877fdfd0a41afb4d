/*
 * pl_report_int - what the files of the pl_report module share (not a public API):
 *
 *   pl_report_load.c   reading the sweep directory: sweep.json, CSV and TSV files
 *   pl_report_text.c   the generated prose (numbers formatted by lk_fmt)
 *   pl_report.c        the document (HTML and Markdown writers) and its sections
 *
 * Strings of a run point into its CSV table's text; all of it lives until pl_report_free.
 */
#ifndef PL_REPORT_INT_H
#define PL_REPORT_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "pl_report.h"

/* ---- a growable string ---- */
struct pl_buf {
    char *p; /* NUL-terminated once anything was added; NULL before */
    size_t len, cap;
};
#define PL_BUF_INIT { NULL, 0, 0 }
void pl_buf_addf(struct pl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pl_buf_add(struct pl_buf *b, const char *s, size_t len);
/* The text ("" when empty); stays owned by b. */
const char *pl_buf_str(const struct pl_buf *b);
void pl_buf_release(struct pl_buf *b);

/* ---- a CSV file with a header line; cells are NUL-terminated, unquoted ---- */
struct pl_csv {
    char *path;
    size_t ncols, nrows;
    char **head;  /* ncols */
    char **cell;  /* nrows * ncols, row-major */
    size_t *line; /* 1-based line of each row */
    char *text;
};
/* Index of column name, or -1. */
int pl_csv_col(const struct pl_csv *t, const char *name);
const char *pl_csv_get(const struct pl_csv *t, size_t row, size_t col);

/* ---- a TSV series: "# header" then rows of up to 3 numbers ---- */
struct pl_series {
    size_t n, cap, ncols;
    double *v; /* n * ncols */
    int present;
};
#define PL_SX(s, i) ((s)->v[(i) * (s)->ncols])
#define PL_SY(s, i) ((s)->v[(i) * (s)->ncols + 1])
#define PL_SZ(s, i) ((s)->v[(i) * (s)->ncols + 2])

/* ---- one row of sweep.csv ---- */
struct pl_run {
    const char *stack, *trigger, *watermark, *batch_every, *status, *name;
    int kappa;
    int64_t trigger_ms, watermark_ms, batch_every_ms;
    double events, fv50, fv95, fv99, c50, c95, c99, never_correct, late_pct, max_state_rows;
    double files, mean_file_bytes, compute, storage, operations, total, wall_ms;
    char *reconcile; /* S/reconcile/<name>.txt or NULL */
};

struct pl_report {
    char *sweep;
    cJSON *json;
    /* sweep.json (strings point into json; NULL when absent and optional) */
    const char *data, *pipeline, *scenario, *first_arrival, *last_arrival;
    char seed[40];
    double events, wall_ms;
    int has_wall;
    const char *fresh_key, *fresh_column, *saw_run;
    double fresh_final;
    int has_fresh;
    double batch_hours[64];
    size_t nbatch;
    /* sweep.csv */
    struct pl_csv runs_csv;
    struct pl_run *runs;
    size_t nruns;
    /* optional files */
    struct pl_csv cost, scen;
    int has_cost, has_scen;
    struct pl_series saw, fresh_k, fresh_l;
};

/* ---- generated prose (pl_report_text.c): appended to b, plain text ---- */
void pl_text_latency(const struct pl_report *r, struct pl_buf *b);
void pl_text_cost(const struct pl_report *r, struct pl_buf *b);
void pl_text_files(const struct pl_report *r, struct pl_buf *b);
void pl_text_watermark(const struct pl_report *r, struct pl_buf *b);
void pl_text_sawtooth(const struct pl_report *r, struct pl_buf *b);
void pl_text_freshness(const struct pl_report *r, struct pl_buf *b);
/* Findings: one sentence per call, i = 0.. until it returns 0. */
int pl_text_finding(const struct pl_report *r, size_t i, struct pl_buf *b);
/* Storage + operations share of a scenario config's total, per cent; -1 when no total. */
double pl_scenario_share(const struct pl_csv *scen, const char *scenario, const char *config);

#endif
