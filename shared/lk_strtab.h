/*
 * lk_strtab - a string interner: byte strings -> dense ids 0, 1, 2, ...
 *
 * Interning the same bytes twice gives the same id; ids are handed out in first-seen
 * order and never change. The bytes are copied into an arena owned by the table and
 * stay valid until lk_strtab_free. Lookups and inserts are O(1) on average and do not
 * allocate except when the table or the arena grows (amortized, geometric).
 * Used for tenants/keys/types (so aggregates work on small integers) and for event_id
 * dedup sets.
 */
#ifndef LK_STRTAB_H
#define LK_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "lk_str.h"

struct lk_strtab;

struct lk_strtab *lk_strtab_new(void);
void lk_strtab_free(struct lk_strtab *t);

/* Id of s, adding it when new; *added (may be NULL) is set to 1 when it was new. */
uint32_t lk_strtab_intern(struct lk_strtab *t, const char *s, size_t len, int *added);
/* Id of s, or UINT32_MAX when absent. */
uint32_t lk_strtab_find(const struct lk_strtab *t, const char *s, size_t len);
/*
 * The same with s's lk_strtab_hash computed ahead (hash must be lk_strtab_hash(s, len)),
 * and a hint that a string of that hash will be looked up soon (starts loading its
 * slot; changes nothing).
 */
uint32_t lk_strtab_intern_hashed(struct lk_strtab *t, const char *s, size_t len, uint64_t hash,
                                 int *added);
void lk_strtab_prefetch(const struct lk_strtab *t, uint64_t hash);
/* The bytes of an id. */
struct lk_str lk_strtab_get(const struct lk_strtab *t, uint32_t id);
/* Number of distinct strings. */
size_t lk_strtab_count(const struct lk_strtab *t);
/* Approximate bytes held (for state-size metrics). */
size_t lk_strtab_bytes(const struct lk_strtab *t);

/* FNV-1a 64 of len bytes, continuing from h (LK_FNV1A_BASIS to start): the plain, published
   function, for fingerprints (of what an answer depends on: checkpoint and run bindings;
   not a defence) and seeds that must not change between versions. */
#define LK_FNV1A_BASIS 14695981039346656037ULL
uint64_t lk_fnv1a(uint64_t h, const void *p, size_t len);
/* 64-bit FNV-1a-style hash (partitioning: its values are part of the dataset format). */
uint64_t lk_hash_bytes(const void *p, size_t len);
/* The tables' hash: faster on short strings; its values may change between versions. */
uint64_t lk_strtab_hash(const void *p, size_t len);

#endif
