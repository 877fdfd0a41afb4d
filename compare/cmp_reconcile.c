#include "cmp_reconcile.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lk_hll.h"
#include "lk_mem.h"
#include "cmp_reconcile_int.h"
#include "lk_time.h"
#include "banned.h"

static const char *const class_names[CMP_RC_NCLASS] = {
    "missing-late", "duplicate-overcount", "approximate", "pending", "unexplained",
};

/* How serious a class is: a row takes the most serious class of its cells. */
static const int severity[CMP_RC_NCLASS] = { 3, 2, 1, 4, 5 };

const char *cmp_rc_class_name(enum cmp_rc_class c)
{
    return (unsigned)c < CMP_RC_NCLASS ? class_names[c] : "?";
}

int64_t cmp_reconcile_hll_bound(int64_t n)
{
    /* 1e-9: 3 * 0.01625 * n is often a whole number that floating point overshoots */
    int64_t b = (int64_t)ceil(3 * LK_HLL_STDERR * (double)n - 1e-9);
    return b < 1 ? 1 : b;
}

/* ------------------------------------------------------------ helpers ---- */

void rc_note(struct cmp_reconcile *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    if (r->nnotes == RC_MAX_NOTES)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    r->notes[r->nnotes++] = lk_xstrdup(buf);
}

void rc_why(struct cmp_rc_diff *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->why, sizeof(d->why), fmt, ap);
    va_end(ap);
}

void rc_set_cell(struct cmp_rc_diff *d, size_t col, enum cmp_rc_class c)
{
    if (d->cols & (UINT32_C(1) << col))
        d->col_cls[col] = (unsigned char)c;
}

void rc_set_row(struct cmp_rc_diff *d, enum cmp_rc_class c)
{
    d->cls = c;
    for (size_t col = 0; col <= CMP_RC_COL_WEND; col++)
        rc_set_cell(d, col, c);
}

static int u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

size_t rc_count_distinct(uint64_t *v, size_t n)
{
    size_t k = 0;
    if (n > 1)
        qsort(v, n, sizeof(*v), u64_cmp);
    for (size_t i = 0; i < n; i++)
        k += i == 0 || v[i] != v[i - 1];
    return k;
}

/* ------------------------------------------------------------ matching ---- */

/* Order of keys (group columns bytewise, then window_start); window_end is not in the key. */
static int key_cmp(const struct lk_rrow *x, const struct lk_rrow *y, size_t ngroup)
{
    for (size_t g = 0; g < ngroup; g++) {
        const struct lk_str *p = &x->row.group[g], *q = &y->row.group[g];
        int c = memcmp(p->ptr, q->ptr, p->len < q->len ? p->len : q->len);
        if (c || p->len != q->len)
            return c ? c : p->len < q->len ? -1 : 1;
    }
    if (x->row.window_start != y->row.window_start)
        return x->row.window_start < y->row.window_start ? -1 : 1;
    return 0;
}

static struct cmp_rc_diff *add_diff(struct cmp_reconcile *r, enum cmp_rc_side side,
                                    const struct lk_rrow *a, const struct lk_rrow *b)
{
    struct cmp_rc_diff *d;
    LK_GROW(r->d, r->cap, r->n + 1);
    d = &r->d[r->n++];
    memset(d, 0, sizeof(*d));
    d->side = side;
    d->a = a;
    d->b = b;
    d->cls = CMP_RC_UNEXPLAINED;
    memset(d->col_cls, CMP_RC_UNEXPLAINED, sizeof(d->col_cls));
    return d;
}

/* Rows with the same key in both tables: equal, or one differing row. */
static void compare_pair(struct cmp_reconcile *r, const struct lk_rrow *a, const struct lk_rrow *b)
{
    uint32_t cols = 0;
    if (a->row.window_end != b->row.window_end)
        cols |= UINT32_C(1) << CMP_RC_COL_WEND;
    for (size_t i = 0; i < r->a->naggs; i++)
        if (a->row.values[i] != b->row.values[i])
            cols |= UINT32_C(1) << i;
    if (cols == 0)
        r->equal++;
    else
        add_diff(r, CMP_RC_BOTH, a, b)->cols = cols;
}

