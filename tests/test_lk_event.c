/*
 * Tests for lk_event: the strict event-line scanner, its quarantine reasons, and the
 * canonical writer. Expected values are written out by hand.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_err.h"
#include "lk_event.h"
#include "lk_time.h"
#include "banned.h"

/* 2026-01-01T00:00:00Z = 20454 days after the epoch. */
#define T2026 INT64_C(1767225600000)

#define GOOD_LINE                                                                                  \
    "{\"event_id\":\"c-000000042\",\"tenant\":\"t03\",\"key\":\"u01234\",\"type\":\"purchase\","   \
    "\"value\":12.50,\"event_time\":\"2026-01-01T00:00:01.234Z\","                                 \
    "\"arrival_time\":\"2026-01-01T00:00:03.100Z\"}"

/* Default JSON text of each member of GOOD_LINE, in canonical order. */
static const char *const good_values[LK_F_COUNT] = {
    "\"c-000000042\"",
    "\"t03\"",
    "\"u01234\"",
    "\"purchase\"",
    "12.50",
    "\"2026-01-01T00:00:01.234Z\"",
    "\"2026-01-01T00:00:03.100Z\"",
};

static struct lk_event_parser parser;
static char linebuf[4096];

static void setup(void)
{
    lk_event_parser_init(&parser);
}

static void teardown(void)
{
    lk_event_parser_release(&parser);
}

TestSuite(lk_event, .init = setup, .fini = teardown);

/*
 * The good line with member `field` given the JSON text `json` instead (NULL: left
 * out). Written into linebuf.
 */
static const char *line_with(int field, const char *json)
{
    size_t n = 0;
    int first = 1;
    n += (size_t)snprintf(linebuf + n, sizeof(linebuf) - n, "{");
    for (int f = 0; f < LK_F_COUNT; f++) {
        const char *v = f == field ? json : good_values[f];
        if (!v)
            continue;
        n += (size_t)snprintf(linebuf + n, sizeof(linebuf) - n, "%s\"%s\":%s", first ? "" : ",",
                              lk_field_name(f), v);
        first = 0;
    }
    snprintf(linebuf + n, sizeof(linebuf) - n, "}");
    return linebuf;
}

static int parse_len(const char *line, size_t len, struct lk_event *ev, struct lk_reject *rej)
{
    return lk_event_parse(&parser, line, len, ev, rej);
}

static int parse(const char *line, struct lk_event *ev, struct lk_reject *rej)
{
    return parse_len(line, strlen(line), ev, rej);
}

static void expect_str(struct lk_str s, const char *want)
{
    cr_assert_eq(s.len, strlen(want), "length %zu, want %zu ('%s')", s.len, strlen(want), want);
    cr_assert(memcmp(s.ptr, want, s.len) == 0, "got '%.*s', want '%s'", (int)s.len, s.ptr, want);
}

static void expect_reject_len(const char *line, size_t len, enum lk_reason reason, int field)
{
    struct lk_event ev;
    struct lk_reject rej;
    int rc = parse_len(line, len, &ev, &rej);
    cr_assert_eq(rc, LK_EINPUT, "line should be rejected: %.*s", (int)len, line);
    cr_assert_eq(rej.reason, reason, "reason '%s', want '%s' for: %.*s", lk_reason_text(rej.reason),
                 lk_reason_text(reason), (int)len, line);
    cr_assert_eq(rej.field, field, "field %d, want %d for: %.*s", rej.field, field, (int)len, line);
    cr_assert_leq(rej.offset, len);
}

static void expect_reject(const char *line, enum lk_reason reason, int field)
{
    expect_reject_len(line, strlen(line), reason, field);
}

/* The good line with `extra` (one or more members) added before the closing brace. */
static const char *line_plus(const char *extra)
{
    snprintf(linebuf, sizeof(linebuf), "%.*s,%s}", (int)strlen(GOOD_LINE) - 1, GOOD_LINE, extra);
    return linebuf;
}

static int64_t value_of(const char *json)
{
    struct lk_event ev;
    struct lk_reject rej;
    int rc = parse(line_with(LK_F_VALUE, json), &ev, &rej);
    cr_assert_eq(rc, 0, "value %s rejected: %s", json, lk_reason_text(rej.reason));
    return ev.value;
}

/* --------------------------------------------------------- good lines ---- */

Test(lk_event, parses_a_valid_line_into_exact_fields)
{
    struct lk_event ev;
    struct lk_reject rej;
    cr_assert_eq(parse(GOOD_LINE, &ev, &rej), 0);
    expect_str(ev.str[LK_F_EVENT_ID], "c-000000042");
    expect_str(ev.str[LK_F_TENANT], "t03");
    expect_str(ev.str[LK_F_KEY], "u01234");
    expect_str(ev.str[LK_F_TYPE], "purchase");
    cr_assert_eq(ev.value, 1250);
    cr_assert_eq(ev.event_time, T2026 + 1234);
    cr_assert_eq(ev.arrival_time, T2026 + 3100);
    cr_assert_eq(rej.reason, LK_Q_OK);
}

Test(lk_event, reads_values_as_hundredths)
{
    cr_assert_eq(value_of("12"), 1200);
    cr_assert_eq(value_of("12.5"), 1250);
    cr_assert_eq(value_of("12.50"), 1250);
    cr_assert_eq(value_of("-0.25"), -25);
    cr_assert_eq(value_of("0"), 0);
    cr_assert_eq(value_of("-0"), 0);
    cr_assert_eq(value_of("0.0"), 0);
    cr_assert_eq(value_of("0.01"), 1);
    cr_assert_eq(value_of("-7.1"), -710);
    cr_assert_eq(value_of("100"), 10000);
}

Test(lk_event, accepts_values_just_below_one_trillion)
{
    /* |value| < 1e12, i.e. < 1e14 hundredths (lk_event.h, lk_agg.h) */
    cr_assert_eq(value_of("999999999999.99"), INT64_C(99999999999999));
    cr_assert_eq(value_of("-999999999999.99"), INT64_C(-99999999999999));
    cr_assert_eq(value_of("12345678901"), INT64_C(1234567890100));
}

