#include "lb_sql.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_buf.h"
#include "lk_event.h"
#include "lk_run.h"
#include "banned.h"

/* Literals used where a statement cannot take parameters (views). */
#define AT_END "9223372036854775807"
#define NEG_INF "(-9223372036854775807 - 1)"

/* ----------------------------------------------------------- identifiers ---- */

static const char *const reserved[] = { "view_id",      "mb_id",      "bucket_end", "visible_at",
                                        "window_start", "window_end", NULL };

/* 1 when name is taken by a group field or another aggregate than skip. */
static int name_taken(const struct lk_spec *spec, const char *name, size_t skip)
{
    for (size_t g = 0; g < spec->ngroup; g++)
        if (strcmp(lk_field_name(spec->group[g]), name) == 0)
            return 1;
    for (size_t i = 0; i < spec->naggs; i++)
        if (i != skip && strcmp(spec->aggs[i].as, name) == 0)
            return 1;
    return 0;
}

static int check_agg(const struct lk_spec *spec, size_t i, struct lk_err *err)
{
    const char *as = spec->aggs[i].as;
    char hll[LK_SPEC_NAME_MAX + 8];
    if (!lk_spec_is_identifier(as))
        return lk_err_set(err, LK_ESPEC,
                          "aggregates[%zu].as: '%s' is not a column name "
                          "(spec '%s')",
                          i, as, spec->name);
    if (strncmp(as, "lb_", 3) == 0)
        return lk_err_set(err, LK_ESPEC,
                          "aggregates[%zu].as: names starting with 'lb_' are "
                          "reserved by the lambda stack (spec '%s')",
                          i, spec->name);
    for (size_t r = 0; reserved[r]; r++)
        if (strcmp(as, reserved[r]) == 0)
            return lk_err_set(err, LK_ESPEC,
                              "aggregates[%zu].as: '%s' is a column of the "
                              "lambda stack's tables (spec '%s')",
                              i, as, spec->name);
    snprintf(hll, sizeof(hll), "%s_hll", as);
    if (spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT && name_taken(spec, hll, i))
        return lk_err_set(err, LK_ESPEC,
                          "aggregates[%zu].as: '%s' needs a sketch column "
                          "'%s', which another name already uses (spec '%s')",
                          i, as, hll, spec->name);
    return 0;
}

int lb_sql_check(const struct lk_spec *spec, struct lk_err *err)
{
    int rc;
    for (size_t g = 0; g < spec->ngroup; g++)
        if (!lk_field_is_string(spec->group[g]))
            return lk_err_set(err, LK_ESPEC, "group_by[%zu]: not a string field (spec '%s')", g,
                              spec->name);
    for (size_t f = 0; f < spec->nfilters; f++)
        if (!lk_field_is_string(spec->filters[f].field))
            return lk_err_set(err, LK_ESPEC, "filter[%zu]: not a string field (spec '%s')", f,
                              spec->name);
    for (size_t i = 0; i < spec->naggs; i++)
        if ((rc = check_agg(spec, i, err)) < 0)
            return rc;
    if (spec->window.kind != LK_WIN_TUMBLING && spec->window.kind != LK_WIN_SLIDING
        && spec->window.kind != LK_WIN_SESSION)
        return lk_err_set(err, LK_ESPEC,
                          "window.kind: not supported by the lambda batch SQL "
                          "generator (spec '%s')",
                          spec->name);
    return 0;
}

/* A whitelisted field name, quoted. */
static const char *field(int f)
{
    static const char *const quoted[] = { "\"event_id\"", "\"tenant\"", "\"key\"", "\"type\"",
                                          "\"value\"" };
    assert(f >= 0 && f <= LK_F_VALUE);
    assert(strncmp(quoted[f] + 1, lk_field_name(f), strlen(lk_field_name(f))) == 0);
    return quoted[f];
}

/* The quoted group fields separated by ", ", the first preceded by lead. */
static void add_groups(struct lk_buf *b, const struct lk_spec *spec, const char *lead)
{
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(b, "%s%s", g ? ", " : lead, field(spec->group[g]));
}

