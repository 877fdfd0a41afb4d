/* lklab gen: a deterministic dataset (docs/formats.md) from a scenario plus overrides. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ds_gen.h"
#include "ds_scenario.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "gen"
static const char usage_line[] =
    "lklab gen --scenario clickstream|iot|payments|PATH.json --out DIR [options]";

static void help(void)
{
    printf(
        "usage: %s\n\n"
        "Generates a dataset: DIR/log/p-NNNNN.jsonl (partition = hash(tenant) %% P,\n"
        "arrival order), DIR/landing/<landing time>-pNNNNN.jsonl (one file per producer per\n"
        "drop interval; both layouts hold the same lines) and DIR/manifest.json (parameters\n"
        "and counts). The same arguments give byte-identical output on any machine. DIR is\n"
        "written as DIR.partial and renamed; an existing dataset at DIR is replaced, anything\n"
        "else there is refused. Options override the scenario's values. The layout and the\n"
        "event format: docs/formats.md.\n\n"
        "  --scenario S        clickstream, iot, payments (datasets/scenarios/) or a .json path\n"
        "  --out DIR           output directory\n"
        "  --events N          unique events (clickstream: 1000000)\n"
        "  --seed S            random seed, 0 to 2^53-1 (42)\n"
        "  --tenants K         tenants t01.., Zipf-skewed (20)\n"
        "  --zipf S            Zipf exponent of the tenants, 0 = uniform (1.1)\n"
        "  --keys K            keys u00001.. (50000); each belongs to one tenant\n"
        "  --span D            event-time span, e.g. 24h (24h)\n"
        "  --start T           first instant, e.g. 2026-01-01T00:00:00Z\n"
        "  --rate R            steady, diurnal or bursts (diurnal)\n"
        "  --partitions P      log partitions (4)\n"
        "  --drop-every D      landing file interval (1m)\n"
        "  --delay D           base delay of on-time events, kept under 1m: none,\n"
        "                      exponential:MEAN or lognormal:MEDIAN,SIGMA (exponential:2s)\n"
        "  --late-frac F       share of unique events arriving more than 1m late (0.05)\n"
        "  --dup-frac F        expected re-deliveries per unique event (0.01)\n"
        "  --malformed-frac F  share of all lines that are malformed, at most 0.5 (0.001)\n"
        "  --quiet             no progress or summary on stderr\n"
        "  --help              this text\n\n"
        "exit: 0 ok, 2 usage, 3 missing/bad scenario or DIR not replaceable, 4 I/O error\n",
        usage_line);
}

/* Command-line values, applied on top of the scenario once it is loaded. */
enum {
    O_EVENTS,
    O_SEED,
    O_TENANTS,
    O_KEYS,
    O_SPAN,
    O_START,
    O_PARTITIONS,
    O_DROP,
    O_LATE,
    O_DUP,
    O_BAD,
    O_DELAY,
    O_RATE,
    O_ZIPF,
    O_COUNT
};

struct overrides {
    int set[O_COUNT];
    struct ds_params v; /* only the members named by set[] are meaningful */
};

static int parse_zipf(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !(v >= 0.0 && v <= 5.0)) {
        cmd_error(CMD, "bad value '%s' for --zipf (a number from 0 to 5, e.g. 1.1)", text);
        return 2;
    }
    *out = v;
    return 0;
}

static int parse_u32(const char *opt, const char *text, uint64_t max, uint32_t *out)
{
    uint64_t v;
    int rc = cmd_parse_u64(CMD, opt, text, 1, max, &v);
    *out = (uint32_t)v;
    return rc;
}

static int parse_text_opt(struct overrides *o, int which, const char *text)
{
    struct ds_params *v = &o->v;
    if (which == O_START) {
        if (lk_time_parse(text, strlen(text), &v->start_ms) == 0)
            return 0;
        cmd_error(CMD, "bad value '%s' for --start (e.g. 2026-01-01T00:00:00Z)", text);
        return 2;
    }
    if (which == O_DELAY) {
        if (ds_delay_parse(text, &v->delay) == 0)
            return 0;
        cmd_error(CMD, "bad value '%s' for --delay (none, exponential:2s, lognormal:2s,0.8)", text);
        return 2;
    }
    if (ds_rate_parse(text, &v->rate) == 0)
        return 0;
    cmd_error(CMD, "bad value '%s' for --rate (steady, diurnal or bursts)", text);
    return 2;
}

