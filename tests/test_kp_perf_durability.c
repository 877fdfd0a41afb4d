/*
 * What the Kappa performance work added: --durability process (no fsync) keeps kill -9
 * safety at every phase, also with the parallel state writing of several workers;
 * checkpoint files written in pieces (lk_checked, streamed or at offsets in parallel)
 * read back checked, also over an existing file; the CRC helpers agree with the
 * definition; state text with bare strings and grouped ids restores exactly, and the
 * older one-id-per-line form still restores.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_state.h"
#include "kp_test.h"
#include "lk_file.h"
#include "lk_spec.h"
#include "lk_time.h"
#include "banned.h"

#define ARGS "--trigger 10m --watermark 10m --output-mode append"

/* ------------------------------------------------------------ durability ---- */

/* --durability process, two workers: crash at phase in batch 7, restart, compare. */
static void crash_without_fsync(const char *phase)
{
    kpt_crash_and_recover(ARGS, "--durability process --workers 2", phase);
}

Test(kp_durability, process_mode_survives_a_crash_after_planned)
{
    crash_without_fsync("planned");
}

Test(kp_durability, process_mode_survives_a_crash_after_processed)
{
    crash_without_fsync("processed");
}

Test(kp_durability, process_mode_survives_a_crash_after_sink_commit)
{
    crash_without_fsync("sink-committed");
}

Test(kp_durability, process_mode_survives_a_crash_after_committed)
{
    crash_without_fsync("committed");
}

Test(kp_durability, run_json_names_the_setting_and_a_bad_value_is_a_usage_error)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("durable"), *run = lkt_fmt("%s/r", dir);
    char *path = lkt_fmt("%s/run.json", run), *json;
    cr_assert_eq(kpt_kappa(ds, "revenue", run, "--trigger 1h --durability process"), 0);
    json = lkt_slurp(path);
    cr_assert(json && strstr(json, "\"durability\":\t\"process\""), "%s", json ? json : "");
    cr_assert(strstr(json, "\"sink_synchronous\":\t\"OFF\""), "%s", json);
    cr_assert_eq(kpt_kappa(ds, "revenue", run, "--durability sometimes"), 2);
    free(json);
    /* fsync: the sink syncs its log at every commit (a power cut must not lose a batch
       that commits/N, written after the sink commit, calls done). NORMAL was the bug. */
    char *run2 = lkt_fmt("%s/r2", dir), *path2 = lkt_fmt("%s/run.json", run2);
    cr_assert_eq(kpt_kappa(ds, "revenue", run2, "--trigger 1h"), 0);
    json = lkt_slurp(path2);
    cr_assert(json && strstr(json, "\"sink_synchronous\":\t\"FULL\""), "%s", json ? json : "");
    free(json);
    free(path2);
    free(run2);
    free(path);
    free(run);
    free(dir);
    free(ds);
}

/* ------------------------------------------------------------ lk_checked ---- */

Test(lk_checked, pieces_read_back_checked_and_replace_an_existing_file)
{
    char *dir = lkt_tmpdir("checked"), *path = lkt_fmt("%s/state", dir);
    char *tmp = lkt_fmt("%s/state.tmp", dir), *text;
    struct lk_err err = LK_ERR_INIT;
    size_t len;
    for (int round = 0; round < 2; round++) {
        struct lk_checked c = LK_CHECKED_INIT;
        cr_assert_eq(lk_checked_open(&c, path, round ? LK_DURABLE_PROCESS : LK_DURABLE_FSYNC, &err),
                     0, "%s", err.msg);
        lk_checked_write(&c, round ? "second " : "first ", round ? 7 : 6);
        lk_checked_write(&c, "piece", 5);
        cr_assert_eq(lk_checked_commit(&c, &err), 0, "%s", err.msg);
        cr_assert_eq(lk_file_read_checked(path, 1 << 20, &text, &len, &err), 0, "%s", err.msg);
        cr_assert_str_eq(text, round ? "second piece" : "first piece");
        free(text);
        cr_assert_null(lkt_slurp(tmp), "no temp file is left behind");
    }
    free(tmp);
    free(path);
    free(dir);
}

