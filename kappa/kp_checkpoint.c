#include "kp_checkpoint.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lk_buf.h"
#include "lk_crc32.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

#define FILE_MAX ((size_t)1 << 30)
/*
 * A snapshot is due when the deltas written since the last one add up to this many times
 * its size: writing stays proportional to the changes (1 + 1/4 of them), and recovery
 * reads at most about 1 + 4 times the state (Spark takes a snapshot every 10 deltas).
 */
#define SNAPSHOT_RATIO 4

struct kp_ckpt {
    char *dir;
    char run_id[KP_RUN_ID_LEN + 1];
    enum lk_durability durability;
    size_t last_snapshot;  /* bytes of the last snapshot this process wrote (0: none yet) */
    size_t since_snapshot; /* bytes of the deltas written after it */
    struct lk_buf jbuf;    /* offsets and commits text, reused */
};

static char *path_of(const struct kp_ckpt *c, const char *sub, uint64_t n)
{
    size_t len = strlen(c->dir) + 64;
    char *p = lk_xmalloc(len);
    snprintf(p, len, "%s/%s/%llu", c->dir, sub, (unsigned long long)n);
    return p;
}

/* Write a checksummed checkpoint file with the checkpoint's durability. */
static int write_checked(const struct kp_ckpt *c, const char *path, const char *data, size_t len,
                         struct lk_err *err)
{
    return lk_file_write_checked_as(path, data, len, c->durability, err);
}

/* A fresh run id: 16 random hex digits (time and pid when the kernel gives no randomness). */
static void new_run_id(char *id)
{
    uint64_t r;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        r = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
    snprintf(id, KP_RUN_ID_LEN + 1, "%016llx", (unsigned long long)r);
}

/* An item's value for a message, at most 60 characters. */
static void value_text(const cJSON *item, char *buf, size_t size)
{
    char *t = item ? cJSON_PrintUnformatted(item) : NULL;
    snprintf(buf, size, "%.60s", t ? t : "none");
    free(t);
}

/* Every field of want must be in have with the same value; have's run id goes to c. */
static int check_metadata(struct kp_ckpt *c, const char *path, const cJSON *have, const cJSON *want,
                          struct lk_err *err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(have, "run_id"), *w;
    if (!cJSON_IsString(id) || strlen(id->valuestring) != KP_RUN_ID_LEN)
        return lk_err_set(err, LK_EUSAGE,
                          "checkpoint '%s' has no run id (made by an older "
                          "lklab, or not a checkpoint): use a new --out",
                          c->dir);
    snprintf(c->run_id, sizeof(c->run_id), "%s", id->valuestring);
    cJSON_ArrayForEach(w, want)
    {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(have, w->string);
        char was[64], now[64];
        if (h && cJSON_Compare(h, w, 1))
            continue;
        value_text(h, was, sizeof(was));
        value_text(w, now, sizeof(now));
        return lk_err_set(err, LK_EUSAGE,
                          "checkpoint '%s' was made with %s %s, this run has %s: "
                          "use a new --out, or restart with the same pipeline, data and options "
                          "(%s)",
                          c->dir, w->string, was, now, path);
    }
    return 0;
}

/* Check the existing metadata (or write it, with a new run id) and keep the run id in c. */
static int bind_metadata(struct kp_ckpt *c, const char *path, const char *metadata,
                         struct lk_err *err)
{
    cJSON *want = cJSON_Parse(metadata), *have = NULL;
    char *old = NULL, *text;
    size_t oldlen;
    int rc = 0;
    if (!cJSON_IsObject(want)) {
        rc = lk_err_set(err, LK_EINTERNAL, "checkpoint metadata is not a json object");
    } else if (lk_is_file(path)) {
        rc = lk_file_read_checked(path, FILE_MAX, &old, &oldlen, err);
        if (rc == 0 && !cJSON_IsObject(have = cJSON_ParseWithLength(old, oldlen)))
            rc = lk_err_set(err, LK_ECORRUPT, "cannot load '%s' (not a json object)", path);
        if (rc == 0)
            rc = check_metadata(c, path, have, want, err);
    } else {
        new_run_id(c->run_id);
        cJSON_AddStringToObject(want, "run_id", c->run_id);
        text = cJSON_PrintUnformatted(want);
        rc = write_checked(c, path, text, strlen(text), err);
        free(text);
    }
    cJSON_Delete(want);
    cJSON_Delete(have);
    free(old);
    return rc;
}

