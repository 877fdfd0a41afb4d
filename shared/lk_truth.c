#include "lk_truth.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_agg.h"
#include "lk_csv.h"
#include "lk_csvread.h"
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
    uint32_t *id_file; /* incremental: file of each event_id's counted copy (else NULL) */
    size_t id_file_cap;
    int order_broken; /* incremental: see note_copy */
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
    if (t->nsess) /* qsort of NULL is undefined, even of 0 items */
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

/* A file being read: its reader and the arrival time reached so far. */
struct cursor {
    struct lk_lines *r;
    int64_t reached;  /* a line is available with the lines above it */
    const char *held; /* incremental: the first line not available yet (NULL: none) */
    size_t held_len;
    uint32_t file; /* index in reading order */
};

/*
 * Incremental only: a later copy of an event_id from an earlier file than its counted copy
 * (possible only when copies of one event_id sit in several partitions) would have been the
 * kept copy of a one-shot evaluation, so the evaluator falls back to those.
 */
static void note_copy(struct truth *t, uint32_t id, int added, uint32_t file)
{
    if (!t->id_file)
        return;
    if (added) {
        LK_GROW(t->id_file, t->id_file_cap, (size_t)id + 1);
        t->id_file[id] = file;
    } else if (file < t->id_file[id]) {
        t->order_broken = 1;
    }
}

/*
 * Read lines from c until its end, or (stop) until the first valid line not available by
 * t->arrival_until, which is held in c for the next call. Without stop the rest of the
 * file is still read for its malformed lines. base = bytes of the files before (progress).
 */
static int read_lines(struct truth *t, struct cursor *c, int stop, uint64_t base,
                      struct lk_truth_stats *st, lk_progress_fn progress, void *parg,
                      struct lk_err *err)
{
    struct lk_event_parser parser = LK_EVENT_PARSER_INIT;
    struct lk_event ev;
    struct lk_reject rej;
    const char *line;
    size_t len;
    int rc = 1;
    for (;;) {
        int added;
        uint32_t id;
        if (c->held) {
            line = c->held;
            len = c->held_len;
            c->held = NULL;
        } else if ((rc = lk_lines_next(c->r, &line, &len, err)) <= 0) {
            break;
        }
        st->lines++;
        if (lk_event_parse(&parser, line, len, &ev, &rej) < 0) {
            st->malformed++;
            st->by_reason[rej.reason]++;
            continue;
        }
        if (ev.arrival_time > c->reached && ev.arrival_time > t->arrival_until && stop) {
            st->lines--;
            c->held = line;
            c->held_len = len;
            rc = 0;
            break;
        }
        if (ev.arrival_time > c->reached)
            c->reached = ev.arrival_time;
        if (c->reached > t->arrival_until) {
            st->lines--;
            continue;
        }
        id = lk_strtab_intern(t->event_ids, ev.str[LK_F_EVENT_ID].ptr, ev.str[LK_F_EVENT_ID].len,
                              &added);
        note_copy(t, id, added, c->file);
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
            progress(parg, base + lk_lines_offset(c->r), st->bytes);
    }
    lk_event_parser_release(&parser);
    return rc;
}

/* Read one input file; base = bytes of the files before it (for progress). */
static int read_file(struct truth *t, const char *path, uint64_t base, struct lk_truth_stats *st,
                     lk_progress_fn progress, void *parg, struct lk_err *err)
{
    struct cursor c = { .reached = LK_TIME_NEG_INF };
    int rc = lk_lines_open(&c.r, path, err);
    if (rc < 0)
        return rc;
    rc = read_lines(t, &c, 0, base, st, progress, parg, err);
    lk_lines_close(c.r);
    return rc;
}

