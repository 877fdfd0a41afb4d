/*
 * lklab plot on the hand-made sweep directory tests/fixtures/sweep (docs/sweep.md): every
 * chart drawn as PNG and SVG, the data files hold the fixture's numbers (checked against
 * sweep.csv by hand, not against lklab's own output), the same sweep gives the same
 * bytes, and the fallbacks: no gnuplot on PATH, a malformed sweep.csv, charts the sweep
 * has no data for.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_test.h"
#include "banned.h"

static const char *const charts[] = { "latency",   "cost",     "files",
                                      "watermark", "sawtooth", "freshness" };
#define NCHARTS (sizeof(charts) / sizeof(charts[0]))

/* A copy of the fixture sweep in a fresh directory (heap path). */
static char *fixture_copy(const char *name)
{
    static const char *const files[] = {
        "sweep.csv", "sweep.json",   "sawtooth.tsv", "freshness_kappa.tsv", "freshness_lambda.tsv",
        "cost.csv",  "scenarios.csv"
    };
    char *dir = lkt_tmpdir(name);
    cr_assert(dir);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *src = lkt_fmt("%s/tests/fixtures/sweep/%s", lkt_root(), files[i]);
        char *dst = lkt_fmt("%s/%s", dir, files[i]);
        char *text = lkt_slurp(src);
        cr_assert(text, "cannot read %s", src);
        lkt_write(dst, text);
        free(text);
        free(src);
        free(dst);
    }
    return dir;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static char *plot_file(const char *dir, const char *name, const char *ext)
{
    return lkt_fmt("%s/plots/%s.%s", dir, name, ext);
}

/* Field col (0-based, tab-separated) of the row of text whose field key_col is key. */
static double field(const char *text, int key_col, const char *key, int col)
{
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512], *f[16];
        int n = 0;
        snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
        for (char *p = buf; n < 16;) {
            f[n++] = p;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p++ = '\0';
        }
        if (buf[0] != '#' && key_col < n && col < n && strcmp(f[key_col], key) == 0)
            return strtod(f[col], NULL);
        line = end ? end + 1 : NULL;
    }
    cr_assert_fail("no row '%s' in:\n%s", key, text);
    return NAN;
}

static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += strncmp(p, prefix, len) == 0;
    return n;
}

static char *slurp_plot(const char *dir, const char *name)
{
    char *path = plot_file(dir, name, "tsv"), *text = lkt_slurp(path);
    cr_assert(text, "no %s", path);
    free(path);
    return text;
}

Test(cli_plot, draws_every_chart_as_png_and_svg)
{
    char *dir = fixture_copy("plot-all"), *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 0, "%s", err);
    for (size_t i = 0; i < NCHARTS; i++) {
        char *png = plot_file(dir, charts[i], "png"), *svg = plot_file(dir, charts[i], "svg");
        char *tsv = plot_file(dir, charts[i], "tsv"), *head = lkt_slurp(png), *s = lkt_slurp(svg);
        cr_assert(head && file_size(png) > 1000, "%s missing or tiny", png);
        cr_assert(memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0, "%s is not a PNG", png);
        cr_assert(s && strstr(s, "<svg") && strstr(s, "</svg>"), "%s is not an SVG", svg);
        cr_assert(file_size(tsv) > 0, "%s missing", tsv);
        free(head);
        free(s);
        free(png);
        free(svg);
        free(tsv);
    }
    free(err);
    free(dir);
}

