/*
 * Tests for lk_cron: the examples of the cron(5) manual page, parse errors naming the
 * field, and a table of next fire times worked out BY HAND (calendar and DST dates below),
 * never taken from the code under test.
 *
 * Calendar facts used (checked by counting): 2026-01-01 is a Thursday; 2026-02-01 and
 * 2026-03-01 are Sundays, so the last Sunday of March 2026 is the 29th and the second the
 * 8th; 2026-10-01 is a Thursday, so the last Sunday of October is the 25th; 2026-11-01 is
 * a Sunday. 2028 is a leap year, 2027 is not.
 * DST 2026: Europe/Berlin 03-29 01:00Z (02:00 CET -> 03:00 CEST) and 10-25 01:00Z (03:00
 * CEST -> 02:00 CET); America/New_York 03-08 07:00Z (02:00 EST -> 03:00 EDT) and 11-01
 * 06:00Z (02:00 EDT -> 01:00 EST).
 */
#define _DEFAULT_SOURCE /* struct tm's tm_gmtoff, for the cross-check's glibc side */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lk_cron.h"
#include "lk_time.h"
#include "banned.h"

static struct lk_cron parse_ok(const char *expr)
{
    struct lk_cron c;
    struct lk_err err = LK_ERR_INIT;
    int rc = lk_cron_parse(&c, expr, &err);
    cr_assert_eq(rc, 0, "'%s' should parse: %s", expr, err.msg);
    return c;
}

static int64_t unix_of(const char *iso)
{
    int64_t ms;
    cr_assert_eq(lk_time_parse(iso, strlen(iso), &ms), 0, "bad fixture instant '%s'", iso);
    return ms / 1000;
}

/* One row of the table: the next fire of expr in tz strictly after `after` is `want`. */
struct next_case {
    const char *expr, *tz, *after, *want;
};

static void check_next(const struct next_case *k)
{
    struct lk_cron c = parse_ok(k->expr);
    struct lk_err err = LK_ERR_INIT;
    int64_t next = 0;
    int rc = lk_cron_next(&c, k->tz, unix_of(k->after), &next, &err);
    cr_assert_eq(rc, 0, "'%s' in %s after %s: %s", k->expr, k->tz, k->after, err.msg);
    char got[LK_TIME_ISO_LEN + 1];
    lk_time_format(next * 1000, got);
    cr_expect_eq(next, unix_of(k->want), "'%s' in %s after %s: got %s, want %s", k->expr, k->tz,
                 k->after, got, k->want);
}

#define CHECK_TABLE(t)                                                                             \
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)                                          \
    check_next(&t[i])

/* ---- the cron(5) manual page's examples ---- */

Test(lk_cron, parses_the_manual_examples_into_the_right_sets)
{
    struct lk_cron c = parse_ok("5 0 * * *");
    cr_expect_eq(c.minutes, UINT64_C(1) << 5);
    cr_expect_eq(c.hours, 1u);
    cr_expect_eq(c.days, 0xFFFFFFFEu); /* 1-31 */
    cr_expect_eq(c.months, 0x1FFE);    /* 1-12 */
    cr_expect_eq(c.weekdays, 0x7F);
    cr_expect(!c.days_restricted && !c.weekdays_restricted);

    c = parse_ok("0 22 * * 1-5");
    cr_expect_eq(c.hours, 1u << 22);
    cr_expect_eq(c.weekdays, 0x3E); /* Monday..Friday */
    cr_expect(!c.days_restricted && c.weekdays_restricted);

    c = parse_ok("23 0-23/2 * * *");
    cr_expect_eq(c.hours, 0x555555u); /* 0, 2, ..., 22 */

    c = parse_ok("5 4 * * sun");
    cr_expect_eq(c.weekdays, 1);

    c = parse_ok("0 */4 1 * mon");
    cr_expect_eq(c.hours, (1u << 0) | (1u << 4) | (1u << 8) | (1u << 12) | (1u << 16) | (1u << 20));
    cr_expect_eq(c.days, 1u << 1);
    cr_expect_eq(c.weekdays, 1 << 1);
    cr_expect(c.days_restricted && c.weekdays_restricted);

    c = parse_ok("0 0 */2 * sun");   /* starts with '*': not restricted (cron(5)) */
    cr_expect_eq(c.days & 0xE, 0xA); /* days 1 and 3, not 2 */
    cr_expect(!c.days_restricted && c.weekdays_restricted);

    c = parse_ok("30 4 1,15 * 5");
    cr_expect_eq(c.days, (1u << 1) | (1u << 15));
    cr_expect_eq(c.weekdays, 1 << 5);
}

