/*
 * A run directory is one run's (issue 12, points 1-4): the lock (two processes on one RUN,
 * started together), `lklab results` on a running or unfinished run, a Kappa restart
 * checked against its sink's ledger (serving.db deleted, emptied, its -wal lost, an older
 * copy), a checkpoint bound to its pipeline content, dataset and run, and every
 * offsets/state/commits file bound to its run and batch. Lambda refuses the same cases.
 * Every refusal must be an exit code other than 0 with one line naming both sides.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kp_test.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_lock.h"
#include "lk_mem.h"
#include "banned.h"

/* Quick Kappa runs: update mode, 10-minute triggers, no fsync (the lock and checks are the same).
 */
#define KARGS "--trigger 10m --output-mode update --durability process"

static int kappa(const char *ds, const char *run, const char *extra, char **err)
{
    return lkt_run(NULL, err, "kappa --quiet --data %s --pipeline revenue --out %s " KARGS " %s",
                   ds, run, extra);
}

static int lambda(const char *ds, const char *run, const char *extra, char **err)
{
    return lkt_run(NULL, err, "lambda --quiet --data %s --pipeline revenue --out %s %s", ds, run,
                   extra);
}

/* Run a shell command (file surgery on a run); it must succeed. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char *cmd;
    va_list ap, ap2;
    int n;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    cmd = lk_xmalloc((size_t)n + 1);
    vsnprintf(cmd, (size_t)n + 1, fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
}

/* A second dataset (another seed): the same shape, other events. */
static char *other_dataset(void)
{
    return lkt_dataset("kp20k-seed8", "--scenario clickstream --events 20000 --drop-every 10m "
                                      "--seed 8");
}

/* ------------------------------------------------------------ the lock ---- */

/*
 * Two processes started together on one RUN (the shell starts both, then waits for both):
 * one runs, the other exits 2 naming the run and "in use by process"; the survivor's
 * answer is an uninterrupted run's.
 */
static void two_at_once(const char *a1, const char *a2, const char *run, const char *dir,
                        const char *want_table, const char *want)
{
    const char *bin = getenv("LKLAB_BIN") ? getenv("LKLAB_BIN") : "bin/lklab";
    char *e1, *e2, *r1s, *r2s, *got;
    int r1, r2;
    sh("%s %s </dev/null >/dev/null 2>%s/err1 & p1=$!; %s %s </dev/null >/dev/null 2>%s/err2 & "
       "p2=$!; wait $p1; echo $? >%s/rc1; wait $p2; echo $? >%s/rc2",
       bin, a1, dir, bin, a2, dir, dir, dir);
    e1 = lkt_slurpf("%s/err1", dir);
    e2 = lkt_slurpf("%s/err2", dir);
    r1s = lkt_slurpf("%s/rc1", dir);
    r2s = lkt_slurpf("%s/rc2", dir);
    r1 = atoi(r1s);
    r2 = atoi(r2s);
    cr_assert((r1 == 0 && r2 == 2) || (r1 == 2 && r2 == 0), "exits %d and %d (%s | %s)", r1, r2, e1,
              e2);
    cr_assert(strstr(r1 == 2 ? e1 : e2, "is in use by process"), "%s | %s", e1, e2);
    cr_assert(strstr(r1 == 2 ? e1 : e2, run), "names the run: %s | %s", e1, e2);
    cr_assert_eq(lkt_run(&got, NULL, "results --run %s --table %s --out -", run, want_table), 0);
    cr_assert(got && strcmp(got, want) == 0, "the survivor's answer differs from the truth");
    free(got);
    free(r1s);
    free(r2s);
    free(e1);
    free(e2);
}

Test(runlock, two_kappa_processes_on_one_run_directory_one_is_refused_naming_the_holder)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("two-kappa"), *run = lkt_fmt("%s/run", dir);
    char *want = kpt_truth(ds, "revenue");
    /* without a watermark nothing is late: either trigger's answer is the truth */
    char *a1 = lkt_fmt("kappa --quiet --data %s --pipeline revenue --out %s --trigger 1m "
                       "--output-mode update --watermark none",
                       ds, run);
    char *a2 = lkt_fmt("kappa --quiet --data %s --pipeline revenue --out %s --trigger 2m "
                       "--output-mode update --watermark none",
                       ds, run);
    cr_assert_not_null(want);
    /* the fsync'd run takes seconds, so the second process starts while the first holds RUN */
    two_at_once(a1, a2, run, dir, "output", want);
    free(want);
    free(a1);
    free(a2);
    free(run);
    free(dir);
    free(ds);
}

