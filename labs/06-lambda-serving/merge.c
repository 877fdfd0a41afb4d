/*
 * Lab 06: the serving merge (merge.h). Two things to do:
 *   1. min and max are not merged yet: write them;
 *   2. there is a bug at the seam between the batch view and the speed layer: find it with
 *      the fixture datasets/fixtures/lambda-seam.jsonl (README, step 3) and fix it.
 */
#include "merge.h"

void serving_merge(const struct cell *batch, int64_t cutoff, const struct speed_row *speed,
                   size_t nspeed, struct cell *out)
{
    static const struct cell empty = { 0, 0, INT64_MAX, INT64_MIN };
    *out = batch ? *batch : empty;
    for (size_t i = 0; i < nspeed; i++) {
        if (speed[i].bucket_end < cutoff) /* the batch view counted these already */
            continue;
        out->events += speed[i].cell.events;
        out->value_sum += speed[i].cell.value_sum;
        /* TODO: value_min and value_max */
    }
}
