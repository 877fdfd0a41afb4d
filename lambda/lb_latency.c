/* lb_latency - placeholder until the Lambda latency analysis lands (see lb_latency.h). */
#include "lb_latency.h"

int lb_latency(const char *run, struct lk_lat *first_visible, struct lk_lat *correct,
               struct lk_err *err)
{
    (void)first_visible;
    (void)correct;
    return lk_err_set(err, LK_EUSAGE, "Lambda latency is not built yet (%s)", run);
}

int lb_row_history(const char *run, const char *key, const char *col, struct lk_point **pts,
                   size_t *n, struct lk_err *err)
{
    (void)key;
    (void)col;
    *pts = NULL;
    *n = 0;
    return lk_err_set(err, LK_EUSAGE, "Lambda row history is not built yet (%s)", run);
}