Test(runlock, two_lambda_processes_on_one_run_directory_one_is_refused_naming_the_holder)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("two-lambda"), *run = lkt_fmt("%s/run", dir);
    char *a = lkt_fmt("lambda --quiet --data %s --pipeline revenue --out %s", ds, run);
    char *truth = kpt_truth(ds, "revenue");
    cr_assert_not_null(truth);
    two_at_once(a, a, run, dir, "serving", truth);
    free(truth);
    free(a);
    free(run);
    free(dir);
    free(ds);
}

/* A lock held by this process: kappa and lambda are refused with our pid, results says running. */
Test(runlock, a_held_lock_refuses_both_stacks_and_results_with_the_holders_pid)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("held"), *kr = lkt_fmt("%s/k", dir);
    char *lr = lkt_fmt("%s/l", dir), *pid = lkt_fmt("process %ld", (long)getpid()), *err;
    struct lk_lock lk = LK_LOCK_INIT, ll = LK_LOCK_INIT;
    cr_assert_eq(kappa(ds, kr, "", NULL), 0);
    cr_assert_eq(lambda(ds, lr, "", NULL), 0);
    cr_assert_eq(lk_lock_take(&lk, kr, NULL), 0);
    cr_assert_eq(lk_lock_take(&ll, lr, NULL), 0);
    cr_assert_eq(kappa(ds, kr, "", &err), 2);
    cr_assert(strstr(err, pid), "%s", err);
    free(err);
    cr_assert_eq(lambda(ds, lr, "", &err), 2);
    cr_assert(strstr(err, pid), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --out -", kr), 1);
    cr_assert(strstr(err, "still running") && strstr(err, pid) && strstr(err, "--partial"), "%s",
              err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --out -", lr), 1);
    cr_assert(strstr(err, "still running"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, NULL, "results --run %s --partial --out -", kr), 0);
    lk_lock_release(&lk);
    lk_lock_release(&ll);
    cr_assert_eq(lkt_run(NULL, NULL, "results --run %s --out -", kr), 0, "released: finished");
    cr_assert_eq(lkt_run(NULL, NULL, "results --run %s --out -", lr), 0);
    free(pid);
    free(lr);
    free(kr);
    free(dir);
    free(ds);
}

/*
 * For a moment after a process takes the lock, the lock file still holds an earlier
 * holder's pid (or none): the refusal must not name that dead process. Here the lock is
 * held through a second open file description of this process, the file naming a process
 * that has ended; then naming this one.
 */
Test(runlock, a_refusal_never_names_a_dead_process)
{
    char *dir = lkt_tmpdir("dead-pid"), *path = lkt_fmt("%s/%s", dir, LK_LOCK_NAME), *dead;
    struct lk_lock l = LK_LOCK_INIT;
    struct lk_err err = LK_ERR_INIT;
    long pid = 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), st = 0;
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0)
        _exit(0);
    cr_assert_eq(waitpid(child, &st, 0), child);
    dead = lkt_fmt("%ld\n", (long)child);
    cr_assert(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
    cr_assert_eq(pwrite(fd, dead, strlen(dead), 0), (ssize_t)strlen(dead));
    cr_assert_eq(lk_lock_take(&l, dir, &err), LK_EUSAGE);
    cr_expect(strstr(err.msg, "in use by another process"), "%s", err.msg);
    cr_assert_eq(lk_lock_holder(dir, &pid, &err), 1);
    cr_expect_eq(pid, 0, "named the dead process %ld", pid);
    free(dead);
    dead = lkt_fmt("%ld\n", (long)getpid());
    cr_assert_eq(pwrite(fd, dead, strlen(dead), 0), (ssize_t)strlen(dead));
    cr_assert_eq(ftruncate(fd, (off_t)strlen(dead)), 0);
    cr_assert_eq(lk_lock_holder(dir, &pid, &err), 1);
    cr_expect_eq(pid, (long)getpid());
    close(fd);
    free(dead);
    free(path);
    free(dir);
}

