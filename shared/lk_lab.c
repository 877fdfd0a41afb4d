/* lk_lab: the course labs as a library (lk_lab.h): labs, seeds, gen arguments, answers, scripts,
 * handouts. */
#include "lk_lab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_strtab.h"
#include "banned.h"

extern char **environ;

/* ------------------------------------------------------------------ labs ---- */

static int is_lab_name(const char *name)
{
    return name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' && name[2] == '-'
           && name[3] != '\0';
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int lk_lab_list_dirs(const char *labs, char ***names, size_t *n, struct lk_err *err)
{
    DIR *d = opendir(labs);
    struct dirent *de;
    struct lk_buf path = LK_BUF_INIT;
    size_t cap = 0;
    *names = NULL;
    *n = 0;
    if (!d)
        return lk_err_set(err, LK_ENOENT, "cannot open labs directory '%s' (%s)", labs,
                          strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (!is_lab_name(de->d_name))
            continue;
        lk_buf_reset(&path);
        lk_buf_addf(&path, "%s/%s", labs, de->d_name);
        if (!lk_is_dir(path.s))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *names = lk_xrealloc(*names, cap * sizeof(**names));
        }
        (*names)[(*n)++] = lk_xstrdup(de->d_name);
    }
    closedir(d);
    lk_buf_release(&path);
    if (*n)
        qsort(*names, *n, sizeof(**names), cmp_names);
    return 0;
}

/* "3" -> "03"; "03" and "03-topic" stay; anything else is not a lab number. */
static int lab_number(const char *which, char nn[3])
{
    size_t digits = strspn(which, "0123456789");
    if (digits == 1 && which[1] == '\0') {
        nn[0] = '0';
        nn[1] = which[0];
    } else if (digits == 2 && (which[2] == '\0' || which[2] == '-')) {
        nn[0] = which[0];
        nn[1] = which[1];
    } else {
        return -1;
    }
    nn[2] = '\0';
    return 0;
}

static const char *json_string(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static int load_questions(struct lk_lab *lab, const cJSON *qs, const char *path, struct lk_err *err)
{
    const cJSON *q;
    size_t i = 0;
    if (!cJSON_IsArray(qs) || cJSON_GetArraySize(qs) == 0)
        return lk_err_set(err, LK_EINPUT, "'%s': \"questions\" must be a non-empty list", path);
    lab->nq = (size_t)cJSON_GetArraySize(qs);
    lab->q = lk_xcalloc(lab->nq, sizeof(*lab->q));
    cJSON_ArrayForEach(q, qs)
    {
        const char *id = json_string(q, "id"), *hint = json_string(q, "hint");
        if (!id || !hint)
            return lk_err_set(err, LK_EINPUT,
                              "'%s': question %zu needs an \"id\" and a "
                              "\"hint\"",
                              path, i + 1);
        lab->q[i].id = lk_xstrdup(id);
        lab->q[i].hint = lk_xstrdup(hint);
        i++;
    }
    return 0;
}

/*
 * lab.json's optional "concept_choice": the id of the one question whose answer is a concept
 * (the same for everyone) with a reason checked against the student's own numbers; it
 * alone may pass when graded for another student (tests/labs.sh, labs/README.md).
 */
static int check_concept_choice(const struct lk_lab *lab, const cJSON *v, const char *path,
                                struct lk_err *err)
{
    if (!v)
        return 0;
    for (size_t i = 0; cJSON_IsString(v) && i < lab->nq; i++)
        if (strcmp(lab->q[i].id, v->valuestring) == 0)
            return 0;
    return lk_err_set(err, LK_EINPUT,
                      "'%s': \"concept_choice\" must be the id of one of its "
                      "questions",
                      path);
}

/* A setting's value (or a list item): a number, or a string of shell-safe characters. */
static int good_value(const cJSON *v)
{
    const char *s;
    if (cJSON_IsNumber(v))
        return 1;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return 0;
    s = v->valuestring;
    return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:+-/")]
           == '\0';
}

/* A range {"min": A, "max": B} of whole numbers, A <= B (one is picked per student). */
static int good_range(const cJSON *v, long long *min, long long *max)
{
    const cJSON *a, *b;
    if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 2)
        return 0;
    a = cJSON_GetObjectItemCaseSensitive(v, "min");
    b = cJSON_GetObjectItemCaseSensitive(v, "max");
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || a->valuedouble != floor(a->valuedouble)
        || b->valuedouble != floor(b->valuedouble) || fabs(a->valuedouble) > 1e15
        || fabs(b->valuedouble) > 1e15 || a->valuedouble > b->valuedouble)
        return 0;
    *min = (long long)a->valuedouble;
    *max = (long long)b->valuedouble;
    return 1;
}

