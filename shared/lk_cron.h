/*
 * lk_cron - 5-field cron expressions (cron(5) semantics) and their next fire time in an
 * IANA time zone: the schedule trigger of `lklab job` (docs/jobs.md "Schedules and time
 * zones").
 *
 * Syntax, field by field "MIN HOUR DOM MON DOW": '*', a number, a range "a-b", a step
 * after '*' or a range ("*\/15", "1-30/5"), and comma lists of those; month names
 * jan..dec and day names sun..sat in any case, also as range ends ("mon-fri"); day of
 * week 7 is Sunday too. A step after a single number ("5/15") is refused: cron
 * implementations disagree on it. Shortcuts: @yearly = @annually "0 0 1 1 *",
 * @monthly "0 0 1 * *", @weekly "0 0 * * 0", @daily = @midnight "0 0 * * *",
 * @hourly "0 * * * *"; @reboot is refused (no boot in a schedule).
 *
 * Days (cron(5)): a day field is restricted when its text does not start with '*'. When
 * both day of month and day of week are restricted, a day matches when EITHER does
 * ("0 0 1,15 * 1": the 1st, the 15th and every Monday); otherwise a day must match both
 * ("0 0 *\/2 * sun": Sundays on odd dates, the cron(5) example).
 *
 * Time zones and DST (docs/jobs.md): the fields are wall-clock time in the zone.
 *   - A schedule whose hour field covers all 24 hours ("0 * * * *", "*\/15 * * * *")
 *     fires at every real instant whose wall time matches: every real hour, through
 *     both passes of a repeated hour, nothing made up for a skipped one.
 *   - Any other schedule fires once per matching wall time: at its first pass when the
 *     clocks go back, at the first instant after the jump (03:00) when the clocks go
 *     forward over it (cronie's rule for fixed-time jobs). Several skipped wall times
 *     fire once, together.
 * Unlike cron(8), which calls a job "wildcard" when its minute or hour text has a '*',
 * only the hour set decides: "*\/15 2 * * *" is a fixed-time schedule here.
 *
 * Errors: LK_EUSAGE with a one-line message in err (the field and the bad text, the
 * zone, or the schedule that never fires); LK_EINPUT for a damaged zone file (lk_tz.h).
 * Nothing is allocated that outlives a call; no global state, so threads may share it.
 */
#ifndef LK_CRON_H
#define LK_CRON_H

#include <stdint.h>

#include "lk_buf.h"
#include "lk_err.h"
#include "lk_tz.h"

struct lk_cron {      /* a parsed 5-field cron expression, cron(5) semantics */
    uint64_t minutes; /* bit m set: minute m (0-59) */
    uint32_t hours;   /* bit h: hour 0-23 */
    uint32_t days;    /* bit d: day of month 1-31 */
    uint16_t months;  /* bit m: month 1-12 */
    uint8_t weekdays; /* bit w: 0=Sunday .. 6=Saturday (7 accepted as Sunday) */
    int days_restricted, weekdays_restricted; /* field was not '*': cron's OR rule when both */
};

/* How far ahead lk_cron_next looks before it calls a schedule one that never fires. */
#define LK_CRON_HORIZON_YEARS 5

/*
 * Parse "M H DoM Mon DoW" with lists, ranges, steps (*\/15, 1-30/5), names (jan-dec,
 * sun-sat, case-insensitive) and the @hourly/@daily/@midnight/@weekly/@monthly/@yearly/
 * @annually shortcuts. Errors: LK_EUSAGE with one line naming the field and the bad text.
 * *c is written only on success.
 */
int lk_cron_parse(struct lk_cron *c, const char *expr, struct lk_err *err);

/*
 * The first fire time strictly after `after` (Unix seconds, UTC), with the fields read as
 * wall-clock time in time zone `tz` (an IANA name like "Europe/Berlin", "America/New_York",
 * or "UTC"); *next in Unix seconds. Errors: unknown zone (LK_EUSAGE), no fire time within
 * 5 years (e.g. "0 0 30 2 *": LK_EUSAGE naming it), `after` outside years 1..9000
 * (LK_EUSAGE). Loads the zone file on every call; lk_cron_next_in avoids that.
 */
int lk_cron_next(const struct lk_cron *c, const char *tz, int64_t after, int64_t *next,
                 struct lk_err *err);

/* lk_cron_next with a zone already loaded (lk_tz_load): for computing many fire times. */
int lk_cron_next_in(const struct lk_cron *c, const struct lk_tz *tz, int64_t after, int64_t *next,
                    struct lk_err *err);

/*
 * Append the schedule in canonical 5-field form to out: '*' for an unrestricted field
 * that covers its range, else a comma list of numbers and ranges ("0 9 * * 1-5").
 */
void lk_cron_format(const struct lk_cron *c, struct lk_buf *out);

#endif
