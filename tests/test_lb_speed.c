/*
 * lb_speed on its own (lb_speed.h) over datasets/fixtures/tiny.jsonl with a 1m trigger,
 * expected values worked out by hand from the fixture (datasets/fixtures/README.md):
 * 12 valid lines (f-02 twice: at-least-once), 2 malformed; arrival buckets ending 00:01,
 * 00:02 (f-11 arrives exactly at 00:02:00), 00:03 and 00:20: 4 micro-batches; the value
 * sum is 0 + 12.50 + 0 - 2.50 + 7.25 + 3 + 0.05 + 12.50 + 5.50 + 0 + 1 + 100 = 139.30.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "lb_db.h"
#include "lb_speed.h"
#include "lb_sql.h"
#include "lk_store.h"
#include "lk_test.h"
#include "banned.h"

#define MIN 60000

struct fixture {
    char *dir, *ckpt;
    sqlite3 *db;
    struct lk_spec spec;
    struct lk_model model;
};

static double now(void)
{
    return 0.0;
}

static void setup(struct fixture *f, const char *name)
{
    struct lk_err err = LK_ERR_INIT;
    char *path, *schema, *spec = lkt_fmt("%s/datasets/pipelines/revenue.json", lkt_root());
    f->dir = lkt_tmpdir(name);
    f->ckpt = lkt_fmt("%s/speed.checkpoint", f->dir);
    path = lkt_fmt("%s/serving.db", f->dir);
    cr_assert_eq(lk_spec_load(&f->spec, spec, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_model_load(&f->model, "default", &err), 0, "%s", err.msg);
    cr_assert_eq(lb_db_open(&f->db, path, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(lb_db_create_fixed(f->db, &err), 0, "%s", err.msg);
    schema = lb_sql_schema(&f->spec);
    cr_assert_eq(lk_store_exec(f->db, schema, &err), 0, "%s", err.msg);
    free(schema);
    free(path);
    free(spec);
}

static void teardown(struct fixture *f)
{
    sqlite3_close(f->db);
    free(f->ckpt);
    free(f->dir);
}

/* Open the layer and run at most max micro-batches (or to the end); returns how many ran. */
static int run(struct fixture *f, int max, int checkpoint)
{
    struct lb_speed_opts o = { .spec = &f->spec,
                               .model = &f->model,
                               .trigger = MIN,
                               .checkpoint = f->ckpt,
                               .checkpoint_every = 1000,
                               .now = now };
    char *data = lkt_fmt("%s/datasets/fixtures/tiny.jsonl", lkt_root());
    struct lb_speed *s;
    struct lk_err err = LK_ERR_INIT;
    int n = 0, rc;
    int64_t end;
    cr_assert_eq(lb_speed_open(&s, f->db, data, &o, &err), 0, "%s", err.msg);
    while (n < max && (rc = lb_speed_next(s, &end, &err)) == 1) {
        struct lb_progress p;
        char *json = NULL;
        cr_assert_eq(end % MIN, 0, "a bucket ends on a trigger boundary");
        cr_assert_eq(lb_speed_microbatch(s, end, &p, &json, &err), 0, "%s", err.msg);
        free(json);
        n++;
    }
    if (checkpoint)
        cr_assert_eq(lb_speed_checkpoint(s, &err), 0, "%s", err.msg);
    lb_speed_free(s);
    free(data);
    return n;
}

static long long q(struct fixture *f, const char *sql)
{
    long long v = -1;
    cr_assert_eq(lk_store_query_int(f->db, sql, &v, NULL), 0, "%s", sql);
    return v;
}

Test(lb_speed, counts_every_valid_line_once_per_delivery_in_its_arrival_bucket)
{
    struct fixture f;
    setup(&f, "lb-speed-all");
    cr_assert_eq(run(&f, 1000, 1), 4);
    cr_assert_eq(q(&f, "SELECT sum(events) FROM speed_delta"), 12);
    cr_assert_eq(q(&f, "SELECT sum(value_sum) FROM speed_delta"), 13930);
    cr_assert_eq(q(&f, "SELECT count(DISTINCT bucket_end) FROM speed_delta"), 4);
    /* f-11 arrives at 00:02:00.000 exactly: the bucket (00:01, 00:02] holds it */
    cr_assert_eq(q(&f, "SELECT bucket_end FROM speed_delta WHERE tenant = 't01' AND type = 'view'"
                       " AND window_start = 1767225660000"),
                 1767225720000);
    /* (t01, purchase, [00:00, 00:01)) in bucket 00:02: f-03 (7.25) and f-02 again (12.50) */
    cr_assert_eq(q(&f, "SELECT value_sum FROM speed_delta WHERE tenant = 't01' AND "
                       "type = 'purchase' AND window_start = 1767225600000 AND "
                       "bucket_end = 1767225720000"),
                 1975);
    cr_assert_eq(q(&f, "SELECT count(*) FROM progress WHERE layer = 'speed'"), 4);
    teardown(&f);
}

Test(lb_speed, a_restart_from_its_checkpoint_writes_no_micro_batch_twice)
{
    struct fixture f;
    setup(&f, "lb-speed-restart");
    cr_assert_eq(run(&f, 2, 1), 2);
    cr_assert_eq(run(&f, 1000, 1), 2, "the restart runs the two buckets after its checkpoint");
    cr_assert_eq(q(&f, "SELECT sum(events) FROM speed_delta"), 12);
    cr_assert_eq(q(&f, "SELECT count(*) FROM progress WHERE layer = 'speed'"), 4);
    teardown(&f);
}

Test(lb_speed, a_restart_without_a_checkpoint_recomputes_but_does_not_rewrite)
{
    struct fixture f;
    setup(&f, "lb-speed-nockpt");
    cr_assert_eq(run(&f, 3, 0), 3); /* crashed before any checkpoint */
    cr_assert_eq(run(&f, 1000, 1), 4, "all four re-run from the start");
    cr_assert_eq(q(&f, "SELECT sum(events) FROM speed_delta"), 12, "none written twice");
    cr_assert_eq(q(&f, "SELECT count(*) FROM progress WHERE layer = 'speed'"), 4);
    teardown(&f);
}
