/*
 * lklab lab on the fixture labs of tests/fixtures/labs (README there): list, the per-student
 * seed (FNV-1a 64 of "ID/NN" mod 2^31 + 1, values computed by hand with another
 * implementation), check with the solution / untouched / hand-written answers, a question
 * check.sh forgets, bad answers files, answer's printing, and handout.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lk_test.h"
#include "banned.h"

static char *labs_opt(void)
{
    return lkt_fmt("--labs %s/tests/fixtures/labs", lkt_root());
}

Test(cli_lab, list_shows_number_title_and_summary)
{
    char *l = labs_opt(), *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "lab list %s", l), 0);
    cr_assert_str_eq(out, "01  Tiny — a fixture lab for the tests\n"
                          "02  Silent — check.sh forgets q2\n"
                          "03  Params — per-student dataset options and parameters, notes, "
                          "the cache\n");
    free(out);
    free(l);
}

Test(cli_lab, data_seed_is_fnv1a_of_student_and_lab)
{
    char *dir = lkt_tmpdir("lab-seed"), *l = labs_opt(), *out = NULL;
    /* python: h = FNV-1a 64("alice/01"); h % 2**31 + 1 */
    cr_assert_eq(lkt_run(NULL, NULL, "lab data 01 %s --student alice --out %s/a", l, dir), 0);
    cr_assert_eq(lkt_run(&out, NULL, "lab answer %s/a/manifest.json seed", dir), 0);
    cr_assert_str_eq(out, "222913260\n");
    free(out);
    cr_assert_eq(lkt_run(NULL, NULL, "lab data 1 %s --student bob --out %s/b", l, dir), 0);
    cr_assert_eq(lkt_run(&out, NULL, "lab answer %s/b/manifest.json seed", dir), 0);
    cr_assert_str_eq(out, "979562935\n");
    free(out);
    /* and the lab's dataset options reached the generator */
    cr_assert_eq(lkt_run(&out, NULL, "lab answer %s/b/manifest.json parameters.partitions", dir),
                 0);
    cr_assert_str_eq(out, "2\n");
    free(out);
    free(l);
    free(dir);
}

/* lab data 03 for student into dir/sub: its events (manifest) and lab.env's parameters. */
static void expect_picks(const char *dir, const char *student, const char *sub, const char *events,
                         const char *params)
{
    char *l = labs_opt(), *out = NULL, *env, *want = lkt_fmt("\n%s\n", params);
    cr_assert_eq(
        lkt_run(&out, NULL, "lab data 03 %s --student %s --out %s/%s", l, student, dir, sub), 0);
    free(out);
    env = lkt_slurpf("%s/%s/lab.env", dir, sub);
    cr_assert(strstr(env, want), "%s: %s", student, env);
    free(env);
    cr_assert_eq(lkt_run(&out, NULL, "lab answer %s/%s/manifest.json parameters.events", dir, sub),
                 0);
    cr_assert_eq(strcspn(out, "\n"), strlen(events), "%s: %s", student, out);
    cr_assert(strncmp(out, events, strlen(events)) == 0, "%s: %s", student, out);
    free(out);
    free(want);
    free(l);
}

Test(cli_lab, dataset_options_and_parameters_given_as_lists_or_ranges_are_picked_per_student)
{
    char *dir = lkt_tmpdir("lab-params"), *l = labs_opt(), *out = NULL, *env;
    /* python: seed = FNV-1a 64("alice/03") % 2**31 + 1 = 222914130; each list's item
     * FNV-1a 64("222914130/NAME") % len: events 200, CRASH 9, MODE b (bob: 400, 3, a); the
     * range WAIT 10..99: 10 + FNV-1a 64("222914130/WAIT") % 90 = 21 (bob: 90) */
    expect_picks(dir, "alice", "a", "200", "CRASH=9\nMODE=b\nSAME=1\nWAIT=21");
    expect_picks(dir, "bob", "b", "400", "CRASH=3\nMODE=a\nSAME=1\nWAIT=90");
    cr_assert_eq(lkt_run(&out, NULL, "lab data 03 %s --student alice --out %s/a", l, dir), 0);
    cr_assert(strstr(out, "your dataset: --events 200\n"), "%s", out);
    cr_assert(strstr(out, "your parameters: CRASH=9 MODE=b SAME=1 WAIT=21\n"), "%s", out);
    free(out);
    /* a lab without parameters still gets a lab.env (a README can always load it) */
    cr_assert_eq(lkt_run(NULL, NULL, "lab data 01 %s --student bob --out %s/c", l, dir), 0);
    env = lkt_slurpf("%s/c/lab.env", dir);
    cr_assert(env[0] == '#' && strchr(env, '\n') == env + strlen(env) - 1, "%s", env);
    free(env);
    free(l);
    free(dir);
}