Test(lk_checked, whole_file_writes_read_back_checked_and_replace_an_existing_file)
{
    char *dir = lkt_tmpdir("checked-as"), *path = lkt_fmt("%s/commit", dir);
    char *tmp = lkt_fmt("%s/commit.tmp", dir), *text, *raw;
    struct lk_err err = LK_ERR_INIT;
    size_t len;
    for (int round = 0; round < 2; round++) {
        const char *body = round ? "{\"b\":2}" : "{\"a\":1}";
        cr_assert_eq(lk_file_write_checked_as(path, body, strlen(body),
                                              round ? LK_DURABLE_PROCESS : LK_DURABLE_FSYNC, &err),
                     0, "%s", err.msg);
        cr_assert_eq(lk_file_read_checked(path, 1 << 20, &text, &len, &err), 0, "%s", err.msg);
        cr_assert_str_eq(text, body);
        cr_assert_eq(len, 7);
        free(text);
        cr_assert_null(lkt_slurp(tmp), "no temp file is left behind");
    }
    raw = lkt_slurp(path); /* the trailer by hand: CRC-32 of {"b":2} and its length */
    cr_assert_str_eq(raw, "{\"b\":2}\n#lk-crc32 3a9685bc 7\n");
    free(raw);
    cr_assert_lt(lk_file_write_checked_as("/nonexistent-dir/x", "a", 1, LK_DURABLE_PROCESS, &err),
                 0);
    cr_assert(strstr(err.msg, "/nonexistent-dir/x") != NULL, "%s", err.msg);
    free(tmp);
    free(path);
    free(dir);
}

Test(lk_checked, abort_leaves_nothing)
{
    char *dir = lkt_tmpdir("checked-abort"), *path = lkt_fmt("%s/never", dir);
    struct lk_checked c = LK_CHECKED_INIT;
    cr_assert_eq(lk_checked_open(&c, path, LK_DURABLE_FSYNC, NULL), 0);
    lk_checked_write(&c, "data", 4);
    lk_checked_abort(&c);
    lk_checked_abort(&c);
    lk_checked_abort(NULL);
    cr_assert_null(lkt_slurp(path));
    free(path);
    free(dir);
}

Test(lk_crc32, long_buffers_match_the_byte_at_a_time_definition)
{
    static unsigned char buf[100000];
    uint32_t want = 0xFFFFFFFFu;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 7 + (i >> 8));
    for (size_t i = 0; i < sizeof(buf); i++) { /* the reflected IEEE polynomial, bit by bit */
        want ^= buf[i];
        for (int k = 0; k < 8; k++)
            want = (want >> 1) ^ (0xEDB88320u & (0u - (want & 1u)));
    }
    want = ~want;
    cr_assert_eq(lk_crc32(0, buf, sizeof(buf)), want);
    cr_assert_eq(lk_crc32(lk_crc32(0, buf, 33333), buf + 33333, sizeof(buf) - 33333), want);
    cr_assert_eq(lk_crc32(0, "123456789", 9), 0xCBF43926u);
}

/* The bit-at-a-time definition, continuing from crc like lk_crc32. */
static uint32_t crc_by_bits(uint32_t crc, const unsigned char *p, size_t n)
{
    uint32_t w = ~crc;
    for (size_t i = 0; i < n; i++) {
        w ^= p[i];
        for (int k = 0; k < 8; k++)
            w = (w >> 1) ^ (0xEDB88320u & (0u - (w & 1u)));
    }
    return ~w;
}

