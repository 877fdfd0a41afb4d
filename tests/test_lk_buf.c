/* lk_buf: growth, formatting and ownership, against strings written by hand. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lk_buf.h"
#include "banned.h"

Test(lk_buf, an_empty_buffer_is_an_empty_string)
{
    struct lk_buf b = LK_BUF_INIT;
    cr_expect_str_eq(b.s, "");
    cr_expect_eq(b.len, 0);
    lk_buf_release(&b);
    cr_expect_str_eq(b.s, "");
}

Test(lk_buf, appends_never_truncate)
{
    struct lk_buf b = LK_BUF_INIT;
    char want[20001];
    for (int i = 0; i < 10000; i++)
        lk_buf_addf(&b, "%d", i % 10);
    lk_buf_adds(&b, "tail");
    lk_buf_addch(&b, '!');
    for (int i = 0; i < 10000; i++)
        want[i] = (char)('0' + i % 10);
    memcpy(want + 10000, "tail!", 6);
    cr_expect_eq(b.len, 10005);
    cr_expect_str_eq(b.s, want);
    lk_buf_release(&b);
}

Test(lk_buf, a_long_format_grows_the_buffer_once)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_adds(&b, "x=");
    lk_buf_addf(&b, "%0300d|%s", 7, "end");
    cr_expect_eq(b.len, 2 + 300 + 4);
    cr_expect_eq(b.s[301], '7');
    cr_expect_str_eq(b.s + 302, "|end");
    lk_buf_release(&b);
}

Test(lk_buf, setlen_and_reset_cut_the_string)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_adds(&b, "hello, world");
    lk_buf_setlen(&b, 5);
    cr_expect_str_eq(b.s, "hello");
    lk_buf_reset(&b);
    cr_expect_str_eq(b.s, "");
    lk_buf_adds(&b, "again");
    cr_expect_str_eq(b.s, "again");
    lk_buf_release(&b);
}

Test(lk_buf, detach_hands_over_a_malloced_string_and_empties_the_buffer)
{
    struct lk_buf b = LK_BUF_INIT;
    size_t len = 99;
    char *s = lk_buf_detach(&b, &len); /* even an empty buffer gives a string to free */
    cr_expect_str_eq(s, "");
    cr_expect_eq(len, 0);
    free(s);
    lk_buf_adds(&b, "abc");
    s = lk_buf_detach(&b, NULL);
    cr_expect_str_eq(s, "abc");
    cr_expect_str_eq(b.s, "");
    cr_expect_eq(b.len, 0);
    free(s);
}
