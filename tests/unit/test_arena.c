/*
 * test_arena.c — unit tests of the compile-time arena (src/util/arena.c):
 * zeroing, raw blocks, growth in place and by copy (zeroed or raw), the
 * budget.
 *
 *   cc -std=gnu11 -Iinclude -Isrc tests/unit/test_arena.c build/libkplug.a \
 *      -lpthread -lm -o test_arena && ./test_arena
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"

static int passed, failed;

#define CHECK(c)                                                             \
    do {                                                                     \
        if (c)                                                               \
            passed++;                                                        \
        else {                                                               \
            failed++;                                                        \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
        }                                                                    \
    } while (0)

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void test_alloc(void)
{
    kp_arena a;
    kp_arena_init(&a, 0);
    /* dirty the thread's cached chunks first, so zeroing is really tested */
    unsigned char *d = kp_arena_alloc_raw(&a, 60000);
    CHECK(d != NULL);
    memset(d, 0xAB, 60000);
    kp_arena_free(&a);
    kp_arena_init(&a, 0);
    unsigned char *p = kp_arena_alloc(&a, 1000);
    CHECK(p && ((uintptr_t)p & 15) == 0 && all_zero(p, 1000));
    unsigned char *q = kp_arena_alloc(&a, 0);
    CHECK(q && q != p);
    kp_arena_free(&a);
}

static void test_realloc(void)
{
    kp_arena a;
    kp_arena_init(&a, 0);
    /* the latest block grows in place, keeps its bytes, zeroes the rest */
    unsigned char *p = kp_arena_alloc(&a, 20);
    memset(p, 7, 20);
    unsigned char *g = kp_arena_realloc(&a, p, 20, 100);
    CHECK(g == p);
    CHECK(g[0] == 7 && g[19] == 7 && all_zero(g + 20, 80));
    /* not the latest block: copied, the copy's tail zeroed */
    unsigned char *other = kp_arena_alloc(&a, 16);
    memset(g, 9, 100);
    unsigned char *h = kp_arena_realloc(&a, g, 100, 300);
    CHECK(h != g && h != other);
    CHECK(h[0] == 9 && h[99] == 9 && all_zero(h + 100, 200));
    /* and the next allocation does not overlap the grown block */
    memset(h, 1, 300);
    unsigned char *n = kp_arena_alloc(&a, 32);
    CHECK(n && (n >= h + 300 || n + 32 <= h) && all_zero(n, 32));
    /* shrinking or equal: the same block */
    CHECK(kp_arena_realloc(&a, h, 300, 10) == h);
    /* growth past the chunk: copied into a new chunk */
    unsigned char *big = kp_arena_alloc(&a, 64);
    memset(big, 3, 64);
    unsigned char *bigger = kp_arena_realloc(&a, big, 64, 200000);
    CHECK(bigger && bigger[63] == 3 && all_zero(bigger + 64, 200000 - 64));
    /* raw growth keeps the bytes it had, in place or copied */
    unsigned char *r = kp_arena_alloc(&a, 24);
    memset(r, 5, 24);
    unsigned char *r2 = kp_arena_realloc_raw(&a, r, 24, 48);
    CHECK(r2 == r && r2[0] == 5 && r2[23] == 5);
    (void)kp_arena_alloc(&a, 16);
    unsigned char *r3 = kp_arena_realloc_raw(&a, r2, 48, 96);
    CHECK(r3 && r3 != r2 && r3[0] == 5 && r3[23] == 5);
    /* NULL grows from nothing */
    unsigned char *z = kp_arena_realloc(&a, NULL, 0, 40);
    CHECK(z && all_zero(z, 40));
    CHECK(!a.failed);
    kp_arena_free(&a);
}

static void test_budget(void)
{
    kp_arena a;
    kp_arena_init(&a, 4096);
    unsigned char *p = kp_arena_alloc(&a, 2048);
    CHECK(p != NULL);
    /* in-place growth honours the budget too */
    CHECK(kp_arena_realloc(&a, p, 2048, 8192) == NULL);
    CHECK(a.failed);
    kp_arena_free(&a);
    kp_arena_init(&a, 4096);
    CHECK(kp_arena_alloc_raw(&a, 5000) == NULL && a.failed);
    kp_arena_free(&a);
}

int main(void)
{
    test_alloc();
    test_realloc();
    test_budget();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