Test(lk_crc32, every_length_offset_and_start_value_matches_the_definition)
{
    static unsigned char buf[20000 + 32];
    static const size_t big[] = { 1023, 4096, 16383, 16384, 16385, 20000 };
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(buf); i++) { /* xorshift bytes: no pattern to fold away */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
    for (size_t len = 0; len < 300; len++) /* every tail of the 64- and 16-byte blocks */
        for (size_t off = 0; off < 16; off += 5)
            cr_assert_eq(lk_crc32((uint32_t)len * 2654435761u, buf + off, len),
                         crc_by_bits((uint32_t)len * 2654435761u, buf + off, len),
                         "length %zu at offset %zu", len, off);
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
        for (size_t off = 0; off < 32; off += 7)
            cr_assert_eq(lk_crc32(0xDEADBEEFu, buf + off, big[i]),
                         crc_by_bits(0xDEADBEEFu, buf + off, big[i]), "length %zu", big[i]);
}

Test(lk_crc32, combine_gives_the_crc_of_the_concatenation)
{
    static const char text[] = "the quick brown fox jumps over the lazy dog, twice over";
    size_t n = sizeof(text) - 1;
    for (size_t cut = 0; cut <= n; cut++)
        cr_assert_eq(
            lk_crc32_combine(lk_crc32(0, text, cut), lk_crc32(0, text + cut, n - cut), n - cut),
            lk_crc32(0, text, n), "cut at %zu", cut);
}

