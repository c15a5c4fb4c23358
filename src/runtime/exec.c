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
 * Every activation (outermost or nested) is registered with the
 * runtime's reclamation phase for its duration (kp_enter_call), so that
 * modules unlinked meanwhile are freed only after it returns (ns.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_private.h"

/* Polls between two reads of the clock: a tight loop polls every few ns
 * natively, so 4096 polls keep the clock's cost under 1% while a deadline
 * is still noticed within microseconds. */
#define POLL_INTERVAL 4096u

static KP_THREAD_LOCAL kp_exec *tls_exec; /* innermost exec on this thread */

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

int kp_exec_poll_slow(kp_exec *ex)
{
    if (atomic_load_explicit(ex->interrupt_word, memory_order_relaxed) != ex->interrupt_gen)
        return kp_exec_trap(ex, KP_TRAP_INTERRUPTED, "interrupted by kp_interrupt()");
    ex->poll_countdown = POLL_INTERVAL;
    if (ex->deadline_ns && kp_os_now_ns() >= ex->deadline_ns)
        return kp_exec_trap(ex, KP_TRAP_TIMEOUT, "the call's deadline passed");
    return 0;
}

void kp_interrupt(kp_runtime *rt)
{
    /* Lock-free atomics only: callable from a signal handler. */
    if (rt)
        atomic_fetch_add_explicit(&rt->interrupt, 1, memory_order_relaxed);
}

void kp_set_deadline(kp_runtime *rt, unsigned deadline_ms)
{
    if (rt)
        atomic_store(&rt->deadline_ms, deadline_ms);
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

int kp_call(kp_func *f, const kp_value *args, int nargs, kp_value *ret)
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
    unsigned phase = kp_enter_call(rt);
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
    for (int i = 0; i < nargs; i++) {
        kp_type want = i < sig->nparams ? kp_type_of_ir(sig->params[i]) : args[i].type;
        if (args[i].type != want || want == KP_T_VOID || (unsigned)want > KP_T_PTR) {
            code = kp_err_set(KP_ERR_SIGNATURE, "", fn->name, 0, 0,
                              "function '%s': parameter %d expects %s, got %s", fn->name,
                              i + 1, i < sig->nparams ? type_name(want) : "a value",
                              type_name(args[i].type));
            goto out;
        }
        raw[i] = arg_raw(&args[i]);
        types[i] = arg_regtype(args[i].type);
    }

    kp_exec ex;
    /* Field by field: clearing trap_msg on every call would cost more
     * than the rest of the set-up. */
    ex.depth = 0;
    ex.trap_code = 0;
    ex.trap_located = 0;
    ex.trap_msg[0] = 0;
    ex.trap_plugin = ex.trap_func = NULL;
    ex.trap_line = ex.trap_col = 0;
    ex.cur_builtin = NULL;
    ex.deadline_ns = 0;
    ex.mem = rt->seg.base;
    ex.mem_size = rt->seg.mem_size;
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
    if (outer) {
        ex.sp = outer->sp & ~15u;
        ex.stack_lo = outer->stack_lo;
        ex.depth = outer->depth;
        ex.max_depth = outer->max_depth;
        ex.interrupt_gen = outer->interrupt_gen;
        ex.deadline_ns = outer->deadline_ns;
    } else {
        /* A built-in called from the host needs no plugin stack; a nested
         * call it makes acquires one (stack_lo == 0 is never a stack). */
        ex.sp = ex.stack_lo = 0;
        if (fn->kind == KP_FN_PLUGIN) {
            stack = kp_stack_acquire(rt);
            if (!stack) {
                code = kp_err_set(KP_ERR_NOMEM_PLUGIN, "", fn->name, 0, 0,
                                  "no room for a plugin stack of %zu bytes in the "
                                  "runtime's memory", rt->cfg.stack_size);
                goto out;
            }
            ex.stack_lo = stack;
            ex.sp = stack + (uint32_t)rt->cfg.stack_size;
        }
        ex.max_depth = rt->cfg.max_call_depth;
        ex.interrupt_gen = atomic_load(&rt->interrupt);
        unsigned ms = atomic_load(&rt->deadline_ms);
        if (ms)
            ex.deadline_ns = kp_os_now_ns() + (uint64_t)ms * 1000000u;
    }
    ex.poll_countdown = POLL_INTERVAL;

    uint64_t rv = 0;
    tls_exec = &ex;
    int rc = kp_rt_invoke(&ex, fn, raw, types, (uint32_t)nargs, &rv);
    tls_exec = ex.parent;
    if (stack)
        kp_stack_release(rt, stack);

    if (rc != KP_OK || ex.trap_code) {
        code = report_trap(&ex, fn, rc);
        goto out;
    }
    if (ret) {
        memset(ret, 0, sizeof *ret);
        ret->type = kp_type_of_ir(sig->ret);
        switch (sig->ret) {
        case IR_I32: ret->v.i32 = (int32_t)(uint32_t)rv; break;
        case IR_PTR: ret->v.ptr = (uint32_t)rv; break;
        case IR_I64: ret->v.i64 = (int64_t)rv; break;
        case IR_F32: { uint32_t b = (uint32_t)rv; memcpy(&ret->v.f32, &b, 4); break; }
        case IR_F64: memcpy(&ret->v.f64, &rv, 8); break;
        }
    }
out:
    if (raw != rawbuf)
        free(raw);
    if (types != tbuf)
        free(types);
    kp_leave_call(rt, phase);
    return code;
}
