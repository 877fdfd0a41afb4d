/*
 * lklab demo: the main job on the default dataset (what `make demo` runs). Each step is
 * the same subcommand a student would type, run in-process, and the demo checks what the
 * lab promises: the Kappa answer in update mode equals the oracle's byte for byte.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "demo"
static const char usage_line[] = "lklab demo [--out DIR] [--events N] [--quiet]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Generates the default dataset (clickstream, 1,000,000 events over 24h), computes the\n"
           "truth, runs the Kappa stack twice (update mode without a watermark, which must equal\n"
           "the truth, and append mode with a 10m watermark, which sends late data to a side\n"
           "table) and the Lambda stack (batch every 6h, which equals the truth after its final\n"
           "batch), compares, and prints a summary. Everything goes under DIR (default out/demo).\n"
           "Exit 1 when an answer that must equal the truth does not.\n\n"
           "  --out DIR     output directory\n"
           "  --events N    dataset size (default: the scenario's 1,000,000)\n"
           "  --quiet       only the summary\n",
           usage_line);
}

/* Run one subcommand in-process with a NULL-terminated argument list. */
static int step(int (*fn)(int, char **), const char *name, const char *title,
                const char *const *args, int quiet)
{
    char *argv[40];
    int argc = 0, rc;
    double t0 = lk_wall_now();
    argv[argc++] = (char *)(uintptr_t)name; /* getopt wants char *, and never writes */
    for (; args[argc - 1] && argc < 39; argc++)
        argv[argc] = (char *)(uintptr_t)args[argc - 1];
    argv[argc] = NULL;
    if (!quiet)
        fprintf(stderr, "lklab demo: %s ...\n", title);
    rc = fn(argc, argv);
    if (!quiet && rc == 0)
        fprintf(stderr, "lklab demo: %s done in %.1fs\n", title, lk_wall_now() - t0);
    if (rc != 0)
        cmd_error(CMD, "step '%s' failed (exit %d)", title, rc);
    return rc;
}

static long long json_count(const cJSON *root, const char *obj, const char *name)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, obj);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

