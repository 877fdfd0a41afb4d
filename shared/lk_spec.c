#include "lk_spec.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_event.h"
#include "lk_file.h"
#include "lk_mem.h"
#include "lk_suggest.h"
#include "lk_time.h"
#include "banned.h"

struct ctx {
    const char *origin;
    struct lk_err *err;
};

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Messages are one line (lk_err.h): control characters from the spec text become '?'. */
static int one_line(struct lk_err *err, int code)
{
    if (err)
        for (char *p = err->msg; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    return code;
}

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
{
    char msg[LK_ERR_MSG_MAX];
    /* A long quoted value is cut (with "...") so that the origin still fits. */
    size_t fixed = strlen(where) + strlen(c->origin) + 5; /* ": ", " (", ")" */
    size_t room = fixed + 64 < sizeof(msg) ? sizeof(msg) - fixed : 64;
    int n;
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(msg, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= room)
        memcpy(msg + room - 4, "...", 4);
    return one_line(c->err, lk_err_set(c->err, LK_ESPEC, "%s: %s (%s)", where, msg, c->origin));
}

/* Every member of obj must be in the NULL-terminated list allowed. */
static int only_members(struct ctx *c, const cJSON *obj, const char *where,
                        const char *const *allowed)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(m->string, *a) == 0)
                ok = 1;
        if (!ok) {
            char w[128];
            snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", m->string);
            return bad(c, w, "unknown field");
        }
    }
    return 0;
}

static int get_string(struct ctx *c, const cJSON *obj, const char *name, const char *where,
                      const char **out, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    char w[128];
    snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", name);
    if (!v) {
        *out = NULL;
        return required ? bad(c, w, "missing") : 0;
    }
    if (!cJSON_IsString(v))
        return bad(c, w, "must be a string");
    *out = v->valuestring;
    return 0;
}

static int get_duration(struct ctx *c, const cJSON *obj, const char *name, const char *where,
                        int64_t *out)
{
    const char *s;
    char w[128];
    int rc = get_string(c, obj, name, where, &s, 1);
    if (rc < 0)
        return rc;
    snprintf(w, sizeof(w), "%s.%s", where, name);
    /* A century at most (LK_DURATION_MAX): every window of an accepted event then ends
     * at an instant that can be written (lk_event.h bounds event times). */
    if ((rc = lk_duration_parse(s, out)) == LK_ERANGE)
        return bad(c, w, "duration '%s' is too long (at most 36500d)", s);
    if (rc < 0 || *out <= 0)
        return bad(c, w, "bad duration '%s' (use e.g. 250ms, 30s, 10m, 6h, 1d; > 0)", s);
    return 0;
}

static int string_field(struct ctx *c, const char *where, const char *name, int *out)
{
    int f = lk_field_lookup(name);
    if (f < 0 || !lk_field_is_string(f))
        return bad(c, where, "'%s' is not a string field (event_id, tenant, key, type)", name);
    *out = f;
    return 0;
}

