/*
 * lb_master - the MASTER DATASET of the Lambda stack: immutable, append-only raw events
 * in RUN/serving.db (table master), duplicates and late events included; malformed
 * lines go to the quarantine table with their reasons (docs/formats.md, docs/lambda.md).
 *
 * The loader is its own reader of the log (lb_stream, arrival order) with its own
 * position, kept in master_pos and committed in the SAME transaction as the rows it
 * covers, so after a crash it resumes exactly where its last commit ended: no line is
 * appended twice or lost. Rows go in through one prepared INSERT in transactions of up
 * to LB_MASTER_TXN_ROWS lines. Every copy of an event_id with several goes into
 * master_dups in the same transaction (the batch job's dedup, lb_sql): the loader keeps
 * the hash of every event_id in master in memory for it (16 bytes per id, the table at
 * most half full; rebuilt from master when a run resumes).
 *
 * Calling sequence: lb_master_open -> lb_master_ingest(until) ... -> lb_master_free.
 * lb_master_ingest(T) appends every line that arrived by T (arrival_time <= T) plus every
 * malformed line reached on the way; the batch job with cutoff T runs after it.
 * Errors: LK_EDB / LK_EIO with err filled; the open transaction is rolled back.
 */
#ifndef LB_MASTER_H
#define LB_MASTER_H

#include <sqlite3.h>
#include <stdint.h>

#include "lk_err.h"

#define LB_MASTER_TXN_ROWS 100000
/* Lines per partition the master accepts (the batch job's dedup key packs part and line
 * into one integer, lb_sql); a longer partition is refused with LK_EINPUT. */
#define LB_MASTER_MAX_LINES 4294967296ull

struct lb_master;

/* Open the loader over dataset data, resuming from master_pos. */
int lb_master_open(struct lb_master **out, sqlite3 *db, const char *data, struct lk_err *err);
void lb_master_free(struct lb_master *m);

int lb_master_ingest(struct lb_master *m, int64_t until, struct lk_err *err);

/* Rows in the master dataset (valid lines, duplicates included) / quarantined lines. */
uint64_t lb_master_rows(const struct lb_master *m);
uint64_t lb_master_quarantined(const struct lb_master *m);
/* 1 when every line of the dataset has been loaded. */
int lb_master_complete(struct lb_master *m, struct lk_err *err);

#endif
