/*
 * lk_catalog - a small table catalog inside a run's serving database (lab 01: table types).
 *
 *   catalog(name TEXT PRIMARY KEY, kind TEXT, location TEXT, sql TEXT, refreshed_at INTEGER)
 *
 * Kinds (what `lklab table create` makes, and what DROP deletes):
 *   managed       CREATE TABLE name AS <sql>: the data lives in the database. DROP deletes
 *                 the data and the catalog row.
 *   external      only a catalog row with a LOCATION (a directory of JSONL files, e.g. a
 *                 Kappa --lake). Reading it loads the files at query time into a TEMP table
 *                 of that name (lk_catalog_load_external). DROP deletes the catalog row only:
 *                 the files survive.
 *   view          CREATE VIEW: a stored query, re-run on every read, always fresh.
 *   materialized  a table filled from <sql> at create and at lk_catalog_refresh, stale in
 *                 between (refreshed_at says as of when).
 *   temporary     CREATE TEMP TABLE: lives in the connection that made it and dies with it
 *                 (so with one `lklab table` command); never in the catalog.
 *
 * refreshed_at is VIRTUAL time, so catalogs stay deterministic: the latest visible_time in
 * the database's `progress` table (the run's "now"), NULL when there is none; views and
 * external tables have none (they are read fresh).
 *
 * Safety: names must be identifiers ([a-z_][a-z0-9_]*, lk_spec_is_identifier), not
 * `catalog`, not `sqlite_*`, not an existing object; they are still written double-quoted
 * into SQL. Locations and every other value are bound parameters. The <sql> of a table is
 * the user's own query on their own database and is used as given.
 *
 * Errors: LK_EUSAGE (bad name or kind), LK_EINPUT (unknown table, SQL the database
 * refuses, missing location), LK_EIO (reading lake files), LK_EDB (the catalog itself).
 */
#ifndef LK_CATALOG_H
#define LK_CATALOG_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_err.h"

enum lk_catalog_kind {
    LK_CAT_MANAGED,
    LK_CAT_EXTERNAL,
    LK_CAT_VIEW,
    LK_CAT_MATERIALIZED,
    LK_CAT_TEMPORARY,
};

/* "managed", "external", "view", "materialized", "temporary". */
const char *lk_catalog_kind_name(enum lk_catalog_kind kind);

/* Open path (create: make the file when missing) and create the catalog table. */
int lk_catalog_open(sqlite3 **db, const char *path, int create, struct lk_err *err);

/*
 * Create table name of kind: sql for managed, view, materialized and temporary; location
 * for external (an existing directory). *rows (optional) = its row count after creation
 * (for external: the rows of its files now).
 */
int lk_catalog_create(sqlite3 *db, const char *name, enum lk_catalog_kind kind, const char *sql,
                      const char *location, int64_t *rows, struct lk_err *err);

/* Drop a catalog table; *kind (optional) says which kind it was. */
int lk_catalog_drop(sqlite3 *db, const char *name, enum lk_catalog_kind *kind, struct lk_err *err);

/* Re-run a materialized view's query into it (one transaction); *rows optional. */
int lk_catalog_refresh(sqlite3 *db, const char *name, int64_t *rows, struct lk_err *err);

/* CSV name,kind,location,rows,refreshed_at (ISO) of every catalog table, by name. */
int lk_catalog_list(sqlite3 *db, FILE *out, struct lk_err *err);

/*
 * Load every external table's files into a TEMP table of its name (columns = the keys of
 * the first JSON object, in order; files in byte order of their path, recursively).
 * After this, queries on this connection can read external tables by name.
 */
int lk_catalog_load_external(sqlite3 *db, struct lk_err *err);

/*
 * Run sql (one or more statements) and write the rows of every statement that returns
 * columns as CSV (a header line when header); NULL is an empty field.
 */
int lk_catalog_query(sqlite3 *db, const char *sql, int header, FILE *out, struct lk_err *err);

#endif
