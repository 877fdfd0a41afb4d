/*
 * pl_report_text - the report's generated prose (pl_report_int.h).
 * Every sentence is computed from the sweep's numbers; ties go to the earlier row of
 * sweep.csv, so the text is deterministic.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_fmt.h"
#include "lk_mem.h"
#include "pl_report_int.h"
#include "banned.h"

/* ---------------------------------------------------------------- selections ---- */

/* The Kappa watermark of the trigger charts (pl_sweep_default_watermark); 0 without Kappa. */
static int main_watermark(const struct pl_report *r, int64_t *wm)
{
    const char *label;
    return pl_sweep_default_watermark(&r->s, wm, &label) == 0;
}

/* Kappa runs at the main watermark with the shortest and longest trigger; 0 when < 2 triggers. */
static int trigger_ends(const struct pl_report *r, const struct pl_run **lo,
                        const struct pl_run **hi)
{
    int64_t wm = 0;
    int has = main_watermark(r, &wm);
    *lo = *hi = NULL;
    for (size_t i = 0; has && i < r->s.nruns; i++) {
        const struct pl_run *u = &r->s.runs[i];
        if (u->stack != PL_KAPPA || u->watermark_ms != wm || pl_run_update(u))
            continue;
        if (!*lo || u->trigger_ms < (*lo)->trigger_ms)
            *lo = u;
        if (!*hi || u->trigger_ms > (*hi)->trigger_ms)
            *hi = u;
    }
    return *lo && (*lo)->trigger_ms != (*hi)->trigger_ms;
}

/* The chart series a run belongs to: Lambda, Kappa append, Kappa update. */
enum series { LAMBDA, KAPPA, KAPPA_UPDATE };

static enum series series_of(const struct pl_run *u)
{
    return u->stack == PL_LAMBDA ? LAMBDA : pl_run_update(u) ? KAPPA_UPDATE : KAPPA;
}

/* Runs of one series (Kappa: at the main watermark) in order of key (trigger or batch). */
static size_t sorted_runs(const struct pl_report *r, enum series want, const struct pl_run **out)
{
    int64_t wm = 0;
    size_t n = 0;
    int kappa = want != LAMBDA;
    if (kappa && !main_watermark(r, &wm))
        return 0;
    for (size_t i = 0; i < r->s.nruns; i++) {
        const struct pl_run *u = &r->s.runs[i];
        size_t j;
        if (series_of(u) != want || (kappa && u->watermark_ms != wm))
            continue;
        for (j = n; j > 0; j--) { /* insertion sort, stable */
            int64_t a = kappa ? out[j - 1]->trigger_ms : out[j - 1]->batch_every_ms;
            int64_t b = kappa ? u->trigger_ms : u->batch_every_ms;
            if (a <= b)
                break;
            out[j] = out[j - 1];
        }
        out[j] = u;
        n++;
    }
    return n;
}

enum pick { PICK_CHEAPEST, PICK_FIRST_VISIBLE, PICK_CORRECT };

static double pick_key(const struct pl_run *u, enum pick p)
{
    return p == PICK_CHEAPEST        ? u->total_usd
           : p == PICK_FIRST_VISIBLE ? u->first_visible_ms[0]
                                     : u->correct_ms[0];
}

/* The best run by key; ties go to the cheaper run, then to the earlier row. */
static const struct pl_run *pick(const struct pl_report *r, enum pick p)
{
    const struct pl_run *best = &r->s.runs[0];
    for (size_t i = 1; i < r->s.nruns; i++) {
        const struct pl_run *u = &r->s.runs[i];
        if (pick_key(u, p) < pick_key(best, p)
            || (pick_key(u, p) == pick_key(best, p) && u->total_usd < best->total_usd))
            best = u;
    }
    return best;
}

/* ------------------------------------------------------------ chart prose ---- */

