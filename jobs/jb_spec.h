/*
 * jb_spec - a job spec (docs/jobs.md): JSON read with cJSON, checked, and its tasks put in
 * an order where every task comes after the tasks it depends on.
 *
 *   { "name": "lambda-batch-6h", "description": "...",
 *     "parameters": { "data": "out/ds30" },                 defaults; --param k=v overrides
 *     "trigger": { "kind": "schedule", "cron": "0 * /6 * * *", "timezone": "UTC",
 *                  "start": "2026-01-01T00:00:00Z" }      or manual, continuous {backoff},
 *                                                           file_arrival {dir, settle,
 * min_interval} "alerts": [ {"rule": "run_duration > 45m"} ], "notify": { "webhooks":
 * ["http://..."], "file": "notify.jsonl" }, "tasks": [ { "name": "batch", "lklab": ["lambda",
 * "--data", "{{data}}", ...]   or "shell": "...", or "condition": {...}, or "run_job": {...}
 *                  "depends_on": ["cut", {"task": "check", "outcome": "true"}],
 *                  "run_if": "all_succeeded" | "at_least_one_failed" | "all_done",
 *                  "for_each": {"items": ["t01", "t02"], "concurrency": 2},
 *                  "retries": 2, "retry_backoff": "30s", "timeout": "10m",
 *                  "virtual_duration": "1m", "alerts": [...] } ] }
 *
 * Rules: unknown members and members given twice are refused (lk_spec_json_open); task
 * names are identifiers and distinct; exactly one of lklab/shell/condition/run_job; a
 * depends_on names an earlier-or-later task of the job, never itself; a cycle is refused
 * naming it ("depends_on: cycle a -> b -> a"); an outcome is required only from a
 * condition task. Errors: LK_ESPEC with "<field>: <what> (job '<path>')".
 */
#ifndef JB_SPEC_H
#define JB_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "lk_cron.h"
#include "lk_err.h"

enum jb_kind { JB_LKLAB, JB_SHELL, JB_CONDITION, JB_RUN_JOB };
enum jb_run_if { JB_ALL_SUCCEEDED, JB_AT_LEAST_ONE_FAILED, JB_ALL_DONE };
enum jb_trigger_kind { JB_MANUAL, JB_SCHEDULE, JB_FILE_ARRIVAL, JB_CONTINUOUS };

/* "run_duration > 45m" (or >=): fires when the run's (task's) duration passes limit_ms. */
struct jb_alert {
    char *rule;
    int64_t limit_ms;
    int or_equal;
};

struct jb_dep {
    size_t task;
    int outcome; /* -1 any; 0 false; 1 true (the dependency is a condition task) */
};

/* A condition: value OP than, value one of "exit_code:TASK" or "json:PATH#a.b.c". */
struct jb_condition {
    char *value;
    char op[3]; /* > >= < <= == != */
    double than;
};

struct jb_task {
    char *name;
    enum jb_kind kind;
    char **argv; /* lklab: its arguments; run_job: "k=v" parameters */
    size_t argc;
    char *shell; /* shell: the command; run_job: the job file */
    struct jb_condition cond;
    struct jb_dep *deps;
    size_t ndeps;
    enum jb_run_if run_if;
    char **items; /* for_each */
    size_t nitems;
    int concurrency;
    int retries;
    int64_t backoff_ms, timeout_ms, vduration_ms; /* timeout 0 = none; vduration -1 = default */
    struct jb_alert *alerts;
    size_t nalerts;
};

struct jb_trigger {
    enum jb_trigger_kind kind;
    struct lk_cron cron;
    char *cron_text, *tz, *dir;
    int64_t start_ms, settle_ms, min_interval_ms, backoff_ms;
};

struct jb_job {
    char *name, *path, *dir; /* dir: the job file's directory ({{job_dir}}) */
    char **pnames, **pvalues;
    size_t nparams;
    struct jb_trigger trigger;
    struct jb_task *tasks;
    size_t ntasks;
    size_t *order; /* tasks in dependency order */
    struct jb_alert *alerts;
    size_t nalerts;
    char **webhooks;
    size_t nwebhooks;
    char *notify_file;
};

/* Read and check a job file (heap; jb_spec_free). */
int jb_spec_load(struct jb_job *job, const char *path, struct lk_err *err);
void jb_spec_free(struct jb_job *job);
/* Set a parameter (k=v from --param): replaces a default, or adds one. */
int jb_spec_set_param(struct jb_job *job, const char *kv, struct lk_err *err);

/*
 * Replace every {{name}} of text by its value: names[i] -> values[i] (first match wins).
 * An unknown name is LK_ESPEC "unknown parameter '{{x}}'" (heap result in *out).
 */
int jb_spec_subst(const char *text, const char *const *names, const char *const *values, size_t n,
                  char **out, struct lk_err *err);

#endif
