#include "lk_hll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lk_err.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "banned.h"

#define Q (64 - LK_HLL_P) /* hash bits left after the register index */
#define RHO_MAX (Q + 1)

void lk_hll_init(struct lk_hll *h)
{
    memset(h, 0, sizeof(*h));
}

void lk_hll_release(struct lk_hll *h)
{
    if (!h)
        return;
    free(h->sparse);
    free(h->regs);
    lk_hll_init(h);
}

void lk_hll_clear(struct lk_hll *h)
{
    h->n = 0;
    h->dense = 0;
}

static void to_dense(struct lk_hll *h)
{
    if (!h->regs)
        h->regs = lk_xmalloc(LK_HLL_M);
    memset(h->regs, 0, LK_HLL_M);
    for (uint32_t i = 0; i < h->n; i++)
        h->regs[h->sparse[i] >> 8] = (uint8_t)(h->sparse[i] & 0xff);
    h->dense = 1;
}

/* Index of the first sparse entry whose register is >= reg. */
static uint32_t sparse_find(const struct lk_hll *h, uint32_t reg)
{
    uint32_t lo = 0, hi = h->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((h->sparse[mid] >> 8) < reg)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Register reg := max(register, rho). */
static void set_max(struct lk_hll *h, uint32_t reg, uint8_t rho)
{
    uint32_t i;
    if (h->dense) {
        if (h->regs[reg] < rho)
            h->regs[reg] = rho;
        return;
    }
    i = sparse_find(h, reg);
    if (i < h->n && (h->sparse[i] >> 8) == reg) {
        if ((h->sparse[i] & 0xff) < rho)
            h->sparse[i] = reg << 8 | rho;
        return;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap;
        LK_GROW(h->sparse, cap, (size_t)h->n + 1);
        h->cap = (uint32_t)cap;
    }
    memmove(h->sparse + i + 1, h->sparse + i, (h->n - i) * sizeof(*h->sparse));
    h->sparse[i] = reg << 8 | rho;
    if (++h->n > LK_HLL_SPARSE_MAX)
        to_dense(h);
}

void lk_hll_add_hash(struct lk_hll *h, uint64_t hash)
{
    uint32_t reg = (uint32_t)(hash & (LK_HLL_M - 1));
    uint64_t w = (hash >> LK_HLL_P) | ((uint64_t)1 << Q); /* sentinel caps rho at Q + 1 */
    set_max(h, reg, (uint8_t)(__builtin_ctzll(w) + 1));
}

void lk_hll_add(struct lk_hll *h, const void *item, size_t len)
{
    lk_hll_add_hash(h, lk_hash_bytes(item, len));
}

void lk_hll_merge(struct lk_hll *dst, const struct lk_hll *src)
{
    if (src->dense) {
        if (!dst->dense)
            to_dense(dst);
        for (uint32_t r = 0; r < LK_HLL_M; r++)
            if (dst->regs[r] < src->regs[r])
                dst->regs[r] = src->regs[r];
        return;
    }
    for (uint32_t i = 0; i < src->n; i++)
        set_max(dst, src->sparse[i] >> 8, (uint8_t)(src->sparse[i] & 0xff));
}

size_t lk_hll_nonzero(const struct lk_hll *h)
{
    size_t n = 0;
    if (!h->dense)
        return h->n;
    for (uint32_t r = 0; r < LK_HLL_M; r++)
        n += h->regs[r] != 0;
    return n;
}

/* ------------------------------------------------------------ estimate ---- */

static double sigma(double x)
{
    double y = 1.0, z = x, prev;
    if (x == 1.0)
        return INFINITY;
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (prev != z);
    return z;
}

static double tau(double x)
{
    double y = 1.0, z = 1.0 - x, prev;
    if (x == 0.0 || x == 1.0)
        return 0.0;
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (prev != z);
    return z / 3.0;
}

double lk_hll_estimate(const struct lk_hll *h)
{
    uint32_t hist[RHO_MAX + 1] = { 0 };
    const double m = LK_HLL_M;
    double z;
    if (h->dense) {
        for (uint32_t r = 0; r < LK_HLL_M; r++)
            hist[h->regs[r]]++;
    } else {
        hist[0] = LK_HLL_M - h->n;
        for (uint32_t i = 0; i < h->n; i++)
            hist[h->sparse[i] & 0xff]++;
    }
    z = m * tau((m - hist[RHO_MAX]) / m);
    for (int k = Q; k >= 1; k--) {
        z += hist[k];
        z *= 0.5;
    }
    z += m * sigma(hist[0] / m);
    return (0.5 / log(2.0)) * m * m / z;
}

int64_t lk_hll_count(const struct lk_hll *h)
{
    return (int64_t)llround(lk_hll_estimate(h));
}

/* ----------------------------------------------------------- serialize ---- */

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t lk_hll_serialized_size(const struct lk_hll *h)
{
    return h->dense ? 2 + (size_t)LK_HLL_M : 6 + 4 * (size_t)h->n;
}

size_t lk_hll_serialize(const struct lk_hll *h, unsigned char *buf)
{
    buf[0] = h->dense ? 'D' : 'S';
    buf[1] = LK_HLL_P;
    if (h->dense) {
        memcpy(buf + 2, h->regs, LK_HLL_M);
    } else {
        put_u32(buf + 2, h->n);
        for (uint32_t i = 0; i < h->n; i++)
            put_u32(buf + 6 + 4 * (size_t)i, h->sparse[i]);
    }
    return lk_hll_serialized_size(h);
}

/* 0 when blob is a well-formed serialized sketch. */
static int blob_check(const unsigned char *b, size_t len)
{
    if (len < 2 || b[1] != LK_HLL_P)
        return LK_ECORRUPT;
    if (b[0] == 'D') {
        if (len != 2 + (size_t)LK_HLL_M)
            return LK_ECORRUPT;
        for (size_t r = 0; r < LK_HLL_M; r++)
            if (b[2 + r] > RHO_MAX)
                return LK_ECORRUPT;
        return 0;
    }
    if (b[0] != 'S' || len < 6 || get_u32(b + 2) > LK_HLL_M
        || len != 6 + 4 * (size_t)get_u32(b + 2))
        return LK_ECORRUPT;
    for (uint32_t i = 0, n = get_u32(b + 2); i < n; i++) {
        uint32_t e = get_u32(b + 6 + 4 * (size_t)i), rho = e & 0xff;
        if ((e >> 8) >= LK_HLL_M || rho < 1 || rho > RHO_MAX
            || (i > 0 && (e >> 8) <= (get_u32(b + 2 + 4 * (size_t)i) >> 8)))
            return LK_ECORRUPT;
    }
    return 0;
}

int lk_hll_merge_blob(struct lk_hll *dst, const void *blob, size_t len)
{
    const unsigned char *b = blob;
    if (blob_check(b, len) < 0)
        return LK_ECORRUPT;
    if (b[0] == 'D') {
        if (!dst->dense)
            to_dense(dst);
        for (uint32_t r = 0; r < LK_HLL_M; r++)
            if (dst->regs[r] < b[2 + r])
                dst->regs[r] = b[2 + r];
        return 0;
    }
    for (uint32_t i = 0, n = get_u32(b + 2); i < n; i++) {
        uint32_t e = get_u32(b + 6 + 4 * (size_t)i);
        set_max(dst, e >> 8, (uint8_t)(e & 0xff));
    }
    return 0;
}
