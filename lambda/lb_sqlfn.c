#include "lb_sqlfn.h"

#include <stdlib.h>
#include <string.h>

#include "lk_hll.h"
#include "lk_mem.h"
#include "lk_strtab.h"
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

/*
 * lb_count_distinct: an exact set of the group's values, open addressing over their
 * 64-bit hashes, the bytes kept to compare on equal hashes (so the count is exact).
 * Zeroed by SQLite: an empty set.
 */
struct slot {
    uint64_t hash;
    size_t off, len; /* the value: len bytes at bytes + off */
    int used;
};

struct dset {
    struct slot *slots;
    size_t n, cap; /* cap: 0 or a power of 2 */
    char *bytes;
    size_t nbytes, bytes_cap;
};

static struct slot *dset_find(struct slot *slots, size_t cap, const char *bytes, uint64_t hash,
                              const void *s, size_t len)
{
    size_t i = hash & (cap - 1);
    for (; slots[i].used; i = (i + 1) & (cap - 1))
        if (slots[i].hash == hash && slots[i].len == len
            && (len == 0 || memcmp(bytes + slots[i].off, s, len) == 0))
            break;
    return &slots[i];
}

static void dset_grow(struct dset *d)
{
    size_t cap = d->cap ? d->cap * 2 : 16;
    struct slot *slots = lk_xcalloc(cap, sizeof(*slots));
    for (size_t i = 0; i < d->cap; i++)
        if (d->slots[i].used)
            *dset_find(slots, cap, d->bytes, d->slots[i].hash, NULL, SIZE_MAX) =
                d->slots[i]; /* no match: a free slot */
    free(d->slots);
    d->slots = slots;
    d->cap = cap;
}

static void distinct_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct dset *d = sqlite3_aggregate_context(ctx, sizeof(*d));
    const unsigned char *s;
    size_t len;
    uint64_t hash;
    struct slot *sl;
    (void)argc;
    if (!d || sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    s = sqlite3_value_text(argv[0]);
    if (!s)
        return;
    len = (size_t)sqlite3_value_bytes(argv[0]);
    hash = lk_hash_bytes(s, len);
    if ((d->n + 1) * 2 > d->cap)
        dset_grow(d);
    sl = dset_find(d->slots, d->cap, d->bytes, hash, s, len);
    if (sl->used)
        return;
    LK_GROW(d->bytes, d->bytes_cap, d->nbytes + len + 1);
    memcpy(d->bytes + d->nbytes, s, len);
    *sl = (struct slot){ .hash = hash, .off = d->nbytes, .len = len, .used = 1 };
    d->nbytes += len;
    d->n++;
}

static void distinct_final(sqlite3_context *ctx)
{
    struct dset *d = sqlite3_aggregate_context(ctx, 0);
    sqlite3_result_int64(ctx, d ? (sqlite3_int64)d->n : 0);
    if (d) {
        free(d->slots);
        free(d->bytes);
    }
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
               != SQLITE_OK
        || sqlite3_create_function(db, "lb_count_distinct", 1, flags, NULL, NULL, distinct_step,
                                   distinct_final)
               != SQLITE_OK)
        return lk_err_set(err, LK_EDB, "cannot register sql functions: %s", sqlite3_errmsg(db));
    return 0;
}
