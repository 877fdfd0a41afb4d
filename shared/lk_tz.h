/*
 * lk_tz - an IANA time zone read from its TZif file (RFC 8536), without libc's TZ.
 *
 * libc's localtime/tzset read the process-global TZ variable, so they cannot serve two
 * zones at once nor run beside threads; this module reads /usr/share/zoneinfo/NAME (the
 * Debian package tzdata) itself: the version 2+ 64-bit transition table and local time
 * types, and for instants after the last transition the footer's POSIX TZ string
 * ("CET-1CEST,M3.5.0,M10.5.0/3"; rules in the forms Mm.w.d, Jn and n, with times from
 * -167 to 167 hours). Instants before the first transition use local time type 0.
 * Leap-second ("right/") zones are refused. "UTC" works without tzdata.
 *
 * Times here are Unix seconds. A "wall" time is the local date and time counted in
 * seconds as if it were UTC: wall = t + offset(t).
 *
 * Errors: lk_tz_load returns LK_EUSAGE for a name that is not a zone it reads (with '..', a
 * leading '/', characters other than letters, digits and "/_+-", no such file, a file that
 * is not TZif version 2+, a leap-second zone), LK_EINPUT for a damaged TZif file, with err
 * naming the zone. Memory: lk_tz_load hands back a heap object; lk_tz_free (NULL is
 * fine) releases it. A loaded zone is read-only, so threads may share it.
 */
#ifndef LK_TZ_H
#define LK_TZ_H

#include <stdint.h>

#include "lk_err.h"

#define LK_TZ_DIR "/usr/share/zoneinfo"

struct lk_tz;

/* Load zone `name` ("Europe/Berlin", "UTC"). 0 and *tz, or a negative LK_E* code. */
int lk_tz_load(struct lk_tz **tz, const char *name, struct lk_err *err);
void lk_tz_free(struct lk_tz *tz);
/* The same from the bytes of a TZif file (tests, other zone directories). */
int lk_tz_load_data(struct lk_tz **tz, const char *name, const void *data, size_t len,
                    struct lk_err *err);

/* The zone's name as given to lk_tz_load. */
const char *lk_tz_name(const struct lk_tz *tz);

/* UTC offset in seconds (east positive: +3600 for CET) in effect at instant t. */
int32_t lk_tz_offset(const struct lk_tz *tz, int64_t t);

/* The smallest and largest offsets in effect at any instant >= from. */
void lk_tz_offset_range(const struct lk_tz *tz, int64_t from, int32_t *min, int32_t *max);

/*
 * The instants whose wall time is `wall`, in order: returns 1 (the usual case) or 2 (the
 * wall time repeats when the clocks go back; t[0] < t[1]). Returns 0 when the wall time
 * does not exist (the clocks jumped over it), with t[0] set to the first instant after
 * the jump (the transition itself).
 */
int lk_tz_from_wall(const struct lk_tz *tz, int64_t wall, int64_t t[2]);

#endif
