/*
 * lk_buf - a growable string buffer, with git's strbuf contract.
 *
 * A buffer always holds a NUL-terminated string: buf->s is never NULL (an empty buffer
 * points at a shared "" until the first append), buf->len is its length without the NUL.
 * Appending cannot fail (out of memory aborts, see lk_mem) and never truncates. Start
 * with LK_BUF_INIT or lk_buf_init; end with lk_buf_release (frees, buffer reusable) or
 * lk_buf_detach (hands the string to the caller, who frees it).
 */
#ifndef LK_BUF_H
#define LK_BUF_H

#include <stddef.h>

struct lk_buf {
    char *s;    /* the string, NUL-terminated; lk_buf_empty until the first append */
    size_t len; /* bytes before the NUL */
    size_t cap; /* bytes allocated (0 while s is lk_buf_empty) */
};

extern char lk_buf_empty[];
#define LK_BUF_INIT                                                                                \
    {                                                                                              \
        lk_buf_empty, 0, 0                                                                         \
    }

void lk_buf_init(struct lk_buf *b);
/* Make room for extra more bytes (plus the NUL) without changing the contents. */
void lk_buf_grow(struct lk_buf *b, size_t extra);
void lk_buf_add(struct lk_buf *b, const void *data, size_t len);
void lk_buf_adds(struct lk_buf *b, const char *s);
void lk_buf_addch(struct lk_buf *b, char c);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void lk_buf_addf(struct lk_buf *b, const char *fmt, ...);
/* Keep the first len bytes (len <= b->len). lk_buf_reset(b) is lk_buf_setlen(b, 0). */
void lk_buf_setlen(struct lk_buf *b, size_t len);
#define lk_buf_reset(b) lk_buf_setlen((b), 0)
/* Hand the string to the caller (always malloc'd, free() it); the buffer is empty again. */
char *lk_buf_detach(struct lk_buf *b, size_t *len);
void lk_buf_release(struct lk_buf *b);

#endif
