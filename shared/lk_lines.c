/* lk_lines - the line reader (lk_lines.h). */
#define _GNU_SOURCE
#include "lk_lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lk_file.h"
#include "lk_mem.h"
#include "banned.h"

/*
 * The file as it was at open is mapped (no copy into a buffer); lines are cut from the
 * mapping while its end is not reached. The rest (a last line without a newline, or
 * anything appended since) is read with read() into the buffer, as are files that
 * cannot be mapped.
 */
struct lk_lines {
    int fd;
    char *path;
    const char *map; /* the mapping, or NULL */
    size_t map_len;
    size_t map_kept; /* map[0..map_kept) was handed back (MADV_DONTNEED) */
    int in_map;      /* offset is inside the mapping and lines come from it */
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
        return lk_file_error(err, errno, "open", path);
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
        return lk_file_error(err, errno, "read", r->path);
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
        return lk_file_error(err, errno, "seek in", r->path);
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
