#define _GNU_SOURCE /* RTLD_NEXT */
#include "lk_test.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/parameterized.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lk_file.h"
#include "lk_mem.h"
#include "lk_store.h"
#include "lk_time.h"
#include "banned.h"

const char *lkt_root(void)
{
    const char *r = getenv("LKLAB_ROOT");
    return r && *r ? r : ".";
}

/* out/test-owned/SUITE.TEST: the directories the runs of one test made, a line each. */
static char *owned_list(const char *suite, const char *test)
{
    return lkt_fmt("%s/out/test-owned/%s.%s", lkt_root(), suite, test);
}

/* The running test's list gets DIR (O_APPEND: a parameterized test's runs may overlap). */
static void own_dir(const char *dir)
{
    const struct criterion_test *t = criterion_current_test;
    char *owned, *list, *line;
    int fd;
    if (!t)
        return;
    owned = lkt_fmt("%s/out/test-owned", lkt_root());
    lk_mkdir_p(owned, NULL);
    free(owned);
    list = owned_list(t->category, t->name);
    line = lkt_fmt("%s\n", dir);
    fd = open(list, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd >= 0) {
        if (write(fd, line, strlen(line)) < 0)
            fprintf(stderr, "lk_test: cannot list %s in %s\n", dir, list);
        close(fd);
    }
    free(line);
    free(list);
}

/*
 * out/test-trash/: passed tests' directories, renamed there by the runner (a rename is
 * instant; removing a big tree is not, and the runner answers no worker meanwhile). Workers
 * empty it as they make their own directories: each entry is claimed by a rename to a
 * name of the worker's own, so two workers never remove the same tree.
 */
static char *trash_dir(void)
{
    return lkt_fmt("%s/out/test-trash", lkt_root());
}

static void empty_trash(void)
{
    char *trash = trash_dir();
    DIR *d = opendir(trash);
    struct dirent *e;
    for (e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        char *from = lkt_fmt("%s/%s", trash, e->d_name);
        char *mine = lkt_fmt("%s/.removing-%ld-%s", trash, (long)getpid(), e->d_name);
        if (rename(from, mine) == 0)
            lk_rm_rf(mine, NULL);
        free(from);
        free(mine);
    }
    if (d)
        closedir(d);
    free(trash);
}

char *lkt_tmpdir(const char *name)
{
    struct lk_err err = LK_ERR_INIT;
    char *p = lk_xmalloc(4096);
    empty_trash();
    snprintf(p, 4096, "%s/out/test-%s-%ld", lkt_root(), name, (long)getpid());
    lk_rm_rf(p, NULL);
    if (lk_mkdir_p(p, &err) < 0)
        cr_assert_fail("test directory: %s", err.msg);
    own_dir(p);
    return p;
}

char *lkt_slurpf(const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return lkt_slurp(path);
}

char *lkt_slurp(const char *path)
{
    char *buf;
    size_t len;
    return lk_file_read_all(path, (size_t)1 << 30, &buf, &len, NULL) < 0 ? NULL : buf;
}

