/*
 * libFuzzer target for the pipeline spec parser (lk_spec_parse, cJSON underneath).
 *
 * lk_spec_parse must never crash, leak or read outside the text; on failure it returns
 * LK_ESPEC with a one-line message; on success the spec must satisfy lk_spec.h, and
 * lk_spec_windows must, at instants across the whole time line, return between 1 and
 * lk_spec_max_windows ascending starts of windows that contain the instant (the array
 * handed to it has exactly lk_spec_max_windows slots). Any violation aborts.
 * Built and run by `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "lk_err.h"
#include "lk_event.h"
#include "lk_spec.h"
#include "lk_time.h"
#include "banned.h"

static void check_windows(const struct lk_spec *spec)
{
    static const int64_t times[] = {
        LK_TIME_MIN, LK_TIME_MIN + 1,        -86400001,       -1,          0, 1, 59999,
        60000,       INT64_C(1767225601234), LK_TIME_MAX - 1, LK_TIME_MAX,
    };
    size_t max = lk_spec_max_windows(spec);
    int64_t *starts;
    CHECK(max >= 1 && max <= 1001);
    if (spec->window.kind == LK_WIN_SESSION) { /* sessions are not assigned by lk_spec_windows */
        CHECK(spec->window.gap > 0 && spec->window.gap <= LK_DURATION_MAX);
        CHECK(LK_EVENT_TIME_MAX + spec->window.gap <= LK_TIME_MAX); /* its end can be written */
        return;
    }
    CHECK(spec->window.size <= LK_DURATION_MAX);
    starts = malloc(max * sizeof(*starts));
    /* every window of an accepted event time can be written */
    for (size_t k = 0, n = lk_spec_windows(spec, LK_EVENT_TIME_MIN, starts); k < n; k++)
        CHECK(starts[k] >= LK_TIME_MIN);
    for (size_t k = 0, n = lk_spec_windows(spec, LK_EVENT_TIME_MAX, starts); k < n; k++)
        CHECK(starts[k] + spec->window.size <= LK_TIME_MAX);
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        int64_t t = times[i];
        size_t n = lk_spec_windows(spec, t, starts);
        CHECK(n >= 1 && n <= max);
        for (size_t k = 0; k < n; k++) {
            CHECK(starts[k] <= t && t - starts[k] < spec->window.size);
            if (k > 0)
                CHECK(starts[k] - starts[k - 1] == spec->window.slide);
        }
    }
    free(starts);
}

static void check_spec(const struct lk_spec *spec)
{
    struct lk_event ev;
    CHECK(strlen(spec->name) > 0 && strlen(spec->name) < LK_SPEC_NAME_MAX);
    CHECK(spec->ngroup <= LK_SPEC_MAX_GROUP);
    for (size_t g = 0; g < spec->ngroup; g++)
        CHECK(lk_field_is_string(spec->group[g]));
    CHECK(spec->naggs >= 1 && spec->naggs <= LK_SPEC_MAX_AGGS);
    CHECK(lk_spec_ndistinct(spec) <= LK_SPEC_MAX_DISTINCT);
    for (size_t a = 0; a < spec->naggs; a++) {
        CHECK(strlen(spec->aggs[a].as) > 0);
        for (size_t b = 0; b < a; b++)
            CHECK(strcmp(spec->aggs[a].as, spec->aggs[b].as) != 0);
    }
    CHECK(spec->nfilters <= LK_SPEC_MAX_FILTERS);
    for (size_t f = 0; f < spec->nfilters; f++) {
        CHECK(lk_field_is_string(spec->filters[f].field));
        CHECK(spec->filters[f].nvalues >= 1
              && spec->filters[f].nvalues <= LK_SPEC_MAX_FILTER_VALUES);
    }
    switch (spec->window.kind) {
    case LK_WIN_TUMBLING:
        CHECK(spec->window.size > 0 && spec->window.slide == spec->window.size);
        break;
    case LK_WIN_SLIDING:
        CHECK(spec->window.slide > 0 && spec->window.slide <= spec->window.size);
        break;
    case LK_WIN_SESSION:
        CHECK(spec->window.gap > 0);
        break;
    default:
        CHECK(!"window kind");
    }
    check_windows(spec);
    memset(&ev, 0, sizeof(ev));
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++)
        ev.str[f] = (struct lk_str){ "t03", 3 };
    (void)lk_spec_accepts(spec, &ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    if (size)
        memcpy(text, data, size);
    if (lk_spec_parse(&spec, text, size, "spec 'fuzz'", &err) == 0) {
        check_spec(&spec);
    } else {
        CHECK(err.code == LK_ESPEC);
        CHECK_ERR(err);
        CHECK(strstr(err.msg, "(spec 'fuzz')") != NULL);
    }
    free(text);
    return 0;
}
