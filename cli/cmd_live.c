/*
 * lklab live: the class demo on real parts (docs/live.md "lklab live"): a Kafka broker,
 * the replay of a day at 144x, two Kappa queries reading the topic and Lambda, side by
 * side; prints what runs where and how far behind the replay each run is; stops
 * everything it started at the end or on Ctrl-C.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lk_broker.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_kafka.h"
#include "lk_source.h"
#include "lk_time.h"
#include "banned.h"

#define CMD "live"
#define TOPIC "events"
#define NJOBS 5 /* the last is the dashboard, which runs until it is stopped */
static const char usage_line[] =
    "lklab live [--out DIR] [--events N] [--speed 144x] [--data DIR] [--port P] [--web-port P]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Starts, side by side, on this machine:\n"
           "  a Kafka broker      (lklab broker, data in DIR/broker)\n"
           "  the replay          of the dataset into kafka://127.0.0.1:PORT/%s at 144x (a\n"
           "                      day in 10 minutes)\n"
           "  Kappa 1m update     --source kafka://... --trigger 1m --output-mode update\n"
           "                      --watermark none          (DIR/kappa-update)\n"
           "  Kappa 1m append     --source kafka://... --trigger 1m --watermark 10m\n"
           "                      (DIR/kappa-append)\n"
           "  Lambda 6h           --source kafka://... --batch-every 6h (its batch layer\n"
           "                      recomputes from the master dataset; DIR/lambda)\n"
           "  the dashboard       lklab serve over the three runs on 127.0.0.1 (its URL is\n"
           "                      printed: open it in a browser)\n"
           "prints what runs where, then every few seconds how far behind the replay each\n"
           "run is, and stops everything it started when the replay is over and the\n"
           "queries have finished, or on Ctrl-C. The runs stay, to reconcile.\n\n"
           "  --out DIR      where everything goes (default out/live; must not hold a live run)\n"
           "  --events N     events of the generated day (default 100000)\n"
           "  --data DIR     replay this dataset instead of generating one\n"
           "  --speed S      replay speed (default 144x; max: as fast as possible)\n"
           "  --port P       the broker's port (default: a free one)\n"
           "  --web-port P   the dashboard's port (default: a free one)\n\n"
           "exit: 0 ok, 2 usage, 3 bad dataset, 4 a part failed (its log in DIR names it)\n",
           usage_line, TOPIC);
}

struct job {
    const char *name, *run; /* run: the Kappa run directory whose lag is shown, or NULL */
    struct lk_buf log;
    pid_t pid;
    int status, done;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Start `lklab ARGS...` (this binary) with stdout and stderr into log. */
static pid_t spawn(const char *log, const char *const *args, struct lk_err *err)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    pid_t pid;
    FILE *fp;
    if (n <= 0 || (size_t)n >= sizeof(exe) - 1) /* a full buffer may be a cut name */
        return lk_err_set(err, LK_EIO, "cannot find the lklab binary (/proc/self/exe)");
    exe[n] = '\0';
    if (!(fp = fopen(log, "w")))
        return lk_err_sys(err, LK_EIO, errno, "cannot write '%s'", log);
    pid = fork();
    if (pid == 0) {
        dup2(fileno(fp), 1);
        dup2(fileno(fp), 2);
        execv(exe, (char *const *)(uintptr_t)args);
        _exit(127);
    }
    fclose(fp);
    if (pid < 0)
        return lk_err_sys(err, LK_EIO, errno, "cannot start lklab %s", args[1]);
    return pid;
}

static char *path2(const char *a, const char *b)
{
    struct lk_buf buf = LK_BUF_INIT;
    lk_buf_addf(&buf, "%s/%s", a, b);
    return lk_buf_detach(&buf, NULL);
}

/* One line: each run's lag behind the replay's clock (wall seconds). */
static void show_lag(const struct job *jobs, const char *url, struct cmd_source_clock *clock)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_adds(&b, "behind the replay:");
    for (size_t i = 0; i < NJOBS; i++) {
        double lag;
        if (!jobs[i].run)
            continue;
        if (jobs[i].done)
            lk_buf_addf(&b, " %s finished;", jobs[i].name);
        else if (cmd_source_lag(url, jobs[i].run, clock, &lag) == 0)
            lk_buf_addf(&b, " %s %.1f s;", jobs[i].name, lag);
        else
            lk_buf_addf(&b, " %s no batch yet;", jobs[i].name);
    }
    lk_buf_setlen(&b, b.len - 1);
    cmd_error(CMD, "%s", b.s);
    lk_buf_release(&b);
}

static void reap(struct job *jobs, int block)
{
    for (size_t i = 0; i < NJOBS; i++) {
        if (jobs[i].done || jobs[i].pid <= 0)
            continue;
        if (waitpid(jobs[i].pid, &jobs[i].status, block ? 0 : WNOHANG) == jobs[i].pid) {
            jobs[i].done = 1;
            if (!WIFEXITED(jobs[i].status) || WEXITSTATUS(jobs[i].status) != 0)
                cmd_error(CMD, "%s ended with %s %d (see %s)", jobs[i].name,
                          WIFEXITED(jobs[i].status) ? "exit" : "signal",
                          WIFEXITED(jobs[i].status) ? WEXITSTATUS(jobs[i].status)
                                                    : WTERMSIG(jobs[i].status),
                          jobs[i].log.s);
        }
    }
}

