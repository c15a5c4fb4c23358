/*
 * rt.h — the runtime's internal interface: what engines see of a runtime
 * (memory, calls, traps, polling), and the engine interface itself.
 *
 *   runtime.c   kp_runtime: create/destroy, config, errors, the public API
 *   ns.c        namespace slots, handles, linking and unlinking modules
 *   segment.c   the segment: reserve, commit, layout, plugin stacks
 *   heap.c      malloc/free inside the segment (plugins and host)
 *   builtins.c  create/lookup/delete, the runtime library (CALLR), calling
 *               host built-ins
 *   exec.c      kp_exec: entering a call, traps, polling, deadlines
 *
 * Engines (interp/, later jit/) implement kp_engine_ops and use only what
 * this header declares.
 */
#ifndef KP_RT_H
#define KP_RT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/kplug.h"
#include "../ir/ir.h"

#define KP_PAGE_SIZE 4096u

typedef struct kp_module kp_module;
typedef struct kp_fn kp_fn;
typedef struct kp_slot kp_slot;
typedef struct kp_exec kp_exec;

/* ---- functions, slots, modules ------------------------------------------ */

typedef enum kp_fn_kind {
    KP_FN_PLUGIN = 1,  /* a function of a compiled plugin */
    KP_FN_BUILTIN = 2  /* a host callback (incl. create/lookup/delete) */
} kp_fn_kind;

/* One linked function. Immutable once linked; freed only when no call can
 * still be running it (see exec.c, deferred reclamation). */
struct kp_fn {
    kp_fn_kind kind;
    ir_sig sig;
    const char *name;
    /* KP_FN_PLUGIN */
    kp_module *mod;
    uint32_t index;       /* in mod->ir->funcs */
    const ir_func *ir;
    void *code;           /* the engine's compiled form */
    /* KP_FN_BUILTIN */
    kp_builtin_fn host;
    void *userdata;
    /* Handle of this function inside plugins (a function pointer value);
     * for exported functions, the handle of their namespace slot. */
    uint32_t handle;
    /* KP_FN_PLUGIN: the entry a prepared call's stub calls (the engine's
     * convention, see kp_engine_ops.prepare), or NULL: no stub runs it */
    const void *prep_entry;
};

/* A namespace name, or an anonymous handle (a private function whose
 * address a plugin took). Slots are never freed before the runtime: a
 * kp_func * (public) is a kp_slot *, and handles index slots. */
struct kp_slot {
    const char *name;             /* NULL for anonymous slots */
    _Atomic(kp_fn *) fn;          /* what the name is linked to now, or NULL */
    /* its value as a plugin function pointer: index | generation (see
     * KP_HANDLE_INDEX_BITS); changes only when an anonymous slot is
     * recycled, read without the lock by calls through pointers */
    _Atomic uint32_t handle;
    kp_runtime *rt;
};

/* A linked plugin (or a built-in, which is a module with one function and
 * no IR). */
struct kp_module {
    kp_runtime *rt;
    const char *name;
    ir_module *ir;            /* NULL for built-ins */
    uint32_t data_base;       /* segment offset of the module's data image */
    kp_fn *fns;               /* one per ir->funcs[i] */
    uint32_t nfns;
    kp_slot **imports;        /* one per ir->imports[i] */
    uint32_t *func_handles;   /* FADDR of function i: valid after link */
    uint32_t *import_handles; /* FADDR of import i (= imports[i]->handle) */
    void *engine_data;        /* the engine's per-module state */
    /* Set by engine->load: bytes its compiled form occupies (machine code,
     * threaded code, tables), counted against max_code_bytes together
     * with the IR the runtime keeps. 0 if the engine does not say. */
    size_t code_bytes;
};

/* ---- the call in flight ------------------------------------------------- */

/* One host -> plugin call (kp_call), possibly nested inside a built-in.
 * Engines read mem/mem_size/sp/stack_lo and the poll fields directly. */
