/*
 * lk_err - error codes and error detail for the whole library.
 *
 * Library functions return 0 (or a non-negative count) on success and a negative LK_E*
 * code on failure. They never print and never exit. When the caller needs to know
 * WHERE something failed (a file, a line, a field), it passes an optional struct lk_err
 * which the failing function fills with a one-line message (control characters in what
 * it quotes become '?'), lower case, no full stop,
 * the subject in quotes: "unknown field 'windw' (spec 'x.json')". Passing NULL is fine.
 *
 * The codes come from one X-macro list so that lk_strerror() and the CLI's exit codes
 * (see lk_err_exit_code) can never drift apart.
 */
#ifndef LK_ERR_H
#define LK_ERR_H

#include <stddef.h>

/* X(name, value, text, exit code used by the CLI) */
#define LK_ERRORS(X)                                                                               \
    X(LK_EUSAGE, -1, "bad usage", 2)                                                               \
    X(LK_EINPUT, -2, "bad input data", 3)                                                          \
    X(LK_ESPEC, -3, "bad pipeline spec", 3)                                                        \
    X(LK_EIO, -4, "input/output error", 4)                                                         \
    X(LK_ENOENT, -5, "no such file or directory", 3)                                               \
    X(LK_ERANGE, -6, "value out of range", 3)                                                      \
    X(LK_ECORRUPT, -7, "corrupt file (checksum mismatch)", 3)                                      \
    X(LK_EDB, -8, "database error", 4)                                                             \
    X(LK_EINTERNAL, -9, "internal error", 4)

enum lk_errcode {
#define LK_X(name, value, text, exit_code) name = value,
    LK_ERRORS(LK_X)
#undef LK_X
};

#define LK_ERR_MSG_MAX 512

/* Detail of the last failure of one call; optional everywhere. */
struct lk_err {
    int code;                 /* LK_E* or 0 */
    char msg[LK_ERR_MSG_MAX]; /* one line, no trailing newline */
};
#define LK_ERR_INIT                                                                                \
    {                                                                                              \
        0,                                                                                         \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/* Static text for a code; "unknown error" for anything not in the list. */
const char *lk_strerror(int code);

/* Exit code the CLI uses for an error code (docs/formats.md): 2 usage, 3 data, 4 I/O. */
int lk_err_exit_code(int code);

/*
 * Fill *err (when not NULL) with code and a printf-style message; returns code so that
 * callers can write `return lk_err_set(err, LK_EINPUT, "...", ...);`.
 */
int lk_err_set(struct lk_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Like lk_err_set, with strerror(errno_value) appended in parentheses; a message too long
 * for msg (a long path) is cut with "..." before it, so the errno text is always kept.
 */
int lk_err_sys(struct lk_err *err, int code, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
