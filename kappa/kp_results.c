#include "kp_results.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "lk_csv.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_spec.h"
#include "lk_store.h"
#include "banned.h"

/*
 * The version a reader sees: the published one (current_version, set when a run ends), or
 * for a run that never finished (`lklab results --partial`) the latest begun.
 */
#define VERSION_SQL                                                                                \
    "(SELECT coalesce(max(CASE WHEN key = 'current_version' THEN CAST(value AS INTEGER) END),"     \
    " max(CASE WHEN key LIKE 'spec_v%' THEN CAST(substr(key, 7) AS INTEGER) END)) FROM meta)"

static int current_spec(sqlite3 *db, struct lk_spec *spec, long long *version, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_query_int(db, "SELECT coalesce(" VERSION_SQL ", 0)", version, err);
    if (rc < 0)
        return rc;
    if (*version == 0)
        return lk_err_set(err, LK_EINPUT, "run has no query yet (no batch ran)");
    if ((rc = lk_store_prepare(db, "SELECT value FROM meta WHERE key='spec_v' || ?", &st, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, *version);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = lk_spec_parse(spec, (const char *)sqlite3_column_text(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0), "run database", err);
    else
        rc = lk_err_set(err, LK_EINPUT, "run database has no spec for version %lld", *version);
    sqlite3_finalize(st);
    return rc;
}

/* Copy the current row's text columns into heap strings for a csv row (freed by caller). */
static void load_row(sqlite3_stmt *st, const struct lk_spec *spec, struct lk_csv_row *row)
{
    int col = 0;
    memset(row, 0, sizeof(*row));
    for (size_t g = 0; g < spec->ngroup; g++, col++) {
        row->group[g].len = (size_t)sqlite3_column_bytes(st, col);
        row->group[g].ptr =
            lk_xstrndup((const char *)sqlite3_column_text(st, col), row->group[g].len);
    }
    row->window_start = sqlite3_column_int64(st, col++);
    row->window_end = sqlite3_column_int64(st, col++);
    for (size_t i = 0; i < spec->naggs; i++)
        row->values[i] = sqlite3_column_int64(st, col++);
}

static int export_output(sqlite3 *db, FILE *out, struct lk_err *err)
{
    struct lk_spec spec;
    struct lk_csv_row *rows = NULL;
    const struct lk_csv_row **order;
    size_t n = 0, cap = 0;
    long long version;
    sqlite3_stmt *st;
    char sql[64];
    int rc = current_spec(db, &spec, &version, err);
    snprintf(sql, sizeof(sql), "SELECT * FROM output_v%lld", version);
    if (rc < 0 || (rc = lk_store_prepare(db, sql, &st, err)) < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        LK_GROW(rows, cap, n + 1);
        load_row(st, &spec, &rows[n++]);
    }
    rc = rc == SQLITE_DONE ? 0
                           : lk_err_set(err, LK_EDB, "cannot read output: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    order = lk_xreallocarray(NULL, n + 1, sizeof(*order));
    for (size_t i = 0; i < n; i++)
        order[i] = &rows[i];
    lk_csv_sort(order, n, spec.ngroup);
    if (rc == 0)
        rc = lk_csv_write_header(out, &spec);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = lk_csv_write_row(out, &spec, order[i]);
    if (rc == LK_ERANGE) /* lk_csv reports only a code: name what failed */
        lk_err_set(err, rc,
                   "cannot write the output table (a window outside the years "
                   "0000-9999)");
    else if (rc < 0)
        lk_file_write_failed(out, "the output table", err);
    for (size_t i = 0; i < n; i++)
        for (size_t g = 0; g < spec.ngroup; g++)
            free((char *)(uintptr_t)rows[i].group[g].ptr);
    free(order);
    free(rows);
    return rc;
}

/*
 * A finished run's database must be the one its run.json describes: as many batches in
 * the version read as run.json counts (a serving.db replaced by an older copy after the
 * run ended is refused, LK_EINPUT). A run without run.json (read with --partial) passes.
 */
static int check_runjson(sqlite3 *db, const char *run, struct lk_err *err)
{
    size_t len = strlen(run) + 16;
    char *path = lk_xmalloc(len);
    cJSON *root = NULL;
    const cJSON *n;
    long long have;
    int rc;
    snprintf(path, len, "%s/run.json", run);
    rc = lk_is_file(path) ? lk_json_read_file(path, &root, err) : 0;
    n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "totals"),
                                         "batches");
    if (rc == 0 && cJSON_IsNumber(n)
        && (rc = lk_store_query_int(
                db, "SELECT count(*) FROM progress WHERE version = " VERSION_SQL, &have, err))
               == 0
        && have != (long long)n->valuedouble)
        rc = lk_err_set(err, LK_EINPUT,
                        "run '%s' is inconsistent: run.json counts %lld batches "
                        "but serving.db holds %lld (the database was replaced after the run)",
                        run, (long long)n->valuedouble, have);
    cJSON_Delete(root);
    free(path);
    return rc;
}

int kp_results_export(const char *run, const char *table, FILE *out, struct lk_err *err)
{
    static const struct {
        const char *name, *sql;
    } tables[] = {
        { "late", "SELECT batch_id, event_id, tenant, key, type, money(value) AS value,"
                  " iso(event_time) AS event_time, iso(arrival_time) AS arrival_time,"
                  " iso(window_start) AS window_start, iso(window_end) AS window_end,"
                  " iso(watermark) AS watermark FROM late WHERE version = " VERSION_SQL
                  " ORDER BY batch_id, rowid" },
        { "quarantine", "SELECT source, line, reason, detail, CAST(raw AS TEXT) AS raw"
                        " FROM quarantine ORDER BY source, line" },
        { "progress", "SELECT batch_id, iso(trigger_time) AS trigger_time,"
                      " iso(visible_time) AS visible_time, input_rows, processed, filtered,"
                      " late_events, late_rows, duplicates_dropped, quarantined, state_rows,"
                      " iso(watermark) AS watermark, output_rows, files_written, bytes_written,"
                      " duration_ms, modelled_ms, state_rows_end, state_rows_updated,"
                      " iso(event_time_min) AS event_time_min,"
                      " iso(event_time_max) AS event_time_max,"
                      " iso(event_time_avg) AS event_time_avg, sink_writes"
                      " FROM progress WHERE version = " VERSION_SQL " ORDER BY batch_id, rowid" },
    };
    size_t len = strlen(run) + 16;
    char *path = lk_xmalloc(len);
    sqlite3 *db = NULL;
    int rc;
    snprintf(path, len, "%s/serving.db", run);
    if (!lk_is_file(path)) {
        rc = lk_err_set(err, LK_ENOENT, "cannot open run '%s' (no serving.db)", run);
        free(path);
        return rc;
    }
    rc = lk_store_open(&db, path, err);
    free(path);
    if (rc < 0)
        return rc;
    if ((rc = check_runjson(db, run, err)) < 0) {
        lk_store_close(db);
        return rc;
    }
    if (strcmp(table, "output") == 0) {
        rc = export_output(db, out, err);
    } else {
        rc = lk_err_set(err, LK_EUSAGE, "unknown table '%s' (output, late, quarantine, progress)",
                        table);
        for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
            if (strcmp(table, tables[i].name) == 0)
                rc = lk_store_export_csv(db, tables[i].sql, out, err);
    }
    lk_store_close(db);
    return rc;
}
