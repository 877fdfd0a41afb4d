/* lk_run: the run contract's names and run.json (lk_run.h). */
#include "lk_run.h"

#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_json.h"
#include "lk_lock.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

#define NAMES(a) (sizeof(a) / sizeof((a)[0]))

static const char *const stack_names[] = { "kappa", "lambda" };
static const char *const trigger_names[] = { "interval", "once", "available-now", "continuous" };
static const char *const mode_names[] = { "append", "update", "complete" };

static int lookup(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

const char *lk_stack_name(enum lk_stack s)
{
    return (unsigned)s < NAMES(stack_names) ? stack_names[s] : "?";
}

int lk_stack_lookup(const char *name)
{
    return lookup(stack_names, NAMES(stack_names), name);
}

const char *lk_trigger_name(enum lk_trigger_kind k)
{
    return (unsigned)k < NAMES(trigger_names) ? trigger_names[k] : "?";
}

int lk_trigger_lookup(const char *text)
{
    int64_t ms;
    int k = lookup(trigger_names + 1, NAMES(trigger_names) - 1, text);
    if (k >= 0)
        return k + 1;
    return text && lk_duration_parse(text, &ms) == 0 && ms > 0 ? LK_TRIGGER_INTERVAL : -1;
}

const char *lk_mode_name(enum lk_mode m)
{
    return (unsigned)m < NAMES(mode_names) ? mode_names[m] : "?";
}

int lk_mode_lookup(const char *name)
{
    return lookup(mode_names, NAMES(mode_names), name);
}

/* ------------------------------------------------------------- run.json ---- */

static char *json_path(const char *dir)
{
    size_t n = strlen(dir) + sizeof("/run.json");
    char *path = lk_xmalloc(n);
    snprintf(path, n, "%s/run.json", dir);
    return path;
}

int lk_run_json_stack(const cJSON *root)
{
    return lk_stack_lookup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "stack")));
}

/*
 * Why a directory without run.json is not a run to read: one still running (its lock is
 * held) or one that crashed or was stopped has a partial answer (lk_lock names which);
 * anything else is no run.
 */
static int no_run_json(const char *dir, struct lk_err *err)
{
    size_t n = strlen(dir) + 16;
    char *db = lk_xmalloc(n);
    int rc;
    snprintf(db, n, "%s/serving.db", dir);
    rc = lk_is_file(db) ? lk_lock_check_finished(dir, err) : 0;
    free(db);
    if (rc == 0) /* no serving.db, or run.json appeared meanwhile */
        rc = lk_err_set(err, LK_ENOENT,
                        "run '%s' has no run.json (not a run, or it has not finished)", dir);
    return rc;
}

int lk_run_open(struct lk_run *r, const char *dir, struct lk_err *err)
{
    char *path = json_path(dir);
    int rc, stack = -1;
    r->dir = dir;
    r->json = NULL;
    if (!lk_is_dir(dir))
        rc = lk_err_set(err, LK_ENOENT, "no run '%s'", dir);
    else if (!lk_is_file(path))
        rc = no_run_json(dir, err);
    else if ((rc = lk_json_read_file(path, &r->json, err)) == 0
             && (stack = lk_run_json_stack(r->json)) < 0)
        rc = lk_err_set(err, LK_EINPUT,
                        "run '%s': run.json names no stack (\"stack\": \"%s\" or \"%s\")", dir,
                        stack_names[0], stack_names[1]);
    free(path);
    if (rc < 0)
        lk_run_release(r);
    else
        r->stack = (enum lk_stack)stack;
    return rc;
}

void lk_run_release(struct lk_run *r)
{
    if (!r)
        return;
    cJSON_Delete(r->json);
    r->json = NULL;
}

const char *lk_run_param(const struct lk_run *r, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r->json, "parameters"), name));
}

cJSON *lk_run_json_new(enum lk_stack s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "stack", lk_stack_name(s));
    return root;
}

int lk_run_json_write(const char *dir, const cJSON *root, struct lk_err *err)
{
    char *path = json_path(dir);
    int rc = lk_json_write_file(path, root, err);
    free(path);
    return rc;
}
