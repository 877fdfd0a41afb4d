/*
 * lk_lines - a fast line reader: memchr over the file mapped at open (anything past the
 * mapped end, e.g. appended later, and files that cannot be mapped: one big read()
 * buffer); no allocation per line.
 *
 * Errors: LK_ENOENT for a missing path, LK_EIO for other system errors, with err naming
 * the path.
 */
#ifndef LK_LINES_H
#define LK_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"

struct lk_lines;
int lk_lines_open(struct lk_lines **out, const char *path, struct lk_err *err);
/*
 * Next line without its newline. Returns 1 and sets *line and *len (valid until the next call),
 * 0 at end of file, LK_EIO on a read error. A last line without '\n' still counts.
 */
int lk_lines_next(struct lk_lines *r, const char **line, size_t *len, struct lk_err *err);
/*
 * Continue reading at byte offset off, which must be the start of line lineno + 1
 * (i.e. lineno lines precede it). Used to resume from a checkpointed offset.
 */
int lk_lines_seek(struct lk_lines *r, uint64_t off, size_t lineno, struct lk_err *err);
/* 1-based number of the line last returned. */
size_t lk_lines_lineno(const struct lk_lines *r);
/* Bytes consumed so far (for progress). */
uint64_t lk_lines_offset(const struct lk_lines *r);
void lk_lines_close(struct lk_lines *r);

#endif
