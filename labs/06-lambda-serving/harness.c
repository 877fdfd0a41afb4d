/*
 * Lab 06 harness: the serving answer of a Lambda run (lklab lambda) at a virtual time,
 * merged by YOUR serving_merge from the raw layers in RUN/serving.db:
 *
 *   harness RUN T      T = ISO time (2026-01-01T01:05:00Z) or "end"
 *
 * The visible batch view at T is the last one with visible_at <= T (table batch_views);
 * its rows are in batch_rows; every speed row with visible_at <= T (table speed_delta) is
 * handed to serving_merge with the view's cutoff. Prints the CSV of `lklab results --at T`
 * for the revenue pipeline without its distinct_keys column:
 *   tenant,type,window_start,window_end,events,value_sum,value_min,value_max
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_event.h"
#include "lk_time.h"
#include "merge.h"

struct key {
    char tenant[128], type[128];
    int64_t start, end;
};

struct cursor {
    sqlite3_stmt *st;
    int has;
    struct key k;
    int64_t bucket_end;
    struct cell c;
};

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "harness: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    exit(2);
}

/* columns: tenant, type, window_start, window_end, bucket_end, events, sum, min, max */
static void next(struct cursor *cur)
{
    sqlite3_stmt *st = cur->st;
    cur->has = sqlite3_step(st) == SQLITE_ROW;
    if (!cur->has)
        return;
    snprintf(cur->k.tenant, sizeof(cur->k.tenant), "%s", sqlite3_column_text(st, 0));
    snprintf(cur->k.type, sizeof(cur->k.type), "%s", sqlite3_column_text(st, 1));
    cur->k.start = sqlite3_column_int64(st, 2);
    cur->k.end = sqlite3_column_int64(st, 3);
    cur->bucket_end = sqlite3_column_int64(st, 4);
    cur->c.events = sqlite3_column_int64(st, 5);
    cur->c.value_sum = sqlite3_column_int64(st, 6);
    cur->c.value_min = sqlite3_column_int64(st, 7);
    cur->c.value_max = sqlite3_column_int64(st, 8);
}

static int key_cmp(const struct key *a, const struct key *b)
{
    int c = strcmp(a->tenant, b->tenant);
    if (c == 0)
        c = strcmp(a->type, b->type);
    if (c == 0)
        c = (a->start > b->start) - (a->start < b->start);
    return c;
}

static void open_cursor(sqlite3 *db, struct cursor *cur, const char *sql, int64_t p1)
{
    if (sqlite3_prepare_v2(db, sql, -1, &cur->st, NULL) != SQLITE_OK)
        die(db, "prepare");
    sqlite3_bind_int64(cur->st, 1, p1);
    next(cur);
}

static void print_row(const struct key *k, const struct cell *c)
{
    char s[32], e[32], sum[32], mn[32], mx[32];
    lk_time_format(k->start, s);
    lk_time_format(k->end, e);
    lk_money_format(c->value_sum, sum, sizeof(sum));
    lk_money_format(c->value_min, mn, sizeof(mn));
    lk_money_format(c->value_max, mx, sizeof(mx));
    printf("%s,%s,%s,%s,%lld,%s,%s,%s\n", k->tenant, k->type, s, e, (long long)c->events, sum, mn,
           mx);
}

/* Walk the two sorted streams key by key and merge each key's rows. */
static void merge_all(struct cursor *b, struct cursor *s, int64_t cutoff)
{
    struct speed_row *rows = NULL;
    size_t cap = 0;
    while (b->has || s->has) {
        struct key k = !s->has || (b->has && key_cmp(&b->k, &s->k) <= 0) ? b->k : s->k;
        struct cell batch, out;
        int has_batch = b->has && key_cmp(&b->k, &k) == 0;
        size_t n = 0;
        if (has_batch) {
            batch = b->c;
            next(b);
        }
        for (; s->has && key_cmp(&s->k, &k) == 0; next(s)) {
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                rows = realloc(rows, cap * sizeof(*rows));
            }
            rows[n].bucket_end = s->bucket_end;
            rows[n++].cell = s->c;
        }
        serving_merge(has_batch ? &batch : NULL, cutoff, rows, n, &out);
        if (out.events > 0)
            print_row(&k, &out);
    }
    free(rows);
}

int main(int argc, char **argv)
{
    char path[4096];
    sqlite3 *db = NULL;
    sqlite3_stmt *v;
    struct cursor b = { 0 }, s = { 0 };
    int64_t at = INT64_MAX, view = -1, cutoff = INT64_MIN;
    if (argc != 3
        || (strcmp(argv[2], "end") != 0 && lk_time_parse(argv[2], strlen(argv[2]), &at) != 0)) {
        fprintf(stderr, "usage: harness RUN ISO-TIME|end\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/serving.db", argv[1]);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(db, path);
    if (sqlite3_prepare_v2(db,
                           "SELECT view_id, cutoff FROM batch_views WHERE visible_at <= ?1 "
                           "ORDER BY view_id DESC LIMIT 1",
                           -1, &v, NULL)
        != SQLITE_OK)
        die(db, "prepare");
    sqlite3_bind_int64(v, 1, at);
    if (sqlite3_step(v) == SQLITE_ROW) {
        view = sqlite3_column_int64(v, 0);
        cutoff = sqlite3_column_int64(v, 1);
    }
    sqlite3_finalize(v);
    open_cursor(db, &b,
                "SELECT tenant, type, window_start, window_end, 0, events, value_sum, "
                "value_min, value_max FROM batch_rows WHERE view_id = ?1 "
                "ORDER BY tenant, type, window_start",
                view);
    open_cursor(db, &s,
                "SELECT tenant, type, window_start, window_end, bucket_end, events, "
                "value_sum, value_min, value_max FROM speed_delta WHERE visible_at <= ?1 "
                "ORDER BY tenant, type, window_start, bucket_end",
                at);
    printf("tenant,type,window_start,window_end,events,value_sum,value_min,value_max\n");
    merge_all(&b, &s, cutoff);
    sqlite3_finalize(b.st);
    sqlite3_finalize(s.st);
    sqlite3_close(db);
    return 0;
}
