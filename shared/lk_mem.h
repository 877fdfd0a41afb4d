/*
 * lk_mem - allocation that cannot fail, and growable arrays.
 *
 * Out of memory is not an error the lab recovers from: lk_xmalloc and friends print one
 * line to stderr and abort. No function in the library therefore "returns NULL on OOM".
 * Sizes are overflow-checked (a size that overflows size_t aborts the same way).
 */
#ifndef LK_MEM_H
#define LK_MEM_H

#include <stddef.h>

void *lk_xmalloc(size_t size);
void *lk_xcalloc(size_t n, size_t size);
void *lk_xrealloc(void *p, size_t size);
/* realloc to n elements of size bytes each, checking n * size for overflow. */
void *lk_xreallocarray(void *p, size_t n, size_t size);
char *lk_xstrdup(const char *s);
char *lk_xstrndup(const char *s, size_t n);

/*
 * Grow *arr (of *cap elements of elsize bytes) so it holds at least need elements;
 * geometric growth so that appending n elements costs O(n) in total.
 */
void lk_grow(void **arr, size_t *cap, size_t need, size_t elsize);
#define LK_GROW(arr, cap, need) lk_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
