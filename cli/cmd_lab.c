/* lklab lab: the course labs (labs/README.md has the contract): list, data, check, answer,
 * handout. The library work is in shared/lk_lab.c (lk_lab.h). */
#define _DEFAULT_SOURCE /* realpath */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_lab.h"
#include "lk_mem.h"
#include "banned.h"

#define CMD "lab"
static const char usage_line[] =
    "lklab lab list | data NN [--student ID] --out DIR\n"
    "                 | check NN [--answers FILE] [--student ID] [--use-solution] [--work DIR]\n"
    "                 | answer FILE KEY | handout DIR        [--labs DIR]";

static void help(void)
{
    printf("usage: %s\n\n"
           "The course labs, one labs/NN-topic/ directory each (README.md with the steps and the\n"
           "questions, lab.json, answers.json, check.sh, solution/; see labs/README.md).\n\n"
           "  list                 NN, title and summary of every lab\n"
           "  data NN --out DIR    the lab's dataset for one student: 'lklab gen' with the lab's\n"
           "                       options and seed = FNV-1a 64 of \"ID/NN\" mod 2^31, plus 1;\n"
           "                       prints the student's parameters (a lab may give every student\n"
           "                       their own crash point, trigger, ...) and writes them to\n"
           "                       DIR/lab.env ('. DIR/lab.env' loads them into a shell)\n"
           "  check NN             grade: regenerate the data (cached in the work directory), run\n"
           "                       the lab's check.sh, print 'pass qN' or 'FAIL qN: hint' per\n"
           "                       question (with what was measured, indented below), then\n"
           "                       'N/M passed'\n"
           "  answer FILE KEY      print one value of a JSON file (numbers as written, strings\n"
           "                       raw; KEY may walk objects: totals.batches)\n"
           "  handout DIR          copy the labs into DIR (new or empty) without solution/\n\n"
           "  --student ID         student id (default: student)\n"
           "  --answers FILE       answers to grade (default: the lab's answers.json)\n"
           "  --use-solution       grade the reference solution (solution/solve.sh) instead\n"
           "  --work DIR           work directory of check (default out/labs/NN-ID)\n"
           "  --labs DIR           where the labs are (default <root>/labs)\n"
           "  --help               this text\n\n"
           "exit: 0 ok (check: every question passed), 1 a question failed (answer: no such\n"
           "key or null), 2 usage, 3 bad lab or answers JSON, 4 I/O error\n",
           usage_line);
}

/* Options of every subcommand; `allowed` says which one accepts which. */
enum { O_STUDENT = 1, O_OUT = 2, O_ANSWERS = 4, O_SOLUTION = 8, O_WORK = 16, O_LABS = 32 };

struct args {
    const char *student, *out, *answers, *work, *labs;
    int use_solution, seen;
    char labs_buf[PATH_MAX];
};

/* ------------------------------------------------------------ list, data ---- */

static int run_list(const struct args *a)
{
    struct lk_err err = LK_ERR_INIT;
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    if (lk_lab_list_dirs(a->labs, &names, &n, &err) < 0)
        return cmd_fail(CMD, &err);
    for (size_t i = 0; i < n; i++) {
        struct lk_lab lab = LK_LAB_INIT;
        if (lk_lab_load(&lab, a->labs, names[i], &err) < 0)
            rc = cmd_fail(CMD, &err);
        else
            printf("%s  %s — %s\n", lab.nn, lab.title, lab.summary);
        lk_lab_release(&lab);
    }
    lk_list_free(names, n);
    return rc;
}

/* 'lklab gen' in this process with the lab's dataset options; its exit code. */
static int generate(const struct lk_lab *lab, uint64_t seed, const char *out, int quiet)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_lab_argv gen = LK_LAB_ARGV_INIT;
    int rc;
    if (lk_lab_gen_argv(lab, seed, out, &gen, &err) < 0) {
        lk_lab_argv_release(&gen);
        return cmd_fail(CMD, &err);
    }
    if (quiet)
        lk_lab_argv_add(&gen, "--quiet");
    rc = cmd_gen((int)gen.n, gen.v);
    lk_lab_argv_release(&gen);
    return rc;
}

