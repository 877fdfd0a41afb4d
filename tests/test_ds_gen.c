/*
 * The dataset generator (docs/formats.md): determinism, every line accounted for, log = landing,
 * arrival order, partitioning, duplicates, malformed kinds, late counts, scenarios, and
 * the `lklab gen` command's errors. Datasets are small (5000 events) and live under
 * out/test-gen-<pid>/. Expectations are recomputed from the files with the independent
 * event parser (lk_event_parse), never read back from the generator's own structs.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ds_gen.h"
#include "ds_rand.h"
#include "ds_scenario.h"
#include "lk_event.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_test.h"
#include "lk_time.h"
#include "banned.h"

/* ------------------------------------------------------------- helpers ---- */

struct line {
    char *s;
    size_t len;
    char file[64];
};

struct lines {
    struct line *v;
    size_t n, cap;
};

static void small_params(struct ds_params *p)
{
    ds_params_default(p);
    p->events = 5000;
    p->tenants = 7;
    p->keys = 300;
    p->span_ms = 2 * LK_MS_PER_HOUR;
    p->partitions = 3;
    p->late_frac = 0.2;
    p->late_mix[0] = 0.5;
    p->late_mix[1] = 0.2;
    p->late_mix[2] = 0.3;
    p->offline_window_ms = 30 * LK_MS_PER_MIN;
    p->dup_frac = 0.05;
    p->malformed_frac = 0.01;
}

/* Generate p into <tmp>/<sub>; returns the dataset path (heap). */
static char *gen(const struct ds_params *p, const char *tmp, const char *sub)
{
    struct lk_err err = LK_ERR_INIT;
    struct ds_gen *g = NULL;
    char *dir = lkt_fmt("%s/%s", tmp, sub);
    cr_assert_eq(ds_gen_new(&g, p, &err), 0, "%s", err.msg);
    cr_assert_eq(ds_gen_write(g, dir, &err), 0, "%s", err.msg);
    ds_gen_free(g);
    return dir;
}

static char *default_dataset(struct ds_params *p, char **tmp)
{
    small_params(p);
    *tmp = lkt_tmpdir("gen");
    cr_assert_not_null(*tmp);
    return gen(p, *tmp, "ds");
}

/* Every line of every *.jsonl file in dir (files in name order). */
static void read_lines(const char *dir, struct lines *out)
{
    char **names;
    size_t n;
    memset(out, 0, sizeof(*out));
    cr_assert_eq(lk_list_dir(dir, ".jsonl", &names, &n, NULL), 0, "cannot list %s", dir);
    for (size_t i = 0; i < n; i++) {
        char *path = lkt_fmt("%s/%s", dir, names[i]);
        struct lk_lines *r;
        const char *s;
        size_t len;
        cr_assert_eq(lk_lines_open(&r, path, NULL), 0);
        while (lk_lines_next(r, &s, &len, NULL) == 1) {
            struct line *l;
            LK_GROW(out->v, out->cap, out->n + 1);
            l = &out->v[out->n++];
            l->s = lk_xstrndup(s, len);
            l->len = len;
            snprintf(l->file, sizeof(l->file), "%s", names[i]);
        }
        lk_lines_close(r);
        free(path);
    }
    lk_list_free(names, n);
}

static void free_lines(struct lines *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        free(ls->v[i].s);
    free(ls->v);
}

static cJSON *manifest(const char *dir)
{
    char *path = lkt_fmt("%s/manifest.json", dir), *text = lkt_slurp(path);
    cJSON *m;
    cr_assert_not_null(text, "no %s", path);
    m = cJSON_Parse(text);
    cr_assert_not_null(m);
    free(text);
    free(path);
    return m;
}

static double mnum(const cJSON *m, const char *obj, const char *member)
{
    const cJSON *o = obj ? cJSON_GetObjectItemCaseSensitive(m, obj) : m;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, member);
    cr_assert(cJSON_IsNumber(it), "manifest has no number %s.%s", obj ? obj : "", member);
    return it->valuedouble;
}

static int file_equal(const char *a, const char *b)
{
    char *x, *y;
    size_t nx, ny;
    int eq;
    if (lk_file_read_all(a, (size_t)1 << 30, &x, &nx, NULL) < 0)
        return 0;
    if (lk_file_read_all(b, (size_t)1 << 30, &y, &ny, NULL) < 0) {
        free(x);
        return 0;
    }
    eq = nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return eq;
}