/* Parse one overriding option's value; 0 or exit code 2 (the message is printed). */
static int parse_opt(struct overrides *o, int which, const char *text)
{
    struct ds_params *v = &o->v;
    o->set[which] = 1;
    switch (which) {
    case O_EVENTS:
        return cmd_parse_u64(CMD, "--events", text, 1, DS_MAX_EVENTS, &v->events);
    case O_SEED:
        return cmd_parse_u64(CMD, "--seed", text, 0, DS_MAX_SEED, &v->seed);
    case O_TENANTS:
        return parse_u32("--tenants", text, DS_MAX_TENANTS, &v->tenants);
    case O_KEYS:
        return parse_u32("--keys", text, DS_MAX_KEYS, &v->keys);
    case O_PARTITIONS:
        return parse_u32("--partitions", text, DS_MAX_PARTITIONS, &v->partitions);
    case O_SPAN:
        return cmd_parse_duration(CMD, "--span", text, &v->span_ms);
    case O_DROP:
        return cmd_parse_duration(CMD, "--drop-every", text, &v->drop_every_ms);
    case O_LATE:
        return cmd_parse_fraction(CMD, "--late-frac", text, &v->late_frac);
    case O_DUP:
        return cmd_parse_fraction(CMD, "--dup-frac", text, &v->dup_frac);
    case O_BAD:
        return cmd_parse_fraction(CMD, "--malformed-frac", text, &v->malformed_frac);
    case O_ZIPF:
        return parse_zipf(text, &v->zipf);
    default:
        return parse_text_opt(o, which, text);
    }
}

static void apply(const struct overrides *o, struct ds_params *p)
{
    const struct ds_params *v = &o->v;
#define SET(which, member)                                                                         \
    if (o->set[which])                                                                             \
    p->member = v->member
    SET(O_EVENTS, events);
    SET(O_SEED, seed);
    SET(O_TENANTS, tenants);
    SET(O_KEYS, keys);
    SET(O_SPAN, span_ms);
    SET(O_START, start_ms);
    SET(O_PARTITIONS, partitions);
    SET(O_DROP, drop_every_ms);
    SET(O_LATE, late_frac);
    SET(O_DUP, dup_frac);
    SET(O_BAD, malformed_frac);
    SET(O_DELAY, delay);
    SET(O_RATE, rate);
    SET(O_ZIPF, zipf);
#undef SET
}

/* Scenario name -> <root>/datasets/scenarios/<name>.json; a path is used as given. */
/*
 * A check that fails only after the options were applied is about an option: print
 * ds_params_check's message with the member named as the option ('span' -> --span).
 */
static void option_error(const char *msg)
{
    static const char *const names[][2] = {
        { "'events'", "--events" },
        { "'seed'", "--seed" },
        { "'tenants'", "--tenants" },
        { "'keys'", "--keys" },
        { "'partitions'", "--partitions" },
        { "'zipf'", "--zipf" },
        { "'span'", "--span" },
        { "'start'", "--start" },
        { "'drop_every'", "--drop-every" },
        { "'delay'", "--delay" },
        { "'late_frac'", "--late-frac" },
        { "'dup_frac'", "--dup-frac" },
        { "'malformed_frac'", "--malformed-frac" },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *at = strstr(msg, names[i][0]);
        if (at) {
            cmd_error(CMD, "%.*s%s%s", (int)(at - msg), msg, names[i][1], at + strlen(names[i][0]));
            return;
        }
    }
    cmd_error(CMD, "%s", msg);
}

