/*
 * Tests for lk_spec: the pipeline spec parser (docs/formats.md), its field-naming errors, window
 * assignment and filters.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lk_err.h"
#include "lk_event.h"
#include "lk_file.h"
#include "lk_spec.h"
#include "lk_time.h"
#include "banned.h"

#define ORIGIN "spec 'test.json'"

#define REVENUE                                                                                    \
    "{ \"name\": \"revenue\",\n"                                                                   \
    "  \"dedup\": \"event_id\",\n"                                                                 \
    "  \"group_by\": [\"tenant\", \"type\"],\n"                                                    \
    "  \"window\": { \"kind\": \"tumbling\", \"size\": \"1m\" },\n"                                \
    "  \"aggregates\": [ {\"fn\":\"count\", \"as\":\"events\"},\n"                                 \
    "                  {\"fn\":\"sum\", \"of\":\"value\", \"as\":\"value_sum\"},\n"                \
    "                  {\"fn\":\"min\", \"of\":\"value\", \"as\":\"value_min\"},\n"                \
    "                  {\"fn\":\"max\", \"of\":\"value\", \"as\":\"value_max\"},\n"                \
    "                  {\"fn\":\"count_distinct\", \"of\":\"key\", \"as\":\"distinct_keys\"} ] "   \
    "}\n"

/* A minimal valid spec with the given window object and aggregates list. */
#define SPEC(window, aggs) "{\"name\":\"p\",\"window\":" window ",\"aggregates\":" aggs "}"
#define TUMBLE "{\"kind\":\"tumbling\",\"size\":\"1m\"}"
#define COUNT "[{\"fn\":\"count\",\"as\":\"n\"}]"

static struct lk_spec spec;

static int parse(const char *json, struct lk_err *err)
{
    return lk_spec_parse(&spec, json, strlen(json), ORIGIN, err);
}

static void expect_ok(const char *json)
{
    struct lk_err err = LK_ERR_INIT;
    int rc = parse(json, &err);
    cr_assert_eq(rc, 0, "rejected (%d): %s\n%s", rc, err.msg, json);
}

/*
 * The spec is rejected with LK_ESPEC and a message that starts with "<where>: " and
 * names the origin.
 */
static void expect_error(const char *json, const char *where)
{
    struct lk_err err = LK_ERR_INIT;
    char prefix[128];
    int rc = parse(json, &err);
    cr_assert_eq(rc, LK_ESPEC, "rc %d for:\n%s", rc, json);
    cr_assert_eq(err.code, LK_ESPEC);
    snprintf(prefix, sizeof(prefix), "%s: ", where);
    cr_assert(strncmp(err.msg, prefix, strlen(prefix)) == 0, "message '%s' should start with '%s'",
              err.msg, prefix);
    cr_assert(strstr(err.msg, "(" ORIGIN ")") != NULL, "message '%s' lacks the origin", err.msg);
    cr_assert(strchr(err.msg, '\n') == NULL, "message '%s' is not one line", err.msg);
}

/* Like expect_error, and the message also contains `text`. */
static void expect_error_with(const char *json, const char *where, const char *text)
{
    struct lk_err err = LK_ERR_INIT;
    expect_error(json, where);
    parse(json, &err);
    cr_assert(strstr(err.msg, text) != NULL, "message '%s' should contain '%s'", err.msg, text);
}

/* ------------------------------------------------------------ good specs ---- */

Test(lk_spec, parses_the_revenue_spec_from_the_design)
{
    expect_ok(REVENUE);
    cr_assert_str_eq(spec.name, "revenue");
    cr_assert_eq(spec.dedup, 1);
    cr_assert_eq(spec.ngroup, 2);
    cr_assert_eq(spec.group[0], LK_F_TENANT);
    cr_assert_eq(spec.group[1], LK_F_TYPE);
    cr_assert_eq(spec.window.kind, LK_WIN_TUMBLING);
    cr_assert_eq(spec.window.size, 60000);
    cr_assert_eq(spec.window.slide, 60000);
    cr_assert_eq(spec.nfilters, 0);
    cr_assert_eq(spec.naggs, 5);
    cr_assert_eq(spec.aggs[0].fn, LK_AGG_COUNT);
    cr_assert_eq(spec.aggs[0].of, -1);
    cr_assert_str_eq(spec.aggs[0].as, "events");
    cr_assert_eq(spec.aggs[1].fn, LK_AGG_SUM);
    cr_assert_eq(spec.aggs[1].of, LK_F_VALUE);
    cr_assert_str_eq(spec.aggs[1].as, "value_sum");
    cr_assert_eq(spec.aggs[2].fn, LK_AGG_MIN);
    cr_assert_eq(spec.aggs[2].of, LK_F_VALUE);
    cr_assert_str_eq(spec.aggs[2].as, "value_min");
    cr_assert_eq(spec.aggs[3].fn, LK_AGG_MAX);
    cr_assert_eq(spec.aggs[3].of, LK_F_VALUE);
    cr_assert_str_eq(spec.aggs[3].as, "value_max");
    cr_assert_eq(spec.aggs[4].fn, LK_AGG_COUNT_DISTINCT);
    cr_assert_eq(spec.aggs[4].of, LK_F_KEY);
    cr_assert_str_eq(spec.aggs[4].as, "distinct_keys");
    cr_assert_eq(lk_spec_ndistinct(&spec), 1);
    cr_assert_eq(lk_spec_max_windows(&spec), 1);
}

