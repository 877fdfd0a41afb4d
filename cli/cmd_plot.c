/* lklab plot: a sweep directory's charts, drawn by gnuplot from tidy data files (issue 5). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "pl_chart.h"
#include "pl_sweep.h"
#include "banned.h"

extern char **environ;

#define CMD "plot"
static const char usage_line[] = "lklab plot --sweep S [--out DIR] [--quiet]";

static void help(void)
{
    printf(
        "usage: %s\n\n"
        "Draws the charts of a sweep directory ('lklab sweep --out S', docs/sweep.md) with\n"
        "gnuplot, as PNG and SVG, next to the tidy data each one is drawn from:\n"
        "  latency    first-visible and correct latency vs trigger / batch period: each run's\n"
        "             p50 with a whisker to p99 (tick at p95), Kappa append and update and\n"
        "             Lambda; a percentile among never-correct events on a 'never' line\n"
        "  cost       monthly cost per run config, log axis, stacked by component (Lambda's\n"
        "             speed and batch clusters apart)\n"
        "  files      files written and mean file size vs trigger / batch period\n"
        "  watermark  watermark delay vs late-dropped %%, never-correct %% and max state rows\n"
        "  sawtooth   Lambda's speed-vs-batch discrepancy over time, batch landings marked\n"
        "  freshness  one window's answer over time in both stacks, and its true value\n"
        "A chart the sweep has no data for (e.g. no watermark sweep, no Lambda run) is\n"
        "skipped with a notice. Without gnuplot only the data files are written.\n"
        "The scripts are plots/<name>.gp; plots/README.md says how to run one by hand.\n\n"
        "  --sweep S    the sweep directory (reads S/sweep.csv, S/sweep.json, S/*.tsv)\n"
        "  --out DIR    where to write DIR/<name>.png, .svg and .tsv (default S/plots)\n  --quiet      do not list the files written (notices still go to stderr)\n"
        "  --help       this text\n\n"
        "exit: 0 ok (also when charts were skipped or gnuplot is missing), 2 usage,\n"
        "3 no sweep directory or a malformed sweep file, 4 I/O error or gnuplot failed\n",
        usage_line);
}

/* ---------------------------------------------------------------- gnuplot ---- */

static void oom(void)
{
    cmd_error(CMD, "out of memory");
    abort();
}

/* The first executable "gnuplot" on PATH (heap), or NULL. */
static char *find_gnuplot(void)
{
    const char *path = getenv("PATH");
    const char *p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    struct lk_buf b = LK_BUF_INIT;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        lk_buf_reset(&b);
        if (n == 0)
            lk_buf_adds(&b, "./gnuplot");
        else
            lk_buf_addf(&b, "%.*s/gnuplot", (int)n, p);
        if (lk_is_file(b.s) && access(b.s, X_OK) == 0)
            return lk_buf_detach(&b, NULL);
        p += n + (colon != NULL);
    }
    lk_buf_release(&b);
    return NULL;
}

/* s as a gnuplot single-quoted string (a quote inside is doubled) appended to fp. */
static void gp_string(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', fp);
        fputc(*s, fp);
    }
    fputc('\'', fp);
}

/* "data='...'; out='...'; note='...'" for gnuplot -e (heap). */
static char *gp_vars(const char *data, const char *out, const char *note)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        oom();
    fputs("data=", fp);
    gp_string(fp, data);
    fputs("; out=", fp);
    gp_string(fp, out);
    fputs("; note=", fp);
    gp_string(fp, note);
    if (fclose(fp) != 0)
        oom();
    return buf;
}

