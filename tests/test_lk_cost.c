/*
 * Tests for lk_cost: the pricing file, the cluster on/off rule, a hand-priced run and the
 * lecture's two scenarios. Every expected amount is worked out by hand in the comments
 * (docs/cost.md has the same rules), never taken from the code under test.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_cost.h"
#include "lk_cost.h"
#include "lk_file.h"
#include "lk_test.h"
#include "lk_time.h"
#include "banned.h"

/* 2026-01-01T00:00:00Z */
#define T0 INT64_C(1767225600000)
#define MIN LK_MS_PER_MIN
#define HOUR LK_MS_PER_HOUR
#define GIB INT64_C(1073741824)

/* --------------------------------------------------------------- helpers ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = lkt_fmt("%s/%s", dir, name);
    lkt_write(path, text);
    free(path);
}

/* One metrics line: a job triggered at t, visible at v, writing files/bytes. */
static void metrics_line(FILE *fp, const char *layer, int64_t t, int64_t v, long files,
                         long long bytes)
{
    char ts[LK_TIME_ISO_LEN + 1], vs[LK_TIME_ISO_LEN + 1];
    cr_assert_eq(lk_time_format(t, ts), LK_TIME_ISO_LEN);
    cr_assert_eq(lk_time_format(v, vs), LK_TIME_ISO_LEN);
    if (layer)
        fprintf(fp, "{\"layer\":\"%s\",", layer);
    else
        fputc('{', fp);
    fprintf(fp,
            "\"trigger_time\":\"%s\",\"visible_time\":\"%s\",\"files_written\":%ld,"
            "\"bytes_written\":%lld}\n",
            ts, vs, files, bytes);
}

static FILE *open_metrics(const char *run)
{
    char *path = lkt_fmt("%s/metrics.jsonl", run);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    free(path);
    return fp;
}

/* Round numbers, so that the bills below can be worked out on paper. */
static const char hand_pricing[] =
    "{ \"name\": \"hand\",\n"
    "  \"compute\": { \"node_hour\": 1.0, \"nodes\": 2, \"cluster_start\": \"3m\",\n"
    "               \"idle_shutdown\": \"10m\" },\n"
    "  \"storage\": {\n"
    "    \"hot\":  { \"gb_month\": 0.25, \"write_10k\": 10, \"read_10k\": 0.5, \"list_10k\": 2,\n"
    "              \"retrieval_gb\": 0 },\n"
    "    \"cool\": { \"gb_month\": 0.10, \"write_10k\": 20, \"read_10k\": 1.0, \"list_10k\": 2,\n"
    "              \"retrieval_gb\": 0.01 },\n"
    "    \"archive\": { \"gb_month\": 0.01, \"write_10k\": 20, \"read_10k\": 50, \"list_10k\": 2,\n"
    "                 \"retrieval_gb\": 0.02 } },\n"
    "  \"workload\": { \"tier\": \"hot\", \"retention\": \"10h\", \"queries_per_hour\": 10,\n"
    "                \"query_window\": \"5h\", \"query_fraction\": 0.5, \"list_page\": 4 } }\n";

static void load_hand_pricing(const char *dir, struct lk_pricing *p)
{
    struct lk_err err = LK_ERR_INIT;
    char *path = lkt_fmt("%s/hand.json", dir);
    write_file(dir, "hand.json", hand_pricing);
    cr_assert_eq(lk_pricing_load(p, path, &err), 0, "%s", err.msg);
    free(path);
}

static void load_default_pricing(struct lk_pricing *p)
{
    struct lk_err err = LK_ERR_INIT;
    char *path = lkt_fmt("%s/datasets/pricing/default.json", lkt_root());
    cr_assert_eq(lk_pricing_load(p, path, &err), 0, "%s", err.msg);
    free(path);
}

static const char kappa_run_json[] = "{ \"stack\": \"kappa\", \"parameters\":"
                                     " { \"trigger\": \"1h\", \"cost_model\": \"default\" } }";

/* ---------------------------------------------------------- pricing file ---- */

