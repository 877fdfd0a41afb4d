#include "lk_broker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_kafka.h"
#include "lk_time.h"
#include "banned.h"

#define START_TIMEOUT_S 90.0
#define STOP_TIMEOUT_S 30.0
/* A fixed cluster id: one broker per directory, formatted once. */
#define CLUSTER_ID "bGtsYWItbGl2ZS1icm9rZXI"
#define JVM_HEAP "-Xmx512m"

static char *path_in(const char *dir, const char *name)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_addf(&b, "%s/%s", dir, name);
    return lk_buf_detach(&b, NULL);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* A free TCP port on 127.0.0.1 (the kernel's pick), or -1. */
static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0
        && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* The pid in DIR/broker.pid when that process is alive and is a Kafka JVM, else 0. */
static int running_pid(const char *dir)
{
    char *p = path_in(dir, "broker.pid"), *text = NULL, proc[64], cmd[4096];
    size_t len;
    int pid = 0, fd;
    ssize_t n;
    if (lk_file_read_all(p, 64, &text, &len, NULL) == 0)
        pid = atoi(text);
    free(p);
    free(text);
    if (pid <= 0 || kill(pid, 0) != 0)
        return 0;
    snprintf(proc, sizeof(proc), "/proc/%d/cmdline", pid);
    if ((fd = open(proc, O_RDONLY)) < 0)
        return 0;
    n = read(fd, cmd, sizeof(cmd) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    for (ssize_t i = 0; i < n; i++)
        if (cmd[i] == '\0')
            cmd[i] = ' ';
    cmd[n] = '\0';
    return strstr(cmd, "kafka.Kafka") ? pid : 0;
}

static double rss_mb(int pid)
{
    char path[64], *text = NULL, *at;
    size_t len;
    double mb = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    if (lk_file_read_all(path, 1 << 16, &text, &len, NULL) == 0 && (at = strstr(text, "VmRSS:")))
        mb = atof(at + 6) / 1024.0;
    free(text);
    return mb;
}

static int write_text(const char *dir, const char *name, const char *text, struct lk_err *err)
{
    char *p = path_in(dir, name);
    struct lk_atomic a = LK_ATOMIC_INIT;
    int rc = lk_atomic_open(&a, p, err);
    if (rc == 0) {
        fputs(text, a.fp);
        rc = lk_atomic_commit(&a, err);
    }
    free(p);
    return rc;
}

static int write_config(const char *dir, int port, int cport, struct lk_err *err)
{
    struct lk_buf b = LK_BUF_INIT;
    char *data = path_in(dir, "data");
    int rc;
    lk_buf_addf(&b,
                "# written by lklab broker start: one node, broker and KRaft controller\n"
                "process.roles=broker,controller\nnode.id=1\n"
                "controller.quorum.voters=1@127.0.0.1:%d\n"
                "listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d\n"
                "advertised.listeners=PLAINTEXT://127.0.0.1:%d\n"
                "controller.listener.names=CONTROLLER\ninter.broker.listener.name=PLAINTEXT\n"
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
                "log.dirs=%s\nnum.partitions=1\nauto.create.topics.enable=false\n"
                "offsets.topic.replication.factor=1\ntransaction.state.log.replication.factor=1\n"
                "transaction.state.log.min.isr=1\ngroup.initial.rebalance.delay.ms=0\n"
                "log.retention.hours=-1\n",
                cport, port, cport, port, data);
    rc = write_text(dir, "server.properties", b.s, err);
    lk_buf_release(&b);
    free(data);
    return rc;
}

/* Run java with args (NULL-terminated, after the class path) in the background. */
static int spawn_java(const char *dir, const char *lib, const char *const *args, int wait_exit,
                      int *pid_out, struct lk_err *err)
{
    char *log = path_in(dir, "broker.log");
    struct lk_buf cp = LK_BUF_INIT;
    const char *argv[16];
    size_t n = 0;
    pid_t pid;
    int status, fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) {
        int rc = lk_err_sys(err, LK_EIO, errno, "cannot open '%s'", log);
        free(log);
        return rc;
    }
    lk_buf_addf(&cp, "%s/*", lib);
    argv[n++] = "java";
    argv[n++] = JVM_HEAP;
    argv[n++] = "-XX:+UseSerialGC";
    argv[n++] = "-cp";
    argv[n++] = cp.s;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid = fork();
    if (pid == 0) {
        setsid();
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        fd = open("/dev/null", O_RDONLY);
        if (fd >= 0)
            dup2(fd, 0);
        execvp("java", (char *const *)(uintptr_t)argv);
        dprintf(2, "lklab broker: cannot run java (%s)\n", strerror(errno));
        _exit(127);
    }
    close(fd);
    lk_buf_release(&cp);
    if (pid < 0) {
        free(log);
        return lk_err_sys(err, LK_EIO, errno, "cannot start java");
    }
    *pid_out = (int)pid;
    if (wait_exit) {
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            int rc = lk_err_set(err, LK_EIO,
                                "cannot format the broker's storage (java exited "
                                "%d; see '%s')",
                                WIFEXITED(status) ? WEXITSTATUS(status) : -1, log);
            free(log);
            return rc;
        }
    }
    free(log);
    return 0;
}

