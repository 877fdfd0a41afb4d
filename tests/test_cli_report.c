/*
 * lklab report on a copy of the hand-made sweep fixture (tests/fixtures/sweep, docs/sweep.md):
 * the two files, the embedded charts (fake 1x1 PNGs written here), the generated sentences
 * against numbers worked by hand from the fixture, HTML escaping, and bad input.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_file.h"
#include "lk_test.h"
#include "banned.h"

/* A valid 1x1 RGBA PNG (IHDR, IDAT, IEND with correct CRCs). */
static const unsigned char png1x1[67] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static const char *const charts[6] = { "latency",   "cost",     "files",
                                       "watermark", "sawtooth", "freshness" };

/* DIR/NAME's contents (heap) or NULL. */
static char *slurp_in(const char *dir, const char *name)
{
    char *path = lkt_fmt("%s/%s", dir, name), *text = lkt_slurp(path);
    free(path);
    return text;
}

/* DIR/NAME is a non-empty file. */
static int nonempty_in(const char *dir, const char *name)
{
    char *path = lkt_fmt("%s/%s", dir, name);
    struct stat st;
    int ok = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
    free(path);
    return ok;
}

/* A fresh copy of the fixture: <tmp>/s (heap). */
static char *fixture_copy(const char *name)
{
    char *dir = lkt_tmpdir(name), *s = lkt_fmt("%s/s", dir);
    char *cmd = lkt_fmt("cp -r '%s/tests/fixtures/sweep' '%s'", lkt_root(), s);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
    free(dir);
    return s;
}

/* The fake chart i: the 1x1 PNG followed by the chart's name (decoders ignore the tail). */
static size_t fake_png(size_t i, unsigned char *buf)
{
    size_t n = strlen(charts[i]);
    memcpy(buf, png1x1, sizeof(png1x1));
    memcpy(buf + sizeof(png1x1), charts[i], n);
    return sizeof(png1x1) + n;
}

/* S/plots/<chart>.png for the first n charts. */
static void write_fakes(const char *s, size_t n)
{
    unsigned char buf[128];
    char *dir = lkt_fmt("%s/plots", s);
    cr_assert_eq(lk_mkdir_p(dir, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        char *path = lkt_fmt("%s/%s.png", dir, charts[i]);
        FILE *fp = fopen(path, "wb");
        size_t len = fake_png(i, buf);
        cr_assert(fp);
        cr_assert_eq(fwrite(buf, 1, len, fp), len);
        cr_assert_eq(fclose(fp), 0);
        free(path);
    }
    free(dir);
}

static int b64_value(char c)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(a, c) : NULL;
    return p ? (int)(p - a) : -1;
}

/* Decode base64 text up to the first '"' into out; returns the length, or -1 when invalid. */
static long b64_decode(const char *s, unsigned char *out, size_t cap)
{
    size_t n = 0, len = strcspn(s, "\"");
    if (len % 4)
        return -1;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' && i + 4 == len && k >= 2 ? 0 : b64_value(s[i + k]);
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || n + 3 > cap)
            return -1;
        out[n++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        if (s[i + 2] != '=')
            out[n++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
        if (s[i + 3] != '=')
            out[n++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
    }
    return (long)n;
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/*
 * The HTML's elements nest properly (every opened non-void element is closed, in order),
 * and nothing is loaded from elsewhere.
 */
static void check_html_structure(const char *html)
{
    static const char *const void_tags[] = { "meta", "img", "br", "hr", "link", "!DOCTYPE" };
    char stack[64][16];
    size_t depth = 0;
    cr_assert(
        strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", 62)
        == 0);
    cr_assert(strstr(html, "<title>") && strstr(html, "</title>"));
    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "<link"));
    cr_assert_null(strstr(html, "http:"));
    cr_assert_null(strstr(html, "https:"));
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        int close = p[1] == '/';
        char name[16];
        size_t n = strcspn(p + 1 + close, " >");
        int is_void = 0;
        cr_assert(n > 0 && n < sizeof(name), "odd tag at %.20s", p);
        memcpy(name, p + 1 + close, n);
        name[n] = '\0';
        for (size_t i = 0; i < sizeof(void_tags) / sizeof(void_tags[0]); i++)
            is_void |= strcmp(name, void_tags[i]) == 0;
        if (is_void)
            continue;
        if (!close) {
            cr_assert(depth < 64);
            memcpy(stack[depth++], name, n + 1);
            continue;
        }
        cr_assert(depth > 0, "</%s> closes nothing", name);
        cr_assert_str_eq(stack[--depth], name, "</%s> closes <%s>", name, stack[depth]);
    }
    cr_assert_eq(depth, 0, "<%s> left open", depth ? stack[depth - 1] : "");
}