Test(runlock, results_on_a_crashed_run_of_either_stack_exits_1_unless_partial)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("crashed"), *kr = lkt_fmt("%s/k", dir);
    char *lr = lkt_fmt("%s/l", dir), *err;
    cr_assert_neq(kappa(ds, kr, "--crash-after 5:committed", NULL), 0);
    cr_assert_neq(lambda(ds, lr, "--crash-after batch:2", NULL), 0);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --out -", kr), 1);
    cr_assert(strstr(err, "unfinished") && strstr(err, "--partial"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --out -", lr), 1);
    cr_assert(strstr(err, "unfinished"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, NULL, "results --run %s --partial --out -", kr), 0);
    cr_assert_eq(lkt_run(NULL, NULL, "results --run %s --partial --out -", lr), 0);
    free(lr);
    free(kr);
    free(dir);
    free(ds);
}

/* ------------------------------------------------- checkpoint vs sink ---- */

/* A Kappa run crashed after batch 60's commit, and its clean answer. */
struct crashed {
    char *ds, *dir, *run, *want;
};

static struct crashed crashed_at(const char *name, int batch)
{
    struct crashed c = { kpt_dataset(), lkt_tmpdir(name), NULL, NULL };
    char *clean = lkt_fmt("%s/clean", c.dir), *crash = lkt_fmt("--crash-after %d:committed", batch);
    c.run = lkt_fmt("%s/run", c.dir);
    cr_assert_eq(kappa(c.ds, clean, "", NULL), 0);
    c.want = kpt_results(clean, "output");
    cr_assert_neq(kappa(c.ds, c.run, crash, NULL), 0);
    free(crash);
    free(clean);
    return c;
}

static void crashed_free(struct crashed *c)
{
    free(c->want);
    free(c->run);
    free(c->dir);
    free(c->ds);
}

/* The restart must exit 3 naming the checkpoint and the serving database. */
static void refused_by_ledger(struct crashed *c)
{
    char *err;
    cr_assert_eq(kappa(c->ds, c->run, "", &err), 3, "%s", err);
    cr_assert(strstr(err, "/checkpoint'") && strstr(err, "serving.db'"), "%s", err);
    free(err);
}

Test(runlock, kappa_refuses_a_restart_after_serving_db_was_deleted)
{
    struct crashed c = crashed_at("db-deleted", 60);
    sh("rm -f %s/serving.db %s/serving.db-wal %s/serving.db-shm", c.run, c.run, c.run);
    refused_by_ledger(&c);
    crashed_free(&c);
}

Test(runlock, kappa_refuses_a_restart_after_serving_db_was_truncated_to_0)
{
    struct crashed c = crashed_at("db-empty", 60);
    sh("rm -f %s/serving.db-wal %s/serving.db-shm", c.run, c.run);
    sh(": > %s/serving.db", c.run);
    refused_by_ledger(&c);
    crashed_free(&c);
}

Test(runlock, kappa_refuses_a_restart_after_serving_db_lost_its_wal)
{
    struct crashed c = crashed_at("db-nowal", 60);
    sh("rm -f %s/serving.db-wal %s/serving.db-shm", c.run, c.run);
    refused_by_ledger(&c);
    crashed_free(&c);
}

Test(runlock, kappa_refuses_a_restart_with_an_older_copy_of_serving_db)
{
    struct crashed c = crashed_at("db-older", 20);
    char *old = lkt_fmt("%s/old", c.dir);
    sh("mkdir %s && cp %s/serving.db %s/serving.db-wal %s/", old, c.run, c.run, old);
    cr_assert_neq(kappa(c.ds, c.run, "--crash-after 60:committed", NULL), 0);
    sh("rm -f %s/serving.db-shm && cp %s/serving.db %s/serving.db-wal %s/", c.run, old, old, c.run);
    refused_by_ledger(&c);
    free(old);
    crashed_free(&c);
}

Test(runlock, kappa_results_refuses_a_finished_run_whose_serving_db_was_replaced)
{
    struct crashed c = crashed_at("db-after", 20);
    char *old = lkt_fmt("%s/old", c.dir), *err;
    sh("mkdir %s && cp %s/serving.db %s/serving.db-wal %s/", old, c.run, c.run, old);
    cr_assert_eq(kappa(c.ds, c.run, "", NULL), 0);
    cr_assert_eq(lkt_run(NULL, NULL, "results --run %s --out -", c.run), 0);
    sh("rm -f %s/serving.db-shm && cp %s/serving.db %s/serving.db-wal %s/", c.run, old, old, c.run);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --out -", c.run), 3, "%s", err);
    cr_assert(strstr(err, "run.json counts") && strstr(err, "serving.db holds"), "%s", err);
    free(err);
    free(old);
    crashed_free(&c);
}

Test(runlock, kappa_refuses_a_restart_after_the_lake_lost_its_files)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("lake-gone"), *run = lkt_fmt("%s/run", dir);
    char *lake = lkt_fmt("%s/lake", dir), *args, *err;
    args = lkt_fmt("kappa --quiet --data %s --pipeline revenue --out %s --lake %s --trigger 10m "
                   "--durability process",
                   ds, run, lake);
    cr_assert_neq(lkt_run(NULL, NULL, "%s --crash-after 30:committed", args), 0);
    sh("rm -rf %s", lake);
    cr_assert_eq(lkt_run(NULL, &err, "%s", args), 3, "%s", err);
    cr_assert(strstr(err, "lake") && strstr(err, "serving.db'"), "%s", err);
    free(err);
    free(args);
    free(lake);
    free(run);
    free(dir);
    free(ds);
}