int lk_spec_is_identifier(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= LK_SPEC_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int parse_window(struct ctx *c, struct lk_spec *spec, const cJSON *w)
{
    static const char *const tumbling[] = { "kind", "size", NULL };
    static const char *const sliding[] = { "kind", "size", "slide", NULL };
    static const char *const session[] = { "kind", "gap", NULL };
    const char *kind;
    int rc;
    if (!w)
        return bad(c, "window", "missing");
    if (!cJSON_IsObject(w))
        return bad(c, "window", "must be an object");
    if ((rc = get_string(c, w, "kind", "window", &kind, 1)) < 0)
        return rc;
    if (strcmp(kind, "tumbling") == 0) {
        spec->window.kind = LK_WIN_TUMBLING;
        if ((rc = only_members(c, w, "window", tumbling)) < 0
            || (rc = get_duration(c, w, "size", "window", &spec->window.size)) < 0)
            return rc;
        spec->window.slide = spec->window.size;
    } else if (strcmp(kind, "sliding") == 0) {
        spec->window.kind = LK_WIN_SLIDING;
        if ((rc = only_members(c, w, "window", sliding)) < 0
            || (rc = get_duration(c, w, "size", "window", &spec->window.size)) < 0
            || (rc = get_duration(c, w, "slide", "window", &spec->window.slide)) < 0)
            return rc;
        if (spec->window.slide > spec->window.size)
            return bad(c, "window.slide", "must not exceed window.size");
        if (spec->window.size / spec->window.slide > 1000)
            return bad(c, "window.slide", "too small: more than 1000 windows per event");
    } else if (strcmp(kind, "session") == 0) {
        spec->window.kind = LK_WIN_SESSION;
        if ((rc = only_members(c, w, "window", session)) < 0
            || (rc = get_duration(c, w, "gap", "window", &spec->window.gap)) < 0)
            return rc;
    } else {
        return bad(c, "window.kind", "unknown kind '%s' (tumbling, sliding, session)", kind);
    }
    return 0;
}

static int parse_agg(struct ctx *c, struct lk_spec *spec, const cJSON *a, size_t idx)
{
    static const char *const members[] = { "fn", "of", "as", NULL };
    static const char *const fns[] = { "count", "sum", "min", "max", "count_distinct" };
    struct lk_agg_spec *ag = &spec->aggs[idx];
    char where[64];
    const char *fn, *of, *as;
    int rc, found = -1;
    snprintf(where, sizeof(where), "aggregates[%zu]", idx);
    if (!cJSON_IsObject(a))
        return bad(c, where, "must be an object");
    if ((rc = only_members(c, a, where, members)) < 0
        || (rc = get_string(c, a, "fn", where, &fn, 1)) < 0
        || (rc = get_string(c, a, "of", where, &of, 0)) < 0
        || (rc = get_string(c, a, "as", where, &as, 1)) < 0)
        return rc;
    for (int i = 0; i < 5; i++)
        if (strcmp(fn, fns[i]) == 0)
            found = i;
    snprintf(where, sizeof(where), "aggregates[%zu].fn", idx);
    if (found < 0)
        return bad(c, where, "unknown function '%s' (count, sum, min, max, count_distinct)", fn);
    ag->fn = (enum lk_aggfn)found;
    snprintf(where, sizeof(where), "aggregates[%zu].of", idx);
    if (ag->fn == LK_AGG_COUNT) {
        if (of)
            return bad(c, where, "count takes no 'of'");
        ag->of = -1;
    } else if (!of) {
        return bad(c, where, "missing (%s needs a field)", fn);
    } else if (ag->fn == LK_AGG_COUNT_DISTINCT) {
        if ((rc = string_field(c, where, of, &ag->of)) < 0)
            return rc;
    } else if (strcmp(of, "value") != 0) {
        return bad(c, where, "'%s' is not numeric (only 'value' can be summed)", of);
    } else {
        ag->of = LK_F_VALUE;
    }
    snprintf(where, sizeof(where), "aggregates[%zu].as", idx);
    if (!lk_spec_is_identifier(as))
        return bad(c, where, "'%s' is not a column name ([a-z_][a-z0-9_]*, < 64 chars)", as);
    memcpy(ag->as, as, strlen(as) + 1);
    return 0;
}

static int name_taken(const struct lk_spec *spec, size_t upto, const char *as)
{
    if (strcmp(as, "window_start") == 0 || strcmp(as, "window_end") == 0)
        return 1;
    for (size_t g = 0; g < spec->ngroup; g++)
        if (strcmp(as, lk_field_name(spec->group[g])) == 0)
            return 1;
    for (size_t i = 0; i < upto; i++)
        if (strcmp(as, spec->aggs[i].as) == 0)
            return 1;
    return 0;
}

static int parse_aggs(struct ctx *c, struct lk_spec *spec, const cJSON *aggs)
{
    const cJSON *a;
    int rc;
    if (!aggs)
        return bad(c, "aggregates", "missing");
    if (!cJSON_IsArray(aggs) || cJSON_GetArraySize(aggs) == 0)
        return bad(c, "aggregates", "must be a non-empty list");
    if (cJSON_GetArraySize(aggs) > LK_SPEC_MAX_AGGS)
        return bad(c, "aggregates", "too many (at most 16)");
    cJSON_ArrayForEach(a, aggs)
    {
        char where[64];
        if ((rc = parse_agg(c, spec, a, spec->naggs)) < 0)
            return rc;
        snprintf(where, sizeof(where), "aggregates[%zu].as", spec->naggs);
        if (name_taken(spec, spec->naggs, spec->aggs[spec->naggs].as))
            return bad(c, where, "'%s' is already a column name", spec->aggs[spec->naggs].as);
        spec->naggs++;
    }
    if (lk_spec_ndistinct(spec) > LK_SPEC_MAX_DISTINCT)
        return bad(c, "aggregates", "too many count_distinct (at most %d)", LK_SPEC_MAX_DISTINCT);
    return 0;
}

static int parse_group(struct ctx *c, struct lk_spec *spec, const cJSON *g)
{
    const cJSON *item;
    if (!g)
        return 0;
    if (!cJSON_IsArray(g))
        return bad(c, "group_by", "must be a list of field names");
    if (cJSON_GetArraySize(g) > LK_SPEC_MAX_GROUP)
        return bad(c, "group_by", "too many fields (at most 4)");
    cJSON_ArrayForEach(item, g)
    {
        char where[64];
        int f = -1, rc;
        snprintf(where, sizeof(where), "group_by[%zu]", spec->ngroup);
        if (!cJSON_IsString(item))
            return bad(c, where, "must be a string");
        if ((rc = string_field(c, where, item->valuestring, &f)) < 0)
            return rc;
        for (size_t i = 0; i < spec->ngroup; i++)
            if (spec->group[i] == f)
                return bad(c, where, "'%s' is listed twice", item->valuestring);
        spec->group[spec->ngroup++] = f;
    }
    return 0;
}

static int add_filter_value(struct ctx *c, struct lk_filter_spec *f, const cJSON *v,
                            const char *where)
{
    if (!cJSON_IsString(v))
        return bad(c, where, "values must be strings");
    if (f->nvalues >= LK_SPEC_MAX_FILTER_VALUES)
        return bad(c, where, "too many values (at most 32)");
    if (strlen(v->valuestring) == 0 || strlen(v->valuestring) >= LK_SPEC_VALUE_MAX)
        return bad(c, where, "value '%s' must have 1 to 63 bytes", v->valuestring);
    memcpy(f->values[f->nvalues++], v->valuestring, strlen(v->valuestring) + 1);
    return 0;
}

static int parse_filter(struct ctx *c, struct lk_spec *spec, const cJSON *o, size_t idx)
{
    static const char *const members[] = { "field", "in", "equals", NULL };
    struct lk_filter_spec *f = &spec->filters[idx];
    const cJSON *in, *eq, *v;
    const char *field;
    char where[64];
    int rc;
    snprintf(where, sizeof(where), "filter[%zu]", idx);
    if (!cJSON_IsObject(o))
        return bad(c, where, "must be an object");
    if ((rc = only_members(c, o, where, members)) < 0
        || (rc = get_string(c, o, "field", where, &field, 1)) < 0)
        return rc;
    snprintf(where, sizeof(where), "filter[%zu].field", idx);
    if ((rc = string_field(c, where, field, &f->field)) < 0)
        return rc;
    in = cJSON_GetObjectItemCaseSensitive(o, "in");
    eq = cJSON_GetObjectItemCaseSensitive(o, "equals");
    snprintf(where, sizeof(where), "filter[%zu]", idx);
    if (!in == !eq)
        return bad(c, where, "needs exactly one of 'in' or 'equals'");
    if (eq) {
        snprintf(where, sizeof(where), "filter[%zu].equals", idx);
        return add_filter_value(c, f, eq, where);
    }
    snprintf(where, sizeof(where), "filter[%zu].in", idx);
    if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) == 0)
        return bad(c, where, "must be a non-empty list");
    cJSON_ArrayForEach(v, in)
    {
        if ((rc = add_filter_value(c, f, v, where)) < 0)
            return rc;
    }
    return 0;
}

