/* Aggregate cells: hand-computed values and the merge laws. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "lk_agg.h"
#include "lk_spec.h"
#include "banned.h"

static struct lk_spec revenue(void)
{
    static const char json[] =
        "{\"name\":\"r\",\"group_by\":[\"tenant\"],\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
        "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"of\":\"value\",\"as\":\"s\"},"
        "{\"fn\":\"min\",\"of\":\"value\",\"as\":\"lo\"},{\"fn\":\"max\",\"of\":\"value\",\"as\":\"hi\"},"
        "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"k\"},"
        "{\"fn\":\"count_distinct\",\"of\":\"type\",\"as\":\"t\"}]}";
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_spec_parse(&spec, json, sizeof(json) - 1, "test", &err), 0, "%s", err.msg);
    return spec;
}

/* Deterministic pseudo-random event i: value in [-500.00, 500.00], key id < 50, type id < 3. */
static void event(uint32_t i, int64_t *value, uint32_t ids[2])
{
    uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
    x ^= x >> 29;
    *value = (int64_t)(x % 100001) - 50000;
    ids[0] = (uint32_t)(x >> 20) % 50;
    ids[1] = (uint32_t)(x >> 40) % 3;
}

static void fill(struct lk_agg *a, uint32_t from, uint32_t to)
{
    lk_agg_init(a);
    for (uint32_t i = from; i < to; i++) {
        int64_t v;
        uint32_t ids[2];
        event(i, &v, ids);
        lk_agg_add(a, v, ids, 2);
    }
}

static int same_sets(const struct lk_agg *a, const struct lk_agg *b)
{
    for (int d = 0; d < 2; d++) {
        if (a->distinct[d].n != b->distinct[d].n)
            return 0;
        for (uint32_t id = 0; id < 50; id++)
            if (lk_idset_has(&a->distinct[d], id) != lk_idset_has(&b->distinct[d], id))
                return 0;
    }
    return 1;
}

Test(lk_agg, reports_hand_computed_values)
{
    struct lk_spec spec = revenue();
    struct lk_agg a;
    uint32_t ids[3][2] = { { 7, 0 }, { 9, 1 }, { 7, 1 } };
    int64_t vals[3] = { 1250, -25, 100000 };
    lk_agg_init(&a);
    for (int i = 0; i < 3; i++)
        lk_agg_add(&a, vals[i], ids[i], 2);
    cr_assert_eq(lk_agg_result(&a, &spec, 0), 3);
    cr_assert_eq(lk_agg_result(&a, &spec, 1), 101225);
    cr_assert_eq(lk_agg_result(&a, &spec, 2), -25);
    cr_assert_eq(lk_agg_result(&a, &spec, 3), 100000);
    cr_assert_eq(lk_agg_result(&a, &spec, 4), 2, "keys 7 and 9");
    cr_assert_eq(lk_agg_result(&a, &spec, 5), 2, "types 0 and 1");
    lk_agg_release(&a);
}

Test(lk_agg, merge_of_two_halves_equals_the_whole)
{
    struct lk_spec spec = revenue();
    struct lk_agg whole, left, right;
    fill(&whole, 0, 1000);
    fill(&left, 0, 377);
    fill(&right, 377, 1000);
    lk_agg_merge(&left, &right, 2);
    cr_assert(lk_agg_equal(&left, &whole, &spec));
    cr_assert(same_sets(&left, &whole));
    lk_agg_release(&whole);
    lk_agg_release(&left);
    lk_agg_release(&right);
}

Test(lk_agg, merge_is_commutative_and_associative)
{
    struct lk_spec spec = revenue();
    struct lk_agg a, b, c, ab_c, a_bc, ba;
    fill(&a, 0, 100);
    fill(&b, 100, 250);
    fill(&c, 250, 300);
    /* (a+b)+c */
    fill(&ab_c, 0, 0);
    lk_agg_merge(&ab_c, &a, 2);
    lk_agg_merge(&ab_c, &b, 2);
    lk_agg_merge(&ab_c, &c, 2);
    /* a+(b+c) */
    fill(&a_bc, 0, 0);
    lk_agg_merge(&a_bc, &b, 2);
    lk_agg_merge(&a_bc, &c, 2);
    lk_agg_merge(&a_bc, &a, 2);
    cr_assert(lk_agg_equal(&ab_c, &a_bc, &spec) && same_sets(&ab_c, &a_bc));
    /* b+a == a+b */
    fill(&ba, 0, 0);
    lk_agg_merge(&ba, &b, 2);
    lk_agg_merge(&ba, &a, 2);
    lk_agg_merge(&a, &b, 2);
    cr_assert(lk_agg_equal(&ba, &a, &spec) && same_sets(&ba, &a));
    lk_agg_release(&a);
    lk_agg_release(&b);
    lk_agg_release(&c);
    lk_agg_release(&ab_c);
    lk_agg_release(&a_bc);
    lk_agg_release(&ba);
}

Test(lk_agg, an_empty_cell_is_the_identity_of_merge)
{
    struct lk_spec spec = revenue();
    struct lk_agg a, copy, empty;
    fill(&a, 0, 50);
    fill(&copy, 0, 50);
    lk_agg_init(&empty);
    lk_agg_merge(&a, &empty, 2);
    cr_assert(lk_agg_equal(&a, &copy, &spec) && same_sets(&a, &copy));
    lk_agg_merge(&empty, &copy, 2);
    cr_assert(lk_agg_equal(&empty, &copy, &spec) && same_sets(&empty, &copy));
    lk_agg_release(&a);
    lk_agg_release(&copy);
    lk_agg_release(&empty);
}

Test(lk_idset, counts_each_id_once_across_growth)
{
    struct lk_idset s = { 0 };
    for (uint32_t round = 0; round < 3; round++)
        for (uint32_t id = 0; id < 10000; id += 3)
            cr_assert_eq(lk_idset_add(&s, id), round == 0);
    cr_assert_eq(s.n, 3334);
    cr_assert(lk_idset_has(&s, 9999));
    cr_assert(!lk_idset_has(&s, 10000));
    cr_assert(!lk_idset_has(&s, 1));
    lk_idset_release(&s);
}
