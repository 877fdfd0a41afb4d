/*
 * ds_write - the output half of ds_gen: line formatting (the fast path writes exactly
 * lk_event_format's bytes without printf), malformed line text, log and landing files,
 * the manifest, and the DIR.partial -> DIR swap. Contract in ds_gen.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ds_gen.h"
#include "ds_gen_int.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

#define LOG_BUF (1u << 20)
#define LINE_MAX_BYTES 1024

/* ------------------------------------------------------------ formatting ---- */

/* "YYYY-MM-DDT" of the last day formatted; days repeat for thousands of lines. */
struct day_cache {
    int64_t day;
    char date[11];
};

struct writer {
    struct ds_gen *g;
    const char *root; /* DIR.partial */
    struct lk_err *err;
    char *logbuf;
    size_t loglen;
    int logfd;
    char *land;
    size_t landlen, landcap;
    int64_t land_end; /* landing time of the buffered drop, or LK_TIME_NEG_INF */
    uint32_t part;
    uint64_t part_lines, part_bytes;
    struct day_cache dc[2];
    char path[PATH_MAX];    /* landing file or manifest being written */
    char logpath[PATH_MAX]; /* log file of the current partition */
    cJSON *parts;           /* per-partition summary for the manifest */
};

static char *put_mem(char *o, const char *s, size_t n)
{
    memcpy(o, s, n);
    return o + n;
}
#define PUT_LIT(o, lit) put_mem((o), (lit), sizeof(lit) - 1)

/* v in decimal, zero-padded to at least width digits. */
static char *put_uint(char *o, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *o++ = tmp[--n];
    return o;
}

static char *put_money(char *o, int64_t v)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0)
        *o++ = '-';
    o = put_uint(o, a / 100, 1);
    *o++ = '.';
    return put_uint(o, a % 100, 2);
}

/* ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (as lk_time_format; ms is within range). */
static char *put_time(char *o, struct day_cache *c, int64_t ms)
{
    int64_t day = lk_floor_div(ms, LK_MS_PER_DAY), rem = ms - day * LK_MS_PER_DAY;
    if (day != c->day) {
        int64_t y;
        int mo, d;
        char *q = c->date;
        lk_civil_from_days(day, &y, &mo, &d);
        q = put_uint(q, (uint64_t)y, 4);
        *q++ = '-';
        q = put_uint(q, (uint64_t)mo, 2);
        *q++ = '-';
        q = put_uint(q, (uint64_t)d, 2);
        *q = 'T';
        c->day = day;
    }
    o = put_mem(o, c->date, 11);
    o = put_uint(o, (uint64_t)(rem / LK_MS_PER_HOUR), 2);
    *o++ = ':';
    o = put_uint(o, (uint64_t)(rem / LK_MS_PER_MIN % 60), 2);
    *o++ = ':';
    o = put_uint(o, (uint64_t)(rem / LK_MS_PER_SEC % 60), 2);
    *o++ = '.';
    o = put_uint(o, (uint64_t)(rem % 1000), 3);
    *o++ = 'Z';
    return o;
}

static char *put_key(char *o, const struct ds_gen *g, uint32_t key)
{
    o = put_mem(o, g->p.key_prefix, strlen(g->p.key_prefix));
    return put_uint(o, (uint64_t)key + 1, g->key_width);
}

/* A well-formed line (original or duplicate), with its '\n'. Returns its length. */
static size_t format_event(struct writer *w, const struct ds_rec *r, char *line)
{
    const struct ds_gen *g = w->g;
    const char *type = g->p.types[r->type].name;
    char *o = PUT_LIT(line, "{\"event_id\":\"");
    o = put_mem(o, g->p.id_prefix, strlen(g->p.id_prefix));
    *o++ = '-';
    o = put_uint(o, r->id, g->id_width);
    o = PUT_LIT(o, "\",\"tenant\":\"");
    o = put_mem(o, g->tenant_name[r->tenant], g->tenant_len[r->tenant]);
    o = PUT_LIT(o, "\",\"key\":\"");
    o = put_key(o, g, r->key);
    o = PUT_LIT(o, "\",\"type\":\"");
    o = put_mem(o, type, strlen(type));
    o = PUT_LIT(o, "\",\"value\":");
    o = put_money(o, r->value);
    o = PUT_LIT(o, ",\"event_time\":\"");
    o = put_time(o, &w->dc[0], r->event_time);
    o = PUT_LIT(o, "\",\"arrival_time\":\"");
    o = put_time(o, &w->dc[1], r->arrival);
    o = PUT_LIT(o, "\"}\n");
    return (size_t)(o - line);
}

