/*
 * exec.c — entering a call (kp_call), traps, polling, deadlines and
 * interrupts, and deferred reclamation of retired modules.
 *
 * A kp_call from the host gets a fresh kp_exec on the host's C stack and a
 * plugin stack from the runtime's pool. A kp_call made by a built-in while
 * a plugin of the same runtime runs on this thread (a nested call) reuses
 * the enclosing exec's plugin stack below its current sp, inherits its
 * interrupt generation and deadline, and counts against the same depth.
 *
 * Every activation (outermost or nested) is announced for its duration
 * (kp_enter_call), so that modules unlinked meanwhile are freed only after
 * it returns (ns.c): quiescent-state reclamation with epochs, below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_private.h"

/* Polls between two reads of the clock: a tight loop polls every few ns
 * natively, so 4096 polls keep the clock's cost under 1% while a deadline
 * is still noticed within microseconds. Loops with long bodies poll
 * rarely, so the interval adapts: when two clock reads are more than
 * CLOCK_SPAN_HI apart it shrinks 8-fold (down to every poll), when they
 * are less than CLOCK_SPAN_LO apart it doubles (calls with a deadline
 * start at POLL_INTERVAL_FIRST, so even the first check comes soon: a tiny
 * call still never reads the clock). A deadline is then
 * noticed within about CLOCK_SPAN_HI plus the longest poll-free path
 * (one loop body or one function body without calls). */
#define POLL_INTERVAL 4096u
#define POLL_INTERVAL_FIRST 16u /* deadline calls start here and double */
#define CLOCK_SPAN_HI 500000u  /* ns */
#define CLOCK_SPAN_LO 100000u

/* Plugin stacks parked on a thread between its calls: an outermost call
 * takes its runtime's stack from here with no atomic operation at all
 * (the runtime's own cache costs an exchange and a compare-exchange per
 * call). A slot names its runtime by pointer and uid (a destroyed
 * runtime's address may come back). Parked stacks go back to their
 * runtime when the thread exits, if it still lives (the registry below). */
#define TLS_STACKS 4

typedef struct kp_tls_stack {
    kp_runtime *rt;
    uint64_t uid;
    uint32_t lo;          /* 0: nothing parked */
    int busy;             /* kp_call_ex's fast path is using ex */
    uint64_t tag;
    /* A kp_exec prepared for this stack (park_exec), so that the fast path
     * sets only what changes between calls; allocated once per slot, kept
     * while the thread lives. Whenever lo != 0 it is prepared for
     * (rt, lo, tag). */
    kp_exec *ex;
    uint64_t ex_tag;      /* the tag ex was prepared for */
} kp_tls_stack;

/* A thread's announcement of the calls it is running, read by reclaimers
 * on other threads (see "Reclamation" below). */
typedef struct kp_reader {
    _Atomic uint64_t epoch;       /* 0: no call; else the epoch its outermost began in */
    _Atomic(const kp_runtime *) rt; /* the runtime of those calls, or READER_ANY */
    struct kp_reader *next, *prev; /* readers list (readers.lock) */
} kp_reader;

/* Everything the call path keeps per thread, in one block: one TLS
 * address computation per call even in a shared library. */
typedef struct kp_tls {
    /* 16-aligned: that store is one aligned access, within a line */
    _Alignas(16) kp_exec *exec; /* innermost exec on this thread */
    kp_reader rd;         /* right after exec: a stub clears exec and
                           * rd.epoch with one 16-byte store */
    /* Non-zero once the thread is on the readers list, and not the same
     * for two threads of the process unless 2^32 threads registered in
     * between (a thread's TLS block, and with it its address, may be
     * reused by a later thread): what a prepared call's stub recognises
     * its thread by. Right before nest: the stub checks both in one
     * compare with an immediate (id | nest << 32 == id). */
    uint32_t id;
    unsigned nest;        /* kp_enter_call depth */
    int keyed;            /* the exit destructor is registered */
    int reading;          /* rd is on the readers list */
    uint64_t destroys;    /* registry.destroys when the slots were last checked */
    kp_tls_stack stk[TLS_STACKS];
} kp_tls;

/* initial-exec: a %fs-relative access instead of a __tls_get_addr call
 * in the shared library (the block is small enough for the static TLS
 * reserve glibc keeps for dlopen'ed libraries). */
#if defined(__GNUC__) && defined(__ELF__)
#define KP_TLS_FAST __attribute__((tls_model("initial-exec")))
#else
#define KP_TLS_FAST
#endif
static KP_THREAD_LOCAL kp_tls tls KP_TLS_FAST;
#define tls_exec (tls.exec)

/* Live runtimes, for the exit destructor and for recycling slots whose
 * runtime may be gone. Touched at create/destroy and on rare paths. */
static struct {
    kp_mutex lock;
    kp_runtime *live;
    _Atomic uint64_t destroys;
    uint64_t next_uid;
} registry = { { PTHREAD_MUTEX_INITIALIZER }, NULL, 0, 1 };

void kp_exec_register(kp_runtime *rt)
{
    kp_mutex_lock(&registry.lock);
    rt->uid = registry.next_uid++;
    rt->live_next = registry.live;
    registry.live = rt;
    kp_mutex_unlock(&registry.lock);
}

void kp_exec_unregister(kp_runtime *rt)
{
    kp_mutex_lock(&registry.lock);
    for (kp_runtime **pp = &registry.live; *pp; pp = &(*pp)->live_next)
        if (*pp == rt) {
            *pp = rt->live_next;
            break;
        }
    atomic_fetch_add_explicit(&registry.destroys, 1, memory_order_release);
    kp_mutex_unlock(&registry.lock);
}

/* Under registry.lock. */
static int registry_alive(const kp_runtime *rt, uint64_t uid)
{
    for (const kp_runtime *p = registry.live; p; p = p->live_next)
        if (p == rt)
            return p->uid == uid;
    return 0;
}

/* Give parked stacks of live runtimes back and forget every slot whose
 * runtime is gone (all = 1: every slot, at thread exit). */
static void tls_stacks_flush(kp_tls *t, int all)
{
    kp_mutex_lock(&registry.lock);
    t->destroys = atomic_load_explicit(&registry.destroys, memory_order_acquire);
    for (int i = 0; i < TLS_STACKS; i++) {
        kp_tls_stack *s = &t->stk[i];
        if (!s->rt)
            continue;
        int alive = registry_alive(s->rt, s->uid);
        if (alive && !all)
            continue;
        if (alive && s->lo)
            kp_stack_release(s->rt, s->lo, s->tag);
        s->rt = NULL;
        s->lo = 0;
    }
    kp_mutex_unlock(&registry.lock);
    if (all)
        for (int i = 0; i < TLS_STACKS; i++) {
            free(t->stk[i].ex);
            t->stk[i].ex = NULL;
        }
}

static void reader_remove(kp_tls *t);

static void tls_exit(void *arg)
{
    (void)arg;
    tls.keyed = 0;
    tls_stacks_flush(&tls, 1);
    reader_remove(&tls);
}

static kp_tls_key tls_key = KP_TLS_KEY_INIT(tls_exit);

/* ---- Reclamation ---------------------------------------------------------------
 *
 * A module unlinked at epoch E (kp_epoch_advance, after the unpublishing
 * stores) may still be in use by calls that began at an epoch <= E, and by
 * no other: a call that read the epoch after it moved reads its slots after
 * the module left them. A thread announces its outermost call with two
 * plain stores into its reader (the epoch it read, and the runtime) and
 * clears it with a release store when the call returns; nested calls
 * (built-in -> kp_call, of any runtime) keep the outermost epoch, which is
 * older. No locked instruction on the call path.
 *
 * The store-then-load order of the announcement (announce, then read the
 * slot) against the reclaimer's (unpublish, then read the announcements)
 * is what needs a full fence on both sides. The call path has only a
 * compiler barrier; the reclaimer issues membarrier(2), which puts a full
 * fence into every thread running at that moment (and a thread that is not
 * running has passed a context switch). So either the reader's
 * announcement is visible to the reclaimer's scan, or its slot load comes
 * after the barrier and sees the slot emptied. Without membarrier both
 * sides use a seq_cst fence. A reclaimer alone with its own thread on the
 * list needs no barrier.
 *
 * A call's announcement names its runtime, so a long call of one runtime
 * does not hold back another's reclamation; a thread nested into several
 * runtimes shows READER_ANY and counts for all. A module whose last
 * possible user returns is freed by that call's return when it was of the
 * same runtime, otherwise at the runtime's next link, unlink or reclaim. */