Test(runlock, kappa_refuses_another_runs_serving_db)
{
    struct crashed c = crashed_at("db-other", 60);
    char *other = lkt_fmt("%s/other", c.dir), *err;
    cr_assert_neq(kappa(c.ds, other, "--crash-after 60:committed", NULL), 0);
    sh("rm -f %s/serving.db* && cp %s/serving.db %s/serving.db-wal %s/", c.run, other, other,
       c.run);
    cr_assert_eq(kappa(c.ds, c.run, "", &err), 3, "%s", err);
    cr_assert(strstr(err, "serving.db") && strstr(err, "another run"), "%s", err);
    free(err);
    free(other);
    crashed_free(&c);
}

Test(runlock, kappa_restart_after_every_phase_still_recovers_and_says_where)
{
    static const char *const phases[] = { "planned", "processed", "sink-committed", "committed" };
    for (size_t i = 0; i < 4; i++) {
        char *dir = lkt_tmpdir(phases[i]), *run = lkt_fmt("%s/run", dir), *err, *got;
        char *crash = lkt_fmt("--crash-after 30:%s", phases[i]), *ds = kpt_dataset();
        char *clean = lkt_fmt("%s/clean", dir), *want, *note;
        cr_assert_eq(kappa(ds, clean, "", NULL), 0);
        want = kpt_results(clean, "output");
        cr_assert_neq(kappa(ds, run, crash, NULL), 0);
        cr_assert_eq(kappa(ds, run, "", &err), 0, "%s: %s", phases[i], err);
        note = lkt_fmt("resuming from batch %d (checkpoint in %s/checkpoint)",
                       strcmp(phases[i], "committed") == 0 ? 31 : 30, run);
        cr_assert(strstr(err, note), "%s: %s", phases[i], err);
        got = kpt_results(run, "output");
        cr_assert(got && want && strcmp(got, want) == 0, "%s", phases[i]);
        free(note);
        free(got);
        free(want);
        free(clean);
        free(err);
        free(crash);
        free(ds);
        free(run);
        free(dir);
    }
}

/* ----------------------------------------------- checkpoint binding ---- */

Test(runlock, kappa_refuses_the_spec_edited_under_the_same_name)
{
    struct crashed c = crashed_at("spec-edit", 20);
    char *spec = lkt_slurpf("%s/datasets/pipelines/revenue.json", lkt_root()), *p, *err;
    char *path = lkt_fmt("%s/revenue.json", c.dir);
    cr_assert_not_null(p = strstr(spec, "\"1m\""));
    p[1] = '5'; /* 1m windows become 5m windows, the name stays revenue */
    lkt_write(path, spec);
    cr_assert_eq(lkt_run(NULL, &err, "kappa --quiet --data %s --pipeline %s --out %s " KARGS, c.ds,
                         path, c.run),
                 2, "%s", err);
    cr_assert(strstr(err, "pipeline_content") && strstr(err, "checkpoint/metadata"), "%s", err);
    free(err);
    free(path);
    free(spec);
    crashed_free(&c);
}

