/*
 * cmp_sweep - the sweep directory contract (docs/sweep.md): which runs a sweep makes, where
 * each lives, what is measured on it, and the files `lklab plot` and `lklab report` read
 * (plots/pl_sweep.h). `lklab sweep` (cli/) parses options, runs each planned run with the
 * same subcommand a student would type, and prints; everything it leaves in S/ is written
 * here.
 *
 * Calling sequence:
 *   1. cmp_sweep_plan        the grid -> the runs, in the order they run (Lambda first, then
 *                            each trigger in append and update mode, then the watermarks)
 *   2. cmp_sweep_init        S/reconcile/ exists; S/truth.csv is where the truth goes
 *   3. cmp_sweep_shared_start before the truth is computed and cmp_sweep_shared_finish
 *      once it is there: what every analysis shares
 *   4. per run: cmp_sweep_run_dirs (S/runs/NAME and S/lake/NAME, emptied), the run itself,
 *      cmp_sweep_analyse (latency into its run.json, its bill, S/reconcile/NAME.txt; the
 *      two series runs also freshness_kappa.tsv or freshness_lambda.tsv and sawtooth.tsv)
 *   5. cmp_sweep_write       sweep.csv, cost.csv, scenarios.csv, sweep.json
 * Every file is written atomically. Errors: negative LK_E* codes, err says what and where.
 */
#ifndef CMP_SWEEP_H
#define CMP_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "lk_cost.h"
#include "lk_err.h"
#include "lk_firsts.h"
#include "lk_latency.h"

#define CMP_SWEEP_MAX_LIST 12
#define CMP_SWEEP_MAX_RUNS (4 * CMP_SWEEP_MAX_LIST)
#define CMP_SWEEP_APPEND 1u /* modes: Kappa append (with a lake) */
#define CMP_SWEEP_UPDATE 2u /* Kappa update (no lake) */

/* A duration as given ("1m") and in ms. */
struct cmp_sweep_item {
    char text[16];
    int64_t ms;
};

struct cmp_sweep_list {
    struct cmp_sweep_item v[CMP_SWEEP_MAX_LIST];
    size_t n;
};

struct cmp_sweep_grid {
    struct cmp_sweep_list triggers, watermarks, every;
    struct cmp_sweep_item watermark, speed;
    unsigned modes; /* CMP_SWEEP_APPEND | CMP_SWEEP_UPDATE */
};

struct cmp_sweep_run {
    int lambda, update; /* update: a Kappa run in update mode (no lake) */
    struct cmp_sweep_item trigger, watermark, every; /* Kappa: every.ms = 0; Lambda:
                                                         watermark.ms = -1 */
    char name[64];
    int64_t wall_ms; /* the run itself, measured by the caller */
    struct lk_lat_summary fv, co;
    uint64_t lines, late, max_state;
    struct lk_cost_usage usage;
    struct lk_cost_bill bill;
    const char *status; /* the reconciliation: "equal", "explained" or "unexplained" */
    int series;         /* its analysis writes the sweep's freshness timeline of its stack (Lambda:
                           also the sawtooth): the first Lambda run, and the Kappa run in append
                           mode at 1m if any (else append, else update at 1m, else any) */
};

/* The runs of grid g into runs[0..n) (at most CMP_SWEEP_MAX_RUNS), series runs marked;
   returns n. */
size_t cmp_sweep_plan(const struct cmp_sweep_grid *g, struct cmp_sweep_run *runs);

/* "serving" (Lambda), "update" or "append": sweep.csv's mode. */
const char *cmp_sweep_mode(const struct cmp_sweep_run *r);

/* Make S/reconcile/; truth gets S/truth.csv. */
int cmp_sweep_init(const char *s, char *truth, size_t size, struct lk_err *err);

/* r's run directory and lake (S/runs/NAME, S/lake/NAME), both removed when present. */
int cmp_sweep_run_dirs(const char *s, const struct cmp_sweep_run *r, char *dir, size_t dsize,
                       char *lake, size_t lsize, struct lk_err *err);

/*
 * The row the freshness timelines follow: the truth row with the most events (first
 * aggregate; ties to the canonical first), as its `lklab results` key, that aggregate's
 * column and final value; origin: the dataset's first arrival, hour 0 of every series.
 */
struct cmp_sweep_series {
    char key[512], col[64];
    double final;
    int64_t origin;
};

/* What every run's analysis shares, made once before the runs start (they fork after). */
struct cmp_sweep_loader;
struct cmp_sweep_shared {
    const char *truth;                /* S/truth.csv (the caller's) */
    const struct lk_pricing *pricing; /* the caller's */
    int tier;                         /* -1: the price list's */
    struct cmp_sweep_series series;   /* cmp_sweep_shared_finish */
    struct lk_firsts *events;         /* the dataset parsed once (latencies, late data) */
    struct cmp_sweep_loader *loader;  /* parsing it, between start and finish */
};
/*
 * start: parse the dataset at data in a thread while the caller computes the truth (two
 * reads of the dataset on two cores); finish, once the truth is at sh->truth: pick the
 * series and wait for the parse (a parse that failed, or no thread, leaves events NULL:
 * each analysis then reads the dataset itself). release: NULL-safe, waits for a parse
 * still going (after a failed truth).
 */
void cmp_sweep_shared_start(struct cmp_sweep_shared *sh, const char *data);
int cmp_sweep_shared_finish(struct cmp_sweep_shared *sh, const char *data, struct lk_err *err);
void cmp_sweep_shared_release(struct cmp_sweep_shared *sh);

/*
 * After r's run finished: its latency (cmp_latency, into its run.json), totals, usage and
 * bill priced as sh says, and its reconciliation with the truth into
 * S/reconcile/NAME.txt; sets r->status. A series run (r->series) also writes its series
 * (a Lambda run's three analyses share one load of the run, lb_timeline).
 */
int cmp_sweep_analyse(const char *s, struct cmp_sweep_run *r, const struct cmp_sweep_shared *sh,
                      struct lk_err *err);

/* What sweep.json says about the sweep beyond its runs. */
struct cmp_sweep_meta {
    const char *data, *pipeline;
    const struct cmp_sweep_series *series;
    double wall_s;
};

/* The tables and series of S/ (docs/sweep.md) from the analysed runs. */
int cmp_sweep_write(const char *s, const struct cmp_sweep_run *runs, size_t n,
                    const struct lk_pricing *p, const struct cmp_sweep_meta *m, struct lk_err *err);

#endif
