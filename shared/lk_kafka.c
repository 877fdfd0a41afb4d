#include "lk_kafka.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lk_buf.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

#define PREFIX "kafka://"
#define TOPIC_WAIT_MS 60000

int lk_kafka_is_url(const char *s)
{
    return s && strncmp(s, PREFIX, strlen(PREFIX)) == 0;
}

int lk_kafka_parse_url(const char *url, char **brokers, char **topic, struct lk_err *err)
{
    const char *hp = url + strlen(PREFIX), *slash = NULL, *colon = NULL;
    size_t digits = 0;
    if (lk_kafka_is_url(url) && (slash = strchr(hp, '/'))) {
        for (const char *c = hp; c < slash; c++)
            if (*c == ':')
                colon = c;
        digits = colon ? strspn(colon + 1, "0123456789") : 0;
    }
    if (!slash || !colon || colon == hp || digits == 0 || colon + 1 + digits != slash || !slash[1]
        || strchr(slash + 1, '/'))
        return lk_err_set(err, LK_EUSAGE, "bad Kafka URL '%s' (want kafka://HOST:PORT/TOPIC)", url);
    *brokers = lk_xstrndup(hp, (size_t)(slash - hp));
    *topic = lk_xstrdup(slash + 1);
    return 0;
}

static int64_t down_limit_ms(void)
{
    const char *s = getenv("LKLAB_KAFKA_TIMEOUT_MS");
    long long v = s ? atoll(s) : 0;
    return v > 0 ? v : LK_KAFKA_DOWN_MS;
}

static int64_t mono_ms(void)
{
    return (int64_t)(lk_wall_now() * 1000.0);
}

static int set_conf(rd_kafka_conf_t *conf, const char *name, const char *value, struct lk_err *err)
{
    char errstr[256];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
        return lk_err_set(err, LK_EINTERNAL, "cannot configure librdkafka %s=%s (%s)", name, value,
                          errstr);
    return 0;
}

/* A client of the given type for brokers, configured by the NULL-terminated pairs. */
static int client_new(rd_kafka_t **out, rd_kafka_type_t type, const char *brokers,
                      const char *const *pairs,
                      void (*dr)(rd_kafka_t *, const rd_kafka_message_t *, void *), void *opaque,
                      struct lk_err *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    int rc = set_conf(conf, "bootstrap.servers", brokers, err);
    if (rc == 0)
        rc = set_conf(conf, "log_level", "0", err); /* errors are ours to report, in one line */
    for (size_t i = 0; rc == 0 && pairs[i]; i += 2)
        rc = set_conf(conf, pairs[i], pairs[i + 1], err);
    if (rc == 0 && getenv("LKLAB_KAFKA_CONF")) { /* "k=v,k=v": librdkafka tuning by hand */
        char *all = lk_xstrdup(getenv("LKLAB_KAFKA_CONF")), *save = NULL;
        for (char *kv = strtok_r(all, ",", &save); kv && rc == 0; kv = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(kv, '=');
            if (eq) {
                *eq = '\0';
                rc = set_conf(conf, kv, eq + 1, err);
            }
        }
        free(all);
    }
    if (rc < 0) {
        rd_kafka_conf_destroy(conf);
        return rc;
    }
    if (dr)
        rd_kafka_conf_set_dr_msg_cb(conf, dr);
    rd_kafka_conf_set_opaque(conf, opaque);
    if (!(*out = rd_kafka_new(type, conf, errstr, sizeof(errstr)))) {
        rd_kafka_conf_destroy(conf);
        return lk_err_set(err, LK_EINTERNAL, "cannot start a Kafka client for %s (%s)", brokers,
                          errstr);
    }
    return 0;
}

/*
 * Partitions of topic: >0, 0 when the topic does not exist (yet), or <0 when the broker
 * did not answer within timeout_ms.
 */
