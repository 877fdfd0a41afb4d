/* lk_hll: the stated error bound over many seeds, merge = sketch of the union, blobs. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_err.h"
#include "lk_hll.h"
#include "banned.h"

#define SEEDS 48

static void add_items(struct lk_hll *h, unsigned seed, size_t from, size_t to)
{
    char buf[64];
    for (size_t i = from; i < to; i++) {
        int n = snprintf(buf, sizeof(buf), "seed%u-item%zu", seed, i);
        lk_hll_add(h, buf, (size_t)n);
    }
}

static double rel_error(unsigned seed, size_t n)
{
    struct lk_hll h = LK_HLL_INIT;
    double e;
    add_items(&h, seed, 0, n);
    e = (lk_hll_estimate(&h) - (double)n) / (double)n;
    lk_hll_release(&h);
    return e;
}

Test(lk_hll, error_stays_within_its_stated_bound_over_many_seeds_and_sizes)
{
    static const size_t sizes[] = { 1000, 4000, 12000, 40000, 150000 };
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        double sq = 0, worst = 0;
        for (unsigned seed = 0; seed < SEEDS; seed++) {
            double e = rel_error(seed, sizes[k]);
            sq += e * e;
            if (fabs(e) > worst)
                worst = fabs(e);
        }
        /* RMS error near the stated standard error; no single estimate beyond 4 of them */
        cr_assert_leq(sqrt(sq / SEEDS), 1.3 * LK_HLL_STDERR, "n=%zu rms=%f", sizes[k],
                      sqrt(sq / SEEDS));
        cr_assert_leq(worst, 4 * LK_HLL_STDERR, "n=%zu worst=%f", sizes[k], worst);
    }
}

Test(lk_hll, small_counts_have_the_small_error_of_linear_counting)
{
    for (unsigned seed = 0; seed < SEEDS; seed++) {
        for (size_t n = 0; n <= 300; n += 15) {
            struct lk_hll h = LK_HLL_INIT;
            double t = (double)n / LK_HLL_M, sd = sqrt(LK_HLL_M * (exp(t) - t - 1));
            add_items(&h, seed, 0, n);
            cr_assert_leq(fabs(lk_hll_estimate(&h) - (double)n), 2 + 5 * sd, "seed %u n %zu -> %f",
                          seed, n, lk_hll_estimate(&h));
            lk_hll_release(&h);
        }
    }
}

Test(lk_hll, adding_an_item_again_changes_nothing)
{
    struct lk_hll h = LK_HLL_INIT;
    double e;
    add_items(&h, 7, 0, 3000);
    e = lk_hll_estimate(&h);
    add_items(&h, 7, 0, 3000);
    cr_assert_eq(lk_hll_estimate(&h), e);
    lk_hll_release(&h);
}

/* Serialized bytes of h (heap). */
static unsigned char *blob_of(const struct lk_hll *h, size_t *n)
{
    unsigned char *b = malloc(lk_hll_serialized_size(h));
    *n = lk_hll_serialize(h, b);
    return b;
}

static void check_merge(size_t na, size_t nb, size_t overlap)
{
    struct lk_hll a = LK_HLL_INIT, b = LK_HLL_INIT, u = LK_HLL_INIT, viablob = LK_HLL_INIT;
    unsigned char *bu, *bm, *bb;
    size_t lu, lm, lb;
    add_items(&a, 1, 0, na);
    add_items(&b, 1, na - overlap, na - overlap + nb);
    add_items(&u, 1, 0, na - overlap + nb);
    bb = blob_of(&b, &lb);
    cr_assert_eq(lk_hll_merge_blob(&viablob, bb, lb), 0);
    lk_hll_merge(&viablob, &a);
    lk_hll_merge(&a, &b);
    bu = blob_of(&u, &lu);
    bm = blob_of(&a, &lm);
    cr_assert_eq(lu, lm, "sizes %zu %zu (na %zu nb %zu)", lu, lm, na, nb);
    cr_assert(memcmp(bu, bm, lu) == 0, "merge != sketch of the union (na %zu nb %zu)", na, nb);
    cr_assert_eq(lk_hll_estimate(&viablob), lk_hll_estimate(&u));
    free(bu);
    free(bm);
    free(bb);
    lk_hll_release(&a);
    lk_hll_release(&b);
    lk_hll_release(&u);
    lk_hll_release(&viablob);
}