Test(cost_pricing, loads_the_default_price_list)
{
    struct lk_pricing p;
    load_default_pricing(&p);
    cr_expect_str_eq(p.name, "default");
    cr_expect_eq(p.nodes, 4);
    cr_expect_eq(p.cluster_start_ms, 3 * MIN);
    cr_expect_eq(p.idle_shutdown_ms, 10 * MIN);
    cr_expect_eq(p.default_tier, LK_TIER_HOT);
    /* cooler tiers: cheaper to keep, dearer to touch */
    cr_expect(p.tier[LK_TIER_COOL].gb_month < p.tier[LK_TIER_HOT].gb_month);
    cr_expect(p.tier[LK_TIER_ARCHIVE].gb_month < p.tier[LK_TIER_COOL].gb_month);
    cr_expect(p.tier[LK_TIER_COOL].read_10k > p.tier[LK_TIER_HOT].read_10k);
    cr_expect(p.tier[LK_TIER_ARCHIVE].read_10k > p.tier[LK_TIER_COOL].read_10k);
}

/* hand_pricing with the first `from` replaced by `to` (heap). */
static char *replaced(const char *from, const char *to)
{
    const char *at = strstr(hand_pricing, from);
    cr_assert_not_null(at, "'%s' not in the pricing text", from);
    return lkt_fmt("%.*s%s%s", (int)(at - hand_pricing), hand_pricing, to, at + strlen(from));
}

static void expect_rejected(const char *from, const char *to, const char *want)
{
    char *dir = lkt_tmpdir("cost-pricing"), *path = lkt_fmt("%s/bad.json", dir);
    char *text = replaced(from, to);
    struct lk_err err = LK_ERR_INIT;
    struct lk_pricing p;
    write_file(dir, "bad.json", text);
    cr_assert_eq(lk_pricing_load(&p, path, &err), LK_EINPUT, "'%s' accepted", to);
    cr_expect(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
    free(text);
    free(path);
    lk_rm_rf(dir, NULL);
    free(dir);
}

Test(cost_pricing, rejects_an_unknown_member_naming_it)
{
    expect_rejected("\"nodes\"", "\"nodez\"", "unknown member 'compute.nodez'");
    expect_rejected("\"cool\":", "\"cold\":", "unknown member 'storage.cold'");
    expect_rejected("\"workload\"", "\"work\"", "unknown member 'work'");
}

Test(cost_pricing, rejects_missing_members_and_bad_values)
{
    expect_rejected(", \"list_page\": 4", "", "missing member 'workload.list_page'");
    expect_rejected("\"gb_month\": 0.25", "\"gb_month\": -1", "storage.hot.gb_month");
    expect_rejected("\"idle_shutdown\": \"10m\"", "\"idle_shutdown\": 600",
                    "compute.idle_shutdown");
    expect_rejected("\"tier\": \"hot\"", "\"tier\": \"warm\"", "workload.tier");
    expect_rejected("\"query_fraction\": 0.5", "\"query_fraction\": 2", "query_fraction");
    expect_rejected("\"nodes\": 2", "\"nodes\": 1.5", "compute.nodes");
}

Test(cost_pricing, reports_a_missing_file_as_enoent)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_pricing p;
    cr_expect_eq(lk_pricing_load(&p, "out/no/such/pricing.json", &err), LK_ENOENT);
    cr_expect(strstr(err.msg, "out/no/such/pricing.json") != NULL, "%s", err.msg);
}

/* ------------------------------------------------------- cluster timeline ---- */

Test(cost_cluster, keeps_one_cluster_on_while_jobs_come_within_idle_shutdown)
{
    struct lk_cost_cluster c;
    lk_cost_cluster_init(&c, "stream", 0, 10 * MIN);
    lk_cost_cluster_job(&c, 0, 1 * MIN);         /* start 1 */
    lk_cost_cluster_job(&c, 5 * MIN, 6 * MIN);   /* 4 min idle: same cluster */
    lk_cost_cluster_job(&c, 16 * MIN, 17 * MIN); /* exactly 10 min idle: shut down, start 2 */
    lk_cost_cluster_close(&c);
    lk_cost_cluster_close(&c); /* idempotent */
    /* [0, 6 + 10) = 16 min, then [16, 17 + 10) = 11 min */
    cr_expect_eq(c.on_ms, 27 * MIN);
    cr_expect_eq(c.starts, 2);
    cr_expect_eq(c.jobs, 3);
}

