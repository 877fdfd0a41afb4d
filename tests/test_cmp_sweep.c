/* Tests for cmp_sweep: the plan of a sweep (docs/sweep.md), worked out by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "cmp_sweep.h"
#include "lk_time.h"
#include "banned.h"

static struct cmp_sweep_item item(const char *text, int64_t ms)
{
    struct cmp_sweep_item it = { "", ms };
    strncpy(it.text, text, sizeof(it.text) - 1);
    return it;
}

Test(cmp_sweep, plans_lambda_then_each_trigger_in_both_modes_then_the_extra_watermarks)
{
    static const char *const want[] = {
        "lambda-6h",      "kappa-10s-wm10m",       "kappa-update-10s-wm10m",
        "kappa-1m-wm10m", "kappa-update-1m-wm10m", "kappa-1m-wm1m"
    };
    static const char *const mode[] = {
        "serving", "append", "update", "append", "update", "append"
    };
    /* the series runs: the first Lambda run, and Kappa append at 1m (docs/sweep.md) */
    static const int series[] = { 1, 0, 0, 1, 0, 0 };
    struct cmp_sweep_grid g = { .modes = CMP_SWEEP_APPEND | CMP_SWEEP_UPDATE };
    struct cmp_sweep_run runs[CMP_SWEEP_MAX_RUNS];
    size_t n;
    g.triggers.v[0] = item("10s", 10 * LK_MS_PER_SEC);
    g.triggers.v[1] = item("1m", LK_MS_PER_MIN);
    g.triggers.n = 2;
    g.watermarks.v[0] = item("1m", LK_MS_PER_MIN);
    g.watermarks.v[1] = item("10m", 10 * LK_MS_PER_MIN); /* the default's: no extra run */
    g.watermarks.n = 2;
    g.every.v[0] = item("6h", 6 * LK_MS_PER_HOUR);
    g.every.n = 1;
    g.watermark = item("10m", 10 * LK_MS_PER_MIN);
    g.speed = item("10s", 10 * LK_MS_PER_SEC);
    n = cmp_sweep_plan(&g, runs);
    cr_assert_eq(n, 6);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(runs[i].name, want[i]);
        cr_assert_str_eq(cmp_sweep_mode(&runs[i]), mode[i], "%s", want[i]);
        cr_assert_eq(runs[i].series, series[i], "%s", want[i]);
    }
    cr_assert_eq(runs[0].every.ms, 6 * LK_MS_PER_HOUR);
    cr_assert_eq(runs[0].watermark.ms, -1, "Lambda has no watermark");
    cr_assert_eq(runs[5].trigger.ms, LK_MS_PER_MIN, "extra watermarks run at the 1m reference");
    cr_assert_eq(runs[5].watermark.ms, LK_MS_PER_MIN);
}

Test(cmp_sweep, extra_watermarks_run_in_update_mode_when_append_is_not_swept)
{
    struct cmp_sweep_grid g = { .modes = CMP_SWEEP_UPDATE };
    struct cmp_sweep_run runs[CMP_SWEEP_MAX_RUNS];
    g.triggers.v[0] = item("1h", LK_MS_PER_HOUR);
    g.triggers.n = 1;
    g.watermarks.v[0] = item("1m", LK_MS_PER_MIN);
    g.watermarks.n = 1;
    g.watermark = item("10m", 10 * LK_MS_PER_MIN);
    cr_assert_eq(cmp_sweep_plan(&g, runs), 2, "no batch period: no Lambda run");
    cr_assert_str_eq(runs[0].name, "kappa-update-1h-wm10m");
    cr_assert_str_eq(runs[1].name, "kappa-update-1h-wm1m", "the first trigger is the reference");
    cr_assert(runs[0].series && !runs[1].series, "no append run: the first update run's series");
}
