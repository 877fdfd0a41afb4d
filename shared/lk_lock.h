/*
 * lk_lock - the exclusive lock of a run directory (Kappa and Lambda alike).
 *
 * A run writes RUN/lock and holds an exclusive flock(2) on it for its whole life; the
 * file holds the holder's pid (text). A second process on the same RUN cannot take the
 * lock and is refused with LK_EUSAGE naming the holder's pid. The kernel drops the lock
 * when the holder exits, however it dies (kill -9 included), so a crashed run never
 * leaves a stale lock: the pid left in the file is then only a record.
 *
 * Readers (`lklab results` ...) do not take the lock: lk_lock_holder tells them whether
 * a run is live.
 *
 * Usage: struct lk_lock l = LK_LOCK_INIT; lk_lock_take(&l, run, err) ... lk_lock_release(&l).
 */
#ifndef LK_LOCK_H
#define LK_LOCK_H

#include "lk_err.h"

#define LK_LOCK_NAME "lock" /* RUN/lock */

struct lk_lock {
    int fd; /* -1: not held */
};
#define LK_LOCK_INIT                                                                               \
    {                                                                                              \
        -1                                                                                         \
    }

/*
 * Take the lock of the existing directory run (creating RUN/lock) without waiting:
 * 0, LK_EUSAGE "run directory 'RUN' is in use by process PID" when another process holds
 * it, LK_EIO (with the path and errno) when the file cannot be made or locked.
 */
int lk_lock_take(struct lk_lock *l, const char *run, struct lk_err *err);

/* Drop the lock (keeps the file). Accepts a lock never taken. */
void lk_lock_release(struct lk_lock *l);

/*
 * Is run locked by a live process? 1 and *pid (0 if the file holds none) when it is,
 * 0 when not (no lock file, or nobody holds it), LK_EIO when it cannot be checked.
 */
int lk_lock_holder(const char *run, long *pid, struct lk_err *err);

/*
 * Is run finished, so that its tables are its whole answer? 0 when RUN/run.json exists
 * (both stacks write it last) and nobody holds the lock; LK_EINPUT with a one-line message
 * saying why not (running: naming the pid; crashed or stopped: no run.json); LK_EIO.
 */
int lk_lock_check_finished(const char *run, struct lk_err *err);

#endif