/* Same file names and same bytes in sub of both datasets. */
static void assert_same_tree(const char *a, const char *b, const char *sub)
{
    char *da = lkt_fmt("%s/%s", a, sub), *db = lkt_fmt("%s/%s", b, sub);
    char **na, **nb;
    size_t ca, cb;
    cr_assert_eq(lk_list_dir(da, NULL, &na, &ca, NULL), 0);
    cr_assert_eq(lk_list_dir(db, NULL, &nb, &cb, NULL), 0);
    cr_assert_eq(ca, cb, "%s: %zu vs %zu files", sub, ca, cb);
    cr_assert_gt(ca, 0);
    for (size_t i = 0; i < ca; i++) {
        char *fa = lkt_fmt("%s/%s", da, na[i]), *fb = lkt_fmt("%s/%s", db, nb[i]);
        cr_assert_str_eq(na[i], nb[i]);
        cr_assert(file_equal(fa, fb), "%s differs", fa);
        free(fa);
        free(fb);
    }
    lk_list_free(na, ca);
    lk_list_free(nb, cb);
    free(da);
    free(db);
}

static uint32_t partition_of(const struct lk_str *tenant, uint32_t parts)
{
    return (uint32_t)(lk_hash_bytes(tenant->ptr, tenant->len) % parts);
}

static void cleanup(char *tmp, char *dir)
{
    lk_rm_rf(tmp, NULL);
    free(tmp);
    free(dir);
}

/* --------------------------------------------------------- determinism ---- */

Test(ds_gen, same_arguments_give_byte_identical_datasets)
{
    struct ds_params p;
    char *tmp, *a = default_dataset(&p, &tmp), *b = gen(&p, tmp, "again");
    assert_same_tree(a, b, "log");
    assert_same_tree(a, b, "landing");
    assert_same_tree(a, b, ".");
    free(b);
    cleanup(tmp, a);
}

Test(ds_gen, a_different_seed_gives_different_data)
{
    struct ds_params p;
    char *tmp, *a = default_dataset(&p, &tmp), *b, *fa, *fb;
    p.seed = 43;
    b = gen(&p, tmp, "seed43");
    fa = lkt_fmt("%s/log/p-00000.jsonl", a);
    fb = lkt_fmt("%s/log/p-00000.jsonl", b);
    cr_assert_not(file_equal(fa, fb));
    free(fa);
    free(fb);
    free(b);
    cleanup(tmp, a);
}

/* ----------------------------------------------------------- accounting ---- */

Test(ds_gen, every_line_is_accounted_for_and_matches_the_manifest)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp), *logdir = lkt_fmt("%s/log", dir);
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    struct lk_strtab *ids = lk_strtab_new();
    size_t parsed = 0, malformed = 0, dups = 0;
    cJSON *m = manifest(dir);
    read_lines(logdir, &ls);
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        int added;
        if (lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, NULL) < 0) {
            malformed++;
            continue;
        }
        parsed++;
        lk_strtab_intern(ids, ev.str[LK_F_EVENT_ID].ptr, ev.str[LK_F_EVENT_ID].len, &added);
        dups += !added;
    }
    cr_assert_eq(ls.n, parsed + malformed);
    cr_assert_eq(parsed, lk_strtab_count(ids) + dups);
    cr_assert_eq(lk_strtab_count(ids), 5000);
    cr_assert_gt(dups, 100);
    cr_assert_gt(malformed, 40);
    cr_assert_eq((double)ls.n, mnum(m, "counts", "lines"));
    cr_assert_eq((double)lk_strtab_count(ids), mnum(m, "counts", "unique_events"));
    cr_assert_eq((double)dups, mnum(m, "counts", "duplicates"));
    cr_assert_eq((double)malformed, mnum(m, "counts", "malformed"));
    cr_assert_eq(mnum(m, "files", "log"), 3);
    cr_assert_eq(mnum(m, NULL, "seed"), 42);
    cJSON_Delete(m);
    lk_strtab_free(ids);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(logdir);
    cleanup(tmp, dir);
}

