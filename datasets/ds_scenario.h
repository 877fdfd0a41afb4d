/*
 * ds_scenario - the parameters of a generated dataset, and scenario files.
 *
 * What: struct ds_params is every knob of `lklab gen` (docs/formats.md). A scenario file
 * (datasets/scenarios/<name>.json) is a JSON object whose members set some of them; the
 * rest keep the built-in defaults of ds_params_default (the clickstream scenario). The
 * command line then overrides single members. ds_params_check validates the result.
 *
 * Scenario members (all optional; an unknown member is an error naming it):
 *   name, description           text (name defaults to the file's base name)
 *   id_prefix, key_prefix       event ids "<id_prefix>-000000042", keys "<key_prefix>01234"
 *   events, seed, tenants, keys, partitions          whole numbers
 *   zipf, key_zipf              Zipf exponents of tenants and of key popularity (0 = uniform)
 *   span, drop_every, offline_window                 durations ("24h", "1m", "2h")
 *   start                       ISO-8601 instant
 *   rate                        "steady" | "diurnal" | "bursts"
 *   delay                       "none" | "exponential:MEAN" | "lognormal:MEDIAN,SIGMA"
 *   late_frac, dup_frac, malformed_frac              fractions (malformed_frac < 1)
 *   late_mix                    {"minutes": a, "tens_of_minutes": b, "offline_hours": c},
 *                               relative weights of the late classes 1m-10m, 10m-1h, hours
 *   types                       [{"name": "purchase", "weight": 3, "min": 1.00, "max": 500}]
 *                               event types with relative weights and a uniform value
 *                               range in money (at most 2 decimals)
 *
 * Errors: LK_ENOENT / LK_EIO when the file cannot be read, LK_EINPUT for bad JSON, an
 * unknown member or a bad value; err names the member and the file. ds_params_check
 * returns LK_EINPUT naming the member. Ownership: ds_params is a plain value (no heap).
 */
#ifndef DS_SCENARIO_H
#define DS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"

#define DS_NAME_MAX 64
#define DS_PREFIX_MAX 8
#define DS_TYPES_MAX 16
#define DS_MAX_EVENTS UINT64_C(100000000)
#define DS_MAX_TENANTS 10000
#define DS_MAX_KEYS 10000000
#define DS_MAX_PARTITIONS 1024
#define DS_MAX_SEED UINT64_C(9007199254740991) /* 2^53 - 1: exact in JSON numbers */
#define DS_MAX_VALUE INT64_C(1000000000)       /* |value| <= 10,000,000.00 */

enum ds_rate { DS_RATE_STEADY, DS_RATE_DIURNAL, DS_RATE_BURSTS };
enum ds_delay_kind { DS_DELAY_NONE, DS_DELAY_EXPONENTIAL, DS_DELAY_LOGNORMAL };

/* Base arrival delay of on-time events; always kept below one minute. */
struct ds_delay {
    enum ds_delay_kind kind;
    int64_t scale_ms; /* exponential: mean; lognormal: median */
    double sigma;     /* lognormal only */
};

struct ds_type {
    char name[32];
    double weight;
    int64_t min, max; /* value range in hundredths, min <= max */
};

struct ds_params {
    char name[DS_NAME_MAX];
    char id_prefix[DS_PREFIX_MAX];
    char key_prefix[DS_PREFIX_MAX];
    uint64_t events, seed;
    uint32_t tenants, keys, partitions;
    double zipf, key_zipf;
    int64_t start_ms, span_ms, drop_every_ms, offline_window_ms;
    enum ds_rate rate;
    struct ds_delay delay;
    double late_frac, dup_frac, malformed_frac;
    double late_mix[3]; /* minutes (1m-10m), tens of minutes (10m-1h), offline hours */
    struct ds_type types[DS_TYPES_MAX];
    size_t ntypes;
};

/* The built-in defaults: the clickstream scenario (1M events, 24h, 20 tenants, ...). */
void ds_params_default(struct ds_params *p);

/*
 * Apply the members of the scenario file at path on top of *p. Returns 0, or LK_ENOENT /
 * LK_EIO / LK_EINPUT with err naming the file and member; *p may be partly updated then.
 */
int ds_scenario_load(struct ds_params *p, const char *path, struct lk_err *err);

/* Validate ranges and consistency. Returns 0 or LK_EINPUT naming the member. */
int ds_params_check(const struct ds_params *p, struct lk_err *err);

/* "none", "exponential:2s", "lognormal:2s,0.8" -> *d. Returns 0 or LK_EINPUT. */
int ds_delay_parse(const char *text, struct ds_delay *d);
/* The text form of a delay (parseable by ds_delay_parse); buf of >= 64 bytes. */
void ds_delay_format(const struct ds_delay *d, char *buf, size_t size);
/* "steady" | "diurnal" | "bursts". Returns 0 or LK_EINPUT. */
int ds_rate_parse(const char *text, enum ds_rate *r);
const char *ds_rate_name(enum ds_rate r);

/* The cJSON object of all effective parameters (for the manifest); caller owns it. */
struct cJSON *ds_params_to_json(const struct ds_params *p);

#endif
