/*
 * Tests for lk_file: whole-file reads, the line reader, atomic writes, directory listing
 * and the dataset layout. Each test works in its own out/test-file-<pid>/ directory.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lk_err.h"
#include "lk_file.h"
#include "lk_json.h"
#include "banned.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "out/test-file-%ld", (long)getpid());
    lk_rm_rf(dir, NULL);
    cr_assert_eq(lk_mkdir_p(dir, NULL), 0, "cannot create %s", dir);
}

static void teardown(void)
{
    lk_rm_rf(dir, NULL);
}

TestSuite(lk_file, .init = setup, .fini = teardown);
TestSuite(lk_lines, .init = setup, .fini = teardown);
TestSuite(lk_atomic, .init = setup, .fini = teardown);
TestSuite(lk_list_dir, .init = setup, .fini = teardown);
TestSuite(lk_dataset_log_files, .init = setup, .fini = teardown);

/* A path under the test directory (static buffer; one at a time per slot). */
static const char *path_in(int slot, const char *name)
{
    static char bufs[4][512];
    snprintf(bufs[slot], sizeof(bufs[slot]), "%s/%s", dir, name);
    return bufs[slot];
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp, "cannot write %s", path);
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
}

static void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

/* Contents of path (heap, NUL-terminated); fails the test when unreadable. */
static char *slurp(const char *path, size_t *len)
{
    char *text = NULL;
    size_t n = 0;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_file_read_all(path, (size_t)1 << 30, &text, &n, &err), 0, "%s", err.msg);
    if (len)
        *len = n;
    return text;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ------------------------------------------------------- whole files ---- */

Test(lk_file, reads_a_whole_file)
{
    size_t len;
    char *text;
    write_file(path_in(0, "a.txt"), "hello\0world\n", 12);
    text = slurp(path_in(0, "a.txt"), &len);
    cr_assert_eq(len, 12);
    cr_assert(memcmp(text, "hello\0world\n", 13) == 0); /* NUL-terminated too */
    free(text);
}

Test(lk_file, reads_an_empty_file)
{
    size_t len = 99;
    char *text;
    write_text(path_in(0, "empty"), "");
    text = slurp(path_in(0, "empty"), &len);
    cr_assert_eq(len, 0);
    cr_assert_eq(text[0], '\0');
    free(text);
}

Test(lk_file, reads_a_file_larger_than_one_read)
{
    size_t n = 200000, len;
    char *data = malloc(n), *text;
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    write_file(path_in(0, "big"), data, n);
    text = slurp(path_in(0, "big"), &len);
    cr_assert_eq(len, n);
    cr_assert(memcmp(text, data, n) == 0);
    free(text);
    free(data);
}

Test(lk_file, refuses_a_file_over_the_limit)
{
    struct lk_err err = LK_ERR_INIT;
    char *text = NULL;
    size_t len;
    write_text(path_in(0, "ten"), "0123456789");
    cr_assert_eq(lk_file_read_all(path_in(0, "ten"), 9, &text, &len, &err), LK_ERANGE);
    cr_assert(strstr(err.msg, path_in(0, "ten")) != NULL, "%s", err.msg);
    cr_assert_null(text);
    cr_assert_eq(lk_file_read_all(path_in(0, "ten"), 10, &text, &len, &err), 0);
    cr_assert_eq(len, 10);
    free(text);
}

Test(lk_file, reports_a_missing_file_as_enoent_naming_it)
{
    struct lk_err err = LK_ERR_INIT;
    char *text = NULL;
    size_t len;
    cr_assert_eq(lk_file_read_all(path_in(0, "nope"), 100, &text, &len, &err), LK_ENOENT);
    cr_assert_eq(err.code, LK_ENOENT);
    cr_assert(strstr(err.msg, path_in(0, "nope")) != NULL, "%s", err.msg);
    cr_assert_eq(lk_file_read_all(path_in(0, "nope/deeper"), 100, &text, &len, NULL), LK_ENOENT);
}