static int parse_filters(struct ctx *c, struct lk_spec *spec, const cJSON *f)
{
    const cJSON *item;
    int rc;
    if (!f)
        return 0;
    if (cJSON_IsObject(f)) {
        spec->nfilters = 1;
        return parse_filter(c, spec, f, 0);
    }
    if (!cJSON_IsArray(f))
        return bad(c, "filter", "must be an object or a list of objects");
    if (cJSON_GetArraySize(f) > LK_SPEC_MAX_FILTERS)
        return bad(c, "filter", "too many (at most 8)");
    cJSON_ArrayForEach(item, f)
    {
        if ((rc = parse_filter(c, spec, item, spec->nfilters)) < 0)
            return rc;
        spec->nfilters++;
    }
    return 0;
}

/*
 * Members given twice anywhere (cJSON keeps both and reads the first: JSON parsers
 * disagree on which copy wins, so the lab refuses to guess, as it does for event lines).
 */
static int no_duplicates(struct ctx *c, const cJSON *node, const char *where)
{
    const cJSON *m;
    size_t i = 0;
    cJSON_ArrayForEach(m, node)
    {
        char w[128];
        int rc;
        if (cJSON_IsObject(node))
            snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", m->string);
        else
            snprintf(w, sizeof(w), "%s[%zu]", where, i);
        i++;
        for (const cJSON *o = m->next; o && cJSON_IsObject(node); o = o->next)
            if (strcmp(o->string, m->string) == 0)
                return bad(c, w, "given twice");
        if ((rc = no_duplicates(c, m, w)) < 0)
            return rc;
    }
    return 0;
}

