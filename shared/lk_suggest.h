/*
 * lk_suggest - "did you mean ...?": the name nearest to a mistyped one, for the one-line
 * usage errors of an unknown command or pipeline.
 *
 * Nearness is the edit distance (optimal string alignment): inserting, deleting or
 * replacing one byte, or swapping two neighbouring bytes, costs 1 each. Bytes are compared
 * as they are (no case folding, no UTF-8 decoding). Nothing fails; nothing is kept.
 */
#ifndef LK_SUGGEST_H
#define LK_SUGGEST_H

#include <stddef.h>

/* Edit distance between a and b ("kapa" -> "kappa" is 1, "lamdba" -> "lambda" is 1). */
size_t lk_suggest_distance(const char *a, const char *b);

/*
 * The name of names[0..n) nearest to typed when it is near enough to be a likely typo
 * (distance at most 2 and less than typed's length), else NULL. On a tie, the first in
 * names order. The result points into names.
 */
const char *lk_suggest(const char *typed, const char *const *names, size_t n);

#endif
