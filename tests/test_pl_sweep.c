/*
 * pl_sweep: the one reader of a sweep directory, on the hand-made fixture
 * tests/fixtures/sweep (values read off its files by hand) and on copies broken on purpose.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"
#include "pl_sweep.h"
#include "banned.h"

/* A fresh copy of the fixture, after running the shell command edit in it (heap path). */
static char *broken_copy(const char *name, const char *edit)
{
    char *dir = lkt_tmpdir(name), *s = lkt_fmt("%s/s", dir);
    char *cmd =
        lkt_fmt("cp -r '%s/tests/fixtures/sweep' '%s' && cd '%s' && %s", lkt_root(), s, s, edit);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
    free(dir);
    return s;
}

static char *fixture(void)
{
    return lkt_fmt("%s/tests/fixtures/sweep", lkt_root());
}

Test(pl_sweep, reads_runs_dataset_and_cost_tables_of_the_fixture)
{
    struct pl_sweep s = PL_SWEEP_INIT;
    struct lk_err err = LK_ERR_INIT;
    char *dir = fixture();
    cr_assert_eq(pl_sweep_load(&s, dir, PL_SWEEP_DATASET | PL_SWEEP_COSTS, &err), 0, "%s", err.msg);
    cr_assert_eq(s.nruns, 10);
    cr_expect_str_eq(s.runs[0].name, "kappa-10s-wm10m");
    cr_expect_eq(s.runs[0].stack, PL_KAPPA);
    cr_expect_str_eq(s.runs[0].mode, "append");
    cr_expect_eq(s.runs[0].first_visible_ms[0], 6100);
    cr_expect_eq(s.runs[0].correct_pct, 99.20);
    cr_expect_eq(s.runs[1].trigger_ms, 60000);
    /* kappa-1m-wm1m: 1300 never-correct events, 93.50% correct: p95 and p99 are inf */
    cr_expect_str_eq(s.runs[4].name, "kappa-1m-wm1m");
    cr_expect_eq(s.runs[4].correct_ms[0], 150000);
    cr_expect(isinf(s.runs[4].correct_ms[1]) && s.runs[4].correct_ms[1] > 0);
    cr_expect(isinf(s.runs[4].correct_ms[2]));
    cr_expect_eq(s.runs[4].correct_pct, 93.50);
    cr_expect_str_eq(s.runs[6].mode, "serving");
    cr_expect_eq(pl_run_update(&s.runs[6]), 0);
    cr_expect_str_eq(s.runs[9].mode, "update");
    cr_expect_str_eq(s.runs[9].name, "kappa-update-1m-wm10m");
    cr_expect_eq(pl_run_update(&s.runs[9]), 1);
    cr_expect_eq(pl_run_update(&s.runs[0]), 0);
    cr_expect_str_eq(s.pipeline, "revenue");
    cr_expect_str_eq(s.scenario, "clickstream");
    cr_expect_str_eq(s.seed, "42");
    cr_expect_eq(s.events, 20000);
    cr_expect_eq(s.wall_ms, 7000);
    cr_expect_str_eq(s.fresh_column, "revenue");
    cr_expect_eq(s.fresh_final, 606.57);
    cr_assert_eq(s.nbatch, 4);
    cr_expect_eq(s.batch_hours[3], 24.2);
    cr_expect_str_eq(s.saw_run, "runs/lambda-6h");
    cr_assert(s.cost.present && s.scenarios.present);
    cr_expect_eq(s.cost.nrows, 34); /* 30 + the two Lambda runs' compute.speed and .batch */
    cr_assert_eq(s.scenarios.nrows, 10);
    cr_expect_str_eq(s.scenarios.rows[1].scenario, "small-files");
    cr_expect_str_eq(s.scenarios.rows[1].component, "storage");
    cr_expect_eq(s.scenarios.rows[1].usd_month, 420);
    cr_expect_eq(s.scenarios.rows[1].line, 3);
    cr_expect_null(s.cost.rows[0].scenario);
    pl_sweep_release(&s);
    free(dir);
}

Test(pl_sweep, reads_the_dataset_and_cost_tables_only_when_asked)
{
    struct pl_sweep s = PL_SWEEP_INIT;
    struct lk_err err = LK_ERR_INIT;
    char *dir = broken_copy("sweep-nojson", "rm sweep.json && echo x >> cost.csv");
    cr_assert_eq(pl_sweep_load(&s, dir, 0, &err), 0, "%s", err.msg);
    cr_expect_eq(s.has_json, 0);
    cr_expect_null(s.fresh_key);
    cr_expect_eq(s.cost.present, 0);
    pl_sweep_release(&s);
    cr_assert_eq(pl_sweep_load(&s, dir, PL_SWEEP_DATASET, &err), LK_ENOENT);
    cr_expect(strstr(err.msg, "no sweep.json"), "%s", err.msg);
    pl_sweep_release(&s);
    free(dir);
}