/*
 * A \u0000 escape in any string (cJSON would cut the string there, so "ab\u0000cd" would
 * read as "ab"). Scans the text's strings; returns the byte offset of the escape or -1.
 */
static long nul_escape(const char *json, size_t len)
{
    int in = 0;
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '"')
            in = !in;
        else if (in && json[i] == '\\' && i + 1 < len) {
            if (json[i + 1] == 'u' && i + 5 < len && memcmp(json + i + 2, "0000", 4) == 0)
                return (long)i;
            i++; /* the escaped character */
        }
    }
    return -1;
}

static int parse_root(struct ctx *c, struct lk_spec *spec, const cJSON *root)
{
    static const char *const members[] = { "name",     "description", "dedup",      "filter",
                                           "group_by", "window",      "aggregates", NULL };
    const char *name, *dedup, *desc;
    int rc;
    if (!cJSON_IsObject(root))
        return one_line(c->err,
                        lk_err_set(c->err, LK_ESPEC, "spec must be a json object (%s)", c->origin));
    if ((rc = no_duplicates(c, root, "")) < 0 || (rc = only_members(c, root, "", members)) < 0
        || (rc = get_string(c, root, "name", "", &name, 1)) < 0
        || (rc = get_string(c, root, "description", "", &desc, 0)) < 0
        || (rc = get_string(c, root, "dedup", "", &dedup, 0)) < 0)
        return rc;
    if (!lk_spec_is_identifier(name))
        return bad(c, "name", "'%s' is not a name ([a-z_][a-z0-9_]*, < 64 chars)", name);
    memcpy(spec->name, name, strlen(name) + 1);
    if (dedup && strcmp(dedup, "event_id") != 0)
        return bad(c, "dedup", "only \"event_id\" is supported, not '%s'", dedup);
    spec->dedup = dedup != NULL;
    if ((rc = parse_filters(c, spec, cJSON_GetObjectItemCaseSensitive(root, "filter"))) < 0
        || (rc = parse_group(c, spec, cJSON_GetObjectItemCaseSensitive(root, "group_by"))) < 0
        || (rc = parse_window(c, spec, cJSON_GetObjectItemCaseSensitive(root, "window"))) < 0
        || (rc = parse_aggs(c, spec, cJSON_GetObjectItemCaseSensitive(root, "aggregates"))) < 0)
        return rc;
    return 0;
}

