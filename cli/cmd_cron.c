/* lklab cron next: a schedule's next fire times, to check one before a job uses it. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "lk_cron.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "cron"
static const char usage_line[] =
    "lklab cron next \"EXPR\" [--tz ZONE] [--after INSTANT] [--count N]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Prints the next N fire times of a 5-field cron expression (cron(5): minute hour\n"
           "day-of-month month day-of-week, with lists, ranges, steps, names and the @daily\n"
           "style shortcuts), one a line: the instant in UTC, then the wall-clock time in\n"
           "ZONE with its UTC offset. Across daylight-saving changes a skipped wall time fires\n"
           "right after the jump, a repeated one once, and schedules covering every hour fire\n"
           "every real hour: docs/jobs.md \"Schedules and time zones\".\n\n"
           "  --tz ZONE        an IANA time zone, e.g. Europe/Berlin (default: UTC)\n"
           "  --after INSTANT  start strictly after YYYY-MM-DDTHH:MM:SSZ (default: now)\n"
           "  --count N        how many fire times, 1 to 1000 (default: 5)\n"
           "  --help           this text\n\n"
           "exit: 0 ok, 2 usage (a bad expression, zone, or a schedule that never fires),\n"
           "      3 a damaged time zone file\n",
           usage_line);
}

/* "YYYY-MM-DDTHH:MM:SS" of wall seconds, then "Z" or "+HH:MM". */
static void print_time(int64_t wall, int32_t off, int utc)
{
    int64_t y, secs = wall - lk_floor_div(wall, 86400) * 86400;
    int m, d;
    lk_civil_from_days(lk_floor_div(wall, 86400), &y, &m, &d);
    printf("%04" PRId64 "-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(secs / 3600),
           (int)(secs / 60 % 60), (int)(secs % 60));
    if (utc)
        printf("Z");
    else
        printf("%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60);
}

static int next_times(const char *expr, const char *zone, int64_t after, uint64_t count)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_cron c;
    struct lk_tz *tz = NULL;
    int rc = lk_cron_parse(&c, expr, &err);
    if (rc == 0)
        rc = lk_tz_load(&tz, zone, &err);
    for (uint64_t i = 0; rc == 0 && i < count; i++) {
        if ((rc = lk_cron_next_in(&c, tz, after, &after, &err)) < 0)
            break;
        print_time(after, 0, 1);
        printf("  ");
        int32_t off = lk_tz_offset(tz, after);
        print_time(after + off, off, 0);
        printf("  %s\n", zone);
    }
    lk_tz_free(tz);
    return rc < 0 ? cmd_fail(CMD, &err) : cmd_finish(CMD, 0);
}

int cmd_cron(int argc, char **argv)
{
    enum { O_TZ = 256, O_AFTER, O_COUNT, O_HELP };
    static const struct option opts[] = {
        { "tz", required_argument, NULL, O_TZ },
        { "after", required_argument, NULL, O_AFTER },
        { "count", required_argument, NULL, O_COUNT },
        { "help", no_argument, NULL, O_HELP },
        { NULL, 0, NULL, 0 },
    };
    const char *zone = "UTC";
    int64_t after = (int64_t)time(NULL), ms;
    uint64_t count = 5;
    struct cmd_getopt go;
    int c;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case O_TZ:
            zone = optarg;
            break;
        case O_AFTER:
            if (lk_time_parse(optarg, strlen(optarg), &ms) < 0)
                return cmd_usage_error(CMD, "bad instant '%s' for --after (YYYY-MM-DDTHH:MM:SSZ)",
                                       optarg);
            after = lk_floor_div(ms, 1000);
            break;
        case O_COUNT:
            if (cmd_parse_u64(CMD, "--count", optarg, 1, 1000, &count))
                return 2;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (optind >= argc)
        return cmd_usage_error(CMD, "missing subcommand 'next'");
    if (strcmp(argv[optind], "next") != 0)
        return cmd_usage_error(CMD, "unknown subcommand '%s' (only 'next')", argv[optind]);
    if (optind + 1 >= argc)
        return cmd_usage_error(CMD, "missing the cron expression");
    if (optind + 2 < argc)
        return cmd_usage_error(CMD, "unexpected argument '%s' (quote the expression)",
                               argv[optind + 2]);
    return next_times(argv[optind + 1], zone, after, count);
}