Test(lk_file, makes_and_removes_directory_trees)
{
    const char *deep = path_in(0, "a/b/c");
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_mkdir_p(deep, &err), 0, "%s", err.msg);
    cr_assert(lk_is_dir(deep));
    cr_assert_eq(lk_mkdir_p(deep, &err), 0, "existing directories are fine");
    write_text(path_in(1, "a/b/c/f.txt"), "x");
    cr_assert(lk_is_file(path_in(1, "a/b/c/f.txt")));
    cr_assert(!lk_is_dir(path_in(1, "a/b/c/f.txt")));
    cr_assert(!lk_is_file(deep));
    cr_assert_eq(lk_rm_rf(path_in(1, "a"), &err), 0, "%s", err.msg);
    cr_assert(!exists(path_in(1, "a")));
    cr_assert_eq(lk_rm_rf(path_in(1, "a"), &err), 0, "a missing path is fine");
}

Test(lk_file, refuses_to_make_a_directory_where_a_file_is)
{
    struct lk_err err = LK_ERR_INIT;
    write_text(path_in(0, "f"), "x");
    cr_assert_lt(lk_mkdir_p(path_in(0, "f"), &err), 0);
    cr_assert(strstr(err.msg, path_in(0, "f")) != NULL, "%s", err.msg);
    cr_assert_lt(lk_mkdir_p(path_in(0, "f/sub"), &err), 0);
}

/* ------------------------------------------------------- line reader ---- */

/* Opens path, expects exactly the given lines (with lengths), then end of file. */
static void expect_lines(const char *path, size_t n, const char *const *want)
{
    struct lk_lines *r = NULL;
    struct lk_err err = LK_ERR_INIT;
    const char *line;
    size_t len;
    cr_assert_eq(lk_lines_open(&r, path, &err), 0, "%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(lk_lines_next(r, &line, &len, &err), 1, "line %zu missing", i + 1);
        cr_assert_eq(len, strlen(want[i]), "line %zu: length %zu, want %zu", i + 1, len,
                     strlen(want[i]));
        cr_assert(memcmp(line, want[i], len) == 0, "line %zu: '%.*s'", i + 1, (int)len, line);
        cr_assert_eq(lk_lines_lineno(r), i + 1);
    }
    cr_assert_eq(lk_lines_next(r, &line, &len, &err), 0, "extra line after %zu", n);
    cr_assert_eq(lk_lines_next(r, &line, &len, &err), 0, "end of file is sticky");
    lk_lines_close(r);
}

Test(lk_lines, reads_lines_ending_in_a_newline)
{
    write_text(path_in(0, "f"), "one\ntwo\nthree\n");
    expect_lines(path_in(0, "f"), 3, (const char *const[]){ "one", "two", "three" });
}

Test(lk_lines, counts_a_last_line_without_a_newline)
{
    write_text(path_in(0, "f"), "one\ntwo");
    expect_lines(path_in(0, "f"), 2, (const char *const[]){ "one", "two" });
}

Test(lk_lines, reads_nothing_from_an_empty_file)
{
    write_text(path_in(0, "f"), "");
    expect_lines(path_in(0, "f"), 0, NULL);
}

Test(lk_lines, returns_empty_lines)
{
    write_text(path_in(0, "f"), "\n\na\n\n");
    expect_lines(path_in(0, "f"), 4, (const char *const[]){ "", "", "a", "" });
    write_text(path_in(0, "g"), "\n");
    expect_lines(path_in(0, "g"), 1, (const char *const[]){ "" });
}

Test(lk_lines, keeps_a_carriage_return_in_the_line)
{
    write_text(path_in(0, "f"), "a\r\nb\r\n\r\nc\r");
    expect_lines(path_in(0, "f"), 4, (const char *const[]){ "a\r", "b\r", "\r", "c\r" });
}

Test(lk_lines, keeps_nul_bytes_inside_a_line)
{
    struct lk_lines *r;
    const char *line;
    size_t len;
    write_file(path_in(0, "f"), "a\0b\nc", 5);
    cr_assert_eq(lk_lines_open(&r, path_in(0, "f"), NULL), 0);
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 1);
    cr_assert_eq(len, 3);
    cr_assert(memcmp(line, "a\0b", 3) == 0);
    lk_lines_close(r);
}

