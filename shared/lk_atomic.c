/* lk_atomic - durable atomic and checksummed files (lk_atomic.h). */
#define _GNU_SOURCE /* O_TMPFILE */
#include "lk_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lk_file.h"
#include "lk_mem.h"
#include "banned.h"

/* The directory of path (heap, the caller frees): ".", "/" or what precedes the last '/'. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = lk_xmalloc(n + 2);
    memcpy(dir, n ? path : ".", n ? n : 1);
    dir[n ? n : 1] = '\0';
    return dir;
}

/* fsync the directory of path. */
static int fsync_dir_of(const char *path, struct lk_err *err)
{
    char *dir = dir_of(path);
    int rc = lk_fsync_dir(dir, err);
    free(dir);
    return rc;
}

/*
 * A path that exists and is not a regular file (/dev/null, /dev/stdout, a pipe, a symlink
 * to one) is written to directly, as a shell redirection would: a temp file renamed over it
 * would replace the device or the link (as root, /dev/null itself). 1 when path is such a
 * file and opened (or 0: the normal way; <0: the error opening it, named in err).
 */
/* 1 when path exists and is not a regular file (written through, never replaced). */
static int exists_unreplaceable(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

static int open_direct(struct lk_atomic *a, const char *path, struct lk_err *err)
{
    if (!exists_unreplaceable(path))
        return 0;
    if (!(a->fp = fopen(path, "wb")))
        return lk_file_error(err, errno, "create", path);
    a->path = lk_xstrdup(path);
    a->tmp = NULL;
    a->direct = 1;
    return 1;
}

int lk_atomic_open(struct lk_atomic *a, const char *path, struct lk_err *err)
{
    size_t n = strlen(path);
    int rc = open_direct(a, path, err);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    a->path = lk_xstrdup(path);
    a->tmp = lk_xmalloc(n + 5);
    memcpy(a->tmp, path, n);
    memcpy(a->tmp + n, ".tmp", 5);
    a->fp = fopen(a->tmp, "wb");
    if (!a->fp) {
        rc = lk_file_error(err, errno, "create", a->tmp);
        free(a->path);
        free(a->tmp);
        a->path = a->tmp = NULL;
        return rc;
    }
    return 0;
}

/*
 * An unnamed file in path's directory (Linux O_TMPFILE), given its name at commit by
 * linkat: one directory operation instead of creating and renaming a temp name, and
 * nothing left behind by a crash. 0, or -1 where this is not available (a->... untouched).
 */
/* 1 when /proc/self/fd can name an unnamed file (asked once; every thread gets the same answer). */
static int proc_fd_usable(void)
{
    static _Atomic int known; /* 0 unknown, 1 yes, 2 no */
    int v = known;
    if (v == 0) {
        v = access("/proc/self/fd", X_OK) == 0 ? 1 : 2;
        known = v;
    }
    return v == 1;
}

/* A descriptor of an unnamed file in path's directory (Linux O_TMPFILE), or -1. */
static int open_unnamed_fd(const char *path)
{
#if defined(O_TMPFILE) && defined(__linux__)
    char *dir;
    int fd;
    if (!proc_fd_usable())
        return -1;
    dir = dir_of(path);
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    free(dir);
    return fd;
#else
    (void)path;
    return -1;
#endif
}

static int open_unnamed(struct lk_atomic *a, const char *path)
{
    int fd = open_unnamed_fd(path);
    if (fd < 0)
        return -1;
    a->fp = fdopen(fd, "wb");
    if (!a->fp) {
        close(fd);
        return -1;
    }
    a->path = lk_xstrdup(path);
    a->tmp = NULL;
    return 0;
}

/*
 * Name the unnamed file: link it as path; when path exists, link it as path.tmp (which
 * lk_atomic_commit then renames over path, as for a named temp file).
 */
static int link_unnamed(struct lk_atomic *a, struct lk_err *err)
{
    char proc[64];
    size_t n = strlen(a->path);
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(a->fp));
    if (linkat(AT_FDCWD, proc, AT_FDCWD, a->path, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST)
        return lk_file_error(err, errno, "create", a->path);
    a->tmp = lk_xmalloc(n + 5);
    memcpy(a->tmp, a->path, n);
    memcpy(a->tmp + n, ".tmp", 5);
    unlink(a->tmp); /* a leftover of an earlier crash */
    if (linkat(AT_FDCWD, proc, AT_FDCWD, a->tmp, AT_SYMLINK_FOLLOW) != 0) {
        int rc = lk_file_error(err, errno, "create", a->tmp);
        free(a->tmp);
        a->tmp = NULL;
        return rc;
    }
    return 1;
}

/* Commit a file opened by open_direct: flushed and closed, nothing to name or sync. */
static int commit_direct(struct lk_atomic *a, struct lk_err *err)
{
    int rc = 0;
    if (fflush(a->fp) != 0 || ferror(a->fp))
        rc = lk_file_error(err, errno, "write", a->path);
    if (fclose(a->fp) != 0 && rc == 0)
        rc = lk_file_error(err, errno, "close", a->path);
    a->fp = NULL;
    free(a->path);
    a->path = NULL;
    a->direct = 0;
    return rc;
}

int lk_atomic_commit(struct lk_atomic *a, struct lk_err *err)
{
    int rc = 0, sync = a->durability != LK_DURABLE_PROCESS, renamed = a->tmp != NULL;
    if (a->direct)
        return commit_direct(a, err);
    if (fflush(a->fp) != 0 || ferror(a->fp) || (sync && fsync(fileno(a->fp)) != 0)) {
        rc = lk_file_error(err, errno, "write", a->tmp ? a->tmp : a->path);
        lk_atomic_abort(a);
        return rc;
    }
    if (!a->tmp && (rc = link_unnamed(a, err)) != 0) {
        if (rc < 0) {
            lk_atomic_abort(a);
            return rc;
        }
        renamed = 1;
        rc = 0;
    }
    if (fclose(a->fp) != 0) {
        a->fp = NULL;
        rc = lk_file_error(err, errno, "close", a->tmp ? a->tmp : a->path);
        lk_atomic_abort(a);
        return rc;
    }
    a->fp = NULL;
    if (renamed && rename(a->tmp, a->path) != 0) {
        rc = lk_file_error(err, errno, "rename to", a->path);
        lk_atomic_abort(a);
        return rc;
    }
    if (sync) {
        rc = fsync_dir_of(a->path, err);
    }
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return rc;
}

void lk_atomic_abort(struct lk_atomic *a)
{
    if (!a)
        return;
    if (a->fp)
        fclose(a->fp);
    if (a->tmp)
        unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    a->fp = NULL;
    a->path = a->tmp = NULL;
    a->direct = 0;
}

int lk_checked_open(struct lk_checked *c, const char *path, enum lk_durability d,
                    struct lk_err *err)
{
    int rc = exists_unreplaceable(path) || open_unnamed(&c->a, path) != 0
                 ? lk_atomic_open(&c->a, path, err)
                 : 0;
    c->a.durability = d;
    c->crc = 0;
    c->len = 0;
    return rc;
}

void lk_checked_write(struct lk_checked *c, const void *data, size_t len)
{
    if (len == 0)
        return;
    fwrite(data, 1, len, c->a.fp);
    c->crc = lk_crc32(c->crc, data, len);
    c->len += len;
}

int lk_checked_pwrite(struct lk_checked *c, uint64_t offset, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t got = pwrite(fileno(c->a.fp), p, len, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -errno : -EIO;
        p += got;
        len -= (size_t)got;
        offset += (uint64_t)got;
    }
    return 0;
}

int lk_checked_account(struct lk_checked *c, size_t len, uint32_t crc, struct lk_err *err)
{
    c->len = len;
    c->crc = crc;
    if (fseeko(c->a.fp, (off_t)len, SEEK_SET) != 0)
        return lk_file_error(err, errno, "write", c->a.tmp ? c->a.tmp : c->a.path);
    return 0;
}

int lk_checked_commit(struct lk_checked *c, struct lk_err *err)
{
    fprintf(c->a.fp, "\n#lk-crc32 %08x %zu\n", (unsigned)c->crc, c->len);
    return lk_atomic_commit(&c->a, err);
}

void lk_checked_abort(struct lk_checked *c)
{
    if (c)
        lk_atomic_abort(&c->a);
}

/* Write all of iov[0..n) to fd (0, or -1 with errno set). */
static int write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t got = writev(fd, iov, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0)
                errno = EIO;
            return -1;
        }
        while (n > 0 && (size_t)got >= iov->iov_len) {
            got -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + got;
            iov->iov_len -= (size_t)got;
        }
    }
    return 0;
}

