/*
 * cmd - the lklab front end: one cmd_<name>(argc, argv) per subcommand (one file each),
 * dispatched by main.c, plus the few helpers every subcommand shares.
 *
 * Only cli/ prints messages and picks exit codes (docs/formats.md "Command-line conventions"):
 *   0 ok, 1 check failed, 2 usage, 3 bad input data, 4 I/O or internal error.
 * Errors go to stderr as "lklab <command>: <what> (<where>)"; --help goes to stdout.
 * Each cmd_<name> returns the process exit code.
 */
#ifndef CMD_H
#define CMD_H

#include <stdint.h>
#include <stdio.h>

#include "lk_err.h"

int cmd_gen(int argc, char **argv);
int cmd_truth(int argc, char **argv);
int cmd_kappa(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_cost(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_lambda(int argc, char **argv);
int cmd_latency(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_table(int argc, char **argv);

/* Print "lklab <cmd>: <message>" to stderr. */
void cmd_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print err's message (or its code's text) and return the matching exit code. */
int cmd_fail(const char *cmd, const struct lk_err *err);

/*
 * Usage error, one line on stderr: "lklab <cmd>: <message> (see 'lklab <cmd> --help')";
 * returns 2.
 */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long's error for argv[optind - 1] as one line (unknown option, missing
 * argument); returns 2. Call it when getopt_long returns '?' or ':'.
 */
int cmd_bad_option(const char *cmd, int argc, char **argv);

/* 0 when data names an existing file or directory, else one error line and exit code 3. */
int cmd_need_dataset(const char *cmd, const char *data);

/* Parse option values; on failure print one line naming the option and return 2. */
int cmd_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t min, uint64_t max,
                  uint64_t *out);
int cmd_parse_fraction(const char *cmd, const char *opt, const char *text, double *out);
int cmd_parse_duration(const char *cmd, const char *opt, const char *text, int64_t *out);

/*
 * Project root (the directory holding datasets/), found from the executable's path
 * (bin/lklab -> ..), else "." . Used to find named pipelines and scenarios.
 */
const char *cmd_root(void);

/* Flush stdout and turn a write failure into exit code 4 (jq's rule); returns rc or 4. */
int cmd_finish(const char *cmd, int rc);

/*
 * Progress on stderr for long work: a one-line bar redrawn in place when stderr is a
 * terminal, otherwise a line every few seconds; nothing when quiet.
 */
struct cmd_progress {
    const char *cmd;
    const char *what;
    uint64_t total;
    int tty;
    int quiet;
    double started, last;
};
void cmd_progress_init(struct cmd_progress *p, const char *cmd, const char *what, uint64_t total,
                       int quiet);
void cmd_progress_update(struct cmd_progress *p, uint64_t done);
void cmd_progress_done(struct cmd_progress *p, uint64_t done);
/*
 * Run one subcommand in-process (argv[0] = name, then args up to NULL), announcing
 * title on stderr unless quiet; a failure prints one line naming the step. Returns fn's
 * exit code.
 */
int cmd_step(const char *cmd, int (*fn)(int, char **), const char *name, const char *title,
             const char *const *args, int quiet);

/*
 * A --pricing value: a path (has '/' or ends in .json) or a name in datasets/pricing/.
 * buf gets the path to open, shown the path to print.
 */
void cmd_pricing_path(const char *arg, char *buf, size_t size, char *shown, size_t ssize);

/* A duration for people: 1234 -> "1.2s", 90000 -> "1.5m", 500 -> "500ms". */
void cmd_human_ms(int64_t ms, char *buf, size_t size);

/* Callback form for library functions: arg is a struct cmd_progress. */
void cmd_progress_cb(void *arg, uint64_t done, uint64_t total);

#endif
