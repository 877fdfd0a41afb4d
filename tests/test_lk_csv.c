/* The canonical CSV: quoting, money, time format, order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_csv.h"
#include "banned.h"

static struct lk_spec spec2(void)
{
    static const char json[] =
        "{\"name\":\"r\",\"group_by\":[\"tenant\",\"type\"],\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
        "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"s\"}]}";
    struct lk_spec spec;
    cr_assert_eq(lk_spec_parse(&spec, json, sizeof(json) - 1, "test", NULL), 0);
    return spec;
}

static struct lk_csv_row row(const char *tenant, const char *type, int64_t start, int64_t n,
                             int64_t s)
{
    struct lk_csv_row r;
    memset(&r, 0, sizeof(r));
    r.group[0].ptr = tenant;
    r.group[0].len = strlen(tenant);
    r.group[1].ptr = type;
    r.group[1].len = strlen(type);
    r.window_start = start;
    r.window_end = start + 60000;
    r.values[0] = n;
    r.values[1] = s;
    return r;
}

static char *write_rows(const struct lk_csv_row *rows, size_t n)
{
    struct lk_spec spec = spec2();
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    cr_assert_eq(lk_csv_write_header(fp, &spec), 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(lk_csv_write_row(fp, &spec, &rows[i]), 0);
    fclose(fp);
    return buf;
}

Test(lk_csv, quotes_only_fields_that_need_it)
{
    struct lk_csv_row rows[4] = {
        row("plain", "a b", 0, 1, 5),
        row("com,ma", "q\"uote", 0, 1, -5),
        row("new\nline", "cr\rx", 0, 1, 0),
        row("semi;colon", "'single'", 0, 1, 100),
    };
    char *got = write_rows(rows, 4);
    cr_assert_str_eq(
        got, "tenant,type,window_start,window_end,n,s\n"
             "plain,a b,1970-01-01T00:00:00.000Z,1970-01-01T00:01:00.000Z,1,0.05\n"
             "\"com,ma\",\"q\"\"uote\",1970-01-01T00:00:00.000Z,1970-01-01T00:01:00.000Z,1,-0.05\n"
             "\"new\nline\",\"cr\rx\",1970-01-01T00:00:00.000Z,1970-01-01T00:01:00.000Z,1,0.00\n"
             "semi;colon,'single',1970-01-01T00:00:00.000Z,1970-01-01T00:01:00.000Z,1,1.00\n");
    free(got);
}

Test(lk_csv, money_has_exactly_two_decimals)
{
    char buf[32];
    lk_money_format(1250, buf, sizeof(buf));
    cr_assert_str_eq(buf, "12.50");
    lk_money_format(-25, buf, sizeof(buf));
    cr_assert_str_eq(buf, "-0.25");
    lk_money_format(-100, buf, sizeof(buf));
    cr_assert_str_eq(buf, "-1.00");
    lk_money_format(7, buf, sizeof(buf));
    cr_assert_str_eq(buf, "0.07");
    lk_money_format(INT64_MIN, buf, sizeof(buf));
    cr_assert_str_eq(buf, "-92233720368547758.08");
}

Test(lk_csv, sorts_bytewise_by_groups_then_window_start)
{
    struct lk_csv_row rows[6] = {
        row("t10", "view", 60000, 1, 0),     row("t1", "view", 0, 1, 0),
        row("t10", "view", -60000, 1, 0),    row("T1", "z", 0, 1, 0),
        row("t1", "purchase", 120000, 1, 0), row("t,1", "view", 0, 1, 0),
    };
    const struct lk_csv_row *order[6];
    for (int i = 0; i < 6; i++)
        order[i] = &rows[i];
    lk_csv_sort(order, 6, 2);
    /* 'T' (0x54) < 't'; "t,1" (',' 0x2c) < "t1" < "t10" (prefix first); then type, then start */
    cr_assert_eq(order[0], &rows[3]);
    cr_assert_eq(order[1], &rows[5]);
    cr_assert_eq(order[2], &rows[4]);
    cr_assert_eq(order[3], &rows[1]);
    cr_assert_eq(order[4], &rows[2]);
    cr_assert_eq(order[5], &rows[0]);
}
