/*
 * ds_rand - the generator's randomness and math, identical bits on every machine.
 *
 * What: a xoshiro256** generator seeded through splitmix64, uniform draws, a stateless
 * hash for "random but addressable" decisions, and the few transcendental functions the
 * generator needs (natural log, exp, power) written with + - * / and integer bit
 * manipulation only. libm's exp/log/pow may round differently across libms; these do not,
 * as long as doubles are IEEE 754 binary64 and the compiler does not contract a*b+c into
 * an FMA (the Makefile passes -ffp-contract=off).
 *
 * Invariants: ds_rand_double is in [0, 1) with 53 random bits; ds_rand_below(r, n) is in
 * [0, n) for n > 0. ds_log is defined for x > 0 (returns -HUGE for x <= 0), ds_exp is
 * accurate to a few ulps on [-700, 700] and saturates outside it.
 *
 * Streams: the generator uses one ds_rand per purpose (times, attributes, delays, ...),
 * each seeded by ds_rand_init(r, seed, purpose), so that changing one parameter (say the
 * duplicate fraction) does not reshuffle unrelated choices (say the event times).
 *
 * Nothing here allocates except ds_alias_*; nothing fails.
 */
#ifndef DS_RAND_H
#define DS_RAND_H

#include <stddef.h>
#include <stdint.h>

struct ds_rand {
    uint64_t s[4];
};

/* splitmix64 step: a good 64-bit mixer; *state advances. */
uint64_t ds_splitmix64(uint64_t *state);
/* Stateless mix of up to three words (seed, purpose, index): a hash for addressable choices. */
uint64_t ds_mix3(uint64_t a, uint64_t b, uint64_t c);

/* Seed stream `purpose` of `seed`. */
void ds_rand_init(struct ds_rand *r, uint64_t seed, uint64_t purpose);
uint64_t ds_rand_next(struct ds_rand *r);
/* Uniform in [0, 1). */
double ds_rand_double(struct ds_rand *r);
/* Uniform integer in [0, n), n > 0 (multiply-shift; bias below 2^-32 for n < 2^32). */
uint64_t ds_rand_below(struct ds_rand *r, uint64_t n);
/* 1 with probability p. */
int ds_rand_bernoulli(struct ds_rand *r, double p);
/* Exponential with the given mean (>= 0). */
double ds_rand_exponential(struct ds_rand *r, double mean);
/* Approximately standard normal (Irwin-Hall: sum of 12 uniforms - 6, bounded by +-6). */
double ds_rand_normal(struct ds_rand *r);

/* Deterministic natural logarithm, exponential and x^y for x > 0. */
double ds_log(double x);
double ds_exp(double x);
double ds_pow(double x, double y);

/*
 * A discrete distribution over 0..n-1 (n <= 2^32) as a Walker/Vose alias table: O(1)
 * sampling with one 64-bit draw (32 bits pick the column, 32 bits the coin). The
 * table is built with plain double arithmetic in a fixed order, so it is the same
 * everywhere. ds_alias_zipf uses weights (rank+1)^-s (s = 0 gives uniform).
 */
struct ds_alias_cell {
    double prob;    /* keep this column with this probability ... */
    uint32_t alias; /* ... else take this one */
};
struct ds_alias {
    struct ds_alias_cell *cell;
    size_t n;
};
/* From non-negative weights with a positive sum. */
void ds_alias_init(struct ds_alias *a, const double *w, size_t n);
void ds_alias_zipf(struct ds_alias *a, size_t n, double s);
size_t ds_alias_sample(const struct ds_alias *a, struct ds_rand *r);
void ds_alias_release(struct ds_alias *a);

#endif
