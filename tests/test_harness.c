/* The test harness itself (tests/lk_test.c): what keeps a long `make test` run honest. */
#include <criterion/criterion.h>

#include <limits.h>
#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lk_test.h"

/*
 * Criterion's workers reach the runner through nn_connect; the harness's wrapper turns off
 * nanomsg's resend-after-60-s, whose copies of a message failed a CI run where every test
 * passed. Without the wrapper the option reads 60000.
 */
Test(harness, worker_sockets_never_resend_a_message)
{
    int s = nn_socket(AF_SP, NN_REQ), ivl = 0;
    size_t len = sizeof(ivl);
    cr_assert_geq(s, 0);
    cr_assert_geq(nn_connect(s, "ipc:///nonexistent/lklab-harness.sock"), 0);
    cr_assert_eq(nn_getsockopt(s, NN_REQ, NN_REQ_RESEND_IVL, &ivl, &len), 0);
    cr_expect_eq(ivl, INT_MAX, "resend interval %d ms", ivl);
    nn_close(s);
}

/* A passed test's directories go to out/test-trash, which the next lkt_tmpdir empties. */
Test(harness, a_new_test_directory_empties_the_trash)
{
    char *trash = lkt_fmt("%s/out/test-trash", lkt_root());
    char *old = lkt_fmt("%s/harness-%ld", trash, (long)getpid());
    char *deep = lkt_fmt("%s/a/b", old);
    char *make = lkt_fmt("mkdir -p '%s' && touch '%s/f'", deep, deep);
    struct stat st;
    cr_assert_eq(system(make), 0);
    free(make);
    char *dir = lkt_tmpdir("harness");
    cr_expect_neq(stat(old, &st), 0, "%s is still there", old);
    cr_expect_eq(stat(dir, &st), 0);
    free(dir);
    free(deep);
    free(old);
    free(trash);
}
