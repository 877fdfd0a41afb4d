/*
 * lk_time - instants and durations as int64 milliseconds, UTC.
 *
 * An instant is milliseconds since 1970-01-01T00:00:00Z (negative before it); the
 * calendar is proleptic Gregorian, years 0000..9999. A duration is milliseconds.
 *
 * Text forms (docs/formats.md "Events"):
 *   instant   YYYY-MM-DDTHH:MM:SS[.f|.ff|.fff]Z   parsed strictly: a real calendar date,
 *             hours 00-23, minutes and seconds 00-59 (no leap second), nothing else
 *             around it. Written always with three fraction digits.
 *   duration  <digits><unit>, unit one of ms s m h d: 250ms 30s 10m 6h 1d. No sign, no
 *             spaces, no combined forms ("1h30m"); 0s is allowed.
 *
 * These functions never allocate and never fail except as documented; they are safe on
 * the hot path. No libc time zone or locale is involved (no gmtime/localtime).
 */
#ifndef LK_TIME_H
#define LK_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Explicit infinities for watermarks and open windows; never produced by parsing. */
#define LK_TIME_NEG_INF INT64_MIN
#define LK_TIME_POS_INF INT64_MAX

#define LK_MS_PER_SEC INT64_C(1000)
#define LK_MS_PER_MIN INT64_C(60000)
#define LK_MS_PER_HOUR INT64_C(3600000)
#define LK_MS_PER_DAY INT64_C(86400000)

/* Smallest and largest instants that have a text form (0000-01-01 .. 9999-12-31T23:59:59.999). */
#define LK_TIME_MIN INT64_C(-62167219200000)
#define LK_TIME_MAX INT64_C(253402300799999)

/*
 * Longest duration the lab takes anywhere (specs, CLI options, cost models): 36500d,
 * about a century. Event times are bounded to years 1000..8999 (lk_event.h), so an
 * instant plus or minus a few such durations (a window end, a watermark, a batch
 * period) still has a text form.
 */
#define LK_DURATION_MAX (INT64_C(36500) * LK_MS_PER_DAY)

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" is 24 characters; buffers need one more for the NUL. */
#define LK_TIME_ISO_LEN 24

/* Days since the epoch of a civil date (no range checks; any y, m 1-12, d 1-31). */
int64_t lk_days_from_civil(int64_t y, int m, int d);
/* Civil date of a day number since the epoch. */
void lk_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* 1 when y is a leap year of the Gregorian calendar. */
int lk_is_leap_year(int64_t y);
/* Days in month m (1-12) of year y. */
int lk_days_in_month(int64_t y, int m);

/*
 * Parse exactly len bytes as an instant. Returns 0 and sets *ms, or LK_EINPUT when the
 * text is not of the strict form or names no real instant.
 */
int lk_time_parse(const char *s, size_t len, int64_t *ms);

/*
 * Write ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" plus NUL into buf (at least LK_TIME_ISO_LEN + 1
 * bytes). Returns the length (24), or LK_ERANGE when ms has no 4-digit-year form.
 */
int lk_time_format(int64_t ms, char *buf);

/*
 * Compact form used in file names, "YYYYMMDDTHHMMSSmmmZ" (19 chars + NUL, buffer >= 20):
 * lexical order equals time order. Returns 19 or LK_ERANGE.
 */
int lk_time_format_compact(int64_t ms, char *buf);

/*
 * Parse a NUL-terminated duration ("30s"). Returns 0, or LK_EINPUT on bad text, LK_ERANGE
 * when it is longer than LK_DURATION_MAX.
 */
int lk_duration_parse(const char *s, int64_t *ms);

/*
 * Write a duration with the largest unit that divides it exactly ("90s" -> "90s",
 * 120000 -> "2m", 0 -> "0s"); buf of at least 32 bytes. Returns the length.
 */
int lk_duration_format(int64_t ms, char *buf, size_t size);

/*
 * Monotonic wall-clock seconds. Only for MEASURED durations reported beside the virtual
 * ones (duration_ms, benchmarks); never for the virtual clock.
 */
double lk_wall_now(void);

/* Floor division and floor modulo for window alignment with negative instants. */
static inline int64_t lk_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Start of the width-aligned bucket holding t (epoch-aligned, works for t < 0). */
static inline int64_t lk_align_down(int64_t t, int64_t width)
{
    return lk_floor_div(t, width) * width;
}

/* The smallest multiple of width that is >= t (the end of t's bucket when t is not on a
   boundary, t itself when it is); -t must not overflow. */
static inline int64_t lk_align_up(int64_t t, int64_t width)
{
    return -lk_floor_div(-t, width) * width;
}

#endif