Test(cost_cluster, treats_an_overlapping_job_as_the_same_cluster)
{
    struct lk_cost_cluster c;
    lk_cost_cluster_init(&c, "speed", 0, 10 * MIN);
    lk_cost_cluster_job(&c, 0, 20 * MIN);
    lk_cost_cluster_job(&c, 10 * MIN, 15 * MIN); /* starts before the first one ended */
    lk_cost_cluster_close(&c);
    cr_expect_eq(c.on_ms, 30 * MIN);
    cr_expect_eq(c.starts, 1);
}

/* --------------------------------------------------------------- a run ---- */

/*
 * A hand-built Kappa run, trigger 1h, cost model default (idle_shutdown 10m):
 *   job  trigger  visible  files  bytes
 *   0    01:00    01:06    10     1 GiB      first job: cluster 1 on
 *   1    01:10    01:12     5     0.5 GiB    4 min idle: same cluster
 *   2    05:00    05:03     5     0.5 GiB    cluster 2
 *   3    09:50    10:00    20     2 GiB      cluster 3
 * span = 00:00 (first trigger - 1h) .. 10:00 = 10 h -> factor 720 h / 10 h = 72
 * on: [01:00, 01:22) 22 min + [05:00, 05:13) 13 min + [09:50, 10:10) 20 min = 55 min
 */
static char *hand_run(void)
{
    char *run = lkt_tmpdir("cost-run");
    FILE *fp = open_metrics(run);
    write_file(run, "run.json", kappa_run_json);
    metrics_line(fp, NULL, T0 + 1 * HOUR, T0 + 1 * HOUR + 6 * MIN, 10, GIB);
    metrics_line(fp, NULL, T0 + 1 * HOUR + 10 * MIN, T0 + 1 * HOUR + 12 * MIN, 5, GIB / 2);
    metrics_line(fp, NULL, T0 + 5 * HOUR, T0 + 5 * HOUR + 3 * MIN, 5, GIB / 2);
    metrics_line(fp, NULL, T0 + 9 * HOUR + 50 * MIN, T0 + 10 * HOUR, 20, 2 * GIB);
    cr_assert_eq(fclose(fp), 0);
    return run;
}

Test(cost_run, reads_the_usage_of_a_hand_built_run)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u;
    char *run = hand_run();
    cr_assert_eq(cmp_cost_usage_from_run(&u, run, &err), 0, "%s", err.msg);
    cr_expect_str_eq(u.stack, "kappa");
    cr_expect_str_eq(u.config, strrchr(run, '/') + 1);
    cr_expect_eq(u.span_ms, 10 * HOUR);
    cr_expect_eq(u.idle_shutdown_ms, 10 * MIN);
    cr_expect_eq(u.nclusters, 1);
    cr_expect_eq(u.cluster[0].on_ms, 55 * MIN);
    cr_expect_eq(u.cluster[0].starts, 3);
    cr_expect_eq(u.files, 40);
    cr_expect_eq(u.bytes, (uint64_t)4 * GIB);
    cr_expect_eq(u.lines, 4);
    lk_rm_rf(run, NULL);
    free(run);
}

/* The hand-built run priced with the hand price list, in tier (LK_TIER_COUNT: the tier the
   run names); the run is removed after. */
static void hand_bill(enum lk_cost_tier_id tier, struct lk_cost_bill *b)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u;
    struct lk_pricing p;
    char *run = hand_run();
    load_hand_pricing(run, &p);
    cr_assert_eq(cmp_cost_usage_from_run(&u, run, &err), 0, "%s", err.msg);
    if (tier != LK_TIER_COUNT)
        u.tier = tier;
    lk_cost_price(&p, &u, b);
    lk_rm_rf(run, NULL);
    free(run);
}

/*
 * Hot tier, hand pricing:
 *   compute    55/60 h x 72 = 66 h on x 2 nodes x $1              = 132.00
 *   storage    4 GiB per 10 h, kept 10 h = 4 GiB x $0.25           =   1.00
 *   operations writes 40 x 72 = 2880 x $10/10k                     =   2.88
 *              a query reads 40 files/10 h x 5 h x 0.5 = 10 files;
 *              10 q/h x 720 h = 7200 queries -> 72000 reads x $0.5/10k = 3.60
 *              ceil(10 / 4) = 3 lists each -> 21600 x $2/10k       =   4.32
 *                                                                    10.80
 *   retrieval  hot: 0                                              =   0.00
 *   total                                                          143.80
 */