Test(lk_event, decodes_escapes_in_strings)
{
    struct lk_event ev;
    cr_assert_eq(parse(line_with(LK_F_KEY, "\"a\\\"b\\\\c\\/d\""), &ev, NULL), 0);
    expect_str(ev.str[LK_F_KEY], "a\"b\\c/d");
    cr_assert_eq(parse(line_with(LK_F_KEY, "\"\\b\\f\\n\\r\\t\""), &ev, NULL), 0);
    expect_str(ev.str[LK_F_KEY], "\b\f\n\r\t");
    cr_assert_eq(parse(line_with(LK_F_TENANT, "\"caf\\u00e9\""), &ev, NULL), 0);
    expect_str(ev.str[LK_F_TENANT], "caf\xc3\xa9");
    cr_assert_eq(parse(line_with(LK_F_TENANT, "\"\\u00E9\\u20AC\\u0041\""), &ev, NULL), 0);
    expect_str(ev.str[LK_F_TENANT], "\xc3\xa9\xe2\x82\xac"
                                    "A");
}

Test(lk_event, decodes_surrogate_pairs)
{
    struct lk_event ev;
    /* U+1F600 = D83D DE00 -> F0 9F 98 80 */
    cr_assert_eq(parse(line_with(LK_F_TYPE, "\"x\\ud83d\\ude00y\""), &ev, NULL), 0);
    expect_str(ev.str[LK_F_TYPE], "x\xf0\x9f\x98\x80y");
    /* U+10FFFF = DBFF DFFF -> F4 8F BF BF */
    cr_assert_eq(parse(line_with(LK_F_TYPE, "\"\\uDBFF\\uDFFF\""), &ev, NULL), 0);
    expect_str(ev.str[LK_F_TYPE], "\xf4\x8f\xbf\xbf");
}

