#include "lk_catalog.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lk_csv.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_spec.h"
#include "lk_store.h"
#include "lk_time.h"
#include "banned.h"

static const char *const kind_names[] = { "managed", "external", "view", "materialized",
                                          "temporary" };

const char *lk_catalog_kind_name(enum lk_catalog_kind kind)
{
    return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

static int kind_from_name(const char *s, enum lk_catalog_kind *kind)
{
    for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *kind = (enum lk_catalog_kind)i;
            return 0;
        }
    return -1;
}

/* The database refused the user's SQL (or a name): bad input, with SQLite's words. */
static int sql_err(sqlite3 *db, const char *what, const char *name, struct lk_err *err)
{
    return lk_err_set(err, LK_EINPUT, "%s '%s': %s", what, name, sqlite3_errmsg(db));
}

/* "name" with inner quotes doubled: a JSON key used as a column name */
static void add_quoted(char **buf, size_t *len, size_t *cap, const char *s)
{
    lk_grow((void **)buf, cap, *len + 2 * strlen(s) + 8, 1);
    (*buf)[(*len)++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            (*buf)[(*len)++] = '"';
        (*buf)[(*len)++] = *s;
    }
    (*buf)[(*len)++] = '"';
    (*buf)[*len] = 0;
}

static void add_text(char **buf, size_t *len, size_t *cap, const char *s)
{
    lk_grow((void **)buf, cap, *len + strlen(s) + 1, 1);
    memcpy(*buf + *len, s, strlen(s) + 1);
    *len += strlen(s);
}

/* Run before + "name" + after + tail (tail: the user's SQL, or NULL). */
static int exec_named(sqlite3 *db, const char *before, const char *name, const char *after,
                      const char *tail, struct lk_err *err)
{
    char *sql = NULL;
    size_t len = 0, cap = 0;
    int rc;
    add_text(&sql, &len, &cap, before);
    add_quoted(&sql, &len, &cap, name);
    add_text(&sql, &len, &cap, after);
    add_text(&sql, &len, &cap, tail ? tail : "");
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
             ? 0
             : sql_err(db, tail ? "cannot create table" : "cannot change table", name, err);
    free(sql);
    return rc;
}

