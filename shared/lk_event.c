#include "lk_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_err.h"
#include "lk_mem.h"
#include "lk_time.h"
#include "banned.h"

static const char *const field_names[LK_F_COUNT] = {
    "event_id", "tenant", "key", "type", "value", "event_time", "arrival_time",
};

const char *lk_field_name(int field)
{
    return field >= 0 && field < LK_F_COUNT ? field_names[field] : NULL;
}

int lk_field_lookup(const char *name)
{
    for (int i = 0; i < LK_F_COUNT; i++)
        if (strcmp(name, field_names[i]) == 0)
            return i;
    return -1;
}

int lk_field_is_string(int field)
{
    return field >= LK_F_EVENT_ID && field <= LK_F_TYPE;
}

static const char *const reason_text[LK_Q_COUNT] = {
#define LK_X(name, text) text,
    LK_REASONS(LK_X)
#undef LK_X
};

const char *lk_reason_text(enum lk_reason r)
{
    return (unsigned)r < LK_Q_COUNT ? reason_text[r] : "unknown reason";
}

const char *lk_reason_id(enum lk_reason r)
{
    static const char *const ids[LK_Q_COUNT] = {
        "ok",          "json",          "not-object",
        "utf8",        "missing-field", "duplicate-field",
        "wrong-type",  "empty-string",  "nul",
        "number-form", "decimals",      "range",
        "timestamp",   "time-range",    "too-long",
    };
    return (unsigned)r < LK_Q_COUNT ? ids[r] : "unknown";
}

int lk_reject_format(const struct lk_reject *r, char *buf, size_t size)
{
    const char *text = lk_reason_text(r->reason);
    const char *field = lk_field_name(r->field);
    if (r->reason == LK_Q_MISSING || r->reason == LK_Q_DUP_FIELD)
        return snprintf(buf, size, "%s '%s'", text, field ? field : "?");
    if (field)
        return snprintf(buf, size, "%s in '%s' (byte %zu)", text, field, r->offset);
    return snprintf(buf, size, "%s (byte %zu)", text, r->offset);
}

void lk_event_parser_init(struct lk_event_parser *p)
{
    p->scratch = NULL;
    p->cap = 0;
}

void lk_event_parser_release(struct lk_event_parser *p)
{
    if (!p)
        return;
    free(p->scratch);
    lk_event_parser_init(p);
}

/* ---------------------------------------------------------------- scanner ---- */

#define MAX_DEPTH 64

struct scan {
    const char *s; /* line */
    size_t n;      /* its length */
    size_t i;      /* cursor */
    char *out;     /* scratch for decoded strings */
    size_t out_len;
    struct lk_reject *rej;
    char minute[16];   /* "YYYY-MM-DDTHH:MM" of the last timestamp parsed in full ... */
    int64_t minute_ms; /* ... and its value (no memo while minute[0] == 0) */
};

static int fail(struct scan *sc, enum lk_reason reason, int field)
{
    if (sc->rej) {
        sc->rej->reason = reason;
        sc->rej->field = field;
        sc->rej->offset = sc->i;
    }
    return LK_EINPUT;
}