Test(lk_spec, parses_a_minimal_spec_without_dedup_group_or_filter)
{
    expect_ok(SPEC(TUMBLE, COUNT));
    cr_assert_str_eq(spec.name, "p");
    cr_assert_eq(spec.dedup, 0);
    cr_assert_eq(spec.ngroup, 0);
    cr_assert_eq(spec.nfilters, 0);
    cr_assert_eq(spec.naggs, 1);
    cr_assert_eq(lk_spec_ndistinct(&spec), 0);
}

Test(lk_spec, accepts_a_description)
{
    expect_ok("{\"name\":\"p\",\"description\":\"Anything, even UTF-8: \xc3\xa9\","
              "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}");
}

Test(lk_spec, parses_a_sliding_window)
{
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"10m\",\"slide\":\"5m\"}", COUNT));
    cr_assert_eq(spec.window.kind, LK_WIN_SLIDING);
    cr_assert_eq(spec.window.size, 600000);
    cr_assert_eq(spec.window.slide, 300000);
    cr_assert_eq(lk_spec_max_windows(&spec), 2);
}

Test(lk_spec, accepts_a_slide_equal_to_the_size)
{
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"1h\",\"slide\":\"1h\"}", COUNT));
    cr_assert_eq(lk_spec_max_windows(&spec), 1);
}

Test(lk_spec, parses_a_session_window)
{
    expect_ok(SPEC("{\"kind\":\"session\",\"gap\":\"30m\"}", COUNT));
    cr_assert_eq(spec.window.kind, LK_WIN_SESSION);
    cr_assert_eq(spec.window.gap, 1800000);
    cr_assert_eq(lk_spec_max_windows(&spec), 1);
}

Test(lk_spec, parses_a_single_filter_object)
{
    expect_ok("{\"name\":\"p\",\"filter\":{\"field\":\"type\",\"equals\":\"purchase\"},"
              "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}");
    cr_assert_eq(spec.nfilters, 1);
    cr_assert_eq(spec.filters[0].field, LK_F_TYPE);
    cr_assert_eq(spec.filters[0].nvalues, 1);
    cr_assert_str_eq(spec.filters[0].values[0], "purchase");
}

Test(lk_spec, parses_a_list_of_filters)
{
    expect_ok("{\"name\":\"p\",\"filter\":[{\"field\":\"type\",\"in\":[\"purchase\",\"refund\"]},"
              "{\"field\":\"tenant\",\"equals\":\"t03\"}],"
              "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}");
    cr_assert_eq(spec.nfilters, 2);
    cr_assert_eq(spec.filters[0].field, LK_F_TYPE);
    cr_assert_eq(spec.filters[0].nvalues, 2);
    cr_assert_str_eq(spec.filters[0].values[0], "purchase");
    cr_assert_str_eq(spec.filters[0].values[1], "refund");
    cr_assert_eq(spec.filters[1].field, LK_F_TENANT);
    cr_assert_eq(spec.filters[1].nvalues, 1);
    cr_assert_str_eq(spec.filters[1].values[0], "t03");
}

Test(lk_spec, accepts_count_distinct_of_every_string_field)
{
    expect_ok(SPEC(TUMBLE, "[{\"fn\":\"count_distinct\",\"of\":\"event_id\",\"as\":\"a\"},"
                           "{\"fn\":\"count_distinct\",\"of\":\"tenant\",\"as\":\"b\"},"
                           "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"c\"},"
                           "{\"fn\":\"count_distinct\",\"of\":\"type\",\"as\":\"d\"}]"));
    cr_assert_eq(spec.aggs[0].of, LK_F_EVENT_ID);
    cr_assert_eq(spec.aggs[3].of, LK_F_TYPE);
    cr_assert_eq(lk_spec_ndistinct(&spec), 4);
}

Test(lk_spec, accepts_names_of_63_characters)
{
    expect_ok(SPEC(TUMBLE,
                   "[{\"fn\":\"count\",\"as\":"
                   "\"_23456789012345678901234567890123456789012345678901234567890123\"}]"));
    cr_assert_eq(strlen(spec.aggs[0].as), 63);
}

Test(lk_spec, clears_the_struct_before_parsing)
{
    expect_ok(REVENUE);
    expect_ok(SPEC(TUMBLE, COUNT));
    cr_assert_eq(spec.ngroup, 0);
    cr_assert_eq(spec.dedup, 0);
    cr_assert_eq(spec.naggs, 1);
}

/* ------------------------------------------------------------ errors ---- */