Test(lk_lines, reads_a_line_longer_than_one_mebibyte)
{
    size_t big = ((size_t)3 << 20) / 2 + 7; /* 1.5 MiB + 7 */
    size_t total = big + 1 + 6;
    char *data = malloc(total);
    struct lk_lines *r;
    const char *line;
    size_t len;
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 23);
    data[big] = '\n';
    memcpy(data + big + 1, "short\n", 6);
    write_file(path_in(0, "f"), data, total);
    cr_assert_eq(lk_lines_open(&r, path_in(0, "f"), NULL), 0);
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 1);
    cr_assert_eq(len, big);
    cr_assert(memcmp(line, data, big) == 0);
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 1);
    cr_assert_eq(len, 5);
    cr_assert(memcmp(line, "short", 5) == 0);
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 0);
    cr_assert_eq(lk_lines_lineno(r), 2);
    cr_assert_eq(lk_lines_offset(r), total);
    lk_lines_close(r);
    free(data);
}

Test(lk_lines, reads_a_final_line_longer_than_one_mebibyte_without_newline)
{
    size_t big = ((size_t)5 << 20) / 2; /* 2.5 MiB */
    char *data = malloc(big + 2);
    struct lk_lines *r;
    const char *line;
    size_t len;
    data[0] = '\n';
    for (size_t i = 1; i < big + 1; i++)
        data[i] = (char)('0' + i % 10);
    write_file(path_in(0, "f"), data, big + 1);
    cr_assert_eq(lk_lines_open(&r, path_in(0, "f"), NULL), 0);
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 1);
    cr_assert_eq(len, 0);
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 1);
    cr_assert_eq(len, big);
    cr_assert(memcmp(line, data + 1, big) == 0);
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 0);
    cr_assert_eq(lk_lines_offset(r), big + 1);
    lk_lines_close(r);
    free(data);
}

Test(lk_lines, reads_many_lines_across_buffer_refills)
{
    /* ~3 MiB of lines of varying length, so lines straddle every refill boundary */
    enum { N = 60000 };
    FILE *fp = fopen(path_in(0, "f"), "wb");
    struct lk_lines *r;
    const char *line;
    size_t len, offset = 0;
    char want[160];
    cr_assert_not_null(fp);
    for (int i = 0; i < N; i++) {
        int n =
            snprintf(want, sizeof(want), "%d:%.*s", i, i % 97,
                     "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv"
                     "wxyzabcdefghijklmnopqrstuvwxyz");
        fwrite(want, 1, (size_t)n, fp);
        fputc('\n', fp);
        offset += (size_t)n + 1;
    }
    fclose(fp);
    cr_assert_eq(lk_lines_open(&r, path_in(0, "f"), NULL), 0);
    for (int i = 0; i < N; i++) {
        int n =
            snprintf(want, sizeof(want), "%d:%.*s", i, i % 97,
                     "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv"
                     "wxyzabcdefghijklmnopqrstuvwxyz");
        cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 1, "line %d", i + 1);
        cr_assert_eq(len, (size_t)n, "line %d", i + 1);
        cr_assert(memcmp(line, want, len) == 0, "line %d", i + 1);
    }
    cr_assert_eq(lk_lines_next(r, &line, &len, NULL), 0);
    cr_assert_eq(lk_lines_lineno(r), N);
    cr_assert_eq(lk_lines_offset(r), offset);
    lk_lines_close(r);
}

Test(lk_lines, tracks_the_byte_offset)
{
    struct lk_lines *r;
    const char *line;
    size_t len;
    write_text(path_in(0, "f"), "ab\n\ncde");
    cr_assert_eq(lk_lines_open(&r, path_in(0, "f"), NULL), 0);
    cr_assert_eq(lk_lines_offset(r), 0);
    lk_lines_next(r, &line, &len, NULL);
    cr_assert_eq(lk_lines_offset(r), 3);
    lk_lines_next(r, &line, &len, NULL);
    cr_assert_eq(lk_lines_offset(r), 4);
    lk_lines_next(r, &line, &len, NULL);
    cr_assert_eq(lk_lines_offset(r), 7);
    lk_lines_close(r);
}

Test(lk_lines, reports_a_missing_file_naming_it)
{
    struct lk_lines *r = NULL;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_lines_open(&r, path_in(0, "missing.jsonl"), &err), LK_ENOENT);
    cr_assert(strstr(err.msg, path_in(0, "missing.jsonl")) != NULL, "%s", err.msg);
    cr_assert_null(r);
}

