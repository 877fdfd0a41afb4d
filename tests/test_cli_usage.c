/*
 * End-to-end: the real bin/lklab on a mistyped command or pipeline name: one line naming
 * the problem and the nearest name (exit 2), never the whole usage or a missing file.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lk_file.h"
#include "lk_test.h"
#include "banned.h"

Test(cli_usage, an_unknown_command_is_one_line_naming_the_nearest_command)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq(lkt_run(&out, &err, "kapa"), 2);
    cr_assert_str_eq(err,
                     "lklab: unknown command 'kapa' (did you mean 'kappa'? see 'lklab --help')\n");
    cr_assert_str_eq(out, "");
    free(out);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "lamdba --data x"), 2);
    cr_assert_str_eq(err, "lklab: unknown command 'lamdba' (did you mean 'lambda'? "
                          "see 'lklab --help')\n");
    free(err);
}

Test(cli_usage, an_unknown_command_far_from_every_command_suggests_nothing)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "frobnicate"), 2);
    cr_assert_str_eq(err, "lklab: unknown command 'frobnicate' (see 'lklab --help')\n");
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "--verbose"), 2);
    cr_assert_str_eq(err, "lklab: unknown option '--verbose' (see 'lklab --help')\n");
    free(err);
}

Test(cli_usage, no_command_prints_the_usage_and_help_exits_0)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq(lkt_run(&out, &err, "%s", ""), 2);
    cr_assert(strstr(err, "usage: lklab <command>") && strstr(err, "  kappa "), "%s", err);
    free(out);
    free(err);
    cr_assert_eq(lkt_run(&out, &err, "--help"), 0);
    cr_assert(strstr(out, "usage: lklab <command>"), "%s", out);
    cr_assert_str_eq(err, "");
    free(out);
    free(err);
}

static const char *const list = "pipelines: revenue, sessions, sliding; or a path to a spec .json";

Test(cli_usage, an_unknown_pipeline_lists_the_pipelines_and_leaves_no_output)
{
    char *dir = lkt_tmpdir("usage-pipeline"), *out = lkt_fmt("%s/r.csv", dir), *err = NULL;
    char *data = lkt_fmt("%s/datasets/fixtures/tiny.jsonl", lkt_root()), *want;
    char *k = lkt_fmt("%s/k", dir), *l = lkt_fmt("%s/l", dir);
    cr_assert_eq(lkt_run(NULL, &err, "truth --data %s --pipeline revnue --out %s", data, out), 2);
    want = lkt_fmt("lklab truth: unknown pipeline 'revnue' (did you mean 'revenue'? %s)\n", list);
    cr_assert_str_eq(err, want);
    cr_assert_neq(access(out, F_OK), 0, "no output file");
    free(want);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "kappa --data %s --pipeline zzz --out %s", data, k), 2);
    want = lkt_fmt("lklab kappa: unknown pipeline 'zzz' (%s)\n", list);
    cr_assert_str_eq(err, want);
    free(want);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "lambda --data %s --pipeline slidng --out %s", data, l), 2);
    want = lkt_fmt("lklab lambda: unknown pipeline 'slidng' (did you mean 'sliding'? %s)\n", list);
    cr_assert_str_eq(err, want);
    cr_assert(!lk_is_dir(k) && !lk_is_dir(l), "no run directory is left behind");
    free(want);
    free(err);
    free(k);
    free(l);
    free(data);
    free(out);
    free(dir);
}

Test(cli_usage, the_pipeline_list_is_read_from_the_pipelines_directory)
{
    char *root = lkt_tmpdir("usage-root"), *pipes = lkt_fmt("%s/datasets/pipelines", root);
    char *err = NULL, *a, *b;
    cr_assert_eq(lk_mkdir_p(pipes, NULL), 0);
    a = lkt_fmt("%s/alpha.json", pipes);
    b = lkt_fmt("%s/beta.json", pipes);
    lkt_write(a, "{}");
    lkt_write(b, "{}");
    setenv("LKLAB_ROOT", root, 1);
    cr_assert_eq(lkt_run(NULL, &err, "truth --data x --pipeline alpa --out -"), 2);
    cr_assert_str_eq(err, "lklab truth: unknown pipeline 'alpa' (did you mean 'alpha'? pipelines: "
                          "alpha, beta; or a path to a spec .json)\n");
    free(err);
    free(a);
    free(b);
    free(pipes);
    free(root);
}

Test(cli_usage, a_missing_spec_path_is_still_bad_input_naming_it)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "truth --data x --pipeline out/none/revnue.json --out -"), 3);
    cr_assert(strstr(err, "'out/none/revnue.json'") && !strstr(err, "pipelines:"), "%s", err);
    free(err);
}

Test(cli_usage, every_command_help_ends_with_examples_of_that_command)
{
    static const char *const cmds[] = { "gen",       "truth", "kappa",   "lambda", "results",
                                        "reconcile", "cost",  "latency", "sweep",  "plot",
                                        "report",    "lab",   "table",   "demo",   "export" };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        char *out = NULL, *want = lkt_fmt("\nexamples:\n  lklab %s", cmds[i]), *at;
        cr_assert_eq(lkt_run(&out, NULL, "%s --help", cmds[i]), 0, "%s --help", cmds[i]);
        at = strstr(out, want);
        cr_assert(at && strchr(" \n", at[strlen(want)]), "%s --help has no examples:\n%s", cmds[i],
                  out);
        free(want);
        free(out);
    }
}

/* One usage line on stderr, nothing on stdout, exit 2. */
static void expect_usage_line(const char *cmd, const char *args, const char *what)
{
    char *out = NULL, *err = NULL;
    char *want = lkt_fmt("lklab %s: %s (see 'lklab %s --help')\n", cmd, what, cmd);
    const char *sub = strcmp(cmd, "export") == 0                             ? "spark "
                      : strcmp(cmd, "lab") == 0 || strcmp(cmd, "table") == 0 ? "list "
                                                                             : "";
    cr_assert_eq(lkt_run(&out, &err, "%s %s%s", cmd, sub, args), 2, "%s %s%s", cmd, sub, args);
    cr_assert_str_eq(err, want);
    cr_assert_str_eq(out, "");
    free(want);
    free(out);
    free(err);
}

