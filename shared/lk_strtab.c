#include "lk_strtab.h"

#include <stdlib.h>
#include <string.h>

#include "lk_mem.h"
#include "banned.h"

struct entry {
    const char *ptr; /* into an arena chunk */
    uint32_t len;
    uint32_t hash32;
};

/*
 * The arena is a list of chunks that are never moved or resized, so the bytes handed
 * out by lk_strtab_get stay where they are until lk_strtab_free (a realloc'ed arena
 * would leave earlier lk_str pointers dangling).
 */
#define CHUNK_MIN ((size_t)4096)
#define CHUNK_MAX ((size_t)1 << 22)

struct lk_strtab {
    char **chunks;
    size_t nchunks, chunks_cap;
    char *cur; /* the chunk being filled */
    size_t cur_len, cur_cap;
    size_t arena_bytes; /* sum of chunk sizes */
    struct entry *ents; /* by id */
    size_t n, ents_cap;
    uint64_t *slots; /* hash32 << 32 | (id + 1), 0 = empty; power-of-two size */
    size_t nslots;
};

uint64_t lk_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

uint64_t lk_hash_bytes(const void *p, size_t len)
{
    /* FNV-1a over 8-byte words then bytes, with a final avalanche (splitmix64). */
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    h ^= len;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

/*
 * The tables' own hash: wyhash's scheme (a 64x64->128 multiply folds 16 bytes at a time;
 * strings of up to 16 bytes, like ids and group values, take two or three loads and two
 * multiplies). Tables only; partitioning uses lk_hash_bytes, whose values are fixed.
 */
#if defined(__SIZEOF_INT128__)
static const uint64_t wy[4] = { 0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL, 0x8ebc6af09c88c6e3ULL,
                                0x589965cc75374cc3ULL };

static uint64_t wy_mix(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint64_t wy_r8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t wy_r4(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint64_t lk_strtab_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t seed = wy_mix(wy[0], wy[1]), a, b;
    size_t i = len;
    if (len <= 16) {
        if (len >= 4) {
            size_t k = (len >> 3) << 2;
            a = wy_r4(p) << 32 | wy_r4(p + k);
            b = wy_r4(p + len - 4) << 32 | wy_r4(p + len - 4 - k);
        } else if (len > 0) {
            a = (uint64_t)p[0] << 16 | (uint64_t)p[len >> 1] << 8 | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        for (; i > 16; i -= 16, p += 16)
            seed = wy_mix(wy_r8(p) ^ wy[1], wy_r8(p + 8) ^ seed);
        a = wy_r8(p + i - 16);
        b = wy_r8(p + i - 8);
    }
    return wy_mix(wy[1] ^ len, wy_mix(a ^ wy[1], b ^ seed));
}
#else
uint64_t lk_strtab_hash(const void *data, size_t len)
{
    return lk_hash_bytes(data, len);
}
#endif

struct lk_strtab *lk_strtab_new(void)
{
    struct lk_strtab *t = lk_xcalloc(1, sizeof(*t));
    t->nslots = 64;
    t->slots = lk_xcalloc(t->nslots, sizeof(*t->slots));
    return t;
}

void lk_strtab_free(struct lk_strtab *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nchunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->ents);
    free(t->slots);
    free(t);
}

static uint64_t slot_value(uint32_t h32, uint32_t id)
{
    return (uint64_t)h32 << 32 | ((uint64_t)id + 1);
}

static void rehash(struct lk_strtab *t)
{
    size_t n = t->nslots * 2, mask = n - 1;
    uint64_t *slots = lk_xcalloc(n, sizeof(*slots));
    for (size_t id = 0; id < t->n; id++) {
        size_t i = t->ents[id].hash32 & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = slot_value(t->ents[id].hash32, (uint32_t)id);
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
}

/* Slot of s, or the empty slot where it would go; hashes are compared in the slots first. */
static size_t probe(const struct lk_strtab *t, const char *s, size_t len, uint32_t h32)
{
    size_t mask = t->nslots - 1, i = h32 & mask;
    for (;;) {
        uint64_t v = t->slots[i];
        if (!v)
            return i;
        if ((uint32_t)(v >> 32) == h32) {
            const struct entry *e = &t->ents[(uint32_t)v - 1];
            if (e->len == len && memcmp(e->ptr, s, len) == 0)
                return i;
        }
        i = (i + 1) & mask;
    }
}

uint32_t lk_strtab_find(const struct lk_strtab *t, const char *s, size_t len)
{
    uint64_t v = t->slots[probe(t, s, len, (uint32_t)lk_strtab_hash(s, len))];
    return v ? (uint32_t)v - 1 : UINT32_MAX;
}

void lk_strtab_prefetch(const struct lk_strtab *t, uint64_t hash)
{
    __builtin_prefetch(&t->slots[(uint32_t)hash & (t->nslots - 1)]);
}

/* Room for n bytes that will never move. */
static char *arena_alloc(struct lk_strtab *t, size_t n)
{
    char *p;
    if (t->cur_cap - t->cur_len < n) {
        size_t cap = t->cur_cap * 2;
        if (cap < CHUNK_MIN)
            cap = CHUNK_MIN;
        if (cap > CHUNK_MAX)
            cap = CHUNK_MAX;
        if (cap < n)
            cap = n;
        LK_GROW(t->chunks, t->chunks_cap, t->nchunks + 1);
        t->cur = lk_xmalloc(cap);
        t->chunks[t->nchunks++] = t->cur;
        t->cur_len = 0;
        t->cur_cap = cap;
        t->arena_bytes += cap;
    }
    p = t->cur + t->cur_len;
    t->cur_len += n;
    return p;
}

uint32_t lk_strtab_intern(struct lk_strtab *t, const char *s, size_t len, int *added)
{
    return lk_strtab_intern_hashed(t, s, len, lk_strtab_hash(s, len), added);
}

uint32_t lk_strtab_intern_hashed(struct lk_strtab *t, const char *s, size_t len, uint64_t hash,
                                 int *added)
{
    uint32_t h32 = (uint32_t)hash;
    size_t slot = probe(t, s, len, h32);
    uint32_t id;
    char *copy;
    if (t->slots[slot]) {
        if (added)
            *added = 0;
        return (uint32_t)t->slots[slot] - 1;
    }
    id = (uint32_t)t->n;
    LK_GROW(t->ents, t->ents_cap, t->n + 1);
    copy = arena_alloc(t, len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    t->ents[id].ptr = copy;
    t->ents[id].len = (uint32_t)len;
    t->ents[id].hash32 = h32;
    t->n++;
    t->slots[slot] = slot_value(h32, id);
    if (t->n * 4 > t->nslots * 3)
        rehash(t);
    if (added)
        *added = 1;
    return id;
}

struct lk_str lk_strtab_get(const struct lk_strtab *t, uint32_t id)
{
    struct lk_str s = { t->ents[id].ptr, t->ents[id].len };
    return s;
}

size_t lk_strtab_count(const struct lk_strtab *t)
{
    return t->n;
}

size_t lk_strtab_bytes(const struct lk_strtab *t)
{
    return t->arena_bytes + t->chunks_cap * sizeof(char *) + t->ents_cap * sizeof(struct entry)
           + t->nslots * sizeof(*t->slots);
}
