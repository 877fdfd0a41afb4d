/* lk_tz - TZif reader and POSIX TZ rules (contract in lk_tz.h). */
#include "lk_tz.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

#define DAY INT64_C(86400)
#define TZIF_MAX ((size_t)1 << 20)

/* One end of daylight time in a POSIX rule: Mm.w.d, Jn or n, at `secs` local time. */
struct rule_date {
    char kind; /* 'M', 'J' or 'n' */
    int month, week, wday, day;
    int32_t secs;
};

struct lk_tz {
    char *name;
    size_t ntrans, ntypes;
    int64_t *trans; /* transition instants, ascending */
    uint8_t *idx;   /* local time type from trans[i] on */
    int32_t *utoff; /* offset of each type */
    int has_footer; /* the footer governs instants from the last transition on */
    int has_dst;    /* the footer has a daylight-time rule */
    int32_t std_off, dst_off;
    struct rule_date start, end;
};

/* ---- the footer: a POSIX TZ string ---- */

/* A zone abbreviation: 3+ letters, or <...> quoted. */
static const char *posix_name(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');
        return q && q - p >= 4 ? q + 1 : NULL;
    }
    const char *q = p;
    while (isalpha((unsigned char)*q))
        q++;
    return q - p >= 3 ? q : NULL;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h; sets *secs. */
static const char *posix_time(const char *p, int max_h, int32_t *secs)
{
    int sign = 1, part[3] = { 0, 0, 0 };
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        if (i > 0 && *p != ':')
            break;
        p += i > 0;
        if (!isdigit((unsigned char)*p))
            return NULL;
        char *q;
        long v = strtol(p, &q, 10);
        if (q - p > 3 || v > (i == 0 ? max_h : 59))
            return NULL;
        part[i] = (int)v;
        p = q;
    }
    *secs = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return p;
}

static const char *posix_number(const char *p, int lo, int hi, int *out)
{
    char *q;
    if (!isdigit((unsigned char)*p))
        return NULL;
    long v = strtol(p, &q, 10);
    if (v < lo || v > hi)
        return NULL;
    *out = (int)v;
    return q;
}

/* ",Mm.w.d[/time]" and the Jn, n forms. */
static const char *posix_date(const char *p, struct rule_date *r)
{
    if (*p++ != ',')
        return NULL;
    r->secs = 2 * 3600;
    if (*p == 'M') {
        r->kind = 'M';
        p = posix_number(p + 1, 1, 12, &r->month);
        p = p && *p == '.' ? posix_number(p + 1, 1, 5, &r->week) : NULL;
        p = p && *p == '.' ? posix_number(p + 1, 0, 6, &r->wday) : NULL;
    } else if (*p == 'J') {
        r->kind = 'J';
        p = posix_number(p + 1, 1, 365, &r->day);
    } else {
        r->kind = 'n';
        p = posix_number(p, 0, 365, &r->day);
    }
    if (p && *p == '/')
        p = posix_time(p + 1, 167, &r->secs);
    return p;
}

/* Parse the footer; POSIX offsets count west, ours east. 0 or -1. */
static int posix_parse(struct lk_tz *z, const char *s)
{
    int32_t off;
    const char *p = posix_name(s);
    if (!p || !(p = posix_time(p, 24, &off)))
        return -1;
    z->std_off = -off;
    z->has_footer = 1;
    if (*p == '\0')
        return 0;
    if (!(p = posix_name(p)))
        return -1;
    z->has_dst = 1;
    z->dst_off = z->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if (!(p = posix_time(p, 24, &off)))
            return -1;
        z->dst_off = -off;
    }
    if (*p == '\0') /* no rule: the US one, as glibc assumes */
        p = ",M3.2.0,M11.1.0";
    p = posix_date(p, &z->start);
    p = p ? posix_date(p, &z->end) : NULL;
    return p && *p == '\0' ? 0 : -1;
}

/* Day number (since the epoch) of a rule date in year y. */
static int64_t rule_day(const struct rule_date *r, int64_t y)
{
    if (r->kind == 'J')
        return lk_days_from_civil(y, 1, 1) + r->day - 1 + (lk_is_leap_year(y) && r->day >= 60);
    if (r->kind == 'n')
        return lk_days_from_civil(y, 1, 1) + r->day;
    int64_t first = lk_days_from_civil(y, r->month, 1);
    int wday1 = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int d = 1 + (r->wday - wday1 + 7) % 7 + (r->week - 1) * 7;
    while (d > lk_days_in_month(y, r->month))
        d -= 7;
    return first + d - 1;
}

struct change {
    int64_t at;
    int32_t off; /* offset from `at` on */
};