struct live {
    const char *out, *data;
    uint64_t events;
    double speed;
    const char *speed_text;
    uint64_t port, web_port;
};

static const char *const names[NJOBS] = { "replay", "kappa-update", "kappa-append", "lambda",
                                          "dashboard" };

/* Until the runs' directories exist (the dashboard's --runs must), at most 30 s. */
static void wait_runs(char *const *runs)
{
    for (int i = 0; i < 300; i++) {
        struct timespec ts = { 0, 100 * 1000000L };
        if (lk_is_dir(runs[1]) && lk_is_dir(runs[2]) && lk_is_dir(runs[3]))
            return;
        nanosleep(&ts, NULL);
    }
}

/* The URL the dashboard printed first in its log (waits up to 10 s), or NULL. */
static char *dashboard_url(const char *log)
{
    for (int i = 0; i < 100; i++) {
        struct timespec ts = { 0, 100 * 1000000L };
        char *text = NULL, *nl;
        size_t len;
        struct lk_err err = LK_ERR_INIT;
        if (lk_file_read_all(log, 1 << 16, &text, &len, &err) == 0
            && strncmp(text, "http://", 7) == 0 && (nl = strchr(text, '\n'))) {
            *nl = '\0';
            return text;
        }
        free(text);
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* Spawn the replay and the three runs (names[i], logging to logs[i]); print what runs where. */
static int start_jobs(struct job *jobs, const char *ds, const char *url, const char *speed_text,
                      char *const *runs, char *const *logs, const struct lk_broker_info *info,
                      const char *broker, const char *web_port)
{
    struct lk_err err = LK_ERR_INIT;
    int rc = 0;
    const char *const replay[] = { "lklab", "replay",  "--data",   ds,  "--to",
                                   url,     "--speed", speed_text, NULL };
    const char *const up[] = { "lklab",       "kappa",   "--source",      url,
                               "--pipeline",  "revenue", "--out",         runs[1],
                               "--trigger",   "1m",      "--output-mode", "update",
                               "--watermark", "none",    "--durability",  "process",
                               NULL };
    const char *const app[] = { "lklab",       "kappa", "--source",     url,         "--pipeline",
                                "revenue",     "--out", runs[2],        "--trigger", "1m",
                                "--watermark", "10m",   "--durability", "process",   NULL };
    const char *const lam[] = { "lklab", "lambda", "--source",      url,  "--pipeline", "revenue",
                                "--out", runs[3],  "--batch-every", "6h", NULL };
    const char *const web[] = { "lklab", "serve",  "--runs", runs[1],  "--runs", runs[2], "--runs",
                                runs[3], "--data", ds,       "--port", web_port, NULL };
    const char *const *argvs[NJOBS] = { replay, up, app, lam, web };
    printf("lklab live: what runs where\n"
           "  %-13s pid %-7d 127.0.0.1:%d, data in %s (started in %.1f s, %.0f MB)\n",
           "broker", info->pid, info->port, broker, info->start_seconds, info->rss_mb);
    for (size_t i = 0; i < NJOBS && rc == 0; i++) {
        jobs[i].name = names[i];
        jobs[i].run = i >= 1 && i <= 3 ? runs[i] : NULL; /* the runs whose lag is shown */
        lk_buf_init(&jobs[i].log);
        lk_buf_adds(&jobs[i].log, logs[i]);
        if (i == NJOBS - 1)
            wait_runs(runs);
        if ((jobs[i].pid = spawn(logs[i], argvs[i], &err)) < 0) {
            rc = cmd_fail(CMD, &err);
            break;
        }
        if (i == NJOBS - 1) {
            char *web_url = dashboard_url(logs[i]);
            printf("  %-13s pid %-7d %s (log %s)\n", names[i], (int)jobs[i].pid,
                   web_url ? web_url : "did not start: see its log", logs[i]);
            free(web_url);
            continue;
        }
        printf("  %-13s pid %-7d %s (log %s)\n", names[i], (int)jobs[i].pid, i == 0 ? url : runs[i],
               logs[i]);
    }
    fflush(stdout);
    return rc;
}

/* Until every job has ended or Ctrl-C: reap, and show each run's lag every 5 s. */
static void watch(struct job *jobs, const char *url)
{
    struct cmd_source_clock clock = { 0, { 0, 0, 0 } };
    double last_show = 0;
    while (!stop_requested) {
        size_t running = 0;
        reap(jobs, 0);
        for (size_t i = 0; i < NJOBS - 1; i++) /* the dashboard runs until it is stopped */
            running += !jobs[i].done;
        if (!running)
            break;
        if (lk_wall_now() - last_show >= 5.0) {
            show_lag(jobs, url, &clock);
            last_show = lk_wall_now();
        }
        {
            struct timespec ts = { 0, 200 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
}

static int run(struct live *l)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_broker_info info;
    struct job jobs[NJOBS];
    struct lk_buf url = LK_BUF_INIT;
    char *broker = path2(l->out, "broker"), *data = l->data ? NULL : path2(l->out, "data");
    char *runs[NJOBS], *logs[NJOBS], events[32], web_port[32];
    const char *ds = l->data ? l->data : data;
    char *jars;
    int rc = 0, failed = 0, started;
    memset(jobs, 0, sizeof(jobs));
    for (size_t i = 0; i < NJOBS; i++) {
        struct lk_buf b = LK_BUF_INIT;
        runs[i] = path2(l->out, names[i]);
        lk_buf_addf(&b, "%s/%s.log", l->out, names[i]);
        logs[i] = lk_buf_detach(&b, NULL);
        if (i && i < NJOBS - 1 && lk_is_dir(runs[i])) {
            rc = cmd_usage_error(CMD, "'%s' exists: use a new --out (or remove it)", runs[i]);
            goto out;
        }
    }
    if ((rc = lk_mkdir_p(l->out, &err)) < 0) {
        rc = cmd_fail(CMD, &err);
        goto out;
    }
    if (!l->data && !lk_is_dir(data)) {
        const char *const gen[] = { "--scenario", "clickstream", "--events", events, "--span",
                                    "24h",        "--out",       data,       NULL };
        snprintf(events, sizeof(events), "%llu", (unsigned long long)l->events);
        if ((rc = cmd_step(CMD, cmd_gen, "gen", "generating a day of clicks", gen, 0)) != 0)
            goto out;
    }
    if (cmd_need_dataset(CMD, ds) != 0) {
        rc = 3;
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    cmd_error(CMD, "starting the Kafka broker in %s", broker);
    jars = cmd_broker_jars();
    started = lk_broker_start(broker, (int)l->port, jars, &info, &err);
    free(jars);
    if (started < 0) {
        rc = cmd_fail(CMD, &err);
        goto out;
    }
    lk_buf_addf(&url, "kafka://127.0.0.1:%d/%s", info.port, TOPIC);
    snprintf(web_port, sizeof(web_port), "%llu", (unsigned long long)l->web_port);
    rc = start_jobs(jobs, ds, url.s, l->speed_text, runs, logs, &info, broker, web_port);
    if (rc == 0)
        watch(jobs, url.s);
    if (stop_requested)
        cmd_error(CMD, "stopping everything it started");
    for (size_t i = 0; i < NJOBS; i++)
        if (jobs[i].pid > 0 && !jobs[i].done)
            kill(jobs[i].pid, SIGTERM);
    reap(jobs, 1);
    for (size_t i = 0; i < NJOBS; i++)
        failed |= jobs[i].pid > 0 && (!WIFEXITED(jobs[i].status) || WEXITSTATUS(jobs[i].status));
    if (lk_broker_stop(broker, &err) < 0)
        cmd_error(CMD, "%s", err.msg);
    if (rc == 0 && !stop_requested)
        printf("lklab live: done; compare the runs with 'lklab reconcile --run %s --truth T' "
               "(T from 'lklab truth --data %s --pipeline revenue --out T'); replay them with "
               "the dashboard's time slider: lklab serve --runs %s %s %s\n",
               runs[1], ds, runs[1], runs[2], runs[3]);
    if (rc == 0)
        rc = failed && !stop_requested ? 4 : 0;
out:
    for (size_t i = 0; i < NJOBS; i++) {
        free(runs[i]);
        free(logs[i]);
        lk_buf_release(&jobs[i].log);
    }
    lk_buf_release(&url);
    free(broker);
    free(data);
    return rc;
}

int cmd_live(int argc, char **argv)
{
    enum { O_OUT = 1, O_EVENTS, O_DATA, O_SPEED, O_PORT, O_WEB_PORT };
    static const struct option opts[] = { { "out", required_argument, NULL, O_OUT },
                                          { "events", required_argument, NULL, O_EVENTS },
                                          { "data", required_argument, NULL, O_DATA },
                                          { "speed", required_argument, NULL, O_SPEED },
                                          { "port", required_argument, NULL, O_PORT },
                                          { "web-port", required_argument, NULL, O_WEB_PORT },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    struct live l = { "out/live", NULL, 100000, 144.0, "144x", 0, 0 };
    struct cmd_getopt go;
    int c;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case O_OUT:
            l.out = optarg;
            break;
        case O_DATA:
            l.data = optarg;
            break;
        case O_EVENTS:
            if (cmd_parse_u64(CMD, "--events", optarg, 1, 100000000, &l.events))
                return 2;
            break;
        case O_SPEED:
            if (cmd_parse_speed(CMD, optarg, &l.speed))
                return 2;
            l.speed_text = optarg;
            break;
        case O_PORT:
            if (cmd_parse_u64(CMD, "--port", optarg, 0, 65535, &l.port))
                return 2;
            break;
        case O_WEB_PORT:
            if (cmd_parse_u64(CMD, "--web-port", optarg, 0, 65535, &l.web_port))
                return 2;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    return run(&l);
}
