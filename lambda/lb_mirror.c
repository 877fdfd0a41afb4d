/* lb_mirror: a Kafka topic's lines as log files under the run (lb_mirror.h). */
#include "lb_mirror.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lk_buf.h"
#include "lk_event.h"
#include "lk_file.h"
#include "lk_lines.h"
#include "lk_mem.h"
#include "lk_source.h"
#include "lk_time.h"
#include "banned.h"

struct mpart {
    char *path;
    FILE *fp;
    int64_t reached; /* the largest arrival_time of the valid lines written */
    int ended;
};

struct lb_mirror {
    struct lk_log *log;
    struct mpart *parts;
    size_t n;
};

/* The lines a file holds already: count, reached, and the end of its last whole line. */
static int scan(struct mpart *mp, uint64_t *lines, uint64_t *end, struct lk_err *err)
{
    struct lk_event_parser parser = LK_EVENT_PARSER_INIT;
    struct lk_lines *r;
    struct lk_event ev;
    struct lk_reject rej;
    const char *line;
    size_t len;
    int rc = lk_lines_open(&r, mp->path, err);
    *lines = *end = 0;
    while (rc == 0 && (rc = lk_lines_next(r, &line, &len, err)) > 0) {
        rc = 0;
        if (lk_lines_offset(r) != *end + len + 1) /* no '\n': cut short by a kill */
            break;
        *end = lk_lines_offset(r);
        (*lines)++;
        if (lk_event_parse(&parser, line, len, &ev, &rej) == 0 && ev.arrival_time > mp->reached)
            mp->reached = ev.arrival_time;
    }
    lk_event_parser_release(&parser);
    lk_lines_close(r);
    return rc < 0 ? rc : 0;
}

static int open_part(struct lb_mirror *m, size_t p, const char *dir, struct lk_err *err)
{
    struct mpart *mp = &m->parts[p];
    struct lk_buf b = LK_BUF_INIT;
    uint64_t lines = 0, end = 0, first = lk_log_first_offset(m->log);
    int rc = 0;
    lk_buf_addf(&b, "%s/log/p-%05zu.jsonl", dir, p);
    mp->path = lk_buf_detach(&b, NULL);
    mp->reached = LK_TIME_NEG_INF;
    if (lk_is_file(mp->path) && (rc = scan(mp, &lines, &end, err)) == 0
        && truncate(mp->path, (off_t)end) != 0)
        rc = lk_file_error(err, errno, "truncate", mp->path);
    if (rc == 0 && lines > 0)
        rc = lk_log_seek(m->log, p, first + lines, first + lines, err);
    if (rc == 0 && !(mp->fp = fopen(mp->path, "a")))
        rc = lk_file_error(err, errno, "open", mp->path);
    return rc;
}

int lb_mirror_open(struct lb_mirror **out, const char *data, const char *dir, struct lk_err *err)
{
    struct lb_mirror *m = lk_xcalloc(1, sizeof(*m));
    struct lk_buf logdir = LK_BUF_INIT;
    int rc;
    lk_buf_addf(&logdir, "%s/log", dir);
    if ((rc = lk_mkdir_p(logdir.s, err)) == 0 && (rc = lk_log_open(&m->log, data, err)) == 0) {
        m->n = lk_log_partitions(m->log);
        m->parts = lk_xcalloc(m->n ? m->n : 1, sizeof(*m->parts));
        for (size_t p = 0; p < m->n && rc == 0; p++)
            rc = open_part(m, p, dir, err);
    }
    lk_buf_release(&logdir);
    if (rc < 0) {
        lb_mirror_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int lb_mirror_upto(struct lb_mirror *m, int64_t t, struct lk_err *err)
{
    for (size_t p = 0; p < m->n; p++) {
        struct mpart *mp = &m->parts[p];
        const struct lk_record *rec;
        int rc = 0;
        while (!mp->ended && mp->reached <= t && (rc = lk_log_peek(m->log, p, &rec, err)) > 0) {
            if (fwrite(rec->line, 1, rec->len, mp->fp) != rec->len || putc('\n', mp->fp) == EOF)
                return lk_file_write_failed(mp->fp, "a line of the topic", err);
            if (rec->valid && rec->ev.arrival_time > mp->reached)
                mp->reached = rec->ev.arrival_time;
            lk_log_advance(m->log, p);
        }
        if (rc < 0)
            return rc;
        mp->ended |= rc == 0 && mp->reached <= t;
        if (fflush(mp->fp) != 0)
            return lk_file_write_failed(mp->fp, "a line of the topic", err);
    }
    return 0;
}

void lb_mirror_free(struct lb_mirror *m)
{
    if (!m)
        return;
    for (size_t p = 0; p < m->n; p++) {
        if (m->parts[p].fp)
            fclose(m->parts[p].fp);
        free(m->parts[p].path);
    }
    free(m->parts);
    lk_log_close(m->log);
    free(m);
}