Test(lk_spec, rejects_text_that_is_not_json)
{
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(parse("{\"name\":", &err), LK_ESPEC);
    cr_assert_str_eq(err.msg, "not valid json (" ORIGIN ")");
    cr_assert_eq(parse("", &err), LK_ESPEC);
    cr_assert_eq(parse("name: revenue", &err), LK_ESPEC);
    cr_assert_str_eq(err.msg, "not valid json (" ORIGIN ")");
}

Test(lk_spec, rejects_a_root_that_is_not_an_object)
{
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(parse("[1,2]", &err), LK_ESPEC);
    cr_assert_str_eq(err.msg, "spec must be a json object (" ORIGIN ")");
    cr_assert_eq(parse("\"revenue\"", &err), LK_ESPEC);
    cr_assert_eq(parse("null", &err), LK_ESPEC);
}

Test(lk_spec, rejects_an_unknown_top_level_member)
{
    expect_error("{\"name\":\"p\",\"windw\":" TUMBLE ",\"window\":" TUMBLE ",\"aggregates\":" COUNT
                 "}",
                 "windw");
    expect_error_with("{\"name\":\"p\",\"Window\":1}", "Window", "unknown field");
}

Test(lk_spec, keeps_the_message_on_one_line_when_a_member_name_has_newlines)
{
    /* found by tests/fuzz/fuzz_spec (out/fuzz/spec-crash-b17be0ba...) */
    struct lk_err err = LK_ERR_INIT;
    static const char crash[] =
        "{\"name\":\"f\",\"filter\":[{\"field\":\"type\",\"in\":[\"purchasqroup_bynd\"]},"
        "{\"field\":\"tenant\",\"equals\":\"t03\"}],\"win\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
        "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\ndow\":{\"kind\":\"tumbling\",\"size\":\"250ms\"},"
        "\"aggregates\":[{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"s\"}]}";
    cr_assert_eq(lk_spec_parse(&spec, crash, sizeof(crash) - 1, ORIGIN, &err), LK_ESPEC);
    cr_assert(strchr(err.msg, '\n') == NULL, "%s", err.msg);
    cr_assert(strncmp(err.msg, "win?", 4) == 0, "%s", err.msg);
    expect_error("{\"name\":\"p\",\"a\\tb\\u0001\\r\":1}", "a?b??");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"1\\nm\"}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"sliding\\u007f\"}", COUNT), "window.kind");
}

Test(lk_spec, cuts_a_long_quoted_value_but_keeps_the_origin)
{
    /* found by tests/fuzz/fuzz_spec: a 600-byte filter field pushed the origin out */
    char json[1024], field[601];
    struct lk_err err = LK_ERR_INIT;
    memset(field, 'x', 600);
    field[600] = '\0';
    snprintf(json, sizeof(json),
             "{\"name\":\"p\",\"filter\":{\"field\":\"%s\",\"equals\":\"a\"},"
             "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
             field);
    expect_error(json, "filter[0].field");
    parse(json, &err);
    cr_assert(strstr(err.msg, "xxx...") != NULL, "%s", err.msg);
    cr_assert_lt(strlen(err.msg), LK_ERR_MSG_MAX);
}

Test(lk_spec, rejects_a_missing_or_bad_name)
{
    expect_error("{\"window\":" TUMBLE ",\"aggregates\":" COUNT "}", "name");
    expect_error("{\"name\":5,\"window\":" TUMBLE ",\"aggregates\":" COUNT "}", "name");
    expect_error("{\"name\":\"Revenue\",\"window\":" TUMBLE ",\"aggregates\":" COUNT "}", "name");
    expect_error("{\"name\":\"\",\"window\":" TUMBLE ",\"aggregates\":" COUNT "}", "name");
}

Test(lk_spec, rejects_dedup_by_anything_but_event_id)
{
    expect_error("{\"name\":\"p\",\"dedup\":\"key\",\"window\":" TUMBLE ",\"aggregates\":" COUNT
                 "}",
                 "dedup");
    expect_error("{\"name\":\"p\",\"dedup\":true,\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "dedup");
}

Test(lk_spec, rejects_a_missing_window)
{
    expect_error_with("{\"name\":\"p\",\"aggregates\":" COUNT "}", "window", "missing");
    expect_error("{\"name\":\"p\",\"window\":\"1m\",\"aggregates\":" COUNT "}", "window");
}

Test(lk_spec, rejects_an_unknown_window_member)
{
    expect_error_with(SPEC("{\"kind\":\"tumbling\",\"size\":\"1m\",\"slide\":\"1m\"}", COUNT),
                      "window.slide", "unknown field");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"1m\",\"gap\":\"1m\"}", COUNT),
                 "window.gap");
    expect_error(SPEC("{\"kind\":\"session\",\"gap\":\"1m\",\"size\":\"1m\"}", COUNT),
                 "window.size");
    expect_error(
        SPEC("{\"kind\":\"sliding\",\"size\":\"2m\",\"slide\":\"1m\",\"gap\":\"1m\"}", COUNT),
        "window.gap");
}

