#include "lb_results.h"

#include <stdlib.h>
#include <string.h>

#include "lb_db.h"
#include "lb_rundir.h"
#include "lb_serving.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "banned.h"

/* Side tables exported as plain CSV with a header (no --at). */
static const char *side_table_sql(const char *table)
{
    if (strcmp(table, "quarantine") == 0)
        return "SELECT source, line, reason, detail, raw FROM quarantine ORDER BY source, line";
    if (strcmp(table, "progress") == 0)
        return "SELECT layer, job, trigger_time, visible_time, input_rows, rows_written, "
               "duration_ms, modelled_ms, discrepancy_rows, discrepancy_abs_events "
               "FROM progress ORDER BY rowid";
    return NULL;
}

static int parse_table(const char *table, enum lb_layers *layers, struct lk_err *err)
{
    if (strcmp(table, "serving") == 0)
        *layers = LB_Q_SERVING;
    else if (strcmp(table, "batch") == 0)
        *layers = LB_Q_BATCH;
    else if (strcmp(table, "speed") == 0)
        *layers = LB_Q_SPEED;
    else
        return lk_err_set(err, LK_EUSAGE,
                          "unknown table '%s' (serving, batch, speed, "
                          "quarantine or progress)",
                          table);
    return 0;
}

/* count(*) of sql, or -1 when the database cannot answer it (a table is missing). */
static int64_t count_or_none(sqlite3 *db, const char *sql)
{
    int64_t n;
    return lb_db_int(db, sql, 0, &n, NULL) == 0 ? n : -1;
}

/*
 * A finished run's database must be the one its run.json describes: as many batch jobs
 * and speed micro-batches as run.json counts. A serving.db truncated, emptied or replaced
 * by an older copy after the run is refused (LK_EINPUT), as Kappa's results do; a run
 * without run.json (read with --partial) passes.
 */
static int check_runjson(sqlite3 *db, const char *run, struct lk_err *err)
{
    char *path = lb_rundir_path(run, "run.json");
    cJSON *root = NULL;
    const cJSON *totals;
    int64_t jobs, mbs, want_jobs, want_mbs;
    int rc = lk_is_file(path) ? lk_json_read_file(path, &root, err) : 0;
    free(path);
    if (rc < 0 || !root)
        return rc;
    totals = cJSON_GetObjectItemCaseSensitive(root, "totals");
    want_jobs = lk_json_int(totals, "batch_jobs", -1);
    want_mbs = lk_json_int(totals, "micro_batches", -1);
    cJSON_Delete(root);
    jobs = count_or_none(db, "SELECT count(*) FROM batch_views");
    mbs = count_or_none(db, "SELECT count(*) FROM progress WHERE layer = 'speed'");
    if (jobs < 0 || mbs < 0)
        return lk_err_set(err, LK_EINPUT,
                          "run '%s' is inconsistent: run.json describes a "
                          "finished run but serving.db holds no Lambda tables (the database "
                          "was emptied or replaced after the run)",
                          run);
    if (jobs != want_jobs || mbs != want_mbs)
        return lk_err_set(err, LK_EINPUT,
                          "run '%s' is inconsistent: run.json counts %lld batch "
                          "jobs and %lld micro-batches but serving.db holds %lld and %lld (the "
                          "database was replaced after the run)",
                          run, (long long)want_jobs, (long long)want_mbs, (long long)jobs,
                          (long long)mbs);
    return 0;
}

int lb_results_export(const char *run, const char *table, int64_t at, FILE *out, struct lk_err *err)
{
    size_t n = strlen(run) + 16;
    char *path = lk_xmalloc(n);
    sqlite3 *db = NULL;
    struct lk_spec spec;
    struct lb_query q = { 0 };
    struct lb_rows rows = { 0 };
    enum lb_layers layers = LB_Q_SERVING;
    int rc;
    snprintf(path, n, "%s/serving.db", run);
    if (!side_table_sql(table) && (rc = parse_table(table, &layers, err)) < 0)
        goto out;
    if ((rc = lb_db_open(&db, path, 0, err)) < 0 || (rc = check_runjson(db, run, err)) < 0)
        goto out;
    if (side_table_sql(table)) {
        rc = lk_store_export_csv(db, side_table_sql(table), out, err);
        goto out;
    }
    if ((rc = lb_db_load_spec(db, run, &spec, err)) < 0
        || (rc = lb_query_open(&q, db, &spec, layers, err)) < 0
        || (rc = lb_query_run(&q, at, &rows, err)) < 0)
        goto out;
    if ((rc = lb_rows_write_csv(&rows, out)) < 0) {
        char what[96];
        snprintf(what, sizeof(what), "the %s table", table);
        rc = lk_file_write_failed(out, what, err);
    }
out:
    lb_rows_release(&rows);
    lb_query_close(&q);
    lk_store_close(db);
    free(path);
    return rc;
}
