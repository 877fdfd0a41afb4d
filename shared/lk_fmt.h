/*
 * lk_fmt - numbers for people: money, counts, bytes, durations, ratios, as the command
 * tables (lklab cost) and the sweep report (pl_report) print them.
 *
 * Every function writes a NUL-terminated text into buf (size bytes, snprintf rules: a too
 * small buffer truncates, LK_FMT_LEN always suffices), never fails and never allocates.
 * The texts do not depend on the locale: ',' groups thousands and '.' is the decimal
 * point. Doubles are rounded at the digit shown.
 */
#ifndef LK_FMT_H
#define LK_FMT_H

#include <stddef.h>
#include <stdint.h>

#define LK_FMT_LEN 48

/* USD with a dollar sign, thousands grouped, two decimals: 1234.5 -> "$1,234.50". */
void lk_fmt_money(char *buf, size_t size, double usd);

/* Hundredths as a plain decimal with two decimals: 123450 -> "1234.50", -5 -> "-0.05". */
void lk_fmt_cents(char *buf, size_t size, int64_t cents);

/* A count rounded to an integer, thousands grouped: 20000 -> "20,000". */
void lk_fmt_count(char *buf, size_t size, double v);

/* A count with a 1000-step suffix, one decimal once scaled: 950 -> "950", 1234567 -> "1.2M". */
void lk_fmt_count_si(char *buf, size_t size, double v);

/* Bytes with a 1024-step unit, one decimal once scaled: 540 -> "540 B", 4.4e6 -> "4.2 MiB". */
void lk_fmt_bytes(char *buf, size_t size, double v);

/*
 * A duration in ms with the unit that keeps it short, one decimal below 10 and none
 * above: 250 -> "250 ms", 6100 -> "6.1 s", 1800000 -> "30 min", 43200000 -> "12 h",
 * 172800000 -> "2.0 d"; negative (not measured) -> "n/a"; +infinity (a latency
 * percentile that falls among never-correct events) -> "never".
 */
void lk_fmt_ms(char *buf, size_t size, double ms);

/* A ratio, one decimal below 10: 6.42 -> "6.4x", 15.9 -> "16x". */
void lk_fmt_ratio(char *buf, size_t size, double r);

/* Up to two decimals without trailing zeros: 0.05 -> "0.05", 6.5 -> "6.5", 2.0 -> "2". */
void lk_fmt_num(char *buf, size_t size, double v);

#endif
