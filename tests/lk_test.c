#include "lk_test.h"

#include <criterion/criterion.h>

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
#include "banned.h"

const char *lkt_root(void)
{
    const char *r = getenv("LKLAB_ROOT");
    return r && *r ? r : ".";
}

char *lkt_tmpdir(const char *name)
{
    char *p = lk_xmalloc(4096);
    snprintf(p, 4096, "%s/out/test-%s-%ld", lkt_root(), name, (long)getpid());
    lk_rm_rf(p, NULL);
    if (lk_mkdir_p(p, NULL) < 0) {
        free(p);
        return NULL;
    }
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

static char *vfmt(const char *fmt, va_list ap)
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
