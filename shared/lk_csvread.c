#include "lk_csvread.h"

#include <stdlib.h>
#include <string.h>

#include "lk_agg.h"
#include "lk_event.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

#define MAX_FILE_BYTES ((size_t)1 << 32)

/* One record being split: fields point into the text, unescaped and NUL-terminated. */
struct record {
    struct lk_str f[LK_RT_MAX_COLS];
    size_t n;
    size_t line; /* where it starts */
};

/* The reader's position in t->text. */
struct cursor {
    char *s;
    size_t len, pos, line;
    const char *name;
};

/* ------------------------------------------------------------ records ---- */

/* A quoted field starting at c->pos (on the quote); unescape it in place. */
static int quoted_field(struct cursor *c, struct lk_str *out, size_t start_line, struct lk_err *err)
{
    char *w = c->s + c->pos + 1;
    out->ptr = w;
    c->pos++;
    for (;;) {
        if (c->pos >= c->len)
            return lk_err_set(err, LK_EINPUT, "unterminated quoted field ('%s' line %zu)", c->name,
                              start_line);
        char ch = c->s[c->pos];
        if (ch == '"' && c->pos + 1 < c->len && c->s[c->pos + 1] == '"') {
            *w++ = '"';
            c->pos += 2;
        } else if (ch == '"') {
            c->pos++;
            break;
        } else {
            c->line += ch == '\n';
            *w++ = ch;
            c->pos++;
        }
    }
    out->len = (size_t)(w - out->ptr);
    *w = '\0'; /* the closing quote's byte, at least, is free */
    return 0;
}

/* A bare field starting at c->pos; ends before ',', '\n', "\r\n" or the end of the text. */
static int bare_field(struct cursor *c, struct lk_str *out, struct lk_err *err)
{
    size_t start = c->pos;
    while (c->pos < c->len && c->s[c->pos] != ',' && c->s[c->pos] != '\n') {
        char ch = c->s[c->pos];
        int crlf = ch == '\r' && c->pos + 1 < c->len && c->s[c->pos + 1] == '\n';
        if (crlf)
            break;
        if (ch == '"' || ch == '\r')
            return lk_err_set(err, LK_EINPUT, "%s inside an unquoted field ('%s' line %zu)",
                              ch == '"' ? "double quote" : "carriage return", c->name, c->line);
        c->pos++;
    }
    out->ptr = c->s + start;
    out->len = c->pos - start;
    return 0;
}

/*
 * After a field: ',' (another field follows: returns 1), or the end of the record
 * ('\n', "\r\n" or the end of the text: returns 0). The separator byte becomes the NUL.
 */
static int field_end(struct cursor *c, struct lk_err *err)
{
    char *at = c->s + c->pos;
    if (c->pos >= c->len) {
        *at = '\0';
        return 0;
    }
    if (*at == '\r' && c->pos + 1 < c->len && at[1] == '\n')
        c->pos++;
    if (c->s[c->pos] != ',' && c->s[c->pos] != '\n')
        return lk_err_set(err, LK_EINPUT, "text after a closing quote ('%s' line %zu)", c->name,
                          c->line);
    int more = c->s[c->pos] == ',';
    *at = '\0';
    c->pos++;
    if (!more)
        c->line++;
    return more;
}

/* Split the next record; returns 1, 0 at the end of the text, or LK_EINPUT. */
static int next_record(struct cursor *c, struct record *r, struct lk_err *err)
{
    if (c->pos >= c->len)
        return 0;
    r->n = 0;
    r->line = c->line;
    if (c->s[c->pos] == '\n'
        || (c->s[c->pos] == '\r' && c->pos + 1 < c->len && c->s[c->pos + 1] == '\n'))
        return lk_err_set(err, LK_EINPUT, "blank line ('%s' line %zu)", c->name, c->line);
    for (;;) {
        struct lk_str f;
        int rc = c->s[c->pos] == '"' ? quoted_field(c, &f, r->line, err) : bare_field(c, &f, err);
        if (rc < 0)
            return rc;
        if (r->n == LK_RT_MAX_COLS)
            return lk_err_set(err, LK_EINPUT, "more than %d fields ('%s' line %zu)", LK_RT_MAX_COLS,
                              c->name, r->line);
        r->f[r->n++] = f;
        if ((rc = field_end(c, err)) <= 0)
            return rc < 0 ? rc : 1;
    }
}

/* ------------------------------------------------------------- header ---- */