Test(lk_checked, pieces_written_at_offsets_then_accounted_read_back_checked)
{
    char *dir = lkt_tmpdir("checked-pwrite"), *path = lkt_fmt("%s/state", dir), *text;
    struct lk_checked c = LK_CHECKED_INIT;
    struct lk_err err = LK_ERR_INIT;
    uint32_t crc;
    size_t len;
    cr_assert_eq(lk_checked_open(&c, path, LK_DURABLE_PROCESS, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_checked_pwrite(&c, 6, "world", 5), 0); /* any order */
    cr_assert_eq(lk_checked_pwrite(&c, 0, "hello ", 6), 0);
    crc = lk_crc32_combine(lk_crc32(0, "hello ", 6), lk_crc32(0, "world", 5), 5);
    cr_assert_eq(lk_checked_account(&c, 11, crc, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_checked_commit(&c, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_file_read_checked(path, 1 << 20, &text, &len, &err), 0, "%s", err.msg);
    cr_assert_str_eq(text, "hello world");
    free(text);
    free(path);
    free(dir);
}

/* ---------------------------------------------------------- state text ---- */

static struct lk_spec spec_of(void)
{
    static const char json[] =
        "{\"name\":\"s\",\"dedup\":\"event_id\",\"group_by\":[\"tenant\",\"type\"],"
        "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
        "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},"
        "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"k\"}]}";
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_spec_parse(&spec, json, sizeof(json) - 1, "test", &err), 0, "%s", err.msg);
    return spec;
}

struct text {
    char buf[1 << 16];
    size_t len;
};

static void to_text(void *arg, const char *data, size_t len)
{
    struct text *t = arg;
    cr_assert_leq(t->len + len, sizeof(t->buf));
    memcpy(t->buf + t->len, data, len);
    t->len += len;
}

static void add(struct kp_state *s, const char *id, const char *tenant, const char *key, int64_t at)
{
    struct lk_event ev;
    struct kp_outcome out;
    memset(&ev, 0, sizeof(ev));
    ev.str[LK_F_EVENT_ID] = (struct lk_str){ id, strlen(id) };
    ev.str[LK_F_TENANT] = (struct lk_str){ tenant, strlen(tenant) };
    ev.str[LK_F_KEY] = (struct lk_str){ key, strlen(key) };
    ev.str[LK_F_TYPE] = (struct lk_str){ "view", 4 };
    ev.event_time = ev.arrival_time = at;
    kp_state_add(s, &ev, NULL, LK_TIME_NEG_INF, 1, &out);
}

Test(kp_state_text, any_bytes_round_trip_and_safe_strings_are_written_bare)
{
    struct lk_spec spec = spec_of();
    struct kp_state *a = kp_state_new(&spec), *b = kp_state_new(&spec);
    struct text *ta = calloc(1, sizeof(*ta)), *tb = calloc(1, sizeof(*tb));
    const int64_t t0 = 1767225600000;
    add(a, "c-1", "t01", "u1", t0);
    add(a, "c-2", "9lives", "with space", t0 + 1000);
    add(a, "c-3", "x\ny", "caf\xc3\xa9", t0 + 2000);
    add(a, "4th", "t01", "u1", t0 + 61000);
    add(a, "c-1", "t01", "u2", t0 + 3000); /* a duplicate */
    kp_state_write(a, 1, 1, LK_TIME_NEG_INF, to_text, ta);
    cr_assert(strstr(ta->buf, "C t01 view ") != NULL, "%.*s", (int)ta->len, ta->buf);
    cr_assert(strstr(ta->buf, " 6:9lives view ") != NULL, "%.*s", (int)ta->len, ta->buf);
    cr_assert(strstr(ta->buf, "D 1767225660000 3 c-1 c-2 c-3\n") != NULL, "%.*s", (int)ta->len,
              ta->buf);
    cr_assert(strstr(ta->buf, " 3:4th\n") != NULL, "%.*s", (int)ta->len, ta->buf);
    cr_assert_eq(kp_state_apply(b, ta->buf, ta->len, NULL), 0);
    kp_state_write(b, 1, 1, LK_TIME_NEG_INF, to_text, tb);
    cr_assert(ta->len == tb->len && memcmp(ta->buf, tb->buf, ta->len) == 0,
              "restored state writes the same text");
    cr_assert_eq(kp_state_ids(b), 4);
    cr_assert_eq(kp_state_cells(b), 4);
    kp_state_free(a);
    kp_state_free(b);
    free(ta);
    free(tb);
}

Test(kp_state_text, the_older_one_id_per_line_form_still_restores)
{
    static const char old[] = "lkstate v1 snapshot batch=3 evict=none\n"
                              "C 3:t01 4:view 60000 120000 2 0 0 0 2 2:u1 2:u2\n"
                              "D 120000 3:c-1\n"
                              "D 120000 3:c-2\n";
    struct lk_spec spec = spec_of();
    struct kp_state *s = kp_state_new(&spec);
    struct text *t = calloc(1, sizeof(*t));
    cr_assert_eq(kp_state_apply(s, old, sizeof(old) - 1, NULL), 0);
    cr_assert_eq(kp_state_ids(s), 2);
    cr_assert_eq(kp_state_cells(s), 1);
    kp_state_write(s, 4, 1, LK_TIME_NEG_INF, to_text, t);
    cr_assert(strstr(t->buf, "C t01 view 60000 120000 2 ") != NULL, "%.*s", (int)t->len, t->buf);
    cr_assert(strstr(t->buf, "D 120000 2 c-1 c-2\n") != NULL, "%.*s", (int)t->len, t->buf);
    kp_state_free(s);
    free(t);
}

Test(kp_state_text, malformed_bare_strings_are_refused)
{
    static const char *const bad[] = {
        "lkstate v1 delta batch=1 evict=none\nC t01  60000 120000 1 0 0 0 1 u1\n",
        "lkstate v1 delta batch=1 evict=none\nD 120000 2 c-1\n",
        "lkstate v1 delta batch=1 evict=none\nD 120000 0\n",
        "lkstate v1 delta batch=1 evict=none\nC\n",
    };
    struct lk_spec spec = spec_of();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kp_state *s = kp_state_new(&spec);
        struct lk_err err = LK_ERR_INIT;
        cr_assert_eq(kp_state_apply(s, bad[i], strlen(bad[i]), &err), LK_ECORRUPT, "case %zu", i);
        kp_state_free(s);
    }
}
