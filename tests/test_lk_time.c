/*
 * Tests for lk_time: strict ISO-8601 instants, durations, window alignment.
 * Every expected number is worked out by hand (days since 1970 x 86400000), never taken
 * from the code under test.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "lk_err.h"
#include "lk_time.h"
#include "banned.h"

/* 2026-01-01T00:00:00Z: 56 years after 1970 with 14 leap days (1972..2024) = 20454 days. */
#define T2026 INT64_C(1767225600000)

static int parse(const char *s, int64_t *ms)
{
    return lk_time_parse(s, strlen(s), ms);
}

static void expect_instant(const char *s, int64_t want)
{
    int64_t got = 12345;
    int rc = parse(s, &got);
    cr_assert_eq(rc, 0, "'%s' should parse (rc %d)", s, rc);
    cr_assert_eq(got, want, "'%s': got %lld, want %lld", s, (long long)got, (long long)want);
}

static void expect_bad(const char *s)
{
    int64_t got = 777;
    int rc = parse(s, &got);
    cr_assert_eq(rc, LK_EINPUT, "'%s' should be rejected (rc %d)", s, rc);
    cr_assert_eq(got, 777, "'%s': output written on failure", s);
}

static void expect_format(int64_t ms, const char *want)
{
    char buf[LK_TIME_ISO_LEN + 1];
    memset(buf, 'x', sizeof(buf));
    cr_assert_eq(lk_time_format(ms, buf), LK_TIME_ISO_LEN);
    cr_assert_str_eq(buf, want);
}

/* ------------------------------------------------------------ parsing ---- */

Test(lk_time, parses_the_epoch)
{
    expect_instant("1970-01-01T00:00:00Z", 0);
    expect_instant("1970-01-01T00:00:00.000Z", 0);
}

Test(lk_time, parses_new_year_2026)
{
    expect_instant("2026-01-01T00:00:00Z", T2026);
}

Test(lk_time, parses_hours_minutes_seconds_and_millis)
{
    /* 1h = 3600000, 2m = 120000, 3s = 3000, .456 */
    expect_instant("2026-01-01T01:02:03.456Z", T2026 + 3600000 + 120000 + 3000 + 456);
    expect_instant("2026-01-01T23:59:59.999Z", T2026 + 86400000 - 1);
}

Test(lk_time, reads_one_two_and_three_fraction_digits_as_milliseconds)
{
    expect_instant("2026-01-01T00:00:00.5Z", T2026 + 500);
    expect_instant("2026-01-01T00:00:00.05Z", T2026 + 50);
    expect_instant("2026-01-01T00:00:00.005Z", T2026 + 5);
    expect_instant("2026-01-01T00:00:00.50Z", T2026 + 500);
    expect_instant("2026-01-01T00:00:00.123Z", T2026 + 123);
    expect_instant("2026-01-01T00:00:00.0Z", T2026);
}

Test(lk_time, rejects_four_fraction_digits)
{
    expect_bad("2026-01-01T00:00:00.1234Z");
    expect_bad("2026-01-01T00:00:00.0000Z");
}

Test(lk_time, rejects_a_dot_without_digits)
{
    expect_bad("2026-01-01T00:00:00.Z");
}

Test(lk_time, rejects_non_digit_fraction)
{
    expect_bad("2026-01-01T00:00:00.a2Z");
    expect_bad("2026-01-01T00:00:00.-5Z");
    expect_bad("2026-01-01T00:00:00,5Z");
}

Test(lk_time, accepts_february_29_in_leap_years)
{
    /* 2024-01-01 = 19723 days (54 years + 13 leap days); + 31 + 28 = 19782 days. */
    expect_instant("2024-02-29T00:00:00Z", INT64_C(19782) * 86400000);
    /* 2000 is divisible by 400: leap. 2000-01-01 = 946684800 s; + 59 days. */
    expect_instant("2000-02-29T00:00:00Z", INT64_C(951782400000));
}

Test(lk_time, rejects_february_29_in_common_years)
{
    expect_bad("2023-02-29T00:00:00Z");
    expect_bad("1900-02-29T00:00:00Z"); /* divisible by 100, not by 400 */
    expect_bad("2100-02-29T00:00:00Z");
}

Test(lk_time, rejects_february_30)
{
    expect_bad("2024-02-30T00:00:00Z");
    expect_bad("2026-02-30T00:00:00Z");
}

