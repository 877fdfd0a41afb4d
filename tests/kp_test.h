/* Helpers for the Kappa end-to-end tests: run the real binary, read back its answer. */
#ifndef KP_TEST_H
#define KP_TEST_H

#include <stdlib.h>

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

#endif
