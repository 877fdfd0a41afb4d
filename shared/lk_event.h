/*
 * lk_event - one JSONL line -> one validated event, or a reason to quarantine it.
 *
 * An event line is a JSON object with (at least) these members, in any order:
 *   event_id, tenant, key, type   strings of 1 to LK_EVENT_STR_MAX (63) bytes once
 *                                 unescaped (UTF-8; escapes allowed; no NUL)
 *   value                         a JSON number with at most 2 decimal places, written
 *                                 in plain decimal form: 12, 12.5, -0.25 are events;
 *                                 12.345, 12.500, "12" and 1e3 are not. |value| < 1e12.
 *   event_time, arrival_time      strings "YYYY-MM-DDTHH:MM:SS[.f|.ff|.fff]Z" naming a
 *                                 real instant (lk_time_parse) of the years 1000 to
 *                                 8999 (LK_EVENT_TIME_MIN..LK_EVENT_TIME_MAX)
 * Other members are ignored (any JSON value), but the whole line must be valid UTF-8
 * JSON: one object, nothing after it but whitespace. A required member given twice is
 * malformed (JSON parsers disagree on which copy wins, so the lab refuses to guess).
 *
 * Decision (bounds, docs/events.md): a line the lab accepts must never make a whole run
 * fail later. Times are bounded a thousand years inside the years that have a text form
 * (0000..9999) and durations to a century (LK_DURATION_MAX), so every window end,
 * watermark and batch period of an accepted event can be written; strings are bounded
 * like a spec's filter values, so every value can be filtered on and used as a lake
 * directory name (3 * 63 escaped bytes + "tenant=" < NAME_MAX). Lines outside the bounds
 * are quarantined with the reasons time-range and too-long.
 *
 * Decision (STYLE "cJSON"): cJSON keeps numbers only as doubles, so it cannot tell 12.50
 * from 12.5 or see a third decimal. Event lines are therefore read by this strict,
 * allocation-free scanner (about 3.5x cJSON's speed); cJSON stays the parser for specs,
 * manifests and configuration. Both are fuzzed (tests/fuzz).
 *
 * Values are int64 hundredths: "12.5" -> 1250, "-0.25" -> -25. Times are int64 ms UTC.
 *
 * Memory: the strings of a parsed event point either into the caller's line or into the
 * parser's scratch buffer (when the JSON string had escapes). They stay valid until the
 * next lk_event_parse on the same parser or until the line buffer changes. The parser
 * allocates only when a line is longer than any before it.
 */
#ifndef LK_EVENT_H
#define LK_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "lk_str.h"

/* 1000-01-01T00:00:00.000Z and 8999-12-31T23:59:59.999Z: the accepted times. */
#define LK_EVENT_TIME_MIN INT64_C(-30610224000000)
#define LK_EVENT_TIME_MAX INT64_C(221845391999999)
/* Longest string field, in bytes once unescaped. */
#define LK_EVENT_STR_MAX 63

/* The event schema. The order is the canonical column order. */
enum lk_field {
    LK_F_EVENT_ID,
    LK_F_TENANT,
    LK_F_KEY,
    LK_F_TYPE,
    LK_F_VALUE,
    LK_F_EVENT_TIME,
    LK_F_ARRIVAL_TIME,
    LK_F_COUNT
};

/* "event_id", "tenant", ...; NULL for an out-of-range field. */
const char *lk_field_name(int field);
/* Field with that name, or -1. */
int lk_field_lookup(const char *name);
/* 1 for the string-valued fields event_id, tenant, key, type. */
int lk_field_is_string(int field);

struct lk_event {
    struct lk_str str[LK_F_TYPE + 1]; /* indexed by LK_F_EVENT_ID..LK_F_TYPE */
    int64_t value;                    /* hundredths */
    int64_t event_time;               /* ms UTC */
    int64_t arrival_time;             /* ms UTC */
};

/* Why a line is malformed. X(name, text) */
#define LK_REASONS(X)                                                                              \
    X(LK_Q_OK, "ok")                                                                               \
    X(LK_Q_JSON, "not valid json")                                                                 \
    X(LK_Q_NOT_OBJECT, "not a json object")                                                        \
    X(LK_Q_UTF8, "invalid utf-8")                                                                  \
    X(LK_Q_MISSING, "missing field")                                                               \
    X(LK_Q_DUP_FIELD, "field given twice")                                                         \
    X(LK_Q_TYPE, "wrong type")                                                                     \
    X(LK_Q_EMPTY, "empty string")                                                                  \
    X(LK_Q_NUL, "string contains nul")                                                             \
    X(LK_Q_NUMBER, "number not in plain decimal form")                                             \
    X(LK_Q_DECIMALS, "more than 2 decimal places")                                                 \
    X(LK_Q_RANGE, "value out of range")                                                            \
    X(LK_Q_TIMESTAMP, "bad timestamp")                                                             \
    X(LK_Q_TIME_RANGE, "time outside the years 1000-8999")                                         \
    X(LK_Q_TOO_LONG, "string longer than 63 bytes")

enum lk_reason {
#define LK_X(name, text) name,
    LK_REASONS(LK_X)
#undef LK_X
        LK_Q_COUNT
};

/* What was wrong with a rejected line. */
struct lk_reject {
    enum lk_reason reason;
    int field;     /* enum lk_field the reason is about, or -1 */
    size_t offset; /* byte offset in the line where it was noticed */
};

/* Short fixed text of a reason ("missing field"). */
const char *lk_reason_text(enum lk_reason r);
/* Stable identifier for tables and CSVs ("missing-field"). */
const char *lk_reason_id(enum lk_reason r);

/*
 * One-line description, e.g. "missing field 'tenant'" or "bad timestamp in 'event_time'
 * (byte 97)". Returns the length written (truncated like snprintf).
 */
int lk_reject_format(const struct lk_reject *r, char *buf, size_t size);

/* Reusable parser; one per thread. */
struct lk_event_parser {
    char *scratch;
    size_t cap;
};
#define LK_EVENT_PARSER_INIT                                                                       \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

void lk_event_parser_init(struct lk_event_parser *p);
void lk_event_parser_release(struct lk_event_parser *p);

/*
 * Parse one line (len bytes, without its '\n'; a trailing '\r' counts as whitespace).
 * Returns 0 and fills *ev, or LK_EINPUT and fills *rej (when not NULL).
 */
int lk_event_parse(struct lk_event_parser *p, const char *line, size_t len, struct lk_event *ev,
                   struct lk_reject *rej);

/*
 * Write the event as one canonical JSONL line (the generator's form, member order as in
 * docs/formats.md "Events", value with exactly two decimals, times with milliseconds)
 * followed by '\n'.
 * buf needs LK_EVENT_LINE_MAX(ev) bytes. Returns the length written.
 */
size_t lk_event_format(const struct lk_event *ev, char *buf);
#define LK_EVENT_LINE_MAX(ev)                                                                      \
    (200 + 6 * ((ev)->str[0].len + (ev)->str[1].len + (ev)->str[2].len + (ev)->str[3].len))

/* Write a value in hundredths as decimal with exactly 2 places ("-0.25"); returns length. */
int lk_money_format(int64_t hundredths, char *buf, size_t size);

#endif
