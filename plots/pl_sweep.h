/*
 * pl_sweep - a sweep directory (docs/sweep.md) read back, the one reader of its files for
 * the charts (pl_chart) and the report (pl_report): sweep.csv's rows, sweep.json's fields,
 * the cost tables (cost.csv, scenarios.csv) and the tab-separated series (sawtooth.tsv,
 * freshness_*.tsv).
 *
 * CSV files (sweep.csv, cost.csv, scenarios.csv) are read strictly: the first line must
 * be the documented header, byte for byte; each further line has as many fields as the
 * header (RFC 4180 quoting accepted; no blank lines); every numeric column is a plain
 * decimal (-?digits[.digits]), except that a latency percentile column may hold `inf` (it
 * falls among the events that never became visible or correct; read as INFINITY).
 * In sweep.csv, stack is kappa (mode append or update) or lambda (mode serving),
 * correct_pct is at most 100, run is runs/NAME
 * (NAME a single path component), and text fields hold no tab or line break (they end up
 * in tab-separated files). A header with no rows is valid.
 *
 * sweep.json, when present, must be a JSON object; when it holds "freshness" that needs
 * strings key and column (no control characters) and a number final; "sawtooth" needs a
 * string run and an array of numbers batch_visible_hours; "data" (a string) and "wall_ms"
 * (a number) are read when they have that type. With PL_SWEEP_DATASET the file must
 * exist and hold a string "pipeline" and a "dataset" object (strings scenario,
 * first_arrival, last_arrival; number events; seed a number or a string); without it
 * those are not read.
 *
 * Calling sequence: pl_sweep_load, then any of the queries and pl_sweep_series, then
 * pl_sweep_release. Files are read in this order, so the first error met is reported:
 * sweep.json, sweep.csv, cost.csv, scenarios.csv.
 *
 * Errors: LK_ENOENT (no such directory, no sweep.csv, or no sweep.json with
 * PL_SWEEP_DATASET), LK_EINPUT (malformed; err names the file and, for CSV and TSV, the
 * line: "bad number 'x1' in column 'trigger_ms' ('S/sweep.csv' line 3)"), LK_EIO.
 * Memory: the sweep owns everything it points to until pl_sweep_release (NULL safe; a
 * released sweep is empty). Same for struct pl_series.
 */
#ifndef PL_SWEEP_H
#define PL_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"
#include "lk_run.h"

struct cJSON;

/* The stacks are the run contract's (lk_run.h). */
enum pl_stack { PL_KAPPA = LK_STACK_KAPPA, PL_LAMBDA = LK_STACK_LAMBDA };

/* "kappa" or "lambda", as sweep.csv writes it. */
const char *pl_stack_name(enum pl_stack stack);

/* One row of sweep.csv (strings point into the sweep's own text). */
struct pl_run {
    enum pl_stack stack;
    const char *mode; /* "append" or "update" (kappa), "serving" (lambda) */
    const char *trigger, *watermark, *batch_every, *status, *run;
    const char *name;                                 /* run without "runs/" */
    int64_t trigger_ms, watermark_ms, batch_every_ms; /* watermark_ms -1: none */
    double events;
    /* p50, p95, p99 over every event; INFINITY when it falls among the never events */
    double first_visible_ms[3], correct_ms[3];
    double never_correct, correct_pct, late_pct, max_state_rows, files_written, mean_file_bytes;
    double compute_usd, storage_usd, operations_usd, total_usd, wall_ms;
    size_t line; /* 1-based line in sweep.csv */
};

/* 1 for a Kappa run in update mode (mode "update"), 0 otherwise. */
int pl_run_update(const struct pl_run *r);

/* One row of cost.csv (scenario NULL) or scenarios.csv. */
struct pl_cost {
    const char *scenario, *config, *component;
    double usd_month;
    size_t line;
};

struct pl_costs {
    int present; /* 0: the file is missing (no rows) */
    struct pl_cost *rows;
    size_t nrows;
    char *text;
};

struct pl_sweep {
    char *dir;
    struct pl_run *runs;
    size_t nruns;
    char *text; /* sweep.csv, fields unescaped in place */
    /* sweep.json (has_json 0 when the file is missing); strings point into json */
    int has_json;
    struct cJSON *json;
    const char *data, *pipeline;                         /* NULL when absent */
    const char *scenario, *first_arrival, *last_arrival; /* PL_SWEEP_DATASET only */
    char seed[40];
    double events;
    int has_wall;
    double wall_ms;
    const char *fresh_key, *fresh_column; /* NULL without "freshness" */
    double fresh_final;
    const char *saw_run; /* NULL without "sawtooth" */
    double *batch_hours; /* sawtooth.batch_visible_hours */
    size_t nbatch;
    /* PL_SWEEP_COSTS only */
    struct pl_costs cost, scenarios;
};

#define PL_SWEEP_INIT                                                                              \
    {                                                                                              \
        0                                                                                          \
    }

/* What pl_sweep_load reads beyond sweep.csv and the optional parts of sweep.json. */
#define PL_SWEEP_DATASET 1u /* sweep.json is required, with its pipeline and dataset */
#define PL_SWEEP_COSTS 2u   /* cost.csv and scenarios.csv, when present */

/* Read the sweep directory dir into s (flags: PL_SWEEP_*). Release s on failure too. */
int pl_sweep_load(struct pl_sweep *s, const char *dir, unsigned flags, struct lk_err *err);
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
 * The series files: a first line that must equal the file's header exactly, then rows of
 * its columns as plain decimals separated by tabs; no blank lines.
 *   sawtooth.tsv          "# hours diff_rows diff_pct"
 *   freshness_kappa.tsv   "# hours value"   (also freshness_lambda.tsv)
 */
enum pl_series_file { PL_SERIES_SAWTOOTH, PL_SERIES_FRESH_KAPPA, PL_SERIES_FRESH_LAMBDA };

struct pl_series {
    double *v; /* nrows * ncols, row-major */
    size_t nrows, ncols;
};

#define PL_SERIES_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* The file's name in the sweep directory ("sawtooth.tsv"). */
const char *pl_series_file_name(enum pl_series_file f);

/*
 * Read series file f of sweep s into t: 0, LK_ENOENT when the file does not exist (t
 * empty), LK_EINPUT when it is malformed.
 */
int pl_sweep_series(const struct pl_sweep *s, enum pl_series_file f, struct pl_series *t,
                    struct lk_err *err);
void pl_series_release(struct pl_series *t);

#endif
