#include "lk_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lk_crc32.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_kafka.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

/* ------------------------------------------------------------- identity ---- */

/* what cmd_source appends to a kafka:// URL for --follow (kafka_open strips it) */
#define FOLLOW_SUFFIX "?follow"

/* Add a path's last component (and its NUL) to h. */
static uint64_t fnv_name(uint64_t h, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return lk_fnv1a(h, base, strlen(base) + 1);
}

size_t lk_source_name_len(const char *data)
{
    size_t n = strlen(data), sl = strlen(FOLLOW_SUFFIX);
    return n > sl && strcmp(data + n - sl, FOLLOW_SUFFIX) == 0 ? n - sl : n;
}

uint64_t lk_source_identity(const char *data, int log_names)
{
    size_t n = strlen(data) + 32, np = 0;
    char *p = lk_xmalloc(n), *text = NULL, **paths = NULL;
    size_t len;
    uint64_t h = LK_FNV1A_BASIS;
    struct stat st;
    if (stat(data, &st) == 0) {
        uint64_t id[2] = { (uint64_t)st.st_dev, (uint64_t)st.st_ino };
        h = lk_fnv1a(h, id, sizeof(id));
    } else { /* not a path: a kafka:// topic's URL is its identity, with or without --follow */
        h = lk_fnv1a(h, data, lk_source_name_len(data));
    }
    snprintf(p, n, "%s/manifest.json", data);
    if (lk_is_file(p) && lk_file_read_all(p, (size_t)1 << 24, &text, &len, NULL) == 0)
        h = lk_fnv1a(h, text, len);
    free(text);
    free(p);
    if (log_names && lk_dataset_log_files(data, &paths, &np, NULL) == 0) {
        for (size_t i = 0; i < np; i++)
            h = fnv_name(h, paths[i]);
        lk_list_free(paths, np);
    }
    return h;
}

#define LINE_TAIL 4096

int lk_source_line_crc(const char *path, uint64_t end, uint32_t *crc, struct lk_err *err)
{
    char buf[LINE_TAIL];
    uint64_t from = end > LINE_TAIL ? end - LINE_TAIL : 0;
    size_t k = (size_t)(end - from), i;
    ssize_t got;
    int fd;
    *crc = 0;
    if (end == 0)
        return 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return lk_err_sys(err, LK_EIO, errno, "cannot open '%s'", path);
    got = pread(fd, buf, k, (off_t)from);
    close(fd);
    if (got < 0)
        return lk_err_sys(err, LK_EIO, errno, "cannot read '%s'", path);
    if ((size_t)got < k)
        return LK_EINPUT;
    for (i = k - 1; i > 0 && buf[i - 1] != '\n'; i--)
        ;
    *crc = lk_crc32(0, buf + i, k - i);
    return 0;
}

/* ------------------------------------------------------------------ log ---- */

struct part {
    char *path;
    struct lk_lines *lines;
    struct lk_event_parser parser;
    struct lk_record rec;
    int have; /* rec holds a peeked record */
    int eof;
    int pending;                  /* the last peek found nothing by the --clock wall deadline */
    uint64_t offset, byte_offset; /* of the next unconsumed record */
};

struct lk_log {
    struct part *parts;
    size_t n;
    struct lk_kafka_cons *kafka; /* a kafka:// source: the partitions are the topic's */
};

/* kafka://HOST:PORT/TOPIC[?follow]: one reader per topic partition, named URL#P. */
static int kafka_open(struct lk_log *log, const char *data, struct lk_err *err)
{
    size_t n = lk_source_name_len(data);
    int follow = data[n] != '\0';
    char *url = lk_xstrndup(data, n);
    int rc = lk_kafka_cons_open(&log->kafka, url, follow, err);
    if (rc == 0) {
        log->n = lk_kafka_cons_partitions(log->kafka);
        log->parts = lk_xcalloc(log->n, sizeof(*log->parts));
        for (size_t p = 0; p < log->n; p++) {
            struct lk_buf name = LK_BUF_INIT;
            lk_buf_addf(&name, "%s#%zu", url, p);
            log->parts[p].path = lk_buf_detach(&name, NULL);
            lk_event_parser_init(&log->parts[p].parser);
        }
    }
    free(url);
    return rc;
}

