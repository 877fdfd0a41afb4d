/*
 * The live parts without a broker (the checks with one are tests/live.sh, make live-test):
 * Kafka URLs, and the one-line usage errors of broker, replay and the --source options
 * (kappa and lambda).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lk_kafka.h"
#include "lk_test.h"
#include "banned.h"

Test(live_cli, a_kafka_url_splits_into_broker_and_topic)
{
    struct lk_err err = LK_ERR_INIT;
    char *b = NULL, *t = NULL;
    cr_assert_eq(lk_kafka_parse_url("kafka://127.0.0.1:9092/clicks", &b, &t, &err), 0);
    cr_assert_str_eq(b, "127.0.0.1:9092");
    cr_assert_str_eq(t, "clicks");
    free(b);
    free(t);
    cr_assert(lk_kafka_is_url("kafka://x:1/y"));
    cr_assert(!lk_kafka_is_url("out/ds"));
}

Test(live_cli, a_malformed_kafka_url_is_a_usage_error)
{
    static const char *const bad[] = { "kafka://",     "kafka://host/t",  "kafka://:1/t",
                                       "kafka://h:1/", "kafka://h:1/a/b", "kafka://h:1" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct lk_err err = LK_ERR_INIT;
        char *b = NULL, *t = NULL;
        cr_assert_eq(lk_kafka_parse_url(bad[i], &b, &t, &err), LK_EUSAGE, "%s", bad[i]);
        cr_assert(strstr(err.msg, "kafka://HOST:PORT/TOPIC"), "%s", err.msg);
    }
}

/* exit 2 and exactly one line on stderr containing want */
static void usage_line(const char *args, const char *want)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "%s", args), 2, "%s", args);
    cr_assert(strstr(err, want), "%s: %s", args, err);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "%s: more than one line: %s", args, err);
    free(err);
}

Test(live_cli, misuse_of_the_live_commands_is_one_line_and_exit_2)
{
    usage_line("broker start", "missing --dir");
    usage_line("broker restart --dir x", "unknown action 'restart'");
    usage_line("broker --dir x", "want one action");
    usage_line("replay --data x --to kafka://h:1/t --speed 0x", "bad value '0x' for --speed");
    usage_line("replay --data x --to kafka://h:1/t --speed fast", "bad value 'fast' for --speed");
    usage_line("replay --data x", "missing --to");
    usage_line("kappa --source kafka://h/t --pipeline revenue --out x", "bad Kafka URL");
    usage_line("kappa --data x --source kafka://h:1/t --pipeline revenue --out x", "drop --data");
    usage_line("kappa --data x --pipeline revenue --out x --follow", "--follow is for a live");
    usage_line("kappa --data x --pipeline revenue --out x --clock wall", "--clock wall is for");
    usage_line("kappa --source landing:d --follow --pipeline revenue --out x",
               "--follow is for kafka://");
    usage_line("kappa --source kafka://h:1/t --clock sundial --pipeline revenue --out x",
               "bad value 'sundial' for --clock");
    usage_line("job run x.json --out x --clock sundial", "bad value 'sundial' for --clock");
    usage_line("kappa --source landing:d --clock wall --pipeline revenue --out x",
               "--clock wall is for a kafka:// source");
    usage_line("kappa --source kafka://h:1/t --clock wall --workers 2 --pipeline revenue --out x",
               "--clock wall needs an interval --trigger and one worker");
    usage_line(
        "kappa --source kafka://h:1/t --clock wall --trigger once --pipeline revenue --out x",
        "--clock wall needs an interval --trigger and one worker");
    usage_line("serve --port 0", "missing --runs");
    usage_line("lambda --source kafka://h/t --pipeline revenue --out x", "bad Kafka URL");
    usage_line("lambda --data x --source kafka://h:1/t --pipeline revenue --out x", "drop --data");
    usage_line("lambda --data x --pipeline revenue --out x --follow", "--follow is for a live");
    usage_line("lambda --source landing:d --pipeline revenue --out x",
               "the Lambda stack reads a log");
    usage_line("lambda --source files --pipeline revenue --out x",
               "bad value 'files' for --source");
    usage_line("lambda --source kafka://h:1/t --clock wall --pipeline revenue --out x",
               "--clock wall is for lklab kappa");
    usage_line("lambda --source kafka://h:1/t --clock sundial --pipeline revenue --out x",
               "bad value 'sundial' for --clock");
    usage_line("lambda --source kafka://h:1/t --out x", "missing --pipeline");
    usage_line("serve --runs . --port 70000", "bad value '70000' for --port");
    usage_line("serve --runs . --bind localhost --port 0", "bad value 'localhost' for --bind");
    usage_line("live --web-port x", "--web-port");
}

Test(live_cli, a_replay_into_landing_needs_a_dataset)
{
    char *err = NULL, *dir = lkt_tmpdir("live-cli");
    cr_assert_eq(lkt_run(NULL, &err, "replay --data %s/none --to landing:%s/drops", dir, dir), 3);
    cr_assert(strstr(err, "none"), "%s", err);
    free(err);
    free(dir);
}