Test(lk_lines, reports_reading_a_directory_as_an_io_error)
{
    struct lk_lines *r = NULL;
    struct lk_err err = LK_ERR_INIT;
    const char *line;
    size_t len;
    int rc;
    cr_assert_eq(lk_mkdir_p(path_in(0, "d"), NULL), 0);
    rc = lk_lines_open(&r, path_in(0, "d"), &err); /* open(2) accepts a directory */
    if (rc == 0)
        rc = lk_lines_next(r, &line, &len, &err); /* read(2) refuses it: EISDIR */
    cr_assert_eq(rc, LK_EIO, "reading a directory: %d (%s)", rc, err.msg);
    cr_assert(strstr(err.msg, path_in(0, "d")) != NULL, "%s", err.msg);
    lk_lines_close(r);
}

Test(lk_lines, close_accepts_null)
{
    lk_lines_close(NULL);
}

/* ------------------------------------------------------------ atomic ---- */

Test(lk_atomic, commit_replaces_the_file_and_leaves_no_temp)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    struct lk_err err = LK_ERR_INIT;
    char *text;
    write_text(path_in(0, "out.csv"), "old\n");
    cr_assert_eq(lk_atomic_open(&a, path_in(0, "out.csv"), &err), 0, "%s", err.msg);
    cr_assert(exists(path_in(1, "out.csv.tmp")));
    fputs("new\n", a.fp);
    text = slurp(path_in(0, "out.csv"), NULL);
    cr_assert_str_eq(text, "old\n", "the old file is untouched until commit");
    free(text);
    cr_assert_eq(lk_atomic_commit(&a, &err), 0, "%s", err.msg);
    text = slurp(path_in(0, "out.csv"), NULL);
    cr_assert_str_eq(text, "new\n");
    free(text);
    cr_assert(!exists(path_in(1, "out.csv.tmp")));
    cr_assert_null(a.fp);
    lk_atomic_abort(&a); /* a no-op after commit */
    cr_assert(exists(path_in(0, "out.csv")));
}

/*
 * A path that is not a regular file is written through, never replaced: `lklab results
 * --out /dev/null` run as root replaced /dev/null itself with a regular file (a temp file
 * renamed over it), and later tests broke on the missing device. Here through symlinks to
 * the devices, so the old code replaces only the links (and fails the test).
 */
Test(lk_atomic, a_device_or_link_is_written_through_not_replaced)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    struct lk_err err = LK_ERR_INIT;
    struct stat st;
    cr_assert_eq(symlink("/dev/null", path_in(0, "null")), 0);
    cr_assert_eq(lk_atomic_open(&a, path_in(0, "null"), &err), 0, "%s", err.msg);
    fputs("gone\n", a.fp);
    cr_assert_eq(lk_atomic_commit(&a, &err), 0, "%s", err.msg);
    cr_assert_eq(lstat(path_in(0, "null"), &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced");
    cr_expect(!exists(path_in(1, "null.tmp")));
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_expect(S_ISCHR(st.st_mode), "/dev/null is no longer a device");
    /* a full device: the write fails at commit, naming the device and the errno */
    cr_assert_eq(symlink("/dev/full", path_in(0, "full")), 0);
    cr_assert_eq(lk_atomic_open(&a, path_in(0, "full"), &err), 0, "%s", err.msg);
    fputs("x\n", a.fp);
    cr_assert_eq(lk_atomic_commit(&a, &err), LK_EIO);
    cr_expect(strstr(err.msg, path_in(1, "full")) && strstr(err.msg, "No space left on device"),
              "%s", err.msg);
    cr_assert_eq(lstat(path_in(0, "full"), &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced");
}

Test(lk_atomic, commit_creates_a_new_file)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    char *text;
    cr_assert_eq(lk_atomic_open(&a, path_in(0, "fresh"), NULL), 0);
    fputs("x,y\n1,2\n", a.fp);
    cr_assert_eq(lk_atomic_commit(&a, NULL), 0);
    text = slurp(path_in(0, "fresh"), NULL);
    cr_assert_str_eq(text, "x,y\n1,2\n");
    free(text);
    cr_assert(!exists(path_in(1, "fresh.tmp")));
}

Test(lk_atomic, abort_keeps_the_old_content_and_leaves_no_temp)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    char *text;
    write_text(path_in(0, "out.csv"), "old\n");
    cr_assert_eq(lk_atomic_open(&a, path_in(0, "out.csv"), NULL), 0);
    fputs("half-written", a.fp);
    lk_atomic_abort(&a);
    text = slurp(path_in(0, "out.csv"), NULL);
    cr_assert_str_eq(text, "old\n");
    free(text);
    cr_assert(!exists(path_in(1, "out.csv.tmp")));
    lk_atomic_abort(&a); /* twice is fine */
}

Test(lk_atomic, abort_without_an_old_file_leaves_nothing)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    cr_assert_eq(lk_atomic_open(&a, path_in(0, "never"), NULL), 0);
    fputs("data", a.fp);
    lk_atomic_abort(&a);
    cr_assert(!exists(path_in(0, "never")));
    cr_assert(!exists(path_in(1, "never.tmp")));
}