#define READER_ANY ((const kp_runtime *)1)

static struct {
    kp_mutex lock;
    kp_reader *head;
    unsigned n;
    pthread_once_t once;
    int fenced;           /* no membarrier: readers fence too (set once) */
} readers = { { PTHREAD_MUTEX_INITIALIZER }, NULL, 0, PTHREAD_ONCE_INIT, 0 };

static _Atomic uint64_t epoch_now = 1;

static void readers_init(void)
{
    readers.fenced = !kp_os_membarrier_init();
}

uint64_t kp_epoch_advance(void)
{
    return atomic_fetch_add(&epoch_now, 1);
}

/* Put the thread on the readers list before its first call: the exit
 * destructor takes it off (without it the list would keep a dangling
 * pointer, so no destructor, no calls). */
static __attribute__((noinline)) int reader_add(kp_tls *t)
{
    pthread_once(&readers.once, readers_init);
    if (!t->keyed) {
        if (kp_os_tls_set(&tls_key, t) != 0)
            return -1;
        t->keyed = 1;
    }
    kp_mutex_lock(&readers.lock);
    t->rd.prev = NULL;
    t->rd.next = readers.head;
    if (readers.head)
        readers.head->prev = &t->rd;
    readers.head = &t->rd;
    readers.n++;
    static uint32_t next_id;
    if (++next_id == 0)
        next_id = 1;
    t->id = next_id;
    kp_mutex_unlock(&readers.lock);
    t->reading = 1;
    return 0;
}

static void reader_remove(kp_tls *t)
{
    if (!t->reading)
        return;
    kp_mutex_lock(&readers.lock);
    if (t->rd.prev)
        t->rd.prev->next = t->rd.next;
    else
        readers.head = t->rd.next;
    if (t->rd.next)
        t->rd.next->prev = t->rd.prev;
    readers.n--;
    kp_mutex_unlock(&readers.lock);
    t->reading = 0;
    t->id = 0;
}

static inline void reader_fence(void)
{
    if (__builtin_expect(readers.fenced, 0))
        atomic_thread_fence(memory_order_seq_cst);
    else
        atomic_signal_fence(memory_order_seq_cst);
}

static inline int rd_enter(kp_tls *t, const kp_runtime *rt)
{
    if (__builtin_expect(t->nest == 0, 1)) {
        if (__builtin_expect(!t->reading, 0) && reader_add(t) != 0)
            return -1;
        atomic_store_explicit(&t->rd.rt, rt, memory_order_relaxed);
        atomic_store_explicit(&t->rd.epoch,
                              atomic_load_explicit(&epoch_now, memory_order_acquire),
                              memory_order_release);
        reader_fence();
    } else if (atomic_load_explicit(&t->rd.rt, memory_order_relaxed) != rt) {
        atomic_store_explicit(&t->rd.rt, READER_ANY, memory_order_relaxed);
        reader_fence();
    }
    t->nest++;
    return 0;
}

static inline void rd_leave(kp_tls *t, kp_runtime *rt)
{
    if (__builtin_expect(--t->nest != 0, 0))
        return;
    uint64_t mine = atomic_load_explicit(&t->rd.epoch, memory_order_relaxed);
    atomic_store_explicit(&t->rd.epoch, 0, memory_order_release);
    /* Maybe we were what held a retired module back. */
    if (__builtin_expect(atomic_load_explicit(&rt->nretired, memory_order_relaxed) > 0, 0) &&
        mine <= atomic_load_explicit(&rt->retire_hi, memory_order_relaxed))
        kp_ns_reclaim(rt);
}

int kp_enter_call(kp_runtime *rt)
{
    return rd_enter(&tls, rt);
}

void kp_leave_call(kp_runtime *rt)
{
    rd_leave(&tls, rt);
}

uint64_t kp_readers_oldest(const kp_runtime *rt, int skip_self)
{
    uint64_t oldest = UINT64_MAX;
    pthread_once(&readers.once, readers_init);
    kp_mutex_lock(&readers.lock);
    if (readers.fenced) {
        atomic_thread_fence(memory_order_seq_cst);
    } else if (readers.n > (tls.reading ? 1u : 0u) && kp_os_membarrier() != 0) {
        /* Without the barrier no announcement can be trusted: free
         * nothing (a grace period cannot end) rather than too much. */
        kp_mutex_unlock(&readers.lock);
        return 0;
    }
    for (kp_reader *r = readers.head; r; r = r->next) {
        if (skip_self && r == &tls.rd)
            continue;
        uint64_t e = atomic_load_explicit(&r->epoch, memory_order_acquire);
        if (!e || e >= oldest)
            continue;
        const kp_runtime *x = atomic_load_explicit(&r->rt, memory_order_relaxed);
        if (x == rt || x == READER_ANY)
            oldest = e;
    }
    kp_mutex_unlock(&readers.lock);
    return oldest;
}

static uint32_t stack_take(kp_runtime *rt, uint64_t *tag)
{
    for (int i = 0; i < TLS_STACKS; i++) {
        kp_tls_stack *s = &tls.stk[i];
        if (s->rt == rt && s->lo && s->uid == rt->uid) {
            uint32_t lo = s->lo;
            s->lo = 0;
            /* The stack size changed since: the slow path frees it. */
            if (s->tag == atomic_load_explicit(&rt->stack_cfg, memory_order_acquire)) {
                *tag = s->tag;
                return lo;
            }
            kp_stack_release(rt, lo, s->tag);
            break;
        }
    }
    return kp_stack_acquire(rt, tag);
}

/* Everything of an outermost exec that stays the same from one fast call
 * to the next (see kp_call_ex). 0, or -1 if out of memory. */
static int park_exec(kp_tls_stack *s, kp_runtime *rt, uint32_t lo, uint64_t tag)
{
    kp_exec *ex = s->ex;
    /* Parked again as it was (the general path takes and gives back the
     * stacks it finds here): still prepared. Only rt's address and its
     * segment base enter the prepared fields. */
    if (ex && ex->rt == rt && ex->mem == rt->seg.base && ex->stack_lo == lo &&
        s->ex_tag == tag)
        return 0;
    if (!ex && !(ex = s->ex = malloc(sizeof *s->ex)))
        return -1;
    memset(ex, 0, sizeof *ex);
    s->ex_tag = tag;
    ex->mem = rt->seg.base;
    ex->sp = lo + (uint32_t)tag;
    ex->stack_lo = lo;
    ex->rt = rt;
    ex->interrupt_word = &rt->interrupt;
    ex->poll_countdown = ex->poll_interval = POLL_INTERVAL;
    return 0;
}

static void stack_give(kp_runtime *rt, uint32_t lo, uint64_t tag)
{
    kp_tls_stack *s = NULL;
    for (int i = 0; i < TLS_STACKS; i++)
        if (tls.stk[i].rt == rt && tls.stk[i].uid == rt->uid) {
            s = &tls.stk[i];
            break;
        }
    if (!s) {
        if (tls.destroys != atomic_load_explicit(&registry.destroys, memory_order_acquire))
            tls_stacks_flush(&tls, 0);
        for (int i = 0; i < TLS_STACKS; i++)
            if (!tls.stk[i].rt) {
                s = &tls.stk[i];
                break;
            }
        if (s && !tls.keyed) {
            /* Without the exit destructor a parked stack would be lost
             * to its runtime when the thread ends. */
            if (kp_os_tls_set(&tls_key, &tls) != 0)
                s = NULL;
            else
                tls.keyed = 1;
        }
    }
    if (!s || s->lo || s->busy ||
        tag != atomic_load_explicit(&rt->stack_cfg, memory_order_relaxed) ||
        park_exec(s, rt, lo, tag) != 0) {
        kp_stack_release(rt, lo, tag);
        return;
    }
    s->rt = rt;
    s->uid = rt->uid;
    s->lo = lo;
    s->tag = tag;
}