/* What a result owns besides its row pointers: the rows and the evaluator's strings. */
struct result_priv {
    struct lk_csv_row *rows;
    struct truth t;       /* empty for an incremental evaluator's result (it owns the strings) */
    struct lk_rtable csv; /* lk_result_load_csv's table (owns the strings), else empty */
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

int lk_result_load_csv(const struct lk_spec *spec, const char *path, struct lk_result **out,
                       struct lk_err *err)
{
    struct lk_result *r = lk_xcalloc(1, sizeof(*r));
    struct result_priv *priv = lk_xcalloc(1, sizeof(*priv));
    struct lk_rtable *t = &priv->csv;
    int rc;
    r->spec = spec;
    r->priv = priv;
    *out = NULL;
    if ((rc = lk_rtable_load(t, path, err)) < 0 || (rc = lk_rtable_check_spec(t, spec, err)) < 0) {
        lk_result_free(r);
        return rc;
    }
    priv->rows = lk_xreallocarray(NULL, t->nrows ? t->nrows : 1, sizeof(*priv->rows));
    r->rows = lk_xreallocarray(NULL, t->nrows ? t->nrows : 1, sizeof(*r->rows));
    for (size_t i = 0; i < t->nrows; i++) {
        struct lk_csv_row *row = &priv->rows[i];
        *row = t->rows[i].row;
        for (size_t a = 0; a < spec->naggs; a++) /* the table holds counts in hundredths too */
            if (!lk_agg_is_money(spec->aggs[a].fn))
                row->values[a] /= 100;
        r->rows[i] = row;
    }
    lk_csv_sort(r->rows, t->nrows, spec->ngroup);
    r->n = t->nrows;
    *out = r;
    return 0;
}

int lk_truth_final(const struct lk_spec *spec, const char *data, const char *truth_csv,
                   struct lk_result **out, struct lk_err *err)
{
    struct lk_truth_stats st;
    if (truth_csv)
        return lk_result_load_csv(spec, truth_csv, out, err);
    return lk_truth_eval(spec, data, LK_TIME_POS_INF, out, &st, NULL, NULL, err);
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
    free(t->id_file);
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
    lk_rtable_release(&priv->csv);
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

/* The sizes of files (sizes[i] = bytes before file i) into *sizes, their total into *total. */
static uint64_t *file_offsets(char **files, size_t nfiles, uint64_t *total)
{
    uint64_t *sizes = lk_xreallocarray(NULL, nfiles + 1, sizeof(*sizes));
    *total = 0;
    for (size_t i = 0; i < nfiles; i++) {
        struct stat sb;
        sizes[i] = *total;
        if (stat(files[i], &sb) == 0)
            *total += (uint64_t)sb.st_size;
    }
    return sizes;
}

static void truth_init(struct truth *t, const struct lk_spec *spec, int64_t arrival_until)
{
    t->spec = spec;
    t->ndistinct = lk_spec_ndistinct(spec);
    t->arrival_until = arrival_until;
    t->event_ids = lk_strtab_new();
    t->values = lk_strtab_new();
    t->tuples = lk_strtab_new();
    map_rebuild(t, 1024);
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
    sizes = file_offsets(files, nfiles, &st->bytes);
    truth_init(t, spec, arrival_until);
    t->keep = keep;
    t->keep_arg = keep_arg;
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

/* ---------------------------------------------------------- incremental ---- */

struct lk_truth_inc {
    struct truth t;
    char *data;
    struct cursor *cur;
    size_t nfiles;
    int started; /* t.arrival_until holds the last cutoff */
};

struct lk_truth_inc *lk_truth_inc_new(const struct lk_spec *spec, const char *data)
{
    struct lk_truth_inc *inc = lk_xcalloc(1, sizeof(*inc));
    inc->data = lk_xstrdup(data);
    truth_init(&inc->t, spec, LK_TIME_NEG_INF);
    LK_GROW(inc->t.id_file, inc->t.id_file_cap, 1024);
    return inc;
}

static int inc_open(struct lk_truth_inc *inc, struct lk_err *err)
{
    char **files = NULL;
    int rc = lk_dataset_log_files(inc->data, &files, &inc->nfiles, err);
    if (rc < 0)
        return rc;
    inc->cur = lk_xcalloc(inc->nfiles ? inc->nfiles : 1, sizeof(*inc->cur));
    for (size_t i = 0; i < inc->nfiles && rc == 0; i++) {
        inc->cur[i].reached = LK_TIME_NEG_INF;
        inc->cur[i].file = (uint32_t)i;
        rc = lk_lines_open(&inc->cur[i].r, files[i], err);
    }
    lk_list_free(files, inc->nfiles);
    return rc;
}

/* Session cells are rebuilt from all the events read so far at each evaluation. */
static void inc_reset_sessions(struct truth *t)
{
    for (size_t c = 0; c < t->ncells; c++)
        lk_agg_release(&t->cells[c].agg);
    t->ncells = 0;
    memset(t->map, 0, t->map_size * sizeof(*t->map));
}

int lk_truth_inc_eval(struct lk_truth_inc *inc, int64_t arrival_until, struct lk_result **out,
                      struct lk_err *err)
{
    struct lk_truth_stats st;
    struct truth *t = &inc->t;
    struct result_priv *priv;
    struct lk_result *r;
    int rc = 0;
    if (t->order_broken || (inc->started && arrival_until < t->arrival_until))
        return lk_truth_eval(t->spec, inc->data, arrival_until, out, &st, NULL, NULL, err);
    if (!inc->started && (rc = inc_open(inc, err)) < 0)
        return rc;
    inc->started = 1;
    t->arrival_until = arrival_until;
    memset(&st, 0, sizeof(st));
    for (size_t i = 0; i < inc->nfiles && rc == 0; i++)
        rc = read_lines(t, &inc->cur[i], 1, 0, &st, NULL, NULL, err);
    if (rc < 0)
        return rc;
    if (t->order_broken)
        return lk_truth_eval(t->spec, inc->data, arrival_until, out, &st, NULL, NULL, err);
    if (t->spec->window.kind == LK_WIN_SESSION) {
        inc_reset_sessions(t);
        build_sessions(t);
    }
    priv = lk_xcalloc(1, sizeof(*priv));
    r = lk_xcalloc(1, sizeof(*r));
    r->spec = t->spec;
    r->priv = priv;
    build_result(t, r, &st);
    *out = r;
    return 0;
}

void lk_truth_inc_free(struct lk_truth_inc *inc)
{
    if (!inc)
        return;
    for (size_t i = 0; i < inc->nfiles; i++)
        if (inc->cur && inc->cur[i].r)
            lk_lines_close(inc->cur[i].r);
    free(inc->cur);
    free(inc->data);
    truth_release(&inc->t);
    free(inc);
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