Test(lk_cron, reads_names_ranges_of_names_and_seven_as_sunday)
{
    struct lk_cron c = parse_ok("0 0 * JAN-mar,Dec Mon-FRI");
    cr_expect_eq(c.months, (1 << 1) | (1 << 2) | (1 << 3) | (1 << 12));
    cr_expect_eq(c.weekdays, 0x3E);
    cr_expect_eq(parse_ok("0 0 * * 7").weekdays, 1);
    cr_expect_eq(parse_ok("0 0 * * 5-7").weekdays, (1 << 5) | (1 << 6) | 1);
    cr_expect_eq(parse_ok("0 0 * * 0-7").weekdays, 0x7F);
    cr_expect_eq(parse_ok("1-30/5 * * * *").minutes,
                 (UINT64_C(1) << 1) | (UINT64_C(1) << 6) | (UINT64_C(1) << 11) | (UINT64_C(1) << 16)
                     | (UINT64_C(1) << 21) | (UINT64_C(1) << 26));
    cr_expect_eq(parse_ok("*/15\t*  * * *").minutes, (UINT64_C(1) << 0) | (UINT64_C(1) << 15)
                                                         | (UINT64_C(1) << 30)
                                                         | (UINT64_C(1) << 45));
}

Test(lk_cron, expands_the_shortcuts)
{
    static const char *const pairs[][2] = {
        { "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
        { "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },    { "@midnight", "0 0 * * *" },
        { "@hourly", "0 * * * *" },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct lk_cron a = parse_ok(pairs[i][0]), b = parse_ok(pairs[i][1]);
        cr_expect(a.minutes == b.minutes && a.hours == b.hours && a.days == b.days
                      && a.months == b.months && a.weekdays == b.weekdays
                      && a.days_restricted == b.days_restricted
                      && a.weekdays_restricted == b.weekdays_restricted,
                  "%s differs from '%s'", pairs[i][0], pairs[i][1]);
    }
}

Test(lk_cron, fires_the_manual_examples_at_the_right_times)
{
    static const struct next_case t[] = {
        /* run five minutes after midnight, every day */
        { "5 0 * * *", "UTC", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z" },
        { "5 0 * * *", "UTC", "2026-01-01T00:05:00Z", "2026-01-02T00:05:00Z" },
        /* run at 2:15pm on the first of every month */
        { "15 14 1 * *", "UTC", "2026-01-01T15:00:00Z", "2026-02-01T14:15:00Z" },
        /* run at 10 pm on weekdays: Friday Jan 2 at 22:00 -> Monday Jan 5 */
        { "0 22 * * 1-5", "UTC", "2026-01-02T22:00:00Z", "2026-01-05T22:00:00Z" },
        /* 23 minutes after midnight, 2am, 4am ... */
        { "23 0-23/2 * * *", "UTC", "2026-01-01T00:23:00Z", "2026-01-01T02:23:00Z" },
        { "23 0-23/2 * * *", "UTC", "2026-01-01T22:23:00Z", "2026-01-02T00:23:00Z" },
        /* run at 5 after 4 every sunday: Thursday Jan 1 -> Sunday Jan 4 */
        { "5 4 * * sun", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T04:05:00Z" },
        /* every 4th hour on the 1st and on every Monday */
        { "0 */4 1 * mon", "UTC", "2026-01-01T21:00:00Z", "2026-01-05T00:00:00Z" },
        { "0 */4 1 * mon", "UTC", "2026-01-05T20:00:00Z", "2026-01-12T00:00:00Z" },
        { "0 */4 1 * mon", "UTC", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z" },
        /* midnight on every Sunday that's on an odd date: Sundays 4, 11, 18, 25, Feb 1 */
        { "0 0 */2 * sun", "UTC", "2026-01-01T00:00:00Z", "2026-01-11T00:00:00Z" },
        { "0 0 */2 * sun", "UTC", "2026-01-11T00:00:00Z", "2026-01-25T00:00:00Z" },
        { "0 0 */2 * sun", "UTC", "2026-01-25T00:00:00Z", "2026-02-01T00:00:00Z" },
        /* the days 8-14 (the "second Saturday" example's own schedule) */
        { "0 4 8-14 * *", "UTC", "2026-01-01T00:00:00Z", "2026-01-08T04:00:00Z" },
        { "0 4 8-14 * *", "UTC", "2026-01-14T04:00:00Z", "2026-02-08T04:00:00Z" },
        /* 4:30 am on the 1st and 15th of each month, plus every Friday */
        { "30 4 1,15 * 5", "UTC", "2026-01-01T05:00:00Z", "2026-01-02T04:30:00Z" },
        { "30 4 1,15 * 5", "UTC", "2026-01-09T05:00:00Z", "2026-01-15T04:30:00Z" },
        /* midnight on the 1st and 15th, plus every Monday: Jan 1 (Thu) -> Mon Jan 5 */
        { "0 0 1,15 * 1", "UTC", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },
        { "0 0 1,15 * 1", "UTC", "2026-01-12T00:00:00Z", "2026-01-15T00:00:00Z" },
    };
    CHECK_TABLE(t);
}

/* ---- parse errors ---- */

static void expect_error(const char *expr, const char *field, const char *text)
{
    struct lk_cron c;
    struct lk_err err = LK_ERR_INIT;
    memset(&c, 0x5A, sizeof(c));
    int rc = lk_cron_parse(&c, expr, &err);
    cr_assert_eq(rc, LK_EUSAGE, "'%s' should be refused (rc %d)", expr, rc);
    cr_expect(strstr(err.msg, field) != NULL, "'%s': message '%s' does not name '%s'", expr,
              err.msg, field);
    cr_expect(strstr(err.msg, text) != NULL, "'%s': message '%s' does not quote '%s'", expr,
              err.msg, text);
    cr_expect(strchr(err.msg, '\n') == NULL, "one line");
    cr_expect_eq(c.minutes, UINT64_C(0x5A5A5A5A5A5A5A5A), "'%s': output written on failure", expr);
}

Test(lk_cron, refuses_bad_fields_naming_the_field_and_the_text)
{
    expect_error("60 * * * *", "minute", "'60'");
    expect_error("* 24 * * *", "hour", "'24'");
    expect_error("* * 0 * *", "day of month", "'0'");
    expect_error("* * 32 * *", "day of month", "'32'");
    expect_error("* * * 13 *", "month", "'13'");
    expect_error("* * * foo *", "month", "'foo'");
    expect_error("* * * * 8", "day of week", "'8'");
    expect_error("* * * * sunday", "day of week", "'sunday'");
    expect_error("* * * jan *x", "day of week", "'*x'"); /* the month is fine */
    expect_error("*/0 * * * *", "minute", "'*/0'");
    expect_error("5/15 * * * *", "minute", "'5/15'");
    expect_error("30-10 * * * *", "minute", "'30-10'");
    expect_error("1,,2 * * * *", "minute", "'1,,2'");
    expect_error("1, * * * *", "minute", "'1,'");
    expect_error("* * * * mon-", "day of week", "'mon-'");
    expect_error("* mon * * *", "hour", "'mon'");
    expect_error("-1 * * * *", "minute", "'-1'");
    expect_error("99999999999999999999 * * * *", "minute", "'99999999999999999999'");
    expect_error("L * * * *", "minute", "'L'");
    expect_error("? * * * *", "minute", "'?'");
}

Test(lk_cron, refuses_wrong_field_counts_and_unknown_shortcuts)
{
    expect_error("* * * *", "4 fields", "'* * * *'");
    expect_error("* * * * * *", "6 fields", "needs 5");
    expect_error("", "0 fields", "needs 5");
    expect_error("@reboot", "shortcut", "'@reboot'");
    expect_error("@daily 5", "shortcut", "'@daily'");
}

/* ---- next fire times: calendar ---- */

Test(lk_cron, crosses_month_ends_leap_days_and_year_ends)
{
    static const struct next_case t[] = {
        { "0 0 31 * *", "UTC", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z" },
        { "0 0 31 * *", "UTC", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z" },
        { "0 12 29 2 *", "UTC", "2027-01-01T00:00:00Z", "2028-02-29T12:00:00Z" },
        { "0 12 29 2 *", "UTC", "2024-01-01T00:00:00Z", "2024-02-29T12:00:00Z" },
        { "0 0 29 2 *", "UTC", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z" },
        { "0 0 28-29 2 *", "UTC", "2027-02-28T00:00:00Z", "2028-02-28T00:00:00Z" },
        { "59 23 31 12 *", "UTC", "2026-06-01T00:00:00Z", "2026-12-31T23:59:00Z" },
        { "59 23 31 12 *", "UTC", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z" },
        { "0 0 1 1 *", "UTC", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z" },
        { "* * * * *", "UTC", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z" },
        /* New Year in Berlin is 23:00Z the day before */
        { "0 0 1 1 *", "Europe/Berlin", "2026-06-01T00:00:00Z", "2026-12-31T23:00:00Z" },
        { "0 9 * * 1-5", "America/New_York", "2026-01-02T14:00:00Z", "2026-01-05T14:00:00Z" },
    };
    CHECK_TABLE(t);
}

Test(lk_cron, counts_from_the_second_strictly_after)
{
    static const struct next_case t[] = {
        { "* * * * *", "UTC", "2026-12-31T23:58:59Z", "2026-12-31T23:59:00Z" },
        { "* * * * *", "UTC", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z" },
        { "* * * * *", "UTC", "2026-12-31T23:59:30Z", "2027-01-01T00:00:00Z" },
        { "0 12 * * *", "UTC", "2026-05-05T11:59:59Z", "2026-05-05T12:00:00Z" },
        { "0 12 * * *", "UTC", "2026-05-05T12:00:00Z", "2026-05-06T12:00:00Z" },
        { "0 12 * * *", "UTC", "2026-05-05T12:00:01Z", "2026-05-06T12:00:00Z" },
    };
    CHECK_TABLE(t);
}

/* ---- next fire times: daylight saving time ---- */

Test(lk_cron, berlin_spring_forward_fires_a_skipped_time_at_the_jump)
{
    static const struct next_case t[] = {
        /* 02:30 daily: the day before at 02:30 CET, the day at 03:00 CEST, then 02:30 CEST */
        { "30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", "2026-03-28T01:30:00Z" },
        { "30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z" },
        { "30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z" },
        /* every 15 minutes: 01:45 CET, then 03:00 CEST, one real quarter hour later */
        { "*/15 * * * *", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T00:45:00Z" },
        { "*/15 * * * *", "Europe/Berlin", "2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z" },
        /* hourly: 01:00 CET, then 03:00 CEST, one real hour later */
        { "0 * * * *", "Europe/Berlin", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z" },
        { "30 * * * *", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z" },
    };
    CHECK_TABLE(t);
}

Test(lk_cron, berlin_fall_back_fires_a_repeated_time_once)
{
    static const struct next_case t[] = {
        /* 02:30 daily: 02:30 CEST (00:30Z) only, not 02:30 CET (01:30Z) */
        { "30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z" },
        { "30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z" },
        /* 01:30 is not repeated in Berlin: 01:30 CEST */
        { "30 1 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-24T23:30:00Z" },
        /* every 15 minutes and hourly go on through both passes of 02:xx */
        { "*/15 * * * *", "Europe/Berlin", "2026-10-25T00:45:00Z", "2026-10-25T01:00:00Z" },
        { "*/15 * * * *", "Europe/Berlin", "2026-10-25T01:00:00Z", "2026-10-25T01:15:00Z" },
        { "0 * * * *", "Europe/Berlin", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z" },
        { "0 * * * *", "Europe/Berlin", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z" },
    };
    CHECK_TABLE(t);
}

Test(lk_cron, new_york_spring_forward_and_fall_back)
{
    static const struct next_case t[] = {
        /* 02:30 daily: Mar 8 has no 02:30 -> 03:00 EDT (07:00Z); Mar 9 02:30 EDT */
        { "30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z" },
        { "30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z" },
        { "*/15 * * * *", "America/New_York", "2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z" },
        /* 01:30 in the fall-back night: 01:30 EDT (05:30Z) once, then Nov 2 01:30 EST */
        { "30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z" },
        { "30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z" },
        { "30 1 * * *", "America/New_York", "2026-11-01T05:45:00Z", "2026-11-02T06:30:00Z" },
        /* 02:30 happens once on Nov 1 (EST) */
        { "30 2 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T07:30:00Z" },
        { "*/15 * * * *", "America/New_York", "2026-11-01T05:45:00Z", "2026-11-01T06:00:00Z" },
        { "0 * * * *", "America/New_York", "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z" },
        { "0 * * * *", "America/New_York", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z" },
    };
    CHECK_TABLE(t);
}

/* ---- errors of lk_cron_next ---- */

Test(lk_cron, refuses_a_schedule_that_never_fires_naming_it)
{
    struct lk_cron c = parse_ok("0 0 30 2 *");
    struct lk_err err = LK_ERR_INIT;
    int64_t next = 42;
    int rc = lk_cron_next(&c, "UTC", unix_of("2027-01-01T00:00:00Z"), &next, &err);
    cr_assert_eq(rc, LK_EUSAGE);
    cr_expect(strstr(err.msg, "'0 0 30 2 *'") != NULL, "message: %s", err.msg);
    cr_expect(strstr(err.msg, "5 years") != NULL, "message: %s", err.msg);
    cr_expect_eq(next, 42);
}

Test(lk_cron, refuses_unknown_and_unsafe_zones)
{
    static const char *const bad[] = {
        "Mars/Olympus", "../../etc/passwd", "/etc/localtime",     "Europe/../UTC", "",
        "zone.tab",     "leapseconds",      "right/Europe/Berlin"
    };
    struct lk_cron c = parse_ok("0 0 * * *");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct lk_err err = LK_ERR_INIT;
        int64_t next = 0;
        int rc = lk_cron_next(&c, bad[i], 0, &next, &err);
        cr_expect_eq(rc, LK_EUSAGE, "zone '%s': rc %d (%s)", bad[i], rc, err.msg);
        cr_expect(strstr(err.msg, bad[i]) != NULL, "zone '%s' not named: %s", bad[i], err.msg);
    }
}

Test(lk_cron, formats_the_canonical_expression)
{
    struct lk_buf b = LK_BUF_INIT;
    struct lk_cron c = parse_ok("0,1,2,3 9-17 1,15 jan-dec mon-fri");
    lk_cron_format(&c, &b);
    cr_expect_str_eq(b.s, "0-3 9-17 1,15 * 1-5");
    lk_buf_release(&b);
}

/*
 * ---- cross-check: a different implementation ----
 *
 * In a forked child (so TZ changes nothing else), glibc's localtime_r under TZ=zone gives
 * the wall clock of every real minute of a few windows around DST changes, in 2026 (the
 * zone files' tables) and 2045 (their POSIX footers). A minute-by-minute scan fires:
 *   - at a minute whose wall fields match, the first time that wall time is seen
 *     (every time, for a schedule covering all 24 hours);
 *   - at the first minute after a jump forward, when a skipped wall minute matches
 *     (not for schedules covering all 24 hours).
 * The chain of lk_cron_next fire times must equal that list exactly.
 */
struct wall_minute {
    int64_t wall;
    unsigned char min, hour, mday, mon, wday;
};

static int tm_match(const struct lk_cron *c, int min, int hour, int mday, int mon, int wday)
{
    if (!(c->minutes >> min & 1) || !(c->hours >> hour & 1) || !(c->months >> mon & 1))
        return 0;
    int dom = c->days >> mday & 1, dow = c->weekdays >> wday & 1;
    return c->days_restricted && c->weekdays_restricted ? dom || dow : dom && dow;
}

static int wall_minute_match(const struct lk_cron *c, const struct wall_minute *w)
{
    return tm_match(c, w->min, w->hour, w->mday, w->mon, w->wday);
}

/* Fire instants in (from, from + 60 * (n - 1)] by the scan; m[i] is minute from + 60 i. */
static size_t scan_fires(const struct lk_cron *c, int64_t from, const struct wall_minute *m,
                         size_t n, int64_t *out)
{
    int every_hour = (c->hours & 0xFFFFFF) == 0xFFFFFF;
    int64_t maxwall = m[0].wall;
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        int fire = wall_minute_match(c, &m[i]) && (every_hour || m[i].wall > maxwall);
        for (int64_t w = m[i - 1].wall + 60; !every_hour && w < m[i].wall; w += 60) {
            struct tm g;
            time_t wt = (time_t)w;
            gmtime_r(&wt, &g);
            fire |= tm_match(c, g.tm_min, g.tm_hour, g.tm_mday, g.tm_mon + 1, g.tm_wday);
        }
        if (fire)
            out[k++] = from + 60 * (int64_t)i;
        if (m[i].wall > maxwall)
            maxwall = m[i].wall;
    }
    return k;
}

static const char *const cross_exprs[] = {
    "30 2 * * *",   "30 1 * * *",     "*/15 * * * *",  "0 * * * *",   "0 */4 1 * mon",
    "45 1-3 * * 0", "0 0 * * *",      "15,45 2 * * *", "5 0 * * 1-5", "0 0 */2 * sun",
    "0 12 1 * 6",   "*/10 0-3 * * *", "59 23 * * *",
};
static const char *const cross_windows[][2] = {
    { "2026-03-01T00:00:00Z", "2026-04-10T00:00:00Z" },
    { "2026-09-01T00:00:00Z", "2026-11-10T00:00:00Z" },
    { "2045-03-20T00:00:00Z", "2045-04-10T00:00:00Z" },
    { "2045-09-20T00:00:00Z", "2045-11-05T00:00:00Z" },
};

/* Compare one expression over one window; prints each difference. Returns mismatches. */
static int cross_one(const char *expr, const struct lk_tz *tz, int64_t from,
                     const struct wall_minute *m, size_t n, int64_t *scan)
{
    struct lk_cron c;
    struct lk_err err = LK_ERR_INIT;
    if (lk_cron_parse(&c, expr, &err) < 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    size_t k = scan_fires(&c, from, m, n, scan), i = 0;
    int64_t at = from, to = from + 60 * (int64_t)(n - 1), next;
    int bad = 0;
    while (lk_cron_next_in(&c, tz, at, &next, &err) == 0 && next <= to && bad < 5) {
        if (i >= k || scan[i] != next) {
            fprintf(stderr, "'%s' in %s after %" PRId64 ": lk_cron %" PRId64 ", scan %" PRId64 "\n",
                    expr, lk_tz_name(tz), at, next, i < k ? scan[i] : -1);
            bad++;
        }
        i++;
        at = next;
    }
    if (!bad && i != k)
        fprintf(stderr, "'%s' in %s from %" PRId64 ": lk_cron fired %zu times, scan %zu\n", expr,
                lk_tz_name(tz), from, i, k),
            bad++;
    return bad;
}

/* The child: every expression and window in one zone. Exit status = mismatches (capped). */
static int cross_zone(const char *zone)
{
    struct lk_tz *tz;
    struct lk_err err = LK_ERR_INIT;
    int bad = 0;
    if (lk_tz_load(&tz, zone, &err) < 0 || setenv("TZ", zone, 1) != 0)
        return fprintf(stderr, "%s: %s\n", zone, err.msg), 1;
    tzset();
    for (size_t w = 0; w < sizeof(cross_windows) / sizeof(cross_windows[0]); w++) {
        int64_t from = unix_of(cross_windows[w][0]), to = unix_of(cross_windows[w][1]);
        size_t n = (size_t)((to - from) / 60) + 1;
        struct wall_minute *m = malloc(n * sizeof(*m));
        int64_t *scan = malloc(n * sizeof(*scan));
        for (size_t i = 0; i < n; i++) {
            struct tm tm;
            time_t t = (time_t)(from + 60 * (int64_t)i);
            localtime_r(&t, &tm);
            m[i] = (struct wall_minute){ t + tm.tm_gmtoff,
                                         (unsigned char)tm.tm_min,
                                         (unsigned char)tm.tm_hour,
                                         (unsigned char)tm.tm_mday,
                                         (unsigned char)(tm.tm_mon + 1),
                                         (unsigned char)tm.tm_wday };
        }
        for (size_t e = 0; e < sizeof(cross_exprs) / sizeof(cross_exprs[0]); e++)
            bad += cross_one(cross_exprs[e], tz, from, m, n, scan);
        free(m);
        free(scan);
    }
    lk_tz_free(tz);
    return bad > 100 ? 100 : bad;
}

Test(lk_cron, agrees_with_a_minute_scan_under_glibc_localtime)
{
    static const char *const zones[] = {
        "Europe/Berlin",       "America/New_York", "Australia/Sydney",
        "Australia/Lord_Howe", "America/Santiago", "America/Nuuk",
        "Pacific/Chatham",     "Asia/Kolkata",     "UTC"
    };
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        fflush(NULL);
        pid_t pid = fork();
        cr_assert_neq(pid, -1, "fork");
        if (pid == 0)
            _exit(cross_zone(zones[z]));
        int status = 0;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "%s: lk_cron and the glibc scan disagree (%d differences, listed on stderr)",
                  zones[z], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
}