/* count of rows of a query with one text parameter ?1 */
static int count_text(sqlite3 *db, const char *sql, const char *param, int64_t *out,
                      struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, sql, &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? 0
             : lk_err_set(err, LK_EDB, "catalog query failed: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int lk_catalog_open(sqlite3 **db, const char *path, int create, struct lk_err *err)
{
    int rc;
    *db = NULL;
    if (!create && !lk_is_file(path))
        return lk_err_set(err, LK_ENOENT, "cannot open database '%s' (no such file)", path);
    if ((rc = lk_store_open(db, path, err)) < 0)
        return rc;
    rc = lk_store_exec(*db,
                       "CREATE TABLE IF NOT EXISTS catalog(name TEXT PRIMARY KEY, "
                       "kind TEXT NOT NULL, location TEXT, sql TEXT, refreshed_at INTEGER)",
                       err);
    if (rc < 0) {
        lk_store_close(*db);
        *db = NULL;
    }
    return rc;
}

static int check_new_name(sqlite3 *db, const char *name, struct lk_err *err)
{
    int64_t n = 0;
    int rc;
    if (!lk_spec_is_identifier(name) || strcmp(name, "catalog") == 0
        || strncmp(name, "sqlite_", 7) == 0)
        return lk_err_set(err, LK_EUSAGE,
                          "bad table name '%s' (want [a-z_][a-z0-9_]*, not "
                          "'catalog' or 'sqlite_*')",
                          name);
    rc = count_text(db,
                    "SELECT (SELECT count(*) FROM sqlite_master WHERE name = ?1)"
                    " + (SELECT count(*) FROM sqlite_temp_master WHERE name = ?1)"
                    " + (SELECT count(*) FROM catalog WHERE name = ?1)",
                    name, &n, err);
    if (rc == 0 && n > 0)
        rc = lk_err_set(err, LK_EINPUT,
                        "table '%s' exists already (lklab table drop it "
                        "first)",
                        name);
    return rc;
}

/* The run's virtual "now": max(progress.visible_time); *has = 0 when there is none. */
static int virtual_now(sqlite3 *db, int64_t *now, int *has)
{
    sqlite3_stmt *st = NULL;
    *has = 0;
    if (sqlite3_prepare_v2(db, "SELECT max(visible_time) FROM progress", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
        *now = sqlite3_column_int64(st, 0);
        *has = 1;
    }
    sqlite3_finalize(st);
    return 0;
}

static int catalog_insert(sqlite3 *db, const char *name, enum lk_catalog_kind kind, const char *sql,
                          const char *location, int stamped, struct lk_err *err)
{
    sqlite3_stmt *st;
    int64_t now = 0;
    int has = 0, rc;
    if ((rc = lk_store_prepare(db,
                               "INSERT INTO catalog(name, kind, location, sql, refreshed_at)"
                               " VALUES(?1, ?2, ?3, ?4, ?5)",
                               &st, err))
        < 0)
        return rc;
    if (stamped)
        virtual_now(db, &now, &has);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lk_catalog_kind_name(kind), -1, SQLITE_STATIC);
    if (location)
        sqlite3_bind_text(st, 3, location, -1, SQLITE_STATIC);
    if (sql)
        sqlite3_bind_text(st, 4, sql, -1, SQLITE_STATIC);
    if (has)
        sqlite3_bind_int64(st, 5, now);
    rc = lk_store_step_done(db, st, err);
    sqlite3_finalize(st);
    return rc;
}

static int begin(sqlite3 *db, struct lk_err *err)
{
    return lk_store_exec(db, "SAVEPOINT lk_catalog", err);
}

/* Commit when rc == 0, else roll back (keeping rc and its message). */
static int finish(sqlite3 *db, int rc, struct lk_err *err)
{
    if (rc == 0)
        return lk_store_exec(db, "RELEASE lk_catalog", err);
    sqlite3_exec(db, "ROLLBACK TO lk_catalog; RELEASE lk_catalog", NULL, NULL, NULL);
    return rc;
}

static int count_rows(sqlite3 *db, const char *name, int64_t *rows, struct lk_err *err)
{
    char *sql = NULL;
    size_t len = 0, cap = 0;
    long long n = 0;
    int rc;
    add_text(&sql, &len, &cap, "SELECT count(*) FROM ");
    add_quoted(&sql, &len, &cap, name);
    rc = lk_store_query_int(db, sql, &n, err);
    free(sql);
    if (rc < 0)
        return lk_err_set(err, LK_EINPUT, "cannot read table '%s': %s", name, sqlite3_errmsg(db));
    *rows = n;
    return 0;
}

static int load_one_external(sqlite3 *db, const char *name, const char *location,
                             struct lk_err *err);

/* location made absolute (the catalog must not depend on the reader's directory). */
static char *absolute(const char *location, struct lk_err *err)
{
    char cwd[4096];
    char *abs = NULL;
    size_t len = 0, cap = 0;
    if (location[0] == '/')
        return lk_xstrdup(location);
    if (!getcwd(cwd, sizeof(cwd))) {
        lk_err_sys(err, LK_EIO, errno, "cannot resolve location '%s'", location);
        return NULL;
    }
    add_text(&abs, &len, &cap, cwd);
    add_text(&abs, &len, &cap, "/");
    add_text(&abs, &len, &cap, strncmp(location, "./", 2) == 0 ? location + 2 : location);
    return abs;
}

static int create_external(sqlite3 *db, const char *name, const char *location, struct lk_err *err)
{
    char *abs;
    int rc;
    if (!location || !lk_is_dir(location))
        return lk_err_set(err, LK_EINPUT,
                          "external table '%s': location '%s' is not a "
                          "directory",
                          name, location ? location : "");
    abs = absolute(location, err);
    if (!abs)
        return LK_EIO;
    rc = catalog_insert(db, name, LK_CAT_EXTERNAL, NULL, abs, 0, err);
    if (rc == 0)
        rc = load_one_external(db, name, abs, err);
    free(abs);
    return rc;
}

int lk_catalog_create(sqlite3 *db, const char *name, enum lk_catalog_kind kind, const char *sql,
                      const char *location, int64_t *rows, struct lk_err *err)
{
    int64_t n = 0;
    int rc = check_new_name(db, name, err);
    if (rc < 0)
        return rc;
    if (kind != LK_CAT_EXTERNAL && (!sql || !*sql))
        return lk_err_set(err, LK_EUSAGE, "a %s table needs a query (--as SQL)",
                          lk_catalog_kind_name(kind));
    if ((rc = begin(db, err)) < 0)
        return rc;
    switch (kind) {
    case LK_CAT_MANAGED:
    case LK_CAT_MATERIALIZED:
        rc = exec_named(db, "CREATE TABLE ", name, " AS ", sql, err);
        if (rc == 0)
            rc = catalog_insert(db, name, kind, sql, NULL, 1, err);
        break;
    case LK_CAT_VIEW:
        rc = exec_named(db, "CREATE VIEW ", name, " AS ", sql, err);
        if (rc == 0)
            rc = catalog_insert(db, name, kind, sql, NULL, 0, err);
        break;
    case LK_CAT_TEMPORARY:
        rc = exec_named(db, "CREATE TEMP TABLE ", name, " AS ", sql, err);
        break;
    case LK_CAT_EXTERNAL:
        rc = create_external(db, name, location, err);
        break;
    }
    if (rc == 0)
        rc = count_rows(db, name, &n, err);
    rc = finish(db, rc, err);
    if (rc == 0 && rows)
        *rows = n;
    return rc;
}

/* kind, sql and location of a catalog row; LK_EINPUT when name is not in the catalog. */
static int lookup(sqlite3 *db, const char *name, enum lk_catalog_kind *kind, char **sql,
                  char **location, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc =
        lk_store_prepare(db, "SELECT kind, sql, location FROM catalog WHERE name = ?1", &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW
        || kind_from_name((const char *)sqlite3_column_text(st, 0), kind) < 0) {
        sqlite3_finalize(st);
        return lk_err_set(err, LK_EINPUT, "no table '%s' in the catalog (lklab table list)", name);
    }
    if (sql)
        *sql = sqlite3_column_type(st, 1) == SQLITE_NULL
                   ? NULL
                   : lk_xstrdup((const char *)sqlite3_column_text(st, 1));
    if (location)
        *location = sqlite3_column_type(st, 2) == SQLITE_NULL
                        ? NULL
                        : lk_xstrdup((const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    return 0;
}

static int catalog_delete(sqlite3 *db, const char *name, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db, "DELETE FROM catalog WHERE name = ?1", &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = lk_store_step_done(db, st, err);
    sqlite3_finalize(st);
    return rc;
}

int lk_catalog_drop(sqlite3 *db, const char *name, enum lk_catalog_kind *kind, struct lk_err *err)
{
    enum lk_catalog_kind k;
    int rc = lookup(db, name, &k, NULL, NULL, err);
    if (rc < 0 || (rc = begin(db, err)) < 0)
        return rc;
    if (k == LK_CAT_VIEW)
        rc = exec_named(db, "DROP VIEW ", name, "", NULL, err);
    else if (k == LK_CAT_EXTERNAL) /* metadata only: the files stay where they are */
        rc = exec_named(db, "DROP TABLE IF EXISTS temp.", name, "", NULL, err);
    else
        rc = exec_named(db, "DROP TABLE ", name, "", NULL, err);
    if (rc == 0)
        rc = catalog_delete(db, name, err);
    rc = finish(db, rc, err);
    if (rc == 0 && kind)
        *kind = k;
    return rc;
}

static int stamp(sqlite3 *db, const char *name, struct lk_err *err)
{
    sqlite3_stmt *st;
    int64_t now = 0;
    int has = 0,
        rc = lk_store_prepare(db, "UPDATE catalog SET refreshed_at = ?2 WHERE name = ?1", &st, err);
    if (rc < 0)
        return rc;
    virtual_now(db, &now, &has);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (has)
        sqlite3_bind_int64(st, 2, now);
    rc = lk_store_step_done(db, st, err);
    sqlite3_finalize(st);
    return rc;
}

int lk_catalog_refresh(sqlite3 *db, const char *name, int64_t *rows, struct lk_err *err)
{
    enum lk_catalog_kind k;
    char *sql = NULL;
    int64_t n = 0;
    int rc = lookup(db, name, &k, &sql, NULL, err);
    if (rc == 0 && k != LK_CAT_MATERIALIZED)
        rc = lk_err_set(err, LK_EINPUT,
                        "'%s' is a %s table: only materialized views are "
                        "refreshed (a view is always fresh)",
                        name, lk_catalog_kind_name(k));
    if (rc == 0 && (rc = begin(db, err)) == 0) {
        /* drop and re-create: the query may now give other columns */
        rc = exec_named(db, "DROP TABLE ", name, "", NULL, err);
        if (rc == 0)
            rc = exec_named(db, "CREATE TABLE ", name, " AS ", sql, err);
        if (rc == 0)
            rc = stamp(db, name, err);
        if (rc == 0)
            rc = count_rows(db, name, &n, err);
        rc = finish(db, rc, err);
    }
    free(sql);
    if (rc == 0 && rows)
        *rows = n;
    return rc;
}

/* ------------------------------------------------------------ external tables ---- */

struct paths {
    char **p;
    size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.jsonl under dir (names starting with '.' or '_' skipped, as Spark does). */
/* Append s (owned by ps from now on). */
static void paths_add(struct paths *ps, char *s)
{
    lk_grow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof(*ps->p));
    ps->p[ps->n++] = s;
}

static int walk(const char *dir, struct paths *out, int depth, struct lk_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;
    if (!d)
        return lk_err_sys(err, LK_EIO, errno, "cannot read directory '%s'", dir);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char *path;
        if (e->d_name[0] == '.' || e->d_name[0] == '_')
            continue;
        path = lk_xmalloc(strlen(dir) + len + 2);
        memcpy(path, dir, strlen(dir));
        path[strlen(dir)] = '/';
        memcpy(path + strlen(dir) + 1, e->d_name, len + 1);
        if (lk_is_dir(path) && depth < 16) {
            rc = walk(path, out, depth + 1, err);
        } else if (len > 6 && strcmp(e->d_name + len - 6, ".jsonl") == 0 && lk_is_file(path)) {
            paths_add(out, path);
            continue;
        }
        free(path);
    }
    closedir(d);
    return rc;
}

static void paths_release(struct paths *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->p[i]);
    free(ps->p);
}

/* CREATE TEMP TABLE "name"(keys of first...) and its INSERT statement. */
static int make_table(sqlite3 *db, const char *name, const cJSON *first, sqlite3_stmt **ins,
                      struct lk_err *err)
{
    char *c = NULL, *i = NULL;
    size_t cl = 0, cc = 0, il = 0, ic = 0, n = 0;
    const cJSON *k;
    int rc;
    add_text(&c, &cl, &cc, "CREATE TEMP TABLE ");
    add_quoted(&c, &cl, &cc, name);
    add_text(&i, &il, &ic, "INSERT INTO temp.");
    add_quoted(&i, &il, &ic, name);
    add_text(&i, &il, &ic, " VALUES(");
    add_text(&c, &cl, &cc, "(");
    for (k = first ? first->child : NULL; k; k = k->next, n++) {
        add_text(&c, &cl, &cc, n ? ", " : "");
        add_quoted(&c, &cl, &cc, k->string);
        add_text(&i, &il, &ic, n ? ", ?" : "?");
    }
    add_text(&c, &cl, &cc, n ? ")" : "_no_files)");
    add_text(&i, &il, &ic, n ? ")" : "NULL)");
    rc = sqlite3_exec(db, c, NULL, NULL, NULL) == SQLITE_OK
             ? lk_store_prepare(db, i, ins, err)
             : sql_err(db, "cannot load external table", name, err);
    free(c);
    free(i);
    return rc;
}

static void bind_json(sqlite3_stmt *st, int col, const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) {
        sqlite3_bind_null(st, col);
    } else if (cJSON_IsString(v)) {
        sqlite3_bind_text(st, col, v->valuestring, -1, SQLITE_TRANSIENT);
    } else if (cJSON_IsBool(v)) {
        sqlite3_bind_int(st, col, cJSON_IsTrue(v));
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9e15)
            sqlite3_bind_int64(st, col, (int64_t)d);
        else
            sqlite3_bind_double(st, col, d);
    } else {
        char *text = cJSON_PrintUnformatted(v);
        sqlite3_bind_text(st, col, text ? text : "", -1, SQLITE_TRANSIENT);
        cJSON_free(text);
    }
}