/* ------------------------------------------------------- malformed lines ---- */

/* The seven members of a template as text ("\"key\":\"u01234\""), to be mangled. */
struct members {
    char m[LK_F_COUNT][96];
    size_t len[LK_F_COUNT];
};

static void member(struct members *ms, int f, char *end)
{
    ms->len[f] = (size_t)(end - ms->m[f]);
}

static void bad_time(char *o, int64_t ms, unsigned variant)
{
    char t[LK_TIME_ISO_LEN + 1];
    lk_time_format(ms, t);
    if (variant == 0)
        memcpy(t + 5, "02-30", 5); /* no such day */
    else if (variant == 1)
        memcpy(t + 11, "24", 2); /* no such hour */
    else
        t[LK_TIME_ISO_LEN - 1] = '\0'; /* no 'Z' */
    snprintf(o, 40, "\"%s\"", t);
}

/* Mangle one member (or drop it) by kind; sub-variants rotate with j = id / kinds. */
static void mangle(struct members *ms, const struct ds_rec *r, int kind)
{
    unsigned j = (r->id - 1) / DS_BAD_COUNT;
    char money[32], *o;
    put_money(money, r->value)[0] = '\0';
    if (kind == DS_BAD_MISSING) {
        ms->len[j % LK_F_COUNT] = 0;
    } else if (kind == DS_BAD_TYPE) {
        member(ms, LK_F_VALUE,
               ms->m[LK_F_VALUE] + snprintf(ms->m[LK_F_VALUE], 96, "\"value\":\"%s\"", money));
    } else if (kind == DS_BAD_DECIMALS) {
        member(ms, LK_F_VALUE,
               ms->m[LK_F_VALUE]
                   + snprintf(ms->m[LK_F_VALUE], 96, "\"value\":%s%u", money, 1 + j % 9));
    } else if (kind == DS_BAD_EXPONENT) {
        member(ms, LK_F_VALUE,
               ms->m[LK_F_VALUE]
                   + snprintf(ms->m[LK_F_VALUE], 96, "\"value\":%de-2", (int)r->value));
    } else if (kind == DS_BAD_TIMESTAMP) {
        int f = j % 2 ? LK_F_ARRIVAL_TIME : LK_F_EVENT_TIME;
        o = ms->m[f] + snprintf(ms->m[f], 96, "\"%s\":", lk_field_name(f));
        bad_time(o, f == LK_F_EVENT_TIME ? r->event_time : r->arrival, j / 2 % 3);
        member(ms, f, o + strlen(o));
    } else if (kind == DS_BAD_UTF8) {
        o = ms->m[LK_F_KEY] + ms->len[LK_F_KEY] - 1; /* before the closing quote */
        o = PUT_LIT(o, "\xff\"");
        member(ms, LK_F_KEY, o);
    } else if (kind == DS_BAD_EMPTY) {
        int f = (int)(j % 4); /* event_id, tenant, key, type */
        member(ms, f, ms->m[f] + snprintf(ms->m[f], 96, "\"%s\":\"\"", lk_field_name(f)));
    }
}

static size_t format_malformed(struct writer *w, const struct ds_rec *r, char *line)
{
    const struct ds_gen *g = w->g;
    struct members ms;
    int kind = r->kind - DS_REC_BAD, first = 1;
    char *o;
    o = ms.m[LK_F_EVENT_ID]
        + snprintf(ms.m[0], 96, "\"event_id\":\"%s-bad-%09u\"", g->p.id_prefix, r->id);
    member(&ms, LK_F_EVENT_ID, o);
    member(&ms, LK_F_TENANT,
           ms.m[1] + snprintf(ms.m[1], 96, "\"tenant\":\"%s\"", g->tenant_name[r->tenant]));
    o = put_key(PUT_LIT(ms.m[LK_F_KEY], "\"key\":\""), g, r->key);
    member(&ms, LK_F_KEY, PUT_LIT(o, "\""));
    member(&ms, LK_F_TYPE,
           ms.m[3] + snprintf(ms.m[3], 96, "\"type\":\"%s\"", g->p.types[r->type].name));
    member(&ms, LK_F_VALUE, put_money(PUT_LIT(ms.m[LK_F_VALUE], "\"value\":"), r->value));
    o = put_time(PUT_LIT(ms.m[LK_F_EVENT_TIME], "\"event_time\":\""), &w->dc[0], r->event_time);
    member(&ms, LK_F_EVENT_TIME, PUT_LIT(o, "\""));
    o = put_time(PUT_LIT(ms.m[LK_F_ARRIVAL_TIME], "\"arrival_time\":\""), &w->dc[1], r->arrival);
    member(&ms, LK_F_ARRIVAL_TIME, PUT_LIT(o, "\""));
    mangle(&ms, r, kind);
    o = line;
    *o++ = '{';
    for (int f = 0; f < LK_F_COUNT; f++) {
        if (!ms.len[f])
            continue;
        if (!first)
            *o++ = ',';
        o = put_mem(o, ms.m[f], ms.len[f]);
        first = 0;
    }
    *o++ = '}';
    if (kind == DS_BAD_TRUNCATED) /* keep 1 .. len-1 bytes: never the closing brace */
        o = line + 1 + ds_mix3(g->p.seed, r->id, (uint64_t)(o - line)) % (uint64_t)(o - line - 1);
    *o++ = '\n';
    return (size_t)(o - line);
}

