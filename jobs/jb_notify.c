#include "jb_notify.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdlib.h>

#include "lk_json.h"

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * nmemb;
}

/* POST body to url: 0 and "HTTP 200", or -1 and the reason. */
static int post(const char *url, const char *body, char *detail, size_t size)
{
    static int inited;
    CURL *c;
    struct curl_slist *h = NULL;
    CURLcode rc;
    long status = 0;
    if (!inited) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        inited = 1;
    }
    if (!(c = curl_easy_init())) {
        snprintf(detail, size, "libcurl could not start");
        return -1;
    }
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(detail, size, "%s", curl_easy_strerror(rc));
        return -1;
    }
    snprintf(detail, size, "HTTP %ld", status);
    return status >= 200 && status < 300 ? 0 : -1;
}

int jb_notify_send(struct jb_notify *n, const struct jb_event *ev, struct lk_err *err)
{
    cJSON *o = cJSON_CreateObject();
    char *body;
    int rc = 0;
    cJSON_AddStringToObject(o, "event", ev->event);
    cJSON_AddStringToObject(o, "job", n->job);
    lk_json_add_int(o, "run_id", ev->run_id);
    if (ev->task)
        cJSON_AddStringToObject(o, "task", ev->task);
    lk_json_add_time(o, "time", ev->time_ms);
    cJSON_AddStringToObject(o, "state", ev->state);
    if (ev->detail)
        cJSON_AddStringToObject(o, "detail", ev->detail);
    if (n->file && (rc = lk_json_append_line(n->file, o, err)) == 0 && fflush(n->file) != 0)
        rc = lk_err_set(err, LK_EIO, "writing the notify file");
    body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    for (size_t i = 0; rc == 0 && i < n->nwebhooks; i++) {
        char detail[256];
        int ok = post(n->webhooks[i], body, detail, sizeof(detail)) == 0;
        rc = jb_audit_note(n->audit, ev->run_id, ev->task, ev->event, n->webhooks[i],
                           ok ? "ok" : "failed", detail, err);
    }
    free(body);
    return rc;
}