/*
 * DIR/lab.env: the student's parameters as shell assignments, a comment first (written even
 * when the lab has none, so a README can always load it). *params gets the "NAME=value"s.
 */
static int write_env(const struct lk_lab *lab, const char *student, uint64_t seed, const char *dir,
                     struct lk_lab_argv *params, struct lk_err *err)
{
    struct lk_atomic at = LK_ATOMIC_INIT;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/lab.env", dir);
    lk_lab_params(lab, seed, params);
    if (lk_atomic_open(&at, path, err) < 0)
        return -1;
    fprintf(at.fp,
            "# lab %s parameters of student '%s' (seed %llu): load them with  . %s/lab.env\n",
            lab->nn, student, (unsigned long long)seed, dir);
    for (size_t i = 0; i < params->n; i++)
        fprintf(at.fp, "%s\n", params->v[i]);
    at.durability = LK_DURABLE_PROCESS; /* made again by every 'lab data' and 'lab check' */
    return lk_atomic_commit(&at, err);
}

/* The dataset options that differ per student (lists and ranges in lab.json), with this
 * one's values. */
static void print_own_dataset(const struct lk_lab *lab, uint64_t seed)
{
    const cJSON *it;
    char num[64];
    int any = 0;
    cJSON_ArrayForEach(it, lab->dataset)
    {
        if (cJSON_IsArray(it) || cJSON_IsObject(it))
            printf("%s --%s %s", any++ ? "" : "your dataset:", it->string,
                   lk_lab_pick(it, seed, it->string, num, sizeof(num)));
    }
    if (any)
        printf("\n");
}

static int run_data(const struct args *a, const struct lk_lab *lab)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_lab_argv params = LK_LAB_ARGV_INIT;
    uint64_t seed = lk_lab_seed(a->student, lab->nn);
    int rc;
    if (!a->out)
        return cmd_usage_error(CMD, "data needs --out DIR");
    if ((rc = generate(lab, seed, a->out, 0)) != 0)
        return rc;
    if (write_env(lab, a->student, seed, a->out, &params, &err) < 0) {
        lk_lab_argv_release(&params);
        return cmd_fail(CMD, &err);
    }
    printf("lab %s data for student '%s' (seed %llu) in %s\n", lab->nn, a->student,
           (unsigned long long)seed, a->out);
    print_own_dataset(lab, seed);
    if (params.n) {
        printf("your parameters:");
        for (size_t i = 0; i < params.n; i++)
            printf(" %s", params.v[i]);
        printf("\n  (in %s/lab.env; load them into your shell with:  . %s/lab.env)\n", a->out,
               a->out);
    }
    lk_lab_argv_release(&params);
    return 0;
}

/* ----------------------------------------------------------------- check ---- */

/* What check needs to know: absolute paths and the student's seed. */
struct check {
    const struct lk_lab *lab;
    const struct args *a;
    uint64_t seed;
    char root[PATH_MAX], dir[PATH_MAX], work[PATH_MAX], data[PATH_MAX + 16];
    char cache[PATH_MAX + 16], exe[PATH_MAX], answers[PATH_MAX + 32];
    struct lk_buf key; /* what the data was made from (gen arguments, the binary's mtime) */
};

static int absolute(const char *path, char *out, struct lk_err *err)
{
    if (!realpath(path, out))
        return lk_err_set(err, LK_ENOENT, "cannot find '%s'", path);
    return 0;
}

/* 1 when the file path holds exactly text (a stamp written by write_stamp). */
static int stamp_is(const char *path, const char *text)
{
    struct lk_err err = LK_ERR_INIT;
    char *old = NULL;
    size_t len = 0;
    int same = lk_file_read_checked(path, 1 << 16, &old, &len, &err) == 0 && strcmp(old, text) == 0;
    free(old);
    return same;
}

static int write_stamp(const char *path, const char *text, struct lk_err *err)
{
    if (lk_file_write_checked(path, text, strlen(text), err) < 0)
        return lk_err_set(err, LK_EIO, "cannot write '%s'", path);
    return 0;
}