static void trigger_tradeoff(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run *lo, *hi;
    char d1[48], d2[48], m1[48], m2[48], lr[48], cr[48];
    if (!trigger_ends(r, &lo, &hi)) {
        lk_buf_addf(b, "This sweep has fewer than two Kappa triggers to compare.");
        return;
    }
    lk_fmt_ms(d1, sizeof(d1), hi->first_visible_ms[0]);
    lk_fmt_ms(d2, sizeof(d2), lo->first_visible_ms[0]);
    lk_fmt_money(m1, sizeof(m1), hi->total_usd);
    lk_fmt_money(m2, sizeof(m2), lo->total_usd);
    lk_buf_addf(b, "Kappa at a %s trigger: first-visible p50 %s, %s/month; at %s: %s, %s/month",
                hi->trigger, d1, m1, lo->trigger, d2, m2);
    if (lo->first_visible_ms[0] > 0 && hi->total_usd > 0 && hi->total_usd < lo->total_usd) {
        lk_fmt_ratio(lr, sizeof(lr), hi->first_visible_ms[0] / lo->first_visible_ms[0]);
        lk_fmt_ratio(cr, sizeof(cr), lo->total_usd / hi->total_usd);
        lk_buf_addf(b, " — %s the latency buys a %s cheaper bill", lr, cr);
    } else if (hi->total_usd >= lo->total_usd) {
        lk_buf_addf(b, " — the longer trigger is slower and not cheaper");
    }
    lk_buf_addf(b, " (watermark %s).", lo->watermark);
}

void pl_text_latency(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run **s = lk_xcalloc(r->s.nruns, sizeof(*s));
    const struct pl_run *lo, *hi, *f, *c;
    char d1[48], d2[48];
    size_t n;
    trigger_tradeoff(r, b);
    if (trigger_ends(r, &lo, &hi)) {
        lk_fmt_ms(d1, sizeof(d1), lo->correct_ms[0]);
        lk_fmt_ms(d2, sizeof(d2), hi->correct_ms[0]);
        lk_buf_addf(b,
                    " Correct p50 goes from %s at %s to %s at %s (%.2f%% and %.2f%% of events"
                    " end correct).",
                    d1, lo->trigger, d2, hi->trigger, lo->correct_pct, hi->correct_pct);
    }
    if ((n = sorted_runs(r, LAMBDA, s)) > 0) {
        lk_fmt_ms(d1, sizeof(d1), s[0]->first_visible_ms[0]);
        lk_buf_addf(b,
                    " Lambda's speed layer shows a first answer after %s (p50, batch every %s);"
                    " its rows are correct after p50 / p99",
                    d1, s[0]->batch_every);
        for (size_t i = 0; i < n; i++) {
            lk_fmt_ms(d1, sizeof(d1), s[i]->correct_ms[0]);
            lk_fmt_ms(d2, sizeof(d2), s[i]->correct_ms[2]);
            lk_buf_addf(b, "%s %s / %s with a %s batch (%.2f%% of events end correct)",
                        i ? (i + 1 == n ? " and" : ",") : "", d1, d2, s[i]->batch_every,
                        s[i]->correct_pct);
        }
        lk_buf_addf(b, ": the p99 waits for a batch view.");
    }
    if ((n = sorted_runs(r, KAPPA_UPDATE, s)) > 0) {
        lk_buf_addf(b, " Kappa in update mode rewrites a row at every trigger: first-visible p50");
        for (size_t i = 0; i < n; i++) {
            lk_fmt_ms(d1, sizeof(d1), s[i]->first_visible_ms[0]);
            lk_fmt_ms(d2, sizeof(d2), s[i]->correct_ms[0]);
            lk_buf_addf(b, "%s %s (correct p50 %s, %.2f%% of events end correct) at %s",
                        i ? (i + 1 == n ? " and" : ",") : "", d1, d2, s[i]->correct_pct,
                        s[i]->trigger);
        }
        lk_buf_addf(b, ".");
    }
    free(s);
    f = pick(r, PICK_FIRST_VISIBLE);
    c = pick(r, PICK_CORRECT);
    lk_fmt_ms(d1, sizeof(d1), f->first_visible_ms[0]);
    lk_fmt_ms(d2, sizeof(d2), c->correct_ms[0]);
    lk_buf_addf(b,
                " Fastest first answer: %s (p50 %s); fastest correct answer: %s (p50 %s, "
                "%.2f%% of its events correct).",
                f->name, d1, c->name, d2, c->correct_pct);
}

/* "10s $84.40, 1m $60.70" for runs s[0..n); a Lambda run's clusters from cost.csv. */
static void bill_list(const struct pl_report *r, struct lk_buf *b, const struct pl_run **s,
                      size_t n, int kappa)
{
    char m[48], sp[48], ba[48];
    for (size_t i = 0; i < n; i++) {
        int fs, fb;
        double speed = pl_cost_of(&r->s.cost, NULL, s[i]->name, "compute.speed", &fs);
        double batch = pl_cost_of(&r->s.cost, NULL, s[i]->name, "compute.batch", &fb);
        lk_fmt_money(m, sizeof(m), s[i]->total_usd);
        lk_buf_addf(b, "%s%s %s", i ? ", " : "", kappa ? s[i]->trigger : s[i]->batch_every, m);
        if (!kappa && fs && fb) {
            lk_fmt_money(sp, sizeof(sp), speed);
            lk_fmt_money(ba, sizeof(ba), batch);
            lk_buf_addf(b, " (speed cluster %s, batch cluster %s)", sp, ba);
        }
    }
}

