#include "lk_lake.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lk_agg.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

struct lk_lake {
    char *dir;
    const struct lk_spec *spec;
    size_t tenant_col; /* index of tenant among the group columns */
    enum lk_durability durability;
};

int lk_lake_open(struct lk_lake **out, const char *dir, const struct lk_spec *spec,
                 enum lk_durability durability, struct lk_err *err)
{
    struct lk_lake *l;
    size_t col = SIZE_MAX;
    int rc;
    for (size_t g = 0; g < spec->ngroup; g++)
        if (spec->group[g] == LK_F_TENANT)
            col = g;
    if (col == SIZE_MAX)
        return lk_err_set(err, LK_EUSAGE,
                          "--lake partitions files by tenant, but pipeline '%s' "
                          "does not group by tenant",
                          spec->name);
    if ((rc = lk_mkdir_p(dir, err)) < 0)
        return rc;
    l = lk_xcalloc(1, sizeof(*l));
    l->dir = lk_xstrdup(dir);
    l->spec = spec;
    l->tenant_col = col;
    l->durability = durability;
    *out = l;
    return 0;
}

void lk_lake_close(struct lk_lake *l)
{
    if (!l)
        return;
    free(l->dir);
    free(l);
}

size_t lk_lake_escape(const char *s, size_t len, char *buf)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char special[] = "\"#%'*/:=?\\[]^{";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || (c && strchr(special, c)) || (i == 0 && c == '.')) {
            buf[n++] = '%';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        } else {
            buf[n++] = (char)c;
        }
    }
    buf[n] = '\0';
    return n;
}

/* One output row as a JSON line (group values escaped as JSON strings). */
static void put_row(const struct lk_lake *l, FILE *fp, const struct lk_csv_row *row)
{
    char t0[LK_TIME_ISO_LEN + 1], t1[LK_TIME_ISO_LEN + 1], money[32];
    fputc('{', fp);
    for (size_t g = 0; g < l->spec->ngroup; g++) {
        fprintf(fp, "\"%s\":\"", lk_field_name(l->spec->group[g]));
        for (size_t i = 0; i < row->group[g].len; i++) {
            unsigned char c = (unsigned char)row->group[g].ptr[i];
            if (c == '"' || c == '\\')
                fprintf(fp, "\\%c", c);
            else if (c < 0x20)
                fprintf(fp, "\\u%04x", c);
            else
                fputc(c, fp);
        }
        fputs("\",", fp);
    }
    lk_time_format(row->window_start, t0);
    lk_time_format(row->window_end, t1);
    fprintf(fp, "\"window_start\":\"%s\",\"window_end\":\"%s\"", t0, t1);
    for (size_t i = 0; i < l->spec->naggs; i++) {
        if (lk_agg_is_money(l->spec->aggs[i].fn)) {
            lk_money_format(row->values[i], money, sizeof(money));
            fprintf(fp, ",\"%s\":%s", l->spec->aggs[i].as, money);
        } else {
            fprintf(fp, ",\"%s\":%" PRId64, l->spec->aggs[i].as, row->values[i]);
        }
    }
    fputs("}\n", fp);
}

static int same_tenant(const struct lk_str *a, const struct lk_str *b)
{
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* Write the rows of one tenant (rows[i] for which done[i] == 0 and tenant matches). */
static int write_tenant(struct lk_lake *l, uint64_t batch, const struct lk_csv_row *const *rows,
                        size_t n, size_t first, char *done, uint64_t *bytes, struct lk_err *err)
{
    const struct lk_str *tenant = &rows[first]->group[l->tenant_col];
    struct lk_atomic a = LK_ATOMIC_INIT;
    size_t plen = strlen(l->dir) + 3 * tenant->len + 64;
    char *esc = lk_xmalloc(3 * tenant->len + 1), *path = lk_xmalloc(plen);
    int rc;
    lk_lake_escape(tenant->ptr, tenant->len, esc);
    snprintf(path, plen, "%s/tenant=%s", l->dir, esc);
    rc = lk_mkdir_p(path, err);
    snprintf(path, plen, "%s/tenant=%s/part-%05" PRIu64 ".jsonl", l->dir, esc, batch);
    if (rc == 0 && (rc = lk_atomic_open(&a, path, err)) == 0) {
        a.durability = l->durability;
        for (size_t i = first; i < n; i++) {
            if (!done[i] && same_tenant(&rows[i]->group[l->tenant_col], tenant)) {
                put_row(l, a.fp, rows[i]);
                done[i] = 1;
            }
        }
        *bytes += (uint64_t)ftell(a.fp);
        rc = lk_atomic_commit(&a, err);
    }
    free(esc);
    free(path);
    return rc;
}

int lk_lake_write(struct lk_lake *l, uint64_t batch, const struct lk_csv_row *const *rows, size_t n,
                  uint64_t *files, uint64_t *bytes, struct lk_err *err)
{
    char *done = lk_xcalloc(n ? n : 1, 1);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (done[i])
            continue;
        rc = write_tenant(l, batch, rows, n, i, done, bytes, err);
        (*files)++;
    }
    free(done);
    return rc;
}
