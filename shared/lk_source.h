/*
 * lk_source - a dataset as the engines read it (docs/formats.md "Datasets", docs/kappa.md,
 * docs/lambda.md).
 *
 * Two views of the same lines:
 *   lk_log      the partitioned log: DIR/log/p-NNNNN.jsonl, each partition in arrival
 *               order; the OFFSET of a record is its 0-based line number. Replayable:
 *               a reader can be positioned at any (line, byte) offset it reported.
 *               A single JSONL file is read as a log with one partition.
 *               kafka://HOST:PORT/TOPIC is a live log (lk_kafka.h): its partitions are
 *               the topic's, the OFFSET is the Kafka offset (the byte offset is the same
 *               number), a partition ends at the replay's end-of-replay record, and a
 *               peek blocks until the next record comes; with the suffix "?follow" it
 *               never ends.
 *   lk_landing  the file drops: DIR/landing/<YYYYMMDDTHHMMSSmmmZ>-pNNNNN.jsonl; a file is
 *               visible from its landing time (in its name) on.
 *
 * Every line becomes a record: a parsed event, or a malformed line with its reject
 * reason (never skipped: the engines quarantine and count it). A malformed line has no
 * trustworthy arrival_time, so it is AVAILABLE as soon as a reader reaches it: the
 * first batch that reads up to it takes it.
 *
 * Memory: a record (its line and event strings) is valid until the next peek/advance on
 * the same partition. Partitions are independent, so one thread per partition is safe.
 * Errors: LK_ENOENT/LK_EIO with err naming the path.
 */
#ifndef LK_SOURCE_H
#define LK_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"
#include "lk_event.h"

struct lk_record {
    int valid; /* 1: ev holds an event; 0: malformed, rej says why */
    struct lk_event ev;
    struct lk_reject rej;
    const char *line; /* the raw line, for the quarantine table */
    size_t len;
    size_t part;     /* partition (log) or file index (landing) */
    uint64_t offset; /* 0-based line number within it */
};

/*
 * The identity of the dataset at data, a 64-bit FNV-1a fingerprint of which file or
 * directory it is (device and inode), its manifest.json when it has one (seed, scenario,
 * counts) and, with log_names, the names of its log partitions. Not the partitions' sizes
 * nor the landing files: a stream grows between two runs and reading on over more data is
 * allowed, while another dataset at the same path (generated again with other parameters,
 * another directory moved there) differs. A file rewritten in place with the same names is
 * the same identity: the engines check what they read (docs/kappa.md). Cannot fail (what
 * cannot be read adds nothing). A kafka:// source is identified by its URL.
 */
uint64_t lk_source_identity(const char *data, int log_names);

/* The length of data without the "?follow" suffix of a kafka:// source: its name. */
size_t lk_source_name_len(const char *data);

/*
 * The engines' check that a log was not rewritten in place: the CRC-32 of the line of
 * path that ends at byte end (its '\n' included; at most its last 4 KB), 0 for end 0.
 * Returns 0, LK_EINPUT when the file is shorter than end (no message: the caller names
 * the run), LK_EIO naming the file.
 */
int lk_source_line_crc(const char *path, uint64_t end, uint32_t *crc, struct lk_err *err);

/* ------------------------------------------------------------------ log ---- */
struct lk_log;

int lk_log_open(struct lk_log **out, const char *data, struct lk_err *err);
void lk_log_close(struct lk_log *log);
size_t lk_log_partitions(const struct lk_log *log);
const char *lk_log_path(const struct lk_log *log, size_t p);
/* The Kafka topic of a kafka:// log, else NULL. */
const char *lk_log_topic(const struct lk_log *log);
/*
 * The OFFSET of a partition's first line: 0 in a file, 1 in a kafka:// topic (offset 0 is
 * the replay-start record), so a record's 0-based line number in the dataset's partition
 * is its offset minus this, whichever source it came from.
 */
uint64_t lk_log_first_offset(const struct lk_log *log);

/*
 * The next record of partition p, not yet consumed: returns 1 and sets *rec, 0 at the
 * end of the partition, <0 on a read error. Repeated peeks return the same record.
 */
int lk_log_peek(struct lk_log *log, size_t p, const struct lk_record **rec, struct lk_err *err);

/*
 * --clock wall on a kafka:// log: from now on a peek that finds no record of its partition
 * by the Unix time deadline_ms returns 0 without ending the partition, and
 * lk_log_pending(log, p) is 1 until the next peek (0 on a file log, or at a true end).
 * lk_log_replay_clock: the replay's clock (its start, in Unix and virtual ms, and speed)
 * once a partition's start record was read: 1, else 0 (always 0 on a file log).
 */
void lk_log_set_deadline(struct lk_log *log, int64_t deadline_ms);
int lk_log_pending(const struct lk_log *log, size_t p);
int lk_log_replay_clock(struct lk_log *log, int64_t *wall_start_ms, int64_t *virtual_start_ms,
                        double *speed);
/* Consume the record last peeked on partition p. */
void lk_log_advance(struct lk_log *log, size_t p);

/* Position of the next unconsumed record of p: line offset and byte offset. */
uint64_t lk_log_offset(const struct lk_log *log, size_t p);
uint64_t lk_log_byte_offset(const struct lk_log *log, size_t p);
/* Resume partition p at a position previously reported by the two functions above. */
int lk_log_seek(struct lk_log *log, size_t p, uint64_t offset, uint64_t byte_offset,
                struct lk_err *err);

/*
 * Earliest arrival_time of any valid event in the dataset (reads from the start with a
 * separate reader; the positions of log are not moved). LK_EINPUT when there is none.
 */
int lk_log_first_arrival(const char *data, int64_t *out, struct lk_err *err);

/* Latest arrival_time of any valid event (reads the whole dataset). */
int lk_log_last_arrival(const char *data, int64_t *out, struct lk_err *err);

/* -------------------------------------------------------------- landing ---- */
struct lk_landing;

int lk_landing_open(struct lk_landing **out, const char *data, struct lk_err *err);
void lk_landing_close(struct lk_landing *l);
size_t lk_landing_count(const struct lk_landing *l);
/* Landing time of file i (files are sorted by it), and its name (not path). */
int64_t lk_landing_time(const struct lk_landing *l, size_t i);
const char *lk_landing_name(const struct lk_landing *l, size_t i);

/* Call fn for every record of file i, in order; stops early when fn returns < 0. */
typedef int (*lk_record_fn)(void *arg, const struct lk_record *rec);
int lk_landing_read(struct lk_landing *l, size_t i, lk_record_fn fn, void *arg, struct lk_err *err);

#endif
