#include "lk_mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void lk_oom(size_t size)
{
    fprintf(stderr, "lklab: out of memory (allocating %zu bytes)\n", size);
    abort();
}

void *lk_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        lk_oom(size);
    return p;
}

void *lk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        lk_oom(n * size);
    return p;
}

void *lk_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        lk_oom(size);
    return q;
}

void *lk_xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        lk_oom(SIZE_MAX);
    return lk_xrealloc(p, n * size);
}

char *lk_xstrdup(const char *s)
{
    return lk_xstrndup(s, strlen(s));
}

char *lk_xstrndup(const char *s, size_t n)
{
    char *p = lk_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void lk_grow(void **arr, size_t *cap, size_t need, size_t elsize)
{
    size_t ncap;
    if (need <= *cap)
        return;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            lk_oom(SIZE_MAX);
        ncap *= 2;
    }
    *arr = lk_xreallocarray(*arr, ncap, elsize);
    *cap = ncap;
}