static int line_cmp(const void *a, const void *b)
{
    const struct line *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

Test(ds_gen, log_and_landing_hold_the_same_multiset_of_lines)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp);
    char *logdir = lkt_fmt("%s/log", dir), *landdir = lkt_fmt("%s/landing", dir);
    struct lines log, land;
    read_lines(logdir, &log);
    read_lines(landdir, &land);
    cr_assert_eq(log.n, land.n);
    qsort(log.v, log.n, sizeof(struct line), line_cmp);
    qsort(land.v, land.n, sizeof(struct line), line_cmp);
    for (size_t i = 0; i < log.n; i++)
        cr_assert_eq(line_cmp(&log.v[i], &land.v[i]), 0, "line %zu differs: %s", i, log.v[i].s);
    free_lines(&log);
    free_lines(&land);
    free(logdir);
    free(landdir);
    cleanup(tmp, dir);
}

Test(ds_gen, landing_files_are_named_by_landing_time_and_producer)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp), *landdir = lkt_fmt("%s/landing", dir);
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    char **names;
    size_t nfiles, checked = 0;
    cJSON *m = manifest(dir);
    read_lines(landdir, &ls);
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        char t[32], want[64];
        if (lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, NULL) < 0)
            continue;
        lk_time_format_compact(lk_align_down(ev.arrival_time, LK_MS_PER_MIN) + LK_MS_PER_MIN, t);
        snprintf(want, sizeof(want), "%s-p%05u.jsonl", t, partition_of(&ev.str[LK_F_TENANT], 3));
        cr_assert_str_eq(ls.v[i].file, want, "%s", ls.v[i].s);
        checked++;
    }
    cr_assert_gt(checked, 5000);
    cr_assert_eq(lk_list_dir(landdir, NULL, &names, &nfiles, NULL), 0);
    cr_assert_eq((double)nfiles, mnum(m, "files", "landing"));
    for (size_t i = 0; i < nfiles; i++) /* every landing file has lines */
        cr_assert(strstr(names[i], ".jsonl") != NULL);
    lk_list_free(names, nfiles);
    cJSON_Delete(m);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(landdir);
    cleanup(tmp, dir);
}

Test(ds_gen, each_log_partition_is_in_arrival_order_and_holds_its_tenants)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp);
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    for (uint32_t part = 0; part < 3; part++) {
        char *path = lkt_fmt("%s/log/p-%05u.jsonl", dir, part);
        struct lk_lines *r;
        const char *s;
        size_t len, n = 0;
        int64_t prev = LK_TIME_NEG_INF;
        cr_assert_eq(lk_lines_open(&r, path, NULL), 0, "no %s", path);
        while (lk_lines_next(r, &s, &len, NULL) == 1) {
            struct lk_event ev;
            if (lk_event_parse(&ps, s, len, &ev, NULL) < 0)
                continue;
            cr_assert_eq(partition_of(&ev.str[LK_F_TENANT], 3), part, "%.*s", (int)len, s);
            cr_assert_geq(ev.arrival_time, prev, "out of order in %s: %.*s", path, (int)len, s);
            prev = ev.arrival_time;
            n++;
        }
        lk_lines_close(r);
        free(path);
    }
    lk_event_parser_release(&ps);
    cleanup(tmp, dir);
}

/* ----------------------------------------------------------- duplicates ---- */

/* The line without its arrival_time value (what duplicates must share). */
static char *strip_arrival(const struct line *l)
{
    const char *at = strstr(l->s, "\"arrival_time\":\"");
    cr_assert_not_null(at);
    at += 16;
    return lkt_fmt("%.*s%s", (int)(at - l->s), l->s, at + LK_TIME_ISO_LEN);
}

Test(ds_gen, duplicates_are_the_same_line_with_a_strictly_later_arrival)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp), *logdir = lkt_fmt("%s/log", dir);
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    struct lk_strtab *ids = lk_strtab_new();
    size_t *first = lk_xcalloc(20000, sizeof(size_t)), *copies = lk_xcalloc(20000, sizeof(size_t));
    size_t groups = 0, triples = 0;
    read_lines(logdir, &ls);
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        int added;
        uint32_t id;
        if (lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, NULL) < 0)
            continue;
        id = lk_strtab_intern(ids, ev.str[0].ptr, ev.str[0].len, &added);
        cr_assert_lt(id, 20000);
        if (added) {
            first[id] = i;
        } else {
            char *a = strip_arrival(&ls.v[first[id]]), *b = strip_arrival(&ls.v[i]);
            struct lk_event orig;
            int64_t at = ev.arrival_time;
            cr_assert_str_eq(a, b);
            cr_assert_eq(lk_event_parse(&ps, ls.v[first[id]].s, ls.v[first[id]].len, &orig, NULL),
                         0);
            cr_assert_neq(orig.arrival_time, at, "a copy arrives at the same time: %s", b);
            groups += copies[id] == 0;
            triples += copies[id] == 1;
            free(a);
            free(b);
        }
        copies[id] += !added;
    }
    cr_assert_gt(groups, 100);
    cr_assert_gt(triples, 0, "no event was re-delivered twice");
    free(first);
    free(copies);
    lk_strtab_free(ids);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(logdir);
    cleanup(tmp, dir);
}

