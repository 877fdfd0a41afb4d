/*
 * lk_hll - HyperLogLog: approximate distinct counts that merge (the Lambda speed layer,
 * docs/lambda.md).
 *
 * Parameters: p = 12, so m = 4096 registers of 6 bits' worth (kept as bytes). Items are
 * hashed with lk_hash_bytes (64 bits): the low p bits pick a register, the register keeps
 * the largest rho = 1 + trailing zeros of the remaining 52 bits (at most 53).
 *
 * ERROR BOUND: the relative standard error of the estimate is 1.04 / sqrt(m) = 1.625 %.
 * About 99.7 % of estimates fall within 3 standard errors (4.9 %) of the true count.
 * For small counts (up to a few hundred) the estimator equals linear counting,
 * m * ln(m / empty registers), whose error is far smaller: its standard deviation is
 * sqrt(m * (e^t - t - 1)) items for t = n / m, about 0.1 at n = 10 and 1.1 at n = 100.
 * (tests/test_lk_hll.c checks both bounds over many seeds and sizes.)
 *
 * Estimator: Ertl's "improved raw estimator" (O. Ertl, "New cardinality estimation
 * algorithms for HyperLogLog sketches", 2017; also what Redis uses): it needs no bias
 * tables and has no jump between the small and large ranges.
 *
 * Representation: SPARSE (sorted list of the non-zero registers, 4 bytes each) while at
 * most LK_HLL_SPARSE_MAX registers are set, DENSE (4096 bytes) afterwards. The choice
 * depends only on the set registers, so merging sketches gives exactly (byte for byte)
 * the sketch of the union of their items: merge is register-wise max, associative,
 * commutative, with the empty sketch as identity.
 *
 * Serialized form (blobs in SQLite): byte 0 'S' or 'D', byte 1 = p (12); then for 'S' a
 * count n (uint32 little endian) and n entries (uint32 LE: register << 8 | rho, ascending
 * registers); for 'D' the 4096 register bytes. The empty sketch serializes as 'S' n = 0.
 *
 * Memory: a sketch owns its buffers; lk_hll_clear empties it and keeps them for reuse
 * (no allocation per item once warm); lk_hll_release frees them (NULL-safe).
 */
#ifndef LK_HLL_H
#define LK_HLL_H

#include <stddef.h>
#include <stdint.h>

#define LK_HLL_P 12
#define LK_HLL_M (1u << LK_HLL_P)
#define LK_HLL_SPARSE_MAX (LK_HLL_M / 4) /* above this many set registers: dense */
#define LK_HLL_STDERR 0.01625            /* 1.04 / sqrt(4096) */

struct lk_hll {
    uint32_t *sparse; /* sorted entries (reg << 8 | rho) while !dense */
    uint32_t n, cap;  /* entries used / allocated */
    uint8_t *regs;    /* LK_HLL_M registers; valid while dense */
    int dense;
};
#define LK_HLL_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, NULL, 0                                                                        \
    }

void lk_hll_init(struct lk_hll *h);
void lk_hll_release(struct lk_hll *h);
/* Make h empty again, keeping its buffers. */
void lk_hll_clear(struct lk_hll *h);

/* Add an item by its 64-bit hash / by its bytes (hashed with lk_hash_bytes). */
void lk_hll_add_hash(struct lk_hll *h, uint64_t hash);
void lk_hll_add(struct lk_hll *h, const void *item, size_t len);

/* dst := dst (+) src (register-wise max). */
void lk_hll_merge(struct lk_hll *dst, const struct lk_hll *src);

/* The estimate, and the estimate rounded to the nearest whole number. */
double lk_hll_estimate(const struct lk_hll *h);
int64_t lk_hll_count(const struct lk_hll *h);

/* Number of set (non-zero) registers. */
size_t lk_hll_nonzero(const struct lk_hll *h);

/* Bytes lk_hll_serialize writes; then write them into buf (room for that many). */
size_t lk_hll_serialized_size(const struct lk_hll *h);
size_t lk_hll_serialize(const struct lk_hll *h, unsigned char *buf);
/*
 * Merge a serialized sketch into dst (dst (+) blob). Returns 0, or LK_ECORRUPT when the
 * blob is not a valid serialized sketch (dst is then unchanged).
 */
int lk_hll_merge_blob(struct lk_hll *dst, const void *blob, size_t len);

#endif
