/*
 * lk_json - small cJSON helpers for run files: run.json, metrics.jsonl, manifests.
 *
 * Ownership follows cJSON: objects passed in stay the caller's. Numbers that must stay
 * exact beyond 2^53 are not used in these files (counts and ms fit in a double exactly).
 */
#ifndef LK_JSON_H
#define LK_JSON_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "lk_err.h"

/* Add an instant as an ISO string ("-inf"/"+inf" for the infinities). */
void lk_json_add_time(cJSON *obj, const char *name, int64_t ms);
/* Add an integer (exact below 2^53). */
void lk_json_add_int(cJSON *obj, const char *name, int64_t v);
/* obj's member name as an integer, or dflt when obj is NULL or the member is no number. */
int64_t lk_json_int(const cJSON *obj, const char *name, int64_t dflt);
/* Write obj pretty-printed to path atomically (temp + fsync + rename). */
int lk_json_write_file(const char *path, const cJSON *obj, struct lk_err *err);
/* Append obj as one unformatted line to fp and flush; LK_EIO on failure. */
int lk_json_append_line(FILE *fp, const cJSON *obj, struct lk_err *err);
/* Read and parse a JSON file; *out is the caller's (cJSON_Delete). */
int lk_json_read_file(const char *path, cJSON **out, struct lk_err *err);

#endif
