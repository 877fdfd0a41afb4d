/* lk_firsts - the first valid copy of every event_id of a dataset (see lk_firsts.h). */
#include "lk_firsts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_file.h"
#include "lk_kafka.h"
#include "lk_mem.h"
#include "lk_source.h"
#include "banned.h"

struct lk_firsts_file {
    char *path;
    struct stat st;
};

static int add(void *arg, const struct lk_record *rec)
{
    struct lk_firsts *f = arg;
    const struct lk_str *id = &rec->ev.str[LK_F_EVENT_ID];
    struct lk_first *x;
    int added;
    uint32_t i;
    if (!rec->valid)
        return 0;
    i = lk_strtab_intern(f->ids, id->ptr, id->len, &added);
    if (!added) { /* ids are dense in first-seen order: i is its first copy's index */
        if (rec->ev.arrival_time < f->v[i].earliest)
            f->v[i].earliest = rec->ev.arrival_time;
        return 0;
    }
    LK_GROW(f->v, f->cap, f->n + 1);
    x = &f->v[f->n++];
    for (size_t k = LK_F_TENANT; k <= LK_F_TYPE; k++)
        x->str[k - 1] = lk_strtab_intern(f->strs, rec->ev.str[k].ptr, rec->ev.str[k].len, NULL);
    x->part = (uint32_t)rec->part;
    x->line = rec->offset;
    x->value = rec->ev.value;
    x->event_time = rec->ev.event_time;
    x->arrival_time = x->earliest = rec->ev.arrival_time;
    return 0;
}

/* The partition file p as it is now is the one f read. */
static int unchanged(const struct lk_firsts *f, size_t p)
{
    struct stat st;
    const struct stat *was = &f->part[p].st;
    return stat(f->part[p].path, &st) == 0 && st.st_dev == was->st_dev && st.st_ino == was->st_ino
           && st.st_size == was->st_size && st.st_mtim.tv_sec == was->st_mtim.tv_sec
           && st.st_mtim.tv_nsec == was->st_mtim.tv_nsec;
}

/* Each partition file as it is before the log opens it (a kafka:// topic has none): a file
   replaced at any moment of the read is then seen by the check after it. */
static int note_files(struct lk_firsts *f, const char *data, struct lk_err *err)
{
    char **paths;
    size_t n;
    int rc;
    if (lk_kafka_is_url(data))
        return 0;
    if ((rc = lk_dataset_log_files(data, &paths, &n, err)) < 0)
        return rc;
    f->nparts = n;
    f->part = lk_xcalloc(n ? n : 1, sizeof(*f->part));
    for (size_t p = 0; p < n; p++)
        f->part[p].path = paths[p];
    free(paths);
    for (size_t p = 0; p < n; p++)
        if (stat(f->part[p].path, &f->part[p].st) != 0)
            return lk_err_sys(err, LK_EIO, errno, "cannot stat '%s'", f->part[p].path);
    return 0;
}

/* The log opened the files noted, and none changed since. */
static int same_files(const struct lk_firsts *f, const struct lk_log *log, struct lk_err *err)
{
    if (f->part && lk_log_partitions(log) != f->nparts)
        return lk_err_set(err, LK_EINPUT, "the log partitions changed while they were read");
    for (size_t p = 0; f->part && p < f->nparts; p++)
        if (strcmp(lk_log_path(log, p), f->part[p].path) != 0 || !unchanged(f, p))
            return lk_err_set(err, LK_EINPUT, "'%s' changed while it was read", f->part[p].path);
    return 0;
}

static int load_log(struct lk_firsts *f, const char *data, struct lk_err *err)
{
    struct lk_log *log;
    int rc;
    f->identity = lk_source_identity(data, 1);
    if ((rc = note_files(f, data, err)) < 0 || (rc = lk_log_open(&log, data, err)) < 0)
        return rc;
    if (!f->part) /* a topic */
        f->nparts = lk_log_partitions(log);
    for (size_t p = 0; p < lk_log_partitions(log) && rc == 0; p++) {
        const struct lk_record *rec;
        while ((rc = lk_log_peek(log, p, &rec, err)) > 0) {
            add(f, rec);
            lk_log_advance(log, p);
        }
    }
    if (rc == 0)
        rc = same_files(f, log, err);
    lk_log_close(log);
    return rc < 0 ? rc : 0;
}

static int load_landing(struct lk_firsts *f, const char *data, struct lk_err *err)
{
    struct lk_landing *l;
    int rc = lk_landing_open(&l, data, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < lk_landing_count(l) && rc == 0; i++)
        rc = lk_landing_read(l, i, add, f, err);
    lk_landing_close(l);
    return rc < 0 ? rc : 0;
}

int lk_firsts_load(const char *data, int files, struct lk_firsts **out, struct lk_err *err)
{
    struct lk_firsts *f = lk_xcalloc(1, sizeof(*f));
    int rc;
    f->ids = lk_strtab_new();
    f->strs = lk_strtab_new();
    rc = files ? load_landing(f, data, err) : load_log(f, data, err);
    if (rc < 0) {
        lk_firsts_free(f);
        f = NULL;
    }
    *out = f;
    return rc;
}

void lk_firsts_free(struct lk_firsts *f)
{
    if (!f)
        return;
    for (size_t p = 0; f->part && p < f->nparts; p++)
        free(f->part[p].path);
    free(f->part);
    lk_strtab_free(f->ids);
    lk_strtab_free(f->strs);
    free(f->v);
    free(f);
}

int lk_firsts_current(const struct lk_firsts *f, const char *data)
{
    if (!f || !f->part || lk_source_identity(data, 1) != f->identity)
        return 0;
    for (size_t p = 0; p < f->nparts; p++)
        if (!unchanged(f, p))
            return 0;
    return 1;
}

void lk_firsts_event(const struct lk_firsts *f, size_t i, struct lk_event *ev)
{
    const struct lk_first *x = &f->v[i];
    ev->str[LK_F_EVENT_ID] = lk_strtab_get(f->ids, (uint32_t)i);
    for (size_t k = LK_F_TENANT; k <= LK_F_TYPE; k++)
        ev->str[k] = lk_strtab_get(f->strs, x->str[k - 1]);
    ev->value = x->value;
    ev->event_time = x->event_time;
    ev->arrival_time = x->arrival_time;
}