/* The last non-empty line of gnuplot's stderr (saved in errpath), for the error message. */
static void last_line(const char *errpath, char *buf, size_t size)
{
    char *text = NULL, *end, *start;
    size_t len;
    buf[0] = '\0';
    if (lk_file_read_all(errpath, (size_t)1 << 20, &text, &len, NULL) < 0)
        return;
    end = text + len;
    while (end > text && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
        end--;
    *end = '\0';
    start = strrchr(text, '\n');
    snprintf(buf, size, "%s", start ? start + 1 : text);
    free(text);
}

/*
 * gnuplot -e VARS SCRIPT, no shell: stdin and stdout /dev/null, stderr kept in errpath
 * and shown (its last line) only when gnuplot fails. Returns 0 or exit code 4.
 */
static int run_gnuplot(const char *gnuplot, char *vars, char *script, const char *errpath)
{
    posix_spawn_file_actions_t fa;
    char a0[] = "gnuplot", a1[] = "-e";
    char *argv[] = { a0, a1, vars, script, NULL };
    char line[600];
    pid_t pid;
    int st = 0, rc;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        cmd_error(CMD, "cannot run '%s' (%s)", gnuplot, strerror(rc));
        return 4;
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            cmd_error(CMD, "cannot wait for gnuplot (%s)", strerror(errno));
            return 4;
        }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        unlink(errpath);
        return 0;
    }
    last_line(errpath, line, sizeof(line));
    unlink(errpath);
    cmd_error(CMD, "gnuplot failed on '%s' (%s %d)%s%s", script, WIFEXITED(st) ? "exit" : "signal",
              WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), line[0] ? ": " : "", line);
    return 4;
}

/* ------------------------------------------------------------------ charts ---- */

struct plot {
    const char *sweep, *out;
    char *gnuplot; /* NULL when not on PATH (owned) */
    char *scripts; /* ROOT/plots (owned) */
    int quiet;     /* no list of the files written */
};

/* DIR/NAME.EXT (heap). */
static char *file_in(const char *dir, const char *name, const char *ext)
{
    struct lk_buf b = LK_BUF_INIT;
    lk_buf_addf(&b, "%s/%s.%s", dir, name, ext);
    return lk_buf_detach(&b, NULL);
}

static void remove_outputs(const char *out, const char *name)
{
    static const char *const ext[] = { "png", "svg", "tsv" };
    for (int i = 0; i < 3; i++) {
        char *path = file_in(out, name, ext[i]);
        unlink(path);
        free(path);
    }
}

/* The chart's data as text (heap, *len bytes); returns pl_chart_data's code. */
static int chart_text(enum pl_chart c, const struct pl_sweep *s, struct pl_chart_out *o, char **buf,
                      size_t *len, struct lk_err *err)
{
    FILE *fp = open_memstream(buf, len);
    int rc;
    if (!fp)
        oom();
    rc = pl_chart_data(c, s, fp, o, err);
    if (fclose(fp) != 0 && rc == 0)
        rc = lk_err_set(err, LK_EIO, "cannot buffer the data of chart '%s'", pl_chart_name(c));
    return rc;
}

static int write_file(const char *path, const char *data, size_t len, struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    int rc = lk_atomic_open(&a, path, err);
    if (rc < 0)
        return rc;
    a.durability = LK_DURABLE_PROCESS;
    fwrite(data, 1, len, a.fp);
    return lk_atomic_commit(&a, err);
}

/* Draw one chart in both formats; 0 or exit code 4. */
static int draw(const struct plot *p, const char *name, const char *tsv, const char *note)
{
    static const char *const ext[] = { "png", "svg" };
    char *script = file_in(p->scripts, name, "gp"), *errpath;
    struct lk_buf eb = LK_BUF_INIT;
    int rc = 0;
    lk_buf_addf(&eb, "%s/.%s.gnuplot-stderr", p->out, name);
    errpath = lk_buf_detach(&eb, NULL);
    if (!lk_is_file(script)) {
        cmd_error(CMD, "no gnuplot script '%s'", script);
        rc = 4;
    }
    for (int i = 0; i < 2 && rc == 0; i++) {
        char *img = file_in(p->out, name, ext[i]), *vars = gp_vars(tsv, img, note);
        rc = run_gnuplot(p->gnuplot, vars, script, errpath);
        free(vars);
        if (rc == 0 && !lk_is_file(img)) {
            cmd_error(CMD, "gnuplot wrote no '%s'", img);
            rc = 4;
        }
        free(img);
    }
    if (rc != 0) /* no half-drawn images left behind */
        for (int i = 0; i < 2; i++) {
            char *img = file_in(p->out, name, ext[i]);
            unlink(img);
            free(img);
        }
    free(script);
    free(errpath);
    return rc;
}

