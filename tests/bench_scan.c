/*
 * bench-scan - the "hand scanner" yardstick of `make bench`: how fast can one core turn the
 * log's JSONL lines into event fields, doing nothing else? It reads every .jsonl file of DIR/log
 * file (read(2) into one buffer), and for each line finds the seven members, decodes the
 * value to hundredths and both times to milliseconds, and folds them into a checksum so
 * nothing is optimized away. It validates nothing (no JSON checks, no escapes, no field
 * rules), dedups nothing and aggregates nothing: a ceiling for a parser, not a pipeline.
 * Kappa's rate over this one's rate is the "parse-only" target in tests/bench.sh.
 *
 * usage: bench-scan DATASET_DIR   prints "<lines> <checksum>" on stdout
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct acc {
    uint64_t lines, sum;
};

static int64_t digits(const char *p, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" at p -> ms since the epoch (days from civil, Hinnant). */
static int64_t iso_ms(const char *p)
{
    int64_t y = digits(p, 4), m = digits(p + 5, 2), d = digits(p + 8, 2);
    int64_t era, yoe, doy, doe, days;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + doe - 719468;
    return ((days * 24 + digits(p + 11, 2)) * 60 + digits(p + 14, 2)) * 60000
           + digits(p + 17, 2) * 1000 + digits(p + 20, 3);
}

/* A decimal with at most 2 places at p (up to end) -> hundredths. */
static int64_t cents(const char *p, const char *end)
{
    int64_t v = 0;
    int frac = -1, neg = *p == '-';
    for (p += neg; p < end && frac < 2; p++) {
        if (*p == '.')
            frac = 0;
        else if (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            frac += frac >= 0;
        } else
            break;
    }
    for (; frac < 2; frac = frac < 0 ? 1 : frac + 1)
        v *= 10;
    return neg ? -v : v;
}

static void scan_line(const char *p, const char *end, struct acc *a)
{
    while (p < end) {
        const char *k = memchr(p, '"', (size_t)(end - p)), *ke, *v;
        if (!k)
            break;
        ke = memchr(k + 1, '"', (size_t)(end - k - 1));
        if (!ke || ke + 2 >= end)
            break;
        v = ke + 2; /* past '":' */
        if (*v == '"') {
            const char *ve = memchr(v + 1, '"', (size_t)(end - v - 1));
            if (!ve)
                break;
            if (ke - k - 1 >= 10 && (k[1] == 'e' || k[1] == 'a') && ve - v - 1 == 24)
                a->sum += (uint64_t)iso_ms(v + 1); /* event_time, arrival_time */
            else
                a->sum += (uint64_t)(ve - v - 1) * 31 + (unsigned char)v[1];
            p = ve + 1;
        } else {
            a->sum += (uint64_t)cents(v, end);
            p = v + 1;
        }
    }
    a->lines++;
}

static int scan_file(const char *path, struct acc *a, char **buf, size_t *cap)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    size_t n = 0;
    if (fd < 0 || fstat(fd, &st) < 0)
        return -1;
    if ((size_t)st.st_size + 1 > *cap) {
        *cap = (size_t)st.st_size + 1;
        free(*buf);
        if (!(*buf = malloc(*cap)))
            return -1;
    }
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, *buf + n, (size_t)st.st_size - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    for (const char *p = *buf, *end = *buf + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        scan_line(p, nl, a);
        p = nl + 1;
    }
    return 0;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(int argc, char **argv)
{
    struct acc a = { 0, 0 };
    char dir[4096], path[8192], *buf = NULL, **names = NULL;
    size_t cap = 0, n = 0;
    struct dirent *de;
    DIR *d;
    if (argc != 2) {
        fprintf(stderr, "usage: bench-scan DATASET_DIR\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s/log", argv[1]);
    if (!(d = opendir(dir))) {
        fprintf(stderr, "bench-scan: cannot open '%s'\n", dir);
        return 3;
    }
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len > 6 && strcmp(de->d_name + len - 6, ".jsonl") == 0) {
            names = realloc(names, (n + 1) * sizeof(*names));
            names[n++] = strdup(de->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (scan_file(path, &a, &buf, &cap) < 0) {
            fprintf(stderr, "bench-scan: cannot read '%s'\n", path);
            return 4;
        }
        free(names[i]);
    }
    free(names);
    free(buf);
    printf("%" PRIu64 " %" PRIu64 "\n", a.lines, a.sum);
    return 0;
}
