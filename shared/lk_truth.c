#include "lk_truth.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_agg.h"
#include "lk_csv.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "lk_time.h"
#include "banned.h"

/* One result cell: a group tuple and a window. */
struct cell {
    uint32_t tuple;
    int64_t start, end;
    struct lk_agg agg;
};

/* An event kept for session windows (sorted and merged at the end). */
struct sess_event {
    uint32_t tuple;
    int64_t time;
    int64_t value;
    uint32_t ids[LK_SPEC_MAX_DISTINCT];
};

struct truth {
    const struct lk_spec *spec;
    size_t ndistinct;
    struct lk_strtab *event_ids; /* seen event_ids */
    struct lk_strtab *values;    /* group and distinct field strings */
    struct lk_strtab *tuples;    /* group tuples as bytes of uint32 value ids */
    struct cell *cells;
    size_t ncells, cells_cap;
    uint32_t *map; /* cell index + 1 by (tuple, start); 0 = empty */
    size_t map_size;
    struct sess_event *sess;
    size_t nsess, sess_cap;
    int64_t arrival_until;
    lk_truth_keep_fn keep; /* NULL: every event */
    void *keep_arg;
};

static uint64_t cell_hash(uint32_t tuple, int64_t start)
{
    uint64_t h = (uint64_t)start * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)tuple << 32 | tuple);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static void map_rebuild(struct truth *t, size_t size)
{
    free(t->map);
    t->map = lk_xcalloc(size, sizeof(*t->map));
    t->map_size = size;
    for (size_t c = 0; c < t->ncells; c++) {
        size_t i = cell_hash(t->cells[c].tuple, t->cells[c].start) & (size - 1);
        while (t->map[i])
            i = (i + 1) & (size - 1);
        t->map[i] = (uint32_t)c + 1;
    }
}

static struct lk_agg *cell_get(struct truth *t, uint32_t tuple, int64_t start, int64_t end)
{
    size_t mask = t->map_size - 1, i = cell_hash(tuple, start) & mask;
    struct cell *c;
    for (; t->map[i]; i = (i + 1) & mask) {
        c = &t->cells[t->map[i] - 1];
        if (c->tuple == tuple && c->start == start)
            return &c->agg;
    }
    LK_GROW(t->cells, t->cells_cap, t->ncells + 1);
    c = &t->cells[t->ncells++];
    c->tuple = tuple;
    c->start = start;
    c->end = end;
    lk_agg_init(&c->agg);
    t->map[i] = (uint32_t)t->ncells;
    if (t->ncells * 2 > t->map_size)
        map_rebuild(t, t->map_size * 2);
    return &c->agg;
}

static uint32_t tuple_of(struct truth *t, const struct lk_event *ev)
{
    uint32_t ids[LK_SPEC_MAX_GROUP];
    for (size_t g = 0; g < t->spec->ngroup; g++) {
        const struct lk_str *s = &ev->str[t->spec->group[g]];
        ids[g] = lk_strtab_intern(t->values, s->ptr, s->len, NULL);
    }
    return lk_strtab_intern(t->tuples, (const char *)ids, t->spec->ngroup * sizeof(ids[0]), NULL);
}

static void distinct_ids(struct truth *t, const struct lk_event *ev, uint32_t *ids)
{
    size_t d = 0;
    for (size_t i = 0; i < t->spec->naggs; i++) {
        if (t->spec->aggs[i].fn != LK_AGG_COUNT_DISTINCT)
            continue;
        const struct lk_str *s = &ev->str[t->spec->aggs[i].of];
        ids[d++] = lk_strtab_intern(t->values, s->ptr, s->len, NULL);
    }
}

static void add_event(struct truth *t, const struct lk_event *ev)
{
    uint32_t ids[LK_SPEC_MAX_DISTINCT];
    uint32_t tuple = tuple_of(t, ev);
    const struct lk_window_spec *w = &t->spec->window;
    distinct_ids(t, ev, ids);
    if (w->kind == LK_WIN_SESSION) {
        struct sess_event *se;
        LK_GROW(t->sess, t->sess_cap, t->nsess + 1);
        se = &t->sess[t->nsess++];
        se->tuple = tuple;
        se->time = ev->event_time;
        se->value = ev->value;
        memcpy(se->ids, ids, sizeof(ids));
        return;
    }
    {
        int64_t starts[1024];
        size_t n = lk_spec_windows(t->spec, ev->event_time, starts);
        for (size_t k = 0; k < n; k++)
            lk_agg_add(cell_get(t, tuple, starts[k], starts[k] + w->size), ev->value, ids,
                       t->ndistinct);
    }
}