kp_exec *kp_exec_current(void)
{
    return tls_exec;
}

int kp_exec_in_runtime(const kp_runtime *rt)
{
    for (kp_exec *p = tls_exec; p; p = p->parent)
        if (p->rt == rt)
            return 1;
    return 0;
}

int kp_exec_trap(kp_exec *ex, int code, const char *fmt, ...)
{
    if (ex->trap_code)
        return ex->trap_code;
    ex->trap_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ex->trap_msg, sizeof ex->trap_msg, fmt, ap);
    va_end(ap);
    return code;
}

void kp_exec_locate(kp_exec *ex, const kp_fn *fn, uint32_t line, uint32_t col)
{
    if (ex->trap_located || !fn)
        return;
    ex->trap_located = 1;
    ex->trap_plugin = fn->mod ? fn->mod->name : fn->name;
    ex->trap_func = fn->name;
    ex->trap_line = line;
    ex->trap_col = col;
}

struct kp_call_token {
    atomic_uint gen;
};

/* Interrupts not watched by the fast path: the runtime-wide one for a
 * call that watches its token, and those of the enclosing activations on
 * this thread (each exec on the chain lives on this thread's stack). */
static int interrupted_slow(const kp_exec *ex)
{
    for (const kp_exec *p = ex; p; p = p->parent) {
        if (atomic_load_explicit(p->interrupt_word, memory_order_relaxed) != p->interrupt_gen)
            return 1;
        /* (the same word when the call watches the runtime's: the
         * prepared-call stub leaves rt_interrupt_gen alone then) */
        if (p->interrupt_word != &p->rt->interrupt &&
            atomic_load_explicit(&p->rt->interrupt, memory_order_relaxed) !=
                p->rt_interrupt_gen)
            return 1;
    }
    return 0;
}

/* Load the next slice of fuel into the countdown: the countdown reaches
 * zero exactly at the poll that has no fuel left, or at the next clock
 * check, whichever comes first. */
static void fuel_reload(kp_exec *ex)
{
    uint64_t n = ex->fuel_rest < ex->poll_interval ? ex->fuel_rest : ex->poll_interval;
    ex->poll_countdown = (uint32_t)n;
    ex->fuel_rest -= n;
}

/* Fuel left in an exec, counted as "polls until the trapping one,
 * inclusive" (the representation fuel_reload works on). */
static uint64_t fuel_total(const kp_exec *ex)
{
    return ex->fuel_rest + ex->poll_countdown;
}

static void fuel_set(kp_exec *ex, uint64_t total)
{
    if (total == 0) {
        /* Out of fuel (a nested call used it up): the next poll traps. A
         * countdown of 0 would wrap and never trap. */
        ex->fuel_rest = 0;
        ex->poll_countdown = 1;
        return;
    }
    ex->fuel_rest = total;
    fuel_reload(ex);
}

int kp_exec_poll_slow(kp_exec *ex)
{
    if (atomic_load_explicit(ex->interrupt_word, memory_order_relaxed) != ex->interrupt_gen)
        return kp_exec_trap(ex, KP_TRAP_INTERRUPTED, "interrupted by kp_interrupt%s()",
                            ex->interrupt_word == &ex->rt->interrupt ? "" : "_call");
    if (ex->deadline_ns) {
        uint64_t now = kp_os_now_ns();
        if (now >= ex->deadline_ns)
            return kp_exec_trap(ex, KP_TRAP_TIMEOUT, "the call's deadline passed");
        uint64_t span = now - ex->clock_ns;
        ex->clock_ns = now;
        if (span > CLOCK_SPAN_HI)
            ex->poll_interval = ex->poll_interval > 8 ? ex->poll_interval / 8 : 1;
        else if (span < CLOCK_SPAN_LO && ex->poll_interval < POLL_INTERVAL)
            ex->poll_interval *= 2;
    }
    if (ex->fuel_on) {
        if (ex->poll_countdown == 0 && ex->fuel_rest == 0) {
            ex->poll_countdown = 1; /* every later poll traps too */
            return kp_exec_trap(ex, KP_TRAP_FUEL, "the call's fuel ran out");
        }
        if (ex->poll_countdown == 0)
            fuel_reload(ex);
    } else {
        ex->poll_countdown = ex->poll_interval;
    }
    if (interrupted_slow(ex))
        return kp_exec_trap(ex, KP_TRAP_INTERRUPTED, "interrupted");
    return 0;
}

int kp_exec_check(kp_exec *ex)
{
    if (interrupted_slow(ex))
        return kp_exec_trap(ex, KP_TRAP_INTERRUPTED, "interrupted");
    if (ex->deadline_ns && kp_os_now_ns() >= ex->deadline_ns)
        return kp_exec_trap(ex, KP_TRAP_TIMEOUT, "the call's deadline passed");
    return 0;
}

void kp_interrupt(kp_runtime *rt)
{
    /* Lock-free atomics only: callable from a signal handler. Then the
     * call generation (even steps keep its parity): a prepared call's
     * next call takes the C path, which takes the new interrupt
     * generation into its record, so an earlier interrupt does not stop
     * it while a later one does, and the stub need not reload it. */
    if (rt) {
        atomic_fetch_add_explicit(&rt->interrupt, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&rt->callgen, 2, memory_order_release);
    }
}

kp_call_token *kp_call_token_new(void)
{
    kp_call_token *t = malloc(sizeof *t);
    if (!t) {
        kp_err(KP_ERR_NOMEM, "out of memory");
        return NULL;
    }
    atomic_init(&t->gen, 0);
    return t;
}

void kp_call_token_free(kp_call_token *t)
{
    free(t);
}

void kp_interrupt_call(kp_call_token *t)
{
    if (t)
        atomic_fetch_add_explicit(&t->gen, 1, memory_order_relaxed);
}

/* ---- cleanup callbacks ------------------------------------------------------ */

static atomic_uint_least64_t cleanup_ids = 1;

uint64_t kp_cleanup_next_id(void)
{
    return atomic_fetch_add(&cleanup_ids, 1);
}

void kp_cleanup_run(kp_cleanup *list, int reason)
{
    while (list) {
        kp_cleanup *n = list->next;
        list->fn(list->arg, reason);
        free(list);
        list = n;
    }
}

kp_cleanup_id kp_callctx_on_call_end(kp_callctx *cx, kp_cleanup_fn fn, void *arg,
                                     unsigned flags)
{
    if (!cx || !fn || (flags & ~KP_CLEANUP_ALWAYS)) {
        kp_err(KP_ERR_ARG, "kp_callctx_on_call_end: bad argument");
        return 0;
    }
    kp_exec *ex = kp_exec_of(cx);
    kp_cleanup *c = malloc(sizeof *c);
    if (!c) {
        kp_err(KP_ERR_NOMEM, "out of memory");
        return 0;
    }
    c->fn = fn;
    c->arg = arg;
    c->flags = flags;
    c->id = kp_cleanup_next_id();
    c->next = ex->cleanups;
    ex->cleanups = c;
    return c->id;
}

static int unlink_id(kp_cleanup **pp, uint64_t id)
{
    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            kp_cleanup *c = *pp;
            *pp = c->next;
            free(c);
            return 1;
        }
    }
    return 0;
}

/* The thread's activations of rt, for kp_cleanup_cancel (call-tied). */
int kp_exec_cancel_cleanup(kp_runtime *rt, uint64_t id);
int kp_exec_cancel_cleanup(kp_runtime *rt, uint64_t id)
{
    for (kp_exec *p = tls_exec; p; p = p->parent)
        if (p->rt == rt && unlink_id(&p->cleanups, id))
            return 1;
    return 0;
}

/* The activation ended with `code`: run what must run, pass the rest of
 * the ON_FAILURE callbacks to the enclosing activation, if any. */
static void end_cleanups(kp_exec *ex, int code)
{
    kp_cleanup *list = ex->cleanups, *run = NULL, **runt = &run;
    ex->cleanups = NULL;
    kp_cleanup *keep = NULL, **keept = &keep;
    while (list) {
        kp_cleanup *n = list->next;
        list->next = NULL;
        if (code != KP_OK || (list->flags & KP_CLEANUP_ALWAYS) || !ex->parent) {
            if (code != KP_OK || (list->flags & KP_CLEANUP_ALWAYS)) {
                *runt = list;
                runt = &list->next;
            } else {
                free(list); /* succeeded: the resource outlives the call */
            }
        } else {
            *keept = list;
            keept = &list->next;
        }
        list = n;
    }
    if (keep) {
        *keept = ex->parent->cleanups;
        ex->parent->cleanups = keep;
    }
    kp_cleanup_run(run, code);
}

