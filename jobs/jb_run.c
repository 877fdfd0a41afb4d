#define _DEFAULT_SOURCE /* usleep, realpath */
#include "jb_run.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jb_audit.h"
#include "jb_notify.h"
#include "jb_trigger.h"
#include "lk_buf.h"
#include "lk_file.h"
#include "lk_json.h"
#include "lk_mem.h"
#include "lk_time.h"

enum tstate { T_PENDING, T_SUCCEEDED, T_FAILED, T_SKIPPED };

struct ctx {
    const struct jb_opts *o;
    struct jb_audit audit;
    struct jb_notify notify;
    struct jb_summary *sum;
    struct lk_err *err;
    /* a wall-clock for_each's workers: the one running holds it, and lets go while its
     * process runs or it sleeps (NULL when one thread runs) */
    pthread_mutex_t *lock;
};

static void let_go(struct ctx *c)
{
    if (c->lock)
        pthread_mutex_unlock(c->lock);
}

static void take_back(struct ctx *c)
{
    if (c->lock)
        pthread_mutex_lock(c->lock);
}

/* One run of one job (a run_job task makes a nested one). */
struct run {
    struct ctx *c;
    struct jb_job *job;
    int64_t id;
    const char *trigger, *files;
    int64_t trigger_ms;
    enum tstate *state;
    int *outcome, *exit_code;
    int64_t *end;
};

/* The names {{...}} may use in a task: the job's parameters and the run's own. */
struct vars {
    const char *names[64];
    const char *values[64];
    size_t n;
};

static void vars_add(struct vars *v, const char *name, const char *value)
{
    if (v->n < 64) {
        v->names[v->n] = name;
        v->values[v->n++] = value;
    }
}

/* A parameter's value may itself use {{names}} (a default of "{{job_dir}}/x"): 4 rounds. */
static int subst(struct vars *v, const char *text, char **out, struct lk_err *err)
{
    int rc = jb_spec_subst(text, v->names, v->values, v->n, out, err);
    for (int round = 1; rc == 0 && round < 4 && strstr(*out, "{{"); round++) {
        char *next = NULL;
        rc = jb_spec_subst(*out, v->names, v->values, v->n, &next, err);
        free(*out);
        *out = rc == 0 ? next : NULL;
    }
    return rc;
}

/* The modelled duration of an lklab lambda run: its batch jobs' modelled_ms, summed. */
static int64_t modelled_ms(char **argv, size_t argc)
{
    const char *outdir = NULL;
    struct lk_buf path = LK_BUF_INIT;
    char line[4096];
    int64_t sum = -1;
    FILE *fp;
    if (argc == 0 || strcmp(argv[0], "lambda") != 0)
        return -1;
    for (size_t i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--out") == 0)
            outdir = argv[i + 1];
    if (!outdir)
        return -1;
    lk_buf_addf(&path, "%s/metrics.jsonl", outdir);
    fp = fopen(path.s, "r");
    lk_buf_release(&path);
    if (!fp)
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        cJSON *o;
        if (!strstr(line, "\"layer\":\"batch\"") || !(o = cJSON_Parse(line)))
            continue;
        sum = (sum < 0 ? 0 : sum) + lk_json_int(o, "modelled_ms", 0);
        cJSON_Delete(o);
    }
    fclose(fp);
    return sum;
}

/*
 * Run argv (argv[0] a path) with stdout and stderr into dir/stdout.log, stderr.log.
 * Kills it after timeout_ms of wall time (0: none). *code: the exit code, 124 on timeout,
 * 128+signal on a signal.
 */
