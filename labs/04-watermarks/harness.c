/*
 * Lab 04 harness: replays a JSONL event file (in arrival order) through YOUR wm_next and
 * wm_is_late, micro-batch by micro-batch, the way lklab kappa does with a processing-time
 * trigger (docs/kappa.md), and prints what it computed:
 *
 *   harness FILE TRIGGER DELAY WINDOW [ENGINE_WATERMARKS]
 *     batch <N> <trigger> <E_N>          per batch (times in ms)
 *     late <N> <event_id> <L_N>          per late row
 *   harness --probe                      a few hand-picked calls
 *
 * Batches: the query starts at the first arrival rounded down to TRIGGER, then runs at
 * every multiple of TRIGGER that has new arrivals (no-data batches are not modelled: the
 * fixture has none). E_0 = 0; after batch N, E_(N+1) = wm_next(E_N, max event time so
 * far, DELAY); L_N = E_(N-1). With ENGINE_WATERMARKS (a file of "<N> <E_N>" lines from the
 * engine), the late rule is applied with the engine's L_N, so it is tested on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lk_time.h"
#include "watermark.h"

#define MAX_BATCHES 100000

struct row {
    char id[64];
    int64_t event_time, arrival_time;
};

static int64_t engine_e[MAX_BATCHES];
static int have_engine;

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int parse_time(const cJSON *obj, const char *name, int64_t *ms)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) && lk_time_parse(v->valuestring, strlen(v->valuestring), ms) == 0 ? 0
                                                                                               : -1;
}

/* Read the file's rows (malformed lines skipped: the fixture has none). */
static struct row *read_rows(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "r");
    char line[4096];
    struct row *rows = NULL;
    size_t cap = 0;
    *n = 0;
    if (!fp) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof(line), fp)) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "event_id");
        struct row r;
        if (cJSON_IsString(id) && parse_time(o, "event_time", &r.event_time) == 0
            && parse_time(o, "arrival_time", &r.arrival_time) == 0) {
            snprintf(r.id, sizeof(r.id), "%s", id->valuestring);
            if (*n == cap) {
                cap = cap ? 2 * cap : 64;
                rows = realloc(rows, cap * sizeof(*rows));
            }
            rows[(*n)++] = r;
        }
        cJSON_Delete(o);
    }
    fclose(fp);
    return rows;
}

static void read_engine(const char *path)
{
    FILE *fp = fopen(path, "r");
    long long b, e;
    if (!fp) {
        perror(path);
        exit(2);
    }
    while (fscanf(fp, "%lld %lld", &b, &e) == 2)
        if (b >= 0 && b < MAX_BATCHES)
            engine_e[b] = e;
    fclose(fp);
    have_engine = 1;
}

static void replay(const struct row *rows, size_t n, int64_t trigger, int64_t delay, int64_t window)
{
    int64_t e = 0, prev_e = 0, max_seen = INT64_MIN, t;
    size_t i = 0;
    long batch = 0;
    if (n == 0)
        return;
    t = floor_div(rows[0].arrival_time, trigger) * trigger;
    while (i < n) {
        int64_t late_wm;
        t += trigger;
        if (rows[i].arrival_time > t)
            continue; /* nothing new: no batch */
        late_wm = have_engine ? (batch > 0 ? engine_e[batch - 1] : 0) : prev_e;
        printf("batch %ld %lld %lld\n", batch, (long long)t, (long long)e);
        for (; i < n && rows[i].arrival_time <= t; i++) {
            int64_t end = floor_div(rows[i].event_time, window) * window + window;
            if (wm_is_late(end, late_wm))
                printf("late %ld %s %lld\n", batch, rows[i].id, (long long)late_wm);
            if (rows[i].event_time > max_seen)
                max_seen = rows[i].event_time;
        }
        prev_e = e;
        e = wm_next(e, max_seen, delay);
        batch++;
    }
}

static void probe(void)
{
    /* window_end vs L_N around the boundary; a watermark that must not move back */
    printf("late(end=1000,L=1000) %d\n", wm_is_late(1000, 1000) != 0);
    printf("late(end=1001,L=1000) %d\n", wm_is_late(1001, 1000) != 0);
    printf("late(end=999,L=1000) %d\n", wm_is_late(999, 1000) != 0);
    printf("next(0,600000,60000) %lld\n", (long long)wm_next(0, 600000, 60000));
    printf("next(900000,600000,60000) %lld\n", (long long)wm_next(900000, 600000, 60000));
    printf("next(0,30000,60000) %lld\n", (long long)wm_next(0, 30000, 60000));
}

static int64_t duration(const char *s)
{
    int64_t ms;
    if (lk_duration_parse(s, &ms) != 0 || ms <= 0) {
        fprintf(stderr, "harness: bad duration '%s'\n", s);
        exit(2);
    }
    return ms;
}

int main(int argc, char **argv)
{
    struct row *rows;
    size_t n;
    if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
        probe();
        return 0;
    }
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: harness FILE TRIGGER DELAY WINDOW [ENGINE_WATERMARKS] | "
                        "harness --probe\n");
        return 2;
    }
    if (argc == 6)
        read_engine(argv[5]);
    rows = read_rows(argv[1], &n);
    replay(rows, n, duration(argv[2]), duration(argv[3]), duration(argv[4]));
    free(rows);
    return 0;
}
