/* Tests for lk_run (the run contract's names and run.json) and the rules the stacks keep there. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lb_rundir.h"
#include "lk_run.h"
#include "lk_test.h"
#include "banned.h"

Test(lk_run, each_name_table_maps_both_ways_and_refuses_unknown_names)
{
    cr_assert_str_eq(lk_stack_name(LK_STACK_KAPPA), "kappa");
    cr_assert_str_eq(lk_stack_name(LK_STACK_LAMBDA), "lambda");
    cr_assert_eq(lk_stack_lookup("lambda"), LK_STACK_LAMBDA);
    cr_assert_eq(lk_stack_lookup("Kappa"), -1, "names are case-sensitive, as run.json holds them");
    cr_assert_eq(lk_stack_lookup(NULL), -1);
    cr_assert_str_eq(lk_mode_name(LK_MODE_APPEND), "append");
    cr_assert_str_eq(lk_mode_name(LK_MODE_UPDATE), "update");
    cr_assert_str_eq(lk_mode_name(LK_MODE_COMPLETE), "complete");
    cr_assert_eq(lk_mode_lookup("complete"), LK_MODE_COMPLETE);
    cr_assert_eq(lk_mode_lookup("serving"), -1);
    cr_assert_str_eq(lk_trigger_name(LK_TRIGGER_AVAILABLE_NOW), "available-now");
    cr_assert_str_eq(lk_mode_name((enum lk_mode)7), "?");
}

Test(lk_run, a_trigger_is_a_named_kind_or_a_positive_duration)
{
    cr_assert_eq(lk_trigger_lookup("once"), LK_TRIGGER_ONCE);
    cr_assert_eq(lk_trigger_lookup("available-now"), LK_TRIGGER_AVAILABLE_NOW);
    cr_assert_eq(lk_trigger_lookup("continuous"), LK_TRIGGER_CONTINUOUS);
    cr_assert_eq(lk_trigger_lookup("1m"), LK_TRIGGER_INTERVAL);
    cr_assert_eq(lk_trigger_lookup("24h"), LK_TRIGGER_INTERVAL);
    cr_assert_eq(lk_trigger_lookup("interval"), -1, "the kind's name is not a trigger value");
    cr_assert_eq(lk_trigger_lookup("0s"), -1);
    cr_assert_eq(lk_trigger_lookup("soon"), -1);
}

Test(lk_run, opening_says_which_of_no_run_unfinished_and_no_stack_it_is)
{
    char *dir = lkt_tmpdir("lk-run"), *missing = lkt_fmt("%s/none", dir);
    struct lk_run r = LK_RUN_INIT;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_run_open(&r, missing, &err), LK_ENOENT);
    cr_assert(strstr(err.msg, "no run '"), "%s", err.msg);
    cr_assert_eq(lk_run_open(&r, dir, &err), LK_ENOENT);
    cr_assert(strstr(err.msg, "has no run.json (not a run, or it has not finished)"), "%s",
              err.msg);
    char *path = lkt_fmt("%s/run.json", dir);
    lkt_write(path, "{\"stack\": \"lamda\"}");
    cr_assert_eq(lk_run_open(&r, dir, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "names no stack"), "%s", err.msg);
    cr_assert_null(r.json, "a failed open leaves nothing to release");
    free(path);
    free(missing);
    free(dir);
}

Test(lk_run, run_json_written_through_the_contract_reads_back)
{
    char *dir = lkt_tmpdir("lk-run-rt"), *text;
    struct lk_run r = LK_RUN_INIT;
    struct lk_err err = LK_ERR_INIT;
    cJSON *root = lk_run_json_new(LK_STACK_LAMBDA),
          *p = cJSON_AddObjectToObject(root, "parameters");
    cJSON_AddStringToObject(p, "trigger", "available-now");
    cr_assert_eq(lk_run_json_write(dir, root, &err), 0, "%s", err.msg);
    cJSON_Delete(root);
    cr_assert_eq(lk_run_open(&r, dir, &err), 0, "%s", err.msg);
    cr_assert_eq(r.stack, LK_STACK_LAMBDA);
    cr_assert_str_eq(lk_run_param(&r, "trigger"), "available-now");
    cr_assert_null(lk_run_param(&r, "watermark"));
    text = lkt_slurpf("%s/run.json", dir);
    cr_assert(strstr(text, "\"stack\":\t\"lambda\""), "%s", text);
    lk_run_release(&r);
    lk_run_release(&r);
    free(text);
    free(dir);
}

Test(lb_rundir, batch_every_must_be_a_multiple_of_the_speed_trigger)
{
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lb_rundir_check_periods(6 * 3600000, 10000, &err), 0);
    cr_assert_eq(lb_rundir_check_periods(10000, 10000, &err), 0);
    cr_assert_eq(lb_rundir_check_periods(7000, 10000, &err), LK_EUSAGE);
    cr_assert(strstr(err.msg, "must be a multiple of --speed-trigger"), "%s", err.msg);
    cr_assert_eq(lb_rundir_check_periods(25000, 10000, &err), LK_EUSAGE);
    cr_assert_eq(lb_rundir_check_periods(60000, 0, &err), LK_EUSAGE);
    cr_assert(strstr(err.msg, "--speed-trigger"), "%s", err.msg);
}