/*
 * The generated data is reused while the gen arguments and the lklab binary are the same;
 * its lab.env is written every time (cheap, and lab.json's parameters may have changed).
 */
static int ensure_data(struct check *c, struct lk_err *err)
{
    struct lk_lab_argv gen = LK_LAB_ARGV_INIT, params = LK_LAB_ARGV_INIT;
    struct stat st;
    char stamp[PATH_MAX + 16], manifest[PATH_MAX + 32];
    int rc;
    snprintf(c->data, sizeof(c->data), "%s/data", c->work);
    if ((rc = lk_lab_gen_argv(c->lab, c->seed, c->data, &gen, err)) < 0)
        goto out;
    lk_buf_reset(&c->key);
    for (size_t i = 0; i < gen.n; i++)
        lk_buf_addf(&c->key, "%s ", gen.v[i]);
    if (stat(c->exe, &st) == 0)
        lk_buf_addf(&c->key, "binary %lld", (long long)st.st_mtime);
    snprintf(stamp, sizeof(stamp), "%s/data.key", c->work);
    snprintf(manifest, sizeof(manifest), "%s/manifest.json", c->data);
    if (!lk_is_file(manifest) || !stamp_is(stamp, c->key.s)) {
        if (generate(c->lab, c->seed, c->data, 1) != 0) {
            rc = lk_err_set(err, LK_EINPUT, "cannot generate the data of lab %s", c->lab->nn);
            goto out;
        }
        if ((rc = write_stamp(stamp, c->key.s, err)) < 0)
            goto out;
    }
    rc = write_env(c->lab, c->a->student, c->seed, c->data, &params, err);
out:
    lk_lab_argv_release(&params);
    lk_lab_argv_release(&gen);
    return rc;
}

/* FNV-1a 64 of a file's bytes (0 when it cannot be read: a missing file is a state too). */
static uint64_t file_hash(const char *path)
{
    struct lk_err err = LK_ERR_INIT;
    char *text = NULL;
    size_t len = 0;
    uint64_t h = 0;
    if (lk_file_read_all(path, (size_t)16 << 20, &text, &len, &err) == 0)
        h = lk_lab_fnv(LK_LAB_FNV_BASIS, text, len);
    free(text);
    return h;
}

/*
 * WORK/cache (check.sh's LAB_CACHE, for what it measures on the student's data): kept while
 * the data and the lab's check.sh, check-lib.sh and lab.json are the same, emptied otherwise.
 */
static int ensure_cache(struct check *c, struct lk_err *err)
{
    static const char *const files[] = { "check.sh", "../check-lib.sh", "lab.json" };
    char stamp[PATH_MAX + 16], path[PATH_MAX + 32];
    struct lk_buf key = LK_BUF_INIT;
    int rc;
    lk_buf_adds(&key, c->key.s);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", c->dir, files[i]);
        lk_buf_addf(&key, " %016llx", (unsigned long long)file_hash(path));
    }
    snprintf(c->cache, sizeof(c->cache), "%s/cache", c->work);
    snprintf(stamp, sizeof(stamp), "%s/cache.key", c->work);
    if (stamp_is(stamp, key.s) && lk_is_dir(c->cache))
        rc = 0;
    else if ((rc = lk_rm_rf(c->cache, err)) == 0 && (rc = lk_mkdir_p(c->cache, err)) == 0)
        rc = write_stamp(stamp, key.s, err);
    lk_buf_release(&key);
    return rc;
}