__attribute__((format(printf, 1, 0))) static char *vfmt(const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *p;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    p = lk_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *lkt_fmt(const char *fmt, ...)
{
    va_list ap;
    char *p;
    va_start(ap, fmt);
    p = vfmt(fmt, ap);
    va_end(ap);
    return p;
}

int lkt_run(char **out, char **err, const char *fmt, ...)
{
    const char *bin = getenv("LKLAB_BIN");
    char fo[256], fe[256], *args, *cmd;
    va_list ap;
    int st;
    va_start(ap, fmt);
    args = vfmt(fmt, ap);
    va_end(ap);
    snprintf(fo, sizeof(fo), "/tmp/lkt-%ld.out", (long)getpid());
    snprintf(fe, sizeof(fe), "/tmp/lkt-%ld.err", (long)getpid());
    cmd = lkt_fmt("%s %s </dev/null >%s 2>%s", bin ? bin : "bin/lklab", args, fo, fe);
    st = system(cmd);
    free(cmd);
    free(args);
    if (out)
        *out = lkt_slurp(fo);
    if (err)
        *err = lkt_slurp(fe);
    unlink(fo);
    unlink(fe);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static long long mtime_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_mtime : -1;
}

char *lkt_dataset(const char *name, const char *gen_args)
{
    const char *bin = getenv("LKLAB_BIN");
    char *dir = lkt_fmt("%s/out/test-data-%s", lkt_root(), name);
    char *manifest = lkt_fmt("%s/manifest.json", dir);
    char *lock = lkt_fmt("%s/out/.test-data-%s.lock", lkt_root(), name);
    char *outdir = lkt_fmt("%s/out", lkt_root());
    int fd;
    lk_mkdir_p(outdir, NULL);
    free(outdir);
    fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (fd >= 0)
        flock(fd, LOCK_EX);
    if (mtime_of(manifest) < mtime_of(bin ? bin : "bin/lklab"))
        lkt_run(NULL, NULL, "gen %s --quiet --out %s", gen_args, dir);
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
    free(manifest);
    free(lock);
    return dir;
}

long long lkt_query_int(const char *run, const char *sql)
{
    char *path = lkt_fmt("%s/serving.db", run);
    sqlite3 *db;
    long long v = -1;
    if (lk_store_open(&db, path, NULL) == 0) {
        if (lk_store_query_int(db, sql, &v, NULL) < 0)
            v = -1;
        lk_store_close(db);
    }
    free(path);
    return v;
}

void lkt_write(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp, "cannot write %s", path);
    fputs(text, fp);
    cr_assert_eq(fclose(fp), 0, "cannot write %s", path);
}

int lkt_exec(const char *run, const char *sql, struct lk_err *err)
{
    char *path = lkt_fmt("%s/serving.db", run);
    sqlite3 *db = NULL;
    int rc = lk_store_open(&db, path, err);
    if (rc == 0)
        rc = lk_store_exec(db, sql, err);
    lk_store_close(db);
    free(path);
    return rc;
}

char *lkt_query_text(const char *run, const char *sql)
{
    char *path = lkt_fmt("%s/serving.db", run), *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    sqlite3 *db;
    sqlite3_stmt *st;
    if (lk_store_open(&db, path, NULL) == 0) {
        if (lk_store_prepare(db, sql, &st, NULL) == 0) {
            while (sqlite3_step(st) == SQLITE_ROW) {
                for (int c = 0; c < sqlite3_column_count(st); c++) {
                    const unsigned char *v = sqlite3_column_text(st, c);
                    fprintf(fp, "%s%s", c ? "," : "", v ? (const char *)v : "NULL");
                }
                fputc('\n', fp);
            }
            sqlite3_finalize(st);
        }
        lk_store_close(db);
    }
    fclose(fp);
    free(path);
    return buf;
}

/*
 * Criterion's workers talk to the runner over nanomsg REQ sockets, which send a request
 * again when no reply came in NN_REQ_RESEND_IVL (60 s). The runner answers one message at a
 * time, so a runner busy for a minute (a loaded CI machine) received a worker's message
 * twice and failed the whole run on the copy ("Expected message to change to state 'end',
 * got 'teardown' instead", though every test passed). Over a local ipc socket nothing is
 * lost, so the test binary wraps nn_connect, which Criterion calls for every such socket,
 * and turns resending off (INT_MAX ms).
 */
int nn_connect(int s, const char *addr)
{
    int (*real_connect)(int, const char *);
    int never = INT_MAX;
    *(void **)&real_connect = dlsym(RTLD_NEXT, "nn_connect");
    if (!real_connect)
        return errno = ENOSYS, -1;
    nn_setsockopt(s, NN_REQ, NN_REQ_RESEND_IVL, &never, sizeof(never));
    return real_connect(s, addr);
}

/* ---- one line per suite as it finishes (make test is silent for minutes otherwise) ---- */

/*
 * Criterion's own POST_SUITE hook fires when the runner has handed out the suite's last
 * test, not when its tests are done (under --jobs=2 its counts miss the tests still
 * running), so the runner's hooks count for themselves: PRE_ALL learns how many runs each
 * suite will have (tests left out by --filter or .disabled do not run; a parameterized
 * test runs once per parameter), and a suite's line is printed by the POST_TEST or
 * TEST_CRASH hook that brings its count to that number. The hooks run in the runner
 * process, one at a time. PRE_ALL also gives every test the one timeout,
 * LKLAB_TEST_TIMEOUT seconds (900): a hang fails by name instead of stalling CI, and no
 * test fails for being slow on a loaded machine (a timeout that came in a test's teardown
 * once failed CI with no name in its tail: Criterion counted that run passed and failed).
 */