/* ----------------------------------------------------------------- files ---- */

static int write_all(int fd, const char *buf, size_t len, const char *path, struct lk_err *err)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lk_err_sys(err, LK_EIO, errno, "cannot write '%s'", path);
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int create_file(const char *path, int *fd, struct lk_err *err)
{
    *fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (*fd < 0)
        return lk_err_sys(err, LK_EIO, errno, "cannot create '%s'", path);
    return 0;
}

static int close_file(int fd, const char *path, struct lk_err *err)
{
    if (close(fd) < 0)
        return lk_err_sys(err, LK_EIO, errno, "cannot close '%s'", path);
    return 0;
}

/* Write the buffered drop as DIR/landing/<landing time>-p<NNNNN>.jsonl. */
static int flush_landing(struct writer *w)
{
    char t[32];
    int fd, rc;
    if (w->landlen == 0)
        return 0;
    lk_time_format_compact(w->land_end, t);
    snprintf(w->path, sizeof(w->path), "%s/landing/%s-p%05u.jsonl", w->root, t, w->part);
    if ((rc = create_file(w->path, &fd, w->err)) < 0)
        return rc;
    rc = write_all(fd, w->land, w->landlen, w->path, w->err);
    if (close_file(fd, w->path, w->err) < 0 && rc == 0)
        rc = LK_EIO;
    w->landlen = 0;
    w->g->counts.landing_files++;
    return rc;
}

static int flush_log(struct writer *w)
{
    int rc = write_all(w->logfd, w->logbuf, w->loglen, w->logpath, w->err);
    w->loglen = 0;
    return rc;
}

static void count_line(struct ds_counts *c, const struct ds_rec *r, size_t len)
{
    int64_t delay = r->arrival - r->event_time;
    c->lines++;
    c->bytes += len;
    if (r->kind >= DS_REC_BAD) {
        c->malformed++;
        c->malformed_kind[r->kind - DS_REC_BAD]++;
        return;
    }
    if (r->kind == DS_REC_DUP) {
        c->duplicates++;
    } else {
        c->unique_events++;
        c->late_1m += delay > LK_MS_PER_MIN;
        c->late_10m += delay > 10 * LK_MS_PER_MIN;
        c->late_1h += delay > LK_MS_PER_HOUR;
    }
    c->event_min = r->event_time < c->event_min ? r->event_time : c->event_min;
    c->event_max = r->event_time > c->event_max ? r->event_time : c->event_max;
    c->arrival_min = r->arrival < c->arrival_min ? r->arrival : c->arrival_min;
    c->arrival_max = r->arrival > c->arrival_max ? r->arrival : c->arrival_max;
}

/* One line into the log buffer and the current drop (starting a new drop when due). */
static int emit(struct writer *w, const struct ds_rec *r)
{
    int64_t drop = w->g->p.drop_every_ms;
    int64_t land = lk_align_down(r->arrival, drop) + drop;
    char *line = w->logbuf + w->loglen;
    size_t len;
    int rc;
    if (land != w->land_end && (rc = flush_landing(w)) < 0)
        return rc;
    w->land_end = land;
    len = r->kind >= DS_REC_BAD ? format_malformed(w, r, line) : format_event(w, r, line);
    w->loglen += len;
    LK_GROW(w->land, w->landcap, w->landlen + len);
    memcpy(w->land + w->landlen, line, len);
    w->landlen += len;
    w->part_lines++;
    w->part_bytes += len;
    count_line(&w->g->counts, r, len);
    return 0;
}

