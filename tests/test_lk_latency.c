/* lk_latency: nearest-rank percentiles, worked by hand. */
#include <criterion/criterion.h>

#include "lk_latency.h"

Test(lk_latency, nearest_rank_by_hand)
{
    struct lk_lat l;
    struct lk_lat_summary s;
    lk_lat_init(&l);
    /* 1..100 in reverse: p50 = 50, p95 = 95, p99 = 99, max = 100 */
    for (int64_t i = 100; i >= 1; i--)
        lk_lat_add(&l, i);
    lk_lat_never(&l);
    lk_lat_summarize(&l, &s);
    cr_expect_eq(s.events, 100);
    cr_expect_eq(s.never, 1);
    cr_expect_eq(s.p50_ms, 50);
    cr_expect_eq(s.p95_ms, 95);
    cr_expect_eq(s.p99_ms, 99);
    cr_expect_eq(s.max_ms, 100);
    lk_lat_free(&l);
}

Test(lk_latency, small_and_empty)
{
    struct lk_lat l;
    struct lk_lat_summary s;
    lk_lat_init(&l);
    lk_lat_summarize(&l, &s);
    cr_expect_eq(s.events, 0);
    cr_expect_eq(s.p99_ms, 0);
    lk_lat_add(&l, 7000);
    lk_lat_add(&l, -5); /* clamped */
    lk_lat_add(&l, 3000);
    lk_lat_summarize(&l, &s);
    /* sorted 0, 3000, 7000: p50 = rank ceil(1.5) = 2 -> 3000; p95, p99, max -> 7000 */
    cr_expect_eq(s.p50_ms, 3000);
    cr_expect_eq(s.p95_ms, 7000);
    cr_expect_eq(s.max_ms, 7000);
    cJSON *j = lk_lat_summary_json(&s);
    struct lk_lat_summary back;
    cr_assert_eq(lk_lat_summary_from_json(j, &back), 0);
    cr_expect_eq(back.p50_ms, 3000);
    cr_expect_eq(back.events, 3);
    cJSON_Delete(j);
    lk_lat_free(&l);
}
