/*
 * lk_cost - what a run, or one of the lecture's two scenarios, would cost per month
 * (docs/cost.md). The rules are written out, with a worked example, in docs/cost.md; the
 * prices live in datasets/pricing/ (one JSON file each), explained in its README.md.
 *
 * Calling sequence:
 *   1. lk_pricing_load()            a price list (every member required, unknown ones refused)
 *   2. cmp_cost_usage_from_run()    what a run used: cluster timelines, files, bytes, span
 *                                   (compare/cmp_cost.h: it reads a run, so it sits above
 *                                   the stacks)
 *      or lk_cost_scenario()        the same, synthesised from documented parameters
 *   3. lk_cost_price()              usage x prices -> a monthly bill in cents
 *
 * Usage is what happened over the run's VIRTUAL span; the bill extrapolates it to a month
 * of 30 days (factor = 30 d / span). Compute is cluster-on time: a cluster starts with the
 * first job after it was off and stays on until idle_shutdown after the last job that
 * follows within idle_shutdown of the previous one (so short triggers keep it on and long
 * triggers pay start-up and the idle tail on every run). Storage is the bytes written kept
 * for the retention period; operations are one write per file, plus the downstream query
 * load's LISTs and reads of the output files; retrieval is the bytes those reads return,
 * charged per GiB in the cool and archive tiers.
 *
 * Money: computed in double, then every component is rounded to int64 cents (STYLE: money
 * in hundredths); the total is the sum of the rounded components, so printed rows add up.
 * Nothing here allocates beyond one cJSON tree per file or metrics line, prints or exits.
 * Errors: negative LK_E* codes, detail in the optional struct lk_err (file, line, member).
 */
#ifndef LK_COST_H
#define LK_COST_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"

enum lk_cost_tier_id { LK_TIER_HOT, LK_TIER_COOL, LK_TIER_ARCHIVE, LK_TIER_COUNT };

/* Prices of one storage tier, in USD. GiB = 2^30 bytes, as the clouds bill. */
struct lk_cost_tier {
    double gb_month;     /* per GiB stored for a month */
    double write_10k;    /* per 10,000 write (PUT/create) operations */
    double read_10k;     /* per 10,000 read (GET) operations */
    double list_10k;     /* per 10,000 LIST operations */
    double retrieval_gb; /* per GiB read back (0 in hot) */
};

/* A price list plus the downstream workload it is applied with (datasets/pricing/). */
struct lk_pricing {
    char name[64];
    double node_hour;         /* USD per node-hour of a running cluster */
    size_t nodes;             /* nodes per cluster when pricing a run */
    int64_t cluster_start_ms; /* start-up of a cluster (scenarios; runs carry their own) */
    int64_t idle_shutdown_ms; /* idle time before shutdown (scenarios; runs carry their own) */
    struct lk_cost_tier tier[LK_TIER_COUNT];
    int default_tier;        /* enum lk_cost_tier_id */
    int64_t retention_ms;    /* how long output files are kept */
    double queries_per_hour; /* downstream queries reading the output files */
    int64_t query_window_ms; /* each query reads the files written in this last window */
    double query_fraction;   /* ... of which this fraction (partition pruning), 0..1 */
    size_t list_page;        /* keys returned by one LIST call (S3/Azure: 1000, 5000) */
};

/*
 * Load a pricing file (JSON, see datasets/pricing/README.md). Every member is required;
 * an unknown or missing member, a negative price or a bad duration is LK_EINPUT naming the
 * member and the file; a missing file LK_ENOENT.
 */
int lk_pricing_load(struct lk_pricing *p, const char *path, struct lk_err *err);

/* "hot"/"cool"/"archive" -> enum value, or LK_EUSAGE. */
int lk_cost_tier_parse(const char *name);
const char *lk_cost_tier_name(int tier);

/*
 * One cluster's on/off timeline. Feed its jobs in start order; a job that starts less
 * than idle_shutdown after the previous one ended (or overlaps it) runs on the same
 * cluster, anything later on a new one (one more start). The cluster stays on for
 * idle_shutdown after its last job: that idle tail is billed. `count` identical clusters
 * (multi-tenant) multiply the bill; nodes 0 means "the pricing file's nodes".
 */
struct lk_cost_cluster {
    char name[16];
    size_t count, nodes;
    int64_t idle_shutdown_ms;
    int64_t on_ms; /* closed sessions */
    uint64_t starts, jobs;
    int64_t session_start; /* open session, when last_end != LK_TIME_NEG_INF */
    int64_t last_end;
};
void lk_cost_cluster_init(struct lk_cost_cluster *c, const char *name, size_t nodes,
                          int64_t idle_shutdown_ms);
void lk_cost_cluster_job(struct lk_cost_cluster *c, int64_t start, int64_t end);
/* Close the open session (adds its idle tail); idempotent. */
void lk_cost_cluster_close(struct lk_cost_cluster *c);

#define LK_COST_MAX_CLUSTERS 4

/* What one configuration used over span_ms of virtual time. Plain value, no heap. */
struct lk_cost_usage {
    char config[256]; /* CSV `config`: run directory name (any file name fits) or scenario */
    char stack[16];   /* "kappa", "lambda", or "scenario" */
    char detail[96];  /* one line for the table: trigger, layers, ... */
    int tier;         /* enum lk_cost_tier_id; -1 = the pricing file's tier */
    int64_t span_ms;
    int64_t idle_shutdown_ms;
    struct lk_cost_cluster cluster[LK_COST_MAX_CLUSTERS];
    size_t nclusters;
    uint64_t files, bytes; /* output files written over the span, and their bytes */
    uint64_t lines;        /* metrics lines read (0 for scenarios) */
};

/* A month's bill. Counts are per month; money in cents. */
struct lk_cost_bill {
    int tier;
    double factor;                         /* months per span: 30 d / span */
    double on_hours[LK_COST_MAX_CLUSTERS]; /* node-count excluded, all copies included */
    double starts[LK_COST_MAX_CLUSTERS];
    int64_t compute_cents[LK_COST_MAX_CLUSTERS];
    double files_month, files_day, mean_file_bytes, gib_stored;
    double reads_month, lists_month, gib_read_month;
    int64_t compute, storage, operations, retrieval, total;
};

/* Price u with p (u->tier, or p->default_tier when it is -1). Cannot fail; span_ms > 0. */
void lk_cost_price(const struct lk_pricing *p, const struct lk_cost_usage *u,
                   struct lk_cost_bill *b);

/*
 * The lecture's scenarios as two configurations each, synthesised over one virtual day
 * with p's cluster_start/idle_shutdown and lk_model's default per-batch costs:
 *   "small-files"   before (10s trigger, cool tier) / after (10m trigger, hot tier)
 *   "multi-tenant"  per-tenant-clusters (100 clusters) / shared-cluster (one, 100 partitions)
 * Parameters: docs/cost.md. Fills u[0..1]; returns 2, or LK_EUSAGE for an unknown name.
 */
int lk_cost_scenario(const char *name, const struct lk_pricing *p, struct lk_cost_usage u[2],
                     struct lk_err *err);

/* Names accepted by lk_cost_scenario, for help texts: "small-files|multi-tenant". */
extern const char lk_cost_scenario_names[];

#endif
