#include "lb_sqlfn.h"

#include <stdlib.h>

#include "lk_hll.h"
#include "lk_mem.h"
#include "banned.h"

/* The aggregate context: zeroed by SQLite, which is a valid empty sketch (LK_HLL_INIT). */
struct agg {
    struct lk_hll h;
    int corrupt;
};

static void result_sketch(sqlite3_context *ctx, struct lk_hll *h)
{
    size_t n = lk_hll_serialized_size(h);
    unsigned char *buf = lk_xmalloc(n);
    lk_hll_serialize(h, buf);
    sqlite3_result_blob(ctx, buf, (int)n, free);
}

static void hll_agg_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct agg *a = sqlite3_aggregate_context(ctx, sizeof(*a));
    const unsigned char *s;
    (void)argc;
    if (!a)
        return;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    s = sqlite3_value_text(argv[0]);
    if (s)
        lk_hll_add(&a->h, s, (size_t)sqlite3_value_bytes(argv[0]));
}

static void hll_merge_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct agg *a = sqlite3_aggregate_context(ctx, sizeof(*a));
    (void)argc;
    if (!a || sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    if (lk_hll_merge_blob(&a->h, sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]))
        < 0)
        a->corrupt = 1;
}

static void hll_final(sqlite3_context *ctx)
{
    struct agg *a = sqlite3_aggregate_context(ctx, 0);
    struct lk_hll empty = LK_HLL_INIT;
    if (a && a->corrupt)
        sqlite3_result_error(ctx, "lb_hll_merge: not an lk_hll sketch", -1);
    else
        result_sketch(ctx, a ? &a->h : &empty);
    if (a)
        lk_hll_release(&a->h);
}

static void hll_count(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct lk_hll h = LK_HLL_INIT;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (lk_hll_merge_blob(&h, sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]))
        < 0)
        sqlite3_result_error(ctx, "lb_hll_count: not an lk_hll sketch", -1);
    else
        sqlite3_result_int64(ctx, lk_hll_count(&h));
    lk_hll_release(&h);
}

int lb_sqlfn_register(sqlite3 *db, struct lk_err *err)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function(db, "lb_hll_agg", 1, flags, NULL, NULL, hll_agg_step, hll_final)
            != SQLITE_OK
        || sqlite3_create_function(db, "lb_hll_merge", 1, flags, NULL, NULL, hll_merge_step,
                                   hll_final)
               != SQLITE_OK
        || sqlite3_create_function(db, "lb_hll_count", 1, flags, NULL, hll_count, NULL, NULL)
               != SQLITE_OK)
        return lk_err_set(err, LK_EDB, "cannot register sql functions: %s", sqlite3_errmsg(db));
    return 0;
}