Test(cli_report, embeds_the_charts_in_html_and_references_them_from_markdown)
{
    char *s = fixture_copy("report-embed"), *out = NULL, *html, *md, *p;
    unsigned char want[128], got[256];
    size_t i = 0;
    write_fakes(s, 4); /* sawtooth and freshness stay missing */
    cr_assert_eq(lkt_run(&out, NULL, "report --sweep %s --no-plot", s), 0);
    cr_assert(strstr(out, "(10 runs, 4 of 6 charts)"), "%s", out);
    html = slurp_in(s, "report.html");
    md = slurp_in(s, "report.md");
    cr_assert(html && md);
    check_html_structure(html);
    for (p = strstr(html, "<img "); p; p = strstr(p + 1, "<img "), i++) {
        const char *src = strstr(p, "src=\"");
        long n;
        cr_assert(src && strncmp(src + 5, "data:image/png;base64,", 22) == 0, "%.60s", p);
        n = b64_decode(src + 27, got, sizeof(got));
        cr_assert(i < 4);
        cr_assert_eq(n, (long)fake_png(i, want), "image %zu", i);
        cr_assert_eq(memcmp(got, want, (size_t)n), 0, "image %zu is not %s.png", i, charts[i]);
    }
    cr_assert_eq(i, 4);
    cr_assert_eq(count(html, "chart not available (run lklab plot)"), 2);
    /* Markdown: ![..](plots/NAME.png) for the four present charts, files that exist */
    i = 0;
    for (p = strstr(md, "!["); p; p = strstr(p + 1, "!["), i++) {
        const char *ref = strstr(p, "](");
        char *rel, *want_rel;
        cr_assert(ref);
        rel = lkt_fmt("%.*s", (int)strcspn(ref + 2, ")"), ref + 2);
        cr_assert(i < 4);
        want_rel = lkt_fmt("plots/%s.png", charts[i]);
        cr_assert_str_eq(rel, want_rel);
        cr_assert(nonempty_in(s, rel), "%s", rel);
        free(want_rel);
        free(rel);
    }
    cr_assert_eq(i, 4);
    cr_assert_eq(count(md, "chart not available (run lklab plot)"), 2);
    free(html);
    free(md);
    free(out);
    free(s);
}

Test(cli_report, markdown_paths_are_relative_to_the_output_directory)
{
    char *s = fixture_copy("report-out"), *dir = lkt_fmt("%s/../elsewhere/rep", s), *md, *p;
    size_t i = 0;
    write_fakes(s, 6);
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s --out %s --no-plot", s, dir), 0);
    md = slurp_in(dir, "report.md");
    cr_assert(md);
    for (p = strstr(md, "]("); p; p = strstr(p + 1, "]("), i++) {
        char *rel = lkt_fmt("%.*s", (int)strcspn(p + 2, ")"), p + 2);
        char *want_rel = lkt_fmt("../../s/plots/%s.png", charts[i]);
        cr_assert_str_eq(rel, want_rel);
        cr_assert(nonempty_in(dir, rel), "%s", rel);
        free(want_rel);
        free(rel);
    }
    cr_assert_eq(i, 6);
    cr_assert(nonempty_in(dir, "report.html"));
    cr_assert_not(nonempty_in(s, "report.html"));
    free(md);
    free(dir);
    free(s);
}