Test(cost_run, prices_each_component_of_a_hand_built_run)
{
    struct lk_cost_bill bill, *b = &bill;
    hand_bill(LK_TIER_COUNT, b);
    cr_expect_eq(b->tier, LK_TIER_HOT);
    cr_expect_float_eq(b->factor, 72.0, 1e-9);
    cr_expect_float_eq(b->on_hours[0], 66.0, 1e-9);
    cr_expect_eq(b->compute, 13200);
    cr_expect_eq(b->storage, 100);
    cr_expect_float_eq(b->reads_month, 72000.0, 1e-6);
    cr_expect_float_eq(b->lists_month, 21600.0, 1e-6);
    cr_expect_eq(b->operations, 1080);
    cr_expect_eq(b->retrieval, 0);
    cr_expect_eq(b->total, 14380);
}

/*
 * Cool tier: storage 4 GiB x $0.10 = 0.40; operations 2880 x $20/10k = 5.76 + 72000 x
 * $1/10k = 7.20 + 4.32 = 17.28; retrieval: mean file 4 GiB / 40 = 0.1 GiB, 72000 reads =
 * 7200 GiB x $0.01 = 72.00; total 132 + 0.40 + 17.28 + 72 = 221.68.
 */
Test(cost_run, charges_retrieval_in_the_cool_tier)
{
    struct lk_cost_bill b;
    hand_bill(LK_TIER_COOL, &b);
    cr_expect_eq(b.storage, 40);
    cr_expect_eq(b.operations, 1728);
    cr_expect_eq(b.retrieval, 7200);
    cr_expect_eq(b.total, 22168);
}

/*
 * The same 10 hours and bytes, one file per job: a 1m trigger writes 600 files and keeps
 * the cluster on; a 1h trigger writes 10 and starts a cluster per job.
 */
static void trigger_run(const char *run, const char *trigger, int64_t every)
{
    FILE *fp = open_metrics(run);
    char *json = lkt_fmt("{ \"stack\": \"kappa\", \"parameters\": { \"trigger\": \"%s\","
                         " \"cost_model\": \"default\" } }",
                         trigger);
    long n = (long)(10 * HOUR / every);
    write_file(run, "run.json", json);
    for (long k = 1; k <= n; k++)
        metrics_line(fp, NULL, T0 + k * every, T0 + k * every + 2000, 1, 6000000 / n);
    cr_assert_eq(fclose(fp), 0);
    free(json);
}

Test(cost_run, longer_trigger_costs_less_in_operations)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u1m, u1h;
    struct lk_cost_bill b1m, b1h;
    struct lk_pricing p;
    char *dir = lkt_tmpdir("cost-trigger"), *r1m = lkt_fmt("%s/k1m", dir);
    char *r1h = lkt_fmt("%s/k1h", dir);
    cr_assert_eq(lk_mkdir_p(r1m, NULL), 0);
    cr_assert_eq(lk_mkdir_p(r1h, NULL), 0);
    trigger_run(r1m, "1m", MIN);
    trigger_run(r1h, "1h", HOUR);
    load_default_pricing(&p);
    cr_assert_eq(cmp_cost_usage_from_run(&u1m, r1m, &err), 0, "%s", err.msg);
    cr_assert_eq(cmp_cost_usage_from_run(&u1h, r1h, &err), 0, "%s", err.msg);
    cr_expect_eq(u1m.files, 600);
    cr_expect_eq(u1h.files, 10);
    lk_cost_price(&p, &u1m, &b1m);
    lk_cost_price(&p, &u1h, &b1h);
    cr_expect_lt(b1h.operations, b1m.operations);
    cr_expect_lt(b1h.compute, b1m.compute); /* 10 x (2 s + 10 min idle) vs always on */
    cr_expect_eq(u1m.cluster[0].starts, 1);
    cr_expect_eq(u1h.cluster[0].starts, 10);
    free(r1m);
    free(r1h);
    lk_rm_rf(dir, NULL);
    free(dir);
}

