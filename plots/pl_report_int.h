/*
 * pl_report_int - what the files of the pl_report module share (not a public API):
 *
 *   pl_report_load.c   reading the sweep directory (through pl_sweep) and the reconcile texts
 *   pl_report_text.c   the generated prose (numbers formatted by lk_fmt), cost table queries
 *   pl_report_verdict.c the Verdict: the lecture's questions answered from the numbers
 *   pl_report.c        the document (HTML and Markdown writers) and its sections
 *
 * Strings of a run point into the sweep's text; all of it lives until pl_report_free.
 */
#ifndef PL_REPORT_INT_H
#define PL_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lk_buf.h"
#include "pl_report.h"
#include "pl_sweep.h"

/* ---- the series' columns: x (hours), y, z ---- */
#define PL_SX(s, i) ((s)->v[(i) * (s)->ncols])
#define PL_SY(s, i) ((s)->v[(i) * (s)->ncols + 1])
#define PL_SZ(s, i) ((s)->v[(i) * (s)->ncols + 2])

/* The sweep as pl_sweep reads it, plus what only the report shows. */
struct pl_report {
    struct pl_sweep s;
    char **reconcile;                       /* per run: S/reconcile/<name>.txt, or NULL */
    struct pl_series saw, fresh_k, fresh_l; /* no rows when the file is missing */
};

/* ---- generated prose (pl_report_text.c): appended to b, plain text ---- */
void pl_text_latency(const struct pl_report *r, struct lk_buf *b);
void pl_text_cost(const struct pl_report *r, struct lk_buf *b);
void pl_text_files(const struct pl_report *r, struct lk_buf *b);
void pl_text_watermark(const struct pl_report *r, struct lk_buf *b);
void pl_text_sawtooth(const struct pl_report *r, struct lk_buf *b);
void pl_text_freshness(const struct pl_report *r, struct lk_buf *b);
/* Findings: one sentence per call, i = 0.. until it returns 0. */
int pl_text_finding(const struct pl_report *r, size_t i, struct lk_buf *b);
/* The Verdict (pl_report_verdict.c): one question and its answer per call, i = 0.. until 0. */
int pl_text_verdict(const struct pl_report *r, size_t i, struct lk_buf *b);
/* ---- cost tables (pl_report_text.c); scenario NULL: every row ---- */
enum pl_cost_field { PL_COST_SCENARIO, PL_COST_CONFIG, PL_COST_COMPONENT };
/* Distinct values of field f, in file order, among scenario's rows except skip (NULL: none). */
size_t pl_cost_distinct(const struct pl_costs *t, enum pl_cost_field f, const char *scenario,
                        const char **out, const char *skip);
/* usd_month summed over (scenario, config, component); *found 0 when there is no such row. */
double pl_cost_of(const struct pl_costs *t, const char *scenario, const char *config,
                  const char *component, int *found);
/* Storage + operations share of a scenario config's total, per cent; -1 when no total. */
double pl_scenario_share(const struct pl_costs *scen, const char *scenario, const char *config);

#endif
