#define _DEFAULT_SOURCE /* usleep */
/* lklab job end to end: spec errors, cycles, run_if and a webhook, for_each, retries,
 * timeouts, schedules, file arrival, determinism. Expected values are hand-computed. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lk_test.h"

/* Every heap string a test makes is kept here and freed when the test ends (make asan). */
static char *kept[512];
static size_t nkept;
static char *K(char *p)
{
    if (p && nkept < sizeof(kept) / sizeof(kept[0]))
        kept[nkept++] = p;
    return p;
}
static void release(void)
{
    while (nkept)
        free(kept[--nkept]);
}
static int run_keep(int rc, char **out, char **err)
{
    if (out)
        K(*out);
    if (err)
        K(*err);
    return rc;
}
#define FMT(...) K(lkt_fmt(__VA_ARGS__))
#define SLURPF(...) K(lkt_slurpf(__VA_ARGS__))
#define RUN(o, e, ...) run_keep(lkt_run(o, e, __VA_ARGS__), o, e)
TestSuite(jb_spec, .fini = release);
TestSuite(jb_run, .fini = release);

static char *job_file(const char *dir, const char *json)
{
    char *p = FMT("%s/job.json", dir);
    lkt_write(p, json);
    return p;
}

static long long q(const char *dir, const char *sql)
{
    long long v = -1;
    char *cmd = lkt_fmt("sqlite3 %s/out/system.db \"%s\"", dir, sql);
    FILE *fp = popen(cmd, "r");
    if (fp && fscanf(fp, "%lld", &v) != 1)
        v = -1;
    if (fp)
        pclose(fp);
    free(cmd);
    return v;
}

Test(jb_spec, unknown_field_and_bad_run_if_name_the_field)
{
    char *dir = K(lkt_tmpdir("jb-spec")), *err = NULL;
    char *p = job_file(dir, "{\"name\":\"j\",\"tasks\":[{\"name\":\"a\",\"shell\":\"true\","
                            "\"retrys\":2}]}");
    cr_assert_eq(RUN(NULL, &err, "job validate %s", p), 3);
    cr_assert(strstr(err, "tasks[0]: unknown field 'retrys'"), "%s", err);
    p = job_file(dir, "{\"name\":\"j\",\"tasks\":[{\"name\":\"a\",\"shell\":\"true\","
                      "\"run_if\":\"sometimes\"}]}");
    cr_assert_eq(RUN(NULL, &err, "job validate %s", p), 3);
    cr_assert(strstr(err, "tasks.a: run_if 'sometimes'"), "%s", err);
}

/* A start before 1970 would leave the audit tables without times: refused in one line. */
Test(jb_spec, a_start_before_1970_is_refused)
{
    char *dir = K(lkt_tmpdir("jb-1969")), *err = NULL;
    char *p = job_file(dir, "{\"name\":\"j\",\"trigger\":{\"kind\":\"manual\","
                            "\"start\":\"1969-12-31T23:59:50Z\"},"
                            "\"tasks\":[{\"name\":\"a\",\"shell\":\"true\"}]}");
    cr_assert_eq(RUN(NULL, &err, "job validate %s", p), 3);
    cr_assert(strstr(err, "trigger.start: '1969-12-31T23:59:50Z' is before 1970"), "%s", err);
    p = job_file(dir, "{\"name\":\"j\",\"tasks\":[{\"name\":\"a\",\"shell\":\"true\"}]}");
    cr_assert_eq(RUN(NULL, &err, "job run %s --out %s/out --start 1969-12-31T23:59:50Z", p, dir),
                 2);
    cr_assert(strstr(err, "an instant from 1970 on"), "%s", err);
}

Test(jb_spec, a_cycle_is_refused_naming_it)
{
    char *dir = K(lkt_tmpdir("jb-cycle")), *err = NULL;
    char *p = job_file(dir, "{\"name\":\"j\",\"tasks\":["
                            "{\"name\":\"a\",\"shell\":\"true\",\"depends_on\":[\"c\"]},"
                            "{\"name\":\"b\",\"shell\":\"true\",\"depends_on\":[\"a\"]},"
                            "{\"name\":\"c\",\"shell\":\"true\",\"depends_on\":[\"b\"]}]}");
    cr_assert_eq(RUN(NULL, &err, "job validate %s", p), 3);
    cr_assert(strstr(err, "depends_on: cycle a -> c -> b -> a"), "%s", err);
}

