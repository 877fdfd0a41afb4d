/*
 * flink_test - run a scenario translated from one of Apache Flink's window tests through
 * the real `lklab kappa --trigger continuous` (tests/flink/README.md says how a Flink test
 * becomes a scenario and which tests cannot be expressed).
 *
 * A scenario is a list of tokens, one input line each, in arrival order:
 *   "key@ts[=value][#id]"  Flink's processElement(StreamRecord(Tuple2(key, value), ts)):
 *                     event time 2026-01-01T00:00:00Z + ts ms (value defaults to 1, the
 *                     event_id to e<line>; #id makes a re-delivery of id)
 *   "W<ts>"           Flink's processWatermark(new Watermark(ts))
 * Line i arrives at 12:00:00 + 20 s * i (three lines per 1-minute checkpoint epoch), and
 * --cost-model none makes an output row visible at the arrival of the line that made it.
 *
 * Watermarks. lklab's watermark is bounded-delay: max event time seen - delay, after every
 * event in continuous mode. Flink's test harness sets it explicitly. A "W<ts>" token is a
 * marker line the spec's filter rejects (type "wm", so it is never aggregated) whose event
 * time is ts + 1 ms + FL_DELAY: it moves lklab's watermark to exactly ts + 1. The + 1 is
 * the convention: Flink's window fires when maxTimestamp = end - 1 <= watermark, lklab's
 * when end <= watermark, so Flink's watermark ts is lklab's ts + 1 (Flink's own
 * BoundedOutOfOrdernessWatermarks emits max - delay - 1 for the same reason). The delay
 * (1 h) is far above every element's time, so only markers move the watermark.
 *
 * Checking. fl_fired() gives Flink's operator output: which line fired which window with
 * which value. Append mode: the output rows by visible time. Update mode: Flink's
 * EventTimeTrigger replayed over lklab's change feed (a row fires when a marker's
 * watermark passes its end, or at once when an element changes a row the watermark has
 * passed: the re-emissions of allowed lateness). fl_side() is Flink's late side output:
 * the events the `late` table holds for every one of their windows.
 */
#ifndef FLINK_TEST_H
#define FLINK_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_buf.h"
#include "lk_test.h"

#define FL_E0 1767225600000LL /* 2026-01-01T00:00:00Z: Flink's timestamp 0 */
#define FL_A0 1767268800000LL /* 2026-01-01T12:00:00Z: arrival of line 0 */
#define FL_STEP 20000LL       /* between two lines' arrivals */
#define FL_DELAY 3600000LL    /* --watermark 1h */
#define FL_MAX 128            /* lines per scenario */

/* The spec: group by key, sum(value) as s, over the window (JSON object text); a whole
   spec (text starting with '{ "name"') is taken as it is. */
static inline char *fl_spec(const char *window)
{
    if (strncmp(window, "{ \"name\"", 8) == 0)
        return lkt_fmt("%s", window);
    return lkt_fmt(
        "{ \"name\": \"flink\", \"filter\": { \"field\": \"type\", \"in\": [\"view\"] }, "
        "\"group_by\": [\"key\"], \"window\": %s, \"aggregates\": "
        "[ {\"fn\":\"sum\", \"of\":\"value\", \"as\":\"s\"} ] }",
        window);
}

static inline void fl_iso(char *out, size_t size, long long ms)
{
    long long s = ms / 1000;
    snprintf(out, size, "2026-01-01T%02lld:%02lld:%02lld.%03lldZ", s / 3600, s / 60 % 60, s % 60,
             ms % 1000);
}

