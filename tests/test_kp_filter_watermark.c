/*
 * The watermark sees only the events the spec's filter keeps, as in Spark, whose optimizer
 * pushes a filter that does not read the event time below withWatermark (found by `make
 * spark-check`: the sliding pipeline's watermarks differed from Spark's in every batch).
 * Worked by hand: filter type = purchase, 1m windows, 1m watermark, 1m trigger.
 *   batch 0 (arrivals by 12:01): purchase at 00:05:00, view at 00:30:00 (filtered out)
 *   batch 1 (arrivals by 12:02): purchase at 00:04:30
 * Max event time kept after batch 0 = 00:05:00, so batch 1's watermark is 00:04:00; counting
 * the filtered view would make it 00:29:00 (what lklab did before).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "lk_test.h"
#include "banned.h"

static const char events[] =
    "{\"event_id\":\"a\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"purchase\",\"value\":1,"
    "\"event_time\":\"2026-01-01T00:05:00Z\",\"arrival_time\":\"2026-01-01T12:00:30Z\"}\n"
    "{\"event_id\":\"b\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"view\",\"value\":1,"
    "\"event_time\":\"2026-01-01T00:30:00Z\",\"arrival_time\":\"2026-01-01T12:00:40Z\"}\n"
    "{\"event_id\":\"c\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"purchase\",\"value\":1,"
    "\"event_time\":\"2026-01-01T00:04:30Z\",\"arrival_time\":\"2026-01-01T12:01:30Z\"}\n";

static const char spec[] =
    "{ \"name\": \"purchases\", \"filter\": {\"field\": \"type\", \"in\": [\"purchase\"]},\n"
    "  \"group_by\": [\"tenant\"], \"window\": {\"kind\": \"tumbling\", \"size\": \"1m\"},\n"
    "  \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}] }\n";

Test(kp_filter_watermark, the_watermark_counts_only_events_the_filter_keeps)
{
    char *dir = lkt_tmpdir("filter-wm"), *data = lkt_fmt("%s/events.jsonl", dir);
    char *p = lkt_fmt("%s/purchases.json", dir), *run = lkt_fmt("%s/run", dir), *err = NULL;
    char *wm;
    lkt_write(data, events);
    lkt_write(p, spec);
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --data %s --pipeline %s --out %s --trigger 1m "
                         "--watermark 1m --quiet --durability process",
                         data, p, run),
                 0, "%s", err);
    /* 2026-01-01T00:04:00Z = 1767225600000 + 240000 */
    wm = lkt_query_text(run, "SELECT watermark FROM progress WHERE batch_id = 1");
    cr_assert_str_eq(wm, "1767225840000\n");
    free(wm);
    free(err);
    free(run);
    free(p);
    free(data);
    free(dir);
}