/* A tiny HTTP receiver: python3 answers 200 and appends each POST body to a file. */
static pid_t receiver(const char *dir, int *port)
{
    char *script = FMT("%s/recv.py", dir), *portfile = FMT("%s/port", dir);
    pid_t pid;
    lkt_write(script, "import http.server, sys\n"
                      "class H(http.server.BaseHTTPRequestHandler):\n"
                      "    def do_POST(self):\n"
                      "        n = int(self.headers['Content-Length'])\n"
                      "        open(sys.argv[1], 'ab').write(self.rfile.read(n) + b'\\n')\n"
                      "        self.send_response(200); self.end_headers()\n"
                      "    def log_message(self, *a): pass\n"
                      "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
                      "open(sys.argv[2] + '.tmp', 'w').write(str(s.server_address[1]))\n"
                      "import os; os.rename(sys.argv[2] + '.tmp', sys.argv[2])\n"
                      "s.serve_forever()\n");
    pid = fork();
    if (pid == 0) {
        char *got = FMT("%s/got.jsonl", dir);
        execlp("python3", "python3", script, got, portfile, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        char *t = K(lkt_slurp(portfile));
        if (t) {
            *port = atoi(t);
            return pid;
        }
        usleep(50000);
    }
    kill(pid, SIGTERM);
    cr_assert_fail("the receiver did not start");
    return pid;
}

Test(jb_run, a_failing_task_runs_its_failed_branch_and_a_webhook)
{
    char *dir = K(lkt_tmpdir("jb-runif")), *got;
    int port = 0;
    pid_t pid = receiver(dir, &port);
    char *p =
        job_file(dir, FMT("{\"name\":\"j\",\"notify\":{\"webhooks\":[\"http://127.0.0.1:%d/hook\","
                          "\"http://127.0.0.1:1/closed\"],\"file\":\"notes.jsonl\"},\"tasks\":["
                          "{\"name\":\"load\",\"shell\":\"exit 3\"},"
                          "{\"name\":\"on_fail\",\"shell\":\"true\",\"depends_on\":[\"load\"],"
                          "\"run_if\":\"at_least_one_failed\"},"
                          "{\"name\":\"on_ok\",\"shell\":\"true\",\"depends_on\":[\"load\"]}]}",
                          port));
    int rc = RUN(NULL, NULL, "job run %s --out %s/out --quiet", p, dir);
    kill(pid, SIGTERM);
    cr_assert_eq(rc, 1);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='on_fail' AND "
                        "state='succeeded'"),
                 1);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='on_ok' AND "
                        "state='skipped'"),
                 1);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='load' AND "
                        "result='exit 3'"),
                 1);
    got = SLURPF("%s/got.jsonl", dir);
    cr_assert(
        got && strstr(got, "\"event\":\"failure\",\"job\":\"j\",\"run_id\":1,\"task\":\"load\""),
        "%s", got ? got : "(no webhook received)");
    /* start, the task's failure, the run's failure: 3 to each webhook; the closed port is
     * recorded as failed, never dropped */
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_notifications WHERE state='ok'"), 3);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_notifications WHERE state='failed' AND "
                        "target LIKE '%:1/closed'"),
                 3);
}

