#include "lk_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lk_mem.h"
#include "banned.h"

static char *lock_path(const char *run)
{
    size_t n = strlen(run) + sizeof(LK_LOCK_NAME) + 1;
    char *p = lk_xmalloc(n);
    snprintf(p, n, "%s/%s", run, LK_LOCK_NAME);
    return p;
}

/* The pid written in the lock file (0 when it holds none yet). */
static long read_pid(int fd)
{
    char buf[32];
    ssize_t got = pread(fd, buf, sizeof(buf) - 1, 0);
    buf[got > 0 ? got : 0] = '\0';
    return strtol(buf, NULL, 10);
}

/*
 * The pid of the process that holds the lock on fd, or 0 when it cannot be told. The
 * holder writes its pid just after taking the lock, so for a moment the file holds no pid
 * or the pid of an earlier holder that has ended: wait up to a second for a live one.
 */
static long holder_pid(int fd)
{
    for (int i = 0; i < 100; i++) {
        struct timespec ts = { 0, 10 * 1000000L };
        long pid = read_pid(fd);
        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
            return pid;
        nanosleep(&ts, NULL);
    }
    return 0;
}

static int in_use(struct lk_err *err, const char *run, long pid)
{
    if (pid > 0)
        return lk_err_set(err, LK_EUSAGE,
                          "run directory '%s' is in use by process %ld "
                          "(wait for it to end, or use another --out)",
                          run, pid);
    return lk_err_set(err, LK_EUSAGE,
                      "run directory '%s' is in use by another process "
                      "(wait for it to end, or use another --out)",
                      run);
}

int lk_lock_take(struct lk_lock *l, const char *run, struct lk_err *err)
{
    char *p = lock_path(run), text[32];
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644), n, rc = 0;
    if (fd < 0)
        rc = lk_err_sys(err, LK_EIO, errno, "cannot open '%s'", p);
    else if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        rc = errno == EWOULDBLOCK ? in_use(err, run, holder_pid(fd))
                                  : lk_err_sys(err, LK_EIO, errno, "cannot lock '%s'", p);
    if (rc == 0) {
        n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
        if (pwrite(fd, text, (size_t)n, 0) != n || ftruncate(fd, n) < 0) /* never empty */
            rc = lk_err_sys(err, LK_EIO, errno, "cannot write '%s'", p);
    }
    free(p);
    if (rc < 0 && fd >= 0)
        close(fd);
    l->fd = rc < 0 ? -1 : fd;
    return rc;
}

void lk_lock_release(struct lk_lock *l)
{
    if (l->fd >= 0)
        close(l->fd); /* drops the flock */
    l->fd = -1;
}

int lk_lock_holder(const char *run, long *pid, struct lk_err *err)
{
    char *p = lock_path(run);
    int fd = open(p, O_RDONLY | O_CLOEXEC), rc = 0;
    *pid = 0;
    if (fd < 0) {
        if (errno != ENOENT)
            rc = lk_err_sys(err, LK_EIO, errno, "cannot open '%s'", p);
    } else if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
    } else if (errno == EWOULDBLOCK) {
        *pid = holder_pid(fd);
        rc = 1;
    } else {
        rc = lk_err_sys(err, LK_EIO, errno, "cannot check the lock '%s'", p);
    }
    if (fd >= 0)
        close(fd);
    free(p);
    return rc;
}

int lk_lock_check_finished(const char *run, struct lk_err *err)
{
    size_t n = strlen(run) + sizeof("/run.json");
    char *p;
    long pid;
    int rc = lk_lock_holder(run, &pid, err), done;
    if (rc < 0)
        return rc;
    if (rc == 1)
        return lk_err_set(err, LK_EINPUT,
                          "run '%s' is still running (process %ld holds its "
                          "lock): its tables are partial",
                          run, pid);
    p = lk_xmalloc(n);
    snprintf(p, n, "%s/run.json", run);
    done = access(p, F_OK) == 0;
    free(p);
    return done ? 0
                : lk_err_set(err, LK_EINPUT,
                             "run '%s' is unfinished (no run.json: it "
                             "crashed or was stopped; run the same command again to finish "
                             "it): its tables are partial",
                             run);
}
