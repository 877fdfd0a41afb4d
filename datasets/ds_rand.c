#include "ds_rand.h"

#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "banned.h"

/* ------------------------------------------------------------------ PRNG ---- */

uint64_t ds_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t ds_mix3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t st = a;
    uint64_t h = ds_splitmix64(&st);
    st = h ^ b;
    h = ds_splitmix64(&st);
    st = h ^ c;
    return ds_splitmix64(&st);
}

void ds_rand_init(struct ds_rand *r, uint64_t seed, uint64_t purpose)
{
    uint64_t st = ds_mix3(seed, purpose, 0x6c6b6c6162ULL); /* "lklab" */
    for (int i = 0; i < 4; i++)
        r->s[i] = ds_splitmix64(&st);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t ds_rand_next(struct ds_rand *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ds_rand_double(struct ds_rand *r)
{
    return (double)(ds_rand_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t ds_rand_below(struct ds_rand *r, uint64_t n)
{
    uint64_t x = ds_rand_next(r);
    /* 64x64 -> high 64 bits without __int128 */
    uint64_t xl = x & 0xffffffffu, xh = x >> 32, nl = n & 0xffffffffu, nh = n >> 32;
    uint64_t ll = xl * nl, lh = xl * nh, hl = xh * nl, hh = xh * nh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

int ds_rand_bernoulli(struct ds_rand *r, double p)
{
    return ds_rand_double(r) < p;
}

double ds_rand_exponential(struct ds_rand *r, double mean)
{
    return -mean * ds_log(1.0 - ds_rand_double(r));
}

double ds_rand_normal(struct ds_rand *r)
{
    double s = 0.0;
    for (int i = 0; i < 12; i++)
        s += ds_rand_double(r);
    return s - 6.0;
}

/* ------------------------------------------------------------------ math ---- */

#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define LN2 6.93147180559945309417e-01
#define SQRT2 1.41421356237309504880

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof(d));
    return d;
}

static uint64_t to_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof(b));
    return b;
}

/* 1/(2k+1) and 1/n as constants (folded by the compiler, correctly rounded). */
static const double inv_odd[13] = {
    1.0 / 1,  1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
    1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25,
};
static const double inv_int[19] = {
    0.0,      1.0 / 1,  1.0 / 2,  1.0 / 3,  1.0 / 4,  1.0 / 5,  1.0 / 6,
    1.0 / 7,  1.0 / 8,  1.0 / 9,  1.0 / 10, 1.0 / 11, 1.0 / 12, 1.0 / 13,
    1.0 / 14, 1.0 / 15, 1.0 / 16, 1.0 / 17, 1.0 / 18,
};

/* 2^k for -1022 <= k <= 1023, exactly. */
static double pow2i(int k)
{
    return from_bits((uint64_t)(k + 1023) << 52);
}

double ds_log(double x)
{
    uint64_t b = to_bits(x);
    int e = (int)((b >> 52) & 0x7ff);
    double m, f, f2, t;
    if (!(x > 0.0))
        return -1.7976931348623157e308;
    if (e == 0x7ff)
        return x; /* +inf or nan */
    if (e == 0)   /* subnormal: scale into the normal range */
        return ds_log(x * 18014398509481984.0) - 54.0 * LN2;
    e -= 1023;
    m = from_bits((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL); /* [1, 2) */
    if (m > SQRT2) {
        m *= 0.5;
        e++;
    }
    /* ln m = 2 atanh(f), f = (m-1)/(m+1), |f| < 0.172: odd series to f^27 */
    f = (m - 1.0) / (m + 1.0);
    f2 = f * f;
    t = 1.0 / 27.0;
    for (int k = 12; k >= 0; k--)
        t = t * f2 + inv_odd[k];
    return (double)e * LN2_HI + ((double)e * LN2_LO + 2.0 * f * t);
}

double ds_exp(double x)
{
    int k, k1;
    double r, p;
    if (x != x)
        return x;
    if (x > 709.0)
        return 1.7976931348623157e308;
    if (x < -745.0)
        return 0.0;
    k = (int)(x / LN2 + (x >= 0.0 ? 0.5 : -0.5));
    r = (x - (double)k * LN2_HI) - (double)k * LN2_LO; /* |r| <= ~0.35 */
    p = 1.0;
    for (int n = 18; n >= 1; n--)
        p = 1.0 + p * r * inv_int[n];
    k1 = k / 2;
    return p * pow2i(k1) * pow2i(k - k1);
}

double ds_pow(double x, double y)
{
    return ds_exp(y * ds_log(x));
}

/* ---------------------------------------------------------------- alias ----- */

void ds_alias_init(struct ds_alias *a, const double *w, size_t n)
{
    double sum = 0.0, *p = lk_xreallocarray(NULL, n, sizeof(double));
    size_t *small = lk_xreallocarray(NULL, n, sizeof(size_t));
    size_t *large = lk_xreallocarray(NULL, n, sizeof(size_t));
    size_t ns = 0, nl = 0;
    a->cell = lk_xreallocarray(NULL, n, sizeof(*a->cell));
    a->n = n;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    for (size_t i = 0; i < n; i++) {
        p[i] = w[i] * (double)n / sum;
        a->cell[i].prob = 1.0;
        a->cell[i].alias = (uint32_t)i;
        if (p[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
        size_t s = small[--ns], l = large[--nl];
        a->cell[s].prob = p[s];
        a->cell[s].alias = (uint32_t)l;
        p[l] = (p[l] + p[s]) - 1.0;
        if (p[l] < 1.0)
            small[ns++] = l;
        else
            large[nl++] = l;
    }
    /* leftovers (rounding) keep prob 1 */
    free(p);
    free(small);
    free(large);
}

void ds_alias_zipf(struct ds_alias *a, size_t n, double s)
{
    double *w = lk_xreallocarray(NULL, n, sizeof(double));
    for (size_t i = 0; i < n; i++)
        w[i] = s == 0.0 ? 1.0 : ds_exp(-s * ds_log((double)(i + 1)));
    ds_alias_init(a, w, n);
    free(w);
}

size_t ds_alias_sample(const struct ds_alias *a, struct ds_rand *r)
{
    uint64_t x = ds_rand_next(r);
    size_t i = (size_t)(((x >> 32) * (uint64_t)a->n) >> 32);
    double coin = (double)(x & 0xffffffffu) * (1.0 / 4294967296.0);
    return coin < a->cell[i].prob ? i : a->cell[i].alias;
}

void ds_alias_release(struct ds_alias *a)
{
    if (!a)
        return;
    free(a->cell);
    a->cell = NULL;
    a->n = 0;
}