Test(lk_event, keeps_raw_utf8_in_strings)
{
    struct lk_event ev;
    cr_assert_eq(parse(line_with(LK_F_KEY, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), &ev, NULL),
                 0);
    expect_str(ev.str[LK_F_KEY], "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

Test(lk_event, keeps_every_decoded_string_valid_at_once)
{
    struct lk_event ev;
    const char *line = "{\"event_id\":\"\\u00411\",\"tenant\":\"t\\u00e9\",\"key\":\"k\\n\","
                       "\"type\":\"\\\"q\\\"\",\"value\":1,\"ignored\":\"\\u00e9\\u00e9\\u00e9\","
                       "\"event_time\":\"2026-01-01T00:00:00Z\","
                       "\"arrival_time\":\"2026-01-01T00:00:00Z\"}";
    cr_assert_eq(parse(line, &ev, NULL), 0);
    expect_str(ev.str[LK_F_EVENT_ID], "A1");
    expect_str(ev.str[LK_F_TENANT], "t\xc3\xa9");
    expect_str(ev.str[LK_F_KEY], "k\n");
    expect_str(ev.str[LK_F_TYPE], "\"q\"");
}

Test(lk_event, accepts_escaped_timestamps)
{
    struct lk_event ev;
    cr_assert_eq(parse(line_with(LK_F_EVENT_TIME, "\"2026-01-01T00:00:00\\u002e5Z\""), &ev, NULL),
                 0);
    cr_assert_eq(ev.event_time, T2026 + 500);
}

Test(lk_event, ignores_extra_members_of_any_type)
{
    struct lk_event ev;
    const char *line =
        "{\"a\":{\"x\":[1,2,{\"y\":null}],\"z\":\"s\"},\"event_id\":\"e1\",\"n\":-1.5e+10,"
        "\"tenant\":\"t\",\"m\":2E-3,\"t\":true,\"key\":\"k\",\"f\":false,\"z\":null,"
        "\"type\":\"ty\",\"arr\":[],\"obj\":{},\"value\":3,\"s\":\"\\u00e9\\\"\","
        "\"event_time\":\"1970-01-01T00:00:00Z\",\"nested\":[[[[]]]],"
        "\"arrival_time\":\"1970-01-01T00:00:01Z\",\"zero\":0,\"neg\":-0.5}";
    cr_assert_eq(parse(line, &ev, NULL), 0);
    expect_str(ev.str[LK_F_EVENT_ID], "e1");
    expect_str(ev.str[LK_F_TENANT], "t");
    expect_str(ev.str[LK_F_KEY], "k");
    expect_str(ev.str[LK_F_TYPE], "ty");
    cr_assert_eq(ev.value, 300);
    cr_assert_eq(ev.event_time, 0);
    cr_assert_eq(ev.arrival_time, 1000);
}

Test(lk_event, ignores_an_extra_member_named_like_a_field_in_another_case)
{
    struct lk_event ev;
    const char *line = "{\"Value\":\"x\",\"event_id\":\"e\",\"tenant\":\"t\",\"key\":\"k\","
                       "\"type\":\"y\",\"value\":1,\"event_time\":\"2026-01-01T00:00:00Z\","
                       "\"arrival_time\":\"2026-01-01T00:00:00Z\",\"EVENT_ID\":5}";
    cr_assert_eq(parse(line, &ev, NULL), 0);
    cr_assert_eq(ev.value, 100);
}

Test(lk_event, accepts_members_in_any_order)
{
    struct lk_event ev;
    const char *line = "{\"arrival_time\":\"2026-01-01T00:00:03.100Z\",\"value\":-0.25,"
                       "\"type\":\"purchase\",\"event_time\":\"2026-01-01T00:00:01.234Z\","
                       "\"key\":\"u01234\",\"tenant\":\"t03\",\"event_id\":\"c-000000042\"}";
    cr_assert_eq(parse(line, &ev, NULL), 0);
    expect_str(ev.str[LK_F_EVENT_ID], "c-000000042");
    expect_str(ev.str[LK_F_TENANT], "t03");
    expect_str(ev.str[LK_F_KEY], "u01234");
    expect_str(ev.str[LK_F_TYPE], "purchase");
    cr_assert_eq(ev.value, -25);
    cr_assert_eq(ev.event_time, T2026 + 1234);
    cr_assert_eq(ev.arrival_time, T2026 + 3100);
}

Test(lk_event, accepts_json_whitespace_everywhere)
{
    struct lk_event ev;
    const char *line = " \t{ \"event_id\" : \"e\" ,\n\"tenant\"\t:\"t\", \"key\":\"k\" , "
                       "\"type\" :\"y\",\"value\" : 1.5 ,\"event_time\": \"2026-01-01T00:00:00Z\""
                       " ,\"arrival_time\":\"2026-01-01T00:00:00Z\"\r\n }  \r";
    cr_assert_eq(parse(line, &ev, NULL), 0);
    cr_assert_eq(ev.value, 150);
    expect_str(ev.str[LK_F_TENANT], "t");
}

Test(lk_event, treats_a_trailing_carriage_return_as_whitespace)
{
    struct lk_event ev;
    char line[512];
    snprintf(line, sizeof(line), "%s\r", GOOD_LINE);
    cr_assert_eq(parse(line, &ev, NULL), 0);
    cr_assert_eq(ev.value, 1250);
}

Test(lk_event, reads_only_len_bytes_of_the_line)
{
    struct lk_event ev;
    char line[512];
    snprintf(line, sizeof(line), "%s\n{garbage", GOOD_LINE);
    cr_assert_eq(parse_len(line, strlen(GOOD_LINE), &ev, NULL), 0);
    cr_assert_eq(ev.value, 1250);
}

Test(lk_event, reuses_one_parser_for_short_and_long_lines)
{
    struct lk_event ev;
    char big[3000];
    char key[LK_EVENT_STR_MAX], note[2000];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    memset(note, 'n', sizeof(note) - 1);
    note[sizeof(note) - 1] = '\0';
    snprintf(big, sizeof(big),
             "{\"event_id\":\"e\\u00e9\",\"tenant\":\"t\",\"key\":\"%s\\n\",\"type\":\"y\","
             "\"value\":1,\"event_time\":\"2026-01-01T00:00:00Z\",\"note\":\"%s\\n\","
             "\"arrival_time\":\"2026-01-01T00:00:00Z\"}",
             key, note);
    cr_assert_eq(parse(GOOD_LINE, &ev, NULL), 0);
    cr_assert_eq(parse(big, &ev, NULL), 0);
    cr_assert_eq(ev.str[LK_F_KEY].len, sizeof(key));
    cr_assert_eq(ev.str[LK_F_KEY].ptr[sizeof(key) - 1], '\n');
    cr_assert_eq(parse(GOOD_LINE, &ev, NULL), 0);
    expect_str(ev.str[LK_F_KEY], "u01234");
}

Test(lk_event, works_without_a_reject_struct)
{
    struct lk_event ev;
    cr_assert_eq(parse("{", &ev, NULL), LK_EINPUT);
    cr_assert_eq(parse(line_with(LK_F_VALUE, "1e3"), &ev, NULL), LK_EINPUT);
}

/* ---------------------------------------------------- malformed lines ---- */

Test(lk_event, rejects_every_truncation_of_a_valid_line_as_bad_json)
{
    const char *line = GOOD_LINE;
    struct lk_event ev;
    struct lk_reject rej;
    for (size_t n = 0; n < strlen(line); n++) {
        cr_assert_eq(parse_len(line, n, &ev, &rej), LK_EINPUT, "prefix of %zu bytes", n);
        cr_assert_eq(rej.reason, LK_Q_JSON, "prefix of %zu bytes: %s", n,
                     lk_reason_text(rej.reason));
    }
}

Test(lk_event, names_the_field_a_truncation_cut_into)
{
    expect_reject("{", LK_Q_JSON, -1);
    expect_reject("{\"event_id\":", LK_Q_JSON, LK_F_EVENT_ID);
    expect_reject("{\"event_id\":\"c-0", LK_Q_JSON, LK_F_EVENT_ID);
    expect_reject("{\"event_id\":\"c\",\"value\":12.", LK_Q_JSON, LK_F_VALUE);
    expect_reject("{\"event_id\":\"c\",\"event_time\":\"2026-01", LK_Q_JSON, LK_F_EVENT_TIME);
    expect_reject_len(GOOD_LINE, strlen(GOOD_LINE) - 1, LK_Q_JSON, -1);
}

Test(lk_event, rejects_an_empty_line_as_bad_json)
{
    expect_reject("", LK_Q_JSON, -1);
    expect_reject("   \t", LK_Q_JSON, -1);
    expect_reject("\r", LK_Q_JSON, -1);
}

Test(lk_event, rejects_json_that_is_not_an_object)
{
    expect_reject("[]", LK_Q_NOT_OBJECT, -1);
    expect_reject(" [1, {\"a\":2}] ", LK_Q_NOT_OBJECT, -1);
    expect_reject("\"x\"", LK_Q_NOT_OBJECT, -1);
    expect_reject("1", LK_Q_NOT_OBJECT, -1);
    expect_reject("-0.5e3", LK_Q_NOT_OBJECT, -1);
    expect_reject("null", LK_Q_NOT_OBJECT, -1);
    expect_reject("true", LK_Q_NOT_OBJECT, -1);
}

Test(lk_event, rejects_text_that_is_not_json)
{
    expect_reject("x", LK_Q_JSON, -1);
    expect_reject("nul", LK_Q_JSON, -1);
    expect_reject("[1,", LK_Q_JSON, -1);
    expect_reject("{event_id:\"e\"}", LK_Q_JSON, -1);
    expect_reject("{'event_id':'e'}", LK_Q_JSON, -1);
    expect_reject("{\"event_id\" \"e\"}", LK_Q_JSON, -1);
    expect_reject("{,}", LK_Q_JSON, -1);
    expect_reject("{\"a\":1,}", LK_Q_JSON, -1);
    expect_reject("{\"a\":1 \"b\":2}", LK_Q_JSON, -1);
    expect_reject("{\"a\":[1 2]}", LK_Q_JSON, -1);
    expect_reject("{\"a\":{\"b\"}}", LK_Q_JSON, -1);
    expect_reject("{\"a\":tru}", LK_Q_JSON, -1);
    expect_reject("{\"a\":01}", LK_Q_JSON, -1);
    expect_reject("{\"a\":1.}", LK_Q_JSON, -1);
    expect_reject("{\"a\":1e}", LK_Q_JSON, -1);
    expect_reject("{\"a\":-}", LK_Q_JSON, -1);
}

Test(lk_event, rejects_a_missing_field_naming_it)
{
    for (int f = 0; f < LK_F_COUNT; f++)
        expect_reject(line_with(f, NULL), LK_Q_MISSING, f);
    expect_reject("{}", LK_Q_MISSING, LK_F_EVENT_ID);
    expect_reject(" { } ", LK_Q_MISSING, LK_F_EVENT_ID);
}

Test(lk_event, rejects_a_field_given_twice)
{
    expect_reject(line_plus("\"tenant\":\"t04\""), LK_Q_DUP_FIELD, LK_F_TENANT);
    expect_reject(line_plus("\"value\":12.50"), LK_Q_DUP_FIELD, LK_F_VALUE);
    expect_reject(line_plus("\"event_id\":\"c-000000042\""), LK_Q_DUP_FIELD, LK_F_EVENT_ID);
    expect_reject(line_plus("\"arrival_time\":\"2026-01-01T00:00:03.100Z\""), LK_Q_DUP_FIELD,
                  LK_F_ARRIVAL_TIME);
    /* the same name written with an escape is the same member */
    expect_reject(line_plus("\"k\\u0065y\":\"u2\""), LK_Q_DUP_FIELD, LK_F_KEY);
}

Test(lk_event, rejects_a_value_of_the_wrong_type)
{
    expect_reject(line_with(LK_F_VALUE, "\"12\""), LK_Q_TYPE, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "true"), LK_Q_TYPE, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "false"), LK_Q_TYPE, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "null"), LK_Q_TYPE, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "[12]"), LK_Q_TYPE, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "{\"v\":12}"), LK_Q_TYPE, LK_F_VALUE);
}