/* "PARTITION BY g1, g2 " or "". */
static void add_partition(struct lk_buf *b, const struct lk_spec *spec)
{
    if (spec->ngroup == 0)
        return;
    lk_buf_addf(b, "PARTITION BY ");
    add_groups(b, spec, "");
    lk_buf_addf(b, " ");
}

/* ", "a1", ..., "d1_hll", ..." : aggregate columns then sketch columns. */
static void add_agg_cols(struct lk_buf *b, const struct lk_spec *spec)
{
    for (size_t i = 0; i < spec->naggs; i++)
        lk_buf_addf(b, ", \"%s\"", spec->aggs[i].as);
    for (size_t i = 0; i < spec->naggs; i++)
        if (spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT)
            lk_buf_addf(b, ", \"%s_hll\"", spec->aggs[i].as);
}

/* ----------------------------------------------------------------- schema ---- */

/*
 * The start of the tumbling window of event_time. The size is a literal, not :size: the
 * master_win index is built on this expression and SQLite uses an index on an expression
 * only for the same expression, constants included. It is an int64 of the checked spec,
 * printed as a number, so no text of the spec or the data reaches the statement.
 */
static void add_tumbling_start(struct lk_buf *b, const struct lk_spec *spec)
{
    long long size = (long long)spec->window.size;
    lk_buf_addf(b, "event_time - (((event_time %% %lld) + %lld) %% %lld)", size, size, size);
}

/*
 * master_win (tumbling windows only): master in the batch job's GROUP BY order (group
 * fields, window start), covering every column the job reads, so the job aggregates as it
 * scans instead of sorting a million rows (docs/lambda.md "Batch job speed").
 */
static void add_window_index(struct lk_buf *b, const struct lk_spec *spec)
{
    int used[LK_F_VALUE + 1] = { 0 };
    if (spec->window.kind != LK_WIN_TUMBLING)
        return;
    for (size_t f = 0; f < spec->nfilters; f++)
        if (spec->filters[f].field >= 0 && spec->filters[f].field <= LK_F_VALUE)
            used[spec->filters[f].field] = 1;
    for (size_t i = 0; i < spec->naggs; i++)
        if (spec->aggs[i].of >= 0 && spec->aggs[i].of <= LK_F_VALUE)
            used[spec->aggs[i].of] = 1;
    for (size_t g = 0; g < spec->ngroup; g++)
        used[spec->group[g]] = 0; /* already the key's first columns */
    lk_buf_addf(b, "CREATE INDEX IF NOT EXISTS master_win ON master(");
    add_groups(b, spec, "");
    lk_buf_addf(b, "%s(", spec->ngroup ? ", " : "");
    add_tumbling_start(b, spec);
    lk_buf_addf(b, ")");
    for (int f = 0; f <= LK_F_VALUE; f++)
        if (used[f])
            lk_buf_addf(b, ", %s", field(f));
    lk_buf_addf(b, ", event_time, arrival_time);\n");
}

static void add_table(struct lk_buf *b, const struct lk_spec *spec, const char *name,
                      const char *lead)
{
    lk_buf_addf(b, "CREATE TABLE IF NOT EXISTS %s(%s", name, lead);
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(b, ", %s TEXT NOT NULL", field(spec->group[g]));
    lk_buf_addf(b, ", window_start INTEGER NOT NULL, window_end INTEGER NOT NULL");
    for (size_t i = 0; i < spec->naggs; i++)
        lk_buf_addf(b, ", \"%s\" INTEGER NOT NULL", spec->aggs[i].as);
    for (size_t i = 0; i < spec->naggs; i++)
        if (spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT)
            lk_buf_addf(b, ", \"%s_hll\" BLOB NOT NULL", spec->aggs[i].as);
    lk_buf_addf(b, ");\n");
}

static char *query_text(const struct lk_spec *spec, enum lb_layers layers, const char *at,
                        const char *neg_inf);

