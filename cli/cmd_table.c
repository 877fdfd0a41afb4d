/* lklab table: a small catalog of tables in a run's serving database (lab 01). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lb_sqlfn.h"
#include "lk_catalog.h"
#include "lk_store.h"
#include "banned.h"

#define CMD "table"
static void help(void)
{
    printf("usage: lklab table create --db DB NAME --managed|--materialized|--view|--temporary"
           " --as SQL\n"
           "       lklab table create --db DB NAME --external --location DIR\n"
           "       lklab table drop --db DB NAME\n"
           "       lklab table refresh --db DB NAME\n"
           "       lklab table list --db DB\n"
           "       lklab table query --db DB [--no-header] SQL\n\n"
           "A small catalog of tables in a database (a run's serving.db), table\n"
           "catalog(name, kind, location, sql, refreshed_at), for the table types of the\n"
           "lecture (lab 01). NAME is [a-z_][a-z0-9_]*.\n\n"
           "  --managed       CREATE TABLE NAME AS SQL: the database owns the data;\n"
           "                  DROP deletes data and catalog entry\n"
           "  --external      the catalog records --location DIR (JSONL files, e.g. a\n"
           "                  kappa --lake); read at query time; DROP deletes only the\n"
           "                  catalog entry, the files survive\n"
           "  --view          a stored query, re-run on every read: always fresh\n"
           "  --materialized  a table filled from SQL now and at 'refresh': stale in\n"
           "                  between; refreshed_at = the run's virtual time then\n"
           "  --temporary     CREATE TEMP TABLE: dies with the connection that made it,\n"
           "                  i.e. when this command ends; use one 'query' with several\n"
           "                  statements to work with one\n"
           "  --db DB         the database (create makes it when missing)\n"
           "  --as SQL        the table's query (your SQL on your database)\n"
           "  --location DIR  where an external table's files are\n"
           "  --no-header     query: rows only\n\n"
           "list prints name,kind,location,rows,refreshed_at; query runs SQL (several\n"
           "statements allowed, external tables readable by name) and prints the rows of\n"
           "each statement that returns some as CSV.\n\n"
           "exit: 0 ok, 2 usage, 3 unknown table or SQL the database refuses, 4 I/O\n");
}

struct opts {
    const char *db, *as, *location;
    int kind, nkinds, header;
};

/*
 * The options after the subcommand into o: the exit code to end with now (--help, a usage
 * error), or -1 to go on.
 */
static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "as", required_argument, NULL, 'a' },
        { "location", required_argument, NULL, 'l' },
        { "managed", no_argument, NULL, 'M' },
        { "external", no_argument, NULL, 'E' },
        { "view", no_argument, NULL, 'V' },
        { "materialized", no_argument, NULL, 'Z' },
        { "temporary", no_argument, NULL, 'T' },
        { "no-header", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cmd_getopt go;
    int c;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", longopts, help, CMD_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'a':
            o->as = optarg;
            break;
        case 'l':
            o->location = optarg;
            break;
        case 'M':
            o->kind = LK_CAT_MANAGED;
            o->nkinds++;
            break;
        case 'E':
            o->kind = LK_CAT_EXTERNAL;
            o->nkinds++;
            break;
        case 'V':
            o->kind = LK_CAT_VIEW;
            o->nkinds++;
            break;
        case 'Z':
            o->kind = LK_CAT_MATERIALIZED;
            o->nkinds++;
            break;
        case 'T':
            o->kind = LK_CAT_TEMPORARY;
            o->nkinds++;
            break;
        case 'n':
            o->header = 0;
            break;
        }
    }
    return c < 0 ? go.rc : -1;
}

static int create(sqlite3 *db, const char *name, const struct opts *o, struct lk_err *err)
{
    int64_t rows = 0;
    int rc;
    if (o->nkinds != 1)
        return cmd_usage_error(CMD, "create needs exactly one of --managed, "
                                    "--external, --view, --materialized, --temporary");
    if (o->kind == LK_CAT_EXTERNAL ? (!o->location || o->as) : (!o->as || o->location))
        return cmd_usage_error(CMD, o->kind == LK_CAT_EXTERNAL
                                        ? "an external table takes --location DIR (and no --as)"
                                        : "this kind takes --as SQL (and no --location)");
    rc = lk_catalog_create(db, name, (enum lk_catalog_kind)o->kind, o->as, o->location, &rows, err);
    if (rc < 0)
        return cmd_fail(CMD, err);
    printf("created %s %s: %" PRId64 " rows%s\n",
           o->kind == LK_CAT_VIEW           ? "view"
           : o->kind == LK_CAT_MATERIALIZED ? "materialized view"
           : o->kind == LK_CAT_MANAGED      ? "managed table"
           : o->kind == LK_CAT_EXTERNAL     ? "external table"
                                            : "temporary table",
           name, rows,
           o->kind == LK_CAT_TEMPORARY ? " (gone when this command's connection closes: now)" : "");
    return 0;
}

