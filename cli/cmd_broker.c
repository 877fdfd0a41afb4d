/* lklab broker: start and stop a single-node Apache Kafka broker (lk_broker, docs/live.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lk_broker.h"
#include "lk_buf.h"
#include "banned.h"

#define CMD "broker"
static const char usage_line[] = "lklab broker start|stop|port --dir DIR [--port P]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Runs one Apache Kafka broker (KRaft mode: broker and controller in one JVM, from\n"
           "the jars 'make kafka-deps' fetched) on a loopback port, its data in DIR, in the\n"
           "background; the live sources read from it (docs/live.md).\n\n"
           "  start          start it; prints its address HOST:PORT on stdout when it answers\n"
           "  stop           stop the broker of DIR (SIGTERM to its pid, then waits)\n"
           "  port           print the port of the broker running for DIR\n"
           "  --dir DIR      the broker's directory: config, data/, broker.log, broker.pid\n"
           "  --port P       the client port (default 0: a free one, printed)\n\n"
           "exit: 0 ok, 2 usage (or already running), 3 no broker runs for DIR or no jars,\n"
           "4 the broker failed to start (see DIR/broker.log)\n",
           usage_line);
}

/* The jars of kafka/pom.xml, copied by make kafka-deps. */
char *cmd_broker_jars(void)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_addf(&b, "%s/kafka/lib", cmd_root());
    return lk_buf_detach(&b, NULL);
}

int cmd_broker(int argc, char **argv)
{
    enum { O_DIR = 1, O_PORT };
    static const struct option opts[] = { { "dir", required_argument, NULL, O_DIR },
                                          { "port", required_argument, NULL, O_PORT },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    struct lk_err err = LK_ERR_INIT;
    const char *dir = NULL, *action;
    uint64_t port = 0;
    struct cmd_getopt go;
    int c, rc;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case O_DIR:
            dir = optarg;
            break;
        case O_PORT:
            if (cmd_parse_u64(CMD, "--port", optarg, 0, 65535, &port))
                return 2;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (optind != argc - 1)
        return cmd_usage_error(CMD, "want one action: start, stop or port");
    action = argv[optind];
    if (!dir)
        return cmd_usage_error(CMD, "missing --dir");
    if (strcmp(action, "start") == 0) {
        struct lk_broker_info info;
        char *jars = cmd_broker_jars();
        rc = lk_broker_start(dir, (int)port, jars, &info, &err);
        free(jars);
        if (rc < 0)
            return cmd_fail(CMD, &err);
        fprintf(stderr,
                "lklab broker: Kafka on 127.0.0.1:%d (pid %d, data in %s/data), "
                "started in %.1f s, %.0f MB resident\n",
                info.port, info.pid, dir, info.start_seconds, info.rss_mb);
        printf("127.0.0.1:%d\n", info.port);
        return 0;
    }
    if (strcmp(action, "stop") == 0) {
        if (lk_broker_stop(dir, &err) < 0)
            return cmd_fail(CMD, &err);
        fprintf(stderr, "lklab broker: stopped the broker of %s\n", dir);
        return 0;
    }
    if (strcmp(action, "port") == 0) {
        if ((rc = lk_broker_port(dir, &err)) < 0)
            return cmd_fail(CMD, &err);
        printf("%d\n", rc);
        return 0;
    }
    return cmd_usage_error(CMD, "unknown action '%s' (start, stop or port)", action);
}
