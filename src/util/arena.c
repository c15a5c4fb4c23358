#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct kp_arena_chunk {
    kp_arena_chunk *next;
    size_t size, used;
    /* payload follows, 16-byte aligned */
};

#define CHUNK_HDR ((sizeof(kp_arena_chunk) + 15) & ~(size_t)15)
#define CHUNK_MIN (64 * 1024 - CHUNK_HDR)

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
        free(c);
        c = n;
    }
    a->head = NULL;
    a->used_total = 0;
    a->failed = 0;
}

void *kp_arena_alloc(kp_arena *a, size_t n)
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
        c = malloc(CHUNK_HDR + sz);
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
    memset(p, 0, n);
    return p;
}

void *kp_arena_realloc(kp_arena *a, void *p, size_t old_n, size_t new_n)
{
    if (new_n <= old_n && p)
        return p;
    void *q = kp_arena_alloc(a, new_n);
    if (q && p && old_n)
        memcpy(q, p, old_n);
    return q;
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
