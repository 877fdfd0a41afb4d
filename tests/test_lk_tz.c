/*
 * Tests for lk_tz: UTC offsets around transitions from the zone files' tables (2026) and
 * from their POSIX footers (2040, 2045), wall times in gaps and overlaps, damaged files.
 * Expected instants are worked out by hand from the rules in each file's footer:
 *   Europe/Berlin      CET-1CEST,M3.5.0,M10.5.0/3 (last Sundays, 01:00Z)
 *   America/New_York   EST5EDT,M3.2.0,M11.1.0
 *   Australia/Sydney   AEST-10AEDT,M10.1.0,M4.1.0/3 (ends first Sunday of April 03:00)
 *   Australia/Lord_Howe <+1030>-10:30<+11>-11,M10.1.0,M4.1.0 (a 30-minute shift)
 *   America/Santiago   <-04>4<-03>,M9.1.6/24,M4.1.6/24 (24:00 on a Saturday)
 *   America/Nuuk       <-02>2<-01>,M3.5.0/-1,M10.5.0/0 (a negative rule time)
 * Calendar: 2026-03-01 and 2026-11-01 are Sundays, 2026-04-01 a Wednesday; 2040-01-01
 * and 2045-01-01 are Sundays, so March 2040's last Sunday is the 25th, March 2045's the
 * 26th, and 2045-04-01 is a Saturday.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_time.h"
#include "lk_tz.h"
#include "banned.h"

static int64_t unix_of(const char *iso)
{
    int64_t ms;
    cr_assert_eq(lk_time_parse(iso, strlen(iso), &ms), 0, "bad fixture instant '%s'", iso);
    return ms / 1000;
}

static struct lk_tz *load(const char *name)
{
    struct lk_tz *tz = NULL;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_tz_load(&tz, name, &err), 0, "%s: %s", name, err.msg);
    return tz;
}

/* The offset is `before` one second before `at` and `after` from `at` on. */
static void expect_change(const char *zone, const char *at, int32_t before, int32_t after)
{
    struct lk_tz *tz = load(zone);
    int64_t t = unix_of(at);
    cr_expect_eq(lk_tz_offset(tz, t - 1), before, "%s just before %s: %d", zone, at,
                 lk_tz_offset(tz, t - 1));
    cr_expect_eq(lk_tz_offset(tz, t), after, "%s at %s: %d", zone, at, lk_tz_offset(tz, t));
    lk_tz_free(tz);
}

Test(lk_tz, offsets_change_at_the_transitions_of_the_table)
{
    expect_change("Europe/Berlin", "2026-03-29T01:00:00Z", 3600, 7200);
    expect_change("Europe/Berlin", "2026-10-25T01:00:00Z", 7200, 3600);
    expect_change("America/New_York", "2026-03-08T07:00:00Z", -18000, -14400);
    expect_change("America/New_York", "2026-11-01T06:00:00Z", -14400, -18000);
    expect_change("Australia/Sydney", "2026-04-04T16:00:00Z", 39600, 36000);
    expect_change("Australia/Lord_Howe", "2026-04-04T15:00:00Z", 39600, 37800);
    expect_change("America/Santiago", "2026-04-05T03:00:00Z", -10800, -14400);
    expect_change("Asia/Kolkata", "2026-07-01T00:00:00Z", 19800, 19800);
    expect_change("UTC", "2026-07-01T00:00:00Z", 0, 0);
}

Test(lk_tz, offsets_follow_the_footer_rule_after_the_table)
{
    expect_change("Europe/Berlin", "2040-03-25T01:00:00Z", 3600, 7200);
    expect_change("America/Nuuk", "2045-03-26T01:00:00Z", -7200, -3600);
    expect_change("America/Santiago", "2045-04-02T03:00:00Z", -10800, -14400);
}

static void expect_wall(const char *zone, const char *wall, int n, const char *t0, const char *t1)
{
    struct lk_tz *tz = load(zone);
    int64_t t[2] = { 0, 0 };
    int got = lk_tz_from_wall(tz, unix_of(wall), t);
    cr_expect_eq(got, n, "%s wall %s: %d instants", zone, wall, got);
    cr_expect_eq(t[0], unix_of(t0), "%s wall %s: t[0] %lld", zone, wall, (long long)t[0]);
    if (t1)
        cr_expect_eq(t[1], unix_of(t1), "%s wall %s: t[1] %lld", zone, wall, (long long)t[1]);
    lk_tz_free(tz);
}