static int spawn(struct ctx *c, char **argv, const char *dir, int64_t timeout_ms, int *code,
                 int *timed_out, struct lk_err *err)
{
    struct lk_buf o = LK_BUF_INIT, e = LK_BUF_INIT;
    int64_t start = jb_wall_ms();
    int status = 0;
    pid_t pid;
    lk_buf_addf(&o, "%s/stdout.log", dir);
    lk_buf_addf(&e, "%s/stderr.log", dir);
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        lk_buf_release(&o);
        lk_buf_release(&e);
        return lk_err_sys(err, LK_EIO, errno, "starting a task");
    }
    if (pid == 0) {
        int fo = open(o.s, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int fe = open(e.s, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
            _exit(126);
        setpgid(0, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    lk_buf_release(&o);
    lk_buf_release(&e);
    *timed_out = 0;
    let_go(c);
    for (;;) {
        pid_t r = waitpid(pid, &status, timeout_ms > 0 ? WNOHANG : 0);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            int saved = errno;
            take_back(c);
            return lk_err_sys(err, LK_EIO, saved, "waiting for a task");
        }
        if (r == 0 && jb_wall_ms() - start >= timeout_ms) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            *timed_out = 1;
        } else if (r == 0)
            usleep(20000);
    }
    take_back(c);
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (*timed_out)
        *code = 124;
    return 0;
}

/* A number at a dotted path of a JSON file. */
static int json_number(const char *spec, double *v, char *why, size_t size)
{
    const char *hash = strchr(spec, '#');
    char *path = lk_xstrndup(spec, (size_t)(hash - spec)), *fields = lk_xstrdup(hash + 1), *save;
    cJSON *root = NULL, *node;
    struct lk_err e = LK_ERR_INIT;
    int rc = -1;
    if (lk_json_read_file(path, &root, &e) < 0)
        snprintf(why, size, "%.150s", e.msg);
    else {
        node = root;
        for (char *f = strtok_r(fields, ".", &save); f && node; f = strtok_r(NULL, ".", &save))
            node = cJSON_GetObjectItemCaseSensitive(node, f);
        if (!cJSON_IsNumber(node))
            snprintf(why, size, "no number at '%s' in '%s'", hash + 1, path);
        else {
            *v = node->valuedouble;
            rc = 0;
        }
    }
    cJSON_Delete(root);
    free(path);
    free(fields);
    return rc;
}

static int compare(double a, const char *op, double b)
{
    if (strcmp(op, ">") == 0)
        return a > b;
    if (strcmp(op, ">=") == 0)
        return a >= b;
    if (strcmp(op, "<") == 0)
        return a < b;
    if (strcmp(op, "<=") == 0)
        return a <= b;
    if (strcmp(op, "==") == 0)
        return a == b;
    return a != b;
}

static int run_job(struct ctx *c, struct jb_job *job, const char *trigger, int64_t trigger_ms,
                   const char *files, int64_t parent, int64_t start, int64_t *end, int *failed);

/* One attempt of a task (item may be NULL). *dur: its duration on the job clock. */
struct attempt {
    int ok, outcome, code;
    int64_t dur;
    char result[256];
};

static int resolve_job_path(struct run *r, const char *p, char **out)
{
    struct lk_buf b = LK_BUF_INIT;
    if (p[0] == '/' || lk_is_file(p))
        lk_buf_adds(&b, p);
    else
        lk_buf_addf(&b, "%s/%s", r->job->dir, p);
    *out = lk_buf_detach(&b, NULL);
    return 0;
}

static int attempt_child_job(struct run *r, struct jb_task *t, struct vars *v, int64_t start,
                             struct attempt *a)
{
    struct ctx *c = r->c;
    struct jb_job child;
    char *file = NULL, *path = NULL;
    int rc, failed = 0;
    int64_t end = start;
    if ((rc = subst(v, t->shell, &file, c->err)) < 0)
        return rc;
    resolve_job_path(r, file, &path);
    free(file);
    if ((rc = jb_spec_load(&child, path, c->err)) < 0) {
        free(path);
        jb_spec_free(&child);
        return rc;
    }
    free(path);
    for (size_t i = 0; rc == 0 && i < t->argc; i++) {
        char *kv = NULL;
        if ((rc = subst(v, t->argv[i], &kv, c->err)) == 0)
            rc = jb_spec_set_param(&child, kv, c->err);
        free(kv);
    }
    if (rc == 0)
        rc = run_job(c, &child, "run_job", start, NULL, r->id, start, &end, &failed);
    jb_spec_free(&child);
    if (rc < 0)
        return rc;
    a->ok = !failed;
    a->dur = end - start;
    snprintf(a->result, sizeof(a->result), "job run %lld %s", (long long)c->audit.last_run_id,
             failed ? "failed" : "succeeded");
    return 0;
}

static int attempt_condition(struct run *r, struct jb_task *t, struct vars *v, struct attempt *a)
{
    double val = 0;
    char why[200] = "";
    int ok = 0;
    a->dur = 0;
    if (strncmp(t->cond.value, "exit_code:", 10) == 0) {
        const char *name = t->cond.value + 10;
        for (size_t i = 0; i < r->job->ntasks; i++)
            if (strcmp(r->job->tasks[i].name, name) == 0 && r->state[i] != T_PENDING
                && r->state[i] != T_SKIPPED) {
                val = r->exit_code[i];
                ok = 1;
            }
        if (!ok)
            snprintf(why, sizeof(why), "task '%s' has not run", name);
    } else {
        char *spec = NULL;
        int rc = subst(v, t->cond.value + 5, &spec, r->c->err);
        if (rc < 0)
            return rc;
        ok = json_number(spec, &val, why, sizeof(why)) == 0;
        free(spec);
    }
    a->ok = ok;
    if (!ok) {
        snprintf(a->result, sizeof(a->result), "%s", why);
        return 0;
    }
    a->outcome = compare(val, t->cond.op, t->cond.than);
    snprintf(a->result, sizeof(a->result), "%.17g %s %.17g is %s", val, t->cond.op, t->cond.than,
             a->outcome ? "true" : "false");
    return 0;
}

static int attempt_command(struct run *r, struct jb_task *t, struct vars *v, const char *dir,
                           struct attempt *a)
{
    struct ctx *c = r->c;
    size_t n = t->kind == JB_LKLAB ? t->argc + 1 : 3, k = 0;
    char **argv = lk_xcalloc(n + 1, sizeof(char *));
    int rc = 0, timed_out = 0;
    int64_t t0 = jb_wall_ms(), model;
    if (t->kind == JB_LKLAB) {
        argv[k++] = lk_xstrdup(c->o->self);
        for (size_t i = 0; rc == 0 && i < t->argc; i++)
            rc = subst(v, t->argv[i], &argv[k++], c->err);
    } else {
        argv[k++] = lk_xstrdup("/bin/sh");
        argv[k++] = lk_xstrdup("-c");
        rc = subst(v, t->shell, &argv[k++], c->err);
    }
    if (rc == 0)
        rc = spawn(c, argv, dir, t->timeout_ms > 0 ? t->timeout_ms : 0, &a->code, &timed_out,
                   c->err);
    if (rc == 0) {
        int64_t measured = jb_wall_ms() - t0;
        model = t->kind == JB_LKLAB && a->code == 0 ? modelled_ms(argv + 1, n - 1) : -1;
        if (c->o->wall)
            a->dur = measured;
        else
            a->dur = model >= 0             ? model
                     : t->vduration_ms >= 0 ? t->vduration_ms
                                            : JB_DEFAULT_VDURATION_MS;
        if (t->timeout_ms > 0 && (timed_out || a->dur > t->timeout_ms)) {
            a->dur = t->timeout_ms;
            a->code = 124;
            snprintf(a->result, sizeof(a->result), "timed out after %lld ms",
                     (long long)t->timeout_ms);
        } else
            snprintf(a->result, sizeof(a->result), "exit %d", a->code);
        a->ok = a->code == 0;
    }
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
    free(argv);
    return rc;
}

static int notify(struct ctx *c, const char *event, int64_t run_id, const char *task, int64_t t,
                  const char *state, const char *detail)
{
    struct jb_event ev = { event, run_id, task, t, state, detail };
    return jb_notify_send(&c->notify, &ev, c->err);
}

/* Alerts of rules over a duration: "rule; rule" into b, one notification each. */
static int check_alerts(struct ctx *c, const struct jb_alert *al, size_t n, int64_t dur,
                        int64_t run_id, const char *task, int64_t t, struct lk_buf *b)
{
    for (size_t i = 0; i < n; i++)
        if (dur > al[i].limit_ms || (al[i].or_equal && dur == al[i].limit_ms)) {
            char d[32];
            int rc;
            lk_duration_format(dur, d, sizeof(d));
            lk_buf_addf(b, "%s%s", b->len ? "; " : "", al[i].rule);
            c->sum->alerts++;
            if ((rc = notify(c, "alert", run_id, task, t, al[i].rule, d)) < 0)
                return rc;
        }
    return 0;
}

/* One item of a task with its retries: rows in system_task_runs; *end its last end. */
static int run_item(struct run *r, size_t ti, const char *item, struct vars *v, int64_t start,
                    int64_t *end, struct attempt *a)
{
    struct ctx *c = r->c;
    struct jb_task *t = &r->job->tasks[ti];
    struct lk_buf dir = LK_BUF_INIT;
    int64_t at = start;
    int rc = 0;
    lk_buf_addf(&dir, "%s/runs/%lld/%s", c->o->out, (long long)r->id, t->name);
    if (item)
        lk_buf_addf(&dir, "/%s", item);
    if ((rc = lk_mkdir_p(dir.s, c->err)) < 0) {
        lk_buf_release(&dir);
        return rc;
    }
    vars_add(v, "task_dir", dir.s);
    for (int k = 0; k <= t->retries; k++) {
        struct lk_buf alerts = LK_BUF_INIT;
        struct jb_task_row row;
        memset(a, 0, sizeof(*a));
        if (c->o->wall)
            at = jb_wall_ms();
        if (t->kind == JB_CONDITION)
            rc = attempt_condition(r, t, v, a);
        else if (t->kind == JB_RUN_JOB)
            rc = attempt_child_job(r, t, v, at, a);
        else
            rc = attempt_command(r, t, v, dir.s, a);
        if (rc < 0)
            break;
        if ((rc = check_alerts(c, t->alerts, t->nalerts, a->dur, r->id, t->name, at + a->dur,
                               &alerts))
            < 0)
            break;
        row =
            (struct jb_task_row){ r->id,
                                  t->name,
                                  item,
                                  a->ok ? "succeeded" : (a->code == 124 ? "timed_out" : "failed"),
                                  a->result,
                                  t->kind == JB_CONDITION && a->ok ? (a->outcome ? "true" : "false")
                                                                   : NULL,
                                  alerts.len ? alerts.s : NULL,
                                  k + 1,
                                  at,
                                  at + a->dur };
        rc = jb_audit_task(&c->audit, &row, c->err);
        lk_buf_release(&alerts);
        if (rc < 0)
            break;
        at += a->dur;
        *end = at;
        if (a->ok)
            break;
        if (k < t->retries)
            at += t->backoff_ms << (k < 20 ? k : 20); /* backoff, doubling */
        if (c->o->wall && k < t->retries) {
            let_go(c);
            jb_sleep_until(at);
            take_back(c);
        }
    }
    v->n--; /* task_dir */
    lk_buf_release(&dir);
    return rc;
}

/* Whether task ti runs, from its dependencies' states and its run_if. */
static int should_run(struct run *r, const struct jb_task *t, const char **why)
{
    int all_ok = 1, any_failed = 0;
    for (size_t d = 0; d < t->ndeps; d++) {
        size_t k = t->deps[d].task;
        enum tstate s = r->state[k];
        if (s == T_FAILED)
            any_failed = 1;
        if (s != T_SUCCEEDED || (t->deps[d].outcome >= 0 && r->outcome[k] != t->deps[d].outcome))
            all_ok = 0;
    }
    switch (t->run_if) {
    case JB_ALL_SUCCEEDED:
        *why = "run_if all_succeeded: a dependency did not succeed or had the other outcome";
        return all_ok;
    case JB_AT_LEAST_ONE_FAILED:
        *why = "run_if at_least_one_failed: no dependency failed";
        return any_failed;
    default:
        return 1;
    }
}

/* The items of a for_each under the wall clock, `concurrency` at a time (one thread each). */
struct pool {
    struct run *r;
    size_t ti, next;
    const struct vars *v;
    int all_ok, rc;
    pthread_mutex_t lock;
};

static void item_done(struct run *r, size_t ti, int64_t end, const struct attempt *a, int *all_ok)
{
    if (end > r->end[ti])
        r->end[ti] = end;
    *all_ok &= a->ok;
    r->exit_code[ti] = a->code;
    r->outcome[ti] = a->outcome;
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    struct jb_task *t = &p->r->job->tasks[p->ti];
    pthread_mutex_lock(&p->lock);
    while (p->rc == 0 && p->next < t->nitems) {
        size_t i = p->next++;
        struct vars v = *p->v;
        struct attempt a;
        int64_t end = 0;
        int rc;
        vars_add(&v, "item", t->items[i]);
        rc = run_item(p->r, p->ti, t->items[i], &v, jb_wall_ms(), &end, &a);
        if (rc < 0)
            p->rc = rc;
        else
            item_done(p->r, p->ti, end, &a, &p->all_ok);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int run_parallel(struct run *r, size_t ti, const struct vars *v)
{
    struct jb_task *t = &r->job->tasks[ti];
    struct pool p = { r, ti, 0, v, 1, 0, PTHREAD_MUTEX_INITIALIZER };
    pthread_t th[64];
    int n = 0;
    r->c->lock = &p.lock;
    for (int k = 0; k < t->concurrency && (size_t)k < t->nitems; k++)
        if (pthread_create(&th[n], NULL, worker, &p) == 0)
            n++;
    if (n == 0)
        worker(&p); /* no thread to be had: one at a time */
    for (int k = 0; k < n; k++)
        pthread_join(th[k], NULL);
    r->c->lock = NULL;
    return p.rc < 0 ? p.rc : p.all_ok;
}

static int run_task(struct run *r, size_t ti, struct vars *v, int64_t run_start)
{
    struct ctx *c = r->c;
    struct jb_task *t = &r->job->tasks[ti];
    int64_t start = run_start, slots[64];
    const char *why = NULL;
    int rc = 0, all_ok = 1;
    for (size_t d = 0; d < t->ndeps; d++)
        if (r->end[t->deps[d].task] > start)
            start = r->end[t->deps[d].task];
    if (!should_run(r, t, &why)) {
        struct jb_task_row row = {
            r->id, t->name, NULL, "skipped", why, NULL, NULL, 0, start, start
        };
        r->state[ti] = T_SKIPPED;
        r->end[ti] = start;
        return jb_audit_task(&c->audit, &row, c->err);
    }
    for (int s = 0; s < t->concurrency; s++)
        slots[s] = start;
    r->end[ti] = start;
    if (c->o->wall && t->concurrency > 1 && t->nitems > 1 && !c->lock) {
        if ((rc = run_parallel(r, ti, v)) < 0)
            return rc;
        all_ok = rc;
        rc = 0;
    } else
        for (size_t i = 0; i < (t->nitems ? t->nitems : 1) && rc == 0; i++) {
            /* virtual clock: the item starts on the slot that frees first */
            struct attempt a;
            int s = 0;
            int64_t end = 0;
            for (int k = 1; k < t->concurrency; k++)
                if (slots[k] < slots[s])
                    s = k;
            if (t->nitems)
                vars_add(v, "item", t->items[i]);
            rc = run_item(r, ti, t->nitems ? t->items[i] : NULL, v, slots[s], &end, &a);
            if (t->nitems)
                v->n--;
            slots[s] = end;
            if (rc == 0)
                item_done(r, ti, end, &a, &all_ok);
        }
    r->state[ti] = all_ok ? T_SUCCEEDED : T_FAILED;
    if (rc == 0 && !all_ok)
        rc = notify(c, "failure", r->id, t->name, r->end[ti], "failed", NULL);
    return rc;
}

static char *params_json(const struct jb_job *job, const char *files)
{
    cJSON *o = cJSON_CreateObject();
    char *s;
    for (size_t i = 0; i < job->nparams; i++)
        cJSON_AddStringToObject(o, job->pnames[i], job->pvalues[i]);
    if (files)
        cJSON_AddStringToObject(o, "files", files);
    s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int run_job(struct ctx *c, struct jb_job *job, const char *trigger, int64_t trigger_ms,
                   const char *files, int64_t parent, int64_t start, int64_t *end, int *failed)
{
    struct run r = { c,    job, ++c->audit.last_run_id, trigger, files, trigger_ms, NULL, NULL,
                     NULL, NULL };
    struct vars v = { { 0 }, { 0 }, 0 };
    char id[32], tt[LK_TIME_ISO_LEN + 8], stamp[32];
    struct lk_buf run_dir = LK_BUF_INIT, alerts = LK_BUF_INIT, result = LK_BUF_INIT;
    char *params = params_json(job, files);
    size_t nfail = 0, nskip = 0;
    int rc;
    int64_t last = start;
    r.state = lk_xcalloc(job->ntasks, sizeof(*r.state));
    r.outcome = lk_xcalloc(job->ntasks, sizeof(int));
    r.exit_code = lk_xcalloc(job->ntasks, sizeof(int));
    r.end = lk_xcalloc(job->ntasks, sizeof(int64_t));
    snprintf(id, sizeof(id), "%lld", (long long)r.id);
    lk_time_format(trigger_ms, tt);
    lk_time_format_compact(trigger_ms, stamp);
    lk_buf_addf(&run_dir, "%s/runs/%s", c->o->out, id);
    for (size_t i = 0; i < job->nparams; i++)
        vars_add(&v, job->pnames[i], job->pvalues[i]);
    vars_add(&v, "run_id", id);
    vars_add(&v, "run_dir", run_dir.s);
    vars_add(&v, "out", c->o->out);
    vars_add(&v, "job_dir", job->dir);
    vars_add(&v, "trigger_time", tt);
    vars_add(&v, "trigger_stamp", stamp);
    vars_add(&v, "files", files ? files : "");
    rc = notify(c, "start", r.id, NULL, start, "running", trigger);
    for (size_t k = 0; rc == 0 && k < job->ntasks; k++) {
        size_t ti = job->order[k];
        rc = run_task(&r, ti, &v, start);
        if (r.end[ti] > last)
            last = r.end[ti];
        nfail += r.state[ti] == T_FAILED;
        nskip += r.state[ti] == T_SKIPPED;
    }
    if (c->o->wall)
        last = jb_wall_ms();
    *end = last;
    *failed = nfail > 0;
    if (rc == 0)
        rc = check_alerts(c, job->alerts, job->nalerts, last - start, r.id, NULL, last, &alerts);
    lk_buf_addf(&result, "%zu tasks: %zu succeeded, %zu failed, %zu skipped", job->ntasks,
                job->ntasks - nfail - nskip, nfail, nskip);
    if (rc == 0) {
        struct jb_run_row row = { r.id,
                                  parent,
                                  job->name,
                                  trigger,
                                  params,
                                  c->o->wall ? "wall" : "virtual",
                                  nfail ? "failed" : "succeeded",
                                  result.s,
                                  alerts.len ? alerts.s : NULL,
                                  trigger_ms,
                                  start,
                                  last };
        rc = jb_audit_job(&c->audit, &row, c->err);
    }
    if (rc == 0)
        rc = notify(c, nfail ? "failure" : "success", r.id, NULL, last,
                    nfail ? "failed" : "succeeded", result.s);
    c->sum->runs++;
    c->sum->failed += nfail > 0;
    free(params);
    free(r.state);
    free(r.outcome);
    free(r.exit_code);
    free(r.end);
    lk_buf_release(&run_dir);
    lk_buf_release(&alerts);
    lk_buf_release(&result);
    return rc;
}

static int skipped_run(struct ctx *c, struct jb_job *job, const char *trigger, int64_t t)
{
    struct jb_run_row row = { ++c->audit.last_run_id,
                              0,
                              job->name,
                              trigger,
                              NULL,
                              c->o->wall ? "wall" : "virtual",
                              "skipped",
                              "the previous run was still running",
                              NULL,
                              t,
                              t,
                              t };
    c->sum->skipped++;
    return jb_audit_job(&c->audit, &row, c->err);
}

static int fire_run(const struct jb_fire *f, const char *trigger, int64_t at, const char *files,
                    int64_t *end, int *failed)
{
    return run_job(f->arg, f->job, trigger, at, files, 0, at, end, failed);
}

static int fire_skip(const struct jb_fire *f, const char *trigger, int64_t at)
{
    return skipped_run(f->arg, f->job, trigger, at);
}

int jb_run(struct jb_job *job, const struct jb_opts *o, struct jb_summary *s, struct lk_err *err)
{
    struct ctx c;
    struct lk_buf path = LK_BUF_INIT;
    struct jb_opts opts;
    char *abs_out;
    int rc;
    memset(&c, 0, sizeof(c));
    memset(s, 0, sizeof(*s));
    c.o = o;
    c.sum = s;
    c.err = err;
    if ((rc = lk_mkdir_p(o->out, err)) < 0)
        return rc;
    /* tasks may cd: {{out}}, {{run_dir}} and {{task_dir}} are absolute */
    if (!(abs_out = realpath(o->out, NULL)))
        return lk_file_error(err, errno, "resolving", o->out);
    opts = *o;
    opts.out = abs_out;
    c.o = &opts;
    lk_buf_addf(&path, "%s/system.db", o->out);
    rc = jb_audit_open(&c.audit, path.s, err);
    lk_buf_reset(&path);
    c.notify = (struct jb_notify){ job->webhooks, job->nwebhooks, NULL, &c.audit, job->name };
    if (rc == 0 && job->notify_file) {
        if (job->notify_file[0] == '/')
            lk_buf_adds(&path, job->notify_file);
        else
            lk_buf_addf(&path, "%s/%s", o->out, job->notify_file);
        if (!(c.notify.file = fopen(path.s, "a")))
            rc = lk_file_error(err, errno, "opening the notify file", path.s);
    }
    lk_buf_release(&path);
    if (rc == 0) {
        struct jb_fire fire = { &c, job, fire_run, fire_skip };
        rc = jb_trigger_fire(&job->trigger, o->wall, o->until_ms, &fire, err);
    }
    if (c.notify.file && fclose(c.notify.file) != 0 && rc == 0)
        rc = lk_err_set(err, LK_EIO, "closing the notify file");
    jb_audit_close(&c.audit);
    free(abs_out);
    return rc;
}