/*
 * The rule's changes in years y-1..y+1, ascending (stable: at equal instants the later
 * year's wins, which keeps permanent daylight time like "EST5EDT,0/0,J365/25" right).
 */
static void rule_changes(const struct lk_tz *z, int64_t y, struct change c[6])
{
    for (int i = 0; i < 3; i++) {
        int64_t yy = y - 1 + i;
        c[2 * i].at = rule_day(&z->start, yy) * DAY + z->start.secs - z->std_off;
        c[2 * i].off = z->dst_off;
        c[2 * i + 1].at = rule_day(&z->end, yy) * DAY + z->end.secs - z->dst_off;
        c[2 * i + 1].off = z->std_off;
    }
    for (int i = 1; i < 6; i++)
        for (int j = i; j > 0 && c[j - 1].at > c[j].at; j--) {
            struct change tmp = c[j];
            c[j] = c[j - 1];
            c[j - 1] = tmp;
        }
}

static int64_t year_of(int64_t t)
{
    int64_t y;
    int m, d;
    lk_civil_from_days(lk_floor_div(t, DAY), &y, &m, &d);
    return y;
}

/* Offset under the footer at t; with *next (when not NULL) the first change after t. */
static int32_t rule_offset(const struct lk_tz *z, int64_t t, int64_t *next)
{
    struct change c[6];
    int32_t off = z->std_off;
    if (next)
        *next = INT64_MAX;
    if (!z->has_dst)
        return off;
    rule_changes(z, year_of(t), c);
    for (int i = 0; i < 6; i++) {
        if (c[i].at <= t) {
            off = c[i].off;
        } else {
            if (next)
                *next = c[i].at;
            break;
        }
    }
    return off;
}

/* ---- offsets at an instant ---- */

