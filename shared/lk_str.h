/*
 * lk_str - a byte slice: a pointer and a length, not NUL-terminated, owned by whoever
 * owns the bytes (an event line, a string table). The value type of lk_event's string
 * fields and of lk_strtab's keys; print one with "%.*s", (int)s.len, s.ptr.
 */
#ifndef LK_STR_H
#define LK_STR_H

#include <stddef.h>

struct lk_str {
    const char *ptr;
    size_t len;
};

#endif
