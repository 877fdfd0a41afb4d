/*
 * kp_checkpoint on its own (kp_checkpoint.h): offsets and commits round-trip exactly
 * (infinite watermarks, the most partitions), files are bound to their run and batch, and
 * the metadata binds the checkpoint to what it was opened with.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_checkpoint.h"
#include "lk_file.h"
#include "lk_test.h"
#include "lk_time.h"
#include "banned.h"

#define META "{\"pipeline_content\":\"00ff\",\"mode\":\"append\"}"

static struct kp_ckpt *open_at(const char *dir, const char *meta)
{
    struct kp_ckpt *c = NULL;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(kp_ckpt_open(&c, dir, meta, LK_DURABLE_PROCESS, &err), 0, "%s", err.msg);
    return c;
}

Test(kp_checkpoint, offsets_of_every_partition_and_infinite_watermarks_round_trip)
{
    char *dir = lkt_tmpdir("kp-ckpt-offsets");
    struct kp_ckpt *c = open_at(dir, META);
    static struct kp_offsets o, back;
    struct lk_err err = LK_ERR_INIT;
    int64_t latest_o, latest_c;
    o.batch_id = 7;
    o.trigger_time = INT64_C(1767225600000);
    o.evict_wm = LK_TIME_NEG_INF;
    o.late_wm = LK_TIME_POS_INF;
    o.nparts = KP_MAX_PARTS;
    o.files_end = 3;
    for (size_t p = 0; p < KP_MAX_PARTS; p++) {
        o.line[p] = p * 1000003;
        o.byte[p] = UINT64_C(1) << 40 | p;
    }
    cr_assert_eq(kp_ckpt_write_offsets(c, &o, &err), 0, "%s", err.msg);
    cr_assert_eq(kp_ckpt_read_offsets(c, 7, &back, &err), 0, "%s", err.msg);
    cr_assert(memcmp(&o, &back, sizeof(o)) == 0, "offsets/7 read back differs");
    cr_assert_eq(kp_ckpt_latest(c, &latest_o, &latest_c, &err), 0, "%s", err.msg);
    cr_assert_eq(latest_o, 7);
    cr_assert_eq(latest_c, -1);
    kp_ckpt_close(c);
    free(dir);
}

Test(kp_checkpoint, a_commit_round_trips_and_its_json_is_readable)
{
    char *dir = lkt_tmpdir("kp-ckpt-commit"), *text;
    struct kp_ckpt *c = open_at(dir, META);
    struct kp_commit m = { 3, INT64_C(1767225600000), LK_TIME_NEG_INF, 42, -5 }, back;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(kp_ckpt_write_commit(c, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(kp_ckpt_read_commit(c, 3, &back, &err), 0, "%s", err.msg);
    cr_assert_eq(back.batch_id, 3);
    cr_assert_eq(back.next_wm, m.next_wm);
    cr_assert_eq(back.max_event_time, LK_TIME_NEG_INF);
    cr_assert_eq(back.visible_time, 42);
    cr_assert_eq(back.prev_end, -5);
    text = lkt_slurpf("%s/commits/3", dir);
    cr_assert(text && strstr(text, "\"next_watermark_iso\":\"2026-01-01T00:00:00.000Z\""), "%s",
              text);
    free(text);
    kp_ckpt_close(c);
    free(dir);
}

Test(kp_checkpoint, a_file_of_another_run_or_batch_is_corrupt_naming_it)
{
    char *a = lkt_tmpdir("kp-ckpt-a"), *b = lkt_tmpdir("kp-ckpt-b");
    struct kp_ckpt *ca = open_at(a, META), *cb = open_at(b, META);
    static struct kp_offsets o, back;
    struct lk_err err = LK_ERR_INIT;
    char *from = lkt_fmt("%s/offsets/1", a), *to = lkt_fmt("%s/offsets/1", b);
    char *to2 = lkt_fmt("%s/offsets/2", a), *cmd;
    cr_assert_str_neq(kp_ckpt_run_id(ca), kp_ckpt_run_id(cb));
    o.batch_id = 1;
    cr_assert_eq(kp_ckpt_write_offsets(ca, &o, &err), 0, "%s", err.msg);
    cmd = lkt_fmt("cp %s %s && cp %s %s", from, to, from, to2);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(kp_ckpt_read_offsets(cb, 1, &back, &err), LK_ECORRUPT);
    cr_assert(strstr(err.msg, to) && strstr(err.msg, "belongs to run"), "%s", err.msg);
    cr_assert_eq(kp_ckpt_read_offsets(ca, 2, &back, &err), LK_ECORRUPT);
    cr_assert(strstr(err.msg, to2) && strstr(err.msg, "holds batch 1"), "%s", err.msg);
    kp_ckpt_close(ca);
    kp_ckpt_close(cb);
    free(cmd);
    free(to2);
    free(to);
    free(from);
    free(b);
    free(a);
}

Test(kp_checkpoint, reopening_with_other_metadata_is_a_usage_error_naming_the_field)
{
    char *dir = lkt_tmpdir("kp-ckpt-meta");
    struct kp_ckpt *c = open_at(dir, META);
    struct lk_err err = LK_ERR_INIT;
    char id[KP_RUN_ID_LEN + 1];
    snprintf(id, sizeof(id), "%s", kp_ckpt_run_id(c));
    kp_ckpt_close(c);
    c = open_at(dir, META);
    cr_assert_str_eq(kp_ckpt_run_id(c), id, "a reopen keeps the run id");
    kp_ckpt_close(c);
    c = NULL;
    cr_assert_eq(kp_ckpt_open(&c, dir, "{\"pipeline_content\":\"00ff\",\"mode\":\"update\"}",
                              LK_DURABLE_PROCESS, &err),
                 LK_EUSAGE);
    cr_assert(strstr(err.msg, "mode"), "%s", err.msg);
    cr_assert_null(c);
    free(dir);
}