void kp_set_deadline(kp_runtime *rt, unsigned deadline_ms)
{
    if (rt) {
        atomic_store(&rt->deadline_ms, deadline_ms);
        kp_rt_cfg_changed(rt);
    }
}

int kp_rt_invoke(kp_exec *ex, kp_fn *fn, const uint64_t *args,
                 const uint8_t *types, uint32_t nargs, uint64_t *ret)
{
    if (fn->kind == KP_FN_BUILTIN)
        return kp_rt_call_builtin(ex, fn, args, types, nargs, ret);
    if (nargs != fn->sig.nparams)
        return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "'%s' called with %u arguments, expects %u",
                            fn->name, nargs, fn->sig.nparams);
    return ex->rt->engine->call(ex, fn, args, ret);
}

/* ---- kp_call ------------------------------------------------------------------- */

static const char *type_name(kp_type t)
{
    switch (t) {
    case KP_T_VOID: return "KP_T_VOID";
    case KP_T_I32: return "KP_T_I32";
    case KP_T_I64: return "KP_T_I64";
    case KP_T_F32: return "KP_T_F32";
    case KP_T_F64: return "KP_T_F64";
    case KP_T_PTR: return "KP_T_PTR";
    }
    return "an invalid type";
}

static uint64_t arg_raw(const kp_value *v)
{
    switch (v->type) {
    case KP_T_I32: return (uint32_t)v->v.i32;
    case KP_T_PTR: return v->v.ptr;
    case KP_T_I64: return (uint64_t)v->v.i64;
    case KP_T_F32: { uint32_t b; memcpy(&b, &v->v.f32, 4); return b; }
    case KP_T_F64: { uint64_t b; memcpy(&b, &v->v.f64, 8); return b; }
    default: return 0;
    }
}

static uint8_t arg_regtype(kp_type t)
{
    switch (t) {
    case KP_T_I64: return IR_I64;
    case KP_T_F32: return IR_F32;
    case KP_T_F64: return IR_F64;
    default: return IR_I32;
    }
}

_Static_assert(IR_I32 == (int)KP_T_I32 && IR_I64 == (int)KP_T_I64 && IR_F32 == (int)KP_T_F32 &&
                   IR_F64 == (int)KP_T_F64 && IR_PTR == (int)KP_T_PTR && IR_VOID == (int)KP_T_VOID,
               "kp_call converts IR types to kp_type by value");

#define MAX_CALL_ARGS 256
/* kp_call nested through built-ins on one thread: each level costs native
 * stack (the host's), so plugins calling built-ins calling plugins ... must
 * stop well before the thread's stack does. */
#define MAX_NESTED_CALLS 64

/* Report a trap of ex as the thread's kp_error. fn is the called function. */
static int report_trap(kp_exec *ex, const kp_fn *fn, int code)
{
    const char *msg = ex->trap_code ? ex->trap_msg : kp_result_name(code);
    if (ex->trap_code)
        code = ex->trap_code;
    if (ex->trap_located) {
        if (ex->trap_line)
            return kp_err_set(code, ex->trap_plugin, ex->trap_func, (int)ex->trap_line,
                              (int)ex->trap_col, "plugin '%s', function '%s', line %u:%u: %s",
                              ex->trap_plugin, ex->trap_func, ex->trap_line, ex->trap_col,
                              msg);
        return kp_err_set(code, ex->trap_plugin, ex->trap_func, 0, 0,
                          "plugin '%s', function '%s': %s", ex->trap_plugin,
                          ex->trap_func, msg);
    }
    const char *plugin = fn->mod ? fn->mod->name : fn->name;
    return kp_err_set(code, plugin, fn->name, 0, 0, "plugin '%s', function '%s': %s",
                      plugin, fn->name, msg);
}

/* The end of an activation that trapped or has cleanup callbacks:
 * report the trap, run the callbacks. Returns the call's result. */
static __attribute__((noinline)) int call_end(kp_exec *ex, const kp_fn *fn, int rc)
{
    if (rc == KP_OK && !ex->trap_code) {
        end_cleanups(ex, KP_OK);
        return KP_OK;
    }
    int code = report_trap(ex, fn, rc);
    if (ex->cleanups) {
        /* Callbacks may call kp_* functions: keep the error record. */
        kp_error saved = *kp_last_error();
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", saved.message);
        char pl[256], fnm[256];
        snprintf(pl, sizeof pl, "%s", saved.plugin);
        snprintf(fnm, sizeof fnm, "%s", saved.function);
        end_cleanups(ex, code);
        kp_err_set(code, pl, fnm, saved.line, saved.column, "%s", msg);
    }
    return code;
}

/* The bits of a raw value that belong to a value of type t (an IR_ or
 * KP_T_ number, the same, below 8): 32-bit values keep their low half. */
static const uint64_t width_mask[8] = {0, UINT32_MAX, UINT64_MAX, UINT32_MAX,
                                       UINT64_MAX, UINT32_MAX, 0, 0};

/* A raw result, already the bits of its type in the low 4 or 8 bytes of
 * the union (float's bits where f32 lies): one masked store, no switch. */
static inline void set_ret(kp_value *ret, int t, uint64_t rv)
{
    memset(ret, 0, sizeof *ret);
    ret->type = (kp_type)t; /* IR_VOID.. IR_PTR number like kp_type */
    uint64_t bits = rv & width_mask[t & 7];
    memcpy(&ret->v, &bits, sizeof bits);
}

/* The raw values of n arguments read as the types want[0..n), each masked
 * to its width (kp_value's union is 8 bytes whatever was stored: a 32-bit
 * value's upper half is garbage): by mask[i], or (mask NULL) by the width
 * of want[i]. Returns the OR of each argument's tag xor its wanted type:
 * 0 when every tag matches (a caller that ignores it pays nothing for it).
 * Without a branch per argument, and straight-line for the usual counts
 * (no loop counter, no jump through the table for none). */
static inline __attribute__((always_inline)) unsigned
args_to_raw(uint64_t *raw, const kp_value *args, int n, const uint8_t *want,
            const uint64_t *mask)
{
    unsigned mismatch = 0;
#define ARG_CONV(i)                                                            \
    (mismatch |= (unsigned)args[i].type ^ want[i],                            \
     raw[i] = (uint64_t)args[i].v.i64 & (mask ? mask[i] : width_mask[want[i] & 7]))
    if (n) switch (n) {
    case 6: ARG_CONV(5); /* fall through */
    case 5: ARG_CONV(4); /* fall through */
    case 4: ARG_CONV(3); /* fall through */
    case 3: ARG_CONV(2); /* fall through */
    case 2: ARG_CONV(1); /* fall through */
    case 1: ARG_CONV(0); /* fall through */
    case 0: break;
    default:
        for (int i = 0; i < n; i++)
            ARG_CONV(i);
    }
#undef ARG_CONV
    return mismatch;
}

static __attribute__((noinline)) int call_general(kp_func *f, const kp_value *args,
                                                  int nargs, kp_value *ret,
                                                  const kp_call_opts *opts);

/* Ready a kept exec (a parked stack's, a prepared call's) for one
 * outermost call: only what may have changed since its last call (limits,
 * the interrupt generation) and the entry. The poll countdown and the
 * deadline are the caller's. */
static inline void exec_ready(kp_exec *ex, kp_runtime *rt, uint32_t sp, kp_fn *fn)
{
    ex->mem_size = atomic_load_explicit(&rt->seg.mem_size, memory_order_acquire);
    ex->sp = sp;
    ex->depth = 0;
    ex->max_depth = atomic_load_explicit(&rt->max_depth, memory_order_relaxed);
    ex->interrupt_gen = ex->rt_interrupt_gen =
        atomic_load_explicit(&rt->interrupt, memory_order_relaxed);
    ex->caller = NULL;
    ex->entry = fn;
}

