/*
 * kp_lake - the file sink (--lake DIR): each batch's output rows as JSONL files
 * partitioned by tenant, Hive style: DIR/tenant=<value>/part-<batch>.jsonl, so the
 * trigger length becomes file count and file size (the small-files problem).
 *
 * Tenant values are data, not paths: they are escaped the way Hive escapes partition
 * values (%XX for '/', '\\', '%', '=', ':', '#', '?', '*', '"', '\'', '[', ']', '^', '{',
 * DEL, control bytes, and a leading '.'), so no value can leave DIR. Like Spark's file
 * sink it is append-only: every file is written atomically and a re-run batch rewrites
 * the same files with the same bytes (idempotent).
 */
#ifndef KP_LAKE_H
#define KP_LAKE_H

#include <stdint.h>

#include "lk_csv.h"
#include "lk_err.h"
#include "lk_file.h"
#include "lk_spec.h"

struct kp_lake;

/* LK_EUSAGE when the spec has no tenant group column. Files are written with durability. */
int kp_lake_open(struct kp_lake **out, const char *dir, const struct lk_spec *spec,
                 enum lk_durability durability, struct lk_err *err);
void kp_lake_close(struct kp_lake *l);

/* Write rows (sorted by tenant first) of one batch; adds to *files and *bytes. */
int kp_lake_write(struct kp_lake *l, uint64_t batch, const struct lk_csv_row *const *rows,
                  size_t n, uint64_t *files, uint64_t *bytes, struct lk_err *err);

/* Escape a partition value into buf (size >= 3 * len + 1). Returns the length. */
size_t kp_lake_escape(const char *s, size_t len, char *buf);

#endif