char *lb_sql_schema(const struct lk_spec *spec)
{
    struct lk_buf b = LK_BUF_INIT;
    char *q;
    add_window_index(&b, spec);
    add_table(&b, spec, "batch_rows", "view_id INTEGER NOT NULL");
    lk_buf_addf(&b, "CREATE INDEX IF NOT EXISTS batch_rows_view ON batch_rows(view_id);\n");
    add_table(&b, spec, LK_TABLE_SPEED_DELTA,
              "mb_id INTEGER NOT NULL, bucket_end INTEGER NOT NULL, "
              "visible_at INTEGER NOT NULL");
    lk_buf_addf(&b, "CREATE INDEX IF NOT EXISTS speed_delta_bucket ON speed_delta(bucket_end);\n");
    lk_buf_addf(&b, "CREATE VIEW IF NOT EXISTS batch_current AS SELECT * FROM batch_rows WHERE "
                    "view_id = (SELECT max(view_id) FROM batch_views);\n");
    lk_buf_addf(&b,
                "CREATE VIEW IF NOT EXISTS speed_live AS SELECT * FROM speed_delta WHERE "
                "bucket_end > coalesce((SELECT max(cutoff) FROM batch_views), %s);\n",
                NEG_INF);
    q = query_text(spec, LB_Q_SPEED, AT_END, NEG_INF);
    lk_buf_addf(&b, "CREATE VIEW IF NOT EXISTS realtime AS %s;\n", q);
    free(q);
    q = query_text(spec, LB_Q_SERVING, AT_END, NEG_INF);
    lk_buf_addf(&b, "CREATE VIEW IF NOT EXISTS serving AS %s;\n", q);
    free(q);
    return lk_buf_detach(&b, NULL);
}

/* -------------------------------------------------------------- batch job ---- */

/* "f IN (:f0_0, :f0_1) AND ..." or "1". */
static void add_filter(struct lk_buf *b, const struct lk_spec *spec)
{
    if (spec->nfilters == 0)
        lk_buf_addf(b, "1");
    for (size_t f = 0; f < spec->nfilters; f++) {
        lk_buf_addf(b, "%s%s IN (", f ? " AND " : "", field(spec->filters[f].field));
        for (size_t k = 0; k < spec->filters[f].nvalues; k++)
            lk_buf_addf(b, "%s:f%zu_%zu", k ? ", " : "", f, k);
        lk_buf_addf(b, ")");
    }
}

/*
 * lb_ev: the events a batch job counts. Dedup keeps the first copy by source position
 * (part, line) of each event_id among the copies arrived by the cutoff. It is an anti-join:
 * lb_dup lists the ids with more than one copy arrived, from master_dups (every copy of the
 * ids with several copies in master, lb_db: about 2 % of master), and lb_ev drops every
 * copy of those ids after the first (`seq NOT IN`, which SQLite answers from one small
 * ephemeral index). The events themselves are then read in whatever order the grouping
 * wants (master_win, below). lb_pos is exact while line < 2^32 (lb_master refuses longer
 * partitions).
 */
static void add_events_cte(struct lk_buf *b, const struct lk_spec *spec)
{
    if (spec->dedup) {
        lk_buf_addf(b, "WITH lb_dup AS (SELECT \"event_id\", min(part * 4294967296 + line) AS "
                       "lb_pos FROM master_dups WHERE arrival_time <= :cutoff GROUP BY "
                       "\"event_id\" HAVING count(*) > 1),\n"
                       "lb_ev AS (SELECT * FROM master WHERE arrival_time <= :cutoff AND seq NOT "
                       "IN (SELECT d.seq FROM master_dups d JOIN lb_dup USING (\"event_id\") "
                       "WHERE d.arrival_time <= :cutoff AND d.part * 4294967296 + d.line > "
                       "lb_dup.lb_pos) AND ");
    } else {
        lk_buf_addf(b, "WITH lb_ev AS (SELECT * FROM master WHERE arrival_time <= :cutoff AND ");
    }
    add_filter(b, spec);
    lk_buf_addf(b, "),\n");
}

