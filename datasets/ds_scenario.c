#include "ds_scenario.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lk_event.h"
#include "lk_file.h"
#include "lk_time.h"
#include "banned.h"

/* ------------------------------------------------------------- defaults ---- */

static void set_type(struct ds_type *t, const char *name, double weight, int64_t min, int64_t max)
{
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->weight = weight;
    t->min = min;
    t->max = max;
}

void ds_params_default(struct ds_params *p)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "clickstream");
    snprintf(p->id_prefix, sizeof(p->id_prefix), "c");
    snprintf(p->key_prefix, sizeof(p->key_prefix), "u");
    p->events = 1000000;
    p->seed = 42;
    p->tenants = 20;
    p->keys = 50000;
    p->partitions = 4;
    p->zipf = 1.1;
    p->key_zipf = 0.5;
    p->start_ms = INT64_C(1767225600000); /* 2026-01-01T00:00:00Z */
    p->span_ms = 24 * LK_MS_PER_HOUR;
    p->drop_every_ms = LK_MS_PER_MIN;
    p->offline_window_ms = 2 * LK_MS_PER_HOUR;
    p->rate = DS_RATE_DIURNAL;
    p->delay.kind = DS_DELAY_EXPONENTIAL;
    p->delay.scale_ms = 2 * LK_MS_PER_SEC;
    p->late_frac = 0.05;
    p->dup_frac = 0.01;
    p->malformed_frac = 0.001;
    p->late_mix[0] = 0.80;
    p->late_mix[1] = 0.15;
    p->late_mix[2] = 0.05;
    set_type(&p->types[0], "view", 70, 0, 0);
    set_type(&p->types[1], "click", 20, 0, 0);
    set_type(&p->types[2], "add_to_cart", 6, 500, 20000);
    set_type(&p->types[3], "purchase", 4, 100, 50000);
    p->ntypes = 4;
}

/* ------------------------------------------------------- delay and rate ---- */

static const char *const rate_names[] = { "steady", "diurnal", "bursts" };

int ds_rate_parse(const char *text, enum ds_rate *r)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(text, rate_names[i]) == 0) {
            *r = (enum ds_rate)i;
            return 0;
        }
    return LK_EINPUT;
}

const char *ds_rate_name(enum ds_rate r)
{
    return (unsigned)r < 3 ? rate_names[r] : "?";
}

/* A duration from text[0..len) (copied so lk_duration_parse sees a NUL). */
static int parse_duration_n(const char *text, size_t len, int64_t *ms)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf))
        return LK_EINPUT;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return lk_duration_parse(buf, ms) < 0 ? LK_EINPUT : 0;
}

/* sigma: plain decimal "0.8", "1", "1.25" in (0, 4]. */
static int parse_sigma(const char *s, double *out)
{
    double v = 0.0, scale = 1.0;
    int digits = 0, dot = 0;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (*s < '0' || *s > '9' || digits >= 9)
            return LK_EINPUT;
        if (dot)
            scale /= 10.0;
        v = v * 10.0 + (*s - '0');
        digits++;
    }
    v *= scale;
    if (!digits || !(v > 0.0 && v <= 4.0))
        return LK_EINPUT;
    *out = v;
    return 0;
}

int ds_delay_parse(const char *text, struct ds_delay *d)
{
    const char *arg, *comma;
    memset(d, 0, sizeof(*d));
    if (strcmp(text, "none") == 0)
        return 0;
    if (strncmp(text, "exponential:", 12) == 0) {
        d->kind = DS_DELAY_EXPONENTIAL;
        arg = text + 12;
        return parse_duration_n(arg, strlen(arg), &d->scale_ms);
    }
    if (strncmp(text, "lognormal:", 10) != 0)
        return LK_EINPUT;
    d->kind = DS_DELAY_LOGNORMAL;
    arg = text + 10;
    comma = strchr(arg, ',');
    if (!comma || parse_duration_n(arg, (size_t)(comma - arg), &d->scale_ms) < 0)
        return LK_EINPUT;
    return parse_sigma(comma + 1, &d->sigma);
}

void ds_delay_format(const struct ds_delay *d, char *buf, size_t size)
{
    char dur[32];
    lk_duration_format(d->scale_ms, dur, sizeof(dur));
    if (d->kind == DS_DELAY_NONE)
        snprintf(buf, size, "none");
    else if (d->kind == DS_DELAY_EXPONENTIAL)
        snprintf(buf, size, "exponential:%s", dur);
    else
        snprintf(buf, size, "lognormal:%s,%.6g", dur, d->sigma);
}

