/*
 * lk_broker - one single-node Apache Kafka broker (KRaft: broker and controller in one
 * JVM) on a loopback port, its data in a directory (docs/live.md).
 *
 * The broker is Apache's own jars (kafka/pom.xml, copied into kafka/lib by
 * `make kafka-deps`) run by the machine's java. DIR holds:
 *   server.properties   written at start (listeners on 127.0.0.1 only)
 *   data/               the log directory (formatted on the first start)
 *   broker.log          the JVM's output
 *   broker.pid          the JVM's pid while it runs (stop checks it is that java)
 *   broker.json         {"port":P,"pid":N,"start_seconds":S,"rss_mb":M}
 * Start returns when the broker answers a metadata request; a second start on a running
 * DIR is refused. Stop sends SIGTERM to the pid (SIGKILL after 30 s) and waits for it.
 */
#ifndef LK_BROKER_H
#define LK_BROKER_H

#include "lk_err.h"

struct lk_broker_info {
    int port;
    int pid;
    double start_seconds; /* from launch to the first answered metadata request */
    double rss_mb;        /* the JVM's resident memory right after start */
};

/* lib: the directory of the jars; port 0 = a free loopback port. */
int lk_broker_start(const char *dir, int port, const char *lib, struct lk_broker_info *info,
                    struct lk_err *err);
/* LK_ENOENT when no broker runs for dir. */
int lk_broker_stop(const char *dir, struct lk_err *err);
/* The port of the broker running for dir: >0, or LK_ENOENT. */
int lk_broker_port(const char *dir, struct lk_err *err);

#endif