/* lb_w: lb_ev with its window key (lb_ws for tumbling/sliding, lb_sid for sessions). */
static void add_window_cte(struct lk_buf *b, const struct lk_spec *spec)
{
    switch (spec->window.kind) {
    case LK_WIN_TUMBLING:
        lk_buf_addf(b, "lb_w AS (SELECT lb_ev.*, ");
        add_tumbling_start(b, spec);
        lk_buf_addf(b, " AS lb_ws FROM lb_ev)\n");
        break;
    case LK_WIN_SLIDING:
        lk_buf_addf(b,
                    "lb_n(lb_j) AS (SELECT 0 UNION ALL SELECT lb_j + 1 FROM lb_n WHERE lb_j + 1 "
                    "< :nwin),\nlb_w AS (SELECT lb_ev.*, event_time - (((event_time %% :slide) + "
                    ":slide) %% :slide) - lb_j * :slide AS lb_ws FROM lb_ev, lb_n)\n");
        break;
    case LK_WIN_SESSION:
        /* a session starts where the previous event of the group is > gap earlier (an
           event at exactly prev + gap touches the session and joins it, as in Spark) */
        lk_buf_addf(b, "lb_p AS (SELECT lb_ev.*, max(event_time) OVER (");
        add_partition(b, spec);
        lk_buf_addf(b, "ORDER BY event_time RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "
                       "lb_prev FROM lb_ev),\nlb_w AS (SELECT lb_p.*, sum(lb_prev IS NULL OR "
                       "event_time > lb_prev + :gap) OVER (");
        add_partition(b, spec);
        lk_buf_addf(b, "ORDER BY event_time) AS lb_sid FROM lb_p)\n");
        break;
    }
}

static void add_batch_aggs(struct lk_buf *b, const struct lk_spec *spec)
{
    for (size_t i = 0; i < spec->naggs; i++) {
        const struct lk_agg_spec *a = &spec->aggs[i];
        switch (a->fn) {
        case LK_AGG_COUNT:
            lk_buf_addf(b, ", count(*)");
            break;
        case LK_AGG_SUM:
            lk_buf_addf(b, ", sum(\"value\")");
            break;
        case LK_AGG_MIN:
            lk_buf_addf(b, ", min(\"value\")");
            break;
        case LK_AGG_MAX:
            lk_buf_addf(b, ", max(\"value\")");
            break;
        case LK_AGG_COUNT_DISTINCT:
            lk_buf_addf(b, ", lb_count_distinct(%s)", field(a->of));
            break;
        }
    }
    for (size_t i = 0; i < spec->naggs; i++)
        if (spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT)
            lk_buf_addf(b, ", lb_hll_agg(%s)", field(spec->aggs[i].of));
}

char *lb_sql_batch_job(const struct lk_spec *spec)
{
    struct lk_buf b = LK_BUF_INIT;
    int session = spec->window.kind == LK_WIN_SESSION;
    add_events_cte(&b, spec);
    add_window_cte(&b, spec);
    lk_buf_addf(&b, "INSERT INTO batch_rows(view_id");
    add_groups(&b, spec, ", ");
    lk_buf_addf(&b, ", window_start, window_end");
    add_agg_cols(&b, spec);
    lk_buf_addf(&b, ")\nSELECT :view");
    add_groups(&b, spec, ", ");
    lk_buf_addf(&b,
                session ? ", min(event_time), max(event_time) + :gap" : ", lb_ws, lb_ws + :size");
    add_batch_aggs(&b, spec);
    lk_buf_addf(&b, "\nFROM lb_w%s GROUP BY ",
                spec->window.kind == LK_WIN_SLIDING ? " WHERE lb_ws + :size > event_time" : "");
    add_groups(&b, spec, "");
    lk_buf_addf(&b, "%s%s", spec->ngroup ? ", " : "", session ? "lb_sid" : "lb_ws");
    return lk_buf_detach(&b, NULL);
}