/*
 * Worked by hand from tests/fixtures/sweep/sweep.csv: Kappa at watermark 10m (the most
 * common) runs triggers 10s..24h; 24h: first_visible_p50 43,200,000 ms = 12 h, total 5.3
 * -> $5.30; 10s: 6,100 ms = 6.1 s, $84.40; 43,200,000 / 6,100 = 7082x; 84.4 / 5.3 = 15.9
 * -> 16x. 1h: total 13.1 -> $13.10. Trigger 1m runs three watermarks: 1m late 6.5%, 120
 * state rows; 1h late 0.05%, 1,900 rows: 1900 / 120 = 15.8 -> 16x. sawtooth.tsv peaks at
 * 15 rows at hour 5, the batch view lands at 6.06 (sweep.json), the next row is 0.
 * scenarios.csv small-files before: (420 + 280) / 1000 = 70.0%; after: 65 / 385 = 16.9%.
 */
Test(cli_report, generated_sentences_carry_the_fixture_numbers)
{
    static const char *const want[] = {
        "Kappa at a 24h trigger: first-visible p50 12 h, $5.30/month; at 10s: 6.1 s,"
        " $84.40/month — 7082x the latency buys a 16x cheaper bill",
        "10s $84.40, 1m $60.70, 1h $13.10, 24h $5.30",
        "a 1m watermark drops 6.5% of events as late, 1h drops 0.05% but holds 16x the state"
        " rows (1,900 vs 120); the correct p50 moves from 2.5 min to 1.0 h, and the events whose"
        " row is never correct from 6.50% to 0.05%",
        "peaks at 2% of rows (15 rows) at hour 5; the next batch view lands at hour 6.06, and the"
        " discrepancy drops to 0%",
        "Cheapest config: kappa-24h-wm10m at $5.30/month",
        /* the update-mode runs and Lambda's two clusters in the chart captions */
        "Kappa update mode (no files) by trigger: 10s $52.10, 1m $52.10.",
        "6h $65.50 (speed cluster $52.10, batch cluster $9.10)",
        "first-visible p50 6.1 s (correct p50 30 min, 99.20% of events end correct) at 10s",
        "Fastest correct answer: kappa-1m-wm1m, correct p50 2.5 min at $60.40/month; 93.50% of"
        " its events end in a row equal to the truth",
        "fastest correct answer: kappa-1m-wm1m (p50 2.5 min, 93.50% of its events correct)",
        "<td>before</td>",
        "<td class=\"n\">70.0%</td>",
        "<td class=\"n\">16.9%</td>",
        "<td class=\"n\">$14,640.00</td>",
    };
    char *s = fixture_copy("report-text"), *html, *md;
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s --no-plot", s), 0);
    html = slurp_in(s, "report.html");
    md = slurp_in(s, "report.md");
    cr_assert(html && md);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        cr_assert(strstr(html, want[i]), "missing: %s", want[i]);
    /* Markdown escapes '$' (GitHub would start math) */
    cr_assert(strstr(md, "1h \\$13.10, 24h \\$5.30"), "%s", md);
    cr_assert(strstr(md, "| kappa-1h-wm10m | kappa | append | 1h | - | 10m | 30 min |"), "%s", md);
    cr_assert(strstr(md, "| 99.20% | 0.8% |"), "%s", md);
    free(html);
    free(md);
    free(s);
}

/*
 * The Verdict, by hand from the fixture. Dashboard: kappa-update-1m-wm10m (first visible p50
 * 33,000 ms, p99 62,700 ms = 1.0 min; correct 99.20%, $52.10) against the cheapest Lambda run,
 * lambda-6h ($65.50 < lambda-1h's $74.50; 99.40%): 65.50 - 52.10 = $13.40 less, 100 - 99.20 =
 * 0.80% never correct. Daily: the highest share is kappa-1m-wm1h's 99.95% ($60.80), the
 * only run that high. Second code path: cost.csv's lambda-6h compute.batch 9.1 and
 * compute.speed 52.1; sawtooth.tsv's highest diff_pct 2.00. Cost: Kappa 1m (60.70, compute
 * 52.10) pays 60.70 - 52.10 = $8.60 for its files; Lambda 6h pays batch 9.10 + files
 * (65.50 - 61.20 = 4.30) = $13.40; 65.50 - 60.70 = $4.80 dearer; kappa-update-1m $52.10.
 */