/* ------------------------------------------------------------ validation ---- */

static int name_ok(const char *s, size_t max, int allow_punct)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return 0;
    for (; *s; s++) {
        char c = *s;
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '_' && !(allow_punct && (c == '-' || c == '.' || c == ':')))
            return 0;
    }
    return 1;
}

static int check_types(const struct ds_params *p, struct lk_err *err)
{
    double total = 0.0;
    if (p->ntypes == 0)
        return lk_err_set(err, LK_EINPUT, "bad value for 'types' (at least one type)");
    for (size_t i = 0; i < p->ntypes; i++) {
        const struct ds_type *t = &p->types[i];
        if (!name_ok(t->name, sizeof(t->name), 1))
            return lk_err_set(err, LK_EINPUT,
                              "bad type name '%s' in 'types' (1-31 of A-Z a-z 0-9 _ - . :)",
                              t->name);
        if (!(t->weight >= 0.0 && t->weight <= 1e9) || t->min > t->max || t->min < -DS_MAX_VALUE
            || t->max > DS_MAX_VALUE)
            return lk_err_set(err, LK_EINPUT, "bad weight or value range of type '%s' in 'types'",
                              t->name);
        total += t->weight;
    }
    if (!(total > 0.0))
        return lk_err_set(err, LK_EINPUT, "bad value for 'types' (weights sum to zero)");
    return 0;
}

static int check_times(const struct ds_params *p, struct lk_err *err)
{
    /* leave room for late arrivals (offline window + a few hours) and duplicates */
    int64_t room = 30 * LK_MS_PER_DAY;
    if (p->span_ms < LK_MS_PER_SEC || p->span_ms > 3660 * LK_MS_PER_DAY)
        return lk_err_set(err, LK_EINPUT, "bad value for 'span' (from 1s to 3660d)");
    if (p->start_ms < 0 || p->start_ms > LK_EVENT_TIME_MAX - p->span_ms - room)
        return lk_err_set(err, LK_EINPUT, "bad value for 'start' (from 1970 to 8989)");
    if (p->drop_every_ms < LK_MS_PER_SEC || p->drop_every_ms > LK_MS_PER_DAY)
        return lk_err_set(err, LK_EINPUT, "bad value for 'drop_every' (from 1s to 1d)");
    if (p->offline_window_ms < LK_MS_PER_MIN || p->offline_window_ms > LK_MS_PER_DAY)
        return lk_err_set(err, LK_EINPUT, "bad value for 'offline_window' (from 1m to 1d)");
    if (p->delay.kind != DS_DELAY_NONE
        && (p->delay.scale_ms < 1 || p->delay.scale_ms >= LK_MS_PER_MIN))
        return lk_err_set(err, LK_EINPUT, "bad value for 'delay' (scale from 1ms to below 1m)");
    return 0;
}

static int check_fractions(const struct ds_params *p, struct lk_err *err)
{
    static const char *const names[] = { "late_frac", "dup_frac", "malformed_frac" };
    const double v[] = { p->late_frac, p->dup_frac, p->malformed_frac };
    for (int i = 0; i < 3; i++)
        if (!(v[i] >= 0.0 && v[i] <= (i == 2 ? 0.5 : 1.0)))
            return lk_err_set(err, LK_EINPUT, "bad value for '%s' (a fraction from 0 to %s)",
                              names[i], i == 2 ? "0.5" : "1");
    for (int i = 0; i < 3; i++)
        if (!(p->late_mix[i] >= 0.0 && p->late_mix[i] <= 1e6))
            return lk_err_set(err, LK_EINPUT, "bad value for 'late_mix' (weights from 0)");
    if (!(p->late_mix[0] + p->late_mix[1] + p->late_mix[2] > 0.0))
        return lk_err_set(err, LK_EINPUT, "bad value for 'late_mix' (weights sum to zero)");
    return 0;
}