int lk_spec_parse(struct lk_spec *spec, const char *json, size_t len, const char *origin,
                  struct lk_err *err)
{
    struct ctx c = { origin, err };
    cJSON *root;
    long nul;
    int rc;
    memset(spec, 0, sizeof(*spec));
    root = cJSON_ParseWithLength(json, len);
    if (!root)
        return one_line(err, lk_err_set(err, LK_ESPEC, "not valid json (%s)", origin));
    if ((nul = nul_escape(json, len)) >= 0) {
        cJSON_Delete(root);
        return one_line(err, lk_err_set(err, LK_ESPEC,
                                        "a string contains \\u0000 at byte %ld "
                                        "(%s)",
                                        nul, origin));
    }
    rc = parse_root(&c, spec, root);
    cJSON_Delete(root);
    return rc;
}

int lk_spec_json_open(const char *json, size_t len, const char *origin, struct cJSON **root,
                      struct lk_err *err)
{
    struct ctx c = { origin, err };
    long nul;
    int rc;
    *root = cJSON_ParseWithLength(json, len);
    if (!*root)
        return one_line(err, lk_err_set(err, LK_ESPEC, "not valid json (%s)", origin));
    if ((nul = nul_escape(json, len)) >= 0)
        rc = one_line(err, lk_err_set(err, LK_ESPEC, "a string contains \\u0000 at byte %ld (%s)",
                                      nul, origin));
    else
        rc = no_duplicates(&c, *root, "");
    if (rc < 0) {
        cJSON_Delete(*root);
        *root = NULL;
    }
    return rc;
}

int lk_spec_load(struct lk_spec *spec, const char *path, struct lk_err *err)
{
    char origin[300];
    char *text = NULL;
    size_t len;
    int rc = lk_file_read_all(path, 1 << 20, &text, &len, err);
    if (rc < 0)
        return rc;
    snprintf(origin, sizeof(origin), "spec '%s'", path);
    rc = lk_spec_parse(spec, text, len, origin, err);
    free(text);
    return rc;
}

/* "unknown pipeline 'revnue' (did you mean 'revenue'? pipelines: revenue, sessions, ...)" */
static int unknown_pipeline(const char *arg, const char *dir, struct lk_err *err)
{
    char **names = NULL, list[256] = "none";
    size_t n = 0, used = 0;
    const char *near;
    int rc;
    if (lk_list_dir(dir, ".json", &names, &n, NULL) < 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        names[i][strlen(names[i]) - 5] = '\0'; /* the name, without ".json" */
        if (used < sizeof(list))
            used +=
                (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
    }
    near = lk_suggest(arg, (const char *const *)names, n);
    rc = lk_err_set(err, LK_EUSAGE,
                    "unknown pipeline '%s' (%s%s%spipelines: %s; or a path to a spec .json)", arg,
                    near ? "did you mean '" : "", near ? near : "", near ? "'? " : "", list);
    lk_list_free(names, n);
    return rc;
}

int lk_spec_resolve(const char *arg, const char *root, char *buf, size_t size, struct lk_err *err)
{
    size_t n = strlen(arg);
    char dir[4096];
    int w;
    if (n == 0)
        return lk_err_set(err, LK_EUSAGE, "empty pipeline name");
    if (strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".json") == 0)) {
        w = snprintf(buf, size, "%s", arg);
    } else {
        snprintf(dir, sizeof(dir), "%s%sdatasets/pipelines", root ? root : "",
                 root && *root ? "/" : "");
        w = snprintf(buf, size, "%s/%s.json", dir, arg);
        if (w >= 0 && (size_t)w < size && lk_is_dir(dir) && !lk_is_file(buf))
            return unknown_pipeline(arg, dir, err);
    }
    if (w < 0 || (size_t)w >= size)
        return lk_err_set(err, LK_EUSAGE, "pipeline path too long");
    return 0;
}

