/* cmp_latency: a run's latency through its stack's analysis, into its run.json. */
#include "cmp_latency.h"

#include "kp_latency.h"
#include "lb_latency.h"
#include "banned.h"

cJSON *cmp_latency_json(const struct lk_lat_summary *fv, const struct lk_lat_summary *cor)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "first_visible", lk_lat_summary_json(fv, "visible_pct"));
    cJSON_AddItemToObject(o, "correct", lk_lat_summary_json(cor, "correct_pct"));
    return o;
}

/* Lambda: on tl, or on the run loaded here when tl is NULL. */
static int lambda_latency(const char *dir, struct lb_tl *tl, const char *truth_csv,
                          struct lk_lat *fv, struct lk_lat *cor, struct lk_err *err)
{
    struct lb_tl *own = NULL;
    int rc = tl ? 0 : lb_tl_load(dir, &own, err);
    if (rc == 0)
        rc = lb_latency(tl ? tl : own, truth_csv, fv, cor, err);
    lb_tl_free(own);
    return rc;
}

int cmp_latency_update(const char *dir, const struct cmp_latency_given *given,
                       struct lk_lat_summary *sfv, struct lk_lat_summary *scor,
                       enum lk_stack *stack, struct lk_err *err)
{
    static const struct cmp_latency_given none = { 0 };
    const struct cmp_latency_given *g = given ? given : &none;
    struct lk_run run = LK_RUN_INIT;
    struct lk_lat fv, cor;
    int rc;
    lk_lat_init(&fv);
    lk_lat_init(&cor);
    if ((rc = lk_run_open(&run, dir, err)) < 0)
        goto out;
    *stack = run.stack;
    rc = run.stack == LK_STACK_LAMBDA ? lambda_latency(dir, g->tl, g->truth_csv, &fv, &cor, err)
                                      : kp_latency(dir, g->truth_csv, g->events, &fv, &cor, err);
    if (rc < 0)
        goto out;
    lk_lat_summarize(&fv, sfv);
    lk_lat_summarize(&cor, scor);
    cJSON_DeleteItemFromObjectCaseSensitive(run.json, "latency");
    cJSON_AddItemToObject(run.json, "latency", cmp_latency_json(sfv, scor));
    rc = lk_run_json_write(dir, run.json, err);
out:
    lk_run_release(&run);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    return rc;
}