Test(cli_plot, trigger_charts_hold_the_default_watermark_rows_of_sweep_csv)
{
    char *dir = fixture_copy("plot-values"), *out = NULL, *err = NULL;
    char *cost, *lat, *files;
    cr_assert_eq(lkt_run(&out, &err, "plot --sweep %s --out %s/plots", dir, dir), 0, "%s", err);
    cost = slurp_plot(dir, "cost");
    /* sweep.csv line 3: kappa,append,1m,...,52.1,3.8,4.8,60.7 */
    cr_assert_float_eq(field(cost, 3, "kappa-1m-wm10m", 4), 52.1, 1e-9);
    cr_assert_float_eq(field(cost, 3, "kappa-1m-wm10m", 7), 3.8, 1e-9);
    cr_assert_float_eq(field(cost, 3, "kappa-1m-wm10m", 8), 4.8, 1e-9);
    cr_assert_float_eq(field(cost, 3, "kappa-1m-wm10m", 10), 60.7, 1e-9);
    /* Lambda's compute split into its clusters (cost.csv compute.speed 52.1, .batch 9.1) */
    cr_assert_float_eq(field(cost, 3, "lambda-6h", 4), 0.0, 1e-9);
    cr_assert_float_eq(field(cost, 3, "lambda-6h", 5), 52.1, 1e-9);
    cr_assert_float_eq(field(cost, 3, "lambda-6h", 6), 9.1, 1e-9);
    cr_assert_float_eq(field(cost, 3, "lambda-6h", 10), 65.5, 1e-9);
    /* 4 Kappa append triggers at watermark 10m (the other two watermarks left out), the 2
     * update-mode runs, 2 Lambda */
    cr_assert_eq(count_lines(cost, "kappa\t"), 4, "%s", cost);
    cr_assert_eq(count_lines(cost, "kappa-update\t"), 2, "%s", cost);
    cr_assert_eq(count_lines(cost, "lambda\t"), 2, "%s", cost);
    cr_assert_null(strstr(cost, "wm1h"));
    /* Kappa sorted by trigger, then Kappa update, then Lambda by batch period */
    cr_assert(strstr(cost, "kappa-1h-wm10m") < strstr(cost, "kappa-24h-wm10m"));
    cr_assert(strstr(cost, "kappa-24h-wm10m") < strstr(cost, "kappa-update-10s-wm10m"));
    cr_assert(strstr(cost, "kappa-update-1m-wm10m") < strstr(cost, "lambda-1h"));
    cr_assert(strstr(cost, "lambda-1h") < strstr(cost, "lambda-6h"));
    cr_assert(strstr(cost, "kappa-update\t60.000\t1m\tkappa-update-1m-wm10m\t52.1000\t"), "%s",
              cost);
    lat = slurp_plot(dir, "latency");
    /* kappa-10s-wm10m: first-visible p50 6100 ms, correct p99 975000 ms */
    cr_assert_float_eq(field(lat, 3, "kappa-10s-wm10m", 1), 10.0, 1e-9);
    cr_assert_float_eq(field(lat, 3, "kappa-10s-wm10m", 4), 6.1, 1e-9);
    cr_assert_float_eq(field(lat, 3, "kappa-10s-wm10m", 9), 975.0, 1e-9);
    /* Lambda's x is its batch period (6h = 21600 s), not its 10s speed trigger; every
     * percentile is there, p95 and p99 included */
    cr_assert_float_eq(field(lat, 3, "lambda-6h", 1), 21600.0, 1e-9);
    cr_assert(strstr(lat, "lambda\t21600.000\t6h\tlambda-6h\t6.000\t9.500\t9.900\t14000.000"
                          "\t21000.000\t21500.000\t99.40\n"),
              "%s", lat);
    cr_assert_float_eq(field(lat, 3, "kappa-update-1m-wm10m", 7), 1830.0, 1e-9);
    cr_assert_float_eq(field(lat, 3, "kappa-update-1m-wm10m", 10), 99.2, 1e-9);
    files = slurp_plot(dir, "files");
    cr_assert_float_eq(field(files, 3, "kappa-24h-wm10m", 4), 1.0, 1e-9);
    cr_assert_float_eq(field(files, 3, "kappa-24h-wm10m", 5), 4660000.0, 1e-9);
    cr_assert_float_eq(field(files, 3, "kappa-10s-wm10m", 4), 8640.0, 1e-9);
    cr_assert_null(strstr(files, "kappa-update"), "update mode writes no files: %s", files);
    free(cost);
    free(lat);
    free(files);
    free(out);
    free(err);
    free(dir);
}

