/* test_memory.c — memory exchange (kp_alloc/kp_free/kp_host_ptr/
 * kp_plugin_ptr), the heap under random load checked against a model,
 * exhaustion and recovery, invalid frees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kplug.h"
#include "check.h"
#include "runtime/rt_private.h"

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

int main(void)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.mem_limit = 4 << 20;
    cfg.stack_size = 64 << 10;
    kp_runtime *rt;
    CHECK("create 4 MiB", kp_runtime_create(&cfg, &rt) == KP_OK);

    CHECK("alloc 0", kp_alloc(rt, 0) == 0);
    kp_ptr p = kp_alloc(rt, 100);
    CHECK("alloc aligned", p >= 4096 && p % 16 == 0);
    char *h = kp_host_ptr(rt, p, 100);
    CHECK("host ptr", h != NULL);
    memset(h, 0xAB, 100);
    CHECK("plugin ptr roundtrip", kp_plugin_ptr(rt, h) == p && kp_plugin_ptr(rt, h + 7) == p + 7);
    CHECK("host ptr page 0", kp_host_ptr(rt, 0, 1) == NULL && kp_host_ptr(rt, 4095, 1) == NULL &&
                                 kp_host_ptr(rt, 4095, 2) == NULL);
    CHECK("host ptr end", kp_host_ptr(rt, (4 << 20) - 4, 4) != NULL &&
                              kp_host_ptr(rt, (4 << 20) - 4, 5) == NULL &&
                              kp_host_ptr(rt, 0xFFFFFFFFu, 1) == NULL);
    CHECK("host ptr len 0", kp_host_ptr(rt, 4096, 0) != NULL &&
                                kp_host_ptr(rt, 4 << 20, 0) == NULL);
    CHECK("host ptr huge len", kp_host_ptr(rt, 4096, SIZE_MAX) == NULL);
    CHECK("plugin ptr outside", kp_plugin_ptr(rt, &cfg) == 0 && kp_plugin_ptr(rt, h - p) == 0);
    kp_free(rt, p);
    CHECK("free ok", 1);
    kp_free(rt, p);
    CHECK("double free recorded", kp_last_error()->code == KP_ERR_ARG);
    kp_free(rt, 12345);
    CHECK("bad free recorded", kp_last_error()->code == KP_ERR_ARG);
    kp_free(rt, 0);

    /* exhaustion and recovery */
    kp_ptr big = kp_alloc(rt, 8 << 20);
    CHECK("too big fails", big == 0 && kp_last_error()->code == KP_ERR_NOMEM_PLUGIN);
    kp_ptr blocks[1024];
    int n = 0;
    while (n < 1024 && (blocks[n] = kp_alloc(rt, 64 << 10)) != 0)
        n++;
    CHECK("fill the segment", n > 40 && n < 64);
    for (int i = 0; i < n; i++)
        kp_free(rt, blocks[i]);
    big = kp_alloc(rt, 3 << 20);
    CHECK("coalesced after free", big != 0);
    kp_free(rt, big);

    /* random load against a model; every block filled with a pattern */
    enum { SLOTS = 2000 };
    static kp_ptr ptrs[SLOTS];
    static uint32_t sizes[SLOTS];
    int ok = 1, allocs = 0;
    for (int iter = 0; iter < 200000 && ok; iter++) {
        int i = (int)(rnd() % SLOTS);
        if (ptrs[i]) {
            uint8_t *b = kp_host_ptr(rt, ptrs[i], sizes[i]);
            for (uint32_t k = 0; k < sizes[i]; k += 61)
                if (b[k] != (uint8_t)(i + k)) {
                    ok = 0;
                    break;
                }
            kp_free(rt, ptrs[i]);
            ptrs[i] = 0;
        } else {
            uint32_t sz = rnd() % 8 ? rnd() % 300 + 1 : rnd() % 40000 + 1;
            kp_ptr q = kp_alloc(rt, sz);
            if (!q)
                continue;
            allocs++;
            if (q % 16 || !kp_host_ptr(rt, q, sz))
                ok = 0;
            uint8_t *b = kp_host_ptr(rt, q, sz);
            for (uint32_t k = 0; k < sz; k += 61)
                b[k] = (uint8_t)(i + k);
            ptrs[i] = q;
            sizes[i] = sz;
        }
    }
    CHECK("random alloc/free keeps data", ok && allocs > 1000);
    /* no two live blocks overlap */
    ok = 1;
    for (int i = 0; i < SLOTS && ok; i++)
        for (int j = i + 1; j < SLOTS; j++)
            if (ptrs[i] && ptrs[j] && ptrs[i] < ptrs[j] + sizes[j] && ptrs[j] < ptrs[i] + sizes[i]) {
                ok = 0;
                break;
            }
    CHECK("no overlap", ok);
    for (int i = 0; i < SLOTS; i++)
        kp_free(rt, ptrs[i]);
    big = kp_alloc(rt, 3 << 20);
    CHECK("all memory back", big != 0);
    kp_runtime_destroy(rt);

    /* a big freed block gives its pages back: it reads back as zeros */
    CHECK("create 64 MiB", kp_runtime_create(NULL, &rt) == KP_OK);
    big = kp_alloc(rt, 20 << 20);
    unsigned char *bh = kp_host_ptr(rt, big, 20 << 20);
    CHECK("20 MiB block", bh != NULL);
    memset(bh, 0x77, 20 << 20);
    kp_free(rt, big);
    CHECK("freed pages discarded", bh[1 << 20] == 0 && bh[(20 << 20) - 4096] == 0);
    kp_runtime_destroy(rt);

    /* the heap itself: realloc, kinds, corruption cannot matter */
    kp_heap hp;
    static uint8_t mem[1 << 20];
    CHECK("heap init", kp_heap_init(&hp, 4096, sizeof mem) == 0);
    uint32_t a = kp_heap_alloc(&hp, 40, KP_HB_USER);
    uint32_t s = kp_heap_alloc(&hp, 40, KP_HB_SYSTEM);
    CHECK("kinds", kp_heap_free(&hp, s, KP_HB_USER) == -1 &&
                       kp_heap_free(&hp, a, KP_HB_SYSTEM) == -1);
    CHECK("interior free rejected", kp_heap_free(&hp, a + 16, KP_HB_USER) == -1);
    memset(mem + a, 0x5A, 40);
    uint32_t a2 = kp_heap_realloc(&hp, mem, a, 4000);
    CHECK("realloc grows, keeps data", a2 && a2 != (uint32_t)-1 && mem[a2] == 0x5A &&
                                           mem[a2 + 39] == 0x5A);
    uint32_t a3 = kp_heap_realloc(&hp, mem, a2, 16);
    CHECK("realloc shrinks in place", a3 == a2 && kp_heap_block_size(&hp, a3) == 16);
    uint32_t a4 = kp_heap_realloc(&hp, mem, a3, 1000);
    CHECK("realloc grows in place", a4 == a3);
    CHECK("realloc of bad pointer", kp_heap_realloc(&hp, mem, 999, 10) == (uint32_t)-1);
    CHECK("realloc too big", kp_heap_realloc(&hp, mem, a4, 2 << 20) == 0 &&
                                 kp_heap_block_size(&hp, a4) >= 1000);
    memset(mem, 0xFF, sizeof mem); /* a plugin scribbling everywhere */
    CHECK("free after scribble", kp_heap_free(&hp, a4, KP_HB_USER) == 0 &&
                                     kp_heap_free(&hp, s, KP_HB_SYSTEM) == 0);
    CHECK("whole heap after scribble", kp_heap_alloc(&hp, sizeof mem - 4096, KP_HB_USER) == 4096);
    kp_heap_fini(&hp);
    return CHECK_DONE();
}
