/* pl_report_load - a sweep directory read for the report (pl_report_int.h), through pl_sweep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_mem.h"
#include "pl_report_int.h"
#include "banned.h"

#define MAX_INPUT ((size_t)64 << 20)

/* ------------------------------------------------------------------ loading ---- */

/* S/reconcile/<name>.txt of every run, NULL where missing. */
static int load_reconcile(struct pl_report *r, struct lk_err *err)
{
    struct lk_buf path = LK_BUF_INIT;
    size_t len;
    r->reconcile = lk_xcalloc(r->s.nruns + 1, sizeof(char *));
    for (size_t i = 0; i < r->s.nruns; i++) {
        int rc;
        lk_buf_reset(&path);
        lk_buf_addf(&path, "%s/reconcile/%s.txt", r->s.dir, r->s.runs[i].name);
        rc = lk_file_read_all(path.s, MAX_INPUT, &r->reconcile[i], &len, err);
        if (rc == LK_ENOENT) {
            r->reconcile[i] = NULL;
        } else if (rc < 0) {
            lk_buf_release(&path);
            return rc;
        }
    }
    lk_buf_release(&path);
    return 0;
}

/* A series file into t; a missing one leaves t without rows. */
static int load_series(const struct pl_report *r, enum pl_series_file f, struct pl_series *t,
                       struct lk_err *err)
{
    int rc = pl_sweep_series(&r->s, f, t, err);
    return rc == LK_ENOENT ? 0 : rc;
}

int pl_report_load(struct pl_report **out, const char *sweep, struct lk_err *err)
{
    struct pl_report *r = lk_xcalloc(1, sizeof(*r));
    int rc;
    *out = NULL;
    rc = pl_sweep_load(&r->s, sweep, PL_SWEEP_DATASET | PL_SWEEP_COSTS, err);
    if (rc == 0 && r->s.nruns == 0)
        rc = lk_err_set(err, LK_EINPUT, "no runs ('%s/sweep.csv')", sweep);
    if (rc < 0 || (rc = load_reconcile(r, err)) < 0
        || (rc = load_series(r, PL_SERIES_SAWTOOTH, &r->saw, err)) < 0
        || (rc = load_series(r, PL_SERIES_FRESH_KAPPA, &r->fresh_k, err)) < 0
        || (rc = load_series(r, PL_SERIES_FRESH_LAMBDA, &r->fresh_l, err)) < 0) {
        pl_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

size_t pl_report_nruns(const struct pl_report *r)
{
    return r->s.nruns;
}

void pl_report_free(struct pl_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->reconcile && i < r->s.nruns; i++)
        free(r->reconcile[i]);
    free(r->reconcile);
    pl_series_release(&r->saw);
    pl_series_release(&r->fresh_k);
    pl_series_release(&r->fresh_l);
    pl_sweep_release(&r->s);
    free(r);
}