void pl_text_cost(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run **s = lk_xcalloc(r->s.nruns, sizeof(*s));
    const struct pl_run *lo = pick(r, PICK_CHEAPEST), *hi = &r->s.runs[0];
    char m1[48], m2[48], d1[48];
    size_t n;
    if ((n = sorted_runs(r, KAPPA, s)) > 0) {
        lk_buf_addf(b, "Monthly bill by Kappa trigger (watermark %s): ", s[0]->watermark);
        bill_list(r, b, s, n, 1);
        lk_buf_addf(b, ". ");
    }
    if ((n = sorted_runs(r, KAPPA_UPDATE, s)) > 0) {
        lk_buf_addf(b, "Kappa update mode (no files) by trigger: ");
        bill_list(r, b, s, n, 1);
        lk_buf_addf(b, ". ");
    }
    if ((n = sorted_runs(r, LAMBDA, s)) > 0) {
        lk_buf_addf(b, "Lambda by batch period: ");
        bill_list(r, b, s, n, 0);
        lk_buf_addf(b, ". ");
    }
    free(s);
    for (size_t i = 1; i < r->s.nruns; i++)
        if (r->s.runs[i].total_usd > hi->total_usd)
            hi = &r->s.runs[i];
    lk_fmt_money(m1, sizeof(m1), lo->total_usd);
    lk_fmt_money(m2, sizeof(m2), hi->total_usd);
    lk_fmt_ms(d1, sizeof(d1), lo->first_visible_ms[0]);
    lk_buf_addf(b,
                "The cheapest config is %s at %s/month (first-visible p50 %s, %.2f%% of its"
                " events end correct)",
                lo->name, m1, d1, lo->correct_pct);
    if (hi != lo)
        lk_buf_addf(b, "; the most expensive is %s at %s/month", hi->name, m2);
    lk_buf_addf(b, ".");
}

static const char *files_word(double n)
{
    return llround(n) == 1 ? "file" : "files";
}

void pl_text_files(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run **s = lk_xcalloc(r->s.nruns, sizeof(*s));
    const struct pl_run *lo, *hi;
    char f1[48], f2[48], s1[48], s2[48], m1[48], m2[48];
    size_t n;
    int kappa = trigger_ends(r, &lo, &hi);
    if (kappa) {
        lk_fmt_count(f1, sizeof(f1), lo->files_written);
        lk_fmt_count(f2, sizeof(f2), hi->files_written);
        lk_fmt_bytes(s1, sizeof(s1), lo->mean_file_bytes);
        lk_fmt_bytes(s2, sizeof(s2), hi->mean_file_bytes);
        lk_fmt_money(m1, sizeof(m1), lo->operations_usd);
        lk_fmt_money(m2, sizeof(m2), hi->operations_usd);
        lk_buf_addf(b,
                    "Kappa at a %s trigger writes %s %s of %s on average; at %s, %s %s of %s."
                    " Each file is a write operation: operations cost %s/month at %s vs %s at"
                    " %s.",
                    lo->trigger, f1, files_word(lo->files_written), s1, hi->trigger, f2,
                    files_word(hi->files_written), s2, m1, lo->trigger, m2, hi->trigger);
    }
    if ((n = sorted_runs(r, LAMBDA, s)) > 0) {
        lk_buf_addf(b, "%sLambda writes", kappa ? " " : "");
        for (size_t i = 0; i < n; i++) {
            lk_fmt_count(f1, sizeof(f1), s[i]->files_written);
            lk_buf_addf(b, "%s %s %s with a %s batch", i ? (i + 1 == n ? " and" : ",") : "", f1,
                        files_word(s[i]->files_written), s[i]->batch_every);
        }
        lk_buf_addf(b, ".");
    }
    free(s);
}

/* u is a Kappa run with a watermark at trigger_ms. */
static int wm_member(const struct pl_run *u, int64_t trigger_ms)
{
    return u->stack == PL_KAPPA && u->watermark_ms >= 0 && u->trigger_ms == trigger_ms
           && !pl_run_update(u);
}