/*
 * Give fd (an unnamed file, or path.tmp when tmp is set) the name path, as lk_atomic_commit
 * does, and close it; fsyncs per d. 0 or the error.
 */
static int name_fd(int fd, const char *path, int tmp, enum lk_durability d, struct lk_err *err)
{
    size_t n = strlen(path) + 5;
    char proc[64], *tmpname = lk_xmalloc(n);
    int rc = 0, sync = d != LK_DURABLE_PROCESS;
    snprintf(tmpname, n, "%s.tmp", path);
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (sync && fsync(fd) != 0) {
        rc = lk_file_error(err, errno, "write", tmp ? tmpname : path);
    } else if (!tmp && linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) {
        tmp = -1; /* named */
    } else if (!tmp && errno != EEXIST) {
        rc = lk_file_error(err, errno, "create", path);
    } else if (!tmp) { /* path exists: link as path.tmp, then rename over it */
        unlink(tmpname);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmpname, AT_SYMLINK_FOLLOW) != 0)
            rc = lk_file_error(err, errno, "create", tmpname);
        tmp = 1;
    }
    if (close(fd) != 0 && rc == 0)
        rc = lk_file_error(err, errno, "close", tmp > 0 ? tmpname : path);
    if (rc == 0 && tmp > 0 && rename(tmpname, path) != 0)
        rc = lk_file_error(err, errno, "rename to", path);
    if (rc < 0 && tmp > 0)
        unlink(tmpname);
    if (rc == 0 && sync) {
        rc = fsync_dir_of(path, err);
    }
    free(tmpname);
    return rc;
}