Test(lk_time, accepts_the_last_day_of_every_month)
{
    expect_instant("2026-01-31T00:00:00Z", T2026 + INT64_C(30) * 86400000);
    expect_instant("2026-02-28T00:00:00Z", T2026 + INT64_C(58) * 86400000);
    /* 2026-03-01 = 20454 + 59 days = 1772323200 s */
    expect_instant("2026-03-01T00:00:00Z", INT64_C(1772323200000));
    expect_instant("2026-04-30T00:00:00Z", T2026 + INT64_C(119) * 86400000);
    expect_instant("2026-12-31T00:00:00Z", T2026 + INT64_C(364) * 86400000);
}

Test(lk_time, rejects_day_31_in_thirty_day_months)
{
    expect_bad("2026-04-31T00:00:00Z");
    expect_bad("2026-06-31T00:00:00Z");
    expect_bad("2026-09-31T00:00:00Z");
    expect_bad("2026-11-31T00:00:00Z");
}

Test(lk_time, rejects_month_and_day_zero_or_too_large)
{
    expect_bad("2026-00-01T00:00:00Z");
    expect_bad("2026-13-01T00:00:00Z");
    expect_bad("2026-01-00T00:00:00Z");
    expect_bad("2026-01-32T00:00:00Z");
}

Test(lk_time, reads_the_last_millisecond_before_the_epoch_as_minus_one)
{
    expect_instant("1969-12-31T23:59:59.999Z", -1);
    expect_instant("1969-12-31T00:00:00Z", -86400000);
    /* 1900-01-01 = -25567 days = -2208988800 s */
    expect_instant("1900-01-01T00:00:00Z", INT64_C(-2208988800000));
}

Test(lk_time, accepts_year_0000_and_year_9999)
{
    /* 0000-01-01 is 719528 days before 1970 (proleptic Gregorian). */
    expect_instant("0000-01-01T00:00:00Z", INT64_C(-719528) * 86400000);
    expect_instant("0000-01-01T00:00:00Z", LK_TIME_MIN);
    /* 10000-01-01 would be 2932897 days after 1970. */
    expect_instant("9999-12-31T23:59:59.999Z", INT64_C(2932897) * 86400000 - 1);
    expect_instant("9999-12-31T23:59:59.999Z", LK_TIME_MAX);
    /* year 0 is a leap year (divisible by 400): 0000-03-01 is day 60 of it */
    expect_instant("0000-02-29T00:00:00Z", LK_TIME_MIN + INT64_C(59) * 86400000);
}

Test(lk_time, rejects_a_missing_z)
{
    expect_bad("2026-01-01T00:00:00");
    expect_bad("2026-01-01T00:00:00.000");
    expect_bad("2026-01-01T00:00:00+00:00");
}

Test(lk_time, rejects_lowercase_t_and_z)
{
    expect_bad("2026-01-01t00:00:00Z");
    expect_bad("2026-01-01T00:00:00z");
}

Test(lk_time, rejects_hour_24_minute_60_and_second_60)
{
    expect_bad("2026-01-01T24:00:00Z");
    expect_bad("2026-01-01T00:60:00Z");
    expect_bad("2026-01-01T23:59:60Z");
    expect_bad("2026-01-01T25:00:00Z");
}

Test(lk_time, rejects_spaces_anywhere)
{
    expect_bad(" 2026-01-01T00:00:00Z");
    expect_bad("2026-01-01T00:00:00Z ");
    expect_bad("2026-01-01 00:00:00Z");
    expect_bad("2026-01-01T00:00: 0Z");
}

Test(lk_time, rejects_trailing_junk)
{
    expect_bad("2026-01-01T00:00:00Zx");
    expect_bad("2026-01-01T00:00:00ZZ");
    expect_bad("2026-01-01T00:00:00.1Zx");
}

Test(lk_time, rejects_short_fields_and_signs)
{
    expect_bad("2026-1-01T00:00:00Z");
    expect_bad("2026-01-1T00:00:00Z");
    expect_bad("2026-01-01T0:00:00Z");
    expect_bad("+2026-01-01T00:00:00Z");
    expect_bad("-001-01-01T00:00:00Z");
    expect_bad("20260-01-01T00:00:00Z");
    expect_bad("2026/01/01T00:00:00Z");
}

Test(lk_time, rejects_empty_and_truncated_text)
{
    const char *full = "2026-01-01T00:00:00.000Z";
    int64_t ms;
    cr_assert_eq(lk_time_parse("", 0, &ms), LK_EINPUT);
    for (size_t n = 0; n < strlen(full); n++)
        cr_assert_eq(lk_time_parse(full, n, &ms), LK_EINPUT, "prefix of %zu bytes", n);
}

