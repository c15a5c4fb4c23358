#include "arena.h"

#include "../platform/platform.h"

#include <stdlib.h>
#include <string.h>

struct kp_arena_chunk {
    kp_arena_chunk *next;
    size_t size, used;
    /* payload follows, 16-byte aligned */
};

#define CHUNK_HDR ((sizeof(kp_arena_chunk) + 15) & ~(size_t)15)
#define CHUNK_MIN (64 * 1024 - CHUNK_HDR)

/* Freed standard-size chunks are kept per thread (up to CACHE_MAX bytes)
 * instead of going back to malloc: a compile grows the heap by a few
 * chunks and glibc trims it back on free, so without the cache every
 * compile page-faults its arena in afresh (about half of a small
 * compile's time). The cache is emptied when the thread exits. */
#define CACHE_MAX ((size_t)1 << 20)
#define CACHE_CHUNKS (CACHE_MAX / (CHUNK_HDR + CHUNK_MIN))

static _Thread_local kp_arena_chunk *tls_cache;
static _Thread_local unsigned tls_ncached;
static _Thread_local int tls_keyed; /* the key holds a value: exit frees the cache */

static void cache_drop(void *unused)
{
    (void)unused;
    kp_arena_chunk *c = tls_cache;
    tls_cache = NULL;
    tls_ncached = 0;
    tls_keyed = 0; /* a later destructor freeing an arena registers again */
    while (c) {
        kp_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
}

static kp_tls_key cache_key = KP_TLS_KEY_INIT(cache_drop);

/* Keep c for reuse on this thread if there is room; 1 if kept. */
static int cache_put(kp_arena_chunk *c)
{
    if (c->size != CHUNK_MIN || tls_ncached >= CACHE_CHUNKS)
        return 0;
    if (!tls_keyed) {
        /* Without a registered destructor the chunks would leak when the
         * thread exits: then do not cache at all. */
        if (kp_os_tls_set(&cache_key, &tls_keyed) != 0)
            return 0;
        tls_keyed = 1;
    }
    c->next = tls_cache;
    tls_cache = c;
    tls_ncached++;
    return 1;
}

static kp_arena_chunk *chunk_new(size_t sz)
{
    if (sz == CHUNK_MIN && tls_cache) {
        kp_arena_chunk *c = tls_cache;
        tls_cache = c->next;
        tls_ncached--;
        return c;
    }
    return malloc(CHUNK_HDR + sz);
}

void kp_arena_init(kp_arena *a, size_t budget)
{
    a->head = NULL;
    a->used_total = 0;
    a->budget = budget;
    a->failed = 0;
}

void kp_arena_free(kp_arena *a)
{
    kp_arena_chunk *c = a->head;
    while (c) {
        kp_arena_chunk *n = c->next;
        if (!cache_put(c))
            free(c);
        c = n;
    }
    a->head = NULL;
    a->used_total = 0;
    a->failed = 0;
}

static void *take_slow(kp_arena *a, size_t n);

/* n bytes (rounded up to 16), not initialized. Called a few hundred times
 * per compile: the common case is one test for size, room and budget
 * each; everything else (n == 0, huge n, a new chunk) goes out of line. */
static inline void *take(kp_arena *a, size_t n)
{
    size_t n16 = (n + 15) & ~(size_t)15; /* 0 for n == 0 and for wrapped n */
    kp_arena_chunk *c = a->head;
    if (__builtin_expect(n16 - 1 < CHUNK_MIN && c && n16 <= c->size - c->used &&
                         (!a->budget || a->used_total + n16 <= a->budget), 1)) {
        void *p = (char *)c + CHUNK_HDR + c->used;
        c->used += n16;
        a->used_total += n16;
        return p;
    }
    return take_slow(a, n);
}

static void *take_slow(kp_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > ((size_t)1 << 40)) {
        a->failed = 1;
        return NULL;
    }
    n = (n + 15) & ~(size_t)15;
    if (a->budget && a->used_total + n > a->budget) {
        a->failed = 1;
        return NULL;
    }
    kp_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t sz = n > CHUNK_MIN ? n : CHUNK_MIN;
        c = chunk_new(sz);
        if (!c) {
            a->failed = 1;
            return NULL;
        }
        c->size = sz;
        c->used = 0;
        /* Keep the emptier chunk at the head so that one big allocation
         * does not strand the rest of the current chunk. */
        if (a->head && a->head->size - a->head->used > sz - n) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (char *)c + CHUNK_HDR + c->used;
    c->used += n;
    a->used_total += n;
    return p;
}

void *kp_arena_alloc(kp_arena *a, size_t n)
{
    void *p = take(a, n);
    if (p)
        memset(p, 0, (n + 15) & ~(size_t)15);
    return p;
}

void *kp_arena_alloc_raw(kp_arena *a, size_t n)
{
    return take(a, n);
}

static void *grow(kp_arena *a, void *p, size_t old_n, size_t new_n, int zero)
{
    if (new_n <= old_n && p)
        return p;
    size_t o16 = (old_n + 15) & ~(size_t)15, n16 = (new_n + 15) & ~(size_t)15;
    kp_arena_chunk *c = a->head;
    /* The last block of the head chunk (a growing array, usually) grows
     * in place. */
    if (p && old_n && c && n16 <= ((size_t)1 << 40) &&
        (char *)p + o16 == (char *)c + CHUNK_HDR + c->used &&
        c->size - c->used >= n16 - o16 &&
        !(a->budget && a->used_total + (n16 - o16) > a->budget)) {
        c->used += n16 - o16;
        a->used_total += n16 - o16;
        if (zero)
            memset((char *)p + old_n, 0, n16 - old_n);
        return p;
    }
    char *q = take(a, new_n);
    if (!q)
        return NULL;
    size_t keep = p ? old_n : 0;
    if (keep)
        memcpy(q, p, keep);
    if (zero)
        memset(q + keep, 0, n16 - keep);
    return q;
}

/* A growing array's first allocation (p NULL) is the most common call:
 * it skips grow's in-place test and copy. */
void *kp_arena_realloc(kp_arena *a, void *p, size_t old_n, size_t new_n)
{
    if (!p)
        return kp_arena_alloc(a, new_n);
    return grow(a, p, old_n, new_n, 1);
}

void *kp_arena_realloc_raw(kp_arena *a, void *p, size_t old_n, size_t new_n)
{
    if (!p)
        return take(a, new_n);
    return grow(a, p, old_n, new_n, 0);
}

char *kp_arena_strndup(kp_arena *a, const char *s, size_t n)
{
    char *d = kp_arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *kp_arena_strdup(kp_arena *a, const char *s)
{
    return kp_arena_strndup(a, s, strlen(s));
}