/* Write token i as a JSONL line. */
static inline void fl_line(FILE *fp, const char *tok, size_t i)
{
    char key[64] = "~wm", type[8] = "wm", et[40], at[40], id[64];
    long long ts;
    double value = 1;
    if (tok[0] == 'W') {
        ts = strtoll(tok + 1, NULL, 10) + 1 + FL_DELAY;
    } else {
        const char *a = strchr(tok, '@'), *eq = strchr(tok, '=');
        cr_assert(a && (size_t)(a - tok) < sizeof(key), "bad token '%s'", tok);
        memcpy(key, tok, (size_t)(a - tok));
        key[a - tok] = '\0';
        snprintf(type, sizeof(type), "view");
        ts = strtoll(a + 1, NULL, 10);
        if (eq)
            value = strtod(eq + 1, NULL);
    }
    if (strchr(tok, '#'))
        snprintf(id, sizeof(id), "%s", strchr(tok, '#') + 1);
    else
        snprintf(id, sizeof(id), "e%zu", i);
    fl_iso(et, sizeof(et), ts);
    fl_iso(at, sizeof(at), 12 * 3600000LL + (long long)i * FL_STEP);
    fprintf(fp,
            "{\"event_id\":\"%s\",\"tenant\":\"t1\",\"key\":\"%s\",\"type\":\"%s\","
            "\"value\":%.2f,\"event_time\":\"%s\",\"arrival_time\":\"%s\"}\n",
            id, key, type, value, et, at);
}

/*
 * Run `lklab kappa --trigger continuous --watermark 1h --cost-model none <args>` over
 * toks[0..n) in dir (a second call with more tokens continues the run: a restart); the
 * run directory (heap). With --crash-after in args the run may die.
 */
static inline char *fl_run_in(const char *dir, const char *window, const char *args,
                              const char *const *toks, size_t n)
{
    char *data = lkt_fmt("%s/data.jsonl", dir), *specf = lkt_fmt("%s/spec.json", dir);
    char *run = lkt_fmt("%s/run", dir), *spec = fl_spec(window);
    FILE *fp = fopen(data, "w");
    int rc;
    cr_assert_not_null(fp);
    cr_assert(n <= FL_MAX);
    for (size_t i = 0; i < n; i++)
        fl_line(fp, toks[i], i);
    fclose(fp);
    lkt_write(specf, spec);
    rc = lkt_run(NULL, NULL,
                 "kappa --quiet --data %s --pipeline %s --out %s --trigger continuous "
                 "--watermark 1h --cost-model none %s",
                 data, specf, run, args);
    cr_assert(rc == 0 || strstr(args, "--crash-after"), "kappa %s exited %d", args, rc);
    free(spec);
    free(specf);
    free(data);
    return run;
}

static inline char *fl_run(const char *name, const char *window, const char *args,
                           const char *const *toks, size_t n)
{
    char *dir = lkt_tmpdir(name), *run = fl_run_in(dir, window, args, toks, n);
    free(dir);
    return run;
}

/* The line whose arrival is visible_time t (cost model none). */
static inline size_t fl_line_of(long long t)
{
    return (size_t)((t - FL_A0) / FL_STEP);
}

/* One emitted window as Flink's test writes it: session "key-sum,start,end", else "key,sum@end-1".
 */
static inline void fl_row(struct lk_buf *b, int session, const char *key, long long start,
                          long long end, long long cents)
{
    if (session)
        lk_buf_addf(b, "%s-%lld,%lld,%lld", key, cents / 100, start, end);
    else
        lk_buf_addf(b, "%s,%lld@%lld", key, cents / 100, end - 1);
}

struct fl_emit {
    size_t line;
    long long end;
    char text[96];
};

static inline int fl_emit_cmp(const void *a, const void *b)
{
    const struct fl_emit *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return strcmp(x->text, y->text);
}

static inline void fl_add(struct fl_emit **v, size_t *n, size_t line, int session, const char *key,
                          long long start, long long end, long long cents)
{
    struct lk_buf b;
    lk_buf_init(&b);
    fl_row(&b, session, key, start, end, cents);
    *v = realloc(*v, (*n + 1) * sizeof(**v));
    cr_assert_not_null(*v);
    (*v)[*n].line = line;
    (*v)[*n].end = end;
    snprintf((*v)[*n].text, sizeof((*v)[*n].text), "%s", b.s);
    (*n)++;
    lk_buf_release(&b);
}

