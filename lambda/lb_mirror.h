/*
 * lb_mirror - a kafka:// source's lines copied into a log dataset under the run, for the
 * one reader of a Lambda run that needs files: the truth it measures its discrepancy
 * against (lk_truth_inc, lb_run.h step 2; docs/live.md "Lambda on Kafka").
 *
 * DIR/log/p-NNNNN.jsonl holds partition N's lines in Kafka order, each line byte for
 * byte as the replay sent it (the dataset's line) plus '\n': the same files as the
 * dataset's log, as far as they have been read. The mirror is its own reader of the
 * topic (lk_log) with its own position, which is the file itself: on open the lines
 * already there are kept (a partial last line, from a kill, is cut off) and the topic is
 * read on after them, so a restarted run finds the same files.
 *
 * lb_mirror_upto(t) makes the files hold every line AVAILABLE by t (lb_stream.h) and, in
 * each partition that has more, the next line that is not: a reader of the files that
 * stops at the first line not available by t (lk_truth_inc) never reaches the end of a
 * file that will still grow. It blocks while the topic has not delivered them yet.
 *
 * Errors: LK_EIO naming the file, LK_EIO/LK_ENOENT from the topic (lk_kafka.h).
 */
#ifndef LB_MIRROR_H
#define LB_MIRROR_H

#include <stdint.h>

#include "lk_err.h"

struct lb_mirror;

/* Mirror the kafka:// source data into dir (made when missing). */
int lb_mirror_open(struct lb_mirror **out, const char *data, const char *dir, struct lk_err *err);
int lb_mirror_upto(struct lb_mirror *m, int64_t t, struct lk_err *err);
void lb_mirror_free(struct lb_mirror *m);

#endif