static void match_rows(struct cmp_reconcile *r)
{
    size_t i = 0, j = 0, na = r->a->nrows, nb = r->b->nrows;
    while (i < na || j < nb) {
        int c = i == na   ? 1
                : j == nb ? -1
                          : key_cmp(r->a->sorted[i], r->b->sorted[j], r->a->ngroup);
        if (c < 0)
            add_diff(r, CMP_RC_ONLY_A, r->a->sorted[i++], NULL);
        else if (c > 0)
            add_diff(r, CMP_RC_ONLY_B, NULL, r->b->sorted[j++]);
        else
            compare_pair(r, r->a->sorted[i++], r->b->sorted[j++]);
    }
}

/* A differing row's class: the most serious class of its differing cells. */
static void finish_classes(struct cmp_reconcile *r)
{
    for (size_t k = 0; k < r->n; k++) {
        struct cmp_rc_diff *d = &r->d[k];
        int worst = 0;
        if (d->side != CMP_RC_BOTH)
            continue;
        for (size_t col = 0; col <= CMP_RC_COL_WEND; col++)
            if ((d->cols & (UINT32_C(1) << col)) && severity[d->col_cls[col]] > worst) {
                worst = severity[d->col_cls[col]];
                d->cls = (enum cmp_rc_class)d->col_cls[col];
            }
    }
}

/* ------------------------------------------------------------- public ---- */

int cmp_reconcile_new(struct cmp_reconcile **out, const struct lk_rtable *a,
                      const struct lk_rtable *b, const struct cmp_reconcile_opts *opts,
                      struct lk_err *err)
{
    static const struct cmp_reconcile_opts defaults = CMP_RECONCILE_OPTS_INIT;
    struct cmp_reconcile *r;
    int rc;
    *out = NULL;
    if ((rc = lk_rtable_same_header(a, b, err)) < 0)
        return rc;
    r = lk_xcalloc(1, sizeof(*r));
    r->a = a;
    r->b = b;
    r->o = opts ? *opts : defaults;
    snprintf(r->label_a, sizeof(r->label_a), "'%s'", a->name);
    snprintf(r->label_b, sizeof(r->label_b), "'%s'", b->name);
    match_rows(r);
    if (r->o.run && (rc = rc_explain_run(r, err)) < 0) {
        cmp_reconcile_free(r);
        return rc;
    }
    finish_classes(r);
    *out = r;
    return 0;
}

void cmp_reconcile_free(struct cmp_reconcile *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->d);
    free(r);
}

size_t cmp_reconcile_ndiffs(const struct cmp_reconcile *r)
{
    return r->n;
}

const struct cmp_rc_diff *cmp_reconcile_diff(const struct cmp_reconcile *r, size_t i)
{
    return i < r->n ? &r->d[i] : NULL;
}

size_t cmp_reconcile_count(const struct cmp_reconcile *r, enum cmp_rc_class c)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n; k++)
        n += r->d[k].cls == c;
    return n;
}

size_t cmp_reconcile_equal(const struct cmp_reconcile *r)
{
    return r->equal;
}

const char *cmp_reconcile_note(const struct cmp_reconcile *r, size_t i)
{
    return i < r->nnotes ? r->notes[i] : NULL;
}

/* ------------------------------------------------------------- counts ---- */

/* Row counts by class and side, and cell counts by class and column. */
struct tally {
    size_t rows[CMP_RC_NCLASS + 1][3];                     /* [class or total][side] */
    size_t cells[CMP_RC_NCLASS + 1][LK_SPEC_MAX_AGGS + 1]; /* [class or total][column] */
};

static void tally(const struct cmp_reconcile *r, struct tally *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t k = 0; k < r->n; k++) {
        const struct cmp_rc_diff *d = &r->d[k];
        t->rows[d->cls][d->side]++;
        t->rows[CMP_RC_NCLASS][d->side]++;
        for (size_t col = 0; d->side == CMP_RC_BOTH && col <= CMP_RC_COL_WEND; col++) {
            if (!(d->cols & (UINT32_C(1) << col)))
                continue;
            t->cells[d->col_cls[col]][col]++;
            t->cells[CMP_RC_NCLASS][col]++;
        }
    }
}