/* A row of the update-mode replay: the key's current value and whether it has fired. */
struct fl_row {
    char key[64];
    long long start, end, cents;
    long long fired_cents; /* the value at its last firing */
    int fired;
};

/* Fire row r at line i: its value, or with purging (PurgingTrigger) what came since its last
 * firing. */
static inline void fl_fire(struct fl_row *r, size_t i, int session, int purging, struct fl_emit **v,
                           size_t *nv)
{
    fl_add(v, nv, i, session, r->key, r->start, r->end,
           purging ? r->cents - r->fired_cents : r->cents);
    r->fired = 1;
    r->fired_cents = r->cents;
}

/* Flink's watermark after line i: the last W token at or before it (LLONG_MIN none). */
static inline long long fl_wm_at(const char *const *toks, size_t i)
{
    long long wm = -(1LL << 62);
    for (size_t k = 0; k <= i; k++)
        if (toks[k][0] == 'W')
            wm = strtoll(toks[k] + 1, NULL, 10);
    return wm;
}

/* Update mode: replay the change feed with Flink's EventTimeTrigger (see the top). */
static inline void fl_replay(const char *run, const char *const *toks, size_t n, int session,
                             int purging, struct fl_emit **v, size_t *nv)
{
    char *feed = lkt_query_text(run, "SELECT visible_time, op, key, window_start, window_end, s "
                                     "FROM changes ORDER BY rowid");
    struct fl_row rows[256];
    size_t nrows = 0;
    long long carry = 0; /* what the sessions merged away by this line had fired (purging) */
    char *save = NULL, *ln = strtok_r(feed, "\n", &save);
    for (size_t i = 0; i < n; i++) {
        long long wm = fl_wm_at(toks, i);
        for (; ln; ln = strtok_r(NULL, "\n", &save)) {
            long long t, s, e, c;
            char op[16], key[64];
            size_t r;
            cr_assert(sscanf(ln, "%lld,%15[^,],%63[^,],%lld,%lld,%lld", &t, op, key, &s, &e, &c)
                          == 6,
                      "bad change row '%s'", ln);
            if (fl_line_of(t) != i)
                break;
            s -= FL_E0;
            e -= FL_E0;
            for (r = 0; r < nrows && !(strcmp(rows[r].key, key) == 0 && rows[r].start == s); r++)
                ;
            if (strcmp(op, "upsert") != 0) { /* retracted: merged into another session */
                if (r < nrows) {
                    carry += rows[r].fired_cents;
                    rows[r] = rows[--nrows];
                }
                continue;
            }
            if (r == nrows) {
                cr_assert(nrows < 256);
                memset(&rows[nrows], 0, sizeof(rows[0]));
                snprintf(rows[nrows++].key, sizeof(rows[0].key), "%s", key);
            }
            rows[r].fired_cents += carry; /* the merged state holds what they had fired */
            carry = 0;
            rows[r].start = s;
            rows[r].end = e;
            rows[r].cents = c;
            rows[r].fired = 0;
            if (e - 1 <= wm) /* onElement: FIRE when the watermark has passed the window */
                fl_fire(&rows[r], i, session, purging, v, nv);
        }
        if (toks[i][0] != 'W')
            continue;
        for (size_t r = 0; r < nrows; r++) { /* onEventTime: the timer at end - 1 */
            if (!rows[r].fired && rows[r].end - 1 <= wm)
                fl_fire(&rows[r], i, session, purging, v, nv);
        }
    }
    cr_assert_null(ln, "a change after the last line: '%s'", ln ? ln : "");
    free(feed);
}

/*
 * Flink's main output of the run over toks[0..n): one line "<token>: <row>" per firing,
 * in line order (then window end, then text), <token> the line that fired it. update 2:
 * as under Flink's PurgingTrigger (each firing holds what came since the last one).
 */
