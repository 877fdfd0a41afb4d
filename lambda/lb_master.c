#include "lb_master.h"

#include <stdlib.h>

#include "lb_db.h"
#include "lb_stream.h"
#include "lk_mem.h"
#include "lk_source.h"
#include "lk_store.h"
#include "lk_strtab.h"
#include "banned.h"

/*
 * The ids in master, as a set of their 64-bit hashes (open addressing, linear probing,
 * at most half full): for each, the seq of its only copy so far, or IN_DUPS once its
 * copies are in master_dups. Two ids with one hash only put both in master_dups, where
 * the batch job's `count(*) > 1` and the totals' `count(DISTINCT event_id)` see each alone:
 * master_dups may hold ids with one copy, it must hold every copy of the others.
 */
#define IN_DUPS (-1)

struct id_slot {
    uint64_t hash; /* with its lowest bit set; 0: an empty slot */
    int64_t seq;
};

struct lb_master {
    sqlite3 *db;
    struct lb_stream *in;
    sqlite3_stmt *insert, *quarantine, *pos, *dup;
    uint64_t rows, quarantined;
    struct id_slot *ids;
    size_t nids, cap; /* cap: a power of two */
};

static struct id_slot *id_slot(struct id_slot *ids, size_t cap, uint64_t hash)
{
    size_t i = (size_t)(hash >> 1) & (cap - 1); /* bit 0 is always set */
    while (ids[i].hash && ids[i].hash != hash)
        i = (i + 1) & (cap - 1);
    return &ids[i];
}

static void grow_ids(struct lb_master *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct id_slot *ids = lk_xcalloc(cap, sizeof(*ids));
    for (size_t i = 0; i < m->cap; i++)
        if (m->ids[i].hash)
            *id_slot(ids, cap, m->ids[i].hash) = m->ids[i];
    free(m->ids);
    m->ids = ids;
    m->cap = cap;
}

/*
 * Note that master row seq holds event_id s: a second copy puts both copies in
 * master_dups, a later one itself (OR IGNORE: a resumed run notes its rows again).
 */
static int note_copy(struct lb_master *m, const char *s, size_t len, int64_t seq,
                     struct lk_err *err)
{
    uint64_t hash = lk_strtab_hash(s, len) | 1; /* never 0, the empty slot */
    struct id_slot *slot;
    int rc;
    if (2 * (m->nids + 1) > m->cap)
        grow_ids(m);
    slot = id_slot(m->ids, m->cap, hash);
    if (!slot->hash) {
        slot->hash = hash;
        slot->seq = seq;
        m->nids++;
        return 0;
    }
    if (slot->seq != IN_DUPS) {
        sqlite3_bind_int64(m->dup, 1, slot->seq);
        if ((rc = lk_store_step_done(m->db, m->dup, err)) < 0)
            return rc;
        slot->seq = IN_DUPS;
    }
    sqlite3_bind_int64(m->dup, 1, seq);
    return lk_store_step_done(m->db, m->dup, err);
}