static void add_part_summary(struct writer *w)
{
    cJSON *o = cJSON_CreateObject();
    char name[64];
    snprintf(name, sizeof(name), "log/p-%05u.jsonl", w->part);
    cJSON_AddNumberToObject(o, "partition", w->part);
    cJSON_AddStringToObject(o, "file", name);
    cJSON_AddNumberToObject(o, "lines", (double)w->part_lines);
    cJSON_AddNumberToObject(o, "bytes", (double)w->part_bytes);
    cJSON_AddItemToArray(w->parts, o);
}

static int write_partition(struct writer *w, uint32_t part)
{
    const struct ds_gen *g = w->g;
    int rc;
    w->part = part;
    w->land_end = LK_TIME_NEG_INF;
    w->part_lines = w->part_bytes = 0;
    snprintf(w->logpath, sizeof(w->logpath), "%s/log/p-%05u.jsonl", w->root, part);
    if ((rc = create_file(w->logpath, &w->logfd, w->err)) < 0)
        return rc;
    w->g->counts.log_files++;
    for (size_t i = g->part_start[part]; i < g->part_start[part + 1]; i++) {
        if (w->loglen > LOG_BUF - LINE_MAX_BYTES && (rc = flush_log(w)) < 0)
            goto out;
        if ((rc = emit(w, &g->sorted[i])) < 0)
            goto out;
        if (g->progress && (w->g->counts.lines & 0xffff) == 0)
            g->progress(g->progress_arg, w->g->counts.lines, g->nrecs);
    }
    rc = flush_log(w);
out:
    if (close_file(w->logfd, w->logpath, w->err) < 0 && rc == 0)
        rc = LK_EIO;
    if (rc == 0 && (rc = flush_landing(w)) == 0)
        add_part_summary(w);
    return rc;
}

/* -------------------------------------------------------------- manifest ---- */

static void add_range(cJSON *o, const char *name, int64_t lo, int64_t hi)
{
    cJSON *r = cJSON_AddObjectToObject(o, name);
    char t[LK_TIME_ISO_LEN + 1];
    if (lo > hi) { /* no well-formed line */
        cJSON_AddNullToObject(r, "min");
        cJSON_AddNullToObject(r, "max");
        return;
    }
    lk_time_format(lo, t);
    cJSON_AddStringToObject(r, "min", t);
    lk_time_format(hi, t);
    cJSON_AddStringToObject(r, "max", t);
}

static cJSON *manifest_json(const struct ds_gen *g, cJSON *parts)
{
    const struct ds_counts *c = &g->counts;
    cJSON *o = cJSON_CreateObject(), *n, *k;
    cJSON_AddStringToObject(o, "format", "lklab-dataset/1");
    cJSON_AddStringToObject(o, "scenario", g->p.name);
    cJSON_AddNumberToObject(o, "seed", (double)g->p.seed);
    cJSON_AddItemToObject(o, "parameters", ds_params_to_json(&g->p));
    n = cJSON_AddObjectToObject(o, "counts");
    cJSON_AddNumberToObject(n, "lines", (double)c->lines);
    cJSON_AddNumberToObject(n, "unique_events", (double)c->unique_events);
    cJSON_AddNumberToObject(n, "duplicates", (double)c->duplicates);
    cJSON_AddNumberToObject(n, "malformed", (double)c->malformed);
    cJSON_AddNumberToObject(n, "late_1m", (double)c->late_1m);
    cJSON_AddNumberToObject(n, "late_10m", (double)c->late_10m);
    cJSON_AddNumberToObject(n, "late_1h", (double)c->late_1h);
    k = cJSON_AddObjectToObject(o, "malformed_kinds");
    for (int i = 0; i < DS_BAD_COUNT; i++)
        cJSON_AddNumberToObject(k, ds_malformed_name(i), (double)c->malformed_kind[i]);
    add_range(o, "event_time", c->event_min, c->event_max);
    add_range(o, "arrival_time", c->arrival_min, c->arrival_max);
    n = cJSON_AddObjectToObject(o, "bytes");
    cJSON_AddNumberToObject(n, "log", (double)c->bytes);
    cJSON_AddNumberToObject(n, "landing", (double)c->bytes);
    n = cJSON_AddObjectToObject(o, "files");
    cJSON_AddNumberToObject(n, "log", (double)c->log_files);
    cJSON_AddNumberToObject(n, "landing", (double)c->landing_files);
    cJSON_AddItemToObject(o, "partitions", parts);
    return o;
}

static int write_manifest(struct writer *w)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    cJSON *m = manifest_json(w->g, w->parts);
    char *text = cJSON_Print(m);
    int rc;
    w->parts = NULL; /* now owned by m */
    snprintf(w->path, sizeof(w->path), "%s/manifest.json", w->root);
    if ((rc = lk_atomic_open(&a, w->path, w->err)) < 0)
        goto out;
    if (fputs(text, a.fp) == EOF || fputc('\n', a.fp) == EOF) {
        rc = lk_err_sys(w->err, LK_EIO, errno, "cannot write '%s'", w->path);
        lk_atomic_abort(&a);
        goto out;
    }
    rc = lk_atomic_commit(&a, w->err);