static inline char *fl_fired(const char *run, const char *const *toks, size_t n, int session,
                             int update)
{
    struct fl_emit *v = NULL;
    size_t nv = 0;
    struct lk_buf out;
    if (update) {
        fl_replay(run, toks, n, session, update == 2, &v, &nv);
    } else {
        char *rows = lkt_query_text(run, "SELECT visible_time, key, window_start, window_end, s "
                                         "FROM output ORDER BY visible_time");
        char *save = NULL;
        for (char *ln = strtok_r(rows, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
            long long t, s, e, c;
            char key[64];
            cr_assert(sscanf(ln, "%lld,%63[^,],%lld,%lld,%lld", &t, key, &s, &e, &c) == 5);
            fl_add(&v, &nv, fl_line_of(t), session, key, s - FL_E0, e - FL_E0, c);
        }
        free(rows);
    }
    qsort(v, nv, sizeof(*v), fl_emit_cmp);
    lk_buf_init(&out);
    for (size_t k = 0; k < nv; k++) {
        cr_assert(v[k].line < n, "row visible after the last line");
        lk_buf_addf(&out, "%s: %s\n", toks[v[k].line], v[k].text);
    }
    free(v);
    return lk_buf_detach(&out, NULL);
}

/*
 * Flink's late side output: "key,value@ts" for each event the `late` table holds for all
 * nwin of its windows (Flink side-outputs an element only when every window of it is
 * late; lklab's table has one row per late (event, window) pair), by event time then key.
 */
static inline char *fl_side(const char *run, int nwin)
{
    char *sql = lkt_fmt("SELECT key || ',' || (min(value) / 100) || '@' || (event_time - %lld) "
                        "FROM late GROUP BY event_id HAVING count(*) = %d "
                        "ORDER BY event_time, key, arrival_time",
                        FL_E0, nwin);
    char *rows = lkt_query_text(run, sql);
    free(sql);
    return rows;
}

/* The same side output with each row's watermark in Flink's convention (lklab's - 1). */
static inline char *fl_side_wm(const char *run)
{
    char *sql = lkt_fmt("SELECT key || '@' || (event_time - %lld) || ' rejected at W' || "
                        "(watermark - 1 - %lld) FROM late ORDER BY arrival_time, window_start",
                        FL_E0, FL_E0);
    char *rows = lkt_query_text(run, sql);
    free(sql);
    return rows;
}

/* Run the scenario in update mode (with a change feed) only; update 2: purging view. */
static inline void fl_check_update(const char *name, const char *window, const char *args,
                                   const char *const *toks, size_t n, int update, const char *want,
                                   const char *want_side)
{
    char *a = lkt_fmt("%s --output-mode update --change-feed", args);
    char *run = fl_run(name, window, a, toks, n);
    char *got = fl_fired(run, toks, n, strstr(window, "session") != NULL, update);
    char *side = fl_side(run, 1);
    cr_expect_str_eq(got, want, "%s", name);
    cr_expect_str_eq(side, want_side, "%s: side output", name);
    free(side);
    free(got);
    free(run);
    free(a);
}

/*
 * Run the scenario in append and in update mode and check both against Flink's output;
 * restart > 0: one process reads toks[0..restart), a second one continues over all (Flink's
 * snapshot, close and restore at that point).
 */
static inline void fl_check(const char *name, const char *window, const char *args,
                            const char *const *toks, size_t n, size_t restart, const char *want)
{
    int session = strstr(window, "session") != NULL;
    for (int update = 0; update < 2; update++) {
        char *nm = lkt_fmt("%s-%s", name, update ? "upd" : "app"), *dir = lkt_tmpdir(nm);
        char *a = lkt_fmt("%s %s", args, update ? "--output-mode update --change-feed" : "");
        char *run, *got;
        if (restart)
            free(fl_run_in(dir, window, a, toks, restart));
        run = fl_run_in(dir, window, a, toks, n);
        got = fl_fired(run, toks, n, session, update);
        cr_expect_str_eq(got, want, "%s (%s)", name, update ? "update" : "append");
        free(got);
        free(run);
        free(a);
        free(dir);
        free(nm);
    }
}

#endif