Test(ds_gen, the_first_copy_of_an_event_arrives_first)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp), *logdir = lkt_fmt("%s/log", dir);
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    struct lk_strtab *ids = lk_strtab_new();
    int64_t *arr = lk_xcalloc(20000, sizeof(int64_t));
    read_lines(logdir, &ls); /* partitions hold whole tenants, so per file = per event */
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        int added;
        uint32_t id;
        if (lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, NULL) < 0)
            continue;
        id = lk_strtab_intern(ids, ev.str[0].ptr, ev.str[0].len, &added);
        if (!added)
            cr_assert_gt(ev.arrival_time, arr[id], "copy not strictly later: %s", ls.v[i].s);
        arr[id] = ev.arrival_time;
    }
    free(arr);
    lk_strtab_free(ids);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(logdir);
    cleanup(tmp, dir);
}

/* ------------------------------------------------------------ malformed ---- */

Test(ds_gen, malformed_lines_cover_every_kind_with_its_reason)
{
    /* written out here, not taken from ds_malformed_reason */
    static const struct {
        const char *kind;
        enum lk_reason reason;
    } want[] = {
        { "truncated", LK_Q_JSON },  { "missing-field", LK_Q_MISSING },
        { "wrong-type", LK_Q_TYPE }, { "decimals", LK_Q_DECIMALS },
        { "exponent", LK_Q_NUMBER }, { "timestamp", LK_Q_TIMESTAMP },
        { "utf8", LK_Q_UTF8 },       { "empty-string", LK_Q_EMPTY },
    };
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp), *logdir = lkt_fmt("%s/log", dir);
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    size_t by_reason[LK_Q_COUNT] = { 0 }, ff = 0;
    cJSON *m = manifest(dir);
    read_lines(logdir, &ls);
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        struct lk_reject rej;
        if (lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, &rej) == 0)
            continue;
        by_reason[rej.reason]++;
        ff += rej.reason == LK_Q_UTF8 && memchr(ls.v[i].s, 0xff, ls.v[i].len) != NULL;
    }
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        cr_assert_gt(by_reason[want[k].reason], 0, "no line rejected as %s",
                     lk_reason_text(want[k].reason));
        cr_assert_eq((double)by_reason[want[k].reason], mnum(m, "malformed_kinds", want[k].kind),
                     "kind %s", want[k].kind);
    }
    cr_assert_eq(ff, by_reason[LK_Q_UTF8]);
    cJSON_Delete(m);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(logdir);
    cleanup(tmp, dir);
}

/* ----------------------------------------------------------------- late ---- */

struct first_copy {
    int64_t event_time, arrival;
    char key[16];
};

/* Per event id: event_time, key and the earliest arrival (the original delivery). */
static size_t first_copies(const char *dir, struct first_copy *fc, size_t cap)
{
    char *logdir = lkt_fmt("%s/log", dir);
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    struct lk_strtab *ids = lk_strtab_new();
    size_t n;
    read_lines(logdir, &ls);
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        int added;
        uint32_t id;
        if (lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, NULL) < 0)
            continue;
        id = lk_strtab_intern(ids, ev.str[0].ptr, ev.str[0].len, &added);
        cr_assert_lt(id, cap);
        if (added || ev.arrival_time < fc[id].arrival) {
            fc[id].event_time = ev.event_time;
            fc[id].arrival = ev.arrival_time;
            snprintf(fc[id].key, sizeof(fc[id].key), "%.*s", (int)ev.str[LK_F_KEY].len,
                     ev.str[LK_F_KEY].ptr);
        }
    }
    n = lk_strtab_count(ids);
    lk_strtab_free(ids);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(logdir);
    return n;
}

