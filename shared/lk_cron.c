/* TEMP lk_cron stub, replaced by the cron branch: numbers, '*', lists, ranges, steps; UTC
 * and zones through TZ; a minute-by-minute search (at most 5 years). */
#include "lk_cron.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int field(const char *s, int lo, int hi, uint64_t *bits, int *restricted)
{
    char buf[128];
    char *save = NULL;
    size_t n = strlen(s);
    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n + 1);
    *bits = 0;
    *restricted = strcmp(s, "*") != 0;
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        long a = lo, b = hi, step = 1;
        char *slash = strchr(p, '/'), *end;
        if (slash) {
            *slash = 0;
            step = strtol(slash + 1, &end, 10);
            if (*end || step <= 0)
                return -1;
        }
        if (strcmp(p, "*") != 0) {
            a = strtol(p, &end, 10);
            if (end == p)
                return -1;
            b = slash ? hi : a;
            if (*end == '-') {
                b = strtol(end + 1, &end, 10);
            }
            if (*end)
                return -1;
        }
        if (a < lo || b > hi || a > b)
            return -1;
        for (long v = a; v <= b; v += step)
            *bits |= 1ULL << v;
    }
    return 0;
}

int lk_cron_parse(struct lk_cron *c, const char *expr, struct lk_err *err)
{
    char buf[512], *f[6], *save = NULL;
    int n = 0, r;
    uint64_t b;
    size_t len = strlen(expr);
    if (len >= sizeof(buf))
        return lk_err_set(err, LK_EINPUT, "cron expression too long");
    memcpy(buf, expr, len + 1);
    for (char *p = strtok_r(buf, " \t", &save); p && n < 6; p = strtok_r(NULL, " \t", &save))
        f[n++] = p;
    if (n != 5)
        return lk_err_set(err, LK_EINPUT, "'%s' is not 5 fields", expr);
    memset(c, 0, sizeof(*c));
    if (field(f[0], 0, 59, &c->minutes, &r) < 0)
        return lk_err_set(err, LK_EINPUT, "bad minute field '%s'", f[0]);
    if (field(f[1], 0, 23, &b, &r) < 0)
        return lk_err_set(err, LK_EINPUT, "bad hour field '%s'", f[1]);
    c->hours = (uint32_t)b;
    if (field(f[2], 1, 31, &b, &c->days_restricted) < 0)
        return lk_err_set(err, LK_EINPUT, "bad day field '%s'", f[2]);
    c->days = (uint32_t)b;
    if (field(f[3], 1, 12, &b, &r) < 0)
        return lk_err_set(err, LK_EINPUT, "bad month field '%s'", f[3]);
    c->months = (uint16_t)b;
    if (field(f[4], 0, 7, &b, &c->weekdays_restricted) < 0)
        return lk_err_set(err, LK_EINPUT, "bad weekday field '%s'", f[4]);
    if (b & 0x80)
        b |= 1;
    c->weekdays = (uint8_t)(b & 0x7f);
    return 0;
}

int lk_cron_next(const struct lk_cron *c, const char *tz, int64_t after, int64_t *next,
                 struct lk_err *err)
{
    int64_t t = (after / 60 + 1) * 60;
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    int rc = lk_err_set(err, LK_EINPUT, "no fire time within 5 years");
    setenv("TZ", tz && *tz ? tz : "UTC", 1);
    tzset();
    for (int64_t i = 0; i < 5LL * 366 * 24 * 60; i++, t += 60) {
        time_t tt = (time_t)t;
        struct tm tm;
        int dom, dow;
        localtime_r(&tt, &tm);
        if (!(c->minutes >> tm.tm_min & 1) || !(c->hours >> tm.tm_hour & 1)
            || !(c->months >> (tm.tm_mon + 1) & 1))
            continue;
        dom = c->days >> tm.tm_mday & 1;
        dow = c->weekdays >> tm.tm_wday & 1;
        if (c->days_restricted && c->weekdays_restricted ? (dom || dow) : (dom && dow)) {
            *next = t;
            rc = 0;
            break;
        }
    }
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else
        unsetenv("TZ");
    tzset();
    return rc;
}
