/*
 * lk_run - the run contract: what a run directory of either stack says about itself. It is
 * the only interface between the two engines and everything that analyses their runs
 * (compare/, plots/, cli/), so its names are written down once, here (docs/formats.md).
 *
 *   RUN/run.json       {"stack": <stack>, "parameters": {...}, "totals": {...}, ...},
 *                      written LAST and atomically when a run finishes (no run.json: the
 *                      run is not finished); read with lk_run_open, written with
 *                      lk_run_json_new + lk_run_json_write
 *   RUN/serving.db     the stack's SQLite database; its tables are named below (LK_TABLE_*)
 *                      and read through the stack's own reader (kappa/kp_reader.h,
 *                      lambda/lb_reader.h), never by table name from shared/ or compare/
 *   RUN/metrics.jsonl  one JSON object per batch (docs/formats.md)
 *
 * Three names are enums with one name table each (like kp_phase_name/kp_phase_lookup):
 *   stack         "kappa", "lambda"
 *   trigger kind  an interval (run.json holds its duration, e.g. "1m"), "once",
 *                 "available-now", "continuous" (Kappa's --trigger; Lambda's speed layer
 *                 always runs on an interval)
 *   output mode   "append", "update", "complete" (Kappa's --output-mode)
 * A lookup returns the enum value, or -1 for a name not in its table.
 *
 * Errors: lk_run_open returns LK_ENOENT (no directory, no run.json), LK_EINPUT (run.json
 * unreadable as JSON or naming no stack); err names the run. Memory: struct lk_run owns its
 * parsed run.json (lk_run_release, NULL-safe); dir is borrowed.
 */
#ifndef LK_RUN_H
#define LK_RUN_H

#include <cjson/cJSON.h>

#include "lk_err.h"

enum lk_stack { LK_STACK_KAPPA, LK_STACK_LAMBDA };
const char *lk_stack_name(enum lk_stack s);
int lk_stack_lookup(const char *name);

enum lk_trigger_kind {
    LK_TRIGGER_INTERVAL,
    LK_TRIGGER_ONCE,
    LK_TRIGGER_AVAILABLE_NOW,
    LK_TRIGGER_CONTINUOUS
};
/* "interval", "once", "available-now", "continuous". */
const char *lk_trigger_name(enum lk_trigger_kind k);
/* The kind of a trigger as --trigger and run.json write it: a duration is an interval. */
int lk_trigger_lookup(const char *text);

enum lk_mode { LK_MODE_APPEND, LK_MODE_UPDATE, LK_MODE_COMPLETE };
const char *lk_mode_name(enum lk_mode m);
int lk_mode_lookup(const char *name);

/*
 * The tables of RUN/serving.db that outlive the engine (the serving tables): the stack that
 * writes one and the reader that reads it use these names.
 */
/* Kappa */
#define LK_TABLE_OUTPUT "output"     /* view: the current version's output_v<K> */
#define LK_TABLE_OUTPUT_V "output_v" /* + version number: one table per version */
#define LK_TABLE_LATE "late"         /* late side table, one row per (event, window) */
#define LK_TABLE_CHANGES "changes"   /* change feed (--change-feed) */
#define LK_TABLE_META "meta"         /* key/value: spec_v<K>, current_version, ... */
/* Lambda */
#define LK_TABLE_LB_META "lb_meta"         /* name/value: spec_json, run parameters */
#define LK_TABLE_MASTER "master"           /* the master dataset */
#define LK_TABLE_BATCH_VIEWS "batch_views" /* the batch views' catalog */
#define LK_TABLE_BATCH_ROWS "batch_rows"   /* the batch views' rows */
#define LK_TABLE_SPEED_DELTA "speed_delta" /* the speed layer's micro-batch rows */
#define LK_TABLE_SERVING "serving"         /* view: batch view (+) live speed rows */
/* Both */
#define LK_TABLE_PROGRESS "progress"     /* one row per batch (Lambda: job or micro-batch) */
#define LK_TABLE_QUARANTINE "quarantine" /* malformed lines */

/* A finished run: its directory and run.json. */
struct lk_run {
    const char *dir;
    cJSON *json;
    enum lk_stack stack;
};
#define LK_RUN_INIT                                                                                \
    {                                                                                              \
        NULL, NULL, LK_STACK_KAPPA                                                                 \
    }

/* Read dir/run.json and its stack. On failure *r is released. */
int lk_run_open(struct lk_run *r, const char *dir, struct lk_err *err);
void lk_run_release(struct lk_run *r);
/* A string member of run.json's "parameters" (NULL when absent or not a string). */
const char *lk_run_param(const struct lk_run *r, const char *name);
/* The stack a run.json object names, or -1. */
int lk_run_json_stack(const cJSON *root);

/* A new run.json object, {"stack": <name of s>}; the caller adds the rest and owns it. */
cJSON *lk_run_json_new(enum lk_stack s);
/* Write root as dir/run.json atomically (lk_json_write_file). */
int lk_run_json_write(const char *dir, const cJSON *root, struct lk_err *err);

#endif
