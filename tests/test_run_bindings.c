/*
 * Never a silently wrong answer, what issue 12 left (each reproduced first, each failing
 * on the code before the fix): Lambda bound to its dataset's identity and not to its path;
 * a Kappa restart over a log rewritten in place; `lklab results` on a Lambda run whose
 * serving.db was emptied or replaced; `lklab reconcile` on a run that is running or
 * unfinished. (At-least-once counting its lines once: tests/test_kp_metrics.c.)
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "kp_test.h"
#include "lk_lock.h"
#include "banned.h"

#define GEN "gen --quiet --scenario clickstream --events 2000 --span 6h --partitions 2"
#define LAMBDA "lambda --quiet --pipeline revenue --batch-every 1h"

/* One line of stderr, and it holds want. */
static void expect_one_line(const char *err, const char *want)
{
    cr_assert_not_null(err);
    cr_expect(strstr(err, want), "'%s' not in: %s", want, err);
    cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "one line: %s", err);
}

Test(run_bindings, lambda_refuses_another_dataset_generated_at_the_same_path)
{
    char *dir = lkt_tmpdir("bind-lambda"), *ds = lkt_fmt("%s/ds", dir),
         *run = lkt_fmt("%s/run", dir);
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, NULL, GEN " --seed 1 --out %s", ds), 0);
    cr_assert_neq(lkt_run(NULL, NULL, LAMBDA " --data %s --out %s --crash-after batch:2", ds, run),
                  0, "the process must die");
    cr_assert_eq(lkt_run(NULL, NULL, GEN " --seed 2 --out %s", ds), 0); /* same path, other data */
    cr_assert_eq(lkt_run(NULL, &err, LAMBDA " --data %s --out %s", ds, run), 2);
    expect_one_line(err, "was started on another dataset than the one now at --data");
    free(err);
    free(run);
    free(ds);
    free(dir);
}

/* Rewrite path IN PLACE (same inode): lines before k kept, line k replaced by line and the
   rest kept, or (line NULL) everything from line k on dropped. */
static void rewrite_in_place(const char *path, long k, const char *line)
{
    char *text = lkt_slurp(path), *p = text, *end;
    FILE *fp;
    cr_assert_not_null(text);
    for (long i = 0; i < k; i++)
        p = strchr(p, '\n') + 1;
    end = strchr(p, '\n');
    fp = fopen(path, "r+"); /* truncates nothing, keeps the inode */
    cr_assert_not_null(fp);
    cr_assert_eq(ftruncate(fileno(fp), 0), 0);
    fwrite(text, 1, (size_t)(p - text), fp);
    if (line) {
        fputs(line, fp);
        fputs(end, fp);
    }
    fclose(fp);
    free(text);
}

#define EVT(id, et, at)                                                                            \
    "{\"event_id\":\"" id "\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"view\",\"value\":1,"      \
    "\"event_time\":\"2026-01-01T00:00:" et "Z\",\"arrival_time\":\"2026-01-01T12:" at "Z\"}"
static const char FIXTURE[] =
    EVT("a", "15.000", "00:01.000") "\n" EVT("b", "10.000", "02:01.000") "\n" EVT(
        "c", "12.000", "02:01.001") "\n" EVT("d", "14.000", "02:01.002") "\n" EVT("e", "25.000",
                                                                                  "04:01.000") "\n";
static const char W5[] = "{ \"name\": \"w5\", \"group_by\": [], \"window\": { \"kind\": "
                         "\"tumbling\", \"size\": \"5s\" }, \"aggregates\": "
                         "[ {\"fn\":\"count\", \"as\":\"n\"} ] }";
#define KARGS "--trigger 1m --cost-model none --watermark 10s"

Test(run_bindings, kappa_refuses_a_restart_over_a_log_rewritten_in_place)
{
    char *dir = lkt_tmpdir("bind-inplace"), *data = lkt_fmt("%s/data.jsonl", dir);
    char *spec = lkt_fmt("%s/spec.json", dir), *run = lkt_fmt("%s/run", dir), *err = NULL;
    lkt_write(spec, W5);
    lkt_write(data, FIXTURE);
    cr_assert_eq(kpt_kappa(data, spec, run, KARGS), 0);
    /* d, the last line batch 2 read, becomes another event (same length) */
    rewrite_in_place(data, 3, EVT("d", "19.000", "02:01.002"));
    cr_assert_eq(lkt_run(NULL, &err, "kappa --quiet --data %s --pipeline %s --out %s " KARGS, data,
                         spec, run),
                 3);
    expect_one_line(err, "no longer holds the line batch 2 read up to byte");
    free(err);
    err = NULL;
    /* truncated in place to its first two lines */
    lkt_write(data, FIXTURE);
    rewrite_in_place(data, 2, NULL);
    cr_assert_eq(lkt_run(NULL, &err, "kappa --quiet --data %s --pipeline %s --out %s " KARGS, data,
                         spec, run),
                 3);
    expect_one_line(err, "(rewritten or truncated in place)");
    free(err);
    err = NULL;
    /* grown (a stream has more data): read on */
    lkt_write(data, FIXTURE);
    cr_assert_eq(kpt_kappa(data, spec, run, KARGS), 0);
    free(run);
    free(spec);
    free(data);
    free(dir);
}