int ds_params_check(const struct ds_params *p, struct lk_err *err)
{
    int rc;
    if (!name_ok(p->name, sizeof(p->name), 1))
        return lk_err_set(err, LK_EINPUT, "bad value for 'name' (1-63 of A-Z a-z 0-9 _ - . :)");
    if (!name_ok(p->id_prefix, sizeof(p->id_prefix), 0)
        || !name_ok(p->key_prefix, sizeof(p->key_prefix), 0))
        return lk_err_set(err, LK_EINPUT,
                          "bad value for 'id_prefix' or 'key_prefix' (1-7 of A-Z a-z 0-9 _)");
    if (p->events < 1 || p->events > DS_MAX_EVENTS)
        return lk_err_set(err, LK_EINPUT, "bad value for 'events' (from 1 to %llu)",
                          (unsigned long long)DS_MAX_EVENTS);
    if (p->seed > DS_MAX_SEED)
        return lk_err_set(err, LK_EINPUT, "bad value for 'seed' (from 0 to 2^53-1)");
    if (p->tenants < 1 || p->tenants > DS_MAX_TENANTS)
        return lk_err_set(err, LK_EINPUT, "bad value for 'tenants' (from 1 to %d)", DS_MAX_TENANTS);
    if (p->keys < 1 || p->keys > DS_MAX_KEYS)
        return lk_err_set(err, LK_EINPUT, "bad value for 'keys' (from 1 to %d)", DS_MAX_KEYS);
    if (p->partitions < 1 || p->partitions > DS_MAX_PARTITIONS)
        return lk_err_set(err, LK_EINPUT, "bad value for 'partitions' (from 1 to %d)",
                          DS_MAX_PARTITIONS);
    if (!(p->zipf >= 0.0 && p->zipf <= 5.0) || !(p->key_zipf >= 0.0 && p->key_zipf <= 5.0))
        return lk_err_set(err, LK_EINPUT, "bad value for '%s' (from 0 to 5)",
                          p->zipf >= 0.0 && p->zipf <= 5.0 ? "key_zipf" : "zipf");
    if ((rc = check_times(p, err)) < 0 || (rc = check_fractions(p, err)) < 0)
        return rc;
    return check_types(p, err);
}

/* ----------------------------------------------------------- JSON out ------ */

cJSON *ds_params_to_json(const struct ds_params *p)
{
    cJSON *o = cJSON_CreateObject(), *mix, *types;
    char buf[64];
    cJSON_AddNumberToObject(o, "events", (double)p->events);
    cJSON_AddNumberToObject(o, "tenants", p->tenants);
    cJSON_AddNumberToObject(o, "zipf", p->zipf);
    cJSON_AddNumberToObject(o, "keys", p->keys);
    cJSON_AddNumberToObject(o, "key_zipf", p->key_zipf);
    lk_time_format(p->start_ms, buf);
    cJSON_AddStringToObject(o, "start", buf);
    lk_duration_format(p->span_ms, buf, sizeof(buf));
    cJSON_AddStringToObject(o, "span", buf);
    cJSON_AddStringToObject(o, "rate", ds_rate_name(p->rate));
    cJSON_AddNumberToObject(o, "partitions", p->partitions);
    lk_duration_format(p->drop_every_ms, buf, sizeof(buf));
    cJSON_AddStringToObject(o, "drop_every", buf);
    ds_delay_format(&p->delay, buf, sizeof(buf));
    cJSON_AddStringToObject(o, "delay", buf);
    cJSON_AddNumberToObject(o, "late_frac", p->late_frac);
    mix = cJSON_AddObjectToObject(o, "late_mix");
    cJSON_AddNumberToObject(mix, "minutes", p->late_mix[0]);
    cJSON_AddNumberToObject(mix, "tens_of_minutes", p->late_mix[1]);
    cJSON_AddNumberToObject(mix, "offline_hours", p->late_mix[2]);
    lk_duration_format(p->offline_window_ms, buf, sizeof(buf));
    cJSON_AddStringToObject(o, "offline_window", buf);
    cJSON_AddNumberToObject(o, "dup_frac", p->dup_frac);
    cJSON_AddNumberToObject(o, "malformed_frac", p->malformed_frac);
    cJSON_AddStringToObject(o, "id_prefix", p->id_prefix);
    cJSON_AddStringToObject(o, "key_prefix", p->key_prefix);
    types = cJSON_AddArrayToObject(o, "types");
    for (size_t i = 0; i < p->ntypes; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", p->types[i].name);
        cJSON_AddNumberToObject(t, "weight", p->types[i].weight);
        cJSON_AddNumberToObject(t, "min", (double)p->types[i].min / 100.0);
        cJSON_AddNumberToObject(t, "max", (double)p->types[i].max / 100.0);
        cJSON_AddItemToArray(types, t);
    }
    return o;
}

/* ------------------------------------------------------------ JSON in ------ */

struct load {
    struct ds_params *p;
    const char *path;
    struct lk_err *err;
};

