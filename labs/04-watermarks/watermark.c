/* Lab 04: write the two functions of watermark.h (the README says how to test them). */
#include "watermark.h"

int64_t wm_next(int64_t current, int64_t max_event_time, int64_t delay)
{
    /* TODO: the watermark is max_event_time minus the delay, and it never moves back */
    (void)current;
    (void)delay;
    return max_event_time;
}

int wm_is_late(int64_t window_end, int64_t late_watermark)
{
    /* TODO: when is a window already final for the late-filter watermark? */
    (void)window_end;
    (void)late_watermark;
    return 0;
}