Test(ds_gen, late_counts_match_a_recomputation)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp);
    struct first_copy *fc = lk_xcalloc(20000, sizeof(*fc));
    size_t n = first_copies(dir, fc, 20000), l1 = 0, l10 = 0, l60 = 0;
    cJSON *m = manifest(dir);
    for (size_t i = 0; i < n; i++) {
        int64_t d = fc[i].arrival - fc[i].event_time;
        cr_assert_geq(d, 0);
        l1 += d > LK_MS_PER_MIN;
        l10 += d > 10 * LK_MS_PER_MIN;
        l60 += d > LK_MS_PER_HOUR;
    }
    cr_assert_eq((double)l1, mnum(m, "counts", "late_1m"));
    cr_assert_eq((double)l10, mnum(m, "counts", "late_10m"));
    cr_assert_eq((double)l60, mnum(m, "counts", "late_1h"));
    /* late_frac 0.2 with mix 0.5/0.2/0.3: about 1000, 500 and 300 of 5000 */
    cr_assert(l1 > 800 && l1 < 1200, "late_1m %zu", l1);
    cr_assert(l10 > 350 && l10 < 700, "late_10m %zu", l10);
    cr_assert(l60 > 150 && l60 < 500, "late_1h %zu", l60);
    cJSON_Delete(m);
    free(fc);
    cleanup(tmp, dir);
}

static int by_key_arrival(const void *a, const void *b)
{
    const struct first_copy *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->arrival > y->arrival) - (x->arrival < y->arrival);
}

Test(ds_gen, offline_devices_flush_their_events_in_bursts)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp);
    struct first_copy *fc = lk_xcalloc(20000, sizeof(*fc)), *hours = lk_xcalloc(20000, sizeof(*fc));
    size_t n = first_copies(dir, fc, 20000), nh = 0, in_bursts = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t d = fc[i].arrival - fc[i].event_time;
        if (d > LK_MS_PER_HOUR) {
            /* window (30m) + at most 3h */
            cr_assert_leq(d, 30 * LK_MS_PER_MIN + 3 * LK_MS_PER_HOUR);
            hours[nh++] = fc[i];
        }
    }
    qsort(hours, nh, sizeof(*hours), by_key_arrival);
    for (size_t i = 0; i < nh; i++)
        in_bursts += (i > 0 && by_key_arrival(&hours[i - 1], &hours[i]) == 0)
                     || (i + 1 < nh && by_key_arrival(&hours[i], &hours[i + 1]) == 0);
    cr_assert_gt(nh, 0);
    cr_assert_gt(in_bursts, nh / 2, "%zu of %zu hours-late events arrive with others of their key",
                 in_bursts, nh);
    free(hours);
    free(fc);
    cleanup(tmp, dir);
}

/* ----------------------------------------------------------- line form ---- */

Test(ds_gen, lines_are_canonical_and_ids_run_from_1_to_events)
{
    struct ds_params p;
    char *tmp = lkt_tmpdir("gen"), *dir, *logdir;
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    struct lk_strtab *ids = lk_strtab_new();
    char buf[1024], id[32];
    size_t negative = 0;
    small_params(&p);
    p.types[1].min = -12345; /* clicks worth -123.45 .. 123.45: signs and small values */
    p.types[1].max = 12345;
    dir = gen(&p, tmp, "ds");
    logdir = lkt_fmt("%s/log", dir);
    read_lines(logdir, &ls);
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        size_t n;
        if (lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, NULL) < 0)
            continue;
        n = lk_event_format(&ev, buf);
        cr_assert(n == ls.v[i].len + 1 && memcmp(buf, ls.v[i].s, ls.v[i].len) == 0,
                  "not canonical: %s", ls.v[i].s);
        cr_assert(ev.event_time >= p.start_ms && ev.event_time < p.start_ms + p.span_ms);
        cr_assert(ev.str[LK_F_TENANT].len == 3 && ev.str[LK_F_TENANT].ptr[0] == 't');
        cr_assert(ev.str[LK_F_KEY].len == 6 && ev.str[LK_F_KEY].ptr[0] == 'u');
        lk_strtab_intern(ids, ev.str[0].ptr, ev.str[0].len, NULL);
        negative += ev.value < 0;
    }
    cr_assert_gt(negative, 100);
    for (int k = 1; k <= 5000; k++) {
        snprintf(id, sizeof(id), "c-%09d", k);
        cr_assert_neq(lk_strtab_find(ids, id, strlen(id)), UINT32_MAX, "no event %s", id);
    }
    cr_assert_eq(lk_strtab_count(ids), 5000);
    lk_strtab_free(ids);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(logdir);
    cleanup(tmp, dir);
}

