#include "lk_json.h"

#include <stdlib.h>
#include <string.h>

#include "lk_file.h"
#include "lk_time.h"
#include "banned.h"

void lk_json_add_time(cJSON *obj, const char *name, int64_t ms)
{
    char buf[LK_TIME_ISO_LEN + 1];
    if (ms == LK_TIME_NEG_INF)
        cJSON_AddStringToObject(obj, name, "-inf");
    else if (ms == LK_TIME_POS_INF)
        cJSON_AddStringToObject(obj, name, "+inf");
    else if (lk_time_format(ms, buf) < 0)
        cJSON_AddNullToObject(obj, name);
    else
        cJSON_AddStringToObject(obj, name, buf);
}

void lk_json_add_int(cJSON *obj, const char *name, int64_t v)
{
    cJSON_AddNumberToObject(obj, name, (double)v);
}

int lk_json_write_file(const char *path, const cJSON *obj, struct lk_err *err)
{
    struct lk_atomic a = LK_ATOMIC_INIT;
    char *text = cJSON_Print(obj);
    int rc;
    if (!text)
        return lk_err_set(err, LK_EINTERNAL, "cannot format json for '%s'", path);
    rc = lk_atomic_open(&a, path, err);
    if (rc == 0) {
        fputs(text, a.fp);
        fputc('\n', a.fp);
        rc = lk_atomic_commit(&a, err);
    }
    cJSON_free(text);
    return rc;
}

int lk_json_append_line(FILE *fp, const cJSON *obj, struct lk_err *err)
{
    char *text = cJSON_PrintUnformatted(obj);
    int rc;
    if (!text)
        return lk_err_set(err, LK_EINTERNAL, "cannot format json line");
    rc = lk_file_append_line(fp, text, err);
    cJSON_free(text);
    return rc;
}

int lk_json_read_file(const char *path, cJSON **out, struct lk_err *err)
{
    char *text;
    size_t len;
    int rc = lk_file_read_all(path, (size_t)64 << 20, &text, &len, err);
    if (rc < 0)
        return rc;
    *out = cJSON_ParseWithLength(text, len);
    free(text);
    if (!*out)
        return lk_err_set(err, LK_EINPUT, "cannot read '%s' (not valid json)", path);
    return 0;
}

int64_t lk_json_int(const cJSON *obj, const char *name, int64_t dflt)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}
