/*
 * lklab replay: publish a dataset as it arrived, into a Kafka topic or a landing directory,
 * paced on the wall clock (docs/live.md "Replay").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_kafka.h"
#include "lk_mem.h"
#include "lk_source.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "replay"
#define LANDING "landing:"
static const char usage_line[] =
    "lklab replay --data DIR --to kafka://HOST:PORT/TOPIC|landing:DIR [--speed 60x|max] [--quiet]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Publishes a dataset's lines as they arrived, paced so that one wall second is\n"
           "SPEED virtual seconds: the live sources of 'lklab kappa --source' read them.\n"
           "Duplicates, late and malformed lines go out as the dataset has them.\n\n"
           "  --data DIR     a dataset from 'lklab gen'\n"
           "  --to kafka://HOST:PORT/TOPIC\n"
           "                 a NEW topic with one partition per log partition: a replay-start\n"
           "                 record (its wall start and speed: the shared clock of --clock wall),\n"
           "                 the partition's lines in arrival order, an end-of-replay record\n"
           "  --to landing:DIR\n"
           "                 the dataset's landing files appear in DIR/landing/ at their landing\n"
           "                 time, each atomically (written aside, then renamed); DIR/replay.json\n"
           "                 holds the clock, DIR/end-of-replay appears last\n"
           "  --speed S      60x: a wall second is 60 virtual seconds (default); max: as fast as\n"
           "                 the broker takes them\n"
           "  --quiet        no progress or summary\n\n"
           "exit: 0 ok, 2 usage, 3 bad dataset or the topic exists, 4 broker or I/O error\n",
           usage_line);
}

struct replay {
    double speed;          /* virtual ms per wall ms; 0 = max */
    int64_t wall_start;    /* Unix ms */
    int64_t virtual_start; /* the virtual instant of wall_start */
    int quiet;
};