Test(ds_gen, diurnal_rate_and_zipf_tenants_shape_the_data)
{
    struct ds_params p;
    char *tmp = lkt_tmpdir("gen"), *dir, *logdir;
    struct lines ls;
    struct lk_event_parser ps = LK_EVENT_PARSER_INIT;
    size_t by_hour[24] = { 0 }, t01 = 0, t07 = 0;
    small_params(&p);
    p.events = 20000;
    p.span_ms = LK_MS_PER_DAY;
    p.malformed_frac = 0;
    dir = gen(&p, tmp, "day");
    logdir = lkt_fmt("%s/log", dir);
    read_lines(logdir, &ls);
    for (size_t i = 0; i < ls.n; i++) {
        struct lk_event ev;
        cr_assert_eq(lk_event_parse(&ps, ls.v[i].s, ls.v[i].len, &ev, NULL), 0);
        by_hour[(ev.event_time - p.start_ms) / LK_MS_PER_HOUR]++;
        t01 += memcmp(ev.str[LK_F_TENANT].ptr, "t01", 3) == 0;
        t07 += memcmp(ev.str[LK_F_TENANT].ptr, "t07", 3) == 0;
    }
    cr_assert_gt(by_hour[19], 3 * by_hour[3], "evening %zu vs night %zu", by_hour[19], by_hour[3]);
    cr_assert_gt(t01, 2 * t07, "t01 %zu vs t07 %zu", t01, t07);
    lk_event_parser_release(&ps);
    free_lines(&ls);
    free(logdir);
    cleanup(tmp, dir);
}

/* ------------------------------------------------------- directory swap ---- */

Test(ds_gen, replaces_an_old_dataset_and_leaves_no_temporaries)
{
    struct ds_params p;
    char *tmp, *dir = default_dataset(&p, &tmp), *again;
    char *partial = lkt_fmt("%s.partial", dir), *old = lkt_fmt("%s.old", dir);
    cJSON *m;
    p.seed = 7;
    p.events = 100;
    again = gen(&p, tmp, "ds");
    m = manifest(dir);
    cr_assert_eq(mnum(m, NULL, "seed"), 7);
    cr_assert_eq(mnum(m, "counts", "unique_events"), 100);
    cr_assert_not(lk_is_dir(partial));
    cr_assert_not(lk_is_dir(old));
    cJSON_Delete(m);
    free(again);
    free(partial);
    free(old);
    cleanup(tmp, dir);
}

Test(ds_gen, refuses_to_replace_a_directory_that_is_not_a_dataset)
{
    struct ds_params p;
    struct lk_err err = LK_ERR_INIT;
    struct ds_gen *g;
    char *tmp = lkt_tmpdir("gen"), *dir = lkt_fmt("%s/precious", tmp);
    char *file = lkt_fmt("%s/notes.txt", dir), *partial = lkt_fmt("%s.partial", dir), *text;
    FILE *fp;
    cr_assert_eq(lk_mkdir_p(dir, NULL), 0);
    fp = fopen(file, "w");
    fputs("keep me\n", fp);
    fclose(fp);
    small_params(&p);
    cr_assert_eq(ds_gen_new(&g, &p, &err), 0);
    cr_assert_eq(ds_gen_write(g, dir, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, dir) != NULL, "%s", err.msg);
    text = lkt_slurp(file);
    cr_assert_str_eq(text, "keep me\n");
    cr_assert_not(lk_is_dir(partial));
    ds_gen_free(g);
    free(text);
    free(file);
    free(partial);
    cleanup(tmp, dir);
}

Test(ds_gen, rejects_bad_parameters_naming_the_member)
{
    struct ds_params p;
    struct lk_err err = LK_ERR_INIT;
    struct ds_gen *g = NULL;
    small_params(&p);
    p.events = 0;
    cr_assert_eq(ds_gen_new(&g, &p, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "'events'"), "%s", err.msg);
    small_params(&p);
    p.malformed_frac = 0.9;
    cr_assert_eq(ds_gen_new(&g, &p, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "'malformed_frac'"), "%s", err.msg);
    cr_assert_null(g);
}

/* ------------------------------------------------------------- ds_rand ---- */

Test(ds_rand, log_and_exp_agree_with_libm)
{
    for (double x = 1e-300; x < 1e300; x *= 1.37) {
        double want = log(x), got = ds_log(x);
        cr_assert(fabs(got - want) <= 1e-15 * fabs(want) + 1e-300, "log(%g): %.17g vs %.17g", x,
                  got, want);
    }
    for (double x = -700; x < 700; x += 0.731) {
        double want = exp(x), got = ds_exp(x);
        cr_assert(fabs(got - want) <= 4e-15 * want, "exp(%g): %.17g vs %.17g", x, got, want);
    }
    cr_assert_eq(ds_exp(0.0), 1.0);
    cr_assert_eq(ds_log(1.0), 0.0);
}