/* Kappa runs at the watermark chart's trigger (pl_sweep_watermark_trigger): lowest, highest. */
static int watermark_ends(const struct pl_report *r, const struct pl_run **lo,
                          const struct pl_run **hi)
{
    const char *label;
    int64_t t = 0;
    *lo = *hi = NULL;
    if (pl_sweep_watermark_trigger(&r->s, &t, &label) < 2)
        return 0;
    for (size_t i = 0; i < r->s.nruns; i++) {
        const struct pl_run *u = &r->s.runs[i];
        if (!wm_member(u, t))
            continue;
        if (!*lo || u->watermark_ms < (*lo)->watermark_ms)
            *lo = u;
        if (!*hi || u->watermark_ms > (*hi)->watermark_ms)
            *hi = u;
    }
    return 1;
}

void pl_text_watermark(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run *lo, *hi;
    char l1[48], l2[48], s1[48], s2[48], c1[48], c2[48], x[48];
    if (!watermark_ends(r, &lo, &hi)) {
        lk_buf_addf(b, "This sweep has no Kappa runs that differ only in the watermark.");
        return;
    }
    lk_fmt_num(l1, sizeof(l1), lo->late_pct);
    lk_fmt_num(l2, sizeof(l2), hi->late_pct);
    lk_fmt_count(s1, sizeof(s1), lo->max_state_rows);
    lk_fmt_count(s2, sizeof(s2), hi->max_state_rows);
    lk_fmt_ms(c1, sizeof(c1), lo->correct_ms[0]);
    lk_fmt_ms(c2, sizeof(c2), hi->correct_ms[0]);
    lk_buf_addf(b, "At a %s trigger, a %s watermark drops %s%% of events as late, %s drops %s%%",
                lo->trigger, lo->watermark, l1, hi->watermark, l2);
    if (lo->max_state_rows > 0) {
        lk_fmt_ratio(x, sizeof(x), hi->max_state_rows / lo->max_state_rows);
        lk_buf_addf(b, " but holds %s the state rows (%s vs %s)", x, s2, s1);
    } else {
        lk_buf_addf(b, " but holds %s state rows (vs %s)", s2, s1);
    }
    lk_buf_addf(b,
                "; the correct p50 moves from %s to %s, and the events whose row is never"
                " correct from %.2f%% to %.2f%% (100%% minus the correct share).",
                c1, c2, 100.0 - lo->correct_pct, 100.0 - hi->correct_pct);
}

/* The first batch view landing at or after hour h; -1 when none. */
static double landing_after(const struct pl_report *r, double h)
{
    double best = -1;
    for (size_t i = 0; i < r->s.nbatch; i++)
        if (r->s.batch_hours[i] >= h && (best < 0 || r->s.batch_hours[i] < best))
            best = r->s.batch_hours[i];
    return best;
}

/* The chart plots diff_pct (PL_SZ): the caption's peak and drop are read from that series. */
static void sawtooth_drop(const struct pl_series *s, size_t p, struct lk_buf *b)
{
    char v[48], h[48];
    size_t i = p + 1;
    while (i < s->nrows && PL_SZ(s, i) >= PL_SZ(s, i - 1))
        i++;
    if (i >= s->nrows) {
        lk_buf_addf(b, "; it has not dropped by the end of the series");
        return;
    }
    while (i + 1 < s->nrows && PL_SZ(s, i + 1) <= PL_SZ(s, i))
        i++;
    lk_fmt_num(v, sizeof(v), PL_SZ(s, i));
    lk_fmt_num(h, sizeof(h), PL_SX(s, i));
    lk_buf_addf(b, " and the discrepancy drops to %s%% (hour %s)", v, h);
}

