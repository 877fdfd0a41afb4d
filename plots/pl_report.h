/*
 * pl_report - the lab's report on a sweep directory (docs/sweep.md): S/report.html and
 * S/report.md, with the same content (docs/report.md):
 *
 *   1. the dataset (sweep.json) and generated findings (cheapest, fastest, the trade-off);
 *      the Verdict: the lecture's questions (a 1-minute dashboard, a daily report, what
 *      Lambda's second code path buys and costs, Lambda against Kappa on cost) answered
 *      from the sweep's numbers, each naming its runs (pl_report_verdict);
 *   2. the runs table (sweep.csv) in human units;
 *   3. the charts S/plots/<name>.png (latency, cost, files, watermark, sawtooth,
 *      freshness), each with a "what this shows" paragraph computed from the numbers;
 *   4. every run's reconciliation table (S/reconcile/<run>.txt, verbatim);
 *   5. the cost tables (cost.csv pivoted per run, scenarios.csv with storage's share).
 *
 * report.html is self-contained: the PNGs are embedded as base64 data: URIs, the CSS is
 * inline, nothing is fetched. report.md references the PNGs by a path relative to the
 * output directory. A chart whose PNG is missing (or not a PNG) gets the line "chart not
 * available (run lklab plot)" instead. Every value read from a file is escaped (HTML:
 * & < > "; Markdown: its punctuation). Output is deterministic: no generation time, no
 * absolute path; the same sweep gives the same bytes.
 *
 * Calling sequence: pl_report_load (reads and checks every input, writes nothing), then
 * pl_report_write (reads the PNGs, writes both files atomically), then pl_report_free.
 *
 * Errors: LK_ENOENT when sweep.csv or sweep.json is missing, LK_EINPUT when one of the
 * sweep's files is malformed (err names the file and, for CSV/TSV, the line); the other
 * files (cost.csv, scenarios.csv, reconcile/, sawtooth.tsv, freshness_*.tsv, plots/) may
 * be missing: their section says so. LK_EIO when an output file cannot be written.
 * Memory: the report object owns everything it read; pl_report_free accepts NULL.
 */
#ifndef PL_REPORT_H
#define PL_REPORT_H

#include <stddef.h>

#include "lk_err.h"

struct pl_report;

/* The charts, in report order; each is S/plots/<name>.png. */
#define PL_REPORT_NCHARTS 6
extern const char *const pl_report_charts[PL_REPORT_NCHARTS];

/* Read sweep directory `sweep` into *out (the caller's, pl_report_free). */
int pl_report_load(struct pl_report **out, const char *sweep, struct lk_err *err);

/*
 * Write out_dir/report.html and out_dir/report.md (out_dir is created when missing).
 * *charts is set to the number of charts embedded (0..PL_REPORT_NCHARTS) when not NULL.
 */
int pl_report_write(const struct pl_report *r, const char *out_dir, size_t *charts,
                    struct lk_err *err);

/*
 * The Verdict as plain text, one line per question (the report's Verdict section, and the
 * demo's summary). Needs a sweep loaded by pl_report_load; the caller frees the string.
 */
char *pl_report_verdict(const struct pl_report *r);

/* Number of runs (rows of sweep.csv). */
size_t pl_report_nruns(const struct pl_report *r);

void pl_report_free(struct pl_report *r);

#endif