/* Defaults, then the scenario file, then the options; exit code or 0. */
static int load_params(const char *scenario, const struct overrides *o, struct ds_params *p)
{
    struct lk_err err = LK_ERR_INIT;
    char *path = cmd_datasets_file(scenario, "scenarios", NULL);
    int rc = 0;
    ds_params_default(p);
    if (ds_scenario_load(p, path, &err) < 0) {
        if (err.code == LK_ENOENT && !strchr(scenario, '/'))
            cmd_error(CMD, "unknown scenario '%s' (no file '%s')", scenario, path);
        else
            cmd_error(CMD, "%s", err.msg);
        rc = 3;
    } else if (ds_params_check(p, &err) < 0) {
        cmd_error(CMD, "%s (scenario '%s')", err.msg, path);
        rc = 3;
    }
    free(path);
    if (rc)
        return rc;
    apply(o, p);
    if (ds_params_check(p, &err) < 0) {
        option_error(err.msg);
        return 2;
    }
    return 0;
}

static void summary(const char *dir, const struct ds_counts *c, double secs)
{
    double mb = (double)c->bytes / 1e6;
    fprintf(stderr,
            "lklab gen: wrote '%s': %llu lines = %llu unique + %llu duplicates + %llu malformed;"
            " late >1m %llu, >10m %llu, >1h %llu; %.1f MB, %llu log + %llu landing files"
            " in %.2fs (%.0f events/s, %.0f MB/s)\n",
            dir, (unsigned long long)c->lines, (unsigned long long)c->unique_events,
            (unsigned long long)c->duplicates, (unsigned long long)c->malformed,
            (unsigned long long)c->late_1m, (unsigned long long)c->late_10m,
            (unsigned long long)c->late_1h, mb, (unsigned long long)c->log_files,
            (unsigned long long)c->landing_files, secs,
            secs > 0 ? (double)c->unique_events / secs : 0.0, secs > 0 ? mb / secs : 0.0);
}

static int run(const char *scenario, const char *out, const struct overrides *o, int quiet)
{
    struct lk_err err = LK_ERR_INIT;
    struct ds_params p;
    struct ds_gen *g = NULL;
    struct cmd_progress prog;
    double t0 = lk_wall_now();
    int rc = load_params(scenario, o, &p);
    if (rc != 0)
        return rc;
    if (ds_gen_new(&g, &p, &err) < 0)
        return cmd_fail(CMD, &err);
    cmd_progress_init(&prog, CMD, "writing", 0, quiet);
    ds_gen_set_progress(g, cmd_progress_cb, &prog);
    if (ds_gen_write(g, out, &err) < 0) {
        rc = cmd_fail(CMD, &err);
        goto out;
    }
    cmd_progress_done(&prog, ds_gen_counts(g)->lines);
    if (!quiet)
        summary(out, ds_gen_counts(g), lk_wall_now() - t0);
out:
    ds_gen_free(g);
    return rc;
}

int cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        { "scenario", required_argument, NULL, 's' },
        { "out", required_argument, NULL, 'o' },
        { "events", required_argument, NULL, 'A' + O_EVENTS },
        { "seed", required_argument, NULL, 'A' + O_SEED },
        { "tenants", required_argument, NULL, 'A' + O_TENANTS },
        { "keys", required_argument, NULL, 'A' + O_KEYS },
        { "span", required_argument, NULL, 'A' + O_SPAN },
        { "start", required_argument, NULL, 'A' + O_START },
        { "partitions", required_argument, NULL, 'A' + O_PARTITIONS },
        { "drop-every", required_argument, NULL, 'A' + O_DROP },
        { "late-frac", required_argument, NULL, 'A' + O_LATE },
        { "dup-frac", required_argument, NULL, 'A' + O_DUP },
        { "malformed-frac", required_argument, NULL, 'A' + O_BAD },
        { "delay", required_argument, NULL, 'A' + O_DELAY },
        { "rate", required_argument, NULL, 'A' + O_RATE },
        { "zipf", required_argument, NULL, 'A' + O_ZIPF },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct overrides o;
    const char *scenario = NULL, *out = NULL;
    struct cmd_getopt go;
    int quiet = 0, c, rc;
    memset(&o, 0, sizeof(o));
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        if (c >= 'A' && c < 'A' + O_COUNT) {
            if ((rc = parse_opt(&o, c - 'A', optarg)) != 0)
                return rc;
            continue;
        }
        switch (c) {
        case 's':
            scenario = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (cmd_need_options(CMD, "--scenario", scenario, "--out", out, NULL))
        return 2;
    return run(scenario, out, &o, quiet);
}
