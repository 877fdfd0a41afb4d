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

/*
 * Slicing-by-8 (8 bytes per step through 8 derived tables, same result as the byte loop).
 * The tables are derived on the stack per call (~2K operations), so only long buffers
 * take this path and nothing global is mutable.
 */
#define CRC_SLICE_MIN ((size_t)16384)

static uint32_t crc32_slice8(uint32_t crc, const unsigned char *p, size_t n,
                             const uint32_t t[256])
{
    uint32_t s[8][256];
    memcpy(s[0], t, sizeof(s[0]));
    for (int k = 1; k < 8; k++)
        for (int i = 0; i < 256; i++)
            s[k][i] = (s[k - 1][i] >> 8) ^ t[s[k - 1][i] & 0xFF];
    for (; n >= 8; n -= 8, p += 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
                             | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16
                    | (uint32_t)p[7] << 24;
        crc = s[7][lo & 0xFF] ^ s[6][(lo >> 8) & 0xFF] ^ s[5][(lo >> 16) & 0xFF] ^ s[4][lo >> 24]
            ^ s[3][hi & 0xFF] ^ s[2][(hi >> 8) & 0xFF] ^ s[1][(hi >> 16) & 0xFF] ^ s[0][hi >> 24];
    }
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define LK_CRC_CLMUL 1
/*
 * CRC-32 by carry-less multiplication (Intel's "Fast CRC Computation for Generic
 * Polynomials Using PCLMULQDQ", as zlib/Chromium's crc32_simd.c does it): four 128-bit
 * lanes are folded 64 bytes at a time, then into one lane, then Barrett-reduced. n >= 64
 * and a multiple of 16; crc is the running (inverted) register, as in the table loop.
 * The same bits as the table, ~6x faster: checkpoint files are mostly state text.
 */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc32_clmul(uint32_t crc,
                                                                    const unsigned char *p,
                                                                    size_t n)
{
    const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596LL, 0x0154442bd4LL);
    const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009eLL, 0x01751997d0LL);
    const __m128i k5k0 = _mm_set_epi64x(0, 0x0163cd6124LL);
    const __m128i poly = _mm_set_epi64x(0x01f7011641LL, 0x01db710641LL);
    const __m128i mask32 = _mm_setr_epi32(-1, 0, -1, 0);
    __m128i x0, x1, x2, x3, x4, x5, x6, x7, x8;
    x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 0x00));
    x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 0x10));
    x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 0x20));
    x4 = _mm_loadu_si128((const __m128i *)(const void *)(p + 0x30));
    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
    p += 64;
    n -= 64;
    while (n >= 64) { /* fold each lane 512 bits forward into the next 64 bytes */
        x5 = _mm_clmulepi64_si128(x1, k1k2, 0x00);
        x6 = _mm_clmulepi64_si128(x2, k1k2, 0x00);
        x7 = _mm_clmulepi64_si128(x3, k1k2, 0x00);
        x8 = _mm_clmulepi64_si128(x4, k1k2, 0x00);
        x1 = _mm_clmulepi64_si128(x1, k1k2, 0x11);
        x2 = _mm_clmulepi64_si128(x2, k1k2, 0x11);
        x3 = _mm_clmulepi64_si128(x3, k1k2, 0x11);
        x4 = _mm_clmulepi64_si128(x4, k1k2, 0x11);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x5),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 0x00)));
        x2 = _mm_xor_si128(_mm_xor_si128(x2, x6),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 0x10)));
        x3 = _mm_xor_si128(_mm_xor_si128(x3, x7),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 0x20)));
        x4 = _mm_xor_si128(_mm_xor_si128(x4, x8),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 0x30)));
        p += 64;
        n -= 64;
    }
    /* fold the four lanes into one (128 bits forward each time) */
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x2), x5);
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x3), x5);
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x4), x5);
    while (n >= 16) { /* the remaining 16-byte blocks */
        x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
        x1 = _mm_clmulepi64_si128(x1, k3k4, 0x11);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x5),
                           _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16;
        n -= 16;
    }
    /* 128 -> 64 bits */
    x2 = _mm_clmulepi64_si128(x1, k3k4, 0x10);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
    x2 = _mm_srli_si128(x1, 4);
    x1 = _mm_and_si128(x1, mask32);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k5k0, 0x00), x2);
    /* Barrett reduction to 32 bits */
    x0 = _mm_and_si128(x1, mask32);
    x2 = _mm_clmulepi64_si128(x0, poly, 0x10);
    x2 = _mm_and_si128(x2, mask32);
    x2 = _mm_clmulepi64_si128(x2, poly, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int crc32_clmul_ok(void)
{
    static _Atomic int known; /* 0 unknown, 1 yes, 2 no */
    int v = known;
    if (v == 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1") ? 1 : 2;
        known = v;
    }
    return v == 1;
}
#endif

uint32_t lk_crc32(uint32_t crc, const void *data, size_t len)
{
    /* byte table of the reflected IEEE polynomial 0xEDB88320 (as zlib) */
    static const uint32_t t[256] = {
        0x00000000, 0x77073096, 0xEE0E612C, 0x990951BA, 0x076DC419, 0x706AF48F,
        0xE963A535, 0x9E6495A3, 0x0EDB8832, 0x79DCB8A4, 0xE0D5E91E, 0x97D2D988,
        0x09B64C2B, 0x7EB17CBD, 0xE7B82D07, 0x90BF1D91, 0x1DB71064, 0x6AB020F2,
        0xF3B97148, 0x84BE41DE, 0x1ADAD47D, 0x6DDDE4EB, 0xF4D4B551, 0x83D385C7,
        0x136C9856, 0x646BA8C0, 0xFD62F97A, 0x8A65C9EC, 0x14015C4F, 0x63066CD9,
        0xFA0F3D63, 0x8D080DF5, 0x3B6E20C8, 0x4C69105E, 0xD56041E4, 0xA2677172,
        0x3C03E4D1, 0x4B04D447, 0xD20D85FD, 0xA50AB56B, 0x35B5A8FA, 0x42B2986C,
        0xDBBBC9D6, 0xACBCF940, 0x32D86CE3, 0x45DF5C75, 0xDCD60DCF, 0xABD13D59,
        0x26D930AC, 0x51DE003A, 0xC8D75180, 0xBFD06116, 0x21B4F4B5, 0x56B3C423,
        0xCFBA9599, 0xB8BDA50F, 0x2802B89E, 0x5F058808, 0xC60CD9B2, 0xB10BE924,
        0x2F6F7C87, 0x58684C11, 0xC1611DAB, 0xB6662D3D, 0x76DC4190, 0x01DB7106,
        0x98D220BC, 0xEFD5102A, 0x71B18589, 0x06B6B51F, 0x9FBFE4A5, 0xE8B8D433,
        0x7807C9A2, 0x0F00F934, 0x9609A88E, 0xE10E9818, 0x7F6A0DBB, 0x086D3D2D,
        0x91646C97, 0xE6635C01, 0x6B6B51F4, 0x1C6C6162, 0x856530D8, 0xF262004E,
        0x6C0695ED, 0x1B01A57B, 0x8208F4C1, 0xF50FC457, 0x65B0D9C6, 0x12B7E950,
        0x8BBEB8EA, 0xFCB9887C, 0x62DD1DDF, 0x15DA2D49, 0x8CD37CF3, 0xFBD44C65,
        0x4DB26158, 0x3AB551CE, 0xA3BC0074, 0xD4BB30E2, 0x4ADFA541, 0x3DD895D7,
        0xA4D1C46D, 0xD3D6F4FB, 0x4369E96A, 0x346ED9FC, 0xAD678846, 0xDA60B8D0,
        0x44042D73, 0x33031DE5, 0xAA0A4C5F, 0xDD0D7CC9, 0x5005713C, 0x270241AA,
        0xBE0B1010, 0xC90C2086, 0x5768B525, 0x206F85B3, 0xB966D409, 0xCE61E49F,
        0x5EDEF90E, 0x29D9C998, 0xB0D09822, 0xC7D7A8B4, 0x59B33D17, 0x2EB40D81,
        0xB7BD5C3B, 0xC0BA6CAD, 0xEDB88320, 0x9ABFB3B6, 0x03B6E20C, 0x74B1D29A,
        0xEAD54739, 0x9DD277AF, 0x04DB2615, 0x73DC1683, 0xE3630B12, 0x94643B84,
        0x0D6D6A3E, 0x7A6A5AA8, 0xE40ECF0B, 0x9309FF9D, 0x0A00AE27, 0x7D079EB1,
        0xF00F9344, 0x8708A3D2, 0x1E01F268, 0x6906C2FE, 0xF762575D, 0x806567CB,
        0x196C3671, 0x6E6B06E7, 0xFED41B76, 0x89D32BE0, 0x10DA7A5A, 0x67DD4ACC,
        0xF9B9DF6F, 0x8EBEEFF9, 0x17B7BE43, 0x60B08ED5, 0xD6D6A3E8, 0xA1D1937E,
        0x38D8C2C4, 0x4FDFF252, 0xD1BB67F1, 0xA6BC5767, 0x3FB506DD, 0x48B2364B,
        0xD80D2BDA, 0xAF0A1B4C, 0x36034AF6, 0x41047A60, 0xDF60EFC3, 0xA867DF55,
        0x316E8EEF, 0x4669BE79, 0xCB61B38C, 0xBC66831A, 0x256FD2A0, 0x5268E236,
        0xCC0C7795, 0xBB0B4703, 0x220216B9, 0x5505262F, 0xC5BA3BBE, 0xB2BD0B28,
        0x2BB45A92, 0x5CB36A04, 0xC2D7FFA7, 0xB5D0CF31, 0x2CD99E8B, 0x5BDEAE1D,
        0x9B64C2B0, 0xEC63F226, 0x756AA39C, 0x026D930A, 0x9C0906A9, 0xEB0E363F,
        0x72076785, 0x05005713, 0x95BF4A82, 0xE2B87A14, 0x7BB12BAE, 0x0CB61B38,
        0x92D28E9B, 0xE5D5BE0D, 0x7CDCEFB7, 0x0BDBDF21, 0x86D3D2D4, 0xF1D4E242,
        0x68DDB3F8, 0x1FDA836E, 0x81BE16CD, 0xF6B9265B, 0x6FB077E1, 0x18B74777,
        0x88085AE6, 0xFF0F6A70, 0x66063BCA, 0x11010B5C, 0x8F659EFF, 0xF862AE69,
        0x616BFFD3, 0x166CCF45, 0xA00AE278, 0xD70DD2EE, 0x4E048354, 0x3903B3C2,
        0xA7672661, 0xD06016F7, 0x4969474D, 0x3E6E77DB, 0xAED16A4A, 0xD9D65ADC,
        0x40DF0B66, 0x37D83BF0, 0xA9BCAE53, 0xDEBB9EC5, 0x47B2CF7F, 0x30B5FFE9,
        0xBDBDF21C, 0xCABAC28A, 0x53B39330, 0x24B4A3A6, 0xBAD03605, 0xCDD70693,
        0x54DE5729, 0x23D967BF, 0xB3667A2E, 0xC4614AB8, 0x5D681B02, 0x2A6F2B94,
        0xB40BBE37, 0xC30C8EA1, 0x5A05DF1B, 0x2D02EF8D,
    };
    const unsigned char *p = data;
    crc = ~crc;
#ifdef LK_CRC_CLMUL
    if (len >= 64 && crc32_clmul_ok()) {
        size_t n = len & ~(size_t)15;
        crc = crc32_clmul(crc, p, n);
        p += n;
        len -= n;
    }
#endif
    if (len >= CRC_SLICE_MIN) {
        size_t n = len & ~(size_t)7;
        crc = crc32_slice8(crc, p, n, t);
        p += n;
        len -= n;
    }
    for (size_t i = 0; i < len; i++)
        crc = (crc >> 8) ^ t[(crc ^ p[i]) & 0xFF];
    return ~crc;
}

/* a * b modulo the CRC polynomial, both reflected (bit 31 is x^0), as zlib does it. */
static uint32_t crc_multmodp(uint32_t a, uint32_t b)
{
    uint32_t m = (uint32_t)1 << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0)
                break;
        }
        m >>= 1;
        b = b & 1 ? (b >> 1) ^ 0xEDB88320u : b >> 1;
    }
    return p;
}

uint32_t lk_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2)
{
    uint32_t x2k = (uint32_t)1 << 30, p = (uint32_t)1 << 31; /* x^(2^k) from x^1; x^0 */
    uint64_t n = len2 * 8; /* multiply crc1 by x^(8 len2): square-and-multiply over bits */
    for (; n; n >>= 1) {
        if (n & 1)
            p = crc_multmodp(x2k, p);
        x2k = crc_multmodp(x2k, x2k);
    }
    return crc_multmodp(p, crc1) ^ crc2;
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