int lk_log_open(struct lk_log **out, const char *data, struct lk_err *err)
{
    char **paths;
    size_t n;
    struct lk_log *log;
    int rc;
    if (lk_kafka_is_url(data)) {
        log = lk_xcalloc(1, sizeof(*log));
        if ((rc = kafka_open(log, data, err)) < 0) {
            lk_log_close(log);
            return rc;
        }
        *out = log;
        return 0;
    }
    rc = lk_dataset_log_files(data, &paths, &n, err);
    if (rc < 0)
        return rc;
    if (n == 0) {
        lk_list_free(paths, n);
        return lk_err_set(err, LK_EINPUT, "cannot read dataset '%s' (no log partitions)", data);
    }
    log = lk_xcalloc(1, sizeof(*log));
    log->parts = lk_xcalloc(n, sizeof(*log->parts));
    log->n = n;
    for (size_t p = 0; p < n; p++) {
        log->parts[p].path = paths[p];
        lk_event_parser_init(&log->parts[p].parser);
        if (rc == 0)
            rc = lk_lines_open(&log->parts[p].lines, paths[p], err);
    }
    free(paths);
    if (rc < 0) {
        lk_log_close(log);
        return rc;
    }
    *out = log;
    return 0;
}

void lk_log_close(struct lk_log *log)
{
    if (!log)
        return;
    for (size_t p = 0; p < log->n; p++) {
        free(log->parts[p].path);
        lk_lines_close(log->parts[p].lines);
        lk_event_parser_release(&log->parts[p].parser);
    }
    free(log->parts);
    lk_kafka_cons_close(log->kafka);
    free(log);
}

const char *lk_log_topic(const struct lk_log *log)
{
    return log->kafka ? lk_kafka_cons_topic(log->kafka) : NULL;
}

uint64_t lk_log_first_offset(const struct lk_log *log)
{
    return log->kafka ? 1 : 0;
}

size_t lk_log_partitions(const struct lk_log *log)
{
    return log->n;
}

const char *lk_log_path(const struct lk_log *log, size_t p)
{
    return log->parts[p].path;
}

static void make_record(struct lk_event_parser *parser, struct lk_record *rec, const char *line,
                        size_t len, size_t part, uint64_t offset)
{
    rec->line = line;
    rec->len = len;
    rec->part = part;
    rec->offset = offset;
    rec->valid = lk_event_parse(parser, line, len, &rec->ev, &rec->rej) == 0;
}

int lk_log_peek(struct lk_log *log, size_t p, const struct lk_record **rec, struct lk_err *err)
{
    struct part *pt = &log->parts[p];
    const char *line;
    size_t len;
    int rc;
    pt->pending = 0;
    if (!pt->have) {
        uint64_t offset = pt->offset;
        if (pt->eof)
            return 0;
        rc = log->kafka ? lk_kafka_cons_next(log->kafka, p, &line, &len, &offset, err)
                        : lk_lines_next(pt->lines, &line, &len, err);
        pt->pending = rc == 2; /* none by the --clock wall deadline: not an end */
        if (pt->pending)
            return 0;
        if (rc <= 0) {
            pt->eof = rc == 0;
            return rc;
        }
        make_record(&pt->parser, &pt->rec, line, len, p, offset);
        pt->have = 1;
    }
    *rec = &pt->rec;
    return 1;
}

void lk_log_set_deadline(struct lk_log *log, int64_t deadline_ms)
{
    if (log->kafka)
        lk_kafka_cons_set_deadline(log->kafka, deadline_ms);
}

int lk_log_pending(const struct lk_log *log, size_t p)
{
    return log->parts[p].pending;
}

int lk_log_replay_clock(struct lk_log *log, int64_t *wall_start_ms, int64_t *virtual_start_ms,
                        double *speed)
{
    struct lk_kafka_clock c;
    if (!log->kafka || !lk_kafka_cons_clock(log->kafka, &c))
        return 0;
    *wall_start_ms = c.wall_start_ms;
    *virtual_start_ms = c.virtual_start_ms;
    *speed = c.speed;
    return 1;
}

void lk_log_advance(struct lk_log *log, size_t p)
{
    struct part *pt = &log->parts[p];
    if (!pt->have)
        return;
    pt->have = 0;
    pt->offset = pt->rec.offset + 1; /* Kafka offsets may skip the control records */
    pt->byte_offset = pt->lines ? lk_lines_offset(pt->lines) : pt->offset;
}

uint64_t lk_log_offset(const struct lk_log *log, size_t p)
{
    return log->parts[p].offset;
}

uint64_t lk_log_byte_offset(const struct lk_log *log, size_t p)
{
    return log->parts[p].byte_offset;
}

int lk_log_seek(struct lk_log *log, size_t p, uint64_t offset, uint64_t byte_offset,
                struct lk_err *err)
{
    struct part *pt = &log->parts[p];
    int rc = log->kafka ? lk_kafka_cons_seek(log->kafka, p, offset, err)
                        : lk_lines_seek(pt->lines, byte_offset, (size_t)offset, err);
    if (rc < 0)
        return rc;
    pt->have = pt->eof = 0;
    pt->offset = offset;
    pt->byte_offset = byte_offset;
    return 0;
}

/*
 * Earliest or latest arrival of a valid event. The earliest needs only the first valid
 * line of each partition (they are in arrival order); the latest reads everything.
 */