Test(lk_time, parses_exactly_len_bytes_and_not_beyond)
{
    int64_t ms = 0;
    const char *s = "2026-01-01T00:00:00.5Z, and then more";
    cr_assert_eq(lk_time_parse(s, 22, &ms), 0);
    cr_assert_eq(ms, T2026 + 500);
    cr_assert_eq(lk_time_parse(s, 23, &ms), LK_EINPUT);
}

/* ---------------------------------------------------------- formatting ---- */

Test(lk_time, formats_with_three_fraction_digits)
{
    expect_format(0, "1970-01-01T00:00:00.000Z");
    expect_format(T2026 + 1234, "2026-01-01T00:00:01.234Z");
    expect_format(T2026 + 5, "2026-01-01T00:00:00.005Z");
}

Test(lk_time, formats_negative_instants)
{
    expect_format(-1, "1969-12-31T23:59:59.999Z");
    expect_format(-86400000, "1969-12-31T00:00:00.000Z");
    expect_format(-86400001, "1969-12-30T23:59:59.999Z");
}

Test(lk_time, formats_the_limits_and_refuses_beyond_them)
{
    char buf[LK_TIME_ISO_LEN + 1];
    expect_format(LK_TIME_MIN, "0000-01-01T00:00:00.000Z");
    expect_format(LK_TIME_MAX, "9999-12-31T23:59:59.999Z");
    cr_assert_eq(lk_time_format(LK_TIME_MIN - 1, buf), LK_ERANGE);
    cr_assert_eq(lk_time_format(LK_TIME_MAX + 1, buf), LK_ERANGE);
    cr_assert_eq(lk_time_format(LK_TIME_NEG_INF, buf), LK_ERANGE);
    cr_assert_eq(lk_time_format(LK_TIME_POS_INF, buf), LK_ERANGE);
}

Test(lk_time, formats_leap_days)
{
    expect_format(INT64_C(951782400000), "2000-02-29T00:00:00.000Z");
    expect_format(INT64_C(19782) * 86400000 + 3600000, "2024-02-29T01:00:00.000Z");
}

Test(lk_time, formats_the_compact_file_name_form)
{
    char buf[20];
    cr_assert_eq(lk_time_format_compact(T2026 + 3600000 + 120000 + 3000 + 456, buf), 19);
    cr_assert_str_eq(buf, "20260101T010203456Z");
    cr_assert_eq(lk_time_format_compact(-1, buf), 19);
    cr_assert_str_eq(buf, "19691231T235959999Z");
    cr_assert_eq(lk_time_format_compact(LK_TIME_MAX + 1, buf), LK_ERANGE);
}

Test(lk_time, compact_form_sorts_like_time)
{
    char a[20], b[20];
    lk_time_format_compact(T2026 + 999, a);
    lk_time_format_compact(T2026 + 1000, b);
    cr_assert_lt(strcmp(a, b), 0);
    lk_time_format_compact(T2026 - 1, a);
    lk_time_format_compact(T2026, b);
    cr_assert_lt(strcmp(a, b), 0);
}

Test(lk_time, round_trips_format_then_parse)
{
    static const int64_t samples[] = {
        0,
        -1,
        1,
        999,
        -999,
        -1000,
        T2026,
        T2026 - 1,
        INT64_C(951782400000),
        INT64_C(-2208988800000),
        LK_TIME_MIN,
        LK_TIME_MIN + 1,
        LK_TIME_MAX,
        LK_TIME_MAX - 1,
    };
    char buf[LK_TIME_ISO_LEN + 1];
    int64_t back;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        cr_assert_eq(lk_time_format(samples[i], buf), LK_TIME_ISO_LEN);
        cr_assert_eq(lk_time_parse(buf, LK_TIME_ISO_LEN, &back), 0, "%s", buf);
        cr_assert_eq(back, samples[i], "%s", buf);
    }
    /* A walk across the whole range in steps that hit every month, hour and millisecond. */
    for (int64_t t = LK_TIME_MIN; t <= LK_TIME_MAX; t += INT64_C(86399999) * 37 + 7) {
        cr_assert_eq(lk_time_format(t, buf), LK_TIME_ISO_LEN);
        cr_assert_eq(lk_time_parse(buf, LK_TIME_ISO_LEN, &back), 0, "%s", buf);
        cr_assert_eq(back, t, "%s", buf);
    }
}