/* The environment of check.sh and solve.sh (labs/README.md). */
static void script_env(const struct check *c, const char *src, struct lk_lab_argv *env)
{
    const char *path = getenv("PATH"), *cc = getenv("CC");
    char bindir[PATH_MAX];
    snprintf(bindir, sizeof(bindir), "%s", c->exe);
    *strrchr(bindir, '/') = '\0';
    lk_lab_argv_addf(env, "PATH=%s:%s", bindir, path ? path : "/usr/bin:/bin");
    lk_lab_argv_addf(env, "LKLAB=%s", c->exe);
    lk_lab_argv_addf(env, "LAB_DIR=%s", c->dir);
    lk_lab_argv_addf(env, "LAB_ROOT=%s", c->root);
    lk_lab_argv_addf(env, "LAB_DATA=%s", c->data);
    lk_lab_argv_addf(env, "LAB_SRC=%s", src);
    lk_lab_argv_addf(env, "LAB_STUDENT=%s", c->a->student);
    lk_lab_argv_addf(env, "LAB_SEED=%llu", (unsigned long long)c->seed);
    lk_lab_argv_addf(env, "CC=%s", cc && *cc ? cc : "cc");
}

/*
 * Run LAB_DIR/<script> with bash in a fresh WORK/<name>/ (its cwd, LAB_WORK), output in
 * WORK/<name>.out and WORK/<name>.err; *status is its exit code.
 */
static int run_script(const struct check *c, const char *script, const char *name,
                      struct lk_lab_argv *env, int *status, struct lk_err *err)
{
    char path[PATH_MAX + 32], cwd[PATH_MAX + 16], out[PATH_MAX + 16], errp[PATH_MAX + 16];
    char bash[] = "bash";
    char *argv[] = { bash, path, NULL };
    int rc;
    snprintf(path, sizeof(path), "%s/%s", c->dir, script);
    snprintf(cwd, sizeof(cwd), "%s/%s", c->work, name);
    snprintf(out, sizeof(out), "%s/%s.out", c->work, name);
    snprintf(errp, sizeof(errp), "%s/%s.err", c->work, name);
    if (!lk_is_file(path))
        return lk_err_set(err, LK_EINPUT, "lab %s has no '%s'", c->lab->nn, script);
    if ((rc = lk_rm_rf(cwd, err)) < 0 || (rc = lk_mkdir_p(cwd, err)) < 0)
        return rc;
    lk_lab_argv_addf(env, "LAB_WORK=%s", cwd);
    return lk_lab_spawn(argv, env, cwd, out, errp, status, err);
}

/* Run solution/solve.sh: c->answers becomes the file it wrote. */
static int solve(struct check *c, struct lk_err *err)
{
    struct lk_lab_argv env = LK_LAB_ARGV_INIT;
    char src[PATH_MAX + 16];
    int status = 0, rc;
    snprintf(src, sizeof(src), "%s/solution", c->dir);
    snprintf(c->answers, sizeof(c->answers), "%s/solution-answers.json", c->work);
    script_env(c, src, &env);
    lk_lab_argv_addf(&env, "LAB_OUT=%s", c->answers);
    if ((rc = lk_rm_rf(c->answers, err)) == 0)
        rc = run_script(c, "solution/solve.sh", "solve", &env, &status, err);
    if (rc == 0 && status != 0)
        rc = lk_err_set(err, LK_EINTERNAL,
                        "solution/solve.sh of lab %s failed (exit %d; see "
                        "'%s/solve.err')",
                        c->lab->nn, status, c->work);
    lk_lab_argv_release(&env);
    return rc;
}

/* The answers must be a JSON object: exit 3 naming the file otherwise. */
static int check_answers(const char *path, struct lk_err *err)
{
    cJSON *obj = NULL;
    int rc = lk_json_read_file(path, &obj, err);
    if (rc == 0 && !cJSON_IsObject(obj))
        rc = lk_err_set(err, LK_EINPUT, "cannot read '%s' (answers must be a JSON object)", path);
    else if (rc < 0 && rc != LK_EIO)
        rc = lk_err_set(err, LK_EINPUT, "cannot read answers '%s' (%s)", path,
                        rc == LK_ENOENT ? "no such file" : "not valid JSON");
    cJSON_Delete(obj);
    return rc;
}

/*
 * Verdicts of check.sh: state 0 not reported, 1 PASS, 2 FAIL (with its hint, may be empty),
 * and the NOTE lines of the question (what was measured: at most MAX_NOTES are shown).
 */