int kp_ckpt_open(struct kp_ckpt **out, const char *dir, const char *metadata,
                 enum lk_durability durability, struct lk_err *err)
{
    static const char *const subs[] = { "offsets", "state", "commits" };
    struct kp_ckpt *c = lk_xcalloc(1, sizeof(*c));
    size_t len = strlen(dir) + 32;
    char *p = lk_xmalloc(len);
    int rc = 0;
    c->dir = lk_xstrdup(dir);
    c->durability = durability;
    lk_buf_init(&c->jbuf);
    for (size_t i = 0; i < 3 && rc == 0; i++) {
        snprintf(p, len, "%s/%s", dir, subs[i]);
        rc = lk_mkdir_p(p, err);
    }
    snprintf(p, len, "%s/metadata", dir);
    if (rc == 0)
        rc = bind_metadata(c, p, metadata, err);
    free(p);
    if (rc < 0) {
        kp_ckpt_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void kp_ckpt_close(struct kp_ckpt *c)
{
    if (!c)
        return;
    free(c->dir);
    lk_buf_release(&c->jbuf);
    free(c);
}

const char *kp_ckpt_dir(const struct kp_ckpt *c)
{
    return c->dir;
}

const char *kp_ckpt_run_id(const struct kp_ckpt *c)
{
    return c->run_id;
}

/* Highest numeric file name in dir/sub, or -1. */
static int latest_in(const struct kp_ckpt *c, const char *sub, int64_t *out, struct lk_err *err)
{
    size_t len = strlen(c->dir) + 32, n;
    char *p = lk_xmalloc(len), **names;
    int rc;
    snprintf(p, len, "%s/%s", c->dir, sub);
    rc = lk_list_dir(p, NULL, &names, &n, err);
    free(p);
    if (rc < 0)
        return rc;
    *out = -1;
    for (size_t i = 0; i < n; i++) {
        char *end;
        long long v = strtoll(names[i], &end, 10);
        if (*end == '\0' && end != names[i] && v > *out)
            *out = v;
    }
    lk_list_free(names, n);
    return 0;
}

int kp_ckpt_latest(struct kp_ckpt *c, int64_t *offsets, int64_t *commit, struct lk_err *err)
{
    int rc = latest_in(c, "offsets", offsets, err);
    return rc < 0 ? rc : latest_in(c, "commits", commit, err);
}

static int read_json(const struct kp_ckpt *c, const char *sub, uint64_t n, cJSON **out,
                     struct lk_err *err)
{
    char *p = path_of(c, sub, n), *text;
    size_t len;
    int rc = lk_file_read_checked(p, FILE_MAX, &text, &len, err);
    if (rc == 0) {
        *out = cJSON_ParseWithLength(text, len);
        free(text);
        if (!cJSON_IsObject(*out)) {
            cJSON_Delete(*out);
            rc = lk_err_set(err, LK_ECORRUPT, "cannot load '%s' (not a json object)", p);
        }
    }
    free(p);
    return rc;
}

/* Integers are stored as strings: int64 values do not all fit a double. */
static int get_i64(const cJSON *o, const char *name, int64_t *v)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, name);
    char *end;
    if (!cJSON_IsString(item))
        return -1;
    errno = 0;
    *v = strtoll(item->valuestring, &end, 10);
    return errno || *end || end == item->valuestring ? -1 : 0;
}

/*
 * Offsets and commits are small JSON objects written once per batch: they are printed
 * here directly (the bytes cJSON_PrintUnformatted gives for the same object, which
 * read_json parses back), without building a cJSON tree per batch.
 */
/* ,"name":"<int>" (integers are stored as strings: int64 values do not all fit a double) */
static void jb_i64(struct lk_buf *b, const char *name, int64_t v)
{
    lk_buf_addf(b, ",\"%s\":\"%lld\"", name, (long long)v);
}