Test(lk_time, round_trips_parse_then_format)
{
    static const char *const texts[] = {
        "2024-02-29T12:34:56.789Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
        "1969-07-20T20:17:40.000Z", "2026-12-31T23:59:59.001Z",
    };
    char buf[LK_TIME_ISO_LEN + 1];
    int64_t ms;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        cr_assert_eq(parse(texts[i], &ms), 0);
        lk_time_format(ms, buf);
        cr_assert_str_eq(buf, texts[i]);
    }
}

/* ------------------------------------------------------------ calendar ---- */

Test(lk_time, knows_which_years_are_leap)
{
    cr_assert(lk_is_leap_year(2024));
    cr_assert(lk_is_leap_year(2000));
    cr_assert(lk_is_leap_year(0));
    cr_assert(!lk_is_leap_year(2023));
    cr_assert(!lk_is_leap_year(1900));
    cr_assert(!lk_is_leap_year(2100));
}

Test(lk_time, knows_the_days_in_each_month)
{
    static const int want[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    for (int m = 1; m <= 12; m++)
        cr_assert_eq(lk_days_in_month(2026, m), want[m - 1], "month %d", m);
    cr_assert_eq(lk_days_in_month(2024, 2), 29);
    cr_assert_eq(lk_days_in_month(1900, 2), 28);
}

Test(lk_time, converts_civil_dates_to_days_and_back)
{
    int64_t y;
    int m, d;
    cr_assert_eq(lk_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(lk_days_from_civil(2026, 1, 1), 20454);
    cr_assert_eq(lk_days_from_civil(1969, 12, 31), -1);
    cr_assert_eq(lk_days_from_civil(0, 1, 1), -719528);
    lk_civil_from_days(-1, &y, &m, &d);
    cr_assert(y == 1969 && m == 12 && d == 31);
    lk_civil_from_days(19782, &y, &m, &d);
    cr_assert(y == 2024 && m == 2 && d == 29);
    for (int64_t day = -800000; day <= 3000000; day += 997) {
        lk_civil_from_days(day, &y, &m, &d);
        cr_assert(m >= 1 && m <= 12 && d >= 1 && d <= lk_days_in_month(y, m));
        cr_assert_eq(lk_days_from_civil(y, m, d), day);
    }
}

/* ----------------------------------------------------------- durations ---- */

static void expect_duration(const char *s, int64_t want)
{
    int64_t got = -12345;
    int rc = lk_duration_parse(s, &got);
    cr_assert_eq(rc, 0, "'%s' should parse (rc %d)", s, rc);
    cr_assert_eq(got, want, "'%s': got %lld", s, (long long)got);
}

static void expect_bad_duration(const char *s, int code)
{
    int64_t got = -12345;
    int rc = lk_duration_parse(s, &got);
    cr_assert_eq(rc, code, "'%s': rc %d, want %d", s, rc, code);
    cr_assert_eq(got, -12345, "'%s': output written on failure", s);
}

Test(lk_duration, parses_every_unit)
{
    expect_duration("250ms", 250);
    expect_duration("30s", 30000);
    expect_duration("10m", 600000);
    expect_duration("6h", 21600000);
    expect_duration("1d", 86400000);
    expect_duration("0s", 0);
    expect_duration("0ms", 0);
    expect_duration("007s", 7000);
}

Test(lk_duration, rejects_unknown_unit)
{
    expect_bad_duration("1x", LK_EINPUT);
    expect_bad_duration("1", LK_EINPUT);
    expect_bad_duration("1S", LK_EINPUT);
    expect_bad_duration("1sec", LK_EINPUT);
    expect_bad_duration("1msx", LK_EINPUT);
    expect_bad_duration("1w", LK_EINPUT);
}

Test(lk_duration, rejects_signs_fractions_spaces_and_empty_text)
{
    expect_bad_duration("", LK_EINPUT);
    expect_bad_duration("-1s", LK_EINPUT);
    expect_bad_duration("+1s", LK_EINPUT);
    expect_bad_duration("1.5s", LK_EINPUT);
    expect_bad_duration(" 1s", LK_EINPUT);
    expect_bad_duration("1s ", LK_EINPUT);
    expect_bad_duration("1 s", LK_EINPUT);
    expect_bad_duration("s", LK_EINPUT);
    expect_bad_duration("ms", LK_EINPUT);
    cr_assert_eq(lk_duration_parse(NULL, &(int64_t){ 0 }), LK_EINPUT);
}

Test(lk_duration, rejects_combined_forms)
{
    expect_bad_duration("1h30m", LK_EINPUT);
    expect_bad_duration("1m30s", LK_EINPUT);
}

Test(lk_duration, rejects_overflow_with_erange)
{
    /* INT64_MAX = 9223372036854775807 */
    expect_bad_duration("9223372036854775807ms", LK_ERANGE);
    expect_bad_duration("9223372036854775808ms", LK_ERANGE);
    expect_bad_duration("99999999999999999999ms", LK_ERANGE);
    expect_bad_duration("106751991167d", LK_ERANGE);
    expect_bad_duration("9223372036854776s", LK_ERANGE);
}

Test(lk_duration, takes_at_most_a_century)
{
    /* LK_DURATION_MAX = 36500d in every unit; one ms more is too long */
    expect_duration("36500d", LK_DURATION_MAX);
    expect_duration("876000h", LK_DURATION_MAX);
    expect_duration("3153600000000ms", LK_DURATION_MAX);
    expect_bad_duration("36501d", LK_ERANGE);
    expect_bad_duration("3153600000001ms", LK_ERANGE);
    expect_bad_duration("52560001m", LK_ERANGE);
}

static void expect_duration_text(int64_t ms, const char *want)
{
    char buf[32];
    int n = lk_duration_format(ms, buf, sizeof(buf));
    cr_assert_str_eq(buf, want);
    cr_assert_eq(n, (int)strlen(want));
}

Test(lk_duration, formats_with_the_largest_exact_unit)
{
    expect_duration_text(0, "0s");
    expect_duration_text(250, "250ms");
    expect_duration_text(1000, "1s");
    expect_duration_text(90000, "90s");
    expect_duration_text(120000, "2m");
    expect_duration_text(3600000, "1h");
    expect_duration_text(90000000, "25h");
    expect_duration_text(86400000, "1d");
    expect_duration_text(172800000, "2d");
    expect_duration_text(1500, "1500ms");
    expect_duration_text(86400001, "86400001ms");
}

Test(lk_duration, format_then_parse_gives_the_same_duration)
{
    static const int64_t samples[] = {
        0, 1, 250, 1000, 61000, 600000, 5400000, 86400000, INT64_C(604800000), INT64_C(123456789)
    };
    char buf[32];
    int64_t back;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        lk_duration_format(samples[i], buf, sizeof(buf));
        cr_assert_eq(lk_duration_parse(buf, &back), 0, "%s", buf);
        cr_assert_eq(back, samples[i], "%s", buf);
    }
}

/* ------------------------------------------------------ floor division ---- */

Test(lk_floor_div, rounds_towards_minus_infinity)
{
    cr_assert_eq(lk_floor_div(7, 2), 3);
    cr_assert_eq(lk_floor_div(-7, 2), -4);
    cr_assert_eq(lk_floor_div(7, -2), -4);
    cr_assert_eq(lk_floor_div(-7, -2), 3);
    cr_assert_eq(lk_floor_div(-1, 10), -1);
    cr_assert_eq(lk_floor_div(-10, 10), -1);
    cr_assert_eq(lk_floor_div(-11, 10), -2);
    cr_assert_eq(lk_floor_div(0, 5), 0);
    cr_assert_eq(lk_floor_div(9, 10), 0);
}

Test(lk_align_down, aligns_negative_instants_to_the_bucket_below)
{
    cr_assert_eq(lk_align_down(0, 60000), 0);
    cr_assert_eq(lk_align_down(59999, 60000), 0);
    cr_assert_eq(lk_align_down(60000, 60000), 60000);
    cr_assert_eq(lk_align_down(-1, 60000), -60000);
    cr_assert_eq(lk_align_down(-60000, 60000), -60000);
    cr_assert_eq(lk_align_down(-60001, 60000), -120000);
    cr_assert_eq(lk_align_down(T2026 + 59999, 60000), T2026);
    cr_assert_eq(lk_align_down(LK_TIME_MIN, 86400000), LK_TIME_MIN);
    cr_assert_eq(lk_align_down(LK_TIME_MAX, 86400000), LK_TIME_MAX + 1 - 86400000);
}

Test(lk_align_up, aligns_to_the_boundary_at_or_above)
{
    cr_assert_eq(lk_align_up(0, 60000), 0);
    cr_assert_eq(lk_align_up(1, 60000), 60000);
    cr_assert_eq(lk_align_up(60000, 60000), 60000);
    cr_assert_eq(lk_align_up(60001, 60000), 120000);
    cr_assert_eq(lk_align_up(-1, 60000), 0);
    cr_assert_eq(lk_align_up(-60000, 60000), -60000);
    cr_assert_eq(lk_align_up(-60001, 60000), -60000);
    cr_assert_eq(lk_align_up(T2026 + 1, 3600000), T2026 + 3600000);
}
