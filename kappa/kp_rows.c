#include "kp_rows.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kp_mem.h"
#include "lk_mem.h"
#include "banned.h"

int kp_rows_add(void *rows, const struct lk_csv_row *row)
{
    struct kp_rows *r = rows;
    KP_BIG_GROW(r->v, r->cap, r->n + 1);
    r->v[r->n++] = *row;
    return 0;
}

void kp_rows_release(struct kp_rows *r)
{
    if (!r)
        return;
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

/* ------------------------------------------------------------- order ---- */

struct row_key {
    uint32_t rank; /* group tuple: first its number, then its rank */
    uint32_t idx;  /* position in collection order */
    int64_t start, end;
};

struct group_ref {
    const struct lk_csv_row *row; /* the tuple's first row */
    size_t ngroup;
    uint32_t id;
};

static int row_key_cmp(const void *a, const void *b)
{
    const struct row_key *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Canonical order of the group strings alone. */
static int group_ref_cmp(const void *a, const void *b)
{
    const struct group_ref *x = a, *y = b;
    struct lk_csv_row rx = *x->row, ry = *y->row;
    rx.window_start = ry.window_start = rx.window_end = ry.window_end = 0;
    return lk_csv_row_cmp(&rx, &ry, x->ngroup);
}

static int same_groups(const struct lk_csv_row *a, const struct lk_csv_row *b, size_t ngroup)
{
    for (size_t g = 0; g < ngroup; g++)
        if (a->group[g].ptr != b->group[g].ptr || a->group[g].len != b->group[g].len)
            return 0;
    return 1;
}

static uint64_t group_hash(const struct lk_csv_row *r, size_t ngroup)
{
    uint64_t h = 0;
    for (size_t g = 0; g < ngroup; g++)
        h = (h ^ (uint64_t)(uintptr_t)r->group[g].ptr ^ r->group[g].len) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/* Number the distinct tuples of rows[0..n) (keys[i].rank = number); refs[] gets one row each. */
static size_t number_groups(const struct lk_csv_row *const *rows, size_t n, size_t ngroup,
                            struct row_key *keys, struct group_ref *refs)
{
    size_t cap = 16, ntuples = 0;
    uint32_t *slots;
    while (cap < 2 * n)
        cap *= 2;
    slots = lk_xcalloc(cap, sizeof(*slots));
    for (size_t i = 0; i < n; i++) {
        const struct lk_csv_row *r = rows[i];
        size_t s = group_hash(r, ngroup) & (cap - 1);
        for (; slots[s]; s = (s + 1) & (cap - 1))
            if (same_groups(refs[slots[s] - 1].row, r, ngroup))
                break;
        if (!slots[s]) {
            refs[ntuples] = (struct group_ref){ r, ngroup, (uint32_t)ntuples };
            slots[s] = (uint32_t)++ntuples;
        }
        keys[i] = (struct row_key){ slots[s] - 1, (uint32_t)i, r->window_start, r->window_end };
    }
    free(slots);
    return ntuples;
}

/* Sort rows[0..n) in place: rank the tuples by their strings, then sort integer keys. */
static void sort_pointers(const struct lk_csv_row **rows, size_t n, size_t ngroup)
{
    size_t m = n ? n : 1, ntuples;
    struct row_key *keys = lk_xreallocarray(NULL, m, sizeof(*keys));
    struct group_ref *refs = lk_xreallocarray(NULL, m, sizeof(*refs));
    uint32_t *rank = lk_xreallocarray(NULL, m, sizeof(*rank));
    const struct lk_csv_row **tmp = lk_xreallocarray(NULL, m, sizeof(*tmp));
    ntuples = number_groups(rows, n, ngroup, keys, refs);
    qsort(refs, ntuples, sizeof(*refs), group_ref_cmp);
    for (size_t k = 0, r = 0; k < ntuples; k++) {
        if (k > 0 && group_ref_cmp(&refs[k - 1], &refs[k]) != 0)
            r++;
        rank[refs[k].id] = (uint32_t)r;
    }
    for (size_t i = 0; i < n; i++)
        keys[i].rank = rank[keys[i].rank];
    qsort(keys, n, sizeof(*keys), row_key_cmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = rows[keys[i].idx];
    memcpy(rows, tmp, n * sizeof(*rows));
    free(tmp);
    free(rank);
    free(refs);
    free(keys);
}

size_t kp_rows_sort(const struct kp_rows *const *sets, size_t nsets, size_t ngroup,
                    const struct lk_csv_row ***order, size_t *cap)
{
    size_t n = 0, k = 0;
    for (size_t s = 0; s < nsets; s++)
        n += sets[s]->n;
    if (n == 0)
        return 0;
    if (n > *cap)
        LK_GROW(*order, *cap, n);
    for (size_t s = 0; s < nsets; s++)
        for (size_t i = 0; i < sets[s]->n; i++)
            (*order)[k++] = &sets[s]->v[i];
    sort_pointers(*order, n, ngroup);
    return n;
}
