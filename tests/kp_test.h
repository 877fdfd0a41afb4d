/* Helpers for the Kappa end-to-end tests: run the real binary, read back its answer. */
#ifndef KP_TEST_H
#define KP_TEST_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"

/* The generated dataset the Kappa tests share (20k events, every kind of mess). */
static inline char *kpt_dataset(void)
{
    return lkt_dataset("kp20k", "--scenario clickstream --events 20000 --drop-every 10m --seed 7");
}

/* `lklab truth` of pipeline over ds as text. */
static inline char *kpt_truth(const char *ds, const char *pipeline)
{
    char *out = NULL;
    if (lkt_run(&out, NULL, "truth --quiet --data %s --pipeline %s --out -", ds, pipeline) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Run kappa into RUN with args; returns its exit code. */
static inline int kpt_kappa(const char *ds, const char *pipeline, const char *run, const char *args)
{
    return lkt_run(NULL, NULL, "kappa --quiet --data %s --pipeline %s --out %s %s", ds, pipeline,
                   run, args);
}

/* A run's table as CSV text (NULL when results fails). */
static inline char *kpt_results(const char *run, const char *table)
{
    char *out = NULL;
    if (lkt_run(&out, NULL, "results --run %s --table %s --out -", run, table) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/*
 * Crash a run (args + extra + " --crash-after 7:<phase>") on the shared dataset, check it
 * died without a run.json, restart it (args + extra), and compare its output with an
 * uninterrupted run with args alone; batch 7 must be in the sink exactly once.
 */
static inline void kpt_crash_and_recover(const char *args, const char *extra, const char *phase)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir(phase), *run = lkt_fmt("%s/crashed", dir);
    char *clean = lkt_fmt("%s/clean", dir), *want, *got;
    char *crash = lkt_fmt("%s %s --crash-after 7:%s", args, extra, phase);
    char *again = lkt_fmt("%s %s", args, extra), *runjson = lkt_fmt("%s/run.json", run);
    cr_assert_eq(kpt_kappa(ds, "revenue", clean, args), 0);
    want = kpt_results(clean, "output");
    cr_assert_neq(kpt_kappa(ds, "revenue", run, crash), 0, "the process must die");
    cr_assert_null(lkt_slurp(runjson), "no run.json after a crash");
    cr_assert_eq(kpt_kappa(ds, "revenue", run, again), 0, "restart recovers");
    got = kpt_results(run, "output");
    cr_assert(want && got && strcmp(want, got) == 0, "crash at %s + restart differs", phase);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM progress WHERE batch_id = 7"), 1,
                 "batch 7 is in the sink exactly once");
    free(got);
    free(want);
    free(runjson);
    free(again);
    free(crash);
    free(clean);
    free(run);
    free(dir);
    free(ds);
}

#endif
