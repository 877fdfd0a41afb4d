/*
 * pl_report - the report document (pl_report.h): one content walk written through a small
 * document writer with two back ends, HTML and GitHub-flavoured Markdown.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_fmt.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "pl_report_int.h"
#include "banned.h"

const char *const pl_report_charts[PL_REPORT_NCHARTS] = {
    "latency", "cost", "files", "watermark", "sawtooth", "freshness",
};

static const char *const chart_title[PL_REPORT_NCHARTS] = {
    "Latency against the trigger",
    "Monthly cost against the trigger",
    "Files written and their size",
    "Watermark delay: late data against state",
    "Lambda: speed layer against batch view over time",
    "One window's answer over time",
};

static void (*const chart_text[PL_REPORT_NCHARTS])(const struct pl_report *, struct lk_buf *) = {
    pl_text_latency,   pl_text_cost,     pl_text_files,
    pl_text_watermark, pl_text_sawtooth, pl_text_freshness,
};

#define MAX_PNG ((size_t)32 << 20)
#define NOT_AVAILABLE "chart not available (run lklab plot)"

/* ---------------------------------------------------------------- document ---- */

struct doc {
    FILE *fp;
    int html;
    const char *plots;     /* S/plots, to read the PNGs */
    const char *plots_rel; /* the same directory relative to the output (Markdown) */
    size_t charts;         /* charts embedded or referenced */
};

/* Text from anywhere, escaped: HTML & < > " as entities; Markdown punctuation with '\'. */
static void put_text(struct doc *d, const char *s)
{
    for (; *s; s++) {
        const char *e = NULL;
        if (d->html) {
            e = *s == '&'   ? "&amp;"
                : *s == '<' ? "&lt;"
                : *s == '>' ? "&gt;"
                : *s == '"' ? "&quot;"
                            : NULL;
        } else if (*s == '\n' || *s == '\r') {
            e = " ";
        } else if (strchr("\\`*_[]<>|$&~#", *s)) {
            fputc('\\', d->fp);
        }
        if (e)
            fputs(e, d->fp);
        else
            fputc(*s, d->fp);
    }
}