int lk_broker_port(const char *dir, struct lk_err *err)
{
    char *p = path_in(dir, "broker.json");
    cJSON *j = NULL;
    int port = 0;
    if (running_pid(dir) && lk_json_read_file(p, &j, NULL) == 0)
        port = (int)lk_json_int(j, "port", 0);
    cJSON_Delete(j);
    free(p);
    return port > 0 ? port
                    : lk_err_set(err, LK_ENOENT,
                                 "no broker runs for '%s' (start one with "
                                 "'lklab broker start --dir %s')",
                                 dir, dir);
}

int lk_broker_start(const char *dir, int port, const char *lib, struct lk_broker_info *info,
                    struct lk_err *err)
{
    char *meta = NULL, *props = path_in(dir, "server.properties"), *pidfile = NULL, hp[64],
         pidtext[32];
    char **jars = NULL;
    size_t njars = 0;
    double t0;
    int rc, cport, pid, old, status;
    if (!lk_is_dir(lib) || lk_list_dir(lib, ".jar", &jars, &njars, NULL) < 0 || njars == 0) {
        rc = lk_err_set(err, LK_ENOENT,
                        "cannot find the Kafka jars in '%s' (run 'make "
                        "kafka-deps')",
                        lib);
        goto out;
    }
    if ((old = running_pid(dir))) {
        rc = lk_err_set(err, LK_EUSAGE,
                        "a broker runs already for '%s' (pid %d; 'lklab broker "
                        "stop --dir %s')",
                        dir, old, dir);
        goto out;
    }
    if ((rc = lk_mkdir_p(dir, err)) < 0)
        goto out;
    if (port == 0) { /* the port of the last start, so that clients find it again */
        char *bj = path_in(dir, "broker.json");
        cJSON *j = NULL;
        if (lk_json_read_file(bj, &j, NULL) == 0)
            port = (int)lk_json_int(j, "port", 0);
        cJSON_Delete(j);
        free(bj);
    }
    if (port == 0 && (port = free_port()) < 0) {
        rc = lk_err_set(err, LK_EIO, "cannot find a free loopback port");
        goto out;
    }
    if ((cport = free_port()) < 0 || cport == port) {
        rc = lk_err_set(err, LK_EIO, "cannot find a free loopback port for the controller");
        goto out;
    }
    if ((rc = write_config(dir, port, cport, err)) < 0)
        goto out;
    t0 = lk_wall_now();
    meta = path_in(dir, "data/meta.properties");
    if (!lk_is_file(meta)) {
        const char *const fmt[] = {
            "kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c", props, NULL
        };
        if ((rc = spawn_java(dir, lib, fmt, 1, &pid, err)) < 0)
            goto out;
    }
    {
        const char *const run[] = { "kafka.Kafka", props, NULL };
        if ((rc = spawn_java(dir, lib, run, 0, &pid, err)) < 0)
            goto out;
    }
    snprintf(pidtext, sizeof(pidtext), "%d\n", pid);
    if ((rc = write_text(dir, "broker.pid", pidtext, err)) < 0)
        goto out;
    snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
    while (lk_kafka_ping(hp, 500) != 0) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            rc = lk_err_set(err, LK_EIO, "the broker exited while starting (see '%s/broker.log')",
                            dir);
            goto out;
        }
        if (lk_wall_now() - t0 > START_TIMEOUT_S) {
            kill(pid, SIGKILL);
            rc = lk_err_set(err, LK_EIO,
                            "the broker did not answer within %.0f s (see "
                            "'%s/broker.log')",
                            START_TIMEOUT_S, dir);
            goto out;
        }
        sleep_ms(100);
    }
    info->port = port;
    info->pid = pid;
    info->start_seconds = lk_wall_now() - t0;
    info->rss_mb = rss_mb(pid);
    {
        cJSON *j = cJSON_CreateObject();
        lk_json_add_int(j, "port", port);
        lk_json_add_int(j, "pid", pid);
        cJSON_AddNumberToObject(j, "start_seconds", info->start_seconds);
        cJSON_AddNumberToObject(j, "rss_mb", info->rss_mb);
        pidfile = path_in(dir, "broker.json");
        rc = lk_json_write_file(pidfile, j, err);
        cJSON_Delete(j);
    }
out:
    free(meta);
    free(props);
    free(pidfile);
    lk_list_free(jars, njars);
    return rc;
}

int lk_broker_stop(const char *dir, struct lk_err *err)
{
    int pid = running_pid(dir);
    double t0 = lk_wall_now();
    char *p;
    if (!pid)
        return lk_err_set(err, LK_ENOENT, "no broker runs for '%s'", dir);
    kill(pid, SIGTERM);
    while (kill(pid, 0) == 0) {
        /* our child when this process started it (lklab live): reap it */
        waitpid(pid, NULL, WNOHANG);
        if (lk_wall_now() - t0 > STOP_TIMEOUT_S) {
            kill(pid, SIGKILL);
            t0 = lk_wall_now();
        }
        sleep_ms(50);
    }
    p = path_in(dir, "broker.pid");
    unlink(p);
    free(p);
    return 0;
}
