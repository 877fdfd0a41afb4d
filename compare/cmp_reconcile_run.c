/* cmp_reconcile: reading a run (run.json, serving.db, its spec) and the key map. */
#include <stdlib.h>
#include <string.h>

#include "kp_reader.h"
#include "lb_reader.h"
#include "lk_event.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "cmp_reconcile_int.h"
#include "lk_run.h"
#include "lk_store.h"
#include "lk_time.h"
#include "banned.h"

/* ------------------------------------------------------------ key map ---- */

/* Key bytes: per group a 4-byte length and the bytes, then the 8-byte window start. */
static size_t key_bytes(struct rc_keys *k, const struct lk_str *const *group, size_t ngroup,
                        int64_t ws)
{
    size_t need = sizeof(ws), at = 0;
    for (size_t g = 0; g < ngroup; g++)
        need += sizeof(uint32_t) + group[g]->len;
    LK_GROW(k->buf, k->cap, need);
    for (size_t g = 0; g < ngroup; g++) {
        uint32_t len = (uint32_t)group[g]->len;
        memcpy(k->buf + at, &len, sizeof(len));
        memcpy(k->buf + at + sizeof(len), group[g]->ptr, len);
        at += sizeof(len) + len;
    }
    memcpy(k->buf + at, &ws, sizeof(ws));
    return need;
}

void rc_keys_init(struct rc_keys *k, const struct cmp_reconcile *r, size_t ngroup)
{
    size_t ncap = 0;
    memset(k, 0, sizeof(*k));
    k->tab = lk_strtab_new();
    for (size_t i = 0; i < r->n; i++) {
        const struct cmp_rc_diff *d = &r->d[i];
        const struct lk_str *group[LK_SPEC_MAX_GROUP];
        size_t len;
        uint32_t id;
        if (d->side == CMP_RC_ONLY_A)
            continue;
        for (size_t g = 0; g < ngroup; g++)
            group[g] = &d->b->row.group[g];
        len = key_bytes(k, group, ngroup, d->b->row.window_start); /* may move k->buf */
        id = lk_strtab_intern(k->tab, k->buf, len, NULL);
        LK_GROW(k->diff, ncap, (size_t)id + 1);
        k->diff[id] = i;
    }
}

void rc_keys_release(struct rc_keys *k)
{
    lk_strtab_free(k->tab);
    free(k->diff);
    free(k->buf);
    memset(k, 0, sizeof(*k));
}

size_t rc_keys_find(struct rc_keys *k, const struct lk_spec *spec, const struct lk_event *ev,
                    int64_t ws)
{
    const struct lk_str *group[LK_SPEC_MAX_GROUP];
    size_t len;
    uint32_t id;
    for (size_t g = 0; g < spec->ngroup; g++)
        group[g] = &ev->str[spec->group[g]];
    len = key_bytes(k, group, spec->ngroup, ws); /* may move k->buf */
    id = lk_strtab_find(k->tab, k->buf, len);
    return id == UINT32_MAX ? SIZE_MAX : k->diff[id];
}

/* ------------------------------------------------------------ helpers ---- */

int64_t rc_value(const struct lk_spec *spec, const struct lk_rrow *row, size_t i)
{
    enum lk_aggfn fn = spec->aggs[i].fn;
    int64_t v = row->row.values[i];
    return fn == LK_AGG_COUNT || fn == LK_AGG_COUNT_DISTINCT ? v / 100 : v;
}

