/* Tests for lk_suggest: the edit distance and the "did you mean" choice. */
#include <criterion/criterion.h>

#include "lk_suggest.h"
#include "banned.h"

Test(lk_suggest, distance_counts_inserts_deletes_replacements_and_swaps)
{
    cr_assert_eq(lk_suggest_distance("kappa", "kappa"), 0);
    cr_assert_eq(lk_suggest_distance("kapa", "kappa"), 1);
    cr_assert_eq(lk_suggest_distance("kappaa", "kappa"), 1);
    cr_assert_eq(lk_suggest_distance("kitten", "sitting"), 3);
    cr_assert_eq(lk_suggest_distance("lamdba", "lambda"), 1, "a swap of neighbours is one edit");
    cr_assert_eq(lk_suggest_distance("", "abc"), 3);
    cr_assert_eq(lk_suggest_distance("abc", ""), 3);
}

Test(lk_suggest, picks_the_nearest_name_when_it_looks_like_a_typo)
{
    static const char *const names[] = { "gen", "truth", "kappa", "lambda", "lab", "sweep" };
    cr_assert_str_eq(lk_suggest("kapa", names, 6), "kappa");
    cr_assert_str_eq(lk_suggest("tru", names, 6), "truth");
    cr_assert_str_eq(lk_suggest("lambd", names, 6), "lambda");
    cr_assert_str_eq(lk_suggest("lbs", names, 6), "lab");
    cr_assert_str_eq(lk_suggest("gne", names, 6), "gen");
}

Test(lk_suggest, suggests_nothing_when_every_name_is_far_or_the_word_is_short)
{
    static const char *const names[] = { "gen", "truth", "kappa" };
    cr_assert_null(lk_suggest("frobnicate", names, 3));
    cr_assert_null(lk_suggest("x", names, 3), "one letter is no evidence");
    cr_assert_null(lk_suggest("ab", names, 3));
    cr_assert_null(lk_suggest("kapa", names, 0));
}

Test(lk_suggest, a_tie_goes_to_the_first_name)
{
    static const char *const names[] = { "cat", "bat" };
    cr_assert_str_eq(lk_suggest("at", names, 2), "cat");
}