Test(jb_run, for_each_retries_timeouts_in_virtual_time)
{
    char *dir = K(lkt_tmpdir("jb-loop"));
    char *p = job_file(dir, "{\"name\":\"j\",\"tasks\":["
                            "{\"name\":\"each\",\"shell\":\"echo {{item}}\","
                            "\"virtual_duration\":\"10m\",\"for_each\":{\"items\":[\"t01\",\"t02\","
                            "\"t03\",\"t04\",\"t05\"],\"concurrency\":2}},"
                            "{\"name\":\"flaky\",\"shell\":\"exit 1\",\"retries\":2,"
                            "\"retry_backoff\":\"1m\",\"virtual_duration\":\"1m\"},"
                            "{\"name\":\"slow\",\"shell\":\"true\",\"virtual_duration\":\"10m\","
                            "\"timeout\":\"5m\"}]}");
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --quiet", p, dir), 1);
    /* 5 items of 10m on 2 slots: 10, 10, 20, 20, 30 -> the last ends at 30m */
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='each' AND "
                        "duration_ms=600000"),
                 5);
    cr_assert_eq(q(dir, "SELECT max(strftime('%s', end_time)) - min(strftime('%s', start_time)) "
                        "FROM system_task_runs WHERE task='each'"),
                 1800);
    /* 3 attempts: 0-1m, backoff 1m, 2-3m, backoff 2m, 5-6m */
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='flaky'"), 3);
    cr_assert_eq(q(dir, "SELECT strftime('%s', end_time) - strftime('%s', '2026-01-01') FROM "
                        "system_task_runs WHERE task='flaky' AND attempt=3"),
                 360);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='slow' AND "
                        "state='timed_out' AND duration_ms=300000"),
                 1);
}

Test(jb_run, a_wall_timeout_kills_the_task)
{
    char *dir = K(lkt_tmpdir("jb-wall"));
    char *p = job_file(dir, "{\"name\":\"j\",\"tasks\":[{\"name\":\"s\",\"shell\":\"sleep 30\","
                            "\"timeout\":\"1s\"}]}");
    time_t t0 = time(NULL);
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --clock wall --quiet", p, dir), 1);
    cr_assert_lt(time(NULL) - t0, 10);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE state='timed_out'"), 1);
}

static const char schedule_job[] =
    "{\"name\":\"j\",\"trigger\":{\"kind\":\"schedule\",\"cron\":\"0 */6 * * *\","
    "\"start\":\"2026-01-01T00:00:00Z\"},\"alerts\":[{\"rule\":\"run_duration > 7m\"}],"
    "\"tasks\":[{\"name\":\"a\",\"shell\":\"true\",\"virtual_duration\":\"5m\"},"
    "{\"name\":\"b\",\"shell\":\"true\",\"depends_on\":[\"a\"],\"virtual_duration\":\"3m\"}]}";

Test(jb_run, a_schedule_over_30_virtual_days_and_twice_the_same_tables)
{
    char *dir = K(lkt_tmpdir("jb-sched")), *a, *b;
    char *p = job_file(dir, schedule_job);
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --until 30d --quiet", p, dir), 0);
    /* 4 fires a day for 30 days, each 5m + 3m = 8m > 7m: every run alerts */
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs"), 120);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs WHERE duration_ms=480000 AND "
                        "alerts='run_duration > 7m'"),
                 120);
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out2 --until 30d --quiet", p, dir), 0);
    cr_assert_eq(system(FMT("sqlite3 %s/out/system.db .dump > %s/a.sql && sqlite3 "
                            "%s/out2/system.db .dump > %s/b.sql",
                            dir, dir, dir, dir)),
                 0);
    a = SLURPF("%s/a.sql", dir);
    b = SLURPF("%s/b.sql", dir);
    cr_assert(a && b && strcmp(a, b) == 0, "the two dumps differ");
}

static void file_at(const char *dir, const char *name, const char *iso_cmd_time)
{
    cr_assert_eq(
        system(FMT("echo x > %s/%s && touch -d %s %s/%s", dir, name, iso_cmd_time, dir, name)), 0);
}