const char *rc_json_str(const cJSON *root, const char *obj, const char *name)
{
    const cJSON *o = obj ? cJSON_GetObjectItemCaseSensitive(root, obj) : root;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* ---------------------------------------------------------------- run ---- */

/* The spec the run stored: Kappa's current version's, Lambda's at its start. */
static int load_spec(struct rc_run *run, int kappa, struct lk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = kappa ? kp_reader_prepare(run->db, KP_READ_SPEC, &st, err)
                   : lb_reader_prepare(run->db, LB_READ_SPEC, &st, err);
    if (rc < 0)
        return lk_err_set(err, LK_EINPUT,
                          "run '%s': serving.db is not a %s run's database "
                          "(%s)",
                          run->dir, kappa ? "Kappa" : "Lambda", sqlite3_errmsg(run->db));
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = lk_spec_parse(&run->spec, (const char *)sqlite3_column_text(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0), "run database", err);
    else
        rc = lk_err_set(err, LK_EINPUT,
                        "run '%s' has no finished query (no spec in its "
                        "database)",
                        run->dir);
    sqlite3_finalize(st);
    return rc < 0 ? (rc == LK_ESPEC ? LK_EINPUT : rc) : 0;
}

static int open_db(struct rc_run *run, struct lk_err *err)
{
    size_t n = strlen(run->dir) + 16;
    char *path = lk_xmalloc(n);
    int rc;
    snprintf(path, n, "%s/serving.db", run->dir);
    if (!lk_is_file(path))
        rc = lk_err_set(err, LK_ENOENT, "run '%s' has no serving.db", run->dir);
    else
        rc = lk_store_open(&run->db, path, err);
    free(path);
    return rc;
}

static void label_kappa(struct rc_run *run)
{
    const cJSON *j = run->json;
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "parameters"), "final_watermark");
    snprintf(run->r->label_a, sizeof(run->r->label_a),
             "run '%s' (kappa: %s mode, trigger %s, watermark %s%s, %s sink)", run->dir,
             rc_json_str(j, "parameters", "output_mode"), rc_json_str(j, "parameters", "trigger"),
             rc_json_str(j, "parameters", "watermark"),
             cJSON_IsTrue(fin) ? ", final watermark" : "",
             rc_json_str(j, "parameters", "sink_guarantee"));
}

static void label_lambda(struct rc_run *run)
{
    char at[LK_TIME_ISO_LEN + 1] = "the end";
    if (run->r->o.at != LK_TIME_POS_INF)
        lk_time_format(run->r->o.at, at);
    snprintf(run->r->label_a, sizeof(run->r->label_a),
             "run '%s' (lambda: batch every %s, speed trigger %s; serving answer at %s)", run->dir,
             rc_json_str(run->json, "parameters", "batch_every"),
             rc_json_str(run->json, "parameters", "speed_trigger"), at);
}

static int explain(struct rc_run *run, int kappa, struct lk_err *err)
{
    struct cmp_reconcile *r = run->r;
    int rc;
    if ((rc = lk_rtable_check_spec(r->a, &run->spec, err)) < 0
        || (rc = lk_rtable_check_spec(r->b, &run->spec, err)) < 0)
        return rc;
    snprintf(r->label_b, sizeof(r->label_b), "truth '%s'", r->b->name);
    if (kappa)
        label_kappa(run);
    else
        label_lambda(run);
    return kappa ? rc_kappa_explain(run, err) : rc_lambda_explain(run, err);
}

int rc_explain_run(struct cmp_reconcile *r, struct lk_err *err)
{
    struct rc_run run;
    struct lk_run info = LK_RUN_INIT;
    int rc, kappa;
    memset(&run, 0, sizeof(run));
    run.r = r;
    run.dir = r->o.run;
    if ((rc = lk_run_open(&info, run.dir, err)) < 0)
        return rc;
    run.json = info.json;
    kappa = info.stack == LK_STACK_KAPPA;
    if (kappa && r->o.at != LK_TIME_POS_INF) {
        rc = lk_err_set(err, LK_EUSAGE,
                        "an instant (--at) is for Lambda runs: a Kappa "
                        "run's output is its final answer");
        goto out;
    }
    if ((rc = open_db(&run, err)) < 0 || (rc = load_spec(&run, kappa, err)) < 0)
        goto out;
    rc = explain(&run, kappa, err);
out:
    lk_store_close(run.db);
    lk_run_release(&info);
    return rc;
}
