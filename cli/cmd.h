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

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_atomic.h"
#include "lk_err.h"
#include "lk_kafka.h"

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
int cmd_export(int argc, char **argv);
int cmd_broker(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_cron(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_job(int argc, char **argv);

/* The jars lk_broker_start needs: ROOT/kafka/lib of this checkout (malloc'd; free it). */
char *cmd_broker_jars(void);

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

/*
 * The option loop of every subcommand, around getopt_long (opterr off; optind reset by
 * _init, so commands run one after another in-process, cmd_step, each parse afresh):
 *
 *   struct cmd_getopt go;
 *   cmd_getopt_init(&go, CMD, argc, argv, ":h", opts, help, CMD_NO_OPERANDS);
 *   while ((c = cmd_getopt_next(&go)) > 0)
 *       switch (c) { ... one case per option; a bad value: return 2 ... }
 *   if (c < 0)
 *       return go.rc;
 *
 * shortopts starts with ':' (a missing value is then told from an unknown option); an 'h'
 * in it makes -h the help too. Option vals must be > 0. cmd_getopt_next returns the next
 * option's val (its value in optarg), 0 when the options are over (GNU getopt has moved
 * the operands to argv[optind..argc-1]), or -1 when the command must return go.rc now:
 *   - the option named "help" in opts: help() has printed on stdout; rc 0 (cmd_finish);
 *   - an unknown option or one missing its value: one usage line (cmd_bad_option); rc 2;
 *   - CMD_NO_OPERANDS and an operand: "unexpected argument 'X'" as a usage line; rc 2.
 * With CMD_OPERANDS the command checks argv[optind..] itself.
 */
enum cmd_operands { CMD_NO_OPERANDS, CMD_OPERANDS };
struct cmd_getopt {
    const char *cmd;
    int argc;
    char **argv;
    const char *shortopts;
    const struct option *opts;
    void (*help)(void);
    enum cmd_operands operands;
    int rc; /* the exit code once cmd_getopt_next returned -1 */
};
void cmd_getopt_init(struct cmd_getopt *g, const char *cmd, int argc, char **argv,
                     const char *shortopts, const struct option *opts, void (*help)(void),
                     enum cmd_operands operands);
int cmd_getopt_next(struct cmd_getopt *g);

/*
 * Required options, as pairs of a name and the value parsed (NULL when not given), ended by
 * NULL: cmd_need_options(CMD, "--data", data, "--out", out, NULL). 0 when all are given,
 * else "missing NAME" for the first that is not, as a usage line, and 2.
 */
int cmd_need_options(const char *cmd, ...) __attribute__((sentinel));

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
 * An --out FILE ('-' for standard output) that appears only when complete (lk_atomic):
 *
 *   struct cmd_out out = CMD_OUT_INIT;
 *   if ((rc = cmd_out_open(&out, CMD, path)) != 0)
 *       return rc;
 *   rc = write_everything(out.fp, &err);
 *   return cmd_out_close(&out, CMD, rc, &err);
 *
 * cmd_out_open: 0 with out.fp to write to, or the exit code after one line (no directory
 * for FILE: 3). cmd_out_close takes what the writing returned (< 0 with err filled): 0 after
 * committing FILE, or the exit code after one line (cmd_fail), FILE removed. Standard output
 * is flushed and checked by cmd_finish, as always.
 */
struct cmd_out {
    FILE *fp;
    struct lk_atomic a;
};
#define CMD_OUT_INIT                                                                               \
    {                                                                                              \
        NULL, LK_ATOMIC_INIT                                                                       \
    }
int cmd_out_open(struct cmd_out *out, const char *cmd, const char *path);
int cmd_out_close(struct cmd_out *out, const char *cmd, int rc, struct lk_err *err);

/* --crash-after's end of the process (the engines' crash callback): flush, then SIGKILL. */
void cmd_crash(void *arg);

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
 * The spec a --pipeline value names (a name in ROOT/datasets/pipelines/ or a path,
 * lk_spec_resolve), loaded into spec; path (size bytes) gets the file it read. 0, or the
 * error in err.
 */
struct lk_spec;
int cmd_spec_load(const char *pipeline, struct lk_spec *spec, char *path, size_t size,
                  struct lk_err *err);

/*
 * A --pricing or --scenario value: a path (has '/' or ends in .json) as it is, or a name in
 * ROOT/datasets/DIR/ ("pricing", "scenarios"). Returns the path to open (malloc'd, free it);
 * *shown (when shown is not NULL) points into it at the path to print, without the root.
 */
char *cmd_datasets_file(const char *arg, const char *dir, const char **shown);

/* A duration for people: 1234 -> "1.2s", 90000 -> "1.5m", 500 -> "500ms". */
void cmd_human_ms(int64_t ms, char *buf, size_t size);

/* Callback form for library functions: arg is a struct cmd_progress. */
void cmd_progress_cb(void *arg, uint64_t done, uint64_t total);

/*
 * The live sources of kappa and lambda (cli/cmd_source.c, docs/live.md): --source
 * kafka://HOST:PORT/TOPIC or landing:DIR, --follow, --clock virtual|wall.
 */
struct cmd_source {
    const char *live; /* the --source value when live, else NULL */
    int follow;
    int wall;   /* --clock wall */
    char *data; /* what the engine opens (owned) */
};
#define CMD_SOURCE_INIT                                                                            \
    {                                                                                              \
        NULL, 0, 0, NULL                                                                           \
    }
int cmd_source_is_live(const char *value);
/* Parse --clock virtual|wall (lklab kappa, lambda, job) into *wall; 2 (one usage line) when bad. */
int cmd_source_clock(const char *cmd, const char *value, int *wall);
/*
 * After parsing: a live source becomes the engine's *data (and *files for landing:);
 * --data beside it, or --follow/--clock wall without it, is a usage error (returns 2).
 */
int cmd_source_apply(const char *cmd, struct cmd_source *s, const char **data, int *files);
/*
 * Before the run: landing:DIR with the virtual clock waits for the replay to finish.
 * 0, or the exit code after printing one line.
 */
int cmd_source_wait(const char *cmd, struct cmd_source *s);
void cmd_source_release(struct cmd_source *s);
/*
 * How far (wall seconds) the Kappa run RUN's last committed batch, or the Lambda run RUN's
 * last speed micro-batch, is behind the clock of the replay that writes url (read once
 * from its start record into clock), by their trigger times: 0, or -1 when not known yet
 * (no batch, no start record, a --speed max replay).
 */
struct cmd_source_clock {
    int have;
    struct lk_kafka_clock k;
};
int cmd_source_lag(const char *url, const char *run, struct cmd_source_clock *clock, double *lag);
/* A kp_progress_fn for a kafka:// run: the Kafka offsets consumed and the lag above. */
struct cmd_source_progress {
    struct cmd_progress p;
    const char *url, *run;
    struct cmd_source_clock clock;
};
void cmd_source_progress(void *arg, uint64_t done, uint64_t total);

/* A --speed value: "60x" -> 60, "max" -> 0; else one usage line and 2. */
int cmd_parse_speed(const char *cmd, const char *text, double *speed);

#endif