Test(ds_rand, alias_table_follows_its_weights)
{
    const double w[4] = { 1, 2, 3, 4 };
    size_t seen[4] = { 0 };
    struct ds_alias a;
    struct ds_rand r;
    ds_rand_init(&r, 1, 2);
    ds_alias_init(&a, w, 4);
    for (int i = 0; i < 400000; i++)
        seen[ds_alias_sample(&a, &r)]++;
    for (int k = 0; k < 4; k++)
        cr_assert(fabs((double)seen[k] / 400000.0 - w[k] / 10.0) < 0.005, "%d: %zu", k, seen[k]);
    ds_alias_release(&a);
}

Test(ds_rand, streams_are_reproducible_and_independent)
{
    struct ds_rand a, b, c, d;
    int same = 1, differ = 0;
    ds_rand_init(&d, 9, 9);
    ds_rand_init(&a, 42, 1);
    ds_rand_init(&b, 42, 1);
    ds_rand_init(&c, 42, 2);
    for (int i = 0; i < 100; i++) {
        uint64_t x = ds_rand_next(&a);
        same &= x == ds_rand_next(&b);
        differ += x != ds_rand_next(&c);
        cr_assert_lt(ds_rand_below(&d, 7), 7);
        cr_assert(ds_rand_double(&d) < 1.0);
    }
    cr_assert(same);
    cr_assert_eq(differ, 100);
}

/* --------------------------------------------------------- ds_scenario ---- */

Test(ds_scenario, shipped_scenarios_load_and_clickstream_is_the_default)
{
    static const char *const names[] = { "clickstream", "iot", "payments" };
    for (int i = 0; i < 3; i++) {
        struct ds_params p, d;
        struct lk_err err = LK_ERR_INIT;
        char *path = lkt_fmt("%s/datasets/scenarios/%s.json", lkt_root(), names[i]);
        ds_params_default(&p);
        ds_params_default(&d);
        cr_assert_eq(ds_scenario_load(&p, path, &err), 0, "%s", err.msg);
        cr_assert_eq(ds_params_check(&p, &err), 0, "%s", err.msg);
        cr_assert_str_eq(p.name, names[i]);
        if (i == 0) {
            cr_assert(p.events == 1000000 && p.seed == 42 && p.tenants == 20 && p.keys == 50000);
            cr_assert(p.span_ms == LK_MS_PER_DAY && p.partitions == 4 && p.rate == DS_RATE_DIURNAL);
            cr_assert(p.late_frac == 0.05 && p.dup_frac == 0.01 && p.malformed_frac == 0.001);
            cr_assert(p.delay.kind == DS_DELAY_EXPONENTIAL && p.delay.scale_ms == 2000);
            cr_assert(p.start_ms == d.start_ms && p.drop_every_ms == LK_MS_PER_MIN);
            cr_assert(p.ntypes == d.ntypes && p.types[3].max == d.types[3].max);
        }
        free(path);
    }
}

static char *write_tmp(const char *tmp, const char *text)
{
    char *path = lkt_fmt("%s/s.json", tmp);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

Test(ds_scenario, unknown_and_bad_members_are_rejected_by_name)
{
    char *tmp = lkt_tmpdir("gen"), *path;
    struct ds_params p;
    struct lk_err err = LK_ERR_INIT;
    ds_params_default(&p);
    path = write_tmp(tmp, "{\"events\": 10, \"evnts\": 5}");
    cr_assert_eq(ds_scenario_load(&p, path, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "unknown member 'evnts'"), "%s", err.msg);
    free(path);
    path = write_tmp(tmp, "{\"types\": [{\"name\": \"x\", \"min\": 1.234}]}");
    cr_assert_eq(ds_scenario_load(&p, path, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "types.min"), "%s", err.msg);
    free(path);
    path = write_tmp(tmp, "{\"span\": 24}");
    cr_assert_eq(ds_scenario_load(&p, path, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "'span'"), "%s", err.msg);
    free(path);
    cleanup(tmp, NULL);
}

Test(ds_scenario, delay_texts_parse_strictly)
{
    struct ds_delay d;
    cr_assert_eq(ds_delay_parse("exponential:2s", &d), 0);
    cr_assert(d.kind == DS_DELAY_EXPONENTIAL && d.scale_ms == 2000);
    cr_assert_eq(ds_delay_parse("lognormal:1500ms,0.8", &d), 0);
    cr_assert(d.kind == DS_DELAY_LOGNORMAL && d.scale_ms == 1500 && d.sigma == 0.8);
    cr_assert_eq(ds_delay_parse("none", &d), 0);
    cr_assert_eq(d.kind, DS_DELAY_NONE);
    cr_assert_eq(ds_delay_parse("exponential:", &d), LK_EINPUT);
    cr_assert_eq(ds_delay_parse("lognormal:2s", &d), LK_EINPUT);
    cr_assert_eq(ds_delay_parse("lognormal:2s,-1", &d), LK_EINPUT);
    cr_assert_eq(ds_delay_parse("gamma:1s", &d), LK_EINPUT);
}

/* ---------------------------------------------------------- lklab gen ---- */

Test(cli_gen, help_goes_to_stdout_and_exits_0)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "gen --help"), 0);
    cr_assert(strstr(out, "lklab gen --scenario") && strstr(out, "--malformed-frac"), "%s", out);
    free(out);
}

