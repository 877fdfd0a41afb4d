/*
 * lk_test - small helpers shared by the Criterion tests: scratch directories, whole-file
 * reads, and running the real bin/lklab for end-to-end tests (LKLAB_BIN, set by make).
 */
#ifndef LK_TEST_H
#define LK_TEST_H

#include <stddef.h>

/* Project root (LKLAB_ROOT or "."), and path under it; the result is a static buffer per call site. */
const char *lkt_root(void);
/* A fresh empty directory out/test-<name>-<pid>/ (under the root); returned path is heap. */
char *lkt_tmpdir(const char *name);
/* Contents of a file (heap, NUL-terminated) or NULL when it cannot be read. */
char *lkt_slurp(const char *path);
/* printf into a heap string. */
char *lkt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Run "bin/lklab <args>" (args built printf-style) through the shell with stdout and
 * stderr captured into heap strings (out, err may be NULL when not wanted). Returns the
 * exit code, or -1.
 */
int lkt_run(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