/* A resumed run: note every row already in master (master_dups has them already). */
static int note_master(struct lb_master *m, struct lk_err *err)
{
    sqlite3_stmt *st;
    int rc;
    if (m->rows == 0)
        return 0;
    if ((rc = lb_db_begin(m->db, err)) < 0)
        return rc;
    rc = lk_store_prepare(m->db, "SELECT seq, \"event_id\" FROM master ORDER BY seq", &st, err);
    while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        rc = note_copy(m, (const char *)sqlite3_column_text(st, 1),
                       (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_int64(st, 0), err);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = lk_err_set(err, LK_EDB, "cannot read master: %s", sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    if (rc == 0)
        rc = lb_db_commit(m->db, err);
    if (rc < 0)
        lb_db_rollback(m->db);
    return rc;
}

/*
 * The line partition p's master position ends at (byte) must still be the one read then
 * (crc, column 3 of st; NULL in a database from before it was kept): a log rewritten or
 * truncated in place is refused (LK_EINPUT), as Kappa's restart does (docs/kappa.md).
 */
static int check_line(struct lb_master *m, size_t p, uint64_t byte, sqlite3_stmt *st,
                      struct lk_err *err)
{
    const char *path = lb_stream_path(m->in, p);
    uint32_t crc;
    int rc;
    if (sqlite3_column_type(st, 3) == SQLITE_NULL)
        return 0;
    rc = lk_source_line_crc(path, byte, &crc, err);
    if (rc == LK_EINPUT || (rc == 0 && crc != (uint32_t)sqlite3_column_int64(st, 3)))
        return lk_err_set(err, LK_EINPUT,
                          "'%s' no longer holds the line the master dataset "
                          "read up to byte %llu (rewritten or truncated in place since the run "
                          "started); use a new --out",
                          path, (unsigned long long)byte);
    return rc;
}

/* Seek the reader to the positions stored in master_pos (none stored: the start). */
static int resume(struct lb_master *m, struct lk_err *err)
{
    size_t n = lb_stream_parts(m->in), found = 0;
    uint64_t *lines = lk_xcalloc(n, sizeof(*lines)), *bytes = lk_xcalloc(n, sizeof(*bytes));
    sqlite3_stmt *st;
    int rc = lk_store_prepare(m->db, "SELECT part, line, byte, crc FROM master_pos", &st, err);
    while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t p = sqlite3_column_int64(st, 0);
        rc = 0;
        if (p < 0 || (uint64_t)p >= n) {
            rc = lk_err_set(err, LK_ECORRUPT,
                            "master_pos names partition %lld of %zu "
                            "(the dataset changed since the run started)",
                            (long long)p, n);
            break;
        }
        lines[p] = (uint64_t)sqlite3_column_int64(st, 1);
        bytes[p] = (uint64_t)sqlite3_column_int64(st, 2);
        found++;
        if ((rc = check_line(m, (size_t)p, bytes[p], st, err)) < 0)
            break;
    }
    if (rc == SQLITE_DONE)
        rc = found ? lb_stream_seek(m->in, lines, bytes, err) : 0;
    else if (rc > 0)
        rc = lk_err_set(err, LK_EDB, "cannot read master_pos: %s", sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    free(lines);
    free(bytes);
    return rc;
}

static int count_rows(struct lb_master *m, struct lk_err *err)
{
    int64_t rows = 0, q = 0;
    int rc = lb_db_int(m->db, "SELECT count(*) FROM master", 0, &rows, err);
    if (rc == 0)
        rc = lb_db_int(m->db, "SELECT count(*) FROM quarantine", 0, &q, err);
    m->rows = (uint64_t)rows;
    m->quarantined = (uint64_t)q;
    return rc;
}

int lb_master_open(struct lb_master **out, sqlite3 *db, const char *data, struct lk_err *err)
{
    struct lb_master *m = lk_xcalloc(1, sizeof(*m));
    int rc;
    m->db = db;
    if ((rc = lb_stream_open(&m->in, data, err)) < 0
        || (rc = lk_store_prepare(db,
                                  "INSERT INTO master(part, line, event_id, tenant, key, "
                                  "type, value, event_time, arrival_time) "
                                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                  &m->insert, err))
               < 0
        || (rc = lk_store_quarantine_prepare(db, &m->quarantine, err)) < 0
        || (rc = lk_store_prepare(db,
                                  "INSERT OR REPLACE INTO master_pos(part, line, byte, crc) "
                                  "VALUES(?1, ?2, ?3, ?4)",
                                  &m->pos, err))
               < 0
        || (rc = lk_store_prepare(db,
                                  "INSERT OR IGNORE INTO master_dups(seq, \"event_id\", part, "
                                  "line, arrival_time) SELECT seq, \"event_id\", part, line, "
                                  "arrival_time FROM master WHERE seq = ?1",
                                  &m->dup, err))
               < 0
        || (rc = resume(m, err)) < 0 || (rc = count_rows(m, err)) < 0
        || (rc = note_master(m, err)) < 0) {
        lb_master_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void lb_master_free(struct lb_master *m)
{
    if (!m)
        return;
    sqlite3_finalize(m->insert);
    sqlite3_finalize(m->quarantine);
    sqlite3_finalize(m->pos);
    sqlite3_finalize(m->dup);
    lb_stream_close(m->in);
    free(m->ids);
    free(m);
}

static int append(struct lb_master *m, const struct lk_record *rec, struct lk_err *err)
{
    sqlite3_stmt *st = m->insert;
    const struct lk_event *ev = &rec->ev;
    uint64_t line = lb_stream_line(m->in, rec) + 1; /* the dataset's line, from any source */
    int rc;
    if (line >= LB_MASTER_MAX_LINES) /* the batch job's dedup key (lb_sql) */
        return lk_err_set(err, LK_EINPUT, "'%s' has more than %llu lines (line %llu)",
                          lb_stream_path(m->in, rec->part),
                          (unsigned long long)LB_MASTER_MAX_LINES - 1, (unsigned long long)line);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)rec->part);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)line);
    for (int f = 0; f <= 3; f++)
        sqlite3_bind_text(st, 3 + f, ev->str[f].ptr, (int)ev->str[f].len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, ev->value);
    sqlite3_bind_int64(st, 8, ev->event_time);
    sqlite3_bind_int64(st, 9, ev->arrival_time);
    if ((rc = lk_store_step_done(m->db, st, err)) < 0)
        return rc;
    return note_copy(m, ev->str[LK_F_EVENT_ID].ptr, ev->str[LK_F_EVENT_ID].len,
                     sqlite3_last_insert_rowid(m->db), err);
}

