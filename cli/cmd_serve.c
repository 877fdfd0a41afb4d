/*
 * lklab serve: the dashboard (docs/live.md "Dashboard"). One page, embedded in the binary
 * at build time (cli/dashboard.html), and two JSON endpoints that cmp_dash fills from the
 * runs served. No URL maps to a file: anything else is 404, so nothing outside the runs
 * can be reached however the path is spelled.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmp_dash.h"
#include <dashboard_html.h> /* generated into build/gen: cli_dashboard_html[], _len */
#include "lk_time.h"
#include "banned.h"

#define CMD "serve"
static const char usage_line[] =
    "lklab serve --runs RUN... [--data DIR] [--port P] [--bind 127.0.0.1]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Serves a dashboard of Kappa and Lambda runs, running or finished, on one page\n"
           "(read-only; docs/live.md): for a chosen group (tenant/type) and metric, each\n"
           "run's answer per window beside the truth so far, Kappa's watermark, state rows\n"
           "and late events, Lambda's speed-vs-batch discrepancy, first-visible latency. It\n"
           "follows the runs as batches commit, and its time slider shows the answers as they\n"
           "were at any virtual instant of a finished run.\n\n"
           "  --runs RUN...  run directories (lklab kappa / lklab lambda); more may follow\n"
           "  --data DIR     the dataset for the truth (default: the one the runs name)\n"
           "  --port P       port (default 8080; 0: a free one)\n"
           "  --bind ADDR    IPv4 address to listen on (default 127.0.0.1: this machine only)\n\n"
           "Prints the URL on stdout and serves until Ctrl-C (or SIGTERM).\n"
           "exit: 0 stopped, 2 usage, 3 no such run, 4 cannot listen\n",
           usage_line);
}

static struct MHD_Response *text_response(const char *type, char *text, size_t len, int copy)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, text, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; script-src 'unsafe-inline'; "
                            "style-src 'unsafe-inline'; img-src 'self' data:");
    return resp;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *text, size_t len, int copy)
{
    struct MHD_Response *resp = text_response(type, text, len, copy);
    enum MHD_Result r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    char *text = strdup(msg);
    return text ? reply(c, status, "text/plain; charset=utf-8", text, strlen(text), 0) : MHD_NO;
}

/* A non-negative integer query argument, or -1. */
static long long arg_index(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    char *end;
    long long n;
    if (!v || !*v)
        return -1;
    n = strtoll(v, &end, 10);
    return *end || n < 0 ? -1 : n;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    struct cmp_dash *d = cls;
    struct lk_err err = LK_ERR_INIT;
    char *json = NULL;
    int rc;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)state;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET only\n");
    if (strcmp(url, "/") == 0)
        return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (char *)cli_dashboard_html,
                     cli_dashboard_html_len, 1);
    if (strcmp(url, "/api/meta") == 0) {
        rc = cmp_dash_meta(d, &json, &err);
    } else if (strcmp(url, "/api/state") == 0) {
        long long at = arg_index(c, "at"), group = arg_index(c, "group"),
                  metric = arg_index(c, "metric");
        if (group < 0 || metric < 0)
            return reply_error(c, MHD_HTTP_BAD_REQUEST, "want ?group=N&metric=N[&at=MS]\n");
        rc = cmp_dash_state(d, at < 0 ? LK_TIME_POS_INF : at, (size_t)group, (size_t)metric, &json,
                            &err);
    } else {
        return reply_error(c, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    if (rc < 0) {
        fprintf(stderr, "lklab serve: %s\n", err.msg);
        return reply_error(
            c, rc == LK_EUSAGE ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR, err.msg);
    }
    return reply(c, MHD_HTTP_OK, "application/json", json, strlen(json), 0);
}

/* Serve until SIGINT or SIGTERM; prints the URL. Returns the exit code. */
static int serve(struct cmp_dash *d, const char *bind, unsigned port)
{
    struct sockaddr_in addr;
    struct MHD_Daemon *daemon;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int sig;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, bind, &addr.sin_addr) != 1)
        return cmd_usage_error(CMD, "bad value '%s' for --bind (an IPv4 address)", bind);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the server's thread inherits it */
    daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, handle,
                              d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                              MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "lklab serve: cannot listen on %s:%u (in use? try --port 0)\n", bind, port);
        return 4;
    }
    info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    printf("http://%s:%u/\n", bind, info ? (unsigned)info->port : port);
    fflush(stdout);
    sigwait(&set, &sig);
    MHD_stop_daemon(daemon);
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    enum { O_RUNS = 1, O_DATA, O_PORT, O_BIND };
    static const struct option opts[] = {
        { "runs", required_argument, NULL, O_RUNS }, { "data", required_argument, NULL, O_DATA },
        { "port", required_argument, NULL, O_PORT }, { "bind", required_argument, NULL, O_BIND },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 }
    };
    struct lk_err err = LK_ERR_INIT;
    struct cmp_dash *d = NULL;
    const char *data = NULL, *bind = "127.0.0.1";
    char **runs = calloc((size_t)argc + 1, sizeof(*runs));
    size_t n = 0;
    uint64_t port = 8080;
    struct cmd_getopt go;
    int c, rc;
    if (!runs)
        return 4;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case O_RUNS:
            runs[n++] = optarg;
            break;
        case O_DATA:
            data = optarg;
            break;
        case O_PORT:
            if (cmd_parse_u64(CMD, "--port", optarg, 0, 65535, &port)) {
                free(runs);
                return 2;
            }
            break;
        case O_BIND:
            bind = optarg;
            break;
        }
    }
    if (c < 0) {
        free(runs);
        return go.rc;
    }
    if (n == 0) {
        free(runs);
        return cmd_usage_error(CMD, "missing --runs RUN...");
    }
    while (optind < argc) /* --runs A B C: the runs after the first */
        runs[n++] = argv[optind++];
    if (cmp_dash_open(&d, runs, n, data, &err) < 0) {
        free(runs);
        return cmd_fail(CMD, &err);
    }
    rc = serve(d, bind, (unsigned)port);
    cmp_dash_free(d);
    free(runs);
    return rc;
}
