/*
 * segment.c — a runtime's segment and its plugin stacks.
 *
 * Reservation (see docs/design.md, "The segment"):
 *
 *   reserve                base                base+mem_size        base+4 GiB
 *   | guard (PROT_NONE)    | page 0 | heap ... | PROT_NONE ...       | guard |
 *
 * The reservation covers every address a native access can form, base +
 * zero-extended 32-bit offset + displacement with |disp| <= IR_MAX_DISP,
 * so code generated later needs no bounds check to stay inside it; the
 * guards are at least 2 * IR_MAX_DISP each. Only [KP_PAGE_SIZE, mem_size)
 * is ever accessible.
 *
 * Plugin stacks are ordinary heap blocks (SYSTEM kind, invisible to free()).
 * Overflow is caught by the explicit `sp - frame >= stack_lo` check every
 * engine makes on function entry, not by a guard page: a PROT_NONE page
 * inside [KP_PAGE_SIZE, mem_size) would make the interpreter (which only
 * checks that range) and native code disagree about which accesses trap.
 */
#include <stdlib.h>
#include <string.h>

#include "rt_private.h"

#define SEG_SPAN ((uint64_t)1 << 32)
#define SEG_GUARD ((size_t)(2 * IR_MAX_DISP + KP_PAGE_SIZE))

int kp_segment_init(kp_segment *s, uint64_t mem_limit)
{
    memset(s, 0, sizeof *s);
    if (sizeof(size_t) < 8)
        return -1; /* 32-bit hosts would need a smaller layout */
    size_t total = (size_t)SEG_SPAN + 2 * SEG_GUARD;
    uint8_t *r = kp_os_reserve(total);
    if (!r)
        return -1;
    s->reserve = r;
    s->reserve_size = total;
    s->base = r + SEG_GUARD;
    atomic_init(&s->mem_size, mem_limit);
    if (kp_os_protect(s->base + KP_PAGE_SIZE, (size_t)mem_limit - KP_PAGE_SIZE, 1) != 0) {
        kp_os_release(r, total);
        memset(s, 0, sizeof *s);
        return -1;
    }
    return 0;
}

void kp_segment_fini(kp_segment *s)
{
    kp_os_release(s->reserve, s->reserve_size);
    memset(s, 0, sizeof *s);
}

int kp_segment_resize(kp_segment *s, uint64_t old_size, uint64_t new_size)
{
    if (new_size > old_size)
        return kp_os_protect(s->base + old_size, (size_t)(new_size - old_size), 1);
    if (new_size < old_size) {
        /* Drop the pages first: PROT_NONE alone would keep them charged. */
        kp_os_discard(s->base + new_size, (size_t)(old_size - new_size));
        return kp_os_protect(s->base + new_size, (size_t)(old_size - new_size), 0);
    }
    return 0;
}

/* One stack is kept in an atomic word so that the common case (one
 * thread calling repeatedly) takes no lock; others wait in the pool.
 * Entries carry the generation of the stack size they were made with. */
#define TAG_GEN(t) ((t) >> 32)

static void stack_free(kp_runtime *rt, uint32_t lo)
{
    kp_heap_free(&rt->heap, lo, KP_HB_SYSTEM);
}

uint32_t kp_stack_acquire(kp_runtime *rt, uint64_t *tag)
{
    uint64_t cfg = atomic_load_explicit(&rt->stack_cfg, memory_order_acquire);
    *tag = cfg;
    uint64_t e = atomic_exchange_explicit(&rt->stack_cache, 0, memory_order_acquire);
    if (e) {
        if (TAG_GEN(e) == TAG_GEN(cfg))
            return (uint32_t)e;
        stack_free(rt, (uint32_t)e);
    }
    uint32_t lo = 0;
    kp_mutex_lock(&rt->stack_lock);
    while (!lo && rt->nstacks) {
        e = rt->stacks[--rt->nstacks];
        if (TAG_GEN(e) == TAG_GEN(cfg))
            lo = (uint32_t)e;
        else
            stack_free(rt, (uint32_t)e);
    }
    kp_mutex_unlock(&rt->stack_lock);
    if (lo)
        return lo;
    return kp_heap_alloc(&rt->heap, (uint32_t)cfg, KP_HB_SYSTEM);
}

void kp_stack_release(kp_runtime *rt, uint32_t lo, uint64_t tag)
{
    if (tag != atomic_load_explicit(&rt->stack_cfg, memory_order_acquire)) {
        stack_free(rt, lo); /* made for an older stack size */
        return;
    }
    uint64_t e = (uint64_t)lo | (TAG_GEN(tag) << 32), expect = 0;
    if (atomic_compare_exchange_strong_explicit(&rt->stack_cache, &expect, e,
                                                memory_order_release,
                                                memory_order_relaxed))
        return;
    kp_mutex_lock(&rt->stack_lock);
    if (rt->nstacks == rt->stacks_cap) {
        uint32_t ncap = rt->stacks_cap ? rt->stacks_cap * 2 : 8;
        uint64_t *n = realloc(rt->stacks, ncap * sizeof *n);
        if (!n) {
            /* No room to remember it: give the memory back instead. */
            kp_mutex_unlock(&rt->stack_lock);
            stack_free(rt, lo);
            return;
        }
        rt->stacks = n;
        rt->stacks_cap = ncap;
    }
    rt->stacks[rt->nstacks++] = e;
    kp_mutex_unlock(&rt->stack_lock);
}

void kp_stacks_resize(kp_runtime *rt, uint32_t size)
{
    kp_mutex_lock(&rt->stack_lock);
    uint64_t cfg = atomic_load(&rt->stack_cfg);
    uint64_t gen = (TAG_GEN(cfg) + 1) & 0xffffffffu;
    atomic_store(&rt->stack_cfg, (uint64_t)size | gen << 32);
    kp_rt_cfg_changed(rt);
    /* Idle stacks of the old size go back to the heap now; stacks in use
     * are freed when their calls release them. */
    for (uint32_t i = 0; i < rt->nstacks; i++)
        stack_free(rt, (uint32_t)rt->stacks[i]);
    rt->nstacks = 0;
    kp_mutex_unlock(&rt->stack_lock);
    uint64_t e = atomic_exchange(&rt->stack_cache, 0);
    if (e) {
        if (TAG_GEN(e) == gen)
            kp_stack_release(rt, (uint32_t)e, (uint64_t)size | gen << 32);
        else
            stack_free(rt, (uint32_t)e);
    }
}

void kp_stacks_fini(kp_runtime *rt)
{
    free(rt->stacks);
    rt->stacks = NULL;
    rt->nstacks = rt->stacks_cap = 0;
}
