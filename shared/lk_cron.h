/*
 * lk_cron - 5-field cron expressions and their next fire time in an IANA time zone.
 * (Interface shared with the cron branch, which owns this module.)
 */
#ifndef LK_CRON_H
#define LK_CRON_H

#include <stdint.h>

#include "lk_err.h"

struct lk_cron {
    uint64_t minutes;
    uint32_t hours;
    uint32_t days;
    uint16_t months;
    uint8_t weekdays;
    int days_restricted, weekdays_restricted;
};
int lk_cron_parse(struct lk_cron *c, const char *expr, struct lk_err *err);
/* first fire strictly after `after` (Unix s, UTC), fields read as wall time in IANA zone tz */
int lk_cron_next(const struct lk_cron *c, const char *tz, int64_t after, int64_t *next,
                 struct lk_err *err);

#endif
