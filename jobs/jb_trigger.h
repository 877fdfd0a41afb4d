/*
 * jb_trigger - when a job runs (docs/jobs.md "Triggers"): manual (once, at start),
 * schedule (every cron instant from start; a fire while the previous run is running is
 * skipped), file_arrival (complete new files in a landing directory once it has settled,
 * at most once per min_interval) and continuous (again when a run ends, with a doubling
 * backoff after failures). Under the virtual clock the instants come from the trigger and
 * the files' mtimes and nothing sleeps; under the wall clock it sleeps until each instant.
 * It knows nothing of tasks: each fire calls back into the runner (jb_run).
 */
#ifndef JB_TRIGGER_H
#define JB_TRIGGER_H

#include <stdint.h>

#include "jb_spec.h"
#include "lk_err.h"

struct jb_fire {
    void *arg;
    struct jb_job *job;
    /* run the job once at `at` (files: a file-arrival batch, else NULL): its end, failed */
    int (*run)(const struct jb_fire *f, const char *trigger, int64_t at, const char *files,
               int64_t *end, int *failed);
    /* a fire not run: the previous run was still running */
    int (*skip)(const struct jb_fire *f, const char *trigger, int64_t at);
};

/* Fire until until_ms (excluded; -1: none, for manual or the wall clock). */
int jb_trigger_fire(const struct jb_trigger *tr, int wall, int64_t until_ms,
                    const struct jb_fire *f, struct lk_err *err);

/* The wall clock in ms since 1970, and a sleep until such an instant. */
int64_t jb_wall_ms(void);
void jb_sleep_until(int64_t t);

#endif