struct kp_exec {
    uint8_t *mem;             /* segment base: plugin address p is mem + p */
    uint64_t mem_size;        /* valid plugin memory is [KP_PAGE_SIZE, mem_size) */
    uint32_t sp;              /* plugin stack pointer; frames grow down */
    uint32_t stack_lo;        /* the lowest address a frame may use */
    uint32_t depth;           /* plugin call depth within this exec */
    uint32_t max_depth;
    kp_runtime *rt;
    kp_exec *parent;          /* the enclosing exec on this thread (nested call) */
    /* polling (kp_exec_poll) */
    atomic_uint *interrupt_word; /* the runtime's interrupt generation */
    unsigned interrupt_gen;   /* its value when the call began */
    uint32_t poll_countdown;  /* polls left before the next clock check */
    uint64_t deadline_ns;     /* monotonic; 0 = none */
    /* the trap being reported (exec.c) */
    int trap_code;
    int trap_located;
    char trap_msg[256];
    const char *trap_plugin, *trap_func;
    uint32_t trap_line, trap_col;
    /* The built-in being run (for kp_callctx_*): set before each call of
     * a built-in on this exec, read only while one runs. Engines need not
     * restore it after (the JIT does not): nothing runs a built-in on
     * this exec while another runs (a nested call has an exec of its
     * own), so after a call it still names that call's callee. */
    const kp_fn *cur_builtin;
    /* The plugin function that is calling out: engines set it before
     * kp_rt_call_builtin / kp_rt_invoke / kp_rt_rtlib (it tells the
     * runtime which plugin a built-in works for). NULL if unknown: the
     * runtime then uses `entry`. */
    const kp_fn *caller;
    /* ---- runtime-only below: engines do not touch these ---- */
    const kp_fn *entry;       /* the function this activation called */
    uint64_t fuel_rest;       /* fuel not yet loaded into poll_countdown */
    int fuel_on;              /* a fuel budget applies (KP_TRAP_FUEL) */
    unsigned rt_interrupt_gen; /* rt->interrupt at the start (token calls) */
    struct kp_cleanup *cleanups; /* call-tied cleanup callbacks, newest first */
    uint32_t poll_interval;   /* polls between clock reads (adaptive) */
    uint64_t clock_ns;        /* the last clock read (deadline calls) */
};

/* kp_callctx (public, opaque) is a kp_exec. */
static inline kp_exec *kp_exec_of(kp_callctx *cx) { return (kp_exec *)cx; }

/* Record a trap: code (a KP_TRAP_*) and message, position unknown yet.
 * Returns code. Only the first trap of an exec is kept. */