void pl_text_sawtooth(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_series *s = &r->saw;
    char v[48], pct[48], h[48], l[48];
    size_t p = 0;
    double land;
    if (s->nrows == 0) {
        lk_buf_addf(b, "This sweep has no Lambda discrepancy series (sawtooth.tsv).");
        return;
    }
    for (size_t i = 1; i < s->nrows; i++)
        if (PL_SZ(s, i) > PL_SZ(s, p))
            p = i;
    lk_fmt_count(v, sizeof(v), PL_SY(s, p));
    lk_fmt_num(pct, sizeof(pct), PL_SZ(s, p));
    lk_fmt_num(h, sizeof(h), PL_SX(s, p));
    lk_buf_addf(b,
                "In %s, Lambda's discrepancy (speed layer vs batch view) peaks at %s%% of rows"
                " (%s rows) at hour %s",
                r->s.saw_run ? r->s.saw_run : "the Lambda run", pct, v, h);
    land = landing_after(r, PL_SX(s, p));
    if (land >= 0) {
        lk_fmt_num(l, sizeof(l), land);
        lk_buf_addf(b, "; the next batch view lands at hour %s,", l);
    }
    if (PL_SZ(s, p) > 0)
        sawtooth_drop(s, p, b);
    lk_buf_addf(b, ".");
    if (r->s.nbatch > 0) {
        lk_buf_addf(b, " Batch views land at hours");
        for (size_t i = 0; i < r->s.nbatch; i++) {
            lk_fmt_num(l, sizeof(l), r->s.batch_hours[i]);
            lk_buf_addf(b, "%s %s", i ? (i + 1 == r->s.nbatch ? " and" : ",") : "", l);
        }
        lk_buf_addf(b, ": each one resets the speed layer's drift.");
    }
}

static int same_value(double a, double b)
{
    return fabs(a - b) < 0.005;
}

static void freshness_stack(const struct pl_report *r, const struct pl_series *s, const char *stack,
                            struct lk_buf *b)
{
    char v[48], h[48], m[48];
    size_t settle = s->nrows, peak = 0;
    if (s->nrows == 0) {
        lk_buf_addf(b, " This sweep has no %s series.", stack);
        return;
    }
    while (settle > 0 && same_value(PL_SY(s, settle - 1), r->s.fresh_final))
        settle--;
    for (size_t i = 1; i < s->nrows; i++)
        if (PL_SY(s, i) > PL_SY(s, peak))
            peak = i;
    lk_fmt_num(v, sizeof(v), PL_SY(s, 0));
    lk_fmt_num(h, sizeof(h), PL_SX(s, 0));
    lk_buf_addf(b, " %s first shows %s at hour %s", stack, v, h);
    if (PL_SY(s, peak) > r->s.fresh_final + 0.005) {
        lk_fmt_num(m, sizeof(m), PL_SY(s, peak));
        lk_buf_addf(b, ", overshoots to %s", m);
    }
    if (settle == s->nrows) {
        lk_fmt_num(m, sizeof(m), PL_SY(s, s->nrows - 1));
        lk_buf_addf(b, " and ends at %s, not the final answer.", m);
        return;
    }
    lk_fmt_num(h, sizeof(h), PL_SX(s, settle));
    lk_buf_addf(b, " and settles on the final answer at hour %s", h);
    for (size_t i = 0; i < r->s.nbatch; i++)
        if (fabs(r->s.batch_hours[i] - PL_SX(s, settle)) < 0.01) {
            lk_buf_addf(b, ", when a batch view lands");
            break;
        }
    lk_buf_addf(b, " (%zu %s).", s->nrows, s->nrows == 1 ? "value" : "values");
}

void pl_text_freshness(const struct pl_report *r, struct lk_buf *b)
{
    char f[48];
    if (!r->s.fresh_key) {
        lk_buf_addf(b, "This sweep names no freshness window (sweep.json).");
        return;
    }
    lk_fmt_num(f, sizeof(f), r->s.fresh_final);
    lk_buf_addf(b, "One window's answer over time: key %s, column %s, final answer %s.",
                r->s.fresh_key, r->s.fresh_column, f);
    freshness_stack(r, &r->fresh_k, "Kappa", b);
    freshness_stack(r, &r->fresh_l, "Lambda", b);
}

/* ---------------------------------------------------------------- findings ---- */

static void finding_reconcile(const struct pl_report *r, struct lk_buf *b)
{
    size_t eq = 0, ex = 0, bad = 0;
    for (size_t i = 0; i < r->s.nruns; i++) {
        eq += strcmp(r->s.runs[i].status, "equal") == 0;
        ex += strcmp(r->s.runs[i].status, "explained") == 0;
    }
    bad = r->s.nruns - eq - ex;
    if (bad == 0 && r->s.nruns == 1) {
        lk_buf_addf(b, "The run reconciles with the truth (%s).",
                    eq ? "equal" : "with explained differences");
        return;
    }
    if (bad == 0) {
        lk_buf_addf(b,
                    "All %zu runs reconcile with the truth (%zu equal, %zu with explained"
                    " differences).",
                    r->s.nruns, eq, ex);
        return;
    }
    lk_buf_addf(b, "%zu of %zu runs do not reconcile with the truth:", bad, r->s.nruns);
    for (size_t i = 0, k = 0; i < r->s.nruns; i++)
        if (strcmp(r->s.runs[i].status, "equal") != 0 && strcmp(r->s.runs[i].status, "explained"))
            lk_buf_addf(b, "%s %s (%s)", k++ ? "," : "", r->s.runs[i].name, r->s.runs[i].status);
    lk_buf_addf(b, ".");
}