#define MAX_NOTES 20
struct verdict {
    int state;
    char hint[512];
    char *notes; /* "    text\n" lines, or NULL */
    size_t nnotes, len;
};

static void add_note(struct verdict *v, const char *text)
{
    size_t n = strcspn(text, "\r");
    if (v->nnotes++ >= MAX_NOTES)
        return;
    v->notes = lk_xrealloc(v->notes, v->len + n + 6);
    v->len += (size_t)snprintf(v->notes + v->len, n + 6, "    %.*s\n", (int)n, text);
}

static void parse_verdicts(const struct lk_lab *lab, char *text, struct verdict *v)
{
    for (char *line = text, *next; line && *line; line = next) {
        size_t idlen;
        int kind; /* 1 PASS, 2 FAIL, 3 NOTE */
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        kind = strncmp(line, "PASS ", 5) == 0   ? 1
               : strncmp(line, "FAIL ", 5) == 0 ? 2
               : strncmp(line, "NOTE ", 5) == 0 ? 3
                                                : 0;
        if (!kind)
            continue;
        line += 5;
        idlen = strcspn(line, " \t\r");
        for (size_t i = 0; i < lab->nq; i++) {
            const char *rest = line + idlen + strspn(line + idlen, " \t");
            if (strlen(lab->q[i].id) != idlen || strncmp(line, lab->q[i].id, idlen) != 0)
                continue;
            if (kind == 1 && v[i].state == 0)
                v[i].state = 1;
            if (kind == 2) {
                v[i].state = 2;
                snprintf(v[i].hint, sizeof(v[i].hint), "%.*s", (int)strcspn(rest, "\r"), rest);
            }
            if (kind == 3) /* a note keeps its indentation: only one separator goes */
                add_note(&v[i], line + idlen + (line[idlen] == ' ' || line[idlen] == '\t'));
        }
    }
}

/* Run check.sh on c->answers and print the verdicts; 0 when all passed, else 1. */
static int grade(struct check *c, struct lk_err *err)
{
    struct lk_lab_argv env = LK_LAB_ARGV_INIT;
    struct verdict *v = lk_xcalloc(c->lab->nq, sizeof(*v));
    char src[PATH_MAX + 16], out[PATH_MAX + 16], *text = NULL;
    size_t len, passed = 0;
    int status = 0, rc;
    snprintf(src, sizeof(src), "%s%s", c->dir, c->a->use_solution ? "/solution" : "");
    script_env(c, src, &env);
    lk_lab_argv_addf(&env, "LAB_ANSWERS=%s", c->answers);
    lk_lab_argv_addf(&env, "LAB_CACHE=%s", c->cache);
    if ((rc = run_script(c, "check.sh", "check", &env, &status, err)) < 0)
        goto out;
    snprintf(out, sizeof(out), "%s/check.out", c->work);
    if ((rc = lk_file_read_all(out, (size_t)1 << 20, &text, &len, err)) < 0)
        goto out;
    parse_verdicts(c->lab, text, v);
    for (size_t i = 0; i < c->lab->nq; i++) {
        if (v[i].state == 1) {
            printf("pass %s\n", c->lab->q[i].id);
            passed++;
        } else {
            printf("FAIL %s: %s\n", c->lab->q[i].id, v[i].hint[0] ? v[i].hint : c->lab->q[i].hint);
        }
        if (v[i].notes)
            fputs(v[i].notes, stdout);
        if (v[i].nnotes > MAX_NOTES)
            printf("    (%zu more lines in %s/check.out)\n", v[i].nnotes - MAX_NOTES, c->work);
    }
    printf("%zu/%zu passed\n", passed, c->lab->nq);
    if (status != 0)
        cmd_error(CMD, "check.sh exited %d (its messages: '%s/check.err')", status, c->work);
    rc = passed == c->lab->nq ? 0 : 1;
out:
    for (size_t i = 0; i < c->lab->nq; i++)
        free(v[i].notes);
    free(text);
    free(v);
    lk_lab_argv_release(&env);
    return rc;
}

