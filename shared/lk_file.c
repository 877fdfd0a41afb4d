#include "lk_file.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lk_buf.h"
#include "lk_mem.h"
#include "banned.h"

int lk_file_error(struct lk_err *err, int e, const char *what, const char *path)
{
    return lk_err_sys(err, e == ENOENT || e == ENOTDIR ? LK_ENOENT : LK_EIO, e, "cannot %s '%s'",
                      what, path);
}

int lk_file_read_all(const char *path, size_t max, char **out, size_t *len, struct lk_err *err)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (!fp)
        return lk_file_error(err, errno, "open", path);
    for (;;) {
        size_t got;
        LK_GROW(buf, cap, n + 65536);
        got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (n > max) {
            rc = lk_err_set(err, LK_ERANGE, "file too large '%s' (more than %zu bytes)", path, max);
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        rc = lk_file_error(err, errno, "read", path);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    fclose(fp);
    return rc;
}

/* -------------------------------------------------------- directories ---- */

int lk_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void lk_file_name_of(FILE *fp, char *buf, size_t size)
{
    char link[64];
    ssize_t n;
    int fd = fileno(fp);
    if (fd == STDOUT_FILENO || fd == STDERR_FILENO) {
        snprintf(buf, size, fd == STDOUT_FILENO ? "standard output" : "standard error");
        return;
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = size > 1 ? readlink(link, buf, size - 1) : -1;
    if (n < 0)
        snprintf(buf, size, "descriptor %d", fd);
    else
        buf[n] = '\0';
}

int lk_file_write_failed(FILE *fp, const char *what, struct lk_err *err)
{
    char name[512];
    int e = errno ? errno : EIO;
    lk_file_name_of(fp, name, sizeof(name));
    return lk_err_sys(err, LK_EIO, e, "cannot write %s to '%s'", what, name);
}

int lk_file_append_line(FILE *fp, const char *text, struct lk_err *err)
{
    if (fputs(text, fp) >= 0 && fputc('\n', fp) != EOF && fflush(fp) == 0)
        return 0;
    return lk_file_write_failed(fp, "a line", err);
}

int lk_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int lk_mkdir_p(const char *path, struct lk_err *err)
{
    char *p;
    int rc = 0;
    if (lk_is_dir(path)) /* the usual case (a lake's tenant directory, file after file): one stat */
        return 0;
    p = lk_xstrdup(path);
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = lk_file_error(err, errno, "create directory", p);
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (rc == 0 && !lk_is_dir(path))
        rc = lk_err_set(err, LK_EIO, "cannot create directory '%s' (a file is in the way)", path);
    free(p);
    return rc;
}

int lk_rm_rf(const char *path, struct lk_err *err)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : lk_file_error(err, errno, "stat", path);
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0 ? 0 : lk_file_error(err, errno, "remove", path);
    d = opendir(path);
    if (!d)
        return lk_file_error(err, errno, "open directory", path);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char *child;
        size_t n;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n = strlen(path) + strlen(e->d_name) + 2;
        child = lk_xmalloc(n);
        snprintf(child, n, "%s/%s", path, e->d_name);
        rc = lk_rm_rf(child, err);
        free(child);
    }
    closedir(d);
    if (rc == 0 && rmdir(path) != 0)
        rc = lk_file_error(err, errno, "remove directory", path);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int lk_list_dir(const char *dir, const char *suffix, char ***names, size_t *n, struct lk_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t cnt = 0, cap = 0, slen = suffix ? strlen(suffix) : 0;
    if (!d)
        return lk_file_error(err, errno, "open directory", dir);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        struct stat st;
        if (e->d_name[0] == '.' || len < slen || (suffix && strcmp(e->d_name + len - slen, suffix)))
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue; /* regular files only (a directory named x.jsonl is not a log) */
        LK_GROW(v, cap, cnt + 1);
        v[cnt++] = lk_xstrdup(e->d_name);
    }
    closedir(d);
    if (cnt)
        qsort(v, cnt, sizeof(*v), cmp_names);
    *names = v;
    *n = cnt;
    return 0;
}

void lk_list_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int lk_dataset_log_files(const char *data, char ***paths, size_t *n, struct lk_err *err)
{
    struct lk_buf dir = LK_BUF_INIT;
    char **names;
    size_t cnt;
    int rc;
    if (lk_is_file(data)) {
        *paths = lk_xmalloc(sizeof(char *));
        (*paths)[0] = lk_xstrdup(data);
        *n = 1;
        return 0;
    }
    if (!lk_is_dir(data)) {
        if (access(data, F_OK) != 0)
            return lk_file_error(err, errno, "open dataset", data);
        return lk_err_set(err, LK_EINPUT, "cannot read dataset '%s' (not a file or directory)",
                          data);
    }
    lk_buf_addf(&dir, "%s/log", data);
    if (!lk_is_dir(dir.s))
        rc =
            lk_err_set(err, LK_ENOENT,
                       "cannot open dataset '%s' (no log/ directory: not made by lklab gen)", data);
    else
        rc = lk_list_dir(dir.s, ".jsonl", &names, &cnt, err);
    for (size_t i = 0; rc == 0 && i < cnt; i++) {
        size_t len = dir.len + strlen(names[i]) + 2;
        char *p = lk_xmalloc(len);
        snprintf(p, len, "%s/%s", dir.s, names[i]);
        free(names[i]);
        names[i] = p;
    }
    lk_buf_release(&dir);
    if (rc < 0)
        return rc;
    *paths = names;
    *n = cnt;
    return 0;
}
