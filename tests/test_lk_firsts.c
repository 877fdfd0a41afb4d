/*
 * lk_firsts: the first valid copy of each event_id in reading order, the earliest arrival
 * of any copy, and whether a load still describes the dataset.
 *
 *   line  event  arrival   notes
 *   1     a      00:00:10  first copy of a
 *   2     b      00:00:20
 *   3     (malformed)      skipped
 *   4     a      00:00:05  a re-delivery with an earlier arrival: a's earliest
 *   5     c      00:00:30
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "lk_firsts.h"
#include "lk_test.h"
#include "lk_time.h"
#include "banned.h"

#define LINE(id, arrival)                                                                          \
    "{\"event_id\":\"" id "\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\",\"value\":1,"     \
    "\"event_time\":\"2026-01-01T00:00:00Z\",\"arrival_time\":\"2026-01-01T" arrival "Z\"}\n"

static const char lines[] = LINE("a", "00:00:10")
    LINE("b", "00:00:20") "{\"event_id\":\"x\"\n" LINE("a", "00:00:05") LINE("c", "00:00:30");

static int64_t at(const char *iso)
{
    int64_t t;
    cr_assert_eq(lk_time_parse(iso, strlen(iso), &t), 0);
    return t;
}

Test(lk_firsts, first_copies_in_reading_order_with_the_earliest_arrival_of_any_copy)
{
    char *dir = lkt_tmpdir("firsts"), *data = lkt_fmt("%s/e.jsonl", dir);
    struct lk_firsts *f;
    struct lk_err err = LK_ERR_INIT;
    struct lk_event ev;
    const char *ids[] = { "a", "b", "c" };
    const uint64_t line[] = { 0, 1, 4 };
    lkt_write(data, lines);
    cr_assert_eq(lk_firsts_load(data, 0, &f, &err), 0, "%s", err.msg);
    cr_assert_eq(f->n, 3);
    for (size_t i = 0; i < 3; i++) {
        lk_firsts_event(f, i, &ev);
        cr_assert(ev.str[LK_F_EVENT_ID].len == 1 && ev.str[LK_F_EVENT_ID].ptr[0] == ids[i][0]);
        cr_assert_eq(f->v[i].line, line[i], "%s", ids[i]);
        cr_assert_eq(ev.str[LK_F_TENANT].len, 2);
    }
    cr_assert_eq(f->v[0].arrival_time, at("2026-01-01T00:00:10Z"), "the first copy's own arrival");
    cr_assert_eq(f->v[0].earliest, at("2026-01-01T00:00:05Z"), "the re-delivery came earlier");
    cr_assert_eq(f->v[1].earliest, f->v[1].arrival_time);
    cr_assert(lk_firsts_current(f, data));
    lk_firsts_free(f);
    free(data);
    free(dir);
}

Test(lk_firsts, a_load_is_not_current_once_the_dataset_grew_or_for_another_dataset)
{
    char *dir = lkt_tmpdir("firsts-current"), *data = lkt_fmt("%s/e.jsonl", dir);
    char *other = lkt_fmt("%s/o.jsonl", dir);
    struct lk_firsts *f;
    struct lk_err err = LK_ERR_INIT;
    FILE *fp;
    lkt_write(data, lines);
    lkt_write(other, lines);
    cr_assert_eq(lk_firsts_load(data, 0, &f, &err), 0, "%s", err.msg);
    cr_assert(lk_firsts_current(f, data));
    cr_assert_not(lk_firsts_current(f, other), "the same lines in another file");
    cr_assert_not(lk_firsts_current(NULL, data));
    fp = fopen(data, "a");
    cr_assert_not_null(fp);
    fputs(LINE("d", "00:00:40"), fp);
    fclose(fp);
    cr_assert_not(lk_firsts_current(f, data), "a line appended since");
    lk_firsts_free(f);
    cr_assert_eq(lk_firsts_load(dir, 1, &f, &err), LK_ENOENT, "no landing files: %s", err.msg);
    cr_assert_null(f);
    free(other);
    free(data);
    free(dir);
}
