/* lb_reader: the queries readers outside lambda/ run on a Lambda run (lb_reader.h). */
#include "lb_reader.h"

#include "lk_buf.h"
#include "lk_run.h"
#include "lk_store.h"
#include "banned.h"

static const char *const sql[] = {
    [LB_READ_SPEC] = "SELECT value FROM " LK_TABLE_LB_META " WHERE name = 'spec_json'",
    [LB_READ_CUTOFF] = "SELECT cutoff FROM " LK_TABLE_BATCH_VIEWS " WHERE visible_at <= ?"
                       " ORDER BY view_id DESC LIMIT 1",
    [LB_READ_HORIZON] =
        "SELECT max(bucket_end) FROM " LK_TABLE_SPEED_DELTA " WHERE visible_at <= ?",
    [LB_READ_LATE] = "SELECT count(*) FROM " LK_TABLE_MASTER " WHERE arrival_time >="
                     " event_time - ((event_time % ?1) + ?1) % ?1 + ?2",
    [LB_READ_MASTER] = "SELECT event_id, tenant, key, type, value, event_time,"
                       " arrival_time FROM " LK_TABLE_MASTER " ORDER BY arrival_time, seq",
    [LB_READ_JOBS] = "SELECT layer, visible_time, discrepancy_abs_events FROM " LK_TABLE_PROGRESS
                     " ORDER BY visible_time, layer",
    [LB_READ_VIEWS] = "SELECT visible_at, cutoff FROM " LK_TABLE_BATCH_VIEWS " ORDER BY view_id",
    [LB_READ_LATEST] = "SELECT max(visible_time) FROM " LK_TABLE_PROGRESS " WHERE 1",
    [LB_READ_DATA] = "SELECT value FROM " LK_TABLE_LB_META " WHERE name = 'data'",
};

int lb_reader_prepare(sqlite3 *db, enum lb_read q, sqlite3_stmt **st, struct lk_err *err)
{
    return lk_store_prepare(db, sql[q], st, err);
}

int lb_reader_prepare_first_visible(sqlite3 *db, const struct lk_spec *spec, sqlite3_stmt **st,
                                    struct lk_err *err)
{
    struct lk_buf q = LK_BUF_INIT, where = LK_BUF_INIT;
    int rc;
    lk_buf_adds(&where, "1");
    for (size_t g = 0; g < spec->ngroup; g++)
        lk_buf_addf(&where, " AND \"%s\" = ?%zu", lk_field_name(spec->group[g]), g + 1);
    lk_buf_addf(
        &q,
        "SELECT window_start, min(v) FROM (SELECT window_start, visible_at AS v FROM " LK_TABLE_SPEED_DELTA
        " WHERE %s UNION ALL SELECT window_start, b.visible_at FROM " LK_TABLE_BATCH_ROWS
        " JOIN " LK_TABLE_BATCH_VIEWS " b USING (view_id) WHERE %s)"
        " GROUP BY window_start ORDER BY window_start",
        where.s, where.s);
    rc = lk_store_prepare(db, q.s, st, err);
    lk_buf_release(&where);
    lk_buf_release(&q);
    return rc;
}