/* A range that is not {"min": A, "max": B} of whole numbers, A <= B, and other bad values. */
Test(cli_lab, a_bad_setting_in_lab_json_is_exit_3_in_one_line_naming_it)
{
    static const char *const bad[] = { "{ \"min\": 9, \"max\": 3 }", "{ \"min\": 1.5, \"max\": 3 }",
                                       "{ \"min\": 1 }", "[]", "\"a b\"" };
    char *dir = lkt_tmpdir("lab-bad"), *cmd, *err = NULL;
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        cmd = lkt_fmt("rm -rf %s/labs && cp -r %s/tests/fixtures/labs %s/labs && sed -i "
                      "'s/\"WAIT\": { \"min\": 10, \"max\": 99 }/\"WAIT\": %s/' "
                      "%s/labs/03-params/lab.json && grep -qF '\"WAIT\": %s' "
                      "%s/labs/03-params/lab.json",
                      dir, lkt_root(), dir, bad[i], dir, bad[i], dir);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        free(cmd);
        cr_assert_eq(
            lkt_run(NULL, &err, "lab data 03 --labs %s/labs --student alice --out %s/d", dir, dir),
            3, "%s", bad[i]);
        cr_assert(strstr(err, "params \"WAIT\" must be a number"), "%s: %s", bad[i], err);
        cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "%s", err);
        free(err);
    }
    /* a concept choice must name a question of the lab */
    cmd = lkt_fmt("rm -rf %s/labs && cp -r %s/tests/fixtures/labs %s/labs && sed -i "
                  "'s/\"title\": \"Params\",/\"title\": \"Params\", \"concept_choice\": \"q9\",/' "
                  "%s/labs/03-params/lab.json && grep -q q9 %s/labs/03-params/lab.json",
                  dir, lkt_root(), dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
    cr_assert_eq(lkt_run(NULL, &err, "lab list --labs %s/labs", dir), 3);
    cr_assert(strstr(err, "\"concept_choice\" must be the id of one of its questions\n"), "%s",
              err);
    free(err);
    free(dir);
}

Test(cli_lab, notes_show_under_their_question_and_measurements_are_reused_until_check_changes)
{
    char *dir = lkt_tmpdir("lab-notes"), *out = NULL, *again = NULL, *cmd, *path;
    const char *pid;
    /* a copy of the fixture labs, so that check.sh can be edited */
    cmd = lkt_fmt("cp -r %s/tests/fixtures/labs %s/labs", lkt_root(), dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    cr_assert_eq(lkt_run(&out, NULL,
                         "lab check 03 --labs %s/labs --student alice "
                         "--use-solution --work %s/w",
                         dir, dir),
                 0, "%s", out);
    cr_assert(strncmp(out, "pass q1\n    measured by ", strlen("pass q1\n    measured by ")) == 0,
              "%s", out);
    cr_assert(strstr(out, "\n      indented\npass q2\n2/2 passed\n"), "%s", out);
    /* graded again: the measurement is reused (the same measuring process) */
    cr_assert_eq(lkt_run(&again, NULL,
                         "lab check 03 --labs %s/labs --student alice "
                         "--use-solution --work %s/w",
                         dir, dir),
                 0);
    cr_assert_str_eq(again, out);
    free(again);
    /* check.sh changes: measured again */
    path = lkt_fmt("%s/labs/03-params/check.sh", dir);
    cmd = lkt_fmt("echo '# changed' >> %s", path);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lkt_run(&again, NULL,
                         "lab check 03 --labs %s/labs --student alice "
                         "--use-solution --work %s/w",
                         dir, dir),
                 0);
    pid = strstr(out, "measured by ");
    cr_assert(pid && !strstr(again, pid), "%s", again);
    free(again);
    free(cmd);
    free(path);
    free(out);
    free(dir);
}

Test(cli_lab, an_unknown_lab_is_one_line_saying_where_to_look_once)
{
    char *l = labs_opt(), *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "lab check 99 %s", l), 2);
    cr_assert(strstr(err, "no lab '99'") && strstr(err, "(see 'lklab lab list')\n"), "%s", err);
    cr_assert(!strstr(err, "--help"), "%s", err);
    cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "one line: %s", err);
    free(err);
    free(l);
}