static void skip_ws_loop(struct scan *sc)
{
    while (sc->i < sc->n) {
        char c = sc->s[sc->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->i++;
    }
}

static inline void skip_ws(struct scan *sc)
{
    if (sc->i < sc->n && (unsigned char)sc->s[sc->i] > ' ')
        return; /* the common case: no whitespace at all */
    skip_ws_loop(sc);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex4(struct scan *sc, size_t at, unsigned *cp)
{
    unsigned v = 0;
    if (at + 4 > sc->n)
        return -1;
    for (int k = 0; k < 4; k++) {
        int h = hexval(sc->s[at + k]);
        if (h < 0)
            return -1;
        v = v * 16 + (unsigned)h;
    }
    *cp = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence starting at s[i] (lead byte >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t i, size_t n)
{
    unsigned c = s[i];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlongs */
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F; /* <= U+10FFFF */
    } else
        return 0;
    if (i + len > n)
        return 0;
    if (s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xBF)
            return 0;
    return len;
}

/* Decode one escape at sc->i (just after the backslash) into o; returns bytes or 0. */
static size_t unescape(struct scan *sc, char *o, int *has_nul)
{
    char c = sc->s[sc->i];
    unsigned cp, lo;
    switch (c) {
    case '"':
    case '\\':
    case '/':
        *o = c;
        sc->i++;
        return 1;
    case 'b':
        *o = '\b';
        sc->i++;
        return 1;
    case 'f':
        *o = '\f';
        sc->i++;
        return 1;
    case 'n':
        *o = '\n';
        sc->i++;
        return 1;
    case 'r':
        *o = '\r';
        sc->i++;
        return 1;
    case 't':
        *o = '\t';
        sc->i++;
        return 1;
    case 'u':
        if (hex4(sc, sc->i + 1, &cp) < 0)
            return 0;
        sc->i += 5;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return 0; /* lone low surrogate */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (sc->i + 1 >= sc->n || sc->s[sc->i] != '\\' || sc->s[sc->i + 1] != 'u'
                || hex4(sc, sc->i + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                return 0;
            sc->i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0)
            *has_nul = 1;
        return put_utf8(o, cp);
    default:
        return 0;
    }
}

/*
 * End of the run of plain string bytes (0x20..0x7F except '"' and '\\') starting at i.
 * Eight bytes at a time where the machine is little-endian: a byte is flagged when it is
 * '"', '\\', < 0x20 or >= 0x80; borrows can only flag bytes above a truly flagged one,
 * so the lowest flag is exact.
 */
static size_t plain_run(const unsigned char *s, size_t i, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, q, b, m;
        memcpy(&w, s + i, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        m = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
        m &= highs;
        if (m)
            return i + (size_t)(__builtin_ctzll(m) >> 3);
    }
#endif
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/*
 * Scan a JSON string starting at the opening quote. On success *out is its decoded
 * bytes (pointing into the line when there were no escapes, else into scratch).
 */
static int scan_string_slow(struct scan *sc, struct lk_str *out, int *has_nul, int field)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    size_t start = ++sc->i;
    char *o = NULL;
    *has_nul = 0;
    for (;;) {
        size_t run = sc->i;
        sc->i = plain_run(s, sc->i, sc->n); /* fast path: plain ASCII */
        if (o) {
            memcpy(o, sc->s + run, sc->i - run);
            o += sc->i - run;
        }
        if (sc->i >= sc->n)
            return fail(sc, LK_Q_JSON, field);
        if (s[sc->i] == '"')
            break;
        if (s[sc->i] < 0x20)
            return fail(sc, LK_Q_JSON, field);
        if (s[sc->i] >= 0x80) {
            size_t len = utf8_seq(s, sc->i, sc->n);
            if (!len)
                return fail(sc, LK_Q_UTF8, field);
            if (o) {
                memcpy(o, sc->s + sc->i, len);
                o += len;
            }
            sc->i += len;
            continue;
        }
        /* backslash: switch to decoding into scratch */
        if (!o) {
            o = sc->out + sc->out_len;
            memcpy(o, sc->s + start, sc->i - start);
            o += sc->i - start;
        }
        sc->i++;
        if (sc->i >= sc->n)
            return fail(sc, LK_Q_JSON, field);
        {
            size_t k = unescape(sc, o, has_nul);
            if (!k)
                return fail(sc, LK_Q_JSON, field);
            o += k;
        }
    }
    if (o) {
        out->ptr = sc->out + sc->out_len;
        out->len = (size_t)(o - out->ptr);
        sc->out_len += out->len;
    } else {
        out->ptr = sc->s + start;
        out->len = sc->i - start;
    }
    sc->i++; /* closing quote */
    return 0;
}

/* scan_string, with the common case (plain ASCII up to the closing quote) inline. */
static inline int scan_string(struct scan *sc, struct lk_str *out, int *has_nul, int field)
{
    size_t start = sc->i + 1, end = plain_run((const unsigned char *)sc->s, start, sc->n);
    if (end < sc->n && sc->s[end] == '"') {
        *has_nul = 0;
        out->ptr = sc->s + start;
        out->len = end - start;
        sc->i = end + 1;
        return 0;
    }
    return scan_string_slow(sc, out, has_nul, field);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Any JSON number (for ignored members). */
static int skip_number(struct scan *sc)
{
    size_t i = sc->i;
    if (i < sc->n && sc->s[i] == '-')
        i++;
    if (i >= sc->n || !is_digit(sc->s[i]))
        return -1;
    if (sc->s[i] == '0')
        i++;
    else
        while (i < sc->n && is_digit(sc->s[i]))
            i++;
    if (i < sc->n && sc->s[i] == '.') {
        i++;
        if (i >= sc->n || !is_digit(sc->s[i]))
            return -1;
        while (i < sc->n && is_digit(sc->s[i]))
            i++;
    }
    if (i < sc->n && (sc->s[i] == 'e' || sc->s[i] == 'E')) {
        i++;
        if (i < sc->n && (sc->s[i] == '+' || sc->s[i] == '-'))
            i++;
        if (i >= sc->n || !is_digit(sc->s[i]))
            return -1;
        while (i < sc->n && is_digit(sc->s[i]))
            i++;
    }
    sc->i = i;
    return 0;
}

static int skip_value(struct scan *sc, int depth);

static int skip_literal(struct scan *sc, const char *lit)
{
    size_t len = strlen(lit);
    if (sc->i + len > sc->n || memcmp(sc->s + sc->i, lit, len) != 0)
        return fail(sc, LK_Q_JSON, -1);
    sc->i += len;
    return 0;
}

/* Skip the elements of an array or members of an object; cursor on the opening bracket. */
static int skip_container(struct scan *sc, int depth)
{
    char close = sc->s[sc->i] == '{' ? '}' : ']';
    int first = 1;
    struct lk_str str;
    int nul;
    if (depth >= MAX_DEPTH)
        return fail(sc, LK_Q_JSON, -1);
    sc->i++;
    for (;;) {
        skip_ws(sc);
        if (sc->i >= sc->n)
            return fail(sc, LK_Q_JSON, -1);
        if (sc->s[sc->i] == close && first) {
            sc->i++;
            return 0;
        }
        if (close == '}') {
            size_t mark = sc->out_len;
            if (sc->s[sc->i] != '"')
                return fail(sc, LK_Q_JSON, -1);
            if (scan_string(sc, &str, &nul, -1) < 0)
                return LK_EINPUT;
            sc->out_len = mark;
            skip_ws(sc);
            if (sc->i >= sc->n || sc->s[sc->i] != ':')
                return fail(sc, LK_Q_JSON, -1);
            sc->i++;
        }
        if (skip_value(sc, depth + 1) < 0)
            return LK_EINPUT;
        skip_ws(sc);
        if (sc->i >= sc->n)
            return fail(sc, LK_Q_JSON, -1);
        if (sc->s[sc->i] == close) {
            sc->i++;
            return 0;
        }
        if (sc->s[sc->i] != ',')
            return fail(sc, LK_Q_JSON, -1);
        sc->i++;
        first = 0;
    }
}

static int skip_value(struct scan *sc, int depth)
{
    struct lk_str str;
    int nul;
    skip_ws(sc);
    if (sc->i >= sc->n)
        return fail(sc, LK_Q_JSON, -1);
    switch (sc->s[sc->i]) {
    case '"': {
        size_t mark = sc->out_len;
        int rc = scan_string(sc, &str, &nul, -1);
        sc->out_len = mark;
        return rc;
    }
    case '{':
    case '[':
        return skip_container(sc, depth);
    case 't':
        return skip_literal(sc, "true");
    case 'f':
        return skip_literal(sc, "false");
    case 'n':
        return skip_literal(sc, "null");
    default:
        if (skip_number(sc) < 0)
            return fail(sc, LK_Q_JSON, -1);
        return 0;
    }
}

/* The value member: strict plain decimal with <= 2 places, into hundredths. */
static int scan_value(struct scan *sc, int64_t *out)
{
    size_t start = sc->i, i = sc->i, int_digits = 0, frac_digits = 0;
    int neg = 0;
    int64_t v = 0;
    char c = sc->s[i];
    if (c == '"')
        return fail(sc, LK_Q_TYPE, LK_F_VALUE);
    if (c != '-' && !is_digit(c))
        return skip_value(sc, 0) < 0 ? LK_EINPUT : fail(sc, LK_Q_TYPE, LK_F_VALUE);
    if (skip_number(sc) < 0)
        return fail(sc, LK_Q_JSON, LK_F_VALUE);
    if (sc->s[i] == '-') {
        neg = 1;
        i++;
    }
    for (; i < sc->i && is_digit(sc->s[i]); i++, int_digits++) {
        if (int_digits >= 12) { /* |value| < 1e12 */
            sc->i = start;
            return fail(sc, LK_Q_RANGE, LK_F_VALUE);
        }
        v = v * 10 + (sc->s[i] - '0');
    }
    if (i < sc->i && sc->s[i] == '.') {
        for (i++; i < sc->i && is_digit(sc->s[i]); i++, frac_digits++) {
            if (frac_digits >= 2) {
                sc->i = start;
                return fail(sc, LK_Q_DECIMALS, LK_F_VALUE);
            }
            v = v * 10 + (sc->s[i] - '0');
        }
    }
    if (i < sc->i) { /* exponent */
        sc->i = start;
        return fail(sc, LK_Q_NUMBER, LK_F_VALUE);
    }
    for (; frac_digits < 2; frac_digits++)
        v *= 10;
    *out = neg ? -v : v;
    return 0;
}

/*
 * ":SS[.f|.ff|.fff]Z" from byte 16 of a timestamp: its ms within the minute, or -1. The
 * rules of lk_time_parse for these bytes (length 20..24, seconds 00-59, 1 to 3 fraction
 * digits, the Z).
 */
static int64_t time_tail(const char *s, size_t len)
{
    int64_t sec, frac = 0;
    if (len < 20 || len > 24 || s[16] != ':' || s[len - 1] != 'Z' || !is_digit(s[17])
        || !is_digit(s[18]))
        return -1;
    sec = (s[17] - '0') * 10 + (s[18] - '0');
    if (sec > 59)
        return -1;
    if (len > 20) {
        if (s[19] != '.' || len == 21)
            return -1;
        for (size_t i = 20; i < len - 1; i++) {
            if (!is_digit(s[i]))
                return -1;
            frac = frac * 10 + (s[i] - '0');
        }
        for (size_t k = len - 21; k < 3; k++)
            frac *= 10;
    }
    return sec * 1000 + frac;
}

/*
 * A timestamp's value. An event's two timestamps mostly share their first 16 bytes
 * (date, hour, minute): those were validated by the full lk_time_parse of the first
 * one, so the second only needs its tail checked (time_tail) and added. Same result
 * as lk_time_parse either way.
 */
static int parse_time(struct scan *sc, const struct lk_str *str, int64_t *out)
{
    int64_t tail;
    if (sc->minute[0] && str->len >= 20 && memcmp(str->ptr, sc->minute, 16) == 0
        && (tail = time_tail(str->ptr, str->len)) >= 0) {
        *out = sc->minute_ms + tail;
        return 0;
    }
    if (lk_time_parse(str->ptr, str->len, out) < 0)
        return -1;
    if ((tail = time_tail(str->ptr, str->len)) >= 0) {
        memcpy(sc->minute, str->ptr, 16);
        sc->minute_ms = *out - tail;
    }
    return 0;
}

static int scan_time(struct scan *sc, int field, int64_t *out)
{
    struct lk_str str;
    int nul;
    size_t start = sc->i;
    if (sc->s[sc->i] != '"')
        return skip_value(sc, 0) < 0 ? LK_EINPUT : (sc->i = start, fail(sc, LK_Q_TYPE, field));
    if (scan_string(sc, &str, &nul, field) < 0)
        return LK_EINPUT;
    if (parse_time(sc, &str, out) < 0) {
        sc->i = start;
        return fail(sc, LK_Q_TIMESTAMP, field);
    }
    if (*out < LK_EVENT_TIME_MIN || *out > LK_EVENT_TIME_MAX) {
        sc->i = start;
        return fail(sc, LK_Q_TIME_RANGE, field);
    }
    return 0;
}

static int scan_text(struct scan *sc, int field, struct lk_str *out)
{
    int nul;
    size_t start = sc->i;
    if (sc->s[sc->i] != '"')
        return skip_value(sc, 0) < 0 ? LK_EINPUT : (sc->i = start, fail(sc, LK_Q_TYPE, field));
    if (scan_string(sc, out, &nul, field) < 0)
        return LK_EINPUT;
    sc->i = out->len == 0 || nul || out->len > LK_EVENT_STR_MAX ? start : sc->i;
    if (out->len == 0)
        return fail(sc, LK_Q_EMPTY, field);
    if (nul)
        return fail(sc, LK_Q_NUL, field);
    if (out->len > LK_EVENT_STR_MAX)
        return fail(sc, LK_Q_TOO_LONG, field);
    return 0;
}

/* Which required member a key names, or -1. */
static int member_field(const struct lk_str *k)
{
    switch (k->len) {
    case 3:
        return memcmp(k->ptr, "key", 3) == 0 ? LK_F_KEY : -1;
    case 4:
        return memcmp(k->ptr, "type", 4) == 0 ? LK_F_TYPE : -1;
    case 5:
        return memcmp(k->ptr, "value", 5) == 0 ? LK_F_VALUE : -1;
    case 6:
        return memcmp(k->ptr, "tenant", 6) == 0 ? LK_F_TENANT : -1;
    case 8:
        return memcmp(k->ptr, "event_id", 8) == 0 ? LK_F_EVENT_ID : -1;
    case 10:
        return memcmp(k->ptr, "event_time", 10) == 0 ? LK_F_EVENT_TIME : -1;
    case 12:
        return memcmp(k->ptr, "arrival_time", 12) == 0 ? LK_F_ARRIVAL_TIME : -1;
    default:
        return -1;
    }
}

/*
 * The field of a key written literally ("tenant" with no escapes), cursor moved past its
 * closing quote; -1 (cursor unchanged) otherwise. Same answer as scan_string +
 * member_field on such keys; anything else takes that general path.
 */
static int literal_key(struct scan *sc)
{
    const char *p = sc->s + sc->i + 1;
    size_t room = sc->n - sc->i - 1, len = 0;
    int f = -1;
#define KEY_IS(lit, field)                                                                         \
    (room >= sizeof(lit) - 1 && memcmp(p, lit, sizeof(lit) - 1) == 0                               \
     && (f = (field), len = sizeof(lit) - 1))
    if (room == 0)
        return -1;
    switch (*p) {
    case 'e':
        (void)(KEY_IS("event_id\"", LK_F_EVENT_ID) || KEY_IS("event_time\"", LK_F_EVENT_TIME));
        break;
    case 't':
        (void)(KEY_IS("tenant\"", LK_F_TENANT) || KEY_IS("type\"", LK_F_TYPE));
        break;
    case 'k':
        (void)KEY_IS("key\"", LK_F_KEY);
        break;
    case 'v':
        (void)KEY_IS("value\"", LK_F_VALUE);
        break;
    case 'a':
        (void)KEY_IS("arrival_time\"", LK_F_ARRIVAL_TIME);
        break;
    default:
        break;
    }
#undef KEY_IS
    if (f >= 0)
        sc->i += 1 + len;
    return f;
}

static int scan_member(struct scan *sc, struct lk_event *ev, unsigned *seen)
{
    struct lk_str k;
    int nul, f;
    size_t key_at = sc->i, mark = sc->out_len;
    if (sc->s[sc->i] != '"')
        return fail(sc, LK_Q_JSON, -1);
    if ((f = literal_key(sc)) < 0) {
        if (scan_string(sc, &k, &nul, -1) < 0)
            return LK_EINPUT;
        f = member_field(&k);
        sc->out_len = mark; /* keys need no lasting scratch */
    }
    skip_ws(sc);
    if (sc->i >= sc->n || sc->s[sc->i] != ':')
        return fail(sc, LK_Q_JSON, -1);
    sc->i++;
    skip_ws(sc);
    if (sc->i >= sc->n)
        return fail(sc, LK_Q_JSON, f);
    if (f < 0)
        return skip_value(sc, 1);
    if (*seen & (1u << f)) {
        sc->i = key_at;
        return fail(sc, LK_Q_DUP_FIELD, f);
    }
    *seen |= 1u << f;
    if (f == LK_F_VALUE)
        return scan_value(sc, &ev->value);
    if (f == LK_F_EVENT_TIME)
        return scan_time(sc, f, &ev->event_time);
    if (f == LK_F_ARRIVAL_TIME)
        return scan_time(sc, f, &ev->arrival_time);
    return scan_text(sc, f, &ev->str[f]);
}

int lk_event_parse(struct lk_event_parser *p, const char *line, size_t len, struct lk_event *ev,
                   struct lk_reject *rej)
{
    struct scan sc = { line, len, 0, NULL, 0, rej, "", 0 };
    unsigned seen = 0;

    if (p->cap < len + 1) {
        free(p->scratch);
        p->cap = len + 1 > 256 ? len + 1 : 256;
        p->scratch = lk_xmalloc(p->cap);
    }
    sc.out = p->scratch;
    if (rej) {
        rej->reason = LK_Q_OK;
        rej->field = -1;
        rej->offset = 0;
    }
    skip_ws(&sc);
    if (sc.i >= sc.n)
        return fail(&sc, LK_Q_JSON, -1);
    if (line[sc.i] != '{') {
        if (skip_value(&sc, 0) < 0)
            return LK_EINPUT;
        sc.i = 0;
        return fail(&sc, LK_Q_NOT_OBJECT, -1);
    }
    sc.i++;
    skip_ws(&sc);
    if (sc.i < sc.n && line[sc.i] == '}') {
        sc.i++;
    } else {
        for (;;) {
            skip_ws(&sc);
            if (sc.i >= sc.n)
                return fail(&sc, LK_Q_JSON, -1);
            if (scan_member(&sc, ev, &seen) < 0)
                return LK_EINPUT;
            skip_ws(&sc);
            if (sc.i >= sc.n)
                return fail(&sc, LK_Q_JSON, -1);
            if (line[sc.i] == '}') {
                sc.i++;
                break;
            }
            if (line[sc.i] != ',')
                return fail(&sc, LK_Q_JSON, -1);
            sc.i++;
        }
    }
    skip_ws(&sc);
    if (sc.i != sc.n)
        return fail(&sc, LK_Q_JSON, -1);
    for (int f = 0; f < LK_F_COUNT; f++)
        if (!(seen & (1u << f)))
            return fail(&sc, LK_Q_MISSING, f);
    return 0;
}

/* ---------------------------------------------------------------- writer ----- */

int lk_money_format(int64_t v, char *buf, size_t size)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    return snprintf(buf, size, "%s%llu.%02llu", v < 0 ? "-" : "", (unsigned long long)(a / 100),
                    (unsigned long long)(a % 100));
}

static size_t put_json_string(char *o, const struct lk_str *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    o[n++] = '"';
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->ptr[i];
        if (c == '"' || c == '\\') {
            o[n++] = '\\';
            o[n++] = (char)c;
        } else if (c < 0x20) {
            memcpy(o + n, "\\u00", 4);
            o[n + 4] = hex[c >> 4];
            o[n + 5] = hex[c & 15];
            n += 6;
        } else {
            o[n++] = (char)c;
        }
    }
    o[n++] = '"';
    return n;
}

static size_t put_lit(char *o, const char *lit)
{
    size_t n = strlen(lit);
    memcpy(o, lit, n);
    return n;
}

size_t lk_event_format(const struct lk_event *ev, char *buf)
{
    static const char *const keys[4] = {
        "{\"event_id\":",
        ",\"tenant\":",
        ",\"key\":",
        ",\"type\":",
    };
    char tmp[32];
    size_t n = 0;
    for (int f = LK_F_EVENT_ID; f <= LK_F_TYPE; f++) {
        n += put_lit(buf + n, keys[f]);
        n += put_json_string(buf + n, &ev->str[f]);
    }
    n += put_lit(buf + n, ",\"value\":");
    n += (size_t)lk_money_format(ev->value, buf + n, 32);
    n += put_lit(buf + n, ",\"event_time\":\"");
    lk_time_format(ev->event_time, tmp);
    n += put_lit(buf + n, tmp);
    n += put_lit(buf + n, "\",\"arrival_time\":\"");
    lk_time_format(ev->arrival_time, tmp);
    n += put_lit(buf + n, tmp);
    n += put_lit(buf + n, "\"}\n");
    return n;
}
