#include "lk_fmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Digits of a non-negative integer with ',' between thousands (at most 26 bytes). */
static void grouped(char out[32], long long v)
{
    char raw[24];
    size_t n, o = 0;
    snprintf(raw, sizeof(raw), "%lld", v);
    n = strlen(raw);
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    out[o] = '\0';
}

void lk_fmt_money(char *buf, size_t size, double usd)
{
    long long cents = llround(usd * 100.0);
    char whole[32];
    grouped(whole, llabs(cents) / 100);
    snprintf(buf, size, "%s$%s.%02lld", cents < 0 ? "-" : "", whole, llabs(cents) % 100);
}

void lk_fmt_cents(char *buf, size_t size, int64_t cents)
{
    uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(buf, size, "%s%" PRIu64 ".%02u", cents < 0 ? "-" : "", a / 100, (unsigned)(a % 100));
}

void lk_fmt_count(char *buf, size_t size, double v)
{
    long long n = llround(v);
    char g[32];
    grouped(g, llabs(n));
    snprintf(buf, size, "%s%s", n < 0 ? "-" : "", g);
}

/* v divided by step while it reaches step (up to the last unit): "%.0f" unscaled, else "%.1f". */
static void scaled(char *buf, size_t size, double v, double step, const char *sep,
                   const char *const *unit, int nunits)
{
    int u = 0;
    while (v >= step && u < nunits - 1) {
        v /= step;
        u++;
    }
    snprintf(buf, size, u ? "%.1f%s%s" : "%.0f%s%s", v, sep, unit[u]);
}

void lk_fmt_count_si(char *buf, size_t size, double v)
{
    static const char *const unit[] = { "", "k", "M", "B", "T" };
    scaled(buf, size, v, 1000.0, "", unit, 5);
}

void lk_fmt_bytes(char *buf, size_t size, double v)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    scaled(buf, size, v, 1024.0, " ", unit, 6);
}

/* v with one decimal below 10, none above: "6.1", "33". */
static void two_digits(char *buf, size_t size, double v, const char *unit)
{
    snprintf(buf, size, v < 9.95 ? "%.1f %s" : "%.0f %s", v, unit);
}

void lk_fmt_ms(char *buf, size_t size, double ms)
{
    if (ms < 0)
        snprintf(buf, size, "n/a");
    else if (isinf(ms))
        snprintf(buf, size, "never"); /* a latency percentile among never-correct events */
    else if (ms < 1000)
        snprintf(buf, size, "%.0f ms", ms);
    else if (ms < 59500)
        two_digits(buf, size, ms / 1000, "s");
    else if (ms < 3570000)
        two_digits(buf, size, ms / 60000, "min");
    else if (ms < 48 * 3600000.0)
        two_digits(buf, size, ms / 3600000, "h");
    else
        two_digits(buf, size, ms / 86400000, "d");
}

void lk_fmt_ratio(char *buf, size_t size, double r)
{
    snprintf(buf, size, r < 9.95 ? "%.1fx" : "%.0fx", r);
}

void lk_fmt_num(char *buf, size_t size, double v)
{
    size_t n;
    snprintf(buf, size, "%.2f", v);
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, size, "0");
}
