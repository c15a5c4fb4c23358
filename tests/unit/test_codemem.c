/*
 * test_codemem.c — unit tests of the JIT's code memory (codemem.c): a
 * freed chunk is reused, its stale code past the new bytes is int3 (only
 * the bytes its last user asked for, or all of it when that is no longer
 * known), sealed
 * code is executable but not writable (W^X), and freed code cannot run.
 *
 *   cc -std=gnu11 -Iinclude -Isrc tests/unit/test_codemem.c build/libkplug.a \
 *      -lpthread -lm -o test_codemem && ./test_codemem
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jit/jit.h"

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

#if KP_JIT_AVAILABLE
static sigjmp_buf jb;

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(jb, 1);
}

/* 1 if writing one byte at p faults */
static int write_faults(volatile uint8_t *p)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, &old);
    int faulted = 1;
    if (!sigsetjmp(jb, 1)) {
        *p = 0x90;
        faulted = 0;
    }
    sigaction(SIGSEGV, &old, NULL);
    return faulted;
}

/* 1 if calling p faults */
static int call_faults(uint8_t *p)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, &old);
    int faulted = 1;
    if (!sigsetjmp(jb, 1)) {
        ((void (*)(void))p)();
        faulted = 0;
    }
    sigaction(SIGSEGV, &old, NULL);
    return faulted;
}

static void test_reuse(void)
{
    size_t got = 0, got2 = 0;
    uint8_t *p = jit_code_alloc(3000, &got);
    CHECK(p && got >= 3000 && got % 4096 == 0);
    if (!p)
        return;
    memset(p, 0x90, 3000); /* "old code" in all the bytes asked for */
    p[0] = 0xC3;           /* ret */
    CHECK(jit_code_seal(p, got) == 0);
    ((void (*)(void))p)();
    CHECK(write_faults(p));
    jit_code_free(p, got);
    CHECK(call_faults(p)); /* freed: kept maybe, but never executable */

    /* the same chunk comes back (best fit), writable, with nothing of the
     * old code past the new bytes */
    uint8_t *q = jit_code_alloc(100, &got2);
    CHECK(q == p && got2 == got);
    if (!q)
        return;
    /* the old code's bytes are int3; past them the chunk was never
     * written (zeros, as in a fresh chunk) */
    int tail_ok = 1;
    for (size_t i = 100; i < got2; i++)
        tail_ok &= q[i] == (i < 3000 ? 0xCC : 0);
    CHECK(tail_ok);
    q[0] = 0xB8; /* mov eax, 42; ret */
    q[1] = 42;
    q[2] = q[3] = q[4] = 0;
    q[5] = 0xC3;
    CHECK(jit_code_seal(q, got2) == 0);
    CHECK(((int (*)(void))q)() == 42);
    jit_code_free(q, got2);
    CHECK(call_faults(q));
}

/* A chunk whose written extent codemem no longer knows (its record was
 * taken by 64 later chunks) is overwritten whole past the new bytes. */
static void test_unknown_extent(void)
{
    enum { N = 65 };
    static uint8_t *v[N];
    static size_t sz[N];
    int ok = 1;
    for (int i = 0; i < N; i++) {
        v[i] = jit_code_alloc(3000, &sz[i]);
        ok &= v[i] != NULL;
        if (v[i])
            memset(v[i], 0x90, 3000);
    }
    CHECK(ok);
    if (!ok)
        return;
    /* keep v[1..] live: v[0]'s chunk is the only free one of its size */
    jit_code_free(v[0], sz[0]);
    size_t got = 0;
    uint8_t *q = jit_code_alloc(10, &got);
    CHECK(q == v[0] && got == sz[0]);
    if (q) {
        int tail_ok = 1;
        for (size_t i = 10; i < got; i++)
            tail_ok &= q[i] == 0xCC;
        CHECK(tail_ok);
        jit_code_free(q, got);
    }
    for (int i = 1; i < N; i++)
        jit_code_free(v[i], sz[i]);
}

/* Many chunks freed at once: past the retention bound they are dropped,
 * and every one can be allocated again. */
static void test_many(void)
{
    enum { N = 600 };
    static uint8_t *v[N];
    static size_t sz[N];
    int ok = 1;
    for (int i = 0; i < N; i++) {
        v[i] = jit_code_alloc(4096, &sz[i]);
        ok &= v[i] != NULL;
        if (v[i])
            memset(v[i], 0x90, sz[i]);
    }
    CHECK(ok);
    for (int i = 0; i < N; i++)
        jit_code_free(v[i], sz[i]);
    for (int i = 0; i < N; i++) {
        v[i] = jit_code_alloc(16, &sz[i]);
        /* a retained chunk has int3 there, a dropped one zeroes */
        ok &= v[i] != NULL && (v[i][16] == 0xCC || v[i][16] == 0);
    }
    CHECK(ok);
    for (int i = 0; i < N; i++)
        jit_code_free(v[i], sz[i]);
}
#endif

int main(void)
{
#if KP_JIT_AVAILABLE
    test_reuse();
    test_unknown_extent();
    test_many();
#else
    printf("no JIT on this platform: skipped\n");
#endif
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
