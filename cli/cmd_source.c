/* The live sources of lklab kappa and lambda (cmd.h "cmd_source", docs/live.md). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_kafka.h"
#include "lk_time.h"
#include "banned.h"

#define LANDING "landing:"

int cmd_source_is_live(const char *value)
{
    return lk_kafka_is_url(value) || strncmp(value, LANDING, strlen(LANDING)) == 0;
}

int cmd_source_clock(const char *cmd, const char *value, int *wall)
{
    if (strcmp(value, "virtual") == 0 || strcmp(value, "wall") == 0) {
        *wall = value[0] == 'w';
        return 0;
    }
    return cmd_usage_error(cmd, "bad value '%s' for --clock (virtual or wall)", value);
}

int cmd_source_apply(const char *cmd, struct cmd_source *s, const char **data, int *files)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_buf b = LK_BUF_INIT;
    char *brokers, *topic;
    if (!s->live) {
        if (s->follow || s->wall)
            return cmd_usage_error(cmd,
                                   "%s is for a live source (--source "
                                   "kafka://HOST:PORT/TOPIC or landing:DIR)",
                                   s->follow ? "--follow" : "--clock wall");
        return 0;
    }
    if (*data)
        return cmd_usage_error(cmd, "--data and --source %s both name the input: drop --data",
                               s->live);
    if (s->wall && !lk_kafka_is_url(s->live))
        return cmd_usage_error(cmd, "--clock wall is for a kafka:// source (landing:DIR runs "
                                    "once the replay has ended, docs/live.md)");
    if (lk_kafka_is_url(s->live)) {
        if (lk_kafka_parse_url(s->live, &brokers, &topic, &err) < 0)
            return cmd_usage_error(cmd, "%s", err.msg);
        free(brokers);
        free(topic);
        lk_buf_adds(&b, s->live);
        if (s->follow)
            lk_buf_adds(&b, "?follow");
        *files = 0;
    } else {
        if (s->follow)
            return cmd_usage_error(cmd, "--follow is for kafka:// sources: a landing source "
                                        "runs once the replay has finished (docs/live.md)");
        if (!s->live[strlen(LANDING)])
            return cmd_usage_error(cmd, "bad value '%s' for --source (landing:DIR)", s->live);
        lk_buf_adds(&b, s->live + strlen(LANDING));
        *files = 1;
    }
    s->data = lk_buf_detach(&b, NULL);
    *data = s->data;
    return 0;
}

/*
 * landing:DIR: watch DIR (inotify) until the replay's end-of-replay file appears, telling
 * how many landing files have been noticed; the files are complete when they appear
 * (the replay renames each into place).
 */
int cmd_source_wait(const char *cmd, struct cmd_source *s)
{
    struct lk_err e = LK_ERR_INIT, *err = &e;
    struct lk_buf end = LK_BUF_INIT, landing = LK_BUF_INIT;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    unsigned long noticed = 0;
    int fd = -1, wd = -1, rc = 0;
    if (!s->live || lk_kafka_is_url(s->live))
        return 0;
    lk_buf_addf(&end, "%s/end-of-replay", s->data);
    lk_buf_addf(&landing, "%s/landing", s->data);
    if (!lk_is_file(end.s)) {
        fd = inotify_init1(IN_CLOEXEC);
        if (fd < 0 || (rc = lk_mkdir_p(landing.s, err)) < 0
            || (wd = inotify_add_watch(fd, s->data, IN_MOVED_TO | IN_CLOSE_WRITE)) < 0
            || inotify_add_watch(fd, landing.s, IN_MOVED_TO) < 0) {
            rc = rc < 0 ? rc : lk_err_sys(err, LK_EIO, errno, "cannot watch '%s'", s->data);
            goto out;
        }
        cmd_error(cmd, "waiting for the replay into '%s' to end (%s appears)", s->data, end.s);
        while (!lk_is_file(end.s)) {
            struct pollfd p = { fd, POLLIN, 0 };
            ssize_t n;
            if (poll(&p, 1, 1000) <= 0)
                continue;
            if ((n = read(fd, buf, sizeof(buf))) <= 0)
                continue;
            for (char *at = buf; at < buf + n;) {
                const struct inotify_event *ev = (const struct inotify_event *)(void *)at;
                if (ev->wd != wd && ev->len && strstr(ev->name, ".jsonl"))
                    noticed++;
                at += sizeof(*ev) + ev->len;
            }
        }
        cmd_error(cmd, "the replay ended: %lu landing files noticed while waiting", noticed);
    }
out:
    if (fd >= 0)
        close(fd);
    lk_buf_release(&end);
    lk_buf_release(&landing);
    return rc < 0 ? cmd_fail(cmd, err) : 0;
}