Test(cli_plot, time_series_charts_hold_the_sweep_files)
{
    char *dir = fixture_copy("plot-series"), *err = NULL, *wm, *saw, *fresh;
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 0, "%s", err);
    wm = slurp_plot(dir, "watermark");
    /* trigger 1m was run with watermarks 1m, 10m, 1h: late_pct 6.5, 0.8, 0.05 */
    cr_assert_eq(count_lines(wm, "#"), 1);
    cr_assert_float_eq(field(wm, 1, "1m", 3), 6.5, 1e-9);
    cr_assert_float_eq(field(wm, 1, "1h", 3), 0.05, 1e-9);
    cr_assert_float_eq(field(wm, 1, "1h", 4), 1900.0, 1e-9);
    cr_assert_float_eq(field(wm, 1, "10m", 0), 600.0, 1e-9);
    /* the never-correct share: 100 - correct_pct (93.50 at 1m) */
    cr_assert_float_eq(field(wm, 1, "1m", 6), 6.5, 1e-9);
    cr_assert_float_eq(field(wm, 1, "1h", 6), 0.05, 1e-9);
    cr_assert(strstr(wm, "\t1m\t") < strstr(wm, "\t10m\t")
              && strstr(wm, "\t10m\t") < strstr(wm, "\t1h\t"));
    saw = slurp_plot(dir, "sawtooth");
    /* 25 hourly rows, then the 4 batch landings of sweep.json */
    cr_assert(strncmp(saw, "# hours diff_rows diff_pct\n", 27) == 0, "%s", saw);
    cr_assert_float_eq(field(saw, 0, "5.0000", 2), 2.0, 1e-9);
    cr_assert(strstr(saw, "\n\n\n# batch_visible_hours\n6.0600\n12.0700\n18.0800\n24.2000\n"), "%s",
              saw);
    fresh = slurp_plot(dir, "freshness");
    cr_assert_eq(count_lines(fresh, "kappa\t"), 4, "%s", fresh); /* 3 + carried to the end */
    cr_assert_eq(count_lines(fresh, "lambda\t"), 4, "%s", fresh);
    cr_assert(strstr(fresh, "lambda\t4.9000\t808.76\n"), "%s", fresh);
    cr_assert(strstr(fresh, "truth\t4.8700\t606.57\ntruth\t6.0600\t606.57\n"), "%s", fresh);
    free(wm);
    free(saw);
    free(fresh);
    free(err);
    free(dir);
}

/* A percentile among the never-correct events is written inf and drawn on the chart's
 * "never" line (which a sweep without one does not have). */
Test(cli_plot, an_inf_percentile_is_kept_and_drawn_as_never)
{
    char *dir = fixture_copy("plot-inf"), *err = NULL, *lat, *svg;
    char *csv = lkt_fmt("%s/sweep.csv", dir), *text = lkt_slurp(csv), *p, *path;
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 0, "%s", err);
    path = plot_file(dir, "latency", "svg");
    svg = lkt_slurp(path);
    cr_assert(svg && !strstr(svg, "never"), "no inf on the axis rows, no never line");
    free(svg);
    free(err);
    /* kappa-10s-wm10m: correct p95 and p99 among the never-correct events */
    cr_assert((p = strstr(text, "650000,845000,975000")) != NULL);
    memcpy(p, "650000,inf,inf", 14);
    memmove(p + 14, p + 20, strlen(p + 20) + 1);
    lkt_write(csv, text);
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 0, "%s", err);
    lat = slurp_plot(dir, "latency");
    cr_assert(strstr(lat, "\tkappa-10s-wm10m\t6.100\t9.760\t11.590\t650.000\tinf\tinf\t99.20\n"),
              "%s", lat);
    svg = lkt_slurp(path);
    cr_assert(svg && strstr(svg, ">never<") && strstr(svg, "never: the percentile falls among"),
              "the never line is drawn");
    free(svg);
    free(lat);
    free(path);
    free(text);
    free(csv);
    free(err);
    free(dir);
}

Test(cli_plot, the_same_sweep_gives_the_same_bytes)
{
    char *dir = fixture_copy("plot-det");
    cr_assert_eq(lkt_run(NULL, NULL, "plot --sweep %s --out %s/a", dir, dir), 0);
    cr_assert_eq(lkt_run(NULL, NULL, "plot --sweep %s --out %s/b", dir, dir), 0);
    for (size_t i = 0; i < NCHARTS; i++) {
        static const char *const ext[] = { "tsv", "svg" };
        for (int e = 0; e < 2; e++) {
            char *a = lkt_fmt("%s/a/%s.%s", dir, charts[i], ext[e]);
            char *b = lkt_fmt("%s/b/%s.%s", dir, charts[i], ext[e]);
            char *ta = lkt_slurp(a), *tb = lkt_slurp(b);
            cr_assert(ta && tb && strcmp(ta, tb) == 0, "%s and %s differ", a, b);
            free(ta);
            free(tb);
            free(a);
            free(b);
        }
    }
    free(dir);
}