/* Insert one parsed row: values of the columns of first, by key. */
static int insert_row(sqlite3 *db, sqlite3_stmt *ins, const cJSON *first, const cJSON *row,
                      struct lk_err *err)
{
    int col = 1;
    for (const cJSON *k = first->child; k; k = k->next)
        bind_json(ins, col++, cJSON_GetObjectItemCaseSensitive(row, k->string));
    return lk_store_step_done(db, ins, err);
}

static int load_file(sqlite3 *db, const char *name, const char *path, cJSON **first,
                     sqlite3_stmt **ins, struct lk_err *err)
{
    struct lk_lines *r;
    const char *line;
    size_t len;
    int rc = lk_lines_open(&r, path, err);
    if (rc < 0)
        return rc;
    while ((rc = lk_lines_next(r, &line, &len, err)) > 0) {
        cJSON *row;
        if (!len)
            continue;
        row = cJSON_ParseWithLength(line, len);
        if (!cJSON_IsObject(row)) {
            rc = lk_err_set(err, LK_EINPUT,
                            "external table '%s': line %zu of '%s' is not a "
                            "JSON object",
                            name, lk_lines_lineno(r), path);
            cJSON_Delete(row);
            break;
        }
        rc = 0;
        if (!*first) {
            *first = row;
            rc = make_table(db, name, row, ins, err);
        }
        if (rc == 0)
            rc = insert_row(db, *ins, *first, row, err);
        if (row != *first)
            cJSON_Delete(row);
        if (rc < 0)
            break;
    }
    lk_lines_close(r);
    return rc < 0 ? rc : 0;
}