Test(cli_report, the_verdict_answers_from_the_fixture_numbers)
{
    static const char *const want[] = {
        "<h2>Verdict</h2>",
        "A dashboard refreshed every minute: Kappa in update mode (one code path), run"
        " kappa-update-1m-wm10m: an event shows after 33 s (p50; p99 1.0 min)",
        "99.20% of events end in a correct row, $52.10/month",
        "run lambda-6h: an event shows after 6.0 s",
        "Kappa update (kappa-update-1m-wm10m) for a dashboard: fresh, one code path,"
        " $13.40/month less; but 0.80% of its events stay in rows that are never correct",
        "Verdict: kappa-1m-wm1h, the cheapest run whose rows end as correct as any run of this"
        " sweep (99.95% of events, $60.80/month)",
        "it buys correctness: 99.40% of lambda-6h's events end in a correct row against 99.20%"
        " in kappa-update-1m-wm10m",
        "It costs a second cluster (batch $9.10/month beside the speed layer's $52.10)",
        "(up to 2.00% of rows differ, the sawtooth chart)",
        "Why lambda-6h ($65.50/month) costs more than kappa-1m-wm10m ($60.70/month)",
        "Lambda's batch layer costs more than Kappa's files ($13.40 against $8.60), so Lambda"
        " comes out $4.80/month dearer.",
        "kappa-update-1m-wm10m costs $52.10/month, less than both",
    };
    char *s = fixture_copy("report-verdict"), *html;
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s --no-plot", s), 0);
    html = slurp_in(s, "report.html");
    cr_assert(html);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        cr_assert(strstr(html, want[i]), "missing: %s", want[i]);
    /* the Verdict comes after the findings and before the runs table */
    cr_assert(strstr(html, "<h2>Findings</h2>") < strstr(html, "<h2>Verdict</h2>"));
    cr_assert(strstr(html, "<h2>Verdict</h2>") < strstr(html, "<h2>Runs</h2>"));
    free(html);
    free(s);
}

/* The sawtooth chart plots diff_pct: its caption's peak is the highest percentage, even
 * when another row has more differing rows (fewer rows in all at that time). */
Test(cli_report, the_sawtooth_caption_reads_the_series_the_chart_plots)
{
    char *s = fixture_copy("report-saw"), *path = lkt_fmt("%s/sawtooth.tsv", s), *html;
    lkt_write(path, "# hours diff_rows diff_pct\n0\t0\t0.00\n1\t40\t1.00\n2\t30\t3.00\n"
                    "3\t0\t0.00\n");
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s --no-plot", s), 0);
    html = slurp_in(s, "report.html");
    cr_assert(strstr(html,
                     "peaks at 3% of rows (30 rows) at hour 2; the next batch view lands at hour"
                     " 6.06, and the discrepancy drops to 0% (hour 3)"),
              "%s", html);
    free(html);
    free(path);
    free(s);
}

Test(cli_report, escapes_what_it_copies_from_files)
{
    char *s = fixture_copy("report-escape"), *html, *md;
    char *cmd =
        lkt_fmt("printf '<script>alert(\"x\")</script> & co\\n' >> %s/reconcile/lambda-1h.txt"
                " && sed -i 's/\"clickstream\"/\"click<b>stream\"/' %s/sweep.json",
                s, s);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s --no-plot", s), 0);
    html = slurp_in(s, "report.html");
    md = slurp_in(s, "report.md");
    cr_assert(html && md);
    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "<b>"));
    cr_assert(strstr(html, "verdict: explained\n&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
                           " &amp; co\n</pre>"),
              "%s", html);
    cr_assert(strstr(html, "<title>lklab sweep report: click&lt;b&gt;stream, pipeline"));
    check_html_structure(html);
    /* Markdown: verbatim inside the fence, escaped in text */
    cr_assert(strstr(md, "```text\nreconcile lambda-1h vs truth.csv\n"));
    cr_assert(strstr(md, "| scenario | click\\<b\\>stream |"), "%s", md);
    free(cmd);
    free(html);
    free(md);
    free(s);
}