Test(cli_plot, without_gnuplot_writes_the_data_files_only)
{
    char *dir = fixture_copy("plot-nognuplot"), *empty = lkt_fmt("%s/empty-path", dir);
    char *err = NULL;
    cr_assert_eq(mkdir(empty, 0755), 0);
    setenv("PATH", empty, 1); /* this test's own process: lkt_run's sh and lklab see it */
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 0, "%s", err);
    cr_assert(strstr(err, "lklab plot: gnuplot not found; wrote the data files to ")
                  && strstr(err, "(install gnuplot-nox to draw them)\n"),
              "%s", err);
    cr_assert_eq(count_lines(err, "lklab plot:"), 1, "%s", err);
    for (size_t i = 0; i < NCHARTS; i++) {
        char *png = plot_file(dir, charts[i], "png"), *svg = plot_file(dir, charts[i], "svg");
        char *tsv = plot_file(dir, charts[i], "tsv");
        cr_assert(file_size(tsv) > 0, "%s missing", tsv);
        cr_assert(file_size(png) < 0 && file_size(svg) < 0, "%s drawn without gnuplot", png);
        free(png);
        free(svg);
        free(tsv);
    }
    free(err);
    free(empty);
    free(dir);
}

Test(cli_plot, a_malformed_sweep_csv_is_bad_input_naming_file_and_line)
{
    char *dir = fixture_copy("plot-bad"), *csv = lkt_fmt("%s/sweep.csv", dir);
    char *text = lkt_slurp(csv), *bad, *err = NULL, *p;
    /* line 3 (kappa-1m-wm10m): its compute_usd 52.1 becomes 52x1, a bad number */
    cr_assert((p = strstr(text, "kappa,append,1m,60000,10m")) != NULL);
    cr_assert((p = strstr(p, ",52.1,")) != NULL);
    p[3] = 'x';
    lkt_write(csv, text);
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 3, "%s", err);
    cr_assert(strstr(err, "sweep.csv' line 3)") && strstr(err, "compute_usd"), "%s", err);
    free(err);
    bad = lkt_fmt("stack,trigger\n%s", strchr(text, '\n') + 1);
    lkt_write(csv, bad);
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 3, "%s", err);
    cr_assert(strstr(err, "sweep.csv' line 1)"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s/no-such-sweep", dir), 3, "%s", err);
    cr_assert(strstr(err, "no-such-sweep"), "%s", err);
    free(err);
    free(bad);
    free(text);
    free(csv);
    free(dir);
}

/* Drop the sweep.csv lines that hold drop1 or drop2. */
static void filter_sweep(const char *dir, const char *drop1, const char *drop2)
{
    char *csv = lkt_fmt("%s/sweep.csv", dir), *text = lkt_slurp(csv), *out;
    size_t n = 0;
    out = calloc(strlen(text) + 1, 1);
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        if (!((drop1 && strstr(line, drop1) && strstr(line, drop1) < line + len)
              || (drop2 && strstr(line, drop2) && strstr(line, drop2) < line + len))) {
            memcpy(out + n, line, len);
            n += len;
        }
        line += len;
    }
    lkt_write(csv, out);
    free(out);
    free(text);
    free(csv);
}

Test(cli_plot, skips_the_watermark_chart_without_a_watermark_sweep)
{
    char *dir = fixture_copy("plot-nowm"), *err = NULL, *png, *lat;
    filter_sweep(dir, "runs/kappa-1m-wm1m\n", "runs/kappa-1m-wm1h\n");
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 0, "%s", err);
    cr_assert(strstr(err, "skipped chart 'watermark'"), "%s", err);
    cr_assert_eq(count_lines(err, "lklab plot:"), 1, "%s", err);
    png = plot_file(dir, "watermark", "png");
    cr_assert(file_size(png) < 0);
    free(png);
    lat = plot_file(dir, "latency", "png");
    cr_assert(file_size(lat) > 0);
    free(lat);
    free(err);
    free(dir);
}

Test(cli_plot, skips_the_lambda_charts_without_lambda_runs)
{
    char *dir = fixture_copy("plot-nolambda"), *err = NULL, *lat, *tsv;
    char *saw = lkt_fmt("%s/sawtooth.tsv", dir);
    filter_sweep(dir, "runs/lambda-6h\n", "runs/lambda-1h\n");
    remove(saw);
    cr_assert_eq(lkt_run(NULL, &err, "plot --sweep %s", dir), 0, "%s", err);
    cr_assert(strstr(err, "skipped chart 'sawtooth'"), "%s", err);
    cr_assert_null(strstr(err, "skipped chart 'latency'"), "%s", err);
    lat = plot_file(dir, "latency", "png");
    cr_assert(file_size(lat) > 0);
    tsv = slurp_plot(dir, "latency");
    cr_assert_eq(count_lines(tsv, "lambda\t"), 0, "%s", tsv);
    free(tsv);
    free(lat);
    free(saw);
    free(err);
    free(dir);
}