/* --help, a bad option and (without operands) a stray argument for each of cmds (to NULL). */
static void expect_the_conventions(const char *const *cmds, int operands)
{
    for (; *cmds; cmds++) {
        char *out = NULL, *err = NULL, *name = lkt_fmt("lklab %s", *cmds);
        cr_assert_eq(lkt_run(&out, &err, "%s --help", *cmds), 0, "%s --help", *cmds);
        cr_assert(strstr(out, name), "%s --help:\n%s", *cmds, out);
        cr_assert_str_eq(err, "");
        free(err);
        { /* -h is the same help, in every command */
            char *h_out = NULL;
            cr_assert_eq(lkt_run(&h_out, &err, "%s -h", *cmds), 0, "%s -h: %s", *cmds, err);
            cr_assert_str_eq(h_out, out, "%s -h", *cmds);
            free(h_out);
            free(err);
        }
        free(name);
        free(out);
        expect_usage_line(*cmds, "--no-such-option", "unknown option '--no-such-option'");
        expect_usage_line(*cmds, "-Z", "bad option '-Z'");
        expect_usage_line(*cmds, "--help=yes",
                          "option '--help=yes' is missing its value or has a bad one");
        if (!operands) /* demo and live too: they stop here, before they start anything */
            expect_usage_line(*cmds, "stray", "unexpected argument 'stray'");
    }
}

Test(cli_usage, every_command_words_help_bad_options_and_stray_arguments_alike)
{
    static const char *const no_operands[] = { "gen",    "truth",   "kappa", "lambda", "results",
                                               "cost",   "latency", "sweep", "plot",   "report",
                                               "export", "replay",  "live",  "demo",   NULL };
    /* these check their operands themselves (subcommands, files, runs) */
    static const char *const operands[] = { "reconcile", "lab",  "table", "job",
                                            "broker",    "cron", "serve", NULL };
    expect_the_conventions(no_operands, 0);
    expect_the_conventions(operands, 1);
}