Test(lk_spec, rejects_a_bad_window_kind)
{
    expect_error_with(SPEC("{\"kind\":\"hopping\",\"size\":\"1m\"}", COUNT), "window.kind",
                      "'hopping'");
    expect_error(SPEC("{\"kind\":\"Tumbling\",\"size\":\"1m\"}", COUNT), "window.kind");
    expect_error(SPEC("{\"size\":\"1m\"}", COUNT), "window.kind");
    expect_error(SPEC("{\"kind\":1,\"size\":\"1m\"}", COUNT), "window.kind");
}

Test(lk_spec, rejects_a_bad_duration)
{
    expect_error_with(SPEC("{\"kind\":\"tumbling\",\"size\":\"1x\"}", COUNT), "window.size",
                      "'1x'");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"0s\"}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"-1m\"}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"1h30m\"}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":60000}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"tumbling\"}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"sliding\",\"size\":\"10m\",\"slide\":\"5x\"}", COUNT),
                 "window.slide");
    expect_error(SPEC("{\"kind\":\"sliding\",\"size\":\"10m\"}", COUNT), "window.slide");
    expect_error(SPEC("{\"kind\":\"session\",\"gap\":\"0ms\"}", COUNT), "window.gap");
    expect_error(SPEC("{\"kind\":\"session\"}", COUNT), "window.gap");
}

Test(lk_spec, rejects_durations_too_long_to_place_a_window)
{
    /* 106751991167d fits in int64 but no window of that size fits the time line */
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"106751991167d\"}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"session\",\"gap\":\"9223372036854775807ms\"}", COUNT),
                 "window.gap");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"99999999999999999999s\"}", COUNT),
                 "window.size");
    /* a century (LK_DURATION_MAX) is the longest: the window end of the last accepted
     * event time can then be written; what used to be the maximum is refused */
    expect_error_with(SPEC("{\"kind\":\"tumbling\",\"size\":\"3652424d\"}", COUNT), "window.size",
                      "at most 36500d");
    expect_error(SPEC("{\"kind\":\"tumbling\",\"size\":\"36501d\"}", COUNT), "window.size");
    expect_error(SPEC("{\"kind\":\"sliding\",\"size\":\"36500d\",\"slide\":\"36501d\"}", COUNT),
                 "window.slide");
    expect_error(SPEC("{\"kind\":\"session\",\"gap\":\"36501d\"}", COUNT), "window.gap");
    expect_ok(SPEC("{\"kind\":\"tumbling\",\"size\":\"36500d\"}", COUNT));
    expect_ok(SPEC("{\"kind\":\"session\",\"gap\":\"36500d\"}", COUNT));
}

Test(lk_spec, refuses_a_member_given_twice_naming_it)
{
    /* cJSON reads the first copy: "size" 1m would win silently */
    expect_error_with(SPEC("{\"kind\":\"tumbling\",\"size\":\"1m\",\"size\":\"5m\"}", COUNT),
                      "window.size", "given twice");
    expect_error_with("{\"name\":\"p\",\"name\":\"q\",\"window\":" TUMBLE ",\"aggregates\":" COUNT
                      "}",
                      "name", "given twice");
    expect_error_with(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"n\",\"as\":\"m\"}]"),
                      "aggregates[0].as", "given twice");
    expect_error_with("{\"name\":\"p\",\"window\":" TUMBLE ",\"aggregates\":" COUNT
                      ",\"window\":" TUMBLE "}",
                      "window", "given twice");
}

Test(lk_spec, refuses_a_nul_escape_in_any_string)
{
    struct lk_err err = LK_ERR_INIT;
    /* cJSON would cut "p\u0000x" to "p" */
    const char *in_name = "{\"name\":\"p\\u0000x\",\"window\":" TUMBLE ",\"aggregates\":" COUNT "}";
    const char *in_key = SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\\u0000x\":\"n\"}]");
    cr_assert_eq(parse(in_name, &err), LK_ESPEC);
    cr_assert(strstr(err.msg, "\\u0000 at byte 10") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "(" ORIGIN ")") != NULL, "%s", err.msg);
    cr_assert_eq(parse(in_key, &err), LK_ESPEC);
    cr_assert(strstr(err.msg, "\\u0000") != NULL, "%s", err.msg);
    /* an escaped backslash followed by "u0000" is no NUL */
    expect_ok("{\"name\":\"p\",\"description\":\"a\\\\u0000\",\"window\":" TUMBLE
              ",\"aggregates\":" COUNT "}");
}

Test(lk_spec, rejects_a_slide_larger_than_the_size)
{
    expect_error(SPEC("{\"kind\":\"sliding\",\"size\":\"5m\",\"slide\":\"10m\"}", COUNT),
                 "window.slide");
    expect_error(SPEC("{\"kind\":\"sliding\",\"size\":\"1000ms\",\"slide\":\"1001ms\"}", COUNT),
                 "window.slide");
}

Test(lk_spec, rejects_a_slide_giving_more_than_1000_windows_per_event)
{
    expect_error(SPEC("{\"kind\":\"sliding\",\"size\":\"1001s\",\"slide\":\"1s\"}", COUNT),
                 "window.slide");
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"1000s\",\"slide\":\"1s\"}", COUNT));
    cr_assert_eq(lk_spec_max_windows(&spec), 1000);
}

