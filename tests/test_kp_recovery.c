/*
 * Kappa checkpoints and sinks: a crash at every phase plus a restart ends identical to an
 * uninterrupted run; a corrupted checkpoint file is refused; at-least-once duplicates;
 * append output plus the late table equals truth; state is bounded by the watermark.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_test.h"
#include "lk_event.h"
#include "lk_file.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

#define ARGS "--trigger 10m --watermark 10m --output-mode append"

static void crash_and_recover(const char *phase)
{
    kpt_crash_and_recover(ARGS, "", phase);
}

Test(kp_recovery, a_crash_after_planned_then_restart_equals_an_uninterrupted_run)
{
    crash_and_recover("planned");
}

Test(kp_recovery, a_crash_after_processed_then_restart_equals_an_uninterrupted_run)
{
    crash_and_recover("processed");
}

Test(kp_recovery, a_crash_after_sink_commit_then_restart_equals_an_uninterrupted_run)
{
    crash_and_recover("sink-committed");
}

Test(kp_recovery, a_crash_after_committed_then_restart_equals_an_uninterrupted_run)
{
    crash_and_recover("committed");
}

Test(kp_recovery, at_least_once_sink_duplicates_the_replayed_batch)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("alo"), *run = lkt_fmt("%s/run", dir);
    long long rows, distinct;
    cr_assert_neq(kpt_kappa(ds, "revenue", run,
                            ARGS " --sink-guarantee at-least-once"
                                 " --crash-after 40:sink-committed"),
                  0);
    cr_assert_eq(kpt_kappa(ds, "revenue", run, ARGS " --sink-guarantee at-least-once"), 0);
    rows = lkt_query_int(run, "SELECT count(*) FROM output");
    distinct = lkt_query_int(run, "SELECT count(*) FROM (SELECT DISTINCT tenant, type, window_start"
                                  " FROM output)");
    cr_assert_gt(rows, distinct, "the replayed batch wrote its rows twice");
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output WHERE batch_id <> 40"),
                 lkt_query_int(run,
                               "SELECT count(*) FROM (SELECT DISTINCT tenant, type, window_start,"
                               " batch_id FROM output WHERE batch_id <> 40)"),
                 "only batch 40 is doubled");
    free(run);
    free(dir);
    free(ds);
}

Test(kp_recovery, a_corrupted_checkpoint_file_is_refused_with_its_path)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("corrupt"), *run = lkt_fmt("%s/run", dir);
    char *path = lkt_fmt("%s/checkpoint/offsets/7", run), *err = NULL, *text;
    FILE *fp;
    cr_assert_neq(kpt_kappa(ds, "revenue", run, ARGS " --crash-after 7:planned"), 0);
    text = lkt_slurp(path);
    cr_assert_not_null(text);
    text[10] = text[10] == '1' ? '2' : '1'; /* one changed digit, length unchanged */
    fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    cr_assert_eq(
        lkt_run(NULL, &err, "kappa --quiet --data %s --pipeline revenue --out %s " ARGS, ds, run),
        3);
    cr_assert(strstr(err, "checkpoint/offsets/7' (checksum mismatch)"), "%s", err);
    free(err);
    free(text);
    free(path);
    free(run);
    free(dir);
    free(ds);
}

Test(kp_recovery, state_stays_bounded_with_a_watermark_and_grows_without_one)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("bounded");
    char *r1 = lkt_fmt("%s/wm", dir), *r2 = lkt_fmt("%s/nowm", dir);
    long long bounded, grown, rows;
    cr_assert_eq(kpt_kappa(ds, "revenue", r1, "--trigger 10m --watermark 10m --output-mode update"),
                 0);
    cr_assert_eq(
        kpt_kappa(ds, "revenue", r2, "--trigger 10m --watermark none --output-mode update"), 0);
    bounded = lkt_query_int(r1, "SELECT max(state_rows) FROM progress");
    grown = lkt_query_int(r2, "SELECT max(state_rows) FROM progress");
    rows = lkt_query_int(r2, "SELECT count(*) FROM output");
    cr_assert_eq(grown, rows, "without a watermark every window stays in state");
    cr_assert_lt(bounded * 10, grown, "with one, state holds only open windows (%lld vs %lld)",
                 bounded, grown);
    cr_assert_gt(lkt_query_int(r2, "SELECT min(state_rows) FROM progress WHERE batch_id > 100"),
                 lkt_query_int(r2, "SELECT max(state_rows) FROM progress WHERE batch_id < 50"));
    free(r1);
    free(r2);
    free(dir);
    free(ds);
}

