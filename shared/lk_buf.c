#include "lk_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "banned.h"

char lk_buf_empty[1];

void lk_buf_init(struct lk_buf *b)
{
    b->s = lk_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void lk_buf_grow(struct lk_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < b->len)
        need = (size_t)-1; /* lk_grow aborts on the overflow */
    if (b->cap == 0) {
        b->s = NULL;
        LK_GROW(b->s, b->cap, need);
        b->s[0] = '\0';
        return;
    }
    if (need > b->cap)
        LK_GROW(b->s, b->cap, need);
}

void lk_buf_add(struct lk_buf *b, const void *data, size_t len)
{
    lk_buf_grow(b, len);
    memcpy(b->s + b->len, data, len);
    lk_buf_setlen(b, b->len + len);
}

void lk_buf_adds(struct lk_buf *b, const char *s)
{
    lk_buf_add(b, s, strlen(s));
}

void lk_buf_addch(struct lk_buf *b, char c)
{
    lk_buf_add(b, &c, 1);
}

void lk_buf_addf(struct lk_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t room = b->cap ? b->cap - b->len : 0;
    va_start(ap, fmt);
    n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort(); /* an invalid format: a programming error */
    if ((size_t)n >= room) {
        lk_buf_grow(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    lk_buf_setlen(b, b->len + (size_t)n);
}

void lk_buf_setlen(struct lk_buf *b, size_t len)
{
    b->len = len;
    if (b->cap)
        b->s[len] = '\0';
}

char *lk_buf_detach(struct lk_buf *b, size_t *len)
{
    char *s;
    if (b->cap == 0)
        lk_buf_grow(b, 0);
    s = b->s;
    if (len)
        *len = b->len;
    lk_buf_init(b);
    return s;
}

void lk_buf_release(struct lk_buf *b)
{
    if (b->cap)
        free(b->s);
    lk_buf_init(b);
}