static int parse_header(struct lk_rtable *t, const struct record *r, struct lk_err *err)
{
    size_t ws = r->n;
    for (size_t i = 0; i < r->n; i++) {
        t->cols[i] = r->f[i].ptr;
        if (ws == r->n && strcmp(r->f[i].ptr, "window_start") == 0)
            ws = i;
    }
    t->ncols = r->n;
    if (ws == r->n || ws + 1 >= r->n || strcmp(r->f[ws + 1].ptr, "window_end") != 0)
        return lk_err_set(err, LK_EINPUT,
                          "header has no 'window_start,window_end' columns "
                          "('%s' line 1)",
                          t->name);
    if (ws > LK_SPEC_MAX_GROUP)
        return lk_err_set(err, LK_EINPUT, "header has %zu group columns, at most %d ('%s' line 1)",
                          ws, LK_SPEC_MAX_GROUP, t->name);
    t->ngroup = ws;
    t->naggs = r->n - ws - 2;
    if (t->naggs == 0 || t->naggs > LK_SPEC_MAX_AGGS)
        return lk_err_set(err, LK_EINPUT,
                          "header has %zu aggregate columns, 1 to %d expected "
                          "('%s' line 1)",
                          t->naggs, LK_SPEC_MAX_AGGS, t->name);
    for (size_t i = 0; i < r->n; i++)
        if (r->f[i].len == 0)
            return lk_err_set(err, LK_EINPUT, "header column %zu has no name ('%s' line 1)", i + 1,
                              t->name);
    for (size_t i = 0; i < t->naggs; i++)
        t->money[i] = -1;
    return 0;
}

/* --------------------------------------------------------------- rows ---- */