/* c->answers: the solution's (after running it), --answers, or the lab's answers.json. */
static int answers_path(struct check *c, struct lk_err *err)
{
    if (c->a->use_solution)
        return solve(c, err);
    if (!c->a->answers) {
        snprintf(c->answers, sizeof(c->answers), "%s/answers.json", c->dir);
        return 0;
    }
    if (!realpath(c->a->answers, c->answers))
        return lk_err_set(err, LK_EINPUT, "cannot read answers '%s' (no such file)", c->a->answers);
    return 0;
}

static int run_check(const struct args *a, const struct lk_lab *lab)
{
    struct lk_err err = LK_ERR_INIT;
    struct check *c = lk_xcalloc(1, sizeof(*c));
    char dflt[PATH_MAX];
    const char *work = a->work;
    ssize_t n;
    int rc;
    lk_buf_init(&c->key);
    c->lab = lab;
    c->a = a;
    c->seed = lk_lab_seed(a->student, lab->nn);
    if (!work) {
        snprintf(dflt, sizeof(dflt), "out/labs/%s-%s", lab->nn, a->student);
        work = dflt;
    }
    if ((n = readlink("/proc/self/exe", c->exe, sizeof(c->exe) - 1)) <= 0) {
        rc = lk_err_set(&err, LK_EIO, "cannot find the lklab binary (/proc/self/exe)");
        goto fail;
    }
    c->exe[n] = '\0';
    if ((rc = lk_mkdir_p(work, &err)) < 0 || (rc = absolute(work, c->work, &err)) < 0
        || (rc = absolute(cmd_root(), c->root, &err)) < 0
        || (rc = absolute(lab->dir, c->dir, &err)) < 0 || (rc = ensure_data(c, &err)) < 0
        || (rc = ensure_cache(c, &err)) < 0 || (rc = answers_path(c, &err)) < 0
        || (rc = check_answers(c->answers, &err)) < 0)
        goto fail;
    rc = grade(c, &err);
    if (rc >= 0)
        goto out;
fail:
    rc = cmd_fail(CMD, &err);
out:
    lk_buf_release(&c->key);
    free(c);
    return rc;
}

/* ------------------------------------------------------- answer, handout ---- */

static int run_answer(const char *file, const char *key)
{
    struct lk_err err = LK_ERR_INIT;
    cJSON *obj = NULL;
    const cJSON *v;
    int rc = lk_json_read_file(file, &obj, &err);
    if (rc < 0) {
        if (rc != LK_EIO)
            rc = lk_err_set(&err, LK_EINPUT, "cannot read '%s' (%s)", file,
                            rc == LK_ENOENT ? "no such file" : "not valid JSON");
        return cmd_fail(CMD, &err);
    }
    v = lk_lab_lookup(obj, key);
    if (!v || cJSON_IsNull(v)) {
        cmd_error(CMD, "'%s' has no answer for '%s'%s", file, key, v ? " (it is null)" : "");
        rc = 1;
    } else {
        lk_lab_print_value(stdout, v);
    }
    cJSON_Delete(obj);
    return rc;
}

/* 1 when path exists and is not an empty directory. */
static int non_empty(const char *path)
{
    DIR *d;
    struct dirent *de;
    int found = 0;
    if (!lk_is_dir(path))
        return access(path, F_OK) == 0;
    if ((d = opendir(path)) == NULL)
        return 1;
    while (!found && (de = readdir(d)) != NULL)
        found = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return found;
}

static int run_handout(const struct args *a, const char *dir)
{
    struct lk_err err = LK_ERR_INIT;
    if (non_empty(dir)) {
        cmd_error(CMD,
                  "refusing to write the handout into '%s' (it exists and is not an empty "
                  "directory)",
                  dir);
        return 2;
    }
    if (!lk_is_dir(a->labs)) {
        cmd_error(CMD, "cannot open labs directory '%s'", a->labs);
        return 3;
    }
    if (lk_lab_copy_tree(a->labs, dir, "solution", &err) < 0)
        return cmd_fail(CMD, &err);
    printf("labs copied to %s without solution/ directories\n", dir);
    return 0;
}