Test(runlock, kappa_refuses_another_dataset)
{
    struct crashed c = crashed_at("other-data", 20);
    char *other = other_dataset(), *err;
    cr_assert_eq(kappa(other, c.run, "", &err), 2, "%s", err);
    cr_assert(strstr(err, "dataset"), "%s", err);
    free(err);
    free(other);
    crashed_free(&c);
}

Test(runlock, kappa_allows_another_trigger_on_restart)
{
    struct crashed c = crashed_at("trigger", 20);
    char *err;
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --quiet --data %s --pipeline revenue --out %s "
                         "--output-mode update --durability process --trigger 5m",
                         c.ds, c.run),
                 0, "%s", err);
    free(err);
    crashed_free(&c);
}

/* Replace FILE of c's checkpoint by from's; the restart exits 3 naming the file and why. */
static void swapped(struct crashed *c, const char *file, const char *from, const char *why)
{
    char *err, *path = lkt_fmt("%s/checkpoint/%s", c->run, file);
    sh("cp %s %s", from, path);
    cr_assert_eq(kappa(c->ds, c->run, "", &err), 3, "%s", err);
    cr_assert(strstr(err, path) && strstr(err, why), "%s", err);
    free(err);
    free(path);
}

Test(runlock, kappa_refuses_state_n_replaced_by_state_n_minus_1)
{
    struct crashed c = crashed_at("state-prev", 40);
    char *from = lkt_fmt("%s/checkpoint/state/39", c.run);
    swapped(&c, "state/40", from, "holds batch 39, not 40");
    free(from);
    crashed_free(&c);
}

/* Another run with the same data and options, crashed at the same batch. */
static char *twin(struct crashed *c)
{
    char *other = lkt_fmt("%s/twin", c->dir);
    cr_assert_neq(kappa(c->ds, other, "--crash-after 40:committed", NULL), 0);
    return other;
}

Test(runlock, kappa_refuses_another_runs_state_offsets_and_commits)
{
    static const char *const files[] = { "state/40", "offsets/40", "commits/40" };
    static const char *const names[] = { "twin-state", "twin-offsets", "twin-commits" };
    for (size_t i = 0; i < 3; i++) {
        struct crashed c = crashed_at(names[i], 40);
        char *other = twin(&c), *from = lkt_fmt("%s/checkpoint/%s", other, files[i]);
        swapped(&c, files[i], from, "belongs to run");
        free(from);
        free(other);
        crashed_free(&c);
    }
}

Test(runlock, a_file_that_is_no_dataset_leaves_no_run_directory)
{
    char *dir = lkt_tmpdir("csv"), *csv = lkt_fmt("%s/x.csv", dir), *run = lkt_fmt("%s/run", dir);
    char *err;
    lkt_write(csv, "tenant,value\nacme,1\n");
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --quiet --data %s --pipeline revenue --out %s "
                         "--output-mode update",
                         csv, run),
                 3, "%s", err);
    cr_assert(strstr(err, csv), "%s", err);
    cr_assert_not(lk_is_dir(run), "no half-made run directory");
    free(err);
    free(run);
    free(csv);
    free(dir);
}

/* ------------------------------------------------------------ Lambda ---- */

/* A Lambda run crashed inside batch job 3, and a copy of it taken after job 1. */
static void lambda_crashed(const char *ds, const char *run, const char *old)
{
    cr_assert_neq(lambda(ds, run, "--crash-after batch:1", NULL), 0);
    sh("cp -r %s %s", run, old);
    cr_assert_neq(lambda(ds, run, "--crash-after batch:3", NULL), 0);
}