static int load_one_external(sqlite3 *db, const char *name, const char *location,
                             struct lk_err *err)
{
    struct paths ps = { 0 };
    cJSON *first = NULL;
    sqlite3_stmt *ins = NULL;
    int rc;
    if (!lk_is_dir(location))
        return lk_err_set(err, LK_EINPUT, "external table '%s': location '%s' is gone", name,
                          location);
    rc = exec_named(db, "DROP TABLE IF EXISTS temp.", name, "", NULL, err);
    if (rc == 0)
        rc = walk(location, &ps, 0, err);
    if (rc == 0 && ps.n)
        qsort(ps.p, ps.n, sizeof(*ps.p), cmp_str);
    for (size_t i = 0; rc == 0 && i < ps.n; i++)
        rc = load_file(db, name, ps.p[i], &first, &ins, err);
    if (rc == 0 && !first)
        rc = make_table(db, name, NULL, &ins, err);
    sqlite3_finalize(ins);
    cJSON_Delete(first);
    paths_release(&ps);
    return rc;
}

/*
 * The catalog is read to the end before any table is loaded: SQLite refuses to drop a
 * table (the TEMP copy of an earlier load on this connection) while a statement reads.
 */
int lk_catalog_load_external(sqlite3 *db, struct lk_err *err)
{
    struct paths ext = { 0 }; /* name, location, name, location, ... */
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db,
                              "SELECT name, location FROM catalog WHERE kind = 'external'"
                              " ORDER BY name",
                              &st, err);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *location = (const char *)sqlite3_column_text(st, 1);
        paths_add(&ext, lk_xstrdup(name ? name : ""));
        paths_add(&ext, lk_xstrdup(location ? location : "")); /* "" is "gone" below */
    }
    sqlite3_finalize(st);
    for (size_t i = 0; rc == 0 && i + 1 < ext.n; i += 2)
        rc = load_one_external(db, ext.p[i], ext.p[i + 1], err);
    paths_release(&ext);
    return rc;
}