Test(cli_report, the_same_sweep_gives_the_same_bytes)
{
    char *s = fixture_copy("report-determinism"), *a, *b, *c, *d;
    write_fakes(s, 6);
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s --no-plot", s), 0);
    a = slurp_in(s, "report.html");
    b = slurp_in(s, "report.md");
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s --no-plot", s), 0);
    c = slurp_in(s, "report.html");
    d = slurp_in(s, "report.md");
    cr_assert(a && b && c && d);
    cr_assert_str_eq(a, c);
    cr_assert_str_eq(b, d);
    cr_assert_null(strstr(a, s)); /* no path of the sweep: the bytes do not depend on it */
    cr_assert_null(strstr(b, s));
    free(a);
    free(b);
    free(c);
    free(d);
    free(s);
}

/* Without --no-plot the report draws the charts first; whatever lklab plot manages, it renders. */
Test(cli_report, renders_whatever_lklab_plot_manages)
{
    char *s = fixture_copy("report-plot"), *html, *p;
    size_t imgs = 0;
    cr_assert_eq(lkt_run(NULL, NULL, "report --sweep %s", s), 0);
    html = slurp_in(s, "report.html");
    cr_assert(html);
    for (p = strstr(html, "<img "); p; p = strstr(p + 1, "<img "), imgs++) {
        const char *src = strstr(p, "src=\"data:image/png;base64,");
        cr_assert(src);
        cr_assert(strncmp(src + 27, "iVBORw0KGgo", 11) == 0, "not a PNG"); /* \x89PNG\r\n\x1a\n */
    }
    cr_assert_eq(imgs + count(html, "chart not available (run lklab plot)"), 6);
    check_html_structure(html);
    free(html);
    free(s);
}

static void expect_fail(const char *s, int code, const char *msg)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "report --sweep %s --no-plot", s), code, "%s", err);
    cr_assert(strstr(err, msg), "%s", err);
    cr_assert_eq(count(err, "\n"), 1, "one line: %s", err);
    cr_assert_not(nonempty_in(s, "report.html"));
    free(err);
}

Test(cli_report, malformed_or_missing_sweep_files_exit_3_naming_file_and_line)
{
    char *s = fixture_copy("report-bad");
    char *cmd = lkt_fmt("sed -i '3s/,33000,/,33x00,/' %s/sweep.csv", s);
    cr_assert_eq(system(cmd), 0);
    expect_fail(s, 3, "bad number '33x00' in column 'first_visible_p50_ms'");
    expect_fail(s, 3, "sweep.csv' line 3)");
    free(cmd);
    cmd = lkt_fmt("sed -i '3s/,33x00,/,/' %s/sweep.csv", s);
    cr_assert_eq(system(cmd), 0);
    expect_fail(s, 3, "27 fields where the header has 28 (");
    free(cmd);
    cmd = lkt_fmt(
        "rm %s/sweep.csv && printf '{\\n  \"pipeline\": ,\\n  \"x\": 1\\n}\\n' > %s/sweep.json", s,
        s);
    cr_assert_eq(system(cmd), 0);
    expect_fail(s, 3, "not valid JSON ('");
    expect_fail(s, 3, "sweep.json' line 2)");
    free(cmd);
    cmd = lkt_fmt("rm %s/sweep.json", s);
    cr_assert_eq(system(cmd), 0);
    expect_fail(s, 3, "sweep.json");
    free(cmd);
    free(s);
}

Test(cli_report, usage_errors_exit_2)
{
    char *err = NULL, *out = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "report"), 2);
    cr_assert(strstr(err, "missing --sweep"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "report --sweep x --colour"), 2);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "report --sweep %s/out/no-such-sweep", lkt_root()), 3);
    free(err);
    cr_assert_eq(lkt_run(&out, NULL, "report --help"), 0);
    cr_assert(strstr(out, "usage: lklab report --sweep S"));
    free(out);
}
