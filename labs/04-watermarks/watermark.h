/*
 * Lab 04 exercise: the two rules of an event-time watermark (Spark >= 3.4, docs/kappa.md).
 * Times are int64 milliseconds since 1970 (UTC). Write them in watermark.c.
 */
#ifndef LAB04_WATERMARK_H
#define LAB04_WATERMARK_H

#include <stdint.h>

/*
 * The watermark after a batch. current: the watermark so far (it starts at 0, the
 * epoch); max_event_time: the largest event_time seen so far (all rows count: late and
 * duplicate ones too); delay: the watermark delay (--watermark). Returns the next
 * watermark: max_event_time - delay, but a watermark never goes back.
 */
int64_t wm_next(int64_t current, int64_t max_event_time, int64_t delay);

/*
 * The late-row rule. A row that falls in the window [window_start, window_end) read by a
 * batch whose late-filter watermark is late_watermark (L_N, the watermark computed two
 * batches back) is late when its window was already final for that watermark.
 * Returns 1 when late, 0 otherwise.
 */
int wm_is_late(int64_t window_end, int64_t late_watermark);

#endif
