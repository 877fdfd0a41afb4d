#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE) */
#include "kp_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lk_mem.h"
#include "banned.h"

#define HUGE_PAGE ((size_t)2 << 20)

/* bytes on a 2 MB-aligned block advised as huge pages; NULL when that is not available. */
static void *huge_alloc(size_t bytes)
{
    void *p;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

void kp_big_grow(void **arr, size_t *cap, size_t need, size_t elsize)
{
    size_t ncap = *cap ? *cap : 16;
    void *p;
    if (need <= *cap)
        return;
    while (ncap < need) { /* x2, or x4 once past 2 MB: untouched huge pages cost nothing */
        size_t factor = ncap * elsize < HUGE_PAGE ? 2 : 4;
        if (ncap > SIZE_MAX / factor / elsize)
            ncap = SIZE_MAX / elsize + 1; /* lk_xreallocarray sees the overflow and aborts */
        else
            ncap *= factor;
    }
    if (ncap * elsize < HUGE_PAGE || (p = huge_alloc(ncap * elsize)) == NULL) {
        *arr = lk_xreallocarray(*arr, ncap, elsize);
    } else {
        if (*cap)
            memcpy(p, *arr, *cap * elsize);
        free(*arr);
        *arr = p;
    }
    *cap = ncap;
}

void *kp_big_calloc(size_t n, size_t size)
{
    void *p;
    if (n > SIZE_MAX / size || n * size < HUGE_PAGE || (p = huge_alloc(n * size)) == NULL)
        return lk_xcalloc(n, size);
    memset(p, 0, n * size);
    return p;
}