static int cmp_sess(const void *a, const void *b)
{
    const struct sess_event *x = a, *y = b;
    if (x->tuple != y->tuple)
        return x->tuple < y->tuple ? -1 : 1;
    return (x->time > y->time) - (x->time < y->time);
}

/*
 * Merge each group's time-sorted events into sessions [first, last + gap). An event at
 * exactly the session's end joins it (touching sessions merge, as in Spark and Flink).
 */
static void build_sessions(struct truth *t)
{
    int64_t gap = t->spec->window.gap;
    size_t i = 0;
    qsort(t->sess, t->nsess, sizeof(*t->sess), cmp_sess);
    while (i < t->nsess) {
        size_t j = i + 1;
        int64_t end = t->sess[i].time + gap;
        struct lk_agg *a;
        while (j < t->nsess && t->sess[j].tuple == t->sess[i].tuple && t->sess[j].time <= end) {
            end = t->sess[j].time + gap;
            j++;
        }
        a = cell_get(t, t->sess[i].tuple, t->sess[i].time, end);
        for (size_t k = i; k < j; k++)
            lk_agg_add(a, t->sess[k].value, t->sess[k].ids, t->ndistinct);
        i = j;
    }
}

/* Read one input file; base = bytes of the files before it (for progress). */
static int read_file(struct truth *t, const char *path, uint64_t base, struct lk_truth_stats *st,
                     lk_progress_fn progress, void *parg, struct lk_err *err)
{
    struct lk_event_parser parser = LK_EVENT_PARSER_INIT;
    struct lk_lines *r;
    struct lk_event ev;
    struct lk_reject rej;
    const char *line;
    size_t len;
    int64_t reached = LK_TIME_NEG_INF; /* a line is available with the lines above it */
    int rc = lk_lines_open(&r, path, err);
    if (rc < 0)
        return rc;
    while ((rc = lk_lines_next(r, &line, &len, err)) > 0) {
        int added;
        st->lines++;
        if (lk_event_parse(&parser, line, len, &ev, &rej) < 0) {
            st->malformed++;
            st->by_reason[rej.reason]++;
            continue;
        }
        if (ev.arrival_time > reached)
            reached = ev.arrival_time;
        if (reached > t->arrival_until) {
            st->lines--;
            continue;
        }
        lk_strtab_intern(t->event_ids, ev.str[LK_F_EVENT_ID].ptr, ev.str[LK_F_EVENT_ID].len,
                         &added);
        if (!added && t->spec->dedup) {
            st->duplicates++;
            continue;
        }
        st->events++;
        if (t->keep && !t->keep(t->keep_arg, &ev)) {
            st->skipped++;
            continue;
        }
        if (!lk_spec_accepts(t->spec, &ev)) {
            st->filtered++;
            continue;
        }
        add_event(t, &ev);
        if (progress && (st->lines & 0xffff) == 0)
            progress(parg, base + lk_lines_offset(r), st->bytes);
    }
    lk_lines_close(r);
    lk_event_parser_release(&parser);
    return rc;
}

/* What a result owns besides its row pointers: the rows and the evaluator's strings. */
struct result_priv {
    struct lk_csv_row *rows;
    struct truth t;
};

static void build_result(struct truth *t, struct lk_result *r, struct lk_truth_stats *st)
{
    struct result_priv *priv = r->priv;
    size_t n = t->ncells;
    priv->rows = lk_xreallocarray(NULL, n ? n : 1, sizeof(*priv->rows));
    r->rows = lk_xreallocarray(NULL, n ? n : 1, sizeof(*r->rows));
    for (size_t c = 0; c < n; c++) {
        const struct cell *cell = &t->cells[c];
        struct lk_csv_row *row = &priv->rows[c];
        struct lk_str tb = lk_strtab_get(t->tuples, cell->tuple);
        memset(row, 0, sizeof(*row));
        for (size_t g = 0; g < t->spec->ngroup; g++) {
            uint32_t id;
            memcpy(&id, tb.ptr + g * sizeof(id), sizeof(id));
            row->group[g] = lk_strtab_get(t->values, id);
        }
        row->window_start = cell->start;
        row->window_end = cell->end;
        for (size_t i = 0; i < t->spec->naggs; i++)
            row->values[i] = lk_agg_result(&cell->agg, t->spec, i);
        r->rows[c] = row;
    }
    lk_csv_sort(r->rows, n, t->spec->ngroup);
    r->n = n;
    st->rows = n;
}