static int arrival_bound(const char *data, int latest, int64_t *out, struct lk_err *err)
{
    struct lk_log *log;
    int64_t best = latest ? LK_TIME_NEG_INF : LK_TIME_POS_INF;
    int rc = lk_log_open(&log, data, err);
    if (rc < 0)
        return rc;
    for (size_t p = 0; p < log->n && rc >= 0; p++) {
        const struct lk_record *rec;
        while ((rc = lk_log_peek(log, p, &rec, err)) > 0) {
            lk_log_advance(log, p);
            if (!rec->valid)
                continue;
            if (latest ? rec->ev.arrival_time > best : rec->ev.arrival_time < best)
                best = rec->ev.arrival_time;
            if (!latest)
                break;
        }
    }
    lk_log_close(log);
    if (rc < 0)
        return rc;
    if (best == LK_TIME_NEG_INF || best == LK_TIME_POS_INF)
        return lk_err_set(err, LK_EINPUT, "dataset '%s' holds no valid event", data);
    *out = best;
    return 0;
}

int lk_log_first_arrival(const char *data, int64_t *out, struct lk_err *err)
{
    return arrival_bound(data, 0, out, err);
}

int lk_log_last_arrival(const char *data, int64_t *out, struct lk_err *err)
{
    return arrival_bound(data, 1, out, err);
}

/* -------------------------------------------------------------- landing ---- */

struct lk_landing {
    char *dir;
    char **names;
    int64_t *times;
    size_t n;
    struct lk_event_parser parser;
};

/* "YYYYMMDDTHHMMSSmmmZ-..." -> landing time */
static int name_time(const char *name, int64_t *out)
{
    char iso[LK_TIME_ISO_LEN + 1];
    if (strlen(name) < 19 || name[8] != 'T' || name[18] != 'Z')
        return LK_EINPUT;
    snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s.%.3sZ", name, name + 4, name + 6,
             name + 9, name + 11, name + 13, name + 15);
    return lk_time_parse(iso, LK_TIME_ISO_LEN, out);
}

int lk_landing_open(struct lk_landing **out, const char *data, struct lk_err *err)
{
    struct lk_landing *l = lk_xcalloc(1, sizeof(*l));
    size_t n = strlen(data) + 16;
    int rc;
    l->dir = lk_xmalloc(n);
    snprintf(l->dir, n, "%s/landing", data);
    lk_event_parser_init(&l->parser);
    if (!lk_is_dir(l->dir)) {
        rc = lk_err_set(err, LK_ENOENT, "cannot open landing directory '%s' (no such directory)",
                        l->dir);
        goto fail;
    }
    if ((rc = lk_list_dir(l->dir, ".jsonl", &l->names, &l->n, err)) < 0)
        goto fail;
    l->times = lk_xreallocarray(NULL, l->n + 1, sizeof(*l->times));
    for (size_t i = 0; i < l->n; i++) {
        if (name_time(l->names[i], &l->times[i]) < 0) {
            rc = lk_err_set(err, LK_EINPUT,
                            "cannot read landing file '%s/%s' (name is not "
                            "<YYYYMMDDTHHMMSSmmmZ>-...)",
                            l->dir, l->names[i]);
            goto fail;
        }
    }
    *out = l;
    return 0;
fail:
    lk_landing_close(l);
    return rc;
}

void lk_landing_close(struct lk_landing *l)
{
    if (!l)
        return;
    lk_list_free(l->names, l->n);
    free(l->times);
    free(l->dir);
    lk_event_parser_release(&l->parser);
    free(l);
}

size_t lk_landing_count(const struct lk_landing *l)
{
    return l->n;
}

int64_t lk_landing_time(const struct lk_landing *l, size_t i)
{
    return l->times[i];
}

const char *lk_landing_name(const struct lk_landing *l, size_t i)
{
    return l->names[i];
}

int lk_landing_read(struct lk_landing *l, size_t i, lk_record_fn fn, void *arg, struct lk_err *err)
{
    struct lk_lines *r;
    struct lk_record rec;
    const char *line;
    size_t len, pathlen = strlen(l->dir) + strlen(l->names[i]) + 2;
    uint64_t offset = 0;
    char *path = lk_xmalloc(pathlen);
    int rc;
    snprintf(path, pathlen, "%s/%s", l->dir, l->names[i]);
    rc = lk_lines_open(&r, path, err);
    free(path);
    if (rc < 0)
        return rc;
    while ((rc = lk_lines_next(r, &line, &len, err)) > 0) {
        make_record(&l->parser, &rec, line, len, i, offset++);
        if ((rc = fn(arg, &rec)) < 0)
            break;
    }
    lk_lines_close(r);
    return rc < 0 ? rc : 0;
}