/* Wall times are written as if UTC: "2026-03-29T02:30:00Z" means 02:30 on the zone's clock. */
Test(lk_tz, maps_wall_times_in_gaps_overlaps_and_plain_hours)
{
    expect_wall("Europe/Berlin", "2026-07-01T12:00:00Z", 1, "2026-07-01T10:00:00Z", NULL);
    expect_wall("Europe/Berlin", "2026-03-29T02:30:00Z", 0, "2026-03-29T01:00:00Z", NULL);
    expect_wall("Europe/Berlin", "2026-03-29T02:00:00Z", 0, "2026-03-29T01:00:00Z", NULL);
    expect_wall("Europe/Berlin", "2026-03-29T03:00:00Z", 1, "2026-03-29T01:00:00Z", NULL);
    expect_wall("Europe/Berlin", "2026-10-25T02:30:00Z", 2, "2026-10-25T00:30:00Z",
                "2026-10-25T01:30:00Z");
    expect_wall("Europe/Berlin", "2026-10-25T03:00:00Z", 1, "2026-10-25T02:00:00Z", NULL);
    expect_wall("America/New_York", "2026-11-01T01:30:00Z", 2, "2026-11-01T05:30:00Z",
                "2026-11-01T06:30:00Z");
    expect_wall("America/New_York", "2026-03-08T02:59:00Z", 0, "2026-03-08T07:00:00Z", NULL);
    /* Nuuk 2045: 23:00 on Saturday jumps to 00:00 Sunday; 23:30 is skipped */
    expect_wall("America/Nuuk", "2045-03-25T23:30:00Z", 0, "2045-03-26T01:00:00Z", NULL);
    /* Lord Howe: 02:00 -> 02:30 on 2026-10-04 (15:30Z the day before, +10:30 -> +11) */
    expect_wall("Australia/Lord_Howe", "2026-10-04T02:15:00Z", 0, "2026-10-03T15:30:00Z", NULL);
}

Test(lk_tz, refuses_names_outside_the_zone_directory)
{
    static const char *const bad[] = { "../etc/passwd",  "/etc/localtime", "Europe/../../x", "",
                                       "Europe/Berlin ", "zone.tab" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct lk_tz *tz = (struct lk_tz *)1;
        struct lk_err err = LK_ERR_INIT;
        cr_expect_eq(lk_tz_load(&tz, bad[i], &err), LK_EUSAGE, "'%s'", bad[i]);
        cr_expect_null(tz, "'%s': *tz not cleared", bad[i]);
    }
}

Test(lk_tz, refuses_damaged_files_without_reading_past_them)
{
    char *data;
    size_t len;
    struct lk_err err = LK_ERR_INIT;
    struct lk_tz *tz;
    cr_assert_eq(lk_file_read_all(LK_TZ_DIR "/Europe/Berlin", 1 << 20, &data, &len, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(lk_tz_load_data(&tz, "whole", data, len, &err), 0, "%s", err.msg);
    lk_tz_free(tz);
    /* every proper prefix: an exact-size copy, so ASan sees any read past the end */
    for (size_t n = 0; n < len; n++) {
        char *cut = malloc(n + 1);
        memcpy(cut, data, n);
        int rc = lk_tz_load_data(&tz, "cut", cut, n, &err);
        cr_expect(rc == LK_EINPUT || rc == LK_EUSAGE, "prefix of %zu bytes: rc %d", n, rc);
        free(cut);
    }
    /* a footer rule with a bad month ("Mx.5.0") */
    char *m = NULL;
    for (size_t i = len - 6; i > len - 40 && !m; i--)
        m = memcmp(data + i, "M3.5.0", 6) == 0 ? data + i : NULL;
    cr_assert_not_null(m, "no 'M3.5.0' in Berlin's footer");
    m[1] = 'x';
    cr_expect_eq(lk_tz_load_data(&tz, "Europe/Berlin", data, len, &err), LK_EINPUT);
    cr_expect(strstr(err.msg, "footer") != NULL, "%s", err.msg);
    /* version 1 only */
    data[4] = '\0';
    cr_expect_eq(lk_tz_load_data(&tz, "v1", data, len, &err), LK_EUSAGE);
    free(data);
}
