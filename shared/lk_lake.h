/*
 * lk_lake - result rows as JSONL data files partitioned by tenant, Hive style:
 * DIR/tenant=<value>/part-<N>.jsonl. Kappa's file sink (--lake DIR: one part per batch,
 * so the trigger length becomes file count and file size, the small-files problem) and
 * Lambda's batch views (RUN/views/v<job>/: each job rewrites its whole view) use it.
 *
 * Tenant values are data, not paths: they are escaped the way Hive escapes partition
 * values (%XX for '/', '\\', '%', '=', ':', '#', '?', '*', '"', '\'', '[', ']', '^', '{',
 * DEL, control bytes, and a leading '.'), so no value can leave DIR. Like Spark's file
 * sink it is append-only: every file is written atomically and a re-run batch rewrites
 * the same files with the same bytes (idempotent).
 */
#ifndef LK_LAKE_H
#define LK_LAKE_H

#include <stdint.h>

#include "lk_csv.h"
#include "lk_err.h"
#include "lk_file.h"
#include "lk_spec.h"

struct lk_lake;

/* LK_EUSAGE when the spec has no tenant group column. Files are written with durability. */
int lk_lake_open(struct lk_lake **out, const char *dir, const struct lk_spec *spec,
                 enum lk_durability durability, struct lk_err *err);
void lk_lake_close(struct lk_lake *l);

/* Write rows (sorted by tenant first) of one batch; adds to *files and *bytes. */
int lk_lake_write(struct lk_lake *l, uint64_t batch, const struct lk_csv_row *const *rows, size_t n,
                  uint64_t *files, uint64_t *bytes, struct lk_err *err);

/* Escape a partition value into buf (size >= 3 * len + 1). Returns the length. */
size_t lk_lake_escape(const char *s, size_t len, char *buf);

#endif