static void doc_begin(struct doc *d, const char *title)
{
    static const char css[] =
        "body{font-family:system-ui,sans-serif;max-width:75rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.45;color:#222}\n"
        "table{border-collapse:collapse;margin:.75rem 0;font-size:.9rem}\n"
        "th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}\n"
        "th{background:#f0f0f0}\n"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
        "pre{background:#f6f6f6;padding:.6rem;overflow-x:auto}\n"
        "img{max-width:100%;border:1px solid #ddd}\n"
        ".na{color:#a33;font-style:italic}\n";
    if (!d->html) {
        fputs("# ", d->fp);
        put_text(d, title);
        fputs("\n\n", d->fp);
        return;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          d->fp);
    put_text(d, title);
    fprintf(d->fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
    put_text(d, title);
    fputs("</h1>\n", d->fp);
}

static void doc_end(struct doc *d)
{
    if (d->html)
        fputs("</main>\n</body>\n</html>\n", d->fp);
}

static void doc_h(struct doc *d, int level, const char *text)
{
    if (d->html) {
        fprintf(d->fp, "<h%d>", level);
        put_text(d, text);
        fprintf(d->fp, "</h%d>\n", level);
        return;
    }
    for (int i = 0; i < level; i++)
        fputc('#', d->fp);
    fputc(' ', d->fp);
    put_text(d, text);
    fputs("\n\n", d->fp);
}

static void doc_p(struct doc *d, const char *text)
{
    fputs(d->html ? "<p>" : "", d->fp);
    put_text(d, text);
    fputs(d->html ? "</p>\n" : "\n\n", d->fp);
}

/* A list item; the list is opened by the first (first = 1) and closed by doc_ul_end. */
static void doc_li(struct doc *d, int first, const char *text)
{
    if (d->html)
        fputs(first ? "<ul>\n<li>" : "<li>", d->fp);
    else
        fputs("- ", d->fp);
    put_text(d, text);
    fputs(d->html ? "</li>\n" : "\n", d->fp);
}

static void doc_ul_end(struct doc *d)
{
    fputs(d->html ? "</ul>\n" : "\n", d->fp);
}

/* Preformatted text, verbatim (escaped); Markdown fences it with more backticks than it holds. */
static void doc_pre(struct doc *d, const char *text)
{
    size_t run = 0, longest = 0, len = strlen(text);
    if (d->html) {
        fputs("<pre>", d->fp);
        put_text(d, text);
        fputs(len && text[len - 1] == '\n' ? "</pre>\n" : "\n</pre>\n", d->fp);
        return;
    }
    for (const char *s = text; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    for (size_t i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
        fputc('`', d->fp);
    fprintf(d->fp, "text\n%s%s", text, len && text[len - 1] == '\n' ? "" : "\n");
    for (size_t i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
        fputc('`', d->fp);
    fputs("\n\n", d->fp);
}

/* One table row; align[i] 'r' right-aligns column i (numbers). */
static void doc_tr(struct doc *d, const char *align, const char *const *cells, int head)
{
    size_t n = strlen(align);
    if (d->html)
        fputs("<tr>", d->fp);
    for (size_t i = 0; i < n; i++) {
        if (d->html) {
            fputs(head ? "<th>" : align[i] == 'r' ? "<td class=\"n\">" : "<td>", d->fp);
            put_text(d, cells[i]);
            fputs(head ? "</th>" : "</td>", d->fp);
        } else {
            fputs("| ", d->fp);
            put_text(d, cells[i]);
            fputc(' ', d->fp);
        }
    }
    fputs(d->html ? "</tr>\n" : "|\n", d->fp);
}

static void doc_table_begin(struct doc *d, const char *align, const char *const *head)
{
    if (d->html)
        fputs("<table>\n<thead>\n", d->fp);
    doc_tr(d, align, head, 1);
    if (d->html) {
        fputs("</thead>\n<tbody>\n", d->fp);
        return;
    }
    for (const char *a = align; *a; a++)
        fputs(*a == 'r' ? "|---:" : "|---", d->fp);
    fputs("|\n", d->fp);
}

static void doc_table_end(struct doc *d)
{
    fputs(d->html ? "</tbody>\n</table>\n" : "\n", d->fp);
}

/* ------------------------------------------------------------------ images ---- */

static void base64(FILE *fp, const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        v |= i + 1 < n ? (unsigned)p[i + 1] << 8 : 0;
        v |= i + 2 < n ? p[i + 2] : 0;
        fputc(a[v >> 18 & 63], fp);
        fputc(a[v >> 12 & 63], fp);
        fputc(i + 1 < n ? a[v >> 6 & 63] : '=', fp);
        fputc(i + 2 < n ? a[v & 63] : '=', fp);
    }
}

/* S/plots/<name>.png when it is a PNG (the signature), else NULL; *len its size. */
static char *read_png(const struct doc *d, const char *name, size_t *len)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    struct lk_buf path = LK_BUF_INIT;
    char *png;
    int rc;
    lk_buf_addf(&path, "%s/%s.png", d->plots, name);
    rc = lk_file_read_all(path.s, MAX_PNG, &png, len, NULL);
    lk_buf_release(&path);
    if (rc < 0)
        return NULL;
    if (*len < sizeof(sig) || memcmp(png, sig, sizeof(sig)) != 0) {
        free(png);
        return NULL;
    }
    return png;
}

static void doc_img(struct doc *d, const char *name, const char *alt)
{
    size_t len;
    char *png = read_png(d, name, &len);
    const char *rel = d->plots_rel;
    int angle = strpbrk(rel, " ()<>") != NULL;
    if (!png) {
        fprintf(d->fp, d->html ? "<p class=\"na\">%s</p>\n" : "*%s*\n\n", NOT_AVAILABLE);
        return;
    }
    d->charts++;
    if (d->html) {
        fputs("<figure><img src=\"data:image/png;base64,", d->fp);
        base64(d->fp, (const unsigned char *)png, len);
        fputs("\" alt=\"", d->fp);
        put_text(d, alt);
        fputs("\"></figure>\n", d->fp);
    } else {
        fputs("![", d->fp);
        put_text(d, alt);
        fprintf(d->fp, "](%s%s/%s.png%s)\n\n", angle ? "<" : "", rel, name, angle ? ">" : "");
    }
    free(png);
}

/* -------------------------------------------------------------- sections ---- */

static void section_dataset(struct doc *d, const struct pl_report *r)
{
    char ev[48], span[48], runs[64], wall[48];
    const char *rows[][2] = {
        { "scenario", r->s.scenario },
        { "events", ev },
        { "seed", r->s.seed },
        { "first arrival", r->s.first_arrival },
        { "last arrival", r->s.last_arrival },
        { "arrival span", span },
        { "pipeline", r->s.pipeline },
        { "dataset path", r->s.data ? r->s.data : "-" },
        { "runs", runs },
        { "sweep wall time", wall },
    };
    int64_t a, b;
    size_t nk = 0;
    lk_fmt_count(ev, sizeof(ev), r->s.events);
    if (lk_time_parse(r->s.first_arrival, strlen(r->s.first_arrival), &a) == 0
        && lk_time_parse(r->s.last_arrival, strlen(r->s.last_arrival), &b) == 0 && b >= a)
        lk_fmt_ms(span, sizeof(span), (double)(b - a));
    else
        snprintf(span, sizeof(span), "-");
    for (size_t i = 0; i < r->s.nruns; i++)
        nk += r->s.runs[i].stack == PL_KAPPA;
    snprintf(runs, sizeof(runs), "%zu (%zu Kappa, %zu Lambda)", r->s.nruns, nk, r->s.nruns - nk);
    if (r->s.has_wall)
        lk_fmt_ms(wall, sizeof(wall), r->s.wall_ms);
    else
        snprintf(wall, sizeof(wall), "-");
    doc_h(d, 2, "Dataset");
    doc_table_begin(d, "ll", (const char *const[]){ "field", "value" });
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        doc_tr(d, "ll", rows[i], 0);
    doc_table_end(d);
}

static void section_findings(struct doc *d, const struct pl_report *r)
{
    struct lk_buf b = LK_BUF_INIT;
    int first = 1;
    doc_h(d, 2, "Findings");
    for (size_t i = 0; pl_text_finding(r, i, &b); i++) {
        if (b.len)
            doc_li(d, first, b.s);
        first &= !b.len;
        lk_buf_reset(&b);
    }
    if (!first)
        doc_ul_end(d);
    lk_buf_release(&b);
}

static void section_verdict(struct doc *d, const struct pl_report *r)
{
    struct lk_buf b = LK_BUF_INIT;
    int first = 1;
    doc_h(d, 2, "Verdict");
    doc_p(d, "The lecture's questions on Lambda and Kappa, answered from this sweep's numbers;"
             " each answer names the runs it rests on. A correct share is the events whose"
             " row ends equal to the truth.");
    for (size_t i = 0; pl_text_verdict(r, i, &b); i++) {
        doc_li(d, first, b.s);
        first = 0;
        lk_buf_reset(&b);
    }
    if (!first)
        doc_ul_end(d);
    lk_buf_release(&b);
}

#define RUN_COLS 15

static void run_cells(const struct pl_run *u, char c[RUN_COLS][64])
{
    snprintf(c[0], 64, "%s", u->name);
    snprintf(c[1], 64, "%s", pl_stack_name(u->stack));
    snprintf(c[2], 64, "%s", u->mode);
    snprintf(c[3], 64, "%s", u->trigger);
    snprintf(c[4], 64, "%s", u->batch_every[0] ? u->batch_every : "-");
    snprintf(c[5], 64, "%s", u->watermark);
    lk_fmt_ms(c[6], 64, u->first_visible_ms[0]);
    lk_fmt_ms(c[7], 64, u->first_visible_ms[2]);
    lk_fmt_ms(c[8], 64, u->correct_ms[0]);
    lk_fmt_ms(c[9], 64, u->correct_ms[2]);
    snprintf(c[10], 64, "%.2f%%", u->correct_pct);
    lk_fmt_num(c[11], 60, u->late_pct);
    memcpy(c[11] + strlen(c[11]), "%", 2);
    lk_fmt_count(c[12], 64, u->files_written);
    lk_fmt_money(c[13], 64, u->total_usd);
    snprintf(c[14], 64, "%s", u->status);
}

static void section_runs(struct doc *d, const struct pl_report *r)
{
    static const char *const head[RUN_COLS] = {
        "run",
        "stack",
        "mode",
        "trigger",
        "batch every",
        "watermark",
        "first visible p50",
        "first visible p99",
        "correct p50",
        "correct p99",
        "correct share",
        "late",
        "files",
        "$/month",
        "reconcile",
    };
    static const char align[] = "llllllrrrrrrrrl";
    char c[RUN_COLS][64];
    const char *cells[RUN_COLS];
    doc_h(d, 2, "Runs");
    doc_p(d, "One row per run of sweep.csv. Latencies are virtual time from an event's arrival"
             " until its window's row first shows it (first visible) and until the row equals"
             " the truth (correct), percentiles over every event: an event whose row is never"
             " correct counts as infinite, so a percentile that falls among those reads"
             " \"never\". Correct share is the events whose row ends equal to the truth; late"
             " is the share of input events dropped as late; money is USD per 30-day month."
             " Kappa's mode: append writes each window's row once, to files (the lake);"
             " update rewrites it at every trigger in the serving table and writes no files"
             " (a file sink is append-only: a file once written is not changed).");
    doc_table_begin(d, align, head);
    for (size_t i = 0; i < r->s.nruns; i++) {
        run_cells(&r->s.runs[i], c);
        for (size_t k = 0; k < RUN_COLS; k++)
            cells[k] = c[k];
        doc_tr(d, align, cells, 0);
    }
    doc_table_end(d);
}

static void section_charts(struct doc *d, const struct pl_report *r)
{
    struct lk_buf b = LK_BUF_INIT;
    doc_h(d, 2, "Charts");
    for (size_t i = 0; i < PL_REPORT_NCHARTS; i++) {
        doc_h(d, 3, chart_title[i]);
        doc_img(d, pl_report_charts[i], chart_title[i]);
        lk_buf_reset(&b);
        lk_buf_addf(&b, "What this shows: ");
        chart_text[i](r, &b);
        doc_p(d, b.s);
    }
    lk_buf_release(&b);
}

static void section_reconcile(struct doc *d, const struct pl_report *r)
{
    char msg[256];
    doc_h(d, 2, "Reconciliation against the truth");
    doc_p(d, "Each run's lklab reconcile summary (reconcile/NAME.txt), verbatim.");
    for (int kappa = 1; kappa >= 0; kappa--) {
        size_t shown = 0;
        doc_h(d, 3, kappa ? "Kappa" : "Lambda");
        for (size_t i = 0; i < r->s.nruns; i++) {
            const struct pl_run *u = &r->s.runs[i];
            if ((u->stack == PL_KAPPA) != kappa)
                continue;
            doc_h(d, 4, u->name);
            shown++;
            if (r->reconcile[i]) {
                doc_pre(d, r->reconcile[i]);
                continue;
            }
            snprintf(msg, sizeof(msg), "No reconcile/%s.txt in this sweep.", u->name);
            doc_p(d, msg);
        }
        if (!shown)
            doc_p(d, kappa ? "No Kappa runs in this sweep." : "No Lambda runs in this sweep.");
    }
}

/* ---------------------------------------------------------- cost tables ---- */

/*
 * One pivot table: a row per config, a column per component (file order), then the total
 * (the "total" rows when the file has them, else the sum) and, for scenarios, the share
 * of storage + operations.
 */
static void cost_pivot(struct doc *d, const struct pl_costs *t, const char *scenario)
{
    size_t n = t->nrows + 3;
    const char **conf = lk_xcalloc(n, sizeof(char *)), **comp = lk_xcalloc(n, sizeof(char *));
    const char **head = lk_xcalloc(n + 3, sizeof(char *));
    const char **cells = lk_xcalloc(n + 3, sizeof(char *));
    char *align = lk_xcalloc(n + 4, 1), (*val)[48] = lk_xcalloc(n + 3, sizeof(*val));
    size_t nconf = pl_cost_distinct(t, PL_COST_CONFIG, scenario, conf, NULL);
    size_t ncomp = pl_cost_distinct(t, PL_COST_COMPONENT, scenario, comp, "total");
    size_t w = ncomp + 2 + (scenario != NULL);
    head[0] = "config";
    for (size_t k = 0; k < ncomp; k++)
        head[k + 1] = comp[k];
    head[ncomp + 1] = "total";
    if (scenario)
        head[ncomp + 2] = "storage + operations";
    memset(align, 'r', w);
    align[0] = 'l';
    doc_table_begin(d, align, head);
    for (size_t i = 0; i < nconf; i++) {
        double sum = 0, total;
        int found;
        cells[0] = conf[i];
        for (size_t k = 0; k < ncomp; k++) {
            double v = pl_cost_of(t, scenario, conf[i], comp[k], &found);
            if (!strchr(comp[k], '.')) /* compute.batch, compute.speed: parts of compute */
                sum += v;
            if (found)
                lk_fmt_money(val[k + 1], sizeof(val[0]), v);
            else
                snprintf(val[k + 1], sizeof(val[0]), "-");
            cells[k + 1] = val[k + 1];
        }
        total = pl_cost_of(t, scenario, conf[i], "total", &found);
        lk_fmt_money(val[ncomp + 1], sizeof(val[0]), found ? total : sum);
        cells[ncomp + 1] = val[ncomp + 1];
        if (scenario) {
            double share = pl_scenario_share(t, scenario, conf[i]);
            if (share < 0)
                snprintf(val[ncomp + 2], sizeof(val[0]), "-");
            else
                snprintf(val[ncomp + 2], sizeof(val[0]), "%.1f%%", share);
            cells[ncomp + 2] = val[ncomp + 2];
        }
        doc_tr(d, align, cells, 0);
    }
    doc_table_end(d);
    free(conf);
    free(comp);
    free(head);
    free(cells);
    free(align);
    free(val);
}

static void section_cost(struct doc *d, const struct pl_report *r)
{
    doc_h(d, 2, "Cost");
    doc_h(d, 3, "Per run (cost.csv)");
    if (r->s.cost.present) {
        doc_p(d, "USD per 30-day month, by component (lklab cost on each run); compute.batch and"
                 " compute.speed are the parts of a Lambda run's compute, its two clusters.");
        cost_pivot(d, &r->s.cost, NULL);
    } else {
        doc_p(d, "No cost.csv in this sweep.");
    }
    doc_h(d, 3, "Scenarios (scenarios.csv)");
    if (!r->s.scenarios.present) {
        doc_p(d, "No scenarios.csv in this sweep.");
        return;
    }
    doc_p(d, "The lecture's two cost scenarios (lklab cost --scenario), with the share of"
             " storage + operations in each config's total.");
    {
        const char **names = lk_xcalloc(r->s.scenarios.nrows + 1, sizeof(char *));
        size_t n = pl_cost_distinct(&r->s.scenarios, PL_COST_SCENARIO, NULL, names, NULL);
        for (size_t i = 0; i < n; i++) {
            doc_h(d, 4, names[i]);
            cost_pivot(d, &r->s.scenarios, names[i]);
        }
        free(names);
    }
}

/* ------------------------------------------------------------------ writing ---- */

static void write_doc(struct doc *d, const struct pl_report *r)
{
    struct lk_buf t = LK_BUF_INIT;
    lk_buf_addf(&t, "lklab sweep report: %s, pipeline %s", r->s.scenario, r->s.pipeline);
    doc_begin(d, t.s);
    doc_p(d, "Generated by lklab report from a sweep directory (docs/sweep.md): every number"
             " and sentence below comes from its files. Latencies are virtual time; money is"
             " USD per 30-day month at the sweep's pricing.");
    section_dataset(d, r);
    section_findings(d, r);
    section_verdict(d, r);
    section_runs(d, r);
    section_charts(d, r);
    section_reconcile(d, r);
    section_cost(d, r);
    doc_end(d);
    lk_buf_release(&t);
}

/* Split an absolute path into its components in place; returns their number (<= max). */
static size_t components(char *p, char **out, size_t max)
{
    size_t n = 0;
    for (char *c = p; *c; c++) {
        if (*c == '/') {
            *c = '\0';
            continue;
        }
        if ((c == p || c[-1] == '\0') && n < max)
            out[n++] = c;
    }
    return n;
}

/* Path of dir `to` relative to dir `from` (both exist), appended to b; `to` itself on failure. */
static void relative_dir(const char *from, const char *to, struct lk_buf *b)
{
    char *f = realpath(from, NULL), *t = realpath(to, NULL), **fc = NULL, **tc = NULL;
    size_t nf, nt, common = 0, start = b->len;
    if (!f || !t) {
        lk_buf_adds(b, to);
        goto out;
    }
    fc = lk_xreallocarray(NULL, strlen(f) / 2 + 1, sizeof(*fc)); /* a component per 2 bytes */
    tc = lk_xreallocarray(NULL, strlen(t) / 2 + 1, sizeof(*tc));
    nf = components(f, fc, strlen(f) / 2 + 1);
    nt = components(t, tc, strlen(t) / 2 + 1);
    while (common < nf && common < nt && strcmp(fc[common], tc[common]) == 0)
        common++;
    for (size_t i = common; i < nf; i++)
        lk_buf_addf(b, "%s..", b->len > start ? "/" : "");
    for (size_t i = common; i < nt; i++)
        lk_buf_addf(b, "%s%s", b->len > start ? "/" : "", tc[i]);
    if (b->len == start)
        lk_buf_addch(b, '.');
out:
    free(fc);
    free(tc);
    free(f);
    free(t);
}

static int write_one(const struct pl_report *r, const char *out_dir, int html, struct doc *d,
                     struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    struct lk_buf path = LK_BUF_INIT;
    int rc;
    lk_buf_addf(&path, "%s/report.%s", out_dir, html ? "html" : "md");
    rc = lk_atomic_open(&a, path.s, err);
    lk_buf_release(&path);
    if (rc < 0)
        return rc;
    d->fp = a.fp;
    d->html = html;
    d->charts = 0;
    write_doc(d, r);
    return lk_atomic_commit(&a, err);
}

int pl_report_write(const struct pl_report *r, const char *out_dir, size_t *charts,
                    struct lk_err *err)
{
    struct lk_buf plots = LK_BUF_INIT, rel_plots = LK_BUF_INIT;
    struct doc d = { .plots = NULL };
    int rc;
    if ((rc = lk_mkdir_p(out_dir, err)) < 0)
        return rc;
    lk_buf_addf(&plots, "%s/plots", r->s.dir);
    relative_dir(out_dir, r->s.dir, &rel_plots);
    lk_buf_adds(&rel_plots, "/plots");
    d.plots = plots.s;
    d.plots_rel = strncmp(rel_plots.s, "./", 2) == 0 ? rel_plots.s + 2 : rel_plots.s;
    if ((rc = write_one(r, out_dir, 1, &d, err)) == 0)
        rc = write_one(r, out_dir, 0, &d, err);
    if (rc == 0 && charts)
        *charts = d.charts;
    lk_buf_release(&rel_plots);
    lk_buf_release(&plots);
    return rc;
}
