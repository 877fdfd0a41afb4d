/* cmp_reconcile: a run's answer as a result table, and a whole run's report in one call. */
#include <stdio.h>
#include <stdlib.h>

#include "cmp_reconcile.h"
#include "kp_results.h"
#include "lb_results.h"
#include "lk_run.h"
#include "lk_time.h"
#include "banned.h"

int cmp_reconcile_load_answer(const char *run, int64_t at, struct lk_rtable *t, struct lk_err *err)
{
    struct lk_run info = LK_RUN_INIT;
    char name[4200];
    char *buf = NULL;
    size_t len = 0;
    FILE *fp;
    int rc = lk_run_open(&info, run, err);
    if (rc < 0)
        return rc;
    lk_run_release(&info);
    if (info.stack == LK_STACK_KAPPA && at != LK_TIME_POS_INF)
        return lk_err_set(err, LK_EUSAGE, "--at is for Lambda runs: run '%s' is a Kappa run", run);
    if (!(fp = open_memstream(&buf, &len)))
        return lk_err_set(err, LK_EIO, "cannot buffer the answer of run '%s'", run);
    if (info.stack == LK_STACK_KAPPA)
        rc = kp_results_export(run, "output", fp, err);
    else
        rc = lb_results_export(run, "serving", at, fp, err);
    if (fclose(fp) != 0 && rc == 0)
        rc = lk_err_set(err, LK_EIO, "cannot buffer the answer of run '%s'", run);
    snprintf(name, sizeof(name), "%s (its answer)", run);
    if (rc == 0)
        rc = lk_rtable_parse(t, buf ? buf : "", len, name, err);
    free(buf);
    return rc;
}

int cmp_reconcile_run_report(const char *run, const char *truth, const struct lk_firsts *firsts,
                             FILE *out, size_t *ndiffs, size_t *unexplained, struct lk_err *err)
{
    struct lk_rtable a = LK_RTABLE_INIT, b = LK_RTABLE_INIT;
    struct cmp_reconcile_opts o = CMP_RECONCILE_OPTS_INIT;
    struct cmp_reconcile *r = NULL;
    int rc;
    o.run = run;
    o.firsts = firsts;
    if ((rc = cmp_reconcile_load_answer(run, o.at, &a, err)) == 0
        && (rc = lk_rtable_load(&b, truth, err)) == 0
        && (rc = cmp_reconcile_new(&r, &a, &b, &o, err)) == 0
        && (rc = cmp_reconcile_write(r, out, CMP_RC_TABLE, 5)) < 0)
        lk_err_set(err, rc, "cannot write the reconciliation report of '%s'", run);
    if (rc == 0) {
        *ndiffs = cmp_reconcile_ndiffs(r);
        *unexplained = cmp_reconcile_count(r, CMP_RC_UNEXPLAINED);
    }
    cmp_reconcile_free(r);
    lk_rtable_release(&a);
    lk_rtable_release(&b);
    return rc;
}
