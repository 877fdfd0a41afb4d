/* kp_reader: the queries readers outside kappa/ run on a Kappa run (kp_reader.h). */
#include "kp_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_buf.h"
#include "lk_event.h"
#include "lk_mem.h"
#include "lk_run.h"
#include "lk_store.h"
#include "banned.h"

/* The published version (current_version, set when a run ends), or for a run still going
 * the latest begun (kp_results.c's rule). */
#define CURRENT_VERSION                                                                                \
    "(SELECT coalesce(max(CASE WHEN key = 'current_version' THEN CAST(value AS INTEGER) END),"         \
    " max(CASE WHEN key LIKE 'spec_v%' THEN CAST(substr(key, 7) AS INTEGER) END)) FROM " LK_TABLE_META \
    ")"

static const char *const sql[] = {
    [KP_READ_SPEC] = "SELECT value FROM " LK_TABLE_META " WHERE key = 'spec_v' || " CURRENT_VERSION,
    [KP_READ_VERSION] = "SELECT value FROM " LK_TABLE_META " WHERE key = 'current_version'",
    [KP_READ_WATERMARK] = "SELECT watermark FROM " LK_TABLE_PROGRESS
                          " WHERE version = ? ORDER BY batch_id DESC LIMIT 1",
    [KP_READ_LATE_COUNT] =
        "SELECT count(*), count(DISTINCT event_id) FROM " LK_TABLE_LATE " WHERE version = ?",
    [KP_READ_LATE_ROWS] = "SELECT event_id, tenant, key, type, value, arrival_time, window_start"
                          " FROM " LK_TABLE_LATE " WHERE version = ?",
    [KP_READ_LATE_COPIES] =
        "SELECT DISTINCT event_id, arrival_time FROM " LK_TABLE_LATE " WHERE version = ?",
    [KP_READ_PROGRESS] =
        "SELECT visible_time, watermark, state_rows, late_events FROM " LK_TABLE_PROGRESS
        " WHERE version = " CURRENT_VERSION " ORDER BY batch_id",
    [KP_READ_LATEST] =
        "SELECT max(visible_time) FROM " LK_TABLE_PROGRESS " WHERE version = " CURRENT_VERSION,
    [KP_READ_FEED] = "SELECT count(*) FROM sqlite_master WHERE name = '" LK_TABLE_CHANGES "'",
};

int kp_reader_prepare(sqlite3 *db, enum kp_read q, sqlite3_stmt **st, struct lk_err *err)
{
    return lk_store_prepare(db, sql[q], st, err);
}

int kp_reader_prepare_copies(sqlite3 *db, const struct lk_spec *spec, sqlite3_stmt **st,
                             struct lk_err *err)
{
    char where[512] = "", cols[1536] = "window_end";
    size_t w = 0, c = strlen(cols);
    char *text = lk_xmalloc(4096);
    int rc;
    for (size_t g = 0; g < spec->ngroup; g++)
        w += (size_t)snprintf(where + w, sizeof(where) - w, "\"%s\" = ?%zu AND ",
                              lk_field_name(spec->group[g]), g + 1);
    snprintf(where + w, sizeof(where) - w, "window_start = ?%zu", spec->ngroup + 1);
    for (size_t i = 0; i < spec->naggs; i++)
        c += (size_t)snprintf(cols + c, sizeof(cols) - c, ", \"%s\"", spec->aggs[i].as);
    snprintf(text, 4096,
             "SELECT count(*), count(DISTINCT batch_id), (SELECT count(*) FROM"
             " (SELECT DISTINCT %s FROM " LK_TABLE_OUTPUT " WHERE %s)) FROM " LK_TABLE_OUTPUT
             " WHERE %s",
             cols, where, where);
    rc = lk_store_prepare(db, text, st, err);
    free(text);
    return rc;
}

int kp_reader_prepare_group_rows(sqlite3 *db, const struct lk_spec *spec, int feed,
                                 sqlite3_stmt **st, struct lk_err *err)
{
    struct lk_buf q = LK_BUF_INIT;
    long long version = 0;
    int rc = lk_store_query_int(db, "SELECT coalesce(" CURRENT_VERSION ", 0)", &version, err);
    if (rc < 0)
        return rc;
    lk_buf_adds(&q, "SELECT window_start, window_end");
    for (size_t i = 0; i < spec->naggs; i++)
        lk_buf_addf(&q, ", \"%s\"", spec->aggs[i].as);
    /* the version's own table: the output view appears only when a run ends */
    if (feed)
        lk_buf_addf(&q, ", visible_time, op FROM " LK_TABLE_CHANGES " WHERE version = %lld AND ",
                    version);
    else
        lk_buf_addf(&q, ", visible_time, 'upsert' FROM \"" LK_TABLE_OUTPUT_V "%lld\" WHERE ",
                    version);
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(&q, "\"%s\" = ?%zu AND ", lk_field_name(spec->group[g]), g + 1);
    lk_buf_addf(&q, "visible_time <= ?%zu ORDER BY %s", spec->ngroup + 1,
                feed ? "rowid" : "window_start");
    rc = lk_store_prepare(db, q.s, st, err);
    lk_buf_release(&q);
    return rc;
}
