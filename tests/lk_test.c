#include "lk_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lk_file.h"
#include "lk_mem.h"
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