/*
 * A Lambda-shaped run: the cost model embedded, a batch and a speed layer, each its own
 * cluster. span: speed 00:00:10 - 10 s = 00:00 .. 12:00 = 12 h -> factor 60.
 *   speed: a job every 10 min (00:00:10 .. 11:50:10), 1 s each, idle 10 min: one cluster
 *          on from 00:00:10 to 11:50:11 + 10 min (past the span) -> capped at 12 h
 *   batch: 06:00 -> 06:05 and 11:55 -> 12:00: two starts, 15 min each = 30 min
 */
static char *lambda_run(void)
{
    char *run = lkt_tmpdir("cost-lambda");
    FILE *fp = open_metrics(run);
    write_file(run, "run.json",
               "{ \"stack\": \"lambda\", \"parameters\": { \"batch_every\": "
               "\"6h\", \"speed_trigger\": \"10s\", \"cost_model\": "
               "{ \"idle_shutdown_ms\": 600000 } } }");
    metrics_line(fp, "batch", T0 + 6 * HOUR, T0 + 6 * HOUR + 5 * MIN, 0, 0);
    for (int k = 0; k < 72; k++)
        metrics_line(fp, "speed", T0 + 10000 + k * 10 * MIN, T0 + 11000 + k * 10 * MIN, 0, 0);
    metrics_line(fp, "batch", T0 + 11 * HOUR + 55 * MIN, T0 + 12 * HOUR, 0, 0);
    cr_assert_eq(fclose(fp), 0);
    return run;
}

Test(cost_run, prices_both_layers_of_a_lambda_run)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u;
    struct lk_cost_bill b;
    struct lk_pricing p;
    char *run = lambda_run();
    load_hand_pricing(run, &p);
    cr_assert_eq(cmp_cost_usage_from_run(&u, run, &err), 0, "%s", err.msg);
    cr_assert_eq(u.nclusters, 2);
    cr_expect_eq(u.span_ms, 12 * HOUR);
    lk_cost_price(&p, &u, &b);
    /* batch (first seen): 0.5 h x 60 = 30 h x 2 nodes x $1; speed: 12 h x 60 = 720 h x 2 */
    cr_expect_str_eq(u.cluster[0].name, "batch");
    cr_expect_eq(b.compute_cents[0], 6000);
    cr_expect_eq(b.compute_cents[1], 144000);
    cr_expect_eq(b.compute, 150000);
    cr_expect_eq(b.storage + b.operations + b.retrieval, 0);
    lk_rm_rf(run, NULL);
    free(run);
}

Test(cost_run, rejects_a_missing_run_and_a_bad_metrics_line)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u;
    char *run = lkt_tmpdir("cost-bad");
    cr_expect_eq(cmp_cost_usage_from_run(&u, "out/no-such-run", &err), LK_ENOENT);
    write_file(run, "run.json", kappa_run_json);
    write_file(run, "metrics.jsonl", "{\"trigger_time\":\"2026-01-01T01:00:00.000Z\"}\n");
    cr_expect_eq(cmp_cost_usage_from_run(&u, run, &err), LK_EINPUT);
    cr_expect(strstr(err.msg, "line 1") != NULL, "%s", err.msg);
    write_file(run, "metrics.jsonl", "");
    cr_expect_eq(cmp_cost_usage_from_run(&u, run, &err), LK_EINPUT);
    cr_expect(strstr(err.msg, "no batches") != NULL, "%s", err.msg);
    lk_rm_rf(run, NULL);
    free(run);
}