/* One chart: its data file, then its images. Returns 0 or an exit code. */
static int chart(const struct plot *p, const struct pl_sweep *s, enum pl_chart c)
{
    struct lk_err err = LK_ERR_INIT;
    struct pl_chart_out o;
    const char *name = pl_chart_name(c);
    char *tsv, *buf = NULL;
    size_t len = 0;
    int rc = chart_text(c, s, &o, &buf, &len, &err);
    remove_outputs(p->out, name);
    if (rc == PL_SKIP) {
        cmd_error(CMD, "skipped chart '%s': %s", name, o.why);
        free(buf);
        return 0;
    }
    tsv = file_in(p->out, name, "tsv");
    if (rc == 0)
        rc = write_file(tsv, buf, len, &err);
    free(buf);
    if (rc < 0)
        rc = cmd_fail(CMD, &err);
    else if (!p->gnuplot) {
        if (!p->quiet)
            printf("%-9s %s\n", name, tsv);
    } else if ((rc = draw(p, name, tsv, o.note)) == 0 && !p->quiet) {
        printf("%-9s %s/%s.png %s/%s.svg %s\n", name, p->out, name, p->out, name, tsv);
    }
    free(tsv);
    return rc;
}

static int plot(struct plot *p)
{
    struct lk_err err = LK_ERR_INIT;
    struct pl_sweep s = PL_SWEEP_INIT;
    struct lk_buf outbuf = LK_BUF_INIT, scripts = LK_BUF_INIT;
    int rc = 0;
    if (pl_sweep_load(&s, p->sweep, PL_SWEEP_COSTS, &err) < 0) {
        rc = cmd_fail(CMD, &err);
        goto out;
    }
    if (!p->out) {
        lk_buf_addf(&outbuf, "%s/plots", p->sweep);
        p->out = outbuf.s;
    }
    if (lk_mkdir_p(p->out, &err) < 0) {
        rc = cmd_fail(CMD, &err);
        goto out;
    }
    p->gnuplot = find_gnuplot();
    lk_buf_addf(&scripts, "%s/plots", cmd_root());
    p->scripts = scripts.s;
    for (int c = 0; c < PL_NCHARTS && rc == 0; c++)
        rc = chart(p, &s, (enum pl_chart)c);
    if (rc == 0 && !p->gnuplot)
        cmd_error(CMD,
                  "gnuplot not found; wrote the data files to %s (install gnuplot-nox to "
                  "draw them)",
                  p->out);
out:
    pl_sweep_release(&s);
    free(p->gnuplot);
    p->gnuplot = NULL;
    p->scripts = NULL;
    lk_buf_release(&scripts);
    lk_buf_release(&outbuf);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    static const struct option opts[] = {
        { "sweep", required_argument, NULL, 's' },
        { "out", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cmd_getopt go;
    struct plot p;
    int c;
    memset(&p, 0, sizeof(p));
    cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
    while ((c = cmd_getopt_next(&go)) > 0) {
        switch (c) {
        case 's':
            p.sweep = optarg;
            break;
        case 'o':
            p.out = optarg;
            break;
        case 'q':
            p.quiet = 1;
            break;
        }
    }
    if (c < 0)
        return go.rc;
    if (!p.sweep)
        return cmd_usage_error(CMD, "missing --sweep S");
    return cmd_finish(CMD, plot(&p));
}
