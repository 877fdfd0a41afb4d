#include "lk_suggest.h"

#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "banned.h"

size_t lk_suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d;
    /* three rows of the dynamic-programming table: i - 2, i - 1 and i */
    size_t *rows = lk_xcalloc(3 * (lb + 1), sizeof(*rows));
    size_t *pp = rows, *p = rows + lb + 1, *c = rows + 2 * (lb + 1), *t;
    for (size_t j = 0; j <= lb; j++)
        p[j] = j;
    for (size_t i = 1; i <= la; i++) {
        c[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = p[j - 1] + (a[i - 1] != b[j - 1]);
            if (p[j] + 1 < best)
                best = p[j] + 1;
            if (c[j - 1] + 1 < best)
                best = c[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            c[j] = best;
        }
        t = pp;
        pp = p;
        p = c;
        c = t;
    }
    d = p[lb];
    free(rows);
    return d;
}

const char *lk_suggest(const char *typed, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3, len = strlen(typed);
    for (size_t i = 0; i < n; i++) {
        size_t d = lk_suggest_distance(typed, names[i]);
        if (d < best_d && d < len) {
            best = names[i];
            best_d = d;
        }
    }
    return best;
}
