/*
 * Tests for lk_strtab: dense, stable ids; byte-exact keys; stable string storage.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_strtab.h"
#include "banned.h"

static struct lk_strtab *tab;

static void setup(void)
{
    tab = lk_strtab_new();
}

static void teardown(void)
{
    lk_strtab_free(tab);
    tab = NULL;
}

TestSuite(lk_strtab, .init = setup, .fini = teardown);

static uint32_t intern(const char *s, int *added)
{
    return lk_strtab_intern(tab, s, strlen(s), added);
}

static uint32_t find(const char *s)
{
    return lk_strtab_find(tab, s, strlen(s));
}

static void expect_bytes(uint32_t id, const char *s, size_t len)
{
    struct lk_str got = lk_strtab_get(tab, id);
    cr_assert_eq(got.len, len, "id %u: length %zu, want %zu", id, got.len, len);
    cr_assert(memcmp(got.ptr, s, len) == 0, "id %u: wrong bytes", id);
}

Test(lk_strtab, starts_empty)
{
    cr_assert_eq(lk_strtab_count(tab), 0);
    cr_assert_eq(find("a"), UINT32_MAX);
    cr_assert_eq(find(""), UINT32_MAX);
}

Test(lk_strtab, hands_out_ids_in_first_seen_order)
{
    int added = -1;
    cr_assert_eq(intern("t03", &added), 0);
    cr_assert_eq(added, 1);
    cr_assert_eq(intern("t01", &added), 1);
    cr_assert_eq(added, 1);
    cr_assert_eq(intern("t03", &added), 0);
    cr_assert_eq(added, 0);
    cr_assert_eq(intern("t02", NULL), 2);
    cr_assert_eq(lk_strtab_count(tab), 3);
    expect_bytes(0, "t03", 3);
    expect_bytes(1, "t01", 3);
    expect_bytes(2, "t02", 3);
}

Test(lk_strtab, finds_present_and_misses_absent_strings)
{
    intern("purchase", NULL);
    intern("view", NULL);
    cr_assert_eq(find("purchase"), 0);
    cr_assert_eq(find("view"), 1);
    cr_assert_eq(find("refund"), UINT32_MAX);
    cr_assert_eq(find("purchas"), UINT32_MAX);
    cr_assert_eq(find("purchases"), UINT32_MAX);
    cr_assert_eq(find(""), UINT32_MAX);
    cr_assert_eq(lk_strtab_count(tab), 2, "find must not add");
}

Test(lk_strtab, keeps_the_stored_copy_nul_terminated)
{
    char buf[] = "abcdef";
    uint32_t id = lk_strtab_intern(tab, buf, 3, NULL);
    struct lk_str s = lk_strtab_get(tab, id);
    cr_assert_eq(s.len, 3);
    cr_assert_str_eq(s.ptr, "abc");
    /* the table owns a copy: changing the caller's buffer changes nothing */
    buf[0] = 'X';
    cr_assert_str_eq(lk_strtab_get(tab, id).ptr, "abc");
    cr_assert_eq(lk_strtab_find(tab, "abc", 3), id);
}

Test(lk_strtab, treats_strings_as_exact_bytes)
{
    uint32_t empty = lk_strtab_intern(tab, "", 0, NULL);
    uint32_t nul = lk_strtab_intern(tab, "\0", 1, NULL);
    uint32_t a = lk_strtab_intern(tab, "a", 1, NULL);
    uint32_t a_nul = lk_strtab_intern(tab, "a\0", 2, NULL);
    uint32_t a_nul_b = lk_strtab_intern(tab, "a\0b", 3, NULL);
    uint32_t upper = lk_strtab_intern(tab, "A", 1, NULL);
    cr_assert_eq(lk_strtab_count(tab), 6);
    cr_assert_eq(empty, 0);
    cr_assert_eq(nul, 1);
    cr_assert_eq(a, 2);
    cr_assert_eq(a_nul, 3);
    cr_assert_eq(a_nul_b, 4);
    cr_assert_eq(upper, 5);
    cr_assert_eq(lk_strtab_find(tab, "a\0b", 3), 4);
    cr_assert_eq(lk_strtab_find(tab, "a\0c", 3), UINT32_MAX);
    expect_bytes(a_nul_b, "a\0b", 3);
    expect_bytes(empty, "", 0);
}

