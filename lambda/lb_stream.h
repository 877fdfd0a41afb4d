/*
 * lb_stream - one dataset's log read as a single stream in ARRIVAL order (docs/lambda.md).
 *
 * The partitions of the log (lk_log) are each in arrival order; lb_stream merges them by
 * (arrival_time, partition index), so the Lambda stack's virtual clock only moves
 * forward. A malformed line has no trustworthy arrival_time; as lk_source says, it is
 * available as soon as the reader reaches it: when a partition's next record is
 * malformed it is returned before any valid record (lowest partition first). Readers
 * that take "everything that arrived by T" therefore also take every malformed line
 * that precedes such events in its partition, so a position saved between two such
 * takes never has a malformed record pending.
 *
 * Two independent streams over the same dataset (the master dataset's loader and the
 * speed layer) each keep their own position: lb_stream_pos / lb_stream_seek.
 *
 * ARRIVAL ORDER (docs/events.md). A partition's offsets are its order, as in a Kafka
 * partition: a line is available when a reader reaches it. A valid line whose
 * arrival_time goes back below a line above it in its partition is accepted, and
 * becomes available with that line: its AVAILABLE time (lb_stream_arrival) is the
 * largest arrival_time of the valid lines up to it in its partition. The merge, the
 * speed layer's buckets and the master loader's "arrived by T" all use it, as Kappa's
 * reader and lk_truth do, so the virtual clock only moves forward. Positions are saved
 * only where everything available by some T was taken, so a resumed stream needs no
 * memory of the lines above it.
 *
 * Memory: the record returned by lb_stream_peek is valid until the next
 * lb_stream_advance. Errors: LK_ENOENT / LK_EIO / LK_EINPUT from lk_source, err filled.
 */
#ifndef LB_STREAM_H
#define LB_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"
#include "lk_source.h"

struct lb_stream;

int lb_stream_open(struct lb_stream **out, const char *data, struct lk_err *err);
void lb_stream_close(struct lb_stream *s);

/*
 * The next record (malformed ones as soon as reached, then valid ones by arrival):
 * returns 1 and sets *rec, 0 at the end of every partition, < 0 on a read error.
 */
int lb_stream_peek(struct lb_stream *s, const struct lk_record **rec, struct lk_err *err);
/* Available time of the valid record last peeked (see ARRIVAL ORDER); NEG_INF otherwise. */
int64_t lb_stream_arrival(const struct lb_stream *s);
/* Consume the record last peeked. */
void lb_stream_advance(struct lb_stream *s);

size_t lb_stream_parts(const struct lb_stream *s);
/* Path of partition p (the quarantine table's source; kafka://...#P on a topic). */
const char *lb_stream_path(const struct lb_stream *s, size_t p);
/* 1 when the stream reads a kafka:// topic (its records cannot be rewritten in place). */
int lb_stream_live(const struct lb_stream *s);
/* The 0-based line number of rec in its partition of the dataset, whatever the source. */
uint64_t lb_stream_line(const struct lb_stream *s, const struct lk_record *rec);
/* Next unconsumed line (0-based) and byte offset of partition p. */
void lb_stream_pos(const struct lb_stream *s, size_t p, uint64_t *line, uint64_t *byte);
/* Resume every partition at positions reported by lb_stream_pos (arrays of parts()). */
int lb_stream_seek(struct lb_stream *s, const uint64_t *lines, const uint64_t *bytes,
                   struct lk_err *err);
/* Bytes consumed so far and total input bytes (for progress). */
uint64_t lb_stream_done_bytes(const struct lb_stream *s);
uint64_t lb_stream_total_bytes(const struct lb_stream *s);

#endif