struct suite_tally {
    const char *name;
    size_t expected, passed, failed, crashed, skipped;
    double started;
    int printed;
};

static struct suite_tally *tallies;
static size_t ntallies, nprinted, nsuites_to_run;

/*
 * A test's directories (lkt_tmpdir, listed in out/test-owned/SUITE.TEST) are removed when
 * all its runs have passed, so the disk holds only what failing tests left for a look
 * (a whole run's were 3 GB, and CI machines can be short of disk).
 * LKLAB_KEEP_TEST_DIRS=1 keeps them all. The runner only renames them into out/test-trash
 * (see empty_trash); a thread of its own that removed them (tried) deadlocked a worker
 * that Criterion forked while the thread held a lock.
 */
struct test_tally {
    const char *suite, *name;
    size_t expected, finished, failed;
};

static struct test_tally *test_tallies;
static size_t ntest_tallies;

/* The failed runs, named again just before Criterion's summary (a CI log shows its tail). */
static char **failures;
static size_t nfailures;

static void remove_owned_dirs(const struct test_tally *tt)
{
    static unsigned long ntrashed;
    char *list = owned_list(tt->suite, tt->name), *text = lkt_slurp(list), *line, *save = NULL;
    char *trash = trash_dir();
    lk_mkdir_p(trash, NULL);
    for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *to = lkt_fmt("%s/%lu", trash, ntrashed++);
        if (rename(line, to) != 0 && errno != ENOENT)
            lk_rm_rf(line, NULL); /* not on the same file system: the slow way */
        free(to);
    }
    unlink(list);
    free(text);
    free(list);
    free(trash);
}

static size_t runs_of(const struct criterion_test *t, const struct criterion_suite *s)
{
    struct criterion_test_params params;
    size_t n;
    if (t->data->disabled || (s->data && s->data->disabled))
        return 0;
    if (t->data->kind_ != CR_TEST_PARAMETERIZED || !t->data->param_)
        return 1;
    params = t->data->param_();
    n = params.length;
    if (params.cleanup)
        params.cleanup(&params);
    return n;
}

static struct suite_tally *tally_of(const char *name)
{
    for (size_t i = 0; i < ntallies; i++)
        if (strcmp(tallies[i].name, name) == 0)
            return &tallies[i];
    return NULL;
}

static void tally_print(struct suite_tally *t)
{
    if (t->printed)
        return;
    t->printed = 1;
    nprinted++;
    fprintf(stderr, "suite %s: %zu passed, %zu failed", t->name, t->passed, t->failed + t->crashed);
    if (t->crashed)
        fprintf(stderr, ", %zu of them crashed", t->crashed);
    if (t->skipped)
        fprintf(stderr, ", %zu skipped", t->skipped);
    fprintf(stderr, " (%.1f s) [%zu of %zu suites]\n", lk_wall_now() - t->started, nprinted,
            nsuites_to_run);
    fflush(stderr);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    struct criterion_suite_set *ss;
    struct criterion_test *t;
    size_t ntests = 0;
    double timeout;
    tallies = lk_xcalloc(set->suites->size ? set->suites->size : 1, sizeof(*tallies));
    FOREACH_SET(ss, set->suites)
    {
        ntests += ss->tests ? ss->tests->size : 0;
    }
    test_tallies = lk_xcalloc(ntests ? ntests : 1, sizeof(*test_tallies));
    timeout = getenv("LKLAB_TEST_TIMEOUT") ? atof(getenv("LKLAB_TEST_TIMEOUT")) : 900;
    FOREACH_SET(ss, set->suites)
    {
        struct suite_tally *st = &tallies[ntallies++];
        st->name = ss->suite.name;
        if (ss->tests) {
            FOREACH_SET(t, ss->tests)
            {
                struct test_tally *tt = &test_tallies[ntest_tallies++];
                tt->suite = ss->suite.name;
                tt->name = t->name;
                tt->expected = runs_of(t, &ss->suite);
                t->data->timeout = timeout; /* Criterion's --timeout only shortens a test's own */
                st->expected += tt->expected;
            }
        }
        nsuites_to_run += st->expected > 0;
    }
}