/* Column order in reports: window_end, then the aggregates. */
static size_t report_col(const struct cmp_reconcile *r, size_t k)
{
    (void)r;
    return k == 0 ? CMP_RC_COL_WEND : k - 1;
}

static const char *col_name(const struct cmp_reconcile *r, size_t col)
{
    return col == CMP_RC_COL_WEND ? "window_end" : r->a->cols[r->a->ngroup + 2 + col];
}

/* ---------------------------------------------------------------- csv ---- */

static void write_csv(const struct cmp_reconcile *r, const struct tally *t, FILE *fp)
{
    fputs("class,only_in_a,only_in_b,differing,total", fp);
    for (size_t k = 0; k <= r->a->naggs; k++)
        fprintf(fp, ",%s", col_name(r, report_col(r, k)));
    putc('\n', fp);
    for (size_t c = 0; c <= CMP_RC_NCLASS; c++) {
        const size_t *s = t->rows[c];
        fprintf(fp, "%s,%zu,%zu,%zu,%zu", c == CMP_RC_NCLASS ? "total" : class_names[c],
                s[CMP_RC_ONLY_A], s[CMP_RC_ONLY_B], s[CMP_RC_BOTH],
                s[CMP_RC_ONLY_A] + s[CMP_RC_ONLY_B] + s[CMP_RC_BOTH]);
        for (size_t k = 0; k <= r->a->naggs; k++)
            fprintf(fp, ",%zu", t->cells[c][report_col(r, k)]);
        putc('\n', fp);
    }
}

/* -------------------------------------------------------------- table ---- */

static void write_head(const struct cmp_reconcile *r, const struct tally *t, FILE *fp)
{
    const size_t *s = t->rows[CMP_RC_NCLASS];
    fprintf(fp, "A: %s\nB: %s\n", r->label_a, r->label_b);
    fprintf(fp,
            "rows: %zu in A, %zu in B; %zu equal, %zu only in A, %zu only in B, "
            "%zu differing\n",
            r->a->nrows, r->b->nrows, r->equal, s[CMP_RC_ONLY_A], s[CMP_RC_ONLY_B], s[CMP_RC_BOTH]);
    for (size_t i = 0; i < r->nnotes; i++)
        fprintf(fp, "%s\n", r->notes[i]);
}

static void write_class_table(const struct tally *t, FILE *fp)
{
    fprintf(fp, "\n%-20s %10s %10s %10s %10s\n", "class", "only in A", "only in B", "differing",
            "total");
    for (size_t c = 0; c <= CMP_RC_NCLASS; c++) {
        const size_t *s = t->rows[c];
        fprintf(fp, "%-20s %10zu %10zu %10zu %10zu\n",
                c == CMP_RC_NCLASS ? "total" : class_names[c], s[CMP_RC_ONLY_A], s[CMP_RC_ONLY_B],
                s[CMP_RC_BOTH], s[CMP_RC_ONLY_A] + s[CMP_RC_ONLY_B] + s[CMP_RC_BOTH]);
    }
}

static void write_column_table(const struct cmp_reconcile *r, const struct tally *t, FILE *fp)
{
    fprintf(fp, "\n%-20s %10s", "column", "differing");
    for (size_t c = 0; c < CMP_RC_NCLASS; c++)
        fprintf(fp, " %*s", (int)strlen(class_names[c]) > 10 ? (int)strlen(class_names[c]) : 10,
                class_names[c]);
    putc('\n', fp);
    for (size_t k = 0; k <= r->a->naggs; k++) {
        size_t col = report_col(r, k);
        fprintf(fp, "%-20s %10zu", col_name(r, col), t->cells[CMP_RC_NCLASS][col]);
        for (size_t c = 0; c < CMP_RC_NCLASS; c++)
            fprintf(fp, " %*zu",
                    (int)strlen(class_names[c]) > 10 ? (int)strlen(class_names[c]) : 10,
                    t->cells[c][col]);
        putc('\n', fp);
    }
}

