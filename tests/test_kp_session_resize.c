/*
 * A session merged away stays merged when the cell map grows in the same batch (found by
 * `make spark-check`: sessions in append mode counted one event twice where Spark and
 * `lklab truth` agree). Worked by hand, gap 5m, one batch, complete mode:
 *   key a at 00:00 and 00:10 -> sessions [00:00, 00:05) and [00:10, 00:15);
 *   key a at 00:05 touches both -> one session [00:00, 00:15), the second cell merged away;
 *   600 other keys, one event each -> 600 more cells: the cell map (1024 slots) grows;
 *   key a at 00:14 -> [00:00, 00:19) with 4 events. Before the fix the map's rebuild put
 *   the merged-away cell back in key a's session list and it was merged again: 5.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "lk_test.h"
#include "banned.h"

static void event(FILE *fp, const char *id, const char *key, int minute)
{
    fprintf(
        fp,
        "{\"event_id\":\"%s\",\"tenant\":\"t1\",\"key\":\"%s\",\"type\":\"view\",\"value\":1,"
        "\"event_time\":\"2026-01-01T00:%02d:00Z\",\"arrival_time\":\"2026-01-01T01:00:00Z\"}\n",
        id, key, minute);
}

Test(kp_session_resize, a_merged_session_is_not_merged_again_after_the_map_grows)
{
    char *dir = lkt_tmpdir("session-resize"), *data = lkt_fmt("%s/events.jsonl", dir);
    char *run = lkt_fmt("%s/run", dir), *err = NULL, *rows;
    FILE *fp = fopen(data, "w");
    cr_assert(fp);
    event(fp, "a1", "a", 0);
    event(fp, "a2", "a", 10);
    event(fp, "a3", "a", 5);
    for (int i = 0; i < 600; i++) {
        char id[16], key[16];
        snprintf(id, sizeof(id), "o%d", i);
        snprintf(key, sizeof(key), "k%03d", i);
        event(fp, id, key, 30);
    }
    event(fp, "a4", "a", 14);
    cr_assert_eq(fclose(fp), 0);
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --data %s --pipeline sessions --out %s --trigger once "
                         "--watermark none --output-mode complete --quiet "
                         "--durability process",
                         data, run),
                 0, "%s", err);
    rows = lkt_query_text(run, "SELECT window_start, window_end, events FROM output "
                               "WHERE key = 'a'");
    cr_assert_str_eq(rows, "1767225600000,1767226740000,4\n");
    free(rows);
    free(err);
    free(run);
    free(data);
    free(dir);
}
