#define _GNU_SOURCE /* O_TMPFILE */
#include "lk_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lk_mem.h"
#include "banned.h"

static int sys_err(struct lk_err *err, int e, const char *what, const char *path)
{
    return lk_err_sys(err, e == ENOENT || e == ENOTDIR ? LK_ENOENT : LK_EIO, e, "cannot %s '%s'",
                      what, path);
}

int lk_file_read_all(const char *path, size_t max, char **out, size_t *len, struct lk_err *err)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (!fp)
        return sys_err(err, errno, "open", path);
    for (;;) {
        size_t got;
        LK_GROW(buf, cap, n + 65536);
        got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (n > max) {
            rc = lk_err_set(err, LK_ERANGE, "file too large '%s' (more than %zu bytes)", path, max);
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        rc = sys_err(err, errno, "read", path);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    fclose(fp);
    return rc;
}

/* ---------------------------------------------------------- line reader ---- */

/*
 * The file as it was at open is mapped (no copy into a buffer); lines are cut from the
 * mapping while its end is not reached. The rest (a last line without a newline, or
 * anything appended since) is read with read() into the buffer, as are files that
 * cannot be mapped.
 */
struct lk_lines {
    int fd;
    char *path;
    const char *map;   /* the mapping, or NULL */
    size_t map_len;
    size_t map_kept;   /* map[0..map_kept) was handed back (MADV_DONTNEED) */
    int in_map;        /* offset is inside the mapping and lines come from it */
    char *buf;
    size_t cap, start, end; /* unread bytes are buf[start..end) */
    int eof;
    size_t lineno;
    uint64_t offset;
};

static void map_file(struct lk_lines *r)
{
    struct stat st;
    void *m;
    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0
        || (uint64_t)st.st_size > SIZE_MAX / 2)
        return;
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, r->fd, 0);
    if (m == MAP_FAILED)
        return;
    posix_madvise(m, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
    r->map = m;
    r->map_len = (size_t)st.st_size;
    r->in_map = 1;
}

int lk_lines_open(struct lk_lines **out, const char *path, struct lk_err *err)
{
    struct lk_lines *r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sys_err(err, errno, "open", path);
    r = lk_xcalloc(1, sizeof(*r));
    r->fd = fd;
    r->path = lk_xstrdup(path);
    map_file(r);
    *out = r;
    return 0;
}

/* Move unread bytes to the front, grow when full, read more. */
static int refill(struct lk_lines *r, struct lk_err *err)
{
    ssize_t got;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        r->cap = r->cap ? r->cap * 2 : (size_t)1 << 20;
        r->buf = lk_xrealloc(r->buf, r->cap);
    }
    do
        got = read(r->fd, r->buf + r->end, r->cap - r->end);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return sys_err(err, errno, "read", r->path);
    if (got == 0)
        r->eof = 1;
    r->end += (size_t)got;
    return 0;
}

/*
 * Hand the pages already read back to the kernel every MB, so that reading a big file
 * does not grow the resident set with it (they come back from the page cache if a seek
 * returns there). The page holding the current line stays.
 */
#define MAP_DROP_STEP ((size_t)1 << 20)

static void drop_read_pages(struct lk_lines *r)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), upto = (size_t)r->offset / page * page;
    if (upto < r->map_kept + MAP_DROP_STEP)
        return;
#ifdef MADV_DONTNEED
    madvise((void *)(uintptr_t)(r->map + r->map_kept), upto - r->map_kept, MADV_DONTNEED);
#endif
    r->map_kept = upto;
}

/* A line from the mapping: 1, or 0 when the mapping holds no further complete line. */
static int next_mapped(struct lk_lines *r, const char **line, size_t *len)
{
    const char *p = r->map + r->offset, *nl;
    if (r->offset >= r->map_len)
        return 0;
    drop_read_pages(r);
    nl = memchr(p, '\n', r->map_len - (size_t)r->offset);
    if (!nl)
        return 0;
    *line = p;
    *len = (size_t)(nl - p);
    r->offset += *len + 1;
    r->lineno++;
    return 1;
}

int lk_lines_next(struct lk_lines *r, const char **line, size_t *len, struct lk_err *err)
{
    size_t scanned = 0;
    if (r->in_map) {
        if (next_mapped(r, line, len))
            return 1;
        r->in_map = 0; /* read() from here on */
        if (lk_lines_seek(r, r->offset, r->lineno, err) < 0)
            return LK_EIO;
        r->in_map = 0;
    }
    for (;;) {
        size_t unscanned = r->end - r->start - scanned;
        char *nl = unscanned ? memchr(r->buf + r->start + scanned, '\n', unscanned) : NULL;
        if (nl) {
            *line = r->buf + r->start;
            *len = (size_t)(nl - *line);
            r->start += *len + 1;
            r->offset += *len + 1;
            r->lineno++;
            return 1;
        }
        if (r->eof) {
            if (r->start == r->end)
                return 0;
            *line = r->buf + r->start;
            *len = r->end - r->start;
            r->offset += *len;
            r->start = r->end;
            r->lineno++;
            return 1;
        }
        scanned = r->end - r->start;
        if (refill(r, err) < 0)
            return LK_EIO;
    }
}

