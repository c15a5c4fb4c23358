/*
 * heap.c — the allocator inside a runtime's segment: plugins' malloc/free,
 * kp_alloc/kp_free, module data images and plugin stacks all come from it.
 *
 * Two-level segregated fit (TLSF): free blocks sit in lists by size class
 * (a first level per power of two, 16 linear subdivisions each), found in
 * O(1) through two levels of bitmaps; a request is rounded up to the next
 * class boundary so that any block of the class found fits ("good fit").
 *
 * Every piece of metadata lives in host memory (kp_hblk records): block
 * boundaries, physical neighbours, free lists and the table of live blocks.
 * The segment holds nothing but payload, so a plugin that scribbles over
 * the whole heap changes only data: it can never corrupt the allocator,
 * make it hand out overlapping blocks or reach host memory. free() of
 * anything but the exact start of a live block is detected (table lookup).
 */
#include <stdlib.h>
#include <string.h>

#include "rt_private.h"

struct kp_hblk {
    uint32_t off;                 /* segment offset of the payload */
    uint32_t size;                /* bytes, multiple of 16 */
    kp_hblk *prev, *next;         /* physical neighbours (address order) */
    kp_hblk *lprev, *lnext;       /* free list, or table chain (lnext) */
    uint8_t free;
    uint8_t kind;
};

#define GRAN 16u
#define SMALL 256u  /* sizes below are classed linearly in first level 0 */

static int fls32(uint32_t x) { return 31 - __builtin_clz(x); }

/* The class (fl, sl) containing blocks of size s (s >= 16). */
static void mapping(uint64_t s, int *fl, int *sl)
{
    if (s < SMALL) {
        *fl = 0;
        *sl = (int)(s / GRAN);
    } else {
        int l = fls32((uint32_t)s);           /* s < 2^32 */
        *fl = l - 7;                          /* 256 -> 1 */
        *sl = (int)((s >> (l - 4)) & (KP_HEAP_SL - 1));
    }
}

static kp_hblk *rec_new(kp_heap *h)
{
    kp_hblk *b = h->spare;
    if (b) {
        h->spare = b->lnext;
    } else {
        b = malloc(sizeof *b);
        if (!b)
            return NULL;
    }
    memset(b, 0, sizeof *b);
    return b;
}

static void rec_free(kp_heap *h, kp_hblk *b)
{
    b->lnext = h->spare;
    h->spare = b;
}

static void list_insert(kp_heap *h, kp_hblk *b)
{
    int fl, sl;
    mapping(b->size, &fl, &sl);
    b->free = 1;
    b->lprev = NULL;
    b->lnext = h->free_heads[fl][sl];
    if (b->lnext)
        b->lnext->lprev = b;
    h->free_heads[fl][sl] = b;
    h->fl_bitmap |= 1u << fl;
    h->sl_bitmap[fl] |= 1u << sl;
}

static void list_remove(kp_heap *h, kp_hblk *b)
{
    int fl, sl;
    mapping(b->size, &fl, &sl);
    if (b->lprev)
        b->lprev->lnext = b->lnext;
    else
        h->free_heads[fl][sl] = b->lnext;
    if (b->lnext)
        b->lnext->lprev = b->lprev;
    if (!h->free_heads[fl][sl]) {
        h->sl_bitmap[fl] &= ~(1u << sl);
        if (!h->sl_bitmap[fl])
            h->fl_bitmap &= ~(1u << fl);
    }
    b->free = 0;
    b->lprev = b->lnext = NULL;
}

/* ---- the table of live blocks ------------------------------------------- */

static uint32_t hash_off(uint32_t off)
{
    return (off >> 4) * 2654435761u;
}

static void table_grow(kp_heap *h)
{
    uint32_t nsize = (h->table_mask + 1) * 2;
    kp_hblk **nt = calloc(nsize, sizeof *nt);
    if (!nt)
        return; /* chains just get longer */
    for (uint32_t i = 0; i <= h->table_mask; i++) {
        kp_hblk *b = h->table[i];
        while (b) {
            kp_hblk *n = b->lnext;
            uint32_t j = hash_off(b->off) & (nsize - 1);
            b->lnext = nt[j];
            nt[j] = b;
            b = n;
        }
    }
    free(h->table);
    h->table = nt;
    h->table_mask = nsize - 1;
}

static void table_add(kp_heap *h, kp_hblk *b)
{
    if (h->nlive >= h->table_mask + 1 && h->table_mask < (1u << 28))
        table_grow(h);
    uint32_t j = hash_off(b->off) & h->table_mask;
    b->lnext = h->table[j];
    b->lprev = NULL;
    h->table[j] = b;
    h->nlive++;
}

static kp_hblk *table_find(kp_heap *h, uint32_t off, int unlink)
{
    uint32_t j = hash_off(off) & h->table_mask;
    kp_hblk **pp = &h->table[j];
    for (kp_hblk *b = *pp; b; pp = &b->lnext, b = b->lnext) {
        if (b->off == off) {
            if (unlink) {
                *pp = b->lnext;
                b->lnext = NULL;
                h->nlive--;
            }
            return b;
        }
    }
    return NULL;
}

