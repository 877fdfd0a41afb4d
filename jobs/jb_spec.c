#include "jb_spec.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_buf.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_spec.h"
#include "lk_time.h"

struct ctx {
    const char *origin;
    struct lk_err *err;
};

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
{
    struct lk_buf b = LK_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lk_buf_addf(&b, "%s: %s (%s)", where, msg, c->origin);
    for (char *p = b.s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    lk_err_set(c->err, LK_ESPEC, "%s", b.s);
    lk_buf_release(&b);
    return LK_ESPEC;
}

static int only(struct ctx *c, const cJSON *obj, const char *where, const char *const *allowed)
{
    const cJSON *m;
    if (!cJSON_IsObject(obj))
        return bad(c, where, "must be an object");
    cJSON_ArrayForEach(m, obj)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(m->string, *a) == 0;
        if (!ok)
            return bad(c, where, "unknown field '%s'", m->string);
    }
    return 0;
}

/* A string member: 0 with *out (NULL when absent and optional). */
static int str(struct ctx *c, const cJSON *o, const char *name, const char *where, int required,
               const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!v)
        return required ? bad(c, where, "missing '%s'", name) : 0;
    if (!cJSON_IsString(v))
        return bad(c, where, "'%s' must be a string", name);
    *out = v->valuestring;
    return 0;
}

static int dur(struct ctx *c, const cJSON *o, const char *name, const char *where, int64_t dflt,
               int64_t *out)
{
    const char *s;
    int rc = str(c, o, name, where, 0, &s);
    if (rc < 0)
        return rc;
    *out = dflt;
    if (s && (lk_duration_parse(s, out) < 0 || *out < 0))
        return bad(c, where, "%s: bad duration '%s' (e.g. 30s, 10m, 6h)", name, s);
    return 0;
}

static int integer(struct ctx *c, const cJSON *o, const char *name, const char *where, int lo,
                   int hi, int dflt, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = dflt;
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble || v->valuedouble < lo
        || v->valuedouble > hi)
        return bad(c, where, "%s: must be an integer from %d to %d", name, lo, hi);
    *out = (int)v->valuedouble;
    return 0;
}

/* A list of strings (or absent): heap copies. */
static int strings(struct ctx *c, const cJSON *v, const char *where, int nonempty, char ***out,
                   size_t *n)
{
    const cJSON *it;
    *out = NULL;
    *n = 0;
    if (!v)
        return nonempty ? bad(c, where, "missing") : 0;
    if (!cJSON_IsArray(v) || (nonempty && cJSON_GetArraySize(v) == 0))
        return bad(c, where, "must be a %slist of strings", nonempty ? "non-empty " : "");
    *out = lk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
    cJSON_ArrayForEach(it, v)
    {
        if (!cJSON_IsString(it))
            return bad(c, where, "item %zu must be a string", *n);
        (*out)[(*n)++] = lk_xstrdup(it->valuestring);
    }
    return 0;
}

static int alerts(struct ctx *c, const cJSON *v, const char *where, struct jb_alert **out,
                  size_t *n)
{
    const cJSON *it;
    static const char *const members[] = { "rule", NULL };
    *out = NULL;
    *n = 0;
    if (!v)
        return 0;
    if (!cJSON_IsArray(v))
        return bad(c, where, "must be a list of {\"rule\": \"run_duration > 45m\"}");
    *out = lk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(**out));
    cJSON_ArrayForEach(it, v)
    {
        const char *rule, *p;
        struct jb_alert *a = &(*out)[*n];
        int rc;
        char w[160];
        snprintf(w, sizeof(w), "%s[%zu]", where, *n);
        if ((rc = only(c, it, w, members)) < 0 || (rc = str(c, it, "rule", w, 1, &rule)) < 0)
            return rc;
        (*n)++;
        a->rule = lk_xstrdup(rule);
        p = rule;
        while (*p == ' ')
            p++;
        if (strncmp(p, "run_duration", 12) != 0)
            return bad(c, w, "rule '%s': only 'run_duration > D' or 'run_duration >= D'", rule);
        p += 12;
        while (*p == ' ')
            p++;
        if (*p != '>')
            return bad(c, w, "rule '%s': only 'run_duration > D' or 'run_duration >= D'", rule);
        p++;
        a->or_equal = *p == '=';
        p += a->or_equal;
        while (*p == ' ')
            p++;
        if (lk_duration_parse(p, &a->limit_ms) < 0)
            return bad(c, w, "rule '%s': bad duration '%s'", rule, p);
    }
    return 0;
}

