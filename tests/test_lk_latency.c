/*
 * lk_latency: nearest-rank percentiles over EVERY event, the never events ranked last as
 * +infinity, worked by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lk_latency.h"

Test(lk_latency, nearest_rank_by_hand)
{
    struct lk_lat l;
    struct lk_lat_summary s;
    lk_lat_init(&l);
    /* 1..100 in reverse and one never event: 101 events, the never one ranked 101st.
     * p50 = rank ceil(50.5) = 51 -> 51; p95 = rank ceil(95.95) = 96 -> 96;
     * p99 = rank ceil(99.99) = 100 -> 100; max = rank 101 -> never */
    for (int64_t i = 100; i >= 1; i--)
        lk_lat_add(&l, i);
    lk_lat_never(&l);
    lk_lat_summarize(&l, &s);
    cr_expect_eq(s.events, 101);
    cr_expect_eq(s.never, 1);
    cr_expect_eq(s.p50_ms, 51);
    cr_expect_eq(s.p95_ms, 96);
    cr_expect_eq(s.p99_ms, 100);
    cr_expect_eq(s.max_ms, LK_LAT_NEVER);
    /* 100 of 101 = 99.0099..% -> 99.00 */
    cr_expect_float_eq(lk_lat_reached_pct(&s), 99.00, 1e-9);
    lk_lat_free(&l);
}

/* The summary of samples ms[0..n) and `never` never events. */
static struct lk_lat_summary summary_of(const int64_t *ms, size_t n, uint64_t never)
{
    struct lk_lat l;
    struct lk_lat_summary s;
    lk_lat_init(&l);
    for (size_t i = 0; i < n; i++)
        lk_lat_add(&l, ms[i]);
    for (uint64_t i = 0; i < never; i++)
        lk_lat_never(&l);
    lk_lat_summarize(&l, &s);
    lk_lat_free(&l);
    return s;
}

Test(lk_latency, a_percentile_among_the_never_events_is_never)
{
    static const int64_t ms19[] = { 1000,  2000,  3000,  4000,  5000,  6000,  7000,
                                    8000,  9000,  10000, 11000, 12000, 13000, 14000,
                                    15000, 16000, 17000, 18000, 19000 };
    static const int64_t ms2[] = { 3000, 1000 };
    struct lk_lat_summary s;
    /* 19 samples 1000..19000 and 1 never: 20 events. p95 = rank ceil(19) = 19 -> 19000
     * (the last sample); p99 = rank ceil(19.8) = 20 -> the never event */
    s = summary_of(ms19, 19, 1);
    cr_expect_eq(s.p50_ms, 10000);
    cr_expect_eq(s.p95_ms, 19000);
    cr_expect_eq(s.p99_ms, LK_LAT_NEVER);
    cr_expect_float_eq(lk_lat_reached_pct(&s), 95.00, 1e-9);
    /* half the events never: 2 samples, 2 never -> p50 = rank 2 = 3000, p95 never */
    s = summary_of(ms2, 2, 2);
    cr_expect_eq(s.events, 4);
    cr_expect_eq(s.p50_ms, 3000);
    cr_expect_eq(s.p95_ms, LK_LAT_NEVER);
    cr_expect_float_eq(lk_lat_reached_pct(&s), 50.00, 1e-9);
    /* only never events: every percentile is never, 0% reached */
    s = summary_of(NULL, 0, 1);
    cr_expect_eq(s.p50_ms, LK_LAT_NEVER);
    cr_expect_float_eq(lk_lat_reached_pct(&s), 0.0, 1e-9);
}

Test(lk_latency, share_is_rounded_down)
{
    /* 2 of 3 = 66.666..% -> 66.66 (not 66.67); 99,999 of 100,000 = 99.999% -> 99.99
     * (never 100.00 while an event is wrong) */
    struct lk_lat_summary a = { .events = 3, .never = 1 };
    struct lk_lat_summary b = { .events = 100000, .never = 1 };
    struct lk_lat_summary c = { .events = 7, .never = 0 };
    cr_expect_float_eq(lk_lat_reached_pct(&a), 66.66, 1e-9);
    cr_expect_float_eq(lk_lat_reached_pct(&b), 99.99, 1e-9);
    cr_expect_float_eq(lk_lat_reached_pct(&c), 100.0, 1e-9);
}