int lk_lines_seek(struct lk_lines *r, uint64_t off, size_t lineno, struct lk_err *err)
{
    if (lseek(r->fd, (off_t)off, SEEK_SET) < 0)
        return sys_err(err, errno, "seek in", r->path);
    r->start = r->end = 0;
    r->eof = 0;
    r->offset = off;
    r->lineno = lineno;
    r->in_map = r->map && off < r->map_len;
    if (r->map_kept > off)
        r->map_kept = 0; /* dropped pages come back when touched; count from the start */
    return 0;
}

size_t lk_lines_lineno(const struct lk_lines *r)
{
    return r->lineno;
}

uint64_t lk_lines_offset(const struct lk_lines *r)
{
    return r->offset;
}

void lk_lines_close(struct lk_lines *r)
{
    if (!r)
        return;
    close(r->fd);
    if (r->map)
        munmap((void *)(uintptr_t)r->map, r->map_len);
    free(r->path);
    free(r->buf);
    free(r);
}

/* ------------------------------------------------------------- atomic ---- */

static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

int lk_atomic_open(struct lk_atomic *a, const char *path, struct lk_err *err)
{
    size_t n = strlen(path);
    a->path = lk_xstrdup(path);
    a->tmp = lk_xmalloc(n + 5);
    memcpy(a->tmp, path, n);
    memcpy(a->tmp + n, ".tmp", 5);
    a->fp = fopen(a->tmp, "wb");
    if (!a->fp) {
        int rc = sys_err(err, errno, "create", a->tmp);
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
    char dir[4096];
    if (strlen(path) >= sizeof(dir) || !proc_fd_usable())
        return -1;
    dir_of(path, dir, sizeof(dir));
    return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
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
        return sys_err(err, errno, "create", a->path);
    a->tmp = lk_xmalloc(n + 5);
    memcpy(a->tmp, a->path, n);
    memcpy(a->tmp + n, ".tmp", 5);
    unlink(a->tmp); /* a leftover of an earlier crash */
    if (linkat(AT_FDCWD, proc, AT_FDCWD, a->tmp, AT_SYMLINK_FOLLOW) != 0) {
        int rc = sys_err(err, errno, "create", a->tmp);
        free(a->tmp);
        a->tmp = NULL;
        return rc;
    }
    return 1;
}

int lk_atomic_commit(struct lk_atomic *a, struct lk_err *err)
{
    char dir[4096];
    int rc = 0, sync = a->durability != LK_DURABLE_PROCESS, renamed = a->tmp != NULL;
    if (fflush(a->fp) != 0 || ferror(a->fp) || (sync && fsync(fileno(a->fp)) != 0)) {
        rc = sys_err(err, errno, "write", a->tmp ? a->tmp : a->path);
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
        rc = sys_err(err, errno, "close", a->tmp ? a->tmp : a->path);
        lk_atomic_abort(a);
        return rc;
    }
    a->fp = NULL;
    if (renamed && rename(a->tmp, a->path) != 0) {
        rc = sys_err(err, errno, "rename to", a->path);
        lk_atomic_abort(a);
        return rc;
    }
    if (sync) {
        dir_of(a->path, dir, sizeof(dir));
        rc = lk_fsync_dir(dir, err);
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
}

int lk_checked_open(struct lk_checked *c, const char *path, enum lk_durability d,
                    struct lk_err *err)
{
    int rc = open_unnamed(&c->a, path) == 0 ? 0 : lk_atomic_open(&c->a, path, err);
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
        return sys_err(err, errno, "write", c->a.tmp ? c->a.tmp : c->a.path);
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
    char proc[64], *tmpname = lk_xmalloc(n), dir[4096];
    int rc = 0, sync = d != LK_DURABLE_PROCESS;
    snprintf(tmpname, n, "%s.tmp", path);
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (sync && fsync(fd) != 0) {
        rc = sys_err(err, errno, "write", tmp ? tmpname : path);
    } else if (!tmp && linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) {
        tmp = -1; /* named */
    } else if (!tmp && errno != EEXIST) {
        rc = sys_err(err, errno, "create", path);
    } else if (!tmp) { /* path exists: link as path.tmp, then rename over it */
        unlink(tmpname);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmpname, AT_SYMLINK_FOLLOW) != 0)
            rc = sys_err(err, errno, "create", tmpname);
        tmp = 1;
    }
    if (close(fd) != 0 && rc == 0)
        rc = sys_err(err, errno, "close", tmp > 0 ? tmpname : path);
    if (rc == 0 && tmp > 0 && rename(tmpname, path) != 0)
        rc = sys_err(err, errno, "rename to", path);
    if (rc < 0 && tmp > 0)
        unlink(tmpname);
    if (rc == 0 && sync) {
        dir_of(path, dir, sizeof(dir));
        rc = lk_fsync_dir(dir, err);
    }
    free(tmpname);
    return rc;
}