out:
    cJSON_free(text);
    cJSON_Delete(m);
    return rc;
}

/* ------------------------------------------------------------- directory ---- */

/* 1 when dir holds nothing but "." and "..". */
static int dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int empty = 1;
    if (!d)
        return 0;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* DIR may be absent, an empty directory, or a dataset (it holds manifest.json). */
static int check_target(const char *dir, struct lk_err *err)
{
    char path[PATH_MAX];
    if (access(dir, F_OK) != 0)
        return 0;
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    if (lk_is_dir(dir) && (lk_is_file(path) || dir_is_empty(dir)))
        return 0;
    return lk_err_set(err, LK_EINPUT,
                      "refusing to replace '%s' (it exists and is not a dataset: no manifest.json)",
                      dir);
}

static int parent_dir(const char *dir, char *out, size_t size)
{
    const char *slash = strrchr(dir, '/');
    if (!slash)
        return snprintf(out, size, ".");
    if (slash == dir)
        return snprintf(out, size, "/");
    return snprintf(out, size, "%.*s", (int)(slash - dir), dir);
}

/* Move DIR.partial to DIR, replacing an old dataset through DIR.old. */
static int swap_in(const char *partial, const char *dir, struct lk_err *err)
{
    char old[PATH_MAX], parent[PATH_MAX];
    int had = access(dir, F_OK) == 0, rc;
    snprintf(old, sizeof(old), "%s.old", dir);
    if (had) {
        if ((rc = lk_rm_rf(old, err)) < 0)
            return rc;
        if (rename(dir, old) < 0)
            return lk_err_sys(err, LK_EIO, errno, "cannot move '%s' aside", dir);
    }
    if (rename(partial, dir) < 0) {
        rc = lk_err_sys(err, LK_EIO, errno, "cannot rename '%s' to '%s'", partial, dir);
        if (had)
            (void)rename(old, dir); /* best effort: put the old dataset back */
        return rc;
    }
    parent_dir(dir, parent, sizeof(parent));
    if ((rc = lk_fsync_dir(parent, err)) < 0)
        return rc;
    return had ? lk_rm_rf(old, err) : 0;
}

static int make_dirs(const char *root, struct lk_err *err)
{
    char path[PATH_MAX];
    int rc;
    if ((rc = lk_rm_rf(root, err)) < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/log", root);
    if ((rc = lk_mkdir_p(path, err)) < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/landing", root);
    return lk_mkdir_p(path, err);
}

static void counts_reset(struct ds_counts *c)
{
    memset(c, 0, sizeof(*c));
    c->event_min = c->arrival_min = LK_TIME_POS_INF;
    c->event_max = c->arrival_max = LK_TIME_NEG_INF;
}

static int write_dataset(struct writer *w)
{
    int rc = make_dirs(w->root, w->err);
    for (uint32_t p = 0; rc == 0 && p < w->g->p.partitions; p++)
        rc = write_partition(w, p);
    if (rc == 0)
        rc = write_manifest(w);
    return rc;
}

int ds_gen_write(struct ds_gen *g, const char *dir, struct lk_err *err)
{
    struct writer w;
    char partial[PATH_MAX];
    int rc;
    if (strlen(dir) + 16 >= sizeof(partial) || !dir[0])
        return lk_err_set(err, LK_EINPUT, "bad output directory '%s'", dir);
    if ((rc = check_target(dir, err)) < 0)
        return rc;
    snprintf(partial, sizeof(partial), "%s.partial", dir);
    memset(&w, 0, sizeof(w));
    w.g = g;
    w.root = partial;
    w.err = err;
    w.dc[0].day = w.dc[1].day = LK_TIME_NEG_INF;
    w.logbuf = lk_xmalloc(LOG_BUF);
    w.parts = cJSON_CreateArray();
    counts_reset(&g->counts);
    ds_gen_generate(g);
    rc = write_dataset(&w);
    if (rc == 0)
        rc = swap_in(partial, dir, err);
    if (rc < 0) {
        lk_rm_rf(partial, NULL);
        counts_reset(&g->counts);
    } else if (g->progress) {
        g->progress(g->progress_arg, g->counts.lines, g->nrecs);
    }
    cJSON_Delete(w.parts);
    free(w.logbuf);
    free(w.land);
    return rc;
}
