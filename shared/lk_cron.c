/* lk_cron - cron expressions and next fire times (contract in lk_cron.h). */
#include "lk_cron.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lk_time.h"
#include "banned.h"

#define DAY INT64_C(86400)
#define ALL_HOURS UINT32_C(0xFFFFFF)

/* ---- parsing ---- */

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

struct field {
    const char *name;
    int lo, hi;               /* accepted numbers */
    const char *const *names; /* names for lo, lo+1, ... (NULL: numbers only) */
    int nnames, first_name;   /* how many, and the number of the first */
};

static const struct field fields[5] = {
    { "minute", 0, 59, NULL, 0, 0 },          { "hour", 0, 23, NULL, 0, 0 },
    { "day of month", 1, 31, NULL, 0, 0 },    { "month", 1, 12, month_names, 12, 1 },
    { "day of week", 0, 7, day_names, 7, 0 },
};

static const struct {
    const char *name, *expr;
} shortcuts[] = {
    { "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
    { "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },    { "@midnight", "0 0 * * *" },
    { "@hourly", "0 * * * *" },
};

/* A number or a name of field f at *p; advances *p. 0 or -1. */
static int parse_value(const struct field *f, const char **p, int *v)
{
    const char *s = *p;
    if (isdigit((unsigned char)*s)) {
        long n = 0;
        while (isdigit((unsigned char)*s) && n <= 1000)
            n = n * 10 + (*s++ - '0');
        if (isdigit((unsigned char)*s) || n < f->lo || n > f->hi)
            return -1;
        *v = (int)n;
        *p = s;
        return 0;
    }
    for (int i = 0; i < f->nnames; i++)
        if (strncasecmp(s, f->names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
            *v = f->first_name + i;
            *p = s + 3;
            return 0;
        }
    return -1;
}

/* One list item: '*' or a[-b], then an optional /step. Sets its bits in *bits. 0 or -1. */
static int parse_item(const struct field *f, const char *s, const char *end, uint64_t *bits)
{
    int a = f->lo, b = f->hi == 7 ? 6 : f->hi, step = 1, range = 1;
    if (*s == '*') {
        s++;
    } else {
        if (parse_value(f, &s, &a) < 0)
            return -1;
        range = *s == '-';
        if (!range)
            b = a;
        else if (s++, parse_value(f, &s, &b) < 0 || b < a)
            return -1;
    }
    if (s < end && *s == '/') {
        const char *q = s + 1;
        struct field sf = { "step", 1, f->hi - f->lo + 1, NULL, 0, 0 };
        if (!range || parse_value(&sf, &q, &step) < 0)
            return -1;
        s = q;
    }
    if (s != end)
        return -1;
    for (int v = a; v <= b; v += step)
        *bits |= UINT64_C(1) << (f == &fields[4] && v == 7 ? 0 : v);
    return 0;
}

/* A whole field (a comma list) of length len at s. */
static int parse_field(const struct field *f, const char *s, size_t len, uint64_t *bits)
{
    const char *end = s + len;
    *bits = 0;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *item_end = comma ? comma : end;
        if (item_end == s || parse_item(f, s, item_end, bits) < 0)
            return -1;
        s = comma ? comma + 1 : end;
        if (comma && s == end)
            return -1;
    }
    return len > 0 ? 0 : -1;
}

static int parse_shortcut(struct lk_cron *c, const char *expr, struct lk_err *err)
{
    size_t n = strcspn(expr, " \t");
    if (expr[n + strspn(expr + n, " \t")] == '\0')
        for (size_t i = 0; i < sizeof(shortcuts) / sizeof(shortcuts[0]); i++)
            if (strlen(shortcuts[i].name) == n && strncasecmp(expr, shortcuts[i].name, n) == 0)
                return lk_cron_parse(c, shortcuts[i].expr, err);
    return lk_err_set(err, LK_EUSAGE,
                      "unknown cron shortcut '%.*s' (use @yearly, @annually, @monthly, @weekly, "
                      "@daily, @midnight or @hourly)",
                      (int)n, expr);
}

int lk_cron_parse(struct lk_cron *c, const char *expr, struct lk_err *err)
{
    const char *start[5], *p = expr + strspn(expr, " \t");
    size_t len[5];
    uint64_t bits[5];
    int n = 0;
    if (*p == '@')
        return parse_shortcut(c, p, err);
    while (*p) {
        size_t l = strcspn(p, " \t");
        if (n < 5) {
            start[n] = p;
            len[n] = l;
        }
        n++;
        p += l;
        p += strspn(p, " \t");
    }
    if (n != 5)
        return lk_err_set(err, LK_EUSAGE,
                          "cron expression '%s' has %d field%s, needs 5 (minute hour "
                          "day-of-month month day-of-week)",
                          expr, n, n == 1 ? "" : "s");
    for (int i = 0; i < 5; i++)
        if (parse_field(&fields[i], start[i], len[i], &bits[i]) < 0)
            return lk_err_set(
                err, LK_EUSAGE,
                "bad %s '%.*s' in cron expression '%s' (%d-%d%s; a step follows '*' or a range)",
                fields[i].name, (int)len[i], start[i], expr, fields[i].lo, fields[i].hi,
                i == 3   ? " or jan-dec"
                : i == 4 ? " or sun-sat"
                         : "");
    c->minutes = bits[0];
    c->hours = (uint32_t)bits[1];
    c->days = (uint32_t)bits[2];
    c->months = (uint16_t)bits[3];
    c->weekdays = (uint8_t)bits[4];
    c->days_restricted = start[2][0] != '*';
    c->weekdays_restricted = start[4][0] != '*';
    return 0;
}

/* ---- formatting ---- */

static void format_field(struct lk_buf *out, uint64_t bits, int lo, int hi)
{
    uint64_t all = ((hi == 63 ? 0 : UINT64_C(1) << (hi + 1)) - 1) & ~((UINT64_C(1) << lo) - 1);
    if ((bits & all) == all) {
        lk_buf_addch(out, '*');
        return;
    }
    const char *sep = "";
    for (int v = lo; v <= hi; v++) {
        if (!(bits >> v & 1))
            continue;
        int w = v;
        while (w < hi && (bits >> (w + 1) & 1))
            w++;
        if (w >= v + 2)
            lk_buf_addf(out, "%s%d-%d", sep, v, w);
        else if (w == v + 1)
            lk_buf_addf(out, "%s%d,%d", sep, v, w);
        else
            lk_buf_addf(out, "%s%d", sep, v);
        sep = ",";
        v = w;
    }
}

void lk_cron_format(const struct lk_cron *c, struct lk_buf *out)
{
    format_field(out, c->minutes, 0, 59);
    lk_buf_addch(out, ' ');
    format_field(out, c->hours, 0, 23);
    lk_buf_addch(out, ' ');
    format_field(out, c->days, 1, 31);
    lk_buf_addch(out, ' ');
    format_field(out, c->months, 1, 12);
    lk_buf_addch(out, ' ');
    format_field(out, c->weekdays, 0, 6);
}

/* ---- next fire time ---- */

/* cron(5)'s day rule for day number `day` (days since 1970-01-01). */
static int day_matches(const struct lk_cron *c, int64_t day)
{
    int64_t y;
    int m, d, wday = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    lk_civil_from_days(day, &y, &m, &d);
    if (!(c->months >> m & 1))
        return 0;
    int dom = c->days >> d & 1, dow = c->weekdays >> wday & 1;
    return c->days_restricted && c->weekdays_restricted ? dom || dow : dom && dow;
}

/* The first instant > after at which wall time `wall` fires (INT64_MAX: none). */
static int64_t wall_fire(const struct lk_tz *tz, int64_t wall, int every_hour, int64_t after)
{
    int64_t t[2];
    int n = lk_tz_from_wall(tz, wall, t);
    if (n == 0) /* skipped by the clocks: once, right after the jump (not hourly ones) */
        return !every_hour && t[0] > after ? t[0] : INT64_MAX;
    if (!every_hour) /* repeated: the first pass only */
        n = 1;
    for (int i = 0; i < n; i++)
        if (t[i] > after)
            return t[i];
    return INT64_MAX;
}

static int never_fires(const struct lk_cron *c, const struct lk_tz *tz, int64_t after,
                       struct lk_err *err)
{
    struct lk_buf s = LK_BUF_INIT;
    char iso[LK_TIME_ISO_LEN + 1];
    lk_cron_format(c, &s);
    lk_time_format(after * 1000, iso);
    lk_err_set(err, LK_EUSAGE, "schedule '%s' has no fire time within %d years after %s (%s)", s.s,
               LK_CRON_HORIZON_YEARS, iso, lk_tz_name(tz));
    lk_buf_release(&s);
    return LK_EUSAGE;
}

int lk_cron_next_in(const struct lk_cron *c, const struct lk_tz *tz, int64_t after, int64_t *next,
                    struct lk_err *err)
{
    int64_t lo = lk_days_from_civil(1, 1, 1) * DAY, hi = lk_days_from_civil(9000, 1, 1) * DAY;
    if (after < lo || after > hi)
        return lk_err_set(err, LK_EUSAGE, "instant %" PRId64 " is outside years 1..9000", after);
    /*
     * Walk the matching wall times in order, from the earliest wall time any instant
     * after `after` can show, until no later wall time can map before the best so far.
     */
    int32_t min_off, max_off;
    lk_tz_offset_range(tz, after, &min_off, &max_off);
    int64_t start = lk_align_down(after + min_off, 60), best = INT64_MAX;
    int64_t day = lk_floor_div(start, DAY), last = day + 365 * LK_CRON_HORIZON_YEARS + 2;
    int every_hour = (c->hours & ALL_HOURS) == ALL_HOURS;
    for (; day <= last; day++) {
        if (!day_matches(c, day))
            continue;
        for (int h = 0; h < 24; h++) {
            if (!(c->hours >> h & 1))
                continue;
            for (int m = 0; m < 60; m++) {
                int64_t wall = day * DAY + h * 3600 + m * 60, t;
                if (!(c->minutes >> m & 1) || wall < start)
                    continue;
                if (wall - max_off > best)
                    goto done;
                if ((t = wall_fire(tz, wall, every_hour, after)) < best)
                    best = t;
            }
        }
    }
done:
    if (best == INT64_MAX)
        return never_fires(c, tz, after, err);
    *next = best;
    return 0;
}

int lk_cron_next(const struct lk_cron *c, const char *tz, int64_t after, int64_t *next,
                 struct lk_err *err)
{
    struct lk_tz *z;
    int rc = lk_tz_load(&z, tz, err);
    if (rc < 0)
        return rc;
    rc = lk_cron_next_in(c, z, after, next, err);
    lk_tz_free(z);
    return rc;
}