/*
 * lab.json's "dataset" (params = 0) or "params" (1): an object whose values are good values,
 * non-empty lists of them or ranges of whole numbers (one is picked per student);
 * parameter names are shell variable names in capitals (they go into lab.env).
 */
static int check_settings(const cJSON *obj, int params, const char *path, struct lk_err *err)
{
    const char *what = params ? "params" : "dataset";
    const cJSON *it, *item;
    if (!cJSON_IsObject(obj))
        return lk_err_set(err, LK_EINPUT, "'%s': \"%s\" must be an object", path, what);
    cJSON_ArrayForEach(it, obj)
    {
        long long min, max;
        int ok = cJSON_IsArray(it) ? cJSON_GetArraySize(it) > 0
                                   : good_value(it) || good_range(it, &min, &max);
        if (cJSON_IsArray(it))
            cJSON_ArrayForEach(item, it) ok = ok && good_value(item);
        if (params
            && (it->string[0] < 'A' || it->string[0] > 'Z'
                || it->string[strspn(it->string, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")]))
            return lk_err_set(err, LK_EINPUT,
                              "'%s': parameter \"%s\" must be named in "
                              "capitals, digits and '_'",
                              path, it->string);
        if (!ok)
            return lk_err_set(err, LK_EINPUT,
                              "'%s': %s \"%s\" must be a number, a string of "
                              "letters, digits and ._:+-/, a non-empty list of them or a range "
                              "{\"min\": A, \"max\": B} of whole numbers",
                              path, what, it->string);
    }
    return 0;
}

static int load_json(struct lk_lab *lab, struct lk_err *err)
{
    struct lk_buf b = LK_BUF_INIT;
    char *path;
    cJSON *root = NULL;
    const char *title, *summary;
    int rc;
    lk_buf_addf(&b, "%s/lab.json", lab->dir);
    path = b.s;
    if ((rc = lk_json_read_file(path, &root, err)) < 0)
        goto out;
    title = json_string(root, "title");
    summary = json_string(root, "summary");
    if (!title || !summary) {
        rc = lk_err_set(err, LK_EINPUT, "'%s' needs \"title\" and \"summary\" strings", path);
        goto out;
    }
    lab->title = lk_xstrdup(title);
    lab->summary = lk_xstrdup(summary);
    lab->dataset = cJSON_DetachItemFromObjectCaseSensitive(root, "dataset");
    if (!cJSON_IsObject(lab->dataset) || !json_string(lab->dataset, "scenario")) {
        rc = lk_err_set(err, LK_EINPUT,
                        "'%s': \"dataset\" must be an object with a "
                        "\"scenario\"",
                        path);
        goto out;
    }
    lab->params = cJSON_DetachItemFromObjectCaseSensitive(root, "params");
    if ((rc = check_settings(lab->dataset, 0, path, err)) < 0
        || (lab->params && (rc = check_settings(lab->params, 1, path, err)) < 0))
        goto out;
    rc = load_questions(lab, cJSON_GetObjectItemCaseSensitive(root, "questions"), path, err);
    if (rc == 0)
        rc = check_concept_choice(lab, cJSON_GetObjectItemCaseSensitive(root, "concept_choice"),
                                  path, err);
out:
    cJSON_Delete(root);
    lk_buf_release(&b);
    return rc;
}

int lk_lab_load(struct lk_lab *lab, const char *labs, const char *which, struct lk_err *err)
{
    char **names = NULL, nn[3];
    size_t n = 0;
    int rc, full = strlen(which) > 2; /* "03-topic" must match exactly */
    if (lab_number(which, nn) < 0)
        return lk_err_set(err, LK_EUSAGE,
                          "bad lab '%s' (a number like 03; see 'lklab lab "
                          "list')",
                          which);
    if ((rc = lk_lab_list_dirs(labs, &names, &n, err)) < 0)
        return rc;
    for (size_t i = 0; i < n && !lab->dir; i++) {
        if (strncmp(names[i], nn, 2) == 0 && (!full || strcmp(names[i], which) == 0)) {
            struct lk_buf dir = LK_BUF_INIT;
            lk_buf_addf(&dir, "%s/%s", labs, names[i]);
            lab->dir = lk_buf_detach(&dir, NULL);
        }
    }
    lk_list_free(names, n);
    if (!lab->dir)
        return lk_err_set(err, LK_EUSAGE, "no lab '%s' in '%s' (see 'lklab lab list')", which,
                          labs);
    memcpy(lab->nn, nn, sizeof(nn));
    return load_json(lab, err);
}

void lk_lab_release(struct lk_lab *lab)
{
    if (!lab)
        return;
    for (size_t i = 0; i < lab->nq; i++) {
        free(lab->q[i].id);
        free(lab->q[i].hint);
    }
    free(lab->q);
    free(lab->dir);
    free(lab->title);
    free(lab->summary);
    cJSON_Delete(lab->dataset);
    cJSON_Delete(lab->params);
    *lab = (struct lk_lab)LK_LAB_INIT;
}

uint64_t lk_lab_fnv(uint64_t h, const void *data, size_t n)
{
    return lk_fnv1a(h, data, n);
}

/* FNV-1a 64 of "a/b". */
static uint64_t fnv_pair(const char *a, const char *b)
{
    uint64_t h = lk_lab_fnv(LK_LAB_FNV_BASIS, a, strlen(a));
    return lk_lab_fnv(lk_lab_fnv(h, "/", 1), b, strlen(b));
}

uint64_t lk_lab_seed(const char *student, const char *nn)
{
    return (fnv_pair(student, nn) % (1ULL << 31)) + 1;
}

const char *lk_lab_pick(const cJSON *v, uint64_t seed, const char *name, char *buf, size_t size)
{
    char num[32];
    long long min, max;
    uint64_t h;
    snprintf(num, sizeof(num), "%llu", (unsigned long long)seed);
    h = fnv_pair(num, name);
    if (good_range(v, &min, &max)) {
        snprintf(buf, size, "%lld", min + (long long)(h % (uint64_t)(max - min + 1)));
        return buf;
    }
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0)
        v = cJSON_GetArrayItem(v, (int)(h % (uint64_t)cJSON_GetArraySize(v)));
    return lk_lab_value_text(v, buf, size);
}

/* ----------------------------------------------------------------- argv ---- */

void lk_lab_argv_add(struct lk_lab_argv *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->v = lk_xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = lk_xstrdup(s);
    a->v[a->n] = NULL;
}

void lk_lab_argv_addf(struct lk_lab_argv *a, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    lk_lab_argv_add(a, buf);
}

void lk_lab_argv_release(struct lk_lab_argv *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    *a = (struct lk_lab_argv)LK_LAB_ARGV_INIT;
}

/* The shortest text that reads back as the same double; integers without ".0". */
static void format_number(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

const char *lk_lab_value_text(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    format_number(v->valuedouble, buf, size);
    return buf;
}

void lk_lab_params(const struct lk_lab *lab, uint64_t seed, struct lk_lab_argv *a)
{
    const cJSON *it;
    char num[64];
    if (!lab->params)
        return;
    cJSON_ArrayForEach(it, lab->params)
    {
        lk_lab_argv_addf(a, "%s=%s", it->string,
                         lk_lab_pick(it, seed, it->string, num, sizeof(num)));
    }
}

int lk_lab_gen_argv(const struct lk_lab *lab, uint64_t seed, const char *out, struct lk_lab_argv *a,
                    struct lk_err *err)
{
    const cJSON *it;
    char num[64];
    lk_lab_argv_add(a, "gen");
    lk_lab_argv_add(a, "--scenario");
    lk_lab_argv_add(a, json_string(lab->dataset, "scenario"));
    cJSON_ArrayForEach(it, lab->dataset)
    {
        if (strcmp(it->string, "scenario") == 0)
            continue;
        if (strcmp(it->string, "seed") == 0 || strcmp(it->string, "out") == 0)
            return lk_err_set(err, LK_EINPUT,
                              "'%s/lab.json': the dataset must not set \"%s\" "
                              "(the lab derives it)",
                              lab->dir, it->string);
        lk_lab_argv_addf(a, "--%s", it->string);
        lk_lab_argv_add(a, lk_lab_pick(it, seed, it->string, num, sizeof(num)));
    }
    lk_lab_argv_add(a, "--seed");
    lk_lab_argv_addf(a, "%llu", (unsigned long long)seed);
    lk_lab_argv_add(a, "--out");
    lk_lab_argv_add(a, out);
    return 0;
}

/* -------------------------------------------------------------- answers ---- */

const cJSON *lk_lab_lookup(const cJSON *obj, const char *key)
{
    const char *dot;
    char head[256];
    const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (v || !cJSON_IsObject(obj) || (dot = strchr(key, '.')) == NULL)
        return v;
    if ((size_t)(dot - key) >= sizeof(head))
        return NULL;
    snprintf(head, sizeof(head), "%.*s", (int)(dot - key), key);
    return lk_lab_lookup(cJSON_GetObjectItemCaseSensitive(obj, head), dot + 1);
}

void lk_lab_print_value(FILE *fp, const cJSON *v)
{
    char num[64], *text;
    if (cJSON_IsString(v)) {
        fprintf(fp, "%s\n", v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        format_number(v->valuedouble, num, sizeof(num));
        fprintf(fp, "%s\n", num);
    } else if (cJSON_IsBool(v)) {
        fprintf(fp, "%s\n", cJSON_IsTrue(v) ? "true" : "false");
    } else if (!cJSON_IsNull(v) && (text = cJSON_PrintUnformatted(v)) != NULL) {
        fprintf(fp, "%s\n", text);
        cJSON_free(text);
    }
}

/* -------------------------------------------------------------- scripts ---- */

/* environ without the names set replaces, then set. Pointers only (not copies). */
static char **merged_env(const struct lk_lab_argv *set)
{
    size_t n = 0, k = 0;
    char **env;
    while (environ[n])
        n++;
    env = lk_xcalloc(n + set->n + 1, sizeof(*env));
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < set->n && !replaced; j++)
            replaced = strncmp(set->v[j], environ[i], len) == 0;
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < set->n; j++)
        env[k++] = set->v[j];
    env[k] = NULL;
    return env;
}

static int child_files(posix_spawn_file_actions_t *fa, const char *out_path, const char *err_path)
{
    int flags = O_WRONLY | O_CREAT | O_TRUNC;
    if (posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0)
        || posix_spawn_file_actions_addopen(fa, 1, out_path, flags, 0644)
        || posix_spawn_file_actions_addopen(fa, 2, err_path, flags, 0644))
        return -1;
    return 0;
}

int lk_lab_spawn(char *const argv[], const struct lk_lab_argv *set, const char *cwd,
                 const char *out_path, const char *err_path, int *status, struct lk_err *err)
{
    posix_spawn_file_actions_t fa;
    char **env = merged_env(set);
    int here = open(".", O_RDONLY | O_DIRECTORY), rc = 0, e, ws = 0;
    pid_t pid;
    if (here < 0 || posix_spawn_file_actions_init(&fa) != 0) {
        rc = lk_err_set(err, LK_EIO, "cannot prepare to run '%s' (%s)", argv[0], strerror(errno));
        goto out_env;
    }
    if (child_files(&fa, out_path, err_path) < 0) {
        rc = lk_err_set(err, LK_EIO, "cannot redirect the output of '%s'", argv[0]);
        goto out;
    }
    /* posix_spawn has no portable chdir action: change and restore ours around it. */
    if (chdir(cwd) < 0) {
        rc = lk_err_set(err, LK_EIO, "cannot enter '%s' (%s)", cwd, strerror(errno));
        goto out;
    }
    e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    if (fchdir(here) < 0 && e == 0)
        e = errno;
    if (e != 0) {
        rc = lk_err_set(err, LK_EIO, "cannot run '%s' (%s)", argv[0], strerror(e));
        goto out;
    }
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            rc = lk_err_set(err, LK_EIO, "cannot wait for '%s' (%s)", argv[0], strerror(errno));
            goto out;
        }
    }
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
out:
    posix_spawn_file_actions_destroy(&fa);
out_env:
    if (here >= 0)
        close(here);
    free(env);
    return rc;
}