static void expect_bad(const char *name, const char *edit, unsigned flags, const char *msg)
{
    struct pl_sweep s = PL_SWEEP_INIT;
    struct lk_err err = LK_ERR_INIT;
    char *dir = broken_copy(name, edit);
    cr_assert_eq(pl_sweep_load(&s, dir, flags, &err), LK_EINPUT, "%s", edit);
    cr_expect(strstr(err.msg, msg), "%s: %s", edit, err.msg);
    pl_sweep_release(&s);
    cr_expect_eq(s.nruns, 0);
    free(dir);
}

Test(pl_sweep, refuses_malformed_files_naming_file_and_line)
{
    static const struct {
        const char *name, *edit;
        unsigned flags;
        const char *msg;
    } cases[] = {
        { "sweep-cost", "sed -i '4s/280.00/2.8e2/' scenarios.csv", PL_SWEEP_COSTS,
          "bad number '2.8e2' in column 'usd_month' (" },
        { "sweep-cost2", "sed -i '4s/280.00/2.8e2/' scenarios.csv", PL_SWEEP_COSTS,
          "scenarios.csv' line 4)" },
        { "sweep-blank", "printf '\\n' >> cost.csv", PL_SWEEP_COSTS, "blank line ('" },
        { "sweep-head", "sed -i '1s/config,/conf,/' cost.csv", PL_SWEEP_COSTS,
          "header is not the cost.csv header" },
        { "sweep-run", "sed -i '3s,runs/kappa-1m-wm10m,runs/../x,' sweep.csv", 0,
          "bad run name 'runs/../x' in column 'run' (" },
        { "sweep-fields", "sed -i '3s/$/,x/' sweep.csv", 0, "29 fields where the header has 28 (" },
        { "sweep-mode", "sed -i '2s/,append,/,serving,/' sweep.csv", 0,
          "mode is not append or update for kappa 'serving' in column 'mode' (" },
        { "sweep-lmode", "sed -i '8s/,serving,/,update,/' sweep.csv", 0,
          "mode is not serving for lambda 'update' in column 'mode' (" },
        { "sweep-inf", "sed -i '2s/,160,99.20,/,inf,99.20,/' sweep.csv", 0,
          "bad number 'inf' in column 'never_correct' (" },
        { "sweep-minf", "sed -i '2s/,6100,/,-inf,/' sweep.csv", 0,
          "bad number '-inf' in column 'first_visible_p50_ms' (" },
        { "sweep-pct", "sed -i '2s/,99.20,/,100.01,/' sweep.csv", 0,
          "share above 100 '100.01' in column 'correct_pct' (" },
        { "sweep-json", "printf '{\\n\"a\": [1,\\n}' > sweep.json", 0, "not valid JSON ('" },
        { "sweep-saw", "sed -i 's/6.06,/\"6h\",/' sweep.json", 0,
          "'sawtooth.batch_visible_hours' holds a non-number" },
        { "sweep-seed", "sed -i 's/\"seed\": 42/\"seed\": null/' sweep.json", PL_SWEEP_DATASET,
          "missing number 'dataset.seed'" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_bad(cases[i].name, cases[i].edit, cases[i].flags, cases[i].msg);
}

Test(pl_sweep, reads_series_files_strictly)
{
    struct pl_sweep s = PL_SWEEP_INIT;
    struct pl_series t = PL_SERIES_INIT;
    struct lk_err err = LK_ERR_INIT;
    char *dir = broken_copy("sweep-series", "rm freshness_lambda.tsv && "
                                            "sed -i '3s/\\t/ /' freshness_kappa.tsv");
    cr_assert_eq(pl_sweep_load(&s, dir, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(pl_sweep_series(&s, PL_SERIES_SAWTOOTH, &t, &err), 0, "%s", err.msg);
    cr_expect_eq(t.nrows, 25);
    cr_expect_eq(t.ncols, 3);
    cr_expect_eq(t.v[1 * 3 + 1], 3); /* "1	3	0.40" */
    cr_expect_eq(t.v[1 * 3 + 2], 0.40);
    pl_series_release(&t);
    cr_expect_eq(pl_sweep_series(&s, PL_SERIES_FRESH_LAMBDA, &t, &err), LK_ENOENT);
    cr_expect_eq(pl_sweep_series(&s, PL_SERIES_FRESH_KAPPA, &t, &err), LK_EINPUT);
    cr_expect(strstr(err.msg, "freshness_kappa.tsv' line 3)"), "%s", err.msg);
    pl_series_release(&t);
    pl_sweep_release(&s);
    free(dir);
}
