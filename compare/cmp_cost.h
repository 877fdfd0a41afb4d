/*
 * cmp_cost - the cost of a finished run of either stack (docs/cost.md): what it used, read
 * from its run directory (lk_run), which lk_cost_price turns into a monthly bill; and the
 * bill as the CSV rows of `lklab cost --format csv` and the sweep's cost.csv.
 * Pricing, price lists and the lecture's scenarios are lk_cost's (shared/lk_cost.h).
 */
#ifndef CMP_COST_H
#define CMP_COST_H

#include <stdio.h>

#include "lk_cost.h"
#include "lk_err.h"

/*
 * Read RUN/run.json and RUN/metrics.jsonl. Jobs: one per metrics line, from start_time
 * (else trigger_time) to visible_time, on the cluster named by "layer" ("stream" when
 * absent; Lambda: "batch" and "speed"). Span: from the earliest trigger_time minus its
 * layer's trigger interval to the latest visible_time; at least a day for the triggers
 * once and available-now (priced as a daily scheduled job). idle_shutdown comes from the
 * run's own cost model (its timeline already holds the start-ups that model charged).
 * Returns 0, LK_ENOENT (no run.json / metrics.jsonl) or LK_EINPUT (naming file and line;
 * a run.json that names no stack).
 */
int cmp_cost_usage_from_run(struct lk_cost_usage *u, const char *run, struct lk_err *err);

/*
 * The rows of one bill, config,component,usd_month: compute (then, for a config with
 * several clusters, compute.<cluster> for each), storage, operations, retrieval, total;
 * each line led by "scenario," when scenario is not NULL (the sweep's scenarios.csv).
 */
void cmp_cost_csv_rows(FILE *fp, const char *scenario, const struct lk_cost_usage *u,
                       const struct lk_cost_bill *b);

#endif