static int bad(struct load *ld, const char *member, const char *want)
{
    return lk_err_set(ld->err, LK_EINPUT, "bad value for '%s' in scenario '%s' (%s)", member,
                      ld->path, want);
}

static int get_text(struct load *ld, const cJSON *it, char *dst, size_t size)
{
    if (!cJSON_IsString(it) || strlen(it->valuestring) >= size || !it->valuestring[0])
        return bad(ld, it->string, "a non-empty string");
    snprintf(dst, size, "%s", it->valuestring);
    return 0;
}

static int get_whole(struct load *ld, const cJSON *it, uint64_t max, uint64_t *out)
{
    double d = cJSON_IsNumber(it) ? it->valuedouble : -1.0;
    if (!(d >= 0.0 && d <= (double)max) || d != (double)(uint64_t)d)
        return bad(ld, it->string, "a whole number");
    *out = (uint64_t)d;
    return 0;
}

static int get_number(struct load *ld, const cJSON *it, double *out)
{
    if (!cJSON_IsNumber(it))
        return bad(ld, it->string, "a number");
    *out = it->valuedouble;
    return 0;
}

static int get_duration(struct load *ld, const cJSON *it, int64_t *out)
{
    if (!cJSON_IsString(it) || lk_duration_parse(it->valuestring, out) < 0)
        return bad(ld, it->string, "a duration such as \"30s\", \"24h\"");
    return 0;
}

/* Money as a JSON number with at most 2 decimals -> hundredths. */
static int get_money(struct load *ld, const cJSON *it, const char *member, int64_t *out)
{
    double h;
    int64_t v;
    if (!cJSON_IsNumber(it) || !(it->valuedouble >= -1e7 && it->valuedouble <= 1e7))
        return bad(ld, member, "a number from -10000000 to 10000000");
    h = it->valuedouble * 100.0;
    v = (int64_t)(h + (h >= 0.0 ? 0.5 : -0.5));
    if ((double)v - h > 1e-6 || h - (double)v > 1e-6)
        return bad(ld, member, "at most 2 decimal places");
    *out = v;
    return 0;
}

static int load_type(struct load *ld, const cJSON *o, struct ds_type *t)
{
    const cJSON *it;
    int rc = 0;
    if (!cJSON_IsObject(o))
        return bad(ld, "types", "an array of objects");
    memset(t, 0, sizeof(*t));
    t->weight = 1.0;
    cJSON_ArrayForEach(it, o)
    {
        if (strcmp(it->string, "name") == 0)
            rc = get_text(ld, it, t->name, sizeof(t->name));
        else if (strcmp(it->string, "weight") == 0)
            rc = get_number(ld, it, &t->weight);
        else if (strcmp(it->string, "min") == 0)
            rc = get_money(ld, it, "types.min", &t->min);
        else if (strcmp(it->string, "max") == 0)
            rc = get_money(ld, it, "types.max", &t->max);
        else
            rc = lk_err_set(ld->err, LK_EINPUT, "unknown member 'types.%s' in scenario '%s'",
                            it->string, ld->path);
        if (rc < 0)
            return rc;
    }
    if (!t->name[0])
        return bad(ld, "types", "each type needs a \"name\"");
    return 0;
}

static int load_types(struct load *ld, const cJSON *arr)
{
    int n = cJSON_GetArraySize(arr), rc;
    if (!cJSON_IsArray(arr) || n < 1 || n > DS_TYPES_MAX)
        return bad(ld, "types", "an array of 1 to 16 objects");
    for (int i = 0; i < n; i++)
        if ((rc = load_type(ld, cJSON_GetArrayItem(arr, i), &ld->p->types[i])) < 0)
            return rc;
    ld->p->ntypes = (size_t)n;
    return 0;
}

static int load_late_mix(struct load *ld, const cJSON *o)
{
    static const char *const names[3] = { "minutes", "tens_of_minutes", "offline_hours" };
    const cJSON *it;
    if (!cJSON_IsObject(o))
        return bad(ld, "late_mix", "an object");
    cJSON_ArrayForEach(it, o)
    {
        int k = 0;
        while (k < 3 && strcmp(it->string, names[k]) != 0)
            k++;
        if (k == 3)
            return lk_err_set(ld->err, LK_EINPUT, "unknown member 'late_mix.%s' in scenario '%s'",
                              it->string, ld->path);
        if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0.0))
            return bad(ld, "late_mix", "non-negative numbers");
        ld->p->late_mix[k] = it->valuedouble;
    }
    return 0;
}