int lk_file_write_checked_as(const char *path, const char *data, size_t len, enum lk_durability d,
                             struct lk_err *err)
{
    char trailer[64];
    struct iovec iov[2];
    int fd = open_unnamed_fd(path), tmp = fd < 0;
    iov[0].iov_base = (void *)(uintptr_t)data; /* writev does not write through it */
    iov[0].iov_len = len;
    iov[1].iov_base = trailer;
    iov[1].iov_len = (size_t)snprintf(trailer, sizeof(trailer), "\n#lk-crc32 %08x %zu\n",
                                      (unsigned)lk_crc32(0, data, len), len);
    if (tmp) {
        size_t n = strlen(path) + 5;
        char *tmpname = lk_xmalloc(n);
        snprintf(tmpname, n, "%s.tmp", path);
        fd = open(tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            int rc = lk_file_error(err, errno, "create", tmpname);
            free(tmpname);
            return rc;
        }
        if (write_all(fd, iov, 2) != 0) {
            int rc = lk_file_error(err, errno, "write", tmpname);
            close(fd);
            unlink(tmpname);
            free(tmpname);
            return rc;
        }
        free(tmpname);
    } else if (write_all(fd, iov, 2) != 0) {
        int rc = lk_file_error(err, errno, "write", path);
        close(fd);
        return rc;
    }
    return name_fd(fd, path, tmp, d, err);
}

int lk_file_write_checked(const char *path, const char *data, size_t len, struct lk_err *err)
{
    return lk_file_write_checked_as(path, data, len, LK_DURABLE_FSYNC, err);
}

int lk_file_read_checked(const char *path, size_t max, char **out, size_t *len, struct lk_err *err)
{
    char *buf, *trailer;
    size_t n, body;
    unsigned crc;
    int rc = lk_file_read_all(path, max, &buf, &n, err);
    if (rc < 0)
        return rc;
    /* the trailer is the last line, after a separating newline that is not content */
    if (n < 2 || buf[n - 1] != '\n')
        goto corrupt;
    buf[n - 1] = '\0';
    trailer = strrchr(buf, '\n');
    if (!trailer)
        goto corrupt;
    body = (size_t)(trailer - buf);
    {
        size_t declared;
        char tail;
        if (sscanf(trailer + 1, "#lk-crc32 %8x %zu%c", &crc, &declared, &tail) != 2
            || declared != body || crc != lk_crc32(0, buf, body))
            goto corrupt;
    }
    buf[body] = '\0';
    *out = buf;
    *len = body;
    return 0;
corrupt:
    free(buf);
    return lk_err_set(err, LK_ECORRUPT, "cannot load '%s' (checksum mismatch)", path);
}

int lk_fsync_dir(const char *dir, struct lk_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0)
        return lk_file_error(err, errno, "open directory", dir);
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = lk_file_error(err, errno, "sync directory", dir);
    close(fd);
    return rc;
}