/* -------------------------------------------------------------- handout ---- */

static int copy_file(const char *src, const char *dst, mode_t mode, struct lk_err *err)
{
    char buf[65536];
    ssize_t got;
    int in = open(src, O_RDONLY), out = -1, rc = 0;
    if (in < 0)
        return lk_err_set(err, LK_EIO, "cannot read '%s' (%s)", src, strerror(errno));
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL, mode & 07777);
    if (out < 0) {
        rc = lk_err_set(err, LK_EIO, "cannot create '%s' (%s)", dst, strerror(errno));
        goto out;
    }
    while ((got = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, (size_t)got) != got) {
            rc = lk_err_set(err, LK_EIO, "cannot write '%s' (%s)", dst, strerror(errno));
            goto out;
        }
    }
    if (got < 0)
        rc = lk_err_set(err, LK_EIO, "cannot read '%s' (%s)", src, strerror(errno));
    /* the umask may have cut bits at open: give the copy the source's mode */
    if (rc == 0 && fchmod(out, mode & 07777) < 0)
        rc = lk_err_set(err, LK_EIO, "cannot chmod '%s' (%s)", dst, strerror(errno));
out:
    if (out >= 0 && close(out) < 0 && rc == 0)
        rc = lk_err_set(err, LK_EIO, "cannot write '%s' (%s)", dst, strerror(errno));
    close(in);
    return rc;
}

