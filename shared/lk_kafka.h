/*
 * lk_kafka - an Apache Kafka topic as the live source and the replay's sink (docs/live.md),
 * through librdkafka.
 *
 * A topic is named by a URL kafka://HOST:PORT/TOPIC. The replay (cli/cmd_replay.c)
 * creates the topic with one Kafka partition per log partition and writes, in each
 * partition: a replay-start control record (key "lklab-replay-start", value
 * {"wall_start_ms":W,"virtual_start_ms":V,"speed":S}, speed 0 = as fast as possible),
 * then the partition's lines in order (value = the line, no key), then an end-of-replay
 * control record (key "lklab-end-of-replay"). Control records are never data: a
 * consumer skips the start record (remembering its clock) and stops at the end record
 * (or, when following, waits past it).
 *
 * The OFFSET of a data record is its Kafka offset; a reader resumes at any offset it
 * reported. Memory: a record's bytes stay valid until the next call on the same
 * partition. Partitions are independent: one thread per partition is safe.
 *
 * A broker that stays unreachable for LK_KAFKA_DOWN_MS (or $LKLAB_KAFKA_TIMEOUT_MS) gives
 * LK_EIO naming the broker; a topic that does not exist within 60 s gives LK_ENOENT.
 * $LKLAB_KAFKA_CONF="key=value,..." adds librdkafka settings (tuning, tests).
 */
#ifndef LK_KAFKA_H
#define LK_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"

#define LK_KAFKA_DOWN_MS 10000
#define LK_KAFKA_KEY_START "lklab-replay-start"
#define LK_KAFKA_KEY_END "lklab-end-of-replay"

/* 1 when s starts with kafka:// */
int lk_kafka_is_url(const char *s);

/* kafka://HOST:PORT/TOPIC -> malloc'd "HOST:PORT" and "TOPIC"; LK_EUSAGE when malformed. */
int lk_kafka_parse_url(const char *url, char **brokers, char **topic, struct lk_err *err);

/* 0 when a broker at brokers ("HOST:PORT") answers a metadata request within timeout_ms. */
int lk_kafka_ping(const char *brokers, int timeout_ms);

/* The replay's clock, from its start record. */
struct lk_kafka_clock {
    int64_t wall_start_ms;    /* Unix ms when the replay started */
    int64_t virtual_start_ms; /* the virtual time that wall_start_ms stands for */
    double speed;             /* virtual ms per wall ms; 0 = as fast as possible */
};

/* ---------------------------------------------------------------- producer ---- */
struct lk_kafka_prod;

/* Create the topic with `partitions` partitions (LK_EINPUT if it exists) and connect. */
int lk_kafka_prod_open(struct lk_kafka_prod **out, const char *url, size_t partitions,
                       struct lk_err *err);
/* Queue one record (key may be NULL); blocks while librdkafka's queue is full. */
int lk_kafka_prod_send(struct lk_kafka_prod *p, size_t part, const char *key, const void *val,
                       size_t len, struct lk_err *err);
/* Wait until every queued record is acknowledged by the broker. */
int lk_kafka_prod_flush(struct lk_kafka_prod *p, struct lk_err *err);
/* After flush: partition part holds exactly offsets [0, records), else LK_EIO (a loss). */
int lk_kafka_prod_check(struct lk_kafka_prod *p, size_t part, uint64_t records, struct lk_err *err);
void lk_kafka_prod_close(struct lk_kafka_prod *p);

/* ---------------------------------------------------------------- consumer ---- */
struct lk_kafka_cons;

/* Connect and wait (bounded, see above) for the topic; follow: wait past end-of-replay. */
int lk_kafka_cons_open(struct lk_kafka_cons **out, const char *url, int follow, struct lk_err *err);
void lk_kafka_cons_close(struct lk_kafka_cons *c);
size_t lk_kafka_cons_partitions(const struct lk_kafka_cons *c);
const char *lk_kafka_cons_topic(const struct lk_kafka_cons *c);

/* Read partition part from offset on (call before the first next on it). */
int lk_kafka_cons_seek(struct lk_kafka_cons *c, size_t part, uint64_t offset, struct lk_err *err);

/*
 * The next data record of part: 1 and sets *val (NUL-terminated), *len and *offset; 2 when
 * none came by the deadline (lk_kafka_cons_set_deadline); 0 at
 * the end-of-replay record (not following); <0 on error. Blocks until a record comes.
 */
int lk_kafka_cons_next(struct lk_kafka_cons *c, size_t part, const char **val, size_t *len,
                       uint64_t *offset, struct lk_err *err);

/* The replay's clock once a start record was read on any partition: 1, else 0. */
int lk_kafka_cons_clock(struct lk_kafka_cons *c, struct lk_kafka_clock *clock);

/*
 * --clock wall: from now on lk_kafka_cons_next returns 2 ("nothing yet") instead of
 * waiting when no record of the partition has come by the Unix time deadline_ms (0: wait
 * as long as it takes, the default). Set it between batches, not while partitions are
 * being read.
 */
void lk_kafka_cons_set_deadline(struct lk_kafka_cons *c, int64_t deadline_ms);

#endif