static int bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i == 0)
        return 0; /* not used by this statement */
    return sqlite3_bind_int64(st, i, v) == SQLITE_OK ? 0 : LK_EDB;
}

int lb_sql_bind_filters(sqlite3_stmt *st, const struct lk_spec *spec)
{
    for (size_t f = 0; f < spec->nfilters; f++) {
        for (size_t k = 0; k < spec->filters[f].nvalues; k++) {
            char name[64];
            int i;
            snprintf(name, sizeof(name), ":f%zu_%zu", f, k);
            i = sqlite3_bind_parameter_index(st, name);
            if (i == 0
                || sqlite3_bind_text(st, i, spec->filters[f].values[k], -1, SQLITE_TRANSIENT)
                       != SQLITE_OK)
                return LK_EDB;
        }
    }
    return 0;
}

int lb_sql_bind_batch(sqlite3_stmt *st, const struct lk_spec *spec, int64_t view, int64_t cutoff)
{
    const struct lk_window_spec *w = &spec->window;
    if (bind_int(st, ":view", view) < 0 || bind_int(st, ":cutoff", cutoff) < 0
        || bind_int(st, ":size", w->size) < 0 || bind_int(st, ":slide", w->slide) < 0
        || bind_int(st, ":gap", w->gap) < 0
        || bind_int(st, ":nwin", (int64_t)lk_spec_max_windows(spec)) < 0)
        return LK_EDB;
    return lb_sql_bind_filters(st, spec);
}

char *lb_sql_count_accepted(const struct lk_spec *spec)
{
    struct lk_buf b = LK_BUF_INIT;
    /* the rows that pass, less the extra copies of the ids with several (master_dups) */
    lk_buf_addf(&b, "SELECT (SELECT count(*) FROM master WHERE ");
    add_filter(&b, spec);
    lk_buf_addf(&b, ") - (SELECT count(*) - count(DISTINCT \"event_id\") FROM master WHERE seq IN "
                    "(SELECT seq FROM master_dups) AND ");
    add_filter(&b, spec);
    lk_buf_addf(&b, ")");
    return lk_buf_detach(&b, NULL);
}

/* ------------------------------------------------------------ speed insert ---- */

int lb_sql_speed_ncols(const struct lk_spec *spec)
{
    return 5 + (int)spec->ngroup + (int)spec->naggs + (int)lk_spec_ndistinct(spec);
}

char *lb_sql_speed_insert(const struct lk_spec *spec)
{
    struct lk_buf b = LK_BUF_INIT;
    int n = lb_sql_speed_ncols(spec);
    lk_buf_addf(&b, "INSERT INTO speed_delta(mb_id, bucket_end, visible_at");
    add_groups(&b, spec, ", ");
    lk_buf_addf(&b, ", window_start, window_end");
    add_agg_cols(&b, spec);
    lk_buf_addf(&b, ") VALUES(");
    for (int i = 1; i <= n; i++)
        lk_buf_addf(&b, "%s?%d", i > 1 ? ", " : "", i);
    lk_buf_addf(&b, ")");
    return lk_buf_detach(&b, NULL);
}

/* ---------------------------------------------------------------- queries ---- */

/* One branch of lb_u: a layer's rows with an lb_speed marker column. */
static void add_layer(struct lk_buf *b, const struct lk_spec *spec, int speed, const char *at,
                      const char *neg_inf)
{
    lk_buf_addf(b, "SELECT ");
    add_groups(b, spec, "");
    lk_buf_addf(b, "%swindow_start, window_end", spec->ngroup ? ", " : "");
    add_agg_cols(b, spec);
    if (speed)
        lk_buf_addf(b,
                    ", 1 AS lb_speed FROM speed_delta WHERE visible_at <= %s AND bucket_end > "
                    "coalesce((SELECT cutoff FROM lb_bv), %s)",
                    at, neg_inf);
    else
        lk_buf_addf(b,
                    ", 0 AS lb_speed FROM batch_rows WHERE view_id = (SELECT view_id FROM lb_bv)");
}