ReportHook(PRE_SUITE)(struct criterion_suite_set *ss)
{
    struct suite_tally *t = tally_of(ss->suite.name);
    if (t)
        t->started = lk_wall_now();
}

static void tally_test_dirs(const struct criterion_test_stats *ts, int failed)
{
    const char *keep = getenv("LKLAB_KEEP_TEST_DIRS");
    for (size_t i = 0; i < ntest_tallies; i++) {
        struct test_tally *tt = &test_tallies[i];
        if (strcmp(tt->suite, ts->test->category) != 0 || strcmp(tt->name, ts->test->name) != 0)
            continue;
        tt->finished++;
        tt->failed += failed != 0;
        if (tt->finished == tt->expected && !tt->failed && !(keep && strcmp(keep, "1") == 0))
            remove_owned_dirs(tt);
        return;
    }
}

/* "suite::test (why)" for the summary; why from Criterion's own account of the run. */
static void note_failure(const struct criterion_test_stats *ts, int crashed)
{
    char why[96];
    if (crashed || ts->signal)
        snprintf(why, sizeof(why), "crashed, signal %d", ts->signal);
    else if (ts->timed_out)
        snprintf(why, sizeof(why), "timed out after %.0f s", ts->elapsed_time);
    else if (ts->failed_asserts)
        snprintf(why, sizeof(why), "%d failed assertion%s", ts->failed_asserts,
                 ts->failed_asserts == 1 ? "" : "s");
    else
        snprintf(why, sizeof(why), "exit code %d", ts->exit_code);
    failures = lk_xrealloc(failures, (nfailures + 1) * sizeof(*failures));
    failures[nfailures++] = lkt_fmt("%s::%s (%s)", ts->test->category, ts->test->name, why);
}

static void tally_test(const struct criterion_test_stats *ts, int crashed)
{
    struct suite_tally *t = tally_of(ts->test->category);
    int failed = crashed || ts->test_status == CR_STATUS_FAILED;
    tally_test_dirs(ts, failed);
    if (failed)
        note_failure(ts, crashed);
    if (!t)
        return;
    if (t->printed) {
        /* A second report of a run, e.g. a timeout that came in its teardown after it passed. */
        if (failed)
            fprintf(stderr, "suite %s: %s failed after its suite's line: %s\n", t->name,
                    ts->test->name, failures[nfailures - 1]);
        return;
    }
    if (crashed)
        t->crashed++;
    else if (ts->test_status == CR_STATUS_SKIPPED)
        t->skipped++;
    else if (failed)
        t->failed++;
    else
        t->passed++;
    if (t->passed + t->failed + t->crashed + t->skipped >= t->expected)
        tally_print(t);
}

ReportHook(POST_TEST)(struct criterion_test_stats *ts)
{
    tally_test(ts, 0);
}

ReportHook(TEST_CRASH)(struct criterion_test_stats *ts)
{
    tally_test(ts, 1);
}

/*
 * A suite whose count never came (a run the hooks did not see) is printed before the
 * summary, and so is every failed run, by name (a CI log shows only its tail).
 */
ReportHook(POST_ALL)(struct criterion_global_stats *gs)
{
    (void)gs;
    for (size_t i = 0; i < ntallies; i++)
        if (tallies[i].expected && !tallies[i].printed)
            tally_print(&tallies[i]);
    for (size_t i = 0; i < nfailures; i++) {
        fprintf(stderr, "FAILED %s\n", failures[i]);
        free(failures[i]);
    }
    free(failures);
    failures = NULL;
    free(tallies);
    tallies = NULL;
    free(test_tallies);
    test_tallies = NULL;
    {
        char *trash = trash_dir(); /* no worker is left: all of it, a crashed one's claims too */
        lk_rm_rf(trash, NULL);
        free(trash);
    }
}