Test(cli_lab, the_solution_passes_and_untouched_answers_fail_with_hints)
{
    char *dir = lkt_tmpdir("lab-check"), *l = labs_opt(), *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "lab check 01 %s --use-solution --work %s", l, dir), 0);
    cr_assert_str_eq(out, "pass q1\npass q2\n2/2 passed\n");
    free(out);
    cr_assert_eq(lkt_run(&out, NULL, "lab check 01 %s --work %s", l, dir), 1);
    /* check.sh's own hint for q1; lab.json's when check.sh gives none (q2) */
    cr_assert_str_eq(out, "FAIL q1: check.sh hint for q1\nFAIL q2: lab.json hint for q2\n"
                          "0/2 passed\n");
    free(out);
    free(l);
    free(dir);
}

Test(cli_lab, hand_written_answers_are_graded_on_the_students_own_data)
{
    char *dir = lkt_tmpdir("lab-answers"), *l = labs_opt(), *out = NULL, *path, *text;
    /* the data of student carol, made by lklab gen directly with the seed computed by hand */
    cr_assert_eq(lkt_run(NULL, NULL,
                         "gen --quiet --scenario clickstream --events 300 "
                         "--partitions 2 --late-frac 0.1 --span 1h --seed 1788660877 "
                         "--out %s/ds",
                         dir),
                 0);
    cr_assert_eq(lkt_run(&out, NULL, "lab answer %s/ds/manifest.json counts.lines", dir), 0);
    path = lkt_fmt("%s/answers.json", dir);
    text = lkt_fmt("{\"q1\": %.*s, \"q2\": \"01-tiny\"}\n", (int)strcspn(out, "\n"), out);
    lkt_write(path, text);
    free(out);
    cr_assert_eq(lkt_run(&out, NULL,
                         "lab check 01-tiny %s --student carol --answers %s --work "
                         "%s/w",
                         l, path, dir),
                 0, "%s", out);
    cr_assert_str_eq(out, "pass q1\npass q2\n2/2 passed\n");
    free(out);
    /* the same answers are wrong for another student */
    cr_assert_eq(lkt_run(&out, NULL, "lab check 01 %s --student dave --answers %s --work %s/w2", l,
                         path, dir),
                 1);
    cr_assert(strstr(out, "FAIL q1: check.sh hint for q1\npass q2\n1/2 passed\n"), "%s", out);
    free(out);
    free(text);
    free(path);
    free(l);
    free(dir);
}

Test(cli_lab, a_question_check_sh_does_not_report_counts_as_failed)
{
    char *dir = lkt_tmpdir("lab-silent"), *l = labs_opt(), *out = NULL, *err = NULL;
    cr_assert_eq(lkt_run(&out, &err, "lab check 02 %s --use-solution --work %s", l, dir), 1);
    cr_assert_str_eq(out, "pass q1\nFAIL q2: lab.json hint for q2\n1/2 passed\n");
    cr_assert(strstr(err, "check.sh exited 3"), "%s", err);
    free(out);
    free(err);
    free(l);
    free(dir);
}

Test(cli_lab, bad_answers_files_are_exit_3_naming_the_file)
{
    char *dir = lkt_tmpdir("lab-bad"), *l = labs_opt(), *err = NULL, *path;
    path = lkt_fmt("%s/broken.json", dir);
    lkt_write(path, "{\"q1\": 3,");
    cr_assert_eq(lkt_run(NULL, &err, "lab check 01 %s --answers %s --work %s", l, path, dir), 3);
    cr_assert(strstr(err, path) && strstr(err, "not valid JSON"), "%s", err);
    free(err);
    lkt_write(path, "[1, 2]");
    cr_assert_eq(lkt_run(NULL, &err, "lab check 01 %s --answers %s --work %s", l, path, dir), 3);
    cr_assert(strstr(err, "must be a JSON object"), "%s", err);
    free(err);
    cr_assert_eq(
        lkt_run(NULL, &err, "lab check 01 %s --answers %s/none.json --work %s", l, dir, dir), 3);
    cr_assert(strstr(err, "none.json"), "%s", err);
    free(err);
    free(path);
    free(l);
    free(dir);
}

static void expect_answer(const char *file, const char *key, int rc, const char *want)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "lab answer %s %s", file, key), rc, "key %s", key);
    cr_assert_str_eq(out, want, "key %s", key);
    free(out);
}

