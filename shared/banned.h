/*
 * banned.h - functions the project does not use (STYLE.md "Build and tests"). Include it
 * last in every .c file; a banned call then fails to compile with a readable name.
 * Use snprintf and lk_time's own UTC conversion instead.
 */
#ifndef LK_BANNED_H
#define LK_BANNED_H

#define LK_BANNED(func) sorry_##func##_is_a_banned_function

#undef sprintf
#define sprintf(...) LK_BANNED(sprintf)
#undef strcpy
#define strcpy(x, y) LK_BANNED(strcpy)
#undef strcat
#define strcat(x, y) LK_BANNED(strcat)
#undef strtok
#define strtok(x, y) LK_BANNED(strtok)
#undef gmtime
#define gmtime(t) LK_BANNED(gmtime)
#undef localtime
#define localtime(t) LK_BANNED(localtime)

#endif