/* Index of the last transition <= t, or -1. */
static long last_transition(const struct lk_tz *z, int64_t t)
{
    size_t lo = 0, hi = z->ntrans;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* Offset at t and the first instant after t where it may change (INT64_MAX: never). */
static int32_t offset_next(const struct lk_tz *z, int64_t t, int64_t *next)
{
    long i = last_transition(z, t);
    if (z->has_footer && (z->ntrans == 0 || i == (long)z->ntrans - 1))
        return rule_offset(z, t, next);
    *next = i + 1 < (long)z->ntrans ? z->trans[i + 1] : INT64_MAX;
    return z->utoff[i < 0 ? 0 : z->idx[i]];
}

int32_t lk_tz_offset(const struct lk_tz *tz, int64_t t)
{
    int64_t next;
    return offset_next(tz, t, &next);
}

void lk_tz_offset_range(const struct lk_tz *tz, int64_t from, int32_t *min, int32_t *max)
{
    *min = *max = lk_tz_offset(tz, from);
    for (size_t i = 0; i < tz->ntrans; i++) {
        int32_t off = tz->utoff[tz->idx[i]];
        if (tz->trans[i] > from && off < *min)
            *min = off;
        if (tz->trans[i] > from && off > *max)
            *max = off;
    }
    if (tz->has_footer) {
        *min = tz->std_off < *min ? tz->std_off : *min;
        *max = tz->std_off > *max ? tz->std_off : *max;
    }
    if (tz->has_dst) {
        *min = tz->dst_off < *min ? tz->dst_off : *min;
        *max = tz->dst_off > *max ? tz->dst_off : *max;
    }
}

int lk_tz_from_wall(const struct lk_tz *tz, int64_t wall, int64_t t[2])
{
    /* Walk the constant-offset intervals over wall +- 2 days (offsets stay within 26h). */
    int64_t start = wall - 2 * DAY, next, gap = INT64_MAX;
    int n = 0;
    for (;;) {
        int32_t off = offset_next(tz, start, &next);
        int64_t cand = wall - off;
        if (cand >= start && cand < next && n < 2)
            t[n++] = cand;
        else if (n == 0 && gap == INT64_MAX && start + off > wall)
            gap = start; /* the first interval that starts past the wall time */
        if (next > wall + 2 * DAY)
            break;
        start = next;
    }
    if (n == 0)
        t[0] = gap;
    return n;
}

/* ---- loading ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The six counts of a TZif header; the size of the data block that follows it. */
static size_t tzif_counts(const unsigned char *h, uint32_t cnt[6], size_t tsize)
{
    for (int i = 0; i < 6; i++)
        cnt[i] = be32(h + 20 + 4 * i);
    /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    return (size_t)cnt[3] * tsize + cnt[3] + (size_t)cnt[4] * 6 + cnt[5]
           + (size_t)cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
}

/*
 * Parse the version 2+ part of a TZif file into z. 0, LK_EUSAGE (not a zone this module
 * reads) or LK_EINPUT (a damaged file), with *why.
 */
static int tzif_parse(struct lk_tz *z, const unsigned char *b, size_t len, const char **why)
{
    uint32_t cnt[6];
    *why = "not a TZif file";
    if (len < 44 || memcmp(b, "TZif", 4) != 0)
        return LK_EUSAGE;
    *why = "TZif version 1 (no 64-bit data)";
    if (b[4] < '2')
        return LK_EUSAGE;
    size_t off = 44 + tzif_counts(b, cnt, 4);
    *why = "truncated TZif file";
    if (off + 44 > len || memcmp(b + off, "TZif", 4) != 0)
        return LK_EINPUT;
    size_t size = tzif_counts(b + off, cnt, 8);
    if (size > len - off - 44)
        return LK_EINPUT;
    const unsigned char *p = b + off + 44, *end = p + size;
    *why = "leap-second zones are not supported";
    if (cnt[2] != 0)
        return LK_EUSAGE;
    *why = "bad TZif counts";
    if (cnt[4] == 0 || cnt[4] > 256)
        return LK_EINPUT;
    z->ntrans = cnt[3];
    z->ntypes = cnt[4];
    z->trans = lk_xcalloc(z->ntrans + 1, sizeof(*z->trans));
    z->idx = lk_xcalloc(z->ntrans + 1, 1);
    z->utoff = lk_xcalloc(z->ntypes, sizeof(*z->utoff));
    for (size_t i = 0; i < z->ntrans; i++, p += 8) {
        z->trans[i] = be64(p);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            return LK_EINPUT;
    }
    for (size_t i = 0; i < z->ntrans; i++)
        if ((z->idx[i] = *p++) >= z->ntypes)
            return LK_EINPUT;
    for (size_t i = 0; i < z->ntypes; i++, p += 6)
        z->utoff[i] = (int32_t)be32(p);
    /* footer: "\n<POSIX TZ>\n" right after the data block */
    *why = "bad TZif footer";
    if ((size_t)(b + len - end) < 2 || end[0] != '\n' || b[len - 1] != '\n')
        return LK_EINPUT;
    size_t flen = (size_t)(b + len - end) - 2;
    if (flen == 0)
        return 0;
    char *footer = lk_xstrndup((const char *)end + 1, flen);
    int rc = posix_parse(z, footer);
    free(footer);
    return rc < 0 ? LK_EINPUT : 0;
}

/* A zone name safe to append to LK_TZ_DIR. */
static int name_ok(const char *name)
{
    if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
            return 0;
    return 1;
}

/* A zone named name, with no data yet ("UTC": offset 0 at all times, tzdata or not). */
static struct lk_tz *tz_new(const char *name)
{
    struct lk_tz *z = lk_xcalloc(1, sizeof(*z));
    z->name = lk_xstrdup(name);
    z->has_footer = strcmp(name, "UTC") == 0;
    return z;
}

int lk_tz_load_data(struct lk_tz **tz, const char *name, const void *data, size_t len,
                    struct lk_err *err)
{
    struct lk_tz *z = tz_new(name);
    const char *why;
    int rc = tzif_parse(z, data, len, &why);
    *tz = NULL;
    if (rc < 0) {
        lk_tz_free(z);
        return lk_err_set(err, rc, "time zone '%s': %s", name, why);
    }
    *tz = z;
    return 0;
}

int lk_tz_load(struct lk_tz **tz, const char *name, struct lk_err *err)
{
    struct lk_buf path = LK_BUF_INIT;
    char *data = NULL;
    size_t len = 0;
    int rc;
    *tz = NULL;
    if (!name_ok(name))
        return lk_err_set(err, LK_EUSAGE, "bad time zone name '%s'", name);
    if (strcmp(name, "UTC") == 0) {
        *tz = tz_new(name);
        return 0;
    }
    lk_buf_addf(&path, "%s/%s", LK_TZ_DIR, name);
    if (!lk_is_file(path.s) || lk_file_read_all(path.s, TZIF_MAX, &data, &len, NULL) < 0)
        rc = lk_err_set(err, LK_EUSAGE, "unknown time zone '%s' (no file %s)", name, path.s);
    else
        rc = lk_tz_load_data(tz, name, data, len, err);
    free(data);
    lk_buf_release(&path);
    return rc;
}

void lk_tz_free(struct lk_tz *tz)
{
    if (!tz)
        return;
    free(tz->name);
    free(tz->trans);
    free(tz->idx);
    free(tz->utoff);
    free(tz);
}

const char *lk_tz_name(const struct lk_tz *tz)
{
    return tz->name;
}