Test(lk_spec, rejects_missing_or_empty_aggregates)
{
    expect_error_with("{\"name\":\"p\",\"window\":" TUMBLE "}", "aggregates", "missing");
    expect_error(SPEC(TUMBLE, "[]"), "aggregates");
    expect_error(SPEC(TUMBLE, "{\"fn\":\"count\",\"as\":\"n\"}"), "aggregates");
}

Test(lk_spec, rejects_an_unknown_function)
{
    expect_error_with(SPEC(TUMBLE, "[{\"fn\":\"avg\",\"of\":\"value\",\"as\":\"a\"}]"),
                      "aggregates[0].fn", "'avg'");
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"SUM\",\"of\":\"value\","
                              "\"as\":\"s\"}]"),
                 "aggregates[1].fn");
    expect_error(SPEC(TUMBLE, "[{\"as\":\"n\"}]"), "aggregates[0].fn");
}

Test(lk_spec, rejects_an_unknown_aggregate_member)
{
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"n\",\"where\":1}]"),
                 "aggregates[0].where");
    expect_error(SPEC(TUMBLE, "[5]"), "aggregates[0]");
}

Test(lk_spec, rejects_sum_of_a_string_field)
{
    expect_error_with(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"n\"},"
                                   "{\"fn\":\"sum\",\"of\":\"key\",\"as\":\"s\"}]"),
                      "aggregates[1].of", "'key'");
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"min\",\"of\":\"event_time\",\"as\":\"m\"}]"),
                 "aggregates[0].of");
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"max\",\"as\":\"m\"}]"), "aggregates[0].of");
}

Test(lk_spec, rejects_count_with_of)
{
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count\",\"of\":\"value\",\"as\":\"n\"}]"),
                 "aggregates[0].of");
}

Test(lk_spec, rejects_count_distinct_of_a_non_string_field)
{
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count_distinct\",\"of\":\"value\",\"as\":\"d\"}]"),
                 "aggregates[0].of");
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count_distinct\",\"of\":\"nope\",\"as\":\"d\"}]"),
                 "aggregates[0].of");
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count_distinct\",\"as\":\"d\"}]"), "aggregates[0].of");
}

Test(lk_spec, rejects_more_than_four_count_distinct)
{
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"a\"},"
                              "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"b\"},"
                              "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"c\"},"
                              "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"d\"},"
                              "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"e\"}]"),
                 "aggregates");
}

Test(lk_spec, rejects_bad_as_names)
{
    static const char *const bad_names[] = {
        "\"Events\"",
        "\"1x\"",
        "\"\"",
        "\"a-b\"",
        "\"a b\"",
        "\"caf\xc3\xa9\"",
        "5",
        "\"_234567890123456789012345678901234567890123456789012345678901234\"", /* 64 */
    };
    char json[512];
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        snprintf(json, sizeof(json), SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":%s}]"), bad_names[i]);
        expect_error(json, "aggregates[0].as");
    }
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count\"}]"), "aggregates[0].as");
}

Test(lk_spec, rejects_a_duplicate_as)
{
    expect_error_with(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"n\"},"
                                   "{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"n\"}]"),
                      "aggregates[1].as", "'n'");
}

Test(lk_spec, rejects_an_as_equal_to_a_group_column_or_window_bound)
{
    expect_error("{\"name\":\"p\",\"group_by\":[\"tenant\"],\"window\":" TUMBLE
                 ",\"aggregates\":[{\"fn\":\"count\",\"as\":\"tenant\"}]}",
                 "aggregates[0].as");
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"window_start\"}]"), "aggregates[0].as");
    expect_error(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"n\"},"
                              "{\"fn\":\"count\",\"as\":\"window_end\"}]"),
                 "aggregates[1].as");
    /* a field that is not grouped on is a free name */
    expect_ok(SPEC(TUMBLE, "[{\"fn\":\"count\",\"as\":\"tenant\"}]"));
}

