/* Lab 06 reference solution: the serving merge (merge.h). */
#include "merge.h"

void serving_merge(const struct cell *batch, int64_t cutoff, const struct speed_row *speed,
                   size_t nspeed, struct cell *out)
{
    static const struct cell empty = { 0, 0, INT64_MAX, INT64_MIN };
    *out = batch ? *batch : empty;
    for (size_t i = 0; i < nspeed; i++) {
        const struct cell *c = &speed[i].cell;
        /* the view covers every arrival at or before its cutoff: a bucket ending AT the
         * cutoff is the view's (the skeleton's '<' counted it twice) */
        if (speed[i].bucket_end <= cutoff)
            continue;
        out->events += c->events;
        out->value_sum += c->value_sum;
        if (c->value_min < out->value_min)
            out->value_min = c->value_min;
        if (c->value_max > out->value_max)
            out->value_max = c->value_max;
    }
}
