#include "cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_spec.h"
#include "lk_time.h"
#include "banned.h"

/* "lklab CMD: MESSAGE" on stderr, the line left open for the caller to end. */
static void message(const char *cmd, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void message(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "lklab %s: ", cmd);
    vfprintf(stderr, fmt, ap);
}

void cmd_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message(cmd, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cmd_fail(const char *cmd, const struct lk_err *err)
{
    cmd_error(cmd, "%s", err->msg[0] ? err->msg : lk_strerror(err->code));
    return lk_err_exit_code(err->code ? err->code : LK_EINTERNAL);
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'lklab %s --help')\n", cmd);
    return 2;
}

int cmd_bad_option(const char *cmd, int argc, char **argv)
{
    const char *arg = optind - 1 < argc && optind > 0 ? argv[optind - 1] : "?";
    if (optopt && strncmp(arg, "--", 2) != 0)
        return cmd_usage_error(cmd, "bad option '-%c'", optopt);
    if (strchr(arg, '=') == NULL && optind <= argc && optopt == 0)
        return cmd_usage_error(cmd, "unknown option '%s'", arg);
    return cmd_usage_error(cmd, "option '%s' is missing its value or has a bad one", arg);
}

void cmd_getopt_init(struct cmd_getopt *g, const char *cmd, int argc, char **argv,
                     const char *shortopts, const struct option *opts, void (*help)(void),
                     enum cmd_operands operands)
{
    *g = (struct cmd_getopt){ cmd, argc, argv, shortopts, opts, help, operands, 0 };
    opterr = 0;
    optind = 1;
}

/* The val of the option named "help" (0 when there is none). */
static int help_val(const struct option *opts)
{
    for (; opts->name; opts++)
        if (strcmp(opts->name, "help") == 0)
            return opts->val;
    return 0;
}

int cmd_getopt_next(struct cmd_getopt *g)
{
    int c = getopt_long(g->argc, g->argv, g->shortopts, g->opts, NULL);
    if (c == '?' || c == ':') {
        g->rc = cmd_bad_option(g->cmd, g->argc, g->argv);
        return -1;
    }
    if (c == -1) {
        if (optind >= g->argc || g->operands == CMD_OPERANDS)
            return 0;
        g->rc = cmd_usage_error(g->cmd, "unexpected argument '%s'", g->argv[optind]);
        return -1;
    }
    if (c == help_val(g->opts) || (c == 'h' && strchr(g->shortopts, 'h'))) {
        g->help();
        g->rc = cmd_finish(g->cmd, 0);
        return -1;
    }
    return c;
}

int cmd_need_options(const char *cmd, ...)
{
    const char *name, *missing = NULL;
    va_list ap;
    va_start(ap, cmd);
    while (!missing && (name = va_arg(ap, const char *)) != NULL)
        if (va_arg(ap, const char *) == NULL)
            missing = name;
    va_end(ap);
    return missing ? cmd_usage_error(cmd, "missing %s", missing) : 0;
}

int cmd_need_dataset(const char *cmd, const char *data)
{
    if (lk_is_file(data) || lk_is_dir(data))
        return 0;
    cmd_error(cmd, "cannot open dataset '%s' (no such file or directory)", data);
    return 3;
}

int cmd_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t min, uint64_t max,
                  uint64_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    if (text[0] < '0' || text[0] > '9')
        goto bad;
    v = strtoull(text, &end, 10);
    if (errno || *end || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    cmd_error(cmd, "bad value '%s' for %s (a whole number from %llu to %llu)", text, opt,
              (unsigned long long)min, (unsigned long long)max);
    return 2;
}

int cmd_parse_fraction(const char *cmd, const char *opt, const char *text, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(text, &end);
    if (errno || *end || end == text || !(v >= 0.0 && v <= 1.0)) {
        cmd_error(cmd, "bad value '%s' for %s (a fraction from 0 to 1, e.g. 0.05)", text, opt);
        return 2;
    }
    *out = v;
    return 0;
}

int cmd_parse_duration(const char *cmd, const char *opt, const char *text, int64_t *out)
{
    if (lk_duration_parse(text, out) < 0) {
        cmd_error(cmd, "bad duration '%s' for %s (use e.g. 250ms, 30s, 10m, 6h, 1d)", text, opt);
        return 2;
    }
    return 0;
}

const char *cmd_root(void)
{
    static char root[PATH_MAX + 32];
    char exe[PATH_MAX];
    ssize_t n;
    char *slash;
    const char *env = getenv("LKLAB_ROOT");
    if (env && *env)
        return env;
    if (root[0])
        return root;
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        /* strip "/lklab", then "/bin" (or "/bin/asan") */
        for (int up = 0; up < 3 && (slash = strrchr(exe, '/')) != NULL; up++) {
            *slash = '\0';
            snprintf(root, sizeof(root), "%s/datasets/pipelines", exe);
            if (access(root, F_OK) == 0) {
                snprintf(root, sizeof(root), "%s", exe);
                return root;
            }
        }
    }
    snprintf(root, sizeof(root), ".");
    return root;
}

void cmd_crash(void *arg)
{
    (void)arg;
    fflush(NULL);
    raise(SIGKILL);
}