/* once: one 3 min job; priced as run once a day, not back to back all month */
Test(cost_run, prices_a_once_run_as_a_daily_job)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u;
    struct lk_cost_bill b;
    struct lk_pricing p;
    char *run = lkt_tmpdir("cost-once");
    FILE *fp = open_metrics(run);
    write_file(run, "run.json",
               "{ \"stack\": \"kappa\", \"parameters\":"
               " { \"trigger\": \"once\", \"cost_model\": \"default\" } }");
    metrics_line(fp, NULL, T0 + 24 * HOUR, T0 + 24 * HOUR + 3 * MIN, 0, 0);
    cr_assert_eq(fclose(fp), 0);
    load_hand_pricing(run, &p);
    cr_assert_eq(cmp_cost_usage_from_run(&u, run, &err), 0, "%s", err.msg);
    cr_expect_eq(u.span_ms, LK_MS_PER_DAY);
    lk_cost_price(&p, &u, &b);
    /* (3 + 10) min x 30 = 6.5 h x 2 nodes x $1 */
    cr_expect_eq(b.compute, 1300);
    lk_rm_rf(run, NULL);
    free(run);
}

/* ------------------------------------------------------------ scenarios ---- */

static void scenario(const char *name, struct lk_cost_usage u[2], struct lk_cost_bill b[2])
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_pricing p;
    load_default_pricing(&p);
    cr_assert_eq(lk_cost_scenario(name, &p, u, &err), 2, "%s", err.msg);
    lk_cost_price(&p, &u[0], &b[0]);
    lk_cost_price(&p, &u[1], &b[1]);
}

Test(cost_scenario, small_files_before_is_mostly_storage_after_is_not)
{
    struct lk_cost_usage u[2];
    struct lk_cost_bill b[2];
    scenario("small-files", u, b);
    cr_expect_str_eq(u[0].config, "before");
    cr_expect_str_eq(u[1].config, "after");
    cr_expect_eq(b[0].tier, LK_TIER_COOL);
    cr_expect_eq(b[1].tier, LK_TIER_HOT);
    /* before: storage + operations >= 60 % of the bill (the lecture: ~70 %) */
    cr_expect_geq((b[0].storage + b[0].operations) * 100, b[0].total * 60);
    /* after: <= 35 % even counting retrieval, and cheaper overall */
    cr_expect_leq((b[1].storage + b[1].operations + b[1].retrieval) * 100, b[1].total * 35);
    cr_expect_lt(b[1].total, b[0].total);
    /* 10 s x 20 partitions = 172800 files/day of ~11 KiB; 10 min: 2880 of ~680 KiB */
    cr_expect_float_eq(b[0].files_day, 172800.0, 1e-6);
    cr_expect_float_eq(b[1].files_day, 2880.0, 1e-6);
    cr_expect_lt(b[0].mean_file_bytes, b[1].mean_file_bytes);
}

Test(cost_scenario, multi_tenant_shared_cluster_costs_at_most_a_fifth)
{
    struct lk_cost_usage u[2];
    struct lk_cost_bill b[2];
    scenario("multi-tenant", u, b);
    cr_expect_str_eq(u[0].config, "per-tenant-clusters");
    cr_expect_str_eq(u[1].config, "shared-cluster");
    cr_expect_eq(u[0].cluster[0].count, 100);
    cr_expect_leq(b[1].total * 5, b[0].total);
    /* same output files either way: one per tenant per trigger */
    cr_expect_float_eq(b[0].files_day, b[1].files_day, 1e-6);
}

Test(cost_scenario, rejects_an_unknown_name)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cost_usage u[2];
    struct lk_pricing p;
    load_default_pricing(&p);
    cr_expect_eq(lk_cost_scenario("cheap", &p, u, &err), LK_EUSAGE);
    cr_expect(strstr(err.msg, "'cheap'") != NULL, "%s", err.msg);
}

/* ------------------------------------------------------------------ CLI ---- */

Test(cost_cli, scenario_csv_is_tidy_and_deterministic)
{
    char *a = NULL, *b = NULL;
    cr_assert_eq(lkt_run(&a, NULL, "cost --scenario small-files --format csv"), 0);
    cr_assert_eq(lkt_run(&b, NULL, "cost --scenario small-files --format csv"), 0);
    cr_expect_str_eq(a, b);
    cr_expect(strncmp(a, "config,component,usd_month\nbefore,compute,", 42) == 0, "%s", a);
    cr_expect(strstr(a, "\nafter,total,") != NULL, "%s", a);
    free(a);
    free(b);
}

