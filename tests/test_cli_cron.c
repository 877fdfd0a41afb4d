/*
 * End-to-end tests of `lklab cron next`: the real binary's lines for a schedule across
 * Berlin's 2026 spring change (worked out by hand: no 02:30 on 29 March, so 03:00 CEST =
 * 01:00Z; 02:30 CET = 01:30Z, 02:30 CEST = 00:30Z), and its one-line usage errors.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

Test(cli_cron, prints_fire_times_in_utc_and_on_the_zone_clock)
{
    char *out = NULL;
    int rc = lkt_run(&out, NULL,
                     "cron next '30 2 * * *' --tz Europe/Berlin --after 2026-03-28T00:00:00Z "
                     "--count 3");
    cr_assert_eq(rc, 0);
    cr_expect_str_eq(out, "2026-03-28T01:30:00Z  2026-03-28T02:30:00+01:00  Europe/Berlin\n"
                          "2026-03-29T01:00:00Z  2026-03-29T03:00:00+02:00  Europe/Berlin\n"
                          "2026-03-30T00:30:00Z  2026-03-30T02:30:00+02:00  Europe/Berlin\n");
    free(out);
}

static void expect_usage(const char *args, const char *needle)
{
    char *out = NULL, *err = NULL;
    int rc = lkt_run(&out, &err, "%s", args);
    cr_expect_eq(rc, 2, "'%s': exit %d", args, rc);
    cr_expect(strstr(err, needle) != NULL, "'%s': stderr '%s' lacks '%s'", args, err, needle);
    cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "'%s': not one line: %s", args, err);
    cr_expect_str_eq(out, "", "'%s' printed on stdout", args);
    free(out);
    free(err);
}

Test(cli_cron, refuses_bad_schedules_zones_and_options_in_one_line)
{
    expect_usage("cron next '0 25 * * *'", "bad hour '25'");
    expect_usage("cron next '0 0 30 2 *' --after 2027-01-01T00:00:00Z", "'0 0 30 2 *'");
    expect_usage("cron next '0 0 * * *' --tz Mars/Olympus", "unknown time zone 'Mars/Olympus'");
    expect_usage("cron next '0 0 * * *' --after 2027-01-01", "bad instant '2027-01-01'");
    expect_usage("cron next '0 0 * * *' --count 0", "--count");
    expect_usage("cron next 0 0 '*' '*' '*'", "quote the expression");
    expect_usage("cron later '0 0 * * *'", "unknown subcommand 'later'");
    expect_usage("cron", "missing subcommand");
}

Test(cli_cron, help_ends_with_examples)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "cron --help"), 0);
    cr_expect(strstr(out, "usage: lklab cron next") != NULL, "%s", out);
    cr_expect(strstr(out, "\nexamples:\n  lklab cron next") != NULL, "%s", out);
    free(out);
}
