/*
 * lk_csvread - read a canonical result CSV (docs/formats.md, as lk_csv writes it) back into rows,
 * for `lklab reconcile`.
 *
 * Accepted text: RFC 4180 records separated by '\n' (a '\r' right before it is tolerated);
 * a field is either bare (no comma, double quote, CR or LF) or wrapped in double quotes
 * with inner quotes doubled, and may then hold commas and line breaks. The last record may
 * lack its '\n'. Anything else (a quote inside a bare field, text after a closing quote, an
 * unterminated quote, a blank line) is a malformed record.
 *
 * Header: 0-4 group columns, then window_start, window_end, then 1-16 aggregate names.
 * Rows: as many fields as the header; window_start < window_end, both ISO-8601 instants
 * (lk_time_parse); every aggregate field a plain decimal with no decimals (a count) or
 * exactly two (money), the same form in every row of a column.
 *
 * Values are kept in HUNDREDTHS for every aggregate column, counts included (a count of 3
 * is 300), so that two tables compare with ==; lk_rtable_format_value writes a value back
 * in its column's form. Rows keep their file order in `rows` and canonical order (group
 * columns bytewise, then window_start: lk_csv_row_cmp) in `sorted`; the reader does not
 * require sorted input and does not reject two rows with the same key (an at-least-once
 * sink writes such rows; the comparison reports them).
 *
 * Errors: LK_EINPUT (malformed text), LK_ENOENT / LK_EIO (reading the file); err says what
 * and where: "bad timestamp '2026-13-01' in column 'window_start' ('t.csv' line 7)".
 * Memory: the table owns its text, rows and names; group strings and column names point
 * into its text and live until lk_rtable_release (NULL-safe; a released table is empty).
 */
#ifndef LK_CSVREAD_H
#define LK_CSVREAD_H

#include <stddef.h>
#include <stdint.h>

#include "lk_csv.h"
#include "lk_err.h"
#include "lk_spec.h"

#define LK_RT_MAX_COLS (LK_SPEC_MAX_GROUP + 2 + LK_SPEC_MAX_AGGS)

struct lk_rrow {
    struct lk_csv_row row; /* groups point into the table's text; values in hundredths */
    size_t line;           /* 1-based line where the record starts */
};

struct lk_rtable {
    char *name; /* for messages: the path, or the caller's name */
    size_t ncols, ngroup, naggs;
    const char *cols[LK_RT_MAX_COLS]; /* header names, NUL-terminated */
    int money[LK_SPEC_MAX_AGGS];      /* per aggregate: 1 money, 0 count, -1 no rows */
    struct lk_rrow *rows;             /* file order */
    size_t nrows, cap;
    const struct lk_rrow **sorted; /* canonical order, nrows entries */
    char *text;                    /* owned copy of the input, fields unescaped in place */
};
#define LK_RTABLE_INIT                                                                             \
    {                                                                                              \
        0                                                                                          \
    }

/* Parse len bytes of text (copied); name is used in messages. Release t on failure too. */
int lk_rtable_parse(struct lk_rtable *t, const char *text, size_t len, const char *name,
                    struct lk_err *err);
/* Read and parse the file at path (its name in messages is the path). */
int lk_rtable_load(struct lk_rtable *t, const char *path, struct lk_err *err);
void lk_rtable_release(struct lk_rtable *t);

/*
 * 0 when b has the same header as a; LK_EINPUT otherwise, err naming b's first line and
 * the first column that differs.
 */
int lk_rtable_same_header(const struct lk_rtable *a, const struct lk_rtable *b, struct lk_err *err);

/*
 * 0 when t's header is the canonical header of spec and each aggregate column holds the
 * form the spec gives it (count or money); LK_EINPUT naming t and the line otherwise.
 */
int lk_rtable_check_spec(const struct lk_rtable *t, const struct lk_spec *spec, struct lk_err *err);

/* Write value v (hundredths) of aggregate column agg in the column's form ("3", "12.50"). */
void lk_rtable_format_value(const struct lk_rtable *t, size_t agg, int64_t v, char *buf,
                            size_t size);

#endif