/* ,"name":"<ISO time>" as lk_json_add_time writes it */
static void jb_time(struct lk_buf *b, const char *name, int64_t ms)
{
    char iso[LK_TIME_ISO_LEN + 1];
    if (ms == LK_TIME_NEG_INF)
        lk_buf_addf(b, ",\"%s\":\"-inf\"", name);
    else if (ms == LK_TIME_POS_INF)
        lk_buf_addf(b, ",\"%s\":\"+inf\"", name);
    else if (lk_time_format(ms, iso) < 0)
        lk_buf_addf(b, ",\"%s\":null", name);
    else
        lk_buf_addf(b, ",\"%s\":\"%s\"", name, iso);
}

static int write_jbuf(struct kp_ckpt *c, const char *sub, uint64_t n, struct lk_buf *b,
                      struct lk_err *err)
{
    char *p = path_of(c, sub, n);
    int rc;
    lk_buf_addch(b, '}');
    rc = write_checked(c, p, b->s, b->len, err);
    free(p);
    return rc;
}

int kp_ckpt_write_offsets(struct kp_ckpt *c, const struct kp_offsets *o, struct lk_err *err)
{
    struct lk_buf *b = &c->jbuf;
    lk_buf_reset(b);
    lk_buf_addf(b, "{\"partitions\":[");
    for (size_t p = 0; p < o->nparts; p++)
        lk_buf_addf(b, "%s{\"line\":\"%lld\",\"byte\":\"%lld\"}", p ? "," : "",
                    (long long)o->line[p], (long long)o->byte[p]);
    lk_buf_addf(b, "],\"run_id\":\"%s\"", c->run_id);
    jb_i64(b, "batch_id", (int64_t)o->batch_id);
    jb_i64(b, "trigger_time", o->trigger_time);
    jb_time(b, "trigger_time_iso", o->trigger_time);
    jb_i64(b, "eviction_watermark", o->evict_wm);
    jb_i64(b, "late_watermark", o->late_wm);
    jb_i64(b, "files_end", (int64_t)o->files_end);
    if (o->kafka_topic) { /* a Kafka topic name is [a-zA-Z0-9._-]: no escaping */
        lk_buf_addf(b, ",\"source\":{\"%s\":{", o->kafka_topic);
        for (size_t p = 0; p < o->nparts; p++)
            lk_buf_addf(b, "%s\"%zu\":%lld", p ? "," : "", p, (long long)o->line[p]);
        lk_buf_adds(b, "}}");
    }
    return write_jbuf(c, "offsets", o->batch_id, b, err);
}

/*
 * A checkpoint file must be this run's file for this batch: a file copied from another
 * run, or from another batch of this one, passes its checksum but is refused here.
 */
static int check_binding(const struct kp_ckpt *c, const char *sub, uint64_t batch,
                         const char *run_id, int64_t id, struct lk_err *err)
{
    char *p;
    int rc;
    if (run_id && strcmp(run_id, c->run_id) == 0 && id == (int64_t)batch)
        return 0;
    p = path_of(c, sub, batch);
    if (!run_id || strcmp(run_id, c->run_id) != 0)
        rc = lk_err_set(err, LK_ECORRUPT,
                        "cannot load '%s' (it belongs to run %.20s, this "
                        "checkpoint is run %s)",
                        p, run_id ? run_id : "none", c->run_id);
    else
        rc = lk_err_set(err, LK_ECORRUPT, "cannot load '%s' (it holds batch %lld, not %llu)", p,
                        (long long)id, (unsigned long long)batch);
    free(p);
    return rc;
}

