/*
 * lk_file - files and directories: whole-file reads, directory listing, mkdir -p, rm -rf,
 * names of open streams for messages, and the dataset layout. The line reader is
 * lk_lines.h, durable and checksummed writes lk_atomic.h; both are included here, so
 * including lk_file.h gives all three.
 *
 * Errors: LK_ENOENT for a missing path, LK_EIO for other system errors, with err naming
 * the path. Memory: returned strings and lists are owned by the caller (free them with
 * free / lk_list_free).
 */
#ifndef LK_FILE_H
#define LK_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_atomic.h"
#include "lk_err.h"
#include "lk_lines.h"

/*
 * Fill err with "cannot WHAT 'PATH' (errno text)": LK_ENOENT when errno_value says the
 * path is missing (ENOENT, ENOTDIR), else LK_EIO. Returns that code.
 */
int lk_file_error(struct lk_err *err, int errno_value, const char *what, const char *path);

/* Read a whole file (at most max bytes, else LK_ERANGE) into a NUL-terminated buffer. */
int lk_file_read_all(const char *path, size_t max, char **out, size_t *len, struct lk_err *err);

/* mkdir -p; existing directories are fine. */
int lk_mkdir_p(const char *path, struct lk_err *err);
/* rm -rf; a missing path is fine. */
int lk_rm_rf(const char *path, struct lk_err *err);
/*
 * Write text and a '\n' to an open stream and flush, or fill err naming its file and
 * errno ("cannot write a line to 'RUN/metrics.jsonl' (No space left on device)"): the
 * name comes from the descriptor (/proc/self/fd), "standard output" for stdout. Returns
 * 0 or LK_EIO.
 */
int lk_file_append_line(FILE *fp, const char *text, struct lk_err *err);
/* The name of an open stream for messages (as lk_file_append_line finds it) into buf. */
void lk_file_name_of(FILE *fp, char *buf, size_t size);
/*
 * For a write on fp that failed (ferror): fill err with "cannot write WHAT to 'NAME'
 * (errno text)", NAME as lk_file_name_of finds it. Returns LK_EIO.
 */
int lk_file_write_failed(FILE *fp, const char *what, struct lk_err *err);

/* 1 when path exists and is a directory / a regular file. */
int lk_is_dir(const char *path);
int lk_is_file(const char *path);

/*
 * Names (not paths) of the regular files in dir ending with suffix (NULL: all),
 * sorted bytewise.
 */
int lk_list_dir(const char *dir, const char *suffix, char ***names, size_t *n, struct lk_err *err);
void lk_list_free(char **names, size_t n);

/*
 * The input files of a dataset argument, as paths, in reading order:
 *   a regular file          -> just it (a single JSONL file, e.g. a fixture)
 *   a directory with log/   -> DIR/log/p-*.jsonl (the partitioned log, docs/formats.md)
 * Anything else is LK_ENOENT with err naming the path.
 */
int lk_dataset_log_files(const char *data, char ***paths, size_t *n, struct lk_err *err);

#endif
