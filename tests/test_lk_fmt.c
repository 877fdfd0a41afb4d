/* lk_fmt: the human number formats, against texts written by hand. */
#include <criterion/criterion.h>

#include "lk_fmt.h"
#include "banned.h"

#define EXPECT(call, want)                                                                         \
    do {                                                                                           \
        char buf_[LK_FMT_LEN];                                                                     \
        call;                                                                                      \
        cr_expect_str_eq(buf_, want, "%s", #call);                                                 \
    } while (0)

Test(lk_fmt, groups_thousands_in_money_and_counts)
{
    EXPECT(lk_fmt_money(buf_, sizeof(buf_), 14640), "$14,640.00");
    EXPECT(lk_fmt_money(buf_, sizeof(buf_), 0.005), "$0.01");
    EXPECT(lk_fmt_money(buf_, sizeof(buf_), -1234567.891), "-$1,234,567.89");
    EXPECT(lk_fmt_count(buf_, sizeof(buf_), 1900), "1,900");
    EXPECT(lk_fmt_count(buf_, sizeof(buf_), 999.6), "1,000");
    EXPECT(lk_fmt_count(buf_, sizeof(buf_), 120), "120");
}

Test(lk_fmt, writes_hundredths_as_a_plain_decimal)
{
    EXPECT(lk_fmt_cents(buf_, sizeof(buf_), 135497), "1354.97");
    EXPECT(lk_fmt_cents(buf_, sizeof(buf_), 7), "0.07");
    EXPECT(lk_fmt_cents(buf_, sizeof(buf_), -150), "-1.50");
    EXPECT(lk_fmt_cents(buf_, sizeof(buf_), INT64_MIN), "-92233720368547758.08");
}

Test(lk_fmt, scales_counts_by_1000_and_bytes_by_1024)
{
    EXPECT(lk_fmt_count_si(buf_, sizeof(buf_), 950), "950");
    EXPECT(lk_fmt_count_si(buf_, sizeof(buf_), 268900), "268.9k");
    EXPECT(lk_fmt_count_si(buf_, sizeof(buf_), 77400000), "77.4M");
    EXPECT(lk_fmt_bytes(buf_, sizeof(buf_), 253), "253 B");
    EXPECT(lk_fmt_bytes(buf_, sizeof(buf_), 1536), "1.5 KiB");
    EXPECT(lk_fmt_bytes(buf_, sizeof(buf_), 3.0 * 1125899906842624.0), "3.0 PiB");
    EXPECT(lk_fmt_bytes(buf_, sizeof(buf_), 2048.0 * 1125899906842624.0), "2048.0 PiB");
}

Test(lk_fmt, picks_a_duration_unit_that_keeps_it_short)
{
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), -1), "n/a");
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), 250), "250 ms");
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), 6100), "6.1 s");
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), 33000), "33 s");
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), 150000), "2.5 min");
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), 1800000), "30 min");
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), 43200000), "12 h");
    EXPECT(lk_fmt_ms(buf_, sizeof(buf_), 172800000), "2.0 d");
}

Test(lk_fmt, writes_ratios_and_short_numbers)
{
    EXPECT(lk_fmt_ratio(buf_, sizeof(buf_), 6.42), "6.4x");
    EXPECT(lk_fmt_ratio(buf_, sizeof(buf_), 15.9), "16x");
    EXPECT(lk_fmt_num(buf_, sizeof(buf_), 0.05), "0.05");
    EXPECT(lk_fmt_num(buf_, sizeof(buf_), 6.5), "6.5");
    EXPECT(lk_fmt_num(buf_, sizeof(buf_), 2.0), "2");
    EXPECT(lk_fmt_num(buf_, sizeof(buf_), -0.001), "0");
}