int lk_file_write_checked_as(const char *path, const char *data, size_t len,
                             enum lk_durability d, struct lk_err *err)
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
            int rc = sys_err(err, errno, "create", tmpname);
            free(tmpname);
            return rc;
        }
        if (write_all(fd, iov, 2) != 0) {
            int rc = sys_err(err, errno, "write", tmpname);
            close(fd);
            unlink(tmpname);
            free(tmpname);
            return rc;
        }
        free(tmpname);
    } else if (write_all(fd, iov, 2) != 0) {
        int rc = sys_err(err, errno, "write", path);
        close(fd);
        return rc;
    }
    return name_fd(fd, path, tmp, d, err);
}

int lk_file_write_checked(const char *path, const char *data, size_t len, struct lk_err *err)
{
    return lk_file_write_checked_as(path, data, len, LK_DURABLE_FSYNC, err);
}

int lk_file_read_checked(const char *path, size_t max, char **out, size_t *len,
                         struct lk_err *err)
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
        return sys_err(err, errno, "open directory", dir);
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = sys_err(err, errno, "sync directory", dir);
    close(fd);
    return rc;
}

/* -------------------------------------------------------- directories ---- */

int lk_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void lk_file_name_of(FILE *fp, char *buf, size_t size)
{
    char link[64];
    ssize_t n;
    int fd = fileno(fp);
    if (fd == STDOUT_FILENO || fd == STDERR_FILENO) {
        snprintf(buf, size, fd == STDOUT_FILENO ? "standard output" : "standard error");
        return;
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = size > 1 ? readlink(link, buf, size - 1) : -1;
    if (n < 0)
        snprintf(buf, size, "descriptor %d", fd);
    else
        buf[n] = '\0';
}

int lk_file_write_failed(FILE *fp, const char *what, struct lk_err *err)
{
    char name[512];
    int e = errno ? errno : EIO;
    lk_file_name_of(fp, name, sizeof(name));
    return lk_err_sys(err, LK_EIO, e, "cannot write %s to '%s'", what, name);
}

int lk_file_append_line(FILE *fp, const char *text, struct lk_err *err)
{
    if (fputs(text, fp) >= 0 && fputc('\n', fp) != EOF && fflush(fp) == 0)
        return 0;
    return lk_file_write_failed(fp, "a line", err);
}

int lk_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int lk_mkdir_p(const char *path, struct lk_err *err)
{
    char *p = lk_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = sys_err(err, errno, "create directory", p);
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (rc == 0 && !lk_is_dir(path))
        rc = lk_err_set(err, LK_EIO, "cannot create directory '%s' (a file is in the way)", path);
    free(p);
    return rc;
}

int lk_rm_rf(const char *path, struct lk_err *err)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : sys_err(err, errno, "stat", path);
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0 ? 0 : sys_err(err, errno, "remove", path);
    d = opendir(path);
    if (!d)
        return sys_err(err, errno, "open directory", path);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char *child;
        size_t n;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n = strlen(path) + strlen(e->d_name) + 2;
        child = lk_xmalloc(n);
        snprintf(child, n, "%s/%s", path, e->d_name);
        rc = lk_rm_rf(child, err);
        free(child);
    }
    closedir(d);
    if (rc == 0 && rmdir(path) != 0)
        rc = sys_err(err, errno, "remove directory", path);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int lk_list_dir(const char *dir, const char *suffix, char ***names, size_t *n, struct lk_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t cnt = 0, cap = 0, slen = suffix ? strlen(suffix) : 0;
    if (!d)
        return sys_err(err, errno, "open directory", dir);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        struct stat st;
        if (e->d_name[0] == '.' || len < slen || (suffix && strcmp(e->d_name + len - slen, suffix)))
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue; /* regular files only (a directory named x.jsonl is not a log) */
        LK_GROW(v, cap, cnt + 1);
        v[cnt++] = lk_xstrdup(e->d_name);
    }
    closedir(d);
    if (cnt)
        qsort(v, cnt, sizeof(*v), cmp_names);
    *names = v;
    *n = cnt;
    return 0;
}

void lk_list_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int lk_dataset_log_files(const char *data, char ***paths, size_t *n, struct lk_err *err)
{
    char dir[4096];
    char **names;
    size_t cnt;
    int rc;
    if (lk_is_file(data)) {
        *paths = lk_xmalloc(sizeof(char *));
        (*paths)[0] = lk_xstrdup(data);
        *n = 1;
        return 0;
    }
    if (!lk_is_dir(data)) {
        if (access(data, F_OK) != 0)
            return sys_err(err, errno, "open dataset", data);
        return lk_err_set(err, LK_EINPUT, "cannot read dataset '%s' (not a file or directory)", data);
    }
    snprintf(dir, sizeof(dir), "%s/log", data);
    if (!lk_is_dir(dir))
        return lk_err_set(err, LK_ENOENT,
                          "cannot open dataset '%s' (no log/ directory: not made by lklab gen)", data);
    if ((rc = lk_list_dir(dir, ".jsonl", &names, &cnt, err)) < 0)
        return rc;
    for (size_t i = 0; i < cnt; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *p = lk_xmalloc(len);
        snprintf(p, len, "%s/%s", dir, names[i]);
        free(names[i]);
        names[i] = p;
    }
    *paths = names;
    *n = cnt;
    return 0;
}