static int64_t unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep until virtual time t is due on the replay's clock. */
static void pace(const struct replay *r, int64_t t)
{
    int64_t due, now;
    if (r->speed <= 0)
        return;
    due = r->wall_start + (int64_t)((double)(t - r->virtual_start) / r->speed);
    now = unix_ms();
    if (due > now) {
        struct timespec ts = { (due - now) / 1000, ((due - now) % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
}

static char *clock_json(const struct replay *r)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_addf(&b, "{\"wall_start_ms\":%lld,\"virtual_start_ms\":%lld,\"speed\":%.17g}",
                (long long)r->wall_start, (long long)r->virtual_start, r->speed);
    return lk_buf_detach(&b, NULL);
}

static void progress(const struct replay *r, struct cmd_progress *pg, int64_t vt, uint64_t lines,
                     int final)
{
    double now = lk_wall_now();
    char iso[LK_TIME_ISO_LEN + 1];
    if (r->quiet || (!final && now - pg->last < (pg->tty ? 0.5 : 5.0)))
        return;
    pg->last = now;
    lk_time_format(vt, iso);
    fprintf(stderr, "%slklab replay: %llu lines, virtual time %s, %.1f s%s", pg->tty ? "\r" : "",
            (unsigned long long)lines, iso, now - pg->started, pg->tty && !final ? "   " : "\n");
}

/* Kafka: a k-way merge of the log partitions on arrival time, paced. */
static int to_kafka(struct replay *r, const char *data, const char *url, struct lk_err *err)
{
    struct lk_log *log = NULL;
    struct lk_kafka_prod *prod = NULL;
    struct cmd_progress pg;
    int64_t *last = NULL, vt;
    uint64_t *sent = NULL;
    uint64_t lines = 0, malformed = 0;
    size_t n;
    char *start;
    int rc;
    if ((rc = lk_log_first_arrival(data, &r->virtual_start, err)) < 0
        || (rc = lk_log_open(&log, data, err)) < 0)
        return rc;
    n = lk_log_partitions(log);
    if ((rc = lk_kafka_prod_open(&prod, url, n, err)) < 0)
        goto out;
    r->wall_start = unix_ms();
    start = clock_json(r);
    for (size_t p = 0; p < n && rc == 0; p++)
        rc = lk_kafka_prod_send(prod, p, LK_KAFKA_KEY_START, start, strlen(start), err);
    free(start);
    last = lk_xcalloc(n, sizeof(*last));
    sent = lk_xcalloc(n, sizeof(*sent));
    for (size_t p = 0; p < n; p++)
        last[p] = r->virtual_start; /* a malformed line goes out when its partition is due */
    cmd_progress_init(&pg, CMD, "lines", 0, r->quiet);
    vt = r->virtual_start;
    while (rc == 0) {
        const struct lk_record *rec, *best = NULL;
        size_t bp = 0;
        for (size_t p = 0; p < n; p++) {
            int k = lk_log_peek(log, p, &rec, err);
            if (k < 0) {
                rc = k;
                break;
            }
            if (k == 0)
                continue;
            if (rec->valid)
                last[p] = rec->ev.arrival_time;
            if (!best || last[p] < last[bp]) {
                best = rec;
                bp = p;
            }
        }
        if (rc < 0 || !best)
            break;
        if (last[bp] > vt)
            vt = last[bp];
        pace(r, vt);
        if ((rc = lk_kafka_prod_send(prod, bp, NULL, best->line, best->len, err)) < 0)
            break;
        malformed += !best->valid;
        sent[bp]++;
        lk_log_advance(log, bp);
        progress(r, &pg, vt, ++lines, 0);
    }
    for (size_t p = 0; p < n && rc == 0; p++) {
        struct lk_buf b = LK_BUF_INIT;
        lk_buf_addf(&b, "{\"end_of_replay\":true,\"lines\":%llu}", (unsigned long long)lines);
        rc = lk_kafka_prod_send(prod, p, LK_KAFKA_KEY_END, b.s, b.len, err);
        lk_buf_release(&b);
    }
    if (rc == 0)
        rc = lk_kafka_prod_flush(prod, err);
    for (size_t p = 0; p < n && rc == 0; p++) /* start + lines + end, nothing lost */
        rc = lk_kafka_prod_check(prod, p, sent[p] + 2, err);
    if (rc == 0 && !r->quiet) {
        double s = lk_wall_now() - pg.started;
        progress(r, &pg, vt, lines, 1);
        fprintf(stderr,
                "lklab replay: %llu lines (%llu malformed) into %s, %zu partitions, "
                "in %.1f s (%.0f lines/s)\n",
                (unsigned long long)lines, (unsigned long long)malformed, url, n, s,
                s > 0 ? (double)lines / s : 0.0);
    }
out:
    free(last);
    free(sent);
    lk_kafka_prod_close(prod);
    lk_log_close(log);
    return rc;
}

static char *join(const char *a, const char *b)
{
    struct lk_buf buf = LK_BUF_INIT;
    lk_buf_addf(&buf, "%s/%s", a, b);
    return lk_buf_detach(&buf, NULL);
}

/* Copy src to dst atomically (written aside, then renamed). */
static int copy_atomic(const char *src, const char *dst, struct lk_err *err)
{
    char *text = NULL;
    size_t len;
    struct lk_atomic a = LK_ATOMIC_INIT;
    int rc = lk_file_read_all(src, (size_t)1 << 31, &text, &len, err);
    if (rc == 0 && (rc = lk_atomic_open(&a, dst, err)) == 0) {
        a.durability = LK_DURABLE_PROCESS; /* a replay is redone, not recovered */
        fwrite(text, 1, len, a.fp);
        rc = lk_atomic_commit(&a, err);
    }
    free(text);
    return rc;
}

/* Landing files: each appears in OUT/landing at its landing time. */
static int to_landing(struct replay *r, const char *data, const char *out, struct lk_err *err)
{
    struct lk_landing *l = NULL;
    struct cmd_progress pg;
    char *dir = join(out, "landing"), *path = NULL, *clock = NULL;
    int64_t vt;
    size_t n;
    int rc;
    if ((rc = lk_landing_open(&l, data, err)) < 0)
        goto out;
    if ((n = lk_landing_count(l)) == 0) {
        rc = lk_err_set(err, LK_EINPUT, "dataset '%s' has no landing files", data);
        goto out;
    }
    path = join(out, "replay.json");
    if (lk_is_file(path)) {
        rc = lk_err_set(err, LK_EINPUT,
                        "'%s' holds a replay already (a replay writes a new "
                        "directory)",
                        out);
        goto out;
    }
    free(path);
    path = NULL;
    if ((rc = lk_mkdir_p(dir, err)) < 0)
        goto out;
    r->virtual_start = vt = lk_landing_time(l, 0);
    r->wall_start = unix_ms();
    path = join(data, "manifest.json");
    if (lk_is_file(path)) {
        char *dst = join(out, "manifest.json");
        rc = copy_atomic(path, dst, err);
        free(dst);
    }
    free(path);
    path = join(out, "replay.json");
    clock = clock_json(r);
    if (rc == 0)
        rc = lk_file_write_checked_as(path, clock, strlen(clock), LK_DURABLE_PROCESS, err);
    cmd_progress_init(&pg, CMD, "files", n, r->quiet);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *src = join(data, "landing"), *s2, *dst;
        vt = lk_landing_time(l, i);
        pace(r, vt);
        s2 = join(src, lk_landing_name(l, i));
        dst = join(dir, lk_landing_name(l, i));
        rc = copy_atomic(s2, dst, err);
        free(src);
        free(s2);
        free(dst);
        progress(r, &pg, vt, i + 1, 0);
    }
    free(path);
    path = join(out, "end-of-replay");
    if (rc == 0)
        rc = lk_file_write_checked_as(path, "{}", 2, LK_DURABLE_PROCESS, err);
    if (rc == 0 && !r->quiet)
        fprintf(stderr, "lklab replay: %zu landing files into %s in %.1f s\n", n, dir,
                lk_wall_now() - pg.started);
out:
    free(dir);
    free(path);
    free(clock);
    lk_landing_close(l);
    return rc;
}

int cmd_parse_speed(const char *cmd, const char *text, double *speed)
{
    char *end;
    double v;
    if (strcmp(text, "max") == 0) {
        *speed = 0;
        return 0;
    }
    v = strtod(text, &end);
    if (end == text || strcmp(end, "x") != 0 || !(v > 0) || v > 1e9)
        return cmd_usage_error(cmd, "bad value '%s' for --speed (like 60x, or max)", text);
    *speed = v;
    return 0;
}

int cmd_replay(int argc, char **argv)
{
    enum { O_DATA = 1, O_TO, O_SPEED, O_QUIET };
    static const struct option opts[] = { { "data", required_argument, NULL, O_DATA },
                                          { "to", required_argument, NULL, O_TO },
                                          { "speed", required_argument, NULL, O_SPEED },
                                          { "quiet", no_argument, NULL, O_QUIET },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    struct lk_err err = LK_ERR_INIT;
    struct replay r = { 60.0, 0, 0, 0 };
    const char *data = NULL, *to = NULL;
    char *brokers = NULL, *topic = NULL;
    struct cmd_getopt go;
    int c, rc;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case O_DATA:
            data = optarg;
            break;
        case O_TO:
            to = optarg;
            break;
        case O_SPEED:
            if (cmd_parse_speed(CMD, optarg, &r.speed))
                return 2;
            break;
        case O_QUIET:
            r.quiet = 1;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (cmd_need_options(CMD, "--data", data, "--to", to, NULL))
        return 2;
    if (cmd_need_dataset(CMD, data) != 0)
        return 3;
    if (lk_kafka_is_url(to)) {
        if (lk_kafka_parse_url(to, &brokers, &topic, &err) < 0)
            return cmd_fail(CMD, &err);
        free(brokers);
        free(topic);
        rc = to_kafka(&r, data, to, &err);
    } else if (strncmp(to, LANDING, strlen(LANDING)) == 0 && to[strlen(LANDING)]) {
        rc = to_landing(&r, data, to + strlen(LANDING), &err);
    } else {
        return cmd_usage_error(CMD,
                               "bad value '%s' for --to (kafka://HOST:PORT/TOPIC or "
                               "landing:DIR)",
                               to);
    }
    return rc < 0 ? cmd_fail(CMD, &err) : 0;
}