int lk_result_write_csv(const struct lk_result *r, FILE *out)
{
    int rc = lk_csv_write_header(out, r->spec);
    for (size_t c = 0; c < r->n && rc == 0; c++)
        rc = lk_csv_write_row(out, r->spec, r->rows[c]);
    return rc;
}

/* Canonical order on (groups, window_start) only: sessions differ in window_end too. */
static int key_cmp(const struct lk_csv_row *row, const struct lk_csv_row *key, size_t ngroup)
{
    struct lk_csv_row k = *key;
    k.window_end = row->window_end;
    return lk_csv_row_cmp(row, &k, ngroup);
}

const struct lk_csv_row *lk_result_find(const struct lk_result *r, const struct lk_csv_row *key)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(r->rows[mid], key, r->spec->ngroup);
        if (c == 0)
            return r->rows[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void truth_release(struct truth *t)
{
    for (size_t c = 0; c < t->ncells; c++)
        lk_agg_release(&t->cells[c].agg);
    free(t->cells);
    free(t->map);
    free(t->sess);
    lk_strtab_free(t->event_ids);
    lk_strtab_free(t->values);
    lk_strtab_free(t->tuples);
}

void lk_result_free(struct lk_result *r)
{
    struct result_priv *priv;
    if (!r)
        return;
    priv = r->priv;
    truth_release(&priv->t);
    free(priv->rows);
    free(priv);
    free(r->rows);
    free(r);
}

int lk_truth_eval(const struct lk_spec *spec, const char *data, int64_t arrival_until,
                  struct lk_result **out, struct lk_truth_stats *st, lk_progress_fn progress,
                  void *parg, struct lk_err *err)
{
    return lk_truth_eval_keep(spec, data, arrival_until, NULL, NULL, out, st, progress, parg, err);
}

int lk_truth_eval_keep(const struct lk_spec *spec, const char *data, int64_t arrival_until,
                       lk_truth_keep_fn keep, void *keep_arg, struct lk_result **out,
                       struct lk_truth_stats *st, lk_progress_fn progress, void *parg,
                       struct lk_err *err)
{
    struct result_priv *priv = lk_xcalloc(1, sizeof(*priv));
    struct truth *t = &priv->t;
    struct lk_result *r;
    char **files = NULL;
    size_t nfiles = 0;
    uint64_t *sizes;
    int rc;

    memset(st, 0, sizeof(*st));
    if ((rc = lk_dataset_log_files(data, &files, &nfiles, err)) < 0) {
        free(priv);
        return rc;
    }
    sizes = lk_xreallocarray(NULL, nfiles + 1, sizeof(*sizes));
    for (size_t i = 0; i < nfiles; i++) {
        struct stat sb;
        sizes[i] = st->bytes; /* bytes before file i */
        if (stat(files[i], &sb) == 0)
            st->bytes += (uint64_t)sb.st_size;
    }
    t->spec = spec;
    t->ndistinct = lk_spec_ndistinct(spec);
    t->arrival_until = arrival_until;
    t->keep = keep;
    t->keep_arg = keep_arg;
    t->event_ids = lk_strtab_new();
    t->values = lk_strtab_new();
    t->tuples = lk_strtab_new();
    map_rebuild(t, 1024);
    for (size_t i = 0; i < nfiles && rc == 0; i++)
        rc = read_file(t, files[i], sizes[i], st, progress, parg, err);
    free(sizes);
    lk_list_free(files, nfiles);
    r = lk_xcalloc(1, sizeof(*r));
    r->spec = spec;
    r->priv = priv;
    if (rc < 0) {
        lk_result_free(r);
        return rc;
    }
    if (spec->window.kind == LK_WIN_SESSION)
        build_sessions(t);
    build_result(t, r, st);
    *out = r;
    return 0;
}

int lk_truth_run(const struct lk_spec *spec, const char *data, int64_t arrival_until, FILE *out,
                 struct lk_truth_stats *st, lk_progress_fn progress, void *parg, struct lk_err *err)
{
    struct lk_result *r;
    int rc = lk_truth_eval(spec, data, arrival_until, &r, st, progress, parg, err);
    if (rc < 0)
        return rc;
    rc = lk_result_write_csv(r, out);
    if (rc == LK_EIO)
        lk_file_write_failed(out, "the result", err);
    else if (rc < 0)
        lk_err_set(err, rc, "cannot write result (%s)", lk_strerror(rc));
    lk_result_free(r);
    return rc;
}
