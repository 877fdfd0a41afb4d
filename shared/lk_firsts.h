/*
 * lk_firsts - the first valid copy of every event_id of a dataset, parsed once: what the
 * per-event analyses after a run walk (kp_latency's samples, the reconciliation's late
 * events), so that a sweep parses its dataset once, before its runs fork, instead of once
 * per run and analysis.
 *
 * lk_firsts_load reads the dataset at data as lk_source does: the log partition by
 * partition (files = 0), or the landing files in landing order (files = 1). The first
 * valid copy of each event_id in that order is v[i] (i = 0, 1, ... in reading order); its
 * event_id is ids' string i. earliest is the smallest arrival_time of any valid copy of
 * that event_id (re-deliveries included). Malformed lines are skipped.
 *
 * lk_firsts_current: f was loaded from the log at data as it is now (the same dataset,
 * lk_source_identity, and each partition file with the inode, size and mtime it had when
 * it was read). A landing or kafka:// load is never current (only the caller that
 * loaded it uses it). NULL f is not current.
 *
 * Errors: lk_log_open's and lk_landing's, LK_EINPUT (a partition file changed while it
 * was read). Memory: lk_firsts_free releases everything (NULL-safe); nothing is written
 * after load, so forked processes share it.
 */
#ifndef LK_FIRSTS_H
#define LK_FIRSTS_H

#include <stddef.h>
#include <stdint.h>

#include "lk_err.h"
#include "lk_event.h"
#include "lk_strtab.h"

struct lk_first {
    uint32_t str[LK_F_TYPE]; /* tenant, key, type (lk_field order from 1): ids in strs */
    uint32_t part;           /* log partition, or landing file index */
    uint64_t line;           /* 0-based line within it */
    int64_t value, event_time, arrival_time;
    int64_t earliest; /* smallest arrival_time of any valid copy */
};

struct lk_firsts_file; /* a partition file as it was read */

struct lk_firsts {
    struct lk_first *v;
    size_t n, cap;
    struct lk_strtab *ids;       /* event_ids: id i is v[i]'s */
    struct lk_strtab *strs;      /* tenants, keys, types */
    size_t nparts;               /* log partitions */
    struct lk_firsts_file *part; /* [nparts] for a log of files, else NULL */
    uint64_t identity;
};

int lk_firsts_load(const char *data, int files, struct lk_firsts **out, struct lk_err *err);
void lk_firsts_free(struct lk_firsts *f);
int lk_firsts_current(const struct lk_firsts *f, const char *data);

/* v[i] as an event (strings borrowed from f). */
void lk_firsts_event(const struct lk_firsts *f, size_t i, struct lk_event *ev);

#endif
