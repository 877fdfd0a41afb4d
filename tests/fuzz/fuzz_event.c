/*
 * libFuzzer target for the event-line scanner (lk_event_parse).
 *
 * For every input: parsing must not crash or read outside the line (the line is copied
 * into a buffer of exactly its size). When it succeeds, the event must satisfy the
 * contract of lk_event.h, and lk_event_format followed by a second parse must give the
 * identical event; formatting that again must give the identical line. When it fails,
 * the reject must be well formed. Any violation aborts (a crash for libFuzzer).
 * Built and run by `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "lk_err.h"
#include "lk_event.h"
#include "lk_time.h"
#include "banned.h"

static struct lk_event_parser first = LK_EVENT_PARSER_INIT, second = LK_EVENT_PARSER_INIT;

static int same_str(struct lk_str a, struct lk_str b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static void check_event(const struct lk_event *ev)
{
    CHECK(ev->event_time >= LK_EVENT_TIME_MIN && ev->event_time <= LK_EVENT_TIME_MAX);
    CHECK(ev->arrival_time >= LK_EVENT_TIME_MIN && ev->arrival_time <= LK_EVENT_TIME_MAX);
    CHECK(ev->value > -INT64_C(100000000000000) && ev->value < INT64_C(100000000000000));
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
        CHECK(ev->str[f].len > 0 && ev->str[f].len <= LK_EVENT_STR_MAX);
        CHECK(memchr(ev->str[f].ptr, '\0', ev->str[f].len) == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size ? size : 1);
    struct lk_event ev, back;
    struct lk_reject rej;
    char msg[256];

    if (size)
        memcpy(line, data, size);
    if (lk_event_parse(&first, line, size, &ev, &rej) == 0) {
        size_t max = LK_EVENT_LINE_MAX(&ev), n, n2;
        char *out = malloc(max), *out2;
        CHECK(rej.reason == LK_Q_OK);
        check_event(&ev);
        n = lk_event_format(&ev, out);
        CHECK(n > 0 && n <= max && out[n - 1] == '\n');
        CHECK(memchr(out, '\n', n - 1) == NULL); /* one line */
        CHECK(lk_event_parse(&second, out, n - 1, &back, &rej) == 0);
        for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++)
            CHECK(same_str(ev.str[f], back.str[f]));
        CHECK(back.value == ev.value);
        CHECK(back.event_time == ev.event_time);
        CHECK(back.arrival_time == ev.arrival_time);
        out2 = malloc(LK_EVENT_LINE_MAX(&back));
        n2 = lk_event_format(&back, out2);
        CHECK(n2 == n && memcmp(out, out2, n) == 0); /* the canonical form is a fixed point */
        free(out2);
        free(out);
    } else {
        CHECK(rej.reason > LK_Q_OK && rej.reason < LK_Q_COUNT);
        CHECK(rej.field >= -1 && rej.field < LK_F_COUNT);
        CHECK(rej.offset <= size);
        CHECK(lk_reject_format(&rej, msg, sizeof(msg)) > 0);
        if (rej.reason == LK_Q_MISSING || rej.reason == LK_Q_DUP_FIELD)
            CHECK(rej.field >= 0);
    }
    free(line);
    return 0;
}