/* "-?[0-9]{1,15}(\.[0-9][0-9])?" -> hundredths, *money = 1 when it had the decimals. */
static int parse_decimal(const struct lk_str *s, int64_t *out, int *money)
{
    const char *p = s->ptr, *end = s->ptr + s->len;
    int neg = p < end && *p == '-';
    int64_t v = 0;
    size_t digits = 0;
    p += neg;
    for (; p < end && *p >= '0' && *p <= '9' && digits < 16; p++, digits++)
        v = v * 10 + (*p - '0');
    if (digits == 0 || digits > 15)
        return LK_EINPUT;
    *money = p < end;
    if (*money
        && (end - p != 3 || p[0] != '.' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9'))
        return LK_EINPUT;
    v = v * 100 + (*money ? (p[1] - '0') * 10 + (p[2] - '0') : 0);
    *out = neg ? -v : v;
    return 0;
}

static int parse_time(const struct lk_rtable *t, const struct record *r, size_t col, int64_t *out,
                      struct lk_err *err)
{
    if (lk_time_parse(r->f[col].ptr, r->f[col].len, out) < 0)
        return lk_err_set(err, LK_EINPUT, "bad timestamp '%.40s' in column '%s' ('%s' line %zu)",
                          r->f[col].ptr, t->cols[col], t->name, r->line);
    return 0;
}

static int parse_value(struct lk_rtable *t, const struct record *r, size_t agg, int64_t *out,
                       struct lk_err *err)
{
    size_t col = t->ngroup + 2 + agg;
    int money;
    if (parse_decimal(&r->f[col], out, &money) < 0)
        return lk_err_set(err, LK_EINPUT, "bad number '%.40s' in column '%s' ('%s' line %zu)",
                          r->f[col].ptr, t->cols[col], t->name, r->line);
    if (t->money[agg] < 0)
        t->money[agg] = money;
    if (t->money[agg] != money)
        return lk_err_set(err, LK_EINPUT,
                          "'%.40s' in column '%s' is not %s like the rows above "
                          "('%s' line %zu)",
                          r->f[col].ptr, t->cols[col],
                          money ? "a whole count" : "money with two decimals", t->name, r->line);
    return 0;
}

static int add_row(struct lk_rtable *t, const struct record *r, struct lk_err *err)
{
    struct lk_rrow *row;
    int rc;
    if (r->n != t->ncols)
        return lk_err_set(err, LK_EINPUT, "row has %zu fields, the header has %zu ('%s' line %zu)",
                          r->n, t->ncols, t->name, r->line);
    LK_GROW(t->rows, t->cap, t->nrows + 1);
    row = &t->rows[t->nrows];
    memset(row, 0, sizeof(*row));
    row->line = r->line;
    for (size_t g = 0; g < t->ngroup; g++)
        row->row.group[g] = r->f[g];
    if ((rc = parse_time(t, r, t->ngroup, &row->row.window_start, err)) < 0
        || (rc = parse_time(t, r, t->ngroup + 1, &row->row.window_end, err)) < 0)
        return rc;
    if (row->row.window_end <= row->row.window_start)
        return lk_err_set(err, LK_EINPUT, "window_end is not after window_start ('%s' line %zu)",
                          t->name, r->line);
    for (size_t i = 0; i < t->naggs; i++)
        if ((rc = parse_value(t, r, i, &row->row.values[i], err)) < 0)
            return rc;
    t->nrows++;
    return 0;
}

static void sort_rows(struct lk_rtable *t)
{
    const struct lk_csv_row **order = lk_xreallocarray(NULL, t->nrows + 1, sizeof(*order));
    for (size_t i = 0; i < t->nrows; i++)
        order[i] = &t->rows[i].row;
    lk_csv_sort(order, t->nrows, t->ngroup);
    /* row is the first member of struct lk_rrow: the pointers convert back */
    t->sorted = (const struct lk_rrow **)(void *)order;
}

/* ------------------------------------------------------------- public ---- */

static int parse_all(struct lk_rtable *t, struct lk_err *err)
{
    struct cursor c = { t->text, strlen(t->text), 0, 1, t->name };
    struct record r;
    int rc = next_record(&c, &r, err);
    if (rc == 0)
        return lk_err_set(err, LK_EINPUT, "empty file, no header ('%s' line 1)", t->name);
    if (rc < 0 || (rc = parse_header(t, &r, err)) < 0)
        return rc;
    while ((rc = next_record(&c, &r, err)) > 0)
        if ((rc = add_row(t, &r, err)) < 0)
            return rc;
    if (rc == 0)
        sort_rows(t);
    return rc;
}

int lk_rtable_parse(struct lk_rtable *t, const char *text, size_t len, const char *name,
                    struct lk_err *err)
{
    int rc;
    memset(t, 0, sizeof(*t));
    t->name = lk_xstrdup(name);
    if (memchr(text, '\0', len)) {
        rc = lk_err_set(err, LK_EINPUT, "file holds a NUL byte, not CSV text ('%s')", name);
    } else {
        t->text = lk_xstrndup(text, len);
        rc = parse_all(t, err);
    }
    if (rc < 0)
        lk_rtable_release(t);
    return rc;
}

int lk_rtable_load(struct lk_rtable *t, const char *path, struct lk_err *err)
{
    char *buf;
    size_t len;
    int rc = lk_file_read_all(path, MAX_FILE_BYTES, &buf, &len, err);
    if (rc < 0) {
        memset(t, 0, sizeof(*t));
        return rc;
    }
    rc = lk_rtable_parse(t, buf, len, path, err);
    free(buf);
    return rc;
}

void lk_rtable_release(struct lk_rtable *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->rows);
    free((void *)t->sorted);
    free(t->text);
    memset(t, 0, sizeof(*t));
}

int lk_rtable_same_header(const struct lk_rtable *a, const struct lk_rtable *b, struct lk_err *err)
{
    size_t n = a->ncols < b->ncols ? a->ncols : b->ncols;
    for (size_t i = 0; i < n; i++)
        if (strcmp(a->cols[i], b->cols[i]) != 0)
            return lk_err_set(err, LK_EINPUT,
                              "header does not match '%s': column %zu is '%s', "
                              "expected '%s' ('%s' line 1)",
                              a->name, i + 1, b->cols[i], a->cols[i], b->name);
    if (a->ncols != b->ncols)
        return lk_err_set(err, LK_EINPUT,
                          "header does not match '%s': %zu columns, expected %zu "
                          "('%s' line 1)",
                          a->name, b->ncols, a->ncols, b->name);
    return 0;
}

/* Line of the first row of t (for messages about a column's form). */
static size_t first_line(const struct lk_rtable *t)
{
    return t->nrows ? t->rows[0].line : 1;
}

int lk_rtable_check_spec(const struct lk_rtable *t, const struct lk_spec *spec, struct lk_err *err)
{
    int ok = t->ngroup == spec->ngroup && t->naggs == spec->naggs;
    for (size_t g = 0; ok && g < spec->ngroup; g++)
        ok = strcmp(t->cols[g], lk_field_name(spec->group[g])) == 0;
    for (size_t i = 0; ok && i < spec->naggs; i++)
        ok = strcmp(t->cols[t->ngroup + 2 + i], spec->aggs[i].as) == 0;
    if (!ok)
        return lk_err_set(err, LK_EINPUT,
                          "header does not match the run's pipeline '%s' "
                          "('%s' line 1)",
                          spec->name, t->name);
    for (size_t i = 0; i < spec->naggs; i++) {
        int money = lk_agg_is_money(spec->aggs[i].fn);
        if (t->money[i] >= 0 && t->money[i] != money)
            return lk_err_set(err, LK_EINPUT,
                              "column '%s' holds %s, the pipeline's '%s' is %s "
                              "('%s' line %zu)",
                              spec->aggs[i].as, t->money[i] ? "money" : "whole counts",
                              spec->aggs[i].as, money ? "money" : "a count", t->name,
                              first_line(t));
    }
    return 0;
}

void lk_rtable_format_value(const struct lk_rtable *t, size_t agg, int64_t v, char *buf,
                            size_t size)
{
    if (t->money[agg] == 1)
        lk_money_format(v, buf, size);
    else
        snprintf(buf, size, "%lld", (long long)(v / 100));
}