static const char *get_str(const cJSON *o, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

int kp_ckpt_read_offsets(struct kp_ckpt *c, uint64_t batch, struct kp_offsets *o,
                         struct lk_err *err)
{
    cJSON *obj, *parts, *e;
    int64_t v[5];
    int rc = read_json(c, "offsets", batch, &obj, err), bad = 0;
    if (rc < 0)
        return rc;
    memset(o, 0, sizeof(*o));
    bad |= get_i64(obj, "batch_id", &v[0]) | get_i64(obj, "trigger_time", &v[1])
           | get_i64(obj, "eviction_watermark", &v[2]) | get_i64(obj, "late_watermark", &v[3])
           | get_i64(obj, "files_end", &v[4]);
    parts = cJSON_GetObjectItemCaseSensitive(obj, "partitions");
    bad |= !cJSON_IsArray(parts) || cJSON_GetArraySize(parts) > KP_MAX_PARTS;
    if (!bad) {
        o->batch_id = (uint64_t)v[0];
        o->trigger_time = v[1];
        o->evict_wm = v[2];
        o->late_wm = v[3];
        o->files_end = (size_t)v[4];
        cJSON_ArrayForEach(e, parts)
        {
            int64_t line, byte;
            bad |= get_i64(e, "line", &line) | get_i64(e, "byte", &byte) | (line < 0) | (byte < 0);
            o->line[o->nparts] = (uint64_t)line;
            o->byte[o->nparts++] = (uint64_t)byte;
        }
        bad |= v[4] < 0;
    }
    if (!bad)
        rc = check_binding(c, "offsets", batch, get_str(obj, "run_id"), v[0], err);
    cJSON_Delete(obj);
    if (bad) {
        char *p = path_of(c, "offsets", batch);
        rc = lk_err_set(err, LK_ECORRUPT, "cannot load '%s' (missing or bad fields)", p);
        free(p);
    }
    return rc;
}

int kp_ckpt_write_commit(struct kp_ckpt *c, const struct kp_commit *m, struct lk_err *err)
{
    struct lk_buf *b = &c->jbuf;
    lk_buf_reset(b);
    lk_buf_addf(b, "{\"run_id\":\"%s\",\"batch_id\":\"%lld\"", c->run_id, (long long)m->batch_id);
    jb_i64(b, "next_watermark", m->next_wm);
    jb_time(b, "next_watermark_iso", m->next_wm);
    jb_i64(b, "max_event_time", m->max_event_time);
    jb_i64(b, "visible_time", m->visible_time);
    jb_i64(b, "prev_end", m->prev_end);
    return write_jbuf(c, "commits", m->batch_id, b, err);
}

int kp_ckpt_read_commit(struct kp_ckpt *c, uint64_t batch, struct kp_commit *m, struct lk_err *err)
{
    cJSON *obj;
    int64_t id = -1;
    int rc = read_json(c, "commits", batch, &obj, err), bad;
    if (rc < 0)
        return rc;
    bad = get_i64(obj, "batch_id", &id) | get_i64(obj, "next_watermark", &m->next_wm)
          | get_i64(obj, "max_event_time", &m->max_event_time)
          | get_i64(obj, "visible_time", &m->visible_time) | get_i64(obj, "prev_end", &m->prev_end);
    m->batch_id = (uint64_t)id;
    if (!bad)
        rc = check_binding(c, "commits", batch, get_str(obj, "run_id"), id, err);
    cJSON_Delete(obj);
    if (bad) {
        char *p = path_of(c, "commits", batch);
        rc = lk_err_set(err, LK_ECORRUPT, "cannot load '%s' (missing or bad fields)", p);
        free(p);
    }
    return rc;
}

static void state_piece(void *arg, const char *data, size_t len)
{
    lk_checked_write(arg, data, len);
}

int kp_ckpt_snapshot_due(const struct kp_ckpt *c)
{
    return c->last_snapshot == 0 || c->since_snapshot >= SNAPSHOT_RATIO * c->last_snapshot;
}

/* After state/N of len bytes: the snapshot policy's bookkeeping. */
static void state_written(struct kp_ckpt *c, int snapshot, size_t len)
{
    if (snapshot) {
        c->last_snapshot = len ? len : 1;
        c->since_snapshot = 0;
    } else {
        c->since_snapshot += len;
    }
}

/*
 * state/N starts with "lkckpt run=<run id> batch=<N>\n", then one section per worker;
 * each section's own header repeats the batch ("lkstate v1 <kind> batch=<N> ...").
 */
static int state_head(const struct kp_ckpt *c, uint64_t batch, char *buf, size_t size)
{
    return snprintf(buf, size, "lkckpt run=%s batch=%llu\n", c->run_id, (unsigned long long)batch);
}

int kp_ckpt_write_state(struct kp_ckpt *c, uint64_t batch, struct kp_state *const *states,
                        unsigned n, int64_t evict_wm, struct lk_err *err)
{
    int snapshot = kp_ckpt_snapshot_due(c);
    struct lk_checked f = LK_CHECKED_INIT;
    char *p = path_of(c, "state", batch), head[96];
    size_t len;
    int rc = lk_checked_open(&f, p, c->durability, err);
    free(p);
    if (rc < 0)
        return rc;
    lk_checked_write(&f, head, (size_t)state_head(c, batch, head, sizeof(head)));
    for (unsigned i = 0; i < n; i++)
        kp_state_write(states[i], batch, snapshot, evict_wm, state_piece, &f);
    len = f.len;
    if ((rc = lk_checked_commit(&f, err)) == 0)
        state_written(c, snapshot, len);
    return rc;
}

/* One section of state/N, written at its offset (on its own thread but the first). */
struct section_job {
    struct lk_checked *f;
    uint64_t offset;
    struct lk_str text;
    int rc; /* 0 or a negative errno */
};

static void *section_write(void *arg)
{
    struct section_job *j = arg;
    j->rc = lk_checked_pwrite(j->f, j->offset, j->text.ptr, j->text.len);
    return NULL;
}

/* Write the sections in parallel at their offsets; 0 or the first negative errno. */
static int write_sections(struct section_job *jobs, unsigned n)
{
    pthread_t th[KP_CKPT_MAX_SECTIONS];
    int started[KP_CKPT_MAX_SECTIONS] = { 0 }, rc = 0;
    for (unsigned i = 1; i < n; i++)
        started[i] = pthread_create(&th[i], NULL, section_write, &jobs[i]) == 0;
    for (unsigned i = 0; i < n; i++)
        if (i == 0 || !started[i])
            section_write(&jobs[i]);
    for (unsigned i = 1; i < n; i++)
        if (started[i])
            pthread_join(th[i], NULL);
    for (unsigned i = 0; i < n && rc == 0; i++)
        rc = jobs[i].rc;
    return rc;
}

int kp_ckpt_write_state_text(struct kp_ckpt *c, uint64_t batch, const struct lk_str *sections,
                             const uint32_t *crcs, unsigned n, int snapshot, struct lk_err *err)
{
    struct lk_checked f = LK_CHECKED_INIT;
    struct section_job jobs[KP_CKPT_MAX_SECTIONS];
    char *p = path_of(c, "state", batch), head[96];
    int hlen = state_head(c, batch, head, sizeof(head));
    uint64_t len = (uint64_t)hlen;
    uint32_t crc = lk_crc32(0, head, (size_t)hlen);
    int rc = n > KP_CKPT_MAX_SECTIONS ? lk_err_set(err, LK_EINTERNAL, "too many state sections")
                                      : lk_checked_open(&f, p, c->durability, err);
    if (rc == 0 && (rc = lk_checked_pwrite(&f, 0, head, (size_t)hlen)) < 0) {
        rc = lk_err_sys(err, LK_EIO, -rc, "cannot write '%s'", p);
        lk_checked_abort(&f);
    }
    for (unsigned i = 0; i < n && rc == 0; i++) {
        jobs[i] = (struct section_job){ &f, len, sections[i], 0 };
        crc = lk_crc32_combine(crc, crcs[i], sections[i].len);
        len += sections[i].len;
    }
    if (rc == 0 && (rc = write_sections(jobs, n)) < 0) {
        rc = lk_err_sys(err, LK_EIO, -rc, "cannot write '%s'", p);
        lk_checked_abort(&f);
    }
    free(p);
    if (rc == 0 && (rc = lk_checked_account(&f, (size_t)len, crc, err)) < 0)
        lk_checked_abort(&f);
    if (rc == 0 && (rc = lk_checked_commit(&f, err)) == 0)
        state_written(c, snapshot, (size_t)len);
    return rc;
}

/* The batch named in the section header at p ("lkstate v1 <kind> batch=<N> ..."), or -1. */
static long long section_batch(const char *p, const char *end)
{
    char line[64], kind[16];
    size_t n = (size_t)(end - p) < sizeof(line) - 1 ? (size_t)(end - p) : sizeof(line) - 1;
    unsigned long long b;
    memcpy(line, p, n);
    line[n] = '\0';
    if (sscanf(line, "lkstate v1 %15s batch=%llu", kind, &b) != 2 || b > INT64_MAX)
        return -1;
    return (long long)b;
}

/*
 * Apply the n sections of state/batch (each starts with "lkstate v1" and names the
 * batch) to the states.
 */
static int apply_sections(struct kp_state *const *states, unsigned n, uint64_t batch,
                          const char *buf, size_t len, struct lk_err *err)
{
    const char *p = buf, *end = buf + len;
    for (unsigned i = 0; i < n; i++) {
        const char *next = p;
        long long b;
        int rc;
        if ((size_t)(end - p) < 10 || memcmp(p, "lkstate v1", 10) != 0)
            return lk_err_set(err, LK_ECORRUPT, "expected %u worker sections, found %u", n, i);
        if ((b = section_batch(p, end)) != (long long)batch)
            return lk_err_set(err, LK_ECORRUPT, "section %u holds batch %lld, not %llu", i, b,
                              (unsigned long long)batch);
        do {
            const char *nl = memchr(next, '\n', (size_t)(end - next));
            next = nl ? nl + 1 : end;
        } while (next < end
                 && !((size_t)(end - next) >= 10 && memcmp(next, "lkstate v1", 10) == 0));
        if ((rc = kp_state_apply(states[i], p, (size_t)(next - p), err)) < 0)
            return rc;
        p = next;
    }
    return p == end ? 0 : lk_err_set(err, LK_ECORRUPT, "more sections than the %u workers", n);
}

/* Check the first line of state/batch (see state_head); *skip = its length. */
static int check_state_head(const struct kp_ckpt *c, uint64_t batch, const char *buf, size_t len,
                            size_t *skip, struct lk_err *err)
{
    char head[96];
    const char *nl = memchr(buf, '\n', len < sizeof(head) ? len : sizeof(head));
    unsigned long long b;
    char run[32];
    size_t n = nl ? (size_t)(nl - buf) : 0;
    memcpy(head, buf, n);
    head[n] = '\0';
    if (!nl || sscanf(head, "lkckpt run=%31s batch=%llu", run, &b) != 2)
        return lk_err_set(err, LK_ECORRUPT, "no 'lkckpt run=... batch=...' first line");
    if (strcmp(run, c->run_id) != 0)
        return lk_err_set(err, LK_ECORRUPT, "it belongs to run %s, this checkpoint is run %s", run,
                          c->run_id);
    if (b != batch)
        return lk_err_set(err, LK_ECORRUPT, "it holds batch %llu, not %llu", b,
                          (unsigned long long)batch);
    *skip = n + 1;
    return 0;
}

/* 1 when state/k's first section is a snapshot (the file is verified when applied). */
static int is_snapshot(const struct kp_ckpt *c, uint64_t k)
{
    char *p = path_of(c, "state", k), head[160] = "";
    FILE *fp = fopen(p, "rb");
    size_t got = fp ? fread(head, 1, sizeof(head) - 1, fp) : 0;
    const char *nl;
    if (fp)
        fclose(fp);
    free(p);
    head[got] = '\0';
    nl = strchr(head, '\n');
    return nl && strncmp(nl + 1, "lkstate v1 snapshot", 19) == 0;
}

int kp_ckpt_restore_state(struct kp_ckpt *c, uint64_t batch, struct kp_state *const *states,
                          unsigned n, struct lk_err *err)
{
    uint64_t first = batch;
    int rc = 0;
    while (first > 0 && !is_snapshot(c, first))
        first--;
    for (uint64_t k = first; k <= batch && rc == 0; k++) {
        char *p = path_of(c, "state", k), *buf;
        size_t len, skip = 0;
        struct lk_err sub = LK_ERR_INIT;
        rc = lk_file_read_checked(p, FILE_MAX, &buf, &len, err);
        if (rc == 0) {
            rc = check_state_head(c, k, buf, len, &skip, &sub);
            if (rc == 0)
                rc = apply_sections(states, n, k, buf + skip, len - skip, &sub);
            if (rc < 0)
                lk_err_set(err, rc, "cannot load '%s' (%s)", p, sub.msg);
            free(buf);
        }
        free(p);
    }
    return rc;
}