int kp_exec_trap(kp_exec *ex, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Attach the position of the innermost plugin frame to a trap that has
 * none yet: engines call it when a trap passes through a plugin function
 * (from an instruction of theirs or from a callee/helper). */
void kp_exec_locate(kp_exec *ex, const kp_fn *fn, uint32_t line, uint32_t col);

/* Poll at function entry and loop back-edges: returns 0 to go on, or
 * KP_TRAP_INTERRUPTED / KP_TRAP_TIMEOUT / KP_TRAP_FUEL (already recorded
 * with kp_exec_trap) to stop. Every poll decrements poll_countdown; the
 * slow path runs when it reaches zero (or the interrupt word moved). With
 * a fuel budget the countdown is min(clock interval, fuel left), so the
 * fuel cut-off depends only on the number of polls: engines must poll at
 * the same places (each function entry, each IR back-edge taken) for the
 * cut-off to be the same on every engine. An engine may leave the
 * interrupt word to the slow path (the JIT does: it keeps the countdown in
 * a register): the slow path checks it and re-arms the countdown to at
 * most 4096 polls, so an interrupt is still seen within that many polls. */
int kp_exec_poll_slow(kp_exec *ex);
static inline int kp_exec_poll(kp_exec *ex)
{
    if (__builtin_expect(
            atomic_load_explicit(ex->interrupt_word, memory_order_relaxed) !=
                    ex->interrupt_gen ||
                --ex->poll_countdown == 0,
            0))
        return kp_exec_poll_slow(ex);
    return 0;
}

/* Is [p + disp, p + disp + size) inside valid memory? (64-bit sum, no wrap.) */
static inline int kp_exec_mem_ok(const kp_exec *ex, uint32_t p, int64_t disp, uint64_t size)
{
    int64_t a = (int64_t)(uint64_t)p + disp;
    return a >= (int64_t)KP_PAGE_SIZE && (uint64_t)a + size <= ex->mem_size;
}

/* ---- what engines call ---------------------------------------------------- */

/* Raw argument/result slots: I32/PTR values in the low 32 bits (the upper
 * bits are unspecified), I64 in all 64, F32 as the float's bits in the low
 * 32, F64 as the double's bits. */

/* The function a handle (a plugin function pointer value) calls now, or
 * NULL with *code set to KP_TRAP_BAD_CALL (not a handle) or
 * KP_TRAP_UNLINKED (a handle whose name is not linked now). */
kp_fn *kp_rt_handle_fn(kp_runtime *rt, uint32_t handle, int *code);

/* Call a built-in with raw args. types[i] gives the ir_type (IR_I32,
 * IR_I64, IR_F32, IR_F64) of each argument register the caller passed
 * (nargs may exceed fn->sig.nparams for a variadic built-in). Returns
 * KP_OK or a trap code (recorded). */
int kp_rt_call_builtin(kp_exec *ex, const kp_fn *fn, const uint64_t *args,
                       const uint8_t *types, uint32_t nargs, uint64_t *ret);

/* The native-stack margin host code gets: a built-in is entered only with
 * its frame at least this far above the end of the thread's stack (or a
 * quarter of a small stack), else the call traps (KP_TRAP_STACK). */
#define KP_BUILTIN_STACK_MARGIN ((uintptr_t)64 << 10)

/* A built-in returned rc != KP_OK: record KP_TRAP_BUILTIN unless it
 * recorded a trap itself (kp_fail), and return the trap code. For engines
 * that call fn->host themselves with kp_rt_call_builtin's conventions. */
int kp_rt_builtin_failed(kp_exec *ex, const kp_fn *fn, int rc);

/* Run runtime library function `id` (ir_rtlib) with raw args per
 * ir_rtlib_sig(id). Returns KP_OK or a trap code (recorded). */
int kp_rt_rtlib(kp_exec *ex, int id, const uint64_t *args, uint64_t *ret);

/* Call any kp_fn (plugin of this runtime's engine, or built-in) from the
 * host side with raw args: the runtime's generic entry, used by kp_call and
 * by engines that cannot call each other directly. */
int kp_rt_invoke(kp_exec *ex, kp_fn *fn, const uint64_t *args,
                 const uint8_t *types, uint32_t nargs, uint64_t *ret);

/* ---- the engine interface --------------------------------------------- */

struct kp_prep_desc;

typedef struct kp_engine_ops {
    const char *name;
    /* Compile every function of a module that the runtime has placed in
     * the segment (mod->data_base, mod->fns, handles and imports are set).
     * Sets mod->fns[i].code (and mod->engine_data). On failure returns a
     * KP_ERR_* code with a message in err and leaves nothing allocated. */
    int (*load)(kp_module *mod, char *err, size_t errsize);
    /* Free what load allocated. Called only when no call can be inside. */
    void (*unload)(kp_module *mod);
    /* Run plugin function fn (fn->kind == KP_FN_PLUGIN, fn->mod loaded by
     * this engine) with raw args (fn->sig.nparams of them). Returns KP_OK
     * with *ret set, or a trap code (recorded and located). */
    int (*call)(kp_exec *ex, kp_fn *fn, const uint64_t *args, uint64_t *ret);
    /* Optional (NULL: prepared calls stay on exec.c's C path). Generate
     * the entry stub of one prepared call from d, on the preparing thread:
     * machine code entered as int stub(p, args, ret) in place of the C
     * path (see exec.c, "Prepared calls", for what it must do). Returns its
     * entry, with *size for unprepare, or NULL (the C path is used). */
    void *(*prepare)(const struct kp_prep_desc *d, size_t *size);
    void (*unprepare)(void *stub, size_t size);
} kp_engine_ops;

/* Everything a prepared call's stub is specialised for (exec.c fills it):
 * addresses become immediates, offsets displacements. */
typedef struct kp_prep_desc {
    void *p;                     /* the kp_prepared (rdi at entry) */
    uint32_t owner_id;           /* the preparing thread's id */
    /* the thread's call state, %fs-relative (exec.c's kp_tls): its id
     * (uint32_t, 0: not registered), the current exec, the nesting count,
     * the announced epoch and runtime. The stub pairs id with nest when
     * it follows it, and exec with the epoch when that follows exec. */
    int32_t tls_id, tls_cur, tls_nest, tls_epoch, tls_rdrt;
    int fenced;                  /* readers fence after the announcement */
    const void *epoch_now;       /* uint64_t: the reclamation epoch */
    kp_runtime *rt;
    uint8_t *mem;                /* the segment base */
    /* offsets in p: the call generation the stub may run at (uint64_t,
     * odd: not now), the linked function's prep_entry while it is, and
     * the kp_exec */
    uint32_t p_gen, p_entry, p_ex;
    /* offsets in the runtime (uint64_t call generation, atomic_int
     * retired modules) */
    uint32_t rt_gen, rt_nretired;
    /* the runtime-only kp_exec field the stub reads */
    uint32_t ex_cleanups;
    uint32_t poll;               /* the poll countdown a call starts with */
    uint8_t ret, nparams;
    uint8_t params[IR_MAX_PARAMS];
    /* C, entered by a jump with the stub's own arguments: slow = the C
     * path; slow_ann = the same after undoing the announcement; end(p, rc,
     * raw result, ret) = the end of a call that trapped, has cleanups, or
     * may have held back a retired module */
    const void *slow, *slow_ann, *end;
} kp_prep_desc;

extern const kp_engine_ops kp_interp_engine; /* interp/interp.c */
extern const kp_engine_ops kp_jit_engine;    /* jit/x86_64/engine.c */

#endif /* KP_RT_H */