/* The merge of one aggregate over the rows of a (group, window). */
static void add_merge(struct lk_buf *b, const struct lk_agg_spec *a, enum lb_layers layers)
{
    switch (a->fn) {
    case LK_AGG_COUNT:
    case LK_AGG_SUM:
        lk_buf_addf(b, ", sum(\"%s\")", a->as);
        break;
    case LK_AGG_MIN:
        lk_buf_addf(b, ", min(\"%s\")", a->as);
        break;
    case LK_AGG_MAX:
        lk_buf_addf(b, ", max(\"%s\")", a->as);
        break;
    case LK_AGG_COUNT_DISTINCT:
        if (layers == LB_Q_BATCH)
            lk_buf_addf(b, ", sum(\"%s\")", a->as); /* one batch row: exact */
        else if (layers == LB_Q_SPEED)
            lk_buf_addf(b, ", lb_hll_count(lb_hll_merge(\"%s_hll\"))", a->as);
        else
            lk_buf_addf(b,
                        ", CASE WHEN max(lb_speed) = 0 THEN sum(\"%s\") ELSE "
                        "lb_hll_count(lb_hll_merge(\"%s_hll\")) END",
                        a->as, a->as);
        break;
    }
}

/* Sessions: rows of a group whose intervals overlap or touch merge into one island. */
static void add_islands(struct lk_buf *b, const struct lk_spec *spec)
{
    lk_buf_addf(b, ",\nlb_m AS (SELECT lb_u.*, max(window_end) OVER (");
    add_partition(b, spec);
    lk_buf_addf(b, "ORDER BY window_start RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "
                   "lb_prev FROM lb_u),\nlb_s AS (SELECT lb_m.*, sum(lb_prev IS NULL OR "
                   "window_start > lb_prev) OVER (");
    add_partition(b, spec);
    lk_buf_addf(b, "ORDER BY window_start) AS lb_island FROM lb_m)");
}

static char *query_text(const struct lk_spec *spec, enum lb_layers layers, const char *at,
                        const char *neg_inf)
{
    struct lk_buf b = LK_BUF_INIT;
    int session = spec->window.kind == LK_WIN_SESSION;
    lk_buf_addf(&b,
                "WITH lb_bv AS (SELECT view_id, cutoff FROM batch_views WHERE visible_at <= %s "
                "ORDER BY view_id DESC LIMIT 1),\nlb_u AS (",
                at);
    if (layers & LB_Q_BATCH)
        add_layer(&b, spec, 0, at, neg_inf);
    if (layers == LB_Q_SERVING)
        lk_buf_addf(&b, "\n  UNION ALL ");
    if (layers & LB_Q_SPEED)
        add_layer(&b, spec, 1, at, neg_inf);
    lk_buf_addf(&b, ")");
    if (session)
        add_islands(&b, spec);
    lk_buf_addf(&b, "\nSELECT ");
    add_groups(&b, spec, "");
    lk_buf_addf(&b, "%smin(window_start), max(window_end)", spec->ngroup ? ", " : "");
    for (size_t i = 0; i < spec->naggs; i++)
        add_merge(&b, &spec->aggs[i], layers);
    lk_buf_addf(&b, " FROM %s GROUP BY ", session ? "lb_s" : "lb_u");
    add_groups(&b, spec, "");
    lk_buf_addf(&b, "%s%s", spec->ngroup ? ", " : "", session ? "lb_island" : "window_start");
    return lk_buf_detach(&b, NULL);
}

char *lb_sql_query(const struct lk_spec *spec, enum lb_layers layers)
{
    return query_text(spec, layers, ":at", ":neg_inf");
}

int lb_sql_bind_at(sqlite3_stmt *st, int64_t at)
{
    if (bind_int(st, ":at", at) < 0 || bind_int(st, ":neg_inf", INT64_MIN) < 0)
        return LK_EDB;
    return 0;
}
