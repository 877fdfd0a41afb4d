/*
 * lk_csv - the canonical result CSV (docs/formats.md), the common currency of the lab.
 *
 * Header: the spec's group columns, window_start, window_end, then the aggregate names.
 * Rows: times ISO-8601 UTC with milliseconds; sum/min/max as money with exactly two
 * decimals; counts as integers; sorted by the group columns (bytewise, a shorter prefix
 * first) then window_start; '\n' line ends; a field is quoted RFC 4180 style (wrapped in
 * double quotes, inner quotes doubled) only when it holds a comma, a double quote, CR or
 * LF. Two results that agree are byte-identical files.
 *
 * Writers return 0 or LK_EIO (checked with ferror on the stream); they never close it.
 * Rows are plain values; their group strings are borrowed from the caller.
 */
#ifndef LK_CSV_H
#define LK_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_event.h"
#include "lk_spec.h"

struct lk_csv_row {
    struct lk_str group[LK_SPEC_MAX_GROUP]; /* spec->ngroup used */
    int64_t window_start;
    int64_t window_end;
    int64_t values[LK_SPEC_MAX_AGGS]; /* spec->naggs used; money in hundredths */
};

int lk_csv_write_header(FILE *fp, const struct lk_spec *spec);
int lk_csv_write_row(FILE *fp, const struct lk_spec *spec, const struct lk_csv_row *row);
/* One field, quoted only when needed (no separator written). */
int lk_csv_write_field(FILE *fp, const char *s, size_t len);

/* Canonical order: <0, 0, >0. */
int lk_csv_row_cmp(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t ngroup);
/* The group strings alone, bytewise, in the same order (rows of one group compare 0). */
int lk_csv_group_cmp(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t ngroup);

/* Sort row pointers into canonical order (stable merge sort; allocates scratch). */
void lk_csv_sort(const struct lk_csv_row **rows, size_t n, size_t ngroup);

#endif
