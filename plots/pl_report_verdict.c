/*
 * pl_report_verdict - the report's Verdict (pl_report_int.h, docs/report.md): the lecture's
 * questions on Lambda and Kappa answered from the sweep's numbers, each naming the runs it
 * rests on. Every claim that a run is correct states its correct share (correct_pct: the
 * events whose row ends equal to the truth). Ties go to the earlier row of sweep.csv.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_fmt.h"
#include "lk_mem.h"
#include "pl_report_int.h"
#include "banned.h"

#define MINUTE_MS 60000
#define DAY_MS 86400000

/* ------------------------------------------------------------- selection ---- */

/*
 * The Kappa run in the given mode at the charts' watermark whose trigger is closest to
 * want_ms on a log scale; NULL when there is none.
 */
static const struct pl_run *kappa_near(const struct pl_report *r, int update, int64_t want_ms)
{
    const struct pl_run *best = NULL;
    const char *label;
    int64_t wm;
    double bd = 0;
    if (pl_sweep_default_watermark(&r->s, &wm, &label) != 0)
        return NULL;
    for (size_t i = 0; i < r->s.nruns; i++) {
        const struct pl_run *u = &r->s.runs[i];
        double d;
        if (u->stack != PL_KAPPA || pl_run_update(u) != update || u->watermark_ms != wm
            || u->trigger_ms <= 0)
            continue;
        d = fabs(log((double)u->trigger_ms / (double)want_ms));
        if (!best || d < bd)
            best = u, bd = d;
    }
    return best;
}

/* The cheapest Lambda run; NULL without Lambda runs. */
static const struct pl_run *lambda_cheapest(const struct pl_report *r)
{
    const struct pl_run *best = NULL;
    for (size_t i = 0; i < r->s.nruns; i++) {
        const struct pl_run *u = &r->s.runs[i];
        if (u->stack == PL_LAMBDA && (!best || u->total_usd < best->total_usd))
            best = u;
    }
    return best;
}

/* The highest correct share of any run. */
static double best_share(const struct pl_report *r)
{
    double best = 0;
    for (size_t i = 0; i < r->s.nruns; i++)
        best = r->s.runs[i].correct_pct > best ? r->s.runs[i].correct_pct : best;
    return best;
}

/* A cost.csv component of run u; *found 0 when the sweep has no such row. */
static double part(const struct pl_report *r, const struct pl_run *u, const char *comp, int *found)
{
    return pl_cost_of(&r->s.cost, NULL, u->name, comp, found);
}

/* -------------------------------------------------------------- wording ---- */

/* "name (first visible p50 X, p99 Y; correct p50 Z, p99 W; C% of events end correct; $M/month" */
static void facts(struct lk_buf *b, const struct pl_run *u)
{
    char f50[48], f99[48], c50[48], c99[48], m[48];
    lk_fmt_ms(f50, sizeof(f50), u->first_visible_ms[0]);
    lk_fmt_ms(f99, sizeof(f99), u->first_visible_ms[2]);
    lk_fmt_ms(c50, sizeof(c50), u->correct_ms[0]);
    lk_fmt_ms(c99, sizeof(c99), u->correct_ms[2]);
    lk_fmt_money(m, sizeof(m), u->total_usd);
    lk_buf_addf(b,
                "run %s: an event shows after %s (p50; p99 %s), its row is correct after %s"
                " (p99 %s), %.2f%% of events end in a correct row, %s/month",
                u->name, f50, f99, c50, c99, u->correct_pct, m);
}

static int fewer_correct(const struct pl_run *a, const struct pl_run *b)
{
    return a->correct_pct + 0.005 < b->correct_pct;
}

/* ------------------------------------------------------------ questions ---- */

