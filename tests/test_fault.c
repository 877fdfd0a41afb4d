/*
 * I/O fault injection (tests/fault/lk_fault.c, LD_PRELOAD): the Nth write, fsync or
 * rename/link of a real Kappa or Lambda run fails with ENOSPC or EIO. At every point
 * sampled the run must exit 4 with one line naming the file, and running again without the
 * fault must give the uninterrupted run's answer (the checkpoint is recoverable). The
 * points: the first and last call of the kind and evenly spaced ones between, from the
 * count a clean run reports (LKLAB_FAULT_POINTS=N samples N, 5 by default; 0: every one).
 * Also: --help into a full device (/dev/full) is exit 4 for every command.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lk_test.h"
#include "banned.h"

#define KAPPA_ARGS "--pipeline revenue --trigger 1h"
#define LAMBDA_ARGS "--pipeline revenue --batch-every 6h --speed-trigger 1m"

struct stack {
    const char *name; /* the lklab command */
    const char *args;
};

static const struct stack kappa = { "kappa", KAPPA_ARGS };
static const struct stack lambda = { "lambda", LAMBDA_ARGS };

static char *dataset(void)
{
    return lkt_dataset("fault2k", "--scenario clickstream --events 2000 --seed 7");
}

/* Arm the shim for the lklab processes this test starts (N = 0: count only). */
static void arm(const char *op, long n, const char *errno_name, const char *count_file)
{
    const char *bin = getenv("LKLAB_BIN");
    char *so = lkt_fmt("%.*s/lk_fault.so", (int)(strrchr(bin, '/') - bin), bin);
    char num[32];
    cr_assert_eq(access(so, R_OK), 0, "%s missing (make builds it)", so);
    snprintf(num, sizeof(num), "%ld", n);
    setenv("LD_PRELOAD", so, 1);
    if (!strstr(getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "", "verify_asan_link_order")) {
        char *asan = lkt_fmt("%s%sverify_asan_link_order=0", /* the shim loads before ASan */
                             getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "",
                             getenv("ASAN_OPTIONS") ? ":" : "");
        setenv("ASAN_OPTIONS", asan, 1);
        free(asan);
    }
    setenv("LK_FAULT_OP", op, 1);
    setenv("LK_FAULT_N", num, 1);
    setenv("LK_FAULT_ERRNO", errno_name, 1);
    if (count_file)
        setenv("LK_FAULT_COUNT", count_file, 1);
    else
        unsetenv("LK_FAULT_COUNT");
    free(so);
}

static void disarm(void)
{
    unsetenv("LD_PRELOAD");
    unsetenv("LK_FAULT_OP");
}

static int run(const struct stack *s, const char *ds, const char *out, char **err)
{
    return lkt_run(NULL, err, "%s --quiet --data %s --out %s %s", s->name, ds, out, s->args);
}

static char *results(const char *run_dir)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "results --run %s --out -", run_dir), 0, "results of %s",
                 run_dir);
    return out;
}

/* One line, "lklab STACK: ..." naming a file of the run directory. */
static void check_message(const struct stack *s, const char *err, const char *run_dir,
                          const char *what)
{
    char *prefix = lkt_fmt("lklab %s: ", s->name);
    const char *nl = err ? strchr(err, '\n') : NULL;
    cr_assert(err && strncmp(err, prefix, strlen(prefix)) == 0, "%s: message '%s'", what, err);
    cr_assert(nl && nl[1] == '\0', "%s: not one line: '%s'", what, err);
    cr_assert(strstr(err, run_dir), "%s: the message names no file of the run: '%s'", what, err);
    free(prefix);
}

static void fault_points(const struct stack *s, const char *op, const char *errno_name)
{
    char *name = lkt_fmt("fault-%s-%s", s->name, op), *ds = dataset(), *dir = lkt_tmpdir(name);
    char *clean = lkt_fmt("%s/clean", dir), *count = lkt_fmt("%s/count", dir), *text, *want;
    const char *env = getenv("LKLAB_FAULT_POINTS");
    long total = 0, k = env ? atol(env) : 5, failed = 0;
    arm(op, 0, errno_name, count);
    cr_assert_eq(run(s, ds, clean, NULL), 0);
    disarm();
    text = lkt_slurp(count);
    cr_assert(text && (total = atol(text)) > 0, "a clean %s run makes no %s call", s->name, op);
    want = results(clean);
    if (k <= 0 || k > total)
        k = total;
    for (long i = 0; i < k; i++) {
        long n = k == 1 ? total : 1 + i * (total - 1) / (k - 1);
        char *r = lkt_fmt("%s/r%ld", dir, n),
             *what = lkt_fmt("%s %s %ld of %ld", s->name, op, n, total);
        char *err = NULL, *got;
        int rc;
        arm(op, n, errno_name, NULL);
        rc = run(s, ds, r, &err);
        disarm();
        /* exit 0 only where the failed call loses nothing: SQLite's WAL checkpoint when
           the database closes (the WAL keeps the pages; the next open replays them) */
        cr_assert(rc == 4 || rc == 0, "%s: exit %d (%s)", what, rc, err);
        if (rc == 4)
            check_message(s, err, r, what);
        failed += rc == 4;
        free(err);
        err = NULL;
        cr_assert_eq(run(s, ds, r, &err), 0, "%s: the rerun failed: %s", what, err);
        got = results(r);
        cr_assert_str_eq(got, want, "%s: the rerun differs from the uninterrupted run", what);
        free(got);
        free(err);
        free(what);
        free(r);
    }
    cr_assert_gt(failed, k / 2, "%s %s: only %ld of %ld faults made the run fail", s->name, op,
                 failed, k);
    free(want);
    free(text);
    free(count);
    free(clean);
    free(dir);
    free(ds);
    free(name);
}

Test(fault, kappa_survives_a_failing_write)
{
    fault_points(&kappa, "write", "ENOSPC");
}

Test(fault, kappa_survives_a_failing_fsync)
{
    fault_points(&kappa, "fsync", "EIO");
}

Test(fault, kappa_survives_a_failing_rename)
{
    fault_points(&kappa, "rename", "ENOSPC");
}

Test(fault, lambda_survives_a_failing_write)
{
    fault_points(&lambda, "write", "EIO");
}

Test(fault, lambda_survives_a_failing_fsync)
{
    fault_points(&lambda, "fsync", "ENOSPC");
}

Test(fault, lambda_survives_a_failing_rename)
{
    fault_points(&lambda, "rename", "EIO");
}

Test(fault, help_into_a_full_device_is_exit_4_in_one_line)
{
    static const char *const cmds[] = { "",        "kappa",     "lambda", "gen",     "truth",
                                        "results", "reconcile", "cost",   "latency", "sweep",
                                        "plot",    "report",    "table",  "lab",     "demo" };
    char *dir = lkt_tmpdir("fault-help"), *errfile = lkt_fmt("%s/err", dir);
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        char *cmd = lkt_fmt("%s %s --help </dev/null >/dev/full 2>%s", getenv("LKLAB_BIN"), cmds[i],
                            errfile);
        int st = system(cmd), rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        char *err = lkt_slurp(errfile);
        const char *nl = err ? strchr(err, '\n') : NULL;
        cr_assert_eq(rc, 4, "lklab %s --help >/dev/full: exit %d", cmds[i], rc);
        cr_assert(nl && nl[1] == '\0' && strstr(err, "standard output"),
                  "lklab %s --help >/dev/full: '%s'", cmds[i], err);
        free(err);
        free(cmd);
    }
    free(errfile);
    free(dir);
}