static int load_u32(struct load *ld, const cJSON *it, uint32_t *out)
{
    uint64_t v = 0;
    int rc = get_whole(ld, it, UINT32_MAX, &v);
    if (rc == 0)
        *out = (uint32_t)v;
    return rc;
}

static int load_special(struct load *ld, const cJSON *it)
{
    struct ds_params *p = ld->p;
    const char *m = it->string;
    if (strcmp(m, "start") == 0) {
        if (!cJSON_IsString(it)
            || lk_time_parse(it->valuestring, strlen(it->valuestring), &p->start_ms) < 0)
            return bad(ld, m, "an instant such as \"2026-01-01T00:00:00Z\"");
        return 0;
    }
    if (strcmp(m, "rate") == 0) {
        if (!cJSON_IsString(it) || ds_rate_parse(it->valuestring, &p->rate) < 0)
            return bad(ld, m, "steady, diurnal or bursts");
        return 0;
    }
    if (strcmp(m, "delay") == 0) {
        if (!cJSON_IsString(it) || ds_delay_parse(it->valuestring, &p->delay) < 0)
            return bad(ld, m, "none, exponential:MEAN or lognormal:MEDIAN,SIGMA");
        return 0;
    }
    if (strcmp(m, "late_mix") == 0)
        return load_late_mix(ld, it);
    if (strcmp(m, "types") == 0)
        return load_types(ld, it);
    return 1; /* not one of these */
}

static int load_member(struct load *ld, const cJSON *it)
{
    struct ds_params *p = ld->p;
    const char *m = it->string;
    int rc = load_special(ld, it);
    if (rc <= 0)
        return rc;
#define IS(name) (strcmp(m, name) == 0)
    if (IS("name"))
        return get_text(ld, it, p->name, sizeof(p->name));
    if (IS("description"))
        return cJSON_IsString(it) ? 0 : bad(ld, m, "a string");
    if (IS("id_prefix"))
        return get_text(ld, it, p->id_prefix, sizeof(p->id_prefix));
    if (IS("key_prefix"))
        return get_text(ld, it, p->key_prefix, sizeof(p->key_prefix));
    if (IS("events"))
        return get_whole(ld, it, DS_MAX_EVENTS, &p->events);
    if (IS("seed"))
        return get_whole(ld, it, DS_MAX_SEED, &p->seed);
    if (IS("tenants"))
        return load_u32(ld, it, &p->tenants);
    if (IS("keys"))
        return load_u32(ld, it, &p->keys);
    if (IS("partitions"))
        return load_u32(ld, it, &p->partitions);
    if (IS("zipf"))
        return get_number(ld, it, &p->zipf);
    if (IS("key_zipf"))
        return get_number(ld, it, &p->key_zipf);
    if (IS("span"))
        return get_duration(ld, it, &p->span_ms);
    if (IS("drop_every"))
        return get_duration(ld, it, &p->drop_every_ms);
    if (IS("offline_window"))
        return get_duration(ld, it, &p->offline_window_ms);
    if (IS("late_frac"))
        return get_number(ld, it, &p->late_frac);
    if (IS("dup_frac"))
        return get_number(ld, it, &p->dup_frac);
    if (IS("malformed_frac"))
        return get_number(ld, it, &p->malformed_frac);
#undef IS
    return lk_err_set(ld->err, LK_EINPUT, "unknown member '%s' in scenario '%s'", m, ld->path);
}

/* The file's base name without ".json", as the default scenario name. */
static void default_name(struct ds_params *p, const char *path)
{
    const char *base = strrchr(path, '/');
    size_t n;
    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    snprintf(p->name, sizeof(p->name), "%.*s", (int)(n < 63 ? n : 63), base);
}

int ds_scenario_load(struct ds_params *p, const char *path, struct lk_err *err)
{
    struct load ld = { p, path, err };
    char *text = NULL;
    size_t len;
    cJSON *root = NULL;
    const cJSON *it;
    int rc = lk_file_read_all(path, (size_t)1 << 20, &text, &len, err);
    if (rc < 0)
        return rc;
    root = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(root)) {
        rc = lk_err_set(err, LK_EINPUT, "scenario '%s' is not a valid JSON object", path);
        goto out;
    }
    default_name(p, path);
    cJSON_ArrayForEach(it, root)
    {
        if ((rc = load_member(&ld, it)) < 0)
            goto out;
    }
out:
    cJSON_Delete(root);
    free(text);
    return rc;
}