int lk_lab_copy_tree(const char *src, const char *dst, const char *skip, struct lk_err *err)
{
    DIR *d;
    struct dirent *de;
    struct stat st;
    struct lk_buf from = LK_BUF_INIT, to = LK_BUF_INIT;
    int rc;
    if ((rc = lk_mkdir_p(dst, err)) < 0)
        return rc;
    if ((d = opendir(src)) == NULL)
        return lk_err_set(err, LK_EIO, "cannot open '%s' (%s)", src, strerror(errno));
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        lk_buf_reset(&from);
        lk_buf_reset(&to);
        lk_buf_addf(&from, "%s/%s", src, de->d_name);
        lk_buf_addf(&to, "%s/%s", dst, de->d_name);
        if (lstat(from.s, &st) < 0)
            rc = lk_err_set(err, LK_EIO, "cannot stat '%s' (%s)", from.s, strerror(errno));
        else if (S_ISDIR(st.st_mode) && !(skip && strcmp(de->d_name, skip) == 0))
            rc = lk_lab_copy_tree(from.s, to.s, skip, err);
        else if (S_ISREG(st.st_mode))
            rc = copy_file(from.s, to.s, st.st_mode, err);
    }
    closedir(d);
    lk_buf_release(&from);
    lk_buf_release(&to);
    return rc;
}
