#include "lk_csv.h"

#include <stdlib.h>
#include <string.h>

#include "lk_agg.h"
#include "lk_err.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

int lk_csv_write_field(FILE *fp, const char *s, size_t len)
{
    int quote = 0;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, len, fp);
    } else {
        putc('"', fp);
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '"')
                putc('"', fp);
            putc(s[i], fp);
        }
        putc('"', fp);
    }
    return ferror(fp) ? LK_EIO : 0;
}

int lk_csv_write_header(FILE *fp, const struct lk_spec *spec)
{
    for (size_t g = 0; g < spec->ngroup; g++)
        fprintf(fp, "%s,", lk_field_name(spec->group[g]));
    fputs("window_start,window_end", fp);
    for (size_t i = 0; i < spec->naggs; i++)
        fprintf(fp, ",%s", spec->aggs[i].as);
    putc('\n', fp);
    return ferror(fp) ? LK_EIO : 0;
}

int lk_csv_write_row(FILE *fp, const struct lk_spec *spec, const struct lk_csv_row *row)
{
    char buf[64];
    for (size_t g = 0; g < spec->ngroup; g++) {
        lk_csv_write_field(fp, row->group[g].ptr, row->group[g].len);
        putc(',', fp);
    }
    if (lk_time_format(row->window_start, buf) < 0)
        return LK_ERANGE;
    fputs(buf, fp);
    putc(',', fp);
    if (lk_time_format(row->window_end, buf) < 0)
        return LK_ERANGE;
    fputs(buf, fp);
    for (size_t i = 0; i < spec->naggs; i++) {
        putc(',', fp);
        if (lk_agg_is_money(spec->aggs[i].fn))
            lk_money_format(row->values[i], buf, sizeof(buf));
        else
            snprintf(buf, sizeof(buf), "%lld", (long long)row->values[i]);
        fputs(buf, fp);
    }
    putc('\n', fp);
    return ferror(fp) ? LK_EIO : 0;
}

int lk_csv_group_cmp(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t ngroup)
{
    for (size_t g = 0; g < ngroup; g++) {
        size_t la = a->group[g].len, lb = b->group[g].len;
        int c = memcmp(a->group[g].ptr, b->group[g].ptr, la < lb ? la : lb);
        if (c)
            return c;
        if (la != lb)
            return la < lb ? -1 : 1;
    }
    return 0;
}

int lk_csv_row_cmp(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t ngroup)
{
    int c = lk_csv_group_cmp(a, b, ngroup);
    if (c)
        return c;
    if (a->window_start != b->window_start)
        return a->window_start < b->window_start ? -1 : 1;
    if (a->window_end != b->window_end)
        return a->window_end < b->window_end ? -1 : 1;
    return 0;
}

static void merge_sort(const struct lk_csv_row **v, const struct lk_csv_row **tmp, size_t n,
                       size_t ngroup)
{
    size_t h = n / 2, i = 0, j = h, k = 0;
    if (n < 2)
        return;
    merge_sort(v, tmp, h, ngroup);
    merge_sort(v + h, tmp, n - h, ngroup);
    while (i < h && j < n)
        tmp[k++] = lk_csv_row_cmp(v[j], v[i], ngroup) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

void lk_csv_sort(const struct lk_csv_row **rows, size_t n, size_t ngroup)
{
    const struct lk_csv_row **tmp = lk_xreallocarray(NULL, n ? n : 1, sizeof(*tmp));
    merge_sort(rows, tmp, n, ngroup);
    free(tmp);
}