int cmd_finish(const char *cmd, int rc)
{
    if (rc == 4 && ferror(stdout))
        return rc; /* reported already (a command that calls it, then main): one line */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cmd_error(cmd, "cannot write to standard output (%s)", strerror(errno));
        return 4;
    }
    return rc;
}

int cmd_out_open(struct cmd_out *out, const char *cmd, const char *path)
{
    struct lk_err err = LK_ERR_INIT;
    out->fp = stdout;
    if (strcmp(path, "-") == 0)
        return 0;
    if (lk_atomic_open(&out->a, path, &err) < 0)
        return cmd_fail(cmd, &err);
    out->fp = out->a.fp;
    return 0;
}

int cmd_out_close(struct cmd_out *out, const char *cmd, int rc, struct lk_err *err)
{
    if (rc == 0 && out->fp != stdout)
        rc = lk_atomic_commit(&out->a, err);
    if (rc < 0) {
        lk_atomic_abort(&out->a);
        return cmd_fail(cmd, err);
    }
    return 0;
}

void cmd_progress_init(struct cmd_progress *p, const char *cmd, const char *what, uint64_t total,
                       int quiet)
{
    p->cmd = cmd;
    p->what = what;
    p->total = total;
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->started = p->last = lk_wall_now();
}

static void progress_line(struct cmd_progress *p, uint64_t done, int final)
{
    double el = lk_wall_now() - p->started;
    double frac = p->total ? (double)done / (double)p->total : 0.0;
    if (frac > 1.0)
        frac = 1.0;
    if (p->tty) {
        int width = 30, fill = (int)(frac * width);
        fprintf(stderr, "\rlklab %s: %s [%.*s%*s] %3.0f%% %.1fs%s", p->cmd, p->what, fill,
                "##############################", width - fill, "", frac * 100.0, el,
                final ? "\n" : "");
    } else {
        fprintf(stderr, "lklab %s: %s %.0f%% (%llu of %llu) %.1fs\n", p->cmd, p->what, frac * 100.0,
                (unsigned long long)done, (unsigned long long)p->total, el);
    }
}

void cmd_progress_update(struct cmd_progress *p, uint64_t done)
{
    double now;
    if (p->quiet)
        return;
    now = lk_wall_now();
    if (now - p->last < (p->tty ? 0.2 : 5.0))
        return;
    p->last = now;
    progress_line(p, done, 0);
}

void cmd_progress_done(struct cmd_progress *p, uint64_t done)
{
    if (p->quiet || (!p->tty && lk_wall_now() - p->started < 5.0))
        return;
    progress_line(p, done, 1);
}

void cmd_progress_cb(void *arg, uint64_t done, uint64_t total)
{
    struct cmd_progress *p = arg;
    p->total = total;
    cmd_progress_update(p, done);
}

/* Run one subcommand in-process with a NULL-terminated argument list. */
int cmd_step(const char *cmd, int (*fn)(int, char **), const char *name, const char *title,
             const char *const *args, int quiet)
{
    char *argv[40];
    int argc = 0, rc;
    double t0 = lk_wall_now();
    argv[argc++] = (char *)(uintptr_t)name; /* getopt wants char *, and never writes */
    for (; args[argc - 1] && argc < 39; argc++)
        argv[argc] = (char *)(uintptr_t)args[argc - 1];
    argv[argc] = NULL;
    if (!quiet)
        fprintf(stderr, "lklab %s: %s ...\n", cmd, title);
    rc = fn(argc, argv);
    if (!quiet && rc == 0)
        fprintf(stderr, "lklab %s: %s done in %.1fs\n", cmd, title, lk_wall_now() - t0);
    if (rc != 0)
        cmd_error(cmd, "step '%s' failed (exit %d)", title, rc);
    return rc;
}

int cmd_spec_load(const char *pipeline, struct lk_spec *spec, char *path, size_t size,
                  struct lk_err *err)
{
    int rc = lk_spec_resolve(pipeline, cmd_root(), path, size, err);
    return rc < 0 ? rc : lk_spec_load(spec, path, err);
}

char *cmd_datasets_file(const char *arg, const char *dir, const char **shown)
{
    struct lk_buf b = LK_BUF_INIT;
    size_t len = strlen(arg), root = 0;
    char *path;
    if (strchr(arg, '/') || (len > 5 && strcmp(arg + len - 5, ".json") == 0)) {
        lk_buf_adds(&b, arg);
    } else {
        lk_buf_addf(&b, "%s/", cmd_root());
        root = b.len;
        lk_buf_addf(&b, "datasets/%s/%s.json", dir, arg);
    }
    path = lk_buf_detach(&b, NULL);
    if (shown)
        *shown = path + root;
    return path;
}

/* 1234 -> "1.2s", 90000 -> "1.5m": a latency in the unit that reads best. */
void cmd_human_ms(int64_t ms, char *buf, size_t size)
{
    static const struct {
        int64_t ms;
        const char *unit;
    } units[] = { { 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" } };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (ms >= units[i].ms) {
            snprintf(buf, size, "%.1f%s", (double)ms / (double)units[i].ms, units[i].unit);
            return;
        }
    }
    snprintf(buf, size, "%" PRId64 "ms", ms);
}
