/*
 * codemem.c — memory for generated code.
 *
 * One process-wide reservation (PROT_NONE, no commit charge) holds every
 * chunk, so "is this pc generated code?" is two compares that a signal
 * handler can make without locks. A chunk is mapped read+write while the
 * emitter copies code into it, then flipped to read+exec; while it holds
 * live code it is never writable (W^X). Freed chunks are reused best-fit.
 * Up to RETAIN_MAX bytes of them stay committed and go back to read+write
 * (not executable: nothing can run the stale code, and the plugin segment
 * cannot reach them), so that the next add writes into them with no
 * mprotect and no page faults: a plugin replaced or re-added over and over
 * would otherwise pay an mprotect and an madvise on delete, and an
 * mprotect and a page fault per page on the next add (several
 * microseconds of an add of ~50). Past that bound freed chunks go to
 * PROT_NONE and their pages are dropped. A retained chunk's stale bytes
 * past the new code are overwritten with int3: the bytes its last user
 * asked for (recorded while it was live), or the whole chunk when that
 * record is gone; the rest never held code. A one-line plugin's chunk is
 * one page with ~200 bytes of code: filling the page every add cost ~3.5k
 * instructions and a page of stores.
 */
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CODE_RESERVE ((size_t)1 << 30)
#define PAGE 4096u
#define RETAIN_MAX ((size_t)1 << 20)

typedef struct freeblk {
    uint8_t *p;
    size_t size;
    int committed; /* pages kept, read+write: they hold old code */
    size_t dirty;  /* committed: the bytes from p that may; past them the
                      chunk holds zeros (never written) or int3 */
} freeblk;

static pthread_mutex_t cm_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *cm_base;           /* written once under cm_lock */
static _Atomic(uintptr_t) cm_lo, cm_hi; /* read by the signal handler */
static size_t cm_used;             /* bump pointer */
static freeblk *cm_free;
static size_t cm_nfree, cm_freecap;
static size_t cm_retained;         /* bytes of committed free chunks */
/* How many bytes the live chunks were asked for (what their code can
 * cover), so that a freed chunk's next user overwrites only those: a
 * small direct-mapped record by chunk address; a chunk not found there is
 * taken as written whole. */
#define LIVE_SLOTS 64
static struct {
    uint8_t *p;
    size_t want;
} cm_live[LIVE_SLOTS];

static size_t live_slot(const uint8_t *p) { return ((uintptr_t)p / PAGE) % LIVE_SLOTS; }

uint8_t *jit_code_alloc(size_t size, size_t *got)
{
    size_t want = size, dirty = 0;
    int stale = 0;
    size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
    if (size == 0 || size > CODE_RESERVE)
        return NULL;
    uint8_t *p = NULL;
    pthread_mutex_lock(&cm_lock);
    if (!cm_base) {
        void *r = mmap(NULL, CODE_RESERVE, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (r != MAP_FAILED) {
            cm_base = r;
            atomic_store(&cm_lo, (uintptr_t)r);
            atomic_store(&cm_hi, (uintptr_t)r + CODE_RESERVE);
        }
    }
    if (cm_base) {
        size_t best = (size_t)-1;
        for (size_t i = 0; i < cm_nfree; i++)
            if (cm_free[i].size >= size && (best == (size_t)-1 || cm_free[i].size < cm_free[best].size))
                best = i;
        if (best != (size_t)-1) {
            p = cm_free[best].p;
            size = cm_free[best].size; /* keep the block whole */
            if (cm_free[best].committed) {
                stale = 1;
                dirty = cm_free[best].dirty;
                cm_retained -= size;
            }
            cm_free[best] = cm_free[--cm_nfree];
        } else if (CODE_RESERVE - cm_used >= size) {
            p = cm_base + cm_used;
            cm_used += size;
        }
        if (p && !stale && mprotect(p, size, PROT_READ | PROT_WRITE) != 0) {
            /* give it back unused */
            if (cm_nfree < cm_freecap)
                cm_free[cm_nfree++] = (freeblk){p, size, 0, 0};
            p = NULL;
        }
        if (p) {
            size_t h = live_slot(p);
            cm_live[h].p = p;
            cm_live[h].want = want;
        }
    }
    pthread_mutex_unlock(&cm_lock);
    if (p) {
        /* the old code past the new: int3 (the rest is already zeros or
         * int3, see freeblk.dirty) */
        if (stale && dirty > want)
            memset(p + want, 0xCC, (dirty < size ? dirty : size) - want);
        *got = size;
    }
    return p;
}

int jit_code_seal(uint8_t *p, size_t size)
{
    return mprotect(p, size, PROT_READ | PROT_EXEC);
}

void jit_code_free(uint8_t *p, size_t size)
{
    if (!p)
        return;
    pthread_mutex_lock(&cm_lock);
    size_t h = live_slot(p), dirty = size;
    if (cm_live[h].p == p) {
        dirty = cm_live[h].want;
        cm_live[h].p = NULL;
    }
    int keep = cm_retained + size <= RETAIN_MAX &&
               mprotect(p, size, PROT_READ | PROT_WRITE) == 0;
    if (!keep) {
        mprotect(p, size, PROT_NONE);
        madvise(p, size, MADV_DONTNEED);
    }
    if (cm_nfree == cm_freecap) {
        size_t nc = cm_freecap ? cm_freecap * 2 : 64;
        freeblk *n = realloc(cm_free, nc * sizeof *n);
        if (n) {
            cm_free = n;
            cm_freecap = nc;
        }
    }
    if (cm_nfree < cm_freecap) {
        cm_free[cm_nfree++] = (freeblk){p, size, keep, dirty};
        if (keep)
            cm_retained += size;
    } else if (keep) {
        /* the range stays reserved and unused: give its pages back */
        mprotect(p, size, PROT_NONE);
        madvise(p, size, MADV_DONTNEED);
    }
    pthread_mutex_unlock(&cm_lock);
}

int jit_code_contains(uintptr_t pc)
{
    return pc >= atomic_load_explicit(&cm_lo, memory_order_relaxed) &&
           pc < atomic_load_explicit(&cm_hi, memory_order_relaxed);
}
#endif
