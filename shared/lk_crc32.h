/*
 * lk_crc32 - CRC-32 (IEEE 802.3, the polynomial zlib and gzip use) for the checksummed
 * files of lk_file (checkpoints, "#lk-crc32" trailers). Same bits on every machine:
 * slicing-by-8 for long buffers, carry-less multiplication (PCLMULQDQ) on x86-64 CPUs
 * that have it (detected at run time), the byte loop otherwise; tests compare every path
 * with the bit-by-bit definition.
 */
#ifndef LK_CRC32_H
#define LK_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE, as zlib) of a buffer, continuing from crc (start with 0). */
uint32_t lk_crc32(uint32_t crc, const void *data, size_t len);
/* The CRC of A followed by B from crc1 = CRC(A), crc2 = CRC(B) and B's length (zlib's). */
uint32_t lk_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2);

#endif
