/*
 * kp_mem - big arrays for the engine's hot tables (dedup ids, cells, output rows, state
 * text): geometric growth like LK_GROW (x4 once past 2 MB), and past 2 MB an array lives
 * on 2 MB-aligned blocks advised as transparent huge pages (madvise MADV_HUGEPAGE, where
 * the system has it; untouched capacity then costs no memory). A table of a million
 * entries then costs a few dozen page faults instead of tens of thousands, which is most
 * of its first-touch cost.
 *
 * Memory: the arrays are ordinary heap blocks (free() releases them); allocation failure
 * aborts as in lk_mem. Nothing here changes what the arrays hold.
 */
#ifndef KP_MEM_H
#define KP_MEM_H

#include <stddef.h>

/* Grow *arr (of *cap elements of elsize bytes) to hold at least need elements. */
void kp_big_grow(void **arr, size_t *cap, size_t need, size_t elsize);
#define KP_BIG_GROW(arr, cap, need)                                                                \
    do {                                                                                           \
        if ((need) > (cap))                                                                        \
            kp_big_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)));                          \
    } while (0)

/* A zeroed block of n * size bytes, on huge pages when it is big. */
void *kp_big_calloc(size_t n, size_t size);

#endif