/* Lines of ds whose event's FIRST copy the run sent to the late table are removed. */
static char *without_late_events(const char *ds, const char *late_csv, const char *dir)
{
    struct lk_strtab *late = lk_strtab_new(), *seen = lk_strtab_new(), *drop = lk_strtab_new();
    struct lk_event_parser parser = LK_EVENT_PARSER_INIT;
    char *out = lkt_fmt("%s/filtered.jsonl", dir), *line, *save = NULL,
         *copy = lkt_fmt("%s", late_csv);
    char **files;
    size_t nfiles;
    FILE *fp = fopen(out, "w");
    /* late rows: key "event_id arrival_time" (columns 2 and 8) */
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[11], *s2 = NULL, *p = line;
        int n = 0;
        for (char *c = strtok_r(p, ",", &s2); c && n < 11; c = strtok_r(NULL, ",", &s2))
            f[n++] = c;
        if (n == 11) {
            char *key = lkt_fmt("%s %s", f[1], f[7]);
            lk_strtab_intern(late, key, strlen(key), NULL);
            free(key);
        }
    }
    cr_assert_eq(lk_dataset_log_files(ds, &files, &nfiles, NULL), 0);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < nfiles; i++) {
            struct lk_lines *r;
            const char *l;
            size_t len;
            cr_assert_eq(lk_lines_open(&r, files[i], NULL), 0);
            while (lk_lines_next(r, &l, &len, NULL) > 0) {
                struct lk_event ev;
                char iso[32], *key;
                int added;
                if (lk_event_parse(&parser, l, len, &ev, NULL) < 0) {
                    if (pass == 1)
                        fprintf(fp, "%.*s\n", (int)len, l);
                    continue;
                }
                if (pass == 1) {
                    if (lk_strtab_find(drop, ev.str[0].ptr, ev.str[0].len) == UINT32_MAX)
                        fprintf(fp, "%.*s\n", (int)len, l);
                    continue;
                }
                lk_strtab_intern(seen, ev.str[0].ptr, ev.str[0].len, &added);
                lk_time_format(ev.arrival_time, iso);
                key = lkt_fmt("%.*s %s", (int)ev.str[0].len, ev.str[0].ptr, iso);
                if (added && lk_strtab_find(late, key, strlen(key)) != UINT32_MAX)
                    lk_strtab_intern(drop, ev.str[0].ptr, ev.str[0].len, NULL);
                free(key);
            }
            lk_lines_close(r);
        }
    }
    cr_assert_gt(lk_strtab_count(drop), 10, "the run had late first copies");
    fclose(fp);
    lk_list_free(files, nfiles);
    lk_event_parser_release(&parser);
    lk_strtab_free(late);
    lk_strtab_free(seen);
    lk_strtab_free(drop);
    free(copy);
    return out;
}

Test(kp_recovery, append_output_plus_the_late_table_equals_truth)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("append-late"), *run = lkt_fmt("%s/run", dir);
    char *out, *late, *filtered, *expect;
    cr_assert_eq(kpt_kappa(ds, "revenue", run, "--trigger 1m --watermark 1m --final-watermark"), 0);
    out = kpt_results(run, "output");
    late = kpt_results(run, "late");
    filtered = without_late_events(ds, late, dir);
    expect = kpt_truth(filtered, "revenue");
    cr_assert(out && expect && strcmp(out, expect) == 0,
              "append output != truth over the events that were not late");
    free(expect);
    free(filtered);
    free(late);
    free(out);
    free(run);
    free(dir);
    free(ds);
}

Test(kp_recovery, reprocess_writes_a_new_version_and_swaps_the_view)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("reprocess"), *run = lkt_fmt("%s/run", dir);
    char *truth = kpt_truth(ds, "revenue"), *got;
    const char *args = "--trigger 1h --watermark none --output-mode update";
    cr_assert_eq(kpt_kappa(ds, "revenue", run, args), 0);
    cr_assert_eq(kpt_kappa(ds, "revenue", run,
                           "--reprocess --trigger 6h --watermark none --output-mode update"),
                 0);
    cr_assert_eq(lkt_query_int(run, "SELECT value FROM meta WHERE key = 'current_version'"), 2);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output_v1"),
                 lkt_query_int(run, "SELECT count(*) FROM output_v2"));
    got = kpt_results(run, "output");
    cr_assert(got && truth && strcmp(got, truth) == 0);
    free(got);
    free(truth);
    free(run);
    free(dir);
    free(ds);
}