/* ---------------------------------------------------------------- reading ---- */

static void write_value(sqlite3_stmt *st, int i, FILE *out)
{
    const char *s;
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    s = (const char *)sqlite3_column_text(st, i);
    lk_csv_write_field(out, s ? s : "", s ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

/* Step st to the end, writing its rows (and header) when it returns columns. */
static int write_rows(sqlite3 *db, sqlite3_stmt *st, int header, FILE *out, struct lk_err *err)
{
    int ncol = sqlite3_column_count(st), rc;
    if (ncol > 0 && header) {
        for (int i = 0; i < ncol; i++) {
            const char *s = sqlite3_column_name(st, i);
            if (i)
                fputc(',', out);
            lk_csv_write_field(out, s, strlen(s));
        }
        fputc('\n', out);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++) {
            if (i)
                fputc(',', out);
            write_value(st, i, out);
        }
        fputc('\n', out);
    }
    if (rc != SQLITE_DONE)
        return lk_err_set(err, LK_EINPUT, "query failed: %s", sqlite3_errmsg(db));
    return ferror(out) ? lk_file_write_failed(out, "the query's rows", err) : 0;
}

int lk_catalog_query(sqlite3 *db, const char *sql, int header, FILE *out, struct lk_err *err)
{
    const char *tail = sql;
    int rc = 0;
    while (rc == 0 && tail && *tail) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &next) != SQLITE_OK)
            return lk_err_set(err, LK_EINPUT, "bad query: %s", sqlite3_errmsg(db));
        if (st)
            rc = write_rows(db, st, header, out, err);
        sqlite3_finalize(st);
        tail = next;
    }
    return rc;
}

