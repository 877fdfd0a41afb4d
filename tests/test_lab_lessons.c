/*
 * The lessons lab 10 teaches (labs/10-sources-and-continuous/README.md), checked on lklab
 * itself so that the README says only what the engine does (labs 07 and 08 have theirs in
 * test_kp_cap.c, test_kp_watermark.c and test_lk_reconcile.c):
 *   - the files source's batches that read nothing are no-data batches run after a batch
 *     that moved the watermark (Spark's shouldRunAnotherBatch), not empty landing files;
 *   - a continuous run is busy a fraction of a 10-second micro-batch run's time but its
 *     compute is billed like it: a cluster is billed for the hours it is on.
 * Expected relations come from the progress table and the landing directory, not from a
 * number lklab prints about itself.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "banned.h"

/* 3,000 events over 2 hours, a landing file per partition every 5 minutes. */
static char *lessons_dataset(void)
{
    return lkt_dataset("lessons", "--scenario clickstream --events 3000 --span 2h "
                                  "--drop-every 5m --seed 7");
}

Test(lab_lessons, files_batches_without_input_are_no_data_batches_after_a_watermark_move)
{
    char *ds = lessons_dataset(), *dir = lkt_tmpdir("lessons-files");
    char *run = lkt_fmt("%s/files", dir), *cmd;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "kappa --quiet --durability process --data %s --pipeline "
                         "revenue --output-mode update --source files --trigger 10s "
                         "--out %s",
                         ds, run),
                 0);
    /* no landing file is empty */
    cmd = lkt_fmt("test -d %s/landing && test -z \"$(find %s/landing -type f -empty)\"", ds, ds);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
    /* some batches read nothing, none of them first, and each follows a batch that read
     * data and moved the watermark; they write nothing in update mode */
    cr_assert_gt(lkt_query_int(run, "SELECT count(*) FROM progress WHERE input_rows = 0"), 0);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM progress WHERE input_rows = 0 AND "
                                    "batch_id = (SELECT min(batch_id) FROM progress)"),
                 0);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM progress p JOIN progress q ON "
                                    "q.version = p.version AND q.batch_id = p.batch_id - 1 "
                                    "WHERE p.input_rows = 0 AND (q.input_rows = 0 OR "
                                    "p.watermark <= q.watermark)"),
                 0);
    cr_assert_eq(lkt_query_int(run, "SELECT coalesce(sum(output_rows), 0) FROM progress WHERE "
                                    "input_rows = 0"),
                 0);
    free(run);
    free(dir);
    free(ds);
}

/* The compute (USD a month) of 'lklab cost --run RUN --format csv'. */
static double compute_usd(const char *run)
{
    char *out = NULL, *at;
    double usd;
    cr_assert_eq(lkt_run(&out, NULL, "cost --run %s --format csv", run), 0);
    at = strstr(out, ",compute,");
    cr_assert(at, "%s", out);
    usd = strtod(at + strlen(",compute,"), NULL);
    free(out);
    return usd;
}

Test(lab_lessons, a_continuous_run_is_hardly_busy_but_billed_like_a_10s_micro_batch_run)
{
    char *ds = lessons_dataset(), *dir = lkt_tmpdir("lessons-cont");
    char *cont = lkt_fmt("%s/continuous", dir), *micro = lkt_fmt("%s/log", dir);
    long long busy_cont, busy_micro;
    double usd_cont, usd_micro;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "kappa --quiet --durability process --data %s --pipeline "
                         "revenue --output-mode update --trigger continuous --out %s",
                         ds, cont),
                 0);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "kappa --quiet --durability process --data %s --pipeline "
                         "revenue --output-mode update --trigger 10s --out %s",
                         ds, micro),
                 0);
    busy_cont = lkt_query_int(cont, "SELECT sum(modelled_ms) FROM progress");
    busy_micro = lkt_query_int(micro, "SELECT sum(modelled_ms) FROM progress");
    usd_cont = compute_usd(cont);
    usd_micro = compute_usd(micro);
    cr_assert(busy_cont > 0 && busy_cont * 100 < busy_micro, "busy %lld vs %lld ms", busy_cont,
              busy_micro);
    cr_assert(usd_cont >= 0.9 * usd_micro && usd_cont <= 1.1 * usd_micro,
              "compute %.2f vs %.2f USD", usd_cont, usd_micro);
    free(cont);
    free(micro);
    free(dir);
    free(ds);
}