static int save_pos(struct lb_master *m, struct lk_err *err)
{
    int rc = 0;
    for (size_t p = 0; p < lb_stream_parts(m->in) && rc == 0; p++) {
        uint64_t line, byte;
        uint32_t crc;
        lb_stream_pos(m->in, p, &line, &byte);
        if (lb_stream_live(m->in)) { /* a Kafka topic's records cannot be rewritten */
            sqlite3_bind_null(m->pos, 4);
        } else if ((rc = lk_source_line_crc(lb_stream_path(m->in, p), byte, &crc, err)) < 0) {
            return rc == LK_EINPUT ? lk_err_set(err, rc, "'%s' shrank while it was read",
                                                lb_stream_path(m->in, p))
                                   : rc;
        } else {
            sqlite3_bind_int64(m->pos, 4, crc);
        }
        sqlite3_bind_int64(m->pos, 1, (sqlite3_int64)p);
        sqlite3_bind_int64(m->pos, 2, (sqlite3_int64)line);
        sqlite3_bind_int64(m->pos, 3, (sqlite3_int64)byte);
        rc = lk_store_step_done(m->db, m->pos, err);
    }
    return rc;
}

/* Append lines up to `until`; at most LB_MASTER_TXN_ROWS per call. 1: more to do. */
static int ingest_some(struct lb_master *m, int64_t until, struct lk_err *err)
{
    const struct lk_record *rec;
    size_t n = 0;
    int rc;
    while (n < LB_MASTER_TXN_ROWS && (rc = lb_stream_peek(m->in, &rec, err)) > 0) {
        if (rec->valid && lb_stream_arrival(m->in) > until)
            return 0;
        if (rec->valid) {
            rc = append(m, rec, err);
            m->rows++;
        } else {
            rc = lk_store_quarantine_add(m->db, m->quarantine, lb_stream_path(m->in, rec->part),
                                         rec, err);
            m->quarantined++;
        }
        if (rc < 0)
            return rc;
        lb_stream_advance(m->in);
        n++;
    }
    return n == LB_MASTER_TXN_ROWS ? 1 : rc;
}

int lb_master_ingest(struct lb_master *m, int64_t until, struct lk_err *err)
{
    int more = 1, rc = 0;
    while (more > 0 && rc == 0) {
        uint64_t rows = m->rows, q = m->quarantined;
        if ((rc = lb_db_begin(m->db, err)) < 0)
            break;
        more = ingest_some(m, until, err);
        if (more < 0 || (rc = save_pos(m, err)) < 0 || (rc = lb_db_commit(m->db, err)) < 0) {
            rc = more < 0 ? more : rc;
            lb_db_rollback(m->db);
            m->rows = rows; /* the reader is now ahead of the database: unusable */
            m->quarantined = q;
        }
    }
    return rc;
}

uint64_t lb_master_rows(const struct lb_master *m)
{
    return m->rows;
}

uint64_t lb_master_quarantined(const struct lb_master *m)
{
    return m->quarantined;
}

int lb_master_complete(struct lb_master *m, struct lk_err *err)
{
    const struct lk_record *rec;
    int rc = lb_stream_peek(m->in, &rec, err);
    return rc < 0 ? rc : rc == 0;
}
