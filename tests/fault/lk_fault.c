/*
 * lk_fault - an LD_PRELOAD shim that makes one I/O call of bin/lklab fail, to test what a
 * full disk or a failing device does to a run (tests/test_fault.c; built by make as
 * bin/lk_fault.so).
 *
 * Environment (read once, at load; the shim does nothing unless LK_FAULT_OP is set, and
 * only in a process named lklab, so the shell that starts it is not counted):
 *   LK_FAULT_OP     write (write, pwrite, pwrite64, writev, fflush), fsync (fsync,
 *                   fdatasync) or rename (rename, renameat, linkat: what publishes a file)
 *   LK_FAULT_N      the Nth matching call fails (1-based; 0 or unset: none fails)
 *   LK_FAULT_PATH   only calls on a path containing this substring count (for fd calls,
 *                   the fd's path from /proc/self/fd)
 *   LK_FAULT_ERRNO  ENOSPC (default) or EIO
 *   LK_FAULT_COUNT  a file that receives the number of matching calls at exit (how a
 *                   test learns how many points a run has)
 * The failing call does nothing and returns -1 (EOF for fflush) with errno set; every
 * other call goes to libc. stdio's own writes (inside fwrite, fclose) are libc-internal
 * and cannot be intercepted, hence fflush: the durable writers flush before fsync.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum op { OP_NONE, OP_WRITE, OP_FSYNC, OP_RENAME };

static enum op fault_op;
static long fault_n;
static const char *fault_path;
static int fault_errno = ENOSPC;
static const char *count_file;
static atomic_long calls;

__attribute__((constructor)) static void fault_init(void)
{
    const char *op = getenv("LK_FAULT_OP"), *n = getenv("LK_FAULT_N"),
               *e = getenv("LK_FAULT_ERRNO");
    if (!op || strcmp(program_invocation_short_name, "lklab") != 0)
        return;
    fault_op = strcmp(op, "write") == 0    ? OP_WRITE
               : strcmp(op, "fsync") == 0  ? OP_FSYNC
               : strcmp(op, "rename") == 0 ? OP_RENAME
                                           : OP_NONE;
    fault_n = n ? strtol(n, NULL, 10) : 0;
    fault_path = getenv("LK_FAULT_PATH");
    if (fault_path && !*fault_path)
        fault_path = NULL;
    fault_errno = e && strcmp(e, "EIO") == 0 ? EIO : ENOSPC;
    count_file = getenv("LK_FAULT_COUNT");
}

__attribute__((destructor)) static void fault_fini(void)
{
    static ssize_t (*real)(int, const void *, size_t);
    char text[32];
    int fd, len;
    if (fault_op == OP_NONE || !count_file)
        return;
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    len = snprintf(text, sizeof(text), "%ld\n", (long)atomic_load(&calls));
    if (real(fd, text, (size_t)len) < 0)
        perror("lk_fault");
    close(fd);
}

static int path_matches(const char *path)
{
    return !fault_path || (path && strstr(path, fault_path));
}

static int fd_matches(int fd)
{
    char link[64], path[4096];
    ssize_t n;
    if (!fault_path)
        return 1;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, path, sizeof(path) - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return path_matches(path);
}

/* 1 when this call (of kind op, on a matching path) is the one that fails. */
static int hit(enum op op, int matches)
{
    if (fault_op != op || !matches)
        return 0;
    if (atomic_fetch_add(&calls, 1) + 1 != fault_n)
        return 0;
    errno = fault_errno;
    return 1;
}

/* real_NAME: libc's NAME, looked up on first use. */
#define REAL(name)                                                                                 \
    static __typeof__(&name) real_##name;                                                          \
    if (!real_##name)                                                                              \
    real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (fault_op == OP_WRITE && fd > 2 && hit(OP_WRITE, fd_matches(fd)))
        return -1;
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (hit(OP_WRITE, fault_op == OP_WRITE && fd_matches(fd)))
        return -1;
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite64);
    if (hit(OP_WRITE, fault_op == OP_WRITE && fd_matches(fd)))
        return -1;
    return real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    REAL(writev);
    if (fault_op == OP_WRITE && fd > 2 && hit(OP_WRITE, fd_matches(fd)))
        return -1;
    return real_writev(fd, iov, cnt);
}

int fflush(FILE *fp)
{
    REAL(fflush);
    if (fault_op == OP_WRITE && fp && fileno(fp) > 2 && hit(OP_WRITE, fd_matches(fileno(fp))))
        return EOF;
    return real_fflush(fp);
}

int fsync(int fd)
{
    REAL(fsync);
    if (hit(OP_FSYNC, fault_op == OP_FSYNC && fd_matches(fd)))
        return -1;
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    if (hit(OP_FSYNC, fault_op == OP_FSYNC && fd_matches(fd)))
        return -1;
    return real_fdatasync(fd);
}

int rename(const char *from, const char *to)
{
    REAL(rename);
    if (hit(OP_RENAME, path_matches(to)))
        return -1;
    return real_rename(from, to);
}

int linkat(int dfrom, const char *from, int dto, const char *to, int flags)
{
    REAL(linkat);
    if (hit(OP_RENAME, fault_op == OP_RENAME && path_matches(to)))
        return -1;
    return real_linkat(dfrom, from, dto, to, flags);
}

int renameat(int dfrom, const char *from, int dto, const char *to)
{
    REAL(renameat);
    if (hit(OP_RENAME, path_matches(to)))
        return -1;
    return real_renameat(dfrom, from, dto, to);
}