Test(cli_lab, answer_prints_values_as_written)
{
    char *dir = lkt_tmpdir("lab-answer"), *path = lkt_fmt("%s/a.json", dir), *err = NULL;
    lkt_write(path, "{\"int\": 42, \"neg\": -7, \"frac\": 12.5, \"tenth\": 0.1, \"exp\": 1e3,"
                    " \"text\": \"offsets/5\", \"none\": null, \"yes\": true,"
                    " \"nested\": {\"batches\": 151}, \"a.b\": \"dotted key\"}");
    expect_answer(path, "int", 0, "42\n");
    expect_answer(path, "neg", 0, "-7\n");
    expect_answer(path, "frac", 0, "12.5\n");
    expect_answer(path, "tenth", 0, "0.1\n");
    expect_answer(path, "exp", 0, "1000\n");
    expect_answer(path, "text", 0, "offsets/5\n");
    expect_answer(path, "yes", 0, "true\n");
    expect_answer(path, "nested.batches", 0, "151\n");
    expect_answer(path, "a.b", 0, "dotted key\n");
    expect_answer(path, "none", 1, "");
    expect_answer(path, "missing", 1, "");
    expect_answer(path, "nested.missing", 1, "");
    lkt_write(path, "{\"q1\": ");
    cr_assert_eq(lkt_run(NULL, &err, "lab answer %s q1", path), 3);
    cr_assert(strstr(err, path), "%s", err);
    free(err);
    free(path);
    free(dir);
}

Test(cli_lab, handout_leaves_out_solutions_and_refuses_a_non_empty_dir)
{
    char *dir = lkt_tmpdir("lab-handout"), *l = labs_opt(), *p, *err = NULL;
    struct stat st;
    cr_assert_eq(lkt_run(NULL, NULL, "lab handout %s %s/h", l, dir), 0);
    p = lkt_fmt("%s/h/01-tiny/check.sh", dir);
    cr_assert(stat(p, &st) == 0 && (st.st_mode & 0100), "check.sh copied and executable");
    free(p);
    p = lkt_fmt("%s/h/01-tiny/answers.json", dir);
    cr_assert(stat(p, &st) == 0);
    free(p);
    p = lkt_fmt("%s/h/01-tiny/solution", dir);
    cr_assert(stat(p, &st) != 0, "no solution/ in the handout");
    free(p);
    p = lkt_fmt("%s/h/02-silent/solution", dir);
    cr_assert(stat(p, &st) != 0, "no solution/ in the handout");
    free(p);
    cr_assert_eq(lkt_run(NULL, &err, "lab handout %s %s/h", l, dir), 2);
    cr_assert(strstr(err, "refusing"), "%s", err);
    free(err);
    free(l);
    free(dir);
}

Test(cli_lab, usage_errors_are_exit_2)
{
    char *l = labs_opt();
    cr_assert_eq(lkt_run(NULL, NULL, "lab"), 2);
    cr_assert_eq(lkt_run(NULL, NULL, "lab grade 01"), 2);
    cr_assert_eq(lkt_run(NULL, NULL, "lab check 07 %s", l), 2);
    cr_assert_eq(lkt_run(NULL, NULL, "lab check 01 %s --student 'a b'", l), 2);
    cr_assert_eq(lkt_run(NULL, NULL, "lab list %s --use-solution", l), 2);
    cr_assert_eq(lkt_run(NULL, NULL, "lab answer onlyfile"), 2);
    cr_assert_eq(lkt_run(NULL, NULL, "lab --help"), 0);
    free(l);
}

/* tests/labs-readme.sh: 0 when every sh block runs, else it names the failing block. */
static int readme_runner(const char *dir, char **err)
{
    char *cmd = lkt_fmt("cd %s && tests/labs-readme.sh %s >/dev/null 2>out/readme-%d.err",
                        lkt_root(), dir, (int)getpid());
    char *path = lkt_fmt("%s/out/readme-%d.err", lkt_root(), (int)getpid());
    int st = system(cmd);
    *err = lkt_slurp(path);
    remove(path);
    free(path);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli_lab, the_readme_runner_runs_sh_blocks_and_names_the_one_that_fails)
{
    char *err = NULL;
    cr_assert_eq(readme_runner("tests/fixtures/labs/01-tiny", &err), 0, "%s", err);
    free(err);
    cr_assert_eq(readme_runner("tests/fixtures/labs-readme-fail", &err), 1);
    cr_assert(strstr(err, "block 2 (line 8) failed with exit 1"), "%s", err);
    free(err);
}
