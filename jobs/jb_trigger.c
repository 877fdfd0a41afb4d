#define _DEFAULT_SOURCE /* usleep */
#include "jb_trigger.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_mem.h"

int64_t jb_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void jb_sleep_until(int64_t t)
{
    int64_t now;
    while ((now = jb_wall_ms()) < t)
        usleep((useconds_t)((t - now > 1000 ? 1000 : t - now) * 1000));
}

struct clock {
    int wall;
    int64_t until_ms;
};

static int64_t now_of(const struct clock *c, int64_t virtual_now)
{
    return c->wall ? jb_wall_ms() : virtual_now;
}

static int past_until(const struct clock *c, int64_t t)
{
    return c->until_ms >= 0 && t >= c->until_ms;
}

static int fire_schedule(const struct jb_trigger *tr, const struct clock *c,
                         const struct jb_fire *f, struct lk_err *err)
{
    int64_t after = now_of(c, tr->start_ms) / 1000 - 1, busy_until = INT64_MIN;
    for (;;) {
        int64_t next, end;
        int failed, rc;
        if ((rc = lk_cron_next(&tr->cron, tr->tz, after, &next, err)) < 0)
            return rc;
        after = next;
        next *= 1000;
        if (past_until(c, next))
            return 0;
        if (c->wall)
            jb_sleep_until(next);
        if (next < busy_until) {
            if ((rc = f->skip(f, "schedule", next)) < 0)
                return rc;
            continue;
        }
        if ((rc = f->run(f, "schedule", next, NULL, &end, &failed)) < 0)
            return rc;
        busy_until = end;
    }
}

static int fire_continuous(const struct jb_trigger *tr, const struct clock *c,
                           const struct jb_fire *f)
{
    int64_t t = now_of(c, tr->start_ms), end;
    int fails = 0, failed, rc;
    while (!past_until(c, t)) {
        if ((rc = f->run(f, "continuous", t, NULL, &end, &failed)) < 0)
            return rc;
        fails = failed ? fails + 1 : 0;
        /* a run that took no time is followed 1 s later, so the clock always moves on */
        t = (end > t ? end : t + 1000)
            + (fails ? tr->backoff_ms << (fails - 1 < 20 ? fails - 1 : 20) : 0);
        if (c->wall)
            jb_sleep_until(t);
    }
    return 0;
}

struct seen {
    char **names;
    size_t n, cap;
};

static int is_seen(const struct seen *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return 1;
    return 0;
}

/* Not a hidden file, not a file being written (the write-then-rename convention). */
static int complete_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && !(len >= 4 && strcmp(name + len - 4, ".tmp") == 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Scan the landing directory at clock `now`: a file exists when its mtime <= now. *fire:
 * the earliest instant >= lower when a new complete file (name without a leading '.' or a
 * '.tmp' end, unchanged for settle) exists and nothing in the directory changed for settle;
 * -1 when no new file exists yet. The batch is the new complete files at *fire.
 */
static int scan(const struct jb_trigger *tr, const struct seen *seen, int64_t now, int64_t lower,
                int64_t *fire, struct seen *batch, struct lk_err *err)
{
    char **names = NULL;
    size_t n = 0;
    int64_t *mt, t = -1;
    int rc = lk_list_dir(tr->dir, "", &names, &n, err);
    if (rc < 0)
        return rc;
    mt = lk_xcalloc(n + 1, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        struct lk_buf p = LK_BUF_INIT;
        struct stat st;
        lk_buf_addf(&p, "%s/%s", tr->dir, names[i]);
        mt[i] = stat(p.s, &st) == 0 && S_ISREG(st.st_mode)
                    ? (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000
                    : INT64_MAX;
        lk_buf_release(&p);
        if (mt[i] > now)
            continue;
        if (complete_name(names[i]) && !is_seen(seen, names[i])
            && (t < 0 || mt[i] + tr->settle_ms < t))
            t = mt[i] + tr->settle_ms;
    }
    if (t >= 0) {
        int moved = 1;
        if (t < lower)
            t = lower;
        while (moved) { /* wait until the directory has not changed for settle */
            moved = 0;
            for (size_t i = 0; i < n; i++)
                if (mt[i] <= now && mt[i] > t - tr->settle_ms && mt[i] <= t) {
                    t = mt[i] + tr->settle_ms;
                    moved = 1;
                }
        }
        for (size_t i = 0; i < n; i++) {
            if (mt[i] + tr->settle_ms <= t && complete_name(names[i]) && !is_seen(seen, names[i])) {
                lk_grow((void **)&batch->names, &batch->cap, batch->n + 1, sizeof(char *));
                batch->names[batch->n++] = lk_xstrdup(names[i]);
            }
        }
        qsort(batch->names, batch->n, sizeof(char *), by_name);
    }
    *fire = t;
    free(mt);
    lk_list_free(names, n);
    return 0;
}

static int fire_arrival(const struct jb_trigger *tr, const struct clock *c, const struct jb_fire *f,
                        struct lk_err *err)
{
    struct seen seen = { NULL, 0, 0 };
    int64_t lower = now_of(c, tr->start_ms);
    int rc = 0;
    /* under the virtual clock every file is known up front: the clock never stops scanning */
    while (rc == 0) {
        struct seen batch = { NULL, 0, 0 };
        int64_t fire, end, now = c->wall ? jb_wall_ms() : INT64_MAX - 1;
        int failed;
        if ((rc = scan(tr, &seen, now, lower, &fire, &batch, err)) < 0)
            break;
        if (fire < 0 || past_until(c, fire)) {
            if (!c->wall || past_until(c, jb_wall_ms()))
                break;
            usleep(500000);
            continue;
        }
        if (c->wall && fire > jb_wall_ms()) {
            jb_sleep_until(fire < jb_wall_ms() + 1000 ? fire : jb_wall_ms() + 1000);
            for (size_t i = 0; i < batch.n; i++)
                free(batch.names[i]);
            free(batch.names);
            continue; /* scan again: the directory may have changed */
        }
        struct lk_buf files = LK_BUF_INIT;
        for (size_t i = 0; i < batch.n; i++) {
            lk_buf_addf(&files, "%s%s/%s", i ? " " : "", tr->dir, batch.names[i]);
            lk_grow((void **)&seen.names, &seen.cap, seen.n + 1, sizeof(char *));
            seen.names[seen.n++] = batch.names[i];
        }
        free(batch.names);
        rc = f->run(f, "file_arrival", fire, files.s, &end, &failed);
        lk_buf_release(&files);
        lower = end > fire + tr->min_interval_ms ? end : fire + tr->min_interval_ms;
    }
    for (size_t i = 0; i < seen.n; i++)
        free(seen.names[i]);
    free(seen.names);
    return rc;
}

int jb_trigger_fire(const struct jb_trigger *tr, int wall, int64_t until_ms,
                    const struct jb_fire *f, struct lk_err *err)
{
    struct clock c = { wall, until_ms };
    int64_t t, end;
    int failed;
    switch (tr->kind) {
    case JB_SCHEDULE:
        return fire_schedule(tr, &c, f, err);
    case JB_CONTINUOUS:
        return fire_continuous(tr, &c, f);
    case JB_FILE_ARRIVAL:
        return fire_arrival(tr, &c, f, err);
    default:
        t = now_of(&c, tr->start_ms);
        return f->run(f, "manual", t, NULL, &end, &failed);
    }
}