Test(lk_latency, small_and_empty)
{
    struct lk_lat l;
    struct lk_lat_summary s;
    lk_lat_init(&l);
    lk_lat_summarize(&l, &s);
    cr_expect_eq(s.events, 0);
    cr_expect_eq(s.p99_ms, 0);
    cr_expect_float_eq(lk_lat_reached_pct(&s), 0.0, 1e-9);
    lk_lat_add(&l, 7000);
    lk_lat_add(&l, -5); /* clamped */
    lk_lat_add(&l, 3000);
    lk_lat_summarize(&l, &s);
    /* sorted 0, 3000, 7000: p50 = rank ceil(1.5) = 2 -> 3000; p95, p99, max -> 7000 */
    cr_expect_eq(s.p50_ms, 3000);
    cr_expect_eq(s.p95_ms, 7000);
    cr_expect_eq(s.max_ms, 7000);
    lk_lat_free(&l);
}

Test(lk_latency, json_writes_inf_where_the_number_would_be)
{
    struct lk_lat_summary s = { .events = 4,
                                .never = 1,
                                .p50_ms = 3000,
                                .p95_ms = LK_LAT_NEVER,
                                .p99_ms = LK_LAT_NEVER,
                                .max_ms = LK_LAT_NEVER };
    struct lk_lat_summary back;
    cJSON *j = lk_lat_summary_json(&s, "correct_pct");
    char *text = cJSON_PrintUnformatted(j);
    cr_expect_str_eq(text, "{\"events\":4,\"never\":1,\"correct_pct\":75,\"p50_ms\":3000,"
                           "\"p95_ms\":\"inf\",\"p99_ms\":\"inf\",\"max_ms\":\"inf\"}");
    cr_assert_eq(lk_lat_summary_from_json(j, &back), 0);
    cr_expect_eq(back.events, 4);
    cr_expect_eq(back.never, 1);
    cr_expect_eq(back.p50_ms, 3000);
    cr_expect_eq(back.p95_ms, LK_LAT_NEVER);
    cr_expect_eq(back.max_ms, LK_LAT_NEVER);
    cJSON_free(text);
    cJSON_Delete(j);
}

/*
 * Every rank of a large sample, with values across many radix digits (0, 1, up to 2^62,
 * repeated values): the i-th smallest of 0, 7, 14, ... (a known sequence, shuffled by a
 * multiplier coprime to n) plus the huge ones at the end. Worked out without sorting.
 */
Test(lk_latency, every_rank_of_a_shuffled_sample_spanning_many_digits)
{
    enum { N = 5000 };
    struct lk_lat l;
    lk_lat_init(&l);
    for (uint64_t i = 0; i < N; i++) /* 2999 is coprime to 5000: each j once */
        lk_lat_add(&l, (int64_t)((i * 2999 % N) * 7));
    lk_lat_add(&l, (int64_t)1 << 62);
    lk_lat_add(&l, ((int64_t)1 << 40) + 3);
    lk_lat_add(&l, ((int64_t)1 << 40) + 3);
    for (uint64_t r = 1; r <= N; r++) /* rank r of N + 3: the value (r - 1) * 7 */
        cr_assert_eq(lk_lat_percentile(&l, 100.0 * (double)r / (N + 3) - 1e-9),
                     (int64_t)(r - 1) * 7, "rank %llu", (unsigned long long)r);
    cr_assert_eq(lk_lat_percentile(&l, 100.0 * (N + 2) / (N + 3) - 1e-9), ((int64_t)1 << 40) + 3);
    cr_assert_eq(lk_lat_percentile(&l, 100), (int64_t)1 << 62);
    lk_lat_free(&l);
}
