/* lk_err: a message is one line, whatever it quotes. */
#include <criterion/criterion.h>
#include <errno.h>

#include "lk_err.h"
#include "banned.h"

Test(lk_err, a_quoted_newline_or_control_byte_becomes_a_question_mark)
{
    struct lk_err err;
    cr_expect_eq(lk_err_set(&err, LK_ECORRUPT, "run id \"%s\"", "\xef\n\n3\t4\x7f"), LK_ECORRUPT);
    cr_expect_str_eq(err.msg, "run id \"\xef??3?4?\"");
}

Test(lk_err, a_system_error_keeps_its_errno_text_and_stays_one_line)
{
    struct lk_err err;
    lk_err_sys(&err, LK_EIO, ENOENT, "cannot open %s", "a\nb");
    cr_expect_str_eq(err.msg, "cannot open a?b (No such file or directory)");
}