int lk_catalog_list(sqlite3 *db, FILE *out, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc = lk_store_prepare(db,
                              "SELECT name, kind, location, refreshed_at FROM catalog "
                              "ORDER BY name",
                              &st, err);
    if (rc < 0)
        return rc;
    fputs("name,kind,location,rows,refreshed_at\n", out);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int64_t rows = 0;
        char iso[32];
        int ok = 1;
        write_value(st, 0, out);
        fputc(',', out);
        write_value(st, 1, out);
        fputc(',', out);
        write_value(st, 2, out);
        if (strcmp((const char *)sqlite3_column_text(st, 1), "external") == 0)
            ok = load_one_external(db, name, (const char *)sqlite3_column_text(st, 2), NULL) == 0;
        if (ok && count_rows(db, name, &rows, NULL) == 0)
            fprintf(out, ",%lld,", (long long)rows);
        else
            fputs(",,", out); /* an external table whose location is gone */
        if (sqlite3_column_type(st, 3) == SQLITE_INTEGER) {
            lk_time_format(sqlite3_column_int64(st, 3), iso);
            fputs(iso, out);
        }
        fputc('\n', out);
    }
    sqlite3_finalize(st);
    return rc == 0 && ferror(out) ? lk_file_write_failed(out, "the list", err) : rc;
}
