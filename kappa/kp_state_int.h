/*
 * kp_state_int - kp_state's data structures, shared by kp_state.c (the tables, adding
 * events, eviction, output) and kp_state_io.c (the checkpoint text format). Not part of
 * the engine's interface: only those two files include it.
 */
#ifndef KP_STATE_INT_H
#define KP_STATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "kp_state.h"
#include "lk_agg.h"

#define CLEAN (UINT64_MAX - 1) /* dirty mark of a cell no batch has changed since loading */

struct cell {
    uint32_t tuple;
    int64_t start, end;
    uint64_t dirty; /* last batch that changed it */
    int dead;       /* merged away (sessions); removed at the next compaction */
    struct lk_agg agg;
};

struct id_entry {
    uint64_t off; /* into ids_arena */
    uint32_t len;
    uint32_t hash32;
    int64_t expiry;
};

struct retraction {
    uint32_t tuple;
    int64_t start;
    uint64_t batch;
};

struct idx_list {
    uint32_t *v;
    size_t n, cap;
};

struct kp_state {
    const struct lk_spec *spec;
    size_t ndistinct;
    struct lk_strtab *values; /* group and distinct strings */
    struct lk_strtab *tuples; /* group tuples as uint32 value ids */
    struct lk_strtab *raw;    /* group tuples as their bytes (length-prefixed), a shortcut */
    uint32_t *raw_tuple;      /* raw id -> tuple id */
    size_t raw_cap;
    char *raw_key; /* scratch for building a raw key */
    size_t raw_key_cap;
    uint32_t *last_cell; /* tuple id t -> [2t], [2t+1]: the cells it last used (hints) */
    size_t last_cap;
    struct cell *cells;
    size_t ncells, cells_cap, ndead;
    uint32_t *map; /* cell index + 1 by (tuple, start) */
    size_t map_size;
    struct idx_list *sessions; /* by tuple: live session cells (session windows only) */
    size_t nsessions;
    struct id_entry *ids;
    size_t nids, ids_cap;
    uint64_t *id_map; /* see "id table" */
    size_t id_map_size;
    char *ids_arena;
    size_t ids_arena_len, ids_arena_cap;
    int64_t ids_wm;         /* ids with expiry <= ids_wm are forgotten (see "id table") */
    size_t ids_compact_at;  /* compact ids[] once it holds this many entries */
    int64_t ids_min_expiry; /* smallest expiry in ids[] (LK_TIME_POS_INF when none) */
    uint64_t ids_batch;     /* the last batch that added ids: they are ids[ids_batch_first..] */
    size_t ids_batch_first;
    struct retraction *retr;
    size_t nretr, retr_cap;
    size_t last_retr;               /* retractions of the last add start here */
    uint64_t last_batch;            /* batch of the last add */
    size_t touched[KP_MAX_WINDOWS]; /* cells the last add aggregated into */
    size_t ntouched;
    size_t *dirty; /* cells changed in batch dirty_batch, in first-touch order */
    size_t ndirty, dirty_cap;
    uint64_t dirty_batch;
    int64_t min_end;
    char *wbuf; /* kp_state_write's buffer, kept between checkpoints */
    size_t wbuf_cap;
    unsigned char *bare; /* by value id: 0 unknown, 1 written bare, 2 length-prefixed */
    size_t bare_cap;
    int flink;        /* kp_state_flink: sessions judged late after merging, */
    int64_t lateness; /*   and windows kept until the watermark passes end + lateness */
};

/* Tables (kp_state.c). */
void kps_rebuild_cells(struct kp_state *s, size_t map_size);
size_t kps_map_find(const struct kp_state *s, uint32_t tuple, int64_t start);
struct cell *kps_cell_get(struct kp_state *s, uint32_t tuple, int64_t start, int64_t end);
int kps_id_live(const struct kp_state *s, const struct id_entry *e);
void kps_rebuild_ids(struct kp_state *s, size_t size);
int kps_id_remember(struct kp_state *s, const char *p, size_t len, int64_t expiry, uint64_t batch);
void kps_clear_cells(struct kp_state *s);
void kps_kill_cell(struct kp_state *s, size_t c, uint64_t batch);

#endif