Test(lk_hll, merge_equals_the_sketch_of_the_union_sparse_dense_and_mixed)
{
    check_merge(10, 20, 5);     /* sparse + sparse -> sparse */
    check_merge(600, 700, 100); /* sparse + sparse -> dense */
    check_merge(50000, 30, 10); /* dense + sparse */
    check_merge(30, 50000, 10); /* sparse + dense */
    check_merge(40000, 60000, 20000);
}

Test(lk_hll, merge_is_commutative_and_the_empty_sketch_is_its_identity)
{
    struct lk_hll a = LK_HLL_INIT, b = LK_HLL_INIT, e = LK_HLL_INIT;
    add_items(&a, 3, 0, 900);
    add_items(&b, 4, 0, 2000);
    lk_hll_merge(&e, &a);
    cr_assert_eq(lk_hll_estimate(&e), lk_hll_estimate(&a));
    lk_hll_merge(&e, &b);
    lk_hll_merge(&b, &a);
    cr_assert_eq(lk_hll_estimate(&e), lk_hll_estimate(&b));
    lk_hll_release(&a);
    lk_hll_release(&b);
    lk_hll_release(&e);
}

Test(lk_hll, an_empty_sketch_counts_zero_and_round_trips)
{
    struct lk_hll h = LK_HLL_INIT, back = LK_HLL_INIT;
    size_t n;
    unsigned char *b = blob_of(&h, &n);
    cr_assert_eq(lk_hll_count(&h), 0);
    cr_assert_eq(n, 6);
    cr_assert_eq(lk_hll_merge_blob(&back, b, n), 0);
    cr_assert_eq(lk_hll_count(&back), 0);
    free(b);
    lk_hll_release(&back);
}

Test(lk_hll, clear_empties_a_dense_sketch_for_reuse)
{
    struct lk_hll h = LK_HLL_INIT;
    add_items(&h, 9, 0, 20000);
    cr_assert(h.dense);
    lk_hll_clear(&h);
    cr_assert_eq(lk_hll_count(&h), 0);
    add_items(&h, 9, 0, 10);
    cr_assert_eq(lk_hll_count(&h), 10);
    lk_hll_release(&h);
}

Test(lk_hll, corrupt_blobs_are_rejected_and_leave_the_sketch_unchanged)
{
    struct lk_hll h = LK_HLL_INIT, src = LK_HLL_INIT;
    unsigned char bad_tag[6] = { 'X', 12, 0, 0, 0, 0 }, bad_p[6] = { 'S', 14, 0, 0, 0, 0 };
    unsigned char *b;
    size_t n;
    add_items(&src, 2, 0, 100);
    b = blob_of(&src, &n);
    add_items(&h, 5, 0, 50);
    cr_assert_eq(lk_hll_merge_blob(&h, bad_tag, 6), LK_ECORRUPT);
    cr_assert_eq(lk_hll_merge_blob(&h, bad_p, 6), LK_ECORRUPT);
    cr_assert_eq(lk_hll_merge_blob(&h, b, n - 1), LK_ECORRUPT);
    b[6 + 4 * 3] = 0xff; /* entry 3's register number out of order */
    b[6 + 4 * 3 + 1] = 0xff;
    cr_assert_eq(lk_hll_merge_blob(&h, b, n), LK_ECORRUPT);
    cr_assert_eq(lk_hll_merge_blob(&h, "", 0), LK_ECORRUPT);
    cr_assert_eq(lk_hll_count(&h), 50);
    free(b);
    lk_hll_release(&h);
    lk_hll_release(&src);
}