static int find_task(const struct jb_job *job, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(job->tasks[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int parse_condition(struct ctx *c, struct jb_task *t, const cJSON *v, const char *where)
{
    static const char *const members[] = { "value", "op", "than", NULL };
    static const char *const ops[] = { ">", ">=", "<", "<=", "==", "!=", NULL };
    const char *value, *op;
    const cJSON *than = cJSON_GetObjectItemCaseSensitive(v, "than");
    int rc, ok = 0;
    if ((rc = only(c, v, where, members)) < 0 || (rc = str(c, v, "value", where, 1, &value)) < 0
        || (rc = str(c, v, "op", where, 1, &op)) < 0)
        return rc;
    for (const char *const *o = ops; *o; o++)
        ok |= strcmp(op, *o) == 0;
    if (!ok)
        return bad(c, where, "op '%s': one of > >= < <= == !=", op);
    if (strncmp(value, "exit_code:", 10) != 0
        && (strncmp(value, "json:", 5) != 0 || !strchr(value, '#')))
        return bad(c, where, "value '%s': 'exit_code:TASK' or 'json:PATH#field.field'", value);
    if (!cJSON_IsNumber(than))
        return bad(c, where, "'than' must be a number");
    t->cond.value = lk_xstrdup(value);
    memcpy(t->cond.op, op, strlen(op) + 1);
    t->cond.than = than->valuedouble;
    return 0;
}

static int parse_run_job(struct ctx *c, struct jb_task *t, const cJSON *v, const char *where)
{
    static const char *const members[] = { "file", "parameters", NULL };
    const char *file;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(v, "parameters"), *p;
    int rc;
    if ((rc = only(c, v, where, members)) < 0 || (rc = str(c, v, "file", where, 1, &file)) < 0)
        return rc;
    t->shell = lk_xstrdup(file);
    if (!params)
        return 0;
    if (!cJSON_IsObject(params))
        return bad(c, where, "parameters: must be an object of strings");
    t->argv = lk_xcalloc((size_t)cJSON_GetArraySize(params) + 1, sizeof(char *));
    cJSON_ArrayForEach(p, params)
    {
        struct lk_buf b = LK_BUF_INIT;
        if (!cJSON_IsString(p))
            return bad(c, where, "parameters.%s: must be a string", p->string);
        lk_buf_addf(&b, "%s=%s", p->string, p->valuestring);
        t->argv[t->argc++] = lk_buf_detach(&b, NULL);
    }
    return 0;
}

static int parse_task_body(struct ctx *c, struct jb_task *t, const cJSON *o, const char *w)
{
    const cJSON *lk = cJSON_GetObjectItemCaseSensitive(o, "lklab");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(o, "shell");
    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(o, "condition");
    const cJSON *rj = cJSON_GetObjectItemCaseSensitive(o, "run_job");
    char where[224];
    if (!!lk + !!sh + !!cond + !!rj != 1)
        return bad(c, w, "needs exactly one of lklab, shell, condition, run_job");
    if (lk) {
        t->kind = JB_LKLAB;
        snprintf(where, sizeof(where), "%s.lklab", w);
        return strings(c, lk, where, 1, &t->argv, &t->argc);
    }
    if (sh) {
        t->kind = JB_SHELL;
        if (!cJSON_IsString(sh) || !*sh->valuestring)
            return bad(c, w, "shell: must be a non-empty string");
        t->shell = lk_xstrdup(sh->valuestring);
        return 0;
    }
    if (cond) {
        t->kind = JB_CONDITION;
        snprintf(where, sizeof(where), "%s.condition", w);
        return parse_condition(c, t, cond, where);
    }
    t->kind = JB_RUN_JOB;
    snprintf(where, sizeof(where), "%s.run_job", w);
    return parse_run_job(c, t, rj, where);
}

static int parse_task(struct ctx *c, struct jb_task *t, const cJSON *o, size_t i)
{
    static const char *const members[] = { "name",          "lklab",       "shell",
                                           "condition",     "run_job",     "depends_on",
                                           "run_if",        "for_each",    "retries",
                                           "retry_backoff", "timeout",     "virtual_duration",
                                           "alerts",        "description", NULL };
    static const char *const fe_members[] = { "items", "concurrency", NULL };
    const char *name, *run_if;
    const cJSON *fe = cJSON_GetObjectItemCaseSensitive(o, "for_each");
    char w[200];
    int rc;
    snprintf(w, sizeof(w), "tasks[%zu]", i);
    if ((rc = only(c, o, w, members)) < 0 || (rc = str(c, o, "name", w, 1, &name)) < 0)
        return rc;
    if (!lk_spec_is_identifier(name))
        return bad(c, w, "name '%s' is not a name ([a-z_][a-z0-9_]*)", name);
    t->name = lk_xstrdup(name);
    snprintf(w, sizeof(w), "tasks.%s", name);
    if ((rc = parse_task_body(c, t, o, w)) < 0 || (rc = str(c, o, "run_if", w, 0, &run_if)) < 0
        || (rc = integer(c, o, "retries", w, 0, 100, 0, &t->retries)) < 0
        || (rc = dur(c, o, "retry_backoff", w, 30000, &t->backoff_ms)) < 0
        || (rc = dur(c, o, "timeout", w, 0, &t->timeout_ms)) < 0
        || (rc = dur(c, o, "virtual_duration", w, -1, &t->vduration_ms)) < 0)
        return rc;
    snprintf(w, sizeof(w), "tasks.%s.alerts", name);
    if ((rc = alerts(c, cJSON_GetObjectItemCaseSensitive(o, "alerts"), w, &t->alerts, &t->nalerts))
        < 0)
        return rc;
    snprintf(w, sizeof(w), "tasks.%s", name);
    if (!run_if || strcmp(run_if, "all_succeeded") == 0)
        t->run_if = JB_ALL_SUCCEEDED;
    else if (strcmp(run_if, "at_least_one_failed") == 0)
        t->run_if = JB_AT_LEAST_ONE_FAILED;
    else if (strcmp(run_if, "all_done") == 0)
        t->run_if = JB_ALL_DONE;
    else
        return bad(c, w, "run_if '%s': all_succeeded, at_least_one_failed or all_done", run_if);
    t->concurrency = 1;
    if (fe) {
        snprintf(w, sizeof(w), "tasks.%s.for_each", name);
        if ((rc = only(c, fe, w, fe_members)) < 0
            || (rc = integer(c, fe, "concurrency", w, 1, 64, 1, &t->concurrency)) < 0)
            return rc;
        snprintf(w, sizeof(w), "tasks.%s.for_each.items", name);
        if ((rc = strings(c, cJSON_GetObjectItemCaseSensitive(fe, "items"), w, 1, &t->items,
                          &t->nitems))
            < 0)
            return rc;
    }
    return 0;
}

static int parse_deps(struct ctx *c, struct jb_job *job, struct jb_task *t, const cJSON *v)
{
    const cJSON *d;
    char w[200];
    snprintf(w, sizeof(w), "tasks.%s.depends_on", t->name);
    if (!v)
        return 0;
    if (!cJSON_IsArray(v))
        return bad(c, w, "must be a list of task names or {\"task\": ..., \"outcome\": ...}");
    t->deps = lk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*t->deps));
    cJSON_ArrayForEach(d, v)
    {
        static const char *const members[] = { "task", "outcome", NULL };
        const char *name = NULL, *outcome = NULL;
        struct jb_dep *dep = &t->deps[t->ndeps++];
        int k, rc;
        if (cJSON_IsString(d))
            name = d->valuestring;
        else if ((rc = only(c, d, w, members)) < 0 || (rc = str(c, d, "task", w, 1, &name)) < 0
                 || (rc = str(c, d, "outcome", w, 0, &outcome)) < 0)
            return rc;
        if ((k = find_task(job, job->ntasks, name)) < 0)
            return bad(c, w, "unknown task '%s'", name);
        if (strcmp(name, t->name) == 0)
            return bad(c, w, "a task cannot depend on itself");
        dep->task = (size_t)k;
        dep->outcome = -1;
        if (outcome) {
            if (strcmp(outcome, "true") != 0 && strcmp(outcome, "false") != 0)
                return bad(c, w, "outcome '%s': \"true\" or \"false\"", outcome);
            if (job->tasks[k].kind != JB_CONDITION)
                return bad(c, w, "outcome of '%s', which is not a condition task", name);
            dep->outcome = strcmp(outcome, "true") == 0;
        }
    }
    return 0;
}

/* Depth-first topological order; a cycle is named from the path on the stack. */
static int visit(struct ctx *c, struct jb_job *job, size_t i, int *mark, size_t *stack,
                 size_t depth, size_t *n)
{
    if (mark[i] == 2)
        return 0;
    if (mark[i] == 1) {
        struct lk_buf b = LK_BUF_INIT;
        size_t from = 0;
        int rc;
        while (stack[from] != i)
            from++;
        for (size_t k = from; k < depth; k++)
            lk_buf_addf(&b, "%s -> ", job->tasks[stack[k]].name);
        lk_buf_adds(&b, job->tasks[i].name);
        rc = bad(c, "depends_on", "cycle %s", b.s);
        lk_buf_release(&b);
        return rc;
    }
    mark[i] = 1;
    stack[depth] = i;
    for (size_t d = 0; d < job->tasks[i].ndeps; d++) {
        int rc = visit(c, job, job->tasks[i].deps[d].task, mark, stack, depth + 1, n);
        if (rc < 0)
            return rc;
    }
    mark[i] = 2;
    job->order[(*n)++] = i;
    return 0;
}

static int parse_trigger(struct ctx *c, struct jb_trigger *tr, const cJSON *v)
{
    static const char *const members[] = { "kind",   "cron",         "timezone", "start", "dir",
                                           "settle", "min_interval", "backoff",  NULL };
    const char *kind, *cron, *tz, *start, *dir;
    int rc;
    tr->start_ms = 1767225600000LL; /* 2026-01-01T00:00:00Z, lklab gen's default start */
    if (!v) {
        tr->kind = JB_MANUAL;
        return 0;
    }
    if ((rc = only(c, v, "trigger", members)) < 0
        || (rc = str(c, v, "kind", "trigger", 1, &kind)) < 0
        || (rc = str(c, v, "cron", "trigger", 0, &cron)) < 0
        || (rc = str(c, v, "timezone", "trigger", 0, &tz)) < 0
        || (rc = str(c, v, "start", "trigger", 0, &start)) < 0
        || (rc = str(c, v, "dir", "trigger", 0, &dir)) < 0
        || (rc = dur(c, v, "settle", "trigger", 60000, &tr->settle_ms)) < 0
        || (rc = dur(c, v, "min_interval", "trigger", 0, &tr->min_interval_ms)) < 0
        || (rc = dur(c, v, "backoff", "trigger", 60000, &tr->backoff_ms)) < 0)
        return rc;
    if (start && lk_time_parse(start, strlen(start), &tr->start_ms) < 0)
        return bad(c, "trigger.start", "bad instant '%s' (e.g. 2026-01-01T00:00:00Z)", start);
    if (tr->start_ms < 0) /* the audit tables would hold no times for it (jb_audit.c) */
        return bad(c, "trigger.start", "'%s' is before 1970-01-01T00:00:00Z", start);
    if (strcmp(kind, "manual") == 0)
        tr->kind = JB_MANUAL;
    else if (strcmp(kind, "continuous") == 0)
        tr->kind = JB_CONTINUOUS;
    else if (strcmp(kind, "schedule") == 0) {
        struct lk_err e = LK_ERR_INIT;
        int64_t next;
        tr->kind = JB_SCHEDULE;
        if (!cron)
            return bad(c, "trigger", "a schedule needs 'cron' (5 fields, e.g. \"0 */6 * * *\")");
        tr->tz = lk_xstrdup(tz ? tz : "UTC");
        if (lk_cron_parse(&tr->cron, cron, &e) < 0
            || lk_cron_next(&tr->cron, tr->tz, tr->start_ms / 1000, &next, &e) < 0)
            return bad(c, "trigger.cron", "%s", e.msg);
        tr->cron_text = lk_xstrdup(cron);
    } else if (strcmp(kind, "file_arrival") == 0) {
        tr->kind = JB_FILE_ARRIVAL;
        if (!dir)
            return bad(c, "trigger", "a file_arrival trigger needs 'dir' (the landing directory)");
        tr->dir = lk_xstrdup(dir);
    } else
        return bad(c, "trigger.kind", "'%s': manual, schedule, file_arrival or continuous", kind);
    if (tr->kind != JB_SCHEDULE && (cron || tz))
        return bad(c, "trigger", "cron and timezone belong to a schedule trigger");
    if (tr->kind != JB_FILE_ARRIVAL && dir)
        return bad(c, "trigger", "dir belongs to a file_arrival trigger");
    return 0;
}

static int parse_params(struct ctx *c, struct jb_job *job, const cJSON *v)
{
    const cJSON *p;
    if (!v)
        return 0;
    if (!cJSON_IsObject(v))
        return bad(c, "parameters", "must be an object of strings");
    job->pnames = lk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
    job->pvalues = lk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
    cJSON_ArrayForEach(p, v)
    {
        if (!cJSON_IsString(p))
            return bad(c, "parameters", "'%s' must be a string", p->string);
        if (!lk_spec_is_identifier(p->string))
            return bad(c, "parameters", "'%s' is not a name ([a-z_][a-z0-9_]*)", p->string);
        job->pnames[job->nparams] = lk_xstrdup(p->string);
        job->pvalues[job->nparams++] = lk_xstrdup(p->valuestring);
    }
    return 0;
}

static int parse_notify(struct ctx *c, struct jb_job *job, const cJSON *v)
{
    static const char *const members[] = { "webhooks", "file", NULL };
    const char *file;
    int rc;
    if (!v)
        return 0;
    if ((rc = only(c, v, "notify", members)) < 0
        || (rc = strings(c, cJSON_GetObjectItemCaseSensitive(v, "webhooks"), "notify.webhooks", 0,
                         &job->webhooks, &job->nwebhooks))
               < 0
        || (rc = str(c, v, "file", "notify", 0, &file)) < 0)
        return rc;
    for (size_t i = 0; i < job->nwebhooks; i++)
        if (strncmp(job->webhooks[i], "http://", 7) != 0
            && strncmp(job->webhooks[i], "https://", 8) != 0)
            return bad(c, "notify.webhooks", "'%s' is not an http:// or https:// URL",
                       job->webhooks[i]);
    job->notify_file = file ? lk_xstrdup(file) : NULL;
    return 0;
}

static int parse_job(struct ctx *c, struct jb_job *job, const cJSON *root)
{
    static const char *const members[] = { "name",  "description", "parameters", "trigger",
                                           "tasks", "alerts",      "notify",     NULL };
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks"), *t;
    const char *name, *desc;
    int rc, *mark;
    size_t i = 0, n = 0, *stack;
    if ((rc = only(c, root, "job", members)) < 0 || (rc = str(c, root, "name", "job", 1, &name)) < 0
        || (rc = str(c, root, "description", "job", 0, &desc)) < 0)
        return rc;
    job->name = lk_xstrdup(name);
    if ((rc = parse_params(c, job, cJSON_GetObjectItemCaseSensitive(root, "parameters"))) < 0
        || (rc = parse_trigger(c, &job->trigger, cJSON_GetObjectItemCaseSensitive(root, "trigger")))
               < 0
        || (rc = alerts(c, cJSON_GetObjectItemCaseSensitive(root, "alerts"), "alerts", &job->alerts,
                        &job->nalerts))
               < 0
        || (rc = parse_notify(c, job, cJSON_GetObjectItemCaseSensitive(root, "notify"))) < 0)
        return rc;
    if (!cJSON_IsArray(tasks) || cJSON_GetArraySize(tasks) == 0)
        return bad(c, "tasks", "must be a non-empty list of tasks");
    job->tasks = lk_xcalloc((size_t)cJSON_GetArraySize(tasks), sizeof(*job->tasks));
    cJSON_ArrayForEach(t, tasks)
    {
        if ((rc = parse_task(c, &job->tasks[i], t, i)) < 0)
            return job->ntasks = i + 1, rc;
        job->ntasks = ++i;
        if (find_task(job, i - 1, job->tasks[i - 1].name) >= 0)
            return bad(c, "tasks", "two tasks named '%s'", job->tasks[i - 1].name);
    }
    i = 0;
    cJSON_ArrayForEach(t, tasks)
    {
        if ((rc = parse_deps(c, job, &job->tasks[i],
                             cJSON_GetObjectItemCaseSensitive(t, "depends_on")))
            < 0)
            return rc;
        i++;
    }
    job->order = lk_xcalloc(job->ntasks, sizeof(size_t));
    mark = lk_xcalloc(job->ntasks, sizeof(int));
    stack = lk_xcalloc(job->ntasks + 1, sizeof(size_t));
    rc = 0;
    for (i = 0; i < job->ntasks && rc == 0; i++)
        rc = visit(c, job, i, mark, stack, 0, &n);
    free(mark);
    free(stack);
    return rc;
}

int jb_spec_load(struct jb_job *job, const char *path, struct lk_err *err)
{
    struct lk_buf origin = LK_BUF_INIT;
    struct ctx c;
    char *text = NULL, *slash;
    size_t len = 0;
    cJSON *root = NULL;
    int rc;
    memset(job, 0, sizeof(*job));
    job->path = lk_xstrdup(path);
    job->dir = lk_xstrdup(path);
    slash = strrchr(job->dir, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(job->dir, ".");
    if ((rc = lk_file_read_all(path, 1 << 20, &text, &len, err)) < 0)
        return rc;
    lk_buf_addf(&origin, "job '%s'", path);
    c.origin = origin.s;
    c.err = err;
    if ((rc = lk_spec_json_open(text, len, origin.s, &root, err)) == 0)
        rc = parse_job(&c, job, root);
    cJSON_Delete(root);
    free(text);
    lk_buf_release(&origin);
    return rc;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

void jb_spec_free(struct jb_job *job)
{
    for (size_t i = 0; i < job->ntasks; i++) {
        struct jb_task *t = &job->tasks[i];
        free(t->name);
        free_strings(t->argv, t->argc);
        free(t->shell);
        free(t->cond.value);
        free(t->deps);
        free_strings(t->items, t->nitems);
        for (size_t a = 0; a < t->nalerts; a++)
            free(t->alerts[a].rule);
        free(t->alerts);
    }
    for (size_t a = 0; a < job->nalerts; a++)
        free(job->alerts[a].rule);
    free(job->alerts);
    free(job->tasks);
    free(job->order);
    free(job->name);
    free(job->path);
    free(job->dir);
    free_strings(job->pnames, job->nparams);
    free_strings(job->pvalues, job->nparams);
    free_strings(job->webhooks, job->nwebhooks);
    free(job->notify_file);
    free(job->trigger.cron_text);
    free(job->trigger.tz);
    free(job->trigger.dir);
    memset(job, 0, sizeof(*job));
}

int jb_spec_set_param(struct jb_job *job, const char *kv, struct lk_err *err)
{
    const char *eq = strchr(kv, '=');
    char *name;
    if (!eq || eq == kv)
        return lk_err_set(err, LK_EUSAGE, "--param '%s': expected NAME=VALUE", kv);
    name = lk_xstrndup(kv, (size_t)(eq - kv));
    for (size_t i = 0; i < job->nparams; i++)
        if (strcmp(job->pnames[i], name) == 0) {
            free(name);
            free(job->pvalues[i]);
            job->pvalues[i] = lk_xstrdup(eq + 1);
            return 0;
        }
    if (!lk_spec_is_identifier(name)) {
        lk_err_set(err, LK_EUSAGE, "--param '%s': '%s' is not a name ([a-z_][a-z0-9_]*)", kv, name);
        free(name);
        return LK_EUSAGE;
    }
    job->pnames = lk_xreallocarray(job->pnames, job->nparams + 1, sizeof(char *));
    job->pvalues = lk_xreallocarray(job->pvalues, job->nparams + 1, sizeof(char *));
    job->pnames[job->nparams] = name;
    job->pvalues[job->nparams++] = lk_xstrdup(eq + 1);
    return 0;
}

int jb_spec_subst(const char *text, const char *const *names, const char *const *values, size_t n,
                  char **out, struct lk_err *err)
{
    struct lk_buf b = LK_BUF_INIT;
    const char *p = text, *open;
    while ((open = strstr(p, "{{")) != NULL) {
        const char *close = strstr(open + 2, "}}");
        size_t i, len;
        if (!close)
            break;
        lk_buf_add(&b, p, (size_t)(open - p));
        len = (size_t)(close - open - 2);
        for (i = 0; i < n; i++)
            if (strlen(names[i]) == len && memcmp(names[i], open + 2, len) == 0)
                break;
        if (i == n) {
            lk_err_set(err, LK_ESPEC, "unknown parameter '{{%.*s}}' in '%s'", (int)len, open + 2,
                       text);
            lk_buf_release(&b);
            return LK_ESPEC;
        }
        lk_buf_adds(&b, values[i]);
        p = close + 2;
    }
    lk_buf_adds(&b, p);
    *out = lk_buf_detach(&b, NULL);
    return 0;
}