Test(jb_run, file_arrival_fires_once_per_settled_batch_never_on_a_half_written_file)
{
    char *dir = K(lkt_tmpdir("jb-arrival")), *land = FMT("%s/landing", dir);
    mkdir(land, 0755);
    file_at(land, "a.jsonl", "2026-01-01T00:10:00Z");
    file_at(land, "b.jsonl", "2026-01-01T00:10:30Z");
    file_at(land, "c.jsonl.tmp", "2026-01-01T00:11:00Z"); /* half-written: never */
    file_at(land, ".d.jsonl", "2026-01-01T00:11:00Z");    /* hidden: never */
    file_at(land, "e.jsonl", "2026-01-01T03:00:00Z");
    file_at(land, "f.jsonl", "2026-01-01T03:00:10Z");
    char *p = job_file(dir, FMT("{\"name\":\"j\",\"trigger\":{\"kind\":\"file_arrival\","
                                "\"dir\":\"%s\",\"settle\":\"1m\",\"min_interval\":\"10m\","
                                "\"start\":\"2026-01-01T00:00:00Z\"},\"tasks\":[{\"name\":"
                                "\"t\",\"shell\":\"cat {{files}}\"}]}",
                                land));
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --until 1d --quiet", p, dir), 0);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs"), 2);
    /* the directory settles 1m after c.jsonl.tmp's last change (00:11) -> 00:12 */
    cr_assert_eq(q(dir, "SELECT strftime('%s', trigger_time) - strftime('%s', '2026-01-01') "
                        "FROM system_job_runs WHERE run_id=1"),
                 720);
    cr_assert_eq(q(dir, "SELECT strftime('%s', trigger_time) - strftime('%s', '2026-01-01') "
                        "FROM system_job_runs WHERE run_id=2"),
                 10870);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs WHERE parameters LIKE "
                        "'%a.jsonl %b.jsonl\\\"}' ESCAPE '!'"),
                 1);
    cr_assert_eq(q(dir,
                   "SELECT count(*) FROM system_job_runs WHERE parameters LIKE '%c.jsonl.tmp%' "
                   "OR parameters LIKE '%/.d.jsonl%'"),
                 0);
}

Test(jb_run, a_condition_branches_and_run_job_nests_a_run)
{
    char *dir = K(lkt_tmpdir("jb-cond"));
    lkt_write(FMT("%s/child.json", dir),
              "{\"name\":\"child\",\"parameters\":{\"n\":\"0\"},\"tasks\":[{\"name\":\"c\","
              "\"shell\":\"echo {{n}} > {{out}}/child-{{n}}.txt\",\"virtual_duration\":\"7m\"}]}");
    char *p = job_file(
        dir, "{\"name\":\"j\",\"tasks\":["
             "{\"name\":\"count\",\"shell\":\"echo '{\\\"totals\\\":{\\\"rows\\\":42}}' > "
             "{{task_dir}}/run.json\"},"
             "{\"name\":\"big\",\"depends_on\":[\"count\"],\"condition\":{\"value\":"
             "\"json:{{run_dir}}/count/run.json#totals.rows\",\"op\":\">\",\"than\":40}},"
             "{\"name\":\"zero\",\"depends_on\":[\"count\"],\"condition\":{\"value\":"
             "\"exit_code:count\",\"op\":\"!=\",\"than\":0}},"
             "{\"name\":\"when_big\",\"depends_on\":[{\"task\":\"big\",\"outcome\":\"true\"}],"
             "\"run_job\":{\"file\":\"child.json\",\"parameters\":{\"n\":\"{{run_id}}\"}}},"
             "{\"name\":\"when_failed_exit\",\"depends_on\":[{\"task\":\"zero\",\"outcome\":"
             "\"true\"}],\"shell\":\"true\"}]}");
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --quiet", p, dir), 0);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='big' AND "
                        "outcome='true' AND result='42 > 40 is true'"),
                 1);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='zero' AND "
                        "outcome='false'"),
                 1);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE task='when_failed_exit' "
                        "AND state='skipped'"),
                 1);
    /* the child is run 2, nested in run 1: starts after count (1m), takes 7m */
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs WHERE run_id=2 AND "
                        "parent_run_id=1 AND trigger='run_job' AND duration_ms=420000"),
                 1);
    cr_assert_eq(q(dir, "SELECT duration_ms FROM system_job_runs WHERE run_id=1"), 480000);
    char *child = SLURPF("%s/out/child-1.txt", dir);
    cr_assert(child && strcmp(child, "1\n") == 0, "%s", child ? child : "(no child output)");
}

Test(jb_run, continuous_runs_back_to_back_and_backs_off_after_a_failure)
{
    char *dir = K(lkt_tmpdir("jb-cont"));
    /* fails while the flag file is missing: the first run fails and makes it */
    char *p = job_file(dir, FMT("{\"name\":\"j\",\"trigger\":{\"kind\":\"continuous\","
                                "\"backoff\":\"10m\"},\"tasks\":[{\"name\":\"t\",\"shell\":"
                                "\"test -e %s/flag || { touch %s/flag; exit 1; }\","
                                "\"virtual_duration\":\"20m\"}]}",
                                dir, dir));
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --until 2h --quiet", p, dir), 1);
    /* 00:00-00:20 failed, backoff 10m, then back to back from 00:30: starts 00:30, 00:50,
     * 01:10, 01:30, 01:50 (all before --until 02:00) */
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs"), 6);
    cr_assert_eq(q(dir, "SELECT strftime('%s', start_time) - strftime('%s', '2026-01-01') FROM "
                        "system_job_runs WHERE run_id=2"),
                 1800);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs WHERE state='failed'"), 1);
}

