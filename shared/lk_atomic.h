/*
 * lk_atomic - durable atomic files and checksummed files (checkpoints, manifests,
 * results).
 *
 * Durable writes (STYLE "Data, time, memory"): lk_atomic_open writes to "path.tmp";
 * lk_atomic_commit flushes, fsyncs, closes, renames over path and fsyncs the directory,
 * so a reader sees either the old file or the whole new one, even after kill -9 or a
 * power cut. lk_atomic_abort removes the temp file. Nothing half-written ever carries
 * the final name. With LK_DURABLE_PROCESS the two fsyncs are skipped: the rename still
 * makes the switch atomic and the kernel keeps the data when the process dies (kill -9),
 * but a power cut or kernel crash may lose the file or leave an empty one.
 * A path that exists and is not a regular file (/dev/null, /dev/stdout, a pipe, a symlink)
 * is written to directly instead, as a shell redirection would, never replaced.
 *
 * Errors: LK_ENOENT for a missing path, LK_EIO for other system errors, LK_ECORRUPT for a
 * checksum that does not match, with err naming the path. Memory: returned buffers are
 * the caller's (free).
 */
#ifndef LK_ATOMIC_H
#define LK_ATOMIC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_crc32.h"
#include "lk_err.h"

/* What a committed file survives. */
enum lk_durability {
    LK_DURABLE_FSYNC,   /* fsync file and directory: kill -9 and power cuts (the default) */
    LK_DURABLE_PROCESS, /* no fsync: kill -9 of the process, not a power cut */
};

struct lk_atomic {
    FILE *fp; /* write here between open and commit */
    char *path;
    char *tmp;
    enum lk_durability durability; /* set before commit; LK_DURABLE_FSYNC when zeroed */
    int direct;                    /* writing to path itself (not a regular file) */
};
#define LK_ATOMIC_INIT                                                                             \
    {                                                                                              \
        .durability = LK_DURABLE_FSYNC                                                             \
    }
int lk_atomic_open(struct lk_atomic *a, const char *path, struct lk_err *err);
int lk_atomic_commit(struct lk_atomic *a, struct lk_err *err);
/* Drop the temp file; a no-op after commit or on a zeroed struct. */
void lk_atomic_abort(struct lk_atomic *a);

/*
 * Checksummed durable files (checkpoints): the content, a newline, then a trailer line
 * "#lk-crc32 <8 hex digits> <content length>\n", written with lk_atomic. Reading verifies
 * the trailer and returns the content without it; a missing or wrong trailer is
 * LK_ECORRUPT with err naming the path ("checksum mismatch").
 */
int lk_file_write_checked(const char *path, const char *data, size_t len, struct lk_err *err);
/*
 * The same with durability d, for small files in memory (checkpoint offsets and commits):
 * one writev of content and trailer on a bare descriptor, no stdio, then named as above.
 */
int lk_file_write_checked_as(const char *path, const char *data, size_t len, enum lk_durability d,
                             struct lk_err *err);

/*
 * The same file written in pieces, without holding it in memory:
 *   lk_checked_open, lk_checked_write..., then lk_checked_commit (or lk_checked_abort).
 * Write errors surface at commit. c->len is the content length written so far. Where
 * Linux offers it, the temp file is unnamed (O_TMPFILE in path's directory) and commit
 * names it with linkat: one directory operation instead of two, nothing left by a crash;
 * when path exists it is linked as path.tmp and renamed over it, as lk_atomic does.
 */
struct lk_checked {
    struct lk_atomic a;
    uint32_t crc;
    size_t len;
};
#define LK_CHECKED_INIT                                                                            \
    {                                                                                              \
        .a = LK_ATOMIC_INIT                                                                        \
    }
int lk_checked_open(struct lk_checked *c, const char *path, enum lk_durability d,
                    struct lk_err *err);
void lk_checked_write(struct lk_checked *c, const void *data, size_t len);
int lk_checked_commit(struct lk_checked *c, struct lk_err *err);
/*
 * Content written in parallel instead (before any lk_checked_write): threads write
 * disjoint ranges with lk_checked_pwrite (0 or a negative errno), then one call to
 * lk_checked_account declares the content as [0, len) with that CRC (combine the
 * pieces' CRCs with lk_crc32_combine), and lk_checked_commit follows.
 */
int lk_checked_pwrite(struct lk_checked *c, uint64_t offset, const void *data, size_t len);
int lk_checked_account(struct lk_checked *c, size_t len, uint32_t crc, struct lk_err *err);
/* Drop the temp file; a no-op after commit or on a zeroed struct. */
void lk_checked_abort(struct lk_checked *c);

int lk_file_read_checked(const char *path, size_t max, char **out, size_t *len, struct lk_err *err);

/* fsync a directory so a rename in it is durable. */
int lk_fsync_dir(const char *dir, struct lk_err *err);

#endif
