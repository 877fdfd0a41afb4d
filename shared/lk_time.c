#include "lk_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lk_err.h"
#include "banned.h"

/* Howard Hinnant's days_from_civil / civil_from_days, exact for the proleptic calendar. */
int64_t lk_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void lk_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int lk_is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int lk_days_in_month(int64_t y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && lk_is_leap_year(y))
        return 29;
    return days[m - 1];
}

/* n decimal digits at s, or -1 when any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i] - '0';
        if (c > 9)
            return -1;
        v = v * 10 + (int)c;
    }
    return v;
}

int lk_time_parse(const char *s, size_t len, int64_t *ms)
{
    int y, mo, d, h, mi, sec, frac = 0;
    size_t nfrac;

    /* YYYY-MM-DDTHH:MM:SS then optional .f{1,3} then Z */
    if (len < 20 || len > 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':'
        || s[16] != ':' || s[len - 1] != 'Z')
        return LK_EINPUT;
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    sec = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0
        || sec > 59 || d > lk_days_in_month(y, mo))
        return LK_EINPUT;
    if (len == 20) {
        nfrac = 0;
    } else {
        if (s[19] != '.' || len == 21)
            return LK_EINPUT;
        nfrac = len - 21;
        frac = digits(s + 20, (int)nfrac);
        if (frac < 0)
            return LK_EINPUT;
        for (size_t i = nfrac; i < 3; i++)
            frac *= 10;
    }
    *ms = ((lk_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * LK_MS_PER_MIN + sec * LK_MS_PER_SEC
          + frac;
    return 0;
}

/* Split ms into calendar fields; LK_ERANGE outside years 0000-9999. */
static int split(int64_t ms, int64_t *y, int *mo, int *d, int *h, int *mi, int *s, int *frac)
{
    int64_t days, rem;
    if (ms < LK_TIME_MIN || ms > LK_TIME_MAX)
        return LK_ERANGE;
    days = lk_floor_div(ms, LK_MS_PER_DAY);
    rem = ms - days * LK_MS_PER_DAY;
    lk_civil_from_days(days, y, mo, d);
    *h = (int)(rem / LK_MS_PER_HOUR);
    *mi = (int)(rem / LK_MS_PER_MIN % 60);
    *s = (int)(rem / LK_MS_PER_SEC % 60);
    *frac = (int)(rem % 1000);
    return 0;
}

static void put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

int lk_time_format(int64_t ms, char *buf)
{
    int64_t y;
    int mo, d, h, mi, s, frac;
    if (split(ms, &y, &mo, &d, &h, &mi, &s, &frac) < 0)
        return LK_ERANGE;
    memcpy(buf, "0000-00-00T00:00:00.000Z", LK_TIME_ISO_LEN + 1);
    put_digits(buf, y, 4);
    put_digits(buf + 5, mo, 2);
    put_digits(buf + 8, d, 2);
    put_digits(buf + 11, h, 2);
    put_digits(buf + 14, mi, 2);
    put_digits(buf + 17, s, 2);
    put_digits(buf + 20, frac, 3);
    return LK_TIME_ISO_LEN;
}

int lk_time_format_compact(int64_t ms, char *buf)
{
    int64_t y;
    int mo, d, h, mi, s, frac;
    if (split(ms, &y, &mo, &d, &h, &mi, &s, &frac) < 0)
        return LK_ERANGE;
    memcpy(buf, "00000000T000000000Z", 20);
    put_digits(buf, y, 4);
    put_digits(buf + 4, mo, 2);
    put_digits(buf + 6, d, 2);
    put_digits(buf + 9, h, 2);
    put_digits(buf + 11, mi, 2);
    put_digits(buf + 13, s, 2);
    put_digits(buf + 15, frac, 3);
    return 19;
}

static const struct {
    const char *name;
    int64_t ms;
} units[] = {
    { "d", LK_MS_PER_DAY },
    { "h", LK_MS_PER_HOUR },
    { "m", LK_MS_PER_MIN },
    { "s", LK_MS_PER_SEC },
    { "ms", 1 },
};

int lk_duration_parse(const char *s, int64_t *ms)
{
    int64_t v = 0;
    const char *p = s;
    if (!s || *p < '0' || *p > '9')
        return LK_EINPUT;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_MAX - (*p - '0')) / 10)
            return LK_ERANGE;
        v = v * 10 + (*p - '0');
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(p, units[i].name) == 0) {
            if (v > LK_DURATION_MAX / units[i].ms)
                return LK_ERANGE;
            *ms = v * units[i].ms;
            return 0;
        }
    }
    return LK_EINPUT;
}

int lk_duration_format(int64_t ms, char *buf, size_t size)
{
    if (ms == 0)
        return snprintf(buf, size, "0s");
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (ms % units[i].ms == 0)
            return snprintf(buf, size, "%lld%s", (long long)(ms / units[i].ms), units[i].name);
    return snprintf(buf, size, "%lldms", (long long)ms);
}

double lk_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