Test(jb_run, usage_and_history)
{
    char *dir = K(lkt_tmpdir("jb-usage")), *err = NULL, *out = NULL;
    char *p = job_file(dir, schedule_job);
    cr_assert_eq(RUN(NULL, &err, "job run %s --out %s/out", p, dir), 2);
    cr_assert(strstr(err, "a schedule trigger under the virtual clock needs --until"), "%s", err);
    cr_assert_eq(RUN(NULL, &err, "job run %s", p), 2);
    cr_assert_eq(RUN(NULL, &err, "job history %s/none", dir), 3);
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --until 1d --quiet", p, dir), 0);
    cr_assert_eq(RUN(&out, NULL, "job history %s/out", dir), 0);
    cr_assert(strstr(out, "4       j    schedule  2026-01-01T18:00:00.000Z"), "%s", out);
}

/* The example job of datasets/jobs/ over 4 days of data (16 fires): the batch job's alert
 * fires from the first run whose master dataset makes it longer than 45m. */
Test(jb_run, the_lambda_batch_example_alerts_when_the_batch_outgrows_45m)
{
    char *dir = K(lkt_tmpdir("jb-example"));
    char *data = K(lkt_dataset("jobs-4d", "--scenario clickstream --events 5000 --span 96h"));
    char *abs = K(realpath(data, NULL));
    long long first, n;
    cr_assert_eq(RUN(NULL, NULL,
                     "job run %s/datasets/jobs/lambda-batch-6h.json --out %s/out --param "
                     "data=%s --until 4d --quiet",
                     lkt_root(), dir, abs),
                 0);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_job_runs WHERE state='succeeded'"), 16);
    first = q(dir, "SELECT min(run_id) FROM system_task_runs WHERE alerts='run_duration > 45m'");
    cr_assert_gt(first, 1);
    /* every run from the first alert on alerts (the master dataset only grows), none before */
    n = q(dir, "SELECT count(*) FROM system_task_runs WHERE task='batch' AND alerts IS NOT NULL");
    cr_assert_eq(n, 16 - first + 1);
    /* the batch's duration is Lambda's model: 3m cold start + 30s + 1 s per master row */
    for (long long r = first - 1; r <= first; r++) {
        char *run = FMT("%s/out/runs/%lld/batch/lambda", dir, r);
        long long rows = lkt_query_int(run, "SELECT count(*) FROM master");
        long long d = q(dir, FMT("SELECT duration_ms FROM system_task_runs WHERE "
                                 "task='batch' AND run_id=%lld",
                                 r));
        cr_assert_eq(d, 210000 + 1000 * rows, "run %lld: %lld ms for %lld rows", r, d, rows);
        cr_assert(r == first ? d > 2700000 : d <= 2700000);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(jb_run, a_wall_for_each_runs_its_items_two_at_a_time)
{
    char *dir = K(lkt_tmpdir("jb-wallpar"));
    char *p = job_file(dir, "{\"name\":\"j\",\"tasks\":[{\"name\":\"t\",\"shell\":\"sleep 1\","
                            "\"for_each\":{\"items\":[\"a\",\"b\",\"c\",\"d\"],"
                            "\"concurrency\":2}}]}");
    double t0 = now_s(), took;
    cr_assert_eq(RUN(NULL, NULL, "job run %s --out %s/out --clock wall --quiet", p, dir), 0);
    took = now_s() - t0;
    /* one at a time takes 4 s, all at once 1 s: two at a time 2 s */
    cr_assert(took >= 1.9 && took < 3.5, "took %.2f s", took);
    cr_assert_eq(q(dir, "SELECT count(*) FROM system_task_runs WHERE state='succeeded'"), 4);
}