Test(lk_spec, rejects_group_by_a_non_string_field)
{
    expect_error_with("{\"name\":\"p\",\"group_by\":[\"tenant\",\"value\"],\"window\":" TUMBLE
                      ",\"aggregates\":" COUNT "}",
                      "group_by[1]", "'value'");
    expect_error("{\"name\":\"p\",\"group_by\":[\"event_time\"],\"window\":" TUMBLE
                 ",\"aggregates\":" COUNT "}",
                 "group_by[0]");
    expect_error("{\"name\":\"p\",\"group_by\":[\"nope\"],\"window\":" TUMBLE
                 ",\"aggregates\":" COUNT "}",
                 "group_by[0]");
    expect_error("{\"name\":\"p\",\"group_by\":[5],\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "group_by[0]");
    expect_error("{\"name\":\"p\",\"group_by\":\"tenant\",\"window\":" TUMBLE
                 ",\"aggregates\":" COUNT "}",
                 "group_by");
}

Test(lk_spec, rejects_a_duplicate_group_field)
{
    expect_error_with(
        "{\"name\":\"p\",\"group_by\":[\"tenant\",\"key\",\"tenant\"],\"window\":" TUMBLE
        ",\"aggregates\":" COUNT "}",
        "group_by[2]", "twice");
}

Test(lk_spec, rejects_more_than_four_group_fields)
{
    expect_error(
        "{\"name\":\"p\",\"group_by\":[\"tenant\",\"key\",\"type\",\"event_id\",\"tenant\"],"
        "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
        "group_by");
}

Test(lk_spec, rejects_a_filter_with_both_in_and_equals)
{
    expect_error_with(
        "{\"name\":\"p\",\"filter\":{\"field\":\"type\",\"in\":[\"a\"],\"equals\":\"a\"},"
        "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
        "filter[0]", "exactly one");
}

Test(lk_spec, rejects_a_filter_with_neither_in_nor_equals)
{
    expect_error("{\"name\":\"p\",\"filter\":[{\"field\":\"type\",\"equals\":\"a\"},"
                 "{\"field\":\"key\"}],\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter[1]");
}

Test(lk_spec, rejects_bad_filter_fields_and_values)
{
    expect_error("{\"name\":\"p\",\"filter\":{\"field\":\"value\",\"equals\":\"1\"},"
                 "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter[0].field");
    expect_error("{\"name\":\"p\",\"filter\":{\"equals\":\"1\"},"
                 "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter[0].field");
    expect_error("{\"name\":\"p\",\"filter\":{\"field\":\"type\",\"in\":[]},"
                 "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter[0].in");
    expect_error("{\"name\":\"p\",\"filter\":{\"field\":\"type\",\"in\":[\"a\",1]},"
                 "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter[0].in");
    expect_error("{\"name\":\"p\",\"filter\":{\"field\":\"type\",\"equals\":\"\"},"
                 "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter[0].equals");
    expect_error("{\"name\":\"p\",\"filter\":{\"field\":\"type\",\"equals\":\"a\",\"not\":1},"
                 "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter[0].not");
    expect_error("{\"name\":\"p\",\"filter\":\"type\","
                 "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}",
                 "filter");
}

Test(lk_spec, parse_works_without_an_error_struct)
{
    cr_assert_eq(lk_spec_parse(&spec, "[", 1, ORIGIN, NULL), LK_ESPEC);
    cr_assert_eq(lk_spec_parse(&spec, "{}", 2, ORIGIN, NULL), LK_ESPEC);
}

Test(lk_spec, parses_exactly_len_bytes)
{
    const char *text = SPEC(TUMBLE, COUNT) "garbage";
    cr_assert_eq(lk_spec_parse(&spec, text, strlen(text) - 7, ORIGIN, NULL), 0);
}

/* ------------------------------------------------------------ windows ---- */

static void expect_windows(int64_t t, size_t n, const int64_t *want)
{
    int64_t starts[1001];
    size_t got = lk_spec_windows(&spec, t, starts);
    cr_assert_eq(got, n, "t=%lld: %zu windows, want %zu", (long long)t, got, n);
    cr_assert_leq(got, lk_spec_max_windows(&spec));
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(starts[i], want[i], "t=%lld window %zu: %lld, want %lld", (long long)t, i,
                     (long long)starts[i], (long long)want[i]);
}

Test(lk_spec_windows, puts_each_instant_in_one_tumbling_window)
{
    expect_ok(SPEC(TUMBLE, COUNT));
    expect_windows(0, 1, (int64_t[]){ 0 });
    expect_windows(59999, 1, (int64_t[]){ 0 });
    expect_windows(60000, 1, (int64_t[]){ 60000 });
    expect_windows(INT64_C(1767225601234), 1, (int64_t[]){ INT64_C(1767225600000) });
}

Test(lk_spec_windows, aligns_tumbling_windows_below_the_epoch)
{
    expect_ok(SPEC(TUMBLE, COUNT));
    expect_windows(-1, 1, (int64_t[]){ -60000 });
    expect_windows(-60000, 1, (int64_t[]){ -60000 });
    expect_windows(-60001, 1, (int64_t[]){ -120000 });
    expect_windows(LK_TIME_MIN, 1, (int64_t[]){ LK_TIME_MIN });
    expect_windows(LK_TIME_MAX, 1, (int64_t[]){ LK_TIME_MAX + 1 - 60000 });
}

Test(lk_spec_windows, puts_each_instant_in_two_windows_of_size_10m_slide_5m)
{
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"10m\",\"slide\":\"5m\"}", COUNT));
    expect_windows(0, 2, (int64_t[]){ -300000, 0 });
    expect_windows(1, 2, (int64_t[]){ -300000, 0 });
    expect_windows(299999, 2, (int64_t[]){ -300000, 0 });
    /* exactly at a window start: that window and the one before, not the one ending there */
    expect_windows(300000, 2, (int64_t[]){ 0, 300000 });
    expect_windows(600000, 2, (int64_t[]){ 300000, 600000 });
    expect_windows(-1, 2, (int64_t[]){ -600000, -300000 });
    expect_windows(-300000, 2, (int64_t[]){ -600000, -300000 });
    expect_windows(-300001, 2, (int64_t[]){ -900000, -600000 });
}

