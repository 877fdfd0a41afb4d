#include "lk_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

struct lk_lines {
    int fd;
    char *path;
    char *buf;
    size_t cap, start, end; /* unread bytes are buf[start..end) */
    int eof;
    size_t lineno;
    uint64_t offset;
};

int lk_lines_open(struct lk_lines **out, const char *path, struct lk_err *err)
{
    struct lk_lines *r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sys_err(err, errno, "open", path);
    r = lk_xcalloc(1, sizeof(*r));
    r->fd = fd;
    r->path = lk_xstrdup(path);
    r->cap = 1 << 20;
    r->buf = lk_xmalloc(r->cap);
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
        r->cap *= 2;
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

int lk_lines_next(struct lk_lines *r, const char **line, size_t *len, struct lk_err *err)
{
    size_t scanned = 0;
    for (;;) {
        char *nl = memchr(r->buf + r->start + scanned, '\n', r->end - r->start - scanned);
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
    free(r->path);
    free(r->buf);
    free(r);
}

/* ------------------------------------------------------------- atomic ---- */

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

int lk_atomic_commit(struct lk_atomic *a, struct lk_err *err)
{
    char dir[4096];
    int rc = 0;
    if (fflush(a->fp) != 0 || ferror(a->fp) || fsync(fileno(a->fp)) != 0) {
        rc = sys_err(err, errno, "write", a->tmp);
        lk_atomic_abort(a);
        return rc;
    }
    if (fclose(a->fp) != 0) {
        a->fp = NULL;
        rc = sys_err(err, errno, "close", a->tmp);
        lk_atomic_abort(a);
        return rc;
    }
    a->fp = NULL;
    if (rename(a->tmp, a->path) != 0) {
        rc = sys_err(err, errno, "rename to", a->path);
        lk_atomic_abort(a);
        return rc;
    }
    dir_of(a->path, dir, sizeof(dir));
    rc = lk_fsync_dir(dir, err);
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

uint32_t lk_crc32(uint32_t crc, const void *data, size_t len)
{
    /* half-byte table of the reflected IEEE polynomial 0xEDB88320 */
    static const uint32_t t[16] = {
        0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
        0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
        0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
    };
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ t[crc & 15];
        crc = (crc >> 4) ^ t[crc & 15];
    }
    return ~crc;
}

int lk_file_write_checked(const char *path, const char *data, size_t len, struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    int rc = lk_atomic_open(&a, path, err);
    if (rc < 0)
        return rc;
    fwrite(data, 1, len, a.fp);
    fprintf(a.fp, "\n#lk-crc32 %08x %zu\n", (unsigned)lk_crc32(0, data, len), len);
    return lk_atomic_commit(&a, err);
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