/* The key of a difference: group fields as CSV, then window_start. */
static void write_key(const struct cmp_reconcile *r, const struct lk_rrow *row, FILE *fp)
{
    char iso[LK_TIME_ISO_LEN + 1] = "?";
    for (size_t g = 0; g < r->a->ngroup; g++) {
        lk_csv_write_field(fp, row->row.group[g].ptr, row->row.group[g].len);
        putc(',', fp);
    }
    lk_time_format(row->row.window_start, iso);
    fputs(iso, fp);
}

/* "events 2 vs 3, value_sum 19.75 vs 119.75" (differing) or "events 1, ..." (one side). */
static void write_values(const struct cmp_reconcile *r, const struct cmp_rc_diff *d, FILE *fp)
{
    char x[40], y[40];
    const char *sep = "";
    if (d->cols & (UINT32_C(1) << CMP_RC_COL_WEND)) {
        lk_time_format(d->a->row.window_end, x);
        lk_time_format(d->b->row.window_end, y);
        fprintf(fp, "window_end %s vs %s", x, y);
        sep = ", ";
    }
    for (size_t i = 0; i < r->a->naggs; i++) {
        const struct lk_rrow *one = d->a ? d->a : d->b;
        if (d->side == CMP_RC_BOTH && !(d->cols & (UINT32_C(1) << i)))
            continue;
        lk_rtable_format_value(d->a ? r->a : r->b, i, one->row.values[i], x, sizeof(x));
        fprintf(fp, "%s%s %s", sep, col_name(r, i), x);
        if (d->side == CMP_RC_BOTH) {
            lk_rtable_format_value(r->b, i, d->b->row.values[i], y, sizeof(y));
            fprintf(fp, " vs %s", y);
        }
        sep = ", ";
    }
}

static void write_examples(const struct cmp_reconcile *r, const struct tally *t, FILE *fp,
                           size_t examples)
{
    static const char *const side[] = { "differing", "only in A", "only in B" };
    for (size_t c = 0; c < CMP_RC_NCLASS && examples > 0; c++) {
        size_t total = t->rows[c][0] + t->rows[c][1] + t->rows[c][2], shown = 0;
        if (total == 0)
            continue;
        fprintf(fp, "\n%s: %zu row%s%s\n", class_names[c], total, total == 1 ? "" : "s",
                total > examples ? ", for example" : "");
        for (size_t k = 0; k < r->n && shown < examples; k++) {
            const struct cmp_rc_diff *d = &r->d[k];
            if (d->cls != c)
                continue;
            fputs("  ", fp);
            write_key(r, d->a ? d->a : d->b, fp);
            fprintf(fp, "  %s: ", side[d->side]);
            write_values(r, d, fp);
            if (d->why[0])
                fprintf(fp, "\n      %s", d->why);
            putc('\n', fp);
            shown++;
        }
    }
}

static void write_verdict(const struct cmp_reconcile *r, FILE *fp)
{
    size_t bad = cmp_reconcile_count(r, CMP_RC_UNEXPLAINED);
    if (r->n == 0)
        fputs("\nresult: A and B agree, row for row\n", fp);
    else if (bad == 0)
        fprintf(fp, "\nresult: every difference is explained (%zu row%s)\n", r->n,
                r->n == 1 ? "" : "s");
    else
        fprintf(fp, "\nresult: %zu of %zu differing row%s unexplained\n", bad, r->n,
                r->n == 1 ? " is" : "s are");
}

int cmp_reconcile_write(const struct cmp_reconcile *r, FILE *fp, enum cmp_rc_format format,
                        size_t examples)
{
    struct tally t;
    tally(r, &t);
    if (format == CMP_RC_CSV) {
        write_csv(r, &t, fp);
    } else {
        write_head(r, &t, fp);
        write_class_table(&t, fp);
        write_column_table(r, &t, fp);
        write_examples(r, &t, fp, examples);
        write_verdict(r, fp);
    }
    return ferror(fp) ? LK_EIO : 0;
}