Test(runlock, lambda_refuses_another_dataset_and_an_edited_spec)
{
    char *ds = kpt_dataset(), *other = other_dataset(), *dir = lkt_tmpdir("lb-bind");
    char *run = lkt_fmt("%s/run", dir),
         *spec = lkt_slurpf("%s/datasets/pipelines/revenue.json", lkt_root());
    char *path = lkt_fmt("%s/revenue.json", dir), *p, *err;
    cr_assert_neq(lambda(ds, run, "--crash-after batch:2", NULL), 0);
    cr_assert_eq(lambda(other, run, "", &err), 2, "%s", err);
    cr_assert(strstr(err, "--data"), "%s", err);
    free(err);
    cr_assert_not_null(p = strstr(spec, "\"1m\""));
    p[1] = '5';
    lkt_write(path, spec);
    cr_assert_eq(
        lkt_run(NULL, &err, "lambda --quiet --data %s --pipeline %s --out %s", ds, path, run), 2,
        "%s", err);
    cr_assert(strstr(err, "--pipeline"), "%s", err);
    free(err);
    free(path);
    free(spec);
    free(run);
    free(dir);
    free(other);
    free(ds);
}

/* A damage done to a crashed Lambda run: a shell command (RUN and OLD stand for the run
   and its copy after job 1), the exit code it must cause (-1: any but 0; RIGHT_OR_REFUSED:
   that code, or 0 with the truth as the answer) and what the message must say (NULL:
   anything). */
#define RIGHT_OR_REFUSED(rc) (1000 + (rc))
struct damage {
    const char *sh, *says;
    int rc;
};

/* Crash a Lambda run, then for each damage in turn: damage it, expect the refusal, undo. */
static void lambda_refuses(const char *name, const struct damage *d, size_t n)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir(name), *run = lkt_fmt("%s/run", dir);
    char *old = lkt_fmt("%s/old", dir);
    lambda_crashed(ds, run, old);
    for (size_t i = 0; i < n; i++) {
        struct lk_buf cmd = LK_BUF_INIT;
        char *err = NULL;
        int rc;
        for (const char *p = d[i].sh; *p; p++) {
            if (strncmp(p, "RUN", 3) == 0 || strncmp(p, "OLD", 3) == 0) {
                lk_buf_adds(&cmd, *p == 'R' ? run : old);
                p += 2;
            } else {
                lk_buf_addch(&cmd, *p);
            }
        }
        sh("cp -r %s %s.keep && %s", run, run, cmd.s);
        rc = lambda(ds, run, "", &err);
        if (d[i].rc >= RIGHT_OR_REFUSED(0) && rc == 0) {
            char *got = NULL, *truth = kpt_truth(ds, "revenue");
            cr_assert_eq(lkt_run(&got, NULL, "results --run %s --out -", run), 0);
            cr_assert(truth && got && strcmp(got, truth) == 0, "%s: exit 0 with a wrong answer",
                      d[i].sh);
            free(got);
            free(truth);
        } else {
            int want = d[i].rc >= RIGHT_OR_REFUSED(0) ? d[i].rc - RIGHT_OR_REFUSED(0) : d[i].rc;
            cr_assert(want < 0 ? rc != 0 : rc == want, "%s: exit %d: %s", d[i].sh, rc, err);
            cr_assert(!d[i].says || strstr(err, d[i].says), "%s: %s", d[i].sh, err);
        }
        sh("rm -rf %s && mv %s.keep %s", run, run, run);
        lk_buf_release(&cmd);
        free(err);
    }
    free(old);
    free(run);
    free(dir);
    free(ds);
}

Test(runlock, lambda_refuses_serving_db_lost_its_wal_or_an_older_copy)
{
    /* Without its -wal the database is as of its last WAL checkpoint: behind the speed
       checkpoint (refused), or, when SQLite checkpointed after the speed layer's last
       checkpoint file, a consistent state the restart continues from to the right answer
       (which of the two depends on where the crash fell between checkpoints). */
    static const struct damage d[] = {
        { "rm -f RUN/serving.db-wal RUN/serving.db-shm", "ahead of the serving database",
          RIGHT_OR_REFUSED(3) },
        { "rm -f RUN/serving.db* && cp OLD/serving.db OLD/serving.db-wal RUN/",
          "ahead of the serving database", 3 },
    };
    lambda_refuses("lb-db", d, 2);
}

Test(runlock, lambda_refuses_a_restart_after_serving_db_was_deleted_or_emptied)
{
    static const struct damage d[] = {
        { "rm -f RUN/serving.db*", NULL, -1 },
        { "rm -f RUN/serving.db-* && : > RUN/serving.db", NULL, 3 },
    };
    lambda_refuses("lb-gone", d, 2);
}