Test(lk_event, rejects_strings_and_times_of_the_wrong_type)
{
    expect_reject(line_with(LK_F_TENANT, "5"), LK_Q_TYPE, LK_F_TENANT);
    expect_reject(line_with(LK_F_EVENT_ID, "null"), LK_Q_TYPE, LK_F_EVENT_ID);
    expect_reject(line_with(LK_F_KEY, "[\"k\"]"), LK_Q_TYPE, LK_F_KEY);
    expect_reject(line_with(LK_F_TYPE, "{}"), LK_Q_TYPE, LK_F_TYPE);
    expect_reject(line_with(LK_F_EVENT_TIME, "123"), LK_Q_TYPE, LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_ARRIVAL_TIME, "1767225600000"), LK_Q_TYPE, LK_F_ARRIVAL_TIME);
    expect_reject(line_with(LK_F_ARRIVAL_TIME, "false"), LK_Q_TYPE, LK_F_ARRIVAL_TIME);
}

Test(lk_event, rejects_empty_strings)
{
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++)
        expect_reject(line_with(f, "\"\""), LK_Q_EMPTY, f);
}

Test(lk_event, rejects_a_nul_escape_in_a_field)
{
    expect_reject(line_with(LK_F_KEY, "\"a\\u0000b\""), LK_Q_NUL, LK_F_KEY);
    expect_reject(line_with(LK_F_EVENT_ID, "\"\\u0000\""), LK_Q_NUL, LK_F_EVENT_ID);
}

Test(lk_event, ignores_a_nul_escape_in_an_extra_member)
{
    struct lk_event ev;
    cr_assert_eq(parse(line_plus("\"note\":\"a\\u0000b\""), &ev, NULL), 0);
}

Test(lk_event, rejects_more_than_two_decimals)
{
    expect_reject(line_with(LK_F_VALUE, "12.345"), LK_Q_DECIMALS, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "12.500"), LK_Q_DECIMALS, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "0.001"), LK_Q_DECIMALS, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "-0.125"), LK_Q_DECIMALS, LK_F_VALUE);
}

Test(lk_event, rejects_exponents_in_the_value)
{
    expect_reject(line_with(LK_F_VALUE, "1e3"), LK_Q_NUMBER, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "1.5E2"), LK_Q_NUMBER, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "1E+2"), LK_Q_NUMBER, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "12.50e0"), LK_Q_NUMBER, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "-2e-1"), LK_Q_NUMBER, LK_F_VALUE);
}

Test(lk_event, rejects_numbers_that_are_not_json)
{
    /* leading zeros and a plus sign are not JSON at all */
    expect_reject(line_with(LK_F_VALUE, "012"), LK_Q_JSON, -1);
    expect_reject(line_with(LK_F_VALUE, "-012"), LK_Q_JSON, -1);
    expect_reject(line_with(LK_F_VALUE, "00"), LK_Q_JSON, -1);
    expect_reject(line_with(LK_F_VALUE, "+1"), LK_Q_JSON, -1);
    expect_reject(line_with(LK_F_VALUE, ".5"), LK_Q_JSON, -1);
    expect_reject(line_with(LK_F_VALUE, "NaN"), LK_Q_JSON, -1);
    expect_reject(line_with(LK_F_VALUE, "Infinity"), LK_Q_JSON, -1);
    expect_reject(line_with(LK_F_VALUE, "-"), LK_Q_JSON, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "1."), LK_Q_JSON, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "-.5"), LK_Q_JSON, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "1e"), LK_Q_JSON, LK_F_VALUE);
}

Test(lk_event, rejects_a_value_out_of_range)
{
    expect_reject(line_with(LK_F_VALUE, "1000000000000"), LK_Q_RANGE, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "-1000000000000.00"), LK_Q_RANGE, LK_F_VALUE);
    expect_reject(line_with(LK_F_VALUE, "123456789012345678901234567890"), LK_Q_RANGE, LK_F_VALUE);
}

