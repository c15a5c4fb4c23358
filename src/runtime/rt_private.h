/*
 * rt_private.h — the runtime's own structures, shared by the files of
 * src/runtime/ and invisible to engines (they see rt.h only).
 *
 *   errors.c    the thread-local kp_error, result names
 *   segment.c   reserving/committing the segment, plugin stacks
 *   heap.c      the allocator inside the segment (metadata outside it)
 *   ns.c        names, handles, modules: link, replace, delete, reclaim
 *   builtins.c  built-ins, create/lookup/delete, the runtime library
 *   exec.c      kp_call, traps, polling, interrupts
 *   runtime.c   create/destroy, config, the small public functions
 */
#ifndef KP_RT_PRIVATE_H
#define KP_RT_PRIVATE_H

#include <stdarg.h>
#include <stdatomic.h>

#include "../platform/platform.h"
#include "rt.h"

/* ---- errors.c ------------------------------------------------------------ */

/* Record a failure in the calling thread's kp_error and return code.
 * plugin/function may be NULL (""). */
int kp_err_set(int code, const char *plugin, const char *function, int line,
               int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
int kp_err_vset(int code, const char *plugin, const char *function, int line,
                int col, const char *fmt, va_list ap);
/* Like kp_err_set with a message the caller malloc'd: ownership moves to
 * the error record (msg may be NULL: then fallback is used). */
int kp_err_take(int code, const char *plugin, const char *function, int line,
                int col, char *msg, const char *fallback);
#define kp_err(code, ...) kp_err_set((code), NULL, NULL, 0, 0, __VA_ARGS__)

/* ---- heap.c --------------------------------------------------------------- */

/* Block kinds: only USER blocks may be freed by plugins and kp_free. */
enum { KP_HB_USER = 1, KP_HB_SYSTEM = 2 };

typedef struct kp_hblk kp_hblk;

#define KP_HEAP_FL 26
#define KP_HEAP_SL 16

typedef struct kp_heap {
    kp_mutex lock;
    uint32_t lo, hi;              /* the managed range [lo, hi) */
    uint64_t used;                /* bytes in live blocks */
    uint32_t fl_bitmap;
    uint32_t sl_bitmap[KP_HEAP_FL];
    kp_hblk *free_heads[KP_HEAP_FL][KP_HEAP_SL];
    kp_hblk **table;              /* live blocks by offset (chained) */
    uint32_t table_mask;          /* table size - 1 */
    uint32_t nlive;
    kp_hblk *spare;               /* recycled records */
    kp_hblk *all;                 /* physically first block */
    uint8_t *mem;                 /* segment base, to return freed pages
                                     to the OS (NULL: never) */
} kp_heap;

int kp_heap_init(kp_heap *h, uint32_t lo, uint32_t hi);
void kp_heap_fini(kp_heap *h);
/* Move the end of the managed range to hi: growing adds free space;
 * shrinking needs [hi, old hi) free. 0 on success, -1 if blocks are live
 * above hi (*top = the end of the highest live block). */
int kp_heap_resize(kp_heap *h, uint32_t hi, uint32_t *top);
/* 16-byte aligned block of at least size bytes, or 0 (full). */
uint32_t kp_heap_alloc(kp_heap *h, uint64_t size, int kind);
/* 0 on success, -1 if off is not the start of a live block of that kind. */
int kp_heap_free(kp_heap *h, uint32_t off, int kind);
/* Resize a USER block, moving it (and copying through mem) if needed.
 * Returns the new offset, 0 if no room (the old block is untouched), or
 * (uint32_t)-1 if off is not a live USER block. */
uint32_t kp_heap_realloc(kp_heap *h, uint8_t *mem, uint32_t off, uint64_t size);
/* Size of the live block at off, 0 if none. */
uint64_t kp_heap_block_size(kp_heap *h, uint32_t off);

/* ---- the runtime ----------------------------------------------------------- */

#define KP_HANDLE_CHUNK 1024u
#define KP_HANDLE_CHUNKS 1024u          /* up to 1M handles per runtime */
/* A handle value (a plugin function pointer) is the slot index in the low
 * KP_HANDLE_INDEX_BITS and the slot's generation above it. A recycled
 * anonymous slot gets the next generation, so a stale pointer to the
 * private function it held no longer names it; a slot whose generations
 * are used up is never recycled. Bit 31 stays clear so that no handle
 * reads as a negative number anywhere. */
#define KP_HANDLE_INDEX_BITS 20u
#define KP_HANDLE_INDEX_MASK ((1u << KP_HANDLE_INDEX_BITS) - 1)
#define KP_HANDLE_GEN_MAX ((1u << (31 - KP_HANDLE_INDEX_BITS)) - 1)

typedef struct kp_strmap_ent kp_strmap_ent;
typedef struct kp_strmap {
    kp_strmap_ent **b;
    uint32_t mask, n;
} kp_strmap;

/* The runtime's view of a module: the engine-visible part first. */
typedef struct kp_modx {
    kp_module m;
    char *name;                   /* owned */
    int is_builtin;
    char *proto;                  /* built-ins: the prototype text (owned) */
    kp_slot **anon;               /* anonymous slots of private functions */
    uint32_t nanon;
    int loaded;                   /* engine->load succeeded */
    size_t code_bytes;            /* counted against max_code_bytes while live */
    struct kp_cleanup *cleanups;  /* plugin-tied callbacks (cleanup_lock) */
    int end_reason;               /* KP_CLEANUP_DELETED / _REPLACED once retired */
    uint64_t retired_at;          /* the reclamation epoch it was retired in */
    struct kp_modx *next, *prev;  /* live list, or the retired list (next) */
} kp_modx;

/* Segment + stacks (segment.c). */
typedef struct kp_segment {
    uint8_t *reserve;             /* the whole reservation */
    size_t reserve_size;
    uint8_t *base;                /* plugin address 0 */
    _Atomic uint64_t mem_size;    /* valid memory is [KP_PAGE_SIZE, mem_size) */
} kp_segment;

/* A registered cleanup callback (call-tied: on a kp_exec; plugin-tied: on
 * a kp_modx). */
typedef struct kp_cleanup {
    struct kp_cleanup *next;
    kp_cleanup_fn fn;
    void *arg;
    uint64_t id;
    unsigned flags;
} kp_cleanup;

/* Run and free a list of callbacks (newest first) with `reason`. */
void kp_cleanup_run(kp_cleanup *list, int reason);
/* A fresh cleanup id (never 0). */
uint64_t kp_cleanup_next_id(void);

struct kp_runtime {
    kp_config cfg;
    kp_engine engine_kind;
    const kp_engine_ops *engine;
    kp_segment seg;
    kp_heap heap;

    /* plugin stacks: one cached without a lock, the rest in a pool. An
     * entry is lo | gen << 32; stack_cfg is size | gen << 32, and gen
     * changes with the stack size so stacks of an old size are freed
     * instead of reused. */
    _Atomic uint64_t stack_cache;
    _Atomic uint64_t stack_cfg;
    kp_mutex stack_lock;
    uint64_t *stacks;
    uint32_t nstacks, stacks_cap;

    /* limits adjustable while calls run (kp_runtime_set_limit) */
    kp_mutex limit_lock;          /* serialises memory limit changes */
    atomic_uint max_depth;
    atomic_uint max_plugins;
    _Atomic uint64_t max_code;
    _Atomic uint64_t code_used;   /* live modules' code_bytes (ns_lock to change) */
    kp_mutex cleanup_lock;        /* plugin-tied cleanup lists */

    /* calls */
    atomic_uint interrupt;        /* generation; kp_interrupt bumps it */
    /* Call generation: a prepared call's stub runs only while it equals
     * the value its last C-path call saw (exec.c). +1 before and after
     * every store to a slot's fn (odd while one is in progress: a
     * seqlock), +2 after a change of memory size, stack size, depth limit
     * or default deadline (kp_rt_cfg_changed) and after kp_interrupt (so
     * the interrupt generation a stub's call record was armed with is
     * the runtime's while the stub runs). */
    _Atomic uint64_t callgen;
    atomic_uint deadline_ms;
    /* deferred reclamation (ns.c, exec.c) */
    atomic_int nretired;          /* modules in retired */
    _Atomic uint64_t retire_hi;   /* the latest retired_at of them */

    /* namespace: everything below under ns_lock */
    kp_mutex ns_lock;
    kp_strmap names;              /* function name -> kp_slot * */
    kp_strmap plugins;            /* plugin/built-in name -> kp_modx * */
    _Atomic(kp_slot **) handles[KP_HANDLE_CHUNKS];
    uint32_t nhandles;            /* next handle to hand out (starts at 1) */
    kp_slot **anon_free;          /* recycled anonymous slots */
    uint32_t nanon_free, anon_free_cap;
    kp_modx *modules;             /* live modules, in order of linking */
    kp_modx *modules_tail;
    kp_modx *retired;             /* unlinked, not yet freed (newest first) */
    uint32_t nmodules;

    /* exec.c: the registry of live runtimes (parked per-thread stacks) */
    uint64_t uid;                 /* unique over the process's life */
    struct kp_runtime *live_next;
};

/* exec.c, for tests: 0 = p has no stub, 1 = its next call takes the C
 * path (and re-arms the stub), 2 = its next call on its thread runs the
 * stub. */
int kp_prepared_armed(const kp_prepared *p);
/* exec.c, for tests: the engine's stub of p, or NULL */
const void *kp_prepared_stub(const kp_prepared *p);

static inline void kp_rt_cfg_changed(kp_runtime *rt)
{
    atomic_fetch_add(&rt->callgen, 2);
}

/* segment.c */
int kp_segment_init(kp_segment *s, uint64_t mem_limit);
void kp_segment_fini(kp_segment *s);
/* A plugin stack (its lowest address), or 0; *tag receives its size
 * (low 32 bits) and generation, to pass back to kp_stack_release. */
uint32_t kp_stack_acquire(kp_runtime *rt, uint64_t *tag);
void kp_stack_release(kp_runtime *rt, uint32_t lo, uint64_t tag);
/* Change the size of stacks handed out from now on. */
void kp_stacks_resize(kp_runtime *rt, uint32_t size);
void kp_stacks_fini(kp_runtime *rt);
/* Make [old, new) accessible (grow) or inaccessible and discarded
 * (shrink). Page-aligned. 0 on success. */
int kp_segment_resize(kp_segment *s, uint64_t old_size, uint64_t new_size);

/* ns.c */
void kp_strmap_free(kp_strmap *m);
void *kp_strmap_get(const kp_strmap *m, const char *key);
/* The slot of `name` (created unlinked if absent). Under ns_lock. */
kp_slot *kp_ns_slot(kp_runtime *rt, const char *name, int *code);
kp_slot *kp_ns_find(kp_runtime *rt, const char *name); /* under ns_lock */
/* Link a built-in (mod->is_builtin, one fn). Under no lock. */
int kp_ns_link_builtin(kp_runtime *rt, kp_modx *mx);
int kp_ns_add_plugin(kp_runtime *rt, const char *name, const char *src,
                     size_t len, int replace);
int kp_ns_delete(kp_runtime *rt, const char *name);
/* Free the retired modules no call can be inside any more. */
void kp_ns_reclaim(kp_runtime *rt);
/* Wait until every call that was in flight when this was called has
 * returned (a grace period), up to timeout_ns. 0 on success, -1 on
 * timeout. Must not be called from inside a call of rt. */
int kp_ns_synchronize(kp_runtime *rt, uint64_t timeout_ns);
void kp_ns_fini(kp_runtime *rt);
void kp_modx_free(kp_runtime *rt, kp_modx *mx);
/* A module's fns, imports, anon, func_handles and import_handles (nf
 * functions, ni imports), zeroed, in one block that kp_modx_free frees
 * (as m.fns). 0, or -1 out of memory. */
int kp_modx_arrays(kp_modx *mx, uint32_t nf, uint32_t ni);

/* builtins.c */
int kp_builtins_init(kp_runtime *rt);
kp_type kp_type_of_ir(int t);

/* exec.c: deferred reclamation (see exec.c). Begin/end an activation
 * that may reach linked code of rt: kp_enter_call returns 0, or -1 if
 * this thread cannot take part (out of memory registering it; then the
 * call must not go on). They nest. */
int kp_enter_call(kp_runtime *rt);
void kp_leave_call(kp_runtime *rt);
/* A new reclamation epoch; returns the one that ends: modules retired now
 * (after being made unreachable) are tagged with it. */
uint64_t kp_epoch_advance(void);
/* The oldest epoch at which a call still running on some thread (the
 * caller's own too, unless skip_self) began, among calls that may reach
 * code of rt; UINT64_MAX if none. A module retired at epoch E is free to
 * go when E < the result. */
uint64_t kp_readers_oldest(const kp_runtime *rt, int skip_self);

/* exec.c: enter rt in / remove it from the registry of live runtimes
 * (create / destroy). */
void kp_exec_register(kp_runtime *rt);
void kp_exec_unregister(kp_runtime *rt);
/* exec.c: is the calling thread inside a call of rt? */
int kp_exec_in_runtime(const kp_runtime *rt);
/* The innermost plugin call running on this thread, or NULL. */
kp_exec *kp_exec_current(void);
/* exec.c: the poll of long runtime-library work (per chunk): interrupt
 * and deadline, no fuel. 0 or a recorded trap code. */
int kp_exec_check(kp_exec *ex);

/* builtins.c: scan a NUL-terminated string inside valid memory: its length
 * (without the NUL), or -1 if it leaves valid memory, -2 if over max. */
int64_t kp_mem_strlen(const kp_exec *ex, uint32_t p, uint64_t max);

#endif
