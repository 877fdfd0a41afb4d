/*
 * lk_spec - a pipeline spec (docs/formats.md), read from JSON with cJSON and checked.
 *
 *   { "name": "revenue",
 *     "dedup": "event_id",                               optional; only "event_id"
 *     "filter": [ {"field":"type", "in":["purchase"]},   optional; one object or a list;
 *                 {"field":"tenant", "equals":"t03"} ],  all must hold (AND)
 *     "group_by": ["tenant", "type"],                    0-4 distinct string fields
 *     "window": { "kind": "tumbling", "size": "1m" }     or sliding {size, slide},
 *                                                        or session {gap}
 *     "aggregates": [ {"fn":"count", "as":"events"},
 *                     {"fn":"sum"|"min"|"max", "of":"value", "as":"..."},
 *                     {"fn":"count_distinct", "of":"key", "as":"..."} ] }
 *   plus an optional "description" string.
 *
 * Rules: unknown members anywhere are rejected, and so are members given twice in one
 * object and strings with a \u0000 escape (cJSON would read the first copy, or cut the
 * string there: the lab refuses to guess, as it does for event lines); "as" names are identifiers
 * ([a-z_][a-z0-9_]*, <= 63 chars), distinct from each other, from the group fields and
 * from window_start/window_end (they become CSV and SQL column names); sum/min/max take
 * "of":"value"; count_distinct takes a string field; sliding needs 0 < slide <= size
 * (Spark's rule); at most 4 count_distinct aggregates; durations are lk_time durations > 0 (at most
 * LK_DURATION_MAX, 36500d: with event times bounded by lk_event.h every window end and
 * watermark can then be written). Windows are aligned to the epoch
 * and half-open [start, end). A session window for a group is [first event, last event +
 * gap); an event joins it when its time is < the current end (sessions that only touch
 * stay apart).
 *
 * Errors: lk_spec_parse/lk_spec_load return LK_ESPEC (or LK_ENOENT/LK_EIO for the file)
 * and fill err with a message naming the member, e.g.
 *   "window.size: bad duration '1x' (spec 'datasets/pipelines/r.json')".
 * struct lk_spec is a plain value (no heap), so copying it is fine.
 */
#ifndef LK_SPEC_H
#define LK_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"

#define LK_SPEC_NAME_MAX 64
#define LK_SPEC_MAX_GROUP 4
#define LK_SPEC_MAX_AGGS 16
#define LK_SPEC_MAX_DISTINCT 4 /* count_distinct aggregates per spec */
#define LK_SPEC_MAX_FILTERS 8
#define LK_SPEC_MAX_FILTER_VALUES 32
#define LK_SPEC_VALUE_MAX 64

enum lk_window_kind { LK_WIN_TUMBLING, LK_WIN_SLIDING, LK_WIN_SESSION };

struct lk_window_spec {
    enum lk_window_kind kind;
    int64_t size;  /* tumbling, sliding */
    int64_t slide; /* sliding; == size for tumbling */
    int64_t gap;   /* session */
};

enum lk_aggfn { LK_AGG_COUNT, LK_AGG_SUM, LK_AGG_MIN, LK_AGG_MAX, LK_AGG_COUNT_DISTINCT };

struct lk_agg_spec {
    enum lk_aggfn fn;
    int of; /* enum lk_field, -1 for count */
    char as[LK_SPEC_NAME_MAX];
};

struct lk_filter_spec {
    int field; /* a string field */
    size_t nvalues;
    char values[LK_SPEC_MAX_FILTER_VALUES][LK_SPEC_VALUE_MAX];
};

struct lk_spec {
    char name[LK_SPEC_NAME_MAX];
    int dedup; /* 1 when dedup by event_id */
    size_t ngroup;
    int group[LK_SPEC_MAX_GROUP]; /* enum lk_field, string fields */
    struct lk_window_spec window;
    size_t naggs;
    struct lk_agg_spec aggs[LK_SPEC_MAX_AGGS];
    size_t nfilters;
    struct lk_filter_spec filters[LK_SPEC_MAX_FILTERS];
};

/* Parse JSON text; origin names the source in messages ("spec 'x.json'"). */
int lk_spec_parse(struct lk_spec *spec, const char *json, size_t len, const char *origin,
                  struct lk_err *err);

/*
 * The strict JSON reading every spec of the lab shares (job specs too, jobs/jb_spec): parse
 * text into *root (cJSON_Delete it), refusing a \u0000 escape and members given twice, with
 * the same one-line LK_ESPEC messages as above.
 */
struct cJSON;
int lk_spec_json_open(const char *json, size_t len, const char *origin, struct cJSON **root,
                      struct lk_err *err);

/* Read and parse a spec file. */
int lk_spec_load(struct lk_spec *spec, const char *path, struct lk_err *err);

/*
 * Resolve the --pipeline argument: a path when it contains '/' or ends in ".json",
 * otherwise a name under <root>/datasets/pipelines/<name>.json. root may be NULL
 * (current directory). Writes the path into buf. A name with no such file, when that
 * directory exists, is LK_EUSAGE "unknown pipeline 'x' (did you mean 'y'? pipelines: a, b;
 * or a path to a spec .json)".
 */
int lk_spec_resolve(const char *arg, const char *root, char *buf, size_t size, struct lk_err *err);

/* 1 when the event's string fields pass every filter of the spec. */
struct lk_event;
int lk_spec_accepts(const struct lk_spec *spec, const struct lk_event *ev);

/*
 * Windows of a tumbling or sliding spec that contain t: writes their starts in
 * ascending order into starts (room for lk_spec_max_windows) and returns how many.
 * Each window is [start, start + size).
 */
size_t lk_spec_windows(const struct lk_spec *spec, int64_t t, int64_t *starts);
/* Upper bound of lk_spec_windows' count for this spec (1 for tumbling). */
size_t lk_spec_max_windows(const struct lk_spec *spec);

/*
 * The spec as canonical JSON text (heap, caller frees with free): parsing it gives an
 * equal spec. Runs store it so their results can be read back without the spec file.
 */
char *lk_spec_to_json(const struct lk_spec *spec);

/* 1 when s is a column name a spec may use: [a-z_][a-z0-9_]*, shorter than LK_SPEC_NAME_MAX. */
int lk_spec_is_identifier(const char *s);

/* Number of distinct-count aggregates (each needs its own set in an aggregate cell). */
size_t lk_spec_ndistinct(const struct lk_spec *spec);

#endif