/* ---- init ------------------------------------------------------------------ */

int kp_heap_init(kp_heap *h, uint32_t lo, uint32_t hi)
{
    memset(h, 0, sizeof *h);
    lo = (lo + GRAN - 1) & ~(GRAN - 1);
    hi &= ~(GRAN - 1);
    if (hi <= lo || kp_mutex_init(&h->lock) != 0)
        return -1;
    h->table = calloc(256, sizeof *h->table);
    if (!h->table) {
        kp_mutex_destroy(&h->lock);
        return -1;
    }
    h->table_mask = 255;
    h->lo = lo;
    h->hi = hi;
    kp_hblk *b = rec_new(h);
    if (!b) {
        free(h->table);
        kp_mutex_destroy(&h->lock);
        return -1;
    }
    b->off = lo;
    b->size = hi - lo;
    h->all = b;
    list_insert(h, b);
    return 0;
}

void kp_heap_fini(kp_heap *h)
{
    kp_hblk *b = h->all;
    while (b) {
        kp_hblk *n = b->next;
        free(b);
        b = n;
    }
    b = h->spare;
    while (b) {
        kp_hblk *n = b->lnext;
        free(b);
        b = n;
    }
    free(h->table);
    kp_mutex_destroy(&h->lock);
    memset(h, 0, sizeof *h);
}

/* ---- alloc / free ------------------------------------------------------------ */

/* Cut b (not in any list) to `size` bytes, returning the tail to the free
 * lists. Without a record for the tail, b just stays larger. */
static void split(kp_heap *h, kp_hblk *b, uint32_t size)
{
    if (b->size - size < GRAN)
        return;
    kp_hblk *t = rec_new(h);
    if (!t)
        return;
    t->off = b->off + size;
    t->size = b->size - size;
    t->prev = b;
    t->next = b->next;
    if (b->next)
        b->next->prev = t;
    b->next = t;
    b->size = size;
    /* The tail may touch a free block (after a shrinking realloc). */
    if (t->next && t->next->free) {
        kp_hblk *n = t->next;
        list_remove(h, n);
        t->size += n->size;
        t->next = n->next;
        if (n->next)
            n->next->prev = t;
        rec_free(h, n);
    }
    list_insert(h, t);
}

static kp_hblk *find_free(kp_heap *h, uint64_t size)
{
    /* Round up to the next class boundary so any block of the class fits. */
    uint64_t r = size;
    if (r >= SMALL) {
        int l = fls32((uint32_t)r);
        r += (1ull << (l - 4)) - 1;
        if (r > 0xFFFFFFFFull)
            return NULL;
    }
    int fl, sl;
    mapping(r, &fl, &sl);
    if (fl >= KP_HEAP_FL)
        return NULL;
    uint32_t slmap = h->sl_bitmap[fl] & (~0u << sl);
    if (!slmap) {
        uint32_t flmap = fl + 1 < 32 ? h->fl_bitmap & (~0u << (fl + 1)) : 0;
        if (!flmap)
            return NULL;
        fl = __builtin_ctz(flmap);
        slmap = h->sl_bitmap[fl];
    }
    sl = __builtin_ctz(slmap);
    return h->free_heads[fl][sl];
}

static uint32_t alloc_locked(kp_heap *h, uint64_t size, int kind)
{
    if (size == 0)
        size = GRAN;
    if (size > (uint64_t)(h->hi - h->lo))
        return 0;
    size = (size + GRAN - 1) & ~(uint64_t)(GRAN - 1);
    kp_hblk *b = find_free(h, size);
    if (!b) {
        /* Rounding up skipped the request's own class: a block there may
         * still fit (e.g. the whole heap asked for at once). */
        int fl, sl;
        mapping(size, &fl, &sl);
        for (b = h->free_heads[fl][sl]; b && b->size < size; b = b->lnext)
            ;
        if (!b)
            return 0;
    }
    list_remove(h, b);
    split(h, b, (uint32_t)size);
    b->kind = (uint8_t)kind;
    table_add(h, b);
    h->used += b->size;
    return b->off;
}

uint32_t kp_heap_alloc(kp_heap *h, uint64_t size, int kind)
{
    kp_mutex_lock(&h->lock);
    uint32_t off = alloc_locked(h, size, kind);
    kp_mutex_unlock(&h->lock);
    return off;
}

/* Freed blocks of this size or more give their whole pages back to the
 * OS (they read back as zeros). Smaller ones — typical per-request
 * buffers — are kept committed: faulting their pages in again on every
 * reuse would cost more than the memory. Done under the heap lock: once
 * the lock is released the range may be allocated and written by another
 * thread. */
#define DISCARD_MIN ((uint32_t)16 << 20)

