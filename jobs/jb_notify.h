/*
 * jb_notify - a job's notifications (docs/jobs.md): on start, success, failure and alert,
 * one JSON object
 *   {"event":"failure","job":"...","run_id":3,"task":"batch","time":"<clock ISO>",
 *    "state":"failed","detail":"exit 1"}
 * POSTed (Content-Type: application/json, libcurl, 5 s timeout) to every webhook and
 * appended as one line to the notify file. Every webhook delivery is a row of
 * system_notifications (jb_audit): 'ok' on a 2xx answer, else 'failed' with the reason.
 * A failed webhook never fails the job.
 */
#ifndef JB_NOTIFY_H
#define JB_NOTIFY_H

#include <stdint.h>
#include <stdio.h>

#include "jb_audit.h"
#include "lk_err.h"

struct jb_notify {
    char **webhooks;
    size_t nwebhooks;
    FILE *file; /* NULL: no file */
    struct jb_audit *audit;
    const char *job;
};

struct jb_event {
    const char *event; /* start, success, failure, alert */
    int64_t run_id;
    const char *task; /* NULL for the job */
    int64_t time_ms;
    const char *state, *detail;
};

/* 0, or an error of the notify file or of the audit table (a webhook failure is a row). */
int jb_notify_send(struct jb_notify *n, const struct jb_event *ev, struct lk_err *err);

#endif
