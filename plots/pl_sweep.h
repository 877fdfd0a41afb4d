/*
 * pl_sweep - a sweep directory (docs/sweep.md) read back for the charts: sweep.csv's rows,
 * the few sweep.json fields the charts use, and the small tab-separated series files
 * (sawtooth.tsv, freshness_*.tsv).
 *
 * sweep.csv is read strictly: the header must be the documented one, byte for byte; each
 * row has its 26 fields (RFC 4180 quoting accepted); stack is kappa or lambda; every
 * numeric column is a plain decimal (-?digits[.digits]). Text fields may not hold a tab or
 * a line break (they end up in tab-separated files). A header with no rows is valid.
 *
 * sweep.json is optional: when it is missing the charts that need it go without (no batch
 * marks, no freshness window). When present it must parse, and the fields used must have
 * the documented types.
 *
 * Errors: LK_ENOENT (no such directory or no sweep.csv), LK_EINPUT (malformed, err names
 * the file and line: "bad number 'x1' in column 'trigger_ms' ('S/sweep.csv' line 3)"),
 * LK_EIO. Memory: the sweep owns everything it points to until pl_sweep_release (NULL
 * safe; a released sweep is empty). Same for struct pl_series.
 */
#ifndef PL_SWEEP_H
#define PL_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"

enum pl_stack { PL_KAPPA, PL_LAMBDA };

/* One row of sweep.csv (strings point into the sweep's own text). */
struct pl_run {
    enum pl_stack stack;
    const char *trigger, *watermark, *batch_every, *status, *run;
    int64_t trigger_ms, watermark_ms, batch_every_ms; /* watermark_ms -1: none */
    double events;
    double first_visible_ms[3], correct_ms[3]; /* p50, p95, p99 */
    double never_correct, late_pct, max_state_rows, files_written, mean_file_bytes;
    double compute_usd, storage_usd, operations_usd, total_usd, wall_ms;
    size_t line; /* 1-based line in sweep.csv */
};

struct pl_sweep {
    char *dir;
    struct pl_run *runs;
    size_t nruns;
    char *text; /* sweep.csv, fields unescaped in place */
    /* sweep.json (has_json 0 when the file is missing) */
    int has_json;
    char *fresh_key, *fresh_column; /* NULL when absent */
    int has_final;
    double fresh_final;
    double *batch_hours; /* sawtooth.batch_visible_hours */
    size_t nbatch;
};

#define PL_SWEEP_INIT                                                                              \
    {                                                                                              \
        0                                                                                          \
    }

/* Read dir/sweep.csv and dir/sweep.json into s. Release s on failure too. */
int pl_sweep_load(struct pl_sweep *s, const char *dir, struct lk_err *err);
void pl_sweep_release(struct pl_sweep *s);

/*
 * The Kappa watermark the charts use for the trigger axis: the watermark_ms that occurs
 * with the most distinct triggers (ties: the one whose first row comes first). Returns 0
 * and sets *wm, or -1 when there are no Kappa rows. *label is that row's watermark text.
 */
int pl_sweep_default_watermark(const struct pl_sweep *s, int64_t *wm, const char **label);

/*
 * The Kappa trigger with the most distinct watermark delays (watermark 'none' not
 * counted; ties: first row first). Returns that count (0 without Kappa rows) and sets
 * *trigger_ms and *label.
 */
size_t pl_sweep_watermark_trigger(const struct pl_sweep *s, int64_t *trigger_ms,
                                  const char **label);

/*
 * A small numeric table from a tab-separated file: a first line that must equal header
 * exactly (e.g. "# hours value"), then rows of ncols plain decimals separated by tabs.
 * Blank lines are not allowed.
 */
struct pl_series {
    double *v; /* nrows * ncols, row-major */
    size_t nrows, ncols;
};

#define PL_SERIES_INIT { NULL, 0, 0 }

/* LK_ENOENT when path does not exist (the chart is skipped), LK_EINPUT when malformed. */
int pl_series_load(struct pl_series *t, const char *path, const char *header, size_t ncols,
                   struct lk_err *err);
void pl_series_release(struct pl_series *t);

#endif