Test(lk_event, rejects_bad_timestamps)
{
    expect_reject(line_with(LK_F_EVENT_TIME, "\"2026-02-30T00:00:00Z\""), LK_Q_TIMESTAMP,
                  LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_EVENT_TIME, "\"2026-01-01T25:00:00Z\""), LK_Q_TIMESTAMP,
                  LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_EVENT_TIME, "\"2026-01-01T00:00:00\""), LK_Q_TIMESTAMP,
                  LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_EVENT_TIME, "\"\""), LK_Q_TIMESTAMP, LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_EVENT_TIME, "\"2026-01-01T00:00:00.1234Z\""), LK_Q_TIMESTAMP,
                  LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_ARRIVAL_TIME, "\"2026-13-01T00:00:00Z\""), LK_Q_TIMESTAMP,
                  LK_F_ARRIVAL_TIME);
    expect_reject(line_with(LK_F_ARRIVAL_TIME, "\" 2026-01-01T00:00:00Z\""), LK_Q_TIMESTAMP,
                  LK_F_ARRIVAL_TIME);
    expect_reject(line_with(LK_F_ARRIVAL_TIME, "\"2026-01-01T00:00:00z\""), LK_Q_TIMESTAMP,
                  LK_F_ARRIVAL_TIME);
}

Test(lk_event, rejects_invalid_utf8_in_a_field)
{
    expect_reject(line_with(LK_F_KEY, "\"a\xff\""), LK_Q_UTF8, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\xc0\x80\""), LK_Q_UTF8, LK_F_KEY);     /* overlong NUL */
    expect_reject(line_with(LK_F_KEY, "\"\xc1\xbf\""), LK_Q_UTF8, LK_F_KEY);     /* overlong */
    expect_reject(line_with(LK_F_KEY, "\"\xe0\x80\x80\""), LK_Q_UTF8, LK_F_KEY); /* overlong */
    expect_reject(line_with(LK_F_KEY, "\"\xf0\x80\x80\x80\""), LK_Q_UTF8, LK_F_KEY); /* overlong */
    expect_reject(line_with(LK_F_KEY, "\"\xed\xa0\x80\""), LK_Q_UTF8, LK_F_KEY);     /* surrogate */
    expect_reject(line_with(LK_F_KEY, "\"\xed\xbf\xbf\""), LK_Q_UTF8, LK_F_KEY);     /* surrogate */
    expect_reject(line_with(LK_F_KEY, "\"\xe2\x82\""), LK_Q_UTF8, LK_F_KEY);         /* truncated */
    expect_reject(line_with(LK_F_KEY, "\"\xf0\x9f\x98\""), LK_Q_UTF8, LK_F_KEY);     /* truncated */
    expect_reject(line_with(LK_F_KEY, "\"\x80\""), LK_Q_UTF8, LK_F_KEY); /* lone continuation */
    expect_reject(line_with(LK_F_KEY, "\"\xf4\x90\x80\x80\""), LK_Q_UTF8, LK_F_KEY); /* > 10FFFF */
    expect_reject(line_with(LK_F_KEY, "\"\xf5\x80\x80\x80\""), LK_Q_UTF8, LK_F_KEY);
    expect_reject(line_with(LK_F_TENANT, "\"\xc3\x28\""), LK_Q_UTF8, LK_F_TENANT);
    expect_reject(line_with(LK_F_EVENT_TIME, "\"2026\xff\""), LK_Q_UTF8, LK_F_EVENT_TIME);
}

Test(lk_event, rejects_invalid_utf8_at_the_end_of_the_line)
{
    expect_reject("{\"key\":\"\xe2\x82", LK_Q_UTF8, LK_F_KEY);
    expect_reject("{\"key\":\"\xf0", LK_Q_UTF8, LK_F_KEY);
}

Test(lk_event, rejects_invalid_utf8_outside_the_fields)
{
    expect_reject(line_plus("\"note\":\"\xff\""), LK_Q_UTF8, -1);
    expect_reject(line_plus("\"n\xc0\x80te\":1"), LK_Q_UTF8, -1);
    expect_reject(line_plus("\"a\":[\"\xed\xa0\x80\"]"), LK_Q_UTF8, -1);
}

Test(lk_event, rejects_lone_surrogate_escapes)
{
    expect_reject(line_with(LK_F_KEY, "\"\\ud800\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\udc00\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\ud800x\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\ud800\\u0041\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\ud800\\ud800\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_plus("\"note\":\"\\udfff\""), LK_Q_JSON, -1);
}

Test(lk_event, rejects_bad_escapes)
{
    expect_reject(line_with(LK_F_KEY, "\"\\x41\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\U00e9\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\u00g9\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\u12\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"\\'\""), LK_Q_JSON, LK_F_KEY);
    expect_reject("{\"key\":\"ab\\", LK_Q_JSON, LK_F_KEY);
    expect_reject("{\"key\":\"ab\\u00", LK_Q_JSON, LK_F_KEY);
    expect_reject("{\"key\":\"\\ud83d\\ude", LK_Q_JSON, LK_F_KEY);
}

Test(lk_event, rejects_raw_control_characters_in_strings)
{
    expect_reject(line_with(LK_F_KEY, "\"a\x01"
                                      "b\""),
                  LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"a\tb\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_KEY, "\"a\nb\""), LK_Q_JSON, LK_F_KEY);
    expect_reject(line_with(LK_F_TYPE, "\"\x1f\""), LK_Q_JSON, LK_F_TYPE);
    expect_reject(line_plus("\"note\":\"\x02\""), LK_Q_JSON, -1);
}

Test(lk_event, accepts_delete_which_json_allows_raw)
{
    struct lk_event ev;
    cr_assert_eq(parse(line_with(LK_F_KEY, "\"a\x7f\""), &ev, NULL), 0);
    expect_str(ev.str[LK_F_KEY], "a\x7f");
}

Test(lk_event, rejects_a_nul_byte_in_the_line)
{
    static const char line[] = "{\"key\":\"a\0b\"}";
    expect_reject_len(line, sizeof(line) - 1, LK_Q_JSON, LK_F_KEY);
}

Test(lk_event, rejects_trailing_junk_after_the_object)
{
    char line[512];
    static const char *const junk[] = { "x", "}", "{}", ",", "\"\"", "0", " 1", "\n{" };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        snprintf(line, sizeof(line), "%s%s", GOOD_LINE, junk[i]);
        expect_reject(line, LK_Q_JSON, -1);
    }
    expect_reject("[] x", LK_Q_NOT_OBJECT, -1);
}