Test(lk_atomic, abort_of_a_zeroed_struct_is_a_no_op)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    lk_atomic_abort(&a);
    lk_atomic_abort(NULL);
}

Test(lk_atomic, open_in_a_missing_directory_fails_naming_the_path)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_atomic_open(&a, path_in(0, "no/such/out.csv"), &err), LK_ENOENT);
    cr_assert(strstr(err.msg, path_in(0, "no/such/out.csv")) != NULL, "%s", err.msg);
    cr_assert_null(a.fp);
    lk_atomic_abort(&a);
}

/* A directory is refused at open (it is not a regular file), naming it; nothing is left. */
Test(lk_atomic, opening_a_directory_fails_and_cleans_up)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_mkdir_p(path_in(0, "taken/sub"), NULL), 0);
    cr_assert_lt(lk_atomic_open(&a, path_in(0, "taken"), &err), 0);
    cr_assert(strstr(err.msg, path_in(0, "taken")) && strstr(err.msg, "Is a directory"), "%s",
              err.msg);
    cr_assert(!exists(path_in(1, "taken.tmp")));
    cr_assert(lk_is_dir(path_in(0, "taken")));
    lk_atomic_abort(&a);
}

Test(lk_atomic, fsyncs_a_directory_and_names_a_missing_one)
{
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_fsync_dir(dir, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_fsync_dir(path_in(0, "nope"), &err), LK_ENOENT);
    cr_assert(strstr(err.msg, path_in(0, "nope")) != NULL, "%s", err.msg);
}

/* --------------------------------------------------------- listing ---- */

static void expect_names(char **names, size_t n, size_t want_n, const char *const *want)
{
    cr_assert_eq(n, want_n, "%zu names, want %zu", n, want_n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(names[i], want[i], "name %zu", i);
}

Test(lk_list_dir, lists_matching_files_sorted_bytewise)
{
    char **names = NULL;
    size_t n = 0;
    static const char *const files[] = { "b.jsonl",       "a.jsonl", "c.txt",
                                         "10.jsonl",      "2.jsonl", "B.jsonl",
                                         ".hidden.jsonl", "jsonl",   "x.jsonl.tmp" };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        write_text(path_in(0, files[i]), "");
    cr_assert_eq(lk_list_dir(dir, ".jsonl", &names, &n, NULL), 0);
    expect_names(names, n, 5,
                 (const char *const[]){ "10.jsonl", "2.jsonl", "B.jsonl", "a.jsonl", "b.jsonl" });
    lk_list_free(names, n);
}

Test(lk_list_dir, lists_every_visible_file_without_a_suffix)
{
    char **names = NULL;
    size_t n = 0;
    write_text(path_in(0, "z"), "");
    write_text(path_in(0, "a.txt"), "");
    write_text(path_in(0, ".dot"), "");
    cr_assert_eq(lk_list_dir(dir, NULL, &names, &n, NULL), 0);
    expect_names(names, n, 2, (const char *const[]){ "a.txt", "z" });
    lk_list_free(names, n);
}

Test(lk_list_dir, lists_only_regular_files)
{
    char **names = NULL;
    size_t n = 0;
    write_text(path_in(0, "p-00000.jsonl"), "");
    cr_assert_eq(lk_mkdir_p(path_in(0, "sub.jsonl"), NULL), 0);
    cr_assert_eq(lk_list_dir(dir, ".jsonl", &names, &n, NULL), 0);
    expect_names(names, n, 1, (const char *const[]){ "p-00000.jsonl" });
    lk_list_free(names, n);
}

Test(lk_list_dir, gives_an_empty_list_for_an_empty_directory)
{
    char **names = (char **)1;
    size_t n = 99;
    cr_assert_eq(lk_list_dir(dir, ".jsonl", &names, &n, NULL), 0);
    cr_assert_eq(n, 0);
    lk_list_free(names, n);
    lk_list_free(NULL, 0);
}

Test(lk_list_dir, reports_a_missing_directory_naming_it)
{
    char **names = NULL;
    size_t n = 0;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_list_dir(path_in(0, "nope"), NULL, &names, &n, &err), LK_ENOENT);
    cr_assert(strstr(err.msg, path_in(0, "nope")) != NULL, "%s", err.msg);
}