/* ------------------------------------------------------------- dispatch ---- */

/*
 * The options after the subcommand into a: the exit code to end with now (--help, a usage
 * error), or -1 to go on.
 */
static int parse(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        { "student", required_argument, NULL, 's' }, { "out", required_argument, NULL, 'o' },
        { "answers", required_argument, NULL, 'a' }, { "use-solution", no_argument, NULL, 'u' },
        { "work", required_argument, NULL, 'w' },    { "labs", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    struct cmd_getopt go;
    int c;
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 's':
            a->student = optarg;
            a->seen |= O_STUDENT;
            break;
        case 'o':
            a->out = optarg;
            a->seen |= O_OUT;
            break;
        case 'a':
            a->answers = optarg;
            a->seen |= O_ANSWERS;
            break;
        case 'u':
            a->use_solution = 1;
            a->seen |= O_SOLUTION;
            break;
        case 'w':
            a->work = optarg;
            a->seen |= O_WORK;
            break;
        case 'l':
            a->labs = optarg;
            a->seen |= O_LABS;
            break;
        }
    }
    return c < 0 ? go.rc : -1;
}

/* A student id goes into paths and a seed: letters, digits, '.', '_' and '-' only. */
static int bad_student(const char *s)
{
    return !*s || s[0] == '.'
           || s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789._-")]
                  != '\0';
}

static const char *const opt_names[] = { "--student",      "--out",  "--answers",
                                         "--use-solution", "--work", "--labs" };

struct sub {
    const char *name;
    int nargs, allowed;
};

static const struct sub subs[] = {
    { "list", 0, O_LABS },
    { "data", 1, O_LABS | O_STUDENT | O_OUT },
    { "check", 1, O_LABS | O_STUDENT | O_ANSWERS | O_SOLUTION | O_WORK },
    { "answer", 2, 0 },
    { "handout", 1, O_LABS },
};

static int dispatch(const struct sub *s, struct args *a, char **pos)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_lab lab = LK_LAB_INIT;
    int rc;
    if (strcmp(s->name, "list") == 0)
        return run_list(a);
    if (strcmp(s->name, "answer") == 0)
        return run_answer(pos[0], pos[1]);
    if (strcmp(s->name, "handout") == 0)
        return run_handout(a, pos[0]);
    if (lk_lab_load(&lab, a->labs, pos[0], &err) < 0) {
        /* an unknown lab: the message already says where to look ('lklab lab list') */
        rc = cmd_fail(CMD, &err);
    } else {
        rc = strcmp(s->name, "data") == 0 ? run_data(a, &lab) : run_check(a, &lab);
    }
    lk_lab_release(&lab);
    return rc;
}

int cmd_lab(int argc, char **argv)
{
    struct args a;
    const struct sub *s = NULL;
    int rc;
    memset(&a, 0, sizeof(a));
    a.student = "student";
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    for (size_t i = 0; argc >= 2 && i < sizeof(subs) / sizeof(subs[0]); i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            s = &subs[i];
    if (argc < 2)
        return cmd_usage_error(CMD, "missing subcommand");
    if (!s)
        return cmd_usage_error(CMD, "unknown subcommand '%s'", argv[1]);
    if ((rc = parse(argc - 1, argv + 1, &a)) >= 0)
        return rc;
    for (size_t i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
        if (a.seen & ~s->allowed & (1 << i))
            return cmd_usage_error(CMD, "'lab %s' takes no %s", s->name, opt_names[i]);
    if (argc - 1 - optind != s->nargs)
        return cmd_usage_error(CMD, "%s takes %d argument%s", s->name, s->nargs,
                               s->nargs == 1 ? "" : "s");
    if (bad_student(a.student))
        return cmd_usage_error(CMD,
                               "bad student id '%s' (letters, digits, '.', "
                               "'_', '-')",
                               a.student);
    if (!a.labs) {
        snprintf(a.labs_buf, sizeof(a.labs_buf), "%s/labs", cmd_root());
        a.labs = a.labs_buf;
    }
    return dispatch(s, &a, argv + 1 + optind);
}