Test(lk_event, rejects_deep_nesting_in_an_extra_member_without_crashing)
{
    char extra[2100];
    size_t n = 0;
    struct lk_event ev;
    n += (size_t)snprintf(extra, sizeof(extra), "\"deep\":");
    for (int i = 0; i < 1000; i++)
        extra[n++] = '[';
    for (int i = 0; i < 1000; i++)
        extra[n++] = ']';
    extra[n] = '\0';
    expect_reject(line_plus(extra), LK_Q_JSON, -1);
    cr_assert_eq(parse(line_plus("\"deep\":[[[[[[[[[[{\"a\":[]}]]]]]]]]]]"), &ev, NULL), 0);
}

Test(lk_event, reports_the_first_error_before_a_missing_field)
{
    /* the line lacks arrival_time but its value is broken first */
    expect_reject("{\"value\":1e3}", LK_Q_NUMBER, LK_F_VALUE);
    expect_reject("{\"tenant\":\"t\"} x", LK_Q_JSON, -1);
}

/* ------------------------------------------------------------ reasons ---- */

Test(lk_reject, format_names_the_missing_field)
{
    struct lk_event ev;
    struct lk_reject rej;
    char buf[128];
    cr_assert_eq(parse(line_with(LK_F_TENANT, NULL), &ev, &rej), LK_EINPUT);
    lk_reject_format(&rej, buf, sizeof(buf));
    cr_assert_str_eq(buf, "missing field 'tenant'");
}

Test(lk_reject, format_names_a_duplicated_field)
{
    struct lk_event ev;
    struct lk_reject rej;
    char buf[128];
    cr_assert_eq(parse(line_plus("\"type\":\"x\""), &ev, &rej), LK_EINPUT);
    lk_reject_format(&rej, buf, sizeof(buf));
    cr_assert_str_eq(buf, "field given twice 'type'");
}

Test(lk_reject, format_names_the_field_and_byte_of_a_bad_timestamp)
{
    struct lk_event ev;
    struct lk_reject rej;
    char buf[128], want[128];
    const char *line = line_with(LK_F_EVENT_TIME, "\"2026-02-30T00:00:00Z\"");
    size_t at = (size_t)(strstr(line, "\"2026-02-30") - line);
    cr_assert_eq(parse(line, &ev, &rej), LK_EINPUT);
    cr_assert_eq(rej.offset, at);
    lk_reject_format(&rej, buf, sizeof(buf));
    snprintf(want, sizeof(want), "bad timestamp in 'event_time' (byte %zu)", at);
    cr_assert_str_eq(buf, want);
}

Test(lk_reject, format_names_the_value_field)
{
    struct lk_event ev;
    struct lk_reject rej;
    char buf[128];
    cr_assert_eq(parse(line_with(LK_F_VALUE, "12.345"), &ev, &rej), LK_EINPUT);
    lk_reject_format(&rej, buf, sizeof(buf));
    cr_assert(strstr(buf, "more than 2 decimal places in 'value'") == buf, "%s", buf);
    cr_assert_eq(parse(line_with(LK_F_VALUE, "\"12\""), &ev, &rej), LK_EINPUT);
    lk_reject_format(&rej, buf, sizeof(buf));
    cr_assert(strstr(buf, "wrong type in 'value'") == buf, "%s", buf);
}

Test(lk_reject, format_without_a_field_gives_the_byte)
{
    struct lk_reject rej = { LK_Q_JSON, -1, 0 };
    char buf[128];
    struct lk_event ev;
    cr_assert_eq(parse("", &ev, &rej), LK_EINPUT);
    lk_reject_format(&rej, buf, sizeof(buf));
    cr_assert_str_eq(buf, "not valid json (byte 0)");
    cr_assert_eq(parse(GOOD_LINE "x", &ev, &rej), LK_EINPUT);
    lk_reject_format(&rej, buf, sizeof(buf));
    snprintf(linebuf, sizeof(linebuf), "not valid json (byte %zu)", strlen(GOOD_LINE));
    cr_assert_str_eq(buf, linebuf);
}

Test(lk_reject, format_truncates_like_snprintf)
{
    struct lk_reject rej = { LK_Q_MISSING, LK_F_ARRIVAL_TIME, 0 };
    char buf[8];
    int n = lk_reject_format(&rej, buf, sizeof(buf));
    cr_assert_eq(n, (int)strlen("missing field 'arrival_time'"));
    cr_assert_str_eq(buf, "missing");
}

Test(lk_reject, reasons_have_texts_and_stable_ids)
{
    cr_assert_str_eq(lk_reason_text(LK_Q_MISSING), "missing field");
    cr_assert_str_eq(lk_reason_id(LK_Q_MISSING), "missing-field");
    cr_assert_str_eq(lk_reason_id(LK_Q_UTF8), "utf8");
    cr_assert_str_eq(lk_reason_id(LK_Q_TIMESTAMP), "timestamp");
    cr_assert_str_eq(lk_reason_text(LK_Q_COUNT), "unknown reason");
    cr_assert_str_eq(lk_reason_id(LK_Q_COUNT), "unknown");
    for (int r = 0; r < LK_Q_COUNT; r++)
        for (int q = r + 1; q < LK_Q_COUNT; q++)
            cr_assert_str_neq(lk_reason_id((enum lk_reason)r), lk_reason_id((enum lk_reason)q));
}

Test(lk_field, names_and_lookups_agree)
{
    static const char *const names[LK_F_COUNT] = { "event_id", "tenant",     "key",         "type",
                                                   "value",    "event_time", "arrival_time" };
    for (int f = 0; f < LK_F_COUNT; f++) {
        cr_assert_str_eq(lk_field_name(f), names[f]);
        cr_assert_eq(lk_field_lookup(names[f]), f);
        cr_assert_eq(lk_field_is_string(f), f <= LK_F_TYPE);
    }
    cr_assert_null(lk_field_name(-1));
    cr_assert_null(lk_field_name(LK_F_COUNT));
    cr_assert_eq(lk_field_lookup("Tenant"), -1);
    cr_assert_eq(lk_field_lookup(""), -1);
}

