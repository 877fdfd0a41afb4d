/*
 * lk_test - small helpers shared by the Criterion tests: scratch directories, whole-file
 * reads, and running the real bin/lklab for end-to-end tests (LKLAB_BIN, set by make).
 * Its report hooks print one line per suite on stderr as the suite's last test finishes
 * ("suite NAME: N passed, M failed (T s) [K of S suites]", T the wall time since the suite's
 * first test started), before Criterion's own "Synthesis:" line, which stays as it is.
 */
#ifndef LK_TEST_H
#define LK_TEST_H

#include <stddef.h>

#include "lk_err.h"

/* Project root (LKLAB_ROOT or "."), and path under it; the result is a static buffer per call site.
 */
const char *lkt_root(void);
/* A fresh empty directory out/test-<name>-<pid>/ (under the root; heap path), or the test
 * fails naming why (a full disk); removed when the test passed (see the report hooks). */
char *lkt_tmpdir(const char *name);
/* Contents of a file (heap, NUL-terminated) or NULL when it cannot be read. */
char *lkt_slurp(const char *path);
/* lkt_slurp of a path made from a printf format. */
char *lkt_slurpf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* printf into a heap string. */
char *lkt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Run "bin/lklab <args>" (args built printf-style) through the shell with stdout and
 * stderr captured into heap strings (out, err may be NULL when not wanted). Returns the
 * exit code, or -1.
 */
int lkt_run(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * A generated dataset shared by the tests of one `make test` run: out/test-data-<name>,
 * made with "bin/lklab gen <gen_args> --out DIR" when missing or older than bin/lklab
 * (under a lock, since tests run in parallel). Returns the path (heap).
 */
char *lkt_dataset(const char *name, const char *gen_args);

/* Rows of a query on RUN/serving.db as text: columns joined by ',', each row ends in '\n' (heap).
 */
char *lkt_query_text(const char *run, const char *sql);

/* Run a query returning one integer on RUN/serving.db (-1 on error). */
long long lkt_query_int(const char *run, const char *sql);

/* Write text to path (created or replaced); fails the running test when it cannot. */
void lkt_write(const char *path, const char *text);

/* Run statements on RUN/serving.db (a test editing a run's tables): 0, or the code with err set. */
int lkt_exec(const char *run, const char *sql, struct lk_err *err);

#endif