/* Run fn on a kept exec as the thread's current call. A trap or pending
 * cleanups end the call here (their callbacks may call in again, so the
 * caller keeps the exec busy until this returns); the exec is left clean
 * for its next call. */
static inline int exec_run(kp_tls *t, kp_runtime *rt, kp_exec *ex, kp_fn *fn,
                           const uint64_t *raw, uint64_t *rv)
{
    t->exec = ex;
    int rc = rt->engine->call(ex, fn, raw, rv);
    t->exec = NULL;
    if (__builtin_expect(rc == KP_OK && !ex->trap_code && !ex->cleanups, 1))
        return KP_OK;
    int code = call_end(ex, fn, rc);
    ex->trap_code = 0;
    ex->trap_located = 0;
    ex->cur_builtin = NULL;
    return code;
}

int kp_call(kp_func *f, const kp_value *args, int nargs, kp_value *ret)
{
    return kp_call_ex(f, args, nargs, ret, NULL);
}

/* The common call gets a path of its own: from the host (not nested), no
 * options, a plugin function with a fixed prototype, no default deadline,
 * and this thread's parked stack of the runtime in a slot. It
 * keeps every semantic of the general path (interrupts, reclamation,
 * traps, cleanups) but skips what cannot apply. Anything unusual, from
 * a type mismatch to a missing stack, goes the general way, which also
 * reports the errors. */
int kp_call_ex(kp_func *f, const kp_value *args, int nargs, kp_value *ret,
               const kp_call_opts *opts)
{
    kp_tls *t = &tls;
    if (__builtin_expect(!f || opts || t->exec || (unsigned)nargs > IR_MAX_PARAMS ||
                             (nargs && !args), 0))
        return call_general(f, args, nargs, ret, opts);
    kp_slot *slot = (kp_slot *)f;
    kp_runtime *rt = slot->rt;
    kp_tls_stack *s = &t->stk[0];
    if (__builtin_expect(s->rt != rt, 0)) { /* a thread calling several runtimes */
        for (s = &t->stk[1]; s < &t->stk[TLS_STACKS] && s->rt != rt; s++)
            ;
        if (s == &t->stk[TLS_STACKS])
            return call_general(f, args, nargs, ret, opts);
    }
    if (__builtin_expect(!s->lo || s->uid != rt->uid ||
                             atomic_load_explicit(&rt->deadline_ms, memory_order_relaxed),
                         0))
        return call_general(f, args, nargs, ret, opts);
    if (__builtin_expect(rd_enter(t, rt) != 0, 0))
        return call_general(f, args, nargs, ret, opts);
    kp_fn *fn = atomic_load_explicit(&slot->fn, memory_order_acquire);
    uint64_t tag = s->tag;
    if (__builtin_expect(!fn || fn->kind != KP_FN_PLUGIN || fn->sig.nparams != nargs ||
                             tag != atomic_load_explicit(&rt->stack_cfg,
                                                         memory_order_acquire),
                         0))
        goto general;
    uint64_t raw[IR_MAX_PARAMS];
    unsigned mismatch = args_to_raw(raw, args, nargs, fn->sig.params, NULL);
    if (__builtin_expect(mismatch != 0, 0))
        goto general;
    /* The slot's prepared exec: only what may change between calls is
     * set (limits, interrupt generation, the countdown, the entry). */
    uint32_t lo = s->lo;
    kp_exec *ex = s->ex;
    s->lo = 0;
    s->busy = 1;
    exec_ready(ex, rt, lo + (uint32_t)tag, fn);
    ex->poll_countdown = POLL_INTERVAL;
    uint64_t rv = 0;
    int code = exec_run(t, rt, ex, fn, raw, &rv);
    s->busy = 0;
    /* A nested call cannot have taken the slot: it stays ours while the
     * runtime lives, and the stack size may have changed meanwhile. */
    if (__builtin_expect(s->rt == rt && !s->lo &&
                             tag == atomic_load_explicit(&rt->stack_cfg, memory_order_relaxed),
                         1))
        s->lo = lo;
    else
        stack_give(rt, lo, tag);
    if (code == KP_OK && ret)
        set_ret(ret, fn->sig.ret, rv);
    rd_leave(t, rt);
    return code;
general:
    rd_leave(t, rt);
    return call_general(f, args, nargs, ret, opts);
}