/* ------------------------------------------------------------- writer ---- */

Test(lk_money, formats_hundredths_with_two_places)
{
    char buf[32];
    static const struct {
        int64_t v;
        const char *want;
    } cases[] = {
        { 1250, "12.50" },
        { -25, "-0.25" },
        { 0, "0.00" },
        { 5, "0.05" },
        { -100, "-1.00" },
        { 1200, "12.00" },
        { INT64_C(99999999999999), "999999999999.99" },
        { INT64_MIN, "-92233720368547758.08" },
        { INT64_MAX, "92233720368547758.07" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = lk_money_format(cases[i].v, buf, sizeof(buf));
        cr_assert_str_eq(buf, cases[i].want);
        cr_assert_eq(n, (int)strlen(cases[i].want));
    }
}

Test(lk_event, formats_the_canonical_line)
{
    struct lk_event ev;
    char buf[512];
    size_t n;
    cr_assert_eq(parse(GOOD_LINE, &ev, NULL), 0);
    n = lk_event_format(&ev, buf);
    cr_assert_eq(n, strlen(GOOD_LINE) + 1);
    cr_assert(memcmp(buf, GOOD_LINE "\n", n) == 0, "%.*s", (int)n, buf);
}

Test(lk_event, formats_members_in_canonical_order_with_two_decimals)
{
    struct lk_event ev;
    char buf[512];
    size_t n;
    const char *line = "{\"arrival_time\":\"1970-01-01T00:00:00.5Z\",\"value\":-3,\"x\":1,"
                       "\"type\":\"y\",\"event_time\":\"1969-12-31T23:59:59.999Z\","
                       "\"key\":\"k\",\"tenant\":\"t\",\"event_id\":\"e\"}";
    const char *want = "{\"event_id\":\"e\",\"tenant\":\"t\",\"key\":\"k\",\"type\":\"y\","
                       "\"value\":-3.00,\"event_time\":\"1969-12-31T23:59:59.999Z\","
                       "\"arrival_time\":\"1970-01-01T00:00:00.500Z\"}\n";
    cr_assert_eq(parse(line, &ev, NULL), 0);
    n = lk_event_format(&ev, buf);
    cr_assert_eq(n, strlen(want));
    cr_assert(memcmp(buf, want, n) == 0, "%.*s", (int)n, buf);
}

Test(lk_event, formats_escapes_for_quotes_backslashes_and_control_characters)
{
    struct lk_event ev = { 0 };
    char buf[512];
    size_t n;
    const char *want = "{\"event_id\":\"a\\\"b\\\\c\",\"tenant\":\"\\u0001\\u000a\\u001f\","
                       "\"key\":\"\xc3\xa9/\",\"type\":\"x\x7f\",\"value\":0.01,"
                       "\"event_time\":\"1970-01-01T00:00:00.000Z\","
                       "\"arrival_time\":\"1970-01-01T00:00:00.001Z\"}\n";
    ev.str[LK_F_EVENT_ID] = (struct lk_str){ "a\"b\\c", 5 };
    ev.str[LK_F_TENANT] = (struct lk_str){ "\x01\n\x1f", 3 };
    ev.str[LK_F_KEY] = (struct lk_str){ "\xc3\xa9/", 3 };
    ev.str[LK_F_TYPE] = (struct lk_str){ "x\x7f", 2 };
    ev.value = 1;
    ev.event_time = 0;
    ev.arrival_time = 1;
    n = lk_event_format(&ev, buf);
    cr_assert_eq(n, strlen(want));
    cr_assert(memcmp(buf, want, n) == 0, "%.*s", (int)n, buf);
}

Test(lk_event, line_max_is_enough_for_the_worst_case)
{
    struct lk_event ev;
    char ctl[64];
    char *buf;
    size_t n;
    memset(ctl, 0x01, sizeof(ctl));
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++)
        ev.str[f] = (struct lk_str){ ctl, sizeof(ctl) };
    ev.value = INT64_MIN;
    ev.event_time = LK_TIME_MIN;
    ev.arrival_time = LK_TIME_MAX;
    buf = malloc(LK_EVENT_LINE_MAX(&ev)); /* exactly; ASan sees any overrun */
    n = lk_event_format(&ev, buf);
    cr_assert_leq(n, LK_EVENT_LINE_MAX(&ev));
    cr_assert_eq(buf[n - 1], '\n');
    free(buf);
    ev.str[0] = ev.str[1] = ev.str[2] = ev.str[3] = (struct lk_str){ "x", 1 };
    buf = malloc(LK_EVENT_LINE_MAX(&ev));
    n = lk_event_format(&ev, buf);
    cr_assert_leq(n, LK_EVENT_LINE_MAX(&ev));
    free(buf);
}

/* --------------------------------------------- format/parse property ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static int64_t rng_between(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* A random non-empty valid UTF-8 string without NUL, mixing plain text and hard cases. */
static size_t random_text(char *out)
{
    static const char *const pieces[] = {
        "a",
        "Z",
        "0",
        "-",
        "_",
        " ",
        "\"",
        "\\",
        "/",
        "\n",
        "\t",
        "\x01",
        "\x1f",
        "\x7f",
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x98\x80",
        "\xf4\x8f\xbf\xbf",
        "u",
        "\\u",
    };
    size_t n = 0, parts = (size_t)rng_between(1, 12);
    for (size_t i = 0; i < parts; i++) {
        const char *p = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
        memcpy(out + n, p, strlen(p));
        n += strlen(p);
    }
    return n;
}