static void finding_pick(const struct pl_report *r, enum pick p, struct lk_buf *b)
{
    const struct pl_run *u = pick(r, p);
    char m[48], d1[48], d2[48], l[48];
    lk_fmt_money(m, sizeof(m), u->total_usd);
    lk_fmt_ms(d1, sizeof(d1), u->first_visible_ms[0]);
    lk_fmt_ms(d2, sizeof(d2), u->correct_ms[0]);
    if (p == PICK_CHEAPEST)
        lk_buf_addf(b,
                    "Cheapest config: %s at %s/month (first-visible p50 %s, correct p50 %s;"
                    " %.2f%% of its events end in a row equal to the truth).",
                    u->name, m, d1, d2, u->correct_pct);
    else if (p == PICK_FIRST_VISIBLE)
        lk_buf_addf(b, "Fastest first answer: %s, first-visible p50 %s at %s/month.", u->name, d1,
                    m);
    else
        lk_buf_addf(b,
                    "Fastest correct answer: %s, correct p50 %s at %s/month; %.2f%% of its "
                    "events end in a row equal to the truth.",
                    u->name, d2, m, u->correct_pct);
    if (p != PICK_CHEAPEST && u->late_pct > 0) {
        lk_fmt_num(l, sizeof(l), u->late_pct);
        lk_buf_addf(b, " It drops %s%% of events as late.", l);
    }
}

int pl_text_finding(const struct pl_report *r, size_t i, struct lk_buf *b)
{
    const struct pl_run *lo, *hi;
    switch (i) {
    case 0:
        finding_reconcile(r, b);
        return 1;
    case 1:
        finding_pick(r, PICK_CHEAPEST, b);
        return 1;
    case 2:
        finding_pick(r, PICK_FIRST_VISIBLE, b);
        return 1;
    case 3:
        finding_pick(r, PICK_CORRECT, b);
        return 1;
    case 4:
        if (trigger_ends(r, &lo, &hi))
            trigger_tradeoff(r, b);
        return 1;
    case 5:
        if (watermark_ends(r, &lo, &hi))
            pl_text_watermark(r, b);
        return 1;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ cost tables ---- */

static const char *cost_field(const struct pl_cost *c, enum pl_cost_field f)
{
    return f == PL_COST_SCENARIO ? c->scenario : f == PL_COST_CONFIG ? c->config : c->component;
}

/* c belongs to scenario (NULL: every row does). */
static int in_scenario(const struct pl_cost *c, const char *scenario)
{
    return !scenario || strcmp(c->scenario, scenario) == 0;
}

size_t pl_cost_distinct(const struct pl_costs *t, enum pl_cost_field f, const char *scenario,
                        const char **out, const char *skip)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *v = cost_field(&t->rows[i], f);
        size_t k = 0;
        if (!in_scenario(&t->rows[i], scenario) || (skip && strcmp(v, skip) == 0))
            continue;
        while (k < n && strcmp(out[k], v) != 0)
            k++;
        if (k == n)
            out[n++] = v;
    }
    return n;
}

double pl_cost_of(const struct pl_costs *t, const char *scenario, const char *config,
                  const char *component, int *found)
{
    double v = 0;
    *found = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const struct pl_cost *c = &t->rows[i];
        if (in_scenario(c, scenario) && strcmp(c->config, config) == 0
            && strcmp(c->component, component) == 0) {
            v += c->usd_month;
            *found = 1;
        }
    }
    return v;
}

double pl_scenario_share(const struct pl_costs *scen, const char *scenario, const char *config)
{
    double so = 0, sum = 0, total = -1;
    for (size_t i = 0; i < scen->nrows; i++) {
        const struct pl_cost *c = &scen->rows[i];
        if (strcmp(c->scenario, scenario) != 0 || strcmp(c->config, config) != 0)
            continue;
        if (strcmp(c->component, "total") == 0) {
            total = c->usd_month;
            continue;
        }
        sum += c->usd_month;
        if (strcmp(c->component, "storage") == 0 || strcmp(c->component, "operations") == 0)
            so += c->usd_month;
    }
    if (total < 0)
        total = sum;
    return total > 0 ? 100.0 * so / total : -1;
}