static int call_general(kp_func *f, const kp_value *args, int nargs, kp_value *ret,
                        const kp_call_opts *opts)
{
    if (!f)
        return kp_err(KP_ERR_ARG, "kp_call: function is NULL");
    if (nargs < 0 || (nargs > 0 && !args))
        return kp_err(KP_ERR_ARG, "kp_call: bad argument array");
    if (nargs > MAX_CALL_ARGS)
        return kp_err(KP_ERR_ARG, "kp_call: too many arguments (%d)", nargs);
    kp_slot *slot = (kp_slot *)f;
    kp_runtime *rt = slot->rt;
    if (tls_exec) {
        int nest = 0;
        for (kp_exec *p = tls_exec; p; p = p->parent)
            nest++;
        if (nest >= MAX_NESTED_CALLS)
            return kp_err_set(KP_TRAP_STACK, "", slot->name, 0, 0,
                              "too many nested calls through built-ins (%d)", nest);
    }

    uint64_t rawbuf[IR_MAX_PARAMS], *raw = rawbuf;
    uint8_t tbuf[IR_MAX_PARAMS], *types = tbuf;
    if (kp_enter_call(rt) != 0)
        return kp_err(KP_ERR_NOMEM, "kp_call: cannot register the thread (out of memory)");
    int code = KP_OK;
    kp_fn *fn = atomic_load_explicit(&slot->fn, memory_order_acquire);
    if (!fn) {
        code = kp_err_set(KP_TRAP_UNLINKED, "", slot->name, 0, 0,
                          "function '%s' is not linked", slot->name);
        goto out;
    }
    const ir_sig *sig = &fn->sig;
    if (nargs < sig->nparams || (!sig->variadic && nargs > sig->nparams)) {
        code = kp_err_set(KP_ERR_SIGNATURE, "", fn->name, 0, 0,
                          "function '%s' takes %s%u argument%s, got %d", fn->name,
                          sig->variadic ? "at least " : "", sig->nparams,
                          sig->nparams == 1 ? "" : "s", nargs);
        goto out;
    }
    if (nargs > IR_MAX_PARAMS) { /* only variadic built-ins get here */
        raw = malloc((size_t)nargs * sizeof *raw);
        types = malloc((size_t)nargs);
        if (!raw || !types) {
            code = kp_err(KP_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    /* IR types of parameters number like kp_type (checked below). */
    for (int i = 0; i < sig->nparams; i++) {
        kp_type want = (kp_type)sig->params[i];
        if (__builtin_expect(args[i].type != want, 0)) {
            code = kp_err_set(KP_ERR_SIGNATURE, "", fn->name, 0, 0,
                              "function '%s': parameter %d expects %s, got %s", fn->name,
                              i + 1, type_name(want), type_name(args[i].type));
            goto out;
        }
        /* I32/PTR/F32 in the low 32 bits (zero-extended), I64/F64 in 64. */
        raw[i] = (want == KP_T_I64 || want == KP_T_F64) ? (uint64_t)args[i].v.i64
                                                        : (uint64_t)(uint32_t)args[i].v.i32;
    }
    for (int i = sig->nparams; i < nargs; i++) { /* variadic built-ins' extras */
        kp_type t = args[i].type;
        if (t == KP_T_VOID || (unsigned)t > KP_T_PTR) {
            code = kp_err_set(KP_ERR_SIGNATURE, "", fn->name, 0, 0,
                              "function '%s': parameter %d expects a value, got %s",
                              fn->name, i + 1, type_name(t));
            goto out;
        }
        raw[i] = arg_raw(&args[i]);
    }
    if (fn->kind == KP_FN_BUILTIN) /* engines' plugin calls ignore types */
        for (int i = 0; i < nargs; i++)
            types[i] = arg_regtype(args[i].type);

    kp_exec ex;
    /* Field by field: clearing trap_msg on every call would cost more
     * than the rest of the set-up. */
    ex.caller = NULL;
    ex.entry = fn;
    ex.fuel_rest = 0;
    ex.fuel_on = 0;
    ex.cleanups = NULL;
    ex.poll_interval = POLL_INTERVAL;
    ex.clock_ns = 0;
    ex.rt_interrupt_gen = atomic_load_explicit(&rt->interrupt, memory_order_relaxed);
    ex.depth = 0;
    ex.trap_code = 0;
    ex.trap_located = 0;
    ex.trap_msg[0] = 0;
    ex.trap_plugin = ex.trap_func = NULL;
    ex.trap_line = ex.trap_col = 0;
    ex.cur_builtin = NULL;
    ex.deadline_ns = 0;
    ex.mem = rt->seg.base;
    ex.mem_size = atomic_load_explicit(&rt->seg.mem_size, memory_order_acquire);
    ex.rt = rt;
    ex.parent = tls_exec;
    ex.interrupt_word = &rt->interrupt;
    kp_exec *outer = NULL;
    for (kp_exec *p = tls_exec; p; p = p->parent)
        if (p->rt == rt && p->stack_lo) {
            outer = p;
            break;
        }
    uint32_t stack = 0;
    uint64_t stack_tag = 0;
    if (outer) {
        ex.sp = outer->sp & ~15u;
        ex.stack_lo = outer->stack_lo;
        ex.depth = outer->depth;
        ex.max_depth = outer->max_depth;
        ex.interrupt_word = outer->interrupt_word;
        ex.interrupt_gen = outer->interrupt_gen;
        ex.rt_interrupt_gen = outer->rt_interrupt_gen;
        ex.deadline_ns = outer->deadline_ns;
        ex.clock_ns = outer->clock_ns;
        ex.poll_interval = outer->poll_interval;
    } else {
        /* A built-in called from the host needs no plugin stack; a nested
         * call it makes acquires one (stack_lo == 0 is never a stack). */
        ex.sp = ex.stack_lo = 0;
        if (fn->kind == KP_FN_PLUGIN) {
            stack = stack_take(rt, &stack_tag);
            if (!stack) {
                code = kp_err_set(KP_ERR_NOMEM_PLUGIN, "", fn->name, 0, 0,
                                  "memory limit: no room for a plugin stack of %u bytes "
                                  "in the runtime's memory (mem_limit %llu)",
                                  (unsigned)stack_tag,
                                  (unsigned long long)ex.mem_size);
                goto out;
            }
            ex.stack_lo = stack;
            ex.sp = stack + (uint32_t)stack_tag;
        }
        ex.max_depth = atomic_load_explicit(&rt->max_depth, memory_order_relaxed);
        ex.interrupt_gen = ex.rt_interrupt_gen;
        unsigned ms = atomic_load(&rt->deadline_ms);
        if (ms && !(opts && (opts->flags & KP_CALL_NO_DEADLINE))) {
            ex.clock_ns = kp_os_now_ns();
            ex.deadline_ns = ex.clock_ns + (uint64_t)ms * 1000000u;
        }
    }
    if (ex.clock_ns && !outer)
        ex.poll_interval = POLL_INTERVAL_FIRST;
    kp_exec *parent_fuel = NULL; /* the activation whose fuel this one draws on */
    for (kp_exec *p = ex.parent; p; p = p->parent)
        if (p->fuel_on) {
            parent_fuel = p;
            break;
        }
    uint64_t fuel_init = 0;
    if (opts) {
        uint64_t us = opts->deadline_us ? opts->deadline_us
                                        : (uint64_t)opts->deadline_ms * 1000u;
        if (us) {
            ex.clock_ns = kp_os_now_ns();
            if (ex.poll_interval > POLL_INTERVAL_FIRST)
                ex.poll_interval = POLL_INTERVAL_FIRST;
            uint64_t d = ex.clock_ns + us * 1000u;
            if (!ex.deadline_ns || d < ex.deadline_ns)
                ex.deadline_ns = d;
        }
        if (opts->token) {
            /* This call watches its token on the fast path; the runtime's
             * interrupt and enclosing calls' are checked with the clock. */
            ex.interrupt_word = &opts->token->gen;
            ex.interrupt_gen = atomic_load_explicit(&opts->token->gen, memory_order_relaxed);
        }
        if (opts->fuel) {
            fuel_init = opts->fuel + 1;
            if (!fuel_init)
                fuel_init--; /* UINT64_MAX */
        }
    }
    ex.poll_countdown = ex.poll_interval;
    if (parent_fuel) {
        uint64_t pt = fuel_total(parent_fuel);
        if (!fuel_init || pt < fuel_init)
            fuel_init = pt;
    }
    if (fuel_init) {
        ex.fuel_on = 1;
        fuel_set(&ex, fuel_init);
    }

    uint64_t rv = 0;
    tls_exec = &ex;
    int rc = kp_rt_invoke(&ex, fn, raw, types, (uint32_t)nargs, &rv);
    tls_exec = ex.parent;
    if (stack)
        stack_give(rt, stack, stack_tag);
    if (ex.fuel_on) {
        uint64_t left = ex.trap_code == KP_TRAP_FUEL ? 0 : fuel_total(&ex);
        if (parent_fuel) {
            uint64_t pt = fuel_total(parent_fuel), used = fuel_init - left;
            fuel_set(parent_fuel, pt > used ? pt - used : 0);
        }
        if (opts && opts->fuel_left)
            *opts->fuel_left = left ? left - 1 : 0;
    }

    if (rc != KP_OK || ex.trap_code || ex.cleanups) {
        code = call_end(&ex, fn, rc);
        if (code != KP_OK)
            goto out;
    }
    if (ret)
        set_ret(ret, sig->ret, rv);
out:
    if (raw != rawbuf)
        free(raw);
    if (types != tbuf)
        free(types);
    kp_leave_call(rt);
    return code;
}

/* ---- Prepared calls ----------------------------------------------------------
 *
 * kp_call_ex finds the thread's parked stack, checks it, refreshes its
 * exec and checks each argument's tag on every call. A prepared call does
 * that once: it owns a plugin stack of its runtime and an exec prepared
 * for it, and is bound to the thread that prepared it. Per call it
 * announces itself for reclamation, re-reads the slot (replace and delete
 * act at once), compares the linked prototype with the prepared one
 * (or'ed, as the fast path does), and sets what must be fresh per call
 * (memory size, depth limit, interrupt generation, deadline). Whatever
 * the fast path cannot serve (another thread, a nested call, a built-in
 * behind the name, nothing linked, a changed prototype, a changed stack
 * size) goes through kp_call_ex, which reports the errors. */

struct kp_prepared {
    /* What runs a call: the engine's stub for this call, or
     * prepared_call_c. First: kplug.h's inline kp_call_prepared calls it
     * (part of the header's ABI). */
    int (*call)(kp_prepared *p, const kp_value *args, kp_value *ret);
    kp_slot *slot;
    kp_runtime *rt;
    uint64_t uid;         /* rt's: kp_prepared_free after a destroy */
    const kp_tls *owner;  /* the preparing thread's block */
    int busy;             /* a call on ex is running (cleanups may call again) */
    uint8_t ret, nparams;
    uint8_t params[IR_MAX_PARAMS];
    /* The first 16 bytes of a kp_fn (kind, then the prototype's ret,
     * nparams, variadic, params[0..8]) as they must read, and which bytes
     * count: two compares check kind and prototype of up to 9 parameters. */
    uint64_t want[2], wmask[2];
    uint64_t amask[IR_MAX_PARAMS]; /* each argument's width */
    uint64_t rmask;                /* the result's */
    uint32_t lo;          /* the owned plugin stack; 0: none (re-acquired) */
    uint64_t tag;
    /* The stub (NULL: none) and what it checks: it runs only while
     * rt->callgen equals gen (odd: not now), which the C path sets after a
     * call it made with nothing the stub does not redo left to change. */
    void *stub;
    size_t stub_size;
    const kp_engine_ops *engine;   /* the stub's (rt may be gone at free) */
    uint64_t gen;
    const void *entry;    /* the armed function's prep_entry */
    uint64_t spd;         /* ex.sp at entry: prepared_end restores it after a trap */
    kp_exec ex;
};

static int prepared_call_c(kp_prepared *p, const kp_value *args, kp_value *ret);

/* Is fn (loaded from the slot) the kind and prototype prepared? */
static inline int prepared_fn_ok(const kp_prepared *p, const kp_fn *fn)
{
    if (!fn)
        return 0;
    uint64_t head[2];
    memcpy(head, fn, sizeof head);
    if ((((head[0] ^ p->want[0]) & p->wmask[0]) | ((head[1] ^ p->want[1]) & p->wmask[1])) != 0)
        return 0;
    return p->nparams <= 9 || !memcmp(fn->sig.params + 9, p->params + 9, p->nparams - 9u);
}

/* Let the stub run from the next call (p->ex ready for fn, g1 = the call
 * generation read before the stack check and the slot load) if nothing
 * moved since g1. */
static void prepared_arm(kp_prepared *p, const kp_fn *fn, uint64_t g1, unsigned deadline_ms)
{
    uint64_t g2 = atomic_load_explicit(&p->rt->callgen, memory_order_acquire);
    /* the entry goes with the generation: while rt->callgen stays g1 the
     * slot holds fn (the stub does not load the slot) */
    p->entry = fn->prep_entry;
    /* the engine's prepared entry may count on the depth check passing */
    p->gen = g1 == g2 && !(g1 & 1) && !deadline_ms && p->entry && p->ex.max_depth >= 1 ? g1 : 1;
    p->spd = p->ex.sp;
}

static void prepared_stub(kp_prepared *p);

static int prepared_general(kp_prepared *p, const kp_value *args, kp_value *ret)
{
    /* kp_call_ex checks the parameters, not the result: a name relinked
     * with another result type is refused before anything runs (and after,
     * should it change between this check and the call). */
    kp_type rt_ret;
    int np = kp_func_signature((kp_func *)p->slot, &rt_ret, NULL, 0, NULL);
    if (np >= 0 && rt_ret != (kp_type)p->ret)
        return kp_err_set(KP_ERR_SIGNATURE, "", p->slot->name, 0, 0,
                          "function '%s': the prepared call's result type differs "
                          "from the linked prototype's", p->slot->name);
    kp_value v[IR_MAX_PARAMS];
    for (int i = 0; i < p->nparams; i++) {
        v[i].type = (kp_type)p->params[i];
        uint64_t bits = (uint64_t)args[i].v.i64 & width_mask[p->params[i] & 7];
        memset(&v[i].v, 0, sizeof v[i].v);
        memcpy(&v[i].v, &bits, sizeof bits);
    }
    kp_value r;
    int code = kp_call_ex((kp_func *)p->slot, v, p->nparams, &r, NULL);
    if (code == KP_OK && r.type != (kp_type)p->ret)
        return kp_err_set(KP_ERR_SIGNATURE, "", p->slot->name, 0, 0,
                          "function '%s': the prepared call's result type differs "
                          "from the linked prototype's", p->slot->name);
    if (code == KP_OK && ret)
        *ret = r;
    return code;
}

/* A new stack after the runtime's stack size changed (or the first one).
 * 0, or the error (already reported). */
static __attribute__((noinline)) int prepared_restack(kp_prepared *p)
{
    if (p->lo)
        kp_stack_release(p->rt, p->lo, p->tag);
    p->lo = kp_stack_acquire(p->rt, &p->tag);
    if (!p->lo)
        return kp_err_set(KP_ERR_NOMEM_PLUGIN, "", p->slot->name, 0, 0,
                          "memory limit: no room for a plugin stack of %u bytes",
                          (unsigned)p->tag);
    kp_exec *ex = &p->ex;
    memset(ex, 0, sizeof *ex);
    ex->mem = p->rt->seg.base;
    ex->stack_lo = p->lo;
    ex->rt = p->rt;
    ex->interrupt_word = &p->rt->interrupt;
    ex->poll_interval = POLL_INTERVAL;
    return 0;
}

int kp_prepare(kp_func *f, kp_type ret, const kp_type *params, int nparams,
               kp_prepared **out)
{
    if (!out)
        return kp_err(KP_ERR_ARG, "kp_prepare: out is NULL");
    *out = NULL;
    if (!f)
        return kp_err(KP_ERR_ARG, "kp_prepare: function is NULL");
    if (nparams < 0 || nparams > IR_MAX_PARAMS || (nparams && !params))
        return kp_err(KP_ERR_ARG, "kp_prepare: bad parameter list");
    if ((unsigned)ret > KP_T_PTR)
        return kp_err(KP_ERR_ARG, "kp_prepare: bad result type");
    for (int i = 0; i < nparams; i++)
        if (params[i] == KP_T_VOID || (unsigned)params[i] > KP_T_PTR)
            return kp_err(KP_ERR_ARG, "kp_prepare: parameter %d has no value type", i + 1);
    kp_slot *slot = (kp_slot *)f;
    kp_runtime *rt = slot->rt;
    if (kp_enter_call(rt) != 0)
        return kp_err(KP_ERR_NOMEM, "kp_prepare: cannot register the thread (out of memory)");
    int code = KP_OK;
    kp_fn *fn = atomic_load_explicit(&slot->fn, memory_order_acquire);
    if (!fn) {
        code = kp_err_set(KP_TRAP_UNLINKED, "", slot->name, 0, 0,
                          "function '%s' is not linked", slot->name);
    } else {
        int same = !fn->sig.variadic && fn->sig.nparams == nparams &&
                   fn->sig.ret == (uint8_t)ret;
        for (int i = 0; same && i < nparams; i++)
            same = fn->sig.params[i] == (uint8_t)params[i];
        if (!same)
            code = kp_err_set(KP_ERR_SIGNATURE, "", fn->name, 0, 0,
                              "kp_prepare: the prototype given differs from "
                              "function '%s''s", fn->name);
    }
    kp_leave_call(rt);
    if (code != KP_OK)
        return code;
    kp_prepared *p = calloc(1, sizeof *p);
    if (!p)
        return kp_err(KP_ERR_NOMEM, "out of memory");
    p->slot = slot;
    p->rt = rt;
    p->uid = rt->uid;
    p->owner = &tls;
    p->ret = (uint8_t)ret;
    p->nparams = (uint8_t)nparams;
    for (int i = 0; i < nparams; i++) {
        p->params[i] = (uint8_t)params[i];
        p->amask[i] = width_mask[params[i] & 7];
    }
    p->rmask = width_mask[ret & 7];
    /* the head of a kp_fn that matches, and the bytes that matter in it */
    kp_fn head, hmask;
    memset(&head, 0, sizeof head);
    memset(&hmask, 0, sizeof hmask);
    head.kind = KP_FN_PLUGIN;
    memset(&hmask.kind, 0xff, sizeof hmask.kind);
    head.sig.ret = (uint8_t)ret;
    head.sig.nparams = (uint8_t)nparams;
    hmask.sig.ret = hmask.sig.nparams = hmask.sig.variadic = 0xff;
    for (int i = 0; i < nparams; i++) {
        head.sig.params[i] = (uint8_t)params[i];
        hmask.sig.params[i] = 0xff;
    }
    memcpy(p->want, &head, sizeof p->want);
    memcpy(p->wmask, &hmask, sizeof p->wmask);
    if ((code = prepared_restack(p)) != 0) {
        free(p);
        return code;
    }
    p->call = prepared_call_c;
    p->gen = 1;
    prepared_stub(p);
    /* Armed now, so that the first call takes the stub too: what the C
     * path's call would set up, without the call. */
    if (p->stub && rd_enter(&tls, rt) == 0) {
        uint64_t g1 = atomic_load_explicit(&rt->callgen, memory_order_acquire);
        fn = atomic_load_explicit(&slot->fn, memory_order_acquire);
        if (prepared_fn_ok(p, fn) &&
            p->tag == atomic_load_explicit(&rt->stack_cfg, memory_order_acquire)) {
            kp_exec *ex = &p->ex;
            exec_ready(ex, rt, p->lo + (uint32_t)p->tag, fn);
            ex->deadline_ns = 0;
            ex->poll_interval = ex->poll_countdown = POLL_INTERVAL;
            prepared_arm(p, fn, g1, atomic_load_explicit(&rt->deadline_ms, memory_order_relaxed));
        }
        rd_leave(&tls, rt);
    }
    *out = p;
    return KP_OK;
}

/* The prepared call in C: the whole path on engines without a stub, and
 * where a stub leaves (another thread, a nested call, p busy, rt->callgen
 * moved). A call it makes on the fast path re-arms the stub when nothing
 * it set from the runtime can have changed (rt->callgen the same, even,
 * before the stack check and after the call record is ready: the slot's
 * fn and every limit the stub does not reload were stable meanwhile) and
 * no default deadline applies (the stub has no clock). */
static int prepared_call_c(kp_prepared *p, const kp_value *args, kp_value *ret)
{
    kp_tls *t = &tls;
    if (__builtin_expect(!p || (p->nparams && !args), 0))
        return kp_err(KP_ERR_ARG, "kp_call_prepared: %s", p ? "args is NULL" : "p is NULL");
    kp_runtime *rt = p->rt;
    if (__builtin_expect(p->owner != t || t->exec || p->busy, 0))
        return prepared_general(p, args, ret);
    uint64_t g1 = atomic_load_explicit(&rt->callgen, memory_order_acquire);
    if (__builtin_expect(p->tag != atomic_load_explicit(&rt->stack_cfg, memory_order_acquire) ||
                             !p->lo,
                         0)) {
        int rc = prepared_restack(p);
        if (rc)
            return rc;
    }
    if (__builtin_expect(rd_enter(t, rt) != 0, 0))
        return prepared_general(p, args, ret);
    kp_fn *fn = atomic_load_explicit(&p->slot->fn, memory_order_acquire);
    if (__builtin_expect(!prepared_fn_ok(p, fn), 0))
        goto general;
    int n = p->nparams;
    uint64_t raw[IR_MAX_PARAMS];
    args_to_raw(raw, args, n, p->params, p->amask); /* as the prepared types */
    kp_exec *ex = &p->ex;
    p->busy = 1;
    exec_ready(ex, rt, p->lo + (uint32_t)p->tag, fn);
    unsigned ms = atomic_load_explicit(&rt->deadline_ms, memory_order_relaxed);
    if (__builtin_expect(ms != 0, 0)) {
        ex->clock_ns = kp_os_now_ns();
        ex->deadline_ns = ex->clock_ns + (uint64_t)ms * 1000000u;
        ex->poll_interval = ex->poll_countdown = POLL_INTERVAL_FIRST;
    } else {
        ex->deadline_ns = 0;
        ex->poll_interval = ex->poll_countdown = POLL_INTERVAL;
    }
    if (p->stub)
        prepared_arm(p, fn, g1, ms);
    uint64_t rv = 0;
    int code = exec_run(t, rt, ex, fn, raw, &rv);
    p->busy = 0;
    if (__builtin_expect(code == KP_OK && ret != NULL, 1)) {
        memset(ret, 0, sizeof *ret);
        ret->type = (kp_type)p->ret;
        uint64_t bits = rv & p->rmask;
        memcpy(&ret->v, &bits, sizeof bits);
    }
    rd_leave(t, rt);
    return code;
general:
    rd_leave(t, rt);
    return prepared_general(p, args, ret);
}

/* The stub announced the call, then found rt->callgen moved. */
static int prepared_unannounce(kp_prepared *p, const kp_value *args, kp_value *ret)
{
    rd_leave(&tls, p->rt);
    return prepared_call_c(p, args, ret);
}

/* The end of a stub's call that is not the plain one: a trap (rc, after
 * the jit_frame was unlinked and ex->sp/depth restored), cleanups, a
 * trap recorded without one, or retired modules this call may have held
 * back. What exec_run and prepared_call_c do after the engine's call. */
static int prepared_end(kp_prepared *p, int rc, uint64_t rv, kp_value *ret)
{
    kp_tls *t = &tls;
    kp_exec *ex = &p->ex;
    t->exec = NULL;
    /* after a trap: the stub leaves the frame's copies of these unset */
    ex->sp = (uint32_t)p->spd;
    ex->depth = 0;
    int code = KP_OK;
    if (rc != KP_OK || ex->trap_code || ex->cleanups) {
        /* a cleanup calling p again must not reuse ex: the stub does not
         * set busy (the announcement sends such a call to C) */
        p->busy = 1;
        code = call_end(ex, ex->entry, rc);
        ex->trap_code = 0;
        ex->trap_located = 0;
        ex->cur_builtin = NULL;
        p->busy = 0;
    }
    if (code == KP_OK && ret) {
        memset(ret, 0, sizeof *ret);
        ret->type = (kp_type)p->ret;
        uint64_t bits = rv & p->rmask;
        memcpy(&ret->v, &bits, sizeof bits);
    }
    rd_leave(t, p->rt);
    return code;
}

/* The thread pointer (%fs:0 on x86-64 Linux): the base of the
 * %fs-relative offsets of tls's fields a stub uses. */
static uintptr_t thread_pointer(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
#else
    return 0;
#endif
}

/* Ask the engine for a stub (on the preparing thread); none is fine. */
static void prepared_stub(kp_prepared *p)
{
    const kp_engine_ops *eng = p->rt->engine;
    if (!eng->prepare || getenv("KPLUG_NO_PREP_STUB"))
        return;
    kp_prep_desc d;
    memset(&d, 0, sizeof d);
    uintptr_t tp = thread_pointer();
    if (!tp || !tls.id) /* kp_prepare registered the thread */
        return;
    d.p = p;
    d.owner_id = tls.id;
    d.tls_id = (int32_t)((intptr_t)&tls.id - (intptr_t)tp);
    d.tls_cur = (int32_t)((intptr_t)&tls.exec - (intptr_t)tp);
    d.tls_nest = (int32_t)((intptr_t)&tls.nest - (intptr_t)tp);
    d.tls_epoch = (int32_t)((intptr_t)&tls.rd.epoch - (intptr_t)tp);
    d.tls_rdrt = (int32_t)((intptr_t)&tls.rd.rt - (intptr_t)tp);
    pthread_once(&readers.once, readers_init);
    d.fenced = readers.fenced;
    d.epoch_now = &epoch_now;
    d.rt = p->rt;
    d.mem = p->rt->seg.base;
    d.p_gen = offsetof(kp_prepared, gen);
    d.p_entry = offsetof(kp_prepared, entry);
    d.p_ex = offsetof(kp_prepared, ex);
    d.rt_gen = offsetof(kp_runtime, callgen);
    d.rt_nretired = offsetof(kp_runtime, nretired);
    d.ex_cleanups = offsetof(kp_exec, cleanups);
    d.poll = POLL_INTERVAL;
    d.ret = p->ret;
    d.nparams = p->nparams;
    memcpy(d.params, p->params, sizeof d.params);
    d.slow = (const void *)prepared_call_c;
    d.slow_ann = (const void *)prepared_unannounce;
    d.end = (const void *)prepared_end;
    p->gen = 1;
    p->stub = eng->prepare(&d, &p->stub_size);
    if (p->stub) {
        p->engine = eng;
        p->call = (int (*)(kp_prepared *, const kp_value *, kp_value *))p->stub;
    }
}

const void *kp_prepared_stub(const kp_prepared *p)
{
    return p ? p->stub : NULL;
}

int kp_prepared_armed(const kp_prepared *p)
{
    if (!p || !p->stub)
        return 0;
    return p->gen == atomic_load_explicit(&p->rt->callgen, memory_order_acquire) ? 2 : 1;
}

/* (the name in parentheses: kplug.h's inline version is a macro) */
int (kp_call_prepared)(kp_prepared *p, const kp_value *args, kp_value *ret)
{
    if (__builtin_expect(!p, 0))
        return kp_err(KP_ERR_ARG, "kp_call_prepared: p is NULL");
    return p->call(p, args, ret);
}

void kp_prepared_free(kp_prepared *p)
{
    if (!p)
        return;
    /* After kp_runtime_destroy the stack went with the segment. */
    kp_mutex_lock(&registry.lock);
    int alive = registry_alive(p->rt, p->uid);
    kp_mutex_unlock(&registry.lock);
    if (alive && p->lo)
        kp_stack_release(p->rt, p->lo, p->tag);
    if (p->stub)
        p->engine->unprepare(p->stub, p->stub_size);
    free(p);
}
