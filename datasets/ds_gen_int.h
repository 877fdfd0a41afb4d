/*
 * ds_gen_int - internals shared by ds_gen.c (generation) and ds_write.c (output).
 * Not part of the public contract; only those two files include it.
 *
 * One record is one line to write. Originals have ids 1..events in event-time order;
 * a duplicate is a copy of its original with a later arrival; a malformed record is a
 * template (random event) whose text ds_write.c mangles by kind. After
 * ds_gen_generate, sorted[] holds the records grouped by partition (part_start[p] ..
 * part_start[p+1]) and, within a partition, by arrival; equal arrivals keep generation
 * order (originals by id, then duplicates, then malformed lines).
 */
#ifndef DS_GEN_INT_H
#define DS_GEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ds_gen.h"
#include "ds_rand.h"
#include "ds_scenario.h"

enum { DS_REC_ORIGINAL = 0, DS_REC_DUP = 1, DS_REC_BAD = 2 }; /* bad: DS_REC_BAD + kind */

struct ds_rec {
    int64_t event_time, arrival;
    uint32_t id;     /* 1-based event number (malformed: 1-based malformed number) */
    uint32_t key;    /* 0-based key index */
    int32_t value;   /* hundredths */
    uint16_t tenant; /* 0-based tenant index */
    uint8_t type, kind;
};

struct ds_gen {
    struct ds_params p;
    /* tables built by ds_gen_new */
    char (*tenant_name)[16];
    uint8_t *tenant_len;
    uint32_t *tenant_part; /* lk_hash_bytes(name) % partitions */
    uint16_t *key_tenant;  /* owner of each key */
    struct ds_alias key_dist, type_dist;
    double *minute_w, *minute_cum;
    size_t minutes;
    int id_width, key_width;
    /* delay plan */
    double q_offline, p_late, share_minutes;
    /* records */
    struct ds_rec *recs, *sorted;
    size_t nrecs, cap;
    size_t *part_start;
    /* output */
    lk_progress_fn progress;
    void *progress_arg;
    struct ds_counts counts;
};

/* Build sorted[] and part_start[] from the parameters (deterministic; cannot fail). */
void ds_gen_generate(struct ds_gen *g);

#endif