/* The Lambda run above as CSV: compute, then its two clusters' parts, which add up to it. */
Test(cost_cli, csv_splits_lambda_compute_by_cluster)
{
    struct lk_pricing p;
    char *out = NULL, *want;
    char *run = lambda_run();
    load_hand_pricing(run, &p);
    cr_assert_eq(lkt_run(&out, NULL, "cost --run %s --pricing %s/hand.json --format csv", run, run),
                 0);
    want = lkt_fmt("config,component,usd_month\n%1$s,compute,1500.00\n%1$s,compute.batch,60.00\n"
                   "%1$s,compute.speed,1440.00\n%1$s,storage,0.00\n%1$s,operations,0.00\n"
                   "%1$s,retrieval,0.00\n%1$s,total,1500.00\n",
                   strrchr(run, '/') + 1);
    cr_expect_str_eq(out, want);
    free(want);
    free(out);
    lk_rm_rf(run, NULL);
    free(run);
}

Test(cost_cli, exit_codes_for_usage_and_input_errors)
{
    char *err = NULL;
    char *run = hand_run(), *bad = lkt_fmt("%s/bad.json", run);
    cr_expect_eq(lkt_run(NULL, NULL, "cost --run %s --format csv", run), 0);
    cr_expect_eq(lkt_run(NULL, &err, "cost --run %s --tier warm", run), 2);
    cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
    free(err);
    cr_expect_eq(lkt_run(NULL, NULL, "cost --run %s --format json", run), 2);
    cr_expect_eq(lkt_run(NULL, NULL, "cost --run %s --bogus", run), 2);
    cr_expect_eq(lkt_run(NULL, NULL, "cost --run %s/nothing", run), 3);
    write_file(run, "bad.json", "{ \"name\": \"x\", \"colour\": \"red\" }");
    cr_expect_eq(lkt_run(NULL, &err, "cost --run %s --pricing %s", run, bad), 3);
    cr_expect(strstr(err, "'colour'") != NULL, "%s", err);
    free(err);
    free(bad);
    lk_rm_rf(run, NULL);
    free(run);
}

/*
 * A --pricing path of 4096 bytes is one too long for the kernel (PATH_MAX counts the NUL):
 * lklab must say so in one line, not cut it to its first 4095 bytes and price with the file
 * that happens to be there (the 4 KB buffer of old did that, exit 0). The 4095-byte path
 * itself works.
 */
Test(cost_cli, a_pricing_path_past_path_max_is_refused_not_cut)
{
    char *dir = lkt_tmpdir("long-pricing"), *want = NULL, *got = NULL, *err = NULL;
    char *text = lkt_slurpf("%s/datasets/pricing/default.json", lkt_root());
    char path[4097], name[256];
    size_t len = strlen(dir), r;
    cr_assert(dir[0] == '/' && len < 1000, "want an absolute temp dir: %s", dir);
    cr_assert_not_null(text);
    memcpy(path, dir, len + 1);
    while (len + 1 + 200 + 1 + 16 <= 4095) { /* nested directories of 200 bytes */
        path[len++] = '/';
        memset(path + len, 'd', 200);
        len += 200;
        path[len] = '\0';
    }
    cr_assert_eq(lk_mkdir_p(path, NULL), 0);
    r = 4095 - len - 1; /* the file name makes the path 4095 bytes */
    memset(name, 'p', r - 5);
    memcpy(name + r - 5, ".json", 6);
    path[len] = '/';
    memcpy(path + len + 1, name, r + 1);
    cr_assert_eq(strlen(path), 4095);
    lkt_write(path, text);
    cr_assert_eq(lkt_run(&want, NULL, "cost --scenario small-files --format csv"), 0);
    cr_assert_eq(lkt_run(&got, NULL, "cost --scenario small-files --format csv --pricing %s", path),
                 0);
    cr_expect_str_eq(got, want);
    free(got);
    got = NULL;
    memcpy(path + 4095, "x", 2); /* 4096 bytes: its first 4095 name the file above */
    cr_expect_neq(
        lkt_run(&got, &err, "cost --scenario small-files --format csv --pricing %s", path), 0,
        "priced with a cut path: %s", got);
    cr_expect_str_empty(got);
    cr_expect(err && strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
    free(got);
    free(want);
    free(err);
    free(text);
    lk_rm_rf(dir, NULL);
    free(dir);
}