static void dashboard(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run *k = kappa_near(r, 1, MINUTE_MS), *l = lambda_cheapest(r);
    char m[48];
    lk_buf_addf(b, "A dashboard refreshed every minute: ");
    if (!k || !l) {
        lk_buf_addf(b, "this sweep needs a Kappa update-mode run and a Lambda run to answer"
                       " (lklab sweep --modes append,update, --batch-every).");
        return;
    }
    lk_buf_addf(b, "Kappa in update mode (one code path), ");
    facts(b, k);
    lk_buf_addf(b, ". Lambda's speed layer (two code paths: the same logic in the batch and"
                   " the speed layer), ");
    facts(b, l);
    lk_buf_addf(b, ". Verdict: ");
    if (k->first_visible_ms[0] > l->first_visible_ms[0] * 10 && k->first_visible_ms[0] > MINUTE_MS)
        lk_buf_addf(b, "only Lambda's speed layer shows events within the minute in this"
                       " sweep; ");
    if (!fewer_correct(k, l)) {
        lk_fmt_money(m, sizeof(m), fabs(l->total_usd - k->total_usd));
        lk_buf_addf(b,
                    "Kappa update (%s), which ends as correct (%.2f%% vs %.2f%% of events),"
                    " costs %s/month %s and keeps one code path.",
                    k->name, k->correct_pct, l->correct_pct, m,
                    k->total_usd <= l->total_usd ? "less" : "more");
        return;
    }
    lk_fmt_money(m, sizeof(m), fabs(l->total_usd - k->total_usd));
    lk_buf_addf(b,
                "Kappa update (%s) for a dashboard: fresh, one code path, %s/month %s;"
                " but %.2f%% of its events stay in rows that are never correct, because its"
                " watermark (%s) drops late events for good, while Lambda's batch layer"
                " recomputes them (%.2f%% correct, hours later). In update mode a row is"
                " rewritten at every trigger, so a longer watermark would not delay what the"
                " dashboard shows, only keep more state (the watermark chart). Choose Lambda"
                " only when every row must end exact and a second code path is affordable.",
                k->name, m, k->total_usd <= l->total_usd ? "less" : "more", 100.0 - k->correct_pct,
                k->watermark, l->correct_pct);
}

static void daily(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run *k = kappa_near(r, 0, DAY_MS), *best = NULL;
    double top = best_share(r);
    char m[48];
    for (size_t i = 0; i < r->s.nruns; i++) {
        const struct pl_run *u = &r->s.runs[i];
        if (u->correct_pct + 0.005 >= top && (!best || u->total_usd < best->total_usd))
            best = u;
    }
    lk_buf_addf(b, "A daily report (correct by the next day, nobody watches it live): ");
    if (k) {
        lk_buf_addf(b, "Kappa with a %s trigger (batch is streaming with a long trigger), ",
                    k->trigger);
        facts(b, k);
        lk_buf_addf(b, ". ");
    }
    lk_fmt_money(m, sizeof(m), best->total_usd);
    lk_buf_addf(b,
                "Verdict: %s, the cheapest run whose rows end as correct as any run of this"
                " sweep (%.2f%% of events, %s/month)",
                best->name, best->correct_pct, m);
    lk_buf_addf(b, best->stack == PL_KAPPA ? ", with one code path." : ".");
}

static void second_path(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run *l = lambda_cheapest(r), *k = kappa_near(r, 1, MINUTE_MS);
    char sp[48], ba[48], c50[48], c99[48];
    int fs, fb;
    double speed, batch;
    if (!k)
        k = kappa_near(r, 0, MINUTE_MS);
    lk_buf_addf(b, "What Lambda's second code path buys and costs: ");
    if (!l || !k) {
        lk_buf_addf(b, "this sweep needs a Lambda run and a Kappa run to answer.");
        return;
    }
    speed = part(r, l, "compute.speed", &fs);
    batch = part(r, l, "compute.batch", &fb);
    lk_fmt_ms(c50, sizeof(c50), l->correct_ms[0]);
    lk_fmt_ms(c99, sizeof(c99), l->correct_ms[2]);
    lk_buf_addf(b,
                "it buys correctness: %.2f%% of %s's events end in a correct row against"
                " %.2f%% in %s (its batch layer recomputes the whole history, late events"
                " included), but the last rows are correct only when a batch view lands"
                " (correct p99 %s; p50 %s). ",
                l->correct_pct, l->name, k->correct_pct, k->name, c99, c50);
    if (fs && fb) {
        lk_fmt_money(sp, sizeof(sp), speed);
        lk_fmt_money(ba, sizeof(ba), batch);
        lk_buf_addf(b, "It costs a second cluster (batch %s/month beside the speed layer's %s)", ba,
                    sp);
    } else {
        lk_buf_addf(b, "It costs a second cluster (cost.csv has no compute.batch row to price"
                       " it)");
    }
    lk_buf_addf(b, " and a second implementation of the same logic, which drifts from the"
                   " first between batch views");
    if (r->saw.nrows) {
        double peak = 0;
        for (size_t i = 0; i < r->saw.nrows; i++)
            peak = PL_SZ(&r->saw, i) > peak ? PL_SZ(&r->saw, i) : peak;
        lk_buf_addf(b, " (up to %.2f%% of rows differ, the sawtooth chart)", peak);
    }
    lk_buf_addf(b, " and has to be reconciled.");
}