static void discard(kp_heap *h, uint32_t off, uint32_t size)
{
    if (!h->mem || size < DISCARD_MIN)
        return;
    uint64_t a = ((uint64_t)off + KP_PAGE_SIZE - 1) & ~(uint64_t)(KP_PAGE_SIZE - 1);
    uint64_t e = ((uint64_t)off + size) & ~(uint64_t)(KP_PAGE_SIZE - 1);
    if (e > a)
        kp_os_discard(h->mem + a, (size_t)(e - a));
}

static void free_block(kp_heap *h, kp_hblk *b)
{
    h->used -= b->size;
    discard(h, b->off, b->size);
    kp_hblk *p = b->prev, *n = b->next;
    if (n && n->free) {
        list_remove(h, n);
        b->size += n->size;
        b->next = n->next;
        if (n->next)
            n->next->prev = b;
        rec_free(h, n);
    }
    if (p && p->free) {
        list_remove(h, p);
        p->size += b->size;
        p->next = b->next;
        if (b->next)
            b->next->prev = p;
        rec_free(h, b);
        b = p;
    }
    list_insert(h, b);
}

int kp_heap_free(kp_heap *h, uint32_t off, int kind)
{
    kp_mutex_lock(&h->lock);
    kp_hblk *b = table_find(h, off, 0);
    if (!b || b->kind != kind) {
        kp_mutex_unlock(&h->lock);
        return -1;
    }
    table_find(h, off, 1);
    free_block(h, b);
    kp_mutex_unlock(&h->lock);
    return 0;
}

uint64_t kp_heap_block_size(kp_heap *h, uint32_t off)
{
    kp_mutex_lock(&h->lock);
    kp_hblk *b = table_find(h, off, 0);
    uint64_t s = b ? b->size : 0;
    kp_mutex_unlock(&h->lock);
    return s;
}

uint32_t kp_heap_realloc(kp_heap *h, uint8_t *mem, uint32_t off, uint64_t size)
{
    kp_mutex_lock(&h->lock);
    kp_hblk *b = table_find(h, off, 0);
    if (!b || b->kind != KP_HB_USER) {
        kp_mutex_unlock(&h->lock);
        return (uint32_t)-1;
    }
    if (size == 0)
        size = GRAN;
    if (size > (uint64_t)(h->hi - h->lo)) {
        kp_mutex_unlock(&h->lock);
        return 0;
    }
    size = (size + GRAN - 1) & ~(uint64_t)(GRAN - 1);
    if (size <= b->size) {
        uint32_t old = b->size;
        split(h, b, (uint32_t)size);
        h->used -= old - b->size;
        kp_mutex_unlock(&h->lock);
        return off;
    }
    kp_hblk *n = b->next;
    if (n && n->free && (uint64_t)b->size + n->size >= size) {
        /* Grow in place into the free neighbour. */
        uint32_t old = b->size;
        list_remove(h, n);
        b->size += n->size;
        b->next = n->next;
        if (n->next)
            n->next->prev = b;
        rec_free(h, n);
        split(h, b, (uint32_t)size);
        h->used += b->size - old;
        kp_mutex_unlock(&h->lock);
        return off;
    }
    uint32_t noff = alloc_locked(h, size, KP_HB_USER);
    if (!noff) {
        kp_mutex_unlock(&h->lock);
        return 0;
    }
    memmove(mem + noff, mem + off, b->size);
    table_find(h, off, 1);
    free_block(h, b);
    kp_mutex_unlock(&h->lock);
    return noff;
}

/* ---- resizing (kp_runtime_set_limit) ------------------------------------------- */

int kp_heap_resize(kp_heap *h, uint32_t hi, uint32_t *top)
{
    hi &= ~(GRAN - 1);
    kp_mutex_lock(&h->lock);
    kp_hblk *last = h->all;
    while (last && last->next)
        last = last->next;
    int rc = 0;
    if (hi > h->hi) {
        if (last && last->free) {
            list_remove(h, last);
            last->size += hi - h->hi;
            list_insert(h, last);
        } else {
            kp_hblk *b = rec_new(h);
            if (!b) {
                rc = -1;
                if (top)
                    *top = h->hi;
                goto out;
            }
            b->off = h->hi;
            b->size = hi - h->hi;
            b->prev = last;
            if (last)
                last->next = b;
            else
                h->all = b;
            list_insert(h, b);
        }
        h->hi = hi;
    } else if (hi < h->hi) {
        /* Only a free last block can give room back. */
        uint32_t live_top = last && !last->free ? last->off + last->size
                          : last && last->prev ? last->prev->off + last->prev->size
                          : h->lo;
        if (!last || !last->free || last->off > hi || hi < h->lo + GRAN) {
            if (top)
                *top = live_top;
            rc = -1;
            goto out;
        }
        list_remove(h, last);
        if (last->off == hi) {
            if (last->prev)
                last->prev->next = NULL;
            else
                h->all = NULL;
            rec_free(h, last);
        } else {
            last->size = hi - last->off;
            list_insert(h, last);
        }
        h->hi = hi;
    }
out:
    kp_mutex_unlock(&h->lock);
    return rc;
}