Test(lk_spec_windows, handles_a_size_that_is_not_a_multiple_of_the_slide)
{
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"10m\",\"slide\":\"3m\"}", COUNT));
    cr_assert_eq(lk_spec_max_windows(&spec), 4);
    /* starts are multiples of 180000 in (t - 600000, t] */
    expect_windows(0, 4, (int64_t[]){ -540000, -360000, -180000, 0 });
    expect_windows(60000, 3, (int64_t[]){ -360000, -180000, 0 });
    expect_windows(-60000, 3, (int64_t[]){ -540000, -360000, -180000 });
}

/* Every window of t (its start and end) has a text form. */
static void expect_writable_windows(int64_t t)
{
    int64_t starts[1001];
    char buf[LK_TIME_ISO_LEN + 1];
    size_t n = lk_spec_windows(&spec, t, starts);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_geq(lk_time_format(starts[i], buf), 0, "start of window %zu of %lld", i,
                      (long long)t);
        cr_assert_geq(lk_time_format(starts[i] + spec.window.size, buf), 0,
                      "end of window %zu of %lld", i, (long long)t);
    }
}

Test(lk_spec_windows, places_the_longest_allowed_window_at_both_ends_of_accepted_time)
{
    const int64_t d = LK_DURATION_MAX;
    expect_ok(SPEC("{\"kind\":\"tumbling\",\"size\":\"36500d\"}", COUNT));
    cr_assert_eq(spec.window.size, d);
    expect_windows(-1, 1, (int64_t[]){ -d });
    expect_writable_windows(LK_EVENT_TIME_MIN);
    expect_writable_windows(LK_EVENT_TIME_MAX);
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"36500d\",\"slide\":\"365d\"}", COUNT));
    cr_assert_eq(lk_spec_windows(&spec, LK_EVENT_TIME_MAX, (int64_t[1001]){ 0 }), 100);
    expect_writable_windows(LK_EVENT_TIME_MIN);
    expect_writable_windows(LK_EVENT_TIME_MAX);
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"1000d\",\"slide\":\"1d\"}", COUNT));
    cr_assert_eq(lk_spec_windows(&spec, LK_EVENT_TIME_MIN, (int64_t[1001]){ 0 }), 1000);
    expect_writable_windows(LK_EVENT_TIME_MIN);
    expect_writable_windows(LK_EVENT_TIME_MAX);
    /* a session window ends at most one gap after the last accepted time */
    expect_ok(SPEC("{\"kind\":\"session\",\"gap\":\"36500d\"}", COUNT));
    cr_assert_leq(LK_EVENT_TIME_MAX + spec.window.gap, LK_TIME_MAX);
}

Test(lk_spec_windows, gives_one_window_when_the_slide_equals_the_size)
{
    expect_ok(SPEC("{\"kind\":\"sliding\",\"size\":\"1m\",\"slide\":\"1m\"}", COUNT));
    expect_windows(-1, 1, (int64_t[]){ -60000 });
    expect_windows(60000, 1, (int64_t[]){ 60000 });
}

Test(lk_spec_windows, stays_within_max_windows_for_many_instants)
{
    int64_t starts[1001];
    static const char *const windows[] = {
        "{\"kind\":\"sliding\",\"size\":\"10m\",\"slide\":\"3m\"}",
        "{\"kind\":\"sliding\",\"size\":\"1000s\",\"slide\":\"1s\"}",
        "{\"kind\":\"sliding\",\"size\":\"7ms\",\"slide\":\"2ms\"}",
        "{\"kind\":\"tumbling\",\"size\":\"1d\"}",
    };
    char json[256];
    for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
        snprintf(json, sizeof(json), "{\"name\":\"p\",\"window\":%s,\"aggregates\":" COUNT "}",
                 windows[w]);
        expect_ok(json);
        for (int64_t t = -50000; t <= 50000; t += 997) {
            size_t n = lk_spec_windows(&spec, t, starts);
            cr_assert(n >= 1 && n <= lk_spec_max_windows(&spec));
            for (size_t i = 0; i < n; i++) {
                cr_assert(starts[i] <= t && t < starts[i] + spec.window.size);
                cr_assert_eq(lk_floor_div(starts[i], spec.window.slide) * spec.window.slide,
                             starts[i]);
                if (i > 0)
                    cr_assert_eq(starts[i] - starts[i - 1], spec.window.slide);
            }
            /* and no window is missing on either side */
            cr_assert(starts[0] - spec.window.slide + spec.window.size <= t);
            cr_assert(starts[n - 1] + spec.window.slide > t);
        }
    }
}

/* ------------------------------------------------------------ filters ---- */