int lk_spec_accepts(const struct lk_spec *spec, const struct lk_event *ev)
{
    for (size_t i = 0; i < spec->nfilters; i++) {
        const struct lk_filter_spec *f = &spec->filters[i];
        const struct lk_str *s = &ev->str[f->field];
        int hit = 0;
        for (size_t k = 0; k < f->nvalues && !hit; k++)
            hit = strlen(f->values[k]) == s->len && memcmp(f->values[k], s->ptr, s->len) == 0;
        if (!hit)
            return 0;
    }
    return 1;
}

size_t lk_spec_windows(const struct lk_spec *spec, int64_t t, int64_t *starts)
{
    int64_t size = spec->window.size, slide = spec->window.slide;
    int64_t last = lk_align_down(t, slide), first = last;
    size_t n = 0;
    while (first - slide > t - size) /* first - slide + size > t */
        first -= slide;
    for (int64_t s = first; s <= last; s += slide)
        starts[n++] = s;
    return n;
}

size_t lk_spec_max_windows(const struct lk_spec *spec)
{
    if (spec->window.kind != LK_WIN_SLIDING)
        return 1;
    return (size_t)((spec->window.size + spec->window.slide - 1) / spec->window.slide);
}

size_t lk_spec_ndistinct(const struct lk_spec *spec)
{
    size_t n = 0;
    for (size_t i = 0; i < spec->naggs; i++)
        n += spec->aggs[i].fn == LK_AGG_COUNT_DISTINCT;
    return n;
}

static void add_duration(cJSON *o, const char *name, int64_t ms)
{
    char buf[32];
    lk_duration_format(ms, buf, sizeof(buf));
    cJSON_AddStringToObject(o, name, buf);
}

static cJSON *window_json(const struct lk_window_spec *w)
{
    static const char *const kinds[] = { "tumbling", "sliding", "session" };
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kinds[w->kind]);
    if (w->kind == LK_WIN_SESSION) {
        add_duration(o, "gap", w->gap);
    } else {
        add_duration(o, "size", w->size);
        if (w->kind == LK_WIN_SLIDING)
            add_duration(o, "slide", w->slide);
    }
    return o;
}

char *lk_spec_to_json(const struct lk_spec *spec)
{
    static const char *const fns[] = { "count", "sum", "min", "max", "count_distinct" };
    cJSON *root = cJSON_CreateObject(), *arr;
    char *text, *copy;
    cJSON_AddStringToObject(root, "name", spec->name);
    if (spec->dedup)
        cJSON_AddStringToObject(root, "dedup", "event_id");
    if (spec->nfilters) {
        arr = cJSON_AddArrayToObject(root, "filter");
        for (size_t i = 0; i < spec->nfilters; i++) {
            cJSON *f = cJSON_CreateObject(), *in = cJSON_CreateArray();
            cJSON_AddStringToObject(f, "field", lk_field_name(spec->filters[i].field));
            for (size_t k = 0; k < spec->filters[i].nvalues; k++)
                cJSON_AddItemToArray(in, cJSON_CreateString(spec->filters[i].values[k]));
            cJSON_AddItemToObject(f, "in", in);
            cJSON_AddItemToArray(arr, f);
        }
    }
    arr = cJSON_AddArrayToObject(root, "group_by");
    for (size_t g = 0; g < spec->ngroup; g++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(lk_field_name(spec->group[g])));
    cJSON_AddItemToObject(root, "window", window_json(&spec->window));
    arr = cJSON_AddArrayToObject(root, "aggregates");
    for (size_t i = 0; i < spec->naggs; i++) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "fn", fns[spec->aggs[i].fn]);
        if (spec->aggs[i].of >= 0)
            cJSON_AddStringToObject(a, "of", lk_field_name(spec->aggs[i].of));
        cJSON_AddStringToObject(a, "as", spec->aggs[i].as);
        cJSON_AddItemToArray(arr, a);
    }
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    copy = lk_xstrdup(text);
    cJSON_free(text);
    return copy;
}