static int same_file(const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int same = lk_file_read_all(a, (size_t)1 << 30, &x, &nx, NULL) == 0
        && lk_file_read_all(b, (size_t)1 << 30, &y, &ny, NULL) == 0 && nx == ny
        && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

static void print_summary(const char *out, const char *data, int equal, int lambda_equal)
{
    char path[8500];
    cJSON *m = NULL, *k = NULL;
    snprintf(path, sizeof(path), "%s/manifest.json", data);
    lk_json_read_file(path, &m, NULL);
    snprintf(path, sizeof(path), "%s/kappa-append/run.json", out);
    lk_json_read_file(path, &k, NULL);
    printf("\nlklab demo summary (%s)\n", out);
    printf("  dataset      %lld lines: %lld events, %lld duplicates, %lld malformed;\n"
           "               late beyond 1m/10m/1h: %lld / %lld / %lld\n",
           json_count(m, "counts", "lines"), json_count(m, "counts", "unique_events"),
           json_count(m, "counts", "duplicates"), json_count(m, "counts", "malformed"),
           json_count(m, "counts", "late_1m"), json_count(m, "counts", "late_10m"),
           json_count(m, "counts", "late_1h"));
    printf("  truth        %s/truth.csv\n", out);
    printf("  kappa update (trigger 1m, no watermark) == truth: %s\n", equal ? "YES" : "NO");
    printf("  kappa append (trigger 1m, watermark 10m): %lld batches, %lld output rows,\n"
           "               %lld late events in the late table, max state %lld rows\n",
           json_count(k, "totals", "batches"), json_count(k, "totals", "output_rows"),
           json_count(k, "totals", "late"), json_count(k, "totals", "max_state_rows"));
    printf("  lambda (batch every 6h) after its final batch == truth: %s\n",
           lambda_equal ? "YES" : "NO");
    printf("  next: lklab results --run %s/kappa-append --table late --out late.csv\n"
           "        lklab results --run %s/lambda --at 2026-01-01T12:00:00Z --out noon.csv\n",
           out, out);
    cJSON_Delete(m);
    cJSON_Delete(k);
}

static int run(const char *out, const char *events, int quiet)
{
    char data[4200], truth[4200], upd[4200], app[4200], updcsv[4200], lam[4200], lamcsv[4200];
    const char *q = quiet ? "--quiet" : NULL;
    int rc;
    snprintf(data, sizeof(data), "%s/data", out);
    snprintf(truth, sizeof(truth), "%s/truth.csv", out);
    snprintf(upd, sizeof(upd), "%s/kappa-update", out);
    snprintf(app, sizeof(app), "%s/kappa-append", out);
    snprintf(updcsv, sizeof(updcsv), "%s/kappa-update.csv", out);
    snprintf(lam, sizeof(lam), "%s/lambda", out);
    snprintf(lamcsv, sizeof(lamcsv), "%s/lambda.csv", out);
    if (lk_mkdir_p(out, NULL) < 0 || lk_rm_rf(upd, NULL) < 0 || lk_rm_rf(app, NULL) < 0
        || lk_rm_rf(lam, NULL) < 0) {
        cmd_error(CMD, "cannot prepare '%s'", out);
        return 4;
    }
    {
        const char *gen[] = { "--scenario", "clickstream", "--out", data,
                              events ? "--events" : q, events, q, NULL };
        const char *tr[] = { "--data", data, "--pipeline", "revenue", "--out", truth, q, NULL };
        const char *k1[] = { "--data", data, "--pipeline", "revenue", "--out", upd, "--output-mode",
                       "update", "--watermark", "none", "--trigger", "1m", q, NULL };
        const char *r1[] = { "--run", upd, "--out", updcsv, NULL };
        const char *k2[] = { "--data", data, "--pipeline", "revenue", "--out", app, "--trigger", "1m",
                       "--watermark", "10m", q, NULL };
        const char *l1[] = { "--data", data, "--pipeline", "revenue", "--out", lam,
                             "--batch-every", "6h", q, NULL };
        const char *r2[] = { "--run", lam, "--out", lamcsv, NULL };
        if (!events)
            gen[4] = q, gen[5] = NULL;
        if ((rc = step(cmd_gen, "gen", "generate the default dataset", gen, quiet)) != 0
            || (rc = step(cmd_truth, "truth", "compute the truth", tr, quiet)) != 0
            || (rc = step(cmd_kappa, "kappa", "Kappa, update mode, no watermark", k1, quiet)) != 0
            || (rc = step(cmd_results, "results", "export the Kappa answer", r1, quiet)) != 0
            || (rc = step(cmd_kappa, "kappa", "Kappa, append mode, 10m watermark", k2, quiet)) != 0
            || (rc = step(cmd_lambda, "lambda", "Lambda, batch every 6h", l1, quiet)) != 0
            || (rc = step(cmd_results, "results", "export the Lambda answer", r2, quiet)) != 0)
            return rc;
    }
    print_summary(out, data, same_file(truth, updcsv), same_file(truth, lamcsv));
    return same_file(truth, updcsv) && same_file(truth, lamcsv) ? 0 : 1;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        { "out", required_argument, NULL, 'o' }, { "events", required_argument, NULL, 'e' },
        { "quiet", no_argument, NULL, 'q' },     { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = "out/demo", *events = NULL;
    uint64_t n;
    int quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'e':
            if (cmd_parse_u64(CMD, "--events", optarg, 1, 100000000, &n))
                return 2;
            events = optarg;
            break;
        case 'q': quiet = 1; break;
        case 'h': help(); return 0;
        default: return cmd_bad_option(CMD, usage_line, argc, argv);
        }
    }
    if (optind < argc)
        return cmd_usage_error(CMD, usage_line, "unexpected argument '%s'", argv[optind]);
    return run(out, events, quiet);
}
