/* lb_reader: the queries readers outside lambda/ run on a Lambda run (lb_reader.h). */
#include "lb_reader.h"

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
};

int lb_reader_prepare(sqlite3 *db, enum lb_read q, sqlite3_stmt **st, struct lk_err *err)
{
    return lk_store_prepare(db, sql[q], st, err);
}