static int drop(sqlite3 *db, const char *name, struct lk_err *err)
{
    enum lk_catalog_kind kind;
    if (lk_catalog_drop(db, name, &kind, err) < 0)
        return cmd_fail(CMD, err);
    printf("dropped %s table %s: %s\n", lk_catalog_kind_name(kind), name,
           kind == LK_CAT_EXTERNAL ? "catalog entry only, its files are still at the location"
           : kind == LK_CAT_VIEW   ? "the stored query (it held no data)"
                                   : "its data and its catalog entry");
    return 0;
}

static int refresh(sqlite3 *db, const char *name, struct lk_err *err)
{
    int64_t rows = 0;
    if (lk_catalog_refresh(db, name, &rows, err) < 0)
        return cmd_fail(CMD, err);
    printf("refreshed %s: %" PRId64 " rows\n", name, rows);
    return 0;
}

static int run(const char *sub, sqlite3 *db, int argc, char **argv, const struct opts *o)
{
    struct lk_err err = LK_ERR_INIT;
    const char *arg = optind < argc ? argv[optind] : NULL;
    int nargs = argc - optind, want = strcmp(sub, "list") == 0 ? 0 : 1;
    if (nargs < want)
        return cmd_usage_error(CMD, "%s needs %s", sub,
                               strcmp(sub, "query") == 0 ? "the SQL" : "a table NAME");
    if (nargs > want)
        return cmd_usage_error(CMD, "unexpected argument '%s'", argv[optind + want]);
    if (strcmp(sub, "create") == 0)
        return create(db, arg, o, &err);
    if (strcmp(sub, "drop") == 0)
        return drop(db, arg, &err);
    if (strcmp(sub, "refresh") == 0)
        return refresh(db, arg, &err);
    if (strcmp(sub, "list") == 0 && lk_catalog_list(db, stdout, &err) < 0)
        return cmd_fail(CMD, &err);
    if (strcmp(sub, "query") == 0
        && (lk_catalog_load_external(db, &err) < 0
            || lk_catalog_query(db, arg, o->header, stdout, &err) < 0))
        return cmd_fail(CMD, &err);
    return 0;
}

int cmd_table(int argc, char **argv)
{
    static const char *const subs[] = { "create", "drop", "refresh", "list", "query" };
    struct opts o = { .header = 1 };
    struct lk_err err = LK_ERR_INIT;
    const char *sub = argc > 1 ? argv[1] : NULL;
    sqlite3 *db = NULL;
    int rc, known = 0;
    if (sub && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
        help();
        return 0;
    }
    for (size_t i = 0; sub && i < sizeof(subs) / sizeof(subs[0]); i++)
        known |= strcmp(sub, subs[i]) == 0;
    if (!known)
        return cmd_usage_error(CMD, sub ? "unknown subcommand '%s'" : "missing subcommand%s",
                               sub ? sub : "");
    if ((rc = parse(argc - 1, argv + 1, &o)) >= 0)
        return rc;
    if (!o.db)
        return cmd_usage_error(CMD, "missing --db");
    if (strcmp(sub, "create") != 0 && (o.nkinds || o.as || o.location))
        return cmd_usage_error(CMD, "%s takes no kind, --as or --location", sub);
    if (lk_catalog_open(&db, o.db, strcmp(sub, "create") == 0, &err) < 0)
        return cmd_fail(CMD, &err);
    /* a Lambda run's views call the sketch functions: register them too */
    if (lb_sqlfn_register(db, &err) < 0) {
        lk_store_close(db);
        return cmd_fail(CMD, &err);
    }
    rc = run(sub, db, argc - 1, argv + 1, &o);
    lk_store_close(db);
    return cmd_finish(CMD, rc);
}
