/*
 * arena.h — bump allocation for data that dies together (a compilation's
 * tokens, AST and IR). Allocation never aborts: on failure it returns NULL
 * and sets `failed`, so a producer can keep going and check once.
 * An optional byte budget turns runaway inputs into a clean failure.
 */
#ifndef KP_ARENA_H
#define KP_ARENA_H

#include <stddef.h>

typedef struct kp_arena_chunk kp_arena_chunk;

typedef struct kp_arena {
    kp_arena_chunk *head;
    size_t used_total;   /* bytes handed out, for the budget */
    size_t budget;       /* 0 = unlimited */
    int failed;          /* set once an allocation failed */
} kp_arena;

void kp_arena_init(kp_arena *a, size_t budget);
void kp_arena_free(kp_arena *a);              /* frees every chunk; a is reusable */
void *kp_arena_alloc(kp_arena *a, size_t n);  /* 16-byte aligned, zeroed */
/* The same, not zeroed: for large buffers the caller fills before reading. */
void *kp_arena_alloc_raw(kp_arena *a, size_t n);
/* Grow a previous allocation of old_n bytes to new_n bytes: in place if it
 * is the arena's latest block and there is room, else copied. The bytes
 * past old_n are zeroed; p stays valid only if the result is p. */
void *kp_arena_realloc(kp_arena *a, void *p, size_t old_n, size_t new_n);
/* The same without zeroing the new bytes: for arrays written before read,
 * where zeroing their spare capacity would only touch memory. */
void *kp_arena_realloc_raw(kp_arena *a, void *p, size_t old_n, size_t new_n);
char *kp_arena_strndup(kp_arena *a, const char *s, size_t n);
char *kp_arena_strdup(kp_arena *a, const char *s);

#endif
