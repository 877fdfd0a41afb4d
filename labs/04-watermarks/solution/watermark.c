/* Lab 04 reference solution. */
#include "watermark.h"

int64_t wm_next(int64_t current, int64_t max_event_time, int64_t delay)
{
    int64_t candidate = max_event_time - delay;
    return candidate > current ? candidate : current; /* never moves back */
}

int wm_is_late(int64_t window_end, int64_t late_watermark)
{
    /* windows are [start, end): a window ending at or before L_N was final already */
    return window_end <= late_watermark;
}