/* ----------------------------------------------------------- datasets ---- */

Test(lk_dataset_log_files, takes_a_regular_file_as_the_only_input)
{
    char **paths = NULL;
    size_t n = 0;
    write_text(path_in(0, "fixture.jsonl"), "{}\n");
    cr_assert_eq(lk_dataset_log_files(path_in(0, "fixture.jsonl"), &paths, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(paths[0], path_in(0, "fixture.jsonl"));
    lk_list_free(paths, n);
}

Test(lk_dataset_log_files, lists_the_partitions_of_a_dataset_in_order)
{
    char **paths = NULL;
    size_t n = 0;
    struct lk_err err = LK_ERR_INIT;
    char want0[600], want1[600];
    cr_assert_eq(lk_mkdir_p(path_in(0, "ds/log"), NULL), 0);
    cr_assert_eq(lk_mkdir_p(path_in(0, "ds/landing"), NULL), 0);
    write_text(path_in(0, "ds/log/p-00001.jsonl"), "");
    write_text(path_in(0, "ds/log/p-00000.jsonl"), "");
    write_text(path_in(0, "ds/log/notes.txt"), "");
    write_text(path_in(0, "ds/landing/x.jsonl"), "");
    cr_assert_eq(lk_dataset_log_files(path_in(0, "ds"), &paths, &n, &err), 0, "%s", err.msg);
    snprintf(want0, sizeof(want0), "%s/ds/log/p-00000.jsonl", dir);
    snprintf(want1, sizeof(want1), "%s/ds/log/p-00001.jsonl", dir);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(paths[0], want0);
    cr_assert_str_eq(paths[1], want1);
    lk_list_free(paths, n);
}

Test(lk_dataset_log_files, reports_a_missing_dataset_naming_it)
{
    char **paths = NULL;
    size_t n = 0;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_dataset_log_files(path_in(0, "absent"), &paths, &n, &err), LK_ENOENT);
    cr_assert(strstr(err.msg, path_in(0, "absent")) != NULL, "%s", err.msg);
}

Test(lk_dataset_log_files, reports_a_directory_without_log_naming_it)
{
    char **paths = NULL;
    size_t n = 0;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_mkdir_p(path_in(0, "notads"), NULL), 0);
    cr_assert_eq(lk_dataset_log_files(path_in(0, "notads"), &paths, &n, &err), LK_ENOENT);
    cr_assert(strstr(err.msg, path_in(0, "notads")) != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "log/") != NULL, "%s", err.msg);
}

/* ------------------------------------------------- messages name file and errno ---- */

Test(lk_file, a_failed_json_line_append_names_its_file_and_errno)
{
    struct lk_err err = LK_ERR_INIT;
    FILE *fp = fopen("/dev/full", "w");
    cJSON *o = cJSON_CreateObject();
    cr_assert_not_null(fp);
    cJSON_AddNumberToObject(o, "n", 1);
    cr_assert_eq(lk_json_append_line(fp, o, &err), LK_EIO);
    cr_assert_str_eq(err.msg, "cannot write a line to '/dev/full' (No space left on device)");
    cJSON_Delete(o);
    fclose(fp);
}

Test(lk_file, names_standard_output_and_keeps_the_errno_after_a_long_path)
{
    struct lk_err err = LK_ERR_INIT;
    char name[64], *path = malloc(100001);
    lk_file_name_of(stdout, name, sizeof(name));
    cr_assert_str_eq(name, "standard output");
    /* the 100,000-byte tenant directory: the message is cut, its errno is kept */
    memset(path, 'T', 100000);
    path[100000] = '\0';
    memcpy(path, "out/tenant=", 11);
    cr_assert_lt(lk_mkdir_p(path, &err), 0);
    cr_assert_lt(strlen(err.msg), sizeof(err.msg));
    cr_assert(strstr(err.msg, "...' (File name too long)") != NULL
                  || strstr(err.msg, "... (File name too long)") != NULL,
              "%s", err.msg);
    free(path);
}