static int topic_partitions(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int timeout_ms)
{
    const struct rd_kafka_metadata *md;
    int n;
    if (rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    n = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR
            ? md->topics[0].partition_cnt
            : 0;
    for (int i = 0; i < n; i++) /* a partition without a leader yet: not there yet */
        if (md->topics[0].partitions[i].leader < 0 || md->topics[0].partitions[i].err)
            n = 0;
    rd_kafka_metadata_destroy(md);
    return n;
}

int lk_kafka_ping(const char *brokers, int timeout_ms)
{
    static const char *const none[] = { NULL };
    const struct rd_kafka_metadata *md;
    rd_kafka_t *rk;
    int rc = -1;
    if (client_new(&rk, RD_KAFKA_PRODUCER, brokers, none, NULL, NULL, NULL) < 0)
        return -1;
    if (rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rc = md->broker_cnt > 0 ? 0 : -1;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_destroy(rk);
    return rc;
}

static int unreachable(const char *url, const char *brokers, struct lk_err *err)
{
    return lk_err_set(err, LK_EIO,
                      "cannot reach the Kafka broker %s for %s (gone for %lld s; is it "
                      "running? 'lklab broker start')",
                      brokers, url, (long long)(down_limit_ms() / 1000));
}

/* ---------------------------------------------------------------- producer ---- */

struct lk_kafka_prod {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    char *url, *brokers, *topic;
    rd_kafka_resp_err_t failed; /* first delivery error */
};

static void delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct lk_kafka_prod *p = opaque;
    (void)rk;
    if (m->err && !p->failed)
        p->failed = m->err;
}

static int create_topic(struct lk_kafka_prod *p, size_t partitions, struct lk_err *err)
{
    char errstr[256];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(p->topic, (int)partitions, 1, errstr, sizeof(errstr));
    rd_kafka_queue_t *q = rd_kafka_queue_new(p->rk);
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **res;
    size_t nres = 0;
    int rc = 0;
    if (!nt) {
        rd_kafka_queue_destroy(q);
        return lk_err_set(err, LK_EUSAGE, "cannot create topic '%s' (%s)", p->topic, errstr);
    }
    rd_kafka_CreateTopics(p->rk, &nt, 1, NULL, q);
    ev = rd_kafka_queue_poll(q, (int)down_limit_ms() + 5000);
    if (!ev) {
        rc = unreachable(p->url, p->brokers, err);
    } else if (rd_kafka_event_error(ev)) {
        rc = lk_err_set(err, LK_EIO, "cannot create topic %s (%s)", p->url,
                        rd_kafka_event_error_string(ev));
    } else {
        res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &nres);
        if (nres == 1
            && rd_kafka_topic_result_error(res[0]) == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            rc = lk_err_set(err, LK_EINPUT,
                            "topic %s exists already (a replay writes a new topic: pick "
                            "another name)",
                            p->url);
        else if (nres == 1 && rd_kafka_topic_result_error(res[0]))
            rc = lk_err_set(err, LK_EIO, "cannot create topic %s (%s)", p->url,
                            rd_kafka_topic_result_error_string(res[0]));
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    return rc;
}

/*
 * A topic just created can take writes before its partitions have settled; wait until
 * every partition has a leader (records written earlier were seen to vanish).
 */
static int wait_leaders(struct lk_kafka_prod *p, size_t partitions, struct lk_err *err)
{
    int64_t start = mono_ms();
    for (;;) {
        const struct rd_kafka_metadata *md;
        size_t ready = 0;
        if (rd_kafka_metadata(p->rk, 0, p->rkt, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (md->topic_cnt == 1 && !md->topics[0].err)
                for (int i = 0; i < md->topics[0].partition_cnt; i++)
                    ready +=
                        md->topics[0].partitions[i].leader >= 0 && !md->topics[0].partitions[i].err;
            rd_kafka_metadata_destroy(md);
        }
        if (ready == partitions) { /* and let the new partitions settle */
            struct timespec ts = { 1, 0 };
            nanosleep(&ts, NULL);
            return 0;
        }
        if (mono_ms() - start > down_limit_ms())
            return lk_err_set(err, LK_EIO, "the partitions of %s have no leader after %lld s",
                              p->url, (long long)(down_limit_ms() / 1000));
        {
            struct timespec ts = { 0, 100 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
}

int lk_kafka_prod_open(struct lk_kafka_prod **out, const char *url, size_t partitions,
                       struct lk_err *err)
{
    struct lk_kafka_prod *p = lk_xcalloc(1, sizeof(*p));
    char timeout[32];
    int rc;
    snprintf(timeout, sizeof(timeout), "%lld", (long long)down_limit_ms() * 3);
    {
        /* idempotence: a retried batch is never written twice (offsets stay line numbers) */
        const char *const pairs[] = { "enable.idempotence",
                                      "true",
                                      "linger.ms",
                                      "20",
                                      "batch.num.messages",
                                      "10000",
                                      "queue.buffering.max.messages",
                                      "500000",
                                      "message.timeout.ms",
                                      timeout,
                                      NULL };
        p->url = lk_xstrdup(url);
        if ((rc = lk_kafka_parse_url(url, &p->brokers, &p->topic, err)) < 0
            || (rc = client_new(&p->rk, RD_KAFKA_PRODUCER, p->brokers, pairs, delivered, p, err))
                   < 0
            || (rc = create_topic(p, partitions, err)) < 0) {
            lk_kafka_prod_close(p);
            return rc;
        }
    }
    p->rkt = rd_kafka_topic_new(p->rk, p->topic, NULL);
    if ((rc = wait_leaders(p, partitions, err)) < 0) {
        lk_kafka_prod_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

int lk_kafka_prod_check(struct lk_kafka_prod *p, size_t part, uint64_t records, struct lk_err *err)
{
    int64_t lo = 0, hi = 0;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(p->rk, p->topic, (int32_t)part, &lo,
                                                             &hi, (int)down_limit_ms());
    if (e)
        return lk_err_set(err, LK_EIO, "cannot check %s partition %zu (%s)", p->url, part,
                          rd_kafka_err2str(e));
    if (lo != 0 || hi != (int64_t)records)
        return lk_err_set(err, LK_EIO,
                          "the broker holds offsets %lld..%lld of %s partition %zu where 0..%llu "
                          "were written: records were lost",
                          (long long)lo, (long long)hi, p->url, part, (unsigned long long)records);
    return 0;
}

int lk_kafka_prod_send(struct lk_kafka_prod *p, size_t part, const char *key, const void *val,
                       size_t len, struct lk_err *err)
{
    for (;;) {
        if (p->failed)
            return lk_err_set(err, LK_EIO, "cannot write to %s (%s)", p->url,
                              rd_kafka_err2str(p->failed));
        if (rd_kafka_produce(p->rkt, (int32_t)part, RD_KAFKA_MSG_F_COPY, (void *)(uintptr_t)val,
                             len, key, key ? strlen(key) : 0, NULL)
            == 0)
            break;
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return lk_err_set(err, LK_EIO, "cannot write to %s partition %zu (%s)", p->url, part,
                              rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_poll(p->rk, 50);
    }
    rd_kafka_poll(p->rk, 0);
    return 0;
}

int lk_kafka_prod_flush(struct lk_kafka_prod *p, struct lk_err *err)
{
    rd_kafka_resp_err_t e = rd_kafka_flush(p->rk, (int)down_limit_ms() * 3 + 5000);
    if (p->failed)
        e = p->failed;
    if (e)
        return lk_err_set(err, LK_EIO, "cannot write to %s (%s)", p->url, rd_kafka_err2str(e));
    return 0;
}

void lk_kafka_prod_close(struct lk_kafka_prod *p)
{
    if (!p)
        return;
    if (p->rkt)
        rd_kafka_topic_destroy(p->rkt);
    if (p->rk)
        rd_kafka_destroy(p->rk);
    free(p->url);
    free(p->brokers);
    free(p->topic);
    free(p);
}

/* ---------------------------------------------------------------- consumer ---- */

#define CONS_BATCH 256

struct cpart {
    int started;
    uint64_t next; /* the offset the next record must have */
    struct lk_buf val;
    rd_kafka_message_t *batch[CONS_BATCH]; /* fetched, not yet handed out: batch[ib..nb) */
    size_t ib, nb;
};

/* Destroy the messages fetched but not handed out (before a seek or a close). */
static void drop_batch(struct cpart *cp)
{
    while (cp->ib < cp->nb)
        rd_kafka_message_destroy(cp->batch[cp->ib++]);
    cp->ib = cp->nb = 0;
}

struct lk_kafka_cons {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    char *url, *brokers, *topic;
    int follow;
    size_t n;
    struct cpart *parts;
    pthread_mutex_t lock; /* the clock: partitions may be read by several threads */
    int have_clock;
    struct lk_kafka_clock clock;
    int64_t deadline_ms; /* --clock wall: Unix ms after which next does not wait (0: none) */
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lk_kafka_cons_set_deadline(struct lk_kafka_cons *c, int64_t deadline_ms)
{
    c->deadline_ms = deadline_ms;
}

int lk_kafka_cons_open(struct lk_kafka_cons **out, const char *url, int follow, struct lk_err *err)
{
    /* auto.offset.reset=error: never jump to another offset (a topic just created can
       answer "out of range" for offset 0 for a moment: that is retried, see next) */
    /* fetch.error.backoff.ms: librdkafka 2.0 also waits that long after a partition's queue
       reached queued.min.messages (500 ms by default); a deep prefetch in big fetches keeps
       the engine fed while the broker answers (docs/live.md "Throughput") */
    static const char *const pairs[] = { "fetch.wait.max.ms",
                                         "20",
                                         "queued.min.messages",
                                         "50000",
                                         "max.partition.fetch.bytes",
                                         "8388608",
                                         "fetch.error.backoff.ms",
                                         "5",
                                         "enable.partition.eof",
                                         "false",
                                         "auto.offset.reset",
                                         "error",
                                         NULL };
    struct lk_kafka_cons *c = lk_xcalloc(1, sizeof(*c));
    int64_t start = mono_ms(), down = -1;
    int n = 0, rc;
    c->url = lk_xstrdup(url);
    c->follow = follow;
    pthread_mutex_init(&c->lock, NULL);
    if ((rc = lk_kafka_parse_url(url, &c->brokers, &c->topic, err)) < 0
        || (rc = client_new(&c->rk, RD_KAFKA_CONSUMER, c->brokers, pairs, NULL, c, err)) < 0)
        goto fail;
    c->rkt = rd_kafka_topic_new(c->rk, c->topic, NULL);
    while ((n = topic_partitions(c->rk, c->rkt, 1000)) <= 0) {
        int64_t now = mono_ms();
        if (n < 0 && down < 0)
            down = now;
        if (n == 0)
            down = -1;
        if (down >= 0 && now - down >= down_limit_ms()) {
            rc = unreachable(url, c->brokers, err);
            goto fail;
        }
        if (n == 0 && !follow && now - start >= TOPIC_WAIT_MS) {
            rc = lk_err_set(err, LK_ENOENT,
                            "cannot read %s (no such topic after %d s; start "
                            "'lklab replay' first)",
                            url, TOPIC_WAIT_MS / 1000);
            goto fail;
        }
        if (n == 0) {
            struct timespec ts = { 0, 200 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    c->n = (size_t)n;
    c->parts = lk_xcalloc(c->n, sizeof(*c->parts));
    for (size_t p = 0; p < c->n; p++)
        lk_buf_init(&c->parts[p].val);
    *out = c;
    return 0;
fail:
    lk_kafka_cons_close(c);
    return rc;
}

void lk_kafka_cons_close(struct lk_kafka_cons *c)
{
    if (!c)
        return;
    for (size_t p = 0; p < c->n; p++) {
        drop_batch(&c->parts[p]);
        if (c->parts[p].started)
            rd_kafka_consume_stop(c->rkt, (int32_t)p);
        lk_buf_release(&c->parts[p].val);
    }
    free(c->parts);
    if (c->rkt)
        rd_kafka_topic_destroy(c->rkt);
    if (c->rk)
        rd_kafka_destroy(c->rk);
    free(c->url);
    free(c->brokers);
    free(c->topic);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

size_t lk_kafka_cons_partitions(const struct lk_kafka_cons *c)
{
    return c->n;
}

const char *lk_kafka_cons_topic(const struct lk_kafka_cons *c)
{
    return c->topic;
}

static void read_clock(struct lk_kafka_cons *c, const rd_kafka_message_t *m)
{
    cJSON *j = cJSON_ParseWithLength(m->payload, m->len);
    const cJSON *w = cJSON_GetObjectItem(j, "wall_start_ms"),
                *v = cJSON_GetObjectItem(j, "virtual_start_ms"),
                *s = cJSON_GetObjectItem(j, "speed");
    pthread_mutex_lock(&c->lock);
    if (cJSON_IsNumber(w) && cJSON_IsNumber(v) && cJSON_IsNumber(s) && !c->have_clock) {
        c->clock.wall_start_ms = (int64_t)w->valuedouble;
        c->clock.virtual_start_ms = (int64_t)v->valuedouble;
        c->clock.speed = s->valuedouble;
        c->have_clock = 1;
    }
    pthread_mutex_unlock(&c->lock);
    cJSON_Delete(j);
}

static int is_key(const rd_kafka_message_t *m, const char *key)
{
    return m->key && m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0;
}

/* An error a partition's reader waits through: no record yet, or the broker away for now. */
static int transient(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR__PARTITION_EOF || e == RD_KAFKA_RESP_ERR__TRANSPORT
           || e == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
}

/*
 * The replay's clock from offset 0 of part (its replay-start record), for a reader that
 * starts past it: a query restarted from its checkpoint would otherwise never see the
 * record and lose the replay's wall clock (--clock wall). Best effort: the reader needs
 * the record only for the clock, so a record that cannot be read (retention removed it,
 * the broker is away: next reports that) leaves the clock unknown, as before.
 */
static void clock_from_start(struct lk_kafka_cons *c, size_t part)
{
    int64_t start = mono_ms();
    int done = 0;
    if (rd_kafka_consume_start(c->rkt, (int32_t)part, 0) < 0)
        return;
    while (!done && mono_ms() - start < down_limit_ms()) {
        rd_kafka_message_t *m = rd_kafka_consume(c->rkt, (int32_t)part, 200);
        if (!m)
            continue;
        if (!m->err && m->offset == 0 && is_key(m, LK_KAFKA_KEY_START))
            read_clock(c, m);
        done = !m->err || !transient(m->err);
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(c->rkt, (int32_t)part);
}

int lk_kafka_cons_seek(struct lk_kafka_cons *c, size_t part, uint64_t offset, struct lk_err *err)
{
    struct cpart *cp = &c->parts[part];
    struct lk_kafka_clock known;
    drop_batch(cp);
    if (cp->started)
        rd_kafka_consume_stop(c->rkt, (int32_t)part);
    cp->started = 0;
    if (offset > 0 && !lk_kafka_cons_clock(c, &known))
        clock_from_start(c, part);
    if (rd_kafka_consume_start(c->rkt, (int32_t)part, (int64_t)offset) < 0)
        return lk_err_set(err, LK_EIO, "cannot read %s partition %zu at offset %llu (%s)", c->url,
                          part, (unsigned long long)offset,
                          rd_kafka_err2str(rd_kafka_last_error()));
    cp->started = 1;
    cp->next = offset;
    return 0;
}

/*
 * The next message of part: what is queued already, taken in batches without waiting
 * (one lock of librdkafka's queue per batch, not per message), else one message waited
 * for up to wait ms (rd_kafka_consume_batch would wait for a whole batch).
 */
static rd_kafka_message_t *take(struct lk_kafka_cons *c, struct cpart *cp, size_t part, int wait)
{
    if (cp->ib == cp->nb) {
        ssize_t got = rd_kafka_consume_batch(c->rkt, (int32_t)part, 0, cp->batch, CONS_BATCH);
        cp->ib = 0;
        cp->nb = got > 0 ? (size_t)got : 0;
        if (cp->nb == 0)
            return rd_kafka_consume(c->rkt, (int32_t)part, wait);
    }
    return cp->batch[cp->ib++];
}

/* ms since *t0, which is set to now when unset (< 0): the clock is read only when idle. */
static int64_t since(int64_t *t0)
{
    int64_t now = mono_ms();
    if (*t0 < 0)
        *t0 = now;
    return now - *t0;
}

int lk_kafka_cons_next(struct lk_kafka_cons *c, size_t part, const char **val, size_t *len,
                       uint64_t *offset, struct lk_err *err)
{
    struct cpart *cp = &c->parts[part];
    int64_t down = -1, idle = -1; /* idle: since the last record (unset while records come) */
    int rc;
    if (!cp->started && (rc = lk_kafka_cons_seek(c, part, 0, err)) < 0)
        return rc;
    for (;;) {
        int wait = 200;
        rd_kafka_message_t *m;
        if (c->deadline_ms) { /* --clock wall: wait no later than the deadline */
            int64_t left = c->deadline_ms - wall_ms();
            wait = left <= 0 ? 0 : left < wait ? (int)left : wait;
        }
        m = take(c, cp, part, wait);
        if (!m && c->deadline_ms && wall_ms() >= c->deadline_ms)
            return 2;
        if (!m) {
            /* quiet: is the broker still there? (librdkafka reconnects on its own) */
            int64_t now = mono_ms();
            if (since(&idle) < 1000)
                continue;
            idle = now;
            if (topic_partitions(c->rk, c->rkt, 1000) >= 0) {
                down = -1;
            } else {
                if (down < 0)
                    down = now;
                if (mono_ms() - down >= down_limit_ms())
                    return unreachable(c->url, c->brokers, err);
            }
            continue;
        }
        if (m->err) {
            rd_kafka_resp_err_t e = m->err;
            rd_kafka_message_destroy(m);
            if (transient(e))
                continue;
            if ((e == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET
                 || e == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
                && since(&idle) < down_limit_ms()) {
                struct timespec ts = { 0, 100 * 1000000L };
                nanosleep(&ts, NULL);
                if ((rc = lk_kafka_cons_seek(c, part, cp->next, err)) < 0)
                    return rc;
                continue;
            }
            return lk_err_set(err, LK_EIO, "cannot read %s partition %zu at offset %llu (%s)",
                              c->url, part, (unsigned long long)cp->next, rd_kafka_err2str(e));
        }
        if ((uint64_t)m->offset != cp->next) { /* never a silent gap or repeat */
            uint64_t got = (uint64_t)m->offset;
            rd_kafka_message_destroy(m);
            return lk_err_set(err, LK_EIO,
                              "cannot read %s partition %zu (offset %llu came where "
                              "%llu was due)",
                              c->url, part, (unsigned long long)got, (unsigned long long)cp->next);
        }
        cp->next++;
        if (m->offset == 0 && !is_key(m, LK_KAFKA_KEY_START)) { /* see wait_leaders */
            rd_kafka_message_destroy(m);
            return lk_err_set(err, LK_EIO,
                              "cannot read %s partition %zu (offset 0 is not the replay-start "
                              "record: the topic is not a replay's, or records were lost)",
                              c->url, part);
        }
        idle = -1;
        down = -1;
        if (is_key(m, LK_KAFKA_KEY_START)) {
            read_clock(c, m);
        } else if (is_key(m, LK_KAFKA_KEY_END)) {
            rd_kafka_message_destroy(m);
            if (!c->follow)
                return 0;
            continue;
        } else {
            lk_buf_reset(&cp->val);
            lk_buf_add(&cp->val, m->payload, m->len);
            *val = cp->val.s;
            *len = cp->val.len;
            *offset = (uint64_t)m->offset;
            rd_kafka_message_destroy(m);
            return 1;
        }
        rd_kafka_message_destroy(m);
    }
}

int lk_kafka_cons_clock(struct lk_kafka_cons *c, struct lk_kafka_clock *clock)
{
    int have;
    pthread_mutex_lock(&c->lock);
    if ((have = c->have_clock))
        *clock = c->clock;
    pthread_mutex_unlock(&c->lock);
    return have;
}
