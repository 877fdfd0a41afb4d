/*
 * lk_progress - the one progress callback type of the library's long operations (truth,
 * the Kappa and Lambda runs, the generator). Library code calls it, never prints; the CLI
 * turns the calls into progress lines (cmd_progress). done <= total, in the operation's own
 * unit (bytes read, events written), stated where the callback is accepted.
 */
#ifndef LK_PROGRESS_H
#define LK_PROGRESS_H

#include <stdint.h>

typedef void (*lk_progress_fn)(void *arg, uint64_t done, uint64_t total);

#endif