/* Storage + operations + retrieval of run u (what its files cost). */
static double file_bill(const struct pl_run *u)
{
    return u->total_usd - u->compute_usd;
}

static void cost_why(const struct pl_report *r, struct lk_buf *b)
{
    const struct pl_run *l = lambda_cheapest(r), *k = kappa_near(r, 0, MINUTE_MS),
                        *ku = kappa_near(r, 1, MINUTE_MS);
    char lt[48], kt[48], kc[48], sp[48], ba[48], kf[48], lf[48], fk[48], fl[48], d[48];
    int fs, fb;
    double speed, batch;
    if (!l || !k) {
        lk_buf_addf(b, "Lambda against Kappa on cost: this sweep needs a Lambda run and a Kappa"
                       " append run to compare.");
        return;
    }
    speed = part(r, l, "compute.speed", &fs);
    batch = part(r, l, "compute.batch", &fb);
    if (!fs || !fb)
        speed = l->compute_usd, batch = 0;
    lk_fmt_money(lt, sizeof(lt), l->total_usd);
    lk_fmt_money(kt, sizeof(kt), k->total_usd);
    lk_fmt_money(kc, sizeof(kc), k->compute_usd);
    lk_fmt_money(sp, sizeof(sp), speed);
    lk_fmt_money(ba, sizeof(ba), batch);
    lk_fmt_money(kf, sizeof(kf), file_bill(k));
    lk_fmt_money(lf, sizeof(lf), file_bill(l));
    lk_fmt_count(fk, sizeof(fk), k->files_written);
    lk_fmt_count(fl, sizeof(fl), l->files_written);
    lk_fmt_money(d, sizeof(d), fabs(k->total_usd - l->total_usd));
    lk_buf_addf(b,
                "Why %s (%s/month) costs %s than %s (%s/month): both keep a cluster on"
                " (Kappa's %s, Lambda's speed layer %s). On top, Kappa pays for its %s files"
                " (storage, operations and the dashboard's reads of them: %s), Lambda for its"
                " batch cluster (%s) and its %s files (%s). ",
                l->name, lt, l->total_usd < k->total_usd ? "less" : "more", k->name, kt, kc, sp, fk,
                kf, ba, fl, lf);
    lk_fmt_money(lf, sizeof(lf), batch + file_bill(l));
    if (l->total_usd < k->total_usd)
        lk_buf_addf(b,
                    "Kappa's many small files cost more than Lambda's whole batch layer"
                    " (%s against %s",
                    kf, lf);
    else
        lk_buf_addf(b, "Lambda's batch layer costs more than Kappa's files (%s against %s", lf, kf);
    if (fabs(k->compute_usd - speed) >= 0.005) {
        lk_fmt_money(kc, sizeof(kc), fabs(k->compute_usd - speed));
        lk_buf_addf(b, "; Kappa's cluster costs %s %s than the speed cluster", kc,
                    k->compute_usd > speed ? "more" : "less");
    }
    if (l->total_usd < k->total_usd)
        lk_buf_addf(b, "), so Lambda comes out %s/month cheaper, at the price of two code paths.",
                    d);
    else
        lk_buf_addf(b, "), so Lambda comes out %s/month dearer.", d);
    if (ku && ku->total_usd < l->total_usd && ku->total_usd < k->total_usd) {
        lk_fmt_money(kt, sizeof(kt), ku->total_usd);
        lk_buf_addf(b,
                    " Kappa in update mode writes no files (the dashboard reads its serving"
                    " table): %s costs %s/month, less than both.",
                    ku->name, kt);
    }
    lk_buf_addf(b, " Not priced: the serving database that the speed layer and an update-mode"
                   " sink write to, and the input log or master dataset (docs/cost.md).");
}

int pl_text_verdict(const struct pl_report *r, size_t i, struct lk_buf *b)
{
    if (r->s.nruns == 0)
        return 0;
    switch (i) {
    case 0:
        dashboard(r, b);
        return 1;
    case 1:
        daily(r, b);
        return 1;
    case 2:
        second_path(r, b);
        return 1;
    case 3:
        cost_why(r, b);
        return 1;
    default:
        return 0;
    }
}

char *pl_report_verdict(const struct pl_report *r)
{
    struct lk_buf b = LK_BUF_INIT, one = LK_BUF_INIT;
    char *out;
    for (size_t i = 0; pl_text_verdict(r, i, &one); i++) {
        lk_buf_addf(&b, "%s\n", one.s);
        lk_buf_reset(&one);
    }
    lk_buf_release(&one);
    out = lk_xstrdup(b.s);
    lk_buf_release(&b);
    return out;
}