Test(cli_gen, unknown_option_and_bad_values_are_usage_errors)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "gen --bogus"), 2);
    cr_assert(strstr(err, "unknown option '--bogus'"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "gen --scenario clickstream --out x --late-frac 2"), 2);
    cr_assert(strstr(err, "--late-frac"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "gen --scenario iot --out x --delay gamma:1s"), 2);
    cr_assert(strstr(err, "--delay"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "gen --scenario iot"), 2);
    cr_assert(strstr(err, "--out"), "%s", err);
    free(err);
}

Test(cli_gen, a_missing_or_bad_scenario_is_exit_3_and_leaves_nothing)
{
    char *tmp = lkt_tmpdir("gen"), *err = NULL, *dir = lkt_fmt("%s/ds", tmp), *path;
    cr_assert_eq(lkt_run(NULL, &err, "gen --scenario nosuch --out %s", dir), 3);
    cr_assert(strstr(err, "'nosuch'"), "%s", err);
    cr_assert_not(lk_is_dir(dir));
    free(err);
    path = write_tmp(tmp, "{\"events\": 100, \"tenant\": 3}");
    cr_assert_eq(lkt_run(NULL, &err, "gen --scenario %s --out %s", path, dir), 3);
    cr_assert(strstr(err, "unknown member 'tenant'"), "%s", err);
    cr_assert_not(lk_is_dir(dir));
    free(err);
    free(path);
    cleanup(tmp, dir);
}

Test(cli_gen, writes_a_small_iot_dataset_quietly)
{
    char *tmp = lkt_tmpdir("gen"), *out = NULL, *err = NULL, *dir = lkt_fmt("%s/iot", tmp);
    char *p0 = lkt_fmt("%s/log/p-00000.jsonl", dir), *text;
    cJSON *m;
    cr_assert_eq(lkt_run(&out, &err,
                         "gen --scenario iot --events 2000 --seed 5 --partitions 2"
                         " --quiet --out %s",
                         dir),
                 0, "%s", err);
    cr_assert_str_eq(err, "");
    cr_assert_str_eq(out, "");
    m = manifest(dir);
    cr_assert_eq(mnum(m, "counts", "unique_events"), 2000);
    cr_assert_eq(mnum(m, "files", "log"), 2);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(m, "scenario")->valuestring, "iot");
    text = lkt_slurp(p0);
    cr_assert(strstr(text, "\"key\":\"d0") && strstr(text, "\"event_id\":\"i-0"), "%.300s", text);
    cJSON_Delete(m);
    free(text);
    free(p0);
    free(out);
    free(err);
    cleanup(tmp, dir);
}

Test(cli_gen, refuses_a_directory_that_is_not_a_dataset)
{
    char *tmp = lkt_tmpdir("gen"), *err = NULL;
    char *file = lkt_fmt("%s/keep.txt", tmp);
    FILE *fp = fopen(file, "w");
    fputs("x", fp);
    fclose(fp);
    cr_assert_eq(lkt_run(NULL, &err, "gen --scenario clickstream --events 10 --out %s", tmp), 3);
    cr_assert(strstr(err, "refusing to replace"), "%s", err);
    cr_assert(lk_is_file(file));
    free(err);
    free(file);
    cleanup(tmp, NULL);
}