Test(run_bindings, lambda_refuses_a_restart_over_a_log_rewritten_in_place)
{
    char *dir = lkt_tmpdir("bind-lbinplace"), *ds = lkt_fmt("%s/ds", dir);
    char *run = lkt_fmt("%s/run", dir), *part = lkt_fmt("%s/log/p-00000.jsonl", ds), *err = NULL;
    char *text, *line, *copy, *end;
    long k;
    cr_assert_eq(lkt_run(NULL, NULL, GEN " --seed 1 --out %s", ds), 0);
    cr_assert_neq(lkt_run(NULL, NULL, LAMBDA " --data %s --out %s --crash-after batch:2", ds, run),
                  0);
    k = (long)lkt_query_int(run, "SELECT line FROM master_pos WHERE part = 0") - 1;
    cr_assert_gt(k, 0);
    text = lkt_slurp(part); /* the last line the master read, its event_id's 'c-' made 'C-' */
    line = text;
    for (long i = 0; i < k; i++)
        line = strchr(line, '\n') + 1;
    end = strchr(line, '\n');
    copy = lkt_fmt("%.*s", (int)(end - line), line);
    cr_assert_not_null(strstr(copy, "\"c-"));
    strstr(copy, "\"c-")[1] = 'C';
    rewrite_in_place(part, k, copy);
    cr_assert_eq(lkt_run(NULL, &err, LAMBDA " --data %s --out %s", ds, run), 3);
    expect_one_line(err, "no longer holds the line the master dataset read up to byte");
    free(err);
    free(copy);
    free(text);
    free(part);
    free(run);
    free(ds);
    free(dir);
}

Test(run_bindings, lambda_results_refuse_a_serving_db_emptied_or_replaced_after_the_run)
{
    char *dir = lkt_tmpdir("bind-lbdb"), *ds = lkt_fmt("%s/ds", dir), *run = lkt_fmt("%s/run", dir);
    char *old = lkt_fmt("%s/old", dir), *db = lkt_fmt("%s/serving.db", run), *err = NULL, *cmd;
    cr_assert_eq(lkt_run(NULL, NULL, GEN " --seed 1 --out %s", ds), 0);
    cr_assert_eq(lkt_run(NULL, NULL, LAMBDA " --data %s --out %s", ds, run), 0);
    cr_assert_eq(lkt_run(NULL, NULL, "results --run %s --out /dev/null", run), 0);
    {
        struct stat st; /* written through, not replaced by a file renamed over it */
        cr_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null was replaced");
    }
    /* an older copy: the same run stopped after batch job 2, its database (and WAL) copied over */
    cr_assert_neq(lkt_run(NULL, NULL, LAMBDA " --data %s --out %s --crash-after batch:2", ds, old),
                  0);
    cmd = lkt_fmt("rm -f %s-wal %s-shm && cp %s/serving.db %s && (cp %s/serving.db-wal %s-wal || "
                  "true)",
                  db, db, old, db, old, db);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --out /dev/null", run), 3);
    expect_one_line(err, "is inconsistent: run.json counts");
    free(err);
    err = NULL;
    free(cmd);
    cmd = lkt_fmt("rm -f %s-wal %s-shm && : > %s", db, db, db); /* truncated to 0 */
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lkt_run(NULL, &err, "results --run %s --out /dev/null", run), 3);
    expect_one_line(err, "serving.db holds no Lambda tables");
    free(err);
    free(cmd);
    free(db);
    free(old);
    free(run);
    free(ds);
    free(dir);
}

Test(run_bindings, reconcile_says_a_run_is_running_or_unfinished)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("bind-reconcile"), *run = lkt_fmt("%s/run", dir);
    char *truth = lkt_fmt("%s/truth.csv", dir), *err = NULL;
    struct lk_lock lock = LK_LOCK_INIT;
    cr_assert_eq(
        lkt_run(NULL, NULL, "truth --quiet --data %s --pipeline revenue --out %s", ds, truth), 0);
    cr_assert_neq(kpt_kappa(ds, "revenue", run,
                            "--trigger 10m --watermark 10m --crash-after "
                            "30:committed"),
                  0);
    cr_assert_eq(lkt_run(NULL, &err, "reconcile --run %s --truth %s", run, truth), 3);
    expect_one_line(err, "is unfinished (no run.json: it crashed or was stopped");
    free(err);
    err = NULL;
    cr_assert_eq(lk_lock_take(&lock, run, NULL), 0); /* as a running process holds it */
    cr_assert_eq(lkt_run(NULL, &err, "reconcile --run %s --truth %s", run, truth), 3);
    expect_one_line(err, "is still running (process");
    lk_lock_release(&lock);
    free(err);
    free(truth);
    free(run);
    free(dir);
    free(ds);
}
