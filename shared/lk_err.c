#include "lk_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

const char *lk_strerror(int code)
{
    switch (code) {
#define LK_X(name, value, text, exit_code)                                                         \
    case name:                                                                                     \
        return text;
        LK_ERRORS(LK_X)
#undef LK_X
    case 0:
        return "success";
    default:
        return "unknown error";
    }
}

int lk_err_exit_code(int code)
{
    switch (code) {
#define LK_X(name, value, text, exit_code)                                                         \
    case name:                                                                                     \
        return exit_code;
        LK_ERRORS(LK_X)
#undef LK_X
    case 0:
        return 0;
    default:
        return 4;
    }
}

/* A message is one line whatever it quotes (a run id or a path read from a
 * hostile file): control characters become '?'. */
static void one_line(char *msg)
{
    for (; *msg; msg++)
        if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
            *msg = '?';
}

int lk_err_set(struct lk_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        one_line(err->msg);
    }
    return code;
}

int lk_err_sys(struct lk_err *err, int code, int errno_value, const char *fmt, ...)
{
    if (err) {
        char suffix[160];
        size_t room;
        int n;
        va_list ap;
        /* the errno text always fits: a long message (a long path) is cut before it */
        snprintf(suffix, sizeof(suffix), " (%s)", strerror(errno_value));
        room = sizeof(err->msg) - strlen(suffix);
        va_start(ap, fmt);
        err->code = code;
        n = vsnprintf(err->msg, room, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n >= room)
            memcpy(err->msg + room - 4, "...", 4);
        one_line(err->msg);
        memcpy(err->msg + strlen(err->msg), suffix, strlen(suffix) + 1);
    }
    return code;
}