Test(lk_event, parses_back_what_it_formats_for_random_events)
{
    char text[4][64];
    char buf[2048];
    rng_state = 0x9e3779b97f4a7c15ULL;
    for (int iter = 0; iter < 500; iter++) {
        struct lk_event ev, back;
        struct lk_reject rej;
        size_t n;
        for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
            ev.str[f].len = random_text(text[f]);
            ev.str[f].ptr = text[f];
        }
        switch (iter % 4) {
        case 0:
            ev.value = rng_between(-99999999999999, 99999999999999);
            break;
        case 1:
            ev.value = rng_between(-1000, 1000);
            break;
        case 2:
            ev.value = iter & 1 ? INT64_C(99999999999999) : INT64_C(-99999999999999);
            break;
        default:
            ev.value = 0;
            break;
        }
        ev.event_time = rng_between(LK_EVENT_TIME_MIN, LK_EVENT_TIME_MAX);
        ev.arrival_time = iter % 7 == 0 ? LK_EVENT_TIME_MAX : rng_between(-86400000, 86400000);
        cr_assert_leq(LK_EVENT_LINE_MAX(&ev), sizeof(buf));
        n = lk_event_format(&ev, buf);
        cr_assert_eq(buf[n - 1], '\n');
        cr_assert_eq(parse_len(buf, n - 1, &back, &rej), 0, "iteration %d: %s at %zu in %.*s", iter,
                     lk_reason_text(rej.reason), rej.offset, (int)n, buf);
        for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
            cr_assert_eq(back.str[f].len, ev.str[f].len, "iteration %d field %d", iter, f);
            cr_assert(memcmp(back.str[f].ptr, ev.str[f].ptr, ev.str[f].len) == 0,
                      "iteration %d field %d", iter, f);
        }
        cr_assert_eq(back.value, ev.value, "iteration %d", iter);
        cr_assert_eq(back.event_time, ev.event_time, "iteration %d", iter);
        cr_assert_eq(back.arrival_time, ev.arrival_time, "iteration %d", iter);
    }
}

/* ------------------------------------------------------- hostile lines ---- */

Test(lk_event, quarantines_times_whose_windows_could_not_be_written)
{
    struct lk_event ev;
    /* the last instant with a text form: its window end would be year 10000 */
    expect_reject(line_with(LK_F_EVENT_TIME, "\"9999-12-31T23:59:59.999Z\""), LK_Q_TIME_RANGE,
                  LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_ARRIVAL_TIME, "\"9999-12-31T23:59:59.999Z\""), LK_Q_TIME_RANGE,
                  LK_F_ARRIVAL_TIME);
    expect_reject(line_with(LK_F_EVENT_TIME, "\"0000-01-01T00:00:00Z\""), LK_Q_TIME_RANGE,
                  LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_EVENT_TIME, "\"9000-01-01T00:00:00Z\""), LK_Q_TIME_RANGE,
                  LK_F_EVENT_TIME);
    expect_reject(line_with(LK_F_ARRIVAL_TIME, "\"0999-12-31T23:59:59.999Z\""), LK_Q_TIME_RANGE,
                  LK_F_ARRIVAL_TIME);
    /* the bounds themselves are accepted */
    cr_assert_eq(parse(line_with(LK_F_EVENT_TIME, "\"1000-01-01T00:00:00Z\""), &ev, NULL), 0);
    cr_assert_eq(ev.event_time, LK_EVENT_TIME_MIN);
    cr_assert_eq(parse(line_with(LK_F_ARRIVAL_TIME, "\"8999-12-31T23:59:59.999Z\""), &ev, NULL), 0);
    cr_assert_eq(ev.arrival_time, LK_EVENT_TIME_MAX);
    cr_assert_str_eq(lk_reason_id(LK_Q_TIME_RANGE), "time-range");
}

Test(lk_event, accepted_times_leave_room_for_a_century_on_both_sides)
{
    char buf[LK_TIME_ISO_LEN + 1];
    cr_assert_eq(lk_time_format(LK_EVENT_TIME_MIN, buf), LK_TIME_ISO_LEN);
    cr_assert_str_eq(buf, "1000-01-01T00:00:00.000Z");
    cr_assert_eq(lk_time_format(LK_EVENT_TIME_MAX, buf), LK_TIME_ISO_LEN);
    cr_assert_str_eq(buf, "8999-12-31T23:59:59.999Z");
    /* ten of the longest durations either way still have a text form */
    cr_assert_geq(lk_time_format(LK_EVENT_TIME_MAX + 10 * LK_DURATION_MAX, buf), 0);
    cr_assert_geq(lk_time_format(LK_EVENT_TIME_MIN - 10 * LK_DURATION_MAX, buf), 0);
}

Test(lk_event, quarantines_string_fields_longer_than_63_bytes)
{
    static char big[100300];
    struct lk_event ev;
    char json[160];
    size_t n;
    /* 63 bytes: fine; 64: too long, for every string field */
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
        memset(json, 'x', sizeof(json));
        json[0] = json[LK_EVENT_STR_MAX + 1] = '"';
        json[LK_EVENT_STR_MAX + 2] = '\0';
        cr_assert_eq(parse(line_with(f, json), &ev, NULL), 0, "field %d", f);
        cr_assert_eq(ev.str[f].len, LK_EVENT_STR_MAX);
        json[LK_EVENT_STR_MAX + 1] = 'x';
        json[LK_EVENT_STR_MAX + 2] = '"';
        json[LK_EVENT_STR_MAX + 3] = '\0';
        expect_reject(line_with(f, json), LK_Q_TOO_LONG, f);
    }
    /* counted once unescaped: 21 escapes of 3 bytes each are 63 bytes */
    n = (size_t)snprintf(json, sizeof(json), "\"");
    for (int i = 0; i < 21; i++)
        n += (size_t)snprintf(json + n, sizeof(json) - n, "\\u20ac");
    snprintf(json + n, sizeof(json) - n, "\"");
    cr_assert_eq(parse(line_with(LK_F_TENANT, json), &ev, NULL), 0);
    cr_assert_eq(ev.str[LK_F_TENANT].len, 63);
    /* the 100,000-character tenant of the attack */
    n = (size_t)snprintf(big, sizeof(big), "{\"event_id\":\"e\",\"tenant\":\"");
    memset(big + n, 'T', 100000);
    n += 100000;
    snprintf(big + n, sizeof(big) - n,
             "\",\"key\":\"k\",\"type\":\"y\",\"value\":1,"
             "\"event_time\":\"2026-01-01T00:00:00Z\",\"arrival_time\":\"2026-01-01T00:00:00Z\"}");
    expect_reject(big, LK_Q_TOO_LONG, LK_F_TENANT);
    cr_assert_str_eq(lk_reason_id(LK_Q_TOO_LONG), "too-long");
}