static struct lk_event event(const char *tenant, const char *type)
{
    struct lk_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.str[LK_F_EVENT_ID] = (struct lk_str){ "e1", 2 };
    ev.str[LK_F_TENANT] = (struct lk_str){ tenant, strlen(tenant) };
    ev.str[LK_F_KEY] = (struct lk_str){ "k", 1 };
    ev.str[LK_F_TYPE] = (struct lk_str){ type, strlen(type) };
    return ev;
}

Test(lk_spec_accepts, accepts_everything_without_filters)
{
    struct lk_event ev = event("t01", "view");
    expect_ok(REVENUE);
    cr_assert(lk_spec_accepts(&spec, &ev));
}

Test(lk_spec_accepts, requires_every_filter_to_hold)
{
    struct lk_event a = event("t03", "purchase"), b = event("t03", "refund"),
                    c = event("t03", "view"), d = event("t04", "purchase"),
                    e = event("t03", "purchases"), f = event("t0", "purchase");
    expect_ok("{\"name\":\"p\",\"filter\":[{\"field\":\"type\",\"in\":[\"purchase\",\"refund\"]},"
              "{\"field\":\"tenant\",\"equals\":\"t03\"}],"
              "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}");
    cr_assert(lk_spec_accepts(&spec, &a));
    cr_assert(lk_spec_accepts(&spec, &b));
    cr_assert(!lk_spec_accepts(&spec, &c));
    cr_assert(!lk_spec_accepts(&spec, &d));
    cr_assert(!lk_spec_accepts(&spec, &e)); /* no prefix matching */
    cr_assert(!lk_spec_accepts(&spec, &f));
}

Test(lk_spec_accepts, compares_exact_bytes_of_a_string_that_is_not_nul_terminated)
{
    const char buf[] = "purchaseXYZ";
    struct lk_event ev = event("t03", "x");
    ev.str[LK_F_TYPE] = (struct lk_str){ buf, 8 };
    expect_ok("{\"name\":\"p\",\"filter\":{\"field\":\"type\",\"equals\":\"purchase\"},"
              "\"window\":" TUMBLE ",\"aggregates\":" COUNT "}");
    cr_assert(lk_spec_accepts(&spec, &ev));
}

/* ------------------------------------------------------------ loading ---- */

Test(lk_spec_load, reports_a_missing_file_with_its_path)
{
    struct lk_err err = LK_ERR_INIT;
    const char *path = "out/no-such-dir/missing-spec.json";
    cr_assert_eq(lk_spec_load(&spec, path, &err), LK_ENOENT);
    cr_assert_eq(err.code, LK_ENOENT);
    cr_assert(strstr(err.msg, path) != NULL, "message '%s' lacks the path", err.msg);
}

Test(lk_spec_load, reads_a_file_and_names_it_in_errors)
{
    char dir[128], path[256];
    struct lk_err err = LK_ERR_INIT;
    FILE *fp;
    snprintf(dir, sizeof(dir), "out/test-spec-%ld", (long)getpid());
    cr_assert_eq(lk_mkdir_p(dir, NULL), 0);
    snprintf(path, sizeof(path), "%s/r.json", dir);
    fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(REVENUE, fp);
    fclose(fp);
    cr_assert_eq(lk_spec_load(&spec, path, &err), 0, "%s", err.msg);
    cr_assert_eq(spec.naggs, 5);

    fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(SPEC("{\"kind\":\"tumbling\",\"size\":\"1x\"}", COUNT), fp);
    fclose(fp);
    cr_assert_eq(lk_spec_load(&spec, path, &err), LK_ESPEC);
    {
        char want[512];
        snprintf(want, sizeof(want), "(spec '%s')", path);
        cr_assert(strncmp(err.msg, "window.size: ", 13) == 0, "%s", err.msg);
        cr_assert(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
    }
    lk_rm_rf(dir, NULL);
}

Test(lk_spec_resolve, maps_names_and_paths)
{
    char buf[256];
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_spec_resolve("revenue", "/r", buf, sizeof(buf), &err), 0);
    cr_assert_str_eq(buf, "/r/datasets/pipelines/revenue.json");
    cr_assert_eq(lk_spec_resolve("revenue", NULL, buf, sizeof(buf), &err), 0);
    cr_assert_str_eq(buf, "datasets/pipelines/revenue.json");
    cr_assert_eq(lk_spec_resolve("revenue", "", buf, sizeof(buf), &err), 0);
    cr_assert_str_eq(buf, "datasets/pipelines/revenue.json");
    cr_assert_eq(lk_spec_resolve("x.json", "/r", buf, sizeof(buf), &err), 0);
    cr_assert_str_eq(buf, "x.json");
    cr_assert_eq(lk_spec_resolve("a/b", "/r", buf, sizeof(buf), &err), 0);
    cr_assert_str_eq(buf, "a/b");
}

Test(lk_spec_resolve, rejects_empty_and_too_long_names)
{
    char buf[16];
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_spec_resolve("", NULL, buf, sizeof(buf), &err), LK_EUSAGE);
    cr_assert_eq(lk_spec_resolve("revenue", NULL, buf, sizeof(buf), &err), LK_EUSAGE);
}