Test(lk_strtab, keeps_ids_dense_and_stable_across_growth)
{
    enum { N = 100000 };
    char s[32];
    for (uint32_t i = 0; i < N; i++) {
        int added = 0;
        int n = snprintf(s, sizeof(s), "key-%u", i * 7919u);
        cr_assert_eq(lk_strtab_intern(tab, s, (size_t)n, &added), i);
        cr_assert_eq(added, 1);
        /* an early string keeps its id while the table grows */
        if (i % 4096 == 0)
            cr_assert_eq(find("key-0"), 0);
    }
    cr_assert_eq(lk_strtab_count(tab), N);
    for (uint32_t i = 0; i < N; i++) {
        int added = 1;
        int n = snprintf(s, sizeof(s), "key-%u", i * 7919u);
        cr_assert_eq(lk_strtab_intern(tab, s, (size_t)n, &added), i);
        cr_assert_eq(added, 0);
        cr_assert_eq(lk_strtab_find(tab, s, (size_t)n), i);
        expect_bytes(i, s, (size_t)n);
    }
    cr_assert_eq(lk_strtab_count(tab), N);
    cr_assert_eq(find("key-1"), UINT32_MAX);
    cr_assert_eq(find("key-"), UINT32_MAX);
    cr_assert_geq(lk_strtab_bytes(tab), (size_t)N * 6);
}

Test(lk_strtab, keeps_returned_bytes_valid_while_it_grows)
{
    /* lk_strtab.h: the bytes "stay valid until lk_strtab_free" */
    struct lk_str first, big;
    char s[32];
    char *long_text = malloc(100000);
    memset(long_text, 'x', 100000);
    first = lk_strtab_get(tab, intern("first", NULL));
    big = lk_strtab_get(tab, lk_strtab_intern(tab, long_text, 100000, NULL));
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(s, sizeof(s), "grow-%d", i);
        lk_strtab_intern(tab, s, (size_t)n, NULL);
    }
    lk_strtab_intern(tab, long_text, 99999, NULL);
    cr_assert_eq(first.len, 5);
    cr_assert(memcmp(first.ptr, "first", 5) == 0);
    cr_assert_eq(big.len, 100000);
    cr_assert(memcmp(big.ptr, long_text, 100000) == 0);
    free(long_text);
}

Test(lk_strtab, survives_many_colliding_prefixes)
{
    /* strings differing only in their last byte, and in length */
    char s[300];
    memset(s, 'p', sizeof(s));
    for (size_t len = 0; len < 300; len++)
        cr_assert_eq(lk_strtab_intern(tab, s, len, NULL), (uint32_t)len);
    for (size_t len = 0; len < 300; len++)
        cr_assert_eq(lk_strtab_find(tab, s, len), (uint32_t)len);
}

Test(lk_strtab, free_accepts_null)
{
    lk_strtab_free(NULL);
}

Test(lk_hash, is_deterministic_and_depends_on_every_byte_and_the_length)
{
    const char a[] = "0123456789abcdefXYZ";
    char b[sizeof(a)];
    cr_assert_eq(lk_hash_bytes(a, 19), lk_hash_bytes(a, 19));
    cr_assert_neq(lk_hash_bytes("", 0), lk_hash_bytes("\0", 1));
    cr_assert_neq(lk_hash_bytes("\0", 1), lk_hash_bytes("\0\0", 2));
    cr_assert_neq(lk_hash_bytes(a, 18), lk_hash_bytes(a, 19));
    for (size_t i = 0; i < 19; i++) {
        memcpy(b, a, sizeof(a));
        b[i] ^= 1;
        cr_assert_neq(lk_hash_bytes(a, 19), lk_hash_bytes(b, 19), "byte %zu", i);
    }
}

Test(lk_fnv1a, gives_the_published_test_vectors_and_continues_from_h)
{
    cr_assert_eq(lk_fnv1a(LK_FNV1A_BASIS, "", 0), 0xcbf29ce484222325ULL);
    cr_assert_eq(lk_fnv1a(LK_FNV1A_BASIS, "a", 1), 0xaf63dc4c8601ec8cULL);
    cr_assert_eq(lk_fnv1a(LK_FNV1A_BASIS, "foobar", 6), 0x85944171f73967e8ULL);
    cr_assert_eq(lk_fnv1a(lk_fnv1a(LK_FNV1A_BASIS, "foo", 3), "bar", 3),
                 lk_fnv1a(LK_FNV1A_BASIS, "foobar", 6));
}