void cmd_source_release(struct cmd_source *s)
{
    free(s->data);
    s->data = NULL;
}

/* The trigger time of a Lambda run's last speed micro-batch: the last "speed" line in the
   last 16 KB of its metrics.jsonl (a line each job, appended as it commits; the batch
   jobs' lines in between are a few), or LK_TIME_NEG_INF. */
static int64_t last_speed_trigger(const char *run)
{
    struct lk_buf p = LK_BUF_INIT;
    char tail[16384 + 1], *at = NULL, *next;
    size_t len = 0;
    int64_t t = LK_TIME_NEG_INF;
    FILE *fp;
    lk_buf_addf(&p, "%s/metrics.jsonl", run);
    if ((fp = fopen(p.s, "rb")) != NULL) {
        if (fseek(fp, -(long)(sizeof(tail) - 1), SEEK_END) != 0)
            rewind(fp);
        len = fread(tail, 1, sizeof(tail) - 1, fp);
        fclose(fp);
    }
    tail[len] = '\0';
    for (next = tail; (next = strstr(next, "{\"layer\":\"speed\"")) != NULL; next++)
        at = next;
    if (at && (at = strstr(at, "\"trigger_time\":\"")) && strlen(at + 16) >= 24)
        lk_time_parse(at + 16, 24, &t);
    lk_buf_release(&p);
    return t;
}

/* The trigger time of a Kappa run's last committed batch, or of a Lambda run's last speed
   micro-batch (a run without checkpoint/commits), or LK_TIME_NEG_INF. */
static int64_t last_trigger(const char *run)
{
    struct lk_buf p = LK_BUF_INIT;
    char **names = NULL, *text = NULL, *at;
    size_t n = 0, len;
    long best = -1;
    int64_t t = LK_TIME_NEG_INF;
    lk_buf_addf(&p, "%s/checkpoint/commits", run);
    if (!lk_is_dir(p.s)) {
        lk_buf_release(&p);
        return last_speed_trigger(run);
    }
    if (lk_list_dir(p.s, "", &names, &n, NULL) == 0)
        for (size_t i = 0; i < n; i++)
            if (atol(names[i]) > best)
                best = atol(names[i]);
    lk_list_free(names, n);
    lk_buf_reset(&p);
    lk_buf_addf(&p, "%s/checkpoint/offsets/%ld", run, best);
    if (best >= 0 && lk_file_read_all(p.s, 1 << 20, &text, &len, NULL) == 0
        && (at = strstr(text, "\"trigger_time\":\"")))
        t = atoll(at + 16);
    free(text);
    lk_buf_release(&p);
    return t;
}

int cmd_source_lag(const char *url, const char *run, struct cmd_source_clock *clock, double *lag)
{
    struct timespec ts;
    int64_t t = last_trigger(run), now;
    if (!clock->have) { /* the replay-start record, once */
        struct lk_kafka_cons *c;
        const char *val;
        size_t len;
        uint64_t off;
        if (lk_kafka_cons_open(&c, url, 1, NULL) == 0) {
            if (lk_kafka_cons_next(c, 0, &val, &len, &off, NULL) >= 0)
                clock->have = lk_kafka_cons_clock(c, &clock->k);
            lk_kafka_cons_close(c);
        }
    }
    if (!clock->have || clock->k.speed <= 0 || t == LK_TIME_NEG_INF)
        return -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    now = clock->k.virtual_start_ms
          + (int64_t)((double)((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000
                               - clock->k.wall_start_ms)
                      * clock->k.speed);
    *lag = (double)(now - t) / clock->k.speed / 1000.0;
    return 0;
}

void cmd_source_progress(void *arg, uint64_t done, uint64_t total)
{
    struct cmd_source_progress *sp = arg;
    double now = lk_wall_now(), lag;
    (void)total;
    if (sp->p.quiet || now - sp->p.last < (sp->p.tty ? 1.0 : 5.0))
        return;
    sp->p.last = now;
    if (cmd_source_lag(sp->url, sp->run, &sp->clock, &lag) == 0)
        fprintf(stderr,
                "%slklab %s: %llu Kafka offsets consumed; the last batch is %.1f s behind the "
                "replay%s",
                sp->p.tty ? "\r" : "", sp->p.cmd, (unsigned long long)done, lag,
                sp->p.tty ? "   " : "\n");
    else
        fprintf(stderr, "%slklab %s: %llu Kafka offsets consumed%s", sp->p.tty ? "\r" : "",
                sp->p.cmd, (unsigned long long)done, sp->p.tty ? "   " : "\n");
}
